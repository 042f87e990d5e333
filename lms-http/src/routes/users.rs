//! Accounts: admins create, list, change roles and deactivate users; every
//! user edits their own profile and password.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use lms_core::UserId;
use lms_core::bulk::BulkOutcome;
use lms_core::user::{
    AccountMatch, ChangePasswordError, DisplayName, Email, Locale, NewUser, ProfileUpdate, Role,
    TimeZone, User, UserFilter,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Pagination, field, offset};
use crate::state::AppState;

/// A new account (admins only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Login address (unique).
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// Name shown to others (1 to 200 characters).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub display_name: String,
    /// School-wide role.
    pub role: Role,
    /// UI and message language (default `ru`).
    #[serde(default)]
    pub locale: Locale,
    /// IANA time zone (default `Europe/Moscow`).
    pub time_zone: Option<String>,
    /// Initial password (at least 8 characters); without one the user
    /// cannot log in until an admin sets it.
    #[schema(min_length = 8, max_length = 1024)]
    pub password: Option<String>,
}

/// New profile values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    /// Name shown to others (1 to 200 characters).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub display_name: String,
    /// UI and message language.
    pub locale: Locale,
    /// IANA time zone, e.g. `Europe/Moscow`.
    pub time_zone: String,
}

/// A role change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    /// The new role.
    pub role: Role,
}

/// Activation or deactivation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActiveRequest {
    /// `false` deactivates the account and ends its sessions.
    pub active: bool,
}

/// Many accounts to activate or deactivate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkActiveRequest {
    /// The accounts (at most 500; duplicates count once).
    #[schema(max_items = 500)]
    pub user_ids: Vec<UserId>,
    /// `false` deactivates them and ends their sessions.
    pub active: bool,
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    /// The current password: required to change one's own password (an
    /// admin setting another account's password leaves it out).
    #[schema(max_length = 1024)]
    pub current_password: Option<String>,
    /// The new password (8 characters to 1024 bytes).
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
}

/// Creates an account (admins only).
#[utoipa::path(
    post, path = "/users", tag = "users",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created", body = User),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "E-mail taken", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn create_user(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let new = NewUser {
        email: field("email", Email::parse(&req.email))?,
        display_name: field("display_name", DisplayName::parse(&req.display_name))?,
        role: req.role,
        locale: req.locale,
        time_zone: field(
            "time_zone",
            TimeZone::parse(req.time_zone.as_deref().unwrap_or("Europe/Moscow")),
        )?,
        password_hash: match req.password {
            Some(p) => Some(state.login.hash_new_password(&p).await?),
            None => None,
        },
    };
    let user = state.lms.users.create_user(&auth.actor, new).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Which accounts to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UsersQuery {
    /// Accounts whose e-mail, name or a word of the name starts with this.
    #[param(max_length = 254)]
    pub q: Option<String>,
    /// Only this role.
    pub role: Option<Role>,
    /// Only active (`true`) or deactivated (`false`) accounts.
    pub active: Option<bool>,
    /// At most this many (1..=200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 2_147_483_647)]
    #[serde(default, deserialize_with = "offset")]
    pub offset: Option<u32>,
}

impl UsersQuery {
    fn filter(&self) -> UserFilter {
        UserFilter {
            query: self.q.clone(),
            role: self.role,
            active: self.active,
            ..UserFilter::default()
        }
    }
}

/// A course owner's search for accounts.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FindQuery {
    /// The start of a name, a word of it or an e-mail (at least 2 characters).
    #[param(min_length = 2, max_length = 254)]
    pub q: String,
    /// Only this role (e.g. `student` to enrol, `assistant` to assign).
    pub role: Option<Role>,
}

/// Lists accounts by e-mail, with search, role and state filters (admins only).
#[utoipa::path(
    get, path = "/users", tag = "users",
    params(UsersQuery),
    responses(
        (status = 200, description = "A page of users", body = Vec<User>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "`q` longer than 254 bytes", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_users(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<UsersQuery>,
) -> ApiResult<Json<Vec<User>>> {
    let page = Pagination {
        limit: q.limit,
        offset: q.offset,
    }
    .page();
    Ok(Json(
        state
            .lms
            .users
            .search_users(&auth.actor, q.filter(), page)
            .await?,
    ))
}

/// Finds up to 20 active accounts by the start of a name or e-mail, with
/// name, e-mail and role only: for a teacher enrolling a student or
/// assigning an assistant without seeing the whole directory.
#[utoipa::path(
    get, path = "/users/search", tag = "users",
    params(FindQuery),
    responses(
        (status = 200, description = "The matches", body = Vec<AccountMatch>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither a teacher nor an admin", body = ErrorBody),
        (status = 422, description = "`q` shorter than 2 characters or longer than 254 bytes", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn find_accounts(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<FindQuery>,
) -> ApiResult<Json<Vec<AccountMatch>>> {
    Ok(Json(
        state
            .lms
            .users
            .find_accounts(&auth.actor, &q.q, q.role)
            .await?,
    ))
}

/// Every account matching the filters as a CSV file (admins only).
#[utoipa::path(
    get, path = "/users/export", tag = "users",
    params(UsersQuery),
    responses(
        (status = 200, description = "`;`-separated UTF-8 with a byte-order mark", content_type = "text/csv", body = String),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "`q` longer than 254 bytes", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn export_users(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<UsersQuery>,
) -> ApiResult<Response> {
    let csv = state
        .lms
        .users
        .export_users_csv(&auth.actor, q.filter())
        .await?;
    Ok(super::csv_download(csv, "users.csv"))
}

/// One account: the user's own, or any for an admin.
#[utoipa::path(
    get, path = "/users/{user_id}", tag = "users",
    params(("user_id" = UserId, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such user, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn get_user(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(user_id): ApiPath<UserId>,
) -> ApiResult<Json<User>> {
    Ok(Json(state.lms.users.get_user(&auth.actor, user_id).await?))
}

/// Changes name, language and time zone (own account, or any for an admin).
#[utoipa::path(
    put, path = "/users/{user_id}/profile", tag = "users",
    params(("user_id" = UserId, Path, description = "User id")),
    request_body = ProfileRequest,
    responses(
        (status = 200, description = "Updated", body = User),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such user, or not visible", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn update_profile(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(user_id): ApiPath<UserId>,
    ApiJson(req): ApiJson<ProfileRequest>,
) -> ApiResult<Json<User>> {
    let update = ProfileUpdate {
        display_name: field("display_name", DisplayName::parse(&req.display_name))?,
        locale: req.locale,
        time_zone: field("time_zone", TimeZone::parse(&req.time_zone))?,
    };
    Ok(Json(
        state
            .lms
            .users
            .update_profile(&auth.actor, user_id, update)
            .await?,
    ))
}

/// Changes a user's role (admins only, not their own).
#[utoipa::path(
    put, path = "/users/{user_id}/role", tag = "users",
    params(("user_id" = UserId, Path, description = "User id")),
    request_body = RoleRequest,
    responses(
        (status = 200, description = "Updated", body = User),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "Own role", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn set_role(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(user_id): ApiPath<UserId>,
    ApiJson(req): ApiJson<RoleRequest>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        state
            .lms
            .users
            .set_role(&auth.actor, user_id, req.role)
            .await?,
    ))
}

/// Activates or deactivates an account (admins only, not their own).
#[utoipa::path(
    put, path = "/users/{user_id}/active", tag = "users",
    params(("user_id" = UserId, Path, description = "User id")),
    request_body = ActiveRequest,
    responses(
        (status = 200, description = "Updated", body = User),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn set_active(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(user_id): ApiPath<UserId>,
    ApiJson(req): ApiJson<ActiveRequest>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        state
            .lms
            .users
            .set_active(&auth.actor, user_id, req.active)
            .await?,
    ))
}

/// Activates or deactivates many accounts (admins only; never their own):
/// one outcome per account.
#[utoipa::path(
    post, path = "/users/active", tag = "users",
    request_body = BulkActiveRequest,
    responses(
        (status = 200, description = "One outcome per account", body = Vec<BulkOutcome>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "More than 500 accounts", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn set_active_many(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<BulkActiveRequest>,
) -> ApiResult<Json<Vec<BulkOutcome>>> {
    Ok(Json(
        state
            .lms
            .users
            .set_active_many(&auth.actor, &req.user_ids, req.active)
            .await?,
    ))
}

/// Sets a new password. One's own needs `current_password`; the session
/// making the change stays and every other session of the account ends.
/// An admin may set another account's password without it (every session
/// of that account ends). Either way the account's calendar-feed URL is
/// replaced.
#[utoipa::path(
    put, path = "/users/{user_id}/password", tag = "users",
    params(("user_id" = UserId, Path, description = "User id")),
    request_body = PasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The current password is wrong", body = ErrorBody),
        (status = 404, description = "No such user, or not visible", body = ErrorBody),
        (status = 422, description = "Password too short or too long, or the current password missing", body = ErrorBody),
        (status = 429, description = "Too many wrong current passwords", body = ErrorBody),
        (status = 503, description = "Too many password checks at once", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn set_password(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(user_id): ApiPath<UserId>,
    ApiJson(req): ApiJson<PasswordRequest>,
) -> ApiResult<StatusCode> {
    state
        .login
        .set_password(
            &auth.actor,
            user_id,
            req.current_password.as_deref(),
            &req.password,
            &auth.token_hash,
        )
        .await
        .map_err(password_error)?;
    if auth.actor.user_id != user_id {
        tracing::info!(
            target: "audit",
            admin = %auth.actor.user_id,
            user = %user_id,
            "an admin set another account's password"
        );
    }
    Ok(StatusCode::NO_CONTENT)
}

fn password_error(e: ChangePasswordError) -> ApiError {
    match e {
        ChangePasswordError::Throttled { retry_after_secs } => {
            ApiError::too_many_requests(retry_after_secs)
        }
        ChangePasswordError::Busy => ApiError::busy(),
        other => other.into(),
    }
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_user, list_users))
        .routes(routes!(find_accounts))
        .routes(routes!(export_users))
        .routes(routes!(set_active_many))
        .routes(routes!(get_user))
        .routes(routes!(update_profile))
        .routes(routes!(set_role))
        .routes(routes!(set_active))
        .routes(routes!(set_password))
}
