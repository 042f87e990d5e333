//! The file service: the upload workflow, who may upload a file for what,
//! who may download a stored file, and the cleanup of drafts never used.
//!
//! [`upload`](FileService::upload) is the whole workflow over the
//! [`FileStore`] port: authorise, check the type, stream the bytes under a
//! fresh key within the size limit, register the [`FileRef`], and delete
//! the bytes again if registering fails. An embedder hands it any
//! [`ByteSource`]; the HTTP layer hands it a multipart part.
//!
//! An upload for something not saved yet is a *draft*
//! ([`UploadTarget::Draft`]): only its uploader reads it until the object
//! using it is saved and takes it over;
//! [`purge_drafts`](FileService::purge_drafts) deletes drafts never used.
//! A hand-in names its files by id:
//! [`HomeworkService::hand_in`](crate::homework::HomeworkService::hand_in)
//! checks them and stores them with the version, in one write.
//!
//! Downloads ([`download`](FileService::download)) are allowed exactly to
//! who may see the owning object, by the same rules as the course and
//! homework services; everyone else gets `NotFound`, so a file id reveals
//! nothing.

use std::sync::Arc;

use crate::clock::Clock;
use crate::course::{CourseAccess, CourseStatus, CourseStore};
use crate::error::StorageResult;
use crate::file::model::{FileOwner, FileRef, UploadQuota};
use crate::file::ports::{FileRegistry, FileStore};
use crate::group::GroupStore;
use crate::homework::service::student_sees;
use crate::homework::{Assignment, HomeworkStore};
use crate::ids::{AssignmentId, CourseId, FileId, LessonId, QuizId, SubmissionId};
use crate::quiz::QuizStore;
use crate::user::{Actor, UserStore};

/// What an upload is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UploadTarget {
    /// A draft: a file for something not saved yet (a hand-in, a new
    /// lesson's picture, feedback). Registered unattached, only its
    /// uploader may read it, and it becomes the object's when the object
    /// that uses it is saved; a draft never used is deleted by
    /// [`purge_drafts`](FileService::purge_drafts).
    Draft,
    /// A draft for a hand-in to this assignment: its file limits apply
    /// while the bytes arrive.
    HandIn(AssignmentId),
    /// An attachment of a lesson.
    Lesson(LessonId),
    /// An attachment of an assignment's instructions.
    Assignment(AssignmentId),
}

/// Upload and download authorisation and the file registry.
pub struct FileService {
    files: Arc<dyn FileRegistry>,
    courses: Arc<dyn CourseStore>,
    groups: Arc<dyn GroupStore>,
    homework: Arc<dyn HomeworkStore>,
    quizzes: Arc<dyn QuizStore>,
    users: Arc<dyn UserStore>,
    clock: Arc<dyn Clock>,
    store: Arc<dyn FileStore>,
    quota: UploadQuota,
    max_upload_bytes: u64,
    draft_lifetime: chrono::Duration,
}

/// The largest upload by default: 50 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 50 * 1024 * 1024;

/// How long a draft waits to be used by default: a day.
pub const DEFAULT_DRAFT_LIFETIME: chrono::Duration = chrono::Duration::hours(24);

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
        groups: Arc<dyn GroupStore>,
        homework: Arc<dyn HomeworkStore>,
        quizzes: Arc<dyn QuizStore>,
        users: Arc<dyn UserStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            files,
            courses,
            groups,
            homework,
            quizzes,
            users,
            clock,
            store: Arc::new(NoFileStore),
            quota: UploadQuota::default(),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            draft_lifetime: DEFAULT_DRAFT_LIFETIME,
        }
    }

    /// Sets where the bytes of uploads live (until then every upload and
    /// download fails: see [`NoFileStore`]).
    pub fn set_file_store(&mut self, store: Arc<dyn FileStore>) {
        self.store = store;
    }

    /// The store the bytes of uploads live in.
    #[must_use]
    pub fn file_store(&self) -> &Arc<dyn FileStore> {
        &self.store
    }

    /// Sets the largest file anyone may upload, in bytes (an assignment's
    /// own limit can only be lower).
    pub fn set_max_upload_bytes(&mut self, max: u64) {
        self.max_upload_bytes = max;
    }

    /// Sets how long a draft waits to be used before
    /// [`purge_drafts`](Self::purge_drafts) deletes it.
    pub fn set_draft_lifetime(&mut self, lifetime: chrono::Duration) {
        self.draft_lifetime = lifetime;
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
            UploadTarget::Draft | UploadTarget::HandIn(_) => {
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
                let sees = access.can_grade() || (access.can_view() && lesson.is_visible_at(now));
                if !sees {
                    return Err(UploadError::LessonNotFound);
                }
                editable(&access)?;
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
                let sees =
                    access.can_grade() || (access.can_view() && student_sees(&assignment, now));
                if !sees {
                    return Err(UploadError::AssignmentNotFound);
                }
                editable(&access)?;
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
            FileOwner::Unattached => UploadTarget::Draft,
            FileOwner::Lesson(id) => UploadTarget::Lesson(id),
            FileOwner::Assignment(id) => UploadTarget::Assignment(id),
            // Hand-in files, and pictures of a course or quiz, are drafts
            // until what uses them is saved.
            FileOwner::Submission(_) | FileOwner::Course(_) | FileOwner::Quiz(_) => {
                return Err(UploadError::Forbidden);
            }
        };
        self.authorize_upload(actor, target).await?;
        if owner == FileOwner::Unattached {
            self.within_quota(actor, file.size).await?;
        }
        self.files.insert(file, owner).await?;
        Ok(())
    }

    /// The file, if the actor may download it: whoever may see its owner.
    /// A lesson's file: the course's staff, and its students once the
    /// course is published and the lesson visible. An assignment's file:
    /// staff, and students once it is published and open. A submission's
    /// file: the submitting student and the course's staff who grade them
    /// (owner, admins, the assistants or their group's mentors). A course's picture: whoever sees the course. A
    /// quiz's: staff, and students once it is published. A draft: only its
    /// uploader.
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
            FileOwner::Course(course) => self
                .access(actor, course)
                .await?
                .is_some_and(|access| access.can_view()),
            FileOwner::Quiz(quiz) => self.sees_quiz(actor, quiz).await?,
        };
        if allowed {
            Ok(file)
        } else {
            Err(DownloadError::NotFound)
        }
    }

    async fn access(&self, actor: &Actor, course: CourseId) -> StorageResult<Option<CourseAccess>> {
        CourseAccess::load(&*self.courses, &*self.groups, actor, course).await
    }

    async fn sees_lesson(&self, actor: &Actor, id: LessonId) -> StorageResult<bool> {
        let Some(lesson) = self.courses.get_lesson(id).await? else {
            return Ok(false);
        };
        let Some(access) = self.access(actor, lesson.course_id).await? else {
            return Ok(false);
        };
        Ok(access.can_grade() || (access.can_view() && lesson.is_visible_at(self.clock.now())))
    }

    async fn sees_assignment(&self, actor: &Actor, id: AssignmentId) -> StorageResult<bool> {
        Ok(self.visible_assignment(actor, id).await?.is_some())
    }

    /// The assignment, if the actor may see it.
    async fn visible_assignment(
        &self,
        actor: &Actor,
        id: AssignmentId,
    ) -> StorageResult<Option<Assignment>> {
        let Some(assignment) = self.homework.get_assignment(id).await? else {
            return Ok(None);
        };
        let Some(access) = self.access(actor, assignment.course_id).await? else {
            return Ok(None);
        };
        let sees = access.can_grade()
            || (access.can_view() && student_sees(&assignment, self.clock.now()));
        Ok(sees.then_some(assignment))
    }

    async fn sees_quiz(&self, actor: &Actor, id: QuizId) -> StorageResult<bool> {
        let Some(quiz) = self.quizzes.get_quiz(id).await? else {
            return Ok(false);
        };
        let Some(access) = self.access(actor, quiz.course_id).await? else {
            return Ok(false);
        };
        Ok(access.can_grade() || (access.can_view() && quiz.published))
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
        // Staff read the work of the students they grade (a mentor, their
        // groups'); the student their own.
        Ok(
            (submission.student_id == actor.user_id && access.can_view())
                || access.grades(&*self.groups, submission.student_id).await?,
        )
    }
}

/// `Forbidden` unless the actor may edit the course, `CourseArchived` when
/// it is frozen.
fn editable(access: &CourseAccess) -> Result<(), UploadError> {
    if !access.can_manage() {
        return Err(UploadError::Forbidden);
    }
    if access.course().status == CourseStatus::Archived {
        return Err(UploadError::CourseArchived);
    }
    Ok(())
}

mod drafts;
mod errors;
mod upload;

pub(crate) use drafts::{adopt_drafts, adopt_pictures, named_drafts};

pub use errors::*;
pub use upload::*;

#[cfg(test)]
mod tests;
