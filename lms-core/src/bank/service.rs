//! The bank service: who may read and edit a course's bank, import with a
//! preview, export, and the checks a quiz's random slot must pass.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::bank::format::{self, Format, ImportIssue, ImportedQuestion};
use crate::bank::model::{
    BankFieldError, BankFilter, BankQuestion, CategoryCount, MAX_BANK_QUESTIONS, Pool,
    normalize_category, normalize_tags,
};
use crate::bank::ports::BankStore;
use crate::clock::Clock;
use crate::course::{CourseAccess, CourseStore};
use crate::error::{Conflict, StorageError};
use crate::group::GroupStore;
use crate::ids::{BankQuestionId, CourseId};
use crate::page::Page;
use crate::quiz::{QuestionBody, QuestionError};
use crate::richtext::RichText;
use crate::score::Points;
use crate::user::Actor;

/// The largest file an import reads, in bytes.
pub const MAX_IMPORT_BYTES: usize = 1_000_000;

/// Why a bank request failed.
#[derive(Debug, Error)]
pub enum BankError {
    /// The course does not exist or the actor may not know it exists.
    #[error("course not found")]
    CourseNotFound,
    /// No such bank question the actor may see.
    #[error("bank question not found")]
    NotFound,
    /// The actor sees the course but does not manage it.
    #[error("only the course's teacher and admins use its question bank")]
    Forbidden,
    /// The question, its category or its tags are not valid.
    #[error("{0}")]
    Invalid(BankFieldError),
    /// A random slot cannot be stored in the bank.
    #[error("body: a bank question cannot be a random slot")]
    RandomInBank,
    /// Edited by someone else since it was read.
    #[error("the question was changed meanwhile; reload it")]
    Stale,
    /// The bank would hold more than [`MAX_BANK_QUESTIONS`].
    #[error("a course's bank holds at most {max} questions")]
    BankFull {
        /// The limit.
        max: u32,
    },
    /// The file is larger than [`MAX_IMPORT_BYTES`].
    #[error("the file is larger than {max} bytes")]
    FileTooLarge {
        /// The limit.
        max: usize,
    },
    /// Nothing in the file can be imported.
    #[error("no question in the file can be imported")]
    NothingToImport {
        /// Why each part was refused.
        issues: Vec<ImportIssue>,
    },
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(BankError {
    CourseNotFound => (NotFound, "course_not_found"),
    NotFound => (NotFound, "bank_question_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    Invalid(_) => (Invalid, "invalid_question"),
    RandomInBank => (Invalid, "invalid_question"),
    Stale => (Conflict, "stale"),
    BankFull { .. } => (Conflict, "bank_full"),
    FileTooLarge { .. } => (Invalid, "file_too_large"),
    NothingToImport { .. } => (Invalid, "nothing_to_import"),
});

/// Why a quiz's random slot was refused.
#[derive(Debug, Error)]
pub enum PoolError {
    /// The pool's course is not one the actor manages (or does not exist).
    #[error("pool: the bank of a course you do not manage")]
    Course,
    /// The category or tag is not valid.
    #[error("pool: {0}")]
    Invalid(BankFieldError),
    /// A named bank question is not in that course's bank.
    #[error("pool: question {0} is not in that course's bank")]
    UnknownQuestion(BankQuestionId),
    /// The pool holds fewer questions than the slot draws.
    #[error("pool: it holds {available} questions, fewer than the {wanted} to draw")]
    TooSmall {
        /// Questions in the pool.
        available: u32,
        /// Questions the slot draws.
        wanted: u32,
    },
    /// The slot itself is malformed.
    #[error(transparent)]
    Question(#[from] QuestionError),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A bank question's editable fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankQuestionInput {
    /// Category path, `/`-separated; empty: the top.
    #[serde(default)]
    pub category: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The question text (must not be blank).
    pub prompt: RichText,
    /// Default points.
    pub points: Points,
    /// Kind and correct answer (not a random slot).
    pub body: QuestionBody,
    /// Explanation shown with the correct answer in reviews.
    #[serde(default)]
    pub explanation: Option<RichText>,
}

/// A file to import into a course's bank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRequest {
    /// The file's format.
    pub format: Format,
    /// The file's text (UTF-8), at most [`MAX_IMPORT_BYTES`].
    pub text: String,
    /// The category of questions the file does not place (GIFT's
    /// `$CATEGORY` and CSV's `category` column override it).
    #[serde(default)]
    pub category: String,
    /// Default points of imported questions the file gives none.
    #[serde(default = "one_point")]
    pub points: Points,
}

fn one_point() -> Points {
    Points::new(1.0).unwrap_or_default()
}

/// What an import would create (preview) or created, and what it cannot.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankImportReport {
    /// Whether the questions were written (`false`: a preview).
    pub written: bool,
    /// The questions, in file order.
    pub questions: Vec<ImportedQuestion>,
    /// Every part of the file that cannot become a question, with its line.
    pub issues: Vec<ImportIssue>,
}

/// A page of a course's bank.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankListing {
    /// The questions on this page.
    pub questions: Vec<BankQuestion>,
    /// Questions in the whole bank.
    pub total: u32,
    /// Categories with their counts.
    pub categories: Vec<CategoryCount>,
}

/// Course question banks.
pub struct BankService {
    bank: Arc<dyn BankStore>,
    courses: Arc<dyn CourseStore>,
    groups: Arc<dyn GroupStore>,
    clock: Arc<dyn Clock>,
}

impl BankService {
    /// A service over these ports.
    #[must_use]
    pub fn new(
        bank: Arc<dyn BankStore>,
        courses: Arc<dyn CourseStore>,
        groups: Arc<dyn GroupStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            bank,
            courses,
            groups,
            clock,
        }
    }

    async fn managed(&self, actor: &Actor, course: CourseId) -> Result<(), BankError> {
        manages(&*self.courses, &*self.groups, actor, course).await
    }

    /// A bank question the actor may edit.
    async fn managed_question(
        &self,
        actor: &Actor,
        id: BankQuestionId,
    ) -> Result<BankQuestion, BankError> {
        let question = self
            .bank
            .get_bank_questions(&[id])
            .await?
            .into_iter()
            .next()
            .ok_or(BankError::NotFound)?;
        match self.managed(actor, question.course_id).await {
            Ok(()) => Ok(question),
            Err(BankError::CourseNotFound | BankError::Forbidden) => Err(BankError::NotFound),
            Err(e) => Err(e),
        }
    }

    /// A page of the course's bank passing `filter`, with the bank's size
    /// and categories.
    pub async fn list(
        &self,
        actor: &Actor,
        course: CourseId,
        filter: &BankFilter,
        page: Page,
    ) -> Result<BankListing, BankError> {
        self.managed(actor, course).await?;
        let filter = BankFilter {
            category: filter
                .category
                .as_deref()
                .map(normalize_category)
                .transpose()
                .map_err(BankError::Invalid)?,
            tag: filter.tag.as_ref().map(|t| t.trim().to_lowercase()),
            text: filter.text.clone(),
        };
        let questions = self.bank.list_bank_questions(course, &filter, page).await?;
        let categories = self.bank.bank_categories(course).await?;
        let total = categories.iter().map(|c| c.questions).sum();
        Ok(BankListing {
            questions,
            total,
            categories,
        })
    }

    /// Adds a question to the course's bank.
    pub async fn create(
        &self,
        actor: &Actor,
        course: CourseId,
        input: BankQuestionInput,
    ) -> Result<BankQuestion, BankError> {
        self.managed(actor, course).await?;
        let now = self.clock.now();
        let question = checked(
            BankQuestion {
                id: BankQuestionId::new(),
                course_id: course,
                category: String::new(),
                tags: Vec::new(),
                prompt: input.prompt.clone(),
                points: input.points,
                body: QuestionBody::Essay,
                explanation: None,
                version: 1,
                author_id: actor.user_id,
                created_at: now,
                updated_at: now,
            },
            input,
        )?;
        self.room_for(course, 1).await?;
        self.bank
            .insert_bank_questions(std::slice::from_ref(&question))
            .await?;
        Ok(question)
    }

    /// Replaces a bank question's fields if it is still at `version`.
    /// Attempts that already drew it keep the version they were given.
    pub async fn update(
        &self,
        actor: &Actor,
        id: BankQuestionId,
        version: u32,
        input: BankQuestionInput,
    ) -> Result<BankQuestion, BankError> {
        let stored = self.managed_question(actor, id).await?;
        if stored.version != version {
            return Err(BankError::Stale);
        }
        let mut question = checked(stored, input)?;
        question.version = version + 1;
        question.updated_at = self.clock.now();
        match self.bank.update_bank_question(&question).await {
            Ok(()) => Ok(question),
            Err(StorageError::Conflict(Conflict::Stale)) => Err(BankError::Stale),
            Err(StorageError::NotFound) => Err(BankError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a bank question; attempts that drew it keep their copy.
    pub async fn delete(&self, actor: &Actor, id: BankQuestionId) -> Result<(), BankError> {
        self.managed_question(actor, id).await?;
        if self.bank.delete_bank_question(id).await? {
            Ok(())
        } else {
            Err(BankError::NotFound)
        }
    }

    /// What importing `request` would create and every line it cannot,
    /// writing nothing.
    pub async fn preview_import(
        &self,
        actor: &Actor,
        course: CourseId,
        request: &ImportRequest,
    ) -> Result<BankImportReport, BankError> {
        let parsed = self.parse(actor, course, request).await?;
        Ok(BankImportReport {
            written: false,
            questions: parsed.0,
            issues: parsed.1,
        })
    }

    /// Imports the questions of `request` that the preview lists, in one
    /// write (all or none); the refused lines are reported again.
    pub async fn import(
        &self,
        actor: &Actor,
        course: CourseId,
        request: &ImportRequest,
    ) -> Result<BankImportReport, BankError> {
        let (questions, issues) = self.parse(actor, course, request).await?;
        if questions.is_empty() {
            return Err(BankError::NothingToImport { issues });
        }
        self.room_for(course, questions.len()).await?;
        let now = self.clock.now();
        let rows: Vec<BankQuestion> = questions
            .iter()
            .map(|q| BankQuestion {
                id: BankQuestionId::new(),
                course_id: course,
                category: q.category.clone(),
                tags: q.tags.clone(),
                prompt: q.prompt.clone(),
                points: q.points.unwrap_or(request.points),
                body: q.body.clone(),
                explanation: q.explanation.clone(),
                version: 1,
                author_id: actor.user_id,
                created_at: now,
                updated_at: now,
            })
            .collect();
        self.bank.insert_bank_questions(&rows).await?;
        Ok(BankImportReport {
            written: true,
            questions,
            issues,
        })
    }

    async fn parse(
        &self,
        actor: &Actor,
        course: CourseId,
        request: &ImportRequest,
    ) -> Result<(Vec<ImportedQuestion>, Vec<ImportIssue>), BankError> {
        if request.text.len() > MAX_IMPORT_BYTES {
            return Err(BankError::FileTooLarge {
                max: MAX_IMPORT_BYTES,
            });
        }
        let category = normalize_category(&request.category).map_err(BankError::Invalid)?;
        self.managed(actor, course).await?;
        let parsed = format::parse(request.format, &request.text, &category);
        let mut issues = parsed.issues;
        let mut questions = Vec::with_capacity(parsed.questions.len());
        for mut q in parsed.questions {
            match normalize_tags(&q.tags) {
                Ok(tags) if q.body.is_random() => {
                    q.tags = tags;
                    issues.push(ImportIssue {
                        line: q.line,
                        reason: "a random slot cannot be imported".to_owned(),
                    });
                }
                Ok(tags) => {
                    q.tags = tags;
                    questions.push(q);
                }
                Err(e) => issues.push(ImportIssue {
                    line: q.line,
                    reason: e.to_string(),
                }),
            }
        }
        issues.sort_by_key(|i| i.line);
        Ok((questions, issues))
    }

    /// The course's bank (or the part `filter` selects) as a GIFT file.
    pub async fn export_gift(
        &self,
        actor: &Actor,
        course: CourseId,
        filter: &BankFilter,
    ) -> Result<String, BankError> {
        self.managed(actor, course).await?;
        let mut all = Vec::new();
        let mut offset = 0;
        loop {
            let page = Page::new(Page::MAX_LIMIT, offset);
            let batch = self.bank.list_bank_questions(course, filter, page).await?;
            let done = batch.len() < Page::MAX_LIMIT as usize;
            all.extend(batch);
            if done || all.len() >= MAX_BANK_QUESTIONS as usize {
                break;
            }
            offset += Page::MAX_LIMIT;
        }
        Ok(format::export_gift(&all))
    }

    async fn room_for(&self, course: CourseId, adding: usize) -> Result<(), BankError> {
        let held = self.bank.count_bank_questions(course).await?;
        if u64::from(held) + adding as u64 > u64::from(MAX_BANK_QUESTIONS) {
            return Err(BankError::BankFull {
                max: MAX_BANK_QUESTIONS,
            });
        }
        Ok(())
    }
}

/// Checks a quiz's random slot: the pool's bank belongs to a course the
/// actor manages, its category and tag are valid, named questions are in
/// that bank, and it holds at least `count` questions. Returns the slot
/// with its category and tag normalised.
pub async fn check_pool(
    bank: &dyn BankStore,
    courses: &dyn CourseStore,
    groups: &dyn GroupStore,
    actor: &Actor,
    pool: Pool,
    count: u32,
) -> Result<Pool, PoolError> {
    let course = pool.course_id();
    match manages(courses, groups, actor, course).await {
        Ok(()) => {}
        Err(BankError::Storage(e)) => return Err(e.into()),
        Err(_) => return Err(PoolError::Course),
    }
    let (pool, available) = match pool {
        Pool::Category {
            course_id,
            category,
            tag,
        } => {
            let category = normalize_category(&category).map_err(PoolError::Invalid)?;
            let tag = match tag.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(t) => Some(
                    normalize_tags(&[t.to_owned()])
                        .map_err(PoolError::Invalid)?
                        .remove(0),
                ),
            };
            let ids = bank.bank_pool(course_id, &category, tag.clone()).await?;
            let pool = Pool::Category {
                course_id,
                category,
                tag,
            };
            (pool, ids.len())
        }
        Pool::Questions { course_id, ids } => {
            let found = bank.get_bank_questions(&ids).await?;
            if let Some(missing) = ids.iter().find(|id| {
                !found
                    .iter()
                    .any(|q| q.id == **id && q.course_id == course_id)
            }) {
                return Err(PoolError::UnknownQuestion(*missing));
            }
            let n = ids.len();
            (Pool::Questions { course_id, ids }, n)
        }
    };
    let available = u32::try_from(available).unwrap_or(u32::MAX);
    if available < count {
        return Err(PoolError::TooSmall {
            available,
            wanted: count,
        });
    }
    Ok(pool)
}

/// Whether the actor manages `course` (its teacher or an admin):
/// `CourseNotFound` when they may not know it, `Forbidden` when they see it.
async fn manages(
    courses: &dyn CourseStore,
    groups: &dyn GroupStore,
    actor: &Actor,
    course: CourseId,
) -> Result<(), BankError> {
    let access = CourseAccess::load(courses, groups, actor, course)
        .await?
        .filter(CourseAccess::can_view)
        .ok_or(BankError::CourseNotFound)?;
    if access.can_manage() {
        Ok(())
    } else {
        Err(BankError::Forbidden)
    }
}

/// `base` with `input`'s fields, validated and normalised.
fn checked(base: BankQuestion, input: BankQuestionInput) -> Result<BankQuestion, BankError> {
    if input.body.is_random() {
        return Err(BankError::RandomInBank);
    }
    if input.prompt.is_blank() {
        return Err(BankError::Invalid(QuestionError::Prompt.into()));
    }
    input
        .body
        .validate()
        .map_err(|e| BankError::Invalid(e.into()))?;
    Ok(BankQuestion {
        category: normalize_category(&input.category).map_err(BankError::Invalid)?,
        tags: normalize_tags(&input.tags).map_err(BankError::Invalid)?,
        prompt: input.prompt,
        points: input.points,
        body: input.body,
        explanation: input.explanation.filter(|e| !e.is_blank()),
        ..base
    })
}
