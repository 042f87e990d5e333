//! Tests of [`LoginService`] over the in-memory storage and a fake hasher
//! that yields to the scheduler, so simultaneous logins really interleave.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::clock::ManualClock;
use crate::ports::Storage;
use crate::testkit::conformance::fixtures::{t0, user_with_email};
use crate::testkit::memory::MemoryStorage;
use crate::user::Role;

/// "Hashes" as `plain:<password>`; counts the checks it did.
#[derive(Default)]
struct FakeHasher {
    checks: AtomicUsize,
}

#[async_trait]
impl PasswordHasher for FakeHasher {
    async fn hash(&self, password: &str) -> Result<PasswordHash, HasherError> {
        Ok(PasswordHash(format!("plain:{password}")))
    }
    async fn verify(&self, password: &str, hash: &PasswordHash) -> Result<bool, HasherError> {
        self.checks.fetch_add(1, Ordering::SeqCst);
        tokio::task::yield_now().await;
        Ok(hash.0 == format!("plain:{password}"))
    }
    async fn verify_nothing(&self, _password: &str) -> Result<(), HasherError> {
        self.checks.fetch_add(1, Ordering::SeqCst);
        tokio::task::yield_now().await;
        Ok(())
    }
}

struct World {
    storage: Storage,
    hasher: Arc<FakeHasher>,
    clock: Arc<ManualClock>,
    service: LoginService,
}

fn world(limits: LoginLimits) -> World {
    let storage = MemoryStorage::storage();
    let hasher = Arc::new(FakeHasher::default());
    let clock = Arc::new(ManualClock::new(t0()));
    let service = LoginService::new(
        storage.users.clone(),
        storage.sessions.clone(),
        hasher.clone(),
        clock.clone(),
        limits,
    );
    World {
        storage,
        hasher,
        clock,
        service,
    }
}

async fn add(w: &World, email: &str, password: &str) -> User {
    let u = user_with_email(Role::Student, email);
    w.storage
        .users
        .insert_user(&u, Some(PasswordHash(format!("plain:{password}"))))
        .await
        .unwrap();
    u
}

fn attempt<'a>(email: &'a str, password: &'a str, ip: &str) -> LoginAttempt<'a> {
    LoginAttempt {
        email,
        password,
        address: Some(ip.parse().unwrap()),
    }
}

const TTL: chrono::Duration = chrono::Duration::hours(1);

#[tokio::test]
async fn a_correct_password_starts_a_session_that_authenticates() {
    let w = world(LoginLimits::default());
    let u = add(&w, "anna@school.ru", "secret-one").await;
    let s = w
        .service
        .login(attempt(" Anna@School.ru ", "secret-one", "192.0.2.1"), TTL)
        .await
        .unwrap();
    assert_eq!(s.user.id, u.id);
    assert_eq!(s.session.expires_at, t0() + TTL);
    let stored = w
        .storage
        .sessions
        .get_session(&TokenHash::of(&s.token))
        .await
        .unwrap();
    assert_eq!(stored, Some(s.session));
}

#[tokio::test]
async fn over_long_input_is_refused_before_any_work() {
    let w = world(LoginLimits::default());
    let long_email = format!("{}@school.ru", "a".repeat(900_000));
    let err = w
        .service
        .login(attempt(&long_email, "x", "192.0.2.1"), TTL)
        .await
        .unwrap_err();
    assert!(matches!(err, LoginFailure::TooLong("email")), "{err:?}");
    let long_password = "p".repeat(MAX_PASSWORD_BYTES + 1);
    let err = w
        .service
        .login(attempt("anna@school.ru", &long_password, "192.0.2.1"), TTL)
        .await
        .unwrap_err();
    assert!(matches!(err, LoginFailure::TooLong("password")), "{err:?}");
    assert_eq!(w.hasher.checks.load(Ordering::SeqCst), 0, "nothing hashed");
    let counter = w
        .storage
        .sessions
        .charge_login_attempt(
            &ThrottleKey::address("192.0.2.1".parse().unwrap()),
            t0(),
            chrono::Duration::minutes(15),
        )
        .await
        .unwrap();
    assert_eq!(counter.count, 1, "nothing was charged for refused input");
}

#[tokio::test]
async fn simultaneous_wrong_passwords_are_charged_before_they_are_checked() {
    let w = world(LoginLimits {
        failures_per_account: 5,
        failures_per_address: 1000,
        window: chrono::Duration::minutes(15),
    });
    add(&w, "anna@school.ru", "secret-one").await;
    let tries = (0..30).map(|_| {
        w.service
            .login(attempt("anna@school.ru", "guess", "192.0.2.1"), TTL)
    });
    let results = futures::future::join_all(tries).await;
    let invalid = results
        .iter()
        .filter(|r| matches!(r, Err(LoginFailure::InvalidCredentials)))
        .count();
    let throttled = results
        .iter()
        .filter(|r| matches!(r, Err(LoginFailure::Throttled { .. })))
        .count();
    assert_eq!(
        (invalid, throttled),
        (5, 25),
        "only the account's budget of guesses is checked"
    );
    assert_eq!(w.hasher.checks.load(Ordering::SeqCst), 5);
    let err = w
        .service
        .login(attempt("anna@school.ru", "secret-one", "192.0.2.2"), TTL)
        .await
        .unwrap_err();
    match err {
        LoginFailure::Throttled { retry_after_secs } => {
            assert!((1..=900).contains(&retry_after_secs), "{retry_after_secs}");
        }
        other => panic!("locked account, even with the right password: {other:?}"),
    }
    w.clock.advance(chrono::Duration::minutes(15));
    assert!(
        w.service
            .login(attempt("anna@school.ru", "secret-one", "192.0.2.2"), TTL)
            .await
            .is_ok(),
        "the next window lets the owner in"
    );
}

#[tokio::test]
async fn a_classroom_behind_one_address_is_not_locked_out_by_its_logins() {
    let w = world(LoginLimits {
        failures_per_account: 5,
        failures_per_address: 100,
        window: chrono::Duration::minutes(15),
    });
    for i in 0..300 {
        add(&w, &format!("s{i}@school.ru"), "secret-one").await;
    }
    for i in 0..300 {
        let email = format!("s{i}@school.ru");
        w.service
            .login(attempt(&email, "secret-one", "192.0.2.1"), TTL)
            .await
            .unwrap_or_else(|e| panic!("login {i} from the shared address: {e:?}"));
    }
}

#[tokio::test]
async fn failures_from_one_address_use_its_budget_across_accounts() {
    let w = world(LoginLimits {
        failures_per_account: 5,
        failures_per_address: 10,
        window: chrono::Duration::minutes(15),
    });
    add(&w, "anna@school.ru", "secret-one").await;
    for i in 0..10 {
        let email = format!("nobody{i}@school.ru");
        let err = w
            .service
            .login(attempt(&email, "guess", "192.0.2.9"), TTL)
            .await
            .unwrap_err();
        assert!(matches!(err, LoginFailure::InvalidCredentials), "{err:?}");
    }
    let err = w
        .service
        .login(attempt("anna@school.ru", "secret-one", "192.0.2.9"), TTL)
        .await
        .unwrap_err();
    assert!(matches!(err, LoginFailure::Throttled { .. }), "{err:?}");
    assert!(
        w.service
            .login(attempt("anna@school.ru", "secret-one", "192.0.2.10"), TTL)
            .await
            .is_ok(),
        "another address is unaffected, and the throttled try did not charge the account"
    );
}

#[tokio::test]
async fn a_success_clears_the_accounts_failures() {
    let w = world(LoginLimits {
        failures_per_account: 3,
        failures_per_address: 100,
        window: chrono::Duration::minutes(15),
    });
    add(&w, "anna@school.ru", "secret-one").await;
    for _ in 0..2 {
        assert!(
            w.service
                .login(attempt("anna@school.ru", "guess", "192.0.2.1"), TTL)
                .await
                .is_err()
        );
    }
    w.service
        .login(attempt("anna@school.ru", "secret-one", "192.0.2.1"), TTL)
        .await
        .unwrap();
    for _ in 0..3 {
        let err = w
            .service
            .login(attempt("anna@school.ru", "guess", "192.0.2.1"), TTL)
            .await
            .unwrap_err();
        assert!(matches!(err, LoginFailure::InvalidCredentials), "{err:?}");
    }
}

#[tokio::test]
async fn unknown_accounts_cost_the_same_check() {
    let w = world(LoginLimits::default());
    let err = w
        .service
        .login(attempt("ghost@school.ru", "guess", "192.0.2.1"), TTL)
        .await
        .unwrap_err();
    assert!(matches!(err, LoginFailure::InvalidCredentials));
    assert_eq!(w.hasher.checks.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_busy_hasher_refunds_the_charges() {
    let storage = MemoryStorage::storage();
    let mut hasher = MockPasswordHasher::new();
    hasher
        .expect_verify()
        .returning(|_, _| Err(HasherError::Busy));
    let service = LoginService::new(
        storage.users.clone(),
        storage.sessions.clone(),
        Arc::new(hasher),
        Arc::new(ManualClock::new(t0())),
        LoginLimits {
            failures_per_account: 1,
            failures_per_address: 1,
            window: chrono::Duration::minutes(15),
        },
    );
    let u = user_with_email(Role::Student, "anna@school.ru");
    storage
        .users
        .insert_user(&u, Some(PasswordHash("plain:x".into())))
        .await
        .unwrap();
    for _ in 0..3 {
        let err = service
            .login(attempt("anna@school.ru", "x", "192.0.2.1"), TTL)
            .await
            .unwrap_err();
        assert!(
            matches!(err, LoginFailure::Busy),
            "busy, never throttled: {err:?}"
        );
    }
}

async fn logged_in(w: &World, email: &str, password: &str) -> NewSession {
    w.service
        .login(attempt(email, password, "192.0.2.1"), TTL)
        .await
        .unwrap()
}

#[tokio::test]
async fn changing_ones_password_needs_the_current_one_and_ends_other_sessions() {
    let w = world(LoginLimits::default());
    let u = add(&w, "anna@school.ru", "secret-one").await;
    let feed = TokenHash::of("old feed token");
    w.storage.users.set_feed_token(u.id, &feed).await.unwrap();
    let here = logged_in(&w, "anna@school.ru", "secret-one").await;
    let elsewhere = logged_in(&w, "anna@school.ru", "secret-one").await;
    let actor = u.actor();
    let keep = &here.session.token_hash;

    let err = w
        .service
        .change_own_password(&actor, None, "secret-two", keep)
        .await
        .unwrap_err();
    assert!(matches!(err, ChangePasswordError::CurrentPasswordRequired));
    let err = w
        .service
        .change_own_password(&actor, Some("wrong"), "secret-two", keep)
        .await
        .unwrap_err();
    assert!(matches!(err, ChangePasswordError::WrongCurrentPassword));
    let err = w
        .service
        .change_own_password(&actor, Some("secret-one"), "short", keep)
        .await
        .unwrap_err();
    assert!(matches!(err, ChangePasswordError::TooShort));
    assert!(
        w.storage
            .sessions
            .get_session(&elsewhere.session.token_hash)
            .await
            .unwrap()
            .is_some(),
        "refused changes end nothing"
    );

    w.service
        .change_own_password(&actor, Some("secret-one"), "secret-two", keep)
        .await
        .unwrap();
    let sessions = &w.storage.sessions;
    assert!(sessions.get_session(keep).await.unwrap().is_some());
    assert!(
        sessions
            .get_session(&elsewhere.session.token_hash)
            .await
            .unwrap()
            .is_none(),
        "every other session ended"
    );
    assert!(
        w.storage
            .users
            .user_by_feed_token(&feed)
            .await
            .unwrap()
            .is_none(),
        "the old calendar-feed URL stopped working"
    );
    assert!(
        w.service
            .login(attempt("anna@school.ru", "secret-one", "192.0.2.1"), TTL)
            .await
            .is_err()
    );
    logged_in(&w, "anna@school.ru", "secret-two").await;
}

#[tokio::test]
async fn guessing_the_current_password_uses_the_accounts_budget() {
    let w = world(LoginLimits {
        failures_per_account: 2,
        failures_per_address: 100,
        window: chrono::Duration::minutes(15),
    });
    let u = add(&w, "anna@school.ru", "secret-one").await;
    let s = logged_in(&w, "anna@school.ru", "secret-one").await;
    for _ in 0..2 {
        let err = w
            .service
            .change_own_password(
                &u.actor(),
                Some("guess"),
                "secret-two",
                &s.session.token_hash,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, ChangePasswordError::WrongCurrentPassword));
    }
    let err = w
        .service
        .change_own_password(
            &u.actor(),
            Some("secret-one"),
            "secret-two",
            &s.session.token_hash,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, ChangePasswordError::Throttled { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn only_admins_set_other_accounts_passwords_and_every_session_ends() {
    let w = world(LoginLimits::default());
    let u = add(&w, "anna@school.ru", "secret-one").await;
    let s = logged_in(&w, "anna@school.ru", "secret-one").await;
    let teacher = user_with_email(Role::Teacher, "teacher@school.ru");
    let err = w
        .service
        .admin_set_password(&teacher.actor(), u.id, "secret-two")
        .await
        .unwrap_err();
    assert!(matches!(err, ChangePasswordError::NotFound));
    let admin = user_with_email(Role::Admin, "admin@school.ru");
    let err = w
        .service
        .admin_set_password(&admin.actor(), admin.id, "secret-two")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ChangePasswordError::NotFound),
        "an admin changes their own password like everyone"
    );
    w.service
        .admin_set_password(&admin.actor(), u.id, "secret-two")
        .await
        .unwrap();
    assert!(
        w.storage
            .sessions
            .get_session(&s.session.token_hash)
            .await
            .unwrap()
            .is_none()
    );
    logged_in(&w, "anna@school.ru", "secret-two").await;
}

#[tokio::test]
async fn expired_counters_are_purged() {
    let w = world(LoginLimits::default());
    assert!(
        w.service
            .login(attempt("ghost@school.ru", "guess", "192.0.2.1"), TTL)
            .await
            .is_err()
    );
    assert_eq!(w.service.purge_expired_counters().await.unwrap(), 0);
    w.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(
        w.service.purge_expired_counters().await.unwrap(),
        2,
        "the account's and the address's counters"
    );
}

#[test]
fn ipv6_addresses_count_per_64_and_keys_have_a_fixed_length() {
    let a = ThrottleKey::address("2001:db8:1:2::1".parse().unwrap());
    let b = ThrottleKey::address("2001:db8:1:2:ffff::9".parse().unwrap());
    let c = ThrottleKey::address("2001:db8:1:3::1".parse().unwrap());
    assert_eq!(a, b);
    assert_ne!(a, c);
    let mapped = ThrottleKey::address("::ffff:192.0.2.1".parse().unwrap());
    assert_eq!(mapped, ThrottleKey::address("192.0.2.1".parse().unwrap()));
    let email = Email::parse(&format!("{}@school.ru", "a".repeat(240))).unwrap();
    assert_eq!(ThrottleKey::account(&email).0.len(), 64);
}
