//! A bad day for the real server process: killed with `kill -9` in the
//! middle of a burst of hand-ins, its PostgreSQL going away and coming
//! back, and a full disk under its uploads. Nothing acknowledged may be
//! lost, nothing stored twice, nothing stored half; clients get JSON errors
//! with the right status, and the server recovers without a restart.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{free_port, start};
use lms_storage_postgres::testing::fresh_database_url;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

const PASSWORD: &str = "demo12345";

async fn login(client: &reqwest::Client, base: &str, email: &str) -> String {
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "login {email}: {}", r.status());
    let body: Value = r.json().await.unwrap();
    body["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token in {body}"))
        .to_owned()
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A published course of the demo teacher with one open text assignment
/// that `student` joined; returns the assignment id.
async fn course_with_assignment(
    client: &reqwest::Client,
    base: &str,
    teacher: &str,
    student: &str,
) -> String {
    let post = reqwest::Method::POST;
    let (s, course) = call(
        client,
        post.clone(),
        format!("{base}/api/v1/courses"),
        teacher,
        Some(json!({"title": "Сбой"})),
    )
    .await;
    assert_eq!(s, 201, "{course}");
    let c = course["id"].as_str().unwrap().to_owned();
    let (s, published) = call(
        client,
        reqwest::Method::PUT,
        format!("{base}/api/v1/courses/{c}/status"),
        teacher,
        Some(json!({"status": "published"})),
    )
    .await;
    assert_eq!(s, 200, "{published}");
    let code = published["invite_code"].as_str().unwrap().to_owned();
    let (s, joined) = call(
        client,
        post.clone(),
        format!("{base}/api/v1/courses/join"),
        student,
        Some(json!({"code": code})),
    )
    .await;
    assert!(s == 200 || s == 201, "{joined}");
    let due = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let (s, a) = call(
        client,
        post,
        format!("{base}/api/v1/courses/{c}/assignments"),
        teacher,
        Some(json!({"title": "Много версий", "due_at": due, "max_score": 10.0, "published": true, "submission_kind": "text"})),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    a["id"].as_str().unwrap().to_owned()
}

/// One hand-in with its idempotency key; `None` when the server did not
/// answer (killed) or answered an error.
async fn hand_in(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    assignment: &str,
    key: &str,
) -> Option<u16> {
    let r = client
        .post(format!(
            "{base}/api/v1/assignments/{assignment}/submissions"
        ))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({"text": format!("<p>версия {key}</p>")}))
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .ok()?;
    let status = r.status().as_u16();
    (200..300).contains(&status).then_some(status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_hand_ins_survive_kill_9_exactly_once() {
    const HAND_INS: usize = 300;
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("LMS_DEMO", "true"),
        ("LMS_WORKER", "off"),
        ("LMS_MAX_HAND_IN_VERSIONS", "1000"),
    ];
    let mut server = start(dir.path(), &env).await;
    let client = reqwest::Client::new();
    let teacher = login(&client, &server.base, "teacher@demo.school").await;
    let student = login(&client, &server.base, "student1@demo.school").await;
    let assignment = course_with_assignment(&client, &server.base, &teacher, &student).await;
    let keys: Vec<String> = (0..HAND_INS).map(|n| format!("burst-{n:03}")).collect();

    // The burst: 8 clients at a time; the server is killed with SIGKILL
    // once a third of the hand-ins were acknowledged.
    let acked = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let killed = Arc::new(AtomicBool::new(false));
    let mut burst = JoinSet::new();
    for chunk in keys.chunks(HAND_INS / 8) {
        let (client, base, token, a) = (
            client.clone(),
            server.base.clone(),
            student.clone(),
            assignment.clone(),
        );
        let (chunk, acked, killed) = (chunk.to_vec(), acked.clone(), killed.clone());
        burst.spawn(async move {
            for key in chunk {
                if killed.load(Ordering::SeqCst) {
                    break;
                }
                if hand_in(&client, &base, &token, &a, &key).await.is_some() {
                    acked.lock().unwrap().insert(key);
                }
            }
        });
    }
    while acked.lock().unwrap().len() < HAND_INS / 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    killed.store(true, Ordering::SeqCst);
    while burst.join_next().await.is_some() {}
    let acked_before_kill = acked.lock().unwrap().clone();

    // Restart on the same data; every client retries what it has not seen
    // acknowledged, and some acknowledged ones again, with the same keys.
    let server = start(dir.path(), &env).await;
    let mut retried_acked = 0;
    let mut in_use_waits = 0;
    for key in &keys {
        let again = acked_before_kill.contains(key);
        if again && retried_acked >= 50 {
            continue;
        }
        retried_acked += usize::from(again);
        // A request cut off by the kill still holds its key until the
        // lock expires (60 s): the server answers 409
        // idempotency_key_in_use and the client retries, as documented.
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        loop {
            let r = client
                .post(format!(
                    "{}/api/v1/assignments/{assignment}/submissions",
                    server.base
                ))
                .bearer_auth(&student)
                .header("Idempotency-Key", key)
                .json(&json!({"text": format!("<p>версия {key}</p>")}))
                .send()
                .await
                .unwrap();
            let status = r.status();
            if status.is_success() {
                break;
            }
            let body: Value = r.json().await.unwrap_or(Value::Null);
            assert_eq!(
                (status.as_u16(), body["error"]["code"].as_str()),
                (409, Some("idempotency_key_in_use")),
                "retry of {key} after the restart: {body}"
            );
            assert!(std::time::Instant::now() < deadline, "{key} stayed locked");
            in_use_waits += 1;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    let (status, mine) = call(
        &client,
        reqwest::Method::GET,
        format!(
            "{}/api/v1/assignments/{assignment}/submissions/me",
            server.base
        ),
        &student,
        None,
    )
    .await;
    assert_eq!(status, 200, "{mine}");
    let versions = mine["submission"]["versions"]
        .as_array()
        .or_else(|| mine["versions"].as_array())
        .unwrap_or_else(|| panic!("no versions in {mine}"));
    let texts: Vec<String> = versions
        .iter()
        .map(|v| v["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    let stored: BTreeSet<&str> = keys
        .iter()
        .filter(|k| texts.iter().any(|t| t.contains(&format!("версия {k}<"))))
        .map(String::as_str)
        .collect();
    let lost: Vec<&String> = acked_before_kill
        .iter()
        .filter(|k| !stored.contains(k.as_str()))
        .collect();
    eprintln!(
        "kill -9 burst: {HAND_INS} hand-ins, {} acknowledged before the kill, {} versions stored, \
         {} acknowledged ones retried, {} answers 409 while a killed request's key was locked, \
         lost {}, doubled {}",
        acked_before_kill.len(),
        versions.len(),
        retried_acked,
        in_use_waits,
        lost.len(),
        versions.len() - stored.len()
    );
    assert!(lost.is_empty(), "acknowledged hand-ins lost: {lost:?}");
    assert_eq!(
        versions.len(),
        HAND_INS,
        "every hand-in stored exactly once"
    );
    assert_eq!(stored.len(), HAND_INS, "no key stored twice");
    let numbers: Vec<u64> = versions
        .iter()
        .filter_map(|v| v["number"].as_u64())
        .collect();
    let expected: Vec<u64> = (1..=HAND_INS as u64).collect();
    let mut sorted = numbers.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted, expected,
        "versions numbered 1..{HAND_INS} without gaps"
    );
}

/// A TCP proxy in front of PostgreSQL that can go down (dropping every
/// connection and refusing new ones, as a restarting server does) and come
/// back on the same port.
struct PgProxy {
    port: u16,
    up: Arc<AtomicBool>,
    generation: Arc<std::sync::atomic::AtomicU64>,
}

impl PgProxy {
    async fn start(target: String) -> Self {
        let port = free_port();
        let up = Arc::new(AtomicBool::new(true));
        let generation = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (u, g) = (up.clone(), generation.clone());
        tokio::spawn(async move {
            loop {
                if !u.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
                let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
                let mine = g.load(Ordering::SeqCst);
                loop {
                    let accepted = tokio::select! {
                        a = listener.accept() => a,
                        () = tokio::time::sleep(Duration::from_millis(20)) => {
                            if g.load(Ordering::SeqCst) != mine { break; }
                            continue;
                        }
                    };
                    let Ok((mut inbound, _)) = accepted else {
                        continue;
                    };
                    let (target, g2) = (target.clone(), g.clone());
                    tokio::spawn(async move {
                        let Ok(mut outbound) = TcpStream::connect(&target).await else {
                            return;
                        };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                            () = async {
                                while g2.load(Ordering::SeqCst) == mine {
                                    tokio::time::sleep(Duration::from_millis(20)).await;
                                }
                            } => {}
                        }
                    });
                }
                // Down: the listener is dropped (new connections are
                // refused) and every connection of this generation closes.
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        Self {
            port,
            up,
            generation,
        }
    }

    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_outage_answers_503_and_the_server_recovers() {
    let url = fresh_database_url().await;
    let rest = url.split_once("://").unwrap().1;
    let (authority, db) = rest.split_once('/').unwrap();
    let (user, host) = authority.split_once('@').unwrap();
    let proxy = PgProxy::start(host.to_owned()).await;
    let proxied = format!("postgres://{user}@127.0.0.1:{}/{db}", proxy.port);
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        dir.path(),
        &[
            ("LMS_DEMO", "true"),
            ("LMS_WORKER", "off"),
            ("LMS_DATABASE_URL", &proxied),
        ],
    )
    .await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let teacher = login(&client, &server.base, "teacher@demo.school").await;
    let courses = format!("{}/api/v1/courses", server.base);
    let (status, _) = call(
        &client,
        reqwest::Method::GET,
        courses.clone(),
        &teacher,
        None,
    )
    .await;
    assert_eq!(status, 200);

    proxy.down();
    // The proxy closes its connections within a few milliseconds.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut outage = JoinSet::new();
    for _ in 0..3 {
        let (client, courses, teacher) = (client.clone(), courses.clone(), teacher.clone());
        outage.spawn(
            async move { call(&client, reqwest::Method::GET, courses, &teacher, None).await },
        );
    }
    let ready = client
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .unwrap()
        .status();
    let mut answers = Vec::new();
    while let Some(a) = outage.join_next().await {
        answers.push(a.unwrap());
    }
    for (status, body) in &answers {
        assert_eq!(*status, 503, "{body}");
        assert!(body["error"]["code"].is_string(), "a JSON error: {body}");
    }
    assert_eq!(ready.as_u16(), 503, "not ready while the database is away");

    // PostgreSQL is back: the same process serves again.
    proxy.up();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = call(
            &client,
            reqwest::Method::GET,
            courses.clone(),
            &teacher,
            None,
        )
        .await;
        if status == 200 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not recovered: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    eprintln!(
        "PostgreSQL outage: {} requests during it, all 503 with a JSON error; recovered without a restart",
        answers.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_refuses_uploads_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    // A 1 MiB file system for the uploads (the tests run as root here; the
    // process-level suite needs it).
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&files)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        mounted,
        "mounting a 1 MiB tmpfs failed: run this test as root"
    );
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(files.clone());
    let server = start(
        dir.path(),
        &[
            ("LMS_DEMO", "true"),
            ("LMS_WORKER", "off"),
            ("LMS_FILES", files.to_str().unwrap()),
        ],
    )
    .await;
    let client = reqwest::Client::new();
    let student = login(&client, &server.base, "student1@demo.school").await;
    let upload = |name: &str, size: usize| {
        let part = reqwest::multipart::Part::bytes(vec![b'%'; size]).file_name(name.to_owned());
        client
            .post(format!("{}/api/v1/files", server.base))
            .bearer_auth(&student)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let small = upload("small.pdf", 100 * 1024).await.unwrap();
    assert_eq!(small.status().as_u16(), 201);
    let big = upload("big.pdf", 3 * 1024 * 1024).await.unwrap();
    let status = big.status().as_u16();
    let body: Value = big.json().await.unwrap();
    assert_eq!(status, 507, "{body}");
    assert_eq!(body["error"]["code"], "insufficient_storage", "{body}");
    // Nothing half-stored: only the small upload's bytes are on the disk,
    // and a small upload works again at once.
    let stored: u64 = walk(&files)
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert_eq!(
        stored,
        100 * 1024,
        "only the acknowledged upload is on disk"
    );
    let again = upload("again.pdf", 10 * 1024).await.unwrap();
    assert_eq!(again.status().as_u16(), 201);
    eprintln!("full disk: a 3 MiB upload to a 1 MiB disk answered 507, 0 bytes left behind");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
