//! The outbox dispatcher: claims due entries, delivers them through the
//! channel's [`Notifier`] and records the outcome. `lms-notify` runs
//! [`Dispatcher::run_once`] in a loop; any number of workers may run it at
//! once, since claiming takes a lease that other workers respect.
//!
//! Delivery is at-least-once: an entry whose worker dies before recording the
//! outcome is claimed again after its lease expires. Transient failures are
//! retried with exponential backoff and jitter; permanent ones are recorded
//! and never retried. Non-urgent messages wait out the recipient's quiet
//! hours.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, LocalResult, Offset, TimeZone as _, Utc};
use futures::stream::{self, StreamExt as _};
use thiserror::Error;

use crate::clock::Clock;
use crate::error::{Conflict, StorageError};
use crate::ids::UserId;
use crate::notification::model::{
    Channel, NotificationKind, OutboundMessage, OutboxEntry, QuietHours,
};
use crate::notification::ports::{DeliveryError, DeliveryProfile, NotificationStore, Notifier};
use crate::user::TimeZone;

/// The longest provider-requested wait the dispatcher honours; longer
/// `retry_after` values are cut to this.
pub const MAX_RETRY_AFTER: Duration = Duration::days(1);

/// Tuning of a [`Dispatcher`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchConfig {
    /// At most this many entries per [`Dispatcher::run_once`].
    pub batch_size: u32,
    /// How long a claimed entry stays reserved for this worker; must exceed
    /// the time a batch takes, or another worker may deliver it again.
    pub lease: Duration,
    /// After this many attempts a transient failure becomes permanent.
    pub max_attempts: u32,
    /// The delay before the first retry; doubles with each attempt.
    pub backoff_base: Duration,
    /// The longest backoff delay.
    pub backoff_max: Duration,
    /// Recipients whose entries are delivered at once within a batch (one
    /// recipient's entries stay in order, one after another). A recipient
    /// waiting for a provider's rate limit (Telegram's one message a second
    /// per chat) then holds up only their own messages, not the batch.
    pub concurrency: usize,
}

impl Default for DispatchConfig {
    /// 50 entries a batch, 5-minute lease, 10 attempts, backoff from 30 s up
    /// to 1 hour, 8 recipients at once.
    fn default() -> Self {
        Self {
            batch_size: 50,
            lease: Duration::minutes(5),
            max_attempts: 10,
            backoff_base: Duration::seconds(30),
            backoff_max: Duration::hours(1),
            concurrency: 8,
        }
    }
}

/// What one [`Dispatcher::run_once`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DispatchReport {
    /// Entries claimed.
    pub claimed: usize,
    /// Delivered.
    pub sent: usize,
    /// Put back for a later attempt (transient failure, or no notifier for
    /// the channel).
    pub retried: usize,
    /// Given up (permanent failure, too many attempts, recipient gone).
    pub failed: usize,
    /// Put back until the recipient's quiet hours end.
    pub deferred: usize,
    /// Taken over by another worker after this run's lease expired; nothing
    /// was recorded for them here (the other worker's result stands).
    pub lost_lease: usize,
}

/// Why a dispatch run stopped. Entries claimed but not yet recorded are
/// claimed again when their lease expires.
#[derive(Debug, Error)]
pub enum DispatchError {
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(DispatchError {});

/// Delivers due outbox entries through per-channel notifiers.
pub struct Dispatcher {
    store: Arc<dyn NotificationStore>,
    notifiers: HashMap<Channel, Arc<dyn Notifier>>,
    clock: Arc<dyn Clock>,
    config: DispatchConfig,
}

/// The outcome of one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Sent,
    Retried,
    Failed,
    Deferred,
    LostLease,
}

impl Dispatcher {
    /// A dispatcher over `store`, delivering through `notifiers` (each keyed
    /// by its [`Notifier::channel`]; a later notifier for the same channel
    /// replaces an earlier one).
    #[must_use]
    pub fn new(
        store: Arc<dyn NotificationStore>,
        notifiers: impl IntoIterator<Item = Arc<dyn Notifier>>,
        clock: Arc<dyn Clock>,
        config: DispatchConfig,
    ) -> Self {
        let notifiers = notifiers.into_iter().map(|n| (n.channel(), n)).collect();
        Self {
            store,
            notifiers,
            clock,
            config,
        }
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &DispatchConfig {
        &self.config
    }

    /// Claims one batch of due entries and handles each:
    ///
    /// - recipient unknown or deactivated, or a Telegram entry for a user
    ///   with no linked chat: failed;
    /// - no notifier configured for the channel: retried after `backoff_max`;
    /// - a non-urgent message inside the recipient's quiet hours (their
    ///   zone): deferred to the end of the quiet hours;
    /// - otherwise delivered: success is recorded as sent; a transient error
    ///   is retried with backoff (or the provider's `retry_after` when longer)
    ///   until `max_attempts`, then failed; a permanent error is failed, and
    ///   when the Telegram chat is unreachable (bot blocked) the chat is
    ///   unlinked.
    ///
    /// A storage error stops the run; entries not yet recorded are claimed
    /// again after their lease.
    pub async fn run_once(&self) -> Result<DispatchReport, DispatchError> {
        let now = self.clock.now();
        let entries = self
            .store
            .claim_due(now, self.config.batch_size, now + self.config.lease)
            .await?;
        let mut report = DispatchReport {
            claimed: entries.len(),
            ..DispatchReport::default()
        };
        if entries.is_empty() {
            return Ok(report);
        }

        let mut users: Vec<UserId> = entries.iter().map(|e| e.recipient_id).collect();
        users.sort_unstable();
        users.dedup();
        let profiles: HashMap<UserId, DeliveryProfile> = self
            .store
            .delivery_profiles(&users)
            .await?
            .into_iter()
            .map(|p| (p.user_id, p))
            .collect();

        // One sequence per recipient, in claim order; sequences run side by
        // side. Every sequence finishes the entry it is on before the run
        // reports a storage error, so no delivery is left unrecorded.
        let mut sequences: Vec<Vec<OutboxEntry>> = Vec::new();
        let mut sequence_of: HashMap<UserId, usize> = HashMap::new();
        for entry in entries {
            let i = *sequence_of.entry(entry.recipient_id).or_insert_with(|| {
                sequences.push(Vec::new());
                sequences.len() - 1
            });
            sequences[i].push(entry);
        }
        let profiles = &profiles;
        let results: Vec<Result<Vec<Outcome>, StorageError>> =
            stream::iter(sequences.into_iter().map(|sequence| async move {
                let mut outcomes = Vec::with_capacity(sequence.len());
                for entry in &sequence {
                    outcomes.push(
                        self.handle(entry, profiles.get(&entry.recipient_id), now)
                            .await?,
                    );
                }
                Ok(outcomes)
            }))
            .buffer_unordered(self.config.concurrency.max(1))
            .collect()
            .await;
        for outcome in results
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
        {
            match outcome {
                Outcome::Sent => report.sent += 1,
                Outcome::Retried => report.retried += 1,
                Outcome::Failed => report.failed += 1,
                Outcome::Deferred => report.deferred += 1,
                Outcome::LostLease => report.lost_lease += 1,
            }
        }
        Ok(report)
    }

    async fn handle(
        &self,
        entry: &OutboxEntry,
        profile: Option<&DeliveryProfile>,
        now: DateTime<Utc>,
    ) -> Result<Outcome, StorageError> {
        let lease = claimed_lease(entry);
        // An invitation goes to an account that is inactive until the
        // invitee accepts it; every other message needs an active one.
        let invited = entry.notification.kind() == NotificationKind::Invitation;
        let Some(profile) = profile.filter(|p| p.active || invited) else {
            return self
                .fail(entry, "recipient is unknown or deactivated")
                .await;
        };
        let Some(recipient) = self.store.recipient(entry.recipient_id).await? else {
            return self.fail(entry, "recipient is unknown").await;
        };
        let Some(notifier) = self.notifiers.get(&entry.channel) else {
            let error = format!("no notifier configured for {}", entry.channel.as_str());
            let marked = self
                .store
                .mark_retry(entry.id, lease, now + self.config.backoff_max, &error)
                .await;
            return settle(marked, Outcome::Retried);
        };
        let telegram_chat = recipient.telegram_chat_id;
        if entry.channel == Channel::Telegram && telegram_chat.is_none() {
            return self.fail(entry, "no Telegram chat is linked").await;
        }
        if !entry.notification.kind().is_urgent()
            && let Some(quiet) = profile.preferences.quiet_hours
            && let Some(end) = quiet_hours_end(quiet, recipient.time_zone, now)
        {
            let marked = self
                .store
                .mark_retry(entry.id, lease, end, "deferred: recipient's quiet hours")
                .await;
            return settle(marked, Outcome::Deferred);
        }

        let message = OutboundMessage {
            outbox_id: entry.id,
            recipient,
            notification: entry.notification.clone(),
        };
        match notifier.deliver(&message).await {
            Ok(()) => {
                let marked = self
                    .store
                    .mark_sent(entry.id, lease, self.clock.now())
                    .await;
                settle(marked, Outcome::Sent)
            }
            Err(DeliveryError::Transient {
                reason,
                retry_after_secs,
            }) => {
                if entry.attempts >= self.config.max_attempts {
                    let error = format!("gave up after {} attempts: {reason}", entry.attempts);
                    return self.fail(entry, &error).await;
                }
                let backoff = backoff_delay(
                    entry.attempts,
                    self.config.backoff_base,
                    self.config.backoff_max,
                    random_fraction(),
                );
                let requested = retry_after_secs.map_or(Duration::zero(), |s| {
                    // Too large to represent means "a very long time".
                    i64::try_from(s)
                        .ok()
                        .and_then(Duration::try_seconds)
                        .map_or(MAX_RETRY_AFTER, |d| d.min(MAX_RETRY_AFTER))
                });
                let at = self.clock.now() + backoff.max(requested);
                let marked = self.store.mark_retry(entry.id, lease, at, &reason).await;
                settle(marked, Outcome::Retried)
            }
            Err(DeliveryError::Permanent {
                reason,
                unreachable,
            }) => {
                let marked = self.store.mark_failed(entry.id, lease, &reason).await;
                if settle(marked, Outcome::Failed)? == Outcome::LostLease {
                    return Ok(Outcome::LostLease);
                }
                if unreachable
                    && entry.channel == Channel::Telegram
                    && let Some(chat) = telegram_chat
                {
                    // Unlink this chat rather than "the user's chat": if the
                    // user linked another chat meanwhile, that one stays.
                    self.store.unlink_telegram_chat(chat).await?;
                }
                Ok(Outcome::Failed)
            }
        }
    }

    async fn fail(&self, entry: &OutboxEntry, error: &str) -> Result<Outcome, StorageError> {
        let marked = self
            .store
            .mark_failed(entry.id, claimed_lease(entry), error)
            .await;
        settle(marked, Outcome::Failed)
    }
}

/// The lease the claim set on `entry` (claims always set one).
fn claimed_lease(entry: &OutboxEntry) -> DateTime<Utc> {
    entry.lease_until.unwrap_or(entry.next_attempt_at)
}

/// The outcome of recording a result: `LostLease` when another worker took
/// the entry over after our lease expired (storage then changed nothing).
fn settle(marked: Result<(), StorageError>, outcome: Outcome) -> Result<Outcome, StorageError> {
    match marked {
        Ok(()) => Ok(outcome),
        Err(StorageError::Conflict(Conflict::Stale)) => Ok(Outcome::LostLease),
        Err(e) => Err(e),
    }
}

/// A uniform random number in `[0, 1]` from the OS random source (via a v4
/// UUID's random bytes), for backoff jitter.
fn random_fraction() -> f64 {
    let b = uuid::Uuid::new_v4().into_bytes();
    f64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])) / f64::from(u32::MAX)
}

/// The delay before retrying after the `attempts`-th attempt failed:
/// `base * 2^(attempts - 1)`, capped at `max`, then scaled into its upper
/// half by `jitter_fraction` (`0` gives half the capped delay, `1` all of
/// it), so workers that failed together do not retry together. Never exceeds
/// `max`; `attempts` 0 counts as 1; `jitter_fraction` is clamped to `[0, 1]`
/// (NaN counts as 0); negative durations count as zero.
#[must_use]
pub fn backoff_delay(
    attempts: u32,
    base: Duration,
    max: Duration,
    jitter_fraction: f64,
) -> Duration {
    let base_ms = base.num_milliseconds().max(0);
    let max_ms = max.num_milliseconds().max(0);
    let doublings = attempts.max(1) - 1;
    let factor = if doublings >= 62 {
        i64::MAX
    } else {
        1_i64 << doublings
    };
    let capped = base_ms.saturating_mul(factor).min(max_ms);
    let jitter = if jitter_fraction.is_nan() {
        0.0
    } else {
        jitter_fraction.clamp(0.0, 1.0)
    };
    let half = capped / 2;
    // `capped - half` is below 2^63 and the product at most that, so the
    // conversion back is exact enough and cannot overflow.
    #[allow(clippy::cast_possible_truncation)]
    let extra = ((capped - half) as f64 * jitter).round() as i64;
    Duration::milliseconds((half + extra).min(capped))
}

/// When `now` falls inside `quiet` hours in zone `tz`, the instant they end;
/// `None` outside them (the start is inclusive, the end exclusive). The
/// window may cross midnight (`from` after `to`); `from == to` is no window.
///
/// Around daylight-saving changes: when the end's wall time occurs twice,
/// the first occurrence after `now` is used; when it does not exist (the
/// clock jumps over it), the quiet hours end at the jump.
#[must_use]
pub fn quiet_hours_end(
    quiet: QuietHours,
    tz: TimeZone,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if quiet.from == quiet.to {
        return None;
    }
    let local = tz.local(now);
    let time = local.time();
    let today = local.date_naive();
    let end_date = if quiet.from < quiet.to {
        (quiet.from <= time && time < quiet.to).then_some(today)?
    } else if time >= quiet.from {
        today.succ_opt()?
    } else if time < quiet.to {
        today
    } else {
        return None;
    };
    let end_local = end_date.and_time(quiet.to);
    Some(match tz.0.from_local_datetime(&end_local) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => {
            let first = first.with_timezone(&Utc);
            if first > now {
                first
            } else {
                second.with_timezone(&Utc)
            }
        }
        LocalResult::None => {
            // The clock jumps over `to` (spring forward): the quiet hours end
            // at the jump, the first instant the wall clock shows `to` or
            // later. Until then it shows less, so search between `now` and
            // the instant `to` would have had with the offset before the jump.
            let before_jump = i64::from(local.offset().fix().local_minus_utc());
            let mut lo = now.timestamp();
            let mut hi = (end_local - Duration::seconds(before_jump))
                .and_utc()
                .timestamp();
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                let shows = DateTime::from_timestamp(mid, 0)
                    .map_or(end_local, |at| tz.local(at).naive_local());
                if shows >= end_local {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            DateTime::from_timestamp(hi, 0)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::ids::{AssignmentId, CourseId, OutboxId, WebinarId};
    use crate::notification::model::{Notification, NotificationPreferences, Recipient};
    use crate::notification::ports::{MockNotificationStore, MockNotifier};
    use crate::user::Locale;
    use chrono::{NaiveTime, Timelike};
    use proptest::prelude::*;
    use std::sync::Mutex;

    // ---------- backoff_delay ----------

    const S30: Duration = Duration::seconds(30);
    const H1: Duration = Duration::hours(1);

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let full: Vec<i64> = (1..=10)
            .map(|a| backoff_delay(a, S30, H1, 1.0).num_seconds())
            .collect();
        assert_eq!(
            full,
            vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
        );
        let half: Vec<i64> = (1..=8)
            .map(|a| backoff_delay(a, S30, H1, 0.0).num_seconds())
            .collect();
        assert_eq!(half, vec![15, 30, 60, 120, 240, 480, 960, 1800]);
        assert_eq!(
            backoff_delay(2, S30, H1, 0.5),
            Duration::seconds(45),
            "halfway between 30 and 60"
        );
    }

    #[test]
    fn backoff_edge_inputs() {
        assert_eq!(backoff_delay(0, S30, H1, 1.0), S30, "0 attempts count as 1");
        assert_eq!(backoff_delay(u32::MAX, S30, H1, 1.0), H1);
        assert_eq!(backoff_delay(63, Duration::days(365), H1, 1.0), H1);
        assert_eq!(backoff_delay(3, S30, H1, 7.0), Duration::seconds(120));
        assert_eq!(backoff_delay(3, S30, H1, -1.0), Duration::seconds(60));
        assert_eq!(backoff_delay(3, S30, H1, f64::NAN), Duration::seconds(60));
        assert_eq!(
            backoff_delay(3, Duration::zero(), H1, 1.0),
            Duration::zero()
        );
        assert_eq!(
            backoff_delay(3, S30, Duration::zero(), 1.0),
            Duration::zero()
        );
        assert_eq!(
            backoff_delay(3, Duration::seconds(-5), H1, 1.0),
            Duration::zero()
        );
        assert_eq!(
            backoff_delay(1, Duration::hours(2), H1, 1.0),
            H1,
            "a base above the cap is capped"
        );
    }

    #[test]
    fn random_fraction_stays_in_range_and_varies() {
        let xs: Vec<f64> = (0..200).map(|_| random_fraction()).collect();
        assert!(xs.iter().all(|x| (0.0..=1.0).contains(x)));
        assert!(xs.iter().any(|&x| x < 0.5) && xs.iter().any(|&x| x > 0.5));
    }

    proptest! {
        #[test]
        fn backoff_is_bounded_and_monotone(
            attempts in 0u32..100,
            base_ms in 0i64..10_000_000,
            max_ms in 0i64..100_000_000,
            jitter in -0.5f64..1.5,
        ) {
            let base = Duration::milliseconds(base_ms);
            let max = Duration::milliseconds(max_ms);
            let d = backoff_delay(attempts, base, max, jitter);
            let next = backoff_delay(attempts + 1, base, max, jitter);
            prop_assert!(d >= Duration::zero());
            prop_assert!(d <= max);
            prop_assert!(next >= d, "monotone in attempts");
            let full = backoff_delay(attempts, base, max, 1.0);
            let low = backoff_delay(attempts, base, max, 0.0);
            prop_assert!(low <= d && d <= full);
            prop_assert!(low.num_milliseconds() * 2 >= full.num_milliseconds() - 1);
        }
    }

    // ---------- quiet_hours_end ----------

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn q(from: (u32, u32), to: (u32, u32)) -> QuietHours {
        QuietHours {
            from: hm(from.0, from.1),
            to: hm(to.0, to.1),
        }
    }

    fn tz(name: &str) -> TimeZone {
        TimeZone::parse(name).unwrap()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn over_midnight_window_in_moscow() {
        let night = q((22, 0), (8, 0));
        let msk = tz("Europe/Moscow"); // UTC+3, no DST
        let cases = [
            // (now UTC, expected end UTC)
            (utc(2026, 3, 10, 18, 59), None), // 21:59
            (utc(2026, 3, 10, 19, 0), Some(utc(2026, 3, 11, 5, 0))), // 22:00
            (utc(2026, 3, 10, 20, 30), Some(utc(2026, 3, 11, 5, 0))), // 23:30
            (utc(2026, 3, 10, 21, 0), Some(utc(2026, 3, 11, 5, 0))), // 00:00
            (utc(2026, 3, 11, 2, 0), Some(utc(2026, 3, 11, 5, 0))), // 05:00
            (utc(2026, 3, 11, 4, 59), Some(utc(2026, 3, 11, 5, 0))), // 07:59
            (utc(2026, 3, 11, 5, 0), None),   // 08:00
            (utc(2026, 3, 11, 9, 0), None),   // 12:00
        ];
        for (now, want) in cases {
            assert_eq!(quiet_hours_end(night, msk, now), want, "now = {now}");
        }
    }

    #[test]
    fn same_day_window_in_a_half_hour_zone() {
        let siesta = q((13, 0), (15, 0));
        let ist = tz("Asia/Kolkata"); // UTC+5:30
        assert_eq!(quiet_hours_end(siesta, ist, utc(2026, 3, 10, 7, 29)), None);
        assert_eq!(
            quiet_hours_end(siesta, ist, utc(2026, 3, 10, 7, 30)),
            Some(utc(2026, 3, 10, 9, 30))
        );
        assert_eq!(
            quiet_hours_end(siesta, ist, utc(2026, 3, 10, 9, 29)),
            Some(utc(2026, 3, 10, 9, 30))
        );
        assert_eq!(quiet_hours_end(siesta, ist, utc(2026, 3, 10, 9, 30)), None);
        assert_eq!(quiet_hours_end(siesta, ist, utc(2026, 3, 10, 20, 0)), None);
    }

    #[test]
    fn local_date_differs_from_utc_date() {
        let night = q((22, 0), (7, 0));
        // Honolulu, UTC-10: 08:00 UTC on the 10th is 22:00 on the 9th.
        assert_eq!(
            quiet_hours_end(night, tz("Pacific/Honolulu"), utc(2026, 3, 10, 8, 0)),
            Some(utc(2026, 3, 10, 17, 0))
        );
        // Kiritimati, UTC+14: 10:00 UTC on the 10th is 00:00 on the 11th.
        assert_eq!(
            quiet_hours_end(
                q((23, 0), (6, 0)),
                tz("Pacific/Kiritimati"),
                utc(2026, 3, 10, 10, 0)
            ),
            Some(utc(2026, 3, 10, 16, 0))
        );
        // New Year's Eve in Yekaterinburg (UTC+5).
        assert_eq!(
            quiet_hours_end(night, tz("Asia/Yekaterinburg"), utc(2026, 12, 31, 18, 30)),
            Some(utc(2027, 1, 1, 2, 0))
        );
    }

    #[test]
    fn empty_window_is_never_quiet() {
        let none = q((22, 0), (22, 0));
        for h in 0..24 {
            assert_eq!(
                quiet_hours_end(none, tz("UTC"), utc(2026, 3, 10, h, 0)),
                None
            );
        }
    }

    /// Every minute of a day, in DST-free zones, against a reference computed
    /// with minute arithmetic on the wall clock.
    #[test]
    fn exhaustive_minutes_in_dst_free_zones() {
        let zones = [
            "UTC",
            "Europe/Moscow",
            "Asia/Kolkata",
            "Asia/Kathmandu",
            "Pacific/Honolulu",
            "Pacific/Kiritimati",
            "America/Bogota",
        ];
        let windows = [
            q((22, 0), (8, 0)),
            q((0, 0), (7, 0)),
            q((23, 59), (0, 0)),
            q((0, 0), (23, 59)),
            q((13, 15), (13, 45)),
            q((8, 0), (22, 0)),
            q((21, 30), (6, 45)),
        ];
        let start = utc(2026, 6, 1, 0, 0);
        for zone in zones {
            let zone = tz(zone);
            for window in windows {
                let from = window.from.num_seconds_from_midnight() / 60;
                let to = window.to.num_seconds_from_midnight() / 60;
                for minute in 0..1440 {
                    let now = start + Duration::minutes(minute);
                    let t = zone.local(now).time().num_seconds_from_midnight() / 60;
                    let inside = if from < to {
                        from <= t && t < to
                    } else {
                        t >= from || t < to
                    };
                    let expected = inside.then(|| {
                        let left = (i64::from(to) - i64::from(t)).rem_euclid(1440);
                        now + Duration::minutes(left)
                    });
                    assert_eq!(
                        quiet_hours_end(window, zone, now),
                        expected,
                        "{} {window:?} at {now}",
                        zone.name()
                    );
                }
            }
        }
    }

    #[test]
    fn daylight_saving_changes() {
        let berlin = tz("Europe/Berlin");
        // 29 March 2026: 02:00 CET jumps to 03:00 CEST. Quiet until 02:30,
        // which does not exist that night: ends at the jump, 01:00 UTC.
        let until_gap = q((22, 0), (2, 30));
        for now in [utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 0, 59)] {
            assert_eq!(
                quiet_hours_end(until_gap, berlin, now),
                Some(utc(2026, 3, 29, 1, 0))
            );
        }
        assert_eq!(
            quiet_hours_end(until_gap, berlin, utc(2026, 3, 29, 1, 0)),
            None
        );
        // An ordinary end after the jump: 07:00 CEST = 05:00 UTC.
        assert_eq!(
            quiet_hours_end(q((22, 0), (7, 0)), berlin, utc(2026, 3, 28, 23, 0)),
            Some(utc(2026, 3, 29, 5, 0))
        );
        // 25 October 2026: 03:00 CEST falls back to 02:00 CET, so 02:30
        // happens twice (00:30 and 01:30 UTC).
        let until_repeat = q((22, 0), (2, 30));
        assert_eq!(
            quiet_hours_end(until_repeat, berlin, utc(2026, 10, 24, 22, 0)),
            Some(utc(2026, 10, 25, 0, 30)),
            "first occurrence when still ahead"
        );
        // 01:10 UTC is 02:10 CET, after the first 02:30 has passed.
        assert_eq!(
            quiet_hours_end(until_repeat, berlin, utc(2026, 10, 25, 1, 10)),
            Some(utc(2026, 10, 25, 1, 30)),
            "second occurrence once the first is past"
        );
    }

    proptest! {
        /// The end is in the future, within a day, outside the window, and
        /// every instant before it (back to `now`) reports the same end.
        #[test]
        fn quiet_hours_end_is_consistent(
            zone in prop::sample::select(vec![
                "UTC", "Europe/Moscow", "Asia/Kolkata", "Pacific/Honolulu",
                "Asia/Vladivostok", "Europe/Berlin", "America/New_York",
            ]),
            from_min in 0u32..1440,
            to_min in 0u32..1440,
            secs in 0i64..(2 * 365 * 86_400),
        ) {
            let zone = tz(zone);
            let window = q((from_min / 60, from_min % 60), (to_min / 60, to_min % 60));
            let now = utc(2026, 1, 1, 0, 0) + Duration::seconds(secs);
            if let Some(end) = quiet_hours_end(window, zone, now) {
                prop_assert!(end > now);
                prop_assert!(end - now <= Duration::hours(25));
                // Only a window that starts inside a skipped hour can begin
                // again right at the end; it still moves forward.
                prop_assert!(quiet_hours_end(window, zone, end).is_none_or(|next| next > end));
                if zone.local(end).offset().fix() == zone.local(now).offset().fix() {
                    prop_assert_eq!(quiet_hours_end(window, zone, end), None);
                }
                let just_before = end - Duration::seconds(1);
                if just_before > now {
                    prop_assert_eq!(quiet_hours_end(window, zone, just_before), Some(end));
                }
            }
        }
    }

    // ---------- run_once ----------

    fn now() -> DateTime<Utc> {
        // 15:00 in Moscow.
        utc(2026, 3, 10, 12, 0)
    }

    fn graded() -> Notification {
        Notification::HomeworkReturned {
            course_id: CourseId::new(),
            assignment_id: AssignmentId::new(),
            title: "ДЗ 2".into(),
            submission_id: crate::ids::SubmissionId::new(),
        }
    }

    fn webinar_soon() -> Notification {
        Notification::WebinarReminder {
            course_id: CourseId::new(),
            webinar_id: WebinarId::new(),
            title: "Вебинар".into(),
            starts_at: now() + Duration::minutes(10),
            minutes_before: 10,
            join_url: None,
        }
    }

    fn entry(
        user: UserId,
        channel: Channel,
        notification: Notification,
        attempts: u32,
    ) -> OutboxEntry {
        let mut e = OutboxEntry::new(user, channel, "event", notification, now());
        e.attempts = attempts;
        e.lease_until = Some(now() + Duration::minutes(5));
        e
    }

    fn recipient(user: UserId, chat: Option<i64>) -> Recipient {
        Recipient {
            user_id: user,
            display_name: "Аня".into(),
            email: "anya@example.ru".into(),
            telegram_chat_id: chat,
            locale: Locale::Ru,
            time_zone: tz("Europe/Moscow"),
        }
    }

    fn profile(user: UserId, active: bool, quiet: Option<QuietHours>) -> DeliveryProfile {
        DeliveryProfile {
            user_id: user,
            active,
            preferences: NotificationPreferences {
                quiet_hours: quiet,
                ..NotificationPreferences::defaults(user)
            },
            telegram_linked: true,
        }
    }

    fn config() -> DispatchConfig {
        DispatchConfig {
            batch_size: 20,
            lease: Duration::minutes(2),
            max_attempts: 5,
            backoff_base: Duration::seconds(10),
            backoff_max: Duration::minutes(30),
            concurrency: 4,
        }
    }

    /// A store that claims `entries` at `now()` and knows these users.
    fn store(
        entries: Vec<OutboxEntry>,
        profiles: Vec<DeliveryProfile>,
        recipients: Vec<Recipient>,
    ) -> MockNotificationStore {
        let mut s = MockNotificationStore::new();
        s.expect_claim_due()
            .withf(|at, limit, lease| {
                *at == now() && *limit == 20 && *lease == now() + Duration::minutes(2)
            })
            .times(1)
            .returning(move |_, _, _| Ok(entries.clone()));
        s.expect_delivery_profiles()
            .returning(move |_| Ok(profiles.clone()));
        s.expect_recipient()
            .returning(move |u| Ok(recipients.iter().find(|r| r.user_id == u).cloned()));
        s
    }

    fn notifier(channel: Channel) -> MockNotifier {
        let mut n = MockNotifier::new();
        n.expect_channel().return_const(channel);
        n
    }

    fn dispatcher_at(
        s: MockNotificationStore,
        notifiers: Vec<MockNotifier>,
        at: DateTime<Utc>,
    ) -> Dispatcher {
        Dispatcher::new(
            Arc::new(s),
            notifiers
                .into_iter()
                .map(|n| Arc::new(n) as Arc<dyn Notifier>)
                .collect::<Vec<_>>(),
            Arc::new(ManualClock::new(at)),
            config(),
        )
    }

    fn dispatcher(s: MockNotificationStore, notifiers: Vec<MockNotifier>) -> Dispatcher {
        dispatcher_at(s, notifiers, now())
    }

    /// A notifier that takes a while per message and records how many
    /// messages were in flight at once and the order each recipient's
    /// messages went out in.
    #[derive(Default)]
    struct Slow {
        in_flight: std::sync::atomic::AtomicUsize,
        most: std::sync::atomic::AtomicUsize,
        sent: std::sync::Mutex<Vec<(UserId, crate::ids::OutboxId)>>,
    }

    #[async_trait::async_trait]
    impl Notifier for Slow {
        fn channel(&self) -> Channel {
            Channel::Email
        }

        async fn deliver(&self, m: &OutboundMessage) -> Result<(), DeliveryError> {
            use std::sync::atomic::Ordering::SeqCst;
            let now = self.in_flight.fetch_add(1, SeqCst) + 1;
            self.most.fetch_max(now, SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            self.sent
                .lock()
                .unwrap()
                .push((m.recipient.user_id, m.outbox_id));
            self.in_flight.fetch_sub(1, SeqCst);
            Ok(())
        }
    }

    #[tokio::test]
    async fn recipients_are_served_side_by_side_each_in_claim_order() {
        let users: Vec<UserId> = (0..6).map(|_| UserId::new()).collect();
        // Three messages each, interleaved as claimed.
        let entries: Vec<OutboxEntry> = (0..3)
            .flat_map(|_| users.iter().map(|u| entry(*u, Channel::Email, graded(), 0)))
            .collect();
        let mut s = store(
            entries.clone(),
            users.iter().map(|u| profile(*u, true, None)).collect(),
            users.iter().map(|u| recipient(*u, None)).collect(),
        );
        s.expect_mark_sent().times(18).returning(|_, _, _| Ok(()));
        let slow = Arc::new(Slow::default());
        let d = Dispatcher::new(
            Arc::new(s),
            [slow.clone() as Arc<dyn Notifier>],
            Arc::new(ManualClock::new(now())),
            config(),
        );
        let report = d.run_once().await.unwrap();
        assert_eq!(report.sent, 18);
        // config() allows 4 recipients at once; one recipient is never
        // served twice at the same time.
        let most = slow.most.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(most, 4, "deliveries in flight at once");
        let sent = slow.sent.lock().unwrap().clone();
        for u in &users {
            let theirs: Vec<_> = sent
                .iter()
                .filter(|(r, _)| r == u)
                .map(|(_, id)| *id)
                .collect();
            let claimed: Vec<_> = entries
                .iter()
                .filter(|e| e.recipient_id == *u)
                .map(|e| e.id)
                .collect();
            assert_eq!(theirs, claimed, "one recipient's messages keep their order");
        }
    }

    #[tokio::test]
    async fn nothing_due_does_nothing() {
        let mut s = MockNotificationStore::new();
        s.expect_claim_due()
            .times(1)
            .returning(|_, _, _| Ok(vec![]));
        let report = dispatcher(s, vec![]).run_once().await.unwrap();
        assert_eq!(report, DispatchReport::default());
    }

    #[tokio::test]
    async fn a_lost_lease_records_nothing_and_is_reported() {
        let user = UserId::new();
        let e = entry(user, Channel::Email, graded(), 1);
        let mut s = store(
            vec![e.clone()],
            vec![profile(user, true, None)],
            vec![recipient(user, None)],
        );
        // Another worker claimed the entry after our lease expired.
        s.expect_mark_sent()
            .times(1)
            .returning(|_, _, _| Err(StorageError::Conflict(Conflict::Stale)));
        let mut email = notifier(Channel::Email);
        email.expect_deliver().times(1).returning(|_| Ok(()));
        let report = dispatcher(s, vec![email]).run_once().await.unwrap();
        assert_eq!(
            report,
            DispatchReport {
                claimed: 1,
                lost_lease: 1,
                ..DispatchReport::default()
            },
            "not counted as sent, and the run goes on"
        );
    }

    #[tokio::test]
    async fn delivers_and_marks_sent() {
        let user = UserId::new();
        let e = entry(user, Channel::Email, graded(), 1);
        let mut s = store(
            vec![e.clone()],
            vec![profile(user, true, None)],
            vec![recipient(user, None)],
        );
        let id = e.id;
        s.expect_mark_sent()
            .withf(move |i, lease, at| {
                *i == id && *lease == now() + Duration::minutes(5) && *at == now()
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        let mut email = notifier(Channel::Email);
        let expected = OutboundMessage {
            outbox_id: e.id,
            recipient: recipient(user, None),
            notification: e.notification.clone(),
        };
        email
            .expect_deliver()
            .withf(move |m| *m == expected)
            .times(1)
            .returning(|_| Ok(()));
        let report = dispatcher(s, vec![email]).run_once().await.unwrap();
        assert_eq!(
            report,
            DispatchReport {
                claimed: 1,
                sent: 1,
                ..DispatchReport::default()
            }
        );
    }

    #[tokio::test]
    async fn unknown_or_inactive_recipients_fail_without_delivery() {
        let gone = UserId::new();
        let inactive = UserId::new();
        let no_address = UserId::new();
        let entries = vec![
            entry(gone, Channel::Email, graded(), 1),
            entry(inactive, Channel::Email, graded(), 1),
            entry(no_address, Channel::Email, graded(), 1),
        ];
        let ids: Vec<OutboxId> = entries.iter().map(|e| e.id).collect();
        let mut s = store(
            entries,
            vec![
                profile(inactive, false, None),
                profile(no_address, true, None),
            ],
            vec![recipient(inactive, None)],
        );
        let failed: Arc<Mutex<Vec<OutboxId>>> = Arc::default();
        let sink = failed.clone();
        s.expect_mark_failed()
            .times(3)
            .returning(move |id, _lease, _| {
                sink.lock().unwrap().push(id);
                Ok(())
            });
        // The notifier has no deliver expectation: delivering would panic.
        let report = dispatcher(s, vec![notifier(Channel::Email)])
            .run_once()
            .await
            .unwrap();
        assert_eq!(*failed.lock().unwrap(), ids);
        assert_eq!(
            report,
            DispatchReport {
                claimed: 3,
                failed: 3,
                ..DispatchReport::default()
            }
        );
    }

    #[tokio::test]
    async fn an_invitation_reaches_the_inactive_account_it_invites() {
        let invited = UserId::new();
        let invitation = Notification::Invitation {
            token: "t".to_owned(),
            role: crate::user::Role::Student,
            invited_by: "Учитель".to_owned(),
            course_titles: Vec::new(),
            expires_at: now(),
        };
        let e = entry(invited, Channel::Email, invitation, 1);
        let mut s = store(
            vec![e],
            vec![profile(invited, false, None)],
            vec![recipient(invited, None)],
        );
        s.expect_mark_sent().times(1).returning(|_, _, _| Ok(()));
        let mut email = notifier(Channel::Email);
        email.expect_deliver().times(1).returning(|_| Ok(()));
        let report = dispatcher(s, vec![email]).run_once().await.unwrap();
        assert_eq!(report.sent, 1);
    }

    #[tokio::test]
    async fn missing_notifier_retries_later() {
        let user = UserId::new();
        let e = entry(user, Channel::Telegram, graded(), 1);
        let mut s = store(
            vec![e.clone()],
            vec![profile(user, true, None)],
            vec![recipient(user, Some(5))],
        );
        let id = e.id;
        s.expect_mark_retry()
            .withf(move |i, _lease, at, err| {
                *i == id && *at == now() + Duration::minutes(30) && err.contains("telegram")
            })
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        let report = dispatcher(s, vec![notifier(Channel::Email)])
            .run_once()
            .await
            .unwrap();
        assert_eq!(report.retried, 1);
        assert_eq!(report.claimed, 1);
    }

    #[tokio::test]
    async fn telegram_without_a_linked_chat_fails() {
        let user = UserId::new();
        let e = entry(user, Channel::Telegram, graded(), 1);
        let mut s = store(
            vec![e.clone()],
            vec![profile(user, true, None)],
            vec![recipient(user, None)],
        );
        let id = e.id;
        s.expect_mark_failed()
            .withf(move |i, _lease, err| *i == id && err.contains("Telegram"))
            .times(1)
            .returning(|_, _, _| Ok(()));
        let report = dispatcher(s, vec![notifier(Channel::Telegram)])
            .run_once()
            .await
            .unwrap();
        assert_eq!(report.failed, 1);
    }

    #[tokio::test]
    async fn quiet_hours_defer_non_urgent_messages_only() {
        // 23:30 in Moscow; quiet 22:00-08:00 ends at 05:00 UTC.
        let late = utc(2026, 3, 10, 20, 30);
        let user = UserId::new();
        let quiet = Some(q((22, 0), (8, 0)));
        let routine = entry(user, Channel::Email, graded(), 1);
        let urgent = entry(user, Channel::Email, webinar_soon(), 1);
        let mut s = MockNotificationStore::new();
        let batch = vec![routine.clone(), urgent.clone()];
        s.expect_claim_due()
            .withf(move |at, _, _| *at == late)
            .returning(move |_, _, _| Ok(batch.clone()));
        s.expect_delivery_profiles()
            .withf(move |users| users == [user])
            .returning(move |_| Ok(vec![profile(user, true, quiet)]));
        s.expect_recipient()
            .returning(move |_| Ok(Some(recipient(user, None))));
        let (routine_id, urgent_id) = (routine.id, urgent.id);
        s.expect_mark_retry()
            .withf(move |i, _lease, at, _| *i == routine_id && *at == utc(2026, 3, 11, 5, 0))
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        s.expect_mark_sent()
            .withf(move |i, _lease, _| *i == urgent_id)
            .times(1)
            .returning(|_, _, _| Ok(()));
        let mut email = notifier(Channel::Email);
        email
            .expect_deliver()
            .withf(move |m| m.outbox_id == urgent_id)
            .times(1)
            .returning(|_| Ok(()));
        let report = dispatcher_at(s, vec![email], late)
            .run_once()
            .await
            .unwrap();
        assert_eq!(
            report,
            DispatchReport {
                claimed: 2,
                sent: 1,
                deferred: 1,
                ..DispatchReport::default()
            }
        );
    }

    #[tokio::test]
    async fn outside_quiet_hours_messages_go_out() {
        let user = UserId::new();
        let e = entry(user, Channel::Email, graded(), 1);
        // 15:00 in Moscow, quiet 22:00-08:00.
        let mut s = store(
            vec![e],
            vec![profile(user, true, Some(q((22, 0), (8, 0))))],
            vec![recipient(user, None)],
        );
        s.expect_mark_sent().times(1).returning(|_, _, _| Ok(()));
        let mut email = notifier(Channel::Email);
        email.expect_deliver().times(1).returning(|_| Ok(()));
        let report = dispatcher(s, vec![email]).run_once().await.unwrap();
        assert_eq!(report.sent, 1);
        assert_eq!(report.deferred, 0);
    }

    #[tokio::test]
    async fn transient_failure_retries_with_jittered_backoff() {
        let user = UserId::new();
        // Third attempt: backoff 10 s * 2^2 = 40 s, jittered into 20..=40 s.
        let e = entry(user, Channel::Email, graded(), 3);
        let mut s = store(
            vec![e.clone()],
            vec![profile(user, true, None)],
            vec![recipient(user, None)],
        );
        type Retry = Option<(DateTime<Utc>, String)>;
        let at: Arc<Mutex<Retry>> = Arc::default();
        let sink = at.clone();
        let id = e.id;
        s.expect_mark_retry()
            .withf(move |i, _lease, _, _| *i == id)
            .times(1)
            .returning(move |_, _, next, err| {
                *sink.lock().unwrap() = Some((next, err.to_owned()));
                Ok(())
            });
        let mut email = notifier(Channel::Email);
        email.expect_deliver().times(1).returning(|_| {
            Err(DeliveryError::Transient {
                reason: "421 try later".into(),
                retry_after_secs: Some(5),
            })
        });
        let report = dispatcher(s, vec![email]).run_once().await.unwrap();
        assert_eq!(report.retried, 1);
        let (next, err) = at.lock().unwrap().clone().unwrap();
        assert!(
            next >= now() + Duration::seconds(20) && next <= now() + Duration::seconds(40),
            "{next}"
        );
        assert_eq!(err, "421 try later");
    }

    #[tokio::test]
    async fn provider_retry_after_wins_when_longer() {
        let user = UserId::new();
        let e = entry(user, Channel::Telegram, graded(), 1);
        let mut s = store(
            vec![e.clone()],
            vec![profile(user, true, None)],
            vec![recipient(user, Some(99))],
        );
        let id = e.id;
        s.expect_mark_retry()
            .withf(move |i, _lease, at, _| *i == id && *at == now() + Duration::seconds(120))
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        let mut tg = notifier(Channel::Telegram);
        tg.expect_deliver().times(1).returning(|_| {
            Err(DeliveryError::Transient {
                reason: "429 Too Many Requests".into(),
                retry_after_secs: Some(120),
            })
        });
        let report = dispatcher(s, vec![tg]).run_once().await.unwrap();
        assert_eq!(report.retried, 1);
    }

    #[tokio::test]
    async fn absurd_retry_after_is_capped() {
        let user = UserId::new();
        let e = entry(user, Channel::Email, graded(), 1);
        let mut s = store(
            vec![e],
            vec![profile(user, true, None)],
            vec![recipient(user, None)],
        );
        s.expect_mark_retry()
            .withf(|_, _, at, _| *at == now() + MAX_RETRY_AFTER)
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        let mut email = notifier(Channel::Email);
        email.expect_deliver().returning(|_| {
            Err(DeliveryError::Transient {
                reason: "busy".into(),
                retry_after_secs: Some(u64::MAX),
            })
        });
        dispatcher(s, vec![email]).run_once().await.unwrap();
    }

    #[tokio::test]
    async fn transient_failure_at_max_attempts_fails() {
        let user = UserId::new();
        let e = entry(user, Channel::Email, graded(), 5);
        let mut s = store(
            vec![e.clone()],
            vec![profile(user, true, None)],
            vec![recipient(user, None)],
        );
        let id = e.id;
        s.expect_mark_failed()
            .withf(move |i, _lease, err| {
                *i == id && err.contains("5 attempts") && err.contains("timeout")
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        let mut email = notifier(Channel::Email);
        email.expect_deliver().times(1).returning(|_| {
            Err(DeliveryError::Transient {
                reason: "timeout".into(),
                retry_after_secs: None,
            })
        });
        let report = dispatcher(s, vec![email]).run_once().await.unwrap();
        assert_eq!(report.failed, 1);
        assert_eq!(report.retried, 0);
    }

    #[tokio::test]
    async fn blocked_bot_fails_and_unlinks_the_chat() {
        let user = UserId::new();
        let e = entry(user, Channel::Telegram, graded(), 1);
        let mut s = store(
            vec![e.clone()],
            vec![profile(user, true, None)],
            vec![recipient(user, Some(4242))],
        );
        let id = e.id;
        s.expect_mark_failed()
            .withf(move |i, _lease, err| {
                *i == id && err == "Forbidden: bot was blocked by the user"
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        s.expect_unlink_telegram_chat()
            .withf(|chat| *chat == 4242)
            .times(1)
            .returning(move |_| Ok(Some(user)));
        let mut tg = notifier(Channel::Telegram);
        tg.expect_deliver().times(1).returning(|_| {
            Err(DeliveryError::Permanent {
                reason: "Forbidden: bot was blocked by the user".into(),
                unreachable: true,
            })
        });
        let report = dispatcher(s, vec![tg]).run_once().await.unwrap();
        assert_eq!(report.failed, 1);
    }

    #[tokio::test]
    async fn permanent_failures_that_need_no_unlinking() {
        let user = UserId::new();
        // An unreachable e-mail address and a Telegram error that does not
        // mean the chat is gone: failed, nothing unlinked.
        let mail = entry(user, Channel::Email, graded(), 1);
        let tg_entry = entry(user, Channel::Telegram, graded(), 1);
        let mut s = store(
            vec![mail, tg_entry],
            vec![profile(user, true, None)],
            vec![recipient(user, Some(7))],
        );
        s.expect_mark_failed().times(2).returning(|_, _, _| Ok(()));
        // No unlink_telegram_chat / set_telegram_chat expectation.
        let mut email = notifier(Channel::Email);
        email.expect_deliver().times(1).returning(|_| {
            Err(DeliveryError::Permanent {
                reason: "550 no such user".into(),
                unreachable: true,
            })
        });
        let mut tg = notifier(Channel::Telegram);
        tg.expect_deliver().times(1).returning(|_| {
            Err(DeliveryError::Permanent {
                reason: "Bad Request: message is too long".into(),
                unreachable: false,
            })
        });
        let report = dispatcher(s, vec![email, tg]).run_once().await.unwrap();
        assert_eq!(
            report,
            DispatchReport {
                claimed: 2,
                failed: 2,
                ..DispatchReport::default()
            }
        );
    }

    #[tokio::test]
    async fn storage_failure_stops_the_run() {
        let user = UserId::new();
        let first = entry(user, Channel::Email, graded(), 1);
        let second = entry(user, Channel::Email, graded(), 1);
        let mut s = store(
            vec![first, second],
            vec![profile(user, true, None)],
            vec![recipient(user, None)],
        );
        s.expect_mark_sent()
            .times(1)
            .returning(|_, _, _| Err(StorageError::Transient("connection reset".into())));
        let mut email = notifier(Channel::Email);
        email.expect_deliver().times(1).returning(|_| Ok(()));
        let err = dispatcher(s, vec![email]).run_once().await.unwrap_err();
        assert_eq!(crate::error::DomainError::code(&err), "storage_unavailable");
    }

    #[test]
    fn notifiers_are_keyed_by_their_channel() {
        let d = dispatcher(
            MockNotificationStore::new(),
            vec![notifier(Channel::Telegram), notifier(Channel::Email)],
        );
        let mut keys: Vec<_> = d.notifiers.keys().copied().collect();
        keys.sort();
        assert_eq!(keys, vec![Channel::Email, Channel::Telegram]);
        assert_eq!(*d.config(), config());
    }
}
