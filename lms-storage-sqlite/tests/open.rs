//! Opening the database file: created when missing, kept across restarts,
//! with the connection settings the adapter relies on.

mod common;

use lms_core::testkit::conformance::fixtures::{ok, user};
use lms_core::user::Role;
use lms_storage_sqlite::SqliteStorage;

#[tokio::test]
async fn the_file_is_created_and_keeps_the_school_across_restarts() {
    let path = common::fresh_path();
    assert!(!path.exists());
    let path_str = path.to_str().expect("utf-8 path");

    let db = SqliteStorage::open(path_str)
        .await
        .expect("open a new file");
    db.migrate().await.expect("migrate");
    assert!(path.exists(), "opening creates the file");
    let admin = user(Role::Admin);
    ok(db.storage().users.insert_user(&admin, None).await, "insert");
    db.pool().close().await;

    // A restart: the same file by URL, migrations applied again (a no-op).
    let again = SqliteStorage::open(&format!("sqlite://{path_str}"))
        .await
        .expect("reopen by URL");
    again.migrate().await.expect("migrating twice is harmless");
    let found = ok(again.storage().users.get_user(admin.id).await, "get");
    assert_eq!(found, Some(admin), "the user is still there");
}

#[tokio::test]
async fn connections_use_wal_foreign_keys_and_a_busy_timeout() {
    let db = common::fresh_sqlite().await;
    let mut conn = db.pool().acquire().await.expect("connection");
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await
        .expect("journal mode");
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .expect("foreign keys");
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await
        .expect("busy timeout");
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await
        .expect("synchronous");
    assert_eq!(journal, "wal");
    assert_eq!(foreign_keys, 1);
    assert_eq!(busy, 5000);
    assert_eq!(synchronous, 1, "NORMAL");
}
