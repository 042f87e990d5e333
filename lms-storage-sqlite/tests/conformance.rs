//! The core's storage conformance suite against SQLite, each test on its
//! own fresh database file.

mod common;

lms_core::storage_conformance_tests!(common::fresh_storage());
