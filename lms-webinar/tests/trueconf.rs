//! The TrueConf provider against a mock TrueConf Server that speaks the
//! documented API v3 wire format: OAuth 2.0 client credentials at
//! `/oauth2/v1/token`, the token in the `access_token` query parameter,
//! `{"conference": {...}}` answers and `{"error": {...}}` errors.

mod common;

use std::time::Duration;

use common::{dead_url, header, json, moved, received, received_at, spec};
use lms_webinar::{
    ConfigError, ProviderError, ProviderKind, TrueConfConfig, TrueConfProvider, WebinarProvider,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "s3cr3t+/=";
const TOKEN_PATH: &str = "/oauth2/v1/token";
const CONFERENCES: &str = "/api/v3.2/conferences";

fn config(server: &MockServer) -> TrueConfConfig {
    TrueConfConfig {
        timeout: Duration::from_secs(5),
        ..TrueConfConfig::new(server.uri(), "lms-app", SECRET, "lms@video.school.ru")
    }
}

fn provider(server: &MockServer) -> TrueConfProvider {
    TrueConfProvider::new(config(server)).unwrap()
}

/// The documented token answer.
fn token_answer(token: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": token,
        "expires_in": expires_in,
        "token_type": "Bearer",
        "scope": "conferences conferences:read conferences:write"
    }))
}

async fn mount_token(server: &MockServer, token: &str) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer(token, 604_800))
        .mount(server)
        .await;
}

/// A documented conference answer.
fn conference_answer(id: &str, topic: &str, start_time: i64, duration: u64) -> Value {
    json!({
        "conference": {
            "id": id,
            "type": 0,
            "topic": topic,
            "owner": "lms@video.school.ru",
            "description": "",
            "max_podiums": 36,
            "max_participants": 36,
            "schedule": {
                "type": 1,
                "start_time": start_time,
                "time_offset": 0,
                "duration": duration
            },
            "url": format!("https://video.school.ru/c/{id}"),
            "webclient_url": format!("https://video.school.ru/webrtc/{id}"),
            "allow_guests": false,
            "auto_invite": 0,
            "state": "stopped",
            "tags": [],
            "recording": 0
        }
    })
}

/// A documented error answer.
fn error_answer(status: u16, message: &str, reason: &str, detail: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error": {
            "code": status,
            "message": message,
            "errors": [{
                "reason": reason,
                "message": detail,
                "locationType": "path",
                "location": "conference_id"
            }]
        }
    }))
}

fn not_found() -> ResponseTemplate {
    error_answer(
        404,
        "Not Found",
        "conferenceNotFound",
        "Conference '4471' is not found.",
    )
}

#[tokio::test]
async fn create_reschedule_and_delete_speak_the_documented_wire_format() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    let (created, rescheduled) = (spec(), moved());
    Mock::given(method("POST"))
        .and(path(CONFERENCES))
        .respond_with(ResponseTemplate::new(200).set_body_json(conference_answer(
            "4471",
            &created.title,
            created.starts_at.timestamp(),
            5400,
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{CONFERENCES}/4471")))
        .respond_with(ResponseTemplate::new(200).set_body_json(conference_answer(
            "4471",
            &rescheduled.title,
            rescheduled.starts_at.timestamp(),
            3600,
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{CONFERENCES}/4471")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "4471"})))
        .expect(1)
        .mount(&server)
        .await;
    let tc = provider(&server);
    assert_eq!(tc.kind(), ProviderKind::TrueConf);

    let conference = tc.create(&created).await.unwrap();
    assert_eq!(conference.conference_id.as_deref(), Some("4471"));
    assert_eq!(conference.join_url, "https://video.school.ru/c/4471");
    assert_eq!(
        conference.host_url.as_deref(),
        Some("https://video.school.ru/webrtc/4471")
    );

    let updated = tc
        .update(conference.conference_id.clone(), &rescheduled)
        .await
        .unwrap();
    assert_eq!(updated, conference, "the links stay the same");

    tc.delete(conference.conference_id).await.unwrap();

    let requests = received(&server).await;
    let seen: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.url.path()))
        .collect();
    assert_eq!(
        seen,
        [
            ("POST", TOKEN_PATH),
            ("POST", CONFERENCES),
            ("PUT", "/api/v3.2/conferences/4471"),
            ("DELETE", "/api/v3.2/conferences/4471"),
        ],
        "one token for the whole cycle"
    );

    let token = &requests[0];
    assert_eq!(token.url.query(), None);
    assert_eq!(
        header(token, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        std::str::from_utf8(&token.body).unwrap(),
        "grant_type=client_credentials&client_id=lms-app&client_secret=s3cr3t%2B%2F%3D"
    );

    let create = &requests[1];
    assert_eq!(create.url.query(), Some("access_token=tok-1"));
    assert_eq!(header(create, "content-type"), Some("application/json"));
    assert_eq!(header(create, "authorization"), None);
    assert_eq!(
        json(create),
        json!({
            "topic": "Квадратные уравнения",
            "owner": "lms@video.school.ru",
            "type": 0,
            "schedule": {
                "type": 1,
                "start_time": created.starts_at.timestamp(),
                "duration": 5400
            },
            "allow_guests": false,
            "invitations": [
                {"id": "teacher@school.ru"},
                {"id": "anya@mail.ru"},
                {"id": "boris@mail.ru"}
            ]
        })
    );
    assert_eq!(created.starts_at.timestamp(), 1_773_154_800);

    let update = &requests[2];
    assert_eq!(update.url.query(), Some("access_token=tok-1"));
    assert_eq!(header(update, "content-type"), Some("application/json"));
    assert_eq!(
        json(update),
        json!({
            "topic": "Квадратные уравнения (перенос)",
            "owner": "lms@video.school.ru",
            "type": 0,
            "schedule": {
                "type": 1,
                "start_time": rescheduled.starts_at.timestamp(),
                "duration": 3600
            },
            "allow_guests": false
        })
    );

    let delete = &requests[3];
    assert_eq!(delete.url.query(), Some("access_token=tok-1"));
    assert!(delete.body.is_empty());
}

#[tokio::test]
async fn links_fall_back_to_the_documented_patterns_and_numeric_ids_are_read() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    Mock::given(method("POST"))
        .and(path(CONFERENCES))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "conference": {"id": 5_576_502_892_u64, "topic": "x", "state": "stopped"}
        })))
        .mount(&server)
        .await;
    let conference = provider(&server).create(&spec()).await.unwrap();
    assert_eq!(conference.conference_id.as_deref(), Some("5576502892"));
    assert_eq!(
        conference.join_url,
        format!("{}/c/5576502892", server.uri())
    );
    assert_eq!(
        conference.host_url,
        Some(format!("{}/webrtc/5576502892", server.uri()))
    );
}

#[tokio::test]
async fn invitations_skip_duplicates_guests_and_long_topics_follow_the_config() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    Mock::given(method("POST"))
        .and(path("/api/v3.11/conferences"))
        .respond_with(ResponseTemplate::new(200).set_body_json(conference_answer("1", "t", 0, 60)))
        .mount(&server)
        .await;
    let tc = TrueConfProvider::new(TrueConfConfig {
        api_minor_version: 11,
        allow_guests: true,
        ..config(&server)
    })
    .unwrap();
    let mut webinar = spec();
    webinar.title = "Я".repeat(300);
    webinar.duration_minutes = 1440;
    webinar.participant_emails = vec![
        "Teacher@School.ru".into(),
        "anya@mail.ru".into(),
        " ".into(),
        "anya@mail.ru".into(),
    ];
    tc.create(&webinar).await.unwrap();

    let create = &received_at(&server, "/api/v3.11/conferences").await[0];
    let body = json(create);
    assert_eq!(
        body["invitations"],
        json!([{"id": "teacher@school.ru"}, {"id": "anya@mail.ru"}])
    );
    assert_eq!(body["allow_guests"], json!(true));
    assert_eq!(body["topic"].as_str().unwrap().chars().count(), 240);
    assert_eq!(
        body["schedule"]["duration"],
        json!(86_399),
        "TrueConf's maximum"
    );
}

#[tokio::test]
async fn a_rejected_token_is_replaced_once_and_the_call_repeated() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("tok-1", 604_800))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("tok-2", 604_800))
        .mount(&server)
        .await;
    // The server revoked tok-1 (e.g. restarted).
    Mock::given(method("POST"))
        .and(path(CONFERENCES))
        .and(query_param("access_token", "tok-1"))
        .respond_with(error_answer(
            401,
            "Unauthorized",
            "invalidToken",
            "Invalid token",
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(CONFERENCES))
        .and(query_param("access_token", "tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(conference_answer("77", "t", 0, 60)))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{CONFERENCES}/77")))
        .and(query_param("access_token", "tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "77"})))
        .mount(&server)
        .await;
    let tc = provider(&server);

    let conference = tc.create(&spec()).await.unwrap();
    assert_eq!(conference.conference_id.as_deref(), Some("77"));
    tc.delete(conference.conference_id).await.unwrap();

    assert_eq!(received_at(&server, TOKEN_PATH).await.len(), 2);
    let creates = received_at(&server, CONFERENCES).await;
    let queries: Vec<_> = creates.iter().map(|r| r.url.query().unwrap()).collect();
    assert_eq!(queries, ["access_token=tok-1", "access_token=tok-2"]);
    assert_eq!(
        json(&creates[0]),
        json(&creates[1]),
        "the same request again"
    );
    let delete = &received_at(&server, &format!("{CONFERENCES}/77")).await[0];
    assert_eq!(
        delete.url.query(),
        Some("access_token=tok-2"),
        "the new token is kept"
    );
}

#[tokio::test]
async fn a_second_401_is_permanent_and_not_retried_again() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    Mock::given(method("PUT"))
        .and(path(format!("{CONFERENCES}/4471")))
        .respond_with(error_answer(
            401,
            "Unauthorized",
            "invalidToken",
            "Token tok-1 has no scope conferences:write",
        ))
        .mount(&server)
        .await;

    let err = provider(&server)
        .update(Some("4471".into()), &moved())
        .await
        .unwrap_err();

    let ProviderError::Permanent(message) = &err else {
        panic!("expected Permanent, got {err:?}");
    };
    assert!(message.contains("HTTP 401"), "{message}");
    assert!(
        message.contains("has no scope conferences:write"),
        "{message}"
    );
    assert!(!message.contains("tok-1"), "the token leaked: {message}");
    assert_eq!(received_at(&server, TOKEN_PATH).await.len(), 2);
    assert_eq!(
        received_at(&server, &format!("{CONFERENCES}/4471"))
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn a_token_is_replaced_shortly_before_it_expires() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("short-lived", 1))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("tok-2", 604_800))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .mount(&server)
        .await;
    let tc = provider(&server);

    tc.delete(Some("1".into())).await.unwrap();
    // Lifetime 1 s: replaced a tenth of it early, so after 0.95 s it is old.
    tokio::time::sleep(Duration::from_millis(950)).await;
    tc.delete(Some("2".into())).await.unwrap();
    tc.delete(Some("3".into())).await.unwrap();

    assert_eq!(received_at(&server, TOKEN_PATH).await.len(), 2);
    let queries: Vec<_> = received(&server)
        .await
        .iter()
        .filter(|r| r.method.as_str() == "DELETE")
        .map(|r| r.url.query().unwrap().to_owned())
        .collect();
    assert_eq!(
        queries,
        [
            "access_token=short-lived",
            "access_token=tok-2",
            "access_token=tok-2"
        ]
    );
}

#[tokio::test]
async fn wrong_client_credentials_are_permanent_and_never_reach_the_api() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client",
            "error_description": "The client credentials are invalid (client_secret=s3cr3t+/=)"
        })))
        .mount(&server)
        .await;

    let err = provider(&server).create(&spec()).await.unwrap_err();

    let ProviderError::Permanent(message) = &err else {
        panic!("expected Permanent, got {err:?}");
    };
    assert!(message.contains("TrueConf access token"), "{message}");
    assert!(message.contains("HTTP 401"), "{message}");
    assert!(message.contains("invalid_client"), "{message}");
    assert!(!message.contains(SECRET), "the secret leaked: {message}");
    assert!(message.contains("[redacted]"), "{message}");
    assert_eq!(received(&server).await.len(), 1, "only the token request");
}

#[tokio::test]
async fn refusals_are_permanent_with_the_servers_words() {
    let cases = [
        (
            error_answer(
                400,
                "Bad Request",
                "invalidValue",
                "Value of 'owner' is invalid.",
            ),
            "HTTP 400 Bad Request",
            "Value of 'owner' is invalid.",
        ),
        (
            error_answer(403, "Forbidden", "forbidden", "Forbidden"),
            "HTTP 403 Forbidden",
            "\"reason\":\"forbidden\"",
        ),
        (
            ResponseTemplate::new(405).set_body_string("<html>Method Not Allowed</html>"),
            "HTTP 405",
            "<html>Method Not Allowed</html>",
        ),
    ];
    for (answer, status, quoted) in cases {
        let server = MockServer::start().await;
        mount_token(&server, "tok-1").await;
        Mock::given(method("POST"))
            .and(path(CONFERENCES))
            .respond_with(answer)
            .mount(&server)
            .await;
        let err = provider(&server).create(&spec()).await.unwrap_err();
        let ProviderError::Permanent(message) = &err else {
            panic!("expected Permanent, got {err:?}");
        };
        assert!(
            message.starts_with("TrueConf create conference: "),
            "{message}"
        );
        assert!(message.contains(status), "{message}");
        assert!(message.contains(quoted), "{message}");
        assert_eq!(received_at(&server, CONFERENCES).await.len(), 1, "no retry");
    }
}

#[tokio::test]
async fn a_long_error_answer_is_cut() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    Mock::given(method("POST"))
        .and(path(CONFERENCES))
        .respond_with(error_answer(
            400,
            "Bad Request",
            "invalid",
            &"x".repeat(10_000),
        ))
        .mount(&server)
        .await;
    let err = provider(&server).create(&spec()).await.unwrap_err();
    let message = err.to_string();
    assert!(message.chars().count() < 500, "{} chars", message.len());
    assert!(message.ends_with('…'), "{message}");
}

#[tokio::test]
async fn overload_and_outages_are_transient_and_quote_retry_after() {
    let cases = [
        (
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "30")
                .set_body_json(json!({"error": {"code": 429, "message": "Too Many Requests"}})),
            "HTTP 429 Too Many Requests, retry after 30 s",
        ),
        (
            ResponseTemplate::new(503)
                .insert_header("Retry-After", "120")
                .set_body_string("maintenance"),
            "HTTP 503 Service Unavailable, retry after 120 s: maintenance",
        ),
        (
            ResponseTemplate::new(500).set_body_string("Internal Server Error"),
            "HTTP 500 Internal Server Error: Internal Server Error",
        ),
        (
            ResponseTemplate::new(502),
            "HTTP 502 Bad Gateway: (empty answer)",
        ),
    ];
    for (answer, expected) in cases {
        let server = MockServer::start().await;
        mount_token(&server, "tok-1").await;
        Mock::given(method("DELETE"))
            .respond_with(answer)
            .mount(&server)
            .await;
        let err = provider(&server)
            .delete(Some("4471".into()))
            .await
            .unwrap_err();
        let ProviderError::Transient(message) = &err else {
            panic!("expected Transient, got {err:?}");
        };
        assert!(err.is_transient());
        assert!(message.contains(expected), "{message}");
        assert!(!message.contains("tok-1"), "{message}");
    }
}

#[tokio::test]
async fn the_token_endpoint_being_down_is_transient() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "5"))
        .mount(&server)
        .await;
    let err = provider(&server).create(&spec()).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Transient(m) if m.contains("TrueConf access token: HTTP 503") && m.contains("retry after 5 s")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_missing_conference_is_not_found_except_when_creating() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    Mock::given(path(format!("{CONFERENCES}/4471")))
        .respond_with(not_found())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(CONFERENCES))
        .respond_with(ResponseTemplate::new(404).set_body_string("no API here"))
        .mount(&server)
        .await;
    let tc = provider(&server);

    assert!(matches!(
        tc.update(Some("4471".into()), &moved()).await,
        Err(ProviderError::NotFound)
    ));
    assert!(matches!(
        tc.delete(Some("4471".into())).await,
        Err(ProviderError::NotFound)
    ));
    let err = tc.create(&spec()).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Permanent(m) if m.contains("HTTP 404") && m.contains("no API here")),
        "a wrong server URL is not a missing conference: {err:?}"
    );
}

#[tokio::test]
async fn without_a_conference_id_nothing_is_sent() {
    let server = MockServer::start().await;
    let tc = provider(&server);
    assert!(matches!(
        tc.update(None, &moved()).await,
        Err(ProviderError::NotFound)
    ));
    assert!(matches!(
        tc.delete(None).await,
        Err(ProviderError::NotFound)
    ));
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn conference_ids_cannot_escape_their_path() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "x"})))
        .mount(&server)
        .await;
    provider(&server)
        .delete(Some("../../users/admin?x=1".into()))
        .await
        .unwrap();
    let delete = &received(&server).await[1];
    assert_eq!(
        delete.url.path(),
        "/api/v3.2/conferences/..%2F..%2Fusers%2Fadmin%3Fx=1"
    );
    assert_eq!(delete.url.query(), Some("access_token=tok-1"));
}

#[tokio::test]
async fn a_slow_server_times_out_as_transient_without_the_token_in_the_message() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-secret-1").await;
    Mock::given(method("POST"))
        .and(path(CONFERENCES))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(conference_answer("1", "t", 0, 60))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let tc = TrueConfProvider::new(TrueConfConfig {
        timeout: Duration::from_millis(300),
        ..config(&server)
    })
    .unwrap();

    let started = std::time::Instant::now();
    let err = tc.create(&spec()).await.unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let ProviderError::Transient(message) = &err else {
        panic!("expected Transient, got {err:?}");
    };
    assert_eq!(
        message,
        "TrueConf create conference: no answer within 300 ms"
    );
}

#[tokio::test]
async fn a_slow_token_endpoint_times_out_too() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("tok-1", 60).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let tc = TrueConfProvider::new(TrueConfConfig {
        timeout: Duration::from_millis(300),
        ..config(&server)
    })
    .unwrap();
    let err = tc.delete(Some("1".into())).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Transient(m) if m == "TrueConf access token: no answer within 300 ms"),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_transient() {
    let tc = TrueConfProvider::new(TrueConfConfig::new(
        dead_url(),
        "lms-app",
        SECRET,
        "lms@video.school.ru",
    ))
    .unwrap();
    let err = tc.create(&spec()).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(err.to_string().contains("TrueConf access token"), "{err}");
    assert!(err.to_string().contains("connect"), "{err}");
    assert!(!err.to_string().contains(SECRET), "{err}");
}

#[tokio::test]
async fn a_success_answer_without_a_conference_is_permanent() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    Mock::given(method("POST"))
        .and(path(CONFERENCES))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>OK</html>"))
        .mount(&server)
        .await;
    let err = provider(&server).create(&spec()).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Permanent(m) if m.contains("unexpected answer")),
        "{err:?}"
    );
}

#[test]
fn configs_are_checked_and_debug_hides_the_secret() {
    let good = TrueConfConfig::new(
        "https://video.school.ru",
        "lms-app",
        SECRET,
        "lms@video.school.ru",
    );
    let debug = format!("{good:?}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(debug.contains("lms-app"), "{debug}");
    let provider = TrueConfProvider::new(good.clone()).unwrap();
    assert!(!format!("{provider:?}").contains(SECRET));
    assert_eq!(provider.config(), &good);

    let err = |config: TrueConfConfig| TrueConfProvider::new(config).unwrap_err();
    assert!(matches!(
        err(TrueConfConfig {
            server_url: "video.school.ru".into(),
            ..good.clone()
        }),
        ConfigError::InvalidUrl {
            field: "server_url",
            ..
        }
    ));
    assert_eq!(
        err(TrueConfConfig {
            client_secret: " ".into(),
            ..good.clone()
        }),
        ConfigError::Missing("client_secret")
    );
    assert_eq!(
        err(TrueConfConfig {
            conference_owner: String::new(),
            ..good.clone()
        }),
        ConfigError::Missing("conference_owner")
    );
    assert_eq!(
        err(TrueConfConfig {
            timeout: Duration::ZERO,
            ..good
        }),
        ConfigError::ZeroTimeout
    );
}
