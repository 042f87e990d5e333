//! Planned: see README.md and the issue for this crate.

pub mod filestore;
pub mod password;
