//! Tests: update_course.

use super::*;

pub(super) fn course_update() -> CourseUpdate {
    CourseUpdate {
        title: Title::parse("Алгебра 9").unwrap(),
        description: RichText::sanitize("<p>Новое</p><img src=x onerror=alert(1)>"),
    }
}

#[tokio::test]
async fn owner_and_admin_update_title_and_description_only() {
    for (role, membership) in [
        (Role::Teacher, Some(CourseRole::Owner)),
        (Role::Admin, None),
    ] {
        let c = course(Published);
        let a = actor(role);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, membership);
        let mut expected = c.clone();
        expected.title = Title::parse("Алгебра 9").unwrap();
        expected.description = course_update().description;
        let e = expected.clone();
        courses
            .expect_update_course()
            .withf(move |x| *x == e)
            .times(1)
            .returning(|_| Ok(()));
        let svc = service(courses, MockUserStore::new());
        let updated = svc.update_course(&a, c.id, course_update()).await.unwrap();
        assert_eq!(updated, expected);
        assert_eq!(updated.description.as_html(), "<p>Новое</p>");
    }
}

#[tokio::test]
async fn update_course_is_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.update_course(a, c.id, course_update()).await,
    )
    .await;
}

#[tokio::test]
async fn archived_course_cannot_be_edited() {
    let c = course(Archived);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .update_course(&a, c.id, course_update())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageCourseError::CourseArchived));
    assert_eq!(err.code(), "course_archived");
}

#[tokio::test]
async fn course_deleted_meanwhile_is_not_found_on_update() {
    let c = course(Draft);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    courses
        .expect_update_course()
        .returning(|_| Err(StorageError::NotFound));
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .update_course(&a, c.id, course_update())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageCourseError::NotFound));
}

#[tokio::test]
async fn owner_and_admin_set_and_clear_the_cover() {
    for (role, membership) in [
        (Role::Teacher, Some(CourseRole::Owner)),
        (Role::Admin, None),
    ] {
        let c = course(Published);
        let a = actor(role);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, membership);
        let mut expected = c.clone();
        expected.cover = Some(CourseCover::Physics);
        let e = expected.clone();
        courses
            .expect_update_course()
            .withf(move |x| *x == e)
            .times(1)
            .returning(|_| Ok(()));
        let svc = service(courses, MockUserStore::new());
        let updated = svc
            .set_cover(&a, c.id, Some(CourseCover::Physics))
            .await
            .unwrap();
        assert_eq!(updated, expected, "only the cover changes");
    }

    // Clearing a set cover writes; asking for the current one writes nothing.
    let mut c = course(Published);
    c.cover = Some(CourseCover::Math);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    courses
        .expect_update_course()
        .withf(|x| x.cover.is_none())
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(courses, MockUserStore::new());
    assert_eq!(svc.set_cover(&a, c.id, None).await.unwrap().cover, None);

    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    courses.expect_update_course().never();
    let svc = service(courses, MockUserStore::new());
    let same = svc
        .set_cover(&a, c.id, Some(CourseCover::Math))
        .await
        .unwrap();
    assert_eq!(same, c);
}

#[tokio::test]
async fn set_cover_is_denied_to_non_managers_and_on_archived_courses() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.set_cover(a, c.id, Some(CourseCover::Art)).await,
    )
    .await;
    let c = course(Archived);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let svc = service(courses, MockUserStore::new());
    let err = svc.set_cover(&a, c.id, None).await.unwrap_err();
    assert!(matches!(err, ManageCourseError::CourseArchived));
}

#[test]
fn cover_names_round_trip() {
    for c in CourseCover::ALL {
        assert_eq!(CourseCover::parse(c.as_str()), Some(c));
        assert_eq!(
            serde_json::to_value(c).unwrap(),
            serde_json::json!(c.as_str())
        );
    }
    assert_eq!(CourseCover::parse("Math"), None);
    assert_eq!(CourseCover::parse(""), None);
}
