//! Homework: assignments of a course, per-student extensions, hand-ins,
//! grading, returning for rework, the grade audit trail and the grading
//! queue. Authorisation is the core's ([`HomeworkService`](lms_core::homework::HomeworkService)):
//! a student only ever reaches their own submission.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, SubsecRound, Utc};
use lms_core::course::Title;
use lms_core::file::{FileLimits, FileOwner, FileRef, HandInFilesError};
use lms_core::homework::{
    Assignment, AssignmentError, AssignmentInput, AssignmentView, Extension, ExtensionError,
    ExtensionInput, GradeAuditEntry, GradeInput, HandInInput, HandInResult, LatePolicy,
    PendingSubmission, ReviewError, Submission, SubmissionKind,
};
use lms_core::page::Page;
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::{AssignmentId, CourseId, FileId, SubmissionId, UserId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Pagination, field};
use crate::state::AppState;

/// The header whose value makes a retried hand-in store nothing twice.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

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
    /// for this assignment (`POST /files` with the assignment as target).
    /// Only when updating; absent: the attachments stay as they are.
    #[schema(value_type = Option<Vec<lms_core::FileId>>)]
    pub attachment_ids: Option<Vec<String>>,
}

fn no_penalty() -> LatePolicy {
    LatePolicy::NoPenalty
}

fn text_and_files() -> SubmissionKind {
    SubmissionKind::TextAndFiles
}

/// A per-student extension of an assignment's deadline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    /// The student (enrolled in the course).
    #[schema(value_type = lms_core::UserId)]
    pub student_id: String,
    /// The student's due date, RFC 3339 instant.
    #[schema(format = DateTime)]
    pub due_at: String,
    /// The student's cut-off, RFC 3339 instant not before `due_at`; absent:
    /// none (late work always accepted from this student).
    #[schema(format = DateTime)]
    pub cut_off_at: Option<String>,
}

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
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only this course (which the actor checks); default every course the
    /// actor owns or assists in (every course for admins).
    #[param(value_type = Option<String>, format = Uuid)]
    pub course_id: Option<CourseId>,
    /// At most this many items (1..=200, default 50; a larger value is
    /// capped at 200).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Items to skip (0..=2147483647, default 0).
    #[param(minimum = 0, maximum = 2_147_483_647)]
    #[serde(default, deserialize_with = "crate::extract::offset")]
    pub offset: Option<u32>,
}

/// Parses file ids, naming the field `name` when one is not a UUID.
fn file_ids(name: &str, ids: &[String]) -> ApiResult<Vec<FileId>> {
    ids.iter()
        .map(|s| {
            uuid::Uuid::parse_str(s.trim())
                .map(FileId)
                .map_err(|_| ApiError::invalid_field(name, format!("{s:?} is not a file id")))
        })
        .collect()
}

/// Parses an RFC 3339 instant into UTC, to the whole second: storage keeps
/// at most microseconds, and a response must show what a later read shows.
fn instant(name: &str, s: &str) -> ApiResult<DateTime<Utc>> {
    field(
        name,
        DateTime::parse_from_rfc3339(s.trim())
            .map(|d| d.with_timezone(&Utc).trunc_subsecs(0))
            .map_err(|_| "must be an RFC 3339 instant such as 2026-03-01T18:00:00Z"),
    )
}

fn optional_instant(name: &str, s: Option<&str>) -> ApiResult<Option<DateTime<Utc>>> {
    s.map(|s| instant(name, s)).transpose()
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

fn sanitized(s: &str) -> RichText {
    RichText::sanitize(s)
}

/// The domain input of an assignment request. `opens_at` defaults to
/// `default_opens_at`; `attachments` are already resolved.
fn assignment_input(
    req: AssignmentRequest,
    default_opens_at: DateTime<Utc>,
    attachments: Vec<FileRef>,
) -> ApiResult<AssignmentInput> {
    Ok(AssignmentInput {
        title: field("title", Title::parse(&req.title))?,
        instructions: sanitized(&req.instructions),
        attachments,
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
    if req
        .attachment_ids
        .as_ref()
        .is_some_and(|ids| !ids.is_empty())
    {
        return Err(ApiError::invalid_field(
            "attachment_ids",
            "upload attachments after creating the assignment, then update it",
        ));
    }
    let now = state.lms.clock().now().trunc_subsecs(0);
    let input = assignment_input(req, now, Vec::new())?;
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
    // The current values fill what the request leaves out; reading goes
    // through the service, so whoever may not see it gets its 404.
    let current = state
        .lms
        .homework
        .get_assignment(&auth.actor, id)
        .await?
        .assignment;
    let attachments = match &req.attachment_ids {
        Some(ids) => assignment_files(&state, id, &file_ids("attachment_ids", ids)?).await?,
        None => current.attachments,
    };
    let input = assignment_input(req, current.opens_at, attachments)?;
    Ok(Json(
        state
            .lms
            .homework
            .update_assignment(&auth.actor, id, input)
            .await
            .map_err(assignment_error)?,
    ))
}

/// The files registered to `assignment` (uploaded for it by its editors),
/// in the order of `ids`, each once. Whether the actor may change the
/// assignment is the core's decision when the update is made.
async fn assignment_files(
    state: &AppState,
    assignment: AssignmentId,
    ids: &[FileId],
) -> ApiResult<Vec<FileRef>> {
    let mut files: Vec<FileRef> = Vec::with_capacity(ids.len());
    for id in ids {
        if files.iter().any(|f| f.id == *id) {
            continue;
        }
        match state.lms.storage().files.get(*id).await {
            Ok(Some((file, FileOwner::Assignment(owner)))) if owner == assignment => {
                files.push(file);
            }
            Ok(_) => {
                return Err(ApiError::invalid_field(
                    "attachment_ids",
                    format!("file {} was not uploaded for this assignment", id.0),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(files)
}

/// Grants (or replaces) a student's extension (the course's owner or an
/// admin).
#[utoipa::path(
    post, path = "/assignments/{assignment_id}/extensions", tag = "homework",
    params(("assignment_id" = AssignmentId, Path, description = "Assignment id")),
    request_body = ExtensionRequest,
    responses(
        (status = 201, description = "Granted", body = Extension),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's owner or an admin", body = ErrorBody),
        (status = 404, description = "No such assignment, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
        (status = 422, description = "Invalid field, or the student is not enrolled", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn grant_extension(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(assignment_id): ApiPath<AssignmentId>,
    ApiJson(req): ApiJson<ExtensionRequest>,
) -> ApiResult<(StatusCode, Json<Extension>)> {
    let input = ExtensionInput {
        assignment_id,
        student_id: field(
            "student_id",
            uuid::Uuid::parse_str(req.student_id.trim()).map(UserId),
        )?,
        due_at: instant("due_at", &req.due_at)?,
        cut_off_at: optional_instant("cut_off_at", req.cut_off_at.as_deref())?,
    };
    let extension = state
        .lms
        .homework
        .grant_extension(&auth.actor, input)
        .await
        .map_err(|e| match e {
            ExtensionError::CutOffBeforeDue => ApiError::from(e).with_field("cut_off_at"),
            e => e.into(),
        })?;
    Ok((StatusCode::CREATED, Json(extension)))
}

/// Every extension of an assignment (the course's staff).
#[utoipa::path(
    get, path = "/assignments/{assignment_id}/extensions", tag = "homework",
    params(("assignment_id" = AssignmentId, Path, description = "Assignment id")),
    responses(
        (status = 200, description = "The extensions", body = Vec<Extension>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student", body = ErrorBody),
        (status = 404, description = "No such assignment, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_extensions(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(assignment_id): ApiPath<AssignmentId>,
) -> ApiResult<Json<Vec<Extension>>> {
    Ok(Json(
        state
            .lms
            .homework
            .list_extensions(&auth.actor, assignment_id)
            .await?,
    ))
}

/// Revokes a student's extension (the course's owner or an admin).
#[utoipa::path(
    delete, path = "/assignments/{assignment_id}/extensions/{student_id}", tag = "homework",
    params(
        ("assignment_id" = AssignmentId, Path, description = "Assignment id"),
        ("student_id" = UserId, Path, description = "The student"),
    ),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's owner or an admin", body = ErrorBody),
        (status = 404, description = "No such assignment or extension", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn revoke_extension(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((assignment_id, student_id)): ApiPath<(AssignmentId, UserId)>,
) -> ApiResult<StatusCode> {
    state
        .lms
        .homework
        .revoke_extension(&auth.actor, assignment_id, student_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The stored refs of the files a student hands in (their own uploads,
/// unattached or already part of their submission to this assignment).
async fn hand_in_files(
    state: &AppState,
    auth: &Auth,
    assignment_id: AssignmentId,
    ids: &[String],
) -> ApiResult<Vec<FileRef>> {
    let ids = file_ids("file_ids", ids)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    state
        .lms
        .files
        .files_for_hand_in(&auth.actor, assignment_id, &ids)
        .await
        .map_err(|e| match e {
            HandInFilesError::Storage(_) => e.into(),
            e => ApiError::from(e).with_field("file_ids"),
        })
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
    let files = hand_in_files(&state, &auth, assignment_id, &req.file_ids).await?;
    let file_ids: Vec<FileId> = files.iter().map(|f| f.id).collect();
    let input = HandInInput {
        text: req.text.as_deref().map(sanitized),
        files,
        idempotency_key,
    };
    let result = state
        .lms
        .homework
        .hand_in(&auth.actor, assignment_id, input)
        .await?;
    if !file_ids.is_empty() {
        // The version is stored; attaching makes its files the
        // submission's (downloadable by the staff). Should this fail, a
        // retry with the same Idempotency-Key stores nothing twice and
        // attaches again.
        state
            .lms
            .files
            .attach_to_submission(&auth.actor, &file_ids, result.submission.id)
            .await?;
    }
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

/// Every student's submission to an assignment (the course's staff).
#[utoipa::path(
    get, path = "/assignments/{assignment_id}/submissions", tag = "homework",
    params(
        ("assignment_id" = AssignmentId, Path, description = "Assignment id"),
        Pagination,
    ),
    responses(
        (status = 200, description = "A page of submissions", body = Vec<Submission>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student", body = ErrorBody),
        (status = 404, description = "No such assignment, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_submissions(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(assignment_id): ApiPath<AssignmentId>,
    ApiQuery(page): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<Submission>>> {
    Ok(Json(
        state
            .lms
            .homework
            .list_submissions(&auth.actor, assignment_id, page.page())
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
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn grading_queue(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Json<Vec<PendingSubmission>>> {
    let page = Page::new(
        q.limit.unwrap_or(Page::DEFAULT_LIMIT),
        q.offset.unwrap_or(0),
    );
    Ok(Json(
        state
            .lms
            .homework
            .grading_queue(&auth.actor, q.course_id, page)
            .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_assignment, list_assignments))
        .routes(routes!(get_assignment, update_assignment))
        .routes(routes!(grant_extension, list_extensions))
        .routes(routes!(revoke_extension))
        .routes(routes!(hand_in, list_submissions))
        .routes(routes!(my_submission))
        .routes(routes!(get_submission))
        .routes(routes!(grade))
        .routes(routes!(return_for_rework))
        .routes(routes!(grade_history))
        .routes(routes!(grading_queue))
}
