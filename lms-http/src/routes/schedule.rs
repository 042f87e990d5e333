//! The user's schedule: events in a range for the UI, and a personal
//! iCalendar feed (RFC 5545) at the secret URL `/ical/<token>.ics` that
//! calendar apps subscribe to without logging in. Rotating the token
//! (`POST /calendar-feed`) makes the previous URL stop working.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use lms_core::schedule::{ScheduleError, ScheduleView};
use lms_core::user::{FeedLink, TokenHash};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, field};
use crate::state::AppState;

/// `?from=&to=`: the range of the schedule.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScheduleQuery {
    /// Start of the range (inclusive), RFC 3339, e.g. `2026-03-01T00:00:00Z`.
    #[param(format = DateTime)]
    pub from: String,
    /// End of the range (exclusive), RFC 3339; at most 400 days after `from`.
    #[param(format = DateTime)]
    pub to: String,
}

/// The address of the user's calendar feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeed {
    /// `https://<server>/ical/<token>.ics`: subscribe to it in a calendar
    /// app. Anyone with the URL sees the schedule; rotate it if it leaks.
    pub url: String,
    /// When this link was made.
    pub created_at: DateTime<Utc>,
}

/// The user's current calendar link, if they have one.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrentCalendarFeed {
    /// `null` when no link was made yet, the feed was turned off, or a
    /// password change revoked it.
    pub feed: Option<CalendarFeed>,
}

fn feed_url(state: &AppState, link: &FeedLink) -> CalendarFeed {
    CalendarFeed {
        url: format!(
            "{}/ical/{}.ics",
            state.config.public_url.trim_end_matches('/'),
            link.token
        ),
        created_at: link.created_at,
    }
}

fn instant(name: &str, raw: &str) -> ApiResult<DateTime<Utc>> {
    // A `+` of an offset arrives as a space when the client did not encode it.
    let raw = raw.trim().replace(' ', "+");
    field(
        name,
        DateTime::parse_from_rfc3339(&raw)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| "expected an RFC 3339 date and time, e.g. 2026-03-10T15:00:00Z"),
    )
}

/// The logged-in user's events in `[from, to)` by start, and the zone to
/// show them in. Webinars carry their join link (host link for staff).
#[utoipa::path(
    get, path = "/schedule", tag = "schedule",
    params(ScheduleQuery),
    responses(
        (status = 200, description = "The schedule", body = ScheduleView),
        (status = 400, description = "Missing `from` or `to`", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 422, description = "Invalid or too long range", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn get_schedule(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ScheduleQuery>,
) -> ApiResult<Json<ScheduleView>> {
    let from = instant("from", &q.from)?;
    let to = instant("to", &q.to)?;
    let view = state
        .lms
        .schedule
        .schedule_for(&auth.user, from, to)
        .await
        .map_err(|e| {
            let range = matches!(e, ScheduleError::InvalidRange(_));
            let err = ApiError::from(e);
            if range { err.with_field("to") } else { err }
        })?;
    Ok(Json(view))
}

/// Creates a new secret calendar-feed URL for the logged-in user; the
/// previous one stops working.
#[utoipa::path(
    post, path = "/calendar-feed", tag = "schedule",
    responses(
        (status = 200, description = "The new feed URL", body = CalendarFeed),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn rotate_feed(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<CalendarFeed>> {
    let link = state.lms.users.new_calendar_link(&auth.actor).await?;
    Ok(Json(feed_url(&state, &link)))
}

/// The logged-in user's current calendar-feed URL, to copy again (nothing
/// changes; `POST` makes a new one).
#[utoipa::path(
    get, path = "/calendar-feed", tag = "schedule",
    responses(
        (status = 200, description = "The current feed URL, or none", body = CurrentCalendarFeed),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn current_feed(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<CurrentCalendarFeed>> {
    let link = state.lms.users.calendar_link(&auth.actor).await?;
    Ok(Json(CurrentCalendarFeed {
        feed: link.map(|l| feed_url(&state, &l)),
    }))
}

/// Switches the logged-in user's calendar feed off: its URL stops working
/// until `POST /calendar-feed` issues a new one.
#[utoipa::path(
    delete, path = "/calendar-feed", tag = "schedule",
    responses(
        (status = 204, description = "The feed is off"),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn turn_off_feed(State(state): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    state.lms.users.turn_off_feed(&auth.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The calendar feed of the user whose secret token is in the name
/// (`<token>.ics`), as `text/calendar`: lessons, deadlines (extensions
/// applied), quiz windows and webinars with join links, from 30 days ago to
/// a year ahead. Needs no login: the token is the secret. Served at
/// `/ical/{file}`, outside `/api/v1`.
#[utoipa::path(
    get, path = "/ical/{file}", tag = "schedule",
    params(("file" = String, Path, description = "`<token>.ics`, from `POST /api/v1/calendar-feed`")),
    responses(
        (status = 200, description = "iCalendar (RFC 5545)", body = String, content_type = "text/calendar"),
        (status = 404, description = "Unknown or rotated token", body = ErrorBody),
    )
)]
async fn ical_feed(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
) -> ApiResult<Response> {
    let not_found = || ApiError::not_found("feed_not_found", "no such calendar feed");
    let token = file.strip_suffix(".ics").ok_or_else(not_found)?;
    if token.is_empty() || token.len() > 128 {
        return Err(not_found());
    }
    let user = state
        .lms
        .users
        .user_by_feed_token(&TokenHash::of(token))
        .await?
        .ok_or_else(not_found)?;
    let body = state
        .lms
        .schedule
        .feed_ical(&user, &state.config.public_url)
        .await
        .map_err(|e| match e {
            ScheduleError::UserNotFound => not_found(),
            e => ApiError::from(e),
        })?;
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    // The URL is a secret and the content personal: no shared cache keeps it.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// The authenticated routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_schedule))
        .routes(routes!(current_feed, rotate_feed, turn_off_feed))
}

/// The public calendar-feed route (`/ical/{file}`, no session).
pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ical_feed))
}
