//! Shared test helpers: an in-process SMTP server (mailin-embedded) that
//! records what it receives, and sample messages.

#![allow(dead_code)]

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeZone as _, Utc};
use lms_core::ids::{AssignmentId, CourseId, OutboxId, QuizId, SubmissionId, UserId, WebinarId};
use lms_core::notification::{Notification, OutboundMessage, Recipient};
use lms_core::user::{Locale, TimeZone};
use mailin_embedded::response::{self, Response};
use mailin_embedded::{Handler, Server, SslConfig};

/// How the test SMTP server answers `RCPT TO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpMode {
    /// 250: accepts.
    Accept,
    /// 451: try again later.
    TempFail,
    /// 550: no such mailbox.
    Reject,
}

/// One message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The raw message.
    pub raw: Vec<u8>,
}

#[derive(Clone)]
struct Capture {
    mode: SmtpMode,
    inbox: Arc<Mutex<Vec<Received>>>,
    to: Vec<String>,
    buf: Vec<u8>,
}

impl Handler for Capture {
    fn rcpt(&mut self, _to: &str) -> Response {
        match self.mode {
            SmtpMode::Accept => response::OK,
            SmtpMode::TempFail => response::INTERNAL_ERROR,
            SmtpMode::Reject => response::NO_MAILBOX,
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.buf.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.inbox.lock().unwrap().push(Received {
            to: std::mem::take(&mut self.to),
            raw: std::mem::take(&mut self.buf),
        });
        response::OK
    }
}

/// A running SMTP server on 127.0.0.1 and what it received.
pub struct SmtpServer {
    /// Its port.
    pub port: u16,
    /// Messages accepted so far.
    pub inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    /// Starts a server on a free port.
    pub fn start(mode: SmtpMode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        Self::start_on(listener, mode)
    }

    /// Starts a server on this listener. The server thread lives as long as
    /// the test process (mailin-embedded has no shutdown).
    pub fn start_on(listener: TcpListener, mode: SmtpMode) -> Self {
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let handler = Capture {
            mode,
            inbox: inbox.clone(),
            to: Vec::new(),
            buf: Vec::new(),
        };
        let mut server = Server::new(handler);
        server
            .with_name("mx.test")
            .with_num_threads(16)
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, inbox }
    }

    /// Messages accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Binds `port` again once it is free (a just-closed port may linger).
pub fn rebind(port: u16) -> TcpListener {
    for _ in 0..100 {
        if let Ok(l) = TcpListener::bind(("127.0.0.1", port)) {
            return l;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("port {port} stayed busy");
}

/// A recipient with an address at school.example.
pub fn recipient(locale: Locale) -> Recipient {
    Recipient {
        user_id: UserId::new(),
        display_name: "Анна Петрова".to_owned(),
        email: "anna@school.example".to_owned(),
        telegram_chat_id: Some(4242),
        locale,
        time_zone: TimeZone::default(),
    }
}

/// 2026-12-01 15:00 UTC = 18:00 in Moscow.
pub fn due() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap()
}

/// A new-assignment notification.
pub fn new_assignment(title: &str) -> Notification {
    Notification::NewAssignment {
        course_id: CourseId::new(),
        course_title: "Алгебра 9".to_owned(),
        assignment_id: AssignmentId::new(),
        title: title.to_owned(),
        due_at: due(),
    }
}

/// A homework-returned notification.
pub fn returned(title: &str) -> Notification {
    Notification::HomeworkReturned {
        course_id: CourseId::new(),
        assignment_id: AssignmentId::new(),
        title: title.to_owned(),
        submission_id: SubmissionId::new(),
    }
}

/// A webinar reminder with a join link.
pub fn webinar_reminder() -> Notification {
    Notification::WebinarReminder {
        course_id: CourseId::new(),
        webinar_id: WebinarId::new(),
        title: "Разбор ОГЭ".to_owned(),
        starts_at: due(),
        minutes_before: 10,
        join_url: Some("https://meet.example/j/1".to_owned()),
    }
}

/// A reminder that a quiz the student has not attempted closes in `hours`
/// hours (at [`due`]).
pub fn quiz_reminder(hours: u32) -> Notification {
    Notification::QuizReminder {
        course_id: CourseId::new(),
        course_title: "Алгебра 9".to_owned(),
        quiz_id: QuizId::new(),
        title: "Дроби".to_owned(),
        closes_at: due(),
        hours_before: hours,
    }
}

/// The quiz page a quiz reminder links to, under `base`.
pub fn quiz_link(notification: &Notification, base: &str) -> String {
    let Notification::QuizReminder { quiz_id, .. } = notification else {
        panic!("not a quiz reminder: {notification:?}")
    };
    format!("{base}/quizzes/{quiz_id}")
}

/// An outbound message.
pub fn message(notification: Notification, recipient: Recipient) -> OutboundMessage {
    OutboundMessage {
        outbox_id: OutboxId::new(),
        recipient,
        notification,
    }
}

/// Waits (polling, at most `limit`) until `check` holds.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let end = std::time::Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if std::time::Instant::now() > end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
