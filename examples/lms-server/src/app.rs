//! Start-up shared by `serve`, `worker` and `seed-demo`: logging, then the
//! core wired to the configured storage and webinar providers.

use std::sync::Arc;

use lms_core::Lms;
use lms_core::clock::{Clock, SystemClock};
use lms_core::file::FileStoreError;
use lms_core::notification::{Channel, NotificationStore, Notifier};
use lms_notify::worker::LogNotifier;
use thiserror::Error;

use crate::config::{Config, ConfigError, LogFormat};
use crate::demo::{DemoError, seed_demo};
use crate::files::file_store;
use crate::providers::webinar_providers;
use crate::storage::{OpenStorageError, StorageHandle, open_storage};

/// Why the server could not start.
#[derive(Debug, Error)]
pub enum StartError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Storage(#[from] OpenStorageError),
    /// The file store (`LMS_FILES`) could not be set up.
    #[error("cannot set up the file store (LMS_FILES): {0}")]
    Files(#[from] FileStoreError),
    /// A notifier could not be set up from its configuration.
    #[error("cannot set up notifications: {0}")]
    Notify(String),
    /// The HTTP address could not be bound.
    #[error("cannot listen on {addr} (LMS_ADDR): {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The web UI in `LMS_WEB_DIR` could not be read.
    #[error("cannot serve the web UI (LMS_WEB_DIR): {0}")]
    WebUi(lms_http::ui::WebUiError),
    /// `LMS_VIDEO_HOSTS` differs from the list this process already uses.
    #[error("cannot allow the video hosts (LMS_VIDEO_HOSTS): {0}")]
    VideoHosts(#[from] lms_core::richtext::VideoHostError),
    /// `LMS_DEMO` is on and seeding failed.
    #[error(transparent)]
    Demo(#[from] DemoError),
}

/// The core of a running server: every service, and the storage adapter
/// for readiness checks and shutdown.
pub struct Core {
    /// Every service of the core.
    pub lms: Arc<Lms>,
    /// The storage adapter behind `lms`.
    pub storage: StorageHandle,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("storage", &self.storage.kind())
            .finish_non_exhaustive()
    }
}

/// Installs the global `tracing` subscriber (to stderr) with `filter`
/// (`LMS_LOG`, e.g. `info` or `lms_core=debug,info`) in `format`: text,
/// coloured only when stderr is a terminal (a file or a pipe gets plain
/// text), or one JSON object per line with the current span (a request's
/// id) in each. A bad filter falls back to `info` with a warning rather than
/// stopping the server. Calling it twice keeps the first subscriber.
pub fn init_tracing(filter: &str, format: LogFormat) {
    use std::io::IsTerminal as _;
    use tracing_subscriber::EnvFilter;
    let (env_filter, bad) = match EnvFilter::try_new(filter) {
        Ok(f) => (f, None),
        Err(e) => (EnvFilter::new("info"), Some(e)),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    if let Some(e) = bad {
        tracing::warn!(filter, error = %e, "LMS_LOG is not a valid filter; logging at info");
    }
}

/// Opens the configured database (migrating it) and file store, builds the
/// webinar providers and the core on the system clock, and seeds the demo
/// school when `LMS_DEMO` is on.
pub async fn open_core(cfg: &Config) -> Result<Core, StartError> {
    open_core_with_clock(cfg, Arc::new(SystemClock)).await
}

/// [`open_core`] with a given clock (tests).
pub async fn open_core_with_clock(cfg: &Config, clock: Arc<dyn Clock>) -> Result<Core, StartError> {
    // Before any rich text is sanitised (the demo seed included).
    lms_core::richtext::allow_video_hosts(cfg.video_hosts.clone())?;
    let providers = webinar_providers(cfg)?;
    tracing::info!(
        providers = ?providers.iter().map(|p| p.kind()).collect::<Vec<_>>(),
        "webinar providers"
    );
    let files = file_store(&cfg.files)?;
    let (storage, handle) = open_storage(cfg.database.expose(), &cfg.data_dir).await?;
    tracing::info!(database = ?cfg.database, kind = handle.kind(), "storage ready, migrations applied");
    let lms = Arc::new(
        Lms::new(storage, clock, providers)
            .with_max_hand_in_versions(cfg.max_hand_in_versions)
            .with_upload_quota(cfg.upload_quota)
            .with_file_store(files)
            .with_max_upload_bytes(cfg.max_upload_bytes),
    );
    if cfg.demo {
        let seeded = seed_demo(&lms).await?;
        tracing::info!("{seeded}");
    }
    Ok(Core {
        lms,
        storage: handle,
    })
}

/// The web UI to serve: the build in `LMS_WEB_DIR` when set, else the one
/// built into the binary (the `ui` feature, on by default), else none.
///
/// # Errors
/// When `LMS_WEB_DIR` cannot be read.
pub fn web_ui(cfg: &Config) -> Result<Option<lms_http::ui::WebUi>, StartError> {
    if let Some(dir) = &cfg.web_dir {
        return lms_http::ui::WebUi::from_dir(dir)
            .map(Some)
            .map_err(StartError::WebUi);
    }
    Ok(crate::embedded_ui::web_ui())
}

/// The HTTP settings of `cfg` (without the web UI, see [`web_ui`]).
#[must_use]
pub fn http_config(cfg: &Config) -> lms_http::HttpConfig {
    lms_http::HttpConfig {
        public_url: cfg.public_url.clone(),
        secure_cookies: cfg.public_url.starts_with("https://"),
        trust_forwarded_for: cfg.trust_proxy,
        login: cfg.login,
        onboarding: cfg.onboarding,
        metrics_token: cfg.metrics_token.as_ref().map(|s| s.expose().to_owned()),
        school_name: cfg.school_name(),
        school_logo_url: cfg.school_logo_url.clone(),
        email_delivery: cfg.smtp.is_some(),
        telegram_bot: cfg.telegram.as_ref().map(|t| t.bot_username.clone()),
        ..lms_http::HttpConfig::default()
    }
}

/// The notifiers of `cfg`: e-mail over SMTP and Telegram when configured;
/// a channel without a provider gets a notifier that logs each message
/// instead, so its outbox entries are recorded as handled rather than
/// piling up.
pub fn notifiers(
    cfg: &Config,
    notifications: Arc<dyn NotificationStore>,
) -> Result<Vec<Arc<dyn Notifier>>, StartError> {
    let mut out: Vec<Arc<dyn Notifier>> = Vec::new();
    match &cfg.smtp {
        Some(smtp) => {
            let mut c = lms_notify::email::SmtpConfig::new(&smtp.host, &smtp.from, &cfg.public_url);
            c.port = Some(smtp.port);
            c.security = match smtp.security {
                crate::config::SmtpSecurity::StartTls => lms_notify::email::SmtpSecurity::Starttls,
                crate::config::SmtpSecurity::Tls => lms_notify::email::SmtpSecurity::Tls,
                crate::config::SmtpSecurity::Plain => lms_notify::email::SmtpSecurity::Plain,
            };
            c.username = smtp.username.clone();
            c.password = smtp.password.as_ref().map(|p| p.expose().to_owned());
            c.reply_to = smtp.reply_to.clone();
            let n = lms_notify::email::EmailNotifier::new(&c)
                .map_err(|e| StartError::Notify(format!("SMTP (LMS_SMTP_*): {e}")))?;
            out.push(Arc::new(n));
        }
        None => {
            tracing::warn!(
                "no SMTP server configured (LMS_SMTP_HOST): e-mail notifications are only logged"
            );
            out.push(Arc::new(LogNotifier::new(Channel::Email, &cfg.public_url)));
        }
    }
    match telegram_config(cfg) {
        Some(t) => {
            // Every node sending on one database shares Telegram's limits.
            let n = lms_notify::telegram::TelegramNotifier::new(&t)
                .map_err(|e| StartError::Notify(format!("Telegram (LMS_TELEGRAM_*): {e}")))?
                .with_shared_limits(notifications);
            out.push(Arc::new(n));
        }
        None => out.push(Arc::new(LogNotifier::new(
            Channel::Telegram,
            &cfg.public_url,
        ))),
    }
    Ok(out)
}

/// lms-notify's Telegram settings from `cfg`, if a bot is configured.
#[must_use]
pub fn telegram_config(cfg: &Config) -> Option<lms_notify::telegram::TelegramConfig> {
    cfg.telegram.as_ref().map(|t| {
        let mut c = lms_notify::telegram::TelegramConfig::new(
            t.bot_token.expose(),
            &t.bot_username,
            &cfg.public_url,
        );
        c.api_url.clone_from(&t.api_url);
        c
    })
}

/// Runs the background work until `shutdown`: outbox dispatchers and the
/// reminder sweep (lms-notify), the Telegram bot's long polling when a bot
/// is configured, and periodic housekeeping (finishing overdue quiz
/// attempts, purging expired sessions).
pub async fn run_workers(
    cfg: &Config,
    lms: Arc<Lms>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let notifiers = notifiers(cfg, lms.storage().notifications.clone())?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(lms_notify::worker::run_worker(
        lms.clone(),
        notifiers,
        lms_notify::worker::WorkerConfig::default(),
        stopped(),
    ));
    if let Some(t) = telegram_config(cfg) {
        let lms = lms.clone();
        let stop = stopped();
        tasks.spawn(async move {
            if let Err(e) = lms_notify::telegram::run_bot(lms, t, stop).await {
                tracing::error!(error = %e, "the Telegram bot stopped");
            }
        });
    }
    tasks.spawn(housekeeping(lms, cfg.login.window, stopped()));
    shutdown.await;
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
    Ok(())
}

async fn housekeeping(
    lms: Arc<Lms>,
    login_window: chrono::Duration,
    stop: impl std::future::Future<Output = ()>,
) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut rounds: u64 = 0;
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = tick.tick() => {}
        }
        match lms.quizzes.finish_overdue(200).await {
            Ok(n) if n > 0 => tracing::info!(finished = n, "finished overdue quiz attempts"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "finishing overdue attempts failed"),
        }
        if rounds.is_multiple_of(120) {
            match lms.users.purge_expired_sessions().await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "purged expired sessions"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging sessions failed"),
            }
            let now = lms.clock().now();
            match lms.files.purge_drafts().await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "deleted uploads never attached"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "deleting orphan uploads failed"),
            }
            let sessions = &lms.storage().sessions;
            match sessions
                .delete_expired_login_attempts(now - login_window)
                .await
            {
                Ok(n) if n > 0 => tracing::info!(purged = n, "purged expired login counters"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging login counters failed"),
            }
            // A slot whose next free instant has passed holds nothing back.
            match lms
                .storage()
                .notifications
                .delete_expired_send_slots(now - chrono::Duration::minutes(1))
                .await
            {
                Ok(n) if n > 0 => tracing::info!(purged = n, "purged past send slots"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging send slots failed"),
            }
            match lms
                .storage()
                .onboarding
                .delete_expired_password_resets(now)
                .await
            {
                Ok(n) if n > 0 => tracing::info!(purged = n, "purged expired password-reset links"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging password-reset links failed"),
            }
            match lms.storage().idempotency.purge_expired(now).await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "purged expired idempotency records"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging idempotency records failed"),
            }
        }
        rounds += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use lms_core::user::Email;

    use super::*;

    #[tokio::test]
    async fn a_demo_server_starts_on_an_empty_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let data_str = data.to_str().unwrap().to_owned();
        let cfg = Config::from_sources(None, |name| match name {
            "LMS_DATA_DIR" => Some(data_str.clone()),
            "LMS_DEMO" => Some("true".to_owned()),
            _ => None,
        })
        .unwrap();
        let core = open_core(&cfg).await.unwrap();
        core.storage.ping().await.unwrap();
        assert!(Path::new(&data).join("lms.db").is_file());
        assert!(Path::new(&data).join("files").is_dir());
        let (user, _) = core
            .lms
            .users
            .login_lookup(&Email::parse("teacher@demo.school").unwrap())
            .await
            .unwrap();
        assert_eq!(user.role, lms_core::Role::Teacher);
        core.storage.close().await;
    }

    #[tokio::test]
    async fn orphan_uploads_are_deleted_after_a_day_and_attached_ones_kept() {
        use lms_core::file::{FileName, FileOwner, FileRef};
        use lms_core::user::{DisplayName, Locale, TimeZone, User};

        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap().to_owned();
        let cfg = Config::from_sources(None, |name| (name == "LMS_DATA_DIR").then(|| data.clone()))
            .unwrap();
        let core = open_core(&cfg).await.unwrap();
        let now = chrono::Utc::now();
        let user = User {
            id: lms_core::UserId::new(),
            email: Email::parse("s@example.ru").unwrap(),
            display_name: DisplayName::parse("Студент").unwrap(),
            role: lms_core::Role::Student,
            locale: Locale::Ru,
            time_zone: TimeZone::parse("Europe/Moscow").unwrap(),
            active: true,
            created_at: now,
        };
        core.lms
            .storage()
            .users
            .insert_user(&user, None)
            .await
            .unwrap();
        let upload = |name: &str, age: chrono::Duration| FileRef {
            id: lms_core::FileId::new(),
            name: FileName::sanitize(name),
            content_type: "text/plain; charset=utf-8".into(),
            size: 2,
            storage_key: format!("files/test/{name}"),
            uploaded_by: user.id,
            uploaded_at: now - age,
        };
        let old = upload("old.txt", chrono::Duration::hours(30));
        let fresh = upload("fresh.txt", chrono::Duration::hours(1));
        for f in [&old, &fresh] {
            let mut w = core
                .lms
                .files
                .file_store()
                .create(&f.storage_key)
                .await
                .unwrap();
            w.write(b"hi").await.unwrap();
            w.commit().await.unwrap();
            core.lms
                .storage()
                .files
                .insert(f, FileOwner::Unattached)
                .await
                .unwrap();
        }

        let purged = core.lms.files.purge_drafts().await.unwrap();
        assert_eq!(purged, 1);
        let registry = &core.lms.storage().files;
        assert!(registry.get(old.id).await.unwrap().is_none());
        assert!(
            core.lms
                .files
                .file_store()
                .open(&old.storage_key)
                .await
                .is_err(),
            "bytes deleted"
        );
        assert!(registry.get(fresh.id).await.unwrap().is_some());
        assert!(
            core.lms
                .files
                .file_store()
                .open(&fresh.storage_key)
                .await
                .is_ok()
        );
        core.storage.close().await;
    }
}
