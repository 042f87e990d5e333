//! Tests: get_course / list_my_courses.

use super::*;

#[tokio::test]
async fn get_course_is_denied_to_those_who_cannot_see_it() {
    assert_denied(
        Level::View,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.get_course(a, c.id).await,
    )
    .await;
}

#[tokio::test]
async fn get_course_shows_the_invite_code_to_staff_only() {
    for case in CASES.iter().filter(|c| c.view == Outcome::Allowed) {
        let c = course(case.status);
        let a = actor(case.role);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, case.membership);
        let svc = service(courses, MockUserStore::new());
        let v = svc.get_course(&a, c.id).await.unwrap();
        assert_eq!(v.role, case.membership, "{}", case.name);
        assert_eq!(v.course.title, c.title);
        let staff = case.grade == Outcome::Allowed;
        let expected_code = if staff { c.invite_code.clone() } else { None };
        assert_eq!(v.course.invite_code, expected_code, "{}", case.name);
    }
}

#[tokio::test]
async fn get_course_reads_the_course_and_role_in_one_call() {
    let c = course(Published);
    let a = actor(Role::Student);
    let mut courses = MockCourseStore::new();
    let (id, uid, found) = (c.id, a.user_id, c.clone());
    courses
        .expect_course_for()
        .withf(move |c, u| *c == id && *u == uid)
        .times(1)
        .returning(move |_, _| Ok(Some((found.clone(), Some(CourseRole::Student)))));
    // No other expectation: a `get_course` or `membership` call would panic.
    let svc = service(courses, MockUserStore::new());
    let v = svc.get_course(&a, c.id).await.unwrap();
    assert_eq!(v.role, Some(CourseRole::Student));
    assert_eq!(v.course.id, c.id);
}

#[tokio::test]
async fn unknown_course_is_not_found() {
    let mut courses = MockCourseStore::new();
    courses.expect_course_for().returning(|_, _| Ok(None));
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .get_course(&actor(Role::Admin), CourseId::new())
        .await
        .unwrap_err();
    assert!(matches!(err, CourseAccessError::NotFound));
}

#[tokio::test]
async fn admin_lists_every_course_without_a_role() {
    let all = vec![course(Draft), course(Published)];
    let a = all.clone();
    let mut courses = MockCourseStore::new();
    courses
        .expect_list_all_courses()
        .withf(|p| *p == Page::new(10, 20))
        .returning(move |_| Ok(a.clone()));
    let svc = service(courses, MockUserStore::new());
    let views = svc
        .list_my_courses(&actor(Role::Admin), Page::new(10, 20))
        .await
        .unwrap();
    assert_eq!(
        views,
        all.into_iter()
            .map(|course| CourseView {
                course,
                role: None,
                can_manage: true,
                can_grade: true,
                can_study: false,
            })
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn students_list_no_drafts_and_no_invite_codes() {
    let student = actor(Role::Student);
    let published = course(Published);
    let archived = course(Archived);
    let draft = course(Draft);
    let memberships: Vec<CourseMembership> = [&published, &draft, &archived]
        .into_iter()
        .map(|c| CourseMembership {
            course: c.clone(),
            role: CourseRole::Student,
        })
        .collect();
    let uid = student.user_id;
    let mut courses = MockCourseStore::new();
    courses
        .expect_list_member_courses()
        .withf(move |u, p| *u == uid && *p == Page::first())
        .returning(move |_, _| Ok(memberships.clone()));
    let svc = service(courses, MockUserStore::new());
    let views = svc.list_my_courses(&student, Page::first()).await.unwrap();
    let ids: Vec<CourseId> = views.iter().map(|v| v.course.id).collect();
    assert_eq!(ids, vec![published.id, archived.id]);
    assert!(views.iter().all(|v| v.course.invite_code.is_none()));
    assert!(views.iter().all(|v| v.role == Some(CourseRole::Student)));
    assert!(views.iter().all(|v| !v.can_manage && !v.can_grade));
    let studies: Vec<bool> = views.iter().map(|v| v.can_study).collect();
    assert_eq!(studies, vec![true, false], "archived courses are read only");
}

#[tokio::test]
async fn staff_list_drafts_with_invite_codes() {
    let teacher = actor(Role::Teacher);
    let owned = course(Draft);
    let assisted = course(Published);
    let memberships = vec![
        CourseMembership {
            course: owned.clone(),
            role: CourseRole::Owner,
        },
        CourseMembership {
            course: assisted.clone(),
            role: CourseRole::Assistant,
        },
    ];
    let mut courses = MockCourseStore::new();
    courses
        .expect_list_member_courses()
        .returning(move |_, _| Ok(memberships.clone()));
    let svc = service(courses, MockUserStore::new());
    let views = svc.list_my_courses(&teacher, Page::first()).await.unwrap();
    assert_eq!(
        views,
        vec![
            CourseView {
                course: owned,
                role: Some(CourseRole::Owner),
                can_manage: true,
                can_grade: true,
                can_study: false,
            },
            CourseView {
                course: assisted,
                role: Some(CourseRole::Assistant),
                can_manage: false,
                can_grade: true,
                can_study: false,
            },
        ]
    );
}
