//! `lms-server migrate-to` copies a real school from a SQLite file into
//! PostgreSQL, exactly, and refuses to overwrite a school.

use std::process::Command;

use lms_core::testkit::transfer::{assert_same_school, populate_school};
use lms_core::transfer::SchoolTransfer;
use lms_storage_postgres::PgStorage;
use lms_storage_postgres::testing::fresh_database_url;
use lms_storage_sqlite::SqliteStorage;

fn server() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lms-server"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_a_school_from_sqlite_to_postgres() {
    let dir = std::env::temp_dir().join(format!("lms-migrate-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("lms.db");
    let sqlite = SqliteStorage::open(file.to_str().unwrap()).await.unwrap();
    sqlite.migrate().await.unwrap();
    let expected = populate_school(&sqlite.storage()).await;
    sqlite.pool().close().await;

    let url = fresh_database_url().await;
    let out = server()
        .args(["migrate-to", &url, "--from", file.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("{} users", expected.users.len())),
        "{stdout}"
    );

    let pg = PgStorage::connect(&url).await.unwrap();
    let copied = pg.export_school().await.unwrap();
    assert_same_school(&copied, &expected, "PostgreSQL after migrate-to");

    // A second run must not touch the school already there.
    let again = server()
        .args(["migrate-to", &url, "--from", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a school"));
    assert_same_school(
        &pg.export_school().await.unwrap(),
        &expected,
        "unchanged after the refused run",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_source_is_an_error_not_an_empty_school() {
    let out = server()
        .args([
            "migrate-to",
            "postgres://postgres@127.0.0.1:1/none",
            "--from",
            "/nonexistent/lms.db",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no SQLite school at /nonexistent/lms.db")
    );
}

#[test]
fn the_target_must_be_postgres() {
    let out = server().args(["migrate-to", "mysql://x"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("postgres:// URL"));
}
