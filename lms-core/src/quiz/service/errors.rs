//! Why quiz operations fail.

use thiserror::Error;

use super::MAX_IDEMPOTENCY_KEY_CHARS;
use crate::error::StorageError;
use crate::ids::{AttemptId, QuestionId};
use crate::quiz::model::{QuestionError, SettingsError};
use crate::score::Points;

/// Why creating or changing a quiz failed.
#[derive(Debug, Error)]
pub enum ManageQuizError {
    /// The course does not exist or the actor may not see it.
    #[error("course not found")]
    CourseNotFound,
    /// The quiz does not exist or the actor may not see it.
    #[error("quiz not found")]
    NotFound,
    /// Only the course's teacher and admins manage its quizzes.
    #[error("only the course's teacher or an admin may manage its quizzes")]
    Forbidden,
    /// The settings are inconsistent.
    #[error("settings: {0}")]
    InvalidSettings(SettingsError),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(ManageQuizError {
    CourseNotFound => (NotFound, "course_not_found"),
    NotFound => (NotFound, "quiz_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    InvalidSettings(_) => (Invalid, "invalid_quiz_settings"),
});

/// Why adding, changing, removing or reordering questions failed.
#[derive(Debug, Error)]
pub enum ManageQuestionError {
    /// The quiz does not exist or the actor may not see it.
    #[error("quiz not found")]
    QuizNotFound,
    /// The question is not in this quiz.
    #[error("question not found")]
    QuestionNotFound,
    /// Only the course's teacher and admins edit questions.
    #[error("only the course's teacher or an admin may edit questions")]
    Forbidden,
    /// The question is malformed.
    #[error("question: {0}")]
    Invalid(QuestionError),
    /// A random slot's pool is not usable.
    #[error("{0}")]
    Pool(crate::bank::PoolError),
    /// The new order is not a permutation of the quiz's questions.
    #[error("order: must list every question of the quiz exactly once")]
    InvalidOrder,
    /// The questions changed meanwhile; reload and try again.
    #[error("the questions changed meanwhile; reload and try again")]
    Stale,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(ManageQuestionError {
    QuizNotFound => (NotFound, "quiz_not_found"),
    QuestionNotFound => (NotFound, "question_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    Invalid(_) => (Invalid, "invalid_question"),
    Pool(_) => (Invalid, "invalid_pool"),
    InvalidOrder => (Invalid, "invalid_question_order"),
    Stale => (Conflict, "questions_changed"),
});

/// Why reading quizzes, questions or attempt lists failed.
#[derive(Debug, Error)]
pub enum ViewQuizError {
    /// The course does not exist or the actor may not see it.
    #[error("course not found")]
    CourseNotFound,
    /// The quiz does not exist or the actor may not see it.
    #[error("quiz not found")]
    NotFound,
    /// The actor sees the quiz but this view is for staff.
    #[error("only course staff may see this")]
    Forbidden,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(ViewQuizError {
    CourseNotFound => (NotFound, "course_not_found"),
    NotFound => (NotFound, "quiz_not_found"),
    Forbidden => (Forbidden, "forbidden"),
});

/// Why an attempt could not start.
#[derive(Debug, Error)]
pub enum StartAttemptError {
    /// The quiz does not exist or the actor may not see it.
    #[error("quiz not found")]
    NotFound,
    /// Only enrolled students of a published course take quizzes.
    #[error("only enrolled students of a published course take quizzes")]
    Forbidden,
    /// Outside the quiz's availability window.
    #[error("the quiz is not open now")]
    NotOpen,
    /// The quiz has no questions yet.
    #[error("the quiz has no questions")]
    NoQuestions,
    /// Every allowed attempt was used.
    #[error("no attempts left")]
    AttemptLimit,
    /// An attempt is in progress: the UI should resume it.
    #[error("attempt {0} is in progress; resume it")]
    OpenAttempt(AttemptId),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(StartAttemptError {
    NotFound => (NotFound, "quiz_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    NotOpen => (Conflict, "quiz_not_open"),
    NoQuestions => (Conflict, "quiz_has_no_questions"),
    AttemptLimit => (Conflict, "attempt_limit_reached"),
    OpenAttempt(_) => (Conflict, "resume_open_attempt"),
});

/// Why an attempt could not be read or reviewed.
#[derive(Debug, Error)]
pub enum AttemptAccessError {
    /// The attempt does not exist or is not the actor's to see.
    #[error("attempt not found")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(AttemptAccessError {
    NotFound => (NotFound, "attempt_not_found"),
});

/// Why answers were not saved.
#[derive(Debug, Error)]
pub enum SaveAnswersError {
    /// The attempt does not exist or is not the actor's.
    #[error("attempt not found")]
    NotFound,
    /// The attempt is finished or its deadline passed.
    #[error("the attempt is closed")]
    Closed,
    /// An answer does not fit its question; nothing was saved.
    #[error("answer to question {question}: {reason}")]
    InvalidAnswer {
        /// The question.
        question: QuestionId,
        /// What is wrong.
        reason: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(SaveAnswersError {
    NotFound => (NotFound, "attempt_not_found"),
    Closed => (Conflict, "attempt_closed"),
    InvalidAnswer { .. } => (Invalid, "invalid_answer"),
});

/// Why a submit failed.
#[derive(Debug, Error)]
pub enum SubmitError {
    /// The attempt does not exist or is not the actor's.
    #[error("attempt not found")]
    NotFound,
    /// The attempt was already finished (by another request or at its deadline).
    #[error("the attempt is already finished")]
    AlreadyFinished,
    /// The idempotency key is longer than allowed.
    #[error("idempotency_key: at most {MAX_IDEMPOTENCY_KEY_CHARS} characters")]
    InvalidKey,
    /// Answers kept being saved while the attempt was being finished;
    /// nothing was finished, submit again.
    #[error("answers were saved while submitting; submit again")]
    ChangedMeanwhile,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(SubmitError {
    NotFound => (NotFound, "attempt_not_found"),
    AlreadyFinished => (Conflict, "attempt_already_finished"),
    InvalidKey => (Invalid, "invalid_idempotency_key"),
    ChangedMeanwhile => (Conflict, "attempt_changed_meanwhile"),
});

/// Why an essay could not be graded.
#[derive(Debug, Error)]
pub enum GradeEssayError {
    /// The attempt does not exist or the actor may not see it.
    #[error("attempt not found")]
    NotFound,
    /// The question is not part of the attempt.
    #[error("question not found")]
    QuestionNotFound,
    /// Only course staff grade (a student looking at their own attempt).
    #[error("only course staff may grade")]
    Forbidden,
    /// The attempt is still open.
    #[error("the attempt is not finished yet")]
    NotFinished,
    /// Only essays are graded by hand.
    #[error("question: only essay questions are graded by hand")]
    NotEssay,
    /// More points than the question is worth.
    #[error("points: at most {max}")]
    AboveMax {
        /// The question's points.
        max: Points,
    },
    /// Other essays of the attempt were graded meanwhile, again and again.
    #[error("the attempt's result kept changing; try again")]
    ChangedMeanwhile,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(GradeEssayError {
    NotFound => (NotFound, "attempt_not_found"),
    QuestionNotFound => (NotFound, "question_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    NotFinished => (Conflict, "attempt_not_finished"),
    NotEssay => (Invalid, "not_an_essay"),
    AboveMax { .. } => (Invalid, "points_above_max"),
    ChangedMeanwhile => (Conflict, "attempt_changed_meanwhile"),
});
