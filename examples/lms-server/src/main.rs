//! `lms-server`, the reference server of the LMS.
//!
//! ```text
//! lms-server [--config <file>] [--demo] serve  # the HTTP server (default command)
//! lms-server [--config <file>] worker       # notification workers only
//! lms-server [--config <file>] seed-demo    # create the demo school once
//! lms-server migrate-to <postgres-url> [--from <sqlite file or sqlite: URL>]
//! lms-server openapi                         # print the API's OpenAPI document
//! ```
//!
//! Configuration comes from the TOML file (`--config` or `LMS_CONFIG`) and
//! `LMS_*` variables over it (see `lms_server::config`).
//!
//! `migrate-to` copies every row of a school from the embedded SQLite file
//! (default: `LMS_DATABASE_URL` when it is a `sqlite:` URL, else
//! `$LMS_DATA_DIR/lms.db`, with `LMS_DATA_DIR` defaulting to `./lms-data`)
//! into an empty PostgreSQL database, in one transaction, after applying
//! both adapters' migrations.

use std::path::PathBuf;
use std::process::ExitCode;

use lms_core::transfer::{SchoolDump, SchoolTransfer};
use lms_core::{Conflict, StorageError};
use lms_server::app::{StartError, http_config, init_tracing, open_core, run_workers, web_ui};
use lms_server::config::{Config, WorkerMode};
use lms_server::demo::seed_demo;
use lms_storage_postgres::PgStorage;
use lms_storage_sqlite::SqliteStorage;

/// mimalloc gives freed memory back to the system: with glibc's allocator
/// each blocking thread that ran an argon2id hash (19 MiB) kept its own
/// arena, and a burst of 40 logins left the process ~380 MiB larger for
/// good (see RELIABILITY.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage:
  lms-server [--config <file>] [--demo] [serve]
      Run the server (HTTP API, web UI and, unless LMS_WORKER=off, the workers).
  lms-server [--config <file>] worker
      Run only the notification workers (for nodes behind LMS_WORKER=off servers).
  lms-server [--config <file>] seed-demo
      Create the demo school (admin@demo.school, teacher@demo.school, ... password demo12345)
      unless it is already there.
  lms-server migrate-to <postgres-url> [--from <sqlite file or sqlite: URL>]
      Copy the school from the SQLite file into an empty PostgreSQL database.
      Default source: LMS_DATABASE_URL if it is a sqlite: URL, else $LMS_DATA_DIR/lms.db
      (LMS_DATA_DIR defaults to ./lms-data).
  lms-server openapi
      Print the OpenAPI document of the HTTP API (JSON), as /api/openapi.json serves it.
  The configuration file may also be named by LMS_CONFIG; LMS_* variables override it.
  --demo seeds the demo school on start (as LMS_DEMO=true does).";

#[tokio::main]
async fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let config_path = match take_config_flag(&mut args) {
        Ok(path) => path,
        Err(message) => {
            eprintln!("lms-server: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // `--demo` is `LMS_DEMO=true` for this run.
    let demo_flag = take_flag(&mut args, "--demo");
    match args.first().map(String::as_str) {
        Some("migrate-to") => match migrate_to(&args[1..]).await {
            Ok(dump) => {
                println!(
                    "copied the school to PostgreSQL: {} users, {} courses, {} lessons, {} assignments, \
                     {} submissions, {} quizzes, {} attempts, {} webinars, {} outbox entries",
                    dump.users.len(),
                    dump.courses.len(),
                    dump.lessons.len(),
                    dump.assignments.len(),
                    dump.submissions.len(),
                    dump.quizzes.len(),
                    dump.attempts.len(),
                    dump.webinars.len(),
                    dump.outbox.len()
                );
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("lms-server migrate-to: {message}");
                ExitCode::FAILURE
            }
        },
        Some("openapi") => match serde_json::to_string_pretty(&lms_http::openapi()) {
            Ok(doc) => {
                println!("{doc}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lms-server openapi: {e}");
                ExitCode::FAILURE
            }
        },
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some("seed-demo") => run(config_path, demo_flag, Command::SeedDemo).await,
        Some("worker") => run(config_path, demo_flag, Command::Worker).await,
        None | Some("serve") => run(config_path, demo_flag, Command::Serve).await,
        Some(other) => {
            eprintln!("lms-server: unknown command {other:?}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Removes `--config <file>` (or `--config=<file>`) from `args`.
fn take_config_flag(args: &mut Vec<String>) -> Result<Option<PathBuf>, String> {
    if let Some(i) = args.iter().position(|a| a.starts_with("--config=")) {
        let value = args.remove(i)["--config=".len()..].to_owned();
        return Ok(Some(PathBuf::from(value)));
    }
    let Some(i) = args.iter().position(|a| a == "--config") else {
        return Ok(None);
    };
    if i + 1 >= args.len() {
        return Err("--config needs a file".to_owned());
    }
    let value = args.remove(i + 1);
    args.remove(i);
    Ok(Some(PathBuf::from(value)))
}

/// Removes `flag` from `args`; whether it was there.
fn take_flag(args: &mut Vec<String>, flag: &str) -> bool {
    let before = args.len();
    args.retain(|a| a != flag);
    args.len() != before
}

/// The commands that run on the configuration.
#[derive(Debug, Clone, Copy)]
enum Command {
    Serve,
    Worker,
    SeedDemo,
}

/// Loads the configuration, starts logging and runs `command` with it.
async fn run(config_path: Option<PathBuf>, demo_flag: bool, command: Command) -> ExitCode {
    let mut cfg = match Config::load(config_path.as_deref()) {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("lms-server: {e}");
            return ExitCode::from(2);
        }
    };
    cfg.demo |= demo_flag;
    init_tracing(&cfg.log, cfg.log_format);
    tracing::debug!(config = ?cfg, "configuration");
    let result = match command {
        Command::Serve => serve(cfg).await,
        Command::Worker => worker(cfg).await,
        Command::SeedDemo => seed_demo_command(cfg).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("lms-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `seed-demo`: the demo school, whatever `LMS_DEMO` says.
async fn seed_demo_command(mut cfg: Config) -> Result<ExitCode, StartError> {
    cfg.demo = false;
    let core = open_core(&cfg).await?;
    let seeded = seed_demo(&core.lms).await?;
    println!("{seeded}");
    core.storage.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `serve`: the core, then the HTTP API and (unless `LMS_WORKER=off`) the
/// workers in this process, until Ctrl-C or SIGTERM.
async fn serve(cfg: Config) -> Result<ExitCode, StartError> {
    let core = open_core(&cfg).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let workers = (cfg.worker == WorkerMode::InProcess).then(|| {
        let cfg = cfg.clone();
        let lms = core.lms.clone();
        let stop = stopped();
        tokio::spawn(async move { run_workers(&cfg, lms, stop).await })
    });
    let listener = tokio::net::TcpListener::bind(cfg.addr)
        .await
        .map_err(|source| StartError::Listen {
            addr: cfg.addr,
            source,
        })?;
    let mut http = http_config(&cfg);
    http.web_ui = web_ui(&cfg)?;
    let ui = match (&http.web_ui, &cfg.web_dir) {
        (None, _) => "none".to_owned(),
        (Some(_), Some(dir)) => dir.display().to_string(),
        (Some(_), None) => "built in".to_owned(),
    };
    let state = lms_http::AppState::new(core.lms.clone(), http);
    let app = lms_http::router(state);
    tracing::info!(
        addr = %cfg.addr,
        url = %cfg.public_url,
        ui = %ui,
        "serving; API docs at {}/api/docs",
        cfg.public_url
    );
    println!(
        "lms-server: listening on {} (open {})",
        cfg.addr, cfg.public_url
    );
    let http = lms_http::serve(listener, app, stopped());
    tokio::pin!(http);
    let result = tokio::select! {
        r = &mut http => r,
        () = shutdown_signal() => {
            tracing::info!("shutting down: finishing requests in flight");
            let _ = stop_tx.send(true);
            http.await
        }
    };
    let _ = stop_tx.send(true);
    if let Some(w) = workers {
        match w.await {
            Ok(Err(e)) => tracing::error!(error = %e, "workers failed"),
            Err(e) => tracing::error!(error = %e, "workers panicked"),
            Ok(Ok(())) => {}
        }
    }
    core.storage.close().await;
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            tracing::error!(error = %e, "the HTTP server failed");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `worker`: only the background work, for nodes that serve no HTTP.
async fn worker(cfg: Config) -> Result<ExitCode, StartError> {
    let core = open_core(&cfg).await?;
    tracing::info!("notification worker running");
    run_workers(&cfg, core.lms.clone(), shutdown_signal()).await?;
    core.storage.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Where the SQLite school is, from `--from` or the environment.
fn source(args: &[String]) -> Result<String, String> {
    if let Some(i) = args.iter().position(|a| a == "--from") {
        return args
            .get(i + 1)
            .cloned()
            .ok_or_else(|| "--from needs a file or sqlite: URL".to_owned());
    }
    if let Ok(url) = std::env::var("LMS_DATABASE_URL")
        && url.starts_with("sqlite:")
    {
        return Ok(url);
    }
    let dir = std::env::var("LMS_DATA_DIR").unwrap_or_else(|_| "./lms-data".to_owned());
    Ok(PathBuf::from(dir)
        .join("lms.db")
        .to_string_lossy()
        .into_owned())
}

async fn migrate_to(args: &[String]) -> Result<SchoolDump, String> {
    let target = args
        .first()
        .filter(|a| a.starts_with("postgres://") || a.starts_with("postgresql://"))
        .ok_or_else(|| format!("the target must be a postgres:// URL\n{USAGE}"))?;
    let from = source(args)?;
    let file = from
        .strip_prefix("sqlite://")
        .or_else(|| from.strip_prefix("sqlite:"))
        .unwrap_or(&from);
    let file = file.split('?').next().unwrap_or(file);
    if !std::path::Path::new(file).is_file() {
        return Err(format!("no SQLite school at {file}: pass --from <file>"));
    }

    let sqlite = SqliteStorage::open(&from)
        .await
        .map_err(|e| format!("cannot open {from}: {e}"))?;
    sqlite
        .migrate()
        .await
        .map_err(|e| format!("cannot migrate {from}: {e}"))?;
    let dump = sqlite
        .export_school()
        .await
        .map_err(|e| format!("cannot read the school from {from}: {e}"))?;

    let pg = PgStorage::connect(target)
        .await
        .map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
    pg.migrate()
        .await
        .map_err(|e| format!("cannot migrate PostgreSQL: {e}"))?;
    pg.import_school(&dump).await.map_err(|e| match e {
        StorageError::Conflict(Conflict::Other) => {
            "the PostgreSQL database already holds a school; migrate into an empty database"
                .to_owned()
        }
        e => format!("cannot write the school to PostgreSQL (nothing was written): {e}"),
    })?;
    Ok(dump)
}
