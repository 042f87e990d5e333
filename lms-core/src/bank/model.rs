//! Bank entities: a reusable question with its category, tags and version,
//! and the pools a quiz draws from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::{BankQuestionId, CourseId, QuestionId, QuizId, UserId};
use crate::quiz::{Question, QuestionBody, QuestionError};
use crate::richtext::RichText;
use crate::score::Points;

/// Longest category path, in characters.
pub const MAX_CATEGORY_CHARS: usize = 200;
/// Most tags on one question.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 50;
/// Most questions in one course's bank.
pub const MAX_BANK_QUESTIONS: u32 = 10_000;
/// Most questions one draw (a quiz slot) gives.
pub const MAX_DRAW: u32 = 100;
/// Most questions a "one of these" pool names.
pub const MAX_POOL_QUESTIONS: usize = 200;

/// A question of a course's bank: written once, used by many quizzes. An
/// attempt keeps a copy of the version it was given, so editing a bank
/// question never changes an attempt's grading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankQuestion {
    /// Identifier.
    pub id: BankQuestionId,
    /// The course whose bank holds it.
    pub course_id: CourseId,
    /// Category path, `/`-separated (`ЕГЭ/Задание 5`); empty: the top.
    pub category: String,
    /// Tags, each once, in the author's order.
    pub tags: Vec<String>,
    /// The question text.
    pub prompt: RichText,
    /// Default points for a fully right answer (a quiz slot may override).
    pub points: Points,
    /// Kind and correct answer.
    pub body: QuestionBody,
    /// Explanation shown with the correct answer in reviews.
    pub explanation: Option<RichText>,
    /// 1 on creation, +1 on every edit.
    pub version: u32,
    /// Who created it.
    pub author_id: UserId,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last edited.
    pub updated_at: DateTime<Utc>,
}

impl BankQuestion {
    /// The question as a quiz attempt gets it: same id (so analyses follow
    /// a bank question across quizzes), `points` from the slot.
    #[must_use]
    pub fn as_quiz_question(&self, quiz_id: QuizId, position: u32, points: Points) -> Question {
        Question {
            id: QuestionId(self.id.as_uuid()),
            quiz_id,
            position,
            prompt: self.prompt.clone(),
            points,
            body: self.body.clone(),
            explanation: self.explanation.clone(),
        }
    }

    /// Lower-cased plain text of the prompt, what bank search matches
    /// (adapters store it beside the question).
    #[must_use]
    pub fn search_text(&self) -> String {
        search_key(&self.prompt.plain_text())
    }
}

/// The form of `text` bank search compares: lower case, `ё` as `е`,
/// runs of white space as one space.
#[must_use]
pub fn search_key(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace('ё', "е")
}

/// Why a bank question's category or tags were rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BankFieldError {
    /// Longer than [`MAX_CATEGORY_CHARS`], or an empty part (`a//b`).
    #[error("the category must be at most 200 characters of non-empty '/'-separated parts")]
    Category,
    /// More than [`MAX_TAGS`], an empty one, or one longer than [`MAX_TAG_CHARS`].
    #[error("at most 20 tags of 1 to 50 characters")]
    Tags,
    /// The question itself.
    #[error(transparent)]
    Question(#[from] QuestionError),
}

/// The canonical form of a category path: parts trimmed, empty input the top.
pub fn normalize_category(raw: &str) -> Result<String, BankFieldError> {
    let trimmed = raw.trim().trim_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    let parts: Vec<&str> = trimmed.split('/').map(str::trim).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(BankFieldError::Category);
    }
    let path = parts.join("/");
    if path.chars().count() > MAX_CATEGORY_CHARS {
        return Err(BankFieldError::Category);
    }
    Ok(path)
}

/// The canonical tags: trimmed, lower-cased, each once.
pub fn normalize_tags(raw: &[String]) -> Result<Vec<String>, BankFieldError> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() || tag.chars().count() > MAX_TAG_CHARS {
            return Err(BankFieldError::Tags);
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(BankFieldError::Tags);
    }
    Ok(tags)
}

/// Whether `category` is `under` or one of its subcategories (the top, `""`,
/// holds everything).
#[must_use]
pub fn category_within(category: &str, under: &str) -> bool {
    under.is_empty()
        || category == under
        || (category.len() > under.len()
            && category.starts_with(under)
            && category.as_bytes()[under.len()] == b'/')
}

/// Which bank questions a search or a draw takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankFilter {
    /// Only this category and its subcategories; `None`: all.
    pub category: Option<String>,
    /// Only questions with this tag.
    pub tag: Option<String>,
    /// Only questions whose text contains this (compared as [`search_key`]).
    pub text: Option<String>,
}

impl BankFilter {
    /// Whether `question` passes (the reference for adapters' queries).
    #[must_use]
    pub fn matches(&self, question: &BankQuestion) -> bool {
        self.category
            .as_deref()
            .is_none_or(|c| category_within(&question.category, c))
            && self
                .tag
                .as_deref()
                .is_none_or(|t| question.tags.iter().any(|q| q == t))
            && self
                .text
                .as_deref()
                .is_none_or(|t| question.search_text().contains(&search_key(t)))
    }
}

/// A category with how many questions it holds itself (not counting
/// subcategories).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryCount {
    /// The category path.
    pub category: String,
    /// Questions directly in it.
    pub questions: u32,
}

/// Where a quiz slot draws its questions from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Pool {
    /// Questions of a course's bank in a category (and its subcategories),
    /// optionally only those with a tag.
    Category {
        /// The course whose bank it is (the quiz's own, or another course
        /// the quiz's author manages).
        course_id: CourseId,
        /// Category path; `""`: the whole bank.
        category: String,
        /// Only questions with this tag.
        tag: Option<String>,
    },
    /// "One of these": the named bank questions.
    Questions {
        /// The course whose bank holds them.
        course_id: CourseId,
        /// The questions (at least one, at most [`MAX_POOL_QUESTIONS`]).
        ids: Vec<BankQuestionId>,
    },
}

impl Pool {
    /// The course whose bank the pool reads.
    #[must_use]
    pub fn course_id(&self) -> CourseId {
        match self {
            Self::Category { course_id, .. } | Self::Questions { course_id, .. } => *course_id,
        }
    }
}
