//! The gradebook: students × assignments and quizzes with final scores,
//! exportable as CSV, and the staff view of one student in a course.

pub mod model;
pub mod service;
pub mod student;

pub use model::*;
pub use service::*;
pub use student::*;
