//! Question banks of courses.
//!
//! Each question is stored with its search form (`search_text`, the core's
//! [`BankQuestion::search_text`]) beside the prompt, so a text search is
//! `instr` on it, never a `LIKE` pattern. A category holds its subtree:
//! `category = ?c` or `substr(category, 1, length(?c) + 1) = ?c || '/'`,
//! which no character of the category can turn into a pattern; `""` holds
//! all. Tags are a JSON array read with `json_each`. Categories compare
//! byte by byte (SQLite's `BINARY`), the order the core sorts them in. An
//! import of many questions is one `BEGIN IMMEDIATE` transaction.

use async_trait::async_trait;
use lms_core::StorageError;
use lms_core::bank::{BankFilter, BankQuestion, BankStore, CategoryCount, search_key};
use lms_core::error::{Conflict, StorageResult};
use lms_core::ids::{BankQuestionId, CourseId, UserId};
use lms_core::page::Page;
use lms_core::quiz::QuestionBody;
use lms_core::richtext::RichText;
use lms_core::score::Points;
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::SqliteStorage;
use crate::error::{corrupt, from_json, from_ts, id_list, map_err, to_json, to_u32, ts};

/// A bank question as stored.
pub(crate) struct BankQuestionRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub category: String,
    pub tags: String,
    pub prompt: String,
    pub points: f64,
    pub body: String,
    pub explanation: Option<String>,
    pub version: i64,
    pub author_id: Uuid,
    pub created_at: i64,
    pub updated_at: i64,
}

impl TryFrom<BankQuestionRow> for BankQuestion {
    type Error = StorageError;
    fn try_from(r: BankQuestionRow) -> Result<Self, Self::Error> {
        Ok(BankQuestion {
            id: BankQuestionId(r.id),
            course_id: CourseId(r.course_id),
            category: r.category,
            tags: from_json::<Vec<String>>("bank question tags", &r.tags)?,
            prompt: RichText::from_stored(r.prompt),
            points: Points::new(r.points).map_err(|e| corrupt("bank question points", e))?,
            body: from_json::<QuestionBody>("bank question body", &r.body)?,
            explanation: r.explanation.map(RichText::from_stored),
            version: to_u32("bank question version", r.version)?,
            author_id: UserId(r.author_id),
            created_at: from_ts("bank question creation time", r.created_at)?,
            updated_at: from_ts("bank question edit time", r.updated_at)?,
        })
    }
}

/// Writes a question as it is (id, version and instants kept) with its
/// search form. A course or author that does not exist breaks a foreign key
/// (`NotFound`), a repeated id the primary key (`Conflict(Other)`).
pub(crate) async fn insert_bank_row(
    conn: &mut SqliteConnection,
    q: &BankQuestion,
) -> StorageResult<()> {
    let (tags, body) = (to_json(&q.tags)?, to_json(&q.body)?);
    sqlx::query!(
        "INSERT INTO bank_questions (id, course_id, category, tags, prompt, search_text, points, body, explanation,
                                     version, author_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        q.id.0,
        q.course_id.0,
        q.category,
        tags,
        q.prompt.as_html(),
        q.search_text(),
        q.points.value(),
        body,
        q.explanation.as_ref().map(RichText::as_html),
        i64::from(q.version),
        q.author_id.0,
        ts(q.created_at),
        ts(q.updated_at)
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

#[async_trait]
impl BankStore for SqliteStorage {
    async fn insert_bank_questions(&self, questions: &[BankQuestion]) -> StorageResult<()> {
        if questions.is_empty() {
            return Ok(());
        }
        // Dropping the transaction on an error rolls every row back.
        let mut tx = self.write_tx().await?;
        for q in questions {
            insert_bank_row(&mut tx, q).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn update_bank_question(&self, q: &BankQuestion) -> StorageResult<()> {
        let (tags, body) = (to_json(&q.tags)?, to_json(&q.body)?);
        let mut tx = self.write_tx().await?;
        let done = sqlx::query!(
            "UPDATE bank_questions
             SET category = $2, tags = $3, prompt = $4, search_text = $5, points = $6, body = $7,
                 explanation = $8, version = $9, updated_at = $10
             WHERE id = $1 AND version = $9 - 1",
            q.id.0,
            q.category,
            tags,
            q.prompt.as_html(),
            q.search_text(),
            q.points.value(),
            body,
            q.explanation.as_ref().map(RichText::as_html),
            i64::from(q.version),
            ts(q.updated_at)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            let exists = sqlx::query!("SELECT 1 AS one FROM bank_questions WHERE id = $1", q.id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?
                .is_some();
            return Err(if exists {
                StorageError::Conflict(Conflict::Stale)
            } else {
                StorageError::NotFound
            });
        }
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn delete_bank_question(&self, id: BankQuestionId) -> StorageResult<bool> {
        let done = sqlx::query!("DELETE FROM bank_questions WHERE id = $1", id.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn get_bank_questions(&self, ids: &[BankQuestionId]) -> StorageResult<Vec<BankQuestion>> {
        let ids = id_list(ids.iter().map(|id| id.0));
        sqlx::query_as!(
            BankQuestionRow,
            r#"SELECT id AS "id: _", course_id AS "course_id: _", category, tags, prompt, points, body,
                      explanation, version, author_id AS "author_id: _", created_at, updated_at
               FROM bank_questions WHERE id IN (SELECT unhex(value) FROM json_each($1))"#,
            ids
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(BankQuestion::try_from)
        .collect()
    }

    async fn list_bank_questions(
        &self,
        course: CourseId,
        filter: &BankFilter,
        page: Page,
    ) -> StorageResult<Vec<BankQuestion>> {
        let text = filter.text.as_deref().map(search_key);
        sqlx::query_as!(
            BankQuestionRow,
            r#"SELECT id AS "id: _", course_id AS "course_id: _", category, tags, prompt, points, body,
                      explanation, version, author_id AS "author_id: _", created_at, updated_at
               FROM bank_questions b
               WHERE course_id = $1
                 AND ($2 IS NULL OR $2 = '' OR category = $2 OR substr(category, 1, length($2) + 1) = $2 || '/')
                 AND ($3 IS NULL OR EXISTS (SELECT 1 FROM json_each(b.tags) t WHERE t.value = $3))
                 AND ($4 IS NULL OR instr(search_text, $4) > 0)
               ORDER BY category, created_at, id
               LIMIT $5 OFFSET $6"#,
            course.0,
            filter.category,
            filter.tag,
            text,
            i64::from(page.limit()),
            i64::from(page.offset())
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(BankQuestion::try_from)
        .collect()
    }

    async fn count_bank_questions(&self, course: CourseId) -> StorageResult<u32> {
        let n = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!: i64" FROM bank_questions WHERE course_id = $1"#,
            course.0
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn bank_pool(
        &self,
        course: CourseId,
        category: &str,
        tag: Option<String>,
    ) -> StorageResult<Vec<BankQuestionId>> {
        Ok(sqlx::query_scalar!(
            r#"SELECT id AS "id: Uuid" FROM bank_questions b
               WHERE course_id = $1
                 AND ($2 = '' OR category = $2 OR substr(category, 1, length($2) + 1) = $2 || '/')
                 AND ($3 IS NULL OR EXISTS (SELECT 1 FROM json_each(b.tags) t WHERE t.value = $3))
               ORDER BY id"#,
            course.0,
            category,
            tag
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(BankQuestionId)
        .collect())
    }

    async fn bank_categories(&self, course: CourseId) -> StorageResult<Vec<CategoryCount>> {
        sqlx::query!(
            r#"SELECT category, count(*) AS "questions!: i64" FROM bank_questions
               WHERE course_id = $1 GROUP BY category ORDER BY category"#,
            course.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(|r| {
            Ok(CategoryCount {
                category: r.category,
                questions: u32::try_from(r.questions)
                    .map_err(|e| corrupt("bank category count", e))?,
            })
        })
        .collect()
    }
}
