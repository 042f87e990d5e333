//! Password hashing with argon2id (the crate's default parameters: 19 MiB,
//! 2 passes), in PHC string format. Hashing is CPU-heavy: call these from
//! `spawn_blocking`.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, PasswordHash as PhcHash};
use lms_core::user::PasswordHash;

/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than [`MIN_PASSWORD_LEN`] characters.
    #[error("password: must have at least 8 characters")]
    TooShort,
    /// More than 1024 bytes (hashing cost is bounded).
    #[error("password: must have at most 1024 bytes")]
    TooLong,
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<PasswordHash, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(PasswordError::TooShort);
    }
    if password.len() > 1024 {
        return Err(PasswordError::TooLong);
    }
    let salt = SaltString::generate(&mut OsRng);
    let phc = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any input up to 1024 bytes");
    Ok(PasswordHash(phc.to_string()))
}

/// Whether `password` matches `hash`. A malformed stored hash never matches.
#[must_use]
pub fn verify_password(password: &str, hash: &PasswordHash) -> bool {
    if password.len() > 1024 {
        return false;
    }
    match PhcHash::new(&hash.0) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A valid hash of no one's password, verified against when the account is
/// unknown so that a login takes as long either way.
pub(crate) fn dummy_hash() -> &'static PasswordHash {
    static DUMMY: std::sync::OnceLock<PasswordHash> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("dummy password never used").expect("valid length"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash_password("demo12345").unwrap();
        assert!(h.0.starts_with("$argon2id$"));
        assert!(verify_password("demo12345", &h));
        assert!(!verify_password("demo12346", &h));
        assert_ne!(hash_password("demo12345").unwrap(), h, "salted");
    }

    #[test]
    fn refuses_short_passwords_and_bad_hashes() {
        assert_eq!(hash_password("short"), Err(PasswordError::TooShort));
        assert!(!verify_password(
            "anything",
            &PasswordHash("not a hash".into())
        ));
    }
}
