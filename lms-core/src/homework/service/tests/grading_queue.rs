//! Tests: grading_queue.

use super::*;
use crate::user::UserFilter;

pub(super) fn other_course(owner: UserId) -> Course {
    Course {
        id: CourseId::new(),
        title: Title::parse("Физика").unwrap(),
        description: RichText::default(),
        owner_id: owner,
        status: CourseStatus::Published,
        invite_code: None,
        cover: None,
        created_at: t0(),
    }
}

pub(super) fn pending(course: CourseId) -> PendingSubmission {
    let a = AssignmentId::new();
    PendingSubmission {
        submission: submission(a, UserId::new(), SubmissionState::Submitted, t0(), false),
        assignment_id: a,
        course_id: course,
        student_name: "Ученик".into(),
        assignment_title: "ДЗ".into(),
    }
}

#[tokio::test]
async fn the_queue_covers_courses_the_actor_checks() {
    let w = World::new(CourseStatus::Published);
    let owned = other_course(w.other_teacher.user_id);
    let assisted = other_course(UserId::new());
    let studied = other_course(UserId::new());
    let memberships = vec![
        CourseMembership {
            course: owned.clone(),
            role: CourseRole::Owner,
        },
        CourseMembership {
            course: assisted.clone(),
            role: CourseRole::Assistant,
        },
        CourseMembership {
            course: studied.clone(),
            role: CourseRole::Student,
        },
    ];
    let page = Page::new(5, 0);
    let queue = vec![pending(owned.id)];
    let (o, a) = (owned.id, assisted.id);
    // A teacher checks what they own and assist in; the same user
    // demoted to assistant keeps only what an assistant may check.
    let teacher = w.other_teacher;
    let demoted = Actor {
        role: Role::Assistant,
        ..teacher
    };
    for (who, expected) in [(teacher, vec![o, a]), (demoted, vec![a])] {
        let mut m = Mocks::new();
        let ms = memberships.clone();
        m.courses
            .expect_list_member_courses()
            .with(eq(teacher.user_id), eq(Page::new(Page::MAX_LIMIT, 0)))
            .times(1)
            .returning(move |_, _| Ok(ms.clone()));
        let q2 = queue.clone();
        // Across courses the adapter narrows course by course to what the
        // actor sees there (all of an owned course, a mentor's groups').
        let narrowed = UserFilter {
            mentored_by: Some(who.user_id),
            ..UserFilter::default()
        };
        m.hw.expect_pending_submissions()
            .withf(move |courses, f, p| {
                courses == expected.as_slice() && *f == narrowed && *p == page
            })
            .times(1)
            .returning(move |_, _, _| Ok(q2.clone()));
        let got = m
            .build(&w)
            .grading_queue(&who, None, &UserFilter::default(), page)
            .await
            .unwrap();
        assert_eq!(got, queue, "{:?}", who.role);
    }

    // Demoted to student, the same memberships check nothing: an empty
    // queue without asking storage.
    let mut m = Mocks::new();
    let ms = memberships.clone();
    m.courses
        .expect_list_member_courses()
        .returning(move |_, _| Ok(ms.clone()));
    let student_now = Actor {
        role: Role::Student,
        ..teacher
    };
    let got = m
        .build(&w)
        .grading_queue(&student_now, None, &UserFilter::default(), page)
        .await
        .unwrap();
    assert!(got.is_empty());

    // A student checks nothing: an empty queue without asking storage.
    let mut m = Mocks::new();
    let only_student = vec![CourseMembership {
        course: studied,
        role: CourseRole::Student,
    }];
    m.courses
        .expect_list_member_courses()
        .returning(move |_, _| Ok(only_student.clone()));
    let got = m
        .build(&w)
        .grading_queue(&w.student, None, &UserFilter::default(), page)
        .await
        .unwrap();
    assert!(got.is_empty());
}

#[tokio::test]
async fn the_admin_queue_pages_through_every_course() {
    let w = World::new(CourseStatus::Published);
    let courses: Vec<Course> = (0..201).map(|_| other_course(UserId::new())).collect();
    let ids: Vec<CourseId> = courses.iter().map(|c| c.id).collect();
    let mut m = Mocks::new();
    let c2 = courses.clone();
    m.courses
        .expect_list_all_courses()
        .times(2)
        .returning(move |p| Ok(p.slice(&c2)));
    let q = vec![pending(ids[200])];
    let q2 = q.clone();
    m.hw.expect_pending_submissions()
        .withf(move |c, _, _| c == ids.as_slice())
        .times(1)
        .returning(move |_, _, _| Ok(q2.clone()));
    let got = m
        .build(&w)
        .grading_queue(&w.admin, None, &UserFilter::default(), Page::first())
        .await
        .unwrap();
    assert_eq!(got, q);
}

#[tokio::test]
async fn the_queue_of_one_course_is_for_its_staff() {
    let w = World::new(CourseStatus::Published);
    let page = Page::first();
    for who in [&w.assistant, &w.owner, &w.admin] {
        let mut m = Mocks::new();
        let course = w.course.id;
        let q = vec![pending(course)];
        let q2 = q.clone();
        m.hw.expect_pending_submissions()
            .withf(move |c, _, _| c == [course])
            .times(1)
            .returning(move |_, _, _| Ok(q2.clone()));
        let got = m
            .build(&w)
            .grading_queue(who, Some(course), &UserFilter::default(), page)
            .await
            .unwrap();
        assert_eq!(got, q);
    }
    for (who, code) in [
        (&w.student, "forbidden"),
        (&w.stranger, "course_not_found"),
        (&w.other_assistant, "course_not_found"),
        (&w.other_teacher, "course_not_found"),
    ] {
        let err = bare(&w)
            .grading_queue(who, Some(w.course.id), &UserFilter::default(), page)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{:?}", who.role);
    }
}

#[tokio::test]
async fn a_queue_search_reaches_storage_without_a_role() {
    let w = World::new(CourseStatus::Published);
    let mut m = Mocks::new();
    let course = w.course.id;
    m.hw.expect_pending_submissions()
        .withf(move |c, f, _| {
            c == [course] && f.query.as_deref() == Some("пет") && f.role.is_none()
        })
        .times(1)
        .returning(|_, _, _| Ok(vec![]));
    let filter = UserFilter {
        query: Some("пет".into()),
        role: Some(crate::user::Role::Admin),
        active: None,
        ..UserFilter::default()
    };
    let got = m
        .build(&w)
        .grading_queue(&w.owner, Some(course), &filter, Page::first())
        .await
        .unwrap();
    assert!(got.is_empty());
}
