//! Homework: assignments of a course, per-student extensions, hand-ins,
//! grading, returning for rework, the grade audit trail and the grading
//! queue. Authorisation is the core's ([`HomeworkService`](lms_core::homework::HomeworkService)):
//! a student only ever reaches their own submission.
//!
//! One module per use case: `assignments`, `extensions`, `submissions`
//! (handing in and reading submissions) and `grading` (grades, returns for
//! rework, the audit trail and the queue).

use chrono::{DateTime, SubsecRound, Utc};
use lms_core::FileId;
use lms_core::richtext::RichText;
use utoipa_axum::router::OpenApiRouter;

use crate::error::{ApiError, ApiResult};
use crate::extract::field;
use crate::state::AppState;

mod assignments;
mod comments;
mod extensions;
mod grading;
mod submissions;

pub use assignments::AssignmentRequest;
pub use comments::CommentRequest;
pub use extensions::ExtensionRequest;
pub use grading::{GradeRequest, QueueQuery, ReturnRequest};
pub use submissions::HandInRequest;

/// The header whose value makes a retried hand-in store nothing twice.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Parses file ids, naming the field `name` when one is not a UUID.
fn file_ids(name: &str, ids: &[String]) -> ApiResult<Vec<FileId>> {
    ids.iter()
        .map(|s| {
            uuid::Uuid::parse_str(s.trim())
                .map(FileId)
                .map_err(|_| ApiError::invalid_field(name, format!("{s:?} is not a file id")))
        })
        .collect()
}

/// Parses an RFC 3339 instant into UTC, to the whole second: storage keeps
/// at most microseconds, and a response must show what a later read shows.
fn instant(name: &str, s: &str) -> ApiResult<DateTime<Utc>> {
    field(
        name,
        DateTime::parse_from_rfc3339(s.trim())
            .map(|d| d.with_timezone(&Utc).trunc_subsecs(0))
            .map_err(|_| "must be an RFC 3339 instant such as 2026-03-01T18:00:00Z"),
    )
}

fn optional_instant(name: &str, s: Option<&str>) -> ApiResult<Option<DateTime<Utc>>> {
    s.map(|s| instant(name, s)).transpose()
}

fn sanitized(s: &str) -> RichText {
    RichText::sanitize(s)
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(assignments::routes())
        .merge(extensions::routes())
        .merge(submissions::routes())
        .merge(comments::routes())
        .merge(grading::routes())
}
