//! A request id on every request and every log line written while it runs.
//!
//! The id is the caller's `X-Request-Id` when it is a short token (as a
//! reverse proxy sets it, so its logs and ours meet), else a new UUID. It
//! goes back in the response's `X-Request-Id` header, and the request runs
//! inside an `info` span `request{id, method, route}` so that every event
//! logged on its behalf carries it. The route is the matched pattern (for
//! example `/ical/{token}`), never the raw path, which may hold a secret.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;

/// The header that carries the id both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest caller-chosen id kept.
pub const MAX_LEN: usize = 64;

/// Whether a caller's id is kept: 1 to [`MAX_LEN`] ASCII letters, digits,
/// `-`, `_` or `.` (nothing a log line could be forged with).
#[must_use]
pub fn acceptable(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The middleware: takes or makes the id, runs the request in its span and
/// answers with the id.
pub(crate) async fn layer(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("-"));
    req.headers_mut().insert(REQUEST_ID, value.clone());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("-", MatchedPath::as_str)
        .to_owned();
    let span = tracing::info_span!("request", id = %id, method = %req.method(), route = %route);
    let mut response = next.run(req).instrument(span).await;
    response.headers_mut().insert(REQUEST_ID, value);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_tokens_are_kept_and_anything_else_is_replaced() {
        assert!(acceptable("3f2c1a9e-0b7d-4c55-9f3e-2a1b0c9d8e7f"));
        assert!(acceptable("req_42.a-B"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(MAX_LEN + 1)));
        assert!(acceptable(&"a".repeat(MAX_LEN)));
        for bad in ["a b", "a\nb", "id=1}", "ид", "a\"b"] {
            assert!(!acceptable(bad), "{bad:?}");
        }
    }
}
