//! Login sessions: password login, the [`Auth`] extractor (session cookie or
//! `Authorization: Bearer`), CSRF protection of cookie-authenticated writes,
//! logout, and the login rate limits.
//!
//! Session tokens are random, handed to the client once and stored only as
//! a SHA-256 hash with an expiry (see `lms_core::user::UserService`). The
//! session cookie is `HttpOnly; SameSite=Lax`; a second, script-readable
//! `lms_csrf` cookie carries a token the UI echoes in `X-CSRF-Token` on every
//! unsafe request (double-submit), so another site cannot forge a write even
//! where `SameSite` is not enforced. Bearer requests need no CSRF token: a
//! browser never adds that header by itself.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lms_core::user::{
    Actor, LoginAttempt, LoginFailure, NewSession, TokenHash, User, generate_token,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ClientAddr};
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "lms_session";
/// Name of the CSRF cookie (readable by the UI's scripts).
pub const CSRF_COOKIE: &str = "lms_csrf";
/// Header that must echo the CSRF cookie on cookie-authenticated writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The logged-in user of a request. Extracting it answers 401 when there is
/// no valid session, and 403 when a cookie-authenticated unsafe request
/// lacks the CSRF token.
#[derive(Debug, Clone)]
pub struct Auth {
    /// The user.
    pub user: User,
    /// The user as the core's acting user.
    pub actor: Actor,
    /// The hash of the session token (for logout).
    pub token_hash: TokenHash,
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // A middleware that already authenticated this request (the
        // Idempotency-Key layer) left the result for the handler.
        if let Some(auth) = parts.extensions.get::<Self>() {
            return Ok(auth.clone());
        }
        let (token, via_cookie) = match bearer(&parts.headers) {
            Some(t) => (t, false),
            None => match cookie(&parts.headers, SESSION_COOKIE) {
                Some(t) => (t, true),
                None => return Err(ApiError::unauthenticated()),
            },
        };
        if via_cookie && !is_safe(&parts.method) {
            let header = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            let expected = cookie(&parts.headers, CSRF_COOKIE);
            match (header, expected) {
                (Some(h), Some(c)) if !c.is_empty() && constant_time_eq(h, &c) => {}
                _ => {
                    return Err(ApiError::forbidden(
                        "csrf_token_invalid",
                        "cookie-authenticated writes need the X-CSRF-Token header equal to the lms_csrf cookie",
                    ));
                }
            }
        }
        let token_hash = TokenHash::of(&token);
        let user =
            state
                .lms
                .users
                .authenticate(&token_hash)
                .await
                .map_err(|e| match ApiError::from(e) {
                    e if e.status() == StatusCode::SERVICE_UNAVAILABLE
                        || e.status() == StatusCode::INTERNAL_SERVER_ERROR =>
                    {
                        e
                    }
                    _ => ApiError::unauthenticated(),
                })?;
        Ok(Self {
            actor: user.actor(),
            user,
            token_hash,
        })
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The value of a cookie of the request.
#[must_use]
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The client's IP: the socket peer, or the first `X-Forwarded-For` hop
/// when the server is configured to trust its proxy.
pub(crate) fn client_ip(
    parts_headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trust: bool,
) -> Option<IpAddr> {
    if trust
        && let Some(ip) = parts_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    peer.map(|p| p.ip())
}

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// E-mail address (at most 254 bytes).
    #[schema(max_length = 254)]
    pub email: String,
    /// Password (at most 1024 bytes).
    #[schema(max_length = 1024)]
    pub password: String,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// The session token: send it as `Authorization: Bearer <token>`, or
    /// rely on the session cookie set by this response.
    pub token: String,
    /// Echo this in `X-CSRF-Token` on cookie-authenticated writes (it is
    /// also in the `lms_csrf` cookie).
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The logged-in user.
    pub user: User,
}

/// Logs in with e-mail and password.
#[utoipa::path(
    post, path = "/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; sets the session and CSRF cookies", body = LoginResponse),
        (status = 401, description = "Wrong e-mail or password", body = ErrorBody),
        (status = 413, description = "Body larger than 16 KiB", body = ErrorBody),
        (status = 422, description = "Malformed input, or an e-mail over 254 or a password over 1024 bytes", body = ErrorBody),
        (status = 429, description = "Too many failed attempts for this account or address", body = ErrorBody),
        (status = 503, description = "Too many logins being checked at once; retry after `Retry-After`", body = ErrorBody),
    )
)]
async fn login(
    State(state): State<AppState>,
    ClientAddr(peer): ClientAddr,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let address = client_ip(&headers, peer, state.config.trust_forwarded_for);
    let attempt = LoginAttempt {
        email: &req.email,
        password: &req.password,
        address,
    };
    let new = state
        .login
        .login(attempt, state.config.session_ttl)
        .await
        .map_err(login_error)?;
    session_response(&state, new)
}

/// The answer that starts a session in the browser: the session and CSRF
/// cookies, and the token for bearer clients (login, accepting an
/// invitation, registering).
pub(crate) fn session_response(state: &AppState, new: NewSession) -> ApiResult<Response> {
    let (token, session, user) = (new.token, new.session, new.user);
    let csrf_token = generate_token();
    let max_age = state.config.session_ttl.num_seconds().max(0);
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let session_cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    );
    let csrf_cookie =
        format!("{CSRF_COOKIE}={csrf_token}; Path=/; SameSite=Lax; Max-Age={max_age}{secure}");
    let body = LoginResponse {
        token,
        csrf_token,
        expires_at: session.expires_at,
        user,
    };
    let mut response = axum::Json(body).into_response();
    for c in [session_cookie, csrf_cookie] {
        response.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_str(&c).map_err(ApiError::internal)?,
        );
    }
    Ok(response)
}

/// The HTTP answer to a failed login: 429 with `Retry-After` when a budget
/// is used up, 503 with `Retry-After` when too many logins are being
/// checked at once.
pub(crate) fn login_error(e: LoginFailure) -> ApiError {
    match e {
        LoginFailure::Throttled { retry_after_secs } => {
            ApiError::too_many_requests(retry_after_secs)
        }
        LoginFailure::Busy => ApiError::busy(),
        other => other.into(),
    }
}

/// Ends the current session (the token stops working at once).
#[utoipa::path(
    post, path = "/logout", tag = "auth",
    responses(
        (status = 204, description = "Logged out; cookies cleared"),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn logout(State(state): State<AppState>, auth: Auth) -> ApiResult<Response> {
    state.lms.users.logout(&auth.token_hash).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    for name in [SESSION_COOKIE, CSRF_COOKIE] {
        let c = format!("{name}=; Path=/; Max-Age=0; SameSite=Lax");
        response.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_str(&c).map_err(ApiError::internal)?,
        );
    }
    Ok(response)
}

/// The logged-in user.
#[utoipa::path(
    get, path = "/me", tag = "auth",
    responses(
        (status = 200, description = "The current user", body = User),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn me(auth: Auth) -> axum::Json<User> {
    axum::Json(auth.user)
}

/// The largest login request body: an e-mail and a password fit many
/// times over; anything larger is refused before it is read.
pub const LOGIN_BODY_LIMIT: usize = 16 * 1024;

/// `/api/v1/auth/...` routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .merge(crate::routes::onboarding::public_routes())
        .layer(DefaultBodyLimit::max(LOGIN_BODY_LIMIT))
        .routes(routes!(logout))
        .routes(routes!(me))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bearer_and_cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("x=1; lms_session=tok; y=2"),
        );
        assert_eq!(bearer(&h).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("tok"));
        assert_eq!(cookie(&h, "z"), None);
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
    }
}
