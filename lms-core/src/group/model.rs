//! Groups, their names, moves between them and a mentor's scope.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::course::InviteCode;
use crate::ids::{CourseId, GroupId, UserId};

/// Why a group field is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum GroupFieldError {
    /// The name is empty, too long or holds control characters.
    #[error("name: 1 to 100 characters, no control characters")]
    Name,
}

/// A group's name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "Поток 1, группа А"))]
pub struct GroupName(String);

impl GroupName {
    /// The longest name, in characters.
    pub const MAX_CHARS: usize = 100;

    /// Validates a name.
    pub fn parse(s: &str) -> Result<Self, GroupFieldError> {
        let t = s.trim();
        let n = t.chars().count();
        if n == 0 || n > Self::MAX_CHARS || t.chars().any(char::is_control) {
            return Err(GroupFieldError::Name);
        }
        Ok(Self(t.to_owned()))
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for GroupName {
    type Error = GroupFieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<GroupName> for String {
    fn from(n: GroupName) -> Self {
        n.0
    }
}

/// A group of one course's students.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    /// Id.
    pub id: GroupId,
    /// The course.
    pub course_id: CourseId,
    /// Name shown to staff and to the group's students.
    pub name: GroupName,
    /// The code that enrols a student straight into this group; `None`
    /// when joining by the group's code is off. Shared with staff only.
    pub invite_code: Option<InviteCode>,
    /// Its mentors: assistants of the course, in the order assigned.
    pub mentors: Vec<UserId>,
    /// When it was archived: an archived group keeps its students and
    /// mentors but takes no new ones, and its code no longer works.
    pub archived_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// One move of a student between groups of a course (a join by a group's
/// code is a move from no group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupMove {
    /// The course.
    pub course_id: CourseId,
    /// The student.
    pub student_id: UserId,
    /// The group they were in; `None`: none.
    pub from_group: Option<GroupId>,
    /// The group they are in now; `None`: none.
    pub to_group: Option<GroupId>,
    /// Who moved them (the student themselves when joining by code).
    pub moved_by: UserId,
    /// When.
    pub moved_at: DateTime<Utc>,
}

/// An enrolled student of a course with their group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupMember {
    /// The student.
    pub student_id: UserId,
    /// Their group in the course; `None`: none.
    pub group_id: Option<GroupId>,
}

/// Which students of a course a member of its staff sees and grades.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MentorScope {
    /// Every student: the owner, admins, and assistants of a course that
    /// has no groups.
    Course,
    /// Only the students of these groups: an assistant of a course that
    /// has groups sees the groups they mentor (possibly none).
    Groups(Vec<GroupId>),
}

impl MentorScope {
    /// Whether a student in `group` (`None`: in no group) is in scope.
    #[must_use]
    pub fn covers(&self, group: Option<GroupId>) -> bool {
        match self {
            Self::Course => true,
            Self::Groups(groups) => group.is_some_and(|g| groups.contains(&g)),
        }
    }

    /// Whether this scope sees every student.
    #[must_use]
    pub fn is_whole_course(&self) -> bool {
        matches!(self, Self::Course)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            GroupName::parse("  Группа А ").unwrap().as_str(),
            "Группа А"
        );
        assert!(GroupName::parse("   ").is_err());
        assert!(GroupName::parse("a\u{7}b").is_err());
        assert!(GroupName::parse(&"я".repeat(100)).is_ok());
        assert!(GroupName::parse(&"я".repeat(101)).is_err());
    }

    #[test]
    fn a_mentor_scope_covers_only_its_groups() {
        let (a, b) = (GroupId::new(), GroupId::new());
        let scope = MentorScope::Groups(vec![a]);
        assert!(scope.covers(Some(a)));
        assert!(!scope.covers(Some(b)));
        assert!(!scope.covers(None), "an ungrouped student is the owner's");
        assert!(MentorScope::Course.covers(None));
        assert!(!MentorScope::Groups(Vec::new()).covers(Some(a)));
    }
}
