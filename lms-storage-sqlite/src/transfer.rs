//! Export and import of a whole school ([`SchoolTransfer`]): every row of
//! every table, read in one snapshot and written in one transaction.

use async_trait::async_trait;
use chrono::NaiveTime;
use lms_core::error::{Conflict, StorageResult};
use lms_core::group::GroupMove;
use lms_core::homework::SubmissionComment;
use lms_core::ids::{CommentId, CourseId, GroupId, LessonId, SubmissionId, UserId};
use lms_core::notification::TelegramLinkToken;
use lms_core::richtext::RichText;
use lms_core::transfer::{
    AssistantRecord, CommentReadRecord, FileRecord, GroupMemberRecord, LessonViewRecord,
    SchoolDump, SchoolTransfer, TelegramChatRecord, UserRecord,
};
use lms_core::user::{PasswordHash, Session, TokenHash, User};
use lms_core::{StorageError, achievement::Achievement};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::SqliteStorage;
use crate::achievement::AchievementRow;
use crate::course::{CourseRow, EnrollmentRow, LessonRow, source_str};
use crate::error::{from_ts, map_err, to_json, ts, ts_opt};
use crate::file::{FileRow, insert_file};
use crate::group::{GroupRow, check_group_of, insert_mentors, insert_move};
use crate::homework::{
    AssignmentRow, AuditRow, ExtensionRow, SubmissionRow, VersionRow, assemble_submissions,
};
use crate::notification::{OutboxRow, preferences_from};
use crate::quiz::{AttemptRow, QuestionRow, QuizRow, seed_to_i64, state_str};
use crate::user::{SessionRow, UserRow};
use crate::webinar::{WebinarRow, webinar_state_str};

fn all<R, T>(rows: Vec<R>) -> StorageResult<Vec<T>>
where
    T: TryFrom<R, Error = StorageError>,
{
    rows.into_iter().map(T::try_from).collect()
}

async fn export(conn: &mut SqliteConnection) -> StorageResult<SchoolDump> {
    let user_rows = sqlx::query!(
        r#"SELECT id AS "id: Uuid", email, display_name, role, locale, time_zone, active AS "active: bool",
                  created_at, password_hash, feed_token_hash
           FROM users ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let mut users = Vec::with_capacity(user_rows.len());
    for r in user_rows {
        users.push(UserRecord {
            user: User::try_from(UserRow {
                id: r.id,
                email: r.email,
                display_name: r.display_name,
                role: r.role,
                locale: r.locale,
                time_zone: r.time_zone,
                active: r.active,
                created_at: r.created_at,
            })?,
            password_hash: r.password_hash.map(PasswordHash),
            feed_token_hash: r.feed_token_hash.map(TokenHash),
        });
    }
    let sessions: Vec<Session> = all(sqlx::query_as!(
        SessionRow,
        r#"SELECT token_hash, user_id AS "user_id: _", created_at, expires_at FROM sessions ORDER BY token_hash"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    let courses = all(sqlx::query_as!(
        CourseRow,
        r#"SELECT id AS "id: _", title, description, owner_id AS "owner_id: _", status, invite_code, cover, created_at
           FROM courses ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    let assistants = sqlx::query!(
        r#"SELECT course_id AS "course_id: Uuid", user_id AS "user_id: Uuid" FROM course_assistants
           ORDER BY course_id, user_id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| AssistantRecord {
        course_id: CourseId(r.course_id),
        user_id: UserId(r.user_id),
    })
    .collect();
    let enrollments = all(sqlx::query_as!(
        EnrollmentRow,
        r#"SELECT course_id AS "course_id: _", student_id AS "student_id: _", source, enrolled_at
           FROM enrollments ORDER BY course_id, student_id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    // In insertion order: imported in dump order, the groups keep the
    // tie-breaker of groups created at one instant.
    let groups = all(sqlx::query_as!(
        GroupRow,
        r#"SELECT g.id AS "id: _", g.course_id AS "course_id: _", g.name, g.invite_code AS "invite_code?",
                  (SELECT json_group_array(hex(m.user_id) ORDER BY m.position)
                   FROM group_mentors m WHERE m.group_id = g.id) AS "mentors!: String",
                  g.archived_at AS "archived_at?", g.created_at
           FROM course_groups g ORDER BY g.seq"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    let group_members = sqlx::query!(
        r#"SELECT course_id AS "course_id: Uuid", student_id AS "student_id: Uuid", group_id AS "group_id!: Uuid"
           FROM enrollments WHERE group_id IS NOT NULL ORDER BY course_id, student_id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| GroupMemberRecord {
        course_id: CourseId(r.course_id),
        student_id: UserId(r.student_id),
        group_id: GroupId(r.group_id),
    })
    .collect();
    // In the order recorded: each student's history.
    let group_moves = sqlx::query!(
        r#"SELECT course_id AS "course_id: Uuid", student_id AS "student_id: Uuid",
                  from_group AS "from_group?: Uuid", to_group AS "to_group?: Uuid",
                  moved_by AS "moved_by: Uuid", moved_at
           FROM group_moves ORDER BY seq"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| {
        Ok(GroupMove {
            course_id: CourseId(r.course_id),
            student_id: UserId(r.student_id),
            from_group: r.from_group.map(GroupId),
            to_group: r.to_group.map(GroupId),
            moved_by: UserId(r.moved_by),
            moved_at: from_ts("group move time", r.moved_at)?,
        })
    })
    .collect::<StorageResult<Vec<_>>>()?;
    let lessons = all(sqlx::query_as!(
        LessonRow,
        r#"SELECT id AS "id: _", course_id AS "course_id: _", title, body, position, publish_at,
                  published AS "published: _", attachments, created_at
           FROM lessons ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    let lesson_views = sqlx::query!(
        r#"SELECT lesson_id AS "lesson_id: Uuid", student_id AS "student_id: Uuid", viewed_at FROM lesson_views
           ORDER BY lesson_id, student_id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| {
        Ok(LessonViewRecord {
            lesson_id: LessonId(r.lesson_id),
            student_id: UserId(r.student_id),
            viewed_at: from_ts("lesson view time", r.viewed_at)?,
        })
    })
    .collect::<StorageResult<Vec<_>>>()?;
    let assignments = all(sqlx::query_as!(
        AssignmentRow,
        r#"SELECT id AS "id: _", course_id AS "course_id: _", title, instructions, attachments, opens_at, due_at,
                  cut_off_at, max_score, late_policy, submission_kind, file_limits, published AS "published: _",
                  created_at
           FROM assignments ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    let extensions = all(sqlx::query_as!(
        ExtensionRow,
        r#"SELECT assignment_id AS "assignment_id: _", student_id AS "student_id: _", due_at, cut_off_at,
                  granted_by AS "granted_by: _", granted_at
           FROM extensions ORDER BY assignment_id, student_id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    let submission_rows = sqlx::query_as!(
        SubmissionRow,
        r#"SELECT id AS "id: _", assignment_id AS "assignment_id: _", student_id AS "student_id: _", state,
                  raw_score, kept_percent, final_score, feedback, graded_by AS "graded_by: _", graded_at,
                  graded_version, rework_feedback, updated_at
           FROM submissions ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let version_rows = sqlx::query_as!(
        VersionRow,
        r#"SELECT id AS "id: _", submission_id AS "submission_id: _", number, text, files, submitted_at,
                  late AS "late: _", idempotency_key
           FROM submission_versions ORDER BY submission_id, number"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let submissions = assemble_submissions(submission_rows, version_rows)?;
    let grade_audit = all(sqlx::query_as!(
        AuditRow,
        r#"SELECT id AS "id: _", submission_id AS "submission_id: _", actor_id AS "actor_id: _", at, action,
                  feedback
           FROM grade_audit ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    // Author names are read with a thread, not stored.
    let comments = sqlx::query!(
        r#"SELECT id AS "id: Uuid", submission_id AS "submission_id: Uuid", author_id AS "author_id: Uuid", body,
                  created_at
           FROM submission_comments ORDER BY created_at, id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| {
        Ok(SubmissionComment {
            id: CommentId(r.id),
            submission_id: SubmissionId(r.submission_id),
            author_id: UserId(r.author_id),
            author_name: String::new(),
            body: RichText::from_stored(r.body),
            created_at: from_ts("comment time", r.created_at)?,
        })
    })
    .collect::<StorageResult<Vec<_>>>()?;
    let comment_reads = sqlx::query!(
        r#"SELECT submission_id AS "submission_id: Uuid", user_id AS "user_id: Uuid", read_at FROM comment_reads
           ORDER BY submission_id, user_id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| {
        Ok(CommentReadRecord {
            submission_id: SubmissionId(r.submission_id),
            user_id: UserId(r.user_id),
            read_at: from_ts("comment read time", r.read_at)?,
        })
    })
    .collect::<StorageResult<Vec<_>>>()?;
    let quizzes = all(sqlx::query_as!(
        QuizRow,
        r#"SELECT id AS "id: _", course_id AS "course_id: _", title, description, settings,
                  published AS "published: _", created_at
           FROM quizzes ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    let questions = all(sqlx::query_as!(
        QuestionRow,
        r#"SELECT id AS "id: _", quiz_id AS "quiz_id: _", position, prompt, points, body, explanation
           FROM questions ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    let attempts = all(sqlx::query_as!(
        AttemptRow,
        r#"SELECT id AS "id: _", quiz_id AS "quiz_id: _", student_id AS "student_id: _", number, seed,
                  question_order, started_at, deadline, state, answers, saved_at, finished_at, result, submit_key
           FROM attempts ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    let webinars = all(sqlx::query_as!(
        WebinarRow,
        r#"SELECT id AS "id: _", course_id AS "course_id: _", title, starts_at, duration_minutes, provider,
                  conference_id, join_url, host_url, state, created_by AS "created_by: _", created_at
           FROM webinars ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    let outbox = all(sqlx::query_as!(
        OutboxRow,
        r#"SELECT id AS "id: _", dedup_key, recipient_id AS "recipient_id: _", channel, notification, status,
                  attempts, next_attempt_at, lease_until, last_error, created_at, sent_at, read_at
           FROM outbox ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    let preferences = sqlx::query!(
        r#"SELECT user_id AS "user_id: Uuid", channels, quiet_from AS "quiet_from: NaiveTime",
                  quiet_to AS "quiet_to: NaiveTime"
           FROM notification_preferences ORDER BY user_id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| preferences_from(r.user_id, &r.channels, r.quiet_from, r.quiet_to))
    .collect::<StorageResult<Vec<_>>>()?;
    let telegram_chats = sqlx::query!(
        r#"SELECT user_id AS "user_id: Uuid", chat_id FROM telegram_chats ORDER BY user_id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| TelegramChatRecord {
        user_id: UserId(r.user_id),
        chat_id: r.chat_id,
    })
    .collect();
    let telegram_tokens = sqlx::query!(
        r#"SELECT token_hash, user_id AS "user_id: Uuid", expires_at FROM telegram_tokens ORDER BY token_hash"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| {
        Ok(TelegramLinkToken {
            token_hash: TokenHash(r.token_hash),
            user_id: UserId(r.user_id),
            expires_at: from_ts("telegram token expiry", r.expires_at)?,
        })
    })
    .collect::<StorageResult<Vec<_>>>()?;
    let achievements = all::<_, Achievement>(
        sqlx::query_as!(
            AchievementRow,
            r#"SELECT user_id AS "user_id: _", badge, course_id AS "course_id: _", awarded_at FROM achievements
               ORDER BY user_id, badge, course_id"#
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?,
    )?;
    let files = sqlx::query_as!(
        FileRow,
        r#"SELECT id AS "id: _", name, content_type, size, storage_key,
                  uploaded_by AS "uploaded_by: _", uploaded_at, lesson_id AS "lesson_id: _",
                  assignment_id AS "assignment_id: _", submission_id AS "submission_id: _",
                  course_id AS "course_id: _", quiz_id AS "quiz_id: _"
           FROM files ORDER BY uploaded_at, id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| {
        r.into_file()
            .map(|(file, owner)| FileRecord { file, owner })
    })
    .collect::<StorageResult<_>>()?;
    Ok(SchoolDump {
        users,
        sessions,
        courses,
        assistants,
        enrollments,
        groups,
        group_members,
        group_moves,
        lessons,
        lesson_views,
        assignments,
        extensions,
        submissions,
        grade_audit,
        comments,
        comment_reads,
        quizzes,
        questions,
        attempts,
        webinars,
        outbox,
        preferences,
        telegram_chats,
        telegram_tokens,
        achievements,
        files,
    })
}

/// Writes every row of `dump` (the caller holds the transaction).
async fn import(conn: &mut SqliteConnection, d: &SchoolDump) -> StorageResult<()> {
    for r in &d.users {
        let u = &r.user;
        sqlx::query!(
            "INSERT INTO users (id, email, display_name, role, locale, time_zone, active, created_at, password_hash,
                                feed_token_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            u.id.0,
            u.email.as_str(),
            u.display_name.as_str(),
            u.role.as_str(),
            u.locale.as_str(),
            u.time_zone.name(),
            u.active,
            ts(u.created_at),
            r.password_hash.as_ref().map(|p| p.0.as_str()),
            r.feed_token_hash.as_ref().map(|t| t.0.as_str()),
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for s in &d.sessions {
        sqlx::query!(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            s.token_hash.0,
            s.user_id.0,
            ts(s.created_at),
            ts(s.expires_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for c in &d.courses {
        sqlx::query!(
            "INSERT INTO courses (id, title, description, owner_id, status, invite_code, cover, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            c.id.0,
            c.title.as_str(),
            c.description.as_html(),
            c.owner_id.0,
            c.status.as_str(),
            c.invite_code.as_ref().map(|i| i.as_str()),
            c.cover.map(|v| v.as_str()),
            ts(c.created_at),
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for a in &d.assistants {
        sqlx::query!(
            "INSERT INTO course_assistants (course_id, user_id) VALUES ($1, $2)",
            a.course_id.0,
            a.user_id.0
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for e in &d.enrollments {
        sqlx::query!(
            "INSERT INTO enrollments (course_id, student_id, source, enrolled_at) VALUES ($1, $2, $3, $4)",
            e.course_id.0,
            e.student_id.0,
            source_str(e.source),
            ts(e.enrolled_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    // Groups after their courses and mentors' accounts, in dump order
    // (their seq follows it).
    for g in &d.groups {
        sqlx::query!(
            "INSERT INTO course_groups (id, course_id, name, invite_code, archived_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            g.id.0,
            g.course_id.0,
            g.name.as_str(),
            g.invite_code.as_ref().map(|i| i.as_str()),
            ts_opt(g.archived_at),
            ts(g.created_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
        insert_mentors(conn, g).await?;
    }
    // A student not enrolled, or a group of another course: NotFound.
    for m in &d.group_members {
        check_group_of(conn, m.course_id, Some(m.group_id)).await?;
        let done = sqlx::query!(
            "UPDATE enrollments SET group_id = $3 WHERE course_id = $1 AND student_id = $2",
            m.course_id.0,
            m.student_id.0,
            m.group_id.0
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
    }
    // In dump order: each student's history keeps its order.
    for m in &d.group_moves {
        insert_move(conn, m).await?;
    }
    for l in &d.lessons {
        let attachments = to_json(&l.attachments)?;
        sqlx::query!(
            "INSERT INTO lessons (id, course_id, title, body, position, publish_at, published, attachments,
                                  created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            l.id.0,
            l.course_id.0,
            l.title.as_str(),
            l.body.as_html(),
            i64::from(l.position),
            ts_opt(l.publish_at),
            l.published,
            attachments,
            ts(l.created_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for v in &d.lesson_views {
        sqlx::query!(
            "INSERT INTO lesson_views (lesson_id, student_id, viewed_at) VALUES ($1, $2, $3)",
            v.lesson_id.0,
            v.student_id.0,
            ts(v.viewed_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for a in &d.assignments {
        let (attachments, late_policy, file_limits) = (
            to_json(&a.attachments)?,
            to_json(&a.late_policy)?,
            to_json(&a.file_limits)?,
        );
        let kind = serde_json::to_value(a.submission_kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .ok_or_else(|| StorageError::Permanent("cannot encode submission kind".into()))?;
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
            kind,
            file_limits,
            a.published,
            ts(a.created_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for e in &d.extensions {
        sqlx::query!(
            "INSERT INTO extensions (assignment_id, student_id, due_at, cut_off_at, granted_by, granted_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            e.assignment_id.0,
            e.student_id.0,
            ts(e.due_at),
            ts_opt(e.cut_off_at),
            e.granted_by.0,
            ts(e.granted_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for s in &d.submissions {
        let latest_at = s
            .versions
            .iter()
            .map(|v| v.submitted_at)
            .max()
            .unwrap_or(s.updated_at);
        let g = s.grade.as_ref();
        sqlx::query!(
            "INSERT INTO submissions (id, assignment_id, student_id, state, raw_score, kept_percent, final_score,
                                      feedback, graded_by, graded_at, graded_version, rework_feedback, latest_at,
                                      updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            s.id.0,
            s.assignment_id.0,
            s.student_id.0,
            s.state.as_str(),
            g.map(|g| g.raw_score.value()),
            g.map(|g| i64::from(g.kept_percent)),
            g.map(|g| g.final_score.value()),
            g.map(|g| g.feedback.as_html().to_owned()),
            g.map(|g| g.graded_by.0),
            g.map(|g| ts(g.graded_at)),
            g.map(|g| i64::from(g.version)),
            s.rework_feedback.as_ref().map(|f| f.as_html().to_owned()),
            ts(latest_at),
            ts(s.updated_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
        for v in &s.versions {
            let files = to_json(&v.files)?;
            sqlx::query!(
                "INSERT INTO submission_versions (id, submission_id, number, text, files, submitted_at, late,
                                                  idempotency_key)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                v.id.0,
                s.id.0,
                i64::from(v.number),
                v.text.as_ref().map(RichText::as_html),
                files,
                ts(v.submitted_at),
                v.late,
                v.idempotency_key
            )
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
        }
    }
    for a in &d.grade_audit {
        let action = to_json(&a.action)?;
        sqlx::query!(
            "INSERT INTO grade_audit (id, submission_id, actor_id, at, action, feedback) VALUES ($1, $2, $3, $4, $5, $6)",
            a.id.0,
            a.submission_id.0,
            a.actor_id.0,
            ts(a.at),
            action,
            a.feedback.as_html()
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    // Author names are read with a thread, not stored.
    for c in &d.comments {
        sqlx::query!(
            "INSERT INTO submission_comments (id, submission_id, author_id, body, created_at)
             VALUES ($1, $2, $3, $4, $5)",
            c.id.0,
            c.submission_id.0,
            c.author_id.0,
            c.body.as_html(),
            ts(c.created_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for r in &d.comment_reads {
        sqlx::query!(
            "INSERT INTO comment_reads (submission_id, user_id, read_at) VALUES ($1, $2, $3)",
            r.submission_id.0,
            r.user_id.0,
            ts(r.read_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for q in &d.quizzes {
        let settings = to_json(&q.settings)?;
        sqlx::query!(
            "INSERT INTO quizzes (id, course_id, title, description, settings, published, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            q.id.0,
            q.course_id.0,
            q.title.as_str(),
            q.description.as_html(),
            settings,
            q.published,
            ts(q.created_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for q in &d.questions {
        let body = to_json(&q.body)?;
        sqlx::query!(
            "INSERT INTO questions (id, quiz_id, position, prompt, points, body, explanation)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            q.id.0,
            q.quiz_id.0,
            i64::from(q.position),
            q.prompt.as_html(),
            q.points.value(),
            body,
            q.explanation.as_ref().map(RichText::as_html)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for a in &d.attempts {
        let (order, answers) = (to_json(&a.question_order)?, to_json(&a.answers)?);
        let result = a.result.as_ref().map(to_json).transpose()?;
        sqlx::query!(
            "INSERT INTO attempts (id, quiz_id, student_id, number, seed, question_order, started_at, deadline,
                                   state, answers, saved_at, finished_at, result, submit_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            a.id.0,
            a.quiz_id.0,
            a.student_id.0,
            i64::from(a.number),
            seed_to_i64(a.seed),
            order,
            ts(a.started_at),
            ts_opt(a.deadline),
            state_str(a.state),
            answers,
            ts_opt(a.saved_at),
            ts_opt(a.finished_at),
            result,
            a.submit_key
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for w in &d.webinars {
        sqlx::query!(
            "INSERT INTO webinars (id, course_id, title, starts_at, duration_minutes, provider, conference_id,
                                   join_url, host_url, state, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            w.id.0,
            w.course_id.0,
            w.title.as_str(),
            ts(w.starts_at),
            i64::from(w.duration_minutes),
            w.provider.as_str(),
            w.conference_id,
            w.join_url,
            w.host_url,
            webinar_state_str(w.state),
            w.created_by.0,
            ts(w.created_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    // Delivered entries included; a duplicate key in the dump is an error,
    // not skipped.
    for e in &d.outbox {
        let notification = to_json(&e.notification)?;
        sqlx::query!(
            "INSERT INTO outbox (id, dedup_key, recipient_id, channel, notification, status, attempts,
                                 next_attempt_at, lease_until, last_error, created_at, sent_at, read_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            e.id.0,
            e.dedup_key.0,
            e.recipient_id.0,
            e.channel.as_str(),
            notification,
            e.status.as_str(),
            i64::from(e.attempts),
            ts(e.next_attempt_at),
            ts_opt(e.lease_until),
            e.last_error,
            ts(e.created_at),
            ts_opt(e.sent_at),
            ts_opt(e.read_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for p in &d.preferences {
        let channels = to_json(&p.channels)?;
        sqlx::query!(
            "INSERT INTO notification_preferences (user_id, channels, quiet_from, quiet_to) VALUES ($1, $2, $3, $4)",
            p.user_id.0,
            channels,
            p.quiet_hours.map(|q| q.from),
            p.quiet_hours.map(|q| q.to)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for t in &d.telegram_chats {
        sqlx::query!(
            "INSERT INTO telegram_chats (user_id, chat_id) VALUES ($1, $2)",
            t.user_id.0,
            t.chat_id
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for t in &d.telegram_tokens {
        sqlx::query!(
            "INSERT INTO telegram_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
            t.token_hash.0,
            t.user_id.0,
            ts(t.expires_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for a in &d.achievements {
        sqlx::query!(
            "INSERT INTO achievements (user_id, badge, course_id, awarded_at) VALUES ($1, $2, $3, $4)",
            a.user_id.0,
            a.badge.as_str(),
            a.course_id.map_or(Uuid::nil(), |c| c.0),
            ts(a.awarded_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for f in &d.files {
        insert_file(conn, &f.file, f.owner).await?;
    }
    Ok(())
}

#[async_trait]
impl SchoolTransfer for SqliteStorage {
    async fn export_school(&self) -> StorageResult<SchoolDump> {
        // A read transaction: in WAL mode every statement in it sees the
        // snapshot taken at its first read, whatever writers do meanwhile.
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let dump = export(&mut tx).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(dump)
    }

    async fn import_school(&self, dump: &SchoolDump) -> StorageResult<()> {
        let mut tx = self.write_tx().await?;
        let existing = sqlx::query!(r#"SELECT count(*) AS "n!: i64" FROM users"#)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        if existing.n > 0 {
            return Err(StorageError::Conflict(Conflict::Other));
        }
        // Dropping the transaction on an error rolls every row back.
        import(&mut tx, dump).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }
}
