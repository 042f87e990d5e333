//! Storage port of the homework aggregate.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::achievement::Achievement;
use crate::error::StorageResult;
use crate::homework::model::{
    Assignment, Extension, Grade, GradeAuditEntry, PendingSubmission, Submission, SubmissionFilter,
    SubmissionState, SubmissionVersion,
};
use crate::ids::{AssignmentId, CourseId, SubmissionId, UserId};
use crate::notification::OutboxEntry;
use crate::page::Page;
use crate::richtext::RichText;
use crate::user::UserFilter;

/// What a new hand-in needs to know of the student's submission to one
/// assignment, without any version's text or files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionHead {
    /// The submission.
    pub id: SubmissionId,
    /// Its state.
    pub state: SubmissionState,
    /// How many versions it has.
    pub versions: u32,
    /// The highest version number (0 without versions).
    pub last_number: u32,
    /// The idempotency keys its versions were handed in with.
    pub idempotency_keys: Vec<String>,
}

/// A student's first hand-in to one assignment: the facts the hand-in
/// badges are earned by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstHandIn {
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// When its first version was handed in.
    pub submitted_at: DateTime<Utc>,
    /// Whether that was late.
    pub late: bool,
}

impl SubmissionHead {
    /// The head of a loaded submission.
    #[must_use]
    pub fn of(submission: &Submission) -> Self {
        Self {
            id: submission.id,
            state: submission.state,
            versions: u32::try_from(submission.versions.len()).unwrap_or(u32::MAX),
            last_number: submission
                .versions
                .iter()
                .map(|v| v.number)
                .max()
                .unwrap_or(0),
            idempotency_keys: submission
                .versions
                .iter()
                .filter_map(|v| v.idempotency_key.clone())
                .collect(),
        }
    }
}

impl FirstHandIn {
    /// The first hand-in of a loaded submission (`None` without versions).
    #[must_use]
    pub fn of(submission: &Submission) -> Option<Self> {
        submission
            .versions
            .iter()
            .min_by_key(|v| v.number)
            .map(|v| Self {
                assignment_id: submission.assignment_id,
                submitted_at: v.submitted_at,
                late: v.late,
            })
    }
}

/// A hand-in and everything that must be stored with it, atomically.
#[derive(Debug, Clone, PartialEq)]
pub struct HandIn {
    /// Id for the submission if this is the student's first hand-in
    /// (ignored when a submission already exists).
    pub new_submission_id: SubmissionId,
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// The student.
    pub student_id: UserId,
    /// The version; the adapter sets `submission_id` and `number` (count + 1).
    /// Its files become the submission's with it (see
    /// [`HomeworkStore::hand_in`]).
    pub version: SubmissionVersion,
    /// The state after the hand-in.
    pub state: SubmissionState,
    /// Messages to enqueue with it (duplicates by de-dup key are skipped).
    pub outbox: Vec<OutboxEntry>,
    /// Badges to award with it (already-awarded ones are skipped).
    pub awards: Vec<Achievement>,
    /// Versions a submission may hold: a hand-in to one that holds this
    /// many is `Conflict(VersionLimit)`, nothing written (checked after the
    /// idempotency key and under the same lock as the insert).
    pub max_versions: u32,
}

/// What a hand-in did.
#[derive(Debug, Clone, PartialEq)]
pub enum HandInOutcome {
    /// A new version was stored.
    Stored(Submission),
    /// A version with the same idempotency key already existed for this
    /// student and assignment: nothing was written; the submission as it is.
    Duplicate(Submission),
}

impl HandInOutcome {
    /// The submission either way.
    #[must_use]
    pub fn submission(&self) -> &Submission {
        match self {
            Self::Stored(s) | Self::Duplicate(s) => s,
        }
    }
}

/// A grade or return for rework, with its audit entry, messages and awards,
/// stored atomically.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// The submission.
    pub submission_id: SubmissionId,
    /// The version number the reviewer saw: if a newer version was handed in
    /// meanwhile, the adapter writes nothing and returns `Conflict(Stale)`.
    pub expected_version: u32,
    /// New state (`Graded` or `ReturnedForRework`).
    pub state: SubmissionState,
    /// The grade when graded (`None` keeps no grade when returned).
    pub grade: Option<Grade>,
    /// Feedback when returned for rework; `None` keeps the feedback of an
    /// earlier return.
    pub rework_feedback: Option<RichText>,
    /// Audit entry to append.
    pub audit: GradeAuditEntry,
    /// Messages to enqueue.
    pub outbox: Vec<OutboxEntry>,
    /// Badges to award.
    pub awards: Vec<Achievement>,
}

/// Assignments, extensions, submissions and grades.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HomeworkStore: Send + Sync {
    /// Inserts an assignment; `outbox` (e.g. "new assignment" messages when it
    /// is created published) is enqueued in the same transaction.
    async fn insert_assignment(
        &self,
        assignment: &Assignment,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()>;
    /// Replaces an assignment's fields (not its course); enqueues `outbox` with it. `NotFound`.
    async fn update_assignment(
        &self,
        assignment: &Assignment,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()>;
    /// One assignment.
    async fn get_assignment(&self, id: AssignmentId) -> StorageResult<Option<Assignment>>;
    /// Assignments of a course by due date.
    async fn list_assignments(&self, course: CourseId) -> StorageResult<Vec<Assignment>>;

    /// Grants or replaces a student's extension.
    async fn upsert_extension(&self, extension: &Extension) -> StorageResult<()>;
    /// Removes an extension; returns whether it existed.
    async fn delete_extension(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<bool>;
    /// One student's extension.
    async fn get_extension(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<Option<Extension>>;
    /// Every extension of an assignment.
    async fn list_extensions(&self, assignment: AssignmentId) -> StorageResult<Vec<Extension>>;

    /// Stores a hand-in with its messages and awards atomically, and makes
    /// the version's files the submission's in the same transaction: each
    /// must be registered as the student's upload (else `NotFound`) and be a
    /// draft or already this submission's (else `Conflict(FileAttached)`),
    /// or nothing is written. A retry with a known idempotency key is
    /// `Duplicate` (checked first). A submission that is `Graded` takes no
    /// new version: `Conflict(Stale)`, nothing written (a grade may land
    /// between the service's check and this write).
    async fn hand_in(&self, hand_in: &HandIn) -> StorageResult<HandInOutcome>;
    /// Stores a review atomically. `NotFound`, `Conflict(Stale)`.
    async fn review(&self, review: &Review) -> StorageResult<Submission>;
    /// One submission with its versions.
    async fn get_submission(&self, id: SubmissionId) -> StorageResult<Option<Submission>>;
    /// A student's submission to an assignment.
    async fn find_submission(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<Option<Submission>>;
    /// Submissions to an assignment that `filter` matches, by student's
    /// first hand-in.
    async fn list_submissions(
        &self,
        assignment: AssignmentId,
        filter: &SubmissionFilter,
        page: Page,
    ) -> StorageResult<Vec<Submission>>;
    /// A student's submissions in a course.
    async fn student_submissions(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Vec<Submission>>;
    /// The head of a student's submission to an assignment (no version
    /// texts or files), if there is one.
    async fn submission_head(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<Option<SubmissionHead>>;
    /// A student's first hand-in to each assignment, in every course,
    /// oldest first (for the achievement rules).
    async fn first_hand_ins(&self, student: UserId) -> StorageResult<Vec<FirstHandIn>>;
    /// Submissions waiting for a grade in these courses whose student's
    /// account matches `students` (by [`UserFilter::matches`]; the default
    /// filter matches everyone), oldest latest hand-in first.
    async fn pending_submissions(
        &self,
        courses: &[CourseId],
        students: &UserFilter,
        page: Page,
    ) -> StorageResult<Vec<PendingSubmission>>;
    /// The audit trail of a submission, oldest first.
    async fn grade_audit(&self, submission: SubmissionId) -> StorageResult<Vec<GradeAuditEntry>>;
}

/// The comment threads of submissions and who read them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CommentStore: Send + Sync {
    /// Stores a message and enqueues its notifications (skipping known
    /// de-duplication keys) in one transaction; the thread counts as read
    /// by the author at the message's time. `NotFound` if the submission is
    /// gone.
    async fn add_comment(
        &self,
        comment: &crate::homework::SubmissionComment,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()>;
    /// A submission's messages, oldest first (then by id), each with its
    /// author's display name.
    async fn list_comments(
        &self,
        submission: SubmissionId,
    ) -> StorageResult<Vec<crate::homework::SubmissionComment>>;
    /// Records that `user` read the thread up to `at` (a later mark wins;
    /// an earlier one changes nothing), and marks read, at `at`, the user's
    /// unread in-app notifications of the thread's messages created up to
    /// `at` (the bell agrees with the thread). [`Self::add_comment`] marks
    /// its author's the same way.
    async fn mark_thread_read(
        &self,
        submission: SubmissionId,
        user: UserId,
        at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// When `user` last read the thread.
    async fn thread_read_at(
        &self,
        submission: SubmissionId,
        user: UserId,
    ) -> StorageResult<Option<DateTime<Utc>>>;
}
