//! Tests of the suite itself: deliberately broken adapters (the in-memory
//! storage with one port wrapped to break one rule) must fail the cases
//! that guard that rule, so no case passes trivially.

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::FutureExt;

use super::{homework, quizzes, users};
use crate::achievement::Achievement;
use crate::error::StorageResult;
use crate::homework::{
    Assignment, Extension, FirstHandIn, GradeAuditEntry, HandIn, HandInOutcome, HomeworkStore,
    PendingSubmission, Review, Submission, SubmissionHead,
};
use crate::ids::{AssignmentId, AttemptId, CourseId, QuestionId, QuizId, SubmissionId, UserId};
use crate::notification::OutboxEntry;
use crate::page::Page;
use crate::ports::Storage;
use crate::quiz::{Answer, Attempt, AttemptResult, FinishAttempt, Question, Quiz, QuizStore};
use crate::testkit::memory::MemoryStorage;
use crate::user::{Email, FeedLink, PasswordHash, TokenHash, User, UserStore};

fn fresh() -> Storage {
    Storage::from_adapter(MemoryStorage::new())
}

/// Whether the case panics against `storage`.
async fn fails<F: Future<Output = ()>>(case: F) -> bool {
    AssertUnwindSafe(case).catch_unwind().await.is_err()
}

// ------------------------------------------------ writes outside the transaction

/// Enqueues messages and awards badges in separate calls before the change:
/// a crash or refusal in between leaves them behind.
struct NonAtomicHomework(Storage);

impl NonAtomicHomework {
    async fn side_effects(&self, outbox: &[OutboxEntry], awards: &[Achievement]) {
        self.0.notifications.enqueue(outbox).await.expect("enqueue");
        for a in awards {
            self.0.achievements.award(a).await.expect("award");
        }
    }
}

#[async_trait]
impl HomeworkStore for NonAtomicHomework {
    async fn insert_assignment(&self, a: &Assignment, o: &[OutboxEntry]) -> StorageResult<()> {
        self.0.homework.insert_assignment(a, o).await
    }
    async fn update_assignment(&self, a: &Assignment, o: &[OutboxEntry]) -> StorageResult<()> {
        self.0.homework.update_assignment(a, o).await
    }
    async fn get_assignment(&self, id: AssignmentId) -> StorageResult<Option<Assignment>> {
        self.0.homework.get_assignment(id).await
    }
    async fn list_assignments(&self, c: CourseId) -> StorageResult<Vec<Assignment>> {
        self.0.homework.list_assignments(c).await
    }
    async fn upsert_extension(&self, e: &Extension) -> StorageResult<()> {
        self.0.homework.upsert_extension(e).await
    }
    async fn delete_extension(&self, a: AssignmentId, s: UserId) -> StorageResult<bool> {
        self.0.homework.delete_extension(a, s).await
    }
    async fn get_extension(&self, a: AssignmentId, s: UserId) -> StorageResult<Option<Extension>> {
        self.0.homework.get_extension(a, s).await
    }
    async fn list_extensions(&self, a: AssignmentId) -> StorageResult<Vec<Extension>> {
        self.0.homework.list_extensions(a).await
    }
    async fn hand_in(&self, h: &HandIn) -> StorageResult<HandInOutcome> {
        self.side_effects(&h.outbox, &h.awards).await;
        let bare = HandIn {
            outbox: Vec::new(),
            awards: Vec::new(),
            ..h.clone()
        };
        self.0.homework.hand_in(&bare).await
    }
    async fn review(&self, r: &Review) -> StorageResult<Submission> {
        self.side_effects(&r.outbox, &r.awards).await;
        let bare = Review {
            outbox: Vec::new(),
            awards: Vec::new(),
            ..r.clone()
        };
        self.0.homework.review(&bare).await
    }
    async fn get_submission(&self, id: SubmissionId) -> StorageResult<Option<Submission>> {
        self.0.homework.get_submission(id).await
    }
    async fn find_submission(
        &self,
        a: AssignmentId,
        s: UserId,
    ) -> StorageResult<Option<Submission>> {
        self.0.homework.find_submission(a, s).await
    }
    async fn list_submissions(
        &self,
        a: AssignmentId,
        f: &crate::homework::SubmissionFilter,
        p: Page,
    ) -> StorageResult<Vec<Submission>> {
        self.0.homework.list_submissions(a, f, p).await
    }
    async fn student_submissions(&self, c: CourseId, s: UserId) -> StorageResult<Vec<Submission>> {
        self.0.homework.student_submissions(c, s).await
    }
    async fn submission_head(
        &self,
        a: AssignmentId,
        s: UserId,
    ) -> StorageResult<Option<SubmissionHead>> {
        self.0.homework.submission_head(a, s).await
    }
    async fn first_hand_ins(&self, s: UserId) -> StorageResult<Vec<FirstHandIn>> {
        self.0.homework.first_hand_ins(s).await
    }
    async fn pending_submissions(
        &self,
        c: &[CourseId],
        f: &crate::user::UserFilter,
        p: Page,
    ) -> StorageResult<Vec<PendingSubmission>> {
        self.0.homework.pending_submissions(c, f, p).await
    }
    async fn grade_audit(&self, s: SubmissionId) -> StorageResult<Vec<GradeAuditEntry>> {
        self.0.homework.grade_audit(s).await
    }
}

fn non_atomic_homework() -> Storage {
    let inner = fresh();
    Storage {
        homework: Arc::new(NonAtomicHomework(inner.clone())),
        ..inner
    }
}

#[tokio::test]
async fn non_atomic_hand_ins_and_reviews_are_caught() {
    assert!(
        fails(homework::failed_hand_in_writes_nothing(
            non_atomic_homework()
        ))
        .await,
        "a failed hand-in that leaves messages behind must fail the suite"
    );
    assert!(
        fails(homework::repeated_idempotency_key_is_a_duplicate(
            non_atomic_homework()
        ))
        .await,
        "a duplicate hand-in that enqueues must fail the suite"
    );
    assert!(
        fails(homework::stale_review_writes_nothing(non_atomic_homework())).await,
        "a stale review that enqueues must fail the suite"
    );
    assert!(
        fails(homework::review_of_unknown_submission_is_not_found(
            non_atomic_homework()
        ))
        .await,
        "a failed review that enqueues must fail the suite"
    );
    assert!(
        !fails(homework::grading_stores_grade_audit_and_messages(
            non_atomic_homework()
        ))
        .await,
        "the mutant still passes cases that do not look at atomicity"
    );
}

// ------------------------------------------------ a forgotten attempt limit

/// Ignores the attempt limit.
struct LimitlessQuizzes(Storage);

#[async_trait]
impl QuizStore for LimitlessQuizzes {
    async fn insert_quiz(&self, q: &Quiz) -> StorageResult<()> {
        self.0.quizzes.insert_quiz(q).await
    }
    async fn update_quiz(&self, q: &Quiz) -> StorageResult<()> {
        self.0.quizzes.update_quiz(q).await
    }
    async fn get_quiz(&self, id: QuizId) -> StorageResult<Option<Quiz>> {
        self.0.quizzes.get_quiz(id).await
    }
    async fn list_quizzes(&self, c: CourseId) -> StorageResult<Vec<Quiz>> {
        self.0.quizzes.list_quizzes(c).await
    }
    async fn insert_question(&self, q: &Question) -> StorageResult<Question> {
        self.0.quizzes.insert_question(q).await
    }
    async fn update_question(&self, q: &Question) -> StorageResult<()> {
        self.0.quizzes.update_question(q).await
    }
    async fn delete_question(&self, id: QuestionId) -> StorageResult<bool> {
        self.0.quizzes.delete_question(id).await
    }
    async fn list_questions(&self, q: QuizId) -> StorageResult<Vec<Question>> {
        self.0.quizzes.list_questions(q).await
    }
    async fn reorder_questions(&self, q: QuizId, order: &[QuestionId]) -> StorageResult<()> {
        self.0.quizzes.reorder_questions(q, order).await
    }
    async fn start_attempt(&self, a: &Attempt, _limit: Option<u32>) -> StorageResult<Attempt> {
        self.0.quizzes.start_attempt(a, None).await
    }
    async fn get_attempt(&self, id: AttemptId) -> StorageResult<Option<Attempt>> {
        self.0.quizzes.get_attempt(id).await
    }
    async fn list_attempts(&self, q: QuizId, s: UserId) -> StorageResult<Vec<Attempt>> {
        self.0.quizzes.list_attempts(q, s).await
    }
    async fn list_quiz_attempts(
        &self,
        q: QuizId,
        f: &crate::user::UserFilter,
        p: Page,
    ) -> StorageResult<Vec<crate::quiz::NamedAttempt>> {
        self.0.quizzes.list_quiz_attempts(q, f, p).await
    }
    async fn pending_essays(
        &self,
        c: &[CourseId],
        f: &crate::user::UserFilter,
        p: Page,
    ) -> StorageResult<Vec<crate::quiz::PendingEssay>> {
        self.0.quizzes.pending_essays(c, f, p).await
    }
    async fn save_answers(
        &self,
        a: AttemptId,
        answers: &BTreeMap<QuestionId, Answer>,
        at: DateTime<Utc>,
    ) -> StorageResult<Attempt> {
        self.0.quizzes.save_answers(a, answers, at).await
    }
    async fn finish_attempt(&self, f: &FinishAttempt) -> StorageResult<Attempt> {
        self.0.quizzes.finish_attempt(f).await
    }
    async fn set_attempt_result(
        &self,
        a: AttemptId,
        e: &AttemptResult,
        r: &AttemptResult,
        awards: &[Achievement],
        outbox: &[OutboxEntry],
    ) -> StorageResult<Attempt> {
        self.0
            .quizzes
            .set_attempt_result(a, e, r, awards, outbox)
            .await
    }
    async fn overdue_attempts(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StorageResult<Vec<Attempt>> {
        self.0.quizzes.overdue_attempts(now, limit).await
    }
}

#[tokio::test]
async fn an_ignored_attempt_limit_is_caught() {
    let limitless = || {
        let inner = fresh();
        Storage {
            quizzes: Arc::new(LimitlessQuizzes(inner.clone())),
            ..inner
        }
    };
    assert!(
        fails(quizzes::attempt_limit_is_enforced(limitless())).await,
        "an adapter ignoring the limit must fail the suite"
    );
    assert!(
        !fails(quizzes::attempts_are_numbered_per_student(limitless())).await,
        "the mutant still numbers attempts"
    );
}

// ------------------------------------------------ a wrong order and a lax constraint

/// Lists users in reverse e-mail order and lets an update take a taken address
/// by reporting success without writing.
struct SloppyUsers(Storage);

#[async_trait]
impl UserStore for SloppyUsers {
    async fn insert_user(&self, u: &User, p: Option<PasswordHash>) -> StorageResult<()> {
        self.0.users.insert_user(u, p).await
    }
    async fn update_user(&self, u: &User) -> StorageResult<()> {
        match self.0.users.update_user(u).await {
            Err(crate::StorageError::Conflict(_)) => Ok(()),
            other => other,
        }
    }
    async fn get_user(&self, id: UserId) -> StorageResult<Option<User>> {
        self.0.users.get_user(id).await
    }
    async fn get_users(&self, ids: &[UserId]) -> StorageResult<Vec<User>> {
        self.0.users.get_users(ids).await
    }
    async fn find_user_by_email(&self, e: &Email) -> StorageResult<Option<User>> {
        self.0.users.find_user_by_email(e).await
    }
    async fn list_users(&self, page: Page) -> StorageResult<Vec<User>> {
        let mut all = self.0.users.list_users(Page::max()).await?;
        all.reverse();
        Ok(page.slice(&all))
    }
    async fn search_users(
        &self,
        f: &crate::user::UserFilter,
        page: Page,
    ) -> StorageResult<Vec<User>> {
        // Forgets the role filter.
        let loose = crate::user::UserFilter {
            role: None,
            ..f.clone()
        };
        self.0.users.search_users(&loose, page).await
    }
    async fn set_password_hash(&self, id: UserId, h: &PasswordHash) -> StorageResult<()> {
        self.0.users.set_password_hash(id, h).await
    }
    async fn credentials_by_email(&self, e: &Email) -> StorageResult<Option<(User, PasswordHash)>> {
        self.0.users.credentials_by_email(e).await
    }
    async fn set_feed_token(&self, id: UserId, h: &TokenHash) -> StorageResult<()> {
        self.0.users.set_feed_token(id, h).await
    }
    async fn user_by_feed_token(&self, h: &TokenHash) -> StorageResult<Option<User>> {
        self.0.users.user_by_feed_token(h).await
    }
    async fn set_feed_link(&self, id: UserId, link: &FeedLink) -> StorageResult<()> {
        self.0.users.set_feed_link(id, link).await
    }
    async fn feed_link(&self, id: UserId) -> StorageResult<Option<FeedLink>> {
        self.0.users.feed_link(id).await
    }
}

#[tokio::test]
async fn wrong_order_and_swallowed_conflicts_are_caught() {
    let sloppy = || {
        let inner = fresh();
        Storage {
            users: Arc::new(SloppyUsers(inner.clone())),
            ..inner
        }
    };
    assert!(
        fails(users::list_users_by_email_with_pages(sloppy())).await,
        "users listed out of e-mail order must fail the suite"
    );
    assert!(
        fails(users::update_user_conflict_and_not_found(sloppy())).await,
        "an update that hides Conflict(Email) must fail the suite"
    );
    assert!(
        fails(users::search_users_by_prefix_role_and_state(sloppy())).await,
        "a search that forgets the role filter must fail the suite"
    );
    assert!(
        !fails(users::users_round_trip(sloppy())).await,
        "the mutant still stores users"
    );
}
