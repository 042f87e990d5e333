//! The scenarios, run in order against one server per storage, after a
//! counting pass that measures the SQL statements (database round trips)
//! each request costs.

mod logins;
mod notify;
mod quiz;
mod reads;
mod rush;

use std::path::Path;
use std::time::Duration;

use crate::Args;
use crate::report::{Check, StorageReport};
use crate::school::{Db, School};
use crate::server::{Counting, Process};

/// A client for the load: generous pool, no proxy, short timeouts.
#[must_use]
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("HTTP client")
}

/// The server's settings common to every pass.
fn base_env(db: &Db, dir: &Path) -> Vec<(String, String)> {
    let mut env = vec![
        ("LMS_DATA_DIR".to_owned(), dir.display().to_string()),
        // Logins in the storm come from many addresses, as through a proxy.
        ("LMS_TRUST_PROXY".to_owned(), "true".to_owned()),
    ];
    if db.kind == crate::StorageKind::Postgres {
        env.push(("LMS_DATABASE_URL".to_owned(), db.url.clone()));
    }
    env
}

/// Runs the counting pass and every scenario, filling `out`.
pub async fn run_all(db: &Db, school: &School, args: &Args, dir: &Path, out: &mut StorageReport) {
    let client = client();

    // Round trips: every SQL statement logged and counted, the background
    // worker off so that only requests run statements.
    let mut env = base_env(db, dir);
    env.push(("LMS_WORKER".to_owned(), "off".to_owned()));
    let counting = Process::server(&args.server, &env, Counting::Statements).await;
    out.round_trips = reads::count_round_trips(&client, &counting, school).await;
    counting.stop().await;

    // The timed server, with a mock SMTP server and Telegram Bot API.
    let sinks = notify::Sinks::start().await;
    let mut env = base_env(db, dir);
    env.extend(sinks.server_env());
    let server = Process::server(&args.server, &env, Counting::Off).await;
    out.rss_start_mib = server.memory_mib().0;
    notify::wait_idle(db, Duration::from_secs(120)).await;

    let ceiling = Process::ceiling(&db.url).await;
    reads::run(&client, &server, &ceiling, db, school, args, out).await;
    ceiling.stop().await;

    if args.only.is_none() {
        rush::run(&client, &server, db, school, &args.scale, out).await;
        quiz::run(&client, &server, db, school, &args.scale, out).await;
        logins::run(&client, &server, db, school, &args.scale, out).await;
        notify::run(&sinks, &server, db, school, &args.scale, out).await;
    }

    let (rss, peak) = server.memory_mib();
    out.rss_end_mib = rss;
    out.rss_peak_mib = peak;
    server.stop().await;
    out.checks.push(Check::new(
        "the server ran every scenario",
        true,
        format!("peak RSS {peak:.0} MiB"),
    ));
}
