//! Homework conformance: hand-ins: versions, idempotency keys, atomic messages and awards.

use super::*;

/// A first hand-in creates the submission under `new_submission_id` with
/// version 1, and stores its messages and awards.
pub async fn first_hand_in_creates_a_submission(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let mut h = hand_in(&a, class.student.id, at(30), Some("key-1"));
    let upload = file_ref(class.student.id, "решение.pdf");
    ok(
        storage.files.insert(&upload, FileOwner::Unattached).await,
        "the student's upload",
    );
    h.version.files = vec![upload.clone()];
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
        ok(storage.files.get(upload.id).await, "get file"),
        Some((upload, FileOwner::Submission(h.new_submission_id))),
        "the version's file became the submission's with it"
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

/// A hand-in's files become the submission's in the same write, or the
/// hand-in writes nothing: a file that is not the student's upload is
/// `NotFound`, one part of something else `Conflict(FileAttached)`.
pub async fn hand_in_takes_its_files_or_writes_nothing(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let lesson =
        crate::testkit::conformance::fixtures::add_lesson(&storage, class.course.id, "Дроби").await;
    let mine = file_ref(class.student.id, "решение.pdf");
    let teachers = file_ref(class.teacher.id, "чужой.pdf");
    let in_lesson = file_ref(class.student.id, "в уроке.pdf");
    ok(
        storage.files.insert(&mine, FileOwner::Unattached).await,
        "mine",
    );
    ok(
        storage.files.insert(&teachers, FileOwner::Unattached).await,
        "the teacher's",
    );
    ok(
        storage
            .files
            .insert(&in_lesson, FileOwner::Lesson(lesson.id))
            .await,
        "a lesson's",
    );
    let with = |files: Vec<crate::file::FileRef>, key: &str| {
        let mut h = hand_in(&a, class.student.id, at(30), Some(key));
        h.version.files = files;
        h
    };
    assert_not_found(
        storage
            .homework
            .hand_in(&with(vec![mine.clone(), teachers.clone()], "k1"))
            .await,
        "someone else's file",
    );
    assert_conflict(
        storage
            .homework
            .hand_in(&with(vec![mine.clone(), in_lesson.clone()], "k2"))
            .await,
        Conflict::FileAttached,
        "a lesson's file",
    );
    let unknown = file_ref(class.student.id, "нет.pdf");
    assert_not_found(
        storage.homework.hand_in(&with(vec![unknown], "k3")).await,
        "an unregistered file",
    );
    assert_eq!(
        ok(
            storage
                .homework
                .find_submission(a.id, class.student.id)
                .await,
            "find"
        ),
        None,
        "refused hand-ins wrote nothing"
    );
    assert_eq!(
        ok(storage.files.get(mine.id).await, "get").map(|(_, o)| o),
        Some(FileOwner::Unattached),
        "the student's file is still a draft"
    );
    let first = stored(
        ok(
            storage
                .homework
                .hand_in(&with(vec![mine.clone(), mine.clone()], "k4"))
                .await,
            "hand in",
        ),
        "with the student's file",
    );
    assert_eq!(
        ok(storage.files.get(mine.id).await, "get").map(|(_, o)| o),
        Some(FileOwner::Submission(first.id))
    );
    // A later version keeps it; another assignment cannot take it.
    let mut again = with(vec![mine.clone()], "k5");
    again.version.submitted_at = at(40);
    stored(
        ok(storage.homework.hand_in(&again).await, "second version"),
        "keeping the file",
    );
    let b = add_assignment(&storage, class.course.id, day(2)).await;
    let mut elsewhere = hand_in(&b, class.student.id, at(50), Some("k6"));
    elsewhere.version.files = vec![mine.clone()];
    assert_conflict(
        storage.homework.hand_in(&elsewhere).await,
        Conflict::FileAttached,
        "a file of another submission",
    );
}
