//! The user service: accounts (admins create and manage them, everyone edits
//! their own profile), login look-up, sessions and calendar-feed tokens.
//!
//! Passwords never reach the core: the embedder hashes them (argon2id) and
//! verifies the hash returned by [`UserService::login_lookup`]. Session and
//! feed tokens are generated with [`generate_token`](crate::user::generate_token)
//! and only their [`TokenHash`] is stored.

use std::sync::Arc;

use thiserror::Error;

use crate::clock::Clock;
use crate::error::{Conflict, StorageError, StorageResult};
use crate::ids::UserId;
use crate::page::Page;
use crate::policy;
use crate::user::model::{
    Actor, DisplayName, Email, FeedLink, Locale, PasswordHash, Role, Session, TimeZone, TokenHash,
    User,
};
use crate::user::ports::{SessionStore, UserStore};

/// A new account, as an admin fills it in.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    /// Login and notification address (unique).
    pub email: Email,
    /// Name shown to others.
    pub display_name: DisplayName,
    /// School-wide role.
    pub role: Role,
    /// UI and message language.
    pub locale: Locale,
    /// Zone in which times are shown.
    pub time_zone: TimeZone,
    /// Initial password hash; `None`: the user cannot log in with a password
    /// until one is set (e.g. accounts managed by an external login).
    pub password_hash: Option<PasswordHash>,
}

/// The profile fields a user may change themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileUpdate {
    /// Name shown to others.
    pub display_name: DisplayName,
    /// UI and message language.
    pub locale: Locale,
    /// Zone in which times are shown.
    pub time_zone: TimeZone,
}

/// Why an account could not be created.
#[derive(Debug, Error)]
pub enum CreateUserError {
    /// Only admins create accounts.
    #[error("only admins may create users")]
    Forbidden,
    /// Another account has this e-mail address.
    #[error("e-mail address is already taken")]
    EmailTaken,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(CreateUserError {
    Forbidden => (Forbidden, "forbidden"),
    EmailTaken => (Conflict, "email_taken"),
});

/// Why an account could not be read or edited by its owner or an admin
/// (`get_user`, `update_profile`, `set_password_hash`).
#[derive(Debug, Error)]
pub enum UserAccessError {
    /// No such user, or the actor (neither the user nor an admin) may not see it.
    #[error("user not found")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(UserAccessError {
    NotFound => (NotFound, "user_not_found"),
});

/// Why the list of users could not be read.
#[derive(Debug, Error)]
pub enum ListUsersError {
    /// Only admins list users.
    #[error("only admins may list users")]
    Forbidden,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(ListUsersError {
    Forbidden => (Forbidden, "forbidden"),
});

/// Why an admin could not change a user's role or active flag.
#[derive(Debug, Error)]
pub enum ManageUserError {
    /// Only admins change roles and deactivate accounts.
    #[error("only admins may change roles or deactivate users")]
    Forbidden,
    /// No such user.
    #[error("user not found")]
    NotFound,
    /// An admin may not change their own role (the school could lose its last admin).
    #[error("admins cannot change their own role")]
    OwnRole,
    /// An admin may not deactivate their own account.
    #[error("admins cannot deactivate themselves")]
    OwnDeactivation,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(ManageUserError {
    Forbidden => (Forbidden, "forbidden"),
    NotFound => (NotFound, "user_not_found"),
    OwnRole => (Forbidden, "cannot_change_own_role"),
    OwnDeactivation => (Forbidden, "cannot_deactivate_self"),
});

/// Why a login attempt found no account to check the password against.
#[derive(Debug, Error)]
pub enum LoginError {
    /// Unknown e-mail, deactivated account or no password set: deliberately
    /// one error, so accounts cannot be probed.
    #[error("invalid e-mail or password")]
    InvalidCredentials,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(LoginError {
    InvalidCredentials => (Unauthenticated, "invalid_credentials"),
});

/// Why a session could not be started.
#[derive(Debug, Error)]
pub enum StartSessionError {
    /// The lifetime must be positive.
    #[error("ttl: session lifetime must be positive")]
    InvalidTtl,
    /// The user does not exist or is deactivated.
    #[error("user is unknown or deactivated")]
    UserInactive,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(StartSessionError {
    InvalidTtl => (Invalid, "invalid_session_ttl"),
    UserInactive => (Forbidden, "user_inactive"),
});

/// Why a session token does not authenticate anyone.
#[derive(Debug, Error)]
pub enum SessionError {
    /// No session has this token (never issued, logged out or revoked).
    #[error("unknown session")]
    Unknown,
    /// The session expired (it has been deleted).
    #[error("session expired")]
    Expired,
    /// The session's user no longer exists or is deactivated.
    #[error("user is unknown or deactivated")]
    UserInactive,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(SessionError {
    Unknown => (Unauthenticated, "session_unknown"),
    Expired => (Unauthenticated, "session_expired"),
    UserInactive => (Unauthenticated, "user_inactive"),
});

/// Accounts, profiles, login, sessions and calendar-feed tokens.
pub struct UserService {
    users: Arc<dyn UserStore>,
    sessions: Arc<dyn SessionStore>,
    clock: Arc<dyn Clock>,
}

impl UserService {
    /// A service over these ports.
    pub fn new(
        users: Arc<dyn UserStore>,
        sessions: Arc<dyn SessionStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            users,
            sessions,
            clock,
        }
    }

    /// Creates an active account (admins only).
    pub async fn create_user(&self, actor: &Actor, new: NewUser) -> Result<User, CreateUserError> {
        if !policy::can_manage_users(actor) {
            return Err(CreateUserError::Forbidden);
        }
        let user = User {
            id: UserId::new(),
            email: new.email,
            display_name: new.display_name,
            role: new.role,
            locale: new.locale,
            time_zone: new.time_zone,
            active: true,
            created_at: self.clock.now(),
        };
        match self.users.insert_user(&user, new.password_hash).await {
            Ok(()) => Ok(user),
            Err(StorageError::Conflict(Conflict::Email)) => Err(CreateUserError::EmailTaken),
            Err(e) => Err(e.into()),
        }
    }

    /// One account: the actor's own, or any for an admin. Others get `NotFound`.
    pub async fn get_user(&self, actor: &Actor, id: UserId) -> Result<User, UserAccessError> {
        if !may_access(actor, id) {
            return Err(UserAccessError::NotFound);
        }
        self.users
            .get_user(id)
            .await?
            .ok_or(UserAccessError::NotFound)
    }

    /// Every account, ordered by e-mail (admins only).
    pub async fn list_users(&self, actor: &Actor, page: Page) -> Result<Vec<User>, ListUsersError> {
        if !policy::can_manage_users(actor) {
            return Err(ListUsersError::Forbidden);
        }
        Ok(self.users.list_users(page).await?)
    }

    /// Changes name, language and time zone of the actor's own account, or of
    /// any account for an admin. Returns the updated user.
    pub async fn update_profile(
        &self,
        actor: &Actor,
        id: UserId,
        update: ProfileUpdate,
    ) -> Result<User, UserAccessError> {
        let mut user = self.get_user(actor, id).await?;
        user.display_name = update.display_name;
        user.locale = update.locale;
        user.time_zone = update.time_zone;
        self.users
            .update_user(&user)
            .await
            .map_err(|e| not_found_as(e, UserAccessError::NotFound))?;
        Ok(user)
    }

    /// Changes a user's school-wide role (admins only; not their own).
    /// Setting the role a user already has changes nothing and succeeds.
    ///
    /// Course memberships are left as they are, also when the new role
    /// cannot hold them (an owning teacher made a student or an assistant,
    /// an assistant made a student). This is safe: every course power needs
    /// a school role that holds the membership ([`policy::role_holds`]), so
    /// such a user loses those powers with this call (their courses stay
    /// managed by admins) and gets them back if the role is changed back.
    /// The change applies from the user's next request, since sessions
    /// resolve the role anew each time ([`UserService::authenticate`]).
    pub async fn set_role(
        &self,
        actor: &Actor,
        id: UserId,
        role: Role,
    ) -> Result<User, ManageUserError> {
        let mut user = self.user_for_admin(actor, id).await?;
        if user.role == role {
            return Ok(user);
        }
        if id == actor.user_id {
            return Err(ManageUserError::OwnRole);
        }
        user.role = role;
        self.users
            .update_user(&user)
            .await
            .map_err(|e| not_found_as(e, ManageUserError::NotFound))?;
        Ok(user)
    }

    /// Activates or deactivates an account (admins only; they cannot
    /// deactivate themselves). Deactivation revokes all the user's sessions.
    pub async fn set_active(
        &self,
        actor: &Actor,
        id: UserId,
        active: bool,
    ) -> Result<User, ManageUserError> {
        if id == actor.user_id && !active && policy::can_manage_users(actor) {
            return Err(ManageUserError::OwnDeactivation);
        }
        let mut user = self.user_for_admin(actor, id).await?;
        if user.active != active {
            user.active = active;
            self.users
                .update_user(&user)
                .await
                .map_err(|e| not_found_as(e, ManageUserError::NotFound))?;
        }
        if !active {
            // Even if the flag was already off: make sure no session survives.
            self.sessions.delete_user_sessions(id).await?;
        }
        Ok(user)
    }

    /// Replaces the password hash of the actor's own account, or of any
    /// account for an admin, and revokes every session of that user.
    pub async fn set_password_hash(
        &self,
        actor: &Actor,
        id: UserId,
        hash: PasswordHash,
    ) -> Result<(), UserAccessError> {
        if !may_access(actor, id) {
            return Err(UserAccessError::NotFound);
        }
        self.users
            .set_password_hash(id, &hash)
            .await
            .map_err(|e| not_found_as(e, UserAccessError::NotFound))?;
        self.sessions.delete_user_sessions(id).await?;
        Ok(())
    }

    /// The account and password hash to verify a login attempt against.
    ///
    /// Called before authentication, so it takes no actor. An unknown
    /// address, a deactivated account and an account without a password all
    /// give [`LoginError::InvalidCredentials`]; the caller should verify a
    /// dummy hash in that case too, so response times do not tell them apart.
    pub async fn login_lookup(&self, email: &Email) -> Result<(User, PasswordHash), LoginError> {
        match self.users.credentials_by_email(email).await? {
            Some((user, hash)) if user.active => Ok((user, hash)),
            _ => Err(LoginError::InvalidCredentials),
        }
    }

    /// Stores a new session for an active user, valid for `ttl` from now.
    /// The caller generates the token, hands it to the client and passes
    /// its hash here.
    pub async fn start_session(
        &self,
        user_id: UserId,
        token_hash: TokenHash,
        ttl: chrono::Duration,
    ) -> Result<Session, StartSessionError> {
        if ttl <= chrono::Duration::zero() {
            return Err(StartSessionError::InvalidTtl);
        }
        match self.users.get_user(user_id).await? {
            Some(user) if user.active => {}
            _ => return Err(StartSessionError::UserInactive),
        }
        let now = self.clock.now();
        let session = Session {
            token_hash,
            user_id,
            created_at: now,
            expires_at: now + ttl,
        };
        self.sessions.insert_session(&session).await?;
        Ok(session)
    }

    /// The active user a session token belongs to. An expired session is
    /// deleted; it stays valid up to and including its `expires_at`.
    pub async fn authenticate(&self, token_hash: &TokenHash) -> Result<User, SessionError> {
        let (session, user) = self
            .sessions
            .session_with_user(token_hash)
            .await?
            .ok_or(SessionError::Unknown)?;
        if session.expires_at < self.clock.now() {
            self.sessions.delete_session(token_hash).await?;
            return Err(SessionError::Expired);
        }
        if user.active {
            Ok(user)
        } else {
            Err(SessionError::UserInactive)
        }
    }

    /// Ends a session; ending an unknown one is not an error.
    pub async fn logout(&self, token_hash: &TokenHash) -> StorageResult<()> {
        self.sessions.delete_session(token_hash).await
    }

    /// Deletes every session that has expired by now; returns how many.
    /// Meant for a periodic sweep.
    pub async fn purge_expired_sessions(&self) -> StorageResult<u64> {
        self.sessions
            .delete_expired_sessions(self.clock.now())
            .await
    }

    /// The actor's own current calendar link, to show again; `None` when
    /// they have none (never made, turned off, or revoked by a password
    /// change).
    pub async fn calendar_link(&self, actor: &Actor) -> StorageResult<Option<FeedLink>> {
        self.users.feed_link(actor.user_id).await
    }

    /// Makes a new calendar link for the actor (a fresh
    /// [`generate_token`](crate::user::generate_token)); the old feed URL
    /// stops working.
    pub async fn new_calendar_link(&self, actor: &Actor) -> StorageResult<FeedLink> {
        let link = FeedLink {
            token: crate::user::generate_token(),
            created_at: self.clock.now(),
        };
        self.users.set_feed_link(actor.user_id, &link).await?;
        Ok(link)
    }

    /// Switches the actor's calendar feed off: the feed URL stops working
    /// and none works until [`Self::new_calendar_link`] makes a new one (the
    /// stored hash is replaced by one of a token nobody is given).
    pub async fn turn_off_feed(&self, actor: &Actor) -> StorageResult<()> {
        let unknown = TokenHash::of(&crate::user::generate_token());
        self.users.set_feed_token(actor.user_id, &unknown).await
    }

    /// The active user whose calendar-feed token has this hash; `None` for
    /// an unknown token or a deactivated user.
    pub async fn user_by_feed_token(&self, hash: &TokenHash) -> StorageResult<Option<User>> {
        Ok(self
            .users
            .user_by_feed_token(hash)
            .await?
            .filter(|u| u.active))
    }

    async fn user_for_admin(&self, actor: &Actor, id: UserId) -> Result<User, ManageUserError> {
        if !policy::can_manage_users(actor) {
            return Err(ManageUserError::Forbidden);
        }
        self.users
            .get_user(id)
            .await?
            .ok_or(ManageUserError::NotFound)
    }
}

/// Whether the actor may read or edit this account: their own, or any for an admin.
fn may_access(actor: &Actor, id: UserId) -> bool {
    actor.user_id == id || policy::can_manage_users(actor)
}

/// Maps a storage `NotFound` (the row vanished meanwhile) to the operation's
/// own `NotFound`; other failures stay storage errors.
fn not_found_as<E: From<StorageError>>(e: StorageError, not_found: E) -> E {
    match e {
        StorageError::NotFound => not_found,
        other => other.into(),
    }
}

#[path = "directory.rs"]
mod directory;
pub use directory::*;

#[cfg(test)]
#[path = "service_tests/mod.rs"]
mod tests;
