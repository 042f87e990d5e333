//! Idempotency records of client requests.
//!
//! `begin` reads and writes in one `BEGIN IMMEDIATE` transaction, which
//! holds SQLite's one write lock: of concurrent calls with one key exactly
//! one finds no record (or an expired one) and claims it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::error::{StorageError, StorageResult};
use lms_core::idempotency::{Begin, IdempotencyKey, IdempotencyStore, StoredResponse};

use crate::SqliteStorage;
use crate::error::{corrupt, map_err, ts};

#[async_trait]
impl IdempotencyStore for SqliteStorage {
    async fn begin(
        &self,
        key: &IdempotencyKey,
        request_hash: &str,
        now: DateTime<Utc>,
        lock_until: DateTime<Utc>,
    ) -> StorageResult<Begin> {
        let user = key.user().0;
        let (scope, client_key) = (key.scope(), key.key());
        let (now, lock_until) = (ts(now), ts(lock_until));
        let mut tx = self.write_tx().await?;
        let held = sqlx::query!(
            r#"SELECT request_hash, state, locked_until, status, content_type, body, expires_at
               FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND key = $3"#,
            user,
            scope,
            client_key,
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        if let Some(held) = held {
            let same = held.request_hash == request_hash;
            let outcome = match held.state.as_str() {
                "completed" if held.expires_at.is_some_and(|at| at > now) => {
                    if !same {
                        Some(Begin::Mismatch)
                    } else if let (Some(status), Some(content_type), Some(body)) =
                        (held.status, held.content_type, held.body)
                    {
                        Some(Begin::Completed(StoredResponse {
                            status: u16::try_from(status).map_err(|e| corrupt("status", e))?,
                            content_type,
                            body,
                        }))
                    } else {
                        return Err(corrupt(
                            "idempotency record",
                            "completed without a response",
                        ));
                    }
                }
                "completed" => None,
                "in_progress" if !same => Some(Begin::Mismatch),
                "in_progress" if held.locked_until.is_some_and(|at| at > now) => {
                    Some(Begin::InProgress)
                }
                "in_progress" => None,
                other => return Err(corrupt("idempotency state", other)),
            };
            if let Some(outcome) = outcome {
                return Ok(outcome);
            }
        }
        // No record, or one to take over.
        sqlx::query!(
            "INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, locked_until)
             VALUES ($1, $2, $3, $4, 'in_progress', $5)
             ON CONFLICT (user_id, scope, key) DO UPDATE
             SET request_hash = excluded.request_hash, state = 'in_progress',
                 locked_until = excluded.locked_until, status = NULL, content_type = NULL,
                 body = NULL, expires_at = NULL",
            user,
            scope,
            client_key,
            request_hash,
            lock_until,
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(Begin::Started)
    }

    async fn complete(
        &self,
        key: &IdempotencyKey,
        response: &StoredResponse,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let user = key.user().0;
        let status = i64::from(response.status);
        let expires_at = ts(expires_at);
        let done = sqlx::query!(
            "UPDATE idempotency_keys
             SET state = 'completed', locked_until = NULL, status = $4, content_type = $5,
                 body = $6, expires_at = $7
             WHERE user_id = $1 AND scope = $2 AND key = $3",
            user,
            key.scope(),
            key.key(),
            status,
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
        let user = key.user().0;
        sqlx::query!(
            "DELETE FROM idempotency_keys
             WHERE user_id = $1 AND scope = $2 AND key = $3 AND state = 'in_progress'",
            user,
            key.scope(),
            key.key(),
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> StorageResult<u64> {
        let now = ts(now);
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
