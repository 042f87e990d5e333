//! Conformance of [`SessionStore`](crate::user::SessionStore): login sessions.

use super::fixtures::{add_user, at, ok, t0};
use crate::ids::UserId;
use crate::ports::Storage;
use crate::user::{Role, Session, TokenHash, generate_token};

fn session(user: UserId, expires_in_minutes: i64) -> Session {
    Session {
        token_hash: TokenHash::of(&generate_token()),
        user_id: user,
        // Created a day before t0, so an "expired" session is still a
        // valid row (it expires after it was created).
        created_at: at(-24 * 60),
        expires_at: at(expires_in_minutes),
    }
}

/// A session reads back by its hash; revoking it (twice) works.
pub async fn sessions_round_trip_and_revoke(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let s = session(u.id, 60);
    let other = session(u.id, 60);
    ok(storage.sessions.insert_session(&s).await, "insert_session");
    ok(
        storage.sessions.insert_session(&other).await,
        "insert_session",
    );
    assert_eq!(
        ok(
            storage.sessions.get_session(&s.token_hash).await,
            "get_session"
        ),
        Some(s.clone()),
        "the session reads back unchanged"
    );
    ok(
        storage.sessions.delete_session(&s.token_hash).await,
        "delete_session",
    );
    assert_eq!(
        ok(
            storage.sessions.get_session(&s.token_hash).await,
            "get_session"
        ),
        None,
        "a revoked session is gone"
    );
    ok(
        storage.sessions.delete_session(&s.token_hash).await,
        "revoking an unknown session is not an error",
    );
    assert_eq!(
        ok(
            storage.sessions.get_session(&other.token_hash).await,
            "get_session"
        ),
        Some(other),
        "revoking one session leaves the others"
    );
}

/// `session_with_user` answers the session and its user in one call, the
/// user as stored (deactivated included) and expired sessions too; an
/// unknown or revoked hash answers `None`.
pub async fn session_reads_back_with_its_user(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let live = session(u.id, 60);
    let expired = session(u.id, -1);
    for s in [&live, &expired] {
        ok(storage.sessions.insert_session(s).await, "insert_session");
    }
    assert_eq!(
        ok(
            storage.sessions.session_with_user(&live.token_hash).await,
            "session_with_user"
        ),
        Some((live.clone(), u.clone())),
        "the session and its user read back unchanged"
    );
    assert_eq!(
        ok(
            storage
                .sessions
                .session_with_user(&expired.token_hash)
                .await,
            "session_with_user"
        ),
        Some((expired.clone(), u.clone())),
        "an expired session is still returned (the service checks expiry)"
    );
    let mut inactive = u.clone();
    inactive.active = false;
    ok(storage.users.update_user(&inactive).await, "update_user");
    assert_eq!(
        ok(
            storage.sessions.session_with_user(&live.token_hash).await,
            "session_with_user"
        )
        .map(|(_, user)| user),
        Some(inactive),
        "a deactivated user comes back as stored"
    );
    ok(
        storage.sessions.delete_session(&live.token_hash).await,
        "delete_session",
    );
    assert_eq!(
        ok(
            storage.sessions.session_with_user(&live.token_hash).await,
            "session_with_user"
        ),
        None,
        "a revoked session answers nothing"
    );
    assert_eq!(
        ok(
            storage
                .sessions
                .session_with_user(&TokenHash::of("never issued"))
                .await,
            "session_with_user"
        ),
        None,
        "an unknown hash answers nothing"
    );
}

/// Expired sessions are still returned (the service checks expiry) until
/// purged; purging removes exactly those expired before `now`.
pub async fn expired_sessions_are_purged(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let expired = session(u.id, -10);
    let expired_too = session(u.id, -1);
    let valid = session(u.id, 10);
    for s in [&expired, &expired_too, &valid] {
        ok(storage.sessions.insert_session(s).await, "insert_session");
    }
    assert_eq!(
        ok(
            storage.sessions.get_session(&expired.token_hash).await,
            "get_session"
        ),
        Some(expired.clone()),
        "get_session returns expired sessions too"
    );
    assert_eq!(
        ok(
            storage.sessions.delete_expired_sessions(t0()).await,
            "purge"
        ),
        2,
        "two sessions expired before now"
    );
    assert_eq!(
        ok(
            storage.sessions.get_session(&expired.token_hash).await,
            "get"
        ),
        None,
        "the expired session is purged"
    );
    assert_eq!(
        ok(storage.sessions.get_session(&valid.token_hash).await, "get"),
        Some(valid),
        "the valid session stays"
    );
    assert_eq!(
        ok(
            storage.sessions.delete_expired_sessions(t0()).await,
            "purge"
        ),
        0,
        "nothing left to purge"
    );
}

/// `delete_user_sessions` revokes every session of one user and counts them.
pub async fn user_sessions_are_revoked_together(storage: Storage) {
    let u = add_user(&storage, Role::Teacher).await;
    let v = add_user(&storage, Role::Teacher).await;
    let mine: Vec<_> = (0..3).map(|_| session(u.id, 60)).collect();
    let theirs = session(v.id, 60);
    for s in mine.iter().chain([&theirs]) {
        ok(storage.sessions.insert_session(s).await, "insert_session");
    }
    assert_eq!(
        ok(
            storage.sessions.delete_user_sessions(u.id).await,
            "delete_user_sessions"
        ),
        3,
        "all three of the user's sessions are revoked"
    );
    for s in &mine {
        assert_eq!(
            ok(storage.sessions.get_session(&s.token_hash).await, "get"),
            None,
            "a revoked session is gone"
        );
    }
    assert_eq!(
        ok(
            storage.sessions.get_session(&theirs.token_hash).await,
            "get"
        ),
        Some(theirs),
        "another user's session stays"
    );
    assert_eq!(
        ok(storage.sessions.delete_user_sessions(u.id).await, "again"),
        0,
        "nothing left to revoke"
    );
}

/// `delete_other_sessions` ends every session of the user but the one kept.
pub async fn other_sessions_end_and_the_kept_one_stays(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let v = add_user(&storage, Role::Student).await;
    let keep = session(u.id, 60);
    let others: Vec<_> = (0..2).map(|_| session(u.id, 60)).collect();
    let theirs = session(v.id, 60);
    for s in others.iter().chain([&keep, &theirs]) {
        ok(storage.sessions.insert_session(s).await, "insert_session");
    }
    assert_eq!(
        ok(
            storage
                .sessions
                .delete_other_sessions(u.id, &keep.token_hash)
                .await,
            "delete_other_sessions"
        ),
        2,
        "both other sessions end"
    );
    for s in &others {
        assert_eq!(
            ok(storage.sessions.get_session(&s.token_hash).await, "get"),
            None
        );
    }
    for s in [&keep, &theirs] {
        assert_eq!(
            ok(storage.sessions.get_session(&s.token_hash).await, "get").as_ref(),
            Some(s),
            "the kept session and other users' sessions stay"
        );
    }
}

/// Login counters: charging counts up within a window, a new window starts
/// once the old one is over, refunds and clears work, and concurrent
/// charges each get their own count (none lost).
pub async fn login_counters_charge_refund_and_expire(storage: Storage) {
    use crate::user::{LoginCounter, ThrottleKey};
    let window = chrono::Duration::minutes(15);
    let key = ThrottleKey::address("192.0.2.7".parse().expect("ip"));
    let other = ThrottleKey::address("192.0.2.8".parse().expect("ip"));
    let s = &storage.sessions;
    for n in 1..=3 {
        assert_eq!(
            ok(s.charge_login_attempt(&key, at(n), window).await, "charge"),
            LoginCounter {
                count: n as u32,
                window_started_at: at(1)
            },
            "attempt {n} counts in the window that began with the first"
        );
    }
    ok(s.refund_login_attempt(&key, at(1)).await, "refund");
    ok(
        s.refund_login_attempt(&key, at(-100)).await,
        "a refund for an old window does nothing",
    );
    assert_eq!(
        ok(s.charge_login_attempt(&key, at(5), window).await, "charge").count,
        3,
        "the refund took one back; the stale refund nothing"
    );
    assert_eq!(
        ok(
            s.charge_login_attempt(&other, at(5), window).await,
            "charge"
        )
        .count,
        1,
        "keys count apart"
    );
    assert_eq!(
        ok(s.charge_login_attempt(&key, at(16), window).await, "charge"),
        LoginCounter {
            count: 1,
            window_started_at: at(16)
        },
        "after the window a new one starts"
    );
    ok(s.clear_login_attempts(&key).await, "clear");
    assert_eq!(
        ok(s.charge_login_attempt(&key, at(17), window).await, "charge").count,
        1,
        "a cleared counter starts again"
    );
    assert_eq!(
        ok(s.delete_expired_login_attempts(at(10)).await, "purge"),
        1,
        "only the counter whose window began before the cut-off goes"
    );
    assert_eq!(
        ok(
            s.charge_login_attempt(&other, at(18), window).await,
            "charge"
        )
        .count,
        1,
        "the purged counter starts again"
    );

    let burst = ThrottleKey::address("192.0.2.9".parse().expect("ip"));
    let charges = (0..20).map(|_| s.charge_login_attempt(&burst, at(20), window));
    let mut counts: Vec<u32> = futures::future::join_all(charges)
        .await
        .into_iter()
        .map(|r| ok(r, "concurrent charge").count)
        .collect();
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=20).collect::<Vec<u32>>(),
        "twenty simultaneous charges see twenty distinct counts"
    );
}
