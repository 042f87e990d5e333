//! [`GroupStore`] in memory.

use super::*;
use crate::group::{Group, GroupMember, GroupMove, GroupStore, MentorScope};
use crate::ids::GroupId;

impl State {
    fn group_code_taken(&self, group: &Group) -> bool {
        group.invite_code.as_ref().is_some_and(|code| {
            self.groups
                .values()
                .any(|g| g.value.id != group.id && g.value.invite_code.as_ref() == Some(code))
        })
    }
}

#[async_trait]
impl GroupStore for MemoryStorage {
    async fn insert_group(&self, group: &Group) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&group.course_id) {
            return Err(StorageError::NotFound);
        }
        if st.groups.contains_key(&group.id) {
            return conflict(Conflict::Other);
        }
        if st.group_code_taken(group) {
            return conflict(Conflict::InviteCode);
        }
        let seq = st.next_seq();
        st.groups.insert(
            group.id,
            Row {
                value: group.clone(),
                seq,
            },
        );
        Ok(())
    }

    async fn update_group(&self, group: &Group) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.groups.contains_key(&group.id) {
            return Err(StorageError::NotFound);
        }
        if st.group_code_taken(group) {
            return conflict(Conflict::InviteCode);
        }
        let row = st.groups.get_mut(&group.id).ok_or(StorageError::NotFound)?;
        let course_id = row.value.course_id;
        row.value = Group {
            course_id,
            created_at: row.value.created_at,
            ..group.clone()
        };
        Ok(())
    }

    async fn get_group(&self, id: GroupId) -> StorageResult<Option<Group>> {
        Ok(self.lock().groups.get(&id).map(|r| r.value.clone()))
    }

    async fn list_groups(&self, course: CourseId) -> StorageResult<Vec<Group>> {
        let st = self.lock();
        let rows = st
            .groups
            .values()
            .filter(|g| g.value.course_id == course)
            .collect();
        Ok(oldest_first(rows, |g| g.created_at))
    }

    async fn find_group_by_invite_code(
        &self,
        code: &crate::course::InviteCode,
    ) -> StorageResult<Option<Group>> {
        Ok(self
            .lock()
            .groups
            .values()
            .find(|g| g.value.invite_code.as_ref() == Some(code))
            .map(|g| g.value.clone()))
    }

    async fn group_members(&self, course: CourseId) -> StorageResult<Vec<GroupMember>> {
        let st = self.lock();
        Ok(st
            .enrolled_students(course)
            .into_iter()
            .map(|student_id| GroupMember {
                student_id,
                group_id: st.student_groups.get(&(course, student_id)).copied(),
            })
            .collect())
    }

    async fn student_group(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Option<GroupId>> {
        Ok(self.lock().student_groups.get(&(course, student)).copied())
    }

    async fn staff_groups(&self, user: UserId) -> StorageResult<Vec<Group>> {
        let st = self.lock();
        Ok(st
            .groups
            .values()
            .map(|g| &g.value)
            .filter(|g| g.archived_at.is_none())
            .filter(|g| {
                st.courses.get(&g.course_id).is_some_and(|c| {
                    c.value.status != crate::course::CourseStatus::Archived
                        && (c.value.owner_id == user || g.mentors.contains(&user))
                })
            })
            .cloned()
            .collect())
    }

    async fn mentor_scope(&self, course: CourseId, user: UserId) -> StorageResult<MentorScope> {
        Ok(self.lock().mentor_scope(course, user))
    }

    async fn move_student(&self, entry: &GroupMove) -> StorageResult<()> {
        let mut st = self.lock();
        let key = (entry.course_id, entry.student_id);
        if !st.is_enrolled(entry.course_id, entry.student_id) {
            return Err(StorageError::NotFound);
        }
        if st.student_groups.get(&key).copied() != entry.from_group {
            return conflict(Conflict::Stale);
        }
        if let Some(to) = entry.to_group
            && st
                .groups
                .get(&to)
                .is_none_or(|g| g.value.course_id != entry.course_id)
        {
            return Err(StorageError::NotFound);
        }
        match entry.to_group {
            Some(to) => st.student_groups.insert(key, to),
            None => st.student_groups.remove(&key),
        };
        st.group_moves.push(entry.clone());
        Ok(())
    }

    async fn enroll_in_group(
        &self,
        enrollment: &Enrollment,
        entry: &GroupMove,
    ) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&enrollment.course_id) {
            return Err(StorageError::NotFound);
        }
        if let Some(to) = entry.to_group
            && st
                .groups
                .get(&to)
                .is_none_or(|g| g.value.course_id != enrollment.course_id)
        {
            return Err(StorageError::NotFound);
        }
        if st.is_enrolled(enrollment.course_id, enrollment.student_id) {
            return conflict(Conflict::Enrollment);
        }
        let seq = st.next_seq();
        st.enrollments.push(Row {
            value: enrollment.clone(),
            seq,
        });
        if let Some(to) = entry.to_group {
            st.student_groups
                .insert((enrollment.course_id, enrollment.student_id), to);
        }
        st.group_moves.push(entry.clone());
        Ok(())
    }

    async fn group_history(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Vec<GroupMove>> {
        Ok(self
            .lock()
            .group_moves
            .iter()
            .filter(|m| m.course_id == course && m.student_id == student)
            .cloned()
            .collect())
    }
}
