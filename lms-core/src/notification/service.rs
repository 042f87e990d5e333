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
use crate::ids::{CourseId, UserId};
use crate::notification::fanout::fan_out;
use crate::notification::model::{
    Channel, Notification, NotificationKind, NotificationPreferences, OutboxEntry, QuietHours,
    TelegramLinkToken,
};
use crate::notification::planner::{
    PLANNER_LOOKAHEAD, PlannedReminder, WEBINAR_LOOKAHEAD, plan_reminders,
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

    /// The periodic reminder sweep (a system job, no actor): plans the
    /// deadline and webinar reminders due now and enqueues them, with the
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
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::course::{Course, MockCourseStore, Title};
    use crate::ids::{AssignmentId, WebinarId};
    use crate::notification::model::{DedupKey, Notification};
    use crate::notification::ports::{DeadlineTarget, DeliveryProfile, MockNotificationStore};
    use crate::richtext::RichText;
    use crate::user::Role;
    use crate::webinar::{MockWebinarStore, ProviderKind, Webinar, WebinarState};
    use chrono::{NaiveTime, TimeZone};
    use std::sync::Mutex;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap()
    }

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new(),
            role,
        }
    }

    fn service(
        n: MockNotificationStore,
        w: MockWebinarStore,
        c: MockCourseStore,
    ) -> NotificationService {
        NotificationService::new(
            Arc::new(n),
            Arc::new(w),
            Arc::new(c),
            Arc::new(ManualClock::new(now())),
        )
    }

    fn only(n: MockNotificationStore) -> NotificationService {
        service(n, MockWebinarStore::new(), MockCourseStore::new())
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[tokio::test]
    async fn preferences_default_when_never_set() {
        for role in [Role::Admin, Role::Teacher, Role::Assistant, Role::Student] {
            let a = actor(role);
            let mut n = MockNotificationStore::new();
            n.expect_get_preferences()
                .withf(move |u| *u == a.user_id)
                .returning(|_| Ok(None));
            let prefs = only(n).get_preferences(&a).await.unwrap();
            assert_eq!(prefs, NotificationPreferences::defaults(a.user_id));
        }
    }

    #[tokio::test]
    async fn stored_preferences_are_returned() {
        let a = actor(Role::Student);
        let stored = NotificationPreferences {
            user_id: a.user_id,
            channels: BTreeMap::from([(NotificationKind::HomeworkGraded, vec![Channel::Telegram])]),
            quiet_hours: Some(QuietHours {
                from: hm(22, 0),
                to: hm(8, 0),
            }),
        };
        let mut n = MockNotificationStore::new();
        let s = stored.clone();
        n.expect_get_preferences()
            .returning(move |_| Ok(Some(s.clone())));
        assert_eq!(only(n).get_preferences(&a).await.unwrap(), stored);
    }

    #[tokio::test]
    async fn set_preferences_stores_the_actors_own_normalised_settings() {
        let a = actor(Role::Teacher);
        let quiet = QuietHours {
            from: hm(23, 0),
            to: hm(7, 30),
        };
        let expected = NotificationPreferences {
            user_id: a.user_id,
            channels: BTreeMap::from([
                (
                    NotificationKind::NewAssignment,
                    vec![Channel::Email, Channel::Telegram],
                ),
                (NotificationKind::WebinarReminder, vec![]),
            ]),
            quiet_hours: Some(quiet),
        };
        let mut n = MockNotificationStore::new();
        let e = expected.clone();
        n.expect_set_preferences()
            .withf(move |p| *p == e)
            .times(1)
            .returning(|_| Ok(()));
        let got = only(n)
            .set_preferences(
                &a,
                PreferencesInput {
                    channels: BTreeMap::from([
                        (
                            NotificationKind::NewAssignment,
                            vec![Channel::Telegram, Channel::Email, Channel::Telegram],
                        ),
                        (NotificationKind::WebinarReminder, vec![]),
                    ]),
                    quiet_hours: Some(quiet),
                },
            )
            .await
            .unwrap();
        assert_eq!(got, expected);
    }

    #[tokio::test]
    async fn empty_quiet_hours_are_rejected() {
        let n = MockNotificationStore::new(); // set_preferences must not be called
        let err = only(n)
            .set_preferences(
                &actor(Role::Student),
                PreferencesInput {
                    channels: BTreeMap::new(),
                    quiet_hours: Some(QuietHours {
                        from: hm(22, 0),
                        to: hm(22, 0),
                    }),
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, PreferencesError::InvalidQuietHours));
        assert!(err.to_string().contains("quiet_hours"));
        assert_eq!(crate::error::DomainError::code(&err), "invalid_quiet_hours");
    }

    #[tokio::test]
    async fn start_link_stores_the_hash_and_returns_a_deep_link() {
        let a = actor(Role::Student);
        let stored: Arc<Mutex<Option<TelegramLinkToken>>> = Arc::default();
        let sink = stored.clone();
        let mut n = MockNotificationStore::new();
        n.expect_insert_telegram_token()
            .times(1)
            .returning(move |t| {
                *sink.lock().unwrap() = Some(t.clone());
                Ok(())
            });
        let start = only(n)
            .start_telegram_link(&a, "@school_lms_bot")
            .await
            .unwrap();
        assert_eq!(start.token.len(), 64);
        assert!(is_start_parameter(&start.token));
        assert_eq!(
            start.deep_link,
            format!("https://t.me/school_lms_bot?start={}", start.token)
        );
        assert_eq!(start.expires_at, now() + Duration::minutes(15));
        let token = stored.lock().unwrap().clone().unwrap();
        assert_eq!(token.token_hash, TokenHash::of(&start.token));
        assert_eq!(token.user_id, a.user_id);
        assert_eq!(token.expires_at, start.expires_at);
    }

    #[tokio::test]
    async fn start_link_rejects_a_bad_bot_username() {
        for bot in [
            "",
            "@",
            "bot",
            "my bot",
            "бот_школы",
            &"b".repeat(33),
            "a/b?c=d",
        ] {
            let n = MockNotificationStore::new();
            let err = only(n)
                .start_telegram_link(&actor(Role::Student), bot)
                .await
                .unwrap_err();
            assert!(matches!(err, StartLinkError::InvalidBotUsername), "{bot:?}");
        }
    }

    #[tokio::test]
    async fn complete_link_links_the_chat_of_the_tokens_user() {
        let user = UserId::new();
        let token = generate_token();
        let hash = TokenHash::of(&token);
        let mut n = MockNotificationStore::new();
        n.expect_consume_telegram_token()
            .withf(move |h, at| *h == hash && *at == now())
            .times(1)
            .returning(move |_, _| Ok(Some(user)));
        n.expect_set_telegram_chat()
            .withf(move |u, c| *u == user && *c == Some(777))
            .times(1)
            .returning(|_, _| Ok(()));
        let got = only(n).complete_telegram_link(&token, 777).await.unwrap();
        assert_eq!(got, user);
    }

    #[tokio::test]
    async fn unknown_expired_or_used_tokens_do_not_link() {
        let mut n = MockNotificationStore::new();
        n.expect_consume_telegram_token()
            .times(1)
            .returning(|_, _| Ok(None));
        // set_telegram_chat has no expectation: calling it would panic.
        let err = only(n)
            .complete_telegram_link(&generate_token(), 1)
            .await
            .unwrap_err();
        assert!(matches!(err, LinkError::InvalidToken));
    }

    #[tokio::test]
    async fn malformed_tokens_are_rejected_without_storage() {
        let long = "a".repeat(65);
        for token in ["", "   ", "abc def", "токен", "a;DROP", long.as_str()] {
            let n = MockNotificationStore::new();
            let err = only(n).complete_telegram_link(token, 1).await.unwrap_err();
            assert!(matches!(err, LinkError::InvalidToken), "{token:?}");
        }
    }

    #[tokio::test]
    async fn unlink_and_stop() {
        let a = actor(Role::Student);
        let mut n = MockNotificationStore::new();
        n.expect_set_telegram_chat()
            .withf(move |u, c| *u == a.user_id && c.is_none())
            .times(1)
            .returning(|_, _| Ok(()));
        let other = UserId::new();
        n.expect_unlink_telegram_chat()
            .withf(|c| *c == 42)
            .times(1)
            .returning(move |_| Ok(Some(other)));
        let s = only(n);
        s.unlink_telegram(&a).await.unwrap();
        assert_eq!(s.telegram_stop(42).await.unwrap(), Some(other));
    }

    #[tokio::test]
    async fn telegram_linked_reports_the_actors_chat() {
        let a = actor(Role::Student);
        for (chat, expected) in [(Some(42), true), (None, false)] {
            let mut n = MockNotificationStore::new();
            n.expect_recipient()
                .withf(move |u| *u == a.user_id)
                .times(1)
                .returning(move |user_id| {
                    Ok(Some(crate::notification::Recipient {
                        user_id,
                        display_name: "Ученик".to_owned(),
                        email: "s@example.ru".to_owned(),
                        telegram_chat_id: chat,
                        locale: crate::user::Locale::Ru,
                        time_zone: crate::user::TimeZone::parse("Europe/Moscow").unwrap(),
                    }))
                });
            assert_eq!(only(n).telegram_linked(&a).await.unwrap(), expected);
        }
        let mut n = MockNotificationStore::new();
        n.expect_recipient().returning(|_| Ok(None));
        assert!(!only(n).telegram_linked(&a).await.unwrap());
    }

    #[tokio::test]
    async fn my_outbox_lists_only_the_actors_entries() {
        let a = actor(Role::Student);
        let entry = OutboxEntry::new(
            a.user_id,
            Channel::Email,
            "x",
            Notification::AchievementAwarded {
                badge: crate::achievement::Badge::FirstHomework,
                course_id: None,
                quiz_id: None,
            },
            now(),
        );
        let mut n = MockNotificationStore::new();
        let e = entry.clone();
        n.expect_list_user_outbox()
            .withf(move |u, p| *u == a.user_id && *p == Page::new(10, 20))
            .returning(move |_, _| Ok(vec![e.clone()]));
        let got = only(n).my_outbox(&a, Page::new(10, 20)).await.unwrap();
        assert_eq!(got, vec![entry]);
    }

    #[tokio::test]
    async fn my_outbox_never_shows_a_reset_link() {
        let a = actor(Role::Student);
        let entry = OutboxEntry::new(
            a.user_id,
            Channel::Email,
            "reset",
            Notification::PasswordReset {
                token: "secret-token".to_owned(),
                expires_at: now(),
            },
            now(),
        );
        let mut n = MockNotificationStore::new();
        n.expect_list_user_outbox()
            .returning(move |_, _| Ok(vec![entry.clone()]));
        let got = only(n).my_outbox(&a, Page::first()).await.unwrap();
        assert!(
            matches!(&got[0].notification, Notification::PasswordReset { token, .. } if token.is_empty())
        );
    }

    #[tokio::test]
    async fn storage_errors_surface() {
        let mut n = MockNotificationStore::new();
        n.expect_get_preferences()
            .returning(|_| Err(StorageError::Transient("down".into())));
        let err = only(n)
            .get_preferences(&actor(Role::Student))
            .await
            .unwrap_err();
        assert_eq!(crate::error::DomainError::code(&err), "storage_unavailable");
    }

    // --- the sweep ---

    fn profile(user: UserId, telegram: bool, active: bool) -> DeliveryProfile {
        DeliveryProfile {
            user_id: user,
            active,
            preferences: NotificationPreferences::defaults(user),
            telegram_linked: telegram,
        }
    }

    struct World {
        student: UserId,
        silent: UserId,
        teacher: UserId,
        course: Course,
        webinar: Webinar,
        target: DeadlineTarget,
    }

    fn world() -> World {
        let student = UserId::new();
        let silent = UserId::new();
        let teacher = UserId::new();
        let course = Course {
            id: CourseId::new(),
            title: Title::parse("Физика").unwrap(),
            description: RichText::sanitize(""),
            owner_id: teacher,
            status: CourseStatus::Published,
            invite_code: None,
            cover: None,
            created_at: now(),
        };
        let webinar = Webinar {
            id: WebinarId::new(),
            course_id: course.id,
            title: Title::parse("Кинематика").unwrap(),
            starts_at: now() + Duration::minutes(8),
            duration_minutes: 45,
            provider: ProviderKind::ExternalLink,
            conference_id: None,
            join_url: "https://meet.example/k".into(),
            host_url: None,
            state: WebinarState::Scheduled,
            created_by: teacher,
            created_at: now(),
        };
        let target = DeadlineTarget {
            assignment_id: AssignmentId::new(),
            assignment_title: "Задачи 1–5".into(),
            course_id: course.id,
            course_title: "Физика".into(),
            student_id: student,
            due_at: now() + Duration::hours(20),
            submitted: false,
        };
        World {
            student,
            silent,
            teacher,
            course,
            webinar,
            target,
        }
    }

    /// Mocks whose outbox remembers de-dup keys like a real adapter.
    fn sweep_service(w: &World, keys: Arc<Mutex<Vec<DedupKey>>>) -> NotificationService {
        let mut n = MockNotificationStore::new();
        let target = w.target.clone();
        n.expect_deadline_targets()
            .withf(|from, to| {
                *from == now() - SWEEP_SLACK && *to == now() + Duration::hours(24) + SWEEP_SLACK
            })
            .returning(move |_, _| Ok(vec![target.clone()]));
        n.expect_opening_targets()
            .withf(|from, to| *from == now() - OPENING_CATCH_UP && *to == now())
            .returning(|_, _| Ok(vec![]));
        let (student, silent, teacher) = (w.student, w.silent, w.teacher);
        n.expect_delivery_profiles().returning(move |users| {
            let mut wanted: Vec<UserId> = users.to_vec();
            wanted.sort();
            let mut expected = vec![student, silent, teacher];
            expected.sort();
            assert_eq!(wanted, expected, "each recipient asked once");
            Ok(vec![
                profile(student, true, true),
                profile(teacher, false, true),
                profile(silent, true, false),
            ])
        });
        n.expect_enqueue().returning(move |entries| {
            let mut stored = keys.lock().unwrap();
            let mut inserted = 0;
            for e in entries {
                if !stored.contains(&e.dedup_key) {
                    stored.push(e.dedup_key.clone());
                    inserted += 1;
                }
            }
            Ok(inserted)
        });

        let mut ws = MockWebinarStore::new();
        let webinar = w.webinar.clone();
        ws.expect_webinars_starting_between()
            .withf(|from, to| *from == now() && *to == now() + Duration::minutes(60) + SWEEP_SLACK)
            .returning(move |_, _| Ok(vec![webinar.clone()]));

        let mut c = MockCourseStore::new();
        let course = w.course.clone();
        let course_id = course.id;
        c.expect_enrolled_students()
            .withf(move |id| *id == course_id)
            .times(1..)
            .returning(move |_| Ok(vec![student, silent]));
        c.expect_get_course()
            .withf(move |id| *id == course_id)
            .returning(move |_| Ok(Some(course.clone())));
        service(n, ws, c)
    }

    #[tokio::test]
    async fn sweep_enqueues_due_reminders_once() {
        let w = world();
        let keys: Arc<Mutex<Vec<DedupKey>>> = Arc::default();
        let s = sweep_service(&w, keys.clone());

        let first = s.sweep_reminders().await.unwrap();
        // Deadline 24 h reminder to the student; webinar 10 min reminder to
        // two students and the teacher.
        assert_eq!(first.planned, 4);
        let deadline_event = format!(
            "deadline:{}:{}:24h",
            w.target.assignment_id,
            w.target.due_at.timestamp()
        );
        let webinar_event = format!(
            "webinar:{}:{}:10m",
            w.webinar.id,
            w.webinar.starts_at.timestamp()
        );
        let mut expected = vec![
            DedupKey::new(w.student, &deadline_event, Channel::Email),
            DedupKey::new(w.student, &deadline_event, Channel::Telegram),
            DedupKey::new(w.student, &webinar_event, Channel::Email),
            DedupKey::new(w.student, &webinar_event, Channel::Telegram),
            DedupKey::new(w.teacher, &webinar_event, Channel::Email),
        ];
        expected.sort();
        let mut got = keys.lock().unwrap().clone();
        got.sort();
        assert_eq!(
            got, expected,
            "inactive user gets nothing, teacher no Telegram"
        );
        assert_eq!(first.enqueued, 5);

        let again = s.sweep_reminders().await.unwrap();
        assert_eq!(
            again,
            SweepReport {
                planned: 4,
                enqueued: 0
            }
        );
        assert_eq!(keys.lock().unwrap().len(), 5);
    }

    #[tokio::test]
    async fn sweep_with_nothing_due_touches_no_outbox() {
        let mut n = MockNotificationStore::new();
        let submitted = DeadlineTarget {
            submitted: true,
            ..world().target
        };
        n.expect_deadline_targets()
            .returning(move |_, _| Ok(vec![submitted.clone()]));
        n.expect_opening_targets().returning(|_, _| Ok(vec![]));
        let mut ws = MockWebinarStore::new();
        ws.expect_webinars_starting_between()
            .returning(|_, _| Ok(vec![]));
        // No delivery_profiles or enqueue expectations: calling them panics.
        let report = service(n, ws, MockCourseStore::new())
            .sweep_reminders()
            .await
            .unwrap();
        assert_eq!(report, SweepReport::default());
    }

    #[tokio::test]
    async fn webinars_of_unpublished_courses_remind_nobody() {
        let w = world();
        let mut draft = w.course.clone();
        draft.id = CourseId::new();
        draft.status = CourseStatus::Draft;
        let mut archived = w.course.clone();
        archived.id = CourseId::new();
        archived.status = CourseStatus::Archived;
        let webinars: Vec<Webinar> = [&w.course, &draft, &archived]
            .into_iter()
            .map(|c| Webinar {
                id: WebinarId::new(),
                course_id: c.id,
                ..w.webinar.clone()
            })
            .collect();
        let published_webinar = webinars[0].id;

        let mut n = MockNotificationStore::new();
        n.expect_deadline_targets().returning(|_, _| Ok(vec![]));
        n.expect_opening_targets().returning(|_, _| Ok(vec![]));
        let (student, teacher) = (w.student, w.teacher);
        n.expect_delivery_profiles().returning(move |_| {
            Ok(vec![
                profile(student, false, true),
                profile(teacher, false, true),
            ])
        });
        let captured: Arc<Mutex<Vec<OutboxEntry>>> = Arc::default();
        let sink = captured.clone();
        n.expect_enqueue().times(1).returning(move |e| {
            sink.lock().unwrap().extend_from_slice(e);
            Ok(e.len() as u64)
        });
        let mut ws = MockWebinarStore::new();
        ws.expect_webinars_starting_between()
            .returning(move |_, _| Ok(webinars.clone()));
        let mut c = MockCourseStore::new();
        let published_id = w.course.id;
        // Enrolled students of every course; only the published one is asked.
        c.expect_enrolled_students()
            .withf(move |id| *id == published_id)
            .times(1)
            .returning(move |_| Ok(vec![student]));
        let courses = [w.course.clone(), draft, archived];
        c.expect_get_course()
            .returning(move |id| Ok(courses.iter().find(|c| c.id == id).cloned()));

        let report = service(n, ws, c).sweep_reminders().await.unwrap();
        assert_eq!(report.planned, 2, "the student and the owner, once");
        let entries = captured.lock().unwrap().clone();
        let mut got: Vec<_> = entries
            .iter()
            .map(|e| match &e.notification {
                Notification::WebinarReminder { webinar_id, .. } => (e.recipient_id, *webinar_id),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        got.sort();
        let mut expected = vec![(student, published_webinar), (teacher, published_webinar)];
        expected.sort();
        assert_eq!(got, expected);
    }

    #[tokio::test]
    async fn sweep_enqueues_the_entries_fan_out_builds() {
        let w = world();
        let mut n = MockNotificationStore::new();
        n.expect_deadline_targets().returning(|_, _| Ok(vec![]));
        n.expect_opening_targets().returning(|_, _| Ok(vec![]));
        let teacher = w.teacher;
        n.expect_delivery_profiles()
            .returning(move |_| Ok(vec![profile(teacher, false, true)]));
        let captured: Arc<Mutex<Vec<OutboxEntry>>> = Arc::default();
        let sink = captured.clone();
        n.expect_enqueue().times(1).returning(move |e| {
            sink.lock().unwrap().extend_from_slice(e);
            Ok(e.len() as u64)
        });
        let mut ws = MockWebinarStore::new();
        let webinar = w.webinar.clone();
        ws.expect_webinars_starting_between()
            .returning(move |_, _| Ok(vec![webinar.clone()]));
        let mut c = MockCourseStore::new();
        c.expect_enrolled_students().returning(|_| Ok(vec![]));
        let course = w.course.clone();
        c.expect_get_course()
            .returning(move |_| Ok(Some(course.clone())));

        let report = service(n, ws, c).sweep_reminders().await.unwrap();
        assert_eq!(report.enqueued, 1);
        let entries = captured.lock().unwrap().clone();
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        assert_eq!(e.recipient_id, teacher);
        assert_eq!(e.channel, Channel::Email);
        assert_eq!(e.next_attempt_at, now());
        assert_eq!(
            e.notification,
            Notification::WebinarReminder {
                course_id: w.course.id,
                webinar_id: w.webinar.id,
                title: "Кинематика".into(),
                starts_at: w.webinar.starts_at,
                minutes_before: 10,
                join_url: Some("https://meet.example/k".into()),
            }
        );
    }
}
