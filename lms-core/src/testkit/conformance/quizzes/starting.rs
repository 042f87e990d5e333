//! Quiz conformance: starting attempts and saving answers.

use super::*;

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
