//! Scenario 1, evening reads: the pages students open at night (dashboard,
//! course, lesson, a month's schedule, the calendar feed, notifications)
//! and the staff's grading queue and gradebook of a big course; each route
//! alone at several concurrency levels, then the mix, against the
//! one-lookup ceiling measured in the same run.

use std::sync::Arc;

use chrono::{Duration, Utc};

use crate::Args;
use crate::load::{self, MakeRequest, pick};
use crate::report::{Check, RouteResult, StorageReport};
use crate::school::{Db, School};
use crate::server::{Process, RssSampler};

/// The bound on p99 under which a level counts.
pub const READ_P99_MS: f64 = 50.0;

/// A student's GET of `path(school, student, seq)` with that student's
/// bearer token.
fn student_get(
    client: &reqwest::Client,
    base: &str,
    school: &Arc<School>,
    path: impl Fn(&School, usize, u64) -> String + Send + Sync + 'static,
) -> MakeRequest {
    let (client, base, school) = (client.clone(), base.to_owned(), school.clone());
    Arc::new(move |seq| {
        let s = pick(seq, school.students.len());
        client
            .get(format!("{base}{}", path(&school, s, seq)))
            .bearer_auth(&school.students[s].token)
    })
}

/// The routes of the evening, each with a request maker.
fn routes(
    client: &reqwest::Client,
    base: &str,
    school: &School,
) -> Vec<(&'static str, MakeRequest)> {
    let school = Arc::new(school.clone());
    let from = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let to = from + Duration::days(30);
    let month = format!(
        "/api/v1/schedule?from={}&to={}",
        from.format("%Y-%m-%dT%H:%M:%SZ"),
        to.format("%Y-%m-%dT%H:%M:%SZ")
    );
    let big = school.courses[0].id;
    let staff = |path: String| -> MakeRequest {
        let (client, url, token) = (
            client.clone(),
            format!("{base}{path}"),
            school.teacher.token.clone(),
        );
        Arc::new(move |_| client.get(&url).bearer_auth(&token))
    };
    vec![
        (
            "GET /auth/me",
            student_get(client, base, &school, |_, _, _| {
                "/api/v1/auth/me".to_owned()
            }),
        ),
        (
            "GET /dashboard/student",
            student_get(client, base, &school, |_, _, _| {
                "/api/v1/dashboard/student".to_owned()
            }),
        ),
        (
            "GET /courses/{id}",
            // One of the student's three courses.
            student_get(client, base, &school, |sc, s, seq| {
                let c = (s + (seq as usize % 3)) % sc.courses.len();
                format!("/api/v1/courses/{}", sc.courses[c].id)
            }),
        ),
        (
            "GET /lessons/{id}",
            // A lesson the student has opened before (seeded as viewed).
            student_get(client, base, &school, |sc, s, _| {
                format!(
                    "/api/v1/lessons/{}",
                    sc.courses[s % sc.courses.len()].lessons[0]
                )
            }),
        ),
        (
            "GET /schedule (a month)",
            student_get(client, base, &school, move |_, _, _| month.clone()),
        ),
        (
            "GET /ical/{token}.ics",
            student_get(client, base, &school, |sc, s, _| {
                format!("/ical/{}.ics", sc.students[s].feed)
            }),
        ),
        (
            "GET /notifications",
            student_get(client, base, &school, |_, _, _| {
                "/api/v1/notifications".to_owned()
            }),
        ),
        (
            "GET /grading-queue (staff, big course)",
            staff(format!("/api/v1/grading-queue?course_id={big}")),
        ),
        (
            "GET /courses/{id}/gradebook (staff, big course)",
            staff(format!("/api/v1/courses/{big}/gradebook")),
        ),
    ]
}

/// The evening's mix: one request in 20 is staff work, the rest students'.
fn mix(routes: &[(&'static str, MakeRequest)]) -> MakeRequest {
    // Weights in twentieths: me 2, dashboard 4, course 3, lesson 4,
    // schedule 2, ical 1, notifications 2, grading queue 1, gradebook 1.
    const PLAN: [usize; 20] = [0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 6, 6, 7, 8];
    let makers: Vec<MakeRequest> = routes.iter().map(|(_, m)| m.clone()).collect();
    Arc::new(move |seq| makers[PLAN[(seq % 20) as usize]](seq / 20))
}

/// SQL statements per request of every read route (and a login), counted
/// on a server that logs each statement: three rounds of ten sequential
/// requests, the smallest round kept (a stray background statement cannot
/// inflate it).
pub async fn count_round_trips(
    client: &reqwest::Client,
    server: &Process,
    school: &School,
) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let routes = routes(client, &server.base, school);
    for (name, make) in &routes {
        let mut best = f64::MAX;
        for round in 0..3u64 {
            let before = server.statements();
            for i in 0..10 {
                let resp = make(round * 10 + i + 1).send().await.expect("request");
                assert!(resp.status().is_success(), "{name}: {}", resp.status());
                let _ = resp.bytes().await;
            }
            // The log line of the last statement may still be in the pipe.
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
            best = best.min((server.statements() - before) as f64 / 10.0);
        }
        out.push(((*name).to_owned(), best));
    }
    let before = server.statements();
    for s in &school.students[..5] {
        let resp = client
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&serde_json::json!({"email": s.email, "password": crate::school::PASSWORD}))
            .send()
            .await
            .expect("login");
        assert!(resp.status().is_success(), "login: {}", resp.status());
    }
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    out.push((
        "POST /auth/login".to_owned(),
        (server.statements() - before) as f64 / 5.0,
    ));
    out
}

/// Runs every read route, the mix and the ceilings.
pub async fn run(
    client: &reqwest::Client,
    server: &Process,
    ceiling: &Process,
    db: &Db,
    school: &School,
    args: &Args,
    out: &mut StorageReport,
) {
    let (scale, only) = (&args.scale, args.only.as_deref());
    // The ceilings first, on the same database and machine.
    let ids: Arc<Vec<String>> =
        Arc::new(school.students.iter().map(|s| s.id.to_string()).collect());
    let read_ceiling: MakeRequest = {
        let (client, base, ids) = (client.clone(), ceiling.base.clone(), ids.clone());
        Arc::new(move |seq| client.get(format!("{base}/read/{}", ids[pick(seq, ids.len())])))
    };
    let write_ceiling: MakeRequest = {
        let (client, base) = (client.clone(), ceiling.base.clone());
        Arc::new(move |_| client.post(format!("{base}/write")))
    };
    out.ceiling_read = Some(
        load::curve(
            &read_ceiling,
            &scale.levels,
            scale.read_secs,
            ceiling,
            READ_P99_MS,
        )
        .await,
    );
    out.ceiling_write = Some(
        load::curve(
            &write_ceiling,
            &scale.levels,
            scale.read_secs,
            ceiling,
            READ_P99_MS,
        )
        .await,
    );
    if db.kind == crate::StorageKind::Postgres {
        out.pgbench_inserts =
            crate::ceiling::pgbench_inserts(&db.url, 8, scale.read_secs.ceil().max(2.0) as u64)
                .await;
    }
    let ceiling_rps = out.ceiling_read.as_ref().map_or(0.0, |c| c.best().rps);

    let routes = routes(client, &server.base, school);
    let sampler = RssSampler::start(server.pid);
    let mix = ("mix of the evening", mix(&routes));
    let all = routes.iter().chain(std::iter::once(&mix));
    for (name, make) in all.filter(|(name, _)| only.is_none_or(|o| name.contains(o))) {
        let curve = load::curve(make, &scale.levels, scale.read_secs, server, READ_P99_MS).await;
        let errors = curve.errors();
        out.checks.push(Check::new(
            &format!("{name}: every answer a success"),
            errors == 0,
            format!("{errors} errors"),
        ));
        let round_trips = out
            .round_trips
            .iter()
            .find(|(r, _)| r == name)
            .map(|(_, n)| *n);
        out.reads.push(RouteResult {
            route: (*name).to_owned(),
            ratio: if ceiling_rps > 0.0 {
                curve.best().rps / ceiling_rps
            } else {
                0.0
            },
            round_trips,
            curve,
        });
    }
    out.rss_reads_peak_mib = sampler.finish();
    out.rss_after_reads_mib = server.memory_mib().0;
}
