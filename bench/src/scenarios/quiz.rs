//! Scenario 3, the synchronized quiz start: every student of the mock exam
//! starts the same 20-question quiz at the same moment, autosaves a quarter
//! of the answers every few seconds, then submits. No saved answer may be
//! lost (every attempt scores full marks) and every attempt must be graded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Barrier;

use crate::Scale;
use crate::load::{histogram, percentiles};
use crate::report::{Check, QuizResult, StorageReport};
use crate::school::{Db, School, answers_json, attempt_answers};
use crate::server::Process;

#[derive(Default)]
struct Outcome {
    start_us: u64,
    save_us: Vec<u64>,
    submit_us: u64,
    score: Option<f64>,
    error: Option<String>,
}

async fn take(
    client: reqwest::Client,
    base: String,
    token: String,
    school: Arc<School>,
    s: usize,
    every: f64,
    go: Arc<Barrier>,
) -> Outcome {
    let mut o = Outcome::default();
    go.wait().await;
    let t = Instant::now();
    let started = client
        .post(format!("{base}/api/v1/quizzes/{}/attempts", school.quiz.id))
        .bearer_auth(&token)
        .send()
        .await;
    let view: Value = match started {
        Ok(r) if r.status().as_u16() == 201 => r.json().await.unwrap_or_default(),
        Ok(r) => {
            o.error = Some(format!("start: {}", r.status()));
            return o;
        }
        Err(e) => {
            o.error = Some(format!("start: {e}"));
            return o;
        }
    };
    o.start_us = t.elapsed().as_micros() as u64;
    let attempt = view["attempt_id"].as_str().unwrap_or_default().to_owned();
    let answers = attempt_answers(&school.quiz, &view);
    if answers.len() != 20 {
        o.error = Some(format!("start: {} questions, not 20", answers.len()));
        return o;
    }
    for chunk in 0..4 {
        // Students think at different speeds: 0.5× to 1.4× the interval.
        let pause = every * (0.5 + ((s + chunk) % 10) as f64 / 10.0);
        tokio::time::sleep(Duration::from_secs_f64(pause)).await;
        let t = Instant::now();
        let saved = client
            .put(format!("{base}/api/v1/attempts/{attempt}/answers"))
            .bearer_auth(&token)
            .json(&answers_json(&answers[chunk * 5..chunk * 5 + 5]))
            .send()
            .await;
        match saved {
            Ok(r) if r.status().is_success() => {
                let _ = r.bytes().await;
            }
            Ok(r) => {
                o.error = Some(format!("autosave: {}", r.status()));
                return o;
            }
            Err(e) => {
                o.error = Some(format!("autosave: {e}"));
                return o;
            }
        }
        o.save_us.push(t.elapsed().as_micros() as u64);
    }
    let t = Instant::now();
    let submitted = client
        .post(format!("{base}/api/v1/attempts/{attempt}/submit"))
        .bearer_auth(&token)
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&serde_json::json!({}))
        .send()
        .await;
    match submitted {
        Ok(r) if r.status().is_success() => {
            let v: Value = r.json().await.unwrap_or_default();
            o.score = v["attempt"]["result"]["score"].as_f64();
        }
        Ok(r) => o.error = Some(format!("submit: {}", r.status())),
        Err(e) => o.error = Some(format!("submit: {e}")),
    }
    o.submit_us = t.elapsed().as_micros() as u64;
    o
}

/// Runs the quiz start and checks the attempts.
pub async fn run(
    client: &reqwest::Client,
    server: &Process,
    db: &Db,
    school: &School,
    scale: &Scale,
    out: &mut StorageReport,
) {
    let takers = school.quiz.students.clone();
    let go = Arc::new(Barrier::new(takers.len()));
    let shared = Arc::new(school.clone());
    let cpu_before = server.cpu_secs();
    let started = Instant::now();
    let tasks: Vec<_> = takers
        .iter()
        .map(|&s| {
            tokio::spawn(take(
                client.clone(),
                server.base.clone(),
                school.students[s].token.clone(),
                shared.clone(),
                s,
                scale.autosave_every_secs,
                go.clone(),
            ))
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.expect("quiz taker"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = server.cpu_secs() - cpu_before;
    let (mut start, mut save, mut submit) = (histogram(), histogram(), histogram());
    let mut errors = Vec::new();
    let mut short = 0;
    let mut requests = 0u64;
    for o in &outcomes {
        if let Some(e) = &o.error {
            errors.push(e.clone());
            continue;
        }
        start.saturating_record(o.start_us);
        for &us in &o.save_us {
            save.saturating_record(us);
        }
        submit.saturating_record(o.submit_us);
        requests += 2 + o.save_us.len() as u64;
        if o.score != Some(school.quiz.max_score) {
            short += 1;
        }
    }
    let id = school.quiz.id.0;
    let finished = db
        .count(
            "SELECT count(*) FROM attempts WHERE quiz_id = $1 AND state = 'submitted'",
            Some(id),
        )
        .await;
    let n = takers.len() as i64;
    out.checks.push(Check::new(
        "quiz start: every student started, saved and submitted",
        errors.is_empty(),
        errors
            .first()
            .cloned()
            .unwrap_or_else(|| format!("{n} attempts")),
    ));
    out.checks.push(Check::new(
        "quiz start: no saved answer lost (every attempt scores full marks)",
        short == 0,
        format!("{short} attempts short of {}", school.quiz.max_score),
    ));
    out.checks.push(Check::new(
        "quiz start: every attempt graded in the database",
        finished == n,
        format!("{finished} of {n} attempts submitted"),
    ));
    let (start_p50, start_p99, start_max) = percentiles(&start);
    let (_, save_p99, _) = percentiles(&save);
    let (_, submit_p99, _) = percentiles(&submit);
    out.quiz = Some(QuizResult {
        students: takers.len(),
        start_p50_ms: start_p50,
        start_p99_ms: start_p99,
        start_max_ms: start_max,
        autosave_p99_ms: save_p99,
        submit_p99_ms: submit_p99,
        secs: elapsed,
        cpu_per_1000: cpu * 1000.0 / requests.max(1) as f64,
    });
}
