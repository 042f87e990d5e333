//! The server's configuration: an optional TOML file (`--config <path>` or
//! `LMS_CONFIG`) overridden by `LMS_*` environment variables.
//!
//! Every setting has one environment variable and one key in the file; the
//! file mirrors the variables' names (`LMS_SMTP_HOST` is `host` in the
//! `[smtp]` table, `LMS_ADDR` is the top-level `addr`):
//!
//! ```toml
//! addr = "0.0.0.0:8080"
//! data_dir = "/var/lib/lms"
//! public_url = "https://lms.school.ru"
//!
//! [smtp]
//! host = "smtp.school.ru"
//! security = "starttls"
//! from = "LMS <lms@school.ru>"
//! ```
//!
//! An empty environment variable counts as unset. A bad value is an error
//! that names the variable (and the file key), never a silent default.
//!
//! Why not `figment` or `config` (issue #16 asked for one): `figment` was
//! tried against this module's tests. Version 0.10 brings a second `toml` (0.8,
//! beside the 1.x the server uses) and its environment provider splits
//! names on `_`, so `LMS_MAX_UPLOAD_BYTES` would need a hand-written map to
//! `max_upload_bytes` for every variable anyway; `config` 0.15 (judged from
//! its manifest, not tried) would bring its own `toml` and six other formats
//! by default. What is left here is the one table of keys (`keys!`), a
//! flattened file, and the parsers with their messages, which is what the
//! tests pin down.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use lms_core::user::LoginLimits;
use thiserror::Error;

/// Why the configuration could not be loaded.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read the config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not valid TOML or has a value of the wrong shape.
    #[error("the config file {path} is not valid: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// The config file has a key this server does not know (a typo would
    /// otherwise be ignored silently).
    #[error("unknown key `{key}` in the config file {path}")]
    UnknownKey {
        /// The file.
        path: PathBuf,
        /// The dotted key.
        key: String,
    },
    /// A setting has a value that cannot be used.
    #[error("{var} (`{key}` in the config file) is invalid: {reason}")]
    Invalid {
        /// The environment variable.
        var: &'static str,
        /// The key in the config file.
        key: &'static str,
        /// What is wrong (never quoting a secret).
        reason: String,
    },
    /// A setting is required because another one is set.
    #[error("{var} (`{key}` in the config file) must be set when {because} is set")]
    Missing {
        /// The environment variable that is missing.
        var: &'static str,
        /// The key in the config file.
        key: &'static str,
        /// The variable that requires it.
        because: &'static str,
    },
    /// A webinar provider rejected its settings.
    #[error("the {provider} webinar provider is misconfigured: {source}")]
    Provider {
        /// `TrueConf` or `Telemost`.
        provider: &'static str,
        /// What the provider said.
        source: lms_webinar::ConfigError,
    },
}

/// A secret (password, token): `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

/// The whole server configuration, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where the HTTP server listens (`LMS_ADDR`, default `127.0.0.1:8080`).
    pub addr: SocketAddr,
    /// Where the SQLite file and local files live (`LMS_DATA_DIR`, default `./lms-data`).
    pub data_dir: PathBuf,
    /// The database (`LMS_DATABASE_URL`, default the SQLite file
    /// `<data_dir>/lms.db`; a `postgres://` URL selects PostgreSQL).
    pub database: DatabaseUrl,
    /// Base URL of the server as users reach it, without a trailing slash,
    /// for links in e-mails and calendar feeds (`LMS_PUBLIC_URL`, default
    /// `http://<addr>`, or `http://localhost:<port>` for a wildcard address).
    pub public_url: String,
    /// Where uploaded files live (`LMS_FILES`).
    pub files: FilesConfig,
    /// The largest upload accepted, in bytes (`LMS_MAX_UPLOAD_BYTES`, default 50 MiB).
    pub max_upload_bytes: u64,
    /// Versions one student may hand in to one assignment
    /// (`LMS_MAX_HAND_IN_VERSIONS`, default 20).
    pub max_hand_in_versions: u32,
    /// Uploads one user may hold unattached (hand-in drafts), as files
    /// (`LMS_UPLOAD_QUOTA_FILES`, default 20) and bytes
    /// (`LMS_UPLOAD_QUOTA_BYTES`, default 200 MiB).
    pub upload_quota: lms_core::file::UploadQuota,
    /// Outgoing e-mail (`LMS_SMTP_*`); `None` when `LMS_SMTP_HOST` is unset.
    pub smtp: Option<SmtpConfig>,
    /// The Telegram bot (`LMS_TELEGRAM_*`); `None` when no token is set.
    pub telegram: Option<TelegramConfig>,
    /// The TrueConf Server provider; `None` when `LMS_TRUECONF_SERVER_URL` is unset.
    pub trueconf: Option<TrueConfSettings>,
    /// The Yandex Telemost provider; `None` when `LMS_TELEMOST_TOKEN` is unset.
    pub telemost: Option<TelemostSettings>,
    /// Whether this process runs the background workers (`LMS_WORKER`).
    pub worker: WorkerMode,
    /// A built web UI to serve at `/` instead of the one inside the
    /// binary (`LMS_WEB_DIR`, for UI development; unset by default).
    pub web_dir: Option<PathBuf>,
    /// Trust `X-Forwarded-For` for client addresses (`LMS_TRUST_PROXY`,
    /// default off; turn on only behind a reverse proxy that sets it).
    pub trust_proxy: bool,
    /// Video services lessons may embed besides YouTube, Rutube, VK Video
    /// and Kinescope (`LMS_VIDEO_HOSTS`: comma-separated
    /// `host/path-prefix`, e.g. `video.school.ru/embed/`; none by default).
    pub video_hosts: Vec<lms_core::richtext::VideoHost>,
    /// Login budgets: wrong passwords allowed per account
    /// (`LMS_LOGIN_FAILURES_PER_ACCOUNT`, default 10) and per client address
    /// (`LMS_LOGIN_FAILURES_PER_IP`, default 100) within a window
    /// (`LMS_LOGIN_WINDOW_SECS`, default 900). Kept in the database, so
    /// every node of a deployment shares them.
    pub login: LoginLimits,
    /// Onboarding: how long invitation links work
    /// (`LMS_INVITATION_TTL_DAYS`, default 7), how long password-reset
    /// links work (`LMS_RESET_TTL_MINUTES`, default 60), and whether anyone
    /// may register a student account with a course's invite code
    /// (`LMS_SELF_REGISTRATION`, default off).
    pub onboarding: lms_core::onboarding::OnboardingConfig,
    /// The bearer token `/metrics` requires (`LMS_METRICS_TOKEN`); unset,
    /// `/metrics` is open (keep it off the public network then).
    pub metrics_token: Option<Secret>,
    /// The school's name in the web UI (`LMS_SCHOOL_NAME`), if the operator
    /// set one; see [`Config::school_name`].
    pub school_name: Option<String>,
    /// Address of the school's logo (`LMS_SCHOOL_LOGO_URL`); unset, the
    /// built-in one.
    pub school_logo_url: Option<String>,
    /// Whether to seed the demo school on start (`LMS_DEMO`, default off).
    pub demo: bool,
    /// The `tracing` filter (`LMS_LOG`, default `info`).
    pub log: String,
    /// How log lines are written (`LMS_LOG_FORMAT`: `text`, the default, or
    /// `json`).
    pub log_format: LogFormat,
}

/// How the server writes its log lines (to standard error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines, coloured only when standard error is a
    /// terminal.
    #[default]
    Text,
    /// One JSON object per line (for log collectors), with the request's
    /// span (its id) in each line written while a request runs.
    Json,
}

/// The database to use.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file or `sqlite:` URL.
    Sqlite(String),
    /// A `postgres://` or `postgresql://` URL (may hold a password).
    Postgres(Secret),
}

impl DatabaseUrl {
    /// The URL or path to connect to.
    #[must_use]
    pub fn expose(&self) -> &str {
        match self {
            Self::Sqlite(s) => s,
            Self::Postgres(s) => s.expose(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(s) => f.debug_tuple("Sqlite").field(s).finish(),
            Self::Postgres(s) => f
                .debug_tuple("Postgres")
                .field(&redact_url(s.expose()))
                .finish(),
        }
    }
}

/// `scheme://user:***@host/...`: the URL without its password.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{path}")
            } else {
                url.to_owned()
            }
        }
        None => url.to_owned(),
    }
}

/// Where uploaded files are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilesConfig {
    /// A local directory (default `<data_dir>/files`).
    Dir(PathBuf),
    /// An S3-compatible bucket (`LMS_FILES=s3://bucket/prefix`).
    S3(S3Config),
}

/// An S3-compatible bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    /// The bucket.
    pub bucket: String,
    /// Key prefix inside the bucket, without slashes at either end (may be empty).
    pub prefix: String,
    /// The endpoint for non-AWS services (MinIO, Yandex Object Storage),
    /// `LMS_S3_ENDPOINT`.
    pub endpoint: Option<String>,
    /// The region (`LMS_S3_REGION`).
    pub region: Option<String>,
    /// Access key id (`LMS_S3_ACCESS_KEY_ID`).
    pub access_key_id: Option<String>,
    /// Secret access key (`LMS_S3_SECRET_ACCESS_KEY`).
    pub secret_access_key: Option<Secret>,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587 by default).
    StartTls,
    /// TLS from the first byte (port 465 by default).
    Tls,
    /// No encryption (port 25 by default; for a relay on localhost only).
    Plain,
}

/// Outgoing e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The server (`LMS_SMTP_HOST`).
    pub host: String,
    /// The port (`LMS_SMTP_PORT`, default by security).
    pub port: u16,
    /// `LMS_SMTP_SECURITY`: `starttls` (default), `tls` or `plain`.
    pub security: SmtpSecurity,
    /// Login (`LMS_SMTP_USERNAME`).
    pub username: Option<String>,
    /// Password (`LMS_SMTP_PASSWORD`).
    pub password: Option<Secret>,
    /// The sender, e.g. `Школа <lms@school.ru>` (`LMS_SMTP_FROM`, required).
    pub from: String,
    /// Where replies go (`LMS_SMTP_REPLY_TO`).
    pub reply_to: Option<String>,
}

/// The Telegram bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelegramConfig {
    /// The bot token from @BotFather (`LMS_TELEGRAM_BOT_TOKEN`).
    pub bot_token: Secret,
    /// The bot's username without `@`, for deep links (`LMS_TELEGRAM_BOT_USERNAME`, required).
    pub bot_username: String,
    /// The Bot API base URL (`LMS_TELEGRAM_API_URL`; default Telegram's own).
    pub api_url: Option<String>,
}

/// A TrueConf Server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrueConfSettings {
    /// The server's base URL (`LMS_TRUECONF_SERVER_URL`).
    pub server_url: String,
    /// OAuth client id (`LMS_TRUECONF_CLIENT_ID`).
    pub client_id: String,
    /// OAuth client secret (`LMS_TRUECONF_CLIENT_SECRET`).
    pub client_secret: Secret,
    /// The account owning conferences (`LMS_TRUECONF_OWNER`).
    pub owner: String,
    /// The `x` of API `v3.x` (`LMS_TRUECONF_API_VERSION`, `3.x` or `x`).
    pub api_minor_version: Option<u8>,
}

/// Yandex Telemost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemostSettings {
    /// The OAuth token (`LMS_TELEMOST_TOKEN`).
    pub token: Secret,
    /// The API base URL (`LMS_TELEMOST_API_URL`; default Yandex's own).
    pub api_url: Option<String>,
}

/// Whether background workers run in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerMode {
    /// Outbox dispatch and reminder sweeps run next to the HTTP server (default).
    InProcess,
    /// This node only serves HTTP; a separate `worker` process does the rest.
    Off,
}

/// One setting: its environment variable and its key in the file.
struct Key {
    var: &'static str,
    key: &'static str,
}

macro_rules! keys {
    ($($name:ident = $var:literal, $key:literal;)*) => {
        $(const $name: Key = Key { var: $var, key: $key };)*
        const ALL_KEYS: &[Key] = &[$($name),*];
    };
}

keys! {
    ADDR = "LMS_ADDR", "addr";
    DATA_DIR = "LMS_DATA_DIR", "data_dir";
    DATABASE_URL = "LMS_DATABASE_URL", "database_url";
    PUBLIC_URL = "LMS_PUBLIC_URL", "public_url";
    FILES = "LMS_FILES", "files";
    S3_ENDPOINT = "LMS_S3_ENDPOINT", "s3.endpoint";
    S3_REGION = "LMS_S3_REGION", "s3.region";
    S3_ACCESS_KEY_ID = "LMS_S3_ACCESS_KEY_ID", "s3.access_key_id";
    S3_SECRET_ACCESS_KEY = "LMS_S3_SECRET_ACCESS_KEY", "s3.secret_access_key";
    MAX_UPLOAD_BYTES = "LMS_MAX_UPLOAD_BYTES", "max_upload_bytes";
    MAX_HAND_IN_VERSIONS = "LMS_MAX_HAND_IN_VERSIONS", "max_hand_in_versions";
    UPLOAD_QUOTA_FILES = "LMS_UPLOAD_QUOTA_FILES", "upload_quota_files";
    METRICS_TOKEN = "LMS_METRICS_TOKEN", "metrics_token";
    SCHOOL_NAME = "LMS_SCHOOL_NAME", "school.name";
    SCHOOL_LOGO_URL = "LMS_SCHOOL_LOGO_URL", "school.logo_url";
    UPLOAD_QUOTA_BYTES = "LMS_UPLOAD_QUOTA_BYTES", "upload_quota_bytes";
    SMTP_HOST = "LMS_SMTP_HOST", "smtp.host";
    SMTP_PORT = "LMS_SMTP_PORT", "smtp.port";
    SMTP_SECURITY = "LMS_SMTP_SECURITY", "smtp.security";
    SMTP_USERNAME = "LMS_SMTP_USERNAME", "smtp.username";
    SMTP_PASSWORD = "LMS_SMTP_PASSWORD", "smtp.password";
    SMTP_FROM = "LMS_SMTP_FROM", "smtp.from";
    SMTP_REPLY_TO = "LMS_SMTP_REPLY_TO", "smtp.reply_to";
    TELEGRAM_BOT_TOKEN = "LMS_TELEGRAM_BOT_TOKEN", "telegram.bot_token";
    TELEGRAM_BOT_USERNAME = "LMS_TELEGRAM_BOT_USERNAME", "telegram.bot_username";
    TELEGRAM_API_URL = "LMS_TELEGRAM_API_URL", "telegram.api_url";
    TRUECONF_SERVER_URL = "LMS_TRUECONF_SERVER_URL", "trueconf.server_url";
    TRUECONF_CLIENT_ID = "LMS_TRUECONF_CLIENT_ID", "trueconf.client_id";
    TRUECONF_CLIENT_SECRET = "LMS_TRUECONF_CLIENT_SECRET", "trueconf.client_secret";
    TRUECONF_OWNER = "LMS_TRUECONF_OWNER", "trueconf.owner";
    TRUECONF_API_VERSION = "LMS_TRUECONF_API_VERSION", "trueconf.api_version";
    TELEMOST_TOKEN = "LMS_TELEMOST_TOKEN", "telemost.token";
    TELEMOST_API_URL = "LMS_TELEMOST_API_URL", "telemost.api_url";
    WORKER = "LMS_WORKER", "worker";
    DEMO = "LMS_DEMO", "demo";
    LOG = "LMS_LOG", "log";
    LOG_FORMAT = "LMS_LOG_FORMAT", "log_format";
    WEB_DIR = "LMS_WEB_DIR", "web_dir";
    TRUST_PROXY = "LMS_TRUST_PROXY", "trust_proxy";
    VIDEO_HOSTS = "LMS_VIDEO_HOSTS", "video_hosts";
    LOGIN_FAILURES_PER_ACCOUNT = "LMS_LOGIN_FAILURES_PER_ACCOUNT", "login.failures_per_account";
    LOGIN_FAILURES_PER_IP = "LMS_LOGIN_FAILURES_PER_IP", "login.failures_per_ip";
    LOGIN_WINDOW_SECS = "LMS_LOGIN_WINDOW_SECS", "login.window_secs";
    INVITATION_TTL_DAYS = "LMS_INVITATION_TTL_DAYS", "onboarding.invitation_ttl_days";
    RESET_TTL_MINUTES = "LMS_RESET_TTL_MINUTES", "onboarding.reset_ttl_minutes";
    SELF_REGISTRATION = "LMS_SELF_REGISTRATION", "onboarding.self_registration";
}

impl Config {
    /// The school's name in the web UI: the operator's, else "Демо-школа"
    /// with the demo (`LMS_DEMO` or `--demo`) and "Онлайн-школа" without.
    #[must_use]
    pub fn school_name(&self) -> String {
        match &self.school_name {
            Some(name) => name.clone(),
            None if self.demo => "Демо-школа".to_owned(),
            None => "Онлайн-школа".to_owned(),
        }
    }
}

/// The variable naming the config file when `--config` is not given.
pub const CONFIG_VAR: &str = "LMS_CONFIG";

/// Settings as strings, keyed by environment variable, after the file and
/// the environment are merged.
struct Raw(BTreeMap<&'static str, String>);

impl Raw {
    fn get(&self, k: &Key) -> Option<&str> {
        self.0.get(k.var).map(String::as_str)
    }

    fn string(&self, k: &Key) -> Option<String> {
        self.get(k).map(str::to_owned)
    }

    fn secret(&self, k: &Key) -> Option<Secret> {
        self.get(k).map(Secret::new)
    }

    fn required(&self, k: &Key, because: &Key) -> Result<String, ConfigError> {
        self.string(k).ok_or(ConfigError::Missing {
            var: k.var,
            key: k.key,
            because: because.var,
        })
    }

    fn parse<T>(
        &self,
        k: &Key,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ConfigError> {
        self.get(k)
            .map(|v| parse(v).map_err(|reason| invalid(k, reason)))
            .transpose()
    }
}

fn invalid(k: &Key, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        var: k.var,
        key: k.key,
        reason: reason.into(),
    }
}

impl Config {
    /// Loads the configuration of this process: the file named by
    /// `config_path` (from `--config`) or by `LMS_CONFIG`, if any, then the
    /// `LMS_*` environment variables over it.
    pub fn load(config_path: Option<&Path>) -> Result<Self, ConfigError> {
        let env = |name: &str| std::env::var(name).ok();
        let path = config_path
            .map(Path::to_path_buf)
            .or_else(|| env(CONFIG_VAR).filter(|p| !p.is_empty()).map(PathBuf::from));
        let file = match &path {
            Some(path) => Some((
                path.as_path(),
                std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?,
            )),
            None => None,
        };
        Self::from_sources(file.as_ref().map(|(p, s)| (*p, s.as_str())), env)
    }

    /// Builds the configuration from a file's text (with its path, for
    /// messages) and an environment lookup; what [`load`](Self::load) does
    /// with the real file and environment.
    pub fn from_sources(
        file: Option<(&Path, &str)>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut raw = BTreeMap::new();
        if let Some((path, text)) = file {
            read_file(path, text, &mut raw)?;
        }
        for k in ALL_KEYS {
            if let Some(v) = env(k.var).filter(|v| !v.is_empty()) {
                raw.insert(k.var, v);
            }
        }
        Self::resolve(&Raw(raw))
    }

    fn resolve(raw: &Raw) -> Result<Self, ConfigError> {
        let addr: SocketAddr = raw
            .parse(&ADDR, |v| {
                v.parse()
                    .map_err(|_| format!("{v:?} is not an address such as 127.0.0.1:8080"))
            })?
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let data_dir = raw
            .get(&DATA_DIR)
            .map_or_else(|| PathBuf::from("./lms-data"), PathBuf::from);
        let database = match raw.get(&DATABASE_URL) {
            None => DatabaseUrl::Sqlite(data_dir.join("lms.db").to_string_lossy().into_owned()),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                DatabaseUrl::Postgres(Secret::new(url))
            }
            Some(url) if url.contains("://") && !url.starts_with("sqlite:") => {
                return Err(invalid(
                    &DATABASE_URL,
                    "only postgres://, postgresql://, sqlite: URLs and SQLite file paths are supported",
                ));
            }
            Some(url) => DatabaseUrl::Sqlite(url.to_owned()),
        };
        let public_url = raw
            .parse(&PUBLIC_URL, |v| {
                let trimmed = v.trim_end_matches('/');
                let rest = trimmed
                    .strip_prefix("https://")
                    .or_else(|| trimmed.strip_prefix("http://"))
                    .ok_or_else(|| format!("{v:?} must start with http:// or https://"))?;
                if rest.is_empty() {
                    return Err(format!("{v:?} has no host"));
                }
                Ok(trimmed.to_owned())
            })?
            .unwrap_or_else(|| {
                // A wildcard address is no link anyone can follow.
                if addr.ip().is_unspecified() {
                    format!("http://localhost:{}", addr.port())
                } else {
                    format!("http://{addr}")
                }
            });
        let files = match raw.get(&FILES) {
            Some(v) if v.starts_with("s3://") => FilesConfig::S3(s3(raw, v)?),
            Some(v) if v.contains("://") => {
                return Err(invalid(
                    &FILES,
                    "must be a directory or an s3://bucket/prefix URL",
                ));
            }
            Some(v) => FilesConfig::Dir(PathBuf::from(v)),
            None => FilesConfig::Dir(data_dir.join("files")),
        };
        let max_hand_in_versions = raw
            .parse(&MAX_HAND_IN_VERSIONS, |v| match v.parse::<u32>() {
                Ok(n) if (1..=1000).contains(&n) => Ok(n),
                _ => Err(format!("{v:?} is not a whole number from 1 to 1000")),
            })?
            .unwrap_or(lms_core::homework::DEFAULT_MAX_VERSIONS);
        let quota_defaults = lms_core::file::UploadQuota::default();
        let upload_quota = lms_core::file::UploadQuota {
            max_files: raw
                .parse(&UPLOAD_QUOTA_FILES, |v| match v.parse::<u32>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(format!("{v:?} is not a whole number above zero")),
                })?
                .unwrap_or(quota_defaults.max_files),
            max_bytes: raw
                .parse(&UPLOAD_QUOTA_BYTES, |v| match v.parse::<u64>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(format!("{v:?} is not a number of bytes above zero")),
                })?
                .unwrap_or(quota_defaults.max_bytes),
        };
        let max_upload_bytes = raw
            .parse(&MAX_UPLOAD_BYTES, |v| match v.parse::<u64>() {
                Ok(0) => Err("must be more than zero".to_owned()),
                Ok(n) => Ok(n),
                Err(_) => Err(format!("{v:?} is not a number of bytes")),
            })?
            .unwrap_or(50 * 1024 * 1024);
        let worker = raw
            .parse(&WORKER, |v| match v {
                "inprocess" => Ok(WorkerMode::InProcess),
                "off" => Ok(WorkerMode::Off),
                _ => Err(format!("{v:?} is neither `inprocess` nor `off`")),
            })?
            .unwrap_or(WorkerMode::InProcess);
        let demo = raw.parse(&DEMO, parse_bool)?.unwrap_or(false);
        let web_dir = match raw.get(&WEB_DIR) {
            Some(dir) if Path::new(dir).join("index.html").is_file() => Some(PathBuf::from(dir)),
            Some(dir) => {
                return Err(invalid(
                    &WEB_DIR,
                    format!(
                        "{dir:?} has no index.html (build the UI with `npm run build` in web/)"
                    ),
                ));
            }
            None => None,
        };
        let trust_proxy = raw.parse(&TRUST_PROXY, parse_bool)?.unwrap_or(false);
        let video_hosts = raw
            .parse(&VIDEO_HOSTS, |v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|h| !h.is_empty())
                    .map(|h| lms_core::richtext::VideoHost::parse(h).map_err(|e| e.to_string()))
                    .collect::<Result<Vec<_>, _>>()
            })?
            .unwrap_or_default();
        let defaults = LoginLimits::default();
        let count = |v: &str| match v.parse::<u32>() {
            Ok(0) => Err("must be more than zero".to_owned()),
            Ok(n) => Ok(n),
            Err(_) => Err(format!("{v:?} is not a whole number")),
        };
        let login = LoginLimits {
            failures_per_account: raw
                .parse(&LOGIN_FAILURES_PER_ACCOUNT, count)?
                .unwrap_or(defaults.failures_per_account),
            failures_per_address: raw
                .parse(&LOGIN_FAILURES_PER_IP, count)?
                .unwrap_or(defaults.failures_per_address),
            window: raw
                .parse(&LOGIN_WINDOW_SECS, |v| {
                    count(v).map(|n| chrono::Duration::seconds(i64::from(n)))
                })?
                .unwrap_or(defaults.window),
        };
        let within = |v: &str, lo: u32, hi: u32| match v.parse::<u32>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(i64::from(n)),
            _ => Err(format!("{v:?} is not a whole number from {lo} to {hi}")),
        };
        let onboarding_defaults = lms_core::onboarding::OnboardingConfig::default();
        let onboarding = lms_core::onboarding::OnboardingConfig {
            invitation_ttl: raw
                .parse(&INVITATION_TTL_DAYS, |v| {
                    within(v, 1, 90).map(chrono::Duration::days)
                })?
                .unwrap_or(onboarding_defaults.invitation_ttl),
            reset_ttl: raw
                .parse(&RESET_TTL_MINUTES, |v| {
                    within(v, 5, 24 * 60).map(chrono::Duration::minutes)
                })?
                .unwrap_or(onboarding_defaults.reset_ttl),
            self_registration: raw.parse(&SELF_REGISTRATION, parse_bool)?.unwrap_or(false),
            // Reset budgets share the login counters' purge window.
            window: login.window,
            ..onboarding_defaults
        };
        let log = raw.string(&LOG).unwrap_or_else(|| "info".to_owned());
        let log_format = raw
            .parse(&LOG_FORMAT, |v| match v {
                "text" => Ok(LogFormat::Text),
                "json" => Ok(LogFormat::Json),
                _ => Err(format!("{v:?} is neither `text` nor `json`")),
            })?
            .unwrap_or_default();
        let school_name = match raw.string(&SCHOOL_NAME).map(|n| n.trim().to_owned()) {
            Some(n) if n.chars().count() > 100 => {
                return Err(ConfigError::Invalid {
                    var: SCHOOL_NAME.var,
                    key: SCHOOL_NAME.key,
                    reason: "must be at most 100 characters".to_owned(),
                });
            }
            Some(n) if !n.is_empty() => Some(n),
            _ => None,
        };
        Ok(Self {
            addr,
            data_dir,
            database,
            public_url,
            files,
            max_upload_bytes,
            max_hand_in_versions,
            upload_quota,
            smtp: smtp(raw)?,
            telegram: telegram(raw)?,
            trueconf: trueconf(raw)?,
            telemost: telemost(raw)?,
            worker,
            web_dir,
            trust_proxy,
            video_hosts,
            login,
            onboarding,
            metrics_token: raw.secret(&METRICS_TOKEN),
            school_name,
            school_logo_url: raw
                .string(&SCHOOL_LOGO_URL)
                .filter(|u| !u.trim().is_empty()),
            demo,
            log,
            log_format,
        })
    }
}

fn parse_bool(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("{v:?} is not true or false")),
    }
}

fn http_url(v: &str) -> Result<String, String> {
    if v.starts_with("http://") || v.starts_with("https://") {
        Ok(v.trim_end_matches('/').to_owned())
    } else {
        Err(format!("{v:?} must start with http:// or https://"))
    }
}

mod file;
mod providers;
#[cfg(test)]
mod tests;

use file::read_file;
use providers::{s3, smtp, telegram, telemost, trueconf};
