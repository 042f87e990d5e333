//! Start-up shared by `serve`, `worker` and `seed-demo`: logging, then the
//! core wired to the configured storage and webinar providers.

use std::sync::Arc;

use lms_core::Lms;
use lms_core::clock::{Clock, SystemClock};
use lms_core::file::{FileStore, FileStoreError};
use thiserror::Error;

use crate::config::{Config, ConfigError};
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
    /// Where uploaded files live (`LMS_FILES`).
    pub files: Arc<dyn FileStore>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("storage", &self.storage.kind())
            .finish_non_exhaustive()
    }
}

/// Installs the global `tracing` subscriber (text to stderr) with `filter`
/// (`LMS_LOG`, e.g. `info` or `lms_core=debug,info`). A bad filter falls
/// back to `info` with a warning rather than stopping the server. Calling
/// it twice keeps the first subscriber.
pub fn init_tracing(filter: &str) {
    use tracing_subscriber::EnvFilter;
    let (env_filter, bad) = match EnvFilter::try_new(filter) {
        Ok(f) => (f, None),
        Err(e) => (EnvFilter::new("info"), Some(e)),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_writer(std::io::stderr)
        .try_init();
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
    let providers = webinar_providers(cfg)?;
    tracing::info!(
        providers = ?providers.iter().map(|p| p.kind()).collect::<Vec<_>>(),
        "webinar providers"
    );
    let files = file_store(&cfg.files)?;
    let (storage, handle) = open_storage(cfg.database.expose(), &cfg.data_dir).await?;
    tracing::info!(database = ?cfg.database, kind = handle.kind(), "storage ready, migrations applied");
    let lms = Arc::new(Lms::new(storage, clock, providers));
    if cfg.demo {
        let seeded = seed_demo(&lms).await?;
        tracing::info!("{seeded}");
    }
    Ok(Core {
        lms,
        storage: handle,
        files,
    })
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
}
