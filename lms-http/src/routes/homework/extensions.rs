//! Per-student extensions of an assignment's deadline.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use lms_core::homework::{Extension, ExtensionError, ExtensionInput};
use lms_core::{AssignmentId, UserId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{instant, optional_instant};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, field};
use crate::state::AppState;

/// A per-student extension of an assignment's deadline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    /// The student (enrolled in the course).
    #[schema(value_type = lms_core::UserId)]
    pub student_id: String,
    /// The student's due date, RFC 3339 instant.
    #[schema(format = DateTime)]
    pub due_at: String,
    /// The student's cut-off, RFC 3339 instant not before `due_at`; absent:
    /// none (late work always accepted from this student).
    #[schema(format = DateTime)]
    pub cut_off_at: Option<String>,
}
/// Grants (or replaces) a student's extension (the course's owner or an
/// admin).
#[utoipa::path(
    post, path = "/assignments/{assignment_id}/extensions", tag = "homework",
    params(("assignment_id" = AssignmentId, Path, description = "Assignment id")),
    request_body = ExtensionRequest,
    responses(
        (status = 201, description = "Granted", body = Extension),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's owner or an admin", body = ErrorBody),
        (status = 404, description = "No such assignment, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
        (status = 422, description = "Invalid field, or the student is not enrolled", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn grant_extension(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(assignment_id): ApiPath<AssignmentId>,
    ApiJson(req): ApiJson<ExtensionRequest>,
) -> ApiResult<(StatusCode, Json<Extension>)> {
    let input = ExtensionInput {
        assignment_id,
        student_id: field(
            "student_id",
            uuid::Uuid::parse_str(req.student_id.trim()).map(UserId),
        )?,
        due_at: instant("due_at", &req.due_at)?,
        cut_off_at: optional_instant("cut_off_at", req.cut_off_at.as_deref())?,
    };
    let extension = state
        .lms
        .homework
        .grant_extension(&auth.actor, input)
        .await
        .map_err(|e| match e {
            ExtensionError::CutOffBeforeDue => ApiError::from(e).with_field("cut_off_at"),
            e => e.into(),
        })?;
    Ok((StatusCode::CREATED, Json(extension)))
}

/// Every extension of an assignment (the course's staff).
#[utoipa::path(
    get, path = "/assignments/{assignment_id}/extensions", tag = "homework",
    params(("assignment_id" = AssignmentId, Path, description = "Assignment id")),
    responses(
        (status = 200, description = "The extensions", body = Vec<Extension>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student", body = ErrorBody),
        (status = 404, description = "No such assignment, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_extensions(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(assignment_id): ApiPath<AssignmentId>,
) -> ApiResult<Json<Vec<Extension>>> {
    Ok(Json(
        state
            .lms
            .homework
            .list_extensions(&auth.actor, assignment_id)
            .await?,
    ))
}

/// Revokes a student's extension (the course's owner or an admin).
#[utoipa::path(
    delete, path = "/assignments/{assignment_id}/extensions/{student_id}", tag = "homework",
    params(
        ("assignment_id" = AssignmentId, Path, description = "Assignment id"),
        ("student_id" = UserId, Path, description = "The student"),
    ),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's owner or an admin", body = ErrorBody),
        (status = 404, description = "No such assignment or extension", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn revoke_extension(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((assignment_id, student_id)): ApiPath<(AssignmentId, UserId)>,
) -> ApiResult<StatusCode> {
    state
        .lms
        .homework
        .revoke_extension(&auth.actor, assignment_id, student_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(grant_extension, list_extensions))
        .routes(routes!(revoke_extension))
}
