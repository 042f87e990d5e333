//! Grading, returning for rework, the grade audit trail and the grading
//! queue.

use axum::Json;
use axum::extract::State;
use lms_core::homework::{
    GradeAuditEntry, GradeInput, GradePreview, PendingSubmission, ReviewError, Submission,
};
use lms_core::page::Page;
use lms_core::score::Points;
use lms_core::user::UserFilter;
use lms_core::{CourseId, SubmissionId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::sanitized;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, field};
use crate::state::AppState;

/// A grade for the latest version of a submission.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeRequest {
    /// Score before the late penalty, 0 to the assignment's `max_score`.
    #[schema(minimum = 0, maximum = 100_000)]
    pub raw_score: f64,
    /// Feedback to the student (HTML, sanitised); may be empty.
    #[serde(default)]
    pub feedback: String,
    /// The number of the latest version the grader looked at; if the
    /// student handed in a newer one meanwhile the grade is refused (409
    /// `changed_meanwhile`).
    pub expected_version: u32,
}

/// A return for rework.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    /// What to change (HTML, sanitised); must not be empty.
    #[schema(min_length = 1, pattern = r"\S")]
    pub feedback: String,
    /// The number of the latest version the reviewer looked at.
    pub expected_version: u32,
}

/// The grading queue's filter and page.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only this course (which the actor checks); default every course the
    /// actor owns or assists in (every course for admins).
    #[param(value_type = Option<String>, format = Uuid)]
    pub course_id: Option<CourseId>,
    /// Only work of students whose e-mail, name or a word of the name
    /// starts with this.
    #[param(max_length = 254)]
    pub q: Option<String>,
    /// Only students in this group of the course.
    #[param(value_type = Option<String>, format = Uuid)]
    pub group_id: Option<lms_core::GroupId>,
    /// At most this many items (1..=200, default 50; a larger value is
    /// capped at 200).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Items to skip (0..=2147483647, default 0).
    #[param(minimum = 0, maximum = 2_147_483_647)]
    #[serde(default, deserialize_with = "crate::extract::offset")]
    pub offset: Option<u32>,
}

impl QueueQuery {
    /// The students' filter and the page, the search text's size checked
    /// (a `q` field error past [`UserFilter::MAX_QUERY_BYTES`]).
    pub fn parts(&self) -> Result<(UserFilter, Page), ApiError> {
        let students = crate::extract::student_filter(self.q.clone(), None, self.group_id)?;
        let page = Page::new(
            self.limit.unwrap_or(Page::DEFAULT_LIMIT),
            self.offset.unwrap_or(0),
        );
        Ok((students, page))
    }
}

/// Grades the latest version (the course's owner, assistants, admins); the
/// late penalty is applied, the change audited and the student notified.
#[utoipa::path(
    post, path = "/submissions/{submission_id}/grade", tag = "homework",
    params(("submission_id" = SubmissionId, Path, description = "Submission id")),
    request_body = GradeRequest,
    responses(
        (status = 200, description = "Graded", body = Submission),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's staff", body = ErrorBody),
        (status = 404, description = "No such submission, or not visible", body = ErrorBody),
        (status = 409, description = "A newer version was handed in meanwhile", body = ErrorBody),
        (status = 422, description = "Invalid raw_score (e.g. above max_score)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn grade(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SubmissionId>,
    ApiJson(req): ApiJson<GradeRequest>,
) -> ApiResult<Json<Submission>> {
    let input = GradeInput {
        raw_score: field("raw_score", Points::new(req.raw_score))?,
        feedback: sanitized(&req.feedback),
        expected_version: req.expected_version,
    };
    Ok(Json(
        state.lms.homework.grade(&auth.actor, id, input).await?,
    ))
}

/// The score a grade would be previewed with.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// Score before the late penalty, 0 to the assignment's `max_score`.
    #[param(minimum = 0, maximum = 100_000)]
    pub raw_score: f64,
}

/// What grading the latest version with `raw_score` would store: the late
/// penalty against the student's own due date and the resulting score
/// (the course's owner, assistants, admins). Nothing is written.
#[utoipa::path(
    get, path = "/submissions/{submission_id}/grade-preview", tag = "homework",
    params(
        ("submission_id" = SubmissionId, Path, description = "Submission id"),
        PreviewQuery,
    ),
    responses(
        (status = 200, description = "What the grade would store", body = GradePreview),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's staff", body = ErrorBody),
        (status = 404, description = "No such submission, or not visible", body = ErrorBody),
        (status = 422, description = "Invalid raw_score (e.g. above max_score)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn grade_preview(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SubmissionId>,
    ApiQuery(q): ApiQuery<PreviewQuery>,
) -> ApiResult<Json<GradePreview>> {
    let raw = field("raw_score", Points::new(q.raw_score))?;
    Ok(Json(
        state
            .lms
            .homework
            .grade_preview(&auth.actor, id, raw)
            .await?,
    ))
}

/// Returns submitted or graded work for rework with feedback (the course's
/// owner, assistants, admins); the student may then hand in again.
#[utoipa::path(
    post, path = "/submissions/{submission_id}/return", tag = "homework",
    params(("submission_id" = SubmissionId, Path, description = "Submission id")),
    request_body = ReturnRequest,
    responses(
        (status = 200, description = "Returned", body = Submission),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's staff", body = ErrorBody),
        (status = 404, description = "No such submission, or not visible", body = ErrorBody),
        (status = 409, description = "Already returned, or changed meanwhile", body = ErrorBody),
        (status = 422, description = "Empty feedback", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn return_for_rework(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SubmissionId>,
    ApiJson(req): ApiJson<ReturnRequest>,
) -> ApiResult<Json<Submission>> {
    Ok(Json(
        state
            .lms
            .homework
            .return_for_rework(
                &auth.actor,
                id,
                sanitized(&req.feedback),
                req.expected_version,
            )
            .await
            .map_err(|e| match e {
                ReviewError::FeedbackRequired => ApiError::from(e).with_field("feedback"),
                e => e.into(),
            })?,
    ))
}

/// The grade audit trail of a submission, oldest first (its student and
/// the course's staff).
#[utoipa::path(
    get, path = "/submissions/{submission_id}/history", tag = "homework",
    params(("submission_id" = SubmissionId, Path, description = "Submission id")),
    responses(
        (status = 200, description = "Grades and returns, oldest first", body = Vec<GradeAuditEntry>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such submission, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn grade_history(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SubmissionId>,
) -> ApiResult<Json<Vec<GradeAuditEntry>>> {
    Ok(Json(
        state.lms.homework.grade_history(&auth.actor, id).await?,
    ))
}

/// Submissions waiting for a grade, oldest first, in the courses the actor
/// checks (or one of them); empty for students.
#[utoipa::path(
    get, path = "/grading-queue", tag = "homework",
    params(QueueQuery),
    responses(
        (status = 200, description = "A page of the queue", body = Vec<PendingSubmission>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student of the given course", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 422, description = "`q` longer than 254 bytes", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn grading_queue(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Json<Vec<PendingSubmission>>> {
    let (students, page) = q.parts()?;
    Ok(Json(
        state
            .lms
            .homework
            .grading_queue(&auth.actor, q.course_id, &students, page)
            .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(grade))
        .routes(routes!(grade_preview))
        .routes(routes!(return_for_rework))
        .routes(routes!(grade_history))
        .routes(routes!(grading_queue))
}
