//! The schedule: per-user calendar events derived from lessons, deadlines,
//! quiz windows and webinars, shown in the user's time zone.

pub mod model;
pub mod ports;
pub mod service;

pub use model::*;
pub use ports::*;
pub use service::*;
