//! Badges and awarded achievements.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CourseId, UserId};

/// A badge a student can earn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Badge {
    /// Handed in the first homework.
    FirstHomework,
    /// Five homework hand-ins in a row on time. Named `on_time_streak_5` on
    /// the wire, as in storage (read models on PostgreSQL build their JSON
    /// from the stored name); `on_time_streak5` is still read.
    #[serde(rename = "on_time_streak_5", alias = "on_time_streak5")]
    OnTimeStreak5,
    /// Full marks in a quiz.
    PerfectQuiz,
    /// Completed every lesson, assignment and quiz of a course.
    CourseCompleted,
}

impl Badge {
    /// Every badge.
    pub const ALL: [Badge; 4] = [
        Self::FirstHomework,
        Self::OnTimeStreak5,
        Self::PerfectQuiz,
        Self::CourseCompleted,
    ];

    /// Stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstHomework => "first_homework",
            Self::OnTimeStreak5 => "on_time_streak_5",
            Self::PerfectQuiz => "perfect_quiz",
            Self::CourseCompleted => "course_completed",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// Whether the badge is earned once per course (else once per student).
    #[must_use]
    pub fn is_per_course(self) -> bool {
        matches!(self, Self::CourseCompleted)
    }
}

/// A badge awarded to a student. Unique per (student, badge, course scope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Achievement {
    /// The student.
    pub user_id: UserId,
    /// The badge.
    pub badge: Badge,
    /// The course for per-course badges, `None` otherwise.
    pub course_id: Option<CourseId>,
    /// When.
    pub awarded_at: DateTime<Utc>,
}

impl Achievement {
    /// An award of `badge` in `course` (ignored for badges that are not per course).
    #[must_use]
    pub fn new(user_id: UserId, badge: Badge, course_id: CourseId, at: DateTime<Utc>) -> Self {
        Self {
            user_id,
            badge,
            course_id: badge.is_per_course().then_some(course_id),
            awarded_at: at,
        }
    }

    /// The event key of this award's "badge awarded" message: one per badge
    /// (and course, for per-course badges); the recipient is part of the
    /// de-dup key. Services share it, so a badge earned along two paths is
    /// announced once.
    #[must_use]
    pub fn event_key(&self) -> String {
        match self.course_id {
            Some(course) => format!("achievement:{}:{course}", self.badge.as_str()),
            None => format!("achievement:{}", self.badge.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_name_of_every_badge_is_its_stored_name() {
        for badge in Badge::ALL {
            let json = serde_json::to_value(badge).unwrap();
            assert_eq!(json, badge.as_str(), "{badge:?}");
            let back: Badge = serde_json::from_value(json).unwrap();
            assert_eq!(back, badge);
        }
        let old: Badge = serde_json::from_str("\"on_time_streak5\"").unwrap();
        assert_eq!(
            old,
            Badge::OnTimeStreak5,
            "the earlier wire name is still read"
        );
    }
}
