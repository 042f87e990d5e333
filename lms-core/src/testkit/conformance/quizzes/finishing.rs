//! Quiz conformance: finishing and grading attempts.

use super::*;

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
