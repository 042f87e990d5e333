//! The worker over PostgreSQL: concurrent workers, a worker killed
//! mid-batch, and an SMTP outage.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use common::{SmtpMode, SmtpServer, closed_port, eventually, rebind};
use lms_core::Lms;
use lms_core::clock::SystemClock;
use lms_core::ids::{OutboxId, UserId};
use lms_core::notification::{
    Channel, DeliveryError, Notifier, OutboundMessage, OutboxEntry, OutboxStatus,
};
use lms_core::ports::Storage;
use lms_core::testkit::conformance::fixtures;
use lms_core::user::Role;
use lms_notify::email::{EmailNotifier, SmtpConfig, SmtpSecurity};
use lms_notify::worker::{LogNotifier, WorkerConfig, run_worker};
use tokio::sync::oneshot;

/// Counts deliveries per outbox entry and keeps what was said.
#[derive(Default)]
struct Counting {
    per_entry: Mutex<HashMap<OutboxId, usize>>,
    total: AtomicUsize,
    said: Mutex<Vec<OutboundMessage>>,
}

#[async_trait]
impl Notifier for Counting {
    fn channel(&self) -> Channel {
        Channel::Email
    }

    async fn deliver(&self, message: &OutboundMessage) -> Result<(), DeliveryError> {
        *self
            .per_entry
            .lock()
            .unwrap()
            .entry(message.outbox_id)
            .or_default() += 1;
        self.said.lock().unwrap().push(message.clone());
        self.total.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// Never finishes a delivery: stands for a worker stuck or killed
/// mid-batch. Counts how many deliveries started.
#[derive(Default)]
struct Stuck {
    started: AtomicUsize,
}

#[async_trait]
impl Notifier for Stuck {
    fn channel(&self) -> Channel {
        Channel::Email
    }

    async fn deliver(&self, _: &OutboundMessage) -> Result<(), DeliveryError> {
        self.started.fetch_add(1, Ordering::SeqCst);
        std::future::pending().await
    }
}

async fn setup(users: usize) -> (Arc<Lms>, Storage, Vec<UserId>) {
    let storage = lms_storage_postgres::testing::fresh_storage().await;
    let mut ids = Vec::new();
    for _ in 0..users {
        let u = fixtures::user(Role::Student);
        storage.users.insert_user(&u, None).await.unwrap();
        ids.push(u.id);
    }
    let lms = Arc::new(Lms::new(storage.clone(), Arc::new(SystemClock), vec![]));
    (lms, storage, ids)
}

async fn enqueue(storage: &Storage, users: &[UserId], count: usize) -> Vec<OutboxEntry> {
    let now = Utc::now();
    let entries: Vec<OutboxEntry> = (0..count)
        .map(|i| {
            OutboxEntry::new(
                users[i % users.len()],
                Channel::Email,
                &format!("test:{i}"),
                common::returned(&format!("Работа {i}")),
                now,
            )
        })
        .collect();
    for chunk in entries.chunks(500) {
        let inserted = storage.notifications.enqueue(chunk).await.unwrap();
        assert_eq!(inserted, chunk.len() as u64);
    }
    // Enqueueing again is harmless: the de-dup keys exist.
    assert_eq!(
        storage
            .notifications
            .enqueue(&entries[..count.min(10)])
            .await
            .unwrap(),
        0
    );
    entries
}

fn fast(lease_secs: u64) -> WorkerConfig {
    WorkerConfig {
        batch_size: 100,
        lease_secs,
        max_attempts: 1000,
        backoff_base_secs: 1,
        backoff_max_secs: 1,
        poll_interval_ms: 50,
        sweep_interval_secs: 3600,
        dispatchers: 2,
        delivery_concurrency: 8,
    }
}

fn spawn_worker(
    lms: &Arc<Lms>,
    notifier: Arc<dyn Notifier>,
    config: WorkerConfig,
) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(run_worker(lms.clone(), vec![notifier], config, async {
        let _ = stopped.await;
    }));
    (stop, handle)
}

async fn statuses(storage: &Storage, entries: &[OutboxEntry]) -> HashMap<OutboxStatus, usize> {
    let mut counts = HashMap::new();
    for e in entries {
        let stored = storage
            .notifications
            .get_outbox_entry(e.id)
            .await
            .unwrap()
            .unwrap();
        *counts.entry(stored.status).or_default() += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_workers_deliver_each_entry_exactly_once() {
    const N: usize = 5000;
    let (lms, storage, users) = setup(50).await;
    let entries = enqueue(&storage, &users, N).await;

    let counting = Arc::new(Counting::default());
    let workers: Vec<_> = (0..2)
        .map(|_| spawn_worker(&lms, counting.clone(), fast(300)))
        .collect();
    let all = eventually(Duration::from_secs(120), || {
        let c = counting.clone();
        async move { c.total.load(Ordering::SeqCst) >= N }
    })
    .await;
    for (stop, handle) in workers {
        let _ = stop.send(());
        handle.await.unwrap();
    }
    assert!(
        all,
        "only {} delivered",
        counting.total.load(Ordering::SeqCst)
    );

    let per_entry = counting.per_entry.lock().unwrap().clone();
    assert_eq!(per_entry.len(), N);
    assert!(
        per_entry.values().all(|&n| n == 1),
        "an entry was sent twice"
    );
    assert_eq!(counting.total.load(Ordering::SeqCst), N);
    assert_eq!(statuses(&storage, &entries).await[&OutboxStatus::Sent], N);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_batch_loses_nothing() {
    const N: usize = 30;
    let (lms, storage, users) = setup(3).await;
    let entries = enqueue(&storage, &users, N).await;

    // The first worker claims a batch and hangs in its first delivery...
    let stuck = Arc::new(Stuck::default());
    let mut config = fast(2);
    config.dispatchers = 1;
    config.batch_size = 10;
    // One delivery at a time, so exactly one hangs.
    config.delivery_concurrency = 1;
    let (_stop, killed) = spawn_worker(&lms, stuck.clone(), config.clone());
    let hung = eventually(Duration::from_secs(20), || {
        let s = stuck.clone();
        async move { s.started.load(Ordering::SeqCst) > 0 }
    })
    .await;
    assert!(hung);
    // ...and is killed.
    killed.abort();
    assert!(killed.await.unwrap_err().is_cancelled());

    // A new worker delivers everything, the killed batch after its lease.
    let counting = Arc::new(Counting::default());
    let (stop, handle) = spawn_worker(&lms, counting.clone(), config);
    let all = eventually(Duration::from_secs(30), || {
        let c = counting.clone();
        async move { c.total.load(Ordering::SeqCst) >= N }
    })
    .await;
    let _ = stop.send(());
    handle.await.unwrap();
    assert!(
        all,
        "only {} delivered",
        counting.total.load(Ordering::SeqCst)
    );
    assert_eq!(stuck.started.load(Ordering::SeqCst), 1);
    let per_entry = counting.per_entry.lock().unwrap().clone();
    assert_eq!(per_entry.len(), N);
    assert!(per_entry.values().all(|&n| n == 1));
    assert_eq!(statuses(&storage, &entries).await[&OutboxStatus::Sent], N);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smtp_outage_delays_mail_but_loses_none() {
    const N: usize = 12;
    let (lms, storage, users) = setup(4).await;
    let entries = enqueue(&storage, &users, N).await;

    // The SMTP server is down: connections are refused.
    let port = closed_port();
    let mut smtp = SmtpConfig::new(
        "127.0.0.1",
        "Школа <noreply@school.example>",
        "https://school.example",
    );
    smtp.port = Some(port);
    smtp.security = SmtpSecurity::Plain;
    smtp.timeout_secs = 5;
    let email = Arc::new(EmailNotifier::new(&smtp).unwrap());
    let (stop, handle) = spawn_worker(&lms, email, fast(60));

    let all_retrying = eventually(Duration::from_secs(30), || {
        let store = storage.notifications.clone();
        let entries = entries.clone();
        async move {
            for e in &entries {
                let s = store.get_outbox_entry(e.id).await.unwrap().unwrap();
                if s.status != OutboxStatus::Pending || s.last_error.is_none() {
                    return false;
                }
            }
            true
        }
    })
    .await;
    assert!(all_retrying, "every entry should have failed transiently");

    // The server comes back on the same port.
    let server = SmtpServer::start_on(rebind(port), SmtpMode::Accept);
    let delivered = eventually(Duration::from_secs(30), || {
        let storage = storage.clone();
        let entries = entries.clone();
        async move { statuses(&storage, &entries).await.get(&OutboxStatus::Sent) == Some(&N) }
    })
    .await;
    let _ = stop.send(());
    handle.await.unwrap();
    assert!(delivered, "{:?}", statuses(&storage, &entries).await);

    let received = server.received();
    assert_eq!(received.len(), N, "each message arrives once");
    let mut per_user: HashMap<String, usize> = HashMap::new();
    for r in &received {
        *per_user.entry(r.to[0].clone()).or_default() += 1;
    }
    assert_eq!(per_user.len(), users.len());
    assert!(per_user.values().all(|&n| n == N / users.len()));
}

#[tokio::test]
async fn the_log_notifier_drains_the_outbox_and_shutdown_returns() {
    let (lms, storage, users) = setup(1).await;
    let entries = enqueue(&storage, &users, 3).await;
    let log: Arc<dyn Notifier> =
        Arc::new(LogNotifier::new(Channel::Email, "https://school.example"));
    let (stop, handle) = spawn_worker(
        &lms,
        log,
        WorkerConfig {
            poll_interval_ms: 50,
            ..WorkerConfig::default()
        },
    );
    let sent = eventually(Duration::from_secs(20), || {
        let storage = storage.clone();
        let entries = entries.clone();
        async move { statuses(&storage, &entries).await.get(&OutboxStatus::Sent) == Some(&3) }
    })
    .await;
    let _ = stop.send(());
    handle.await.unwrap();
    assert!(sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_fills_the_outbox_and_two_workers_remind_once() {
    let storage = lms_storage_postgres::testing::fresh_storage().await;
    let class = fixtures::published_course_with_student(&storage).await;
    let due = Utc::now() + chrono::Duration::hours(23);
    let assignment = fixtures::add_assignment(&storage, class.course.id, due).await;
    let lms = Arc::new(Lms::new(storage.clone(), Arc::new(SystemClock), vec![]));

    let counting = Arc::new(Counting::default());
    let mut config = fast(60);
    config.sweep_interval_secs = 1;
    let workers: Vec<_> = (0..2)
        .map(|_| spawn_worker(&lms, counting.clone(), config.clone()))
        .collect();
    let reminded = eventually(Duration::from_secs(30), || {
        let c = counting.clone();
        async move { c.total.load(Ordering::SeqCst) >= 1 }
    })
    .await;
    assert!(reminded, "no reminder was delivered");
    // Sweeping again (as every worker keeps doing) enqueues nothing new.
    assert_eq!(
        lms.notifications.sweep_reminders().await.unwrap().enqueued,
        0
    );
    for (stop, handle) in workers {
        let _ = stop.send(());
        handle.await.unwrap();
    }

    let said = counting.said.lock().unwrap().clone();
    assert_eq!(
        said.len(),
        1,
        "one reminder, by e-mail only (no chat linked)"
    );
    assert_eq!(said[0].recipient.user_id, class.student.id);
    match &said[0].notification {
        lms_core::notification::Notification::DeadlineReminder {
            assignment_id,
            hours_before,
            ..
        } => {
            assert_eq!(*assignment_id, assignment.id);
            assert_eq!(*hours_before, 23, "the hours really left");
        }
        other => panic!("unexpected {other:?}"),
    }
    let outbox = storage
        .notifications
        .list_user_outbox(class.student.id, lms_core::Page::max())
        .await
        .unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].status, OutboxStatus::Sent);
}

#[test]
fn worker_config_defaults_match_the_core() {
    let c: WorkerConfig = serde_json::from_value(serde_json::json!({"dispatchers": 4})).unwrap();
    assert_eq!(c.dispatchers, 4);
    assert_eq!(
        c.dispatch_config(),
        lms_core::notification::DispatchConfig::default()
    );
}
