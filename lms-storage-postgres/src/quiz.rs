//! Quizzes, questions and attempts. Attempt starts take a per-student,
//! per-quiz advisory lock, so the attempt limit and "one open attempt" hold
//! under any number of concurrent starts (the partial unique index
//! `attempts_one_open_key` backs the latter in the schema too).

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::StorageError;
use lms_core::achievement::Achievement;
use lms_core::course::Title;
use lms_core::error::{Conflict, StorageResult};
use lms_core::ids::{AttemptId, CourseId, QuestionId, QuizId, UserId};
use lms_core::notification::OutboxEntry;
use lms_core::page::Page;
use lms_core::quiz::{
    Answer, Attempt, AttemptResult, AttemptState, FinishAttempt, NamedAttempt, PendingEssay,
    Question, QuestionBody, Quiz, QuizSettings, QuizStore,
};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::user::UserFilter;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::PgStorage;
use crate::achievement::award_in;
use crate::error::{corrupt, from_json, map_err, to_json, to_u32};
use crate::notification::enqueue_in;

pub(crate) struct QuizRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    pub description: String,
    pub settings: serde_json::Value,
    pub published: bool,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<QuizRow> for Quiz {
    type Error = StorageError;
    fn try_from(r: QuizRow) -> Result<Self, Self::Error> {
        Ok(Quiz {
            id: QuizId(r.id),
            course_id: CourseId(r.course_id),
            title: Title::parse(&r.title).map_err(|e| corrupt("quiz title", e))?,
            description: RichText::from_stored(r.description),
            settings: from_json::<QuizSettings>("quiz settings", r.settings)?,
            published: r.published,
            created_at: r.created_at,
        })
    }
}

pub(crate) struct QuestionRow {
    pub id: Uuid,
    pub quiz_id: Uuid,
    pub position: i32,
    pub prompt: String,
    pub points: f64,
    pub body: serde_json::Value,
    pub explanation: Option<String>,
}

impl TryFrom<QuestionRow> for Question {
    type Error = StorageError;
    fn try_from(r: QuestionRow) -> Result<Self, Self::Error> {
        Ok(Question {
            id: QuestionId(r.id),
            quiz_id: QuizId(r.quiz_id),
            position: to_u32("question position", r.position)?,
            prompt: RichText::from_stored(r.prompt),
            points: Points::new(r.points).map_err(|e| corrupt("question points", e))?,
            body: from_json::<QuestionBody>("question body", r.body)?,
            explanation: r.explanation.map(RichText::from_stored),
        })
    }
}

pub(crate) struct AttemptRow {
    pub id: Uuid,
    pub quiz_id: Uuid,
    pub student_id: Uuid,
    pub number: i32,
    pub seed: i64,
    pub question_order: serde_json::Value,
    pub drawn: serde_json::Value,
    pub started_at: DateTime<Utc>,
    pub deadline: Option<DateTime<Utc>>,
    pub state: String,
    pub answers: serde_json::Value,
    pub saved_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub result: Option<serde_json::Value>,
    pub submit_key: Option<String>,
}

pub(crate) fn state_str(s: AttemptState) -> &'static str {
    match s {
        AttemptState::Open => "open",
        AttemptState::Submitted => "submitted",
        AttemptState::AutoSubmitted => "auto_submitted",
    }
}

fn state_parse(s: &str) -> StorageResult<AttemptState> {
    match s {
        "open" => Ok(AttemptState::Open),
        "submitted" => Ok(AttemptState::Submitted),
        "auto_submitted" => Ok(AttemptState::AutoSubmitted),
        other => Err(corrupt("attempt state", other)),
    }
}

impl TryFrom<AttemptRow> for Attempt {
    type Error = StorageError;
    fn try_from(r: AttemptRow) -> Result<Self, Self::Error> {
        Ok(Attempt {
            id: AttemptId(r.id),
            quiz_id: QuizId(r.quiz_id),
            student_id: UserId(r.student_id),
            number: to_u32("attempt number", r.number)?,
            // The seed is stored bit for bit in a signed column.
            seed: u64::from_ne_bytes(r.seed.to_ne_bytes()),
            question_order: from_json::<Vec<QuestionId>>("question order", r.question_order)?,
            drawn: from_json::<Vec<Question>>("drawn questions", r.drawn)?,
            started_at: r.started_at,
            deadline: r.deadline,
            state: state_parse(&r.state)?,
            answers: from_json::<BTreeMap<QuestionId, Answer>>("answers", r.answers)?,
            saved_at: r.saved_at,
            finished_at: r.finished_at,
            result: r
                .result
                .map(|v| from_json::<AttemptResult>("attempt result", v))
                .transpose()?,
            submit_key: r.submit_key,
        })
    }
}

async fn attempt_exists(conn: &mut PgConnection, id: Uuid) -> StorageResult<bool> {
    Ok(
        sqlx::query!("SELECT 1 AS one FROM attempts WHERE id = $1", id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?
            .is_some(),
    )
}

#[async_trait]
impl QuizStore for PgStorage {
    async fn insert_quiz(&self, q: &Quiz) -> StorageResult<()> {
        sqlx::query!(
            "INSERT INTO quizzes (id, course_id, title, description, settings, published, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            q.id.0,
            q.course_id.0,
            q.title.as_str(),
            q.description.as_html(),
            to_json(&q.settings)?,
            q.published,
            q.created_at
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn update_quiz(&self, q: &Quiz) -> StorageResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let done = sqlx::query!(
            "UPDATE quizzes SET title = $2, description = $3, settings = $4, published = $5 WHERE id = $1",
            q.id.0,
            q.title.as_str(),
            q.description.as_html(),
            to_json(&q.settings)?,
            q.published
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        if let Some(close) = q.settings.closes_at {
            // A quiz closed early ends its open attempts at the close.
            sqlx::query!(
                "UPDATE attempts SET deadline = $2
                 WHERE quiz_id = $1 AND state = 'open' AND (deadline IS NULL OR deadline > $2)",
                q.id.0,
                close
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn get_quiz(&self, id: QuizId) -> StorageResult<Option<Quiz>> {
        sqlx::query_as!(
            QuizRow,
            "SELECT id, course_id, title, description, settings, published, created_at FROM quizzes WHERE id = $1",
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Quiz::try_from)
        .transpose()
    }

    async fn list_quizzes(&self, course: CourseId) -> StorageResult<Vec<Quiz>> {
        sqlx::query_as!(
            QuizRow,
            "SELECT id, course_id, title, description, settings, published, created_at FROM quizzes
             WHERE course_id = $1 ORDER BY created_at, id",
            course.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Quiz::try_from)
        .collect()
    }

    async fn insert_question(&self, q: &Question) -> StorageResult<Question> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query!(
            "SELECT id FROM quizzes WHERE id = $1 FOR UPDATE",
            q.quiz_id.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StorageError::NotFound)?;
        let row = sqlx::query_as!(
            QuestionRow,
            "INSERT INTO questions (id, quiz_id, position, prompt, points, body, explanation)
             VALUES ($1, $2, (SELECT count(*)::int FROM questions WHERE quiz_id = $2), $3, $4, $5, $6)
             RETURNING id, quiz_id, position, prompt, points, body, explanation",
            q.id.0,
            q.quiz_id.0,
            q.prompt.as_html(),
            q.points.value(),
            to_json(&q.body)?,
            q.explanation.as_ref().map(RichText::as_html)
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Question::try_from(row)
    }

    async fn update_question(&self, q: &Question) -> StorageResult<()> {
        let done = sqlx::query!(
            "UPDATE questions SET prompt = $2, points = $3, body = $4, explanation = $5 WHERE id = $1",
            q.id.0,
            q.prompt.as_html(),
            q.points.value(),
            to_json(&q.body)?,
            q.explanation.as_ref().map(RichText::as_html)
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    async fn delete_question(&self, id: QuestionId) -> StorageResult<bool> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let Some(found) = sqlx::query!("SELECT quiz_id FROM questions WHERE id = $1", id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
        else {
            return Ok(false);
        };
        sqlx::query!(
            "SELECT id FROM quizzes WHERE id = $1 FOR UPDATE",
            found.quiz_id
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let Some(deleted) = sqlx::query!(
            "DELETE FROM questions WHERE id = $1 RETURNING quiz_id, position",
            id.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        else {
            return Ok(false);
        };
        sqlx::query!(
            "UPDATE questions SET position = position - 1 WHERE quiz_id = $1 AND position > $2",
            deleted.quiz_id,
            deleted.position
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn list_questions(&self, quiz: QuizId) -> StorageResult<Vec<Question>> {
        sqlx::query_as!(
            QuestionRow,
            "SELECT id, quiz_id, position, prompt, points, body, explanation FROM questions
             WHERE quiz_id = $1 ORDER BY position",
            quiz.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Question::try_from)
        .collect()
    }

    async fn reorder_questions(&self, quiz: QuizId, order: &[QuestionId]) -> StorageResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query!("SELECT id FROM quizzes WHERE id = $1 FOR UPDATE", quiz.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or(StorageError::NotFound)?;
        let mut current: Vec<Uuid> =
            sqlx::query!("SELECT id FROM questions WHERE quiz_id = $1", quiz.0)
                .fetch_all(&mut *tx)
                .await
                .map_err(map_err)?
                .into_iter()
                .map(|r| r.id)
                .collect();
        let ids: Vec<Uuid> = order.iter().map(|q| q.0).collect();
        let mut wanted = ids.clone();
        current.sort_unstable();
        wanted.sort_unstable();
        if current != wanted {
            return Err(StorageError::Conflict(Conflict::Stale));
        }
        sqlx::query!(
            "UPDATE questions q SET position = (o.pos - 1)::int
             FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, pos)
             WHERE q.id = o.id AND q.quiz_id = $1",
            quiz.0,
            &ids
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn start_attempt(&self, a: &Attempt, limit: Option<u32>) -> StorageResult<Attempt> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        // One lock per (quiz, student): concurrent starts queue here.
        let lock_key = format!("attempt:{}:{}", a.quiz_id, a.student_id);
        sqlx::query!(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            lock_key
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let counts = sqlx::query!(
            r#"SELECT count(*) AS "total!", count(*) FILTER (WHERE state = 'open') AS "open!"
               FROM attempts WHERE quiz_id = $1 AND student_id = $2"#,
            a.quiz_id.0,
            a.student_id.0
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        if counts.open > 0 {
            return Err(StorageError::Conflict(Conflict::OpenAttempt));
        }
        if limit.is_some_and(|l| counts.total >= i64::from(l)) {
            return Err(StorageError::Conflict(Conflict::AttemptLimit));
        }
        let number = i32::try_from(counts.total + 1).map_err(|e| corrupt("attempt count", e))?;
        let row = sqlx::query_as!(
            AttemptRow,
            "INSERT INTO attempts (id, quiz_id, student_id, number, seed, question_order, drawn, started_at, deadline, state,
                                   answers, saved_at, finished_at, result, submit_key)
             VALUES ($1, $2, $3, $4, $5, $6, $11, $7, $8, 'open', $9, $10, NULL, NULL, NULL)
             RETURNING id, quiz_id, student_id, number, seed, question_order, drawn, started_at, deadline, state, answers,
                       saved_at, finished_at, result, submit_key",
            a.id.0,
            a.quiz_id.0,
            a.student_id.0,
            number,
            i64::from_ne_bytes(a.seed.to_ne_bytes()),
            to_json(&a.question_order)?,
            a.started_at,
            a.deadline,
            to_json(&a.answers)?,
            a.saved_at,
            to_json(&a.drawn)?
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Attempt::try_from(row)
    }

    async fn get_attempt(&self, id: AttemptId) -> StorageResult<Option<Attempt>> {
        sqlx::query_as!(
            AttemptRow,
            "SELECT id, quiz_id, student_id, number, seed, question_order, drawn, started_at, deadline, state, answers,
                    saved_at, finished_at, result, submit_key
             FROM attempts WHERE id = $1",
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Attempt::try_from)
        .transpose()
    }

    async fn list_attempts(&self, quiz: QuizId, student: UserId) -> StorageResult<Vec<Attempt>> {
        sqlx::query_as!(
            AttemptRow,
            "SELECT id, quiz_id, student_id, number, seed, question_order, drawn, started_at, deadline, state, answers,
                    saved_at, finished_at, result, submit_key
             FROM attempts WHERE quiz_id = $1 AND student_id = $2 ORDER BY number",
            quiz.0,
            student.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Attempt::try_from)
        .collect()
    }

    async fn list_quiz_attempts(
        &self,
        quiz: QuizId,
        students: &UserFilter,
        page: Page,
    ) -> StorageResult<Vec<NamedAttempt>> {
        let (lower, capital) = students.like_patterns();
        sqlx::query!(
            r#"SELECT a.id, a.quiz_id, a.student_id, a.number, a.seed, a.question_order, a.drawn, a.started_at, a.deadline,
                      a.state, a.answers, a.saved_at, a.finished_at, a.result, a.submit_key,
                      u.display_name AS student_name
               FROM attempts a JOIN users u ON u.id = a.student_id
               JOIN quizzes q ON q.id = a.quiz_id
               WHERE a.quiz_id = $1
                 AND ($4::bool IS NULL OR u.active = $4)
                 AND ($5::text IS NULL
                      OR u.email ILIKE $5 ESCAPE '\'
                      OR u.display_name ILIKE $5 ESCAPE '\'
                      OR u.display_name ILIKE ('% ' || $5) ESCAPE '\'
                      OR u.display_name ILIKE $6 ESCAPE '\'
                      OR u.display_name ILIKE ('% ' || $6) ESCAPE '\')
                 AND ($7::uuid IS NULL
                      OR EXISTS (SELECT 1 FROM enrollments e
                                 WHERE e.course_id = q.course_id AND e.student_id = a.student_id
                                   AND e.group_id = $7))
                 AND ($8::uuid IS NULL
                      OR NOT EXISTS (SELECT 1 FROM course_groups g WHERE g.course_id = q.course_id)
                      OR EXISTS (SELECT 1 FROM courses c WHERE c.id = q.course_id AND c.owner_id = $8)
                      OR EXISTS (SELECT 1 FROM enrollments e JOIN group_mentors gm ON gm.group_id = e.group_id
                                 WHERE e.course_id = q.course_id AND e.student_id = a.student_id
                                   AND gm.user_id = $8))
               ORDER BY a.started_at, a.id LIMIT $2 OFFSET $3"#,
            quiz.0,
            i64::from(page.limit()),
            i64::from(page.offset()),
            students.active,
            lower,
            capital,
            students.group.map(|g| g.0),
            students.mentored_by.map(|m| m.0)
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(|r| {
            Ok(NamedAttempt {
                attempt: Attempt::try_from(AttemptRow {
                    id: r.id,
                    quiz_id: r.quiz_id,
                    student_id: r.student_id,
                    number: r.number,
                    seed: r.seed,
                    question_order: r.question_order,
                    drawn: r.drawn,
                    started_at: r.started_at,
                    deadline: r.deadline,
                    state: r.state,
                    answers: r.answers,
                    saved_at: r.saved_at,
                    finished_at: r.finished_at,
                    result: r.result,
                    submit_key: r.submit_key,
                })?,
                student_name: r.student_name,
            })
        })
        .collect()
    }

    async fn pending_essays(
        &self,
        courses: &[CourseId],
        students: &UserFilter,
        page: Page,
    ) -> StorageResult<Vec<PendingEssay>> {
        let course_ids: Vec<Uuid> = courses.iter().map(|c| c.0).collect();
        let (lower, capital) = students.like_patterns();
        // The student filter is the grading queue's (`pending_submissions`),
        // course by course.
        sqlx::query!(
            r#"SELECT a.id, a.quiz_id, q.title AS quiz_title, q.course_id, c.title AS course_title,
                      a.student_id, u.display_name AS student_name, a.finished_at AS "finished_at!",
                      a.result AS "result!"
               FROM attempts a
               JOIN quizzes q ON q.id = a.quiz_id
               JOIN courses c ON c.id = q.course_id
               JOIN users u ON u.id = a.student_id
               WHERE q.course_id = ANY($1) AND a.state <> 'open'
                 AND (a.result->>'pending_manual')::boolean
                 AND ($4::bool IS NULL OR u.active = $4)
                 AND ($5::text IS NULL
                      OR u.email ILIKE $5 ESCAPE '\'
                      OR u.display_name ILIKE $5 ESCAPE '\'
                      OR u.display_name ILIKE ('% ' || $5) ESCAPE '\'
                      OR u.display_name ILIKE $6 ESCAPE '\'
                      OR u.display_name ILIKE ('% ' || $6) ESCAPE '\')
                 AND ($7::uuid IS NULL
                      OR EXISTS (SELECT 1 FROM enrollments e
                                 WHERE e.course_id = q.course_id AND e.student_id = a.student_id
                                   AND e.group_id = $7))
                 AND ($8::uuid IS NULL
                      OR NOT EXISTS (SELECT 1 FROM course_groups g WHERE g.course_id = q.course_id)
                      OR c.owner_id = $8
                      OR EXISTS (SELECT 1 FROM enrollments e JOIN group_mentors gm ON gm.group_id = e.group_id
                                 WHERE e.course_id = q.course_id AND e.student_id = a.student_id
                                   AND gm.user_id = $8))
               ORDER BY a.finished_at, a.id LIMIT $2 OFFSET $3"#,
            &course_ids,
            i64::from(page.limit()),
            i64::from(page.offset()),
            students.active,
            lower,
            capital,
            students.group.map(|g| g.0),
            students.mentored_by.map(|m| m.0)
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(|r| {
            let result = from_json::<AttemptResult>("attempt result", r.result)?;
            Ok(PendingEssay {
                attempt_id: AttemptId(r.id),
                quiz_id: QuizId(r.quiz_id),
                quiz_title: r.quiz_title,
                course_id: CourseId(r.course_id),
                course_title: r.course_title,
                student_id: UserId(r.student_id),
                student_name: r.student_name,
                finished_at: r.finished_at,
                essays_pending: result.essays_pending(),
            })
        })
        .collect()
    }

    async fn save_answers(
        &self,
        attempt: AttemptId,
        answers: &BTreeMap<QuestionId, Answer>,
        at: DateTime<Utc>,
    ) -> StorageResult<Attempt> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let row = sqlx::query_as!(
            AttemptRow,
            "UPDATE attempts SET answers = answers || $2, saved_at = $3
             WHERE id = $1 AND state = 'open' AND (deadline IS NULL OR deadline >= $3)
             RETURNING id, quiz_id, student_id, number, seed, question_order, drawn, started_at, deadline, state, answers,
                       saved_at, finished_at, result, submit_key",
            attempt.0,
            to_json(answers)?,
            at
        )
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
        match row {
            Some(r) => Attempt::try_from(r),
            None if attempt_exists(&mut conn, attempt.0).await? => {
                Err(StorageError::Conflict(Conflict::AttemptClosed))
            }
            None => Err(StorageError::NotFound),
        }
    }

    async fn finish_attempt(&self, f: &FinishAttempt) -> StorageResult<Attempt> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        // Only an open attempt whose answers did not change since the result
        // was computed: a save committed meanwhile makes the row not match
        // (PostgreSQL re-checks the condition on the newest row version).
        let row = sqlx::query_as!(
            AttemptRow,
            "UPDATE attempts SET state = $2, finished_at = $3, result = $4, submit_key = $5
             WHERE id = $1 AND state = 'open' AND saved_at IS NOT DISTINCT FROM $6
             RETURNING id, quiz_id, student_id, number, seed, question_order, drawn, started_at, deadline, state, answers,
                       saved_at, finished_at, result, submit_key",
            f.attempt_id.0,
            state_str(f.state),
            f.finished_at,
            to_json(&f.result)?,
            f.submit_key,
            f.expected_saved_at
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let Some(row) = row else {
            let state =
                sqlx::query_scalar!("SELECT state FROM attempts WHERE id = $1", f.attempt_id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_err)?;
            return match state.as_deref() {
                None => Err(StorageError::NotFound),
                Some("open") => Err(StorageError::Conflict(Conflict::Stale)),
                Some(_) => Err(StorageError::Conflict(Conflict::AttemptClosed)),
            };
        };
        enqueue_in(&mut tx, &f.outbox).await?;
        award_in(&mut tx, &f.awards).await?;
        tx.commit().await.map_err(map_err)?;
        Attempt::try_from(row)
    }

    async fn set_attempt_result(
        &self,
        attempt: AttemptId,
        expected: &AttemptResult,
        result: &AttemptResult,
        awards: &[Achievement],
        outbox: &[OutboxEntry],
    ) -> StorageResult<Attempt> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let row = sqlx::query_as!(
            AttemptRow,
            "UPDATE attempts SET result = $2 WHERE id = $1 AND state <> 'open' AND result = $3
             RETURNING id, quiz_id, student_id, number, seed, question_order, drawn, started_at, deadline, state, answers,
                       saved_at, finished_at, result, submit_key",
            attempt.0,
            to_json(result)?,
            to_json(expected)?
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let Some(row) = row else {
            let state = sqlx::query_scalar!("SELECT state FROM attempts WHERE id = $1", attempt.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
            return Err(match state.as_deref() {
                None => StorageError::NotFound,
                Some("open") => StorageError::Conflict(Conflict::OpenAttempt),
                Some(_) => StorageError::Conflict(Conflict::Stale),
            });
        };
        award_in(&mut tx, awards).await?;
        enqueue_in(&mut tx, outbox).await?;
        tx.commit().await.map_err(map_err)?;
        Attempt::try_from(row)
    }

    async fn overdue_attempts(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StorageResult<Vec<Attempt>> {
        sqlx::query_as!(
            AttemptRow,
            "SELECT id, quiz_id, student_id, number, seed, question_order, drawn, started_at, deadline, state, answers,
                    saved_at, finished_at, result, submit_key
             FROM attempts WHERE state = 'open' AND deadline < $1 ORDER BY deadline, id LIMIT $2",
            now,
            i64::from(limit)
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Attempt::try_from)
        .collect()
    }
}
