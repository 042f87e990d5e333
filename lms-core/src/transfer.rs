//! Moving a whole school between storages (e.g. from the embedded SQLite
//! file to PostgreSQL when the school grows): every row of every aggregate
//! as one [`SchoolDump`], exported by one adapter and imported by another.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::achievement::Achievement;
use crate::announcement::Announcement;
use crate::bank::BankQuestion;
use crate::course::{Course, Enrollment, Lesson};
use crate::error::StorageResult;
use crate::file::{FileOwner, FileRef};
use crate::group::{Group, GroupMove};
use crate::homework::{Assignment, Extension, GradeAuditEntry, Submission, SubmissionComment};
use crate::ids::{CourseId, GroupId, LessonId, SubmissionId, UserId};
use crate::notification::{NotificationPreferences, OutboxEntry, TelegramLinkToken};
use crate::quiz::{Attempt, Question, Quiz};
use crate::user::{PasswordHash, Session, TokenHash, User};
use crate::webinar::Webinar;

/// A user with their credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRecord {
    /// The account.
    pub user: User,
    /// Password hash, if one is set.
    pub password_hash: Option<PasswordHash>,
    /// Calendar-feed token hash, if one is set.
    pub feed_token_hash: Option<TokenHash>,
}

/// An assistant assigned to a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssistantRecord {
    /// The course.
    pub course_id: CourseId,
    /// The assistant.
    pub user_id: UserId,
}

/// An enrolled student's group in a course (an enrolment without a group
/// has no record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupMemberRecord {
    /// The course.
    pub course_id: CourseId,
    /// The student (enrolled in the course).
    pub student_id: UserId,
    /// Their group, one of the course's.
    pub group_id: GroupId,
}

/// A student's first opening of a lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LessonViewRecord {
    /// The lesson.
    pub lesson_id: LessonId,
    /// The student.
    pub student_id: UserId,
    /// When first opened.
    pub viewed_at: DateTime<Utc>,
}

/// When a user last read the comment thread of a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentReadRecord {
    /// The submission.
    pub submission_id: SubmissionId,
    /// The reader.
    pub user_id: UserId,
    /// Up to when they read it.
    pub read_at: DateTime<Utc>,
}

/// A linked Telegram chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TelegramChatRecord {
    /// The user.
    pub user_id: UserId,
    /// Their chat.
    pub chat_id: i64,
}

/// A registered file with what it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileRecord {
    /// The file's metadata.
    pub file: FileRef,
    /// Its owner.
    pub owner: FileOwner,
}

/// Every row of a school, in an order that satisfies references when
/// imported field by field from top to bottom.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchoolDump {
    /// Accounts and credentials.
    pub users: Vec<UserRecord>,
    /// Login sessions.
    pub sessions: Vec<Session>,
    /// Courses.
    pub courses: Vec<Course>,
    /// Assistants.
    pub assistants: Vec<AssistantRecord>,
    /// Enrolments.
    pub enrollments: Vec<Enrollment>,
    /// Groups of courses, each with its mentors in the order assigned.
    /// Missing in dumps made before courses had groups.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// The group of each enrolled student who is in one.
    /// Missing in dumps made before courses had groups.
    #[serde(default)]
    pub group_members: Vec<GroupMemberRecord>,
    /// Students' moves between groups, each student's in the order recorded.
    /// Missing in dumps made before courses had groups.
    #[serde(default)]
    pub group_moves: Vec<GroupMove>,
    /// Lessons (with positions).
    pub lessons: Vec<Lesson>,
    /// Lesson views.
    pub lesson_views: Vec<LessonViewRecord>,
    /// Assignments.
    pub assignments: Vec<Assignment>,
    /// Extensions.
    pub extensions: Vec<Extension>,
    /// Submissions with every version and the current grade.
    pub submissions: Vec<Submission>,
    /// Grade audit trail.
    pub grade_audit: Vec<GradeAuditEntry>,
    /// Messages of submissions' comment threads, without author names
    /// (those are read with a thread, not stored).
    /// Missing in dumps made before submissions had threads.
    #[serde(default)]
    pub comments: Vec<SubmissionComment>,
    /// When each user last read each thread.
    /// Missing in dumps made before submissions had threads.
    #[serde(default)]
    pub comment_reads: Vec<CommentReadRecord>,
    /// Course announcements with their groups, without author names.
    /// Missing in dumps made before courses had announcements.
    #[serde(default)]
    pub announcements: Vec<Announcement>,
    /// Questions of courses' banks.
    /// Missing in dumps made before courses had question banks.
    #[serde(default)]
    pub bank_questions: Vec<BankQuestion>,
    /// Quizzes.
    pub quizzes: Vec<Quiz>,
    /// Questions (with positions).
    pub questions: Vec<Question>,
    /// Attempts.
    pub attempts: Vec<Attempt>,
    /// Webinars.
    pub webinars: Vec<Webinar>,
    /// The outbox, delivered entries included.
    pub outbox: Vec<OutboxEntry>,
    /// Notification preferences.
    pub preferences: Vec<NotificationPreferences>,
    /// Linked Telegram chats.
    pub telegram_chats: Vec<TelegramChatRecord>,
    /// Pending Telegram link tokens.
    pub telegram_tokens: Vec<TelegramLinkToken>,
    /// Badges.
    pub achievements: Vec<Achievement>,
    /// The file registry (metadata; the bytes stay in the file store).
    /// Missing in dumps made before files were registered.
    #[serde(default)]
    pub files: Vec<FileRecord>,
}

impl SchoolDump {
    /// Sorts every list by a stable key, so two dumps of the same school
    /// compare equal whatever order an adapter read the rows in.
    pub fn normalize(&mut self) {
        self.users.sort_by_key(|a| a.user.id);
        self.sessions
            .sort_by(|a, b| a.token_hash.0.cmp(&b.token_hash.0));
        self.courses.sort_by_key(|c| c.id);
        self.assistants.sort_by_key(|a| (a.course_id, a.user_id));
        self.enrollments
            .sort_by_key(|e| (e.course_id, e.student_id));
        self.groups.sort_by_key(|g| g.id);
        self.group_members
            .sort_by_key(|m| (m.course_id, m.student_id));
        // Stable: each student's moves keep the order they were recorded in
        // (their history), which is all that order means.
        self.group_moves
            .sort_by_key(|m| (m.course_id, m.student_id));
        self.lessons.sort_by_key(|l| l.id);
        self.lesson_views
            .sort_by_key(|v| (v.lesson_id, v.student_id));
        self.assignments.sort_by_key(|a| a.id);
        self.extensions
            .sort_by_key(|e| (e.assignment_id, e.student_id));
        self.submissions.sort_by_key(|s| s.id);
        self.grade_audit.sort_by_key(|a| a.id);
        self.comments.sort_by_key(|c| c.id);
        self.comment_reads
            .sort_by_key(|r| (r.submission_id, r.user_id));
        self.announcements.sort_by_key(|a| a.id);
        self.bank_questions.sort_by_key(|q| q.id);
        self.quizzes.sort_by_key(|q| q.id);
        self.questions.sort_by_key(|q| q.id);
        self.attempts.sort_by_key(|a| a.id);
        self.webinars.sort_by_key(|w| w.id);
        self.outbox.sort_by_key(|o| o.id);
        self.preferences.sort_by_key(|p| p.user_id);
        self.telegram_chats.sort_by_key(|t| t.user_id);
        self.telegram_tokens
            .sort_by(|a, b| a.token_hash.0.cmp(&b.token_hash.0));
        self.achievements
            .sort_by_key(|a| (a.user_id, a.badge, a.course_id));
        self.files.sort_by_key(|f| f.file.id);
    }
}

/// Export and import of a whole school.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SchoolTransfer: Send + Sync {
    /// Every row, read in one consistent snapshot (one transaction).
    async fn export_school(&self) -> StorageResult<SchoolDump>;
    /// Writes every row of `dump` into this storage in one transaction,
    /// keeping ids, positions, version and attempt numbers, timestamps and
    /// states exactly. The storage must hold no school yet (no users):
    /// otherwise `Conflict(Other)` and nothing is written.
    async fn import_school(&self, dump: &SchoolDump) -> StorageResult<()>;
}
