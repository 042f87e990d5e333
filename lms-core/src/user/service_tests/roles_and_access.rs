//! Roles, activation and passwords.

use super::*;

// ---- set_role ----

#[tokio::test]
async fn admin_changes_another_users_role() {
    let other = user(Role::Student);
    let mut users = MockUserStore::new();
    returns_user(&mut users, &other);
    let id = other.id;
    users
        .expect_update_user()
        .withf(move |u| u.id == id && u.role == Role::Assistant)
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(users, MockSessionStore::new());
    let updated = svc
        .set_role(&actor(Role::Admin), other.id, Role::Assistant)
        .await
        .unwrap();
    assert_eq!(updated.role, Role::Assistant);
    assert_eq!(updated.email, other.email);
}

#[tokio::test]
async fn a_new_role_takes_the_course_powers_it_cannot_hold() {
    use crate::course::{CourseRole, CourseStatus};
    // A teacher who owns a course and assists in another is demoted;
    // the memberships stay, the powers go, and come back with the role.
    let teacher = user(Role::Teacher);
    let (owner, assistant) = (Some(CourseRole::Owner), Some(CourseRole::Assistant));
    assert!(policy::can_manage_course(&teacher.actor(), owner));
    let stored = Arc::new(Mutex::new(teacher.clone()));
    let mut users = MockUserStore::new();
    let s = stored.clone();
    users
        .expect_get_user()
        .returning(move |_| Ok(Some(s.lock().unwrap().clone())));
    let s = stored.clone();
    users.expect_update_user().times(3).returning(move |u| {
        *s.lock().unwrap() = u.clone();
        Ok(())
    });
    let svc = service(users, MockSessionStore::new());
    let admin = actor(Role::Admin);

    let now_student = svc
        .set_role(&admin, teacher.id, Role::Student)
        .await
        .unwrap();
    let a = now_student.actor();
    for m in [owner, assistant] {
        assert!(!policy::can_manage_course(&a, m), "{m:?}");
        assert!(!policy::can_grade(&a, m), "{m:?}");
        assert!(
            !policy::can_view_course(&a, m, CourseStatus::Draft),
            "{m:?}"
        );
    }

    let now_assistant = svc
        .set_role(&admin, teacher.id, Role::Assistant)
        .await
        .unwrap();
    let a = now_assistant.actor();
    assert!(!policy::can_manage_course(&a, owner));
    assert!(!policy::can_grade(&a, owner));
    assert!(policy::can_grade(&a, assistant), "still assists");

    let back = svc
        .set_role(&admin, teacher.id, Role::Teacher)
        .await
        .unwrap();
    assert!(policy::can_manage_course(&back.actor(), owner));
    assert_eq!(stored.lock().unwrap().role, Role::Teacher);
}

#[tokio::test]
async fn non_admins_cannot_change_roles_even_their_own() {
    for role in NON_ADMINS {
        let a = actor(role);
        for target in [UserId::new(), a.user_id] {
            let svc = service(MockUserStore::new(), MockSessionStore::new());
            let err = svc.set_role(&a, target, Role::Admin).await.unwrap_err();
            assert!(matches!(err, ManageUserError::Forbidden), "{role:?}");
            assert_eq!(err.code(), "forbidden");
        }
    }
}

#[tokio::test]
async fn admin_cannot_change_own_role() {
    let me = user(Role::Admin);
    let mut users = MockUserStore::new();
    returns_user(&mut users, &me);
    let svc = service(users, MockSessionStore::new());
    let err = svc
        .set_role(&me.actor(), me.id, Role::Teacher)
        .await
        .unwrap_err();
    assert!(matches!(err, ManageUserError::OwnRole));
    assert_eq!(err.code(), "cannot_change_own_role");
}

#[tokio::test]
async fn setting_the_same_role_writes_nothing() {
    let me = user(Role::Admin);
    let mut users = MockUserStore::new();
    returns_user(&mut users, &me);
    let svc = service(users, MockSessionStore::new());
    let same = svc.set_role(&me.actor(), me.id, Role::Admin).await.unwrap();
    assert_eq!(same, me);
}

#[tokio::test]
async fn role_of_unknown_user_is_not_found() {
    let mut users = MockUserStore::new();
    users.expect_get_user().returning(|_| Ok(None));
    let svc = service(users, MockSessionStore::new());
    let err = svc
        .set_role(&actor(Role::Admin), UserId::new(), Role::Teacher)
        .await
        .unwrap_err();
    assert!(matches!(err, ManageUserError::NotFound));
}

// ---- set_active ----

#[tokio::test]
async fn deactivation_stores_the_flag_and_revokes_sessions() {
    let other = user(Role::Teacher);
    let mut users = MockUserStore::new();
    returns_user(&mut users, &other);
    let id = other.id;
    users
        .expect_update_user()
        .withf(move |u| u.id == id && !u.active)
        .times(1)
        .returning(|_| Ok(()));
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_delete_user_sessions()
        .withf(move |u| *u == id)
        .times(1)
        .returning(|_| Ok(3));
    let svc = service(users, sessions);
    let updated = svc
        .set_active(&actor(Role::Admin), other.id, false)
        .await
        .unwrap();
    assert!(!updated.active);
}

#[tokio::test]
async fn reactivation_keeps_sessions_untouched() {
    let mut other = user(Role::Student);
    other.active = false;
    let mut users = MockUserStore::new();
    returns_user(&mut users, &other);
    let id = other.id;
    users
        .expect_update_user()
        .withf(move |u| u.id == id && u.active)
        .times(1)
        .returning(|_| Ok(()));
    // No session expectation: revoking would panic.
    let svc = service(users, MockSessionStore::new());
    let updated = svc
        .set_active(&actor(Role::Admin), other.id, true)
        .await
        .unwrap();
    assert!(updated.active);
}

#[tokio::test]
async fn deactivating_an_inactive_user_still_revokes_sessions_without_a_write() {
    let mut other = user(Role::Student);
    other.active = false;
    let mut users = MockUserStore::new();
    returns_user(&mut users, &other);
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_delete_user_sessions()
        .times(1)
        .returning(|_| Ok(0));
    let svc = service(users, sessions);
    let same = svc
        .set_active(&actor(Role::Admin), other.id, false)
        .await
        .unwrap();
    assert_eq!(same, other);
}

#[tokio::test]
async fn admin_cannot_deactivate_self() {
    let me = actor(Role::Admin);
    let svc = service(MockUserStore::new(), MockSessionStore::new());
    let err = svc.set_active(&me, me.user_id, false).await.unwrap_err();
    assert!(matches!(err, ManageUserError::OwnDeactivation));
    assert_eq!(err.code(), "cannot_deactivate_self");
}

#[tokio::test]
async fn non_admins_cannot_activate_or_deactivate_anyone() {
    for role in NON_ADMINS {
        let a = actor(role);
        for (target, flag) in [
            (UserId::new(), false),
            (UserId::new(), true),
            (a.user_id, false),
        ] {
            let svc = service(MockUserStore::new(), MockSessionStore::new());
            let err = svc.set_active(&a, target, flag).await.unwrap_err();
            assert!(matches!(err, ManageUserError::Forbidden), "{role:?}");
        }
    }
}

// ---- set_password_hash ----

#[tokio::test]
async fn password_change_stores_the_hash_and_revokes_sessions() {
    for who in ["self", "admin"] {
        let me = user(Role::Student);
        let a = if who == "self" {
            me.actor()
        } else {
            actor(Role::Admin)
        };
        let id = me.id;
        let mut users = MockUserStore::new();
        users
            .expect_set_password_hash()
            .withf(move |u, h| *u == id && h.0 == "$argon2id$new")
            .times(1)
            .returning(|_, _| Ok(()));
        let mut sessions = MockSessionStore::new();
        sessions
            .expect_delete_user_sessions()
            .withf(move |u| *u == id)
            .times(1)
            .returning(|_| Ok(2));
        let svc = service(users, sessions);
        svc.set_password_hash(&a, id, PasswordHash("$argon2id$new".into()))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn non_admins_cannot_set_others_passwords() {
    for role in NON_ADMINS {
        let svc = service(MockUserStore::new(), MockSessionStore::new());
        let err = svc
            .set_password_hash(&actor(role), UserId::new(), PasswordHash("x".into()))
            .await
            .unwrap_err();
        assert!(matches!(err, UserAccessError::NotFound), "{role:?}");
    }
}

#[tokio::test]
async fn password_of_unknown_user_is_not_found_and_revokes_nothing() {
    let mut users = MockUserStore::new();
    users
        .expect_set_password_hash()
        .returning(|_, _| Err(StorageError::NotFound));
    let svc = service(users, MockSessionStore::new());
    let err = svc
        .set_password_hash(&actor(Role::Admin), UserId::new(), PasswordHash("x".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, UserAccessError::NotFound));
}
