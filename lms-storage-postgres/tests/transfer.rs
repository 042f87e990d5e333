//! Moving a whole school into PostgreSQL (from the in-memory storage and
//! from another PostgreSQL database) with the core's transfer checks, each
//! test on fresh databases.

use lms_storage_postgres::testing as common;

use lms_core::ports::Storage;
use lms_core::testkit::memory::MemoryStorage;
use lms_core::testkit::transfer;
use lms_core::transfer::SchoolTransfer;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_to_postgres() {
    let memory = MemoryStorage::new();
    let pg = common::fresh_pg().await;
    transfer::round_trip(
        Storage::from_adapter(memory.clone()),
        &*memory,
        pg.storage(),
        &pg,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_to_postgres() {
    let source = common::fresh_pg().await;
    let target = common::fresh_pg().await;
    transfer::round_trip(source.storage(), &source, target.storage(), &target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_to_memory() {
    let pg = common::fresh_pg().await;
    let memory = MemoryStorage::new();
    transfer::round_trip(
        pg.storage(),
        &pg,
        Storage::from_adapter(memory.clone()),
        &*memory,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn import_refuses_a_database_with_a_school() {
    let pg = common::fresh_pg().await;
    transfer::import_refuses_non_empty(pg.storage(), &pg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_import_writes_nothing() {
    let pg = common::fresh_pg().await;
    transfer::failed_import_writes_nothing(pg.storage(), &pg).await;
}

/// Two imports racing into one empty database: the users lock lets exactly
/// one write its school; the other sees it and is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_imports_write_one_school() {
    let make = || async {
        let memory = MemoryStorage::new();
        transfer::populate_school(&Storage::from_adapter(memory.clone())).await;
        memory.export_school().await.expect("export")
    };
    let (a, b) = (make().await, make().await);
    let pg = common::fresh_pg().await;
    let (ra, rb) = tokio::join!(pg.import_school(&a), pg.import_school(&b));
    let won = match (ra, rb) {
        (Ok(()), Err(lms_core::StorageError::Conflict(lms_core::Conflict::Other))) => a,
        (Err(lms_core::StorageError::Conflict(lms_core::Conflict::Other)), Ok(())) => b,
        other => panic!("exactly one import must win, the other Conflict(Other): {other:?}"),
    };
    let stored = pg.export_school().await.expect("export");
    transfer::assert_same_school(&stored, &won, "the winning import");
}

/// A school larger than one insert batch moves whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn large_school_moves_in_batches() {
    use lms_core::testkit::conformance::fixtures::{at, outbox_entry, user};
    let memory = MemoryStorage::new();
    let storage = Storage::from_adapter(memory.clone());
    transfer::populate_school(&storage).await;
    let mut dump = memory.export_school().await.expect("export");
    for i in 0..2500 {
        let u = user(lms_core::Role::Student);
        dump.outbox
            .push(outbox_entry(u.id, &format!("bulk-{i}"), at(i)));
        dump.users.push(lms_core::transfer::UserRecord {
            user: u,
            password_hash: None,
            feed_token_hash: None,
        });
    }
    let pg = common::fresh_pg().await;
    pg.import_school(&dump).await.expect("import");
    let stored = pg.export_school().await.expect("export");
    assert!(stored.users.len() > 2500 && stored.outbox.len() > 2500);
    transfer::assert_same_school(&stored, &dump, "the large school");
}
