//! File references and limits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::{FileId, UserId};

/// A file name safe to store and to send back in `Content-Disposition`: no
/// path separators, control characters or leading dots; at most 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "report.pdf"))]
#[serde(from = "String", into = "String")]
pub struct FileName(String);

impl FileName {
    /// Sanitises a client-supplied name. Never fails: a name with nothing
    /// left becomes `file`.
    #[must_use]
    pub fn sanitize(raw: &str) -> Self {
        let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let cleaned: String = base
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
            .collect();
        let trimmed = cleaned.trim().trim_start_matches('.').trim();
        let mut name: String = trimmed.chars().take(200).collect();
        if name.is_empty() {
            name = "file".to_owned();
        }
        Self(name)
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-cased extension without the dot, if any.
    #[must_use]
    pub fn extension(&self) -> Option<String> {
        let (stem, ext) = self.0.rsplit_once('.')?;
        (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_lowercase())
    }
}

impl From<String> for FileName {
    fn from(s: String) -> Self {
        Self::sanitize(&s)
    }
}

impl From<FileName> for String {
    fn from(n: FileName) -> Self {
        n.0
    }
}

/// What object a file belongs to; downloads are allowed to whoever may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum FileOwner {
    /// Attachment of a lesson.
    Lesson(crate::ids::LessonId),
    /// Part of a homework submission version.
    Submission(crate::ids::SubmissionId),
    /// Attachment of an assignment's instructions.
    Assignment(crate::ids::AssignmentId),
    /// Part of a course's description (a picture in it).
    Course(crate::ids::CourseId),
    /// Part of a quiz: its description, a question's prompt or explanation.
    Quiz(crate::ids::QuizId),
    /// A draft: uploaded but not yet part of anything; only its uploader
    /// reads it, and it is cleaned up if never used.
    Unattached,
}

/// A stored file's metadata; the bytes live in the [`FileStore`](super::FileStore)
/// under `storage_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileRef {
    /// Identifier.
    pub id: FileId,
    /// Sanitised original name.
    pub name: FileName,
    /// MIME type as detected or declared at upload.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Key in the file store.
    pub storage_key: String,
    /// Who uploaded it.
    pub uploaded_by: UserId,
    /// When.
    pub uploaded_at: DateTime<Utc>,
}

/// Limits on files a student may attach to one submission version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileLimits {
    /// At most this many files.
    pub max_files: u32,
    /// Each at most this many bytes.
    pub max_file_size: u64,
    /// Allowed extensions, lower-case without dot (`pdf`, `docx`); empty: any.
    pub allowed_extensions: Vec<String>,
}

impl Default for FileLimits {
    fn default() -> Self {
        Self {
            max_files: 5,
            max_file_size: 20 * 1024 * 1024,
            allowed_extensions: Vec::new(),
        }
    }
}

/// Why files were refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FileLimitError {
    /// More files than allowed.
    #[error("at most {max} files may be attached")]
    TooMany {
        /// The limit.
        max: u32,
    },
    /// One file is too large.
    #[error("file {name:?} is larger than {max} bytes")]
    TooLarge {
        /// The file.
        name: String,
        /// The limit in bytes.
        max: u64,
    },
    /// One file's type is not allowed.
    #[error("file {name:?} has a type that is not allowed (allowed: {allowed})")]
    TypeNotAllowed {
        /// The file.
        name: String,
        /// The allowed extensions, comma-separated.
        allowed: String,
    },
}

impl FileLimits {
    /// Whether a single file of this name and size may be uploaded: used while
    /// streaming, before the whole set is known.
    pub fn check_file(&self, name: &FileName, size: u64) -> Result<(), FileLimitError> {
        if size > self.max_file_size {
            return Err(FileLimitError::TooLarge {
                name: name.as_str().to_owned(),
                max: self.max_file_size,
            });
        }
        if !self.allowed_extensions.is_empty() {
            let ok = name.extension().is_some_and(|ext| {
                self.allowed_extensions
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(&ext))
            });
            if !ok {
                return Err(FileLimitError::TypeNotAllowed {
                    name: name.as_str().to_owned(),
                    allowed: self.allowed_extensions.join(", "),
                });
            }
        }
        Ok(())
    }

    /// Checks a whole set of files.
    pub fn check(&self, files: &[FileRef]) -> Result<(), FileLimitError> {
        if files.len() > self.max_files as usize {
            return Err(FileLimitError::TooMany {
                max: self.max_files,
            });
        }
        files
            .iter()
            .try_for_each(|f| self.check_file(&f.name, f.size))
    }
}

/// The attachments `ids` names, picked from the files `registered` to the
/// object they are for (a lesson's or an assignment's uploads): in the order
/// of `ids`, a repeated id once. `Err` names the first id that is not among
/// them, so nothing uploaded elsewhere (or by a stranger) is ever attached.
pub(crate) fn pick_attachments(
    registered: &[FileRef],
    ids: &[FileId],
) -> Result<Vec<FileRef>, FileId> {
    let mut picked: Vec<FileRef> = Vec::with_capacity(ids.len());
    for id in ids {
        if picked.iter().any(|f| f.id == *id) {
            continue;
        }
        let file = registered.iter().find(|f| f.id == *id).ok_or(*id)?;
        picked.push(file.clone());
    }
    Ok(picked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_dangerous_characters() {
        assert_eq!(FileName::sanitize("../../etc/passwd").as_str(), "passwd");
        assert_eq!(
            FileName::sanitize("C:\\Users\\a\\отчёт.docx").as_str(),
            "отчёт.docx"
        );
        assert_eq!(FileName::sanitize("..").as_str(), "file");
        assert_eq!(FileName::sanitize(".bashrc").as_str(), "bashrc");
        assert_eq!(FileName::sanitize("a\u{0}b\n\"c\".pdf").as_str(), "abc.pdf");
        assert_eq!(
            FileName::sanitize("Report.PDF").extension().as_deref(),
            Some("pdf")
        );
        assert_eq!(FileName::sanitize("noext").extension(), None);
    }

    fn registered(n: usize) -> Vec<FileRef> {
        (0..n)
            .map(|i| FileRef {
                id: FileId::new(),
                name: FileName::sanitize(&format!("{i}.pdf")),
                content_type: "application/pdf".into(),
                size: 1,
                storage_key: format!("k/{i}"),
                uploaded_by: UserId::new(),
                uploaded_at: DateTime::UNIX_EPOCH,
            })
            .collect()
    }

    #[test]
    fn attachments_follow_the_requested_order_each_once() {
        let files = registered(3);
        let ids = [files[2].id, files[0].id, files[2].id, files[0].id];
        assert_eq!(
            pick_attachments(&files, &ids),
            Ok(vec![files[2].clone(), files[0].clone()])
        );
        assert_eq!(pick_attachments(&files, &[]), Ok(Vec::new()));
    }

    #[test]
    fn an_attachment_registered_elsewhere_is_named() {
        let files = registered(2);
        let foreign = FileId::new();
        assert_eq!(
            pick_attachments(&files, &[files[1].id, foreign, FileId::new()]),
            Err(foreign)
        );
        assert_eq!(
            pick_attachments(&[], &[files[0].id]),
            Err(files[0].id),
            "nothing is registered to an object not created yet"
        );
    }

    #[test]
    fn limits_are_enforced() {
        let limits = FileLimits {
            max_files: 1,
            max_file_size: 10,
            allowed_extensions: vec!["pdf".into()],
        };
        assert!(limits.check_file(&FileName::sanitize("a.pdf"), 10).is_ok());
        assert!(matches!(
            limits.check_file(&FileName::sanitize("a.pdf"), 11),
            Err(FileLimitError::TooLarge { .. })
        ));
        assert!(matches!(
            limits.check_file(&FileName::sanitize("a.exe"), 1),
            Err(FileLimitError::TypeNotAllowed { .. })
        ));
    }
}

/// File types anyone may upload without a stricter rule of the object the
/// file is for: images, documents, spreadsheets, presentations, archives and
/// media; never executables, scripts or markup a browser would run. Lesson
/// and assignment attachments, and hand-in uploads made before the student
/// names the assignment, are held to it.
pub const SAFE_UPLOAD_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "pdf", "txt", "csv", "doc", "docx", "xlsx", "pptx", "odt",
    "zip", "mp3", "mp4",
];

/// How much one user may hold in uploads not attached to anything yet
/// (hand-in drafts): they wait up to a day for cleanup, so without a quota
/// one account could fill the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadQuota {
    /// Unattached files per user.
    pub max_files: u32,
    /// Their bytes together.
    pub max_bytes: u64,
}

impl Default for UploadQuota {
    fn default() -> Self {
        Self {
            max_files: 20,
            max_bytes: 200 * 1024 * 1024,
        }
    }
}

/// A user's unattached uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UploadUsage {
    /// How many.
    pub files: u32,
    /// Their bytes together.
    pub bytes: u64,
}
