//! The ceilings: what the same machine and database give a minimal program.
//!
//! - `lms-bench ceiling <url> <port>` serves a minimal axum + sqlx endpoint on
//!   the benchmark's own database, with the storage adapter's own pool
//!   settings: `GET /read/{id}` looks one user up by primary key (the
//!   ceiling of an authenticated read route, which needs at least that), and
//!   `POST /write` inserts one row (the ceiling of a write route).
//! - [`pgbench_inserts`] runs `pgbench` with durable single-row inserts on
//!   PostgreSQL.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Clone)]
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Serves the ceiling endpoint until killed.
pub async fn serve(url: &str, port: u16) {
    let pool = if url.starts_with("postgres") {
        let pg = lms_storage_postgres::PgStorage::connect(url)
            .await
            .expect("connect");
        let pool = pg.pool().clone();
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS bench_ceiling (id uuid PRIMARY KEY, at timestamptz NOT NULL, body text NOT NULL)",
        )
        .execute(&pool)
        .await
        .expect("ceiling table");
        Pool::Postgres(pool)
    } else {
        let lite = lms_storage_sqlite::SqliteStorage::open(url)
            .await
            .expect("open");
        let pool = lite.pool().clone();
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS bench_ceiling (id BLOB PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL)",
        )
        .execute(&pool)
        .await
        .expect("ceiling table");
        Pool::Sqlite(pool)
    };
    let app = Router::new()
        .route("/ready", get(|| async { "ready" }))
        .route("/read/{id}", get(read))
        .route("/write", post(write))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    axum::serve(listener, app).await.expect("serve");
}

async fn read(State(pool): State<Pool>, Path(id): Path<Uuid>) -> Result<Json<Value>, StatusCode> {
    let row: Option<(String, String, String)> = match &pool {
        Pool::Sqlite(p) => {
            sqlx::query_as("SELECT email, display_name, role FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(p)
                .await
        }
        Pool::Postgres(p) => {
            sqlx::query_as("SELECT email, display_name, role FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(p)
                .await
        }
    }
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let (email, name, role) = row.ok_or(StatusCode::NOT_FOUND)?;
    Ok(Json(
        json!({"id": id, "email": email, "display_name": name, "role": role}),
    ))
}

async fn write(State(pool): State<Pool>) -> Result<StatusCode, StatusCode> {
    let id = Uuid::new_v4();
    let body = "x".repeat(300);
    match &pool {
        Pool::Sqlite(p) => {
            sqlx::query("INSERT INTO bench_ceiling (id, at, body) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(chrono::Utc::now().timestamp_micros())
                .bind(body)
                .execute(p)
                .await
                .map(|_| ())
        }
        Pool::Postgres(p) => {
            sqlx::query("INSERT INTO bench_ceiling (id, at, body) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(chrono::Utc::now())
                .bind(body)
                .execute(p)
                .await
                .map(|_| ())
        }
    }
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(StatusCode::CREATED)
}

/// Durable single-row inserts per second that `pgbench` reaches on this
/// database (`clients` connections, `secs` seconds); `None` without
/// `pgbench`.
pub async fn pgbench_inserts(url: &str, clients: usize, secs: u64) -> Option<f64> {
    let script = tempfile::NamedTempFile::new().ok()?;
    std::fs::write(
        script.path(),
        "INSERT INTO bench_pgbench (id, at, body) VALUES (gen_random_uuid(), now(), repeat('x', 300));\n",
    )
    .ok()?;
    let pool = sqlx::PgPool::connect(url).await.ok()?;
    sqlx::query("CREATE TABLE IF NOT EXISTS bench_pgbench (id uuid PRIMARY KEY, at timestamptz NOT NULL, body text NOT NULL)")
        .execute(&pool)
        .await
        .ok()?;
    pool.close().await;
    let out = tokio::time::timeout(
        Duration::from_secs(secs + 30),
        tokio::process::Command::new("pgbench")
            .args(["-n", "-c", &clients.to_string(), "-j", "2", "-T"])
            .arg(secs.to_string())
            .arg("-f")
            .arg(script.path())
            .arg(url)
            .output(),
    )
    .await
    .ok()?
    .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.trim_start_matches("tps = ").split_whitespace().next())
        .and_then(|v| v.parse().ok())
}
