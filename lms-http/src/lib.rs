//! # lms-http
//!
//! The REST API of the LMS over [`axum`]: every service of `lms-core` under
//! `/api/v1/`, session login (cookie or bearer token) with CSRF protection
//! and rate limits, streamed uploads to a [`FileStore`](lms_core::file::FileStore),
//! the calendar feed at `/ical/<token>.ics`, an OpenAPI 3.1 document at
//! `/api/openapi.json` (browsable at `/api/docs`), `/healthz`, `/readyz`,
//! Prometheus metrics at `/metrics`, and optionally the built web UI at `/`.
//! Every response carries an `X-Request-Id`, and everything logged while a
//! request runs is in its `request{id, method, route}` span
//! ([`request_id`]).
//!
//! Handlers are thin: they parse the request into domain values, call the
//! core with the logged-in user as the acting user (authorisation lives in
//! the core), and map the result; [`ApiError`](error::ApiError) turns every
//! failure into `{"error": {"code", "message"}}` with the right status.
//!
//! ```no_run
//! # async fn run(lms: std::sync::Arc<lms_core::Lms>) -> std::io::Result<()> {
//! use lms_http::{AppState, HttpConfig};
//!
//! let app = lms_http::router(AppState::new(lms, HttpConfig::default()));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! lms_http::serve(listener, app, std::future::pending()).await
//! # }
//! ```

pub mod auth;
pub mod error;
pub mod extract;
pub mod idempotency;
mod metrics;
pub mod openapi;
pub mod password;
pub mod request_id;
pub mod routes;
mod security;
pub mod state;
pub mod ui;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lms_core::UserId;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;

pub use error::{ApiError, ApiResult};
pub use state::{AppState, HttpConfig};

/// Largest JSON body accepted (uploads have their own, larger limit).
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// The OpenAPI document of every route.
#[must_use]
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_parts().1
}

/// The API routes and their finished document (common error responses added).
fn api_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, mut doc) = api_router().split_for_parts();
    utoipa::Modify::modify(&openapi::CommonResponses, &mut doc);
    (api, doc)
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest("/api/v1/auth", auth::routes())
        .nest("/api/v1", routes::routes())
        .merge(routes::public_routes())
}

/// The whole application: API, calendar feed, docs, health, metrics and,
/// when [`HttpConfig::web_ui`] is set, the web UI.
pub fn router(state: AppState) -> Router {
    let (api, doc) = api_parts();
    let doc = Arc::new(doc);
    let mut app = Router::new()
        .merge(api)
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { Json(doc.as_ref().clone()) }
            }),
        )
        .route("/api/docs", get(openapi::docs_page))
        .route("/api/docs/docs.js", get(openapi::docs_js))
        .route("/api/docs/docs.css", get(openapi::docs_css))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/api", get(api_not_found))
        .route("/api/{*rest}", axum::routing::any(api_not_found));
    if let Some(web_ui) = state.config.web_ui.clone() {
        app = app.fallback(move |req: axum::extract::Request| {
            let web_ui = web_ui.clone();
            async move { web_ui.respond(&req) }
        });
    } else {
        app = app.fallback(api_not_found);
    }
    app.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        idempotency::layer,
    ))
    .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        metrics::track,
    ))
    .layer(axum::middleware::from_fn(security::headers))
    // Its events belong to the request's span (request_id::layer), not to
    // a second span of its own that would log the raw path.
    .layer(
        tower_http::trace::TraceLayer::new_for_http()
            .make_span_with(|_: &axum::http::Request<axum::body::Body>| tracing::Span::current()),
    )
    .layer(axum::middleware::from_fn(request_id::layer))
    .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes the
/// requests in flight (graceful shutdown). Client addresses reach the
/// handlers (for the login rate limit).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::not_found("route_not_found", format!("no route for {}", uri.path()))
}

/// Liveness: the process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the storage answers.
async fn readyz(State(state): State<AppState>) -> Response {
    // Any cheap read through the storage port proves a round trip.
    match state
        .lms
        .storage()
        .users
        .get_user(UserId(uuid::Uuid::nil()))
        .await
    {
        Ok(_) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").into_response()
        }
    }
}
