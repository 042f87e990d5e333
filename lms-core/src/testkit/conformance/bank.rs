//! Conformance of [`BankStore`](crate::bank::BankStore) and of attempts that
//! drew from it: filters, ordering, versions, pools, one-write imports and
//! drawn questions stored with their attempt.

use chrono::{DateTime, Utc};

use super::fixtures::{
    add_course, add_quiz_with_questions, add_user, assert_conflict, assert_not_found, at, attempt,
    enroll, ok, points,
};
use crate::bank::{BankFilter, BankQuestion, CategoryCount};
use crate::course::CourseStatus;
use crate::error::Conflict;
use crate::ids::{BankQuestionId, CourseId, UserId};
use crate::page::Page;
use crate::ports::Storage;
use crate::quiz::{Question, QuestionBody};
use crate::richtext::RichText;
use crate::user::Role;

fn bank_question(
    course: CourseId,
    author: UserId,
    category: &str,
    tags: &[&str],
    prompt: &str,
    created_at: DateTime<Utc>,
) -> BankQuestion {
    BankQuestion {
        id: BankQuestionId::new(),
        course_id: course,
        category: category.to_owned(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        prompt: RichText::from_plain_text(prompt),
        points: points(2.0),
        body: QuestionBody::ShortText {
            accepted: vec!["Ответ".to_owned(), "answer 😀".to_owned()],
        },
        explanation: Some(RichText::from_plain_text("Потому что 🙂")),
        version: 1,
        author_id: author,
        created_at,
        updated_at: created_at,
    }
}

fn prompts(list: &[BankQuestion]) -> Vec<String> {
    list.iter().map(|q| q.prompt.plain_text()).collect()
}

async fn listed(storage: &Storage, course: CourseId, filter: BankFilter) -> Vec<String> {
    prompts(&ok(
        storage
            .bank
            .list_bank_questions(course, &filter, Page::max())
            .await,
        "list_bank_questions",
    ))
}

/// Bank questions round-trip field for field; lists go by category, then
/// creation, and filter by category subtree (not by prefix: `ЕГЭ/Задание 1`
/// does not hold `ЕГЭ/Задание 10`), tag and text (case and `ё` folded);
/// pools list ids ascending; categories come with their counts; another
/// course's bank stays apart.
pub async fn bank_questions_filter_and_count(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let course = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let other = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let q = |cat: &str, tags: &[&str], prompt: &str, minute: i64| {
        bank_question(course.id, teacher.id, cat, tags, prompt, at(minute))
    };
    let rows = vec![
        q("ЕГЭ/Задание 1", &["дроби"], "Сократите дробь 😀", 3),
        q("ЕГЭ/Задание 1", &[], "Найдите ЗНАЧЕНИЕ", 1),
        q("ЕГЭ/Задание 10", &["дроби", "база"], "Вероятность", 2),
        q("ЕГЭ", &[], "Общий вопрос про ёжика", 4),
        q("", &["база"], "Без категории", 5),
    ];
    ok(
        storage.bank.insert_bank_questions(&rows).await,
        "insert_bank_questions",
    );
    ok(
        storage
            .bank
            .insert_bank_questions(&[bank_question(
                other.id,
                teacher.id,
                "ЕГЭ",
                &[],
                "Чужой",
                at(0),
            )])
            .await,
        "insert into another course",
    );

    let got = ok(
        storage
            .bank
            .get_bank_questions(&[rows[0].id, rows[0].id, BankQuestionId::new()])
            .await,
        "get_bank_questions",
    );
    assert_eq!(
        got,
        vec![rows[0].clone()],
        "a bank question round-trips once"
    );

    assert_eq!(
        listed(&storage, course.id, BankFilter::default()).await,
        [
            "Без категории",
            "Общий вопрос про ёжика",
            "Найдите ЗНАЧЕНИЕ",
            "Сократите дробь 😀",
            "Вероятность"
        ],
        "by category, then creation"
    );
    let under = |c: &str| BankFilter {
        category: Some(c.to_owned()),
        ..BankFilter::default()
    };
    assert_eq!(
        listed(&storage, course.id, under("ЕГЭ/Задание 1")).await,
        ["Найдите ЗНАЧЕНИЕ", "Сократите дробь 😀"],
        "a category holds its subtree, not its string prefix"
    );
    assert_eq!(
        listed(&storage, course.id, under("ЕГЭ")).await.len(),
        4,
        "a parent holds its subcategories"
    );
    let tagged = BankFilter {
        tag: Some("дроби".to_owned()),
        ..under("ЕГЭ")
    };
    assert_eq!(
        listed(&storage, course.id, tagged).await,
        ["Сократите дробь 😀", "Вероятность"]
    );
    let text = |t: &str| BankFilter {
        text: Some(t.to_owned()),
        ..BankFilter::default()
    };
    assert_eq!(
        listed(&storage, course.id, text("значение")).await,
        ["Найдите ЗНАЧЕНИЕ"],
        "text search ignores case"
    );
    assert_eq!(
        listed(&storage, course.id, text("ЕЖИК")).await,
        ["Общий вопрос про ёжика"],
        "text search folds ё"
    );
    assert_eq!(
        listed(&storage, course.id, text("100%_")).await,
        Vec::<String>::new(),
        "search text is no pattern"
    );
    let page = ok(
        storage
            .bank
            .list_bank_questions(course.id, &BankFilter::default(), Page::new(2, 1))
            .await,
        "page",
    );
    assert_eq!(
        prompts(&page),
        ["Общий вопрос про ёжика", "Найдите ЗНАЧЕНИЕ"]
    );

    assert_eq!(
        ok(storage.bank.count_bank_questions(course.id).await, "count"),
        5
    );
    let mut pool = vec![rows[0].id, rows[1].id];
    pool.sort();
    assert_eq!(
        ok(
            storage
                .bank
                .bank_pool(course.id, "ЕГЭ/Задание 1", None)
                .await,
            "pool"
        ),
        pool,
        "a pool lists ids ascending"
    );
    assert_eq!(
        ok(
            storage
                .bank
                .bank_pool(course.id, "", Some("база".to_owned()))
                .await,
            "pool by tag"
        )
        .len(),
        2
    );
    assert_eq!(
        ok(storage.bank.bank_categories(course.id).await, "categories"),
        vec![
            CategoryCount {
                category: String::new(),
                questions: 1
            },
            CategoryCount {
                category: "ЕГЭ".to_owned(),
                questions: 1
            },
            CategoryCount {
                category: "ЕГЭ/Задание 1".to_owned(),
                questions: 2
            },
            CategoryCount {
                category: "ЕГЭ/Задание 10".to_owned(),
                questions: 1
            },
        ]
    );
}

/// An import is one write: a duplicate id or a missing course stores none
/// of it. Edits need the next version (`Stale` otherwise, `NotFound` for a
/// missing question) and keep the author and creation time; deleting
/// answers whether the question existed.
pub async fn bank_writes_are_whole_and_versioned(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let course = add_course(&storage, teacher.id, CourseStatus::Draft).await;
    let first = bank_question(course.id, teacher.id, "A", &[], "Первый", at(1));
    ok(
        storage
            .bank
            .insert_bank_questions(std::slice::from_ref(&first))
            .await,
        "insert",
    );
    let fresh = bank_question(course.id, teacher.id, "A", &[], "Новый", at(2));
    assert_conflict(
        storage
            .bank
            .insert_bank_questions(&[fresh.clone(), first.clone()])
            .await,
        Conflict::Other,
        "an import with a duplicate id",
    );
    let mut stray = bank_question(CourseId::new(), teacher.id, "A", &[], "Ничей", at(2));
    stray.course_id = CourseId::new();
    assert!(
        storage
            .bank
            .insert_bank_questions(&[fresh.clone(), stray])
            .await
            .is_err(),
        "an import into a missing course fails"
    );
    assert_eq!(
        ok(storage.bank.count_bank_questions(course.id).await, "count"),
        1,
        "a failed import writes nothing"
    );

    let edited = BankQuestion {
        category: "B/C".to_owned(),
        tags: vec!["новый".to_owned()],
        prompt: RichText::from_plain_text("Первый, исправленный"),
        points: points(3.0),
        body: QuestionBody::TrueFalse { correct: false },
        explanation: None,
        version: 2,
        author_id: UserId::new(),
        created_at: at(50),
        updated_at: at(9),
        ..first.clone()
    };
    ok(storage.bank.update_bank_question(&edited).await, "update");
    let stored = ok(storage.bank.get_bank_questions(&[first.id]).await, "get").remove(0);
    assert_eq!(
        stored,
        BankQuestion {
            author_id: teacher.id,
            created_at: first.created_at,
            ..edited.clone()
        },
        "an edit replaces the fields, not the author or creation"
    );
    assert_conflict(
        storage.bank.update_bank_question(&edited).await,
        Conflict::Stale,
        "the same version again",
    );
    assert_not_found(
        storage
            .bank
            .update_bank_question(&BankQuestion {
                id: BankQuestionId::new(),
                ..edited
            })
            .await,
        "update a missing question",
    );
    assert!(ok(
        storage.bank.delete_bank_question(first.id).await,
        "delete"
    ));
    assert!(!ok(
        storage.bank.delete_bank_question(first.id).await,
        "delete again"
    ));
    assert!(ok(storage.bank.get_bank_questions(&[first.id]).await, "get").is_empty());
}

/// An attempt keeps the questions it drew, as they were: editing or
/// deleting the bank question afterwards changes nothing in it.
pub async fn attempts_keep_their_drawn_questions(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let student = add_user(&storage, Role::Student).await;
    let course = add_course(&storage, teacher.id, CourseStatus::Published).await;
    enroll(&storage, course.id, student.id).await;
    let (quiz, questions) = add_quiz_with_questions(&storage, course.id, at(0), 2).await;
    let bank = bank_question(course.id, teacher.id, "ЕГЭ", &[], "Из банка 📚", at(1));
    ok(
        storage
            .bank
            .insert_bank_questions(std::slice::from_ref(&bank))
            .await,
        "insert",
    );
    let copy: Question = bank.as_quiz_question(quiz.id, 7, points(4.0));
    let mut started = attempt(&quiz, &questions, student.id, at(10), None);
    started.question_order.insert(1, copy.id);
    started.drawn = vec![copy.clone()];
    let stored = ok(storage.quizzes.start_attempt(&started, None).await, "start");
    assert_eq!(
        stored.drawn,
        vec![copy.clone()],
        "start returns the drawn questions"
    );
    assert_eq!(stored.question_order, started.question_order);

    ok(
        storage
            .bank
            .update_bank_question(&BankQuestion {
                prompt: RichText::from_plain_text("Изменён"),
                version: 2,
                ..bank.clone()
            })
            .await,
        "edit the bank question",
    );
    ok(
        storage.bank.delete_bank_question(bank.id).await,
        "delete it",
    );
    let read = ok(storage.quizzes.get_attempt(stored.id).await, "get_attempt")
        .expect("the attempt exists");
    assert_eq!(read.drawn, vec![copy.clone()], "the attempt keeps its copy");
    let listed = ok(
        storage.quizzes.list_attempts(quiz.id, student.id).await,
        "list_attempts",
    );
    assert_eq!(
        listed[0].drawn,
        vec![copy],
        "lists carry the drawn questions"
    );
}
