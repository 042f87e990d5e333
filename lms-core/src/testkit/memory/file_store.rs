//! [`MemoryFileStore`]: the bytes of uploads, in memory.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use crate::file::{FileRead, FileStore, FileStoreError, FileWrite};

/// A [`FileStore`] in memory, for tests and examples. A write becomes
/// visible only on commit, as in the real adapters.
/// [`fail_writes`](Self::fail_writes) makes every write fail (transiently),
/// to test what a caller leaves behind.
#[derive(Debug, Clone, Default)]
pub struct MemoryFileStore {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    files: BTreeMap<String, Vec<u8>>,
    fail_writes: bool,
}

impl MemoryFileStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The keys stored, in order.
    #[must_use]
    pub fn keys(&self) -> Vec<String> {
        self.lock().files.keys().cloned().collect()
    }

    /// The bytes under `key`.
    #[must_use]
    pub fn bytes(&self, key: &str) -> Option<Vec<u8>> {
        self.lock().files.get(key).cloned()
    }

    /// Makes every later write fail with a transient error (or work again).
    pub fn fail_writes(&self, fail: bool) {
        self.lock().fail_writes = fail;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Write {
    store: MemoryFileStore,
    key: String,
    bytes: Vec<u8>,
}

#[async_trait]
impl FileWrite for Write {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), FileStoreError> {
        if self.store.lock().fail_writes {
            return Err(FileStoreError::Transient("writes are failing".to_owned()));
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    async fn commit(self: Box<Self>) -> Result<(), FileStoreError> {
        let Self { store, key, bytes } = *self;
        store.lock().files.insert(key, bytes);
        Ok(())
    }

    async fn abort(self: Box<Self>) -> Result<(), FileStoreError> {
        Ok(())
    }
}

struct Read(Option<Vec<u8>>);

#[async_trait]
impl FileRead for Read {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, FileStoreError> {
        Ok(self.0.take().filter(|b| !b.is_empty()))
    }
}

#[async_trait]
impl FileStore for MemoryFileStore {
    async fn create(&self, key: &str) -> Result<Box<dyn FileWrite>, FileStoreError> {
        Ok(Box::new(Write {
            store: self.clone(),
            key: key.to_owned(),
            bytes: Vec::new(),
        }))
    }

    async fn open(&self, key: &str) -> Result<Box<dyn FileRead>, FileStoreError> {
        let bytes = self.bytes(key).ok_or(FileStoreError::NotFound)?;
        Ok(Box::new(Read(Some(bytes))))
    }

    async fn delete(&self, key: &str) -> Result<(), FileStoreError> {
        self.lock().files.remove(key);
        Ok(())
    }
}
