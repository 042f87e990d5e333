//! Webinars end to end, as the reference server wires them: the providers
//! are configured through `LMS_*` variables pointing at mock TrueConf and
//! Telemost servers that answer in their documented wire format, the core
//! runs on a fresh SQLite data directory, and a teacher schedules, moves
//! and cancels a webinar through the HTTP API while the mocks record what
//! the provider was asked to do. A student of the course sees the join link
//! (never the host link) in their schedule; a provider that fails leaves no
//! webinar behind.

use std::sync::Arc;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use lms_core::Lms;
use lms_core::course::{CourseStatus, NewCourse, Title};
use lms_core::richtext::RichText;
use lms_core::user::{DisplayName, Email, Locale, Role, TimeZone, User};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const PASSWORD: &str = "correct horse battery";
const TRUECONF_CLIENT_ID: &str = "lms";
const TRUECONF_SECRET: &str = "tc-secret";
const TRUECONF_OWNER: &str = "lms@video.school.ru";
const TRUECONF_TOKEN: &str = "tc-access-token";
const TELEMOST_TOKEN: &str = "y0_telemost-token";
const TEACHER: &str = "teacher@example.ru";
const STUDENT: &str = "student@example.ru";

/// The mock providers and the server configured to use them.
struct Scene {
    trueconf: MockServer,
    telemost: MockServer,
    base: String,
    lms: Arc<Lms>,
    _dir: tempfile::TempDir,
}

/// A logged-in user.
struct Session {
    token: String,
    base: String,
    client: reqwest::Client,
}

impl Session {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
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
}

impl Scene {
    /// Starts both mock providers and the server configured for all three
    /// providers through the same variables an operator sets.
    async fn start() -> Self {
        let trueconf = MockServer::start().await;
        let telemost = MockServer::start().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let vars: Vec<(&str, String)> = vec![
            (
                "LMS_DATA_DIR",
                dir.path().to_str().expect("utf-8").to_owned(),
            ),
            ("LMS_TRUECONF_SERVER_URL", trueconf.uri()),
            ("LMS_TRUECONF_CLIENT_ID", TRUECONF_CLIENT_ID.to_owned()),
            ("LMS_TRUECONF_CLIENT_SECRET", TRUECONF_SECRET.to_owned()),
            ("LMS_TRUECONF_OWNER", TRUECONF_OWNER.to_owned()),
            ("LMS_TRUECONF_API_VERSION", "3.11".to_owned()),
            ("LMS_TELEMOST_TOKEN", TELEMOST_TOKEN.to_owned()),
            (
                "LMS_TELEMOST_API_URL",
                format!("{}/v1/telemost-api", telemost.uri()),
            ),
        ];
        let cfg = lms_server::config::Config::from_sources(None, move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        })
        .expect("config");
        let core = lms_server::app::open_core(&cfg).await.expect("open core");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let app = lms_http::router(lms_http::AppState::new(
            core.lms.clone(),
            lms_server::app::http_config(&cfg),
        ));
        tokio::spawn(lms_http::serve(listener, app, std::future::pending()));
        Self {
            trueconf,
            telemost,
            base,
            lms: core.lms,
            _dir: dir,
        }
    }

    /// An active user with [`PASSWORD`], made in storage, logged in through
    /// the API.
    async fn login_as(&self, role: Role, email: &str) -> (User, Session) {
        let user = User {
            id: lms_core::UserId::new(),
            email: Email::parse(email).expect("email"),
            display_name: DisplayName::parse(&format!("Тест {email}")).expect("name"),
            role,
            locale: Locale::Ru,
            time_zone: TimeZone::parse("Europe/Moscow").expect("tz"),
            active: true,
            created_at: Utc::now(),
        };
        let hash = lms_http::password::hash_password(PASSWORD).expect("hash");
        self.lms
            .storage()
            .users
            .insert_user(&user, Some(hash))
            .await
            .expect("insert user");
        let client = reqwest::Client::new();
        let resp = client
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(resp.status(), StatusCode::OK, "login of {email}");
        let body: Value = resp.json().await.expect("json");
        let session = Session {
            token: body["token"].as_str().expect("token").to_owned(),
            base: self.base.clone(),
            client,
        };
        (user, session)
    }

    /// A teacher with a published course and one enrolled student.
    async fn course(&self) -> (Session, Session, String) {
        let (teacher_user, teacher) = self.login_as(Role::Teacher, TEACHER).await;
        let (student_user, student) = self.login_as(Role::Student, STUDENT).await;
        let actor = teacher_user.actor();
        let course = self
            .lms
            .courses
            .create_course(
                &actor,
                NewCourse {
                    title: Title::parse("Физика").expect("title"),
                    description: RichText::from_plain_text("Механика"),
                    owner_id: None,
                },
            )
            .await
            .expect("create course");
        self.lms
            .courses
            .set_status(&actor, course.id, CourseStatus::Published)
            .await
            .expect("publish");
        self.lms
            .courses
            .enroll_student(&actor, course.id, student_user.id)
            .await
            .expect("enroll");
        (teacher, student, course.id.to_string())
    }

    /// TrueConf Server answering the token and conference calls as
    /// documented for API v3.x.
    async fn trueconf_answers(&self) {
        let server = self.trueconf.uri();
        Mock::given(method("POST"))
            .and(path("/oauth2/v1/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": TRUECONF_TOKEN,
                "expires_in": 604_800,
                "token_type": "Bearer",
                "scope": "conferences",
            })))
            .mount(&self.trueconf)
            .await;
        let conference = json!({"conference": {
            "id": "lms_42",
            "topic": "Разбор задач",
            "owner": TRUECONF_OWNER,
            "type": 0,
            "state": "stopped",
            "url": format!("{server}/c/lms_42"),
            "webclient_url": format!("{server}/webrtc/lms_42"),
        }});
        Mock::given(method("POST"))
            .and(path("/api/v3.11/conferences"))
            .and(query_param("access_token", TRUECONF_TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(conference.clone()))
            .mount(&self.trueconf)
            .await;
        Mock::given(method("PUT"))
            .and(path("/api/v3.11/conferences/lms_42"))
            .and(query_param("access_token", TRUECONF_TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(conference))
            .mount(&self.trueconf)
            .await;
        Mock::given(method("DELETE"))
            .and(path("/api/v3.11/conferences/lms_42"))
            .and(query_param("access_token", TRUECONF_TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "lms_42"})))
            .mount(&self.trueconf)
            .await;
    }

    /// Telemost answering as its API specification documents.
    async fn telemost_answers(&self) {
        let room = json!({"id": "7391", "join_url": "https://telemost.yandex.ru/j/7391"});
        Mock::given(method("POST"))
            .and(path("/v1/telemost-api/conferences"))
            .and(header("authorization", format!("OAuth {TELEMOST_TOKEN}")))
            .respond_with(ResponseTemplate::new(201).set_body_json(room.clone()))
            .mount(&self.telemost)
            .await;
        Mock::given(method("PATCH"))
            .and(path("/v1/telemost-api/conferences/7391"))
            .and(header("authorization", format!("OAuth {TELEMOST_TOKEN}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "7391",
                "join_url": "https://telemost.yandex.ru/j/7391",
                "waiting_room_level": "PUBLIC",
            })))
            .mount(&self.telemost)
            .await;
    }
}

/// Every request a mock received, in order.
async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording on")
}

fn body_json(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap_or(Value::Null)
}

fn at(hours_from_now: i64) -> DateTime<Utc> {
    let t = Utc::now() + Duration::hours(hours_from_now);
    DateTime::from_timestamp(t.timestamp(), 0).expect("instant")
}

async fn webinar_events(session: &Session) -> Vec<Value> {
    let from = (Utc::now() - Duration::days(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let to = (Utc::now() + Duration::days(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let (status, body) = session
        .call(
            Method::GET,
            &format!("/api/v1/schedule?from={from}&to={to}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["source"]["kind"] == "webinar")
        .cloned()
        .collect()
}

/// What differs between the providers in the shared walk-through.
struct Expect {
    provider: &'static str,
    external_url: Option<&'static str>,
    join_url: String,
    host_url: Option<String>,
}

/// Schedules, moves and cancels a webinar on `expect.provider` through
/// HTTP; returns the first and the moved start for checking what the
/// provider was sent.
async fn walk_through(scene: &Scene, expect: &Expect) -> (DateTime<Utc>, DateTime<Utc>) {
    let (teacher, student, course_id) = scene.course().await;

    let (status, providers) = teacher
        .call(Method::GET, "/api/v1/webinar-providers", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{providers}");
    assert_eq!(providers, json!(["trueconf", "telemost", "external_link"]));

    let starts = at(48);
    let mut request = json!({
        "title": "Разбор задач",
        "starts_at": starts.to_rfc3339(),
        "duration_minutes": 90,
        "provider": expect.provider,
    });
    if let Some(url) = expect.external_url {
        request["external_url"] = json!(url);
    }
    let list = format!("/api/v1/courses/{course_id}/webinars");
    let (status, created) = teacher.call(Method::POST, &list, Some(request)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["provider"], expect.provider);
    assert_eq!(created["state"], "scheduled");
    assert_eq!(created["join_url"], expect.join_url.as_str());
    assert_eq!(
        created["host_url"],
        expect.host_url.as_deref().map_or(Value::Null, |u| json!(u))
    );
    let one = format!("/api/v1/webinars/{}", created["id"].as_str().expect("id"));

    // The student sees the join link in their schedule, never the host link.
    let events = webinar_events(&student).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["source"]["join_url"], expect.join_url.as_str());
    assert_eq!(events[0]["source"]["host_url"], Value::Null);
    assert_eq!(events[0]["title"], "Разбор задач");

    let moved = at(72);
    let (status, updated) = teacher
        .call(
            Method::PUT,
            &one,
            Some(json!({
                "title": "Разбор задач (перенос)",
                "starts_at": moved.to_rfc3339(),
                "duration_minutes": 60,
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["join_url"], expect.join_url.as_str());
    assert_eq!(updated["duration_minutes"], 60);

    let (status, cancelled) = teacher.call(Method::DELETE, &one, None).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["state"], "cancelled");
    assert!(webinar_events(&student).await.is_empty());
    (starts, moved)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trueconf_webinar_is_created_moved_and_deleted_on_the_server() {
    let scene = Scene::start().await;
    scene.trueconf_answers().await;
    let server = scene.trueconf.uri();
    let (starts, moved) = walk_through(
        &scene,
        &Expect {
            provider: "trueconf",
            external_url: None,
            join_url: format!("{server}/c/lms_42"),
            host_url: Some(format!("{server}/webrtc/lms_42")),
        },
    )
    .await;

    let calls = received(&scene.trueconf).await;
    let api: Vec<(String, String)> = calls
        .iter()
        .map(|r| (r.method.to_string(), r.url.path().to_owned()))
        .collect();
    assert_eq!(
        api,
        [
            ("POST", "/oauth2/v1/token"),
            ("POST", "/api/v3.11/conferences"),
            ("PUT", "/api/v3.11/conferences/lms_42"),
            ("DELETE", "/api/v3.11/conferences/lms_42"),
        ]
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
    );

    // One token, fetched with the client credentials grant.
    let form = String::from_utf8(calls[0].body.clone()).expect("utf-8 form");
    let mut fields: Vec<&str> = form.split('&').collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "client_id=lms",
            "client_secret=tc-secret",
            "grant_type=client_credentials"
        ]
    );

    // The conference: the topic, the owner, one-time schedule in UTC
    // seconds, the teacher and the student invited.
    assert_eq!(
        body_json(&calls[1]),
        json!({
            "topic": "Разбор задач",
            "owner": TRUECONF_OWNER,
            "type": 0,
            "schedule": {"type": 1, "start_time": starts.timestamp(), "duration": 5400},
            "allow_guests": false,
            "invitations": [{"id": TEACHER}, {"id": STUDENT}],
        })
    );
    assert_eq!(
        body_json(&calls[2]),
        json!({
            "topic": "Разбор задач (перенос)",
            "owner": TRUECONF_OWNER,
            "type": 0,
            "schedule": {"type": 1, "start_time": moved.timestamp(), "duration": 3600},
            "allow_guests": false,
        })
    );
    assert!(calls[3].body.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_telemost_webinar_gets_a_room_that_is_closed_on_cancel() {
    let scene = Scene::start().await;
    scene.telemost_answers().await;
    walk_through(
        &scene,
        &Expect {
            provider: "telemost",
            external_url: None,
            join_url: "https://telemost.yandex.ru/j/7391".to_owned(),
            host_url: None,
        },
    )
    .await;

    let calls = received(&scene.telemost).await;
    let api: Vec<(String, String, Value)> = calls
        .iter()
        .map(|r| (r.method.to_string(), r.url.path().to_owned(), body_json(r)))
        .collect();
    let room_settings = json!({"waiting_room_level": "PUBLIC", "cohosts": [{"email": TEACHER}]});
    assert_eq!(
        api,
        vec![
            (
                "POST".to_owned(),
                "/v1/telemost-api/conferences".to_owned(),
                room_settings.clone()
            ),
            (
                "PATCH".to_owned(),
                "/v1/telemost-api/conferences/7391".to_owned(),
                room_settings
            ),
            // The API documents no DELETE: cancelling closes the room.
            (
                "PATCH".to_owned(),
                "/v1/telemost-api/conferences/7391".to_owned(),
                json!({"waiting_room_level": "ADMINS"})
            ),
        ]
    );
    assert!(received(&scene.trueconf).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_link_webinar_calls_no_provider() {
    let scene = Scene::start().await;
    let link = "https://meet.example.ru/room/42";
    walk_through(
        &scene,
        &Expect {
            provider: "external_link",
            external_url: Some(link),
            join_url: link.to_owned(),
            host_url: None,
        },
    )
    .await;
    assert!(received(&scene.trueconf).await.is_empty());
    assert!(received(&scene.telemost).await.is_empty());
}

/// A provider answering 500 to the create call: the teacher gets a 503
/// "try again shortly" and the course has no half-made webinar.
async fn a_failing_provider_leaves_no_webinar(provider: &str) {
    let scene = Scene::start().await;
    let failure = ResponseTemplate::new(500).set_body_json(json!({
        "error": {"code": 500, "message": "Internal Server Error", "errors": []},
        "message": "Internal Server Error",
    }));
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": TRUECONF_TOKEN, "expires_in": 3600, "token_type": "Bearer",
        })))
        .mount(&scene.trueconf)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v3.11/conferences"))
        .respond_with(failure.clone())
        .mount(&scene.trueconf)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/telemost-api/conferences"))
        .respond_with(failure)
        .mount(&scene.telemost)
        .await;
    let (teacher, student, course_id) = scene.course().await;
    let list = format!("/api/v1/courses/{course_id}/webinars");
    let (status, body) = teacher
        .call(
            Method::POST,
            &list,
            Some(json!({
                "title": "Разбор задач",
                "starts_at": at(48).to_rfc3339(),
                "duration_minutes": 90,
                "provider": provider,
            })),
        )
        .await;
    // The core calls it `provider_unavailable` (class Unavailable); the
    // HTTP layer answers every Unavailable error with the same 503 and
    // "try again shortly".
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "provider_unavailable", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("try again")),
        "{body}"
    );

    let (status, webinars) = teacher.call(Method::GET, &list, None).await;
    assert_eq!(status, StatusCode::OK, "{webinars}");
    assert_eq!(webinars, json!([]));
    assert!(webinar_events(&student).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trueconf_failing_on_create_leaves_no_webinar() {
    a_failing_provider_leaves_no_webinar("trueconf").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telemost_failing_on_create_leaves_no_webinar() {
    a_failing_provider_leaves_no_webinar("telemost").await;
}
