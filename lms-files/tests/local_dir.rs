//! The core's upload workflow over a real directory: the bytes land on
//! disk under the key the core chose, read back through the download
//! authorisation, and a draft never used leaves the disk with its record.

use std::sync::Arc;

use lms_core::Lms;
use lms_core::clock::ManualClock;
use lms_core::course::CourseStatus;
use lms_core::file::{FileOwner, InMemoryBody, UploadTarget};
use lms_core::testkit::conformance::fixtures::{add_course, add_lesson, add_user, enroll, t0};
use lms_core::testkit::memory::MemoryStorage;
use lms_core::user::Role;
use lms_files::LocalFileStore;

#[tokio::test]
async fn uploads_live_in_the_directory_and_drafts_leave_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let storage = MemoryStorage::storage();
    let clock = Arc::new(ManualClock::new(t0()));
    let store = LocalFileStore::new(dir.path()).expect("store");
    let lms = Lms::new(storage.clone(), clock.clone(), Vec::new())
        .with_file_store(Arc::new(store))
        .with_draft_lifetime(chrono::Duration::hours(1));
    let teacher = add_user(&storage, Role::Teacher).await.actor();
    let student = add_user(&storage, Role::Student).await.actor();
    let course = add_course(&storage, teacher.user_id, CourseStatus::Published).await;
    enroll(&storage, course.id, student.user_id).await;
    let lesson = add_lesson(&storage, course.id, "Дроби").await;

    let pdf = lms
        .files
        .upload(
            &teacher,
            UploadTarget::Lesson(lesson.id),
            "Конспект.pdf",
            &mut InMemoryBody::new(b"%PDF-1.7 notes".to_vec()),
        )
        .await
        .expect("upload");
    let on_disk = dir.path().join(&pdf.storage_key);
    assert_eq!(std::fs::read(&on_disk).expect("on disk"), b"%PDF-1.7 notes");

    let (file, mut reader) = lms
        .files
        .download(&student, pdf.id)
        .await
        .expect("download");
    assert_eq!(file, pdf);
    let mut bytes = Vec::new();
    while let Some(chunk) = reader.next_chunk().await.expect("read") {
        bytes.extend(chunk);
    }
    assert_eq!(bytes, b"%PDF-1.7 notes");

    let draft = lms
        .files
        .upload(
            &student,
            UploadTarget::Draft,
            "черновик.png",
            &mut InMemoryBody::new(vec![1, 2, 3]),
        )
        .await
        .expect("draft");
    assert_eq!(
        storage
            .files
            .get(draft.id)
            .await
            .expect("get")
            .map(|(_, o)| o),
        Some(FileOwner::Unattached)
    );
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(lms.files.purge_drafts().await.expect("purge"), 1);
    assert!(
        !dir.path().join(&draft.storage_key).exists(),
        "its bytes left the disk"
    );
    assert!(on_disk.exists(), "the lesson's file stays");
}
