//! Quizzes, questions and attempts. Attempt starts run under SQLite's write
//! lock (`BEGIN IMMEDIATE`), so the attempt limit and "one open attempt"
//! hold under any number of concurrent starts (the partial unique index
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
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::SqliteStorage;
use crate::achievement::award_in;
use crate::course::PARKED;
use crate::error::{
    corrupt, from_json, from_ts, from_ts_opt, id_list, map_err, to_json, to_u32, ts, ts_opt,
};
use crate::notification::enqueue_in;

pub(crate) struct QuizRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    pub description: String,
    pub settings: String,
    pub published: bool,
    pub created_at: i64,
}

impl TryFrom<QuizRow> for Quiz {
    type Error = StorageError;
    fn try_from(r: QuizRow) -> Result<Self, Self::Error> {
        Ok(Quiz {
            id: QuizId(r.id),
            course_id: CourseId(r.course_id),
            title: Title::parse(&r.title).map_err(|e| corrupt("quiz title", e))?,
            description: RichText::from_stored(r.description),
            settings: from_json::<QuizSettings>("quiz settings", &r.settings)?,
            published: r.published,
            created_at: from_ts("quiz creation time", r.created_at)?,
        })
    }
}

pub(crate) struct QuestionRow {
    pub id: Uuid,
    pub quiz_id: Uuid,
    pub position: i64,
    pub prompt: String,
    pub points: f64,
    pub body: String,
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
            body: from_json::<QuestionBody>("question body", &r.body)?,
            explanation: r.explanation.map(RichText::from_stored),
        })
    }
}

pub(crate) struct AttemptRow {
    pub id: Uuid,
    pub quiz_id: Uuid,
    pub student_id: Uuid,
    pub number: i64,
    pub seed: i64,
    pub question_order: String,
    pub drawn: String,
    pub started_at: i64,
    pub deadline: Option<i64>,
    pub state: String,
    pub answers: String,
    pub saved_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub result: Option<String>,
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

/// The seed is stored bit for bit in a signed column.
pub(crate) fn seed_to_i64(seed: u64) -> i64 {
    i64::from_ne_bytes(seed.to_ne_bytes())
}

impl TryFrom<AttemptRow> for Attempt {
    type Error = StorageError;
    fn try_from(r: AttemptRow) -> Result<Self, Self::Error> {
        Ok(Attempt {
            id: AttemptId(r.id),
            quiz_id: QuizId(r.quiz_id),
            student_id: UserId(r.student_id),
            number: to_u32("attempt number", r.number)?,
            seed: u64::from_ne_bytes(r.seed.to_ne_bytes()),
            question_order: from_json::<Vec<QuestionId>>("question order", &r.question_order)?,
            drawn: from_json::<Vec<Question>>("drawn questions", &r.drawn)?,
            started_at: from_ts("attempt start", r.started_at)?,
            deadline: from_ts_opt("attempt deadline", r.deadline)?,
            state: state_parse(&r.state)?,
            answers: from_json::<BTreeMap<QuestionId, Answer>>("answers", &r.answers)?,
            saved_at: from_ts_opt("answer save time", r.saved_at)?,
            finished_at: from_ts_opt("attempt finish time", r.finished_at)?,
            result: r
                .result
                .map(|v| from_json::<AttemptResult>("attempt result", &v))
                .transpose()?,
            submit_key: r.submit_key,
        })
    }
}

async fn fetch_attempt(conn: &mut SqliteConnection, id: Uuid) -> StorageResult<Option<Attempt>> {
    sqlx::query_as!(
        AttemptRow,
        r#"SELECT id AS "id: _", quiz_id AS "quiz_id: _", student_id AS "student_id: _", number, seed,
                  question_order, drawn, started_at, deadline, state, answers, saved_at, finished_at, result, submit_key
           FROM attempts WHERE id = $1"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?
    .map(Attempt::try_from)
    .transpose()
}

#[async_trait]
impl QuizStore for SqliteStorage {
    async fn insert_quiz(&self, q: &Quiz) -> StorageResult<()> {
        let settings = to_json(&q.settings)?;
        sqlx::query!(
            "INSERT INTO quizzes (id, course_id, title, description, settings, published, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            q.id.0,
            q.course_id.0,
            q.title.as_str(),
            q.description.as_html(),
            settings,
            q.published,
            ts(q.created_at)
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn update_quiz(&self, q: &Quiz) -> StorageResult<()> {
        let settings = to_json(&q.settings)?;
        let mut tx = self.write_tx().await?;
        let done = sqlx::query!(
            "UPDATE quizzes SET title = $2, description = $3, settings = $4, published = $5 WHERE id = $1",
            q.id.0,
            q.title.as_str(),
            q.description.as_html(),
            settings,
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
            let close = ts(close);
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
            r#"SELECT id AS "id: _", course_id AS "course_id: _", title, description, settings,
                      published AS "published: _", created_at
               FROM quizzes WHERE id = $1"#,
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
            r#"SELECT id AS "id: _", course_id AS "course_id: _", title, description, settings,
                      published AS "published: _", created_at
               FROM quizzes WHERE course_id = $1 ORDER BY created_at, id"#,
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
        let body = to_json(&q.body)?;
        let mut tx = self.write_tx().await?;
        sqlx::query!("SELECT 1 AS one FROM quizzes WHERE id = $1", q.quiz_id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or(StorageError::NotFound)?;
        let row = sqlx::query_as!(
            QuestionRow,
            r#"INSERT INTO questions (id, quiz_id, position, prompt, points, body, explanation)
               VALUES ($1, $2, (SELECT count(*) FROM questions WHERE quiz_id = $2), $3, $4, $5, $6)
               RETURNING id AS "id: _", quiz_id AS "quiz_id: _", position, prompt, points, body, explanation"#,
            q.id.0,
            q.quiz_id.0,
            q.prompt.as_html(),
            q.points.value(),
            body,
            q.explanation.as_ref().map(RichText::as_html)
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Question::try_from(row)
    }

    async fn update_question(&self, q: &Question) -> StorageResult<()> {
        let body = to_json(&q.body)?;
        let done = sqlx::query!(
            "UPDATE questions SET prompt = $2, points = $3, body = $4, explanation = $5 WHERE id = $1",
            q.id.0,
            q.prompt.as_html(),
            q.points.value(),
            body,
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
        let mut tx = self.write_tx().await?;
        let Some(deleted) = sqlx::query!(
            r#"DELETE FROM questions WHERE id = $1 RETURNING quiz_id AS "quiz_id: Uuid", position"#,
            id.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        else {
            return Ok(false);
        };
        // Close the gap: park the later questions, then move each down by one.
        sqlx::query!(
            "UPDATE questions SET position = position + $3 WHERE quiz_id = $1 AND position > $2",
            deleted.quiz_id,
            deleted.position,
            PARKED
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query!(
            "UPDATE questions SET position = position - $2 - 1 WHERE quiz_id = $1 AND position >= $2",
            deleted.quiz_id,
            PARKED
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
            r#"SELECT id AS "id: _", quiz_id AS "quiz_id: _", position, prompt, points, body, explanation
               FROM questions WHERE quiz_id = $1 ORDER BY position"#,
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
        let mut tx = self.write_tx().await?;
        sqlx::query!("SELECT 1 AS one FROM quizzes WHERE id = $1", quiz.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or(StorageError::NotFound)?;
        let mut current: Vec<Uuid> = sqlx::query!(
            r#"SELECT id AS "id: Uuid" FROM questions WHERE quiz_id = $1"#,
            quiz.0
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(|r| r.id)
        .collect();
        let mut wanted: Vec<Uuid> = order.iter().map(|q| q.0).collect();
        current.sort_unstable();
        wanted.sort_unstable();
        if current != wanted {
            return Err(StorageError::Conflict(Conflict::Stale));
        }
        sqlx::query!(
            "UPDATE questions SET position = position + $2 WHERE quiz_id = $1",
            quiz.0,
            PARKED
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        // json_each numbers the array's elements from 0: the new positions.
        let order = id_list(order.iter().map(|q| q.0));
        sqlx::query!(
            "UPDATE questions SET position = (SELECT o.key FROM json_each($2) o WHERE unhex(o.value) = questions.id)
             WHERE quiz_id = $1",
            quiz.0,
            order
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn start_attempt(&self, a: &Attempt, limit: Option<u32>) -> StorageResult<Attempt> {
        let (question_order, answers) = (to_json(&a.question_order)?, to_json(&a.answers)?);
        let drawn = to_json(&a.drawn)?;
        // Under the write lock no other start can count or insert meanwhile.
        let mut tx = self.write_tx().await?;
        let counts = sqlx::query!(
            r#"SELECT count(*) AS "total!: i64", coalesce(sum(state = 'open'), 0) AS "open!: i64"
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
        let row = sqlx::query_as!(
            AttemptRow,
            r#"INSERT INTO attempts (id, quiz_id, student_id, number, seed, question_order, drawn, started_at, deadline,
                                     state, answers, saved_at, finished_at, result, submit_key)
               VALUES ($1, $2, $3, $4, $5, $6, $11, $7, $8, 'open', $9, $10, NULL, NULL, NULL)
               RETURNING id AS "id: _", quiz_id AS "quiz_id: _", student_id AS "student_id: _", number, seed,
                         question_order, drawn, started_at, deadline, state, answers, saved_at, finished_at, result,
                         submit_key"#,
            a.id.0,
            a.quiz_id.0,
            a.student_id.0,
            counts.total + 1,
            seed_to_i64(a.seed),
            question_order,
            ts(a.started_at),
            ts_opt(a.deadline),
            answers,
            ts_opt(a.saved_at),
            drawn
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Attempt::try_from(row)
    }

    async fn get_attempt(&self, id: AttemptId) -> StorageResult<Option<Attempt>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        fetch_attempt(&mut conn, id.0).await
    }

    async fn list_attempts(&self, quiz: QuizId, student: UserId) -> StorageResult<Vec<Attempt>> {
        sqlx::query_as!(
            AttemptRow,
            r#"SELECT id AS "id: _", quiz_id AS "quiz_id: _", student_id AS "student_id: _", number, seed,
                      question_order, drawn, started_at, deadline, state, answers, saved_at, finished_at, result, submit_key
               FROM attempts WHERE quiz_id = $1 AND student_id = $2 ORDER BY number"#,
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
            r#"SELECT a.id AS "id: Uuid", a.quiz_id AS "quiz_id: Uuid", a.student_id AS "student_id: Uuid", a.number,
                      a.seed, a.question_order, a.drawn, a.started_at, a.deadline, a.state, a.answers, a.saved_at,
                      a.finished_at, a.result, a.submit_key, u.display_name AS student_name
               FROM attempts a JOIN users u ON u.id = a.student_id
               JOIN quizzes q ON q.id = a.quiz_id
               WHERE a.quiz_id = $1
                 AND ($4 IS NULL OR u.active = $4)
                 AND ($5 IS NULL
                      OR u.email LIKE $5 ESCAPE '\'
                      OR u.display_name LIKE $5 ESCAPE '\'
                      OR u.display_name LIKE ('% ' || $5) ESCAPE '\'
                      OR u.display_name LIKE $6 ESCAPE '\'
                      OR u.display_name LIKE ('% ' || $6) ESCAPE '\')
                 AND ($7 IS NULL
                      OR EXISTS (SELECT 1 FROM enrollments e
                                 WHERE e.course_id = q.course_id AND e.student_id = a.student_id
                                   AND e.group_id = $7))
                 AND ($8 IS NULL
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
        let (lower, capital) = students.like_patterns();
        let course_ids = id_list(courses.iter().map(|c| c.0));
        // The student filter is the grading queue's (`pending_submissions`),
        // course by course. Results are serde_json's text: `pending_manual`
        // reads back as 1 or 0.
        let rows = sqlx::query!(
            r#"SELECT a.id AS "id: Uuid", a.quiz_id AS "quiz_id: Uuid", q.title AS quiz_title,
                      q.course_id AS "course_id: Uuid", c.title AS course_title,
                      a.student_id AS "student_id: Uuid", u.display_name AS student_name,
                      a.finished_at AS "finished_at!: i64", a.result AS "result!: String"
               FROM attempts a
               JOIN quizzes q ON q.id = a.quiz_id
               JOIN courses c ON c.id = q.course_id
               JOIN users u ON u.id = a.student_id
               WHERE q.course_id IN (SELECT unhex(value) FROM json_each($1))
                 AND a.state <> 'open'
                 AND json_extract(a.result, '$.pending_manual') = 1
                 AND ($4 IS NULL OR u.active = $4)
                 AND ($5 IS NULL
                      OR u.email LIKE $5 ESCAPE '\'
                      OR u.display_name LIKE $5 ESCAPE '\'
                      OR u.display_name LIKE ('% ' || $5) ESCAPE '\'
                      OR u.display_name LIKE $6 ESCAPE '\'
                      OR u.display_name LIKE ('% ' || $6) ESCAPE '\')
                 AND ($7 IS NULL
                      OR EXISTS (SELECT 1 FROM enrollments e
                                 WHERE e.course_id = q.course_id AND e.student_id = a.student_id
                                   AND e.group_id = $7))
                 AND ($8 IS NULL
                      OR NOT EXISTS (SELECT 1 FROM course_groups g WHERE g.course_id = q.course_id)
                      OR c.owner_id = $8
                      OR EXISTS (SELECT 1 FROM enrollments e JOIN group_mentors gm ON gm.group_id = e.group_id
                                 WHERE e.course_id = q.course_id AND e.student_id = a.student_id
                                   AND gm.user_id = $8))
               ORDER BY a.finished_at, a.id LIMIT $2 OFFSET $3"#,
            course_ids,
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
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                let result = from_json::<AttemptResult>("attempt result", &r.result)?;
                Ok(PendingEssay {
                    attempt_id: AttemptId(r.id),
                    quiz_id: QuizId(r.quiz_id),
                    quiz_title: r.quiz_title,
                    course_id: CourseId(r.course_id),
                    course_title: r.course_title,
                    student_id: UserId(r.student_id),
                    student_name: r.student_name,
                    finished_at: from_ts("attempt finish time", r.finished_at)?,
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
        // Answers are merged per question (the new answer to a question
        // replaces the old one whole), read and written under the write lock.
        let mut tx = self.write_tx().await?;
        let Some(mut current) = fetch_attempt(&mut tx, attempt.0).await? else {
            return Err(StorageError::NotFound);
        };
        if current.state != AttemptState::Open || current.deadline.is_some_and(|d| d < at) {
            return Err(StorageError::Conflict(Conflict::AttemptClosed));
        }
        current
            .answers
            .extend(answers.iter().map(|(q, a)| (*q, a.clone())));
        let merged = to_json(&current.answers)?;
        sqlx::query!(
            "UPDATE attempts SET answers = $2, saved_at = $3 WHERE id = $1",
            attempt.0,
            merged,
            ts(at)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let stored = fetch_attempt(&mut tx, attempt.0)
            .await?
            .ok_or(StorageError::NotFound)?;
        tx.commit().await.map_err(map_err)?;
        Ok(stored)
    }

    async fn finish_attempt(&self, f: &FinishAttempt) -> StorageResult<Attempt> {
        let result = to_json(&f.result)?;
        let expected_saved_at = f.expected_saved_at.map(ts);
        let mut tx = self.write_tx().await?;
        let row = sqlx::query_as!(
            AttemptRow,
            r#"UPDATE attempts SET state = $2, finished_at = $3, result = $4, submit_key = $5
               WHERE id = $1 AND state = 'open' AND saved_at IS $6
               RETURNING id AS "id: _", quiz_id AS "quiz_id: _", student_id AS "student_id: _", number, seed,
                         question_order, drawn, started_at, deadline, state, answers, saved_at, finished_at, result,
                         submit_key"#,
            f.attempt_id.0,
            state_str(f.state),
            ts(f.finished_at),
            result,
            f.submit_key,
            expected_saved_at
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let Some(row) = row else {
            // Nothing changed: unknown, finished already, or answers were
            // saved since the caller scored them (it must rescore).
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
        let result = to_json(result)?;
        let expected = to_json(expected)?;
        let mut tx = self.write_tx().await?;
        // Results are written only by serde_json, so equal results are equal text.
        let row = sqlx::query_as!(
            AttemptRow,
            r#"UPDATE attempts SET result = $2 WHERE id = $1 AND state <> 'open' AND result = $3
               RETURNING id AS "id: _", quiz_id AS "quiz_id: _", student_id AS "student_id: _", number, seed,
                         question_order, drawn, started_at, deadline, state, answers, saved_at, finished_at, result,
                         submit_key"#,
            attempt.0,
            result,
            expected
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
            r#"SELECT id AS "id: _", quiz_id AS "quiz_id: _", student_id AS "student_id: _", number, seed,
                      question_order, drawn, started_at, deadline, state, answers, saved_at, finished_at, result, submit_key
               FROM attempts WHERE state = 'open' AND deadline < $1 ORDER BY deadline, id LIMIT $2"#,
            ts(now),
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
