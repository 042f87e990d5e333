//! Gradebooks of courses for their staff: every student's homework and quiz
//! scores as JSON, or as a CSV file to open in a spreadsheet.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use lms_core::file::FileName;
use lms_core::gradebook::{Gradebook, StudentOverview};
use lms_core::{CourseId, UserId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, GroupQuery};
use crate::state::AppState;

/// The gradebook of a course (owner, assistants, admins): one column per
/// published assignment and quiz, one row per enrolled student the caller
/// grades (a mentor sees their groups' students).
#[utoipa::path(
    get, path = "/courses/{course_id}/gradebook", tag = "gradebook",
    params(("course_id" = CourseId, Path, description = "Course id"), GroupQuery),
    responses(
        (status = 200, description = "The gradebook", body = Gradebook),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student of the course", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn gradebook(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiQuery(q): ApiQuery<GroupQuery>,
) -> ApiResult<Json<Gradebook>> {
    Ok(Json(
        state
            .lms
            .gradebook
            .gradebook(&auth.actor, course_id, q.group_id)
            .await?,
    ))
}

/// The gradebook as a CSV download (UTF-8 with a byte-order mark, comma
/// separated, header row `Студент,E-mail,<columns…>,Итого,Из,%`).
#[utoipa::path(
    get, path = "/courses/{course_id}/gradebook.csv", tag = "gradebook",
    params(("course_id" = CourseId, Path, description = "Course id"), GroupQuery),
    responses(
        (status = 200, description = "The CSV file (attachment)", body = String, content_type = "text/csv"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student of the course", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn gradebook_csv(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiQuery(q): ApiQuery<GroupQuery>,
) -> ApiResult<Response> {
    let csv = state
        .lms
        .gradebook
        .csv(&auth.actor, course_id, q.group_id)
        .await?;
    // The caller may see the gradebook, so they see the course; its title
    // only names the file, so a failure here just leaves it out.
    let title = state
        .lms
        .courses
        .get_course(&auth.actor, course_id)
        .await
        .ok()
        .map(|v| v.course.title.to_string());
    let disposition = content_disposition(course_id, title.as_deref())?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        csv,
    )
        .into_response())
}

/// `attachment` with an ASCII `filename` every client understands and a
/// UTF-8 `filename*` (RFC 6266 / RFC 8187) carrying the course title.
fn content_disposition(course_id: CourseId, title: Option<&str>) -> ApiResult<HeaderValue> {
    let mut value = format!("attachment; filename=\"gradebook-{course_id}.csv\"");
    if let Some(title) = title {
        // A slash in a title is not a path: keep what precedes it.
        let title = title.replace(['/', '\\'], "-");
        let name = FileName::sanitize(&format!("{title} — журнал.csv"));
        value.push_str("; filename*=UTF-8''");
        value.push_str(&super::percent_encode(name.as_str()));
    }
    HeaderValue::from_str(&value).map_err(ApiError::internal)
}

/// One student's standing in a course (the staff who grade them; a mentor
/// of another group gets 404): progress, every homework with its status
/// and grade, quiz results and attempts, late and overdue work, last
/// activity.
#[utoipa::path(
    get, path = "/courses/{course_id}/students/{student_id}/overview", tag = "gradebook",
    params(
        ("course_id" = CourseId, Path, description = "Course id"),
        ("student_id" = UserId, Path, description = "The student"),
    ),
    responses(
        (status = 200, description = "The student's standing", body = StudentOverview),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student of the course", body = ErrorBody),
        (status = 404, description = "No such course, or a student the caller does not grade (`student_not_found`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn student_overview(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((course_id, student_id)): ApiPath<(CourseId, UserId)>,
) -> ApiResult<Json<StudentOverview>> {
    Ok(Json(
        state
            .lms
            .gradebook
            .student_overview(&auth.actor, course_id, student_id)
            .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(gradebook))
        .routes(routes!(gradebook_csv))
        .routes(routes!(student_overview))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_ascii_safe_with_a_utf8_variant() {
        let id = CourseId(uuid::Uuid::nil());
        let v = content_disposition(id, Some("Алгебра \"9\"/\r\nкласс")).unwrap();
        let v = v.to_str().unwrap();
        assert!(v.starts_with(
            "attachment; filename=\"gradebook-00000000-0000-0000-0000-000000000000.csv\"; filename*=UTF-8''"
        ));
        assert!(v.is_ascii());
        assert!(!v.contains('\r') && !v.contains('/') && !v.contains("\"9"));
        assert!(v.ends_with(".csv"));
        // Both halves of the title survive the slash.
        assert!(
            v.contains("%D0%90%D0%BB%D0%B3") && v.contains("-%D0%BA%D0%BB"),
            "{v}"
        );
        let plain = content_disposition(id, None).unwrap();
        assert!(!plain.to_str().unwrap().contains("filename*"));
    }
}
