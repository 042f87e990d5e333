//! Every port in one place, and [`Storage`]: the bundle of storage ports a
//! storage adapter provides.

use std::sync::Arc;

pub use crate::achievement::AchievementStore;
pub use crate::announcement::AnnouncementStore;
pub use crate::bank::BankStore;
pub use crate::clock::Clock;
pub use crate::course::CourseStore;
pub use crate::dashboard::DashboardStore;
pub use crate::file::{FileRead, FileRegistry, FileStore, FileWrite};
pub use crate::group::GroupStore;
pub use crate::homework::{CommentStore, HomeworkStore};
pub use crate::idempotency::IdempotencyStore;
pub use crate::notification::{NotificationStore, Notifier};
pub use crate::onboarding::OnboardingStore;
pub use crate::quiz::QuizStore;
pub use crate::schedule::ScheduleStore;
pub use crate::user::{SessionStore, UserStore};
pub use crate::webinar::{WebinarProvider, WebinarStore};

/// The storage ports of one storage adapter. Adapters implement every trait
/// on one type and hand out clones of one `Arc` via [`Storage::from_adapter`].
#[derive(Clone)]
pub struct Storage {
    /// Users and credentials.
    pub users: Arc<dyn UserStore>,
    /// Login sessions.
    pub sessions: Arc<dyn SessionStore>,
    /// Courses, lessons, staff, enrolment.
    pub courses: Arc<dyn CourseStore>,
    /// Groups and mentors.
    pub groups: Arc<dyn GroupStore>,
    /// Comment threads of submissions.
    pub comments: Arc<dyn CommentStore>,
    /// Course announcements.
    pub announcements: Arc<dyn AnnouncementStore>,
    /// Homework.
    pub homework: Arc<dyn HomeworkStore>,
    /// Quizzes.
    pub quizzes: Arc<dyn QuizStore>,
    /// Question banks.
    pub bank: Arc<dyn BankStore>,
    /// Webinars.
    pub webinars: Arc<dyn WebinarStore>,
    /// Outbox, preferences, Telegram links.
    pub notifications: Arc<dyn NotificationStore>,
    /// Badges.
    pub achievements: Arc<dyn AchievementStore>,
    /// Dashboard read model.
    pub dashboards: Arc<dyn DashboardStore>,
    /// Schedule read model.
    pub schedules: Arc<dyn ScheduleStore>,
    /// Metadata and owners of uploaded files.
    pub files: Arc<dyn FileRegistry>,
    /// Idempotency records of client requests.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Invitations, password resets, onboarding batches.
    pub onboarding: Arc<dyn OnboardingStore>,
}

/// A type implementing every storage port.
pub trait StorageAdapter:
    UserStore
    + SessionStore
    + CourseStore
    + GroupStore
    + CommentStore
    + AnnouncementStore
    + HomeworkStore
    + QuizStore
    + BankStore
    + WebinarStore
    + NotificationStore
    + AchievementStore
    + DashboardStore
    + ScheduleStore
    + FileRegistry
    + IdempotencyStore
    + OnboardingStore
    + 'static
{
}

impl<T> StorageAdapter for T where
    T: UserStore
        + SessionStore
        + CourseStore
        + GroupStore
        + CommentStore
        + AnnouncementStore
        + HomeworkStore
        + QuizStore
        + BankStore
        + WebinarStore
        + NotificationStore
        + AchievementStore
        + DashboardStore
        + ScheduleStore
        + FileRegistry
        + IdempotencyStore
        + OnboardingStore
        + 'static
{
}

impl Storage {
    /// Every port served by one adapter.
    pub fn from_adapter<A: StorageAdapter>(adapter: Arc<A>) -> Self {
        Self {
            users: adapter.clone(),
            sessions: adapter.clone(),
            courses: adapter.clone(),
            groups: adapter.clone(),
            comments: adapter.clone(),
            announcements: adapter.clone(),
            homework: adapter.clone(),
            quizzes: adapter.clone(),
            bank: adapter.clone(),
            webinars: adapter.clone(),
            notifications: adapter.clone(),
            achievements: adapter.clone(),
            dashboards: adapter.clone(),
            schedules: adapter.clone(),
            files: adapter.clone(),
            idempotency: adapter.clone(),
            onboarding: adapter,
        }
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Storage { .. }")
    }
}
