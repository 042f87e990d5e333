//! Groups of a course with their mentors, their codes, and moving students
//! between them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use lms_core::course::{GroupUpdate, NewGroup};
use lms_core::group::{Group, GroupMember, GroupMove, GroupName};
use lms_core::{CourseId, GroupId, UserId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, field};
use crate::state::AppState;

fn name(raw: &str) -> ApiResult<GroupName> {
    field("name", GroupName::parse(raw))
}

/// A new group.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroupRequest {
    /// 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100, example = "Группа А")]
    pub name: String,
    /// Its mentors: assistants of the course, each once (at most 20).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub mentor_ids: Vec<UserId>,
}

/// Changes to a group; a missing field stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGroupRequest {
    /// A new name, 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// The new mentors (replaces the list): assistants of the course, at most 20.
    #[schema(max_items = 20)]
    pub mentor_ids: Option<Vec<UserId>>,
    /// Archive (`true`: takes no new students, its code stops working) or
    /// bring back (`false`).
    pub archived: Option<bool>,
}

/// Where to move a student.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveStudentRequest {
    /// A group of the course that is not archived; `null` takes the student
    /// out of every group.
    pub group_id: Option<GroupId>,
}

/// The groups of a course, oldest first (its staff; only the owner and
/// admins see every group's code, a mentor their groups').
#[utoipa::path(
    get, path = "/courses/{course_id}/groups", tag = "groups",
    params(("course_id" = CourseId, Path, description = "Course id")),
    responses(
        (status = 200, description = "The groups", body = Vec<Group>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student of the course", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_groups(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
) -> ApiResult<Json<Vec<Group>>> {
    Ok(Json(
        state
            .lms
            .courses
            .list_groups(&auth.actor, course_id)
            .await?,
    ))
}

/// Creates a group with a fresh invite code (owner or admin).
#[utoipa::path(
    post, path = "/courses/{course_id}/groups", tag = "groups",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = CreateGroupRequest,
    responses(
        (status = 201, description = "Created", body = Group),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
        (status = 422, description = "Bad name, or a mentor who is not an assistant of the course", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn create_group(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<CreateGroupRequest>,
) -> ApiResult<(StatusCode, Json<Group>)> {
    let new = NewGroup {
        name: name(&req.name)?,
        mentor_ids: req.mentor_ids,
    };
    let group = state
        .lms
        .courses
        .create_group(&auth.actor, course_id, new)
        .await?;
    Ok((StatusCode::CREATED, Json(group)))
}

/// Renames a group, replaces its mentors, archives it or brings it back
/// (owner or admin).
#[utoipa::path(
    patch, path = "/groups/{group_id}", tag = "groups",
    params(("group_id" = GroupId, Path, description = "Group id")),
    request_body = UpdateGroupRequest,
    responses(
        (status = 200, description = "The group as stored", body = Group),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such group, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
        (status = 422, description = "Bad name, or a mentor who is not an assistant of the course", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn update_group(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(group_id): ApiPath<GroupId>,
    ApiJson(req): ApiJson<UpdateGroupRequest>,
) -> ApiResult<Json<Group>> {
    let update = GroupUpdate {
        name: req.name.as_deref().map(name).transpose()?,
        mentor_ids: req.mentor_ids,
        archived: req.archived,
    };
    Ok(Json(
        state
            .lms
            .courses
            .update_group(&auth.actor, group_id, update)
            .await?,
    ))
}

/// Gives a group a fresh invite code; the old one stops working (owner or
/// admin).
#[utoipa::path(
    post, path = "/groups/{group_id}/invite-code", tag = "groups",
    params(("group_id" = GroupId, Path, description = "Group id")),
    responses(
        (status = 200, description = "The group with its new code", body = Group),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such group, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn rotate_group_code(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(group_id): ApiPath<GroupId>,
) -> ApiResult<Json<Group>> {
    Ok(Json(
        state
            .lms
            .courses
            .rotate_group_code(&auth.actor, group_id)
            .await?,
    ))
}

/// The course's enrolled students with their groups, as the caller sees
/// them (the owner and admins every student, a mentor their groups').
#[utoipa::path(
    get, path = "/courses/{course_id}/group-members", tag = "groups",
    params(("course_id" = CourseId, Path, description = "Course id")),
    responses(
        (status = 200, description = "Students and their groups", body = Vec<GroupMember>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student of the course", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn group_members(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
) -> ApiResult<Json<Vec<GroupMember>>> {
    Ok(Json(
        state
            .lms
            .courses
            .group_members(&auth.actor, course_id)
            .await?,
    ))
}

/// Moves an enrolled student to a group, or out of every group; the move
/// is recorded (owner or admin).
#[utoipa::path(
    put, path = "/courses/{course_id}/students/{student_id}/group", tag = "groups",
    params(
        ("course_id" = CourseId, Path, description = "Course id"),
        ("student_id" = UserId, Path, description = "The student"),
    ),
    request_body = MoveStudentRequest,
    responses(
        (status = 200, description = "The student's group now", body = GroupMember),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course or group, or the student is not enrolled", body = ErrorBody),
        (status = 409, description = "The course or group is archived, or the student was moved meanwhile", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn move_student(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((course_id, student_id)): ApiPath<(CourseId, UserId)>,
    ApiJson(req): ApiJson<MoveStudentRequest>,
) -> ApiResult<Json<GroupMember>> {
    Ok(Json(
        state
            .lms
            .courses
            .move_student(&auth.actor, course_id, student_id, req.group_id)
            .await?,
    ))
}

/// A student's moves between the course's groups, oldest first (the staff
/// who grade them).
#[utoipa::path(
    get, path = "/courses/{course_id}/students/{student_id}/group-history", tag = "groups",
    params(
        ("course_id" = CourseId, Path, description = "Course id"),
        ("student_id" = UserId, Path, description = "The student"),
    ),
    responses(
        (status = 200, description = "The moves", body = Vec<GroupMove>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student of the course", body = ErrorBody),
        (status = 404, description = "No such course, or a student the caller does not grade", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn group_history(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((course_id, student_id)): ApiPath<(CourseId, UserId)>,
) -> ApiResult<Json<Vec<GroupMove>>> {
    Ok(Json(
        state
            .lms
            .courses
            .group_history(&auth.actor, course_id, student_id)
            .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(update_group))
        .routes(routes!(rotate_group_code))
        .routes(routes!(group_members))
        .routes(routes!(move_student))
        .routes(routes!(group_history))
}
