//! Webinars: the course owner (or an admin) schedules, reschedules and
//! cancels webinars at one of the providers the school configured; students
//! of the course see the scheduled ones with their join links.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lms_core::course::Title;
use lms_core::webinar::{
    ProviderKind, RescheduleInput, ScheduleWebinarError, Webinar, WebinarInput, WebinarView,
    parse_external_url,
};
use lms_core::{CourseId, WebinarId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, field};
use crate::state::AppState;

/// A new webinar.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleWebinarRequest {
    /// Title (1 to 200 characters).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub title: String,
    /// Start, RFC 3339 (`2026-03-10T15:00:00Z`); not in the past.
    #[schema(format = DateTime)]
    pub starts_at: String,
    /// Duration in minutes, 1 to 1440.
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: u32,
    /// One of the providers from `GET /webinar-providers`:
    /// `trueconf`, `telemost` or `external_link`.
    #[schema(value_type = lms_core::webinar::ProviderKind)]
    pub provider: String,
    /// The room link, required for `external_link` (an `http(s)` URL),
    /// ignored for the other providers; at most 2048 characters, no
    /// spaces or `user:password@`.
    #[schema(
        max_length = 2048,
        pattern = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s@/?#]+([/?#]\S*)?$",
        example = "https://meet.example.org/room"
    )]
    pub external_url: Option<String>,
}

/// A webinar moved or renamed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleWebinarRequest {
    /// New title (1 to 200 characters).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub title: String,
    /// New start, RFC 3339; not in the past.
    #[schema(format = DateTime)]
    pub starts_at: String,
    /// New duration in minutes, 1 to 1440.
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: u32,
}

fn instant(name: &str, raw: &str) -> ApiResult<DateTime<Utc>> {
    field(
        name,
        DateTime::parse_from_rfc3339(raw.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| "expected an RFC 3339 date and time, e.g. 2026-03-10T15:00:00Z"),
    )
}

/// Schedules a webinar in a course (its owner or an admin).
#[utoipa::path(
    post, path = "/courses/{course_id}/webinars", tag = "webinars",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = ScheduleWebinarRequest,
    responses(
        (status = 201, description = "Scheduled; students were notified", body = Webinar),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner of the course", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "Course archived, or the provider refused", body = ErrorBody),
        (status = 422, description = "Invalid field or provider not configured", body = ErrorBody),
        (status = 503, description = "The provider is temporarily unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn schedule_webinar(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<ScheduleWebinarRequest>,
) -> ApiResult<(StatusCode, Json<Webinar>)> {
    let provider = field(
        "provider",
        ProviderKind::parse(req.provider.trim())
            .ok_or("expected trueconf, telemost or external_link"),
    )?;
    let external_url = match (provider, req.external_url) {
        (ProviderKind::ExternalLink, url) => Some(field(
            "external_url",
            parse_external_url(url.as_deref().unwrap_or_default()),
        )?),
        (_, _) => None,
    };
    let input = WebinarInput {
        title: field("title", Title::parse(&req.title))?,
        starts_at: instant("starts_at", &req.starts_at)?,
        duration_minutes: req.duration_minutes,
        provider,
        external_url,
    };
    let webinar = state
        .lms
        .webinars
        .schedule(&auth.actor, course_id, input)
        .await
        .map_err(|e| {
            let unknown = matches!(e, ScheduleWebinarError::UnknownProvider(_));
            let err = ApiError::from(e);
            if unknown {
                err.with_field("provider")
            } else {
                err
            }
        })?;
    Ok((StatusCode::CREATED, Json(webinar)))
}

/// The webinars of a course by start: staff see all (cancelled included),
/// students the scheduled ones without host links.
#[utoipa::path(
    get, path = "/courses/{course_id}/webinars", tag = "webinars",
    params(("course_id" = CourseId, Path, description = "Course id")),
    responses(
        (status = 200, description = "Webinars by start", body = Vec<WebinarView>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_webinars(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
) -> ApiResult<Json<Vec<WebinarView>>> {
    Ok(Json(
        state
            .lms
            .webinars
            .list_course_webinars(&auth.actor, course_id)
            .await?,
    ))
}

/// One webinar (students: only while scheduled, never the host link).
#[utoipa::path(
    get, path = "/webinars/{webinar_id}", tag = "webinars",
    params(("webinar_id" = WebinarId, Path, description = "Webinar id")),
    responses(
        (status = 200, description = "The webinar", body = WebinarView),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such webinar, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn get_webinar(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(webinar_id): ApiPath<WebinarId>,
) -> ApiResult<Json<WebinarView>> {
    Ok(Json(
        state
            .lms
            .webinars
            .get_webinar(&auth.actor, webinar_id)
            .await?,
    ))
}

/// Moves or renames a scheduled webinar (the course owner or an admin);
/// the provider is updated and students are notified.
#[utoipa::path(
    put, path = "/webinars/{webinar_id}", tag = "webinars",
    params(("webinar_id" = WebinarId, Path, description = "Webinar id")),
    request_body = RescheduleWebinarRequest,
    responses(
        (status = 200, description = "Rescheduled", body = Webinar),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner of the course", body = ErrorBody),
        (status = 404, description = "No such webinar, or not visible", body = ErrorBody),
        (status = 409, description = "Cancelled, course archived, provider gone or refused", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
        (status = 503, description = "The provider is temporarily unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn reschedule_webinar(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(webinar_id): ApiPath<WebinarId>,
    ApiJson(req): ApiJson<RescheduleWebinarRequest>,
) -> ApiResult<Json<Webinar>> {
    let input = RescheduleInput {
        title: field("title", Title::parse(&req.title))?,
        starts_at: instant("starts_at", &req.starts_at)?,
        duration_minutes: req.duration_minutes,
    };
    Ok(Json(
        state
            .lms
            .webinars
            .reschedule(&auth.actor, webinar_id, input)
            .await?,
    ))
}

/// Cancels a webinar (the course owner or an admin): the conference is
/// deleted at the provider and students are notified. Cancelling again
/// returns it unchanged. The webinar stays, with state `cancelled`.
#[utoipa::path(
    delete, path = "/webinars/{webinar_id}", tag = "webinars",
    params(("webinar_id" = WebinarId, Path, description = "Webinar id")),
    responses(
        (status = 200, description = "Cancelled", body = Webinar),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner of the course", body = ErrorBody),
        (status = 404, description = "No such webinar, or not visible", body = ErrorBody),
        (status = 409, description = "Provider no longer configured or refused", body = ErrorBody),
        (status = 503, description = "The provider is temporarily unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn cancel_webinar(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(webinar_id): ApiPath<WebinarId>,
) -> ApiResult<Json<Webinar>> {
    Ok(Json(
        state.lms.webinars.cancel(&auth.actor, webinar_id).await?,
    ))
}

/// The providers configured in this school (for the "schedule a webinar"
/// form), in a stable order.
#[utoipa::path(
    get, path = "/webinar-providers", tag = "webinars",
    responses(
        (status = 200, description = "Configured providers", body = Vec<ProviderKind>),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_providers(State(state): State<AppState>, _auth: Auth) -> Json<Vec<ProviderKind>> {
    Json(state.lms.webinars.available_providers())
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(schedule_webinar, list_webinars))
        .routes(routes!(get_webinar, reschedule_webinar, cancel_webinar))
        .routes(routes!(list_providers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_must_be_rfc3339() {
        assert_eq!(
            instant("starts_at", "2026-03-10T18:00:00+03:00").unwrap(),
            "2026-03-10T15:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        let err = instant("starts_at", "10.03.2026 18:00").unwrap_err();
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}
