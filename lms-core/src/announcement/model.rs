//! An announcement and who reads it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::course::Title;
use crate::ids::{AnnouncementId, CourseId, GroupId, UserId};
use crate::richtext::RichText;

/// A message of a course's staff to its students.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Announcement {
    /// Identifier.
    pub id: AnnouncementId,
    /// The course.
    pub course_id: CourseId,
    /// Who posted it.
    pub author_id: UserId,
    /// The author's display name (as stored with their account when read).
    pub author_name: String,
    /// Headline.
    pub title: Title,
    /// Text (sanitised rich text; may be empty).
    pub body: RichText,
    /// The groups it is for, sorted; empty: every student of the course.
    pub group_ids: Vec<GroupId>,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
}

impl Announcement {
    /// Whether it is for the whole course rather than some groups.
    #[must_use]
    pub fn is_for_everyone(&self) -> bool {
        self.group_ids.is_empty()
    }
}

/// Whose view of a course's announcements a list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Every announcement (the owner, admins).
    Everyone,
    /// A student: those for the whole course and for their current group.
    Student(UserId),
    /// An assistant: those for the whole course, for the groups they
    /// mentor, and their own.
    Mentor(UserId),
}
