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
    StudentStanding,
};
use crate::error::{Conflict, StorageError, StorageResult};
use crate::file::{FileOwner, FileRef, FileRegistry, UploadUsage};
use crate::homework::{
    Assignment, Extension, FirstHandIn, GradeAuditEntry, HandIn, HandInOutcome, HomeworkStore,
    PendingSubmission, Review, Submission, SubmissionHead, SubmissionState, SubmissionVersion,
    effective_deadline,
};
use crate::idempotency::{Begin, IdempotencyKey, IdempotencyStore, StoredResponse};
use crate::ids::{
    AssignmentId, AttemptId, CourseId, FileId, LessonId, OutboxId, QuestionId, QuizId,
    SubmissionId, UserId, WebinarId,
};
use crate::notification::{
    DeadlineTarget, DeliveryProfile, NotificationPreferences, NotificationStore, OpeningTarget,
    OutboxEntry, OutboxStatus, QuizCloseTarget, Recipient, TelegramLinkToken,
};
use crate::page::Page;
use crate::ports::Storage;
use crate::quiz::{
    Answer, Attempt, AttemptResult, AttemptState, FinishAttempt, NamedAttempt, PendingEssay,
    Question, Quiz, QuizStore,
};
use crate::schedule::{ScheduleSources, ScheduleStore};
use crate::score::Points;
use crate::transfer::{
    AssistantRecord, FileRecord, GroupMemberRecord, LessonViewRecord, SchoolDump, SchoolTransfer,
    TelegramChatRecord, UserRecord,
};
use crate::user::{
    Email, FeedLink, LoginCounter, PasswordHash, Session, SessionStore, ThrottleKey, TokenHash,
    User, UserStore,
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
    /// The link [`UserStore::feed_link`] shows; only with `feed_token`.
    feed_link: Option<FeedLink>,
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
    /// Next free instant of each send slot key.
    send_slots: HashMap<String, DateTime<Utc>>,
    achievements: Vec<Achievement>,
    files: HashMap<FileId, (FileRef, FileOwner)>,
    idempotency: HashMap<(UserId, String, String), IdempotencyRecord>,
    /// Invitations with their insertion order.
    invitations: Vec<Row<crate::onboarding::Invitation>>,
    password_resets: HashMap<TokenHash, crate::onboarding::PasswordReset>,
    groups: HashMap<crate::ids::GroupId, Row<crate::group::Group>>,
    /// The group of each enrolled student who is in one.
    student_groups: HashMap<(CourseId, UserId), crate::ids::GroupId>,
    /// In the order recorded.
    group_moves: Vec<crate::group::GroupMove>,
    /// Messages of submission threads, in insertion order.
    comments: Vec<crate::homework::SubmissionComment>,
    /// When each user last read each thread.
    comment_reads: HashMap<(SubmissionId, UserId), DateTime<Utc>>,
    /// Course announcements (author names blank), in insertion order.
    announcements: Vec<crate::announcement::Announcement>,
    /// Question banks.
    bank: HashMap<crate::ids::BankQuestionId, Row<crate::bank::BankQuestion>>,
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

    /// A user's display name; empty for an unknown user.
    fn display_name(&self, user: UserId) -> String {
        self.users
            .get(&user)
            .map(|u| u.user.display_name.as_str().to_owned())
            .unwrap_or_default()
    }

    /// Whether a student of `course` passes the course-scoped parts of a
    /// filter (its group and its mentor).
    fn in_filter_scope(
        &self,
        filter: &crate::user::UserFilter,
        course: CourseId,
        student: UserId,
    ) -> bool {
        let group = self.student_groups.get(&(course, student)).copied();
        if filter.group.is_some_and(|g| group != Some(g)) {
            return false;
        }
        filter.mentored_by.is_none_or(|mentor| {
            self.courses
                .get(&course)
                .is_some_and(|c| c.value.owner_id == mentor)
                || self.mentor_scope(course, mentor).covers(group)
        })
    }

    /// [`crate::group::GroupStore::mentor_scope`].
    fn mentor_scope(&self, course: CourseId, user: UserId) -> crate::group::MentorScope {
        let mut groups: Vec<_> = self
            .groups
            .values()
            .filter(|g| g.value.course_id == course)
            .collect();
        if groups.is_empty() {
            return crate::group::MentorScope::Course;
        }
        groups.sort_by_key(|g| g.seq);
        crate::group::MentorScope::Groups(
            groups
                .into_iter()
                .filter(|g| g.value.mentors.contains(&user))
                .map(|g| g.value.id)
                .collect(),
        )
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
                student_name: self
                    .users
                    .get(&r.value.student_id)
                    .map(|u| u.user.display_name.as_str().to_owned())
                    .unwrap_or_default(),
                assignment_title: self
                    .assignments
                    .get(&r.value.assignment_id)
                    .map(|a| a.value.title.as_str().to_owned())
                    .unwrap_or_default(),
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

mod announcements;
mod bank;
mod comments;
mod courses;
mod file_store;
mod files;
mod groups;
mod homework;
mod idempotency;
mod notifications;
mod onboarding;
mod quizzes;
mod read_models;
mod transfer;
mod users;
mod webinars;

pub use file_store::MemoryFileStore;

#[cfg(test)]
mod tests;
