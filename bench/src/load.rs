//! Closed-loop load: `concurrency` workers each send a request, wait for the
//! whole answer, record its latency and send the next, for a fixed time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::server::Process;

/// Latencies in microseconds, up to a minute.
#[must_use]
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds")
}

/// Percentiles of a histogram, in milliseconds: (p50, p99, max).
#[must_use]
pub fn percentiles(h: &Histogram<u64>) -> (f64, f64, f64) {
    let ms = |us: u64| us as f64 / 1000.0;
    (
        ms(h.value_at_quantile(0.5)),
        ms(h.value_at_quantile(0.99)),
        ms(h.max()),
    )
}

/// One run at one concurrency.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// Workers.
    pub concurrency: usize,
    /// Answers with a success status.
    pub ok: u64,
    /// Answers with another status, or transport errors.
    pub errors: u64,
    /// Requests per second (successful ones).
    pub rps: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// CPU seconds the measured process used per 1,000 requests.
    pub cpu_per_1000: f64,
}

/// The result of a route over every level tried.
#[derive(Debug, Clone, Serialize)]
pub struct Curve {
    /// Every level, in order.
    pub runs: Vec<Run>,
    /// The index of the best run whose p99 stays under the bound, or of the
    /// fastest run when none does.
    pub best: usize,
    /// Whether the best run met the p99 bound.
    pub within_bound: bool,
}

impl Curve {
    /// The reported run.
    #[must_use]
    pub fn best(&self) -> &Run {
        &self.runs[self.best]
    }

    /// Errors over every level.
    #[must_use]
    pub fn errors(&self) -> u64 {
        self.runs.iter().map(|r| r.errors).sum()
    }
}

/// Makes request number `n` of a route.
pub type MakeRequest = Arc<dyn Fn(u64) -> reqwest::RequestBuilder + Send + Sync>;

/// Runs `make` at each of `levels` for `secs` seconds each, measuring the
/// CPU of `target`; picks the highest throughput whose p99 stays under
/// `p99_bound_ms`.
pub async fn curve(
    make: &MakeRequest,
    levels: &[usize],
    secs: f64,
    target: &Process,
    p99_bound_ms: f64,
) -> Curve {
    let mut runs = Vec::new();
    for &c in levels {
        runs.push(run(make, c, secs, target).await);
    }
    let within = runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.p99_ms < p99_bound_ms && r.errors == 0)
        .max_by(|a, b| a.1.rps.total_cmp(&b.1.rps))
        .map(|(i, _)| i);
    let best = within.unwrap_or_else(|| {
        runs.iter()
            .enumerate()
            .max_by(|a, b| a.1.rps.total_cmp(&b.1.rps))
            .map_or(0, |(i, _)| i)
    });
    Curve {
        runs,
        best,
        within_bound: within.is_some(),
    }
}

/// One closed-loop run.
pub async fn run(make: &MakeRequest, concurrency: usize, secs: f64, target: &Process) -> Run {
    let cpu_before = target.cpu_secs();
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(secs);
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let make = make.clone();
        workers.push(tokio::spawn(async move {
            let mut h = histogram();
            let (mut ok, mut errors) = (0u64, 0u64);
            let mut n = w as u64 * 1_000_003;
            while Instant::now() < until {
                n += 1;
                let t = Instant::now();
                let good = match make(n).send().await {
                    Ok(resp) => {
                        let success = resp.status().is_success();
                        resp.bytes().await.is_ok() && success
                    }
                    Err(_) => false,
                };
                if good {
                    ok += 1;
                    h.saturating_record(t.elapsed().as_micros() as u64);
                } else {
                    errors += 1;
                }
            }
            (h, ok, errors)
        }));
    }
    let mut h = histogram();
    let (mut ok, mut errors) = (0, 0);
    for w in workers {
        let (wh, wok, werr) = w.await.expect("load worker");
        h.add(&wh).expect("same bounds");
        ok += wok;
        errors += werr;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = target.cpu_secs() - cpu_before;
    let (p50_ms, p99_ms, _) = percentiles(&h);
    Run {
        concurrency,
        ok,
        errors,
        rps: ok as f64 / elapsed,
        p50_ms,
        p99_ms,
        cpu_per_1000: if ok == 0 {
            0.0
        } else {
            cpu * 1000.0 / ok as f64
        },
    }
}

/// Deterministic spread of request numbers over `n` items (a multiplicative
/// hash, so consecutive requests hit different students).
#[must_use]
pub fn pick(seq: u64, n: usize) -> usize {
    (seq.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 17) as usize % n.max(1)
}
