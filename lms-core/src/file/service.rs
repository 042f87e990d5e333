//! The file service: who may upload a file for what, which uploads a
//! student may hand in, and who may download a stored file.
//!
//! The bytes go through the [`FileStore`](super::FileStore) in the HTTP (or
//! embedding) layer; this service decides and keeps the
//! [`FileRegistry`](super::FileRegistry) up to date. An upload follows:
//!
//! 1. [`authorize_upload`](FileService::authorize_upload) before reading the
//!    body: gives the owner the file will have.
//! 2. Stream the bytes into the file store under a fresh key, then
//!    [`register`](FileService::register) the [`FileRef`] with that owner.
//! 3. For homework: [`files_for_hand_in`](FileService::files_for_hand_in)
//!    turns the ids a student sends into stored refs (real sizes) for
//!    [`HomeworkService::hand_in`](crate::homework::HomeworkService::hand_in),
//!    then [`attach_to_submission`](FileService::attach_to_submission) with
//!    the submission it returned. Lesson and assignment files are
//!    registered attached to their object at once.
//!
//! Downloads ([`authorize_download`](FileService::authorize_download)) are
//! allowed exactly to who may see the owning object, by the same rules as
//! the course and homework services; everyone else gets `NotFound`, so a
//! file id reveals nothing.

use std::sync::Arc;

use thiserror::Error;

use crate::clock::Clock;
use crate::course::{Course, CourseRole, CourseStatus, CourseStore};
use crate::error::{Conflict, StorageError, StorageResult};
use crate::file::model::{FileOwner, FileRef};
use crate::file::ports::FileRegistry;
use crate::homework::HomeworkStore;
use crate::homework::service::student_sees;
use crate::ids::{AssignmentId, CourseId, FileId, LessonId, SubmissionId};
use crate::policy;
use crate::user::{Actor, UserStore};

/// What an upload is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UploadTarget {
    /// A file for a homework hand-in not made yet: registered unattached,
    /// attached when the hand-in is stored.
    SubmissionDraft,
    /// An attachment of a lesson.
    Lesson(LessonId),
    /// An attachment of an assignment's instructions.
    Assignment(AssignmentId),
}

/// Why an upload (or its registration) was refused.
#[derive(Debug, Error)]
pub enum UploadError {
    /// The actor's account is deactivated (or unknown).
    #[error("the account is deactivated")]
    Inactive,
    /// No such lesson, or the actor may not see it.
    #[error("lesson not found")]
    LessonNotFound,
    /// No such assignment, or the actor may not see it.
    #[error("assignment not found")]
    AssignmentNotFound,
    /// The actor sees the object but may not edit it, or registers a file
    /// someone else uploaded, or for a submission (those are attached).
    #[error("not allowed to upload files here")]
    Forbidden,
    /// The course is archived: its lessons and assignments are frozen.
    #[error("the course is archived")]
    CourseArchived,
    /// Storage failed (`Conflict(Other)`: the file id or key is taken).
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(UploadError {
    Inactive => (Forbidden, "account_inactive"),
    LessonNotFound => (NotFound, "lesson_not_found"),
    AssignmentNotFound => (NotFound, "assignment_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    CourseArchived => (Conflict, "course_archived"),
});

/// Why files could not be used for a hand-in.
#[derive(Debug, Error)]
pub enum HandInFilesError {
    /// No such file, or it is not the actor's.
    #[error("file {0} not found")]
    FileNotFound(FileId),
    /// The file belongs to another object (e.g. a hand-in to another assignment).
    #[error("file {0} is attached elsewhere")]
    FileInUse(FileId),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(HandInFilesError {
    FileNotFound(_) => (NotFound, "file_not_found"),
    FileInUse(_) => (Conflict, "file_in_use"),
});

/// Why files could not be attached to a submission.
#[derive(Debug, Error)]
pub enum AttachError {
    /// No such submission, or it is not the actor's.
    #[error("submission not found")]
    SubmissionNotFound,
    /// A file does not exist or is not the actor's.
    #[error("file not found")]
    FileNotFound,
    /// A file is attached to another object.
    #[error("a file is attached elsewhere")]
    FileInUse,
    /// Storage failed.
    #[error(transparent)]
    Storage(StorageError),
}

crate::domain_error!(AttachError {
    SubmissionNotFound => (NotFound, "submission_not_found"),
    FileNotFound => (NotFound, "file_not_found"),
    FileInUse => (Conflict, "file_in_use"),
});

impl From<StorageError> for AttachError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound => Self::FileNotFound,
            StorageError::Conflict(Conflict::FileAttached) => Self::FileInUse,
            other => Self::Storage(other),
        }
    }
}

/// Why a download was refused.
#[derive(Debug, Error)]
pub enum DownloadError {
    /// No such file, or the actor may not see what it belongs to.
    #[error("file not found")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(DownloadError {
    NotFound => (NotFound, "file_not_found"),
});

/// The actor's view of a course: the course and their membership.
struct Access {
    course: Course,
    membership: Option<CourseRole>,
}

impl Access {
    fn can_view(&self, actor: &Actor) -> bool {
        policy::can_view_course(actor, self.membership, self.course.status)
    }

    fn can_grade(&self, actor: &Actor) -> bool {
        policy::can_grade(actor, self.membership)
    }

    fn can_manage(&self, actor: &Actor) -> bool {
        policy::can_manage_course(actor, self.membership)
    }
}

/// Upload and download authorisation and the file registry.
pub struct FileService {
    files: Arc<dyn FileRegistry>,
    courses: Arc<dyn CourseStore>,
    homework: Arc<dyn HomeworkStore>,
    users: Arc<dyn UserStore>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for FileService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileService { .. }")
    }
}

impl FileService {
    /// A service over these ports.
    pub fn new(
        files: Arc<dyn FileRegistry>,
        courses: Arc<dyn CourseStore>,
        homework: Arc<dyn HomeworkStore>,
        users: Arc<dyn UserStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            files,
            courses,
            homework,
            users,
            clock,
        }
    }

    /// Whether the actor may upload a file for `target`, and the owner the
    /// file gets: any active user may upload a hand-in draft (`Unattached`,
    /// only they can use it); lesson and assignment attachments only staff
    /// who may edit the course (its owner while a teacher, admins), while it
    /// is not archived. Who may not see the lesson or assignment gets its
    /// `NotFound`, who sees it but may not edit it `Forbidden`.
    pub async fn authorize_upload(
        &self,
        actor: &Actor,
        target: UploadTarget,
    ) -> Result<FileOwner, UploadError> {
        let active = self
            .users
            .get_user(actor.user_id)
            .await?
            .is_some_and(|u| u.active);
        if !active {
            return Err(UploadError::Inactive);
        }
        let now = self.clock.now();
        match target {
            UploadTarget::SubmissionDraft => Ok(FileOwner::Unattached),
            UploadTarget::Lesson(id) => {
                let lesson = self
                    .courses
                    .get_lesson(id)
                    .await?
                    .ok_or(UploadError::LessonNotFound)?;
                let access = self
                    .access(actor, lesson.course_id)
                    .await?
                    .ok_or(UploadError::LessonNotFound)?;
                let sees = access.can_grade(actor)
                    || (access.can_view(actor) && lesson.is_visible_at(now));
                if !sees {
                    return Err(UploadError::LessonNotFound);
                }
                editable(actor, &access)?;
                Ok(FileOwner::Lesson(id))
            }
            UploadTarget::Assignment(id) => {
                let assignment = self
                    .homework
                    .get_assignment(id)
                    .await?
                    .ok_or(UploadError::AssignmentNotFound)?;
                let access = self
                    .access(actor, assignment.course_id)
                    .await?
                    .ok_or(UploadError::AssignmentNotFound)?;
                let sees = access.can_grade(actor)
                    || (access.can_view(actor) && student_sees(&assignment, now));
                if !sees {
                    return Err(UploadError::AssignmentNotFound);
                }
                editable(actor, &access)?;
                Ok(FileOwner::Assignment(id))
            }
        }
    }

    /// Registers an uploaded file (its bytes already stored under
    /// `file.storage_key`) with the owner [`authorize_upload`](Self::authorize_upload)
    /// gave. The upload is authorised again (the course may have changed
    /// while the bytes streamed); the file must be the actor's
    /// (`uploaded_by`), and a submission is never a direct owner
    /// (`Forbidden`: hand-in files are attached). On an error the caller
    /// deletes the bytes.
    pub async fn register(
        &self,
        actor: &Actor,
        file: &FileRef,
        owner: FileOwner,
    ) -> Result<(), UploadError> {
        if file.uploaded_by != actor.user_id {
            return Err(UploadError::Forbidden);
        }
        let target = match owner {
            FileOwner::Unattached => UploadTarget::SubmissionDraft,
            FileOwner::Lesson(id) => UploadTarget::Lesson(id),
            FileOwner::Assignment(id) => UploadTarget::Assignment(id),
            FileOwner::Submission(_) => return Err(UploadError::Forbidden),
        };
        self.authorize_upload(actor, target).await?;
        self.files.insert(file, owner).await?;
        Ok(())
    }

    /// The stored refs (real sizes and types, for the assignment's file
    /// limits) of the files a student hands in to `assignment_id`, in the
    /// order of `ids` (a repeated id once): each must be the actor's own
    /// upload, unattached or already attached to the actor's submission to
    /// this assignment (a retry, or a file kept from an earlier version).
    /// Pass the result as the hand-in's files, then
    /// [`attach_to_submission`](Self::attach_to_submission).
    pub async fn files_for_hand_in(
        &self,
        actor: &Actor,
        assignment_id: AssignmentId,
        ids: &[FileId],
    ) -> Result<Vec<FileRef>, HandInFilesError> {
        let mut refs: Vec<FileRef> = Vec::with_capacity(ids.len());
        let mut own_submission: Option<Option<SubmissionId>> = None;
        for id in ids {
            if refs.iter().any(|f| f.id == *id) {
                continue;
            }
            let (file, owner) = self
                .files
                .get(*id)
                .await?
                .filter(|(f, _)| f.uploaded_by == actor.user_id)
                .ok_or(HandInFilesError::FileNotFound(*id))?;
            match owner {
                FileOwner::Unattached => {}
                FileOwner::Submission(s) => {
                    if own_submission.is_none() {
                        own_submission = Some(
                            self.homework
                                .find_submission(assignment_id, actor.user_id)
                                .await?
                                .map(|s| s.id),
                        );
                    }
                    if own_submission.flatten() != Some(s) {
                        return Err(HandInFilesError::FileInUse(*id));
                    }
                }
                FileOwner::Lesson(_) | FileOwner::Assignment(_) => {
                    return Err(HandInFilesError::FileInUse(*id));
                }
            }
            refs.push(file);
        }
        Ok(refs)
    }

    /// Attaches the actor's uploads to their submission `submission_id`,
    /// atomically (see [`FileRegistry::attach`]); repeating it is harmless.
    /// Returns the attached files.
    pub async fn attach_to_submission(
        &self,
        actor: &Actor,
        ids: &[FileId],
        submission_id: SubmissionId,
    ) -> Result<Vec<FileRef>, AttachError> {
        let submission = self
            .homework
            .get_submission(submission_id)
            .await
            .map_err(AttachError::Storage)?
            .filter(|s| s.student_id == actor.user_id)
            .ok_or(AttachError::SubmissionNotFound)?;
        Ok(self
            .files
            .attach(ids, actor.user_id, FileOwner::Submission(submission.id))
            .await?)
    }

    /// The file, if the actor may download it: whoever may see its owner.
    /// A lesson's file: the course's staff, and its students once the
    /// course is published and the lesson visible. An assignment's file:
    /// staff, and students once it is published and open. A submission's
    /// file: the submitting student and the course's staff (owner,
    /// assistants, admins). An unattached file: only its uploader.
    pub async fn authorize_download(
        &self,
        actor: &Actor,
        id: FileId,
    ) -> Result<FileRef, DownloadError> {
        let (file, owner) = self.files.get(id).await?.ok_or(DownloadError::NotFound)?;
        let allowed = match owner {
            FileOwner::Unattached => file.uploaded_by == actor.user_id,
            FileOwner::Lesson(lesson) => self.sees_lesson(actor, lesson).await?,
            FileOwner::Assignment(assignment) => self.sees_assignment(actor, assignment).await?,
            FileOwner::Submission(submission) => self.sees_submission(actor, submission).await?,
        };
        if allowed {
            Ok(file)
        } else {
            Err(DownloadError::NotFound)
        }
    }

    async fn access(&self, actor: &Actor, course: CourseId) -> StorageResult<Option<Access>> {
        let Some(course) = self.courses.get_course(course).await? else {
            return Ok(None);
        };
        let membership = self.courses.membership(course.id, actor.user_id).await?;
        Ok(Some(Access { course, membership }))
    }

    async fn sees_lesson(&self, actor: &Actor, id: LessonId) -> StorageResult<bool> {
        let Some(lesson) = self.courses.get_lesson(id).await? else {
            return Ok(false);
        };
        let Some(access) = self.access(actor, lesson.course_id).await? else {
            return Ok(false);
        };
        Ok(access.can_grade(actor)
            || (access.can_view(actor) && lesson.is_visible_at(self.clock.now())))
    }

    async fn sees_assignment(&self, actor: &Actor, id: AssignmentId) -> StorageResult<bool> {
        let Some(assignment) = self.homework.get_assignment(id).await? else {
            return Ok(false);
        };
        let Some(access) = self.access(actor, assignment.course_id).await? else {
            return Ok(false);
        };
        Ok(access.can_grade(actor)
            || (access.can_view(actor) && student_sees(&assignment, self.clock.now())))
    }

    async fn sees_submission(&self, actor: &Actor, id: SubmissionId) -> StorageResult<bool> {
        let Some(submission) = self.homework.get_submission(id).await? else {
            return Ok(false);
        };
        let Some(assignment) = self
            .homework
            .get_assignment(submission.assignment_id)
            .await?
        else {
            return Ok(false);
        };
        let Some(access) = self.access(actor, assignment.course_id).await? else {
            return Ok(false);
        };
        Ok(access.can_grade(actor)
            || (submission.student_id == actor.user_id && access.can_view(actor)))
    }
}

/// `Forbidden` unless the actor may edit the course, `CourseArchived` when
/// it is frozen.
fn editable(actor: &Actor, access: &Access) -> Result<(), UploadError> {
    if !access.can_manage(actor) {
        return Err(UploadError::Forbidden);
    }
    if access.course.status == CourseStatus::Archived {
        return Err(UploadError::CourseArchived);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::clock::ManualClock;
    use crate::course::{Course, Lesson};
    use crate::error::DomainError;
    use crate::homework::Assignment;
    use crate::ports::Storage;
    use crate::testkit::conformance::fixtures::{
        add_assignment, add_course, add_hand_in, add_lesson, add_user, day, enroll, file_ref, ok,
        t0,
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
            storage.homework.clone(),
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
        let mut draft_assignment =
            crate::testkit::conformance::fixtures::assignment(course.id, day(7));
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
                    .authorize_upload(who, UploadTarget::SubmissionDraft)
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
                    .authorize_upload(&gone.actor(), UploadTarget::SubmissionDraft)
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
                    .authorize_upload(&unknown, UploadTarget::SubmissionDraft)
                    .await
            ),
            "account_inactive"
        );
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
    async fn hand_in_files_are_the_students_own_with_stored_sizes() {
        let s = school().await;
        let mut upload = file_ref(s.student.user_id, "решение.pdf");
        upload.size = 777;
        s.service
            .register(&s.student, &upload, FileOwner::Unattached)
            .await
            .expect("register");
        let files = s
            .service
            .files_for_hand_in(&s.student, s.assignment.id, &[upload.id, upload.id])
            .await
            .expect("own draft");
        assert_eq!(files, vec![upload.clone()], "once, with the stored size");
        assert_eq!(files[0].size, 777);

        let submission = add_hand_in(&s.storage, &s.assignment, s.student.user_id, day(1)).await;
        let attached = s
            .service
            .attach_to_submission(&s.student, &[upload.id], submission.id)
            .await
            .expect("attach");
        assert_eq!(attached, vec![upload.clone()]);
        assert_eq!(
            ok(
                s.storage
                    .files
                    .list_by_owner(FileOwner::Submission(submission.id))
                    .await,
                "list"
            ),
            vec![upload.clone()]
        );
        // A retry (or a new version keeping the file) may use it again.
        assert_eq!(
            s.service
                .files_for_hand_in(&s.student, s.assignment.id, &[upload.id])
                .await
                .expect("retry"),
            vec![upload.clone()]
        );
        s.service
            .attach_to_submission(&s.student, &[upload.id], submission.id)
            .await
            .expect("attaching again is harmless");

        // A classmate can neither use nor attach the student's file.
        assert_eq!(
            code(
                s.service
                    .files_for_hand_in(&s.classmate, s.assignment.id, &[upload.id])
                    .await
            ),
            "file_not_found"
        );
        assert_eq!(
            code(
                s.service
                    .attach_to_submission(&s.classmate, &[upload.id], submission.id)
                    .await
            ),
            "submission_not_found"
        );
        let classmate_sub =
            add_hand_in(&s.storage, &s.assignment, s.classmate.user_id, day(1)).await;
        assert_eq!(
            code(
                s.service
                    .attach_to_submission(&s.classmate, &[upload.id], classmate_sub.id)
                    .await
            ),
            "file_not_found"
        );
        // The student's file handed in elsewhere is in use for another assignment.
        let other = add_assignment(&s.storage, s.course.id, day(9)).await;
        assert_eq!(
            code(
                s.service
                    .files_for_hand_in(&s.student, other.id, &[upload.id])
                    .await
            ),
            "file_in_use"
        );
        // A teacher's lesson file is nobody's hand-in.
        let lesson_file = s
            .stored_file(&s.teacher, FileOwner::Lesson(s.lesson.id))
            .await;
        assert_eq!(
            code(
                s.service
                    .files_for_hand_in(&s.teacher, s.assignment.id, &[lesson_file.id])
                    .await
            ),
            "file_in_use"
        );
        assert_eq!(
            code(
                s.service
                    .files_for_hand_in(&s.student, s.assignment.id, &[FileId::new()])
                    .await
            ),
            "file_not_found"
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

    /// The whole flow through the `Lms` facade: a student uploads, hands
    /// in, retries; the teacher downloads; a classmate cannot.
    #[tokio::test]
    async fn a_hand_in_with_files_through_the_facade() {
        let s = school().await;
        let lms = crate::Lms::new(s.storage.clone(), s.clock.clone(), Vec::new());
        let mut assignment = crate::testkit::conformance::fixtures::assignment(s.course.id, day(7));
        assignment.submission_kind = crate::homework::SubmissionKind::Files;
        ok(
            s.storage.homework.insert_assignment(&assignment, &[]).await,
            "files assignment",
        );
        let owner = lms
            .files
            .authorize_upload(&s.student, UploadTarget::SubmissionDraft)
            .await
            .expect("upload");
        let upload = file_ref(s.student.user_id, "решение.pdf");
        lms.files
            .register(&s.student, &upload, owner)
            .await
            .expect("register");
        for attempt in 0..2 {
            let files = lms
                .files
                .files_for_hand_in(&s.student, assignment.id, &[upload.id])
                .await
                .expect("files");
            let result = lms
                .homework
                .hand_in(
                    &s.student,
                    assignment.id,
                    crate::homework::HandInInput {
                        text: None,
                        files,
                        idempotency_key: Some("hand-in-1".to_owned()),
                    },
                )
                .await
                .expect("hand in");
            assert_eq!(result.duplicate, attempt == 1, "the retry is a duplicate");
            lms.files
                .attach_to_submission(&s.student, &[upload.id], result.submission.id)
                .await
                .expect("attach");
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
}
