//! Awarded badges.

use async_trait::async_trait;
use lms_core::achievement::{Achievement, AchievementStore, Badge};
use lms_core::error::StorageResult;
use lms_core::ids::{CourseId, UserId};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::SqliteStorage;
use crate::error::{corrupt, from_ts, map_err, ts};

/// Inserts awards inside a transaction, skipping ones already awarded.
/// Returns how many were new.
pub(crate) async fn award_in(
    conn: &mut SqliteConnection,
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
            ts(a.awarded_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
        inserted += done.rows_affected();
    }
    Ok(inserted)
}

pub(crate) struct AchievementRow {
    pub user_id: Uuid,
    pub badge: String,
    pub course_id: Uuid,
    pub awarded_at: i64,
}

impl TryFrom<AchievementRow> for Achievement {
    type Error = lms_core::StorageError;
    fn try_from(r: AchievementRow) -> Result<Self, Self::Error> {
        Ok(Achievement {
            user_id: UserId(r.user_id),
            badge: Badge::parse(&r.badge).ok_or_else(|| corrupt("badge", &r.badge))?,
            course_id: (!r.course_id.is_nil()).then_some(CourseId(r.course_id)),
            awarded_at: from_ts("award time", r.awarded_at)?,
        })
    }
}

/// A user's badges, oldest first.
pub(crate) async fn achievements_of(
    conn: &mut SqliteConnection,
    user: Uuid,
) -> StorageResult<Vec<Achievement>> {
    sqlx::query_as!(
        AchievementRow,
        r#"SELECT user_id AS "user_id: _", badge, course_id AS "course_id: _", awarded_at FROM achievements
           WHERE user_id = $1 ORDER BY awarded_at, badge"#,
        user
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Achievement::try_from)
    .collect()
}

#[async_trait]
impl AchievementStore for SqliteStorage {
    async fn award(&self, achievement: &Achievement) -> StorageResult<bool> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        Ok(award_in(&mut conn, std::slice::from_ref(achievement)).await? == 1)
    }

    async fn list_achievements(&self, user: UserId) -> StorageResult<Vec<Achievement>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        achievements_of(&mut conn, user.0).await
    }
}
