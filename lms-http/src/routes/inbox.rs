//! The in-app notification list (the bell): what the e-mail and Telegram
//! channels send lands here too, with read marks.

use axum::Json;
use axum::extract::State;
use lms_core::OutboxId;
use lms_core::notification::InboxItem;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;

/// How many notifications are unread.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    /// Unread notifications, counted up to 100 (show "99+" beyond 99).
    pub unread: u32,
}

/// Notifications to mark read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    /// Ids from the list (at most 200, as
    /// [`MAX_MARK_READ`](lms_core::notification::MAX_MARK_READ) says;
    /// others' ids are ignored).
    #[schema(max_items = 200)]
    pub ids: Vec<OutboxId>,
}

/// How many notifications changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// Notifications marked read by this call (already read ones not counted).
    pub marked: u64,
}

/// The logged-in user's in-app notifications, newest first, each with the
/// path of the page it is about.
#[utoipa::path(
    get, path = "/notifications/inbox", tag = "notifications",
    params(Pagination),
    responses(
        (status = 200, description = "A page of notifications", body = Vec<InboxItem>),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn inbox(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(page): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<InboxItem>>> {
    Ok(Json(
        state
            .lms
            .notifications
            .inbox(&auth.actor, page.page())
            .await?,
    ))
}

/// How many of the logged-in user's notifications are unread (the bell's
/// badge).
#[utoipa::path(
    get, path = "/notifications/inbox/unread", tag = "notifications",
    responses(
        (status = 200, description = "The unread count", body = UnreadCount),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn unread(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<UnreadCount>> {
    let unread = state.lms.notifications.unread_count(&auth.actor).await?;
    Ok(Json(UnreadCount { unread }))
}

/// Marks some of the logged-in user's notifications read.
#[utoipa::path(
    post, path = "/notifications/inbox/read", tag = "notifications",
    request_body = MarkReadRequest,
    responses(
        (status = 200, description = "How many changed", body = MarkedRead),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 422, description = "More than 200 ids (`too_many_ids`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn mark_read(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<MarkReadRequest>,
) -> ApiResult<Json<MarkedRead>> {
    let marked = state
        .lms
        .notifications
        .mark_read(&auth.actor, &req.ids)
        .await?;
    Ok(Json(MarkedRead { marked }))
}

/// Marks every notification of the logged-in user read.
#[utoipa::path(
    post, path = "/notifications/inbox/read-all", tag = "notifications",
    responses(
        (status = 200, description = "How many changed", body = MarkedRead),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn mark_all_read(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<MarkedRead>> {
    let marked = state.lms.notifications.mark_all_read(&auth.actor).await?;
    Ok(Json(MarkedRead { marked }))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(inbox))
        .routes(routes!(unread))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
}
