//! Homework through HTTP: assignments, extensions, hand-ins, grading,
//! returns for rework, the audit trail and the grading queue.

mod common;

use chrono::{Duration, Utc};
use common::{Db, Session, TestApp, assert_error};
use lms_core::course::{CourseStatus, NewCourse, Title};
use lms_core::file::{FileName, FileOwner, FileRef};
use lms_core::richtext::RichText;
use lms_core::{AssignmentId, CourseId, FileId, Role, SubmissionId};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A published course with its teacher and two enrolled students.
struct Class {
    app: TestApp,
    teacher: Session,
    alice: Session,
    bob: Session,
    course: CourseId,
}

impl Class {
    async fn new(db: Db) -> Self {
        let app = TestApp::spawn(db).await;
        let teacher = app.login_as(Role::Teacher, "teacher@example.ru").await;
        let alice = app.login_as(Role::Student, "alice@example.ru").await;
        let bob = app.login_as(Role::Student, "bob@example.ru").await;
        let course = published_course(&app, &teacher, "Алгебра").await;
        for s in [&alice, &bob] {
            enroll(&app, &teacher, course, s).await;
        }
        Self {
            app,
            teacher,
            alice,
            bob,
            course,
        }
    }

    fn assignments(&self) -> String {
        format!("/api/v1/courses/{}/assignments", self.course.0)
    }

    /// Creates a published assignment (max 10 points) through the API.
    async fn assignment(&self, extra: Value) -> Value {
        let mut body = json!({
            "title": "Домашнее задание 1",
            "instructions": "<p>Решите задачи 1–5</p>",
            "due_at": rfc(Utc::now() + Duration::days(7)),
            "max_score": 10,
            "submission_kind": "text",
            "published": true,
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, a) = self.teacher.post(&self.assignments(), body).await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        a
    }
}

async fn published_course(app: &TestApp, owner: &Session, title: &str) -> CourseId {
    let actor = owner.user.actor();
    let course = app
        .lms
        .courses
        .create_course(
            &actor,
            NewCourse {
                title: Title::parse(title).unwrap(),
                description: RichText::default(),
                owner_id: None,
            },
        )
        .await
        .unwrap();
    app.lms
        .courses
        .set_status(&actor, course.id, CourseStatus::Published)
        .await
        .unwrap();
    course.id
}

async fn enroll(app: &TestApp, owner: &Session, course: CourseId, student: &Session) {
    app.lms
        .courses
        .enroll_student(&owner.user.actor(), course, student.user.id)
        .await
        .unwrap();
}

fn rfc(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339()
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

async fn hand_in_text(s: &Session, assignment: &str, text: &str) -> (StatusCode, Value) {
    s.post(
        &format!("/api/v1/assignments/{assignment}/submissions"),
        json!({"text": text}),
    )
    .await
}

async fn teacher_creates_and_updates_assignments(db: Db) {
    let c = Class::new(db).await;
    let due = Utc::now() + Duration::days(3);
    let (status, a) = c
        .teacher
        .post(
            &c.assignments(),
            json!({
                "title": "  Эссе  ",
                "instructions": "<h2>Тема</h2><p onclick=\"steal()\">Напишите <b>эссе</b></p><script>alert(1)</script>",
                "due_at": due.to_rfc3339(),
                "max_score": 20,
                "late_policy": {"kind": "percent_per_day", "percent_per_day": 10, "floor_percent": 50},
                "submission_kind": "text_and_files",
                "file_limits": {"max_files": 2, "max_file_size": 1048576, "allowed_extensions": ["pdf"]},
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["title"], "Эссе");
    let html = a["instructions"].as_str().unwrap();
    assert!(
        html.contains("<b>эссе</b>") && html.contains("<h2>"),
        "{html}"
    );
    assert!(
        !html.contains("script") && !html.contains("onclick"),
        "{html}"
    );
    assert_eq!(a["max_score"], 20.0);
    assert_eq!(a["published"], false);
    assert_eq!(a["late_policy"]["percent_per_day"], 10);
    assert_eq!(a["file_limits"]["max_files"], 2);
    let aid = id(&a).to_owned();
    // The due date comes back as the same instant in UTC.
    let back: chrono::DateTime<Utc> = a["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(back.timestamp(), due.timestamp());

    // A draft: the teacher sees it, students do not.
    let (status, list) = c.teacher.get(&c.assignments()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["status"], Value::Null);
    let (_, list) = c.alice.get(&c.assignments()).await;
    assert_eq!(list, json!([]));
    let path = format!("/api/v1/assignments/{aid}");
    assert_error(
        &c.alice.get(&path).await,
        StatusCode::NOT_FOUND,
        "assignment_not_found",
    );

    // Publishing it (an offset is converted to UTC): students see it.
    let (status, updated) = c
        .teacher
        .put(
            &path,
            json!({
                "title": "Эссе (исправлено)",
                "instructions": "<p>Новое</p>",
                "due_at": "2099-05-01T12:00:00+03:00",
                "max_score": 25,
                "published": true,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["due_at"], "2099-05-01T09:00:00Z");
    assert_eq!(updated["opens_at"], a["opens_at"], "opens_at kept");
    let (status, view) = c.alice.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["assignment"]["title"], "Эссе (исправлено)");
    assert_eq!(view["status"], "not_submitted");
    assert_eq!(view["deadline"]["due_at"], "2099-05-01T09:00:00Z");
    assert_eq!(view["submission"], Value::Null);
    let (_, list) = c.alice.get(&c.assignments()).await;
    assert_eq!(list[0]["assignment"]["id"], aid);

    // Validation names the field.
    for (body, code, field) in [
        (
            json!({"title": "", "due_at": rfc(due), "max_score": 1}),
            "invalid_field",
            Some("title"),
        ),
        (
            json!({"title": "X", "due_at": "tomorrow", "max_score": 1}),
            "invalid_field",
            Some("due_at"),
        ),
        (
            json!({"title": "X", "due_at": rfc(due), "max_score": -1}),
            "invalid_field",
            Some("max_score"),
        ),
        (
            json!({"title": "X", "due_at": rfc(due), "max_score": 0}),
            "max_score_zero",
            Some("max_score"),
        ),
        (
            json!({"title": "X", "due_at": rfc(due), "cut_off_at": rfc(due - Duration::hours(1)), "max_score": 1}),
            "cut_off_before_due",
            Some("cut_off_at"),
        ),
        (
            json!({"title": "X", "opens_at": rfc(due + Duration::days(1)), "due_at": rfc(due), "max_score": 1}),
            "due_before_open",
            Some("due_at"),
        ),
        (
            json!({"title": "X", "due_at": rfc(due), "max_score": 1, "late_policy": {"kind": "percent_per_day", "percent_per_day": 101, "floor_percent": 0}}),
            "late_policy_percent",
            Some("late_policy.percent_per_day"),
        ),
        (
            json!({"title": "X", "due_at": rfc(due), "max_score": 1, "points": 5}),
            "invalid_json",
            None,
        ),
    ] {
        let got = c.teacher.post(&c.assignments(), body.clone()).await;
        assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, code);
        if let Some(f) = field {
            assert_eq!(got.1["error"]["field"], f, "{body}");
        }
    }

    // Students and other teachers may not create or change assignments.
    let valid = json!({"title": "X", "due_at": rfc(due), "max_score": 1});
    assert_error(
        &c.alice.post(&c.assignments(), valid.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &c.alice.put(&path, valid.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let other = c
        .app
        .login_as(Role::Teacher, "other-teacher@example.ru")
        .await;
    assert_error(
        &other.post(&c.assignments(), valid.clone()).await,
        StatusCode::NOT_FOUND,
        "course_not_found",
    );
    assert_error(
        &other.put(&path, valid).await,
        StatusCode::NOT_FOUND,
        "assignment_not_found",
    );
    assert_error(
        &other.get(&c.assignments()).await,
        StatusCode::NOT_FOUND,
        "course_not_found",
    );
    let (_, still) = c.teacher.get(&path).await;
    assert_eq!(still["assignment"]["title"], "Эссе (исправлено)");
}

async fn students_hand_in_resubmit_and_see_their_grade(db: Db) {
    let c = Class::new(db).await;
    let a = c.assignment(json!({})).await;
    let aid = id(&a);

    let (status, first) = hand_in_text(&c.alice, aid, "<p>Ответ 1</p><script>x()</script>").await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["duplicate"], false);
    let sub = &first["submission"];
    assert_eq!(sub["state"], "submitted");
    assert_eq!(sub["versions"][0]["number"], 1);
    assert_eq!(sub["versions"][0]["late"], false);
    assert_eq!(sub["versions"][0]["text"], "<p>Ответ 1</p>");
    let sid = id(sub).to_owned();

    // Resubmitting adds a version and keeps the first.
    let (status, second) = hand_in_text(&c.alice, aid, "<p>Ответ 2</p>").await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["submission"]["id"], sid.as_str());
    let versions = second["submission"]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["text"], "<p>Ответ 1</p>");
    assert_eq!(versions[1]["text"], "<p>Ответ 2</p>");
    assert_eq!(versions[1]["number"], 2);

    // A retry with the same Idempotency-Key stores nothing twice.
    let retry = || {
        c.alice
            .request(
                reqwest::Method::POST,
                &format!("/api/v1/assignments/{aid}/submissions"),
            )
            .header("Idempotency-Key", "hand-in-3")
            .json(&json!({"text": "<p>Ответ 3</p>"}))
            .send()
    };
    let first = retry().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    // The retry gets the first response again (replayed, nothing stored).
    let again = retry().await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(again["submission"]["versions"].as_array().unwrap().len(), 3);
    let (_, mine) = c
        .alice
        .get(&format!("/api/v1/assignments/{aid}/submissions/me"))
        .await;
    assert_eq!(
        mine["versions"].as_array().unwrap().len(),
        3,
        "one version for two requests"
    );

    // What a hand-in must contain.
    assert_error(
        &hand_in_text(&c.alice, aid, "  ").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "empty_hand_in",
    );
    assert_error(
        &c.teacher
            .post(
                &format!("/api/v1/assignments/{aid}/submissions"),
                json!({"text": "<p>Я учитель</p>"}),
            )
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );

    // The teacher sees every version and grades the latest.
    let grade_path = format!("/api/v1/submissions/{sid}/grade");
    let (status, list) = c
        .teacher
        .get(&format!("/api/v1/assignments/{aid}/submissions"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], sid.as_str());
    let above = c
        .teacher
        .post(
            &grade_path,
            json!({"raw_score": 11, "feedback": "", "expected_version": 3}),
        )
        .await;
    assert_error(&above, StatusCode::UNPROCESSABLE_ENTITY, "score_above_max");
    assert_eq!(above.1["error"]["field"], "raw_score");
    let negative = c
        .teacher
        .post(&grade_path, json!({"raw_score": -1, "expected_version": 3}))
        .await;
    assert_error(&negative, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(negative.1["error"]["field"], "raw_score");
    assert_error(
        &c.teacher
            .post(&grade_path, json!({"raw_score": 8, "expected_version": 2}))
            .await,
        StatusCode::CONFLICT,
        "changed_meanwhile",
    );
    // Before saving, the teacher sees what the grade would store; the
    // student may not ask.
    let (status, preview) = c
        .teacher
        .get(&format!(
            "/api/v1/submissions/{sid}/grade-preview?raw_score=8.5"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["version"], 3);
    assert_eq!(preview["kept_percent"], 100);
    assert_eq!(preview["final_score"], 8.5);
    assert_eq!(preview["days_late"], 0);
    assert_error(
        &c.teacher
            .get(&format!(
                "/api/v1/submissions/{sid}/grade-preview?raw_score=11"
            ))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "score_above_max",
    );
    assert_error(
        &c.alice
            .get(&format!(
                "/api/v1/submissions/{sid}/grade-preview?raw_score=8"
            ))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (status, graded) = c
        .teacher
        .post(
            &grade_path,
            json!({"raw_score": 8.5, "feedback": "<p>Хорошо, но <i>проверьте</i> задачу 3</p>", "expected_version": 3}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{graded}");
    assert_eq!(graded["state"], "graded");
    assert_eq!(graded["grade"]["final_score"], 8.5);

    // The student sees the grade and feedback.
    let (status, mine) = c
        .alice
        .get(&format!("/api/v1/assignments/{aid}/submissions/me"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["grade"]["raw_score"], 8.5);
    assert_eq!(mine["grade"]["kept_percent"], 100);
    assert_eq!(
        mine["grade"]["feedback"],
        "<p>Хорошо, но <i>проверьте</i> задачу 3</p>"
    );
    assert_eq!(mine["grade"]["version"], 3);
    let (_, view) = c.alice.get(&format!("/api/v1/assignments/{aid}")).await;
    assert_eq!(view["status"], "graded");
    assert_eq!(view["submission"]["grade"]["final_score"], 8.5);
    let (status, own) = c.alice.get(&format!("/api/v1/submissions/{sid}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["grade"]["final_score"], 8.5);

    // Graded work takes no new version; a regrade is audited.
    assert_error(
        &hand_in_text(&c.alice, aid, "<p>Ещё</p>").await,
        StatusCode::CONFLICT,
        "already_graded",
    );
    let (status, _) = c
        .teacher
        .post(&grade_path, json!({"raw_score": 9, "expected_version": 3}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, history) = c
        .alice
        .get(&format!("/api/v1/submissions/{sid}/history"))
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["action"]["action"], "graded");
    assert_eq!(history[0]["action"]["final_score"], 8.5);
    assert_eq!(history[1]["action"]["previous_final_score"], 8.5);
    assert_eq!(history[1]["action"]["final_score"], 9.0);
    assert_eq!(history[1]["actor_id"], c.teacher.id());

    // Bob has handed in nothing.
    let (status, none) = c
        .bob
        .get(&format!("/api/v1/assignments/{aid}/submissions/me"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(none, Value::Null);
}

async fn returned_work_is_resubmitted(db: Db) {
    let c = Class::new(db).await;
    let a = c.assignment(json!({})).await;
    let aid = id(&a);
    let (_, first) = hand_in_text(&c.alice, aid, "<p>Черновик</p>").await;
    let sid = id(&first["submission"]).to_owned();
    let ret = format!("/api/v1/submissions/{sid}/return");

    assert_error(
        &c.teacher
            .post(&ret, json!({"feedback": "<p> </p>", "expected_version": 1}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "feedback_required",
    );
    let (status, returned) = c
        .teacher
        .post(
            &ret,
            json!({"feedback": "<p>Добавьте решение задачи 2</p>", "expected_version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{returned}");
    assert_eq!(returned["state"], "returned_for_rework");
    assert_error(
        &c.teacher
            .post(
                &ret,
                json!({"feedback": "<p>Ещё раз</p>", "expected_version": 1}),
            )
            .await,
        StatusCode::CONFLICT,
        "not_returnable",
    );

    let (_, view) = c.alice.get(&format!("/api/v1/assignments/{aid}")).await;
    assert_eq!(view["status"], "returned_for_rework");
    assert_eq!(
        view["submission"]["rework_feedback"],
        "<p>Добавьте решение задачи 2</p>"
    );

    let (status, second) = hand_in_text(&c.alice, aid, "<p>С задачей 2</p>").await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["submission"]["state"], "submitted");
    assert_eq!(
        second["submission"]["versions"].as_array().unwrap().len(),
        2
    );
    let (_, view) = c.teacher.get(&format!("/api/v1/submissions/{sid}")).await;
    assert_eq!(view["state"], "submitted");

    let (_, history) = c
        .teacher
        .get(&format!("/api/v1/submissions/{sid}/history"))
        .await;
    assert_eq!(history[0]["action"]["action"], "returned");
    assert_eq!(history[0]["feedback"], "<p>Добавьте решение задачи 2</p>");
}

async fn late_work_and_extensions(db: Db) {
    let c = Class::new(db).await;
    let now = Utc::now();
    let a = c
        .assignment(json!({
            "opens_at": rfc(now - Duration::days(3)),
            "due_at": rfc(now - Duration::hours(12)),
            "late_policy": {"kind": "percent_per_day", "percent_per_day": 20, "floor_percent": 0},
        }))
        .await;
    let aid = id(&a);
    let ext = format!("/api/v1/assignments/{aid}/extensions");

    // Bob gets an extension: his deadline moves, Alice's does not.
    let bob_due = now + Duration::days(2);
    let (status, granted) = c
        .teacher
        .post(
            &ext,
            json!({"student_id": c.bob.id(), "due_at": rfc(bob_due)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{granted}");
    assert_eq!(granted["student_id"], c.bob.id());
    assert_eq!(granted["granted_by"], c.teacher.id());
    let (_, bob_view) = c.bob.get(&format!("/api/v1/assignments/{aid}")).await;
    let seen: chrono::DateTime<Utc> = bob_view["deadline"]["due_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(seen.timestamp(), bob_due.timestamp());
    let (_, alice_view) = c.alice.get(&format!("/api/v1/assignments/{aid}")).await;
    assert_eq!(alice_view["deadline"]["due_at"], a["due_at"]);

    // Alice is late; Bob is on time.
    let (status, alice) = hand_in_text(&c.alice, aid, "<p>Поздно</p>").await;
    assert_eq!(status, StatusCode::CREATED, "{alice}");
    assert_eq!(alice["submission"]["state"], "submitted_late");
    assert_eq!(alice["submission"]["versions"][0]["late"], true);
    let (_, bob) = hand_in_text(&c.bob, aid, "<p>Вовремя</p>").await;
    assert_eq!(bob["submission"]["state"], "submitted");
    assert_eq!(bob["submission"]["versions"][0]["late"], false);

    // The late penalty applies to Alice's grade (one started day: 80 %).
    let (status, graded) = c
        .teacher
        .post(
            &format!("/api/v1/submissions/{}/grade", id(&alice["submission"])),
            json!({"raw_score": 10, "expected_version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{graded}");
    assert_eq!(graded["grade"]["kept_percent"], 80);
    assert_eq!(graded["grade"]["final_score"], 8.0);

    // Listing, validation and revoking.
    let (status, list) = c.teacher.get(&ext).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_error(&c.bob.get(&ext).await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(
        &c.bob
            .post(&ext, json!({"student_id": c.bob.id(), "due_at": rfc(now)}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let stranger = c.app.login_as(Role::Student, "stranger@example.ru").await;
    assert_error(
        &c.teacher
            .post(
                &ext,
                json!({"student_id": stranger.id(), "due_at": rfc(bob_due)}),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "student_not_enrolled",
    );
    let bad_id = c
        .teacher
        .post(&ext, json!({"student_id": "bob", "due_at": rfc(bob_due)}))
        .await;
    assert_error(&bad_id, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(bad_id.1["error"]["field"], "student_id");
    assert_error(
        &c.teacher
            .post(
                &ext,
                json!({"student_id": c.bob.id(), "due_at": rfc(bob_due), "cut_off_at": rfc(now)}),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cut_off_before_due",
    );
    let one = format!("{ext}/{}", c.bob.id());
    assert_error(
        &c.bob.delete(&one).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (status, _) = c.teacher.delete(&one).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = c.teacher.get(&ext).await;
    assert_eq!(list, json!([]));
    assert_error(
        &c.teacher.delete(&one).await,
        StatusCode::NOT_FOUND,
        "extension_not_found",
    );
    let (_, bob_view) = c.bob.get(&format!("/api/v1/assignments/{aid}")).await;
    assert_eq!(bob_view["deadline"]["due_at"], a["due_at"]);
}

async fn the_cut_off_closes_hand_ins_unless_extended(db: Db) {
    let c = Class::new(db).await;
    let now = Utc::now();
    let a = c
        .assignment(json!({
            "opens_at": rfc(now - Duration::days(3)),
            "due_at": rfc(now - Duration::days(2)),
            "cut_off_at": rfc(now - Duration::days(1)),
        }))
        .await;
    let aid = id(&a);
    let (_, view) = c.alice.get(&format!("/api/v1/assignments/{aid}")).await;
    assert_eq!(view["status"], "missing");
    assert_error(
        &hand_in_text(&c.alice, aid, "<p>Поздно</p>").await,
        StatusCode::CONFLICT,
        "past_cut_off",
    );
    let (status, _) = c
        .teacher
        .post(
            &format!("/api/v1/assignments/{aid}/extensions"),
            json!({"student_id": c.alice.id(), "due_at": rfc(now + Duration::days(1)), "cut_off_at": rfc(now + Duration::days(2))}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, ok) = hand_in_text(&c.alice, aid, "<p>С продлением</p>").await;
    assert_eq!(status, StatusCode::CREATED, "{ok}");
    assert_eq!(ok["submission"]["state"], "submitted");
    assert_error(
        &hand_in_text(&c.bob, aid, "<p>А мне?</p>").await,
        StatusCode::CONFLICT,
        "past_cut_off",
    );
}

async fn students_never_read_each_others_work(db: Db) {
    let c = Class::new(db).await;
    let a = c.assignment(json!({})).await;
    let aid = id(&a);
    let (_, alice) = hand_in_text(&c.alice, aid, "<p>Секретный ответ</p>").await;
    let sid = id(&alice["submission"]).to_owned();
    let outsider = c.app.login_as(Role::Student, "outsider@example.ru").await;

    for who in [&c.bob, &outsider] {
        assert_error(
            &who.get(&format!("/api/v1/submissions/{sid}")).await,
            StatusCode::NOT_FOUND,
            "submission_not_found",
        );
        assert_error(
            &who.get(&format!("/api/v1/submissions/{sid}/history")).await,
            StatusCode::NOT_FOUND,
            "submission_not_found",
        );
        let grade = who
            .post(
                &format!("/api/v1/submissions/{sid}/grade"),
                json!({"raw_score": 0, "expected_version": 1}),
            )
            .await;
        assert!(
            [StatusCode::NOT_FOUND, StatusCode::FORBIDDEN].contains(&grade.0),
            "{grade:?}"
        );
        let ret = who
            .post(
                &format!("/api/v1/submissions/{sid}/return"),
                json!({"feedback": "<p>нет</p>", "expected_version": 1}),
            )
            .await;
        assert!(
            [StatusCode::NOT_FOUND, StatusCode::FORBIDDEN].contains(&ret.0),
            "{ret:?}"
        );
    }
    assert_error(
        &c.bob
            .get(&format!("/api/v1/assignments/{aid}/submissions"))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &outsider
            .get(&format!("/api/v1/assignments/{aid}/submissions"))
            .await,
        StatusCode::NOT_FOUND,
        "assignment_not_found",
    );
    let (_, mine) = c
        .bob
        .get(&format!("/api/v1/assignments/{aid}/submissions/me"))
        .await;
    assert_eq!(mine, Value::Null);
    let (_, view) = c.bob.get(&format!("/api/v1/assignments/{aid}")).await;
    assert_eq!(view["submission"], Value::Null);
    assert!(!view.to_string().contains("Секретный"));
    let (_, list) = c.bob.get(&c.assignments()).await;
    assert!(!list.to_string().contains("Секретный"));
    let (_, queue) = c.bob.get("/api/v1/grading-queue").await;
    assert_eq!(queue, json!([]));

    // Nothing changed for Alice.
    let (_, own) = c.alice.get(&format!("/api/v1/submissions/{sid}")).await;
    assert_eq!(own["state"], "submitted");
    assert_eq!(own["grade"], Value::Null);
}

async fn only_assistants_of_the_course_grade(db: Db) {
    let c = Class::new(db).await;
    let a = c.assignment(json!({})).await;
    let (_, alice) = hand_in_text(&c.alice, id(&a), "<p>Ответ</p>").await;
    let sid = id(&alice["submission"]).to_owned();

    let ours = c.app.login_as(Role::Assistant, "ours@example.ru").await;
    c.app
        .lms
        .courses
        .add_assistant(&c.teacher.user.actor(), c.course, ours.user.id)
        .await
        .unwrap();
    let other_teacher = c.app.login_as(Role::Teacher, "t2@example.ru").await;
    let physics = published_course(&c.app, &other_teacher, "Физика").await;
    let theirs = c.app.login_as(Role::Assistant, "theirs@example.ru").await;
    c.app
        .lms
        .courses
        .add_assistant(&other_teacher.user.actor(), physics, theirs.user.id)
        .await
        .unwrap();

    let grade = format!("/api/v1/submissions/{sid}/grade");
    for who in [&theirs, &other_teacher] {
        assert_error(
            &who.post(&grade, json!({"raw_score": 10, "expected_version": 1}))
                .await,
            StatusCode::NOT_FOUND,
            "submission_not_found",
        );
        assert_error(
            &who.get(&format!("/api/v1/submissions/{sid}")).await,
            StatusCode::NOT_FOUND,
            "submission_not_found",
        );
    }
    let (_, still) = c.alice.get(&format!("/api/v1/submissions/{sid}")).await;
    assert_eq!(still["state"], "submitted");

    let (status, graded) = ours
        .post(
            &grade,
            json!({"raw_score": 7, "feedback": "<p>Неплохо</p>", "expected_version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{graded}");
    assert_eq!(graded["grade"]["graded_by"], ours.id());
    // Assistants check work but do not manage assignments.
    assert_error(
        &ours
            .put(
                &format!("/api/v1/assignments/{}", id(&a)),
                json!({"title": "X", "due_at": a["due_at"], "max_score": 1}),
            )
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
}

async fn the_grading_queue_holds_work_waiting_for_a_grade(db: Db) {
    let c = Class::new(db).await;
    let a1 = c.assignment(json!({"title": "ДЗ 1"})).await;
    let a2 = c.assignment(json!({"title": "ДЗ 2"})).await;
    let (_, s1) = hand_in_text(&c.alice, id(&a1), "<p>1</p>").await;
    let (_, s2) = hand_in_text(&c.bob, id(&a1), "<p>2</p>").await;
    let (_, s3) = hand_in_text(&c.alice, id(&a2), "<p>3</p>").await;
    let (status, _) = c
        .teacher
        .post(
            &format!("/api/v1/submissions/{}/grade", id(&s2["submission"])),
            json!({"raw_score": 5, "expected_version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let waiting = |q: &Value| -> Vec<String> {
        q.as_array()
            .unwrap()
            .iter()
            .map(|p| p["submission"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, queue) = c.teacher.get("/api/v1/grading-queue").await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let ids = waiting(&queue);
    assert_eq!(ids.len(), 2, "{queue}");
    assert!(ids.contains(&id(&s1["submission"]).to_owned()));
    assert!(ids.contains(&id(&s3["submission"]).to_owned()));
    assert_eq!(queue[0]["course_id"], c.course.0.to_string());

    let (status, filtered) = c
        .teacher
        .get(&format!(
            "/api/v1/grading-queue?course_id={}&limit=1",
            c.course.0
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{filtered}");
    assert_eq!(filtered.as_array().unwrap().len(), 1);

    // Other teachers and students check nothing here.
    let other = c.app.login_as(Role::Teacher, "other@example.ru").await;
    let (_, theirs) = other.get("/api/v1/grading-queue").await;
    assert_eq!(theirs, json!([]));
    assert_error(
        &other
            .get(&format!("/api/v1/grading-queue?course_id={}", c.course.0))
            .await,
        StatusCode::NOT_FOUND,
        "course_not_found",
    );
    assert_error(
        &c.alice
            .get(&format!("/api/v1/grading-queue?course_id={}", c.course.0))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (_, mine) = c.alice.get("/api/v1/grading-queue").await;
    assert_eq!(mine, json!([]));
    let bad = c.teacher.get("/api/v1/grading-queue?course=x").await;
    assert_eq!(bad.0, StatusCode::BAD_REQUEST, "{}", bad.1);
}

/// An upload by `who` for a hand-in, as `POST /files` would store and
/// register it.
async fn upload(app: &TestApp, who: &Session, name: &str, size: u64) -> String {
    upload_for(app, who, name, size, FileOwner::Unattached).await
}

async fn upload_for(
    app: &TestApp,
    who: &Session,
    name: &str,
    size: u64,
    owner: FileOwner,
) -> String {
    let file = FileRef {
        id: FileId::new(),
        name: FileName::sanitize(name),
        content_type: "application/octet-stream".to_owned(),
        size,
        storage_key: format!("test/{}", uuid::Uuid::new_v4()),
        uploaded_by: who.user.id,
        uploaded_at: Utc::now(),
    };
    let mut w = app.files.create(&file.storage_key).await.unwrap();
    w.write(&vec![b'x'; usize::try_from(size).unwrap()])
        .await
        .unwrap();
    w.commit().await.unwrap();
    app.lms
        .files
        .register(&who.user.actor(), &file, owner)
        .await
        .unwrap();
    file.id.0.to_string()
}

async fn files_are_handed_in_by_id_within_the_limits(db: Db) {
    let c = Class::new(db).await;
    let a = c
        .assignment(json!({
            "submission_kind": "text_and_files",
            "file_limits": {"max_files": 2, "max_file_size": 1000, "allowed_extensions": ["pdf"]},
        }))
        .await;
    let path = format!("/api/v1/assignments/{}/submissions", id(&a));
    let answer = upload(&c.app, &c.alice, "ответ.pdf", 500).await;

    let (status, first) = c
        .alice
        .post(
            &path,
            json!({"text": "<p>См. файл</p>", "file_ids": [answer]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let sub = &first["submission"];
    assert_eq!(sub["versions"][0]["files"][0]["id"], answer.as_str());
    assert_eq!(sub["versions"][0]["files"][0]["name"], "ответ.pdf");
    assert_eq!(sub["versions"][0]["files"][0]["size"], 500);
    let sid = id(sub).to_owned();
    // The file now belongs to the submission: the teacher may download it.
    let file_id = FileId(answer.parse().unwrap());
    let (_, owner) = c
        .app
        .lms
        .storage()
        .files
        .get(file_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        owner.clone(),
        FileOwner::Submission(SubmissionId(sid.parse().unwrap()))
    );
    c.app
        .lms
        .files
        .authorize_download(&c.teacher.user.actor(), file_id)
        .await
        .unwrap();
    let (_, teacher_view) = c.teacher.get(&format!("/api/v1/submissions/{sid}")).await;
    assert_eq!(
        teacher_view["versions"][0]["files"][0]["id"],
        answer.as_str()
    );

    // A new version may keep the file and add another.
    let more = upload(&c.app, &c.alice, "more.PDF", 10).await;
    let (status, second) = c
        .alice
        .post(&path, json!({"file_ids": [answer, more]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(
        second["submission"]["versions"][1]["files"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        second["submission"]["versions"][0]["files"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the first version is unchanged"
    );

    // Limits, ownership and ids.
    let big = upload(&c.app, &c.alice, "big.pdf", 5000).await;
    assert_error(
        &c.alice.post(&path, json!({"file_ids": [big]})).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
    );
    let exe = upload(&c.app, &c.alice, "run.exe", 10).await;
    assert_error(
        &c.alice.post(&path, json!({"file_ids": [exe]})).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "file_type_not_allowed",
    );
    let extra = upload(&c.app, &c.alice, "extra.pdf", 10).await;
    assert_error(
        &c.alice
            .post(&path, json!({"file_ids": [answer, more, extra]}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "too_many_files",
    );
    let stolen = c.bob.post(&path, json!({"file_ids": [answer]})).await;
    assert_error(&stolen, StatusCode::NOT_FOUND, "file_not_found");
    assert_eq!(stolen.1["error"]["field"], "file_ids");
    let bad = c.alice.post(&path, json!({"file_ids": ["x"]})).await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(bad.1["error"]["field"], "file_ids");

    // A file handed in to one assignment cannot be reused for another, and
    // a text-only assignment takes no files.
    let other = c
        .assignment(json!({"submission_kind": "text_and_files"}))
        .await;
    assert_error(
        &c.alice
            .post(
                &format!("/api/v1/assignments/{}/submissions", id(&other)),
                json!({"file_ids": [answer]}),
            )
            .await,
        StatusCode::CONFLICT,
        "file_in_use",
    );
    let text_only = c.assignment(json!({})).await;
    let fresh = upload(&c.app, &c.alice, "fresh.pdf", 10).await;
    assert_error(
        &c.alice
            .post(
                &format!("/api/v1/assignments/{}/submissions", id(&text_only)),
                json!({"file_ids": [fresh]}),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "files_not_accepted",
    );
    let (_, mine) = c
        .alice
        .get(&format!("/api/v1/assignments/{}/submissions/me", id(&a)))
        .await;
    assert_eq!(mine["versions"].as_array().unwrap().len(), 2);
}

async fn teachers_attach_files_to_instructions(db: Db) {
    let c = Class::new(db).await;
    let a = c.assignment(json!({})).await;
    let aid = id(&a).to_owned();
    let path = format!("/api/v1/assignments/{aid}");
    let owner = FileOwner::Assignment(AssignmentId(aid.parse().unwrap()));
    let sheet = upload_for(&c.app, &c.teacher, "задачи.pdf", 100, owner).await;
    let body = |ids: Option<Vec<&str>>| {
        let mut b =
            json!({"title": "ДЗ", "due_at": a["due_at"], "max_score": 10, "published": true});
        if let Some(ids) = ids {
            b["attachment_ids"] = json!(ids);
        }
        b
    };
    let (status, updated) = c.teacher.put(&path, body(Some(vec![&sheet]))).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["attachments"][0]["id"], sheet.as_str());
    assert_eq!(updated["attachments"][0]["name"], "задачи.pdf");
    let (_, view) = c.alice.get(&path).await;
    assert_eq!(view["assignment"]["attachments"][0]["id"], sheet.as_str());
    // Left out, they stay; given, they are replaced.
    let (_, kept) = c.teacher.put(&path, body(None)).await;
    assert_eq!(kept["attachments"].as_array().unwrap().len(), 1);
    // The teacher's own draft becomes the assignment's; someone else's
    // draft is refused.
    let draft = upload(&c.app, &c.teacher, "черновик.pdf", 10).await;
    let (status, adopted) = c.teacher.put(&path, body(Some(vec![&sheet, &draft]))).await;
    assert_eq!(status, StatusCode::OK, "{adopted}");
    assert_eq!(adopted["attachments"][1]["id"], draft.as_str());
    let (_, view) = c.alice.get(&path).await;
    assert_eq!(view["assignment"]["attachments"][1]["id"], draft.as_str());
    let foreign = upload(&c.app, &c.alice, "чужой.pdf", 10).await;
    let refused = c.teacher.put(&path, body(Some(vec![&foreign]))).await;
    assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(refused.1["error"]["field"], "attachment_ids");
    assert_eq!(
        refused.1["error"]["message"],
        format!("attachment_ids: file {foreign} was not uploaded for this assignment")
    );
    // A repeated id is attached once.
    let (_, once) = c.teacher.put(&path, body(Some(vec![&sheet, &sheet]))).await;
    assert_eq!(once["attachments"].as_array().unwrap().len(), 1);
    let created = c
        .teacher
        .post(
            &c.assignments(),
            json!({"title": "X", "due_at": a["due_at"], "max_score": 1, "attachment_ids": [sheet]}),
        )
        .await;
    assert_error(&created, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(created.1["error"]["field"], "attachment_ids");
    let (_, cleared) = c.teacher.put(&path, body(Some(vec![]))).await;
    assert_eq!(cleared["attachments"], json!([]));
}

on_both!(
    teachers_attach_files_to_instructions,
    files_are_handed_in_by_id_within_the_limits,
    teacher_creates_and_updates_assignments,
    students_hand_in_resubmit_and_see_their_grade,
    returned_work_is_resubmitted,
    late_work_and_extensions,
    the_cut_off_closes_hand_ins_unless_extended,
    students_never_read_each_others_work,
    only_assistants_of_the_course_grade,
    the_grading_queue_holds_work_waiting_for_a_grade,
);
