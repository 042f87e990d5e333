//! Question banks of courses.
//!
//! Each question is stored with its search form (`search_text`, the core's
//! [`BankQuestion::search_text`]) beside the prompt, so a text search is
//! `strpos` on it, never a `LIKE` pattern. A category holds its subtree:
//! `category = $c` or `left(category, length($c) + 1) = $c || '/'`, which
//! no character of the category can turn into a pattern; `""` holds all.
//! The column compares byte by byte (`COLLATE "C"`), the order the core
//! sorts categories in. An import of many questions is one statement.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::StorageError;
use lms_core::bank::{BankFilter, BankQuestion, BankStore, CategoryCount, search_key};
use lms_core::error::{Conflict, StorageResult};
use lms_core::ids::{BankQuestionId, CourseId, UserId};
use lms_core::page::Page;
use lms_core::quiz::QuestionBody;
use lms_core::richtext::RichText;
use lms_core::score::Points;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::PgStorage;
use crate::error::{corrupt, from_json, map_err, to_i32, to_json, to_u32};

/// A bank question as stored.
pub(crate) struct BankQuestionRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub category: String,
    pub tags: serde_json::Value,
    pub prompt: String,
    pub points: f64,
    pub body: serde_json::Value,
    pub explanation: Option<String>,
    pub version: i32,
    pub author_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<BankQuestionRow> for BankQuestion {
    type Error = StorageError;
    fn try_from(r: BankQuestionRow) -> Result<Self, Self::Error> {
        Ok(BankQuestion {
            id: BankQuestionId(r.id),
            course_id: CourseId(r.course_id),
            category: r.category,
            tags: from_json::<Vec<String>>("bank question tags", r.tags)?,
            prompt: RichText::from_stored(r.prompt),
            points: Points::new(r.points).map_err(|e| corrupt("bank question points", e))?,
            body: from_json::<QuestionBody>("bank question body", r.body)?,
            explanation: r.explanation.map(RichText::from_stored),
            version: to_u32("bank question version", r.version)?,
            author_id: UserId(r.author_id),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Writes questions as they are (ids, versions and instants kept), in one
/// statement: all or none. A course or author that does not exist breaks a
/// foreign key (`NotFound`), a repeated id the primary key (`Conflict(Other)`).
pub(crate) async fn insert_bank_rows(
    conn: &mut PgConnection,
    rows: &[BankQuestion],
) -> StorageResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = rows.iter().map(|q| q.id.0).collect();
    let courses: Vec<Uuid> = rows.iter().map(|q| q.course_id.0).collect();
    let categories: Vec<String> = rows.iter().map(|q| q.category.clone()).collect();
    let tags = rows
        .iter()
        .map(|q| to_json(&q.tags))
        .collect::<StorageResult<Vec<_>>>()?;
    let prompts: Vec<String> = rows.iter().map(|q| q.prompt.as_html().to_owned()).collect();
    let search: Vec<String> = rows.iter().map(BankQuestion::search_text).collect();
    let points: Vec<f64> = rows.iter().map(|q| q.points.value()).collect();
    let bodies = rows
        .iter()
        .map(|q| to_json(&q.body))
        .collect::<StorageResult<Vec<_>>>()?;
    let explanations: Vec<Option<String>> = rows
        .iter()
        .map(|q| q.explanation.as_ref().map(|e| e.as_html().to_owned()))
        .collect();
    let versions: Vec<i32> = rows.iter().map(|q| to_i32(q.version)).collect();
    let authors: Vec<Uuid> = rows.iter().map(|q| q.author_id.0).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|q| q.created_at).collect();
    let updated: Vec<DateTime<Utc>> = rows.iter().map(|q| q.updated_at).collect();
    sqlx::query!(
        "INSERT INTO bank_questions (id, course_id, category, tags, prompt, search_text, points, body, explanation,
                                     version, author_id, created_at, updated_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::text[], $6::text[],
                              $7::double precision[], $8::jsonb[], $9::text[], $10::integer[], $11::uuid[],
                              $12::timestamptz[], $13::timestamptz[])",
        &ids,
        &courses,
        &categories,
        &tags,
        &prompts,
        &search,
        &points,
        &bodies,
        &explanations[..] as &[Option<String>],
        &versions,
        &authors,
        &created,
        &updated,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

#[async_trait]
impl BankStore for PgStorage {
    async fn insert_bank_questions(&self, questions: &[BankQuestion]) -> StorageResult<()> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        insert_bank_rows(&mut conn, questions).await
    }

    async fn update_bank_question(&self, q: &BankQuestion) -> StorageResult<()> {
        let done = sqlx::query!(
            "UPDATE bank_questions
             SET category = $2, tags = $3, prompt = $4, search_text = $5, points = $6, body = $7,
                 explanation = $8, version = $9, updated_at = $10
             WHERE id = $1 AND version = $9 - 1",
            q.id.0,
            q.category,
            to_json(&q.tags)?,
            q.prompt.as_html(),
            q.search_text(),
            q.points.value(),
            to_json(&q.body)?,
            q.explanation.as_ref().map(RichText::as_html),
            to_i32(q.version),
            q.updated_at
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() > 0 {
            return Ok(());
        }
        let exists = sqlx::query!("SELECT 1 AS one FROM bank_questions WHERE id = $1", q.id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .is_some();
        Err(if exists {
            StorageError::Conflict(Conflict::Stale)
        } else {
            StorageError::NotFound
        })
    }

    async fn delete_bank_question(&self, id: BankQuestionId) -> StorageResult<bool> {
        let done = sqlx::query!("DELETE FROM bank_questions WHERE id = $1", id.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn get_bank_questions(&self, ids: &[BankQuestionId]) -> StorageResult<Vec<BankQuestion>> {
        let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
        sqlx::query_as!(
            BankQuestionRow,
            "SELECT id, course_id, category, tags, prompt, points, body, explanation, version, author_id,
                    created_at, updated_at
             FROM bank_questions WHERE id = ANY($1)",
            &ids
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
            "SELECT id, course_id, category, tags, prompt, points, body, explanation, version, author_id,
                    created_at, updated_at
             FROM bank_questions
             WHERE course_id = $1
               AND ($2::text IS NULL OR $2 = '' OR category = $2 OR left(category, length($2) + 1) = $2 || '/')
               AND ($3::text IS NULL OR tags ? $3)
               AND ($4::text IS NULL OR strpos(search_text, $4) > 0)
             ORDER BY category, created_at, id
             LIMIT $5 OFFSET $6",
            course.0,
            filter.category.as_deref(),
            filter.tag.as_deref(),
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
            r#"SELECT count(*) AS "n!" FROM bank_questions WHERE course_id = $1"#,
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
            "SELECT id FROM bank_questions
             WHERE course_id = $1
               AND ($2::text = '' OR category = $2 OR left(category, length($2) + 1) = $2 || '/')
               AND ($3::text IS NULL OR tags ? $3)
             ORDER BY id",
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
            r#"SELECT category, count(*) AS "questions!" FROM bank_questions
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
