//! Checks of [`SchoolTransfer`]: moving a whole school from one storage to
//! another loses nothing and changes nothing.
//!
//! Each check is an `async fn` taking the storages involved, both as
//! [`Storage`] (the ports, to fill and probe them) and as `&dyn
//! SchoolTransfer`; every storage must be **fresh and empty**. An adapter
//! runs them from its own tests, pairing itself with the in-memory storage
//! and with itself:
//!
//! ```ignore
//! #[tokio::test]
//! async fn memory_to_postgres() {
//!     let memory = MemoryStorage::new();
//!     let pg = fresh_pg().await;
//!     lms_core::testkit::transfer::round_trip(
//!         Storage::from_adapter(memory.clone()), &*memory,
//!         pg.storage(), &pg,
//!     ).await;
//! }
//! ```
//!
//! The school is built through the ports (see [`populate_school`]) with every
//! kind of row and the states that are easy to lose: reordered lessons,
//! two submission versions with a grade and audit entries, a finished and an
//! open attempt, outbox entries that are sent, failed, backed off and leased.

use std::collections::BTreeMap;
use std::fmt::Debug;

use chrono::NaiveTime;

use super::conformance::fixtures::{
    at, award, day, file_ref, grade_review, hand_in, ok, password_hash, points, quiz,
    return_review, single_choice_question, true_false_question, user, webinar,
};
use crate::achievement::{Achievement, Badge};
use crate::course::{
    Course, CourseCover, CourseRole, CourseStatus, Enrollment, EnrollmentSource, InviteCode,
    Lesson, Title,
};
use crate::error::{Conflict, StorageError};
use crate::file::FileOwner;
use crate::homework::{
    Assignment, Extension, HandInOutcome, LatePolicy, Submission, SubmissionKind, SubmissionState,
};
use crate::ids::{CourseId, LessonId, OutboxId, UserId};
use crate::notification::{
    Channel, Notification, NotificationKind, NotificationPreferences, OutboxEntry, OutboxStatus,
    QuietHours, TelegramLinkToken,
};
use crate::page::Page;
use crate::ports::Storage;
use crate::quiz::{
    Answer, Attempt, AttemptResult, AttemptState, FinishAttempt, Question, QuestionBody,
    QuestionScore, Quiz,
};
use crate::richtext::RichText;
use crate::testkit::memory::MemoryStorage;
use crate::transfer::{
    AssistantRecord, FileRecord, LessonViewRecord, SchoolDump, SchoolTransfer, TelegramChatRecord,
    UserRecord,
};
use crate::user::{Locale, PasswordHash, Role, Session, TimeZone, TokenHash, User};
use crate::webinar::WebinarState;

/// A school built through the ports: what an export must contain, and the
/// handles the checks probe a storage with after an import.
struct School {
    /// Every row, as the ports stored it.
    expected: SchoolDump,
    teacher: User,
    assistant: User,
    student: User,
    second: User,
    course: Course,
    /// Lesson ids in their (reordered) course order.
    lesson_order: Vec<LessonId>,
    assignment: Assignment,
    quiz: Quiz,
    questions: Vec<Question>,
    /// The outbox entry a worker holds, and until when.
    leased: (OutboxId, chrono::DateTime<chrono::Utc>),
    /// The Telegram link token of `second` (plain text; only its hash is stored).
    telegram_token: String,
    chat_id: i64,
}

fn feed_token(u: &User) -> TokenHash {
    TokenHash::of(&format!("feed-{}", u.id))
}

fn record(u: &User, password: Option<PasswordHash>, feed: Option<TokenHash>) -> UserRecord {
    UserRecord {
        user: u.clone(),
        password_hash: password,
        feed_token_hash: feed,
    }
}

/// Stores a user with a password and a calendar-feed token.
async fn add_account(storage: &Storage, u: &User, tag: &str) -> UserRecord {
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

fn session(u: UserId, tag: &str) -> Session {
    Session {
        token_hash: TokenHash::of(&format!("session-{tag}-{u}")),
        user_id: u,
        created_at: at(-60),
        expires_at: day(30),
    }
}

fn stored(outcome: HandInOutcome) -> Submission {
    match outcome {
        HandInOutcome::Stored(s) => s,
        HandInOutcome::Duplicate(s) => panic!("a fresh hand-in was taken as a duplicate: {s:?}"),
    }
}

/// Builds a realistic school in `storage` through the ports.
#[allow(clippy::too_many_lines)]
async fn build_school(storage: &Storage) -> School {
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
    ok(
        storage
            .files
            .insert(&submission_file, FileOwner::Unattached)
            .await,
        "register an upload",
    );
    ok(
        storage
            .files
            .attach(
                &[submission_file.id],
                student.id,
                FileOwner::Submission(first.id),
            )
            .await,
        "attach the upload to the submission",
    );
    let mut orphan = file_ref(second.id, "черновик.docx");
    orphan.uploaded_at = day(8);
    orphan.size = 0;
    ok(
        storage.files.insert(&orphan, FileOwner::Unattached).await,
        "register an orphan",
    );
    x.files.extend([
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

/// One list of a dump against the expected one, naming the first row that differs.
#[track_caller]
fn same_rows<T: PartialEq + Debug>(what: &str, list: &str, actual: &[T], expected: &[T]) {
    if let Some(i) =
        (0..actual.len().max(expected.len())).find(|i| actual.get(*i) != expected.get(*i))
    {
        panic!(
            "{what}: `{list}` differs at row {i} (got {} rows, expected {}):\n got:      {:?}\n expected: {:?}",
            actual.len(),
            expected.len(),
            actual.get(i),
            expected.get(i),
        );
    }
}

/// Asserts that two dumps hold the same rows (in any order), naming the
/// first list and row that differ.
#[track_caller]
pub fn assert_same_school(actual: &SchoolDump, expected: &SchoolDump, what: &str) {
    let mut a = actual.clone();
    a.normalize();
    let mut e = expected.clone();
    e.normalize();
    // Destructured so a list added to the dump must be compared here too.
    let SchoolDump {
        users,
        sessions,
        courses,
        assistants,
        enrollments,
        lessons,
        lesson_views,
        assignments,
        extensions,
        submissions,
        grade_audit,
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
    } = &e;
    same_rows(what, "users", &a.users, users);
    same_rows(what, "sessions", &a.sessions, sessions);
    same_rows(what, "courses", &a.courses, courses);
    same_rows(what, "assistants", &a.assistants, assistants);
    same_rows(what, "enrollments", &a.enrollments, enrollments);
    same_rows(what, "lessons", &a.lessons, lessons);
    same_rows(what, "lesson_views", &a.lesson_views, lesson_views);
    same_rows(what, "assignments", &a.assignments, assignments);
    same_rows(what, "extensions", &a.extensions, extensions);
    same_rows(what, "submissions", &a.submissions, submissions);
    same_rows(what, "grade_audit", &a.grade_audit, grade_audit);
    same_rows(what, "quizzes", &a.quizzes, quizzes);
    same_rows(what, "questions", &a.questions, questions);
    same_rows(what, "attempts", &a.attempts, attempts);
    same_rows(what, "webinars", &a.webinars, webinars);
    same_rows(what, "outbox", &a.outbox, outbox);
    same_rows(what, "preferences", &a.preferences, preferences);
    same_rows(what, "telegram_chats", &a.telegram_chats, telegram_chats);
    same_rows(what, "telegram_tokens", &a.telegram_tokens, telegram_tokens);
    same_rows(what, "achievements", &a.achievements, achievements);
    same_rows(what, "files", &a.files, files);
}

/// A school exported from a fresh in-memory storage: a valid dump to import.
async fn memory_school() -> SchoolDump {
    let memory = MemoryStorage::new();
    let dump = populate_school(&Storage::from_adapter(memory.clone())).await;
    let exported = ok(memory.export_school().await, "export the memory school");
    assert_same_school(&exported, &dump, "the memory school");
    exported
}

/// The whole check: a school built through the ports of `source` exports
/// with every row; imported into `target` it exports the same again; and
/// the target then behaves like the source would: logins and feed tokens
/// work, lessons keep their order, the next hand-in is version 3, the open
/// attempt still blocks a new one, the leased outbox entry stays held until
/// its lease ends, the Telegram link token works.
#[allow(clippy::too_many_lines)]
pub async fn round_trip(
    source: Storage,
    source_transfer: &dyn SchoolTransfer,
    target: Storage,
    target_transfer: &dyn SchoolTransfer,
) {
    let school = build_school(&source).await;
    let exported = ok(source_transfer.export_school().await, "export");
    assert_same_school(&exported, &school.expected, "the export of the source");

    ok(target_transfer.import_school(&exported).await, "import");
    let again = ok(target_transfer.export_school().await, "export the target");
    assert_same_school(&again, &exported, "the export of the imported school");

    // The imported rows serve the ports as they were.
    let teacher_password = school
        .expected
        .users
        .iter()
        .find(|r| r.user.id == school.teacher.id)
        .and_then(|r| r.password_hash.clone());
    let credentials = ok(
        target
            .users
            .credentials_by_email(&school.teacher.email)
            .await,
        "credentials",
    );
    assert_eq!(
        credentials.map(|(u, p)| (u.id, p)),
        Some(school.teacher.id).zip(teacher_password),
        "the teacher logs in with the same password"
    );
    assert_eq!(
        ok(
            target
                .users
                .user_by_feed_token(&feed_token(&school.student))
                .await,
            "feed token"
        )
        .map(|u| u.id),
        Some(school.student.id),
        "the calendar feed link still works"
    );
    assert_eq!(
        ok(
            target
                .courses
                .membership(school.course.id, school.assistant.id)
                .await,
            "membership"
        ),
        Some(CourseRole::Assistant),
        "the assistant still checks homework in the course"
    );
    let order: Vec<LessonId> = ok(
        target.courses.list_lessons(school.course.id).await,
        "lessons",
    )
    .iter()
    .map(|l| l.id)
    .collect();
    assert_eq!(order, school.lesson_order, "lessons keep their order");
    let viewed = ok(
        target
            .courses
            .viewed_lessons(school.course.id, school.student.id)
            .await,
        "viewed",
    );
    assert_eq!(viewed.len(), 2, "the student's lesson views are kept");

    let graded_id = school
        .expected
        .submissions
        .iter()
        .find(|s| s.student_id == school.student.id)
        .map(|s| s.id)
        .expect("the student's graded submission");
    let refused = target
        .homework
        .hand_in(&hand_in(
            &school.assignment,
            school.student.id,
            day(9),
            Some("key-x"),
        ))
        .await;
    assert!(
        matches!(
            refused,
            Err(crate::error::StorageError::Conflict(
                crate::error::Conflict::Stale
            ))
        ),
        "the grade survives the import: graded work takes no new version ({refused:?})"
    );
    ok(
        target
            .homework
            .review(&return_review(graded_id, 2, school.teacher.id, day(9)))
            .await,
        "return for rework after the import",
    );
    let third = stored(ok(
        target
            .homework
            .hand_in(&hand_in(
                &school.assignment,
                school.student.id,
                day(9),
                Some("key-3"),
            ))
            .await,
        "hand in again",
    ));
    assert_eq!(
        third.versions.iter().map(|v| v.number).collect::<Vec<_>>(),
        vec![1, 2, 3],
        "the next hand-in after the import is version 3"
    );
    let duplicate = ok(
        target
            .homework
            .hand_in(&hand_in(
                &school.assignment,
                school.student.id,
                day(9),
                Some("key-1"),
            ))
            .await,
        "retry an old hand-in",
    );
    assert!(
        matches!(duplicate, HandInOutcome::Duplicate(_)),
        "idempotency keys survive the import: {duplicate:?}"
    );

    let blocked = target
        .quizzes
        .start_attempt(
            &Attempt {
                id: crate::ids::AttemptId::new(),
                quiz_id: school.quiz.id,
                student_id: school.student.id,
                number: 0,
                seed: 1,
                question_order: school.questions.iter().map(|q| q.id).collect(),
                started_at: at(400),
                deadline: None,
                state: AttemptState::Open,
                answers: BTreeMap::new(),
                saved_at: None,
                finished_at: None,
                result: None,
                submit_key: None,
            },
            Some(3),
        )
        .await;
    match blocked {
        Err(StorageError::Conflict(Conflict::OpenAttempt)) => {}
        other => panic!("the open attempt must survive the import and block a new one: {other:?}"),
    }

    let (leased, lease_until) = school.leased;
    let early = ok(
        target
            .notifications
            .claim_due(at(3), 10, lease_until + chrono::Duration::minutes(5))
            .await,
        "claim during the lease",
    );
    assert!(
        early.is_empty(),
        "nothing is due while the lease holds and the retry waits: {early:?}"
    );
    let later = ok(
        target.notifications.claim_due(at(7), 10, at(12)).await,
        "claim after the lease",
    );
    assert_eq!(
        later.iter().map(|e| (e.id, e.attempts)).collect::<Vec<_>>(),
        vec![(leased, 2)],
        "the leased entry returns when its lease ends, counting its attempt"
    );

    assert_eq!(
        ok(
            target.notifications.recipient(school.student.id).await,
            "recipient"
        )
        .and_then(|r| r.telegram_chat_id),
        Some(school.chat_id),
        "the Telegram chat stays linked"
    );
    assert_eq!(
        ok(
            target
                .notifications
                .consume_telegram_token(&TokenHash::of(&school.telegram_token), at(0))
                .await,
            "consume token"
        ),
        Some(school.second.id),
        "a pending Telegram link token still works"
    );
    let badges = ok(
        target
            .achievements
            .list_achievements(school.student.id)
            .await,
        "badges",
    );
    assert_eq!(badges.len(), 3, "the student's badges are kept: {badges:?}");
    assert!(
        !ok(
            target
                .achievements
                .award(&Achievement::new(
                    school.student.id,
                    Badge::FirstHomework,
                    school.course.id,
                    day(12),
                ))
                .await,
            "award again"
        ),
        "a badge imported is not awarded twice"
    );
    assert_eq!(
        ok(target.users.list_users(Page::max()).await, "users").len(),
        school.expected.users.len(),
        "every user is listed"
    );
    let orphans = ok(target.files.unattached_before(day(30), 10).await, "orphans");
    assert_eq!(
        orphans.iter().map(|f| f.uploaded_by).collect::<Vec<_>>(),
        vec![school.second.id],
        "the never attached upload is still an orphan to clean up"
    );
    let handed_in = ok(
        target
            .files
            .list_by_owner(FileOwner::Submission(graded_id))
            .await,
        "submission files",
    );
    assert_eq!(
        handed_in.len(),
        1,
        "the submission keeps its file: {handed_in:?}"
    );
}

/// An import into a storage that already holds a school is refused with
/// `Conflict(Other)` and writes nothing, even when the two schools share no
/// key.
pub async fn import_refuses_non_empty(target: Storage, target_transfer: &dyn SchoolTransfer) {
    let existing = user(Role::Admin);
    ok(
        target
            .users
            .insert_user(&existing, Some(password_hash("existing")))
            .await,
        "insert the existing admin",
    );
    let before = ok(target_transfer.export_school().await, "export before");
    assert_eq!(before.users.len(), 1, "the target holds one user");

    let dump = memory_school().await;
    match target_transfer.import_school(&dump).await {
        Err(StorageError::Conflict(Conflict::Other)) => {}
        other => {
            panic!("an import into a non-empty storage must be Conflict(Other), got {other:?}")
        }
    }
    let after = ok(target_transfer.export_school().await, "export after");
    assert_same_school(&after, &before, "the refused import");
    assert!(
        ok(
            target.users.credentials_by_email(&existing.email).await,
            "credentials"
        )
        .is_some(),
        "the existing admin still logs in"
    );
}

/// An import that fails part-way (a badge of a user the dump does not hold,
/// the last row written) leaves the storage empty, and the corrected dump
/// then imports.
pub async fn failed_import_writes_nothing(target: Storage, target_transfer: &dyn SchoolTransfer) {
    let dump = memory_school().await;
    let mut broken = dump.clone();
    broken.achievements.push(Achievement::new(
        UserId::new(),
        Badge::PerfectQuiz,
        CourseId::new(),
        day(1),
    ));
    let refused = target_transfer.import_school(&broken).await;
    assert!(
        refused.is_err(),
        "a badge of an unknown user must fail the import"
    );
    let after = ok(target_transfer.export_school().await, "export after");
    assert_same_school(&after, &SchoolDump::default(), "the failed import");
    assert!(
        ok(target.users.list_users(Page::max()).await, "users").is_empty(),
        "no user was imported"
    );

    ok(
        target_transfer.import_school(&dump).await,
        "import the valid dump",
    );
    let imported = ok(target_transfer.export_school().await, "export");
    assert_same_school(&imported, &dump, "the import after a failed one");
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn memory() -> (Storage, Arc<MemoryStorage>) {
        let m = MemoryStorage::new();
        (Storage::from_adapter(m.clone()), m)
    }

    #[tokio::test]
    async fn memory_to_memory() {
        let (source, s) = memory();
        let (target, t) = memory();
        round_trip(source, &*s, target, &*t).await;
    }

    #[tokio::test]
    async fn memory_refuses_a_second_school() {
        let (target, t) = memory();
        import_refuses_non_empty(target, &*t).await;
    }

    #[tokio::test]
    async fn memory_failed_import_writes_nothing() {
        let (target, t) = memory();
        failed_import_writes_nothing(target, &*t).await;
    }

    /// The dump is what an operator moves between servers as a file.
    #[tokio::test]
    async fn a_dump_survives_json() {
        let dump = memory_school().await;
        let json = serde_json::to_string(&dump).expect("a dump serialises");
        let back: SchoolDump = serde_json::from_str(&json).expect("a dump deserialises");
        let (_, t) = memory();
        ok(t.import_school(&back).await, "import from JSON");
        let exported = ok(t.export_school().await, "export");
        assert_same_school(&exported, &dump, "the school read from JSON");
    }

    /// The memory import refuses what the SQL schema refuses.
    #[tokio::test]
    async fn memory_import_checks_keys_and_references() {
        let dump = memory_school().await;
        let mut twice = dump.clone();
        twice.outbox.push(twice.outbox[0].clone());
        let mut orphan = dump.clone();
        orphan.lessons[0].course_id = CourseId::new();
        let mut same_place = dump.clone();
        same_place.lessons[1].position = same_place.lessons[0].position;
        same_place.lessons[1].course_id = same_place.lessons[0].course_id;
        type Expected = fn(&StorageError) -> bool;
        let cases: [(SchoolDump, Expected, &str); 3] = [
            (
                twice,
                |e| matches!(e, StorageError::Conflict(Conflict::Other)),
                "an outbox id twice",
            ),
            (
                orphan,
                |e| matches!(e, StorageError::NotFound),
                "a lesson of an unknown course",
            ),
            (
                same_place,
                |e| matches!(e, StorageError::Conflict(Conflict::Stale)),
                "two lessons at one position",
            ),
        ];
        for (broken, expected, what) in cases {
            let (_, t) = memory();
            let err = t
                .import_school(&broken)
                .await
                .expect_err("a broken dump is refused");
            assert!(expected(&err), "{what}: unexpected {err:?}");
            assert_eq!(
                ok(t.export_school().await, "export"),
                SchoolDump::default(),
                "{what}: a refused dump writes nothing"
            );
        }
    }
}
