//! Login look-up, sessions and calendar-feed tokens.

use super::*;

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
async fn a_new_calendar_link_is_stored_for_the_actor_only_and_shown_again() {
    let me = actor(Role::Student);
    let id = me.user_id;
    let stored = std::sync::Arc::new(std::sync::Mutex::new(None::<FeedLink>));
    let mut users = MockUserStore::new();
    let keep = stored.clone();
    users
        .expect_set_feed_link()
        .withf(move |u, link| *u == id && link.token.len() == 64)
        .times(1)
        .returning(move |_, link| {
            *keep.lock().unwrap() = Some(link.clone());
            Ok(())
        });
    let shown = stored.clone();
    users
        .expect_feed_link()
        .withf(move |u| *u == id)
        .times(1)
        .returning(move |_| Ok(shown.lock().unwrap().clone()));
    let svc = service(users, MockSessionStore::new());
    let link = svc.new_calendar_link(&me).await.unwrap();
    assert_eq!(svc.calendar_link(&me).await.unwrap(), Some(link));
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
