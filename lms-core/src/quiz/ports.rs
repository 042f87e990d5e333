//! Storage port of the quiz aggregate.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::achievement::Achievement;
use crate::error::StorageResult;
use crate::ids::{AttemptId, CourseId, QuestionId, QuizId, UserId};
use crate::notification::OutboxEntry;
use crate::page::Page;
use crate::quiz::model::{
    Answer, Attempt, AttemptResult, AttemptState, PendingEssay, Question, Quiz,
};

/// Finishing an attempt, with what must be stored together with it.
#[derive(Debug, Clone, PartialEq)]
pub struct FinishAttempt {
    /// The attempt.
    pub attempt_id: AttemptId,
    /// `Submitted` or `AutoSubmitted`.
    pub state: AttemptState,
    /// When.
    pub finished_at: DateTime<Utc>,
    /// The computed result.
    pub result: AttemptResult,
    /// The attempt's `saved_at` as read when `result` was computed: the
    /// adapter finishes the attempt only if its `saved_at` still equals this
    /// (`None`: answers were never saved), so an autosave that lands between
    /// the read and this write is never stored unscored. On a mismatch it
    /// returns `Conflict(Stale)` and writes nothing; the caller reloads the
    /// attempt, scores it again and retries.
    pub expected_saved_at: Option<DateTime<Utc>>,
    /// Idempotency key of the submit request, if any.
    pub submit_key: Option<String>,
    /// Messages to enqueue.
    pub outbox: Vec<OutboxEntry>,
    /// Badges to award.
    pub awards: Vec<Achievement>,
}

/// An attempt with its student's display name, for staff listings.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedAttempt {
    /// The attempt.
    pub attempt: Attempt,
    /// Its student's display name.
    pub student_name: String,
}

/// Quizzes, questions and attempts.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait QuizStore: Send + Sync {
    /// Inserts a quiz.
    async fn insert_quiz(&self, quiz: &Quiz) -> StorageResult<()>;
    /// Replaces a quiz's title, description, settings and published flag.
    /// `NotFound`.
    ///
    /// In the same write, when the settings have a `closes_at`, every open
    /// attempt of the quiz whose deadline is later (or unset) gets that
    /// deadline: a quiz closed early ends its open attempts then, and
    /// [`overdue_attempts`](Self::overdue_attempts) finds them. Moving
    /// `closes_at` later again does not lengthen them.
    async fn update_quiz(&self, quiz: &Quiz) -> StorageResult<()>;
    /// One quiz.
    async fn get_quiz(&self, id: QuizId) -> StorageResult<Option<Quiz>>;
    /// Quizzes of a course, oldest first.
    async fn list_quizzes(&self, course: CourseId) -> StorageResult<Vec<Quiz>>;

    /// Appends a question (the adapter sets `position` = number of
    /// questions); returns it as stored.
    async fn insert_question(&self, question: &Question) -> StorageResult<Question>;
    /// Replaces a question's prompt, points, body and explanation. `NotFound`.
    async fn update_question(&self, question: &Question) -> StorageResult<()>;
    /// Deletes a question and closes the gap; returns whether it existed.
    async fn delete_question(&self, id: QuestionId) -> StorageResult<bool>;
    /// Questions of a quiz by position.
    async fn list_questions(&self, quiz: QuizId) -> StorageResult<Vec<Question>>;
    /// Sets positions in the given order; `Conflict(Stale)` if the set differs.
    async fn reorder_questions(&self, quiz: QuizId, order: &[QuestionId]) -> StorageResult<()>;

    /// Starts an attempt atomically: the adapter assigns `number`
    /// (finished + open attempts + 1) and refuses with `Conflict(OpenAttempt)`
    /// when the student has an open attempt, or `Conflict(AttemptLimit)` when
    /// `limit` attempts exist — also under concurrent starts.
    async fn start_attempt(&self, attempt: &Attempt, limit: Option<u32>) -> StorageResult<Attempt>;
    /// One attempt.
    async fn get_attempt(&self, id: AttemptId) -> StorageResult<Option<Attempt>>;
    /// A student's attempts at a quiz, by number.
    async fn list_attempts(&self, quiz: QuizId, student: UserId) -> StorageResult<Vec<Attempt>>;
    /// Every attempt at a quiz by a student `students` matches (by name or
    /// e-mail prefix, or state), by start, each with its student's name.
    async fn list_quiz_attempts(
        &self,
        quiz: QuizId,
        students: &crate::user::UserFilter,
        page: Page,
    ) -> StorageResult<Vec<NamedAttempt>>;
    /// Finished attempts in these courses with essays waiting for a
    /// teacher (their result's `pending_manual`), whose student's account
    /// matches `students` the way
    /// [`HomeworkStore::pending_submissions`](crate::homework::HomeworkStore::pending_submissions)
    /// matches them (by [`UserFilter::matches`](crate::user::UserFilter::matches),
    /// its `group` and `mentored_by` applied course by course), oldest
    /// finished first (ties by attempt id).
    async fn pending_essays(
        &self,
        courses: &[CourseId],
        students: &crate::user::UserFilter,
        page: Page,
    ) -> StorageResult<Vec<PendingEssay>>;
    /// Merges answers into an open attempt and sets `saved_at`.
    /// `Conflict(AttemptClosed)` if it is not open or its deadline is before
    /// `at` (saving at the deadline instant itself is accepted); `NotFound`.
    async fn save_answers(
        &self,
        attempt: AttemptId,
        answers: &BTreeMap<QuestionId, Answer>,
        at: DateTime<Utc>,
    ) -> StorageResult<Attempt>;
    /// Finishes an open attempt atomically with its messages and awards, if
    /// its `saved_at` still equals `finish.expected_saved_at`.
    /// `Conflict(AttemptClosed)` if it was already finished;
    /// `Conflict(Stale)` if it is open but answers were saved since (in
    /// both cases nothing is written); `NotFound`.
    async fn finish_attempt(&self, finish: &FinishAttempt) -> StorageResult<Attempt>;
    /// Replaces the result of a finished attempt (manual essay grading),
    /// with its awards and messages, atomically — only if the stored result
    /// still equals `expected`, the one the grader started from; otherwise
    /// (another essay was graded meanwhile) `Conflict(Stale)`. `NotFound`;
    /// `Conflict(OpenAttempt)` while it is still open. Nothing is written on
    /// any error.
    async fn set_attempt_result(
        &self,
        attempt: AttemptId,
        expected: &AttemptResult,
        result: &AttemptResult,
        awards: &[Achievement],
        outbox: &[OutboxEntry],
    ) -> StorageResult<Attempt>;
    /// Open attempts whose deadline is before `now`, oldest deadline first.
    async fn overdue_attempts(&self, now: DateTime<Utc>, limit: u32)
    -> StorageResult<Vec<Attempt>>;
}
