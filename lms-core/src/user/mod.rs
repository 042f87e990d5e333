//! Users, roles, profiles and the acting user (`Actor`) that every service call takes.

pub mod login;
pub mod model;
pub mod ports;
pub mod service;

pub use login::*;
pub use model::*;
pub use ports::*;
pub use service::*;
