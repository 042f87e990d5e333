//! Comment threads of submissions and up to when each user read them.
//!
//! A message is stored with its outbox entries and its author's read mark
//! in one transaction; a read mark only moves forward (`GREATEST`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::StorageError;
use lms_core::error::StorageResult;
use lms_core::homework::{CommentStore, SubmissionComment};
use lms_core::ids::{CommentId, SubmissionId, UserId};
use lms_core::notification::OutboxEntry;
use lms_core::richtext::RichText;
use sqlx::PgConnection;

use crate::PgStorage;
use crate::error::{from_json, map_err, to_json};
use crate::notification::enqueue_in;

/// Records that `user` read the thread up to `at`, keeping a later mark.
async fn mark_read_in(
    conn: &mut PgConnection,
    submission: SubmissionId,
    user: UserId,
    at: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query!(
        "INSERT INTO comment_reads (submission_id, user_id, read_at) VALUES ($1, $2, $3)
         ON CONFLICT (submission_id, user_id) DO UPDATE
         SET read_at = GREATEST(comment_reads.read_at, EXCLUDED.read_at)",
        submission.0,
        user.0,
        at
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    sqlx::query!(
        "UPDATE outbox SET read_at = $3
         WHERE recipient_id = $2 AND channel = 'in_app' AND read_at IS NULL AND created_at <= $3
           AND notification->>'event' = 'submission_comment'
           AND notification->>'submission_id' = $1::text",
        submission.0.to_string(),
        user.0,
        at
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

#[async_trait]
impl CommentStore for PgStorage {
    async fn add_comment(
        &self,
        comment: &SubmissionComment,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query!(
            "SELECT 1 AS one FROM submissions WHERE id = $1",
            comment.submission_id.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StorageError::NotFound)?;
        // A submission deleted since breaks the foreign key: NotFound too.
        sqlx::query!(
            "INSERT INTO submission_comments (id, submission_id, author_id, body, files, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            comment.id.0,
            comment.submission_id.0,
            comment.author_id.0,
            comment.body.as_html(),
            to_json(&comment.files)?,
            comment.created_at
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
            "SELECT c.id, c.submission_id, c.author_id, u.display_name AS author_name, c.body, c.files, c.created_at
             FROM submission_comments c JOIN users u ON u.id = c.author_id
             WHERE c.submission_id = $1 ORDER BY c.created_at, c.id",
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
                    files: from_json("comment files", r.files)?,
                    created_at: r.created_at,
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
        Ok(row.map(|r| r.read_at))
    }
}
