//! Assignments, extensions, submissions with versions, reviews and the grade
//! audit trail. Hand-ins and reviews are one `BEGIN IMMEDIATE` transaction
//! each, together with their outbox entries and awards: version numbers are
//! taken under the write lock, so concurrent hand-ins are numbered once.

use async_trait::async_trait;
use lms_core::StorageError;
use lms_core::error::{Conflict, StorageResult};
use lms_core::file::FileOwner;
use lms_core::homework::{
    Assignment, Extension, FirstHandIn, GradeAuditEntry, HandIn, HandInOutcome, HomeworkStore,
    PendingSubmission, Review, Submission, SubmissionFilter, SubmissionHead, SubmissionState,
};
use lms_core::ids::{AssignmentId, CourseId, FileId, SubmissionId, UserId};
use lms_core::notification::OutboxEntry;
use lms_core::page::Page;
use lms_core::richtext::RichText;
use lms_core::user::UserFilter;
use uuid::Uuid;

use crate::SqliteStorage;
use crate::achievement::award_in;
use crate::error::{corrupt, from_json, from_ts, id_list, map_err, to_json, ts, ts_opt};
use crate::notification::enqueue_in;

mod rows;

pub(crate) use rows::*;

#[async_trait]
impl HomeworkStore for SqliteStorage {
    async fn insert_assignment(&self, a: &Assignment, outbox: &[OutboxEntry]) -> StorageResult<()> {
        let (attachments, late_policy, file_limits) = (
            to_json(&a.attachments)?,
            to_json(&a.late_policy)?,
            to_json(&a.file_limits)?,
        );
        let mut tx = self.write_tx().await?;
        sqlx::query!(
            "INSERT INTO assignments (id, course_id, title, instructions, attachments, opens_at, due_at, cut_off_at,
                                      max_score, late_policy, submission_kind, file_limits, published, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            a.id.0,
            a.course_id.0,
            a.title.as_str(),
            a.instructions.as_html(),
            attachments,
            ts(a.opens_at),
            ts(a.due_at),
            ts_opt(a.cut_off_at),
            a.max_score.value(),
            late_policy,
            kind_str(a.submission_kind),
            file_limits,
            a.published,
            ts(a.created_at)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        enqueue_in(&mut tx, outbox).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn update_assignment(&self, a: &Assignment, outbox: &[OutboxEntry]) -> StorageResult<()> {
        let (attachments, late_policy, file_limits) = (
            to_json(&a.attachments)?,
            to_json(&a.late_policy)?,
            to_json(&a.file_limits)?,
        );
        let mut tx = self.write_tx().await?;
        let done = sqlx::query!(
            "UPDATE assignments SET title = $2, instructions = $3, attachments = $4, opens_at = $5, due_at = $6,
                cut_off_at = $7, max_score = $8, late_policy = $9, submission_kind = $10, file_limits = $11,
                published = $12
             WHERE id = $1",
            a.id.0,
            a.title.as_str(),
            a.instructions.as_html(),
            attachments,
            ts(a.opens_at),
            ts(a.due_at),
            ts_opt(a.cut_off_at),
            a.max_score.value(),
            late_policy,
            kind_str(a.submission_kind),
            file_limits,
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
            r#"SELECT id AS "id: _", course_id AS "course_id: _", title, instructions, attachments, opens_at, due_at,
                      cut_off_at, max_score, late_policy, submission_kind, file_limits, published AS "published: _",
                      created_at
               FROM assignments WHERE id = $1"#,
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
            r#"SELECT id AS "id: _", course_id AS "course_id: _", title, instructions, attachments, opens_at, due_at,
                      cut_off_at, max_score, late_policy, submission_kind, file_limits, published AS "published: _",
                      created_at
               FROM assignments WHERE course_id = $1 ORDER BY due_at, id"#,
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
             SET due_at = excluded.due_at, cut_off_at = excluded.cut_off_at,
                 granted_by = excluded.granted_by, granted_at = excluded.granted_at",
            e.assignment_id.0,
            e.student_id.0,
            ts(e.due_at),
            ts_opt(e.cut_off_at),
            e.granted_by.0,
            ts(e.granted_at)
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
        sqlx::query_as!(
            ExtensionRow,
            r#"SELECT assignment_id AS "assignment_id: _", student_id AS "student_id: _", due_at, cut_off_at,
                      granted_by AS "granted_by: _", granted_at
               FROM extensions WHERE assignment_id = $1 AND student_id = $2"#,
            assignment.0,
            student.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Extension::try_from)
        .transpose()
    }

    async fn list_extensions(&self, assignment: AssignmentId) -> StorageResult<Vec<Extension>> {
        sqlx::query_as!(
            ExtensionRow,
            r#"SELECT assignment_id AS "assignment_id: _", student_id AS "student_id: _", due_at, cut_off_at,
                      granted_by AS "granted_by: _", granted_at
               FROM extensions WHERE assignment_id = $1 ORDER BY granted_at, student_id"#,
            assignment.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Extension::try_from)
        .collect()
    }

    async fn hand_in(&self, h: &HandIn) -> StorageResult<HandInOutcome> {
        let files = to_json(&h.version.files)?;
        // The write lock serialises hand-ins: the version number below is
        // read and used under it.
        let mut tx = self.write_tx().await?;
        sqlx::query!(
            "INSERT INTO submissions (id, assignment_id, student_id, state, latest_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5)
             ON CONFLICT (assignment_id, student_id) DO NOTHING",
            h.new_submission_id.0,
            h.assignment_id.0,
            h.student_id.0,
            h.state.as_str(),
            ts(h.version.submitted_at)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let sub = sqlx::query!(
            r#"SELECT id AS "id: Uuid", state FROM submissions WHERE assignment_id = $1 AND student_id = $2"#,
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
            "SELECT count(*) FROM submission_versions WHERE submission_id = $1",
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
            files,
            ts(h.version.submitted_at),
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
            ts(h.version.submitted_at)
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
        let action = to_json(&r.audit.action)?;
        let mut tx = self.write_tx().await?;
        let latest = sqlx::query!(
            r#"SELECT (SELECT max(number) FROM submission_versions v WHERE v.submission_id = s.id) AS "latest?: i64"
               FROM submissions s WHERE s.id = $1"#,
            r.submission_id.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StorageError::NotFound)?;
        if latest.latest != Some(i64::from(r.expected_version)) {
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
            g.map(|g| i64::from(g.kept_percent)),
            g.map(|g| g.final_score.value()),
            g.map(|g| g.feedback.as_html().to_owned()),
            g.map(|g| g.graded_by.0),
            g.map(|g| ts(g.graded_at)),
            g.map(|g| i64::from(g.version)),
            r.rework_feedback.as_ref().map(|f| f.as_html().to_owned()),
            ts(r.audit.at)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query!(
            "INSERT INTO grade_audit (id, submission_id, actor_id, at, action, feedback) VALUES ($1, $2, $3, $4, $5, $6)",
            r.audit.id.0,
            r.submission_id.0,
            r.audit.actor_id.0,
            ts(r.audit.at),
            action,
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
            r#"SELECT id AS "id: Uuid" FROM submissions WHERE assignment_id = $1 AND student_id = $2"#,
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
        let state = filter.state.map(SubmissionState::as_str);
        let ids: Vec<Uuid> = sqlx::query!(
            r#"SELECT s.id AS "id: Uuid" FROM submissions s JOIN users u ON u.id = s.student_id
               JOIN assignments a ON a.id = s.assignment_id
               WHERE s.assignment_id = $1
                 AND ($4 IS NULL OR s.state = $4)
                 AND ($5 IS NULL OR u.active = $5)
                 AND ($6 IS NULL
                      OR u.email LIKE $6 ESCAPE '\'
                      OR u.display_name LIKE $6 ESCAPE '\'
                      OR u.display_name LIKE ('% ' || $6) ESCAPE '\'
                      OR u.display_name LIKE $7 ESCAPE '\'
                      OR u.display_name LIKE ('% ' || $7) ESCAPE '\')
                 AND ($8 IS NULL
                      OR EXISTS (SELECT 1 FROM enrollments e
                                 WHERE e.course_id = a.course_id AND e.student_id = s.student_id
                                   AND e.group_id = $8))
                 AND ($9 IS NULL
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
            state,
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
            r#"SELECT s.id AS "id: Uuid" FROM submissions s JOIN assignments a ON a.id = s.assignment_id
               WHERE a.course_id = $1 AND s.student_id = $2 ORDER BY a.due_at, s.id"#,
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
            r#"SELECT s.id AS "id!: Uuid", s.state AS "state!", count(v.id) AS "versions!: i64",
                      coalesce(max(v.number), 0) AS "last_number!: i64",
                      json_group_array(v.idempotency_key) FILTER (WHERE v.idempotency_key IS NOT NULL)
                        AS "keys!: String"
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
                idempotency_keys: from_json("idempotency keys", &r.keys)?,
            })
        })
        .transpose()
    }

    async fn first_hand_ins(&self, student: UserId) -> StorageResult<Vec<FirstHandIn>> {
        let rows = sqlx::query!(
            r#"SELECT s.assignment_id AS "assignment_id: Uuid", v.submitted_at, v.late AS "late: bool"
               FROM submissions s JOIN submission_versions v ON v.submission_id = s.id AND v.number = 1
               WHERE s.student_id = $1
               ORDER BY v.submitted_at, s.id"#,
            student.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(FirstHandIn {
                    assignment_id: AssignmentId(r.assignment_id),
                    submitted_at: from_ts("submission_versions.submitted_at", r.submitted_at)?,
                    late: r.late,
                })
            })
            .collect()
    }

    async fn pending_submissions(
        &self,
        courses: &[CourseId],
        students: &UserFilter,
        page: Page,
    ) -> StorageResult<Vec<PendingSubmission>> {
        let (lower, capital) = students.like_patterns();
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let course_ids = id_list(courses.iter().map(|c| c.0));
        let rows = sqlx::query!(
            r#"SELECT s.id AS "id: Uuid", s.assignment_id AS "assignment_id: Uuid", a.course_id AS "course_id: Uuid",
                      a.title AS assignment_title, u.display_name AS student_name
               FROM submissions s
               JOIN assignments a ON a.id = s.assignment_id
               JOIN users u ON u.id = s.student_id
               WHERE a.course_id IN (SELECT unhex(value) FROM json_each($1))
                 AND s.state IN ('submitted', 'submitted_late')
                 AND ($4 IS NULL OR u.active = $4)
                 AND ($5 IS NULL
                      OR u.email LIKE $5 ESCAPE '\'
                      OR u.display_name LIKE $5 ESCAPE '\'
                      OR u.display_name LIKE ('% ' || $5) ESCAPE '\'
                      OR u.display_name LIKE $6 ESCAPE '\'
                      OR u.display_name LIKE ('% ' || $6) ESCAPE '\')
                 AND ($7 IS NULL
                      OR EXISTS (SELECT 1 FROM enrollments e
                                 WHERE e.course_id = a.course_id AND e.student_id = s.student_id
                                   AND e.group_id = $7))
                 AND ($8 IS NULL
                      OR NOT EXISTS (SELECT 1 FROM course_groups g WHERE g.course_id = a.course_id)
                      OR EXISTS (SELECT 1 FROM courses c WHERE c.id = a.course_id AND c.owner_id = $8)
                      OR EXISTS (SELECT 1 FROM enrollments e JOIN group_mentors gm ON gm.group_id = e.group_id
                                 WHERE e.course_id = a.course_id AND e.student_id = s.student_id
                                   AND gm.user_id = $8))
               ORDER BY s.latest_at, s.id LIMIT $2 OFFSET $3"#,
            course_ids,
            i64::from(page.limit()),
            i64::from(page.offset()),
            students.active,
            lower,
            capital,
            students.group.map(|g| g.0),
            students.mentored_by.map(|m| m.0)
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let subs = load_submissions(&mut conn, &ids).await?;
        Ok(subs
            .into_iter()
            .zip(rows)
            .map(|(submission, r)| PendingSubmission {
                submission,
                assignment_id: AssignmentId(r.assignment_id),
                course_id: CourseId(r.course_id),
                student_name: r.student_name,
                assignment_title: r.assignment_title,
            })
            .collect())
    }

    async fn grade_audit(&self, submission: SubmissionId) -> StorageResult<Vec<GradeAuditEntry>> {
        sqlx::query_as!(
            AuditRow,
            r#"SELECT id AS "id: _", submission_id AS "submission_id: _", actor_id AS "actor_id: _", at, action,
                      feedback
               FROM grade_audit WHERE submission_id = $1 ORDER BY at, id"#,
            submission.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(GradeAuditEntry::try_from)
        .collect()
    }
}
