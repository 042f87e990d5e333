//! Files in a local directory.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use lms_core::file::{FileRead, FileStore, FileStoreError, FileWrite};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::validate_key;

/// How many bytes one [`FileRead::next_chunk`] returns at most.
const CHUNK: usize = 64 * 1024;

/// Files under one directory, each key a relative path in it.
///
/// A write goes to a hidden temporary file next to its target
/// (`.<name>.<random>.tmp`); commit flushes it to disk (`fsync`) and renames
/// it into place, so a reader sees a whole file or none, also after a
/// crash. An aborted or dropped write removes the temporary file.
#[derive(Debug, Clone)]
pub struct LocalFileStore {
    root: PathBuf,
}

impl LocalFileStore {
    /// A store in `root`, which is created if missing.
    pub fn new(root: impl Into<PathBuf>) -> Result<Self, FileStoreError> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(|e| io_err(&e))?;
        Ok(Self { root })
    }

    /// The directory.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> Result<PathBuf, FileStoreError> {
        validate_key(key)?;
        Ok(self.root.join(key))
    }
}

fn io_err(e: &std::io::Error) -> FileStoreError {
    match e.kind() {
        ErrorKind::NotFound => FileStoreError::NotFound,
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge => {
            FileStoreError::Full(e.to_string())
        }
        ErrorKind::PermissionDenied
        | ErrorKind::InvalidInput
        | ErrorKind::InvalidFilename
        | ErrorKind::ReadOnlyFilesystem
        | ErrorKind::Unsupported => FileStoreError::Permanent(e.to_string()),
        _ => FileStoreError::Transient(e.to_string()),
    }
}

/// A write in progress: the temporary file and where it goes on commit.
struct LocalWrite {
    file: Option<tokio::fs::File>,
    temp: PathBuf,
    target: PathBuf,
    done: bool,
}

impl Drop for LocalWrite {
    fn drop(&mut self) {
        if !self.done {
            // Dropped mid-upload (client went away, handler error): the
            // temporary file must not stay behind.
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[async_trait]
impl FileWrite for LocalWrite {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), FileStoreError> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| FileStoreError::Permanent("write after close".into()))?;
        file.write_all(chunk).await.map_err(|e| io_err(&e))
    }

    async fn commit(mut self: Box<Self>) -> Result<(), FileStoreError> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| FileStoreError::Permanent("write after close".into()))?;
        file.flush().await.map_err(|e| io_err(&e))?;
        file.sync_all().await.map_err(|e| io_err(&e))?;
        drop(file);
        tokio::fs::rename(&self.temp, &self.target)
            .await
            .map_err(|e| io_err(&e))?;
        self.done = true;
        // Make the rename itself durable.
        if let Some(dir) = self.target.parent() {
            let dir = dir.to_path_buf();
            tokio::task::spawn_blocking(move || std::fs::File::open(dir)?.sync_all())
                .await
                .map_err(|e| FileStoreError::Transient(e.to_string()))?
                .map_err(|e| io_err(&e))?;
        }
        Ok(())
    }

    async fn abort(mut self: Box<Self>) -> Result<(), FileStoreError> {
        drop(self.file.take());
        self.done = true;
        match tokio::fs::remove_file(&self.temp).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(&e)),
        }
    }
}

struct LocalRead {
    file: tokio::fs::File,
}

#[async_trait]
impl FileRead for LocalRead {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, FileStoreError> {
        let mut buf = vec![0; CHUNK];
        let n = self.file.read(&mut buf).await.map_err(|e| io_err(&e))?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some(buf))
    }
}

#[async_trait]
impl FileStore for LocalFileStore {
    async fn create(&self, key: &str) -> Result<Box<dyn FileWrite>, FileStoreError> {
        let target = self.path(key)?;
        let dir = target.parent().unwrap_or(&self.root).to_path_buf();
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| io_err(&e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .await
            .map_err(|e| io_err(&e))?;
        Ok(Box::new(LocalWrite {
            file: Some(file),
            temp,
            target,
            done: false,
        }))
    }

    async fn open(&self, key: &str) -> Result<Box<dyn FileRead>, FileStoreError> {
        let path = self.path(key)?;
        let file = tokio::fs::File::open(&path).await.map_err(|e| io_err(&e))?;
        Ok(Box::new(LocalRead { file }))
    }

    async fn delete(&self, key: &str) -> Result<(), FileStoreError> {
        let path = self.path(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_in(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                out.extend(files_in(&entry.path()));
            } else {
                out.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        out
    }

    #[tokio::test]
    async fn behaves_like_a_file_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFileStore::new(dir.path().join("files")).unwrap();
        super::super::conformance::run(&store).await;
        // Only the committed empty file is left: no temporary files of the
        // aborted and dropped writes.
        assert_eq!(files_in(store.root()), vec!["empty.txt".to_owned()]);
    }

    #[tokio::test]
    async fn files_live_under_their_key_and_nowhere_else() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFileStore::new(dir.path()).unwrap();
        let mut w = store.create("a/b/c.txt").await.unwrap();
        w.write("Привет".as_bytes()).await.unwrap();
        w.commit().await.unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/b/c.txt")).unwrap(),
            "Привет"
        );
        // Traversal is refused before touching the file system.
        std::fs::write(dir.path().join("secret"), "x").unwrap();
        assert!(store.open("a/../secret").await.is_err());
        assert!(store.delete("a/../secret").await.is_err());
        assert!(dir.path().join("secret").exists());
    }
}
