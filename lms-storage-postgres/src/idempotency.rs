//! Idempotency records of client requests.
//!
//! `begin` is one `INSERT … ON CONFLICT DO UPDATE … WHERE` statement: of
//! concurrent calls with one key exactly one inserts (or takes over an
//! expired record), because PostgreSQL serialises them on the key's unique
//! index and re-checks the `WHERE` against the row the winner wrote.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::error::{StorageError, StorageResult};
use lms_core::idempotency::{Begin, IdempotencyKey, IdempotencyStore, StoredResponse};

use crate::PgStorage;
use crate::error::{corrupt, map_err};

#[async_trait]
impl IdempotencyStore for PgStorage {
    async fn begin(
        &self,
        key: &IdempotencyKey,
        request_hash: &str,
        now: DateTime<Utc>,
        lock_until: DateTime<Utc>,
    ) -> StorageResult<Begin> {
        // The record can vanish between the two statements (abandoned or
        // purged); then claiming it again is right.
        for _ in 0..3 {
            let claimed = sqlx::query!(
                "INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, locked_until)
                 VALUES ($1, $2, $3, $4, 'in_progress', $5)
                 ON CONFLICT (user_id, scope, key) DO UPDATE
                 SET request_hash = EXCLUDED.request_hash, state = 'in_progress',
                     locked_until = EXCLUDED.locked_until, status = NULL, content_type = NULL,
                     body = NULL, expires_at = NULL
                 WHERE (idempotency_keys.state = 'completed' AND idempotency_keys.expires_at <= $6)
                    OR (idempotency_keys.state = 'in_progress' AND idempotency_keys.locked_until <= $6
                        AND idempotency_keys.request_hash = EXCLUDED.request_hash)
                 RETURNING 1 AS one",
                key.user().0,
                key.scope(),
                key.key(),
                request_hash,
                lock_until,
                now,
            )
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
            if claimed.is_some() {
                return Ok(Begin::Started);
            }
            let held = sqlx::query!(
                "SELECT request_hash, state, status, content_type, body FROM idempotency_keys
                 WHERE user_id = $1 AND scope = $2 AND key = $3",
                key.user().0,
                key.scope(),
                key.key(),
            )
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
            let Some(held) = held else { continue };
            if held.request_hash != request_hash {
                return Ok(Begin::Mismatch);
            }
            return match (
                held.state.as_str(),
                held.status,
                held.content_type,
                held.body,
            ) {
                ("in_progress", ..) => Ok(Begin::InProgress),
                ("completed", Some(status), Some(content_type), Some(body)) => {
                    Ok(Begin::Completed(StoredResponse {
                        status: u16::try_from(status).map_err(|e| corrupt("status", e))?,
                        content_type,
                        body,
                    }))
                }
                (state, ..) => Err(corrupt("idempotency record", state)),
            };
        }
        Err(StorageError::Transient(
            "idempotency record keeps changing".to_owned(),
        ))
    }

    async fn complete(
        &self,
        key: &IdempotencyKey,
        response: &StoredResponse,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let done = sqlx::query!(
            "UPDATE idempotency_keys
             SET state = 'completed', locked_until = NULL, status = $4, content_type = $5,
                 body = $6, expires_at = $7
             WHERE user_id = $1 AND scope = $2 AND key = $3",
            key.user().0,
            key.scope(),
            key.key(),
            i32::from(response.status),
            response.content_type,
            response.body,
            expires_at,
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    async fn abandon(&self, key: &IdempotencyKey) -> StorageResult<()> {
        sqlx::query!(
            "DELETE FROM idempotency_keys
             WHERE user_id = $1 AND scope = $2 AND key = $3 AND state = 'in_progress'",
            key.user().0,
            key.scope(),
            key.key(),
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> StorageResult<u64> {
        let done = sqlx::query!(
            "DELETE FROM idempotency_keys WHERE coalesce(expires_at, locked_until) <= $1",
            now
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected())
    }
}
