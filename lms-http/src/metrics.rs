//! Request metrics in the Prometheus text format at `/metrics` (the
//! `prometheus` crate): a counter of requests per method, route and status,
//! and a histogram of durations per method and route.
//!
//! Every label has a bounded set of values, whatever clients send: methods
//! outside the HTTP standard ones are `other`, paths no route matched are
//! `unmatched`, and matched routes are their templates
//! (`/api/v1/courses/{course_id}`), never raw paths. With
//! [`HttpConfig::metrics_token`](crate::HttpConfig::metrics_token) set, the
//! endpoint answers only requests carrying it as a bearer token.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{Encoder as _, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};
use sha2::{Digest as _, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// Upper bounds (seconds) of the duration histogram's buckets.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The label of paths no route matched.
pub const UNMATCHED: &str = "unmatched";

/// The label of methods outside the standard ones.
pub const OTHER_METHOD: &str = "other";

/// Counters of the HTTP layer.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
}

impl Default for Metrics {
    fn default() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "lms_http_requests_total",
                "HTTP requests by method, route and status.",
            ),
            &["method", "route", "status"],
        )
        .expect("valid counter options");
        let durations = HistogramVec::new(
            HistogramOpts::new(
                "lms_http_request_duration_seconds",
                "Time to answer HTTP requests.",
            )
            .buckets(BUCKETS.to_vec()),
            &["method", "route"],
        )
        .expect("valid histogram options");
        registry
            .register(Box::new(requests.clone()))
            .expect("first registration");
        registry
            .register(Box::new(durations.clone()))
            .expect("first registration");
        Self {
            registry,
            requests,
            durations,
        }
    }
}

/// The label of a request method: the standard ones by name, anything a
/// client invents as [`OTHER_METHOD`].
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => OTHER_METHOD,
    }
}

impl Metrics {
    fn record(&self, method: &Method, route: &str, status: StatusCode, secs: f64) {
        let method = method_label(method);
        self.requests
            .with_label_values(&[method, route, status.as_str()])
            .inc();
        self.durations
            .with_label_values(&[method, route])
            .observe(secs);
    }

    /// The metrics in the Prometheus text exposition format.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        prometheus::TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("text encoding into memory");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

/// Middleware recording every request. Routes are labelled by their
/// pattern, never the raw path, so the number of series stays bounded.
pub(crate) async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    state.metrics.record(
        &method,
        &route,
        response.status(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Whether `headers` carry `Authorization: Bearer <token>`, compared by
/// hash so the comparison takes the same time whatever matches.
fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    Sha256::digest(given.as_bytes()) == Sha256::digest(token.as_bytes())
}

/// `GET /metrics`.
pub(crate) async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = state.config.metrics_token.as_deref()
        && !bearer_matches(&headers, token)
    {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "the metrics need the operator's bearer token",
        )
        .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.record(&Method::GET, "/api/v1/courses", StatusCode::OK, 0.002);
        m.record(
            &Method::GET,
            "/api/v1/courses",
            StatusCode::UNAUTHORIZED,
            0.001,
        );
        let text = m.render();
        assert!(
            text.contains(
                "lms_http_requests_total{method=\"GET\",route=\"/api/v1/courses\",status=\"200\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains(
            "lms_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/courses\",le=\"0.005\"} 2"
        ), "{text}");
        assert!(text.contains(
            "lms_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/courses\"} 2"
        ), "{text}");
    }

    #[test]
    fn invented_methods_share_one_label() {
        let m = Metrics::default();
        for n in 0..200 {
            let method = Method::from_bytes(format!("JUNK{n}").as_bytes()).unwrap();
            m.record(&method, UNMATCHED, StatusCode::NOT_FOUND, 0.001);
        }
        let text = m.render();
        let series = text
            .lines()
            .filter(|l| l.starts_with("lms_http_requests_total{"))
            .count();
        assert_eq!(series, 1, "{text}");
        assert!(text.contains("method=\"other\""), "{text}");
        assert!(!text.contains("JUNK"), "{text}");
    }
}
