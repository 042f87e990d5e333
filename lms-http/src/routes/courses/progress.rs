//! A student's progress through a course's lessons: which they opened and
//! the lesson to continue with.

use axum::Json;
use axum::extract::State;
use lms_core::CourseId;
use lms_core::course::LessonProgress;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiPath;
use crate::state::AppState;

/// The logged-in student's progress through the course's visible lessons:
/// each with whether it was opened, and the first one not opened yet
/// ("continue where you stopped"). Only the course's students have one.
#[utoipa::path(
    get, path = "/courses/{course_id}/my-progress", tag = "lessons",
    params(("course_id" = CourseId, Path, description = "Course id")),
    responses(
        (status = 200, description = "The student's progress", body = LessonProgress),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a student of the course", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn my_progress(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
) -> ApiResult<Json<LessonProgress>> {
    Ok(Json(
        state
            .lms
            .courses
            .my_lesson_progress(&auth.actor, course_id)
            .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(my_progress))
}
