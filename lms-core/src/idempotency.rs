//! Idempotent requests: a client sends an `Idempotency-Key` with a write, and
//! a retry of the same request (after a timeout or a lost response) gets the
//! first response again instead of doing the write twice.
//!
//! The flow an HTTP layer follows with [`IdempotencyStore`]:
//!
//! 1. [`begin`](IdempotencyStore::begin) with the key and a hash of the
//!    request. [`Begin::Started`]: this request owns the key until
//!    `lock_until`; run it. [`Begin::Completed`]: replay the stored response.
//!    [`Begin::InProgress`]: the first request is still running (answer 409
//!    and let the client retry). [`Begin::Mismatch`]: the key was used for
//!    another request (answer 422).
//! 2. After the request: [`complete`](IdempotencyStore::complete) with the
//!    response to replay, or [`abandon`](IdempotencyStore::abandon) when it
//!    failed in a way a retry may fix (so the retry runs it again).
//! 3. Periodically [`purge_expired`](IdempotencyStore::purge_expired).
//!
//! A request that crashed leaves an in-progress record whose lock expires;
//! the next `begin` with the same request takes it over.
//!
//! ```
//! use lms_core::idempotency::IdempotencyKey;
//! use lms_core::ids::UserId;
//!
//! let key = IdempotencyKey::parse(UserId::new(), "POST /api/v1/assignments/{id}/submissions", "3f1c-42")
//!     .expect("a printable key");
//! assert_eq!(key.key(), "3f1c-42");
//! assert!(IdempotencyKey::parse(UserId::new(), "POST /x", "").is_err());
//! assert!(IdempotencyKey::parse(UserId::new(), "POST /x", "ключ").is_err());
//! ```

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::error::{DomainError, ErrorClass, StorageResult};
use crate::ids::UserId;

/// The longest accepted client key, in characters.
pub const MAX_KEY_LEN: usize = 255;

/// One idempotency record's key: the client's key is scoped to the user who
/// sent it and the operation (so two users, or two endpoints, never share a
/// record). Only [`parse`](IdempotencyKey::parse) makes one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey {
    user: UserId,
    scope: String,
    key: String,
}

/// Why a client's idempotency key was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdempotencyKeyError {
    /// The key is empty.
    #[error("Idempotency-Key must not be empty")]
    Empty,
    /// The key is longer than [`MAX_KEY_LEN`].
    #[error("Idempotency-Key must be at most {MAX_KEY_LEN} characters")]
    TooLong,
    /// The key holds a character outside printable ASCII (space to `~`).
    #[error("Idempotency-Key must be printable ASCII")]
    NotPrintable,
}

impl DomainError for IdempotencyKeyError {
    fn class(&self) -> ErrorClass {
        ErrorClass::Invalid
    }

    fn code(&self) -> &'static str {
        "invalid_idempotency_key"
    }
}

impl IdempotencyKey {
    /// The record key for `user`'s request to `scope` (the operation, e.g.
    /// `"POST /api/v1/assignments/{id}/submissions"`, filled in or not: the
    /// caller decides how specific it is) with the client's `key`: 1 to 255
    /// characters of printable ASCII (`' '..='~'`).
    pub fn parse(
        user: UserId,
        scope: impl Into<String>,
        key: &str,
    ) -> Result<Self, IdempotencyKeyError> {
        if key.is_empty() {
            return Err(IdempotencyKeyError::Empty);
        }
        if key.len() > MAX_KEY_LEN {
            return Err(IdempotencyKeyError::TooLong);
        }
        if !key.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            return Err(IdempotencyKeyError::NotPrintable);
        }
        Ok(Self {
            user,
            scope: scope.into(),
            key: key.to_owned(),
        })
    }

    /// The user who sent the request.
    #[must_use]
    pub fn user(&self) -> UserId {
        self.user
    }

    /// The operation.
    #[must_use]
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The client's key.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// A response kept for replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` of the body.
    pub content_type: String,
    /// The body.
    pub body: Vec<u8>,
}

/// What [`IdempotencyStore::begin`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// No record (or an expired one, or an in-progress one of the same
    /// request whose lock expired): an in-progress record now holds the key
    /// for this caller until `lock_until`. Run the request.
    Started,
    /// The same request completed before: replay this response.
    Completed(StoredResponse),
    /// The same request is running now (its lock has not expired).
    InProgress,
    /// The key was used with a different request (another hash).
    Mismatch,
}

/// Idempotency records: which request used a key and what it answered.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for a request with `request_hash` at `now` (see
    /// [`Begin`]). A completed record whose `expires_at` is not after `now`
    /// counts as absent, and so does an in-progress record with the same
    /// hash whose `lock_until` is not after `now` (it is taken over).
    /// Otherwise a different hash is `Mismatch`. Of concurrent calls with
    /// one key, exactly one gets `Started`. `NotFound` if the user does not
    /// exist.
    async fn begin(
        &self,
        key: &IdempotencyKey,
        request_hash: &str,
        now: DateTime<Utc>,
        lock_until: DateTime<Utc>,
    ) -> StorageResult<Begin>;
    /// Stores the response of the request that holds `key`, to be replayed
    /// until `expires_at`. `NotFound` if there is no record (it was
    /// abandoned or purged meanwhile).
    async fn complete(
        &self,
        key: &IdempotencyKey,
        response: &StoredResponse,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Deletes the in-progress record of `key`, so a retry runs the request
    /// again. A completed record is kept; no record is not an error.
    async fn abandon(&self, key: &IdempotencyKey) -> StorageResult<()>;
    /// Deletes completed records whose `expires_at` is not after `now`, and
    /// in-progress records whose lock expired by `now` (crashed requests).
    /// Returns how many were deleted.
    async fn purge_expired(&self, now: DateTime<Utc>) -> StorageResult<u64>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_ascii_of_1_to_255_characters() {
        let u = UserId::new();
        assert!(IdempotencyKey::parse(u, "s", "a").is_ok());
        assert!(IdempotencyKey::parse(u, "s", " ~!0aZ").is_ok());
        assert!(IdempotencyKey::parse(u, "s", &"k".repeat(255)).is_ok());
        assert_eq!(
            IdempotencyKey::parse(u, "s", &"k".repeat(256)),
            Err(IdempotencyKeyError::TooLong)
        );
        assert_eq!(
            IdempotencyKey::parse(u, "s", ""),
            Err(IdempotencyKeyError::Empty)
        );
        for bad in ["a\tb", "a\nb", "ключ", "a\u{7f}"] {
            assert_eq!(
                IdempotencyKey::parse(u, "s", bad),
                Err(IdempotencyKeyError::NotPrintable),
                "{bad:?}"
            );
        }
        let k = IdempotencyKey::parse(u, "POST /x", "abc").expect("valid");
        assert_eq!((k.user(), k.scope(), k.key()), (u, "POST /x", "abc"));
        assert_eq!(IdempotencyKeyError::Empty.code(), "invalid_idempotency_key");
    }
}
