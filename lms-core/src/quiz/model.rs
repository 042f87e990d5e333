//! Quiz entities: questions with their correct answers (staff side), settings
//! and attempts. What a student may see is in [`super::view`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::course::Title;
use crate::ids::{AttemptId, CourseId, OptionId, QuestionId, QuizId, UserId};
use crate::richtext::RichText;
use crate::score::Points;

/// A labelled option of a choice question, or an item of a matching or
/// ordering question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Choice {
    /// Identifier, stable across edits.
    pub id: OptionId,
    /// Text shown.
    pub text: String,
}

/// A pair of a matching question: `left` must be matched with `right`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchPair {
    /// The prompt item.
    pub left: Choice,
    /// Its match.
    pub right: Choice,
}

/// A question's kind together with its correct answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionBody {
    /// Exactly one option is right.
    SingleChoice {
        /// Options in authored order.
        options: Vec<Choice>,
        /// The right one.
        correct: OptionId,
    },
    /// One or more options are right; partial credit.
    MultipleChoice {
        /// Options in authored order.
        options: Vec<Choice>,
        /// The right ones (at least one).
        correct: BTreeSet<OptionId>,
    },
    /// A statement that is true or false.
    TrueFalse {
        /// The right answer.
        correct: bool,
    },
    /// A typed answer compared after normalisation (case, spaces, `ё` = `е`).
    ShortText {
        /// Accepted answers (at least one).
        accepted: Vec<String>,
    },
    /// A number within an absolute tolerance.
    Numeric {
        /// The right value.
        value: f64,
        /// Accepted absolute deviation (>= 0).
        tolerance: f64,
    },
    /// Match each left item with its right item; partial credit per pair.
    Matching {
        /// The pairs (at least two).
        pairs: Vec<MatchPair>,
    },
    /// Put items in the right order; partial credit per position.
    Ordering {
        /// Items in the right order (at least two).
        items: Vec<Choice>,
    },
    /// A free answer graded by a teacher.
    Essay,
    /// A slot, not a question: each attempt draws `count` questions at
    /// random from a bank pool, each worth this slot's points. Students
    /// never see the slot, only the questions drawn for their attempt.
    Random {
        /// Where the questions come from.
        pool: crate::bank::Pool,
        /// How many to draw (1 to [`crate::bank::MAX_DRAW`]).
        count: u32,
    },
}

/// Why a question was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QuestionError {
    /// A choice question needs at least two options with distinct ids and non-empty text.
    #[error("a choice question needs at least two distinct, non-empty options")]
    Options,
    /// The correct answer names an option that does not exist, or none.
    #[error("the correct answer must name existing options")]
    Correct,
    /// A short-text question needs at least one non-empty accepted answer.
    #[error("a short-text question needs at least one accepted answer")]
    Accepted,
    /// Numeric value or tolerance not finite, or tolerance negative.
    #[error("numeric value and tolerance must be finite and the tolerance not negative")]
    Numeric,
    /// Matching/ordering need at least two items with distinct ids.
    #[error("matching and ordering questions need at least two distinct items")]
    Items,
    /// The prompt is empty.
    #[error("the question text is empty")]
    Prompt,
    /// A random slot draws 0 or more than 100 questions, names no bank
    /// question or one twice, or asks for more than it names.
    #[error("a random slot draws 1 to 100 questions from a non-empty pool of distinct questions")]
    Draw,
}

impl QuestionBody {
    /// Checks the body is well-formed.
    pub fn validate(&self) -> Result<(), QuestionError> {
        fn distinct(items: &[&Choice]) -> bool {
            let ids: BTreeSet<_> = items.iter().map(|c| c.id).collect();
            ids.len() == items.len() && items.iter().all(|c| !c.text.trim().is_empty())
        }
        match self {
            Self::SingleChoice { options, correct } => {
                if options.len() < 2 || !distinct(&options.iter().collect::<Vec<_>>()) {
                    return Err(QuestionError::Options);
                }
                if !options.iter().any(|o| o.id == *correct) {
                    return Err(QuestionError::Correct);
                }
            }
            Self::MultipleChoice { options, correct } => {
                if options.len() < 2 || !distinct(&options.iter().collect::<Vec<_>>()) {
                    return Err(QuestionError::Options);
                }
                if correct.is_empty() || !correct.iter().all(|c| options.iter().any(|o| o.id == *c))
                {
                    return Err(QuestionError::Correct);
                }
            }
            Self::TrueFalse { .. } | Self::Essay => {}
            Self::Random { pool, count } => {
                if *count == 0 || *count > crate::bank::MAX_DRAW {
                    return Err(QuestionError::Draw);
                }
                if let crate::bank::Pool::Questions { ids, .. } = pool {
                    let distinct: BTreeSet<_> = ids.iter().collect();
                    if ids.is_empty()
                        || ids.len() > crate::bank::MAX_POOL_QUESTIONS
                        || distinct.len() != ids.len()
                        || *count as usize > ids.len()
                    {
                        return Err(QuestionError::Draw);
                    }
                }
            }
            Self::ShortText { accepted } => {
                if !accepted.iter().any(|a| !a.trim().is_empty()) {
                    return Err(QuestionError::Accepted);
                }
            }
            Self::Numeric { value, tolerance } => {
                if !value.is_finite() || !tolerance.is_finite() || *tolerance < 0.0 {
                    return Err(QuestionError::Numeric);
                }
            }
            Self::Matching { pairs } => {
                let all: Vec<&Choice> = pairs.iter().flat_map(|p| [&p.left, &p.right]).collect();
                if pairs.len() < 2 || !distinct(&all) {
                    return Err(QuestionError::Items);
                }
            }
            Self::Ordering { items } => {
                if items.len() < 2 || !distinct(&items.iter().collect::<Vec<_>>()) {
                    return Err(QuestionError::Items);
                }
            }
        }
        Ok(())
    }

    /// Whether a teacher must grade answers to this question.
    #[must_use]
    pub fn needs_manual_grading(&self) -> bool {
        matches!(self, Self::Essay)
    }

    /// Stable name of the kind.
    #[must_use]
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::SingleChoice { .. } => "single_choice",
            Self::MultipleChoice { .. } => "multiple_choice",
            Self::TrueFalse { .. } => "true_false",
            Self::ShortText { .. } => "short_text",
            Self::Numeric { .. } => "numeric",
            Self::Matching { .. } => "matching",
            Self::Ordering { .. } => "ordering",
            Self::Essay => "essay",
            Self::Random { .. } => "random",
        }
    }

    /// Whether this is a random slot rather than a question.
    #[must_use]
    pub fn is_random(&self) -> bool {
        matches!(self, Self::Random { .. })
    }
}

/// A question of a quiz, with its correct answer: staff-side only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    /// Identifier.
    pub id: QuestionId,
    /// The quiz.
    pub quiz_id: QuizId,
    /// Position in the quiz, from 0.
    pub position: u32,
    /// The question text.
    pub prompt: RichText,
    /// Points for a fully right answer.
    pub points: Points,
    /// Kind and correct answer.
    pub body: QuestionBody,
    /// Explanation shown with the correct answer in the review.
    pub explanation: Option<RichText>,
}

/// How the attempts of a student combine into the quiz score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScoringPolicy {
    /// The highest attempt.
    Best,
    /// The most recent finished attempt.
    Last,
    /// The mean of finished attempts.
    Average,
    /// The first finished attempt.
    First,
}

/// When a student may see correct answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RevealPolicy {
    /// As soon as their attempt is finished.
    AfterAttempt,
    /// Once the quiz's availability window has closed.
    AfterClose,
    /// Never (scores only).
    Never,
}

/// Quiz settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuizSettings {
    /// Attempts may start from this instant; `None`: at once.
    pub opens_at: Option<DateTime<Utc>>,
    /// Attempts end at this instant at the latest; `None`: never.
    pub closes_at: Option<DateTime<Utc>>,
    /// Time limit per attempt in minutes; `None`: none.
    pub time_limit_minutes: Option<u32>,
    /// Attempts allowed per student; `None`: unlimited.
    pub attempts_allowed: Option<u32>,
    /// How attempts combine.
    pub scoring: ScoringPolicy,
    /// Shuffle question order per attempt.
    pub shuffle_questions: bool,
    /// Shuffle options (and matching/ordering items) per attempt.
    pub shuffle_options: bool,
    /// When correct answers are shown.
    pub reveal: RevealPolicy,
}

impl Default for QuizSettings {
    fn default() -> Self {
        Self {
            opens_at: None,
            closes_at: None,
            time_limit_minutes: None,
            attempts_allowed: Some(1),
            scoring: ScoringPolicy::Best,
            shuffle_questions: false,
            shuffle_options: false,
            reveal: RevealPolicy::AfterAttempt,
        }
    }
}

/// Why quiz settings were rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingsError {
    /// `closes_at` is not after `opens_at`.
    #[error("the quiz must close after it opens")]
    Window,
    /// Zero minutes or more than a week.
    #[error("the time limit must be 1 to 10080 minutes")]
    TimeLimit,
    /// Zero attempts.
    #[error("at least one attempt must be allowed")]
    Attempts,
}

impl QuizSettings {
    /// Checks the settings are consistent.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if let (Some(o), Some(c)) = (self.opens_at, self.closes_at)
            && c <= o
        {
            return Err(SettingsError::Window);
        }
        if self
            .time_limit_minutes
            .is_some_and(|m| m == 0 || m > 10_080)
        {
            return Err(SettingsError::TimeLimit);
        }
        if self.attempts_allowed == Some(0) {
            return Err(SettingsError::Attempts);
        }
        Ok(())
    }

    /// Whether an attempt may start at `now`.
    #[must_use]
    pub fn is_open_at(&self, now: DateTime<Utc>) -> bool {
        self.opens_at.is_none_or(|o| o <= now) && self.closes_at.is_none_or(|c| now < c)
    }

    /// The server-side deadline of an attempt started at `started_at`:
    /// `min(start + time limit, close)`; `None` when neither applies.
    #[must_use]
    pub fn attempt_deadline(&self, started_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let by_limit = self
            .time_limit_minutes
            .map(|m| started_at + Duration::minutes(i64::from(m)));
        match (by_limit, self.closes_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// A quiz of a course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quiz {
    /// Identifier.
    pub id: QuizId,
    /// The course.
    pub course_id: CourseId,
    /// Title.
    pub title: Title,
    /// Introduction shown before starting.
    pub description: RichText,
    /// Settings.
    pub settings: QuizSettings,
    /// Whether students can see it.
    pub published: bool,
    /// When created.
    pub created_at: DateTime<Utc>,
}

/// A student's answer to one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Answer {
    /// Single choice.
    SingleChoice(OptionId),
    /// Multiple choice.
    MultipleChoice(BTreeSet<OptionId>),
    /// True/false.
    TrueFalse(bool),
    /// Short text.
    ShortText(String),
    /// Numeric.
    Numeric(f64),
    /// Matching: left item id → right item id.
    Matching(BTreeMap<OptionId, OptionId>),
    /// Ordering: item ids in the student's order.
    Ordering(Vec<OptionId>),
    /// Essay text.
    Essay(String),
}

/// State of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttemptState {
    /// In progress; answers may be saved until the deadline.
    Open,
    /// Submitted by the student.
    Submitted,
    /// Finished by the server at the deadline with what was saved.
    AutoSubmitted,
}

/// Score of one question in an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", content = "points", rename_all = "snake_case")]
pub enum QuestionScore {
    /// Scored (automatically or by a teacher).
    Scored(Points),
    /// An essay waiting for a teacher.
    PendingManual,
}

/// The result of a finished attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptResult {
    /// Per question.
    pub per_question: BTreeMap<QuestionId, QuestionScore>,
    /// Points earned so far (pending essays count 0).
    pub score: Points,
    /// Points available.
    pub max_score: Points,
    /// Whether any essay still waits for a teacher.
    pub pending_manual: bool,
}

impl AttemptResult {
    /// How many essays of the attempt still wait for a teacher.
    #[must_use]
    pub fn essays_pending(&self) -> u32 {
        let n = self
            .per_question
            .values()
            .filter(|s| matches!(s, QuestionScore::PendingManual))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// A finished attempt with essays waiting for a teacher, for the grading
/// queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingEssay {
    /// The attempt (graded on its review page).
    pub attempt_id: AttemptId,
    /// Its quiz.
    pub quiz_id: QuizId,
    /// The quiz's title.
    pub quiz_title: String,
    /// The quiz's course.
    pub course_id: CourseId,
    /// The course's title.
    pub course_title: String,
    /// The student.
    pub student_id: UserId,
    /// The student's display name.
    pub student_name: String,
    /// When the attempt was finished.
    pub finished_at: DateTime<Utc>,
    /// How many of its essays still wait for a grade (at least one).
    pub essays_pending: u32,
}

/// A student's attempt at a quiz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attempt {
    /// Identifier.
    pub id: AttemptId,
    /// The quiz.
    pub quiz_id: QuizId,
    /// The student.
    pub student_id: UserId,
    /// 1, 2, ... per student and quiz (assigned by storage at start).
    pub number: u32,
    /// Seed of the per-attempt shuffle: the same attempt always shows the same order.
    pub seed: u64,
    /// Question order of this attempt.
    pub question_order: Vec<QuestionId>,
    /// The questions this attempt drew from the bank for the quiz's random
    /// slots, as they were when it started (later edits of the bank do not
    /// change them). Empty for a quiz without random slots.
    #[serde(default)]
    pub drawn: Vec<Question>,
    /// When started.
    pub started_at: DateTime<Utc>,
    /// Server-side deadline; `None`: no limit.
    pub deadline: Option<DateTime<Utc>>,
    /// State.
    pub state: AttemptState,
    /// Saved answers.
    pub answers: BTreeMap<QuestionId, Answer>,
    /// When answers were last saved.
    pub saved_at: Option<DateTime<Utc>>,
    /// When finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Result, once finished.
    pub result: Option<AttemptResult>,
    /// Idempotency key of the submit request that finished it.
    pub submit_key: Option<String>,
}

impl Attempt {
    /// The questions of this attempt in its order: the quiz's own questions
    /// (given as they are now) and the ones it drew. Questions added to the
    /// quiz after it started are not part of it.
    #[must_use]
    pub fn questions(&self, quiz_questions: &[Question]) -> Vec<Question> {
        self.question_order
            .iter()
            .filter_map(|id| {
                self.drawn
                    .iter()
                    .find(|q| q.id == *id)
                    .or_else(|| quiz_questions.iter().find(|q| q.id == *id))
            })
            .cloned()
            .collect()
    }

    /// Whether the attempt is still open at `now` (open state, deadline not passed).
    #[must_use]
    pub fn is_open_at(&self, now: DateTime<Utc>) -> bool {
        self.state == AttemptState::Open && self.deadline.is_none_or(|d| now < d)
    }

    /// The attempt with its deadline no later than the quiz's closing time.
    /// A quiz closed early (its `closes_at` moved before an open attempt's
    /// deadline) ends the attempt then: it takes no answers afterwards and
    /// is finished with the answers saved so far.
    #[must_use]
    pub fn capped_by(mut self, settings: &QuizSettings) -> Self {
        if let (AttemptState::Open, Some(close)) = (self.state, settings.closes_at) {
            self.deadline = Some(self.deadline.map_or(close, |d| d.min(close)));
        }
        self
    }
}

impl ScoringPolicy {
    /// The quiz score of a student from their finished attempts' results, in
    /// the order the attempts were made; `None` when there is none.
    #[must_use]
    pub fn combine(self, results: &[&AttemptResult]) -> Option<Points> {
        let scores = results.iter().map(|r| r.score);
        match self {
            Self::Best => scores.fold(None, |best: Option<Points>, s| {
                Some(best.map_or(s, |b| if s > b { s } else { b }))
            }),
            Self::Last => results.last().map(|r| r.score),
            Self::First => results.first().map(|r| r.score),
            Self::Average => {
                if results.is_empty() {
                    None
                } else {
                    let n = results.len() as f64;
                    Points::new(results.iter().map(|r| r.score.value()).sum::<f64>() / n).ok()
                }
            }
        }
    }
}
