//! Small builders of valid entities and assertion helpers for the storage
//! conformance suite. Builders only construct values; the `add_*` helpers
//! also store them through the ports, so every case creates its own data.
//!
//! Every instant is a whole second after [`t0`], so adapters that keep
//! microseconds (PostgreSQL) or text (SQLite) round-trip them exactly.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use chrono::{DateTime, Duration, TimeZone as _, Utc};

use crate::achievement::{Achievement, Badge};
use crate::course::{
    Course, CourseStatus, Enrollment, EnrollmentSource, InviteCode, Lesson, Title,
};
use crate::error::{Conflict, StorageError, StorageResult};
use crate::file::{FileLimits, FileName, FileRef};
use crate::homework::{
    Assignment, AuditAction, Grade, GradeAuditEntry, HandIn, LatePolicy, Review, SubmissionKind,
    SubmissionState, SubmissionVersion,
};
use crate::ids::{
    AssignmentId, AttemptId, AuditId, CourseId, FileId, LessonId, OptionId, QuestionId, QuizId,
    SubmissionId, SubmissionVersionId, UserId, WebinarId,
};
use crate::notification::{Channel, Notification, OutboxEntry};
use crate::ports::Storage;
use crate::quiz::{
    Attempt, AttemptResult, AttemptState, Choice, FinishAttempt, Question, QuestionBody,
    QuestionScore, Quiz, QuizSettings,
};
use crate::richtext::RichText;
use crate::score::Points;
use crate::user::{DisplayName, Email, Locale, PasswordHash, Role, TimeZone, User};
use crate::webinar::{ProviderKind, Webinar, WebinarState};

/// The instant every case measures time from: 2030-03-04 09:00:00 UTC.
#[must_use]
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 4, 9, 0, 0)
        .single()
        .expect("t0 is a valid instant")
}

/// `minutes` after [`t0`] (before it when negative).
#[must_use]
pub fn at(minutes: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minutes)
}

/// `seconds` after [`t0`] (before it when negative).
#[must_use]
pub fn at_secs(seconds: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(seconds)
}

/// `days` after [`t0`] (before it when negative).
#[must_use]
pub fn day(days: i64) -> DateTime<Utc> {
    t0() + Duration::days(days)
}

/// Unwraps a storage result, panicking with `what` and the error.
#[track_caller]
pub fn ok<T>(result: StorageResult<T>, what: &str) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("{what}: expected success, got error {e:?}"),
    }
}

/// Asserts that a storage call was refused with `Conflict(expected)`.
#[track_caller]
pub fn assert_conflict<T: Debug>(result: StorageResult<T>, expected: Conflict, what: &str) {
    match result {
        Err(StorageError::Conflict(c)) if c == expected => {}
        other => panic!("{what}: expected Err(Conflict({expected:?})), got {other:?}"),
    }
}

/// Asserts that a storage call was refused with `NotFound`.
#[track_caller]
pub fn assert_not_found<T: Debug>(result: StorageResult<T>, what: &str) {
    match result {
        Err(StorageError::NotFound) => {}
        other => panic!("{what}: expected Err(NotFound), got {other:?}"),
    }
}

/// Sorted copy of a list of ids (for comparing sets when no order is promised).
#[must_use]
pub fn sorted<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    let mut v = items.to_vec();
    v.sort();
    v
}

/// Gives other tasks a turn once (a runtime-independent `yield_now`).
pub async fn yield_now() {
    struct YieldNow(bool);
    impl Future for YieldNow {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
    YieldNow(false).await;
}

/// Runs a storage call, repeating it while it fails with
/// `StorageError::Transient` (which promises that the same call may succeed
/// later), at most 200 times. Used by the concurrency cases, where an
/// embedded database may report a busy lock.
pub async fn retry_transient<T, F, Fut>(mut call: F) -> StorageResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StorageResult<T>>,
{
    let mut tries = 0;
    loop {
        match call().await {
            Err(e) if e.is_transient() && tries < 200 => {
                tries += 1;
                yield_now().await;
            }
            other => return other,
        }
    }
}

// ---------------------------------------------------------------- users

/// An active user of `role` with a fresh unique e-mail address, created at [`t0`].
#[must_use]
pub fn user(role: Role) -> User {
    let id = UserId::new();
    user_with_email(role, &format!("{}-{}@school.example", role.as_str(), id))
}

/// An active user of `role` with this e-mail address, created at [`t0`].
#[must_use]
pub fn user_with_email(role: Role, email: &str) -> User {
    User {
        id: UserId::new(),
        email: Email::parse(email).expect("fixture e-mail is valid"),
        display_name: DisplayName::parse("Анна Петрова").expect("fixture name is valid"),
        role,
        locale: Locale::Ru,
        time_zone: TimeZone::default(),
        active: true,
        created_at: t0(),
    }
}

/// A password hash as an embedder's hasher would produce it.
#[must_use]
pub fn password_hash(tag: &str) -> PasswordHash {
    PasswordHash(format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${tag}"))
}

/// Stores a new user of `role` (with a password) and returns it.
pub async fn add_user(storage: &Storage, role: Role) -> User {
    let u = user(role);
    ok(
        storage
            .users
            .insert_user(&u, Some(password_hash("fixture")))
            .await,
        "insert fixture user",
    );
    u
}

// ---------------------------------------------------------------- courses

/// A course owned by `owner` in `status` with a fresh invite code.
#[must_use]
pub fn course(owner: UserId, status: CourseStatus, created_at: DateTime<Utc>) -> Course {
    Course {
        id: CourseId::new(),
        title: Title::parse("Алгебра, 9 класс").expect("fixture title is valid"),
        description: RichText::sanitize("<p>Подготовка к <strong>ОГЭ</strong></p>"),
        owner_id: owner,
        status,
        invite_code: Some(InviteCode::generate()),
        cover: None,
        created_at,
    }
}

/// Stores a course of `owner` in `status`, created at [`t0`].
pub async fn add_course(storage: &Storage, owner: UserId, status: CourseStatus) -> Course {
    let c = course(owner, status, t0());
    ok(
        storage.courses.insert_course(&c).await,
        "insert fixture course",
    );
    c
}

/// Enrols `student` in `course` by staff at [`t0`].
pub async fn enroll(storage: &Storage, course: CourseId, student: UserId) {
    let e = Enrollment {
        course_id: course,
        student_id: student,
        source: EnrollmentSource::Staff,
        enrolled_at: t0(),
    };
    ok(storage.courses.enroll(&e).await, "enrol fixture student");
}

/// A teacher, a student and a published course of the teacher the student
/// is enrolled in.
#[derive(Debug, Clone)]
pub struct Class {
    /// The owner of the course.
    pub teacher: User,
    /// The enrolled student.
    pub student: User,
    /// The published course.
    pub course: Course,
}

/// Stores a published course with its teacher and one enrolled student.
pub async fn published_course_with_student(storage: &Storage) -> Class {
    let teacher = add_user(storage, Role::Teacher).await;
    let student = add_user(storage, Role::Student).await;
    let course = add_course(storage, teacher.id, CourseStatus::Published).await;
    enroll(storage, course.id, student.id).await;
    Class {
        teacher,
        student,
        course,
    }
}

/// A file reference uploaded by `by`.
#[must_use]
pub fn file_ref(by: UserId, name: &str) -> FileRef {
    let id = FileId::new();
    FileRef {
        id,
        name: FileName::sanitize(name),
        content_type: "application/pdf".to_owned(),
        size: 12_345,
        storage_key: format!("files/{id}"),
        uploaded_by: by,
        uploaded_at: t0(),
    }
}

/// A lesson of `course` visible at once (position 0: storage assigns it).
#[must_use]
pub fn lesson(course: CourseId, title: &str) -> Lesson {
    Lesson {
        id: LessonId::new(),
        course_id: course,
        title: Title::parse(title).expect("fixture title is valid"),
        body: RichText::sanitize("<h2>Теория</h2><p>Квадратные уравнения</p>"),
        position: 0,
        publish_at: None,
        published: true,
        attachments: Vec::new(),
        created_at: t0(),
    }
}

/// Stores a lesson at the end of `course` and returns it as stored.
pub async fn add_lesson(storage: &Storage, course: CourseId, title: &str) -> Lesson {
    ok(
        storage.courses.insert_lesson(&lesson(course, title)).await,
        "insert fixture lesson",
    )
}

// ---------------------------------------------------------------- homework

/// A published text assignment of `course` due at `due_at` (opens a week
/// before, no cut-off, 10 points, no late penalty).
#[must_use]
pub fn assignment(course: CourseId, due_at: DateTime<Utc>) -> Assignment {
    Assignment {
        id: AssignmentId::new(),
        course_id: course,
        title: Title::parse("Домашнее задание 1").expect("fixture title is valid"),
        instructions: RichText::sanitize("<p>Решите задачи 1–5</p>"),
        attachments: Vec::new(),
        opens_at: due_at - Duration::days(7),
        due_at,
        cut_off_at: None,
        max_score: Points::new(10.0).expect("fixture points are valid"),
        late_policy: LatePolicy::NoPenalty,
        submission_kind: SubmissionKind::Text,
        file_limits: FileLimits::default(),
        published: true,
        created_at: t0(),
    }
}

/// Stores a published assignment of `course` due at `due_at`.
pub async fn add_assignment(
    storage: &Storage,
    course: CourseId,
    due_at: DateTime<Utc>,
) -> Assignment {
    let a = assignment(course, due_at);
    ok(
        storage.homework.insert_assignment(&a, &[]).await,
        "insert fixture assignment",
    );
    a
}

/// A hand-in of a text answer to `assignment` by `student` at `submitted_at`,
/// late (and `SubmittedLate`) after the due date, with an optional
/// idempotency key and no messages or awards.
#[must_use]
pub fn hand_in(
    assignment: &Assignment,
    student: UserId,
    submitted_at: DateTime<Utc>,
    key: Option<&str>,
) -> HandIn {
    let late = submitted_at > assignment.due_at;
    HandIn {
        new_submission_id: SubmissionId::new(),
        assignment_id: assignment.id,
        student_id: student,
        version: SubmissionVersion {
            id: SubmissionVersionId::new(),
            submission_id: SubmissionId::new(),
            number: 0,
            text: Some(RichText::sanitize("<p>x = 2 или x = 3</p>")),
            files: Vec::new(),
            submitted_at,
            late,
            idempotency_key: key.map(str::to_owned),
        },
        state: if late {
            SubmissionState::SubmittedLate
        } else {
            SubmissionState::Submitted
        },
        outbox: Vec::new(),
        awards: Vec::new(),
        max_versions: 20,
    }
}

/// Stores a hand-in and returns the submission, panicking on `Duplicate`.
pub async fn add_hand_in(
    storage: &Storage,
    assignment: &Assignment,
    student: UserId,
    submitted_at: DateTime<Utc>,
) -> crate::homework::Submission {
    match ok(
        storage
            .homework
            .hand_in(&hand_in(assignment, student, submitted_at, None))
            .await,
        "fixture hand-in",
    ) {
        crate::homework::HandInOutcome::Stored(s) => s,
        other => panic!("fixture hand-in without a key must be stored, got {other:?}"),
    }
}

/// `value` points (panics when out of range).
#[must_use]
pub fn points(value: f64) -> Points {
    Points::new(value).expect("fixture points are valid")
}

/// A grade of `raw` points (no penalty) of version `version`.
#[must_use]
pub fn grade(raw: f64, grader: UserId, graded_at: DateTime<Utc>, version: u32) -> Grade {
    Grade {
        raw_score: points(raw),
        kept_percent: 100,
        final_score: points(raw),
        feedback: RichText::sanitize("<p>Хорошо</p>"),
        graded_by: grader,
        graded_at,
        version,
    }
}

/// A review grading version `expected_version` of `submission` with `raw` points.
#[must_use]
pub fn grade_review(
    submission: SubmissionId,
    expected_version: u32,
    grader: UserId,
    reviewed_at: DateTime<Utc>,
    raw: f64,
) -> Review {
    let g = grade(raw, grader, reviewed_at, expected_version);
    Review {
        submission_id: submission,
        expected_version,
        state: SubmissionState::Graded,
        audit: GradeAuditEntry {
            id: AuditId::new(),
            submission_id: submission,
            actor_id: grader,
            at: reviewed_at,
            action: AuditAction::Graded {
                raw_score: g.raw_score,
                final_score: g.final_score,
                previous_final_score: None,
            },
            feedback: g.feedback.clone(),
        },
        grade: Some(g),
        rework_feedback: None,
        outbox: Vec::new(),
        awards: Vec::new(),
    }
}

/// A review returning version `expected_version` of `submission` for rework.
#[must_use]
pub fn return_review(
    submission: SubmissionId,
    expected_version: u32,
    grader: UserId,
    reviewed_at: DateTime<Utc>,
) -> Review {
    let feedback = RichText::sanitize("<p>Перепишите решение задачи 3</p>");
    Review {
        submission_id: submission,
        expected_version,
        state: SubmissionState::ReturnedForRework,
        grade: None,
        rework_feedback: Some(feedback.clone()),
        audit: GradeAuditEntry {
            id: AuditId::new(),
            submission_id: submission,
            actor_id: grader,
            at: reviewed_at,
            action: AuditAction::Returned,
            feedback,
        },
        outbox: Vec::new(),
        awards: Vec::new(),
    }
}

// ---------------------------------------------------------------- quizzes

/// A published quiz of `course` with default settings (one attempt, no time
/// limit), created at `created_at`.
#[must_use]
pub fn quiz(course: CourseId, created_at: DateTime<Utc>) -> Quiz {
    Quiz {
        id: QuizId::new(),
        course_id: course,
        title: Title::parse("Тест по теме «Дроби»").expect("fixture title is valid"),
        description: RichText::sanitize("<p>10 минут</p>"),
        settings: QuizSettings::default(),
        published: true,
        created_at,
    }
}

/// A true/false question of `quiz` worth one point (position 0: storage assigns it).
#[must_use]
pub fn true_false_question(quiz: QuizId, correct: bool) -> Question {
    Question {
        id: QuestionId::new(),
        quiz_id: quiz,
        position: 0,
        prompt: RichText::sanitize("<p>1/2 больше 1/3?</p>"),
        points: points(1.0),
        body: QuestionBody::TrueFalse { correct },
        explanation: None,
    }
}

/// A single-choice question of `quiz` worth two points with an explanation.
#[must_use]
pub fn single_choice_question(quiz: QuizId) -> Question {
    let right = Choice {
        id: OptionId::new(),
        text: "3/4".to_owned(),
    };
    let wrong = Choice {
        id: OptionId::new(),
        text: "2/3".to_owned(),
    };
    Question {
        id: QuestionId::new(),
        quiz_id: quiz,
        position: 0,
        prompt: RichText::sanitize("<p>1/2 + 1/4 = ?</p>"),
        points: points(2.0),
        body: QuestionBody::SingleChoice {
            correct: right.id,
            options: vec![wrong, right],
        },
        explanation: Some(RichText::sanitize("<p>Приведите к знаменателю 4</p>")),
    }
}

/// Stores a published quiz of `course` (created at `created_at`) with `n`
/// true/false questions; returns the quiz and its questions as stored.
pub async fn add_quiz_with_questions(
    storage: &Storage,
    course: CourseId,
    created_at: DateTime<Utc>,
    n: usize,
) -> (Quiz, Vec<Question>) {
    let q = quiz(course, created_at);
    ok(storage.quizzes.insert_quiz(&q).await, "insert fixture quiz");
    let mut questions = Vec::with_capacity(n);
    for i in 0..n {
        questions.push(ok(
            storage
                .quizzes
                .insert_question(&true_false_question(q.id, i % 2 == 0))
                .await,
            "insert fixture question",
        ));
    }
    (q, questions)
}

/// An open attempt at `quiz` by `student` (number 0: storage assigns it).
#[must_use]
pub fn attempt(
    quiz: &Quiz,
    questions: &[Question],
    student: UserId,
    started_at: DateTime<Utc>,
    deadline: Option<DateTime<Utc>>,
) -> Attempt {
    Attempt {
        id: AttemptId::new(),
        quiz_id: quiz.id,
        student_id: student,
        number: 0,
        seed: 42,
        question_order: questions.iter().map(|q| q.id).collect(),
        drawn: Vec::new(),
        started_at,
        deadline,
        state: AttemptState::Open,
        answers: BTreeMap::new(),
        saved_at: None,
        finished_at: None,
        result: None,
        submit_key: None,
    }
}

/// A result giving every question `per_question` points out of `max_each`.
#[must_use]
pub fn attempt_result(questions: &[Question], per_question: f64, max_each: f64) -> AttemptResult {
    let n = questions.len() as f64;
    AttemptResult {
        per_question: questions
            .iter()
            .map(|q| (q.id, QuestionScore::Scored(points(per_question))))
            .collect(),
        score: points(per_question * n),
        max_score: points(max_each * n),
        pending_manual: false,
    }
}

/// A student's submit of `attempt`, whose answers were never saved, at
/// `finished_at` with `result` (set `expected_saved_at` after a save).
#[must_use]
pub fn finish(
    attempt: AttemptId,
    finished_at: DateTime<Utc>,
    result: AttemptResult,
) -> FinishAttempt {
    FinishAttempt {
        attempt_id: attempt,
        state: AttemptState::Submitted,
        finished_at,
        result,
        expected_saved_at: None,
        submit_key: Some(format!("submit-{attempt}")),
        outbox: Vec::new(),
        awards: Vec::new(),
    }
}

// ---------------------------------------------------------------- notifications

/// A pending e-mail outbox entry to `recipient` for the event `event`,
/// enqueued and due at `due`.
#[must_use]
pub fn outbox_entry(recipient: UserId, event: &str, due: DateTime<Utc>) -> OutboxEntry {
    OutboxEntry::new(
        recipient,
        Channel::Email,
        event,
        Notification::NewAssignment {
            course_id: CourseId::new(),
            course_title: "Алгебра".to_owned(),
            assignment_id: AssignmentId::new(),
            title: "ДЗ 1".to_owned(),
            due_at: day(7),
        },
        due,
    )
}

/// An award of `badge` to `user` in `course` (scoped only for per-course badges).
#[must_use]
pub fn award(user: UserId, badge: Badge, course: CourseId, at: DateTime<Utc>) -> Achievement {
    Achievement::new(user, badge, course, at)
}

// ---------------------------------------------------------------- webinars

/// A scheduled 60-minute external-link webinar of `course` starting at `starts_at`.
#[must_use]
pub fn webinar(course: CourseId, creator: UserId, starts_at: DateTime<Utc>) -> Webinar {
    let id = WebinarId::new();
    Webinar {
        id,
        course_id: course,
        title: Title::parse("Разбор домашнего задания").expect("fixture title is valid"),
        starts_at,
        duration_minutes: 60,
        provider: ProviderKind::ExternalLink,
        conference_id: Some(format!("conf-{id}")),
        join_url: format!("https://meet.example/{id}"),
        host_url: Some(format!("https://meet.example/{id}?host=1")),
        state: WebinarState::Scheduled,
        created_by: creator,
        created_at: t0(),
    }
}

/// Stores a scheduled webinar of `course` starting at `starts_at`.
pub async fn add_webinar(
    storage: &Storage,
    course: CourseId,
    creator: UserId,
    starts_at: DateTime<Utc>,
) -> Webinar {
    let w = webinar(course, creator, starts_at);
    ok(
        storage.webinars.insert_webinar(&w, &[]).await,
        "insert fixture webinar",
    );
    w
}
