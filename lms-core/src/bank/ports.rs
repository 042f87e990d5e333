//! Storage port of the question bank.

use async_trait::async_trait;

use crate::bank::model::{BankFilter, BankQuestion, CategoryCount};
use crate::error::StorageResult;
use crate::ids::{BankQuestionId, CourseId};
use crate::page::Page;

/// The question banks of courses.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BankStore: Send + Sync {
    /// Inserts questions, all or none (an import is one write). Every
    /// question names the same course; `Conflict(Other)` on a duplicate id.
    async fn insert_bank_questions(&self, questions: &[BankQuestion]) -> StorageResult<()>;
    /// Replaces a question's category, tags, prompt, points, body,
    /// explanation, version and `updated_at`, only if the stored version is
    /// `question.version - 1` (`Conflict(Stale)` otherwise). `NotFound`.
    async fn update_bank_question(&self, question: &BankQuestion) -> StorageResult<()>;
    /// Deletes a question; whether it existed. Attempts that drew it keep
    /// their copy.
    async fn delete_bank_question(&self, id: BankQuestionId) -> StorageResult<bool>;
    /// The questions with these ids that exist, in no particular order.
    async fn get_bank_questions(&self, ids: &[BankQuestionId]) -> StorageResult<Vec<BankQuestion>>;
    /// A course's bank questions passing `filter`, by category then
    /// creation (then id).
    async fn list_bank_questions(
        &self,
        course: CourseId,
        filter: &BankFilter,
        page: Page,
    ) -> StorageResult<Vec<BankQuestion>>;
    /// How many questions a course's bank holds.
    async fn count_bank_questions(&self, course: CourseId) -> StorageResult<u32>;
    /// The ids of a course's bank questions in `category` (and its
    /// subcategories; `""`: all) with `tag` if given, ascending: what a
    /// random slot draws from.
    async fn bank_pool(
        &self,
        course: CourseId,
        category: &str,
        tag: Option<String>,
    ) -> StorageResult<Vec<BankQuestionId>>;
    /// A course's categories with their question counts, by path.
    async fn bank_categories(&self, course: CourseId) -> StorageResult<Vec<CategoryCount>>;
}
