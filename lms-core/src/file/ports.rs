//! The `FileStore` port: where uploaded bytes live (a local directory, S3, ...).

use async_trait::async_trait;
use thiserror::Error;

/// Why a file operation failed.
#[derive(Debug, Error)]
pub enum FileStoreError {
    /// No file under this key.
    #[error("file not found")]
    NotFound,
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
