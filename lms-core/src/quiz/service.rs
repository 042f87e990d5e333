//! The quiz service: authoring quizzes and questions, taking attempts with
//! server-side deadlines, grading (automatic and essays), reviews under the
//! reveal policy, and the sweep that finishes overdue attempts.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::achievement::{Achievement, Badge, CourseProgress, earns_perfect_quiz};
use crate::clock::Clock;
use crate::course::{Course, CourseRole, CourseStore, Title};
use crate::dashboard::DashboardStore;
use crate::error::{Conflict, StorageError};
use crate::ids::{AttemptId, CourseId, QuestionId, QuizId, UserId};
use crate::notification::{Notification, NotificationStore, OutboxEntry, fan_out};
use crate::page::Page;
use crate::policy;
use crate::quiz::grading::{question_order, score_attempt, validate_answer};
use crate::quiz::model::{
    Answer, Attempt, AttemptResult, AttemptState, Question, QuestionBody, QuestionError,
    QuestionScore, Quiz, QuizSettings, SettingsError,
};
use crate::quiz::ports::{FinishAttempt, QuizStore};
use crate::quiz::view::{
    AttemptReview, AttemptSummary, ResultTotals, StudentQuestion, attempt_questions, staff_review,
    student_review,
};
use crate::richtext::RichText;
use crate::score::Points;
use crate::user::Actor;

/// Longest idempotency key accepted with a submit, in characters.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 200;

/// How often finishing an attempt is retried when answers were saved
/// between reading and finishing it (each retry scores the new answers).
const FINISH_RETRIES: u32 = 3;

/// A quiz's editable fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuizInput {
    /// Title.
    pub title: Title,
    /// Introduction shown before starting.
    pub description: RichText,
    /// Settings (checked with [`QuizSettings::validate`]).
    pub settings: QuizSettings,
}

/// A question's editable fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionInput {
    /// The question text (must not be blank).
    pub prompt: RichText,
    /// Points for a fully right answer.
    pub points: Points,
    /// Kind and correct answer (checked with [`QuestionBody::validate`]).
    pub body: QuestionBody,
    /// Explanation shown with the correct answer in reviews.
    pub explanation: Option<RichText>,
}

/// A quiz as a list or a start page shows it: for students with their own
/// attempts; for staff without.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuizOverview {
    /// The quiz.
    pub quiz: Quiz,
    /// Number of questions.
    pub question_count: u32,
    /// Points available.
    pub max_score: Points,
    /// The viewer's finished attempts, by number.
    pub attempts: Vec<AttemptSummary>,
    /// The viewer's open attempt, to resume.
    pub open_attempt: Option<AttemptId>,
    /// Attempts the viewer may still start; `None`: unlimited.
    pub attempts_left: Option<u32>,
    /// The viewer's quiz score under the quiz's scoring policy.
    pub quiz_score: Option<Points>,
    /// Whether the viewer could start an attempt right now.
    pub can_start_now: bool,
}

/// An attempt as its student works on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptView {
    /// The attempt.
    pub attempt_id: AttemptId,
    /// The quiz.
    pub quiz_id: QuizId,
    /// 1, 2, ... per student and quiz.
    pub number: u32,
    /// State.
    pub state: AttemptState,
    /// When started.
    pub started_at: DateTime<Utc>,
    /// Server-side deadline; `None`: no limit.
    pub deadline: Option<DateTime<Utc>>,
    /// The server's time when the view was made (for a countdown that
    /// does not trust the browser's clock).
    pub server_time: DateTime<Utc>,
    /// Questions in this attempt's order, without correct answers.
    pub questions: Vec<StudentQuestion>,
    /// Saved answers.
    pub answers: BTreeMap<QuestionId, Answer>,
    /// When answers were last saved.
    pub saved_at: Option<DateTime<Utc>>,
    /// The total score, once finished (per-question scores are in the
    /// review, once the reveal policy allows).
    pub result: Option<ResultTotals>,
}

/// What a student learns when an attempt is finished.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptOutcome {
    /// The finished attempt with its total score.
    pub attempt: AttemptSummary,
    /// The student's quiz score after it, under the scoring policy.
    pub quiz_score: Option<Points>,
    /// Attempts left; `None`: unlimited.
    pub attempts_left: Option<u32>,
    /// Whether the attempt scored full marks.
    pub perfect: bool,
}

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

/// A quiz with its course and the actor's role there.
struct QuizAccess {
    quiz: Quiz,
    course: Course,
    role: Option<CourseRole>,
}

impl QuizAccess {
    fn staff(&self, actor: &Actor) -> bool {
        policy::can_grade(actor, self.role)
    }

    /// Whether the actor may know the quiz exists.
    fn sees(&self, actor: &Actor) -> bool {
        policy::can_view_course(actor, self.role, self.course.status)
            && (self.quiz.published || self.staff(actor))
    }
}

/// Quizzes, questions, attempts and their grading.
pub struct QuizService {
    quizzes: Arc<dyn QuizStore>,
    courses: Arc<dyn CourseStore>,
    notifications: Arc<dyn NotificationStore>,
    dashboards: Arc<dyn DashboardStore>,
    clock: Arc<dyn Clock>,
}

impl QuizService {
    /// A service over these ports (`dashboards` tells whether finishing an
    /// attempt completes the student's course).
    pub fn new(
        quizzes: Arc<dyn QuizStore>,
        courses: Arc<dyn CourseStore>,
        notifications: Arc<dyn NotificationStore>,
        dashboards: Arc<dyn DashboardStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            quizzes,
            courses,
            notifications,
            dashboards,
            clock,
        }
    }

    // ----- authoring -------------------------------------------------------

    /// Creates an unpublished quiz in a course (course teacher or admin).
    pub async fn create_quiz(
        &self,
        actor: &Actor,
        course_id: CourseId,
        input: QuizInput,
    ) -> Result<Quiz, ManageQuizError> {
        let course = self
            .courses
            .get_course(course_id)
            .await?
            .ok_or(ManageQuizError::CourseNotFound)?;
        let role = self.courses.membership(course_id, actor.user_id).await?;
        if !policy::can_manage_course(actor, role) {
            return Err(if policy::can_view_course(actor, role, course.status) {
                ManageQuizError::Forbidden
            } else {
                ManageQuizError::CourseNotFound
            });
        }
        input
            .settings
            .validate()
            .map_err(ManageQuizError::InvalidSettings)?;
        let quiz = Quiz {
            id: QuizId::new(),
            course_id,
            title: input.title,
            description: input.description,
            settings: input.settings,
            published: false,
            created_at: self.clock.now(),
        };
        self.quizzes.insert_quiz(&quiz).await?;
        Ok(quiz)
    }

    /// Replaces a quiz's title, description and settings.
    pub async fn update_quiz(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        input: QuizInput,
    ) -> Result<Quiz, ManageQuizError> {
        let access = self.managed_quiz(actor, quiz_id).await?;
        input
            .settings
            .validate()
            .map_err(ManageQuizError::InvalidSettings)?;
        let quiz = Quiz {
            title: input.title,
            description: input.description,
            settings: input.settings,
            ..access.quiz
        };
        self.store_quiz(&quiz).await?;
        Ok(quiz)
    }

    /// Publishes a quiz to the course's students, or hides it again.
    pub async fn set_published(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        published: bool,
    ) -> Result<Quiz, ManageQuizError> {
        let access = self.managed_quiz(actor, quiz_id).await?;
        let quiz = Quiz {
            published,
            ..access.quiz
        };
        self.store_quiz(&quiz).await?;
        Ok(quiz)
    }

    async fn store_quiz(&self, quiz: &Quiz) -> Result<(), ManageQuizError> {
        self.quizzes.update_quiz(quiz).await.map_err(|e| match e {
            StorageError::NotFound => ManageQuizError::NotFound,
            e => e.into(),
        })
    }

    async fn managed_quiz(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<QuizAccess, ManageQuizError> {
        let access = self
            .quiz_access(actor, quiz_id)
            .await?
            .ok_or(ManageQuizError::NotFound)?;
        if policy::can_manage_course(actor, access.role) {
            Ok(access)
        } else if access.sees(actor) {
            Err(ManageQuizError::Forbidden)
        } else {
            Err(ManageQuizError::NotFound)
        }
    }

    /// Appends a question to a quiz.
    pub async fn add_question(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        input: QuestionInput,
    ) -> Result<Question, ManageQuestionError> {
        let access = self.question_editor(actor, quiz_id).await?;
        check_question(&input)?;
        let question = Question {
            id: QuestionId::new(),
            quiz_id: access.quiz.id,
            position: 0,
            prompt: input.prompt,
            points: input.points,
            body: input.body,
            explanation: input.explanation,
        };
        Ok(self.quizzes.insert_question(&question).await?)
    }

    /// Replaces a question's prompt, points, body and explanation.
    pub async fn update_question(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        question_id: QuestionId,
        input: QuestionInput,
    ) -> Result<Question, ManageQuestionError> {
        self.question_editor(actor, quiz_id).await?;
        let existing = self
            .quizzes
            .list_questions(quiz_id)
            .await?
            .into_iter()
            .find(|q| q.id == question_id)
            .ok_or(ManageQuestionError::QuestionNotFound)?;
        check_question(&input)?;
        let question = Question {
            prompt: input.prompt,
            points: input.points,
            body: input.body,
            explanation: input.explanation,
            ..existing
        };
        self.quizzes
            .update_question(&question)
            .await
            .map_err(|e| match e {
                StorageError::NotFound => ManageQuestionError::QuestionNotFound,
                e => e.into(),
            })?;
        Ok(question)
    }

    /// Removes a question (results of finished attempts keep its score).
    pub async fn delete_question(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        question_id: QuestionId,
    ) -> Result<(), ManageQuestionError> {
        self.question_editor(actor, quiz_id).await?;
        let questions = self.quizzes.list_questions(quiz_id).await?;
        if !questions.iter().any(|q| q.id == question_id) {
            return Err(ManageQuestionError::QuestionNotFound);
        }
        if self.quizzes.delete_question(question_id).await? {
            Ok(())
        } else {
            Err(ManageQuestionError::QuestionNotFound)
        }
    }

    /// Puts the quiz's questions in the given order (every question once);
    /// returns them in the new order.
    pub async fn reorder_questions(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        order: &[QuestionId],
    ) -> Result<Vec<Question>, ManageQuestionError> {
        self.question_editor(actor, quiz_id).await?;
        let current = self.quizzes.list_questions(quiz_id).await?;
        let mut wanted = order.to_vec();
        wanted.sort();
        let mut have: Vec<QuestionId> = current.iter().map(|q| q.id).collect();
        have.sort();
        if wanted != have {
            return Err(ManageQuestionError::InvalidOrder);
        }
        self.quizzes
            .reorder_questions(quiz_id, order)
            .await
            .map_err(|e| match e {
                StorageError::Conflict(Conflict::Stale) => ManageQuestionError::Stale,
                e => e.into(),
            })?;
        Ok(self.quizzes.list_questions(quiz_id).await?)
    }

    async fn question_editor(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<QuizAccess, ManageQuestionError> {
        self.managed_quiz(actor, quiz_id)
            .await
            .map_err(|e| match e {
                ManageQuizError::Forbidden => ManageQuestionError::Forbidden,
                ManageQuizError::Storage(s) => ManageQuestionError::Storage(s),
                _ => ManageQuestionError::QuizNotFound,
            })
    }

    /// The questions with their correct answers: course staff only.
    pub async fn list_questions(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<Vec<Question>, ViewQuizError> {
        self.staff_quiz(actor, quiz_id).await?;
        Ok(self.quizzes.list_questions(quiz_id).await?)
    }

    async fn staff_quiz(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<QuizAccess, ViewQuizError> {
        let access = self
            .quiz_access(actor, quiz_id)
            .await?
            .ok_or(ViewQuizError::NotFound)?;
        if access.staff(actor) {
            Ok(access)
        } else if access.sees(actor) {
            Err(ViewQuizError::Forbidden)
        } else {
            Err(ViewQuizError::NotFound)
        }
    }

    // ----- reading ---------------------------------------------------------

    /// One quiz: for students (published quizzes of courses they see) with
    /// their attempts and whether they can start now.
    pub async fn get_quiz(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<QuizOverview, ViewQuizError> {
        let access = self
            .quiz_access(actor, quiz_id)
            .await?
            .ok_or(ViewQuizError::NotFound)?;
        if !access.sees(actor) {
            return Err(ViewQuizError::NotFound);
        }
        Ok(self
            .overview(actor, &access.quiz, &access.course, access.role)
            .await?)
    }

    /// The quizzes of a course the actor sees (students: published only),
    /// oldest first.
    pub async fn list_quizzes(
        &self,
        actor: &Actor,
        course_id: CourseId,
    ) -> Result<Vec<QuizOverview>, ViewQuizError> {
        let course = self
            .courses
            .get_course(course_id)
            .await?
            .ok_or(ViewQuizError::CourseNotFound)?;
        let role = self.courses.membership(course_id, actor.user_id).await?;
        if !policy::can_view_course(actor, role, course.status) {
            return Err(ViewQuizError::CourseNotFound);
        }
        let staff = policy::can_grade(actor, role);
        let mut out = Vec::new();
        for quiz in self.quizzes.list_quizzes(course_id).await? {
            if quiz.published || staff {
                out.push(self.overview(actor, &quiz, &course, role).await?);
            }
        }
        Ok(out)
    }

    async fn overview(
        &self,
        actor: &Actor,
        quiz: &Quiz,
        course: &Course,
        role: Option<CourseRole>,
    ) -> Result<QuizOverview, StorageError> {
        let now = self.clock.now();
        let questions = self.quizzes.list_questions(quiz.id).await?;
        let studies = policy::can_study(actor, role, course.status);
        // Students of an archived course still see their past attempts.
        let attempts = if role == Some(CourseRole::Student) {
            self.quizzes.list_attempts(quiz.id, actor.user_id).await?
        } else {
            Vec::new()
        };
        let open = attempts.iter().find(|a| a.state == AttemptState::Open);
        let attempts_left = attempts_left(&quiz.settings, &attempts);
        let can_start_now = studies
            && quiz.published
            && quiz.settings.is_open_at(now)
            && !questions.is_empty()
            && attempts_left != Some(0)
            && open.is_none_or(|a| !a.is_open_at(now));
        Ok(QuizOverview {
            question_count: u32::try_from(questions.len()).unwrap_or(u32::MAX),
            max_score: Points::sum(questions.iter().map(|q| q.points)),
            open_attempt: open.map(|a| a.id),
            attempts_left,
            quiz_score: quiz_score(quiz, &attempts),
            attempts: attempts
                .iter()
                .filter(|a| a.state != AttemptState::Open)
                .map(AttemptSummary::from)
                .collect(),
            can_start_now,
            quiz: quiz.clone(),
        })
    }

    /// Every attempt at a quiz, by start: course staff only.
    pub async fn list_attempts(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        page: Page,
    ) -> Result<Vec<AttemptSummary>, ViewQuizError> {
        self.staff_quiz(actor, quiz_id).await?;
        let attempts = self.quizzes.list_quiz_attempts(quiz_id, page).await?;
        Ok(attempts.iter().map(AttemptSummary::from).collect())
    }

    /// The actor's own attempts at a quiz, by number.
    pub async fn my_attempts(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<Vec<AttemptSummary>, ViewQuizError> {
        let access = self
            .quiz_access(actor, quiz_id)
            .await?
            .ok_or(ViewQuizError::NotFound)?;
        if !access.sees(actor) {
            return Err(ViewQuizError::NotFound);
        }
        let attempts = self.quizzes.list_attempts(quiz_id, actor.user_id).await?;
        Ok(attempts.iter().map(AttemptSummary::from).collect())
    }

    // ----- taking a quiz ---------------------------------------------------

    /// Starts an attempt: enrolled students of a published course, while
    /// the quiz is open, within the attempt limit. With an attempt already
    /// in progress, fails with [`StartAttemptError::OpenAttempt`] naming it
    /// (an in-progress attempt whose deadline passed is finished first).
    pub async fn start_attempt(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<AttemptView, StartAttemptError> {
        let access = self
            .quiz_access(actor, quiz_id)
            .await?
            .ok_or(StartAttemptError::NotFound)?;
        if !access.sees(actor) {
            return Err(StartAttemptError::NotFound);
        }
        if !policy::can_study(actor, access.role, access.course.status) || !access.quiz.published {
            return Err(StartAttemptError::Forbidden);
        }
        let quiz = access.quiz;
        let now = self.clock.now();
        if !quiz.settings.is_open_at(now) {
            return Err(StartAttemptError::NotOpen);
        }
        let questions = self.quizzes.list_questions(quiz.id).await?;
        if questions.is_empty() {
            return Err(StartAttemptError::NoQuestions);
        }
        let seed = new_seed();
        let attempt = Attempt {
            id: AttemptId::new(),
            quiz_id: quiz.id,
            student_id: actor.user_id,
            number: 0,
            seed,
            question_order: question_order(&questions, seed, quiz.settings.shuffle_questions),
            started_at: now,
            deadline: quiz.settings.attempt_deadline(now),
            state: AttemptState::Open,
            answers: BTreeMap::new(),
            saved_at: None,
            finished_at: None,
            result: None,
            submit_key: None,
        };
        let mut overdue_finished = false;
        loop {
            match self
                .quizzes
                .start_attempt(&attempt, quiz.settings.attempts_allowed)
                .await
            {
                Ok(stored) => return Ok(self.attempt_view(&stored, &quiz, &questions)),
                Err(StorageError::Conflict(Conflict::AttemptLimit)) => {
                    return Err(StartAttemptError::AttemptLimit);
                }
                Err(StorageError::Conflict(Conflict::OpenAttempt)) => {
                    let open = self
                        .quizzes
                        .list_attempts(quiz.id, actor.user_id)
                        .await?
                        .into_iter()
                        .find(|a| a.state == AttemptState::Open);
                    match open {
                        Some(open) if !overdue_finished && !open.is_open_at(now) => {
                            self.finish_overdue_attempt(&open, &quiz, &questions)
                                .await?;
                            overdue_finished = true;
                        }
                        Some(open) => return Err(StartAttemptError::OpenAttempt(open.id)),
                        None => {
                            return Err(StorageError::Conflict(Conflict::OpenAttempt).into());
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The actor's own attempt (finished first if its deadline passed).
    pub async fn get_attempt(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
    ) -> Result<AttemptView, AttemptAccessError> {
        let (attempt, quiz) = self
            .own_attempt(actor, attempt_id)
            .await?
            .ok_or(AttemptAccessError::NotFound)?;
        let questions = self.quizzes.list_questions(quiz.id).await?;
        let attempt = self.finish_if_overdue(attempt, &quiz, &questions).await?;
        Ok(self.attempt_view(&attempt, &quiz, &questions))
    }

    /// Saves (merges) answers into the actor's open attempt before its
    /// deadline. Every answer must belong to a question of the attempt and
    /// fit its kind; otherwise nothing is saved.
    pub async fn save_answers(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
        answers: BTreeMap<QuestionId, Answer>,
    ) -> Result<AttemptView, SaveAnswersError> {
        let (attempt, quiz) = self
            .own_attempt(actor, attempt_id)
            .await?
            .ok_or(SaveAnswersError::NotFound)?;
        if attempt.state != AttemptState::Open {
            return Err(SaveAnswersError::Closed);
        }
        let questions = self.quizzes.list_questions(quiz.id).await?;
        let now = self.clock.now();
        if !attempt.is_open_at(now) {
            self.finish_if_overdue(attempt, &quiz, &questions).await?;
            return Err(SaveAnswersError::Closed);
        }
        for (id, answer) in &answers {
            let question = attempt
                .question_order
                .contains(id)
                .then(|| questions.iter().find(|q| q.id == *id))
                .flatten()
                .ok_or_else(|| SaveAnswersError::InvalidAnswer {
                    question: *id,
                    reason: "the question is not part of this attempt".to_owned(),
                })?;
            validate_answer(&question.body, answer).map_err(|e| {
                SaveAnswersError::InvalidAnswer {
                    question: *id,
                    reason: e.to_string(),
                }
            })?;
        }
        let saved = self
            .quizzes
            .save_answers(attempt_id, &answers, now)
            .await
            .map_err(|e| match e {
                StorageError::Conflict(Conflict::AttemptClosed) => SaveAnswersError::Closed,
                StorageError::NotFound => SaveAnswersError::NotFound,
                e => e.into(),
            })?;
        Ok(self.attempt_view(&saved, &quiz, &questions))
    }

    /// Finishes the actor's attempt with the saved answers and returns the
    /// score. Idempotent per key: a retried submit with the same key, also
    /// after the attempt was finished, returns the stored result; any other
    /// submit of a finished attempt fails with
    /// [`SubmitError::AlreadyFinished`]. Submitting after the deadline
    /// finishes the attempt as auto-submitted.
    pub async fn submit(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
        idempotency_key: Option<String>,
    ) -> Result<AttemptOutcome, SubmitError> {
        let key = match idempotency_key.map(|k| k.trim().to_owned()) {
            Some(k) if k.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS => {
                return Err(SubmitError::InvalidKey);
            }
            Some(k) if k.is_empty() => None,
            k => k,
        };
        let (attempt, quiz) = self
            .own_attempt(actor, attempt_id)
            .await?
            .ok_or(SubmitError::NotFound)?;
        if attempt.state != AttemptState::Open {
            return self.replayed_outcome(&attempt, &quiz, key.as_deref()).await;
        }
        let questions = self.quizzes.list_questions(quiz.id).await?;
        let now = self.clock.now();
        let state = if attempt.is_open_at(now) {
            AttemptState::Submitted
        } else {
            AttemptState::AutoSubmitted
        };
        match self
            .finish(&attempt, &quiz, &questions, state, key.clone())
            .await
        {
            Ok(finished) => Ok(self.outcome(&finished, &quiz).await?),
            Err(StorageError::Conflict(Conflict::Stale)) => Err(SubmitError::ChangedMeanwhile),
            Err(StorageError::Conflict(Conflict::AttemptClosed)) => {
                let current = self
                    .quizzes
                    .get_attempt(attempt_id)
                    .await?
                    .ok_or(SubmitError::NotFound)?;
                self.replayed_outcome(&current, &quiz, key.as_deref()).await
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn replayed_outcome(
        &self,
        attempt: &Attempt,
        quiz: &Quiz,
        key: Option<&str>,
    ) -> Result<AttemptOutcome, SubmitError> {
        if key.is_some() && attempt.submit_key.as_deref() == key {
            Ok(self.outcome(attempt, quiz).await?)
        } else {
            Err(SubmitError::AlreadyFinished)
        }
    }

    async fn outcome(
        &self,
        attempt: &Attempt,
        quiz: &Quiz,
    ) -> Result<AttemptOutcome, StorageError> {
        let all = self
            .quizzes
            .list_attempts(quiz.id, attempt.student_id)
            .await?;
        Ok(AttemptOutcome {
            attempt: AttemptSummary::from(attempt),
            quiz_score: quiz_score(quiz, &all),
            attempts_left: attempts_left(&quiz.settings, &all),
            perfect: attempt.result.as_ref().is_some_and(earns_perfect_quiz),
        })
    }

    /// System sweep (no actor): finishes up to `limit` open attempts whose
    /// deadline passed, as auto-submitted with their saved answers. Returns
    /// how many it finished (attempts finished meanwhile by their student
    /// are skipped).
    pub async fn finish_overdue(&self, limit: u32) -> Result<usize, StorageError> {
        let now = self.clock.now();
        let overdue = self.quizzes.overdue_attempts(now, limit).await?;
        let mut quizzes: BTreeMap<QuizId, Option<(Quiz, Vec<Question>)>> = BTreeMap::new();
        let mut finished = 0;
        for attempt in overdue {
            let loaded = match quizzes.entry(attempt.quiz_id) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    let loaded = match self.quizzes.get_quiz(attempt.quiz_id).await? {
                        Some(quiz) => {
                            let questions = self.quizzes.list_questions(quiz.id).await?;
                            Some((quiz, questions))
                        }
                        // Quizzes are never deleted (no port does), so this
                        // is only a defensive skip.
                        None => None,
                    };
                    e.insert(loaded)
                }
            };
            let Some((quiz, questions)) = loaded else {
                continue;
            };
            match self.finish_overdue_attempt(&attempt, quiz, questions).await {
                Ok(_) => finished += 1,
                // Finished meanwhile, or still being saved into (it is
                // listed again by the next sweep).
                Err(StorageError::Conflict(Conflict::AttemptClosed | Conflict::Stale)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(finished)
    }

    // ----- reviewing and grading --------------------------------------------

    /// A question-by-question review. The attempt's student gets correct
    /// answers and explanations only when the quiz's reveal policy allows;
    /// course staff always get them.
    pub async fn review(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
    ) -> Result<AttemptReview, AttemptAccessError> {
        let attempt = self
            .quizzes
            .get_attempt(attempt_id)
            .await?
            .ok_or(AttemptAccessError::NotFound)?;
        let access = self
            .quiz_access(actor, attempt.quiz_id)
            .await?
            .ok_or(AttemptAccessError::NotFound)?;
        let own = attempt.student_id == actor.user_id && access.role == Some(CourseRole::Student);
        if !own && !access.staff(actor) {
            return Err(AttemptAccessError::NotFound);
        }
        let questions = self.quizzes.list_questions(access.quiz.id).await?;
        let attempt = self
            .finish_if_overdue(attempt, &access.quiz, &questions)
            .await?;
        Ok(if own {
            student_review(
                &questions,
                &access.quiz.settings,
                &attempt,
                self.clock.now(),
            )
        } else {
            staff_review(&questions, &access.quiz.settings, &attempt)
        })
    }

    /// A teacher's or assistant's score for an essay of a finished attempt;
    /// the attempt's result is recomputed. Returns the staff review.
    pub async fn grade_essay(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
        question_id: QuestionId,
        points: Points,
    ) -> Result<AttemptReview, GradeEssayError> {
        // Another grader may replace the result between our read and write;
        // storage refuses then (Stale) and we grade again from the new result.
        for _ in 0..3 {
            match self
                .grade_essay_once(actor, attempt_id, question_id, points)
                .await
            {
                Err(GradeEssayError::ChangedMeanwhile) => continue,
                other => return other,
            }
        }
        Err(GradeEssayError::ChangedMeanwhile)
    }

    async fn grade_essay_once(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
        question_id: QuestionId,
        points: Points,
    ) -> Result<AttemptReview, GradeEssayError> {
        let attempt = self
            .quizzes
            .get_attempt(attempt_id)
            .await?
            .ok_or(GradeEssayError::NotFound)?;
        let access = self
            .quiz_access(actor, attempt.quiz_id)
            .await?
            .ok_or(GradeEssayError::NotFound)?;
        if !access.staff(actor) {
            return Err(
                if attempt.student_id == actor.user_id && access.role == Some(CourseRole::Student) {
                    GradeEssayError::Forbidden
                } else {
                    GradeEssayError::NotFound
                },
            );
        }
        let Some(old) = attempt
            .result
            .as_ref()
            .filter(|_| attempt.state != AttemptState::Open)
        else {
            return Err(GradeEssayError::NotFinished);
        };
        let questions = self.quizzes.list_questions(access.quiz.id).await?;
        let question = questions
            .iter()
            .find(|q| q.id == question_id && attempt.question_order.contains(&q.id))
            .ok_or(GradeEssayError::QuestionNotFound)?;
        if !question.body.needs_manual_grading() {
            return Err(GradeEssayError::NotEssay);
        }
        if points > question.points {
            return Err(GradeEssayError::AboveMax {
                max: question.points,
            });
        }
        let in_attempt = questions_in_attempt(&questions, &attempt);
        let mut manual: BTreeMap<QuestionId, Points> = in_attempt
            .iter()
            .filter(|q| q.body.needs_manual_grading())
            .filter_map(|q| match old.per_question.get(&q.id) {
                Some(QuestionScore::Scored(p)) => Some((q.id, *p)),
                _ => None,
            })
            .collect();
        manual.insert(question_id, points);
        let result = score_attempt(&in_attempt, &attempt.answers, &manual);
        let (awards, outbox) = self
            .perfect_quiz_award(attempt.student_id, &access.quiz, &result)
            .await?;
        let stored = self
            .quizzes
            .set_attempt_result(attempt_id, old, &result, &awards, &outbox)
            .await
            .map_err(|e| match e {
                StorageError::NotFound => GradeEssayError::NotFound,
                StorageError::Conflict(Conflict::Stale) => GradeEssayError::ChangedMeanwhile,
                e => e.into(),
            })?;
        Ok(staff_review(&questions, &access.quiz.settings, &stored))
    }

    // ----- shared steps ------------------------------------------------------

    async fn quiz_access(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<Option<QuizAccess>, StorageError> {
        let Some(quiz) = self.quizzes.get_quiz(quiz_id).await? else {
            return Ok(None);
        };
        let Some(course) = self.courses.get_course(quiz.course_id).await? else {
            return Ok(None);
        };
        let role = self.courses.membership(course.id, actor.user_id).await?;
        Ok(Some(QuizAccess { quiz, course, role }))
    }

    /// The attempt and its quiz when the actor is its student and still
    /// enrolled.
    async fn own_attempt(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
    ) -> Result<Option<(Attempt, Quiz)>, StorageError> {
        let Some(attempt) = self.quizzes.get_attempt(attempt_id).await? else {
            return Ok(None);
        };
        if attempt.student_id != actor.user_id {
            return Ok(None);
        }
        let Some(quiz) = self.quizzes.get_quiz(attempt.quiz_id).await? else {
            return Ok(None);
        };
        let role = self
            .courses
            .membership(quiz.course_id, actor.user_id)
            .await?;
        Ok((role == Some(CourseRole::Student)).then_some((attempt, quiz)))
    }

    fn attempt_view(&self, attempt: &Attempt, quiz: &Quiz, questions: &[Question]) -> AttemptView {
        AttemptView {
            attempt_id: attempt.id,
            quiz_id: attempt.quiz_id,
            number: attempt.number,
            state: attempt.state,
            started_at: attempt.started_at,
            deadline: attempt.deadline,
            server_time: self.clock.now(),
            questions: attempt_questions(questions, attempt, quiz.settings.shuffle_options),
            answers: attempt.answers.clone(),
            saved_at: attempt.saved_at,
            result: attempt.result.as_ref().map(ResultTotals::from),
        }
    }

    /// Finishes an open attempt whose deadline passed; returns the attempt
    /// as it is now (also when someone else finished it meanwhile).
    async fn finish_if_overdue(
        &self,
        attempt: Attempt,
        quiz: &Quiz,
        questions: &[Question],
    ) -> Result<Attempt, StorageError> {
        if attempt.state != AttemptState::Open || attempt.is_open_at(self.clock.now()) {
            return Ok(attempt);
        }
        match self.finish_overdue_attempt(&attempt, quiz, questions).await {
            Ok(finished) => Ok(finished),
            Err(StorageError::Conflict(Conflict::AttemptClosed)) => self
                .quizzes
                .get_attempt(attempt.id)
                .await?
                .ok_or(StorageError::NotFound),
            Err(e) => Err(e),
        }
    }

    async fn finish_overdue_attempt(
        &self,
        attempt: &Attempt,
        quiz: &Quiz,
        questions: &[Question],
    ) -> Result<Attempt, StorageError> {
        self.finish(attempt, quiz, questions, AttemptState::AutoSubmitted, None)
            .await
    }

    /// Scores the saved answers and finishes the attempt, with the
    /// perfect-quiz and course-completed badges and their notifications
    /// when earned. When answers were saved between reading the attempt and
    /// finishing it (`Conflict(Stale)`), reads it again and scores the new
    /// answers, up to [`FINISH_RETRIES`] times; `Conflict(AttemptClosed)`
    /// when it was finished meanwhile.
    async fn finish(
        &self,
        attempt: &Attempt,
        quiz: &Quiz,
        questions: &[Question],
        state: AttemptState,
        submit_key: Option<String>,
    ) -> Result<Attempt, StorageError> {
        let mut current = attempt.clone();
        let mut retries = 0;
        loop {
            match self
                .finish_once(&current, quiz, questions, state, submit_key.clone())
                .await
            {
                Err(StorageError::Conflict(Conflict::Stale)) if retries < FINISH_RETRIES => {
                    retries += 1;
                    current = self
                        .quizzes
                        .get_attempt(attempt.id)
                        .await?
                        .ok_or(StorageError::NotFound)?;
                    if current.state != AttemptState::Open {
                        return Err(StorageError::Conflict(Conflict::AttemptClosed));
                    }
                }
                other => return other,
            }
        }
    }

    async fn finish_once(
        &self,
        attempt: &Attempt,
        quiz: &Quiz,
        questions: &[Question],
        state: AttemptState,
        submit_key: Option<String>,
    ) -> Result<Attempt, StorageError> {
        let now = self.clock.now();
        let finished_at = match (state, attempt.deadline) {
            (AttemptState::AutoSubmitted, Some(d)) if d < now => d,
            _ => now,
        };
        let result = score_attempt(
            &questions_in_attempt(questions, attempt),
            &attempt.answers,
            &BTreeMap::new(),
        );
        let mut badges = self.perfect_quiz_badge(attempt.student_id, quiz, &result);
        badges.extend(
            self.course_completion(attempt.student_id, quiz, now)
                .await?,
        );
        let (awards, outbox) = self.award_messages(attempt.student_id, badges).await?;
        self.quizzes
            .finish_attempt(&FinishAttempt {
                attempt_id: attempt.id,
                state,
                finished_at,
                result,
                expected_saved_at: attempt.saved_at,
                submit_key,
                outbox,
                awards,
            })
            .await
    }

    async fn perfect_quiz_award(
        &self,
        student: UserId,
        quiz: &Quiz,
        result: &AttemptResult,
    ) -> Result<(Vec<Achievement>, Vec<OutboxEntry>), StorageError> {
        let badges = self.perfect_quiz_badge(student, quiz, result);
        self.award_messages(student, badges).await
    }

    /// The perfect-quiz badge when `result` earns it.
    fn perfect_quiz_badge(
        &self,
        student: UserId,
        quiz: &Quiz,
        result: &AttemptResult,
    ) -> Vec<NewBadge> {
        if !earns_perfect_quiz(result) {
            return Vec::new();
        }
        vec![NewBadge {
            award: Achievement::new(
                student,
                Badge::PerfectQuiz,
                quiz.course_id,
                self.clock.now(),
            ),
            event: format!("badge:{student}:{}", Badge::PerfectQuiz.as_str()),
            notification: Notification::AchievementAwarded {
                badge: Badge::PerfectQuiz,
                course_id: Some(quiz.course_id),
                quiz_id: Some(quiz.id),
            },
        }]
    }

    /// The course badge when finishing an attempt at `quiz` completes the
    /// student's course (the quiz counts as done) and they do not hold it
    /// yet. A course found complete without the badge (its last item done
    /// where nothing checked) earns it here too.
    async fn course_completion(
        &self,
        student: UserId,
        quiz: &Quiz,
        now: DateTime<Utc>,
    ) -> Result<Vec<NewBadge>, StorageError> {
        let snapshot = self.dashboards.student_snapshot(student, now).await?;
        let held = snapshot
            .achievements
            .iter()
            .any(|a| a.badge == Badge::CourseCompleted && a.course_id == Some(quiz.course_id));
        let complete = snapshot
            .courses
            .iter()
            .find(|c| c.course.id == quiz.course_id)
            .is_some_and(|data| {
                CourseProgress::of_student(data, None, Some(quiz.id)).is_complete()
            });
        if held || !complete {
            return Ok(Vec::new());
        }
        let award = Achievement::new(student, Badge::CourseCompleted, quiz.course_id, now);
        Ok(vec![NewBadge {
            // The key homework grading uses too: a course completed by
            // either path is announced once.
            event: award.event_key(),
            award,
            notification: Notification::AchievementAwarded {
                badge: Badge::CourseCompleted,
                course_id: Some(quiz.course_id),
                quiz_id: None,
            },
        }])
    }

    /// The awards and their "badge awarded" messages to the student.
    async fn award_messages(
        &self,
        student: UserId,
        badges: Vec<NewBadge>,
    ) -> Result<(Vec<Achievement>, Vec<OutboxEntry>), StorageError> {
        if badges.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let now = self.clock.now();
        let profiles = self.notifications.delivery_profiles(&[student]).await?;
        let outbox = badges
            .iter()
            .flat_map(|b| fan_out(&profiles, &b.event, &b.notification, now))
            .collect();
        Ok((badges.into_iter().map(|b| b.award).collect(), outbox))
    }
}

/// A badge to award with its message.
struct NewBadge {
    award: Achievement,
    /// The event key of its message (the recipient is part of the de-dup key).
    event: String,
    notification: Notification,
}

fn check_question(input: &QuestionInput) -> Result<(), ManageQuestionError> {
    if input.prompt.is_blank() {
        return Err(ManageQuestionError::Invalid(QuestionError::Prompt));
    }
    input.body.validate().map_err(ManageQuestionError::Invalid)
}

/// The questions an attempt was given, in its order (questions added to the
/// quiz after it started are not part of it).
fn questions_in_attempt(questions: &[Question], attempt: &Attempt) -> Vec<Question> {
    attempt
        .question_order
        .iter()
        .filter_map(|id| questions.iter().find(|q| q.id == *id))
        .cloned()
        .collect()
}

/// A student's progress in a course from their dashboard data, with
/// `finishing` counted as a done quiz (the attempt being finished is still
/// open in the data). Counts as homework grading does: graded assignments,
/// quizzes with a finished attempt.
fn attempts_left(settings: &QuizSettings, attempts: &[Attempt]) -> Option<u32> {
    let used = u32::try_from(attempts.len()).unwrap_or(u32::MAX);
    settings.attempts_allowed.map(|n| n.saturating_sub(used))
}

/// The student's quiz score from their finished attempts (by number).
fn quiz_score(quiz: &Quiz, attempts: &[Attempt]) -> Option<Points> {
    let mut finished: Vec<&Attempt> = attempts
        .iter()
        .filter(|a| a.state != AttemptState::Open)
        .collect();
    finished.sort_by_key(|a| a.number);
    let results: Vec<&AttemptResult> = finished.iter().filter_map(|a| a.result.as_ref()).collect();
    quiz.settings.scoring.combine(&results)
}

/// A fresh seed for an attempt's shuffle, from a random UUID.
fn new_seed() -> u64 {
    let (hi, lo) = uuid::Uuid::new_v4().as_u64_pair();
    hi ^ lo
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::course::{CourseStatus, MockCourseStore};
    use crate::dashboard::StudentCourseData;
    use crate::dashboard::{MockDashboardStore, StudentSnapshot};
    use crate::error::{DomainError, ErrorClass};
    use crate::ids::OptionId;
    use crate::notification::{
        Channel, DedupKey, DeliveryProfile, MockNotificationStore, NotificationPreferences,
    };
    use crate::quiz::model::{Choice, RevealPolicy, ScoringPolicy};
    use crate::quiz::ports::MockQuizStore;
    use crate::quiz::view::{CorrectAnswer, StudentQuestionBody};
    use crate::user::Role;
    use chrono::{Duration, TimeZone};
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
    }

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new(),
            role,
        }
    }

    fn pts(v: f64) -> Points {
        Points::new(v).unwrap()
    }

    /// A course with a published quiz of three auto-graded questions
    /// (single choice 2 pts, true/false 1 pt, short text 1 pt) and people
    /// in every relation to it.
    struct World {
        course: Course,
        quiz: Quiz,
        questions: Vec<Question>,
        right: BTreeMap<QuestionId, Answer>,
        roles: Vec<(UserId, CourseRole)>,
        admin: Actor,
        owner: Actor,
        assistant: Actor,
        student: Actor,
        classmate: Actor,
        outsider: Actor,
        stranger_teacher: Actor,
    }

    impl World {
        fn new() -> Self {
            let (owner, assistant, student, classmate) = (
                actor(Role::Teacher),
                actor(Role::Assistant),
                actor(Role::Student),
                actor(Role::Student),
            );
            let course = Course {
                id: CourseId::new(),
                title: Title::parse("Алгебра").unwrap(),
                description: RichText::default(),
                owner_id: owner.user_id,
                status: CourseStatus::Published,
                invite_code: None,
                created_at: t0() - Duration::days(30),
            };
            let quiz = Quiz {
                id: QuizId::new(),
                course_id: course.id,
                title: Title::parse("Тест 1").unwrap(),
                description: RichText::from_plain_text("Введение"),
                settings: QuizSettings {
                    attempts_allowed: Some(2),
                    time_limit_minutes: Some(30),
                    ..QuizSettings::default()
                },
                published: true,
                created_at: t0() - Duration::days(1),
            };
            let (a, b) = (
                Choice {
                    id: OptionId::new(),
                    text: "Два".into(),
                },
                Choice {
                    id: OptionId::new(),
                    text: "Три".into(),
                },
            );
            let question = |position: u32, points: f64, body: QuestionBody| Question {
                id: QuestionId::new(),
                quiz_id: quiz.id,
                position,
                prompt: RichText::from_plain_text(&format!("Вопрос {position}")),
                points: pts(points),
                body,
                explanation: Some(RichText::from_plain_text("SECRET-EXPLANATION")),
            };
            let questions = vec![
                question(
                    0,
                    2.0,
                    QuestionBody::SingleChoice {
                        options: vec![a.clone(), b],
                        correct: a.id,
                    },
                ),
                question(1, 1.0, QuestionBody::TrueFalse { correct: false }),
                question(
                    2,
                    1.0,
                    QuestionBody::ShortText {
                        accepted: vec!["SECRET-ACCEPTED".into()],
                    },
                ),
            ];
            let right = BTreeMap::from([
                (questions[0].id, Answer::SingleChoice(a.id)),
                (questions[1].id, Answer::TrueFalse(false)),
                (
                    questions[2].id,
                    Answer::ShortText(" secret-accepted ".into()),
                ),
            ]);
            Self {
                roles: vec![
                    (owner.user_id, CourseRole::Owner),
                    (assistant.user_id, CourseRole::Assistant),
                    (student.user_id, CourseRole::Student),
                    (classmate.user_id, CourseRole::Student),
                ],
                course,
                quiz,
                questions,
                right,
                admin: actor(Role::Admin),
                owner,
                assistant,
                student,
                classmate,
                outsider: actor(Role::Student),
                stranger_teacher: actor(Role::Teacher),
            }
        }

        /// Adds an essay question worth 3 points.
        fn with_essay(mut self) -> Self {
            self.questions.push(Question {
                id: QuestionId::new(),
                quiz_id: self.quiz.id,
                position: 3,
                prompt: RichText::from_plain_text("Эссе"),
                points: pts(3.0),
                body: QuestionBody::Essay,
                explanation: None,
            });
            self
        }

        fn essay_id(&self) -> QuestionId {
            self.questions[3].id
        }

        fn attempt(&self, student: &Actor, state: AttemptState) -> Attempt {
            let finished = state != AttemptState::Open;
            Attempt {
                id: AttemptId::new(),
                quiz_id: self.quiz.id,
                student_id: student.user_id,
                number: 1,
                seed: 7,
                question_order: self.questions.iter().map(|q| q.id).collect(),
                started_at: t0() - Duration::minutes(10),
                deadline: Some(t0() + Duration::minutes(20)),
                state,
                answers: BTreeMap::new(),
                saved_at: None,
                finished_at: finished.then(t0),
                result: finished
                    .then(|| score_attempt(&self.questions, &BTreeMap::new(), &BTreeMap::new())),
                submit_key: None,
            }
        }

        fn courses(&self) -> MockCourseStore {
            let mut m = MockCourseStore::new();
            let course = self.course.clone();
            m.expect_get_course()
                .returning(move |id| Ok((id == course.id).then(|| course.clone())));
            let roles = self.roles.clone();
            m.expect_membership().returning(move |_, user| {
                Ok(roles.iter().find(|(u, _)| *u == user).map(|(_, r)| *r))
            });
            m
        }

        /// A quiz store that knows the quiz and its questions.
        fn quizzes(&self) -> MockQuizStore {
            let mut m = MockQuizStore::new();
            let quiz = self.quiz.clone();
            m.expect_get_quiz()
                .returning(move |id| Ok((id == quiz.id).then(|| quiz.clone())));
            let questions = self.questions.clone();
            m.expect_list_questions()
                .returning(move |_| Ok(questions.clone()));
            m
        }

        fn service(
            &self,
            quizzes: MockQuizStore,
            notifications: MockNotificationStore,
        ) -> QuizService {
            self.service_with(quizzes, notifications, no_course_data())
        }

        fn service_with(
            &self,
            quizzes: MockQuizStore,
            notifications: MockNotificationStore,
            dashboards: MockDashboardStore,
        ) -> QuizService {
            QuizService::new(
                Arc::new(quizzes),
                Arc::new(self.courses()),
                Arc::new(notifications),
                Arc::new(dashboards),
                Arc::new(ManualClock::new(t0())),
            )
        }

        /// The student's dashboard data with this quiz and, with
        /// `other_quiz_done`, a second quiz of the course, finished or not.
        fn course_data(
            &self,
            attempts: Vec<Attempt>,
            other_quiz_done: Option<bool>,
        ) -> StudentSnapshot {
            let mut quizzes = vec![self.quiz.clone()];
            let mut attempts = attempts;
            if let Some(done) = other_quiz_done {
                let other = Quiz {
                    id: QuizId::new(),
                    ..self.quiz.clone()
                };
                let mut a = self.attempt(
                    &self.student,
                    if done {
                        AttemptState::Submitted
                    } else {
                        AttemptState::Open
                    },
                );
                a.quiz_id = other.id;
                attempts.push(a);
                quizzes.push(other);
            }
            StudentSnapshot {
                courses: vec![StudentCourseData {
                    course: self.course.clone(),
                    lessons_visible: 1,
                    lessons_viewed: 1,
                    assignments: vec![],
                    extensions: vec![],
                    submissions: vec![],
                    quizzes,
                    attempts,
                }],
                webinars: vec![],
                achievements: vec![],
            }
        }
    }

    /// A dashboard store whose snapshot has no course (nothing to complete).
    fn no_course_data() -> MockDashboardStore {
        let mut m = MockDashboardStore::new();
        m.expect_student_snapshot().returning(|_, _| {
            Ok(StudentSnapshot {
                courses: vec![],
                webinars: vec![],
                achievements: vec![],
            })
        });
        m
    }

    /// A dashboard store answering the student's snapshot once per finish.
    fn snapshot_of(student: UserId, snapshot: StudentSnapshot) -> MockDashboardStore {
        let mut m = MockDashboardStore::new();
        m.expect_student_snapshot()
            .withf(move |s, now| *s == student && *now == t0())
            .returning(move |_, _| Ok(snapshot.clone()));
        m
    }

    /// A notification store that returns default profiles (e-mail only).
    fn profiles() -> MockNotificationStore {
        let mut m = MockNotificationStore::new();
        m.expect_delivery_profiles().returning(|users| {
            Ok(users
                .iter()
                .map(|u| DeliveryProfile {
                    user_id: *u,
                    active: true,
                    preferences: NotificationPreferences::defaults(*u),
                    telegram_linked: false,
                })
                .collect())
        });
        m
    }

    /// Applies a finish to an attempt, as storage would.
    fn apply(attempt: &Attempt, f: &FinishAttempt) -> Attempt {
        Attempt {
            state: f.state,
            finished_at: Some(f.finished_at),
            result: Some(f.result.clone()),
            submit_key: f.submit_key.clone(),
            ..attempt.clone()
        }
    }

    fn stored_attempt(m: &mut MockQuizStore, attempt: &Attempt) {
        let a = attempt.clone();
        m.expect_get_attempt()
            .returning(move |id| Ok((id == a.id).then(|| a.clone())));
    }

    /// Expects exactly one finish and records it.
    fn capture_finish(
        m: &mut MockQuizStore,
        attempt: &Attempt,
    ) -> Arc<Mutex<Option<FinishAttempt>>> {
        let seen = Arc::new(Mutex::new(None));
        let (s, a) = (seen.clone(), attempt.clone());
        m.expect_finish_attempt().times(1).returning(move |f| {
            *s.lock().unwrap() = Some(f.clone());
            Ok(apply(&a, f))
        });
        seen
    }

    fn input() -> QuizInput {
        QuizInput {
            title: Title::parse("Контрольная").unwrap(),
            description: RichText::from_plain_text("Описание"),
            settings: QuizSettings::default(),
        }
    }

    fn essay_input() -> QuestionInput {
        QuestionInput {
            prompt: RichText::from_plain_text("Опишите"),
            points: pts(5.0),
            body: QuestionBody::Essay,
            explanation: None,
        }
    }

    // ----- authoring ---------------------------------------------------------

    #[tokio::test]
    async fn quizzes_are_created_by_the_owner_and_admins_only() {
        let w = World::new();
        let cases = [
            (&w.owner, None),
            (&w.admin, None),
            (&w.assistant, Some("forbidden")),
            (&w.student, Some("forbidden")),
            (&w.outsider, Some("course_not_found")),
            (&w.stranger_teacher, Some("course_not_found")),
        ];
        for (who, expected) in cases {
            let mut q = MockQuizStore::new();
            if expected.is_none() {
                let course_id = w.course.id;
                q.expect_insert_quiz()
                    .withf(move |quiz| {
                        quiz.course_id == course_id
                            && !quiz.published
                            && quiz.title.as_str() == "Контрольная"
                            && quiz.created_at == t0()
                    })
                    .times(1)
                    .returning(|_| Ok(()));
            }
            let got = w
                .service(q, MockNotificationStore::new())
                .create_quiz(who, w.course.id, input())
                .await;
            match expected {
                None => {
                    let quiz = got.unwrap();
                    assert_eq!(quiz.course_id, w.course.id);
                    assert!(!quiz.published);
                    assert_eq!(quiz.settings, QuizSettings::default());
                }
                Some(code) => assert_eq!(got.unwrap_err().code(), code, "{who:?}"),
            }
        }
    }

    #[tokio::test]
    async fn inconsistent_settings_are_rejected_before_storing() {
        let w = World::new();
        let mut bad = input();
        bad.settings.opens_at = Some(t0());
        bad.settings.closes_at = Some(t0() - Duration::hours(1));
        let err = w
            .service(MockQuizStore::new(), MockNotificationStore::new())
            .create_quiz(&w.owner, w.course.id, bad)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            ManageQuizError::InvalidSettings(SettingsError::Window)
        ));
        assert_eq!(err.class(), ErrorClass::Invalid);
        assert!(err.to_string().starts_with("settings:"));
    }

    #[tokio::test]
    async fn the_owner_updates_and_publishes_a_quiz() {
        let mut w = World::new();
        w.quiz.published = false;
        let mut q = w.quizzes();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        q.expect_update_quiz().times(2).returning(move |quiz| {
            s.lock().unwrap().push(quiz.clone());
            Ok(())
        });
        let svc = w.service(q, MockNotificationStore::new());
        let mut changed = input();
        changed.settings.reveal = RevealPolicy::Never;
        let updated = svc.update_quiz(&w.owner, w.quiz.id, changed).await.unwrap();
        assert_eq!(updated.title.as_str(), "Контрольная");
        assert_eq!(updated.created_at, w.quiz.created_at);
        assert!(!updated.published);
        let published = svc.set_published(&w.owner, w.quiz.id, true).await.unwrap();
        assert!(published.published);
        let stored = seen.lock().unwrap().clone();
        assert_eq!(stored[0].settings.reveal, RevealPolicy::Never);
        assert_eq!(stored[1].id, w.quiz.id);
        assert!(stored[1].published);
    }

    #[tokio::test]
    async fn students_cannot_manage_and_cannot_see_drafts() {
        let mut w = World::new();
        w.quiz.published = false;
        let svc = w.service(w.quizzes(), MockNotificationStore::new());
        let err = svc
            .set_published(&w.student, w.quiz.id, true)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ManageQuizError::NotFound),
            "draft is invisible"
        );
        let err = svc
            .set_published(&w.assistant, w.quiz.id, true)
            .await
            .unwrap_err();
        assert!(matches!(err, ManageQuizError::Forbidden));

        let w = World::new();
        let svc = w.service(w.quizzes(), MockNotificationStore::new());
        let err = svc
            .update_quiz(&w.student, w.quiz.id, input())
            .await
            .unwrap_err();
        assert!(
            matches!(err, ManageQuizError::Forbidden),
            "published: visible"
        );
        let err = svc
            .update_quiz(&w.stranger_teacher, w.quiz.id, input())
            .await
            .unwrap_err();
        assert!(matches!(err, ManageQuizError::NotFound));
        let err = svc
            .update_quiz(&w.owner, QuizId::new(), input())
            .await
            .unwrap_err();
        assert!(matches!(err, ManageQuizError::NotFound));
    }

    #[tokio::test]
    async fn questions_are_validated_and_appended() {
        let w = World::new();
        let mut q = w.quizzes();
        let quiz_id = w.quiz.id;
        q.expect_insert_question()
            .withf(move |question| {
                question.quiz_id == quiz_id
                    && question.body == QuestionBody::Essay
                    && question.points == pts(5.0)
            })
            .times(1)
            .returning(|question| {
                Ok(Question {
                    position: 3,
                    ..question.clone()
                })
            });
        let svc = w.service(q, MockNotificationStore::new());
        let added = svc
            .add_question(&w.owner, w.quiz.id, essay_input())
            .await
            .unwrap();
        assert_eq!(added.position, 3, "the stored question is returned");

        let blank = QuestionInput {
            prompt: RichText::sanitize("<p>  </p>"),
            ..essay_input()
        };
        let err = svc
            .add_question(&w.owner, w.quiz.id, blank)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            ManageQuestionError::Invalid(QuestionError::Prompt)
        ));
        let wrong = QuestionInput {
            body: QuestionBody::SingleChoice {
                options: vec![
                    Choice {
                        id: OptionId::new(),
                        text: "a".into(),
                    },
                    Choice {
                        id: OptionId::new(),
                        text: "b".into(),
                    },
                ],
                correct: OptionId::new(),
            },
            ..essay_input()
        };
        let err = svc
            .add_question(&w.owner, w.quiz.id, wrong)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            ManageQuestionError::Invalid(QuestionError::Correct)
        ));
        assert_eq!(err.code(), "invalid_question");
        let err = svc
            .add_question(&w.assistant, w.quiz.id, essay_input())
            .await
            .unwrap_err();
        assert!(matches!(err, ManageQuestionError::Forbidden));
        let err = svc
            .add_question(&w.outsider, w.quiz.id, essay_input())
            .await
            .unwrap_err();
        assert!(matches!(err, ManageQuestionError::QuizNotFound));
    }

    #[tokio::test]
    async fn questions_are_updated_deleted_and_reordered_within_their_quiz() {
        let w = World::new();
        let mut q = w.quizzes();
        let target = w.questions[1].clone();
        q.expect_update_question()
            .withf(move |question| {
                question.id == target.id
                    && question.position == target.position
                    && question.quiz_id == target.quiz_id
                    && question.body == QuestionBody::Essay
            })
            .times(1)
            .returning(|_| Ok(()));
        let gone = w.questions[2].id;
        q.expect_delete_question()
            .withf(move |id| *id == gone)
            .times(1)
            .returning(|_| Ok(true));
        let svc = w.service(q, MockNotificationStore::new());
        let updated = svc
            .update_question(&w.owner, w.quiz.id, w.questions[1].id, essay_input())
            .await
            .unwrap();
        assert_eq!(
            (updated.id, updated.position, updated.points),
            (w.questions[1].id, 1, pts(5.0))
        );
        let err = svc
            .update_question(&w.owner, w.quiz.id, QuestionId::new(), essay_input())
            .await
            .unwrap_err();
        assert!(matches!(err, ManageQuestionError::QuestionNotFound));
        svc.delete_question(&w.owner, w.quiz.id, gone)
            .await
            .unwrap();
        let err = svc
            .delete_question(&w.owner, w.quiz.id, QuestionId::new())
            .await
            .unwrap_err();
        assert!(matches!(err, ManageQuestionError::QuestionNotFound));
        let err = svc
            .delete_question(&w.student, w.quiz.id, gone)
            .await
            .unwrap_err();
        assert!(matches!(err, ManageQuestionError::Forbidden));
    }

    #[tokio::test]
    async fn reordering_needs_every_question_once_and_reports_stale_sets() {
        let w = World::new();
        let ids: Vec<QuestionId> = w.questions.iter().map(|q| q.id).collect();
        let reversed: Vec<QuestionId> = ids.iter().rev().copied().collect();
        let mut q = w.quizzes();
        let expected = reversed.clone();
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        q.expect_reorder_questions()
            .withf(move |_, order| order == expected.as_slice())
            .times(2)
            .returning(move |_, _| {
                if c.fetch_add(1, Ordering::SeqCst) == 0 {
                    Ok(())
                } else {
                    Err(StorageError::Conflict(Conflict::Stale))
                }
            });
        let svc = w.service(q, MockNotificationStore::new());
        svc.reorder_questions(&w.owner, w.quiz.id, &reversed)
            .await
            .unwrap();
        let err = svc
            .reorder_questions(&w.owner, w.quiz.id, &reversed)
            .await
            .unwrap_err();
        assert!(matches!(err, ManageQuestionError::Stale));
        assert_eq!(err.class(), ErrorClass::Conflict);
        for bad in [
            ids[..2].to_vec(),
            vec![ids[0], ids[0], ids[1]],
            vec![ids[0], ids[1], ids[2], QuestionId::new()],
        ] {
            let err = svc
                .reorder_questions(&w.owner, w.quiz.id, &bad)
                .await
                .unwrap_err();
            assert!(matches!(err, ManageQuestionError::InvalidOrder), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn questions_with_answers_are_listed_for_staff_only() {
        let w = World::new();
        let svc = w.service(w.quizzes(), MockNotificationStore::new());
        for staff in [&w.owner, &w.assistant, &w.admin] {
            let listed = svc.list_questions(staff, w.quiz.id).await.unwrap();
            assert_eq!(listed, w.questions);
        }
        let err = svc.list_questions(&w.student, w.quiz.id).await.unwrap_err();
        assert!(matches!(err, ViewQuizError::Forbidden));
        for nobody in [&w.outsider, &w.stranger_teacher] {
            let err = svc.list_questions(nobody, w.quiz.id).await.unwrap_err();
            assert!(matches!(err, ViewQuizError::NotFound));
        }
    }

    // ----- reading -----------------------------------------------------------

    fn finished_with_score(w: &World, number: u32, score: f64) -> Attempt {
        let mut a = w.attempt(&w.student, AttemptState::Submitted);
        a.number = number;
        a.result = Some(AttemptResult {
            per_question: BTreeMap::new(),
            score: pts(score),
            max_score: pts(4.0),
            pending_manual: false,
        });
        a
    }

    #[tokio::test]
    async fn a_student_overview_shows_attempts_score_and_whether_to_start() {
        let mut w = World::new();
        w.quiz.settings.attempts_allowed = Some(3);
        w.quiz.settings.scoring = ScoringPolicy::Last;
        let history = vec![
            finished_with_score(&w, 1, 3.0),
            finished_with_score(&w, 2, 1.0),
        ];
        let mut q = w.quizzes();
        let h = history.clone();
        let student = w.student.user_id;
        q.expect_list_attempts()
            .withf(move |_, s| *s == student)
            .returning(move |_, _| Ok(h.clone()));
        let svc = w.service(q, MockNotificationStore::new());
        let o = svc.get_quiz(&w.student, w.quiz.id).await.unwrap();
        assert_eq!(o.question_count, 3);
        assert_eq!(o.max_score, pts(4.0));
        assert_eq!(o.attempts.len(), 2);
        assert_eq!(o.attempts_left, Some(1));
        assert_eq!(o.quiz_score, Some(pts(1.0)), "last attempt counts");
        assert_eq!(o.open_attempt, None);
        assert!(o.can_start_now);

        // An attempt in progress: resume instead of starting.
        let mut open = w.attempt(&w.student, AttemptState::Open);
        open.number = 3;
        let mut with_open = history.clone();
        with_open.push(open.clone());
        let mut q = w.quizzes();
        q.expect_list_attempts()
            .returning(move |_, _| Ok(with_open.clone()));
        let o = w
            .service(q, MockNotificationStore::new())
            .get_quiz(&w.student, w.quiz.id)
            .await
            .unwrap();
        assert_eq!(o.open_attempt, Some(open.id));
        assert_eq!(o.attempts_left, Some(0));
        assert_eq!(o.attempts.len(), 2, "only finished attempts are listed");
        assert!(!o.can_start_now);
    }

    #[tokio::test]
    async fn overviews_for_staff_and_closed_quizzes_cannot_start() {
        let mut w = World::new();
        w.quiz.settings.closes_at = Some(t0());
        let mut q = w.quizzes();
        let student = w.student.user_id;
        q.expect_list_attempts()
            .withf(move |_, s| *s == student)
            .returning(|_, _| Ok(vec![]));
        let svc = w.service(q, MockNotificationStore::new());
        let o = svc.get_quiz(&w.student, w.quiz.id).await.unwrap();
        assert!(!o.can_start_now, "closed");
        assert_eq!(o.attempts_left, Some(2));
        // Staff take no attempts: none are looked up for them (the mock
        // answers for the student only).
        let o = svc.get_quiz(&w.owner, w.quiz.id).await.unwrap();
        assert!(o.attempts.is_empty() && !o.can_start_now && o.quiz_score.is_none());
    }

    #[tokio::test]
    async fn archived_courses_keep_past_attempts_but_take_no_new_ones() {
        let mut w = World::new();
        w.course.status = CourseStatus::Archived;
        let past = vec![finished_with_score(&w, 1, 3.0)];
        let mut q = w.quizzes();
        q.expect_list_attempts()
            .returning(move |_, _| Ok(past.clone()));
        let o = w
            .service(q, MockNotificationStore::new())
            .get_quiz(&w.student, w.quiz.id)
            .await
            .unwrap();
        assert_eq!(o.attempts.len(), 1);
        assert_eq!(o.quiz_score, Some(pts(3.0)));
        assert!(!o.can_start_now);
    }

    #[tokio::test]
    async fn students_list_only_published_quizzes_of_visible_courses() {
        let mut w = World::new();
        let mut draft = w.quiz.clone();
        draft.id = QuizId::new();
        draft.published = false;
        let all = vec![w.quiz.clone(), draft.clone()];
        let mut q = w.quizzes();
        q.expect_list_quizzes().returning(move |_| Ok(all.clone()));
        q.expect_list_attempts().returning(|_, _| Ok(vec![]));
        let svc = w.service(q, MockNotificationStore::new());
        let student_view: Vec<QuizId> = svc
            .list_quizzes(&w.student, w.course.id)
            .await
            .unwrap()
            .iter()
            .map(|o| o.quiz.id)
            .collect();
        assert_eq!(student_view, vec![w.quiz.id]);
        let staff_view: Vec<QuizId> = svc
            .list_quizzes(&w.assistant, w.course.id)
            .await
            .unwrap()
            .iter()
            .map(|o| o.quiz.id)
            .collect();
        assert_eq!(staff_view, vec![w.quiz.id, draft.id]);
        let err = svc
            .list_quizzes(&w.outsider, w.course.id)
            .await
            .unwrap_err();
        assert!(matches!(err, ViewQuizError::CourseNotFound));

        w.course.status = CourseStatus::Draft;
        let svc = w.service(w.quizzes(), MockNotificationStore::new());
        let err = svc.list_quizzes(&w.student, w.course.id).await.unwrap_err();
        assert!(matches!(err, ViewQuizError::CourseNotFound));
        let err = svc.get_quiz(&w.student, w.quiz.id).await.unwrap_err();
        assert!(matches!(err, ViewQuizError::NotFound));
    }

    // ----- starting ----------------------------------------------------------

    #[tokio::test]
    async fn starting_stores_an_attempt_with_order_deadline_and_limit() {
        let w = World::new();
        let mut q = w.quizzes();
        let seen = Arc::new(Mutex::new(None));
        let s = seen.clone();
        q.expect_start_attempt()
            .times(1)
            .returning(move |attempt, limit| {
                *s.lock().unwrap() = Some((attempt.clone(), limit));
                Ok(Attempt {
                    number: 1,
                    ..attempt.clone()
                })
            });
        let view = w
            .service(q, MockNotificationStore::new())
            .start_attempt(&w.student, w.quiz.id)
            .await
            .unwrap();
        let (stored, limit) = seen.lock().unwrap().clone().unwrap();
        assert_eq!(limit, Some(2));
        assert_eq!(stored.student_id, w.student.user_id);
        assert_eq!(stored.quiz_id, w.quiz.id);
        assert_eq!(stored.state, AttemptState::Open);
        assert_eq!(stored.started_at, t0());
        assert_eq!(stored.deadline, Some(t0() + Duration::minutes(30)));
        let by_position: Vec<_> = w.questions.iter().map(|q| q.id).collect();
        assert_eq!(stored.question_order, by_position);
        assert_eq!(view.attempt_id, stored.id);
        assert_eq!(view.number, 1);
        assert_eq!(view.deadline, stored.deadline);
        assert_eq!(
            view.questions
                .iter()
                .map(StudentQuestion::id)
                .collect::<Vec<_>>(),
            by_position
        );
        assert!(matches!(
            view.questions[0].body(),
            StudentQuestionBody::SingleChoice { .. }
        ));
        let json = serde_json::to_string(&view).unwrap();
        for secret in ["SECRET", "correct", "accepted", "explanation"] {
            assert!(!json.contains(secret), "{secret} leaked: {json}");
        }
    }

    #[tokio::test]
    async fn shuffled_quizzes_start_in_the_seeded_order() {
        let mut w = World::new();
        w.quiz.settings.shuffle_questions = true;
        let mut q = w.quizzes();
        let questions = w.questions.clone();
        q.expect_start_attempt()
            .withf(move |a, _| a.question_order == question_order(&questions, a.seed, true))
            .times(1)
            .returning(|a, _| Ok(a.clone()));
        let view = w
            .service(q, MockNotificationStore::new())
            .start_attempt(&w.student, w.quiz.id)
            .await
            .unwrap();
        assert_eq!(view.questions.len(), 3);
    }

    #[tokio::test]
    async fn only_enrolled_students_start_open_quizzes() {
        let w = World::new();
        let svc = w.service(w.quizzes(), MockNotificationStore::new());
        for staff in [&w.owner, &w.assistant, &w.admin] {
            let err = svc.start_attempt(staff, w.quiz.id).await.unwrap_err();
            assert!(matches!(err, StartAttemptError::Forbidden), "{staff:?}");
        }
        for nobody in [&w.outsider, &w.stranger_teacher] {
            let err = svc.start_attempt(nobody, w.quiz.id).await.unwrap_err();
            assert!(matches!(err, StartAttemptError::NotFound));
        }

        let mut archived = World::new();
        archived.course.status = CourseStatus::Archived;
        let err = archived
            .service(archived.quizzes(), MockNotificationStore::new())
            .start_attempt(&archived.student, archived.quiz.id)
            .await
            .unwrap_err();
        assert!(matches!(err, StartAttemptError::Forbidden));

        let mut hidden = World::new();
        hidden.quiz.published = false;
        let err = hidden
            .service(hidden.quizzes(), MockNotificationStore::new())
            .start_attempt(&hidden.student, hidden.quiz.id)
            .await
            .unwrap_err();
        assert!(matches!(err, StartAttemptError::NotFound));

        for (opens, closes) in [
            (Some(t0() + Duration::minutes(1)), None),
            (None, Some(t0())),
        ] {
            let mut w = World::new();
            w.quiz.settings.opens_at = opens;
            w.quiz.settings.closes_at = closes;
            let err = w
                .service(w.quizzes(), MockNotificationStore::new())
                .start_attempt(&w.student, w.quiz.id)
                .await
                .unwrap_err();
            assert!(matches!(err, StartAttemptError::NotOpen));
            assert_eq!(err.code(), "quiz_not_open");
        }

        let mut empty = World::new();
        empty.questions.clear();
        let err = empty
            .service(empty.quizzes(), MockNotificationStore::new())
            .start_attempt(&empty.student, empty.quiz.id)
            .await
            .unwrap_err();
        assert!(matches!(err, StartAttemptError::NoQuestions));
    }

    #[tokio::test]
    async fn used_up_attempts_and_open_attempts_are_reported() {
        let w = World::new();
        let mut q = w.quizzes();
        q.expect_start_attempt()
            .returning(|_, _| Err(StorageError::Conflict(Conflict::AttemptLimit)));
        let err = w
            .service(q, MockNotificationStore::new())
            .start_attempt(&w.student, w.quiz.id)
            .await
            .unwrap_err();
        assert!(matches!(err, StartAttemptError::AttemptLimit));
        assert_eq!(err.code(), "attempt_limit_reached");

        let open = w.attempt(&w.student, AttemptState::Open);
        let mut q = w.quizzes();
        q.expect_start_attempt()
            .times(1)
            .returning(|_, _| Err(StorageError::Conflict(Conflict::OpenAttempt)));
        let listed = vec![finished_with_score(&w, 1, 1.0), open.clone()];
        q.expect_list_attempts()
            .returning(move |_, _| Ok(listed.clone()));
        let err = w
            .service(q, MockNotificationStore::new())
            .start_attempt(&w.student, w.quiz.id)
            .await
            .unwrap_err();
        assert!(matches!(err, StartAttemptError::OpenAttempt(id) if id == open.id));
        assert_eq!(err.code(), "resume_open_attempt");
        assert_eq!(err.class(), ErrorClass::Conflict);
    }

    #[tokio::test]
    async fn an_overdue_open_attempt_is_finished_before_a_new_start() {
        let w = World::new();
        let mut overdue = w.attempt(&w.student, AttemptState::Open);
        overdue.deadline = Some(t0() - Duration::minutes(1));
        overdue.answers = w.right.clone();
        let mut q = w.quizzes();
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        q.expect_start_attempt().times(2).returning(move |a, _| {
            if c.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(StorageError::Conflict(Conflict::OpenAttempt))
            } else {
                Ok(Attempt {
                    number: 2,
                    ..a.clone()
                })
            }
        });
        let o = overdue.clone();
        q.expect_list_attempts()
            .returning(move |_, _| Ok(vec![o.clone()]));
        let finish = capture_finish(&mut q, &overdue);
        let view = w
            .service(q, profiles())
            .start_attempt(&w.student, w.quiz.id)
            .await
            .unwrap();
        assert_eq!(view.number, 2);
        let f = finish.lock().unwrap().clone().unwrap();
        assert_eq!(f.attempt_id, overdue.id);
        assert_eq!(f.state, AttemptState::AutoSubmitted);
        assert_eq!(
            f.finished_at,
            t0() - Duration::minutes(1),
            "at its deadline"
        );
        assert_eq!(f.result.score, pts(4.0), "saved answers are graded");
    }

    // ----- working on an attempt -------------------------------------------------

    #[tokio::test]
    async fn attempts_are_visible_to_their_student_only() {
        let w = World::new();
        let mut attempt = w.attempt(&w.student, AttemptState::Open);
        attempt
            .answers
            .insert(w.questions[1].id, Answer::TrueFalse(true));
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let svc = w.service(q, MockNotificationStore::new());
        let view = svc.get_attempt(&w.student, attempt.id).await.unwrap();
        assert_eq!(view.state, AttemptState::Open);
        assert_eq!(view.answers, attempt.answers);
        assert_eq!(view.server_time, t0());
        assert_eq!(view.questions.len(), 3);
        for other in [&w.classmate, &w.owner, &w.admin, &w.outsider] {
            let err = svc.get_attempt(other, attempt.id).await.unwrap_err();
            assert!(matches!(err, AttemptAccessError::NotFound), "{other:?}");
        }
        let err = svc
            .get_attempt(&w.student, AttemptId::new())
            .await
            .unwrap_err();
        assert!(matches!(err, AttemptAccessError::NotFound));
    }

    #[tokio::test]
    async fn reading_an_overdue_attempt_finishes_it() {
        let w = World::new();
        let mut attempt = w.attempt(&w.student, AttemptState::Open);
        attempt.deadline = Some(t0());
        attempt
            .answers
            .insert(w.questions[0].id, w.right[&w.questions[0].id].clone());
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let finish = capture_finish(&mut q, &attempt);
        let view = w
            .service(q, MockNotificationStore::new())
            .get_attempt(&w.student, attempt.id)
            .await
            .unwrap();
        assert_eq!(view.state, AttemptState::AutoSubmitted);
        assert_eq!(view.result.as_ref().unwrap().score, pts(2.0));
        let f = finish.lock().unwrap().clone().unwrap();
        assert_eq!(f.state, AttemptState::AutoSubmitted);
        assert!(f.awards.is_empty() && f.outbox.is_empty());
    }

    #[tokio::test]
    async fn answers_are_saved_when_they_fit_the_attempt() {
        let w = World::new();
        let attempt = w.attempt(&w.student, AttemptState::Open);
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let answers = BTreeMap::from([
            (w.questions[1].id, Answer::TrueFalse(true)),
            (w.questions[2].id, Answer::ShortText("Москва".into())),
        ]);
        let (expected, a, stored) = (answers.clone(), attempt.clone(), attempt.clone());
        q.expect_save_answers()
            .withf(move |id, given, at| *id == a.id && *given == expected && *at == t0())
            .times(1)
            .returning(move |_, given, at| {
                Ok(Attempt {
                    answers: given.clone(),
                    saved_at: Some(at),
                    ..stored.clone()
                })
            });
        let view = w
            .service(q, MockNotificationStore::new())
            .save_answers(&w.student, attempt.id, answers.clone())
            .await
            .unwrap();
        assert_eq!(view.answers, answers);
        assert_eq!(view.saved_at, Some(t0()));
    }

    #[tokio::test]
    async fn answers_that_do_not_fit_name_their_question_and_save_nothing() {
        let w = World::new();
        let attempt = w.attempt(&w.student, AttemptState::Open);
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        // No save_answers expectation: any call would fail the test.
        let svc = w.service(q, MockNotificationStore::new());
        let stranger = QuestionId::new();
        let err = svc
            .save_answers(
                &w.student,
                attempt.id,
                BTreeMap::from([
                    (w.questions[1].id, Answer::TrueFalse(true)),
                    (stranger, Answer::TrueFalse(true)),
                ]),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, SaveAnswersError::InvalidAnswer { question, .. } if *question == stranger)
        );
        assert!(err.to_string().contains(&stranger.to_string()));
        assert_eq!(err.class(), ErrorClass::Invalid);
        let wrong_kind = w.questions[0].id;
        let err = svc
            .save_answers(
                &w.student,
                attempt.id,
                BTreeMap::from([(wrong_kind, Answer::TrueFalse(true))]),
            )
            .await
            .unwrap_err();
        match err {
            SaveAnswersError::InvalidAnswer { question, reason } => {
                assert_eq!(question, wrong_kind);
                assert!(reason.contains("single_choice"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let err = svc
            .save_answers(
                &w.student,
                attempt.id,
                BTreeMap::from([(wrong_kind, Answer::SingleChoice(OptionId::new()))]),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, SaveAnswersError::InvalidAnswer { .. }));
        let err = svc
            .save_answers(&w.classmate, attempt.id, BTreeMap::new())
            .await
            .unwrap_err();
        assert!(matches!(err, SaveAnswersError::NotFound));
    }

    #[tokio::test]
    async fn closed_attempts_take_no_answers() {
        let w = World::new();
        let answers = BTreeMap::from([(w.questions[1].id, Answer::TrueFalse(true))]);

        let done = w.attempt(&w.student, AttemptState::Submitted);
        let mut q = w.quizzes();
        stored_attempt(&mut q, &done);
        let err = w
            .service(q, MockNotificationStore::new())
            .save_answers(&w.student, done.id, answers.clone())
            .await
            .unwrap_err();
        assert!(matches!(err, SaveAnswersError::Closed));

        // Past the deadline: finished with what was saved before, then refused.
        let mut late = w.attempt(&w.student, AttemptState::Open);
        late.deadline = Some(t0() - Duration::seconds(1));
        let mut q = w.quizzes();
        stored_attempt(&mut q, &late);
        let finish = capture_finish(&mut q, &late);
        let err = w
            .service(q, MockNotificationStore::new())
            .save_answers(&w.student, late.id, answers.clone())
            .await
            .unwrap_err();
        assert!(matches!(err, SaveAnswersError::Closed));
        let f = finish.lock().unwrap().clone().unwrap();
        assert_eq!(f.state, AttemptState::AutoSubmitted);
        assert_eq!(
            f.result.score,
            Points::ZERO,
            "the refused answer is not graded"
        );

        // Finished by the sweep between our read and our write.
        let open = w.attempt(&w.student, AttemptState::Open);
        let mut q = w.quizzes();
        stored_attempt(&mut q, &open);
        q.expect_save_answers()
            .returning(|_, _, _| Err(StorageError::Conflict(Conflict::AttemptClosed)));
        let err = w
            .service(q, MockNotificationStore::new())
            .save_answers(&w.student, open.id, answers)
            .await
            .unwrap_err();
        assert!(matches!(err, SaveAnswersError::Closed));
        assert_eq!(err.code(), "attempt_closed");
    }

    // ----- submitting ----------------------------------------------------------

    #[tokio::test]
    async fn a_perfect_submit_awards_the_badge_and_notifies_in_the_same_write() {
        let w = World::new();
        let mut attempt = w.attempt(&w.student, AttemptState::Open);
        attempt.answers = w.right.clone();
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let finish = capture_finish(&mut q, &attempt);
        let mut earlier = finished_with_score(&w, 1, 1.0);
        earlier.id = AttemptId::new();
        let mut now_finished = attempt.clone();
        now_finished.number = 2;
        now_finished.state = AttemptState::Submitted;
        now_finished.result = Some(score_attempt(&w.questions, &w.right, &BTreeMap::new()));
        let history = vec![earlier, now_finished];
        q.expect_list_attempts()
            .returning(move |_, _| Ok(history.clone()));
        let outcome = w
            .service(q, profiles())
            .submit(&w.student, attempt.id, Some("key-1".into()))
            .await
            .unwrap();
        let f = finish.lock().unwrap().clone().unwrap();
        assert_eq!(f.attempt_id, attempt.id);
        assert_eq!(f.state, AttemptState::Submitted);
        assert_eq!(f.finished_at, t0());
        assert_eq!(f.submit_key.as_deref(), Some("key-1"));
        assert_eq!((f.result.score, f.result.max_score), (pts(4.0), pts(4.0)));
        assert_eq!(f.awards.len(), 1);
        assert_eq!(f.awards[0].badge, Badge::PerfectQuiz);
        assert_eq!(f.awards[0].user_id, w.student.user_id);
        assert_eq!(f.outbox.len(), 1, "e-mail only: no Telegram linked");
        let entry = &f.outbox[0];
        assert_eq!(entry.recipient_id, w.student.user_id);
        assert_eq!(entry.channel, Channel::Email);
        assert!(
            entry
                .dedup_key
                .0
                .contains(&format!("badge:{}:perfect_quiz", w.student.user_id))
        );
        assert_eq!(
            entry.notification,
            Notification::AchievementAwarded {
                badge: Badge::PerfectQuiz,
                course_id: Some(w.course.id),
                quiz_id: Some(w.quiz.id),
            }
        );
        assert!(outcome.perfect);
        assert_eq!(outcome.attempt.state, AttemptState::Submitted);
        assert_eq!(outcome.attempt.result.as_ref().unwrap().score, pts(4.0));
        assert_eq!(outcome.quiz_score, Some(pts(4.0)), "best of 1 and 4");
        assert_eq!(outcome.attempts_left, Some(0));
    }

    #[tokio::test]
    async fn a_partial_submit_awards_nothing() {
        let w = World::new();
        let mut attempt = w.attempt(&w.student, AttemptState::Open);
        attempt.answers = BTreeMap::from([(w.questions[1].id, Answer::TrueFalse(false))]);
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let finish = capture_finish(&mut q, &attempt);
        q.expect_list_attempts().returning(|_, _| Ok(vec![]));
        // No delivery profiles are looked up: the notification store has no expectations.
        let outcome = w
            .service(q, MockNotificationStore::new())
            .submit(&w.student, attempt.id, None)
            .await
            .unwrap();
        let f = finish.lock().unwrap().clone().unwrap();
        assert_eq!(f.result.score, pts(1.0));
        assert!(f.awards.is_empty() && f.outbox.is_empty());
        assert!(!outcome.perfect);
        assert_eq!(outcome.attempt.result.unwrap().score, pts(1.0));
    }

    #[tokio::test]
    async fn a_retried_submit_returns_the_stored_result() {
        let w = World::new();
        let mut done = w.attempt(&w.student, AttemptState::Submitted);
        done.submit_key = Some("key-1".into());
        done.result = Some(score_attempt(
            &w.questions,
            &BTreeMap::from([(w.questions[0].id, w.right[&w.questions[0].id].clone())]),
            &BTreeMap::new(),
        ));
        let mut q = w.quizzes();
        stored_attempt(&mut q, &done);
        let d = done.clone();
        q.expect_list_attempts()
            .returning(move |_, _| Ok(vec![d.clone()]));
        // No finish_attempt expectation: a replay must not write.
        let svc = w.service(q, MockNotificationStore::new());
        let outcome = svc
            .submit(&w.student, done.id, Some(" key-1 ".into()))
            .await
            .unwrap();
        assert_eq!(outcome.attempt.id, done.id);
        assert_eq!(outcome.attempt.result.unwrap().score, pts(2.0));
        assert_eq!(outcome.quiz_score, Some(pts(2.0)));
        assert_eq!(outcome.attempts_left, Some(1));
        for other in [Some("key-2".to_owned()), None, Some("  ".to_owned())] {
            let err = svc.submit(&w.student, done.id, other).await.unwrap_err();
            assert!(matches!(err, SubmitError::AlreadyFinished));
            assert_eq!(err.code(), "attempt_already_finished");
        }
        let err = svc
            .submit(&w.classmate, done.id, Some("key-1".into()))
            .await
            .unwrap_err();
        assert!(
            matches!(err, SubmitError::NotFound),
            "only the owner replays"
        );
        let err = svc
            .submit(&w.student, done.id, Some("k".repeat(201)))
            .await
            .unwrap_err();
        assert!(matches!(err, SubmitError::InvalidKey));
    }

    #[tokio::test]
    async fn a_submit_racing_another_finish_is_resolved_by_the_key() {
        let w = World::new();
        let open = w.attempt(&w.student, AttemptState::Open);
        let mut finished = open.clone();
        finished.state = AttemptState::Submitted;
        finished.submit_key = Some("key-1".into());
        finished.result = Some(score_attempt(
            &w.questions,
            &BTreeMap::new(),
            &BTreeMap::new(),
        ));
        for (key, same) in [("key-1", true), ("key-2", false)] {
            let mut q = w.quizzes();
            let reads = Arc::new(AtomicUsize::new(0));
            let (r, o, f) = (reads.clone(), open.clone(), finished.clone());
            q.expect_get_attempt().times(2).returning(move |_| {
                Ok(Some(if r.fetch_add(1, Ordering::SeqCst) == 0 {
                    o.clone()
                } else {
                    f.clone()
                }))
            });
            q.expect_finish_attempt()
                .times(1)
                .returning(|_| Err(StorageError::Conflict(Conflict::AttemptClosed)));
            let h = finished.clone();
            q.expect_list_attempts()
                .returning(move |_, _| Ok(vec![h.clone()]));
            let got = w
                .service(q, MockNotificationStore::new())
                .submit(&w.student, open.id, Some(key.into()))
                .await;
            if same {
                assert_eq!(got.unwrap().attempt.state, AttemptState::Submitted);
            } else {
                assert!(matches!(got.unwrap_err(), SubmitError::AlreadyFinished));
            }
        }
    }

    #[tokio::test]
    async fn answers_saved_while_submitting_are_scored_on_a_retry() {
        let w = World::new();
        let read = w.attempt(&w.student, AttemptState::Open);
        let mut saved = read.clone();
        saved.answers = w.right.clone();
        saved.saved_at = Some(t0() - Duration::seconds(1));
        let mut q = w.quizzes();
        let reads = Arc::new(AtomicUsize::new(0));
        let (r, first, later) = (reads.clone(), read.clone(), saved.clone());
        q.expect_get_attempt().returning(move |_| {
            Ok(Some(if r.fetch_add(1, Ordering::SeqCst) == 0 {
                first.clone()
            } else {
                later.clone()
            }))
        });
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (s, current) = (seen.clone(), saved.clone());
        q.expect_finish_attempt().times(2).returning(move |f| {
            s.lock().unwrap().push(f.clone());
            // As storage does: finish only what was scored from the latest save.
            if f.expected_saved_at == current.saved_at {
                Ok(apply(&current, f))
            } else {
                Err(StorageError::Conflict(Conflict::Stale))
            }
        });
        let done = apply(
            &saved,
            &FinishAttempt {
                attempt_id: saved.id,
                state: AttemptState::Submitted,
                finished_at: t0(),
                result: score_attempt(&w.questions, &w.right, &BTreeMap::new()),
                expected_saved_at: saved.saved_at,
                submit_key: None,
                outbox: vec![],
                awards: vec![],
            },
        );
        q.expect_list_attempts()
            .returning(move |_, _| Ok(vec![done.clone()]));
        let outcome = w
            .service(q, profiles())
            .submit(&w.student, read.id, Some("k".into()))
            .await
            .unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(
            seen[0].expected_saved_at, None,
            "the first try used the first read"
        );
        assert_eq!(seen[0].result.score, Points::ZERO);
        assert!(seen[0].awards.is_empty());
        assert_eq!(seen[1].expected_saved_at, saved.saved_at);
        assert_eq!(
            seen[1].result.score,
            pts(4.0),
            "the saved answers are scored"
        );
        assert_eq!(seen[1].awards.len(), 1, "and earn the badge");
        assert_eq!(seen[1].submit_key.as_deref(), Some("k"));
        assert!(outcome.perfect);
        assert_eq!(outcome.quiz_score, Some(pts(4.0)));
    }

    #[tokio::test]
    async fn a_submit_gives_up_when_answers_keep_changing() {
        let w = World::new();
        let attempt = w.attempt(&w.student, AttemptState::Open);
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        q.expect_finish_attempt()
            .times(1 + FINISH_RETRIES as usize)
            .returning(|_| Err(StorageError::Conflict(Conflict::Stale)));
        let err = w
            .service(q, MockNotificationStore::new())
            .submit(&w.student, attempt.id, None)
            .await
            .unwrap_err();
        assert!(matches!(err, SubmitError::ChangedMeanwhile), "{err:?}");
        assert_eq!(err.class(), ErrorClass::Conflict);
        assert_eq!(err.code(), "attempt_changed_meanwhile");
    }

    #[tokio::test]
    async fn a_submit_whose_retry_finds_the_attempt_finished_replays_by_key() {
        let w = World::new();
        let open = w.attempt(&w.student, AttemptState::Open);
        let mut finished = open.clone();
        finished.state = AttemptState::AutoSubmitted;
        finished.saved_at = Some(t0() - Duration::seconds(1));
        finished.submit_key = None;
        finished.result = Some(score_attempt(
            &w.questions,
            &BTreeMap::new(),
            &BTreeMap::new(),
        ));
        let mut q = w.quizzes();
        let reads = Arc::new(AtomicUsize::new(0));
        let (r, o, f) = (reads.clone(), open.clone(), finished.clone());
        q.expect_get_attempt().returning(move |_| {
            Ok(Some(if r.fetch_add(1, Ordering::SeqCst) == 0 {
                o.clone()
            } else {
                f.clone()
            }))
        });
        q.expect_finish_attempt()
            .times(1)
            .returning(|_| Err(StorageError::Conflict(Conflict::Stale)));
        let err = w
            .service(q, MockNotificationStore::new())
            .submit(&w.student, open.id, Some("k".into()))
            .await
            .unwrap_err();
        assert!(
            matches!(err, SubmitError::AlreadyFinished),
            "finished by the sweep meanwhile: {err:?}"
        );
    }

    #[tokio::test]
    async fn finishing_the_last_item_of_a_course_awards_the_course_badge() {
        let w = World::new();
        let mut attempt = w.attempt(&w.student, AttemptState::Open);
        attempt.answers = BTreeMap::from([(w.questions[1].id, Answer::TrueFalse(false))]);
        let course_event = format!("achievement:course_completed:{}", w.course.id);
        let course_badge =
            Achievement::new(w.student.user_id, Badge::CourseCompleted, w.course.id, t0());
        // The attempt being finished is still open in the read model.
        let mut held = w.course_data(vec![attempt.clone()], Some(true));
        held.achievements = vec![course_badge.clone()];
        for (snapshot, perfect, expected) in [
            (
                w.course_data(vec![attempt.clone()], Some(true)),
                false,
                vec![Badge::CourseCompleted],
            ),
            (
                w.course_data(vec![attempt.clone()], Some(true)),
                true,
                vec![Badge::PerfectQuiz, Badge::CourseCompleted],
            ),
            (
                w.course_data(vec![attempt.clone()], Some(false)),
                false,
                vec![],
            ),
            (held.clone(), false, vec![]),
            (
                w.course_data(vec![attempt.clone()], None),
                false,
                vec![Badge::CourseCompleted],
            ),
        ] {
            let mut attempt = attempt.clone();
            if perfect {
                attempt.answers = w.right.clone();
            }
            let mut q = w.quizzes();
            stored_attempt(&mut q, &attempt);
            let finish = capture_finish(&mut q, &attempt);
            q.expect_list_attempts().returning(|_, _| Ok(vec![]));
            let mut notes = MockNotificationStore::new();
            if !expected.is_empty() {
                let student = w.student.user_id;
                notes
                    .expect_delivery_profiles()
                    .withf(move |u| u == [student])
                    .times(1)
                    .returning(move |users| {
                        Ok(vec![DeliveryProfile {
                            user_id: users[0],
                            active: true,
                            preferences: NotificationPreferences::defaults(users[0]),
                            telegram_linked: true,
                        }])
                    });
            }
            w.service_with(q, notes, snapshot_of(w.student.user_id, snapshot))
                .submit(&w.student, attempt.id, None)
                .await
                .unwrap();
            let f = finish.lock().unwrap().clone().unwrap();
            let badges: Vec<Badge> = f.awards.iter().map(|a| a.badge).collect();
            assert_eq!(badges, expected);
            assert_eq!(
                f.outbox.len(),
                2 * expected.len(),
                "e-mail and Telegram per badge"
            );
            if expected.contains(&Badge::CourseCompleted) {
                assert!(f.awards.contains(&course_badge));
                let course_entries: Vec<&OutboxEntry> = f
                    .outbox
                    .iter()
                    .filter(|e| e.dedup_key.0.contains("course_completed"))
                    .collect();
                assert_eq!(course_entries.len(), 2);
                for e in course_entries {
                    assert_eq!(
                        e.dedup_key,
                        DedupKey::new(w.student.user_id, &course_event, e.channel)
                    );
                    assert_eq!(
                        e.notification,
                        Notification::AchievementAwarded {
                            badge: Badge::CourseCompleted,
                            course_id: Some(w.course.id),
                            quiz_id: None,
                        }
                    );
                }
            }
        }
    }

    #[tokio::test]
    async fn a_submit_after_the_deadline_is_an_auto_submit() {
        let w = World::new();
        let mut attempt = w.attempt(&w.student, AttemptState::Open);
        attempt.deadline = Some(t0() - Duration::minutes(2));
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let finish = capture_finish(&mut q, &attempt);
        q.expect_list_attempts().returning(|_, _| Ok(vec![]));
        let outcome = w
            .service(q, MockNotificationStore::new())
            .submit(&w.student, attempt.id, Some("k".into()))
            .await
            .unwrap();
        let f = finish.lock().unwrap().clone().unwrap();
        assert_eq!(f.state, AttemptState::AutoSubmitted);
        assert_eq!(f.finished_at, t0() - Duration::minutes(2));
        assert_eq!(f.submit_key.as_deref(), Some("k"));
        assert_eq!(outcome.attempt.state, AttemptState::AutoSubmitted);
    }

    #[tokio::test]
    async fn the_sweep_finishes_overdue_attempts_with_saved_answers() {
        let w = World::new();
        let mut first = w.attempt(&w.student, AttemptState::Open);
        first.deadline = Some(t0() - Duration::minutes(5));
        first.answers = w.right.clone();
        let mut raced = w.attempt(&w.classmate, AttemptState::Open);
        raced.deadline = Some(t0() - Duration::minutes(1));
        let mut orphan = w.attempt(&w.classmate, AttemptState::Open);
        orphan.quiz_id = QuizId::new();
        let mut q = w.quizzes();
        let listed = vec![first.clone(), raced.clone(), orphan];
        q.expect_overdue_attempts()
            .withf(|now, limit| *now == t0() && *limit == 10)
            .times(1)
            .returning(move |_, _| Ok(listed.clone()));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (s, raced_id) = (seen.clone(), raced.id);
        let f_first = first.clone();
        q.expect_finish_attempt().times(2).returning(move |f| {
            s.lock().unwrap().push(f.clone());
            if f.attempt_id == raced_id {
                Err(StorageError::Conflict(Conflict::AttemptClosed))
            } else {
                Ok(apply(&f_first, f))
            }
        });
        let finished = w.service(q, profiles()).finish_overdue(10).await.unwrap();
        assert_eq!(
            finished, 1,
            "the raced attempt was finished by someone else"
        );
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen[0].attempt_id, first.id);
        assert_eq!(seen[0].state, AttemptState::AutoSubmitted);
        assert_eq!(seen[0].submit_key, None);
        assert_eq!(seen[0].result.score, pts(4.0));
        assert_eq!(
            seen[0].awards.len(),
            1,
            "a perfect auto-submit still earns the badge"
        );
        assert_eq!(seen[1].attempt_id, raced.id);
    }

    // ----- reviewing and grading ----------------------------------------------

    #[tokio::test]
    async fn students_review_their_own_attempt_under_the_reveal_policy() {
        for (reveal, revealed) in [
            (RevealPolicy::AfterAttempt, true),
            (RevealPolicy::Never, false),
        ] {
            let mut w = World::new();
            w.quiz.settings.reveal = reveal;
            let mut attempt = w.attempt(&w.student, AttemptState::Submitted);
            attempt.answers = BTreeMap::from([(w.questions[1].id, Answer::TrueFalse(true))]);
            attempt.result = Some(score_attempt(
                &w.questions,
                &attempt.answers,
                &BTreeMap::new(),
            ));
            let mut q = w.quizzes();
            stored_attempt(&mut q, &attempt);
            let svc = w.service(q, MockNotificationStore::new());
            let review = svc.review(&w.student, attempt.id).await.unwrap();
            assert_eq!(review.answers_revealed(), revealed);
            assert_eq!(review.items().len(), 3);
            assert_eq!(review.items()[1].answer(), Some(&Answer::TrueFalse(true)));
            assert_eq!(
                review.items()[1].score(),
                revealed.then_some(QuestionScore::Scored(Points::ZERO)),
                "a wrong true/false scored 0 tells the answer: only once revealed"
            );
            assert_eq!(
                review.attempt().result.map(|r| (r.score, r.max_score)),
                Some((Points::ZERO, pts(4.0))),
                "the total is always shown"
            );
            let json = serde_json::to_string(&review).unwrap();
            assert_eq!(json.contains("SECRET-ACCEPTED"), revealed);
            assert_eq!(json.contains("SECRET-EXPLANATION"), revealed);
            if revealed {
                assert_eq!(
                    review.items()[1].correct(),
                    Some(&CorrectAnswer::TrueFalse { value: false })
                );
            }

            // Staff always see everything; classmates and strangers nothing.
            for staff in [&w.owner, &w.assistant, &w.admin] {
                let full = svc.review(staff, attempt.id).await.unwrap();
                assert!(full.answers_revealed());
                assert_eq!(
                    full.items()[0].correct().cloned(),
                    CorrectAnswer::of(&w.questions[0].body)
                );
                assert_eq!(
                    full.items()[1].score(),
                    Some(QuestionScore::Scored(Points::ZERO))
                );
            }
            for nobody in [&w.classmate, &w.outsider, &w.stranger_teacher] {
                let err = svc.review(nobody, attempt.id).await.unwrap_err();
                assert!(matches!(err, AttemptAccessError::NotFound));
            }
        }
    }

    #[tokio::test]
    async fn an_open_attempt_review_reveals_nothing() {
        let w = World::new();
        let attempt = w.attempt(&w.student, AttemptState::Open);
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let review = w
            .service(q, MockNotificationStore::new())
            .review(&w.student, attempt.id)
            .await
            .unwrap();
        assert!(!review.answers_revealed());
        assert!(
            review
                .items()
                .iter()
                .all(|i| i.correct().is_none() && i.score().is_none())
        );
    }

    fn essay_attempt(w: &World, essay_text: &str) -> Attempt {
        let mut attempt = w.attempt(&w.student, AttemptState::Submitted);
        attempt.answers = w.right.clone();
        attempt
            .answers
            .insert(w.essay_id(), Answer::Essay(essay_text.into()));
        attempt.result = Some(score_attempt(
            &w.questions,
            &attempt.answers,
            &BTreeMap::new(),
        ));
        attempt
    }

    #[tokio::test]
    async fn grading_an_essay_recomputes_the_result_and_awards_full_marks() {
        let w = World::new().with_essay();
        let attempt = essay_attempt(&w, "Моё эссе");
        assert!(attempt.result.as_ref().unwrap().pending_manual);
        for (points, perfect) in [(2.5, false), (3.0, true)] {
            let mut q = w.quizzes();
            stored_attempt(&mut q, &attempt);
            let seen = Arc::new(Mutex::new(None));
            let enqueued = Arc::new(Mutex::new(Vec::new()));
            let (s, e, a) = (seen.clone(), enqueued.clone(), attempt.clone());
            let started_from = attempt.result.clone().unwrap();
            q.expect_set_attempt_result()
                .withf(move |_, expected, _, _, _| *expected == started_from)
                .times(1)
                .returning(move |id, _, result, awards, outbox| {
                    *s.lock().unwrap() = Some((id, result.clone(), awards.to_vec()));
                    // The message is stored in the same call as the result.
                    e.lock().unwrap().extend(outbox.iter().cloned());
                    Ok(Attempt {
                        result: Some(result.clone()),
                        ..a.clone()
                    })
                });
            let notes = profiles();
            let review = w
                .service(q, notes)
                .grade_essay(&w.assistant, attempt.id, w.essay_id(), pts(points))
                .await
                .unwrap();
            let (id, result, awards) = seen.lock().unwrap().clone().unwrap();
            assert_eq!(id, attempt.id);
            assert_eq!(
                result.per_question[&w.essay_id()],
                QuestionScore::Scored(pts(points))
            );
            assert_eq!(result.score, pts(4.0 + points));
            assert!(!result.pending_manual);
            assert_eq!(awards.len(), usize::from(perfect));
            let enqueued = enqueued.lock().unwrap().clone();
            assert_eq!(enqueued.len(), usize::from(perfect));
            if perfect {
                assert_eq!(awards[0].badge, Badge::PerfectQuiz);
                assert!(enqueued[0].dedup_key.0.contains("perfect_quiz"));
            }
            assert_eq!(
                review.items()[3].score(),
                Some(QuestionScore::Scored(pts(points)))
            );
            assert!(review.answers_revealed(), "staff review");
        }
    }

    #[tokio::test]
    async fn grading_keeps_earlier_essay_scores() {
        let mut w = World::new().with_essay();
        let second = Question {
            id: QuestionId::new(),
            position: 4,
            ..w.questions[3].clone()
        };
        w.questions.push(second.clone());
        let mut attempt = essay_attempt(&w, "Первое");
        attempt
            .answers
            .insert(second.id, Answer::Essay("Второе".into()));
        attempt.result = Some(score_attempt(
            &w.questions,
            &attempt.answers,
            &BTreeMap::from([(w.essay_id(), pts(1.0))]),
        ));
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let (first_essay, second_id, stored) = (w.essay_id(), second.id, attempt.clone());
        q.expect_set_attempt_result()
            .withf(move |_, _, r, _, _| {
                r.per_question[&first_essay] == QuestionScore::Scored(pts(1.0))
                    && r.per_question[&second_id] == QuestionScore::Scored(pts(2.0))
                    && r.score == pts(7.0)
                    && !r.pending_manual
            })
            .times(1)
            .returning(move |_, _, r, _, _| {
                Ok(Attempt {
                    result: Some(r.clone()),
                    ..stored.clone()
                })
            });
        let review = w
            .service(q, MockNotificationStore::new())
            .grade_essay(&w.owner, attempt.id, second.id, pts(2.0))
            .await
            .unwrap();
        assert_eq!(review.attempt().result.unwrap().score, pts(7.0));
    }

    #[tokio::test]
    async fn a_concurrent_essay_grade_is_retried_from_the_new_result() {
        let w = World::new().with_essay();
        let attempt = essay_attempt(&w, "Моё эссе");
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let calls = Arc::new(Mutex::new(0));
        let (c, stored) = (calls.clone(), attempt.clone());
        q.expect_set_attempt_result()
            .times(2)
            .returning(move |_, _, r, _, _| {
                let mut n = c.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    // Another grader wrote first.
                    Err(StorageError::Conflict(Conflict::Stale))
                } else {
                    Ok(Attempt {
                        result: Some(r.clone()),
                        ..stored.clone()
                    })
                }
            });
        let review = w
            .service(q, MockNotificationStore::new())
            .grade_essay(&w.owner, attempt.id, w.essay_id(), pts(1.0))
            .await
            .unwrap();
        assert_eq!(*calls.lock().unwrap(), 2, "graded again after the conflict");
        assert!(!review.attempt().result.unwrap().pending_manual);
    }

    #[tokio::test]
    async fn essays_are_graded_by_staff_within_the_question_points() {
        let w = World::new().with_essay();
        let attempt = essay_attempt(&w, "Текст");
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        // No set_attempt_result expectation: every case below must refuse.
        let svc = w.service(q, MockNotificationStore::new());
        let grade = |who: Actor, question: QuestionId, points: f64| {
            let svc = &svc;
            let id = attempt.id;
            async move { svc.grade_essay(&who, id, question, pts(points)).await }
        };
        let err = grade(w.student, w.essay_id(), 3.0).await.unwrap_err();
        assert!(matches!(err, GradeEssayError::Forbidden), "own attempt");
        for nobody in [w.classmate, w.outsider, w.stranger_teacher] {
            let err = grade(nobody, w.essay_id(), 3.0).await.unwrap_err();
            assert!(matches!(err, GradeEssayError::NotFound), "{nobody:?}");
        }
        let err = grade(w.owner, w.essay_id(), 3.5).await.unwrap_err();
        assert!(matches!(err, GradeEssayError::AboveMax { max } if max == pts(3.0)));
        assert_eq!(err.code(), "points_above_max");
        let err = grade(w.owner, w.questions[0].id, 1.0).await.unwrap_err();
        assert!(matches!(err, GradeEssayError::NotEssay));
        let err = grade(w.owner, QuestionId::new(), 1.0).await.unwrap_err();
        assert!(matches!(err, GradeEssayError::QuestionNotFound));

        let open = w.attempt(&w.student, AttemptState::Open);
        let mut q = w.quizzes();
        stored_attempt(&mut q, &open);
        let err = w
            .service(q, MockNotificationStore::new())
            .grade_essay(&w.owner, open.id, w.essay_id(), pts(1.0))
            .await
            .unwrap_err();
        assert!(matches!(err, GradeEssayError::NotFinished));
    }

    // ----- attempt lists --------------------------------------------------------

    #[tokio::test]
    async fn attempt_lists_for_staff_and_for_oneself() {
        let w = World::new();
        let all = vec![
            finished_with_score(&w, 1, 2.0),
            w.attempt(&w.classmate, AttemptState::Open),
        ];
        let mine = vec![all[0].clone()];
        let mut q = w.quizzes();
        let page = Page::new(10, 0);
        let a = all.clone();
        q.expect_list_quiz_attempts()
            .withf(move |_, p| *p == page)
            .returning(move |_, _| Ok(a.clone()));
        let student = w.student.user_id;
        q.expect_list_attempts()
            .withf(move |_, s| *s == student)
            .returning(move |_, _| Ok(mine.clone()));
        let svc = w.service(q, MockNotificationStore::new());
        let listed = svc
            .list_attempts(&w.assistant, w.quiz.id, page)
            .await
            .unwrap();
        assert_eq!(
            listed,
            all.iter().map(AttemptSummary::from).collect::<Vec<_>>()
        );
        let err = svc
            .list_attempts(&w.student, w.quiz.id, page)
            .await
            .unwrap_err();
        assert!(matches!(err, ViewQuizError::Forbidden));
        let err = svc
            .list_attempts(&w.stranger_teacher, w.quiz.id, page)
            .await
            .unwrap_err();
        assert!(matches!(err, ViewQuizError::NotFound));
        let own = svc.my_attempts(&w.student, w.quiz.id).await.unwrap();
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].student_id, w.student.user_id);
        let err = svc.my_attempts(&w.outsider, w.quiz.id).await.unwrap_err();
        assert!(matches!(err, ViewQuizError::NotFound));
    }

    // ----- end to end over the in-memory storage -------------------------------

    /// The real service over [`MemoryStorage`](crate::testkit::memory::MemoryStorage),
    /// for races and read-model interplay that mocks cannot show.
    mod on_memory_storage {
        use super::*;
        use crate::ports::Storage;
        use crate::testkit::conformance::fixtures::{self, Class};
        use crate::testkit::memory::MemoryStorage;
        use async_trait::async_trait;

        struct School {
            storage: Storage,
            clock: Arc<ManualClock>,
            class: Class,
            teacher: Actor,
            student: Actor,
        }

        async fn school() -> School {
            let storage = MemoryStorage::storage();
            let class = fixtures::published_course_with_student(&storage).await;
            let teacher = Actor {
                user_id: class.teacher.id,
                role: Role::Teacher,
            };
            let student = Actor {
                user_id: class.student.id,
                role: Role::Student,
            };
            School {
                storage,
                clock: Arc::new(ManualClock::new(fixtures::t0())),
                class,
                teacher,
                student,
            }
        }

        impl School {
            fn service_over(&self, quizzes: Arc<dyn QuizStore>) -> QuizService {
                QuizService::new(
                    quizzes,
                    self.storage.courses.clone(),
                    self.storage.notifications.clone(),
                    self.storage.dashboards.clone(),
                    self.clock.clone(),
                )
            }

            fn service(&self) -> QuizService {
                self.service_over(self.storage.quizzes.clone())
            }

            /// A published quiz of two true/false questions (1 point each,
            /// both answered right by `true`) with these settings.
            async fn quiz(&self, settings: QuizSettings) -> (Quiz, Vec<Question>) {
                let svc = self.service();
                let quiz = svc
                    .create_quiz(
                        &self.teacher,
                        self.class.course.id,
                        QuizInput {
                            title: Title::parse("Проверочная").unwrap(),
                            description: RichText::default(),
                            settings,
                        },
                    )
                    .await
                    .unwrap();
                let mut questions = Vec::new();
                for n in 0..2 {
                    questions.push(
                        svc.add_question(
                            &self.teacher,
                            quiz.id,
                            QuestionInput {
                                prompt: RichText::from_plain_text(&format!("Утверждение {n}")),
                                points: pts(1.0),
                                body: QuestionBody::TrueFalse { correct: true },
                                explanation: Some(RichText::from_plain_text("SECRET-EXPLANATION")),
                            },
                        )
                        .await
                        .unwrap(),
                    );
                }
                let quiz = svc
                    .set_published(&self.teacher, quiz.id, true)
                    .await
                    .unwrap();
                (quiz, questions)
            }

            async fn badges(&self) -> Vec<Achievement> {
                self.storage
                    .achievements
                    .list_achievements(self.student.user_id)
                    .await
                    .unwrap()
            }

            async fn outbox_keys(&self) -> Vec<String> {
                self.storage
                    .notifications
                    .list_user_outbox(self.student.user_id, Page::max())
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|e| e.dedup_key.0)
                    .collect()
            }
        }

        /// Whether a serialised student view holds any per-question score.
        fn holds_question_scores(json: &serde_json::Value) -> bool {
            let text = json.to_string();
            text.contains("per_question") || text.contains("\"status\":\"scored\"")
        }

        #[tokio::test]
        async fn students_see_only_totals_until_answers_are_revealed() {
            let w = school().await;
            let closes = fixtures::t0() + Duration::days(7);
            let (quiz, qs) = w
                .quiz(QuizSettings {
                    attempts_allowed: Some(2),
                    closes_at: Some(closes),
                    reveal: RevealPolicy::AfterClose,
                    ..QuizSettings::default()
                })
                .await;
            let svc = w.service();
            let attempt = svc.start_attempt(&w.student, quiz.id).await.unwrap();
            svc.save_answers(
                &w.student,
                attempt.attempt_id,
                BTreeMap::from([
                    (qs[0].id, Answer::TrueFalse(true)),
                    (qs[1].id, Answer::TrueFalse(false)),
                ]),
            )
            .await
            .unwrap();
            let outcome = svc
                .submit(&w.student, attempt.attempt_id, None)
                .await
                .unwrap();
            let view = svc
                .get_attempt(&w.student, attempt.attempt_id)
                .await
                .unwrap();
            let overview = svc.get_quiz(&w.student, quiz.id).await.unwrap();
            let mine = svc.my_attempts(&w.student, quiz.id).await.unwrap();
            let review = svc.review(&w.student, attempt.attempt_id).await.unwrap();
            for (what, json) in [
                ("outcome", serde_json::to_value(&outcome).unwrap()),
                ("attempt view", serde_json::to_value(&view).unwrap()),
                ("overview", serde_json::to_value(&overview).unwrap()),
                ("my attempts", serde_json::to_value(&mine).unwrap()),
                ("review", serde_json::to_value(&review).unwrap()),
            ] {
                assert!(
                    !holds_question_scores(&json),
                    "{what} tells which answer was wrong before the quiz closes: {json}"
                );
                assert!(!json.to_string().contains("SECRET-EXPLANATION"), "{what}");
            }
            // The total is shown.
            assert_eq!(outcome.quiz_score, Some(pts(1.0)));
            let totals = serde_json::to_value(&view).unwrap()["result"].clone();
            assert_eq!(totals["score"], 1.0, "{totals}");
            assert_eq!(totals["max_score"], 2.0, "{totals}");

            // Once the quiz has closed, the review shows everything.
            w.clock.set(closes);
            let review = svc.review(&w.student, attempt.attempt_id).await.unwrap();
            let json = serde_json::to_value(&review).unwrap();
            assert!(holds_question_scores(&json), "{json}");
            assert!(json.to_string().contains("SECRET-EXPLANATION"));
        }

        /// Answers saved at an instant.
        type Autosave = (BTreeMap<QuestionId, Answer>, DateTime<Utc>);

        /// A quiz store whose `finish_attempt` first lets an autosave of
        /// `race` land, as a concurrent request would between the service's
        /// read and its write.
        struct AutosaveRacesFinish {
            inner: Arc<dyn QuizStore>,
            race: Mutex<Option<Autosave>>,
        }

        #[async_trait]
        impl QuizStore for AutosaveRacesFinish {
            async fn insert_quiz(&self, q: &Quiz) -> crate::error::StorageResult<()> {
                self.inner.insert_quiz(q).await
            }
            async fn update_quiz(&self, q: &Quiz) -> crate::error::StorageResult<()> {
                self.inner.update_quiz(q).await
            }
            async fn get_quiz(&self, id: QuizId) -> crate::error::StorageResult<Option<Quiz>> {
                self.inner.get_quiz(id).await
            }
            async fn list_quizzes(&self, c: CourseId) -> crate::error::StorageResult<Vec<Quiz>> {
                self.inner.list_quizzes(c).await
            }
            async fn insert_question(&self, q: &Question) -> crate::error::StorageResult<Question> {
                self.inner.insert_question(q).await
            }
            async fn update_question(&self, q: &Question) -> crate::error::StorageResult<()> {
                self.inner.update_question(q).await
            }
            async fn delete_question(&self, id: QuestionId) -> crate::error::StorageResult<bool> {
                self.inner.delete_question(id).await
            }
            async fn list_questions(
                &self,
                q: QuizId,
            ) -> crate::error::StorageResult<Vec<Question>> {
                self.inner.list_questions(q).await
            }
            async fn reorder_questions(
                &self,
                q: QuizId,
                order: &[QuestionId],
            ) -> crate::error::StorageResult<()> {
                self.inner.reorder_questions(q, order).await
            }
            async fn start_attempt(
                &self,
                a: &Attempt,
                limit: Option<u32>,
            ) -> crate::error::StorageResult<Attempt> {
                self.inner.start_attempt(a, limit).await
            }
            async fn get_attempt(
                &self,
                id: AttemptId,
            ) -> crate::error::StorageResult<Option<Attempt>> {
                self.inner.get_attempt(id).await
            }
            async fn list_attempts(
                &self,
                q: QuizId,
                s: UserId,
            ) -> crate::error::StorageResult<Vec<Attempt>> {
                self.inner.list_attempts(q, s).await
            }
            async fn list_quiz_attempts(
                &self,
                q: QuizId,
                p: Page,
            ) -> crate::error::StorageResult<Vec<Attempt>> {
                self.inner.list_quiz_attempts(q, p).await
            }
            async fn save_answers(
                &self,
                a: AttemptId,
                answers: &BTreeMap<QuestionId, Answer>,
                at: DateTime<Utc>,
            ) -> crate::error::StorageResult<Attempt> {
                self.inner.save_answers(a, answers, at).await
            }
            async fn finish_attempt(
                &self,
                f: &FinishAttempt,
            ) -> crate::error::StorageResult<Attempt> {
                let race = self.race.lock().unwrap().take();
                if let Some((answers, at)) = race {
                    self.inner
                        .save_answers(f.attempt_id, &answers, at)
                        .await
                        .expect("the racing autosave lands");
                }
                self.inner.finish_attempt(f).await
            }
            async fn set_attempt_result(
                &self,
                a: AttemptId,
                e: &AttemptResult,
                r: &AttemptResult,
                awards: &[Achievement],
                outbox: &[OutboxEntry],
            ) -> crate::error::StorageResult<Attempt> {
                self.inner.set_attempt_result(a, e, r, awards, outbox).await
            }
            async fn overdue_attempts(
                &self,
                now: DateTime<Utc>,
                limit: u32,
            ) -> crate::error::StorageResult<Vec<Attempt>> {
                self.inner.overdue_attempts(now, limit).await
            }
        }

        #[tokio::test]
        async fn an_autosave_racing_the_submit_is_scored() {
            let w = school().await;
            let (quiz, qs) = w
                .quiz(QuizSettings {
                    attempts_allowed: Some(2),
                    ..QuizSettings::default()
                })
                .await;
            let racing = Arc::new(AutosaveRacesFinish {
                inner: w.storage.quizzes.clone(),
                race: Mutex::new(None),
            });
            let svc = w.service_over(racing.clone());
            let attempt = svc.start_attempt(&w.student, quiz.id).await.unwrap();
            svc.save_answers(
                &w.student,
                attempt.attempt_id,
                BTreeMap::from([(qs[0].id, Answer::TrueFalse(true))]),
            )
            .await
            .unwrap();
            w.clock.advance(Duration::seconds(3));
            *racing.race.lock().unwrap() = Some((
                BTreeMap::from([(qs[1].id, Answer::TrueFalse(true))]),
                w.clock.now(),
            ));
            let outcome = svc
                .submit(&w.student, attempt.attempt_id, Some("submit-1".into()))
                .await
                .unwrap();
            let stored = w
                .storage
                .quizzes
                .get_attempt(attempt.attempt_id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(stored.answers.len(), 2, "the autosave is stored");
            assert_eq!(
                stored.result.as_ref().map(|r| r.score),
                Some(pts(2.0)),
                "and scored: both answers are right"
            );
            assert_eq!(outcome.quiz_score, Some(pts(2.0)));
            assert!(outcome.perfect);
            assert_eq!(stored.submit_key.as_deref(), Some("submit-1"));
        }

        #[tokio::test]
        async fn finishing_the_last_quiz_completes_the_course() {
            let w = school().await;
            let (quiz, qs) = w.quiz(QuizSettings::default()).await;
            let svc = w.service();
            let attempt = svc.start_attempt(&w.student, quiz.id).await.unwrap();
            svc.save_answers(
                &w.student,
                attempt.attempt_id,
                BTreeMap::from([(qs[0].id, Answer::TrueFalse(false))]),
            )
            .await
            .unwrap();
            svc.submit(&w.student, attempt.attempt_id, None)
                .await
                .unwrap();
            let course = w.class.course.id;
            assert_eq!(
                w.badges().await,
                vec![Achievement::new(
                    w.student.user_id,
                    Badge::CourseCompleted,
                    course,
                    fixtures::t0()
                )],
                "the only item of the course is done, though not perfectly"
            );
            let event = format!("achievement:course_completed:{course}");
            assert_eq!(
                w.outbox_keys().await,
                vec![DedupKey::new(w.student.user_id, &event, Channel::Email).0],
                "one message about the badge, by e-mail"
            );
        }

        #[tokio::test]
        async fn an_auto_finish_completes_the_course_once() {
            let w = school().await;
            let (first, _) = w
                .quiz(QuizSettings {
                    time_limit_minutes: Some(10),
                    attempts_allowed: None,
                    ..QuizSettings::default()
                })
                .await;
            let (second, _) = w
                .quiz(QuizSettings {
                    time_limit_minutes: Some(10),
                    attempts_allowed: None,
                    ..QuizSettings::default()
                })
                .await;
            let svc = w.service();
            svc.start_attempt(&w.student, first.id).await.unwrap();
            w.clock.advance(Duration::minutes(11));
            assert_eq!(svc.finish_overdue(10).await.unwrap(), 1);
            assert!(w.badges().await.is_empty(), "the second quiz is not done");

            svc.start_attempt(&w.student, second.id).await.unwrap();
            w.clock.advance(Duration::minutes(11));
            assert_eq!(svc.finish_overdue(10).await.unwrap(), 1);
            let badges = w.badges().await;
            assert_eq!(badges.len(), 1, "{badges:?}");
            assert_eq!(badges[0].badge, Badge::CourseCompleted);
            assert_eq!(badges[0].course_id, Some(w.class.course.id));

            // Another attempt after completion awards nothing new.
            svc.start_attempt(&w.student, second.id).await.unwrap();
            w.clock.advance(Duration::minutes(11));
            assert_eq!(svc.finish_overdue(10).await.unwrap(), 1);
            assert_eq!(w.badges().await.len(), 1);
            assert_eq!(w.outbox_keys().await.len(), 1, "one badge message");
        }
    }
}
