//! Telegram: [`TelegramNotifier`], the [`Notifier`] of
//! [`Channel::Telegram`], and the bot side of account linking
//! ([`run_bot`] for long polling, [`handle_update`] for a webhook route).
//!
//! Messages use Telegram's HTML parse mode (every text escaped) and carry an
//! inline button to the object in the web UI, plus one to join a webinar when
//! there is a join link. Telegram rejects buttons with URLs it considers
//! invalid (such as `http://localhost:8080`); for such a base URL the link is
//! written into the text instead.
//!
//! # Rate limits
//!
//! Telegram allows about 30 messages a second per bot and one a second per
//! chat. Each [`TelegramNotifier`] waits for a slot from its [`RateLimiter`]
//! before sending. By default the slots are kept in the process; with
//! [`TelegramNotifier::with_shared_limits`] they are reserved in the
//! database ([`NotificationStore::reserve_send_slot`]), so several worker
//! processes on one database draw from one budget per bot and per chat. A
//! `429 Too Many Requests` is returned to the dispatcher as a transient
//! failure carrying Telegram's `retry_after`, and the limiter keeps that chat
//! quiet for as long (in the database too, when shared).
//!
//! # Errors
//!
//! `403` "bot was blocked by the user" or "user is deactivated" (and the
//! like: chat not found, bot kicked) are permanent with
//! `unreachable: true`, so the dispatcher unlinks the chat. Other `4xx`
//! replies are permanent. `5xx` replies, replies that are not Telegram's JSON
//! (a proxy's error page) and network errors are transient. A rejected bot
//! token is treated as transient: it is the school's configuration, not the
//! message, that is wrong, and messages should survive until it is fixed.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use lms_core::Lms;
use lms_core::notification::{
    Channel, DeliveryError, LinkError, NotificationStore, Notifier, OutboundMessage,
};
use reqwest::Url;
use serde::Deserialize;
use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::payloads::{GetUpdatesSetters, SendMessageSetters, SetWebhookSetters};
use teloxide::requests::Requester;
use teloxide::types::{
    AllowedUpdate, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, ParseMode, UpdateKind,
};
use thiserror::Error;

use crate::content::{self, Content};

mod limiter;

pub use limiter::RateLimiter;

pub use teloxide::Bot;
pub use teloxide::types::Update;

/// Telegram settings, as found in the reference server's configuration file
/// (`[telegram]` table).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramConfig {
    /// The token @BotFather gave (never logged).
    pub bot_token: String,
    /// The bot's username (`school_lms_bot`), for deep links.
    pub bot_username: String,
    /// Bot API base URL; Telegram's (`https://api.telegram.org`) by default.
    /// Set it for a self-hosted Bot API server or a mock in tests.
    #[serde(default)]
    pub api_url: Option<String>,
    /// The web UI's address (`https://school.example`), for link buttons.
    pub web_base_url: String,
    /// Receive updates through a webhook instead of long polling.
    #[serde(default)]
    pub webhook: Option<WebhookConfig>,
    /// Messages a second over all chats (default 30, Telegram's limit).
    #[serde(default = "default_messages_per_second")]
    pub messages_per_second: u32,
    /// Least time between two messages to one chat, in milliseconds
    /// (default 1000).
    #[serde(default = "default_per_chat_interval_ms")]
    pub per_chat_interval_ms: u64,
    /// How long one `getUpdates` long poll waits, in seconds (default 25).
    #[serde(default = "default_poll_timeout_secs")]
    pub poll_timeout_secs: u32,
}

fn default_messages_per_second() -> u32 {
    30
}

fn default_per_chat_interval_ms() -> u64 {
    1000
}

fn default_poll_timeout_secs() -> u32 {
    25
}

impl TelegramConfig {
    /// Settings with every optional value at its default.
    #[must_use]
    pub fn new(bot_token: &str, bot_username: &str, web_base_url: &str) -> Self {
        Self {
            bot_token: bot_token.to_owned(),
            bot_username: bot_username.to_owned(),
            api_url: None,
            web_base_url: web_base_url.to_owned(),
            webhook: None,
            messages_per_second: default_messages_per_second(),
            per_chat_interval_ms: default_per_chat_interval_ms(),
            poll_timeout_secs: default_poll_timeout_secs(),
        }
    }
}

impl fmt::Debug for TelegramConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TelegramConfig")
            .field("bot_token", &"<redacted>")
            .field("bot_username", &self.bot_username)
            .field("api_url", &self.api_url)
            .field("web_base_url", &self.web_base_url)
            .field("webhook", &self.webhook)
            .field("messages_per_second", &self.messages_per_second)
            .field("per_chat_interval_ms", &self.per_chat_interval_ms)
            .field("poll_timeout_secs", &self.poll_timeout_secs)
            .finish()
    }
}

/// Webhook settings: Telegram posts updates to `url`, where the HTTP layer
/// checks the `X-Telegram-Bot-Api-Secret-Token` header against
/// `secret_token` and passes the [`Update`] to [`handle_update`].
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The public HTTPS URL of the webhook route.
    pub url: String,
    /// Sent back by Telegram in `X-Telegram-Bot-Api-Secret-Token` (1–256
    /// characters of `A-Za-z0-9_-`).
    #[serde(default)]
    pub secret_token: Option<String>,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field(
                "secret_token",
                &self.secret_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Why the Telegram side could not be set up.
#[derive(Debug, Error)]
pub enum TelegramConfigError {
    /// `api_url` is not a URL.
    #[error("telegram.api_url is not a valid URL: {0}")]
    InvalidApiUrl(String),
    /// `webhook.url` is not a URL.
    #[error("telegram.webhook.url is not a valid URL: {0}")]
    InvalidWebhookUrl(String),
    /// `web_base_url` is not an http(s) URL.
    #[error("telegram.web_base_url must start with http:// or https://: {0}")]
    InvalidWebBaseUrl(String),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(String),
    /// Telegram refused to set the webhook.
    #[error("setWebhook failed: {0}")]
    Webhook(RequestError),
}

/// A teloxide [`Bot`] for `config`: its token, Bot API URL and an HTTP client
/// whose timeout outlasts a long poll.
///
/// # Errors
/// When `api_url` is malformed or the HTTP client cannot be built.
pub fn bot(config: &TelegramConfig) -> Result<Bot, TelegramConfigError> {
    let timeout = Duration::from_secs(u64::from(config.poll_timeout_secs) + 15).max(
        // teloxide's default, for requests other than long polls.
        Duration::from_secs(17),
    );
    let client = teloxide::net::default_reqwest_settings()
        .timeout(timeout)
        .build()
        .map_err(|e| TelegramConfigError::Client(e.to_string()))?;
    let mut bot = Bot::with_client(config.bot_token.clone(), client);
    if let Some(api_url) = &config.api_url {
        let url =
            Url::parse(api_url).map_err(|_| TelegramConfigError::InvalidApiUrl(api_url.clone()))?;
        bot = bot.set_api_url(url);
    }
    Ok(bot)
}

// ------------------------------------------------------------- messages

/// The HTML text and buttons of a Telegram message.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedTelegram {
    /// Text in Telegram's HTML parse mode, every value escaped.
    pub html: String,
    /// Inline buttons, one per row (empty when the links are in the text).
    pub buttons: Vec<(String, Url)>,
}

/// Escapes text for Telegram's HTML parse mode.
#[must_use]
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL Telegram accepts on an inline button: http(s) with a domain name
/// (not `localhost`, not an IP address).
fn button_url(url: &str) -> Option<Url> {
    let parsed = Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return None;
    }
    let host = parsed.host_str()?;
    let ip = host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok();
    let local = host == "localhost" || host.ends_with(".localhost");
    (!ip && !local && host.contains('.')).then_some(parsed)
}

/// Renders `message` for Telegram in the recipient's language, with links
/// into the web UI at `web_base_url`.
#[must_use]
pub fn render_telegram(message: &OutboundMessage, web_base_url: &str) -> RenderedTelegram {
    format_content(&content::render(message, web_base_url))
}

fn format_content(c: &Content) -> RenderedTelegram {
    let mut html = format!("<b>{}</b>", escape_html(&c.subject));
    for p in &c.paragraphs {
        html.push_str("\n\n");
        html.push_str(&escape_html(p));
    }
    let links: Vec<_> = std::iter::once(&c.link).chain(c.join.as_ref()).collect();
    let buttons: Option<Vec<(String, Url)>> = links
        .iter()
        .map(|l| button_url(&l.url).map(|u| (l.label.clone(), u)))
        .collect();
    let buttons = match buttons {
        Some(b) => b,
        None => {
            html.push('\n');
            for l in links {
                html.push_str(&format!(
                    "\n{}: {}",
                    escape_html(&l.label),
                    escape_html(&l.url)
                ));
            }
            Vec::new()
        }
    };
    RenderedTelegram { html, buttons }
}

/// Sorts a Bot API failure into what the dispatcher can do about it.
fn classify(error: &RequestError) -> DeliveryError {
    let transient = |reason: String, retry_after_secs| DeliveryError::Transient {
        reason,
        retry_after_secs,
    };
    let permanent = |reason: String, unreachable| DeliveryError::Permanent {
        reason,
        unreachable,
    };
    match error {
        RequestError::RetryAfter(wait) => transient(
            format!("Telegram rate limit: retry after {} s", wait.seconds()),
            Some(u64::from(wait.seconds())),
        ),
        RequestError::Api(api) => match api {
            ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::BotKickedFromChannel
            | ApiError::CantInitiateConversation
            | ApiError::ChatNotFound => {
                permanent(format!("Telegram chat unreachable: {api}"), true)
            }
            ApiError::InvalidToken => transient(
                "Telegram rejected the bot token; check telegram.bot_token".to_owned(),
                None,
            ),
            ApiError::Unknown(description) => classify_description(description),
            other => permanent(format!("Telegram refused the message: {other}"), false),
        },
        RequestError::MigrateToChatId(_) => permanent(
            "the Telegram group moved to a supergroup; link the chat again".to_owned(),
            true,
        ),
        // Network errors, and replies that are not the Bot API's JSON (a
        // proxy's 502 page): the same request may work later.
        other => transient(format!("Telegram request failed: {other}"), None),
    }
}

/// An error teloxide does not know, by its description: Telegram's
/// descriptions start with the HTTP reason phrase.
fn classify_description(description: &str) -> DeliveryError {
    let d = description.trim();
    if d.starts_with("Forbidden") {
        DeliveryError::Permanent {
            reason: format!("Telegram chat unreachable: {d}"),
            unreachable: true,
        }
    } else if ["Bad Request", "Unauthorized", "Not Found", "Conflict"]
        .iter()
        .any(|p| d.starts_with(p))
    {
        DeliveryError::Permanent {
            reason: format!("Telegram refused the message: {d}"),
            unreachable: false,
        }
    } else {
        // "Internal Server Error", "Bad Gateway", "Too Many Requests" without
        // parameters, and anything unforeseen: retry (max attempts bounds it).
        DeliveryError::Transient {
            reason: format!("Telegram error: {d}"),
            retry_after_secs: None,
        }
    }
}

/// Sends notifications to linked Telegram chats. Cheap to share behind an
/// `Arc`; one instance per process keeps the rate limits.
pub struct TelegramNotifier {
    bot: Bot,
    bot_username: String,
    web_base_url: String,
    limiter: RateLimiter,
}

impl fmt::Debug for TelegramNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TelegramNotifier")
            .field("web_base_url", &self.web_base_url)
            .field("limiter", &self.limiter)
            .finish_non_exhaustive()
    }
}

impl TelegramNotifier {
    /// A notifier for the bot in `config`.
    ///
    /// # Errors
    /// When a URL in `config` is malformed.
    pub fn new(config: &TelegramConfig) -> Result<Self, TelegramConfigError> {
        let base = config.web_base_url.trim();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(TelegramConfigError::InvalidWebBaseUrl(base.to_owned()));
        }
        Ok(Self {
            bot: bot(config)?,
            bot_username: config.bot_username.clone(),
            web_base_url: base.trim_end_matches('/').to_owned(),
            limiter: RateLimiter::new(
                config.messages_per_second,
                Duration::from_millis(config.per_chat_interval_ms),
            ),
        })
    }

    /// Reserves send slots in `store` (the database every node shares)
    /// instead of in this process, so several sending processes keep
    /// Telegram's per-bot and per-chat limits together.
    #[must_use]
    pub fn with_shared_limits(mut self, store: Arc<dyn NotificationStore>) -> Self {
        self.limiter = self.limiter.shared(store, &self.bot_username);
        self
    }

    /// The bot it sends with.
    pub fn bot(&self) -> &Bot {
        &self.bot
    }
}

#[async_trait]
impl Notifier for TelegramNotifier {
    fn channel(&self) -> Channel {
        Channel::Telegram
    }

    async fn deliver(&self, message: &OutboundMessage) -> Result<(), DeliveryError> {
        let Some(chat) = message.recipient.telegram_chat_id else {
            return Err(DeliveryError::Permanent {
                reason: "no Telegram chat is linked".to_owned(),
                unreachable: false,
            });
        };
        let rendered = render_telegram(message, &self.web_base_url);
        self.limiter.acquire(chat).await;
        let mut request = self
            .bot
            .send_message(ChatId(chat), rendered.html)
            .parse_mode(ParseMode::Html);
        if !rendered.buttons.is_empty() {
            request = request.reply_markup(InlineKeyboardMarkup::new(
                rendered
                    .buttons
                    .into_iter()
                    .map(|(label, url)| vec![InlineKeyboardButton::url(label, url)]),
            ));
        }
        match request.await {
            Ok(_) => {
                tracing::debug!(outbox_id = %message.outbox_id, "Telegram message sent");
                Ok(())
            }
            Err(e) => {
                if let RequestError::RetryAfter(wait) = &e {
                    self.limiter
                        .back_off(chat, Duration::from_secs(u64::from(wait.seconds())))
                        .await;
                }
                let error = classify(&e);
                tracing::warn!(outbox_id = %message.outbox_id, error = %error, "Telegram message not sent");
                Err(error)
            }
        }
    }
}

// ---------------------------------------------------------------- the bot

const REPLY_LINKED: &str = "Готово! Уведомления учебной платформы будут приходить в этот чат. Отключить: /stop\n\nDone! Learning platform notifications will arrive in this chat. To turn them off: /stop";
const REPLY_INVALID_TOKEN: &str = "Ссылка недействительна или устарела. Получите новую в профиле на сайте школы.\n\nThis link is invalid or has expired. Get a new one in your profile on the school's website.";
const REPLY_START_WITHOUT_TOKEN: &str = "Чтобы получать уведомления, откройте ссылку привязки из профиля на сайте школы.\n\nTo get notifications, open the link from your profile on the school's website.";
const REPLY_PRIVATE_ONLY: &str =
    "Привязать можно только личный чат с ботом.\n\nOnly a private chat with the bot can be linked.";
const REPLY_STOPPED: &str = "Уведомления в этот чат отключены. Включить снова можно в профиле на сайте школы.\n\nNotifications to this chat are turned off. You can turn them on again in your profile on the school's website.";
const REPLY_NOT_LINKED: &str =
    "Этот чат не привязан ни к одной учётной записи.\n\nThis chat is not linked to any account.";
const REPLY_FAILED: &str =
    "Не получилось, попробуйте ещё раз позже.\n\nSomething went wrong, please try again later.";

/// Why handling an update failed.
#[derive(Debug, Error)]
pub enum BotError {
    /// The reply could not be sent.
    #[error("Telegram request failed: {0}")]
    Telegram(#[from] RequestError),
}

/// The bot's answer to `text` in chat `chat` (private or not), after doing
/// what it asks: `/start <token>` links the chat, `/stop` unlinks it.
async fn answer(lms: &Lms, chat: i64, private: bool, text: &str) -> Option<&'static str> {
    let mut words = text.split_whitespace();
    let command = words.next()?;
    // In groups commands may be addressed as `/start@school_bot`.
    let command = command.split('@').next().unwrap_or(command);
    match command {
        "/start" => {
            let Some(token) = words.next() else {
                return Some(REPLY_START_WITHOUT_TOKEN);
            };
            if !private {
                return Some(REPLY_PRIVATE_ONLY);
            }
            Some(
                match lms.notifications.complete_telegram_link(token, chat).await {
                    Ok(user) => {
                        tracing::info!(%user, chat, "Telegram chat linked");
                        REPLY_LINKED
                    }
                    Err(LinkError::InvalidToken) => REPLY_INVALID_TOKEN,
                    Err(e) => {
                        tracing::error!(error = %e, chat, "linking a Telegram chat failed");
                        REPLY_FAILED
                    }
                },
            )
        }
        "/stop" => Some(match lms.notifications.telegram_stop(chat).await {
            Ok(Some(user)) => {
                tracing::info!(%user, chat, "Telegram chat unlinked by /stop");
                REPLY_STOPPED
            }
            Ok(None) => REPLY_NOT_LINKED,
            Err(e) => {
                tracing::error!(error = %e, chat, "unlinking a Telegram chat failed");
                REPLY_FAILED
            }
        }),
        _ if private => Some(REPLY_START_WITHOUT_TOKEN),
        _ => None,
    }
}

/// Handles one update from Telegram (long polling or a webhook route):
/// `/start <token>` links the chat to the token's user, `/stop` unlinks it,
/// and the bot replies in Russian and English. Other updates are ignored.
///
/// # Errors
/// When the reply could not be sent (the link itself is already stored).
pub async fn handle_update(lms: &Lms, bot: &Bot, update: &Update) -> Result<(), BotError> {
    let UpdateKind::Message(message) = &update.kind else {
        return Ok(());
    };
    let Some(text) = message.text() else {
        return Ok(());
    };
    let chat = message.chat.id;
    if let Some(reply) = answer(lms, chat.0, message.chat.is_private(), text).await {
        bot.send_message(chat, reply).await?;
    }
    Ok(())
}

/// Parses the JSON body Telegram posts to a webhook into an [`Update`].
///
/// Use this rather than deserializing from a `serde_json::Value`: teloxide's
/// `Update` only deserializes fully from the raw text (from a `Value` the
/// message comes out as an unparsed "error" update and is ignored).
///
/// # Errors
/// When the body is not an update.
pub fn parse_update(body: &[u8]) -> Result<Update, serde_json::Error> {
    serde_json::from_slice(body)
}

/// Registers `webhook` with Telegram (updates then arrive at its URL
/// instead of through `getUpdates`).
///
/// # Errors
/// When the URL is malformed or Telegram refuses it.
pub async fn set_webhook(bot: &Bot, webhook: &WebhookConfig) -> Result<(), TelegramConfigError> {
    let url = Url::parse(&webhook.url)
        .map_err(|_| TelegramConfigError::InvalidWebhookUrl(webhook.url.clone()))?;
    let mut request = bot
        .set_webhook(url)
        .allowed_updates(vec![AllowedUpdate::Message]);
    if let Some(secret) = &webhook.secret_token {
        request = request.secret_token(secret.clone());
    }
    request.await.map_err(TelegramConfigError::Webhook)?;
    Ok(())
}

/// Runs the bot until `shutdown` completes.
///
/// With `webhook` configured it registers the webhook and waits (the HTTP
/// layer passes updates to [`handle_update`]). Otherwise it removes any
/// webhook and long-polls `getUpdates`, handling each update; errors are
/// logged and retried with a growing pause (Telegram's `retry_after` when
/// given). Only one process may long-poll a bot at a time (Telegram answers
/// others with 409 Conflict).
///
/// On shutdown an update being handled is finished and the updates handled
/// are confirmed to Telegram, so they are not delivered again.
///
/// # Errors
/// When the configuration is invalid or the webhook cannot be set.
pub async fn run_bot(
    lms: Arc<Lms>,
    config: TelegramConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), TelegramConfigError> {
    let bot = bot(&config)?;
    let mut shutdown = std::pin::pin!(shutdown);
    if let Some(webhook) = &config.webhook {
        set_webhook(&bot, webhook).await?;
        tracing::info!(url = %webhook.url, "Telegram webhook set");
        shutdown.await;
        return Ok(());
    }

    if let Err(e) = bot.delete_webhook().await {
        tracing::warn!(error = %e, "could not remove the Telegram webhook before long polling");
    }
    tracing::info!(bot = %config.bot_username, "Telegram bot polling for updates");
    let mut offset: Option<i32> = None;
    let mut pause = Duration::from_secs(1);
    loop {
        let mut request = bot
            .get_updates()
            .timeout(config.poll_timeout_secs)
            .allowed_updates(vec![AllowedUpdate::Message]);
        if let Some(offset) = offset {
            request = request.offset(offset);
        }
        let result = tokio::select! {
            biased;
            () = &mut shutdown => break,
            result = request.into_future() => result,
        };
        match result {
            Ok(updates) => {
                pause = Duration::from_secs(1);
                for update in updates {
                    if let Err(e) = handle_update(&lms, &bot, &update).await {
                        tracing::warn!(error = %e, update = update.id.0, "could not answer a Telegram update");
                    }
                    offset = Some(
                        i32::try_from(update.id.0)
                            .unwrap_or(i32::MAX)
                            .saturating_add(1),
                    );
                }
            }
            Err(e) => {
                let wait = match &e {
                    RequestError::RetryAfter(s) => Duration::from_secs(u64::from(s.seconds())),
                    _ => pause,
                };
                tracing::warn!(error = %e, wait_secs = wait.as_secs(), "getUpdates failed");
                pause = (pause * 2).min(Duration::from_secs(60));
                tokio::select! {
                    biased;
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(wait) => {}
                }
            }
        }
    }
    if let Some(offset) = offset {
        // Confirm the handled updates, so a restart does not see them again.
        if let Err(e) = bot.get_updates().offset(offset).timeout(0).await {
            tracing::debug!(error = %e, "could not confirm the last Telegram updates");
        }
    }
    tracing::info!("Telegram bot stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html(r#"<b>"A&B"</b>"#),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"
        );
    }

    #[test]
    fn buttons_only_for_urls_telegram_accepts() {
        assert!(button_url("https://school.example/schedule").is_some());
        assert!(button_url("http://school.example/x").is_some());
        assert!(button_url("http://localhost:8080/x").is_none());
        assert!(button_url("http://127.0.0.1:8080/x").is_none());
        assert!(button_url("ftp://school.example/x").is_none());
    }

    #[test]
    fn classifies_unknown_descriptions() {
        assert!(matches!(
            classify_description("Internal Server Error"),
            DeliveryError::Transient { .. }
        ));
        assert!(matches!(
            classify_description("Bad Request: message is too long"),
            DeliveryError::Permanent {
                unreachable: false,
                ..
            }
        ));
        assert!(matches!(
            classify_description("Forbidden: bot can't send messages to the user"),
            DeliveryError::Permanent {
                unreachable: true,
                ..
            }
        ));
    }
}
