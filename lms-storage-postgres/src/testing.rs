//! Test databases for this adapter's tests and for embedders' tests
//! (feature `testing`): every call of [`fresh_pg`] gives a fresh database,
//! created from a migrated template on the server named by `DATABASE_URL`,
//! or — when it is unset — on a throwaway server started from the local
//! PostgreSQL binaries.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use crate::PgStorage;
use lms_core::ports::Storage;
use sqlx::{Connection, Executor, PgConnection};
use tokio::sync::OnceCell;

/// The admin URL (a database we may create databases from).
fn server_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| std::env::var("DATABASE_URL").unwrap_or_else(|_| throwaway_server()))
}

/// Starts a private PostgreSQL server in a temporary directory and returns
/// its URL. Runs the binaries as the `postgres` user when we are root
/// (PostgreSQL refuses to run as root). The server lives as long as the test
/// process.
fn throwaway_server() -> String {
    let bin = find_bin_dir();
    let dir = std::env::temp_dir().join(format!("lms-pg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let as_root = nix_is_root();
    if as_root {
        Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .expect("chown");
    }
    let run = |program: PathBuf, args: &[&str]| {
        let mut cmd = if as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        cmd.args(args);
        cmd
    };
    let data = dir.join("data");
    let data_s = data.to_str().expect("utf-8 path");
    let status = run(
        bin.join("initdb"),
        &[
            "-D",
            data_s,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
    )
    .stdout(std::process::Stdio::null())
    .status()
    .expect("run initdb");
    assert!(status.success(), "initdb failed");
    let port = free_port();
    let port_s = port.to_string();
    let log = dir.join("log");
    let status = run(
        bin.join("pg_ctl"),
        &[
            "-D",
            data_s,
            "-l",
            log.to_str().expect("utf-8 path"),
            "-o",
            &format!("-p {port_s} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", dir.display()),
            "-w",
            "start",
        ],
    )
    .status()
    .expect("run pg_ctl");
    assert!(
        status.success(),
        "pg_ctl start failed; see {}",
        log.display()
    );
    // A watchdog stops the server and removes its files once this test
    // process has exited.
    let stop = format!(
        "{} {} -D {data_s} -m immediate stop",
        if as_root {
            "runuser -u postgres --"
        } else {
            ""
        },
        bin.join("pg_ctl").display()
    );
    let watchdog = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = dir.display()
    );
    // The watchdog must outlive this process, so it is never waited for.
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .args(["-c", &watchdog])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the watchdog");
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

fn nix_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn find_bin_dir() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    candidates.sort();
    candidates
        .into_iter()
        .rev()
        .find(|p| p.join("initdb").exists())
        .expect("PostgreSQL binaries (initdb) not found")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn with_database(url: &str, db: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("database URL with a path");
    let query = url
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{base}/{db}{query}")
}

/// A migrated template database, created once per test process.
async fn template() -> &'static str {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = format!("lms_tmpl_{}_{}", unix_now(), uuid::Uuid::new_v4().simple());
            let mut admin = PgConnection::connect(server_url())
                .await
                .expect("connect to the test server");
            drop_stale_databases(&mut admin).await;
            let create = format!("CREATE DATABASE {name}");
            admin
                .execute(sqlx::AssertSqlSafe(create))
                .await
                .expect("create template");
            let pg = PgStorage::connect(&with_database(server_url(), &name))
                .await
                .expect("connect template");
            pg.migrate().await.expect("migrate template");
            pg.pool().close().await;
            name
        })
        .await
}

/// Seconds since the epoch: test database names carry their creation time.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Drops test databases older than an hour, left by earlier runs (a test
/// cannot drop its own database when it ends; `scripts/test-all.sh` also
/// cleans up after a run). Younger ones may belong to a run in progress.
async fn drop_stale_databases(admin: &mut PgConnection) {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE datname LIKE 'lms\\_t\\_%' OR datname LIKE 'lms\\_tmpl\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    .expect("list test databases");
    let cutoff = unix_now().saturating_sub(3600);
    for db in names {
        let created = db
            .split('_')
            .nth(2)
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0);
        if created < cutoff {
            let drop = format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)");
            let _ = admin.execute(sqlx::AssertSqlSafe(drop)).await;
        }
    }
}

/// A fresh, migrated database and the adapter on it.
///
/// # Panics
/// When no server can be reached or started (tests want to fail loudly).
pub async fn fresh_pg() -> PgStorage {
    PgStorage::connect(&fresh_database_url().await)
        .await
        .expect("connect test database")
}

/// The URL of a fresh, migrated database (for tests that hand it to a
/// program, such as `lms-server migrate-to`).
///
/// # Panics
/// As [`fresh_pg`].
pub async fn fresh_database_url() -> String {
    let template = template().await;
    let name = format!("lms_t_{}_{}", unix_now(), uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(server_url())
        .await
        .expect("connect to the test server");
    // CREATE DATABASE … TEMPLATE fails while another session is copying the
    // same template; retry briefly.
    let create = format!("CREATE DATABASE {name} TEMPLATE {template}");
    let mut tries = 0;
    loop {
        match admin.execute(sqlx::AssertSqlSafe(create.clone())).await {
            Ok(_) => break,
            Err(e) if tries < 50 => {
                tries += 1;
                let _ = e;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => panic!("create test database: {e}"),
        }
    }
    with_database(server_url(), &name)
}

/// A fresh database as the core's storage ports.
///
/// # Panics
/// As [`fresh_pg`].
pub async fn fresh_storage() -> Storage {
    fresh_pg().await.storage()
}
