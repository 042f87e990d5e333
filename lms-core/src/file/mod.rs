//! Stored files: metadata references, upload limits and the `FileStore` port.

pub mod model;
pub mod ports;

pub use model::*;
pub use ports::*;
