//! Ports of notifications: the outbox and preferences in storage, and the
//! per-channel notifiers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::error::StorageResult;
use crate::ids::{AssignmentId, CourseId, OutboxId, QuizId, UserId};
use crate::notification::model::{
    Channel, NotificationPreferences, OutboundMessage, OutboxEntry, Recipient, TelegramLinkToken,
};
use crate::page::Page;
use crate::user::TokenHash;

/// One student's deadline, for the reminder planner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineTarget {
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// Its title.
    pub assignment_title: String,
    /// The course.
    pub course_id: CourseId,
    /// Its title.
    pub course_title: String,
    /// The student.
    pub student_id: UserId,
    /// The student's due date (extension applied).
    pub due_at: DateTime<Utc>,
    /// Whether the student has handed anything in.
    pub submitted: bool,
}

/// One student's quiz that closes soon, for the reminder planner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizCloseTarget {
    /// The quiz.
    pub quiz_id: QuizId,
    /// Its title.
    pub quiz_title: String,
    /// The course.
    pub course_id: CourseId,
    /// Its title.
    pub course_title: String,
    /// The student.
    pub student_id: UserId,
    /// When the quiz closes (`closes_at` of its settings).
    pub closes_at: DateTime<Utc>,
    /// Whether the student has any attempt at it (open or finished).
    pub attempted: bool,
}

/// An assignment that opened, for one enrolled student ("new assignment"
/// messages of work published to open later go out when it opens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningTarget {
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// Its title.
    pub assignment_title: String,
    /// Its due date (as published; extensions are not looked at).
    pub due_at: DateTime<Utc>,
    /// The course.
    pub course_id: CourseId,
    /// Its title.
    pub course_title: String,
    /// The student.
    pub student_id: UserId,
}

/// Who may get a message and how (for fan-out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryProfile {
    /// The user.
    pub user_id: UserId,
    /// Deactivated users get nothing.
    pub active: bool,
    /// Their preferences (defaults when never set).
    pub preferences: NotificationPreferences,
    /// Whether a Telegram chat is linked.
    pub telegram_linked: bool,
}

/// The outbox, preferences and Telegram links.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Enqueues entries, skipping any whose de-dup key exists; returns how
    /// many were inserted.
    async fn enqueue(&self, entries: &[OutboxEntry]) -> StorageResult<u64>;
    /// Claims up to `limit` pending entries with `next_attempt_at <= now`
    /// whose lease is unset or expired: sets `lease_until` and increments
    /// `attempts`. Two concurrent claimers never get the same entry.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease_until: DateTime<Utc>,
    ) -> StorageResult<Vec<OutboxEntry>>;
    /// Marks an entry delivered and clears its lease.
    ///
    /// Like every `mark_*`, it acts only while the entry is pending and still
    /// held under `lease` (the `lease_until` its claim set). A worker whose
    /// lease expired and whose entry another worker claimed gets
    /// `Conflict(Stale)` and changes nothing, so a slow worker can never
    /// undo another's delivery. `NotFound` for an unknown id.
    async fn mark_sent(
        &self,
        id: OutboxId,
        lease: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Returns an entry to pending, not before `next_attempt_at`, with the
    /// error (same lease rule as [`mark_sent`](Self::mark_sent)).
    async fn mark_retry(
        &self,
        id: OutboxId,
        lease: DateTime<Utc>,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> StorageResult<()>;
    /// Marks an entry permanently failed (same lease rule as
    /// [`mark_sent`](Self::mark_sent)).
    async fn mark_failed(
        &self,
        id: OutboxId,
        lease: DateTime<Utc>,
        error: &str,
    ) -> StorageResult<()>;
    /// One entry.
    async fn get_outbox_entry(&self, id: OutboxId) -> StorageResult<Option<OutboxEntry>>;
    /// A user's entries over the outward channels (e-mail, Telegram; the
    /// in-app list is [`Self::inbox`]), newest first.
    async fn list_user_outbox(&self, user: UserId, page: Page) -> StorageResult<Vec<OutboxEntry>>;
    /// A user's in-app entries ([`Channel::InApp`](crate::notification::Channel::InApp)),
    /// newest first (`created_at`, then id).
    async fn inbox(&self, user: UserId, page: Page) -> StorageResult<Vec<OutboxEntry>>;
    /// How many of the user's in-app entries are unread, counting at most
    /// `cap`.
    async fn unread_count(&self, user: UserId, cap: u32) -> StorageResult<u32>;
    /// Marks these in-app entries of the user read at `at` (others' entries,
    /// other channels, unknown ids and entries already read are left
    /// alone); returns how many changed.
    async fn mark_read(
        &self,
        user: UserId,
        ids: &[OutboxId],
        at: DateTime<Utc>,
    ) -> StorageResult<u64>;
    /// Marks every unread in-app entry of the user read at `at`; returns
    /// how many changed.
    async fn mark_all_read(&self, user: UserId, at: DateTime<Utc>) -> StorageResult<u64>;

    /// A user's preferences, if ever set.
    async fn get_preferences(&self, user: UserId)
    -> StorageResult<Option<NotificationPreferences>>;
    /// Stores a user's preferences.
    async fn set_preferences(&self, preferences: &NotificationPreferences) -> StorageResult<()>;
    /// Delivery profiles of these users (unknown ids skipped).
    async fn delivery_profiles(&self, users: &[UserId]) -> StorageResult<Vec<DeliveryProfile>>;
    /// Addresses of a recipient, for the dispatcher.
    async fn recipient(&self, user: UserId) -> StorageResult<Option<Recipient>>;

    /// Stores a one-time Telegram link token.
    async fn insert_telegram_token(&self, token: &TelegramLinkToken) -> StorageResult<()>;
    /// Consumes a token: deletes it and returns its user if it existed and
    /// had not expired at `now`. A token works once.
    async fn consume_telegram_token(
        &self,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> StorageResult<Option<UserId>>;
    /// Links (or with `None` unlinks) a user's Telegram chat. A chat linked
    /// to another user moves to this one.
    async fn set_telegram_chat(&self, user: UserId, chat_id: Option<i64>) -> StorageResult<()>;
    /// Unlinks a chat from whoever has it; returns that user.
    async fn unlink_telegram_chat(&self, chat_id: i64) -> StorageResult<Option<UserId>>;

    /// Deadlines in `[from, to)` of published assignments in published
    /// courses, one per enrolled student, extensions applied.
    async fn deadline_targets(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<DeadlineTarget>>;

    /// Published quizzes of published courses whose settings' `closes_at`
    /// is in `[from, to)`, one per enrolled student, with whether the
    /// student has any attempt (open or finished); by closing time, quiz
    /// and student. Quizzes without `closes_at` are never listed.
    async fn quiz_close_targets(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<QuizCloseTarget>>;

    /// Reserves the next send slot of `key`, a rate limit shared by every
    /// node (such as one Telegram chat, or a bot's overall budget),
    /// atomically: the slot is the key's next free instant, or `now` when it
    /// has none or it has passed; the key's next free instant becomes the
    /// slot plus `interval`. Returns the slot. Concurrent calls, from any
    /// node, get slots at least `interval` apart.
    async fn reserve_send_slot(
        &self,
        key: &str,
        now: DateTime<Utc>,
        interval: chrono::Duration,
    ) -> StorageResult<DateTime<Utc>>;
    /// Keeps `key` quiet until at least `until` (the provider asked to
    /// wait): its next free instant becomes the later of the two.
    async fn hold_send_slot(&self, key: &str, until: DateTime<Utc>) -> StorageResult<()>;
    /// Forgets slots whose next free instant is before `before`; returns how
    /// many.
    async fn delete_expired_send_slots(&self, before: DateTime<Utc>) -> StorageResult<u64>;

    /// Published assignments of published courses whose `opens_at` is in
    /// `[from, to)`, one per enrolled student, by opening, assignment and
    /// student.
    async fn opening_targets(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<OpeningTarget>>;
}

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DeliveryError {
    /// Worth retrying (connection refused, SMTP 4xx, Telegram 429/5xx);
    /// `retry_after_secs` when the provider said how long to wait.
    #[error("temporary delivery failure: {reason}")]
    Transient {
        /// What happened.
        reason: String,
        /// Provider-requested wait.
        retry_after_secs: Option<u64>,
    },
    /// Retrying cannot help (SMTP 5xx, invalid address, bot blocked).
    #[error("permanent delivery failure: {reason}")]
    Permanent {
        /// What happened.
        reason: String,
        /// The recipient cannot be reached over this channel any more
        /// (e.g. the bot was blocked): the channel should be unlinked.
        unreachable: bool,
    },
}

/// Delivers messages over one channel.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Notifier: Send + Sync {
    /// The channel this notifier serves.
    fn channel(&self) -> Channel;
    /// Delivers one message. `Err(DeliveryError::Transient)` may be retried.
    async fn deliver(&self, message: &OutboundMessage) -> Result<(), DeliveryError>;
}
