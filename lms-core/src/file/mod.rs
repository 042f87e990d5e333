//! Stored files: metadata references, upload limits, the `FileStore` and
//! `FileRegistry` ports, and the service deciding who may upload and
//! download what.

pub mod model;
pub mod ports;
pub mod service;

pub use model::*;
pub use ports::*;
pub use service::*;
