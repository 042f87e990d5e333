//! Opening the configured database: SQLite (the default, one file in the
//! data directory) or PostgreSQL (`postgres://` URLs), with migrations
//! applied on start.

use std::path::Path;

use lms_core::StorageError;
use lms_core::ports::Storage;
use lms_core::transfer::SchoolTransfer;
use lms_storage_postgres::PgStorage;
use lms_storage_sqlite::SqliteStorage;
use thiserror::Error;

use crate::config::redact_url;

/// Why the database could not be opened.
#[derive(Debug, Error)]
pub enum OpenStorageError {
    /// The data directory (or the SQLite file's directory) could not be created.
    #[error("cannot create the directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The database could not be reached or opened.
    #[error("cannot open the database {url}: {message}")]
    Connect {
        /// The URL, password removed.
        url: String,
        /// What the driver said.
        message: String,
    },
    /// Migrations failed (e.g. a database of a newer version).
    #[error("cannot migrate the database {url}: {message}")]
    Migrate {
        /// The URL, password removed.
        url: String,
        /// What the migrator said.
        message: String,
    },
}

/// The opened adapter behind the [`Storage`] ports: for readiness checks
/// and the whole-school transfer.
#[derive(Debug, Clone)]
pub enum StorageHandle {
    /// The embedded SQLite file.
    Sqlite(SqliteStorage),
    /// A PostgreSQL pool.
    Postgres(PgStorage),
}

impl StorageHandle {
    /// Checks that the database answers a trivial query (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StorageError> {
        match self {
            Self::Sqlite(s) => s.ping().await,
            Self::Postgres(p) => p.ping().await,
        }
    }

    /// Export and import of the whole school.
    #[must_use]
    pub fn transfer(&self) -> &dyn SchoolTransfer {
        match self {
            Self::Sqlite(s) => s,
            Self::Postgres(p) => p,
        }
    }

    /// `sqlite` or `postgres`, for logs.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(s) => s.pool().close().await,
            Self::Postgres(p) => p.pool().close().await,
        }
    }
}

/// Opens the database at `url` and applies pending migrations.
///
/// `postgres://` and `postgresql://` URLs select PostgreSQL; anything else
/// is a SQLite file path or `sqlite:` URL, whose file (and directory) is
/// created when missing. `data_dir` is created in either case, since
/// uploaded files default to living there.
pub async fn open_storage(
    url: &str,
    data_dir: &Path,
) -> Result<(Storage, StorageHandle), OpenStorageError> {
    create_dir(data_dir)?;
    let shown = redact_url(url);
    let connect = |e: &dyn std::fmt::Display| OpenStorageError::Connect {
        url: shown.clone(),
        message: e.to_string(),
    };
    let migrate = |e: &dyn std::fmt::Display| OpenStorageError::Migrate {
        url: shown.clone(),
        message: e.to_string(),
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let pg = PgStorage::connect(url).await.map_err(|e| connect(&e))?;
        pg.migrate().await.map_err(|e| migrate(&e))?;
        Ok((pg.storage(), StorageHandle::Postgres(pg)))
    } else {
        if let Some(dir) = sqlite_file(url)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            create_dir(dir)?;
        }
        let sqlite = SqliteStorage::open(url).await.map_err(|e| connect(&e))?;
        sqlite.migrate().await.map_err(|e| migrate(&e))?;
        Ok((sqlite.storage(), StorageHandle::Sqlite(sqlite)))
    }
}

/// The file of a SQLite path or `sqlite:` URL.
fn sqlite_file(url: &str) -> &Path {
    let file = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    Path::new(file.split('?').next().unwrap_or(file))
}

fn create_dir(path: &Path) -> Result<(), OpenStorageError> {
    std::fs::create_dir_all(path).map_err(|source| OpenStorageError::CreateDir {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use lms_core::user::Email;

    use super::*;

    #[tokio::test]
    async fn sqlite_is_created_in_the_data_dir_and_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("nested/data");
        let url = data.join("lms.db");
        let (storage, handle) = open_storage(url.to_str().unwrap(), &data).await.unwrap();
        assert!(url.is_file());
        assert_eq!(handle.kind(), "sqlite");
        handle.ping().await.unwrap();
        // Migrated: the users table answers.
        let nobody = storage
            .users
            .find_user_by_email(&Email::parse("nobody@school.ru").unwrap())
            .await
            .unwrap();
        assert!(nobody.is_none());
        assert!(
            handle
                .transfer()
                .export_school()
                .await
                .unwrap()
                .users
                .is_empty()
        );
        handle.close().await;

        // Opening again (a restart) applies nothing new and works.
        let (_, again) = open_storage(&format!("sqlite:{}", url.display()), &data)
            .await
            .unwrap();
        again.ping().await.unwrap();
        again.close().await;
        assert!(handle.ping().await.is_err(), "a closed pool is not ready");
    }

    #[tokio::test]
    async fn postgres_urls_open_postgres() {
        let url = lms_storage_postgres::testing::fresh_database_url().await;
        let dir = tempfile::tempdir().unwrap();
        let (storage, handle) = open_storage(&url, dir.path()).await.unwrap();
        assert_eq!(handle.kind(), "postgres");
        handle.ping().await.unwrap();
        let nobody = storage
            .users
            .find_user_by_email(&Email::parse("nobody@school.ru").unwrap())
            .await
            .unwrap();
        assert!(nobody.is_none());
        handle.close().await;
    }

    #[tokio::test]
    async fn an_unreachable_database_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = open_storage("postgres://lms:hunter2@127.0.0.1:1/lms", dir.path())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("127.0.0.1:1"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
}
