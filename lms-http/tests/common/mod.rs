//! `TestApp`: the real router on a random port over a fresh database
//! (SQLite file or PostgreSQL database), with helpers to make users, log in
//! and call the API as they would.

#![allow(dead_code)]

use std::sync::Arc;

use lms_core::Lms;
use lms_core::clock::SystemClock;
use lms_core::file::FileStore;
use lms_core::ports::Storage;
use lms_core::user::{DisplayName, Email, Locale, Role, TimeZone, User};
use lms_http::{AppState, HttpConfig};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Which storage a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh PostgreSQL database (DATABASE_URL or a throwaway server).
    Postgres,
}

/// Generates `<name>_sqlite` and `<name>_postgres` tests from
/// `async fn name(db: Db)`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Db::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Db::Postgres).await;
                }
            }
        )*
    };
}

/// A running server.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The core behind the server (to arrange data directly).
    pub lms: Arc<Lms>,
    /// The files store behind the server.
    pub files: Arc<dyn FileStore>,
    _dir: tempfile::TempDir,
}

/// A logged-in client.
#[derive(Clone)]
pub struct Session {
    /// The user.
    pub user: User,
    /// Bearer token.
    pub token: String,
    base: String,
    client: reqwest::Client,
}

pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    pub async fn spawn(db: Db) -> Self {
        Self::spawn_with(db, HttpConfig::default()).await
    }

    pub async fn spawn_with(db: Db, mut config: HttpConfig) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let storage: Storage = match db {
            Db::Sqlite => {
                let s = lms_storage_sqlite::SqliteStorage::open(
                    dir.path().join("lms.db").to_str().expect("utf-8 path"),
                )
                .await
                .expect("open sqlite");
                s.migrate().await.expect("migrate sqlite");
                s.storage()
            }
            Db::Postgres => lms_storage_postgres::testing::fresh_storage().await,
        };
        let files: Arc<dyn FileStore> =
            Arc::new(lms_files::LocalFileStore::new(dir.path().join("files")).expect("file store"));
        let lms = Arc::new(
            Lms::new(storage, Arc::new(SystemClock), Vec::new()).with_file_store(files.clone()),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        config.public_url = format!("http://{addr}");
        let app = lms_http::router(AppState::new(lms.clone(), config));
        tokio::spawn(lms_http::serve(listener, app, std::future::pending()));
        Self {
            base: format!("http://{addr}"),
            lms,
            files,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// An anonymous client (no cookies kept).
    pub fn anonymous(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    /// Creates an active user with [`PASSWORD`] directly in storage.
    pub async fn user(&self, role: Role, email: &str) -> User {
        let user = User {
            id: lms_core::UserId::new(),
            email: Email::parse(email).expect("email"),
            display_name: DisplayName::parse(&format!("Тест {email}")).expect("name"),
            role,
            locale: Locale::Ru,
            time_zone: TimeZone::parse("Europe/Moscow").expect("tz"),
            active: true,
            created_at: chrono::Utc::now(),
        };
        let hash = lms_http::password::hash_password(PASSWORD).expect("hash");
        self.lms
            .storage()
            .users
            .insert_user(&user, Some(hash))
            .await
            .expect("insert user");
        user
    }

    /// Creates a user and logs them in with a bearer token.
    pub async fn login_as(&self, role: Role, email: &str) -> Session {
        let user = self.user(role, email).await;
        self.login(&user, PASSWORD).await
    }

    pub async fn login(&self, user: &User, password: &str) -> Session {
        let client = reqwest::Client::new();
        let resp = client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"email": user.email.as_str(), "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(
            resp.status(),
            StatusCode::OK,
            "login of {}",
            user.email.as_str()
        );
        let body: Value = resp.json().await.expect("json");
        Session {
            user: user.clone(),
            token: body["token"].as_str().expect("token").to_owned(),
            base: self.base.clone(),
            client,
        }
    }
}

impl Session {
    pub fn id(&self) -> String {
        self.user.id.0.to_string()
    }

    /// Sends a request with the bearer token; returns status and JSON body
    /// (`Value::Null` when the body is empty or not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    /// Uploads `bytes` as a draft (`POST /api/v1/files`); returns status and
    /// the file's JSON.
    pub async fn upload(&self, name: &str, bytes: &[u8]) -> (StatusCode, Value) {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned());
        let resp = self
            .client
            .post(format!("{}/api/v1/files", self.base))
            .bearer_auth(&self.token)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .expect("upload");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Downloads a path; returns status and the raw bytes.
    pub async fn download(&self, path: &str) -> (StatusCode, Vec<u8>) {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("download");
        let status = resp.status();
        (status, resp.bytes().await.expect("bytes").to_vec())
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// A raw request builder with the bearer token (for headers, multipart…).
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }
}

/// Asserts an error response: status and stable code.
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(got.0, status, "body: {}", got.1);
    assert_eq!(got.1["error"]["code"], code, "body: {}", got.1);
    assert!(got.1["error"]["message"].is_string(), "body: {}", got.1);
}

impl TestApp {
    /// Like [`TestApp::spawn_with`], with these webinar providers configured
    /// in the core.
    pub async fn spawn_with_providers(
        db: Db,
        mut config: HttpConfig,
        providers: Vec<Arc<dyn lms_core::webinar::WebinarProvider>>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let storage: Storage = match db {
            Db::Sqlite => {
                let s = lms_storage_sqlite::SqliteStorage::open(
                    dir.path().join("lms.db").to_str().expect("utf-8 path"),
                )
                .await
                .expect("open sqlite");
                s.migrate().await.expect("migrate sqlite");
                s.storage()
            }
            Db::Postgres => lms_storage_postgres::testing::fresh_storage().await,
        };
        let files: Arc<dyn FileStore> =
            Arc::new(lms_files::LocalFileStore::new(dir.path().join("files")).expect("file store"));
        let lms = Arc::new(
            Lms::new(storage, Arc::new(SystemClock), providers).with_file_store(files.clone()),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        config.public_url = format!("http://{addr}");
        let app = lms_http::router(AppState::new(lms.clone(), config));
        tokio::spawn(lms_http::serve(listener, app, std::future::pending()));
        Self {
            base: format!("http://{addr}"),
            lms,
            files,
            _dir: dir,
        }
    }

    /// A published course owned by `teacher` with these students enrolled
    /// (arranged through the core).
    pub async fn course_with_students(
        &self,
        teacher: &Session,
        title: &str,
        students: &[&Session],
    ) -> lms_core::course::Course {
        let actor = teacher.user.actor();
        let course = self
            .lms
            .courses
            .create_course(
                &actor,
                lms_core::course::NewCourse {
                    title: lms_core::course::Title::parse(title).expect("title"),
                    description: lms_core::richtext::RichText::from_plain_text("Описание"),
                    owner_id: None,
                },
            )
            .await
            .expect("create course");
        let course = self
            .lms
            .courses
            .set_status(&actor, course.id, lms_core::course::CourseStatus::Published)
            .await
            .expect("publish course");
        for s in students {
            self.lms
                .courses
                .enroll_student(&actor, course.id, s.user.id)
                .await
                .expect("enroll");
        }
        course
    }
}
