//! Bringing people in: invitations (staff), CSV import (admins), password
//! reset, and the public side of one-time links and self-registration
//! (under `/api/v1/auth`, no session needed).

use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use lms_core::onboarding::csv::MAX_IMPORT_BYTES;
use lms_core::onboarding::{
    AcceptError, ImportReport, Invitation, InvitationFilter, InvitationPreview, InvitationStatus,
    NewInvitation, RegisterError, Registration, ResetRequestError, RowReport,
};
use lms_core::user::{Locale, Role};
use lms_core::{CourseId, InvitationId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Auth, client_ip, session_response};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, ClientAddr, offset};
use crate::state::AppState;

/// An invitation as staff fill it in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// The address to invite.
    #[schema(max_length = 254)]
    pub email: String,
    /// Name of the new account (needed when the address has no account).
    #[schema(max_length = 200)]
    pub display_name: Option<String>,
    /// School role (default `student`; course owners invite students only).
    pub role: Option<Role>,
    /// Courses to join (course owners: at least one of theirs).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub course_ids: Vec<CourseId>,
    /// Language of the account and its e-mails (default `ru`).
    pub locale: Option<Locale>,
    /// IANA time zone (default `Europe/Moscow`).
    #[schema(max_length = 64)]
    pub time_zone: Option<String>,
}

/// Which invitations to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvitationQuery {
    /// Only invitations in this state.
    pub status: Option<InvitationStatus>,
    /// Only invitations naming this course (required for course owners).
    pub course_id: Option<CourseId>,
    /// Only addresses starting with this text.
    #[param(max_length = 254)]
    pub q: Option<String>,
    /// At most this many (1..=200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 2_147_483_647)]
    #[serde(default, deserialize_with = "offset")]
    pub offset: Option<u32>,
}

/// How to run an import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: only report what would happen (nothing is written).
    #[serde(default)]
    pub dry_run: bool,
    /// `csv` answers with the report as a CSV file to download instead of JSON.
    pub format: Option<ReportFormat>,
}

/// The form of an import report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// The [`ImportReport`] as JSON.
    Json,
    /// `;`-separated UTF-8 with a byte-order mark (opens in Excel).
    Csv,
}

/// A "forgot password" request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The account's address.
    #[schema(max_length = 254)]
    pub email: String,
}

/// The same answer whatever the address.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetAccepted {
    /// Always `sent`: if the address has an active account, a link is on
    /// its way.
    pub status: &'static str,
}

/// A new password with a one-time link's token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPasswordRequest {
    /// The token from the link.
    #[schema(max_length = 128)]
    pub token: String,
    /// The new password (8 characters to 1024 bytes).
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
}

/// Accepting an invitation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    /// The token from the invitation link.
    #[schema(max_length = 128)]
    pub token: String,
    /// The password to log in with (8 characters to 1024 bytes).
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
    /// A corrected name, if the invitee wants one.
    #[schema(max_length = 200)]
    pub display_name: Option<String>,
}

/// A self-registration.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Login address.
    #[schema(max_length = 254)]
    pub email: String,
    /// Name shown to others.
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: String,
    /// Password (8 characters to 1024 bytes).
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
    /// The invite code of the course to join.
    #[schema(max_length = 64)]
    pub invite_code: String,
    /// Language (default `ru`).
    pub locale: Option<Locale>,
    /// IANA time zone (default `Europe/Moscow`).
    #[schema(max_length = 64)]
    pub time_zone: Option<String>,
}

/// Invites one address: a new account gets an e-mail with a link to set a
/// password; an active account is enrolled at once (`action` says which).
#[utoipa::path(
    post, path = "/invitations", tag = "onboarding",
    request_body = InviteRequest,
    responses(
        (status = 200, description = "What was done", body = RowReport),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin or the owner of the courses", body = ErrorBody),
        (status = 409, description = "The address belongs to a deactivated account (`account_inactive`) or one with another role (`role_mismatch`)", body = ErrorBody),
        (status = 422, description = "Invalid address, name, role or course", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn invite(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<InviteRequest>,
) -> ApiResult<Json<RowReport>> {
    let new = NewInvitation {
        email: req.email,
        display_name: req.display_name,
        role: req.role,
        course_ids: req.course_ids,
        locale: req.locale,
        time_zone: req.time_zone,
    };
    Ok(Json(state.onboarding.invite(&auth.actor, new).await?))
}

/// Invitations, newest first (admins; course owners name their course).
#[utoipa::path(
    get, path = "/invitations", tag = "onboarding",
    params(InvitationQuery),
    responses(
        (status = 200, description = "A page of invitations", body = Vec<Invitation>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 422, description = "`q` longer than 254 bytes", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_invitations(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<InvitationQuery>,
) -> ApiResult<Json<Vec<Invitation>>> {
    if q.q.as_ref().is_some_and(|p| p.len() > 254) {
        return Err(ApiError::invalid_field("q", "at most 254 bytes"));
    }
    let page = crate::extract::Pagination {
        limit: q.limit,
        offset: q.offset,
    }
    .page();
    let filter = InvitationFilter {
        status: q.status,
        course_id: q.course_id,
        email_prefix: q.q,
    };
    Ok(Json(
        state
            .onboarding
            .list_invitations(&auth.actor, filter, page)
            .await?,
    ))
}

/// Sends a pending invitation again with a new link (the old one stops
/// working) and a new expiry.
#[utoipa::path(
    post, path = "/invitations/{invitation_id}/resend", tag = "onboarding",
    params(("invitation_id" = InvitationId, Path, description = "Invitation id")),
    responses(
        (status = 200, description = "Sent again", body = Invitation),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such invitation, or not visible", body = ErrorBody),
        (status = 409, description = "Accepted or revoked already", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn resend_invitation(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<InvitationId>,
) -> ApiResult<Json<Invitation>> {
    Ok(Json(
        state.onboarding.resend_invitation(&auth.actor, id).await?,
    ))
}

/// Withdraws a pending invitation: its link stops working.
#[utoipa::path(
    delete, path = "/invitations/{invitation_id}", tag = "onboarding",
    params(("invitation_id" = InvitationId, Path, description = "Invitation id")),
    responses(
        (status = 200, description = "Revoked", body = Invitation),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such invitation, or not visible", body = ErrorBody),
        (status = 409, description = "Accepted or revoked already", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn revoke_invitation(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<InvitationId>,
) -> ApiResult<Json<Invitation>> {
    Ok(Json(
        state.onboarding.revoke_invitation(&auth.actor, id).await?,
    ))
}

/// Imports people from a CSV file sent as the request body (columns
/// e-mail, name, role, courses, group, locale, time zone, in English or
/// Russian, any order; UTF-8 with or without BOM or Windows-1251; `;`, `,`
/// or tab). `dry_run=true` reports per row what would happen and writes
/// nothing; otherwise every good row is written in one transaction and the
/// invitations are sent. Running the same file again changes nothing.
/// Admins only.
#[utoipa::path(
    post, path = "/users/import", tag = "onboarding",
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The CSV file (at most 8 MiB, 20,000 rows)"),
    responses(
        (status = 200, description = "The report (JSON, or CSV with `format=csv`)", content(
            (ImportReport = "application/json"),
            (String = "text/csv")
        )),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 413, description = "File larger than 8 MiB", body = ErrorBody),
        (status = 422, description = "Not a readable CSV file, or no e-mail column", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn import_users(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Body,
) -> ApiResult<Response> {
    let bytes = axum::body::to_bytes(body, MAX_IMPORT_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "file_too_large",
                format!("the file is larger than {MAX_IMPORT_BYTES} bytes"),
            )
        })?;
    let report = state
        .onboarding
        .import_csv(&auth.actor, &bytes, q.dry_run)
        .await?;
    if q.format == Some(ReportFormat::Csv) {
        return Ok(super::csv_download(report.to_csv(), "import-report.csv"));
    }
    Ok(Json(report).into_response())
}

/// Sends an active account a password-reset link (admins).
#[utoipa::path(
    post, path = "/users/{user_id}/password-reset", tag = "onboarding",
    params(("user_id" = UserId, Path, description = "User id")),
    responses(
        (status = 202, description = "The link is on its way", body = ResetAccepted),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such active account", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn send_reset(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(user_id): ApiPath<UserId>,
) -> ApiResult<(StatusCode, Json<ResetAccepted>)> {
    state
        .onboarding
        .send_password_reset(&auth.actor, user_id)
        .await
        .map_err(reset_error)?;
    Ok((StatusCode::ACCEPTED, Json(ResetAccepted { status: "sent" })))
}

/// "Forgot password": e-mails a one-time link if the address has an active
/// account. The answer is the same either way.
#[utoipa::path(
    post, path = "/password-reset", tag = "auth",
    request_body = ResetRequest,
    responses(
        (status = 202, description = "Accepted (whether or not the address has an account)", body = ResetAccepted),
        (status = 422, description = "Address longer than 254 bytes", body = ErrorBody),
        (status = 429, description = "Too many requests from this client address", body = ErrorBody),
    )
)]
async fn request_reset(
    State(state): State<AppState>,
    ClientAddr(peer): ClientAddr,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ResetRequest>,
) -> ApiResult<(StatusCode, Json<ResetAccepted>)> {
    let address = client_ip(&headers, peer, state.config.trust_forwarded_for);
    state
        .onboarding
        .request_password_reset(&req.email, address)
        .await
        .map_err(reset_error)?;
    Ok((StatusCode::ACCEPTED, Json(ResetAccepted { status: "sent" })))
}

/// Sets a new password with a reset link's token; every session of the
/// account ends. The link works once.
#[utoipa::path(
    post, path = "/password-reset/confirm", tag = "auth",
    request_body = NewPasswordRequest,
    responses(
        (status = 204, description = "Password changed; log in with it"),
        (status = 404, description = "Unknown or used link", body = ErrorBody),
        (status = 409, description = "The link expired", body = ErrorBody),
        (status = 422, description = "Password too short or too long", body = ErrorBody),
        (status = 503, description = "Too many password checks at once", body = ErrorBody),
    )
)]
async fn confirm_reset(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<NewPasswordRequest>,
) -> ApiResult<StatusCode> {
    state
        .onboarding
        .reset_password(&req.token, &req.password)
        .await
        .map_err(accept_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// What an invitation link is for: the address, name, role and courses.
#[utoipa::path(
    get, path = "/invitations/{token}", tag = "auth",
    params(("token" = String, Path, description = "The token from the invitation link")),
    responses(
        (status = 200, description = "The invitation", body = InvitationPreview),
        (status = 404, description = "Unknown, used or revoked link", body = ErrorBody),
        (status = 409, description = "The link expired", body = ErrorBody),
    )
)]
async fn invitation_preview(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<Json<InvitationPreview>> {
    Ok(Json(
        state
            .onboarding
            .invitation_preview(&token)
            .await
            .map_err(accept_error)?,
    ))
}

/// Accepts an invitation: sets the password, activates the account, joins
/// its courses and logs in.
#[utoipa::path(
    post, path = "/invitations/accept", tag = "auth",
    request_body = AcceptRequest,
    responses(
        (status = 200, description = "Logged in; sets the session and CSRF cookies", body = crate::auth::LoginResponse),
        (status = 404, description = "Unknown, used or revoked link", body = ErrorBody),
        (status = 409, description = "The link expired", body = ErrorBody),
        (status = 422, description = "Password or name invalid", body = ErrorBody),
        (status = 503, description = "Too many password checks at once", body = ErrorBody),
    )
)]
async fn accept_invitation(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<AcceptRequest>,
) -> ApiResult<Response> {
    let new = state
        .onboarding
        .accept_invitation(
            &req.token,
            &req.password,
            req.display_name.as_deref(),
            state.config.session_ttl,
        )
        .await
        .map_err(accept_error)?;
    session_response(&state, new)
}

/// Registers a student account with a course's invite code and logs in,
/// when the school allows self-registration (`GET /school` says).
#[utoipa::path(
    post, path = "/register", tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 200, description = "Registered and logged in; sets the session and CSRF cookies", body = crate::auth::LoginResponse),
        (status = 403, description = "Self-registration is off", body = ErrorBody),
        (status = 409, description = "An account has this address", body = ErrorBody),
        (status = 422, description = "Invalid field or course code", body = ErrorBody),
        (status = 429, description = "Too many requests from this client address", body = ErrorBody),
        (status = 503, description = "Too many password checks at once", body = ErrorBody),
    )
)]
async fn register(
    State(state): State<AppState>,
    ClientAddr(peer): ClientAddr,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<Response> {
    let address = client_ip(&headers, peer, state.config.trust_forwarded_for);
    let form = Registration {
        email: req.email,
        display_name: req.display_name,
        password: req.password,
        invite_code: req.invite_code,
        locale: req.locale.unwrap_or_default(),
        time_zone: req.time_zone,
    };
    let new = state
        .onboarding
        .register(form, address, state.config.session_ttl)
        .await
        .map_err(|e| match e {
            RegisterError::Throttled { retry_after_secs } => {
                ApiError::too_many_requests(retry_after_secs)
            }
            RegisterError::Busy => ApiError::busy(),
            other => other.into(),
        })?;
    session_response(&state, new)
}

fn reset_error(e: ResetRequestError) -> ApiError {
    match e {
        ResetRequestError::Throttled { retry_after_secs } => {
            ApiError::too_many_requests(retry_after_secs)
        }
        other => other.into(),
    }
}

fn accept_error(e: AcceptError) -> ApiError {
    match e {
        AcceptError::Busy => ApiError::busy(),
        other => other.into(),
    }
}

/// Staff routes (need a session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(invite, list_invitations))
        .routes(routes!(resend_invitation))
        .routes(routes!(revoke_invitation))
        .routes(routes!(send_reset))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(import_users))
                .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
}

/// Public routes, nested under `/api/v1/auth`.
pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request_reset))
        .routes(routes!(confirm_reset))
        .routes(routes!(invitation_preview))
        .routes(routes!(accept_invitation))
        .routes(routes!(register))
}
