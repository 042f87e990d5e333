//! `lms-server`, the reference server of the LMS.
//!
//! Today it provides the school migration command:
//!
//! ```text
//! lms-server migrate-to <postgres-url> [--from <sqlite file or sqlite: URL>]
//! ```
//!
//! It copies every row of a school from the embedded SQLite file (default:
//! `LMS_DATABASE_URL` when it is a `sqlite:` URL, else
//! `$LMS_DATA_DIR/lms.db`, with `LMS_DATA_DIR` defaulting to `./lms-data`)
//! into an empty PostgreSQL database, in one transaction, after applying
//! both adapters' migrations. The HTTP server, web UI and workers are not
//! built yet; running without a command says so.

use std::path::PathBuf;
use std::process::ExitCode;

use lms_core::transfer::{SchoolDump, SchoolTransfer};
use lms_core::{Conflict, StorageError};
use lms_storage_postgres::PgStorage;
use lms_storage_sqlite::SqliteStorage;

const USAGE: &str = "usage:
  lms-server migrate-to <postgres-url> [--from <sqlite file or sqlite: URL>]
      Copy the school from the SQLite file into an empty PostgreSQL database.
      Default source: LMS_DATABASE_URL if it is a sqlite: URL, else $LMS_DATA_DIR/lms.db
      (LMS_DATA_DIR defaults to ./lms-data).";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!(
                "lms-server: the HTTP server, web UI and notification workers are not built yet \
                 (see README.md). Available now:\n{USAGE}"
            );
            ExitCode::from(2)
        }
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
