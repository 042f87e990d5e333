//! The core's storage conformance suite against real PostgreSQL, each test
//! on its own fresh database.

use lms_storage_postgres::testing as common;

lms_core::storage_conformance_tests!(common::fresh_storage());
