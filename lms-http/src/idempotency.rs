//! `Idempotency-Key` on the POSTs a client must be able to retry safely —
//! handing in homework and submitting a quiz attempt. The first request
//! with a key runs and its successful response is stored (in the database,
//! so every HTTP node sees it) for 24 hours; a retry with the same key and
//! the same body gets that response again (with `Idempotent-Replayed:
//! true`) and creates nothing. The same key with a different body is a 422;
//! a retry while the first is still running is a 409. Failed requests are
//! forgotten, so the client may retry them with the same key.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lms_core::idempotency::{Begin, IdempotencyKey, StoredResponse};
use sha2::{Digest, Sha256};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// The request header.
pub const HEADER: &str = "idempotency-key";

/// Routes (method and pattern) on which the header is honoured.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v1/assignments/{assignment_id}/submissions"),
    ("POST", "/api/v1/attempts/{attempt_id}/submit"),
];

/// How long a completed response is replayed.
const KEEP: chrono::Duration = chrono::Duration::hours(24);
/// How long a request holds its key before a retry may take it over
/// (a node that died mid-request).
const LOCK: chrono::Duration = chrono::Duration::seconds(60);
/// The largest response kept for replay.
const MAX_STORED_BODY: usize = 1024 * 1024;

pub(crate) async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let applies = req.method() == Method::POST
        && req.headers().contains_key(HEADER)
        && req
            .extensions()
            .get::<MatchedPath>()
            .is_some_and(|p| ROUTES.iter().any(|(m, r)| *m == "POST" && *r == p.as_str()));
    if !applies {
        return next.run(req).await;
    }
    match run(state, req, next).await {
        Ok(r) | Err(r) => r,
    }
}

async fn run(state: AppState, req: Request, next: Next) -> Result<Response, Response> {
    let (mut parts, body) = req.into_parts();
    // Without a valid session the handler answers 401 itself.
    let Ok(auth) = Auth::from_request_parts(&mut parts, &state).await else {
        return Ok(next.run(Request::from_parts(parts, body)).await);
    };
    // The handler reuses it instead of looking the session up again.
    parts.extensions.insert(auth.clone());
    let raw_key = parts
        .headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let scope = format!(
        "{} {}",
        parts.method,
        parts
            .extensions
            .get::<MatchedPath>()
            .map_or("", |p| p.as_str())
    );
    let key = IdempotencyKey::parse(auth.user.id, scope, &raw_key).map_err(|e| {
        ApiError::from(e)
            .with_field("Idempotency-Key")
            .into_response()
    })?;
    let bytes = to_bytes(body, crate::JSON_BODY_LIMIT).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is too large",
        )
        .into_response()
    })?;
    let mut hasher = Sha256::new();
    hasher.update(parts.uri.path().as_bytes());
    hasher.update([0]);
    hasher.update(&bytes);
    let hash: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let store = &state.lms.storage().idempotency;
    let now = chrono::Utc::now();
    let begun = store
        .begin(&key, &hash, now, now + LOCK)
        .await
        .map_err(|e| ApiError::from(e).into_response())?;
    match begun {
        Begin::Completed(stored) => return Ok(replay(stored)),
        Begin::InProgress => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "a request with this Idempotency-Key is still being processed; retry shortly",
            )
            .into_response());
        }
        Begin::Mismatch => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
            )
            .with_field("Idempotency-Key")
            .into_response());
        }
        Begin::Started => {}
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if !response.status().is_success() {
        if let Err(e) = store.abandon(&key).await {
            tracing::warn!(error = %e, "could not release an idempotency key");
        }
        return Ok(response);
    }
    let (resp_parts, resp_body) = response.into_parts();
    let Ok(body) = to_bytes(resp_body, MAX_STORED_BODY).await else {
        let _ = store.abandon(&key).await;
        return Err(
            ApiError::internal("response too large to keep for idempotent replay").into_response(),
        );
    };
    let stored = StoredResponse {
        status: resp_parts.status.as_u16(),
        content_type: resp_parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_owned(),
        body: body.to_vec(),
    };
    if let Err(e) = store.complete(&key, &stored, now + KEEP).await {
        // The work is done and durable; only the replay record is missing.
        tracing::warn!(error = %e, "could not store the response for idempotent replay");
    }
    Ok(Response::from_parts(resp_parts, Body::from(body)))
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut r = (status, stored.body).into_response();
    if let Ok(v) = HeaderValue::from_str(&stored.content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    r
}
