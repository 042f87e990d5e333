//! Questions as a table (CSV), one question per row.
//!
//! The first row names the columns, in any order and case: `kind` and
//! `prompt` are required; `category`, `answer`, `options`, `points`, `tags`
//! and `explanation` are optional. Fields are separated by `,` or `;`
//! (whichever the header row holds more of); a field holding the separator,
//! a quote or a line break is put in double quotes.
//!
//! * `kind`: `single_choice`, `multiple_choice`, `true_false`, `short_text`,
//!   `numeric` or `essay` (in Russian: `один`, `несколько`,
//!   `верно_неверно`, `текст`, `число`, `эссе`).
//! * `options`: the options of a choice question, separated by `|`.
//! * `answer`: single choice: the option's number (from 1) or its text;
//!   multiple choice: numbers or texts separated by `|`; true/false:
//!   `true`/`false` (`да`/`нет`, `верно`/`неверно`); short text: the
//!   accepted answers separated by `|`; numeric: `value`, `value:tolerance`
//!   or `value±tolerance`; essay: empty. An option's text takes precedence
//!   over a number, so with options `2|3|4` the answer `4` is the option `4`.
//! * `points`: a positive number; empty: the default.
//! * `tags`: separated by `|`.
//! * `category`: a path such as `ЕГЭ/Задание 1`; empty: the category the
//!   import goes into.
//! * `explanation`: shown with the correct answer.
//!
//! Decimals may be written with a comma (`2,5`). Each row that cannot
//! become a question is reported with its line; the other rows are still
//! imported.
//!
//! ```text
//! kind;prompt;options;answer;points
//! один;Сколько будет 2 + 2?;3|4|5;4;1
//! число;Найдите 15 % от 200.;;30;2
//! ```

use std::collections::BTreeSet;

use super::{Collector, ImportedQuestion, Parsed, parse_number};
use crate::bank::{normalize_category, normalize_tags};
use crate::ids::OptionId;
use crate::quiz::{Choice, QuestionBody};
use crate::richtext::RichText;
use crate::score::Points;

/// A column of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Category,
    Kind,
    Prompt,
    Answer,
    Options,
    Points,
    Tags,
    Explanation,
}

impl Column {
    const ALL: [(&'static str, Self); 8] = [
        ("category", Self::Category),
        ("kind", Self::Kind),
        ("prompt", Self::Prompt),
        ("answer", Self::Answer),
        ("options", Self::Options),
        ("points", Self::Points),
        ("tags", Self::Tags),
        ("explanation", Self::Explanation),
    ];

    fn named(name: &str) -> Option<Self> {
        let name = name.trim().to_lowercase();
        Self::ALL
            .iter()
            .find(|(known, _)| *known == name)
            .map(|&(_, column)| column)
    }
}

/// A question kind a row can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    SingleChoice,
    MultipleChoice,
    TrueFalse,
    ShortText,
    Numeric,
    Essay,
}

impl Kind {
    fn named(name: &str) -> Option<Self> {
        let name = name.trim().to_lowercase().replace([' ', '-'], "_");
        Some(match name.as_str() {
            "single_choice" | "один" => Self::SingleChoice,
            "multiple_choice" | "несколько" => Self::MultipleChoice,
            "true_false" | "верно_неверно" => Self::TrueFalse,
            "short_text" | "текст" => Self::ShortText,
            "numeric" | "число" => Self::Numeric,
            "essay" | "эссе" => Self::Essay,
            _ => return None,
        })
    }
}

/// Parses a CSV file.
pub(super) fn parse(text: &str, default_category: &str) -> Parsed {
    let mut collector = Collector::default();
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(e)) => {
            collector.issue(1, format!("the header row cannot be read: {e}"));
            return collector.finish();
        }
        None => {
            collector.issue(1, "the file is empty: a header row is needed");
            return collector.finish();
        }
    };
    let columns = match columns(&header) {
        Ok(columns) => columns,
        Err(reason) => {
            collector.issue(record_line(&header), reason);
            return collector.finish();
        }
    };
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| saturating_line(p.line()));
                collector.issue(line, format!("the row cannot be read: {e}"));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let row = Row {
            columns: &columns,
            record: &record,
        };
        if !collector.add(record_line(&record), row.question(default_category)) {
            break;
        }
    }
    collector.finish()
}

/// `;` when the header line holds more of them than `,`, else `,`.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// The line a record starts on.
fn record_line(record: &::csv::StringRecord) -> u32 {
    record.position().map_or(0, |p| saturating_line(p.line()))
}

fn saturating_line(line: u64) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

/// The column of each header field.
fn columns(header: &::csv::StringRecord) -> Result<Vec<Column>, String> {
    let mut columns = Vec::with_capacity(header.len());
    for name in header {
        let column = Column::named(name).ok_or_else(|| {
            let known: Vec<&str> = Column::ALL.iter().map(|&(known, _)| known).collect();
            format!("unknown column \"{name}\" (columns: {})", known.join(", "))
        })?;
        if columns.contains(&column) {
            return Err(format!("the column \"{name}\" appears twice"));
        }
        columns.push(column);
    }
    for required in [Column::Kind, Column::Prompt] {
        if !columns.contains(&required) {
            let name = Column::ALL
                .iter()
                .find(|&&(_, column)| column == required)
                .map_or("", |&(name, _)| name);
            return Err(format!("the \"{name}\" column is required"));
        }
    }
    Ok(columns)
}

/// One data row.
struct Row<'a> {
    columns: &'a [Column],
    record: &'a ::csv::StringRecord,
}

impl Row<'_> {
    /// The field of `column`; empty when the column or the field is missing.
    fn field(&self, column: Column) -> &str {
        self.columns
            .iter()
            .position(|&c| c == column)
            .and_then(|index| self.record.get(index))
            .unwrap_or_default()
    }

    fn question(&self, default_category: &str) -> Result<ImportedQuestion, String> {
        let kind_name = self.field(Column::Kind);
        let kind = Kind::named(kind_name).ok_or_else(|| {
            if kind_name.is_empty() {
                "the kind is empty".to_owned()
            } else {
                format!("unknown kind \"{kind_name}\"")
            }
        })?;
        let prompt = self.field(Column::Prompt);
        if prompt.is_empty() {
            return Err("the prompt is empty".to_owned());
        }
        let explanation = self.field(Column::Explanation);
        Ok(ImportedQuestion {
            line: record_line(self.record),
            category: self.category(default_category)?,
            title: None,
            prompt: RichText::from_plain_text(prompt),
            points: self.points()?,
            body: self.body(kind)?,
            explanation: (!explanation.is_empty()).then(|| RichText::from_plain_text(explanation)),
            tags: normalize_tags(&list(self.field(Column::Tags)))
                .map_err(|e| format!("tags: {e}"))?,
        })
    }

    fn category(&self, default_category: &str) -> Result<String, String> {
        let category = self.field(Column::Category);
        if category.is_empty() {
            Ok(default_category.to_owned())
        } else {
            normalize_category(category).map_err(|e| format!("category: {e}"))
        }
    }

    fn points(&self) -> Result<Option<Points>, String> {
        let points = self.field(Column::Points);
        if points.is_empty() {
            return Ok(None);
        }
        parse_number(points)
            .filter(|&p| p > 0.0)
            .and_then(|p| Points::new(p).ok())
            .map(Some)
            .ok_or_else(|| format!("points \"{points}\" are not a positive number up to 100000"))
    }

    fn body(&self, kind: Kind) -> Result<QuestionBody, String> {
        let answer = self.field(Column::Answer);
        match kind {
            Kind::SingleChoice => single_choice(self.options(), answer),
            Kind::MultipleChoice => multiple_choice(self.options(), answer),
            Kind::TrueFalse => {
                true_false(answer).map(|correct| QuestionBody::TrueFalse { correct })
            }
            Kind::ShortText => Ok(QuestionBody::ShortText {
                accepted: list(answer),
            }),
            Kind::Numeric => numeric(answer),
            Kind::Essay => Ok(QuestionBody::Essay),
        }
    }

    fn options(&self) -> Vec<Choice> {
        list(self.field(Column::Options))
            .into_iter()
            .map(|text| Choice {
                id: OptionId::new(),
                text,
            })
            .collect()
    }
}

/// The non-empty, trimmed parts of a `|`-separated field.
fn list(field: &str) -> Vec<String> {
    field
        .split('|')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The option an answer names: by its text, else by its number from 1.
fn option_named(options: &[Choice], answer: &str) -> Result<OptionId, String> {
    let answer = answer.trim();
    let by_text = options.iter().find(|o| o.text == answer).or_else(|| {
        options
            .iter()
            .find(|o| o.text.to_lowercase() == answer.to_lowercase())
    });
    let by_number = || {
        answer
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|index| options.get(index))
    };
    by_text.or_else(by_number).map(|o| o.id).ok_or_else(|| {
        format!("the answer \"{answer}\" is neither an option's number nor its text")
    })
}

fn single_choice(options: Vec<Choice>, answer: &str) -> Result<QuestionBody, String> {
    if answer.is_empty() {
        return Err("the answer is empty: give the right option's number or text".to_owned());
    }
    let correct = option_named(&options, answer)?;
    Ok(QuestionBody::SingleChoice { options, correct })
}

fn multiple_choice(options: Vec<Choice>, answer: &str) -> Result<QuestionBody, String> {
    let correct = list(answer)
        .iter()
        .map(|part| option_named(&options, part))
        .collect::<Result<BTreeSet<_>, _>>()?;
    if correct.is_empty() {
        return Err("the answer is empty: give the right options' numbers or texts".to_owned());
    }
    Ok(QuestionBody::MultipleChoice { options, correct })
}

fn true_false(answer: &str) -> Result<bool, String> {
    match answer.trim().to_lowercase().as_str() {
        "true" | "да" | "верно" => Ok(true),
        "false" | "нет" | "неверно" => Ok(false),
        _ => Err(format!(
            "the answer \"{answer}\" is not true/false (да/нет, верно/неверно)"
        )),
    }
}

/// `value`, `value:tolerance` or `value±tolerance`.
fn numeric(answer: &str) -> Result<QuestionBody, String> {
    if answer.is_empty() {
        return Err("the answer is empty: give the number".to_owned());
    }
    let (value, tolerance) = answer.split_once(['±', ':']).unwrap_or((answer, "0"));
    let number = |text: &str| {
        parse_number(text).ok_or_else(|| format!("\"{}\" is not a number", text.trim()))
    };
    Ok(QuestionBody::Numeric {
        value: number(value)?,
        tolerance: number(tolerance)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::format::{Format, ImportIssue, parse as parse_format};

    const SAMPLE_COMMA: &str = include_str!("samples/sample_comma.csv");
    const SAMPLE_SEMICOLON: &str = include_str!("samples/sample_semicolon.csv");
    const BROKEN: &str = include_str!("samples/broken.csv");

    fn csv(text: &str) -> Parsed {
        parse_format(Format::Csv, text, "Импорт")
    }

    fn option_texts(options: &[Choice], ids: &BTreeSet<OptionId>) -> Vec<String> {
        options
            .iter()
            .filter(|o| ids.contains(&o.id))
            .map(|o| o.text.clone())
            .collect()
    }

    fn right(body: &QuestionBody) -> Vec<String> {
        match body {
            QuestionBody::SingleChoice { options, correct } => {
                option_texts(options, &BTreeSet::from([*correct]))
            }
            QuestionBody::MultipleChoice { options, correct } => option_texts(options, correct),
            QuestionBody::TrueFalse { correct } => vec![correct.to_string()],
            QuestionBody::ShortText { accepted } => accepted.clone(),
            QuestionBody::Numeric { value, tolerance } => vec![format!("{value}±{tolerance}")],
            other => vec![other.kind_name().to_owned()],
        }
    }

    #[test]
    fn both_samples_give_the_same_questions() {
        let comma = csv(SAMPLE_COMMA);
        let semicolon = csv(SAMPLE_SEMICOLON);
        assert!(comma.issues.is_empty(), "{:?}", comma.issues);
        assert!(semicolon.issues.is_empty(), "{:?}", semicolon.issues);
        for parsed in [&comma, &semicolon] {
            let got: Vec<(u32, &str, &str, Vec<String>)> = parsed
                .questions
                .iter()
                .map(|q| {
                    (
                        q.line,
                        q.category.as_str(),
                        q.body.kind_name(),
                        right(&q.body),
                    )
                })
                .collect();
            let s = |items: &[&str]| items.iter().map(ToString::to_string).collect::<Vec<_>>();
            assert_eq!(
                got,
                [
                    (2, "Импорт", "single_choice", s(&["4"])),
                    (3, "ЕГЭ/Задание 1", "single_choice", s(&["3"])),
                    (4, "ЕГЭ/Задание 1", "multiple_choice", s(&["2", "3", "5"])),
                    (5, "Импорт", "true_false", s(&["false"])),
                    (6, "Импорт", "short_text", s(&["сумма", "сумму"])),
                    (7, "Импорт", "numeric", s(&["9.81±0.01"])),
                    (8, "Импорт", "numeric", s(&["2.5±0"])),
                    (9, "Импорт", "essay", s(&["essay"])),
                    (11, "Импорт", "numeric", s(&["120±0.5"])),
                ]
            );
        }
        let first = &comma.questions[0];
        assert_eq!(first.points, Points::new(2.0).ok());
        assert_eq!(first.tags, ["устно", "сложение"]);
        assert_eq!(
            first
                .explanation
                .as_ref()
                .map(RichText::plain_text)
                .as_deref(),
            Some("Два и два — четыре.")
        );
        assert_eq!(comma.questions[1].points, Points::new(1.5).ok());
        assert_eq!(comma.questions[1].title, None);
        let essay = &comma.questions[7];
        assert_eq!(
            essay.prompt.plain_text(),
            "Опишите, как решать уравнения.\nПриведите пример."
        );
    }

    #[test]
    fn bad_rows_are_reported_with_their_lines() {
        let parsed = csv(BROKEN);
        let issues: Vec<(u32, &str)> = parsed
            .issues
            .iter()
            .map(|i| (i.line, i.reason.as_str()))
            .collect();
        assert_eq!(
            issues,
            [
                (3, "unknown kind \"выбор\""),
                (
                    4,
                    "the answer \"7\" is neither an option's number nor its text"
                ),
                (
                    5,
                    "the answer \"может быть\" is not true/false (да/нет, верно/неверно)"
                ),
                (6, "\"abc\" is not a number"),
                (7, "points \"-1\" are not a positive number up to 100000"),
                (8, "the prompt is empty"),
                (
                    9,
                    "a choice question needs at least two distinct, non-empty options"
                ),
                (
                    10,
                    "category: the category must be at most 200 characters of non-empty '/'-separated parts"
                ),
            ]
        );
        let good: Vec<u32> = parsed.questions.iter().map(|q| q.line).collect();
        assert_eq!(good, [2, 11]);
    }

    #[test]
    fn the_header_decides_what_is_read() {
        let issue = |text: &str| -> Vec<ImportIssue> { csv(text).issues };
        assert_eq!(
            issue("kind,prompt,level\nessay,Q,1\n"),
            [ImportIssue {
                line: 1,
                reason: "unknown column \"level\" (columns: category, kind, prompt, answer, \
                         options, points, tags, explanation)"
                    .to_owned()
            }]
        );
        assert_eq!(
            issue("kind,answer\n")[0].reason,
            "the \"prompt\" column is required"
        );
        assert_eq!(
            issue("Kind,Prompt,KIND\n")[0].reason,
            "the column \"KIND\" appears twice"
        );
        assert_eq!(
            issue("")[0].reason,
            "the file is empty: a header row is needed"
        );
        let parsed = csv("PROMPT;Kind\nНапишите эссе;эссе\n");
        assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
        assert_eq!(parsed.questions[0].body, QuestionBody::Essay);
    }

    #[test]
    fn an_options_text_wins_over_its_number() {
        let parsed =
            csv("kind,prompt,options,answer\none,Q,x|y,1\nодин,Q,2|3|4,2\nодин,Q,2|3|4,1\n");
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(right(&parsed.questions[0].body), ["2"]);
        assert_eq!(right(&parsed.questions[1].body), ["2"]);
    }

    #[test]
    fn numeric_answers() {
        for (answer, value, tolerance) in [
            ("5", 5.0, 0.0),
            ("\"2,5\"", 2.5, 0.0),
            ("9.81:0.01", 9.81, 0.01),
            ("10±1", 10.0, 1.0),
            ("\"−4 ± 0,5\"", -4.0, 0.5),
        ] {
            let parsed = csv(&format!("kind,prompt,answer\nnumeric,Q,{answer}\n"));
            assert!(parsed.issues.is_empty(), "{:?} {answer}", parsed.issues);
            assert_eq!(
                parsed.questions[0].body,
                QuestionBody::Numeric { value, tolerance },
                "{answer}"
            );
        }
    }
}
