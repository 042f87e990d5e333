//! Why homework operations fail.

use thiserror::Error;

use crate::error::{Conflict, StorageError};
use crate::file::FileLimitError;
use crate::ids::FileId;

use crate::score::{Points, PointsError};

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Why an assignment could not be created or changed.
#[derive(Debug, Error)]
pub enum AssignmentError {
    /// No such course, or the actor may not see it.
    #[error("course not found")]
    CourseNotFound,
    /// No such assignment, or the actor may not see it.
    #[error("assignment not found")]
    NotFound,
    /// Only the course owner or an admin manages assignments.
    #[error("only the course owner or an admin may manage its assignments")]
    Forbidden,
    /// The course is archived and read-only.
    #[error("the course is archived")]
    CourseArchived,
    /// `due_at` is before `opens_at`.
    #[error("due_at must not be before opens_at")]
    DueBeforeOpen,
    /// `cut_off_at` is before `due_at`.
    #[error("cut_off_at must not be before due_at")]
    CutOffBeforeDue,
    /// `max_score` is zero.
    #[error("max_score must be greater than 0")]
    ZeroMaxScore,
    /// A late-policy percentage is above 100.
    #[error("late_policy.{field} must be at most 100")]
    LatePercent {
        /// The field.
        field: &'static str,
    },
    /// File limits that make no sense.
    #[error("file_limits.{field} {reason}")]
    FileLimits {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An attachment that is not a file uploaded for this assignment (a
    /// new assignment has none yet: upload after creating it).
    #[error("attachment_ids: file {0} was not uploaded for this assignment")]
    AttachmentNotUploaded(FileId),
    /// A lower `max_score` than a score already given.
    #[error("max_score {max} is below an existing grade of {highest}")]
    MaxBelowGrades {
        /// The requested maximum.
        max: Points,
        /// The highest raw score given so far.
        highest: Points,
    },
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(AssignmentError {
    CourseNotFound => (NotFound, "course_not_found"),
    NotFound => (NotFound, "assignment_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    CourseArchived => (Conflict, "course_archived"),
    DueBeforeOpen => (Invalid, "due_before_open"),
    CutOffBeforeDue => (Invalid, "cut_off_before_due"),
    ZeroMaxScore => (Invalid, "max_score_zero"),
    LatePercent { .. } => (Invalid, "late_policy_percent"),
    FileLimits { .. } => (Invalid, "file_limits"),
    AttachmentNotUploaded(_) => (Invalid, "invalid_field"),
    MaxBelowGrades { .. } => (Conflict, "max_score_below_grades"),
});

/// Why homework could not be read (assignments, submissions, queue, audit).
#[derive(Debug, Error)]
pub enum HomeworkReadError {
    /// No such course, or the actor may not see it.
    #[error("course not found")]
    CourseNotFound,
    /// No such assignment, or the actor may not see it.
    #[error("assignment not found")]
    AssignmentNotFound,
    /// No such submission, or the actor may not see it.
    #[error("submission not found")]
    SubmissionNotFound,
    /// The actor sees the object but may not read this (e.g. a student
    /// asking for everyone's submissions).
    #[error("only the course's teachers and assistants may see this")]
    Forbidden,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(HomeworkReadError {
    CourseNotFound => (NotFound, "course_not_found"),
    AssignmentNotFound => (NotFound, "assignment_not_found"),
    SubmissionNotFound => (NotFound, "submission_not_found"),
    Forbidden => (Forbidden, "forbidden"),
});

/// Why an extension could not be granted, revoked or listed.
#[derive(Debug, Error)]
pub enum ExtensionError {
    /// No such assignment, or the actor may not see it.
    #[error("assignment not found")]
    AssignmentNotFound,
    /// The actor may not manage (or, for listing, see) extensions.
    #[error("the actor may not manage extensions of this assignment")]
    Forbidden,
    /// The course is archived and read-only.
    #[error("the course is archived")]
    CourseArchived,
    /// The student is not enrolled in the course.
    #[error("student_id: the student is not enrolled in the course")]
    StudentNotEnrolled,
    /// `cut_off_at` is before `due_at`.
    #[error("cut_off_at must not be before due_at")]
    CutOffBeforeDue,
    /// The student has no extension to revoke.
    #[error("extension not found")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(ExtensionError {
    AssignmentNotFound => (NotFound, "assignment_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    CourseArchived => (Conflict, "course_archived"),
    StudentNotEnrolled => (Invalid, "student_not_enrolled"),
    CutOffBeforeDue => (Invalid, "cut_off_before_due"),
    NotFound => (NotFound, "extension_not_found"),
});

/// Why a hand-in was refused.
#[derive(Debug, Error)]
pub enum HandInError {
    /// No such assignment, or the actor may not see it.
    #[error("assignment not found")]
    NotFound,
    /// Only enrolled students hand in.
    #[error("only students enrolled in the course may hand in homework")]
    Forbidden,
    /// The course is archived: nothing is accepted any more.
    #[error("the course is archived")]
    CourseArchived,
    /// The assignment does not accept work yet. Students cannot see an
    /// assignment before it opens, so the service answers them `NotFound`
    /// instead; this stays the rule's refusal ([`TimingRefusal::NotOpenYet`](crate::homework::rules::TimingRefusal::NotOpenYet)).
    #[error("the assignment is not open yet")]
    NotOpenYet,
    /// The student's cut-off has passed.
    #[error("the cut-off has passed")]
    PastCutOff,
    /// Text was handed in to a files-only assignment.
    #[error("text: this assignment accepts files only")]
    TextNotAccepted,
    /// Files were handed in to a text-only assignment.
    #[error("files: this assignment accepts text only")]
    FilesNotAccepted,
    /// Neither text nor files.
    #[error("text, files: nothing was handed in")]
    Empty,
    /// The files break the assignment's limits.
    #[error("files: {0}")]
    Files(#[source] FileLimitError),
    /// No such file, or it is not the student's upload.
    #[error("file_ids: file {0} not found")]
    FileNotFound(FileId),
    /// The file belongs to something else (a lesson, a hand-in to another
    /// assignment).
    #[error("file_ids: file {0} is attached elsewhere")]
    FileInUse(FileId),
    /// A file was uploaded by someone else.
    #[error("files: {name:?} was not uploaded by the student")]
    FileNotOwned {
        /// The file's name.
        name: String,
    },
    /// The submission is graded; no new version is accepted.
    #[error("the homework is already graded")]
    AlreadyGraded,
    /// The submission holds as many versions as the school allows.
    #[error("at most {max} versions may be handed in to one assignment")]
    TooManyVersions {
        /// The limit.
        max: u32,
    },
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(HandInError {
    NotFound => (NotFound, "assignment_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    CourseArchived => (Conflict, "course_archived"),
    NotOpenYet => (Conflict, "not_open_yet"),
    PastCutOff => (Conflict, "past_cut_off"),
    TextNotAccepted => (Invalid, "text_not_accepted"),
    FilesNotAccepted => (Invalid, "files_not_accepted"),
    Empty => (Invalid, "empty_hand_in"),
    Files(FileLimitError::TooLarge { .. }) => (TooLarge, "file_too_large"),
    Files(FileLimitError::TypeNotAllowed { .. }) => (Unsupported, "file_type_not_allowed"),
    Files(FileLimitError::TooMany { .. }) => (Invalid, "too_many_files"),
    FileNotOwned { .. } => (Forbidden, "file_not_owned"),
    FileNotFound(_) => (NotFound, "file_not_found"),
    FileInUse(_) => (Conflict, "file_in_use"),
    AlreadyGraded => (Conflict, "already_graded"),
    TooManyVersions { .. } => (Conflict, "too_many_versions"),
});

/// Why a grade or a return for rework was refused.
#[derive(Debug, Error)]
pub enum ReviewError {
    /// No such submission, or the actor may not see it.
    #[error("submission not found")]
    NotFound,
    /// Only the course owner, its assistants and admins check homework.
    #[error("only the course's teachers and assistants may check homework")]
    Forbidden,
    /// A newer version was handed in (or the submission was reviewed) since
    /// the reviewer looked at it.
    #[error("the submission changed meanwhile; reload it")]
    ChangedMeanwhile,
    /// The score is not valid for the assignment.
    #[error("raw_score: {0}")]
    Score(#[from] PointsError),
    /// Only submitted or graded work can be returned.
    #[error("the submission is already returned for rework")]
    NotReturnable,
    /// Returning for rework needs feedback saying what to change.
    #[error("feedback must not be empty")]
    FeedbackRequired,
    /// Storage failed.
    #[error(transparent)]
    Storage(StorageError),
}

crate::domain_error!(ReviewError {
    NotFound => (NotFound, "submission_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    ChangedMeanwhile => (Conflict, "changed_meanwhile"),
    Score(PointsError::AboveMax { .. }) => (Invalid, "score_above_max"),
    Score(PointsError::OutOfRange(_)) => (Invalid, "invalid_score"),
    NotReturnable => (Conflict, "not_returnable"),
    FeedbackRequired => (Invalid, "feedback_required"),
});

impl From<StorageError> for ReviewError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Conflict(Conflict::Stale) => Self::ChangedMeanwhile,
            StorageError::NotFound => Self::NotFound,
            other => Self::Storage(other),
        }
    }
}

/// Why a message could not be read or posted in a submission's thread.
#[derive(Debug, Error)]
pub enum CommentError {
    /// No such submission, or the actor takes no part in its thread.
    #[error("submission not found")]
    NotFound,
    /// A message without text or picture.
    #[error("body: write something")]
    Empty,
    /// A message over the size limit.
    #[error("body: at most {max} bytes")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// The thread holds as many messages as allowed.
    #[error("the thread holds at most {max} messages")]
    ThreadFull {
        /// The limit.
        max: usize,
    },
    /// The course is archived: its threads are read-only.
    #[error("the course is archived")]
    CourseArchived,
    /// An attachment that is not a file the author uploaded for it.
    #[error("file_ids: file {0} is not an upload of yours waiting to be attached")]
    AttachmentNotUploaded(crate::ids::FileId),
    /// More attachments than a message may carry.
    #[error("file_ids: at most {max} files")]
    TooManyFiles {
        /// The limit.
        max: usize,
    },
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(CommentError {
    NotFound => (NotFound, "submission_not_found"),
    Empty => (Invalid, "empty_comment"),
    TooLong { .. } => (Invalid, "comment_too_long"),
    ThreadFull { .. } => (Conflict, "thread_full"),
    CourseArchived => (Conflict, "course_archived"),
    AttachmentNotUploaded(_) => (Invalid, "invalid_field"),
    TooManyFiles { .. } => (Invalid, "invalid_field"),
});
