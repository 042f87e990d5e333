//! Conformance of [`FileRegistry`](crate::file::FileRegistry).

use futures::future::join_all;

use super::fixtures::{
    add_assignment, add_hand_in, add_lesson, add_user, assert_conflict, assert_not_found, at, day,
    file_ref, ok, published_course_with_student, retry_transient,
};
use crate::error::Conflict;
use crate::file::FileOwner;
use crate::ids::{FileId, LessonId, SubmissionId};
use crate::ports::Storage;
use crate::user::Role;

/// Files round-trip with their owner; ids and storage keys are unique;
/// uploader and owner must exist.
pub async fn files_round_trip(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let lesson = add_lesson(&storage, class.course.id, "Дроби").await;
    let mut f = file_ref(class.teacher.id, "конспект урока.pdf");
    f.size = 5_000_000_000;
    f.content_type =
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into();
    ok(
        storage.files.insert(&f, FileOwner::Lesson(lesson.id)).await,
        "insert",
    );
    assert_eq!(
        ok(storage.files.get(f.id).await, "get"),
        Some((f.clone(), FileOwner::Lesson(lesson.id))),
        "every field and the owner round-trip (sizes above 4 GiB too)"
    );
    assert_eq!(ok(storage.files.get(FileId::new()).await, "get"), None);

    let mut same_id = file_ref(class.teacher.id, "b.pdf");
    same_id.id = f.id;
    assert_conflict(
        storage.files.insert(&same_id, FileOwner::Unattached).await,
        Conflict::Other,
        "a taken id",
    );
    let mut same_key = file_ref(class.teacher.id, "c.pdf");
    same_key.storage_key = f.storage_key.clone();
    assert_conflict(
        storage.files.insert(&same_key, FileOwner::Unattached).await,
        Conflict::Other,
        "a taken storage key",
    );
    let nobody = file_ref(crate::ids::UserId::new(), "d.pdf");
    assert_not_found(
        storage.files.insert(&nobody, FileOwner::Unattached).await,
        "an unknown uploader",
    );
    for owner in [
        FileOwner::Lesson(LessonId::new()),
        FileOwner::Assignment(crate::ids::AssignmentId::new()),
        FileOwner::Submission(SubmissionId::new()),
    ] {
        assert_not_found(
            storage
                .files
                .insert(&file_ref(class.teacher.id, "e.pdf"), owner)
                .await,
            &format!("an unknown owner {owner:?}"),
        );
    }
    assert_eq!(
        ok(
            storage.files.list_by_owner(FileOwner::Unattached).await,
            "list"
        ),
        [],
        "refused inserts store nothing"
    );
}

/// Files list by owner, oldest upload first.
pub async fn files_are_listed_by_owner(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let assignment = add_assignment(&storage, class.course.id, day(7)).await;
    let other = add_assignment(&storage, class.course.id, day(8)).await;
    let mut late = file_ref(class.teacher.id, "late.pdf");
    late.uploaded_at = at(30);
    let mut early = file_ref(class.teacher.id, "early.pdf");
    early.uploaded_at = at(10);
    let mut elsewhere = file_ref(class.teacher.id, "other.pdf");
    elsewhere.uploaded_at = at(20);
    let loose = file_ref(class.student.id, "draft.pdf");
    for (f, owner) in [
        (&late, FileOwner::Assignment(assignment.id)),
        (&early, FileOwner::Assignment(assignment.id)),
        (&elsewhere, FileOwner::Assignment(other.id)),
        (&loose, FileOwner::Unattached),
    ] {
        ok(storage.files.insert(f, owner).await, "insert");
    }
    assert_eq!(
        ok(
            storage
                .files
                .list_by_owner(FileOwner::Assignment(assignment.id))
                .await,
            "list"
        ),
        [early, late],
        "the assignment's files, oldest first"
    );
    assert_eq!(
        ok(
            storage.files.list_by_owner(FileOwner::Unattached).await,
            "list"
        ),
        [loose]
    );
    assert_eq!(
        ok(
            storage
                .files
                .list_by_owner(FileOwner::Submission(SubmissionId::new()))
                .await,
            "list"
        ),
        []
    );
}

/// Attaching moves the uploader's unattached files to the owner, and a
/// retry is harmless.
pub async fn attach_moves_unattached_files(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let assignment = add_assignment(&storage, class.course.id, day(7)).await;
    let submission = add_hand_in(&storage, &assignment, class.student.id, day(1)).await;
    let a = file_ref(class.student.id, "a.pdf");
    let b = file_ref(class.student.id, "b.pdf");
    for f in [&a, &b] {
        ok(
            storage.files.insert(f, FileOwner::Unattached).await,
            "insert",
        );
    }
    let owner = FileOwner::Submission(submission.id);
    let attached = ok(
        storage
            .files
            .attach(&[b.id, a.id, b.id], class.student.id, owner)
            .await,
        "attach",
    );
    assert_eq!(
        attached,
        [b.clone(), a.clone()],
        "in the order given, a repeat once"
    );
    assert_eq!(
        ok(storage.files.get(a.id).await, "get").map(|(_, o)| o),
        Some(owner)
    );
    assert_eq!(
        ok(
            storage
                .files
                .attach(&[a.id, b.id], class.student.id, owner)
                .await,
            "attach again"
        ),
        [a.clone(), b.clone()],
        "a retry succeeds"
    );
    assert_eq!(
        ok(
            storage.files.list_by_owner(FileOwner::Unattached).await,
            "list"
        ),
        [],
        "nothing is left unattached"
    );
    assert_eq!(
        ok(
            storage.files.attach(&[], class.student.id, owner).await,
            "attach none"
        ),
        []
    );
}

/// Attaching checks every file first: unknown, someone else's or attached
/// elsewhere changes nothing.
pub async fn attach_is_all_or_nothing(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let classmate = add_user(&storage, Role::Student).await;
    let assignment = add_assignment(&storage, class.course.id, day(7)).await;
    let mine = add_hand_in(&storage, &assignment, class.student.id, day(1)).await;
    let theirs = add_hand_in(&storage, &assignment, classmate.id, day(1)).await;
    let free = file_ref(class.student.id, "free.pdf");
    let used = file_ref(class.student.id, "used.pdf");
    let foreign = file_ref(classmate.id, "foreign.pdf");
    ok(
        storage.files.insert(&free, FileOwner::Unattached).await,
        "insert",
    );
    ok(
        storage
            .files
            .insert(&used, FileOwner::Submission(theirs.id))
            .await,
        "insert",
    );
    ok(
        storage.files.insert(&foreign, FileOwner::Unattached).await,
        "insert",
    );
    let to_mine = FileOwner::Submission(mine.id);
    assert_not_found(
        storage
            .files
            .attach(&[free.id, FileId::new()], class.student.id, to_mine)
            .await,
        "an unknown file",
    );
    assert_not_found(
        storage
            .files
            .attach(&[free.id, foreign.id], class.student.id, to_mine)
            .await,
        "someone else's upload",
    );
    assert_conflict(
        storage
            .files
            .attach(&[free.id, used.id], class.student.id, to_mine)
            .await,
        Conflict::FileAttached,
        "a file attached to another submission",
    );
    assert_not_found(
        storage
            .files
            .attach(
                &[free.id],
                class.student.id,
                FileOwner::Submission(SubmissionId::new()),
            )
            .await,
        "an unknown owner",
    );
    assert_eq!(
        ok(storage.files.get(free.id).await, "get").map(|(_, o)| o),
        Some(FileOwner::Unattached),
        "a refused attach changes nothing"
    );
    assert_eq!(
        ok(storage.files.get(used.id).await, "get").map(|(_, o)| o),
        Some(FileOwner::Submission(theirs.id))
    );
}

/// Two concurrent attaches of one file to different owners: one wins, the
/// other is `Conflict(FileAttached)`.
pub async fn concurrent_attaches_to_different_owners_conflict(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(7)).await;
    let b = add_assignment(&storage, class.course.id, day(8)).await;
    let on_a = add_hand_in(&storage, &a, class.student.id, day(1)).await;
    let on_b = add_hand_in(&storage, &b, class.student.id, day(1)).await;
    let f = file_ref(class.student.id, "solution.pdf");
    ok(
        storage.files.insert(&f, FileOwner::Unattached).await,
        "insert",
    );
    let calls = [on_a.id, on_b.id].map(|s| {
        let storage = storage.clone();
        let student = class.student.id;
        async move {
            let ids = [f.id];
            retry_transient(|| {
                storage
                    .files
                    .attach(&ids, student, FileOwner::Submission(s))
            })
            .await
        }
    });
    let results = join_all(calls).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    let lost = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Err(crate::error::StorageError::Conflict(Conflict::FileAttached))
            )
        })
        .count();
    assert_eq!((won, lost), (1, 1), "one attach wins: {results:?}");
}

/// Orphans: unattached files uploaded before the cutoff, oldest first, at
/// most `limit`; deleting removes only unattached files.
pub async fn unattached_files_are_found_and_deleted(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let lesson = add_lesson(&storage, class.course.id, "Дроби").await;
    let mut files = Vec::new();
    for minutes in [30, 10, 20, 50] {
        let mut f = file_ref(class.student.id, "draft.pdf");
        f.uploaded_at = at(minutes);
        ok(
            storage.files.insert(&f, FileOwner::Unattached).await,
            "insert",
        );
        files.push(f);
    }
    let mut attached = file_ref(class.teacher.id, "old.pdf");
    attached.uploaded_at = at(0);
    ok(
        storage
            .files
            .insert(&attached, FileOwner::Lesson(lesson.id))
            .await,
        "insert",
    );
    let ids = |v: Vec<crate::file::FileRef>| v.into_iter().map(|f| f.id).collect::<Vec<_>>();
    assert_eq!(
        ids(ok(
            storage.files.unattached_before(at(50), 10).await,
            "orphans"
        )),
        [files[1].id, files[2].id, files[0].id],
        "unattached before the cutoff (exclusive), oldest first"
    );
    assert_eq!(
        ids(ok(
            storage.files.unattached_before(at(50), 2).await,
            "orphans"
        )),
        [files[1].id, files[2].id],
        "at most the limit"
    );
    assert!(
        !ok(storage.files.delete(attached.id).await, "delete attached"),
        "an attached file is kept"
    );
    assert!(ok(storage.files.get(attached.id).await, "get").is_some());
    assert!(ok(storage.files.delete(files[1].id).await, "delete orphan"));
    assert!(
        !ok(storage.files.delete(files[1].id).await, "delete again"),
        "a deleted file is gone"
    );
    assert_eq!(ok(storage.files.get(files[1].id).await, "get"), None);
    assert_not_found(
        storage
            .files
            .attach(&[files[1].id], class.student.id, FileOwner::Unattached)
            .await,
        "a deleted file cannot be attached",
    );
}

/// Upload usage counts one user's unattached files and bytes only.
pub async fn unattached_usage_counts_one_users_drafts(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let lesson = add_lesson(&storage, class.course.id, "Дроби").await;
    assert_eq!(
        ok(
            storage.files.unattached_usage(class.student.id).await,
            "usage"
        ),
        crate::file::UploadUsage::default(),
        "nothing uploaded"
    );
    for size in [1_000, 2_500] {
        let mut f = file_ref(class.student.id, "draft.pdf");
        f.size = size;
        ok(
            storage.files.insert(&f, FileOwner::Unattached).await,
            "insert",
        );
    }
    let mut theirs = file_ref(class.teacher.id, "draft.pdf");
    theirs.size = 9_999;
    ok(
        storage.files.insert(&theirs, FileOwner::Unattached).await,
        "insert",
    );
    let mut attached = file_ref(class.teacher.id, "lesson.pdf");
    attached.size = 7_777;
    ok(
        storage
            .files
            .insert(&attached, FileOwner::Lesson(lesson.id))
            .await,
        "insert",
    );
    assert_eq!(
        ok(
            storage.files.unattached_usage(class.student.id).await,
            "usage"
        ),
        crate::file::UploadUsage {
            files: 2,
            bytes: 3_500
        }
    );
    assert_eq!(
        ok(
            storage.files.unattached_usage(class.teacher.id).await,
            "usage"
        ),
        crate::file::UploadUsage {
            files: 1,
            bytes: 9_999
        },
        "attached files do not count"
    );
}

/// Deleting a lesson leaves its files unattached, to be cleaned up.
pub async fn deleting_a_lesson_orphans_its_files(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let lesson = add_lesson(&storage, class.course.id, "Дроби").await;
    let f = file_ref(class.teacher.id, "slides.pdf");
    ok(
        storage.files.insert(&f, FileOwner::Lesson(lesson.id)).await,
        "insert",
    );
    assert!(ok(
        storage.courses.delete_lesson(lesson.id).await,
        "delete lesson"
    ));
    assert_eq!(
        ok(storage.files.get(f.id).await, "get"),
        Some((f.clone(), FileOwner::Unattached))
    );
    assert_eq!(
        ok(storage.files.unattached_before(day(1), 10).await, "orphans"),
        [f]
    );
}

/// Drafts become a course's or a quiz's pictures: attached, they are
/// listed by that owner, no longer drafts (not counted, not cleaned up, not
/// deleted), and round-trip; an unknown course or quiz is `NotFound`.
pub async fn drafts_become_course_and_quiz_pictures(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (quiz, _) =
        super::fixtures::add_quiz_with_questions(&storage, class.course.id, at(0), 1).await;
    let teacher = class.teacher.id;
    let mut drafts = Vec::new();
    for (minutes, name) in [(1, "обложка.png"), (2, "схема.png"), (3, "график.png")]
    {
        let mut f = file_ref(teacher, name);
        f.uploaded_at = at(minutes);
        ok(
            storage.files.insert(&f, FileOwner::Unattached).await,
            "draft",
        );
        drafts.push(f);
    }
    let course = FileOwner::Course(class.course.id);
    let quiz_owner = FileOwner::Quiz(quiz.id);
    assert_eq!(
        ok(
            storage.files.attach(&[drafts[0].id], teacher, course).await,
            "to the course"
        ),
        [drafts[0].clone()]
    );
    assert_eq!(
        ok(
            storage
                .files
                .attach(&[drafts[2].id, drafts[1].id], teacher, quiz_owner)
                .await,
            "to the quiz"
        ),
        [drafts[2].clone(), drafts[1].clone()],
        "in the order asked"
    );
    assert_eq!(
        ok(storage.files.get(drafts[0].id).await, "get"),
        Some((drafts[0].clone(), course))
    );
    assert_eq!(
        ok(storage.files.get(drafts[1].id).await, "get"),
        Some((drafts[1].clone(), quiz_owner))
    );
    assert_eq!(
        ok(storage.files.list_by_owner(course).await, "course's"),
        [drafts[0].clone()]
    );
    assert_eq!(
        ok(storage.files.list_by_owner(quiz_owner).await, "quiz's"),
        [drafts[1].clone(), drafts[2].clone()],
        "oldest upload first"
    );
    assert_eq!(
        ok(storage.files.unattached_usage(teacher).await, "usage").files,
        0,
        "no longer drafts"
    );
    assert_eq!(
        ok(storage.files.unattached_before(at(60), 10).await, "orphans"),
        [],
        "the cleanup leaves them"
    );
    assert!(!ok(storage.files.delete(drafts[0].id).await, "delete"));
    assert_conflict(
        storage
            .files
            .attach(&[drafts[0].id], teacher, quiz_owner)
            .await,
        Conflict::FileAttached,
        "a course's picture is not taken by a quiz",
    );
    ok(
        storage.files.attach(&[drafts[0].id], teacher, course).await,
        "attaching again to the same course is a harmless retry",
    );
    let direct = file_ref(teacher, "прямо.png");
    ok(
        storage.files.insert(&direct, quiz_owner).await,
        "insert owned",
    );
    assert_eq!(
        ok(storage.files.get(direct.id).await, "get"),
        Some((direct.clone(), quiz_owner))
    );
    for owner in [
        FileOwner::Course(crate::ids::CourseId::new()),
        FileOwner::Quiz(crate::ids::QuizId::new()),
    ] {
        assert_not_found(
            storage
                .files
                .insert(&file_ref(teacher, "x.png"), owner)
                .await,
            &format!("an unknown owner {owner:?}"),
        );
        assert_not_found(
            storage.files.attach(&[], teacher, owner).await,
            &format!("attaching nothing to an unknown owner {owner:?}"),
        );
    }
}
