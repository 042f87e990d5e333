//! Announcements, the staff view of a student and the mentor's dashboard
//! through HTTP, on SQLite and PostgreSQL: the owner writes to the course,
//! a mentor to their group; students read what is meant for them on the
//! course, the dashboard and in the bell; a mentor opens their students
//! only and sees who falls behind.

mod common;

use common::{Db, TestApp, assert_error};
use lms_core::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

fn ok(got: (StatusCode, Value), status: StatusCode) -> Value {
    assert_eq!(got.0, status, "{}", got.1);
    got.1
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|a| s(&a["title"]))
        .collect()
}

async fn announcements_reach_their_groups(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let mentor_a = app.login_as(Role::Assistant, "ma@example.ru").await;
    let mentor_b = app.login_as(Role::Assistant, "mb@example.ru").await;
    let s1 = app.login_as(Role::Student, "s1@example.ru").await;
    let s2 = app.login_as(Role::Student, "s2@example.ru").await;

    let course = ok(
        teacher
            .post("/api/v1/courses", json!({"title": "ЕГЭ: физика"}))
            .await,
        StatusCode::CREATED,
    );
    let c = s(&course["id"]);
    for m in [&mentor_a, &mentor_b] {
        ok(
            teacher
                .post(
                    &format!("/api/v1/courses/{c}/assistants"),
                    json!({"user_id": m.id()}),
                )
                .await,
            StatusCode::CREATED,
        );
    }
    ok(
        teacher
            .put(
                &format!("/api/v1/courses/{c}/status"),
                json!({"status": "published"}),
            )
            .await,
        StatusCode::OK,
    );
    let mut groups = Vec::new();
    for (name, mentor) in [("Группа А", &mentor_a), ("Группа Б", &mentor_b)] {
        groups.push(ok(
            teacher
                .post(
                    &format!("/api/v1/courses/{c}/groups"),
                    json!({"name": name, "mentor_ids": [mentor.id()]}),
                )
                .await,
            StatusCode::CREATED,
        ));
    }
    let (ga, gb) = (s(&groups[0]["id"]), s(&groups[1]["id"]));
    for (student, g) in [(&s1, &groups[0]), (&s2, &groups[1])] {
        ok(
            student
                .post("/api/v1/courses/join", json!({"code": g["invite_code"]}))
                .await,
            StatusCode::OK,
        );
    }

    // Bad input: a blank title, a group of another mentor, an unknown field,
    // a text over the limit; a student may not post.
    let path = format!("/api/v1/courses/{c}/announcements");
    let bad = teacher.post(&path, json!({"title": " "})).await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(bad.1["error"]["field"], "title");
    let bad = mentor_a
        .post(&path, json!({"title": "Чужим", "group_ids": [gb]}))
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_group");
    let bad = teacher
        .post(&path, json!({"title": "Т", "pinned": true}))
        .await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.1);
    let bad = teacher
        .post(&path, json!({"title": "Т", "body": "я".repeat(50_000)}))
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let bad = s1.post(&path, json!({"title": "Я тоже"})).await;
    assert_error(&bad, StatusCode::FORBIDDEN, "forbidden");

    let to_all = ok(
        teacher
            .post(
                &path,
                json!({"title": "Пробник в субботу", "body": "<p>В 10:00 <img src=x onerror=alert(1)></p>"}),
            )
            .await,
        StatusCode::CREATED,
    );
    assert!(!s(&to_all["body"]).contains("onerror"), "sanitised");
    assert_eq!(to_all["group_ids"], json!([]));
    let to_a = ok(
        mentor_a
            .post(&path, json!({"title": "Группа А: созвон в среду"}))
            .await,
        StatusCode::CREATED,
    );
    assert_eq!(
        to_a["group_ids"],
        json!([ga]),
        "a mentor's default: their groups"
    );

    let list = |who: &common::Session| {
        let (who, path) = (who.clone(), path.clone());
        async move { titles(&ok(who.get(&path).await, StatusCode::OK)) }
    };
    assert_eq!(
        list(&s1).await,
        ["Группа А: созвон в среду", "Пробник в субботу"]
    );
    assert_eq!(list(&s2).await, ["Пробник в субботу"]);
    assert_eq!(list(&mentor_b).await, ["Пробник в субботу"]);
    assert_eq!(list(&teacher).await.len(), 2);
    let limited = ok(s1.get(&format!("{path}?limit=1")).await, StatusCode::OK);
    assert_eq!(titles(&limited), ["Группа А: созвон в среду"]);
    let bad = s1.get(&format!("{path}?limit=lots")).await;
    assert_eq!(bad.0, StatusCode::BAD_REQUEST, "{}", bad.1);

    // The student's dashboard and bell.
    let dashboard = ok(s1.get("/api/v1/dashboard/student").await, StatusCode::OK);
    assert_eq!(dashboard["announcements"][0]["course_title"], "ЕГЭ: физика");
    assert_eq!(
        dashboard["announcements"][0]["announcement"]["id"],
        to_a["id"]
    );
    let inbox = ok(s2.get("/api/v1/notifications/inbox").await, StatusCode::OK);
    let kinds: Vec<_> = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "announcement")
        .collect();
    assert_eq!(kinds.len(), 1, "{inbox}");
    assert_eq!(kinds[0]["link"], format!("/courses/{c}"));

    // Deleting: another mentor does not see the mentor's own.
    let del = mentor_b
        .delete(&format!("/api/v1/announcements/{}", s(&to_a["id"])))
        .await;
    assert_error(&del, StatusCode::NOT_FOUND, "announcement_not_found");
    ok(
        mentor_a
            .delete(&format!("/api/v1/announcements/{}", s(&to_a["id"])))
            .await,
        StatusCode::NO_CONTENT,
    );
    assert_eq!(list(&s1).await, ["Пробник в субботу"]);

    // Homework due yesterday: s1 hands in, s2 does not.
    let assignment = ok(
        teacher
            .post(
                &format!("/api/v1/courses/{c}/assignments"),
                json!({
                    "title": "Кинематика",
                    "instructions": "<p>Задачи 1–5</p>",
                    "opens_at": (chrono::Utc::now() - chrono::Duration::days(3)).to_rfc3339(),
                    "due_at": (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339(),
                    "max_score": 10.0,
                    "submission_kind": "text",
                    "published": true,
                }),
            )
            .await,
        StatusCode::CREATED,
    );
    ok(
        s1.post(
            &format!("/api/v1/assignments/{}/submissions", s(&assignment["id"])),
            json!({"text": "<p>Ответ</p>"}),
        )
        .await,
        StatusCode::CREATED,
    );

    // The staff view of a student: their mentor and the owner; not the other mentor.
    let overview = |who: &common::Session, student: &common::Session| {
        let path = format!("/api/v1/courses/{c}/students/{}/overview", student.id());
        let who = who.clone();
        async move { who.get(&path).await }
    };
    let seen = ok(overview(&mentor_a, &s1).await, StatusCode::OK);
    assert_eq!(seen["group_name"], "Группа А");
    assert_eq!(seen["late"], 1);
    assert_eq!(seen["homework"][0]["status"], "submitted_late");
    assert!(seen["last_activity"].is_string());
    assert_error(
        &overview(&mentor_a, &s2).await,
        StatusCode::NOT_FOUND,
        "student_not_found",
    );
    let s2_seen = ok(overview(&teacher, &s2).await, StatusCode::OK);
    assert_eq!(
        (s2_seen["overdue"].clone(), s2_seen["last_activity"].clone()),
        (json!(1), Value::Null)
    );
    assert_error(
        &overview(&s1, &s1).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );

    // The mentor's dashboard: mentor B's group has s2, overdue and never active.
    let watched = ok(
        mentor_b.get("/api/v1/dashboard/groups").await,
        StatusCode::OK,
    );
    assert_eq!(watched.as_array().unwrap().len(), 1);
    assert_eq!(watched[0]["group_id"], gb);
    assert_eq!(watched[0]["behind"][0]["student_id"], s2.id());
    assert_eq!(watched[0]["behind"][0]["overdue"], 1);
    assert_eq!(watched[0]["behind"][0]["inactive"], true);
    let watched = ok(
        mentor_a.get("/api/v1/dashboard/groups").await,
        StatusCode::OK,
    );
    assert_eq!(watched[0]["behind"], json!([]), "s1 handed in just now");
    let watched = ok(
        teacher.get("/api/v1/dashboard/groups").await,
        StatusCode::OK,
    );
    assert_eq!(watched.as_array().unwrap().len(), 2);
    let bad = teacher
        .get("/api/v1/dashboard/groups?inactive_days=-1")
        .await;
    assert_eq!(bad.0, StatusCode::BAD_REQUEST, "{}", bad.1);
    assert_error(
        &s1.get("/api/v1/dashboard/groups").await,
        StatusCode::FORBIDDEN,
        "not_staff",
    );
}

on_both!(announcements_reach_their_groups);
