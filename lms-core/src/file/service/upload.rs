//! The upload workflow (limits, key layout, write → register, and the
//! bytes deleted again when registering fails), downloads, and the cleanup
//! of drafts never used.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{DownloadError, FileService, UploadError, UploadTarget};
use crate::error::StorageError;
use crate::file::model::{FileLimitError, FileLimits, FileName, FileRef, SAFE_UPLOAD_EXTENSIONS};
use crate::file::ports::{FileRead, FileStore, FileStoreError, FileWrite};
use crate::ids::FileId;
use crate::user::Actor;

/// Why a [`ByteSource`] could not give its next chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// The transport refused a body this large (its own limit).
    TooLarge,
    /// The body is malformed or the client went away.
    Unreadable(String),
}

/// The bytes of an upload as they arrive: an HTTP multipart part, a file
/// on disk, a test's buffer.
#[async_trait]
pub trait ByteSource: Send {
    /// The next chunk, or `None` at the end.
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, BodyError>;
}

/// A whole body held in memory, handed out in one chunk (tests, small
/// imports).
#[derive(Debug, Clone, Default)]
pub struct InMemoryBody(Option<Vec<u8>>);

impl InMemoryBody {
    /// A body of these bytes.
    #[must_use]
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(Some(bytes.into()))
    }
}

#[async_trait]
impl ByteSource for InMemoryBody {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, BodyError> {
        Ok(self.0.take().filter(|b| !b.is_empty()))
    }
}

/// The MIME type a file of this name is served with; anything unknown is
/// `application/octet-stream`, so a browser never renders it.
#[must_use]
pub fn content_type_of(name: &FileName) -> &'static str {
    match name.extension().as_deref() {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("txt") => "text/plain; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("doc") => "application/msword",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Some("odt") => "application/vnd.oasis.opendocument.text",
        Some("zip") => "application/zip",
        Some("mp3") => "audio/mpeg",
        Some("mp4") => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// Whether a browser may show a file of this type inline: raster images
/// only (never HTML or SVG, which could run script in the school's origin).
#[must_use]
pub fn inline_safe(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// The store key of a new file: `files/<year>/<month>/<id>`, so a
/// directory never grows without bound and a key reveals nothing.
fn storage_key(id: FileId, now: DateTime<Utc>) -> String {
    format!("files/{}/{}", now.format("%Y/%m"), id.0)
}

impl FileService {
    /// Stores an upload for `target` and registers it: the whole workflow.
    ///
    /// Authorised before a byte is read (see
    /// [`authorize_upload`](Self::authorize_upload)); the name is sanitised
    /// and its type checked (the assignment's allowed types for a hand-in to
    /// it, else [`SAFE_UPLOAD_EXTENSIONS`]); the bytes stream into the
    /// [`FileStore`] under a fresh key and are refused as soon as they pass
    /// the limit (the assignment's file size, at most the service's
    /// [upload limit](Self::set_max_upload_bytes)). The file is then
    /// registered with the owner the target gives; when that fails, or the
    /// body breaks off, nothing is left behind in either store.
    pub async fn upload(
        &self,
        actor: &Actor,
        target: UploadTarget,
        name: &str,
        body: &mut dyn ByteSource,
    ) -> Result<FileRef, UploadError> {
        let (owner, limits) = self.upload_rules(actor, target).await?;
        let name = FileName::sanitize(name);
        // This upload's rules: the assignment's types for a hand-in, else
        // the safe list; its size, never above the school's limit.
        let rules = FileLimits {
            max_files: 1,
            max_file_size: limits
                .as_ref()
                .map_or(self.max_upload_bytes, |l| l.max_file_size)
                .min(self.max_upload_bytes),
            allowed_extensions: limits.map_or_else(
                || {
                    SAFE_UPLOAD_EXTENSIONS
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect()
                },
                |l| l.allowed_extensions,
            ),
        };
        // The type, before a byte is stored.
        rules.check_file(&name, 0)?;
        let max = rules.max_file_size;

        let id = FileId::new();
        let now = self.clock.now();
        let key = storage_key(id, now);
        let mut writer = self.store.create(&key).await?;
        let size = match copy(body, writer.as_mut(), max).await {
            Ok(size) => size,
            Err(e) => {
                // Nothing is visible under the key until commit; the abort
                // only frees what was written.
                let _ = writer.abort().await;
                return Err(match e {
                    CopyError::TooLarge => UploadError::Limits(FileLimitError::TooLarge {
                        name: name.as_str().to_owned(),
                        max,
                    }),
                    CopyError::Body(reason) => UploadError::Unreadable(reason),
                    CopyError::Store(e) => {
                        // Read the rest (still within the limit) so an HTTP
                        // client gets the answer rather than a connection
                        // closed while it is still sending.
                        drain(body, max).await;
                        e.into()
                    }
                });
            }
        };
        writer.commit().await?;
        let file = FileRef {
            id,
            content_type: content_type_of(&name).to_owned(),
            name,
            size,
            storage_key: key,
            uploaded_by: actor.user_id,
            uploaded_at: now,
        };
        if let Err(e) = self.register(actor, &file, owner).await {
            // The bytes must not outlive a failed registration. Should this
            // delete fail too, the bytes stay unreferenced: harmless, never
            // served, as no record points at them.
            let _ = self.store.delete(&file.storage_key).await;
            return Err(e);
        }
        Ok(file)
    }

    /// The owner an upload for `target` gets, and the file limits of the
    /// assignment a hand-in upload is for.
    async fn upload_rules(
        &self,
        actor: &Actor,
        target: UploadTarget,
    ) -> Result<(crate::file::FileOwner, Option<FileLimits>), UploadError> {
        let owner = self.authorize_upload(actor, target).await?;
        let limits = match target {
            UploadTarget::HandIn(assignment) => Some(
                self.visible_assignment(actor, assignment)
                    .await?
                    .ok_or(UploadError::AssignmentNotFound)?
                    .file_limits,
            ),
            _ => None,
        };
        Ok((owner, limits))
    }

    /// The file's record and its bytes, if the actor may download it (see
    /// [`authorize_download`](Self::authorize_download)).
    pub async fn download(
        &self,
        actor: &Actor,
        id: FileId,
    ) -> Result<(FileRef, Box<dyn FileRead>), DownloadError> {
        let file = self.authorize_download(actor, id).await?;
        let reader = self.store.open(&file.storage_key).await?;
        Ok((file, reader))
    }

    /// Deletes drafts (uploads never attached to anything) older than the
    /// [draft lifetime](Self::set_draft_lifetime): first the record (only
    /// while it is still unattached, so a save racing the sweep keeps its
    /// file), then the bytes. Returns how many were deleted.
    pub async fn purge_drafts(&self) -> Result<u64, StorageError> {
        const BATCH: u32 = 100;
        let cutoff = self.clock.now() - self.draft_lifetime;
        let mut purged = 0;
        loop {
            let batch = self.files.unattached_before(cutoff, BATCH).await?;
            let full = batch.len() == BATCH as usize;
            let mut deleted_any = false;
            for file in batch {
                if self.files.delete(file.id).await? {
                    deleted_any = true;
                    purged += 1;
                    // Bytes whose delete fails stay unreferenced: never
                    // served, as no record points at them any more.
                    let _ = self.store.delete(&file.storage_key).await;
                }
            }
            if !full || !deleted_any {
                return Ok(purged);
            }
        }
    }
}

enum CopyError {
    TooLarge,
    Body(String),
    Store(FileStoreError),
}

/// Copies `body` into `writer`, refusing past `max` bytes; returns the size.
async fn copy(
    body: &mut dyn ByteSource,
    writer: &mut dyn FileWrite,
    max: u64,
) -> Result<u64, CopyError> {
    let mut size: u64 = 0;
    loop {
        let chunk = match body.next_chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return Ok(size),
            Err(BodyError::TooLarge) => return Err(CopyError::TooLarge),
            Err(BodyError::Unreadable(reason)) => return Err(CopyError::Body(reason)),
        };
        size += chunk.len() as u64;
        if size > max {
            return Err(CopyError::TooLarge);
        }
        writer.write(&chunk).await.map_err(CopyError::Store)?;
    }
}

/// Reads and drops the rest of `body`, at most `max` bytes.
async fn drain(body: &mut dyn ByteSource, max: u64) {
    let mut rest: u64 = 0;
    while let Ok(Some(chunk)) = body.next_chunk().await {
        rest += chunk.len() as u64;
        if rest > max {
            break;
        }
    }
}

/// The store an [`Lms`](crate::Lms) has before one is given: every call
/// fails, saying so. Uploads need a real store
/// ([`Lms::with_file_store`](crate::Lms::with_file_store)).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFileStore;

impl NoFileStore {
    fn refuse() -> FileStoreError {
        FileStoreError::Permanent("no file store is configured (Lms::with_file_store)".to_owned())
    }
}

#[async_trait]
impl FileStore for NoFileStore {
    async fn create(&self, _key: &str) -> Result<Box<dyn FileWrite>, FileStoreError> {
        Err(Self::refuse())
    }
    async fn open(&self, _key: &str) -> Result<Box<dyn FileRead>, FileStoreError> {
        Err(Self::refuse())
    }
    async fn delete(&self, _key: &str) -> Result<(), FileStoreError> {
        Err(Self::refuse())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_raster_images_are_inline() {
        assert!(inline_safe("image/png"));
        assert!(!inline_safe("image/svg+xml"));
        assert!(!inline_safe("text/html"));
        assert_eq!(
            content_type_of(&FileName::sanitize("x.HTML")),
            "application/octet-stream"
        );
        assert_eq!(content_type_of(&FileName::sanitize("x.JPG")), "image/jpeg");
    }

    #[test]
    fn keys_are_spread_by_month_and_reveal_nothing() {
        let id = FileId::new();
        let at = DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(storage_key(id, at), format!("files/2026/12/{}", id.0));
    }
}
