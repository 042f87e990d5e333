//! The file registry: uploaded files' metadata and owners.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::error::{Conflict, StorageError, StorageResult};
use lms_core::file::{FileName, FileOwner, FileRef, FileRegistry, UploadUsage};
use lms_core::ids::{AssignmentId, CourseId, FileId, LessonId, QuizId, SubmissionId, UserId};
use uuid::Uuid;

use crate::SqliteStorage;
use crate::error::{corrupt, from_ts, id_list, map_err, ts};

/// A row of `files`.
pub(crate) struct FileRow {
    pub id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub storage_key: String,
    pub uploaded_by: Uuid,
    pub uploaded_at: i64,
    pub lesson_id: Option<Uuid>,
    pub assignment_id: Option<Uuid>,
    pub submission_id: Option<Uuid>,
    pub course_id: Option<Uuid>,
    pub quiz_id: Option<Uuid>,
}

impl FileRow {
    /// The file and its owner.
    pub(crate) fn into_file(self) -> StorageResult<(FileRef, FileOwner)> {
        let owner = match (
            self.lesson_id,
            self.assignment_id,
            self.submission_id,
            self.course_id,
            self.quiz_id,
        ) {
            (None, None, None, None, None) => FileOwner::Unattached,
            (Some(l), None, None, None, None) => FileOwner::Lesson(LessonId(l)),
            (None, Some(a), None, None, None) => FileOwner::Assignment(AssignmentId(a)),
            (None, None, Some(s), None, None) => FileOwner::Submission(SubmissionId(s)),
            (None, None, None, Some(c), None) => FileOwner::Course(CourseId(c)),
            (None, None, None, None, Some(q)) => FileOwner::Quiz(QuizId(q)),
            _ => return Err(corrupt("file owner", self.id)),
        };
        let file = FileRef {
            id: FileId(self.id),
            name: FileName::sanitize(&self.name),
            content_type: self.content_type,
            size: u64::try_from(self.size).map_err(|e| corrupt("file size", e))?,
            storage_key: self.storage_key,
            uploaded_by: UserId(self.uploaded_by),
            uploaded_at: from_ts("upload time", self.uploaded_at)?,
        };
        Ok((file, owner))
    }
}

/// The owner columns of a file: at most one is set.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OwnerColumns {
    pub lesson: Option<Uuid>,
    pub assignment: Option<Uuid>,
    pub submission: Option<Uuid>,
    pub course: Option<Uuid>,
    pub quiz: Option<Uuid>,
}

/// The owner as its owner columns.
pub(crate) fn owner_columns(owner: FileOwner) -> OwnerColumns {
    let none = OwnerColumns::default();
    match owner {
        FileOwner::Unattached => none,
        FileOwner::Lesson(l) => OwnerColumns {
            lesson: Some(l.0),
            ..none
        },
        FileOwner::Assignment(a) => OwnerColumns {
            assignment: Some(a.0),
            ..none
        },
        FileOwner::Submission(s) => OwnerColumns {
            submission: Some(s.0),
            ..none
        },
        FileOwner::Course(c) => OwnerColumns {
            course: Some(c.0),
            ..none
        },
        FileOwner::Quiz(q) => OwnerColumns {
            quiz: Some(q.0),
            ..none
        },
    }
}

/// A size as stored.
pub(crate) fn size_column(size: u64) -> StorageResult<i64> {
    i64::try_from(size).map_err(|_| StorageError::Permanent(format!("file size {size} too large")))
}

fn files_of(rows: Vec<FileRow>) -> StorageResult<Vec<FileRef>> {
    rows.into_iter()
        .map(|r| r.into_file().map(|(f, _)| f))
        .collect()
}

/// Registers one file on `conn` (also used by the school import).
pub(crate) async fn insert_file(
    conn: &mut sqlx::SqliteConnection,
    file: &FileRef,
    owner: FileOwner,
) -> StorageResult<()> {
    let o = owner_columns(owner);
    let size = size_column(file.size)?;
    let uploaded_at = ts(file.uploaded_at);
    sqlx::query!(
        "INSERT INTO files (id, name, content_type, size, storage_key, uploaded_by, uploaded_at,
                            lesson_id, assignment_id, submission_id, course_id, quiz_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        file.id.0,
        file.name.as_str(),
        file.content_type,
        size,
        file.storage_key,
        file.uploaded_by.0,
        uploaded_at,
        o.lesson,
        o.assignment,
        o.submission,
        o.course,
        o.quiz,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Attaches files to `owner` on `conn` (inside the caller's transaction):
/// the rules of [`FileRegistry::attach`]. A hand-in uses it to make its
/// version's files the submission's in the same write.
pub(crate) async fn attach_in(
    conn: &mut sqlx::SqliteConnection,
    ids: &[FileId],
    uploaded_by: UserId,
    owner: FileOwner,
) -> StorageResult<Vec<FileRef>> {
    let mut wanted: Vec<Uuid> = Vec::with_capacity(ids.len());
    for id in ids {
        if !wanted.contains(&id.0) {
            wanted.push(id.0);
        }
    }
    let list = id_list(wanted.iter().copied());
    let o = owner_columns(owner);
    // The write lock from the start: no attach can change the files
    // between the check and the update.
    let rows = sqlx::query_as!(
        FileRow,
        r#"SELECT id AS "id: _", name, content_type, size, storage_key,
                  uploaded_by AS "uploaded_by: _", uploaded_at, lesson_id AS "lesson_id: _",
                  assignment_id AS "assignment_id: _", submission_id AS "submission_id: _",
                  course_id AS "course_id: _", quiz_id AS "quiz_id: _"
           FROM files WHERE id IN (SELECT unhex(value) FROM json_each($1))"#,
        list
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        let (file, current) = row.into_file()?;
        if file.uploaded_by != uploaded_by {
            return Err(StorageError::NotFound);
        }
        if current != FileOwner::Unattached && current != owner {
            return Err(StorageError::Conflict(Conflict::FileAttached));
        }
        found.push(file);
    }
    if found.len() != wanted.len() {
        return Err(StorageError::NotFound);
    }
    if !wanted.is_empty() {
        // A missing owner fails its foreign key: NotFound.
        sqlx::query!(
            "UPDATE files SET lesson_id = $2, assignment_id = $3, submission_id = $4,
                              course_id = $5, quiz_id = $6
             WHERE id IN (SELECT unhex(value) FROM json_each($1))",
            list,
            o.lesson,
            o.assignment,
            o.submission,
            o.course,
            o.quiz,
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    } else if owner != FileOwner::Unattached {
        let exists = sqlx::query_scalar!(
            r#"SELECT (EXISTS (SELECT 1 FROM lessons WHERE id = $1)
                    OR EXISTS (SELECT 1 FROM assignments WHERE id = $2)
                    OR EXISTS (SELECT 1 FROM submissions WHERE id = $3)
                    OR EXISTS (SELECT 1 FROM courses WHERE id = $4)
                    OR EXISTS (SELECT 1 FROM quizzes WHERE id = $5)) AS "exists!: bool""#,
            o.lesson,
            o.assignment,
            o.submission,
            o.course,
            o.quiz,
        )
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)?;
        if !exists {
            return Err(StorageError::NotFound);
        }
    }
    Ok(wanted
        .iter()
        .filter_map(|id| found.iter().find(|f| f.id.0 == *id).cloned())
        .collect())
}

#[async_trait]
impl FileRegistry for SqliteStorage {
    async fn insert(&self, file: &FileRef, owner: FileOwner) -> StorageResult<()> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        insert_file(&mut conn, file, owner).await
    }

    async fn get(&self, id: FileId) -> StorageResult<Option<(FileRef, FileOwner)>> {
        sqlx::query_as!(
            FileRow,
            r#"SELECT id AS "id: _", name, content_type, size, storage_key,
                      uploaded_by AS "uploaded_by: _", uploaded_at, lesson_id AS "lesson_id: _",
                      assignment_id AS "assignment_id: _", submission_id AS "submission_id: _",
                      course_id AS "course_id: _", quiz_id AS "quiz_id: _"
               FROM files WHERE id = $1"#,
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(FileRow::into_file)
        .transpose()
    }

    async fn attach(
        &self,
        ids: &[FileId],
        uploaded_by: UserId,
        owner: FileOwner,
    ) -> StorageResult<Vec<FileRef>> {
        let mut tx = self.write_tx().await?;
        let attached = attach_in(&mut tx, ids, uploaded_by, owner).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(attached)
    }

    async fn list_by_owner(&self, owner: FileOwner) -> StorageResult<Vec<FileRef>> {
        let rows = if owner == FileOwner::Unattached {
            sqlx::query_as!(
                FileRow,
                r#"SELECT id AS "id: _", name, content_type, size, storage_key,
                          uploaded_by AS "uploaded_by: _", uploaded_at, lesson_id AS "lesson_id: _",
                          assignment_id AS "assignment_id: _", submission_id AS "submission_id: _",
                      course_id AS "course_id: _", quiz_id AS "quiz_id: _"
                   FROM files
                   WHERE lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL
               AND course_id IS NULL AND quiz_id IS NULL
                   ORDER BY uploaded_at, id"#
            )
            .fetch_all(&self.pool)
            .await
        } else {
            let o = owner_columns(owner);
            sqlx::query_as!(
                FileRow,
                r#"SELECT id AS "id: _", name, content_type, size, storage_key,
                          uploaded_by AS "uploaded_by: _", uploaded_at, lesson_id AS "lesson_id: _",
                          assignment_id AS "assignment_id: _", submission_id AS "submission_id: _",
                      course_id AS "course_id: _", quiz_id AS "quiz_id: _"
                   FROM files
                   WHERE lesson_id = $1 OR assignment_id = $2 OR submission_id = $3
                      OR course_id = $4 OR quiz_id = $5
                   ORDER BY uploaded_at, id"#,
                o.lesson,
                o.assignment,
                o.submission,
                o.course,
                o.quiz,
            )
            .fetch_all(&self.pool)
            .await
        };
        files_of(rows.map_err(map_err)?)
    }

    async fn unattached_usage(&self, user: UserId) -> StorageResult<UploadUsage> {
        let row = sqlx::query!(
            r#"SELECT count(*) AS "files!: i64", coalesce(sum(size), 0) AS "bytes!: i64"
               FROM files
               WHERE uploaded_by = $1
                 AND lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL
               AND course_id IS NULL AND quiz_id IS NULL"#,
            user.0
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(UploadUsage {
            files: u32::try_from(row.files).unwrap_or(u32::MAX),
            bytes: u64::try_from(row.bytes).unwrap_or(0),
        })
    }

    async fn unattached_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> StorageResult<Vec<FileRef>> {
        let cutoff = ts(cutoff);
        let limit = i64::from(limit);
        let rows = sqlx::query_as!(
            FileRow,
            r#"SELECT id AS "id: _", name, content_type, size, storage_key,
                      uploaded_by AS "uploaded_by: _", uploaded_at, lesson_id AS "lesson_id: _",
                      assignment_id AS "assignment_id: _", submission_id AS "submission_id: _",
                      course_id AS "course_id: _", quiz_id AS "quiz_id: _"
               FROM files
               WHERE lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL
               AND course_id IS NULL AND quiz_id IS NULL
                 AND uploaded_at < $1
               ORDER BY uploaded_at, id LIMIT $2"#,
            cutoff,
            limit
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        files_of(rows)
    }

    async fn delete(&self, id: FileId) -> StorageResult<bool> {
        let done = sqlx::query!(
            "DELETE FROM files
             WHERE id = $1 AND lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL
               AND course_id IS NULL AND quiz_id IS NULL",
            id.0
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }
}
