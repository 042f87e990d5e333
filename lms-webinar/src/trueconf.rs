//! TrueConf Server (API v3.x): scheduled conferences on a school's own
//! video-conferencing server.
//!
//! Wire format, as TrueConf documents it for API v3 (TrueConf Server API
//! reference, `developers.trueconf.com/api/server`):
//!
//! - `POST {server}/oauth2/v1/token` with `grant_type=client_credentials`,
//!   `client_id` and `client_secret` answers
//!   `{"access_token", "token_type", "expires_in"}`. The reference's
//!   example sends these as JSON; we send the standard OAuth 2.0 form
//!   (RFC 6749 §4.4.2), which the server's OAuth library (bshaffer
//!   oauth2-server, which the reference links to) reads as well.
//! - Every API call passes that token as the `access_token` query parameter.
//! - `POST /api/v3.{minor}/conferences` with `{"topic" (1..240 chars),
//!   "owner", "type", "schedule": {"type", "start_time", "duration"},
//!   "allow_guests", "invitations": [{"id"}]}` creates a conference
//!   (schedule type `1` is one-time; `start_time` is Unix seconds, so the
//!   optional `time_zone` is not needed) and answers
//!   `{"conference": {"id", "url", "webclient_url", ...}}`;
//!   `PUT /api/v3.{minor}/conferences/{id}` changes it (same answer);
//!   `DELETE /api/v3.{minor}/conferences/{id}` answers `{"id"}`.
//! - Errors answer `{"error": {"code", "message", "errors": [{"reason", "message", ...}]}}`.

use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use lms_core::webinar::{Conference, ConferenceSpec, ProviderError, ProviderKind, WebinarProvider};
use reqwest::{RequestBuilder, Response, StatusCode, Url};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::http::{self, Failure};
use crate::{ConfigError, DEFAULT_TIMEOUT};

/// The API minor version used unless configured: v3.2, which TrueConf Server
/// has served since 4.x (newer servers keep serving it).
pub const DEFAULT_API_MINOR_VERSION: u8 = 2;

/// The longest conference topic TrueConf accepts, in characters.
const MAX_TOPIC_CHARS: usize = 240;

/// The longest scheduled duration TrueConf accepts, in seconds (a day less
/// a second).
const MAX_DURATION_SECS: u64 = 86_399;

/// A cached token is replaced this long before it expires (at most a tenth
/// of its lifetime), so a request never starts with a token about to die.
const TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Conference mode "symmetric" (everyone on screen).
const CONFERENCE_TYPE_SYMMETRIC: u8 = 0;

/// Schedule type "one-time, at a given start time".
const SCHEDULE_TYPE_ONE_TIME: i8 = 1;

/// How to reach a TrueConf Server.
///
/// `Debug` never shows the client secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TrueConfConfig {
    /// The server's base URL, e.g. `https://video.school.ru`.
    pub server_url: String,
    /// The `x` of API `v3.x` ([`DEFAULT_API_MINOR_VERSION`] by default).
    pub api_minor_version: u8,
    /// The OAuth 2.0 application's client id (control panel, API → OAuth2).
    pub client_id: String,
    /// The OAuth 2.0 application's client secret.
    pub client_secret: String,
    /// The TrueConf user id that owns the conferences, e.g. `lms@video.school.ru`.
    pub conference_owner: String,
    /// Whether people without an account on the server may join by link
    /// (`allow_guests`; needs a webinar licence). Off by default: students
    /// then join with their TrueConf accounts.
    pub allow_guests: bool,
    /// How long one HTTP request may take ([`DEFAULT_TIMEOUT`] by default).
    pub timeout: Duration,
}

impl TrueConfConfig {
    /// A config with the default API version, timeout and no guests.
    pub fn new(
        server_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        conference_owner: impl Into<String>,
    ) -> Self {
        Self {
            server_url: server_url.into(),
            api_minor_version: DEFAULT_API_MINOR_VERSION,
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            conference_owner: conference_owner.into(),
            allow_guests: false,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl fmt::Debug for TrueConfConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrueConfConfig")
            .field("server_url", &self.server_url)
            .field("api_minor_version", &self.api_minor_version)
            .field("client_id", &self.client_id)
            .field("client_secret", &http::REDACTED)
            .field("conference_owner", &self.conference_owner)
            .field("allow_guests", &self.allow_guests)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Creates, moves and deletes scheduled conferences on a TrueConf Server.
///
/// Conferences are symmetric (everyone on screen), owned by
/// [`TrueConfConfig::conference_owner`], scheduled once at the webinar's
/// start for its duration, with the teacher and the students invited by
/// e-mail (which TrueConf takes as user ids on servers whose accounts are
/// e-mail addresses, e.g. from LDAP). Students get the conference link
/// (`{server}/c/{id}`), the teacher the web-client link
/// (`{server}/webrtc/{id}`), as the server returns them.
///
/// The access token is cached until shortly before it expires and fetched
/// again once when the server answers 401. A rescheduling changes the
/// topic and the schedule; invitations stay as they were at creation.
pub struct TrueConfProvider {
    http: reqwest::Client,
    server: Url,
    conferences: Url,
    token_url: Url,
    config: TrueConfConfig,
    token: Mutex<Option<CachedToken>>,
}

impl fmt::Debug for TrueConfProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrueConfProvider")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

struct CachedToken {
    value: String,
    /// When to fetch a new one (`None`: the server gave no lifetime, so
    /// only a 401 replaces it).
    refresh_at: Option<Instant>,
}

impl CachedToken {
    fn is_fresh(&self) -> bool {
        self.refresh_at.is_none_or(|at| Instant::now() < at)
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Serialize)]
struct ConferenceBody<'a> {
    topic: String,
    owner: &'a str,
    #[serde(rename = "type")]
    kind: u8,
    schedule: Schedule,
    allow_guests: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    invitations: Option<Vec<Invitation<'a>>>,
}

#[derive(Serialize)]
struct Schedule {
    #[serde(rename = "type")]
    kind: i8,
    start_time: i64,
    duration: u64,
}

#[derive(Serialize)]
struct Invitation<'a> {
    id: &'a str,
}

#[derive(Deserialize)]
struct ConferenceAnswer {
    conference: ConferenceFields,
}

#[derive(Deserialize)]
struct ConferenceFields {
    id: IdValue,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    webclient_url: Option<String>,
}

/// Conference ids are strings, but some servers answer with digits only;
/// take either.
#[derive(Deserialize)]
#[serde(untagged)]
enum IdValue {
    Text(String),
    Number(serde_json::Number),
}

impl IdValue {
    fn into_string(self) -> String {
        match self {
            Self::Text(s) => s,
            Self::Number(n) => n.to_string(),
        }
    }
}

/// Which call is being made, for messages and for what a 404 means.
#[derive(Clone, Copy)]
enum Op {
    Create,
    Update,
    Delete,
}

impl Op {
    fn what(self) -> &'static str {
        match self {
            Self::Create => "TrueConf create conference",
            Self::Update => "TrueConf update conference",
            Self::Delete => "TrueConf delete conference",
        }
    }
}

impl TrueConfProvider {
    /// Checks the config and builds the HTTP client. Makes no request: the
    /// first token is fetched by the first call.
    pub fn new(config: TrueConfConfig) -> Result<Self, ConfigError> {
        let server = http::base_url("server_url", &config.server_url)?;
        for (field, value) in [
            ("client_id", &config.client_id),
            ("client_secret", &config.client_secret),
            ("conference_owner", &config.conference_owner),
        ] {
            if value.trim().is_empty() {
                return Err(ConfigError::Missing(field));
            }
        }
        let version = format!("v3.{}", config.api_minor_version);
        Ok(Self {
            http: http::client(config.timeout)?,
            conferences: http::join(&server, &["api", &version, "conferences"]),
            token_url: http::join(&server, &["oauth2", "v1", "token"]),
            server,
            config,
            token: Mutex::new(None),
        })
    }

    /// The config this provider was built from.
    #[must_use]
    pub fn config(&self) -> &TrueConfConfig {
        &self.config
    }

    /// A token that is not about to expire, from the cache or the server.
    /// The lock is held while fetching, so concurrent calls share one fetch.
    async fn token(&self) -> Result<String, ProviderError> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| t.is_fresh()) {
            return Ok(token.value.clone());
        }
        let fresh = self.fetch_token().await?;
        let value = fresh.value.clone();
        *cached = Some(fresh);
        Ok(value)
    }

    /// Forgets `rejected` (unless another call already replaced it).
    async fn forget(&self, rejected: &str) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|t| t.value == rejected) {
            *cached = None;
        }
    }

    async fn fetch_token(&self) -> Result<CachedToken, ProviderError> {
        const WHAT: &str = "TrueConf access token";
        let secrets = [self.config.client_secret.as_str()];
        let response = self
            .http
            .post(self.token_url.clone())
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", self.config.client_id.as_str()),
                ("client_secret", self.config.client_secret.as_str()),
            ])
            .send()
            .await
            .map_err(|e| http::transport_error(WHAT, e, self.config.timeout, &secrets))?;
        if !response.status().is_success() {
            // 400/401 here mean wrong client credentials: no retry helps.
            return Err(Failure::read(response).await.into_error(WHAT, &secrets));
        }
        let text = response
            .text()
            .await
            .map_err(|e| http::transport_error(WHAT, e, self.config.timeout, &secrets))?;
        let answer: TokenAnswer = serde_json::from_str(&text)
            .map_err(|e| http::unexpected_answer(WHAT, &e.to_string(), &secrets))?;
        if answer.access_token.trim().is_empty() {
            return Err(http::unexpected_answer(
                WHAT,
                "empty access_token",
                &secrets,
            ));
        }
        let refresh_at = answer.expires_in.map(|secs| {
            let lifetime = Duration::from_secs(secs);
            Instant::now() + lifetime - TOKEN_REFRESH_MARGIN.min(lifetime / 10)
        });
        Ok(CachedToken {
            value: answer.access_token,
            refresh_at,
        })
    }

    /// Sends the request `build` makes with a token; on 401 fetches a new
    /// token and sends it once more. Returns the last answer and the token
    /// it was sent with.
    async fn send(
        &self,
        op: Op,
        build: impl Fn(Url) -> RequestBuilder,
        url: &Url,
    ) -> Result<(Response, String), ProviderError> {
        let mut retried = false;
        loop {
            let token = self.token().await?;
            let mut with_token = url.clone();
            with_token
                .query_pairs_mut()
                .append_pair("access_token", &token);
            let response = build(with_token).send().await.map_err(|e| {
                http::transport_error(
                    op.what(),
                    e,
                    self.config.timeout,
                    &[&token, &self.config.client_secret],
                )
            })?;
            if response.status() == StatusCode::UNAUTHORIZED && !retried {
                retried = true;
                self.forget(&token).await;
                continue;
            }
            return Ok((response, token));
        }
    }

    /// Maps an error answer of `op`.
    async fn failure(&self, op: Op, response: Response, token: &str) -> ProviderError {
        let secrets = [token, self.config.client_secret.as_str()];
        let failure = Failure::read(response).await;
        match failure.status {
            StatusCode::NOT_FOUND if !matches!(op, Op::Create) => ProviderError::NotFound,
            StatusCode::UNAUTHORIZED => ProviderError::Permanent(failure.message(
                &format!("{} (a fresh access token was refused too)", op.what()),
                &secrets,
            )),
            _ => failure.into_error(op.what(), &secrets),
        }
    }

    fn body<'a>(&'a self, spec: &'a ConferenceSpec, with_invitations: bool) -> ConferenceBody<'a> {
        let invitations = with_invitations.then(|| {
            let mut seen: Vec<String> = Vec::new();
            std::iter::once(spec.host_email.as_str())
                .chain(spec.participant_emails.iter().map(String::as_str))
                .map(str::trim)
                .filter(|email| !email.is_empty())
                .filter(|email| {
                    let key = email.to_lowercase();
                    let new = !seen.contains(&key);
                    seen.push(key);
                    new
                })
                .map(|id| Invitation { id })
                .collect()
        });
        ConferenceBody {
            topic: spec.title.trim().chars().take(MAX_TOPIC_CHARS).collect(),
            owner: &self.config.conference_owner,
            kind: CONFERENCE_TYPE_SYMMETRIC,
            schedule: Schedule {
                kind: SCHEDULE_TYPE_ONE_TIME,
                start_time: spec.starts_at.timestamp(),
                duration: (u64::from(spec.duration_minutes) * 60).min(MAX_DURATION_SECS),
            },
            allow_guests: self.config.allow_guests,
            invitations,
        }
    }

    /// Reads `{"conference": {...}}` into links, taking the links the
    /// server returns and falling back to the documented patterns.
    async fn conference(
        &self,
        op: Op,
        response: Response,
        token: &str,
    ) -> Result<Conference, ProviderError> {
        let secrets = [token, self.config.client_secret.as_str()];
        let text = response
            .text()
            .await
            .map_err(|e| http::transport_error(op.what(), e, self.config.timeout, &secrets))?;
        let answer: ConferenceAnswer = serde_json::from_str(&text)
            .map_err(|e| http::unexpected_answer(op.what(), &e.to_string(), &secrets))?;
        let fields = answer.conference;
        let id = fields.id.into_string();
        if id.trim().is_empty() {
            return Err(http::unexpected_answer(
                op.what(),
                "empty conference id",
                &secrets,
            ));
        }
        let link = |given: Option<String>, prefix: &str| {
            given
                .filter(|u| http::is_web_link(u))
                .unwrap_or_else(|| http::join(&self.server, &[prefix, &id]).to_string())
        };
        let join_url = link(fields.url, "c");
        let host_url = link(fields.webclient_url, "webrtc");
        Ok(Conference {
            conference_id: Some(id),
            join_url,
            host_url: Some(host_url),
        })
    }
}

#[async_trait]
impl WebinarProvider for TrueConfProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::TrueConf
    }

    async fn create(&self, spec: &ConferenceSpec) -> Result<Conference, ProviderError> {
        let op = Op::Create;
        let body = self.body(spec, true);
        let (response, token) = self
            .send(op, |url| self.http.post(url).json(&body), &self.conferences)
            .await?;
        if !response.status().is_success() {
            return Err(self.failure(op, response, &token).await);
        }
        self.conference(op, response, &token).await
    }

    /// `NotFound` when the conference is gone (or `conference_id` is
    /// `None`).
    async fn update(
        &self,
        conference_id: Option<String>,
        spec: &ConferenceSpec,
    ) -> Result<Conference, ProviderError> {
        let op = Op::Update;
        let id = conference_id.ok_or(ProviderError::NotFound)?;
        let url = http::join(&self.conferences, &[&id]);
        let body = self.body(spec, false);
        let (response, token) = self
            .send(op, |url| self.http.put(url).json(&body), &url)
            .await?;
        if !response.status().is_success() {
            return Err(self.failure(op, response, &token).await);
        }
        self.conference(op, response, &token).await
    }

    /// `NotFound` when the conference is already gone (or `conference_id`
    /// is `None`).
    async fn delete(&self, conference_id: Option<String>) -> Result<(), ProviderError> {
        let op = Op::Delete;
        let id = conference_id.ok_or(ProviderError::NotFound)?;
        let url = http::join(&self.conferences, &[&id]);
        let (response, token) = self.send(op, |url| self.http.delete(url), &url).await?;
        if !response.status().is_success() {
            return Err(self.failure(op, response, &token).await);
        }
        Ok(())
    }
}
