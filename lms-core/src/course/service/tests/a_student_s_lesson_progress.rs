//! Tests: a student's lesson progress.

use super::*;

#[tokio::test]
async fn lesson_progress_marks_opened_lessons_and_where_to_continue() {
    let c = course(Published);
    let a = actor(Role::Student);
    let mut lessons = three_lessons(&c);
    // Listed out of order; the third is not visible yet.
    lessons.swap(0, 1);
    lessons[2].publish_at = Some(now() + Duration::days(1));
    let ids: Vec<LessonId> = {
        let mut v: Vec<&Lesson> = lessons.iter().collect();
        v.sort_by_key(|l| l.position);
        v.iter().map(|l| l.id).collect()
    };
    let hidden = lessons[2].id;
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Student));
    let l = lessons.clone();
    courses
        .expect_list_lessons()
        .returning(move |_| Ok(l.clone()));
    let first = ids[0];
    courses
        .expect_viewed_lessons()
        .returning(move |_, _| Ok(vec![first]));
    let svc = service(courses, MockUserStore::new());
    let progress = svc.my_lesson_progress(&a, c.id).await.unwrap();
    let marks: Vec<(LessonId, bool)> = progress
        .lessons
        .iter()
        .map(|m| (m.lesson_id, m.viewed))
        .collect();
    let visible: Vec<LessonId> = ids.iter().copied().filter(|id| *id != hidden).collect();
    assert_eq!(marks, vec![(visible[0], true), (visible[1], false)]);
    assert_eq!(progress.next_lesson_id, Some(visible[1]));
    assert_eq!((progress.lessons_total, progress.lessons_viewed), (2, 1));
}

#[tokio::test]
async fn only_students_have_lesson_progress() {
    for (role, membership) in [
        (Role::Teacher, Some(CourseRole::Owner)),
        (Role::Teacher, Some(CourseRole::Assistant)),
        (Role::Admin, None),
    ] {
        let c = course(Published);
        let a = actor(role);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, membership);
        courses.expect_list_lessons().never();
        let svc = service(courses, MockUserStore::new());
        let err = svc.my_lesson_progress(&a, c.id).await.unwrap_err();
        assert!(
            matches!(err, CourseAccessError::Forbidden),
            "{role:?}: {err:?}"
        );
    }
}
