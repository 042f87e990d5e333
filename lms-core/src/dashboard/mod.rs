//! Personal dashboards: a student's progress, statuses and upcoming events;
//! a teacher's queue and course statistics.

pub mod model;
pub mod ports;
pub mod service;

pub use model::*;
pub use ports::*;
pub use service::*;
