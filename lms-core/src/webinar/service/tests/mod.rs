//! Tests of the webinar service.

use super::*;
use crate::clock::ManualClock;
use crate::course::{CourseRole, MockCourseStore};
use crate::error::{DomainError, ErrorClass};
use crate::notification::{
    Channel, DedupKey, MockNotificationStore, NotificationPreferences, OutboxEntry,
};
use crate::richtext::RichText;
use crate::user::{DisplayName, Email, Locale, MockUserStore, Role, TimeZone, User};
use crate::webinar::model::Conference;
use crate::webinar::ports::{MockWebinarProvider, MockWebinarStore};
use chrono::TimeZone as _;
use proptest::prelude::*;
use std::sync::Mutex;

/// What storage calls received: the webinar and its outbox entries.
type Written = Arc<Mutex<Vec<(Webinar, Vec<OutboxEntry>)>>>;

/// Makes the error a mocked provider answers with.
type Failure = fn() -> ProviderError;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn user(email: &str, role: Role, active: bool) -> User {
    User {
        id: UserId::new(),
        email: Email::parse(email).unwrap(),
        display_name: DisplayName::parse(email).unwrap(),
        role,
        locale: Locale::Ru,
        time_zone: TimeZone::default(),
        active,
        created_at: now() - Duration::days(30),
    }
}

fn title(s: &str) -> Title {
    Title::parse(s).unwrap()
}

/// A course with an owner, an assistant, two active students and a
/// deactivated one, plus users with no role in it.
struct Scene {
    course: Course,
    owner: User,
    assistant: User,
    students: Vec<User>,
    outsider_teacher: User,
    outsider_student: User,
    admin: User,
    webinars: MockWebinarStore,
    courses: MockCourseStore,
    users: MockUserStore,
    notifications: MockNotificationStore,
    providers: Vec<MockWebinarProvider>,
}

impl Scene {
    fn new(status: CourseStatus) -> Self {
        let owner = user("teacher@school.ru", Role::Teacher, true);
        let assistant = user("curator@school.ru", Role::Assistant, true);
        let students = vec![
            user("anya@mail.ru", Role::Student, true),
            user("boris@mail.ru", Role::Student, true),
            user("gone@mail.ru", Role::Student, false),
        ];
        let course = Course {
            id: CourseId::new(),
            title: title("Алгебра 9"),
            description: RichText::sanitize("<p>Курс</p>"),
            owner_id: owner.id,
            status,
            invite_code: None,
            cover: None,
            created_at: now() - Duration::days(10),
        };
        let mut roles = HashMap::new();
        roles.insert(owner.id, CourseRole::Owner);
        roles.insert(assistant.id, CourseRole::Assistant);
        for s in &students {
            roles.insert(s.id, CourseRole::Student);
        }

        let mut courses = MockCourseStore::new();
        let c = course.clone();
        courses
            .expect_get_course()
            .returning(move |id| Ok((id == c.id).then(|| c.clone())));
        let course_id = course.id;
        courses
            .expect_membership()
            .returning(move |c, u| Ok(roles.get(&u).copied().filter(|_| c == course_id)));
        let enrolled: Vec<UserId> = students.iter().map(|s| s.id).collect();
        courses
            .expect_enrolled_students()
            .returning(move |_| Ok(enrolled.clone()));

        let outsider_teacher = user("other@school.ru", Role::Teacher, true);
        let outsider_student = user("stranger@mail.ru", Role::Student, true);
        let admin = user("admin@school.ru", Role::Admin, true);
        let everyone: Vec<User> = [&owner, &assistant, &outsider_teacher]
            .into_iter()
            .chain(&students)
            .cloned()
            .collect();
        let mut users = MockUserStore::new();
        let all = everyone.clone();
        users
            .expect_get_user()
            .returning(move |id| Ok(all.iter().find(|u| u.id == id).cloned()));
        let all = everyone.clone();
        users.expect_get_users().returning(move |ids| {
            // Storage returns users in any order: reverse to prove it.
            Ok(all
                .iter()
                .rev()
                .filter(|u| ids.contains(&u.id))
                .cloned()
                .collect())
        });

        let mut notifications = MockNotificationStore::new();
        let all = everyone;
        notifications
            .expect_delivery_profiles()
            .returning(move |ids| {
                Ok(all
                    .iter()
                    .filter(|u| ids.contains(&u.id))
                    .map(|u| DeliveryProfile {
                        user_id: u.id,
                        active: u.active,
                        preferences: NotificationPreferences::defaults(u.id),
                        telegram_linked: false,
                    })
                    .collect())
            });

        Self {
            course,
            owner,
            assistant,
            students,
            outsider_teacher,
            outsider_student,
            admin,
            webinars: MockWebinarStore::new(),
            courses,
            users,
            notifications,
            providers: Vec::new(),
        }
    }

    fn published() -> Self {
        Self::new(CourseStatus::Published)
    }

    fn owner(&self) -> Actor {
        self.owner.actor()
    }

    fn student(&self) -> Actor {
        self.students[0].actor()
    }

    /// Actors who must not manage the course, with whether they can see it.
    fn non_managers(&self) -> Vec<(Actor, bool)> {
        vec![
            (self.assistant.actor(), true),
            (self.students[0].actor(), true),
            (self.outsider_teacher.actor(), false),
            (self.outsider_student.actor(), false),
        ]
    }

    fn with_provider(mut self, provider: MockWebinarProvider) -> Self {
        self.providers.push(provider);
        self
    }

    /// Makes `get_webinar` return `webinar`.
    fn with_webinar(mut self, webinar: &Webinar) -> Self {
        let w = webinar.clone();
        self.webinars
            .expect_get_webinar()
            .returning(move |id| Ok((id == w.id).then(|| w.clone())));
        self
    }

    /// Expects one `insert_webinar` and records it; it fails with `fail`
    /// if given.
    fn recording_inserts(&mut self, fail: Option<StorageError>) -> Written {
        let written = Written::default();
        let w = written.clone();
        let fail = Mutex::new(fail);
        self.webinars
            .expect_insert_webinar()
            .times(1)
            .returning(move |webinar, outbox| {
                w.lock().unwrap().push((webinar.clone(), outbox.to_vec()));
                fail.lock().unwrap().take().map_or(Ok(()), Err)
            });
        written
    }

    /// Expects one `update_webinar` and records it.
    fn recording_updates(&mut self) -> Written {
        let written = Written::default();
        let w = written.clone();
        self.webinars
            .expect_update_webinar()
            .times(1)
            .returning(move |webinar, outbox| {
                w.lock().unwrap().push((webinar.clone(), outbox.to_vec()));
                Ok(())
            });
        written
    }

    fn service(self) -> WebinarService {
        WebinarService::new(
            Arc::new(self.webinars),
            Arc::new(self.courses),
            Arc::new(self.users),
            Arc::new(self.notifications),
            self.providers
                .into_iter()
                .map(|p| Arc::new(p) as Arc<dyn WebinarProvider>)
                .collect(),
            Arc::new(ManualClock::new(now())),
        )
    }

    fn webinar(&self, provider: ProviderKind, state: WebinarState) -> Webinar {
        Webinar {
            id: WebinarId::new(),
            course_id: self.course.id,
            title: title("Квадратные уравнения"),
            starts_at: now() + Duration::days(1),
            duration_minutes: 90,
            provider,
            conference_id: Some("conf-1".into()),
            join_url: "https://tc.school.ru/c/conf-1".into(),
            host_url: Some("https://tc.school.ru/host/conf-1".into()),
            state,
            created_by: self.owner.id,
            created_at: now() - Duration::days(1),
        }
    }

    fn active_student_ids(&self) -> Vec<UserId> {
        self.students
            .iter()
            .filter(|s| s.active)
            .map(|s| s.id)
            .collect()
    }
}

fn provider(kind: ProviderKind) -> MockWebinarProvider {
    let mut p = MockWebinarProvider::new();
    p.expect_kind().return_const(kind);
    p
}

fn conference() -> Conference {
    Conference {
        conference_id: Some("tc-42".into()),
        join_url: "https://tc.school.ru/c/tc-42".into(),
        host_url: Some("https://tc.school.ru/host/tc-42".into()),
    }
}

fn input(provider: ProviderKind) -> WebinarInput {
    WebinarInput {
        title: title("Разбор ДЗ"),
        starts_at: now() + Duration::hours(3),
        duration_minutes: 60,
        provider,
        external_url: None,
    }
}

/// Who is told over which outward channel; each of them also gets exactly
/// one in-app copy (checked here).
fn recipients(outbox: &[OutboxEntry]) -> Vec<(UserId, Channel)> {
    let mut told: Vec<UserId> = outbox.iter().map(|e| e.recipient_id).collect();
    told.dedup();
    let in_app: Vec<UserId> = outbox
        .iter()
        .filter(|e| e.channel == Channel::InApp)
        .map(|e| e.recipient_id)
        .collect();
    assert_eq!(in_app, told, "one in-app copy per recipient");
    outbox
        .iter()
        .filter(|e| e.channel != Channel::InApp)
        .map(|e| (e.recipient_id, e.channel))
        .collect()
}

// ---- providers ----

#[test]
fn available_providers_are_keyed_by_kind_in_stable_order() {
    let service = Scene::published()
        .with_provider(provider(ProviderKind::ExternalLink))
        .with_provider(provider(ProviderKind::TrueConf))
        .with_provider(provider(ProviderKind::TrueConf))
        .service();
    assert_eq!(
        service.available_providers(),
        vec![ProviderKind::TrueConf, ProviderKind::ExternalLink]
    );
}

// ---- schedule ----

mod read;
mod reschedule_cancel;
mod schedule;
mod url;
