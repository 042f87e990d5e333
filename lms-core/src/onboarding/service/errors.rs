//! Why onboarding operations fail.

use thiserror::Error;

use crate::error::StorageError;
use crate::onboarding::csv::CsvError;
use crate::user::HasherError;

/// Why an invitation could not be sent, listed, re-sent or revoked, or an
/// import could not run. Problems of single rows are not errors: they are
/// reported per row.
#[derive(Debug, Error)]
pub enum InviteError {
    /// Admins invite anyone; a course owner invites only students, and only
    /// into courses they manage.
    #[error("not allowed to invite into these courses")]
    Forbidden,
    /// No such invitation, or not visible to the actor.
    #[error("invitation not found")]
    NotFound,
    /// The invitation was accepted or revoked already.
    #[error("the invitation is no longer pending")]
    NotPending,
    /// The invitation itself is invalid (the message names the field).
    #[error("{0}")]
    InvalidRow(String),
    /// The address belongs to a deactivated account (an admin can
    /// reactivate it in the user list).
    #[error("{0}")]
    AccountInactive(String),
    /// The address belongs to an account with another role.
    #[error("{0}")]
    RoleMismatch(String),
    /// The file could not be read as a table.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// The file has no e-mail column.
    #[error("file: no e-mail column (accepted names: email, e-mail, почта)")]
    NoEmailColumn,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(InviteError {
    Forbidden => (Forbidden, "forbidden"),
    NotFound => (NotFound, "invitation_not_found"),
    NotPending => (Conflict, "invitation_not_pending"),
    InvalidRow(_) => (Invalid, "invalid_field"),
    AccountInactive(_) => (Conflict, "account_inactive"),
    RoleMismatch(_) => (Conflict, "role_mismatch"),
    Csv(CsvError::TooLarge) => (TooLarge, "file_too_large"),
    Csv(_) => (Invalid, "invalid_csv"),
    NoEmailColumn => (Invalid, "invalid_csv"),
});

/// Why a one-time link (invitation or password reset) did not work.
#[derive(Debug, Error)]
pub enum AcceptError {
    /// Unknown, used, revoked or malformed link.
    #[error("the link is not valid (used, withdrawn or mistyped)")]
    InvalidToken,
    /// The link expired.
    #[error("the link has expired")]
    Expired,
    /// The new password is too short (at least 8 characters).
    #[error("password: must have at least 8 characters")]
    PasswordTooShort,
    /// The new password is longer than 1024 bytes.
    #[error("password: must have at most 1024 bytes")]
    PasswordTooLong,
    /// The name given is invalid.
    #[error("display_name: {0}")]
    InvalidName(String),
    /// Too many password hashes at once.
    #[error("too many password checks at once; try again in a moment")]
    Busy,
    /// Hashing failed.
    #[error("password hashing failed: {0}")]
    Hasher(String),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(AcceptError {
    InvalidToken => (NotFound, "link_invalid"),
    Expired => (Conflict, "link_expired"),
    PasswordTooShort => (Invalid, "invalid_field"),
    PasswordTooLong => (Invalid, "invalid_field"),
    InvalidName(_) => (Invalid, "invalid_field"),
    Busy => (Unavailable, "login_busy"),
    Hasher(_) => (Internal, "password_hashing_failed"),
});

impl From<HasherError> for AcceptError {
    fn from(e: HasherError) -> Self {
        match e {
            HasherError::Busy => Self::Busy,
            HasherError::Failed(m) => Self::Hasher(m),
        }
    }
}

/// Why a password-reset link could not be requested or sent.
#[derive(Debug, Error)]
pub enum ResetRequestError {
    /// The address is longer than an e-mail address can be.
    #[error("email: too long")]
    TooLong,
    /// Too many requests from this client address.
    #[error("too many requests; try again in {retry_after_secs} s")]
    Throttled {
        /// Seconds until the window ends.
        retry_after_secs: u64,
    },
    /// Only admins send reset links to others.
    #[error("only admins may send reset links")]
    Forbidden,
    /// No such active account (admin action only; the public request never
    /// says so).
    #[error("user not found or deactivated")]
    UserNotFound,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(ResetRequestError {
    TooLong => (Invalid, "input_too_long"),
    Throttled { .. } => (Unavailable, "too_many_requests"),
    Forbidden => (Forbidden, "forbidden"),
    UserNotFound => (NotFound, "user_not_found"),
});

/// Why a self-registration failed.
#[derive(Debug, Error)]
pub enum RegisterError {
    /// The school does not allow self-registration.
    #[error("self-registration is turned off in this school")]
    Disabled,
    /// A field is invalid (the message names it).
    #[error("{0}")]
    Invalid(String),
    /// The course code is unknown, disabled or the course is not open.
    #[error("invite_code: no open course has this code")]
    InvalidCode,
    /// An account with this address exists: log in or reset the password.
    #[error("email: an account with this address exists")]
    EmailTaken,
    /// Too many registrations from this client address.
    #[error("too many requests; try again in {retry_after_secs} s")]
    Throttled {
        /// Seconds until the window ends.
        retry_after_secs: u64,
    },
    /// Too many password hashes at once.
    #[error("too many password checks at once; try again in a moment")]
    Busy,
    /// Hashing failed.
    #[error("password hashing failed: {0}")]
    Hasher(String),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(RegisterError {
    Disabled => (Forbidden, "registration_disabled"),
    Invalid(_) => (Invalid, "invalid_field"),
    InvalidCode => (Invalid, "invalid_invite_code"),
    EmailTaken => (Conflict, "email_taken"),
    Throttled { .. } => (Unavailable, "too_many_requests"),
    Busy => (Unavailable, "login_busy"),
    Hasher(_) => (Internal, "password_hashing_failed"),
});

impl From<HasherError> for RegisterError {
    fn from(e: HasherError) -> Self {
        match e {
            HasherError::Busy => Self::Busy,
            HasherError::Failed(m) => Self::Hasher(m),
        }
    }
}

impl InviteError {
    /// The error of a single invitation whose row was refused with `code`
    /// (see the import report's codes): the account's state by its own
    /// code, anything else as an invalid field.
    pub(crate) fn refused(code: Option<&str>, message: String) -> Self {
        match code {
            Some("account_inactive") => Self::AccountInactive(message),
            Some("role_mismatch") => Self::RoleMismatch(message),
            _ => Self::InvalidRow(message),
        }
    }
}
