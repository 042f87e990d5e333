//! The lessons of a course: adding, reading, editing, deleting and
//! ordering them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lms_core::course::{Lesson, LessonInput, ReorderError};
use lms_core::richtext::RichText;
use lms_core::{CourseId, LessonId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::title;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

/// A lesson's content.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LessonRequest {
    /// Title, 1 to 200 characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub title: String,
    /// Body as HTML from the editor (sanitised on the server).
    #[serde(default)]
    pub body: String,
    /// When students may see it (RFC 3339); absent or `null`: as soon as
    /// the course is published.
    pub publish_at: Option<DateTime<Utc>>,
    /// Whether students may see the lesson; `false` makes it a draft that
    /// only the course's staff see, whatever `publish_at` says. Absent: a
    /// new lesson is published, an update keeps the current state.
    pub published: Option<bool>,
    /// Files attached to the lesson, in order, a repeated id counting once:
    /// ids of files uploaded with `POST /files?lesson_id=<this lesson>`, or
    /// the author's drafts (`POST /files` without a target), which become
    /// the lesson's. When given, the attachments become exactly these files
    /// (`[]` removes them all; any other file is refused); absent: a new
    /// lesson has none, an update keeps them.
    pub attachment_ids: Option<Vec<lms_core::FileId>>,
}

/// A new order of a course's lessons.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LessonOrderRequest {
    /// Every lesson of the course exactly once, first lesson first.
    pub lesson_ids: Vec<LessonId>,
}

/// Adds a lesson at the end of the course (owner or admin).
#[utoipa::path(
    post, path = "/courses/{course_id}/lessons", tag = "lessons",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = LessonRequest,
    responses(
        (status = 201, description = "Created", body = Lesson),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn create_lesson(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<LessonRequest>,
) -> ApiResult<(StatusCode, Json<Lesson>)> {
    let input = LessonInput {
        title: title(&req.title)?,
        body: RichText::sanitize(&req.body),
        publish_at: req.publish_at,
        published: req.published,
        attachment_ids: req.attachment_ids,
    };
    let lesson = state
        .lms
        .courses
        .create_lesson(&auth.actor, course_id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(lesson)))
}

/// The course's lessons by position; students see only lessons already
/// visible (published, publish date reached), in a published or archived
/// course they are enrolled in. Staff see drafts too.
#[utoipa::path(
    get, path = "/courses/{course_id}/lessons", tag = "lessons",
    params(("course_id" = CourseId, Path, description = "Course id")),
    responses(
        (status = 200, description = "The lessons", body = Vec<Lesson>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_lessons(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
) -> ApiResult<Json<Vec<Lesson>>> {
    Ok(Json(
        state
            .lms
            .courses
            .list_lessons(&auth.actor, course_id)
            .await?,
    ))
}

/// Puts the course's lessons in a new order (owner or admin).
#[utoipa::path(
    put, path = "/courses/{course_id}/lessons/order", tag = "lessons",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = LessonOrderRequest,
    responses(
        (status = 200, description = "The lessons in their new order", body = Vec<Lesson>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived, or its lessons changed meanwhile", body = ErrorBody),
        (status = 422, description = "Not every lesson exactly once (`lesson_ids`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn reorder_lessons(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<LessonOrderRequest>,
) -> ApiResult<Json<Vec<Lesson>>> {
    let lessons = state
        .lms
        .courses
        .reorder_lessons(&auth.actor, course_id, req.lesson_ids)
        .await
        .map_err(|e| match e {
            // The core names its parameter `order`; the request field is `lesson_ids`.
            ReorderError::InvalidOrder => ApiError::from(e).with_field("lesson_ids"),
            other => other.into(),
        })?;
    Ok(Json(lessons))
}

/// One lesson. Opening it as a student records the view for progress.
#[utoipa::path(
    get, path = "/lessons/{lesson_id}", tag = "lessons",
    params(("lesson_id" = LessonId, Path, description = "Lesson id")),
    responses(
        (status = 200, description = "The lesson", body = Lesson),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such lesson, or not visible (a draft, or not yet)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn get_lesson(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(lesson_id): ApiPath<LessonId>,
) -> ApiResult<Json<Lesson>> {
    Ok(Json(
        state.lms.courses.get_lesson(&auth.actor, lesson_id).await?,
    ))
}

/// Replaces a lesson's title, body and publish date, and its draft state
/// when `published` is given (owner or admin).
/// When `attachment_ids` is given, the lesson's attachments become exactly
/// those files, in that order, each of which must have been uploaded to this
/// lesson; when it is omitted, the attachments are kept as they are.
#[utoipa::path(
    put, path = "/lessons/{lesson_id}", tag = "lessons",
    params(("lesson_id" = LessonId, Path, description = "Lesson id")),
    request_body = LessonRequest,
    responses(
        (status = 200, description = "Updated", body = Lesson),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such lesson, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn update_lesson(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(lesson_id): ApiPath<LessonId>,
    ApiJson(req): ApiJson<LessonRequest>,
) -> ApiResult<Json<Lesson>> {
    let input = LessonInput {
        title: title(&req.title)?,
        body: RichText::sanitize(&req.body),
        publish_at: req.publish_at,
        published: req.published,
        attachment_ids: req.attachment_ids,
    };
    Ok(Json(
        state
            .lms
            .courses
            .update_lesson(&auth.actor, lesson_id, input)
            .await?,
    ))
}

/// Deletes a lesson; the following lessons move up (owner or admin).
#[utoipa::path(
    delete, path = "/lessons/{lesson_id}", tag = "lessons",
    params(("lesson_id" = LessonId, Path, description = "Lesson id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such lesson, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn delete_lesson(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(lesson_id): ApiPath<LessonId>,
) -> ApiResult<StatusCode> {
    state
        .lms
        .courses
        .delete_lesson(&auth.actor, lesson_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_lesson, list_lessons))
        .routes(routes!(reorder_lessons))
        .routes(routes!(get_lesson, update_lesson, delete_lesson))
}
