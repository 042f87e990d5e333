//! The import: every row written in the caller's transaction, parents
//! before children.

use super::*;

/// Writes every row of `dump` (the caller holds the transaction).
pub(super) async fn import(conn: &mut SqliteConnection, d: &SchoolDump) -> StorageResult<()> {
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
        let files = to_json(&c.files)?;
        sqlx::query!(
            "INSERT INTO submission_comments (id, submission_id, author_id, body, files, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            c.id.0,
            c.submission_id.0,
            c.author_id.0,
            c.body.as_html(),
            files,
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
    // After the courses, the authors' accounts and the groups; author names
    // are read with an announcement, not stored.
    for a in &d.announcements {
        insert_announcement(conn, a).await?;
    }
    // After the courses and the authors' accounts; the search form of each
    // prompt is written beside it.
    for q in &d.bank_questions {
        insert_bank_row(conn, q).await?;
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
        let drawn = to_json(&a.drawn)?;
        let result = a.result.as_ref().map(to_json).transpose()?;
        sqlx::query!(
            "INSERT INTO attempts (id, quiz_id, student_id, number, seed, question_order, started_at, deadline,
                                   state, answers, saved_at, finished_at, result, submit_key, drawn)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
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
            a.submit_key,
            drawn
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
