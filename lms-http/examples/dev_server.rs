//! A development server for the web UI: the real router over a fresh SQLite
//! file in a temporary directory, files in memory, with three accounts
//! (password `demo12345`): `admin@dev.test`, `teacher@dev.test`,
//! `student@dev.test`. The reference server (`lms-server`) is what schools
//! run; this is for working on `web/` without it.
//!
//! ```sh
//! cargo run -p lms-http --example dev_server -- 127.0.0.1:8099 web/dist
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use lms_core::clock::SystemClock;
use lms_core::file::{FileRead, FileStore, FileStoreError, FileWrite};
use lms_core::user::{DisplayName, Email, Locale, Role, TimeZone, User};
use lms_core::{Lms, UserId};
use lms_http::{AppState, HttpConfig};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8099".to_owned());
    let web_dir = args.next().map(std::path::PathBuf::from);
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = lms_storage_sqlite::SqliteStorage::open(
        dir.path().join("lms.db").to_str().expect("utf-8 path"),
    )
    .await
    .expect("open sqlite");
    sqlite.migrate().await.expect("migrate");
    let providers: Vec<Arc<dyn lms_core::webinar::WebinarProvider>> =
        vec![Arc::new(lms_webinar::ExternalLinkProvider::new())];
    let lms = Arc::new(Lms::new(sqlite.storage(), Arc::new(SystemClock), providers));
    for (email, role, name) in [
        ("admin@dev.test", Role::Admin, "Администратор"),
        ("teacher@dev.test", Role::Teacher, "Анна Петровна"),
        ("student@dev.test", Role::Student, "Иван Иванов"),
    ] {
        let user = User {
            id: UserId::new(),
            email: Email::parse(email).expect("email"),
            display_name: DisplayName::parse(name).expect("name"),
            role,
            locale: Locale::Ru,
            time_zone: TimeZone::parse("Europe/Moscow").expect("tz"),
            active: true,
            created_at: chrono::Utc::now(),
        };
        let hash = lms_http::password::hash_password("demo12345").expect("hash");
        lms.storage()
            .users
            .insert_user(&user, Some(hash))
            .await
            .expect("insert user");
    }
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    let config = HttpConfig {
        public_url: format!("http://{addr}"),
        web_dir,
        ..HttpConfig::default()
    };
    let app = lms_http::router(AppState::new(lms, Arc::new(MemoryFiles::default()), config));
    println!(
        "dev server on http://{addr} (admin@dev.test / teacher@dev.test / student@dev.test, password demo12345)"
    );
    lms_http::serve(listener, app, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .expect("serve");
}

#[derive(Default)]
struct MemoryFiles(Arc<Mutex<HashMap<String, Vec<u8>>>>);

struct MemWrite {
    key: String,
    buf: Vec<u8>,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

#[async_trait]
impl FileWrite for MemWrite {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), FileStoreError> {
        self.buf.extend_from_slice(chunk);
        Ok(())
    }
    async fn commit(self: Box<Self>) -> Result<(), FileStoreError> {
        self.files.lock().expect("lock").insert(self.key, self.buf);
        Ok(())
    }
    async fn abort(self: Box<Self>) -> Result<(), FileStoreError> {
        Ok(())
    }
}

struct MemRead(Option<Vec<u8>>);

#[async_trait]
impl FileRead for MemRead {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, FileStoreError> {
        Ok(self.0.take())
    }
}

#[async_trait]
impl FileStore for MemoryFiles {
    async fn create(&self, key: &str) -> Result<Box<dyn FileWrite>, FileStoreError> {
        Ok(Box::new(MemWrite {
            key: key.to_owned(),
            buf: Vec::new(),
            files: self.0.clone(),
        }))
    }
    async fn open(&self, key: &str) -> Result<Box<dyn FileRead>, FileStoreError> {
        let data = self.0.lock().expect("lock").get(key).cloned();
        data.map(|d| Box::new(MemRead(Some(d))) as Box<dyn FileRead>)
            .ok_or(FileStoreError::NotFound)
    }
    async fn delete(&self, key: &str) -> Result<(), FileStoreError> {
        self.0.lock().expect("lock").remove(key);
        Ok(())
    }
}
