//! Invite codes and joining by code, and the students of a course.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lms_core::bulk::BulkOutcome;
use lms_core::course::{
    Course, Enrollment, EnrollmentSource, InviteCode, MEMBER_NAMES_LIMIT, MemberName,
};
use lms_core::user::User;
use lms_core::{CourseId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, StudentsQuery, field};
use crate::state::AppState;

/// An invite code typed by a student.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// The code (case, spaces and dashes do not matter): 8 of
    /// `ABCDEFGHJKMNPQRSTUVWXYZ23456789`.
    #[schema(
        pattern = r"^[\s-]*(?:[A-HJKMNP-Za-hjkmnp-z2-9][\s-]*){8}$",
        example = "K7MP-Q2XA"
    )]
    pub code: String,
}

/// A student to enrol.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// The student's account.
    pub student_id: UserId,
}

/// The current invite code of a course.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteCodeResponse {
    /// The code students type to join.
    pub invite_code: InviteCode,
}

/// An enrolled student.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudentResponse {
    /// The student's account.
    pub user: User,
    /// How they were enrolled.
    pub source: EnrollmentSource,
    /// When.
    pub enrolled_at: DateTime<Utc>,
}

impl From<(Enrollment, User)> for StudentResponse {
    fn from((e, user): (Enrollment, User)) -> Self {
        Self {
            user,
            source: e.source,
            enrolled_at: e.enrolled_at,
        }
    }
}
// ---- invite codes ----

/// Replaces the invite code with a fresh one (the old one stops working)
/// and enables joining by code (owner or admin).
#[utoipa::path(
    post, path = "/courses/{course_id}/invite-code", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    responses(
        (status = 200, description = "The new code", body = InviteCodeResponse),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn rotate_invite_code(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
) -> ApiResult<Json<InviteCodeResponse>> {
    let invite_code = state
        .lms
        .courses
        .rotate_invite_code(&auth.actor, course_id)
        .await?;
    Ok(Json(InviteCodeResponse { invite_code }))
}

/// Turns joining by code off until the code is rotated (owner or admin).
#[utoipa::path(
    delete, path = "/courses/{course_id}/invite-code", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    responses(
        (status = 204, description = "Joining by code is off"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn disable_invite_code(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
) -> ApiResult<StatusCode> {
    state
        .lms
        .courses
        .disable_invite_code(&auth.actor, course_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enrols the calling student in the published course with this invite code.
#[utoipa::path(
    post, path = "/courses/join", tag = "courses",
    request_body = JoinRequest,
    responses(
        (status = 200, description = "Enrolled; the course (without its code)", body = Course),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a student", body = ErrorBody),
        (status = 404, description = "No published course with this code (`invalid_invite_code`)", body = ErrorBody),
        (status = 409, description = "Already enrolled", body = ErrorBody),
        (status = 422, description = "Not a code at all", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn join_by_code(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<JoinRequest>,
) -> ApiResult<Json<Course>> {
    let code = field("code", InviteCode::parse(&req.code))?;
    Ok(Json(
        state.lms.courses.join_by_code(&auth.actor, &code).await?,
    ))
}

// ---- students ----

/// Enrols a student (owner or admin).
#[utoipa::path(
    post, path = "/courses/{course_id}/students", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = EnrollRequest,
    responses(
        (status = 201, description = "Enrolled", body = Enrollment),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "Already enrolled, or the course is archived", body = ErrorBody),
        (status = 422, description = "No such active student (`student_id`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn enroll_student(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> ApiResult<(StatusCode, Json<Enrollment>)> {
    let enrollment = state
        .lms
        .courses
        .enroll_student(&auth.actor, course_id, req.student_id)
        .await?;
    Ok((StatusCode::CREATED, Json(enrollment)))
}

/// The course's students, oldest enrolment first, optionally only those a
/// search finds (owner, assistants, admins).
#[utoipa::path(
    get, path = "/courses/{course_id}/students", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id"), StudentsQuery),
    responses(
        (status = 200, description = "A page of students", body = Vec<StudentResponse>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student of the course", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 422, description = "`q` longer than 254 bytes", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_students(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiQuery(q): ApiQuery<StudentsQuery>,
) -> ApiResult<Json<Vec<StudentResponse>>> {
    let (filter, page) = q.parts()?;
    let students = state
        .lms
        .courses
        .list_students(&auth.actor, course_id, &filter, page)
        .await?;
    Ok(Json(students.into_iter().map(Into::into).collect()))
}

/// Removes a student from the course (owner or admin).
#[utoipa::path(
    delete, path = "/courses/{course_id}/students/{user_id}", tag = "courses",
    params(
        ("course_id" = CourseId, Path, description = "Course id"),
        ("user_id" = UserId, Path, description = "The student"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or the user is not enrolled (`not_enrolled`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn unenroll(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((course_id, user_id)): ApiPath<(CourseId, UserId)>,
) -> ApiResult<StatusCode> {
    if state
        .lms
        .courses
        .unenroll(&auth.actor, course_id, user_id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(
            "not_enrolled",
            "the user is not enrolled in this course",
        ))
    }
}

/// Many students to enrol or remove.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkStudentsRequest {
    /// `enrol` or `unenrol`.
    pub action: BulkEnrolment,
    /// The accounts (at most 500; duplicates count once).
    #[schema(max_items = 500)]
    pub student_ids: Vec<UserId>,
}

/// What a bulk request does to each student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkEnrolment {
    /// Enrol every account.
    Enrol,
    /// Remove every account from the course.
    Unenrol,
}

/// Enrols or removes many students at once (owner or admin): one outcome
/// per account, so one that cannot be enrolled never stops the others.
#[utoipa::path(
    post, path = "/courses/{course_id}/students/bulk", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = BulkStudentsRequest,
    responses(
        (status = 200, description = "One outcome per account", body = Vec<BulkOutcome>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "The course is archived", body = ErrorBody),
        (status = 422, description = "More than 500 accounts", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn bulk_students(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<BulkStudentsRequest>,
) -> ApiResult<Json<Vec<BulkOutcome>>> {
    let courses = &state.lms.courses;
    Ok(Json(match req.action {
        BulkEnrolment::Enrol => {
            courses
                .enroll_many(&auth.actor, course_id, &req.student_ids)
                .await?
        }
        BulkEnrolment::Unenrol => {
            courses
                .unenroll_many(&auth.actor, course_id, &req.student_ids)
                .await?
        }
    }))
}

/// Accounts whose names a list needs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberNamesRequest {
    /// The accounts (at most 200; duplicates count once).
    #[schema(max_items = 200)]
    pub user_ids: Vec<UserId>,
}

/// The display names of those of the given accounts who belong to the
/// course (students, assistants, owner), in the order asked; others are
/// left out (owner, assistants, admins). For lists that hold ids, such as a
/// quiz's attempts, whatever the course's size.
#[utoipa::path(
    post, path = "/courses/{course_id}/member-names", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = MemberNamesRequest,
    responses(
        (status = 200, description = "The members' names", body = Vec<MemberName>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student of the course", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 422, description = "More than 200 accounts", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn member_names(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<MemberNamesRequest>,
) -> ApiResult<Json<Vec<MemberName>>> {
    if req.user_ids.len() > MEMBER_NAMES_LIMIT {
        return Err(ApiError::invalid_field(
            "user_ids",
            format!("at most {MEMBER_NAMES_LIMIT} accounts per request"),
        ));
    }
    Ok(Json(
        state
            .lms
            .courses
            .member_names(&auth.actor, course_id, &req.user_ids)
            .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(bulk_students))
        .routes(routes!(member_names))
        .routes(routes!(rotate_invite_code, disable_invite_code))
        .routes(routes!(join_by_code))
        .routes(routes!(enroll_student, list_students))
        .routes(routes!(unenroll))
}
