//! Courses, lessons, staff (owner teacher and assistants) and enrolment.

pub mod access;
pub mod model;
pub mod ports;
pub mod queue;
pub mod service;

pub use access::{CourseAccess, Refusal};
pub use model::*;
pub use ports::*;
pub use queue::QueueScope;
pub use service::*;
