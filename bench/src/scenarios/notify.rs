//! Scenario 5, the notification burst: thousands of outbox entries at once
//! (e-mails and Telegram messages), delivered by the server's worker to a
//! real SMTP server in this process (mailin-embedded) and to a mock of the
//! Telegram Bot API that answers as the documented API does and records
//! when each chat got each message. Throughput, and the Telegram limits
//! held: one message per second per chat, 30 per second in all.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use chrono::Utc;
use lms_core::notification::{Channel, Notification, OutboxEntry};
use mailin_embedded::response::{self, Response};
use mailin_embedded::{Handler, Server, SslConfig};
use serde_json::{Value, json};

use crate::Scale;
use crate::report::{Check, NotifyResult, StorageReport};
use crate::school::{Db, School};
use crate::server::{Process, free_port};

#[derive(Clone)]
struct Sink {
    received: Arc<AtomicU64>,
}

impl Handler for Sink {
    fn data_end(&mut self) -> Response {
        self.received.fetch_add(1, Ordering::SeqCst);
        response::OK
    }
}

#[derive(Clone, Default)]
struct Bot {
    sent: Arc<Mutex<HashMap<i64, Vec<Instant>>>>,
}

/// The mock SMTP server and Telegram Bot API.
pub struct Sinks {
    smtp_port: u16,
    mails: Arc<AtomicU64>,
    bot_port: u16,
    bot: Bot,
}

impl Sinks {
    /// Starts both on free 127.0.0.1 ports.
    pub async fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind SMTP");
        let smtp_port = listener.local_addr().expect("addr").port();
        let mails = Arc::new(AtomicU64::new(0));
        let mut smtp = Server::new(Sink {
            received: mails.clone(),
        });
        smtp.with_name("mx.bench.school")
            .with_num_threads(8)
            .with_ssl(SslConfig::None)
            .expect("no TLS")
            .with_tcp_listener(listener);
        // mailin-embedded has no shutdown: the thread lives with the bench.
        std::thread::spawn(move || {
            let _ = smtp.serve();
        });
        let bot = Bot::default();
        let bot_port = free_port();
        let app = Router::new()
            .route("/{bot}/{method}", post(bot_api))
            .with_state(bot.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", bot_port))
            .await
            .expect("bind the Bot API mock");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            smtp_port,
            mails,
            bot_port,
            bot,
        }
    }

    /// The server's settings that point it at the sinks.
    #[must_use]
    pub fn server_env(&self) -> Vec<(String, String)> {
        [
            ("LMS_SMTP_HOST", "127.0.0.1".to_owned()),
            ("LMS_SMTP_PORT", self.smtp_port.to_string()),
            ("LMS_SMTP_SECURITY", "plain".to_owned()),
            ("LMS_SMTP_FROM", "school@bench.school".to_owned()),
            ("LMS_TELEGRAM_BOT_TOKEN", "123456:bench-token".to_owned()),
            ("LMS_TELEGRAM_BOT_USERNAME", "bench_school_bot".to_owned()),
            (
                "LMS_TELEGRAM_API_URL",
                format!("http://127.0.0.1:{}", self.bot_port),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    fn telegrams(&self) -> u64 {
        self.bot
            .sent
            .lock()
            .expect("bot mock")
            .values()
            .map(|v| v.len() as u64)
            .sum()
    }
}

/// The Bot API methods the server calls, answered as the documented API
/// does (`{"ok": true, "result": …}`).
async fn bot_api(
    State(bot): State<Bot>,
    Path((_, method)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Json<Value> {
    let method = method.to_ascii_lowercase();
    match method.as_str() {
        "sendmessage" => {
            let chat = body
                .as_ref()
                .and_then(|b| b["chat_id"].as_i64())
                .unwrap_or(0);
            bot.sent
                .lock()
                .expect("bot mock")
                .entry(chat)
                .or_default()
                .push(Instant::now());
            Json(json!({
                "ok": true,
                "result": {
                    "message_id": 1,
                    "date": Utc::now().timestamp(),
                    "chat": {"id": chat, "type": "private", "first_name": "Ученик"},
                    "from": {"id": 123_456, "is_bot": true, "first_name": "Школа", "username": "bench_school_bot"},
                    "text": body.as_ref().and_then(|b| b["text"].as_str()).unwrap_or_default(),
                }
            }))
        }
        "getupdates" => {
            // A long poll with nothing to report.
            tokio::time::sleep(Duration::from_millis(500)).await;
            Json(json!({"ok": true, "result": []}))
        }
        "getme" => Json(json!({
            "ok": true,
            "result": {"id": 123_456, "is_bot": true, "first_name": "Школа", "username": "bench_school_bot"}
        })),
        _ => Json(json!({"ok": true, "result": true})),
    }
}

/// Waits until the outbox holds nothing pending (the seeded school's own
/// notifications are delivered before anything is measured).
pub async fn wait_idle(db: &Db, limit: Duration) {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if db
            .count("SELECT count(*) FROM outbox WHERE status = 'pending'", None)
            .await
            == 0
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Enqueues the burst, waits for delivery, checks the limits held.
pub async fn run(
    sinks: &Sinks,
    server: &Process,
    db: &Db,
    school: &School,
    scale: &Scale,
    out: &mut StorageReport,
) {
    wait_idle(db, Duration::from_secs(120)).await;
    let storage = db.storage();
    let chats = scale.chats.min(school.students.len());
    for (i, s) in school.students[..chats].iter().enumerate() {
        storage
            .notifications
            .set_telegram_chat(s.id, Some(900_000 + i as i64))
            .await
            .expect("link a chat");
    }
    let course = &school.courses[0];
    let note = Notification::NewAssignment {
        course_id: course.id,
        course_title: "Математика ЕГЭ, поток 1".to_owned(),
        assignment_id: course.assignments[0],
        title: "Домашнее задание 1".to_owned(),
        due_at: Utc::now() + chrono::Duration::days(3),
    };
    let now = Utc::now();
    let mut entries = Vec::with_capacity(scale.mails + scale.telegrams);
    for j in 0..scale.telegrams {
        let s = &school.students[j % chats];
        entries.push(OutboxEntry::new(
            s.id,
            Channel::Telegram,
            &format!("bench-burst-tg-{j}"),
            note.clone(),
            now,
        ));
    }
    for j in 0..scale.mails {
        let s = &school.students[j % school.students.len()];
        entries.push(OutboxEntry::new(
            s.id,
            Channel::Email,
            &format!("bench-burst-mail-{j}"),
            note.clone(),
            now,
        ));
    }
    let mails_before = sinks.mails.load(Ordering::SeqCst);
    let tg_before = sinks.telegrams();
    let cpu_before = server.cpu_secs();
    let started = Instant::now();
    for chunk in entries.chunks(500) {
        storage.notifications.enqueue(chunk).await.expect("enqueue");
    }
    let total = (scale.mails + scale.telegrams) as u64;
    // Telegram alone needs telegrams / 30 seconds; allow four times that
    // plus a minute for the e-mails.
    let limit = Duration::from_secs_f64(
        60.0 + 4.0 * scale.telegrams as f64 / 30.0 + scale.mails as f64 / 50.0,
    );
    let (mut mail_done, mut tg_done) = (None, None);
    while started.elapsed() < limit {
        let mails = sinks.mails.load(Ordering::SeqCst) - mails_before;
        let tgs = sinks.telegrams() - tg_before;
        if mail_done.is_none() && mails >= scale.mails as u64 {
            mail_done = Some(started.elapsed().as_secs_f64());
        }
        if tg_done.is_none() && tgs >= scale.telegrams as u64 {
            tg_done = Some(started.elapsed().as_secs_f64());
        }
        if mail_done.is_some() && tg_done.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = server.cpu_secs() - cpu_before;
    // Give the worker a moment to record the last deliveries.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let sent = db
        .count(
            "SELECT count(*) FROM outbox WHERE status = 'sent' AND dedup_key LIKE '%bench-burst%'",
            None,
        )
        .await;
    let failed = db
        .count(
            "SELECT count(*) FROM outbox WHERE status = 'failed' AND dedup_key LIKE '%bench-burst%'",
            None,
        )
        .await;
    let sent_log = sinks.bot.sent.lock().expect("bot mock").clone();
    let min_gap = sent_log
        .values()
        .flat_map(|times| times.windows(2).map(|w| (w[1] - w[0]).as_secs_f64()))
        .fold(f64::INFINITY, f64::min);
    let mut all: Vec<Instant> = sent_log.values().flatten().copied().collect();
    all.sort();
    let busiest_second = all
        .iter()
        .enumerate()
        .map(|(i, t)| {
            all[i..]
                .iter()
                .take_while(|u| **u - *t < Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0);
    let mails = sinks.mails.load(Ordering::SeqCst) - mails_before;
    let tgs = sinks.telegrams() - tg_before;
    out.checks.push(Check::new(
        "notification burst: every entry delivered once and marked sent",
        sent == total as i64
            && failed == 0
            && mails == scale.mails as u64
            && tgs == scale.telegrams as u64,
        format!("{sent} of {total} sent, {failed} failed; SMTP got {mails}, Telegram got {tgs}"),
    ));
    out.checks.push(Check::new(
        "notification burst: one message per second per chat held",
        min_gap >= 0.95 || scale.telegrams <= chats,
        format!("smallest gap in one chat {min_gap:.3} s"),
    ));
    out.checks.push(Check::new(
        "notification burst: at most 30 Telegram messages in any second (one more allowed for arrival jitter at the mock)",
        busiest_second <= 31,
        format!("busiest second {busiest_second}"),
    ));
    out.notify = Some(NotifyResult {
        mails: scale.mails,
        telegrams: scale.telegrams,
        chats,
        secs,
        mail_secs: mail_done,
        telegram_secs: tg_done,
        mails_per_sec: mail_done.map_or(0.0, |s| scale.mails as f64 / s),
        telegrams_per_sec: tg_done.map_or(0.0, |s| scale.telegrams as f64 / s),
        min_chat_gap_secs: if min_gap.is_finite() { min_gap } else { 0.0 },
        busiest_second,
        cpu_per_1000: cpu * 1000.0 / total.max(1) as f64,
    });
}
