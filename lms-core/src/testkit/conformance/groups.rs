//! Conformance of [`GroupStore`](crate::group::GroupStore): groups with
//! their mentors and codes, students' places in them with history, a
//! mentor's scope, and the course listings that narrow to a group or a
//! mentor.

use chrono::{DateTime, Utc};

use super::fixtures::{
    add_assignment, add_course, add_hand_in, add_quiz_with_questions, add_user, assert_conflict,
    assert_not_found, at, attempt, day, enroll, ok, t0,
};
use crate::course::{CourseStatus, Enrollment, EnrollmentSource, InviteCode};
use crate::error::Conflict;
use crate::group::{Group, GroupMember, GroupMove, GroupName, MentorScope};
use crate::homework::SubmissionFilter;
use crate::ids::{CourseId, GroupId, UserId};
use crate::page::Page;
use crate::ports::Storage;
use crate::user::{Role, UserFilter};

fn group(course: CourseId, name: &str, mentors: Vec<UserId>, created_at: DateTime<Utc>) -> Group {
    Group {
        id: GroupId::new(),
        course_id: course,
        name: GroupName::parse(name).unwrap(),
        invite_code: Some(InviteCode::generate()),
        mentors,
        archived_at: None,
        created_at,
    }
}

async fn add_group(storage: &Storage, g: &Group) {
    ok(storage.groups.insert_group(g).await, "insert_group");
}

fn moved(
    course: CourseId,
    student: UserId,
    from: Option<GroupId>,
    to: Option<GroupId>,
    by: UserId,
    minutes: i64,
) -> GroupMove {
    GroupMove {
        course_id: course,
        student_id: student,
        from_group: from,
        to_group: to,
        moved_by: by,
        moved_at: at(minutes),
    }
}

/// Groups are stored with their mentors in order, listed oldest first,
/// found by their current code, and updated whole (name, code, archive
/// mark, mentors); codes are unique.
pub async fn groups_round_trip_with_mentors(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let (m1, m2) = (
        add_user(&storage, Role::Assistant).await,
        add_user(&storage, Role::Assistant).await,
    );
    let course = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let other = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let b = group(course.id, "Группа Б", vec![m2.id, m1.id], at(2));
    let a = group(course.id, "Группа А", vec![m1.id], at(1));
    let elsewhere = group(other.id, "Чужая", Vec::new(), at(0));
    add_group(&storage, &b).await;
    add_group(&storage, &a).await;
    add_group(&storage, &elsewhere).await;

    assert_eq!(
        ok(storage.groups.get_group(b.id).await, "get_group"),
        Some(b.clone()),
        "a group round-trips with its mentors in the order given"
    );
    assert_eq!(
        ok(storage.groups.list_groups(course.id).await, "list_groups"),
        vec![a.clone(), b.clone()],
        "a course's groups, oldest first, and no other course's"
    );
    let code = a.invite_code.clone().unwrap();
    assert_eq!(
        ok(
            storage.groups.find_group_by_invite_code(&code).await,
            "find_group_by_invite_code"
        ),
        Some(a.clone())
    );

    // A code in use by another group is a conflict, on insert and update.
    let mut clash = group(course.id, "Дубль", Vec::new(), at(3));
    clash.invite_code = a.invite_code.clone();
    assert_conflict(
        storage.groups.insert_group(&clash).await,
        Conflict::InviteCode,
        "insert_group with another group's code",
    );
    let mut b2 = b.clone();
    b2.invite_code = a.invite_code.clone();
    assert_conflict(
        storage.groups.update_group(&b2).await,
        Conflict::InviteCode,
        "update_group with another group's code",
    );

    // An update replaces name, code, archive mark and mentors.
    let renamed = Group {
        name: GroupName::parse("Группа Б (вечер)").unwrap(),
        invite_code: None,
        mentors: vec![m1.id],
        archived_at: Some(at(10)),
        ..b.clone()
    };
    ok(storage.groups.update_group(&renamed).await, "update_group");
    assert_eq!(
        ok(storage.groups.get_group(b.id).await, "get_group"),
        Some(renamed)
    );
    let old_code = b.invite_code.clone().unwrap();
    assert_eq!(
        ok(
            storage.groups.find_group_by_invite_code(&old_code).await,
            "find_group_by_invite_code"
        ),
        None,
        "a removed code finds nothing"
    );
    assert_not_found(
        storage
            .groups
            .update_group(&group(course.id, "Нет", Vec::new(), at(0)))
            .await,
        "update_group of a missing group",
    );
}

/// A student is in at most one group of a course; moves compare the group
/// they left, are recorded in order, and an enrolment ends with its group.
pub async fn students_move_between_groups_with_history(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let course = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let other = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let (s1, s2, stranger) = (
        add_user(&storage, Role::Student).await,
        add_user(&storage, Role::Student).await,
        add_user(&storage, Role::Student).await,
    );
    enroll(&storage, course.id, s1.id).await;
    enroll(&storage, course.id, s2.id).await;
    let a = group(course.id, "А", Vec::new(), at(0));
    let b = group(course.id, "Б", Vec::new(), at(1));
    let foreign = group(other.id, "Чужая", Vec::new(), at(2));
    for g in [&a, &b, &foreign] {
        add_group(&storage, g).await;
    }
    let g = &storage.groups;
    ok(
        g.move_student(&moved(course.id, s1.id, None, Some(a.id), teacher.id, 1))
            .await,
        "move into A",
    );
    ok(
        g.move_student(&moved(
            course.id,
            s1.id,
            Some(a.id),
            Some(b.id),
            teacher.id,
            2,
        ))
        .await,
        "move A to B",
    );
    // A move that read an old group is stale and changes nothing.
    assert_conflict(
        g.move_student(&moved(course.id, s1.id, Some(a.id), None, teacher.id, 3))
            .await,
        Conflict::Stale,
        "move from a group the student left",
    );
    assert_not_found(
        g.move_student(&moved(
            course.id,
            stranger.id,
            None,
            Some(a.id),
            teacher.id,
            3,
        ))
        .await,
        "move of a student who is not enrolled",
    );
    assert_not_found(
        g.move_student(&moved(
            course.id,
            s2.id,
            None,
            Some(foreign.id),
            teacher.id,
            3,
        ))
        .await,
        "move into another course's group",
    );
    assert_eq!(
        ok(g.student_group(course.id, s1.id).await, "student_group"),
        Some(b.id)
    );
    assert_eq!(
        ok(g.student_group(course.id, s2.id).await, "student_group"),
        None
    );
    let mut members = ok(g.group_members(course.id).await, "group_members");
    members.sort_by_key(|m| m.student_id);
    let mut expected = vec![
        GroupMember {
            student_id: s1.id,
            group_id: Some(b.id),
        },
        GroupMember {
            student_id: s2.id,
            group_id: None,
        },
    ];
    expected.sort_by_key(|m| m.student_id);
    assert_eq!(members, expected, "every enrolled student with their group");
    assert_eq!(
        ok(g.group_history(course.id, s1.id).await, "group_history"),
        vec![
            moved(course.id, s1.id, None, Some(a.id), teacher.id, 1),
            moved(course.id, s1.id, Some(a.id), Some(b.id), teacher.id, 2),
        ],
        "moves oldest first, the refused ones not recorded"
    );

    // Unenrolled and enrolled again: no group, the history stays.
    ok(storage.courses.unenroll(course.id, s1.id).await, "unenroll");
    enroll(&storage, course.id, s1.id).await;
    assert_eq!(
        ok(g.student_group(course.id, s1.id).await, "student_group"),
        None,
        "an enrolment ends with its group"
    );
    assert_eq!(
        ok(g.group_history(course.id, s1.id).await, "group_history").len(),
        2
    );
}

/// Joining by a group's code enrols and places the student in one write;
/// a second join changes nothing.
pub async fn enrolling_into_a_group_is_one_write(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let student = add_user(&storage, Role::Student).await;
    let course = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let a = group(course.id, "А", Vec::new(), at(0));
    add_group(&storage, &a).await;
    let enrollment = Enrollment {
        course_id: course.id,
        student_id: student.id,
        source: EnrollmentSource::InviteCode,
        enrolled_at: t0(),
    };
    let entry = moved(course.id, student.id, None, Some(a.id), student.id, 0);
    ok(
        storage.groups.enroll_in_group(&enrollment, &entry).await,
        "enroll_in_group",
    );
    assert_eq!(
        ok(
            storage.groups.student_group(course.id, student.id).await,
            "student_group"
        ),
        Some(a.id)
    );
    assert!(
        ok(
            storage.courses.membership(course.id, student.id).await,
            "membership"
        )
        .is_some(),
        "the student is enrolled"
    );
    assert_conflict(
        storage.groups.enroll_in_group(&enrollment, &entry).await,
        Conflict::Enrollment,
        "a second join",
    );
    assert_eq!(
        ok(
            storage.groups.group_history(course.id, student.id).await,
            "group_history"
        ),
        vec![entry],
        "the refused join records no move"
    );
}

/// An assistant sees the whole of a course without groups, and only the
/// groups they mentor once it has any.
pub async fn mentor_scope_follows_groups(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let (m1, m2) = (
        add_user(&storage, Role::Assistant).await,
        add_user(&storage, Role::Assistant).await,
    );
    let course = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let plain = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let scope = |c, u| storage.groups.mentor_scope(c, u);
    assert_eq!(
        ok(scope(course.id, m1.id).await, "mentor_scope"),
        MentorScope::Course
    );
    let a = group(course.id, "А", vec![m1.id], at(0));
    let b = group(course.id, "Б", vec![m1.id, m2.id], at(1));
    add_group(&storage, &a).await;
    add_group(&storage, &b).await;
    add_group(&storage, &group(course.id, "В", Vec::new(), at(2))).await;
    assert_eq!(
        ok(scope(course.id, m1.id).await, "mentor_scope"),
        MentorScope::Groups(vec![a.id, b.id])
    );
    assert_eq!(
        ok(scope(course.id, m2.id).await, "mentor_scope"),
        MentorScope::Groups(vec![b.id])
    );
    assert_eq!(
        ok(scope(course.id, teacher.id).await, "mentor_scope"),
        MentorScope::Groups(Vec::new()),
        "someone who mentors nothing has an empty scope"
    );
    assert_eq!(
        ok(scope(plain.id, m1.id).await, "mentor_scope"),
        MentorScope::Course,
        "another course's groups do not count"
    );
}

/// Listings of a course's students (enrolments, submissions, the grading
/// queue, quiz attempts) narrow to a group and to what a mentor sees: the
/// owner and assistants of a course without groups see everyone.
pub async fn listings_narrow_to_a_group_and_a_mentor(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let mentor = add_user(&storage, Role::Assistant).await;
    let course = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let plain = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let (s1, s2, s3) = (
        add_user(&storage, Role::Student).await,
        add_user(&storage, Role::Student).await,
        add_user(&storage, Role::Student).await,
    );
    for s in [&s1, &s2, &s3] {
        enroll(&storage, course.id, s.id).await;
        enroll(&storage, plain.id, s.id).await;
    }
    let a = group(course.id, "А", vec![mentor.id], at(0));
    let b = group(course.id, "Б", Vec::new(), at(1));
    add_group(&storage, &a).await;
    add_group(&storage, &b).await;
    for (s, g) in [(&s1, a.id), (&s2, b.id)] {
        ok(
            storage
                .groups
                .move_student(&moved(course.id, s.id, None, Some(g), teacher.id, 1))
                .await,
            "move",
        );
    }
    let work = add_assignment(&storage, course.id, day(7)).await;
    let plain_work = add_assignment(&storage, plain.id, day(7)).await;
    for (i, s) in [&s1, &s2, &s3].into_iter().enumerate() {
        add_hand_in(&storage, &work, s.id, at(10 + i as i64)).await;
        add_hand_in(&storage, &plain_work, s.id, at(20 + i as i64)).await;
    }
    let (quiz, questions) = add_quiz_with_questions(&storage, course.id, t0(), 1).await;
    for (i, s) in [&s1, &s2, &s3].into_iter().enumerate() {
        ok(
            storage
                .quizzes
                .start_attempt(
                    &attempt(&quiz, &questions, s.id, at(30 + i as i64), None),
                    None,
                )
                .await,
            "start_attempt",
        );
    }

    let in_group = |g| UserFilter {
        group: Some(g),
        ..UserFilter::default()
    };
    let of = |u: UserId| UserFilter {
        mentored_by: Some(u),
        ..UserFilter::default()
    };
    let enrolled = |f: UserFilter, c: CourseId| {
        let storage = storage.clone();
        async move {
            let mut ids: Vec<UserId> = ok(
                storage
                    .courses
                    .search_enrollments(c, &f, Page::first())
                    .await,
                "search_enrollments",
            )
            .into_iter()
            .map(|e| e.student_id)
            .collect();
            ids.sort();
            ids
        }
    };
    let submitted = |f: UserFilter| {
        let storage = storage.clone();
        async move {
            let filter = SubmissionFilter {
                students: f,
                state: None,
            };
            let mut ids: Vec<UserId> = ok(
                storage
                    .homework
                    .list_submissions(work.id, &filter, Page::first())
                    .await,
                "list_submissions",
            )
            .into_iter()
            .map(|s| s.student_id)
            .collect();
            ids.sort();
            ids
        }
    };
    let queued = |f: UserFilter| {
        let storage = storage.clone();
        async move {
            let mut ids: Vec<(CourseId, UserId)> = ok(
                storage
                    .homework
                    .pending_submissions(&[course.id, plain.id], &f, Page::first())
                    .await,
                "pending_submissions",
            )
            .into_iter()
            .map(|p| (p.course_id, p.submission.student_id))
            .collect();
            ids.sort();
            ids
        }
    };
    let attempted = |f: UserFilter| {
        let storage = storage.clone();
        async move {
            let mut ids: Vec<UserId> = ok(
                storage
                    .quizzes
                    .list_quiz_attempts(quiz.id, &f, Page::first())
                    .await,
                "list_quiz_attempts",
            )
            .into_iter()
            .map(|a| a.attempt.student_id)
            .collect();
            ids.sort();
            ids
        }
    };
    let sorted = |mut v: Vec<UserId>| {
        v.sort();
        v
    };
    let everyone = sorted(vec![s1.id, s2.id, s3.id]);

    // A group.
    assert_eq!(
        enrolled(in_group(a.id), course.id).await,
        vec![s1.id],
        "enrolments of group A"
    );
    assert_eq!(
        submitted(in_group(b.id)).await,
        vec![s2.id],
        "submissions of group B"
    );
    assert_eq!(
        attempted(in_group(a.id)).await,
        vec![s1.id],
        "attempts of group A"
    );
    // A mentor: their groups' students where the course has groups,
    // everyone where it has none.
    assert_eq!(
        enrolled(of(mentor.id), course.id).await,
        vec![s1.id],
        "a mentor's enrolments"
    );
    assert_eq!(
        enrolled(of(mentor.id), plain.id).await,
        everyone,
        "a course without groups"
    );
    assert_eq!(
        submitted(of(mentor.id)).await,
        vec![s1.id],
        "a mentor's submissions"
    );
    assert_eq!(
        attempted(of(mentor.id)).await,
        vec![s1.id],
        "a mentor's attempts"
    );
    let mut expected: Vec<(CourseId, UserId)> = vec![(course.id, s1.id)];
    expected.extend(everyone.iter().map(|s| (plain.id, *s)));
    expected.sort();
    assert_eq!(
        queued(of(mentor.id)).await,
        expected,
        "a mentor's queue across courses"
    );
    // The owner sees every student of their course, mentor or not.
    assert_eq!(
        submitted(of(teacher.id)).await,
        everyone,
        "the owner's submissions"
    );
    assert_eq!(
        attempted(of(teacher.id)).await,
        everyone,
        "the owner's attempts"
    );
    assert_eq!(
        enrolled(of(teacher.id), course.id).await,
        everyone,
        "the owner's enrolments"
    );
    // Someone who mentors nothing in a course with groups sees nobody there.
    let idle = add_user(&storage, Role::Assistant).await;
    assert!(
        submitted(of(idle.id)).await.is_empty(),
        "an idle mentor's submissions"
    );
}
