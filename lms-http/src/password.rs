//! Password hashing with argon2id (the algorithm's default parameters,
//! which follow the OWASP recommendation: 19 MiB, 2 passes, 1 lane).
//!
//! The core stores only the PHC string ([`PasswordHash`]); this module is
//! the one place that sees passwords.
//!
//! ```
//! use lms_http::password::{hash_password, verify_password};
//!
//! let hash = hash_password("demo12345").unwrap();
//! assert!(verify_password("demo12345", &hash));
//! assert!(!verify_password("demo1234", &hash));
//! ```

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash as Phc, PasswordHasher, PasswordVerifier, SaltString};
use lms_core::user::PasswordHash;
use thiserror::Error;

/// Why a password could not be hashed.
#[derive(Debug, Error)]
#[error("cannot hash the password: {0}")]
pub struct HashError(String);

/// Hashes `password` with argon2id and a fresh random salt.
pub fn hash_password(password: &str) -> Result<PasswordHash, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| PasswordHash(h.to_string()))
        .map_err(|e| HashError(e.to_string()))
}

/// Whether `password` matches `hash`. A malformed hash matches nothing.
#[must_use]
pub fn verify_password(password: &str, hash: &PasswordHash) -> bool {
    let Ok(parsed) = Phc::new(&hash.0) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Verifies `password` against a throw-away hash and returns `false`: call
/// it when a login names no usable account, so the answer takes as long as
/// a real check and does not tell which addresses have accounts.
#[must_use]
pub fn verify_dummy(password: &str) -> bool {
    static DUMMY: LazyLock<Option<PasswordHash>> =
        LazyLock::new(|| hash_password("dummy password, never valid").ok());
    if let Some(hash) = DUMMY.as_ref() {
        let _ = verify_password(password, hash);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_accepts_its_password_only() {
        let hash = hash_password("demo12345").unwrap();
        assert!(hash.0.starts_with("$argon2id$"), "{}", hash.0);
        assert!(!hash.0.contains("demo12345"));
        assert!(verify_password("demo12345", &hash));
        assert!(!verify_password("demo123456", &hash));
        assert!(!verify_password("", &hash));
    }

    #[test]
    fn hashes_are_salted() {
        let a = hash_password("пароль").unwrap();
        let b = hash_password("пароль").unwrap();
        assert_ne!(a, b);
        assert!(verify_password("пароль", &a) && verify_password("пароль", &b));
    }

    #[test]
    fn malformed_hashes_match_nothing() {
        assert!(!verify_password("x", &PasswordHash("not a hash".into())));
        assert!(!verify_password("", &PasswordHash(String::new())));
        assert!(!verify_dummy("dummy password, never valid"));
    }
}
