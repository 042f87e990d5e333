//! Uploads streamed with limits, downloads only for those who may see the
//! owning object, and hand-in files through the core's file registry.

mod common;

use chrono::{Duration, Utc};
use common::{Db, Session, TestApp, assert_error};
use lms_core::Role;
use lms_core::course::Title;
use lms_core::file::FileLimits;
use lms_core::homework::{AssignmentInput, HandInInput, LatePolicy, SubmissionKind};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

async fn upload(s: &Session, query: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    let r = s
        .request(Method::POST, &format!("/api/v1/files{query}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn download(s: &Session, id: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let r = s
        .request(Method::GET, &format!("/api/v1/files/{id}"))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

async fn uploads_respect_limits_and_downloads_follow_visibility(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let classmate = app.login_as(Role::Student, "s2@example.ru").await;
    let outsider = app.login_as(Role::Student, "x@example.ru").await;
    let other_teacher = app.login_as(Role::Teacher, "t2@example.ru").await;
    let course = app
        .course_with_students(&teacher, "Физика", &[&student, &classmate])
        .await;
    let assignment = app
        .lms
        .homework
        .create_assignment(
            &teacher.user.actor(),
            course.id,
            AssignmentInput {
                title: Title::parse("Лабораторная").unwrap(),
                instructions: RichText::sanitize("<p>Приложите отчёт</p>"),
                attachment_ids: None,
                opens_at: Utc::now() - Duration::hours(1),
                due_at: Utc::now() + Duration::days(3),
                cut_off_at: None,
                max_score: Points::new(10.0).unwrap(),
                late_policy: LatePolicy::NoPenalty,
                submission_kind: SubmissionKind::Files,
                file_limits: FileLimits {
                    max_files: 2,
                    max_file_size: 1000,
                    allowed_extensions: vec!["pdf".into(), "txt".into()],
                },
                published: true,
            },
        )
        .await
        .unwrap();
    let q = format!("?assignment_id={}", assignment.id.0);

    // Type and size are checked while streaming.
    let bad_type = upload(&student, &q, "virus.exe", b"MZ".to_vec()).await;
    assert_error(
        &bad_type,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "file_type_not_allowed",
    );
    let too_big = upload(&student, &q, "report.pdf", vec![b'x'; 5000]).await;
    assert_error(&too_big, StatusCode::PAYLOAD_TOO_LARGE, "file_too_large");
    // A form without the `file` part.
    let r = student
        .request(Method::POST, &format!("/api/v1/files{q}"))
        .multipart(reqwest::multipart::Form::new().text("other", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // An outsider cannot even learn the assignment exists.
    assert_eq!(
        upload(&outsider, &q, "r.pdf", b"%PDF".to_vec()).await.0,
        StatusCode::NOT_FOUND
    );

    let ok = upload(
        &student,
        &q,
        "../../Отчёт <1>.pdf",
        b"%PDF-1.4 report".to_vec(),
    )
    .await;
    assert_eq!(ok.0, StatusCode::CREATED, "{}", ok.1);
    assert_eq!(ok.1["name"], "Отчёт 1.pdf", "name sanitised");
    assert_eq!(ok.1["size"], 15);
    assert_eq!(ok.1["content_type"], "application/pdf");
    let file_id = ok.1["id"].as_str().unwrap().to_owned();

    // Unattached: only the uploader may read it.
    let (st, headers, body) = download(&student, &file_id).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body, b"%PDF-1.4 report");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(download(&teacher, &file_id).await.0, StatusCode::NOT_FOUND);

    // Handed in, it belongs to the submission: the course staff may read it,
    // classmates and other teachers may not.
    app.lms
        .homework
        .hand_in(
            &student.user.actor(),
            assignment.id,
            HandInInput {
                text: None,
                file_ids: vec![serde_json::from_value(json!(file_id)).unwrap()],
                idempotency_key: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(download(&teacher, &file_id).await.0, StatusCode::OK);
    assert_eq!(download(&student, &file_id).await.0, StatusCode::OK);
    for s in [&classmate, &other_teacher, &outsider] {
        let (st, _, _) = download(s, &file_id).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        download(&student, "00000000-0000-0000-0000-000000000000")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

async fn lesson_images_are_for_the_course_and_served_inline(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let outsider = app.login_as(Role::Student, "x@example.ru").await;
    let course = app
        .course_with_students(&teacher, "Химия", &[&student])
        .await;
    let (st, lesson) = teacher
        .post(
            &format!("/api/v1/courses/{}/lessons", course.id.0),
            json!({"title": "Урок 1", "body": "<p>Текст</p>"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{lesson}");
    let q = format!("?lesson_id={}", lesson["id"].as_str().unwrap());
    // Students cannot attach to lessons; teachers cannot upload markup.
    assert_eq!(
        upload(&student, &q, "a.png", b"\x89PNG".to_vec()).await.0,
        StatusCode::FORBIDDEN
    );
    let html = upload(
        &teacher,
        &q,
        "page.html",
        b"<script>alert(1)</script>".to_vec(),
    )
    .await;
    assert_error(
        &html,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "file_type_not_allowed",
    );
    let img = upload(&teacher, &q, "схема.png", b"\x89PNG\r\n".to_vec()).await;
    assert_eq!(img.0, StatusCode::CREATED, "{}", img.1);
    let id = img.1["id"].as_str().unwrap().to_owned();
    let (st, headers, _) = download(&student, &id).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("inline;")
    );
    assert!(
        headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(download(&outsider, &id).await.0, StatusCode::NOT_FOUND);

    // The uploaded image becomes an attachment of that lesson only.
    let lesson_path = format!("/api/v1/lessons/{}", lesson["id"].as_str().unwrap());
    let (st, updated) = teacher
        .put(
            &lesson_path,
            json!({"title": "Урок 1", "body": "<p>Текст</p>", "attachment_ids": [id]}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{updated}");
    assert_eq!(updated["attachments"][0]["name"], "схема.png");
    let (_, seen) = student.get(&lesson_path).await;
    assert_eq!(seen["attachments"][0]["id"], id.as_str());
    // Without attachment_ids the attachments stay; a foreign id is refused.
    let (_, kept) = teacher
        .put(&lesson_path, json!({"title": "Урок 1а", "body": ""}))
        .await;
    assert_eq!(kept["attachments"].as_array().unwrap().len(), 1);
    let foreign = upload(&student, "", "x.pdf", b"%PDF".to_vec()).await.1["id"].clone();
    let bad = teacher
        .put(
            &lesson_path,
            json!({"title": "Урок 1", "attachment_ids": [foreign]}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(bad.1["error"]["field"], "attachment_ids");
    assert_eq!(
        bad.1["error"]["message"],
        format!(
            "attachment_ids: file {} was not uploaded to this lesson",
            foreign.as_str().unwrap()
        )
    );
}

/// Uploads not attached to anything wait a day for cleanup: they follow the
/// safe type list and a per-user quota (20 files by default), so one
/// account cannot fill the disk with executables.
async fn unattached_uploads_have_a_type_list_and_a_quota(db: Db) {
    let app = TestApp::spawn(db).await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let other = app.login_as(Role::Student, "o@example.ru").await;
    let exe = upload(&student, "", "setup.exe", vec![b'M'; 1024]).await;
    assert_error(
        &exe,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "file_type_not_allowed",
    );
    let html = upload(&student, "", "page.html", b"<script>x</script>".to_vec()).await;
    assert_error(
        &html,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "file_type_not_allowed",
    );
    for n in 0..20 {
        let (status, body) = upload(&student, "", &format!("draft{n}.pdf"), vec![b'%'; 1024]).await;
        assert_eq!(status, StatusCode::CREATED, "draft {n}: {body}");
    }
    let over = upload(&student, "", "draft20.pdf", vec![b'%'; 1024]).await;
    assert_error(
        &over,
        StatusCode::PAYLOAD_TOO_LARGE,
        "upload_quota_exceeded",
    );
    let (status, body) = upload(&other, "", "mine.pdf", vec![b'%'; 1024]).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "another user's quota is their own: {body}"
    );
}

/// A picture pasted into a lesson before its first save is a draft only
/// its uploader reads; saving the lesson makes it the lesson's, read by the
/// course's students. The same for a course's description.
async fn drafts_become_the_saved_objects_pictures(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let outsider = app.login_as(Role::Student, "x@example.ru").await;
    let course = app
        .course_with_students(&teacher, "Геометрия", &[&student])
        .await;
    let (st, draft) = upload(&teacher, "", "чертёж.png", b"\x89PNG\r\n".to_vec()).await;
    assert_eq!(st, StatusCode::CREATED, "{draft}");
    let id = draft["id"].as_str().unwrap().to_owned();
    assert_eq!(download(&teacher, &id).await.0, StatusCode::OK);
    assert_eq!(
        download(&student, &id).await.0,
        StatusCode::NOT_FOUND,
        "a draft is its uploader's until saved"
    );
    let (_, pdf) = upload(&teacher, "", "задачи.pdf", b"%PDF-1.4".to_vec()).await;
    let body = format!(r#"<p>Треугольник:</p><p><img src="/api/v1/files/{id}" alt=""></p>"#);
    let (st, lesson) = teacher
        .post(
            &format!("/api/v1/courses/{}/lessons", course.id.0),
            json!({"title": "Подобие", "body": body, "attachment_ids": [pdf["id"]]}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{lesson}");
    assert_eq!(
        lesson["attachments"][0]["name"], "задачи.pdf",
        "a draft attached on creation"
    );
    let (st, _, _) = download(&student, pdf["id"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::OK);
    assert!(lesson["body"].as_str().unwrap().contains(&id), "{lesson}");
    let (st, headers, bytes) = download(&student, &id).await;
    assert_eq!(st, StatusCode::OK, "the lesson's students read it");
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(bytes, b"\x89PNG\r\n");
    assert_eq!(download(&outsider, &id).await.0, StatusCode::NOT_FOUND);

    let (_, cover) = upload(&teacher, "", "обложка.png", b"\x89PNG".to_vec()).await;
    let cover = cover["id"].as_str().unwrap().to_owned();
    let (st, updated) = teacher
        .put(
            &format!("/api/v1/courses/{}", course.id.0),
            json!({"title": "Геометрия", "description": format!(r#"<p><img src="/api/v1/files/{cover}"></p>"#)}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{updated}");
    assert_eq!(download(&student, &cover).await.0, StatusCode::OK);
    assert_eq!(download(&outsider, &cover).await.0, StatusCode::NOT_FOUND);
}

on_both!(
    drafts_become_the_saved_objects_pictures,
    uploads_respect_limits_and_downloads_follow_visibility,
    lesson_images_are_for_the_course_and_served_inline,
    unattached_uploads_have_a_type_list_and_a_quota,
);
