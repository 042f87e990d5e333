//! The export: every table read in one snapshot.

use super::*;

#[allow(clippy::too_many_lines)]
pub(super) async fn export(conn: &mut PgConnection) -> StorageResult<SchoolDump> {
    let users = sqlx::query!(
        "SELECT id, email, display_name, role, locale, time_zone, active, created_at, password_hash, feed_token_hash
         FROM users ORDER BY created_at, id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| {
        Ok(UserRecord {
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
        })
    })
    .collect::<StorageResult<_>>()?;

    let sessions = sqlx::query!(
        "SELECT token_hash, user_id, created_at, expires_at FROM sessions ORDER BY created_at, token_hash"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| Session {
        token_hash: TokenHash(r.token_hash),
        user_id: UserId(r.user_id),
        created_at: r.created_at,
        expires_at: r.expires_at,
    })
    .collect();

    let courses = sqlx::query_as!(
        CourseRow,
        "SELECT id, title, description, owner_id, status, invite_code, cover, created_at FROM courses
         ORDER BY created_at, id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Course::try_from)
    .collect::<StorageResult<_>>()?;

    let assistants = sqlx::query!(
        "SELECT course_id, user_id FROM course_assistants ORDER BY course_id, user_id"
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

    let enrollments = sqlx::query!(
        "SELECT course_id, student_id, source, enrolled_at FROM enrollments
         ORDER BY enrolled_at, course_id, student_id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| {
        Ok(Enrollment {
            course_id: CourseId(r.course_id),
            student_id: UserId(r.student_id),
            source: source_parse(&r.source)?,
            enrolled_at: r.enrolled_at,
        })
    })
    .collect::<StorageResult<_>>()?;

    // In insertion order: imported in dump order, the groups keep the
    // tie-breaker of groups created at one instant.
    let groups = sqlx::query_as!(
        GroupRow,
        r#"SELECT g.id, g.course_id, g.name, g.invite_code,
                  ARRAY(SELECT m.user_id FROM group_mentors m WHERE m.group_id = g.id
                        ORDER BY m.position) AS "mentors!",
                  g.archived_at, g.created_at
           FROM course_groups g ORDER BY g.seq"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Group::try_from)
    .collect::<StorageResult<_>>()?;

    let group_members = sqlx::query!(
        r#"SELECT course_id, student_id, group_id AS "group_id!" FROM enrollments
           WHERE group_id IS NOT NULL ORDER BY enrolled_at, course_id, student_id"#
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
        "SELECT course_id, student_id, from_group, to_group, moved_by, moved_at FROM group_moves ORDER BY seq"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| GroupMove {
        course_id: CourseId(r.course_id),
        student_id: UserId(r.student_id),
        from_group: r.from_group.map(GroupId),
        to_group: r.to_group.map(GroupId),
        moved_by: UserId(r.moved_by),
        moved_at: r.moved_at,
    })
    .collect();

    let lessons = sqlx::query_as!(
        LessonRow,
        "SELECT id, course_id, title, body, position, publish_at, published, attachments, created_at
         FROM lessons ORDER BY course_id, position"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Lesson::try_from)
    .collect::<StorageResult<_>>()?;

    let lesson_views = sqlx::query!(
        "SELECT lesson_id, student_id, viewed_at FROM lesson_views ORDER BY viewed_at, lesson_id, student_id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| LessonViewRecord {
        lesson_id: LessonId(r.lesson_id),
        student_id: UserId(r.student_id),
        viewed_at: r.viewed_at,
    })
    .collect();

    let assignments = sqlx::query_as!(
        AssignmentRow,
        "SELECT id, course_id, title, instructions, attachments, opens_at, due_at, cut_off_at, max_score,
                late_policy, submission_kind, file_limits, published, created_at
         FROM assignments ORDER BY created_at, id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Assignment::try_from)
    .collect::<StorageResult<_>>()?;

    let extensions = sqlx::query_as!(
        ExtensionRow,
        "SELECT assignment_id, student_id, due_at, cut_off_at, granted_by, granted_at FROM extensions
         ORDER BY granted_at, assignment_id, student_id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Extension::from)
    .collect();

    let submission_ids: Vec<Uuid> =
        sqlx::query!("SELECT id FROM submissions ORDER BY latest_at, id")
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?
            .into_iter()
            .map(|r| r.id)
            .collect();
    let submissions = load_submissions(conn, &submission_ids).await?;

    let grade_audit = sqlx::query!(
        "SELECT id, submission_id, actor_id, at, action, feedback FROM grade_audit ORDER BY at, id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| {
        Ok(GradeAuditEntry {
            id: lms_core::ids::AuditId(r.id),
            submission_id: SubmissionId(r.submission_id),
            actor_id: UserId(r.actor_id),
            at: r.at,
            action: from_json("audit action", r.action)?,
            feedback: RichText::from_stored(r.feedback),
        })
    })
    .collect::<StorageResult<_>>()?;

    // Author names are read with a thread, not stored.
    let comments = sqlx::query!(
        "SELECT id, submission_id, author_id, body, files, created_at FROM submission_comments
         ORDER BY created_at, id"
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
            files: from_json("comment files", r.files)?,
            created_at: r.created_at,
        })
    })
    .collect::<StorageResult<_>>()?;

    let comment_reads = sqlx::query!(
        "SELECT submission_id, user_id, read_at FROM comment_reads
         ORDER BY read_at, submission_id, user_id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| CommentReadRecord {
        submission_id: SubmissionId(r.submission_id),
        user_id: UserId(r.user_id),
        read_at: r.read_at,
    })
    .collect();

    // Author names are read with an announcement, not stored.
    let announcements = sqlx::query_as!(
        AnnouncementRow,
        r#"SELECT n.id, n.course_id, n.author_id, ''::text AS "author_name!", n.title, n.body,
                  ARRAY(SELECT g.group_id FROM announcement_groups g WHERE g.announcement_id = n.id
                        ORDER BY g.group_id) AS "group_ids!",
                  n.created_at
           FROM announcements n ORDER BY n.created_at, n.id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Announcement::try_from)
    .collect::<StorageResult<_>>()?;

    let bank_questions = sqlx::query_as!(
        BankQuestionRow,
        "SELECT id, course_id, category, tags, prompt, points, body, explanation, version, author_id,
                created_at, updated_at
         FROM bank_questions ORDER BY created_at, id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(BankQuestion::try_from)
    .collect::<StorageResult<_>>()?;

    let quizzes = sqlx::query_as!(
        QuizRow,
        "SELECT id, course_id, title, description, settings, published, created_at FROM quizzes
         ORDER BY created_at, id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Quiz::try_from)
    .collect::<StorageResult<_>>()?;

    let questions = sqlx::query_as!(
        QuestionRow,
        "SELECT id, quiz_id, position, prompt, points, body, explanation FROM questions
         ORDER BY quiz_id, position"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Question::try_from)
    .collect::<StorageResult<_>>()?;

    let attempts = sqlx::query_as!(
        AttemptRow,
        "SELECT id, quiz_id, student_id, number, seed, question_order, drawn, started_at, deadline, state, answers,
                saved_at, finished_at, result, submit_key
         FROM attempts ORDER BY started_at, id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Attempt::try_from)
    .collect::<StorageResult<_>>()?;

    let webinars = sqlx::query_as!(
        WebinarRow,
        "SELECT id, course_id, title, starts_at, duration_minutes, provider, conference_id, join_url, host_url,
                state, created_by, created_at
         FROM webinars ORDER BY starts_at, id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Webinar::try_from)
    .collect::<StorageResult<_>>()?;

    let outbox = sqlx::query_as!(
        OutboxRow,
        "SELECT id, dedup_key, recipient_id, channel, notification, status, attempts, next_attempt_at,
                lease_until, last_error, created_at, sent_at, read_at
         FROM outbox ORDER BY created_at, id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(OutboxEntry::try_from)
    .collect::<StorageResult<_>>()?;

    let preferences = sqlx::query!(
        "SELECT user_id, channels, quiet_from, quiet_to FROM notification_preferences ORDER BY user_id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| preferences_from(r.user_id, r.channels, r.quiet_from, r.quiet_to))
    .collect::<StorageResult<_>>()?;

    let telegram_chats =
        sqlx::query!("SELECT user_id, chat_id FROM telegram_chats ORDER BY user_id")
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
        "SELECT token_hash, user_id, expires_at FROM telegram_tokens ORDER BY token_hash"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| TelegramLinkToken {
        token_hash: TokenHash(r.token_hash),
        user_id: UserId(r.user_id),
        expires_at: r.expires_at,
    })
    .collect();

    let achievements = sqlx::query!(
        "SELECT user_id, badge, course_id, awarded_at FROM achievements
         ORDER BY awarded_at, user_id, badge, course_id"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| achievement_from(r.user_id, &r.badge, r.course_id, r.awarded_at))
    .collect::<StorageResult<_>>()?;

    let files = sqlx::query_as!(
        FileRow,
        "SELECT id, name, content_type, size, storage_key, uploaded_by, uploaded_at,
                lesson_id, assignment_id, submission_id, course_id, quiz_id
         FROM files ORDER BY uploaded_at, id"
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
        announcements,
        bank_questions,
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

// ---- import ----------------------------------------------------------------
