//! Course announcements: the owner writes to the course or some groups, a
//! mentor to their groups; each reader lists what is meant for them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use lms_core::announcement::{Announcement, MAX_ANNOUNCEMENT_BYTES, NewAnnouncement};
use lms_core::course::MAX_GROUPS_PER_COURSE;
use lms_core::{AnnouncementId, CourseId, GroupId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::title;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// The most HTML an announcement may arrive with, before sanitising (the
/// stored text is at most [`MAX_ANNOUNCEMENT_BYTES`]).
const MAX_RAW_ANNOUNCEMENT_BYTES: usize = 4 * MAX_ANNOUNCEMENT_BYTES;

/// A new announcement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementRequest {
    /// Headline (1 to 200 characters).
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Rich text (HTML from the editor; sanitised); may be empty. Pictures
    /// are files uploaded as drafts (`POST /files`); they become the
    /// course's.
    #[serde(default)]
    #[schema(max_length = 80000)]
    pub body: String,
    /// The groups it is for. Empty or missing: the whole course from the
    /// owner; every group they mentor from a mentor.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub group_ids: Vec<GroupId>,
}

/// How many announcements to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AnnouncementsQuery {
    /// At most this many, newest first (1..=100, default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// The course's announcements the caller reads, newest first: a student
/// those for the whole course and their group, a mentor also their
/// groups' and their own, the owner and admins every one.
#[utoipa::path(
    get, path = "/courses/{course_id}/announcements", tag = "announcements",
    params(("course_id" = CourseId, Path, description = "Course id"), AnnouncementsQuery),
    responses(
        (status = 200, description = "The announcements", body = Vec<Announcement>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_announcements(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiQuery(q): ApiQuery<AnnouncementsQuery>,
) -> ApiResult<Json<Vec<Announcement>>> {
    Ok(Json(
        state
            .lms
            .announcements
            .list(&auth.actor, course_id, q.limit.unwrap_or(20))
            .await?,
    ))
}

/// Posts an announcement; its students are told in the app and by their
/// preferences.
#[utoipa::path(
    post, path = "/courses/{course_id}/announcements", tag = "announcements",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = AnnouncementRequest,
    responses(
        (status = 201, description = "The announcement as stored", body = Announcement),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student, or an assistant who mentors no group (`no_groups`)", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
        (status = 422, description = "An invalid title, a too long text, or a group the caller may not write to", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn post_announcement(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<AnnouncementRequest>,
) -> ApiResult<(StatusCode, Json<Announcement>)> {
    if req.body.len() > MAX_RAW_ANNOUNCEMENT_BYTES {
        return Err(ApiError::invalid_field(
            "body",
            format!("at most {MAX_RAW_ANNOUNCEMENT_BYTES} bytes"),
        ));
    }
    if req.group_ids.len() > MAX_GROUPS_PER_COURSE {
        return Err(ApiError::invalid_field(
            "group_ids",
            format!("at most {MAX_GROUPS_PER_COURSE} groups"),
        ));
    }
    let input = NewAnnouncement {
        title: title(&req.title)?,
        body: lms_core::richtext::RichText::sanitize(&req.body),
        group_ids: req.group_ids,
    };
    let announcement = state
        .lms
        .announcements
        .post(&auth.actor, course_id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(announcement)))
}

/// Deletes an announcement (its author, or the course's owner or an admin).
#[utoipa::path(
    delete, path = "/announcements/{announcement_id}", tag = "announcements",
    params(("announcement_id" = AnnouncementId, Path, description = "Announcement id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A reader who may not delete it", body = ErrorBody),
        (status = 404, description = "No such announcement, or not one the caller reads", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn delete_announcement(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<AnnouncementId>,
) -> ApiResult<StatusCode> {
    state.lms.announcements.delete(&auth.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_announcements, post_announcement))
        .routes(routes!(delete_announcement))
}
