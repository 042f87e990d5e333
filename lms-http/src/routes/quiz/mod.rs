//! Quizzes: teachers author quizzes and their questions (eight kinds, with
//! correct answers that only staff see); students start attempts with a
//! server-side deadline, autosave answers, submit, and review their attempts
//! as far as the quiz's reveal policy allows; staff list every attempt,
//! review it in full and grade essays.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use lms_core::course::Title;
use lms_core::quiz::{
    Answer, AttemptOutcome, AttemptReview, AttemptSummary, AttemptView, PendingEssay, Question,
    QuestionBody, QuestionInput, Quiz, QuizInput, QuizOverview, QuizSettings, RevealPolicy,
    ScoringPolicy, StaffAttemptSummary,
};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::{AttemptId, CourseId, QuestionId, QuizId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, StudentsQuery, field};
use crate::routes::homework::QueueQuery;
use crate::state::AppState;

mod attempts;

/// Settings of a quiz. Every field may be left out; the default is one
/// attempt, no time limit, always open, best score, no shuffling, answers
/// revealed after the attempt.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SettingsRequest {
    /// Attempts may start from this instant (RFC 3339); `null`: at once.
    pub opens_at: Option<DateTime<Utc>>,
    /// Attempts end at this instant at the latest; `null`: never.
    pub closes_at: Option<DateTime<Utc>>,
    /// Minutes per attempt (1..=10080); `null`: no limit.
    #[schema(minimum = 1, maximum = 10_080)]
    pub time_limit_minutes: Option<u32>,
    /// Attempts per student (at least 1); `null`: unlimited. Default 1.
    #[schema(minimum = 1)]
    pub attempts_allowed: Option<u32>,
    /// How a student's attempts combine: `best` (default), `last`,
    /// `average`, `first`.
    pub scoring: ScoringPolicy,
    /// Shuffle the question order per attempt.
    pub shuffle_questions: bool,
    /// Shuffle options and matching items per attempt.
    pub shuffle_options: bool,
    /// When students see correct answers and per-question scores:
    /// `after_attempt` (default), `after_close`, `never`.
    pub reveal: RevealPolicy,
}

impl Default for SettingsRequest {
    fn default() -> Self {
        let d = QuizSettings::default();
        Self {
            opens_at: d.opens_at,
            closes_at: d.closes_at,
            time_limit_minutes: d.time_limit_minutes,
            attempts_allowed: d.attempts_allowed,
            scoring: d.scoring,
            shuffle_questions: d.shuffle_questions,
            shuffle_options: d.shuffle_options,
            reveal: d.reveal,
        }
    }
}

impl From<SettingsRequest> for QuizSettings {
    fn from(s: SettingsRequest) -> Self {
        Self {
            opens_at: s.opens_at,
            closes_at: s.closes_at,
            time_limit_minutes: s.time_limit_minutes,
            attempts_allowed: s.attempts_allowed,
            scoring: s.scoring,
            shuffle_questions: s.shuffle_questions,
            shuffle_options: s.shuffle_options,
            reveal: s.reveal,
        }
    }
}

/// A quiz's title, introduction and settings (creation and full update).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuizRequest {
    /// Title, 1 to 200 characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub title: String,
    /// Introduction shown before starting (HTML from the editor; sanitised).
    #[serde(default)]
    pub description: String,
    /// Settings; left out: the defaults.
    #[serde(default)]
    pub settings: SettingsRequest,
}

impl QuizRequest {
    fn into_input(self) -> ApiResult<QuizInput> {
        Ok(QuizInput {
            title: field("title", Title::parse(&self.title))?,
            description: RichText::sanitize(&self.description),
            settings: self.settings.into(),
        })
    }
}

/// Publishing or hiding a quiz.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// `true` shows the quiz to the course's students, `false` hides it.
    pub published: bool,
}

/// A question (creation and full update).
///
/// `body` is tagged by `kind`; option and item ids are UUIDs the client
/// makes (they stay stable across edits):
/// `{"kind":"single_choice","options":[{"id","text"}…],"correct":"<id>"}`,
/// `{"kind":"multiple_choice","options":[…],"correct":["<id>"…]}`,
/// `{"kind":"true_false","correct":true}`,
/// `{"kind":"short_text","accepted":["…"]}`,
/// `{"kind":"numeric","value":3.14,"tolerance":0.01}`,
/// `{"kind":"matching","pairs":[{"left":{"id","text"},"right":{"id","text"}}…]}`,
/// `{"kind":"ordering","items":[…in the right order]}`, `{"kind":"essay"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionRequest {
    /// The question text (HTML from the editor; sanitised; not blank).
    #[schema(min_length = 1, pattern = r"\S")]
    pub prompt: String,
    /// Points for a fully right answer (0..=100000, two decimals).
    #[schema(minimum = 0, maximum = 100_000)]
    pub points: f64,
    /// Kind and correct answer.
    pub body: QuestionBody,
    /// Explanation shown with the correct answer in reviews (HTML).
    #[serde(default)]
    pub explanation: Option<String>,
}

impl QuestionRequest {
    fn into_input(self) -> ApiResult<QuestionInput> {
        Ok(QuestionInput {
            prompt: RichText::sanitize(&self.prompt),
            points: field("points", Points::new(self.points))?,
            body: self.body,
            explanation: self
                .explanation
                .map(|e| RichText::sanitize(&e))
                .filter(|e| !e.is_blank()),
        })
    }
}

/// A new order of a quiz's questions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderQuestionsRequest {
    /// Every question of the quiz exactly once, in the new order.
    pub question_ids: Vec<QuestionId>,
}

/// Answers to save into an open attempt (merged with those saved before).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveAnswersRequest {
    /// Question id → answer, tagged by `kind` with the answer in `value`:
    /// `{"kind":"single_choice","value":"<option id>"}`,
    /// `{"kind":"multiple_choice","value":["<id>"…]}`,
    /// `{"kind":"true_false","value":true}`, `{"kind":"short_text","value":"…"}`,
    /// `{"kind":"numeric","value":3.14}`,
    /// `{"kind":"matching","value":{"<left id>":"<right id>"…}}`,
    /// `{"kind":"ordering","value":["<item id>"…]}`, `{"kind":"essay","value":"…"}`.
    pub answers: BTreeMap<QuestionId, Answer>,
}

/// Submitting an attempt. The body may be left out.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// A key that makes a retried submit return the stored result instead
    /// of `409 attempt_already_finished` (at most 200 characters). The
    /// `Idempotency-Key` header is used when this is left out.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub idempotency_key: Option<String>,
}

/// A teacher's score for one essay of a finished attempt.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EssayGradeRequest {
    /// The essay question.
    pub question_id: QuestionId,
    /// Points, at most the question's points.
    #[schema(minimum = 0, maximum = 100_000)]
    pub points: f64,
}

/// Creates an unpublished quiz in a course (the course's teacher or an admin).
#[utoipa::path(
    post, path = "/courses/{course_id}/quizzes", tag = "quizzes",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = QuizRequest,
    responses(
        (status = 201, description = "Created (unpublished)", body = Quiz),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's teacher", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 422, description = "Invalid field (`title`, `settings`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn create_quiz(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<QuizRequest>,
) -> ApiResult<(StatusCode, Json<Quiz>)> {
    let input = req.into_input()?;
    let quiz = state
        .lms
        .quizzes
        .create_quiz(&auth.actor, course_id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(quiz)))
}

/// The quizzes of a course the user sees (students: published only, with
/// their own attempts and whether they can start now), oldest first.
#[utoipa::path(
    get, path = "/courses/{course_id}/quizzes", tag = "quizzes",
    params(("course_id" = CourseId, Path, description = "Course id")),
    responses(
        (status = 200, description = "The quizzes", body = Vec<QuizOverview>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_quizzes(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
) -> ApiResult<Json<Vec<QuizOverview>>> {
    Ok(Json(
        state
            .lms
            .quizzes
            .list_quizzes(&auth.actor, course_id)
            .await?,
    ))
}

/// One quiz with the viewer's attempts, attempts left, score and whether
/// an attempt can start now.
#[utoipa::path(
    get, path = "/quizzes/{quiz_id}", tag = "quizzes",
    params(("quiz_id" = QuizId, Path, description = "Quiz id")),
    responses(
        (status = 200, description = "The quiz", body = QuizOverview),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such quiz, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn get_quiz(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(quiz_id): ApiPath<QuizId>,
) -> ApiResult<Json<QuizOverview>> {
    Ok(Json(
        state.lms.quizzes.get_quiz(&auth.actor, quiz_id).await?,
    ))
}

/// Replaces a quiz's title, description and settings (settings left out
/// return to the defaults). Attempts already started keep their deadline.
#[utoipa::path(
    put, path = "/quizzes/{quiz_id}", tag = "quizzes",
    params(("quiz_id" = QuizId, Path, description = "Quiz id")),
    request_body = QuizRequest,
    responses(
        (status = 200, description = "Updated", body = Quiz),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's teacher", body = ErrorBody),
        (status = 404, description = "No such quiz, or not visible", body = ErrorBody),
        (status = 422, description = "Invalid field (`title`, `settings`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn update_quiz(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(quiz_id): ApiPath<QuizId>,
    ApiJson(req): ApiJson<QuizRequest>,
) -> ApiResult<Json<Quiz>> {
    let input = req.into_input()?;
    Ok(Json(
        state
            .lms
            .quizzes
            .update_quiz(&auth.actor, quiz_id, input)
            .await?,
    ))
}

/// Publishes a quiz to the course's students, or hides it again.
#[utoipa::path(
    put, path = "/quizzes/{quiz_id}/published", tag = "quizzes",
    params(("quiz_id" = QuizId, Path, description = "Quiz id")),
    request_body = PublishRequest,
    responses(
        (status = 200, description = "Updated", body = Quiz),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's teacher", body = ErrorBody),
        (status = 404, description = "No such quiz, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn set_published(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(quiz_id): ApiPath<QuizId>,
    ApiJson(req): ApiJson<PublishRequest>,
) -> ApiResult<Json<Quiz>> {
    Ok(Json(
        state
            .lms
            .quizzes
            .set_published(&auth.actor, quiz_id, req.published)
            .await?,
    ))
}

/// The quiz's questions with their correct answers, in order: course staff only.
#[utoipa::path(
    get, path = "/quizzes/{quiz_id}/questions", tag = "quizzes",
    params(("quiz_id" = QuizId, Path, description = "Quiz id")),
    responses(
        (status = 200, description = "The questions", body = Vec<Question>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not course staff", body = ErrorBody),
        (status = 404, description = "No such quiz, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_questions(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(quiz_id): ApiPath<QuizId>,
) -> ApiResult<Json<Vec<Question>>> {
    Ok(Json(
        state
            .lms
            .quizzes
            .list_questions(&auth.actor, quiz_id)
            .await?,
    ))
}

/// Appends a question to a quiz (the course's teacher or an admin).
#[utoipa::path(
    post, path = "/quizzes/{quiz_id}/questions", tag = "quizzes",
    params(("quiz_id" = QuizId, Path, description = "Quiz id")),
    request_body = QuestionRequest,
    responses(
        (status = 201, description = "Created", body = Question),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's teacher", body = ErrorBody),
        (status = 404, description = "No such quiz, or not visible", body = ErrorBody),
        (status = 422, description = "Invalid field (`points`, `question`, `body`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn add_question(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(quiz_id): ApiPath<QuizId>,
    ApiJson(req): ApiJson<QuestionRequest>,
) -> ApiResult<(StatusCode, Json<Question>)> {
    let input = req.into_input()?;
    let question = state
        .lms
        .quizzes
        .add_question(&auth.actor, quiz_id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(question)))
}

/// Replaces a question's prompt, points, body and explanation.
#[utoipa::path(
    put, path = "/quizzes/{quiz_id}/questions/{question_id}", tag = "quizzes",
    params(
        ("quiz_id" = QuizId, Path, description = "Quiz id"),
        ("question_id" = QuestionId, Path, description = "Question id"),
    ),
    request_body = QuestionRequest,
    responses(
        (status = 200, description = "Updated", body = Question),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's teacher", body = ErrorBody),
        (status = 404, description = "No such quiz or question", body = ErrorBody),
        (status = 422, description = "Invalid field (`points`, `question`, `body`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn update_question(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((quiz_id, question_id)): ApiPath<(QuizId, QuestionId)>,
    ApiJson(req): ApiJson<QuestionRequest>,
) -> ApiResult<Json<Question>> {
    let input = req.into_input()?;
    Ok(Json(
        state
            .lms
            .quizzes
            .update_question(&auth.actor, quiz_id, question_id, input)
            .await?,
    ))
}

/// Removes a question (finished attempts keep their scores).
#[utoipa::path(
    delete, path = "/quizzes/{quiz_id}/questions/{question_id}", tag = "quizzes",
    params(
        ("quiz_id" = QuizId, Path, description = "Quiz id"),
        ("question_id" = QuestionId, Path, description = "Question id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's teacher", body = ErrorBody),
        (status = 404, description = "No such quiz or question", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn delete_question(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((quiz_id, question_id)): ApiPath<(QuizId, QuestionId)>,
) -> ApiResult<StatusCode> {
    state
        .lms
        .quizzes
        .delete_question(&auth.actor, quiz_id, question_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts the quiz's questions in a new order; returns them in that order.
#[utoipa::path(
    put, path = "/quizzes/{quiz_id}/questions/order", tag = "quizzes",
    params(("quiz_id" = QuizId, Path, description = "Quiz id")),
    request_body = ReorderQuestionsRequest,
    responses(
        (status = 200, description = "The questions in the new order", body = Vec<Question>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's teacher", body = ErrorBody),
        (status = 404, description = "No such quiz, or not visible", body = ErrorBody),
        (status = 409, description = "The questions changed meanwhile", body = ErrorBody),
        (status = 422, description = "Not every question exactly once (`order`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn reorder_questions(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(quiz_id): ApiPath<QuizId>,
    ApiJson(req): ApiJson<ReorderQuestionsRequest>,
) -> ApiResult<Json<Vec<Question>>> {
    Ok(Json(
        state
            .lms
            .quizzes
            .reorder_questions(&auth.actor, quiz_id, &req.question_ids)
            .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_quiz, list_quizzes))
        .routes(routes!(get_quiz, update_quiz))
        .routes(routes!(set_published))
        .routes(routes!(list_questions, add_question))
        .routes(routes!(update_question, delete_question))
        .routes(routes!(reorder_questions))
        .merge(attempts::routes())
}
