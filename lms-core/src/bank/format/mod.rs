//! Text formats of questions: import from and export to Moodle's GIFT,
//! Aiken and CSV.
//!
//! Parsing is pure and never fails as a whole: [`parse`] gives the
//! questions a file would create and, beside them, an [`ImportIssue`] for
//! every part that cannot become a question, with the line it starts on, so
//! a teacher can preview an import, fix the file and try again. Every
//! question is checked with [`QuestionBody::validate`] before it is offered.

use serde::{Deserialize, Serialize};

use crate::bank::{BankQuestion, normalize_category};
use crate::quiz::QuestionBody;
use crate::richtext::RichText;
use crate::score::Points;

pub mod aiken;
pub mod csv;
pub mod gift;

/// The most questions one file may create; parsing stops after them with
/// a "too many questions" issue.
pub const MAX_IMPORT_QUESTIONS: usize = 5_000;

/// A text format of questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Moodle's GIFT (`::title:: text {=right ~wrong}`), see [`gift`].
    Gift,
    /// Aiken: text, `A) option` lines and an `ANSWER: A` line, see [`aiken`].
    Aiken,
    /// A table with a header row, `,` or `;` separated, see [`csv`].
    Csv,
}

/// A question a file would create.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedQuestion {
    /// 1-based line where the question starts.
    pub line: u32,
    /// Normalised category path: the default category, or what the file sets.
    pub category: String,
    /// The question's title (GIFT `::title::`).
    pub title: Option<String>,
    /// The question text.
    pub prompt: RichText,
    /// Points, when the format gives them (CSV).
    pub points: Option<Points>,
    /// Kind and correct answer.
    pub body: QuestionBody,
    /// General feedback, shown with the correct answer.
    pub explanation: Option<RichText>,
    /// Normalised tags.
    pub tags: Vec<String>,
}

/// A part of the file that cannot become a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportIssue {
    /// 1-based line where the part starts.
    pub line: u32,
    /// Why, in short English ("matching needs at least two pairs").
    pub reason: String,
}

/// What a file holds: the questions it would create and the parts that
/// cannot become questions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Parsed {
    /// Questions, in file order.
    pub questions: Vec<ImportedQuestion>,
    /// Issues, in file order.
    pub issues: Vec<ImportIssue>,
}

/// Parses `text` in `format`. Questions that set no category go into
/// `default_category` (normalised; the top when it is not a valid path).
/// Never panics; at most [`MAX_IMPORT_QUESTIONS`] questions.
#[must_use]
pub fn parse(format: Format, text: &str, default_category: &str) -> Parsed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let default_category = normalize_category(default_category).unwrap_or_default();
    match format {
        Format::Gift => gift::parse(text, &default_category),
        Format::Aiken => aiken::parse(text, &default_category),
        Format::Csv => csv::parse(text, &default_category),
    }
}

/// Writes questions as GIFT (see [`gift`]): a `$CATEGORY:` line whenever
/// the category changes, so questions stay grouped in the order given.
/// Ordering questions and random slots cannot be expressed in GIFT and
/// become `// skipped: …` comments.
#[must_use]
pub fn export_gift(questions: &[BankQuestion]) -> String {
    gift::export(questions)
}

/// Collects the questions and issues of one parse and enforces
/// [`MAX_IMPORT_QUESTIONS`].
#[derive(Debug, Default)]
struct Collector {
    parsed: Parsed,
}

impl Collector {
    /// Records a question (after checking it) or why the part starting at
    /// `line` is not one. `false` once the cap is reached: stop parsing.
    fn add(&mut self, line: u32, question: Result<ImportedQuestion, String>) -> bool {
        match question.and_then(checked) {
            Ok(_) if self.parsed.questions.len() >= MAX_IMPORT_QUESTIONS => {
                self.issue(
                    line,
                    format!("too many questions: at most {MAX_IMPORT_QUESTIONS} per file"),
                );
                return false;
            }
            Ok(question) => self.parsed.questions.push(question),
            Err(reason) => self.issue(line, reason),
        }
        true
    }

    /// Records an issue.
    fn issue(&mut self, line: u32, reason: impl Into<String>) {
        self.parsed.issues.push(ImportIssue {
            line,
            reason: reason.into(),
        });
    }

    fn finish(self) -> Parsed {
        self.parsed
    }
}

/// The question when it can be saved: a body that validates and a prompt
/// with something in it.
fn checked(question: ImportedQuestion) -> Result<ImportedQuestion, String> {
    if question.body.is_random() {
        return Err("random slots cannot be imported".to_owned());
    }
    question.body.validate().map_err(|e| e.to_string())?;
    if question.prompt.is_blank() {
        return Err("the question text is empty".to_owned());
    }
    Ok(question)
}

/// A number as people write it: `3.14`, `3,14`, `−2` (finite only).
fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim().replace('\u{2212}', "-");
    let text = if text.contains('.') {
        text
    } else {
        text.replace(',', ".")
    };
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// The 1-based line number of a 0-based line index, saturating.
fn line_number(index: usize) -> u32 {
    u32::try_from(index.saturating_add(1)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_take_comma_decimals_and_reject_infinity() {
        assert_eq!(parse_number(" 3,5 "), Some(3.5));
        assert_eq!(parse_number("−2"), Some(-2.0));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("1e400"), None);
        assert_eq!(parse_number("1,000.5"), None);
    }

    #[test]
    fn an_invalid_default_category_is_the_top() {
        let parsed = parse(Format::Aiken, "2+2?\nA) 4\nB) 5\nANSWER: A\n", "a//b");
        assert_eq!(parsed.questions[0].category, "");
        let parsed = parse(Format::Aiken, "2+2?\nA) 4\nB) 5\nANSWER: A\n", " ЕГЭ / 1 ");
        assert_eq!(parsed.questions[0].category, "ЕГЭ/1");
    }

    #[test]
    fn parsing_stops_after_the_cap() {
        let one = "2+2?\nA) 4\nB) 5\nANSWER: A\n\n";
        let text = one.repeat(MAX_IMPORT_QUESTIONS + 2);
        let parsed = parse(Format::Aiken, &text, "");
        assert_eq!(parsed.questions.len(), MAX_IMPORT_QUESTIONS);
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].line, line_number(MAX_IMPORT_QUESTIONS * 5));
        assert!(parsed.issues[0].reason.starts_with("too many questions"));
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let parsed = parse(Format::Gift, "\u{feff}2+2 = 4 {T}", "");
        assert_eq!(parsed.questions.len(), 1, "{parsed:?}");
        assert!(parsed.issues.is_empty());
    }

    mod no_panic {
        use super::super::*;
        use proptest::prelude::*;

        fn all_formats(text: &str) {
            for format in [Format::Gift, Format::Aiken, Format::Csv] {
                let parsed = parse(format, text, "Тесты");
                assert!(parsed.questions.len() <= MAX_IMPORT_QUESTIONS);
            }
        }

        proptest! {
            #[test]
            fn arbitrary_text_never_panics(text in "\\PC*") {
                all_formats(&text);
            }

            #[test]
            fn syntax_soup_never_panics(
                text in "([{}~=#:%>\\-\\\\.\\[\\]|;,\"\n ]|::|->|####|\\$CATEGORY:|//|T|ANSWER: |A\\) |B\\. |[0-9]|[a-zа-я]|\\[html\\]|\\[tag:)*"
            ) {
                all_formats(&text);
            }
        }
    }
}
