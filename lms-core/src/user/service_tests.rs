//! Tests of [`UserService`] with mocked ports.

use super::*;
use crate::clock::ManualClock;
use crate::error::DomainError;
use crate::user::ports::{MockSessionStore, MockUserStore};
use chrono::{DateTime, Duration, TimeZone as _, Utc};
use std::sync::Mutex;

const NON_ADMINS: [Role; 3] = [Role::Teacher, Role::Assistant, Role::Student];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap()
}

fn user(role: Role) -> User {
    User {
        id: UserId::new(),
        email: Email::parse(&format!("{}@school.ru", UserId::new())).unwrap(),
        display_name: DisplayName::parse("Анна Петрова").unwrap(),
        role,
        locale: Locale::Ru,
        time_zone: TimeZone::default(),
        active: true,
        created_at: now() - Duration::days(30),
    }
}

fn actor(role: Role) -> Actor {
    Actor {
        user_id: UserId::new(),
        role,
    }
}

fn service(users: MockUserStore, sessions: MockSessionStore) -> UserService {
    UserService::new(
        Arc::new(users),
        Arc::new(sessions),
        Arc::new(ManualClock::new(now())),
    )
}

fn returns_user(users: &mut MockUserStore, u: &User) {
    let u = u.clone();
    let id = u.id;
    users
        .expect_get_user()
        .withf(move |x| *x == id)
        .returning(move |_| Ok(Some(u.clone())));
}

fn new_user() -> NewUser {
    NewUser {
        email: Email::parse("New.Teacher@School.ru").unwrap(),
        display_name: DisplayName::parse("Иван Иванов").unwrap(),
        role: Role::Teacher,
        locale: Locale::En,
        time_zone: TimeZone::parse("Asia/Yekaterinburg").unwrap(),
        password_hash: Some(PasswordHash("$argon2id$v=19$abc".into())),
    }
}

fn profile() -> ProfileUpdate {
    ProfileUpdate {
        display_name: DisplayName::parse("Анна Сидорова").unwrap(),
        locale: Locale::En,
        time_zone: TimeZone::parse("Asia/Vladivostok").unwrap(),
    }
}

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

// ---- login_lookup ----

#[tokio::test]
async fn login_lookup_returns_active_user_and_hash() {
    let me = user(Role::Teacher);
    let m = me.clone();
    let email = me.email.clone();
    let mut users = MockUserStore::new();
    users
        .expect_credentials_by_email()
        .withf(move |e| *e == email)
        .returning(move |_| Ok(Some((m.clone(), PasswordHash("$argon2id$h".into())))));
    let svc = service(users, MockSessionStore::new());
    let (u, h) = svc.login_lookup(&me.email).await.unwrap();
    assert_eq!(u, me);
    assert_eq!(h, PasswordHash("$argon2id$h".into()));
}

#[tokio::test]
async fn unknown_and_inactive_accounts_give_the_same_login_error() {
    let mut inactive = user(Role::Student);
    inactive.active = false;
    let mut codes = Vec::new();
    for found in [None, Some(inactive)] {
        let mut users = MockUserStore::new();
        users
            .expect_credentials_by_email()
            .returning(move |_| Ok(found.clone().map(|u| (u, PasswordHash("h".into())))));
        let svc = service(users, MockSessionStore::new());
        let err = svc
            .login_lookup(&Email::parse("x@school.ru").unwrap())
            .await
            .unwrap_err();
        assert!(matches!(err, LoginError::InvalidCredentials));
        codes.push((err.code(), err.to_string()));
    }
    assert_eq!(
        codes[0], codes[1],
        "responses must not tell the cases apart"
    );
}

// ---- sessions ----

#[tokio::test]
async fn start_session_stores_a_session_expiring_after_ttl() {
    let me = user(Role::Student);
    let mut users = MockUserStore::new();
    returns_user(&mut users, &me);
    let hash = TokenHash::of("secret");
    let expected = Session {
        token_hash: hash.clone(),
        user_id: me.id,
        created_at: now(),
        expires_at: now() + Duration::days(14),
    };
    let e = expected.clone();
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_insert_session()
        .withf(move |s| *s == e)
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(users, sessions);
    let session = svc
        .start_session(me.id, hash, Duration::days(14))
        .await
        .unwrap();
    assert_eq!(session, expected);
}

#[tokio::test]
async fn no_session_for_inactive_or_unknown_users_or_bad_ttl() {
    let mut inactive = user(Role::Student);
    inactive.active = false;
    let mut users = MockUserStore::new();
    returns_user(&mut users, &inactive);
    let svc = service(users, MockSessionStore::new());
    let err = svc
        .start_session(inactive.id, TokenHash::of("t"), Duration::hours(1))
        .await
        .unwrap_err();
    assert!(matches!(err, StartSessionError::UserInactive));

    let mut users = MockUserStore::new();
    users.expect_get_user().returning(|_| Ok(None));
    let svc = service(users, MockSessionStore::new());
    let err = svc
        .start_session(UserId::new(), TokenHash::of("t"), Duration::hours(1))
        .await
        .unwrap_err();
    assert!(matches!(err, StartSessionError::UserInactive));

    let svc = service(MockUserStore::new(), MockSessionStore::new());
    for ttl in [Duration::zero(), Duration::seconds(-5)] {
        let err = svc
            .start_session(UserId::new(), TokenHash::of("t"), ttl)
            .await
            .unwrap_err();
        assert!(matches!(err, StartSessionError::InvalidTtl));
        assert_eq!(err.class(), crate::ErrorClass::Invalid);
    }
}

fn session_for(user: &User, expires_at: DateTime<Utc>) -> Session {
    Session {
        token_hash: TokenHash::of("tok"),
        user_id: user.id,
        created_at: now() - Duration::days(1),
        expires_at,
    }
}

#[tokio::test]
async fn authenticate_returns_the_sessions_active_user_until_expiry() {
    let me = user(Role::Teacher);
    // Valid strictly before and exactly at expires_at.
    for expires_at in [now() + Duration::minutes(1), now()] {
        let s = session_for(&me, expires_at);
        let found = me.clone();
        let mut sessions = MockSessionStore::new();
        sessions
            .expect_session_with_user()
            .withf(|h| *h == TokenHash::of("tok"))
            .times(1)
            .returning(move |_| Ok(Some((s.clone(), found.clone()))));
        // One round trip: the user store is not asked.
        let svc = service(MockUserStore::new(), sessions);
        assert_eq!(svc.authenticate(&TokenHash::of("tok")).await.unwrap(), me);
    }
}

#[tokio::test]
async fn expired_session_is_deleted_and_rejected() {
    let me = user(Role::Teacher);
    let s = session_for(&me, now() - Duration::seconds(1));
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_session_with_user()
        .returning(move |_| Ok(Some((s.clone(), me.clone()))));
    sessions
        .expect_delete_session()
        .withf(|h| *h == TokenHash::of("tok"))
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(MockUserStore::new(), sessions);
    let err = svc.authenticate(&TokenHash::of("tok")).await.unwrap_err();
    assert!(matches!(err, SessionError::Expired));
    assert_eq!(err.code(), "session_expired");
}

#[tokio::test]
async fn unknown_session_is_rejected() {
    let mut sessions = MockSessionStore::new();
    sessions.expect_session_with_user().returning(|_| Ok(None));
    let svc = service(MockUserStore::new(), sessions);
    let err = svc.authenticate(&TokenHash::of("nope")).await.unwrap_err();
    assert!(matches!(err, SessionError::Unknown));
    assert_eq!(err.code(), "session_unknown");
}

#[tokio::test]
async fn session_of_an_inactive_user_is_rejected() {
    let mut inactive = user(Role::Student);
    inactive.active = false;
    let s = session_for(&inactive, now() + Duration::hours(1));
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_session_with_user()
        .returning(move |_| Ok(Some((s.clone(), inactive.clone()))));
    let svc = service(MockUserStore::new(), sessions);
    let err = svc.authenticate(&TokenHash::of("tok")).await.unwrap_err();
    assert!(matches!(err, SessionError::UserInactive));
}

#[tokio::test]
async fn logout_deletes_the_session() {
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_delete_session()
        .withf(|h| *h == TokenHash::of("tok"))
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(MockUserStore::new(), sessions);
    svc.logout(&TokenHash::of("tok")).await.unwrap();
}

#[tokio::test]
async fn purge_deletes_sessions_expired_by_now() {
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_delete_expired_sessions()
        .withf(|at| *at == now())
        .times(1)
        .returning(|_| Ok(7));
    let svc = service(MockUserStore::new(), sessions);
    assert_eq!(svc.purge_expired_sessions().await.unwrap(), 7);
}

// ---- feed tokens ----

#[tokio::test]
async fn feed_token_is_stored_for_the_actor_only() {
    let me = actor(Role::Student);
    let id = me.user_id;
    let token = crate::user::generate_token();
    let hash = TokenHash::of(&token);
    let h = hash.clone();
    let mut users = MockUserStore::new();
    users
        .expect_set_feed_token()
        .withf(move |u, x| *u == id && *x == h)
        .times(1)
        .returning(|_, _| Ok(()));
    let svc = service(users, MockSessionStore::new());
    svc.set_feed_token(&me, hash).await.unwrap();
}

#[tokio::test]
async fn feed_token_finds_active_users_only() {
    let me = user(Role::Student);
    let mut inactive = me.clone();
    inactive.active = false;
    for (found, expected) in [
        (Some(me.clone()), Some(me.clone())),
        (Some(inactive), None),
        (None, None),
    ] {
        let mut users = MockUserStore::new();
        users
            .expect_user_by_feed_token()
            .withf(|h| *h == TokenHash::of("feed"))
            .returning(move |_| Ok(found.clone()));
        let svc = service(users, MockSessionStore::new());
        assert_eq!(
            svc.user_by_feed_token(&TokenHash::of("feed"))
                .await
                .unwrap(),
            expected
        );
    }
}
