//! The import: every table written in one transaction, a batch of rows
//! per statement, in dependency order.

use super::*;

/// Writes every list of `d`, parents before children, a batch at a time.
pub(super) async fn import(conn: &mut PgConnection, d: &SchoolDump) -> StorageResult<()> {
    for rows in d.users.chunks(BATCH) {
        insert_users(conn, rows).await?;
    }
    for rows in d.sessions.chunks(BATCH) {
        insert_sessions(conn, rows).await?;
    }
    for rows in d.courses.chunks(BATCH) {
        insert_courses(conn, rows).await?;
    }
    for rows in d.assistants.chunks(BATCH) {
        insert_assistants(conn, rows).await?;
    }
    for rows in d.enrollments.chunks(BATCH) {
        insert_enrollments(conn, rows).await?;
    }
    for rows in d.groups.chunks(BATCH) {
        insert_groups(conn, rows).await?;
    }
    for rows in d.group_members.chunks(BATCH) {
        update_group_members(conn, rows).await?;
    }
    for rows in d.group_moves.chunks(BATCH) {
        insert_group_moves(conn, rows).await?;
    }
    for rows in d.lessons.chunks(BATCH) {
        insert_lessons(conn, rows).await?;
    }
    for rows in d.lesson_views.chunks(BATCH) {
        insert_lesson_views(conn, rows).await?;
    }
    for rows in d.assignments.chunks(BATCH) {
        insert_assignments(conn, rows).await?;
    }
    for rows in d.extensions.chunks(BATCH) {
        insert_extensions(conn, rows).await?;
    }
    for rows in d.submissions.chunks(BATCH) {
        insert_submissions(conn, rows).await?;
    }
    for rows in d.grade_audit.chunks(BATCH) {
        insert_grade_audit(conn, rows).await?;
    }
    for rows in d.comments.chunks(BATCH) {
        insert_comments(conn, rows).await?;
    }
    for rows in d.comment_reads.chunks(BATCH) {
        insert_comment_reads(conn, rows).await?;
    }
    for rows in d.quizzes.chunks(BATCH) {
        insert_quizzes(conn, rows).await?;
    }
    for rows in d.questions.chunks(BATCH) {
        insert_questions(conn, rows).await?;
    }
    for rows in d.attempts.chunks(BATCH) {
        insert_attempts(conn, rows).await?;
    }
    for rows in d.webinars.chunks(BATCH) {
        insert_webinars(conn, rows).await?;
    }
    for rows in d.outbox.chunks(BATCH) {
        insert_outbox(conn, rows).await?;
    }
    for rows in d.preferences.chunks(BATCH) {
        insert_preferences(conn, rows).await?;
    }
    for rows in d.telegram_chats.chunks(BATCH) {
        insert_telegram_chats(conn, rows).await?;
    }
    for rows in d.telegram_tokens.chunks(BATCH) {
        insert_telegram_tokens(conn, rows).await?;
    }
    for rows in d.achievements.chunks(BATCH) {
        insert_achievements(conn, rows).await?;
    }
    for rows in d.files.chunks(BATCH) {
        insert_files(conn, rows).await?;
    }
    Ok(())
}

async fn insert_users(conn: &mut PgConnection, rows: &[UserRecord]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.user.id.0).collect();
    let emails: Vec<String> = rows
        .iter()
        .map(|r| r.user.email.as_str().to_owned())
        .collect();
    let names: Vec<String> = rows
        .iter()
        .map(|r| r.user.display_name.as_str().to_owned())
        .collect();
    let roles: Vec<String> = rows
        .iter()
        .map(|r| r.user.role.as_str().to_owned())
        .collect();
    let locales: Vec<String> = rows
        .iter()
        .map(|r| r.user.locale.as_str().to_owned())
        .collect();
    let zones: Vec<String> = rows
        .iter()
        .map(|r| r.user.time_zone.name().to_owned())
        .collect();
    let active: Vec<bool> = rows.iter().map(|r| r.user.active).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|r| r.user.created_at).collect();
    let passwords: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.password_hash.as_ref().map(|p| p.0.clone()))
        .collect();
    let feeds: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.feed_token_hash.as_ref().map(|t| t.0.clone()))
        .collect();
    sqlx::query!(
        "INSERT INTO users (id, email, display_name, role, locale, time_zone, active, created_at, password_hash,
                            feed_token_hash)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::boolean[], $8::timestamptz[], $9::text[], $10::text[])",
        &ids,
        &emails,
        &names,
        &roles,
        &locales,
        &zones,
        &active,
        &created,
        &passwords[..] as &[Option<String>],
        &feeds[..] as &[Option<String>],
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_sessions(conn: &mut PgConnection, rows: &[Session]) -> StorageResult<()> {
    let hashes: Vec<String> = rows.iter().map(|s| s.token_hash.0.clone()).collect();
    let users: Vec<Uuid> = rows.iter().map(|s| s.user_id.0).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|s| s.created_at).collect();
    let expires: Vec<DateTime<Utc>> = rows.iter().map(|s| s.expires_at).collect();
    sqlx::query!(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
         SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::timestamptz[], $4::timestamptz[])",
        &hashes,
        &users,
        &created,
        &expires,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_courses(conn: &mut PgConnection, rows: &[Course]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id.0).collect();
    let titles: Vec<String> = rows.iter().map(|c| c.title.as_str().to_owned()).collect();
    let descriptions: Vec<String> = rows
        .iter()
        .map(|c| c.description.as_html().to_owned())
        .collect();
    let owners: Vec<Uuid> = rows.iter().map(|c| c.owner_id.0).collect();
    let statuses: Vec<String> = rows.iter().map(|c| c.status.as_str().to_owned()).collect();
    let codes: Vec<Option<String>> = rows
        .iter()
        .map(|c| c.invite_code.as_ref().map(|i| i.as_str().to_owned()))
        .collect();
    let covers: Vec<Option<String>> = rows
        .iter()
        .map(|c| c.cover.map(|v| v.as_str().to_owned()))
        .collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|c| c.created_at).collect();
    sqlx::query!(
        "INSERT INTO courses (id, title, description, owner_id, status, invite_code, cover, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[],
                              $7::text[], $8::timestamptz[])",
        &ids,
        &titles,
        &descriptions,
        &owners,
        &statuses,
        &codes[..] as &[Option<String>],
        &covers[..] as &[Option<String>],
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_assistants(conn: &mut PgConnection, rows: &[AssistantRecord]) -> StorageResult<()> {
    let courses: Vec<Uuid> = rows.iter().map(|a| a.course_id.0).collect();
    let users: Vec<Uuid> = rows.iter().map(|a| a.user_id.0).collect();
    sqlx::query!(
        "INSERT INTO course_assistants (course_id, user_id) SELECT * FROM UNNEST($1::uuid[], $2::uuid[])",
        &courses,
        &users,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_enrollments(conn: &mut PgConnection, rows: &[Enrollment]) -> StorageResult<()> {
    let courses: Vec<Uuid> = rows.iter().map(|e| e.course_id.0).collect();
    let students: Vec<Uuid> = rows.iter().map(|e| e.student_id.0).collect();
    let sources: Vec<String> = rows
        .iter()
        .map(|e| source_str(e.source).to_owned())
        .collect();
    let enrolled: Vec<DateTime<Utc>> = rows.iter().map(|e| e.enrolled_at).collect();
    sqlx::query!(
        "INSERT INTO enrollments (course_id, student_id, source, enrolled_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])",
        &courses,
        &students,
        &sources,
        &enrolled,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Groups in dump order (their `seq` follows it), then their mentors
/// numbered in order.
async fn insert_groups(conn: &mut PgConnection, rows: &[Group]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|g| g.id.0).collect();
    let courses: Vec<Uuid> = rows.iter().map(|g| g.course_id.0).collect();
    let names: Vec<String> = rows.iter().map(|g| g.name.as_str().to_owned()).collect();
    let codes: Vec<Option<String>> = rows
        .iter()
        .map(|g| g.invite_code.as_ref().map(|i| i.as_str().to_owned()))
        .collect();
    let archived: Vec<Option<DateTime<Utc>>> = rows.iter().map(|g| g.archived_at).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|g| g.created_at).collect();
    sqlx::query!(
        "INSERT INTO course_groups (id, course_id, name, invite_code, archived_at, created_at)
         SELECT r.id, r.course_id, r.name, r.invite_code, r.archived_at, r.created_at
         FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
              WITH ORDINALITY AS r(id, course_id, name, invite_code, archived_at, created_at, ord)
         ORDER BY r.ord",
        &ids,
        &courses,
        &names,
        &codes[..] as &[Option<String>],
        &archived[..] as &[Option<DateTime<Utc>>],
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    let mut groups: Vec<Uuid> = Vec::new();
    let mut mentors: Vec<Uuid> = Vec::new();
    let mut positions: Vec<i32> = Vec::new();
    for g in rows {
        for (m, position) in g.mentors.iter().zip(0_i32..) {
            groups.push(g.id.0);
            mentors.push(m.0);
            positions.push(position);
        }
    }
    sqlx::query!(
        "INSERT INTO group_mentors (group_id, user_id, position)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::integer[])",
        &groups,
        &mentors,
        &positions,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Puts enrolled students in their groups. `NotFound` if a student is not
/// enrolled (no row to update) or the group is not one of the course's
/// (the `(group_id, course_id)` key).
async fn update_group_members(
    conn: &mut PgConnection,
    rows: &[GroupMemberRecord],
) -> StorageResult<()> {
    let courses: Vec<Uuid> = rows.iter().map(|m| m.course_id.0).collect();
    let students: Vec<Uuid> = rows.iter().map(|m| m.student_id.0).collect();
    let groups: Vec<Uuid> = rows.iter().map(|m| m.group_id.0).collect();
    let done = sqlx::query!(
        "UPDATE enrollments e SET group_id = r.group_id
         FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[]) AS r(course_id, student_id, group_id)
         WHERE e.course_id = r.course_id AND e.student_id = r.student_id",
        &courses,
        &students,
        &groups,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    if usize::try_from(done.rows_affected()).ok() != Some(rows.len()) {
        return Err(StorageError::NotFound);
    }
    Ok(())
}

/// Moves in dump order (their `seq` follows it: each student's history
/// stays in order).
async fn insert_group_moves(conn: &mut PgConnection, rows: &[GroupMove]) -> StorageResult<()> {
    let courses: Vec<Uuid> = rows.iter().map(|m| m.course_id.0).collect();
    let students: Vec<Uuid> = rows.iter().map(|m| m.student_id.0).collect();
    let from: Vec<Option<Uuid>> = rows.iter().map(|m| m.from_group.map(|g| g.0)).collect();
    let to: Vec<Option<Uuid>> = rows.iter().map(|m| m.to_group.map(|g| g.0)).collect();
    let movers: Vec<Uuid> = rows.iter().map(|m| m.moved_by.0).collect();
    let moved: Vec<DateTime<Utc>> = rows.iter().map(|m| m.moved_at).collect();
    sqlx::query!(
        "INSERT INTO group_moves (course_id, student_id, from_group, to_group, moved_by, moved_at)
         SELECT r.course_id, r.student_id, r.from_group, r.to_group, r.moved_by, r.moved_at
         FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::timestamptz[])
              WITH ORDINALITY AS r(course_id, student_id, from_group, to_group, moved_by, moved_at, ord)
         ORDER BY r.ord",
        &courses,
        &students,
        &from[..] as &[Option<Uuid>],
        &to[..] as &[Option<Uuid>],
        &movers,
        &moved,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_lessons(conn: &mut PgConnection, rows: &[Lesson]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|l| l.id.0).collect();
    let courses: Vec<Uuid> = rows.iter().map(|l| l.course_id.0).collect();
    let titles: Vec<String> = rows.iter().map(|l| l.title.as_str().to_owned()).collect();
    let bodies: Vec<String> = rows.iter().map(|l| l.body.as_html().to_owned()).collect();
    let positions: Vec<i32> = rows.iter().map(|l| to_i32(l.position)).collect();
    let publish: Vec<Option<DateTime<Utc>>> = rows.iter().map(|l| l.publish_at).collect();
    let published: Vec<bool> = rows.iter().map(|l| l.published).collect();
    let attachments = json_column(rows, |l| &l.attachments)?;
    let created: Vec<DateTime<Utc>> = rows.iter().map(|l| l.created_at).collect();
    sqlx::query!(
        "INSERT INTO lessons (id, course_id, title, body, position, publish_at, published, attachments, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::integer[], $6::timestamptz[],
                              $7::boolean[], $8::jsonb[], $9::timestamptz[])",
        &ids,
        &courses,
        &titles,
        &bodies,
        &positions,
        &publish[..] as &[Option<DateTime<Utc>>],
        &published,
        &attachments,
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_lesson_views(
    conn: &mut PgConnection,
    rows: &[LessonViewRecord],
) -> StorageResult<()> {
    let lessons: Vec<Uuid> = rows.iter().map(|v| v.lesson_id.0).collect();
    let students: Vec<Uuid> = rows.iter().map(|v| v.student_id.0).collect();
    let viewed: Vec<DateTime<Utc>> = rows.iter().map(|v| v.viewed_at).collect();
    sqlx::query!(
        "INSERT INTO lesson_views (lesson_id, student_id, viewed_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::timestamptz[])",
        &lessons,
        &students,
        &viewed,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_assignments(conn: &mut PgConnection, rows: &[Assignment]) -> StorageResult<()> {
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

async fn insert_extensions(conn: &mut PgConnection, rows: &[Extension]) -> StorageResult<()> {
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
async fn insert_submissions(conn: &mut PgConnection, rows: &[Submission]) -> StorageResult<()> {
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

async fn insert_grade_audit(
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
async fn insert_comments(conn: &mut PgConnection, rows: &[SubmissionComment]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id.0).collect();
    let submissions: Vec<Uuid> = rows.iter().map(|c| c.submission_id.0).collect();
    let authors: Vec<Uuid> = rows.iter().map(|c| c.author_id.0).collect();
    let bodies: Vec<String> = rows.iter().map(|c| c.body.as_html().to_owned()).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|c| c.created_at).collect();
    sqlx::query!(
        "INSERT INTO submission_comments (id, submission_id, author_id, body, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[])",
        &ids,
        &submissions,
        &authors,
        &bodies,
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_comment_reads(
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

async fn insert_quizzes(conn: &mut PgConnection, rows: &[Quiz]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|q| q.id.0).collect();
    let courses: Vec<Uuid> = rows.iter().map(|q| q.course_id.0).collect();
    let titles: Vec<String> = rows.iter().map(|q| q.title.as_str().to_owned()).collect();
    let descriptions: Vec<String> = rows
        .iter()
        .map(|q| q.description.as_html().to_owned())
        .collect();
    let settings = json_column(rows, |q| &q.settings)?;
    let published: Vec<bool> = rows.iter().map(|q| q.published).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|q| q.created_at).collect();
    sqlx::query!(
        "INSERT INTO quizzes (id, course_id, title, description, settings, published, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::boolean[],
                              $7::timestamptz[])",
        &ids,
        &courses,
        &titles,
        &descriptions,
        &settings,
        &published,
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_questions(conn: &mut PgConnection, rows: &[Question]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|q| q.id.0).collect();
    let quizzes: Vec<Uuid> = rows.iter().map(|q| q.quiz_id.0).collect();
    let positions: Vec<i32> = rows.iter().map(|q| to_i32(q.position)).collect();
    let prompts: Vec<String> = rows.iter().map(|q| q.prompt.as_html().to_owned()).collect();
    let points: Vec<f64> = rows.iter().map(|q| q.points.value()).collect();
    let bodies = json_column(rows, |q| &q.body)?;
    let explanations: Vec<Option<String>> = rows
        .iter()
        .map(|q| q.explanation.as_ref().map(|e| e.as_html().to_owned()))
        .collect();
    sqlx::query!(
        "INSERT INTO questions (id, quiz_id, position, prompt, points, body, explanation)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::integer[], $4::text[], $5::double precision[],
                              $6::jsonb[], $7::text[])",
        &ids,
        &quizzes,
        &positions,
        &prompts,
        &points,
        &bodies,
        &explanations[..] as &[Option<String>],
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_attempts(conn: &mut PgConnection, rows: &[Attempt]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id.0).collect();
    let quizzes: Vec<Uuid> = rows.iter().map(|a| a.quiz_id.0).collect();
    let students: Vec<Uuid> = rows.iter().map(|a| a.student_id.0).collect();
    let numbers: Vec<i32> = rows.iter().map(|a| to_i32(a.number)).collect();
    // The seed is stored bit for bit in a signed column.
    let seeds: Vec<i64> = rows
        .iter()
        .map(|a| i64::from_ne_bytes(a.seed.to_ne_bytes()))
        .collect();
    let orders = json_column(rows, |a| &a.question_order)?;
    let started: Vec<DateTime<Utc>> = rows.iter().map(|a| a.started_at).collect();
    let deadlines: Vec<Option<DateTime<Utc>>> = rows.iter().map(|a| a.deadline).collect();
    let states: Vec<String> = rows.iter().map(|a| state_str(a.state).to_owned()).collect();
    let answers = json_column(rows, |a| &a.answers)?;
    let saved: Vec<Option<DateTime<Utc>>> = rows.iter().map(|a| a.saved_at).collect();
    let finished: Vec<Option<DateTime<Utc>>> = rows.iter().map(|a| a.finished_at).collect();
    let results: Vec<Option<serde_json::Value>> = rows
        .iter()
        .map(|a| a.result.as_ref().map(to_json).transpose())
        .collect::<StorageResult<_>>()?;
    let keys: Vec<Option<String>> = rows.iter().map(|a| a.submit_key.clone()).collect();
    sqlx::query!(
        "INSERT INTO attempts (id, quiz_id, student_id, number, seed, question_order, started_at, deadline, state,
                               answers, saved_at, finished_at, result, submit_key)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::integer[], $5::bigint[], $6::jsonb[],
                              $7::timestamptz[], $8::timestamptz[], $9::text[], $10::jsonb[], $11::timestamptz[],
                              $12::timestamptz[], $13::jsonb[], $14::text[])",
        &ids,
        &quizzes,
        &students,
        &numbers,
        &seeds,
        &orders,
        &started,
        &deadlines[..] as &[Option<DateTime<Utc>>],
        &states,
        &answers,
        &saved[..] as &[Option<DateTime<Utc>>],
        &finished[..] as &[Option<DateTime<Utc>>],
        &results[..] as &[Option<serde_json::Value>],
        &keys[..] as &[Option<String>],
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_webinars(conn: &mut PgConnection, rows: &[Webinar]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|w| w.id.0).collect();
    let courses: Vec<Uuid> = rows.iter().map(|w| w.course_id.0).collect();
    let titles: Vec<String> = rows.iter().map(|w| w.title.as_str().to_owned()).collect();
    let starts: Vec<DateTime<Utc>> = rows.iter().map(|w| w.starts_at).collect();
    let durations: Vec<i32> = rows.iter().map(|w| to_i32(w.duration_minutes)).collect();
    let providers: Vec<String> = rows
        .iter()
        .map(|w| w.provider.as_str().to_owned())
        .collect();
    let conferences: Vec<Option<String>> = rows.iter().map(|w| w.conference_id.clone()).collect();
    let joins: Vec<String> = rows.iter().map(|w| w.join_url.clone()).collect();
    let hosts: Vec<Option<String>> = rows.iter().map(|w| w.host_url.clone()).collect();
    let states: Vec<String> = rows
        .iter()
        .map(|w| webinar_state_str(w.state).to_owned())
        .collect();
    let creators: Vec<Uuid> = rows.iter().map(|w| w.created_by.0).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|w| w.created_at).collect();
    sqlx::query!(
        "INSERT INTO webinars (id, course_id, title, starts_at, duration_minutes, provider, conference_id, join_url,
                               host_url, state, created_by, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::integer[], $6::text[],
                              $7::text[], $8::text[], $9::text[], $10::text[], $11::uuid[], $12::timestamptz[])",
        &ids,
        &courses,
        &titles,
        &starts,
        &durations,
        &providers,
        &conferences[..] as &[Option<String>],
        &joins,
        &hosts[..] as &[Option<String>],
        &states,
        &creators,
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_outbox(conn: &mut PgConnection, rows: &[OutboxEntry]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|e| e.id.0).collect();
    let keys: Vec<String> = rows.iter().map(|e| e.dedup_key.0.clone()).collect();
    let recipients: Vec<Uuid> = rows.iter().map(|e| e.recipient_id.0).collect();
    let channels: Vec<String> = rows.iter().map(|e| e.channel.as_str().to_owned()).collect();
    let notifications = json_column(rows, |e| &e.notification)?;
    let statuses: Vec<String> = rows.iter().map(|e| e.status.as_str().to_owned()).collect();
    let attempts: Vec<i32> = rows.iter().map(|e| to_i32(e.attempts)).collect();
    let next: Vec<DateTime<Utc>> = rows.iter().map(|e| e.next_attempt_at).collect();
    let leases: Vec<Option<DateTime<Utc>>> = rows.iter().map(|e| e.lease_until).collect();
    let errors: Vec<Option<String>> = rows.iter().map(|e| e.last_error.clone()).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|e| e.created_at).collect();
    let sent: Vec<Option<DateTime<Utc>>> = rows.iter().map(|e| e.sent_at).collect();
    let read: Vec<Option<DateTime<Utc>>> = rows.iter().map(|e| e.read_at).collect();
    sqlx::query!(
        "INSERT INTO outbox (id, dedup_key, recipient_id, channel, notification, status, attempts, next_attempt_at,
                             lease_until, last_error, created_at, sent_at, read_at)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::jsonb[], $6::text[],
                              $7::integer[], $8::timestamptz[], $9::timestamptz[], $10::text[], $11::timestamptz[],
                              $12::timestamptz[], $13::timestamptz[])",
        &ids,
        &keys,
        &recipients,
        &channels,
        &notifications,
        &statuses,
        &attempts,
        &next,
        &leases[..] as &[Option<DateTime<Utc>>],
        &errors[..] as &[Option<String>],
        &created,
        &sent[..] as &[Option<DateTime<Utc>>],
        &read[..] as &[Option<DateTime<Utc>>],
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_preferences(
    conn: &mut PgConnection,
    rows: &[lms_core::notification::NotificationPreferences],
) -> StorageResult<()> {
    let users: Vec<Uuid> = rows.iter().map(|p| p.user_id.0).collect();
    let channels = json_column(rows, |p| &p.channels)?;
    let from: Vec<Option<NaiveTime>> = rows.iter().map(|p| p.quiet_hours.map(|q| q.from)).collect();
    let to: Vec<Option<NaiveTime>> = rows.iter().map(|p| p.quiet_hours.map(|q| q.to)).collect();
    sqlx::query!(
        "INSERT INTO notification_preferences (user_id, channels, quiet_from, quiet_to)
         SELECT * FROM UNNEST($1::uuid[], $2::jsonb[], $3::time[], $4::time[])",
        &users,
        &channels,
        &from[..] as &[Option<NaiveTime>],
        &to[..] as &[Option<NaiveTime>],
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_telegram_chats(
    conn: &mut PgConnection,
    rows: &[TelegramChatRecord],
) -> StorageResult<()> {
    let users: Vec<Uuid> = rows.iter().map(|c| c.user_id.0).collect();
    let chats: Vec<i64> = rows.iter().map(|c| c.chat_id).collect();
    sqlx::query!(
        "INSERT INTO telegram_chats (user_id, chat_id) SELECT * FROM UNNEST($1::uuid[], $2::bigint[])",
        &users,
        &chats,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_telegram_tokens(
    conn: &mut PgConnection,
    rows: &[TelegramLinkToken],
) -> StorageResult<()> {
    let hashes: Vec<String> = rows.iter().map(|t| t.token_hash.0.clone()).collect();
    let users: Vec<Uuid> = rows.iter().map(|t| t.user_id.0).collect();
    let expires: Vec<DateTime<Utc>> = rows.iter().map(|t| t.expires_at).collect();
    sqlx::query!(
        "INSERT INTO telegram_tokens (token_hash, user_id, expires_at)
         SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::timestamptz[])",
        &hashes,
        &users,
        &expires,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_achievements(
    conn: &mut PgConnection,
    rows: &[lms_core::achievement::Achievement],
) -> StorageResult<()> {
    let users: Vec<Uuid> = rows.iter().map(|a| a.user_id.0).collect();
    let badges: Vec<String> = rows.iter().map(|a| a.badge.as_str().to_owned()).collect();
    // Badges that are not per course are stored under the nil course (see the schema).
    let courses: Vec<Uuid> = rows
        .iter()
        .map(|a| a.course_id.map_or(Uuid::nil(), |c| c.0))
        .collect();
    let awarded: Vec<DateTime<Utc>> = rows.iter().map(|a| a.awarded_at).collect();
    sqlx::query!(
        "INSERT INTO achievements (user_id, badge, course_id, awarded_at)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::timestamptz[])",
        &users,
        &badges,
        &courses,
        &awarded,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_files(conn: &mut PgConnection, rows: &[FileRecord]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.file.id.0).collect();
    let names: Vec<String> = rows
        .iter()
        .map(|r| r.file.name.as_str().to_owned())
        .collect();
    let types: Vec<String> = rows.iter().map(|r| r.file.content_type.clone()).collect();
    let sizes: Vec<i64> = rows
        .iter()
        .map(|r| size_column(r.file.size))
        .collect::<StorageResult<_>>()?;
    let keys: Vec<String> = rows.iter().map(|r| r.file.storage_key.clone()).collect();
    let uploaders: Vec<Uuid> = rows.iter().map(|r| r.file.uploaded_by.0).collect();
    let uploaded: Vec<DateTime<Utc>> = rows.iter().map(|r| r.file.uploaded_at).collect();
    let owners: Vec<_> = rows.iter().map(|r| owner_columns(r.owner)).collect();
    let lessons: Vec<Option<Uuid>> = owners.iter().map(|o| o.lesson).collect();
    let assignments: Vec<Option<Uuid>> = owners.iter().map(|o| o.assignment).collect();
    let submissions: Vec<Option<Uuid>> = owners.iter().map(|o| o.submission).collect();
    let courses: Vec<Option<Uuid>> = owners.iter().map(|o| o.course).collect();
    let quizzes: Vec<Option<Uuid>> = owners.iter().map(|o| o.quiz).collect();
    sqlx::query!(
        "INSERT INTO files (id, name, content_type, size, storage_key, uploaded_by, uploaded_at,
                            lesson_id, assignment_id, submission_id, course_id, quiz_id)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[],
                              $6::uuid[], $7::timestamptz[], $8::uuid[], $9::uuid[], $10::uuid[],
                              $11::uuid[], $12::uuid[])",
        &ids,
        &names,
        &types,
        &sizes,
        &keys,
        &uploaders,
        &uploaded,
        &lessons[..] as &[Option<Uuid>],
        &assignments[..] as &[Option<Uuid>],
        &submissions[..] as &[Option<Uuid>],
        &courses[..] as &[Option<Uuid>],
        &quizzes[..] as &[Option<Uuid>],
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
