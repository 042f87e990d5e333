//! The parts of the reference server that the `lms-server` binary wires
//! together: configuration, storage, webinar providers and the demo school.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//!
//! use lms_core::Lms;
//! use lms_core::clock::SystemClock;
//! use lms_server::{config::Config, providers, storage};
//!
//! let cfg = Config::load(None)?;
//! let (storage, handle) = storage::open_storage(cfg.database.expose(), &cfg.data_dir).await?;
//! let lms = Lms::new(storage, Arc::new(SystemClock), providers::webinar_providers(&cfg)?);
//! handle.ping().await?;
//! # let _ = lms;
//! # Ok(())
//! # }
//! ```

pub mod app;
pub mod config;
pub mod demo;
pub mod embedded_ui;
pub mod files;
pub mod providers;
pub mod storage;
