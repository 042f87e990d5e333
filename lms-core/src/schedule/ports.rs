//! Storage port of the schedule (a read model).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::course::{Course, Lesson};
use crate::error::StorageResult;
use crate::homework::{Assignment, Extension};
use crate::ids::UserId;
use crate::quiz::Quiz;
use crate::webinar::Webinar;

/// Everything a user's schedule is derived from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleSources {
    /// Courses the user is a member of (for students: published or archived only).
    pub courses: Vec<Course>,
    /// Lessons of those courses (for students: published only; bodies may
    /// be left empty by adapters).
    pub lessons: Vec<Lesson>,
    /// Assignments of those courses (for students: published only).
    pub assignments: Vec<Assignment>,
    /// The user's own extensions.
    pub extensions: Vec<Extension>,
    /// Quizzes of those courses (for students: published only).
    pub quizzes: Vec<Quiz>,
    /// Webinars of those courses, cancelled excluded.
    pub webinars: Vec<Webinar>,
}

/// Reads what schedules are built from.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// The schedule sources of one user.
    async fn schedule_sources(&self, user: UserId) -> StorageResult<ScheduleSources>;
}
