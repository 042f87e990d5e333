//! Notification entities: what happened, to whom, over which channel.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AssignmentId, CourseId, OutboxId, QuizId, SubmissionId, UserId, WebinarId};
use crate::user::{Locale, TimeZone};

/// A delivery channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// E-mail over SMTP.
    Email,
    /// A Telegram bot message to the linked chat.
    Telegram,
    /// The in-app notification list (the bell): everything the other
    /// channels send lands here too, whatever the preferences. Stored
    /// delivered; the user marks it read.
    InApp,
}

impl Channel {
    /// The channels a user chooses per kind of notification (in-app is
    /// always on and not a choice).
    pub const ALL: [Channel; 2] = [Channel::Email, Channel::Telegram];

    /// Stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Telegram => "telegram",
            Self::InApp => "in_app",
        }
    }

    /// Parses the stable name (any channel, in-app included).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain([Self::InApp])
            .find(|c| c.as_str() == s)
    }
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A new assignment was published.
    NewAssignment,
    /// A deadline is near and nothing was handed in.
    DeadlineReminder,
    /// A quiz closes soon and the student has not attempted it.
    QuizReminder,
    /// Homework was graded.
    HomeworkGraded,
    /// Homework was returned for rework.
    HomeworkReturned,
    /// A webinar was scheduled.
    WebinarScheduled,
    /// A webinar was moved or cancelled.
    WebinarChanged,
    /// A webinar starts soon.
    WebinarReminder,
    /// A badge was awarded.
    AchievementAwarded,
    /// A message in the thread of a submission (to the student, or to the
    /// staff who grade them).
    SubmissionComment,
    /// An announcement of a course to its students.
    Announcement,
    /// An invitation to set a password and join the school (e-mail only,
    /// not a preference).
    Invitation,
    /// A password-reset link (e-mail only, not a preference).
    PasswordReset,
}

impl NotificationKind {
    /// Every kind a user chooses channels for (account messages such as
    /// [`Self::Invitation`] always go by e-mail and are not listed).
    pub const ALL: [NotificationKind; 11] = [
        Self::NewAssignment,
        Self::DeadlineReminder,
        Self::QuizReminder,
        Self::HomeworkGraded,
        Self::HomeworkReturned,
        Self::WebinarScheduled,
        Self::WebinarChanged,
        Self::WebinarReminder,
        Self::AchievementAwarded,
        Self::SubmissionComment,
        Self::Announcement,
    ];

    /// Stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewAssignment => "new_assignment",
            Self::DeadlineReminder => "deadline_reminder",
            Self::QuizReminder => "quiz_reminder",
            Self::HomeworkGraded => "homework_graded",
            Self::HomeworkReturned => "homework_returned",
            Self::WebinarScheduled => "webinar_scheduled",
            Self::WebinarChanged => "webinar_changed",
            Self::WebinarReminder => "webinar_reminder",
            Self::AchievementAwarded => "achievement_awarded",
            Self::SubmissionComment => "submission_comment",
            Self::Announcement => "announcement",
            Self::Invitation => "invitation",
            Self::PasswordReset => "password_reset",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain([Self::Invitation, Self::PasswordReset])
            .find(|k| k.as_str() == s)
    }

    /// Urgent messages (reminders close to the event, and account messages
    /// someone is waiting for) ignore quiet hours.
    #[must_use]
    pub fn is_urgent(self) -> bool {
        matches!(
            self,
            Self::DeadlineReminder
                | Self::QuizReminder
                | Self::WebinarReminder
                | Self::Invitation
                | Self::PasswordReset
        )
    }

    /// Account messages (invitations, password resets): sent by e-mail
    /// whatever the preferences, carry a one-time secret link, and are not
    /// shown in the user's notification list.
    #[must_use]
    pub fn is_account_message(self) -> bool {
        matches!(self, Self::Invitation | Self::PasswordReset)
    }
}

/// The data a notifier needs to render a message, per event. Titles are
/// copied in so a message renders even if the object changes later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Notification {
    /// A new assignment was published.
    NewAssignment {
        /// Course.
        course_id: CourseId,
        /// Course title.
        course_title: String,
        /// Assignment.
        assignment_id: AssignmentId,
        /// Assignment title.
        title: String,
        /// Due date.
        due_at: DateTime<Utc>,
    },
    /// A deadline is near.
    DeadlineReminder {
        /// Course.
        course_id: CourseId,
        /// Course title.
        course_title: String,
        /// Assignment.
        assignment_id: AssignmentId,
        /// Assignment title.
        title: String,
        /// The student's due date.
        due_at: DateTime<Utc>,
        /// Whole hours left when the reminder was planned (24 or 2).
        hours_before: u32,
    },
    /// A quiz closes soon and the student has not attempted it.
    QuizReminder {
        /// Course.
        course_id: CourseId,
        /// Course title.
        course_title: String,
        /// Quiz.
        quiz_id: QuizId,
        /// Quiz title.
        title: String,
        /// When the quiz closes.
        closes_at: DateTime<Utc>,
        /// Whole hours left when the reminder was planned (24 or 2, fewer
        /// when less time was left).
        hours_before: u32,
    },
    /// Homework was graded.
    HomeworkGraded {
        /// Course.
        course_id: CourseId,
        /// Assignment.
        assignment_id: AssignmentId,
        /// Assignment title.
        title: String,
        /// Submission.
        submission_id: SubmissionId,
        /// Final score.
        score: f64,
        /// Maximum score.
        max_score: f64,
    },
    /// Homework was returned for rework.
    HomeworkReturned {
        /// Course.
        course_id: CourseId,
        /// Assignment.
        assignment_id: AssignmentId,
        /// Assignment title.
        title: String,
        /// Submission.
        submission_id: SubmissionId,
    },
    /// A webinar was scheduled.
    WebinarScheduled {
        /// Course.
        course_id: CourseId,
        /// Course title.
        course_title: String,
        /// Webinar.
        webinar_id: WebinarId,
        /// Title.
        title: String,
        /// Start.
        starts_at: DateTime<Utc>,
        /// Join link.
        join_url: Option<String>,
    },
    /// A webinar was moved or cancelled.
    WebinarChanged {
        /// Course.
        course_id: CourseId,
        /// Webinar.
        webinar_id: WebinarId,
        /// Title.
        title: String,
        /// New start (`None` when cancelled).
        starts_at: Option<DateTime<Utc>>,
        /// Whether it was cancelled.
        cancelled: bool,
    },
    /// A webinar starts soon.
    WebinarReminder {
        /// Course.
        course_id: CourseId,
        /// Webinar.
        webinar_id: WebinarId,
        /// Title.
        title: String,
        /// Start.
        starts_at: DateTime<Utc>,
        /// Minutes left when the reminder was planned (60 or 10).
        minutes_before: u32,
        /// Join link.
        join_url: Option<String>,
    },
    /// A badge was awarded.
    AchievementAwarded {
        /// The badge.
        badge: crate::achievement::Badge,
        /// The course it was earned in, if any.
        course_id: Option<CourseId>,
        /// The quiz, for a perfect score.
        quiz_id: Option<QuizId>,
    },
    /// A message in the thread of a submission.
    SubmissionComment {
        /// Course.
        course_id: CourseId,
        /// Assignment.
        assignment_id: AssignmentId,
        /// Assignment title.
        title: String,
        /// Submission.
        submission_id: SubmissionId,
        /// Who wrote.
        author_name: String,
        /// Whether it goes to the staff (who open the submission) rather
        /// than to the student (who opens the assignment).
        to_staff: bool,
    },
    /// An announcement of a course.
    Announcement {
        /// Course.
        course_id: CourseId,
        /// Course title.
        course_title: String,
        /// The announcement.
        announcement_id: crate::ids::AnnouncementId,
        /// Its headline.
        title: String,
        /// Who posted it.
        author_name: String,
    },
    /// An invitation: the link lets the invitee set a password.
    Invitation {
        /// The one-time secret of the link (only its hash is kept with the
        /// invitation; account messages are never listed to users).
        token: String,
        /// The school role of the account.
        role: crate::user::Role,
        /// Who invited.
        invited_by: String,
        /// Titles of the courses the account joins.
        course_titles: Vec<String>,
        /// The link stops working after this instant.
        expires_at: DateTime<Utc>,
    },
    /// A password-reset link.
    PasswordReset {
        /// The one-time secret of the link.
        token: String,
        /// The link stops working after this instant.
        expires_at: DateTime<Utc>,
    },
}

impl Notification {
    /// The kind of event.
    #[must_use]
    pub fn kind(&self) -> NotificationKind {
        match self {
            Self::NewAssignment { .. } => NotificationKind::NewAssignment,
            Self::DeadlineReminder { .. } => NotificationKind::DeadlineReminder,
            Self::QuizReminder { .. } => NotificationKind::QuizReminder,
            Self::HomeworkGraded { .. } => NotificationKind::HomeworkGraded,
            Self::HomeworkReturned { .. } => NotificationKind::HomeworkReturned,
            Self::WebinarScheduled { .. } => NotificationKind::WebinarScheduled,
            Self::WebinarChanged { .. } => NotificationKind::WebinarChanged,
            Self::WebinarReminder { .. } => NotificationKind::WebinarReminder,
            Self::AchievementAwarded { .. } => NotificationKind::AchievementAwarded,
            Self::SubmissionComment { .. } => NotificationKind::SubmissionComment,
            Self::Announcement { .. } => NotificationKind::Announcement,
            Self::Invitation { .. } => NotificationKind::Invitation,
            Self::PasswordReset { .. } => NotificationKind::PasswordReset,
        }
    }

    /// Blanks the one-time secret an account message carries (for showing
    /// the message anywhere but in the e-mail itself).
    pub fn forget_secrets(&mut self) {
        if let Self::Invitation { token, .. } | Self::PasswordReset { token, .. } = self {
            token.clear();
        }
    }

    /// The web-UI path of the object the message is about (prefixed with the
    /// school's base URL by notifiers).
    #[must_use]
    pub fn link_path(&self) -> String {
        match self {
            Self::NewAssignment { assignment_id, .. }
            | Self::DeadlineReminder { assignment_id, .. }
            | Self::HomeworkGraded { assignment_id, .. }
            | Self::HomeworkReturned { assignment_id, .. } => {
                web_paths::ASSIGNMENT.replace("{id}", &assignment_id.to_string())
            }
            Self::QuizReminder { quiz_id, .. } => {
                web_paths::QUIZ.replace("{id}", &quiz_id.to_string())
            }
            Self::WebinarScheduled { .. }
            | Self::WebinarChanged { .. }
            | Self::WebinarReminder { .. } => web_paths::SCHEDULE.to_owned(),
            Self::AchievementAwarded { .. } => web_paths::ACHIEVEMENTS.to_owned(),
            Self::SubmissionComment {
                to_staff: true,
                submission_id,
                ..
            } => web_paths::SUBMISSION.replace("{id}", &submission_id.to_string()),
            Self::SubmissionComment { assignment_id, .. } => {
                web_paths::ASSIGNMENT.replace("{id}", &assignment_id.to_string())
            }
            Self::Announcement { course_id, .. } => {
                web_paths::COURSE.replace("{id}", &course_id.to_string())
            }
            Self::Invitation { token, .. } => web_paths::INVITATION.replace("{token}", token),
            Self::PasswordReset { token, .. } => {
                web_paths::PASSWORD_RESET.replace("{token}", token)
            }
        }
    }
}

/// Identifies one message so it is enqueued at most once per
/// (recipient, event, channel), however often the producer runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct DedupKey(pub String);

impl DedupKey {
    /// The key for `event` (a stable description such as
    /// `deadline:<assignment>:<due>:24h`) to `recipient` over `channel`.
    #[must_use]
    pub fn new(recipient: UserId, event: &str, channel: Channel) -> Self {
        Self(format!("{recipient}|{event}|{}", channel.as_str()))
    }
}

/// State of an outbox entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for (another) delivery attempt.
    Pending,
    /// Delivered.
    Sent,
    /// Given up: a permanent failure or too many attempts.
    Failed,
}

impl OutboxStatus {
    /// Stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "sent" => Self::Sent,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// A message waiting in (or done with) the durable outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxEntry {
    /// Identifier.
    pub id: OutboxId,
    /// Unique per (recipient, event, channel).
    pub dedup_key: DedupKey,
    /// Recipient.
    pub recipient_id: UserId,
    /// Channel.
    pub channel: Channel,
    /// What to say.
    pub notification: Notification,
    /// State.
    pub status: OutboxStatus,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Not to be tried before this instant (backoff, quiet hours).
    pub next_attempt_at: DateTime<Utc>,
    /// While set and in the future, a worker holds the entry.
    pub lease_until: Option<DateTime<Utc>>,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// When enqueued.
    pub created_at: DateTime<Utc>,
    /// When delivered.
    pub sent_at: Option<DateTime<Utc>>,
    /// When the user marked it read (in-app entries only).
    #[serde(default)]
    pub read_at: Option<DateTime<Utc>>,
}

impl OutboxEntry {
    /// A new pending entry due at `at`.
    #[must_use]
    pub fn new(
        recipient_id: UserId,
        channel: Channel,
        event: &str,
        notification: Notification,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: OutboxId::new(),
            dedup_key: DedupKey::new(recipient_id, event, channel),
            recipient_id,
            channel,
            notification,
            status: OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: at,
            lease_until: None,
            last_error: None,
            created_at: at,
            sent_at: None,
            read_at: None,
        }
    }

    /// A new in-app entry, delivered at `at` (it is the message in the
    /// user's list; no worker sends it) and unread.
    #[must_use]
    pub fn in_app(
        recipient_id: UserId,
        event: &str,
        notification: Notification,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            status: OutboxStatus::Sent,
            sent_at: Some(at),
            ..Self::new(recipient_id, Channel::InApp, event, notification, at)
        }
    }
}

/// One entry of a user's in-app notification list (the bell).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItem {
    /// The entry (mark it read by this id).
    pub id: OutboxId,
    /// What it is about.
    pub kind: NotificationKind,
    /// The message's data (titles, dates, scores).
    pub notification: Notification,
    /// The web-UI path of the thing it is about.
    pub link: String,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// When the user read it; `None`: unread.
    pub read_at: Option<DateTime<Utc>>,
}

impl InboxItem {
    /// The list item of an in-app outbox entry.
    #[must_use]
    pub fn of(entry: OutboxEntry) -> Self {
        Self {
            id: entry.id,
            kind: entry.notification.kind(),
            link: entry.notification.link_path(),
            notification: entry.notification,
            created_at: entry.created_at,
            read_at: entry.read_at,
        }
    }
}

/// Quiet hours in the user's zone: non-urgent messages wait until they end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuietHours {
    /// Local start (e.g. 22:00).
    #[cfg_attr(feature = "openapi", schema(example = "22:00:00"))]
    pub from: NaiveTime,
    /// Local end (e.g. 08:00); may be before `from` (over midnight).
    #[cfg_attr(feature = "openapi", schema(example = "08:00:00"))]
    pub to: NaiveTime,
}

/// A user's notification settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationPreferences {
    /// The user.
    pub user_id: UserId,
    /// Per kind, the channels the user wants. Kinds absent here use the
    /// default: every channel.
    pub channels: BTreeMap<NotificationKind, Vec<Channel>>,
    /// Quiet hours, if any.
    pub quiet_hours: Option<QuietHours>,
}

impl NotificationPreferences {
    /// Defaults: every kind on every channel, no quiet hours.
    #[must_use]
    pub fn defaults(user_id: UserId) -> Self {
        Self {
            user_id,
            channels: BTreeMap::new(),
            quiet_hours: None,
        }
    }

    /// Whether the user wants `kind` over `channel`.
    #[must_use]
    pub fn wants(&self, kind: NotificationKind, channel: Channel) -> bool {
        self.channels
            .get(&kind)
            .is_none_or(|chs| chs.contains(&channel))
    }
}

/// Where and how to reach one recipient, resolved by the dispatcher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recipient {
    /// The user.
    pub user_id: UserId,
    /// Their name.
    pub display_name: String,
    /// E-mail address.
    pub email: String,
    /// Linked Telegram chat, if any.
    pub telegram_chat_id: Option<i64>,
    /// Language of the message.
    pub locale: Locale,
    /// Zone for times in the message.
    pub time_zone: TimeZone,
}

/// One message handed to a [`Notifier`](super::Notifier).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboundMessage {
    /// The outbox entry being delivered (its id makes a stable Message-ID).
    pub outbox_id: OutboxId,
    /// Recipient.
    pub recipient: Recipient,
    /// Content.
    pub notification: Notification,
}

/// A pending Telegram link: the user opened the bot deep link with this token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TelegramLinkToken {
    /// Hash of the one-time token.
    pub token_hash: crate::user::TokenHash,
    /// Who asked.
    pub user_id: UserId,
    /// Expires at.
    pub expires_at: DateTime<Utc>,
}

/// The paths of the web UI that messages and calendar feeds link to. They
/// are defined once, in `web_paths.json` next to this file: the web UI's
/// router builds its routes from the same file (`web/src/router.ts`), and
/// tests on both sides check that they agree, so no reminder can lead to a
/// page the UI does not have.
pub mod web_paths {
    /// An assignment's page (`{id}`: the assignment id).
    pub const ASSIGNMENT: &str = "/assignments/{id}";
    /// A submission's page for the staff who grade it (`{id}`: the
    /// submission id).
    pub const SUBMISSION: &str = "/submissions/{id}";
    /// A course's page (`{id}`: the course id), where its announcements are.
    pub const COURSE: &str = "/courses/{id}";
    /// A quiz's page, where a student starts an attempt (`{id}`: the quiz id).
    pub const QUIZ: &str = "/quizzes/{id}";
    /// The user's schedule.
    pub const SCHEDULE: &str = "/schedule";
    /// The user's badges.
    pub const ACHIEVEMENTS: &str = "/achievements";
    /// Profile, password and notification settings (the target of
    /// `List-Unsubscribe`).
    pub const SETTINGS: &str = "/settings";
    /// Accepting an invitation: setting a password (`{token}`: the link's secret).
    pub const INVITATION: &str = "/invitation/{token}";
    /// Choosing a new password after "forgot password" (`{token}`: the link's secret).
    pub const PASSWORD_RESET: &str = "/reset-password/{token}";

    /// The shared definition the constants above must match.
    pub const DEFINITION: &str = include_str!("web_paths.json");

    #[cfg(test)]
    mod tests {
        use std::collections::BTreeMap;

        #[test]
        fn the_constants_are_the_shared_definition() {
            let shared: BTreeMap<String, String> = serde_json::from_str(super::DEFINITION).unwrap();
            let ours = BTreeMap::from([
                ("assignment".to_owned(), super::ASSIGNMENT.to_owned()),
                ("submission".to_owned(), super::SUBMISSION.to_owned()),
                ("course".to_owned(), super::COURSE.to_owned()),
                ("quiz".to_owned(), super::QUIZ.to_owned()),
                ("schedule".to_owned(), super::SCHEDULE.to_owned()),
                ("achievements".to_owned(), super::ACHIEVEMENTS.to_owned()),
                ("settings".to_owned(), super::SETTINGS.to_owned()),
                ("invitation".to_owned(), super::INVITATION.to_owned()),
                (
                    "password_reset".to_owned(),
                    super::PASSWORD_RESET.to_owned(),
                ),
            ]);
            assert_eq!(shared, ours);
        }
    }
}
