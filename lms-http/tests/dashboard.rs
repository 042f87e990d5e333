//! Dashboards, course statistics, the gradebook (JSON and CSV) and badges
//! through HTTP. Homework is arranged through the core's services.

mod common;

use chrono::{Duration, Utc};
use common::{Db, Session, TestApp, assert_error};
use lms_core::course::Title;
use lms_core::file::FileLimits;
use lms_core::homework::{AssignmentInput, GradeInput, HandInInput, LatePolicy, SubmissionKind};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::{CourseId, Role, SubmissionId};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

/// A published course with a teacher, an assistant, two enrolled students
/// (one handed in a homework), a teacher of another course and a student
/// outside the course.
struct World {
    app: TestApp,
    teacher: Session,
    assistant: Session,
    student: Session,
    classmate: Session,
    other_teacher: Session,
    outsider: Session,
    course_id: String,
    submission_id: SubmissionId,
}

async fn world(db: Db) -> World {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let assistant = app.login_as(Role::Assistant, "a@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let classmate = app.login_as(Role::Student, "s2@example.ru").await;
    let other_teacher = app.login_as(Role::Teacher, "t2@example.ru").await;
    let outsider = app.login_as(Role::Student, "x@example.ru").await;

    let (status, course) = teacher
        .post("/api/v1/courses", json!({"title": "Алгебра \"9\"/А"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{course}");
    let course_id = course["id"].as_str().unwrap().to_owned();
    let code = course["invite_code"].as_str().unwrap();
    teacher
        .put(
            &format!("/api/v1/courses/{course_id}/status"),
            json!({"status": "published"}),
        )
        .await;
    teacher
        .post(
            &format!("/api/v1/courses/{course_id}/assistants"),
            json!({"user_id": assistant.id()}),
        )
        .await;
    for s in [&student, &classmate] {
        let (status, body) = s.post("/api/v1/courses/join", json!({"code": code})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Another teacher's course, so their dashboard is not empty by accident.
    other_teacher
        .post("/api/v1/courses", json!({"title": "Чужой курс"}))
        .await;

    let now = Utc::now();
    let assignment = app
        .lms
        .homework
        .create_assignment(
            &teacher.user.actor(),
            serde_json::from_value::<CourseId>(json!(course_id)).unwrap(),
            AssignmentInput {
                title: Title::parse("Контрольная 1").unwrap(),
                instructions: RichText::sanitize("<p>Решите задачи</p>"),
                attachment_ids: None,
                opens_at: now - Duration::hours(1),
                due_at: now + Duration::days(7),
                cut_off_at: None,
                max_score: Points::new(10.0).unwrap(),
                late_policy: LatePolicy::NoPenalty,
                submission_kind: SubmissionKind::Text,
                file_limits: FileLimits::default(),
                published: true,
            },
        )
        .await
        .expect("assignment");
    let handed_in = app
        .lms
        .homework
        .hand_in(
            &student.user.actor(),
            assignment.id,
            HandInInput {
                text: Some(RichText::sanitize("<p>x = 2</p>")),
                file_ids: Vec::new(),
                idempotency_key: None,
            },
        )
        .await
        .expect("hand in");
    World {
        app,
        teacher,
        assistant,
        student,
        classmate,
        other_teacher,
        outsider,
        course_id,
        submission_id: handed_in.submission.id,
    }
}

async fn grade(w: &World) {
    w.app
        .lms
        .homework
        .grade(
            &w.teacher.user.actor(),
            w.submission_id,
            GradeInput {
                raw_score: Points::new(8.5).unwrap(),
                feedback: RichText::sanitize("<p>Хорошо</p>"),
                expected_version: 1,
            },
        )
        .await
        .expect("grade");
}

async fn dashboards_show_work_to_check_grades_and_progress(db: Db) {
    let w = world(db).await;
    let id = &w.course_id;

    // Before grading: the submission waits in the staff queue.
    for staff in [&w.teacher, &w.assistant] {
        let (status, d) = staff.get("/api/v1/dashboard/staff").await;
        assert_eq!(status, StatusCode::OK, "{d}");
        assert_eq!(d["queue"].as_array().unwrap().len(), 1, "{d}");
        assert_eq!(d["queue"][0]["submission_id"], json!(w.submission_id));
        assert_eq!(d["queue"][0]["student_id"], w.student.id());
        assert_eq!(
            d["queue"][0]["student_name"],
            w.student.user.display_name.as_str(),
            "the queue names the student"
        );
        assert_eq!(d["courses"].as_array().unwrap().len(), 1, "{d}");
        assert_eq!(d["courses"][0]["course_id"], *id);
        assert_eq!(d["courses"][0]["pending_count"], 1);
    }
    let (_, d) = w.other_teacher.get("/api/v1/dashboard/staff").await;
    assert_eq!(d["queue"], json!([]), "another teacher sees none of it");

    // The grading queue finds work by the student's name or e-mail.
    let email = w.student.user.email.as_str().to_owned();
    let (status, q) = w
        .teacher
        .get(&format!("/api/v1/grading-queue?q={}", &email[..4]))
        .await;
    assert_eq!(status, StatusCode::OK, "{q}");
    assert_eq!(q.as_array().unwrap().len(), 1, "{q}");
    assert_eq!(q[0]["student_name"], w.student.user.display_name.as_str());
    let assignment = q[0]["assignment_id"].as_str().unwrap().to_owned();
    let (_, q) = w.teacher.get("/api/v1/grading-queue?q=zz-nobody").await;
    assert_eq!(q, json!([]));

    // An assignment's submissions, by the student and by state.
    let subs = format!("/api/v1/assignments/{assignment}/submissions");
    let (status, found) = w
        .teacher
        .get(&format!("{subs}?q={}&state=submitted", &email[..4]))
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    let (_, none) = w.teacher.get(&format!("{subs}?state=graded")).await;
    assert_eq!(none, json!([]), "nothing graded yet");
    let bad = w.teacher.get(&format!("{subs}?state=lost")).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_query");

    grade(&w).await;

    let (status, d) = w.teacher.get("/api/v1/dashboard/staff").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["queue"], json!([]));
    assert_eq!(d["courses"][0]["student_count"], 2);
    assert_eq!(d["courses"][0]["average_homework_percent"], 85.0);

    let (status, d) = w.student.get("/api/v1/dashboard/student").await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["courses"][0]["course_id"], *id);
    assert_eq!(d["recent_grades"][0]["title"], "Контрольная 1");
    assert_eq!(d["recent_grades"][0]["final_score"], 8.5);
    assert_eq!(d["homework"][0]["final_score"], 8.5);
    assert_eq!(d["achievements"][0]["badge"], "first_homework");
    // The classmate's dashboard shows their own (missing) work only.
    let (_, d) = w.classmate.get("/api/v1/dashboard/student").await;
    assert_eq!(d["recent_grades"], json!([]));
    assert_eq!(d["homework"][0]["final_score"], Value::Null);
    assert_eq!(d["upcoming_deadlines"][0]["title"], "Контрольная 1");
    assert_eq!(d["next_steps"][0]["title"], "Контрольная 1", "{d}");
    assert_eq!(
        d["next_steps"][0]["assignment_id"],
        d["upcoming_deadlines"][0]["assignment_id"]
    );

    let r = w.teacher.get("/api/v1/dashboard/student").await;
    assert_error(&r, StatusCode::FORBIDDEN, "not_a_student");
    let r = w.student.get("/api/v1/dashboard/staff").await;
    assert_error(&r, StatusCode::FORBIDDEN, "not_staff");

    // Course statistics: staff only.
    let path = format!("/api/v1/courses/{id}/statistics");
    for staff in [&w.teacher, &w.assistant] {
        let (status, s) = staff.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(s["course_id"], *id);
        assert_eq!(s["student_count"], 2);
        assert_eq!(s["pending_count"], 0);
        assert_eq!(s["average_homework_percent"], 85.0);
        // Per item: the one assignment, handed in by one of two students.
        let items = s["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{s}");
        assert_eq!(items[0]["kind"], "assignment");
        assert_eq!(items[0]["title"], "Контрольная 1");
        assert_eq!(items[0]["handed_in"], 1);
        assert_eq!(items[0]["done_share"], 0.5);
        assert_eq!(items[0]["average_percent"], 85.0);
    }
    let (_, d) = w.teacher.get("/api/v1/dashboard/staff").await;
    assert_eq!(
        d["courses"][0]["items"],
        json!([]),
        "the dashboard's summaries stay small"
    );
    let r = w.student.get(&path).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    for who in [&w.other_teacher, &w.outsider] {
        let r = who.get(&path).await;
        assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
    }
}

async fn gradebook_is_json_and_a_csv_download_for_staff(db: Db) {
    let w = world(db).await;
    grade(&w).await;
    let id = &w.course_id;

    let path = format!("/api/v1/courses/{id}/gradebook");
    let (status, g) = w.teacher.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{g}");
    assert_eq!(g["course_id"], *id);
    assert_eq!(g["columns"][0]["title"], "Контрольная 1");
    assert_eq!(g["columns"][0]["max_score"], 10.0);
    let rows = g["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let mine = rows
        .iter()
        .find(|r| r["student_id"] == w.student.id())
        .unwrap();
    assert_eq!(mine["cells"], json!([8.5]));
    assert_eq!(mine["percent"], 85.0);
    let theirs = rows
        .iter()
        .find(|r| r["student_id"] == w.classmate.id())
        .unwrap();
    assert_eq!(theirs["cells"], json!([null]));

    let resp = w
        .teacher
        .request(Method::GET, &format!("{path}.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let disposition = resp.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with(&format!(
            "attachment; filename=\"gradebook-{id}.csv\"; filename*=UTF-8''"
        )),
        "{disposition}"
    );
    // The title's quote and slash do not reach the file name.
    assert!(
        !disposition.contains("%22") && !disposition.contains("%2F"),
        "{disposition}"
    );
    assert!(disposition.contains("%D0%90%D0%BB%D0%B3"), "{disposition}");
    assert!(disposition.ends_with(".csv"), "{disposition}");
    let csv = resp.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{FEFF}').split("\r\n").collect();
    assert_eq!(lines[0], "Студент,E-mail,Контрольная 1,Итого,Из,%");
    assert!(
        lines.contains(&"Тест s@example.ru,s@example.ru,8.5,8.5,10,85"),
        "{csv}"
    );
    assert!(
        lines.contains(&"Тест s2@example.ru,s2@example.ru,,0,10,0"),
        "{csv}"
    );

    // The assistant may read it; nobody else.
    let (status, _) = w.assistant.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    for p in [path.clone(), format!("{path}.csv")] {
        let r = w.student.get(&p).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        for who in [&w.other_teacher, &w.outsider] {
            let r = who.get(&p).await;
            assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
        }
    }
}

async fn badges_are_shown_to_their_owner_and_the_course_staff(db: Db) {
    let w = world(db).await;
    let id = &w.course_id;

    let (status, mine) = w.student.get("/api/v1/achievements").await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine[0]["badge"], "first_homework");
    assert_eq!(mine[0]["user_id"], w.student.id());
    let (_, none) = w.classmate.get("/api/v1/achievements").await;
    assert_eq!(none, json!([]));

    let path = format!(
        "/api/v1/courses/{id}/students/{}/achievements",
        w.student.id()
    );
    for staff in [&w.teacher, &w.assistant] {
        let (status, theirs) = staff.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{theirs}");
        assert_eq!(theirs[0]["badge"], "first_homework");
    }
    // Not staff of the course, or not a student of it: nothing to see.
    for who in [&w.other_teacher, &w.classmate, &w.outsider] {
        let r = who.get(&path).await;
        assert_error(&r, StatusCode::NOT_FOUND, "student_not_found");
    }
    let r = w
        .teacher
        .get(&format!(
            "/api/v1/courses/{id}/students/{}/achievements",
            w.outsider.id()
        ))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "student_not_found");
}

on_both!(
    dashboards_show_work_to_check_grades_and_progress,
    gradebook_is_json_and_a_csv_download_for_staff,
    badges_are_shown_to_their_owner_and_the_course_staff,
);
