//! The homework service: assignments, extensions, hand-ins, grading and the
//! grading queue, with authorisation, notifications and achievements.
//!
//! Every method takes the acting user and decides with [`crate::policy`]
//! plus the actor's role in the course. Who may not even see an object gets
//! the operation's `NotFound`; who sees it but may not act gets `Forbidden`.
//! Notifications and badges are handed to the same storage call as the
//! change that caused them, so an adapter can store them atomically.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use thiserror::Error;

use crate::achievement::{
    Achievement, Badge, CourseProgress, earns_first_homework, earns_on_time_streak,
};
use crate::clock::Clock;
use crate::course::{Course, CourseRole, CourseStatus, CourseStore, Title};
use crate::dashboard::DashboardStore;
use crate::error::{Conflict, StorageError, StorageResult};
use crate::file::{FileLimitError, FileLimits, FileRef};
use crate::homework::model::{
    Assignment, AuditAction, Deadline, Extension, Grade, GradeAuditEntry, HomeworkStatus,
    LatePolicy, PendingSubmission, Submission, SubmissionKind, SubmissionState, SubmissionVersion,
};
use crate::homework::ports::{HandIn, HandInOutcome, HomeworkStore, Review};
use crate::homework::rules::{
    TimingRefusal, apply_late_penalty, effective_deadline, hand_in_timing, homework_status,
};
use crate::ids::{AssignmentId, AuditId, CourseId, SubmissionId, SubmissionVersionId, UserId};
use crate::notification::{DeliveryProfile, Notification, NotificationStore, OutboxEntry, fan_out};
use crate::page::Page;
use crate::policy;
use crate::richtext::RichText;
use crate::score::{Points, PointsError};
use crate::user::{Actor, Role};

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
    /// Files attached to the instructions.
    pub attachments: Vec<FileRef>,
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
    /// Files, already uploaded by the student.
    pub files: Vec<FileRef>,
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
    /// instead; this stays the rule's refusal ([`TimingRefusal::NotOpenYet`]).
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
    /// A file was uploaded by someone else.
    #[error("files: {name:?} was not uploaded by the student")]
    FileNotOwned {
        /// The file's name.
        name: String,
    },
    /// The submission is graded; no new version is accepted.
    #[error("the homework is already graded")]
    AlreadyGraded,
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
    AlreadyGraded => (Conflict, "already_graded"),
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

// ---------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------

/// A course with the actor's role in it.
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

    /// Staff see every assignment; students only published ones of courses
    /// they can view, from the moment they open.
    fn sees(&self, actor: &Actor, assignment: &Assignment, now: DateTime<Utc>) -> bool {
        self.can_grade(actor) || (self.can_view(actor) && student_sees(assignment, now))
    }

    /// Whether the actor sees the course only as a student does.
    fn is_student_view(&self, actor: &Actor) -> bool {
        !self.can_grade(actor) && self.can_view(actor)
    }
}

// ---------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------

/// Assignments, extensions, hand-ins, grading and the grading queue.
pub struct HomeworkService {
    homework: Arc<dyn HomeworkStore>,
    courses: Arc<dyn CourseStore>,
    notifications: Arc<dyn NotificationStore>,
    dashboards: Arc<dyn DashboardStore>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for HomeworkService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HomeworkService { .. }")
    }
}

impl HomeworkService {
    /// A service over these ports.
    pub fn new(
        homework: Arc<dyn HomeworkStore>,
        courses: Arc<dyn CourseStore>,
        notifications: Arc<dyn NotificationStore>,
        dashboards: Arc<dyn DashboardStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            homework,
            courses,
            notifications,
            dashboards,
            clock,
        }
    }

    // --- assignments -------------------------------------------------------

    /// Creates an assignment in a course (owner or admin). Created published
    /// in a published course, it notifies every enrolled student.
    pub async fn create_assignment(
        &self,
        actor: &Actor,
        course: CourseId,
        input: AssignmentInput,
    ) -> Result<Assignment, AssignmentError> {
        let access = self
            .access(actor, course)
            .await?
            .ok_or(AssignmentError::CourseNotFound)?;
        if !access.can_view(actor) {
            return Err(AssignmentError::CourseNotFound);
        }
        if !access.can_manage(actor) {
            return Err(AssignmentError::Forbidden);
        }
        if access.course.status == CourseStatus::Archived {
            return Err(AssignmentError::CourseArchived);
        }
        validate_assignment(&input)?;
        let now = self.clock.now();
        let assignment = build_assignment(AssignmentId::new(), course, now, input);
        let outbox = if assignment.published {
            self.new_assignment_outbox(&access.course, &assignment, now)
                .await?
        } else {
            Vec::new()
        };
        self.homework
            .insert_assignment(&assignment, &outbox)
            .await?;
        Ok(assignment)
    }

    /// Replaces an assignment's fields (owner or admin). Publishing a draft
    /// notifies every enrolled student (once per assignment).
    pub async fn update_assignment(
        &self,
        actor: &Actor,
        id: AssignmentId,
        input: AssignmentInput,
    ) -> Result<Assignment, AssignmentError> {
        let (current, access) = self
            .assignment_access(actor, id)
            .await?
            .ok_or(AssignmentError::NotFound)?;
        if !access.sees(actor, &current, self.clock.now()) {
            return Err(AssignmentError::NotFound);
        }
        if !access.can_manage(actor) {
            return Err(AssignmentError::Forbidden);
        }
        if access.course.status == CourseStatus::Archived {
            return Err(AssignmentError::CourseArchived);
        }
        validate_assignment(&input)?;
        if input.max_score < current.max_score
            && let Some(highest) = self.highest_raw_score(current.id).await?
            && highest > input.max_score
        {
            // Grades above the maximum would break every total and percentage.
            return Err(AssignmentError::MaxBelowGrades {
                max: input.max_score,
                highest,
            });
        }
        let now = self.clock.now();
        let updated = build_assignment(current.id, current.course_id, current.created_at, input);
        let outbox = if updated.published && !current.published {
            self.new_assignment_outbox(&access.course, &updated, now)
                .await?
        } else {
            Vec::new()
        };
        self.homework
            .update_assignment(&updated, &outbox)
            .await
            .map_err(|e| match e {
                StorageError::NotFound => AssignmentError::NotFound,
                other => AssignmentError::Storage(other),
            })?;
        Ok(updated)
    }

    /// The highest raw score given on an assignment, over every page of submissions.
    async fn highest_raw_score(
        &self,
        assignment: AssignmentId,
    ) -> Result<Option<Points>, StorageError> {
        let mut highest: Option<Points> = None;
        let mut offset = 0;
        loop {
            let page = self
                .homework
                .list_submissions(assignment, Page::new(Page::MAX_LIMIT, offset))
                .await?;
            for g in page.iter().filter_map(|s| s.grade.as_ref()) {
                if highest.is_none_or(|h| g.raw_score > h) {
                    highest = Some(g.raw_score);
                }
            }
            if page.len() < Page::MAX_LIMIT as usize {
                return Ok(highest);
            }
            offset += Page::MAX_LIMIT;
        }
    }

    /// One assignment as the actor sees it: a student gets their effective
    /// deadline, status and own submission (published assignments that have
    /// opened; others are `AssignmentNotFound` to them).
    pub async fn get_assignment(
        &self,
        actor: &Actor,
        id: AssignmentId,
    ) -> Result<AssignmentView, HomeworkReadError> {
        let (assignment, access) = self
            .assignment_access(actor, id)
            .await?
            .ok_or(HomeworkReadError::AssignmentNotFound)?;
        let now = self.clock.now();
        if !access.sees(actor, &assignment, now) {
            return Err(HomeworkReadError::AssignmentNotFound);
        }
        if !access.is_student_view(actor) {
            return Ok(staff_view(assignment));
        }
        let extension = self
            .homework
            .get_extension(assignment.id, actor.user_id)
            .await?;
        let submission = self
            .homework
            .find_submission(assignment.id, actor.user_id)
            .await?;
        Ok(student_view(
            assignment,
            extension.as_ref(),
            submission,
            now,
        ))
    }

    /// The assignments of a course: every one for staff; for students the
    /// published ones that have opened, with the student's status.
    pub async fn list_assignments(
        &self,
        actor: &Actor,
        course: CourseId,
    ) -> Result<Vec<AssignmentView>, HomeworkReadError> {
        let access = self
            .access(actor, course)
            .await?
            .ok_or(HomeworkReadError::CourseNotFound)?;
        if !access.can_view(actor) {
            return Err(HomeworkReadError::CourseNotFound);
        }
        let assignments = self.homework.list_assignments(course).await?;
        if !access.is_student_view(actor) {
            return Ok(assignments.into_iter().map(staff_view).collect());
        }
        let now = self.clock.now();
        let mut submissions = self
            .homework
            .student_submissions(course, actor.user_id)
            .await?;
        let mut views = Vec::new();
        for assignment in assignments.into_iter().filter(|a| student_sees(a, now)) {
            let extension = self
                .homework
                .get_extension(assignment.id, actor.user_id)
                .await?;
            let submission = submissions
                .iter()
                .position(|s| s.assignment_id == assignment.id)
                .map(|i| submissions.swap_remove(i));
            views.push(student_view(
                assignment,
                extension.as_ref(),
                submission,
                now,
            ));
        }
        Ok(views)
    }

    // --- extensions --------------------------------------------------------

    /// Grants or replaces a student's extension (owner or admin).
    pub async fn grant_extension(
        &self,
        actor: &Actor,
        input: ExtensionInput,
    ) -> Result<Extension, ExtensionError> {
        let assignment = self.manage_extensions(actor, input.assignment_id).await?;
        if input.cut_off_at.is_some_and(|c| c < input.due_at) {
            return Err(ExtensionError::CutOffBeforeDue);
        }
        let role = self
            .courses
            .membership(assignment.course_id, input.student_id)
            .await?;
        if role != Some(CourseRole::Student) {
            return Err(ExtensionError::StudentNotEnrolled);
        }
        let extension = Extension {
            assignment_id: assignment.id,
            student_id: input.student_id,
            due_at: input.due_at,
            cut_off_at: input.cut_off_at,
            granted_by: actor.user_id,
            granted_at: self.clock.now(),
        };
        self.homework.upsert_extension(&extension).await?;
        Ok(extension)
    }

    /// Removes a student's extension (owner or admin).
    pub async fn revoke_extension(
        &self,
        actor: &Actor,
        assignment: AssignmentId,
        student: UserId,
    ) -> Result<(), ExtensionError> {
        let assignment = self.manage_extensions(actor, assignment).await?;
        if self
            .homework
            .delete_extension(assignment.id, student)
            .await?
        {
            Ok(())
        } else {
            Err(ExtensionError::NotFound)
        }
    }

    /// Every extension of an assignment (the course's staff and admins).
    pub async fn list_extensions(
        &self,
        actor: &Actor,
        assignment: AssignmentId,
    ) -> Result<Vec<Extension>, ExtensionError> {
        let (assignment, access) = self
            .assignment_access(actor, assignment)
            .await?
            .ok_or(ExtensionError::AssignmentNotFound)?;
        if !access.sees(actor, &assignment, self.clock.now()) {
            return Err(ExtensionError::AssignmentNotFound);
        }
        if !access.can_grade(actor) {
            return Err(ExtensionError::Forbidden);
        }
        Ok(self.homework.list_extensions(assignment.id).await?)
    }

    // --- hand-in -----------------------------------------------------------

    /// Hands in a new version of the student's homework. A retry with an
    /// idempotency key already used returns the submission as it is with
    /// `duplicate: true`. The first homework and a streak of on-time
    /// hand-ins earn badges.
    pub async fn hand_in(
        &self,
        actor: &Actor,
        assignment_id: AssignmentId,
        input: HandInInput,
    ) -> Result<HandInResult, HandInError> {
        let (assignment, access) = self
            .assignment_access(actor, assignment_id)
            .await?
            .ok_or(HandInError::NotFound)?;
        let now = self.clock.now();
        if !access.sees(actor, &assignment, now) {
            return Err(HandInError::NotFound);
        }
        if !policy::can_study(actor, access.membership, access.course.status) {
            let archived_student = actor.role == Role::Student
                && access.membership == Some(CourseRole::Student)
                && access.course.status == CourseStatus::Archived;
            return Err(if archived_student {
                HandInError::CourseArchived
            } else {
                HandInError::Forbidden
            });
        }

        let student = actor.user_id;
        let history = self.homework.student_history(student).await?;
        let existing = history.iter().find(|s| s.assignment_id == assignment.id);
        let key = input.idempotency_key.filter(|k| !k.trim().is_empty());
        // A retry of a hand-in that was stored must not fail on rules that
        // only became true since (cut-off passed, graded meanwhile).
        if let (Some(key), Some(existing)) = (&key, existing)
            && existing
                .versions
                .iter()
                .any(|v| v.idempotency_key.as_deref() == Some(key.as_str()))
        {
            return Ok(HandInResult {
                submission: existing.clone(),
                duplicate: true,
            });
        }

        let extension = self.homework.get_extension(assignment.id, student).await?;
        let deadline = effective_deadline(&assignment, extension.as_ref());
        let late = hand_in_timing(&assignment, deadline, now).map_err(|r| match r {
            TimingRefusal::NotOpenYet => HandInError::NotOpenYet,
            TimingRefusal::PastCutOff => HandInError::PastCutOff,
        })?;
        if existing.is_some_and(|s| s.state == SubmissionState::Graded) {
            return Err(HandInError::AlreadyGraded);
        }
        let text = input.text.filter(|t| !t.is_blank());
        check_content(&assignment, student, text.as_ref(), &input.files)?;

        let new_submission_id = SubmissionId::new();
        let version = SubmissionVersion {
            id: SubmissionVersionId::new(),
            submission_id: existing.map_or(new_submission_id, |s| s.id),
            number: existing.map_or(1, next_version_number),
            text,
            files: input.files,
            submitted_at: now,
            late,
            idempotency_key: key,
        };
        let state = if late {
            SubmissionState::SubmittedLate
        } else {
            SubmissionState::Submitted
        };
        let badges = hand_in_badges(&history, student, &assignment, &version, state);
        let awards: Vec<Achievement> = badges
            .into_iter()
            .map(|b| Achievement::new(student, b, assignment.course_id, now))
            .collect();
        let outbox = if awards.is_empty() {
            Vec::new()
        } else {
            let profiles = self.notifications.delivery_profiles(&[student]).await?;
            award_outbox(&profiles, &awards, now)
        };
        let hand_in = HandIn {
            new_submission_id,
            assignment_id: assignment.id,
            student_id: student,
            version,
            state,
            outbox,
            awards,
        };
        let outcome = self.homework.hand_in(&hand_in).await.map_err(|e| match e {
            // Graded between our check and the write.
            StorageError::Conflict(Conflict::Stale) => HandInError::AlreadyGraded,
            e => HandInError::Storage(e),
        })?;
        Ok(match outcome {
            HandInOutcome::Stored(submission) => HandInResult {
                submission,
                duplicate: false,
            },
            HandInOutcome::Duplicate(submission) => HandInResult {
                submission,
                duplicate: true,
            },
        })
    }

    // --- grading -----------------------------------------------------------

    /// Grades the latest version (the course's staff and admins): the late
    /// penalty is applied against the student's effective due date, the
    /// change is audited, the student is notified, and a grade that
    /// completes the course earns the course badge.
    pub async fn grade(
        &self,
        actor: &Actor,
        submission_id: SubmissionId,
        input: GradeInput,
    ) -> Result<Submission, ReviewError> {
        let (submission, assignment, _) = self.review_target(actor, submission_id).await?;
        let latest = submission.latest().ok_or(ReviewError::NotFound)?;
        if latest.number != input.expected_version {
            return Err(ReviewError::ChangedMeanwhile);
        }
        let raw = Points::score(input.raw_score.value(), assignment.max_score)?;
        let now = self.clock.now();
        let student = submission.student_id;
        let extension = self.homework.get_extension(assignment.id, student).await?;
        let deadline = effective_deadline(&assignment, extension.as_ref());
        let (kept_percent, final_score) = apply_late_penalty(
            raw,
            assignment.late_policy,
            deadline.due_at,
            latest.submitted_at,
        );
        let grade = Grade {
            raw_score: raw,
            kept_percent,
            final_score,
            feedback: input.feedback.clone(),
            graded_by: actor.user_id,
            graded_at: now,
            version: latest.number,
        };
        let audit = GradeAuditEntry {
            id: AuditId::new(),
            submission_id: submission.id,
            actor_id: actor.user_id,
            at: now,
            action: AuditAction::Graded {
                raw_score: raw,
                final_score,
                previous_final_score: submission.grade.as_ref().map(|g| g.final_score),
            },
            feedback: input.feedback,
        };

        // A regrade cannot complete a course (the assignment already counted
        // as done), and drafts do not count towards progress.
        let awards = if submission.state != SubmissionState::Graded && assignment.published {
            self.course_completion(student, &assignment, now).await?
        } else {
            Vec::new()
        };
        let profiles = self.notifications.delivery_profiles(&[student]).await?;
        let note = Notification::HomeworkGraded {
            course_id: assignment.course_id,
            assignment_id: assignment.id,
            title: assignment.title.to_string(),
            submission_id: submission.id,
            score: final_score.value(),
            max_score: assignment.max_score.value(),
        };
        let event = format!("graded:{}:{}:{}", submission.id, latest.number, audit.id);
        let mut outbox = fan_out(&profiles, &event, &note, now);
        outbox.extend(award_outbox(&profiles, &awards, now));
        let review = Review {
            submission_id: submission.id,
            expected_version: input.expected_version,
            state: SubmissionState::Graded,
            grade: Some(grade),
            rework_feedback: None,
            audit,
            outbox,
            awards,
        };
        Ok(self.homework.review(&review).await?)
    }

    /// Returns submitted or graded work for rework with feedback (the
    /// course's staff and admins); audited and notified.
    pub async fn return_for_rework(
        &self,
        actor: &Actor,
        submission_id: SubmissionId,
        feedback: RichText,
        expected_version: u32,
    ) -> Result<Submission, ReviewError> {
        let (submission, assignment, _) = self.review_target(actor, submission_id).await?;
        if submission.state == SubmissionState::ReturnedForRework {
            return Err(ReviewError::NotReturnable);
        }
        let latest = submission.latest().ok_or(ReviewError::NotFound)?;
        if latest.number != expected_version {
            return Err(ReviewError::ChangedMeanwhile);
        }
        if feedback.is_blank() {
            return Err(ReviewError::FeedbackRequired);
        }
        let now = self.clock.now();
        let audit = GradeAuditEntry {
            id: AuditId::new(),
            submission_id: submission.id,
            actor_id: actor.user_id,
            at: now,
            action: AuditAction::Returned,
            feedback: feedback.clone(),
        };
        let profiles = self
            .notifications
            .delivery_profiles(&[submission.student_id])
            .await?;
        let note = Notification::HomeworkReturned {
            course_id: assignment.course_id,
            assignment_id: assignment.id,
            title: assignment.title.to_string(),
            submission_id: submission.id,
        };
        let event = format!("returned:{}:{}:{}", submission.id, latest.number, audit.id);
        let review = Review {
            submission_id: submission.id,
            expected_version,
            state: SubmissionState::ReturnedForRework,
            grade: None,
            rework_feedback: Some(feedback),
            audit,
            outbox: fan_out(&profiles, &event, &note, now),
            awards: Vec::new(),
        };
        Ok(self.homework.review(&review).await?)
    }

    // --- reading submissions ----------------------------------------------

    /// One submission: the owning student's own, or any in a course the
    /// actor checks.
    pub async fn get_submission(
        &self,
        actor: &Actor,
        id: SubmissionId,
    ) -> Result<Submission, HomeworkReadError> {
        let (submission, _, _) = self.visible_submission(actor, id).await?;
        Ok(submission)
    }

    /// The actor's own submission to an assignment they can see, if any.
    pub async fn my_submission(
        &self,
        actor: &Actor,
        assignment: AssignmentId,
    ) -> Result<Option<Submission>, HomeworkReadError> {
        let (assignment, access) = self
            .assignment_access(actor, assignment)
            .await?
            .ok_or(HomeworkReadError::AssignmentNotFound)?;
        if !access.sees(actor, &assignment, self.clock.now()) {
            return Err(HomeworkReadError::AssignmentNotFound);
        }
        Ok(self
            .homework
            .find_submission(assignment.id, actor.user_id)
            .await?)
    }

    /// Every student's submission to an assignment (the course's staff and admins).
    pub async fn list_submissions(
        &self,
        actor: &Actor,
        assignment: AssignmentId,
        page: Page,
    ) -> Result<Vec<Submission>, HomeworkReadError> {
        let (assignment, access) = self
            .assignment_access(actor, assignment)
            .await?
            .ok_or(HomeworkReadError::AssignmentNotFound)?;
        if !access.sees(actor, &assignment, self.clock.now()) {
            return Err(HomeworkReadError::AssignmentNotFound);
        }
        if !access.can_grade(actor) {
            return Err(HomeworkReadError::Forbidden);
        }
        Ok(self.homework.list_submissions(assignment.id, page).await?)
    }

    /// Submissions waiting for a grade, oldest first: in `course` (which the
    /// actor must check), or else in every course the actor owns or assists
    /// in (every course for admins).
    pub async fn grading_queue(
        &self,
        actor: &Actor,
        course: Option<CourseId>,
        page: Page,
    ) -> Result<Vec<PendingSubmission>, HomeworkReadError> {
        let courses = match course {
            Some(id) => {
                let access = self
                    .access(actor, id)
                    .await?
                    .ok_or(HomeworkReadError::CourseNotFound)?;
                if !access.can_grade(actor) {
                    return Err(if access.can_view(actor) {
                        HomeworkReadError::Forbidden
                    } else {
                        HomeworkReadError::CourseNotFound
                    });
                }
                vec![id]
            }
            None if actor.is_admin() => self.all_course_ids().await?,
            None => self.graded_course_ids(actor).await?,
        };
        if courses.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.homework.pending_submissions(&courses, page).await?)
    }

    /// The grade audit trail of a submission, oldest first (the course's
    /// staff, admins, and the owning student).
    pub async fn grade_history(
        &self,
        actor: &Actor,
        submission: SubmissionId,
    ) -> Result<Vec<GradeAuditEntry>, HomeworkReadError> {
        let (submission, _, _) = self.visible_submission(actor, submission).await?;
        Ok(self.homework.grade_audit(submission.id).await?)
    }

    // --- helpers -----------------------------------------------------------

    /// The course and the actor's role in it; `None` when there is no such course.
    async fn access(&self, actor: &Actor, course: CourseId) -> StorageResult<Option<Access>> {
        let Some(course) = self.courses.get_course(course).await? else {
            return Ok(None);
        };
        let membership = self.courses.membership(course.id, actor.user_id).await?;
        Ok(Some(Access { course, membership }))
    }

    /// The assignment with its course access; `None` when either is missing.
    async fn assignment_access(
        &self,
        actor: &Actor,
        id: AssignmentId,
    ) -> StorageResult<Option<(Assignment, Access)>> {
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
        if !access.sees(actor, &assignment, self.clock.now()) {
            return Err(ExtensionError::AssignmentNotFound);
        }
        if !access.can_manage(actor) {
            return Err(ExtensionError::Forbidden);
        }
        if access.course.status == CourseStatus::Archived {
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
    ) -> Result<(Submission, Assignment, Access), ReviewError> {
        let submission = self
            .homework
            .get_submission(id)
            .await?
            .ok_or(ReviewError::NotFound)?;
        let (assignment, access) = self
            .assignment_access(actor, submission.assignment_id)
            .await?
            .ok_or(ReviewError::NotFound)?;
        if access.can_grade(actor) {
            return Ok((submission, assignment, access));
        }
        if submission.student_id == actor.user_id && access.can_view(actor) {
            return Err(ReviewError::Forbidden);
        }
        Err(ReviewError::NotFound)
    }

    /// A submission the actor may read: staff of its course, or its student.
    async fn visible_submission(
        &self,
        actor: &Actor,
        id: SubmissionId,
    ) -> Result<(Submission, Assignment, Access), HomeworkReadError> {
        let submission = self
            .homework
            .get_submission(id)
            .await?
            .ok_or(HomeworkReadError::SubmissionNotFound)?;
        let (assignment, access) = self
            .assignment_access(actor, submission.assignment_id)
            .await?
            .ok_or(HomeworkReadError::SubmissionNotFound)?;
        let own = submission.student_id == actor.user_id && access.can_view(actor);
        if access.can_grade(actor) || own {
            Ok((submission, assignment, access))
        } else {
            Err(HomeworkReadError::SubmissionNotFound)
        }
    }

    /// "New assignment" messages to every enrolled student, when the course
    /// is published (students of a draft course see nothing yet).
    async fn new_assignment_outbox(
        &self,
        course: &Course,
        assignment: &Assignment,
        now: DateTime<Utc>,
    ) -> StorageResult<Vec<OutboxEntry>> {
        if course.status != CourseStatus::Published {
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

    /// Every course id (admins), page by page.
    async fn all_course_ids(&self) -> StorageResult<Vec<CourseId>> {
        let mut ids = Vec::new();
        let mut offset = 0;
        loop {
            let page = Page::new(Page::MAX_LIMIT, offset);
            let batch = self.courses.list_all_courses(page).await?;
            let len = batch.len();
            ids.extend(batch.into_iter().map(|c| c.id));
            if len < page.limit() as usize {
                return Ok(ids);
            }
            offset += page.limit();
        }
    }

    /// Ids of courses the actor checks (owns or assists in with a school
    /// role that holds the membership), page by page.
    async fn graded_course_ids(&self, actor: &Actor) -> StorageResult<Vec<CourseId>> {
        let mut ids = Vec::new();
        let mut offset = 0;
        loop {
            let page = Page::new(Page::MAX_LIMIT, offset);
            let batch = self
                .courses
                .list_member_courses(actor.user_id, page)
                .await?;
            let len = batch.len();
            ids.extend(
                batch
                    .into_iter()
                    .filter(|m| policy::can_grade(actor, Some(m.role)))
                    .map(|m| m.course.id),
            );
            if len < page.limit() as usize {
                return Ok(ids);
            }
            offset += page.limit();
        }
    }
}

// ---------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------

/// The event key of "new assignment" messages: one per assignment, so
/// publishing again notifies nobody twice.
fn new_assignment_event(id: AssignmentId) -> String {
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
) -> Assignment {
    Assignment {
        id,
        course_id,
        title: input.title,
        instructions: input.instructions,
        attachments: input.attachments,
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

fn next_version_number(submission: &Submission) -> u32 {
    submission
        .versions
        .iter()
        .map(|v| v.number)
        .max()
        .unwrap_or(0)
        + 1
}

/// Badges this hand-in earns that the history before it did not: the first
/// homework only when nothing was handed in before, the streak only when
/// this hand-in completes it.
fn hand_in_badges(
    history: &[Submission],
    student: UserId,
    assignment: &Assignment,
    version: &SubmissionVersion,
    state: SubmissionState,
) -> Vec<Badge> {
    let mut after = history.to_vec();
    match after.iter_mut().find(|s| s.assignment_id == assignment.id) {
        Some(existing) => {
            existing.versions.push(version.clone());
            existing.state = state;
        }
        None => after.push(Submission {
            id: version.submission_id,
            assignment_id: assignment.id,
            student_id: student,
            state,
            versions: vec![version.clone()],
            grade: None,
            rework_feedback: None,
            updated_at: version.submitted_at,
        }),
    }
    let mut badges = Vec::new();
    if earns_first_homework(&after) && !earns_first_homework(history) {
        badges.push(Badge::FirstHomework);
    }
    if earns_on_time_streak(&after) && !earns_on_time_streak(history) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::StudentCourseData;
    use crate::quiz::AttemptState;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use chrono::{Duration, TimeZone};
    use mockall::predicate::eq;
    use proptest::prelude::*;

    use crate::clock::ManualClock;
    use crate::course::{CourseMembership, MockCourseStore};
    use crate::dashboard::{MockDashboardStore, StudentSnapshot};
    use crate::error::{DomainError, ErrorClass};
    use crate::file::FileName;
    use crate::homework::MockHomeworkStore;
    use crate::ids::{AttemptId, FileId, QuizId};
    use crate::notification::{Channel, DedupKey, MockNotificationStore, NotificationPreferences};
    use crate::quiz::{Attempt, Quiz, QuizSettings};

    // --- fixtures ----------------------------------------------------------

    /// "Now" for every test.
    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap()
    }

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new(),
            role,
        }
    }

    fn pts(v: f64) -> Points {
        Points::new(v).unwrap()
    }

    /// One course with a cast of users around it.
    #[derive(Clone)]
    struct World {
        course: Course,
        owner: Actor,
        assistant: Actor,
        /// Assistant of another course (no role here).
        other_assistant: Actor,
        /// Teacher who does not own this course.
        other_teacher: Actor,
        student: Actor,
        /// Another student enrolled in the course.
        classmate: Actor,
        /// A student not enrolled in the course.
        stranger: Actor,
        admin: Actor,
        assignments: Vec<Assignment>,
        submissions: Vec<Submission>,
    }

    impl World {
        fn new(status: CourseStatus) -> Self {
            let owner = actor(Role::Teacher);
            Self {
                course: Course {
                    id: CourseId::new(),
                    title: Title::parse("Алгебра").unwrap(),
                    description: RichText::default(),
                    owner_id: owner.user_id,
                    status,
                    invite_code: None,
                    created_at: t0() - Duration::days(30),
                },
                owner,
                assistant: actor(Role::Assistant),
                other_assistant: actor(Role::Assistant),
                other_teacher: actor(Role::Teacher),
                student: actor(Role::Student),
                classmate: actor(Role::Student),
                stranger: actor(Role::Student),
                admin: actor(Role::Admin),
                assignments: Vec::new(),
                submissions: Vec::new(),
            }
        }

        fn role(&self, user: UserId) -> Option<CourseRole> {
            if user == self.owner.user_id {
                Some(CourseRole::Owner)
            } else if user == self.assistant.user_id {
                Some(CourseRole::Assistant)
            } else if user == self.student.user_id || user == self.classmate.user_id {
                Some(CourseRole::Student)
            } else {
                None
            }
        }

        /// A published text assignment: open for a week, due tomorrow.
        fn assignment(&self) -> Assignment {
            Assignment {
                id: AssignmentId::new(),
                course_id: self.course.id,
                title: Title::parse("ДЗ 1").unwrap(),
                instructions: RichText::sanitize("<p>Решите задачи</p>"),
                attachments: vec![],
                opens_at: t0() - Duration::days(7),
                due_at: t0() + Duration::days(1),
                cut_off_at: None,
                max_score: pts(10.0),
                late_policy: LatePolicy::NoPenalty,
                submission_kind: SubmissionKind::Text,
                file_limits: FileLimits::default(),
                published: true,
                created_at: t0() - Duration::days(8),
            }
        }

        fn add(&mut self, assignment: Assignment) -> Assignment {
            self.assignments.push(assignment.clone());
            assignment
        }

        fn add_submission(&mut self, submission: Submission) -> Submission {
            self.submissions.push(submission.clone());
            submission
        }
    }

    fn version(
        submission: SubmissionId,
        number: u32,
        at: DateTime<Utc>,
        late: bool,
    ) -> SubmissionVersion {
        SubmissionVersion {
            id: SubmissionVersionId::new(),
            submission_id: submission,
            number,
            text: Some(RichText::sanitize("<p>ответ</p>")),
            files: vec![],
            submitted_at: at,
            late,
            idempotency_key: None,
        }
    }

    /// A submission with one version handed in at `at`.
    fn submission(
        assignment: AssignmentId,
        student: UserId,
        state: SubmissionState,
        at: DateTime<Utc>,
        late: bool,
    ) -> Submission {
        let id = SubmissionId::new();
        Submission {
            id,
            assignment_id: assignment,
            student_id: student,
            state,
            versions: vec![version(id, 1, at, late)],
            grade: None,
            rework_feedback: None,
            updated_at: at,
        }
    }

    fn profile(user: UserId, telegram: bool) -> DeliveryProfile {
        DeliveryProfile {
            user_id: user,
            active: true,
            preferences: NotificationPreferences::defaults(user),
            telegram_linked: telegram,
        }
    }

    fn file(owner: UserId, name: &str, size: u64) -> FileRef {
        FileRef {
            id: FileId::new(),
            name: FileName::sanitize(name),
            content_type: "application/pdf".into(),
            size,
            storage_key: format!("k/{name}"),
            uploaded_by: owner,
            uploaded_at: t0() - Duration::minutes(5),
        }
    }

    fn input_from(a: &Assignment) -> AssignmentInput {
        AssignmentInput {
            title: a.title.clone(),
            instructions: a.instructions.clone(),
            attachments: a.attachments.clone(),
            opens_at: a.opens_at,
            due_at: a.due_at,
            cut_off_at: a.cut_off_at,
            max_score: a.max_score,
            late_policy: a.late_policy,
            submission_kind: a.submission_kind,
            file_limits: a.file_limits.clone(),
            published: a.published,
        }
    }

    fn text_hand_in(html: &str, key: Option<&str>) -> HandInInput {
        HandInInput {
            text: Some(RichText::sanitize(html)),
            files: vec![],
            idempotency_key: key.map(str::to_owned),
        }
    }

    /// What an adapter would return for a stored hand-in.
    fn stored(h: &HandIn, existing: Option<&Submission>) -> Submission {
        let mut s = existing.cloned().unwrap_or(Submission {
            id: h.new_submission_id,
            assignment_id: h.assignment_id,
            student_id: h.student_id,
            state: h.state,
            versions: vec![],
            grade: None,
            rework_feedback: None,
            updated_at: h.version.submitted_at,
        });
        s.state = h.state;
        s.versions.push(h.version.clone());
        s
    }

    /// What an adapter would return for a stored review.
    fn reviewed(s: &Submission, r: &Review) -> Submission {
        Submission {
            state: r.state,
            grade: r.grade.clone(),
            rework_feedback: r.rework_feedback.clone(),
            ..s.clone()
        }
    }

    fn shared<T>() -> Arc<Mutex<Vec<T>>> {
        Arc::new(Mutex::new(Vec::new()))
    }

    fn only<T: Clone>(seen: &Arc<Mutex<Vec<T>>>) -> T {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "expected exactly one call");
        seen[0].clone()
    }

    /// The mocks; lookups of the world's course, memberships, assignments
    /// and submissions are wired by `build`, everything else must be
    /// expected by the test (an unexpected call panics).
    struct Mocks {
        hw: MockHomeworkStore,
        courses: MockCourseStore,
        notes: MockNotificationStore,
        dash: MockDashboardStore,
    }

    impl Mocks {
        fn new() -> Self {
            Self {
                hw: MockHomeworkStore::new(),
                courses: MockCourseStore::new(),
                notes: MockNotificationStore::new(),
                dash: MockDashboardStore::new(),
            }
        }

        fn build(mut self, w: &World) -> HomeworkService {
            let course = w.course.clone();
            self.courses
                .expect_get_course()
                .returning(move |id| Ok((id == course.id).then(|| course.clone())));
            let world = w.clone();
            self.courses
                .expect_membership()
                .returning(move |c, u| Ok((c == world.course.id).then(|| world.role(u)).flatten()));
            let assignments = w.assignments.clone();
            self.hw
                .expect_get_assignment()
                .returning(move |id| Ok(assignments.iter().find(|a| a.id == id).cloned()));
            let submissions = w.submissions.clone();
            self.hw
                .expect_get_submission()
                .returning(move |id| Ok(submissions.iter().find(|s| s.id == id).cloned()));
            HomeworkService::new(
                Arc::new(self.hw),
                Arc::new(self.courses),
                Arc::new(self.notes),
                Arc::new(self.dash),
                Arc::new(ManualClock::new(t0())),
            )
        }
    }

    fn bare(w: &World) -> HomeworkService {
        Mocks::new().build(w)
    }

    // --- create_assignment -------------------------------------------------

    #[tokio::test]
    async fn owner_creates_published_assignment_and_notifies_enrolled_students() {
        let w = World::new(CourseStatus::Published);
        let (s, c) = (w.student.user_id, w.classmate.user_id);
        let mut m = Mocks::new();
        m.courses
            .expect_enrolled_students()
            .with(eq(w.course.id))
            .times(1)
            .returning(move |_| Ok(vec![s, c]));
        m.notes
            .expect_delivery_profiles()
            .withf(move |users| users == [s, c])
            .times(1)
            .returning(move |_| Ok(vec![profile(s, true), profile(c, false)]));
        let seen = shared();
        let seen2 = seen.clone();
        m.hw.expect_insert_assignment()
            .times(1)
            .returning(move |a, o| {
                seen2.lock().unwrap().push((a.clone(), o.to_vec()));
                Ok(())
            });
        let svc = m.build(&w);
        let mut input = input_from(&w.assignment());
        input.due_at = t0() + Duration::days(2);

        let created = svc
            .create_assignment(&w.owner, w.course.id, input.clone())
            .await
            .unwrap();

        assert_eq!(created.course_id, w.course.id);
        assert_eq!(created.created_at, t0());
        assert_eq!(created.due_at, input.due_at);
        assert_eq!(created.title.as_str(), "ДЗ 1");
        assert!(created.published);
        let (stored_assignment, outbox) = only(&seen);
        assert_eq!(stored_assignment, created);
        let event = format!("new_assignment:{}", created.id);
        let sent: Vec<_> = outbox.iter().map(|e| (e.recipient_id, e.channel)).collect();
        assert_eq!(
            sent,
            vec![
                (s, Channel::Email),
                (s, Channel::Telegram),
                (c, Channel::Email)
            ]
        );
        for e in &outbox {
            assert_eq!(
                e.dedup_key,
                DedupKey::new(e.recipient_id, &event, e.channel)
            );
            assert_eq!(
                e.notification,
                Notification::NewAssignment {
                    course_id: w.course.id,
                    course_title: "Алгебра".into(),
                    assignment_id: created.id,
                    title: "ДЗ 1".into(),
                    due_at: input.due_at,
                }
            );
            assert_eq!(e.created_at, t0());
        }
    }

    #[tokio::test]
    async fn drafts_and_draft_courses_notify_nobody() {
        for (status, published) in [
            (CourseStatus::Published, false),
            (CourseStatus::Draft, true),
        ] {
            let w = World::new(status);
            let mut m = Mocks::new();
            let seen = shared();
            let seen2 = seen.clone();
            m.hw.expect_insert_assignment()
                .times(1)
                .returning(move |a, o| {
                    seen2.lock().unwrap().push((a.clone(), o.to_vec()));
                    Ok(())
                });
            let svc = m.build(&w);
            let mut input = input_from(&w.assignment());
            input.published = published;
            let created = svc
                .create_assignment(&w.owner, w.course.id, input)
                .await
                .unwrap();
            let (a, outbox) = only(&seen);
            assert_eq!(a, created);
            assert_eq!(a.published, published);
            assert!(outbox.is_empty(), "{status:?} published={published}");
        }
    }

    #[tokio::test]
    async fn only_owner_and_admin_create_assignments() {
        let w = World::new(CourseStatus::Published);
        let input = input_from(&World::new(CourseStatus::Draft).assignment());
        let cases = [
            (&w.student, "forbidden"),
            (&w.stranger, "course_not_found"),
            (&w.assistant, "forbidden"),
            (&w.other_assistant, "course_not_found"),
            (&w.other_teacher, "course_not_found"),
        ];
        for (who, code) in cases {
            // No insert expected: a write would panic the mock.
            let err = bare(&w)
                .create_assignment(who, w.course.id, input.clone())
                .await
                .unwrap_err();
            assert_eq!(err.code(), code, "{:?}", who.role);
        }
        let err = bare(&w)
            .create_assignment(&w.owner, CourseId::new(), input.clone())
            .await
            .unwrap_err();
        assert!(matches!(err, AssignmentError::CourseNotFound));

        let mut m = Mocks::new();
        let seen = shared();
        let seen2 = seen.clone();
        m.hw.expect_insert_assignment()
            .times(1)
            .returning(move |a, _| {
                seen2.lock().unwrap().push(a.clone());
                Ok(())
            });
        let mut draft = input;
        draft.published = false;
        let created = m
            .build(&w)
            .create_assignment(&w.admin, w.course.id, draft)
            .await
            .unwrap();
        assert_eq!(only(&seen).course_id, w.course.id);
        assert_eq!(created.course_id, w.course.id);
    }

    #[tokio::test]
    async fn archived_courses_take_no_new_assignments() {
        let w = World::new(CourseStatus::Archived);
        let err = bare(&w)
            .create_assignment(&w.owner, w.course.id, input_from(&w.assignment()))
            .await
            .unwrap_err();
        assert!(matches!(err, AssignmentError::CourseArchived));
        assert_eq!(err.class(), ErrorClass::Conflict);
    }

    #[tokio::test]
    async fn assignment_fields_are_checked_against_each_other() {
        let w = World::new(CourseStatus::Published);
        let base = input_from(&w.assignment());
        type Change = Box<dyn Fn(&mut AssignmentInput)>;
        let cases: Vec<(Change, &str, &str)> = vec![
            (
                Box::new(|i| i.due_at = i.opens_at - Duration::seconds(1)),
                "due_before_open",
                "due_at",
            ),
            (
                Box::new(|i| i.cut_off_at = Some(i.due_at - Duration::seconds(1))),
                "cut_off_before_due",
                "cut_off_at",
            ),
            (
                Box::new(|i| i.max_score = Points::ZERO),
                "max_score_zero",
                "max_score",
            ),
            (
                Box::new(|i| {
                    i.late_policy = LatePolicy::PercentPerDay {
                        percent_per_day: 101,
                        floor_percent: 0,
                    }
                }),
                "late_policy_percent",
                "percent_per_day",
            ),
            (
                Box::new(|i| {
                    i.late_policy = LatePolicy::PercentPerDay {
                        percent_per_day: 10,
                        floor_percent: 101,
                    }
                }),
                "late_policy_percent",
                "floor_percent",
            ),
            (
                Box::new(|i| {
                    i.submission_kind = SubmissionKind::Files;
                    i.file_limits.max_files = 0;
                }),
                "file_limits",
                "max_files",
            ),
            (
                Box::new(|i| {
                    i.submission_kind = SubmissionKind::TextAndFiles;
                    i.file_limits.max_file_size = 0;
                }),
                "file_limits",
                "max_file_size",
            ),
            (
                Box::new(|i| i.file_limits.allowed_extensions = vec![".pdf".into()]),
                "file_limits",
                "allowed_extensions",
            ),
        ];
        for (change, code, field) in cases {
            let mut input = base.clone();
            change(&mut input);
            let err = bare(&w)
                .create_assignment(&w.owner, w.course.id, input)
                .await
                .unwrap_err();
            assert_eq!(err.code(), code);
            assert_eq!(err.class(), ErrorClass::Invalid);
            assert!(err.to_string().contains(field), "{err} names {field}");
        }
    }

    #[tokio::test]
    async fn boundary_values_are_accepted() {
        let w = World::new(CourseStatus::Published);
        let mut input = input_from(&w.assignment());
        input.published = false;
        input.opens_at = t0();
        input.due_at = t0();
        input.cut_off_at = Some(t0());
        input.late_policy = LatePolicy::PercentPerDay {
            percent_per_day: 100,
            floor_percent: 100,
        };
        // Limits do not matter when no files are accepted.
        input.submission_kind = SubmissionKind::Text;
        input.file_limits.max_files = 0;
        let mut m = Mocks::new();
        let seen = shared();
        let seen2 = seen.clone();
        m.hw.expect_insert_assignment()
            .times(1)
            .returning(move |a, _| {
                seen2.lock().unwrap().push(a.clone());
                Ok(())
            });
        let created = m
            .build(&w)
            .create_assignment(&w.owner, w.course.id, input)
            .await
            .unwrap();
        assert_eq!(only(&seen), created);
        assert_eq!(created.cut_off_at, Some(t0()));
        assert_eq!(created.file_limits.max_files, 0);
    }

    // --- update_assignment -------------------------------------------------

    #[tokio::test]
    async fn publishing_a_draft_notifies_with_the_new_assignment_key() {
        let mut w = World::new(CourseStatus::Published);
        let mut draft = w.assignment();
        draft.published = false;
        let draft = w.add(draft);
        let s = w.student.user_id;
        let mut m = Mocks::new();
        m.courses
            .expect_enrolled_students()
            .times(1)
            .returning(move |_| Ok(vec![s]));
        m.notes
            .expect_delivery_profiles()
            .times(1)
            .returning(move |_| Ok(vec![profile(s, false)]));
        let seen = shared();
        let seen2 = seen.clone();
        m.hw.expect_update_assignment()
            .times(1)
            .returning(move |a, o| {
                seen2.lock().unwrap().push((a.clone(), o.to_vec()));
                Ok(())
            });
        let mut input = input_from(&draft);
        input.published = true;
        input.title = Title::parse("ДЗ 1 (исправлено)").unwrap();

        let updated = m
            .build(&w)
            .update_assignment(&w.owner, draft.id, input)
            .await
            .unwrap();

        let (a, outbox) = only(&seen);
        assert_eq!(a, updated);
        assert_eq!(a.id, draft.id);
        assert_eq!(a.course_id, draft.course_id);
        assert_eq!(a.created_at, draft.created_at, "creation time is kept");
        assert_eq!(a.title.as_str(), "ДЗ 1 (исправлено)");
        assert_eq!(outbox.len(), 1);
        assert_eq!(
            outbox[0].dedup_key,
            DedupKey::new(s, &format!("new_assignment:{}", draft.id), Channel::Email)
        );
        assert!(matches!(
            &outbox[0].notification,
            Notification::NewAssignment { title, .. } if title == "ДЗ 1 (исправлено)"
        ));
    }

    #[tokio::test]
    async fn editing_a_published_assignment_notifies_nobody() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        let mut m = Mocks::new();
        let seen = shared();
        let seen2 = seen.clone();
        m.hw.expect_update_assignment()
            .times(1)
            .returning(move |a, o| {
                seen2.lock().unwrap().push((a.clone(), o.to_vec()));
                Ok(())
            });
        let mut input = input_from(&a);
        input.max_score = pts(20.0);
        m.build(&w)
            .update_assignment(&w.admin, a.id, input)
            .await
            .unwrap();
        let (stored_assignment, outbox) = only(&seen);
        assert_eq!(stored_assignment.max_score, pts(20.0));
        assert!(outbox.is_empty());
    }

    #[tokio::test]
    async fn max_score_cannot_drop_below_a_given_grade() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        let mut graded = submission(
            a.id,
            w.student.user_id,
            SubmissionState::Graded,
            t0(),
            false,
        );
        graded.grade = Some(Grade {
            raw_score: pts(8.0),
            kept_percent: 100,
            final_score: pts(8.0),
            feedback: RichText::default(),
            graded_by: w.owner.user_id,
            graded_at: t0(),
            version: 1,
        });
        let mut m = Mocks::new();
        let listed = vec![graded];
        m.hw.expect_list_submissions()
            .returning(move |_, _| Ok(listed.clone()));
        m.hw.expect_update_assignment()
            .times(1)
            .returning(|_, _| Ok(()));
        let service = m.build(&w);
        let mut too_low = input_from(&a);
        too_low.max_score = pts(5.0);
        let err = service
            .update_assignment(&w.owner, a.id, too_low)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "max_score_below_grades");
        assert!(
            matches!(err, AssignmentError::MaxBelowGrades { highest, .. } if highest == pts(8.0))
        );
        let mut enough = input_from(&a);
        enough.max_score = pts(8.0);
        let stored = service
            .update_assignment(&w.owner, a.id, enough)
            .await
            .unwrap();
        assert_eq!(
            stored.max_score,
            pts(8.0),
            "down to the highest grade is fine"
        );
    }

    #[tokio::test]
    async fn only_owner_and_admin_update_assignments() {
        let mut w = World::new(CourseStatus::Published);
        let published = w.add(w.assignment());
        let mut draft = w.assignment();
        draft.published = false;
        let draft = w.add(draft);
        let cases = [
            (&w.student, &published, "forbidden"),
            (&w.student, &draft, "assignment_not_found"),
            (&w.stranger, &published, "assignment_not_found"),
            (&w.assistant, &draft, "forbidden"),
            (&w.other_assistant, &published, "assignment_not_found"),
            (&w.other_teacher, &published, "assignment_not_found"),
        ];
        for (who, a, code) in cases {
            let err = bare(&w)
                .update_assignment(who, a.id, input_from(a))
                .await
                .unwrap_err();
            assert_eq!(err.code(), code, "{:?} published={}", who.role, a.published);
        }
    }

    #[tokio::test]
    async fn updates_are_validated_and_refused_in_archived_courses() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        let mut bad = input_from(&a);
        bad.due_at = a.opens_at - Duration::hours(1);
        let err = bare(&w)
            .update_assignment(&w.owner, a.id, bad)
            .await
            .unwrap_err();
        assert!(matches!(err, AssignmentError::DueBeforeOpen));

        let err = bare(&w)
            .update_assignment(&w.owner, AssignmentId::new(), input_from(&a))
            .await
            .unwrap_err();
        assert!(matches!(err, AssignmentError::NotFound));

        let mut m = Mocks::new();
        m.hw.expect_update_assignment()
            .times(1)
            .returning(|_, _| Err(StorageError::NotFound));
        let err = m
            .build(&w)
            .update_assignment(&w.owner, a.id, input_from(&a))
            .await
            .unwrap_err();
        assert!(
            matches!(err, AssignmentError::NotFound),
            "deleted meanwhile"
        );

        let mut archived = World::new(CourseStatus::Archived);
        let a = archived.add(archived.assignment());
        let err = bare(&archived)
            .update_assignment(&archived.owner, a.id, input_from(&a))
            .await
            .unwrap_err();
        assert!(matches!(err, AssignmentError::CourseArchived));
    }

    // --- get_assignment / list_assignments ---------------------------------

    #[tokio::test]
    async fn student_sees_own_deadline_status_and_submission() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        let s = w.student.user_id;
        let ext = Extension {
            assignment_id: a.id,
            student_id: s,
            due_at: t0() + Duration::days(3),
            cut_off_at: None,
            granted_by: w.owner.user_id,
            granted_at: t0() - Duration::days(1),
        };
        let sub = submission(a.id, s, SubmissionState::Submitted, t0(), false);
        let mut m = Mocks::new();
        let ext2 = ext.clone();
        m.hw.expect_get_extension()
            .with(eq(a.id), eq(s))
            .returning(move |_, _| Ok(Some(ext2.clone())));
        let sub2 = sub.clone();
        m.hw.expect_find_submission()
            .with(eq(a.id), eq(s))
            .returning(move |_, _| Ok(Some(sub2.clone())));
        let view = m.build(&w).get_assignment(&w.student, a.id).await.unwrap();
        assert_eq!(
            view,
            AssignmentView {
                assignment: a,
                deadline: Deadline {
                    due_at: ext.due_at,
                    cut_off_at: None
                },
                status: Some(HomeworkStatus::Submitted),
                submission: Some(sub),
            }
        );
    }

    #[tokio::test]
    async fn student_without_work_is_missing_only_after_the_cut_off() {
        let mut w = World::new(CourseStatus::Archived);
        let mut overdue = w.assignment();
        overdue.due_at = t0() - Duration::days(1);
        let overdue = w.add(overdue);
        let mut closed = w.assignment();
        closed.due_at = t0() - Duration::days(2);
        closed.cut_off_at = Some(t0() - Duration::days(1));
        let closed = w.add(closed);
        let status = |a: &Assignment| {
            let mut m = Mocks::new();
            m.hw.expect_get_extension().returning(|_, _| Ok(None));
            m.hw.expect_find_submission().returning(|_, _| Ok(None));
            let svc = m.build(&w);
            let id = a.id;
            let student = w.student;
            async move { svc.get_assignment(&student, id).await.unwrap() }
        };
        // Past the due date without a cut-off: still accepted, so not missing;
        // the view carries the due date for the UI to flag it as overdue.
        let view = status(&overdue).await;
        assert_eq!(view.status, Some(HomeworkStatus::NotSubmitted));
        assert_eq!(view.deadline.due_at, overdue.due_at);
        assert!(view.deadline.due_at < t0());
        assert_eq!(view.submission, None);
        // Past the cut-off: missing.
        let view = status(&closed).await;
        assert_eq!(view.status, Some(HomeworkStatus::Missing));
        assert_eq!(view.deadline.cut_off_at, closed.cut_off_at);
    }

    #[tokio::test]
    async fn students_see_an_assignment_only_once_it_opens() {
        let mut w = World::new(CourseStatus::Published);
        let mut upcoming = w.assignment();
        upcoming.title = Title::parse("Скоро").unwrap();
        upcoming.opens_at = t0() + Duration::seconds(1);
        upcoming.due_at = t0() + Duration::days(3);
        let upcoming = w.add(upcoming);
        let mut opening = w.assignment();
        opening.opens_at = t0();
        let opening = w.add(opening);
        let s = w.student.user_id;

        // Not yet open: hidden from the student on every path, with no
        // storage reads of their work and nothing stored.
        let err = bare(&w)
            .get_assignment(&w.student, upcoming.id)
            .await
            .unwrap_err();
        assert!(matches!(err, HomeworkReadError::AssignmentNotFound));
        let err = bare(&w)
            .my_submission(&w.student, upcoming.id)
            .await
            .unwrap_err();
        assert!(matches!(err, HomeworkReadError::AssignmentNotFound));
        let err = bare(&w)
            .hand_in(&w.student, upcoming.id, text_hand_in("<p>x</p>", None))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "assignment_not_found");
        assert_eq!(err.class(), ErrorClass::NotFound);

        // Opening exactly now: visible.
        let mut m = Mocks::new();
        m.hw.expect_get_extension().returning(|_, _| Ok(None));
        m.hw.expect_find_submission().returning(|_, _| Ok(None));
        let view = m
            .build(&w)
            .get_assignment(&w.student, opening.id)
            .await
            .unwrap();
        assert_eq!(view.status, Some(HomeworkStatus::NotSubmitted));

        // The student's list leaves it out; staff list and open it.
        let all = vec![upcoming.clone(), opening.clone()];
        let mut m = Mocks::new();
        let listed = all.clone();
        m.hw.expect_list_assignments()
            .returning(move |_| Ok(listed.clone()));
        m.hw.expect_student_submissions()
            .returning(|_, _| Ok(vec![]));
        let up = upcoming.id;
        m.hw.expect_get_extension()
            .withf(move |a, u| *u == s && *a != up)
            .returning(|_, _| Ok(None));
        let views = m
            .build(&w)
            .list_assignments(&w.student, w.course.id)
            .await
            .unwrap();
        let ids: Vec<_> = views.iter().map(|v| v.assignment.id).collect();
        assert_eq!(ids, vec![opening.id]);
        for who in [&w.owner, &w.assistant, &w.admin] {
            let mut m = Mocks::new();
            let listed = all.clone();
            m.hw.expect_list_assignments()
                .returning(move |_| Ok(listed.clone()));
            let views = m
                .build(&w)
                .list_assignments(who, w.course.id)
                .await
                .unwrap();
            assert_eq!(views.len(), 2, "{:?}", who.role);
            let view = bare(&w).get_assignment(who, upcoming.id).await.unwrap();
            assert_eq!(view.assignment.title.as_str(), "Скоро");
        }
    }

    #[tokio::test]
    async fn students_never_see_drafts_and_outsiders_see_nothing() {
        let mut w = World::new(CourseStatus::Published);
        let published = w.add(w.assignment());
        let mut draft = w.assignment();
        draft.published = false;
        let draft = w.add(draft);
        for (who, a) in [
            (&w.student, &draft),
            (&w.stranger, &published),
            (&w.other_assistant, &published),
            (&w.other_teacher, &published),
        ] {
            let err = bare(&w).get_assignment(who, a.id).await.unwrap_err();
            assert!(
                matches!(err, HomeworkReadError::AssignmentNotFound),
                "{:?}",
                who.role
            );
        }
        let mut dc = World::new(CourseStatus::Draft);
        let a = dc.add(dc.assignment());
        let err = bare(&dc)
            .get_assignment(&dc.student, a.id)
            .await
            .unwrap_err();
        assert!(matches!(err, HomeworkReadError::AssignmentNotFound));
    }

    #[tokio::test]
    async fn staff_see_drafts_with_the_assignment_deadline() {
        let mut w = World::new(CourseStatus::Draft);
        let mut a = w.assignment();
        a.published = false;
        a.cut_off_at = Some(a.due_at + Duration::days(2));
        let a = w.add(a);
        for who in [&w.owner, &w.assistant, &w.admin] {
            // No extension or submission lookups for staff.
            let view = bare(&w).get_assignment(who, a.id).await.unwrap();
            assert_eq!(
                view,
                AssignmentView {
                    assignment: a.clone(),
                    deadline: Deadline {
                        due_at: a.due_at,
                        cut_off_at: a.cut_off_at
                    },
                    status: None,
                    submission: None,
                }
            );
        }
    }

    #[tokio::test]
    async fn students_list_published_assignments_with_their_status() {
        let w = World::new(CourseStatus::Published);
        let s = w.student.user_id;
        let mut overdue = w.assignment();
        overdue.due_at = t0() - Duration::days(1);
        let handed = w.assignment();
        let mut draft = w.assignment();
        draft.published = false;
        let ext = Extension {
            assignment_id: overdue.id,
            student_id: s,
            due_at: t0() + Duration::days(1),
            cut_off_at: None,
            granted_by: w.owner.user_id,
            granted_at: t0(),
        };
        let sub = submission(handed.id, s, SubmissionState::SubmittedLate, t0(), true);
        let mut m = Mocks::new();
        let all = vec![overdue.clone(), handed.clone(), draft.clone()];
        m.hw.expect_list_assignments()
            .with(eq(w.course.id))
            .returning(move |_| Ok(all.clone()));
        let sub2 = sub.clone();
        m.hw.expect_student_submissions()
            .with(eq(w.course.id), eq(s))
            .times(1)
            .returning(move |_, _| Ok(vec![sub2.clone()]));
        let ext2 = ext.clone();
        m.hw.expect_get_extension()
            .withf(move |a, u| *u == s && *a != draft.id)
            .returning(move |a, _| Ok((a == ext2.assignment_id).then(|| ext2.clone())));
        let views = m
            .build(&w)
            .list_assignments(&w.student, w.course.id)
            .await
            .unwrap();
        let summary: Vec<_> = views
            .iter()
            .map(|v| {
                (
                    v.assignment.id,
                    v.status,
                    v.deadline.due_at,
                    v.submission.is_some(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    overdue.id,
                    Some(HomeworkStatus::NotSubmitted),
                    ext.due_at,
                    false
                ),
                (
                    handed.id,
                    Some(HomeworkStatus::SubmittedLate),
                    handed.due_at,
                    true
                ),
            ]
        );
        assert_eq!(views[1].submission.as_ref(), Some(&sub));
    }

    #[tokio::test]
    async fn staff_list_every_assignment_and_outsiders_none() {
        let w = World::new(CourseStatus::Published);
        let a = w.assignment();
        let mut draft = w.assignment();
        draft.published = false;
        for who in [&w.owner, &w.assistant, &w.admin] {
            let mut m = Mocks::new();
            let all = vec![a.clone(), draft.clone()];
            m.hw.expect_list_assignments()
                .returning(move |_| Ok(all.clone()));
            let views = m
                .build(&w)
                .list_assignments(who, w.course.id)
                .await
                .unwrap();
            assert_eq!(
                views,
                vec![staff_view(a.clone()), staff_view(draft.clone())],
                "{:?}",
                who.role
            );
            assert!(views.iter().all(|v| v.status.is_none()));
        }
        for who in [&w.stranger, &w.other_assistant, &w.other_teacher] {
            let err = bare(&w)
                .list_assignments(who, w.course.id)
                .await
                .unwrap_err();
            assert!(matches!(err, HomeworkReadError::CourseNotFound));
        }
        let dc = World::new(CourseStatus::Draft);
        let err = bare(&dc)
            .list_assignments(&dc.student, dc.course.id)
            .await
            .unwrap_err();
        assert!(matches!(err, HomeworkReadError::CourseNotFound));
    }

    // --- extensions --------------------------------------------------------

    fn extension_input(a: &Assignment, student: UserId) -> ExtensionInput {
        ExtensionInput {
            assignment_id: a.id,
            student_id: student,
            due_at: t0() + Duration::days(5),
            cut_off_at: Some(t0() + Duration::days(6)),
        }
    }

    #[tokio::test]
    async fn owner_and_admin_grant_extensions_to_enrolled_students() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        for who in [&w.owner, &w.admin] {
            let mut m = Mocks::new();
            let seen = shared();
            let seen2 = seen.clone();
            m.hw.expect_upsert_extension().times(1).returning(move |e| {
                seen2.lock().unwrap().push(e.clone());
                Ok(())
            });
            let input = extension_input(&a, w.student.user_id);
            let granted = m
                .build(&w)
                .grant_extension(who, input.clone())
                .await
                .unwrap();
            assert_eq!(
                granted,
                Extension {
                    assignment_id: a.id,
                    student_id: w.student.user_id,
                    due_at: input.due_at,
                    cut_off_at: input.cut_off_at,
                    granted_by: who.user_id,
                    granted_at: t0(),
                }
            );
            assert_eq!(only(&seen), granted);
        }
    }

    #[tokio::test]
    async fn extensions_need_an_enrolled_student_and_ordered_dates() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        for target in [w.stranger.user_id, w.assistant.user_id, w.owner.user_id] {
            let err = bare(&w)
                .grant_extension(&w.owner, extension_input(&a, target))
                .await
                .unwrap_err();
            assert!(matches!(err, ExtensionError::StudentNotEnrolled));
            assert!(err.to_string().contains("student_id"));
        }
        let mut input = extension_input(&a, w.student.user_id);
        input.cut_off_at = Some(input.due_at - Duration::seconds(1));
        let err = bare(&w).grant_extension(&w.owner, input).await.unwrap_err();
        assert!(matches!(err, ExtensionError::CutOffBeforeDue));
        assert!(err.to_string().contains("cut_off_at"));
    }

    #[tokio::test]
    async fn only_owner_and_admin_manage_extensions() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        let input = extension_input(&a, w.student.user_id);
        let cases = [
            (&w.student, "forbidden"),
            (&w.assistant, "forbidden"),
            (&w.stranger, "assignment_not_found"),
            (&w.other_assistant, "assignment_not_found"),
            (&w.other_teacher, "assignment_not_found"),
        ];
        for (who, code) in cases {
            let err = bare(&w)
                .grant_extension(who, input.clone())
                .await
                .unwrap_err();
            assert_eq!(err.code(), code, "grant by {:?}", who.role);
            let err = bare(&w)
                .revoke_extension(who, a.id, w.student.user_id)
                .await
                .unwrap_err();
            assert_eq!(err.code(), code, "revoke by {:?}", who.role);
        }
        let mut archived = World::new(CourseStatus::Archived);
        let a = archived.add(archived.assignment());
        let err = bare(&archived)
            .grant_extension(
                &archived.owner,
                extension_input(&a, archived.student.user_id),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, ExtensionError::CourseArchived));
    }

    #[tokio::test]
    async fn revoking_reports_a_missing_extension() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        let s = w.student.user_id;
        for existed in [true, false] {
            let mut m = Mocks::new();
            m.hw.expect_delete_extension()
                .with(eq(a.id), eq(s))
                .times(1)
                .returning(move |_, _| Ok(existed));
            let result = m.build(&w).revoke_extension(&w.owner, a.id, s).await;
            match (existed, result) {
                (true, Ok(())) => {}
                (false, Err(e)) => {
                    assert_eq!(e.code(), "extension_not_found");
                    assert_eq!(e.class(), ErrorClass::NotFound);
                }
                (existed, other) => panic!("existed={existed}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn extensions_are_listed_for_the_course_staff_only() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        let ext = Extension {
            assignment_id: a.id,
            student_id: w.student.user_id,
            due_at: t0(),
            cut_off_at: None,
            granted_by: w.owner.user_id,
            granted_at: t0(),
        };
        for who in [&w.assistant, &w.owner, &w.admin] {
            let mut m = Mocks::new();
            let e2 = ext.clone();
            m.hw.expect_list_extensions()
                .with(eq(a.id))
                .returning(move |_| Ok(vec![e2.clone()]));
            let list = m.build(&w).list_extensions(who, a.id).await.unwrap();
            assert_eq!(list, vec![ext.clone()]);
        }
        for (who, code) in [
            (&w.student, "forbidden"),
            (&w.stranger, "assignment_not_found"),
            (&w.other_assistant, "assignment_not_found"),
            (&w.other_teacher, "assignment_not_found"),
        ] {
            let err = bare(&w).list_extensions(who, a.id).await.unwrap_err();
            assert_eq!(err.code(), code, "{:?}", who.role);
        }
    }

    // --- hand_in -----------------------------------------------------------

    /// Mocks for a hand-in: the student's history, their extension and a
    /// store that records the `HandIn` and answers like an adapter.
    fn hand_in_mocks(
        history: Vec<Submission>,
        extension: Option<Extension>,
    ) -> (Mocks, Arc<Mutex<Vec<HandIn>>>) {
        let mut m = Mocks::new();
        let h2 = history.clone();
        m.hw.expect_student_history()
            .returning(move |_| Ok(h2.clone()));
        m.hw.expect_get_extension()
            .returning(move |_, _| Ok(extension.clone()));
        let seen = shared();
        let seen2 = seen.clone();
        m.hw.expect_hand_in().returning(move |h| {
            seen2.lock().unwrap().push(h.clone());
            let existing = history.iter().find(|s| s.assignment_id == h.assignment_id);
            Ok(HandInOutcome::Stored(stored(h, existing)))
        });
        (m, seen)
    }

    #[tokio::test]
    async fn first_on_time_hand_in_earns_the_first_homework_badge() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        let s = w.student.user_id;
        let (mut m, seen) = hand_in_mocks(vec![], None);
        m.notes
            .expect_delivery_profiles()
            .withf(move |u| u == [s])
            .times(1)
            .returning(move |_| Ok(vec![profile(s, false)]));
        let result = m
            .build(&w)
            .hand_in(
                &w.student,
                a.id,
                text_hand_in("<p>Ответ: 42</p>", Some("k1")),
            )
            .await
            .unwrap();

        let h = only(&seen);
        assert!(!result.duplicate);
        assert_eq!(result.submission, stored(&h, None));
        assert_eq!(h.assignment_id, a.id);
        assert_eq!(h.student_id, s);
        assert_eq!(h.state, SubmissionState::Submitted);
        assert_eq!(h.version.number, 1);
        assert_eq!(h.version.submission_id, h.new_submission_id);
        assert!(!h.version.late);
        assert_eq!(h.version.submitted_at, t0());
        assert_eq!(
            h.version.text.as_ref().map(RichText::as_html),
            Some("<p>Ответ: 42</p>")
        );
        assert_eq!(h.version.idempotency_key.as_deref(), Some("k1"));
        assert_eq!(
            h.awards,
            vec![Achievement {
                user_id: s,
                badge: Badge::FirstHomework,
                course_id: None,
                awarded_at: t0(),
            }]
        );
        assert_eq!(h.outbox.len(), 1);
        assert_eq!(
            h.outbox[0].dedup_key,
            DedupKey::new(s, "achievement:first_homework", Channel::Email)
        );
        assert_eq!(
            h.outbox[0].notification,
            Notification::AchievementAwarded {
                badge: Badge::FirstHomework,
                course_id: None,
                quiz_id: None,
            }
        );
    }

    #[tokio::test]
    async fn late_resubmission_after_a_return_is_a_new_late_version() {
        let mut w = World::new(CourseStatus::Published);
        let mut a = w.assignment();
        a.due_at = t0() - Duration::hours(1);
        let a = w.add(a);
        let s = w.student.user_id;
        let returned = submission(
            a.id,
            s,
            SubmissionState::ReturnedForRework,
            t0() - Duration::days(2),
            false,
        );
        // No delivery_profiles expectation: no award, no message.
        let (m, seen) = hand_in_mocks(vec![returned.clone()], None);
        let result = m
            .build(&w)
            .hand_in(&w.student, a.id, text_hand_in("<p>v2</p>", None))
            .await
            .unwrap();
        let h = only(&seen);
        assert_eq!(h.state, SubmissionState::SubmittedLate);
        assert!(h.version.late);
        assert_eq!(h.version.number, 2);
        assert_eq!(h.version.submission_id, returned.id);
        assert!(h.awards.is_empty());
        assert!(h.outbox.is_empty());
        assert_eq!(result.submission.versions.len(), 2);
        assert_eq!(result.submission.state, SubmissionState::SubmittedLate);
    }

    #[tokio::test]
    async fn an_extension_moves_both_the_cut_off_and_the_due_date() {
        let mut w = World::new(CourseStatus::Published);
        let mut a = w.assignment();
        a.due_at = t0() - Duration::days(2);
        a.cut_off_at = Some(t0() - Duration::days(1));
        let a = w.add(a);
        let s = w.student.user_id;
        let earlier = submission(AssignmentId::new(), s, SubmissionState::Graded, t0(), false);
        let ext = Extension {
            assignment_id: a.id,
            student_id: s,
            due_at: t0() + Duration::hours(1),
            cut_off_at: None,
            granted_by: w.owner.user_id,
            granted_at: t0() - Duration::days(3),
        };
        let (m, seen) = hand_in_mocks(vec![earlier], Some(ext));
        m.build(&w)
            .hand_in(&w.student, a.id, text_hand_in("<p>ok</p>", None))
            .await
            .unwrap();
        let h = only(&seen);
        assert_eq!(h.state, SubmissionState::Submitted);
        assert!(!h.version.late);
    }

    #[tokio::test]
    async fn hand_ins_outside_the_window_are_refused() {
        let mut w = World::new(CourseStatus::Published);
        let mut not_open = w.assignment();
        not_open.opens_at = t0() + Duration::hours(1);
        not_open.due_at = t0() + Duration::days(1);
        let not_open = w.add(not_open);
        let mut closed = w.assignment();
        closed.due_at = t0() - Duration::days(2);
        closed.cut_off_at = Some(t0() - Duration::seconds(1));
        let closed = w.add(closed);
        // Before it opens the assignment is hidden from students.
        let err = bare(&w)
            .hand_in(&w.student, not_open.id, text_hand_in("<p>x</p>", None))
            .await
            .unwrap_err();
        assert!(matches!(err, HandInError::NotFound));
        let mut m = Mocks::new();
        m.hw.expect_student_history().returning(|_| Ok(vec![]));
        m.hw.expect_get_extension().returning(|_, _| Ok(None));
        let err = m
            .build(&w)
            .hand_in(&w.student, closed.id, text_hand_in("<p>x</p>", None))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "past_cut_off");
        assert_eq!(err.class(), ErrorClass::Conflict);
    }

    #[tokio::test]
    async fn hand_in_content_must_fit_the_assignment() {
        let w0 = World::new(CourseStatus::Published);
        let s = w0.student.user_id;
        let c = w0.classmate.user_id;
        let pdf = file(s, "отчёт.pdf", 100);
        type Setup = Box<dyn Fn(&mut Assignment)>;
        let cases: Vec<(Setup, HandInInput, &str)> = vec![
            (
                Box::new(|a| a.submission_kind = SubmissionKind::Files),
                text_hand_in("<p>текст</p>", None),
                "text_not_accepted",
            ),
            (
                Box::new(|a| a.submission_kind = SubmissionKind::Text),
                HandInInput {
                    text: Some(RichText::sanitize("<p>текст</p>")),
                    files: vec![pdf.clone()],
                    idempotency_key: None,
                },
                "files_not_accepted",
            ),
            (
                Box::new(|a| a.submission_kind = SubmissionKind::TextAndFiles),
                text_hand_in("<p>  </p>", None),
                "empty_hand_in",
            ),
            (
                Box::new(|a| a.submission_kind = SubmissionKind::TextAndFiles),
                HandInInput {
                    text: None,
                    files: vec![],
                    idempotency_key: None,
                },
                "empty_hand_in",
            ),
            (
                Box::new(|a| {
                    a.submission_kind = SubmissionKind::Files;
                    a.file_limits.max_files = 1;
                }),
                HandInInput {
                    text: None,
                    files: vec![pdf.clone(), file(s, "b.pdf", 1)],
                    idempotency_key: None,
                },
                "too_many_files",
            ),
            (
                Box::new(|a| {
                    a.submission_kind = SubmissionKind::Files;
                    a.file_limits.max_file_size = 99;
                }),
                HandInInput {
                    text: None,
                    files: vec![pdf.clone()],
                    idempotency_key: None,
                },
                "file_too_large",
            ),
            (
                Box::new(|a| {
                    a.submission_kind = SubmissionKind::Files;
                    a.file_limits.allowed_extensions = vec!["docx".into()];
                }),
                HandInInput {
                    text: None,
                    files: vec![pdf.clone()],
                    idempotency_key: None,
                },
                "file_type_not_allowed",
            ),
            (
                Box::new(|a| a.submission_kind = SubmissionKind::Files),
                HandInInput {
                    text: None,
                    files: vec![file(c, "чужой.pdf", 1)],
                    idempotency_key: None,
                },
                "file_not_owned",
            ),
        ];
        for (setup, input, code) in cases {
            let mut w = w0.clone();
            let mut a = w.assignment();
            setup(&mut a);
            let a = w.add(a);
            let mut m = Mocks::new();
            m.hw.expect_student_history().returning(|_| Ok(vec![]));
            m.hw.expect_get_extension().returning(|_, _| Ok(None));
            let err = m
                .build(&w)
                .hand_in(&w.student, a.id, input)
                .await
                .unwrap_err();
            assert_eq!(err.code(), code, "{err}");
        }
    }

    #[tokio::test]
    async fn blank_text_with_files_is_stored_as_files_only() {
        let mut w = World::new(CourseStatus::Published);
        let mut a = w.assignment();
        a.submission_kind = SubmissionKind::TextAndFiles;
        let a = w.add(a);
        let pdf = file(w.student.user_id, "решение.pdf", 10);
        let other = submission(
            AssignmentId::new(),
            w.student.user_id,
            SubmissionState::Graded,
            t0(),
            true,
        );
        let (m, seen) = hand_in_mocks(vec![other], None);
        m.build(&w)
            .hand_in(
                &w.student,
                a.id,
                HandInInput {
                    text: Some(RichText::sanitize("<p> </p>")),
                    files: vec![pdf.clone()],
                    idempotency_key: Some("  ".into()),
                },
            )
            .await
            .unwrap();
        let h = only(&seen);
        assert_eq!(h.version.text, None);
        assert_eq!(h.version.files, vec![pdf]);
        assert_eq!(h.version.idempotency_key, None, "a blank key is no key");
    }

    #[tokio::test]
    async fn graded_homework_takes_no_new_version() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        let graded = submission(
            a.id,
            w.student.user_id,
            SubmissionState::Graded,
            t0(),
            false,
        );
        let mut m = Mocks::new();
        m.hw.expect_student_history()
            .returning(move |_| Ok(vec![graded.clone()]));
        m.hw.expect_get_extension().returning(|_, _| Ok(None));
        let err = m
            .build(&w)
            .hand_in(&w.student, a.id, text_hand_in("<p>ещё</p>", None))
            .await
            .unwrap_err();
        assert!(matches!(err, HandInError::AlreadyGraded));
    }

    #[tokio::test]
    async fn duplicates_are_reported_not_stored_twice() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        let s = w.student.user_id;
        // The adapter saw the key (a concurrent retry won the race).
        let existing = submission(a.id, s, SubmissionState::Submitted, t0(), false);
        let mut m = Mocks::new();
        m.hw.expect_student_history().returning(|_| Ok(vec![]));
        m.hw.expect_get_extension().returning(|_, _| Ok(None));
        m.notes
            .expect_delivery_profiles()
            .returning(move |_| Ok(vec![profile(s, false)]));
        let e2 = existing.clone();
        m.hw.expect_hand_in()
            .times(1)
            .returning(move |_| Ok(HandInOutcome::Duplicate(e2.clone())));
        let result = m
            .build(&w)
            .hand_in(&w.student, a.id, text_hand_in("<p>x</p>", Some("k")))
            .await
            .unwrap();
        assert_eq!(
            result,
            HandInResult {
                submission: existing,
                duplicate: true
            }
        );

        // The key is already in the history: answered without writing, even
        // after the cut-off has passed and the work was graded.
        let mut closed = w.assignment();
        closed.due_at = t0() - Duration::days(2);
        closed.cut_off_at = Some(t0() - Duration::days(1));
        let closed = w.add(closed);
        let mut done = submission(
            closed.id,
            s,
            SubmissionState::Graded,
            t0() - Duration::days(3),
            false,
        );
        done.versions[0].idempotency_key = Some("k".into());
        let mut m = Mocks::new();
        let d2 = done.clone();
        m.hw.expect_student_history()
            .returning(move |_| Ok(vec![d2.clone()]));
        let result = m
            .build(&w)
            .hand_in(&w.student, closed.id, text_hand_in("<p>x</p>", Some("k")))
            .await
            .unwrap();
        assert!(result.duplicate);
        assert_eq!(result.submission, done);
    }

    #[tokio::test]
    async fn the_fifth_on_time_hand_in_in_a_row_earns_the_streak_once() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        let s = w.student.user_id;
        let on_time = |d: i64| {
            submission(
                AssignmentId::new(),
                s,
                SubmissionState::Graded,
                t0() - Duration::days(d),
                false,
            )
        };
        let four: Vec<_> = (1..=4).map(on_time).collect();
        let (mut m, seen) = hand_in_mocks(four.clone(), None);
        m.notes
            .expect_delivery_profiles()
            .times(1)
            .returning(move |_| Ok(vec![profile(s, true)]));
        m.build(&w)
            .hand_in(&w.student, a.id, text_hand_in("<p>5</p>", None))
            .await
            .unwrap();
        let h = only(&seen);
        assert_eq!(
            h.awards.iter().map(|x| x.badge).collect::<Vec<_>>(),
            vec![Badge::OnTimeStreak5]
        );
        let keys: Vec<_> = h.outbox.iter().map(|e| e.dedup_key.clone()).collect();
        assert_eq!(
            keys,
            vec![
                DedupKey::new(s, "achievement:on_time_streak_5", Channel::Email),
                DedupKey::new(s, "achievement:on_time_streak_5", Channel::Telegram),
            ]
        );

        // Already five in a row: the sixth earns nothing (no profiles asked).
        let mut five = four;
        five.push(on_time(5));
        let (m, seen) = hand_in_mocks(five, None);
        m.build(&w)
            .hand_in(&w.student, a.id, text_hand_in("<p>6</p>", None))
            .await
            .unwrap();
        let h = only(&seen);
        assert!(h.awards.is_empty());
        assert!(h.outbox.is_empty());
    }

    #[tokio::test]
    async fn only_enrolled_students_hand_in() {
        let mut w = World::new(CourseStatus::Published);
        let a = w.add(w.assignment());
        let mut draft = w.assignment();
        draft.published = false;
        let draft = w.add(draft);
        let cases = [
            (&w.owner, &a, "forbidden"),
            (&w.assistant, &a, "forbidden"),
            (&w.admin, &a, "forbidden"),
            (&w.stranger, &a, "assignment_not_found"),
            (&w.other_teacher, &a, "assignment_not_found"),
            (&w.other_assistant, &a, "assignment_not_found"),
            (&w.student, &draft, "assignment_not_found"),
        ];
        for (who, a, code) in cases {
            let err = bare(&w)
                .hand_in(who, a.id, text_hand_in("<p>x</p>", None))
                .await
                .unwrap_err();
            assert_eq!(err.code(), code, "{:?}", who.role);
        }
        let mut archived = World::new(CourseStatus::Archived);
        let a = archived.add(archived.assignment());
        let err = bare(&archived)
            .hand_in(&archived.student, a.id, text_hand_in("<p>x</p>", None))
            .await
            .unwrap_err();
        assert!(matches!(err, HandInError::CourseArchived));
        let mut dc = World::new(CourseStatus::Draft);
        let a = dc.add(dc.assignment());
        let err = bare(&dc)
            .hand_in(&dc.student, a.id, text_hand_in("<p>x</p>", None))
            .await
            .unwrap_err();
        assert!(matches!(err, HandInError::NotFound));
    }

    // --- grade -------------------------------------------------------------

    /// A world with a late submission: due three days ago, handed in 30 h
    /// after the due date, 20 % a day down to 50 %.
    fn grading_world() -> (World, Assignment, Submission) {
        let mut w = World::new(CourseStatus::Published);
        let mut a = w.assignment();
        a.due_at = t0() - Duration::days(3);
        a.late_policy = LatePolicy::PercentPerDay {
            percent_per_day: 20,
            floor_percent: 50,
        };
        let a = w.add(a);
        let sub = w.add_submission(submission(
            a.id,
            w.student.user_id,
            SubmissionState::SubmittedLate,
            a.due_at + Duration::hours(30),
            true,
        ));
        (w, a, sub)
    }

    fn snapshot(data: Vec<StudentCourseData>, achievements: Vec<Achievement>) -> StudentSnapshot {
        StudentSnapshot {
            courses: data,
            webinars: vec![],
            achievements,
        }
    }

    fn course_data(
        w: &World,
        assignments: Vec<Assignment>,
        submissions: Vec<Submission>,
    ) -> StudentCourseData {
        StudentCourseData {
            course: w.course.clone(),
            lessons_visible: 2,
            lessons_viewed: 2,
            assignments,
            extensions: vec![],
            submissions,
            quizzes: vec![],
            attempts: vec![],
        }
    }

    /// Mocks for a review: no extension, the given snapshot (if expected),
    /// the student's profile with Telegram, and a recording review store.
    fn review_mocks(
        w: &World,
        snapshot: Option<StudentSnapshot>,
        sub: &Submission,
    ) -> (Mocks, Arc<Mutex<Vec<Review>>>) {
        let mut m = Mocks::new();
        let s = w.student.user_id;
        m.hw.expect_get_extension().returning(|_, _| Ok(None));
        if let Some(snap) = snapshot {
            m.dash
                .expect_student_snapshot()
                .with(eq(s), eq(t0()))
                .times(1)
                .returning(move |_, _| Ok(snap.clone()));
        }
        m.notes
            .expect_delivery_profiles()
            .withf(move |u| u == [s])
            .returning(move |_| Ok(vec![profile(s, true)]));
        let seen = shared();
        let seen2 = seen.clone();
        let sub = sub.clone();
        m.hw.expect_review().returning(move |r| {
            seen2.lock().unwrap().push(r.clone());
            Ok(reviewed(&sub, r))
        });
        (m, seen)
    }

    fn grade_input(raw: f64, version: u32) -> GradeInput {
        GradeInput {
            raw_score: pts(raw),
            feedback: RichText::sanitize("<p>Хорошо</p>"),
            expected_version: version,
        }
    }

    #[tokio::test]
    async fn grading_applies_the_late_penalty_audits_and_notifies() {
        let (w, a, sub) = grading_world();
        let s = w.student.user_id;
        let other = w.assignment();
        let snap = snapshot(
            vec![course_data(&w, vec![a.clone(), other], vec![sub.clone()])],
            vec![],
        );
        let (m, seen) = review_mocks(&w, Some(snap), &sub);
        let result = m
            .build(&w)
            .grade(&w.assistant, sub.id, grade_input(10.0, 1))
            .await
            .unwrap();

        let r = only(&seen);
        assert_eq!(result, reviewed(&sub, &r));
        assert_eq!(r.submission_id, sub.id);
        assert_eq!(r.expected_version, 1);
        assert_eq!(r.state, SubmissionState::Graded);
        assert_eq!(
            r.grade,
            Some(Grade {
                raw_score: pts(10.0),
                kept_percent: 60,
                final_score: pts(6.0),
                feedback: RichText::sanitize("<p>Хорошо</p>"),
                graded_by: w.assistant.user_id,
                graded_at: t0(),
                version: 1,
            })
        );
        assert_eq!(r.rework_feedback, None);
        assert_eq!(r.audit.submission_id, sub.id);
        assert_eq!(r.audit.actor_id, w.assistant.user_id);
        assert_eq!(r.audit.at, t0());
        assert_eq!(
            r.audit.action,
            AuditAction::Graded {
                raw_score: pts(10.0),
                final_score: pts(6.0),
                previous_final_score: None,
            }
        );
        assert!(r.awards.is_empty(), "the other assignment is not done");
        let event = format!("graded:{}:1:{}", sub.id, r.audit.id);
        let keys: Vec<_> = r.outbox.iter().map(|e| e.dedup_key.clone()).collect();
        assert_eq!(
            keys,
            vec![
                DedupKey::new(s, &event, Channel::Email),
                DedupKey::new(s, &event, Channel::Telegram),
            ]
        );
        assert_eq!(
            r.outbox[0].notification,
            Notification::HomeworkGraded {
                course_id: w.course.id,
                assignment_id: a.id,
                title: "ДЗ 1".into(),
                submission_id: sub.id,
                score: 6.0,
                max_score: 10.0,
            }
        );
    }

    #[tokio::test]
    async fn an_extension_granted_later_removes_the_penalty() {
        let (w, a, sub) = grading_world();
        let ext = Extension {
            assignment_id: a.id,
            student_id: w.student.user_id,
            due_at: t0(),
            cut_off_at: None,
            granted_by: w.owner.user_id,
            granted_at: t0(),
        };
        let mut m = Mocks::new();
        m.hw.expect_get_extension()
            .with(eq(a.id), eq(w.student.user_id))
            .returning(move |_, _| Ok(Some(ext.clone())));
        m.dash
            .expect_student_snapshot()
            .returning(|_, _| Ok(snapshot(vec![], vec![])));
        m.notes.expect_delivery_profiles().returning(|_| Ok(vec![]));
        let seen = shared();
        let seen2 = seen.clone();
        let sub2 = sub.clone();
        m.hw.expect_review().returning(move |r| {
            seen2.lock().unwrap().push(r.clone());
            Ok(reviewed(&sub2, r))
        });
        let result = m
            .build(&w)
            .grade(&w.owner, sub.id, grade_input(7.5, 1))
            .await
            .unwrap();
        let grade = result.grade.unwrap();
        assert_eq!((grade.kept_percent, grade.final_score), (100, pts(7.5)));
        assert!(only(&seen).outbox.is_empty(), "nobody to reach");
    }

    #[tokio::test]
    async fn regrading_records_the_previous_score_and_notifies_again() {
        let (mut w, _, mut sub) = grading_world();
        sub.state = SubmissionState::Graded;
        sub.grade = Some(Grade {
            raw_score: pts(10.0),
            kept_percent: 60,
            final_score: pts(6.0),
            feedback: RichText::default(),
            graded_by: w.owner.user_id,
            graded_at: t0() - Duration::days(1),
            version: 1,
        });
        w.submissions = vec![sub.clone()];
        // No snapshot expected: a regrade cannot complete a course.
        let (m, seen) = review_mocks(&w, None, &sub);
        let svc = m.build(&w);
        svc.grade(&w.admin, sub.id, grade_input(8.0, 1))
            .await
            .unwrap();
        svc.grade(&w.admin, sub.id, grade_input(8.0, 1))
            .await
            .unwrap();
        let reviews = seen.lock().unwrap().clone();
        assert_eq!(reviews.len(), 2);
        assert_eq!(
            reviews[0].audit.action,
            AuditAction::Graded {
                raw_score: pts(8.0),
                final_score: pts(4.8),
                previous_final_score: Some(pts(6.0)),
            }
        );
        assert_ne!(
            reviews[0].outbox[0].dedup_key, reviews[1].outbox[0].dedup_key,
            "each regrade is a new event"
        );
    }

    #[tokio::test]
    async fn returned_work_can_be_graded_without_a_new_version() {
        let (mut w, a, mut sub) = grading_world();
        sub.state = SubmissionState::ReturnedForRework;
        w.submissions = vec![sub.clone()];
        let snap = snapshot(vec![course_data(&w, vec![a], vec![sub.clone()])], vec![]);
        let (m, seen) = review_mocks(&w, Some(snap), &sub);
        let result = m
            .build(&w)
            .grade(&w.owner, sub.id, grade_input(5.0, 1))
            .await
            .unwrap();
        assert_eq!(result.state, SubmissionState::Graded);
        assert_eq!(only(&seen).grade.unwrap().final_score, pts(3.0));
    }

    #[tokio::test]
    async fn scores_above_the_maximum_and_stale_versions_are_refused() {
        let (w, _, sub) = grading_world();
        let err = bare(&w)
            .grade(&w.owner, sub.id, grade_input(10.5, 1))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "score_above_max");
        assert!(err.to_string().contains("raw_score"));

        let err = bare(&w)
            .grade(&w.owner, sub.id, grade_input(5.0, 2))
            .await
            .unwrap_err();
        assert!(matches!(err, ReviewError::ChangedMeanwhile));

        // A new version arrives between the check and the write.
        let mut m = Mocks::new();
        m.hw.expect_get_extension().returning(|_, _| Ok(None));
        m.dash
            .expect_student_snapshot()
            .returning(|_, _| Ok(snapshot(vec![], vec![])));
        m.notes.expect_delivery_profiles().returning(|_| Ok(vec![]));
        m.hw.expect_review()
            .times(1)
            .returning(|_| Err(StorageError::Conflict(Conflict::Stale)));
        let err = m
            .build(&w)
            .grade(&w.owner, sub.id, grade_input(5.0, 1))
            .await
            .unwrap_err();
        assert!(matches!(err, ReviewError::ChangedMeanwhile));
        assert_eq!(err.class(), ErrorClass::Conflict);
        assert_eq!(err.code(), "changed_meanwhile");
    }

    fn quiz(w: &World) -> Quiz {
        Quiz {
            id: QuizId::new(),
            course_id: w.course.id,
            title: Title::parse("Тест").unwrap(),
            description: RichText::default(),
            settings: QuizSettings::default(),
            published: true,
            created_at: t0(),
        }
    }

    fn attempt(quiz: QuizId, student: UserId, state: AttemptState) -> Attempt {
        Attempt {
            id: AttemptId::new(),
            quiz_id: quiz,
            student_id: student,
            number: 1,
            seed: 7,
            question_order: vec![],
            started_at: t0() - Duration::days(1),
            deadline: None,
            state,
            answers: BTreeMap::new(),
            saved_at: None,
            finished_at: None,
            result: None,
            submit_key: None,
        }
    }

    #[tokio::test]
    async fn the_grade_that_completes_a_course_earns_the_course_badge() {
        let (w, a, sub) = grading_world();
        let s = w.student.user_id;
        let b = w.assignment();
        let b_done = submission(b.id, s, SubmissionState::Graded, t0(), false);
        let q = quiz(&w);
        let mut data = course_data(&w, vec![a.clone(), b.clone()], vec![sub.clone(), b_done]);
        data.quizzes = vec![q.clone()];
        data.attempts = vec![attempt(q.id, s, AttemptState::AutoSubmitted)];

        let (m, seen) = review_mocks(&w, Some(snapshot(vec![data.clone()], vec![])), &sub);
        m.build(&w)
            .grade(&w.owner, sub.id, grade_input(9.0, 1))
            .await
            .unwrap();
        let r = only(&seen);
        assert_eq!(
            r.awards,
            vec![Achievement {
                user_id: s,
                badge: Badge::CourseCompleted,
                course_id: Some(w.course.id),
                awarded_at: t0(),
            }]
        );
        let event = format!("achievement:course_completed:{}", w.course.id);
        let badge_entries: Vec<_> = r
            .outbox
            .iter()
            .filter(|e| matches!(e.notification, Notification::AchievementAwarded { .. }))
            .collect();
        assert_eq!(badge_entries.len(), 2, "email and telegram");
        for e in badge_entries {
            assert_eq!(e.dedup_key, DedupKey::new(s, &event, e.channel));
            assert_eq!(
                e.notification,
                Notification::AchievementAwarded {
                    badge: Badge::CourseCompleted,
                    course_id: Some(w.course.id),
                    quiz_id: None,
                }
            );
        }

        // An open quiz attempt is not a finished quiz; a badge already held
        // is not awarded again.
        let mut open = data.clone();
        open.attempts = vec![attempt(q.id, s, AttemptState::Open)];
        let held = Achievement::new(s, Badge::CourseCompleted, w.course.id, t0());
        for snap in [
            snapshot(vec![open], vec![]),
            snapshot(vec![data], vec![held]),
        ] {
            let (m, seen) = review_mocks(&w, Some(snap), &sub);
            m.build(&w)
                .grade(&w.owner, sub.id, grade_input(9.0, 1))
                .await
                .unwrap();
            let r = only(&seen);
            assert!(r.awards.is_empty());
            assert!(
                r.outbox
                    .iter()
                    .all(|e| matches!(e.notification, Notification::HomeworkGraded { .. }))
            );
        }
    }

    #[tokio::test]
    async fn staff_whose_school_role_changed_lose_the_course() {
        let (mut w, a, sub) = grading_world();
        let owner_as_assistant = Actor {
            role: Role::Assistant,
            ..w.owner
        };
        let owner_as_student = Actor {
            role: Role::Student,
            ..w.owner
        };
        let assistant_as_student = Actor {
            role: Role::Student,
            ..w.assistant
        };
        let input = input_from(&a);
        for who in [
            &owner_as_assistant,
            &owner_as_student,
            &assistant_as_student,
        ] {
            let err = bare(&w)
                .grade(who, sub.id, grade_input(5.0, 1))
                .await
                .unwrap_err();
            assert_eq!(err.code(), "submission_not_found", "{:?}", who.role);
            let err = bare(&w)
                .list_submissions(who, a.id, Page::first())
                .await
                .unwrap_err();
            assert_eq!(err.code(), "assignment_not_found", "{:?}", who.role);
            let err = bare(&w)
                .create_assignment(who, w.course.id, input.clone())
                .await
                .unwrap_err();
            assert_eq!(err.code(), "course_not_found", "{:?}", who.role);
        }
        // A teacher who assists keeps checking homework there.
        w.assistant.role = Role::Teacher;
        let mut m = Mocks::new();
        m.hw.expect_list_submissions().returning(|_, _| Ok(vec![]));
        let listed = m
            .build(&w)
            .list_submissions(&w.assistant, a.id, Page::first())
            .await
            .unwrap();
        assert!(listed.is_empty());
    }

    #[tokio::test]
    async fn only_the_course_staff_and_admins_grade() {
        let (w, _, sub) = grading_world();
        let cases = [
            (&w.student, "forbidden"),
            (&w.classmate, "submission_not_found"),
            (&w.stranger, "submission_not_found"),
            (&w.other_assistant, "submission_not_found"),
            (&w.other_teacher, "submission_not_found"),
        ];
        for (who, code) in cases {
            let err = bare(&w)
                .grade(who, sub.id, grade_input(5.0, 1))
                .await
                .unwrap_err();
            assert_eq!(err.code(), code, "grade by {:?}", who.role);
            let err = bare(&w)
                .return_for_rework(who, sub.id, RichText::sanitize("<p>ещё раз</p>"), 1)
                .await
                .unwrap_err();
            assert_eq!(err.code(), code, "return by {:?}", who.role);
        }
        let err = bare(&w)
            .grade(&w.owner, SubmissionId::new(), grade_input(5.0, 1))
            .await
            .unwrap_err();
        assert!(matches!(err, ReviewError::NotFound));
    }

    // --- return_for_rework -------------------------------------------------

    #[tokio::test]
    async fn returning_for_rework_audits_and_notifies() {
        let (w, a, sub) = grading_world();
        let s = w.student.user_id;
        let (m, seen) = review_mocks(&w, None, &sub);
        let feedback = RichText::sanitize("<p>Добавьте решение задачи 3</p>");
        let result = m
            .build(&w)
            .return_for_rework(&w.assistant, sub.id, feedback.clone(), 1)
            .await
            .unwrap();
        let r = only(&seen);
        assert_eq!(result.state, SubmissionState::ReturnedForRework);
        assert_eq!(r.state, SubmissionState::ReturnedForRework);
        assert_eq!(r.expected_version, 1);
        assert_eq!(r.grade, None);
        assert_eq!(r.rework_feedback, Some(feedback.clone()));
        assert_eq!(r.audit.action, AuditAction::Returned);
        assert_eq!(r.audit.feedback, feedback);
        assert_eq!(r.audit.actor_id, w.assistant.user_id);
        assert!(r.awards.is_empty());
        let event = format!("returned:{}:1:{}", sub.id, r.audit.id);
        assert_eq!(r.outbox.len(), 2);
        for e in &r.outbox {
            assert_eq!(e.dedup_key, DedupKey::new(s, &event, e.channel));
            assert_eq!(
                e.notification,
                Notification::HomeworkReturned {
                    course_id: w.course.id,
                    assignment_id: a.id,
                    title: "ДЗ 1".into(),
                    submission_id: sub.id,
                }
            );
        }
    }

    #[tokio::test]
    async fn return_rules() {
        let (w, _, sub) = grading_world();
        let feedback = RichText::sanitize("<p>Переделайте</p>");

        let mut returned = sub.clone();
        returned.state = SubmissionState::ReturnedForRework;
        let mut wr = w.clone();
        wr.submissions = vec![returned.clone()];
        let err = bare(&wr)
            .return_for_rework(&w.owner, returned.id, feedback.clone(), 1)
            .await
            .unwrap_err();
        assert!(matches!(err, ReviewError::NotReturnable));

        let err = bare(&w)
            .return_for_rework(&w.owner, sub.id, RichText::sanitize("<p> </p>"), 1)
            .await
            .unwrap_err();
        assert!(matches!(err, ReviewError::FeedbackRequired));
        assert!(err.to_string().contains("feedback"));

        let err = bare(&w)
            .return_for_rework(&w.owner, sub.id, feedback.clone(), 3)
            .await
            .unwrap_err();
        assert!(matches!(err, ReviewError::ChangedMeanwhile));

        // Graded work can be returned too.
        let mut graded = sub.clone();
        graded.state = SubmissionState::Graded;
        let mut wg = w.clone();
        wg.submissions = vec![graded.clone()];
        let (m, seen) = review_mocks(&wg, None, &graded);
        m.build(&wg)
            .return_for_rework(&w.owner, graded.id, feedback, 1)
            .await
            .unwrap();
        assert_eq!(only(&seen).state, SubmissionState::ReturnedForRework);
    }

    // --- reading submissions -----------------------------------------------

    #[tokio::test]
    async fn submissions_are_visible_to_their_student_and_the_course_staff() {
        let (w, _, sub) = grading_world();
        for who in [&w.student, &w.assistant, &w.owner, &w.admin] {
            let got = bare(&w).get_submission(who, sub.id).await.unwrap();
            assert_eq!(got, sub, "{:?}", who.role);
        }
        for who in [
            &w.classmate,
            &w.stranger,
            &w.other_assistant,
            &w.other_teacher,
        ] {
            let err = bare(&w).get_submission(who, sub.id).await.unwrap_err();
            assert!(
                matches!(err, HomeworkReadError::SubmissionNotFound),
                "{:?}",
                who.role
            );
        }
    }

    #[tokio::test]
    async fn grade_history_follows_submission_visibility() {
        let (w, _, sub) = grading_world();
        let entry = GradeAuditEntry {
            id: AuditId::new(),
            submission_id: sub.id,
            actor_id: w.owner.user_id,
            at: t0(),
            action: AuditAction::Returned,
            feedback: RichText::sanitize("<p>ещё</p>"),
        };
        for who in [&w.student, &w.assistant, &w.admin] {
            let mut m = Mocks::new();
            let e2 = entry.clone();
            m.hw.expect_grade_audit()
                .with(eq(sub.id))
                .returning(move |_| Ok(vec![e2.clone()]));
            let history = m.build(&w).grade_history(who, sub.id).await.unwrap();
            assert_eq!(history, vec![entry.clone()]);
        }
        for who in [&w.classmate, &w.other_assistant, &w.other_teacher] {
            let err = bare(&w).grade_history(who, sub.id).await.unwrap_err();
            assert!(matches!(err, HomeworkReadError::SubmissionNotFound));
        }
    }

    #[tokio::test]
    async fn my_submission_needs_a_visible_assignment() {
        let (mut w, a, sub) = grading_world();
        let s = w.student.user_id;
        let mut m = Mocks::new();
        let sub2 = sub.clone();
        m.hw.expect_find_submission()
            .with(eq(a.id), eq(s))
            .returning(move |_, _| Ok(Some(sub2.clone())));
        assert_eq!(
            m.build(&w).my_submission(&w.student, a.id).await.unwrap(),
            Some(sub)
        );
        let mut draft = w.assignment();
        draft.published = false;
        let draft = w.add(draft);
        for (who, id) in [(&w.student, draft.id), (&w.stranger, a.id)] {
            let err = bare(&w).my_submission(who, id).await.unwrap_err();
            assert!(matches!(err, HomeworkReadError::AssignmentNotFound));
        }
    }

    #[tokio::test]
    async fn every_submission_is_listed_for_staff_only() {
        let (w, a, sub) = grading_world();
        let page = Page::new(10, 20);
        let mut m = Mocks::new();
        let sub2 = sub.clone();
        m.hw.expect_list_submissions()
            .with(eq(a.id), eq(page))
            .times(1)
            .returning(move |_, _| Ok(vec![sub2.clone()]));
        let list = m
            .build(&w)
            .list_submissions(&w.assistant, a.id, page)
            .await
            .unwrap();
        assert_eq!(list, vec![sub]);
        for (who, code) in [
            (&w.student, "forbidden"),
            (&w.stranger, "assignment_not_found"),
            (&w.other_assistant, "assignment_not_found"),
            (&w.other_teacher, "assignment_not_found"),
        ] {
            let err = bare(&w)
                .list_submissions(who, a.id, page)
                .await
                .unwrap_err();
            assert_eq!(err.code(), code, "{:?}", who.role);
        }
    }

    // --- grading_queue -----------------------------------------------------

    fn other_course(owner: UserId) -> Course {
        Course {
            id: CourseId::new(),
            title: Title::parse("Физика").unwrap(),
            description: RichText::default(),
            owner_id: owner,
            status: CourseStatus::Published,
            invite_code: None,
            created_at: t0(),
        }
    }

    fn pending(course: CourseId) -> PendingSubmission {
        let a = AssignmentId::new();
        PendingSubmission {
            submission: submission(a, UserId::new(), SubmissionState::Submitted, t0(), false),
            assignment_id: a,
            course_id: course,
        }
    }

    #[tokio::test]
    async fn the_queue_covers_courses_the_actor_checks() {
        let w = World::new(CourseStatus::Published);
        let owned = other_course(w.other_teacher.user_id);
        let assisted = other_course(UserId::new());
        let studied = other_course(UserId::new());
        let memberships = vec![
            CourseMembership {
                course: owned.clone(),
                role: CourseRole::Owner,
            },
            CourseMembership {
                course: assisted.clone(),
                role: CourseRole::Assistant,
            },
            CourseMembership {
                course: studied.clone(),
                role: CourseRole::Student,
            },
        ];
        let page = Page::new(5, 0);
        let queue = vec![pending(owned.id)];
        let (o, a) = (owned.id, assisted.id);
        // A teacher checks what they own and assist in; the same user
        // demoted to assistant keeps only what an assistant may check.
        let teacher = w.other_teacher;
        let demoted = Actor {
            role: Role::Assistant,
            ..teacher
        };
        for (who, expected) in [(teacher, vec![o, a]), (demoted, vec![a])] {
            let mut m = Mocks::new();
            let ms = memberships.clone();
            m.courses
                .expect_list_member_courses()
                .with(eq(teacher.user_id), eq(Page::new(Page::MAX_LIMIT, 0)))
                .times(1)
                .returning(move |_, _| Ok(ms.clone()));
            let q2 = queue.clone();
            m.hw.expect_pending_submissions()
                .withf(move |courses, p| courses == expected.as_slice() && *p == page)
                .times(1)
                .returning(move |_, _| Ok(q2.clone()));
            let got = m.build(&w).grading_queue(&who, None, page).await.unwrap();
            assert_eq!(got, queue, "{:?}", who.role);
        }

        // Demoted to student, the same memberships check nothing: an empty
        // queue without asking storage.
        let mut m = Mocks::new();
        let ms = memberships.clone();
        m.courses
            .expect_list_member_courses()
            .returning(move |_, _| Ok(ms.clone()));
        let student_now = Actor {
            role: Role::Student,
            ..teacher
        };
        let got = m
            .build(&w)
            .grading_queue(&student_now, None, page)
            .await
            .unwrap();
        assert!(got.is_empty());

        // A student checks nothing: an empty queue without asking storage.
        let mut m = Mocks::new();
        let only_student = vec![CourseMembership {
            course: studied,
            role: CourseRole::Student,
        }];
        m.courses
            .expect_list_member_courses()
            .returning(move |_, _| Ok(only_student.clone()));
        let got = m
            .build(&w)
            .grading_queue(&w.student, None, page)
            .await
            .unwrap();
        assert!(got.is_empty());
    }

    #[tokio::test]
    async fn the_admin_queue_pages_through_every_course() {
        let w = World::new(CourseStatus::Published);
        let courses: Vec<Course> = (0..201).map(|_| other_course(UserId::new())).collect();
        let ids: Vec<CourseId> = courses.iter().map(|c| c.id).collect();
        let mut m = Mocks::new();
        let c2 = courses.clone();
        m.courses
            .expect_list_all_courses()
            .times(2)
            .returning(move |p| Ok(p.slice(&c2)));
        let q = vec![pending(ids[200])];
        let q2 = q.clone();
        m.hw.expect_pending_submissions()
            .withf(move |c, _| c == ids.as_slice())
            .times(1)
            .returning(move |_, _| Ok(q2.clone()));
        let got = m
            .build(&w)
            .grading_queue(&w.admin, None, Page::first())
            .await
            .unwrap();
        assert_eq!(got, q);
    }

    #[tokio::test]
    async fn the_queue_of_one_course_is_for_its_staff() {
        let w = World::new(CourseStatus::Published);
        let page = Page::first();
        for who in [&w.assistant, &w.owner, &w.admin] {
            let mut m = Mocks::new();
            let course = w.course.id;
            let q = vec![pending(course)];
            let q2 = q.clone();
            m.hw.expect_pending_submissions()
                .withf(move |c, _| c == [course])
                .times(1)
                .returning(move |_, _| Ok(q2.clone()));
            let got = m
                .build(&w)
                .grading_queue(who, Some(course), page)
                .await
                .unwrap();
            assert_eq!(got, q);
        }
        for (who, code) in [
            (&w.student, "forbidden"),
            (&w.stranger, "course_not_found"),
            (&w.other_assistant, "course_not_found"),
            (&w.other_teacher, "course_not_found"),
        ] {
            let err = bare(&w)
                .grading_queue(who, Some(w.course.id), page)
                .await
                .unwrap_err();
            assert_eq!(err.code(), code, "{:?}", who.role);
        }
    }

    // --- pure helpers ------------------------------------------------------

    #[test]
    fn progress_counts_graded_assignments_and_finished_quizzes() {
        let w = World::new(CourseStatus::Published);
        let s = w.student.user_id;
        let (a, b) = (w.assignment(), w.assignment());
        let q = quiz(&w);
        let mut data = course_data(
            &w,
            vec![a.clone(), b.clone()],
            vec![
                submission(a.id, s, SubmissionState::Graded, t0(), false),
                submission(b.id, s, SubmissionState::Submitted, t0(), false),
            ],
        );
        data.lessons_viewed = 1;
        data.quizzes = vec![q.clone()];
        data.attempts = vec![
            attempt(q.id, s, AttemptState::Open),
            attempt(q.id, s, AttemptState::Submitted),
        ];
        assert_eq!(
            CourseProgress::of_student(&data, None, None),
            CourseProgress {
                lessons_total: 2,
                lessons_viewed: 1,
                assignments_total: 2,
                assignments_done: 1,
                quizzes_total: 1,
                quizzes_done: 1,
            }
        );
        assert_eq!(
            CourseProgress::of_student(&data, Some(b.id), None).assignments_done,
            2
        );
        assert_eq!(
            CourseProgress::of_student(&data, Some(a.id), None).assignments_done,
            1,
            "already graded counts once"
        );
        assert_eq!(
            CourseProgress::of_student(&data, Some(AssignmentId::new()), None).assignments_done,
            1,
            "an assignment not in the course data does not count"
        );
    }

    #[test]
    fn error_classes_and_codes() {
        assert_eq!(HandInError::PastCutOff.class(), ErrorClass::Conflict);
        assert_eq!(HandInError::NotFound.class(), ErrorClass::NotFound);
        assert_eq!(
            HandInError::Storage(StorageError::Transient("x".into())).class(),
            ErrorClass::Unavailable
        );
        assert_eq!(
            ReviewError::from(StorageError::NotFound).code(),
            "submission_not_found"
        );
        assert_eq!(
            ReviewError::from(StorageError::Permanent("x".into())).class(),
            ErrorClass::Internal
        );
        assert_eq!(AssignmentError::Forbidden.class(), ErrorClass::Forbidden);
        assert_eq!(
            ExtensionError::StudentNotEnrolled.class(),
            ErrorClass::Invalid
        );
    }

    proptest! {
        /// Handing in one assignment after another, each badge is earned at
        /// most once, the first homework by the very first hand-in, and the
        /// streak exactly when five on-time first hand-ins in a row exist.
        #[test]
        fn hand_in_badges_are_earned_once_at_the_right_moment(
            lateness in proptest::collection::vec(any::<bool>(), 1..14),
        ) {
            let w = World::new(CourseStatus::Published);
            let s = w.student.user_id;
            let mut history: Vec<Submission> = Vec::new();
            let mut earned: Vec<(usize, Badge)> = Vec::new();
            let mut run = 0usize;
            let mut streak_at = None;
            for (i, late) in lateness.iter().copied().enumerate() {
                let a = w.assignment();
                let at = t0() + Duration::hours(i64::try_from(i).unwrap());
                let id = SubmissionId::new();
                let v = version(id, 1, at, late);
                let state = if late { SubmissionState::SubmittedLate } else { SubmissionState::Submitted };
                for b in hand_in_badges(&history, s, &a, &v, state) {
                    earned.push((i, b));
                }
                run = if late { 0 } else { run + 1 };
                if run == 5 && streak_at.is_none() {
                    streak_at = Some(i);
                }
                history.push(submission(a.id, s, state, at, late));
            }
            let mut expected = vec![(0, Badge::FirstHomework)];
            if let Some(i) = streak_at {
                expected.push((i, Badge::OnTimeStreak5));
            }
            prop_assert_eq!(earned, expected);
        }

        /// A resubmission (second version) never earns a hand-in badge.
        #[test]
        fn resubmissions_earn_nothing(on_time in 0usize..8, late in any::<bool>()) {
            let w = World::new(CourseStatus::Published);
            let s = w.student.user_id;
            let history: Vec<Submission> = (0..on_time)
                .map(|d| submission(AssignmentId::new(), s, SubmissionState::Graded,
                    t0() - Duration::days(i64::try_from(d).unwrap() + 1), false))
                .collect();
            let mut history = history;
            let a = w.assignment();
            let first = submission(a.id, s, SubmissionState::ReturnedForRework, t0() - Duration::hours(1), true);
            history.push(first.clone());
            let v = version(first.id, 2, t0(), late);
            prop_assert!(hand_in_badges(&history, s, &a, &v, SubmissionState::Submitted).is_empty());
        }
    }
}
