//! [`AppState`]: what every handler shares — the core, the file store and
//! the HTTP configuration.

use std::sync::Arc;

use lms_core::Lms;
use lms_core::notification::ChannelAvailability;
use lms_core::onboarding::{OnboardingConfig, OnboardingService};
use lms_core::user::{LoginLimits, LoginService, PasswordHasher};

use crate::metrics::Metrics;
use crate::password::Argon2Hasher;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The address users reach the server at (`https://lms.school.ru`),
    /// without a trailing slash: used for calendar links and feed URLs.
    pub public_url: String,
    /// Whether cookies get the `Secure` attribute (serve over HTTPS).
    pub secure_cookies: bool,
    /// How long a login session lasts.
    pub session_ttl: chrono::Duration,
    /// The login budgets: failed logins allowed per account and per client
    /// address within a window (successful logins do not count). The
    /// counters live in storage, so every node of a deployment shares them.
    pub login: LoginLimits,
    /// Trust `X-Forwarded-For` for the client IP (behind a reverse proxy).
    pub trust_forwarded_for: bool,
    /// The built web UI, served at `/` (see [`crate::ui::WebUi`]); `None`
    /// serves the API alone.
    pub web_ui: Option<crate::ui::WebUi>,
    /// The school's name, shown in the web UI's header and on the login
    /// page.
    pub school_name: String,
    /// Address of the school's logo (an `https://` URL or a path on this
    /// server); `None` for the built-in one.
    pub school_logo_url: Option<String>,
    /// Whether e-mail is delivered (an SMTP server is configured); without
    /// it the settings page says e-mail messages will not arrive.
    pub email_delivery: bool,
    /// Username of the school's Telegram bot (`lms_school_bot`, an `@` is
    /// allowed), for the deep links that link a user's chat; `None` when
    /// Telegram is not configured.
    pub telegram_bot: Option<String>,
    /// When set, `/metrics` answers only requests with
    /// `Authorization: Bearer <token>` (401 otherwise); when `None` it is
    /// open, for a deployment that keeps it off the public network.
    pub metrics_token: Option<String>,
    /// Invitation and reset-link lifetimes, their budgets, and whether
    /// self-registration with a course code is allowed (off by default).
    pub onboarding: OnboardingConfig,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".to_owned(),
            secure_cookies: false,
            session_ttl: chrono::Duration::days(14),
            login: LoginLimits::default(),
            trust_forwarded_for: false,
            web_ui: None,
            school_name: "Онлайн-школа".to_owned(),
            school_logo_url: None,
            email_delivery: true,
            telegram_bot: None,
            metrics_token: None,
            onboarding: OnboardingConfig::default(),
        }
    }
}

impl HttpConfig {
    /// The channels this server delivers.
    #[must_use]
    pub fn channels(&self) -> ChannelAvailability {
        ChannelAvailability {
            email: self.email_delivery,
            telegram: self.telegram_bot.is_some(),
        }
    }
}

/// Shared state of every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The core.
    pub lms: Arc<Lms>,
    /// Settings.
    pub config: Arc<HttpConfig>,
    /// Login, password changes and the login budgets (argon2id hashing
    /// with a concurrency budget of one hash per core).
    pub login: Arc<LoginService>,
    /// Invitations, CSV import, password reset and self-registration
    /// (hashing with the same budgeted hasher as logins).
    pub onboarding: Arc<OnboardingService>,
    pub(crate) metrics: Arc<Metrics>,
}

impl AppState {
    /// State over the core (with its file store: see
    /// [`Lms::with_file_store`]) and settings.
    #[must_use]
    pub fn new(lms: Arc<Lms>, config: HttpConfig) -> Self {
        let hasher: Arc<dyn PasswordHasher> = Arc::new(Argon2Hasher::for_this_machine());
        let storage = lms.storage();
        let login = LoginService::new(
            storage.users.clone(),
            storage.sessions.clone(),
            hasher.clone(),
            lms.clock().clone(),
            config.login,
        );
        let onboarding =
            OnboardingService::new(storage, hasher, lms.clock().clone(), config.onboarding);
        Self {
            lms,
            config: Arc::new(config),
            login: Arc::new(login),
            onboarding: Arc::new(onboarding),
            metrics: Arc::new(Metrics::default()),
        }
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
