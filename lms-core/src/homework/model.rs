//! Homework entities.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::course::Title;
use crate::file::{FileLimits, FileRef};
use crate::ids::{AssignmentId, AuditId, CourseId, SubmissionId, SubmissionVersionId, UserId};
use crate::richtext::RichText;
use crate::score::Points;

/// What a student hands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubmissionKind {
    /// A text answer only.
    Text,
    /// Files only.
    Files,
    /// Text and/or files.
    TextAndFiles,
}

impl SubmissionKind {
    /// Whether text is accepted.
    #[must_use]
    pub fn accepts_text(self) -> bool {
        matches!(self, Self::Text | Self::TextAndFiles)
    }

    /// Whether files are accepted.
    #[must_use]
    pub fn accepts_files(self) -> bool {
        matches!(self, Self::Files | Self::TextAndFiles)
    }
}

/// How late work is scored. Work after the cut-off (if any) is never accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LatePolicy {
    /// Late work is accepted without penalty.
    NoPenalty,
    /// Each started day after the due date removes `percent_per_day` percent
    /// of the raw score, but never more than down to `floor_percent`.
    PercentPerDay {
        /// Penalty per started day late, 0..=100.
        #[cfg_attr(feature = "openapi", schema(maximum = 100))]
        percent_per_day: u8,
        /// The least share of the raw score kept, 0..=100.
        #[cfg_attr(feature = "openapi", schema(maximum = 100))]
        floor_percent: u8,
    },
}

/// A homework assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignment {
    /// Identifier.
    pub id: AssignmentId,
    /// The course.
    pub course_id: CourseId,
    /// Title.
    pub title: Title,
    /// Instructions (rich text).
    pub instructions: RichText,
    /// Files attached to the instructions.
    pub attachments: Vec<FileRef>,
    /// Students can see and submit from this instant.
    pub opens_at: DateTime<Utc>,
    /// Due date; later work is late.
    pub due_at: DateTime<Utc>,
    /// After this instant nothing is accepted; `None`: late work is always accepted.
    pub cut_off_at: Option<DateTime<Utc>>,
    /// The most points a submission can earn.
    pub max_score: Points,
    /// Late penalty.
    pub late_policy: LatePolicy,
    /// Text, files or both.
    pub submission_kind: SubmissionKind,
    /// Limits on attached files.
    pub file_limits: FileLimits,
    /// Whether students can see it (a draft is staff-only).
    pub published: bool,
    /// When created.
    pub created_at: DateTime<Utc>,
}

/// A per-student extension overriding the due date and cut-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Extension {
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// The student.
    pub student_id: UserId,
    /// The student's due date.
    pub due_at: DateTime<Utc>,
    /// The student's cut-off; `None`: none.
    pub cut_off_at: Option<DateTime<Utc>>,
    /// Who granted it.
    pub granted_by: UserId,
    /// When.
    pub granted_at: DateTime<Utc>,
}

/// The due date and cut-off that apply to one student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadline {
    /// Due date.
    pub due_at: DateTime<Utc>,
    /// Cut-off, if any.
    pub cut_off_at: Option<DateTime<Utc>>,
}

/// What a student sees as the state of their homework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HomeworkStatus {
    /// Nothing handed in yet, and still accepted.
    NotSubmitted,
    /// Handed in on time, waiting for a grade.
    Submitted,
    /// Handed in after the due date, waiting for a grade.
    SubmittedLate,
    /// The teacher asked for a new version.
    ReturnedForRework,
    /// Graded.
    Graded,
    /// Nothing handed in and the (student's) cut-off has passed, so nothing
    /// will be accepted any more. Without a cut-off work is never missing.
    Missing,
}

impl HomeworkStatus {
    /// Stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotSubmitted => "not_submitted",
            Self::Submitted => "submitted",
            Self::SubmittedLate => "submitted_late",
            Self::ReturnedForRework => "returned_for_rework",
            Self::Graded => "graded",
            Self::Missing => "missing",
        }
    }
}

/// The stored state of a submission (a submission exists once something was
/// handed in, so `NotSubmitted` and `Missing` are never stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubmissionState {
    /// Latest version waits for a grade, handed in on time.
    Submitted,
    /// Latest version waits for a grade, handed in late.
    SubmittedLate,
    /// Returned for rework.
    ReturnedForRework,
    /// Graded.
    Graded,
}

impl SubmissionState {
    /// Stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        HomeworkStatus::from(self).as_str()
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "submitted" => Self::Submitted,
            "submitted_late" => Self::SubmittedLate,
            "returned_for_rework" => Self::ReturnedForRework,
            "graded" => Self::Graded,
            _ => return None,
        })
    }
}

impl From<SubmissionState> for HomeworkStatus {
    fn from(s: SubmissionState) -> Self {
        match s {
            SubmissionState::Submitted => Self::Submitted,
            SubmissionState::SubmittedLate => Self::SubmittedLate,
            SubmissionState::ReturnedForRework => Self::ReturnedForRework,
            SubmissionState::Graded => Self::Graded,
        }
    }
}

/// One handed-in version. Versions are never changed or deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionVersion {
    /// Identifier.
    pub id: SubmissionVersionId,
    /// The submission.
    pub submission_id: SubmissionId,
    /// 1, 2, ... in order of hand-in.
    pub number: u32,
    /// Text answer, if any.
    pub text: Option<RichText>,
    /// Attached files.
    pub files: Vec<FileRef>,
    /// When handed in.
    pub submitted_at: DateTime<Utc>,
    /// Whether it was after the student's due date.
    pub late: bool,
    /// Client-supplied key making a retried hand-in create nothing twice.
    pub idempotency_key: Option<String>,
}

/// A grade given to a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grade {
    /// The score the grader gave.
    pub raw_score: Points,
    /// Percentage kept after the late penalty (100 when on time).
    pub kept_percent: u8,
    /// The score that counts: raw score with the late penalty applied.
    pub final_score: Points,
    /// Feedback to the student.
    pub feedback: RichText,
    /// Who graded.
    pub graded_by: UserId,
    /// When.
    pub graded_at: DateTime<Utc>,
    /// The version that was graded.
    pub version: u32,
}

/// One student's submission to one assignment with every version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submission {
    /// Identifier.
    pub id: SubmissionId,
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// The student.
    pub student_id: UserId,
    /// Current state.
    pub state: SubmissionState,
    /// Every version, oldest first (at least one).
    pub versions: Vec<SubmissionVersion>,
    /// The current grade, if graded.
    pub grade: Option<Grade>,
    /// Feedback given when it was last returned for rework.
    pub rework_feedback: Option<RichText>,
    /// Last change (hand-in, grade or return).
    pub updated_at: DateTime<Utc>,
}

impl Submission {
    /// The newest version.
    #[must_use]
    pub fn latest(&self) -> Option<&SubmissionVersion> {
        self.versions.last()
    }
}

/// What changed in a grade-audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AuditAction {
    /// Graded (first time or again).
    Graded {
        /// Raw score given.
        raw_score: Points,
        /// Final score after the late penalty.
        final_score: Points,
        /// Previous final score, when this replaced a grade.
        previous_final_score: Option<Points>,
    },
    /// Returned for rework.
    Returned,
}

/// An entry of a submission's grade audit trail. Entries are only appended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeAuditEntry {
    /// Identifier.
    pub id: AuditId,
    /// The submission.
    pub submission_id: SubmissionId,
    /// Who acted.
    pub actor_id: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// What was done.
    pub action: AuditAction,
    /// The feedback given with it.
    pub feedback: RichText,
}

/// Which of an assignment's submissions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmissionFilter {
    /// Only those of students this matches (by name or e-mail prefix, or
    /// state; its role is ignored).
    pub students: crate::user::UserFilter,
    /// Only submissions in this state.
    pub state: Option<SubmissionState>,
}

impl SubmissionFilter {
    /// Whether `submission` by `student` matches (the reference semantics
    /// every adapter follows).
    #[must_use]
    pub fn matches(&self, submission: &Submission, student: &crate::user::User) -> bool {
        self.state.is_none_or(|s| s == submission.state) && self.students.matches(student)
    }
}

/// A submission waiting to be checked, for the teacher's queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingSubmission {
    /// The submission.
    pub submission: Submission,
    /// Its assignment.
    pub assignment_id: AssignmentId,
    /// Its course.
    pub course_id: CourseId,
    /// The student's display name, so a queue names who handed in.
    #[serde(default)]
    pub student_name: String,
    /// The assignment's title.
    #[serde(default)]
    pub assignment_title: String,
}

/// A message in the thread of a submission: the student and the staff who
/// grade them talk about one piece of work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionComment {
    /// Id.
    pub id: crate::ids::CommentId,
    /// The submission.
    pub submission_id: SubmissionId,
    /// Who wrote it.
    pub author_id: UserId,
    /// Their display name (read with the thread; ignored when storing).
    #[serde(default)]
    pub author_name: String,
    /// The message (sanitised rich text; pictures are the submission's files).
    pub body: RichText,
    /// Files attached to the message (the submission's files, read by the
    /// same people), in the order attached.
    #[serde(default)]
    pub files: Vec<crate::file::FileRef>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The thread of a submission as one reader sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentThread {
    /// The submission.
    pub submission_id: SubmissionId,
    /// Every message, oldest first.
    pub comments: Vec<SubmissionComment>,
    /// When the reader last marked the thread read; `None`: never.
    pub read_at: Option<DateTime<Utc>>,
    /// Messages by others after `read_at`.
    pub unread: u32,
}
