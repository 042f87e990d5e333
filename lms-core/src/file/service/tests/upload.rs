//! The upload workflow over a file store: limits, what is left behind
//! when a step fails, downloads and the cleanup of drafts.

use super::*;
use crate::file::{BodyError, ByteSource, InMemoryBody};
use crate::testkit::memory::MemoryFileStore;

/// The school's file service with an in-memory store of its own.
fn with_store(s: &mut School) -> MemoryFileStore {
    let store = MemoryFileStore::new();
    s.service.set_file_store(Arc::new(store.clone()));
    store
}

/// A body that yields `chunks`, then fails with `end` (or ends).
struct Chunks {
    chunks: Vec<Vec<u8>>,
    end: Option<BodyError>,
    read: usize,
}

#[async_trait::async_trait]
impl ByteSource for Chunks {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, BodyError> {
        if self.read < self.chunks.len() {
            self.read += 1;
            return Ok(Some(self.chunks[self.read - 1].clone()));
        }
        match self.end.take() {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }
}

fn chunks(n: usize, size: usize, end: Option<BodyError>) -> Chunks {
    Chunks {
        chunks: vec![vec![7u8; size]; n],
        end,
        read: 0,
    }
}

async fn read_all(service: &FileService, actor: &Actor, id: FileId) -> Vec<u8> {
    let (_, mut reader) = service.download(actor, id).await.expect("download");
    let mut out = Vec::new();
    while let Some(chunk) = reader.next_chunk().await.expect("chunk") {
        out.extend(chunk);
    }
    out
}

#[tokio::test]
async fn an_upload_is_stored_registered_and_read_back_by_who_may_see_it() {
    let mut s = school().await;
    let store = with_store(&mut s);
    let file = s
        .service
        .upload(
            &s.teacher,
            UploadTarget::Lesson(s.lesson.id),
            "../Конспект урока.PDF",
            &mut InMemoryBody::new(b"%PDF-1.7 lesson".to_vec()),
        )
        .await
        .expect("upload");
    assert_eq!(file.name.as_str(), "Конспект урока.PDF", "the path is gone");
    assert_eq!(file.content_type, "application/pdf");
    assert_eq!(file.size, 15);
    assert_eq!(file.uploaded_by, s.teacher.user_id);
    assert_eq!(file.uploaded_at, s.clock.now());
    assert_eq!(
        file.storage_key,
        format!("files/{}/{}", s.clock.now().format("%Y/%m"), file.id.0)
    );
    assert_eq!(store.keys(), vec![file.storage_key.clone()]);
    assert_eq!(
        s.storage.files.get(file.id).await.unwrap(),
        Some((file.clone(), FileOwner::Lesson(s.lesson.id)))
    );
    assert_eq!(
        read_all(&s.service, &s.student, file.id).await,
        b"%PDF-1.7 lesson"
    );
    assert_eq!(
        code(
            s.service
                .download(&s.stranger, file.id)
                .await
                .map(|(f, _)| f)
        ),
        "file_not_found"
    );
}

#[tokio::test]
async fn a_refused_upload_leaves_nothing_behind() {
    let mut s = school().await;
    let store = with_store(&mut s);
    let nothing_left = |what: &str| {
        assert!(store.keys().is_empty(), "{what}: no bytes are left");
    };

    // A type outside the safe list, before a byte is written.
    assert_eq!(
        code(
            s.service
                .upload(
                    &s.student,
                    UploadTarget::Draft,
                    "virus.exe",
                    &mut chunks(1, 10, None)
                )
                .await
        ),
        "file_type_not_allowed"
    );
    nothing_left("type");

    // Larger than the service's limit: refused while streaming.
    s.service.set_max_upload_bytes(25);
    assert_eq!(
        code(
            s.service
                .upload(
                    &s.student,
                    UploadTarget::Draft,
                    "big.pdf",
                    &mut chunks(3, 10, None)
                )
                .await
        ),
        "file_too_large"
    );
    nothing_left("size");

    // The transport's own limit, and a body that breaks off.
    assert_eq!(
        code(
            s.service
                .upload(
                    &s.student,
                    UploadTarget::Draft,
                    "a.pdf",
                    &mut chunks(1, 5, Some(BodyError::TooLarge))
                )
                .await
        ),
        "file_too_large"
    );
    let broken = s
        .service
        .upload(
            &s.student,
            UploadTarget::Draft,
            "a.pdf",
            &mut chunks(1, 5, Some(BodyError::Unreadable("reset".into()))),
        )
        .await;
    assert!(
        matches!(broken, Err(UploadError::Unreadable(_))),
        "{broken:?}"
    );
    nothing_left("broken body");

    // The store fails mid-way: the rest of the body is still read, so an
    // HTTP client gets the answer.
    store.fail_writes(true);
    let mut body = chunks(2, 5, None);
    assert_eq!(
        code(
            s.service
                .upload(&s.student, UploadTarget::Draft, "a.pdf", &mut body)
                .await
        ),
        "file_store_unavailable"
    );
    assert_eq!(body.read, 2, "the body was drained");
    store.fail_writes(false);
    nothing_left("store failure");

    // Registering fails (a student may not attach to a lesson): the bytes
    // written go again.
    assert_eq!(
        code(
            s.service
                .upload(
                    &s.student,
                    UploadTarget::Lesson(s.lesson.id),
                    "a.pdf",
                    &mut chunks(1, 5, None)
                )
                .await
        ),
        "forbidden"
    );
    nothing_left("refused owner");
    assert!(
        s.storage
            .files
            .list_by_owner(FileOwner::Unattached)
            .await
            .unwrap()
            .is_empty(),
        "nothing was registered"
    );
}

#[tokio::test]
async fn the_quota_is_checked_again_with_the_real_size_and_the_bytes_go() {
    let mut s = school().await;
    let store = with_store(&mut s);
    s.service.set_upload_quota(UploadQuota {
        max_files: 5,
        max_bytes: 8,
    });
    assert_eq!(
        code(
            s.service
                .upload(
                    &s.student,
                    UploadTarget::Draft,
                    "a.pdf",
                    &mut chunks(1, 9, None)
                )
                .await
        ),
        "upload_quota_exceeded"
    );
    assert!(store.keys().is_empty(), "the stored bytes were deleted");
}

#[tokio::test]
async fn a_hand_in_upload_follows_the_assignments_limits() {
    let mut s = school().await;
    let _store = with_store(&mut s);
    let mut assignment = s.assignment.clone();
    assignment.file_limits = crate::file::FileLimits {
        max_files: 2,
        max_file_size: 6,
        allowed_extensions: vec!["txt".into()],
    };
    ok(
        s.storage.homework.update_assignment(&assignment, &[]).await,
        "limits",
    );
    let target = UploadTarget::HandIn(assignment.id);
    assert_eq!(
        code(
            s.service
                .upload(&s.student, target, "a.pdf", &mut chunks(1, 1, None))
                .await
        ),
        "file_type_not_allowed"
    );
    assert_eq!(
        code(
            s.service
                .upload(&s.student, target, "a.txt", &mut chunks(1, 7, None))
                .await
        ),
        "file_too_large"
    );
    let ok_file = s
        .service
        .upload(&s.student, target, "a.txt", &mut chunks(1, 6, None))
        .await
        .expect("within the limits");
    assert_eq!(
        s.storage
            .files
            .get(ok_file.id)
            .await
            .unwrap()
            .map(|(_, o)| o),
        Some(FileOwner::Unattached),
        "a hand-in upload is a draft until handed in"
    );
    assert_eq!(
        code(
            s.service
                .upload(
                    &s.student,
                    UploadTarget::HandIn(s.draft_assignment.id),
                    "a.txt",
                    &mut chunks(1, 1, None)
                )
                .await
        ),
        "assignment_not_found",
        "an assignment the student cannot see"
    );
}

#[tokio::test]
async fn drafts_never_used_are_purged_after_their_lifetime() {
    let mut s = school().await;
    let store = with_store(&mut s);
    s.service.set_draft_lifetime(Duration::hours(24));
    let old = s
        .service
        .upload(
            &s.student,
            UploadTarget::Draft,
            "old.png",
            &mut chunks(1, 3, None),
        )
        .await
        .unwrap();
    let attached = s
        .service
        .upload(
            &s.teacher,
            UploadTarget::Lesson(s.lesson.id),
            "lesson.png",
            &mut chunks(1, 3, None),
        )
        .await
        .unwrap();
    s.clock.advance(Duration::hours(23));
    let fresh = s
        .service
        .upload(
            &s.student,
            UploadTarget::Draft,
            "fresh.png",
            &mut chunks(1, 3, None),
        )
        .await
        .unwrap();
    assert_eq!(
        s.service.purge_drafts().await.unwrap(),
        0,
        "none is old yet"
    );
    s.clock.advance(Duration::hours(2));
    assert_eq!(s.service.purge_drafts().await.unwrap(), 1);
    assert!(s.storage.files.get(old.id).await.unwrap().is_none());
    assert!(
        store.bytes(&old.storage_key).is_none(),
        "its bytes are gone"
    );
    for kept in [&fresh, &attached] {
        assert!(s.storage.files.get(kept.id).await.unwrap().is_some());
        assert!(store.bytes(&kept.storage_key).is_some());
    }
}

#[tokio::test]
async fn without_a_file_store_uploads_fail_and_say_so() {
    let s = school().await;
    let err = s
        .service
        .upload(
            &s.student,
            UploadTarget::Draft,
            "a.pdf",
            &mut chunks(1, 1, None),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "internal");
    assert!(err.to_string().contains("with_file_store"), "{err}");
}
