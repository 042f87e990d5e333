//! The checks: a round trip loses and changes nothing; an import refuses a
//! non-empty target and writes nothing when it fails.

use super::school::{build_school, feed_token, stored};
use super::*;

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
    } = &e;
    same_rows(what, "users", &a.users, users);
    same_rows(what, "sessions", &a.sessions, sessions);
    same_rows(what, "courses", &a.courses, courses);
    same_rows(what, "assistants", &a.assistants, assistants);
    same_rows(what, "enrollments", &a.enrollments, enrollments);
    same_rows(what, "groups", &a.groups, groups);
    same_rows(what, "group_members", &a.group_members, group_members);
    same_rows(what, "group_moves", &a.group_moves, group_moves);
    same_rows(what, "lessons", &a.lessons, lessons);
    same_rows(what, "lesson_views", &a.lesson_views, lesson_views);
    same_rows(what, "assignments", &a.assignments, assignments);
    same_rows(what, "extensions", &a.extensions, extensions);
    same_rows(what, "submissions", &a.submissions, submissions);
    same_rows(what, "grade_audit", &a.grade_audit, grade_audit);
    same_rows(what, "comments", &a.comments, comments);
    same_rows(what, "comment_reads", &a.comment_reads, comment_reads);
    same_rows(what, "announcements", &a.announcements, announcements);
    same_rows(what, "bank_questions", &a.bank_questions, bank_questions);
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
pub(super) async fn memory_school() -> SchoolDump {
    let memory = MemoryStorage::new();
    let dump = populate_school(&Storage::from_adapter(memory.clone())).await;
    let exported = ok(memory.export_school().await, "export the memory school");
    assert_same_school(&exported, &dump, "the memory school");
    exported
}

/// The whole check: a school built through the ports of `source` exports
/// with every row; imported into `target` it exports the same again; and
/// the target then behaves like the source would: logins and feed tokens
/// work, groups keep their order, members, mentors and history, lessons
/// keep their order, the next hand-in is version 3, the open
/// attempt still blocks a new one, the imported bank is searched and drawn
/// from, the leased outbox entry stays held until
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
    let groups: Vec<GroupId> = ok(target.groups.list_groups(school.course.id).await, "groups")
        .iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(
        groups, school.group_order,
        "groups keep their order, also those created at one instant"
    );
    assert_eq!(
        ok(
            target
                .groups
                .student_group(school.course.id, school.student.id)
                .await,
            "student group"
        ),
        school.group_order.first().copied(),
        "the student stays in their group"
    );
    assert_eq!(
        ok(
            target
                .groups
                .group_history(school.course.id, school.student.id)
                .await,
            "group history"
        ),
        school.group_history,
        "the student's moves keep their order"
    );
    assert_eq!(
        ok(
            target
                .groups
                .mentor_scope(school.course.id, school.assistant.id)
                .await,
            "mentor scope"
        ),
        MentorScope::Groups(school.group_order[..1].to_vec()),
        "the assistant still mentors their group, and only it"
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
                drawn: Vec::new(),
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

    let hedgehog: Vec<_> = school
        .expected
        .bank_questions
        .iter()
        .filter(|q| q.category.is_empty())
        .map(|q| q.id)
        .collect();
    let found = ok(
        target
            .bank
            .list_bank_questions(
                school.course.id,
                &crate::bank::BankFilter {
                    text: Some("ЕЖИК".to_owned()),
                    ..crate::bank::BankFilter::default()
                },
                Page::max(),
            )
            .await,
        "search the bank",
    );
    assert_eq!(
        found.iter().map(|q| q.id).collect::<Vec<_>>(),
        hedgehog,
        "the imported bank is searched by text"
    );
    assert_eq!(
        ok(
            target
                .bank
                .bank_pool(school.course.id, "ЕГЭ", Some("дроби".to_owned()))
                .await,
            "bank pool"
        )
        .len(),
        1,
        "the imported bank draws by category and tag"
    );

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
