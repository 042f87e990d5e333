//! Errors shared by every port: whether a retry can help, and which uniqueness
//! rule a write broke.

use thiserror::Error;

/// A uniqueness or state rule enforced by storage (a constraint in SQL).
///
/// Adapters map their constraint names to these in one place; services turn
/// them into the operation's own error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Conflict {
    /// Another user has this e-mail address.
    Email,
    /// The student is already enrolled in the course.
    Enrollment,
    /// Another course already uses this invite code.
    InviteCode,
    /// The assistant is already assigned to the course.
    Assistant,
    /// An outbox entry with the same de-duplication key exists.
    OutboxDedup,
    /// The student used every attempt the quiz allows.
    AttemptLimit,
    /// The student already has an open attempt at this quiz.
    OpenAttempt,
    /// The attempt is no longer open (finished by someone else meanwhile).
    AttemptClosed,
    /// The row changed since it was read (optimistic concurrency).
    Stale,
    /// The achievement was already awarded.
    Achievement,
    /// A file is already attached to another object than the one named.
    FileAttached,
    /// The submission already holds as many versions as allowed.
    VersionLimit,
    /// Any other unique key.
    Other,
}

/// What went wrong inside a storage adapter.
#[derive(Debug, Error)]
pub enum StorageError {
    /// A uniqueness or state rule rejected the write; nothing was written.
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// The row the operation works on does not exist.
    #[error("not found")]
    NotFound,
    /// The storage is temporarily unavailable (connection lost, pool timeout,
    /// serialisation failure); the same call may succeed later.
    #[error("storage temporarily unavailable: {0}")]
    Transient(String),
    /// A failure a retry cannot fix (corrupt row, schema mismatch).
    #[error("storage failure: {0}")]
    Permanent(String),
}

impl StorageError {
    /// Whether retrying the same call may succeed.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }
}

/// Result of a storage call.
pub type StorageResult<T> = Result<T, StorageError>;

/// The broad class of a domain error: what the caller can do about it.
/// HTTP layers map it to a status code; the stable `code` goes to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The input is invalid (HTTP 422); the message names the field.
    Invalid,
    /// No valid login: bad credentials, unknown or expired session (HTTP 401).
    Unauthenticated,
    /// The actor may not do this (HTTP 403).
    Forbidden,
    /// The object does not exist or the actor may not know it exists (HTTP 404).
    NotFound,
    /// The request conflicts with the current state (HTTP 409).
    Conflict,
    /// Too large (HTTP 413).
    TooLarge,
    /// Unsupported type (HTTP 415).
    Unsupported,
    /// A dependency is temporarily unavailable (HTTP 503); retry later.
    Unavailable,
    /// A store has no room left (HTTP 507); nothing was kept, an operator
    /// must free space.
    StorageFull,
    /// A bug or a permanent failure (HTTP 500); details are logged, not shown.
    Internal,
}

/// Implemented by every service error: its class and a stable snake_case code.
pub trait DomainError: std::error::Error + Send + Sync + 'static {
    /// The class.
    fn class(&self) -> ErrorClass;
    /// A stable snake_case code such as `not_enrolled`.
    fn code(&self) -> &'static str;
}

impl DomainError for StorageError {
    fn class(&self) -> ErrorClass {
        match self {
            Self::Conflict(_) => ErrorClass::Conflict,
            Self::NotFound => ErrorClass::NotFound,
            Self::Transient(_) => ErrorClass::Unavailable,
            Self::Permanent(_) => ErrorClass::Internal,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Conflict(_) => "conflict",
            Self::NotFound => "not_found",
            Self::Transient(_) => "storage_unavailable",
            Self::Permanent(_) => "internal",
        }
    }
}

/// Implements [`DomainError`] for an error enum: each variant pattern maps to
/// a class and a code; a `Storage(StorageError)` variant delegates.
///
/// ```
/// use lms_core::error::{ErrorClass, StorageError};
/// #[derive(Debug, thiserror::Error)]
/// pub enum JoinError {
///     #[error("wrong code")]
///     BadCode,
///     #[error(transparent)]
///     Storage(#[from] StorageError),
/// }
/// lms_core::domain_error!(JoinError {
///     BadCode => (Invalid, "bad_invite_code"),
/// });
/// ```
#[macro_export]
macro_rules! domain_error {
    ($ty:ident { $($pat:pat => ($class:ident, $code:literal)),* $(,)? }) => {
        impl $crate::error::DomainError for $ty {
            fn class(&self) -> $crate::error::ErrorClass {
                #[allow(unused_imports)]
                use $ty::*;
                match self {
                    $($pat => $crate::error::ErrorClass::$class,)*
                    Self::Storage(e) => $crate::error::DomainError::class(e),
                }
            }
            fn code(&self) -> &'static str {
                #[allow(unused_imports)]
                use $ty::*;
                match self {
                    $($pat => $code,)*
                    Self::Storage(e) => $crate::error::DomainError::code(e),
                }
            }
        }
    };
}
