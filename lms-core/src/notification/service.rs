//! The notification service: a user's channel preferences and quiet hours,
//! Telegram linking through a bot deep link, the user's own outbox, and the
//! periodic reminder sweep.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

use crate::clock::Clock;
use crate::course::{CourseStatus, CourseStore};
use crate::error::StorageError;
use crate::homework::service::new_assignment_event;
use crate::ids::{CourseId, OutboxId, UserId};
use crate::notification::fanout::fan_out;
use crate::notification::model::{
    Channel, InboxItem, Notification, NotificationKind, NotificationPreferences, OutboxEntry,
    QuietHours, TelegramLinkToken,
};
use crate::notification::planner::{
    PLANNER_LOOKAHEAD, PlannedReminder, WEBINAR_LOOKAHEAD, plan_quiz_reminders, plan_reminders,
};
use crate::notification::ports::NotificationStore;
use crate::notification::settings::{ChannelAvailability, NotificationSettingsView, settings_view};
use crate::page::Page;
use crate::user::{Actor, TokenHash, generate_token};
use crate::webinar::WebinarStore;

/// How long a Telegram link token stays valid.
pub const TELEGRAM_LINK_TTL: Duration = Duration::minutes(15);

/// Extra margin around the sweep's windows, so a target exactly on a window
/// edge (or a clock a little off between nodes) is not missed. The planner
/// decides what is due; loading a little more is harmless.
pub const SWEEP_SLACK: Duration = Duration::minutes(5);

/// How far back the sweep looks for assignments that opened: a sweep that
/// did not run for a while (all nodes down) still announces work opened
/// this long ago; the outbox's de-duplication keeps it to one message.
pub const OPENING_CATCH_UP: Duration = Duration::days(1);

/// The most unread notifications counted (the bell shows "99+" beyond 99).
pub const UNREAD_CAP: u32 = 100;

/// The most notifications marked read in one call.
pub const MAX_MARK_READ: usize = 200;

/// Why notifications were not marked read.
#[derive(Debug, Error)]
pub enum MarkReadError {
    /// Too many ids in one call.
    #[error("ids: at most {max} per call")]
    TooMany {
        /// The limit.
        max: usize,
    },
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(MarkReadError {
    TooMany { .. } => (Invalid, "too_many_ids"),
});

/// A failure that only storage can cause.
#[derive(Debug, Error)]
pub enum NotificationError {
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(NotificationError {});

/// Why preferences were not saved.
#[derive(Debug, Error)]
pub enum PreferencesError {
    /// Quiet hours that start and end at the same time.
    #[error("quiet_hours: `from` and `to` must differ")]
    InvalidQuietHours,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(PreferencesError {
    InvalidQuietHours => (Invalid, "invalid_quiet_hours"),
});

/// Why a Telegram link could not be started.
#[derive(Debug, Error)]
pub enum StartLinkError {
    /// The configured bot username is not a Telegram username.
    #[error("the configured Telegram bot username is invalid")]
    InvalidBotUsername,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(StartLinkError {
    InvalidBotUsername => (Internal, "invalid_bot_username"),
});

/// Why the bot could not link a chat.
#[derive(Debug, Error)]
pub enum LinkError {
    /// The token is unknown, expired or already used.
    #[error("the link is invalid or has expired; request a new one in your profile")]
    InvalidToken,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(LinkError {
    InvalidToken => (NotFound, "invalid_link_token"),
});

/// New notification settings of the acting user.
#[derive(Debug, Clone, PartialEq)]
pub struct PreferencesInput {
    /// Per kind, the wanted channels; kinds absent here get every channel.
    /// An empty list turns the kind off.
    pub channels: BTreeMap<NotificationKind, Vec<Channel>>,
    /// Quiet hours in the user's zone, if any.
    pub quiet_hours: Option<QuietHours>,
}

/// A started Telegram link: the user opens `deep_link` and presses Start.
#[derive(Debug, Clone, PartialEq)]
pub struct TelegramLinkStart {
    /// The one-time token (64 hex characters; only its hash is stored).
    pub token: String,
    /// `https://t.me/<bot>?start=<token>`.
    pub deep_link: String,
    /// After this instant the token no longer works.
    pub expires_at: DateTime<Utc>,
}

/// What one reminder sweep did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SweepReport {
    /// Reminders due now (one per recipient and event).
    pub planned: usize,
    /// Outbox entries newly inserted (already-enqueued ones are skipped).
    pub enqueued: u64,
}

/// Notification preferences, Telegram linking, the user's outbox and the
/// reminder sweep.
pub struct NotificationService {
    notifications: Arc<dyn NotificationStore>,
    webinars: Arc<dyn WebinarStore>,
    courses: Arc<dyn CourseStore>,
    clock: Arc<dyn Clock>,
}

impl NotificationService {
    /// A service over these ports.
    #[must_use]
    pub fn new(
        notifications: Arc<dyn NotificationStore>,
        webinars: Arc<dyn WebinarStore>,
        courses: Arc<dyn CourseStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            notifications,
            webinars,
            courses,
            clock,
        }
    }

    /// The actor's preferences (defaults when never set).
    pub async fn get_preferences(
        &self,
        actor: &Actor,
    ) -> Result<NotificationPreferences, NotificationError> {
        Ok(self
            .notifications
            .get_preferences(actor.user_id)
            .await?
            .unwrap_or_else(|| NotificationPreferences::defaults(actor.user_id)))
    }

    /// Replaces the actor's own preferences (channel lists are sorted and
    /// de-duplicated) and returns them as stored.
    pub async fn set_preferences(
        &self,
        actor: &Actor,
        input: PreferencesInput,
    ) -> Result<NotificationPreferences, PreferencesError> {
        if input.quiet_hours.is_some_and(|q| q.from == q.to) {
            return Err(PreferencesError::InvalidQuietHours);
        }
        let channels = input
            .channels
            .into_iter()
            .map(|(kind, mut chs)| {
                chs.sort_unstable();
                chs.dedup();
                (kind, chs)
            })
            .collect();
        let preferences = NotificationPreferences {
            user_id: actor.user_id,
            channels,
            quiet_hours: input.quiet_hours,
        };
        self.notifications.set_preferences(&preferences).await?;
        Ok(preferences)
    }

    /// The actor's settings page: their preferences, which channels the
    /// server delivers (`available`) and they can be reached on, and per
    /// kind what will actually arrive.
    pub async fn settings(
        &self,
        actor: &Actor,
        available: ChannelAvailability,
    ) -> Result<NotificationSettingsView, NotificationError> {
        let preferences = self.get_preferences(actor).await?;
        let linked = self.telegram_linked(actor).await?;
        Ok(settings_view(preferences, linked, available))
    }

    /// Replaces the actor's preferences (see
    /// [`set_preferences`](Self::set_preferences)) and returns the settings
    /// page as stored.
    pub async fn update_settings(
        &self,
        actor: &Actor,
        input: PreferencesInput,
        available: ChannelAvailability,
    ) -> Result<NotificationSettingsView, PreferencesError> {
        let preferences = self.set_preferences(actor, input).await?;
        let linked = self
            .telegram_linked(actor)
            .await
            .map_err(|NotificationError::Storage(e)| PreferencesError::Storage(e))?;
        Ok(settings_view(preferences, linked, available))
    }

    /// Starts linking the actor's Telegram account: stores a one-time token
    /// (hashed) valid for [`TELEGRAM_LINK_TTL`] and returns the bot deep link.
    /// `bot_username` may start with `@`.
    pub async fn start_telegram_link(
        &self,
        actor: &Actor,
        bot_username: &str,
    ) -> Result<TelegramLinkStart, StartLinkError> {
        let bot = bot_username.trim().trim_start_matches('@');
        if !is_telegram_username(bot) {
            return Err(StartLinkError::InvalidBotUsername);
        }
        let token = generate_token();
        let expires_at = self.clock.now() + TELEGRAM_LINK_TTL;
        self.notifications
            .insert_telegram_token(&TelegramLinkToken {
                token_hash: TokenHash::of(&token),
                user_id: actor.user_id,
                expires_at,
            })
            .await?;
        Ok(TelegramLinkStart {
            deep_link: format!("https://t.me/{bot}?start={token}"),
            token,
            expires_at,
        })
    }

    /// Completes a link from the bot's `/start <token>`: links `chat_id` to
    /// the token's user (moving the chat from anyone who had it) and returns
    /// that user. A token works once and only before it expires.
    pub async fn complete_telegram_link(
        &self,
        token: &str,
        chat_id: i64,
    ) -> Result<UserId, LinkError> {
        let token = token.trim();
        // Anything that is not one of our tokens cannot match a stored hash.
        if !is_start_parameter(token) {
            return Err(LinkError::InvalidToken);
        }
        let user = self
            .notifications
            .consume_telegram_token(&TokenHash::of(token), self.clock.now())
            .await?
            .ok_or(LinkError::InvalidToken)?;
        self.notifications
            .set_telegram_chat(user, Some(chat_id))
            .await?;
        Ok(user)
    }

    /// Whether the actor has a linked Telegram chat (for the settings page).
    pub async fn telegram_linked(&self, actor: &Actor) -> Result<bool, NotificationError> {
        Ok(self
            .notifications
            .recipient(actor.user_id)
            .await?
            .is_some_and(|r| r.telegram_chat_id.is_some()))
    }

    /// Unlinks the actor's Telegram chat.
    pub async fn unlink_telegram(&self, actor: &Actor) -> Result<(), NotificationError> {
        self.notifications
            .set_telegram_chat(actor.user_id, None)
            .await?;
        Ok(())
    }

    /// The bot's `/stop`: unlinks the chat from whoever had it and returns
    /// that user.
    pub async fn telegram_stop(&self, chat_id: i64) -> Result<Option<UserId>, NotificationError> {
        Ok(self.notifications.unlink_telegram_chat(chat_id).await?)
    }

    /// The actor's own outbox entries, newest first. The one-time links of
    /// account messages (invitations, password resets) are blanked: a
    /// stolen session must not turn into a password change.
    pub async fn my_outbox(
        &self,
        actor: &Actor,
        page: Page,
    ) -> Result<Vec<OutboxEntry>, NotificationError> {
        let mut entries = self
            .notifications
            .list_user_outbox(actor.user_id, page)
            .await?;
        for entry in &mut entries {
            entry.notification.forget_secrets();
        }
        Ok(entries)
    }

    // ---- the in-app list (the bell) ----

    /// The actor's in-app notifications, newest first, each with the path
    /// of the page it is about.
    pub async fn inbox(
        &self,
        actor: &Actor,
        page: Page,
    ) -> Result<Vec<InboxItem>, NotificationError> {
        Ok(self
            .notifications
            .inbox(actor.user_id, page)
            .await?
            .into_iter()
            .map(InboxItem::of)
            .collect())
    }

    /// How many of the actor's in-app notifications are unread (at most
    /// [`UNREAD_CAP`]: the bell shows "99+" beyond).
    pub async fn unread_count(&self, actor: &Actor) -> Result<u32, NotificationError> {
        Ok(self
            .notifications
            .unread_count(actor.user_id, UNREAD_CAP)
            .await?)
    }

    /// Marks these of the actor's in-app notifications read (at most
    /// [`MAX_MARK_READ`] ids; others' ids are ignored); returns how many
    /// changed.
    pub async fn mark_read(&self, actor: &Actor, ids: &[OutboxId]) -> Result<u64, MarkReadError> {
        if ids.len() > MAX_MARK_READ {
            return Err(MarkReadError::TooMany { max: MAX_MARK_READ });
        }
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(self
            .notifications
            .mark_read(actor.user_id, ids, self.clock.now())
            .await?)
    }

    /// Marks every in-app notification of the actor read; returns how many
    /// changed.
    pub async fn mark_all_read(&self, actor: &Actor) -> Result<u64, NotificationError> {
        Ok(self
            .notifications
            .mark_all_read(actor.user_id, self.clock.now())
            .await?)
    }

    /// The periodic reminder sweep (a system job, no actor): plans the
    /// deadline, quiz and webinar reminders due now and enqueues them, with the
    /// "new assignment" messages of published work that has opened since
    /// [`OPENING_CATCH_UP`] ago (work published to open later is announced
    /// then, never before). Webinars of
    /// courses that are not published (drafts, archived) remind nobody. Safe to run
    /// as often as wanted and on several nodes: the outbox skips entries whose
    /// de-duplication key exists, so a second run at the same time enqueues
    /// nothing.
    pub async fn sweep_reminders(&self) -> Result<SweepReport, NotificationError> {
        let now = self.clock.now();
        let deadlines = self
            .notifications
            .deadline_targets(now - SWEEP_SLACK, now + PLANNER_LOOKAHEAD + SWEEP_SLACK)
            .await?;
        let quizzes = self
            .notifications
            .quiz_close_targets(now - SWEEP_SLACK, now + PLANNER_LOOKAHEAD + SWEEP_SLACK)
            .await?;
        let webinars = self
            .webinars
            .webinars_starting_between(now, now + WEBINAR_LOOKAHEAD + SWEEP_SLACK)
            .await?;

        // Per course: its reminder recipients, `None` when it is not published.
        let mut course_recipients: HashMap<CourseId, Option<Vec<UserId>>> = HashMap::new();
        let mut with_recipients = Vec::with_capacity(webinars.len());
        for webinar in webinars {
            let recipients = match course_recipients.get(&webinar.course_id) {
                Some(r) => r.clone(),
                None => {
                    let r = self.course_recipients(webinar.course_id).await?;
                    course_recipients.insert(webinar.course_id, r.clone());
                    r
                }
            };
            if let Some(recipients) = recipients {
                with_recipients.push((webinar, recipients));
            }
        }

        let mut planned = plan_reminders(now, &deadlines, &with_recipients);
        planned.extend(plan_quiz_reminders(now, &quizzes));
        let openings = self
            .notifications
            .opening_targets(now - OPENING_CATCH_UP, now)
            .await?;
        planned.extend(openings.into_iter().map(|t| PlannedReminder {
            recipient: t.student_id,
            event_key: new_assignment_event(t.assignment_id),
            notification: Notification::NewAssignment {
                course_id: t.course_id,
                course_title: t.course_title,
                assignment_id: t.assignment_id,
                title: t.assignment_title,
                due_at: t.due_at,
            },
        }));
        if planned.is_empty() {
            return Ok(SweepReport::default());
        }

        let mut seen = HashSet::new();
        let users: Vec<UserId> = planned
            .iter()
            .map(|p| p.recipient)
            .filter(|u| seen.insert(*u))
            .collect();
        let profiles: HashMap<UserId, _> = self
            .notifications
            .delivery_profiles(&users)
            .await?
            .into_iter()
            .map(|p| (p.user_id, p))
            .collect();
        let entries: Vec<OutboxEntry> = planned
            .iter()
            .filter_map(|p| {
                let profile = profiles.get(&p.recipient)?;
                Some(fan_out(
                    std::slice::from_ref(profile),
                    &p.event_key,
                    &p.notification,
                    now,
                ))
            })
            .flatten()
            .collect();
        let enqueued = if entries.is_empty() {
            0
        } else {
            self.notifications.enqueue(&entries).await?
        };
        Ok(SweepReport {
            planned: planned.len(),
            enqueued,
        })
    }

    /// Enrolled students and the owner of a course (webinar reminder
    /// recipients); `None` when the course is gone or not published.
    async fn course_recipients(
        &self,
        course: CourseId,
    ) -> Result<Option<Vec<UserId>>, StorageError> {
        let Some(c) = self.courses.get_course(course).await? else {
            return Ok(None);
        };
        if c.status != CourseStatus::Published {
            return Ok(None);
        }
        let mut recipients = self.courses.enrolled_students(course).await?;
        recipients.push(c.owner_id);
        Ok(Some(recipients))
    }
}

/// Telegram usernames: 5 to 32 characters of `[A-Za-z0-9_]`.
fn is_telegram_username(s: &str) -> bool {
    (5..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Telegram's deep-link `start` parameter: 1 to 64 characters of
/// `[A-Za-z0-9_-]`.
fn is_start_parameter(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests;
