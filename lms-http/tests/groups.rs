//! Groups and mentors through HTTP, on SQLite and PostgreSQL: the owner
//! builds groups, students join by a group's code, a mentor sees and grades
//! only their group, the owner narrows lists to one group.

mod common;

use common::{Db, Session, TestApp, assert_error};
use lms_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

async fn ok(got: (StatusCode, Value), status: StatusCode) -> Value {
    assert_eq!(got.0, status, "{}", got.1);
    got.1
}

fn students(list: &Value, key: &str) -> Vec<String> {
    let mut ids: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|item| s(&item[key]))
        .collect();
    ids.sort();
    ids
}

async fn a_course_runs_in_groups_with_mentors(db: Db) {
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
    )
    .await;
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
        )
        .await;
    }
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

    // Bad input: a blank name, a mentor who is not an assistant here,
    // an unknown field.
    let bad = teacher
        .post(
            &format!("/api/v1/courses/{c}/groups"),
            json!({"name": "  "}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(bad.1["error"]["field"], "name");
    let bad = teacher
        .post(
            &format!("/api/v1/courses/{c}/groups"),
            json!({"name": "В", "mentor_ids": [s1.id()]}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_mentor");
    let bad = teacher
        .post(
            &format!("/api/v1/courses/{c}/groups"),
            json!({"name": "В", "colour": "red"}),
        )
        .await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.1);

    let group = |name: &str, mentor: &Session| {
        let teacher = teacher.clone();
        let (name, mentor, c) = (name.to_owned(), mentor.id(), c.clone());
        async move {
            ok(
                teacher
                    .post(
                        &format!("/api/v1/courses/{c}/groups"),
                        json!({"name": name, "mentor_ids": [mentor]}),
                    )
                    .await,
                StatusCode::CREATED,
            )
            .await
        }
    };
    let a = group("Группа А", &mentor_a).await;
    let b = group("Группа Б", &mentor_b).await;
    assert_eq!(a["mentors"], json!([mentor_a.id()]));
    let (ga, gb) = (s(&a["id"]), s(&b["id"]));

    // Students join by their group's code.
    for (student, g) in [(&s1, &a), (&s2, &b)] {
        ok(
            student
                .post("/api/v1/courses/join", json!({"code": g["invite_code"]}))
                .await,
            StatusCode::OK,
        )
        .await;
    }
    let members = ok(
        mentor_a
            .get(&format!("/api/v1/courses/{c}/group-members"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(members, json!([{"student_id": s1.id(), "group_id": ga}]));
    let groups = ok(
        mentor_a.get(&format!("/api/v1/courses/{c}/groups")).await,
        StatusCode::OK,
    )
    .await;
    assert!(groups[0]["invite_code"].is_string(), "{groups}");
    assert!(
        groups[1]["invite_code"].is_null(),
        "another group's code stays the owner's: {groups}"
    );

    // Both hand in; each mentor sees their own group's work only.
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
    let aid = s(&assignment["id"]);
    let mut subs = Vec::new();
    for student in [&s1, &s2] {
        let handed = ok(
            student
                .post(
                    &format!("/api/v1/assignments/{aid}/submissions"),
                    json!({"text": "<p>Ответ</p>"}),
                )
                .await,
            StatusCode::CREATED,
        )
        .await;
        subs.push(s(&handed["submission"]["id"]));
    }
    let queue = |who: &Session, query: &str| {
        let (who, path) = (who.clone(), format!("/api/v1/grading-queue?{query}"));
        async move {
            let list = ok(who.get(&path).await, StatusCode::OK).await;
            list.as_array()
                .unwrap()
                .iter()
                .map(|p| s(&p["submission"]["student_id"]))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        queue(&mentor_a, &format!("course_id={c}")).await,
        vec![s1.id()]
    );
    assert_eq!(queue(&mentor_b, "").await, vec![s2.id()]);
    assert_eq!(
        queue(&teacher, &format!("course_id={c}&group_id={gb}")).await,
        vec![s2.id()]
    );
    assert_eq!(queue(&teacher, &format!("course_id={c}")).await.len(), 2);
    let listed = ok(
        mentor_b
            .get(&format!("/api/v1/assignments/{aid}/submissions"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(students(&listed, "student_id"), vec![s2.id()]);

    // Another group's submission is not found for a mentor, their own is.
    let got = mentor_a
        .get(&format!("/api/v1/submissions/{}", subs[1]))
        .await;
    assert_error(&got, StatusCode::NOT_FOUND, "submission_not_found");
    let grade = json!({"raw_score": 8, "feedback": "<p>Хорошо</p>", "expected_version": 1});
    let got = mentor_a
        .post(
            &format!("/api/v1/submissions/{}/grade", subs[1]),
            grade.clone(),
        )
        .await;
    assert_eq!(got.0, StatusCode::NOT_FOUND, "{}", got.1);
    ok(
        mentor_a
            .post(&format!("/api/v1/submissions/{}/grade", subs[0]), grade)
            .await,
        StatusCode::OK,
    )
    .await;

    // The thread of a submission: the student asks, their mentor answers,
    // the other mentor does not see it, the answer rings the student's bell.
    let thread = format!("/api/v1/submissions/{}/comments", subs[0]);
    ok(
        s1.post(
            &thread,
            json!({"body": "<p>Где ошибка?</p><script>x()</script>"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // A scan attached to a message: the student's draft becomes the
    // submission's file, read by their mentor and not by the other one.
    let scan = ok(
        s1.upload("скан.pdf", b"%PDF-1.4 scan").await,
        StatusCode::CREATED,
    )
    .await;
    let not_mine = ok(
        s2.upload("чужой.pdf", b"%PDF-1.4 other").await,
        StatusCode::CREATED,
    )
    .await;
    let got = s1
        .post(&thread, json!({"body": "", "file_ids": [not_mine["id"]]}))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(got.1["error"]["field"], "file_ids");
    let with_scan = ok(
        s1.post(&thread, json!({"body": "", "file_ids": [scan["id"]]}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(with_scan["files"][0]["id"], scan["id"]);
    let file = format!("/api/v1/files/{}", s(&scan["id"]));
    let got = mentor_a.download(&file).await;
    assert_eq!(
        (got.0, got.1.as_slice()),
        (StatusCode::OK, &b"%PDF-1.4 scan"[..])
    );
    assert_eq!(mentor_b.download(&file).await.0, StatusCode::NOT_FOUND);
    assert_eq!(s2.download(&file).await.0, StatusCode::NOT_FOUND);
    let seen = ok(mentor_a.get(&thread).await, StatusCode::OK).await;
    assert_eq!(seen["unread"], 2, "{seen}");
    assert_eq!(seen["comments"][0]["body"], "<p>Где ошибка?</p>");
    assert_eq!(seen["comments"][1]["files"][0]["name"], "скан.pdf");
    assert_error(
        &mentor_b.get(&thread).await,
        StatusCode::NOT_FOUND,
        "submission_not_found",
    );
    let got = mentor_a.post(&thread, json!({"body": "<p> </p>"})).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "empty_comment");
    let got = mentor_a
        .post(&thread, json!({"body": "я".repeat(50_000)}))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    ok(
        mentor_a
            .call(Method::POST, &format!("{thread}/read"), None)
            .await,
        StatusCode::NO_CONTENT,
    )
    .await;
    let seen = ok(mentor_a.get(&thread).await, StatusCode::OK).await;
    assert_eq!(seen["unread"], 0, "{seen}");
    ok(
        mentor_a
            .post(&thread, json!({"body": "<p>Посмотри знак в строке 3.</p>"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let bell = ok(s1.get("/api/v1/notifications/inbox").await, StatusCode::OK).await;
    let answer = bell
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "submission_comment")
        .unwrap_or_else(|| panic!("no answer in the bell: {bell}"));
    assert_eq!(answer["link"], format!("/assignments/{aid}"));
    assert_eq!(
        answer["notification"]["author_name"],
        mentor_a.user.display_name.as_str()
    );

    // Gradebook and students list: a mentor's rows, the owner's group.
    let book = ok(
        mentor_b
            .get(&format!("/api/v1/courses/{c}/gradebook"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(students(&book["rows"], "student_id"), vec![s2.id()]);
    let book = ok(
        teacher
            .get(&format!("/api/v1/courses/{c}/gradebook?group_id={ga}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(students(&book["rows"], "student_id"), vec![s1.id()]);
    let listed = ok(
        mentor_a.get(&format!("/api/v1/courses/{c}/students")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");

    // The owner moves a student; the move is in the history; only the
    // owner moves, and only into a group of this course.
    let moved = ok(
        teacher
            .put(
                &format!("/api/v1/courses/{c}/students/{}/group", s2.id()),
                json!({"group_id": ga}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved["group_id"], json!(ga));
    let history = ok(
        mentor_a
            .get(&format!(
                "/api/v1/courses/{c}/students/{}/group-history",
                s2.id()
            ))
            .await,
        StatusCode::OK,
    )
    .await;
    let steps: Vec<_> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["from_group"].clone(), m["to_group"].clone()))
        .collect();
    assert_eq!(
        steps,
        vec![(Value::Null, json!(gb)), (json!(gb), json!(ga))]
    );
    let got = mentor_a
        .put(
            &format!("/api/v1/courses/{c}/students/{}/group", s1.id()),
            json!({"group_id": gb}),
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    let got = teacher
        .put(
            &format!("/api/v1/courses/{c}/students/{}/group", teacher.id()),
            json!({"group_id": ga}),
        )
        .await;
    assert_error(&got, StatusCode::NOT_FOUND, "student_not_enrolled");

    // Rename, rotate the code, archive: the old and archived codes stop working.
    let renamed = ok(
        teacher
            .call(
                Method::PATCH,
                &format!("/api/v1/groups/{gb}"),
                Some(json!({"name": "Группа Б (вечер)"})),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(renamed["name"], "Группа Б (вечер)");
    let rotated = ok(
        teacher
            .post(&format!("/api/v1/groups/{gb}/invite-code"), json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_ne!(rotated["invite_code"], b["invite_code"]);
    let late = app.login_as(Role::Student, "s3@example.ru").await;
    let got = late
        .post("/api/v1/courses/join", json!({"code": b["invite_code"]}))
        .await;
    assert_error(&got, StatusCode::NOT_FOUND, "invalid_invite_code");
    ok(
        teacher
            .call(
                Method::PATCH,
                &format!("/api/v1/groups/{gb}"),
                Some(json!({"archived": true})),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let got = late
        .post(
            "/api/v1/courses/join",
            json!({"code": rotated["invite_code"]}),
        )
        .await;
    assert_error(&got, StatusCode::NOT_FOUND, "invalid_invite_code");
    let got = teacher
        .put(
            &format!("/api/v1/courses/{c}/students/{}/group", s1.id()),
            json!({"group_id": gb}),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "group_archived");
}

on_both!(a_course_runs_in_groups_with_mentors);
