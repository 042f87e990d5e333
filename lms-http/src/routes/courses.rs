//! Courses and their lessons: creating and editing courses, the draft →
//! published → archived lifecycle, invite codes and joining by code,
//! enrolling students, assigning assistants, and lessons with their order.
//!
//! Rich text (course descriptions, lesson bodies) arrives as HTML from the
//! editor and is sanitised by the core ([`RichText::sanitize`]) before it is
//! stored.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lms_core::course::{
    Course, CourseRole, CourseStatus, CourseUpdate, CourseView, Enrollment, EnrollmentSource,
    InviteCode, Lesson, LessonInput, NewCourse, ReorderError, Title,
};
use lms_core::richtext::RichText;
use lms_core::user::User;
use lms_core::{CourseId, LessonId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Pagination, field};
use crate::state::AppState;

// ---- request and response bodies ----

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

/// An assistant to assign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssistantRequest {
    /// An active assistant or teacher (not the owner).
    pub user_id: UserId,
}

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
    /// Files attached to the lesson, in order: ids of files uploaded with
    /// `POST /files?lesson_id=<this lesson>`. Absent: the attachments stay
    /// as they are (a new lesson has none; upload after creating it).
    pub attachment_ids: Option<Vec<lms_core::FileId>>,
}

/// A new order of a course's lessons.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LessonOrderRequest {
    /// Every lesson of the course exactly once, first lesson first.
    pub lesson_ids: Vec<LessonId>,
}

/// A course as the caller sees it, with their role in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseViewResponse {
    /// The course; `invite_code` is shown to its staff only.
    pub course: Course,
    /// The caller's role in the course; `null` for an admin who is not a member.
    pub role: Option<CourseRole>,
}

impl From<CourseView> for CourseViewResponse {
    fn from(v: CourseView) -> Self {
        Self {
            course: v.course,
            role: v.role,
        }
    }
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

fn title(raw: &str) -> ApiResult<Title> {
    field("title", Title::parse(raw))
}

// ---- courses ----

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

/// The course's students, oldest enrolment first (owner, assistants, admins).
#[utoipa::path(
    get, path = "/courses/{course_id}/students", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id"), Pagination),
    responses(
        (status = 200, description = "A page of students", body = Vec<StudentResponse>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student of the course", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_students(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiQuery(page): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<StudentResponse>>> {
    let students = state
        .lms
        .courses
        .list_students(&auth.actor, course_id, page.page())
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

// ---- assistants ----

/// Assigns an assistant to check homework in the course (owner or admin).
#[utoipa::path(
    post, path = "/courses/{course_id}/assistants", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = AssistantRequest,
    responses(
        (status = 201, description = "Assigned; the assistant's account", body = User),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "Already an assistant", body = ErrorBody),
        (status = 422, description = "Not an active assistant or teacher, or the owner (`user_id`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn add_assistant(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<AssistantRequest>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let courses = &state.lms.courses;
    courses
        .add_assistant(&auth.actor, course_id, req.user_id)
        .await?;
    let user = courses
        .list_assistants(&auth.actor, course_id)
        .await?
        .into_iter()
        .find(|u| u.id == req.user_id)
        // Removed again between the two calls.
        .ok_or_else(|| {
            ApiError::new(StatusCode::CONFLICT, "stale", "assistant removed meanwhile")
        })?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// The course's assistants (owner or admin).
#[utoipa::path(
    get, path = "/courses/{course_id}/assistants", tag = "courses",
    params(("course_id" = CourseId, Path, description = "Course id")),
    responses(
        (status = 200, description = "The assistants", body = Vec<User>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_assistants(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(
        state
            .lms
            .courses
            .list_assistants(&auth.actor, course_id)
            .await?,
    ))
}

/// Unassigns an assistant (owner or admin).
#[utoipa::path(
    delete, path = "/courses/{course_id}/assistants/{user_id}", tag = "courses",
    params(
        ("course_id" = CourseId, Path, description = "Course id"),
        ("user_id" = UserId, Path, description = "The assistant"),
    ),
    responses(
        (status = 204, description = "Unassigned"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner or an admin", body = ErrorBody),
        (status = 404, description = "No such course, or not an assistant (`not_assistant`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn remove_assistant(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((course_id, user_id)): ApiPath<(CourseId, UserId)>,
) -> ApiResult<StatusCode> {
    if state
        .lms
        .courses
        .remove_assistant(&auth.actor, course_id, user_id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(
            "not_assistant",
            "the user is not an assistant of this course",
        ))
    }
}

// ---- lessons ----

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
    if req
        .attachment_ids
        .as_ref()
        .is_some_and(|ids| !ids.is_empty())
    {
        return Err(ApiError::invalid_field(
            "attachment_ids",
            "a new lesson has no files yet: upload with ?lesson_id= after creating it",
        ));
    }
    let input = LessonInput {
        title: title(&req.title)?,
        body: RichText::sanitize(&req.body),
        publish_at: req.publish_at,
        attachments: Vec::new(),
    };
    let lesson = state
        .lms
        .courses
        .create_lesson(&auth.actor, course_id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(lesson)))
}

/// The course's lessons by position; students see only lessons already
/// visible, in a published or archived course they are enrolled in.
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
        (status = 404, description = "No such lesson, or not visible yet", body = ErrorBody),
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

/// Replaces a lesson's title, body and publish date (owner or admin).
/// Attachments are kept as they are.
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
    let title = title(&req.title)?;
    // The service replaces attachments; this route does not edit them, so it
    // passes the stored ones back. Reading storage directly reveals nothing:
    // the service below decides whether the caller may edit (or see) it.
    let attachments = match req.attachment_ids {
        None => state
            .lms
            .storage()
            .courses
            .get_lesson(lesson_id)
            .await?
            .map(|l| l.attachments)
            .unwrap_or_default(),
        // Only files uploaded to this very lesson (which took the right to
        // edit it) can be attached to it.
        Some(ids) => {
            let uploaded = state
                .lms
                .storage()
                .files
                .list_by_owner(lms_core::file::FileOwner::Lesson(lesson_id))
                .await?;
            ids.iter()
                .map(|id| {
                    uploaded
                        .iter()
                        .find(|f| f.id == *id)
                        .cloned()
                        .ok_or_else(|| {
                            ApiError::invalid_field(
                                "attachment_ids",
                                format!("file {} was not uploaded to this lesson", id.0),
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    let input = LessonInput {
        title,
        body: RichText::sanitize(&req.body),
        publish_at: req.publish_at,
        attachments,
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
        .routes(routes!(create_course, list_courses))
        .routes(routes!(get_course, update_course))
        .routes(routes!(set_status))
        .routes(routes!(rotate_invite_code, disable_invite_code))
        .routes(routes!(join_by_code))
        .routes(routes!(enroll_student, list_students))
        .routes(routes!(unenroll))
        .routes(routes!(add_assistant, list_assistants))
        .routes(routes!(remove_assistant))
        .routes(routes!(create_lesson, list_lessons))
        .routes(routes!(reorder_lessons))
        .routes(routes!(get_lesson, update_lesson, delete_lesson))
}
