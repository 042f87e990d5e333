//! Fan-out: turn one event into outbox entries for every recipient and
//! channel they want. Pure; services call it and store the entries together
//! with the change that caused them.

use chrono::{DateTime, Utc};

use crate::notification::model::{Channel, Notification, OutboxEntry};
use crate::notification::ports::DeliveryProfile;

/// Outbox entries for `notification` to each active profile over each channel
/// the user wants (Telegram only when linked), and always one in-app entry
/// (the user's notification list, delivered at once). `event` is a stable
/// description of the event (e.g. `graded:<submission>:<version>`); with the
/// recipient and channel it forms the de-duplication key.
#[must_use]
pub fn fan_out(
    profiles: &[DeliveryProfile],
    event: &str,
    notification: &Notification,
    now: DateTime<Utc>,
) -> Vec<OutboxEntry> {
    let kind = notification.kind();
    profiles
        .iter()
        .filter(|p| p.active)
        .flat_map(|p| {
            Channel::ALL
                .into_iter()
                .filter_map(move |channel| {
                    let reachable = channel != Channel::Telegram || p.telegram_linked;
                    (reachable && p.preferences.wants(kind, channel)).then(|| {
                        OutboxEntry::new(p.user_id, channel, event, notification.clone(), now)
                    })
                })
                .chain(std::iter::once(OutboxEntry::in_app(
                    p.user_id,
                    event,
                    notification.clone(),
                    now,
                )))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AssignmentId, CourseId, UserId};
    use crate::notification::model::{NotificationKind, NotificationPreferences};
    use chrono::TimeZone;

    fn profile(active: bool, telegram: bool) -> DeliveryProfile {
        let id = UserId::new();
        DeliveryProfile {
            user_id: id,
            active,
            preferences: NotificationPreferences::defaults(id),
            telegram_linked: telegram,
        }
    }

    fn note() -> Notification {
        Notification::NewAssignment {
            course_id: CourseId::new(),
            course_title: "Алгебра".into(),
            assignment_id: AssignmentId::new(),
            title: "ДЗ 1".into(),
            due_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn respects_activity_linking_and_preferences() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut muted = profile(true, true);
        muted
            .preferences
            .channels
            .insert(NotificationKind::NewAssignment, vec![Channel::Telegram]);
        let profiles = vec![
            profile(true, false),
            profile(false, true),
            profile(true, true),
            muted.clone(),
        ];
        let entries = fan_out(&profiles, "new:1", &note(), now);
        let pairs: Vec<_> = entries
            .iter()
            .map(|e| (e.recipient_id, e.channel))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (profiles[0].user_id, Channel::Email),
                (profiles[0].user_id, Channel::InApp),
                (profiles[2].user_id, Channel::Email),
                (profiles[2].user_id, Channel::Telegram),
                (profiles[2].user_id, Channel::InApp),
                (muted.user_id, Channel::Telegram),
                (muted.user_id, Channel::InApp),
            ],
            "every active user gets the in-app entry, whatever they chose"
        );
        assert!(
            entries
                .iter()
                .all(|e| e.next_attempt_at == now && e.attempts == 0)
        );
        // The in-app entry is the message itself: delivered, unread.
        for e in entries.iter().filter(|e| e.channel == Channel::InApp) {
            assert_eq!(e.status, crate::notification::OutboxStatus::Sent);
            assert_eq!((e.sent_at, e.read_at), (Some(now), None));
        }
        let again = fan_out(&profiles, "new:1", &note(), now);
        let keys: Vec<_> = again.iter().map(|e| &e.dedup_key).collect();
        assert_eq!(
            keys,
            entries.iter().map(|e| &e.dedup_key).collect::<Vec<_>>(),
            "same event, same keys"
        );
    }
}
