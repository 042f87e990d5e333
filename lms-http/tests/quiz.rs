//! Quizzes through the API: authoring every question kind, taking attempts
//! with autosave and server deadlines, what a student may see before and
//! after answers are revealed, attempt limits, staff views and essay grading.

mod common;

use chrono::{Duration, Utc};
use common::{Db, Session, TestApp, assert_error};
use lms_core::course::{CourseStatus, NewCourse, Title};
use lms_core::quiz::{Attempt, AttemptState};
use lms_core::richtext::RichText;
use lms_core::{AttemptId, OptionId, QuestionId, QuizId, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A published course with its teacher, two enrolled students, a student
/// of no course and a teacher of another course.
struct Class {
    app: TestApp,
    teacher: Session,
    s1: Session,
    s2: Session,
    outsider: Session,
    other_teacher: Session,
    assistant: Session,
    course: String,
}

async fn class(db: Db) -> Class {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "teacher@example.ru").await;
    let s1 = app.login_as(Role::Student, "s1@example.ru").await;
    let s2 = app.login_as(Role::Student, "s2@example.ru").await;
    let outsider = app.login_as(Role::Student, "out@example.ru").await;
    let other_teacher = app.login_as(Role::Teacher, "other@example.ru").await;
    let assistant = app.login_as(Role::Assistant, "curator@example.ru").await;
    let actor = teacher.user.actor();
    let course = app
        .lms
        .courses
        .create_course(
            &actor,
            NewCourse {
                title: Title::parse("Физика").unwrap(),
                description: RichText::from_plain_text("Курс"),
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
    for s in [&s1, &s2] {
        app.lms
            .courses
            .enroll_student(&actor, course.id, s.user.id)
            .await
            .unwrap();
    }
    app.lms
        .courses
        .add_assistant(&actor, course.id, assistant.user.id)
        .await
        .unwrap();
    Class {
        app,
        teacher,
        s1,
        s2,
        outsider,
        other_teacher,
        assistant,
        course: course.id.to_string(),
    }
}

fn id() -> String {
    OptionId::new().to_string()
}

/// The ids of a question set, to answer it.
struct Keys {
    single: (String, String),        // (question, right option)
    multiple: (String, [String; 2]), // (question, right options)
    true_false: String,              // right answer is false
    short: String,                   // accepts "Ёлка"
    numeric: String,                 // 9.81 ± 0.01
    matching: (String, Vec<(String, String)>),
    ordering: (String, Vec<String>), // right order
    essay: String,                   // 3 points
}

/// Adds one question of every kind (14 points in all) and returns the keys.
async fn add_every_kind(teacher: &Session, quiz: &str) -> Keys {
    let q = format!("/api/v1/quizzes/{quiz}/questions");
    let add = |body: Value, points: f64, prompt: &'static str| {
        let q = q.clone();
        async move {
            let r = teacher
                .post(
                    &q,
                    json!({"prompt": format!("<p>{prompt}</p>"), "points": points, "body": body,
                           "explanation": "<p>EXPLANATION-MARKER</p>"}),
                )
                .await;
            assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
            r.1["id"].as_str().unwrap().to_owned()
        }
    };
    let (a, b, c) = (id(), id(), id());
    let single = add(
        json!({"kind": "single_choice", "options": [{"id": a, "text": "Марс"}, {"id": b, "text": "Земля"}, {"id": c, "text": "Венера"}], "correct": b}),
        2.0,
        "Третья планета?",
    )
    .await;
    let (m1, m2, m3) = (id(), id(), id());
    let multiple = add(
        json!({"kind": "multiple_choice", "options": [{"id": m1, "text": "Протон"}, {"id": m2, "text": "Фотон"}, {"id": m3, "text": "Нейтрон"}], "correct": [m1, m3]}),
        2.0,
        "Что в ядре?",
    )
    .await;
    let true_false = add(
        json!({"kind": "true_false", "correct": false}),
        1.0,
        "Луна — звезда?",
    )
    .await;
    let short = add(
        json!({"kind": "short_text", "accepted": ["Ёлка"]}),
        1.0,
        "Хвойное дерево?",
    )
    .await;
    let numeric = add(
        json!({"kind": "numeric", "value": NUMERIC_KEY, "tolerance": 0.01}),
        1.0,
        "Ускорение свободного падения?",
    )
    .await;
    let pairs: Vec<(String, String)> = (0..3).map(|_| (id(), id())).collect();
    let names = [("Вода", "H2O"), ("Соль", "NaCl"), ("Газ", "CO2")];
    let matching = add(
        json!({"kind": "matching", "pairs": pairs.iter().zip(names).map(|((l, r), (ln, rn))| json!({"left": {"id": l, "text": ln}, "right": {"id": r, "text": rn}})).collect::<Vec<_>>()}),
        2.0,
        "Сопоставьте",
    )
    .await;
    let order: Vec<String> = (0..3).map(|_| id()).collect();
    let ordering = add(
        json!({"kind": "ordering", "items": order.iter().zip(["Один", "Два", "Три"]).map(|(i, t)| json!({"id": i, "text": t})).collect::<Vec<_>>()}),
        2.0,
        "По порядку",
    )
    .await;
    let essay = add(json!({"kind": "essay"}), 3.0, "Эссе о космосе").await;
    Keys {
        single: (single, b),
        multiple: (multiple, [m1, m3]),
        true_false,
        short,
        numeric,
        matching: (matching, pairs),
        ordering: (ordering, order),
        essay,
    }
}

/// Answers: everything right except true/false (10 of the 11 automatic
/// points), plus an essay.
fn answers(k: &Keys) -> Value {
    let mut map = serde_json::Map::new();
    // Sorted: sets come back in id order.
    let mut multiple = k.multiple.1.clone();
    multiple.sort();
    map.insert(
        k.single.0.clone(),
        json!({"kind": "single_choice", "value": k.single.1}),
    );
    map.insert(
        k.multiple.0.clone(),
        json!({"kind": "multiple_choice", "value": multiple}),
    );
    map.insert(
        k.true_false.clone(),
        json!({"kind": "true_false", "value": true}),
    );
    map.insert(
        k.short.clone(),
        json!({"kind": "short_text", "value": "  елка "}),
    );
    map.insert(
        k.numeric.clone(),
        json!({"kind": "numeric", "value": 9.806}),
    );
    let pairs: serde_json::Map<String, Value> = k
        .matching
        .1
        .iter()
        .map(|(l, r)| (l.clone(), json!(r)))
        .collect();
    map.insert(
        k.matching.0.clone(),
        json!({"kind": "matching", "value": pairs}),
    );
    map.insert(
        k.ordering.0.clone(),
        json!({"kind": "ordering", "value": k.ordering.1}),
    );
    map.insert(
        k.essay.clone(),
        json!({"kind": "essay", "value": "Космос огромен."}),
    );
    json!({ "answers": map })
}

/// Texts that would give an answer key away.
const SECRETS: [&str; 4] = ["Ёлка", "EXPLANATION-MARKER", "accepted", "tolerance"];

/// The numeric question's correct value.
const NUMERIC_KEY: f64 = 9.81;

/// Whether `value` carries the numeric key anywhere: as a number, or inside
/// a string other than an instant (whose seconds, e.g. `19.8123Z`, may
/// contain the same digits by chance).
fn carries_numeric_key(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.as_f64() == Some(NUMERIC_KEY),
        Value::String(s) => s.contains("9.81") && chrono::DateTime::parse_from_rfc3339(s).is_err(),
        Value::Array(items) => items.iter().any(carries_numeric_key),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains("9.81") || carries_numeric_key(v)),
        Value::Bool(_) | Value::Null => false,
    }
}

/// What a student sees during or after an attempt before answers are
/// revealed: no correct answers, no answer key, no per-question scores.
fn assert_no_answer_key(body: &Value) {
    let text = body.to_string();
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(!carries_numeric_key(body), "9.81 leaked: {text}");
    for marker in ["per_question", "\"status\":", "\"pairs\""] {
        assert!(!text.contains(marker), "{marker} leaked: {text}");
    }
}

async fn create_quiz(teacher: &Session, course: &str, settings: Value) -> String {
    let r = teacher
        .post(
            &format!("/api/v1/courses/{course}/quizzes"),
            json!({"title": "Контрольная", "description": "<p>Удачи!</p><script>x()</script>", "settings": settings}),
        )
        .await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
    assert_eq!(r.1["published"], false);
    assert!(!r.1["description"].as_str().unwrap().contains("script"));
    r.1["id"].as_str().unwrap().to_owned()
}

async fn publish(teacher: &Session, quiz: &str) {
    let r = teacher
        .put(
            &format!("/api/v1/quizzes/{quiz}/published"),
            json!({"published": true}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(r.1["published"], true);
}

async fn teacher_authors_quizzes_and_questions(db: Db) {
    let c = class(db).await;
    let t = &c.teacher;
    let base = format!("/api/v1/courses/{}/quizzes", c.course);

    // Every quiz route is in the OpenAPI document.
    let doc: Value = reqwest::get(c.app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, methods) in [
        ("/courses/{course_id}/quizzes", &["get", "post"][..]),
        ("/quizzes/{quiz_id}", &["get", "put"]),
        ("/quizzes/{quiz_id}/published", &["put"]),
        ("/quizzes/{quiz_id}/questions", &["get", "post"]),
        (
            "/quizzes/{quiz_id}/questions/{question_id}",
            &["put", "delete"],
        ),
        ("/quizzes/{quiz_id}/questions/order", &["put"]),
        ("/quizzes/{quiz_id}/attempts", &["get", "post"]),
        ("/quizzes/{quiz_id}/attempts/me", &["get"]),
        ("/attempts/{attempt_id}", &["get"]),
        ("/attempts/{attempt_id}/answers", &["put"]),
        ("/attempts/{attempt_id}/submit", &["post"]),
        ("/attempts/{attempt_id}/review", &["get"]),
        ("/attempts/{attempt_id}/essay-grades", &["post"]),
    ] {
        for m in methods {
            assert!(
                doc["paths"][format!("/api/v1{path}")][m].is_object(),
                "{m} {path} missing from the document"
            );
        }
    }

    // Validation names the field.
    let bad = t.post(&base, json!({"title": "  "})).await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(bad.1["error"]["field"], "title");
    let bad = t
        .post(
            &base,
            json!({"title": "Тест", "settings": {"opens_at": "2030-01-02T00:00:00Z", "closes_at": "2030-01-01T00:00:00Z"}}),
        )
        .await;
    assert_error(
        &bad,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_quiz_settings",
    );
    assert_eq!(bad.1["error"]["field"], "settings");
    let bad = t
        .post(&base, json!({"title": "Тест", "settings": {"attempts": 3}}))
        .await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.1);

    // Other teachers and students cannot create quizzes here.
    let r = c.other_teacher.post(&base, json!({"title": "Чужой"})).await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
    let r = c.s1.post(&base, json!({"title": "Мой"})).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");

    let quiz = create_quiz(
        t,
        &c.course,
        json!({"time_limit_minutes": 30, "attempts_allowed": 2, "scoring": "last", "reveal": "never"}),
    )
    .await;
    let got = t.get(&format!("/api/v1/quizzes/{quiz}")).await;
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    assert_eq!(got.1["quiz"]["settings"]["time_limit_minutes"], 30);
    assert_eq!(got.1["quiz"]["settings"]["attempts_allowed"], 2);
    assert_eq!(got.1["quiz"]["settings"]["scoring"], "last");
    assert_eq!(got.1["quiz"]["settings"]["reveal"], "never");
    assert_eq!(got.1["quiz"]["settings"]["shuffle_questions"], false);

    // Unpublished: students do not see it.
    let r = c.s1.get(&format!("/api/v1/quizzes/{quiz}")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "quiz_not_found");
    let list = c.s1.get(&base).await;
    assert_eq!(list.0, StatusCode::OK);
    assert_eq!(list.1.as_array().unwrap().len(), 0);

    // Update replaces title and settings; unlimited attempts with null.
    let r = t
        .put(
            &format!("/api/v1/quizzes/{quiz}"),
            json!({"title": "Итоговый тест", "settings": {"attempts_allowed": null, "shuffle_questions": true}}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(r.1["title"], "Итоговый тест");
    assert_eq!(r.1["settings"]["attempts_allowed"], Value::Null);
    let got = t.get(&format!("/api/v1/quizzes/{quiz}")).await;
    assert_eq!(got.1["quiz"]["title"], "Итоговый тест");
    assert_eq!(got.1["quiz"]["settings"]["shuffle_questions"], true);
    assert_eq!(got.1["quiz"]["settings"]["time_limit_minutes"], Value::Null);
    let r = c
        .other_teacher
        .put(&format!("/api/v1/quizzes/{quiz}"), json!({"title": "X"}))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "quiz_not_found");

    // Questions of every kind.
    let keys = add_every_kind(t, &quiz).await;
    let qs = format!("/api/v1/quizzes/{quiz}/questions");
    let listed = t.get(&qs).await;
    assert_eq!(listed.0, StatusCode::OK);
    let kinds: Vec<&str> = listed
        .1
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["body"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "single_choice",
            "multiple_choice",
            "true_false",
            "short_text",
            "numeric",
            "matching",
            "ordering",
            "essay"
        ]
    );
    assert_eq!(
        listed.1[0]["body"]["correct"], keys.single.1,
        "staff see keys"
    );
    let got = t.get(&format!("/api/v1/quizzes/{quiz}")).await;
    assert_eq!(got.1["question_count"], 8);
    assert_eq!(got.1["max_score"], 14.0);

    // Invalid questions.
    let bad = t
        .post(
            &qs,
            json!({"prompt": "<p>?</p>", "points": 1, "body": {"kind": "single_choice", "options": [{"id": id(), "text": "a"}, {"id": id(), "text": "b"}], "correct": id()}}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_question");
    let bad = t
        .post(
            &qs,
            json!({"prompt": "<p>?</p>", "points": -1, "body": {"kind": "essay"}}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(bad.1["error"]["field"], "points");
    let bad = t
        .post(
            &qs,
            json!({"prompt": "<p></p>", "points": 1, "body": {"kind": "essay"}}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_question");
    let bad = t
        .post(
            &qs,
            json!({"prompt": "<p>?</p>", "points": 1, "body": {"kind": "drawing"}}),
        )
        .await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.1);

    // Update, reorder, delete.
    let q_url = format!("{qs}/{}", keys.true_false);
    let r = t
        .put(
            &q_url,
            json!({"prompt": "<p>Солнце — звезда?</p>", "points": 1.5, "body": {"kind": "true_false", "correct": true}}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(r.1["points"], 1.5);
    assert_eq!(r.1["body"]["correct"], true);
    let r = t
        .put(
            &format!("{qs}/{}", QuestionId::new()),
            json!({"prompt": "<p>?</p>", "points": 1, "body": {"kind": "essay"}}),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "question_not_found");

    let mut ids: Vec<String> = listed
        .1
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_owned())
        .collect();
    ids.reverse();
    let r = t
        .put(&format!("{qs}/order"), json!({"question_ids": ids}))
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    let after: Vec<&str> =
        r.1.as_array()
            .unwrap()
            .iter()
            .map(|q| q["id"].as_str().unwrap())
            .collect();
    assert_eq!(after, ids);
    let r = t
        .put(&format!("{qs}/order"), json!({"question_ids": &ids[1..]}))
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_question_order",
    );

    let r = t.delete(&format!("{qs}/{}", keys.essay)).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT);
    let listed = t.get(&qs).await;
    assert_eq!(listed.1.as_array().unwrap().len(), 7);
    assert_eq!(listed.1[0]["id"], keys.ordering.0, "the new order stays");
    let r = t.delete(&format!("{qs}/{}", keys.essay)).await;
    assert_error(&r, StatusCode::NOT_FOUND, "question_not_found");

    // Publishing shows the quiz to students; questions with keys stay staff-only.
    publish(t, &quiz).await;
    let list = c.s1.get(&base).await;
    assert_eq!(list.1.as_array().unwrap().len(), 1);
    assert_eq!(list.1[0]["can_start_now"], true);
    let r = c.s1.get(&qs).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = c.outsider.get(&qs).await;
    assert_error(&r, StatusCode::NOT_FOUND, "quiz_not_found");
    let r = c.outsider.get(&format!("/api/v1/quizzes/{quiz}")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "quiz_not_found");
    for r in [
        c.s1.post(
            &qs,
            json!({"prompt": "<p>?</p>", "points": 1, "body": {"kind": "essay"}}),
        )
        .await,
        c.s1.delete(&format!("{qs}/{}", keys.single.0)).await,
        c.s1.put(
            &format!("/api/v1/quizzes/{quiz}/published"),
            json!({"published": false}),
        )
        .await,
    ] {
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    }
    let r = c
        .assistant
        .post(
            &qs,
            json!({"prompt": "<p>?</p>", "points": 1, "body": {"kind": "essay"}}),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let by_assistant = c.assistant.get(&qs).await;
    assert_eq!(by_assistant.0, StatusCode::OK, "assistants are staff");
    let r = c
        .other_teacher
        .post(
            &qs,
            json!({"prompt": "<p>?</p>", "points": 1, "body": {"kind": "essay"}}),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "quiz_not_found");
    let r =
        c.s1.get(&format!("/api/v1/quizzes/{}", QuizId::new()))
            .await;
    assert_error(&r, StatusCode::NOT_FOUND, "quiz_not_found");
}

async fn student_takes_a_quiz_and_sees_answers_only_when_revealed(db: Db) {
    let c = class(db).await;
    let t = &c.teacher;
    let closes_at = Utc::now() + Duration::days(7);
    let quiz = create_quiz(
        t,
        &c.course,
        json!({"time_limit_minutes": 45, "attempts_allowed": 1, "reveal": "after_close", "closes_at": closes_at, "shuffle_questions": true, "shuffle_options": true}),
    )
    .await;
    let keys = add_every_kind(t, &quiz).await;
    let r =
        c.s1.post(&format!("/api/v1/quizzes/{quiz}/attempts"), json!({}))
            .await;
    assert_error(&r, StatusCode::NOT_FOUND, "quiz_not_found");
    publish(t, &quiz).await;

    // Start: a server deadline and questions without keys.
    let started =
        c.s1.post(&format!("/api/v1/quizzes/{quiz}/attempts"), json!({}))
            .await;
    assert_eq!(started.0, StatusCode::CREATED, "{}", started.1);
    let attempt = started.1["attempt_id"].as_str().unwrap().to_owned();
    assert_eq!(started.1["state"], "open");
    let start: chrono::DateTime<Utc> =
        serde_json::from_value(started.1["started_at"].clone()).unwrap();
    let deadline: chrono::DateTime<Utc> =
        serde_json::from_value(started.1["deadline"].clone()).unwrap();
    assert_eq!(deadline - start, Duration::minutes(45));
    assert!(started.1["server_time"].is_string());
    assert_eq!(started.1["questions"].as_array().unwrap().len(), 8);
    assert_no_answer_key(&started.1);
    assert!(!started.1.to_string().contains("correct"));

    // Nobody starts twice meanwhile; others cannot start without enrolment.
    let again =
        c.s1.post(&format!("/api/v1/quizzes/{quiz}/attempts"), json!({}))
            .await;
    assert_error(&again, StatusCode::CONFLICT, "resume_open_attempt");
    let overview = c.s1.get(&format!("/api/v1/quizzes/{quiz}")).await;
    assert_eq!(overview.1["open_attempt"], attempt.as_str());
    let r = c
        .outsider
        .post(&format!("/api/v1/quizzes/{quiz}/attempts"), json!({}))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "quiz_not_found");
    let r = t
        .post(&format!("/api/v1/quizzes/{quiz}/attempts"), json!({}))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");

    // Autosave, read back.
    let a_url = format!("/api/v1/attempts/{attempt}");
    let first =
        json!({"answers": {keys.true_false.clone(): {"kind": "true_false", "value": false}}});
    let saved = c.s1.put(&format!("{a_url}/answers"), first).await;
    assert_eq!(saved.0, StatusCode::OK, "{}", saved.1);
    assert!(saved.1["saved_at"].is_string());
    let full = answers(&keys);
    let saved = c.s1.put(&format!("{a_url}/answers"), full.clone()).await;
    assert_eq!(saved.0, StatusCode::OK, "{}", saved.1);
    assert_no_answer_key(&saved.1);
    let got = c.s1.get(&a_url).await;
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    assert_eq!(got.1["answers"], full["answers"]);
    assert_eq!(got.1["answers"][&keys.short]["value"], "  елка ");
    assert_eq!(got.1["state"], "open");
    assert_no_answer_key(&got.1);
    assert!(!got.1.to_string().contains("correct"));

    // Wrong answers are refused whole.
    let bad =
        c.s1.put(
            &format!("{a_url}/answers"),
            json!({"answers": {keys.single.0.clone(): {"kind": "single_choice", "value": id()}}}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_answer");
    let bad =
        c.s1.put(
            &format!("{a_url}/answers"),
            json!({"answers": {QuestionId::new().to_string(): {"kind": "essay", "value": "x"}}}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_answer");
    assert_eq!(c.s1.get(&a_url).await.1["answers"], full["answers"]);

    // Another student sees nothing of this attempt; staff use the review.
    for r in [
        c.s2.get(&a_url).await,
        c.s2.get(&format!("{a_url}/review")).await,
        c.s2.put(&format!("{a_url}/answers"), json!({"answers": {}}))
            .await,
        c.s2.post(&format!("{a_url}/submit"), json!({})).await,
        c.outsider.get(&format!("{a_url}/review")).await,
        c.other_teacher.get(&format!("{a_url}/review")).await,
        t.get(&a_url).await,
    ] {
        assert_error(&r, StatusCode::NOT_FOUND, "attempt_not_found");
    }

    // Submit: totals only (everything but true/false; the essay waits).
    let out =
        c.s1.post(
            &format!("{a_url}/submit"),
            json!({"idempotency_key": "sub-1"}),
        )
        .await;
    assert_eq!(out.0, StatusCode::OK, "{}", out.1);
    assert_eq!(out.1["attempt"]["state"], "submitted");
    assert_eq!(out.1["attempt"]["result"]["score"], 10.0);
    assert_eq!(out.1["attempt"]["result"]["max_score"], 14.0);
    assert_eq!(out.1["attempt"]["result"]["pending_manual"], true);
    assert_eq!(out.1["quiz_score"], 10.0);
    assert_eq!(out.1["attempts_left"], 0);
    assert_eq!(out.1["perfect"], false);
    assert_no_answer_key(&out.1);
    // A retried submit with the same key gets the same result; others 409.
    let retry =
        c.s1.post(
            &format!("{a_url}/submit"),
            json!({"idempotency_key": "sub-1"}),
        )
        .await;
    assert_eq!(retry.0, StatusCode::OK, "{}", retry.1);
    assert_eq!(retry.1["attempt"], out.1["attempt"]);
    let r = c.s1.post(&format!("{a_url}/submit"), json!({})).await;
    assert_error(&r, StatusCode::CONFLICT, "attempt_already_finished");
    let r =
        c.s1.put(&format!("{a_url}/answers"), json!({"answers": {}}))
            .await;
    assert_error(&r, StatusCode::CONFLICT, "attempt_closed");

    // The attempt limit.
    let r =
        c.s1.post(&format!("/api/v1/quizzes/{quiz}/attempts"), json!({}))
            .await;
    assert_error(&r, StatusCode::CONFLICT, "attempt_limit_reached");
    let overview = c.s1.get(&format!("/api/v1/quizzes/{quiz}")).await;
    assert_eq!(overview.1["can_start_now"], false);
    assert_eq!(overview.1["attempts_left"], 0);

    // Before the quiz closes: no keys, no per-question scores.
    let hidden = c.s1.get(&format!("{a_url}/review")).await;
    assert_eq!(hidden.0, StatusCode::OK, "{}", hidden.1);
    assert_eq!(hidden.1["answers_revealed"], false);
    assert_eq!(hidden.1["attempt"]["result"]["score"], 10.0);
    assert_no_answer_key(&hidden.1);
    for item in hidden.1["items"].as_array().unwrap() {
        assert_eq!(item["correct"], Value::Null, "{item}");
        assert_eq!(item["score"], Value::Null, "{item}");
        assert_eq!(item["explanation"], Value::Null, "{item}");
    }
    let mine =
        c.s1.get(&format!("/api/v1/quizzes/{quiz}/attempts/me"))
            .await;
    assert_eq!(mine.0, StatusCode::OK);
    assert_eq!(mine.1.as_array().unwrap().len(), 1);
    assert_eq!(mine.1[0]["result"]["score"], 10.0);
    assert_no_answer_key(&mine.1);
    let got = c.s1.get(&a_url).await;
    assert_eq!(got.1["state"], "submitted");
    assert_eq!(got.1["result"]["score"], 10.0);
    assert_no_answer_key(&got.1);

    // Staff see every attempt and full reviews; students may not list them.
    let s2_attempt =
        c.s2.post(&format!("/api/v1/quizzes/{quiz}/attempts"), json!({}))
            .await;
    assert_eq!(s2_attempt.0, StatusCode::CREATED);
    let all = t.get(&format!("/api/v1/quizzes/{quiz}/attempts")).await;
    assert_eq!(all.0, StatusCode::OK, "{}", all.1);
    let students: Vec<&str> = all
        .1
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["student_id"].as_str().unwrap())
        .collect();
    assert_eq!(students.len(), 2);
    assert!(students.contains(&c.s1.id().as_str()) && students.contains(&c.s2.id().as_str()));
    let by_assistant = c
        .assistant
        .get(&format!("/api/v1/quizzes/{quiz}/attempts"))
        .await;
    assert_eq!(by_assistant.0, StatusCode::OK, "{}", by_assistant.1);
    assert_eq!(by_assistant.1, all.1);
    let r = c.s1.get(&format!("/api/v1/quizzes/{quiz}/attempts")).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = c
        .other_teacher
        .get(&format!("/api/v1/quizzes/{quiz}/attempts"))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "quiz_not_found");
    let staff = t.get(&format!("{a_url}/review")).await;
    assert_eq!(staff.0, StatusCode::OK, "{}", staff.1);
    assert_eq!(staff.1["answers_revealed"], true);
    assert!(staff.1.to_string().contains("Ёлка"));

    // Essay grading by the teacher updates the total.
    let grade = |who: &Session, question: &str, points: f64| {
        let who = who.clone();
        let url = format!("{a_url}/essay-grades");
        let body = json!({"question_id": question, "points": points});
        async move { who.post(&url, body).await }
    };
    let r = grade(&c.s1, &keys.essay, 3.0).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = grade(&c.s2, &keys.essay, 3.0).await;
    assert_error(&r, StatusCode::NOT_FOUND, "attempt_not_found");
    let r = grade(t, &keys.essay, 3.5).await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "points_above_max");
    assert_eq!(r.1["error"]["field"], "points");
    let r = grade(t, &keys.single.0, 1.0).await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "not_an_essay");
    let r = grade(&c.assistant, &keys.essay, 1.0).await;
    assert_eq!(r.0, StatusCode::OK, "assistants grade too: {}", r.1);
    assert_eq!(r.1["attempt"]["result"]["score"], 11.0);
    let r = grade(t, &keys.essay, 2.5).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(r.1["attempt"]["result"]["score"], 12.5);
    assert_eq!(r.1["attempt"]["result"]["pending_manual"], false);
    let essay_item = r.1["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["question"]["id"] == keys.essay.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        essay_item["score"],
        json!({"status": "scored", "points": 2.5})
    );
    let mine =
        c.s1.get(&format!("/api/v1/quizzes/{quiz}/attempts/me"))
            .await;
    assert_eq!(mine.1[0]["result"]["score"], 12.5);
    assert_eq!(mine.1[0]["result"]["pending_manual"], false);
    let hidden = c.s1.get(&format!("{a_url}/review")).await;
    assert_eq!(hidden.1["attempt"]["result"]["score"], 12.5);
    assert_no_answer_key(&hidden.1);
    let s2_url = format!(
        "/api/v1/attempts/{}/essay-grades",
        s2_attempt.1["attempt_id"].as_str().unwrap()
    );
    let r = t
        .post(&s2_url, json!({"question_id": keys.essay, "points": 1}))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "attempt_not_finished");

    // Once the quiz has closed, the review shows keys, scores, explanations.
    let r = t
        .put(
            &format!("/api/v1/quizzes/{quiz}"),
            json!({"title": "Контрольная", "settings": {"time_limit_minutes": 45, "reveal": "after_close", "closes_at": Utc::now() - Duration::seconds(1)}}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    let shown = c.s1.get(&format!("{a_url}/review")).await;
    assert_eq!(shown.0, StatusCode::OK, "{}", shown.1);
    assert_eq!(shown.1["answers_revealed"], true);
    let text = shown.1.to_string();
    assert!(text.contains("Ёлка") && text.contains("EXPLANATION-MARKER"));
    let item = |q: &str| {
        shown.1["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["question"]["id"] == q)
            .unwrap()
            .clone()
    };
    assert_eq!(
        item(&keys.true_false)["correct"],
        json!({"kind": "true_false", "value": false})
    );
    assert_eq!(
        item(&keys.true_false)["score"],
        json!({"status": "scored", "points": 0.0})
    );
    assert_eq!(
        item(&keys.single.0)["correct"],
        json!({"kind": "single_choice", "option": keys.single.1})
    );
    assert_eq!(item(&keys.essay)["correct"], Value::Null);
    assert_eq!(
        item(&keys.essay)["answer"],
        json!({"kind": "essay", "value": "Космос огромен."})
    );
}

async fn reveal_after_attempt_and_server_deadlines(db: Db) {
    let c = class(db).await;
    let t = &c.teacher;
    let quiz = create_quiz(
        t,
        &c.course,
        json!({"attempts_allowed": null, "reveal": "after_attempt", "time_limit_minutes": 1}),
    )
    .await;
    let r =
        c.s1.post(&format!("/api/v1/quizzes/{quiz}/attempts"), json!({}))
            .await;
    assert_error(&r, StatusCode::NOT_FOUND, "quiz_not_found");
    publish(t, &quiz).await;
    let r =
        c.s1.post(&format!("/api/v1/quizzes/{quiz}/attempts"), json!({}))
            .await;
    assert_error(&r, StatusCode::CONFLICT, "quiz_has_no_questions");
    let keys = add_every_kind(t, &quiz).await;

    // After an attempt, its review reveals answers at once under this policy.
    let started =
        c.s1.post(&format!("/api/v1/quizzes/{quiz}/attempts"), json!({}))
            .await;
    assert_eq!(started.0, StatusCode::CREATED, "{}", started.1);
    let attempt = started.1["attempt_id"].as_str().unwrap().to_owned();
    let a_url = format!("/api/v1/attempts/{attempt}");
    let review = c.s1.get(&format!("{a_url}/review")).await;
    assert_eq!(review.0, StatusCode::OK);
    assert_eq!(review.1["answers_revealed"], false, "not while open");
    assert_no_answer_key(&review.1);
    let r = c.s1.put(&format!("{a_url}/answers"), answers(&keys)).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    // Submit without a body, with the key in the header.
    let out =
        c.s1.request(reqwest::Method::POST, &format!("{a_url}/submit"))
            .header("Idempotency-Key", "hdr-1")
            .send()
            .await
            .unwrap();
    assert_eq!(out.status(), StatusCode::OK);
    let out: Value = out.json().await.unwrap();
    assert_eq!(out["attempt"]["result"]["score"], 10.0);
    assert_eq!(out["attempts_left"], Value::Null, "unlimited");
    let shown = c.s1.get(&format!("{a_url}/review")).await;
    assert_eq!(shown.1["answers_revealed"], true);
    assert!(shown.1.to_string().contains("Ёлка"));

    // An attempt past its server deadline cannot save and is finished with
    // what was saved (arranged in storage: the limit is a minute).
    let questions = t.get(&format!("/api/v1/quizzes/{quiz}/questions")).await;
    let order: Vec<QuestionId> = questions
        .1
        .as_array()
        .unwrap()
        .iter()
        .map(|q| serde_json::from_value(q["id"].clone()).unwrap())
        .collect();
    let now = Utc::now();
    let late = Attempt {
        id: AttemptId::new(),
        quiz_id: quiz.parse().unwrap(),
        student_id: c.s2.user.id,
        number: 0,
        seed: 7,
        question_order: order,
        drawn: Vec::new(),
        started_at: now - Duration::minutes(2),
        deadline: Some(now - Duration::minutes(1)),
        state: AttemptState::Open,
        answers: Default::default(),
        saved_at: None,
        finished_at: None,
        result: None,
        submit_key: None,
    };
    let late = c
        .app
        .lms
        .storage()
        .quizzes
        .start_attempt(&late, None)
        .await
        .unwrap();
    let late_url = format!("/api/v1/attempts/{}", late.id);
    let r =
        c.s2.put(&format!("{late_url}/answers"), answers(&keys))
            .await;
    assert_error(&r, StatusCode::CONFLICT, "attempt_closed");
    let got = c.s2.get(&late_url).await;
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    assert_eq!(got.1["state"], "auto_submitted");
    assert_eq!(got.1["answers"], json!({}));
    assert_eq!(got.1["result"]["score"], 0.0);
    let r = c.s2.post(&format!("{late_url}/submit"), json!({})).await;
    assert_error(&r, StatusCode::CONFLICT, "attempt_already_finished");
    // Unlimited attempts: a new one starts with a fresh one-minute deadline.
    let again =
        c.s2.post(&format!("/api/v1/quizzes/{quiz}/attempts"), json!({}))
            .await;
    assert_eq!(again.0, StatusCode::CREATED, "{}", again.1);
    assert_eq!(again.1["number"], 2);
    let start: chrono::DateTime<Utc> =
        serde_json::from_value(again.1["started_at"].clone()).unwrap();
    let deadline: chrono::DateTime<Utc> =
        serde_json::from_value(again.1["deadline"].clone()).unwrap();
    assert_eq!(deadline - start, Duration::minutes(1));
}

/// Essays waiting for a grade are queued next to homework, scoped like the
/// homework queue: the owner sees every student's, a mentor their group's,
/// a student none; grading the essay takes the attempt off the queue. The
/// staff list of a quiz's attempts names the students.
async fn essays_wait_in_the_grading_queue(db: Db) {
    let c = class(db).await;
    let t = &c.teacher;
    // Group A (the assistant mentors it) has s1, group B s2.
    let mut groups = Vec::new();
    for (name, mentors) in [
        ("Группа А", json!([c.assistant.id()])),
        ("Группа Б", json!([])),
    ] {
        let r = t
            .post(
                &format!("/api/v1/courses/{}/groups", c.course),
                json!({"name": name, "mentor_ids": mentors}),
            )
            .await;
        assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
        groups.push(r.1["id"].as_str().unwrap().to_owned());
    }
    for (s, g) in [(&c.s1, &groups[0]), (&c.s2, &groups[1])] {
        let r = t
            .put(
                &format!("/api/v1/courses/{}/students/{}/group", c.course, s.id()),
                json!({"group_id": g}),
            )
            .await;
        assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    }

    let quiz = create_quiz(t, &c.course, json!({"reveal": "after_attempt"})).await;
    let r = t
        .post(
            &format!("/api/v1/quizzes/{quiz}/questions"),
            json!({"prompt": "<p>Почему небо голубое?</p>", "points": 3, "body": {"kind": "essay"}}),
        )
        .await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
    let essay = r.1["id"].as_str().unwrap().to_owned();
    let r = t
        .post(
            &format!("/api/v1/quizzes/{quiz}/questions"),
            json!({"prompt": "<p>Вода мокрая?</p>", "points": 1, "body": {"kind": "true_false", "correct": true}}),
        )
        .await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
    publish(t, &quiz).await;
    let mut attempts = Vec::new();
    for s in [&c.s1, &c.s2] {
        let started = s
            .post(&format!("/api/v1/quizzes/{quiz}/attempts"), json!({}))
            .await;
        assert_eq!(started.0, StatusCode::CREATED, "{}", started.1);
        let id = started.1["attempt_id"].as_str().unwrap().to_owned();
        let r = s
            .put(
                &format!("/api/v1/attempts/{id}/answers"),
                json!({"answers": serde_json::Map::from_iter([(
                    essay.clone(),
                    json!({"kind": "essay", "value": "Рассеяние Рэлея."}),
                )])}),
            )
            .await;
        assert_eq!(r.0, StatusCode::OK, "{}", r.1);
        let r = s
            .post(&format!("/api/v1/attempts/{id}/submit"), json!({}))
            .await;
        assert_eq!(r.0, StatusCode::OK, "{}", r.1);
        assert_eq!(r.1["attempt"]["result"]["pending_manual"], true);
        attempts.push(id);
    }

    let queue = |who: &Session, query: String| {
        let who = who.clone();
        async move {
            let r = who
                .get(&format!("/api/v1/grading-queue/essays{query}"))
                .await;
            assert_eq!(r.0, StatusCode::OK, "{}", r.1);
            r.1
        }
    };
    let attempt_ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| e["attempt_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let in_course = format!("?course_id={}", c.course);

    // The owner: both essays, oldest finished first, each naming who and what.
    let all = queue(t, String::new()).await;
    assert_eq!(attempt_ids(&all), attempts, "{all}");
    assert_eq!(all[0]["student_id"], c.s1.id().as_str());
    assert_eq!(all[0]["student_name"], "Тест s1@example.ru");
    assert_eq!(all[0]["quiz_id"], quiz.as_str());
    assert_eq!(all[0]["quiz_title"], "Контрольная");
    assert_eq!(all[0]["course_id"], c.course.as_str());
    assert_eq!(all[0]["course_title"], "Физика");
    assert_eq!(all[0]["essays_pending"], 1);
    assert!(all[0]["finished_at"].is_string());
    assert_eq!(queue(t, in_course.clone()).await, all, "the course's queue");
    let second_group = format!("?course_id={}&group_id={}", c.course, groups[1]);
    assert_eq!(
        attempt_ids(&queue(t, second_group).await),
        attempts[1..],
        "one group's"
    );
    assert_eq!(
        attempt_ids(&queue(t, "?q=s2%40".into()).await),
        attempts[1..],
        "found by e-mail"
    );
    assert_eq!(
        attempt_ids(&queue(t, "?limit=1&offset=1".into()).await),
        attempts[1..],
        "paged"
    );

    // The mentor: their group's student only, across courses and in this one.
    assert_eq!(
        attempt_ids(&queue(&c.assistant, String::new()).await),
        attempts[..1]
    );
    assert_eq!(
        attempt_ids(&queue(&c.assistant, in_course.clone()).await),
        attempts[..1]
    );

    // Students: nothing across courses, refused in their course; strangers
    // do not learn the course exists.
    assert_eq!(queue(&c.s1, String::new()).await, json!([]));
    let r =
        c.s1.get(&format!("/api/v1/grading-queue/essays{in_course}"))
            .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = c
        .other_teacher
        .get(&format!("/api/v1/grading-queue/essays{in_course}"))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "course_not_found");
    assert_eq!(queue(&c.other_teacher, String::new()).await, json!([]));
    let r = t
        .get(&format!(
            "/api/v1/grading-queue/essays?q={}",
            "я".repeat(128)
        ))
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");

    // The staff list of attempts names the students (a mentor's: their group's).
    let listed = t.get(&format!("/api/v1/quizzes/{quiz}/attempts")).await;
    assert_eq!(listed.0, StatusCode::OK, "{}", listed.1);
    let named: Vec<(&str, &str)> = listed
        .1
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap(),
                a["student_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            (attempts[0].as_str(), "Тест s1@example.ru"),
            (attempts[1].as_str(), "Тест s2@example.ru"),
        ]
    );
    let mentors = c
        .assistant
        .get(&format!("/api/v1/quizzes/{quiz}/attempts"))
        .await;
    assert_eq!(mentors.1.as_array().unwrap().len(), 1, "{}", mentors.1);
    assert_eq!(mentors.1[0]["student_name"], "Тест s1@example.ru");
    let mine =
        c.s1.get(&format!("/api/v1/quizzes/{quiz}/attempts/me"))
            .await;
    assert_eq!(mine.0, StatusCode::OK, "{}", mine.1);
    assert!(
        mine.1[0].get("student_name").is_none(),
        "a student's own list is unchanged: {}",
        mine.1
    );

    // Grading the essay takes the attempt off the queue.
    let r = c
        .assistant
        .post(
            &format!("/api/v1/attempts/{}/essay-grades", attempts[0]),
            json!({"question_id": essay, "points": 2}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(attempt_ids(&queue(t, String::new()).await), attempts[1..]);
    assert_eq!(queue(&c.assistant, String::new()).await, json!([]));
}

on_both!(
    teacher_authors_quizzes_and_questions,
    student_takes_a_quiz_and_sees_answers_only_when_revealed,
    reveal_after_attempt_and_server_deadlines,
    essays_wait_in_the_grading_queue,
);
