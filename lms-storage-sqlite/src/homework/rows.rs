//! Rows of the homework tables and how submissions are assembled from
//! their rows and versions.

use std::collections::HashMap;

use lms_core::StorageError;
use lms_core::course::Title;
use lms_core::error::StorageResult;
use lms_core::file::{FileLimits, FileRef};
use lms_core::homework::{
    Assignment, AuditAction, Extension, Grade, GradeAuditEntry, LatePolicy, Submission,
    SubmissionKind, SubmissionState, SubmissionVersion,
};
use lms_core::ids::{AssignmentId, AuditId, CourseId, SubmissionId, SubmissionVersionId, UserId};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::error::{corrupt, from_json, from_ts, from_ts_opt, id_list, map_err, to_u32};

pub(crate) struct AssignmentRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    pub instructions: String,
    pub attachments: String,
    pub opens_at: i64,
    pub due_at: i64,
    pub cut_off_at: Option<i64>,
    pub max_score: f64,
    pub late_policy: String,
    pub submission_kind: String,
    pub file_limits: String,
    pub published: bool,
    pub created_at: i64,
}

impl TryFrom<AssignmentRow> for Assignment {
    type Error = StorageError;
    fn try_from(r: AssignmentRow) -> Result<Self, Self::Error> {
        Ok(Assignment {
            id: AssignmentId(r.id),
            course_id: CourseId(r.course_id),
            title: Title::parse(&r.title).map_err(|e| corrupt("assignment title", e))?,
            instructions: RichText::from_stored(r.instructions),
            attachments: from_json::<Vec<FileRef>>("assignment attachments", &r.attachments)?,
            opens_at: from_ts("opening time", r.opens_at)?,
            due_at: from_ts("due time", r.due_at)?,
            cut_off_at: from_ts_opt("cut-off time", r.cut_off_at)?,
            max_score: Points::new(r.max_score).map_err(|e| corrupt("max score", e))?,
            late_policy: from_json::<LatePolicy>("late policy", &r.late_policy)?,
            submission_kind: serde_json::from_value::<SubmissionKind>(serde_json::Value::String(
                r.submission_kind,
            ))
            .map_err(|e| corrupt("submission kind", e))?,
            file_limits: from_json::<FileLimits>("file limits", &r.file_limits)?,
            published: r.published,
            created_at: from_ts("assignment creation time", r.created_at)?,
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

pub(crate) struct SubmissionRow {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub student_id: Uuid,
    pub state: String,
    pub raw_score: Option<f64>,
    pub kept_percent: Option<i64>,
    pub final_score: Option<f64>,
    pub feedback: Option<String>,
    pub graded_by: Option<Uuid>,
    pub graded_at: Option<i64>,
    pub graded_version: Option<i64>,
    pub rework_feedback: Option<String>,
    pub updated_at: i64,
}

pub(crate) struct VersionRow {
    pub id: Uuid,
    pub submission_id: Uuid,
    pub number: i64,
    pub text: Option<String>,
    pub files: String,
    pub submitted_at: i64,
    pub late: bool,
    pub idempotency_key: Option<String>,
}

pub(crate) fn version_from(r: VersionRow) -> StorageResult<SubmissionVersion> {
    Ok(SubmissionVersion {
        id: SubmissionVersionId(r.id),
        submission_id: SubmissionId(r.submission_id),
        number: to_u32("version number", r.number)?,
        text: r.text.map(RichText::from_stored),
        files: from_json::<Vec<FileRef>>("submission files", &r.files)?,
        submitted_at: from_ts("hand-in time", r.submitted_at)?,
        late: r.late,
        idempotency_key: r.idempotency_key,
    })
}

pub(crate) fn submission_from(
    r: SubmissionRow,
    versions: Vec<SubmissionVersion>,
) -> StorageResult<Submission> {
    let grade = match (
        r.raw_score,
        r.kept_percent,
        r.final_score,
        r.graded_by,
        r.graded_at,
        r.graded_version,
    ) {
        (Some(raw), Some(kept), Some(fin), Some(by), Some(at), Some(version)) => Some(Grade {
            raw_score: Points::new(raw).map_err(|e| corrupt("raw score", e))?,
            kept_percent: u8::try_from(kept).map_err(|e| corrupt("kept percent", e))?,
            final_score: Points::new(fin).map_err(|e| corrupt("final score", e))?,
            feedback: RichText::from_stored(r.feedback.unwrap_or_default()),
            graded_by: UserId(by),
            graded_at: from_ts("grading time", at)?,
            version: to_u32("graded version", version)?,
        }),
        _ => None,
    };
    Ok(Submission {
        id: SubmissionId(r.id),
        assignment_id: AssignmentId(r.assignment_id),
        student_id: UserId(r.student_id),
        state: SubmissionState::parse(&r.state)
            .ok_or_else(|| corrupt("submission state", &r.state))?,
        versions,
        grade,
        rework_feedback: r.rework_feedback.map(RichText::from_stored),
        updated_at: from_ts("submission update time", r.updated_at)?,
    })
}

/// Groups version rows and builds the submissions, in the order of `rows`.
pub(crate) fn assemble_submissions(
    rows: Vec<SubmissionRow>,
    version_rows: Vec<VersionRow>,
) -> StorageResult<Vec<Submission>> {
    let mut versions: HashMap<Uuid, Vec<SubmissionVersion>> = HashMap::new();
    for v in version_rows {
        versions
            .entry(v.submission_id)
            .or_default()
            .push(version_from(v)?);
    }
    rows.into_iter()
        .map(|r| {
            let vs = versions.remove(&r.id).unwrap_or_default();
            submission_from(r, vs)
        })
        .collect()
}

/// Whether loaded submissions carry their versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Versions {
    /// Every version, in order.
    Loaded,
    /// None (`versions` empty): for read models that need only grades.
    Left,
}

/// Loads submissions with their versions, in the order of `ids`.
pub(crate) async fn load_submissions(
    conn: &mut SqliteConnection,
    ids: &[Uuid],
) -> StorageResult<Vec<Submission>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids.iter().copied());
    let rows = sqlx::query_as!(
        SubmissionRow,
        r#"SELECT id AS "id: _", assignment_id AS "assignment_id: _", student_id AS "student_id: _", state,
                  raw_score, kept_percent, final_score, feedback, graded_by AS "graded_by: _", graded_at,
                  graded_version, rework_feedback, updated_at
           FROM submissions WHERE id IN (SELECT unhex(value) FROM json_each($1))"#,
        list
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let mut by_id: HashMap<Uuid, Submission> = with_versions(conn, rows, Versions::Loaded)
        .await?
        .into_iter()
        .map(|s| (s.id.0, s))
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Submissions from their rows, in the rows' order, with their versions
/// (one more query) or without.
pub(crate) async fn with_versions(
    conn: &mut SqliteConnection,
    rows: Vec<SubmissionRow>,
    versions: Versions,
) -> StorageResult<Vec<Submission>> {
    if versions == Versions::Left || rows.is_empty() {
        return assemble_submissions(rows, Vec::new());
    }
    let list = id_list(rows.iter().map(|r| r.id));
    let version_rows = sqlx::query_as!(
        VersionRow,
        r#"SELECT id AS "id: _", submission_id AS "submission_id: _", number, text, files, submitted_at,
                  late AS "late: _", idempotency_key
           FROM submission_versions WHERE submission_id IN (SELECT unhex(value) FROM json_each($1))
           ORDER BY submission_id, number"#,
        list
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    assemble_submissions(rows, version_rows)
}

pub(crate) async fn load_one(conn: &mut SqliteConnection, id: Uuid) -> StorageResult<Submission> {
    load_submissions(conn, &[id])
        .await?
        .pop()
        .ok_or(StorageError::NotFound)
}

pub(crate) struct ExtensionRow {
    pub assignment_id: Uuid,
    pub student_id: Uuid,
    pub due_at: i64,
    pub cut_off_at: Option<i64>,
    pub granted_by: Uuid,
    pub granted_at: i64,
}

impl TryFrom<ExtensionRow> for Extension {
    type Error = StorageError;
    fn try_from(r: ExtensionRow) -> Result<Self, Self::Error> {
        Ok(Extension {
            assignment_id: AssignmentId(r.assignment_id),
            student_id: UserId(r.student_id),
            due_at: from_ts("extension due time", r.due_at)?,
            cut_off_at: from_ts_opt("extension cut-off time", r.cut_off_at)?,
            granted_by: UserId(r.granted_by),
            granted_at: from_ts("extension grant time", r.granted_at)?,
        })
    }
}

pub(crate) struct AuditRow {
    pub id: Uuid,
    pub submission_id: Uuid,
    pub actor_id: Uuid,
    pub at: i64,
    pub action: String,
    pub feedback: String,
}

impl TryFrom<AuditRow> for GradeAuditEntry {
    type Error = StorageError;
    fn try_from(r: AuditRow) -> Result<Self, Self::Error> {
        Ok(GradeAuditEntry {
            id: AuditId(r.id),
            submission_id: SubmissionId(r.submission_id),
            actor_id: UserId(r.actor_id),
            at: from_ts("audit time", r.at)?,
            action: from_json::<AuditAction>("audit action", &r.action)?,
            feedback: RichText::from_stored(r.feedback),
        })
    }
}
