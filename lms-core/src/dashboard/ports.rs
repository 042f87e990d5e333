//! Storage port of dashboards (a read model): one call gathers what a
//! dashboard is built from, so adapters can answer in few round trips.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::achievement::Achievement;
use crate::announcement::Announcement;
use crate::course::{Course, CourseRole};
use crate::error::StorageResult;
use crate::homework::{Assignment, Extension, PendingSubmission, Submission};
use crate::ids::{CourseId, QuizId, UserId};
use crate::quiz::{Attempt, Quiz};
use crate::score::Points;
use crate::webinar::Webinar;

/// One enrolled course in a student's snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StudentCourseData {
    /// The course (published or archived).
    pub course: Course,
    /// Lessons visible now.
    pub lessons_visible: u32,
    /// Of those, opened by the student.
    pub lessons_viewed: u32,
    /// Published assignments.
    pub assignments: Vec<Assignment>,
    /// The student's extensions in the course.
    pub extensions: Vec<Extension>,
    /// The student's submissions in the course.
    pub submissions: Vec<Submission>,
    /// Published quizzes.
    pub quizzes: Vec<Quiz>,
    /// The student's attempts in the course.
    pub attempts: Vec<Attempt>,
    /// The latest announcements of the course meant for the student
    /// (for the whole course or their current group), newest first, at
    /// most [`ANNOUNCEMENTS_PER_COURSE`].
    #[serde(default)]
    pub announcements: Vec<Announcement>,
    /// The student's latest activity in the course: the latest of their
    /// lesson views, hand-ins (`Submission::latest_at`) and attempt starts
    /// and finishes; `None` before any.
    #[serde(default)]
    pub last_activity: Option<DateTime<Utc>>,
}

/// How many announcements per course a student snapshot carries.
pub const ANNOUNCEMENTS_PER_COURSE: u32 = 3;

/// Where one enrolled student of a course stands, for the staff who watch
/// who falls behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StudentStanding {
    /// The student.
    pub student_id: UserId,
    /// Their display name.
    pub display_name: String,
    /// Published assignments already open whose due date (their extension
    /// applied) has passed without a hand-in.
    pub overdue: u32,
    /// As [`StudentCourseData::last_activity`].
    pub last_activity: Option<DateTime<Utc>>,
}

/// What a student's dashboard is built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StudentSnapshot {
    /// Enrolled courses that are published or archived.
    pub courses: Vec<StudentCourseData>,
    /// Scheduled webinars of those courses ending after `now`.
    pub webinars: Vec<Webinar>,
    /// The student's badges.
    pub achievements: Vec<Achievement>,
}

/// One course in a staff member's snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffCourseData {
    /// The course.
    pub course: Course,
    /// The viewer's role (owner or assistant; admins see owner).
    pub role: CourseRole,
    /// Enrolled students.
    pub student_count: u32,
    /// Assignments.
    pub assignments: Vec<Assignment>,
    /// Every submission in the course.
    pub submissions: Vec<Submission>,
    /// Quizzes.
    pub quizzes: Vec<Quiz>,
    /// Every finished attempt in the course.
    pub attempts: Vec<Attempt>,
    /// Each quiz's maximum score: the sum of its questions' points.
    pub quiz_max_scores: BTreeMap<QuizId, Points>,
}

impl StaffCourseData {
    /// The course as [`DashboardStore::gradebook_course`] gives it: every
    /// submission without its versions, every attempt without its question
    /// order, answers and per-question results (scores, states and dates
    /// kept). The gradebook needs who handed in what and the scores; the
    /// details are most of a course's data.
    #[must_use]
    pub fn without_details(mut self) -> Self {
        self.strip_details();
        self
    }

    /// The data of these students only (a mentor's share of the course):
    /// their submissions and attempts, and their number as the course's.
    pub fn keep_students(&mut self, students: &std::collections::HashSet<UserId>) {
        self.submissions
            .retain(|s| students.contains(&s.student_id));
        self.attempts.retain(|a| students.contains(&a.student_id));
        self.student_count = u32::try_from(students.len()).unwrap_or(u32::MAX);
    }

    fn strip_details(&mut self) {
        for s in &mut self.submissions {
            s.versions.clear();
        }
        for a in &mut self.attempts {
            a.question_order.clear();
            a.answers.clear();
            if let Some(result) = &mut a.result {
                result.per_question.clear();
            }
        }
    }
}

/// What a teacher's or assistant's dashboard is built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffSnapshot {
    /// Courses the user owns or assists in (not archived).
    pub courses: Vec<StaffCourseData>,
    /// The oldest submissions waiting for a grade (at most the requested number).
    pub queue: Vec<PendingSubmission>,
    /// Scheduled webinars of those courses ending after `now`.
    pub webinars: Vec<Webinar>,
    /// For each of those courses that has groups and where the user
    /// assists (does not own it): the students of the groups they mentor.
    /// The queue is already narrowed to them.
    #[serde(default)]
    pub mentor_scopes: Vec<MentoredStudents>,
}

/// The students one assistant mentors in one course with groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MentoredStudents {
    /// The course.
    pub course_id: CourseId,
    /// The students of the groups the assistant mentors there.
    pub students: Vec<UserId>,
}

/// Reads what dashboards are built from.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// A student's snapshot at `now`.
    async fn student_snapshot(
        &self,
        student: UserId,
        now: DateTime<Utc>,
    ) -> StorageResult<StudentSnapshot>;
    /// A staff member's snapshot at `now` with at most `queue_limit` queue entries.
    async fn staff_snapshot(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        queue_limit: u32,
    ) -> StorageResult<StaffSnapshot>;
    /// The snapshot of one course for staff (any course, for admins).
    async fn staff_course(
        &self,
        course: CourseId,
        role: CourseRole,
    ) -> StorageResult<Option<StaffCourseData>>;
    /// One course for its gradebook: as [`Self::staff_course`] without the
    /// details ([`StaffCourseData::without_details`]: no submission
    /// versions, no attempt answers). The gradebook needs who handed in
    /// what and the scores; the versions alone are 400 KB for a
    /// 300-student course.
    async fn gradebook_course(
        &self,
        course: CourseId,
        role: CourseRole,
    ) -> StorageResult<Option<StaffCourseData>>;
    /// One enrolled student's data in one course, as a course of
    /// [`StudentSnapshot`] (draft courses too, unpublished items left
    /// out as there): for the course's staff. `None` if the course is gone
    /// or the student is not enrolled in it.
    async fn student_course(
        &self,
        course: CourseId,
        student: UserId,
        now: DateTime<Utc>,
    ) -> StorageResult<Option<StudentCourseData>>;
    /// Where every enrolled student of the course stands at `now`, in
    /// enrolment order.
    async fn course_standings(
        &self,
        course: CourseId,
        now: DateTime<Utc>,
    ) -> StorageResult<Vec<StudentStanding>>;
}
