//! The `FileStore` port (where uploaded bytes live: a local directory, S3,
//! ...) and the `FileRegistry` port (the metadata of every stored file and
//! the object it belongs to, in the school's storage).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::error::StorageResult;
use crate::file::model::{FileOwner, FileRef, UploadUsage};
use crate::ids::{FileId, UserId};

/// Why a file operation failed.
#[derive(Debug, Error)]
pub enum FileStoreError {
    /// No file under this key.
    #[error("file not found")]
    NotFound,
    /// The store has no room left (disk full, quota exhausted): nothing was
    /// kept; an operator must free space.
    #[error("file store is full: {0}")]
    Full(String),
    /// The store is temporarily unavailable; retrying may help.
    #[error("file store temporarily unavailable: {0}")]
    Transient(String),
    /// A failure a retry cannot fix.
    #[error("file store failure: {0}")]
    Permanent(String),
}

impl FileStoreError {
    /// Whether retrying may help.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }
}

/// A file being written chunk by chunk. Nothing is visible under the key
/// until [`commit`](FileWrite::commit); a dropped or aborted write leaves nothing.
#[async_trait]
pub trait FileWrite: Send {
    /// Appends a chunk.
    async fn write(&mut self, chunk: &[u8]) -> Result<(), FileStoreError>;
    /// Makes the file visible under its key.
    async fn commit(self: Box<Self>) -> Result<(), FileStoreError>;
    /// Discards what was written.
    async fn abort(self: Box<Self>) -> Result<(), FileStoreError>;
}

/// A file being read chunk by chunk.
#[async_trait]
pub trait FileRead: Send {
    /// The next chunk, or `None` at the end.
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, FileStoreError>;
}

/// Bytes of uploaded files, addressed by key.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Starts writing a file under `key` (replacing none: keys are fresh ids).
    async fn create(&self, key: &str) -> Result<Box<dyn FileWrite>, FileStoreError>;
    /// Opens a file for reading.
    async fn open(&self, key: &str) -> Result<Box<dyn FileRead>, FileStoreError>;
    /// Deletes a file; deleting a missing one is not an error.
    async fn delete(&self, key: &str) -> Result<(), FileStoreError>;
}

/// The metadata of every uploaded file and what it belongs to. Uploads are
/// registered [`Unattached`](FileOwner::Unattached) (or directly attached to
/// a lesson or assignment by its staff) and attached when the object that
/// uses them is saved; files never attached are found by
/// [`unattached_before`](FileRegistry::unattached_before) and cleaned up.
///
/// A deleted lesson leaves its files unattached (they are then cleaned up
/// like any other orphan).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait FileRegistry: Send + Sync {
    /// Registers a file with its owner. `Conflict(Other)` if the id or the
    /// storage key is taken; `NotFound` if the uploader or the owning
    /// lesson, assignment or submission does not exist.
    async fn insert(&self, file: &FileRef, owner: FileOwner) -> StorageResult<()>;
    /// One file with its owner.
    async fn get(&self, id: FileId) -> StorageResult<Option<(FileRef, FileOwner)>>;
    /// Attaches files to `owner`, atomically: every id must exist and have
    /// been uploaded by `uploaded_by` (else `NotFound`), and be unattached
    /// or already attached to exactly `owner` (else `Conflict(FileAttached)`),
    /// or nothing changes. A retry of the same call therefore succeeds.
    /// `NotFound` too if the owner does not exist. Returns the files in the
    /// order of `ids`, a repeated id once.
    async fn attach(
        &self,
        ids: &[FileId],
        uploaded_by: UserId,
        owner: FileOwner,
    ) -> StorageResult<Vec<FileRef>>;
    /// Files of an owner, oldest upload first (ties by id). For
    /// `Unattached`: every unattached file of the school.
    async fn list_by_owner(&self, owner: FileOwner) -> StorageResult<Vec<FileRef>>;
    /// How many unattached files `user` uploaded and their bytes together
    /// (for the upload quota).
    async fn unattached_usage(&self, user: UserId) -> StorageResult<UploadUsage>;
    /// Unattached files uploaded before `cutoff`, oldest first (ties by id),
    /// at most `limit`: the orphans a cleanup deletes.
    async fn unattached_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> StorageResult<Vec<FileRef>>;
    /// Deletes the record of a file that is still unattached; returns
    /// whether it did. An attached (or unknown) file is kept and `false`
    /// returned, so a cleanup racing an attach never loses a file in use:
    /// delete the bytes from the [`FileStore`] only after this returned `true`.
    async fn delete(&self, id: FileId) -> StorageResult<bool>;
}
