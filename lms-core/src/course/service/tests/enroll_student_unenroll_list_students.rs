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
    // An assistant lists through the search that narrows to the groups
    // they mentor (everyone in a course without groups).
    let me = a.user_id;
    courses
        .expect_search_enrollments()
        .withf(move |_, f, p| {
            f.mentored_by == Some(me) && f.query.is_none() && *p == Page::new(2, 0)
        })
        .returning(move |_, _, _| Ok(en.clone()));
    let mut users = MockUserStore::new();
    // The store returns users in another order and skips unknown ids.
    let found = vec![s2.clone(), s1.clone()];
    let wanted = vec![s1.id, gone, s2.id];
    users
        .expect_get_users()
        .withf(move |ids| ids == wanted.as_slice())
        .returning(move |_| Ok(found.clone()));
    let svc = service(courses, users);
    let listed = svc
        .list_students(&a, c.id, &UserFilter::default(), Page::new(2, 0))
        .await
        .unwrap();
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
        async |svc, a, c| {
            svc.list_students(a, c.id, &UserFilter::default(), Page::first())
                .await
        },
    )
    .await;
}

#[tokio::test]
async fn staff_get_names_of_course_members_only_in_the_order_asked() {
    let c = course(Published);
    let a = actor(Role::Assistant);
    let (s1, s2, helper) = (
        user(Role::Student),
        user(Role::Student),
        user(Role::Assistant),
    );
    let stranger = user(Role::Student);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Assistant));
    let (i1, i2) = (s1.id, s2.id);
    courses
        .expect_enrolled_students()
        .times(1)
        .returning(move |_| Ok(vec![i1, i2]));
    let h = helper.id;
    courses
        .expect_list_assistants()
        .times(1)
        .returning(move |_| Ok(vec![h]));
    let mut users = MockUserStore::new();
    // The stranger is never looked up; duplicates are asked once.
    let wanted = vec![s2.id, helper.id, s1.id];
    let found = vec![s1.clone(), helper.clone(), s2.clone()];
    users
        .expect_get_users()
        .withf(move |ids| ids == wanted.as_slice())
        .times(1)
        .returning(move |_| Ok(found.clone()));
    let svc = service(courses, users);
    let names = svc
        .member_names(&a, c.id, &[s2.id, stranger.id, helper.id, s2.id, s1.id])
        .await
        .unwrap();
    let got: Vec<_> = names.iter().map(|n| n.user_id).collect();
    assert_eq!(got, [s2.id, helper.id, s1.id]);
    assert_eq!(names[0].display_name, s2.display_name.as_str());
}

#[tokio::test]
async fn member_names_ask_nothing_for_no_ids_and_at_most_the_limit() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    courses.expect_enrolled_students().never();
    let svc = service(courses, MockUserStore::new());
    assert!(svc.member_names(&a, c.id, &[]).await.unwrap().is_empty());

    let many: Vec<UserId> = (0..MEMBER_NAMES_LIMIT + 50)
        .map(|_| UserId::new())
        .collect();
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let members = many.clone();
    courses
        .expect_enrolled_students()
        .returning(move |_| Ok(members.clone()));
    courses.expect_list_assistants().returning(|_| Ok(vec![]));
    let mut users = MockUserStore::new();
    users
        .expect_get_users()
        .withf(|ids| ids.len() == MEMBER_NAMES_LIMIT)
        .times(1)
        .returning(|_| Ok(vec![]));
    let svc = service(courses, users);
    svc.member_names(&a, c.id, &many).await.unwrap();
}

#[tokio::test]
async fn member_names_are_denied_to_non_staff() {
    assert_denied(
        Level::Grade,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.member_names(a, c.id, &[UserId::new()]).await,
    )
    .await;
}

#[tokio::test]
async fn a_search_lists_only_matching_students() {
    let c = course(Published);
    let a = actor(Role::Teacher);
    let s1 = user(Role::Student);
    let found = Enrollment {
        course_id: c.id,
        student_id: s1.id,
        source: EnrollmentSource::Staff,
        enrolled_at: now(),
    };
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    courses.expect_list_enrollments().never();
    let f = found.clone();
    courses
        .expect_search_enrollments()
        .withf(|_, filter, p| {
            filter.query.as_deref() == Some("пет") && filter.role.is_none() && *p == Page::first()
        })
        .times(1)
        .returning(move |_, _, _| Ok(vec![f.clone()]));
    let mut users = MockUserStore::new();
    let u = s1.clone();
    users
        .expect_get_users()
        .returning(move |_| Ok(vec![u.clone()]));
    let svc = service(courses, users);
    // A role in the filter means nothing here: everyone listed is a student.
    let filter = UserFilter {
        query: Some("пет".into()),
        role: Some(Role::Teacher),
        active: None,
        ..UserFilter::default()
    };
    let listed = svc
        .list_students(&a, c.id, &filter, Page::first())
        .await
        .unwrap();
    assert_eq!(listed, vec![(found, s1)]);
}
