//! Benchmark of the CSV import (issue #14): an admin posts a file of N new
//! students (default 10,000) to the real HTTP API, first as a dry run, then
//! for real, then the same file again; the results are checked in the
//! database. The ceiling, measured in the same run on the same database, is
//! a minimal program writing the same rows (accounts, invitations, outbox
//! e-mails) with plain INSERTs in one transaction.
//!
//! ```text
//! cargo run --release -p lms-server --example import_bench -- [rows] [sqlite|postgres|both]
//! ```
//!
//! PostgreSQL: `DATABASE_URL` names a server (a throwaway database is
//! created on it), else a throwaway server is started from the local
//! binaries. Prints one Markdown table row per storage.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lms_core::Lms;
use lms_core::clock::SystemClock;
use lms_core::course::{CourseStatus, NewCourse, Title};
use lms_core::ports::Storage;
use lms_core::richtext::RichText;
use lms_core::user::{DisplayName, Email, Locale, Role, TimeZone, User};
use lms_http::{AppState, HttpConfig};
use serde_json::Value;

enum Db {
    Sqlite(lms_storage_sqlite::SqliteStorage),
    Postgres(lms_storage_postgres::PgStorage),
}

impl Db {
    fn name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }

    fn storage(&self) -> Storage {
        match self {
            Self::Sqlite(s) => s.storage(),
            Self::Postgres(s) => s.storage(),
        }
    }

    /// Rows of `table` whose e-mail-ish column starts with `bench`.
    async fn count(&self, sql_sqlite: &'static str, sql_pg: &'static str) -> i64 {
        match self {
            Self::Sqlite(s) => sqlx::query_scalar(sql_sqlite)
                .fetch_one(s.pool())
                .await
                .expect("count"),
            Self::Postgres(s) => sqlx::query_scalar(sql_pg)
                .fetch_one(s.pool())
                .await
                .expect("count"),
        }
    }

    /// The ceiling: the same rows written by a minimal program, one INSERT
    /// per row in one transaction, into copies of the three tables.
    async fn ceiling(&self, rows: usize) -> Duration {
        match self {
            Self::Sqlite(s) => {
                let pool = s.pool();
                for ddl in [
                    "CREATE TABLE c_users AS SELECT * FROM users WHERE 0",
                    "CREATE TABLE c_invitations AS SELECT * FROM invitations WHERE 0",
                    "CREATE TABLE c_outbox AS SELECT * FROM outbox WHERE 0",
                ] {
                    sqlx::query(ddl).execute(pool).await.expect("ddl");
                }
                let started = Instant::now();
                let mut tx = pool.begin().await.expect("begin");
                for i in 0..rows {
                    let id = uuid::Uuid::new_v4();
                    let email = format!("ceiling{i}@school.example");
                    sqlx::query("INSERT INTO c_users (id, email, display_name, role, locale, time_zone, active, created_at) VALUES (?, ?, 'Ученик', 'student', 'ru', 'Europe/Moscow', 0, 0)")
                        .bind(id).bind(&email).execute(&mut *tx).await.expect("user");
                    sqlx::query("INSERT INTO c_invitations (id, user_id, email, role, course_ids, invited_by, status, send_count, created_at, expires_at, token_hash) VALUES (?, ?, ?, 'student', '[]', ?, 'pending', 1, 0, 0, ?)")
                        .bind(uuid::Uuid::new_v4()).bind(id).bind(&email).bind(id).bind(email.clone())
                        .execute(&mut *tx).await.expect("invitation");
                    sqlx::query("INSERT INTO c_outbox (id, dedup_key, recipient_id, channel, notification, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'email', '{}', 'pending', 0, 0, 0)")
                        .bind(uuid::Uuid::new_v4()).bind(email).bind(id)
                        .execute(&mut *tx).await.expect("outbox");
                }
                tx.commit().await.expect("commit");
                started.elapsed()
            }
            Self::Postgres(s) => {
                let pool = s.pool();
                for ddl in [
                    "CREATE TABLE c_users (LIKE users INCLUDING ALL)",
                    "CREATE TABLE c_invitations (LIKE invitations INCLUDING ALL)",
                    "CREATE TABLE c_outbox (LIKE outbox INCLUDING ALL)",
                ] {
                    sqlx::query(ddl).execute(pool).await.expect("ddl");
                }
                let started = Instant::now();
                let mut tx = pool.begin().await.expect("begin");
                let now = chrono::Utc::now();
                for i in 0..rows {
                    let id = uuid::Uuid::new_v4();
                    let email = format!("ceiling{i}@school.example");
                    sqlx::query("INSERT INTO c_users (id, email, display_name, role, locale, time_zone, active, created_at) VALUES ($1, $2, 'Ученик', 'student', 'ru', 'Europe/Moscow', false, $3)")
                        .bind(id).bind(&email).bind(now).execute(&mut *tx).await.expect("user");
                    sqlx::query("INSERT INTO c_invitations (id, user_id, email, role, course_ids, invited_by, status, send_count, created_at, expires_at, token_hash) VALUES ($1, $2, $3, 'student', '[]', $2, 'pending', 1, $4, $4, $3)")
                        .bind(uuid::Uuid::new_v4()).bind(id).bind(&email).bind(now)
                        .execute(&mut *tx).await.expect("invitation");
                    sqlx::query("INSERT INTO c_outbox (id, dedup_key, recipient_id, channel, notification, status, attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, 'email', '{}', 'pending', 0, $4, $4)")
                        .bind(uuid::Uuid::new_v4()).bind(email).bind(id).bind(now)
                        .execute(&mut *tx).await.expect("outbox");
                }
                tx.commit().await.expect("commit");
                started.elapsed()
            }
        }
    }
}

fn user(role: Role, email: &str) -> User {
    User {
        id: lms_core::UserId::new(),
        email: Email::parse(email).expect("email"),
        display_name: DisplayName::parse("Администратор").expect("name"),
        role,
        locale: Locale::Ru,
        time_zone: TimeZone::parse("Europe/Moscow").expect("tz"),
        active: true,
        created_at: chrono::Utc::now(),
    }
}

async fn run(db: Db, rows: usize) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = lms_files::LocalFileStore::new(dir.path().join("files")).expect("files");
    let lms = Arc::new(
        Lms::new(db.storage(), Arc::new(SystemClock), Vec::new()).with_file_store(Arc::new(files)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let app = lms_http::router(AppState::new(
        lms.clone(),
        HttpConfig {
            public_url: base.clone(),
            ..HttpConfig::default()
        },
    ));
    tokio::spawn(lms_http::serve(listener, app, std::future::pending()));

    let password = "bench password 1";
    let admin = user(Role::Admin, "admin@bench.example");
    let teacher = user(Role::Teacher, "teacher@bench.example");
    let storage = lms.storage();
    for u in [&admin, &teacher] {
        storage
            .users
            .insert_user(
                u,
                Some(lms_http::password::hash_password(password).expect("hash")),
            )
            .await
            .expect("user");
    }
    let course = lms
        .courses
        .create_course(
            &teacher.actor(),
            NewCourse {
                title: Title::parse("Алгебра").expect("title"),
                description: RichText::from_plain_text("Курс"),
                owner_id: None,
            },
        )
        .await
        .expect("course");
    lms.courses
        .set_status(&teacher.actor(), course.id, CourseStatus::Published)
        .await
        .expect("publish");

    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "admin@bench.example", "password": password}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login json");
    let token = login["token"].as_str().expect("token").to_owned();

    let mut csv = String::from("email;name;role;courses\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "bench{i}@school.example;Ученик Номер {i};student;{}\n",
            course.id
        ));
    }
    let post = |dry_run: bool| {
        let client = client.clone();
        let url = format!("{base}/api/v1/users/import?dry_run={dry_run}");
        let token = token.clone();
        let body = csv.clone();
        async move {
            let started = Instant::now();
            let resp = client
                .post(url)
                .bearer_auth(token)
                .header("content-type", "text/csv")
                .body(body)
                .send()
                .await
                .expect("import");
            assert_eq!(resp.status(), 200);
            let report: Value = resp.json().await.expect("report");
            (started.elapsed(), report)
        }
    };
    let (dry, report) = post(true).await;
    assert_eq!(report["counts"]["create"], rows);
    let (import, report) = post(false).await;
    assert_eq!(report["counts"]["create"], rows);
    let (again, report) = post(false).await;
    assert_eq!(
        report["counts"]["skip"], rows,
        "the same file changes nothing"
    );

    let users = db
        .count(
            "SELECT count(*) FROM users WHERE email LIKE 'bench%' AND active = 0",
            "SELECT count(*) FROM users WHERE email LIKE 'bench%' AND NOT active",
        )
        .await;
    let invitations = db
        .count(
            "SELECT count(*) FROM invitations WHERE status = 'pending'",
            "SELECT count(*) FROM invitations WHERE status = 'pending'",
        )
        .await;
    let mails = db
        .count(
            "SELECT count(*) FROM outbox WHERE dedup_key LIKE '%invitation:%'",
            "SELECT count(*) FROM outbox WHERE dedup_key LIKE '%invitation:%'",
        )
        .await;
    let expected = i64::try_from(rows).expect("rows");
    assert_eq!((users, invitations, mails), (expected, expected, expected));
    let ceiling = db.ceiling(rows).await;
    let ratio = ceiling.as_secs_f64() / import.as_secs_f64();
    format!(
        "| {} | {rows} | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {:.0} % | {users} accounts, {invitations} invitations, {mails} e-mails |",
        db.name(),
        dry.as_secs_f64(),
        import.as_secs_f64(),
        again.as_secs_f64(),
        ceiling.as_secs_f64(),
        ratio * 100.0
    )
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args
        .next()
        .map_or(10_000, |r| r.parse().expect("rows: a number"));
    let which = args.next().unwrap_or_else(|| "both".to_owned());
    println!(
        "| storage | rows | dry run | import | same file again | ceiling (plain INSERTs, one transaction) | import speed / ceiling | checked in the database |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    if which == "sqlite" || which == "both" {
        let dir = tempfile::tempdir().expect("temp dir");
        let s = lms_storage_sqlite::SqliteStorage::open(
            dir.path().join("bench.db").to_str().expect("utf-8"),
        )
        .await
        .expect("open sqlite");
        s.migrate().await.expect("migrate");
        println!("{}", run(Db::Sqlite(s), rows).await);
    }
    if which == "postgres" || which == "both" {
        let pg = lms_storage_postgres::testing::fresh_pg().await;
        println!("{}", run(Db::Postgres(pg), rows).await);
    }
}
