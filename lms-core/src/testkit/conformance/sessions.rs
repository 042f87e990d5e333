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
