//! Scenario 4, the login storm: students log in with their passwords
//! (argon2id), first paced evenly over a span (the evening's arrivals), then
//! a burst all at once (a class told to log in now). Each from its own
//! address, as through the school's proxy. Latency, and the server's memory
//! before, at its peak and after.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Barrier;

use crate::Scale;
use crate::load::{histogram, percentiles};
use crate::report::{Check, LoginPhase, LoginResult, StorageReport};
use crate::school::{Db, PASSWORD, School};
use crate::server::{Process, RssSampler};

async fn login(client: &reqwest::Client, base: &str, email: &str, n: usize) -> (u64, u16) {
    let t = Instant::now();
    let status = client
        .post(format!("{base}/api/v1/auth/login"))
        .header(
            "x-forwarded-for",
            format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255),
        )
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .map_or(0, |r| r.status().as_u16());
    (t.elapsed().as_micros() as u64, status)
}

async fn phase(
    client: &reqwest::Client,
    server: &Process,
    school: &School,
    who: std::ops::Range<usize>,
    span: Option<f64>,
) -> (LoginPhase, usize) {
    let rss_before = server.memory_mib().0;
    let sampler = RssSampler::start(server.pid);
    let count = who.len();
    let go = Arc::new(Barrier::new(count));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (k, s) in who.enumerate() {
        let (client, base, email, go) = (
            client.clone(),
            server.base.clone(),
            school.students[s].email.clone(),
            go.clone(),
        );
        let delay = span.map(|secs| Duration::from_secs_f64(secs * k as f64 / count as f64));
        tasks.push(tokio::spawn(async move {
            match delay {
                Some(d) => tokio::time::sleep(d).await,
                None => {
                    go.wait().await;
                }
            }
            login(&client, &base, &email, s).await
        }));
    }
    let mut h = histogram();
    let (mut ok, mut busy, mut other) = (0, 0, 0);
    for t in tasks {
        let (us, status) = t.await.expect("login task");
        match status {
            200 => {
                ok += 1;
                h.saturating_record(us);
            }
            503 => busy += 1,
            _ => other += 1,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let rss_peak = sampler.finish();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (p50, p99, max) = percentiles(&h);
    (
        LoginPhase {
            logins: count,
            ok,
            busy,
            secs,
            p50_ms: p50,
            p99_ms: p99,
            max_ms: max,
            rss_before_mib: rss_before,
            rss_peak_mib: rss_peak,
            rss_after_mib: server.memory_mib().0,
        },
        other,
    )
}

/// Runs the paced logins and the burst.
pub async fn run(
    client: &reqwest::Client,
    server: &Process,
    db: &Db,
    school: &School,
    scale: &Scale,
    out: &mut StorageReport,
) {
    let sessions_before = db.count("SELECT count(*) FROM sessions", None).await;
    let paced_n = scale.logins.min(school.students.len());
    let burst_end = (paced_n + scale.login_burst).min(school.students.len());
    let (paced, paced_other) = phase(
        client,
        server,
        school,
        0..paced_n,
        Some(scale.login_span_secs),
    )
    .await;
    let (burst, burst_other) = phase(client, server, school, paced_n..burst_end, None).await;
    let sessions = db.count("SELECT count(*) FROM sessions", None).await - sessions_before;
    out.checks.push(Check::new(
        "login storm: every paced login succeeds",
        paced.ok == paced.logins,
        format!(
            "{} of {} (503 busy: {})",
            paced.ok, paced.logins, paced.busy
        ),
    ));
    out.checks.push(Check::new(
        "login storm: the burst is answered (a login or 503 login_busy, nothing else)",
        paced_other == 0 && burst_other == 0,
        format!("{} logged in, {} told to retry", burst.ok, burst.busy),
    ));
    out.checks.push(Check::new(
        "login storm: one session per successful login",
        sessions == (paced.ok + burst.ok) as i64,
        format!("{sessions} new sessions"),
    ));
    out.logins = Some(LoginResult { paced, burst });
}
