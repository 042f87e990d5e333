//! Conformance of [`IdempotencyStore`](crate::idempotency::IdempotencyStore).

use futures::future::join_all;

use super::fixtures::{add_user, assert_not_found, at, ok, retry_transient};
use crate::idempotency::{Begin, IdempotencyKey, StoredResponse};
use crate::ids::UserId;
use crate::ports::Storage;
use crate::user::Role;

const SCOPE: &str = "POST /api/v1/assignments/{id}/submissions";

fn key(user: UserId, k: &str) -> IdempotencyKey {
    IdempotencyKey::parse(user, SCOPE, k).expect("fixture key is valid")
}

fn response(body: &str) -> StoredResponse {
    StoredResponse {
        status: 201,
        content_type: "application/json".to_owned(),
        body: body.as_bytes().to_vec(),
    }
}

/// The first request starts, a concurrent retry sees it in progress, a
/// later retry gets the stored response; another body is a mismatch.
pub async fn requests_start_complete_and_replay(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let k = key(u.id, "k-1");
    let store = &storage.idempotency;
    assert_eq!(
        ok(store.begin(&k, "h1", at(0), at(1)).await, "begin"),
        Begin::Started
    );
    assert_eq!(
        ok(store.begin(&k, "h1", at(0), at(1)).await, "begin again"),
        Begin::InProgress,
        "the same request while the first runs"
    );
    assert_eq!(
        ok(store.begin(&k, "h2", at(0), at(1)).await, "begin other"),
        Begin::Mismatch,
        "another request with the key"
    );
    let body = format!("{{\"id\":\"{}\",\"текст\":\"ответ\"}}", u.id);
    ok(
        store.complete(&k, &response(&body), at(60)).await,
        "complete",
    );
    assert_eq!(
        ok(store.begin(&k, "h1", at(30), at(31)).await, "retry"),
        Begin::Completed(response(&body)),
        "a retry replays the stored response byte for byte"
    );
    assert_eq!(
        ok(store.begin(&k, "h2", at(30), at(31)).await, "other"),
        Begin::Mismatch
    );
    // The key is scoped by user and by operation.
    let v = add_user(&storage, Role::Student).await;
    assert_eq!(
        ok(
            store.begin(&key(v.id, "k-1"), "h1", at(0), at(1)).await,
            "other user"
        ),
        Begin::Started
    );
    let other_scope =
        IdempotencyKey::parse(u.id, "POST /api/v1/quizzes/{id}/attempts", "k-1").expect("valid");
    assert_eq!(
        ok(
            store.begin(&other_scope, "h9", at(0), at(1)).await,
            "other scope"
        ),
        Begin::Started
    );
    assert_not_found(
        store
            .begin(&key(UserId::new(), "k-1"), "h1", at(0), at(1))
            .await,
        "an unknown user",
    );
    assert_not_found(
        store
            .complete(&key(u.id, "never-begun"), &response("{}"), at(60))
            .await,
        "completing a key never begun",
    );
}

/// An in-progress record whose lock expired (a crashed request) is taken
/// over by the same request; an expired completed record counts as absent.
pub async fn expired_locks_and_records_are_taken_over(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let store = &storage.idempotency;
    let crashed = key(u.id, "crashed");
    assert_eq!(
        ok(store.begin(&crashed, "h", at(0), at(5)).await, "begin"),
        Begin::Started
    );
    assert_eq!(
        ok(
            store.begin(&crashed, "h", at(4), at(9)).await,
            "before expiry"
        ),
        Begin::InProgress
    );
    assert_eq!(
        ok(
            store.begin(&crashed, "other", at(5), at(10)).await,
            "other hash"
        ),
        Begin::Mismatch,
        "an expired lock is not given to another request"
    );
    assert_eq!(
        ok(store.begin(&crashed, "h", at(5), at(10)).await, "take over"),
        Begin::Started,
        "the lock expired at its instant: the retry takes over"
    );
    assert_eq!(
        ok(
            store.begin(&crashed, "h", at(9), at(14)).await,
            "after take over"
        ),
        Begin::InProgress,
        "the take-over holds a new lock"
    );

    let old = key(u.id, "old");
    ok(store.begin(&old, "h", at(0), at(1)).await, "begin");
    ok(
        store.complete(&old, &response("{}"), at(60)).await,
        "complete",
    );
    assert_eq!(
        ok(
            store.begin(&old, "new-hash", at(60), at(61)).await,
            "after expiry"
        ),
        Begin::Started,
        "an expired response is forgotten, whatever the request"
    );
    assert_eq!(
        ok(store.begin(&old, "new-hash", at(60), at(61)).await, "again"),
        Begin::InProgress
    );
}

/// Abandoning deletes an in-progress record so a retry runs again; a
/// completed record is kept.
pub async fn abandoned_requests_run_again(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let store = &storage.idempotency;
    let k = key(u.id, "failed");
    ok(store.begin(&k, "h", at(0), at(5)).await, "begin");
    ok(store.abandon(&k).await, "abandon");
    assert_eq!(
        ok(store.begin(&k, "other", at(1), at(6)).await, "retry"),
        Begin::Started,
        "nothing is left of an abandoned request"
    );
    ok(
        store.complete(&k, &response("[1]"), at(60)).await,
        "complete",
    );
    ok(store.abandon(&k).await, "abandon a completed request");
    assert_eq!(
        ok(store.begin(&k, "other", at(2), at(7)).await, "replay"),
        Begin::Completed(response("[1]")),
        "a completed response is not abandoned"
    );
    ok(
        store.abandon(&key(u.id, "unknown")).await,
        "abandon nothing",
    );
}

/// Purging deletes expired responses and expired locks, nothing else.
pub async fn expired_records_are_purged(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let store = &storage.idempotency;
    let done_old = key(u.id, "done-old");
    let done_new = key(u.id, "done-new");
    let running = key(u.id, "running");
    let crashed = key(u.id, "crashed");
    for k in [&done_old, &done_new] {
        ok(store.begin(k, "h", at(0), at(1)).await, "begin");
    }
    ok(
        store.complete(&done_old, &response("a"), at(10)).await,
        "complete",
    );
    ok(
        store.complete(&done_new, &response("b"), at(30)).await,
        "complete",
    );
    ok(store.begin(&running, "h", at(0), at(30)).await, "begin");
    ok(store.begin(&crashed, "h", at(0), at(5)).await, "begin");
    assert_eq!(ok(store.purge_expired(at(10)).await, "purge"), 2);
    assert_eq!(ok(store.purge_expired(at(10)).await, "purge again"), 0);
    assert_eq!(
        ok(store.begin(&done_new, "h", at(11), at(12)).await, "kept"),
        Begin::Completed(response("b"))
    );
    assert_eq!(
        ok(store.begin(&running, "h", at(11), at(12)).await, "kept"),
        Begin::InProgress
    );
    assert_eq!(
        ok(
            store.begin(&done_old, "other", at(11), at(12)).await,
            "purged"
        ),
        Begin::Started
    );
}

/// Of concurrent first requests with one key, exactly one starts.
pub async fn concurrent_begins_start_once(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    for round in 0..5 {
        let k = key(u.id, &format!("race-{round}"));
        let calls = (0..2).map(|_| {
            let storage = storage.clone();
            let k = k.clone();
            async move {
                retry_transient(|| storage.idempotency.begin(&k, "h", at(0), at(5))).await
            }
        });
        let results = join_all(calls).await;
        let started = results
            .iter()
            .filter(|r| matches!(r, Ok(Begin::Started)))
            .count();
        let running = results
            .iter()
            .filter(|r| matches!(r, Ok(Begin::InProgress)))
            .count();
        assert_eq!(
            (started, running),
            (1, 1),
            "exactly one concurrent begin starts: {results:?}"
        );
    }
}

/// Of concurrent take-overs of an expired lock, exactly one starts.
pub async fn concurrent_take_overs_start_once(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let k = key(u.id, "crashed");
    ok(
        storage.idempotency.begin(&k, "h", at(0), at(1)).await,
        "begin",
    );
    let calls = (0..4).map(|_| {
        let storage = storage.clone();
        let k = k.clone();
        async move { retry_transient(|| storage.idempotency.begin(&k, "h", at(2), at(9))).await }
    });
    let results = join_all(calls).await;
    let started = results
        .iter()
        .filter(|r| matches!(r, Ok(Begin::Started)))
        .count();
    assert_eq!(
        started, 1,
        "exactly one retry takes the crashed request over: {results:?}"
    );
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Ok(Begin::Started | Begin::InProgress))),
        "{results:?}"
    );
}
