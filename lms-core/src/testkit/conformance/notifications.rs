//! Conformance of [`NotificationStore`](crate::notification::NotificationStore):
//! the durable outbox with leases, preferences, delivery profiles, Telegram
//! linking and deadline targets for the reminder planner.

use crate::error::Conflict;
use crate::testkit::conformance::fixtures::{assert_conflict, assert_not_found};
use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveTime;
use futures::future::join_all;

use super::fixtures::{
    add_assignment, add_course, add_hand_in, add_user, assignment, at, at_secs, day, enroll, ok,
    outbox_entry, published_course_with_student, retry_transient, user,
};
use crate::achievement::Badge;
use crate::course::CourseStatus;
use crate::homework::Extension;
use crate::ids::{AssignmentId, CourseId, OutboxId, QuizId, SubmissionId, UserId, WebinarId};
use crate::notification::{
    Channel, DeadlineTarget, DedupKey, DeliveryProfile, Notification, NotificationKind,
    NotificationPreferences, OpeningTarget, OutboxEntry, OutboxStatus, QuietHours,
    TelegramLinkToken,
};
use crate::page::Page;
use crate::ports::Storage;
use crate::user::{Locale, Role, TimeZone, TokenHash};

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

/// Preferences are absent until set, then read back; setting again replaces them.
pub async fn preferences_round_trip(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    assert_eq!(
        ok(storage.notifications.get_preferences(u.id).await, "get"),
        None,
        "never set"
    );
    let mut prefs = NotificationPreferences::defaults(u.id);
    prefs.channels = BTreeMap::from([
        (NotificationKind::HomeworkGraded, vec![Channel::Telegram]),
        (NotificationKind::NewAssignment, vec![]),
        (
            NotificationKind::WebinarReminder,
            vec![Channel::Email, Channel::Telegram],
        ),
    ]);
    prefs.quiet_hours = Some(QuietHours {
        from: NaiveTime::from_hms_opt(22, 0, 0).expect("valid time"),
        to: NaiveTime::from_hms_opt(8, 30, 0).expect("valid time"),
    });
    ok(storage.notifications.set_preferences(&prefs).await, "set");
    assert_eq!(
        ok(storage.notifications.get_preferences(u.id).await, "get"),
        Some(prefs.clone()),
        "the preferences read back unchanged"
    );
    let replaced = NotificationPreferences {
        channels: BTreeMap::from([(NotificationKind::DeadlineReminder, vec![Channel::Email])]),
        quiet_hours: None,
        ..prefs
    };
    ok(
        storage.notifications.set_preferences(&replaced).await,
        "set again",
    );
    assert_eq!(
        ok(storage.notifications.get_preferences(u.id).await, "get"),
        Some(replaced),
        "setting again replaces the preferences"
    );
}

/// Delivery profiles carry the active flag, the preferences (defaults when
/// never set) and whether Telegram is linked; unknown ids are skipped.
pub async fn delivery_profiles_use_defaults(storage: Storage) {
    let plain = add_user(&storage, Role::Student).await;
    let linked = add_user(&storage, Role::Teacher).await;
    let mut gone = user(Role::Student);
    gone.active = false;
    ok(storage.users.insert_user(&gone, None).await, "insert_user");
    let mut prefs = NotificationPreferences::defaults(linked.id);
    prefs
        .channels
        .insert(NotificationKind::HomeworkGraded, vec![Channel::Email]);
    ok(
        storage.notifications.set_preferences(&prefs).await,
        "set_preferences",
    );
    ok(
        storage
            .notifications
            .set_telegram_chat(linked.id, Some(5_550_001))
            .await,
        "set_telegram_chat",
    );
    let mut got = ok(
        storage
            .notifications
            .delivery_profiles(&[gone.id, UserId::new(), linked.id, plain.id])
            .await,
        "delivery_profiles",
    );
    got.sort_by_key(|p| p.user_id);
    let mut want = vec![
        DeliveryProfile {
            user_id: plain.id,
            active: true,
            preferences: NotificationPreferences::defaults(plain.id),
            telegram_linked: false,
        },
        DeliveryProfile {
            user_id: linked.id,
            active: true,
            preferences: prefs,
            telegram_linked: true,
        },
        DeliveryProfile {
            user_id: gone.id,
            active: false,
            preferences: NotificationPreferences::defaults(gone.id),
            telegram_linked: false,
        },
    ];
    want.sort_by_key(|p| p.user_id);
    assert_eq!(got, want, "one profile per known user");
    assert!(
        ok(storage.notifications.delivery_profiles(&[]).await, "empty").is_empty(),
        "no ids, no profiles"
    );
}

/// A recipient carries name, address, chat, language and zone.
pub async fn recipients_carry_addresses(storage: Storage) {
    let mut u = user(Role::Student);
    u.locale = Locale::En;
    u.time_zone = TimeZone::parse("Asia/Novosibirsk").expect("valid zone");
    ok(storage.users.insert_user(&u, None).await, "insert_user");
    let r = ok(storage.notifications.recipient(u.id).await, "recipient")
        .expect("a known user is a recipient");
    assert_eq!(r.user_id, u.id);
    assert_eq!(r.display_name, u.display_name.as_str());
    assert_eq!(r.email, u.email.as_str());
    assert_eq!(r.telegram_chat_id, None, "no chat linked yet");
    assert_eq!(r.locale, Locale::En);
    assert_eq!(r.time_zone, u.time_zone);
    ok(
        storage
            .notifications
            .set_telegram_chat(u.id, Some(-100_123))
            .await,
        "set_telegram_chat",
    );
    let r = ok(storage.notifications.recipient(u.id).await, "recipient").expect("exists");
    assert_eq!(r.telegram_chat_id, Some(-100_123), "the linked chat");
    assert_eq!(
        ok(
            storage.notifications.recipient(UserId::new()).await,
            "recipient"
        ),
        None,
        "an unknown user is no recipient"
    );
}

/// A Telegram link token works once and only before it expires; under
/// concurrent use exactly one consumer gets the user.
pub async fn telegram_tokens_work_once(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let token = TelegramLinkToken {
        token_hash: TokenHash::of("tg-token-1"),
        user_id: u.id,
        expires_at: at(10),
    };
    ok(
        storage.notifications.insert_telegram_token(&token).await,
        "insert",
    );
    assert_eq!(
        ok(
            storage
                .notifications
                .consume_telegram_token(&token.token_hash, at(5))
                .await,
            "consume"
        ),
        Some(u.id),
        "a fresh token gives its user"
    );
    assert_eq!(
        ok(
            storage
                .notifications
                .consume_telegram_token(&token.token_hash, at(6))
                .await,
            "consume again"
        ),
        None,
        "a token works once"
    );

    let expired = TelegramLinkToken {
        token_hash: TokenHash::of("tg-token-2"),
        user_id: u.id,
        expires_at: at(10),
    };
    ok(
        storage.notifications.insert_telegram_token(&expired).await,
        "insert",
    );
    assert_eq!(
        ok(
            storage
                .notifications
                .consume_telegram_token(&expired.token_hash, at(11))
                .await,
            "consume expired"
        ),
        None,
        "an expired token gives nobody"
    );
    assert_eq!(
        ok(
            storage
                .notifications
                .consume_telegram_token(&TokenHash::of("never-issued"), at(0))
                .await,
            "consume unknown"
        ),
        None,
        "an unknown token gives nobody"
    );

    let raced = TelegramLinkToken {
        token_hash: TokenHash::of("tg-token-3"),
        user_id: u.id,
        expires_at: at(10),
    };
    ok(
        storage.notifications.insert_telegram_token(&raced).await,
        "insert",
    );
    let calls = (0..10).map(|_| {
        let storage = storage.clone();
        let hash = raced.token_hash.clone();
        async move {
            retry_transient(|| storage.notifications.consume_telegram_token(&hash, at(1))).await
        }
    });
    let results = join_all(calls).await;
    let winners = results
        .iter()
        .filter(|r| matches!(r, Ok(Some(id)) if *id == u.id))
        .count();
    let losers = results.iter().filter(|r| matches!(r, Ok(None))).count();
    assert_eq!(
        (winners, losers),
        (1, 9),
        "one concurrent consumer gets the user: {results:?}"
    );
}

/// Linking a chat replaces the user's chat; a chat linked to another user
/// moves; unlinking by user or by chat works.
pub async fn telegram_chats_move_between_users(storage: Storage) {
    let a = add_user(&storage, Role::Student).await;
    let b = add_user(&storage, Role::Student).await;
    let chat = |user: UserId| {
        let storage = storage.clone();
        async move {
            ok(storage.notifications.recipient(user).await, "recipient")
                .expect("known user")
                .telegram_chat_id
        }
    };
    ok(
        storage
            .notifications
            .set_telegram_chat(a.id, Some(111))
            .await,
        "link",
    );
    ok(
        storage
            .notifications
            .set_telegram_chat(a.id, Some(222))
            .await,
        "relink",
    );
    assert_eq!(
        chat(a.id).await,
        Some(222),
        "linking again replaces the chat"
    );
    ok(
        storage
            .notifications
            .set_telegram_chat(b.id, Some(222))
            .await,
        "move",
    );
    assert_eq!(chat(b.id).await, Some(222), "the chat is linked to b");
    assert_eq!(chat(a.id).await, None, "and moved away from a");
    let linked: BTreeMap<UserId, bool> = ok(
        storage.notifications.delivery_profiles(&[a.id, b.id]).await,
        "profiles",
    )
    .into_iter()
    .map(|p| (p.user_id, p.telegram_linked))
    .collect();
    assert_eq!(
        linked,
        BTreeMap::from([(a.id, false), (b.id, true)]),
        "delivery profiles follow the move"
    );
    ok(
        storage.notifications.set_telegram_chat(b.id, None).await,
        "unlink",
    );
    assert_eq!(chat(b.id).await, None, "None unlinks");
    ok(
        storage
            .notifications
            .set_telegram_chat(a.id, Some(333))
            .await,
        "link",
    );
    assert_eq!(
        ok(
            storage.notifications.unlink_telegram_chat(333).await,
            "unlink chat"
        ),
        Some(a.id),
        "unlinking a chat returns its user"
    );
    assert_eq!(chat(a.id).await, None, "the chat is unlinked");
    assert_eq!(
        ok(
            storage.notifications.unlink_telegram_chat(333).await,
            "unlink again"
        ),
        None,
        "an unlinked chat has no user"
    );
}

/// Deadline targets: published assignments of published courses due in
/// `[from, to)`, one per enrolled student, extensions applied, with the
/// submitted flag and titles.
pub async fn deadline_targets_apply_extensions(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let t = class.teacher.id;
    let s1 = class.student.id;
    let s2 = add_user(&storage, Role::Student).await.id;
    let s3 = add_user(&storage, Role::Student).await.id;
    enroll(&storage, class.course.id, s2).await;
    enroll(&storage, class.course.id, s3).await;
    let p = &class.course;

    let a1 = add_assignment(&storage, p.id, at(60)).await;
    let a3 = add_assignment(&storage, p.id, at(200)).await;
    let mut draft = assignment(p.id, at(60));
    draft.published = false;
    ok(
        storage.homework.insert_assignment(&draft, &[]).await,
        "insert draft",
    );
    for (assignment_id, student, due) in [(a1.id, s2, at(180)), (a3.id, s2, at(100))] {
        ok(
            storage
                .homework
                .upsert_extension(&Extension {
                    assignment_id,
                    student_id: student,
                    due_at: due,
                    cut_off_at: None,
                    granted_by: t,
                    granted_at: at(0),
                })
                .await,
            "upsert_extension",
        );
    }
    add_hand_in(&storage, &a1, s3, at(1)).await;

    let second = add_course(&storage, t, CourseStatus::Published).await;
    enroll(&storage, second.id, s1).await;
    let a_from = add_assignment(&storage, second.id, at(0)).await;
    let _a_to = add_assignment(&storage, second.id, at(120)).await;
    for status in [CourseStatus::Draft, CourseStatus::Archived] {
        let hidden = add_course(&storage, t, status).await;
        enroll(&storage, hidden.id, s1).await;
        add_assignment(&storage, hidden.id, at(60)).await;
    }

    let target =
        |a: &crate::homework::Assignment, c: &crate::course::Course, student, due, submitted| {
            DeadlineTarget {
                assignment_id: a.id,
                assignment_title: a.title.as_str().to_owned(),
                course_id: c.id,
                course_title: c.title.as_str().to_owned(),
                student_id: student,
                due_at: due,
                submitted,
            }
        };
    let mut want = vec![
        target(&a1, p, s1, at(60), false),
        target(&a1, p, s3, at(60), true),
        target(&a3, p, s2, at(100), false),
        target(&a_from, &second, s1, at(0), false),
    ];
    let key = |d: &DeadlineTarget| (d.assignment_id, d.student_id);
    want.sort_by_key(key);
    let mut got = ok(
        storage.notifications.deadline_targets(at(0), at(120)).await,
        "deadline_targets",
    );
    got.sort_by_key(key);
    assert_eq!(
        got, want,
        "from included, to excluded, extensions applied, drafts and unpublished courses excluded"
    );
}

/// Opening targets: published assignments of published courses whose
/// `opens_at` is in `[from, to)`, one per enrolled student, by opening.
pub async fn opening_targets_list_work_that_opened(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let t = class.teacher.id;
    let s1 = class.student.id;
    let s2 = add_user(&storage, Role::Student).await.id;
    enroll(&storage, class.course.id, s2).await;
    let p = &class.course;
    let opening = |opens_at| {
        let mut a = assignment(p.id, opens_at + chrono::Duration::days(7));
        a.opens_at = opens_at;
        a
    };
    let first = opening(at(0));
    let second = opening(at(30));
    let too_late = opening(at(60));
    let too_early = opening(at(-1));
    let mut draft = opening(at(10));
    draft.published = false;
    for a in [&first, &second, &too_late, &too_early, &draft] {
        ok(
            storage.homework.insert_assignment(a, &[]).await,
            "insert assignment",
        );
    }
    for status in [CourseStatus::Draft, CourseStatus::Archived] {
        let hidden = add_course(&storage, t, status).await;
        enroll(&storage, hidden.id, s1).await;
        let mut a = assignment(hidden.id, at(20) + chrono::Duration::days(7));
        a.opens_at = at(20);
        ok(
            storage.homework.insert_assignment(&a, &[]).await,
            "insert hidden",
        );
    }
    let target = |a: &crate::homework::Assignment, student| OpeningTarget {
        assignment_id: a.id,
        assignment_title: a.title.as_str().to_owned(),
        due_at: a.due_at,
        course_id: p.id,
        course_title: p.title.as_str().to_owned(),
        student_id: student,
    };
    let by_student = |mut v: Vec<OpeningTarget>| {
        // Within one opening the order is by assignment and student id.
        v.sort_by_key(|t| {
            (
                first_index(&[first.id, second.id], t.assignment_id),
                t.student_id,
            )
        });
        v
    };
    let got = ok(
        storage.notifications.opening_targets(at(0), at(60)).await,
        "opening_targets",
    );
    assert_eq!(
        got.iter().map(|t| t.assignment_id).collect::<Vec<_>>(),
        vec![first.id, first.id, second.id, second.id],
        "by opening; from included, to excluded, drafts and hidden courses left out"
    );
    assert_eq!(
        by_student(got),
        by_student(vec![
            target(&first, s1),
            target(&first, s2),
            target(&second, s1),
            target(&second, s2),
        ])
    );
}

fn first_index(ids: &[crate::ids::AssignmentId], id: crate::ids::AssignmentId) -> usize {
    ids.iter().position(|i| *i == id).unwrap_or(usize::MAX)
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
