//! Password hashing with argon2id (the crate's default parameters: 19 MiB,
//! 2 passes), in PHC string format. Hashing is CPU- and memory-heavy: the
//! server hashes through [`Argon2Hasher`], which runs at most a fixed
//! number of hashes at once (each holds ~19 MiB) on blocking threads and
//! refuses new work when too many wait, so a burst of logins queues
//! instead of growing memory. The plain functions are for tools and tests.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Argon2, PasswordHash as PhcHash};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use lms_core::user::{HasherError, PasswordHash, PasswordHasher};
use tokio::sync::Semaphore;

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

/// The [`PasswordHasher`] of the server: argon2id with a concurrency
/// budget.
#[derive(Debug)]
pub struct Argon2Hasher {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl Argon2Hasher {
    /// At most `concurrency` hashes at once and `max_waiting` waiting for
    /// their turn; more answer [`HasherError::Busy`].
    #[must_use]
    pub fn new(concurrency: usize, max_waiting: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// One hash per core at once, and up to 64 per core waiting.
    #[must_use]
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self::new(cores, 64 * cores)
    }

    /// How many hashes may run at once.
    #[must_use]
    pub fn concurrency(&self) -> usize {
        self.permits.available_permits()
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HasherError> {
        let queued = Queued::enter(&self.waiting, self.max_waiting)?;
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| HasherError::Failed(e.to_string()))?;
        drop(queued);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| HasherError::Failed(e.to_string()))
    }
}

/// A place in the hasher's queue, given back when dropped (also when the
/// client goes away while waiting).
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn enter(waiting: &'a AtomicUsize, max: usize) -> Result<Self, HasherError> {
        if waiting.fetch_add(1, Ordering::SeqCst) >= max {
            waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(HasherError::Busy);
        }
        Ok(Self(waiting))
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &str) -> Result<PasswordHash, HasherError> {
        let password = password.to_owned();
        self.run(move || hash_password(&password))
            .await?
            .map_err(|e| HasherError::Failed(e.to_string()))
    }

    async fn verify(&self, password: &str, hash: &PasswordHash) -> Result<bool, HasherError> {
        let (password, hash) = (password.to_owned(), hash.clone());
        self.run(move || verify_password(&password, &hash)).await
    }

    async fn verify_nothing(&self, password: &str) -> Result<(), HasherError> {
        let password = password.to_owned();
        self.run(move || {
            let _ = verify_password(&password, dummy_hash());
        })
        .await
    }
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_hasher_runs_a_bounded_number_at_once_and_refuses_an_overflowing_queue() {
        let hasher = Arc::new(Argon2Hasher::new(1, 2));
        let h = hash_password("demo12345").unwrap();
        let tries: Vec<_> = (0..6)
            .map(|_| {
                let (hasher, h) = (hasher.clone(), h.clone());
                tokio::spawn(async move { hasher.verify("demo12345", &h).await })
            })
            .collect();
        let mut ok = 0;
        let mut busy = 0;
        for t in tries {
            match t.await.unwrap() {
                Ok(true) => ok += 1,
                Err(HasherError::Busy) => busy += 1,
                other => panic!("{other:?}"),
            }
        }
        assert!(ok >= 3, "one running and two waiting get through: {ok}");
        assert_eq!(ok + busy, 6);
        assert!(busy >= 1, "six at once overflow a queue of two");
        assert_eq!(hasher.waiting.load(Ordering::SeqCst), 0, "queue emptied");
        assert!(hasher.verify("demo12345", &h).await.unwrap());
        hasher.verify_nothing("x").await.unwrap();
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
