//! Tests: enroll_student / unenroll / list_students.

use super::*;

#[tokio::test]
async fn owner_enrols_an_active_student() {
    let c = course(Draft);
    let a = actor(Role::Teacher);
    let student = user(Role::Student);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let expected = Enrollment {
        course_id: c.id,
        student_id: student.id,
        source: EnrollmentSource::Staff,
        enrolled_at: now(),
    };
    let e = expected.clone();
    courses
        .expect_enroll()
        .withf(move |x| *x == e)
        .times(1)
        .returning(|_| Ok(()));
    let mut users = MockUserStore::new();
    expect_user(&mut users, &student);
    let svc = service(courses, users);
    assert_eq!(
        svc.enroll_student(&a, c.id, student.id).await.unwrap(),
        expected
    );
}

#[tokio::test]
async fn only_existing_active_students_can_be_enrolled() {
    let mut inactive = user(Role::Student);
    inactive.active = false;
    let cases: [(Option<User>, &str); 5] = [
        (None, "user_not_found"),
        (Some(inactive), "user_inactive"),
        (Some(user(Role::Teacher)), "not_a_student"),
        (Some(user(Role::Assistant)), "not_a_student"),
        (Some(user(Role::Admin)), "not_a_student"),
    ];
    for (found, code) in cases {
        let c = course(Published);
        let a = actor(Role::Admin);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, None);
        let mut users = MockUserStore::new();
        users
            .expect_get_user()
            .returning(move |_| Ok(found.clone()));
        let svc = service(courses, users);
        let err = svc
            .enroll_student(&a, c.id, UserId::new())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code);
    }
}

#[tokio::test]
async fn no_enrolment_into_archived_courses_or_twice() {
    let c = course(Archived);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .enroll_student(&a, c.id, UserId::new())
        .await
        .unwrap_err();
    assert!(matches!(err, EnrollError::CourseArchived));

    let c = course(Published);
    let student = user(Role::Student);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    courses
        .expect_enroll()
        .returning(|_| Err(StorageError::Conflict(Conflict::Enrollment)));
    let mut users = MockUserStore::new();
    expect_user(&mut users, &student);
    let svc = service(courses, users);
    let err = svc.enroll_student(&a, c.id, student.id).await.unwrap_err();
    assert!(matches!(err, EnrollError::AlreadyEnrolled));
}

#[tokio::test]
async fn enrolment_changes_are_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.enroll_student(a, c.id, UserId::new()).await,
    )
    .await;
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.unenroll(a, c.id, UserId::new()).await,
    )
    .await;
}

#[tokio::test]
async fn unenroll_reports_whether_the_student_was_enrolled() {
    for existed in [true, false] {
        let c = course(Archived);
        let a = actor(Role::Teacher);
        let student = UserId::new();
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
        let id = c.id;
        courses
            .expect_unenroll()
            .withf(move |x, s| *x == id && *s == student)
            .times(1)
            .returning(move |_, _| Ok(existed));
        let svc = service(courses, MockUserStore::new());
        assert_eq!(svc.unenroll(&a, c.id, student).await.unwrap(), existed);
    }
}

#[tokio::test]
async fn staff_list_students_with_their_accounts_in_enrolment_order() {
    let c = course(Published);
    let a = actor(Role::Assistant);
    let (s1, s2) = (user(Role::Student), user(Role::Student));
    let gone = UserId::new();
    let enrollments: Vec<Enrollment> = [s1.id, gone, s2.id]
        .into_iter()
        .map(|student_id| Enrollment {
            course_id: c.id,
            student_id,
            source: EnrollmentSource::Staff,
            enrolled_at: now(),
        })
        .collect();
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Assistant));
    let en = enrollments.clone();
    courses
        .expect_list_enrollments()
        .withf(|_, p| *p == Page::new(2, 0))
        .returning(move |_, _| Ok(en.clone()));
    let mut users = MockUserStore::new();
    // The store returns users in another order and skips unknown ids.
    let found = vec![s2.clone(), s1.clone()];
    let wanted = vec![s1.id, gone, s2.id];
    users
        .expect_get_users()
        .withf(move |ids| ids == wanted.as_slice())
        .returning(move |_| Ok(found.clone()));
    let svc = service(courses, users);
    let listed = svc.list_students(&a, c.id, Page::new(2, 0)).await.unwrap();
    assert_eq!(
        listed,
        vec![(enrollments[0].clone(), s1), (enrollments[2].clone(), s2)]
    );
}

#[tokio::test]
async fn student_lists_are_denied_to_non_staff() {
    assert_denied(
        Level::Grade,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.list_students(a, c.id, Page::first()).await,
    )
    .await;
}
