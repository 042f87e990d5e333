//! A school term through every service at once, on the in-memory reference
//! storage: what a teacher and two students would notice.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone as _, Utc};
use lms_core::clock::{Clock, ManualClock};
use lms_core::course::{Course, CourseStatus, LessonInput, NewCourse, Title};
use lms_core::file::FileLimits;
use lms_core::homework::{
    AssignmentInput, GradeInput, HandInError, HandInInput, HomeworkStatus, LatePolicy,
    SubmissionKind,
};
use lms_core::notification::{Channel, Notification, NotificationKind};
use lms_core::page::Page;
use lms_core::ports::Storage;
use lms_core::quiz::{Answer, Choice, QuestionBody, QuestionInput, QuizInput, QuizSettings};
use lms_core::richtext::RichText;
use lms_core::schedule::EventSource;
use lms_core::score::Points;
use lms_core::testkit::memory::MemoryStorage;
use lms_core::user::{DisplayName, Email, Locale, NewUser, Role, TimeZone, User};
use lms_core::webinar::{
    Conference, ConferenceSpec, ProviderError, ProviderKind, WebinarInput, WebinarProvider,
};
use lms_core::{Actor, CourseId, DomainError, Lms, OptionId, UserId};

/// An external-link provider as simple as it gets: the teacher's link is the room.
struct PastedLink;

#[async_trait]
impl WebinarProvider for PastedLink {
    fn kind(&self) -> ProviderKind {
        ProviderKind::ExternalLink
    }
    async fn create(&self, spec: &ConferenceSpec) -> Result<Conference, ProviderError> {
        let url = spec
            .external_url
            .clone()
            .ok_or_else(|| ProviderError::Permanent("no link".into()))?;
        Ok(Conference {
            conference_id: None,
            join_url: url,
            host_url: None,
        })
    }
    async fn update(
        &self,
        _id: Option<String>,
        spec: &ConferenceSpec,
    ) -> Result<Conference, ProviderError> {
        self.create(spec).await
    }
    async fn delete(&self, _id: Option<String>) -> Result<(), ProviderError> {
        Ok(())
    }
}

fn user(email: &str, name: &str, role: Role) -> NewUser {
    NewUser {
        email: Email::parse(email).unwrap(),
        display_name: DisplayName::parse(name).unwrap(),
        role,
        locale: Locale::Ru,
        time_zone: TimeZone::parse("Asia/Yekaterinburg").unwrap(),
        password_hash: None,
    }
}

/// What every journey starts from: a school whose clock stands at the first
/// day of term, with its admin, a teacher, a student (Vera) and the
/// teacher's course, still a draft.
struct Term {
    t0: DateTime<Utc>,
    clock: Arc<ManualClock>,
    lms: Lms,
    storage: Storage,
    admin: Actor,
    teacher: Actor,
    vera: Actor,
    course: Course,
}

impl Term {
    async fn start(course_title: &str) -> Self {
        let t0 = Utc.with_ymd_and_hms(2026, 9, 1, 9, 0, 0).unwrap();
        let clock = Arc::new(ManualClock::new(t0));
        let storage = MemoryStorage::storage();
        let admin = User {
            id: UserId::new(),
            email: Email::parse("admin@school.example").unwrap(),
            display_name: DisplayName::parse("Админ").unwrap(),
            role: Role::Admin,
            locale: Locale::Ru,
            time_zone: TimeZone::default(),
            active: true,
            created_at: clock.now(),
        };
        storage.users.insert_user(&admin, None).await.unwrap();
        let lms = Lms::new(storage.clone(), clock.clone(), vec![Arc::new(PastedLink)]);
        let admin = admin.actor();
        let teacher = create_user(
            &lms,
            &admin,
            user("teacher@school.example", "Анна Петровна", Role::Teacher),
        )
        .await;
        let vera = create_user(
            &lms,
            &admin,
            user("vera@school.example", "Вера", Role::Student),
        )
        .await;
        let course = lms
            .courses
            .create_course(
                &teacher,
                NewCourse {
                    title: Title::parse(course_title).unwrap(),
                    description: RichText::default(),
                    owner_id: None,
                },
            )
            .await
            .unwrap();
        Self {
            t0,
            clock,
            lms,
            storage,
            admin,
            teacher,
            vera,
            course,
        }
    }
}

/// An account the admin creates.
async fn create_user(lms: &Lms, admin: &Actor, new: NewUser) -> Actor {
    lms.users.create_user(admin, new).await.unwrap().actor()
}

/// The teacher publishes the course and each student joins it by its
/// invite code.
async fn publish_and_join(lms: &Lms, teacher: &Actor, course: CourseId, students: &[&Actor]) {
    let course = lms
        .courses
        .set_status(teacher, course, CourseStatus::Published)
        .await
        .unwrap();
    let code = course.invite_code.clone().unwrap();
    for student in students {
        lms.courses.join_by_code(student, &code).await.unwrap();
    }
}

#[tokio::test]
async fn a_term_from_enrolment_to_gradebook() {
    let Term {
        t0,
        clock,
        lms,
        storage,
        admin,
        teacher,
        vera,
        course,
    } = Term::start("Физика").await;
    let oleg = create_user(
        &lms,
        &admin,
        user("oleg@school.example", "Олег", Role::Student),
    )
    .await;

    // The teacher prepares and publishes a course; students join by code.
    let lesson = lms
        .courses
        .create_lesson(
            &teacher,
            course.id,
            LessonInput {
                title: Title::parse("Кинематика").unwrap(),
                body: RichText::sanitize("<h2>Скорость</h2><script>steal()</script>"),
                publish_at: None,
                published: None,
                attachment_ids: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        lesson.body.as_html(),
        "<h2>Скорость</h2>",
        "lesson bodies are sanitised"
    );
    publish_and_join(&lms, &teacher, course.id, &[&vera, &oleg]).await;
    assert_eq!(
        lms.courses
            .get_lesson(&vera, lesson.id)
            .await
            .unwrap()
            .title
            .as_str(),
        "Кинематика"
    );

    // Homework: due in a day, 10 % per started day late, at least half kept.
    let assignment = lms
        .homework
        .create_assignment(
            &teacher,
            course.id,
            AssignmentInput {
                title: Title::parse("Задачи 1–5").unwrap(),
                instructions: RichText::sanitize("<p>Решите задачи</p>"),
                attachment_ids: None,
                opens_at: t0,
                due_at: t0 + Duration::days(1),
                cut_off_at: None,
                max_score: Points::new(10.0).unwrap(),
                late_policy: LatePolicy::PercentPerDay {
                    percent_per_day: 10,
                    floor_percent: 50,
                },
                submission_kind: SubmissionKind::Text,
                file_limits: FileLimits::default(),
                published: true,
            },
        )
        .await
        .unwrap();

    // A webinar on the pasted-link provider.
    lms.webinars
        .schedule(
            &teacher,
            course.id,
            WebinarInput {
                title: Title::parse("Разбор задач").unwrap(),
                starts_at: t0 + Duration::days(3),
                duration_minutes: 60,
                provider: ProviderKind::ExternalLink,
                external_url: Some("https://meet.example/room-7".into()),
            },
        )
        .await
        .unwrap();

    // Vera hands in 30 hours after the deadline: 2 started days late.
    clock.set(t0 + Duration::days(1) + Duration::hours(30));
    let handed = lms
        .homework
        .hand_in(
            &vera,
            assignment.id,
            HandInInput {
                text: Some(RichText::sanitize("<p>Ответ: 42 м/с</p>")),
                file_ids: vec![],
                idempotency_key: Some("vera-1".into()),
            },
        )
        .await
        .unwrap();
    assert!(!handed.duplicate);
    let again = lms
        .homework
        .hand_in(
            &vera,
            assignment.id,
            HandInInput {
                text: Some(RichText::sanitize("<p>Ответ: 42 м/с</p>")),
                file_ids: vec![],
                idempotency_key: Some("vera-1".into()),
            },
        )
        .await
        .unwrap();
    assert!(again.duplicate, "a retried hand-in creates nothing");
    assert_eq!(again.submission.versions.len(), 1);

    // Oleg can neither see Vera's work nor hand in empty text.
    let hidden = lms
        .homework
        .get_submission(&oleg, handed.submission.id)
        .await
        .unwrap_err();
    assert_eq!(hidden.code(), "submission_not_found");
    let empty = lms
        .homework
        .hand_in(
            &oleg,
            assignment.id,
            HandInInput {
                text: Some(RichText::sanitize("<p> </p>")),
                file_ids: vec![],
                idempotency_key: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(empty, HandInError::Empty), "{empty:?}");

    // The teacher grades: 10 raw points, 80 % kept.
    let graded = lms
        .homework
        .grade(
            &teacher,
            handed.submission.id,
            GradeInput {
                raw_score: Points::new(10.0).unwrap(),
                feedback: RichText::sanitize("<p>Хорошо</p>"),
                expected_version: 1,
            },
        )
        .await
        .unwrap();
    let grade = graded.grade.clone().unwrap();
    assert_eq!((grade.kept_percent, grade.final_score.value()), (80, 8.0));
    assert_eq!(
        lms.homework
            .grade_history(&vera, handed.submission.id)
            .await
            .unwrap()
            .len(),
        1
    );

    // Vera's dashboard and schedule show what happened.
    let dash = lms.dashboards.student_dashboard(&vera).await.unwrap();
    let item = dash
        .homework
        .iter()
        .find(|h| h.assignment_id == assignment.id)
        .unwrap();
    assert_eq!(
        (item.status, item.late, item.final_score.map(Points::value)),
        (HomeworkStatus::Graded, true, Some(8.0))
    );
    assert_eq!(dash.courses.len(), 1);
    let oleg_dash = lms.dashboards.student_dashboard(&oleg).await.unwrap();
    let oleg_item = oleg_dash
        .homework
        .iter()
        .find(|h| h.assignment_id == assignment.id)
        .unwrap();
    assert_eq!(
        (oleg_item.status, oleg_item.cut_off_at),
        (HomeworkStatus::NotSubmitted, None),
        "past the due date with nothing handed in, but without a cut-off still accepted"
    );
    let schedule = lms
        .schedule
        .schedule(&vera, t0, t0 + Duration::days(7))
        .await
        .unwrap();
    assert_eq!(schedule.time_zone.name(), "Asia/Yekaterinburg");
    assert!(schedule.events.iter().any(|e| matches!(&e.source, EventSource::Deadline { assignment_id } if *assignment_id == assignment.id)));
    assert!(schedule.events.iter().any(|e| matches!(&e.source, EventSource::Webinar { join_url, host_url: None, .. } if join_url == "https://meet.example/room-7")));

    // A quiz with a multiple-choice question: Vera gets full marks.
    let quiz = lms
        .quizzes
        .create_quiz(
            &teacher,
            course.id,
            QuizInput {
                title: Title::parse("Тест 1").unwrap(),
                description: RichText::default(),
                settings: QuizSettings::default(),
            },
        )
        .await
        .unwrap();
    let (a, b, c) = (OptionId::new(), OptionId::new(), OptionId::new());
    let question = lms
        .quizzes
        .add_question(
            &teacher,
            quiz.id,
            QuestionInput {
                prompt: RichText::sanitize("<p>Векторные величины?</p>"),
                points: Points::new(2.0).unwrap(),
                body: QuestionBody::MultipleChoice {
                    options: vec![
                        Choice {
                            id: a,
                            text: "скорость".into(),
                        },
                        Choice {
                            id: b,
                            text: "масса".into(),
                        },
                        Choice {
                            id: c,
                            text: "сила".into(),
                        },
                    ],
                    correct: [a, c].into(),
                },
                explanation: None,
            },
        )
        .await
        .unwrap();
    lms.quizzes
        .set_published(&teacher, quiz.id, true)
        .await
        .unwrap();
    let attempt = lms.quizzes.start_attempt(&vera, quiz.id).await.unwrap();
    let shown = serde_json::to_string(&attempt.questions).unwrap();
    assert!(
        !shown.contains("correct"),
        "the student view carries no answers: {shown}"
    );
    lms.quizzes
        .save_answers(
            &vera,
            attempt.attempt_id,
            BTreeMap::from([(question.id, Answer::MultipleChoice([a, c].into()))]),
        )
        .await
        .unwrap();
    let outcome = lms
        .quizzes
        .submit(&vera, attempt.attempt_id, Some("k".into()))
        .await
        .unwrap();
    assert!(outcome.perfect);
    assert_eq!(outcome.quiz_score.map(Points::value), Some(2.0));

    // The gradebook has both students, Vera with 8 + 2 of 12.
    let csv = lms.gradebook.csv(&teacher, course.id, None).await.unwrap();
    let vera_row = csv.lines().find(|l| l.starts_with("Вера")).unwrap();
    assert!(vera_row.contains(",8,2,10,12,"), "{vera_row}");
    assert!(csv.lines().any(|l| l.starts_with("Олег")));
    assert!(
        lms.gradebook.csv(&vera, course.id, None).await.is_err(),
        "students cannot export the gradebook"
    );

    // Vera's outbox: the new assignment, the webinar, the grade and her badges, by e-mail.
    let outbox = storage
        .notifications
        .list_user_outbox(vera.user_id, Page::max())
        .await
        .unwrap();
    let kinds: Vec<NotificationKind> = outbox
        .iter()
        .filter(|e| e.channel == Channel::Email)
        .map(|e| e.notification.kind())
        .collect();
    for kind in [
        NotificationKind::NewAssignment,
        NotificationKind::WebinarScheduled,
        NotificationKind::HomeworkGraded,
        NotificationKind::AchievementAwarded,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} missing from {kinds:?}");
    }
    assert!(
        outbox.iter().all(|e| e.channel == Channel::Email),
        "no Telegram without a linked chat"
    );
    assert!(outbox.iter().any(
        |e| matches!(&e.notification, Notification::HomeworkGraded { score, .. } if *score == 8.0)
    ));
    let badges = lms.achievements.my_achievements(&vera).await.unwrap();
    assert!(
        badges.len() >= 2,
        "first homework and perfect quiz: {badges:?}"
    );
}

#[tokio::test]
async fn work_published_to_open_later_stays_unseen_until_it_opens() {
    let Term {
        t0,
        clock,
        lms,
        storage,
        teacher,
        vera,
        course,
        ..
    } = Term::start("Химия").await;
    publish_and_join(&lms, &teacher, course.id, &[&vera]).await;
    let opens_at = t0 + Duration::days(2);
    let assignment = lms
        .homework
        .create_assignment(
            &teacher,
            course.id,
            AssignmentInput {
                title: Title::parse("Контрольная (секрет)").unwrap(),
                instructions: RichText::sanitize("<p>Вариант 1</p>"),
                attachment_ids: None,
                opens_at,
                due_at: opens_at + Duration::hours(2),
                cut_off_at: None,
                max_score: Points::new(10.0).unwrap(),
                late_policy: LatePolicy::NoPenalty,
                submission_kind: SubmissionKind::Text,
                file_limits: FileLimits::default(),
                published: true,
            },
        )
        .await
        .unwrap();
    let new_assignment_messages = || async {
        storage
            .notifications
            .list_user_outbox(vera.user_id, Page::max())
            .await
            .unwrap()
            .into_iter()
            .filter(|e| matches!(e.notification, Notification::NewAssignment { .. }))
            .count()
    };
    let schedule_titles = || async {
        lms.schedule
            .schedule(&vera, t0 - Duration::days(1), t0 + Duration::days(7))
            .await
            .unwrap()
            .events
            .into_iter()
            .map(|e| e.title)
            .collect::<Vec<_>>()
    };

    // Published, not open: nothing of it reaches the student.
    assert_eq!(
        new_assignment_messages().await,
        0,
        "no message at publish time"
    );
    lms.notifications.sweep_reminders().await.unwrap();
    assert_eq!(
        new_assignment_messages().await,
        0,
        "nor from a sweep before it opens"
    );
    assert!(schedule_titles().await.is_empty());
    assert!(
        lms.homework
            .get_assignment(&vera, assignment.id)
            .await
            .is_err()
    );

    // Once it opens, the sweep announces it once, and the schedule shows it.
    clock.set(opens_at + Duration::minutes(1));
    lms.notifications.sweep_reminders().await.unwrap();
    let sent = new_assignment_messages().await;
    assert!(sent >= 1, "announced when it opens");
    lms.notifications.sweep_reminders().await.unwrap();
    assert_eq!(new_assignment_messages().await, sent, "and only once");
    assert_eq!(
        schedule_titles().await,
        vec!["Контрольная (секрет)".to_owned()]
    );
    assert!(
        lms.homework
            .get_assignment(&vera, assignment.id)
            .await
            .is_ok()
    );
}
