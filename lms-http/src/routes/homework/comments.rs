//! The thread of a submission: its student and the staff who grade them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use lms_core::homework::{CommentThread, MAX_COMMENT_BYTES, MAX_COMMENT_FILES, SubmissionComment};
use lms_core::{FileId, SubmissionId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

/// The most HTML a message may arrive with, before sanitising (the stored
/// message is at most [`MAX_COMMENT_BYTES`]).
const MAX_RAW_COMMENT_BYTES: usize = 4 * MAX_COMMENT_BYTES;

/// A message.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    /// Rich text (HTML from the editor; sanitised). Pictures are files
    /// uploaded as drafts (`POST /files`); they become the submission's.
    #[serde(default)]
    #[schema(max_length = 80000)]
    pub body: String,
    /// Files to attach: the caller's uploads (`POST /files`) not yet part
    /// of anything, at most 10. They become the submission's files.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub file_ids: Vec<FileId>,
}

/// The thread of a submission with the caller's read mark (its student and
/// the staff who grade them; a mentor of another group gets 404).
#[utoipa::path(
    get, path = "/submissions/{submission_id}/comments", tag = "homework",
    params(("submission_id" = SubmissionId, Path, description = "Submission id")),
    responses(
        (status = 200, description = "The thread, oldest message first", body = CommentThread),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such submission, or not one of the caller's threads", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn thread(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SubmissionId>,
) -> ApiResult<Json<CommentThread>> {
    Ok(Json(
        state.lms.homework.comment_thread(&auth.actor, id).await?,
    ))
}

/// Posts a message; the other side is told in the app and by their
/// preferences (a student's message goes to their group's mentors, or the
/// course owner).
#[utoipa::path(
    post, path = "/submissions/{submission_id}/comments", tag = "homework",
    params(("submission_id" = SubmissionId, Path, description = "Submission id")),
    request_body = CommentRequest,
    responses(
        (status = 201, description = "The message as stored", body = SubmissionComment),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such submission, or not one of the caller's threads", body = ErrorBody),
        (status = 409, description = "The course is archived, or the thread is full", body = ErrorBody),
        (status = 422, description = "An empty or too long message, or a file that is not the caller's upload waiting to be attached", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn post_comment(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SubmissionId>,
    ApiJson(req): ApiJson<CommentRequest>,
) -> ApiResult<(StatusCode, Json<SubmissionComment>)> {
    if req.body.len() > MAX_RAW_COMMENT_BYTES {
        return Err(ApiError::invalid_field(
            "body",
            format!("at most {MAX_RAW_COMMENT_BYTES} bytes"),
        ));
    }
    if req.file_ids.len() > MAX_COMMENT_FILES {
        return Err(ApiError::invalid_field(
            "file_ids",
            format!("at most {MAX_COMMENT_FILES} files"),
        ));
    }
    let body = super::sanitized(&req.body);
    let comment = state
        .lms
        .homework
        .post_comment(&auth.actor, id, body, req.file_ids)
        .await?;
    Ok((StatusCode::CREATED, Json(comment)))
}

/// Marks the thread read by the caller up to now.
#[utoipa::path(
    post, path = "/submissions/{submission_id}/comments/read", tag = "homework",
    params(("submission_id" = SubmissionId, Path, description = "Submission id")),
    responses(
        (status = 204, description = "Marked"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such submission, or not one of the caller's threads", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn mark_thread_read(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SubmissionId>,
) -> ApiResult<StatusCode> {
    state.lms.homework.mark_thread_read(&auth.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(thread, post_comment))
        .routes(routes!(mark_thread_read))
}
