//! # lms-webinar
//!
//! The webinar providers of the LMS: three implementations of the core's
//! [`WebinarProvider`] port, which the core's webinar service calls to
//! create, move and cancel the conference behind a scheduled webinar.
//!
//! - [`TrueConfProvider`] — scheduled conferences on a school's own
//!   TrueConf Server (API v3.x, OAuth 2.0 client credentials).
//! - [`TelemostProvider`] — Yandex Telemost rooms (Yandex 360 for
//!   Business OAuth token); the schedule lives in our storage.
//! - [`ExternalLinkProvider`] — the link a teacher pastes (VideoMost, Zoom,
//!   anything with an `http(s)` link); nothing to create or delete.
//!
//! Every HTTP call has a timeout ([`DEFAULT_TIMEOUT`] unless configured)
//! and its failure says whether a retry can help: timeouts, refused
//! connections, 5xx and 429 are [`ProviderError::Transient`] (quoting
//! `Retry-After` when the provider sends it); 400, 403 and a 401 that a
//! fresh token does not cure are [`ProviderError::Permanent`] with the
//! provider's answer quoted (cut to a few hundred characters); a 404 for
//! an existing conference is [`ProviderError::NotFound`]. Tokens and
//! secrets never appear in messages or in `Debug` output, and the crate
//! logs nothing.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use lms_core::webinar::WebinarProvider;
//! use lms_webinar::{
//!     ExternalLinkProvider, TelemostConfig, TelemostProvider, TrueConfConfig, TrueConfProvider,
//!     WaitingRoomLevel,
//! };
//!
//! # fn run() -> Result<(), lms_webinar::ConfigError> {
//! let mut trueconf = TrueConfConfig::new(
//!     "https://video.school.ru",
//!     "lms",                          // OAuth application's client id
//!     std::env::var("TRUECONF_SECRET").unwrap_or_default(),
//!     "lms@video.school.ru",          // the account that owns conferences
//! );
//! trueconf.api_minor_version = 11;    // API v3.11
//! trueconf.timeout = Duration::from_secs(5);
//!
//! let mut telemost = TelemostConfig::new(std::env::var("TELEMOST_TOKEN").unwrap_or_default());
//! telemost.waiting_room_level = WaitingRoomLevel::Organization;
//!
//! // What the core's webinar service takes: one provider per kind.
//! let providers: Vec<Arc<dyn WebinarProvider>> = vec![
//!     Arc::new(TrueConfProvider::new(trueconf)?),
//!     Arc::new(TelemostProvider::new(telemost)?),
//!     Arc::new(ExternalLinkProvider::new()),
//! ];
//! # let _ = providers;
//! # Ok(())
//! # }
//! ```

mod external;
mod http;
mod telemost;
mod trueconf;

use std::time::Duration;

pub use external::ExternalLinkProvider;
pub use lms_core::webinar::{
    Conference, ConferenceSpec, ProviderError, ProviderKind, WebinarProvider,
};
pub use telemost::{DEFAULT_BASE_URL, TelemostConfig, TelemostProvider, WaitingRoomLevel};
pub use trueconf::{DEFAULT_API_MINOR_VERSION, TrueConfConfig, TrueConfProvider};

/// How long one HTTP request to a provider may take unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a provider could not be built from its config.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A URL in the config is not an `http`/`https` base URL with a host.
    #[error("{field} is not a usable base URL: {reason}")]
    InvalidUrl {
        /// The config field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A required field is empty.
    #[error("{0} must not be empty")]
    Missing(&'static str),
    /// The timeout is zero.
    #[error("timeout must be longer than zero")]
    ZeroTimeout,
    /// The HTTP client could not be built (e.g. no TLS roots).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
}
