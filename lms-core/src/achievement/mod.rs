//! Achievements: badges awarded once by rules over a student's work.

pub mod model;
pub mod ports;
pub mod rules;
pub mod service;

pub use model::*;
pub use ports::*;
pub use rules::*;
pub use service::*;
