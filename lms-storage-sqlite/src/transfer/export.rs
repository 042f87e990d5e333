//! The export: every table read in one snapshot.

use super::*;

fn all<R, T>(rows: Vec<R>) -> StorageResult<Vec<T>>
where
    T: TryFrom<R, Error = StorageError>,
{
    rows.into_iter().map(T::try_from).collect()
}

pub(super) async fn export(conn: &mut SqliteConnection) -> StorageResult<SchoolDump> {
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
                  files, created_at
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
            files: from_json("comment files", &r.files)?,
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
    // Author names are read with an announcement, not stored.
    let announcements: Vec<Announcement> = all(sqlx::query_as!(
        AnnouncementRow,
        r#"SELECT n.id AS "id: _", n.course_id AS "course_id: _", n.author_id AS "author_id: _",
                  '' AS "author_name!: String", n.title, n.body,
                  (SELECT json_group_array(hex(g.group_id) ORDER BY g.group_id)
                   FROM announcement_groups g WHERE g.announcement_id = n.id) AS "group_ids!: String",
                  n.created_at
           FROM announcements n ORDER BY n.created_at, n.id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
    let bank_questions = all(sqlx::query_as!(
        BankQuestionRow,
        r#"SELECT id AS "id: _", course_id AS "course_id: _", category, tags, prompt, points, body,
                  explanation, version, author_id AS "author_id: _", created_at, updated_at
           FROM bank_questions ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?)?;
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
                  question_order, drawn, started_at, deadline, state, answers, saved_at, finished_at, result, submit_key
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
