//! Schedule events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AssignmentId, CourseId, LessonId, QuizId, WebinarId};

/// What a schedule event is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventSource {
    /// A lesson becomes available.
    Lesson {
        /// The lesson.
        lesson_id: LessonId,
    },
    /// A homework due date (the user's own, extensions applied).
    Deadline {
        /// The assignment.
        assignment_id: AssignmentId,
    },
    /// A quiz's availability window.
    QuizWindow {
        /// The quiz.
        quiz_id: QuizId,
    },
    /// A webinar.
    Webinar {
        /// The webinar.
        webinar_id: WebinarId,
        /// Link to join.
        join_url: String,
        /// Host link, for staff.
        host_url: Option<String>,
    },
}

/// One event in a user's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleEvent {
    /// Stable across calls and edits (for calendar clients): kind + object id.
    pub uid: String,
    /// The course.
    pub course_id: CourseId,
    /// Course title.
    pub course_title: String,
    /// Event title.
    pub title: String,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC); equal to the start for instants such as deadlines.
    pub ends_at: DateTime<Utc>,
    /// What it is.
    pub source: EventSource,
}
