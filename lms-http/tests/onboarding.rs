//! Invitations, CSV import, password reset and self-registration through
//! the API, on SQLite and PostgreSQL.

mod common;

use common::{Db, TestApp, assert_error};
use lms_core::Role;
use lms_core::notification::Notification;
use lms_core::user::Email;
use lms_http::HttpConfig;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

/// The token of the newest account e-mail to `email`, read from the outbox.
async fn link_token(app: &TestApp, email: &str) -> String {
    let storage = app.lms.storage();
    let user = storage
        .users
        .find_user_by_email(&Email::parse(email).unwrap())
        .await
        .unwrap()
        .expect("account exists");
    let entries = storage
        .notifications
        .list_user_outbox(user.id, lms_core::Page::max())
        .await
        .unwrap();
    match &entries.first().expect("an e-mail").notification {
        Notification::Invitation { token, .. } | Notification::PasswordReset { token, .. } => {
            token.clone()
        }
        other => panic!("not an account message: {other:?}"),
    }
}

async fn post_csv(
    session: &common::Session,
    query: &str,
    csv: impl Into<reqwest::Body>,
) -> (StatusCode, Value) {
    let resp = session
        .request(Method::POST, &format!("/api/v1/users/import{query}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn an_imported_student_accepts_the_invitation_and_sees_the_course(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.login_as(Role::Admin, "admin@school.example").await;
    let teacher = app.login_as(Role::Teacher, "teacher@school.example").await;
    let course = app.course_with_students(&teacher, "Физика", &[]).await;
    let csv = format!(
        "\u{FEFF}Email;ФИО;Роль;Курсы\r\n\
         pupil@school.example;Пётр Учеников;ученик;{c}\r\n\
         broken;Сломанный;ученик;{c}\r\n\
         other@school.example;Ольга;student;nope\r\n",
        c = course.id
    );
    let dry = post_csv(&admin, "?dry_run=true", csv.clone()).await;
    assert_eq!(dry.0, StatusCode::OK, "{}", dry.1);
    assert_eq!(dry.1["dry_run"], true);
    assert_eq!(dry.1["counts"]["create"], 1);
    assert_eq!(dry.1["counts"]["error"], 2);
    assert_eq!(dry.1["rows"][1]["code"], "invalid_email");
    assert_eq!(dry.1["rows"][2]["code"], "unknown_course");

    let done = post_csv(&admin, "", csv.clone()).await;
    assert_eq!(done.0, StatusCode::OK, "{}", done.1);
    assert_eq!(done.1["counts"]["create"], 1);
    let again = post_csv(&admin, "", csv).await;
    assert_eq!(
        again.1["counts"]["create"], 0,
        "the same file changes nothing"
    );
    assert_eq!(again.1["counts"]["skip"], 1);

    let token = link_token(&app, "pupil@school.example").await;
    let anon = app.anonymous();
    let preview: Value = anon
        .get(app.url(&format!("/api/v1/auth/invitations/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(preview["email"], "pupil@school.example");
    assert_eq!(preview["course_titles"], json!(["Физика"]));

    let resp = anon
        .post(app.url("/api/v1/auth/invitations/accept"))
        .json(&json!({"token": token, "password": "пароль-петра"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("lms_session="))
    );
    let body: Value = resp.json().await.unwrap();
    let bearer = body["token"].as_str().unwrap();
    let courses: Value = anon
        .get(app.url("/api/v1/courses"))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        courses.to_string().contains("Физика"),
        "the course is listed: {courses}"
    );
    let reused = anon
        .post(app.url("/api/v1/auth/invitations/accept"))
        .json(&json!({"token": token, "password": "другой-пароль"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reused.status(), StatusCode::NOT_FOUND);
}

async fn imports_are_for_admins_bounded_and_downloadable(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.login_as(Role::Admin, "admin@school.example").await;
    let teacher = app.login_as(Role::Teacher, "teacher@school.example").await;
    let got = post_csv(&teacher, "?dry_run=true", "email\na@b.example\n").await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    let got = post_csv(&admin, "", "name\nA\n").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv");
    let huge = vec![b'a'; lms_core::onboarding::csv::MAX_IMPORT_BYTES + 10];
    let got = post_csv(&admin, "?dry_run=true", huge).await;
    assert_error(&got, StatusCode::PAYLOAD_TOO_LARGE, "file_too_large");

    let resp = admin
        .request(Method::POST, "/api/v1/users/import?dry_run=true&format=csv")
        .body("email;name\nx;Икс\n")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let text = resp.text().await.unwrap();
    assert!(text.contains("2;x;error;;invalid_email;"), "{text}");
}

async fn course_owners_invite_list_resend_and_revoke(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "teacher@school.example").await;
    let student = app.login_as(Role::Student, "student@school.example").await;
    let course = app.course_with_students(&teacher, "Химия", &[]).await;
    let invite = json!({
        "email": "new@school.example",
        "display_name": "Новенькая",
        "course_ids": [course.id],
    });
    let got = student.post("/api/v1/invitations", invite.clone()).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    let got = teacher.post("/api/v1/invitations", invite).await;
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    assert_eq!(got.1["action"], "create");
    let got = teacher
        .post(
            "/api/v1/invitations",
            json!({"email": "t@school.example", "display_name": "T", "role": "teacher", "course_ids": [course.id]}),
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");

    let got = teacher.get("/api/v1/invitations").await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    let list = teacher
        .get(&format!(
            "/api/v1/invitations?course_id={}&q=NEW",
            course.id
        ))
        .await;
    assert_eq!(list.0, StatusCode::OK, "{}", list.1);
    assert_eq!(list.1.as_array().unwrap().len(), 1);
    assert!(list.1[0].get("token_hash").is_none(), "no token hash leaks");
    let id = list.1[0]["id"].as_str().unwrap().to_owned();
    let old = link_token(&app, "new@school.example").await;
    let resent = teacher
        .post(&format!("/api/v1/invitations/{id}/resend"), json!({}))
        .await;
    assert_eq!(resent.0, StatusCode::OK, "{}", resent.1);
    assert_eq!(resent.1["send_count"], 2);
    let gone = app
        .anonymous()
        .get(app.url(&format!("/api/v1/auth/invitations/{old}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let revoked = teacher.delete(&format!("/api/v1/invitations/{id}")).await;
    assert_eq!(revoked.1["status"], "revoked");
    let again = teacher.delete(&format!("/api/v1/invitations/{id}")).await;
    assert_error(&again, StatusCode::CONFLICT, "invitation_not_pending");

    // An address whose account is deactivated, or has another role, is
    // refused by its own code.
    let admin = app.login_as(Role::Admin, "admin@school.example").await;
    let off = admin
        .put(
            &format!("/api/v1/users/{}/active", student.id()),
            json!({"active": false}),
        )
        .await;
    assert_eq!(off.0, StatusCode::OK, "{}", off.1);
    let got = teacher
        .post(
            "/api/v1/invitations",
            json!({"email": "student@school.example", "course_ids": [course.id]}),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "account_inactive");
    let got = admin
        .post(
            "/api/v1/invitations",
            json!({"email": "teacher@school.example", "role": "student", "course_ids": [course.id]}),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "role_mismatch");
}

async fn password_reset_answers_alike_and_ends_sessions(db: Db) {
    let app = TestApp::spawn(db).await;
    let student = app
        .login_as(Role::Student, "forgetful@school.example")
        .await;
    let anon = app.anonymous();
    for email in ["nobody@school.example", "forgetful@school.example"] {
        let resp = anon
            .post(app.url("/api/v1/auth/password-reset"))
            .json(&json!({ "email": email }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(
            body,
            json!({"status": "sent"}),
            "the same answer for {email}"
        );
    }
    let token = link_token(&app, "forgetful@school.example").await;
    let resp = anon
        .post(app.url("/api/v1/auth/password-reset/confirm"))
        .json(&json!({"token": token, "password": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = anon
        .post(app.url("/api/v1/auth/password-reset/confirm"))
        .json(&json!({"token": token, "password": "совсем-новый-пароль"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (status, _) = student.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "every session ended");
    app.login(&student.user, "совсем-новый-пароль").await;

    let admin = app.login_as(Role::Admin, "admin@school.example").await;
    let sent = admin
        .post(
            &format!("/api/v1/users/{}/password-reset", student.id()),
            json!({}),
        )
        .await;
    assert_eq!(sent.0, StatusCode::ACCEPTED, "{}", sent.1);
    let by_teacher = app.login_as(Role::Teacher, "t@school.example").await;
    let denied = by_teacher
        .post(
            &format!("/api/v1/users/{}/password-reset", student.id()),
            json!({}),
        )
        .await;
    assert_error(&denied, StatusCode::FORBIDDEN, "forbidden");
    // The user's own notification list never shows the link.
    let fresh = app.login(&student.user, "совсем-новый-пароль").await;
    let (_, listed) = fresh.get("/api/v1/notifications").await;
    assert!(
        !listed.to_string().contains(&token),
        "a reset link is never listed"
    );
}

async fn self_registration_follows_the_school_setting(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "teacher@school.example").await;
    let course = app.course_with_students(&teacher, "Биология", &[]).await;
    let code = app
        .lms
        .courses
        .rotate_invite_code(&teacher.user.actor(), course.id)
        .await
        .unwrap();
    let form = json!({
        "email": "self@school.example",
        "display_name": "Сам",
        "password": "пароль-самого",
        "invite_code": code.as_str(),
    });
    let resp = app
        .anonymous()
        .post(app.url("/api/v1/auth/register"))
        .json(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let school: Value = app
        .anonymous()
        .get(app.url("/api/v1/school"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(school["self_registration"], false);

    let mut config = HttpConfig::default();
    config.onboarding.self_registration = true;
    let open = TestApp::spawn_with(db, config).await;
    let teacher = open.login_as(Role::Teacher, "teacher@school.example").await;
    let course = open.course_with_students(&teacher, "Биология", &[]).await;
    let code = open
        .lms
        .courses
        .rotate_invite_code(&teacher.user.actor(), course.id)
        .await
        .unwrap();
    let form = json!({
        "email": "self@school.example",
        "display_name": "Сам",
        "password": "пароль-самого",
        "invite_code": code.as_str(),
    });
    let resp = open
        .anonymous()
        .post(open.url("/api/v1/auth/register"))
        .json(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let again = open
        .anonymous()
        .post(open.url("/api/v1/auth/register"))
        .json(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

async fn the_directory_searches_filters_pages_and_exports(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.login_as(Role::Admin, "admin@school.example").await;
    let teacher = app.login_as(Role::Teacher, "teacher@school.example").await;
    let student = app.login_as(Role::Student, "student@school.example").await;
    for i in 0..5 {
        app.user(Role::Student, &format!("pupil{i}@school.example"))
            .await;
    }
    let (status, page) = admin
        .get("/api/v1/users?q=PUPIL&role=student&limit=2&offset=2")
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let emails: Vec<&str> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["pupil2@school.example", "pupil3@school.example"]);
    let (_, none) = admin.get("/api/v1/users?role=student&active=false").await;
    assert_eq!(none, json!([]));

    let (status, found) = teacher.get("/api/v1/users/search?q=pupil4").await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found.as_array().unwrap().len(), 1);
    let keys: Vec<&String> = found[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["display_name", "email", "id", "role"],
        "name and e-mail only"
    );
    let short = teacher.get("/api/v1/users/search?q=p").await;
    assert_error(&short, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let denied = student.get("/api/v1/users/search?q=pupil").await;
    assert_error(&denied, StatusCode::FORBIDDEN, "forbidden");

    let resp = admin
        .request(Method::GET, "/api/v1/users/export?role=student")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let csv = resp.text().await.unwrap();
    assert_eq!(csv.lines().count(), 7, "a header and six students: {csv}");
    assert!(csv.contains("pupil0@school.example;"));
}

async fn bulk_actions_report_each_account(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.login_as(Role::Admin, "admin@school.example").await;
    let teacher = app.login_as(Role::Teacher, "teacher@school.example").await;
    let a = app.user(Role::Student, "a@school.example").await;
    let b = app.user(Role::Student, "b@school.example").await;
    let course = app.course_with_students(&teacher, "Алгебра", &[]).await;
    let (status, out) = teacher
        .post(
            &format!("/api/v1/courses/{}/students/bulk", course.id),
            json!({"action": "enrol", "student_ids": [a.id, b.id, teacher.user.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out[0]["code"], "enrolled");
    assert_eq!(out[2]["code"], "not_a_student");
    assert_eq!(out[2]["ok"], false);
    let (status, out) = admin
        .post(
            "/api/v1/users/active",
            json!({"user_ids": [a.id, admin.user.id], "active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out[0]["code"], "deactivated");
    assert_eq!(out[1]["code"], "cannot_deactivate_self");
    let too_many: Vec<String> = (0..501).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let got = admin
        .post(
            "/api/v1/users/active",
            json!({"user_ids": too_many, "active": false}),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
}

on_both!(
    bulk_actions_report_each_account,
    the_directory_searches_filters_pages_and_exports,
    an_imported_student_accepts_the_invitation_and_sees_the_course,
    imports_are_for_admins_bounded_and_downloadable,
    course_owners_invite_list_resend_and_revoke,
    password_reset_answers_alike_and_ends_sessions,
    self_registration_follows_the_school_setting,
);
