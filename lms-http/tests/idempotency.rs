//! `Idempotency-Key`: a retried hand-in returns the first response and
//! stores nothing twice; a reused key with another body is refused.

mod common;

use chrono::{Duration, Utc};
use common::{Db, TestApp, assert_error};
use lms_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn retries_with_the_same_key_replay_the_first_response(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let course = app
        .course_with_students(&teacher, "История", &[&student])
        .await;
    let (st, assignment) = teacher
        .post(
            &format!("/api/v1/courses/{}/assignments", course.id.0),
            json!({
                "title": "Эссе",
                "due_at": (Utc::now() + Duration::days(2)).to_rfc3339(),
                "max_score": 10,
                "published": true,
            }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{assignment}");
    let path = format!(
        "/api/v1/assignments/{}/submissions",
        assignment["id"].as_str().unwrap()
    );
    let send = |key: &'static str, text: &'static str| {
        student
            .request(Method::POST, &path)
            .header("Idempotency-Key", key)
            .json(&json!({"text": text, "file_ids": []}))
            .send()
    };

    let first = send("hand-in-1", "<p>Первый вариант</p>").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_body: Value = first.json().await.unwrap();

    let retry = send("hand-in-1", "<p>Первый вариант</p>").await.unwrap();
    assert_eq!(
        retry.status(),
        StatusCode::CREATED,
        "the first status, again"
    );
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retry_body: Value = retry.json().await.unwrap();
    assert_eq!(retry_body, first_body, "the first body, again");

    // The same key for a different hand-in is a client bug: refused.
    let reused = send("hand-in-1", "<p>Другой текст</p>").await.unwrap();
    let status = reused.status();
    assert_error(
        &(status, reused.json().await.unwrap()),
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    );

    // One version stored; a new key is a new hand-in.
    let (_, mine) = student.get(&format!("{path}/me")).await;
    assert_eq!(mine["versions"].as_array().unwrap().len(), 1, "{mine}");
    let second = send("hand-in-2", "<p>Второй вариант</p>").await.unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    let (_, mine) = student.get(&format!("{path}/me")).await;
    assert_eq!(mine["versions"].as_array().unwrap().len(), 2);

    // An empty key is invalid.
    let bad = student
        .request(Method::POST, &path)
        .header("Idempotency-Key", "")
        .json(&json!({"text": "x", "file_ids": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

on_both!(retries_with_the_same_key_replay_the_first_response);
