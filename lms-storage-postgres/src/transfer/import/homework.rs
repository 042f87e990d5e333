//! Homework: assignments, extensions, submissions with their versions, the grade
//! audit, and comment threads with their read marks.

use super::*;

pub(super) async fn insert_assignments(
    conn: &mut PgConnection,
    rows: &[Assignment],
) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id.0).collect();
    let courses: Vec<Uuid> = rows.iter().map(|a| a.course_id.0).collect();
    let titles: Vec<String> = rows.iter().map(|a| a.title.as_str().to_owned()).collect();
    let instructions: Vec<String> = rows
        .iter()
        .map(|a| a.instructions.as_html().to_owned())
        .collect();
    let attachments = json_column(rows, |a| &a.attachments)?;
    let opens: Vec<DateTime<Utc>> = rows.iter().map(|a| a.opens_at).collect();
    let due: Vec<DateTime<Utc>> = rows.iter().map(|a| a.due_at).collect();
    let cut_off: Vec<Option<DateTime<Utc>>> = rows.iter().map(|a| a.cut_off_at).collect();
    let max_scores: Vec<f64> = rows.iter().map(|a| a.max_score.value()).collect();
    let late_policies = json_column(rows, |a| &a.late_policy)?;
    let kinds: Vec<String> = rows
        .iter()
        .map(|a| kind_str(a.submission_kind).to_owned())
        .collect();
    let limits = json_column(rows, |a| &a.file_limits)?;
    let published: Vec<bool> = rows.iter().map(|a| a.published).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|a| a.created_at).collect();
    sqlx::query!(
        "INSERT INTO assignments (id, course_id, title, instructions, attachments, opens_at, due_at, cut_off_at,
                                  max_score, late_policy, submission_kind, file_limits, published, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[],
                              $7::timestamptz[], $8::timestamptz[], $9::double precision[], $10::jsonb[],
                              $11::text[], $12::jsonb[], $13::boolean[], $14::timestamptz[])",
        &ids,
        &courses,
        &titles,
        &instructions,
        &attachments,
        &opens,
        &due,
        &cut_off[..] as &[Option<DateTime<Utc>>],
        &max_scores,
        &late_policies,
        &kinds,
        &limits,
        &published,
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_extensions(
    conn: &mut PgConnection,
    rows: &[Extension],
) -> StorageResult<()> {
    let assignments: Vec<Uuid> = rows.iter().map(|e| e.assignment_id.0).collect();
    let students: Vec<Uuid> = rows.iter().map(|e| e.student_id.0).collect();
    let due: Vec<DateTime<Utc>> = rows.iter().map(|e| e.due_at).collect();
    let cut_off: Vec<Option<DateTime<Utc>>> = rows.iter().map(|e| e.cut_off_at).collect();
    let granted_by: Vec<Uuid> = rows.iter().map(|e| e.granted_by.0).collect();
    let granted_at: Vec<DateTime<Utc>> = rows.iter().map(|e| e.granted_at).collect();
    sqlx::query!(
        "INSERT INTO extensions (assignment_id, student_id, due_at, cut_off_at, granted_by, granted_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::uuid[],
                              $6::timestamptz[])",
        &assignments,
        &students,
        &due,
        &cut_off[..] as &[Option<DateTime<Utc>>],
        &granted_by,
        &granted_at,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Submissions with their grade columns, then every version of them (each
/// under the submission it is listed in).
#[allow(clippy::too_many_lines)]
pub(super) async fn insert_submissions(
    conn: &mut PgConnection,
    rows: &[Submission],
) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|s| s.id.0).collect();
    let assignments: Vec<Uuid> = rows.iter().map(|s| s.assignment_id.0).collect();
    let students: Vec<Uuid> = rows.iter().map(|s| s.student_id.0).collect();
    let states: Vec<String> = rows.iter().map(|s| s.state.as_str().to_owned()).collect();
    let grades: Vec<_> = rows.iter().map(|s| s.grade.as_ref()).collect();
    let raw: Vec<Option<f64>> = grades
        .iter()
        .map(|g| g.map(|g| g.raw_score.value()))
        .collect();
    let kept: Vec<Option<i16>> = grades
        .iter()
        .map(|g| g.map(|g| i16::from(g.kept_percent)))
        .collect();
    let finals: Vec<Option<f64>> = grades
        .iter()
        .map(|g| g.map(|g| g.final_score.value()))
        .collect();
    let feedback: Vec<Option<String>> = grades
        .iter()
        .map(|g| g.map(|g| g.feedback.as_html().to_owned()))
        .collect();
    let graded_by: Vec<Option<Uuid>> = grades.iter().map(|g| g.map(|g| g.graded_by.0)).collect();
    let graded_at: Vec<Option<DateTime<Utc>>> =
        grades.iter().map(|g| g.map(|g| g.graded_at)).collect();
    let graded_version: Vec<Option<i32>> = grades
        .iter()
        .map(|g| g.map(|g| to_i32(g.version)))
        .collect();
    let rework: Vec<Option<String>> = rows
        .iter()
        .map(|s| s.rework_feedback.as_ref().map(|f| f.as_html().to_owned()))
        .collect();
    // The pending queue orders by the latest hand-in.
    let latest: Vec<DateTime<Utc>> = rows
        .iter()
        .map(|s| s.latest().map_or(s.updated_at, |v| v.submitted_at))
        .collect();
    let updated: Vec<DateTime<Utc>> = rows.iter().map(|s| s.updated_at).collect();
    sqlx::query!(
        "INSERT INTO submissions (id, assignment_id, student_id, state, raw_score, kept_percent, final_score,
                                  feedback, graded_by, graded_at, graded_version, rework_feedback, latest_at,
                                  updated_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::double precision[],
                              $6::smallint[], $7::double precision[], $8::text[], $9::uuid[], $10::timestamptz[],
                              $11::integer[], $12::text[], $13::timestamptz[], $14::timestamptz[])",
        &ids,
        &assignments,
        &students,
        &states,
        &raw[..] as &[Option<f64>],
        &kept[..] as &[Option<i16>],
        &finals[..] as &[Option<f64>],
        &feedback[..] as &[Option<String>],
        &graded_by[..] as &[Option<Uuid>],
        &graded_at[..] as &[Option<DateTime<Utc>>],
        &graded_version[..] as &[Option<i32>],
        &rework[..] as &[Option<String>],
        &latest,
        &updated,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;

    let versions: Vec<(Uuid, &lms_core::homework::SubmissionVersion)> = rows
        .iter()
        .flat_map(|s| s.versions.iter().map(move |v| (s.id.0, v)))
        .collect();
    let ids: Vec<Uuid> = versions.iter().map(|(_, v)| v.id.0).collect();
    let submissions: Vec<Uuid> = versions.iter().map(|(s, _)| *s).collect();
    let numbers: Vec<i32> = versions.iter().map(|(_, v)| to_i32(v.number)).collect();
    let texts: Vec<Option<String>> = versions
        .iter()
        .map(|(_, v)| v.text.as_ref().map(|t| t.as_html().to_owned()))
        .collect();
    let files = json_column(&versions, |(_, v)| &v.files)?;
    let submitted: Vec<DateTime<Utc>> = versions.iter().map(|(_, v)| v.submitted_at).collect();
    let late: Vec<bool> = versions.iter().map(|(_, v)| v.late).collect();
    let keys: Vec<Option<String>> = versions
        .iter()
        .map(|(_, v)| v.idempotency_key.clone())
        .collect();
    sqlx::query!(
        "INSERT INTO submission_versions (id, submission_id, number, text, files, submitted_at, late,
                                          idempotency_key)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::integer[], $4::text[], $5::jsonb[], $6::timestamptz[],
                              $7::boolean[], $8::text[])",
        &ids,
        &submissions,
        &numbers,
        &texts[..] as &[Option<String>],
        &files,
        &submitted,
        &late,
        &keys[..] as &[Option<String>],
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_grade_audit(
    conn: &mut PgConnection,
    rows: &[GradeAuditEntry],
) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id.0).collect();
    let submissions: Vec<Uuid> = rows.iter().map(|a| a.submission_id.0).collect();
    let actors: Vec<Uuid> = rows.iter().map(|a| a.actor_id.0).collect();
    let at: Vec<DateTime<Utc>> = rows.iter().map(|a| a.at).collect();
    let actions = json_column(rows, |a| &a.action)?;
    let feedback: Vec<String> = rows
        .iter()
        .map(|a| a.feedback.as_html().to_owned())
        .collect();
    sqlx::query!(
        "INSERT INTO grade_audit (id, submission_id, actor_id, at, action, feedback)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::jsonb[], $6::text[])",
        &ids,
        &submissions,
        &actors,
        &at,
        &actions,
        &feedback,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Messages without their author names (read with a thread, not stored).
pub(super) async fn insert_comments(
    conn: &mut PgConnection,
    rows: &[SubmissionComment],
) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id.0).collect();
    let submissions: Vec<Uuid> = rows.iter().map(|c| c.submission_id.0).collect();
    let authors: Vec<Uuid> = rows.iter().map(|c| c.author_id.0).collect();
    let bodies: Vec<String> = rows.iter().map(|c| c.body.as_html().to_owned()).collect();
    let files = json_column(rows, |c| &c.files)?;
    let created: Vec<DateTime<Utc>> = rows.iter().map(|c| c.created_at).collect();
    sqlx::query!(
        "INSERT INTO submission_comments (id, submission_id, author_id, body, files, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::jsonb[], $6::timestamptz[])",
        &ids,
        &submissions,
        &authors,
        &bodies,
        &files,
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_comment_reads(
    conn: &mut PgConnection,
    rows: &[CommentReadRecord],
) -> StorageResult<()> {
    let submissions: Vec<Uuid> = rows.iter().map(|r| r.submission_id.0).collect();
    let users: Vec<Uuid> = rows.iter().map(|r| r.user_id.0).collect();
    let read: Vec<DateTime<Utc>> = rows.iter().map(|r| r.read_at).collect();
    sqlx::query!(
        "INSERT INTO comment_reads (submission_id, user_id, read_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::timestamptz[])",
        &submissions,
        &users,
        &read,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
