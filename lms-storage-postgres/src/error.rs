//! The one place where database errors become the core's storage errors.

use lms_core::{Conflict, StorageError};

/// Maps a sqlx error: constraint violations to [`Conflict`] kinds by
/// constraint name, connection trouble and serialisation failures to
/// `Transient`, everything else to `Permanent`.
pub(crate) fn map_err(err: sqlx::Error) -> StorageError {
    match &err {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            match code.as_ref() {
                // unique_violation
                "23505" => {
                    StorageError::Conflict(conflict_for(db.constraint().unwrap_or_default()))
                }
                // foreign_key_violation: the referenced row does not exist
                "23503" => StorageError::NotFound,
                // serialization_failure, deadlock_detected, lock_not_available,
                // too_many_connections, admin/crash shutdown, cannot_connect_now
                "40001" | "40P01" | "55P03" | "53300" | "57P01" | "57P02" | "57P03" => {
                    StorageError::Transient(db.message().to_owned())
                }
                _ => StorageError::Permanent(format!("{code}: {}", db.message())),
            }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => StorageError::Transient(err.to_string()),
        sqlx::Error::RowNotFound => StorageError::NotFound,
        _ => StorageError::Permanent(err.to_string()),
    }
}

fn conflict_for(constraint: &str) -> Conflict {
    match constraint {
        "users_email_key" => Conflict::Email,
        "courses_invite_code_key" | "course_groups_invite_code_key" => Conflict::InviteCode,
        "course_assistants_pkey" => Conflict::Assistant,
        "enrollments_pkey" => Conflict::Enrollment,
        "outbox_dedup_key" => Conflict::OutboxDedup,
        "attempts_one_open_key" => Conflict::OpenAttempt,
        "attempts_number_key" => Conflict::AttemptLimit,
        "achievements_pkey" => Conflict::Achievement,
        "lessons_position_key" | "questions_position_key" | "submission_versions_number_key" => {
            Conflict::Stale
        }
        _ => Conflict::Other,
    }
}

/// A stored value that no longer parses into its domain type.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StorageError {
    StorageError::Permanent(format!("corrupt {what} in storage: {detail}"))
}

/// Encodes a value object as JSON for a JSONB column.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, StorageError> {
    serde_json::to_value(value)
        .map_err(|e| StorageError::Permanent(format!("cannot encode value: {e}")))
}

/// Decodes a JSONB column into a value object; rich text in it was sanitised before it was stored and is taken
/// as it is ([`lms_core::richtext::decode_stored`]).
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    what: &str,
    value: serde_json::Value,
) -> Result<T, StorageError> {
    lms_core::richtext::decode_stored(|| serde_json::from_value(value))
        .map_err(|e| corrupt(what, e))
}

/// Decodes a read-model document this adapter built (a `json` value the
/// query casts to `text`) straight into the core's type, without an
/// intermediate `serde_json::Value`; rich text is taken as stored, as in
/// [`from_json`].
pub(crate) fn from_json_text<T: serde::de::DeserializeOwned>(
    what: &str,
    text: &str,
) -> Result<T, StorageError> {
    lms_core::richtext::decode_stored(|| serde_json::from_str(text)).map_err(|e| corrupt(what, e))
}

/// Converts a stored non-negative integer.
pub(crate) fn to_u32(what: &str, v: i32) -> Result<u32, StorageError> {
    u32::try_from(v).map_err(|e| corrupt(what, e))
}

/// Converts a count or position for a query parameter.
pub(crate) fn to_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}
