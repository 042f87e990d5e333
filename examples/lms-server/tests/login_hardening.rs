//! Login as a hostile client and a busy school would try it, against the
//! real server process: over-long credentials and login bursts must not
//! grow the server's memory (RSS read from `/proc`), and the login budgets
//! hold across two server processes sharing one PostgreSQL database.

mod common;

use std::time::{Duration, Instant};

use common::start;

use lms_storage_postgres::testing::fresh_database_url;
use serde_json::json;

/// Resident memory of a process, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS in /proc/<pid>/status");
    kib / 1024.0
}

/// The status of one login, or 0 when the server closed the connection
/// before the client finished sending (it answers an over-long body as soon
/// as `Content-Length` is read, and does not wait for the rest).
async fn login(client: &reqwest::Client, base: &str, email: &str, password: &str) -> u16 {
    client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_logins_and_login_bursts_do_not_grow_memory() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        dir.path(),
        &[
            ("LMS_DEMO", "true"),
            ("LMS_WORKER", "off"),
            ("LMS_LOGIN_FAILURES_PER_IP", "100000"),
        ],
    )
    .await;
    let pid = server.child.id();
    let base = server.base.clone();
    let client = reqwest::Client::new();
    // Warm up: one real login, so the hasher and pools exist.
    assert_eq!(
        login(&client, &base, "student1@demo.school", "demo12345").await,
        200
    );
    let before = rss_mib(pid);

    // 30 logins whose e-mail is a 0.9 MB string, 8 at a time: refused
    // before anything is parsed or hashed.
    let huge = format!("{}@demo.school", "a".repeat(900_000));
    // The server closes a connection whose body it refused unread: these
    // requests get their own client, so no later request reuses one.
    let hostile = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut answered = 0;
    for _ in 0..4 {
        let tries = (0..8).map(|_| {
            let (client, base, huge) = (hostile.clone(), base.clone(), huge.clone());
            tokio::spawn(async move { login(&client, &base, &huge, "wrong").await })
        });
        for t in futures_join(tries).await {
            answered += usize::from(t == 413);
            assert!(
                t == 413 || t == 0,
                "an over-long login body is refused: {t}"
            );
        }
    }
    assert!(answered > 0, "no over-long login was answered with 413");
    // An e-mail just over the RFC 5321 limit in a small body: 422.
    let long = format!("{}@demo.school", "a".repeat(300));
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": long, "password": "demo12345"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "input_too_long", "{body}");
    assert_eq!(body["error"]["field"], "email", "{body}");
    let after_hostile = rss_mib(pid);

    // 40 simultaneous logins of real accounts (20 right, 20 wrong).
    let tries = (1..=40).map(|i| {
        let (client, base) = (client.clone(), base.clone());
        tokio::spawn(async move {
            let n = (i - 1) % 20 + 1;
            let password = if i <= 20 {
                "demo12345"
            } else {
                "wrong-password"
            };
            login(&client, &base, &format!("student{n}@demo.school"), password).await
        })
    });
    let statuses = futures_join(tries).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        20,
        "{statuses:?}"
    );
    // Freed memory is given back after a moment (allocator purge).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after_burst = rss_mib(pid);
    eprintln!(
        "RSS: before {before:.1} MiB, after 30 × 0.9 MB e-mails {after_hostile:.1} MiB, \
         after 40 simultaneous logins {after_burst:.1} MiB"
    );
    assert!(
        after_hostile - before < 32.0,
        "over-long logins grew RSS from {before:.1} to {after_hostile:.1} MiB"
    );
    // argon2id holds ~19 MiB per running hash; one per core may run.
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get) as f64;
    let budget = cores * 20.0 + 48.0;
    assert!(
        after_burst - before < budget,
        "40 simultaneous logins grew RSS from {before:.1} to {after_burst:.1} MiB \
         (budget {budget:.0} MiB)"
    );
}

async fn futures_join<T: Send + 'static>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for t in tasks.collect::<Vec<_>>() {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_classroom_behind_one_address_logs_in_and_guessing_is_still_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        dir.path(),
        &[
            ("LMS_DEMO", "true"),
            ("LMS_WORKER", "off"),
            ("LMS_LOGIN_FAILURES_PER_IP", "20"),
            ("LMS_LOGIN_FAILURES_PER_ACCOUNT", "5"),
        ],
    )
    .await;
    let base = server.base.clone();
    let client = reqwest::Client::new();
    // 300 logins from 127.0.0.1 within a minute, 8 at a time: the 20 demo
    // students each log in 15 times (new lessons, new devices).
    let started = Instant::now();
    for round in 0..(300 / 8 + 1) {
        let tries = (0..8).filter_map(|k| {
            let i = round * 8 + k;
            (i < 300).then(|| {
                let (client, base) = (client.clone(), base.clone());
                tokio::spawn(async move {
                    let email = format!("student{}@demo.school", i % 20 + 1);
                    login(&client, &base, &email, "demo12345").await
                })
            })
        });
        for s in futures_join(tries).await {
            assert_eq!(s, 200, "a successful login from a shared address");
        }
    }
    eprintln!("300 logins from one address in {:?}", started.elapsed());

    // Five simultaneous wrong passwords for one account are each checked;
    // 25 more at the same time get 429 without being checked.
    let tries = (0..30).map(|_| {
        let (client, base) = (client.clone(), base.clone());
        tokio::spawn(async move { login(&client, &base, "student3@demo.school", "guess-1").await })
    });
    let statuses = futures_join(tries).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, limited), (5, 25), "{statuses:?}");
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "student3@demo.school", "password": "demo12345"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429, "the account is locked for this window");
    assert!(r.headers().get("retry-after").is_some());
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");

    // Wrong passwords for other accounts from the same address use up the
    // address's budget (20 failures, 5 already spent).
    let mut last = 0;
    for i in 0..16 {
        last = login(&client, &base, &format!("nobody{i}@demo.school"), "guess-2").await;
    }
    assert_eq!(last, 429, "the address used its budget of failures");
    assert_eq!(
        login(&client, &base, "student4@demo.school", "demo12345").await,
        429,
        "the address is stopped for every account"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_server_processes_share_the_login_budget() {
    let url = fresh_database_url().await;
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let shared = [
        ("LMS_DATABASE_URL", url.as_str()),
        ("LMS_WORKER", "off"),
        ("LMS_LOGIN_FAILURES_PER_ACCOUNT", "6"),
    ];
    let a = start(
        dir_a.path(),
        &[&shared[..], &[("LMS_DEMO", "true")]].concat(),
    )
    .await;
    let b = start(dir_b.path(), &shared).await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        assert_eq!(
            login(&client, &a.base, "student5@demo.school", "guess").await,
            401
        );
        assert_eq!(
            login(&client, &b.base, "student5@demo.school", "guess").await,
            401
        );
    }
    // Six failures in all, three on each node: both nodes now refuse.
    for node in [&a, &b] {
        assert_eq!(
            login(&client, &node.base, "student5@demo.school", "demo12345").await,
            429,
            "the budget is shared by the nodes"
        );
    }
    assert_eq!(
        login(&client, &b.base, "student6@demo.school", "demo12345").await,
        200,
        "other accounts are unaffected"
    );
}
