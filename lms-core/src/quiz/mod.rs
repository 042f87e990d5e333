//! Quizzes (auto-checked tests): questions of eight kinds, settings, attempts
//! with server-side deadlines, grading and the answer-reveal rules.

pub mod analysis;
pub mod grading;
pub mod model;
pub mod ports;
pub mod service;
pub mod view;

pub use analysis::*;
pub use grading::*;
pub use model::*;
pub use ports::*;
pub use service::*;
pub use view::*;
