//! The bell through HTTP, on SQLite and PostgreSQL: what the channels send
//! lands in the user's in-app list, which leads to its page and takes read
//! marks only from its owner.

mod common;

use common::{Db, TestApp, assert_error};
use lms_core::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn ok(got: (StatusCode, Value), status: StatusCode) -> Value {
    assert_eq!(got.0, status, "{}", got.1);
    got.1
}

async fn a_new_assignment_rings_the_bell(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let other = app.login_as(Role::Student, "o@example.ru").await;
    let course = ok(
        teacher
            .post("/api/v1/courses", json!({"title": "Алгебра"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let c = course["id"].as_str().unwrap().to_owned();
    ok(
        teacher
            .put(
                &format!("/api/v1/courses/{c}/status"),
                json!({"status": "published"}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    ok(
        student
            .post(
                "/api/v1/courses/join",
                json!({"code": course["invite_code"]}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let empty = ok(
        student.get("/api/v1/notifications/inbox/unread").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(empty, json!({"unread": 0}));

    let assignment = ok(
        teacher
            .post(
                &format!("/api/v1/courses/{c}/assignments"),
                json!({"title": "ДЗ 1", "instructions": "<p>Задачи</p>",
                       "due_at": "2099-01-01T00:00:00Z", "max_score": 10, "published": true}),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let a = assignment["id"].as_str().unwrap();

    let list = ok(
        student.get("/api/v1/notifications/inbox").await,
        StatusCode::OK,
    )
    .await;
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    let item = &items[0];
    assert_eq!(item["kind"], "new_assignment");
    assert_eq!(
        item["link"],
        format!("/assignments/{a}"),
        "it leads to its page"
    );
    assert_eq!(item["notification"]["title"], "ДЗ 1");
    assert!(item["read_at"].is_null());
    let unread = ok(
        student.get("/api/v1/notifications/inbox/unread").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unread, json!({"unread": 1}));
    // The teacher's own list is not the student's.
    let theirs = ok(
        teacher.get("/api/v1/notifications/inbox").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(theirs, json!([]));

    // Another user cannot mark it; its owner can, once.
    let id = item["id"].clone();
    let marked = ok(
        other
            .post("/api/v1/notifications/inbox/read", json!({"ids": [id]}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(marked, json!({"marked": 0}));
    let marked = ok(
        student
            .post("/api/v1/notifications/inbox/read", json!({"ids": [id]}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(marked, json!({"marked": 1}));
    let unread = ok(
        student.get("/api/v1/notifications/inbox/unread").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unread, json!({"unread": 0}));
    let list = ok(
        student.get("/api/v1/notifications/inbox").await,
        StatusCode::OK,
    )
    .await;
    assert!(list[0]["read_at"].is_string(), "{list}");
    let marked = ok(
        student
            .post("/api/v1/notifications/inbox/read-all", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(marked, json!({"marked": 0}));

    // Bad input: too many ids, not an id.
    let many: Vec<String> = (0..201).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let got = student
        .post("/api/v1/notifications/inbox/read", json!({"ids": many}))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "too_many_ids");
    let got = student
        .post("/api/v1/notifications/inbox/read", json!({"ids": ["x"]}))
        .await;
    assert_eq!(got.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", got.1);
}

on_both!(a_new_assignment_rings_the_bell);
