//! Password login and password changes, with login budgets kept in storage
//! so that every HTTP node sees the same counters.
//!
//! The core never hashes passwords itself: the embedder supplies a
//! [`PasswordHasher`] (the HTTP layer's is argon2id with a concurrency
//! budget). [`LoginService`] decides everything else:
//!
//! - inputs longer than [`MAX_EMAIL_BYTES`] / [`MAX_PASSWORD_BYTES`] are
//!   refused before any work;
//! - failures are counted per account and per client address in fixed
//!   windows ([`LoginLimits`]). An attempt is *charged before* the password
//!   is checked, so a burst of simultaneous guesses cannot all be verified
//!   before the first one is counted; a successful login gives the
//!   address its charge back and clears the account's counter, so a
//!   classroom behind one address only spends its budget on wrong passwords;
//! - unknown accounts cost the same hashing work as known ones.

use std::net::IpAddr;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::clock::Clock;
use crate::error::{StorageError, StorageResult};
use crate::ids::UserId;
use crate::policy;
use crate::user::model::{Actor, Email, PasswordHash, Session, TokenHash, User, generate_token};
use crate::user::ports::{SessionStore, UserStore};

/// The longest e-mail address a login may carry (RFC 5321 path limit).
pub const MAX_EMAIL_BYTES: usize = 254;
/// The longest password accepted anywhere (hashing cost is bounded).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// The shortest new password.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Hashes and verifies passwords (argon2id in the HTTP layer). Hashing is
/// expensive: implementations bound how many run at once and answer
/// [`HasherError::Busy`] rather than queue without limit.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A salted hash of `password`.
    async fn hash(&self, password: &str) -> Result<PasswordHash, HasherError>;
    /// Whether `password` matches `hash`; a malformed hash never matches.
    async fn verify(&self, password: &str, hash: &PasswordHash) -> Result<bool, HasherError>;
    /// The same work as [`Self::verify`] against no account's hash, so that
    /// a login for an unknown address takes as long as any other.
    async fn verify_nothing(&self, password: &str) -> Result<(), HasherError>;
}

/// Why a password could not be hashed or checked.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HasherError {
    /// Too many hashes are running or waiting; retry in a moment.
    #[error("too many password checks at once; try again in a moment")]
    Busy,
    /// The hasher failed (a bug or a broken runtime).
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// The key of one login counter: an account or a client address. Stored
/// as a SHA-256 digest, so its length is fixed whatever the input and no
/// e-mail address is kept in the counter table.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ThrottleKey(pub String);

impl ThrottleKey {
    /// The counter of one account.
    #[must_use]
    pub fn account(email: &Email) -> Self {
        Self::digest("account", email.as_str())
    }

    /// The counter of one client address. IPv6 addresses are counted per
    /// /64 network, the block one subscriber usually holds.
    #[must_use]
    pub fn address(ip: IpAddr) -> Self {
        let text = match ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        };
        Self::digest("address", &text)
    }

    /// A counter of `key` for another purpose than login (password-reset
    /// requests, registrations), so budgets do not mix.
    #[must_use]
    pub fn scoped(scope: &str, key: &ThrottleKey) -> Self {
        Self::digest(scope, &key.0)
    }

    fn digest(kind: &str, value: &str) -> Self {
        Self(TokenHash::of(&format!("{kind}:{value}")).0)
    }
}

impl std::fmt::Debug for ThrottleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ThrottleKey({}..)", &self.0[..self.0.len().min(8)])
    }
}

/// A login counter after it was charged: attempts in the current window
/// and when that window began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginCounter {
    /// Attempts counted in the window, this one included.
    pub count: u32,
    /// Start of the window.
    pub window_started_at: DateTime<Utc>,
}

/// Login budgets: failed attempts allowed per account and per client
/// address within a fixed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Wrong passwords allowed per account per window.
    pub failures_per_account: u32,
    /// Wrong passwords allowed per client address per window (successful
    /// logins do not count, so a classroom behind one address is not
    /// locked out by its own logins).
    pub failures_per_address: u32,
    /// Length of a window.
    pub window: chrono::Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            failures_per_account: 10,
            failures_per_address: 100,
            window: chrono::Duration::minutes(15),
        }
    }
}

/// One login attempt as the client sent it.
#[derive(Debug, Clone, Copy)]
pub struct LoginAttempt<'a> {
    /// The e-mail address typed.
    pub email: &'a str,
    /// The password typed.
    pub password: &'a str,
    /// The client's address, when known.
    pub address: Option<IpAddr>,
}

/// A session started by a login: hand `token` to the client once; only its
/// hash is stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The secret session token.
    pub token: String,
    /// The stored session.
    pub session: Session,
    /// The logged-in user.
    pub user: User,
}

/// Why a login failed.
#[derive(Debug, Error)]
pub enum LoginFailure {
    /// E-mail or password longer than the limits: refused before any work
    /// (the message starts with the field name).
    #[error("{0}: too long")]
    TooLong(&'static str),
    /// Wrong e-mail or password, or a deactivated account (one error, so
    /// accounts cannot be probed).
    #[error("invalid e-mail or password")]
    InvalidCredentials,
    /// The account or the address used its budget of failures.
    #[error("too many failed logins; try again in {retry_after_secs} s")]
    Throttled {
        /// Seconds until the window ends.
        retry_after_secs: u64,
    },
    /// Too many logins are being checked right now.
    #[error("too many logins at once; try again in a moment")]
    Busy,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Hashing failed.
    #[error("password check failed: {0}")]
    Hasher(String),
}

crate::domain_error!(LoginFailure {
    TooLong(_) => (Invalid, "input_too_long"),
    InvalidCredentials => (Unauthenticated, "invalid_credentials"),
    Throttled { .. } => (Unavailable, "too_many_requests"),
    Busy => (Unavailable, "login_busy"),
    Hasher(_) => (Internal, "password_check_failed"),
});

/// Why a password could not be changed.
#[derive(Debug, Error)]
pub enum ChangePasswordError {
    /// No such user, or the actor may not change this user's password.
    #[error("user not found")]
    NotFound,
    /// Changing one's own password needs the current one.
    #[error("current_password: the current password is needed to change it")]
    CurrentPasswordRequired,
    /// The current password given is wrong.
    #[error("current_password: the current password is wrong")]
    WrongCurrentPassword,
    /// The new password is shorter than [`MIN_PASSWORD_CHARS`].
    #[error("password: must have at least 8 characters")]
    TooShort,
    /// A password longer than [`MAX_PASSWORD_BYTES`].
    #[error("password: must have at most 1024 bytes")]
    TooLong,
    /// Too many wrong current passwords for this account.
    #[error("too many failed attempts; try again in {retry_after_secs} s")]
    Throttled {
        /// Seconds until the window ends.
        retry_after_secs: u64,
    },
    /// Too many password checks at once.
    #[error("too many password checks at once; try again in a moment")]
    Busy,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Hashing failed.
    #[error("password hashing failed: {0}")]
    Hasher(String),
}

crate::domain_error!(ChangePasswordError {
    NotFound => (NotFound, "user_not_found"),
    CurrentPasswordRequired => (Invalid, "current_password_required"),
    WrongCurrentPassword => (Forbidden, "wrong_current_password"),
    TooShort => (Invalid, "invalid_field"),
    TooLong => (Invalid, "invalid_field"),
    Throttled { .. } => (Unavailable, "too_many_requests"),
    Busy => (Unavailable, "login_busy"),
    Hasher(_) => (Internal, "password_hashing_failed"),
});

impl From<HasherError> for LoginFailure {
    fn from(e: HasherError) -> Self {
        match e {
            HasherError::Busy => Self::Busy,
            HasherError::Failed(m) => Self::Hasher(m),
        }
    }
}

impl From<HasherError> for ChangePasswordError {
    fn from(e: HasherError) -> Self {
        match e {
            HasherError::Busy => Self::Busy,
            HasherError::Failed(m) => Self::Hasher(m),
        }
    }
}

/// A valid new password: [`MIN_PASSWORD_CHARS`] characters at least,
/// [`MAX_PASSWORD_BYTES`] bytes at most.
pub fn check_new_password(password: &str) -> Result<(), ChangePasswordError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ChangePasswordError::TooLong);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ChangePasswordError::TooShort);
    }
    Ok(())
}

/// Starts a session for `user` valid for `ttl` from `now`: a fresh secret
/// token for the client, only its hash stored. Every way of logging in
/// (password, accepted invitation, registration) ends here.
pub(crate) async fn issue_session(
    sessions: &dyn SessionStore,
    user: User,
    now: DateTime<Utc>,
    ttl: chrono::Duration,
) -> StorageResult<NewSession> {
    let token = generate_token();
    let session = Session {
        token_hash: TokenHash::of(&token),
        user_id: user.id,
        created_at: now,
        expires_at: now + ttl,
    };
    sessions.insert_session(&session).await?;
    Ok(NewSession {
        token,
        session,
        user,
    })
}

/// Login, password changes and the login budgets.
pub struct LoginService {
    users: Arc<dyn UserStore>,
    sessions: Arc<dyn SessionStore>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    limits: LoginLimits,
}

impl LoginService {
    /// A service over these ports.
    pub fn new(
        users: Arc<dyn UserStore>,
        sessions: Arc<dyn SessionStore>,
        hasher: Arc<dyn PasswordHasher>,
        clock: Arc<dyn Clock>,
        limits: LoginLimits,
    ) -> Self {
        Self {
            users,
            sessions,
            hasher,
            clock,
            limits,
        }
    }

    /// The hasher this service uses (for setting initial passwords).
    #[must_use]
    pub fn hasher(&self) -> &Arc<dyn PasswordHasher> {
        &self.hasher
    }

    /// Checks e-mail and password and starts a session valid for `ttl`.
    ///
    /// The account's and the address's counters are charged before the
    /// password is checked; a correct password clears the account's and
    /// refunds the address's charge.
    pub async fn login(
        &self,
        attempt: LoginAttempt<'_>,
        ttl: chrono::Duration,
    ) -> Result<NewSession, LoginFailure> {
        if attempt.email.len() > MAX_EMAIL_BYTES {
            return Err(LoginFailure::TooLong("email"));
        }
        if attempt.password.len() > MAX_PASSWORD_BYTES {
            return Err(LoginFailure::TooLong("password"));
        }
        let now = self.clock.now();
        let address = attempt.address.map(ThrottleKey::address);
        let email = Email::parse(attempt.email).ok();
        let account = email.as_ref().map(ThrottleKey::account);

        let mut charged: Vec<(ThrottleKey, DateTime<Utc>)> = Vec::with_capacity(2);
        for (key, limit) in [
            (address.clone(), self.limits.failures_per_address),
            (account.clone(), self.limits.failures_per_account),
        ] {
            let Some(key) = key else { continue };
            let counter = self.charge(&key, now).await?;
            if counter.count > limit {
                // An over-budget attempt is not checked, so it is not a
                // failure of anything: give back what was charged.
                self.refund_all(&charged).await?;
                self.sessions
                    .refund_login_attempt(&key, counter.window_started_at)
                    .await?;
                return Err(LoginFailure::Throttled {
                    retry_after_secs: self.retry_after(counter, now),
                });
            }
            charged.push((key, counter.window_started_at));
        }

        let found = match &email {
            Some(email) => self
                .users
                .credentials_by_email(email)
                .await?
                .filter(|(u, _)| u.active),
            None => None,
        };
        let verified = match &found {
            Some((_, hash)) => self.hasher.verify(attempt.password, hash).await,
            // Same work for unknown accounts, so timing does not reveal them.
            None => self
                .hasher
                .verify_nothing(attempt.password)
                .await
                .map(|()| false),
        };
        let ok = match verified {
            Ok(ok) => ok,
            Err(e) => {
                // Not checked: nothing to hold against the client.
                self.refund_all(&charged).await?;
                return Err(e.into());
            }
        };
        let user = match found {
            Some((user, _)) if ok => user,
            _ => return Err(LoginFailure::InvalidCredentials),
        };
        if let Some(account) = &account {
            self.sessions.clear_login_attempts(account).await?;
        }
        // A correct password is no failure of the address.
        if let Some((key, started)) = charged.iter().find(|(k, _)| Some(k) == address.as_ref()) {
            self.sessions.refund_login_attempt(key, *started).await?;
        }
        Ok(issue_session(self.sessions.as_ref(), user, now, ttl).await?)
    }

    /// Changes the actor's own password: needs the current one (checked
    /// against the account's login budget), ends every other session of
    /// the account and rotates its calendar-feed token, so a stolen session
    /// or feed URL stops working. `keep` is the session making the change.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        current: Option<&str>,
        new: &str,
        keep: &TokenHash,
    ) -> Result<(), ChangePasswordError> {
        check_new_password(new)?;
        let current = current.ok_or(ChangePasswordError::CurrentPasswordRequired)?;
        if current.len() > MAX_PASSWORD_BYTES {
            return Err(ChangePasswordError::WrongCurrentPassword);
        }
        let user = self
            .users
            .get_user(actor.user_id)
            .await?
            .ok_or(ChangePasswordError::NotFound)?;
        let key = ThrottleKey::account(&user.email);
        let now = self.clock.now();
        let counter = self.charge(&key, now).await?;
        if counter.count > self.limits.failures_per_account {
            self.sessions
                .refund_login_attempt(&key, counter.window_started_at)
                .await?;
            return Err(ChangePasswordError::Throttled {
                retry_after_secs: self.retry_after(counter, now),
            });
        }
        let stored = self
            .users
            .credentials_by_email(&user.email)
            .await?
            .map(|(_, hash)| hash);
        let ok = match &stored {
            Some(hash) => self.hasher.verify(current, hash).await,
            None => self.hasher.verify_nothing(current).await.map(|()| false),
        };
        let ok = match ok {
            Ok(ok) => ok,
            Err(e) => {
                self.sessions
                    .refund_login_attempt(&key, counter.window_started_at)
                    .await?;
                return Err(e.into());
            }
        };
        if !ok {
            return Err(ChangePasswordError::WrongCurrentPassword);
        }
        self.sessions.clear_login_attempts(&key).await?;
        let hash = self.hasher.hash(new).await?;
        self.users.set_password_hash(user.id, &hash).await?;
        self.sessions.delete_other_sessions(user.id, keep).await?;
        self.users
            .set_feed_token(user.id, &TokenHash::of(&generate_token()))
            .await?;
        Ok(())
    }

    /// Sets `id`'s password: [`Self::change_own_password`] when the actor
    /// is that user, else [`Self::admin_set_password`].
    pub async fn set_password(
        &self,
        actor: &Actor,
        id: UserId,
        current: Option<&str>,
        new: &str,
        keep: &TokenHash,
    ) -> Result<(), ChangePasswordError> {
        if actor.user_id == id {
            self.change_own_password(actor, current, new, keep).await
        } else {
            self.admin_set_password(actor, id, new).await
        }
    }

    /// An admin sets another account's password (e.g. the user forgot it):
    /// every session of that account ends and its calendar feed is
    /// rotated. Admins change their own password with
    /// [`Self::change_own_password`], like everyone.
    pub async fn admin_set_password(
        &self,
        actor: &Actor,
        id: UserId,
        new: &str,
    ) -> Result<(), ChangePasswordError> {
        if !policy::can_manage_users(actor) || actor.user_id == id {
            return Err(ChangePasswordError::NotFound);
        }
        check_new_password(new)?;
        if self.users.get_user(id).await?.is_none() {
            return Err(ChangePasswordError::NotFound);
        }
        let hash = self.hasher.hash(new).await?;
        self.users.set_password_hash(id, &hash).await?;
        self.sessions.delete_user_sessions(id).await?;
        self.users
            .set_feed_token(id, &TokenHash::of(&generate_token()))
            .await?;
        Ok(())
    }

    /// Hashes a new password after checking its length (for accounts
    /// created with a password).
    pub async fn hash_new_password(
        &self,
        password: &str,
    ) -> Result<PasswordHash, ChangePasswordError> {
        check_new_password(password)?;
        Ok(self.hasher.hash(password).await?)
    }

    /// Deletes counters whose window ended; returns how many. Meant for the
    /// periodic housekeeping sweep.
    pub async fn purge_expired_counters(&self) -> StorageResult<u64> {
        self.sessions
            .delete_expired_login_attempts(self.clock.now() - self.limits.window)
            .await
    }

    async fn charge(&self, key: &ThrottleKey, now: DateTime<Utc>) -> StorageResult<LoginCounter> {
        self.sessions
            .charge_login_attempt(key, now, self.limits.window)
            .await
    }

    async fn refund_all(&self, charged: &[(ThrottleKey, DateTime<Utc>)]) -> StorageResult<()> {
        for (key, started) in charged {
            self.sessions.refund_login_attempt(key, *started).await?;
        }
        Ok(())
    }

    fn retry_after(&self, counter: LoginCounter, now: DateTime<Utc>) -> u64 {
        let ends = counter.window_started_at + self.limits.window;
        u64::try_from((ends - now).num_seconds())
            .unwrap_or(0)
            .max(1)
    }
}

impl std::fmt::Debug for LoginService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginService")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "login_tests.rs"]
mod tests;
