//! Tests: join_by_code.

use super::*;

pub(super) fn expect_code_lookup(courses: &mut MockCourseStore, found: Option<Course>) {
    courses
        .expect_find_course_by_invite_code()
        .returning(move |_| Ok(found.clone()));
}

#[tokio::test]
async fn student_joins_a_published_course_by_code() {
    let c = course(Published);
    let student = actor(Role::Student);
    let code = c.invite_code.clone().unwrap();
    let mut courses = MockCourseStore::new();
    let k = code.clone();
    let found = c.clone();
    courses
        .expect_find_course_by_invite_code()
        .withf(move |x| *x == k)
        .returning(move |_| Ok(Some(found.clone())));
    let expected = Enrollment {
        course_id: c.id,
        student_id: student.user_id,
        source: EnrollmentSource::InviteCode,
        enrolled_at: now(),
    };
    courses
        .expect_enroll()
        .withf(move |e| *e == expected)
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(courses, MockUserStore::new());
    // Typed in lower case with a dash: still the same code.
    let typed = InviteCode::parse("abcd-efgh").unwrap();
    let joined = svc.join_by_code(&student, &typed).await.unwrap();
    assert_eq!(joined.id, c.id);
    assert_eq!(joined.invite_code, None, "students never see the code");
}

#[tokio::test]
async fn only_students_join_by_code() {
    for role in [Role::Admin, Role::Teacher, Role::Assistant] {
        let svc = service(MockCourseStore::new(), MockUserStore::new());
        let err = svc
            .join_by_code(&actor(role), &InviteCode::generate())
            .await
            .unwrap_err();
        assert!(matches!(err, JoinError::Forbidden), "{role:?}");
    }
}

#[tokio::test]
async fn unknown_draft_archived_or_stale_codes_are_all_invalid() {
    let mut rotated = course(Published);
    rotated.invite_code = Some(InviteCode::parse("ZZZZZZZZ").unwrap());
    let mut disabled = course(Published);
    disabled.invite_code = None;
    for found in [
        None,
        Some(course(Draft)),
        Some(course(Archived)),
        Some(rotated),
        Some(disabled),
    ] {
        let mut courses = MockCourseStore::new();
        expect_code_lookup(&mut courses, found);
        let svc = service(courses, MockUserStore::new());
        let err = svc
            .join_by_code(
                &actor(Role::Student),
                &InviteCode::parse("ABCDEFGH").unwrap(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, JoinError::InvalidCode));
        assert_eq!(err.code(), "invalid_invite_code");
    }
}

#[tokio::test]
async fn joining_twice_is_already_enrolled() {
    let c = course(Published);
    let mut courses = MockCourseStore::new();
    expect_code_lookup(&mut courses, Some(c.clone()));
    courses
        .expect_enroll()
        .returning(|_| Err(StorageError::Conflict(Conflict::Enrollment)));
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .join_by_code(&actor(Role::Student), c.invite_code.as_ref().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, JoinError::AlreadyEnrolled));
    assert_eq!(err.code(), "already_enrolled");
}
