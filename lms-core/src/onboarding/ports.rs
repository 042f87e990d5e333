//! The storage port of onboarding: invitations, password-reset tokens and
//! batches of new accounts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::StorageResult;
use crate::ids::{CourseId, InvitationId, UserId};
use crate::notification::OutboxEntry;
use crate::onboarding::model::{
    Acceptance, Invitation, InvitationFilter, OnboardingBatch, OnboardingState, PasswordReset,
};
use crate::page::Page;
use crate::user::{Email, TokenHash};

/// Invitations, password resets and onboarding batches.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OnboardingStore: Send + Sync {
    /// Accounts, pending invitations, enrolments and assistant assignments
    /// of these addresses (in these courses), in one read.
    async fn onboarding_state(
        &self,
        emails: &[Email],
        courses: &[CourseId],
    ) -> StorageResult<OnboardingState>;
    /// Writes the whole batch in one transaction, or nothing:
    /// `Conflict(Email)` when a new account's address is taken meanwhile.
    async fn commit_onboarding(&self, batch: &OnboardingBatch) -> StorageResult<()>;
    /// One invitation.
    async fn get_invitation(&self, id: InvitationId) -> StorageResult<Option<Invitation>>;
    /// The invitation whose current token has this hash.
    async fn invitation_by_token(&self, hash: &TokenHash) -> StorageResult<Option<Invitation>>;
    /// Invitations, newest first.
    async fn list_invitations(
        &self,
        filter: &InvitationFilter,
        page: Page,
    ) -> StorageResult<Vec<Invitation>>;
    /// The pending invitations of one account, oldest first.
    async fn pending_invitations(&self, user: UserId) -> StorageResult<Vec<Invitation>>;
    /// Replaces a stored invitation (re-send, revoke) and enqueues `outbox`
    /// in the same transaction. `NotFound` for an unknown id.
    async fn update_invitation(
        &self,
        invitation: &Invitation,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()>;
    /// Accepts invitations in one transaction: sets the password, activates
    /// the account (and renames it), closes the invitations, adds the
    /// enrolments and assistant assignments, and ends nothing else.
    /// `Conflict(Stale)` when one invitation is no longer pending;
    /// `NotFound` for an unknown account.
    async fn accept_invitations(&self, acceptance: &Acceptance) -> StorageResult<()>;
    /// Stores a reset token and enqueues its e-mail in one transaction.
    async fn insert_password_reset(
        &self,
        reset: &PasswordReset,
        outbox: &OutboxEntry,
    ) -> StorageResult<()>;
    /// Removes and returns the reset token with this hash (each token works
    /// once, however many requests race for it).
    async fn take_password_reset(&self, hash: &TokenHash) -> StorageResult<Option<PasswordReset>>;
    /// Deletes reset tokens that expired before `before`; returns how many.
    async fn delete_expired_password_resets(&self, before: DateTime<Utc>) -> StorageResult<u64>;
}
