//! Badges: the caller's own, and a student's badges of one course for that
//! course's staff.

use axum::Json;
use axum::extract::State;
use lms_core::achievement::Achievement;
use lms_core::{CourseId, UserId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiPath;
use crate::state::AppState;

/// The caller's badges, oldest first.
#[utoipa::path(
    get, path = "/achievements", tag = "achievements",
    responses(
        (status = 200, description = "The badges", body = Vec<Achievement>),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn my_achievements(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<Vec<Achievement>>> {
    Ok(Json(
        state.lms.achievements.my_achievements(&auth.actor).await?,
    ))
}

/// A student's badges (per-course badges of this course only), for the
/// course's owner, assistants and admins.
#[utoipa::path(
    get, path = "/courses/{course_id}/students/{user_id}/achievements", tag = "achievements",
    params(
        ("course_id" = CourseId, Path, description = "Course id"),
        ("user_id" = UserId, Path, description = "The student"),
    ),
    responses(
        (status = 200, description = "The badges", body = Vec<Achievement>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "Not staff of the course, or the user is not its student (`student_not_found`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn student_achievements(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((course_id, user_id)): ApiPath<(CourseId, UserId)>,
) -> ApiResult<Json<Vec<Achievement>>> {
    Ok(Json(
        state
            .lms
            .achievements
            .student_achievements(&auth.actor, user_id, course_id)
            .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_achievements))
        .routes(routes!(student_achievements))
}
