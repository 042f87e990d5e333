//! Where a school's uploaded files live: adapters of the core's
//! [`FileStore`](lms_core::file::FileStore) port, usable without any HTTP
//! stack. A local directory ([`LocalFileStore`]) for one server, and any
//! `object_store` backend, S3-compatible storage in production
//! ([`ObjectFileStore`]). Give one to the core with
//! [`Lms::with_file_store`](lms_core::Lms::with_file_store); its
//! [`FileService`](lms_core::file::FileService) then runs uploads,
//! downloads and the cleanup of unused drafts over it.
//!
//! Keys are validated the same way by both: non-empty, at most
//! [`MAX_KEY_LEN`] bytes of `[A-Za-z0-9/_.-]`, relative, with no empty
//! segment and no segment starting with `.` (so no `..`, and temporary
//! files of the local store never collide with keys).
//!
//! ```
//! use lms_core::file::FileStore;
//! use lms_files::LocalFileStore;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), lms_core::file::FileStoreError> {
//! # let dir = std::env::temp_dir().join(format!("lms-doc-{}", std::process::id()));
//! let store = LocalFileStore::new(&dir)?;
//! let mut upload = store.create("submissions/report.pdf").await?;
//! upload.write(b"%PDF-1.7").await?;
//! upload.commit().await?; // visible only from here on
//!
//! let mut download = store.open("submissions/report.pdf").await?;
//! assert_eq!(download.next_chunk().await?, Some(b"%PDF-1.7".to_vec()));
//! assert!(store.open("../etc/passwd").await.is_err());
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! ```

mod local;
mod s3;

pub use local::LocalFileStore;
pub use s3::{ObjectFileStore, S3Options};

use lms_core::file::FileStoreError;

/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 512;

/// Checks a file key; a bad one is a permanent error (retrying cannot fix it).
pub fn validate_key(key: &str) -> Result<(), FileStoreError> {
    let bad = |why: &str| {
        Err(FileStoreError::Permanent(format!(
            "invalid file key: {why}"
        )))
    };
    if key.is_empty() {
        return bad("empty");
    }
    if key.len() > MAX_KEY_LEN {
        return bad("too long");
    }
    if let Some(c) = key
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '.' | '-')))
    {
        return bad(&format!("character {c:?} is not allowed"));
    }
    for segment in key.split('/') {
        if segment.is_empty() {
            return bad("absolute, or with an empty path segment");
        }
        if segment.starts_with('.') {
            return bad("a path segment starts with a dot");
        }
    }
    Ok(())
}

/// The behaviour every adapter must have, run against each of them.
#[cfg(test)]
pub(crate) mod conformance {
    use lms_core::file::{FileStore, FileStoreError};

    async fn read_all(store: &dyn FileStore, key: &str) -> Result<Vec<u8>, FileStoreError> {
        let mut reader = store.open(key).await?;
        let mut out = Vec::new();
        while let Some(chunk) = reader.next_chunk().await? {
            assert!(!chunk.is_empty(), "chunks are never empty");
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    fn is_not_found<T>(r: &Result<T, FileStoreError>) -> bool {
        matches!(r, Err(FileStoreError::NotFound))
    }

    /// Exercises write/commit/read/abort/drop/delete/missing/bad keys.
    pub(crate) async fn run(store: &dyn FileStore) {
        // A file written in chunks appears only on commit, byte for byte.
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut w = store.create("submissions/2026/a1.pdf").await.unwrap();
        w.write(b"%PDF-1.7\n").await.unwrap();
        w.write(&big).await.unwrap();
        w.write(b"").await.unwrap();
        assert!(is_not_found(
            &read_all(store, "submissions/2026/a1.pdf").await
        ));
        w.commit().await.unwrap();
        let mut expected = b"%PDF-1.7\n".to_vec();
        expected.extend_from_slice(&big);
        assert_eq!(
            read_all(store, "submissions/2026/a1.pdf").await.unwrap(),
            expected
        );

        // An empty file is a file.
        let w = store.create("empty.txt").await.unwrap();
        w.commit().await.unwrap();
        assert_eq!(read_all(store, "empty.txt").await.unwrap(), b"");

        // Aborted and dropped writes leave nothing.
        let mut w = store.create("aborted.bin").await.unwrap();
        w.write(b"half").await.unwrap();
        w.abort().await.unwrap();
        assert!(is_not_found(&read_all(store, "aborted.bin").await));
        {
            let mut w = store.create("dropped.bin").await.unwrap();
            w.write(b"half").await.unwrap();
        }
        assert!(is_not_found(&read_all(store, "dropped.bin").await));

        // Deleting removes; deleting again or a missing key is fine.
        store.delete("submissions/2026/a1.pdf").await.unwrap();
        assert!(is_not_found(
            &read_all(store, "submissions/2026/a1.pdf").await
        ));
        store.delete("submissions/2026/a1.pdf").await.unwrap();
        store.delete("never/was.txt").await.unwrap();
        assert!(is_not_found(&read_all(store, "never/was.txt").await));

        // Bad keys are refused everywhere, permanently.
        for key in [
            "",
            "../etc/passwd",
            "a/../../b",
            "/abs/path",
            "a//b",
            "a/./b",
            ".hidden",
            "back\\slash",
            "пробел файл",
            "a b",
        ] {
            for result in [
                store.create(key).await.map(drop),
                store.open(key).await.map(drop),
                store.delete(key).await,
            ] {
                assert!(
                    matches!(result, Err(FileStoreError::Permanent(_))),
                    "{key:?} was accepted"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        for good in ["a", "files/2026/11/0f3c-ab_12.pdf", "x.tar.gz", "A-Z_0-9"] {
            assert!(validate_key(good).is_ok(), "{good}");
        }
        let long = "a".repeat(MAX_KEY_LEN + 1);
        for bad in [
            "", "..", "a/..", "/a", "a/", "a//b", ".a", "a/.b", "a?b", "ä", &long,
        ] {
            assert!(validate_key(bad).is_err(), "{bad}");
        }
    }
}
