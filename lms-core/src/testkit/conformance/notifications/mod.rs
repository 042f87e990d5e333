//! Conformance of the delivery half of
//! [`NotificationStore`](crate::notification::NotificationStore):
//! preferences, delivery profiles, Telegram linking, the targets of the
//! reminder planner and shared send slots.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use futures::future::join_all;

use super::fixtures::{
    add_assignment, add_course, add_hand_in, add_user, assignment, at, at_secs, attempt,
    attempt_result, enroll, finish, ok, published_course_with_student, quiz, retry_transient,
    true_false_question, user,
};
use crate::course::CourseStatus;
use crate::homework::Extension;
use crate::ids::UserId;
use crate::notification::{
    Channel, DeadlineTarget, DeliveryProfile, NotificationKind, NotificationPreferences,
    OpeningTarget, QuietHours, QuizCloseTarget, TelegramLinkToken,
};
use crate::ports::Storage;
use crate::user::{Locale, Role, TimeZone, TokenHash};

mod reminders;

pub use reminders::*;

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

/// Send slots are handed out `interval` apart per key, start at `now` once
/// the next free instant has passed, respect a hold, and are purged once
/// their next free instant is old.
pub async fn send_slots_are_reserved_interval_apart(storage: Storage) {
    let n = &storage.notifications;
    let second = chrono::Duration::seconds(1);
    let chat = "telegram:chat:42";
    assert_eq!(
        ok(
            n.reserve_send_slot(chat, at_secs(0), second).await,
            "reserve"
        ),
        at_secs(0)
    );
    assert_eq!(
        ok(
            n.reserve_send_slot(chat, at_secs(0), second).await,
            "reserve"
        ),
        at_secs(1),
        "a second reservation at the same instant waits one interval"
    );
    assert_eq!(
        ok(
            n.reserve_send_slot("telegram:chat:43", at_secs(0), second)
                .await,
            "reserve"
        ),
        at_secs(0),
        "another key has its own slots"
    );
    assert_eq!(
        ok(
            n.reserve_send_slot(chat, at_secs(5), second).await,
            "reserve"
        ),
        at_secs(5),
        "a key whose next free instant passed starts at now"
    );
    ok(n.hold_send_slot(chat, at_secs(20)).await, "hold");
    ok(
        n.hold_send_slot(chat, at_secs(10)).await,
        "an earlier hold shortens nothing",
    );
    assert_eq!(
        ok(
            n.reserve_send_slot(chat, at_secs(6), second).await,
            "reserve"
        ),
        at_secs(20),
        "a held key waits for the hold"
    );
    ok(
        n.hold_send_slot("telegram:chat:44", at_secs(30)).await,
        "hold of a new key",
    );
    assert_eq!(
        ok(
            n.reserve_send_slot("telegram:chat:44", at_secs(0), second)
                .await,
            "reserve"
        ),
        at_secs(30)
    );
    // Next free instants: chat at 21 s, chat 43 at 1 s, chat 44 at 31 s.
    assert_eq!(
        ok(n.delete_expired_send_slots(at_secs(22)).await, "purge"),
        2
    );
    assert_eq!(
        ok(
            n.reserve_send_slot(chat, at_secs(22), second).await,
            "reserve"
        ),
        at_secs(22),
        "a purged key starts afresh"
    );
    assert_eq!(
        ok(
            n.reserve_send_slot("telegram:chat:44", at_secs(22), second)
                .await,
            "reserve"
        ),
        at_secs(31),
        "a key whose next free instant is to come is kept"
    );
}

/// Concurrent reservations of one key (as from several nodes) each get
/// their own slot, `interval` apart.
pub async fn concurrent_send_slot_reservations_are_distinct(storage: Storage) {
    let second = chrono::Duration::seconds(1);
    let calls = (0..16).map(|_| {
        let storage = storage.clone();
        async move {
            retry_transient(|| {
                storage
                    .notifications
                    .reserve_send_slot("telegram:bot", at_secs(0), second)
            })
            .await
        }
    });
    let mut slots: Vec<_> = join_all(calls)
        .await
        .into_iter()
        .map(|r| ok(r, "concurrent reserve"))
        .collect();
    slots.sort();
    let expected: Vec<_> = (0..16).map(at_secs).collect();
    assert_eq!(
        slots, expected,
        "16 concurrent reservations get 16 distinct slots one second apart"
    );
}

/// The in-app list (the bell): a user's in-app entries newest first with
/// pages, an unread count up to a cap, and read marks that touch only the
/// user's own unread in-app entries.
pub async fn the_inbox_lists_in_app_entries_with_read_marks(storage: Storage) {
    use crate::notification::OutboxEntry;
    use crate::page::Page;

    let u = add_user(&storage, Role::Student).await;
    let other = add_user(&storage, Role::Student).await;
    let in_app = |to: UserId, event: &str, minutes: i64| {
        let sent_out = super::fixtures::outbox_entry(to, event, at(minutes));
        OutboxEntry::in_app(to, event, sent_out.notification, at(minutes))
    };
    let older = in_app(u.id, "new:1", 1);
    let newer = in_app(u.id, "new:2", 2);
    let mail = super::fixtures::outbox_entry(u.id, "new:2", at(2));
    let theirs = in_app(other.id, "new:1", 1);
    ok(
        storage
            .notifications
            .enqueue(&[older.clone(), mail.clone(), newer.clone(), theirs.clone()])
            .await,
        "enqueue",
    );
    let n = &storage.notifications;
    let ids = |entries: Vec<OutboxEntry>| entries.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(
        ids(ok(n.inbox(u.id, Page::first()).await, "inbox")),
        vec![newer.id, older.id],
        "the user's in-app entries only, newest first"
    );
    assert_eq!(
        ids(ok(n.inbox(u.id, Page::new(1, 1)).await, "inbox")),
        vec![older.id],
        "pages apply"
    );
    let listed = ok(n.inbox(u.id, Page::first()).await, "inbox");
    assert_eq!(listed[0], newer, "an in-app entry round-trips");
    assert_eq!(
        ids(ok(
            n.list_user_outbox(u.id, Page::first()).await,
            "list_user_outbox"
        )),
        vec![mail.id],
        "the outbox list shows the outward channels only"
    );
    assert_eq!(ok(n.unread_count(u.id, 100).await, "unread_count"), 2);
    assert_eq!(
        ok(n.unread_count(u.id, 1).await, "unread_count"),
        1,
        "counting stops at the cap"
    );

    // Marks touch only the user's own in-app entries.
    let changed = ok(
        n.mark_read(u.id, &[older.id, theirs.id, mail.id], at(5))
            .await,
        "mark_read",
    );
    assert_eq!(
        changed, 1,
        "another user's entry and an e-mail stay as they are"
    );
    assert_eq!(ok(n.unread_count(u.id, 100).await, "unread_count"), 1);
    assert_eq!(ok(n.unread_count(other.id, 100).await, "unread_count"), 1);
    let listed = ok(n.inbox(u.id, Page::first()).await, "inbox");
    assert_eq!((listed[0].read_at, listed[1].read_at), (None, Some(at(5))));
    assert_eq!(
        ok(n.mark_read(u.id, &[older.id], at(6)).await, "mark_read"),
        0,
        "read once: the first mark stays"
    );
    assert_eq!(ok(n.mark_all_read(u.id, at(7)).await, "mark_all_read"), 1);
    assert_eq!(ok(n.unread_count(u.id, 100).await, "unread_count"), 0);
    let listed = ok(n.inbox(u.id, Page::first()).await, "inbox");
    assert_eq!(
        (listed[0].read_at, listed[1].read_at),
        (Some(at(7)), Some(at(5)))
    );
    assert_eq!(
        ok(n.unread_count(other.id, 100).await, "unread_count"),
        1,
        "another user's list is theirs"
    );
}
