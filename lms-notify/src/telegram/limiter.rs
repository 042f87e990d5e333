//! Telegram's rate limits: messages a second over all chats, and one
//! message per interval to each chat, in this process or shared by every
//! node through the database.
//!
//! A message to a chat goes in three steps. It waits for its turn in the
//! chat's queue (turns a chat interval apart, reserved when it asks: a chat
//! with many queued messages holds up only itself). Then it plans its send
//! instant: not before the chat's previous message was planned to go plus
//! the interval, nor before that message actually went plus the interval
//! (a worker that woke late pushes the next one back). Last it takes a slot
//! in the overall budget at or after that instant and sends then; when the
//! budget puts it later than planned, the chat's next plan counts from the
//! slot. The queue turn alone is not enough: the previous message may leave
//! well after its turn (the overall budget is busy), and the next turn,
//! reserved long before, would then come less than an interval after it.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use lms_core::notification::NotificationStore;
use tokio::time::Instant;

/// Waits so that sending stays within `per_second` messages over all chats
/// and one message per `per_chat` interval to each chat. Slots are handed out
/// in the order they are asked for: in this process, or, once
/// [`shared`](Self::shared), in the database every node uses.
pub struct RateLimiter {
    global_interval: Duration,
    chat_interval: Duration,
    state: Mutex<LimiterState>,
    shared: Option<SharedSlots>,
}

/// Slots reserved in the database, under keys of one bot.
struct SharedSlots {
    store: Arc<dyn NotificationStore>,
    /// `tg:<bot username>:`, so two bots on one database keep apart.
    prefix: String,
}

impl SharedSlots {
    /// The key of one chat's slot in the shared store.
    fn chat_key(&self, chat: i64) -> String {
        format!("{}chat:{chat}", self.prefix)
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("global_interval", &self.global_interval)
            .field("chat_interval", &self.chat_interval)
            .field("shared", &self.shared.as_ref().map(|s| &s.prefix))
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct LimiterState {
    next_global: Option<Instant>,
    /// Each chat's next turn in its queue.
    next_per_chat: HashMap<i64, Instant>,
    /// Each chat's next free instant after its last planned send.
    next_sent: HashMap<i64, Instant>,
}

impl RateLimiter {
    /// Above this many remembered chats, chats whose next slot has passed
    /// are forgotten.
    const MAX_REMEMBERED_CHATS: usize = 10_000;

    /// A limiter allowing `per_second` messages a second overall (at least
    /// 1) and one message per `per_chat` to each chat.
    #[must_use]
    pub fn new(per_second: u32, per_chat: Duration) -> Self {
        Self {
            global_interval: Duration::from_secs(1) / per_second.max(1),
            chat_interval: per_chat,
            state: Mutex::new(LimiterState {
                next_global: None,
                next_per_chat: HashMap::new(),
                next_sent: HashMap::new(),
            }),
            shared: None,
        }
    }

    /// Keeps the slots in `store` (the database every node shares) under
    /// keys of `bot`, instead of in this process. When the store fails, a
    /// message falls back to this process's slots rather than wait.
    #[must_use]
    pub fn shared(mut self, store: Arc<dyn NotificationStore>, bot: &str) -> Self {
        // Keys are bounded (128 bytes in storage); a bot username has at
        // most 32 characters.
        let bot: String = bot.chars().take(64).collect();
        self.shared = Some(SharedSlots {
            store,
            prefix: format!("tg:{bot}:"),
        });
        self
    }

    /// Waits until a message may be sent to `chat`.
    pub async fn acquire(&self, chat: i64) {
        if let Some(shared) = &self.shared {
            match self.acquire_shared(shared, chat).await {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "shared Telegram rate limit unavailable; using this process's");
                }
            }
        }
        // First the chat's turn in its queue, then, in one step, the send
        // instant: after the chat's previous message and in the overall
        // budget.
        let turn = self.reserve_chat(chat, Instant::now());
        tokio::time::sleep_until(turn).await;
        let slot = self.reserve_send(chat, Instant::now());
        tokio::time::sleep_until(slot).await;
    }

    /// [`acquire`](Self::acquire) through the database (see the module
    /// documentation for the three steps).
    async fn acquire_shared(
        &self,
        shared: &SharedSlots,
        chat: i64,
    ) -> Result<(), lms_core::StorageError> {
        let store = &shared.store;
        let queue = shared.chat_key(chat);
        let planned = format!("{queue}:planned");
        let sent = format!("{queue}:sent");
        let all = format!("{}all", shared.prefix);
        let chat_interval = to_chrono(self.chat_interval);
        let global_interval = to_chrono(self.global_interval);
        let mut turn = store
            .reserve_send_slot(&queue, chrono::Utc::now(), chat_interval)
            .await?;
        loop {
            sleep_until_utc(turn).await;
            let plan = store
                .reserve_send_slot(&planned, turn, chat_interval)
                .await?;
            sleep_until_utc(plan).await;
            // A zero interval reads the key (raising it to `plan` at most).
            let earliest = store
                .reserve_send_slot(&sent, plan, chrono::Duration::zero())
                .await?;
            sleep_until_utc(earliest).await;
            let slot = store
                .reserve_send_slot(&all, earliest, global_interval)
                .await?;
            if slot == plan {
                break;
            }
            // Later than planned: the chat's next plan must count from the
            // slot, unless the next message has planned already (it waited
            // here); then this one gives up its slot and plans again after it.
            let next = store
                .reserve_send_slot(&planned, plan, chrono::Duration::zero())
                .await?;
            if next < plan + chat_interval + chat_interval / 2 {
                store.hold_send_slot(&planned, slot + chat_interval).await?;
                sleep_until_utc(slot).await;
                break;
            }
            turn = store
                .reserve_send_slot(&queue, chrono::Utc::now(), chat_interval)
                .await?;
        }
        store
            .hold_send_slot(&sent, chrono::Utc::now() + chat_interval)
            .await
    }

    /// Keeps `chat` quiet for `wait` (Telegram asked for it with a 429).
    pub async fn back_off(&self, chat: i64, wait: Duration) {
        if let Some(shared) = &self.shared {
            let until = chrono::Utc::now() + to_chrono(wait);
            let queue = shared.chat_key(chat);
            // Messages already queued are held at their send step.
            for key in [format!("{queue}:sent"), queue] {
                if let Err(e) = shared.store.hold_send_slot(&key, until).await {
                    tracing::warn!(error = %e, "could not store Telegram's wait in the shared rate limit");
                }
            }
        }
        let until = Instant::now() + wait;
        let mut state = self.lock();
        let state = &mut *state;
        for map in [&mut state.next_per_chat, &mut state.next_sent] {
            let next = map.entry(chat).or_insert(until);
            *next = (*next).max(until);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LimiterState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The instant `chat` may next be sent to, reserving it.
    fn reserve_chat(&self, chat: i64, now: Instant) -> Instant {
        let mut state = self.lock();
        if state.next_per_chat.len() > Self::MAX_REMEMBERED_CHATS {
            state.next_per_chat.retain(|_, next| *next > now);
        }
        if state.next_sent.len() > Self::MAX_REMEMBERED_CHATS {
            state.next_sent.retain(|_, next| *next > now);
        }
        let slot = state
            .next_per_chat
            .get(&chat)
            .map_or(now, |next| (*next).max(now));
        state.next_per_chat.insert(chat, slot + self.chat_interval);
        slot
    }

    /// The send instant of a message to `chat` whose turn came at `now`:
    /// the later of `now`, the chat's next free instant and the next
    /// overall slot, reserved in both at once (so nothing else reaches the
    /// chat in between).
    fn reserve_send(&self, chat: i64, now: Instant) -> Instant {
        let mut state = self.lock();
        let chat_next = state.next_sent.get(&chat).copied().unwrap_or(now);
        let slot = state
            .next_global
            .map_or(now, |next| next.max(now))
            .max(chat_next);
        state.next_global = Some(slot + self.global_interval);
        state.next_sent.insert(chat, slot + self.chat_interval);
        let queue = state.next_per_chat.entry(chat).or_insert(slot);
        *queue = (*queue).max(slot + self.chat_interval);
        slot
    }
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Sleeps until the wall-clock instant `at` (at once when it has passed).
async fn sleep_until_utc(at: chrono::DateTime<chrono::Utc>) {
    if let Ok(wait) = (at - chrono::Utc::now()).to_std() {
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_chat_waits_a_second_between_messages() {
        let limiter = RateLimiter::new(30, Duration::from_secs(1));
        let t0 = Instant::now();
        let first = limiter.reserve_chat(1, t0);
        let second = limiter.reserve_chat(1, t0);
        assert_eq!(first, t0);
        assert_eq!(second, t0 + Duration::from_secs(1));
        // Another chat is not held up by the first one's queue.
        assert_eq!(limiter.reserve_chat(2, t0), t0);
    }

    #[test]
    fn overall_slots_are_spaced_by_the_rate() {
        let limiter = RateLimiter::new(30, Duration::from_secs(1));
        let t0 = Instant::now();
        let slots: Vec<Instant> = (0..31).map(|chat| limiter.reserve_send(chat, t0)).collect();
        assert_eq!(slots[0], t0);
        assert_eq!(slots[30], t0 + Duration::from_secs(1) / 30 * 30);
        assert!(slots.windows(2).all(|w| w[1] > w[0]));
        // The chat's next turn counts from its send.
        assert_eq!(
            limiter.reserve_chat(30, t0),
            slots[30] + Duration::from_secs(1)
        );
    }

    #[test]
    fn a_send_the_budget_delays_pushes_the_chats_next_one_back() {
        // Two a second overall, busy for two seconds with other chats.
        let limiter = RateLimiter::new(2, Duration::from_secs(1));
        let t0 = Instant::now();
        for chat in 10..14 {
            limiter.reserve_send(chat, t0);
        }
        // Both of chat 1's turns are reserved before either is sent.
        let (turn1, turn2) = (limiter.reserve_chat(1, t0), limiter.reserve_chat(1, t0));
        assert_eq!(turn2, turn1 + Duration::from_secs(1));
        let first = limiter.reserve_send(1, turn1);
        assert_eq!(first, t0 + Duration::from_secs(2), "after the busy budget");
        let second = limiter.reserve_send(1, turn2);
        assert_eq!(
            second,
            first + Duration::from_secs(1),
            "a second after the first went, not at the next overall slot"
        );
    }

    /// Many senders at once through one shared store, the overall budget
    /// busy: every chat's messages leave a chat interval apart and the
    /// overall budget holds.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn shared_limits_keep_each_chat_spaced_under_a_busy_budget() {
        let storage = lms_core::testkit::memory::MemoryStorage::storage();
        let per_chat = Duration::from_millis(300);
        let limiter = Arc::new(
            RateLimiter::new(20, per_chat).shared(storage.notifications.clone(), "bench_bot"),
        );
        let started = Instant::now();
        let mut tasks = Vec::new();
        // Four messages to each of three chats, and twenty to others.
        for i in 0..32_i64 {
            let chat = if i < 12 { i % 3 } else { 100 + i };
            let limiter = limiter.clone();
            tasks.push(tokio::spawn(async move {
                limiter.acquire(chat).await;
                (chat, Instant::now())
            }));
        }
        let mut sends: HashMap<i64, Vec<Instant>> = HashMap::new();
        let mut all = Vec::new();
        for t in tasks {
            let (chat, at) = t.await.unwrap();
            sends.entry(chat).or_default().push(at);
            all.push(at);
        }
        for (chat, mut times) in sends {
            times.sort();
            for w in times.windows(2) {
                // A few milliseconds of slack for the tasks' wake-ups.
                assert!(
                    w[1] - w[0] >= per_chat - Duration::from_millis(15),
                    "chat {chat}: {:?} apart",
                    w[1] - w[0]
                );
            }
        }
        all.sort();
        let overall = all[all.len() - 1] - started;
        assert!(
            overall >= Duration::from_secs(1),
            "32 messages at 20 a second took {overall:?}"
        );
    }

    #[tokio::test]
    async fn a_429_keeps_the_chat_quiet() {
        let limiter = RateLimiter::new(30, Duration::from_secs(1));
        limiter.back_off(5, Duration::from_secs(5)).await;
        let slot = limiter.reserve_chat(5, Instant::now());
        assert!(slot >= Instant::now() + Duration::from_secs(4));
    }
}
