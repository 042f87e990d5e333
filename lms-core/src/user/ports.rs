//! Storage ports of the user aggregate: accounts, credentials, sessions and
//! calendar-feed tokens.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::StorageResult;
use crate::ids::UserId;
use crate::page::Page;
use crate::user::login::{LoginCounter, ThrottleKey};
use crate::user::model::{Email, FeedLink, PasswordHash, Session, TokenHash, User, UserFilter};

/// Accounts and their credentials.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a new user. `Conflict(Email)` when the address is taken.
    async fn insert_user(&self, user: &User, password: Option<PasswordHash>) -> StorageResult<()>;
    /// Replaces the profile fields (e-mail, name, role, locale, zone, active).
    /// `NotFound` for an unknown id; `Conflict(Email)` when the new address is taken.
    async fn update_user(&self, user: &User) -> StorageResult<()>;
    /// One user.
    async fn get_user(&self, id: UserId) -> StorageResult<Option<User>>;
    /// Several users at once, in any order; unknown ids are skipped.
    async fn get_users(&self, ids: &[UserId]) -> StorageResult<Vec<User>>;
    /// The user with this e-mail address.
    async fn find_user_by_email(&self, email: &Email) -> StorageResult<Option<User>>;
    /// Users ordered by e-mail.
    async fn list_users(&self, page: Page) -> StorageResult<Vec<User>>;
    /// Users matching `filter` ([`UserFilter::matches`] is the rule),
    /// ordered by e-mail.
    async fn search_users(&self, filter: &UserFilter, page: Page) -> StorageResult<Vec<User>>;
    /// Replaces the password hash. `NotFound` for an unknown id.
    async fn set_password_hash(&self, id: UserId, hash: &PasswordHash) -> StorageResult<()>;
    /// The user and password hash for a login attempt.
    async fn credentials_by_email(
        &self,
        email: &Email,
    ) -> StorageResult<Option<(User, PasswordHash)>>;
    /// Sets (replacing any previous) the user's calendar-feed token hash;
    /// the link of [`Self::set_feed_link`], if any, is forgotten (used to
    /// revoke the feed: nobody is given the new token).
    async fn set_feed_token(&self, id: UserId, hash: &TokenHash) -> StorageResult<()>;
    /// Sets (replacing any previous) the user's calendar link: its token's
    /// hash finds the user ([`Self::user_by_feed_token`]) and
    /// [`Self::feed_link`] returns it until it is replaced.
    async fn set_feed_link(&self, id: UserId, link: &FeedLink) -> StorageResult<()>;
    /// The user's current calendar link; `None` when there is none or the
    /// feed was revoked with [`Self::set_feed_token`]. `NotFound` for an
    /// unknown id.
    async fn feed_link(&self, id: UserId) -> StorageResult<Option<FeedLink>>;
    /// The user whose calendar-feed token has this hash.
    async fn user_by_feed_token(&self, hash: &TokenHash) -> StorageResult<Option<User>>;
}

/// Login sessions, shared by every HTTP node.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session.
    async fn insert_session(&self, session: &Session) -> StorageResult<()>;
    /// The session with this token hash, if it exists (expired ones included;
    /// the service checks expiry).
    async fn get_session(&self, hash: &TokenHash) -> StorageResult<Option<Session>>;
    /// The session with this token hash together with its user (whatever
    /// the user's state), in one round trip: every authenticated request
    /// asks this first. Expired sessions are included, as in
    /// [`Self::get_session`].
    async fn session_with_user(&self, hash: &TokenHash) -> StorageResult<Option<(Session, User)>>;
    /// Revokes one session; revoking an unknown one is not an error.
    async fn delete_session(&self, hash: &TokenHash) -> StorageResult<()>;
    /// Revokes every session of a user (deactivation, password change).
    async fn delete_user_sessions(&self, user: UserId) -> StorageResult<u64>;
    /// Deletes sessions that expired before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StorageResult<u64>;
    /// Revokes every session of a user except `keep` (a password change
    /// keeps the session that made it); returns how many ended.
    async fn delete_other_sessions(&self, user: UserId, keep: &TokenHash) -> StorageResult<u64>;

    /// Counts one login attempt for `key`, atomically: a key without a
    /// counter, or whose window began at or before `now - window`, starts a
    /// new window at `now` with count 1; otherwise its count grows by one.
    /// Returns the counter after the change. Concurrent calls (from any
    /// node) each see a distinct count.
    async fn charge_login_attempt(
        &self,
        key: &ThrottleKey,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> StorageResult<LoginCounter>;
    /// Takes one attempt back from `key`'s counter if its window still
    /// began at `window_started_at` (never below zero); otherwise nothing.
    async fn refund_login_attempt(
        &self,
        key: &ThrottleKey,
        window_started_at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Forgets `key`'s counter.
    async fn clear_login_attempts(&self, key: &ThrottleKey) -> StorageResult<()>;
    /// Deletes counters whose window began before `before`; returns how many.
    async fn delete_expired_login_attempts(&self, before: DateTime<Utc>) -> StorageResult<u64>;
}
