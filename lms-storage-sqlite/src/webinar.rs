//! Webinars.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::StorageError;
use lms_core::course::Title;
use lms_core::error::StorageResult;
use lms_core::ids::{CourseId, UserId, WebinarId};
use lms_core::notification::OutboxEntry;
use lms_core::webinar::{ProviderKind, Webinar, WebinarState, WebinarStore};
use uuid::Uuid;

use crate::SqliteStorage;
use crate::error::{corrupt, from_ts, map_err, to_u32, ts};
use crate::notification::enqueue_in;

pub(crate) struct WebinarRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub provider: String,
    pub conference_id: Option<String>,
    pub join_url: String,
    pub host_url: Option<String>,
    pub state: String,
    pub created_by: Uuid,
    pub created_at: i64,
}

impl TryFrom<WebinarRow> for Webinar {
    type Error = StorageError;
    fn try_from(r: WebinarRow) -> Result<Self, Self::Error> {
        Ok(Webinar {
            id: WebinarId(r.id),
            course_id: CourseId(r.course_id),
            title: Title::parse(&r.title).map_err(|e| corrupt("webinar title", e))?,
            starts_at: from_ts("webinar start", r.starts_at)?,
            duration_minutes: to_u32("webinar duration", r.duration_minutes)?,
            provider: ProviderKind::parse(&r.provider)
                .ok_or_else(|| corrupt("webinar provider", &r.provider))?,
            conference_id: r.conference_id,
            join_url: r.join_url,
            host_url: r.host_url,
            state: match r.state.as_str() {
                "scheduled" => WebinarState::Scheduled,
                "cancelled" => WebinarState::Cancelled,
                other => return Err(corrupt("webinar state", other)),
            },
            created_by: UserId(r.created_by),
            created_at: from_ts("webinar creation time", r.created_at)?,
        })
    }
}

pub(crate) fn webinar_state_str(s: WebinarState) -> &'static str {
    match s {
        WebinarState::Scheduled => "scheduled",
        WebinarState::Cancelled => "cancelled",
    }
}

#[async_trait]
impl WebinarStore for SqliteStorage {
    async fn insert_webinar(&self, w: &Webinar, outbox: &[OutboxEntry]) -> StorageResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query!(
            "INSERT INTO webinars (id, course_id, title, starts_at, duration_minutes, provider, conference_id,
                                   join_url, host_url, state, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            w.id.0,
            w.course_id.0,
            w.title.as_str(),
            ts(w.starts_at),
            i64::from(w.duration_minutes),
            w.provider.as_str(),
            w.conference_id,
            w.join_url,
            w.host_url,
            webinar_state_str(w.state),
            w.created_by.0,
            ts(w.created_at)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        enqueue_in(&mut tx, outbox).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn update_webinar(&self, w: &Webinar, outbox: &[OutboxEntry]) -> StorageResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query!(
            "UPDATE webinars SET title = $2, starts_at = $3, duration_minutes = $4, provider = $5, conference_id = $6,
                join_url = $7, host_url = $8, state = $9
             WHERE id = $1",
            w.id.0,
            w.title.as_str(),
            ts(w.starts_at),
            i64::from(w.duration_minutes),
            w.provider.as_str(),
            w.conference_id,
            w.join_url,
            w.host_url,
            webinar_state_str(w.state)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        enqueue_in(&mut tx, outbox).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn get_webinar(&self, id: WebinarId) -> StorageResult<Option<Webinar>> {
        sqlx::query_as!(
            WebinarRow,
            r#"SELECT id AS "id: _", course_id AS "course_id: _", title, starts_at, duration_minutes, provider,
                      conference_id, join_url, host_url, state, created_by AS "created_by: _", created_at
               FROM webinars WHERE id = $1"#,
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Webinar::try_from)
        .transpose()
    }

    async fn list_course_webinars(&self, course: CourseId) -> StorageResult<Vec<Webinar>> {
        sqlx::query_as!(
            WebinarRow,
            r#"SELECT id AS "id: _", course_id AS "course_id: _", title, starts_at, duration_minutes, provider,
                      conference_id, join_url, host_url, state, created_by AS "created_by: _", created_at
               FROM webinars WHERE course_id = $1 ORDER BY starts_at, id"#,
            course.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Webinar::try_from)
        .collect()
    }

    async fn webinars_starting_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<Webinar>> {
        sqlx::query_as!(
            WebinarRow,
            r#"SELECT id AS "id: _", course_id AS "course_id: _", title, starts_at, duration_minutes, provider,
                      conference_id, join_url, host_url, state, created_by AS "created_by: _", created_at
               FROM webinars WHERE state = 'scheduled' AND starts_at >= $1 AND starts_at < $2
               ORDER BY starts_at, id"#,
            ts(from),
            ts(to)
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Webinar::try_from)
        .collect()
    }
}
