//! Scenario 2, the deadline rush: students of the big course hand in the
//! same assignment at once, each a text and a 200 KB file (upload, then
//! hand-in with an `Idempotency-Key`); every tenth sends its hand-in twice
//! with the same key, as a flaky connection does. Exactly one version per
//! student must be stored, and every file must read back byte for byte.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::Scale;
use crate::load::{histogram, percentiles};
use crate::report::{Check, RushResult, StorageReport};
use crate::school::{Db, School};
use crate::server::Process;

/// Size of every handed-in file.
const FILE_BYTES: usize = 200 * 1024;
/// Hand-ins in flight at once.
const IN_FLIGHT: usize = 32;
const BOUNDARY: &str = "lms-bench-7d3f2a";

/// The file student `s` hands in: a recognisable text of 200 KB.
fn file_of(s: usize) -> Vec<u8> {
    let line = format!("Решение ученика {s}: D = b² − 4ac; корни x₁, x₂.\n");
    line.as_bytes()
        .iter()
        .copied()
        .cycle()
        .take(FILE_BYTES)
        .collect()
}

fn multipart(bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"reshenie.txt\"\r\nContent-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

struct Outcome {
    hand_in_us: u64,
    submit_us: u64,
    file_id: String,
    retried_ok: Option<bool>,
    error: Option<String>,
}

async fn hand_in(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    assignment: &str,
    s: usize,
) -> Outcome {
    let fail = |e: String| Outcome {
        hand_in_us: 0,
        submit_us: 0,
        file_id: String::new(),
        retried_ok: None,
        error: Some(e),
    };
    let started = Instant::now();
    let upload = client
        .post(format!("{base}/api/v1/files?assignment_id={assignment}"))
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(&file_of(s)))
        .send()
        .await;
    let file: Value = match upload {
        Ok(r) if r.status().as_u16() == 201 => match r.json().await {
            Ok(v) => v,
            Err(e) => return fail(format!("upload answer: {e}")),
        },
        Ok(r) => return fail(format!("upload: {}", r.status())),
        Err(e) => return fail(format!("upload: {e}")),
    };
    let file_id = file["id"].as_str().unwrap_or_default().to_owned();
    let body = json!({
        "text": format!("<p>Решение ученика {s}: ответ 1 и 2.</p>"),
        "file_ids": [file_id],
    });
    let key = uuid::Uuid::new_v4().to_string();
    let submit = || {
        client
            .post(format!(
                "{base}/api/v1/assignments/{assignment}/submissions"
            ))
            .bearer_auth(token)
            .header("idempotency-key", &key)
            .json(&body)
            .send()
    };
    let t = Instant::now();
    match submit().await {
        Ok(r) if r.status().as_u16() == 201 => {
            let _ = r.bytes().await;
        }
        Ok(r) => return fail(format!("hand-in: {}", r.status())),
        Err(e) => return fail(format!("hand-in: {e}")),
    }
    let submit_us = t.elapsed().as_micros() as u64;
    let hand_in_us = started.elapsed().as_micros() as u64;
    // Every tenth student's connection drops the answer: the same request
    // again, with the same key, must not store a second version.
    let retried_ok = if s.is_multiple_of(10) {
        Some(match submit().await {
            Ok(r) => {
                let replayed = r.headers().contains_key("idempotent-replayed");
                let ok = r.status().is_success();
                let v: Value = r.json().await.unwrap_or_default();
                ok && (replayed || v["duplicate"] == json!(true))
            }
            Err(_) => false,
        })
    } else {
        None
    };
    Outcome {
        hand_in_us,
        submit_us,
        file_id,
        retried_ok,
        error: None,
    }
}

/// Runs the rush and checks what was stored.
pub async fn run(
    client: &reqwest::Client,
    server: &Process,
    db: &Db,
    school: &School,
    scale: &Scale,
    out: &mut StorageReport,
) {
    let students: Vec<usize> = school.courses[0]
        .students
        .iter()
        .copied()
        .take(scale.rush)
        .collect();
    let assignment = school.rush_assignment.to_string();
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let cpu_before = server.cpu_secs();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for &s in &students {
        let (client, base, token, assignment, permits) = (
            client.clone(),
            server.base.clone(),
            school.students[s].token.clone(),
            assignment.clone(),
            permits.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore");
            (s, hand_in(&client, &base, &token, &assignment, s).await)
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.expect("hand-in task"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = server.cpu_secs() - cpu_before;

    let (mut whole, mut submit) = (histogram(), histogram());
    let mut errors = Vec::new();
    let mut retries = (0, 0);
    for (_, o) in &outcomes {
        if let Some(e) = &o.error {
            errors.push(e.clone());
            continue;
        }
        whole.saturating_record(o.hand_in_us);
        submit.saturating_record(o.submit_us);
        if let Some(ok) = o.retried_ok {
            retries.0 += 1;
            if ok {
                retries.1 += 1;
            }
        }
    }
    let id = uuid::Uuid::parse_str(&assignment).expect("assignment id");
    let versions = db
        .count(
            "SELECT count(*) FROM submission_versions v JOIN submissions s ON s.id = v.submission_id WHERE s.assignment_id = $1",
            Some(id),
        )
        .await;
    let attached = db
        .count(
            "SELECT count(*) FROM files f JOIN submissions s ON s.id = f.submission_id WHERE s.assignment_id = $1",
            Some(id),
        )
        .await;
    // Every file reads back, byte for byte, for its student.
    let mut unreadable = 0;
    for (s, o) in outcomes.iter().filter(|(_, o)| o.error.is_none()) {
        let got = client
            .get(format!("{}/api/v1/files/{}", server.base, o.file_id))
            .bearer_auth(&school.students[*s].token)
            .send()
            .await;
        let same = match got {
            Ok(r) if r.status().is_success() => {
                r.bytes().await.is_ok_and(|b| b[..] == file_of(*s)[..])
            }
            _ => false,
        };
        if !same {
            unreadable += 1;
        }
    }
    let n = students.len() as i64;
    out.checks.push(Check::new(
        "deadline rush: every hand-in accepted",
        errors.is_empty(),
        errors
            .first()
            .cloned()
            .unwrap_or_else(|| format!("{n} accepted")),
    ));
    out.checks.push(Check::new(
        "deadline rush: exactly one version per student (retries with the same key store nothing)",
        versions == n && retries.0 == retries.1,
        format!(
            "{versions} versions for {n} students; {} of {} retries answered as duplicates",
            retries.1, retries.0
        ),
    ));
    out.checks.push(Check::new(
        "deadline rush: every file attached and readable byte for byte",
        attached == n && unreadable == 0,
        format!("{attached} attached, {unreadable} unreadable"),
    ));
    let (p50, p99, max) = percentiles(&whole);
    let (_, submit_p99, _) = percentiles(&submit);
    out.rush = Some(RushResult {
        students: students.len(),
        retries: retries.0,
        secs: elapsed,
        hand_ins_per_sec: students.len() as f64 / elapsed,
        p50_ms: p50,
        p99_ms: p99,
        max_ms: max,
        submit_p99_ms: submit_p99,
        cpu_per_1000: cpu * 1000.0 / students.len().max(1) as f64,
        versions,
    });
}
