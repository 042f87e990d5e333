//! The question bank of a course: questions in categories with tags,
//! import from GIFT, Aiken and CSV with a preview, export to GIFT; and the
//! item analysis of a quiz.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lms_core::bank::format::Format;
use lms_core::bank::{
    BankFilter, BankImportReport, BankListing, BankQuestion, BankQuestionInput, ImportRequest,
    MAX_IMPORT_BYTES,
};
use lms_core::quiz::{QuestionBody, QuizAnalysis};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::{BankQuestionId, CourseId, QuizId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Pagination, field};
use crate::state::AppState;

/// The longest search text, in bytes.
const MAX_SEARCH_BYTES: usize = 200;

/// Which bank questions a list or an export takes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BankQuery {
    /// Only this category and its subcategories.
    #[param(max_length = 200)]
    pub category: Option<String>,
    /// Only questions with this tag.
    #[param(max_length = 50)]
    pub tag: Option<String>,
    /// Only questions whose text contains this (case and `ё` ignored).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// At most this many (1..=200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 2_147_483_647)]
    #[serde(default, deserialize_with = "crate::extract::offset")]
    pub offset: Option<u32>,
}

impl BankQuery {
    fn filter(&self) -> ApiResult<BankFilter> {
        for (name, value, max) in [
            ("category", &self.category, 200),
            ("tag", &self.tag, 50),
            ("q", &self.q, MAX_SEARCH_BYTES),
        ] {
            if value.as_ref().is_some_and(|v| v.len() > max * 4) {
                return Err(ApiError::invalid_field(
                    name,
                    format!("at most {max} characters"),
                ));
            }
        }
        let blank = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        Ok(BankFilter {
            category: blank(&self.category),
            tag: blank(&self.tag),
            text: blank(&self.q),
        })
    }
}

/// A bank question (creation and full update).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankQuestionRequest {
    /// Category path, `/`-separated (`ЕГЭ/Задание 5`); empty: the top.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub category: String,
    /// Tags (at most 20, 1 to 50 characters each; stored lower-case).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub tags: Vec<String>,
    /// The question text (HTML from the editor; sanitised; not blank).
    #[schema(min_length = 1, pattern = r"\S")]
    pub prompt: String,
    /// Default points for a fully right answer (0..=100000).
    #[schema(minimum = 0, maximum = 100_000)]
    pub points: f64,
    /// Kind and correct answer, as for a quiz question (not `random`).
    pub body: QuestionBody,
    /// Explanation shown with the correct answer in reviews (HTML).
    #[serde(default)]
    pub explanation: Option<String>,
    /// Updates only: the version the edit started from (`409 stale` when
    /// someone saved in between).
    #[serde(default)]
    pub version: Option<u32>,
}

impl BankQuestionRequest {
    fn into_input(self) -> ApiResult<(BankQuestionInput, Option<u32>)> {
        if self.tags.len() > 20 {
            return Err(ApiError::invalid_field("tags", "at most 20 tags"));
        }
        Ok((
            BankQuestionInput {
                category: self.category,
                tags: self.tags,
                prompt: RichText::sanitize(&self.prompt),
                points: field("points", Points::new(self.points))?,
                body: self.body,
                explanation: self.explanation.map(|e| RichText::sanitize(&e)),
            },
            self.version,
        ))
    }
}

/// A file to import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankImportRequest {
    /// `gift` (Moodle), `aiken` or `csv`.
    pub format: Format,
    /// The file's text (UTF-8, at most 1,000,000 bytes).
    pub text: String,
    /// Category of questions the file does not place; empty: the top.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub category: String,
    /// Points of questions the file gives none (default 1).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000)]
    pub points: Option<f64>,
}

/// Whether an import only previews.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: list what would be created and every line that cannot be,
    /// writing nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// A page of the course's question bank (its teacher and admins), with
/// the bank's size and categories.
#[utoipa::path(
    get, path = "/courses/{course_id}/bank", tag = "bank",
    params(("course_id" = CourseId, Path, description = "Course id"), BankQuery),
    responses(
        (status = 200, description = "The questions", body = BankListing),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's teacher", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 422, description = "An invalid `category`, `tag` or `q`", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_bank(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiQuery(q): ApiQuery<BankQuery>,
) -> ApiResult<Json<BankListing>> {
    let filter = q.filter()?;
    let page = Pagination {
        limit: q.limit,
        offset: q.offset,
    }
    .page();
    Ok(Json(
        state
            .lms
            .bank
            .list(&auth.actor, course_id, &filter, page)
            .await?,
    ))
}

/// Adds a question to the course's bank.
#[utoipa::path(
    post, path = "/courses/{course_id}/bank", tag = "bank",
    params(("course_id" = CourseId, Path, description = "Course id")),
    request_body = BankQuestionRequest,
    responses(
        (status = 201, description = "Created", body = BankQuestion),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's teacher", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "The bank is full (`bank_full`)", body = ErrorBody),
        (status = 422, description = "An invalid question, category or tag", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn create_bank_question(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiJson(req): ApiJson<BankQuestionRequest>,
) -> ApiResult<(StatusCode, Json<BankQuestion>)> {
    let (input, _) = req.into_input()?;
    let question = state.lms.bank.create(&auth.actor, course_id, input).await?;
    Ok((StatusCode::CREATED, Json(question)))
}

/// Replaces a bank question's fields. Attempts that already drew it keep
/// the version they were given.
#[utoipa::path(
    put, path = "/bank/{bank_question_id}", tag = "bank",
    params(("bank_question_id" = BankQuestionId, Path, description = "Bank question id")),
    request_body = BankQuestionRequest,
    responses(
        (status = 200, description = "Updated (version + 1)", body = BankQuestion),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such question, or not the caller's bank", body = ErrorBody),
        (status = 409, description = "Saved by someone else meanwhile (`stale`)", body = ErrorBody),
        (status = 422, description = "An invalid question, category or tag, or no `version`", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn update_bank_question(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<BankQuestionId>,
    ApiJson(req): ApiJson<BankQuestionRequest>,
) -> ApiResult<Json<BankQuestion>> {
    let (input, version) = req.into_input()?;
    let version = version.ok_or_else(|| ApiError::invalid_field("version", "required"))?;
    Ok(Json(
        state
            .lms
            .bank
            .update(&auth.actor, id, version, input)
            .await?,
    ))
}

/// Deletes a bank question; attempts that drew it keep their copy.
#[utoipa::path(
    delete, path = "/bank/{bank_question_id}", tag = "bank",
    params(("bank_question_id" = BankQuestionId, Path, description = "Bank question id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such question, or not the caller's bank", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn delete_bank_question(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<BankQuestionId>,
) -> ApiResult<StatusCode> {
    state.lms.bank.delete(&auth.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports questions from a GIFT, Aiken or CSV file. With `dry_run=true`
/// lists what would be created and every line that cannot be (line
/// number and reason), writing nothing; otherwise writes every question
/// the preview lists in one write and reports the refused lines again.
#[utoipa::path(
    post, path = "/courses/{course_id}/bank/import", tag = "bank",
    params(("course_id" = CourseId, Path, description = "Course id"), ImportQuery),
    request_body = BankImportRequest,
    responses(
        (status = 200, description = "The preview, or what was imported", body = BankImportReport),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's teacher", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 409, description = "The bank would be over its limit (`bank_full`)", body = ErrorBody),
        (status = 413, description = "The request is larger than 1 MiB", body = ErrorBody),
        (status = 422, description = "Too large a file, an invalid category, or nothing importable (`nothing_to_import`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn import_bank(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    ApiJson(req): ApiJson<BankImportRequest>,
) -> ApiResult<Json<BankImportReport>> {
    if req.text.len() > MAX_IMPORT_BYTES {
        return Err(ApiError::invalid_field(
            "text",
            format!("at most {MAX_IMPORT_BYTES} bytes"),
        ));
    }
    let request = ImportRequest {
        format: req.format,
        text: req.text,
        category: req.category,
        points: field("points", Points::new(req.points.unwrap_or(1.0)))?,
    };
    let bank = &state.lms.bank;
    Ok(Json(if q.dry_run {
        bank.preview_import(&auth.actor, course_id, &request)
            .await?
    } else {
        bank.import(&auth.actor, course_id, &request).await?
    }))
}

/// The course's bank (or the part the filter selects) as a Moodle GIFT
/// file to download.
#[utoipa::path(
    get, path = "/courses/{course_id}/bank/export", tag = "bank",
    params(("course_id" = CourseId, Path, description = "Course id"), BankQuery),
    responses(
        (status = 200, description = "The GIFT file", content_type = "text/plain", body = String),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the course's teacher", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn export_bank(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(course_id): ApiPath<CourseId>,
    ApiQuery(q): ApiQuery<BankQuery>,
) -> ApiResult<Response> {
    let filter = q.filter()?;
    let gift = state
        .lms
        .bank
        .export_gift(&auth.actor, course_id, &filter)
        .await?;
    let mut response = gift.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"questions.gift.txt\""),
    );
    Ok(response)
}

/// Item analysis of a quiz over the finished attempts of the students the
/// caller grades: per question attempts, mean score, facility and
/// discrimination (upper/lower 27 %) indices, option counts; the score
/// histogram. Course staff only.
#[utoipa::path(
    get, path = "/quizzes/{quiz_id}/analysis", tag = "quizzes",
    params(("quiz_id" = QuizId, Path, description = "Quiz id")),
    responses(
        (status = 200, description = "The analysis", body = QuizAnalysis),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not course staff", body = ErrorBody),
        (status = 404, description = "No such quiz, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn quiz_analysis(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(quiz_id): ApiPath<QuizId>,
) -> ApiResult<Json<QuizAnalysis>> {
    Ok(Json(
        state.lms.quizzes.analysis(&auth.actor, quiz_id).await?,
    ))
}

/// The item analysis as a CSV file, one row per question.
#[utoipa::path(
    get, path = "/quizzes/{quiz_id}/analysis/csv", tag = "quizzes",
    params(("quiz_id" = QuizId, Path, description = "Quiz id")),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not course staff", body = ErrorBody),
        (status = 404, description = "No such quiz, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn quiz_analysis_csv(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(quiz_id): ApiPath<QuizId>,
) -> ApiResult<Response> {
    let analysis = state.lms.quizzes.analysis(&auth.actor, quiz_id).await?;
    Ok(super::csv_download(
        lms_core::quiz::analysis_csv(&analysis),
        "item-analysis.csv",
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_bank, create_bank_question))
        .routes(routes!(update_bank_question, delete_bank_question))
        .routes(routes!(import_bank))
        .routes(routes!(export_bank))
        .routes(routes!(quiz_analysis))
        .routes(routes!(quiz_analysis_csv))
}
