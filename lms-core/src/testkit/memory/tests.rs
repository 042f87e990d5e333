//! Tests of the in-memory adapter's own rules (the conformance suite covers
//! the ports' contracts).

use super::*;
use crate::course::{EnrollmentSource, Title};
use crate::file::FileLimits;
use crate::homework::{LatePolicy, SubmissionKind};
use crate::ids::SubmissionVersionId;
use crate::notification::{Channel, Notification};
use crate::quiz::QuizSettings;
use crate::richtext::RichText;
use crate::score::Points;
use crate::user::{DisplayName, Locale, Role, TimeZone};
use chrono::{Duration, TimeZone as _};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn user(role: Role, email: &str) -> User {
    User {
        id: UserId::new(),
        email: Email::parse(email).unwrap(),
        display_name: DisplayName::parse("Анна Иванова").unwrap(),
        role,
        locale: Locale::Ru,
        time_zone: TimeZone::default(),
        active: true,
        created_at: t0(),
    }
}

/// A storage with a published course, its owner, one enrolled student
/// and one published assignment due a day after `t0`.
struct World {
    mem: Arc<MemoryStorage>,
    course: Course,
    student: User,
    assignment: Assignment,
}

async fn world() -> World {
    let mem = MemoryStorage::new();
    let teacher = user(Role::Teacher, "teacher@school.ru");
    let student = user(Role::Student, "student@school.ru");
    mem.insert_user(&teacher, None).await.unwrap();
    mem.insert_user(&student, None).await.unwrap();
    let course = Course {
        id: CourseId::new(),
        title: Title::parse("Алгебра").unwrap(),
        description: RichText::from_plain_text("Курс"),
        owner_id: teacher.id,
        status: CourseStatus::Published,
        invite_code: Some(InviteCode::generate()),
        cover: None,
        created_at: t0(),
    };
    mem.insert_course(&course).await.unwrap();
    mem.enroll(&Enrollment {
        course_id: course.id,
        student_id: student.id,
        source: EnrollmentSource::Staff,
        enrolled_at: t0(),
    })
    .await
    .unwrap();
    let assignment = Assignment {
        id: AssignmentId::new(),
        course_id: course.id,
        title: Title::parse("ДЗ 1").unwrap(),
        instructions: RichText::from_plain_text("Решите задачи"),
        attachments: Vec::new(),
        opens_at: t0(),
        due_at: t0() + Duration::days(1),
        cut_off_at: None,
        max_score: Points::new(10.0).unwrap(),
        late_policy: LatePolicy::NoPenalty,
        submission_kind: SubmissionKind::Text,
        file_limits: FileLimits::default(),
        published: true,
        created_at: t0(),
    };
    mem.insert_assignment(&assignment, &[]).await.unwrap();
    World {
        mem,
        course,
        student,
        assignment,
    }
}

fn entry(to: UserId, event: &str, at: DateTime<Utc>) -> OutboxEntry {
    let note = Notification::HomeworkReturned {
        course_id: CourseId::new(),
        assignment_id: AssignmentId::new(),
        title: "ДЗ 1".into(),
        submission_id: SubmissionId::new(),
    };
    OutboxEntry::new(to, Channel::Email, event, note, at)
}

fn hand_in(w: &World, key: Option<&str>, at: DateTime<Utc>) -> HandIn {
    HandIn {
        new_submission_id: SubmissionId::new(),
        assignment_id: w.assignment.id,
        student_id: w.student.id,
        version: SubmissionVersion {
            id: SubmissionVersionId::new(),
            submission_id: SubmissionId::new(),
            number: 99,
            text: Some(RichText::from_plain_text("Ответ: 42")),
            files: Vec::new(),
            submitted_at: at,
            late: false,
            idempotency_key: key.map(str::to_owned),
        },
        state: SubmissionState::Submitted,
        outbox: vec![entry(w.student.id, &format!("handed:{at}"), at)],
        awards: vec![Achievement::new(
            w.student.id,
            Badge::FirstHomework,
            w.course.id,
            at,
        )],
        max_versions: 20,
    }
}

async fn outbox_of(mem: &MemoryStorage, user: UserId) -> Vec<OutboxEntry> {
    mem.list_user_outbox(user, Page::max()).await.unwrap()
}

#[tokio::test]
async fn failing_hand_in_changes_nothing() {
    let w = world().await;
    let taken = entry(w.student.id, "earlier", t0());
    assert_eq!(
        w.mem.enqueue(std::slice::from_ref(&taken)).await.unwrap(),
        1
    );

    // A fresh message plus one reusing a stored entry's id under a new
    // key: the second breaks the primary key, so the whole call fails.
    let mut bad = hand_in(&w, Some("k1"), t0());
    let mut clash = entry(w.student.id, "other", t0());
    clash.id = taken.id;
    bad.outbox.push(clash);
    let err = w.mem.hand_in(&bad).await.unwrap_err();
    assert!(
        matches!(err, StorageError::Conflict(Conflict::Other)),
        "{err:?}"
    );

    let none = w.mem.find_submission(w.assignment.id, w.student.id).await;
    assert_eq!(none.unwrap(), None, "no submission was created");
    assert_eq!(outbox_of(&w.mem, w.student.id).await, vec![taken.clone()]);
    assert!(
        w.mem
            .list_achievements(w.student.id)
            .await
            .unwrap()
            .is_empty()
    );

    // The same hand-in without the clash is stored with everything.
    let good = hand_in(&w, Some("k1"), t0());
    let stored = w.mem.hand_in(&good).await.unwrap();
    let HandInOutcome::Stored(sub) = stored else {
        panic!("expected a stored hand-in, got {stored:?}");
    };
    assert_eq!(sub.id, good.new_submission_id);
    assert_eq!(sub.versions.len(), 1);
    assert_eq!(sub.versions[0].number, 1);
    assert_eq!(sub.versions[0].submission_id, sub.id);
    assert_eq!(outbox_of(&w.mem, w.student.id).await.len(), 2);
    let badges = w.mem.list_achievements(w.student.id).await.unwrap();
    assert_eq!(badges, good.awards);

    // A failing second hand-in leaves the first version alone.
    let mut bad_again = hand_in(&w, Some("k2"), t0() + Duration::hours(1));
    let mut clash = entry(w.student.id, "yet another", t0());
    clash.id = taken.id;
    bad_again.outbox = vec![clash];
    assert!(w.mem.hand_in(&bad_again).await.is_err());
    let after = w.mem.get_submission(sub.id).await.unwrap().unwrap();
    assert_eq!(after, sub);
}

#[tokio::test]
async fn versions_are_numbered_and_retries_are_duplicates() {
    let w = world().await;
    let first = w.mem.hand_in(&hand_in(&w, Some("a"), t0())).await.unwrap();
    let later = t0() + Duration::hours(2);
    let mut second = hand_in(&w, Some("b"), later);
    second.state = SubmissionState::SubmittedLate;
    let second_out = w.mem.hand_in(&second).await.unwrap();
    let sub = second_out.submission();
    assert!(matches!(second_out, HandInOutcome::Stored(_)));
    assert_eq!(sub.id, first.submission().id, "the submission is reused");
    assert_eq!(
        sub.versions.iter().map(|v| v.number).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(sub.state, SubmissionState::SubmittedLate);
    assert_eq!(sub.updated_at, later);

    // Retrying the first request writes nothing, not even its messages.
    let outbox_before = outbox_of(&w.mem, w.student.id).await;
    let mut retry = hand_in(&w, Some("a"), t0() + Duration::hours(3));
    retry.outbox = vec![entry(w.student.id, "retry-message", t0())];
    let dup = w.mem.hand_in(&retry).await.unwrap();
    assert_eq!(dup, HandInOutcome::Duplicate(sub.clone()));
    assert_eq!(outbox_of(&w.mem, w.student.id).await, outbox_before);
    // The badge of the first hand-in was awarded once.
    assert_eq!(
        w.mem.list_achievements(w.student.id).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn stale_review_writes_nothing() {
    let w = world().await;
    let sub_id = w
        .mem
        .hand_in(&hand_in(&w, None, t0()))
        .await
        .unwrap()
        .submission()
        .id;
    w.mem
        .hand_in(&hand_in(&w, None, t0() + Duration::hours(1)))
        .await
        .unwrap();
    let review = Review {
        submission_id: sub_id,
        expected_version: 1,
        state: SubmissionState::ReturnedForRework,
        grade: None,
        rework_feedback: Some(RichText::from_plain_text("Доделайте")),
        audit: GradeAuditEntry {
            id: crate::ids::AuditId::new(),
            submission_id: sub_id,
            actor_id: w.course.owner_id,
            at: t0() + Duration::hours(2),
            action: crate::homework::AuditAction::Returned,
            feedback: RichText::from_plain_text("Доделайте"),
        },
        outbox: vec![entry(w.student.id, "returned", t0())],
        awards: Vec::new(),
    };
    let err = w.mem.review(&review).await.unwrap_err();
    assert!(
        matches!(err, StorageError::Conflict(Conflict::Stale)),
        "{err:?}"
    );
    assert!(w.mem.grade_audit(sub_id).await.unwrap().is_empty());
    let sub = w.mem.get_submission(sub_id).await.unwrap().unwrap();
    assert_eq!(sub.state, SubmissionState::Submitted);
    assert_eq!(outbox_of(&w.mem, w.student.id).await.len(), 2);

    let ok = Review {
        expected_version: 2,
        ..review.clone()
    };
    let returned = w.mem.review(&ok).await.unwrap();
    assert_eq!(returned.state, SubmissionState::ReturnedForRework);
    assert_eq!(returned.rework_feedback, review.rework_feedback);
    assert_eq!(w.mem.grade_audit(sub_id).await.unwrap(), vec![review.audit]);
    assert_eq!(
        w.mem
            .pending_submissions(
                &[w.course.id],
                &crate::user::UserFilter::default(),
                Page::max()
            )
            .await
            .unwrap(),
        vec![]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claims_never_overlap_and_leases_expire() {
    let mem = MemoryStorage::new();
    let to = UserId::new();
    let entries: Vec<OutboxEntry> = (0..40).map(|i| entry(to, &format!("e{i}"), t0())).collect();
    let mut later = entry(to, "not yet due", t0() + Duration::hours(1));
    later.next_attempt_at = t0() + Duration::hours(1);
    assert_eq!(mem.enqueue(&entries).await.unwrap(), 40);
    assert_eq!(mem.enqueue(&[later.clone()]).await.unwrap(), 1);
    assert_eq!(
        mem.enqueue(&entries).await.unwrap(),
        0,
        "de-duplicated by key"
    );

    let lease = t0() + Duration::minutes(5);
    let claimers: Vec<_> = (0..8)
        .map(|_| {
            let mem = mem.clone();
            tokio::spawn(async move { mem.claim_due(t0(), 7, lease).await.unwrap() })
        })
        .collect();
    let mut claimed = Vec::new();
    for c in claimers {
        let got = c.await.unwrap();
        assert!(got.len() <= 7);
        claimed.extend(got);
    }
    let ids: HashSet<OutboxId> = claimed.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), claimed.len(), "no entry was claimed twice");
    assert_eq!(
        ids,
        entries.iter().map(|e| e.id).collect(),
        "every due entry once"
    );
    assert!(
        claimed
            .iter()
            .all(|e| e.attempts == 1 && e.lease_until == Some(lease))
    );

    // Held entries are not claimed again until their lease expires.
    assert!(
        mem.claim_due(t0() + Duration::minutes(1), 100, lease)
            .await
            .unwrap()
            .is_empty()
    );
    mem.mark_sent(entries[0].id, lease, t0()).await.unwrap();
    mem.mark_failed(entries[1].id, lease, "bad address")
        .await
        .unwrap();
    mem.mark_retry(
        entries[2].id,
        lease,
        t0() + Duration::minutes(30),
        "timeout",
    )
    .await
    .unwrap();
    let sent = mem.get_outbox_entry(entries[0].id).await.unwrap().unwrap();
    assert_eq!(
        (sent.status, sent.lease_until, sent.sent_at),
        (OutboxStatus::Sent, None, Some(t0()))
    );

    let at = t0() + Duration::minutes(10);
    let again = mem
        .claim_due(at, 100, at + Duration::minutes(5))
        .await
        .unwrap();
    let again_ids: HashSet<OutboxId> = again.iter().map(|e| e.id).collect();
    let expected: HashSet<OutboxId> = entries[3..].iter().map(|e| e.id).collect();
    assert_eq!(
        again_ids, expected,
        "sent, failed and backed-off entries stay"
    );
    assert!(again.iter().all(|e| e.attempts == 2));
    assert!(!again_ids.contains(&later.id), "not due yet");
}

fn attempt(quiz: QuizId, student: UserId, deadline: Option<DateTime<Utc>>) -> Attempt {
    Attempt {
        id: AttemptId::new(),
        quiz_id: quiz,
        student_id: student,
        number: 0,
        seed: 7,
        question_order: Vec::new(),
        drawn: Vec::new(),
        started_at: t0(),
        deadline,
        state: AttemptState::Open,
        answers: BTreeMap::new(),
        saved_at: None,
        finished_at: None,
        result: None,
        submit_key: None,
    }
}

fn finish(attempt: AttemptId, outbox: Vec<OutboxEntry>) -> FinishAttempt {
    FinishAttempt {
        attempt_id: attempt,
        state: AttemptState::Submitted,
        finished_at: t0() + Duration::minutes(20),
        result: AttemptResult {
            per_question: BTreeMap::new(),
            score: Points::new(5.0).unwrap(),
            max_score: Points::new(5.0).unwrap(),
            pending_manual: false,
        },
        expected_saved_at: None,
        submit_key: Some("submit-1".into()),
        outbox,
        awards: Vec::new(),
    }
}

async fn quiz(w: &World) -> Quiz {
    let quiz = Quiz {
        id: QuizId::new(),
        course_id: w.course.id,
        title: Title::parse("Тест 1").unwrap(),
        description: RichText::default(),
        settings: QuizSettings::default(),
        published: true,
        created_at: t0(),
    };
    w.mem.insert_quiz(&quiz).await.unwrap();
    quiz
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn attempts_respect_the_open_attempt_and_the_limit() {
    let w = world().await;
    let quiz = quiz(&w).await;
    let student = w.student.id;

    // Concurrent starts: exactly one wins, the others see its open attempt.
    let starts: Vec<_> = (0..10)
        .map(|_| {
            let mem = w.mem.clone();
            let a = attempt(quiz.id, student, None);
            tokio::spawn(async move { mem.start_attempt(&a, Some(2)).await })
        })
        .collect();
    let mut won = Vec::new();
    for s in starts {
        match s.await.unwrap() {
            Ok(a) => won.push(a),
            Err(StorageError::Conflict(Conflict::OpenAttempt)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won.len(), 1);
    assert_eq!(won[0].number, 1);

    let done = w
        .mem
        .finish_attempt(&finish(won[0].id, vec![]))
        .await
        .unwrap();
    assert_eq!(done.state, AttemptState::Submitted);
    let second = w
        .mem
        .start_attempt(&attempt(quiz.id, student, None), Some(2))
        .await
        .unwrap();
    assert_eq!(second.number, 2);
    w.mem
        .finish_attempt(&finish(second.id, vec![]))
        .await
        .unwrap();

    let err = w
        .mem
        .start_attempt(&attempt(quiz.id, student, None), Some(2))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StorageError::Conflict(Conflict::AttemptLimit)),
        "{err:?}"
    );
    let numbers: Vec<u32> = w
        .mem
        .list_attempts(quiz.id, student)
        .await
        .unwrap()
        .iter()
        .map(|a| a.number)
        .collect();
    assert_eq!(numbers, vec![1, 2], "the refused start stored nothing");
    let third = w
        .mem
        .start_attempt(&attempt(quiz.id, student, None), None)
        .await
        .unwrap();
    assert_eq!(third.number, 3, "no limit, no refusal");
}

#[tokio::test]
async fn closed_attempts_take_no_answers_and_finish_once() {
    let w = world().await;
    let quiz = quiz(&w).await;
    let deadline = t0() + Duration::minutes(30);
    let a = w
        .mem
        .start_attempt(&attempt(quiz.id, w.student.id, Some(deadline)), None)
        .await
        .unwrap();
    let q = QuestionId::new();
    let answers = BTreeMap::from([(q, Answer::TrueFalse(true))]);
    let saved = w.mem.save_answers(a.id, &answers, deadline).await.unwrap();
    assert_eq!(saved.answers, answers);
    assert_eq!(saved.saved_at, Some(deadline));
    let late = w
        .mem
        .save_answers(a.id, &answers, deadline + Duration::seconds(1))
        .await
        .unwrap_err();
    assert!(
        matches!(late, StorageError::Conflict(Conflict::AttemptClosed)),
        "{late:?}"
    );

    let overdue = w
        .mem
        .overdue_attempts(deadline + Duration::minutes(1), 10)
        .await
        .unwrap();
    assert_eq!(overdue.iter().map(|a| a.id).collect::<Vec<_>>(), vec![a.id]);

    let note = entry(w.student.id, "finished", t0());
    let mut done = finish(a.id, vec![note]);
    done.expected_saved_at = saved.saved_at;
    w.mem.finish_attempt(&done).await.unwrap();
    let again = w
        .mem
        .finish_attempt(&finish(a.id, vec![entry(w.student.id, "twice", t0())]))
        .await
        .unwrap_err();
    assert!(
        matches!(again, StorageError::Conflict(Conflict::AttemptClosed)),
        "{again:?}"
    );
    let events: Vec<String> = outbox_of(&w.mem, w.student.id)
        .await
        .iter()
        .map(|e| e.dedup_key.0.clone())
        .collect();
    assert_eq!(events.len(), 1);
    assert!(events[0].contains("|finished|"), "{events:?}");
    let closed = w.mem.save_answers(a.id, &answers, t0()).await.unwrap_err();
    assert!(matches!(
        closed,
        StorageError::Conflict(Conflict::AttemptClosed)
    ));
    assert!(
        w.mem
            .overdue_attempts(deadline + Duration::hours(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn lesson_positions_are_assigned_and_compacted() {
    let w = world().await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let lesson = Lesson {
            id: LessonId::new(),
            course_id: w.course.id,
            title: Title::parse(&format!("Урок {i}")).unwrap(),
            body: RichText::default(),
            position: 42,
            publish_at: None,
            published: true,
            attachments: Vec::new(),
            created_at: t0(),
        };
        let stored = w.mem.insert_lesson(&lesson).await.unwrap();
        assert_eq!(stored.position, i);
        ids.push(stored.id);
    }
    assert!(w.mem.delete_lesson(ids[1]).await.unwrap());
    assert!(!w.mem.delete_lesson(ids[1]).await.unwrap());
    let left: Vec<(LessonId, u32)> = w
        .mem
        .list_lessons(w.course.id)
        .await
        .unwrap()
        .iter()
        .map(|l| (l.id, l.position))
        .collect();
    assert_eq!(left, vec![(ids[0], 0), (ids[2], 1)]);

    let stale = w.mem.reorder_lessons(w.course.id, &[ids[2], ids[1]]).await;
    assert!(matches!(
        stale,
        Err(StorageError::Conflict(Conflict::Stale))
    ));
    w.mem
        .reorder_lessons(w.course.id, &[ids[2], ids[0]])
        .await
        .unwrap();
    let order: Vec<LessonId> = w
        .mem
        .list_lessons(w.course.id)
        .await
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(order, vec![ids[2], ids[0]]);
}

#[tokio::test]
async fn telegram_tokens_work_once_and_chats_have_one_owner() {
    let w = world().await;
    let other = user(Role::Student, "other@school.ru");
    w.mem.insert_user(&other, None).await.unwrap();
    let token = TelegramLinkToken {
        token_hash: TokenHash::of("secret"),
        user_id: w.student.id,
        expires_at: t0() + Duration::minutes(10),
    };
    w.mem.insert_telegram_token(&token).await.unwrap();
    let hash = TokenHash::of("secret");
    assert_eq!(
        w.mem.consume_telegram_token(&hash, t0()).await.unwrap(),
        Some(w.student.id)
    );
    assert_eq!(
        w.mem.consume_telegram_token(&hash, t0()).await.unwrap(),
        None
    );

    w.mem.insert_telegram_token(&token).await.unwrap();
    let expired = w
        .mem
        .consume_telegram_token(&hash, token.expires_at)
        .await
        .unwrap();
    assert_eq!(expired, None, "a token is dead at its expiry instant");

    w.mem
        .set_telegram_chat(w.student.id, Some(555))
        .await
        .unwrap();
    w.mem.set_telegram_chat(other.id, Some(555)).await.unwrap();
    let profiles = w
        .mem
        .delivery_profiles(&[w.student.id, other.id, UserId::new()])
        .await
        .unwrap();
    let linked: Vec<(UserId, bool)> = profiles
        .iter()
        .map(|p| (p.user_id, p.telegram_linked))
        .collect();
    assert_eq!(linked, vec![(w.student.id, false), (other.id, true)]);
    assert_eq!(
        profiles[0].preferences,
        NotificationPreferences::defaults(w.student.id)
    );
    assert_eq!(
        w.mem
            .recipient(other.id)
            .await
            .unwrap()
            .unwrap()
            .telegram_chat_id,
        Some(555)
    );
    assert_eq!(
        w.mem.unlink_telegram_chat(555).await.unwrap(),
        Some(other.id)
    );
    assert_eq!(w.mem.unlink_telegram_chat(555).await.unwrap(), None);
}

#[tokio::test]
async fn deadline_targets_apply_extensions_and_flag_hand_ins() {
    let w = world().await;
    let late_student = user(Role::Student, "late@school.ru");
    w.mem.insert_user(&late_student, None).await.unwrap();
    w.mem
        .enroll(&Enrollment {
            course_id: w.course.id,
            student_id: late_student.id,
            source: EnrollmentSource::InviteCode,
            enrolled_at: t0(),
        })
        .await
        .unwrap();
    let extended = t0() + Duration::days(3);
    w.mem
        .upsert_extension(&Extension {
            assignment_id: w.assignment.id,
            student_id: late_student.id,
            due_at: extended,
            cut_off_at: None,
            granted_by: w.course.owner_id,
            granted_at: t0(),
        })
        .await
        .unwrap();
    w.mem.hand_in(&hand_in(&w, None, t0())).await.unwrap();

    let day = w
        .mem
        .deadline_targets(
            w.assignment.due_at,
            w.assignment.due_at + Duration::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(day.len(), 1);
    assert_eq!(
        (day[0].student_id, day[0].due_at, day[0].submitted),
        (w.student.id, w.assignment.due_at, true)
    );
    assert_eq!(day[0].course_title, "Алгебра");
    let none = w
        .mem
        .deadline_targets(t0(), w.assignment.due_at)
        .await
        .unwrap();
    assert!(none.is_empty(), "the range is half-open");
    let ext = w
        .mem
        .deadline_targets(extended, extended + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        ext.iter()
            .map(|t| (t.student_id, t.submitted))
            .collect::<Vec<_>>(),
        vec![(late_student.id, false)]
    );

    // A draft course has no reminders.
    let draft = Course {
        status: CourseStatus::Draft,
        ..w.course.clone()
    };
    w.mem.update_course(&draft).await.unwrap();
    let all = w
        .mem
        .deadline_targets(t0(), extended + Duration::days(1))
        .await
        .unwrap();
    assert!(all.is_empty());
}
