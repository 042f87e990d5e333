//! The file store the configuration names (`LMS_FILES`).

use std::sync::Arc;

use lms_core::file::{FileStore, FileStoreError};
use lms_files::{LocalFileStore, ObjectFileStore, S3Options};

use crate::config::FilesConfig;

/// A local directory (created if missing) or an S3-compatible bucket.
pub fn file_store(cfg: &FilesConfig) -> Result<Arc<dyn FileStore>, FileStoreError> {
    Ok(match cfg {
        FilesConfig::Dir(dir) => Arc::new(LocalFileStore::new(dir)?),
        FilesConfig::S3(s3) => Arc::new(ObjectFileStore::s3(&S3Options {
            bucket: s3.bucket.clone(),
            prefix: s3.prefix.clone(),
            endpoint: s3.endpoint.clone(),
            region: s3.region.clone(),
            access_key_id: s3.access_key_id.clone(),
            secret_access_key: s3.secret_access_key.as_ref().map(|s| s.expose().to_owned()),
        })?),
    })
}

#[cfg(test)]
mod tests {
    use crate::config::S3Config;

    use super::*;

    #[tokio::test]
    async fn a_directory_store_keeps_files_in_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("files");
        let store = file_store(&FilesConfig::Dir(root.clone())).unwrap();
        let mut w = store.create("a/b.txt").await.unwrap();
        w.write(b"hello").await.unwrap();
        w.commit().await.unwrap();
        assert_eq!(std::fs::read(root.join("a/b.txt")).unwrap(), b"hello");
    }

    #[test]
    fn an_s3_store_is_built_from_its_settings() {
        let cfg = FilesConfig::S3(S3Config {
            bucket: "school".into(),
            prefix: "uploads".into(),
            endpoint: Some("http://127.0.0.1:9000".into()),
            region: Some("ru-central1".into()),
            access_key_id: Some("key".into()),
            secret_access_key: Some(crate::config::Secret::new("secret")),
        });
        assert!(file_store(&cfg).is_ok());
    }
}
