//! Tests of the notification service.

use super::*;
use crate::clock::ManualClock;
use crate::course::{Course, MockCourseStore, Title};
use crate::ids::{AssignmentId, QuizId, WebinarId};
use crate::notification::model::{DedupKey, Notification};
use crate::notification::ports::{
    DeadlineTarget, DeliveryProfile, MockNotificationStore, QuizCloseTarget,
};
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

/// A quiz of the world's course closing in 20 hours, not attempted by the
/// student.
fn quiz_target(w: &World) -> QuizCloseTarget {
    QuizCloseTarget {
        quiz_id: QuizId::new(),
        quiz_title: "Контрольный тест".into(),
        course_id: w.course.id,
        course_title: "Физика".into(),
        student_id: w.student,
        closes_at: now() + Duration::hours(20),
        attempted: false,
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
    n.expect_quiz_close_targets()
        .withf(|from, to| {
            *from == now() - SWEEP_SLACK && *to == now() + Duration::hours(24) + SWEEP_SLACK
        })
        .returning(|_, _| Ok(vec![]));
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
        DedupKey::new(w.student, &deadline_event, Channel::InApp),
        DedupKey::new(w.student, &webinar_event, Channel::Email),
        DedupKey::new(w.student, &webinar_event, Channel::Telegram),
        DedupKey::new(w.student, &webinar_event, Channel::InApp),
        DedupKey::new(w.teacher, &webinar_event, Channel::Email),
        DedupKey::new(w.teacher, &webinar_event, Channel::InApp),
    ];
    expected.sort();
    let mut got = keys.lock().unwrap().clone();
    got.sort();
    assert_eq!(
        got, expected,
        "inactive user gets nothing, teacher no Telegram"
    );
    assert_eq!(first.enqueued, 8);

    let again = s.sweep_reminders().await.unwrap();
    assert_eq!(
        again,
        SweepReport {
            planned: 4,
            enqueued: 0
        }
    );
    assert_eq!(keys.lock().unwrap().len(), 8);
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
    let attempted = QuizCloseTarget {
        attempted: true,
        ..quiz_target(&world())
    };
    n.expect_quiz_close_targets()
        .returning(move |_, _| Ok(vec![attempted.clone()]));
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
    n.expect_quiz_close_targets().returning(|_, _| Ok(vec![]));
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
    // One message per channel (e-mail and in-app) for each.
    got.dedup();
    let mut expected = vec![(student, published_webinar), (teacher, published_webinar)];
    expected.sort();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn sweep_enqueues_the_entries_fan_out_builds() {
    let w = world();
    let mut n = MockNotificationStore::new();
    n.expect_deadline_targets().returning(|_, _| Ok(vec![]));
    n.expect_quiz_close_targets().returning(|_, _| Ok(vec![]));
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
    assert_eq!(report.enqueued, 2, "e-mail and in-app");
    let entries = captured.lock().unwrap().clone();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].channel, Channel::InApp);
    assert_eq!(entries[1].notification, entries[0].notification);
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

#[tokio::test]
async fn sweep_reminds_students_who_have_not_attempted_a_closing_quiz() {
    let w = world();
    let pending = quiz_target(&w);
    // Closing in 90 minutes: the 2-hour reminder, saying 2 hours.
    let soon = QuizCloseTarget {
        quiz_id: QuizId::new(),
        closes_at: now() + Duration::minutes(90),
        ..pending.clone()
    };
    let attempted = QuizCloseTarget {
        student_id: w.silent,
        attempted: true,
        ..pending.clone()
    };
    let mut n = MockNotificationStore::new();
    n.expect_deadline_targets().returning(|_, _| Ok(vec![]));
    let targets = vec![pending.clone(), soon.clone(), attempted];
    n.expect_quiz_close_targets()
        .withf(|from, to| {
            *from == now() - SWEEP_SLACK && *to == now() + Duration::hours(24) + SWEEP_SLACK
        })
        .times(1)
        .returning(move |_, _| Ok(targets.clone()));
    n.expect_opening_targets().returning(|_, _| Ok(vec![]));
    let student = w.student;
    n.expect_delivery_profiles()
        .withf(move |users| users == [student])
        .returning(move |_| Ok(vec![profile(student, true, true)]));
    let captured: Arc<Mutex<Vec<OutboxEntry>>> = Arc::default();
    let sink = captured.clone();
    n.expect_enqueue().times(1).returning(move |e| {
        sink.lock().unwrap().extend_from_slice(e);
        Ok(e.len() as u64)
    });
    let mut ws = MockWebinarStore::new();
    ws.expect_webinars_starting_between()
        .returning(|_, _| Ok(vec![]));

    let report = service(n, ws, MockCourseStore::new())
        .sweep_reminders()
        .await
        .unwrap();
    assert_eq!(
        report,
        SweepReport {
            planned: 2,
            enqueued: 6
        },
        "two quizzes to the student over e-mail, Telegram and in-app; none to who attempted"
    );
    let entries = captured.lock().unwrap().clone();
    let event = |t: &QuizCloseTarget, hours: u32| {
        format!("quiz:{}:{}:{hours}h", t.quiz_id, t.closes_at.timestamp())
    };
    let mut keys: Vec<DedupKey> = entries.iter().map(|e| e.dedup_key.clone()).collect();
    keys.sort();
    let mut expected: Vec<DedupKey> = [(event(&pending, 24)), (event(&soon, 2))]
        .iter()
        .flat_map(|ev| {
            [Channel::Email, Channel::Telegram, Channel::InApp]
                .map(|c| DedupKey::new(student, ev, c))
        })
        .collect();
    expected.sort();
    assert_eq!(keys, expected);
    let soon_message = entries
        .iter()
        .find(|e| e.dedup_key == DedupKey::new(student, &event(&soon, 2), Channel::Email))
        .unwrap();
    assert_eq!(
        soon_message.notification,
        Notification::QuizReminder {
            course_id: w.course.id,
            course_title: "Физика".into(),
            quiz_id: soon.quiz_id,
            title: "Контрольный тест".into(),
            closes_at: soon.closes_at,
            hours_before: 2,
        }
    );
    assert_eq!(
        soon_message.notification.link_path(),
        format!("/quizzes/{}", soon.quiz_id)
    );
}
