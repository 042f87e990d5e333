//! Tests: reorder.

use super::*;

pub(super) fn three_lessons(c: &Course) -> Vec<Lesson> {
    (0..3)
        .map(|i| Lesson {
            id: LessonId::new(),
            position: i,
            ..lesson_of(c, None)
        })
        .collect()
}

#[tokio::test]
async fn reorder_stores_the_order_and_returns_renumbered_lessons() {
    let c = course(Published);
    let a = actor(Role::Teacher);
    let lessons = three_lessons(&c);
    let order = vec![lessons[2].id, lessons[0].id, lessons[1].id];
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let l = lessons.clone();
    courses
        .expect_list_lessons()
        .returning(move |_| Ok(l.clone()));
    let o = order.clone();
    let cid = c.id;
    courses
        .expect_reorder_lessons()
        .withf(move |x, ord| *x == cid && ord == o.as_slice())
        .times(1)
        .returning(|_, _| Ok(()));
    let svc = service(courses, MockUserStore::new());
    let reordered = svc.reorder_lessons(&a, c.id, order.clone()).await.unwrap();
    let got: Vec<(LessonId, u32)> = reordered.iter().map(|l| (l.id, l.position)).collect();
    assert_eq!(got, vec![(order[0], 0), (order[1], 1), (order[2], 2)]);
}

#[tokio::test]
async fn reorder_rejects_anything_but_a_permutation() {
    let c = course(Published);
    let lessons = three_lessons(&c);
    let ids: Vec<LessonId> = lessons.iter().map(|l| l.id).collect();
    for order in [
        vec![ids[0], ids[1]],
        vec![ids[0], ids[1], ids[2], LessonId::new()],
        vec![ids[0], ids[0], ids[1]],
        vec![ids[0], ids[1], LessonId::new()],
        vec![],
    ] {
        let a = actor(Role::Admin);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, None);
        let l = lessons.clone();
        courses
            .expect_list_lessons()
            .returning(move |_| Ok(l.clone()));
        let svc = service(courses, MockUserStore::new());
        let err = svc.reorder_lessons(&a, c.id, order).await.unwrap_err();
        assert!(matches!(err, ReorderError::InvalidOrder));
        assert_eq!(err.class(), crate::ErrorClass::Invalid);
    }
}

#[tokio::test]
async fn reorder_racing_a_change_is_a_retryable_conflict() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let lessons = three_lessons(&c);
    let order: Vec<LessonId> = lessons.iter().rev().map(|l| l.id).collect();
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    courses
        .expect_list_lessons()
        .returning(move |_| Ok(lessons.clone()));
    courses
        .expect_reorder_lessons()
        .returning(|_, _| Err(StorageError::Conflict(Conflict::Stale)));
    let svc = service(courses, MockUserStore::new());
    let err = svc.reorder_lessons(&a, c.id, order).await.unwrap_err();
    assert!(matches!(err, ReorderError::Stale));
    assert_eq!(err.code(), "lessons_changed");
    assert_eq!(err.class(), crate::ErrorClass::Conflict);
}

#[tokio::test]
async fn reorder_is_denied_to_non_managers_and_in_archived_courses() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.reorder_lessons(a, c.id, Vec::new()).await,
    )
    .await;

    let c = course(Archived);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let svc = service(courses, MockUserStore::new());
    let err = svc.reorder_lessons(&a, c.id, Vec::new()).await.unwrap_err();
    assert!(matches!(err, ReorderError::CourseArchived));
}
