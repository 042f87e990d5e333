//! Personal dashboards: a student's progress, homework, results, deadlines,
//! webinars and badges; a teacher's or assistant's queue of work to check,
//! course statistics and webinars; and one course's statistics.

use axum::Json;
use axum::extract::State;
use lms_core::CourseId;
use lms_core::dashboard::{
    CourseStatistics, DEFAULT_INACTIVE_DAYS, StaffDashboard, StudentDashboard, WatchedGroup,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, GroupQuery};
use crate::state::AppState;

/// The calling student's dashboard.
#[utoipa::path(
    get, path = "/dashboard/student", tag = "dashboard",
    responses(
        (status = 200, description = "The dashboard", body = StudentDashboard),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a student (`not_a_student`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn student_dashboard(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<StudentDashboard>> {
    Ok(Json(
        state.lms.dashboards.student_dashboard(&auth.actor).await?,
    ))
}

/// The calling teacher's, assistant's or admin's dashboard over the courses
/// they own or assist in.
#[utoipa::path(
    get, path = "/dashboard/staff", tag = "dashboard",
    responses(
        (status = 200, description = "The dashboard", body = StaffDashboard),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student (`not_staff`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn staff_dashboard(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<StaffDashboard>> {
    Ok(Json(
        state.lms.dashboards.staff_dashboard(&auth.actor).await?,
    ))
}

/// Statistics of one course (owner, assistants, admins): a mentor's cover
/// their groups' students; `group_id` narrows to one group.
#[utoipa::path(
    get, path = "/courses/{course_id}/statistics", tag = "dashboard",
    params(("course_id" = CourseId, Path, description = "Course id"), GroupQuery),
    responses(
        (status = 200, description = "The statistics", body = CourseStatistics),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student of the course", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn course_statistics(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiQuery(q): ApiQuery<GroupQuery>,
) -> ApiResult<Json<CourseStatistics>> {
    Ok(Json(
        state
            .lms
            .dashboards
            .course_statistics(&auth.actor, course_id, q.group_id)
            .await?,
    ))
}

/// What counts as falling behind.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WatchQuery {
    /// A student with no lesson view, hand-in or attempt for this many days
    /// is behind (1..=90, default 7).
    #[param(minimum = 1, maximum = 90)]
    pub inactive_days: Option<u32>,
}

/// The groups the caller watches (those they mentor, and every group of
/// the courses they own), each with the students who fall behind: overdue
/// homework, or no activity for `inactive_days` days.
#[utoipa::path(
    get, path = "/dashboard/groups", tag = "dashboard",
    params(WatchQuery),
    responses(
        (status = 200, description = "The groups, by course title then name", body = Vec<WatchedGroup>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student (`not_staff`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn watched_groups(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<WatchQuery>,
) -> ApiResult<Json<Vec<WatchedGroup>>> {
    Ok(Json(
        state
            .lms
            .dashboards
            .watched_groups(
                &auth.actor,
                q.inactive_days.unwrap_or(DEFAULT_INACTIVE_DAYS),
            )
            .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(student_dashboard))
        .routes(routes!(staff_dashboard))
        .routes(routes!(watched_groups))
        .routes(routes!(course_statistics))
}
