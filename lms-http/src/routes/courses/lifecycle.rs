//! Creating, listing, reading and editing courses, and their draft →
//! published → archived lifecycle.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use lms_core::course::{
    Course, CourseCover, CourseRole, CourseStatus, CourseUpdate, CourseView, NewCourse,
};
use lms_core::richtext::RichText;
use lms_core::{CourseId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::title;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Pagination, field};
use crate::state::AppState;

/// A new course. It starts as a draft with a fresh invite code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCourseRequest {
    /// Title, 1 to 200 characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub title: String,
    /// Description as HTML from the editor (sanitised on the server).
    #[serde(default)]
    pub description: String,
    /// The owning teacher (admins only; teachers own what they create).
    pub owner_id: Option<UserId>,
}

/// New title and description of a course.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCourseRequest {
    /// Title, 1 to 200 characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub title: String,
    /// Description as HTML from the editor (sanitised on the server).
    #[serde(default)]
    pub description: String,
}

/// A lifecycle change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// `draft`, `published` or `archived`.
    #[schema(value_type = lms_core::course::CourseStatus)]
    pub status: String,
}

/// A course as the caller sees it, with their role in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseViewResponse {
    /// The course; `invite_code` is shown to its staff only.
    pub course: Course,
    /// The caller's role in the course; `null` for an admin who is not a member.
    pub role: Option<CourseRole>,
    /// Whether the caller may manage the course (owner or admin, never an
    /// assistant): edit it, its cover, status, invite code, staff,
    /// enrolment, lessons, assignments, quizzes and webinars. An archived
    /// course still answers edits with 409 until it is published again.
    pub can_manage: bool,
    /// Whether the caller may grade in the course (owner, assistants,
    /// admins): see its students, submissions, gradebook and statistics,
    /// and check homework.
    pub can_grade: bool,
    /// Whether the caller may study in the course (an enrolled student
    /// while it is published): hand in homework and take quizzes.
    pub can_study: bool,
}

impl From<CourseView> for CourseViewResponse {
    fn from(v: CourseView) -> Self {
        Self {
            course: v.course,
            role: v.role,
            can_manage: v.can_manage,
            can_grade: v.can_grade,
            can_study: v.can_study,
        }
    }
}

/// Creates a draft course (teachers and admins).
#[utoipa::path(
    post, path = "/courses", tag = "courses",
    request_body = CreateCourseRequest,
    responses(
        (status = 201, description = "Created", body = Course),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a teacher or admin, or a teacher naming another owner", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn create_course(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<CreateCourseRequest>,
) -> ApiResult<(StatusCode, Json<Course>)> {
    let new = NewCourse {
        title: title(&req.title)?,
        description: RichText::sanitize(&req.description),
        owner_id: req.owner_id,
    };
    let course = state.lms.courses.create_course(&auth.actor, new).await?;
    Ok((StatusCode::CREATED, Json(course)))
}

/// The caller's courses, newest first: those they own, assist in or study
/// in (students do not see drafts); every course for an admin.
#[utoipa::path(
    get, path = "/courses", tag = "courses",
    params(Pagination),
    responses(
        (status = 200, description = "A page of courses", body = Vec<CourseViewResponse>),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_courses(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(page): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<CourseViewResponse>>> {
    let courses = state
        .lms
        .courses
        .list_my_courses(&auth.actor, page.page())
        .await?;
    Ok(Json(courses.into_iter().map(Into::into).collect()))
}

/// One course as the caller sees it.
#[utoipa::path(
    get, path = "/courses/{course_id}", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    responses(
        (status = 200, description = "The course", body = CourseViewResponse),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such course, or not visible (e.g. a draft for a student)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn get_course(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
) -> ApiResult<Json<CourseViewResponse>> {
    let view = state.lms.courses.get_course(&auth.actor, course_id).await?;
    Ok(Json(view.into()))
}

/// Changes a course's title and description (owner or admin).
#[utoipa::path(
    put, path = "/courses/{course_id}", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = UpdateCourseRequest,
    responses(
        (status = 200, description = "Updated", body = Course),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn update_course(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<UpdateCourseRequest>,
) -> ApiResult<Json<Course>> {
    let update = CourseUpdate {
        title: title(&req.title)?,
        description: RichText::sanitize(&req.description),
    };
    Ok(Json(
        state
            .lms
            .courses
            .update_course(&auth.actor, course_id, update)
            .await?,
    ))
}

/// Moves a course through its lifecycle: draft → published, published →
/// draft (only while nobody is enrolled), published → archived, archived →
/// published (owner or admin).
#[utoipa::path(
    put, path = "/courses/{course_id}/status", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = StatusRequest,
    responses(
        (status = 200, description = "Updated", body = Course),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "Transition not allowed, or students enrolled", body = ErrorBody),
        (status = 422, description = "Unknown status", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn set_status(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<StatusRequest>,
) -> ApiResult<Json<Course>> {
    let status = field(
        "status",
        CourseStatus::parse(&req.status).ok_or("must be draft, published or archived"),
    )?;
    Ok(Json(
        state
            .lms
            .courses
            .set_status(&auth.actor, course_id, status)
            .await?,
    ))
}

/// A course card's cover theme.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverRequest {
    /// One of `math`, `physics`, `chemistry`, `biology`, `literature`,
    /// `languages`, `history`, `geography`, `programming`, `art`, `music`,
    /// `exam`; `null` lets the UI pick a theme from the title.
    #[schema(max_length = 32)]
    pub cover: Option<String>,
}

/// Sets a course card's cover theme, or clears it (owner or admin).
#[utoipa::path(
    put, path = "/courses/{course_id}/cover", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = CoverRequest,
    responses(
        (status = 200, description = "Updated", body = Course),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
        (status = 422, description = "Unknown cover", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn set_cover(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<CoverRequest>,
) -> ApiResult<Json<Course>> {
    let cover = req
        .cover
        .map(|name| {
            field(
                "cover",
                CourseCover::parse(&name).ok_or(
                    "must be one of math, physics, chemistry, biology, literature, languages, \
                     history, geography, programming, art, music, exam",
                ),
            )
        })
        .transpose()?;
    Ok(Json(
        state
            .lms
            .courses
            .set_cover(&auth.actor, course_id, cover)
            .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_course, list_courses))
        .routes(routes!(get_course, update_course))
        .routes(routes!(set_status))
        .routes(routes!(set_cover))
}
