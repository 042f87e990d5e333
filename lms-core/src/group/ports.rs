//! Storage port of groups.

use async_trait::async_trait;

use crate::course::{Enrollment, InviteCode};
use crate::error::StorageResult;
use crate::group::model::{Group, GroupMember, GroupMove, MentorScope};
use crate::ids::{CourseId, GroupId, UserId};

/// Groups of courses, their mentors and the students' places in them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Inserts a group with its mentors. `Conflict(InviteCode)` if its
    /// code is another group's.
    async fn insert_group(&self, group: &Group) -> StorageResult<()>;
    /// Replaces a group's name, code, archive mark and mentors (not its
    /// course). `NotFound`, `Conflict(InviteCode)`.
    async fn update_group(&self, group: &Group) -> StorageResult<()>;
    /// One group with its mentors.
    async fn get_group(&self, id: GroupId) -> StorageResult<Option<Group>>;
    /// The groups of a course (archived ones too), oldest first.
    async fn list_groups(&self, course: CourseId) -> StorageResult<Vec<Group>>;
    /// The group whose current code this is.
    async fn find_group_by_invite_code(&self, code: &InviteCode) -> StorageResult<Option<Group>>;
    /// Every enrolled student of a course with their group, in enrolment order.
    async fn group_members(&self, course: CourseId) -> StorageResult<Vec<GroupMember>>;
    /// The student's group in the course (`None`: none, or not enrolled).
    async fn student_group(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Option<GroupId>>;
    /// Which students of the course this user sees as an assistant:
    /// [`MentorScope::Course`] when the course has no groups, else the
    /// groups they mentor. The caller decides who is an assistant.
    async fn mentor_scope(&self, course: CourseId, user: UserId) -> StorageResult<MentorScope>;
    /// Moves an enrolled student to `to_group` and records the move, in one
    /// transaction. `NotFound` if the student is not enrolled;
    /// `Conflict(Stale)` if their group is no longer `from_group`.
    async fn move_student(&self, entry: &GroupMove) -> StorageResult<()>;
    /// Enrols a student straight into a group and records the move from no
    /// group, in one transaction. `Conflict(Enrollment)` if already enrolled.
    async fn enroll_in_group(
        &self,
        enrollment: &Enrollment,
        entry: &GroupMove,
    ) -> StorageResult<()>;
    /// The groups a member of staff watches: those they mentor and every
    /// group of the courses they own; groups not archived, of courses not
    /// archived, in no particular order (the caller sorts).
    async fn staff_groups(&self, user: UserId) -> StorageResult<Vec<Group>>;
    /// The student's moves in the course, oldest first.
    async fn group_history(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Vec<GroupMove>>;
}

/// A mocked [`GroupStore`] of a world without groups: every staff member
/// sees the whole course and no student is in a group (for service tests
/// that are not about groups).
#[cfg(any(test, feature = "mocks"))]
#[must_use]
pub fn no_groups() -> MockGroupStore {
    let mut groups = MockGroupStore::new();
    groups
        .expect_mentor_scope()
        .returning(|_, _| Ok(MentorScope::Course));
    groups.expect_student_group().returning(|_, _| Ok(None));
    groups
        .expect_find_group_by_invite_code()
        .returning(|_| Ok(None));
    groups.expect_list_groups().returning(|_| Ok(Vec::new()));
    groups
}
