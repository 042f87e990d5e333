//! Tests: invite codes.

use super::*;

#[tokio::test]
async fn rotation_stores_and_returns_a_fresh_code() {
    let c = course(Published);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let written = Arc::new(Mutex::new(None));
    let w = written.clone();
    courses.expect_update_course().times(1).returning(move |c| {
        *w.lock().unwrap() = Some(c.clone());
        Ok(())
    });
    let svc = service(courses, MockUserStore::new());
    let code = svc.rotate_invite_code(&a, c.id).await.unwrap();
    assert_ne!(Some(code.clone()), c.invite_code);
    let stored = written.lock().unwrap().clone().unwrap();
    assert_eq!(stored.invite_code, Some(code));
    assert_eq!(stored.title, c.title);
    assert_eq!(stored.status, c.status);
}

#[tokio::test]
async fn rotation_retries_a_clashing_code_once() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let calls = Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    courses.expect_update_course().returning(move |_| {
        if n.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(StorageError::Conflict(Conflict::InviteCode))
        } else {
            Ok(())
        }
    });
    let svc = service(courses, MockUserStore::new());
    svc.rotate_invite_code(&a, c.id).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn disabling_clears_the_code() {
    let c = course(Published);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let id = c.id;
    courses
        .expect_update_course()
        .withf(move |x| x.id == id && x.invite_code.is_none() && x.status == Published)
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(courses, MockUserStore::new());
    svc.disable_invite_code(&a, c.id).await.unwrap();
}

#[tokio::test]
async fn invite_code_changes_are_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.rotate_invite_code(a, c.id).await,
    )
    .await;
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.disable_invite_code(a, c.id).await,
    )
    .await;
}
