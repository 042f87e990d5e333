//! Webinars: scheduled per course, created at a provider (TrueConf, Yandex
//! Telemost, an external link), rescheduled and cancelled.

pub mod model;
pub mod ports;
pub mod service;

pub use model::*;
pub use ports::*;
pub use service::*;
