//! Files in an `object_store` backend: S3-compatible storage (AWS, MinIO,
//! Yandex Object Storage, ...) in production, in memory in tests.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use futures::StreamExt;
use futures::stream::BoxStream;
use lms_core::file::{FileRead, FileStore, FileStoreError, FileWrite};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, WriteMultipart};

use super::validate_key;

/// How many parts of one upload may be in flight at once.
const MAX_CONCURRENT_PARTS: usize = 4;

/// Where an S3-compatible bucket is and how to sign in to it.
///
/// Unset fields fall back to the standard `AWS_*` environment variables
/// (then instance credentials). `Debug` never shows the secret key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct S3Options {
    /// The bucket.
    pub bucket: String,
    /// A key prefix inside the bucket (may be empty).
    pub prefix: String,
    /// Endpoint for non-AWS services, e.g. `https://storage.yandexcloud.net`
    /// or `http://127.0.0.1:9000` for MinIO (path-style requests are used).
    pub endpoint: Option<String>,
    /// Region (default `us-east-1`, which most S3-compatible services accept).
    pub region: Option<String>,
    /// Access key id.
    pub access_key_id: Option<String>,
    /// Secret access key.
    pub secret_access_key: Option<String>,
}

impl fmt::Debug for S3Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Options")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "***"),
            )
            .finish()
    }
}

/// Files as objects of an [`ObjectStore`], each key under a prefix.
///
/// Writes are multipart uploads streamed part by part (5 MiB parts, a few
/// in flight), so a large upload is never held in memory whole; nothing is
/// visible until commit completes the upload. An aborted write aborts the
/// upload; a dropped one aborts it in the background.
///
/// `object_store` retries transient HTTP failures itself; what still fails
/// maps to [`FileStoreError`]: missing objects to `NotFound`, refused
/// credentials, permissions and bad paths to `Permanent`, everything else
/// (timeouts, 5xx after retries) to `Transient`.
#[derive(Clone)]
pub struct ObjectFileStore {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

impl fmt::Debug for ObjectFileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectFileStore")
            .field("store", &self.store.to_string())
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl ObjectFileStore {
    /// Files in `store` under `prefix` (slashes at either end are ignored).
    pub fn new(store: Arc<dyn ObjectStore>, prefix: &str) -> Self {
        Self {
            store,
            prefix: prefix.trim_matches('/').to_owned(),
        }
    }

    /// Files in an S3-compatible bucket.
    pub fn s3(options: &S3Options) -> Result<Self, FileStoreError> {
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&options.bucket)
            .with_region(options.region.as_deref().unwrap_or("us-east-1"));
        if let Some(endpoint) = &options.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        if let Some(id) = &options.access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &options.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        let store = builder
            .build()
            .map_err(|e| FileStoreError::Permanent(format!("S3 configuration: {e}")))?;
        Ok(Self::new(Arc::new(store), &options.prefix))
    }

    fn location(&self, key: &str) -> Result<Path, FileStoreError> {
        validate_key(key)?;
        let full = if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}/{key}", self.prefix)
        };
        Path::parse(full).map_err(|e| FileStoreError::Permanent(e.to_string()))
    }
}

fn map_err(e: object_store::Error) -> FileStoreError {
    use object_store::Error as E;
    match e {
        E::NotFound { .. } => FileStoreError::NotFound,
        E::PermissionDenied { .. }
        | E::Unauthenticated { .. }
        | E::InvalidPath { .. }
        | E::NotSupported { .. }
        | E::NotImplemented
        | E::UnknownConfigurationKey { .. }
        | E::AlreadyExists { .. }
        | E::Precondition { .. } => FileStoreError::Permanent(e.to_string()),
        other => FileStoreError::Transient(other.to_string()),
    }
}

struct ObjectWrite {
    upload: Option<WriteMultipart>,
}

impl Drop for ObjectWrite {
    fn drop(&mut self) {
        // Dropped mid-upload: abort it so the bucket holds no orphaned parts.
        if let Some(upload) = self.upload.take()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(async move {
                let _ = upload.abort().await;
            });
        }
    }
}

impl ObjectWrite {
    fn upload(&mut self) -> Result<&mut WriteMultipart, FileStoreError> {
        self.upload
            .as_mut()
            .ok_or_else(|| FileStoreError::Permanent("write after close".into()))
    }
}

#[async_trait]
impl FileWrite for ObjectWrite {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), FileStoreError> {
        let upload = self.upload()?;
        upload
            .wait_for_capacity(MAX_CONCURRENT_PARTS)
            .await
            .map_err(map_err)?;
        upload.write(chunk);
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<(), FileStoreError> {
        let upload = self
            .upload
            .take()
            .ok_or_else(|| FileStoreError::Permanent("write after close".into()))?;
        // `finish` aborts the upload itself when completing it fails.
        upload.finish().await.map(drop).map_err(map_err)
    }

    async fn abort(mut self: Box<Self>) -> Result<(), FileStoreError> {
        match self.upload.take() {
            Some(upload) => upload.abort().await.map_err(map_err),
            None => Ok(()),
        }
    }
}

struct ObjectRead {
    stream: BoxStream<'static, object_store::Result<bytes::Bytes>>,
}

#[async_trait]
impl FileRead for ObjectRead {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, FileStoreError> {
        loop {
            match self.stream.next().await {
                None => return Ok(None),
                Some(Err(e)) => return Err(map_err(e)),
                Some(Ok(b)) if b.is_empty() => {}
                Some(Ok(b)) => return Ok(Some(b.to_vec())),
            }
        }
    }
}

#[async_trait]
impl FileStore for ObjectFileStore {
    async fn create(&self, key: &str) -> Result<Box<dyn FileWrite>, FileStoreError> {
        let location = self.location(key)?;
        let upload = self.store.put_multipart(&location).await.map_err(map_err)?;
        Ok(Box::new(ObjectWrite {
            upload: Some(WriteMultipart::new(upload)),
        }))
    }

    async fn open(&self, key: &str) -> Result<Box<dyn FileRead>, FileStoreError> {
        let location = self.location(key)?;
        let result = self.store.get(&location).await.map_err(map_err)?;
        Ok(Box::new(ObjectRead {
            stream: result.into_stream(),
        }))
    }

    async fn delete(&self, key: &str) -> Result<(), FileStoreError> {
        let location = self.location(key)?;
        match self.store.delete(&location).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use object_store::memory::InMemory;

    use super::*;

    #[tokio::test]
    async fn behaves_like_a_file_store() {
        let store = ObjectFileStore::new(Arc::new(InMemory::new()), "/school/uploads/");
        super::super::conformance::run(&store).await;
    }

    #[tokio::test]
    async fn keys_live_under_the_prefix() {
        let memory = Arc::new(InMemory::new());
        let store = ObjectFileStore::new(memory.clone(), "school");
        let mut w = store.create("a/b.txt").await.unwrap();
        w.write(b"hello").await.unwrap();
        w.commit().await.unwrap();
        let got = memory
            .get(&Path::parse("school/a/b.txt").unwrap())
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(&got[..], b"hello");
    }

    #[test]
    fn s3_options_build_a_store_and_hide_the_secret() {
        let options = S3Options {
            bucket: "school-files".into(),
            prefix: "uploads".into(),
            endpoint: Some("http://127.0.0.1:9000".into()),
            region: None,
            access_key_id: Some("minio".into()),
            secret_access_key: Some("minio-secret".into()),
        };
        assert!(!format!("{options:?}").contains("minio-secret"));
        let store = ObjectFileStore::s3(&options).unwrap();
        assert!(format!("{store:?}").contains("school-files"));
    }

    #[test]
    fn errors_say_whether_to_retry() {
        let not_found = object_store::Error::NotFound {
            path: "x".into(),
            source: "gone".into(),
        };
        assert!(matches!(map_err(not_found), FileStoreError::NotFound));
        let denied = object_store::Error::PermissionDenied {
            path: "x".into(),
            source: "403".into(),
        };
        assert!(matches!(map_err(denied), FileStoreError::Permanent(_)));
        let generic = object_store::Error::Generic {
            store: "S3",
            source: "connection reset".into(),
        };
        assert!(map_err(generic).is_transient());
    }
}
