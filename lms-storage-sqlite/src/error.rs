//! The one place where database errors become the core's storage errors,
//! and where values are converted to and from their stored form (see the
//! first migration for the storage conventions).

use chrono::{DateTime, Utc};
use lms_core::{Conflict, StorageError};
use uuid::Uuid;

// Extended result codes of SQLite (https://www.sqlite.org/rescode.html).
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_CONSTRAINT_FOREIGNKEY: i32 = 787;
const SQLITE_CONSTRAINT_PRIMARYKEY: i32 = 1555;
const SQLITE_CONSTRAINT_UNIQUE: i32 = 2067;

/// Maps a sqlx error: unique violations to [`Conflict`] kinds by the
/// columns SQLite names, a busy or locked database and pool trouble to
/// `Transient`, everything else to `Permanent`.
pub(crate) fn map_err(err: sqlx::Error) -> StorageError {
    match &err {
        sqlx::Error::Database(db) => {
            let code: i32 = db.code().and_then(|c| c.parse().ok()).unwrap_or_default();
            match code {
                SQLITE_CONSTRAINT_UNIQUE | SQLITE_CONSTRAINT_PRIMARYKEY => {
                    StorageError::Conflict(conflict_for(db.message()))
                }
                // The referenced row does not exist.
                SQLITE_CONSTRAINT_FOREIGNKEY => StorageError::NotFound,
                // SQLITE_BUSY and SQLITE_LOCKED with every extended code
                // (BUSY_RECOVERY, BUSY_SNAPSHOT, BUSY_TIMEOUT, LOCKED_SHAREDCACHE…):
                // another connection holds the lock longer than busy_timeout.
                c if c & 0xff == SQLITE_BUSY || c & 0xff == SQLITE_LOCKED => {
                    StorageError::Transient(db.message().to_owned())
                }
                _ => StorageError::Permanent(format!("{code}: {}", db.message())),
            }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StorageError::Transient(err.to_string()),
        sqlx::Error::RowNotFound => StorageError::NotFound,
        _ => StorageError::Permanent(err.to_string()),
    }
}

/// SQLite names the columns of the violated key rather than the
/// constraint: `UNIQUE constraint failed: enrollments.course_id, enrollments.student_id`.
/// The column lists below are those of the named constraints in the
/// migrations (the PostgreSQL adapter maps the same constraints by name).
fn conflict_for(message: &str) -> Conflict {
    let columns = message
        .strip_prefix("UNIQUE constraint failed: ")
        .unwrap_or_default();
    match columns {
        // users_email_key
        "users.email" => Conflict::Email,
        // courses_invite_code_key, course_groups_invite_code_key
        "courses.invite_code" | "course_groups.invite_code" => Conflict::InviteCode,
        // course_assistants_pkey
        "course_assistants.course_id, course_assistants.user_id" => Conflict::Assistant,
        // enrollments_pkey
        "enrollments.course_id, enrollments.student_id" => Conflict::Enrollment,
        // outbox_dedup_key
        "outbox.dedup_key" => Conflict::OutboxDedup,
        // attempts_one_open_key (the partial index over open attempts)
        "attempts.quiz_id, attempts.student_id" => Conflict::OpenAttempt,
        // attempts_number_key
        "attempts.quiz_id, attempts.student_id, attempts.number" => Conflict::AttemptLimit,
        // achievements_pkey
        "achievements.user_id, achievements.badge, achievements.course_id" => Conflict::Achievement,
        // lessons_position_key, questions_position_key, submission_versions_number_key
        "lessons.course_id, lessons.position"
        | "questions.quiz_id, questions.position"
        | "submission_versions.submission_id, submission_versions.number" => Conflict::Stale,
        _ => Conflict::Other,
    }
}

/// A stored value that no longer parses into its domain type.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StorageError {
    StorageError::Permanent(format!("corrupt {what} in storage: {detail}"))
}

/// Encodes a value object as JSON text.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StorageError> {
    serde_json::to_string(value)
        .map_err(|e| StorageError::Permanent(format!("cannot encode value: {e}")))
}

/// Decodes a JSON text column into a value object; rich text in it was
/// sanitised before it was stored and is taken as it is
/// ([`lms_core::richtext::decode_stored`]).
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    what: &str,
    value: &str,
) -> Result<T, StorageError> {
    lms_core::richtext::decode_stored(|| serde_json::from_str(value)).map_err(|e| corrupt(what, e))
}

/// Converts a stored non-negative integer.
pub(crate) fn to_u32(what: &str, v: i64) -> Result<u32, StorageError> {
    u32::try_from(v).map_err(|e| corrupt(what, e))
}

/// An instant as stored: microseconds since the Unix epoch.
pub(crate) fn ts(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// An optional instant as stored.
pub(crate) fn ts_opt(at: Option<DateTime<Utc>>) -> Option<i64> {
    at.map(ts)
}

/// A stored instant.
pub(crate) fn from_ts(what: &str, micros: i64) -> Result<DateTime<Utc>, StorageError> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| corrupt(what, micros))
}

/// A stored optional instant.
pub(crate) fn from_ts_opt(
    what: &str,
    micros: Option<i64>,
) -> Result<Option<DateTime<Utc>>, StorageError> {
    micros.map(|m| from_ts(what, m)).transpose()
}

/// A list of ids as a query parameter: a JSON array of hex strings, read in
/// SQL with `IN (SELECT unhex(value) FROM json_each(?))`.
pub(crate) fn id_list(ids: impl IntoIterator<Item = Uuid>) -> String {
    let hex: Vec<String> = ids.into_iter().map(|id| id.simple().to_string()).collect();
    serde_json::Value::from(hex).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_violations_map_to_their_conflicts() {
        let cases = [
            ("UNIQUE constraint failed: users.email", Conflict::Email),
            (
                "UNIQUE constraint failed: course_groups.invite_code",
                Conflict::InviteCode,
            ),
            (
                "UNIQUE constraint failed: attempts.quiz_id, attempts.student_id",
                Conflict::OpenAttempt,
            ),
            (
                "UNIQUE constraint failed: attempts.quiz_id, attempts.student_id, attempts.number",
                Conflict::AttemptLimit,
            ),
            (
                "UNIQUE constraint failed: users.feed_token_hash",
                Conflict::Other,
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(conflict_for(message), expected, "{message}");
        }
    }

    #[test]
    fn instants_keep_microseconds() {
        let at = DateTime::from_timestamp_micros(1_900_000_000_123_456).expect("valid");
        assert_eq!(from_ts("t", ts(at)).expect("valid"), at);
    }

    #[test]
    fn id_lists_are_json_hex() {
        let id = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        assert_eq!(id_list([id]), r#"["0123456789abcdef0123456789abcdef"]"#);
    }
}
