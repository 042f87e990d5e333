//! # lms-core
//!
//! The domain of an embeddable learning management system for online
//! schools: users and roles, courses and lessons, homework with late
//! policies and grading, auto-checked quizzes, webinars, schedules,
//! dashboards, notifications and achievements.
//!
//! The crate holds entities with typed ids and validated constructors, pure
//! rules (grading, late penalty, progress, achievements, reminders, who may
//! do what), **ports** (`#[async_trait]` traits for storage, files,
//! notifiers, webinar providers and the clock) and **services** that take the
//! acting user and enforce authorisation. It depends on no database, HTTP or
//! provider crate: adapters live in sibling crates.
//!
//! Features: `mocks` exposes `mockall` mocks of every port (`MockCourseStore`,
//! ...); `testkit` exposes the storage conformance suite and an in-memory
//! storage; `openapi` derives `utoipa::ToSchema` for every type that
//! (de)serialises, so an HTTP layer can describe its JSON in OpenAPI 3.1.
//!
//! ```
//! use lms_core::richtext::RichText;
//! use lms_core::homework::{kept_percent, LatePolicy};
//!
//! // Rich text exists only sanitised.
//! let body = RichText::sanitize("<h2>Дроби</h2><script>alert(1)</script>");
//! assert_eq!(body.as_html(), "<h2>Дроби</h2>");
//!
//! // Two days late at 10 % a day keeps 80 % of the score.
//! let policy = LatePolicy::PercentPerDay { percent_per_day: 10, floor_percent: 50 };
//! assert_eq!(kept_percent(policy, 2), 80);
//! ```

pub mod achievement;
pub mod announcement;
pub mod bank;
pub mod bulk;
pub mod clock;
pub mod course;
pub mod dashboard;
pub mod error;
pub mod file;
pub mod gradebook;
pub mod group;
pub mod homework;
pub mod idempotency;
pub mod ids;
pub mod lms;
pub mod notification;
pub mod onboarding;
pub mod page;
pub mod policy;
pub mod ports;
pub mod quiz;
pub mod richtext;
pub mod schedule;
pub mod score;
pub mod spreadsheet;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod transfer;
pub mod user;
pub mod webinar;

pub use error::{Conflict, DomainError, ErrorClass, StorageError, StorageResult};
pub use ids::*;
pub use lms::Lms;
pub use page::Page;
pub use user::{Actor, Role};
