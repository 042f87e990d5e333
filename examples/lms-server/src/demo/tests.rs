//! The demo school is seeded once, whole, and every account works.

use std::sync::Arc;

use lms_core::Page;
use lms_core::clock::SystemClock;
use lms_core::quiz::AttemptState;
use lms_http::password::verify_password;
use lms_webinar::ExternalLinkProvider;

use super::*;
use crate::storage::open_storage;

#[tokio::test]
async fn seeds_a_whole_school_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lms.db");
    let (storage, handle) = open_storage(db.to_str().unwrap(), dir.path())
        .await
        .unwrap();
    let lms = Lms::new(
        storage,
        Arc::new(SystemClock),
        vec![Arc::new(ExternalLinkProvider::new())],
    );

    let DemoSeeded::Created(summary) = seed_demo(&lms).await.unwrap() else {
        panic!("a fresh database has no demo yet")
    };

    // Every account logs in with the demo password.
    let mut emails = vec![
        DEMO_ADMIN_EMAIL.to_owned(),
        DEMO_TEACHER_EMAIL.to_owned(),
        DEMO_ASSISTANT_EMAIL.to_owned(),
        DEMO_MENTOR_EMAIL.to_owned(),
    ];
    emails.extend((1..=DEMO_STUDENTS).map(|i| format!("student{i}@demo.school")));
    let mut actors = BTreeMap::new();
    for email in &emails {
        let (user, hash) = lms
            .users
            .login_lookup(&Email::parse(email).unwrap())
            .await
            .unwrap();
        assert!(verify_password(DEMO_PASSWORD, &hash), "{email}");
        assert!(!verify_password("wrong", &hash));
        actors.insert(email.clone(), user.actor());
    }
    let admin = actors[DEMO_ADMIN_EMAIL];
    let teacher = actors[DEMO_TEACHER_EMAIL];
    let assistant = actors[DEMO_ASSISTANT_EMAIL];
    let student1 = actors["student1@demo.school"];
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(teacher.role, Role::Teacher);
    assert_eq!(assistant.role, Role::Assistant);
    assert_eq!(student1.role, Role::Student);
    let all = lms.users.list_users(&admin, Page::max()).await.unwrap();
    assert_eq!(all.len(), 4 + DEMO_STUDENTS);
    assert_eq!(summary.users, 4 + DEMO_STUDENTS);

    // Two published courses, each with lessons, staff and students.
    let courses = lms
        .courses
        .list_my_courses(&student1, Page::max())
        .await
        .unwrap();
    assert_eq!(courses.len(), 2);
    for view in &courses {
        assert_eq!(view.course.status, CourseStatus::Published);
        let lessons = lms
            .courses
            .list_lessons(&student1, view.course.id)
            .await
            .unwrap();
        assert!(lessons.len() >= 3, "{}", view.course.title.as_str());
        let students = lms
            .courses
            .list_students(
                &teacher,
                view.course.id,
                &lms_core::user::UserFilter::default(),
                Page::max(),
            )
            .await
            .unwrap();
        assert_eq!(students.len(), DEMO_STUDENTS);
        let assistants = lms
            .courses
            .list_assistants(&teacher, view.course.id)
            .await
            .unwrap();
        assert!(assistants.iter().any(|u| u.id == assistant.user_id));
    }
    assert_eq!(
        lms.courses
            .list_my_courses(&assistant, Page::max())
            .await
            .unwrap()
            .len(),
        2
    );

    // The first course runs in two groups, one per mentor; each mentor
    // sees their ten students, and the announcements reach their readers.
    let math = summary.courses[0];
    let mentor = actors[DEMO_MENTOR_EMAIL];
    assert_eq!((summary.groups, summary.announcements), (2, 2));
    let groups = lms.courses.list_groups(&teacher, math).await.unwrap();
    assert_eq!(groups.len(), 2);
    for who in [&assistant, &mentor] {
        let members = lms.courses.group_members(who, math).await.unwrap();
        assert_eq!(members.len(), DEMO_STUDENTS / 2);
    }
    let first = lms.announcements.list(&student1, math, 10).await.unwrap();
    assert_eq!(first.len(), 2, "student1 is in «Группа А»");
    let last = actors[&format!("student{DEMO_STUDENTS}@demo.school")];
    assert_eq!(
        lms.announcements.list(&last, math, 10).await.unwrap().len(),
        1
    );
    let watched = lms.dashboards.watched_groups(&mentor, 7).await.unwrap();
    assert_eq!(watched.len(), 1);

    // Lessons keep their rich content through sanitising.
    let lessons = lms.courses.list_lessons(&student1, math).await.unwrap();
    let first = lessons[0].body.as_html();
    for part in [
        "<h2>",
        "<ol>",
        "<li>",
        "<img src=\"https://",
        "<a href=\"https://",
    ] {
        assert!(first.contains(part), "{part} missing from {first}");
    }

    // Homework with past and upcoming deadlines; some work graded.
    let now = lms.clock().now();
    let mut past = 0;
    let mut upcoming = 0;
    let mut graded = 0;
    for id in &summary.courses {
        for view in lms.homework.list_assignments(&teacher, *id).await.unwrap() {
            if view.assignment.due_at < now {
                past += 1;
            } else {
                upcoming += 1;
            }
            let subs = lms
                .homework
                .list_submissions(
                    &teacher,
                    view.assignment.id,
                    &lms_core::homework::SubmissionFilter::default(),
                    Page::max(),
                )
                .await
                .unwrap();
            graded += subs.iter().filter(|s| s.grade.is_some()).count();
        }
    }
    assert!(
        past >= 2 && upcoming >= 2,
        "past {past}, upcoming {upcoming}"
    );
    assert_eq!(graded, summary.graded);
    assert!(graded > 0);

    // A quiz with every question kind and finished attempts.
    let quizzes = lms.quizzes.list_quizzes(&teacher, math).await.unwrap();
    assert_eq!(quizzes.len(), 1);
    let quiz_id = quizzes[0].quiz.id;
    let kinds: BTreeSet<&'static str> = lms
        .quizzes
        .list_questions(&teacher, quiz_id)
        .await
        .unwrap()
        .iter()
        .map(|q| q.body.kind_name())
        .collect();
    assert_eq!(kinds.len(), 8, "{kinds:?}");
    // A question bank with two topics, every line of its file imported.
    let bank = lms
        .bank
        .list(
            &teacher,
            math,
            &lms_core::bank::BankFilter::default(),
            lms_core::page::Page::max(),
        )
        .await
        .unwrap();
    assert_eq!(bank.total, 8);
    let topics: Vec<&str> = bank
        .categories
        .iter()
        .map(|c| c.category.as_str())
        .collect();
    assert_eq!(topics, ["ОГЭ/Проценты", "ОГЭ/Степени"]);
    let attempts = lms.quizzes.my_attempts(&student1, quiz_id).await.unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].state, AttemptState::Submitted);

    // A webinar on the external-link provider in each course.
    let webinars = lms
        .webinars
        .list_course_webinars(&student1, math)
        .await
        .unwrap();
    assert_eq!(webinars.len(), 1);
    assert_eq!(webinars[0].webinar.provider, ProviderKind::ExternalLink);
    assert!(webinars[0].webinar.starts_at > now);

    // Nobody at the made-up addresses is e-mailed, though the students
    // were told about assignments, grades and webinars (in Telegram,
    // once they link it).
    for actor in actors.values() {
        let outbox = lms
            .notifications
            .my_outbox(actor, Page::max())
            .await
            .unwrap();
        assert!(
            outbox.iter().all(|e| e.channel != Channel::Email),
            "{outbox:?}"
        );
        let prefs = lms.notifications.get_preferences(actor).await.unwrap();
        assert!(prefs.wants(NotificationKind::HomeworkGraded, Channel::Telegram));
        assert!(!prefs.wants(NotificationKind::HomeworkGraded, Channel::Email));
    }

    // Seeding again changes nothing.
    assert_eq!(seed_demo(&lms).await.unwrap(), DemoSeeded::AlreadyPresent);
    assert_eq!(
        lms.users
            .list_users(&admin, Page::max())
            .await
            .unwrap()
            .len(),
        4 + DEMO_STUDENTS
    );
    assert_eq!(
        lms.courses
            .list_my_courses(&admin, Page::max())
            .await
            .unwrap()
            .len(),
        2
    );
    handle.close().await;
}
