//! What a user's notification settings amount to on this deployment: the
//! channels the server can deliver, whether the user can be reached on
//! each, and per kind the channels messages will actually arrive over.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::notification::model::{Channel, NotificationKind, NotificationPreferences};

/// Which channels this deployment delivers (a channel without a provider,
/// such as Telegram without a bot, is only logged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelAvailability {
    /// An SMTP server is configured.
    pub email: bool,
    /// A Telegram bot is configured.
    pub telegram: bool,
}

impl ChannelAvailability {
    /// Whether `channel` is delivered.
    #[must_use]
    pub fn delivers(self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email,
            Channel::Telegram => self.telegram,
            // The in-app list is part of the server itself.
            Channel::InApp => true,
        }
    }
}

/// One channel as the user sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelStatus {
    /// The channel.
    pub channel: Channel,
    /// The server delivers it.
    pub available: bool,
    /// The user can be reached on it (Telegram needs a linked chat; e-mail
    /// always has the account's address).
    pub reachable: bool,
}

/// The settings page: the stored preferences and what they amount to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationSettingsView {
    /// The preferences as stored (defaults when never set).
    pub preferences: NotificationPreferences,
    /// Every channel, whether the server delivers it and whether the user
    /// can be reached on it.
    pub channels: Vec<ChannelStatus>,
    /// Per kind (every kind listed), the channels its messages will
    /// actually arrive over: wanted, delivered by the server and reachable.
    /// An empty list means nothing of that kind arrives.
    pub delivered: BTreeMap<NotificationKind, Vec<Channel>>,
}

/// What `preferences` amount to for a user whose Telegram chat is (or is
/// not) `telegram_linked`, on a server delivering `available`.
#[must_use]
pub fn settings_view(
    preferences: NotificationPreferences,
    telegram_linked: bool,
    available: ChannelAvailability,
) -> NotificationSettingsView {
    let channels: Vec<ChannelStatus> = Channel::ALL
        .into_iter()
        .map(|channel| ChannelStatus {
            channel,
            available: available.delivers(channel),
            reachable: channel != Channel::Telegram || telegram_linked,
        })
        .collect();
    let delivered = NotificationKind::ALL
        .into_iter()
        .map(|kind| {
            let arriving = channels
                .iter()
                .filter(|c| c.available && c.reachable && preferences.wants(kind, c.channel))
                .map(|c| c.channel)
                .collect();
            (kind, arriving)
        })
        .collect();
    NotificationSettingsView {
        preferences,
        channels,
        delivered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    const BOTH: ChannelAvailability = ChannelAvailability {
        email: true,
        telegram: true,
    };

    fn telegram_only() -> NotificationPreferences {
        let mut p = NotificationPreferences::defaults(UserId::new());
        for kind in NotificationKind::ALL {
            p.channels.insert(kind, vec![Channel::Telegram]);
        }
        p
    }

    #[test]
    fn nothing_arrives_over_a_channel_the_server_lacks() {
        let view = settings_view(
            telegram_only(),
            true,
            ChannelAvailability {
                email: true,
                telegram: false,
            },
        );
        assert!(view.delivered.values().all(Vec::is_empty), "{view:?}");
        assert_eq!(view.delivered.len(), NotificationKind::ALL.len());
        let telegram = view.channels[1];
        assert_eq!(telegram.channel, Channel::Telegram);
        assert!(!telegram.available);
    }

    #[test]
    fn telegram_needs_a_linked_chat() {
        let unlinked = settings_view(telegram_only(), false, BOTH);
        assert!(unlinked.delivered.values().all(Vec::is_empty));
        assert!(!unlinked.channels[1].reachable);
        let linked = settings_view(telegram_only(), true, BOTH);
        assert!(
            linked
                .delivered
                .values()
                .all(|chs| chs == &[Channel::Telegram])
        );
    }

    #[test]
    fn defaults_arrive_over_every_delivered_reachable_channel() {
        let p = NotificationPreferences::defaults(UserId::new());
        let view = settings_view(p, false, BOTH);
        assert!(
            view.delivered.values().all(|chs| chs == &[Channel::Email]),
            "{view:?}"
        );
        let mut off = NotificationPreferences::defaults(UserId::new());
        off.channels
            .insert(NotificationKind::DeadlineReminder, vec![]);
        let view = settings_view(off, true, BOTH);
        assert_eq!(view.delivered[&NotificationKind::DeadlineReminder], vec![]);
        assert_eq!(
            view.delivered[&NotificationKind::HomeworkGraded],
            vec![Channel::Email, Channel::Telegram]
        );
    }
}
