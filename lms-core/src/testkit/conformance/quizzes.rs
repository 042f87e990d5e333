//! Conformance of [`QuizStore`](crate::quiz::QuizStore): quizzes,
//! questions, attempts with numbering, limits and server-side deadlines.

use std::collections::{BTreeMap, BTreeSet};

use futures::future::join_all;

use super::fixtures::{
    add_course, add_quiz_with_questions, add_user, assert_conflict, assert_not_found, at, attempt,
    attempt_result, award, day, finish, ok, outbox_entry, points, published_course_with_student,
    quiz, retry_transient, single_choice_question, true_false_question,
};
use crate::achievement::Badge;
use crate::course::{CourseStatus, Title};
use crate::error::{Conflict, StorageError};
use crate::ids::{AttemptId, OptionId, QuestionId, QuizId};
use crate::page::Page;
use crate::ports::Storage;
use crate::quiz::{
    Answer, Attempt, AttemptState, Choice, MatchPair, QuestionBody, QuestionScore, QuizSettings,
    RevealPolicy, ScoringPolicy,
};
use crate::richtext::RichText;
use crate::user::{Role, UserFilter};

async fn question_ids(storage: &Storage, quiz: QuizId) -> Vec<QuestionId> {
    let questions = ok(storage.quizzes.list_questions(quiz).await, "list_questions");
    for (i, q) in questions.iter().enumerate() {
        assert_eq!(
            q.position as usize, i,
            "question positions must be 0, 1, 2, ... in list order: {questions:?}"
        );
    }
    questions.into_iter().map(|q| q.id).collect()
}

fn choice(text: &str) -> Choice {
    Choice {
        id: OptionId::new(),
        text: text.to_owned(),
    }
}

/// One question body of every kind.
fn every_kind_of_body() -> Vec<QuestionBody> {
    let (a, b, c) = (choice("первый"), choice("второй"), choice("третий"));
    vec![
        QuestionBody::SingleChoice {
            correct: b.id,
            options: vec![a.clone(), b.clone()],
        },
        QuestionBody::MultipleChoice {
            correct: [a.id, c.id].into_iter().collect(),
            options: vec![a.clone(), b.clone(), c.clone()],
        },
        QuestionBody::TrueFalse { correct: false },
        QuestionBody::ShortText {
            accepted: vec!["ёлка".to_owned(), "ель".to_owned()],
        },
        QuestionBody::Numeric {
            value: 2.5,
            tolerance: 0.01,
        },
        QuestionBody::Matching {
            pairs: vec![
                MatchPair {
                    left: choice("Москва"),
                    right: choice("Россия"),
                },
                MatchPair {
                    left: choice("Париж"),
                    right: choice("Франция"),
                },
            ],
        },
        QuestionBody::Ordering {
            items: vec![a, b, c],
        },
        QuestionBody::Essay,
    ]
}

/// A quiz reads back unchanged; an update replaces title, description,
/// settings and published flag (not the course); quizzes list oldest first.
pub async fn quizzes_round_trip(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let mut later = quiz(class.course.id, at(30));
    later.settings = QuizSettings {
        opens_at: Some(day(1)),
        closes_at: Some(day(8)),
        time_limit_minutes: Some(45),
        attempts_allowed: None,
        scoring: ScoringPolicy::Average,
        shuffle_questions: true,
        shuffle_options: true,
        reveal: RevealPolicy::AfterClose,
    };
    later.published = false;
    let earlier = quiz(class.course.id, at(10));
    let elsewhere = quiz(other.id, at(0));
    for q in [&later, &earlier, &elsewhere] {
        ok(storage.quizzes.insert_quiz(q).await, "insert_quiz");
    }
    assert_eq!(
        ok(storage.quizzes.get_quiz(later.id).await, "get_quiz"),
        Some(later.clone()),
        "get_quiz returns every field as inserted"
    );
    assert_eq!(
        ok(
            storage.quizzes.list_quizzes(class.course.id).await,
            "list_quizzes"
        ),
        [earlier.clone(), later.clone()],
        "quizzes of the course, oldest first"
    );

    let mut changed = later.clone();
    changed.title = Title::parse("Итоговый тест").expect("valid title");
    changed.description = RichText::sanitize("<p>Без калькулятора</p>");
    changed.settings = QuizSettings::default();
    changed.published = true;
    let mut sent = changed.clone();
    sent.course_id = other.id;
    ok(storage.quizzes.update_quiz(&sent).await, "update_quiz");
    assert_eq!(
        ok(storage.quizzes.get_quiz(later.id).await, "get_quiz"),
        Some(changed),
        "update_quiz replaces title, description, settings and published, not the course"
    );
    assert_eq!(
        ok(storage.quizzes.list_quizzes(other.id).await, "list_quizzes"),
        [elsewhere],
        "an update does not move a quiz to another course"
    );
    assert_not_found(
        storage
            .quizzes
            .update_quiz(&quiz(class.course.id, at(0)))
            .await,
        "update_quiz of an unknown quiz",
    );
    assert_eq!(
        ok(storage.quizzes.get_quiz(QuizId::new()).await, "get_quiz"),
        None,
        "an unknown quiz is None"
    );
}

/// Questions of every kind are appended at the end whatever position they
/// carry, read back unchanged, updated (not position or quiz), and deleted
/// closing the gap.
pub async fn questions_are_appended_updated_and_deleted(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, _) = add_quiz_with_questions(&storage, class.course.id, at(0), 0).await;
    let (other_quiz, _) = add_quiz_with_questions(&storage, class.course.id, at(1), 0).await;
    let mut stored = Vec::new();
    for (i, body) in every_kind_of_body().into_iter().enumerate() {
        let mut q = single_choice_question(qz.id);
        q.body = body;
        q.position = 42;
        q.points = points(1.5);
        let got = ok(storage.quizzes.insert_question(&q).await, "insert_question");
        let mut expected = q.clone();
        expected.position = u32::try_from(i).expect("small");
        assert_eq!(
            got, expected,
            "the stored question is returned with its position"
        );
        stored.push(expected);
    }
    assert_eq!(
        ok(
            storage.quizzes.list_questions(qz.id).await,
            "list_questions"
        ),
        stored,
        "questions of every kind list by position with every field"
    );

    let mut changed = stored[2].clone();
    changed.prompt = RichText::sanitize("<p>Земля плоская?</p>");
    changed.points = points(3.0);
    changed.body = QuestionBody::TrueFalse { correct: true };
    changed.explanation = Some(RichText::sanitize("<p>Нет</p>"));
    let mut sent = changed.clone();
    sent.position = 0;
    sent.quiz_id = other_quiz.id;
    ok(
        storage.quizzes.update_question(&sent).await,
        "update_question",
    );
    let listed = ok(
        storage.quizzes.list_questions(qz.id).await,
        "list_questions",
    );
    assert_eq!(
        listed[2], changed,
        "update_question replaces prompt, points, body and explanation only"
    );
    assert!(
        ok(storage.quizzes.list_questions(other_quiz.id).await, "list").is_empty(),
        "an update does not move a question to another quiz"
    );
    assert_not_found(
        storage
            .quizzes
            .update_question(&true_false_question(qz.id, true))
            .await,
        "update_question of an unknown question",
    );

    let ids: Vec<_> = stored.iter().map(|q| q.id).collect();
    assert!(
        ok(
            storage.quizzes.delete_question(ids[3]).await,
            "delete_question"
        ),
        "deleting an existing question returns true"
    );
    assert!(
        !ok(
            storage.quizzes.delete_question(ids[3]).await,
            "delete_question"
        ),
        "deleting it again returns false"
    );
    let mut remaining = ids.clone();
    remaining.remove(3);
    assert_eq!(
        question_ids(&storage, qz.id).await,
        remaining,
        "the gap is closed"
    );
    let appended = ok(
        storage
            .quizzes
            .insert_question(&true_false_question(qz.id, true))
            .await,
        "insert_question",
    );
    assert_eq!(
        appended.position,
        u32::try_from(remaining.len()).expect("small"),
        "a new question goes right after the last one"
    );
}

/// `reorder_questions` sets positions; a changed set is `Conflict(Stale)`.
pub async fn reorder_questions_sets_positions(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 3).await;
    let (other, others) = add_quiz_with_questions(&storage, class.course.id, at(1), 2).await;
    let (a, b, c) = (qs[0].id, qs[1].id, qs[2].id);
    ok(
        storage.quizzes.reorder_questions(qz.id, &[c, a, b]).await,
        "reorder_questions",
    );
    assert_eq!(question_ids(&storage, qz.id).await, [c, a, b]);
    assert_conflict(
        storage.quizzes.reorder_questions(qz.id, &[a, b]).await,
        Conflict::Stale,
        "an order missing a question",
    );
    assert_conflict(
        storage
            .quizzes
            .reorder_questions(qz.id, &[a, b, others[0].id])
            .await,
        Conflict::Stale,
        "an order with another quiz's question",
    );
    assert_eq!(
        question_ids(&storage, qz.id).await,
        [c, a, b],
        "refused reorders change nothing"
    );
    assert_eq!(
        question_ids(&storage, other.id).await,
        others.iter().map(|q| q.id).collect::<Vec<_>>(),
        "another quiz is untouched"
    );
}

/// Attempts are numbered 1, 2, ... per student and quiz and read back.
pub async fn attempts_are_numbered_per_student(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_user(&storage, Role::Student).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 2).await;
    let (qz2, qs2) = add_quiz_with_questions(&storage, class.course.id, at(1), 1).await;
    let s = class.student.id;

    let first = attempt(&qz, &qs, s, at(10), Some(at(40)));
    let got = ok(
        storage.quizzes.start_attempt(&first, None).await,
        "start_attempt",
    );
    let mut expected = first.clone();
    expected.number = 1;
    assert_eq!(
        got, expected,
        "the stored attempt is returned with number 1"
    );
    assert_eq!(
        ok(storage.quizzes.get_attempt(first.id).await, "get_attempt"),
        Some(expected.clone()),
        "get_attempt returns every field"
    );
    ok(
        storage
            .quizzes
            .finish_attempt(&finish(first.id, at(20), attempt_result(&qs, 1.0, 1.0)))
            .await,
        "finish_attempt",
    );
    let second = attempt(&qz, &qs, s, at(30), None);
    let got = ok(
        storage.quizzes.start_attempt(&second, None).await,
        "start 2",
    );
    assert_eq!(got.number, 2, "the second attempt is number 2");
    let theirs = ok(
        storage
            .quizzes
            .start_attempt(&attempt(&qz, &qs, other.id, at(31), None), None)
            .await,
        "another student's start",
    );
    assert_eq!(theirs.number, 1, "numbering is per student");
    let elsewhere = ok(
        storage
            .quizzes
            .start_attempt(&attempt(&qz2, &qs2, s, at(32), None), None)
            .await,
        "start at another quiz",
    );
    assert_eq!(elsewhere.number, 1, "numbering is per quiz");
    let mine: Vec<_> = ok(
        storage.quizzes.list_attempts(qz.id, s).await,
        "list_attempts",
    )
    .into_iter()
    .map(|a| (a.id, a.number, a.state))
    .collect();
    assert_eq!(
        mine,
        [
            (first.id, 1, AttemptState::Submitted),
            (second.id, 2, AttemptState::Open)
        ],
        "a student's attempts at a quiz, by number"
    );
    assert_eq!(
        ok(
            storage.quizzes.get_attempt(AttemptId::new()).await,
            "get_attempt"
        ),
        None,
        "an unknown attempt is None"
    );
}

/// With an open attempt a new start is `Conflict(OpenAttempt)`.
pub async fn open_attempt_blocks_a_new_start(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 1).await;
    let s = class.student.id;
    let open = attempt(&qz, &qs, s, at(10), None);
    ok(storage.quizzes.start_attempt(&open, None).await, "start");
    let again = attempt(&qz, &qs, s, at(11), None);
    assert_conflict(
        storage.quizzes.start_attempt(&again, None).await,
        Conflict::OpenAttempt,
        "a second start while one is open",
    );
    assert_eq!(
        ok(storage.quizzes.get_attempt(again.id).await, "get_attempt"),
        None,
        "the refused attempt is not stored"
    );
    ok(
        storage
            .quizzes
            .finish_attempt(&finish(open.id, at(12), attempt_result(&qs, 0.0, 1.0)))
            .await,
        "finish",
    );
    let got = ok(
        storage.quizzes.start_attempt(&again, None).await,
        "start after finishing",
    );
    assert_eq!(got.number, 2);
}

/// When `limit` attempts exist a new start is `Conflict(AttemptLimit)`.
pub async fn attempt_limit_is_enforced(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_user(&storage, Role::Student).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 1).await;
    let s = class.student.id;
    for i in 0..2 {
        let a = attempt(&qz, &qs, s, at(10 * i), None);
        ok(
            storage.quizzes.start_attempt(&a, Some(2)).await,
            "start within limit",
        );
        ok(
            storage
                .quizzes
                .finish_attempt(&finish(a.id, at(10 * i + 5), attempt_result(&qs, 0.0, 1.0)))
                .await,
            "finish",
        );
    }
    let third = attempt(&qz, &qs, s, at(30), None);
    assert_conflict(
        storage.quizzes.start_attempt(&third, Some(2)).await,
        Conflict::AttemptLimit,
        "a third start with a limit of two",
    );
    assert_eq!(
        ok(storage.quizzes.list_attempts(qz.id, s).await, "list").len(),
        2,
        "no third attempt is stored"
    );
    ok(
        storage
            .quizzes
            .start_attempt(&attempt(&qz, &qs, other.id, at(31), None), Some(2))
            .await,
        "the limit is per student",
    );
    let unlimited = ok(
        storage.quizzes.start_attempt(&third, Some(3)).await,
        "raised limit",
    );
    assert_eq!(unlimited.number, 3, "a raised limit allows attempt 3");
}

/// 50 concurrent starts with a limit of one: exactly one succeeds, every
/// other is `Conflict(OpenAttempt)` or `Conflict(AttemptLimit)`.
pub async fn concurrent_starts_respect_the_limit(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 1).await;
    let calls = (0..50).map(|i| {
        let storage = storage.clone();
        let a = attempt(&qz, &qs, class.student.id, at(i), None);
        async move { retry_transient(|| storage.quizzes.start_attempt(&a, Some(1))).await }
    });
    let results = join_all(calls).await;
    let started: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(started.len(), 1, "exactly one start succeeds: {results:?}");
    assert_eq!(started[0].number, 1);
    for r in &results {
        assert!(
            matches!(
                r,
                Ok(_)
                    | Err(StorageError::Conflict(
                        Conflict::OpenAttempt | Conflict::AttemptLimit
                    ))
            ),
            "a refused start is OpenAttempt or AttemptLimit, got {r:?}"
        );
    }
    assert_eq!(
        ok(
            storage.quizzes.list_attempts(qz.id, class.student.id).await,
            "list"
        )
        .len(),
        1,
        "one attempt is stored"
    );
}

/// 20 concurrent starts without a limit: one succeeds, the others are
/// `Conflict(OpenAttempt)`.
pub async fn concurrent_starts_allow_one_open_attempt(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 1).await;
    let calls = (0..20).map(|i| {
        let storage = storage.clone();
        let a = attempt(&qz, &qs, class.student.id, at(i), None);
        async move { retry_transient(|| storage.quizzes.start_attempt(&a, None)).await }
    });
    let results = join_all(calls).await;
    let started = results.iter().filter(|r| r.is_ok()).count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(StorageError::Conflict(Conflict::OpenAttempt))))
        .count();
    assert_eq!(
        (started, refused),
        (1, 19),
        "one start succeeds and 19 see the open attempt: {results:?}"
    );
    let list = ok(
        storage.quizzes.list_attempts(qz.id, class.student.id).await,
        "list",
    );
    assert_eq!(list.len(), 1, "one attempt is stored");
    assert_eq!(list[0].number, 1);
}

/// Saved answers are merged into the open attempt (later values win) and
/// `saved_at` is set; answers of every kind read back unchanged.
pub async fn answers_are_merged_until_the_deadline(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, _) = add_quiz_with_questions(&storage, class.course.id, at(0), 0).await;
    let mut questions = Vec::new();
    for body in every_kind_of_body() {
        let mut q = true_false_question(qz.id, true);
        q.body = body;
        questions.push(ok(storage.quizzes.insert_question(&q).await, "insert"));
    }
    let a = attempt(&qz, &questions, class.student.id, at(0), Some(at(30)));
    ok(storage.quizzes.start_attempt(&a, None).await, "start");
    let ids: Vec<QuestionId> = questions.iter().map(|q| q.id).collect();
    let (o1, o2) = (OptionId::new(), OptionId::new());
    let mut first = BTreeMap::new();
    first.insert(ids[0], Answer::SingleChoice(o1));
    first.insert(ids[1], Answer::MultipleChoice(BTreeSet::from([o1, o2])));
    first.insert(ids[2], Answer::TrueFalse(true));
    first.insert(ids[3], Answer::ShortText("Ёлка ".to_owned()));
    let got = ok(
        storage.quizzes.save_answers(a.id, &first, at(5)).await,
        "save_answers",
    );
    assert_eq!(got.answers, first, "the saved answers");
    assert_eq!(got.saved_at, Some(at(5)), "saved_at is set");

    let mut second = BTreeMap::new();
    second.insert(ids[2], Answer::TrueFalse(false));
    second.insert(ids[4], Answer::Numeric(2.51));
    second.insert(
        ids[5],
        Answer::Matching(BTreeMap::from([(o1, o2), (o2, o1)])),
    );
    second.insert(ids[6], Answer::Ordering(vec![o2, o1]));
    second.insert(ids[7], Answer::Essay("Моё эссе".to_owned()));
    let got = ok(
        storage.quizzes.save_answers(a.id, &second, at(29)).await,
        "save_answers before the deadline",
    );
    let mut merged = first.clone();
    merged.extend(second);
    assert_eq!(got.answers, merged, "answers are merged, later values win");
    assert_eq!(got.saved_at, Some(at(29)));
    let mut expected = a.clone();
    expected.number = 1;
    expected.answers = merged;
    expected.saved_at = Some(at(29));
    assert_eq!(
        ok(storage.quizzes.get_attempt(a.id).await, "get_attempt"),
        Some(expected),
        "the merged answers are stored; nothing else changes"
    );
}

/// Saving into a finished attempt, or after its deadline, is
/// `Conflict(AttemptClosed)` and changes nothing.
pub async fn saving_into_a_closed_attempt_conflicts(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_user(&storage, Role::Student).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 2).await;
    let answers = BTreeMap::from([(qs[0].id, Answer::TrueFalse(true))]);

    let timed = attempt(&qz, &qs, class.student.id, at(0), Some(at(10)));
    ok(storage.quizzes.start_attempt(&timed, None).await, "start");
    assert_conflict(
        storage
            .quizzes
            .save_answers(timed.id, &answers, at(11))
            .await,
        Conflict::AttemptClosed,
        "saving after the deadline",
    );
    let stored =
        ok(storage.quizzes.get_attempt(timed.id).await, "get").expect("the attempt exists");
    assert!(stored.answers.is_empty(), "a refused save stores nothing");
    assert_eq!(stored.saved_at, None);

    let untimed = attempt(&qz, &qs, other.id, at(0), None);
    ok(storage.quizzes.start_attempt(&untimed, None).await, "start");
    ok(
        storage
            .quizzes
            .finish_attempt(&finish(untimed.id, at(5), attempt_result(&qs, 0.0, 1.0)))
            .await,
        "finish",
    );
    assert_conflict(
        storage
            .quizzes
            .save_answers(untimed.id, &answers, at(6))
            .await,
        Conflict::AttemptClosed,
        "saving into a finished attempt",
    );
    assert!(
        ok(storage.quizzes.get_attempt(untimed.id).await, "get")
            .expect("exists")
            .answers
            .is_empty(),
        "a refused save stores nothing"
    );
}

/// Finishing stores state, time, result and submit key with the messages
/// and awards; a second finish is `Conflict(AttemptClosed)` and writes nothing.
pub async fn finishing_stores_result_once(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 3).await;
    let a = attempt(&qz, &qs, class.student.id, at(0), Some(at(30)));
    ok(storage.quizzes.start_attempt(&a, None).await, "start");
    let mut done = finish(a.id, at(20), attempt_result(&qs, 1.0, 1.0));
    let note = outbox_entry(class.student.id, "perfect", at(20));
    let badge = award(
        class.student.id,
        Badge::PerfectQuiz,
        class.course.id,
        at(20),
    );
    done.outbox = vec![note.clone()];
    done.awards = vec![badge.clone()];
    let got = ok(
        storage.quizzes.finish_attempt(&done).await,
        "finish_attempt",
    );
    let mut expected = a.clone();
    expected.number = 1;
    expected.state = AttemptState::Submitted;
    expected.finished_at = Some(at(20));
    expected.result = Some(done.result.clone());
    expected.submit_key = done.submit_key.clone();
    assert_eq!(got, expected, "the finished attempt is returned");
    assert_eq!(
        ok(storage.quizzes.get_attempt(a.id).await, "get_attempt"),
        Some(expected.clone()),
        "and stored"
    );
    assert_eq!(
        ok(storage.notifications.get_outbox_entry(note.id).await, "get"),
        Some(note),
        "the message is enqueued"
    );
    assert_eq!(
        ok(
            storage
                .achievements
                .list_achievements(class.student.id)
                .await,
            "list"
        ),
        std::slice::from_ref(&badge),
        "the badge is awarded"
    );

    let mut again = finish(a.id, at(25), attempt_result(&qs, 0.0, 1.0));
    again.state = AttemptState::AutoSubmitted;
    let late_note = outbox_entry(class.student.id, "auto-submitted", at(25));
    again.outbox = vec![late_note.clone()];
    again.awards = vec![award(
        class.student.id,
        Badge::FirstHomework,
        class.course.id,
        at(25),
    )];
    assert_conflict(
        storage.quizzes.finish_attempt(&again).await,
        Conflict::AttemptClosed,
        "finishing a finished attempt",
    );
    assert_eq!(
        ok(storage.quizzes.get_attempt(a.id).await, "get_attempt"),
        Some(expected),
        "a refused finish changes nothing"
    );
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(late_note.id).await,
            "get"
        ),
        None,
        "a refused finish enqueues nothing"
    );
    assert_eq!(
        ok(
            storage
                .achievements
                .list_achievements(class.student.id)
                .await,
            "list"
        ),
        [badge],
        "a refused finish awards nothing"
    );
}

/// Ten concurrent finishes of one attempt: one succeeds, the others are
/// `Conflict(AttemptClosed)`, and only the winner's message is enqueued.
pub async fn concurrent_finishes_succeed_once(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 2).await;
    let a = attempt(&qz, &qs, class.student.id, at(0), None);
    ok(storage.quizzes.start_attempt(&a, None).await, "start");
    let calls = (0..10).map(|i| {
        let storage = storage.clone();
        let mut f = finish(a.id, at(10 + i), attempt_result(&qs, 0.5, 1.0));
        f.outbox = vec![outbox_entry(
            class.student.id,
            &format!("finished-by-{i}"),
            at(10 + i),
        )];
        async move { retry_transient(|| storage.quizzes.finish_attempt(&f)).await }
    });
    let results = join_all(calls).await;
    let winners: Vec<&Attempt> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "exactly one finish succeeds: {results:?}");
    assert!(
        results.iter().all(|r| matches!(
            r,
            Ok(_) | Err(StorageError::Conflict(Conflict::AttemptClosed))
        )),
        "the others are AttemptClosed: {results:?}"
    );
    let messages = ok(
        storage
            .notifications
            .list_user_outbox(class.student.id, Page::first())
            .await,
        "list_user_outbox",
    );
    assert_eq!(messages.len(), 1, "only the winner's message is enqueued");
    assert_eq!(
        ok(storage.quizzes.get_attempt(a.id).await, "get"),
        Some(winners[0].clone()),
        "the stored attempt is the winner's"
    );
}

/// A finish carrying the `saved_at` read before a later save is
/// `Conflict(Stale)` and writes nothing (the attempt stays open with the
/// new answers, no message, no badge); with the current `saved_at` it
/// succeeds. A finished attempt stays `Conflict(AttemptClosed)` whatever
/// `saved_at` the finish expects; an unknown one is `NotFound`.
pub async fn finishing_after_a_newer_save_is_stale(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 2).await;
    let a = attempt(&qz, &qs, class.student.id, at(0), Some(at(30)));
    ok(storage.quizzes.start_attempt(&a, None).await, "start");
    let first = BTreeMap::from([(qs[0].id, Answer::TrueFalse(true))]);
    let read = ok(
        storage.quizzes.save_answers(a.id, &first, at(5)).await,
        "save_answers",
    );
    assert_eq!(read.saved_at, Some(at(5)));
    let second = BTreeMap::from([(qs[1].id, Answer::TrueFalse(false))]);
    let saved = ok(
        storage.quizzes.save_answers(a.id, &second, at(6)).await,
        "a later save",
    );

    for expected_saved_at in [Some(at(5)), None, Some(at(7))] {
        let mut stale = finish(a.id, at(8), attempt_result(&qs, 1.0, 1.0));
        stale.expected_saved_at = expected_saved_at;
        let note = outbox_entry(class.student.id, "stale-finish", at(8));
        stale.outbox = vec![note.clone()];
        stale.awards = vec![award(
            class.student.id,
            Badge::PerfectQuiz,
            class.course.id,
            at(8),
        )];
        assert_conflict(
            storage.quizzes.finish_attempt(&stale).await,
            Conflict::Stale,
            &format!(
                "finishing with saved_at {expected_saved_at:?} after a save at {:?}",
                saved.saved_at
            ),
        );
        assert_eq!(
            ok(storage.quizzes.get_attempt(a.id).await, "get_attempt"),
            Some(saved.clone()),
            "a stale finish leaves the attempt open with every saved answer"
        );
        assert_eq!(
            ok(storage.notifications.get_outbox_entry(note.id).await, "get"),
            None,
            "a stale finish enqueues nothing"
        );
        assert!(
            ok(
                storage
                    .achievements
                    .list_achievements(class.student.id)
                    .await,
                "list"
            )
            .is_empty(),
            "a stale finish awards nothing"
        );
    }

    let mut current = finish(a.id, at(8), attempt_result(&qs, 1.0, 1.0));
    current.expected_saved_at = saved.saved_at;
    let done = ok(
        storage.quizzes.finish_attempt(&current).await,
        "finishing with the current saved_at",
    );
    assert_eq!(done.state, AttemptState::Submitted);
    assert_eq!(done.answers.len(), 2, "the answers stay with the attempt");
    assert_eq!(done.saved_at, Some(at(6)));
    assert_eq!(done.result, Some(current.result.clone()));

    let mut again = finish(a.id, at(9), attempt_result(&qs, 0.0, 1.0));
    again.expected_saved_at = Some(at(5));
    assert_conflict(
        storage.quizzes.finish_attempt(&again).await,
        Conflict::AttemptClosed,
        "a finished attempt is closed, not stale",
    );
    assert_not_found(
        storage
            .quizzes
            .finish_attempt(&finish(
                AttemptId::new(),
                at(9),
                attempt_result(&qs, 0.0, 1.0),
            ))
            .await,
        "finishing an unknown attempt",
    );
}

/// A save and a finish racing on one attempt never both succeed: either
/// the save lands first (the finish, which expected no save, is
/// `Conflict(Stale)`) or the finish does (the save is
/// `Conflict(AttemptClosed)`), so no saved answer is left unscored.
pub async fn a_racing_save_and_finish_never_both_succeed(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 1).await;
    let answers = BTreeMap::from([(qs[0].id, Answer::TrueFalse(true))]);
    for i in 0..8 {
        let a = attempt(&qz, &qs, class.student.id, at(i), None);
        ok(storage.quizzes.start_attempt(&a, None).await, "start");
        let f = finish(a.id, at(i + 1), attempt_result(&qs, 0.0, 1.0));
        let (save, done) = futures::join!(
            retry_transient(|| storage.quizzes.save_answers(a.id, &answers, at(i))),
            retry_transient(|| storage.quizzes.finish_attempt(&f)),
        );
        let stored = ok(storage.quizzes.get_attempt(a.id).await, "get").expect("exists");
        match (&save, &done) {
            (Ok(_), Err(StorageError::Conflict(Conflict::Stale))) => {
                assert_eq!(stored.state, AttemptState::Open, "the finish wrote nothing");
                assert_eq!(stored.answers, answers);
                let mut retry = finish(a.id, at(i + 1), attempt_result(&qs, 1.0, 1.0));
                retry.expected_saved_at = stored.saved_at;
                ok(
                    storage.quizzes.finish_attempt(&retry).await,
                    "finishing with the saved_at just read",
                );
            }
            (Err(StorageError::Conflict(Conflict::AttemptClosed)), Ok(_)) => {
                assert_eq!(stored.state, AttemptState::Submitted);
                assert!(stored.answers.is_empty(), "the refused save stored nothing");
            }
            other => panic!(
                "round {i}: exactly one of a racing save and finish succeeds, the \
                 other is Stale or AttemptClosed; got {other:?}"
            ),
        }
    }
}

/// Manual grading replaces a finished attempt's result and stores awards;
/// an unknown attempt is `NotFound`.
pub async fn manual_grading_replaces_the_result(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 2).await;
    let a = attempt(&qz, &qs, class.student.id, at(0), None);
    ok(storage.quizzes.start_attempt(&a, None).await, "start");
    let mut pending = attempt_result(&qs, 1.0, 1.0);
    pending
        .per_question
        .insert(qs[1].id, QuestionScore::PendingManual);
    pending.score = points(1.0);
    pending.pending_manual = true;
    let finished = ok(
        storage
            .quizzes
            .finish_attempt(&finish(a.id, at(5), pending.clone()))
            .await,
        "finish",
    );
    let graded = attempt_result(&qs, 1.0, 1.0);
    let badge = award(class.student.id, Badge::PerfectQuiz, class.course.id, at(9));
    let note = outbox_entry(class.student.id, "perfect:set_attempt_result", at(9));
    let got = ok(
        storage
            .quizzes
            .set_attempt_result(
                a.id,
                &pending,
                &graded,
                std::slice::from_ref(&badge),
                std::slice::from_ref(&note),
            )
            .await,
        "set_attempt_result",
    );
    let mut expected = finished.clone();
    expected.result = Some(graded);
    assert_eq!(got, expected, "only the result is replaced");
    assert_eq!(
        ok(storage.quizzes.get_attempt(a.id).await, "get"),
        Some(expected),
        "and stored"
    );
    assert_eq!(
        ok(
            storage
                .achievements
                .list_achievements(class.student.id)
                .await,
            "list"
        ),
        [badge],
        "the award is stored"
    );
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(note.id).await,
            "get_outbox_entry"
        )
        .map(|e| e.dedup_key),
        Some(note.dedup_key.clone()),
        "the message is stored with the result"
    );
    assert_not_found(
        storage
            .quizzes
            .set_attempt_result(
                AttemptId::new(),
                &pending,
                &attempt_result(&qs, 0.0, 1.0),
                &[],
                &[],
            )
            .await,
        "set_attempt_result of an unknown attempt",
    );
    // A second grader who started from the pending result loses the race:
    // the result moved on, so their write is refused and nothing changes.
    let late_badge = award(
        class.student.id,
        Badge::CourseCompleted,
        class.course.id,
        at(10),
    );
    assert_conflict(
        storage
            .quizzes
            .set_attempt_result(
                a.id,
                &pending,
                &attempt_result(&qs, 0.0, 1.0),
                std::slice::from_ref(&late_badge),
                &[],
            )
            .await,
        Conflict::Stale,
        "grading from a result that changed meanwhile",
    );
    assert_eq!(
        ok(storage.quizzes.get_attempt(a.id).await, "get").and_then(|t| t.result),
        Some(attempt_result(&qs, 1.0, 1.0)),
        "the first grader's result stands"
    );
    assert_eq!(
        ok(
            storage
                .achievements
                .list_achievements(class.student.id)
                .await,
            "list"
        )
        .len(),
        1,
        "the refused write awarded nothing"
    );
}

/// Open attempts past their deadline, oldest deadline first, at most `limit`.
pub async fn overdue_attempts_oldest_deadline_first(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 1).await;
    let mut overdue = Vec::new();
    for deadline in [30, 10, 20] {
        let s = add_user(&storage, Role::Student).await;
        let a = attempt(&qz, &qs, s.id, at(0), Some(at(deadline)));
        ok(storage.quizzes.start_attempt(&a, None).await, "start");
        overdue.push((deadline, a.id));
    }
    overdue.sort_by_key(|(d, _)| *d);
    let expected: Vec<_> = overdue.into_iter().map(|(_, id)| id).collect();
    // Not overdue: a future deadline, no deadline, already finished.
    let s = add_user(&storage, Role::Student).await;
    ok(
        storage
            .quizzes
            .start_attempt(&attempt(&qz, &qs, s.id, at(0), Some(at(90))), None)
            .await,
        "start",
    );
    let s = add_user(&storage, Role::Student).await;
    ok(
        storage
            .quizzes
            .start_attempt(&attempt(&qz, &qs, s.id, at(0), None), None)
            .await,
        "start",
    );
    let s = add_user(&storage, Role::Student).await;
    let done = attempt(&qz, &qs, s.id, at(0), Some(at(5)));
    ok(storage.quizzes.start_attempt(&done, None).await, "start");
    ok(
        storage
            .quizzes
            .finish_attempt(&finish(done.id, at(4), attempt_result(&qs, 0.0, 1.0)))
            .await,
        "finish",
    );
    let ids = |v: Vec<Attempt>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(
        ids(ok(
            storage.quizzes.overdue_attempts(at(60), 10).await,
            "overdue"
        )),
        expected,
        "open attempts past their deadline, oldest deadline first"
    );
    assert_eq!(
        ids(ok(
            storage.quizzes.overdue_attempts(at(60), 2).await,
            "overdue"
        )),
        expected[..2],
        "at most `limit`"
    );
    assert_eq!(
        ids(ok(
            storage.quizzes.overdue_attempts(at(15), 10).await,
            "overdue"
        )),
        expected[..1],
        "only deadlines before now"
    );
}

/// Every attempt at a quiz, by start, paged.
pub async fn quiz_attempts_are_listed_by_start(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 1).await;
    let (other, other_qs) = add_quiz_with_questions(&storage, class.course.id, at(1), 1).await;
    let mut started = Vec::new();
    let mut students = Vec::new();
    for minutes in [20, 5, 15, 10] {
        let s = add_user(&storage, Role::Student).await;
        let a = attempt(&qz, &qs, s.id, at(minutes), None);
        ok(storage.quizzes.start_attempt(&a, None).await, "start");
        started.push((minutes, a.id));
        students.push((s, a.id));
    }
    ok(
        storage
            .quizzes
            .start_attempt(
                &attempt(&other, &other_qs, class.student.id, at(0), None),
                None,
            )
            .await,
        "start at another quiz",
    );
    started.sort_by_key(|(m, _)| *m);
    let expected: Vec<_> = started.into_iter().map(|(_, id)| id).collect();
    let list = |limit, offset| {
        let storage = storage.clone();
        async move {
            ok(
                storage
                    .quizzes
                    .list_quiz_attempts(qz.id, &UserFilter::default(), Page::new(limit, offset))
                    .await,
                "list_quiz_attempts",
            )
            .into_iter()
            .map(|a| a.id)
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(50, 0).await, expected, "by start, this quiz only");
    assert_eq!(list(3, 0).await, expected[..3], "first page");
    assert_eq!(list(3, 3).await, expected[3..], "second page");
    let (someone, theirs) = &students[2];
    let found: Vec<_> = ok(
        storage
            .quizzes
            .list_quiz_attempts(
                qz.id,
                &UserFilter {
                    query: Some(someone.email.as_str().to_uppercase()),
                    ..UserFilter::default()
                },
                Page::first(),
            )
            .await,
        "list_quiz_attempts",
    )
    .into_iter()
    .map(|a| a.id)
    .collect();
    assert_eq!(
        found,
        [*theirs],
        "one student's attempts, by e-mail in any case"
    );
}

/// Closing a quiz early (its `closes_at` before an open attempt's deadline)
/// ends the open attempts then, in the same write: their deadline becomes
/// the close and the sweep finds them; earlier deadlines and finished
/// attempts stay as they were.
pub async fn closing_a_quiz_caps_open_attempts(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (mut qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 1).await;
    let start = |deadline| {
        let storage = storage.clone();
        let (qz, qs) = (qz.clone(), qs.clone());
        async move {
            let s = add_user(&storage, Role::Student).await;
            let a = attempt(&qz, &qs, s.id, at(0), deadline);
            ok(storage.quizzes.start_attempt(&a, None).await, "start");
            a.id
        }
    };
    let long = start(Some(at(60))).await;
    let untimed = start(None).await;
    let short = start(Some(at(10))).await;
    let finished = start(Some(at(60))).await;
    ok(
        storage
            .quizzes
            .finish_attempt(&finish(finished, at(5), attempt_result(&qs, 0.0, 1.0)))
            .await,
        "finish",
    );
    // Another quiz's attempt is not touched.
    let (other_quiz, other_qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 1).await;
    let s = add_user(&storage, Role::Student).await;
    let other = attempt(&other_quiz, &other_qs, s.id, at(0), Some(at(60)));
    ok(storage.quizzes.start_attempt(&other, None).await, "start");

    qz.settings.closes_at = Some(at(20));
    ok(storage.quizzes.update_quiz(&qz).await, "close early");

    let deadline = |id| {
        let storage = storage.clone();
        async move {
            ok(storage.quizzes.get_attempt(id).await, "get_attempt")
                .expect("attempt exists")
                .deadline
        }
    };
    assert_eq!(
        deadline(long).await,
        Some(at(20)),
        "a later deadline is capped at the close"
    );
    assert_eq!(
        deadline(untimed).await,
        Some(at(20)),
        "an untimed attempt ends at the close"
    );
    assert_eq!(
        deadline(short).await,
        Some(at(10)),
        "an earlier deadline stays"
    );
    assert_eq!(
        deadline(finished).await,
        Some(at(60)),
        "a finished attempt is not touched"
    );
    assert_eq!(
        deadline(other.id).await,
        Some(at(60)),
        "another quiz's attempt is not touched"
    );
    let overdue: BTreeSet<_> = ok(
        storage.quizzes.overdue_attempts(at(30), 10).await,
        "overdue",
    )
    .into_iter()
    .map(|a| a.id)
    .collect();
    assert_eq!(
        overdue,
        BTreeSet::from([long, untimed, short]),
        "the sweep finds the closed attempts"
    );
}
