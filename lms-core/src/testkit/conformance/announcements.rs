//! Conformance of [`AnnouncementStore`](crate::announcement::AnnouncementStore)
//! and of the reads built on it: who reads which announcement, the
//! student's latest announcements and activity in the dashboard read
//! model, where each student stands, and the groups a member of staff
//! watches.

use chrono::{DateTime, Utc};

use super::fixtures::{
    add_assignment, add_course, add_hand_in, add_lesson, add_quiz_with_questions, add_user,
    assert_not_found, at, attempt, day, enroll, ok, outbox_entry, t0,
};
use crate::announcement::{Announcement, Audience};
use crate::course::{CourseStatus, InviteCode};
use crate::group::{Group, GroupMove, GroupName};
use crate::homework::Extension;
use crate::ids::{AnnouncementId, CourseId, GroupId, UserId};
use crate::page::Page;
use crate::ports::Storage;
use crate::richtext::RichText;
use crate::user::Role;

fn announcement(
    course: CourseId,
    author: UserId,
    title: &str,
    groups: Vec<GroupId>,
    created_at: DateTime<Utc>,
) -> Announcement {
    Announcement {
        id: AnnouncementId::new(),
        course_id: course,
        author_id: author,
        author_name: String::new(),
        title: crate::course::Title::parse(title).unwrap(),
        body: RichText::sanitize("<p>Текст объявления 📣</p>"),
        group_ids: groups,
        created_at,
    }
}

async fn add_group(storage: &Storage, course: CourseId, name: &str, mentors: Vec<UserId>) -> Group {
    let g = Group {
        id: GroupId::new(),
        course_id: course,
        name: GroupName::parse(name).unwrap(),
        invite_code: Some(InviteCode::generate()),
        mentors,
        archived_at: None,
        created_at: t0(),
    };
    ok(storage.groups.insert_group(&g).await, "insert_group");
    g
}

async fn put_in(storage: &Storage, course: CourseId, student: UserId, group: GroupId, by: UserId) {
    let entry = GroupMove {
        course_id: course,
        student_id: student,
        from_group: None,
        to_group: Some(group),
        moved_by: by,
        moved_at: t0(),
    };
    ok(storage.groups.move_student(&entry).await, "move_student");
}

async fn post(storage: &Storage, a: &Announcement) {
    ok(
        storage.announcements.post_announcement(a, &[]).await,
        "post_announcement",
    );
}

fn titles(list: &[Announcement]) -> Vec<&str> {
    list.iter().map(|a| a.title.as_str()).collect()
}

/// Announcements are stored with their groups (read back sorted) and
/// their notifications in one write, read with the author's name, listed
/// newest first (ties by id, descending) to each audience by its rule, and
/// deleted.
pub async fn announcements_reach_their_audience(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let mentor = add_user(&storage, Role::Assistant).await;
    let (s1, s2, s3) = (
        add_user(&storage, Role::Student).await,
        add_user(&storage, Role::Student).await,
        add_user(&storage, Role::Student).await,
    );
    let course = add_course(&storage, teacher.id, CourseStatus::Published).await;
    ok(
        storage.courses.add_assistant(course.id, mentor.id).await,
        "add_assistant",
    );
    for s in [&s1, &s2, &s3] {
        enroll(&storage, course.id, s.id).await;
    }
    let a = add_group(&storage, course.id, "А", vec![mentor.id]).await;
    let b = add_group(&storage, course.id, "Б", vec![]).await;
    put_in(&storage, course.id, s1.id, a.id, teacher.id).await;
    put_in(&storage, course.id, s2.id, b.id, teacher.id).await;

    let to_all = announcement(course.id, teacher.id, "Всем", vec![], at(1));
    let mut to_both = announcement(
        course.id,
        teacher.id,
        "Обеим группам",
        vec![b.id, a.id],
        at(2),
    );
    let to_b = announcement(course.id, teacher.id, "Группе Б", vec![b.id], at(3));
    let by_mentor = announcement(
        course.id,
        mentor.id,
        "От куратора группе Б",
        vec![b.id],
        at(4),
    );
    let told = outbox_entry(s1.id, &format!("announcement:{}", to_both.id), at(2));
    post(&storage, &to_all).await;
    ok(
        storage
            .announcements
            .post_announcement(&to_both, std::slice::from_ref(&told))
            .await,
        "post_announcement",
    );
    post(&storage, &to_b).await;
    post(&storage, &by_mentor).await;
    let outbox = ok(
        storage
            .notifications
            .list_user_outbox(s1.id, Page::first())
            .await,
        "list_user_outbox",
    );
    assert_eq!(
        outbox.iter().map(|o| o.id).collect::<Vec<_>>(),
        [told.id],
        "the notifications are stored with the announcement"
    );

    let got = ok(
        storage.announcements.get_announcement(to_both.id).await,
        "get_announcement",
    )
    .expect("stored");
    to_both.group_ids.sort_unstable();
    to_both.author_name = teacher.display_name.as_str().to_owned();
    assert_eq!(
        got, to_both,
        "read back whole, groups sorted, with the author's name"
    );
    assert!(
        ok(
            storage
                .announcements
                .get_announcement(AnnouncementId::new())
                .await,
            "get_announcement"
        )
        .is_none()
    );

    let list = |audience| {
        let storage = storage.clone();
        async move {
            ok(
                storage
                    .announcements
                    .list_announcements(course.id, audience, 50)
                    .await,
                "list_announcements",
            )
        }
    };
    assert_eq!(
        titles(&list(Audience::Everyone).await),
        ["От куратора группе Б", "Группе Б", "Обеим группам", "Всем"],
        "newest first"
    );
    assert_eq!(
        titles(&list(Audience::Student(s1.id)).await),
        ["Обеим группам", "Всем"],
        "a student: the course's and their group's"
    );
    assert_eq!(
        titles(&list(Audience::Student(s2.id)).await),
        ["От куратора группе Б", "Группе Б", "Обеим группам", "Всем"]
    );
    assert_eq!(
        titles(&list(Audience::Student(s3.id)).await),
        ["Всем"],
        "a student in no group: the course's only"
    );
    assert_eq!(
        titles(&list(Audience::Mentor(mentor.id)).await),
        ["От куратора группе Б", "Обеим группам", "Всем"],
        "a mentor: the course's, their groups' and their own"
    );
    let limited = ok(
        storage
            .announcements
            .list_announcements(course.id, Audience::Everyone, 2)
            .await,
        "list_announcements",
    );
    assert_eq!(titles(&limited), ["От куратора группе Б", "Группе Б"]);

    // Ties at one instant: by id, descending.
    let (x, y) = (
        announcement(course.id, teacher.id, "X", vec![], at(10)),
        announcement(course.id, teacher.id, "Y", vec![], at(10)),
    );
    post(&storage, &x).await;
    post(&storage, &y).await;
    let top = list(Audience::Everyone).await;
    let mut expected = [x.id, y.id];
    expected.sort_unstable_by(|p, q| q.cmp(p));
    assert_eq!([top[0].id, top[1].id], expected, "ties by id, descending");

    // Another course's announcements stay there; a missing course is NotFound.
    let other = add_course(&storage, teacher.id, CourseStatus::Published).await;
    post(
        &storage,
        &announcement(other.id, teacher.id, "Другой курс", vec![], at(20)),
    )
    .await;
    assert_eq!(list(Audience::Everyone).await.len(), 6);
    assert_not_found(
        storage
            .announcements
            .post_announcement(
                &announcement(CourseId::new(), teacher.id, "Нет курса", vec![], at(30)),
                &[],
            )
            .await,
        "post_announcement to a missing course",
    );

    ok(
        storage.announcements.delete_announcement(to_b.id).await,
        "delete_announcement",
    );
    assert_not_found(
        storage.announcements.delete_announcement(to_b.id).await,
        "delete_announcement twice",
    );
    assert_eq!(list(Audience::Everyone).await.len(), 5);
}

/// A student's course data carries their latest announcements (at most
/// three, meant for them) and their last activity (lesson view, hand-in,
/// attempt start or finish); one course is read for its staff whatever its
/// status; standings count overdue work (extensions applied) per student;
/// staff watch the groups they mentor and every group of the courses they
/// own, not archived ones.
pub async fn students_standing_and_watched_groups(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let mentor = add_user(&storage, Role::Assistant).await;
    let s1 = add_user(&storage, Role::Student).await;
    let s2 = add_user(&storage, Role::Student).await;
    let course = add_course(&storage, teacher.id, CourseStatus::Published).await;
    ok(
        storage.courses.add_assistant(course.id, mentor.id).await,
        "add_assistant",
    );
    enroll(&storage, course.id, s1.id).await;
    enroll(&storage, course.id, s2.id).await;
    let a = add_group(&storage, course.id, "А", vec![mentor.id]).await;
    let b = add_group(&storage, course.id, "Б", vec![]).await;
    put_in(&storage, course.id, s1.id, a.id, teacher.id).await;

    for (i, groups) in [vec![], vec![a.id], vec![b.id], vec![], vec![a.id]]
        .into_iter()
        .enumerate()
    {
        let minutes = i64::try_from(i).unwrap();
        post(
            &storage,
            &announcement(course.id, teacher.id, &format!("N{i}"), groups, at(minutes)),
        )
        .await;
    }

    // Activity: s1 views a lesson, hands in, starts an attempt.
    let lesson = add_lesson(&storage, course.id, "Урок 1").await;
    ok(
        storage
            .courses
            .mark_lesson_viewed(lesson.id, s1.id, at(100))
            .await,
        "mark_lesson_viewed",
    );
    let overdue = add_assignment(&storage, course.id, day(1)).await;
    let extended = add_assignment(&storage, course.id, day(1)).await;
    let handed = add_assignment(&storage, course.id, day(1)).await;
    let future = add_assignment(&storage, course.id, day(9)).await;
    add_hand_in(&storage, &handed, s1.id, at(200)).await;
    add_hand_in(&storage, &handed, s2.id, at(50)).await;
    ok(
        storage
            .homework
            .upsert_extension(&Extension {
                assignment_id: extended.id,
                student_id: s1.id,
                due_at: day(5),
                cut_off_at: None,
                granted_by: teacher.id,
                granted_at: t0(),
            })
            .await,
        "upsert_extension",
    );
    let (quiz, questions) = add_quiz_with_questions(&storage, course.id, t0(), 2).await;
    ok(
        storage
            .quizzes
            .start_attempt(&attempt(&quiz, &questions, s1.id, at(300), None), None)
            .await,
        "start_attempt",
    );
    let now = day(3);

    let snapshot = ok(
        storage.dashboards.student_snapshot(s1.id, now).await,
        "student_snapshot",
    );
    let data = snapshot
        .courses
        .iter()
        .find(|c| c.course.id == course.id)
        .expect("the course");
    assert_eq!(
        titles(&data.announcements),
        ["N4", "N3", "N1"],
        "the latest three meant for the student (not group Б's)"
    );
    assert_eq!(
        data.announcements[0].author_name,
        teacher.display_name.as_str()
    );
    assert_eq!(
        data.last_activity,
        Some(at(300)),
        "the attempt's start is the latest"
    );

    let one = ok(
        storage
            .dashboards
            .student_course(course.id, s1.id, now)
            .await,
        "student_course",
    )
    .expect("enrolled");
    assert_eq!(&one, data, "the same data as in the student's snapshot");
    let s2_data = ok(
        storage
            .dashboards
            .student_course(course.id, s2.id, now)
            .await,
        "student_course",
    )
    .expect("enrolled");
    assert_eq!(s2_data.last_activity, Some(at(50)));
    assert_eq!(titles(&s2_data.announcements), ["N3", "N0"]);
    assert!(
        ok(
            storage
                .dashboards
                .student_course(course.id, teacher.id, now)
                .await,
            "student_course"
        )
        .is_none(),
        "not enrolled"
    );
    let draft = add_course(&storage, teacher.id, CourseStatus::Draft).await;
    enroll(&storage, draft.id, s1.id).await;
    let in_draft = ok(
        storage
            .dashboards
            .student_course(draft.id, s1.id, now)
            .await,
        "student_course",
    )
    .expect("a draft course is read for its staff");
    assert_eq!(in_draft.last_activity, None);

    let standings = ok(
        storage.dashboards.course_standings(course.id, now).await,
        "course_standings",
    );
    // Both enrolled at one instant: the order between them is the adapter's.
    let mut summary: Vec<_> = standings
        .iter()
        .map(|s| {
            (
                s.student_id,
                s.display_name.as_str(),
                s.overdue,
                s.last_activity,
            )
        })
        .collect();
    summary.sort_by_key(|s| s.0);
    let mut expected = [
        (s1.id, s1.display_name.as_str(), 1, Some(at(300))),
        (s2.id, s2.display_name.as_str(), 2, Some(at(50))),
    ];
    expected.sort_by_key(|s| s.0);
    assert_eq!(
        summary, expected,
        "one per enrolled student; overdue: past due, open, published and not handed in \
         (s1's extension moves one due date past now; {} is not due yet)",
        future.id
    );
    let _ = overdue;

    // Watched groups: a mentor's own; an owner's every group; not archived ones.
    let ids = |groups: Vec<Group>| {
        let mut ids: Vec<GroupId> = groups.into_iter().map(|g| g.id).collect();
        ids.sort_unstable();
        ids
    };
    let mut both = vec![a.id, b.id];
    both.sort_unstable();
    assert_eq!(
        ids(ok(
            storage.groups.staff_groups(mentor.id).await,
            "staff_groups"
        )),
        [a.id]
    );
    assert_eq!(
        ids(ok(
            storage.groups.staff_groups(teacher.id).await,
            "staff_groups"
        )),
        both
    );
    let mut archived = b.clone();
    archived.archived_at = Some(at(500));
    ok(storage.groups.update_group(&archived).await, "update_group");
    assert_eq!(
        ids(ok(
            storage.groups.staff_groups(teacher.id).await,
            "staff_groups"
        )),
        [a.id],
        "archived groups are not watched"
    );
    let mut closed = course.clone();
    closed.status = CourseStatus::Archived;
    ok(
        storage.courses.update_course(&closed).await,
        "update_course",
    );
    assert!(
        ok(storage.groups.staff_groups(mentor.id).await, "staff_groups").is_empty(),
        "nor the groups of archived courses"
    );
    assert!(ok(storage.groups.staff_groups(s1.id).await, "staff_groups").is_empty());
}
