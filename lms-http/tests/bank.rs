//! The question bank through HTTP, on SQLite and PostgreSQL: a teacher
//! imports a GIFT file with a preview, builds a quiz that draws five of
//! twenty questions at random, students get their own variants that
//! survive a reload and a later edit of the bank, and the teacher reads
//! the item analysis.

mod common;

use std::collections::BTreeSet;

use common::{Db, TestApp, assert_error};
use lms_core::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

const TWENTY: &str = include_str!("../../lms-core/src/bank/format/samples/twenty.gift");

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

fn ok(got: (StatusCode, Value), status: StatusCode) -> Value {
    assert_eq!(got.0, status, "{}", got.1);
    got.1
}

fn prompts(attempt: &Value) -> Vec<String> {
    attempt["questions"]
        .as_array()
        .unwrap_or_else(|| panic!("no questions: {attempt}"))
        .iter()
        .map(|q| s(&q["prompt"]))
        .collect()
}

async fn students_draw_their_own_variants(db: Db) {
    let app = TestApp::spawn(db).await;
    let teacher = app.login_as(Role::Teacher, "t@example.ru").await;
    let other = app.login_as(Role::Teacher, "o@example.ru").await;
    let mut students = Vec::new();
    for i in 0..4 {
        students.push(
            app.login_as(Role::Student, &format!("s{i}@example.ru"))
                .await,
        );
    }
    let refs: Vec<&common::Session> = students.iter().collect();
    let course = app
        .course_with_students(&teacher, "ЕГЭ: математика", &refs)
        .await;
    let c = course.id.to_string();
    let bank = format!("/api/v1/courses/{c}/bank");

    // The preview lists every question and writes nothing.
    let import = json!({"format": "gift", "text": TWENTY, "category": "Импорт"});
    let preview = ok(
        teacher
            .post(&format!("{bank}/import?dry_run=true"), import.clone())
            .await,
        StatusCode::OK,
    );
    assert_eq!(preview["written"], false);
    assert_eq!(
        preview["questions"].as_array().unwrap().len(),
        20,
        "{preview}"
    );
    assert_eq!(preview["issues"], json!([]));
    assert_eq!(ok(teacher.get(&bank).await, StatusCode::OK)["total"], 0);
    // A broken line is reported with its number; the rest still imports.
    let broken = ok(
        teacher
            .post(
                &format!("{bank}/import?dry_run=true"),
                json!({"format": "aiken", "text": "Вопрос без вариантов\nANSWER: A\n\n2+2?\nA) 4\nB) 5\nANSWER: A\n"}),
            )
            .await,
        StatusCode::OK,
    );
    assert_eq!(broken["questions"].as_array().unwrap().len(), 1, "{broken}");
    assert_eq!(broken["issues"][0]["line"], 1, "{broken}");

    let imported = ok(
        teacher.post(&format!("{bank}/import"), import).await,
        StatusCode::OK,
    );
    assert_eq!(imported["written"], true);
    let listing = ok(
        teacher
            .get(&format!("{bank}?category=ЕГЭ/Задание 1&limit=200"))
            .await,
        StatusCode::OK,
    );
    assert_eq!(listing["total"], 20);
    assert_eq!(listing["questions"].as_array().unwrap().len(), 20);
    assert_eq!(
        listing["categories"],
        json!([{"category": "ЕГЭ/Задание 1", "questions": 20}]),
        "the file's $CATEGORY wins over the default"
    );

    // Students, assistants of other courses and other teachers never read a
    // bank: it holds the answers.
    assert_error(
        &students[0].get(&bank).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &other.get(&bank).await,
        StatusCode::NOT_FOUND,
        "course_not_found",
    );

    // A quiz drawing five of them at random, two points each.
    let quiz = ok(
        teacher
            .post(
                &format!("/api/v1/courses/{c}/quizzes"),
                json!({"title": "Вариант"}),
            )
            .await,
        StatusCode::CREATED,
    );
    let q = s(&quiz["id"]);
    let slot = |count: u32, category: &str| {
        json!({"prompt": "", "points": 2, "body": {"kind": "random", "count": count,
               "pool": {"from": "category", "course_id": c, "category": category, "tag": null}}})
    };
    assert_error(
        &teacher
            .post(
                &format!("/api/v1/quizzes/{q}/questions"),
                slot(21, "ЕГЭ/Задание 1"),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_pool",
    );
    assert_error(
        &other
            .post(
                &format!("/api/v1/courses/{}/quizzes", c),
                json!({"title": "Чужой"}),
            )
            .await,
        StatusCode::NOT_FOUND,
        "course_not_found",
    );
    ok(
        teacher
            .post(
                &format!("/api/v1/quizzes/{q}/questions"),
                slot(5, " ЕГЭ / Задание 1 "),
            )
            .await,
        StatusCode::CREATED,
    );
    ok(
        teacher
            .put(
                &format!("/api/v1/quizzes/{q}/published"),
                json!({"published": true}),
            )
            .await,
        StatusCode::OK,
    );
    let overview = ok(
        students[0].get(&format!("/api/v1/quizzes/{q}")).await,
        StatusCode::OK,
    );
    assert_eq!(overview["question_count"], 5);
    assert_eq!(overview["max_score"], 10.0);

    let mut variants = Vec::new();
    for student in &students {
        let started = ok(
            student
                .post(&format!("/api/v1/quizzes/{q}/attempts"), json!({}))
                .await,
            StatusCode::CREATED,
        );
        let shown = prompts(&started);
        assert_eq!(shown.len(), 5, "{started}");
        assert_eq!(shown.iter().collect::<BTreeSet<_>>().len(), 5, "no repeats");
        let again = ok(
            student
                .get(&format!("/api/v1/attempts/{}", s(&started["attempt_id"])))
                .await,
            StatusCode::OK,
        );
        assert_eq!(prompts(&again), shown, "a reload shows the same variant");
        variants.push((started, shown));
    }
    let distinct: BTreeSet<BTreeSet<&String>> =
        variants.iter().map(|(_, v)| v.iter().collect()).collect();
    assert!(distinct.len() > 1, "students get different variants");

    // Editing a drawn bank question changes no attempt that has it.
    let first = &variants[0].0["questions"][0];
    let bank_id = s(&first["id"]);
    let stored = ok(
        teacher.get(&format!("{bank}?limit=200")).await,
        StatusCode::OK,
    );
    let original = stored["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == json!(bank_id))
        .expect("a drawn question is a bank question")
        .clone();
    let edited = ok(
        teacher
            .put(
                &format!("/api/v1/bank/{bank_id}"),
                json!({"category": original["category"], "prompt": "<p>Изменённый вопрос</p>",
                       "points": 1, "body": original["body"], "version": 1}),
            )
            .await,
        StatusCode::OK,
    );
    assert_eq!(edited["version"], 2);
    assert_error(
        &teacher
            .put(
                &format!("/api/v1/bank/{bank_id}"),
                json!({"prompt": "<p>Снова</p>", "points": 1, "body": original["body"], "version": 1}),
            )
            .await,
        StatusCode::CONFLICT,
        "stale",
    );
    let reread = ok(
        students[0]
            .get(&format!(
                "/api/v1/attempts/{}",
                s(&variants[0].0["attempt_id"])
            ))
            .await,
        StatusCode::OK,
    );
    assert_eq!(
        prompts(&reread),
        variants[0].1,
        "the attempt keeps its version"
    );

    // Everyone submits; the analysis covers the drawn questions.
    for ((started, _), student) in variants.iter().zip(&students) {
        let a = s(&started["attempt_id"]);
        ok(
            student
                .post(&format!("/api/v1/attempts/{a}/submit"), json!({}))
                .await,
            StatusCode::OK,
        );
    }
    let analysis = ok(
        teacher.get(&format!("/api/v1/quizzes/{q}/analysis")).await,
        StatusCode::OK,
    );
    assert_eq!(analysis["attempts"], 4, "{analysis}");
    let rows = analysis["questions"].as_array().unwrap();
    let drawn: BTreeSet<String> = variants
        .iter()
        .flat_map(|(a, _)| {
            a["questions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| s(&q["id"]))
        })
        .collect();
    assert_eq!(rows.len(), drawn.len(), "a row per drawn question");
    let total: u64 = rows.iter().map(|r| r["attempts"].as_u64().unwrap()).sum();
    assert_eq!(total, 20, "each attempt counts for its five questions");
    assert_error(
        &students[0]
            .get(&format!("/api/v1/quizzes/{q}/analysis"))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (status, csv) = teacher
        .download(&format!("/api/v1/quizzes/{q}/analysis/csv"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), rows.len() + 1, "{csv}");

    // The export is a GIFT file that imports again.
    let (status, gift) = teacher.download(&format!("{bank}/export")).await;
    assert_eq!(status, StatusCode::OK);
    let gift = String::from_utf8(gift).unwrap();
    assert!(gift.contains("$CATEGORY:"), "{gift}");
    let again = ok(
        teacher
            .post(
                &format!("{bank}/import?dry_run=true"),
                json!({"format": "gift", "text": gift}),
            )
            .await,
        StatusCode::OK,
    );
    assert_eq!(again["questions"].as_array().unwrap().len(), 20, "{again}");
    assert_eq!(again["issues"], json!([]));

    // Deleting a bank question leaves the attempts that drew it whole.
    ok(
        teacher.delete(&format!("/api/v1/bank/{bank_id}")).await,
        StatusCode::NO_CONTENT,
    );
    let review = ok(
        teacher
            .get(&format!(
                "/api/v1/attempts/{}/review",
                s(&variants[0].0["attempt_id"])
            ))
            .await,
        StatusCode::OK,
    );
    assert_eq!(review["items"].as_array().unwrap().len(), 5, "{review}");
}

on_both!(students_draw_their_own_variants);
