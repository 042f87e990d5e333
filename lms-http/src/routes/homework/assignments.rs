//! Creating, listing, reading and changing the assignments of a course.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, SubsecRound, Utc};
use lms_core::course::Title;
use lms_core::file::FileLimits;
use lms_core::homework::{
    Assignment, AssignmentError, AssignmentInput, AssignmentView, LatePolicy, SubmissionKind,
};
use lms_core::score::Points;
use lms_core::{AssignmentId, CourseId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{file_ids, instant, optional_instant, sanitized};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, field};
use crate::state::AppState;

/// The fields of an assignment, for creating one and for replacing them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRequest {
    /// Title, 1 to 200 characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub title: String,
    /// Instructions as HTML from the rich-text editor; sanitised on the
    /// server (scripts, event handlers and unknown tags are removed).
    #[serde(default)]
    pub instructions: String,
    /// RFC 3339 instant from which students see it and can hand in
    /// (`2026-03-01T09:00:00Z`; an offset is converted to UTC). Default:
    /// now when creating, unchanged when updating.
    #[schema(format = DateTime)]
    pub opens_at: Option<String>,
    /// Due date, RFC 3339 instant; stored and returned in UTC. Later
    /// hand-ins are flagged late.
    #[schema(format = DateTime)]
    pub due_at: String,
    /// Cut-off, RFC 3339 instant not before `due_at`: after it nothing is
    /// accepted. Absent or `null`: late work is always accepted.
    #[schema(format = DateTime)]
    pub cut_off_at: Option<String>,
    /// The most points a submission can earn (more than 0, at most 100000).
    #[schema(exclusive_minimum = 0, maximum = 100_000)]
    pub max_score: f64,
    /// Late penalty; default `{"kind": "no_penalty"}`. Otherwise
    /// `{"kind": "percent_per_day", "percent_per_day": 10, "floor_percent": 50}`.
    #[serde(default = "no_penalty")]
    pub late_policy: LatePolicy,
    /// `text`, `files` or `text_and_files` (default).
    #[serde(default = "text_and_files")]
    pub submission_kind: SubmissionKind,
    /// Limits on the files of one hand-in; default 5 files of 20 MiB each,
    /// any type.
    #[serde(default)]
    pub file_limits: Option<FileLimits>,
    /// Whether students see it (default `false`: a draft). Publishing
    /// notifies the enrolled students.
    #[serde(default)]
    pub published: bool,
    /// Files attached to the instructions, in order: ids of files uploaded
    /// for this assignment (`POST /files?assignment_id=…&attach=true`), or
    /// the author's drafts (`POST /files` without a target), which become
    /// the assignment's. Absent: a new assignment has none, an update keeps
    /// them.
    #[schema(value_type = Option<Vec<lms_core::FileId>>)]
    pub attachment_ids: Option<Vec<String>>,
}

fn no_penalty() -> LatePolicy {
    LatePolicy::NoPenalty
}

fn text_and_files() -> SubmissionKind {
    SubmissionKind::TextAndFiles
}
/// An assignment error, naming the request field where the core's message
/// does not start with it.
fn assignment_error(e: AssignmentError) -> ApiError {
    let field = match &e {
        AssignmentError::DueBeforeOpen => "due_at".to_owned(),
        AssignmentError::CutOffBeforeDue => "cut_off_at".to_owned(),
        AssignmentError::ZeroMaxScore => "max_score".to_owned(),
        AssignmentError::LatePercent { field } => format!("late_policy.{field}"),
        AssignmentError::FileLimits { field, .. } => format!("file_limits.{field}"),
        _ => return e.into(),
    };
    ApiError::from(e).with_field(&field)
}
/// The domain input of an assignment request. `opens_at` defaults to
/// `default_opens_at`; the core resolves `attachment_ids`.
fn assignment_input(
    req: AssignmentRequest,
    default_opens_at: DateTime<Utc>,
) -> ApiResult<AssignmentInput> {
    let attachment_ids = req
        .attachment_ids
        .as_deref()
        .map(|ids| file_ids("attachment_ids", ids))
        .transpose()?;
    Ok(AssignmentInput {
        title: field("title", Title::parse(&req.title))?,
        instructions: sanitized(&req.instructions),
        attachment_ids,
        opens_at: optional_instant("opens_at", req.opens_at.as_deref())?
            .unwrap_or(default_opens_at),
        due_at: instant("due_at", &req.due_at)?,
        cut_off_at: optional_instant("cut_off_at", req.cut_off_at.as_deref())?,
        max_score: field("max_score", Points::new(req.max_score))?,
        late_policy: req.late_policy,
        submission_kind: req.submission_kind,
        file_limits: req.file_limits.unwrap_or_default(),
        published: req.published,
    })
}

/// Creates an assignment in a course (its owner or an admin).
#[utoipa::path(
    post, path = "/courses/{course_id}/assignments", tag = "homework",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = AssignmentRequest,
    responses(
        (status = 201, description = "Created", body = Assignment),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn create_assignment(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<AssignmentRequest>,
) -> ApiResult<(StatusCode, Json<Assignment>)> {
    let now = state.lms.clock().now().trunc_subsecs(0);
    let input = assignment_input(req, now)?;
    let assignment = state
        .lms
        .homework
        .create_assignment(&auth.actor, course_id, input)
        .await
        .map_err(assignment_error)?;
    Ok((StatusCode::CREATED, Json(assignment)))
}

/// The assignments of a course: every one for its staff; for a student the
/// published ones that have opened, each with the student's deadline
/// (extension applied), status and own submission.
#[utoipa::path(
    get, path = "/courses/{course_id}/assignments", tag = "homework",
    params(("course_id" = CourseId, Path, description = "Course id")),
    responses(
        (status = 200, description = "The assignments", body = Vec<AssignmentView>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_assignments(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
) -> ApiResult<Json<Vec<AssignmentView>>> {
    Ok(Json(
        state
            .lms
            .homework
            .list_assignments(&auth.actor, course_id)
            .await?,
    ))
}

/// One assignment as the actor sees it (a student: with their deadline,
/// status and submission).
#[utoipa::path(
    get, path = "/assignments/{assignment_id}", tag = "homework",
    params(("assignment_id" = AssignmentId, Path, description = "Assignment id")),
    responses(
        (status = 200, description = "The assignment", body = AssignmentView),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such assignment, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn get_assignment(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<AssignmentId>,
) -> ApiResult<Json<AssignmentView>> {
    Ok(Json(
        state.lms.homework.get_assignment(&auth.actor, id).await?,
    ))
}

/// Replaces an assignment's fields (the course's owner or an admin);
/// attachments are replaced only when `attachment_ids` is given. Publishing a draft notifies the students.
#[utoipa::path(
    put, path = "/assignments/{assignment_id}", tag = "homework",
    params(("assignment_id" = AssignmentId, Path, description = "Assignment id")),
    request_body = AssignmentRequest,
    responses(
        (status = 200, description = "Updated", body = Assignment),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's owner or an admin", body = ErrorBody),
        (status = 404, description = "No such assignment, or not visible", body = ErrorBody),
        (status = 409, description = "Course archived, or max_score below a given grade", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn update_assignment(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<AssignmentId>,
    ApiJson(req): ApiJson<AssignmentRequest>,
) -> ApiResult<Json<Assignment>> {
    // The current `opens_at` fills in when the request leaves it out;
    // reading goes through the service, so whoever may not see it gets its 404.
    let current = state
        .lms
        .homework
        .get_assignment(&auth.actor, id)
        .await?
        .assignment;
    let input = assignment_input(req, current.opens_at)?;
    Ok(Json(
        state
            .lms
            .homework
            .update_assignment(&auth.actor, id, input)
            .await
            .map_err(assignment_error)?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_assignment, list_assignments))
        .routes(routes!(get_assignment, update_assignment))
}
