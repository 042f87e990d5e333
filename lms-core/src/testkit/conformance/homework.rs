//! Conformance of [`HomeworkStore`](crate::homework::HomeworkStore):
//! assignments, extensions, hand-ins with versions, reviews with an audit
//! trail, and the teacher's queue.

use futures::future::join_all;

use super::fixtures::{
    add_assignment, add_course, add_hand_in, add_user, assert_conflict, assert_not_found,
    assignment, at, award, day, file_ref, grade_review, hand_in, ok, outbox_entry, points,
    published_course_with_student, retry_transient, return_review, sorted,
};
use crate::achievement::Badge;
use crate::course::{CourseStatus, Title};
use crate::error::Conflict;
use crate::homework::{
    AuditAction, Extension, HandIn, HandInOutcome, LatePolicy, Submission, SubmissionKind,
    SubmissionState,
};
use crate::ids::{AssignmentId, CourseId, SubmissionId, UserId};
use crate::page::Page;
use crate::ports::Storage;
use crate::richtext::RichText;
use crate::user::Role;

/// The submission a first hand-in must produce.
fn expected_first(h: &HandIn) -> Submission {
    let mut v = h.version.clone();
    v.submission_id = h.new_submission_id;
    v.number = 1;
    Submission {
        id: h.new_submission_id,
        assignment_id: h.assignment_id,
        student_id: h.student_id,
        state: h.state,
        versions: vec![v],
        grade: None,
        rework_feedback: None,
        updated_at: h.version.submitted_at,
    }
}

fn stored(outcome: HandInOutcome, what: &str) -> Submission {
    match outcome {
        HandInOutcome::Stored(s) => s,
        HandInOutcome::Duplicate(s) => panic!("{what}: expected Stored, got Duplicate({s:?})"),
    }
}

async fn outbox_ids(storage: &Storage, user: UserId) -> Vec<crate::ids::OutboxId> {
    ok(
        storage
            .notifications
            .list_user_outbox(user, Page::max())
            .await,
        "list_user_outbox",
    )
    .into_iter()
    .map(|e| e.id)
    .collect()
}

/// An assignment reads back unchanged and its messages are enqueued with
/// it; an update replaces every field but the course, with its messages; an
/// update of an unknown assignment is `NotFound` and enqueues nothing.
pub async fn assignments_round_trip_with_outbox(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let mut a = assignment(class.course.id, day(7));
    a.attachments = vec![file_ref(class.teacher.id, "задачи.pdf")];
    a.cut_off_at = Some(day(9));
    a.late_policy = LatePolicy::PercentPerDay {
        percent_per_day: 10,
        floor_percent: 50,
    };
    a.submission_kind = SubmissionKind::TextAndFiles;
    a.file_limits.allowed_extensions = vec!["pdf".to_owned(), "docx".to_owned()];
    let created = outbox_entry(class.student.id, &format!("new_assignment:{}", a.id), at(0));
    ok(
        storage
            .homework
            .insert_assignment(&a, std::slice::from_ref(&created))
            .await,
        "insert_assignment",
    );
    assert_eq!(
        ok(
            storage.homework.get_assignment(a.id).await,
            "get_assignment"
        ),
        Some(a.clone()),
        "get_assignment returns every field as inserted"
    );
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(created.id).await,
            "get"
        ),
        Some(created.clone()),
        "insert_assignment enqueues its messages"
    );

    let mut changed = a.clone();
    changed.title = Title::parse("Домашнее задание 1 (исправлено)").expect("valid title");
    changed.instructions = RichText::sanitize("<p>Решите задачи 1–7</p>");
    changed.attachments = Vec::new();
    changed.due_at = day(8);
    changed.cut_off_at = None;
    changed.max_score = points(20.0);
    changed.late_policy = LatePolicy::NoPenalty;
    changed.submission_kind = SubmissionKind::Files;
    changed.published = false;
    let mut sent = changed.clone();
    sent.course_id = other.id;
    let moved = outbox_entry(class.student.id, &format!("moved:{}", a.id), at(1));
    ok(
        storage
            .homework
            .update_assignment(&sent, std::slice::from_ref(&moved))
            .await,
        "update_assignment",
    );
    assert_eq!(
        ok(
            storage.homework.get_assignment(a.id).await,
            "get_assignment"
        ),
        Some(changed),
        "update_assignment replaces every field but the course"
    );
    assert!(
        ok(storage.homework.list_assignments(other.id).await, "list").is_empty(),
        "an update does not move an assignment to another course"
    );
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(moved.id).await,
            "get"
        ),
        Some(moved),
        "update_assignment enqueues its messages"
    );

    let ghost = assignment(class.course.id, day(3));
    let ghost_note = outbox_entry(class.student.id, "ghost", at(2));
    assert_not_found(
        storage
            .homework
            .update_assignment(&ghost, std::slice::from_ref(&ghost_note))
            .await,
        "update_assignment of an unknown assignment",
    );
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(ghost_note.id).await,
            "get"
        ),
        None,
        "a failed update enqueues nothing"
    );
    assert_eq!(
        ok(
            storage.homework.get_assignment(AssignmentId::new()).await,
            "get"
        ),
        None,
        "an unknown assignment is None"
    );
}

/// Assignments of a course list by due date; other courses' are not listed.
pub async fn assignments_are_listed_by_due_date(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let third = add_assignment(&storage, class.course.id, day(3)).await;
    let first = add_assignment(&storage, class.course.id, day(1)).await;
    let _elsewhere = add_assignment(&storage, other.id, day(2)).await;
    let mut draft = assignment(class.course.id, day(2));
    draft.published = false;
    ok(
        storage.homework.insert_assignment(&draft, &[]).await,
        "insert",
    );
    let ids: Vec<_> = ok(
        storage.homework.list_assignments(class.course.id).await,
        "list",
    )
    .into_iter()
    .map(|a| a.id)
    .collect();
    assert_eq!(
        ids,
        [first.id, draft.id, third.id],
        "by due date, drafts included, other courses excluded"
    );
}

/// Extensions are granted, replaced, listed and removed.
pub async fn extensions_are_upserted_and_deleted(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other_student = add_user(&storage, Role::Student).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let b = add_assignment(&storage, class.course.id, day(2)).await;
    let mut ext = Extension {
        assignment_id: a.id,
        student_id: class.student.id,
        due_at: day(3),
        cut_off_at: Some(day(4)),
        granted_by: class.teacher.id,
        granted_at: at(0),
    };
    ok(
        storage.homework.upsert_extension(&ext).await,
        "upsert_extension",
    );
    assert_eq!(
        ok(
            storage.homework.get_extension(a.id, class.student.id).await,
            "get"
        ),
        Some(ext.clone()),
        "the extension reads back unchanged"
    );
    ext.due_at = day(5);
    ext.cut_off_at = None;
    ext.granted_at = at(10);
    ok(
        storage.homework.upsert_extension(&ext).await,
        "upsert again",
    );
    assert_eq!(
        ok(
            storage.homework.get_extension(a.id, class.student.id).await,
            "get"
        ),
        Some(ext.clone()),
        "a second upsert replaces the extension"
    );
    let theirs = Extension {
        student_id: other_student.id,
        ..ext.clone()
    };
    let on_b = Extension {
        assignment_id: b.id,
        ..ext.clone()
    };
    ok(storage.homework.upsert_extension(&theirs).await, "upsert");
    ok(storage.homework.upsert_extension(&on_b).await, "upsert");
    let mut listed = ok(
        storage.homework.list_extensions(a.id).await,
        "list_extensions",
    );
    listed.sort_by_key(|e| e.student_id);
    let mut want = vec![ext.clone(), theirs.clone()];
    want.sort_by_key(|e| e.student_id);
    assert_eq!(listed, want, "one extension per student of the assignment");
    assert!(
        ok(
            storage
                .homework
                .delete_extension(a.id, class.student.id)
                .await,
            "delete"
        ),
        "deleting an extension returns true"
    );
    assert!(
        !ok(
            storage
                .homework
                .delete_extension(a.id, class.student.id)
                .await,
            "delete"
        ),
        "deleting it again returns false"
    );
    assert_eq!(
        ok(
            storage.homework.get_extension(a.id, class.student.id).await,
            "get"
        ),
        None
    );
    assert_eq!(
        ok(storage.homework.list_extensions(a.id).await, "list"),
        [theirs],
        "other students' extensions stay"
    );
    assert_eq!(
        ok(storage.homework.list_extensions(b.id).await, "list"),
        [on_b],
        "other assignments' extensions stay"
    );
}

/// A first hand-in creates the submission under `new_submission_id` with
/// version 1, and stores its messages and awards.
pub async fn first_hand_in_creates_a_submission(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let mut h = hand_in(&a, class.student.id, at(30), Some("key-1"));
    h.version.files = vec![file_ref(class.student.id, "решение.pdf")];
    let note = outbox_entry(class.teacher.id, "handed_in:1", at(30));
    let badge = award(
        class.student.id,
        Badge::FirstHomework,
        class.course.id,
        at(30),
    );
    h.outbox = vec![note.clone()];
    h.awards = vec![badge.clone()];
    let expected = expected_first(&h);
    let got = stored(
        ok(storage.homework.hand_in(&h).await, "hand_in"),
        "first hand-in",
    );
    assert_eq!(
        got, expected,
        "the new submission: given id, version 1 with the submission id, given state, updated at hand-in"
    );
    assert_eq!(
        ok(
            storage.homework.get_submission(h.new_submission_id).await,
            "get"
        ),
        Some(expected.clone()),
        "get_submission returns it"
    );
    assert_eq!(
        ok(
            storage
                .homework
                .find_submission(a.id, class.student.id)
                .await,
            "find_submission"
        ),
        Some(expected),
        "find_submission returns it"
    );
    assert_eq!(
        ok(storage.notifications.get_outbox_entry(note.id).await, "get"),
        Some(note),
        "the hand-in's message is enqueued"
    );
    assert_eq!(
        ok(
            storage
                .achievements
                .list_achievements(class.student.id)
                .await,
            "list_achievements"
        ),
        [badge],
        "the hand-in's badge is awarded"
    );
    assert_eq!(
        ok(
            storage.homework.get_submission(SubmissionId::new()).await,
            "get"
        ),
        None,
        "an unknown submission is None"
    );
    let other = add_user(&storage, Role::Student).await;
    assert_eq!(
        ok(
            storage.homework.find_submission(a.id, other.id).await,
            "find"
        ),
        None,
        "a student who handed in nothing has no submission"
    );
}

/// Later hand-ins add versions 2, 3, ... to the same submission, oldest first.
pub async fn later_hand_ins_add_numbered_versions(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let first = hand_in(&a, class.student.id, at(10), None);
    let sid = first.new_submission_id;
    stored(
        ok(storage.homework.hand_in(&first).await, "hand_in 1"),
        "v1",
    );
    let second = hand_in(&a, class.student.id, at(20), Some("k2"));
    let mut third = hand_in(&a, class.student.id, day(2), None);
    third.version.text = Some(RichText::sanitize("<p>Исправленное решение</p>"));
    stored(
        ok(storage.homework.hand_in(&second).await, "hand_in 2"),
        "v2",
    );
    let got = stored(
        ok(storage.homework.hand_in(&third).await, "hand_in 3"),
        "v3",
    );
    assert_eq!(got.id, sid, "later hand-ins keep the first submission id");
    assert_eq!(
        got.state,
        SubmissionState::SubmittedLate,
        "the state is the latest hand-in's"
    );
    assert_eq!(got.updated_at, day(2), "updated at the latest hand-in");
    let expected: Vec<_> = [&first, &second, &third]
        .iter()
        .zip(1..)
        .map(|(h, n)| {
            let mut v = h.version.clone();
            v.submission_id = sid;
            v.number = n;
            v
        })
        .collect();
    assert_eq!(got.versions, expected, "versions 1, 2, 3, oldest first");
    assert_eq!(
        ok(storage.homework.get_submission(sid).await, "get"),
        Some(got),
        "get_submission agrees with the hand-in result"
    );
    assert_eq!(
        ok(
            storage
                .homework
                .get_submission(second.new_submission_id)
                .await,
            "get"
        ),
        None,
        "the unused new_submission_id of a later hand-in is not a submission"
    );
}

/// A hand-in whose idempotency key was already used by this student for
/// this assignment is `Duplicate`: one version, no messages, no awards.
pub async fn repeated_idempotency_key_is_a_duplicate(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let b = add_assignment(&storage, class.course.id, day(2)).await;
    let other = add_user(&storage, Role::Student).await;
    let first = hand_in(&a, class.student.id, at(10), Some("same-key"));
    let original = stored(
        ok(storage.homework.hand_in(&first).await, "hand_in"),
        "first",
    );

    let mut retry = hand_in(&a, class.student.id, at(11), Some("same-key"));
    retry.version.text = Some(RichText::sanitize("<p>другой текст</p>"));
    let note = outbox_entry(class.teacher.id, "retry", at(11));
    retry.outbox = vec![note.clone()];
    retry.awards = vec![award(
        class.student.id,
        Badge::FirstHomework,
        class.course.id,
        at(11),
    )];
    match ok(storage.homework.hand_in(&retry).await, "retried hand_in") {
        HandInOutcome::Duplicate(s) => assert_eq!(
            s, original,
            "Duplicate carries the submission as it is (one version)"
        ),
        HandInOutcome::Stored(s) => panic!("a repeated key must be Duplicate, got Stored({s:?})"),
    }
    let now = ok(storage.homework.get_submission(original.id).await, "get")
        .expect("the submission exists");
    assert_eq!(now.versions.len(), 1, "exactly one version is stored");
    assert_eq!(
        ok(
            storage
                .homework
                .submission_head(a.id, class.student.id)
                .await,
            "submission_head"
        )
        .map(|h| h.idempotency_keys),
        Some(vec!["same-key".to_owned()]),
        "the head carries the keys its versions were handed in with"
    );
    assert_eq!(
        ok(storage.notifications.get_outbox_entry(note.id).await, "get"),
        None,
        "a duplicate hand-in enqueues nothing"
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
        "a duplicate hand-in awards nothing"
    );

    let theirs = hand_in(&a, other.id, at(12), Some("same-key"));
    stored(
        ok(storage.homework.hand_in(&theirs).await, "hand_in"),
        "the same key from another student",
    );
    let elsewhere = hand_in(&b, class.student.id, at(13), Some("same-key"));
    stored(
        ok(storage.homework.hand_in(&elsewhere).await, "hand_in"),
        "the same key for another assignment",
    );
    let fresh = hand_in(&a, class.student.id, at(14), Some("new-key"));
    let s = stored(
        ok(storage.homework.hand_in(&fresh).await, "hand_in"),
        "new key",
    );
    assert_eq!(s.versions.len(), 2, "a new key adds version 2");
}

/// Messages with a de-dup key already in the outbox and badges already
/// awarded are skipped; the hand-in itself is stored.
pub async fn hand_in_skips_duplicate_messages_and_awards(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let mut first = hand_in(&a, class.student.id, at(10), None);
    let note = outbox_entry(class.teacher.id, "handed_in", at(10));
    let badge = award(
        class.student.id,
        Badge::FirstHomework,
        class.course.id,
        at(10),
    );
    first.outbox = vec![note.clone()];
    first.awards = vec![badge.clone()];
    stored(
        ok(storage.homework.hand_in(&first).await, "hand_in"),
        "first",
    );

    let mut second = hand_in(&a, class.student.id, at(20), None);
    let same_key = outbox_entry(class.teacher.id, "handed_in", at(20));
    let new_note = outbox_entry(class.teacher.id, "handed_in_again", at(20));
    second.outbox = vec![same_key.clone(), new_note.clone()];
    second.awards = vec![award(
        class.student.id,
        Badge::FirstHomework,
        class.course.id,
        at(20),
    )];
    let s = stored(
        ok(
            storage.homework.hand_in(&second).await,
            "hand_in with known keys",
        ),
        "second",
    );
    assert_eq!(s.versions.len(), 2, "the second version is stored");
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(same_key.id).await,
            "get"
        ),
        None,
        "a message with a known de-dup key is skipped"
    );
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(new_note.id).await,
            "get"
        ),
        Some(new_note),
        "a message with a new key is enqueued"
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
        "the badge stays awarded once, with its first date"
    );
}

/// A hand-in that fails (its assignment does not exist) stores no
/// submission, messages or awards.
pub async fn failed_hand_in_writes_nothing(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let ghost = assignment(class.course.id, day(1));
    let mut h = hand_in(&ghost, class.student.id, at(10), None);
    let note = outbox_entry(class.teacher.id, "ghost", at(10));
    h.outbox = vec![note.clone()];
    h.awards = vec![award(
        class.student.id,
        Badge::FirstHomework,
        class.course.id,
        at(10),
    )];
    let result = storage.homework.hand_in(&h).await;
    assert!(
        result.is_err(),
        "a hand-in to an unknown assignment must fail, got {result:?}"
    );
    assert_eq!(
        ok(
            storage.homework.get_submission(h.new_submission_id).await,
            "get"
        ),
        None,
        "no submission is stored"
    );
    assert!(
        outbox_ids(&storage, class.teacher.id).await.is_empty(),
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
}

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

/// Submissions to an assignment list by the student's first hand-in, paged.
pub async fn submissions_are_listed_by_first_hand_in(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let other_assignment = add_assignment(&storage, class.course.id, day(2)).await;
    let mut by_time = Vec::new();
    for minutes in [30, 10, 40, 20] {
        let s = add_user(&storage, Role::Student).await;
        let sub = add_hand_in(&storage, &a, s.id, at(minutes)).await;
        by_time.push((minutes, sub.id, s.id));
    }
    by_time.sort_by_key(|(m, _, _)| *m);
    // The earliest student hands in again last: their first hand-in still counts.
    add_hand_in(&storage, &a, by_time[0].2, at(90)).await;
    add_hand_in(&storage, &other_assignment, class.student.id, at(5)).await;
    let expected: Vec<SubmissionId> = by_time.iter().map(|(_, id, _)| *id).collect();
    let list = |limit, offset| {
        let storage = storage.clone();
        async move {
            ok(
                storage
                    .homework
                    .list_submissions(a.id, Page::new(limit, offset))
                    .await,
                "list_submissions",
            )
            .into_iter()
            .map(|s| s.id)
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(50, 0).await, expected, "by first hand-in");
    assert_eq!(list(2, 0).await, expected[..2], "first page");
    assert_eq!(list(2, 2).await, expected[2..], "second page");
    let full = ok(
        storage.homework.list_submissions(a.id, Page::first()).await,
        "list_submissions",
    );
    assert_eq!(
        full[0].versions.len(),
        2,
        "listed submissions carry their versions"
    );
}

/// A student's submissions per course, their first hand-ins over every
/// course oldest first, and the head of one submission.
pub async fn student_submissions_and_history(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other_course = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let other_student = add_user(&storage, Role::Student).await;
    let a1 = add_assignment(&storage, class.course.id, day(1)).await;
    let a2 = add_assignment(&storage, class.course.id, day(2)).await;
    let b1 = add_assignment(&storage, other_course.id, day(3)).await;
    let s = class.student.id;
    let sub_a2 = add_hand_in(&storage, &a2, s, at(10)).await;
    add_hand_in(&storage, &b1, s, at(20)).await;
    let sub_a1 = add_hand_in(&storage, &a1, s, at(30)).await;
    add_hand_in(&storage, &a2, s, at(40)).await;
    add_hand_in(&storage, &a1, other_student.id, at(5)).await;
    let ids = |subs: Vec<Submission>| subs.into_iter().map(|x| x.id).collect::<Vec<_>>();
    assert_eq!(
        sorted(&ids(ok(
            storage
                .homework
                .student_submissions(class.course.id, s)
                .await,
            "student_submissions"
        ))),
        sorted(&[sub_a1.id, sub_a2.id]),
        "the student's submissions in this course only"
    );
    let firsts = ok(storage.homework.first_hand_ins(s).await, "first_hand_ins");
    assert_eq!(
        firsts
            .iter()
            .map(|f| (f.assignment_id, f.submitted_at))
            .collect::<Vec<_>>(),
        [(a2.id, at(10)), (b1.id, at(20)), (a1.id, at(30))],
        "every course, one per assignment by its first version, oldest first"
    );
    let head = ok(
        storage.homework.submission_head(a2.id, s).await,
        "submission_head",
    )
    .expect("the student handed in a2");
    assert_eq!(head.id, sub_a2.id);
    assert_eq!(
        (head.versions, head.last_number),
        (2, 2),
        "head counts versions"
    );
    assert_eq!(head.state, sub_a2.state);
    assert!(
        ok(
            storage
                .homework
                .submission_head(b1.id, other_student.id)
                .await,
            "submission_head"
        )
        .is_none(),
        "no head without a hand-in"
    );
    assert!(
        ok(
            storage
                .homework
                .student_submissions(CourseId::new(), s)
                .await,
            "student_submissions"
        )
        .is_empty()
    );
}

/// The queue holds submitted (on time or late) work of the given courses,
/// oldest latest hand-in first, paged; graded and returned work is not in it.
pub async fn pending_submissions_oldest_first(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let course_b = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let course_c = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let a = add_assignment(&storage, class.course.id, at(25)).await;
    let b = add_assignment(&storage, course_b.id, day(1)).await;
    let c = add_assignment(&storage, course_c.id, day(1)).await;
    let students: Vec<_> = {
        let mut v = Vec::new();
        for _ in 0..6 {
            v.push(add_user(&storage, Role::Student).await.id);
        }
        v
    };
    let s1 = add_hand_in(&storage, &a, students[0], at(30)).await; // late
    let s2 = add_hand_in(&storage, &a, students[1], at(10)).await;
    add_hand_in(&storage, &a, students[1], at(50)).await; // latest hand-in at 50
    let s3 = add_hand_in(&storage, &b, students[2], at(20)).await;
    let graded = add_hand_in(&storage, &a, students[3], at(5)).await;
    ok(
        storage
            .homework
            .review(&grade_review(graded.id, 1, class.teacher.id, at(6), 5.0))
            .await,
        "grade",
    );
    let returned = add_hand_in(&storage, &b, students[4], at(7)).await;
    ok(
        storage
            .homework
            .review(&return_review(returned.id, 1, class.teacher.id, at(8)))
            .await,
        "return",
    );
    add_hand_in(&storage, &c, students[5], at(1)).await; // course not asked for

    let courses = [class.course.id, course_b.id];
    let queue = ok(
        storage
            .homework
            .pending_submissions(&courses, Page::first())
            .await,
        "pending_submissions",
    );
    let ids: Vec<_> = queue.iter().map(|p| p.submission.id).collect();
    assert_eq!(
        ids,
        [s3.id, s1.id, s2.id],
        "waiting work of the asked courses, oldest latest hand-in first"
    );
    assert_eq!(
        queue[0].assignment_id, b.id,
        "entries carry their assignment"
    );
    assert_eq!(
        queue[0].course_id, course_b.id,
        "entries carry their course"
    );
    assert_eq!(queue[1].course_id, class.course.id);
    assert_eq!(
        queue[1].submission.state,
        SubmissionState::SubmittedLate,
        "late work waits too"
    );
    assert_eq!(
        queue[2].submission.versions.len(),
        2,
        "entries carry versions"
    );
    let page: Vec<_> = ok(
        storage
            .homework
            .pending_submissions(&courses, Page::new(1, 1))
            .await,
        "pending_submissions",
    )
    .into_iter()
    .map(|p| p.submission.id)
    .collect();
    assert_eq!(page, [s1.id], "pages apply");
    assert!(
        ok(
            storage
                .homework
                .pending_submissions(&[], Page::first())
                .await,
            "empty"
        )
        .is_empty(),
        "no courses, no queue"
    );
}

/// Concurrent hand-ins by one student get distinct version numbers 1..=n in
/// one submission; concurrent retries of one key store one version.
pub async fn concurrent_hand_ins_are_numbered_once(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let b = add_assignment(&storage, class.course.id, day(1)).await;
    let n: u32 = 10;
    let calls = (0..n).map(|i| {
        let storage = storage.clone();
        let h = hand_in(&a, class.student.id, at(i64::from(i)), None);
        async move { retry_transient(|| storage.homework.hand_in(&h)).await }
    });
    let results = join_all(calls).await;
    for r in &results {
        assert!(
            matches!(r, Ok(HandInOutcome::Stored(_))),
            "every concurrent hand-in is stored, got {r:?}"
        );
    }
    let sub = ok(
        storage
            .homework
            .find_submission(a.id, class.student.id)
            .await,
        "find",
    )
    .expect("the submission exists");
    let mut numbers: Vec<u32> = sub.versions.iter().map(|v| v.number).collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=n).collect::<Vec<_>>(),
        "versions are numbered 1..=n without gaps or repeats"
    );
    assert!(
        sub.versions.iter().all(|v| v.submission_id == sub.id),
        "one submission holds every version"
    );

    let retries = (0..n).map(|i| {
        let storage = storage.clone();
        let h = hand_in(&b, class.student.id, at(i64::from(i)), Some("double-click"));
        async move { retry_transient(|| storage.homework.hand_in(&h)).await }
    });
    let results = join_all(retries).await;
    let stored_count = results
        .iter()
        .filter(|r| matches!(r, Ok(HandInOutcome::Stored(_))))
        .count();
    let duplicates = results
        .iter()
        .filter(|r| matches!(r, Ok(HandInOutcome::Duplicate(_))))
        .count();
    assert_eq!(
        (stored_count, duplicates),
        (1, n as usize - 1),
        "one concurrent retry is stored, the others are duplicates: {results:?}"
    );
    let sub = ok(
        storage
            .homework
            .find_submission(b.id, class.student.id)
            .await,
        "find",
    )
    .expect("the submission exists");
    assert_eq!(sub.versions.len(), 1, "one version for one key");
}
