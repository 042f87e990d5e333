//! Planned: see README.md and the issue for this crate.
//!
//! Parts already here: [`filestore`] (local-directory and S3-compatible
//! adapters of the core's file port) and [`password`] (argon2id hashing).
//!
//! ```
//! use lms_http::password::{hash_password, verify_password};
//!
//! let hash = hash_password("correct horse").unwrap();
//! assert!(verify_password("correct horse", &hash));
//! ```

pub mod filestore;
pub mod password;
