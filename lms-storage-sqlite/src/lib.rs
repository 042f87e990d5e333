//! # lms-storage-sqlite
//!
//! The SQLite storage adapter of the LMS and the embedded default of the
//! reference server: every storage port of [`lms_core`] implemented with
//! `sqlx` on one SQLite file — nothing to install, nothing to run beside
//! the server. It passes the same conformance suite as the PostgreSQL
//! adapter, and [`SchoolTransfer`](lms_core::transfer::SchoolTransfer)
//! exports a whole school for a move to PostgreSQL when the school grows.
//!
//! - The file is opened in WAL mode with foreign keys on, a 5 s busy
//!   timeout and `synchronous = NORMAL`, through a pool of several
//!   connections: readers never wait for the writer.
//! - Migrations are embedded ([`SqliteStorage::migrate`]); constraints live
//!   in the schema (foreign keys, unique enrolment, unique outbox de-dup
//!   key, one open attempt per student and quiz, checks on scores and
//!   states), and SQLite's unique-violation messages map to the core's
//!   [`Conflict`](lms_core::Conflict) kinds in one place (`error.rs`).
//! - Queries are compile-checked (`query!`/`query_as!`) with the offline
//!   data in `.sqlx/`, so the build needs no database.
//! - Writes that read before they write (attempt starts under a limit,
//!   hand-in version numbers, lesson and question positions, outbox
//!   claims) run in `BEGIN IMMEDIATE` transactions, which take SQLite's one
//!   write lock up front; so two claimers never get the same outbox entry,
//!   and a crashed worker's entries come back when their lease expires.
//! - The file registry (`files`) and idempotency records
//!   (`idempotency_keys`): attaches and idempotency `begin`s also run under
//!   `BEGIN IMMEDIATE`, so of concurrent first requests with one key
//!   exactly one starts.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use lms_storage_sqlite::SqliteStorage;
//!
//! let db = SqliteStorage::open("lms.db").await?; // created if missing
//! db.migrate().await?;
//! let storage = db.storage(); // lms_core::ports::Storage, every port
//! # let _ = storage;
//! # Ok(())
//! # }
//! ```

mod achievement;
mod announcement;
mod bank;
mod comment;
mod course;
mod dashboard;
mod error;
mod file;
mod group;
mod homework;
mod idempotency;
mod notification;
mod onboarding;
mod quiz;
mod schedule;
mod transfer;
mod user;
mod webinar;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use lms_core::StorageError;
use lms_core::ports::Storage;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

pub use sqlx::migrate::MigrateError;

/// The embedded migrations of this adapter.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Every storage port of the core on one SQLite file. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SqliteStorage {
    pool: SqlitePool,
}

impl SqliteStorage {
    /// Opens (creating it if missing) the database at `path_or_url`: a file
    /// path such as `data/lms.db`, or a URL such as `sqlite://data/lms.db`
    /// or `sqlite:lms.db?mode=rwc`. The directory must exist.
    pub async fn open(path_or_url: &str) -> Result<Self, sqlx::Error> {
        let options = if path_or_url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(path_or_url)?
        } else {
            SqliteConnectOptions::new().filename(path_or_url)
        };
        Self::open_with(options).await
    }

    /// Opens the database described by `options`, with this adapter's
    /// settings (WAL, foreign keys, busy timeout, `synchronous = NORMAL`,
    /// created if missing) applied on top.
    pub async fn open_with(options: SqliteConnectOptions) -> Result<Self, sqlx::Error> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .synchronous(SqliteSynchronous::Normal);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    /// Uses an existing pool (its connections should have foreign keys on
    /// and a busy timeout, as [`open_with`](Self::open_with) sets them).
    #[must_use]
    pub fn from_pool(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// The pool, for health checks, backups and embedders' own queries.
    #[must_use]
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Applies pending migrations (safe to call on every start).
    pub async fn migrate(&self) -> Result<(), MigrateError> {
        MIGRATOR.run(&self.pool).await
    }

    /// Checks that the database answers a trivial query: for readiness
    /// probes. A lost connection or pool timeout is
    /// [`StorageError::Transient`](lms_core::StorageError::Transient).
    pub async fn ping(&self) -> Result<(), lms_core::StorageError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(error::map_err)
    }

    /// Every port of the core served by this adapter.
    #[must_use]
    pub fn storage(&self) -> Storage {
        Storage::from_adapter(Arc::new(self.clone()))
    }

    /// A transaction holding the database's write lock from its first
    /// statement (`BEGIN IMMEDIATE`): what it reads cannot change before it
    /// writes, and it never fails half-way for lack of the lock (it waits up
    /// to the busy timeout at the start instead).
    pub(crate) async fn write_tx(&self) -> Result<Transaction<'static, Sqlite>, StorageError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(error::map_err)
    }
}
