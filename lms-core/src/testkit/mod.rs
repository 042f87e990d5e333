//! Test kit for storage adapters: an in-memory reference storage and the
//! storage conformance suite every adapter runs against its real database.

pub mod conformance;
pub mod memory;
pub mod transfer;
