//! Tests of the file service.

use chrono::Duration;

use super::*;
use crate::clock::ManualClock;
use crate::course::{Course, Lesson};
use crate::error::DomainError;
use crate::homework::Assignment;
use crate::ports::Storage;
use crate::testkit::conformance::fixtures::{
    add_assignment, add_course, add_hand_in, add_lesson, add_user, day, enroll, file_ref, ok, t0,
};
use crate::testkit::memory::MemoryStorage;
use crate::user::{Role, User};

/// A published course with its owner, an assistant, two enrolled
/// students, and outsiders of every role.
struct School {
    storage: Storage,
    service: FileService,
    clock: Arc<ManualClock>,
    teacher: Actor,
    assistant: Actor,
    student: Actor,
    classmate: Actor,
    admin: Actor,
    stranger: Actor,
    other_teacher: Actor,
    other_assistant: Actor,
    course: Course,
    lesson: Lesson,
    hidden_lesson: Lesson,
    assignment: Assignment,
    draft_assignment: Assignment,
}

async fn school() -> School {
    let storage = MemoryStorage::storage();
    let clock = Arc::new(ManualClock::new(t0()));
    let service = FileService::new(
        storage.files.clone(),
        storage.courses.clone(),
        storage.groups.clone(),
        storage.homework.clone(),
        storage.quizzes.clone(),
        storage.users.clone(),
        clock.clone(),
    );
    let actor = |u: User| u.actor();
    let teacher = actor(add_user(&storage, Role::Teacher).await);
    let assistant = actor(add_user(&storage, Role::Assistant).await);
    let student = actor(add_user(&storage, Role::Student).await);
    let classmate = actor(add_user(&storage, Role::Student).await);
    let admin = actor(add_user(&storage, Role::Admin).await);
    let stranger = actor(add_user(&storage, Role::Student).await);
    let other_teacher = actor(add_user(&storage, Role::Teacher).await);
    let other_assistant = actor(add_user(&storage, Role::Assistant).await);
    let course = add_course(&storage, teacher.user_id, CourseStatus::Published).await;
    let other = add_course(&storage, other_teacher.user_id, CourseStatus::Published).await;
    ok(
        storage
            .courses
            .add_assistant(course.id, assistant.user_id)
            .await,
        "assistant",
    );
    ok(
        storage
            .courses
            .add_assistant(other.id, other_assistant.user_id)
            .await,
        "other assistant",
    );
    enroll(&storage, course.id, student.user_id).await;
    enroll(&storage, course.id, classmate.user_id).await;
    enroll(&storage, other.id, stranger.user_id).await;
    let lesson = add_lesson(&storage, course.id, "Дроби").await;
    let mut hidden_lesson = add_lesson(&storage, course.id, "Уравнения").await;
    hidden_lesson.publish_at = Some(day(3));
    ok(
        storage.courses.update_lesson(&hidden_lesson).await,
        "hide lesson",
    );
    let assignment = add_assignment(&storage, course.id, day(7)).await;
    let mut draft_assignment = crate::testkit::conformance::fixtures::assignment(course.id, day(7));
    draft_assignment.published = false;
    ok(
        storage
            .homework
            .insert_assignment(&draft_assignment, &[])
            .await,
        "draft assignment",
    );
    School {
        storage,
        service,
        clock,
        teacher,
        assistant,
        student,
        classmate,
        admin,
        stranger,
        other_teacher,
        other_assistant,
        course,
        lesson,
        hidden_lesson,
        assignment,
        draft_assignment,
    }
}

impl School {
    /// Registers a file of `by` with `owner` straight in storage.
    async fn stored_file(&self, by: &Actor, owner: FileOwner) -> FileRef {
        let f = file_ref(by.user_id, "файл.pdf");
        ok(self.storage.files.insert(&f, owner).await, "insert file");
        f
    }

    async fn set_course_status(&self, status: CourseStatus) {
        let mut c = self.course.clone();
        c.status = status;
        ok(
            self.storage.courses.update_course(&c).await,
            "course status",
        );
    }
}

fn code<T: std::fmt::Debug, E: DomainError>(r: Result<T, E>) -> &'static str {
    match r {
        Ok(v) => panic!("expected a refusal, got {v:?}"),
        Err(e) => e.code(),
    }
}

#[tokio::test]
async fn every_active_user_uploads_hand_in_drafts_and_inactive_ones_none() {
    let s = school().await;
    for who in [&s.student, &s.teacher, &s.assistant, &s.admin, &s.stranger] {
        assert_eq!(
            s.service
                .authorize_upload(who, UploadTarget::Draft)
                .await
                .expect("an active user uploads a draft"),
            FileOwner::Unattached
        );
    }
    let mut gone = add_user(&s.storage, Role::Student).await;
    gone.active = false;
    ok(s.storage.users.update_user(&gone).await, "deactivate");
    assert_eq!(
        code(
            s.service
                .authorize_upload(&gone.actor(), UploadTarget::Draft)
                .await
        ),
        "account_inactive"
    );
    let unknown = Actor {
        user_id: crate::ids::UserId::new(),
        role: Role::Teacher,
    };
    assert_eq!(
        code(
            s.service
                .authorize_upload(&unknown, UploadTarget::Draft)
                .await
        ),
        "account_inactive"
    );
}

#[tokio::test]
async fn unattached_uploads_stop_at_the_users_quota() {
    let mut s = school().await;
    s.service.set_upload_quota(UploadQuota {
        max_files: 3,
        max_bytes: 30_000,
    });
    // Two drafts of 12,345 bytes fit; a third of that size would pass the
    // byte quota: refused at registration, with the real size.
    for _ in 0..2 {
        let owner = s
            .service
            .authorize_upload(&s.student, UploadTarget::Draft)
            .await
            .unwrap();
        let f = file_ref(s.student.user_id, "draft.pdf");
        s.service.register(&s.student, &f, owner).await.unwrap();
    }
    let owner = s
        .service
        .authorize_upload(&s.student, UploadTarget::Draft)
        .await
        .expect("under both limits before the bytes are known");
    let third = file_ref(s.student.user_id, "draft.pdf");
    assert_eq!(
        code(s.service.register(&s.student, &third, owner).await),
        "upload_quota_exceeded"
    );
    assert_eq!(
        ok(s.storage.files.get(third.id).await, "get"),
        None,
        "nothing stored"
    );
    // A small third file fits; then the file count is used up before any
    // bytes are read.
    let mut small = file_ref(s.student.user_id, "note.txt");
    small.size = 10;
    s.service.register(&s.student, &small, owner).await.unwrap();
    assert_eq!(
        code(
            s.service
                .authorize_upload(&s.student, UploadTarget::Draft)
                .await
        ),
        "upload_quota_exceeded"
    );
    // Another user's quota is their own; attached files do not count.
    s.service
        .authorize_upload(&s.classmate, UploadTarget::Draft)
        .await
        .expect("the classmate's quota is untouched");
    let lesson_file = file_ref(s.teacher.user_id, "урок.pdf");
    s.service
        .register(&s.teacher, &lesson_file, FileOwner::Lesson(s.lesson.id))
        .await
        .unwrap();
}

#[tokio::test]
async fn only_course_editors_upload_lesson_and_assignment_files() {
    let s = school().await;
    let lesson = UploadTarget::Lesson(s.lesson.id);
    let assignment = UploadTarget::Assignment(s.assignment.id);
    for who in [&s.teacher, &s.admin] {
        assert_eq!(
            s.service
                .authorize_upload(who, lesson)
                .await
                .expect("editor"),
            FileOwner::Lesson(s.lesson.id)
        );
        assert_eq!(
            s.service
                .authorize_upload(who, assignment)
                .await
                .expect("editor"),
            FileOwner::Assignment(s.assignment.id)
        );
    }
    // Those who see the course but may not edit it.
    for who in [&s.assistant, &s.student] {
        assert_eq!(
            code(s.service.authorize_upload(who, lesson).await),
            "forbidden"
        );
        assert_eq!(
            code(s.service.authorize_upload(who, assignment).await),
            "forbidden"
        );
    }
    // Those who may not even see it.
    for who in [&s.stranger, &s.other_teacher, &s.other_assistant] {
        assert_eq!(
            code(s.service.authorize_upload(who, lesson).await),
            "lesson_not_found"
        );
        assert_eq!(
            code(s.service.authorize_upload(who, assignment).await),
            "assignment_not_found"
        );
    }
    // A student does not learn of a hidden lesson or a draft assignment.
    assert_eq!(
        code(
            s.service
                .authorize_upload(&s.student, UploadTarget::Lesson(s.hidden_lesson.id))
                .await
        ),
        "lesson_not_found"
    );
    assert_eq!(
        code(
            s.service
                .authorize_upload(&s.student, UploadTarget::Assignment(s.draft_assignment.id))
                .await
        ),
        "assignment_not_found"
    );
    assert_eq!(
        code(
            s.service
                .authorize_upload(&s.teacher, UploadTarget::Lesson(LessonId::new()))
                .await
        ),
        "lesson_not_found"
    );
    s.set_course_status(CourseStatus::Archived).await;
    assert_eq!(
        code(s.service.authorize_upload(&s.teacher, lesson).await),
        "course_archived"
    );
}

#[tokio::test]
async fn registering_stores_the_file_with_its_owner() {
    let s = school().await;
    let f = file_ref(s.teacher.user_id, "конспект.pdf");
    s.service
        .register(&s.teacher, &f, FileOwner::Lesson(s.lesson.id))
        .await
        .expect("the owner registers a lesson file");
    assert_eq!(
        ok(s.storage.files.get(f.id).await, "get"),
        Some((f.clone(), FileOwner::Lesson(s.lesson.id)))
    );
    // Someone else's upload, a submission as owner, a student on a lesson.
    let theirs = file_ref(s.student.user_id, "a.pdf");
    assert_eq!(
        code(
            s.service
                .register(&s.teacher, &theirs, FileOwner::Unattached)
                .await
        ),
        "forbidden"
    );
    let sub = add_hand_in(&s.storage, &s.assignment, s.student.user_id, day(1)).await;
    assert_eq!(
        code(
            s.service
                .register(&s.student, &theirs, FileOwner::Submission(sub.id))
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            s.service
                .register(&s.student, &theirs, FileOwner::Lesson(s.lesson.id))
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        ok(s.storage.files.get(theirs.id).await, "get"),
        None,
        "nothing refused is registered"
    );
    s.service
        .register(&s.student, &theirs, FileOwner::Unattached)
        .await
        .expect("a student registers a draft");
    assert_eq!(
        ok(
            s.storage.files.list_by_owner(FileOwner::Unattached).await,
            "list"
        ),
        vec![theirs]
    );
}

#[tokio::test]
async fn hand_in_files_are_the_students_own_and_stored_with_the_version() {
    let s = school().await;
    let lms = crate::Lms::new(s.storage.clone(), s.clock.clone(), Vec::new());
    let mut assignment = crate::testkit::conformance::fixtures::assignment(s.course.id, day(7));
    assignment.submission_kind = crate::homework::SubmissionKind::Files;
    ok(
        s.storage.homework.insert_assignment(&assignment, &[]).await,
        "files assignment",
    );
    let mut upload = file_ref(s.student.user_id, "решение.pdf");
    upload.size = 777;
    s.service
        .register(&s.student, &upload, FileOwner::Unattached)
        .await
        .expect("register");
    async fn hand_in_as(
        lms: &crate::Lms,
        who: &Actor,
        to: AssignmentId,
        ids: Vec<FileId>,
        key: &str,
    ) -> Result<crate::homework::HandInResult, crate::homework::HandInError> {
        let input = crate::homework::HandInInput {
            text: None,
            file_ids: ids,
            idempotency_key: Some(key.to_owned()),
        };
        lms.homework.hand_in(who, to, input).await
    }
    let hand_in = |who, to, ids, key| hand_in_as(&lms, who, to, ids, key);
    let first = hand_in(&s.student, assignment.id, vec![upload.id, upload.id], "k1")
        .await
        .expect("hand in");
    let submission = first.submission.id;
    assert_eq!(
        first.submission.versions[0].files,
        vec![upload.clone()],
        "once, with the stored size"
    );
    assert_eq!(
        ok(
            s.storage
                .files
                .list_by_owner(FileOwner::Submission(submission))
                .await,
            "list"
        ),
        vec![upload.clone()],
        "the file became the submission's with the version"
    );
    // A new version may keep the file.
    let second = hand_in(&s.student, assignment.id, vec![upload.id], "k2")
        .await
        .expect("a second version keeping the file");
    assert_eq!(second.submission.versions.len(), 2);

    // Nobody else's, nothing elsewhere, nothing unknown.
    let classmate_gets = hand_in(&s.classmate, assignment.id, vec![upload.id], "c1").await;
    assert_eq!(code(classmate_gets), "file_not_found");
    let other = crate::testkit::conformance::fixtures::assignment(s.course.id, day(7));
    ok(
        s.storage.homework.insert_assignment(&other, &[]).await,
        "another assignment",
    );
    let elsewhere = hand_in(&s.student, other.id, vec![upload.id], "o1").await;
    assert_eq!(code(elsewhere), "file_in_use");
    let in_a_lesson = s
        .stored_file(&s.student, FileOwner::Lesson(s.lesson.id))
        .await;
    let lesson_file = hand_in(&s.student, assignment.id, vec![in_a_lesson.id], "l1").await;
    assert_eq!(code(lesson_file), "file_in_use");
    let unknown = hand_in(&s.student, assignment.id, vec![FileId::new()], "u1").await;
    assert_eq!(code(unknown), "file_not_found");
    assert_eq!(
        ok(
            s.storage.homework.get_submission(submission).await,
            "submission"
        )
        .map(|sub| sub.versions.len()),
        Some(2),
        "a refused hand-in stores no version"
    );
    assert_eq!(
        s.storage
            .homework
            .find_submission(assignment.id, s.classmate.user_id)
            .await
            .unwrap(),
        None
    );
}

/// Who may download: `allowed` get the file, everyone else `file_not_found`.
async fn assert_downloads(s: &School, file: &FileRef, allowed: &[&Actor], what: &str) {
    let everyone = [
        &s.teacher,
        &s.assistant,
        &s.student,
        &s.classmate,
        &s.admin,
        &s.stranger,
        &s.other_teacher,
        &s.other_assistant,
    ];
    for who in everyone {
        let got = s.service.authorize_download(who, file.id).await;
        if allowed.contains(&who) {
            assert_eq!(
                got.as_ref().ok(),
                Some(file),
                "{what}: {:?} may download",
                who.role
            );
        } else {
            assert_eq!(
                got.as_ref().map_err(DomainError::code).err(),
                Some("file_not_found"),
                "{what}: {:?} {} may not download",
                who.role,
                who.user_id
            );
        }
    }
}

#[tokio::test]
async fn lesson_files_go_to_who_sees_the_lesson() {
    let s = school().await;
    let members = [&s.teacher, &s.assistant, &s.student, &s.classmate, &s.admin];
    let staff = [&s.teacher, &s.assistant, &s.admin];
    let visible = s
        .stored_file(&s.teacher, FileOwner::Lesson(s.lesson.id))
        .await;
    let hidden = s
        .stored_file(&s.teacher, FileOwner::Lesson(s.hidden_lesson.id))
        .await;
    assert_downloads(&s, &visible, &members, "a visible lesson").await;
    assert_downloads(&s, &hidden, &staff, "a lesson before its date").await;
    s.clock.set(day(3));
    assert_downloads(&s, &hidden, &members, "the lesson once published").await;
    s.set_course_status(CourseStatus::Draft).await;
    assert_downloads(&s, &visible, &staff, "a draft course").await;
}

#[tokio::test]
async fn assignment_files_go_to_who_sees_the_assignment() {
    let s = school().await;
    let members = [&s.teacher, &s.assistant, &s.student, &s.classmate, &s.admin];
    let staff = [&s.teacher, &s.assistant, &s.admin];
    let published = s
        .stored_file(&s.teacher, FileOwner::Assignment(s.assignment.id))
        .await;
    let draft = s
        .stored_file(&s.teacher, FileOwner::Assignment(s.draft_assignment.id))
        .await;
    assert_downloads(&s, &published, &members, "a published assignment").await;
    assert_downloads(&s, &draft, &staff, "a draft assignment").await;
    s.clock.set(t0() - Duration::days(30));
    assert_downloads(&s, &published, &staff, "an assignment not open yet").await;
}

#[tokio::test]
async fn submission_files_go_to_the_student_and_the_course_staff() {
    let s = school().await;
    let submission = add_hand_in(&s.storage, &s.assignment, s.student.user_id, day(1)).await;
    let f = s.stored_file(&s.student, FileOwner::Unattached).await;
    assert_downloads(&s, &f, &[&s.student], "an unattached upload").await;
    ok(
        s.storage
            .files
            .attach(
                &[f.id],
                s.student.user_id,
                FileOwner::Submission(submission.id),
            )
            .await,
        "attach",
    );
    assert_downloads(
        &s,
        &f,
        &[&s.student, &s.teacher, &s.assistant, &s.admin],
        "a handed-in file",
    )
    .await;
    assert_eq!(
        code(
            s.service
                .authorize_download(&s.student, FileId::new())
                .await
        ),
        "file_not_found"
    );
}

/// The whole flow through the `Lms` facade: a student uploads for the
/// assignment, hands in, retries; the teacher downloads; a classmate cannot.
#[tokio::test]
async fn a_hand_in_with_files_through_the_facade() {
    let s = school().await;
    let lms = crate::Lms::new(s.storage.clone(), s.clock.clone(), Vec::new())
        .with_file_store(Arc::new(crate::testkit::memory::MemoryFileStore::new()));
    let mut assignment = crate::testkit::conformance::fixtures::assignment(s.course.id, day(7));
    assignment.submission_kind = crate::homework::SubmissionKind::Files;
    ok(
        s.storage.homework.insert_assignment(&assignment, &[]).await,
        "files assignment",
    );
    let upload = lms
        .files
        .upload(
            &s.student,
            UploadTarget::HandIn(assignment.id),
            "решение.pdf",
            &mut crate::file::InMemoryBody::new(b"%PDF-1.7".to_vec()),
        )
        .await
        .expect("upload");
    for attempt in 0..2 {
        let result = lms
            .homework
            .hand_in(
                &s.student,
                assignment.id,
                crate::homework::HandInInput {
                    text: None,
                    file_ids: vec![upload.id],
                    idempotency_key: Some("hand-in-1".to_owned()),
                },
            )
            .await
            .expect("hand in");
        assert_eq!(result.duplicate, attempt == 1, "the retry is a duplicate");
        assert_eq!(
            result.submission.versions.len(),
            1,
            "the retry stores no second version"
        );
        assert_eq!(result.submission.versions[0].files, vec![upload.clone()]);
    }
    assert_eq!(
        lms.files
            .authorize_download(&s.teacher, upload.id)
            .await
            .expect("the teacher checks the work"),
        upload
    );
    assert_eq!(
        code(lms.files.authorize_download(&s.classmate, upload.id).await),
        "file_not_found"
    );
}
