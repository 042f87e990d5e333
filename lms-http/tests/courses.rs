//! Courses, invite codes, enrolment, assistants and lessons through HTTP.

mod common;

use common::{Db, Session, TestApp, assert_error};
use lms_core::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Creates a course as `teacher` and returns its JSON.
async fn course(teacher: &Session, title: &str) -> Value {
    let (status, body) = teacher
        .post(
            "/api/v1/courses",
            json!({"title": title, "description": "<p>Описание</p>"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// Creates and publishes a course; returns its id and invite code.
async fn published(teacher: &Session, title: &str) -> (String, String) {
    let c = course(teacher, title).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let (status, body) = teacher
        .put(
            &format!("/api/v1/courses/{id}/status"),
            json!({"status": "published"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (id, c["invite_code"].as_str().unwrap().to_owned())
}

async fn teachers_create_edit_and_publish_courses(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let other = app.login_as(Role::Teacher, "t2@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;

    let (status, created) = teacher
        .post(
            "/api/v1/courses",
            json!({
                "title": "  Алгебра, 9 класс ",
                "description": "<p>Уравнения</p><script>alert(1)</script><img src=x onerror=alert(2)>"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["title"], "Алгебра, 9 класс");
    assert_eq!(created["status"], "draft");
    assert_eq!(created["owner_id"], teacher.id());
    assert_eq!(created["invite_code"].as_str().unwrap().len(), 8);
    let id = created["id"].as_str().unwrap();

    // The description comes back sanitised.
    let (status, got) = teacher.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["role"], "owner");
    let description = got["course"]["description"].as_str().unwrap();
    assert!(description.contains("<p>Уравнения</p>"), "{description}");
    assert!(!description.contains("script"), "{description}");
    assert!(!description.contains("onerror"), "{description}");

    // Validation names the field; unknown fields are refused.
    let bad = teacher
        .post("/api/v1/courses", json!({"title": "   "}))
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(bad.1["error"]["field"], "title");
    let bad = teacher
        .post("/api/v1/courses", json!({"title": "X", "colour": "red"}))
        .await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.1);
    // A teacher cannot create a course for someone else; students none at all.
    let bad = teacher
        .post(
            "/api/v1/courses",
            json!({"title": "Чужой", "owner_id": other.id()}),
        )
        .await;
    assert_error(&bad, StatusCode::FORBIDDEN, "forbidden");
    let bad = student
        .post("/api/v1/courses", json!({"title": "Мой курс"}))
        .await;
    assert_error(&bad, StatusCode::FORBIDDEN, "forbidden");

    // Edit; the change is visible on GET.
    let (status, updated) = teacher
        .put(
            &format!("/api/v1/courses/{id}"),
            json!({"title": "Алгебра", "description": "<h2>Новое</h2>"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let (_, got) = teacher.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(got["course"]["title"], "Алгебра");
    assert_eq!(got["course"]["description"], "<h2>Новое</h2>");
    let bad = teacher
        .put(
            &format!("/api/v1/courses/{id}"),
            json!({"title": "я".repeat(201)}),
        )
        .await;
    assert_eq!(bad.1["error"]["field"], "title", "{}", bad.1);

    // Another teacher does not see a course they are not part of.
    let r = other.get(&format!("/api/v1/courses/{id}")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
    let r = other
        .put(&format!("/api/v1/courses/{id}"), json!({"title": "Моё"}))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
    let r = other
        .put(
            &format!("/api/v1/courses/{id}/status"),
            json!({"status": "published"}),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
    let r = teacher
        .get("/api/v1/courses/00000000-0000-0000-0000-000000000000")
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
    let r = teacher.get("/api/v1/courses/not-a-uuid").await;
    assert_eq!(r.0, StatusCode::NOT_FOUND);

    // Lifecycle.
    let bad = teacher
        .put(
            &format!("/api/v1/courses/{id}/status"),
            json!({"status": "closed"}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(bad.1["error"]["field"], "status");
    let bad = teacher
        .put(
            &format!("/api/v1/courses/{id}/status"),
            json!({"status": "archived"}),
        )
        .await;
    assert_error(&bad, StatusCode::CONFLICT, "invalid_status_transition");
    for status in ["published", "archived"] {
        let (code, body) = teacher
            .put(
                &format!("/api/v1/courses/{id}/status"),
                json!({"status": status}),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
        assert_eq!(body["status"], status);
    }
    // Archived courses are frozen.
    let r = teacher
        .put(&format!("/api/v1/courses/{id}"), json!({"title": "Снова"}))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "course_archived");

    // My courses: the owner sees it, the other teacher does not.
    let (status, mine) = teacher.get("/api/v1/courses").await;
    assert_eq!(status, StatusCode::OK);
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["course"]["id"], id);
    assert_eq!(mine[0]["course"]["status"], "archived");
    assert_eq!(mine[0]["role"], "owner");
    let (_, theirs) = other.get("/api/v1/courses?limit=10&offset=0").await;
    assert_eq!(theirs, json!([]));

    // An admin may create a course for an active teacher, not for a student,
    // and sees every course without a role.
    let admin = app.login_as(Role::Admin, "admin@example.ru").await;
    let (status, made) = admin
        .post(
            "/api/v1/courses",
            json!({"title": "Для коллеги", "owner_id": other.id()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["owner_id"], other.id());
    let (_, theirs) = other.get("/api/v1/courses").await;
    assert_eq!(theirs[0]["course"]["id"], made["id"]);
    let bad = admin
        .post(
            "/api/v1/courses",
            json!({"title": "Нет", "owner_id": student.id()}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_owner");
    assert_eq!(bad.1["error"]["field"], "owner_id");
    let (_, all) = admin.get("/api/v1/courses").await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[0]["role"], Value::Null);
}

async fn students_join_with_the_current_invite_code_only(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let s1 = app.login_as(Role::Student, "s1@example.ru").await;
    let s2 = app.login_as(Role::Student, "s2@example.ru").await;
    let s3 = app.login_as(Role::Student, "s3@example.ru").await;

    // A draft cannot be joined even with its code.
    let draft = course(&teacher, "Черновик").await;
    let r = s1
        .post(
            "/api/v1/courses/join",
            json!({"code": draft["invite_code"]}),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "invalid_invite_code");

    let (id, code) = published(&teacher, "Физика").await;
    // Case, spaces and dashes do not matter.
    let typed = format!(
        " {}-{} ",
        code[..4].to_lowercase(),
        code[4..].to_lowercase()
    );
    let (status, joined) = s1
        .post("/api/v1/courses/join", json!({"code": typed}))
        .await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    assert_eq!(joined["id"], id);
    assert_eq!(
        joined["invite_code"],
        Value::Null,
        "students never see the code"
    );
    let (_, mine) = s1.get("/api/v1/courses").await;
    assert_eq!(mine[0]["course"]["id"], id);
    assert_eq!(mine[0]["role"], "student");
    assert_eq!(mine[0]["course"]["invite_code"], Value::Null);

    let r = s1.post("/api/v1/courses/join", json!({"code": code})).await;
    assert_error(&r, StatusCode::CONFLICT, "already_enrolled");
    let r = s2
        .post("/api/v1/courses/join", json!({"code": "ABCDEFGH"}))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "invalid_invite_code");
    let r = s2
        .post("/api/v1/courses/join", json!({"code": "0O1"}))
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(r.1["error"]["field"], "code");
    let r = teacher
        .post("/api/v1/courses/join", json!({"code": code}))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");

    // Disabled: the code stops working until rotated.
    let r = s2
        .delete(&format!("/api/v1/courses/{id}/invite-code"))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
    let r = s1
        .delete(&format!("/api/v1/courses/{id}/invite-code"))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = teacher
        .delete(&format!("/api/v1/courses/{id}/invite-code"))
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let (_, got) = teacher.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(got["course"]["invite_code"], Value::Null);
    let r = s2.post("/api/v1/courses/join", json!({"code": code})).await;
    assert_error(&r, StatusCode::NOT_FOUND, "invalid_invite_code");

    // Rotated: the new code works, the old one does not.
    let r = s1
        .post(&format!("/api/v1/courses/{id}/invite-code"), json!({}))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let (status, rotated) = teacher
        .post(&format!("/api/v1/courses/{id}/invite-code"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new_code = rotated["invite_code"].as_str().unwrap();
    assert_ne!(new_code, code);
    let (_, got) = teacher.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(got["course"]["invite_code"], new_code);
    let r = s2.post("/api/v1/courses/join", json!({"code": code})).await;
    assert_error(&r, StatusCode::NOT_FOUND, "invalid_invite_code");
    let (status, _) = s2
        .post("/api/v1/courses/join", json!({"code": new_code}))
        .await;
    assert_eq!(status, StatusCode::OK);

    // With students enrolled the course cannot go back to draft.
    let r = teacher
        .put(
            &format!("/api/v1/courses/{id}/status"),
            json!({"status": "draft"}),
        )
        .await;
    assert_error(&r, StatusCode::CONFLICT, "students_enrolled");

    // A student who is not enrolled does not see the course.
    let r = s3.get(&format!("/api/v1/courses/{id}")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
}

async fn staff_manage_students_and_assistants(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let other = app.login_as(Role::Teacher, "t2@example.ru").await;
    let assistant = app.login_as(Role::Assistant, "a@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let outsider = app.login_as(Role::Student, "x@example.ru").await;
    let admin = app.login_as(Role::Admin, "admin@example.ru").await;
    let id = course(&teacher, "Химия").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let students = format!("/api/v1/courses/{id}/students");
    let assistants = format!("/api/v1/courses/{id}/assistants");

    // Enrol in a draft; the student does not see a draft course.
    let (status, enrolled) = teacher
        .post(&students, json!({"student_id": student.id()}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{enrolled}");
    assert_eq!(enrolled["student_id"], student.id());
    assert_eq!(enrolled["source"], "staff");
    let r = student.get(&format!("/api/v1/courses/{id}")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
    let r = student.get(&format!("/api/v1/courses/{id}/lessons")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");

    let r = teacher
        .post(&students, json!({"student_id": student.id()}))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "already_enrolled");
    let r = teacher
        .post(&students, json!({"student_id": other.id()}))
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "not_a_student");
    assert_eq!(r.1["error"]["field"], "student_id");
    let r = teacher
        .post(
            &students,
            json!({"student_id": "00000000-0000-0000-0000-000000000000"}),
        )
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "user_not_found");
    let r = teacher.post(&students, json!({"student_id": "nope"})).await;
    assert_eq!(r.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.1);
    assert_eq!(r.1["error"]["field"], "student_id");

    // Assistants.
    let (status, added) = teacher
        .post(&assistants, json!({"user_id": assistant.id()}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["id"], assistant.id());
    let r = teacher
        .post(&assistants, json!({"user_id": assistant.id()}))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "already_assistant");
    let r = teacher
        .post(&assistants, json!({"user_id": teacher.id()}))
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "owner_cannot_assist");
    assert_eq!(r.1["error"]["field"], "user_id");
    let r = teacher
        .post(&assistants, json!({"user_id": outsider.id()}))
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "not_staff");
    let (_, list) = teacher.get(&assistants).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["email"], "a@example.ru");

    // The assistant sees the students but manages nothing.
    let (status, list) = assistant.get(&students).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["user"]["id"], student.id());
    assert_eq!(list[0]["source"], "staff");
    let r = assistant
        .post(&students, json!({"student_id": outsider.id()}))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = assistant
        .delete(&format!("{students}/{}", student.id()))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = assistant.get(&assistants).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = assistant
        .post(&assistants, json!({"user_id": other.id()}))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");

    // Another teacher and a student outside the course see nothing;
    // a student of the published course sees it but not its roster.
    for s in [&other, &outsider] {
        let r = s.get(&students).await;
        assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
        let r = s
            .post(&students, json!({"student_id": outsider.id()}))
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
    }
    teacher
        .put(
            &format!("/api/v1/courses/{id}/status"),
            json!({"status": "published"}),
        )
        .await;
    let r = student.get(&students).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = student
        .delete(&format!("{students}/{}", student.id()))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");

    // An admin manages any course.
    let (status, _) = admin
        .post(&students, json!({"student_id": outsider.id()}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = teacher.get(&format!("{students}?limit=1")).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "pagination");
    let (_, list) = teacher.get(&students).await;
    assert_eq!(list.as_array().unwrap().len(), 2);

    // Removal, visible on GET; a second removal is 404.
    let r = teacher
        .delete(&format!("{students}/{}", outsider.id()))
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let r = teacher
        .delete(&format!("{students}/{}", outsider.id()))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_enrolled");
    let (_, list) = teacher.get(&students).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let r = outsider.get(&format!("/api/v1/courses/{id}")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");

    let r = teacher
        .delete(&format!("{assistants}/{}", assistant.id()))
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let r = teacher
        .delete(&format!("{assistants}/{}", assistant.id()))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_assistant");
    let r = assistant.get(&students).await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
}

async fn lessons_are_sanitised_ordered_and_shown_when_due(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let other = app.login_as(Role::Teacher, "t2@example.ru").await;
    let assistant = app.login_as(Role::Assistant, "a@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let outsider = app.login_as(Role::Student, "x@example.ru").await;
    let (id, code) = published(&teacher, "История").await;
    teacher
        .post(
            &format!("/api/v1/courses/{id}/assistants"),
            json!({"user_id": assistant.id()}),
        )
        .await;
    student
        .post("/api/v1/courses/join", json!({"code": code}))
        .await;
    let lessons = format!("/api/v1/courses/{id}/lessons");

    let mut ids = Vec::new();
    for (i, title) in ["Первый", "Второй", "Третий"].into_iter().enumerate() {
        let (status, lesson) = teacher
            .post(
                &lessons,
                json!({
                    "title": title,
                    "body": format!("<p>Урок {i}</p><script>steal()</script><a href=\"javascript:x()\">ссылка</a>"),
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{lesson}");
        assert_eq!(lesson["position"], i);
        ids.push(lesson["id"].as_str().unwrap().to_owned());
    }
    // A lesson for later: hidden from students until its date.
    let (status, later) = teacher
        .post(
            &lessons,
            json!({"title": "Потом", "body": "<p>Скоро</p>", "publish_at": "2999-01-01T09:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{later}");
    let later_id = later["id"].as_str().unwrap().to_owned();

    // The body is sanitised on read-back, for staff and students alike.
    for who in [&teacher, &student] {
        let (status, got) = who.get(&format!("/api/v1/lessons/{}", ids[0])).await;
        assert_eq!(status, StatusCode::OK, "{got}");
        let body = got["body"].as_str().unwrap();
        assert!(body.contains("<p>Урок 0</p>"), "{body}");
        assert!(
            !body.contains("script") && !body.contains("steal"),
            "{body}"
        );
        assert!(!body.contains("javascript"), "{body}");
    }

    // Validation.
    let bad = teacher.post(&lessons, json!({"title": ""})).await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(bad.1["error"]["field"], "title");
    let bad = teacher
        .post(&lessons, json!({"title": "X", "publish_at": "завтра"}))
        .await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.1);
    assert_eq!(bad.1["error"]["field"], "publish_at");

    // Reorder; the order is visible on GET.
    let order = [&ids[2], &ids[0], &later_id, &ids[1]];
    let (status, reordered) = teacher
        .put(&format!("{lessons}/order"), json!({"lesson_ids": order}))
        .await;
    assert_eq!(status, StatusCode::OK, "{reordered}");
    let (_, listed) = teacher.get(&lessons).await;
    let listed_ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed_ids, order.map(String::as_str));
    assert_eq!(listed[3]["position"], 3);
    let bad = teacher
        .put(
            &format!("{lessons}/order"),
            json!({"lesson_ids": [&ids[0], &ids[1]]}),
        )
        .await;
    assert_error(
        &bad,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_lesson_order",
    );
    assert_eq!(bad.1["error"]["field"], "lesson_ids");
    for (who, status, code) in [
        (&assistant, StatusCode::FORBIDDEN, "forbidden"),
        (&student, StatusCode::FORBIDDEN, "forbidden"),
        (&other, StatusCode::NOT_FOUND, "course_not_found"),
    ] {
        let r = who
            .put(&format!("{lessons}/order"), json!({"lesson_ids": order}))
            .await;
        assert_error(&r, status, code);
    }

    // Students see published lessons only; staff see all.
    let (_, seen) = student.get(&lessons).await;
    let seen: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(seen, [&ids[2], &ids[0], &ids[1]].map(String::as_str));
    let r = student.get(&format!("/api/v1/lessons/{later_id}")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "lesson_not_found");
    let (status, _) = assistant.get(&format!("/api/v1/lessons/{later_id}")).await;
    assert_eq!(status, StatusCode::OK);
    for who in [&outsider, &other] {
        let r = who.get(&format!("/api/v1/lessons/{}", ids[0])).await;
        assert_error(&r, StatusCode::NOT_FOUND, "lesson_not_found");
        let r = who.get(&lessons).await;
        assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
    }

    // Edit: only the owner (or an admin).
    let path = format!("/api/v1/lessons/{}", ids[1]);
    let (status, edited) = teacher
        .put(
            &path,
            json!({"title": "Второй (новый)", "body": "<ul><li>пункт</li></ul><iframe src=x></iframe>"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let (_, got) = student.get(&path).await;
    assert_eq!(got["title"], "Второй (новый)");
    assert_eq!(got["body"], "<ul><li>пункт</li></ul>");
    let r = teacher.put(&path, json!({"title": " "})).await;
    assert_eq!(r.1["error"]["field"], "title", "{}", r.1);
    let r = assistant.put(&path, json!({"title": "Моё"})).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = student.put(&path, json!({"title": "Моё"})).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = student
        .put(
            &format!("/api/v1/lessons/{later_id}"),
            json!({"title": "Моё"}),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "lesson_not_found");
    let r = other.put(&path, json!({"title": "Моё"})).await;
    assert_error(&r, StatusCode::NOT_FOUND, "lesson_not_found");
    let r = teacher
        .put(
            "/api/v1/lessons/00000000-0000-0000-0000-000000000000",
            json!({"title": "Нет"}),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "lesson_not_found");

    // Delete: the rest close up.
    let r = student.delete(&path).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = teacher.delete(&format!("/api/v1/lessons/{}", ids[2])).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let r = teacher.get(&format!("/api/v1/lessons/{}", ids[2])).await;
    assert_error(&r, StatusCode::NOT_FOUND, "lesson_not_found");
    let (_, listed) = teacher.get(&lessons).await;
    let positions: Vec<(&str, u64)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["id"].as_str().unwrap(), l["position"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        positions,
        vec![
            (ids[0].as_str(), 0),
            (later_id.as_str(), 1),
            (ids[1].as_str(), 2)
        ]
    );

    // Archived: lessons are frozen.
    teacher
        .put(
            &format!("/api/v1/courses/{id}/status"),
            json!({"status": "archived"}),
        )
        .await;
    let r = teacher.post(&lessons, json!({"title": "Ещё"})).await;
    assert_error(&r, StatusCode::CONFLICT, "course_archived");
    let r = teacher.put(&path, json!({"title": "Ещё"})).await;
    assert_error(&r, StatusCode::CONFLICT, "course_archived");
}

/// Ids of the lessons in a list response.
fn lesson_ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect()
}

/// Titles of the lesson events in a schedule response.
fn lesson_events(schedule: &Value) -> Vec<&str> {
    schedule["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"]["kind"] == "lesson")
        .map(|e| e["title"].as_str().unwrap())
        .collect()
}

async fn draft_lessons_are_for_staff_until_published(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let assistant = app.login_as(Role::Assistant, "a@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let (id, code) = published(&teacher, "Физика").await;
    teacher
        .post(
            &format!("/api/v1/courses/{id}/assistants"),
            json!({"user_id": assistant.id()}),
        )
        .await;
    student
        .post("/api/v1/courses/join", json!({"code": code}))
        .await;
    let lessons = format!("/api/v1/courses/{id}/lessons");

    // Without `published` a lesson is published, as before drafts existed.
    let (status, open) = teacher.post(&lessons, json!({"title": "Открытый"})).await;
    assert_eq!(status, StatusCode::CREATED, "{open}");
    assert_eq!(open["published"], true);
    let open_id = open["id"].as_str().unwrap().to_owned();
    // A draft dated in the past: only the draft state hides it.
    let (status, draft) = teacher
        .post(
            &lessons,
            json!({"title": "Черновик", "publish_at": "2020-01-01T09:00:00Z", "published": false}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["published"], false);
    let draft_id = draft["id"].as_str().unwrap().to_owned();
    let draft_path = format!("/api/v1/lessons/{draft_id}");
    let schedule = "/api/v1/schedule?from=2019-12-25T00:00:00Z&to=2020-01-10T00:00:00Z";
    let progress = async || {
        let (status, d) = student.get("/api/v1/dashboard/student").await;
        assert_eq!(status, StatusCode::OK, "{d}");
        d["courses"][0]["progress"]["lessons_total"].clone()
    };

    // Students: not listed, not by id, not in the schedule or progress.
    let (_, seen) = student.get(&lessons).await;
    assert_eq!(lesson_ids(&seen), [open_id.as_str()]);
    let r = student.get(&draft_path).await;
    assert_error(&r, StatusCode::NOT_FOUND, "lesson_not_found");
    let r = student.put(&draft_path, json!({"title": "Моё"})).await;
    assert_error(&r, StatusCode::NOT_FOUND, "lesson_not_found");
    let (_, events) = student.get(schedule).await;
    assert!(lesson_events(&events).is_empty(), "{events}");
    assert_eq!(progress().await, 1, "the draft is not counted");

    // Staff: listed, readable, in the owner's schedule.
    for who in [&teacher, &assistant] {
        let (_, all) = who.get(&lessons).await;
        assert_eq!(lesson_ids(&all), [open_id.as_str(), draft_id.as_str()]);
        let (status, got) = who.get(&draft_path).await;
        assert_eq!(status, StatusCode::OK, "{got}");
        assert_eq!(got["published"], false);
    }
    let (_, events) = teacher.get(schedule).await;
    assert_eq!(lesson_events(&events), ["Черновик"]);

    // An update without `published` keeps the draft a draft.
    let (status, edited) = teacher
        .put(
            &draft_path,
            json!({"title": "Черновик 2", "publish_at": "2020-01-01T09:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["published"], false);
    assert_error(
        &student.get(&draft_path).await,
        StatusCode::NOT_FOUND,
        "lesson_not_found",
    );
    // Assistants check homework; they do not publish lessons.
    let r = assistant
        .put(
            &draft_path,
            json!({"title": "Черновик 2", "published": true}),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");

    // Publishing shows it to students everywhere.
    let (status, published_now) = teacher
        .put(
            &draft_path,
            json!({"title": "Урок 2", "publish_at": "2020-01-01T09:00:00Z", "published": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{published_now}");
    assert_eq!(published_now["published"], true);
    let (_, seen) = student.get(&lessons).await;
    assert_eq!(lesson_ids(&seen), [open_id.as_str(), draft_id.as_str()]);
    let (status, got) = student.get(&draft_path).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["title"], "Урок 2");
    let (_, events) = student.get(schedule).await;
    assert_eq!(lesson_events(&events), ["Урок 2"]);
    assert_eq!(progress().await, 2);

    // And taking it back hides it again.
    let (status, _) = teacher
        .put(&draft_path, json!({"title": "Урок 2", "published": false}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, seen) = student.get(&lessons).await;
    assert_eq!(lesson_ids(&seen), [open_id.as_str()]);
    assert_eq!(progress().await, 1);
}

/// A student's progress marks the lessons they opened and names the one to
/// continue with; staff have none.
async fn students_continue_where_they_stopped(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let (id, code) = published(&teacher, "Химия").await;
    student
        .post("/api/v1/courses/join", json!({"code": code}))
        .await;
    let lessons = format!("/api/v1/courses/{id}/lessons");
    let mut ids = Vec::new();
    for title in ["Атомы", "Молекулы", "Реакции"] {
        let (status, l) = teacher.post(&lessons, json!({"title": title})).await;
        assert_eq!(status, StatusCode::CREATED, "{l}");
        ids.push(l["id"].as_str().unwrap().to_owned());
    }
    let path = format!("/api/v1/courses/{id}/my-progress");
    let (status, p) = student.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["next_lesson_id"], ids[0].as_str());
    assert_eq!(p["lessons_viewed"], 0);

    // Opening the first lesson moves "continue" to the second.
    let (status, _) = student.get(&format!("/api/v1/lessons/{}", ids[0])).await;
    assert_eq!(status, StatusCode::OK);
    let (_, p) = student.get(&path).await;
    assert_eq!(p["next_lesson_id"], ids[1].as_str());
    assert_eq!(
        (p["lessons_total"].clone(), p["lessons_viewed"].clone()),
        (json!(3), json!(1))
    );
    let viewed: Vec<bool> = p["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["viewed"].as_bool().unwrap())
        .collect();
    assert_eq!(viewed, [true, false, false]);
    assert_eq!(p["lessons"][0]["title"], "Атомы");

    let r = teacher.get(&path).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
}

async fn course_covers_are_set_by_their_managers_and_seen_everywhere(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let other = app.login_as(Role::Teacher, "t2@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let (id, code) = published(&teacher, "Физика, 8 класс").await;
    let path = format!("/api/v1/courses/{id}/cover");

    let (_, got) = teacher.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(got["course"]["cover"], Value::Null, "no cover at first");

    let (status, set) = teacher.put(&path, json!({"cover": "physics"})).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["cover"], "physics");
    assert_eq!(set["title"], "Физика, 8 класс", "nothing else changes");

    // The student who joins sees it on the course, in the list and on the dashboard.
    let (status, joined) = student
        .post("/api/v1/courses/join", json!({"code": code}))
        .await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    let (_, got) = student.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(got["course"]["cover"], "physics");
    let (_, list) = student.get("/api/v1/courses").await;
    assert_eq!(list[0]["course"]["cover"], "physics", "{list}");
    let (_, d) = student.get("/api/v1/dashboard/student").await;
    assert_eq!(d["courses"][0]["course_id"], id.as_str());

    // Unknown themes are refused with the field named; the cover stays.
    let bad = teacher.put(&path, json!({"cover": "Physics"})).await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.1);
    assert_eq!(bad.1["error"]["field"], "cover", "{}", bad.1);
    let bad = teacher
        .put(&path, json!({"cover": "x".repeat(10_000)}))
        .await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.1);

    // Only the course's managers.
    let r = student.put(&path, json!({"cover": "art"})).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = other.put(&path, json!({"cover": "art"})).await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
    let (_, got) = teacher.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(got["course"]["cover"], "physics");

    // null goes back to the theme the UI picks from the title.
    let (status, cleared) = teacher.put(&path, json!({"cover": null})).await;
    assert_eq!(status, StatusCode::OK, "{cleared}");
    assert_eq!(cleared["cover"], Value::Null);
}

async fn staff_look_up_member_names_whatever_the_course_size(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let s1 = app.login_as(Role::Student, "s1@example.ru").await;
    let s2 = app.login_as(Role::Student, "s2@example.ru").await;
    let stranger = app.login_as(Role::Student, "x@example.ru").await;
    let (id, code) = published(&teacher, "Химия").await;
    for s in [&s1, &s2] {
        let (status, body) = s.post("/api/v1/courses/join", json!({"code": code})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let path = format!("/api/v1/courses/{id}/member-names");
    let (status, names) = teacher
        .post(
            &path,
            json!({"user_ids": [s2.id(), stranger.id(), teacher.id(), s1.id()]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{names}");
    let got: Vec<_> = names
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["user_id"].clone(), n["display_name"].clone()))
        .collect();
    assert_eq!(
        got,
        [
            (json!(s2.id()), json!(s2.user.display_name.as_str())),
            (
                json!(teacher.id()),
                json!(teacher.user.display_name.as_str())
            ),
            (json!(s1.id()), json!(s1.user.display_name.as_str())),
        ],
        "members only, in the order asked"
    );

    // The students list searches on the server: by a word of the name or the e-mail.
    let list = format!("/api/v1/courses/{id}/students");
    let (status, all) = teacher.get(&list).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all.as_array().unwrap().len(), 2);
    let (_, found) = teacher.get(&format!("{list}?q=S2%40EXAMPLE")).await;
    let emails: Vec<_> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["user"]["email"].clone())
        .collect();
    assert_eq!(emails, [json!("s2@example.ru")], "{found}");
    let (_, none) = teacher.get(&format!("{list}?q=x%40example")).await;
    assert_eq!(none, json!([]), "the stranger is not the course's");
    let (_, paged) = teacher.get(&format!("{list}?limit=1&offset=1")).await;
    assert_eq!(paged.as_array().unwrap().len(), 1);
    let long = "я".repeat(128);
    let bad = teacher.get(&format!("{list}?q={long}")).await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.1);
    assert_eq!(bad.1["error"]["field"], "q");

    let too_many: Vec<String> = (0..201).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let bad = teacher.post(&path, json!({"user_ids": too_many})).await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.1);
    assert_eq!(bad.1["error"]["field"], "user_ids");
    let r = s1.post(&path, json!({"user_ids": [s2.id()]})).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
}

/// Course views carry what the caller may do, as the same rules the
/// routes enforce decide it: the owner and an admin manage, an assistant
/// grades but manages nothing, an enrolled student studies until the
/// course is archived. The OpenAPI document describes the flags.
async fn course_views_say_what_the_caller_may_do(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let assistant = app.login_as(Role::Assistant, "a@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let admin = app.login_as(Role::Admin, "admin@example.ru").await;
    let (id, _) = published(&teacher, "Физика").await;
    let path = format!("/api/v1/courses/{id}");
    let (status, body) = teacher
        .post(
            &format!("{path}/students"),
            json!({"student_id": student.id()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = teacher
        .post(
            &format!("{path}/assistants"),
            json!({"user_id": assistant.id()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // (who, role, can_manage, can_grade, can_study)
    let cases = [
        (&teacher, json!("owner"), true, true, false),
        (&assistant, json!("assistant"), false, true, false),
        (&student, json!("student"), false, false, true),
        (&admin, Value::Null, true, true, false),
    ];
    for (who, role, manage, grade, study) in &cases {
        let (status, got) = who.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{got}");
        assert_eq!(got["role"], *role, "{got}");
        assert_eq!(got["can_manage"], *manage, "{role}: {got}");
        assert_eq!(got["can_grade"], *grade, "{role}: {got}");
        assert_eq!(got["can_study"], *study, "{role}: {got}");
        // The list carries the same flags.
        let (status, mine) = who.get("/api/v1/courses").await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        let listed = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["course"]["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{role}: {mine}"));
        for flag in ["can_manage", "can_grade", "can_study"] {
            assert_eq!(listed[flag], got[flag], "{role} {flag}");
        }
        // The flags agree with what the routes answer.
        let (status, body) = who.get(&format!("{path}/students")).await;
        assert_eq!(status == StatusCode::OK, *grade, "{role}: {status} {body}");
    }
    let edit = json!({"title": "Физика, 7 класс", "description": ""});
    let r = assistant.put(&path, edit.clone()).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = student.put(&path, edit.clone()).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = teacher.put(&path, edit).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // An archived course is read only: its student studies no more.
    let (status, body) = teacher
        .put(&format!("{path}/status"), json!({"status": "archived"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, got) = student.get(&path).await;
    assert_eq!(got["can_study"], false, "{got}");

    let (_, doc) = admin.get("/api/openapi.json").await;
    let schema = &doc["components"]["schemas"]["CourseViewResponse"];
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap_or_else(|| panic!("{schema}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for flag in ["can_manage", "can_grade", "can_study"] {
        assert_eq!(schema["properties"][flag]["type"], "boolean", "{schema}");
        assert!(
            schema["properties"][flag]["description"].is_string(),
            "{schema}"
        );
        assert!(required.contains(&flag), "{flag}: {schema}");
    }
}

on_both!(
    teachers_create_edit_and_publish_courses,
    students_join_with_the_current_invite_code_only,
    staff_manage_students_and_assistants,
    lessons_are_sanitised_ordered_and_shown_when_due,
    draft_lessons_are_for_staff_until_published,
    students_continue_where_they_stopped,
    course_covers_are_set_by_their_managers_and_seen_everywhere,
    staff_look_up_member_names_whatever_the_course_size,
    course_views_say_what_the_caller_may_do,
);
