//! The file service: who may upload a file for what, which uploads a
//! student may hand in, and who may download a stored file.
//!
//! The bytes go through the [`FileStore`](super::FileStore) in the HTTP (or
//! embedding) layer; this service decides and keeps the
//! [`FileRegistry`] up to date. An upload follows:
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
use crate::file::model::{FileOwner, FileRef, UploadQuota};
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
    /// The user holds as many unattached uploads (files or bytes) as the
    /// quota allows: hand them in, or wait for the daily cleanup.
    #[error(
        "at most {max_files} files and {max_bytes} bytes may wait unattached; hand them in first"
    )]
    QuotaExceeded {
        /// Files allowed.
        max_files: u32,
        /// Bytes allowed.
        max_bytes: u64,
    },
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
    QuotaExceeded { .. } => (TooLarge, "upload_quota_exceeded"),
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
    quota: UploadQuota,
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
            quota: UploadQuota::default(),
        }
    }

    /// Sets the per-user quota of unattached uploads.
    pub fn set_upload_quota(&mut self, quota: UploadQuota) {
        self.quota = quota;
    }

    /// Refuses an unattached upload of `adding` more bytes when the user's
    /// unattached files would exceed the quota.
    async fn within_quota(&self, actor: &Actor, adding: u64) -> Result<(), UploadError> {
        let usage = self.files.unattached_usage(actor.user_id).await?;
        let UploadQuota {
            max_files,
            max_bytes,
        } = self.quota;
        if usage.files >= max_files || usage.bytes.saturating_add(adding) > max_bytes {
            return Err(UploadError::QuotaExceeded {
                max_files,
                max_bytes,
            });
        }
        Ok(())
    }

    /// Whether the actor may upload a file for `target`, and the owner the
    /// file gets: any active user may upload a hand-in draft (`Unattached`,
    /// only they can use it) while their unattached uploads stay within the
    /// [`UploadQuota`] (checked again with the real size at
    /// [`register`](Self::register)); lesson and assignment attachments only staff
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
            UploadTarget::SubmissionDraft => {
                self.within_quota(actor, 0).await?;
                Ok(FileOwner::Unattached)
            }
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
        if owner == FileOwner::Unattached {
            self.within_quota(actor, file.size).await?;
        }
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
mod tests;
