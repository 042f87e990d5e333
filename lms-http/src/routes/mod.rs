//! The `/api/v1` routes, one module per aggregate of the core.

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub mod achievements;
pub mod bank;
pub mod courses;
pub mod dashboard;
pub mod files;
pub mod gradebook;
pub mod homework;
pub mod inbox;
pub mod notification;
pub mod onboarding;
pub mod quiz;
pub mod schedule;
pub mod school;
pub mod users;
pub mod webinar;

/// Every `/api/v1` route but the auth ones (in [`crate::auth`]); all need a
/// session except [`school`]'s.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(users::routes())
        .merge(onboarding::routes())
        .merge(files::routes())
        .merge(courses::routes())
        .merge(dashboard::routes())
        .merge(gradebook::routes())
        .merge(achievements::routes())
        .merge(quiz::routes())
        .merge(bank::routes())
        .merge(webinar::routes())
        .merge(schedule::routes())
        .merge(notification::routes())
        .merge(inbox::routes())
        .merge(homework::routes())
        .merge(school::routes())
}

/// Routes outside `/api/v1` that need no session (the calendar feed);
/// documented in the OpenAPI document with the others.
pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(schedule::public_routes())
}

/// A CSV file to download: `text/csv; charset=utf-8`, saved as `filename`
/// (plain ASCII).
pub(crate) fn csv_download(body: String, filename: &str) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        percent_encode(filename)
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// Percent-encodes everything but RFC 8187 `attr-char`: the value of a
/// `filename*=UTF-8''…` parameter in `Content-Disposition`.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_attr_chars_only() {
        assert_eq!(percent_encode("a b.csv"), "a%20b.csv");
        assert_eq!(percent_encode("я"), "%D1%8F");
        assert_eq!(percent_encode("x'y%"), "x%27y%25");
    }
}
