//! Delivery of the LMS core's notifications — deadline, quiz and webinar
//! reminders, new assignments, graded or returned homework, webinar changes,
//! achievements — by e-mail and Telegram, through the core's durable outbox.
//!
//! - [`email`] — [`EmailNotifier`] over SMTP (lettre,
//!   rustls, connection pool), plain-text and HTML messages from compile-checked
//!   templates in the recipient's language;
//! - [`telegram`] — [`TelegramNotifier`] (teloxide)
//!   within Telegram's rate limits, and the bot that links accounts
//!   ([`run_bot`], [`handle_update`]);
//! - [`worker`] — [`run_worker`], the dispatcher loops and
//!   the periodic reminder sweep, and [`LogNotifier`] for
//!   servers without SMTP or Telegram.
//!
//! The core decides what to send, to whom, when and how often to retry
//! ([`lms_core::notification::Dispatcher`]); this crate only says it, over
//! each channel, and tells the dispatcher whether a failure is worth
//! retrying. Configuration is described in this crate's `README.md`.
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use lms_core::Lms;
//! use lms_core::notification::{Channel, Notifier};
//! use lms_notify::email::{EmailNotifier, SmtpConfig};
//! use lms_notify::worker::{LogNotifier, WorkerConfig, run_worker};
//!
//! async fn notify(
//!     lms: Arc<Lms>,
//!     shutdown: impl Future<Output = ()> + Send,
//! ) -> Result<(), Box<dyn std::error::Error>> {
//!     let mut smtp = SmtpConfig::new(
//!         "smtp.eu.mailgun.org",
//!         "Школа <noreply@school.example>",
//!         "https://school.example",
//!     );
//!     smtp.username = Some("postmaster@mg.school.example".into());
//!     smtp.password = Some("secret".into());
//!     let notifiers: Vec<Arc<dyn Notifier>> = vec![
//!         Arc::new(EmailNotifier::new(&smtp)?),
//!         // No bot configured: Telegram messages are only logged.
//!         Arc::new(LogNotifier::new(Channel::Telegram, "https://school.example")),
//!     ];
//!     run_worker(lms, notifiers, WorkerConfig::default(), shutdown).await;
//!     Ok(())
//! }
//! ```

pub mod content;
pub mod email;
pub mod telegram;
pub mod worker;

pub use email::{EmailNotifier, SmtpConfig, SmtpSecurity};
pub use telegram::{TelegramConfig, TelegramNotifier, WebhookConfig, handle_update, run_bot};
pub use worker::{LogNotifier, WorkerConfig, run_worker};
