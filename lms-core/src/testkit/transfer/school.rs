//! The school every transfer check moves: built through the ports with
//! every kind of row and the states that are easy to lose.

use super::*;

use super::school_groups::add_groups;
use super::school_notifications::{add_outbox, add_preferences_and_telegram};
use super::school_quiz::add_quiz;

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

    // ---- groups (see `school_groups`)
    let (group_order, group_history) =
        add_groups(storage, &mut x, &course, &teacher, &assistant, &student).await;

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

    // ---- a quiz (see `school_quiz`)
    let (q, questions) = add_quiz(storage, &mut x, &course, &student, &second).await;

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

    // ---- the outbox in every state, preferences and Telegram (see
    // `school_notifications`)
    let leased = add_outbox(
        storage,
        &mut x,
        &course,
        &assignment,
        &teacher,
        &student,
        &second,
    )
    .await;
    let (telegram_token, chat_id) =
        add_preferences_and_telegram(storage, &mut x, &student, &second).await;

    // ---- badges
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
        leased,
        telegram_token,
        chat_id,
    }
}

/// Fills `storage` (fresh and empty) with a realistic school through the
/// ports and returns, normalized, the dump an export of it must produce.
pub async fn populate_school(storage: &Storage) -> SchoolDump {
    build_school(storage).await.expected
}
