//! Test databases: every test gets its own fresh, migrated database file in
//! a directory of this test process. The directories of earlier, finished
//! test processes are removed when the first database is made (test
//! functions cannot remove their own file when they end).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use lms_core::ports::Storage;
use lms_storage_sqlite::SqliteStorage;

/// The parent of every test process's directory.
fn tests_root() -> PathBuf {
    std::env::temp_dir().join("lms-sqlite-tests")
}

/// This process's directory, created once.
fn process_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = tests_root();
        remove_stale_dirs(&root);
        let dir = root.join(std::process::id().to_string());
        std::fs::create_dir_all(&dir).expect("create the test database directory");
        dir
    })
}

/// Removes the directories of test processes that have exited (best
/// effort: where `/proc` shows which processes live).
fn remove_stale_dirs(root: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A path for a database file that does not exist yet.
pub fn fresh_path() -> PathBuf {
    process_dir().join(format!("{}.db", uuid::Uuid::new_v4().simple()))
}

/// A fresh database file (created by opening it) with every migration
/// applied, and the adapter on it.
pub async fn fresh_sqlite() -> SqliteStorage {
    let path = fresh_path();
    let db = SqliteStorage::open(path.to_str().expect("utf-8 temp path"))
        .await
        .expect("open a fresh database file");
    db.migrate().await.expect("migrate the fresh database");
    db
}

/// A fresh database as the core's storage ports.
pub async fn fresh_storage() -> Storage {
    fresh_sqlite().await.storage()
}
