//! What a run found, as JSON and as Markdown tables with every figure next
//! to its ceiling.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::load::Curve;
use crate::{Scale, StorageKind};

/// One correctness check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// Whether it held.
    pub ok: bool,
    /// What was seen.
    pub detail: String,
}

impl Check {
    /// A check result.
    #[must_use]
    pub fn new(name: &str, ok: bool, detail: String) -> Self {
        Self {
            name: name.to_owned(),
            ok,
            detail,
        }
    }
}

/// A read route over every level.
#[derive(Debug, Clone, Serialize)]
pub struct RouteResult {
    /// Method and path.
    pub route: String,
    /// The levels and the reported one.
    pub curve: Curve,
    /// Reported requests/s ÷ the one-lookup ceiling's.
    pub ratio: f64,
    /// SQL statements per request, authentication included.
    pub round_trips: Option<f64>,
}

/// The deadline rush.
#[derive(Debug, Clone, Serialize)]
pub struct RushResult {
    /// Students handing in.
    pub students: usize,
    /// Hand-ins sent twice with the same key.
    pub retries: usize,
    /// Wall time of the whole rush.
    pub secs: f64,
    /// Hand-ins (upload + hand-in) per second.
    pub hand_ins_per_sec: f64,
    /// Median hand-in (upload + hand-in), ms.
    pub p50_ms: f64,
    /// 99th percentile hand-in, ms.
    pub p99_ms: f64,
    /// Slowest hand-in, ms.
    pub max_ms: f64,
    /// 99th percentile of the hand-in request alone, ms.
    pub submit_p99_ms: f64,
    /// Server CPU seconds per 1,000 hand-ins.
    pub cpu_per_1000: f64,
    /// Versions stored.
    pub versions: i64,
}

/// The synchronized quiz start.
#[derive(Debug, Clone, Serialize)]
pub struct QuizResult {
    /// Students starting together.
    pub students: usize,
    /// Median start, ms.
    pub start_p50_ms: f64,
    /// 99th percentile start, ms.
    pub start_p99_ms: f64,
    /// Slowest start, ms.
    pub start_max_ms: f64,
    /// 99th percentile autosave, ms.
    pub autosave_p99_ms: f64,
    /// 99th percentile submit, ms.
    pub submit_p99_ms: f64,
    /// Wall time, start to last submit.
    pub secs: f64,
    /// Server CPU seconds per 1,000 requests.
    pub cpu_per_1000: f64,
}

/// One phase of the login storm.
#[derive(Debug, Clone, Serialize)]
pub struct LoginPhase {
    /// Logins sent.
    pub logins: usize,
    /// Answered 200.
    pub ok: usize,
    /// Answered 503 `login_busy`.
    pub busy: usize,
    /// Wall time.
    pub secs: f64,
    /// Median successful login, ms.
    pub p50_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Slowest, ms.
    pub max_ms: f64,
    /// Server RSS before, MiB.
    pub rss_before_mib: f64,
    /// Peak server RSS during, MiB.
    pub rss_peak_mib: f64,
    /// Server RSS two seconds after, MiB.
    pub rss_after_mib: f64,
}

/// The login storm.
#[derive(Debug, Clone, Serialize)]
pub struct LoginResult {
    /// Logins paced over the span.
    pub paced: LoginPhase,
    /// Logins all at once.
    pub burst: LoginPhase,
}

/// The notification burst.
#[derive(Debug, Clone, Serialize)]
pub struct NotifyResult {
    /// E-mails enqueued.
    pub mails: usize,
    /// Telegram messages enqueued.
    pub telegrams: usize,
    /// Distinct chats.
    pub chats: usize,
    /// Wall time until both were delivered (or the limit).
    pub secs: f64,
    /// Seconds until the last e-mail arrived.
    pub mail_secs: Option<f64>,
    /// Seconds until the last Telegram message arrived.
    pub telegram_secs: Option<f64>,
    /// E-mails delivered per second.
    pub mails_per_sec: f64,
    /// Telegram messages delivered per second.
    pub telegrams_per_sec: f64,
    /// The smallest gap between two messages to one chat, seconds.
    pub min_chat_gap_secs: f64,
    /// The most Telegram messages in any one second.
    pub busiest_second: usize,
    /// Server CPU seconds per 1,000 messages.
    pub cpu_per_1000: f64,
}

/// Everything measured on one storage.
#[derive(Debug, Clone, Serialize)]
pub struct StorageReport {
    /// Which storage.
    pub storage: String,
    /// Seconds the seeding took.
    pub seed_secs: f64,
    /// What was seeded.
    pub seeded: String,
    /// SQL statements per request, by route (authentication included).
    pub round_trips: Vec<(String, f64)>,
    /// The one-lookup read ceiling.
    pub ceiling_read: Option<Curve>,
    /// The one-insert write ceiling (HTTP endpoint).
    pub ceiling_write: Option<Curve>,
    /// `pgbench` durable single-row inserts per second (PostgreSQL).
    pub pgbench_inserts: Option<f64>,
    /// Every read route and the mix.
    pub reads: Vec<RouteResult>,
    /// The deadline rush.
    pub rush: Option<RushResult>,
    /// The quiz start.
    pub quiz: Option<QuizResult>,
    /// The login storm.
    pub logins: Option<LoginResult>,
    /// The notification burst.
    pub notify: Option<NotifyResult>,
    /// Server RSS once started, MiB.
    pub rss_start_mib: f64,
    /// Peak RSS during the reads, MiB.
    pub rss_reads_peak_mib: f64,
    /// RSS right after the reads (steady load just ended), MiB.
    pub rss_after_reads_mib: f64,
    /// RSS at the end, MiB.
    pub rss_end_mib: f64,
    /// The server's peak RSS over the whole run, MiB.
    pub rss_peak_mib: f64,
    /// Correctness checks.
    pub checks: Vec<Check>,
}

impl StorageReport {
    /// An empty report for `kind`.
    #[must_use]
    pub fn new(kind: StorageKind, seed_secs: f64, seeded: String) -> Self {
        Self {
            storage: kind.name().to_owned(),
            seed_secs,
            seeded,
            round_trips: Vec::new(),
            ceiling_read: None,
            ceiling_write: None,
            pgbench_inserts: None,
            reads: Vec::new(),
            rush: None,
            quiz: None,
            logins: None,
            notify: None,
            rss_start_mib: 0.0,
            rss_reads_peak_mib: 0.0,
            rss_after_reads_mib: 0.0,
            rss_end_mib: 0.0,
            rss_peak_mib: 0.0,
            checks: Vec::new(),
        }
    }

    /// The write ceiling the rush is compared with: `pgbench` on
    /// PostgreSQL, the one-insert endpoint on SQLite.
    #[must_use]
    pub fn write_ceiling(&self) -> (f64, &'static str) {
        match self.pgbench_inserts {
            Some(tps) => (tps, "pgbench durable single-row inserts"),
            None => (
                self.ceiling_write.as_ref().map_or(0.0, |c| c.best().rps),
                "minimal endpoint, one insert per request",
            ),
        }
    }
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// When it ran (UTC).
    pub date: String,
    /// The commit measured, when known.
    pub commit: String,
    /// The server binary.
    pub server: String,
    /// `full`, `quick` or `check`.
    pub mode: String,
    /// Students in the school.
    pub students: usize,
    /// Courses.
    pub courses: usize,
    /// Each storage.
    pub storages: Vec<StorageReport>,
    /// Wall time of the whole run.
    pub total_secs: f64,
}

impl Report {
    /// An empty report of this run.
    #[must_use]
    pub fn new(scale: &Scale, server: &Path) -> Self {
        let commit = std::process::Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        Self {
            date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            commit,
            server: server.display().to_string(),
            mode: if scale.check_only {
                "check"
            } else if scale.quick {
                "quick"
            } else {
                "full"
            }
            .to_owned(),
            students: scale.students,
            courses: scale.courses,
            storages: Vec::new(),
            total_secs: 0.0,
        }
    }

    /// Every check that failed, named with its storage.
    #[must_use]
    pub fn failures(&self) -> Vec<String> {
        self.storages
            .iter()
            .flat_map(|s| {
                s.checks
                    .iter()
                    .filter(|c| !c.ok)
                    .map(move |c| format!("{}: {} ({})", s.storage, c.name, c.detail))
            })
            .collect()
    }

    /// The run as Markdown.
    #[must_use]
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "Run {} on commit `{}`, server `{}`, mode {}, {} students in {} courses, {:.0} s in all.\n",
            self.date,
            self.commit,
            self.server,
            self.mode,
            self.students,
            self.courses,
            self.total_secs
        );
        for s in &self.storages {
            storage_markdown(&mut md, s);
        }
        md
    }
}

fn storage_markdown(md: &mut String, s: &StorageReport) {
    let _ = writeln!(md, "### {}\n", s.storage);
    let _ = writeln!(md, "Seeded {} in {:.1} s.\n", s.seeded, s.seed_secs);
    if let Some(c) = &s.ceiling_read {
        let b = c.best();
        let _ = writeln!(
            md,
            "Read ceiling (minimal axum + sqlx endpoint, one primary-key lookup): **{:.0} requests/s**, p99 {:.1} ms at {} connections, {:.3} CPU s per 1,000.",
            b.rps, b.p99_ms, b.concurrency, b.cpu_per_1000
        );
    }
    if let Some(c) = &s.ceiling_write {
        let b = c.best();
        let _ = writeln!(
            md,
            "Write ceiling (the same endpoint, one insert): **{:.0} requests/s**, p99 {:.1} ms at {} connections.",
            b.rps, b.p99_ms, b.concurrency
        );
    }
    if let Some(tps) = s.pgbench_inserts {
        let _ = writeln!(
            md,
            "`pgbench`, durable single-row inserts, 8 clients: **{tps:.0} inserts/s**."
        );
    }
    let _ = writeln!(
        md,
        "\n| route | requests/s | share of ceiling | p50 | p99 | connections | p99 < 50 ms | SQL statements per request (auth included) | server CPU s / 1,000 |\n|---|---|---|---|---|---|---|---|---|"
    );
    for r in &s.reads {
        let b = r.curve.best();
        let _ = writeln!(
            md,
            "| `{}` | {:.0} | {:.0} % | {:.1} ms | {:.1} ms | {} | {} | {} | {:.3} |",
            r.route,
            b.rps,
            r.ratio * 100.0,
            b.p50_ms,
            b.p99_ms,
            b.concurrency,
            if r.curve.within_bound {
                "yes"
            } else {
                "**no**"
            },
            r.round_trips.map_or("–".to_owned(), |n| format!("{n:.1}")),
            b.cpu_per_1000
        );
    }
    if let Some((_, n)) = s.round_trips.iter().find(|(r, _)| r == "POST /auth/login") {
        let _ = writeln!(md, "\nA login costs {n:.1} SQL statements.");
    }
    if let Some(r) = &s.rush {
        let (ceiling, what) = s.write_ceiling();
        let _ = writeln!(
            md,
            "\n**Deadline rush** — {} students hand in a text and a 200 KB file, 32 at a time, {} retries with the same key: {:.1} s, **{:.0} hand-ins/s** = {:.0} % of the write ceiling ({what}, {:.0}/s); hand-in p50 {:.0} ms, p99 {:.0} ms (the hand-in request alone p99 {:.0} ms), max {:.0} ms; {:.2} CPU s per 1,000; {} versions stored.",
            r.students,
            r.retries,
            r.secs,
            r.hand_ins_per_sec,
            if ceiling > 0.0 {
                r.hand_ins_per_sec / ceiling * 100.0
            } else {
                0.0
            },
            ceiling,
            r.p50_ms,
            r.p99_ms,
            r.submit_p99_ms,
            r.max_ms,
            r.cpu_per_1000,
            r.versions
        );
    }
    if let Some(q) = &s.quiz {
        let _ = writeln!(
            md,
            "\n**Synchronized quiz start** — {} students start a 20-question quiz at once, autosave four times, submit: start p50 {:.0} ms, **p99 {:.0} ms**, max {:.0} ms; autosave p99 {:.0} ms; submit p99 {:.0} ms; {:.2} CPU s per 1,000 requests.",
            q.students,
            q.start_p50_ms,
            q.start_p99_ms,
            q.start_max_ms,
            q.autosave_p99_ms,
            q.submit_p99_ms,
            q.cpu_per_1000
        );
    }
    if let Some(l) = &s.logins {
        let _ = writeln!(
            md,
            "\n| login storm | logins | succeeded | told to retry (503) | time | p50 | p99 | max | RSS before | peak RSS | RSS after |\n|---|---|---|---|---|---|---|---|---|---|---|"
        );
        for (name, p) in [("paced", &l.paced), ("all at once", &l.burst)] {
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} | {:.1} s | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} MiB | {:.0} MiB | {:.0} MiB |",
                p.logins,
                p.ok,
                p.busy,
                p.secs,
                p.p50_ms,
                p.p99_ms,
                p.max_ms,
                p.rss_before_mib,
                p.rss_peak_mib,
                p.rss_after_mib
            );
        }
    }
    if let Some(n) = &s.notify {
        let _ = writeln!(
            md,
            "\n**Notification burst** — {} e-mails and {} Telegram messages to {} chats enqueued at once: e-mails done in {} ({:.0}/s), Telegram in {} ({:.1}/s); smallest gap in one chat {:.2} s, busiest second {} messages; {:.2} CPU s per 1,000.",
            n.mails,
            n.telegrams,
            n.chats,
            n.mail_secs.map_or("–".to_owned(), |s| format!("{s:.1} s")),
            n.mails_per_sec,
            n.telegram_secs
                .map_or("–".to_owned(), |s| format!("{s:.1} s")),
            n.telegrams_per_sec,
            n.min_chat_gap_secs,
            n.busiest_second,
            n.cpu_per_1000
        );
    }
    let _ = writeln!(
        md,
        "\nServer memory: {:.0} MiB at start, {:.0} MiB peak during the reads, {:.0} MiB right after them, {:.0} MiB at the end, {:.0} MiB peak over the run.\n",
        s.rss_start_mib, s.rss_reads_peak_mib, s.rss_after_reads_mib, s.rss_end_mib, s.rss_peak_mib
    );
    let failed = s.checks.iter().filter(|c| !c.ok).count();
    let _ = writeln!(
        md,
        "Checks: {} of {} held.\n",
        s.checks.len() - failed,
        s.checks.len()
    );
    for c in &s.checks {
        let _ = writeln!(
            md,
            "- {} {} — {}",
            if c.ok { "✔" } else { "✘" },
            c.name,
            c.detail
        );
    }
    md.push('\n');
}
