//! Every rich-text field through the HTTP API with a corpus of known XSS
//! vectors: course descriptions, lesson bodies, assignment instructions,
//! hand-in text, grading and rework feedback, quiz descriptions, question
//! prompts and explanations. Whatever the server stores and serves back
//! (to the author and to the other side) must hold no active content, by
//! an independent check of the markup (`lms_core::testkit::xss`).

mod common;

use chrono::{Duration, Utc};
use common::{Db, Session, TestApp};
use lms_core::Role;
use lms_core::testkit::xss::{CORPUS, active_content};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Every string in `v` that holds markup.
fn html_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.contains('<') => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| html_strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| html_strings(i, out)),
        _ => {}
    }
}

/// Asserts that no string of a response holds active content.
fn assert_inert(what: &str, vector: &str, (status, body): &(StatusCode, Value)) {
    assert!(
        status.is_success(),
        "{what} with {vector:?}: {status} {body}"
    );
    let mut strings = Vec::new();
    html_strings(body, &mut strings);
    for s in strings {
        if let Some(why) = active_content(&s) {
            panic!("{what} with {vector:?} serves {why}: {s:?}");
        }
    }
}

fn id(v: &(StatusCode, Value)) -> String {
    v.1["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {}", v.1))
        .to_owned()
}

async fn every_rich_text_field_serves_the_corpus_inert(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let student = app.login_as(Role::Student, "s@example.ru").await;
    let course = app
        .course_with_students(&teacher, "Информатика", &[&student])
        .await;
    let c = course.id;
    let due = (Utc::now() + Duration::days(3)).to_rfc3339();
    for vector in CORPUS {
        let course_put = teacher
            .put(
                &format!("/api/v1/courses/{c}"),
                json!({"title": "Информатика", "description": vector}),
            )
            .await;
        assert_inert("course description (author)", vector, &course_put);
        assert_inert(
            "course description (student)",
            vector,
            &student.get(&format!("/api/v1/courses/{c}")).await,
        );

        let lesson = teacher
            .post(
                &format!("/api/v1/courses/{c}/lessons"),
                json!({"title": "Урок", "body": vector}),
            )
            .await;
        assert_inert("lesson body (author)", vector, &lesson);
        assert_inert(
            "lesson body (student)",
            vector,
            &student
                .get(&format!("/api/v1/lessons/{}", id(&lesson)))
                .await,
        );

        let assignment = teacher
            .post(
                &format!("/api/v1/courses/{c}/assignments"),
                json!({"title": "ДЗ", "instructions": vector, "due_at": due, "max_score": 10.0, "published": true}),
            )
            .await;
        assert_inert("assignment instructions (author)", vector, &assignment);
        let a = id(&assignment);
        assert_inert(
            "assignment instructions (student)",
            vector,
            &student.get(&format!("/api/v1/assignments/{a}")).await,
        );
        let hand_in = student
            .post(
                &format!("/api/v1/assignments/{a}/submissions"),
                json!({"text": format!("<p>ответ</p>{vector}")}),
            )
            .await;
        assert_inert("hand-in text (student)", vector, &hand_in);
        let s = hand_in.1["submission"]["id"]
            .as_str()
            .or_else(|| hand_in.1["id"].as_str())
            .unwrap_or_else(|| panic!("no submission id in {}", hand_in.1))
            .to_owned();
        assert_inert(
            "hand-in text (teacher)",
            vector,
            &teacher.get(&format!("/api/v1/submissions/{s}")).await,
        );
        let returned = teacher
            .post(
                &format!("/api/v1/submissions/{s}/return"),
                json!({"feedback": format!("<p>доработать</p>{vector}"), "expected_version": 1}),
            )
            .await;
        assert_inert("rework feedback (teacher)", vector, &returned);
        let graded = teacher
            .post(
                &format!("/api/v1/submissions/{s}/grade"),
                json!({"raw_score": 7.0, "feedback": vector, "expected_version": 1}),
            )
            .await;
        assert_inert("grade feedback (teacher)", vector, &graded);
        assert_inert(
            "feedback (student)",
            vector,
            &student
                .get(&format!("/api/v1/assignments/{a}/submissions/me"))
                .await,
        );

        let quiz = teacher
            .post(
                &format!("/api/v1/courses/{c}/quizzes"),
                json!({"title": "Тест", "description": vector}),
            )
            .await;
        assert_inert("quiz description (author)", vector, &quiz);
        let q = id(&quiz);
        let question = teacher
            .post(
                &format!("/api/v1/quizzes/{q}/questions"),
                json!({"prompt": format!("<p>Верно?</p>{vector}"), "points": 1.0,
                       "body": {"kind": "true_false", "correct": true}, "explanation": vector}),
            )
            .await;
        assert_inert(
            "question prompt and explanation (author)",
            vector,
            &question,
        );
        assert_inert(
            "questions (teacher)",
            vector,
            &teacher.get(&format!("/api/v1/quizzes/{q}/questions")).await,
        );
    }
}

/// The student's side of a quiz: the published quiz and an attempt show
/// the prompt; the review after the attempt shows the explanation.
async fn quiz_text_reaches_students_inert(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let student: Session = app.login_as(Role::Student, "s@example.ru").await;
    let course = app
        .course_with_students(&teacher, "Информатика", &[&student])
        .await;
    let all: String = CORPUS.concat();
    let quiz = teacher
        .post(
            &format!("/api/v1/courses/{}/quizzes", course.id),
            json!({"title": "Тест", "description": all, "settings": {"reveal": "after_attempt"}}),
        )
        .await;
    let q = id(&quiz);
    let question = teacher
        .post(
            &format!("/api/v1/quizzes/{q}/questions"),
            json!({"prompt": all, "points": 1.0, "body": {"kind": "true_false", "correct": true}, "explanation": all}),
        )
        .await;
    assert!(question.0.is_success(), "{}", question.1);
    let published = teacher
        .put(
            &format!("/api/v1/quizzes/{q}/published"),
            json!({"published": true}),
        )
        .await;
    assert!(published.0.is_success(), "{}", published.1);
    assert_inert(
        "quiz (student)",
        "all",
        &student.get(&format!("/api/v1/quizzes/{q}")).await,
    );
    let attempt = student
        .post(&format!("/api/v1/quizzes/{q}/attempts"), json!({}))
        .await;
    assert_inert("attempt (student)", "all", &attempt);
    let attempt_id = attempt.1["attempt_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no attempt id in {}", attempt.1))
        .to_owned();
    let submitted = student
        .post(&format!("/api/v1/attempts/{attempt_id}/submit"), json!({}))
        .await;
    assert!(submitted.0.is_success(), "{}", submitted.1);
    assert_inert(
        "review (student)",
        "all",
        &student
            .get(&format!("/api/v1/attempts/{attempt_id}/review"))
            .await,
    );
}

on_both!(
    every_rich_text_field_serves_the_corpus_inert,
    quiz_text_reaches_students_inert,
);
