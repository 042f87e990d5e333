//! Homework conformance: reviews: grades, returns, stale reviews, the version limit and the audit trail.

use super::*;

/// Grading stores the grade, state, audit entry, messages and awards, and
/// returns the submission as stored.
pub async fn grading_stores_grade_audit_and_messages(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let sub = add_hand_in(&storage, &a, class.student.id, at(10)).await;
    let mut review = grade_review(sub.id, 1, class.teacher.id, at(60), 8.5);
    let note = outbox_entry(class.student.id, &format!("graded:{}:1", sub.id), at(60));
    let badge = award(
        class.student.id,
        Badge::OnTimeStreak5,
        class.course.id,
        at(60),
    );
    review.outbox = vec![note.clone()];
    review.awards = vec![badge.clone()];
    let got = ok(storage.homework.review(&review).await, "review");
    let mut expected = sub.clone();
    expected.state = SubmissionState::Graded;
    expected.grade = review.grade.clone();
    expected.updated_at = at(60);
    assert_eq!(
        got, expected,
        "the graded submission, updated at the review"
    );
    assert_eq!(
        ok(storage.homework.get_submission(sub.id).await, "get"),
        Some(expected),
        "the grade is stored"
    );
    assert_eq!(
        ok(storage.homework.grade_audit(sub.id).await, "grade_audit"),
        [review.audit.clone()],
        "the audit entry is appended"
    );
    assert_eq!(
        ok(storage.notifications.get_outbox_entry(note.id).await, "get"),
        Some(note),
        "the review's message is enqueued"
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
        "the review's badge is awarded"
    );
}

/// A graded submission takes no new version, even if the caller did not see
/// the grade yet; a retry of an earlier hand-in is still a duplicate.
pub async fn graded_work_takes_no_new_version(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let first = hand_in(&a, class.student.id, at(10), Some("first"));
    let sub = ok(storage.homework.hand_in(&first).await, "hand in")
        .submission()
        .clone();
    ok(
        storage
            .homework
            .review(&grade_review(sub.id, 1, class.teacher.id, at(60), 9.0))
            .await,
        "grade",
    );
    let mut late = hand_in(&a, class.student.id, at(61), Some("second"));
    late.outbox = vec![outbox_entry(class.student.id, "after-grade", at(61))];
    assert_conflict(
        storage.homework.hand_in(&late).await,
        Conflict::Stale,
        "hand-in after the grade",
    );
    let stored = ok(storage.homework.get_submission(sub.id).await, "get").expect("stored");
    assert_eq!(
        (stored.state, stored.versions.len()),
        (SubmissionState::Graded, 1),
        "still graded, one version"
    );
    assert_eq!(
        ok(
            storage
                .notifications
                .get_outbox_entry(late.outbox[0].id)
                .await,
            "get"
        ),
        None,
        "the refused hand-in's message is not enqueued"
    );
    assert!(
        matches!(
            ok(storage.homework.hand_in(&first).await, "retry"),
            HandInOutcome::Duplicate(_)
        ),
        "a retry of the graded version is still answered as a duplicate"
    );
}

/// A submission holding `max_versions` versions takes no more: nothing is
/// written, its messages are not enqueued; a retry of a stored version is
/// still a duplicate.
pub async fn hand_ins_stop_at_the_version_limit(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    for n in 0..3 {
        let mut h = hand_in(&a, class.student.id, at(10 + n), Some(&format!("v{n}")));
        h.max_versions = 3;
        ok(
            storage.homework.hand_in(&h).await,
            "hand in under the limit",
        );
    }
    let mut fourth = hand_in(&a, class.student.id, at(20), Some("v3"));
    fourth.max_versions = 3;
    fourth.outbox = vec![outbox_entry(class.student.id, "fourth", at(20))];
    assert_conflict(
        storage.homework.hand_in(&fourth).await,
        Conflict::VersionLimit,
        "a fourth version over a limit of three",
    );
    let stored = ok(
        storage
            .homework
            .find_submission(a.id, class.student.id)
            .await,
        "find",
    )
    .expect("stored");
    assert_eq!(stored.versions.len(), 3, "nothing written");
    assert_eq!(
        ok(
            storage
                .notifications
                .get_outbox_entry(fourth.outbox[0].id)
                .await,
            "get"
        ),
        None,
        "the refused hand-in's message is not enqueued"
    );
    let mut retry = hand_in(&a, class.student.id, at(21), Some("v1"));
    retry.max_versions = 3;
    assert!(
        matches!(
            ok(storage.homework.hand_in(&retry).await, "retry"),
            HandInOutcome::Duplicate(_)
        ),
        "a retry of a stored version is still a duplicate at the limit"
    );
}

/// Returning for rework stores the state and feedback and an audit entry.
pub async fn returning_for_rework_stores_feedback(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let sub = add_hand_in(&storage, &a, class.student.id, at(10)).await;
    let review = return_review(sub.id, 1, class.teacher.id, at(30));
    let got = ok(storage.homework.review(&review).await, "review");
    assert_eq!(got.state, SubmissionState::ReturnedForRework);
    assert_eq!(
        got.rework_feedback, review.rework_feedback,
        "feedback stored"
    );
    assert_eq!(got.grade, None, "a returned submission has no grade");
    assert_eq!(got.updated_at, at(30), "updated at the review");
    assert_eq!(
        ok(storage.homework.get_submission(sub.id).await, "get"),
        Some(got),
        "the return is stored"
    );
    assert_eq!(
        ok(storage.homework.grade_audit(sub.id).await, "grade_audit"),
        [review.audit],
        "the return is audited"
    );
    let again = stored(
        ok(
            storage
                .homework
                .hand_in(&hand_in(&a, class.student.id, at(40), None))
                .await,
            "hand in after return",
        ),
        "rework",
    );
    assert_eq!(
        again.state,
        SubmissionState::Submitted,
        "reworked work waits again"
    );
    assert_eq!(again.versions.len(), 2);
}

/// A review that expects an older version than the latest is
/// `Conflict(Stale)` and writes nothing: no state, grade, audit entry,
/// message or award.
pub async fn stale_review_writes_nothing(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    add_hand_in(&storage, &a, class.student.id, at(10)).await;
    let sub = add_hand_in(&storage, &a, class.student.id, at(20)).await;
    assert_eq!(sub.versions.len(), 2);
    let mut review = grade_review(sub.id, 1, class.teacher.id, at(30), 9.0);
    let note = outbox_entry(class.student.id, "graded:stale", at(30));
    review.outbox = vec![note.clone()];
    review.awards = vec![award(
        class.student.id,
        Badge::OnTimeStreak5,
        class.course.id,
        at(30),
    )];
    assert_conflict(
        storage.homework.review(&review).await,
        Conflict::Stale,
        "a review of version 1 when version 2 exists",
    );
    assert_eq!(
        ok(storage.homework.get_submission(sub.id).await, "get"),
        Some(sub.clone()),
        "the submission is unchanged"
    );
    assert!(
        ok(storage.homework.grade_audit(sub.id).await, "grade_audit").is_empty(),
        "no audit entry is written"
    );
    assert_eq!(
        ok(storage.notifications.get_outbox_entry(note.id).await, "get"),
        None,
        "no message is enqueued"
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
        "no badge is awarded"
    );
    let mut ahead = grade_review(sub.id, 3, class.teacher.id, at(31), 9.0);
    ahead.outbox = vec![outbox_entry(class.student.id, "graded:ahead", at(31))];
    assert_conflict(
        storage.homework.review(&ahead).await,
        Conflict::Stale,
        "a review of a version that does not exist yet",
    );
    let current = grade_review(sub.id, 2, class.teacher.id, at(32), 9.0);
    let got = ok(
        storage.homework.review(&current).await,
        "review of version 2",
    );
    assert_eq!(got.state, SubmissionState::Graded);
    assert_eq!(
        ok(storage.homework.grade_audit(sub.id).await, "grade_audit"),
        [current.audit],
        "only the accepted review is audited"
    );
}

/// A review of an unknown submission is `NotFound`.
pub async fn review_of_unknown_submission_is_not_found(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let mut review = grade_review(SubmissionId::new(), 1, class.teacher.id, at(5), 5.0);
    let note = outbox_entry(class.student.id, "graded:ghost", at(5));
    review.outbox = vec![note.clone()];
    assert_not_found(
        storage.homework.review(&review).await,
        "review of an unknown submission",
    );
    assert_eq!(
        ok(storage.notifications.get_outbox_entry(note.id).await, "get"),
        None,
        "a failed review enqueues nothing"
    );
}

/// The audit trail keeps every review, oldest first.
pub async fn audit_trail_is_oldest_first(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let sub = add_hand_in(&storage, &a, class.student.id, at(10)).await;
    let returned = return_review(sub.id, 1, class.teacher.id, at(20));
    ok(storage.homework.review(&returned).await, "return");
    add_hand_in(&storage, &a, class.student.id, at(30)).await;
    let graded = grade_review(sub.id, 2, class.teacher.id, at(40), 6.0);
    ok(storage.homework.review(&graded).await, "grade");
    let mut regraded = grade_review(sub.id, 2, class.teacher.id, at(50), 7.5);
    regraded.audit.action = AuditAction::Graded {
        raw_score: points(7.5),
        final_score: points(7.5),
        previous_final_score: Some(points(6.0)),
    };
    let got = ok(storage.homework.review(&regraded).await, "regrade");
    assert_eq!(got.grade, regraded.grade, "a regrade replaces the grade");
    assert_eq!(
        ok(storage.homework.grade_audit(sub.id).await, "grade_audit"),
        [returned.audit, graded.audit, regraded.audit],
        "every review, oldest first"
    );
    assert!(
        ok(
            storage.homework.grade_audit(SubmissionId::new()).await,
            "audit"
        )
        .is_empty(),
        "an unknown submission has no trail"
    );
}
