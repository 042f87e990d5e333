//! Assignments, extensions, submissions with versions, reviews and the grade
//! audit trail. Hand-ins and reviews are one transaction each, together with
//! their outbox entries and awards.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::StorageError;
use lms_core::course::Title;
use lms_core::error::{Conflict, StorageResult};
use lms_core::file::{FileLimits, FileOwner, FileRef};
use lms_core::homework::{
    Assignment, AuditAction, Extension, FirstHandIn, GradeAuditEntry, HandIn, HandInOutcome,
    HomeworkStore, LatePolicy, PendingSubmission, Review, Submission, SubmissionFilter,
    SubmissionHead, SubmissionKind, SubmissionState,
};
use lms_core::ids::{AssignmentId, AuditId, CourseId, FileId, SubmissionId, UserId};
use lms_core::notification::OutboxEntry;
use lms_core::page::Page;
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::user::UserFilter;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::PgStorage;
use crate::achievement::award_in;
use crate::error::{corrupt, from_json, from_json_text, map_err, to_json};
use crate::notification::enqueue_in;

pub(crate) struct AssignmentRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    pub instructions: String,
    pub attachments: serde_json::Value,
    pub opens_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub cut_off_at: Option<DateTime<Utc>>,
    pub max_score: f64,
    pub late_policy: serde_json::Value,
    pub submission_kind: String,
    pub file_limits: serde_json::Value,
    pub published: bool,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<AssignmentRow> for Assignment {
    type Error = StorageError;
    fn try_from(r: AssignmentRow) -> Result<Self, Self::Error> {
        Ok(Assignment {
            id: AssignmentId(r.id),
            course_id: CourseId(r.course_id),
            title: Title::parse(&r.title).map_err(|e| corrupt("assignment title", e))?,
            instructions: RichText::from_stored(r.instructions),
            attachments: from_json::<Vec<FileRef>>("assignment attachments", r.attachments)?,
            opens_at: r.opens_at,
            due_at: r.due_at,
            cut_off_at: r.cut_off_at,
            max_score: Points::new(r.max_score).map_err(|e| corrupt("max score", e))?,
            late_policy: from_json::<LatePolicy>("late policy", r.late_policy)?,
            submission_kind: from_json::<SubmissionKind>(
                "submission kind",
                serde_json::Value::String(r.submission_kind),
            )?,
            file_limits: from_json::<FileLimits>("file limits", r.file_limits)?,
            published: r.published,
            created_at: r.created_at,
        })
    }
}

pub(crate) fn kind_str(kind: SubmissionKind) -> &'static str {
    match kind {
        SubmissionKind::Text => "text",
        SubmissionKind::Files => "files",
        SubmissionKind::TextAndFiles => "text_and_files",
    }
}

/// Loads submissions with their versions and grade, in the order of `ids`,
/// in one query (`lms_submission_json` builds each in the core's shape).
pub(crate) async fn load_submissions(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> StorageResult<Vec<Submission>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        r#"SELECT s.id, lms_submission_json(s, (
                 SELECT coalesce(json_agg(lms_version_json(v) ORDER BY v.number), '[]')
                 FROM submission_versions v WHERE v.submission_id = s.id))::text AS "doc!"
               FROM submissions s WHERE s.id = ANY($1)"#,
        ids
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let mut by_id: HashMap<Uuid, Submission> = HashMap::with_capacity(rows.len());
    for r in rows {
        by_id.insert(r.id, from_json_text("submission", &r.doc)?);
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

async fn load_one(conn: &mut PgConnection, id: Uuid) -> StorageResult<Submission> {
    load_submissions(conn, &[id])
        .await?
        .pop()
        .ok_or(StorageError::NotFound)
}

pub(crate) struct ExtensionRow {
    pub assignment_id: Uuid,
    pub student_id: Uuid,
    pub due_at: DateTime<Utc>,
    pub cut_off_at: Option<DateTime<Utc>>,
    pub granted_by: Uuid,
    pub granted_at: DateTime<Utc>,
}

impl From<ExtensionRow> for Extension {
    fn from(r: ExtensionRow) -> Self {
        Extension {
            assignment_id: AssignmentId(r.assignment_id),
            student_id: UserId(r.student_id),
            due_at: r.due_at,
            cut_off_at: r.cut_off_at,
            granted_by: UserId(r.granted_by),
            granted_at: r.granted_at,
        }
    }
}

#[async_trait]
impl HomeworkStore for PgStorage {
    async fn insert_assignment(&self, a: &Assignment, outbox: &[OutboxEntry]) -> StorageResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query!(
            "INSERT INTO assignments (id, course_id, title, instructions, attachments, opens_at, due_at, cut_off_at,
                                      max_score, late_policy, submission_kind, file_limits, published, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            a.id.0,
            a.course_id.0,
            a.title.as_str(),
            a.instructions.as_html(),
            to_json(&a.attachments)?,
            a.opens_at,
            a.due_at,
            a.cut_off_at,
            a.max_score.value(),
            to_json(&a.late_policy)?,
            kind_str(a.submission_kind),
            to_json(&a.file_limits)?,
            a.published,
            a.created_at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        enqueue_in(&mut tx, outbox).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn update_assignment(&self, a: &Assignment, outbox: &[OutboxEntry]) -> StorageResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let done = sqlx::query!(
            "UPDATE assignments SET title = $2, instructions = $3, attachments = $4, opens_at = $5, due_at = $6,
                cut_off_at = $7, max_score = $8, late_policy = $9, submission_kind = $10, file_limits = $11,
                published = $12
             WHERE id = $1",
            a.id.0,
            a.title.as_str(),
            a.instructions.as_html(),
            to_json(&a.attachments)?,
            a.opens_at,
            a.due_at,
            a.cut_off_at,
            a.max_score.value(),
            to_json(&a.late_policy)?,
            kind_str(a.submission_kind),
            to_json(&a.file_limits)?,
            a.published
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        enqueue_in(&mut tx, outbox).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn get_assignment(&self, id: AssignmentId) -> StorageResult<Option<Assignment>> {
        sqlx::query_as!(
            AssignmentRow,
            "SELECT id, course_id, title, instructions, attachments, opens_at, due_at, cut_off_at, max_score,
                    late_policy, submission_kind, file_limits, published, created_at
             FROM assignments WHERE id = $1",
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Assignment::try_from)
        .transpose()
    }

    async fn list_assignments(&self, course: CourseId) -> StorageResult<Vec<Assignment>> {
        sqlx::query_as!(
            AssignmentRow,
            "SELECT id, course_id, title, instructions, attachments, opens_at, due_at, cut_off_at, max_score,
                    late_policy, submission_kind, file_limits, published, created_at
             FROM assignments WHERE course_id = $1 ORDER BY due_at, id",
            course.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Assignment::try_from)
        .collect()
    }

    async fn upsert_extension(&self, e: &Extension) -> StorageResult<()> {
        sqlx::query!(
            "INSERT INTO extensions (assignment_id, student_id, due_at, cut_off_at, granted_by, granted_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (assignment_id, student_id) DO UPDATE
             SET due_at = EXCLUDED.due_at, cut_off_at = EXCLUDED.cut_off_at,
                 granted_by = EXCLUDED.granted_by, granted_at = EXCLUDED.granted_at",
            e.assignment_id.0,
            e.student_id.0,
            e.due_at,
            e.cut_off_at,
            e.granted_by.0,
            e.granted_at
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn delete_extension(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<bool> {
        let done = sqlx::query!(
            "DELETE FROM extensions WHERE assignment_id = $1 AND student_id = $2",
            assignment.0,
            student.0
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn get_extension(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<Option<Extension>> {
        let row = sqlx::query_as!(
            ExtensionRow,
            "SELECT assignment_id, student_id, due_at, cut_off_at, granted_by, granted_at FROM extensions
             WHERE assignment_id = $1 AND student_id = $2",
            assignment.0,
            student.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row.map(Extension::from))
    }

    async fn list_extensions(&self, assignment: AssignmentId) -> StorageResult<Vec<Extension>> {
        let rows = sqlx::query_as!(
            ExtensionRow,
            "SELECT assignment_id, student_id, due_at, cut_off_at, granted_by, granted_at FROM extensions
             WHERE assignment_id = $1 ORDER BY granted_at, student_id",
            assignment.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(Extension::from).collect())
    }

    async fn hand_in(&self, h: &HandIn) -> StorageResult<HandInOutcome> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query!(
            "INSERT INTO submissions (id, assignment_id, student_id, state, latest_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5)
             ON CONFLICT (assignment_id, student_id) DO NOTHING",
            h.new_submission_id.0,
            h.assignment_id.0,
            h.student_id.0,
            h.state.as_str(),
            h.version.submitted_at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        // Serialise hand-ins of one student to one assignment.
        let sub = sqlx::query!(
            "SELECT id, state FROM submissions WHERE assignment_id = $1 AND student_id = $2 FOR UPDATE",
            h.assignment_id.0,
            h.student_id.0
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        if let Some(key) = &h.version.idempotency_key {
            let dup = sqlx::query!(
                "SELECT 1 AS one FROM submission_versions WHERE submission_id = $1 AND idempotency_key = $2",
                sub.id,
                key
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
            if dup.is_some() {
                let existing = load_one(&mut tx, sub.id).await?;
                tx.rollback().await.map_err(map_err)?;
                return Ok(HandInOutcome::Duplicate(existing));
            }
        }
        if sub.state == "graded" {
            // Graded since the service looked: no new version.
            return Err(StorageError::Conflict(Conflict::Stale));
        }
        let versions = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM submission_versions WHERE submission_id = $1"#,
            sub.id
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        if versions >= i64::from(h.max_versions) {
            return Err(StorageError::Conflict(Conflict::VersionLimit));
        }
        sqlx::query!(
            "INSERT INTO submission_versions (id, submission_id, number, text, files, submitted_at, late, idempotency_key)
             VALUES ($1, $2, (SELECT coalesce(max(number), 0) + 1 FROM submission_versions WHERE submission_id = $2),
                     $3, $4, $5, $6, $7)",
            h.version.id.0,
            sub.id,
            h.version.text.as_ref().map(RichText::as_html),
            to_json(&h.version.files)?,
            h.version.submitted_at,
            h.version.late,
            h.version.idempotency_key
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if !h.version.files.is_empty() {
            // The version's files become the submission's with it.
            let ids: Vec<FileId> = h.version.files.iter().map(|f| f.id).collect();
            let owner = FileOwner::Submission(SubmissionId(sub.id));
            crate::file::attach_in(&mut tx, &ids, h.student_id, owner).await?;
        }
        sqlx::query!(
            "UPDATE submissions SET state = $2, latest_at = $3, updated_at = $3 WHERE id = $1",
            sub.id,
            h.state.as_str(),
            h.version.submitted_at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        enqueue_in(&mut tx, &h.outbox).await?;
        award_in(&mut tx, &h.awards).await?;
        let stored = load_one(&mut tx, sub.id).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(HandInOutcome::Stored(stored))
    }

    async fn review(&self, r: &Review) -> StorageResult<Submission> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let latest = sqlx::query!(
            r#"SELECT s.id, (SELECT max(number) FROM submission_versions v WHERE v.submission_id = s.id) AS "latest"
               FROM submissions s WHERE s.id = $1 FOR UPDATE"#,
            r.submission_id.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StorageError::NotFound)?;
        if latest.latest != Some(crate::error::to_i32(r.expected_version)) {
            return Err(StorageError::Conflict(Conflict::Stale));
        }
        let g = r.grade.as_ref();
        sqlx::query!(
            "UPDATE submissions SET state = $2, raw_score = $3, kept_percent = $4, final_score = $5, feedback = $6,
                graded_by = $7, graded_at = $8, graded_version = $9, rework_feedback = coalesce($10, rework_feedback),
                updated_at = $11
             WHERE id = $1",
            r.submission_id.0,
            r.state.as_str(),
            g.map(|g| g.raw_score.value()),
            g.map(|g| i16::from(g.kept_percent)),
            g.map(|g| g.final_score.value()),
            g.map(|g| g.feedback.as_html().to_owned()),
            g.map(|g| g.graded_by.0),
            g.map(|g| g.graded_at),
            g.map(|g| crate::error::to_i32(g.version)),
            r.rework_feedback.as_ref().map(|f| f.as_html().to_owned()),
            r.audit.at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query!(
            "INSERT INTO grade_audit (id, submission_id, actor_id, at, action, feedback) VALUES ($1, $2, $3, $4, $5, $6)",
            r.audit.id.0,
            r.submission_id.0,
            r.audit.actor_id.0,
            r.audit.at,
            to_json(&r.audit.action)?,
            r.audit.feedback.as_html()
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        enqueue_in(&mut tx, &r.outbox).await?;
        award_in(&mut tx, &r.awards).await?;
        let stored = load_one(&mut tx, r.submission_id.0).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(stored)
    }

    async fn get_submission(&self, id: SubmissionId) -> StorageResult<Option<Submission>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        Ok(load_submissions(&mut conn, &[id.0]).await?.pop())
    }

    async fn find_submission(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<Option<Submission>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let id = sqlx::query!(
            "SELECT id FROM submissions WHERE assignment_id = $1 AND student_id = $2",
            assignment.0,
            student.0
        )
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
        match id {
            Some(r) => Ok(load_submissions(&mut conn, &[r.id]).await?.pop()),
            None => Ok(None),
        }
    }

    async fn list_submissions(
        &self,
        assignment: AssignmentId,
        filter: &SubmissionFilter,
        page: Page,
    ) -> StorageResult<Vec<Submission>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let (lower, capital) = filter.students.like_patterns();
        let ids: Vec<Uuid> = sqlx::query!(
            r#"SELECT s.id FROM submissions s JOIN users u ON u.id = s.student_id
               JOIN assignments a ON a.id = s.assignment_id
               WHERE s.assignment_id = $1
                 AND ($4::text IS NULL OR s.state = $4)
                 AND ($5::bool IS NULL OR u.active = $5)
                 AND ($6::text IS NULL
                      OR u.email ILIKE $6 ESCAPE '\'
                      OR u.display_name ILIKE $6 ESCAPE '\'
                      OR u.display_name ILIKE ('% ' || $6) ESCAPE '\'
                      OR u.display_name ILIKE $7 ESCAPE '\'
                      OR u.display_name ILIKE ('% ' || $7) ESCAPE '\')
                 AND ($8::uuid IS NULL
                      OR EXISTS (SELECT 1 FROM enrollments e
                                 WHERE e.course_id = a.course_id AND e.student_id = s.student_id
                                   AND e.group_id = $8))
                 AND ($9::uuid IS NULL
                      OR NOT EXISTS (SELECT 1 FROM course_groups g WHERE g.course_id = a.course_id)
                      OR EXISTS (SELECT 1 FROM courses c WHERE c.id = a.course_id AND c.owner_id = $9)
                      OR EXISTS (SELECT 1 FROM enrollments e JOIN group_mentors gm ON gm.group_id = e.group_id
                                 WHERE e.course_id = a.course_id AND e.student_id = s.student_id
                                   AND gm.user_id = $9))
               ORDER BY (SELECT min(submitted_at) FROM submission_versions v WHERE v.submission_id = s.id), s.id
               LIMIT $2 OFFSET $3"#,
            assignment.0,
            i64::from(page.limit()),
            i64::from(page.offset()),
            filter.state.map(SubmissionState::as_str),
            filter.students.active,
            lower,
            capital,
            filter.students.group.map(|g| g.0),
            filter.students.mentored_by.map(|m| m.0)
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(|r| r.id)
        .collect();
        load_submissions(&mut conn, &ids).await
    }

    async fn student_submissions(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Vec<Submission>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let ids: Vec<Uuid> = sqlx::query!(
            "SELECT s.id FROM submissions s JOIN assignments a ON a.id = s.assignment_id
             WHERE a.course_id = $1 AND s.student_id = $2 ORDER BY a.due_at, s.id",
            course.0,
            student.0
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(|r| r.id)
        .collect();
        load_submissions(&mut conn, &ids).await
    }

    async fn submission_head(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<Option<SubmissionHead>> {
        // Counts and keys only: no version's text or files is read.
        let row = sqlx::query!(
            r#"SELECT s.id, s.state, count(v.id) AS "versions!", coalesce(max(v.number), 0) AS "last_number!",
                      coalesce(array_agg(v.idempotency_key) FILTER (WHERE v.idempotency_key IS NOT NULL),
                               '{}') AS "keys!"
               FROM submissions s LEFT JOIN submission_versions v ON v.submission_id = s.id
               WHERE s.assignment_id = $1 AND s.student_id = $2
               GROUP BY s.id"#,
            assignment.0,
            student.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.map(|r| {
            Ok(SubmissionHead {
                id: SubmissionId(r.id),
                state: SubmissionState::parse(&r.state)
                    .ok_or_else(|| corrupt("submissions.state", &r.state))?,
                versions: u32::try_from(r.versions)
                    .map_err(|_| corrupt("version count", r.versions))?,
                last_number: u32::try_from(r.last_number)
                    .map_err(|_| corrupt("submission_versions.number", r.last_number))?,
                idempotency_keys: r.keys,
            })
        })
        .transpose()
    }

    async fn first_hand_ins(&self, student: UserId) -> StorageResult<Vec<FirstHandIn>> {
        let rows = sqlx::query!(
            "SELECT s.assignment_id, v.submitted_at, v.late
             FROM submissions s JOIN submission_versions v ON v.submission_id = s.id AND v.number = 1
             WHERE s.student_id = $1
             ORDER BY v.submitted_at, s.id",
            student.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| FirstHandIn {
                assignment_id: AssignmentId(r.assignment_id),
                submitted_at: r.submitted_at,
                late: r.late,
            })
            .collect())
    }

    async fn pending_submissions(
        &self,
        courses: &[CourseId],
        students: &UserFilter,
        page: Page,
    ) -> StorageResult<Vec<PendingSubmission>> {
        let course_ids: Vec<Uuid> = courses.iter().map(|c| c.0).collect();
        let (lower, capital) = students.like_patterns();
        let doc = sqlx::query_scalar!(
            r#"SELECT coalesce(json_agg(json_build_object(
                        'submission', lms_submission_json(p.sub, (
                          SELECT coalesce(json_agg(lms_version_json(v) ORDER BY v.number), '[]')
                          FROM submission_versions v WHERE v.submission_id = (p.sub).id)),
                        'assignment_id', (p.sub).assignment_id,
                        'course_id', p.course_id, 'assignment_title', p.title,
                        'student_name', p.display_name) ORDER BY (p.sub).latest_at, (p.sub).id), '[]')::text AS "doc!"
               FROM (SELECT s AS sub, a.course_id, a.title, u.display_name FROM submissions s
                     JOIN assignments a ON a.id = s.assignment_id
                     JOIN users u ON u.id = s.student_id
                     WHERE a.course_id = ANY($1) AND s.state IN ('submitted', 'submitted_late')
                       AND ($4::bool IS NULL OR u.active = $4)
                       AND ($5::text IS NULL
                            OR u.email ILIKE $5 ESCAPE '\'
                            OR u.display_name ILIKE $5 ESCAPE '\'
                            OR u.display_name ILIKE ('% ' || $5) ESCAPE '\'
                            OR u.display_name ILIKE $6 ESCAPE '\'
                            OR u.display_name ILIKE ('% ' || $6) ESCAPE '\')
                       AND ($7::uuid IS NULL
                            OR EXISTS (SELECT 1 FROM enrollments e
                                       WHERE e.course_id = a.course_id AND e.student_id = s.student_id
                                         AND e.group_id = $7))
                       AND ($8::uuid IS NULL
                            OR NOT EXISTS (SELECT 1 FROM course_groups g WHERE g.course_id = a.course_id)
                            OR EXISTS (SELECT 1 FROM courses c WHERE c.id = a.course_id AND c.owner_id = $8)
                            OR EXISTS (SELECT 1 FROM enrollments e
                                       JOIN group_mentors gm ON gm.group_id = e.group_id
                                       WHERE e.course_id = a.course_id AND e.student_id = s.student_id
                                         AND gm.user_id = $8))
                     ORDER BY s.latest_at, s.id LIMIT $2 OFFSET $3) p"#,
            &course_ids,
            i64::from(page.limit()),
            i64::from(page.offset()),
            students.active,
            lower,
            capital,
            students.group.map(|g| g.0),
            students.mentored_by.map(|m| m.0)
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        from_json_text("grading queue", &doc)
    }

    async fn grade_audit(&self, submission: SubmissionId) -> StorageResult<Vec<GradeAuditEntry>> {
        let rows = sqlx::query!(
            "SELECT id, submission_id, actor_id, at, action, feedback FROM grade_audit
             WHERE submission_id = $1 ORDER BY at, id",
            submission.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(GradeAuditEntry {
                    id: AuditId(r.id),
                    submission_id: SubmissionId(r.submission_id),
                    actor_id: UserId(r.actor_id),
                    at: r.at,
                    action: from_json::<AuditAction>("audit action", r.action)?,
                    feedback: RichText::from_stored(r.feedback),
                })
            })
            .collect()
    }
}
