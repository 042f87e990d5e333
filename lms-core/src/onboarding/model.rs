//! Onboarding entities: invitations, password-reset tokens and the batch an
//! invitation or a CSV import writes in one go.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::course::Enrollment;
use crate::ids::{CourseId, InvitationId, UserId};
use crate::notification::OutboxEntry;
use crate::user::{DisplayName, Email, PasswordHash, Role, TokenHash, User};

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Sent; its link works until it expires.
    Pending,
    /// The invitee set a password (the account is active).
    Accepted,
    /// Withdrawn by staff; its link no longer works.
    Revoked,
}

impl InvitationStatus {
    /// Stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "accepted" => Self::Accepted,
            "revoked" => Self::Revoked,
            _ => return None,
        })
    }
}

/// An invitation to an account: the link in its e-mail lets the invitee set
/// a password, which activates the account and enrols it in the courses
/// named. Only the hash of the link's token is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    /// Identifier.
    pub id: InvitationId,
    /// The invited account (created inactive, without a password, when the
    /// address had none).
    pub user_id: UserId,
    /// The address the invitation went to.
    pub email: Email,
    /// The school role the account has.
    pub role: Role,
    /// Courses the account joins on acceptance: students are enrolled,
    /// assistants and teachers assigned as assistants.
    pub course_ids: Vec<CourseId>,
    /// Who invited.
    pub invited_by: UserId,
    /// Where it stands.
    pub status: InvitationStatus,
    /// How many times the e-mail was sent (1 + re-sends).
    pub send_count: u32,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// The link stops working after this instant.
    pub expires_at: DateTime<Utc>,
    /// When accepted or revoked.
    pub closed_at: Option<DateTime<Utc>>,
    /// Hash of the link's current token (a re-send replaces it).
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub token_hash: Option<TokenHash>,
}

impl Invitation {
    /// Whether its link works at `now`.
    #[must_use]
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.status == InvitationStatus::Pending && now <= self.expires_at
    }
}

/// A one-time password-reset token of an account (stored as its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    /// Hash of the token in the link.
    pub token_hash: TokenHash,
    /// The account.
    pub user_id: UserId,
    /// When requested.
    pub created_at: DateTime<Utc>,
    /// The link stops working after this instant.
    pub expires_at: DateTime<Utc>,
}

/// Everything one invitation or one CSV import writes, in one transaction:
/// new accounts (inactive, without password), new or widened invitations,
/// enrolments and assistant assignments of existing accounts, and the
/// e-mails to send.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OnboardingBatch {
    /// Accounts to create, with a password hash for self-registered ones
    /// (invited ones get theirs on acceptance); `Conflict(Email)` when an
    /// address is taken meanwhile (then nothing is written).
    pub new_users: Vec<(User, Option<PasswordHash>)>,
    /// Invitations to insert or replace (matched by id): a re-send or a
    /// widened course list replaces the stored row.
    pub invitations: Vec<Invitation>,
    /// Enrolments of existing active students (an existing one is kept).
    pub enrollments: Vec<Enrollment>,
    /// Assistant assignments of existing active staff (an existing one is kept).
    pub assistants: Vec<(CourseId, UserId)>,
    /// Messages to enqueue (invitation e-mails).
    pub outbox: Vec<OutboxEntry>,
}

impl OnboardingBatch {
    /// Whether the batch writes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.new_users.is_empty()
            && self.invitations.is_empty()
            && self.enrollments.is_empty()
            && self.assistants.is_empty()
            && self.outbox.is_empty()
    }
}

/// What the store knows about a set of addresses, for planning an import.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OnboardingState {
    /// Existing accounts with one of the addresses.
    pub users: Vec<User>,
    /// Pending invitations of those accounts.
    pub pending: Vec<Invitation>,
    /// Existing enrolments of those accounts in the courses asked about.
    pub enrollments: Vec<(CourseId, UserId)>,
    /// Existing assistant assignments of those accounts in those courses.
    pub assistants: Vec<(CourseId, UserId)>,
}

/// Accepting an account's invitations: one transaction sets the password,
/// activates the account, closes the invitations and joins the courses.
#[derive(Debug, Clone, PartialEq)]
pub struct Acceptance {
    /// The account.
    pub user_id: UserId,
    /// Its new password.
    pub password_hash: PasswordHash,
    /// A new display name, if the invitee gave one.
    pub display_name: Option<DisplayName>,
    /// The pending invitations being accepted; `Conflict(Stale)` if one is
    /// no longer pending (then nothing is written).
    pub invitations: Vec<InvitationId>,
    /// Enrolments to add (existing ones are kept).
    pub enrollments: Vec<Enrollment>,
    /// Assistant assignments to add (existing ones are kept).
    pub assistants: Vec<(CourseId, UserId)>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Which invitations to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvitationFilter {
    /// Only these states (any when `None`).
    pub status: Option<InvitationStatus>,
    /// Only invitations naming this course.
    pub course_id: Option<CourseId>,
    /// Only addresses starting with this (lower-case) prefix.
    pub email_prefix: Option<String>,
}
