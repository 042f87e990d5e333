//! Test kit for storage adapters: an in-memory reference storage and the
//! storage conformance suite every adapter runs against its real database,
//! and a hostile-HTML corpus with an independent active-content check.

pub mod conformance;
pub mod memory;
pub mod transfer;
pub mod xss;
