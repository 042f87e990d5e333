//! The Telemost provider against a mock Telemost API that speaks the
//! documented wire format: `Authorization: OAuth <token>`, rooms at
//! `/v1/telemost-api/conferences`, `{"message", "description", "error"}`
//! errors.

mod common;

use std::time::Duration;

use common::{dead_url, header, json, moved, received, spec};
use lms_webinar::{
    ConfigError, ProviderError, ProviderKind, TelemostConfig, TelemostProvider, WaitingRoomLevel,
    WebinarProvider,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "y0_AgAAAAB-test-token";
const CONFERENCES: &str = "/v1/telemost-api/conferences";
const ROOM: &str = "/v1/telemost-api/conferences/1234567890";
const JOIN_URL: &str = "https://telemost.yandex.ru/j/1234567890";

fn config(server: &MockServer) -> TelemostConfig {
    TelemostConfig {
        base_url: format!("{}/v1/telemost-api", server.uri()),
        timeout: Duration::from_secs(5),
        ..TelemostConfig::new(TOKEN)
    }
}

fn provider(server: &MockServer) -> TelemostProvider {
    TelemostProvider::new(config(server)).unwrap()
}

/// A documented room answer.
fn room(level: &str) -> Value {
    json!({
        "id": "1234567890",
        "join_url": JOIN_URL,
        "waiting_room_level": level,
        "cohosts": [{"email": "teacher@school.ru"}],
        "sip_uri_meeting": "1234567890@sip.telemost.yandex.ru",
        "sip_id": "1234567890"
    })
}

/// A documented error answer.
fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "message": message,
        "description": message,
        "error": code
    }))
}

#[tokio::test]
async fn create_reschedule_and_cancel_speak_the_documented_wire_format() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CONFERENCES))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "1234567890",
            "join_url": JOIN_URL
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(ROOM))
        .respond_with(ResponseTemplate::new(200).set_body_json(room("PUBLIC")))
        .expect(2)
        .mount(&server)
        .await;
    let telemost = provider(&server);
    assert_eq!(telemost.kind(), ProviderKind::Telemost);

    let conference = telemost.create(&spec()).await.unwrap();
    assert_eq!(conference.conference_id.as_deref(), Some("1234567890"));
    assert_eq!(conference.join_url, JOIN_URL);
    assert_eq!(conference.host_url, None, "the teacher joins as a cohost");

    let updated = telemost
        .update(conference.conference_id.clone(), &moved())
        .await
        .unwrap();
    assert_eq!(updated, conference);

    telemost.delete(conference.conference_id).await.unwrap();

    let requests = received(&server).await;
    let seen: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.url.path()))
        .collect();
    assert_eq!(
        seen,
        [("POST", CONFERENCES), ("PATCH", ROOM), ("PATCH", ROOM)]
    );
    for request in &requests {
        assert_eq!(request.url.query(), None);
        assert_eq!(
            header(request, "authorization"),
            Some("OAuth y0_AgAAAAB-test-token")
        );
        assert_eq!(header(request, "content-type"), Some("application/json"));
    }
    let settings = json!({
        "waiting_room_level": "PUBLIC",
        "cohosts": [{"email": "teacher@school.ru"}]
    });
    assert_eq!(json(&requests[0]), settings);
    assert_eq!(
        json(&requests[1]),
        settings,
        "no time to move: same settings"
    );
    assert_eq!(
        json(&requests[2]),
        json!({"waiting_room_level": "ADMINS"}),
        "cancelling closes the room"
    );
}

#[tokio::test]
async fn the_waiting_room_and_cohost_follow_the_config() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(room("ORGANIZATION")))
        .mount(&server)
        .await;
    let telemost = TelemostProvider::new(TelemostConfig {
        waiting_room_level: WaitingRoomLevel::Organization,
        host_as_cohost: false,
        ..config(&server)
    })
    .unwrap();
    telemost.create(&spec()).await.unwrap();
    assert_eq!(
        json(&received(&server).await[0]),
        json!({"waiting_room_level": "ORGANIZATION"})
    );
}

#[tokio::test]
async fn an_update_answer_without_the_link_is_completed_by_reading_the_room() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(ROOM))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"waiting_room_level": "PUBLIC"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(ROOM))
        .respond_with(ResponseTemplate::new(200).set_body_json(room("PUBLIC")))
        .expect(1)
        .mount(&server)
        .await;
    let conference = provider(&server)
        .update(Some("1234567890".into()), &moved())
        .await
        .unwrap();
    assert_eq!(conference.join_url, JOIN_URL);
    let get = &received(&server).await[1];
    assert_eq!(
        header(get, "authorization"),
        Some("OAuth y0_AgAAAAB-test-token")
    );
    assert!(get.body.is_empty());
}

#[tokio::test]
async fn a_room_that_is_gone_counts_as_deleted_but_not_as_updated() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(ROOM))
        .respond_with(error(404, "ConferenceNotFound", "Conference not found"))
        .mount(&server)
        .await;
    let telemost = provider(&server);
    telemost.delete(Some("1234567890".into())).await.unwrap();
    assert!(matches!(
        telemost.update(Some("1234567890".into()), &moved()).await,
        Err(ProviderError::NotFound)
    ));
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn an_unknown_cohost_is_a_refusal_not_a_missing_room() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(error(
            404,
            "NoSuchUserPrincipalsFound",
            "Не найдены пользователи: teacher@school.ru",
        ))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(error(
            404,
            "NoSuchUserPrincipalsFound",
            "Не найдены пользователи: teacher@school.ru",
        ))
        .mount(&server)
        .await;
    let telemost = provider(&server);
    for err in [
        telemost.create(&spec()).await.unwrap_err(),
        telemost
            .update(Some("1234567890".into()), &moved())
            .await
            .unwrap_err(),
    ] {
        let ProviderError::Permanent(message) = &err else {
            panic!("expected Permanent, got {err:?}");
        };
        assert!(message.contains("HTTP 404"), "{message}");
        assert!(
            message.contains("Не найдены пользователи: teacher@school.ru"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn refusals_are_permanent_with_telemosts_words_and_never_retried() {
    let cases = [
        (
            error(401, "UnauthorizedError", "Не авторизован."),
            "HTTP 401 Unauthorized",
            "Не авторизован.",
        ),
        (
            error(
                403,
                "ApiRestrictedToOrganizations",
                "API доступен только пользователям организаций Яндекс 360",
            ),
            "HTTP 403 Forbidden",
            "API доступен только пользователям организаций Яндекс 360",
        ),
        (
            error(
                400,
                "FieldValidationError",
                "waiting_room_level: unknown value",
            ),
            "HTTP 400 Bad Request",
            "waiting_room_level: unknown value",
        ),
        (
            error(
                402,
                "PaymentRequiredToUseLiveStreams",
                "Live streams need a paid plan",
            ),
            "HTTP 402 Payment Required",
            "Live streams need a paid plan",
        ),
    ];
    for (answer, status, quoted) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(answer)
            .mount(&server)
            .await;
        let err = provider(&server).create(&spec()).await.unwrap_err();
        let ProviderError::Permanent(message) = &err else {
            panic!("expected Permanent, got {err:?}");
        };
        assert!(
            message.starts_with("Telemost create conference: "),
            "{message}"
        );
        assert!(message.contains(status), "{message}");
        assert!(message.contains(quoted), "{message}");
        assert_eq!(received(&server).await.len(), 1, "no retry, no refresh");
    }
}

#[tokio::test]
async fn an_echoed_token_is_redacted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(error(
            401,
            "UnauthorizedError",
            &format!("Token {TOKEN} is expired"),
        ))
        .mount(&server)
        .await;
    let message = provider(&server)
        .create(&spec())
        .await
        .unwrap_err()
        .to_string();
    assert!(!message.contains(TOKEN), "{message}");
    assert!(message.contains("Token [redacted] is expired"), "{message}");
}

#[tokio::test]
async fn overload_and_outages_are_transient_and_quote_retry_after() {
    let cases = [
        (
            error(429, "TooManyRequestsError", "Слишком много запросов")
                .insert_header("Retry-After", "60"),
            "HTTP 429 Too Many Requests, retry after 60 s",
        ),
        (
            error(503, "ServiceUnavailable", "Сервис временно недоступен"),
            "HTTP 503 Service Unavailable",
        ),
        (
            ResponseTemplate::new(500).set_body_string("Internal error"),
            "HTTP 500 Internal Server Error: Internal error",
        ),
    ];
    for (answer, expected) in cases {
        let server = MockServer::start().await;
        Mock::given(method("PATCH"))
            .respond_with(answer)
            .mount(&server)
            .await;
        let err = provider(&server)
            .delete(Some("1234567890".into()))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ProviderError::Transient(m) if m.starts_with("Telemost close conference: ") && m.contains(expected)),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn a_slow_api_times_out_as_transient() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(room("PUBLIC"))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let telemost = TelemostProvider::new(TelemostConfig {
        timeout: Duration::from_millis(300),
        ..config(&server)
    })
    .unwrap();
    let started = std::time::Instant::now();
    let err = telemost.create(&spec()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(&err, ProviderError::Transient(m) if m == "Telemost create conference: no answer within 300 ms"),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unreachable_api_is_transient() {
    let telemost = TelemostProvider::new(TelemostConfig {
        base_url: dead_url(),
        ..TelemostConfig::new(TOKEN)
    })
    .unwrap();
    let err = telemost.create(&spec()).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(!err.to_string().contains(TOKEN));
}

#[tokio::test]
async fn a_created_room_without_a_link_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "1"})))
        .mount(&server)
        .await;
    let err = provider(&server).create(&spec()).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Permanent(m) if m.contains("unexpected answer")),
        "{err:?}"
    );
}

#[tokio::test]
async fn without_a_conference_id_nothing_is_sent() {
    let server = MockServer::start().await;
    let telemost = provider(&server);
    assert!(matches!(
        telemost.update(None, &moved()).await,
        Err(ProviderError::NotFound)
    ));
    telemost.delete(None).await.unwrap();
    assert!(received(&server).await.is_empty());
}

#[test]
fn configs_are_checked_and_debug_hides_the_token() {
    let good = TelemostConfig::new(TOKEN);
    assert_eq!(
        good.base_url,
        "https://cloud-api.yandex.net/v1/telemost-api"
    );
    assert_eq!(good.waiting_room_level, WaitingRoomLevel::Public);
    assert!(!format!("{good:?}").contains(TOKEN));
    let provider = TelemostProvider::new(good.clone()).unwrap();
    assert!(!format!("{provider:?}").contains(TOKEN));

    assert_eq!(
        TelemostProvider::new(TelemostConfig::new("")).unwrap_err(),
        ConfigError::Missing("oauth_token")
    );
    assert!(matches!(
        TelemostProvider::new(TelemostConfig {
            base_url: "cloud-api.yandex.net".into(),
            ..good
        })
        .unwrap_err(),
        ConfigError::InvalidUrl {
            field: "base_url",
            ..
        }
    ));
    assert_eq!(
        serde_json::to_value(WaitingRoomLevel::Admins).unwrap(),
        json!("ADMINS")
    );
    assert_eq!(WaitingRoomLevel::Organization.as_str(), "ORGANIZATION");
}
