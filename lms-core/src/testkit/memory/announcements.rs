//! [`AnnouncementStore`] in memory.

use super::*;
use crate::announcement::{Announcement, AnnouncementStore, Audience};
use crate::ids::AnnouncementId;

impl State {
    pub(super) fn author_named(&self, a: &Announcement) -> Announcement {
        Announcement {
            author_name: self
                .users
                .get(&a.author_id)
                .map(|u| u.user.display_name.as_str().to_owned())
                .unwrap_or_default(),
            ..a.clone()
        }
    }

    pub(super) fn audience_reads(&self, a: &Announcement, audience: Audience) -> bool {
        match audience {
            Audience::Everyone => true,
            _ if a.group_ids.is_empty() => true,
            Audience::Student(user) => self
                .student_groups
                .get(&(a.course_id, user))
                .is_some_and(|g| a.group_ids.contains(g)),
            Audience::Mentor(user) => {
                a.author_id == user
                    || a.group_ids.iter().any(|g| {
                        self.groups
                            .get(g)
                            .is_some_and(|row| row.value.mentors.contains(&user))
                    })
            }
        }
    }
}

#[async_trait]
impl AnnouncementStore for MemoryStorage {
    async fn post_announcement(
        &self,
        announcement: &Announcement,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&announcement.course_id) {
            return Err(StorageError::NotFound);
        }
        if st.announcements.iter().any(|a| a.id == announcement.id) {
            return conflict(Conflict::Other);
        }
        let fresh = st.check_outbox(outbox)?;
        let mut stored = Announcement {
            author_name: String::new(),
            ..announcement.clone()
        };
        stored.group_ids.sort_unstable();
        st.announcements.push(stored);
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn get_announcement(&self, id: AnnouncementId) -> StorageResult<Option<Announcement>> {
        let st = self.lock();
        Ok(st
            .announcements
            .iter()
            .find(|a| a.id == id)
            .map(|a| st.author_named(a)))
    }

    async fn list_announcements(
        &self,
        course: CourseId,
        audience: Audience,
        limit: u32,
    ) -> StorageResult<Vec<Announcement>> {
        let st = self.lock();
        let mut list: Vec<Announcement> = st
            .announcements
            .iter()
            .filter(|a| a.course_id == course && st.audience_reads(a, audience))
            .map(|a| st.author_named(a))
            .collect();
        list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        list.truncate(limit as usize);
        Ok(list)
    }

    async fn delete_announcement(&self, id: AnnouncementId) -> StorageResult<()> {
        let mut st = self.lock();
        let before = st.announcements.len();
        st.announcements.retain(|a| a.id != id);
        if st.announcements.len() == before {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }
}
