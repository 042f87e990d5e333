//! Courses, lessons, staff (owner teacher and assistants) and enrolment.

pub mod model;
pub mod ports;
pub mod service;

pub use model::*;
pub use ports::*;
pub use service::*;
