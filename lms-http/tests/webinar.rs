//! Webinars through HTTP on the external-link provider: scheduling with a
//! provider choice, who sees what, rescheduling, cancelling, and the
//! webinar in the students' schedules.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use common::{Db, Session, TestApp, assert_error};
use lms_core::Role;
use lms_http::HttpConfig;
use lms_webinar::ExternalLinkProvider;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn app(db: Db) -> TestApp {
    TestApp::spawn_with_providers(
        db,
        HttpConfig::default(),
        vec![Arc::new(ExternalLinkProvider::new())],
    )
    .await
}

fn at(hours_from_now: i64) -> DateTime<Utc> {
    let t = Utc::now() + Duration::hours(hours_from_now);
    // Whole seconds, so the instant compares equal after a round trip.
    DateTime::from_timestamp(t.timestamp(), 0).unwrap()
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("not a date: {v}"))
        .parse()
        .unwrap()
}

async fn schedule_range(s: &Session) -> Vec<Value> {
    let from = (Utc::now() - Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let to = (Utc::now() + Duration::days(30)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (status, body) = s
        .get(&format!("/api/v1/schedule?from={from}&to={to}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["events"].as_array().unwrap().clone()
}

async fn webinar_is_scheduled_moved_and_cancelled(db: Db) {
    let app = app(db).await;
    let teacher = app.login_as(Role::Teacher, "teacher@example.ru").await;
    let other_teacher = app.login_as(Role::Teacher, "other@example.ru").await;
    let student = app.login_as(Role::Student, "student@example.ru").await;
    let outsider = app.login_as(Role::Student, "outsider@example.ru").await;
    let course = app
        .course_with_students(&teacher, "Физика", &[&student])
        .await;
    let link = "https://meet.example.ru/room/42?pwd=a,b";

    // The form offers the configured providers only.
    let (status, providers) = teacher.get("/api/v1/webinar-providers").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(providers, json!(["external_link"]));

    let starts = at(48);
    let path = format!("/api/v1/courses/{}/webinars", course.id);
    let (status, created) = teacher
        .post(
            &path,
            json!({
                "title": "Разбор задач",
                "starts_at": starts.to_rfc3339(),
                "duration_minutes": 90,
                "provider": "external_link",
                "external_url": link,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["join_url"], link);
    assert_eq!(created["provider"], "external_link");
    assert_eq!(created["state"], "scheduled");
    assert_eq!(created["course_id"], course.id.to_string());
    assert_eq!(instant(&created["starts_at"]), starts);
    let id = created["id"].as_str().unwrap().to_owned();
    let one = format!("/api/v1/webinars/{id}");

    // The enrolled student sees it, with the join link and nothing to manage.
    let (status, seen) = student.get(&one).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["webinar"]["join_url"], link);
    assert_eq!(seen["webinar"]["host_url"], Value::Null);
    assert_eq!(seen["can_manage"], false);
    let (status, list) = student.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["webinar"]["id"], id);
    let (_, mine) = teacher.get(&one).await;
    assert_eq!(mine["can_manage"], true);

    // Outsiders see neither the webinar nor the course.
    assert_error(
        &outsider.get(&one).await,
        StatusCode::NOT_FOUND,
        "webinar_not_found",
    );
    assert_error(
        &outsider.get(&path).await,
        StatusCode::NOT_FOUND,
        "course_not_found",
    );
    assert_error(
        &other_teacher.get(&one).await,
        StatusCode::NOT_FOUND,
        "webinar_not_found",
    );

    // The student's schedule has it with the join link; the outsider's not.
    let events = schedule_range(&student).await;
    let event = events
        .iter()
        .find(|e| e["source"]["kind"] == "webinar")
        .expect("webinar in the student's schedule");
    assert_eq!(event["source"]["webinar_id"], id);
    assert_eq!(event["source"]["join_url"], link);
    assert_eq!(event["title"], "Разбор задач");
    assert_eq!(event["course_title"], "Физика");
    assert_eq!(instant(&event["starts_at"]), starts);
    assert_eq!(instant(&event["ends_at"]), starts + Duration::minutes(90));
    assert!(
        schedule_range(&outsider)
            .await
            .iter()
            .all(|e| e["source"]["kind"] != "webinar")
    );

    // Only the owner may schedule, move or cancel.
    let body = json!({
        "title": "Чужой",
        "starts_at": starts.to_rfc3339(),
        "duration_minutes": 30,
        "provider": "external_link",
        "external_url": link,
    });
    assert_error(
        &student.post(&path, body.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &other_teacher.post(&path, body).await,
        StatusCode::NOT_FOUND,
        "course_not_found",
    );
    let moved = at(72);
    let reschedule = json!({
        "title": "Разбор задач (перенос)",
        "starts_at": moved.to_rfc3339(),
        "duration_minutes": 60,
    });
    assert_error(
        &student.put(&one, reschedule.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &other_teacher.put(&one, reschedule.clone()).await,
        StatusCode::NOT_FOUND,
        "webinar_not_found",
    );
    assert_error(
        &student.delete(&one).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );

    // Rescheduling moves it for everyone and keeps the link.
    let (status, updated) = teacher.put(&one, reschedule).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(instant(&updated["starts_at"]), moved);
    assert_eq!(updated["duration_minutes"], 60);
    assert_eq!(updated["join_url"], link);
    let (_, seen) = student.get(&one).await;
    assert_eq!(seen["webinar"]["title"], "Разбор задач (перенос)");
    assert_eq!(instant(&seen["webinar"]["starts_at"]), moved);
    let events = schedule_range(&student).await;
    let event = events
        .iter()
        .find(|e| e["source"]["kind"] == "webinar")
        .unwrap();
    assert_eq!(instant(&event["starts_at"]), moved);

    // The student was told about both (their own message history).
    let (status, outbox) = student.get("/api/v1/notifications").await;
    assert_eq!(status, StatusCode::OK);
    let events: Vec<&str> = outbox
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["notification"]["event"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"webinar_scheduled"), "{outbox}");
    assert!(events.contains(&"webinar_changed"), "{outbox}");

    // Cancelling: the student no longer sees it, staff still do.
    let (status, cancelled) = teacher.delete(&one).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["state"], "cancelled");
    assert_error(
        &student.get(&one).await,
        StatusCode::NOT_FOUND,
        "webinar_not_found",
    );
    let (_, list) = student.get(&path).await;
    assert_eq!(list, json!([]));
    let (_, list) = teacher.get(&path).await;
    assert_eq!(list[0]["webinar"]["state"], "cancelled");
    assert!(
        schedule_range(&student)
            .await
            .iter()
            .all(|e| e["source"]["kind"] != "webinar")
    );
    // Cancelling again changes nothing; a cancelled webinar cannot move.
    let (status, again) = teacher.delete(&one).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["state"], "cancelled");
    assert_error(
        &teacher
            .put(
                &one,
                json!({"title": "X", "starts_at": moved.to_rfc3339(), "duration_minutes": 10}),
            )
            .await,
        StatusCode::CONFLICT,
        "webinar_cancelled",
    );
}

async fn scheduling_validates_every_field(db: Db) {
    let app = app(db).await;
    let teacher = app.login_as(Role::Teacher, "teacher@example.ru").await;
    let course = app.course_with_students(&teacher, "Химия", &[]).await;
    let path = format!("/api/v1/courses/{}/webinars", course.id);
    let valid = json!({
        "title": "Лабораторная",
        "starts_at": at(24).to_rfc3339(),
        "duration_minutes": 45,
        "provider": "external_link",
        "external_url": "https://meet.example.ru/lab",
    });
    let with = |key: &str, value: Value| {
        let mut body = valid.clone();
        body[key] = value;
        body
    };
    for (body, field) in [
        (with("title", json!("  ")), "title"),
        (with("starts_at", json!("завтра в 10")), "starts_at"),
        (with("provider", json!("zoom")), "provider"),
        (with("provider", json!("trueconf")), "provider"),
        (
            with("external_url", json!("ftp://files.example.ru")),
            "external_url",
        ),
        (with("external_url", Value::Null), "external_url"),
    ] {
        let got = teacher.post(&path, body).await;
        assert_eq!(got.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", got.1);
        assert_eq!(got.1["error"]["field"], field, "{}", got.1);
    }
    assert_error(
        &teacher
            .post(&path, with("duration_minutes", json!(0)))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_duration",
    );
    assert_error(
        &teacher
            .post(&path, with("starts_at", json!(at(-24).to_rfc3339())))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "starts_in_past",
    );
    assert_error(
        &teacher.post(&path, with("surprise", json!(1))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_json",
    );
    // Nothing was stored by the refused requests.
    let (_, list) = teacher.get(&path).await;
    assert_eq!(list, json!([]));

    // Without providers the list is empty and scheduling names the provider.
    let bare = TestApp::spawn(db).await;
    let t = bare.login_as(Role::Teacher, "t@example.ru").await;
    let (_, providers) = t.get("/api/v1/webinar-providers").await;
    assert_eq!(providers, json!([]));
    let c = bare.course_with_students(&t, "Без вебинаров", &[]).await;
    let got = t
        .post(&format!("/api/v1/courses/{}/webinars", c.id), valid.clone())
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "unknown_provider");
    assert_eq!(got.1["error"]["field"], "provider");
}

on_both!(
    webinar_is_scheduled_moved_and_cancelled,
    scheduling_validates_every_field,
);
