//! Tests: the `can_*` flags of a course view agree with what the services
//! allow.

use super::*;

/// The view `get_course` gives the case's actor.
async fn view_for(case: &Case, c: &Course, a: &Actor) -> CourseView {
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, c, a, case.membership);
    service(courses, MockUserStore::new())
        .get_course(a, c.id)
        .await
        .expect(case.name)
}

fn case(name: &str) -> &'static Case {
    CASES.iter().find(|c| c.name == name).expect(name)
}

#[tokio::test]
async fn the_flags_follow_the_access_matrix() {
    for case in CASES.iter().filter(|c| c.view == Outcome::Allowed) {
        let (c, a) = (course(case.status), actor(case.role));
        let v = view_for(case, &c, &a).await;
        assert_eq!(
            v.can_manage,
            case.manage == Outcome::Allowed,
            "{}",
            case.name
        );
        assert_eq!(v.can_grade, case.grade == Outcome::Allowed, "{}", case.name);
        let studies = case.role == Role::Student
            && case.membership == Some(CourseRole::Student)
            && case.status == Published;
        assert_eq!(v.can_study, studies, "{}", case.name);
    }
}

#[tokio::test]
async fn owner_assistant_student_and_admin_get_their_flags() {
    // (case, can_manage, can_grade, can_study)
    let table = [
        ("owner", true, true, false),
        ("assistant of the course", false, true, false),
        ("teacher assisting the course", false, true, false),
        ("enrolled student, published", false, false, true),
        ("enrolled student, archived", false, false, false),
        ("admin, not a member", true, true, false),
    ];
    for (name, manage, grade, study) in table {
        let case = case(name);
        let (c, a) = (course(case.status), actor(case.role));
        let v = view_for(case, &c, &a).await;
        assert_eq!(
            (v.can_manage, v.can_grade, v.can_study),
            (manage, grade, study),
            "{name}"
        );
    }
}

#[tokio::test]
async fn an_assistant_may_not_manage_and_update_course_is_forbidden() {
    let case = case("assistant of the course");
    let (c, a) = (course(case.status), actor(case.role));
    let v = view_for(case, &c, &a).await;
    assert!(!v.can_manage);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, case.membership);
    // No `update_course` expectation: a write would panic.
    let err = service(courses, MockUserStore::new())
        .update_course(&a, c.id, update_course::course_update())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageCourseError::Forbidden), "{err:?}");
}

/// `can_manage` is set exactly when `update_course` is not refused as
/// `Forbidden`, and `can_grade` exactly when `list_students` is not.
#[tokio::test]
async fn each_flag_agrees_with_the_service_call_it_stands_for() {
    for case in CASES.iter().filter(|c| c.view == Outcome::Allowed) {
        let (c, a) = (course(case.status), actor(case.role));
        let v = view_for(case, &c, &a).await;

        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, case.membership);
        courses.expect_update_course().returning(|_| Ok(()));
        let updated = service(courses, MockUserStore::new())
            .update_course(&a, c.id, update_course::course_update())
            .await;
        let refused = matches!(updated, Err(ManageCourseError::Forbidden));
        assert_eq!(v.can_manage, !refused, "{}: {updated:?}", case.name);
        if v.can_manage && case.status != Archived {
            assert!(updated.is_ok(), "{}: {updated:?}", case.name);
        }

        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, case.membership);
        courses
            .expect_list_enrollments()
            .returning(|_, _| Ok(Vec::new()));
        // An assistant's list is narrowed to their groups in the store.
        courses
            .expect_search_enrollments()
            .returning(|_, _, _| Ok(Vec::new()));
        let mut users = MockUserStore::new();
        users.expect_get_users().returning(|_| Ok(Vec::new()));
        let listed = service(courses, users)
            .list_students(&a, c.id, &UserFilter::default(), Page::first())
            .await;
        let refused = matches!(listed, Err(CourseAccessError::Forbidden));
        assert_eq!(v.can_grade, !refused, "{}: {listed:?}", case.name);
        assert_eq!(v.can_grade, listed.is_ok(), "{}: {listed:?}", case.name);
    }
}
