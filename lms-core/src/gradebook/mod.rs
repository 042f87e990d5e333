//! The gradebook: students × assignments and quizzes with final scores,
//! exportable as CSV.

pub mod model;
pub mod service;

pub use model::*;
pub use service::*;
