//! Awarded badges.

use async_trait::async_trait;
use lms_core::achievement::{Achievement, AchievementStore, Badge};
use lms_core::error::StorageResult;
use lms_core::ids::{CourseId, UserId};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::PgStorage;
use crate::error::{corrupt, map_err};

/// Inserts awards inside a transaction, skipping ones already awarded.
/// Returns how many were new.
pub(crate) async fn award_in(
    conn: &mut PgConnection,
    awards: &[Achievement],
) -> StorageResult<u64> {
    let mut inserted = 0;
    for a in awards {
        let done = sqlx::query!(
            "INSERT INTO achievements (user_id, badge, course_id, awarded_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            a.user_id.0,
            a.badge.as_str(),
            a.course_id.map_or(Uuid::nil(), |c| c.0),
            a.awarded_at
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
        inserted += done.rows_affected();
    }
    Ok(inserted)
}

pub(crate) fn achievement_from(
    user: Uuid,
    badge: &str,
    course: Uuid,
    at: chrono::DateTime<chrono::Utc>,
) -> StorageResult<Achievement> {
    Ok(Achievement {
        user_id: UserId(user),
        badge: Badge::parse(badge).ok_or_else(|| corrupt("badge", badge))?,
        course_id: (!course.is_nil()).then_some(CourseId(course)),
        awarded_at: at,
    })
}

#[async_trait]
impl AchievementStore for PgStorage {
    async fn award(&self, achievement: &Achievement) -> StorageResult<bool> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        Ok(award_in(&mut conn, std::slice::from_ref(achievement)).await? == 1)
    }

    async fn list_achievements(&self, user: UserId) -> StorageResult<Vec<Achievement>> {
        let rows = sqlx::query!(
            "SELECT user_id, badge, course_id, awarded_at FROM achievements WHERE user_id = $1
             ORDER BY awarded_at, badge",
            user.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| achievement_from(r.user_id, &r.badge, r.course_id, r.awarded_at))
            .collect()
    }
}
