//! Taking quizzes and grading them: students start attempts with a
//! server-side deadline, autosave answers, submit and review their
//! attempts; staff list every attempt, review it in full, grade essays and
//! see the essays waiting for a grade.

use super::*;

/// Starts an attempt (enrolled students, while the quiz is open and
/// attempts are left). The response carries the server-side `deadline`
/// and `server_time` for the countdown, and the questions without answers.
#[utoipa::path(
    post, path = "/quizzes/{quiz_id}/attempts", tag = "quizzes",
    params(("quiz_id" = QuizId, Path, description = "Quiz id")),
    responses(
        (status = 201, description = "Started", body = AttemptView),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an enrolled student, or the quiz is hidden", body = ErrorBody),
        (status = 404, description = "No such quiz, or not visible", body = ErrorBody),
        (status = 409, description = "`quiz_not_open`, `quiz_has_no_questions`, `attempt_limit_reached`, or `resume_open_attempt` (an attempt is in progress: see the quiz's `open_attempt`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn start_attempt(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(quiz_id): ApiPath<QuizId>,
) -> ApiResult<(StatusCode, Json<AttemptView>)> {
    let view = state
        .lms
        .quizzes
        .start_attempt(&auth.actor, quiz_id)
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The user's own attempts at a quiz, by number (totals only).
#[utoipa::path(
    get, path = "/quizzes/{quiz_id}/attempts/me", tag = "quizzes",
    params(("quiz_id" = QuizId, Path, description = "Quiz id")),
    responses(
        (status = 200, description = "My attempts", body = Vec<AttemptSummary>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such quiz, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn my_attempts(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(quiz_id): ApiPath<QuizId>,
) -> ApiResult<Json<Vec<AttemptSummary>>> {
    Ok(Json(
        state.lms.quizzes.my_attempts(&auth.actor, quiz_id).await?,
    ))
}

/// Every student's attempts at a quiz, by start, each naming its student:
/// course staff only (a mentor, their groups' students).
#[utoipa::path(
    get, path = "/quizzes/{quiz_id}/attempts", tag = "quizzes",
    params(("quiz_id" = QuizId, Path, description = "Quiz id"), StudentsQuery),
    responses(
        (status = 200, description = "A page of attempts", body = Vec<StaffAttemptSummary>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not course staff", body = ErrorBody),
        (status = 404, description = "No such quiz, or not visible", body = ErrorBody),
        (status = 422, description = "`q` longer than 254 bytes", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list_attempts(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(quiz_id): ApiPath<QuizId>,
    ApiQuery(q): ApiQuery<StudentsQuery>,
) -> ApiResult<Json<Vec<StaffAttemptSummary>>> {
    let (students, page) = q.parts()?;
    Ok(Json(
        state
            .lms
            .quizzes
            .list_attempts(&auth.actor, quiz_id, &students, page)
            .await?,
    ))
}

/// The user's own attempt with its questions (no correct answers) and saved
/// answers; an attempt past its deadline is finished first. Staff read
/// attempts through the review.
#[utoipa::path(
    get, path = "/attempts/{attempt_id}", tag = "quizzes",
    params(("attempt_id" = AttemptId, Path, description = "Attempt id")),
    responses(
        (status = 200, description = "The attempt", body = AttemptView),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such attempt, or not the user's", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn get_attempt(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(attempt_id): ApiPath<AttemptId>,
) -> ApiResult<Json<AttemptView>> {
    Ok(Json(
        state
            .lms
            .quizzes
            .get_attempt(&auth.actor, attempt_id)
            .await?,
    ))
}

/// Autosaves answers into the user's open attempt before its deadline
/// (merged with the answers saved before; all or nothing).
#[utoipa::path(
    put, path = "/attempts/{attempt_id}/answers", tag = "quizzes",
    params(("attempt_id" = AttemptId, Path, description = "Attempt id")),
    request_body = SaveAnswersRequest,
    responses(
        (status = 200, description = "Saved; the attempt with every saved answer", body = AttemptView),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such attempt, or not the user's", body = ErrorBody),
        (status = 409, description = "`attempt_closed`: finished or past its deadline", body = ErrorBody),
        (status = 422, description = "`invalid_answer`: an answer does not fit its question", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn save_answers(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(attempt_id): ApiPath<AttemptId>,
    ApiJson(req): ApiJson<SaveAnswersRequest>,
) -> ApiResult<Json<AttemptView>> {
    Ok(Json(
        state
            .lms
            .quizzes
            .save_answers(&auth.actor, attempt_id, req.answers)
            .await?,
    ))
}

/// The submit request from an optional JSON body and the
/// `Idempotency-Key` header.
fn submit_request(headers: &HeaderMap, body: &Bytes) -> ApiResult<SubmitRequest> {
    // No body, or `null` (the document allows both), is the default.
    let mut req: SubmitRequest = if body.iter().all(u8::is_ascii_whitespace) {
        SubmitRequest::default()
    } else {
        serde_json::from_slice::<Option<SubmitRequest>>(body)
            .map(Option::unwrap_or_default)
            .map_err(|e| {
                if e.is_data() {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_json",
                        e.to_string(),
                    )
                } else {
                    ApiError::bad_request("malformed_json", format!("malformed JSON: {e}"))
                }
            })?
    };
    if req.idempotency_key.is_none()
        && let Some(value) = headers.get("idempotency-key")
    {
        let key = value.to_str().map_err(|_| {
            ApiError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be visible ASCII",
            )
        })?;
        req.idempotency_key = Some(key.to_owned());
    }
    Ok(req)
}

/// Finishes the user's attempt with the saved answers and returns the total
/// score (per-question scores only in the review, once revealed). After the
/// deadline the attempt is finished as `auto_submitted`.
#[utoipa::path(
    post, path = "/attempts/{attempt_id}/submit", tag = "quizzes",
    params(("attempt_id" = AttemptId, Path, description = "Attempt id")),
    request_body(content = Option<SubmitRequest>, description = "Optional; `{}` or no body is fine"),
    responses(
        (status = 200, description = "Finished (or the stored result of a retry with the same key)", body = AttemptOutcome),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such attempt, or not the user's", body = ErrorBody),
        (status = 409, description = "`attempt_already_finished`, or `attempt_changed_meanwhile` (submit again)", body = ErrorBody),
        (status = 422, description = "Idempotency key too long", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn submit(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(attempt_id): ApiPath<AttemptId>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<AttemptOutcome>> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the request body is too large",
            )
        } else {
            ApiError::bad_request("bad_request", e.body_text())
        }
    })?;
    let req = submit_request(&headers, &body)?;
    Ok(Json(
        state
            .lms
            .quizzes
            .submit(&auth.actor, attempt_id, req.idempotency_key)
            .await?,
    ))
}

/// An attempt question by question. Its student gets per-question scores,
/// correct answers and explanations only when the quiz's reveal policy
/// allows (`answers_revealed`); course staff always get them.
#[utoipa::path(
    get, path = "/attempts/{attempt_id}/review", tag = "quizzes",
    params(("attempt_id" = AttemptId, Path, description = "Attempt id")),
    responses(
        (status = 200, description = "The review", body = AttemptReview),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such attempt, or not visible", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn review(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(attempt_id): ApiPath<AttemptId>,
) -> ApiResult<Json<AttemptReview>> {
    Ok(Json(
        state.lms.quizzes.review(&auth.actor, attempt_id).await?,
    ))
}

/// Scores one essay of a finished attempt (course staff); the attempt's
/// total is recomputed. Returns the staff review.
#[utoipa::path(
    post, path = "/attempts/{attempt_id}/essay-grades", tag = "quizzes",
    params(("attempt_id" = AttemptId, Path, description = "Attempt id")),
    request_body = EssayGradeRequest,
    responses(
        (status = 200, description = "Graded; the full review", body = AttemptReview),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The attempt's own student", body = ErrorBody),
        (status = 404, description = "No such attempt or question, or not visible", body = ErrorBody),
        (status = 409, description = "`attempt_not_finished`, or `attempt_changed_meanwhile`", body = ErrorBody),
        (status = 422, description = "`points` invalid or above the question's, or not an essay (`question`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn grade_essay(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(attempt_id): ApiPath<AttemptId>,
    ApiJson(req): ApiJson<EssayGradeRequest>,
) -> ApiResult<Json<AttemptReview>> {
    let points = field("points", Points::new(req.points))?;
    Ok(Json(
        state
            .lms
            .quizzes
            .grade_essay(&auth.actor, attempt_id, req.question_id, points)
            .await?,
    ))
}

/// Finished attempts with essays waiting for a grade, oldest finished first,
/// in the courses the actor checks (or one of them), scoped like the
/// homework queue (`/grading-queue`): a mentor sees their groups' students;
/// empty for students. An essay is graded on the attempt's review
/// (`POST /attempts/{attempt_id}/essay-grades`).
#[utoipa::path(
    get, path = "/grading-queue/essays", tag = "quizzes",
    params(QueueQuery),
    responses(
        (status = 200, description = "A page of the essay queue", body = Vec<PendingEssay>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "A student of the given course", body = ErrorBody),
        (status = 404, description = "No such course, or not visible", body = ErrorBody),
        (status = 422, description = "`q` longer than 254 bytes", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn essay_queue(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Json<Vec<PendingEssay>>> {
    let (students, page) = q.parts()?;
    Ok(Json(
        state
            .lms
            .quizzes
            .essay_queue(&auth.actor, q.course_id, &students, page)
            .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_attempt, list_attempts))
        .routes(routes!(my_attempts))
        .routes(routes!(get_attempt))
        .routes(routes!(save_answers))
        .routes(routes!(submit))
        .routes(routes!(review))
        .routes(routes!(grade_essay))
        .routes(routes!(essay_queue))
}
