//! The assistants of a course, who check its homework.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use lms_core::user::User;
use lms_core::{CourseId, UserId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

/// An assistant to assign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssistantRequest {
    /// An active assistant or teacher (not the owner).
    pub user_id: UserId,
}

/// Assigns an assistant to check homework in the course (owner or admin).
#[utoipa::path(
    post, path = "/courses/{course_id}/assistants", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = AssistantRequest,
    responses(
        (status = 201, description = "Assigned; the assistant's account", body = User),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "Already an assistant", body = ErrorBody),
        (status = 422, description = "Not an active assistant or teacher, or the owner (`user_id`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn add_assistant(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<AssistantRequest>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let courses = &state.lms.courses;
    courses
        .add_assistant(&auth.actor, course_id, req.user_id)
        .await?;
    let user = courses
        .list_assistants(&auth.actor, course_id)
        .await?
        .into_iter()
        .find(|u| u.id == req.user_id)
        // Removed again between the two calls.
        .ok_or_else(|| {
            ApiError::new(StatusCode::CONFLICT, "stale", "assistant removed meanwhile")
        })?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// The course's assistants (owner or admin).
#[utoipa::path(
    get, path = "/courses/{course_id}/assistants", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    responses(
        (status = 200, description = "The assistants", body = Vec<User>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_assistants(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(
        state
            .lms
            .courses
            .list_assistants(&auth.actor, course_id)
            .await?,
    ))
}

/// Unassigns an assistant (owner or admin).
#[utoipa::path(
    delete, path = "/courses/{course_id}/assistants/{user_id}", tag = "courses",
    params(
        ("course_id" = CourseId, Path, description = "Course id"),
        ("user_id" = UserId, Path, description = "The assistant"),
    ),
    responses(
        (status = 204, description = "Unassigned"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not an assistant (`not_assistant`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn remove_assistant(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((course_id, user_id)): ApiPath<(CourseId, UserId)>,
) -> ApiResult<StatusCode> {
    if state
        .lms
        .courses
        .remove_assistant(&auth.actor, course_id, user_id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(
            "not_assistant",
            "the user is not an assistant of this course",
        ))
    }
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_assistant, list_assistants))
        .routes(routes!(remove_assistant))
}
