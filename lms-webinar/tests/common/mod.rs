//! What the provider tests share: a webinar to schedule, and helpers to read
//! the requests a mock server received.

#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use lms_core::WebinarId;
use lms_core::webinar::ConferenceSpec;
use serde_json::Value;
use wiremock::{MockServer, Request};

/// The webinar a teacher schedules: 10 March 2026, 15:00 UTC, 90 minutes.
pub fn spec() -> ConferenceSpec {
    ConferenceSpec {
        webinar_id: WebinarId::new(),
        title: "Квадратные уравнения".into(),
        starts_at: Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).unwrap(),
        duration_minutes: 90,
        host_email: "teacher@school.ru".into(),
        participant_emails: vec!["anya@mail.ru".into(), "boris@mail.ru".into()],
        external_url: None,
    }
}

/// The same webinar moved to the next day at 16:30 for an hour and renamed.
pub fn moved() -> ConferenceSpec {
    ConferenceSpec {
        title: "Квадратные уравнения (перенос)".into(),
        starts_at: Utc.with_ymd_and_hms(2026, 3, 11, 16, 30, 0).unwrap(),
        duration_minutes: 60,
        ..spec()
    }
}

/// Every request the server received, in order.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
}

/// The requests whose path is `path`, in order.
pub async fn received_at(server: &MockServer, path: &str) -> Vec<Request> {
    received(server)
        .await
        .into_iter()
        .filter(|r| r.url.path() == path)
        .collect()
}

/// A header of a request as text.
pub fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The JSON body of a request.
pub fn json(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("a JSON body")
}

/// A base URL where nothing listens (a port that was just freed).
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
