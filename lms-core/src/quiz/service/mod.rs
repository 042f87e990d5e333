//! The quiz service: authoring quizzes and questions, taking attempts with
//! server-side deadlines, grading (automatic and essays), reviews under the
//! reveal policy, and the sweep that finishes overdue attempts.

mod analysis;
mod errors;
mod manage;
mod review;
mod take;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::achievement::{Achievement, Badge, CourseProgress, earns_perfect_quiz};
use crate::bank::BankStore;
use crate::clock::Clock;
use crate::course::{Course, CourseAccess, CourseRole, CourseStore, Title};
use crate::dashboard::DashboardStore;
use crate::error::{Conflict, StorageError};
use crate::file::FileRegistry;
use crate::group::GroupStore;
use crate::ids::{AttemptId, CourseId, QuestionId, QuizId, UserId};
use crate::notification::{Notification, NotificationStore, OutboxEntry, fan_out};
use crate::page::Page;
use crate::policy;
use crate::quiz::grading::{score_attempt, validate_answer};
use crate::quiz::model::{
    Answer, Attempt, AttemptResult, AttemptState, Question, QuestionBody, QuestionError,
    QuestionScore, Quiz, QuizSettings,
};
use crate::quiz::ports::{FinishAttempt, QuizStore};
use crate::quiz::view::{
    AttemptReview, AttemptSummary, ResultTotals, StaffAttemptSummary, StudentQuestion,
    attempt_questions, reveal_allowed, staff_review, student_review,
};
use crate::richtext::RichText;
use crate::score::Points;
use crate::user::Actor;

pub use analysis::MAX_ANALYSED_ATTEMPTS;
pub use errors::*;

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

/// A quiz with the actor's standing in its course.
struct QuizAccess {
    quiz: Quiz,
    course: CourseAccess,
}

impl QuizAccess {
    /// Whether the actor is the course's staff (which students they grade,
    /// [`CourseAccess::grades`] says).
    fn staff(&self) -> bool {
        self.course.can_grade()
    }

    /// Whether the actor may know the quiz exists.
    fn sees(&self) -> bool {
        self.course.can_view() && (self.quiz.published || self.staff())
    }
}

/// Quizzes, questions, attempts and their grading.
pub struct QuizService {
    quizzes: Arc<dyn QuizStore>,
    bank: Arc<dyn BankStore>,
    courses: Arc<dyn CourseStore>,
    groups: Arc<dyn GroupStore>,
    files: Arc<dyn FileRegistry>,
    notifications: Arc<dyn NotificationStore>,
    dashboards: Arc<dyn DashboardStore>,
    clock: Arc<dyn Clock>,
}

impl QuizService {
    /// A service over these ports (`dashboards` tells whether finishing an
    /// attempt completes the student's course; `bank` serves random slots).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        quizzes: Arc<dyn QuizStore>,
        bank: Arc<dyn BankStore>,
        courses: Arc<dyn CourseStore>,
        groups: Arc<dyn GroupStore>,
        files: Arc<dyn FileRegistry>,
        notifications: Arc<dyn NotificationStore>,
        dashboards: Arc<dyn DashboardStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            quizzes,
            bank,
            courses,
            groups,
            files,
            notifications,
            dashboards,
            clock,
        }
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
        let Some(course) =
            CourseAccess::load(&*self.courses, &*self.groups, actor, quiz.course_id).await?
        else {
            return Ok(None);
        };
        Ok(Some(QuizAccess { quiz, course }))
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
        let attempt = attempt.capped_by(&quiz.settings);
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
            questions: attempt_questions(
                &attempt.questions(questions),
                attempt,
                quiz.settings.shuffle_options,
            ),
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
            &attempt.questions(questions),
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
    // A slot's prompt is only the teacher's label for it.
    if input.prompt.is_blank() && !input.body.is_random() {
        return Err(ManageQuestionError::Invalid(QuestionError::Prompt));
    }
    input.body.validate().map_err(ManageQuestionError::Invalid)
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
