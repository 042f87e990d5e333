//! "Forgot password": a one-time, short-lived link by e-mail, requested by
//! anyone without telling whether the address has an account, or sent by
//! an admin from the user list.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::{AcceptError, OnboardingService, ResetRequestError};
use crate::ids::UserId;
use crate::notification::{Channel, Notification, OutboxEntry};
use crate::onboarding::model::PasswordReset;
use crate::policy;
use crate::user::{
    Actor, ChangePasswordError, Email, MAX_EMAIL_BYTES, ThrottleKey, TokenHash, User,
    check_new_password, generate_token,
};

impl OnboardingService {
    /// Sends a reset link to the address if it belongs to an active
    /// account. The answer is the same either way (no account can be
    /// probed); only too many requests from one client address are
    /// refused. Requests for one address beyond
    /// [`super::OnboardingConfig::resets_per_account`] per window send
    /// nothing, so nobody can flood a mailbox.
    pub async fn request_password_reset(
        &self,
        email: &str,
        address: Option<IpAddr>,
    ) -> Result<(), ResetRequestError> {
        if email.len() > MAX_EMAIL_BYTES {
            return Err(ResetRequestError::TooLong);
        }
        let now = self.clock.now();
        if let Some(ip) = address {
            let key = ThrottleKey::scoped("onboarding", &ThrottleKey::address(ip));
            self.within_budget(&key, self.config.requests_per_address, now)
                .await
                .map_err(|retry_after_secs| ResetRequestError::Throttled { retry_after_secs })?;
        }
        let Ok(email) = Email::parse(email) else {
            return Ok(());
        };
        let key = ThrottleKey::scoped("reset", &ThrottleKey::account(&email));
        if self
            .within_budget(&key, self.config.resets_per_account, now)
            .await
            .is_err()
        {
            return Ok(());
        }
        match self.users.find_user_by_email(&email).await? {
            Some(user) if user.active => self.send_reset(&user, now).await,
            _ => Ok(()),
        }
    }

    /// An admin sends an active account a reset link (e.g. from the user
    /// list, when someone cannot log in).
    pub async fn send_password_reset(
        &self,
        actor: &Actor,
        id: UserId,
    ) -> Result<(), ResetRequestError> {
        if !policy::can_manage_users(actor) {
            return Err(ResetRequestError::Forbidden);
        }
        match self.users.get_user(id).await? {
            Some(user) if user.active => self.send_reset(&user, self.clock.now()).await,
            _ => Err(ResetRequestError::UserNotFound),
        }
    }

    /// Sets a new password with a reset link's token. The token works once
    /// (every other reset link of the account stops working too); every
    /// session of the account ends and its calendar-feed URL is replaced.
    pub async fn reset_password(&self, token: &str, password: &str) -> Result<(), AcceptError> {
        check_new_password(password).map_err(|e| match e {
            ChangePasswordError::TooLong => AcceptError::PasswordTooLong,
            _ => AcceptError::PasswordTooShort,
        })?;
        if token.is_empty() || token.len() > 128 {
            return Err(AcceptError::InvalidToken);
        }
        let reset = self
            .store
            .take_password_reset(&TokenHash::of(token))
            .await?
            .ok_or(AcceptError::InvalidToken)?;
        if reset.expires_at < self.clock.now() {
            return Err(AcceptError::Expired);
        }
        match self.users.get_user(reset.user_id).await? {
            Some(user) if user.active => {}
            _ => return Err(AcceptError::InvalidToken),
        }
        let hash = self.hasher.hash(password).await?;
        self.users.set_password_hash(reset.user_id, &hash).await?;
        self.sessions.delete_user_sessions(reset.user_id).await?;
        self.users
            .set_feed_token(reset.user_id, &TokenHash::of(&generate_token()))
            .await?;
        Ok(())
    }

    /// Deletes reset links that expired; returns how many. Meant for the
    /// periodic housekeeping sweep.
    pub async fn purge_expired_resets(&self) -> crate::error::StorageResult<u64> {
        self.store
            .delete_expired_password_resets(self.clock.now())
            .await
    }

    async fn send_reset(&self, user: &User, now: DateTime<Utc>) -> Result<(), ResetRequestError> {
        let token = generate_token();
        let reset = PasswordReset {
            token_hash: TokenHash::of(&token),
            user_id: user.id,
            created_at: now,
            expires_at: now + self.config.reset_ttl,
        };
        let email = OutboxEntry::new(
            user.id,
            Channel::Email,
            &format!("password_reset:{}", &reset.token_hash.0[..16]),
            Notification::PasswordReset {
                token,
                expires_at: reset.expires_at,
            },
            now,
        );
        self.store.insert_password_reset(&reset, &email).await?;
        Ok(())
    }

    /// Charges `key`'s counter; `Err(seconds until the window ends)` when
    /// it is over `limit`.
    pub(super) async fn within_budget(
        &self,
        key: &ThrottleKey,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<(), u64> {
        let Ok(counter) = self
            .sessions
            .charge_login_attempt(key, now, self.config.window)
            .await
        else {
            // A failing counter store must not open the gate.
            return Err(60);
        };
        if counter.count > limit {
            let ends = counter.window_started_at + self.config.window;
            return Err(u64::try_from((ends - now).num_seconds())
                .unwrap_or(0)
                .max(1));
        }
        Ok(())
    }
}
