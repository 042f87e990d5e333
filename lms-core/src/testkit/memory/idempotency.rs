//! Idempotency records.

use super::*;

// ---- idempotency -----------------------------------------------------------

#[async_trait]
impl IdempotencyStore for MemoryStorage {
    async fn begin(
        &self,
        key: &IdempotencyKey,
        request_hash: &str,
        now: DateTime<Utc>,
        lock_until: DateTime<Utc>,
    ) -> StorageResult<Begin> {
        let mut st = self.lock();
        if !st.users.contains_key(&key.user()) {
            return Err(StorageError::NotFound);
        }
        let k = idempotency_key(key);
        if let Some(record) = st.idempotency.get(&k) {
            let same = record.request_hash == request_hash;
            match &record.state {
                IdempotencyState::Completed {
                    response,
                    expires_at,
                } if *expires_at > now => {
                    return Ok(if same {
                        Begin::Completed(response.clone())
                    } else {
                        Begin::Mismatch
                    });
                }
                IdempotencyState::InProgress { .. } if !same => return Ok(Begin::Mismatch),
                IdempotencyState::InProgress { locked_until } if *locked_until > now => {
                    return Ok(Begin::InProgress);
                }
                // Expired, or a crashed request of the same hash: take over.
                _ => {}
            }
        }
        st.idempotency.insert(
            k,
            IdempotencyRecord {
                request_hash: request_hash.to_owned(),
                state: IdempotencyState::InProgress {
                    locked_until: lock_until,
                },
            },
        );
        Ok(Begin::Started)
    }

    async fn complete(
        &self,
        key: &IdempotencyKey,
        response: &StoredResponse,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let mut st = self.lock();
        let record = st
            .idempotency
            .get_mut(&idempotency_key(key))
            .ok_or(StorageError::NotFound)?;
        record.state = IdempotencyState::Completed {
            response: response.clone(),
            expires_at,
        };
        Ok(())
    }

    async fn abandon(&self, key: &IdempotencyKey) -> StorageResult<()> {
        let mut st = self.lock();
        let k = idempotency_key(key);
        if matches!(
            st.idempotency.get(&k).map(|r| &r.state),
            Some(IdempotencyState::InProgress { .. })
        ) {
            st.idempotency.remove(&k);
        }
        Ok(())
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> StorageResult<u64> {
        let mut st = self.lock();
        let before = st.idempotency.len();
        st.idempotency.retain(|_, r| match &r.state {
            IdempotencyState::InProgress { locked_until } => *locked_until > now,
            IdempotencyState::Completed { expires_at, .. } => *expires_at > now,
        });
        Ok((before - st.idempotency.len()) as u64)
    }
}
