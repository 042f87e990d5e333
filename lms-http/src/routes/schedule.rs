//! The user's schedule: events in a range for the UI, and a personal
//! iCalendar feed (RFC 5545) at the secret URL `/ical/<token>.ics` that
//! calendar apps subscribe to without logging in. Rotating the token
//! (`POST /calendar-feed`) makes the previous URL stop working.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use lms_core::notification::web_paths;
use lms_core::schedule::{EventSource, ScheduleError, ScheduleEvent, ScheduleView};
use lms_core::user::{Locale, TokenHash, generate_token};
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
    let token = generate_token();
    state
        .lms
        .users
        .set_feed_token(&auth.actor, TokenHash::of(&token))
        .await?;
    Ok(Json(CalendarFeed {
        url: format!(
            "{}/ical/{token}.ics",
            state.config.public_url.trim_end_matches('/')
        ),
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
    let events = state.lms.schedule.feed(&user).await.map_err(|e| match e {
        ScheduleError::UserNotFound => not_found(),
        e => ApiError::from(e),
    })?;
    let body = render_calendar(
        &events,
        &state.config.public_url,
        user.locale,
        state.lms.clock().now(),
    );
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
        .routes(routes!(rotate_feed, turn_off_feed))
}

/// The public calendar-feed route (`/ical/{file}`, no session).
pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ical_feed))
}

/// The host part of the public URL, for UIDs (`lesson-<id>@lms.school.ru`).
fn host_of(public_url: &str) -> &str {
    let rest = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() { "lms" } else { host }
}

/// Renders events as an RFC 5545 calendar: CRLF line ends, lines folded at
/// 75 octets, TEXT values escaped, instants in UTC.
#[must_use]
pub fn render_calendar(
    events: &[ScheduleEvent],
    public_url: &str,
    locale: Locale,
    now: DateTime<Utc>,
) -> String {
    let base = public_url.trim_end_matches('/');
    let host = host_of(base);
    let en = locale == Locale::En;
    let mut out = String::new();
    let mut line = |name: &str, value: &str| {
        fold_into(&mut out, &format!("{name}:{value}"));
    };
    line("BEGIN", "VCALENDAR");
    line("VERSION", "2.0");
    line("PRODID", "-//LMS//Schedule//RU");
    line("CALSCALE", "GREGORIAN");
    line("METHOD", "PUBLISH");
    line(
        "X-WR-CALNAME",
        &escape_text(if en {
            "LMS schedule"
        } else {
            "Расписание LMS"
        }),
    );
    line("X-PUBLISHED-TTL", "PT1H");
    let stamp = utc(now);
    for e in events {
        let kind_uid = e.uid.strip_suffix("@lms").unwrap_or(&e.uid);
        let (prefix, url) = match &e.source {
            EventSource::Lesson { .. } => (
                if en { "Lesson" } else { "Урок" },
                format!("{base}/courses/{}", e.course_id),
            ),
            EventSource::Deadline { assignment_id } => (
                if en { "Due" } else { "Срок сдачи" },
                format!(
                    "{base}{}",
                    web_paths::ASSIGNMENT.replace("{id}", &assignment_id.to_string())
                ),
            ),
            EventSource::QuizWindow { .. } => (
                if en { "Quiz" } else { "Тест" },
                format!("{base}/courses/{}", e.course_id),
            ),
            EventSource::Webinar { join_url, .. } => {
                (if en { "Webinar" } else { "Вебинар" }, join_url.clone())
            }
        };
        // Host links never go into a calendar: feeds are read by calendar
        // services and shared.
        let description = format!(
            "{}: {}\n{url}",
            if en { "Course" } else { "Курс" },
            e.course_title
        );
        line("BEGIN", "VEVENT");
        line("UID", &format!("{kind_uid}@{host}"));
        line("DTSTAMP", &stamp);
        line("DTSTART", &utc(e.starts_at));
        if e.ends_at > e.starts_at {
            line("DTEND", &utc(e.ends_at));
        }
        line("SUMMARY", &escape_text(&format!("{prefix}: {}", e.title)));
        line("DESCRIPTION", &escape_text(&description));
        if matches!(e.source, EventSource::Webinar { .. }) {
            line("LOCATION", &escape_text(&url));
        }
        line("URL", &url);
        line("END", "VEVENT");
    }
    line("END", "VCALENDAR");
    out
}

/// `20260310T150000Z`.
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets (never inside a UTF-8
/// character), each physical line ending in CRLF.
fn fold_into(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_text("a,b;c\\d\r\ne"),
            "a\\,b\\;c\\\\d\\ne".to_owned()
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let value = "Ж".repeat(100);
        fold_into(&mut out, &format!("SUMMARY:{value}"));
        assert!(out.ends_with("\r\n"));
        let lines: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 2);
        for (i, l) in lines.iter().enumerate() {
            assert!(l.len() <= 75, "line {i} has {} octets", l.len());
            assert_eq!(i > 0, l.starts_with(' '));
        }
        let unfolded: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i == 0 { *l } else { &l[1..] })
            .collect();
        assert_eq!(unfolded, format!("SUMMARY:{value}"));
    }

    #[test]
    fn instants_have_no_end_and_host_links_stay_out() {
        use chrono::TimeZone as _;
        use lms_core::{AssignmentId, CourseId, WebinarId};
        let start = Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).unwrap();
        let course_id = CourseId::new();
        let deadline = ScheduleEvent {
            uid: "deadline-x@lms".to_owned(),
            course_id,
            course_title: "Physics".to_owned(),
            title: "Essay".to_owned(),
            starts_at: start,
            ends_at: start,
            source: EventSource::Deadline {
                assignment_id: AssignmentId::new(),
            },
        };
        let webinar = ScheduleEvent {
            uid: "webinar-y@lms".to_owned(),
            ends_at: start + chrono::Duration::minutes(30),
            title: "Q&A".to_owned(),
            source: EventSource::Webinar {
                webinar_id: WebinarId::new(),
                join_url: "https://meet.example.ru/j".to_owned(),
                host_url: Some("https://meet.example.ru/h".to_owned()),
            },
            ..deadline.clone()
        };
        let ics = render_calendar(
            &[deadline, webinar],
            "https://lms.school.ru/",
            Locale::En,
            start,
        );
        let unfolded = ics.replace("\r\n ", "");
        let events: Vec<&str> = unfolded.split("BEGIN:VEVENT\r\n").skip(1).collect();
        assert_eq!(events.len(), 2);
        assert!(events[0].contains("UID:deadline-x@lms.school.ru\r\n"));
        assert!(events[0].contains("DTSTART:20260310T150000Z\r\n"));
        assert!(!events[0].contains("DTEND"));
        assert!(events[0].contains("SUMMARY:Due: Essay\r\n"));
        assert!(events[1].contains("DTEND:20260310T153000Z\r\n"));
        assert!(events[1].contains("URL:https://meet.example.ru/j\r\n"));
        assert!(!ics.contains("meet.example.ru/h"), "no host link: {ics}");
        assert!(ics.contains("DTSTAMP:20260310T150000Z\r\n"));
    }

    #[test]
    fn hosts_come_from_the_public_url() {
        assert_eq!(host_of("https://lms.school.ru"), "lms.school.ru");
        assert_eq!(host_of("http://127.0.0.1:8080/base"), "127.0.0.1");
        assert_eq!(host_of("http://[::1]:8080"), "::1");
        assert_eq!(host_of(""), "lms");
    }
}
