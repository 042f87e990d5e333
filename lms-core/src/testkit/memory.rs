//! [`MemoryStorage`]: every storage port of the core, in memory.
//!
//! It is the reference adapter: the conformance suite is first run against
//! it, and embedders use it in their own tests and examples. All state lives
//! behind one [`std::sync::Mutex`] that is never held across an `.await`, so
//! every call is atomic. Combined writes (a hand-in with its messages and
//! badges, a review, finishing an attempt, ...) first check every rule and
//! only then apply every change: a call that fails changes nothing.
//!
//! ```ignore
//! // Needs the `testkit` feature of lms-core.
//! use lms_core::testkit::memory::MemoryStorage;
//!
//! let storage = MemoryStorage::storage();
//! let users = storage.users.list_users(lms_core::Page::first()).await?;
//! assert!(users.is_empty());
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::achievement::{Achievement, AchievementStore, Badge};
use crate::course::{
    Course, CourseMembership, CourseRole, CourseStatus, CourseStore, Enrollment, InviteCode, Lesson,
};
use crate::dashboard::{
    DashboardStore, StaffCourseData, StaffSnapshot, StudentCourseData, StudentSnapshot,
};
use crate::error::{Conflict, StorageError, StorageResult};
use crate::file::{FileOwner, FileRef, FileRegistry, UploadUsage};
use crate::homework::{
    Assignment, Extension, GradeAuditEntry, HandIn, HandInOutcome, HomeworkStore,
    PendingSubmission, Review, Submission, SubmissionState, SubmissionVersion, effective_deadline,
};
use crate::idempotency::{Begin, IdempotencyKey, IdempotencyStore, StoredResponse};
use crate::ids::{
    AssignmentId, AttemptId, CourseId, FileId, LessonId, OutboxId, QuestionId, QuizId,
    SubmissionId, UserId, WebinarId,
};
use crate::notification::{
    DeadlineTarget, DeliveryProfile, NotificationPreferences, NotificationStore, OpeningTarget,
    OutboxEntry, OutboxStatus, Recipient, TelegramLinkToken,
};
use crate::page::Page;
use crate::ports::Storage;
use crate::quiz::{
    Answer, Attempt, AttemptResult, AttemptState, FinishAttempt, Question, Quiz, QuizStore,
};
use crate::schedule::{ScheduleSources, ScheduleStore};
use crate::score::Points;
use crate::transfer::{
    AssistantRecord, FileRecord, LessonViewRecord, SchoolDump, SchoolTransfer, TelegramChatRecord,
    UserRecord,
};
use crate::user::{
    Email, LoginCounter, PasswordHash, Session, SessionStore, ThrottleKey, TokenHash, User,
    UserStore,
};
use crate::webinar::{Webinar, WebinarState, WebinarStore};

/// An in-memory implementation of every storage port.
///
/// Create one with [`MemoryStorage::new`] and hand it to services through
/// [`Storage::from_adapter`], or get a fresh bundle with
/// [`MemoryStorage::storage`]. Nothing survives the process.
#[derive(Debug, Default)]
pub struct MemoryStorage {
    state: Mutex<State>,
}

impl MemoryStorage {
    /// An empty storage.
    #[must_use]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Every port of a fresh, empty storage.
    #[must_use]
    pub fn storage() -> Storage {
        Storage::from_adapter(Self::new())
    }

    /// The state; a panic elsewhere never leaves it half-written (every
    /// write checks first and applies after), so a poisoned lock is safe to use.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A stored value with its insertion sequence number, the tie-breaker that
/// makes every ordering deterministic.
#[derive(Debug, Clone)]
struct Row<T> {
    value: T,
    seq: u64,
}

/// A user with their credentials.
#[derive(Debug, Clone)]
struct UserRow {
    user: User,
    password: Option<PasswordHash>,
    feed_token: Option<TokenHash>,
    seq: u64,
}

#[derive(Debug, Default)]
struct State {
    seq: u64,
    users: HashMap<UserId, UserRow>,
    sessions: HashMap<TokenHash, Session>,
    login_counters: HashMap<ThrottleKey, LoginCounter>,
    courses: HashMap<CourseId, Row<Course>>,
    /// (course, assistant) in the order assigned.
    assistants: Vec<(CourseId, UserId)>,
    /// In the order enrolled.
    enrollments: Vec<Row<Enrollment>>,
    lessons: HashMap<LessonId, Lesson>,
    lesson_views: HashMap<(LessonId, UserId), DateTime<Utc>>,
    assignments: HashMap<AssignmentId, Row<Assignment>>,
    extensions: Vec<Row<Extension>>,
    submissions: HashMap<SubmissionId, Row<Submission>>,
    audit: Vec<Row<GradeAuditEntry>>,
    quizzes: HashMap<QuizId, Row<Quiz>>,
    questions: HashMap<QuestionId, Question>,
    attempts: HashMap<AttemptId, Row<Attempt>>,
    webinars: HashMap<WebinarId, Row<Webinar>>,
    /// In the order enqueued.
    outbox: Vec<OutboxEntry>,
    preferences: HashMap<UserId, NotificationPreferences>,
    telegram_tokens: HashMap<TokenHash, TelegramLinkToken>,
    telegram_chats: HashMap<UserId, i64>,
    achievements: Vec<Achievement>,
    files: HashMap<FileId, (FileRef, FileOwner)>,
    idempotency: HashMap<(UserId, String, String), IdempotencyRecord>,
}

/// A stored idempotency record.
#[derive(Debug, Clone)]
struct IdempotencyRecord {
    request_hash: String,
    state: IdempotencyState,
}

#[derive(Debug, Clone)]
enum IdempotencyState {
    InProgress {
        locked_until: DateTime<Utc>,
    },
    Completed {
        response: StoredResponse,
        expires_at: DateTime<Utc>,
    },
}

fn idempotency_key(key: &IdempotencyKey) -> (UserId, String, String) {
    (key.user(), key.scope().to_owned(), key.key().to_owned())
}

fn conflict<T>(kind: Conflict) -> StorageResult<T> {
    Err(StorageError::Conflict(kind))
}

/// Unique key of an award: the course only counts for per-course badges.
fn award_scope(a: &Achievement) -> (UserId, Badge, Option<CourseId>) {
    (
        a.user_id,
        a.badge,
        a.course_id.filter(|_| a.badge.is_per_course()),
    )
}

/// Whether `order` lists exactly the ids of `current`, each once.
fn is_permutation<T: Eq + std::hash::Hash + Copy>(current: &[T], order: &[T]) -> bool {
    let given: HashSet<T> = order.iter().copied().collect();
    given.len() == order.len()
        && order.len() == current.len()
        && current.iter().all(|id| given.contains(id))
}

/// Newest first, insertion order breaking ties (newest inserted first).
fn newest_first<T: Clone>(rows: Vec<&Row<T>>, at: impl Fn(&T) -> DateTime<Utc>) -> Vec<T> {
    let mut rows = rows;
    rows.sort_by(|a, b| at(&b.value).cmp(&at(&a.value)).then(b.seq.cmp(&a.seq)));
    rows.into_iter().map(|r| r.value.clone()).collect()
}

/// Oldest first by `at`, insertion order breaking ties.
fn oldest_first<T: Clone>(rows: Vec<&Row<T>>, at: impl Fn(&T) -> DateTime<Utc>) -> Vec<T> {
    let mut rows = rows;
    rows.sort_by(|a, b| at(&a.value).cmp(&at(&b.value)).then(a.seq.cmp(&b.seq)));
    rows.into_iter().map(|r| r.value.clone()).collect()
}

/// When a submission was first handed in.
fn first_hand_in(s: &Submission) -> DateTime<Utc> {
    s.versions.first().map_or(s.updated_at, |v| v.submitted_at)
}

/// When the latest version of a submission was handed in.
fn latest_hand_in(s: &Submission) -> DateTime<Utc> {
    s.latest().map_or(s.updated_at, |v| v.submitted_at)
}

fn is_pending(s: &Submission) -> bool {
    matches!(
        s.state,
        SubmissionState::Submitted | SubmissionState::SubmittedLate
    )
}

impl State {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    // ---- users -------------------------------------------------------------

    fn user_by_email(&self, email: &Email) -> Option<&UserRow> {
        self.users.values().find(|r| &r.user.email == email)
    }

    // ---- courses -----------------------------------------------------------

    fn invite_code_taken(&self, code: Option<&InviteCode>, except: CourseId) -> bool {
        code.is_some_and(|code| {
            self.courses
                .values()
                .any(|r| r.value.id != except && r.value.invite_code.as_ref() == Some(code))
        })
    }

    fn is_assistant(&self, course: CourseId, user: UserId) -> bool {
        self.assistants.contains(&(course, user))
    }

    fn is_enrolled(&self, course: CourseId, student: UserId) -> bool {
        self.enrollments
            .iter()
            .any(|e| e.value.course_id == course && e.value.student_id == student)
    }

    fn membership(&self, course: CourseId, user: UserId) -> Option<CourseRole> {
        let c = &self.courses.get(&course)?.value;
        if c.owner_id == user {
            Some(CourseRole::Owner)
        } else if self.is_assistant(course, user) {
            Some(CourseRole::Assistant)
        } else if self.is_enrolled(course, user) {
            Some(CourseRole::Student)
        } else {
            None
        }
    }

    /// Courses the user is a member of with their role, newest first.
    fn member_courses(&self, user: UserId) -> Vec<CourseMembership> {
        let mut rows: Vec<(&Row<Course>, CourseRole)> = self
            .courses
            .values()
            .filter_map(|r| self.membership(r.value.id, user).map(|role| (r, role)))
            .collect();
        rows.sort_by(|(a, _), (b, _)| {
            b.value
                .created_at
                .cmp(&a.value.created_at)
                .then(b.seq.cmp(&a.seq))
        });
        rows.into_iter()
            .map(|(r, role)| CourseMembership {
                course: r.value.clone(),
                role,
            })
            .collect()
    }

    fn enrolled_students(&self, course: CourseId) -> Vec<UserId> {
        self.enrollments
            .iter()
            .filter(|e| e.value.course_id == course)
            .map(|e| e.value.student_id)
            .collect()
    }

    fn lessons_of(&self, course: CourseId) -> Vec<Lesson> {
        let mut lessons: Vec<Lesson> = self
            .lessons
            .values()
            .filter(|l| l.course_id == course)
            .cloned()
            .collect();
        lessons.sort_by_key(|l| l.position);
        lessons
    }

    // ---- homework ----------------------------------------------------------

    fn assignments_of(&self, course: CourseId) -> Vec<Assignment> {
        let mut rows: Vec<&Row<Assignment>> = self
            .assignments
            .values()
            .filter(|r| r.value.course_id == course)
            .collect();
        rows.sort_by(|a, b| {
            a.value
                .due_at
                .cmp(&b.value.due_at)
                .then(a.value.created_at.cmp(&b.value.created_at))
                .then(a.seq.cmp(&b.seq))
        });
        rows.into_iter().map(|r| r.value.clone()).collect()
    }

    fn course_of_assignment(&self, assignment: AssignmentId) -> Option<CourseId> {
        self.assignments.get(&assignment).map(|r| r.value.course_id)
    }

    fn extension(&self, assignment: AssignmentId, student: UserId) -> Option<&Extension> {
        self.extensions
            .iter()
            .map(|r| &r.value)
            .find(|e| e.assignment_id == assignment && e.student_id == student)
    }

    /// A student's extensions on assignments of a course.
    fn student_extensions_in(&self, course: CourseId, student: UserId) -> Vec<Extension> {
        let rows = self
            .extensions
            .iter()
            .filter(|r| {
                r.value.student_id == student
                    && self.course_of_assignment(r.value.assignment_id) == Some(course)
            })
            .collect();
        oldest_first(rows, |e| e.granted_at)
    }

    fn submission_of(&self, assignment: AssignmentId, student: UserId) -> Option<&Row<Submission>> {
        self.submissions
            .values()
            .find(|r| r.value.assignment_id == assignment && r.value.student_id == student)
    }

    /// Submissions matching `keep`, oldest first hand-in first.
    fn submissions_where(&self, keep: impl Fn(&Submission) -> bool) -> Vec<Submission> {
        let rows = self
            .submissions
            .values()
            .filter(|r| keep(&r.value))
            .collect();
        oldest_first(rows, first_hand_in)
    }

    fn course_submissions(&self, course: CourseId) -> Vec<Submission> {
        self.submissions_where(|s| self.course_of_assignment(s.assignment_id) == Some(course))
    }

    /// Submissions waiting for a grade in `courses`, oldest latest hand-in first.
    fn pending(&self, courses: &[CourseId]) -> Vec<PendingSubmission> {
        let mut rows: Vec<(&Row<Submission>, CourseId)> = self
            .submissions
            .values()
            .filter(|r| is_pending(&r.value))
            .filter_map(|r| {
                self.course_of_assignment(r.value.assignment_id)
                    .filter(|c| courses.contains(c))
                    .map(|c| (r, c))
            })
            .collect();
        rows.sort_by(|(a, _), (b, _)| {
            latest_hand_in(&a.value)
                .cmp(&latest_hand_in(&b.value))
                .then(a.seq.cmp(&b.seq))
        });
        rows.into_iter()
            .map(|(r, course_id)| PendingSubmission {
                submission: r.value.clone(),
                assignment_id: r.value.assignment_id,
                course_id,
            })
            .collect()
    }

    // ---- quizzes -----------------------------------------------------------

    fn quizzes_of(&self, course: CourseId) -> Vec<Quiz> {
        let rows = self
            .quizzes
            .values()
            .filter(|r| r.value.course_id == course)
            .collect();
        oldest_first(rows, |q| q.created_at)
    }

    fn questions_of(&self, quiz: QuizId) -> Vec<Question> {
        let mut questions: Vec<Question> = self
            .questions
            .values()
            .filter(|q| q.quiz_id == quiz)
            .cloned()
            .collect();
        questions.sort_by_key(|q| q.position);
        questions
    }

    fn student_attempts(&self, quiz: QuizId, student: UserId) -> Vec<&Attempt> {
        self.attempts
            .values()
            .map(|r| &r.value)
            .filter(|a| a.quiz_id == quiz && a.student_id == student)
            .collect()
    }

    /// Attempts at quizzes of a course matching `keep`, by start.
    fn course_attempts(&self, course: CourseId, keep: impl Fn(&Attempt) -> bool) -> Vec<Attempt> {
        let rows = self
            .attempts
            .values()
            .filter(|r| {
                keep(&r.value)
                    && self
                        .quizzes
                        .get(&r.value.quiz_id)
                        .is_some_and(|q| q.value.course_id == course)
            })
            .collect();
        oldest_first(rows, |a| a.started_at)
    }

    // ---- webinars ----------------------------------------------------------

    /// Webinars matching `keep`, by start.
    fn webinars_where(&self, keep: impl Fn(&Webinar) -> bool) -> Vec<Webinar> {
        let rows = self.webinars.values().filter(|r| keep(&r.value)).collect();
        oldest_first(rows, |w| w.starts_at)
    }

    /// Scheduled webinars of `courses` that end after `now`.
    fn upcoming_webinars(&self, courses: &[CourseId], now: DateTime<Utc>) -> Vec<Webinar> {
        self.webinars_where(|w| {
            courses.contains(&w.course_id)
                && w.state == WebinarState::Scheduled
                && w.ends_at() > now
        })
    }

    // ---- outbox and awards (parts of combined writes) ----------------------

    /// The entries of `entries` that would be inserted: those whose de-dup
    /// key is neither stored nor earlier in the batch. An entry whose id is
    /// already used under another key breaks the primary key: `Conflict(Other)`.
    fn check_outbox(&self, entries: &[OutboxEntry]) -> StorageResult<Vec<OutboxEntry>> {
        let mut keys: HashSet<&crate::notification::DedupKey> =
            self.outbox.iter().map(|e| &e.dedup_key).collect();
        let mut ids: HashSet<OutboxId> = self.outbox.iter().map(|e| e.id).collect();
        let mut fresh = Vec::new();
        for entry in entries {
            if !keys.insert(&entry.dedup_key) {
                continue;
            }
            if !ids.insert(entry.id) {
                return conflict(Conflict::Other);
            }
            fresh.push(entry.clone());
        }
        Ok(fresh)
    }

    /// The awards of `awards` not yet made (nor earlier in the batch).
    fn new_awards(&self, awards: &[Achievement]) -> Vec<Achievement> {
        let mut scopes: HashSet<_> = self.achievements.iter().map(award_scope).collect();
        awards
            .iter()
            .filter(|a| scopes.insert(award_scope(a)))
            .cloned()
            .collect()
    }

    /// Applies what [`check_outbox`](Self::check_outbox) and
    /// [`new_awards`](Self::new_awards) returned.
    fn apply_outbox_and_awards(&mut self, outbox: Vec<OutboxEntry>, awards: Vec<Achievement>) {
        self.outbox.extend(outbox);
        self.achievements.extend(awards);
    }
}

// ---- users -----------------------------------------------------------------

#[async_trait]
impl UserStore for MemoryStorage {
    async fn insert_user(&self, user: &User, password: Option<PasswordHash>) -> StorageResult<()> {
        let mut st = self.lock();
        if st.user_by_email(&user.email).is_some() {
            return conflict(Conflict::Email);
        }
        if st.users.contains_key(&user.id) {
            return conflict(Conflict::Other);
        }
        let seq = st.next_seq();
        st.users.insert(
            user.id,
            UserRow {
                user: user.clone(),
                password,
                feed_token: None,
                seq,
            },
        );
        Ok(())
    }

    async fn update_user(&self, user: &User) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.users.contains_key(&user.id) {
            return Err(StorageError::NotFound);
        }
        if st
            .user_by_email(&user.email)
            .is_some_and(|r| r.user.id != user.id)
        {
            return conflict(Conflict::Email);
        }
        let row = st.users.get_mut(&user.id).ok_or(StorageError::NotFound)?;
        let created_at = row.user.created_at;
        row.user = User {
            created_at,
            ..user.clone()
        };
        Ok(())
    }

    async fn get_user(&self, id: UserId) -> StorageResult<Option<User>> {
        Ok(self.lock().users.get(&id).map(|r| r.user.clone()))
    }

    async fn get_users(&self, ids: &[UserId]) -> StorageResult<Vec<User>> {
        let st = self.lock();
        let mut seen = HashSet::new();
        Ok(ids
            .iter()
            .filter(|id| seen.insert(**id))
            .filter_map(|id| st.users.get(id).map(|r| r.user.clone()))
            .collect())
    }

    async fn find_user_by_email(&self, email: &Email) -> StorageResult<Option<User>> {
        Ok(self.lock().user_by_email(email).map(|r| r.user.clone()))
    }

    async fn list_users(&self, page: Page) -> StorageResult<Vec<User>> {
        let st = self.lock();
        let mut rows: Vec<&UserRow> = st.users.values().collect();
        rows.sort_by(|a, b| a.user.email.cmp(&b.user.email).then(a.seq.cmp(&b.seq)));
        let users: Vec<User> = rows.into_iter().map(|r| r.user.clone()).collect();
        Ok(page.slice(&users))
    }

    async fn set_password_hash(&self, id: UserId, hash: &PasswordHash) -> StorageResult<()> {
        let mut st = self.lock();
        let row = st.users.get_mut(&id).ok_or(StorageError::NotFound)?;
        row.password = Some(hash.clone());
        Ok(())
    }

    async fn credentials_by_email(
        &self,
        email: &Email,
    ) -> StorageResult<Option<(User, PasswordHash)>> {
        Ok(self
            .lock()
            .user_by_email(email)
            .and_then(|r| r.password.clone().map(|p| (r.user.clone(), p))))
    }

    async fn set_feed_token(&self, id: UserId, hash: &TokenHash) -> StorageResult<()> {
        let mut st = self.lock();
        let row = st.users.get_mut(&id).ok_or(StorageError::NotFound)?;
        row.feed_token = Some(hash.clone());
        Ok(())
    }

    async fn user_by_feed_token(&self, hash: &TokenHash) -> StorageResult<Option<User>> {
        Ok(self
            .lock()
            .users
            .values()
            .find(|r| r.feed_token.as_ref() == Some(hash))
            .map(|r| r.user.clone()))
    }
}

#[async_trait]
impl SessionStore for MemoryStorage {
    async fn insert_session(&self, session: &Session) -> StorageResult<()> {
        let mut st = self.lock();
        if st.sessions.contains_key(&session.token_hash) {
            return conflict(Conflict::Other);
        }
        st.sessions
            .insert(session.token_hash.clone(), session.clone());
        Ok(())
    }

    async fn get_session(&self, hash: &TokenHash) -> StorageResult<Option<Session>> {
        Ok(self.lock().sessions.get(hash).cloned())
    }

    async fn delete_session(&self, hash: &TokenHash) -> StorageResult<()> {
        self.lock().sessions.remove(hash);
        Ok(())
    }

    async fn delete_user_sessions(&self, user: UserId) -> StorageResult<u64> {
        let mut st = self.lock();
        let before = st.sessions.len();
        st.sessions.retain(|_, s| s.user_id != user);
        Ok((before - st.sessions.len()) as u64)
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StorageResult<u64> {
        let mut st = self.lock();
        let before = st.sessions.len();
        st.sessions.retain(|_, s| s.expires_at >= now);
        Ok((before - st.sessions.len()) as u64)
    }

    async fn delete_other_sessions(&self, user: UserId, keep: &TokenHash) -> StorageResult<u64> {
        let mut st = self.lock();
        let before = st.sessions.len();
        st.sessions
            .retain(|hash, s| s.user_id != user || hash == keep);
        Ok((before - st.sessions.len()) as u64)
    }

    async fn charge_login_attempt(
        &self,
        key: &ThrottleKey,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> StorageResult<LoginCounter> {
        let mut st = self.lock();
        let counter = st
            .login_counters
            .entry(key.clone())
            .and_modify(|c| {
                if c.window_started_at <= now - window {
                    *c = LoginCounter {
                        count: 1,
                        window_started_at: now,
                    };
                } else {
                    c.count += 1;
                }
            })
            .or_insert(LoginCounter {
                count: 1,
                window_started_at: now,
            });
        Ok(*counter)
    }

    async fn refund_login_attempt(
        &self,
        key: &ThrottleKey,
        window_started_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        if let Some(c) = self.lock().login_counters.get_mut(key)
            && c.window_started_at == window_started_at
        {
            c.count = c.count.saturating_sub(1);
        }
        Ok(())
    }

    async fn clear_login_attempts(&self, key: &ThrottleKey) -> StorageResult<()> {
        self.lock().login_counters.remove(key);
        Ok(())
    }

    async fn delete_expired_login_attempts(&self, before: DateTime<Utc>) -> StorageResult<u64> {
        let mut st = self.lock();
        let n = st.login_counters.len();
        st.login_counters
            .retain(|_, c| c.window_started_at >= before);
        Ok((n - st.login_counters.len()) as u64)
    }
}

// ---- courses ---------------------------------------------------------------

#[async_trait]
impl CourseStore for MemoryStorage {
    async fn insert_course(&self, course: &Course) -> StorageResult<()> {
        let mut st = self.lock();
        if st.invite_code_taken(course.invite_code.as_ref(), course.id) {
            return conflict(Conflict::InviteCode);
        }
        if st.courses.contains_key(&course.id) {
            return conflict(Conflict::Other);
        }
        let seq = st.next_seq();
        st.courses.insert(
            course.id,
            Row {
                value: course.clone(),
                seq,
            },
        );
        Ok(())
    }

    async fn update_course(&self, course: &Course) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&course.id) {
            return Err(StorageError::NotFound);
        }
        if st.invite_code_taken(course.invite_code.as_ref(), course.id) {
            return conflict(Conflict::InviteCode);
        }
        let row = st
            .courses
            .get_mut(&course.id)
            .ok_or(StorageError::NotFound)?;
        row.value = Course {
            created_at: row.value.created_at,
            ..course.clone()
        };
        Ok(())
    }

    async fn get_course(&self, id: CourseId) -> StorageResult<Option<Course>> {
        Ok(self.lock().courses.get(&id).map(|r| r.value.clone()))
    }

    async fn list_all_courses(&self, page: Page) -> StorageResult<Vec<Course>> {
        let st = self.lock();
        let courses = newest_first(st.courses.values().collect(), |c| c.created_at);
        Ok(page.slice(&courses))
    }

    async fn list_member_courses(
        &self,
        user: UserId,
        page: Page,
    ) -> StorageResult<Vec<CourseMembership>> {
        Ok(page.slice(&self.lock().member_courses(user)))
    }

    async fn find_course_by_invite_code(&self, code: &InviteCode) -> StorageResult<Option<Course>> {
        Ok(self
            .lock()
            .courses
            .values()
            .find(|r| r.value.invite_code.as_ref() == Some(code))
            .map(|r| r.value.clone()))
    }

    async fn membership(
        &self,
        course: CourseId,
        user: UserId,
    ) -> StorageResult<Option<CourseRole>> {
        Ok(self.lock().membership(course, user))
    }

    async fn add_assistant(&self, course: CourseId, user: UserId) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&course) {
            return Err(StorageError::NotFound);
        }
        if st.is_assistant(course, user) {
            return conflict(Conflict::Assistant);
        }
        st.assistants.push((course, user));
        Ok(())
    }

    async fn remove_assistant(&self, course: CourseId, user: UserId) -> StorageResult<bool> {
        let mut st = self.lock();
        let before = st.assistants.len();
        st.assistants.retain(|a| *a != (course, user));
        Ok(st.assistants.len() != before)
    }

    async fn list_assistants(&self, course: CourseId) -> StorageResult<Vec<UserId>> {
        Ok(self
            .lock()
            .assistants
            .iter()
            .filter(|(c, _)| *c == course)
            .map(|(_, u)| *u)
            .collect())
    }

    async fn enroll(&self, enrollment: &Enrollment) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&enrollment.course_id) {
            return Err(StorageError::NotFound);
        }
        if st.is_enrolled(enrollment.course_id, enrollment.student_id) {
            return conflict(Conflict::Enrollment);
        }
        let seq = st.next_seq();
        st.enrollments.push(Row {
            value: enrollment.clone(),
            seq,
        });
        Ok(())
    }

    async fn unenroll(&self, course: CourseId, student: UserId) -> StorageResult<bool> {
        let mut st = self.lock();
        let before = st.enrollments.len();
        st.enrollments
            .retain(|e| !(e.value.course_id == course && e.value.student_id == student));
        Ok(st.enrollments.len() != before)
    }

    async fn list_enrollments(
        &self,
        course: CourseId,
        page: Page,
    ) -> StorageResult<Vec<Enrollment>> {
        let st = self.lock();
        let rows = st
            .enrollments
            .iter()
            .filter(|e| e.value.course_id == course)
            .collect();
        Ok(page.slice(&oldest_first(rows, |e| e.enrolled_at)))
    }

    async fn enrolled_students(&self, course: CourseId) -> StorageResult<Vec<UserId>> {
        Ok(self.lock().enrolled_students(course))
    }

    async fn insert_lesson(&self, lesson: &Lesson) -> StorageResult<Lesson> {
        let mut st = self.lock();
        if !st.courses.contains_key(&lesson.course_id) {
            return Err(StorageError::NotFound);
        }
        if st.lessons.contains_key(&lesson.id) {
            return conflict(Conflict::Other);
        }
        let position = st
            .lessons
            .values()
            .filter(|l| l.course_id == lesson.course_id)
            .count();
        let stored = Lesson {
            position: u32::try_from(position)
                .map_err(|_| StorageError::Permanent("too many lessons".into()))?,
            ..lesson.clone()
        };
        st.lessons.insert(stored.id, stored.clone());
        Ok(stored)
    }

    async fn update_lesson(&self, lesson: &Lesson) -> StorageResult<()> {
        let mut st = self.lock();
        let stored = st
            .lessons
            .get_mut(&lesson.id)
            .ok_or(StorageError::NotFound)?;
        stored.title = lesson.title.clone();
        stored.body = lesson.body.clone();
        stored.publish_at = lesson.publish_at;
        stored.attachments = lesson.attachments.clone();
        Ok(())
    }

    async fn delete_lesson(&self, id: LessonId) -> StorageResult<bool> {
        let mut st = self.lock();
        let Some(removed) = st.lessons.remove(&id) else {
            return Ok(false);
        };
        st.lesson_views.retain(|(lesson, _), _| *lesson != id);
        // What the SQL schema's ON DELETE SET NULL does: the files are orphans.
        for (_, owner) in st.files.values_mut() {
            if *owner == FileOwner::Lesson(id) {
                *owner = FileOwner::Unattached;
            }
        }
        let order: Vec<LessonId> = st
            .lessons_of(removed.course_id)
            .iter()
            .map(|l| l.id)
            .collect();
        for (position, lesson) in (0u32..).zip(order) {
            if let Some(l) = st.lessons.get_mut(&lesson) {
                l.position = position;
            }
        }
        Ok(true)
    }

    async fn get_lesson(&self, id: LessonId) -> StorageResult<Option<Lesson>> {
        Ok(self.lock().lessons.get(&id).cloned())
    }

    async fn list_lessons(&self, course: CourseId) -> StorageResult<Vec<Lesson>> {
        Ok(self.lock().lessons_of(course))
    }

    async fn reorder_lessons(&self, course: CourseId, order: &[LessonId]) -> StorageResult<()> {
        let mut st = self.lock();
        let current: Vec<LessonId> = st.lessons_of(course).iter().map(|l| l.id).collect();
        if !is_permutation(&current, order) {
            return conflict(Conflict::Stale);
        }
        for (position, id) in (0u32..).zip(order) {
            if let Some(l) = st.lessons.get_mut(id) {
                l.position = position;
            }
        }
        Ok(())
    }

    async fn mark_lesson_viewed(
        &self,
        lesson: LessonId,
        student: UserId,
        at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.lessons.contains_key(&lesson) {
            return Err(StorageError::NotFound);
        }
        st.lesson_views.entry((lesson, student)).or_insert(at);
        Ok(())
    }

    async fn viewed_lessons(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Vec<LessonId>> {
        let st = self.lock();
        Ok(st
            .lessons_of(course)
            .iter()
            .filter(|l| st.lesson_views.contains_key(&(l.id, student)))
            .map(|l| l.id)
            .collect())
    }
}

// ---- homework --------------------------------------------------------------

#[async_trait]
impl HomeworkStore for MemoryStorage {
    async fn insert_assignment(
        &self,
        assignment: &Assignment,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&assignment.course_id) {
            return Err(StorageError::NotFound);
        }
        if st.assignments.contains_key(&assignment.id) {
            return conflict(Conflict::Other);
        }
        let fresh = st.check_outbox(outbox)?;
        let seq = st.next_seq();
        st.assignments.insert(
            assignment.id,
            Row {
                value: assignment.clone(),
                seq,
            },
        );
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn update_assignment(
        &self,
        assignment: &Assignment,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.assignments.contains_key(&assignment.id) {
            return Err(StorageError::NotFound);
        }
        let fresh = st.check_outbox(outbox)?;
        let row = st
            .assignments
            .get_mut(&assignment.id)
            .ok_or(StorageError::NotFound)?;
        row.value = Assignment {
            course_id: row.value.course_id,
            created_at: row.value.created_at,
            ..assignment.clone()
        };
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn get_assignment(&self, id: AssignmentId) -> StorageResult<Option<Assignment>> {
        Ok(self.lock().assignments.get(&id).map(|r| r.value.clone()))
    }

    async fn list_assignments(&self, course: CourseId) -> StorageResult<Vec<Assignment>> {
        Ok(self.lock().assignments_of(course))
    }

    async fn upsert_extension(&self, extension: &Extension) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.assignments.contains_key(&extension.assignment_id) {
            return Err(StorageError::NotFound);
        }
        if let Some(row) = st.extensions.iter_mut().find(|r| {
            r.value.assignment_id == extension.assignment_id
                && r.value.student_id == extension.student_id
        }) {
            row.value = extension.clone();
        } else {
            let seq = st.next_seq();
            st.extensions.push(Row {
                value: extension.clone(),
                seq,
            });
        }
        Ok(())
    }

    async fn delete_extension(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<bool> {
        let mut st = self.lock();
        let before = st.extensions.len();
        st.extensions
            .retain(|r| !(r.value.assignment_id == assignment && r.value.student_id == student));
        Ok(st.extensions.len() != before)
    }

    async fn get_extension(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<Option<Extension>> {
        Ok(self.lock().extension(assignment, student).cloned())
    }

    async fn list_extensions(&self, assignment: AssignmentId) -> StorageResult<Vec<Extension>> {
        let st = self.lock();
        let rows = st
            .extensions
            .iter()
            .filter(|r| r.value.assignment_id == assignment)
            .collect();
        Ok(oldest_first(rows, |e| e.granted_at))
    }

    async fn hand_in(&self, hand_in: &HandIn) -> StorageResult<HandInOutcome> {
        let mut st = self.lock();
        if !st.assignments.contains_key(&hand_in.assignment_id) {
            return Err(StorageError::NotFound);
        }
        let existing = st
            .submission_of(hand_in.assignment_id, hand_in.student_id)
            .map(|r| r.value.clone());
        // A retried hand-in writes nothing and answers with what is stored.
        if let (Some(sub), Some(key)) = (&existing, &hand_in.version.idempotency_key)
            && sub
                .versions
                .iter()
                .any(|v| v.idempotency_key.as_ref() == Some(key))
        {
            return Ok(HandInOutcome::Duplicate(sub.clone()));
        }
        if existing.is_none() && st.submissions.contains_key(&hand_in.new_submission_id) {
            return conflict(Conflict::Other);
        }
        // Graded work takes no new version (a grade may have landed since
        // the service looked).
        if existing
            .as_ref()
            .is_some_and(|s| s.state == SubmissionState::Graded)
        {
            return conflict(Conflict::Stale);
        }
        if existing
            .as_ref()
            .is_some_and(|s| s.versions.len() >= hand_in.max_versions as usize)
        {
            return conflict(Conflict::VersionLimit);
        }
        if st
            .submissions
            .values()
            .any(|r| r.value.versions.iter().any(|v| v.id == hand_in.version.id))
        {
            return conflict(Conflict::Other);
        }
        let fresh = st.check_outbox(&hand_in.outbox)?;
        let awards = st.new_awards(&hand_in.awards);

        let submission_id = existing
            .as_ref()
            .map_or(hand_in.new_submission_id, |s| s.id);
        let number = existing.as_ref().map_or(0, |s| s.versions.len()) + 1;
        let version = SubmissionVersion {
            submission_id,
            number: u32::try_from(number)
                .map_err(|_| StorageError::Permanent("too many versions".into()))?,
            ..hand_in.version.clone()
        };
        let stored = match existing {
            Some(mut sub) => {
                sub.state = hand_in.state;
                sub.updated_at = version.submitted_at;
                sub.versions.push(version);
                let row = st
                    .submissions
                    .get_mut(&submission_id)
                    .ok_or(StorageError::NotFound)?;
                row.value = sub.clone();
                sub
            }
            None => {
                let sub = Submission {
                    id: submission_id,
                    assignment_id: hand_in.assignment_id,
                    student_id: hand_in.student_id,
                    state: hand_in.state,
                    updated_at: version.submitted_at,
                    versions: vec![version],
                    grade: None,
                    rework_feedback: None,
                };
                let seq = st.next_seq();
                st.submissions.insert(
                    submission_id,
                    Row {
                        value: sub.clone(),
                        seq,
                    },
                );
                sub
            }
        };
        st.apply_outbox_and_awards(fresh, awards);
        Ok(HandInOutcome::Stored(stored))
    }

    async fn review(&self, review: &Review) -> StorageResult<Submission> {
        let mut st = self.lock();
        let current = st
            .submissions
            .get(&review.submission_id)
            .map(|r| r.value.clone())
            .ok_or(StorageError::NotFound)?;
        let latest = current.latest().map_or(0, |v| v.number);
        if latest != review.expected_version {
            return conflict(Conflict::Stale);
        }
        if st.audit.iter().any(|r| r.value.id == review.audit.id) {
            return conflict(Conflict::Other);
        }
        let fresh = st.check_outbox(&review.outbox)?;
        let awards = st.new_awards(&review.awards);

        let mut updated = current;
        updated.state = review.state;
        updated.grade = review.grade.clone();
        if let Some(feedback) = &review.rework_feedback {
            updated.rework_feedback = Some(feedback.clone());
        }
        updated.updated_at = review.audit.at;
        if let Some(row) = st.submissions.get_mut(&review.submission_id) {
            row.value = updated.clone();
        }
        let seq = st.next_seq();
        st.audit.push(Row {
            value: GradeAuditEntry {
                submission_id: review.submission_id,
                ..review.audit.clone()
            },
            seq,
        });
        st.apply_outbox_and_awards(fresh, awards);
        Ok(updated)
    }

    async fn get_submission(&self, id: SubmissionId) -> StorageResult<Option<Submission>> {
        Ok(self.lock().submissions.get(&id).map(|r| r.value.clone()))
    }

    async fn find_submission(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<Option<Submission>> {
        Ok(self
            .lock()
            .submission_of(assignment, student)
            .map(|r| r.value.clone()))
    }

    async fn list_submissions(
        &self,
        assignment: AssignmentId,
        page: Page,
    ) -> StorageResult<Vec<Submission>> {
        let st = self.lock();
        Ok(page.slice(&st.submissions_where(|s| s.assignment_id == assignment)))
    }

    async fn student_submissions(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Vec<Submission>> {
        let st = self.lock();
        Ok(st.submissions_where(|s| {
            s.student_id == student && st.course_of_assignment(s.assignment_id) == Some(course)
        }))
    }

    async fn student_history(&self, student: UserId) -> StorageResult<Vec<Submission>> {
        Ok(self.lock().submissions_where(|s| s.student_id == student))
    }

    async fn pending_submissions(
        &self,
        courses: &[CourseId],
        page: Page,
    ) -> StorageResult<Vec<PendingSubmission>> {
        Ok(page.slice(&self.lock().pending(courses)))
    }

    async fn grade_audit(&self, submission: SubmissionId) -> StorageResult<Vec<GradeAuditEntry>> {
        let st = self.lock();
        let rows = st
            .audit
            .iter()
            .filter(|r| r.value.submission_id == submission)
            .collect();
        Ok(oldest_first(rows, |a| a.at))
    }
}

// ---- quizzes ---------------------------------------------------------------

#[async_trait]
impl QuizStore for MemoryStorage {
    async fn insert_quiz(&self, quiz: &Quiz) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&quiz.course_id) {
            return Err(StorageError::NotFound);
        }
        if st.quizzes.contains_key(&quiz.id) {
            return conflict(Conflict::Other);
        }
        let seq = st.next_seq();
        st.quizzes.insert(
            quiz.id,
            Row {
                value: quiz.clone(),
                seq,
            },
        );
        Ok(())
    }

    async fn update_quiz(&self, quiz: &Quiz) -> StorageResult<()> {
        let mut st = self.lock();
        let row = st.quizzes.get_mut(&quiz.id).ok_or(StorageError::NotFound)?;
        row.value.title = quiz.title.clone();
        row.value.description = quiz.description.clone();
        row.value.settings = quiz.settings.clone();
        row.value.published = quiz.published;
        Ok(())
    }

    async fn get_quiz(&self, id: QuizId) -> StorageResult<Option<Quiz>> {
        Ok(self.lock().quizzes.get(&id).map(|r| r.value.clone()))
    }

    async fn list_quizzes(&self, course: CourseId) -> StorageResult<Vec<Quiz>> {
        Ok(self.lock().quizzes_of(course))
    }

    async fn insert_question(&self, question: &Question) -> StorageResult<Question> {
        let mut st = self.lock();
        if !st.quizzes.contains_key(&question.quiz_id) {
            return Err(StorageError::NotFound);
        }
        if st.questions.contains_key(&question.id) {
            return conflict(Conflict::Other);
        }
        let position = st
            .questions
            .values()
            .filter(|q| q.quiz_id == question.quiz_id)
            .count();
        let stored = Question {
            position: u32::try_from(position)
                .map_err(|_| StorageError::Permanent("too many questions".into()))?,
            ..question.clone()
        };
        st.questions.insert(stored.id, stored.clone());
        Ok(stored)
    }

    async fn update_question(&self, question: &Question) -> StorageResult<()> {
        let mut st = self.lock();
        let stored = st
            .questions
            .get_mut(&question.id)
            .ok_or(StorageError::NotFound)?;
        stored.prompt = question.prompt.clone();
        stored.points = question.points;
        stored.body = question.body.clone();
        stored.explanation = question.explanation.clone();
        Ok(())
    }

    async fn delete_question(&self, id: QuestionId) -> StorageResult<bool> {
        let mut st = self.lock();
        let Some(removed) = st.questions.remove(&id) else {
            return Ok(false);
        };
        let order: Vec<QuestionId> = st
            .questions_of(removed.quiz_id)
            .iter()
            .map(|q| q.id)
            .collect();
        for (position, question) in (0u32..).zip(order) {
            if let Some(q) = st.questions.get_mut(&question) {
                q.position = position;
            }
        }
        Ok(true)
    }

    async fn list_questions(&self, quiz: QuizId) -> StorageResult<Vec<Question>> {
        Ok(self.lock().questions_of(quiz))
    }

    async fn reorder_questions(&self, quiz: QuizId, order: &[QuestionId]) -> StorageResult<()> {
        let mut st = self.lock();
        let current: Vec<QuestionId> = st.questions_of(quiz).iter().map(|q| q.id).collect();
        if !is_permutation(&current, order) {
            return conflict(Conflict::Stale);
        }
        for (position, id) in (0u32..).zip(order) {
            if let Some(q) = st.questions.get_mut(id) {
                q.position = position;
            }
        }
        Ok(())
    }

    async fn start_attempt(&self, attempt: &Attempt, limit: Option<u32>) -> StorageResult<Attempt> {
        let mut st = self.lock();
        if !st.quizzes.contains_key(&attempt.quiz_id) {
            return Err(StorageError::NotFound);
        }
        let mine = st.student_attempts(attempt.quiz_id, attempt.student_id);
        if mine.iter().any(|a| a.state == AttemptState::Open) {
            return conflict(Conflict::OpenAttempt);
        }
        let made = u32::try_from(mine.len())
            .map_err(|_| StorageError::Permanent("too many attempts".into()))?;
        if limit.is_some_and(|limit| made >= limit) {
            return conflict(Conflict::AttemptLimit);
        }
        if st.attempts.contains_key(&attempt.id) {
            return conflict(Conflict::Other);
        }
        let stored = Attempt {
            number: made + 1,
            ..attempt.clone()
        };
        let seq = st.next_seq();
        st.attempts.insert(
            stored.id,
            Row {
                value: stored.clone(),
                seq,
            },
        );
        Ok(stored)
    }

    async fn get_attempt(&self, id: AttemptId) -> StorageResult<Option<Attempt>> {
        Ok(self.lock().attempts.get(&id).map(|r| r.value.clone()))
    }

    async fn list_attempts(&self, quiz: QuizId, student: UserId) -> StorageResult<Vec<Attempt>> {
        let st = self.lock();
        let mut attempts: Vec<Attempt> = st
            .student_attempts(quiz, student)
            .into_iter()
            .cloned()
            .collect();
        attempts.sort_by_key(|a| a.number);
        Ok(attempts)
    }

    async fn list_quiz_attempts(&self, quiz: QuizId, page: Page) -> StorageResult<Vec<Attempt>> {
        let st = self.lock();
        let rows = st
            .attempts
            .values()
            .filter(|r| r.value.quiz_id == quiz)
            .collect();
        Ok(page.slice(&oldest_first(rows, |a| a.started_at)))
    }

    async fn save_answers(
        &self,
        attempt: AttemptId,
        answers: &BTreeMap<QuestionId, Answer>,
        at: DateTime<Utc>,
    ) -> StorageResult<Attempt> {
        let mut st = self.lock();
        let row = st
            .attempts
            .get_mut(&attempt)
            .ok_or(StorageError::NotFound)?;
        let a = &mut row.value;
        if a.state != AttemptState::Open || a.deadline.is_some_and(|d| d < at) {
            return conflict(Conflict::AttemptClosed);
        }
        a.answers
            .extend(answers.iter().map(|(q, answer)| (*q, answer.clone())));
        a.saved_at = Some(at);
        Ok(a.clone())
    }

    async fn finish_attempt(&self, finish: &FinishAttempt) -> StorageResult<Attempt> {
        let mut st = self.lock();
        let current = st
            .attempts
            .get(&finish.attempt_id)
            .ok_or(StorageError::NotFound)?;
        if current.value.state != AttemptState::Open {
            return conflict(Conflict::AttemptClosed);
        }
        // Answers saved since the caller read the attempt are not in its
        // result: refuse, so they are scored on the retry.
        if current.value.saved_at != finish.expected_saved_at {
            return conflict(Conflict::Stale);
        }
        let fresh = st.check_outbox(&finish.outbox)?;
        let awards = st.new_awards(&finish.awards);
        let row = st
            .attempts
            .get_mut(&finish.attempt_id)
            .ok_or(StorageError::NotFound)?;
        let a = &mut row.value;
        a.state = finish.state;
        a.finished_at = Some(finish.finished_at);
        a.result = Some(finish.result.clone());
        a.submit_key.clone_from(&finish.submit_key);
        let finished = a.clone();
        st.apply_outbox_and_awards(fresh, awards);
        Ok(finished)
    }

    async fn set_attempt_result(
        &self,
        attempt: AttemptId,
        expected: &AttemptResult,
        result: &AttemptResult,
        awards: &[Achievement],
        outbox: &[OutboxEntry],
    ) -> StorageResult<Attempt> {
        let mut st = self.lock();
        let current = st.attempts.get(&attempt).ok_or(StorageError::NotFound)?;
        // Only a finished attempt has a result to replace.
        if current.value.state == AttemptState::Open {
            return conflict(Conflict::OpenAttempt);
        }
        if current.value.result.as_ref() != Some(expected) {
            return conflict(Conflict::Stale);
        }
        let fresh = st.check_outbox(outbox)?;
        let awards = st.new_awards(awards);
        let row = st
            .attempts
            .get_mut(&attempt)
            .ok_or(StorageError::NotFound)?;
        row.value.result = Some(result.clone());
        let updated = row.value.clone();
        st.apply_outbox_and_awards(fresh, awards);
        Ok(updated)
    }

    async fn overdue_attempts(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StorageResult<Vec<Attempt>> {
        let st = self.lock();
        let mut rows: Vec<(&Row<Attempt>, DateTime<Utc>)> = st
            .attempts
            .values()
            .filter(|r| r.value.state == AttemptState::Open)
            .filter_map(|r| r.value.deadline.filter(|d| *d < now).map(|d| (r, d)))
            .collect();
        rows.sort_by(|(a, da), (b, db)| da.cmp(db).then(a.seq.cmp(&b.seq)));
        Ok(rows
            .into_iter()
            .take(limit as usize)
            .map(|(r, _)| r.value.clone())
            .collect())
    }
}

// ---- webinars --------------------------------------------------------------

#[async_trait]
impl WebinarStore for MemoryStorage {
    async fn insert_webinar(&self, webinar: &Webinar, outbox: &[OutboxEntry]) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&webinar.course_id) {
            return Err(StorageError::NotFound);
        }
        if st.webinars.contains_key(&webinar.id) {
            return conflict(Conflict::Other);
        }
        let fresh = st.check_outbox(outbox)?;
        let seq = st.next_seq();
        st.webinars.insert(
            webinar.id,
            Row {
                value: webinar.clone(),
                seq,
            },
        );
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn update_webinar(&self, webinar: &Webinar, outbox: &[OutboxEntry]) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.webinars.contains_key(&webinar.id) {
            return Err(StorageError::NotFound);
        }
        let fresh = st.check_outbox(outbox)?;
        let row = st
            .webinars
            .get_mut(&webinar.id)
            .ok_or(StorageError::NotFound)?;
        row.value = Webinar {
            course_id: row.value.course_id,
            created_by: row.value.created_by,
            created_at: row.value.created_at,
            ..webinar.clone()
        };
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn get_webinar(&self, id: WebinarId) -> StorageResult<Option<Webinar>> {
        Ok(self.lock().webinars.get(&id).map(|r| r.value.clone()))
    }

    async fn list_course_webinars(&self, course: CourseId) -> StorageResult<Vec<Webinar>> {
        Ok(self.lock().webinars_where(|w| w.course_id == course))
    }

    async fn webinars_starting_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<Webinar>> {
        Ok(self.lock().webinars_where(|w| {
            w.state == WebinarState::Scheduled && from <= w.starts_at && w.starts_at < to
        }))
    }
}

// ---- notifications ---------------------------------------------------------

#[async_trait]
impl NotificationStore for MemoryStorage {
    async fn enqueue(&self, entries: &[OutboxEntry]) -> StorageResult<u64> {
        let mut st = self.lock();
        let fresh = st.check_outbox(entries)?;
        let inserted = fresh.len() as u64;
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(inserted)
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease_until: DateTime<Utc>,
    ) -> StorageResult<Vec<OutboxEntry>> {
        let mut st = self.lock();
        let mut due: Vec<usize> = st
            .outbox
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.status == OutboxStatus::Pending
                    && e.next_attempt_at <= now
                    && e.lease_until.is_none_or(|l| l <= now)
            })
            .map(|(i, _)| i)
            .collect();
        // Oldest due first; enqueue order breaks ties.
        due.sort_by_key(|i| (st.outbox[*i].next_attempt_at, *i));
        due.truncate(limit as usize);
        Ok(due
            .into_iter()
            .map(|i| {
                let e = &mut st.outbox[i];
                e.lease_until = Some(lease_until);
                e.attempts += 1;
                e.clone()
            })
            .collect())
    }

    async fn mark_sent(
        &self,
        id: OutboxId,
        lease: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let mut st = self.lock();
        let e = held_entry(&mut st.outbox, id, lease)?;
        e.status = OutboxStatus::Sent;
        e.sent_at = Some(at);
        e.lease_until = None;
        Ok(())
    }

    async fn mark_retry(
        &self,
        id: OutboxId,
        lease: DateTime<Utc>,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> StorageResult<()> {
        let mut st = self.lock();
        let e = held_entry(&mut st.outbox, id, lease)?;
        e.status = OutboxStatus::Pending;
        e.next_attempt_at = next_attempt_at;
        e.last_error = Some(error.to_owned());
        e.lease_until = None;
        Ok(())
    }

    async fn mark_failed(
        &self,
        id: OutboxId,
        lease: DateTime<Utc>,
        error: &str,
    ) -> StorageResult<()> {
        let mut st = self.lock();
        let e = held_entry(&mut st.outbox, id, lease)?;
        e.status = OutboxStatus::Failed;
        e.last_error = Some(error.to_owned());
        e.lease_until = None;
        Ok(())
    }

    async fn get_outbox_entry(&self, id: OutboxId) -> StorageResult<Option<OutboxEntry>> {
        Ok(self.lock().outbox.iter().find(|e| e.id == id).cloned())
    }

    async fn list_user_outbox(&self, user: UserId, page: Page) -> StorageResult<Vec<OutboxEntry>> {
        let st = self.lock();
        let mut entries: Vec<(usize, &OutboxEntry)> = st
            .outbox
            .iter()
            .enumerate()
            .filter(|(_, e)| e.recipient_id == user)
            .collect();
        entries.sort_by(|(ia, a), (ib, b)| b.created_at.cmp(&a.created_at).then(ib.cmp(ia)));
        let entries: Vec<OutboxEntry> = entries.into_iter().map(|(_, e)| e.clone()).collect();
        Ok(page.slice(&entries))
    }

    async fn get_preferences(
        &self,
        user: UserId,
    ) -> StorageResult<Option<NotificationPreferences>> {
        Ok(self.lock().preferences.get(&user).cloned())
    }

    async fn set_preferences(&self, preferences: &NotificationPreferences) -> StorageResult<()> {
        self.lock()
            .preferences
            .insert(preferences.user_id, preferences.clone());
        Ok(())
    }

    async fn delivery_profiles(&self, users: &[UserId]) -> StorageResult<Vec<DeliveryProfile>> {
        let st = self.lock();
        let mut seen = HashSet::new();
        Ok(users
            .iter()
            .filter(|id| seen.insert(**id))
            .filter_map(|id| st.users.get(id))
            .map(|r| DeliveryProfile {
                user_id: r.user.id,
                active: r.user.active,
                preferences: st
                    .preferences
                    .get(&r.user.id)
                    .cloned()
                    .unwrap_or_else(|| NotificationPreferences::defaults(r.user.id)),
                telegram_linked: st.telegram_chats.contains_key(&r.user.id),
            })
            .collect())
    }

    async fn recipient(&self, user: UserId) -> StorageResult<Option<Recipient>> {
        let st = self.lock();
        Ok(st.users.get(&user).map(|r| Recipient {
            user_id: r.user.id,
            display_name: r.user.display_name.as_str().to_owned(),
            email: r.user.email.as_str().to_owned(),
            telegram_chat_id: st.telegram_chats.get(&user).copied(),
            locale: r.user.locale,
            time_zone: r.user.time_zone,
        }))
    }

    async fn insert_telegram_token(&self, token: &TelegramLinkToken) -> StorageResult<()> {
        let mut st = self.lock();
        if st.telegram_tokens.contains_key(&token.token_hash) {
            return conflict(Conflict::Other);
        }
        st.telegram_tokens
            .insert(token.token_hash.clone(), token.clone());
        Ok(())
    }

    async fn consume_telegram_token(
        &self,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> StorageResult<Option<UserId>> {
        Ok(self
            .lock()
            .telegram_tokens
            .remove(hash)
            .filter(|t| t.expires_at > now)
            .map(|t| t.user_id))
    }

    async fn set_telegram_chat(&self, user: UserId, chat_id: Option<i64>) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.users.contains_key(&user) {
            return Err(StorageError::NotFound);
        }
        match chat_id {
            Some(chat) => {
                st.telegram_chats.retain(|_, c| *c != chat);
                st.telegram_chats.insert(user, chat);
            }
            None => {
                st.telegram_chats.remove(&user);
            }
        }
        Ok(())
    }

    async fn unlink_telegram_chat(&self, chat_id: i64) -> StorageResult<Option<UserId>> {
        let mut st = self.lock();
        let user = st
            .telegram_chats
            .iter()
            .find(|(_, c)| **c == chat_id)
            .map(|(u, _)| *u);
        if let Some(user) = user {
            st.telegram_chats.remove(&user);
        }
        Ok(user)
    }

    async fn deadline_targets(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<DeadlineTarget>> {
        let st = self.lock();
        let mut targets: Vec<(DeadlineTarget, u64, u64)> = Vec::new();
        for a in st.assignments.values() {
            let assignment = &a.value;
            let Some(course) = st.courses.get(&assignment.course_id) else {
                continue;
            };
            if !assignment.published || course.value.status != CourseStatus::Published {
                continue;
            }
            for e in st
                .enrollments
                .iter()
                .filter(|e| e.value.course_id == assignment.course_id)
            {
                let student = e.value.student_id;
                let due_at =
                    effective_deadline(assignment, st.extension(assignment.id, student)).due_at;
                if due_at < from || due_at >= to {
                    continue;
                }
                targets.push((
                    DeadlineTarget {
                        assignment_id: assignment.id,
                        assignment_title: assignment.title.as_str().to_owned(),
                        course_id: course.value.id,
                        course_title: course.value.title.as_str().to_owned(),
                        student_id: student,
                        due_at,
                        submitted: st.submission_of(assignment.id, student).is_some(),
                    },
                    a.seq,
                    e.seq,
                ));
            }
        }
        targets.sort_by(|(a, aa, ae), (b, ba, be)| {
            a.due_at.cmp(&b.due_at).then(aa.cmp(ba)).then(ae.cmp(be))
        });
        Ok(targets.into_iter().map(|(t, _, _)| t).collect())
    }

    async fn opening_targets(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<OpeningTarget>> {
        let st = self.lock();
        let mut targets: Vec<(DateTime<Utc>, OpeningTarget)> = Vec::new();
        for a in st.assignments.values() {
            let assignment = &a.value;
            let Some(course) = st.courses.get(&assignment.course_id) else {
                continue;
            };
            if !assignment.published
                || course.value.status != CourseStatus::Published
                || assignment.opens_at < from
                || assignment.opens_at >= to
            {
                continue;
            }
            for e in st
                .enrollments
                .iter()
                .filter(|e| e.value.course_id == assignment.course_id)
            {
                targets.push((
                    assignment.opens_at,
                    OpeningTarget {
                        assignment_id: assignment.id,
                        assignment_title: assignment.title.as_str().to_owned(),
                        due_at: assignment.due_at,
                        course_id: course.value.id,
                        course_title: course.value.title.as_str().to_owned(),
                        student_id: e.value.student_id,
                    },
                ));
            }
        }
        targets.sort_by(|(a_at, a), (b_at, b)| {
            (a_at, a.assignment_id.0, a.student_id.0).cmp(&(
                b_at,
                b.assignment_id.0,
                b.student_id.0,
            ))
        });
        Ok(targets.into_iter().map(|(_, t)| t).collect())
    }
}

// ---- achievements ----------------------------------------------------------

#[async_trait]
impl AchievementStore for MemoryStorage {
    async fn award(&self, achievement: &Achievement) -> StorageResult<bool> {
        let mut st = self.lock();
        let fresh = st.new_awards(std::slice::from_ref(achievement));
        let new = !fresh.is_empty();
        st.apply_outbox_and_awards(Vec::new(), fresh);
        Ok(new)
    }

    async fn list_achievements(&self, user: UserId) -> StorageResult<Vec<Achievement>> {
        Ok(self.lock().achievements_of(user))
    }
}

// ---- files -----------------------------------------------------------------

impl State {
    /// `NotFound` unless the owner exists (what the SQL foreign keys answer).
    fn owner_exists(&self, owner: FileOwner) -> StorageResult<()> {
        let exists = match owner {
            FileOwner::Lesson(id) => self.lessons.contains_key(&id),
            FileOwner::Assignment(id) => self.assignments.contains_key(&id),
            FileOwner::Submission(id) => self.submissions.contains_key(&id),
            FileOwner::Unattached => true,
        };
        if exists {
            Ok(())
        } else {
            Err(StorageError::NotFound)
        }
    }

    /// Files matching `keep`, oldest upload first, ties by id.
    fn files_where(&self, keep: impl Fn(&FileOwner) -> bool) -> Vec<FileRef> {
        let mut files: Vec<FileRef> = self
            .files
            .values()
            .filter(|(_, owner)| keep(owner))
            .map(|(f, _)| f.clone())
            .collect();
        files.sort_by_key(|f| (f.uploaded_at, f.id));
        files
    }
}

#[async_trait]
impl FileRegistry for MemoryStorage {
    async fn insert(&self, file: &FileRef, owner: FileOwner) -> StorageResult<()> {
        let mut st = self.lock();
        if st.files.contains_key(&file.id)
            || st
                .files
                .values()
                .any(|(f, _)| f.storage_key == file.storage_key)
        {
            return conflict(Conflict::Other);
        }
        if !st.users.contains_key(&file.uploaded_by) {
            return Err(StorageError::NotFound);
        }
        st.owner_exists(owner)?;
        st.files.insert(file.id, (file.clone(), owner));
        Ok(())
    }

    async fn get(&self, id: FileId) -> StorageResult<Option<(FileRef, FileOwner)>> {
        Ok(self.lock().files.get(&id).cloned())
    }

    async fn attach(
        &self,
        ids: &[FileId],
        uploaded_by: UserId,
        owner: FileOwner,
    ) -> StorageResult<Vec<FileRef>> {
        let mut st = self.lock();
        st.owner_exists(owner)?;
        let mut seen = HashSet::new();
        let mut attached = Vec::new();
        for id in ids {
            if !seen.insert(*id) {
                continue;
            }
            let Some((file, current)) = st.files.get(id) else {
                return Err(StorageError::NotFound);
            };
            if file.uploaded_by != uploaded_by {
                return Err(StorageError::NotFound);
            }
            if *current != FileOwner::Unattached && *current != owner {
                return conflict(Conflict::FileAttached);
            }
            attached.push(file.clone());
        }
        for f in &attached {
            if let Some((_, current)) = st.files.get_mut(&f.id) {
                *current = owner;
            }
        }
        Ok(attached)
    }

    async fn list_by_owner(&self, owner: FileOwner) -> StorageResult<Vec<FileRef>> {
        Ok(self.lock().files_where(|o| *o == owner))
    }

    async fn unattached_usage(&self, user: UserId) -> StorageResult<UploadUsage> {
        let files = self.lock().files_where(|o| *o == FileOwner::Unattached);
        Ok(files
            .iter()
            .filter(|f| f.uploaded_by == user)
            .fold(UploadUsage::default(), |u, f| UploadUsage {
                files: u.files + 1,
                bytes: u.bytes + f.size,
            }))
    }

    async fn unattached_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> StorageResult<Vec<FileRef>> {
        let mut files = self.lock().files_where(|o| *o == FileOwner::Unattached);
        files.retain(|f| f.uploaded_at < cutoff);
        files.truncate(limit as usize);
        Ok(files)
    }

    async fn delete(&self, id: FileId) -> StorageResult<bool> {
        let mut st = self.lock();
        if st
            .files
            .get(&id)
            .is_some_and(|(_, owner)| *owner == FileOwner::Unattached)
        {
            st.files.remove(&id);
            return Ok(true);
        }
        Ok(false)
    }
}

// ---- idempotency -----------------------------------------------------------

#[async_trait]
impl IdempotencyStore for MemoryStorage {
    async fn begin(
        &self,
        key: &IdempotencyKey,
        request_hash: &str,
        now: DateTime<Utc>,
        lock_until: DateTime<Utc>,
    ) -> StorageResult<Begin> {
        let mut st = self.lock();
        if !st.users.contains_key(&key.user()) {
            return Err(StorageError::NotFound);
        }
        let k = idempotency_key(key);
        if let Some(record) = st.idempotency.get(&k) {
            let same = record.request_hash == request_hash;
            match &record.state {
                IdempotencyState::Completed {
                    response,
                    expires_at,
                } if *expires_at > now => {
                    return Ok(if same {
                        Begin::Completed(response.clone())
                    } else {
                        Begin::Mismatch
                    });
                }
                IdempotencyState::InProgress { .. } if !same => return Ok(Begin::Mismatch),
                IdempotencyState::InProgress { locked_until } if *locked_until > now => {
                    return Ok(Begin::InProgress);
                }
                // Expired, or a crashed request of the same hash: take over.
                _ => {}
            }
        }
        st.idempotency.insert(
            k,
            IdempotencyRecord {
                request_hash: request_hash.to_owned(),
                state: IdempotencyState::InProgress {
                    locked_until: lock_until,
                },
            },
        );
        Ok(Begin::Started)
    }

    async fn complete(
        &self,
        key: &IdempotencyKey,
        response: &StoredResponse,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let mut st = self.lock();
        let record = st
            .idempotency
            .get_mut(&idempotency_key(key))
            .ok_or(StorageError::NotFound)?;
        record.state = IdempotencyState::Completed {
            response: response.clone(),
            expires_at,
        };
        Ok(())
    }

    async fn abandon(&self, key: &IdempotencyKey) -> StorageResult<()> {
        let mut st = self.lock();
        let k = idempotency_key(key);
        if matches!(
            st.idempotency.get(&k).map(|r| &r.state),
            Some(IdempotencyState::InProgress { .. })
        ) {
            st.idempotency.remove(&k);
        }
        Ok(())
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> StorageResult<u64> {
        let mut st = self.lock();
        let before = st.idempotency.len();
        st.idempotency.retain(|_, r| match &r.state {
            IdempotencyState::InProgress { locked_until } => *locked_until > now,
            IdempotencyState::Completed { expires_at, .. } => *expires_at > now,
        });
        Ok((before - st.idempotency.len()) as u64)
    }
}

// ---- read models -----------------------------------------------------------

impl State {
    fn achievements_of(&self, user: UserId) -> Vec<Achievement> {
        let mut mine: Vec<(usize, &Achievement)> = self
            .achievements
            .iter()
            .enumerate()
            .filter(|(_, a)| a.user_id == user)
            .collect();
        mine.sort_by(|(ia, a), (ib, b)| a.awarded_at.cmp(&b.awarded_at).then(ia.cmp(ib)));
        mine.into_iter().map(|(_, a)| a.clone()).collect()
    }

    fn staff_course_data(&self, course: &Course, role: CourseRole) -> StaffCourseData {
        StaffCourseData {
            course: course.clone(),
            role,
            student_count: u32::try_from(self.enrolled_students(course.id).len())
                .unwrap_or(u32::MAX),
            assignments: self.assignments_of(course.id),
            submissions: self.course_submissions(course.id),
            quizzes: self.quizzes_of(course.id),
            attempts: self.course_attempts(course.id, |a| a.state != AttemptState::Open),
            quiz_max_scores: self
                .quizzes_of(course.id)
                .iter()
                .map(|q| {
                    let points = self
                        .questions
                        .values()
                        .filter(|x| x.quiz_id == q.id)
                        .map(|x| x.points);
                    (q.id, Points::sum(points))
                })
                .collect(),
        }
    }
}

/// The entry `id` if it is pending and held under `lease`; `Conflict(Stale)`
/// when another claim took it over (or it is finished), `NotFound` when unknown.
fn held_entry(
    outbox: &mut [OutboxEntry],
    id: OutboxId,
    lease: DateTime<Utc>,
) -> StorageResult<&mut OutboxEntry> {
    let e = outbox
        .iter_mut()
        .find(|e| e.id == id)
        .ok_or(StorageError::NotFound)?;
    if e.status != OutboxStatus::Pending || e.lease_until != Some(lease) {
        return Err(StorageError::Conflict(Conflict::Stale));
    }
    Ok(e)
}

#[async_trait]
impl DashboardStore for MemoryStorage {
    async fn student_snapshot(
        &self,
        student: UserId,
        now: DateTime<Utc>,
    ) -> StorageResult<StudentSnapshot> {
        let st = self.lock();
        let courses: Vec<Course> = st
            .member_courses(student)
            .into_iter()
            .filter(|m| m.role == CourseRole::Student && m.course.status != CourseStatus::Draft)
            .map(|m| m.course)
            .collect();
        let data = courses
            .iter()
            .map(|course| {
                let visible: Vec<Lesson> = st
                    .lessons_of(course.id)
                    .into_iter()
                    .filter(|l| l.is_visible_at(now))
                    .collect();
                let viewed = visible
                    .iter()
                    .filter(|l| st.lesson_views.contains_key(&(l.id, student)))
                    .count();
                StudentCourseData {
                    course: course.clone(),
                    lessons_visible: u32::try_from(visible.len()).unwrap_or(u32::MAX),
                    lessons_viewed: u32::try_from(viewed).unwrap_or(u32::MAX),
                    assignments: st
                        .assignments_of(course.id)
                        .into_iter()
                        .filter(|a| a.published)
                        .collect(),
                    extensions: st.student_extensions_in(course.id, student),
                    submissions: st.submissions_where(|s| {
                        s.student_id == student
                            && st.course_of_assignment(s.assignment_id) == Some(course.id)
                    }),
                    quizzes: st
                        .quizzes_of(course.id)
                        .into_iter()
                        .filter(|q| q.published)
                        .collect(),
                    attempts: st.course_attempts(course.id, |a| a.student_id == student),
                }
            })
            .collect();
        let ids: Vec<CourseId> = courses.iter().map(|c| c.id).collect();
        Ok(StudentSnapshot {
            courses: data,
            webinars: st.upcoming_webinars(&ids, now),
            achievements: st.achievements_of(student),
        })
    }

    async fn staff_snapshot(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        queue_limit: u32,
    ) -> StorageResult<StaffSnapshot> {
        let st = self.lock();
        let memberships: Vec<CourseMembership> = st
            .member_courses(user)
            .into_iter()
            .filter(|m| {
                matches!(m.role, CourseRole::Owner | CourseRole::Assistant)
                    && m.course.status != CourseStatus::Archived
            })
            .collect();
        let ids: Vec<CourseId> = memberships.iter().map(|m| m.course.id).collect();
        let mut queue = st.pending(&ids);
        queue.truncate(queue_limit as usize);
        Ok(StaffSnapshot {
            courses: memberships
                .iter()
                .map(|m| st.staff_course_data(&m.course, m.role))
                .collect(),
            queue,
            webinars: st.upcoming_webinars(&ids, now),
        })
    }

    async fn staff_course(
        &self,
        course: CourseId,
        role: CourseRole,
    ) -> StorageResult<Option<StaffCourseData>> {
        let st = self.lock();
        Ok(st
            .courses
            .get(&course)
            .map(|r| st.staff_course_data(&r.value, role)))
    }
}

#[async_trait]
impl ScheduleStore for MemoryStorage {
    async fn schedule_sources(&self, user: UserId) -> StorageResult<ScheduleSources> {
        let st = self.lock();
        let memberships: Vec<CourseMembership> = st
            .member_courses(user)
            .into_iter()
            .filter(|m| m.role != CourseRole::Student || m.course.status != CourseStatus::Draft)
            .collect();
        let mut sources = ScheduleSources::default();
        for m in &memberships {
            let course = m.course.id;
            let student = m.role == CourseRole::Student;
            sources.lessons.extend(st.lessons_of(course));
            sources.assignments.extend(
                st.assignments_of(course)
                    .into_iter()
                    .filter(|a| !student || a.published),
            );
            sources
                .extensions
                .extend(st.student_extensions_in(course, user));
            sources.quizzes.extend(
                st.quizzes_of(course)
                    .into_iter()
                    .filter(|q| !student || q.published),
            );
        }
        let ids: Vec<CourseId> = memberships.iter().map(|m| m.course.id).collect();
        sources.webinars =
            st.webinars_where(|w| ids.contains(&w.course_id) && w.state != WebinarState::Cancelled);
        sources.courses = memberships.into_iter().map(|m| m.course).collect();
        Ok(sources)
    }
}

// ---- transfer --------------------------------------------------------------

/// The ids in `keys`, refusing a repeated one with `Conflict(kind)` (what a
/// unique constraint of the SQL schema would answer).
fn unique_keys<K: Eq + std::hash::Hash>(
    keys: impl IntoIterator<Item = K>,
    kind: Conflict,
) -> StorageResult<HashSet<K>> {
    let mut seen = HashSet::new();
    for key in keys {
        if !seen.insert(key) {
            return conflict(kind);
        }
    }
    Ok(seen)
}

/// `NotFound` unless `id` is among `known` (what a foreign key would answer).
fn refers<K: Eq + std::hash::Hash>(known: &HashSet<K>, id: &K) -> StorageResult<()> {
    if known.contains(id) {
        Ok(())
    } else {
        Err(StorageError::NotFound)
    }
}

/// Values of `rows` in insertion order.
fn in_seq_order<'a, T: Clone + 'a>(rows: impl IntoIterator<Item = &'a Row<T>>) -> Vec<T> {
    let mut rows: Vec<&Row<T>> = rows.into_iter().collect();
    rows.sort_by_key(|r| r.seq);
    rows.into_iter().map(|r| r.value.clone()).collect()
}

/// Refuses a dump the SQL adapters would refuse: repeated keys and rows
/// referring to rows the dump does not hold.
#[allow(clippy::too_many_lines)]
fn check_dump(d: &SchoolDump) -> StorageResult<()> {
    let users = unique_keys(d.users.iter().map(|r| r.user.id), Conflict::Other)?;
    unique_keys(d.users.iter().map(|r| &r.user.email), Conflict::Email)?;
    unique_keys(
        d.users.iter().filter_map(|r| r.feed_token_hash.as_ref()),
        Conflict::Other,
    )?;
    unique_keys(d.sessions.iter().map(|s| &s.token_hash), Conflict::Other)?;
    for s in &d.sessions {
        refers(&users, &s.user_id)?;
    }
    let courses = unique_keys(d.courses.iter().map(|c| c.id), Conflict::Other)?;
    unique_keys(
        d.courses.iter().filter_map(|c| c.invite_code.as_ref()),
        Conflict::InviteCode,
    )?;
    for c in &d.courses {
        refers(&users, &c.owner_id)?;
    }
    unique_keys(
        d.assistants.iter().map(|a| (a.course_id, a.user_id)),
        Conflict::Assistant,
    )?;
    for a in &d.assistants {
        refers(&courses, &a.course_id)?;
        refers(&users, &a.user_id)?;
    }
    unique_keys(
        d.enrollments.iter().map(|e| (e.course_id, e.student_id)),
        Conflict::Enrollment,
    )?;
    for e in &d.enrollments {
        refers(&courses, &e.course_id)?;
        refers(&users, &e.student_id)?;
    }
    let lessons = unique_keys(d.lessons.iter().map(|l| l.id), Conflict::Other)?;
    unique_keys(
        d.lessons.iter().map(|l| (l.course_id, l.position)),
        Conflict::Stale,
    )?;
    for l in &d.lessons {
        refers(&courses, &l.course_id)?;
    }
    unique_keys(
        d.lesson_views.iter().map(|v| (v.lesson_id, v.student_id)),
        Conflict::Other,
    )?;
    for v in &d.lesson_views {
        refers(&lessons, &v.lesson_id)?;
        refers(&users, &v.student_id)?;
    }
    let assignments = unique_keys(d.assignments.iter().map(|a| a.id), Conflict::Other)?;
    for a in &d.assignments {
        refers(&courses, &a.course_id)?;
    }
    unique_keys(
        d.extensions.iter().map(|e| (e.assignment_id, e.student_id)),
        Conflict::Other,
    )?;
    for e in &d.extensions {
        refers(&assignments, &e.assignment_id)?;
        refers(&users, &e.student_id)?;
        refers(&users, &e.granted_by)?;
    }
    let submissions = unique_keys(d.submissions.iter().map(|s| s.id), Conflict::Other)?;
    unique_keys(
        d.submissions
            .iter()
            .map(|s| (s.assignment_id, s.student_id)),
        Conflict::Other,
    )?;
    unique_keys(
        d.submissions
            .iter()
            .flat_map(|s| s.versions.iter().map(|v| v.id)),
        Conflict::Other,
    )?;
    unique_keys(
        d.submissions
            .iter()
            .flat_map(|s| s.versions.iter().map(move |v| (s.id, v.number))),
        Conflict::Stale,
    )?;
    unique_keys(
        d.submissions.iter().flat_map(|s| {
            s.versions
                .iter()
                .filter_map(move |v| v.idempotency_key.as_ref().map(|k| (s.id, k)))
        }),
        Conflict::Other,
    )?;
    for s in &d.submissions {
        refers(&assignments, &s.assignment_id)?;
        refers(&users, &s.student_id)?;
        if let Some(g) = &s.grade {
            refers(&users, &g.graded_by)?;
        }
    }
    unique_keys(d.grade_audit.iter().map(|a| a.id), Conflict::Other)?;
    for a in &d.grade_audit {
        refers(&submissions, &a.submission_id)?;
        refers(&users, &a.actor_id)?;
    }
    let quizzes = unique_keys(d.quizzes.iter().map(|q| q.id), Conflict::Other)?;
    for q in &d.quizzes {
        refers(&courses, &q.course_id)?;
    }
    unique_keys(d.questions.iter().map(|q| q.id), Conflict::Other)?;
    unique_keys(
        d.questions.iter().map(|q| (q.quiz_id, q.position)),
        Conflict::Stale,
    )?;
    for q in &d.questions {
        refers(&quizzes, &q.quiz_id)?;
    }
    unique_keys(d.attempts.iter().map(|a| a.id), Conflict::Other)?;
    unique_keys(
        d.attempts
            .iter()
            .map(|a| (a.quiz_id, a.student_id, a.number)),
        Conflict::AttemptLimit,
    )?;
    unique_keys(
        d.attempts
            .iter()
            .filter(|a| a.state == AttemptState::Open)
            .map(|a| (a.quiz_id, a.student_id)),
        Conflict::OpenAttempt,
    )?;
    for a in &d.attempts {
        refers(&quizzes, &a.quiz_id)?;
        refers(&users, &a.student_id)?;
    }
    unique_keys(d.webinars.iter().map(|w| w.id), Conflict::Other)?;
    for w in &d.webinars {
        refers(&courses, &w.course_id)?;
        refers(&users, &w.created_by)?;
    }
    unique_keys(d.outbox.iter().map(|e| e.id), Conflict::Other)?;
    unique_keys(d.outbox.iter().map(|e| &e.dedup_key), Conflict::OutboxDedup)?;
    for e in &d.outbox {
        refers(&users, &e.recipient_id)?;
    }
    unique_keys(d.preferences.iter().map(|p| p.user_id), Conflict::Other)?;
    for p in &d.preferences {
        refers(&users, &p.user_id)?;
    }
    unique_keys(d.telegram_chats.iter().map(|c| c.user_id), Conflict::Other)?;
    unique_keys(d.telegram_chats.iter().map(|c| c.chat_id), Conflict::Other)?;
    for c in &d.telegram_chats {
        refers(&users, &c.user_id)?;
    }
    unique_keys(
        d.telegram_tokens.iter().map(|t| &t.token_hash),
        Conflict::Other,
    )?;
    for t in &d.telegram_tokens {
        refers(&users, &t.user_id)?;
    }
    unique_keys(
        d.achievements.iter().map(award_scope),
        Conflict::Achievement,
    )?;
    for a in &d.achievements {
        refers(&users, &a.user_id)?;
    }
    unique_keys(d.files.iter().map(|f| f.file.id), Conflict::Other)?;
    unique_keys(d.files.iter().map(|f| &f.file.storage_key), Conflict::Other)?;
    for f in &d.files {
        refers(&users, &f.file.uploaded_by)?;
        match f.owner {
            FileOwner::Lesson(id) => refers(&lessons, &id)?,
            FileOwner::Assignment(id) => refers(&assignments, &id)?,
            FileOwner::Submission(id) => refers(&submissions, &id)?,
            FileOwner::Unattached => {}
        }
    }
    Ok(())
}

impl State {
    /// Whether no row of any kind is stored.
    fn is_empty(&self) -> bool {
        self.users.is_empty()
            && self.sessions.is_empty()
            && self.courses.is_empty()
            && self.assistants.is_empty()
            && self.enrollments.is_empty()
            && self.lessons.is_empty()
            && self.lesson_views.is_empty()
            && self.assignments.is_empty()
            && self.extensions.is_empty()
            && self.submissions.is_empty()
            && self.audit.is_empty()
            && self.quizzes.is_empty()
            && self.questions.is_empty()
            && self.attempts.is_empty()
            && self.webinars.is_empty()
            && self.outbox.is_empty()
            && self.preferences.is_empty()
            && self.telegram_tokens.is_empty()
            && self.telegram_chats.is_empty()
            && self.achievements.is_empty()
            && self.files.is_empty()
            && self.idempotency.is_empty()
    }

    /// Every row; rows with an insertion sequence in that order, so an
    /// import into another memory storage keeps every tie-breaker.
    fn export(&self) -> SchoolDump {
        let mut users: Vec<&UserRow> = self.users.values().collect();
        users.sort_by_key(|r| r.seq);
        let mut sessions: Vec<Session> = self.sessions.values().cloned().collect();
        sessions
            .sort_by(|a, b| (a.created_at, &a.token_hash.0).cmp(&(b.created_at, &b.token_hash.0)));
        let mut lessons: Vec<Lesson> = self.lessons.values().cloned().collect();
        lessons.sort_by_key(|l| (l.course_id, l.position));
        let mut lesson_views: Vec<LessonViewRecord> = self
            .lesson_views
            .iter()
            .map(|((lesson_id, student_id), viewed_at)| LessonViewRecord {
                lesson_id: *lesson_id,
                student_id: *student_id,
                viewed_at: *viewed_at,
            })
            .collect();
        lesson_views.sort_by_key(|v| (v.viewed_at, v.lesson_id, v.student_id));
        let mut questions: Vec<Question> = self.questions.values().cloned().collect();
        questions.sort_by_key(|q| (q.quiz_id, q.position));
        let mut preferences: Vec<NotificationPreferences> =
            self.preferences.values().cloned().collect();
        preferences.sort_by_key(|p| p.user_id);
        let mut telegram_chats: Vec<TelegramChatRecord> = self
            .telegram_chats
            .iter()
            .map(|(user_id, chat_id)| TelegramChatRecord {
                user_id: *user_id,
                chat_id: *chat_id,
            })
            .collect();
        telegram_chats.sort_by_key(|c| c.user_id);
        let mut telegram_tokens: Vec<TelegramLinkToken> =
            self.telegram_tokens.values().cloned().collect();
        telegram_tokens.sort_by(|a, b| a.token_hash.0.cmp(&b.token_hash.0));
        let mut files: Vec<FileRecord> = self
            .files
            .values()
            .map(|(file, owner)| FileRecord {
                file: file.clone(),
                owner: *owner,
            })
            .collect();
        files.sort_by_key(|f| (f.file.uploaded_at, f.file.id));
        SchoolDump {
            users: users
                .into_iter()
                .map(|r| UserRecord {
                    user: r.user.clone(),
                    password_hash: r.password.clone(),
                    feed_token_hash: r.feed_token.clone(),
                })
                .collect(),
            sessions,
            courses: in_seq_order(self.courses.values()),
            assistants: self
                .assistants
                .iter()
                .map(|(course_id, user_id)| AssistantRecord {
                    course_id: *course_id,
                    user_id: *user_id,
                })
                .collect(),
            enrollments: in_seq_order(&self.enrollments),
            lessons,
            lesson_views,
            assignments: in_seq_order(self.assignments.values()),
            extensions: in_seq_order(&self.extensions),
            submissions: in_seq_order(self.submissions.values()),
            grade_audit: in_seq_order(&self.audit),
            quizzes: in_seq_order(self.quizzes.values()),
            questions,
            attempts: in_seq_order(self.attempts.values()),
            webinars: in_seq_order(self.webinars.values()),
            outbox: self.outbox.clone(),
            preferences,
            telegram_chats,
            telegram_tokens,
            achievements: self.achievements.clone(),
            files,
        }
    }

    /// A state holding exactly the rows of a checked dump, inserted in
    /// dump order. Versions belong to the submission they are listed under.
    fn from_dump(d: &SchoolDump) -> Self {
        fn rows<T: Clone>(st: &mut State, values: &[T]) -> Vec<Row<T>> {
            values
                .iter()
                .map(|value| Row {
                    value: value.clone(),
                    seq: st.next_seq(),
                })
                .collect()
        }
        let mut st = State::default();
        for r in &d.users {
            let seq = st.next_seq();
            st.users.insert(
                r.user.id,
                UserRow {
                    user: r.user.clone(),
                    password: r.password_hash.clone(),
                    feed_token: r.feed_token_hash.clone(),
                    seq,
                },
            );
        }
        st.sessions = d
            .sessions
            .iter()
            .map(|s| (s.token_hash.clone(), s.clone()))
            .collect();
        let courses = rows(&mut st, &d.courses);
        st.courses = courses.into_iter().map(|r| (r.value.id, r)).collect();
        st.assistants = d
            .assistants
            .iter()
            .map(|a| (a.course_id, a.user_id))
            .collect();
        st.enrollments = rows(&mut st, &d.enrollments);
        st.lessons = d.lessons.iter().map(|l| (l.id, l.clone())).collect();
        st.lesson_views = d
            .lesson_views
            .iter()
            .map(|v| ((v.lesson_id, v.student_id), v.viewed_at))
            .collect();
        let assignments = rows(&mut st, &d.assignments);
        st.assignments = assignments.into_iter().map(|r| (r.value.id, r)).collect();
        st.extensions = rows(&mut st, &d.extensions);
        let submissions = rows(&mut st, &d.submissions);
        st.submissions = submissions
            .into_iter()
            .map(|mut r| {
                let id = r.value.id;
                for v in &mut r.value.versions {
                    v.submission_id = id;
                }
                (id, r)
            })
            .collect();
        st.audit = rows(&mut st, &d.grade_audit);
        let quizzes = rows(&mut st, &d.quizzes);
        st.quizzes = quizzes.into_iter().map(|r| (r.value.id, r)).collect();
        st.questions = d.questions.iter().map(|q| (q.id, q.clone())).collect();
        let attempts = rows(&mut st, &d.attempts);
        st.attempts = attempts.into_iter().map(|r| (r.value.id, r)).collect();
        let webinars = rows(&mut st, &d.webinars);
        st.webinars = webinars.into_iter().map(|r| (r.value.id, r)).collect();
        st.outbox = d.outbox.clone();
        st.preferences = d
            .preferences
            .iter()
            .map(|p| (p.user_id, p.clone()))
            .collect();
        st.telegram_chats = d
            .telegram_chats
            .iter()
            .map(|c| (c.user_id, c.chat_id))
            .collect();
        st.telegram_tokens = d
            .telegram_tokens
            .iter()
            .map(|t| (t.token_hash.clone(), t.clone()))
            .collect();
        st.achievements = d.achievements.clone();
        st.files = d
            .files
            .iter()
            .map(|f| (f.file.id, (f.file.clone(), f.owner)))
            .collect();
        st
    }
}

#[async_trait]
impl SchoolTransfer for MemoryStorage {
    async fn export_school(&self) -> StorageResult<SchoolDump> {
        Ok(self.lock().export())
    }

    async fn import_school(&self, dump: &SchoolDump) -> StorageResult<()> {
        let mut st = self.lock();
        // Any stored row counts: the SQL adapters' "no users" means the same,
        // as every row there refers to a user.
        if !st.is_empty() {
            return conflict(Conflict::Other);
        }
        check_dump(dump)?;
        *st = State::from_dump(dump);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
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
                .pending_submissions(&[w.course.id], Page::max())
                .await
                .unwrap(),
            vec![]
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn claims_never_overlap_and_leases_expire() {
        let mem = MemoryStorage::new();
        let to = UserId::new();
        let entries: Vec<OutboxEntry> =
            (0..40).map(|i| entry(to, &format!("e{i}"), t0())).collect();
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
}
