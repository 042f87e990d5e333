//! The homework service: assignments, extensions, hand-ins, grading and the
//! grading queue, with authorisation, notifications and achievements.
//!
//! Every method takes the acting user and decides with [`crate::policy`]
//! plus the actor's role in the course. Who may not even see an object gets
//! the operation's `NotFound`; who sees it but may not act gets `Forbidden`.
//! Notifications and badges are handed to the same storage call as the
//! change that caused them, so an adapter can store them atomically.

mod assignments;
mod comments;
mod errors;
mod grading;
mod hand_in;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::achievement::{
    Achievement, Badge, CourseProgress, earns_first_homework, earns_on_time_streak,
};
use crate::clock::Clock;
use crate::course::{Course, CourseAccess, CourseRole, CourseStatus, CourseStore, Title};
use crate::dashboard::DashboardStore;
use crate::error::{Conflict, StorageError, StorageResult};
use crate::file::{FileLimits, FileRef, FileRegistry};
use crate::group::GroupStore;
use crate::homework::model::{
    Assignment, AuditAction, Deadline, Extension, Grade, GradeAuditEntry, HomeworkStatus,
    LatePolicy, PendingSubmission, Submission, SubmissionFilter, SubmissionKind, SubmissionState,
    SubmissionVersion,
};
use crate::homework::ports::{
    CommentStore, FirstHandIn, HandIn, HandInOutcome, HomeworkStore, Review,
};
use crate::homework::rules::{
    TimingRefusal, apply_late_penalty, days_late, effective_deadline, hand_in_timing,
    homework_status,
};
use crate::ids::{
    AssignmentId, AuditId, CourseId, FileId, SubmissionId, SubmissionVersionId, UserId,
};
use crate::notification::{DeliveryProfile, Notification, NotificationStore, OutboxEntry, fan_out};
use crate::page::Page;
use crate::policy;
use crate::richtext::RichText;
use crate::score::Points;
use crate::user::{Actor, Role};

pub use comments::{MAX_COMMENT_BYTES, MAX_COMMENT_FILES, MAX_COMMENTS_PER_THREAD};
pub use errors::*;

// ---------------------------------------------------------------------------
// Inputs and views
// ---------------------------------------------------------------------------

/// The fields of an assignment a teacher writes, for creating and updating.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentInput {
    /// Title.
    pub title: Title,
    /// Instructions (sanitised rich text).
    pub instructions: RichText,
    /// Files attached to the instructions, in order: ids of files uploaded
    /// for this assignment (registered with
    /// [`FileOwner::Assignment`](crate::file::FileOwner::Assignment)), a
    /// repeated id once. `None` keeps the attachments an update finds (a
    /// new assignment has none: upload after creating it, then update).
    pub attachment_ids: Option<Vec<FileId>>,
    /// Students can hand in from this instant.
    pub opens_at: DateTime<Utc>,
    /// Due date; must not be before `opens_at`.
    pub due_at: DateTime<Utc>,
    /// Cut-off; must not be before `due_at`. `None`: late work always accepted.
    pub cut_off_at: Option<DateTime<Utc>>,
    /// The most points a submission can earn; more than zero.
    pub max_score: Points,
    /// Late penalty; percents at most 100.
    pub late_policy: LatePolicy,
    /// Text, files or both.
    pub submission_kind: SubmissionKind,
    /// Limits on attached files; at least one file when files are accepted.
    pub file_limits: FileLimits,
    /// Whether students see it.
    pub published: bool,
}

/// An assignment as one viewer sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentView {
    /// The assignment.
    pub assignment: Assignment,
    /// For a student their effective deadline (extension applied); for
    /// staff the assignment's.
    pub deadline: Deadline,
    /// The student's homework status; `None` for staff.
    pub status: Option<HomeworkStatus>,
    /// The student's own submission; `None` for staff or when nothing was
    /// handed in.
    pub submission: Option<Submission>,
}

/// A per-student extension to grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionInput {
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// The student, who must be enrolled in the assignment's course.
    pub student_id: UserId,
    /// The student's due date.
    pub due_at: DateTime<Utc>,
    /// The student's cut-off, not before `due_at`; `None`: none.
    pub cut_off_at: Option<DateTime<Utc>>,
}

/// What a student hands in.
#[derive(Debug, Clone, PartialEq)]
pub struct HandInInput {
    /// Text answer; blank text counts as none.
    pub text: Option<RichText>,
    /// Files the student uploaded beforehand (drafts,
    /// [`UploadTarget::HandIn`](crate::file::UploadTarget::HandIn)) or kept
    /// from an earlier version of this submission; they become the
    /// submission's in the same write as the version.
    pub file_ids: Vec<FileId>,
    /// Client-chosen key: a retried hand-in with the same key stores nothing
    /// twice and returns the submission as it is.
    pub idempotency_key: Option<String>,
}

/// The result of a hand-in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandInResult {
    /// The submission with every version.
    pub submission: Submission,
    /// `true` when the idempotency key was seen before and nothing was stored.
    pub duplicate: bool,
}

/// A grade to give.
#[derive(Debug, Clone, PartialEq)]
pub struct GradeInput {
    /// The score before the late penalty; at most the assignment's maximum.
    pub raw_score: Points,
    /// Feedback to the student.
    pub feedback: RichText,
    /// The latest version number the grader saw.
    pub expected_version: u32,
}

/// What a grade would store, before it is given: the late penalty of the
/// latest version against the student's own due date (extensions applied).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradePreview {
    /// The version the grade would be for (the latest).
    pub version: u32,
    /// The score entered, before the penalty.
    pub raw_score: Points,
    /// Share of it kept after the late penalty, in percent (100 on time).
    pub kept_percent: u8,
    /// The score that would be stored and shown to the student.
    pub final_score: Points,
    /// The assignment's maximum score.
    pub max_score: Points,
    /// The student's due date (their extension's, if any).
    pub due_at: DateTime<Utc>,
    /// Started days the version was late (0 on time).
    pub days_late: u32,
}

// ---------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------

/// Staff see every assignment; students only published ones of courses
/// they can view, from the moment they open.
fn sees(access: &CourseAccess, assignment: &Assignment, now: DateTime<Utc>) -> bool {
    access.can_grade() || (access.can_view() && student_sees(assignment, now))
}

// ---------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------

/// Assignments, extensions, hand-ins, grading and the grading queue.
pub struct HomeworkService {
    homework: Arc<dyn HomeworkStore>,
    courses: Arc<dyn CourseStore>,
    groups: Arc<dyn GroupStore>,
    comments: Arc<dyn CommentStore>,
    files: Arc<dyn FileRegistry>,
    notifications: Arc<dyn NotificationStore>,
    dashboards: Arc<dyn DashboardStore>,
    clock: Arc<dyn Clock>,
    max_versions: u32,
}

/// Versions one student may hand in to one assignment unless the school
/// sets another limit ([`HomeworkService::set_max_versions`]).
pub const DEFAULT_MAX_VERSIONS: u32 = 20;

impl std::fmt::Debug for HomeworkService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HomeworkService { .. }")
    }
}

impl HomeworkService {
    /// A service over these ports ([`crate::Lms`] wires them from one
    /// storage adapter).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        homework: Arc<dyn HomeworkStore>,
        courses: Arc<dyn CourseStore>,
        groups: Arc<dyn GroupStore>,
        comments: Arc<dyn CommentStore>,
        files: Arc<dyn FileRegistry>,
        notifications: Arc<dyn NotificationStore>,
        dashboards: Arc<dyn DashboardStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            homework,
            courses,
            groups,
            comments,
            files,
            notifications,
            dashboards,
            clock,
            max_versions: DEFAULT_MAX_VERSIONS,
        }
    }

    /// Sets how many versions one student may hand in to one assignment
    /// (at least 1; default [`DEFAULT_MAX_VERSIONS`]).
    pub fn set_max_versions(&mut self, max: u32) {
        self.max_versions = max.max(1);
    }

    // --- helpers -----------------------------------------------------------

    /// The course and the actor's role in it; `None` when there is no such course.
    async fn access(&self, actor: &Actor, course: CourseId) -> StorageResult<Option<CourseAccess>> {
        CourseAccess::load(&*self.courses, &*self.groups, actor, course).await
    }

    /// The assignment with its course access; `None` when either is missing.
    async fn assignment_access(
        &self,
        actor: &Actor,
        id: AssignmentId,
    ) -> StorageResult<Option<(Assignment, CourseAccess)>> {
        let Some(assignment) = self.homework.get_assignment(id).await? else {
            return Ok(None);
        };
        Ok(self
            .access(actor, assignment.course_id)
            .await?
            .map(|access| (assignment, access)))
    }

    /// The assignment of an extension operation, checked for management.
    async fn manage_extensions(
        &self,
        actor: &Actor,
        id: AssignmentId,
    ) -> Result<Assignment, ExtensionError> {
        let (assignment, access) = self
            .assignment_access(actor, id)
            .await?
            .ok_or(ExtensionError::AssignmentNotFound)?;
        if !sees(&access, &assignment, self.clock.now()) {
            return Err(ExtensionError::AssignmentNotFound);
        }
        if !access.can_manage() {
            return Err(ExtensionError::Forbidden);
        }
        if access.course().status == CourseStatus::Archived {
            return Err(ExtensionError::CourseArchived);
        }
        Ok(assignment)
    }

    /// A submission the actor may review: staff get it, the owning student
    /// is `Forbidden`, everyone else `NotFound`.
    async fn review_target(
        &self,
        actor: &Actor,
        id: SubmissionId,
    ) -> Result<(Submission, Assignment, CourseAccess), ReviewError> {
        let submission = self
            .homework
            .get_submission(id)
            .await?
            .ok_or(ReviewError::NotFound)?;
        let (assignment, access) = self
            .assignment_access(actor, submission.assignment_id)
            .await?
            .ok_or(ReviewError::NotFound)?;
        if access.grades(&*self.groups, submission.student_id).await? {
            return Ok((submission, assignment, access));
        }
        if submission.student_id == actor.user_id && access.can_view() {
            return Err(ReviewError::Forbidden);
        }
        // A mentor of another group does not learn the submission exists.
        Err(ReviewError::NotFound)
    }

    /// A submission the actor may read: staff of its course, or its student.
    async fn visible_submission(
        &self,
        actor: &Actor,
        id: SubmissionId,
    ) -> Result<(Submission, Assignment, CourseAccess), HomeworkReadError> {
        let submission = self
            .homework
            .get_submission(id)
            .await?
            .ok_or(HomeworkReadError::SubmissionNotFound)?;
        let (assignment, access) = self
            .assignment_access(actor, submission.assignment_id)
            .await?
            .ok_or(HomeworkReadError::SubmissionNotFound)?;
        let own = submission.student_id == actor.user_id && access.can_view();
        if own || access.grades(&*self.groups, submission.student_id).await? {
            Ok((submission, assignment, access))
        } else {
            Err(HomeworkReadError::SubmissionNotFound)
        }
    }

    /// "New assignment" messages to every enrolled student, when the course
    /// is published (students of a draft course see nothing yet) and the
    /// assignment has opened; work that opens later is announced by the
    /// reminder sweep when it opens
    /// ([`NotificationService::sweep_reminders`](crate::notification::NotificationService::sweep_reminders)),
    /// under the same event key, so nobody gets it twice.
    async fn new_assignment_outbox(
        &self,
        course: &Course,
        assignment: &Assignment,
        now: DateTime<Utc>,
    ) -> StorageResult<Vec<OutboxEntry>> {
        if course.status != CourseStatus::Published || assignment.opens_at > now {
            return Ok(Vec::new());
        }
        let students = self.courses.enrolled_students(course.id).await?;
        if students.is_empty() {
            return Ok(Vec::new());
        }
        let profiles = self.notifications.delivery_profiles(&students).await?;
        let note = Notification::NewAssignment {
            course_id: course.id,
            course_title: course.title.to_string(),
            assignment_id: assignment.id,
            title: assignment.title.to_string(),
            due_at: assignment.due_at,
        };
        Ok(fan_out(
            &profiles,
            &new_assignment_event(assignment.id),
            &note,
            now,
        ))
    }

    /// The course badge when grading `assignment` completes its course for
    /// the student and they do not have it yet.
    async fn course_completion(
        &self,
        student: UserId,
        assignment: &Assignment,
        now: DateTime<Utc>,
    ) -> StorageResult<Vec<Achievement>> {
        let snapshot = self.dashboards.student_snapshot(student, now).await?;
        let already = snapshot.achievements.iter().any(|a| {
            a.badge == Badge::CourseCompleted && a.course_id == Some(assignment.course_id)
        });
        let Some(data) = snapshot
            .courses
            .iter()
            .find(|c| c.course.id == assignment.course_id)
        else {
            return Ok(Vec::new());
        };
        let before = CourseProgress::of_student(data, None, None);
        let after = CourseProgress::of_student(data, Some(assignment.id), None);
        Ok(
            if !already && after.is_complete() && !before.is_complete() {
                vec![Achievement::new(
                    student,
                    Badge::CourseCompleted,
                    assignment.course_id,
                    now,
                )]
            } else {
                Vec::new()
            },
        )
    }
}

// ---------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------

/// The event key of "new assignment" messages: one per assignment, so
/// publishing again notifies nobody twice.
pub(crate) fn new_assignment_event(id: AssignmentId) -> String {
    format!("new_assignment:{id}")
}

/// "Badge awarded" messages for each award.
fn award_outbox(
    profiles: &[DeliveryProfile],
    awards: &[Achievement],
    now: DateTime<Utc>,
) -> Vec<OutboxEntry> {
    awards
        .iter()
        .flat_map(|award| {
            let note = Notification::AchievementAwarded {
                badge: award.badge,
                course_id: award.course_id,
                quiz_id: None,
            };
            let recipient: Vec<DeliveryProfile> = profiles
                .iter()
                .filter(|p| p.user_id == award.user_id)
                .cloned()
                .collect();
            fan_out(&recipient, &award.event_key(), &note, now)
        })
        .collect()
}

fn build_assignment(
    id: AssignmentId,
    course_id: CourseId,
    created_at: DateTime<Utc>,
    input: AssignmentInput,
    attachments: Vec<FileRef>,
) -> Assignment {
    Assignment {
        id,
        course_id,
        title: input.title,
        instructions: input.instructions,
        attachments,
        opens_at: input.opens_at,
        due_at: input.due_at,
        cut_off_at: input.cut_off_at,
        max_score: input.max_score,
        late_policy: input.late_policy,
        submission_kind: input.submission_kind,
        file_limits: input.file_limits,
        published: input.published,
        created_at,
    }
}

/// The rules that span several fields of an assignment.
fn validate_assignment(input: &AssignmentInput) -> Result<(), AssignmentError> {
    if input.due_at < input.opens_at {
        return Err(AssignmentError::DueBeforeOpen);
    }
    if input.cut_off_at.is_some_and(|c| c < input.due_at) {
        return Err(AssignmentError::CutOffBeforeDue);
    }
    if input.max_score.value() <= 0.0 {
        return Err(AssignmentError::ZeroMaxScore);
    }
    if let LatePolicy::PercentPerDay {
        percent_per_day,
        floor_percent,
    } = input.late_policy
    {
        if percent_per_day > 100 {
            return Err(AssignmentError::LatePercent {
                field: "percent_per_day",
            });
        }
        if floor_percent > 100 {
            return Err(AssignmentError::LatePercent {
                field: "floor_percent",
            });
        }
    }
    let limits = &input.file_limits;
    if input.submission_kind.accepts_files() {
        if limits.max_files == 0 {
            return Err(AssignmentError::FileLimits {
                field: "max_files",
                reason: "must be at least 1 when files are accepted",
            });
        }
        if limits.max_file_size == 0 {
            return Err(AssignmentError::FileLimits {
                field: "max_file_size",
                reason: "must be at least 1 byte when files are accepted",
            });
        }
    }
    let bad_extension = |e: &String| {
        e.is_empty()
            || e.chars()
                .any(|c| c == '.' || c == '/' || c == '\\' || c.is_whitespace() || c.is_control())
    };
    if limits.allowed_extensions.iter().any(bad_extension) {
        return Err(AssignmentError::FileLimits {
            field: "allowed_extensions",
            reason: "must be extensions without dots or spaces, such as \"pdf\"",
        });
    }
    Ok(())
}

/// Whether the hand-in's content fits the assignment.
fn check_content(
    assignment: &Assignment,
    student: UserId,
    text: Option<&RichText>,
    files: &[FileRef],
) -> Result<(), HandInError> {
    let kind = assignment.submission_kind;
    if text.is_some() && !kind.accepts_text() {
        return Err(HandInError::TextNotAccepted);
    }
    if !files.is_empty() && !kind.accepts_files() {
        return Err(HandInError::FilesNotAccepted);
    }
    if text.is_none() && files.is_empty() {
        return Err(HandInError::Empty);
    }
    if let Some(foreign) = files.iter().find(|f| f.uploaded_by != student) {
        return Err(HandInError::FileNotOwned {
            name: foreign.name.as_str().to_owned(),
        });
    }
    assignment
        .file_limits
        .check(files)
        .map_err(HandInError::Files)
}

/// Badges a student's first hand-in to `assignment` earns that their
/// earlier first hand-ins (`firsts`) did not: the first homework only when
/// nothing was handed in before, the streak only when this hand-in
/// completes it. A later version of the same work earns nothing, so only a
/// first hand-in needs this.
fn hand_in_badges(
    firsts: &[FirstHandIn],
    assignment: &Assignment,
    version: &SubmissionVersion,
) -> Vec<Badge> {
    let mut after = firsts.to_vec();
    after.push(FirstHandIn {
        assignment_id: assignment.id,
        submitted_at: version.submitted_at,
        late: version.late,
    });
    let mut badges = Vec::new();
    if earns_first_homework(&after) && !earns_first_homework(firsts) {
        badges.push(Badge::FirstHomework);
    }
    if earns_on_time_streak(&after) && !earns_on_time_streak(firsts) {
        badges.push(Badge::OnTimeStreak5);
    }
    badges
}

/// A student's progress in a course from their dashboard data; with
/// `graded_now`, that assignment counts as graded.
/// Whether students of a course they can view see this assignment at
/// `now`: published, and open (hand-ins accepted) from `opens_at` on.
pub(crate) fn student_sees(assignment: &Assignment, now: DateTime<Utc>) -> bool {
    assignment.published && assignment.opens_at <= now
}

fn staff_view(assignment: Assignment) -> AssignmentView {
    let deadline = effective_deadline(&assignment, None);
    AssignmentView {
        assignment,
        deadline,
        status: None,
        submission: None,
    }
}

fn student_view(
    assignment: Assignment,
    extension: Option<&Extension>,
    submission: Option<Submission>,
    now: DateTime<Utc>,
) -> AssignmentView {
    let deadline = effective_deadline(&assignment, extension);
    let status = homework_status(deadline, submission.as_ref(), now);
    AssignmentView {
        assignment,
        deadline,
        status: Some(status),
        submission,
    }
}
