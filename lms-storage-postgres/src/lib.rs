//! # lms-storage-postgres
//!
//! The PostgreSQL storage adapter of the LMS: every storage port of
//! [`lms_core`] implemented with `sqlx` on one connection pool. It is the
//! system of record for schools that run the reference server in
//! production; any number of HTTP nodes and notification workers can share
//! one database.
//!
//! - Migrations are embedded ([`PgStorage::migrate`]); constraints live in
//!   the schema (foreign keys, unique enrolment, unique outbox de-dup key,
//!   one open attempt per student and quiz, checks on scores and states),
//!   and constraint names map to the core's [`Conflict`](lms_core::Conflict)
//!   kinds in one place (`error.rs`).
//! - Queries are compile-checked (`query!`/`query_as!`) with the offline
//!   data in `.sqlx/`, so the build needs no database.
//! - Combined writes (hand-in + outbox + awards, review + audit + outbox +
//!   awards, attempt finish + outbox + awards) run in one transaction.
//! - Outbox entries are claimed with `FOR UPDATE SKIP LOCKED` and a lease,
//!   so workers on many machines never deliver one entry twice and a crashed
//!   worker's entries come back when its lease expires.
//! - Dashboards, the schedule and the grading queue are one query each
//!   (see `docs/query-plans.md`).
//! - [`PgStorage`] also implements
//!   [`SchoolTransfer`](lms_core::transfer::SchoolTransfer), the target of
//!   `lms-server migrate-to`; feature `testing` gives fresh test databases.
//! - The file registry (`files`) and idempotency records
//!   (`idempotency_keys`): an attach locks the files it checks (`FOR
//!   UPDATE`), and `begin` is one `INSERT … ON CONFLICT … WHERE`, so of
//!   concurrent first requests with one key exactly one starts.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use lms_storage_postgres::PgStorage;
//!
//! let pg = PgStorage::connect("postgres://postgres@127.0.0.1/lms").await?;
//! pg.migrate().await?;
//! let storage = pg.storage(); // lms_core::ports::Storage, every port
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
#[cfg(feature = "testing")]
pub mod testing;
mod transfer;
mod user;
mod webinar;

use std::sync::Arc;

use lms_core::ports::Storage;
use sqlx::postgres::{PgPool, PgPoolOptions};

pub use sqlx::migrate::MigrateError;

/// The embedded migrations of this adapter.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Every storage port of the core on one PostgreSQL pool. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PgStorage {
    pool: PgPool,
}

impl PgStorage {
    /// Connects a pool (up to 20 connections) to `url`.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(20)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }

    /// Uses an existing pool.
    #[must_use]
    pub fn from_pool(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The pool, for health checks and embedders' own queries.
    #[must_use]
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Applies pending migrations (safe to call on every start, from
    /// several nodes at once: sqlx takes an advisory lock).
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
}
