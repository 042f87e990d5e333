//! The school every transfer check moves: built through the ports with
//! every kind of row and the states that are easy to lose.

use super::*;

/// A school built through the ports: what an export must contain, and the
/// handles the checks probe a storage with after an import.
pub(super) struct School {
    /// Every row, as the ports stored it.
    pub(super) expected: SchoolDump,
    pub(super) teacher: User,
    pub(super) assistant: User,
    pub(super) student: User,
    pub(super) second: User,
    pub(super) course: Course,
    /// The course's groups in the order created (both at one instant); the
    /// assistant mentors the first, the student is in it.
    pub(super) group_order: Vec<GroupId>,
    /// The student's moves between the groups, in the order made.
    pub(super) group_history: Vec<GroupMove>,
    /// Lesson ids in their (reordered) course order.
    pub(super) lesson_order: Vec<LessonId>,
    pub(super) assignment: Assignment,
    pub(super) quiz: Quiz,
    pub(super) questions: Vec<Question>,
    /// The outbox entry a worker holds, and until when.
    pub(super) leased: (OutboxId, chrono::DateTime<chrono::Utc>),
    /// The Telegram link token of `second` (plain text; only its hash is stored).
    pub(super) telegram_token: String,
    pub(super) chat_id: i64,
}

pub(super) fn feed_token(u: &User) -> TokenHash {
    TokenHash::of(&format!("feed-{}", u.id))
}

pub(super) fn record(
    u: &User,
    password: Option<PasswordHash>,
    feed: Option<TokenHash>,
) -> UserRecord {
    UserRecord {
        user: u.clone(),
        password_hash: password,
        feed_token_hash: feed,
    }
}

/// Stores a user with a password and a calendar-feed token.
pub(super) async fn add_account(storage: &Storage, u: &User, tag: &str) -> UserRecord {
    let password = password_hash(tag);
    ok(
        storage.users.insert_user(u, Some(password.clone())).await,
        "insert user",
    );
    ok(
        storage.users.set_feed_token(u.id, &feed_token(u)).await,
        "set feed token",
    );
    record(u, Some(password), Some(feed_token(u)))
}

pub(super) fn session(u: UserId, tag: &str) -> Session {
    Session {
        token_hash: TokenHash::of(&format!("session-{tag}-{u}")),
        user_id: u,
        created_at: at(-60),
        expires_at: day(30),
    }
}

pub(super) fn stored(outcome: HandInOutcome) -> Submission {
    match outcome {
        HandInOutcome::Stored(s) => s,
        HandInOutcome::Duplicate(s) => panic!("a fresh hand-in was taken as a duplicate: {s:?}"),
    }
}

/// Builds a realistic school in `storage` through the ports.
#[allow(clippy::too_many_lines)]
pub(super) async fn build_school(storage: &Storage) -> School {
    let mut x = SchoolDump::default();

    // ---- users of every role, with and without credentials
    let admin = User {
        locale: Locale::En,
        time_zone: TimeZone::parse("Asia/Yekaterinburg").expect("valid zone"),
        ..user(Role::Admin)
    };
    let teacher = user(Role::Teacher);
    let assistant = user(Role::Assistant);
    let student = user(Role::Student);
    let second = User {
        time_zone: TimeZone::parse("Asia/Vladivostok").expect("valid zone"),
        ..user(Role::Student)
    };
    let former = user(Role::Student);
    x.users.push(add_account(storage, &admin, "admin").await);
    x.users
        .push(add_account(storage, &teacher, "teacher").await);
    x.users
        .push(add_account(storage, &assistant, "assistant").await);
    x.users
        .push(add_account(storage, &student, "student").await);
    ok(
        storage.users.insert_user(&second, None).await,
        "insert user",
    );
    x.users.push(record(&second, None, None));
    ok(
        storage.users.insert_user(&former, None).await,
        "insert user",
    );
    let former = User {
        active: false,
        ..former
    };
    ok(storage.users.update_user(&former).await, "deactivate user");
    x.users.push(record(&former, None, None));

    for s in [session(teacher.id, "a"), session(student.id, "b")] {
        ok(storage.sessions.insert_session(&s).await, "insert session");
        x.sessions.push(s);
    }

    // ---- courses, staff and students
    let course = Course {
        id: CourseId::new(),
        title: Title::parse("Алгебра, 9 класс").expect("valid title"),
        description: RichText::sanitize("<p>Подготовка к <strong>ОГЭ</strong></p>"),
        owner_id: teacher.id,
        status: CourseStatus::Published,
        invite_code: Some(InviteCode::generate()),
        cover: Some(CourseCover::Exam),
        created_at: at(-120),
    };
    let draft = Course {
        id: CourseId::new(),
        title: Title::parse("Геометрия (черновик)").expect("valid title"),
        status: CourseStatus::Draft,
        invite_code: None,
        cover: None,
        created_at: at(-30),
        ..course.clone()
    };
    for c in [&course, &draft] {
        ok(storage.courses.insert_course(c).await, "insert course");
        x.courses.push(c.clone());
    }
    ok(
        storage.courses.add_assistant(course.id, assistant.id).await,
        "add assistant",
    );
    x.assistants.push(AssistantRecord {
        course_id: course.id,
        user_id: assistant.id,
    });
    for (who, source, when) in [
        (&student, EnrollmentSource::Staff, at(-100)),
        (&second, EnrollmentSource::InviteCode, at(-90)),
        (&former, EnrollmentSource::InviteCode, at(-80)),
    ] {
        let e = Enrollment {
            course_id: course.id,
            student_id: who.id,
            source,
            enrolled_at: when,
        };
        ok(storage.courses.enroll(&e).await, "enrol");
        x.enrollments.push(e);
    }

    // ---- groups created at one instant: the assistant mentors the first;
    // the student moved through the second (archived since) into the first
    let group = |name: &str, mentors: Vec<UserId>, invite_code: Option<InviteCode>| Group {
        id: GroupId::new(),
        course_id: course.id,
        name: GroupName::parse(name).expect("valid name"),
        invite_code,
        mentors,
        archived_at: None,
        created_at: at(-75),
    };
    let morning = group(
        "Утренняя группа",
        vec![assistant.id],
        Some(InviteCode::generate()),
    );
    let evening = group("Вечерняя группа", Vec::new(), None);
    for g in [&morning, &evening] {
        ok(storage.groups.insert_group(g).await, "insert group");
    }
    let group_history = vec![
        GroupMove {
            course_id: course.id,
            student_id: student.id,
            from_group: None,
            to_group: Some(evening.id),
            moved_by: teacher.id,
            moved_at: at(-70),
        },
        GroupMove {
            course_id: course.id,
            student_id: student.id,
            from_group: Some(evening.id),
            to_group: Some(morning.id),
            moved_by: teacher.id,
            moved_at: at(-60),
        },
    ];
    for m in &group_history {
        ok(storage.groups.move_student(m).await, "move student");
    }
    let evening = Group {
        archived_at: Some(at(-50)),
        ..evening
    };
    ok(storage.groups.update_group(&evening).await, "archive group");
    let group_order = vec![morning.id, evening.id];
    x.group_members.push(GroupMemberRecord {
        course_id: course.id,
        student_id: student.id,
        group_id: morning.id,
    });
    x.groups.extend([morning, evening]);
    x.group_moves.extend(group_history.iter().cloned());

    // ---- lessons, reordered, and views
    let mut lessons = Vec::new();
    for (i, title) in ["Дроби", "Уравнения", "Неравенства"]
        .into_iter()
        .enumerate()
    {
        let l = Lesson {
            id: LessonId::new(),
            course_id: course.id,
            title: Title::parse(title).expect("valid title"),
            body: RichText::sanitize("<h2>Теория</h2><ul><li>пример</li></ul>"),
            position: 0,
            publish_at: (i == 2).then(|| day(3)),
            // The last one is a draft: the flag must travel too.
            published: i != 2,
            attachments: if i == 1 {
                vec![file_ref(teacher.id, "конспект.pdf")]
            } else {
                Vec::new()
            },
            created_at: at(-50),
        };
        lessons.push(ok(storage.courses.insert_lesson(&l).await, "insert lesson"));
    }
    let lesson_order = vec![lessons[2].id, lessons[0].id, lessons[1].id];
    ok(
        storage
            .courses
            .reorder_lessons(course.id, &lesson_order)
            .await,
        "reorder lessons",
    );
    for l in &mut lessons {
        l.position = u32::try_from(
            lesson_order
                .iter()
                .position(|id| *id == l.id)
                .expect("every lesson is ordered"),
        )
        .expect("few lessons");
    }
    x.lessons.extend(lessons.iter().cloned());
    for (lesson, who, when) in [
        (lessons[0].id, &student, at(10)),
        (lessons[1].id, &student, at(20)),
        (lessons[0].id, &second, at(30)),
    ] {
        ok(
            storage
                .courses
                .mark_lesson_viewed(lesson, who.id, when)
                .await,
            "view lesson",
        );
        x.lesson_views.push(LessonViewRecord {
            lesson_id: lesson,
            student_id: who.id,
            viewed_at: when,
        });
    }

    // ---- homework: an assignment with an extension, a graded submission
    // with two versions and a late pending one
    let assignment = Assignment {
        id: crate::ids::AssignmentId::new(),
        course_id: course.id,
        title: Title::parse("Домашнее задание 1").expect("valid title"),
        instructions: RichText::sanitize("<p>Решите задачи 1–5</p>"),
        attachments: vec![file_ref(teacher.id, "задачи.pdf")],
        opens_at: day(0),
        due_at: day(7),
        cut_off_at: Some(day(10)),
        max_score: points(10.0),
        late_policy: LatePolicy::PercentPerDay {
            percent_per_day: 10,
            floor_percent: 50,
        },
        submission_kind: SubmissionKind::TextAndFiles,
        file_limits: crate::file::FileLimits::default(),
        published: true,
        created_at: at(-40),
    };
    let announced: Vec<OutboxEntry> = [&student, &second]
        .into_iter()
        .map(|s| {
            OutboxEntry::new(
                s.id,
                Channel::Email,
                &format!("new_assignment:{}", assignment.id),
                Notification::NewAssignment {
                    course_id: course.id,
                    course_title: course.title.as_str().to_owned(),
                    assignment_id: assignment.id,
                    title: assignment.title.as_str().to_owned(),
                    due_at: assignment.due_at,
                },
                day(20),
            )
        })
        .collect();
    ok(
        storage
            .homework
            .insert_assignment(&assignment, &announced)
            .await,
        "insert assignment",
    );
    x.assignments.push(assignment.clone());
    x.outbox.extend(announced);
    let unpublished = Assignment {
        id: crate::ids::AssignmentId::new(),
        title: Title::parse("Домашнее задание 2").expect("valid title"),
        attachments: Vec::new(),
        cut_off_at: None,
        late_policy: LatePolicy::NoPenalty,
        submission_kind: SubmissionKind::Text,
        published: false,
        due_at: day(14),
        ..assignment.clone()
    };
    ok(
        storage.homework.insert_assignment(&unpublished, &[]).await,
        "insert assignment",
    );
    x.assignments.push(unpublished);
    let extension = Extension {
        assignment_id: assignment.id,
        student_id: second.id,
        due_at: day(9),
        cut_off_at: Some(day(11)),
        granted_by: teacher.id,
        granted_at: day(1),
    };
    ok(
        storage.homework.upsert_extension(&extension).await,
        "grant extension",
    );
    x.extensions.push(extension);

    let first = stored(ok(
        storage
            .homework
            .hand_in(&hand_in(&assignment, student.id, day(5), Some("key-1")))
            .await,
        "first hand-in",
    ));
    let returned = return_review(first.id, 1, teacher.id, day(5) + chrono::Duration::hours(2));
    ok(
        storage.homework.review(&returned).await,
        "return for rework",
    );
    let mut again = hand_in(&assignment, student.id, day(6), Some("key-2"));
    again.version.files = vec![file_ref(student.id, "решение.pdf")];
    // Uploaded first; handing in makes it the submission's.
    ok(
        storage
            .files
            .insert(&again.version.files[0], FileOwner::Unattached)
            .await,
        "register an upload",
    );
    let _ = stored(ok(storage.homework.hand_in(&again).await, "second hand-in"));
    let graded = grade_review(
        first.id,
        2,
        assistant.id,
        day(6) + chrono::Duration::hours(3),
        8.5,
    );
    let submission = ok(storage.homework.review(&graded).await, "grade");
    assert_eq!(
        (submission.versions.len(), submission.state),
        (2, SubmissionState::Graded),
        "the fixture submission is graded with two versions"
    );
    x.submissions.push(submission);
    x.grade_audit.push(returned.audit);
    x.grade_audit.push(graded.audit);
    let late = stored(ok(
        storage
            .homework
            .hand_in(&hand_in(&assignment, second.id, day(8), None))
            .await,
        "late hand-in",
    ));
    x.submissions.push(late);

    // ---- a quiz with a finished and an open attempt, and an auto-submitted one
    let mut q = quiz(course.id, at(-20));
    q.settings.attempts_allowed = Some(3);
    q.settings.time_limit_minutes = Some(30);
    q.settings.shuffle_questions = true;
    ok(storage.quizzes.insert_quiz(&q).await, "insert quiz");
    x.quizzes.push(q.clone());
    let mut questions = Vec::new();
    for question in [
        true_false_question(q.id, true),
        single_choice_question(q.id),
    ] {
        questions.push(ok(
            storage.quizzes.insert_question(&question).await,
            "insert question",
        ));
    }
    ok(
        storage
            .quizzes
            .reorder_questions(q.id, &[questions[1].id, questions[0].id])
            .await,
        "reorder questions",
    );
    questions[0].position = 1;
    questions[1].position = 0;
    x.questions.extend(questions.iter().cloned());
    let QuestionBody::SingleChoice { correct, .. } = &questions[1].body else {
        unreachable!("the second fixture question is single choice")
    };
    let answers = BTreeMap::from([
        (questions[0].id, Answer::TrueFalse(true)),
        (questions[1].id, Answer::SingleChoice(*correct)),
    ]);
    let result = AttemptResult {
        per_question: BTreeMap::from([
            (questions[0].id, QuestionScore::Scored(points(1.0))),
            (questions[1].id, QuestionScore::Scored(points(2.0))),
        ]),
        score: points(3.0),
        max_score: points(3.0),
        pending_manual: false,
    };
    let start = |who: &User, started: i64| Attempt {
        id: crate::ids::AttemptId::new(),
        quiz_id: q.id,
        student_id: who.id,
        number: 0,
        seed: u64::MAX - 7,
        question_order: vec![questions[1].id, questions[0].id],
        started_at: at(started),
        deadline: Some(at(started + 30)),
        state: AttemptState::Open,
        answers: BTreeMap::new(),
        saved_at: None,
        finished_at: None,
        result: None,
        submit_key: None,
    };
    let a1 = ok(
        storage
            .quizzes
            .start_attempt(&start(&student, 100), Some(3))
            .await,
        "start attempt",
    );
    ok(
        storage.quizzes.save_answers(a1.id, &answers, at(110)).await,
        "save answers",
    );
    let a1 = ok(
        storage
            .quizzes
            .finish_attempt(&FinishAttempt {
                attempt_id: a1.id,
                state: AttemptState::Submitted,
                finished_at: at(115),
                result: result.clone(),
                submit_key: Some(format!("submit-{}", a1.id)),
                expected_saved_at: Some(at(110)),
                outbox: Vec::new(),
                awards: vec![award(student.id, Badge::PerfectQuiz, course.id, at(115))],
            })
            .await,
        "finish attempt",
    );
    let a2 = ok(
        storage
            .quizzes
            .start_attempt(&start(&student, 200), Some(3))
            .await,
        "start second attempt",
    );
    let a2 = ok(
        storage
            .quizzes
            .save_answers(
                a2.id,
                &BTreeMap::from([(questions[0].id, Answer::TrueFalse(false))]),
                at(205),
            )
            .await,
        "save answers",
    );
    let b1 = ok(
        storage
            .quizzes
            .start_attempt(&start(&second, 300), Some(3))
            .await,
        "start attempt",
    );
    let b1 = ok(
        storage
            .quizzes
            .finish_attempt(&FinishAttempt {
                attempt_id: b1.id,
                state: AttemptState::AutoSubmitted,
                finished_at: at(331),
                result: AttemptResult {
                    per_question: BTreeMap::new(),
                    score: points(0.0),
                    max_score: points(3.0),
                    pending_manual: false,
                },
                submit_key: None,
                expected_saved_at: None,
                outbox: Vec::new(),
                awards: Vec::new(),
            })
            .await,
        "auto-submit attempt",
    );
    assert_eq!(
        (a1.number, a2.number, b1.number),
        (1, 2, 1),
        "attempts are numbered per student"
    );
    x.attempts.extend([a1, a2, b1]);
    x.achievements
        .push(award(student.id, Badge::PerfectQuiz, course.id, at(115)));

    // ---- webinars: one scheduled, one cancelled
    let scheduled = webinar(course.id, teacher.id, day(2));
    ok(
        storage.webinars.insert_webinar(&scheduled, &[]).await,
        "insert webinar",
    );
    let cancelled = webinar(course.id, teacher.id, day(4));
    ok(
        storage.webinars.insert_webinar(&cancelled, &[]).await,
        "insert webinar",
    );
    let cancelled = crate::webinar::Webinar {
        state: WebinarState::Cancelled,
        host_url: None,
        ..cancelled
    };
    ok(
        storage.webinars.update_webinar(&cancelled, &[]).await,
        "cancel webinar",
    );
    x.webinars.extend([scheduled, cancelled]);

    // ---- the outbox in every state: sent, failed, leased, backed off, waiting
    let note = |to: &User, event: &str, channel: Channel, due| {
        OutboxEntry::new(
            to.id,
            channel,
            event,
            Notification::NewAssignment {
                course_id: course.id,
                course_title: course.title.as_str().to_owned(),
                assignment_id: assignment.id,
                title: assignment.title.as_str().to_owned(),
                due_at: assignment.due_at,
            },
            due,
        )
    };
    let mut sent = note(&student, "sent", Channel::Email, at(-10));
    let mut failed = note(&second, "failed", Channel::Email, at(-9));
    let mut leased = note(&student, "leased", Channel::Telegram, at(-8));
    let mut retried = note(&teacher, "retried", Channel::Email, at(-7));
    let waiting = note(&second, "waiting", Channel::Telegram, day(30));
    let batch = [
        sent.clone(),
        failed.clone(),
        leased.clone(),
        retried.clone(),
        waiting.clone(),
    ];
    assert_eq!(
        ok(storage.notifications.enqueue(&batch).await, "enqueue"),
        5,
        "every fixture entry is new"
    );
    let lease_until = at(6);
    let claimed = ok(
        storage
            .notifications
            .claim_due(at(1), 10, lease_until)
            .await,
        "claim",
    );
    assert_eq!(
        claimed.len(),
        4,
        "the four due entries are claimed: {claimed:?}"
    );
    ok(
        storage
            .notifications
            .mark_sent(sent.id, lease_until, at(2))
            .await,
        "mark sent",
    );
    ok(
        storage
            .notifications
            .mark_failed(failed.id, lease_until, "550 mailbox unavailable")
            .await,
        "mark failed",
    );
    ok(
        storage
            .notifications
            .mark_retry(retried.id, lease_until, at(30), "connection timed out")
            .await,
        "mark retry",
    );
    for e in [&mut sent, &mut failed, &mut leased, &mut retried] {
        e.attempts = 1;
    }
    sent.status = OutboxStatus::Sent;
    sent.sent_at = Some(at(2));
    failed.status = OutboxStatus::Failed;
    failed.last_error = Some("550 mailbox unavailable".to_owned());
    leased.lease_until = Some(lease_until);
    retried.next_attempt_at = at(30);
    retried.last_error = Some("connection timed out".to_owned());
    let leased_id = leased.id;
    x.outbox.extend([sent, failed, leased, retried, waiting]);

    // ---- preferences, Telegram, badges
    let prefs = NotificationPreferences {
        user_id: student.id,
        channels: BTreeMap::from([
            (NotificationKind::HomeworkGraded, vec![Channel::Telegram]),
            (
                NotificationKind::WebinarReminder,
                vec![Channel::Email, Channel::Telegram],
            ),
            (NotificationKind::NewAssignment, Vec::new()),
        ]),
        quiet_hours: Some(QuietHours {
            from: NaiveTime::from_hms_opt(22, 0, 0).expect("valid time"),
            to: NaiveTime::from_hms_opt(8, 30, 0).expect("valid time"),
        }),
    };
    ok(
        storage.notifications.set_preferences(&prefs).await,
        "set preferences",
    );
    x.preferences.push(prefs);
    let chat_id = 4_242_424_242;
    ok(
        storage
            .notifications
            .set_telegram_chat(student.id, Some(chat_id))
            .await,
        "link Telegram",
    );
    x.telegram_chats.push(TelegramChatRecord {
        user_id: student.id,
        chat_id,
    });
    let telegram_token = format!("tg-{}", second.id);
    let token = TelegramLinkToken {
        token_hash: TokenHash::of(&telegram_token),
        user_id: second.id,
        expires_at: day(1),
    };
    ok(
        storage.notifications.insert_telegram_token(&token).await,
        "insert Telegram token",
    );
    x.telegram_tokens.push(token);
    for a in [
        award(student.id, Badge::FirstHomework, course.id, day(5)),
        award(student.id, Badge::CourseCompleted, course.id, day(6)),
        award(second.id, Badge::FirstHomework, course.id, day(8)),
    ] {
        assert!(
            ok(storage.achievements.award(&a).await, "award"),
            "a new badge"
        );
        x.achievements.push(a);
    }

    // ---- the file registry: attached to a lesson, an assignment and a
    // submission, and one upload never attached
    let lesson_file = lessons[1].attachments[0].clone();
    ok(
        storage
            .files
            .insert(&lesson_file, FileOwner::Lesson(lessons[1].id))
            .await,
        "register a lesson file",
    );
    let assignment_file = assignment.attachments[0].clone();
    ok(
        storage
            .files
            .insert(&assignment_file, FileOwner::Assignment(assignment.id))
            .await,
        "register an assignment file",
    );
    let submission_file = again.version.files[0].clone();
    let mut orphan = file_ref(second.id, "черновик.docx");
    orphan.uploaded_at = day(8);
    orphan.size = 0;
    ok(
        storage.files.insert(&orphan, FileOwner::Unattached).await,
        "register an orphan",
    );
    // Pictures of the course's description and of the quiz.
    let cover_picture = file_ref(teacher.id, "обложка.png");
    ok(
        storage
            .files
            .insert(&cover_picture, FileOwner::Course(course.id))
            .await,
        "register a course picture",
    );
    let quiz_picture = file_ref(teacher.id, "график.png");
    ok(
        storage
            .files
            .insert(&quiz_picture, FileOwner::Quiz(q.id))
            .await,
        "register a quiz picture",
    );
    x.files.extend([
        FileRecord {
            file: cover_picture,
            owner: FileOwner::Course(course.id),
        },
        FileRecord {
            file: quiz_picture,
            owner: FileOwner::Quiz(q.id),
        },
        FileRecord {
            file: lesson_file,
            owner: FileOwner::Lesson(lessons[1].id),
        },
        FileRecord {
            file: assignment_file,
            owner: FileOwner::Assignment(assignment.id),
        },
        FileRecord {
            file: submission_file,
            owner: FileOwner::Submission(first.id),
        },
        FileRecord {
            file: orphan,
            owner: FileOwner::Unattached,
        },
    ]);

    x.normalize();
    School {
        expected: x,
        teacher,
        assistant,
        student,
        second,
        course,
        group_order,
        group_history,
        lesson_order,
        assignment,
        quiz: q,
        questions,
        leased: (leased_id, lease_until),
        telegram_token,
        chat_id,
    }
}

/// Fills `storage` (fresh and empty) with a realistic school through the
/// ports and returns, normalized, the dump an export of it must produce.
pub async fn populate_school(storage: &Storage) -> SchoolDump {
    build_school(storage).await.expected
}
