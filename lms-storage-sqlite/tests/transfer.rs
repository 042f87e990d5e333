//! Moving a whole school: what one SQLite file exports, another imports
//! exactly; an import never lands on top of an existing school, and a
//! refused import writes nothing.

mod common;

use std::collections::BTreeMap;

use chrono::{Duration, NaiveTime};
use lms_core::achievement::Badge;
use lms_core::course::{CourseStatus, Enrollment, EnrollmentSource, InviteCode};
use lms_core::error::{Conflict, StorageError};
use lms_core::group::{Group, GroupMove, GroupName};
use lms_core::homework::{HandInOutcome, LatePolicy};
use lms_core::ids::{GroupId, UserId};
use lms_core::notification::{
    Channel, NotificationKind, NotificationPreferences, QuietHours, TelegramLinkToken,
};
use lms_core::ports::Storage;
use lms_core::quiz::{Answer, AttemptState};
use lms_core::testkit::conformance::fixtures::{
    add_course, add_lesson, add_quiz_with_questions, add_user, assignment, at, attempt,
    attempt_result, award, day, file_ref, finish, grade_review, hand_in, ok, outbox_entry,
    published_course_with_student, return_review, single_choice_question, t0, webinar,
};
use lms_core::transfer::{SchoolDump, SchoolTransfer};
use lms_core::user::{Role, Session, TokenHash};
use lms_storage_sqlite::SqliteStorage;

/// A school with at least one row in every table, made through the ports.
async fn populate(s: &Storage) {
    let class = published_course_with_student(s).await;
    let (teacher, student, course) = (class.teacher, class.student, class.course);
    let second = add_user(s, Role::Student).await;
    let assistant = add_user(s, Role::Assistant).await;
    let _draft = add_course(s, teacher.id, CourseStatus::Draft).await;

    ok(
        s.users
            .set_feed_token(student.id, &TokenHash("feed-hash".into()))
            .await,
        "feed token",
    );
    ok(
        s.sessions
            .insert_session(&Session {
                token_hash: TokenHash("session-hash".into()),
                user_id: student.id,
                created_at: t0(),
                expires_at: day(30),
            })
            .await,
        "session",
    );
    ok(
        s.courses.add_assistant(course.id, assistant.id).await,
        "assistant",
    );
    ok(
        s.courses
            .enroll(&Enrollment {
                course_id: course.id,
                student_id: second.id,
                source: EnrollmentSource::InviteCode,
                enrolled_at: at(5),
            })
            .await,
        "second enrolment",
    );

    // Groups: the assistant mentors one; the student moved into it from
    // the other.
    let group = Group {
        id: GroupId::new(),
        course_id: course.id,
        name: GroupName::parse("Группа А").expect("valid name"),
        invite_code: Some(InviteCode::generate()),
        mentors: vec![assistant.id],
        archived_at: None,
        created_at: at(6),
    };
    let other_group = Group {
        id: GroupId::new(),
        name: GroupName::parse("Группа Б").expect("valid name"),
        invite_code: None,
        mentors: Vec::new(),
        ..group.clone()
    };
    ok(s.groups.insert_group(&group).await, "group");
    ok(s.groups.insert_group(&other_group).await, "second group");
    for (from, to, when) in [
        (None, Some(other_group.id), at(7)),
        (Some(other_group.id), Some(group.id), at(8)),
    ] {
        ok(
            s.groups
                .move_student(&GroupMove {
                    course_id: course.id,
                    student_id: student.id,
                    from_group: from,
                    to_group: to,
                    moved_by: teacher.id,
                    moved_at: when,
                })
                .await,
            "group move",
        );
    }
    ok(
        s.announcements
            .post_announcement(
                &lms_core::announcement::Announcement {
                    id: lms_core::ids::AnnouncementId::new(),
                    course_id: course.id,
                    author_id: assistant.id,
                    author_name: String::new(),
                    title: lms_core::course::Title::parse("Созвон в среду").unwrap(),
                    body: lms_core::richtext::RichText::sanitize("<p>В 19:00 🎧</p>"),
                    group_ids: vec![other_group.id, group.id],
                    created_at: at(9),
                },
                &[],
            )
            .await,
        "announcement",
    );

    // Lessons: deleting the first renumbers the rest.
    let gone = add_lesson(s, course.id, "Введение").await;
    let mut first = add_lesson(s, course.id, "Квадратные уравнения").await;
    let _second_lesson = add_lesson(s, course.id, "Теорема Виета").await;
    first.attachments = vec![file_ref(teacher.id, "конспект.pdf")];
    first.publish_at = Some(at(30));
    ok(s.courses.update_lesson(&first).await, "lesson attachments");
    ok(s.courses.delete_lesson(gone.id).await, "delete lesson");
    ok(
        s.courses
            .mark_lesson_viewed(first.id, student.id, at(40))
            .await,
        "lesson view",
    );

    // Homework: two versions graded, another student returned for rework.
    let mut a = assignment(course.id, day(7));
    a.cut_off_at = Some(day(9));
    a.late_policy = LatePolicy::PercentPerDay {
        percent_per_day: 10,
        floor_percent: 50,
    };
    a.attachments = vec![file_ref(teacher.id, "задачи.pdf")];
    ok(
        s.homework
            .insert_assignment(&a, &[outbox_entry(student.id, "assignment", at(1))])
            .await,
        "assignment",
    );
    ok(
        s.homework
            .upsert_extension(&lms_core::homework::Extension {
                assignment_id: a.id,
                student_id: second.id,
                due_at: day(10),
                cut_off_at: Some(day(11)),
                granted_by: teacher.id,
                granted_at: day(1),
            })
            .await,
        "extension",
    );
    let mut first_hand_in = hand_in(&a, student.id, day(1), Some("key-1"));
    first_hand_in.awards = vec![award(student.id, Badge::FirstHomework, course.id, day(1))];
    ok(s.homework.hand_in(&first_hand_in).await, "hand-in 1");
    let HandInOutcome::Stored(sub) = ok(
        s.homework
            .hand_in(&hand_in(&a, student.id, day(8), None))
            .await,
        "hand-in 2 (late)",
    ) else {
        panic!("a hand-in without a repeated key is stored");
    };
    ok(
        s.homework
            .review(&grade_review(sub.id, 2, teacher.id, day(9), 8.0))
            .await,
        "grade",
    );
    let HandInOutcome::Stored(other) = ok(
        s.homework
            .hand_in(&hand_in(&a, second.id, day(2), None))
            .await,
        "hand-in of the second student",
    ) else {
        panic!("stored");
    };
    ok(
        s.homework
            .review(&return_review(other.id, 1, assistant.id, day(3)))
            .await,
        "return for rework",
    );
    // The thread of the graded work: a question with a scan attached, read
    // by the teacher.
    ok(
        s.comments
            .add_comment(
                &lms_core::homework::SubmissionComment {
                    id: lms_core::ids::CommentId::new(),
                    submission_id: sub.id,
                    author_id: student.id,
                    author_name: String::new(),
                    body: lms_core::richtext::RichText::sanitize("<p>Почему минус балл?</p>"),
                    files: vec![file_ref(student.id, "скан.pdf")],
                    created_at: day(10),
                },
                &[],
            )
            .await,
        "comment",
    );
    ok(
        s.comments
            .mark_thread_read(sub.id, teacher.id, day(11))
            .await,
        "thread read",
    );

    // Quizzes: a finished attempt and an open one with saved answers.
    let (quiz, mut questions) = add_quiz_with_questions(s, course.id, at(10), 2).await;
    questions.push(ok(
        s.quizzes
            .insert_question(&single_choice_question(quiz.id))
            .await,
        "choice question",
    ));
    let done = ok(
        s.quizzes
            .start_attempt(
                &attempt(&quiz, &questions, student.id, at(60), None),
                Some(3),
            )
            .await,
        "attempt 1",
    );
    let mut f = finish(done.id, at(70), attempt_result(&questions, 1.0, 1.0));
    f.awards = vec![award(student.id, Badge::PerfectQuiz, course.id, at(70))];
    ok(s.quizzes.finish_attempt(&f).await, "finish attempt 1");
    let mut open = attempt(&quiz, &questions, student.id, at(80), Some(at(100)));
    open.seed = u64::MAX - 7;
    let open = ok(s.quizzes.start_attempt(&open, Some(3)).await, "attempt 2");
    let answers = BTreeMap::from([
        (questions[0].id, Answer::TrueFalse(true)),
        (questions[1].id, Answer::ShortText("не знаю".into())),
    ]);
    ok(
        s.quizzes.save_answers(open.id, &answers, at(85)).await,
        "save answers",
    );

    // Webinars, notifications, Telegram, badges.
    let w = webinar(course.id, teacher.id, day(2));
    ok(
        s.webinars
            .insert_webinar(&w, &[outbox_entry(student.id, "webinar", at(2))])
            .await,
        "webinar",
    );
    let sent = outbox_entry(second.id, "sent", at(3));
    let retried = outbox_entry(second.id, "retried", at(4));
    ok(
        s.notifications
            .enqueue(&[sent.clone(), retried.clone()])
            .await,
        "enqueue",
    );
    ok(s.notifications.claim_due(at(5), 10, at(6)).await, "claim");
    ok(
        s.notifications.mark_sent(sent.id, at(6), at(5)).await,
        "sent",
    );
    ok(
        s.notifications
            .mark_retry(retried.id, at(6), at(20), "smtp 451")
            .await,
        "retry",
    );
    ok(
        s.notifications
            .set_preferences(&NotificationPreferences {
                user_id: student.id,
                channels: BTreeMap::from([(
                    NotificationKind::WebinarReminder,
                    vec![Channel::Telegram],
                )]),
                quiet_hours: Some(QuietHours {
                    from: NaiveTime::from_hms_opt(22, 0, 0).expect("valid time"),
                    to: NaiveTime::from_hms_opt(7, 30, 0).expect("valid time"),
                }),
            })
            .await,
        "preferences",
    );
    ok(
        s.notifications
            .set_telegram_chat(student.id, Some(-100_123))
            .await,
        "telegram chat",
    );
    ok(
        s.notifications
            .insert_telegram_token(&TelegramLinkToken {
                token_hash: TokenHash("tg-hash".into()),
                user_id: second.id,
                expires_at: t0() + Duration::minutes(15),
            })
            .await,
        "telegram token",
    );
    ok(
        s.achievements
            .award(&award(
                student.id,
                Badge::CourseCompleted,
                course.id,
                day(20),
            ))
            .await,
        "course badge",
    );
}

fn assert_every_table_has_rows(d: &SchoolDump) {
    let counts = [
        ("users", d.users.len()),
        ("sessions", d.sessions.len()),
        ("courses", d.courses.len()),
        ("assistants", d.assistants.len()),
        ("enrollments", d.enrollments.len()),
        ("groups", d.groups.len()),
        ("group_members", d.group_members.len()),
        ("group_moves", d.group_moves.len()),
        ("announcements", d.announcements.len()),
        ("lessons", d.lessons.len()),
        ("lesson_views", d.lesson_views.len()),
        ("assignments", d.assignments.len()),
        ("extensions", d.extensions.len()),
        ("submissions", d.submissions.len()),
        ("grade_audit", d.grade_audit.len()),
        ("comments", d.comments.len()),
        ("comment_reads", d.comment_reads.len()),
        ("quizzes", d.quizzes.len()),
        ("questions", d.questions.len()),
        ("attempts", d.attempts.len()),
        ("webinars", d.webinars.len()),
        ("outbox", d.outbox.len()),
        ("preferences", d.preferences.len()),
        ("telegram_chats", d.telegram_chats.len()),
        ("telegram_tokens", d.telegram_tokens.len()),
        ("achievements", d.achievements.len()),
    ];
    let empty: Vec<_> = counts.iter().filter(|(_, n)| *n == 0).collect();
    assert!(
        empty.is_empty(),
        "the sample school fills every table: {empty:?}"
    );
}

async fn normalized(db: &SqliteStorage) -> SchoolDump {
    let mut d = ok(db.export_school().await, "export");
    d.normalize();
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_survives_export_and_import_exactly() {
    let source = common::fresh_sqlite().await;
    populate(&source.storage()).await;
    let original = normalized(&source).await;
    assert_every_table_has_rows(&original);
    assert_eq!(original.users.len(), 4);
    assert_eq!(
        original
            .lessons
            .iter()
            .map(|l| l.position)
            .collect::<Vec<_>>()
            .len(),
        2,
        "the deleted lesson is not exported"
    );
    assert!(
        original
            .submissions
            .iter()
            .any(|s| s.versions.len() == 2 && s.grade.is_some()),
        "the graded submission keeps both versions"
    );

    let target = common::fresh_sqlite().await;
    ok(
        target.import_school(&original).await,
        "import into an empty file",
    );
    let copied = normalized(&target).await;
    assert_eq!(copied, original, "export → import → export changes nothing");

    // The copy behaves like the original: numbering goes on where it stopped.
    let storage = target.storage();
    let graded = original
        .submissions
        .iter()
        .find(|s| s.versions.len() == 2)
        .expect("graded submission");
    let a = original
        .assignments
        .iter()
        .find(|a| a.id == graded.assignment_id)
        .expect("its assignment");
    // The grade survived: graded work takes a new version only once it is
    // returned for rework.
    let teacher = graded.grade.as_ref().expect("graded").graded_by;
    ok(
        storage
            .homework
            .review(&return_review(graded.id, 2, teacher, day(8)))
            .await,
        "return after the move",
    );
    let HandInOutcome::Stored(next) = ok(
        storage
            .homework
            .hand_in(&hand_in(
                a,
                graded.student_id,
                day(8) + Duration::hours(1),
                None,
            ))
            .await,
        "hand-in after the move",
    ) else {
        panic!("stored");
    };
    assert_eq!(next.versions.len(), 3);
    assert_eq!(next.versions[2].number, 3, "versions go on from 2");
    let open = original
        .attempts
        .iter()
        .find(|t| t.state == AttemptState::Open)
        .expect("open attempt");
    assert_eq!(open.seed, u64::MAX - 7, "seeds keep every bit");
    let again = attempt(
        original.quizzes.first().expect("quiz"),
        &[],
        open.student_id,
        at(90),
        None,
    );
    match storage.quizzes.start_attempt(&again, Some(3)).await {
        Err(StorageError::Conflict(Conflict::OpenAttempt)) => {}
        other => panic!("the imported open attempt blocks a new start, got {other:?}"),
    }
    let lessons = ok(
        storage
            .courses
            .list_lessons(original.lessons[0].course_id)
            .await,
        "lessons after the move",
    );
    assert_eq!(
        lessons.iter().map(|l| l.position).collect::<Vec<_>>(),
        vec![0, 1]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_into_a_storage_with_a_school_is_refused_and_writes_nothing() {
    let source = common::fresh_sqlite().await;
    populate(&source.storage()).await;
    let dump = normalized(&source).await;

    let occupied = common::fresh_sqlite().await;
    let storage = occupied.storage();
    let _only = add_user(&storage, Role::Admin).await;
    let before = normalized(&occupied).await;
    match occupied.import_school(&dump).await {
        Err(StorageError::Conflict(Conflict::Other)) => {}
        other => panic!("import over an existing school must be Conflict(Other), got {other:?}"),
    }
    assert_eq!(normalized(&occupied).await, before, "nothing was written");

    match source.import_school(&dump).await {
        Err(StorageError::Conflict(Conflict::Other)) => {}
        other => panic!("import into its own source must be refused, got {other:?}"),
    }
}

/// The schema enforces the core's rules by itself, and its violations map
/// to the same conflicts as the PostgreSQL constraints; a dump that breaks
/// one is refused as a whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_dumps_are_refused_by_constraint_and_write_nothing() {
    let source = common::fresh_sqlite().await;
    populate(&source.storage()).await;
    let good = normalized(&source).await;

    let mut duplicate_email = good.clone();
    let mut twin = duplicate_email.users[0].clone();
    twin.user.id = UserId::new();
    twin.feed_token_hash = None; // only the e-mail repeats
    duplicate_email.users.push(twin);

    let mut two_open = good.clone();
    let mut open = two_open
        .attempts
        .iter()
        .find(|t| t.state == AttemptState::Open)
        .expect("open attempt")
        .clone();
    open.id = lms_core::ids::AttemptId::new();
    open.number = 99;
    two_open.attempts.push(open);

    let mut same_number = good.clone();
    let mut finished = same_number
        .attempts
        .iter()
        .find(|t| t.state != AttemptState::Open)
        .expect("finished attempt")
        .clone();
    finished.id = lms_core::ids::AttemptId::new();
    same_number.attempts.push(finished);

    let mut double_enrolment = good.clone();
    let e = double_enrolment.enrollments[0].clone();
    double_enrolment.enrollments.push(e);

    let mut same_outbox_key = good.clone();
    let mut o = same_outbox_key.outbox[0].clone();
    o.id = lms_core::ids::OutboxId::new();
    same_outbox_key.outbox.push(o);

    let cases = [
        ("duplicate e-mail", duplicate_email, Conflict::Email),
        ("two open attempts", two_open, Conflict::OpenAttempt),
        (
            "repeated attempt number",
            same_number,
            Conflict::AttemptLimit,
        ),
        ("double enrolment", double_enrolment, Conflict::Enrollment),
        (
            "repeated outbox key",
            same_outbox_key,
            Conflict::OutboxDedup,
        ),
    ];
    for (what, dump, expected) in cases {
        let target = common::fresh_sqlite().await;
        match target.import_school(&dump).await {
            Err(StorageError::Conflict(c)) if c == expected => {}
            other => panic!("{what}: expected Conflict({expected:?}), got {other:?}"),
        }
        assert_eq!(
            normalized(&target).await,
            SchoolDump::default(),
            "{what}: a refused import leaves the file empty"
        );
    }
}
