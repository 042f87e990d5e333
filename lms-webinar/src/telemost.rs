//! Yandex Telemost (Yandex 360 for Business): meeting rooms created through
//! the Telemost API.
//!
//! Wire format, as Yandex documents it (the API reference at
//! `yandex.com/dev/telemost/doc/ru/`, "Видеовстречи и трансляции", and the
//! OpenAPI specification `api-specification.yaml`, v1.0.2):
//!
//! - Every call carries `Authorization: OAuth <token>`.
//! - `POST {base}/conferences` (scope `telemost-api:conferences.create`)
//!   with `{"waiting_room_level", "cohosts": [{"email"}]}` answers
//!   `201 {"id", "join_url", ...}`. `access_level` is deprecated and
//!   ignored when `waiting_room_level` is given, so it is never sent.
//! - `GET {base}/conferences/{id}` (`.read`) answers the same fields;
//!   `PATCH {base}/conferences/{id}` (`.update`) changes only the fields it
//!   is given (the waiting room, the live stream, the cohosts).
//! - Errors answer `{"message", "description", "error"}`; a cohost e-mail
//!   Telemost does not know is `404 {"error": "NoSuchUserPrincipalsFound"}`.
//!
//! A Telemost room has no start time or duration (the schedule lives in
//! our storage), and the API documents no way to delete a room: the
//! conferences section lists exactly three operations (create, read,
//! update) and three scopes (`telemost-api:conferences.create`, `.read`,
//! `.update`), and the specification's `/conferences/{id}` path has `get`
//! and `patch` only. The one documented `DELETE` is
//! `/conferences/{id}/cohosts`, which removes cohosts, not the room.
//! (A `telemost-api:conferences.delete` scope is requested by some
//! third-party clients, but Yandex documents neither it nor an operation
//! that uses it.) Cancelling therefore closes the room instead; see
//! [`TelemostProvider`].

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use lms_core::webinar::{Conference, ConferenceSpec, ProviderError, ProviderKind, WebinarProvider};
use reqwest::header::AUTHORIZATION;
use reqwest::{Method, Response, StatusCode, Url};
use serde::{Deserialize, Serialize};

use crate::http::{self, Failure};
use crate::{ConfigError, DEFAULT_TIMEOUT};

/// Where the Telemost API lives.
pub const DEFAULT_BASE_URL: &str = "https://cloud-api.yandex.net/v1/telemost-api";

/// The error code Telemost answers (with 404) when a cohost's e-mail is
/// not a user it knows: a refusal, not a missing conference.
const UNKNOWN_COHOST_ERROR: &str = "NoSuchUserPrincipalsFound";

/// Who enters a Telemost room directly; everyone else waits in the waiting
/// room until the host or a cohost admits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WaitingRoomLevel {
    /// No waiting room: anyone with the link enters (students usually have
    /// accounts outside the school's organisation).
    #[default]
    Public,
    /// Users of the organisation enter; others wait.
    Organization,
    /// Only the organisation's administrators, the host and cohosts enter.
    Admins,
}

impl WaitingRoomLevel {
    /// The API's name (`PUBLIC`, `ORGANIZATION`, `ADMINS`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "PUBLIC",
            Self::Organization => "ORGANIZATION",
            Self::Admins => "ADMINS",
        }
    }
}

/// How to reach Telemost.
///
/// `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct TelemostConfig {
    /// The API base URL ([`DEFAULT_BASE_URL`] by default; tests point it at
    /// a mock server).
    pub base_url: String,
    /// An OAuth token of a Yandex 360 for Business user with the
    /// `telemost-api:conferences.create`, `.read` and `.update` scopes.
    pub oauth_token: String,
    /// Who enters the room directly ([`WaitingRoomLevel::Public`] by default).
    pub waiting_room_level: WaitingRoomLevel,
    /// Whether the teacher's e-mail is made a cohost (on by default; the
    /// e-mail must then be a Yandex account Telemost knows).
    pub host_as_cohost: bool,
    /// How long one HTTP request may take ([`DEFAULT_TIMEOUT`] by default).
    pub timeout: Duration,
}

impl TelemostConfig {
    /// A config for the real API with the default waiting room, the teacher
    /// as cohost and the default timeout.
    pub fn new(oauth_token: impl Into<String>) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            oauth_token: oauth_token.into(),
            waiting_room_level: WaitingRoomLevel::default(),
            host_as_cohost: true,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl fmt::Debug for TelemostConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TelemostConfig")
            .field("base_url", &self.base_url)
            .field("oauth_token", &http::REDACTED)
            .field("waiting_room_level", &self.waiting_room_level)
            .field("host_as_cohost", &self.host_as_cohost)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Creates Telemost rooms for webinars.
///
/// - `create` makes a room with the configured waiting room and the teacher
///   as cohost; students and the teacher use its `join_url`.
/// - `update` sends the same settings again (a room has no time to move)
///   and returns the room's link.
/// - `delete` closes the room, since the API documents no way to delete
///   one (see the module docs): it sends
///   `PATCH /conferences/{id} {"waiting_room_level": "ADMINS"}`, which puts
///   everyone but the organisation's admins and the cohosts in the waiting
///   room, so students who missed the cancellation cannot meet there. A
///   room that no longer exists (404) counts as deleted.
///
/// A 401 is permanent (the configured token is wrong or revoked; there is
/// nothing to refresh).
pub struct TelemostProvider {
    http: reqwest::Client,
    conferences: Url,
    config: TelemostConfig,
}

impl fmt::Debug for TelemostProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TelemostProvider")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct RoomSettings<'a> {
    waiting_room_level: WaitingRoomLevel,
    #[serde(skip_serializing_if = "Option::is_none")]
    cohosts: Option<Vec<Cohost<'a>>>,
}

#[derive(Serialize)]
struct Cohost<'a> {
    email: &'a str,
}

#[derive(Deserialize)]
struct Room {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    join_url: Option<String>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    error: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    Update,
    Read,
    Delete,
}

impl Op {
    fn what(self) -> &'static str {
        match self {
            Self::Create => "Telemost create conference",
            Self::Update => "Telemost update conference",
            Self::Read => "Telemost read conference",
            Self::Delete => "Telemost close conference",
        }
    }
}

impl TelemostProvider {
    /// Checks the config and builds the HTTP client. Makes no request.
    pub fn new(config: TelemostConfig) -> Result<Self, ConfigError> {
        let base = http::base_url("base_url", &config.base_url)?;
        if config.oauth_token.trim().is_empty() {
            return Err(ConfigError::Missing("oauth_token"));
        }
        Ok(Self {
            http: http::client(config.timeout)?,
            conferences: http::join(&base, &["conferences"]),
            config,
        })
    }

    /// The config this provider was built from.
    #[must_use]
    pub fn config(&self) -> &TelemostConfig {
        &self.config
    }

    fn secrets(&self) -> [&str; 1] {
        [self.config.oauth_token.as_str()]
    }

    fn settings<'a>(&self, spec: &'a ConferenceSpec) -> RoomSettings<'a> {
        let host = spec.host_email.trim();
        RoomSettings {
            waiting_room_level: self.config.waiting_room_level,
            cohosts: (self.config.host_as_cohost && !host.is_empty())
                .then(|| vec![Cohost { email: host }]),
        }
    }

    async fn call(
        &self,
        op: Op,
        method: Method,
        url: Url,
        body: Option<&RoomSettings<'_>>,
    ) -> Result<Response, ProviderError> {
        let mut request = self
            .http
            .request(method, url)
            .header(AUTHORIZATION, format!("OAuth {}", self.config.oauth_token));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| {
            http::transport_error(op.what(), e, self.config.timeout, &self.secrets())
        })?;
        if response.status().is_success() {
            return Ok(response);
        }
        let failure = Failure::read(response).await;
        let unknown_cohost = serde_json::from_str::<ApiError>(&failure.body)
            .ok()
            .and_then(|e| e.error)
            .is_some_and(|code| code == UNKNOWN_COHOST_ERROR);
        Err(
            if failure.status == StatusCode::NOT_FOUND && op != Op::Create && !unknown_cohost {
                ProviderError::NotFound
            } else {
                failure.into_error(op.what(), &self.secrets())
            },
        )
    }

    async fn room(&self, op: Op, response: Response) -> Result<Room, ProviderError> {
        let text = response.text().await.map_err(|e| {
            http::transport_error(op.what(), e, self.config.timeout, &self.secrets())
        })?;
        serde_json::from_str(&text)
            .map_err(|e| http::unexpected_answer(op.what(), &e.to_string(), &self.secrets()))
    }

    fn conference(
        &self,
        op: Op,
        id: String,
        join_url: String,
    ) -> Result<Conference, ProviderError> {
        if id.trim().is_empty() || !http::is_web_link(&join_url) {
            return Err(http::unexpected_answer(
                op.what(),
                "no conference id or join_url",
                &self.secrets(),
            ));
        }
        Ok(Conference {
            conference_id: Some(id),
            join_url,
            host_url: None,
        })
    }
}

#[async_trait]
impl WebinarProvider for TelemostProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Telemost
    }

    async fn create(&self, spec: &ConferenceSpec) -> Result<Conference, ProviderError> {
        let op = Op::Create;
        let settings = self.settings(spec);
        let response = self
            .call(op, Method::POST, self.conferences.clone(), Some(&settings))
            .await?;
        let room = self.room(op, response).await?;
        self.conference(
            op,
            room.id.unwrap_or_default(),
            room.join_url.unwrap_or_default(),
        )
    }

    /// `NotFound` when the room is gone (or `conference_id` is `None`).
    async fn update(
        &self,
        conference_id: Option<String>,
        spec: &ConferenceSpec,
    ) -> Result<Conference, ProviderError> {
        let id = conference_id.ok_or(ProviderError::NotFound)?;
        let url = http::join(&self.conferences, &[&id]);
        let settings = self.settings(spec);
        let response = self
            .call(Op::Update, Method::PATCH, url.clone(), Some(&settings))
            .await?;
        let room = self.room(Op::Update, response).await?;
        let join_url = match room.join_url {
            Some(link) => link,
            // The link never changes; read it if the answer left it out.
            None => {
                let response = self.call(Op::Read, Method::GET, url, None).await?;
                self.room(Op::Read, response)
                    .await?
                    .join_url
                    .unwrap_or_default()
            }
        };
        self.conference(Op::Update, id, join_url)
    }

    /// Closes the room (see the type's docs); a room that is gone is `Ok`.
    async fn delete(&self, conference_id: Option<String>) -> Result<(), ProviderError> {
        let Some(id) = conference_id else {
            return Ok(());
        };
        let url = http::join(&self.conferences, &[&id]);
        let closed = RoomSettings {
            waiting_room_level: WaitingRoomLevel::Admins,
            cohosts: None,
        };
        match self
            .call(Op::Delete, Method::PATCH, url, Some(&closed))
            .await
        {
            Ok(_) | Err(ProviderError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
