//! Announcements, the staff view of a student and the mentor's dashboard,
//! through every service at once on the in-memory reference storage: the
//! owner writes to the course, a mentor to their groups; each student
//! reads what is meant for them, on the course page, the dashboard and in
//! the bell; mentors look at their own students only and see who falls
//! behind.

mod common;

use chrono::Duration;
use common::School;
use lms_core::Actor;
use lms_core::announcement::{AnnouncementError, NewAnnouncement};
use lms_core::course::Title;
use lms_core::file::FileLimits;
use lms_core::gradebook::GradebookError;
use lms_core::group::GroupName;
use lms_core::homework::{
    AssignmentInput, HandInInput, HomeworkStatus, LatePolicy, SubmissionKind,
};
use lms_core::notification::NotificationKind;
use lms_core::page::Page;
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::user::Role;

fn note(title: &str, groups: Vec<lms_core::GroupId>) -> NewAnnouncement {
    NewAnnouncement {
        title: Title::parse(title).unwrap(),
        body: RichText::sanitize("<p>Подробности внутри</p><script>alert(1)</script>"),
        group_ids: groups,
    }
}

#[tokio::test]
async fn announcements_reach_whom_they_are_for_and_mentors_watch_their_groups() {
    let school = School::open().await;
    let lms = &school.lms;
    let teacher = school
        .user("t@s.example", "Анна Петровна", Role::Teacher)
        .await;
    let mentor_a = school
        .user("ma@s.example", "Куратор А", Role::Assistant)
        .await;
    let mentor_b = school
        .user("mb@s.example", "Куратор Б", Role::Assistant)
        .await;
    let s1 = school.user("s1@s.example", "Ира", Role::Student).await;
    let s2 = school.user("s2@s.example", "Петя", Role::Student).await;
    let s3 = school.user("s3@s.example", "Саша", Role::Student).await;
    let course = school
        .published_course(&teacher, "ЕГЭ по физике", &[&mentor_a, &mentor_b])
        .await;
    let a = school
        .group(&teacher, course.id, "Группа А", &mentor_a)
        .await;
    let b = school
        .group(&teacher, course.id, "Группа Б", &mentor_b)
        .await;
    for (s, code) in [
        (&s1, a.invite_code.as_ref().unwrap()),
        (&s2, b.invite_code.as_ref().unwrap()),
        (&s3, course.invite_code.as_ref().unwrap()),
    ] {
        lms.courses.join_by_code(s, code).await.unwrap();
    }

    // Who may post to whom.
    assert!(matches!(
        lms.announcements
            .post(&s1, course.id, note("Я студент", vec![]))
            .await,
        Err(AnnouncementError::Forbidden)
    ));
    assert!(matches!(
        lms.announcements
            .post(&mentor_a, course.id, note("Чужой группе", vec![b.id]))
            .await,
        Err(AnnouncementError::Group(g)) if g == b.id
    ));
    let outsider = school.user("x@s.example", "Чужой", Role::Teacher).await;
    assert!(matches!(
        lms.announcements
            .post(&outsider, course.id, note("Эй", vec![]))
            .await,
        Err(AnnouncementError::CourseNotFound)
    ));

    // The owner writes to everyone; mentor A (naming no group) to group A.
    let to_all = lms
        .announcements
        .post(
            &teacher,
            course.id,
            note("Пробный экзамен в субботу", vec![]),
        )
        .await
        .unwrap();
    assert!(!to_all.body.as_html().contains("script"), "sanitised");
    school.clock.advance(Duration::minutes(1));
    let to_a = lms
        .announcements
        .post(
            &mentor_a,
            course.id,
            note("Группа А: созвон в среду", vec![]),
        )
        .await
        .unwrap();
    assert_eq!(to_a.group_ids, vec![a.id]);
    school.clock.advance(Duration::minutes(1));
    let to_b = lms
        .announcements
        .post(&teacher, course.id, note("Группа Б: перенос", vec![b.id]))
        .await
        .unwrap();

    // Each reads what is meant for them, newest first.
    let titles = |who: Actor| async move {
        lms.announcements
            .list(&who, course.id, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|x| x.title.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        titles(s1).await,
        ["Группа А: созвон в среду", "Пробный экзамен в субботу"]
    );
    assert_eq!(
        titles(s2).await,
        ["Группа Б: перенос", "Пробный экзамен в субботу"]
    );
    assert_eq!(
        titles(s3).await,
        ["Пробный экзамен в субботу"],
        "no group: the course's only"
    );
    assert_eq!(
        titles(mentor_b).await,
        ["Группа Б: перенос", "Пробный экзамен в субботу"]
    );
    assert_eq!(titles(teacher).await.len(), 3);
    let listed = lms.announcements.list(&s1, course.id, 50).await.unwrap();
    assert_eq!(listed[0].author_name, "Куратор А");
    assert!(matches!(
        lms.announcements.list(&outsider, course.id, 50).await,
        Err(AnnouncementError::CourseNotFound)
    ));

    // The dashboard shows them with the course title.
    let dashboard = lms.dashboards.student_dashboard(&s2).await.unwrap();
    let on_dashboard: Vec<_> = dashboard
        .announcements
        .iter()
        .map(|i| (i.course_title.as_str(), i.announcement.id))
        .collect();
    assert_eq!(
        on_dashboard,
        [("ЕГЭ по физике", to_b.id), ("ЕГЭ по физике", to_all.id)]
    );

    // Delivered in the app (and by preferences) to exactly their students.
    for (who, expected) in [(&s1, 2), (&s2, 2), (&s3, 1), (&mentor_a, 0)] {
        let inbox = lms.notifications.inbox(who, Page::first()).await.unwrap();
        let announcements: Vec<_> = inbox
            .iter()
            .filter(|i| i.kind == NotificationKind::Announcement)
            .collect();
        assert_eq!(announcements.len(), expected, "{who:?}");
        for item in announcements {
            assert_eq!(item.link, format!("/courses/{}", course.id));
        }
    }

    // Deleting: the author or the owner; another mentor does not even see it.
    assert!(matches!(
        lms.announcements.delete(&mentor_b, to_a.id).await,
        Err(AnnouncementError::NotFound)
    ));
    assert!(matches!(
        lms.announcements.delete(&s1, to_a.id).await,
        Err(AnnouncementError::Forbidden)
    ));
    assert!(matches!(
        lms.announcements.delete(&mentor_a, to_all.id).await,
        Err(AnnouncementError::Forbidden)
    ));
    lms.announcements.delete(&mentor_a, to_a.id).await.unwrap();
    lms.announcements.delete(&teacher, to_b.id).await.unwrap();
    assert_eq!(titles(s1).await, ["Пробный экзамен в субботу"]);

    // Homework: s1 hands in late, s2 never does; s3 is on time.
    let assignment = lms
        .homework
        .create_assignment(
            &teacher,
            course.id,
            AssignmentInput {
                title: Title::parse("Кинематика").unwrap(),
                instructions: RichText::sanitize("<p>Задачи 1–5</p>"),
                attachment_ids: None,
                opens_at: school.t0,
                due_at: school.t0 + Duration::days(2),
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
    let hand_in = |who: Actor| async move {
        lms.homework
            .hand_in(
                &who,
                assignment.id,
                HandInInput {
                    text: Some(RichText::sanitize("<p>Ответ</p>")),
                    file_ids: Vec::new(),
                    idempotency_key: None,
                },
            )
            .await
            .unwrap()
    };
    hand_in(s3).await;
    school.clock.advance(Duration::days(3));
    hand_in(s1).await;
    school.clock.advance(Duration::days(10));

    // The staff view of one student: the owner sees anyone, a mentor only
    // their group's students; a student no one's.
    let overview = lms
        .gradebook
        .student_overview(&mentor_a, course.id, s1.user_id)
        .await
        .unwrap();
    assert_eq!(overview.display_name, "Ира");
    assert_eq!(
        overview.group_name.as_ref().map(GroupName::as_str),
        Some("Группа А")
    );
    assert_eq!(overview.homework.len(), 1);
    assert!(overview.homework[0].late && overview.homework[0].submission_id.is_some());
    assert_eq!((overview.late, overview.overdue), (1, 0));
    assert_eq!(
        overview.last_activity,
        Some(school.t0 + Duration::minutes(2) + Duration::days(3))
    );
    assert!(matches!(
        lms.gradebook
            .student_overview(&mentor_a, course.id, s2.user_id)
            .await,
        Err(GradebookError::StudentNotFound)
    ));
    let s2_view = lms
        .gradebook
        .student_overview(&teacher, course.id, s2.user_id)
        .await
        .unwrap();
    assert_eq!(s2_view.homework[0].status, HomeworkStatus::NotSubmitted);
    assert_eq!((s2_view.overdue, s2_view.last_activity), (1, None));
    assert!(matches!(
        lms.gradebook
            .student_overview(&s1, course.id, s1.user_id)
            .await,
        Err(GradebookError::Forbidden)
    ));
    assert!(matches!(
        lms.gradebook
            .student_overview(&teacher, course.id, outsider.user_id)
            .await,
        Err(GradebookError::StudentNotFound)
    ));

    // The mentor's dashboard: their group; s1 has been quiet for 10 days.
    let watched = lms.dashboards.watched_groups(&mentor_a, 7).await.unwrap();
    assert_eq!(watched.len(), 1);
    assert_eq!(watched[0].group_id, a.id);
    assert!(watched[0].mentor);
    assert_eq!(watched[0].student_count, 1);
    assert_eq!(watched[0].behind.len(), 1);
    assert!(watched[0].behind[0].inactive && watched[0].behind[0].standing.overdue == 0);
    let watched = lms.dashboards.watched_groups(&mentor_a, 30).await.unwrap();
    assert!(
        watched[0].behind.is_empty(),
        "active within 30 days, nothing overdue"
    );
    // The owner watches every group of the course: s2 is overdue and was never active.
    let watched = lms.dashboards.watched_groups(&teacher, 7).await.unwrap();
    assert_eq!(watched.len(), 2);
    assert!(!watched[0].mentor && !watched[1].mentor);
    let in_b = watched.iter().find(|w| w.group_id == b.id).unwrap();
    assert_eq!(in_b.behind[0].standing.student_id, s2.user_id);
    assert_eq!(in_b.behind[0].standing.overdue, 1);
    assert!(in_b.behind[0].inactive);
    assert!(lms.dashboards.watched_groups(&s1, 7).await.is_err());
}
