//! [`Lms`]: every service of the core wired to one storage, clock and set of
//! webinar providers — the usual entry point for embedders and HTTP layers.

use std::sync::Arc;

use crate::achievement::AchievementService;
use crate::announcement::AnnouncementService;
use crate::bank::BankService;
use crate::clock::Clock;
use crate::course::CourseService;
use crate::dashboard::DashboardService;
use crate::file::FileService;
use crate::gradebook::GradebookService;
use crate::homework::HomeworkService;
use crate::notification::{DispatchConfig, Dispatcher, NotificationService, Notifier};
use crate::ports::Storage;
use crate::quiz::QuizService;
use crate::schedule::ScheduleService;
use crate::user::UserService;
use crate::webinar::{WebinarProvider, WebinarService};

/// Every service of the core, sharing one storage and clock. Cheap to clone
/// behind an `Arc`; services are stateless apart from their ports.
pub struct Lms {
    /// Accounts, login sessions, calendar-feed tokens.
    pub users: UserService,
    /// Courses, lessons, staff and enrolment.
    pub courses: CourseService,
    /// Assignments, hand-ins and grading.
    pub homework: HomeworkService,
    /// Quizzes and attempts.
    pub quizzes: QuizService,
    /// Course question banks: import, export, random slots' pools.
    pub bank: BankService,
    /// Webinars at the configured providers.
    pub webinars: WebinarService,
    /// Per-user schedules and calendar feeds.
    pub schedule: ScheduleService,
    /// Student and staff dashboards.
    pub dashboards: DashboardService,
    /// Gradebooks and CSV export.
    pub gradebook: GradebookService,
    /// Badges.
    pub achievements: AchievementService,
    /// Preferences, Telegram linking, reminder sweep.
    pub notifications: NotificationService,
    /// Course announcements.
    pub announcements: AnnouncementService,
    /// Upload and download authorisation, the file registry.
    pub files: FileService,
    storage: Storage,
    clock: Arc<dyn Clock>,
}

impl Lms {
    /// Sets how many unattached uploads (hand-in drafts) one user may hold.
    #[must_use]
    pub fn with_upload_quota(mut self, quota: crate::file::UploadQuota) -> Self {
        self.files.set_upload_quota(quota);
        self
    }

    /// Sets where uploaded files' bytes live (a local directory, S3: the
    /// `lms-files` crate's adapters, or your own [`FileStore`](crate::file::FileStore)).
    /// Without one, uploads and downloads fail.
    #[must_use]
    pub fn with_file_store(mut self, store: Arc<dyn crate::file::FileStore>) -> Self {
        self.files.set_file_store(store);
        self
    }

    /// Sets the largest file anyone may upload, in bytes (default
    /// [`DEFAULT_MAX_UPLOAD_BYTES`](crate::file::DEFAULT_MAX_UPLOAD_BYTES)).
    #[must_use]
    pub fn with_max_upload_bytes(mut self, max: u64) -> Self {
        self.files.set_max_upload_bytes(max);
        self
    }

    /// Sets how long a draft upload waits to be used before
    /// [`FileService::purge_drafts`](crate::file::FileService::purge_drafts)
    /// deletes it (default a day).
    #[must_use]
    pub fn with_draft_lifetime(mut self, lifetime: chrono::Duration) -> Self {
        self.files.set_draft_lifetime(lifetime);
        self
    }

    /// Sets how many versions one student may hand in to one assignment
    /// (default [`crate::homework::DEFAULT_MAX_VERSIONS`]).
    #[must_use]
    pub fn with_max_hand_in_versions(mut self, max: u32) -> Self {
        self.homework.set_max_versions(max);
        self
    }

    /// Wires every service to `storage`, `clock` and the webinar `providers`
    /// the school has configured.
    #[must_use]
    pub fn new(
        storage: Storage,
        clock: Arc<dyn Clock>,
        providers: Vec<Arc<dyn WebinarProvider>>,
    ) -> Self {
        let s = &storage;
        Self {
            users: UserService::new(s.users.clone(), s.sessions.clone(), clock.clone()),
            courses: CourseService::new(
                s.courses.clone(),
                s.groups.clone(),
                s.users.clone(),
                s.files.clone(),
                clock.clone(),
            ),
            homework: HomeworkService::new(
                s.homework.clone(),
                s.courses.clone(),
                s.groups.clone(),
                s.comments.clone(),
                s.files.clone(),
                s.notifications.clone(),
                s.dashboards.clone(),
                clock.clone(),
            ),
            quizzes: QuizService::new(
                s.quizzes.clone(),
                s.bank.clone(),
                s.courses.clone(),
                s.groups.clone(),
                s.files.clone(),
                s.notifications.clone(),
                s.dashboards.clone(),
                clock.clone(),
            ),
            webinars: WebinarService::new(
                s.webinars.clone(),
                s.courses.clone(),
                s.users.clone(),
                s.notifications.clone(),
                providers,
                clock.clone(),
            ),
            schedule: ScheduleService::new(s.schedules.clone(), s.users.clone(), clock.clone()),
            dashboards: DashboardService::new(
                s.dashboards.clone(),
                s.courses.clone(),
                s.groups.clone(),
                clock.clone(),
            ),
            gradebook: GradebookService::new(
                s.dashboards.clone(),
                s.courses.clone(),
                s.groups.clone(),
                s.users.clone(),
                clock.clone(),
            ),
            achievements: AchievementService::new(s.achievements.clone(), s.courses.clone()),
            notifications: NotificationService::new(
                s.notifications.clone(),
                s.webinars.clone(),
                s.courses.clone(),
                clock.clone(),
            ),
            bank: BankService::new(
                s.bank.clone(),
                s.courses.clone(),
                s.groups.clone(),
                clock.clone(),
            ),
            announcements: AnnouncementService::new(
                s.announcements.clone(),
                s.courses.clone(),
                s.groups.clone(),
                s.notifications.clone(),
                s.files.clone(),
                clock.clone(),
            ),
            files: FileService::new(
                s.files.clone(),
                s.courses.clone(),
                s.groups.clone(),
                s.homework.clone(),
                s.quizzes.clone(),
                s.users.clone(),
                clock.clone(),
            ),
            storage,
            clock,
        }
    }

    /// An outbox dispatcher delivering through `notifiers` (one per channel).
    #[must_use]
    pub fn dispatcher(
        &self,
        notifiers: Vec<Arc<dyn Notifier>>,
        config: DispatchConfig,
    ) -> Dispatcher {
        Dispatcher::new(
            self.storage.notifications.clone(),
            notifiers,
            self.clock.clone(),
            config,
        )
    }

    /// The storage ports the services use.
    #[must_use]
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The clock the services use.
    #[must_use]
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }
}

impl std::fmt::Debug for Lms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lms { .. }")
    }
}
