//! Creating, reading, listing and updating accounts.

use super::*;

// ---- create_user ----

#[tokio::test]
async fn admin_creates_an_active_user_with_the_given_fields_and_password() {
    let mut users = MockUserStore::new();
    let stored = Arc::new(Mutex::new(None));
    let s = stored.clone();
    users.expect_insert_user().times(1).returning(move |u, p| {
        *s.lock().unwrap() = Some((u.clone(), p));
        Ok(())
    });
    let svc = service(users, MockSessionStore::new());
    let created = svc
        .create_user(&actor(Role::Admin), new_user())
        .await
        .unwrap();

    assert_eq!(created.email.as_str(), "new.teacher@school.ru");
    assert_eq!(created.display_name.as_str(), "Иван Иванов");
    assert_eq!(created.role, Role::Teacher);
    assert_eq!(created.locale, Locale::En);
    assert_eq!(created.time_zone.name(), "Asia/Yekaterinburg");
    assert!(created.active);
    assert_eq!(created.created_at, now());
    let (u, p) = stored.lock().unwrap().clone().unwrap();
    assert_eq!(u, created);
    assert_eq!(p, Some(PasswordHash("$argon2id$v=19$abc".into())));
}

#[tokio::test]
async fn non_admins_cannot_create_users() {
    for role in NON_ADMINS {
        let svc = service(MockUserStore::new(), MockSessionStore::new());
        let err = svc.create_user(&actor(role), new_user()).await.unwrap_err();
        assert!(matches!(err, CreateUserError::Forbidden), "{role:?}");
        assert_eq!(err.code(), "forbidden");
    }
}

#[tokio::test]
async fn taken_email_is_reported_as_such() {
    let mut users = MockUserStore::new();
    users
        .expect_insert_user()
        .returning(|_, _| Err(StorageError::Conflict(Conflict::Email)));
    let svc = service(users, MockSessionStore::new());
    let err = svc
        .create_user(&actor(Role::Admin), new_user())
        .await
        .unwrap_err();
    assert!(matches!(err, CreateUserError::EmailTaken));
    assert_eq!(err.code(), "email_taken");
    assert_eq!(err.class(), crate::ErrorClass::Conflict);
}

#[tokio::test]
async fn other_storage_failures_pass_through_create() {
    let mut users = MockUserStore::new();
    users
        .expect_insert_user()
        .returning(|_, _| Err(StorageError::Transient("pool timeout".into())));
    let svc = service(users, MockSessionStore::new());
    let err = svc
        .create_user(&actor(Role::Admin), new_user())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        CreateUserError::Storage(StorageError::Transient(_))
    ));
    assert_eq!(err.class(), crate::ErrorClass::Unavailable);
}

// ---- get_user / list_users ----

#[tokio::test]
async fn users_read_their_own_account_and_admins_any() {
    for role in [Role::Admin, Role::Teacher, Role::Assistant, Role::Student] {
        let me = user(role);
        let mut users = MockUserStore::new();
        returns_user(&mut users, &me);
        let svc = service(users, MockSessionStore::new());
        assert_eq!(svc.get_user(&me.actor(), me.id).await.unwrap(), me);
    }
    let other = user(Role::Student);
    let mut users = MockUserStore::new();
    returns_user(&mut users, &other);
    let svc = service(users, MockSessionStore::new());
    assert_eq!(
        svc.get_user(&actor(Role::Admin), other.id).await.unwrap(),
        other
    );
}

#[tokio::test]
async fn non_admins_get_not_found_for_other_accounts() {
    for role in NON_ADMINS {
        // No store expectation: the store must not even be asked.
        let svc = service(MockUserStore::new(), MockSessionStore::new());
        let err = svc.get_user(&actor(role), UserId::new()).await.unwrap_err();
        assert!(matches!(err, UserAccessError::NotFound), "{role:?}");
        assert_eq!(err.code(), "user_not_found");
    }
}

#[tokio::test]
async fn unknown_user_is_not_found_for_admin() {
    let mut users = MockUserStore::new();
    users.expect_get_user().returning(|_| Ok(None));
    let svc = service(users, MockSessionStore::new());
    let err = svc
        .get_user(&actor(Role::Admin), UserId::new())
        .await
        .unwrap_err();
    assert!(matches!(err, UserAccessError::NotFound));
}

#[tokio::test]
async fn admins_list_users_with_the_given_page() {
    let listed = vec![user(Role::Student), user(Role::Teacher)];
    let l = listed.clone();
    let mut users = MockUserStore::new();
    users
        .expect_list_users()
        .withf(|p| *p == Page::new(20, 40))
        .returning(move |_| Ok(l.clone()));
    let svc = service(users, MockSessionStore::new());
    assert_eq!(
        svc.list_users(&actor(Role::Admin), Page::new(20, 40))
            .await
            .unwrap(),
        listed
    );
}

#[tokio::test]
async fn non_admins_cannot_list_users() {
    for role in NON_ADMINS {
        let svc = service(MockUserStore::new(), MockSessionStore::new());
        let err = svc
            .list_users(&actor(role), Page::first())
            .await
            .unwrap_err();
        assert!(matches!(err, ListUsersError::Forbidden), "{role:?}");
    }
}

// ---- update_profile ----

#[tokio::test]
async fn users_update_their_own_profile_and_nothing_else() {
    let me = user(Role::Student);
    let mut users = MockUserStore::new();
    returns_user(&mut users, &me);
    let mut expected = me.clone();
    expected.display_name = DisplayName::parse("Анна Сидорова").unwrap();
    expected.locale = Locale::En;
    expected.time_zone = TimeZone::parse("Asia/Vladivostok").unwrap();
    let e = expected.clone();
    users
        .expect_update_user()
        .withf(move |u| *u == e)
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(users, MockSessionStore::new());
    let updated = svc
        .update_profile(&me.actor(), me.id, profile())
        .await
        .unwrap();
    assert_eq!(updated, expected);
    assert_eq!(updated.role, Role::Student, "role is untouched");
    assert_eq!(updated.email, me.email, "e-mail is untouched");
}

#[tokio::test]
async fn admins_update_any_profile() {
    let other = user(Role::Teacher);
    let mut users = MockUserStore::new();
    returns_user(&mut users, &other);
    let id = other.id;
    users
        .expect_update_user()
        .withf(move |u| u.id == id && u.display_name.as_str() == "Анна Сидорова")
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(users, MockSessionStore::new());
    let updated = svc
        .update_profile(&actor(Role::Admin), other.id, profile())
        .await
        .unwrap();
    assert_eq!(updated.locale, Locale::En);
}

#[tokio::test]
async fn non_admins_cannot_update_other_profiles() {
    for role in NON_ADMINS {
        let svc = service(MockUserStore::new(), MockSessionStore::new());
        let err = svc
            .update_profile(&actor(role), UserId::new(), profile())
            .await
            .unwrap_err();
        assert!(matches!(err, UserAccessError::NotFound), "{role:?}");
    }
}

#[tokio::test]
async fn profile_of_a_user_deleted_meanwhile_is_not_found() {
    let me = user(Role::Teacher);
    let mut users = MockUserStore::new();
    returns_user(&mut users, &me);
    users
        .expect_update_user()
        .returning(|_| Err(StorageError::NotFound));
    let svc = service(users, MockSessionStore::new());
    let err = svc
        .update_profile(&me.actor(), me.id, profile())
        .await
        .unwrap_err();
    assert!(matches!(err, UserAccessError::NotFound));
}
