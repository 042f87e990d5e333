//! Groups of a course: creating, renaming, archiving, mentors, codes and
//! moving students between them (with history).

use super::*;
use crate::course::CourseAccess;
use crate::group::{Group, GroupMember, GroupMove, GroupName};
use crate::ids::GroupId;

/// Most mentors one group has.
pub const MAX_GROUP_MENTORS: usize = 20;
/// Most groups one course has (archived ones count).
pub const MAX_GROUPS_PER_COURSE: usize = 200;

/// A new group.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGroup {
    /// Its name.
    pub name: GroupName,
    /// Its mentors: assistants of the course, each once.
    pub mentor_ids: Vec<UserId>,
}

/// Changes to a group; `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupUpdate {
    /// A new name.
    pub name: Option<GroupName>,
    /// The new list of mentors (replaces the old one).
    pub mentor_ids: Option<Vec<UserId>>,
    /// Archive (`true`) or bring back (`false`).
    pub archived: Option<bool>,
}

impl CourseService {
    /// The course's standing for the actor, or `CourseNotFound`.
    async fn group_access(&self, actor: &Actor, id: CourseId) -> Result<CourseAccess, GroupError> {
        let access = CourseAccess::load(&*self.courses, &*self.groups, actor, id)
            .await?
            .ok_or(GroupError::CourseNotFound)?;
        if !access.can_view() {
            return Err(GroupError::CourseNotFound);
        }
        Ok(access)
    }

    /// The course, if the actor manages it and it is not archived.
    async fn groups_managed(
        &self,
        actor: &Actor,
        id: CourseId,
    ) -> Result<CourseAccess, GroupError> {
        let access = self.group_access(actor, id).await?;
        if !access.can_manage() {
            return Err(access.refusal().into());
        }
        if access.course().status == CourseStatus::Archived {
            return Err(GroupError::CourseArchived);
        }
        Ok(access)
    }

    /// A group of a course the actor manages.
    async fn managed_group(&self, actor: &Actor, id: GroupId) -> Result<Group, GroupError> {
        let group = self
            .groups
            .get_group(id)
            .await?
            .ok_or(GroupError::GroupNotFound)?;
        match self.groups_managed(actor, group.course_id).await {
            Ok(_) => Ok(group),
            Err(GroupError::CourseNotFound) => Err(GroupError::GroupNotFound),
            Err(e) => Err(e),
        }
    }

    /// Checks that every mentor is an assistant of the course, each once.
    async fn check_mentors(&self, course: CourseId, mentors: &[UserId]) -> Result<(), GroupError> {
        if mentors.len() > MAX_GROUP_MENTORS {
            return Err(GroupError::TooManyMentors {
                max: MAX_GROUP_MENTORS,
            });
        }
        if mentors.is_empty() {
            return Ok(());
        }
        let assistants = self.courses.list_assistants(course).await?;
        let unique: std::collections::HashSet<_> = mentors.iter().collect();
        if unique.len() != mentors.len() || mentors.iter().any(|m| !assistants.contains(m)) {
            return Err(GroupError::InvalidMentor);
        }
        Ok(())
    }

    /// The groups of a course, oldest first, for its staff. Only the owner
    /// and admins see every group's code; a mentor sees their groups'.
    pub async fn list_groups(
        &self,
        actor: &Actor,
        course: CourseId,
    ) -> Result<Vec<Group>, GroupError> {
        let access = self.group_access(actor, course).await?;
        if !access.can_grade() {
            return Err(GroupError::Forbidden);
        }
        let mut groups = self.groups.list_groups(course).await?;
        if !access.can_manage() {
            for g in &mut groups {
                if !g.mentors.contains(&actor.user_id) {
                    g.invite_code = None;
                }
            }
        }
        Ok(groups)
    }

    /// Creates a group with a fresh invite code (owner and admins).
    pub async fn create_group(
        &self,
        actor: &Actor,
        course: CourseId,
        new: NewGroup,
    ) -> Result<Group, GroupError> {
        self.groups_managed(actor, course).await?;
        self.check_mentors(course, &new.mentor_ids).await?;
        if self.groups.list_groups(course).await?.len() >= MAX_GROUPS_PER_COURSE {
            return Err(GroupError::Forbidden);
        }
        let mut group = Group {
            id: GroupId::new(),
            course_id: course,
            name: new.name,
            invite_code: Some(InviteCode::generate()),
            mentors: new.mentor_ids,
            archived_at: None,
            created_at: self.clock.now(),
        };
        let mut retried = false;
        loop {
            match self.groups.insert_group(&group).await {
                Ok(()) => return Ok(group),
                Err(StorageError::Conflict(Conflict::InviteCode)) if !retried => {
                    retried = true;
                    group.invite_code = Some(InviteCode::generate());
                }
                Err(e) => return Err(not_found_as(e, GroupError::CourseNotFound)),
            }
        }
    }

    /// Renames, re-staffs, archives or brings back a group (owner and admins).
    pub async fn update_group(
        &self,
        actor: &Actor,
        id: GroupId,
        update: GroupUpdate,
    ) -> Result<Group, GroupError> {
        let mut group = self.managed_group(actor, id).await?;
        if let Some(mentors) = update.mentor_ids {
            self.check_mentors(group.course_id, &mentors).await?;
            group.mentors = mentors;
        }
        if let Some(name) = update.name {
            group.name = name;
        }
        match update.archived {
            Some(true) if group.archived_at.is_none() => group.archived_at = Some(self.clock.now()),
            Some(false) => group.archived_at = None,
            _ => {}
        }
        self.groups
            .update_group(&group)
            .await
            .map_err(|e| not_found_as(e, GroupError::GroupNotFound))?;
        Ok(group)
    }

    /// Gives a group a fresh code (the old one stops working).
    pub async fn rotate_group_code(&self, actor: &Actor, id: GroupId) -> Result<Group, GroupError> {
        let mut group = self.managed_group(actor, id).await?;
        let mut retried = false;
        loop {
            group.invite_code = Some(InviteCode::generate());
            match self.groups.update_group(&group).await {
                Ok(()) => return Ok(group),
                Err(StorageError::Conflict(Conflict::InviteCode)) if !retried => retried = true,
                Err(e) => return Err(not_found_as(e, GroupError::GroupNotFound)),
            }
        }
    }

    /// The course's enrolled students with their groups, as the actor sees
    /// them: every student for the owner and admins, a mentor's groups' for
    /// a mentor.
    pub async fn group_members(
        &self,
        actor: &Actor,
        course: CourseId,
    ) -> Result<Vec<GroupMember>, GroupError> {
        let access = self.group_access(actor, course).await?;
        if !access.can_grade() {
            return Err(GroupError::Forbidden);
        }
        let mut members = self.groups.group_members(course).await?;
        members.retain(|m| access.covers(m.group_id));
        Ok(members)
    }

    /// Moves an enrolled student to `to` (`None`: out of every group) and
    /// records the move (owner and admins). Moving to the group they are
    /// in changes nothing.
    pub async fn move_student(
        &self,
        actor: &Actor,
        course: CourseId,
        student: UserId,
        to: Option<GroupId>,
    ) -> Result<GroupMember, GroupError> {
        self.groups_managed(actor, course).await?;
        if let Some(to) = to {
            let group = self
                .groups
                .get_group(to)
                .await?
                .filter(|g| g.course_id == course)
                .ok_or(GroupError::GroupNotFound)?;
            if group.archived_at.is_some() {
                return Err(GroupError::GroupArchived);
            }
        }
        if self.courses.membership(course, student).await? != Some(CourseRole::Student) {
            return Err(GroupError::StudentNotEnrolled);
        }
        let from = self.groups.student_group(course, student).await?;
        let member = GroupMember {
            student_id: student,
            group_id: to,
        };
        if from == to {
            return Ok(member);
        }
        let entry = GroupMove {
            course_id: course,
            student_id: student,
            from_group: from,
            to_group: to,
            moved_by: actor.user_id,
            moved_at: self.clock.now(),
        };
        match self.groups.move_student(&entry).await {
            Ok(()) => Ok(member),
            Err(StorageError::NotFound) => Err(GroupError::StudentNotEnrolled),
            Err(StorageError::Conflict(Conflict::Stale)) => Err(GroupError::Stale),
            Err(e) => Err(e.into()),
        }
    }

    /// A student's moves between the course's groups, oldest first, for
    /// the staff who grade them.
    pub async fn group_history(
        &self,
        actor: &Actor,
        course: CourseId,
        student: UserId,
    ) -> Result<Vec<GroupMove>, GroupError> {
        let access = self.group_access(actor, course).await?;
        if !access.can_grade() {
            return Err(GroupError::Forbidden);
        }
        if !access.grades(&*self.groups, student).await? {
            return Err(GroupError::StudentNotEnrolled);
        }
        Ok(self.groups.group_history(course, student).await?)
    }

    /// Takes a former assistant off the mentor lists of the course's groups.
    pub(super) async fn drop_mentor(&self, course: CourseId, user: UserId) -> StorageResult<()> {
        for mut group in self.groups.list_groups(course).await? {
            if group.mentors.contains(&user) {
                group.mentors.retain(|m| *m != user);
                match self.groups.update_group(&group).await {
                    // A group gone meanwhile has no mentors to fix.
                    Ok(()) | Err(StorageError::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// The group a code belongs to, when it enrols into a published course
    /// (the code is current and the group not archived).
    pub(super) async fn group_for_code(
        &self,
        code: &InviteCode,
    ) -> Result<Option<(Group, Course)>, StorageError> {
        let Some(group) = self.groups.find_group_by_invite_code(code).await? else {
            return Ok(None);
        };
        if group.archived_at.is_some() || group.invite_code.as_ref() != Some(code) {
            return Ok(None);
        }
        let Some(course) = self.courses.get_course(group.course_id).await? else {
            return Ok(None);
        };
        Ok((course.status == CourseStatus::Published).then_some((group, course)))
    }
}
