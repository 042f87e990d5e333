//! Storage port of achievements.

use async_trait::async_trait;

use crate::achievement::model::Achievement;
use crate::error::StorageResult;
use crate::ids::UserId;

/// Awarded badges.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AchievementStore: Send + Sync {
    /// Awards a badge unless already awarded (same user, badge and course
    /// scope); returns whether it was new.
    async fn award(&self, achievement: &Achievement) -> StorageResult<bool>;
    /// A user's badges, oldest first.
    async fn list_achievements(&self, user: UserId) -> StorageResult<Vec<Achievement>>;
}
