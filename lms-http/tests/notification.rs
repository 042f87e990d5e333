//! Notification settings, Telegram linking and the user's message history
//! through HTTP.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use common::{Db, TestApp, assert_error};
use lms_core::Role;
use lms_http::HttpConfig;
use lms_webinar::ExternalLinkProvider;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PREFS: &str = "/api/v1/notifications/preferences";
const TELEGRAM: &str = "/api/v1/notifications/telegram";

async fn preferences_round_trip_and_are_validated(db: Db) {
    let app = TestApp::spawn(db).await;
    let anna = app.login_as(Role::Student, "anna@example.ru").await;
    let boris = app.login_as(Role::Student, "boris@example.ru").await;

    // Defaults: everything everywhere, no quiet hours, no Telegram.
    let (status, defaults) = anna.get(PREFS).await;
    assert_eq!(status, StatusCode::OK, "{defaults}");
    assert_eq!(defaults["user_id"], anna.id());
    assert_eq!(defaults["channels"], json!({}));
    assert_eq!(defaults["quiet_hours"], Value::Null);
    assert_eq!(defaults["telegram_linked"], false);
    assert_eq!(defaults["telegram_available"], false);

    let (status, saved) = anna
        .put(
            PREFS,
            json!({
                "channels": {
                    "homework_graded": ["telegram", "email", "email"],
                    "webinar_reminder": [],
                },
                "quiet_hours": {"from": "22:00", "to": "08:00"},
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let expected_channels = json!({
        "homework_graded": ["email", "telegram"],
        "webinar_reminder": [],
    });
    assert_eq!(saved["channels"], expected_channels);
    // What will actually arrive: no Telegram bot on this server, so graded
    // work comes by e-mail only, and webinar reminders not at all.
    assert_eq!(
        saved["channel_status"],
        json!([
            {"channel": "email", "available": true, "reachable": true},
            {"channel": "telegram", "available": false, "reachable": false},
        ])
    );
    assert_eq!(saved["delivered"]["homework_graded"], json!(["email"]));
    assert_eq!(saved["delivered"]["webinar_reminder"], json!([]));
    assert_eq!(saved["delivered"]["deadline_reminder"], json!(["email"]));
    assert_eq!(
        saved["quiet_hours"],
        json!({"from": "22:00:00", "to": "08:00:00"})
    );
    let (_, read) = anna.get(PREFS).await;
    assert_eq!(read, saved);
    // Boris's settings are his own.
    let (_, his) = boris.get(PREFS).await;
    assert_eq!(his["channels"], json!({}));
    assert_eq!(his["user_id"], boris.id());

    // Invalid settings name the field and change nothing.
    for (body, field) in [
        (json!({"channels": {"nope": ["email"]}}), "channels.nope"),
        (
            json!({"channels": {"homework_graded": ["pigeon"]}}),
            "channels.homework_graded",
        ),
        (
            json!({"quiet_hours": {"from": "25:00", "to": "08:00"}}),
            "quiet_hours.from",
        ),
        (
            json!({"quiet_hours": {"from": "22:00", "to": "вечер"}}),
            "quiet_hours.to",
        ),
        (
            json!({"quiet_hours": {"from": "22:00", "to": "22:00"}}),
            "quiet_hours",
        ),
    ] {
        let got = anna.put(PREFS, body).await;
        assert_eq!(got.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", got.1);
        assert_eq!(got.1["error"]["field"], field, "{}", got.1);
    }
    assert_error(
        &anna
            .put(
                PREFS,
                json!({"quiet_hours": {"from": "22:00", "to": "22:00"}}),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_quiet_hours",
    );
    assert_error(
        &anna.put(PREFS, json!({"channel": {}})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_json",
    );
    let (_, read) = anna.get(PREFS).await;
    assert_eq!(read["channels"], expected_channels);

    // An empty body resets to the defaults.
    let (status, reset) = anna.put(PREFS, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reset["channels"], json!({}));
    assert_eq!(reset["quiet_hours"], Value::Null);
}

async fn telegram_link_needs_a_configured_bot(db: Db) {
    let app = TestApp::spawn(db).await;
    let anna = app.login_as(Role::Student, "anna@example.ru").await;
    assert_error(
        &anna.post(TELEGRAM, json!({})).await,
        StatusCode::CONFLICT,
        "telegram_not_configured",
    );

    let app = TestApp::spawn_with(
        db,
        HttpConfig {
            telegram_bot: Some("@lms_school_bot".to_owned()),
            ..HttpConfig::default()
        },
    )
    .await;
    let anna = app.login_as(Role::Student, "anna@example.ru").await;
    let (_, prefs) = anna.get(PREFS).await;
    assert_eq!(prefs["telegram_available"], true);
    assert_eq!(prefs["telegram_linked"], false);
    assert_eq!(
        prefs["delivered"]["homework_graded"],
        json!(["email"]),
        "Telegram needs a linked chat"
    );

    let (status, link) = anna.post(TELEGRAM, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let deep_link = link["deep_link"].as_str().unwrap();
    let token = deep_link
        .strip_prefix("https://t.me/lms_school_bot?start=")
        .unwrap_or_else(|| panic!("unexpected deep link {deep_link}"));
    let expires: DateTime<Utc> = link["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(expires > Utc::now() + Duration::minutes(10));
    assert!(expires <= Utc::now() + Duration::minutes(16));

    // The bot completes the link; the settings page shows it.
    let linked = app
        .lms
        .notifications
        .complete_telegram_link(token, 777)
        .await
        .unwrap();
    assert_eq!(linked, anna.user.id);
    let (_, prefs) = anna.get(PREFS).await;
    assert_eq!(prefs["telegram_linked"], true);
    assert_eq!(
        prefs["delivered"]["homework_graded"],
        json!(["email", "telegram"]),
        "a linked chat on a server with a bot gets Telegram messages"
    );

    let (status, _) = anna.delete(TELEGRAM).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, prefs) = anna.get(PREFS).await;
    assert_eq!(prefs["telegram_linked"], false);
    // Unlinking again is harmless.
    let (status, _) = anna.delete(TELEGRAM).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

async fn message_history_is_paginated_and_private(db: Db) {
    let app = TestApp::spawn_with_providers(
        db,
        HttpConfig::default(),
        vec![Arc::new(ExternalLinkProvider::new())],
    )
    .await;
    let teacher = app.login_as(Role::Teacher, "teacher@example.ru").await;
    let anna = app.login_as(Role::Student, "anna@example.ru").await;
    let outsider = app.login_as(Role::Student, "outsider@example.ru").await;
    let course = app
        .course_with_students(&teacher, "История", &[&anna])
        .await;
    for (i, title) in ["Первый", "Второй", "Третий"].iter().enumerate() {
        let starts = Utc::now() + Duration::days(i as i64 + 1);
        let (status, body) = teacher
            .post(
                &format!("/api/v1/courses/{}/webinars", course.id),
                json!({
                    "title": title,
                    "starts_at": starts.to_rfc3339(),
                    "duration_minutes": 45,
                    "provider": "external_link",
                    "external_url": "https://meet.example.ru/history",
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    let (status, all) = anna.get("/api/v1/notifications").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let all = all.as_array().unwrap().clone();
    assert!(!all.is_empty());
    for e in &all {
        assert_eq!(e["recipient_id"], anna.id());
        assert_eq!(e["notification"]["event"], "webinar_scheduled");
        assert_eq!(e["notification"]["course_title"], "История");
    }
    let titles: Vec<&str> = all
        .iter()
        .filter(|e| e["channel"] == "email")
        .map(|e| e["notification"]["title"].as_str().unwrap())
        .collect();
    let mut sorted = titles.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["Второй", "Первый", "Третий"]);

    // Pages cut the same list.
    let (_, first) = anna.get("/api/v1/notifications?limit=1").await;
    let (_, second) = anna.get("/api/v1/notifications?limit=1&offset=1").await;
    assert_eq!(first.as_array().unwrap().len(), 1);
    assert_eq!(second.as_array().unwrap().len(), 1);
    assert_eq!(first[0]["id"], all[0]["id"]);
    assert_eq!(second[0]["id"], all[1]["id"]);
    assert_error(
        &anna.get("/api/v1/notifications?limit=many").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );

    // Nobody else sees Anna's messages.
    let (_, theirs) = outsider.get("/api/v1/notifications").await;
    assert_eq!(theirs, json!([]));
}

on_both!(
    preferences_round_trip_and_are_validated,
    telegram_link_needs_a_configured_bot,
    message_history_is_paginated_and_private,
);
