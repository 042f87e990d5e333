//! Planned: see README.md and the issue for this crate.
