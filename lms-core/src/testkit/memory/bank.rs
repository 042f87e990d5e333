//! [`BankStore`] in memory.

use super::*;
use crate::bank::{BankFilter, BankQuestion, BankStore, CategoryCount, category_within};
use crate::ids::BankQuestionId;

impl State {
    /// A course's bank questions in the order lists give.
    fn bank_of(&self, course: CourseId) -> Vec<&Row<BankQuestion>> {
        let mut rows: Vec<&Row<BankQuestion>> = self
            .bank
            .values()
            .filter(|r| r.value.course_id == course)
            .collect();
        rows.sort_by(|a, b| {
            (&a.value.category, a.value.created_at, a.value.id).cmp(&(
                &b.value.category,
                b.value.created_at,
                b.value.id,
            ))
        });
        rows
    }
}

#[async_trait]
impl BankStore for MemoryStorage {
    async fn insert_bank_questions(&self, questions: &[BankQuestion]) -> StorageResult<()> {
        let mut st = self.lock();
        let mut ids = HashSet::new();
        for q in questions {
            if !st.courses.contains_key(&q.course_id) {
                return Err(StorageError::NotFound);
            }
            if st.bank.contains_key(&q.id) || !ids.insert(q.id) {
                return conflict(Conflict::Other);
            }
        }
        for q in questions {
            let seq = st.next_seq();
            st.bank.insert(
                q.id,
                Row {
                    value: q.clone(),
                    seq,
                },
            );
        }
        Ok(())
    }

    async fn update_bank_question(&self, question: &BankQuestion) -> StorageResult<()> {
        let mut st = self.lock();
        let row = st
            .bank
            .get_mut(&question.id)
            .ok_or(StorageError::NotFound)?;
        if row.value.version + 1 != question.version {
            return conflict(Conflict::Stale);
        }
        row.value = BankQuestion {
            id: row.value.id,
            course_id: row.value.course_id,
            author_id: row.value.author_id,
            created_at: row.value.created_at,
            ..question.clone()
        };
        Ok(())
    }

    async fn delete_bank_question(&self, id: BankQuestionId) -> StorageResult<bool> {
        Ok(self.lock().bank.remove(&id).is_some())
    }

    async fn get_bank_questions(&self, ids: &[BankQuestionId]) -> StorageResult<Vec<BankQuestion>> {
        let st = self.lock();
        let mut seen = HashSet::new();
        Ok(ids
            .iter()
            .filter(|id| seen.insert(**id))
            .filter_map(|id| st.bank.get(id).map(|r| r.value.clone()))
            .collect())
    }

    async fn list_bank_questions(
        &self,
        course: CourseId,
        filter: &BankFilter,
        page: Page,
    ) -> StorageResult<Vec<BankQuestion>> {
        let st = self.lock();
        let all: Vec<BankQuestion> = st
            .bank_of(course)
            .into_iter()
            .filter(|r| filter.matches(&r.value))
            .map(|r| r.value.clone())
            .collect();
        Ok(page.slice(&all))
    }

    async fn count_bank_questions(&self, course: CourseId) -> StorageResult<u32> {
        let st = self.lock();
        Ok(u32::try_from(st.bank_of(course).len()).unwrap_or(u32::MAX))
    }

    async fn bank_pool(
        &self,
        course: CourseId,
        category: &str,
        tag: Option<String>,
    ) -> StorageResult<Vec<BankQuestionId>> {
        let st = self.lock();
        let mut ids: Vec<BankQuestionId> = st
            .bank_of(course)
            .into_iter()
            .map(|r| &r.value)
            .filter(|q| category_within(&q.category, category))
            .filter(|q| tag.as_ref().is_none_or(|t| q.tags.contains(t)))
            .map(|q| q.id)
            .collect();
        ids.sort();
        Ok(ids)
    }

    async fn bank_categories(&self, course: CourseId) -> StorageResult<Vec<CategoryCount>> {
        let st = self.lock();
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for row in st.bank_of(course) {
            *counts.entry(row.value.category.clone()).or_default() += 1;
        }
        Ok(counts
            .into_iter()
            .map(|(category, questions)| CategoryCount {
                category,
                questions,
            })
            .collect())
    }
}
