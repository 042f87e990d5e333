//! The onboarding service: bringing people into the school without an
//! admin creating accounts by hand.
//!
//! - **Invitations**: an admin (or a course owner, for students of their
//!   courses) invites an address with a role and courses. A new address
//!   gets an inactive account without a password and an e-mail with a
//!   one-time link; following it sets the password, activates the account
//!   and joins the courses. An address that has an active account is just
//!   enrolled. Links expire ([`OnboardingConfig::invitation_ttl`]), can be
//!   re-sent (a new link replaces the old) and revoked.
//! - **CSV import** (admins): every row is planned first ([`RowReport`]);
//!   a dry run stops there, an import writes every good row in one
//!   transaction. Planning against the stored state makes an import safe
//!   to repeat: the same file twice changes nothing.
//! - **Password reset**: a request answers the same whether or not the
//!   address has an account, is budgeted per address and per client, and a
//!   link works once; using it ends every session of the account.
//! - **Self-registration** with a course's invite code, when the school
//!   turns it on.

mod errors;
mod import;
mod invitations;
mod plan;
mod register;
mod reset;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::clock::Clock;
use crate::course::CourseStore;
use crate::onboarding::ports::OnboardingStore;
use crate::ports::Storage;
use crate::user::{PasswordHasher, SessionStore, UserStore};

pub use errors::*;
pub use import::{ImportCounts, ImportReport};
pub use invitations::{InvitationPreview, NewInvitation};
pub use plan::{RowAction, RowReport};
pub use register::Registration;

/// Lifetimes and budgets of onboarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnboardingConfig {
    /// How long an invitation link works (default 7 days).
    pub invitation_ttl: chrono::Duration,
    /// How long a password-reset link works (default 1 hour).
    pub reset_ttl: chrono::Duration,
    /// Reset e-mails sent per account per window (further requests are
    /// answered the same but send nothing).
    pub resets_per_account: u32,
    /// Reset requests and registrations per client address per window.
    pub requests_per_address: u32,
    /// The budget window (default 15 minutes). The counters share the
    /// login counters' table and its purge, so keep it no longer than the
    /// login window.
    pub window: chrono::Duration,
    /// Whether anyone may register a student account with a course's
    /// invite code (off by default).
    pub self_registration: bool,
}

impl Default for OnboardingConfig {
    fn default() -> Self {
        Self {
            invitation_ttl: chrono::Duration::days(7),
            reset_ttl: chrono::Duration::hours(1),
            resets_per_account: 3,
            requests_per_address: 30,
            window: chrono::Duration::minutes(15),
            self_registration: false,
        }
    }
}

/// Invitations, CSV import, password reset and self-registration.
pub struct OnboardingService {
    store: Arc<dyn OnboardingStore>,
    users: Arc<dyn UserStore>,
    sessions: Arc<dyn SessionStore>,
    courses: Arc<dyn CourseStore>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    config: OnboardingConfig,
}

impl OnboardingService {
    /// A service over `storage`'s ports, hashing passwords with `hasher`.
    #[must_use]
    pub fn new(
        storage: &Storage,
        hasher: Arc<dyn PasswordHasher>,
        clock: Arc<dyn Clock>,
        config: OnboardingConfig,
    ) -> Self {
        Self {
            store: storage.onboarding.clone(),
            users: storage.users.clone(),
            sessions: storage.sessions.clone(),
            courses: storage.courses.clone(),
            hasher,
            clock,
            config,
        }
    }

    /// The settings this service runs with.
    #[must_use]
    pub fn config(&self) -> &OnboardingConfig {
        &self.config
    }
}

impl std::fmt::Debug for OnboardingService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnboardingService")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
