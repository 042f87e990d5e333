//! The core's storage conformance suite against real PostgreSQL, each test
//! on its own fresh database.

mod common;

lms_core::storage_conformance_tests!(common::fresh_storage());
