//! Why file operations fail.

use thiserror::Error;

use crate::error::StorageError;
use crate::file::model::FileLimitError;
use crate::file::ports::FileStoreError;

/// Why an upload (or its registration) was refused.
#[derive(Debug, Error)]
pub enum UploadError {
    /// The actor's account is deactivated (or unknown).
    #[error("the account is deactivated")]
    Inactive,
    /// No such lesson, or the actor may not see it.
    #[error("lesson not found")]
    LessonNotFound,
    /// No such assignment, or the actor may not see it.
    #[error("assignment not found")]
    AssignmentNotFound,
    /// The actor sees the object but may not edit it, or registers a file
    /// someone else uploaded, or for a submission (those are attached).
    #[error("not allowed to upload files here")]
    Forbidden,
    /// The course is archived: its lessons and assignments are frozen.
    #[error("the course is archived")]
    CourseArchived,
    /// The user holds as many unattached uploads (files or bytes) as the
    /// quota allows: hand them in, or wait for the daily cleanup.
    #[error(
        "at most {max_files} files and {max_bytes} bytes may wait unattached; hand them in first"
    )]
    QuotaExceeded {
        /// Files allowed.
        max_files: u32,
        /// Bytes allowed.
        max_bytes: u64,
    },
    /// The file's type is not allowed here, or it is larger than allowed;
    /// nothing was kept.
    #[error(transparent)]
    Limits(#[from] FileLimitError),
    /// The body could not be read to its end (the client went away, or
    /// sent something malformed); nothing was kept.
    #[error("the upload could not be read: {0}")]
    Unreadable(String),
    /// The file store has no room left; nothing was kept.
    #[error("the server has no room for this file; nothing was stored")]
    StoreFull(String),
    /// The file store is temporarily unavailable; nothing was kept, a
    /// retry may succeed.
    #[error("file storage is temporarily unavailable: {0}")]
    StoreUnavailable(String),
    /// The file store failed in a way a retry cannot fix; nothing was kept.
    #[error("file storage failed: {0}")]
    StoreFailed(String),
    /// Storage failed (`Conflict(Other)`: the file id or key is taken).
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<FileStoreError> for UploadError {
    fn from(e: FileStoreError) -> Self {
        match e {
            FileStoreError::Full(reason) => Self::StoreFull(reason),
            FileStoreError::Transient(reason) => Self::StoreUnavailable(reason),
            FileStoreError::NotFound => Self::StoreFailed("file not found".to_owned()),
            FileStoreError::Permanent(reason) => Self::StoreFailed(reason),
        }
    }
}

crate::domain_error!(UploadError {
    Limits(FileLimitError::TypeNotAllowed { .. }) => (Unsupported, "file_type_not_allowed"),
    Limits(FileLimitError::TooLarge { .. }) => (TooLarge, "file_too_large"),
    Limits(FileLimitError::TooMany { .. }) => (Invalid, "too_many_files"),
    Unreadable(_) => (Invalid, "malformed_upload"),
    StoreFull(_) => (StorageFull, "insufficient_storage"),
    StoreUnavailable(_) => (Unavailable, "file_store_unavailable"),
    StoreFailed(_) => (Internal, "internal"),
    Inactive => (Forbidden, "account_inactive"),
    LessonNotFound => (NotFound, "lesson_not_found"),
    AssignmentNotFound => (NotFound, "assignment_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    CourseArchived => (Conflict, "course_archived"),
    QuotaExceeded { .. } => (TooLarge, "upload_quota_exceeded"),
});

/// Why a download was refused.
#[derive(Debug, Error)]
pub enum DownloadError {
    /// No such file, or the actor may not see what it belongs to.
    #[error("file not found")]
    NotFound,
    /// The file is registered but its bytes are missing from the store.
    #[error("the file's content is missing")]
    ContentMissing,
    /// The file store is temporarily unavailable.
    #[error("file storage is temporarily unavailable: {0}")]
    StoreUnavailable(String),
    /// The file store failed in a way a retry cannot fix.
    #[error("file storage failed: {0}")]
    StoreFailed(String),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(DownloadError {
    NotFound => (NotFound, "file_not_found"),
    ContentMissing => (NotFound, "file_content_missing"),
    StoreUnavailable(_) => (Unavailable, "file_store_unavailable"),
    StoreFailed(_) => (Internal, "internal"),
});

impl From<FileStoreError> for DownloadError {
    fn from(e: FileStoreError) -> Self {
        match e {
            FileStoreError::NotFound => Self::ContentMissing,
            FileStoreError::Transient(reason) => Self::StoreUnavailable(reason),
            FileStoreError::Full(reason) | FileStoreError::Permanent(reason) => {
                Self::StoreFailed(reason)
            }
        }
    }
}
