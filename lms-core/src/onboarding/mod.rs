//! Bringing people into the school: invitations by e-mail, CSV import,
//! password reset and self-registration (see [`service`]).

pub mod csv;
pub mod model;
pub mod ports;
pub mod service;

pub use model::*;
pub use ports::*;
pub use service::*;
