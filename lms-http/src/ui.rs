//! Serves the built web UI (`web/dist`) at `/`: static assets, and
//! `index.html` for every other non-API path so the client-side router can
//! handle deep links.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::services::{ServeDir, ServeFile};

use crate::state::AppState;

/// A router serving `dir` with an SPA fallback to its `index.html`.
pub(crate) fn router(dir: &Path) -> Router<AppState> {
    let index = dir.join("index.html");
    let service = ServeDir::new(dir)
        .precompressed_gzip()
        .fallback(ServeFile::new(index));
    Router::new()
        .fallback_service(service)
        .layer(axum::middleware::map_response(
            |mut r: axum::response::Response| async move {
                // index.html must be revalidated so a new build is picked up;
                // the hashed assets it names may be cached by the browser's
                // usual heuristics.
                let is_html = r
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("text/html"));
                if is_html {
                    r.headers_mut()
                        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                }
                r
            },
        ))
}
