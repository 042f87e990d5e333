//! Comment threads of submissions and up to when each user read them.
//!
//! A message is stored with its outbox entries and its author's read mark
//! in one `BEGIN IMMEDIATE` transaction; a read mark only moves forward
//! (`MAX`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::StorageError;
use lms_core::error::StorageResult;
use lms_core::homework::{CommentStore, SubmissionComment};
use lms_core::ids::{CommentId, SubmissionId, UserId};
use lms_core::notification::OutboxEntry;
use lms_core::richtext::RichText;
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::SqliteStorage;
use crate::error::{from_json, from_ts, map_err, to_json, ts};
use crate::notification::enqueue_in;

/// Records that `user` read the thread up to `at`, keeping a later mark.
async fn mark_read_in(
    conn: &mut SqliteConnection,
    submission: SubmissionId,
    user: UserId,
    at: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query!(
        "INSERT INTO comment_reads (submission_id, user_id, read_at) VALUES ($1, $2, $3)
         ON CONFLICT (submission_id, user_id) DO UPDATE
         SET read_at = MAX(comment_reads.read_at, excluded.read_at)",
        submission.0,
        user.0,
        ts(at)
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    let about = submission.0.to_string();
    let at = ts(at);
    sqlx::query!(
        "UPDATE outbox SET read_at = $3
         WHERE recipient_id = $2 AND channel = 'in_app' AND read_at IS NULL AND created_at <= $3
           AND json_extract(notification, '$.event') = 'submission_comment'
           AND json_extract(notification, '$.submission_id') = $1",
        about,
        user.0,
        at
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

#[async_trait]
impl CommentStore for SqliteStorage {
    async fn add_comment(
        &self,
        comment: &SubmissionComment,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()> {
        let files = to_json(&comment.files)?;
        let mut tx = self.write_tx().await?;
        sqlx::query!(
            "SELECT 1 AS one FROM submissions WHERE id = $1",
            comment.submission_id.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StorageError::NotFound)?;
        sqlx::query!(
            "INSERT INTO submission_comments (id, submission_id, author_id, body, files, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            comment.id.0,
            comment.submission_id.0,
            comment.author_id.0,
            comment.body.as_html(),
            files,
            ts(comment.created_at)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        mark_read_in(
            &mut tx,
            comment.submission_id,
            comment.author_id,
            comment.created_at,
        )
        .await?;
        enqueue_in(&mut tx, outbox).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn list_comments(
        &self,
        submission: SubmissionId,
    ) -> StorageResult<Vec<SubmissionComment>> {
        let rows = sqlx::query!(
            r#"SELECT c.id AS "id: Uuid", c.submission_id AS "submission_id: Uuid",
                      c.author_id AS "author_id: Uuid", u.display_name AS "author_name!: String", c.body,
                      c.files, c.created_at
               FROM submission_comments c JOIN users u ON u.id = c.author_id
               WHERE c.submission_id = $1 ORDER BY c.created_at, c.id"#,
            submission.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(SubmissionComment {
                    id: CommentId(r.id),
                    submission_id: SubmissionId(r.submission_id),
                    author_id: UserId(r.author_id),
                    author_name: r.author_name,
                    body: RichText::from_stored(r.body),
                    files: from_json("comment files", &r.files)?,
                    created_at: from_ts("comment time", r.created_at)?,
                })
            })
            .collect()
    }

    async fn mark_thread_read(
        &self,
        submission: SubmissionId,
        user: UserId,
        at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        mark_read_in(&mut conn, submission, user, at).await
    }

    async fn thread_read_at(
        &self,
        submission: SubmissionId,
        user: UserId,
    ) -> StorageResult<Option<DateTime<Utc>>> {
        let row = sqlx::query!(
            "SELECT read_at FROM comment_reads WHERE submission_id = $1 AND user_id = $2",
            submission.0,
            user.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.map(|r| from_ts("comment read time", r.read_at))
            .transpose()
    }
}
