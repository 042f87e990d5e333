//! The notification worker: dispatcher loops draining the outbox and the
//! periodic reminder sweep filling it ([`run_worker`]), plus
//! [`LogNotifier`] for servers without SMTP or Telegram.
//!
//! Any number of workers, in one process or many, may run at once: the
//! core's dispatcher claims entries under a lease, so none is sent twice
//! while its lease holds, and an entry whose worker died is claimed again
//! when the lease expires. The sweep's outbox entries carry de-duplication
//! keys, so sweeps on several nodes enqueue each reminder once.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use lms_core::Lms;
use lms_core::notification::{Channel, DeliveryError, DispatchConfig, Notifier, OutboundMessage};
use serde::Deserialize;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::content;

/// Worker settings, as found in the reference server's configuration file
/// (`[worker]` table); every field has a default.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerConfig {
    /// Outbox entries claimed per dispatcher round (default 50).
    pub batch_size: u32,
    /// How long a claimed entry stays reserved, in seconds (default 300).
    /// Must exceed the time a batch takes, or another worker may send an
    /// entry again; at Telegram's one message a second per chat a batch of
    /// 50 for one chat takes 50 s.
    pub lease_secs: u64,
    /// After this many attempts a transient failure becomes permanent
    /// (default 10).
    pub max_attempts: u32,
    /// First retry delay in seconds, doubled per attempt (default 30).
    pub backoff_base_secs: u64,
    /// Longest retry delay in seconds (default 3600).
    pub backoff_max_secs: u64,
    /// Pause after a round that found nothing to send, in milliseconds
    /// (default 2000).
    pub poll_interval_ms: u64,
    /// Seconds between reminder sweeps (default 60).
    pub sweep_interval_secs: u64,
    /// Concurrent dispatcher loops in this process (default 2).
    pub dispatchers: u32,
    /// Recipients a dispatcher delivers to at once within a batch
    /// (default 8); one recipient's messages stay in order.
    pub delivery_concurrency: u32,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        let d = DispatchConfig::default();
        Self {
            batch_size: d.batch_size,
            lease_secs: secs(d.lease),
            max_attempts: d.max_attempts,
            backoff_base_secs: secs(d.backoff_base),
            backoff_max_secs: secs(d.backoff_max),
            poll_interval_ms: 2000,
            sweep_interval_secs: 60,
            dispatchers: 2,
            delivery_concurrency: u32::try_from(d.concurrency).unwrap_or(8),
        }
    }
}

fn secs(d: chrono::Duration) -> u64 {
    u64::try_from(d.num_seconds()).unwrap_or(0)
}

fn chrono_secs(s: u64) -> chrono::Duration {
    chrono::Duration::try_seconds(i64::try_from(s).unwrap_or(i64::MAX))
        .unwrap_or(chrono::Duration::MAX)
}

impl WorkerConfig {
    /// The core dispatcher's tuning from these settings.
    #[must_use]
    pub fn dispatch_config(&self) -> DispatchConfig {
        DispatchConfig {
            batch_size: self.batch_size.max(1),
            lease: chrono_secs(self.lease_secs.max(1)),
            max_attempts: self.max_attempts.max(1),
            backoff_base: chrono_secs(self.backoff_base_secs),
            backoff_max: chrono_secs(self.backoff_max_secs),
            concurrency: usize::try_from(self.delivery_concurrency.max(1)).unwrap_or(1),
        }
    }
}

/// Runs the worker until `shutdown` completes: `dispatchers` loops each
/// running [`Dispatcher::run_once`](lms_core::notification::Dispatcher::run_once)
/// until it finds nothing due, then pausing `poll_interval_ms`; and a
/// reminder sweep every `sweep_interval_secs` (the first right away).
///
/// On shutdown every loop finishes the batch it is delivering, records the
/// results and stops; then this returns. Dropping (aborting) the returned
/// future instead stops everything at once; entries claimed but not
/// recorded are delivered by a worker after their lease expires.
pub async fn run_worker(
    lms: Arc<Lms>,
    notifiers: Vec<Arc<dyn Notifier>>,
    config: WorkerConfig,
    shutdown: impl Future<Output = ()> + Send,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let poll = Duration::from_millis(config.poll_interval_ms.max(1));
    let sweep_every = Duration::from_secs(config.sweep_interval_secs.max(1));
    let channels: Vec<&str> = notifiers.iter().map(|n| n.channel().as_str()).collect();
    tracing::info!(
        dispatchers = config.dispatchers,
        ?channels,
        "notification worker started"
    );

    // The set owns the tasks: dropping this future aborts them.
    let mut tasks = JoinSet::new();
    for index in 0..config.dispatchers.max(1) {
        let dispatcher = lms.dispatcher(notifiers.clone(), config.dispatch_config());
        let mut stop = stop_rx.clone();
        tasks.spawn(async move {
            while !*stop.borrow() {
                match dispatcher.run_once().await {
                    Ok(report) if report.claimed > 0 => {
                        tracing::debug!(
                            dispatcher = index,
                            claimed = report.claimed,
                            sent = report.sent,
                            retried = report.retried,
                            failed = report.failed,
                            deferred = report.deferred,
                            lost_lease = report.lost_lease,
                            "outbox batch done"
                        );
                        // More may be due: go again without pausing.
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(dispatcher = index, error = %e, "outbox dispatch failed");
                    }
                }
                pause(&mut stop, poll).await;
            }
        });
    }
    {
        let lms = lms.clone();
        let mut stop = stop_rx.clone();
        tasks.spawn(async move {
            while !*stop.borrow() {
                match lms.notifications.sweep_reminders().await {
                    Ok(report) if report.enqueued > 0 => tracing::info!(
                        planned = report.planned,
                        enqueued = report.enqueued,
                        "reminders enqueued"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "reminder sweep failed"),
                }
                pause(&mut stop, sweep_every).await;
            }
        });
    }

    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            joined = tasks.join_next() => match joined {
                Some(Err(e)) if e.is_panic() => {
                    tracing::error!(error = %e, "a notification worker task panicked");
                }
                Some(_) => {}
                None => break,
            },
        }
    }
    let _ = stop_tx.send(true);
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined
            && e.is_panic()
        {
            tracing::error!(error = %e, "a notification worker task panicked");
        }
    }
    tracing::info!("notification worker stopped");
}

/// Sleeps `wait`, or less when the worker is told to stop.
async fn pause(stop: &mut watch::Receiver<bool>, wait: Duration) {
    tokio::select! {
        () = tokio::time::sleep(wait) => {}
        _ = stop.wait_for(|stop| *stop) => {}
    }
}

/// A [`Notifier`] that only logs each message (with `tracing`, at `info`)
/// and reports it delivered: for demo and development servers without SMTP
/// or Telegram, so the outbox still drains and the messages can be read in
/// the log.
#[derive(Debug, Clone)]
pub struct LogNotifier {
    channel: Channel,
    web_base_url: String,
}

impl LogNotifier {
    /// A notifier standing in for `channel`, with links into the web UI at
    /// `web_base_url`.
    #[must_use]
    pub fn new(channel: Channel, web_base_url: &str) -> Self {
        Self {
            channel,
            web_base_url: web_base_url.trim_end_matches('/').to_owned(),
        }
    }
}

#[async_trait]
impl Notifier for LogNotifier {
    fn channel(&self) -> Channel {
        self.channel
    }

    async fn deliver(&self, message: &OutboundMessage) -> Result<(), DeliveryError> {
        let c = content::render(message, &self.web_base_url);
        let to = match self.channel {
            Channel::Email => message.recipient.email.clone(),
            Channel::Telegram => message
                .recipient
                .telegram_chat_id
                .map_or_else(|| "no chat".to_owned(), |c| format!("chat {c}")),
            // Stored delivered, never claimed by a dispatcher: only a
            // notifier misconfigured for the in-app list gets here.
            Channel::InApp => "in-app list".to_owned(),
        };
        tracing::info!(
            channel = self.channel.as_str(),
            outbox_id = %message.outbox_id,
            to = %to,
            subject = %c.subject,
            text = %c.paragraphs.join(" "),
            link = %c.link.url,
            "notification (logged, not sent)"
        );
        Ok(())
    }
}
