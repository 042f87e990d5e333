//! The notifications of the transfer school: the outbox in every state,
//! preferences, and a Telegram chat and link token.

use super::*;

/// The outbox in every state: sent, failed, leased, backed off, waiting.
/// Returns the entry a worker holds, and until when.
pub(super) async fn add_outbox(
    storage: &Storage,
    x: &mut SchoolDump,
    course: &Course,
    assignment: &Assignment,
    teacher: &User,
    student: &User,
    second: &User,
) -> (OutboxId, chrono::DateTime<chrono::Utc>) {
    let note = |to: &User, event: &str, channel: Channel, due| {
        OutboxEntry::new(
            to.id,
            channel,
            event,
            Notification::NewAssignment {
                course_id: course.id,
                course_title: course.title.as_str().to_owned(),
                assignment_id: assignment.id,
                title: assignment.title.as_str().to_owned(),
                due_at: assignment.due_at,
            },
            due,
        )
    };
    let mut sent = note(student, "sent", Channel::Email, at(-10));
    let mut failed = note(second, "failed", Channel::Email, at(-9));
    let mut leased = note(student, "leased", Channel::Telegram, at(-8));
    let mut retried = note(teacher, "retried", Channel::Email, at(-7));
    let waiting = note(second, "waiting", Channel::Telegram, day(30));
    let batch = [
        sent.clone(),
        failed.clone(),
        leased.clone(),
        retried.clone(),
        waiting.clone(),
    ];
    assert_eq!(
        ok(storage.notifications.enqueue(&batch).await, "enqueue"),
        5,
        "every fixture entry is new"
    );
    let lease_until = at(6);
    let claimed = ok(
        storage
            .notifications
            .claim_due(at(1), 10, lease_until)
            .await,
        "claim",
    );
    assert_eq!(
        claimed.len(),
        4,
        "the four due entries are claimed: {claimed:?}"
    );
    ok(
        storage
            .notifications
            .mark_sent(sent.id, lease_until, at(2))
            .await,
        "mark sent",
    );
    ok(
        storage
            .notifications
            .mark_failed(failed.id, lease_until, "550 mailbox unavailable")
            .await,
        "mark failed",
    );
    ok(
        storage
            .notifications
            .mark_retry(retried.id, lease_until, at(30), "connection timed out")
            .await,
        "mark retry",
    );
    for e in [&mut sent, &mut failed, &mut leased, &mut retried] {
        e.attempts = 1;
    }
    sent.status = OutboxStatus::Sent;
    sent.sent_at = Some(at(2));
    failed.status = OutboxStatus::Failed;
    failed.last_error = Some("550 mailbox unavailable".to_owned());
    leased.lease_until = Some(lease_until);
    retried.next_attempt_at = at(30);
    retried.last_error = Some("connection timed out".to_owned());
    let leased_id = leased.id;
    x.outbox.extend([sent, failed, leased, retried, waiting]);
    (leased_id, lease_until)
}

/// The student's notification preferences and Telegram chat, and a Telegram
/// link token of `second`. Returns that token (plain text) and the chat id.
pub(super) async fn add_preferences_and_telegram(
    storage: &Storage,
    x: &mut SchoolDump,
    student: &User,
    second: &User,
) -> (String, i64) {
    let prefs = NotificationPreferences {
        user_id: student.id,
        channels: BTreeMap::from([
            (NotificationKind::HomeworkGraded, vec![Channel::Telegram]),
            (
                NotificationKind::WebinarReminder,
                vec![Channel::Email, Channel::Telegram],
            ),
            (NotificationKind::NewAssignment, Vec::new()),
        ]),
        quiet_hours: Some(QuietHours {
            from: NaiveTime::from_hms_opt(22, 0, 0).expect("valid time"),
            to: NaiveTime::from_hms_opt(8, 30, 0).expect("valid time"),
        }),
    };
    ok(
        storage.notifications.set_preferences(&prefs).await,
        "set preferences",
    );
    x.preferences.push(prefs);
    let chat_id = 4_242_424_242;
    ok(
        storage
            .notifications
            .set_telegram_chat(student.id, Some(chat_id))
            .await,
        "link Telegram",
    );
    x.telegram_chats.push(TelegramChatRecord {
        user_id: student.id,
        chat_id,
    });
    let telegram_token = format!("tg-{}", second.id);
    let token = TelegramLinkToken {
        token_hash: TokenHash::of(&telegram_token),
        user_id: second.id,
        expires_at: day(1),
    };
    ok(
        storage.notifications.insert_telegram_token(&token).await,
        "insert Telegram token",
    );
    x.telegram_tokens.push(token);
    (telegram_token, chat_id)
}
