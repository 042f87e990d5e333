//! Tests: set_status.

use super::*;

pub(super) async fn status_change(
    from: CourseStatus,
    to: CourseStatus,
    students: Vec<UserId>,
) -> (Result<Course, SetStatusError>, Arc<Mutex<Vec<Course>>>) {
    let c = course(from);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let id = c.id;
    courses
        .expect_enrolled_students()
        .withf(move |x| *x == id)
        .returning(move |_| Ok(students.clone()));
    let written = Arc::new(Mutex::new(Vec::new()));
    let w = written.clone();
    courses.expect_update_course().returning(move |c| {
        w.lock().unwrap().push(c.clone());
        Ok(())
    });
    let svc = service(courses, MockUserStore::new());
    (svc.set_status(&a, id, to).await, written)
}

#[tokio::test]
async fn allowed_transitions_store_the_new_status() {
    for (from, to) in [
        (Draft, Published),
        (Published, Draft),
        (Published, Archived),
        (Archived, Published),
    ] {
        let (result, written) = status_change(from, to, Vec::new()).await;
        let course = result.unwrap();
        assert_eq!(course.status, to);
        let written = written.lock().unwrap();
        assert_eq!(written.len(), 1);
        assert_eq!(written[0], course);
    }
}

#[tokio::test]
async fn other_transitions_are_refused_without_a_write() {
    for (from, to) in [(Draft, Archived), (Archived, Draft)] {
        let (result, written) = status_change(from, to, Vec::new()).await;
        let err = result.unwrap_err();
        assert!(
            matches!(err, SetStatusError::InvalidTransition { from: f, to: t } if f == from && t == to)
        );
        assert_eq!(err.code(), "invalid_status_transition");
        assert!(written.lock().unwrap().is_empty());
    }
}

#[tokio::test]
async fn published_course_with_students_cannot_go_back_to_draft() {
    let (result, written) = status_change(Published, Draft, vec![UserId::new()]).await;
    let err = result.unwrap_err();
    assert!(matches!(err, SetStatusError::StudentsEnrolled));
    assert_eq!(err.code(), "students_enrolled");
    assert!(written.lock().unwrap().is_empty());
}

#[tokio::test]
async fn same_status_is_a_no_op() {
    for status in [Draft, Published, Archived] {
        let (result, written) = status_change(status, status, vec![UserId::new()]).await;
        assert_eq!(result.unwrap().status, status);
        assert!(written.lock().unwrap().is_empty());
    }
}

#[tokio::test]
async fn set_status_is_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.set_status(a, c.id, Archived).await,
    )
    .await;
}
