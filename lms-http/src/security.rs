//! Security headers on every response: a CSP that allows only the UI's own
//! scripts, `nosniff`, no framing, no referrer leaks across sites.

use std::sync::LazyLock;

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The Content-Security-Policy without `frame-src`. Inline styles are
/// allowed because the rich text editor (Quill) and sanitised lesson HTML
/// use `style`/`class` attributes; scripts only from our origin. Images may
/// come from lessons' external links and data URIs.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: https:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The policy every response carries: [`CSP`] plus `frame-src` for exactly
/// the video services rich text may embed
/// ([`lms_core::richtext::video_hosts`], read at the first response, after
/// the server allowed its operator's hosts).
pub fn csp() -> &'static HeaderValue {
    static POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
        let frames: Vec<String> = lms_core::richtext::video_hosts()
            .into_iter()
            .map(|h| format!("https://{}", h.host))
            .collect();
        let policy = format!("{CSP}; frame-src {}", frames.join(" "));
        HeaderValue::from_str(&policy).expect("host names are valid header text")
    });
    &POLICY
}

pub(crate) async fn headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert_with(|| csp().clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}
