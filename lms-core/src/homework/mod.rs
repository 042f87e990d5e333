//! Homework: assignments, extensions, submissions with versions, grading with
//! an audit trail, and the late-penalty and status rules.

pub mod model;
pub mod ports;
pub mod rules;
pub mod service;

pub use model::*;
pub use ports::*;
pub use rules::*;
pub use service::*;
