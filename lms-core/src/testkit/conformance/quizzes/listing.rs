//! Quiz conformance: listing attempts, overdue ones and closing a quiz.

use super::*;

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
            .map(|a| a.attempt.id)
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
    .map(|a| (a.attempt.id, a.student_name))
    .collect();
    assert_eq!(
        found,
        [(*theirs, someone.display_name.as_str().to_owned())],
        "one student's attempts, by e-mail in any case, naming the student"
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
