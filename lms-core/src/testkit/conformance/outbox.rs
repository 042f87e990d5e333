//! Conformance of the outbox half of
//! [`NotificationStore`](crate::notification::NotificationStore): enqueueing
//! with de-dup keys, claiming under leases, and marking entries sent, retried
//! or failed.

use std::collections::BTreeSet;

use futures::future::join_all;

use super::fixtures::{
    add_user, assert_conflict, assert_not_found, at, at_secs, day, ok, outbox_entry,
    retry_transient,
};
use crate::achievement::Badge;
use crate::error::Conflict;
use crate::ids::{AssignmentId, CourseId, OutboxId, QuizId, SubmissionId, WebinarId};
use crate::notification::{Channel, DedupKey, Notification, OutboxEntry, OutboxStatus};
use crate::page::Page;
use crate::ports::Storage;
use crate::user::Role;

/// One notification of every kind.
fn every_notification() -> Vec<Notification> {
    let (course_id, assignment_id) = (CourseId::new(), AssignmentId::new());
    let (submission_id, webinar_id) = (SubmissionId::new(), WebinarId::new());
    vec![
        Notification::NewAssignment {
            course_id,
            course_title: "Алгебра".to_owned(),
            assignment_id,
            title: "ДЗ 1".to_owned(),
            due_at: day(7),
        },
        Notification::DeadlineReminder {
            course_id,
            course_title: "Алгебра".to_owned(),
            assignment_id,
            title: "ДЗ 1".to_owned(),
            due_at: day(7),
            hours_before: 24,
        },
        Notification::HomeworkGraded {
            course_id,
            assignment_id,
            title: "ДЗ 1".to_owned(),
            submission_id,
            score: 8.5,
            max_score: 10.0,
        },
        Notification::HomeworkReturned {
            course_id,
            assignment_id,
            title: "ДЗ 1".to_owned(),
            submission_id,
        },
        Notification::WebinarScheduled {
            course_id,
            course_title: "Алгебра".to_owned(),
            webinar_id,
            title: "Разбор".to_owned(),
            starts_at: day(2),
            join_url: Some("https://meet.example/1".to_owned()),
        },
        Notification::WebinarChanged {
            course_id,
            webinar_id,
            title: "Разбор".to_owned(),
            starts_at: None,
            cancelled: true,
        },
        Notification::WebinarReminder {
            course_id,
            webinar_id,
            title: "Разбор".to_owned(),
            starts_at: day(2),
            minutes_before: 10,
            join_url: None,
        },
        Notification::AchievementAwarded {
            badge: Badge::PerfectQuiz,
            course_id: Some(course_id),
            quiz_id: Some(QuizId::new()),
        },
    ]
}

async fn claim_ids(
    storage: &Storage,
    now: chrono::DateTime<chrono::Utc>,
    limit: u32,
    lease_until: chrono::DateTime<chrono::Utc>,
) -> Vec<OutboxId> {
    let mut ids: Vec<_> = ok(
        storage
            .notifications
            .claim_due(now, limit, lease_until)
            .await,
        "claim_due",
    )
    .into_iter()
    .map(|e| e.id)
    .collect();
    ids.sort();
    ids
}

async fn entry(storage: &Storage, id: OutboxId) -> OutboxEntry {
    ok(
        storage.notifications.get_outbox_entry(id).await,
        "get_outbox_entry",
    )
    .expect("the outbox entry exists")
}

/// `enqueue` inserts entries whose de-dup key is new, skips the others
/// (also within one batch) and counts what it inserted.
pub async fn enqueue_skips_duplicate_keys(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let e1 = outbox_entry(u.id, "event-1", at(0));
    let e2 = outbox_entry(u.id, "event-2", at(0));
    assert_eq!(
        ok(
            storage
                .notifications
                .enqueue(&[e1.clone(), e2.clone()])
                .await,
            "enqueue"
        ),
        2,
        "two new keys"
    );
    let again = outbox_entry(u.id, "event-1", at(5));
    let e3 = outbox_entry(u.id, "event-3", at(5));
    assert_eq!(
        ok(
            storage
                .notifications
                .enqueue(&[again.clone(), e3.clone()])
                .await,
            "enqueue"
        ),
        1,
        "a known key is skipped"
    );
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(again.id).await,
            "get"
        ),
        None,
        "the skipped entry is not stored"
    );
    assert_eq!(
        entry(&storage, e1.id).await,
        e1,
        "the first entry is unchanged"
    );
    let twin_a = outbox_entry(u.id, "event-4", at(6));
    let twin_b = outbox_entry(u.id, "event-4", at(6));
    assert_eq!(
        ok(
            storage.notifications.enqueue(&[twin_a, twin_b]).await,
            "enqueue"
        ),
        1,
        "duplicates within one batch are inserted once"
    );
    let mut on_telegram = outbox_entry(u.id, "event-1", at(7));
    on_telegram.channel = Channel::Telegram;
    on_telegram.dedup_key = DedupKey::new(u.id, "event-1", Channel::Telegram);
    assert_eq!(
        ok(
            storage.notifications.enqueue(&[on_telegram]).await,
            "enqueue"
        ),
        1,
        "the same event over another channel is another key"
    );
    assert_eq!(
        ok(storage.notifications.enqueue(&[]).await, "enqueue nothing"),
        0
    );
    assert_eq!(
        ok(
            storage
                .notifications
                .list_user_outbox(u.id, Page::first())
                .await,
            "list"
        )
        .len(),
        5,
        "five entries are stored"
    );
}

/// Entries with every kind of notification read back unchanged.
pub async fn outbox_entries_round_trip(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let entries: Vec<_> = every_notification()
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let channel = if i % 2 == 0 {
                Channel::Email
            } else {
                Channel::Telegram
            };
            OutboxEntry::new(
                u.id,
                channel,
                &format!("event-{i}"),
                n,
                at(i64::try_from(i).expect("small")),
            )
        })
        .collect();
    assert_eq!(
        ok(storage.notifications.enqueue(&entries).await, "enqueue"),
        entries.len() as u64
    );
    for e in &entries {
        assert_eq!(
            &entry(&storage, e.id).await,
            e,
            "the entry reads back unchanged"
        );
    }
    assert_eq!(
        ok(
            storage
                .notifications
                .get_outbox_entry(OutboxId::new())
                .await,
            "get"
        ),
        None,
        "an unknown entry is None"
    );
}

/// `claim_due` takes pending entries that are due and not leased, sets
/// their lease and counts the attempt; sent, failed, future and leased
/// entries are not taken.
pub async fn claim_due_takes_due_pending_entries(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let sent = outbox_entry(u.id, "sent", at(-10));
    let failed = outbox_entry(u.id, "failed", at(-10));
    ok(
        storage
            .notifications
            .enqueue(&[sent.clone(), failed.clone()])
            .await,
        "enqueue",
    );
    assert_eq!(
        claim_ids(&storage, at(-10), 10, at(-9)).await,
        {
            let mut v = vec![sent.id, failed.id];
            v.sort();
            v
        },
        "both due entries are claimed"
    );
    ok(
        storage
            .notifications
            .mark_sent(sent.id, at(-9), at(-9))
            .await,
        "mark_sent",
    );
    ok(
        storage
            .notifications
            .mark_failed(failed.id, at(-9), "bad address")
            .await,
        "mark_failed",
    );

    let due = outbox_entry(u.id, "due", at(-5));
    let due_now = outbox_entry(u.id, "due-now", at(0));
    let future = outbox_entry(u.id, "future", at(5));
    ok(
        storage
            .notifications
            .enqueue(&[due.clone(), due_now.clone(), future.clone()])
            .await,
        "enqueue",
    );
    let claimed = ok(
        storage.notifications.claim_due(at(0), 10, at(1)).await,
        "claim_due",
    );
    let mut ids: Vec<_> = claimed.iter().map(|e| e.id).collect();
    ids.sort();
    let mut want = vec![due.id, due_now.id];
    want.sort();
    assert_eq!(
        ids, want,
        "pending entries with next_attempt_at <= now; not sent, failed or future ones"
    );
    for c in &claimed {
        assert_eq!(c.attempts, 1, "claiming counts an attempt: {c:?}");
        assert_eq!(c.lease_until, Some(at(1)), "claiming sets the lease: {c:?}");
        assert_eq!(
            c.status,
            OutboxStatus::Pending,
            "a claimed entry stays pending"
        );
        assert_eq!(
            &entry(&storage, c.id).await,
            c,
            "the claimed entry is returned as stored"
        );
    }
    assert!(
        claim_ids(&storage, at_secs(30), 10, at(2)).await.is_empty(),
        "leased entries are not claimed again"
    );
    let untouched = entry(&storage, future.id).await;
    assert_eq!(untouched, future, "an entry not yet due is untouched");
    assert_eq!(entry(&storage, sent.id).await.status, OutboxStatus::Sent);
    assert_eq!(
        entry(&storage, failed.id).await.status,
        OutboxStatus::Failed
    );
}

/// `claim_due` returns at most `limit` entries, the rest on later calls.
pub async fn claim_due_respects_the_limit(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let entries: Vec<_> = (0..5)
        .map(|i| outbox_entry(u.id, &format!("e{i}"), at(-i)))
        .collect();
    ok(storage.notifications.enqueue(&entries).await, "enqueue");
    let mut seen = BTreeSet::new();
    for expected in [2, 2, 1, 0] {
        let got = claim_ids(&storage, at(0), 2, at(10)).await;
        assert_eq!(got.len(), expected, "a claim returns at most the limit");
        for id in got {
            assert!(seen.insert(id), "an entry is claimed only once");
        }
    }
    assert_eq!(seen.len(), 5, "every entry was claimed");
}

/// After its lease expires a claimed (undelivered) entry is claimed again,
/// counting a second attempt.
pub async fn expired_leases_return_entries(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let e = outbox_entry(u.id, "lease", at(0));
    ok(
        storage
            .notifications
            .enqueue(std::slice::from_ref(&e))
            .await,
        "enqueue",
    );
    assert_eq!(claim_ids(&storage, at(0), 10, at(1)).await, [e.id]);
    assert!(
        claim_ids(&storage, at_secs(30), 10, at(2)).await.is_empty(),
        "the lease holds until lease_until"
    );
    let again = ok(
        storage.notifications.claim_due(at(2), 10, at(3)).await,
        "claim",
    );
    assert_eq!(
        again.iter().map(|x| x.id).collect::<Vec<_>>(),
        [e.id],
        "after the lease expired the entry is claimed again"
    );
    assert_eq!(
        again[0].attempts, 2,
        "the second claim counts a second attempt"
    );
    assert_eq!(again[0].lease_until, Some(at(3)), "with the new lease");
}

async fn concurrent_claimers(storage: Storage, claimers: usize) {
    let u = add_user(&storage, Role::Student).await;
    let entries: Vec<_> = (0..200)
        .map(|i| outbox_entry(u.id, &format!("bulk-{i}"), at(-1)))
        .collect();
    assert_eq!(
        ok(storage.notifications.enqueue(&entries).await, "enqueue"),
        200
    );
    let workers = (0..claimers).map(|_| {
        let storage = storage.clone();
        async move {
            let mut mine = Vec::new();
            loop {
                let batch = ok(
                    retry_transient(|| storage.notifications.claim_due(at(0), 7, at(10))).await,
                    "claim_due",
                );
                if batch.is_empty() {
                    break mine;
                }
                mine.extend(batch.into_iter().map(|e| e.id));
                super::fixtures::yield_now().await;
            }
        }
    });
    let per_worker = join_all(workers).await;
    let mut all = BTreeSet::new();
    for ids in &per_worker {
        for id in ids {
            assert!(all.insert(*id), "entry {id} was claimed by two claimers");
        }
    }
    let want: BTreeSet<_> = entries.iter().map(|e| e.id).collect();
    assert_eq!(all, want, "together the claimers got every entry");
    for e in &entries {
        assert_eq!(
            entry(&storage, e.id).await.attempts,
            1,
            "every entry was claimed exactly once"
        );
    }
}

/// Two concurrent claimers over 200 entries never share one and together get all.
pub async fn two_concurrent_claimers_never_share(storage: Storage) {
    concurrent_claimers(storage, 2).await;
}

/// Four concurrent claimers over 200 entries never share one and together get all.
pub async fn four_concurrent_claimers_never_share(storage: Storage) {
    concurrent_claimers(storage, 4).await;
}

/// `mark_sent` records delivery and clears the lease; a sent entry is never
/// claimed again.
pub async fn mark_sent_finishes_an_entry(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let e = outbox_entry(u.id, "send", at(0));
    ok(
        storage
            .notifications
            .enqueue(std::slice::from_ref(&e))
            .await,
        "enqueue",
    );
    claim_ids(&storage, at(0), 10, at(1)).await;
    ok(
        storage
            .notifications
            .mark_sent(e.id, at(1), at_secs(20))
            .await,
        "mark_sent",
    );
    let got = entry(&storage, e.id).await;
    assert_eq!(got.status, OutboxStatus::Sent);
    assert_eq!(
        got.sent_at,
        Some(at_secs(20)),
        "sent_at is the given instant"
    );
    assert_eq!(got.lease_until, None, "the lease is cleared");
    assert_eq!(got.attempts, 1);
    assert!(
        claim_ids(&storage, day(30), 10, day(31)).await.is_empty(),
        "a sent entry is never claimed again"
    );
}

/// `mark_retry` returns an entry to pending with the error, claimable from
/// `next_attempt_at` on (even before the old lease would have expired).
pub async fn mark_retry_reschedules_an_entry(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let e = outbox_entry(u.id, "retry", at(0));
    ok(
        storage
            .notifications
            .enqueue(std::slice::from_ref(&e))
            .await,
        "enqueue",
    );
    claim_ids(&storage, at(0), 10, at(30)).await;
    ok(
        storage
            .notifications
            .mark_retry(e.id, at(30), at(5), "SMTP 451 try again later")
            .await,
        "mark_retry",
    );
    let got = entry(&storage, e.id).await;
    assert_eq!(got.status, OutboxStatus::Pending, "back to pending");
    assert_eq!(got.next_attempt_at, at(5), "not before next_attempt_at");
    assert_eq!(got.last_error.as_deref(), Some("SMTP 451 try again later"));
    assert_eq!(got.sent_at, None);
    assert!(
        claim_ids(&storage, at(4), 10, at(40)).await.is_empty(),
        "not claimed before next_attempt_at"
    );
    let again = ok(
        storage.notifications.claim_due(at(5), 10, at(6)).await,
        "claim",
    );
    assert_eq!(
        again.iter().map(|x| x.id).collect::<Vec<_>>(),
        [e.id],
        "claimed again at next_attempt_at although the first lease ran to at(30)"
    );
    assert_eq!(again[0].attempts, 2, "the retry counts a second attempt");
}

/// `mark_failed` gives up on an entry with the error; it is never claimed again.
pub async fn mark_failed_gives_up(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let e = outbox_entry(u.id, "fail", at(0));
    let other = outbox_entry(u.id, "other", at(0));
    ok(
        storage
            .notifications
            .enqueue(&[e.clone(), other.clone()])
            .await,
        "enqueue",
    );
    claim_ids(&storage, at(0), 10, at(1)).await;
    ok(
        storage
            .notifications
            .mark_failed(e.id, at(1), "bot was blocked by the user")
            .await,
        "mark_failed",
    );
    let got = entry(&storage, e.id).await;
    assert_eq!(got.status, OutboxStatus::Failed);
    assert_eq!(
        got.last_error.as_deref(),
        Some("bot was blocked by the user")
    );
    assert_eq!(got.sent_at, None);
    assert_eq!(
        claim_ids(&storage, day(30), 10, day(31)).await,
        [other.id],
        "a failed entry is never claimed again; others are"
    );
}

/// A user's entries list newest first, paged; other users' are not listed.
pub async fn user_outbox_newest_first(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let v = add_user(&storage, Role::Student).await;
    let mut mine = Vec::new();
    for minutes in [10, 30, 20, 40] {
        let e = outbox_entry(u.id, &format!("e{minutes}"), at(minutes));
        mine.push((minutes, e));
    }
    let theirs = outbox_entry(v.id, "theirs", at(50));
    let mut all: Vec<_> = mine.iter().map(|(_, e)| e.clone()).collect();
    all.push(theirs);
    ok(storage.notifications.enqueue(&all).await, "enqueue");
    mine.sort_by_key(|(m, _)| std::cmp::Reverse(*m));
    let expected: Vec<_> = mine.into_iter().map(|(_, e)| e).collect();
    let list = |limit, offset| {
        let storage = storage.clone();
        async move {
            ok(
                storage
                    .notifications
                    .list_user_outbox(u.id, Page::new(limit, offset))
                    .await,
                "list_user_outbox",
            )
        }
    };
    assert_eq!(list(50, 0).await, expected, "newest first, this user only");
    assert_eq!(list(3, 0).await, expected[..3], "first page");
    assert_eq!(list(3, 3).await, expected[3..], "second page");
}

/// `mark_*` act only under the lease of the latest claim: a worker whose
/// lease expired and whose entry was claimed again changes nothing, so it
/// can neither undo nor repeat the new holder's delivery.
pub async fn marks_need_the_current_lease(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let e = outbox_entry(u.id, "slow-worker", at(0));
    ok(
        storage
            .notifications
            .enqueue(std::slice::from_ref(&e))
            .await,
        "enqueue",
    );
    // Worker A claims with a lease to at(1) and stalls past it.
    claim_ids(&storage, at(0), 10, at(1)).await;
    // Worker B claims the expired entry at at(2) with a lease to at(10).
    assert_eq!(
        claim_ids(&storage, at(2), 10, at(10)).await,
        [e.id],
        "claimable after the lease expired"
    );
    assert_conflict(
        storage
            .notifications
            .mark_retry(e.id, at(1), at(5), "A timed out")
            .await,
        Conflict::Stale,
        "A's retry under its expired lease",
    );
    assert_conflict(
        storage.notifications.mark_sent(e.id, at(1), at(3)).await,
        Conflict::Stale,
        "A's mark_sent",
    );
    assert_conflict(
        storage
            .notifications
            .mark_failed(e.id, at(1), "A gave up")
            .await,
        Conflict::Stale,
        "A's mark_failed",
    );
    let held = entry(&storage, e.id).await;
    assert_eq!(
        (held.status, held.lease_until, held.last_error.clone()),
        (OutboxStatus::Pending, Some(at(10)), None),
        "B still holds it"
    );
    ok(
        storage.notifications.mark_sent(e.id, at(10), at(3)).await,
        "B's mark_sent",
    );
    assert_conflict(
        storage
            .notifications
            .mark_retry(e.id, at(10), at(20), "late retry")
            .await,
        Conflict::Stale,
        "a sent entry cannot be reopened",
    );
    let done = entry(&storage, e.id).await;
    assert_eq!(
        (done.status, done.sent_at),
        (OutboxStatus::Sent, Some(at(3))),
        "sent stays sent"
    );
    assert_not_found(
        storage
            .notifications
            .mark_sent(OutboxId::new(), at(10), at(3))
            .await,
        "unknown entry",
    );
}
