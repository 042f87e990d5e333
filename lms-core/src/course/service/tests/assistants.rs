//! Tests: assistants.

use super::*;

#[tokio::test]
async fn owner_adds_an_assistant_or_a_teacher() {
    for role in [Role::Assistant, Role::Teacher] {
        let c = course(Published);
        let a = Actor {
            user_id: c.owner_id,
            role: Role::Teacher,
        };
        let helper = user(role);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
        let (id, uid) = (c.id, helper.id);
        courses
            .expect_add_assistant()
            .withf(move |x, u| *x == id && *u == uid)
            .times(1)
            .returning(|_, _| Ok(()));
        let mut users = MockUserStore::new();
        expect_user(&mut users, &helper);
        let svc = service(courses, users);
        svc.add_assistant(&a, c.id, helper.id).await.unwrap();
    }
}

#[tokio::test]
async fn only_active_staff_other_than_the_owner_can_assist() {
    let mut inactive = user(Role::Assistant);
    inactive.active = false;
    let cases: [(Option<User>, &str); 4] = [
        (None, "user_not_found"),
        (Some(inactive), "user_inactive"),
        (Some(user(Role::Student)), "not_staff"),
        (Some(user(Role::Admin)), "not_staff"),
    ];
    for (found, code) in cases {
        let c = course(Draft);
        let a = actor(Role::Admin);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, None);
        let mut users = MockUserStore::new();
        users
            .expect_get_user()
            .returning(move |_| Ok(found.clone()));
        let svc = service(courses, users);
        let err = svc
            .add_assistant(&a, c.id, UserId::new())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code);
    }

    let c = course(Draft);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let svc = service(courses, MockUserStore::new());
    let err = svc.add_assistant(&a, c.id, c.owner_id).await.unwrap_err();
    assert!(matches!(err, AssistantError::IsOwner));
}

#[tokio::test]
async fn adding_an_assistant_twice_is_a_conflict() {
    let c = course(Draft);
    let a = actor(Role::Admin);
    let helper = user(Role::Assistant);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    courses
        .expect_add_assistant()
        .returning(|_, _| Err(StorageError::Conflict(Conflict::Assistant)));
    let mut users = MockUserStore::new();
    expect_user(&mut users, &helper);
    let svc = service(courses, users);
    let err = svc.add_assistant(&a, c.id, helper.id).await.unwrap_err();
    assert!(matches!(err, AssistantError::AlreadyAssistant));
    assert_eq!(err.code(), "already_assistant");
}

#[tokio::test]
async fn remove_and_list_assistants() {
    let c = course(Published);
    let a = actor(Role::Teacher);
    let (x, y) = (user(Role::Assistant), user(Role::Teacher));
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let (id, xid) = (c.id, x.id);
    courses
        .expect_remove_assistant()
        .withf(move |cid, u| *cid == id && *u == xid)
        .times(1)
        .returning(|_, _| Ok(true));
    let ids = vec![x.id, y.id];
    courses
        .expect_list_assistants()
        .returning(move |_| Ok(ids.clone()));
    let mut users = MockUserStore::new();
    let found = vec![y.clone(), x.clone()];
    users
        .expect_get_users()
        .returning(move |_| Ok(found.clone()));
    let svc = service(courses, users);
    assert!(svc.remove_assistant(&a, c.id, x.id).await.unwrap());
    assert_eq!(svc.list_assistants(&a, c.id).await.unwrap(), vec![x, y]);
}

#[tokio::test]
async fn assistant_management_is_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.add_assistant(a, c.id, UserId::new()).await,
    )
    .await;
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.remove_assistant(a, c.id, UserId::new()).await,
    )
    .await;
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.list_assistants(a, c.id).await,
    )
    .await;
}
