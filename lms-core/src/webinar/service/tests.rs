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

fn recipients(outbox: &[OutboxEntry]) -> Vec<(UserId, Channel)> {
    outbox.iter().map(|e| (e.recipient_id, e.channel)).collect()
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

#[tokio::test]
async fn owner_schedules_at_provider_stores_and_tells_students() {
    let mut scene = Scene::published();
    let specs = Arc::new(Mutex::new(Vec::new()));
    let mut tc = provider(ProviderKind::TrueConf);
    let s = specs.clone();
    tc.expect_create().times(1).returning(move |spec| {
        s.lock().unwrap().push(spec.clone());
        Ok(conference())
    });
    let written = scene.recording_inserts(None);
    let (owner, course, active) = (
        scene.owner(),
        scene.course.clone(),
        scene.active_student_ids(),
    );
    let mut req = input(ProviderKind::TrueConf);
    req.external_url = Some("not even a url".into());
    let service = scene.with_provider(tc).service();

    let webinar = service
        .schedule(&owner, course.id, req.clone())
        .await
        .unwrap();

    let spec = specs.lock().unwrap().pop().unwrap();
    assert_eq!(
        spec,
        ConferenceSpec {
            webinar_id: webinar.id,
            title: "Разбор ДЗ".into(),
            starts_at: req.starts_at,
            duration_minutes: 60,
            host_email: "teacher@school.ru".into(),
            participant_emails: vec!["anya@mail.ru".into(), "boris@mail.ru".into()],
            external_url: None,
        },
        "deactivated students are not invited; the link is ignored for TrueConf"
    );
    assert_eq!(
        webinar,
        Webinar {
            id: webinar.id,
            course_id: course.id,
            title: req.title.clone(),
            starts_at: req.starts_at,
            duration_minutes: 60,
            provider: ProviderKind::TrueConf,
            conference_id: Some("tc-42".into()),
            join_url: "https://tc.school.ru/c/tc-42".into(),
            host_url: Some("https://tc.school.ru/host/tc-42".into()),
            state: WebinarState::Scheduled,
            created_by: owner.user_id,
            created_at: now(),
        }
    );
    let (stored, outbox) = written.lock().unwrap().pop().unwrap();
    assert_eq!(stored, webinar);
    assert_eq!(
        recipients(&outbox),
        active
            .iter()
            .map(|id| (*id, Channel::Email))
            .collect::<Vec<_>>()
    );
    for entry in &outbox {
        let event = format!("webinar_scheduled:{}", webinar.id);
        assert_eq!(
            entry.dedup_key,
            DedupKey::new(entry.recipient_id, &event, Channel::Email)
        );
        assert_eq!(
            entry.notification,
            Notification::WebinarScheduled {
                course_id: course.id,
                course_title: "Алгебра 9".into(),
                webinar_id: webinar.id,
                title: "Разбор ДЗ".into(),
                starts_at: req.starts_at,
                join_url: Some("https://tc.school.ru/c/tc-42".into()),
            }
        );
        assert_eq!(entry.next_attempt_at, now());
    }
}

#[tokio::test]
async fn admin_without_membership_may_schedule() {
    let mut scene = Scene::published();
    let mut tc = provider(ProviderKind::Telemost);
    tc.expect_create().times(1).returning(|_| Ok(conference()));
    let written = scene.recording_inserts(None);
    let (admin, course) = (scene.admin.actor(), scene.course.id);
    let webinar = scene
        .with_provider(tc)
        .service()
        .schedule(&admin, course, input(ProviderKind::Telemost))
        .await
        .unwrap();
    assert_eq!(webinar.created_by, admin.user_id);
    assert_eq!(webinar.provider, ProviderKind::Telemost);
    assert_eq!(written.lock().unwrap()[0].0, webinar);
}

#[tokio::test]
async fn non_managers_cannot_schedule_and_nothing_is_created() {
    let scene = Scene::published();
    let cases = scene.non_managers();
    let course = scene.course.id;
    // The provider and the store have no expectations: any call panics.
    let service = scene
        .with_provider(provider(ProviderKind::TrueConf))
        .service();
    for (actor, sees) in cases {
        let err = service
            .schedule(&actor, course, input(ProviderKind::TrueConf))
            .await
            .unwrap_err();
        if sees {
            assert!(matches!(err, ScheduleWebinarError::Forbidden), "{actor:?}");
            assert_eq!(err.class(), ErrorClass::Forbidden);
        } else {
            assert!(
                matches!(err, ScheduleWebinarError::CourseNotFound),
                "{actor:?}"
            );
            assert_eq!(err.class(), ErrorClass::NotFound);
        }
    }
    let err = service
        .schedule(
            &Actor {
                user_id: UserId::new(),
                role: Role::Admin,
            },
            CourseId::new(),
            input(ProviderKind::TrueConf),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ScheduleWebinarError::CourseNotFound));
}

#[tokio::test]
async fn students_of_a_draft_course_get_not_found() {
    let scene = Scene::new(CourseStatus::Draft);
    let (student, course) = (scene.student(), scene.course.id);
    let err = scene
        .service()
        .schedule(&student, course, input(ProviderKind::TrueConf))
        .await
        .unwrap_err();
    assert!(matches!(err, ScheduleWebinarError::CourseNotFound));
}

#[tokio::test]
async fn archived_course_is_refused() {
    let scene = Scene::new(CourseStatus::Archived);
    let (owner, course) = (scene.owner(), scene.course.id);
    let err = scene
        .with_provider(provider(ProviderKind::TrueConf))
        .service()
        .schedule(&owner, course, input(ProviderKind::TrueConf))
        .await
        .unwrap_err();
    assert!(matches!(err, ScheduleWebinarError::CourseArchived));
    assert_eq!(err.code(), "course_archived");
}

#[tokio::test]
async fn draft_course_webinar_is_stored_without_messages() {
    let mut scene = Scene::new(CourseStatus::Draft);
    scene.notifications.checkpoint();
    scene.notifications.expect_delivery_profiles().never();
    let mut tc = provider(ProviderKind::TrueConf);
    tc.expect_create().times(1).returning(|_| Ok(conference()));
    let written = scene.recording_inserts(None);
    let (owner, course) = (scene.owner(), scene.course.id);
    let webinar = scene
        .with_provider(tc)
        .service()
        .schedule(&owner, course, input(ProviderKind::TrueConf))
        .await
        .unwrap();
    let (stored, outbox) = written.lock().unwrap().pop().unwrap();
    assert_eq!(stored, webinar);
    assert!(outbox.is_empty(), "students cannot see a draft course yet");
}

#[tokio::test]
async fn duration_bounds() {
    for (minutes, ok) in [(0, false), (1, true), (1440, true), (1441, false)] {
        let mut scene = Scene::published();
        let mut tc = provider(ProviderKind::TrueConf);
        tc.expect_create()
            .times(usize::from(ok))
            .returning(|_| Ok(conference()));
        let written = ok.then(|| scene.recording_inserts(None));
        let (owner, course) = (scene.owner(), scene.course.id);
        let mut req = input(ProviderKind::TrueConf);
        req.duration_minutes = minutes;
        let result = scene
            .with_provider(tc)
            .service()
            .schedule(&owner, course, req)
            .await;
        match result {
            Ok(w) => {
                assert!(ok, "{minutes}");
                assert_eq!(w.duration_minutes, minutes);
                assert_eq!(
                    written.unwrap().lock().unwrap()[0].0.duration_minutes,
                    minutes
                );
            }
            Err(e) => {
                assert!(!ok, "{minutes}");
                assert!(matches!(e, ScheduleWebinarError::InvalidDuration(m) if m == minutes));
                assert!(e.to_string().contains("duration_minutes"));
                assert_eq!(e.class(), ErrorClass::Invalid);
            }
        }
    }
}

#[tokio::test]
async fn start_may_be_at_most_five_minutes_ago() {
    let cases = [
        (Duration::minutes(-5), true),
        (Duration::minutes(-5) - Duration::seconds(1), false),
        (Duration::days(-1), false),
    ];
    for (offset, ok) in cases {
        let mut scene = Scene::published();
        let mut tc = provider(ProviderKind::TrueConf);
        tc.expect_create()
            .times(usize::from(ok))
            .returning(|_| Ok(conference()));
        if ok {
            scene.recording_inserts(None);
        }
        let (owner, course) = (scene.owner(), scene.course.id);
        let mut req = input(ProviderKind::TrueConf);
        req.starts_at = now() + offset;
        let result = scene
            .with_provider(tc)
            .service()
            .schedule(&owner, course, req)
            .await;
        match result {
            Ok(w) => assert!(ok && w.starts_at == now() + offset, "{offset}"),
            Err(e) => {
                assert!(!ok, "{offset}");
                assert!(matches!(e, ScheduleWebinarError::StartsInPast));
                assert!(e.to_string().contains("starts_at"));
            }
        }
    }
}

#[tokio::test]
async fn unconfigured_provider_is_refused() {
    let scene = Scene::published();
    let (owner, course) = (scene.owner(), scene.course.id);
    let err = scene
        .with_provider(provider(ProviderKind::TrueConf))
        .service()
        .schedule(&owner, course, input(ProviderKind::Telemost))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ScheduleWebinarError::UnknownProvider(ProviderKind::Telemost)
    ));
    assert_eq!(err.code(), "unknown_provider");
    assert!(err.to_string().contains("telemost"));
}

#[tokio::test]
async fn external_link_needs_a_valid_http_link() {
    let bad = [
        (None, ExternalUrlError::Missing),
        (Some("   "), ExternalUrlError::Missing),
        (Some("ftp://files.school.ru/x"), ExternalUrlError::Scheme),
        (Some("javascript:alert(1)"), ExternalUrlError::Scheme),
        (Some("https:///path"), ExternalUrlError::Host),
        (Some("https://zoom.us/j/1 2"), ExternalUrlError::Malformed),
    ];
    for (url, expected) in bad {
        let scene = Scene::published();
        let (owner, course) = (scene.owner(), scene.course.id);
        let mut req = input(ProviderKind::ExternalLink);
        req.external_url = url.map(str::to_owned);
        let err = scene
            .with_provider(provider(ProviderKind::ExternalLink))
            .service()
            .schedule(&owner, course, req)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ScheduleWebinarError::InvalidUrl(e) if e == expected),
            "{url:?}: {err:?}"
        );
        assert!(err.to_string().contains("external_url"));
        assert_eq!(err.class(), ErrorClass::Invalid);
    }
}

#[tokio::test]
async fn external_link_is_passed_to_the_provider() {
    let mut scene = Scene::published();
    let mut link = provider(ProviderKind::ExternalLink);
    link.expect_create()
        .withf(|spec| spec.external_url.as_deref() == Some("https://zoom.us/j/123?pwd=x"))
        .times(1)
        .returning(|spec| {
            Ok(Conference {
                conference_id: None,
                join_url: spec.external_url.clone().unwrap(),
                host_url: None,
            })
        });
    let written = scene.recording_inserts(None);
    let (owner, course) = (scene.owner(), scene.course.id);
    let mut req = input(ProviderKind::ExternalLink);
    req.external_url = Some("  https://zoom.us/j/123?pwd=x ".into());
    let webinar = scene
        .with_provider(link)
        .service()
        .schedule(&owner, course, req)
        .await
        .unwrap();
    assert_eq!(webinar.join_url, "https://zoom.us/j/123?pwd=x");
    assert_eq!(webinar.conference_id, None);
    assert_eq!(written.lock().unwrap()[0].0.join_url, webinar.join_url);
}

#[tokio::test]
async fn provider_failures_store_nothing() {
    let cases = [
        (
            ProviderError::Transient("timeout".into()),
            ErrorClass::Unavailable,
        ),
        (
            ProviderError::Permanent("400: поле topic слишком длинное".into()),
            ErrorClass::Conflict,
        ),
    ];
    for (failure, class) in cases {
        let scene = Scene::published();
        let mut tc = provider(ProviderKind::TrueConf);
        let failure = Mutex::new(Some(failure));
        tc.expect_create()
            .times(1)
            .returning(move |_| Err(failure.lock().unwrap().take().unwrap()));
        let (owner, course) = (scene.owner(), scene.course.id);
        // No insert expectation: storing would panic.
        let err = scene
            .with_provider(tc)
            .service()
            .schedule(&owner, course, input(ProviderKind::TrueConf))
            .await
            .unwrap_err();
        assert_eq!(err.class(), class);
        match err {
            ScheduleWebinarError::ProviderUnavailable(msg) => assert_eq!(msg, "timeout"),
            ScheduleWebinarError::ProviderRejected(ref msg) => {
                assert_eq!(msg, "400: поле topic слишком длинное");
                assert!(err.to_string().contains("поле topic слишком длинное"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn failed_insert_deletes_the_conference_and_keeps_the_storage_error() {
    let mut scene = Scene::published();
    let mut tc = provider(ProviderKind::TrueConf);
    tc.expect_create().times(1).returning(|_| Ok(conference()));
    tc.expect_delete()
        .withf(|id| id.as_deref() == Some("tc-42"))
        .times(1)
        .returning(|_| Err(ProviderError::Transient("also down".into())));
    scene.recording_inserts(Some(StorageError::Transient("pool timeout".into())));
    let (owner, course) = (scene.owner(), scene.course.id);
    let err = scene
        .with_provider(tc)
        .service()
        .schedule(&owner, course, input(ProviderKind::TrueConf))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScheduleWebinarError::Storage(StorageError::Transient(ref m)) if m == "pool timeout")
    );
    assert_eq!(err.code(), "storage_unavailable");
}

#[tokio::test]
async fn missing_owner_account_is_an_internal_error_before_the_provider() {
    let mut scene = Scene::published();
    scene.users.checkpoint();
    scene.users.expect_get_user().returning(|_| Ok(None));
    let (admin, course) = (scene.admin.actor(), scene.course.id);
    let err = scene
        .with_provider(provider(ProviderKind::TrueConf))
        .service()
        .schedule(&admin, course, input(ProviderKind::TrueConf))
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Internal);
    assert!(matches!(err, ScheduleWebinarError::OwnerMissing(_)));
}

// ---- reschedule ----

fn moved() -> RescheduleInput {
    RescheduleInput {
        title: title("Квадратные уравнения, часть 2"),
        starts_at: now() + Duration::days(2),
        duration_minutes: 120,
    }
}

#[tokio::test]
async fn reschedule_updates_provider_takes_new_links_and_tells_students() {
    let scene = Scene::published();
    let old = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let mut scene = scene.with_webinar(&old);
    let mut tc = provider(ProviderKind::TrueConf);
    let expected_spec = ConferenceSpec {
        webinar_id: old.id,
        title: "Квадратные уравнения, часть 2".into(),
        starts_at: moved().starts_at,
        duration_minutes: 120,
        host_email: "teacher@school.ru".into(),
        participant_emails: vec!["anya@mail.ru".into(), "boris@mail.ru".into()],
        external_url: None,
    };
    tc.expect_update()
        .withf(move |id, spec| id.as_deref() == Some("conf-1") && *spec == expected_spec)
        .times(1)
        .returning(|_, _| {
            Ok(Conference {
                conference_id: None,
                join_url: "https://tc.school.ru/c/conf-1?v=2".into(),
                host_url: None,
            })
        });
    let written = scene.recording_updates();
    let (owner, course, active) = (scene.owner(), scene.course.id, scene.active_student_ids());

    let updated = scene
        .with_provider(tc)
        .service()
        .reschedule(&owner, old.id, moved())
        .await
        .unwrap();

    assert_eq!(
        updated,
        Webinar {
            title: moved().title,
            starts_at: moved().starts_at,
            duration_minutes: 120,
            join_url: "https://tc.school.ru/c/conf-1?v=2".into(),
            host_url: None,
            ..old.clone()
        },
        "links come from the provider; the conference id is kept"
    );
    let (stored, outbox) = written.lock().unwrap().pop().unwrap();
    assert_eq!(stored, updated);
    assert_eq!(
        recipients(&outbox),
        active
            .iter()
            .map(|id| (*id, Channel::Email))
            .collect::<Vec<_>>()
    );
    // One change id for the whole fan-out: "<recipient>|webinar_changed:<id>:<change>|email".
    let event = outbox[0].dedup_key.0.split('|').nth(1).unwrap().to_owned();
    assert!(
        event.starts_with(&format!("webinar_changed:{}:", old.id)),
        "{event}"
    );
    for entry in &outbox {
        assert_eq!(
            entry.dedup_key,
            DedupKey::new(entry.recipient_id, &event, Channel::Email)
        );
        assert_eq!(
            entry.notification,
            Notification::WebinarChanged {
                course_id: course,
                webinar_id: old.id,
                title: "Квадратные уравнения, часть 2".into(),
                starts_at: Some(moved().starts_at),
                cancelled: false,
            }
        );
    }
}

#[tokio::test]
async fn reschedule_of_external_link_passes_the_stored_link() {
    let scene = Scene::published();
    let mut old = scene.webinar(ProviderKind::ExternalLink, WebinarState::Scheduled);
    old.conference_id = None;
    old.join_url = "https://zoom.us/j/77".into();
    let mut scene = scene.with_webinar(&old);
    let mut link = provider(ProviderKind::ExternalLink);
    link.expect_update()
        .withf(|id, spec| {
            id.is_none() && spec.external_url.as_deref() == Some("https://zoom.us/j/77")
        })
        .times(1)
        .returning(|_, spec| {
            Ok(Conference {
                conference_id: None,
                join_url: spec.external_url.clone().unwrap(),
                host_url: None,
            })
        });
    let written = scene.recording_updates();
    let owner = scene.owner();
    let updated = scene
        .with_provider(link)
        .service()
        .reschedule(&owner, old.id, moved())
        .await
        .unwrap();
    assert_eq!(updated.join_url, "https://zoom.us/j/77");
    assert_eq!(written.lock().unwrap()[0].0.starts_at, moved().starts_at);
}

#[tokio::test]
async fn admin_may_reschedule() {
    let scene = Scene::published();
    let old = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let mut scene = scene.with_webinar(&old);
    let mut tc = provider(ProviderKind::TrueConf);
    tc.expect_update()
        .times(1)
        .returning(|_, _| Ok(conference()));
    let written = scene.recording_updates();
    let admin = scene.admin.actor();
    let updated = scene
        .with_provider(tc)
        .service()
        .reschedule(&admin, old.id, moved())
        .await
        .unwrap();
    assert_eq!(updated.conference_id.as_deref(), Some("tc-42"));
    assert_eq!(written.lock().unwrap()[0].0, updated);
}

#[tokio::test]
async fn non_managers_cannot_reschedule_or_cancel() {
    let scene = Scene::published();
    let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let scene = scene.with_webinar(&webinar);
    let cases = scene.non_managers();
    let service = scene
        .with_provider(provider(ProviderKind::TrueConf))
        .service();
    for (actor, sees) in cases {
        let err = service
            .reschedule(&actor, webinar.id, moved())
            .await
            .unwrap_err();
        let cancel = service.cancel(&actor, webinar.id).await.unwrap_err();
        if sees {
            assert!(
                matches!(err, RescheduleWebinarError::Forbidden),
                "{actor:?}"
            );
            assert!(matches!(cancel, CancelWebinarError::Forbidden), "{actor:?}");
        } else {
            assert!(matches!(err, RescheduleWebinarError::NotFound), "{actor:?}");
            assert!(matches!(cancel, CancelWebinarError::NotFound), "{actor:?}");
            assert_eq!(cancel.code(), "webinar_not_found");
        }
    }
    let admin = Actor {
        user_id: UserId::new(),
        role: Role::Admin,
    };
    assert!(matches!(
        service.reschedule(&admin, WebinarId::new(), moved()).await,
        Err(RescheduleWebinarError::NotFound)
    ));
    assert!(matches!(
        service.cancel(&admin, WebinarId::new()).await,
        Err(CancelWebinarError::NotFound)
    ));
}

#[tokio::test]
async fn cancelled_webinar_cannot_be_rescheduled() {
    let scene = Scene::published();
    let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Cancelled);
    let owner = scene.owner();
    let err = scene
        .with_webinar(&webinar)
        .with_provider(provider(ProviderKind::TrueConf))
        .service()
        .reschedule(&owner, webinar.id, moved())
        .await
        .unwrap_err();
    assert!(matches!(err, RescheduleWebinarError::Cancelled));
    assert_eq!(err.class(), ErrorClass::Conflict);
}

#[tokio::test]
async fn reschedule_validates_like_schedule() {
    let scene = Scene::published();
    let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let owner = scene.owner();
    let service = scene
        .with_webinar(&webinar)
        .with_provider(provider(ProviderKind::TrueConf))
        .service();
    let mut long = moved();
    long.duration_minutes = 1441;
    assert!(matches!(
        service.reschedule(&owner, webinar.id, long).await,
        Err(RescheduleWebinarError::InvalidDuration(1441))
    ));
    let mut past = moved();
    past.starts_at = now() - Duration::minutes(6);
    assert!(matches!(
        service.reschedule(&owner, webinar.id, past).await,
        Err(RescheduleWebinarError::StartsInPast)
    ));
}

#[tokio::test]
async fn reschedule_in_archived_course_is_refused() {
    let scene = Scene::new(CourseStatus::Archived);
    let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let owner = scene.owner();
    let err = scene
        .with_webinar(&webinar)
        .with_provider(provider(ProviderKind::TrueConf))
        .service()
        .reschedule(&owner, webinar.id, moved())
        .await
        .unwrap_err();
    assert!(matches!(err, RescheduleWebinarError::CourseArchived));
}

#[tokio::test]
async fn reschedule_provider_failures_change_nothing() {
    let cases: [(Failure, &str); 3] = [
        (
            || ProviderError::Transient("503".into()),
            "provider_unavailable",
        ),
        (
            || ProviderError::Permanent("forbidden".into()),
            "provider_rejected",
        ),
        (|| ProviderError::NotFound, "conference_missing"),
    ];
    for (failure, code) in cases {
        let scene = Scene::published();
        let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
        let mut tc = provider(ProviderKind::TrueConf);
        tc.expect_update()
            .times(1)
            .returning(move |_, _| Err(failure()));
        let owner = scene.owner();
        // No update_webinar expectation: storing would panic.
        let err = scene
            .with_webinar(&webinar)
            .with_provider(tc)
            .service()
            .reschedule(&owner, webinar.id, moved())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code);
    }
}

#[tokio::test]
async fn reschedule_and_cancel_need_the_webinars_provider() {
    let scene = Scene::published();
    let webinar = scene.webinar(ProviderKind::Telemost, WebinarState::Scheduled);
    let owner = scene.owner();
    let service = scene
        .with_webinar(&webinar)
        .with_provider(provider(ProviderKind::TrueConf))
        .service();
    assert!(matches!(
        service.reschedule(&owner, webinar.id, moved()).await,
        Err(RescheduleWebinarError::ProviderNotConfigured(
            ProviderKind::Telemost
        ))
    ));
    assert!(matches!(
        service.cancel(&owner, webinar.id).await,
        Err(CancelWebinarError::ProviderNotConfigured(
            ProviderKind::Telemost
        ))
    ));
}

// ---- cancel ----

#[tokio::test]
async fn cancel_deletes_conference_and_tells_students() {
    for deleted in [Ok(()), Err(ProviderError::NotFound)] {
        let scene = Scene::published();
        let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
        let mut scene = scene.with_webinar(&webinar);
        let mut tc = provider(ProviderKind::TrueConf);
        let deleted = Mutex::new(Some(deleted));
        tc.expect_delete()
            .withf(|id| id.as_deref() == Some("conf-1"))
            .times(1)
            .returning(move |_| deleted.lock().unwrap().take().unwrap());
        let written = scene.recording_updates();
        let (owner, course, active) = (scene.owner(), scene.course.id, scene.active_student_ids());

        let cancelled = scene
            .with_provider(tc)
            .service()
            .cancel(&owner, webinar.id)
            .await
            .unwrap();

        assert_eq!(
            cancelled,
            Webinar {
                state: WebinarState::Cancelled,
                ..webinar.clone()
            }
        );
        let (stored, outbox) = written.lock().unwrap().pop().unwrap();
        assert_eq!(stored, cancelled);
        assert_eq!(
            recipients(&outbox),
            active
                .iter()
                .map(|id| (*id, Channel::Email))
                .collect::<Vec<_>>()
        );
        let event = format!("webinar_cancelled:{}", webinar.id);
        for entry in &outbox {
            assert_eq!(
                entry.dedup_key,
                DedupKey::new(entry.recipient_id, &event, Channel::Email)
            );
            assert_eq!(
                entry.notification,
                Notification::WebinarChanged {
                    course_id: course,
                    webinar_id: webinar.id,
                    title: "Квадратные уравнения".into(),
                    starts_at: None,
                    cancelled: true,
                }
            );
        }
    }
}

#[tokio::test]
async fn cancelling_twice_changes_nothing() {
    let scene = Scene::published();
    let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Cancelled);
    let owner = scene.owner();
    // Neither the provider nor update_webinar may be called.
    let again = scene
        .with_webinar(&webinar)
        .with_provider(provider(ProviderKind::TrueConf))
        .service()
        .cancel(&owner, webinar.id)
        .await
        .unwrap();
    assert_eq!(again, webinar);
}

#[tokio::test]
async fn cancel_provider_failures_change_nothing() {
    let cases: [(Failure, ErrorClass); 2] = [
        (
            || ProviderError::Transient("timeout".into()),
            ErrorClass::Unavailable,
        ),
        (
            || ProviderError::Permanent("401".into()),
            ErrorClass::Conflict,
        ),
    ];
    for (failure, class) in cases {
        let scene = Scene::published();
        let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
        let mut tc = provider(ProviderKind::TrueConf);
        tc.expect_delete()
            .times(1)
            .returning(move |_| Err(failure()));
        let owner = scene.owner();
        let err = scene
            .with_webinar(&webinar)
            .with_provider(tc)
            .service()
            .cancel(&owner, webinar.id)
            .await
            .unwrap_err();
        assert_eq!(err.class(), class);
    }
}

#[tokio::test]
async fn cancel_in_archived_course_is_allowed() {
    let scene = Scene::new(CourseStatus::Archived);
    let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let mut scene = scene.with_webinar(&webinar);
    let mut tc = provider(ProviderKind::TrueConf);
    tc.expect_delete().times(1).returning(|_| Ok(()));
    let written = scene.recording_updates();
    let owner = scene.owner();
    let cancelled = scene
        .with_provider(tc)
        .service()
        .cancel(&owner, webinar.id)
        .await
        .unwrap();
    assert_eq!(cancelled.state, WebinarState::Cancelled);
    assert_eq!(written.lock().unwrap()[0].0.state, WebinarState::Cancelled);
}

// ---- views ----

#[tokio::test]
async fn students_see_scheduled_webinars_without_host_links() {
    let mut scene = Scene::published();
    let live = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let gone = scene.webinar(ProviderKind::TrueConf, WebinarState::Cancelled);
    let all = vec![live.clone(), gone.clone()];
    let course = scene.course.id;
    scene
        .webinars
        .expect_list_course_webinars()
        .withf(move |c| *c == course)
        .returning(move |_| Ok(all.clone()));
    let (student, owner, assistant) = (scene.student(), scene.owner(), scene.assistant.actor());
    let service = scene.service();

    let seen = service
        .list_course_webinars(&student, course)
        .await
        .unwrap();
    assert_eq!(
        seen,
        vec![WebinarView {
            webinar: Webinar {
                host_url: None,
                ..live.clone()
            },
            can_manage: false,
        }]
    );

    let seen = service.list_course_webinars(&owner, course).await.unwrap();
    assert_eq!(
        seen,
        vec![
            WebinarView {
                webinar: live.clone(),
                can_manage: true
            },
            WebinarView {
                webinar: gone.clone(),
                can_manage: true
            },
        ]
    );

    let seen = service
        .list_course_webinars(&assistant, course)
        .await
        .unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0].webinar.host_url, live.host_url,
        "assistants are staff"
    );
    assert!(!seen[0].can_manage);
}

#[tokio::test]
async fn outsiders_cannot_list() {
    let scene = Scene::published();
    let course = scene.course.id;
    let outsiders = [
        scene.outsider_student.actor(),
        scene.outsider_teacher.actor(),
    ];
    let service = scene.service();
    for actor in outsiders {
        let err = service
            .list_course_webinars(&actor, course)
            .await
            .unwrap_err();
        assert!(matches!(err, ViewWebinarError::CourseNotFound));
        assert_eq!(err.class(), ErrorClass::NotFound);
    }
    let draft = Scene::new(CourseStatus::Draft);
    let (student, course) = (draft.student(), draft.course.id);
    assert!(matches!(
        draft.service().list_course_webinars(&student, course).await,
        Err(ViewWebinarError::CourseNotFound)
    ));
}

#[tokio::test]
async fn get_webinar_applies_the_same_visibility() {
    let scene = Scene::published();
    let live = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let gone = scene.webinar(ProviderKind::TrueConf, WebinarState::Cancelled);
    let mut scene = scene;
    let (l, g) = (live.clone(), gone.clone());
    scene
        .webinars
        .expect_get_webinar()
        .returning(move |id| Ok([&l, &g].into_iter().find(|w| w.id == id).cloned()));
    let (student, owner, outsider, admin) = (
        scene.student(),
        scene.owner(),
        scene.outsider_student.actor(),
        scene.admin.actor(),
    );
    let service = scene.service();

    let view = service.get_webinar(&student, live.id).await.unwrap();
    assert_eq!(view.webinar.host_url, None);
    assert_eq!(view.webinar.join_url, live.join_url);
    assert!(!view.can_manage);
    assert!(matches!(
        service.get_webinar(&student, gone.id).await,
        Err(ViewWebinarError::WebinarNotFound)
    ));
    assert!(matches!(
        service.get_webinar(&outsider, live.id).await,
        Err(ViewWebinarError::WebinarNotFound)
    ));
    assert!(matches!(
        service.get_webinar(&owner, WebinarId::new()).await,
        Err(ViewWebinarError::WebinarNotFound)
    ));
    let view = service.get_webinar(&owner, gone.id).await.unwrap();
    assert_eq!(
        view,
        WebinarView {
            webinar: gone.clone(),
            can_manage: true
        }
    );
    let view = service.get_webinar(&admin, live.id).await.unwrap();
    assert_eq!(view.webinar, live);
    assert!(view.can_manage);
}

// ---- external links ----

#[test]
fn external_url_examples() {
    for ok in [
        "https://zoom.us/j/123?pwd=abc",
        "http://videomost.school.ru:8080/room#x",
        "HTTPS://Telemost.Yandex.ru/j/1",
        "https://пример.рф/комната",
        "https://[2001:db8::1]:8443/r",
        "https://10.0.0.5",
        "https://meet.local?x=1",
    ] {
        assert_eq!(parse_external_url(ok).as_deref(), Ok(ok), "{ok}");
    }
    for (bad, why) in [
        ("", ExternalUrlError::Missing),
        ("zoom.us/j/1", ExternalUrlError::Scheme),
        ("mailto:a@b.ru", ExternalUrlError::Scheme),
        ("file:///etc/passwd", ExternalUrlError::Scheme),
        ("https://", ExternalUrlError::Host),
        ("https://:80/x", ExternalUrlError::Host),
        ("https://host:/x", ExternalUrlError::Host),
        ("https://host:0", ExternalUrlError::Host),
        ("https://host:65536", ExternalUrlError::Host),
        ("https://-bad.ru", ExternalUrlError::Host),
        ("https://a..ru", ExternalUrlError::Host),
        ("https://a_b.ru", ExternalUrlError::Host),
        ("https://[zz]/", ExternalUrlError::Host),
        ("https://[::1", ExternalUrlError::Host),
        ("https://user:pw@zoom.us/", ExternalUrlError::Malformed),
        ("https://zoom.us/\u{7}", ExternalUrlError::Malformed),
    ] {
        assert_eq!(parse_external_url(bad), Err(why), "{bad:?}");
    }
    let long = format!("https://zoom.us/{}", "a".repeat(MAX_URL_LEN));
    assert_eq!(parse_external_url(&long), Err(ExternalUrlError::Malformed));
}

fn host() -> impl Strategy<Value = String> {
    proptest::collection::vec("[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", 1..4)
        .prop_map(|labels| labels.join("."))
}

proptest! {
    #[test]
    fn well_formed_links_are_accepted_as_typed(
        scheme in prop::sample::select(vec!["http", "https", "HTTPS", "Http"]),
        host in host(),
        port in prop::option::of(1u16..=u16::MAX),
        path in "(/[a-zA-Z0-9._~%-]{0,8}){0,3}",
        query in prop::option::of("[a-z0-9=&]{0,12}"),
    ) {
        let mut url = format!("{scheme}://{host}");
        if let Some(p) = port { url.push_str(&format!(":{p}")); }
        url.push_str(&path);
        if let Some(q) = query { url.push('?'); url.push_str(&q); }
        prop_assert_eq!(parse_external_url(&format!(" {url}\t")), Ok(url));
    }

    #[test]
    fn other_schemes_are_refused(scheme in "[a-z][a-z0-9+.-]{0,8}", host in host()) {
        prop_assume!(scheme != "http" && scheme != "https");
        prop_assert_eq!(
            parse_external_url(&format!("{scheme}://{host}/")),
            Err(ExternalUrlError::Scheme)
        );
    }

    #[test]
    fn inner_whitespace_is_refused(host in host(), at in 0usize..100, ws in prop::sample::select(vec![' ', '\t', '\n', '\u{a0}'])) {
        let url = format!("https://{host}/room");
        let chars: Vec<char> = url.chars().collect();
        let at = 1 + at % (chars.len() - 1);
        let mut broken: String = chars[..at].iter().collect();
        broken.push(ws);
        broken.extend(&chars[at..]);
        prop_assert!(parse_external_url(&broken).is_err(), "{:?}", broken);
    }

    #[test]
    fn anything_accepted_is_an_http_link(s in ".{0,64}") {
        if let Ok(url) = parse_external_url(&s) {
            let lower = url.to_ascii_lowercase();
            prop_assert!(lower.starts_with("http://") || lower.starts_with("https://"));
            prop_assert!(!url.chars().any(char::is_whitespace));
        }
    }
}
