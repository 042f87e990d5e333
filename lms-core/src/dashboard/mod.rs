//! Personal dashboards: a student's progress, statuses and upcoming events;
//! what to do next; a teacher's queue and course statistics, per course
//! and per assignment and quiz.

pub mod items;
pub mod model;
pub mod next;
pub mod ports;
pub mod service;
pub mod watch;

pub use items::*;
pub use model::*;
pub use next::*;
pub use ports::*;
pub use service::*;
pub use watch::*;
