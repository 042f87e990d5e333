//! The logged-in user's notifications: which kinds arrive over which
//! channel, quiet hours, linking a Telegram chat through the school's bot,
//! and the history of messages sent to them.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveTime, Utc};
use lms_core::UserId;
use lms_core::notification::{
    Channel, ChannelStatus, NotificationKind, NotificationSettingsView, OutboxEntry,
    PreferencesInput, QuietHours,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Pagination, field};
use crate::state::AppState;

/// The user's notification settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationSettings {
    /// The user.
    pub user_id: UserId,
    /// Per kind, the channels the user wants. Kinds absent here arrive over
    /// every channel; an empty list turns the kind off.
    pub channels: BTreeMap<NotificationKind, Vec<Channel>>,
    /// Quiet hours in the user's zone, if any: non-urgent messages wait
    /// until they end.
    pub quiet_hours: Option<QuietHours>,
    /// Whether a Telegram chat is linked (Telegram messages need one).
    pub telegram_linked: bool,
    /// Whether this server has a Telegram bot (linking is possible).
    pub telegram_available: bool,
    /// Every channel: whether this server delivers it and whether the user
    /// can be reached on it.
    pub channel_status: Vec<ChannelStatus>,
    /// Per kind (every kind listed), the channels its messages will
    /// actually arrive over; an empty list means none arrive.
    pub delivered: BTreeMap<NotificationKind, Vec<Channel>>,
}

impl NotificationSettings {
    fn of(view: NotificationSettingsView) -> Self {
        let linked = view
            .channels
            .iter()
            .any(|c| c.channel == Channel::Telegram && c.reachable);
        let telegram_available = view
            .channels
            .iter()
            .any(|c| c.channel == Channel::Telegram && c.available);
        Self {
            user_id: view.preferences.user_id,
            channels: view.preferences.channels,
            quiet_hours: view.preferences.quiet_hours,
            telegram_linked: linked,
            telegram_available,
            channel_status: view.channels,
            delivered: view.delivered,
        }
    }
}

/// Quiet hours as local times.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursRequest {
    /// Local start, `HH:MM` (e.g. `22:00`).
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "22:00")]
    pub from: String,
    /// Local end, `HH:MM` (e.g. `08:00`); may be before `from` (over
    /// midnight), must differ from it.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "08:00")]
    pub to: String,
}

/// New notification settings; replaces the previous ones whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesRequest {
    /// Per kind (`new_assignment`, `deadline_reminder`, `homework_graded`,
    /// `homework_returned`, `webinar_scheduled`, `webinar_changed`,
    /// `webinar_reminder`, `achievement_awarded`), the channels wanted
    /// (`email`, `telegram`). Kinds left out get every channel; `[]` turns
    /// a kind off.
    #[serde(default)]
    #[schema(value_type = BTreeMap<NotificationKind, Vec<Channel>>)]
    pub channels: BTreeMap<String, Vec<String>>,
    /// Quiet hours, or `null` for none.
    #[serde(default)]
    pub quiet_hours: Option<QuietHoursRequest>,
}

/// A started Telegram link.
#[derive(Debug, Serialize, ToSchema)]
pub struct TelegramLink {
    /// `https://t.me/<bot>?start=<token>`: open it and press Start in the
    /// bot to link the chat.
    pub deep_link: String,
    /// The link works until this instant.
    pub expires_at: DateTime<Utc>,
}

fn local_time(name: &str, raw: &str) -> ApiResult<NaiveTime> {
    let raw = raw.trim();
    field(
        name,
        NaiveTime::parse_from_str(raw, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S"))
            .map_err(|_| "expected a local time HH:MM, e.g. 22:00"),
    )
}

fn parse_preferences(req: PreferencesRequest) -> ApiResult<PreferencesInput> {
    let mut channels = BTreeMap::new();
    for (kind, chs) in req.channels {
        let name = format!("channels.{kind}");
        let kind = field(
            &name,
            NotificationKind::parse(&kind)
                .filter(|k| !k.is_account_message())
                .ok_or("unknown notification kind (account messages always go by e-mail)"),
        )?;
        let chs = chs
            .iter()
            .map(|c| {
                field(
                    &name,
                    // In-app is always on, not a preference.
                    Channel::parse(c)
                        .filter(|ch| Channel::ALL.contains(ch))
                        .ok_or("unknown channel: expected email or telegram"),
                )
            })
            .collect::<ApiResult<Vec<_>>>()?;
        channels.insert(kind, chs);
    }
    let quiet_hours = match req.quiet_hours {
        Some(q) => Some(QuietHours {
            from: local_time("quiet_hours.from", &q.from)?,
            to: local_time("quiet_hours.to", &q.to)?,
        }),
        None => None,
    };
    Ok(PreferencesInput {
        channels,
        quiet_hours,
    })
}

/// The logged-in user's notification settings (defaults when never set:
/// every kind over every channel, no quiet hours).
#[utoipa::path(
    get, path = "/notifications/preferences", tag = "notifications",
    responses(
        (status = 200, description = "Settings", body = NotificationSettings),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn get_preferences(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<NotificationSettings>> {
    Ok(Json(NotificationSettings::of(
        state
            .lms
            .notifications
            .settings(&auth.actor, state.config.channels())
            .await?,
    )))
}

/// Replaces the logged-in user's notification settings.
#[utoipa::path(
    put, path = "/notifications/preferences", tag = "notifications",
    request_body = PreferencesRequest,
    responses(
        (status = 200, description = "Settings as stored", body = NotificationSettings),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 422, description = "Unknown kind or channel, bad time, or equal quiet-hour bounds", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn set_preferences(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<PreferencesRequest>,
) -> ApiResult<Json<NotificationSettings>> {
    let input = parse_preferences(req)?;
    Ok(Json(NotificationSettings::of(
        state
            .lms
            .notifications
            .update_settings(&auth.actor, input, state.config.channels())
            .await?,
    )))
}

/// Starts linking the logged-in user's Telegram chat: returns the bot deep
/// link, valid for 15 minutes.
#[utoipa::path(
    post, path = "/notifications/telegram", tag = "notifications",
    responses(
        (status = 200, description = "Open the deep link", body = TelegramLink),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 409, description = "Telegram is not configured on this server", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn start_telegram_link(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<TelegramLink>> {
    let Some(bot) = state.config.telegram_bot.as_deref() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "telegram_not_configured",
            "Telegram-бот на этом сервере не настроен (telegram not configured)",
        ));
    };
    let link = state
        .lms
        .notifications
        .start_telegram_link(&auth.actor, bot)
        .await?;
    Ok(Json(TelegramLink {
        deep_link: link.deep_link,
        expires_at: link.expires_at,
    }))
}

/// Unlinks the logged-in user's Telegram chat.
#[utoipa::path(
    delete, path = "/notifications/telegram", tag = "notifications",
    responses(
        (status = 204, description = "Unlinked (or was not linked)"),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn unlink_telegram(State(state): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    state.lms.notifications.unlink_telegram(&auth.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Messages to the logged-in user (one per channel), newest first, with
/// their delivery state.
#[utoipa::path(
    get, path = "/notifications", tag = "notifications",
    params(Pagination),
    responses(
        (status = 200, description = "A page of messages", body = Vec<OutboxEntry>),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_notifications(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(page): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<OutboxEntry>>> {
    Ok(Json(
        state
            .lms
            .notifications
            .my_outbox(&auth.actor, page.page())
            .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_preferences, set_preferences))
        .routes(routes!(start_telegram_link, unlink_telegram))
        .routes(routes!(list_notifications))
}
