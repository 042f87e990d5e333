//! Handing in homework, and reading submissions.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use lms_core::homework::{
    HandInError, HandInInput, HandInResult, Submission, SubmissionFilter, SubmissionState,
};
use lms_core::{AssignmentId, SubmissionId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{IDEMPOTENCY_KEY, file_ids, sanitized};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Pagination, student_filter};
use crate::state::AppState;

/// A hand-in: a new version of the student's homework. Send an
/// `Idempotency-Key` header to make a retry store nothing twice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandInRequest {
    /// Text answer as HTML from the rich-text editor (sanitised); blank
    /// counts as none.
    pub text: Option<String>,
    /// Ids of files the student uploaded with `POST /files` beforehand (or
    /// kept from an earlier version of this submission). Checked against
    /// the assignment's `submission_kind` and `file_limits` with the sizes
    /// and types stored at upload.
    #[serde(default)]
    #[schema(value_type = Vec<lms_core::FileId>)]
    pub file_ids: Vec<String>,
}
/// Hands in a new version of the actor's homework (enrolled students).
/// Earlier versions are kept. 201 when stored; 200 with `duplicate: true`
/// when the `Idempotency-Key` was used before and nothing was stored.
#[utoipa::path(
    post, path = "/assignments/{assignment_id}/submissions", tag = "homework",
    params(
        ("assignment_id" = AssignmentId, Path, description = "Assignment id"),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[ -~]+$", description = "Makes a retried hand-in store nothing twice (1 to 255 printable ASCII characters)"),
    ),
    request_body = HandInRequest,
    responses(
        (status = 201, description = "Stored", body = HandInResult),
        (status = 200, description = "A retry: nothing stored again", body = HandInResult),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an enrolled student, or a file of someone else", body = ErrorBody),
        (status = 404, description = "No such assignment, or not visible; or a file id that is not the student's upload (`file_not_found`, field `file_ids`)", body = ErrorBody),
        (status = 409, description = "Past the cut-off, already graded, the course is archived, or a file is attached elsewhere (`file_in_use`)", body = ErrorBody),
        (status = 413, description = "A file is too large", body = ErrorBody),
        (status = 415, description = "A file type is not allowed", body = ErrorBody),
        (status = 422, description = "Nothing handed in, a kind not accepted, too many files", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn hand_in(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(assignment_id): ApiPath<AssignmentId>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<HandInRequest>,
) -> ApiResult<(StatusCode, Json<HandInResult>)> {
    let idempotency_key = match headers.get(IDEMPOTENCY_KEY) {
        Some(v) => Some(
            v.to_str()
                .map_err(|_| {
                    ApiError::bad_request(
                        "invalid_idempotency_key",
                        "the Idempotency-Key header must be visible ASCII",
                    )
                })?
                .to_owned(),
        ),
        None => None,
    };
    let input = HandInInput {
        text: req.text.as_deref().map(sanitized),
        file_ids: file_ids("file_ids", &req.file_ids)?,
        idempotency_key,
    };
    let result = state
        .lms
        .homework
        .hand_in(&auth.actor, assignment_id, input)
        .await
        .map_err(|e| match e {
            HandInError::FileNotFound(_) | HandInError::FileInUse(_) => {
                ApiError::from(e).with_field("file_ids")
            }
            e => e.into(),
        })?;
    let status = if result.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(result)))
}

/// The actor's own submission to an assignment, every version included;
/// `null` when nothing was handed in yet.
#[utoipa::path(
    get, path = "/assignments/{assignment_id}/submissions/me", tag = "homework",
    params(("assignment_id" = AssignmentId, Path, description = "Assignment id")),
    responses(
        (status = 200, description = "The submission, or null", body = Option<Submission>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such assignment, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn my_submission(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(assignment_id): ApiPath<AssignmentId>,
) -> ApiResult<Json<Option<Submission>>> {
    Ok(Json(
        state
            .lms
            .homework
            .my_submission(&auth.actor, assignment_id)
            .await?,
    ))
}

/// Which of an assignment's submissions to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubmissionsQuery {
    /// Work of students whose e-mail, name or a word of the name starts
    /// with this.
    #[param(max_length = 254)]
    pub q: Option<String>,
    /// Only submissions in this state.
    pub state: Option<SubmissionState>,
    /// Only students in this group of the course.
    #[param(value_type = Option<String>, format = Uuid)]
    pub group_id: Option<lms_core::GroupId>,
    /// At most this many (1..=200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 2_147_483_647)]
    #[serde(default, deserialize_with = "crate::extract::offset")]
    pub offset: Option<u32>,
}

/// Every student's submission to an assignment, by first hand-in,
/// optionally only those a search or a state finds (the course's staff).
#[utoipa::path(
    get, path = "/assignments/{assignment_id}/submissions", tag = "homework",
    params(
        ("assignment_id" = AssignmentId, Path, description = "Assignment id"),
        SubmissionsQuery,
    ),
    responses(
        (status = 200, description = "A page of submissions", body = Vec<Submission>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student", body = ErrorBody),
        (status = 404, description = "No such assignment, or not visible", body = ErrorBody),
        (status = 422, description = "`q` longer than 254 bytes", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_submissions(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(assignment_id): ApiPath<AssignmentId>,
    ApiQuery(q): ApiQuery<SubmissionsQuery>,
) -> ApiResult<Json<Vec<Submission>>> {
    let filter = SubmissionFilter {
        students: student_filter(q.q, None, q.group_id)?,
        state: q.state,
    };
    let page = Pagination {
        limit: q.limit,
        offset: q.offset,
    }
    .page();
    Ok(Json(
        state
            .lms
            .homework
            .list_submissions(&auth.actor, assignment_id, &filter, page)
            .await?,
    ))
}

/// One submission: the student's own, or any in a course the actor checks.
#[utoipa::path(
    get, path = "/submissions/{submission_id}", tag = "homework",
    params(("submission_id" = SubmissionId, Path, description = "Submission id")),
    responses(
        (status = 200, description = "The submission", body = Submission),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such submission, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn get_submission(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SubmissionId>,
) -> ApiResult<Json<Submission>> {
    Ok(Json(
        state.lms.homework.get_submission(&auth.actor, id).await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(hand_in, list_submissions))
        .routes(routes!(my_submission))
        .routes(routes!(get_submission))
}
