//! Storage port of announcements.

use async_trait::async_trait;

use crate::announcement::model::{Announcement, Audience};
use crate::error::StorageResult;
use crate::ids::{AnnouncementId, CourseId};
use crate::notification::OutboxEntry;

/// Announcements of courses.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AnnouncementStore: Send + Sync {
    /// Stores an announcement with its groups and the notifications that
    /// deliver it, in one transaction (`author_name` is not stored).
    /// `NotFound` if the course is gone.
    async fn post_announcement(
        &self,
        announcement: &Announcement,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()>;
    /// One announcement, with its author's name.
    async fn get_announcement(&self, id: AnnouncementId) -> StorageResult<Option<Announcement>>;
    /// The course's announcements `audience` reads, newest first (ties by
    /// id, descending), at most `limit`.
    async fn list_announcements(
        &self,
        course: CourseId,
        audience: Audience,
        limit: u32,
    ) -> StorageResult<Vec<Announcement>>;
    /// Deletes an announcement (its notifications stay). `NotFound` if absent.
    async fn delete_announcement(&self, id: AnnouncementId) -> StorageResult<()>;
}
