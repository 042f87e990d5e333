//! `lms-bench`: the load benchmark of the reference server (issue #15).
//!
//! It seeds its own school through the storage API, starts a built
//! `lms-server` against it (127.0.0.1 only), runs the loads an online school
//! has — evening reads, a deadline rush, a synchronized quiz start, a login
//! storm and a notification burst — checks the results in the database, and
//! writes a Markdown table and JSON. Every figure comes with a ceiling
//! measured in the same run on the same database: a minimal axum + sqlx
//! endpoint doing one primary-key lookup (reads) or one insert (writes), and
//! `pgbench` durable single-row inserts on PostgreSQL.
//!
//! ```text
//! cargo build --release -p lms-server -p lms-bench
//! target/release/lms-bench [--quick] [--check] [--storage sqlite|postgres|both]
//!                          [--server target/release/lms-server] [--out bench-results]
//!                          [--only ROUTE]
//! ```
//!
//! `--quick` runs a small school with short loads (about three minutes for
//! both storages); `--check` runs the quick school only for its correctness
//! checks (the test command does, against a debug server; its timings mean
//! nothing). `--only gradebook` runs only the read routes whose name
//! contains `gradebook` (to profile one route). PostgreSQL: `DATABASE_URL` names a server on which a throwaway
//! database is made, else a throwaway server is started from the local
//! binaries. The process exits non-zero when any check fails.

mod ceiling;
mod load;
mod report;
mod scenarios;
mod school;
mod server;

use std::path::PathBuf;
use std::time::Instant;

use report::{Report, StorageReport};

/// Which storage a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageKind {
    /// The embedded default.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl StorageKind {
    /// The name in reports.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// How big the school is and how long each load runs.
#[derive(Debug, Clone)]
pub struct Scale {
    /// Quick mode (for the record in reports).
    pub quick: bool,
    /// Only correctness matters (debug server in the test command).
    pub check_only: bool,
    /// Students in the school.
    pub students: usize,
    /// Courses; every student studies three of them.
    pub courses: usize,
    /// Lessons per course.
    pub lessons_per_course: usize,
    /// Assignments per course.
    pub assignments_per_course: usize,
    /// Seconds each read route runs at each concurrency level.
    pub read_secs: f64,
    /// Concurrency levels tried for every read route.
    pub levels: Vec<usize>,
    /// Students handing in during the deadline rush.
    pub rush: usize,
    /// Students starting the quiz together.
    pub quiz_students: usize,
    /// Seconds between a quiz taker's autosaves.
    pub autosave_every_secs: f64,
    /// Logins in the paced part of the login storm.
    pub logins: usize,
    /// Seconds the paced logins are spread over.
    pub login_span_secs: f64,
    /// Logins sent at once in the burst part of the login storm.
    pub login_burst: usize,
    /// E-mails in the notification burst.
    pub mails: usize,
    /// Telegram messages in the notification burst.
    pub telegrams: usize,
    /// Distinct Telegram chats they go to.
    pub chats: usize,
}

impl Scale {
    /// The school of issue #15: 2,000 students, 20 courses, 200 lessons,
    /// 100 assignments.
    #[must_use]
    pub fn full() -> Self {
        Self {
            quick: false,
            check_only: false,
            students: 2000,
            courses: 20,
            lessons_per_course: 10,
            assignments_per_course: 5,
            read_secs: 3.0,
            levels: vec![4, 16, 64],
            rush: 300,
            quiz_students: 500,
            autosave_every_secs: 3.0,
            logins: 300,
            login_span_secs: 60.0,
            login_burst: 100,
            mails: 9000,
            telegrams: 1000,
            chats: 500,
        }
    }

    /// A small school and short loads (about a minute and a half per
    /// storage).
    #[must_use]
    pub fn quick() -> Self {
        Self {
            quick: true,
            check_only: false,
            students: 300,
            courses: 4,
            lessons_per_course: 5,
            assignments_per_course: 3,
            read_secs: 1.0,
            levels: vec![8, 32],
            rush: 40,
            quiz_students: 60,
            autosave_every_secs: 0.3,
            logins: 30,
            login_span_secs: 6.0,
            login_burst: 20,
            mails: 450,
            telegrams: 60,
            chats: 30,
        }
    }

    /// Students per course (every student studies three courses).
    #[must_use]
    pub fn course_size(&self) -> usize {
        self.students * 3 / self.courses
    }
}

struct Args {
    /// Only the read routes whose name contains this, and no other
    /// scenario (for profiling one route).
    only: Option<String>,
    scale: Scale,
    storages: Vec<StorageKind>,
    server: PathBuf,
    out: PathBuf,
}

fn usage() -> ! {
    eprintln!(
        "usage: lms-bench [--quick] [--check] [--storage sqlite|postgres|both] [--server PATH] [--out DIR] [--only ROUTE]\n       lms-bench ceiling <database-url> <port>"
    );
    std::process::exit(2)
}

fn parse_args(args: &[String]) -> Args {
    let mut scale = Scale::full();
    let mut storages = vec![StorageKind::Sqlite, StorageKind::Postgres];
    let mut server = None;
    let mut out = PathBuf::from("bench-results");
    let mut only = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => scale = Scale::quick(),
            "--check" => {
                scale = Scale::quick();
                scale.check_only = true;
            }
            "--storage" => {
                storages = match it.next().map(String::as_str) {
                    Some("sqlite") => vec![StorageKind::Sqlite],
                    Some("postgres") => vec![StorageKind::Postgres],
                    Some("both") => vec![StorageKind::Sqlite, StorageKind::Postgres],
                    _ => usage(),
                }
            }
            "--server" => server = Some(PathBuf::from(it.next().unwrap_or_else(|| usage()))),
            "--out" => out = PathBuf::from(it.next().unwrap_or_else(|| usage())),
            "--only" => only = Some(it.next().unwrap_or_else(|| usage()).clone()),
            _ => usage(),
        }
    }
    let server = server.unwrap_or_else(|| {
        let profile = if scale.check_only { "debug" } else { "release" };
        PathBuf::from(format!("target/{profile}/lms-server"))
    });
    if !server.exists() {
        eprintln!(
            "lms-bench: no server binary at {} (build it: cargo build --release -p lms-server)",
            server.display()
        );
        std::process::exit(2);
    }
    Args {
        only,
        scale,
        storages,
        server,
        out,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if args.first().map(String::as_str) == Some("ceiling") {
        let (Some(url), Some(port)) = (args.get(1), args.get(2)) else {
            usage()
        };
        let port: u16 = port.parse().unwrap_or_else(|_| usage());
        runtime.block_on(ceiling::serve(url, port));
        return;
    }
    let args = parse_args(&args);
    let started = Instant::now();
    let mut report = Report::new(&args.scale, &args.server);
    for &kind in &args.storages {
        eprintln!("lms-bench: {} …", kind.name());
        let storage: StorageReport = runtime.block_on(run_storage(kind, &args));
        report.storages.push(storage);
    }
    report.total_secs = started.elapsed().as_secs_f64();
    std::fs::create_dir_all(&args.out).expect("create the output directory");
    let md = report.markdown();
    std::fs::write(args.out.join("bench.md"), &md).expect("write bench.md");
    std::fs::write(
        args.out.join("bench.json"),
        serde_json::to_string_pretty(&report).expect("report as JSON"),
    )
    .expect("write bench.json");
    println!("{md}");
    let failures = report.failures();
    if failures.is_empty() {
        eprintln!(
            "lms-bench: every check passed ({:.0} s); results in {}",
            report.total_secs,
            args.out.display()
        );
    } else {
        for f in &failures {
            eprintln!("lms-bench: CHECK FAILED: {f}");
        }
        std::process::exit(1);
    }
}

async fn run_storage(kind: StorageKind, args: &Args) -> StorageReport {
    let data = tempfile::tempdir().expect("temp dir");
    let db = school::Db::create(kind, data.path()).await;
    let seeded = Instant::now();
    let school = school::seed(&db, &args.scale).await;
    let seed_secs = seeded.elapsed().as_secs_f64();
    eprintln!("lms-bench: {} seeded in {seed_secs:.1} s", kind.name());
    let seeded = format!(
        "{} students, {} courses, {} lessons, {} assignments, {} hand-ins (half graded), a {}-question quiz (5 drawn at random from a bank of 200)",
        school.students.len(),
        school.courses.len(),
        school
            .courses
            .iter()
            .map(|c| c.lessons.len())
            .sum::<usize>(),
        school
            .courses
            .iter()
            .map(|c| c.assignments.len())
            .sum::<usize>()
            + 1,
        school.seeded_hand_ins,
        school.quiz.answers.len() + 5
    );
    let mut out = StorageReport::new(kind, seed_secs, seeded);
    scenarios::run_all(&db, &school, args, data.path(), &mut out).await;
    db.close().await;
    out
}
