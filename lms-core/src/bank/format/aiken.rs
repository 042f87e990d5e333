//! The Aiken format: single-choice questions as plain text.
//!
//! ```text
//! Сколько будет 2 + 2?
//! A) 3
//! B) 4
//! C) 5
//! ANSWER: B
//! ```
//!
//! The question text takes one or more lines; then come the options, one a
//! line, lettered `A)` or `A.` with consecutive capital letters from `A`;
//! then the `ANSWER: X` line, which ends the question. Questions are
//! separated by blank lines. A question without options, with fewer than
//! two, or with a missing or unknown answer letter is reported as an issue
//! at its first line.

use super::{Collector, ImportedQuestion, Parsed, line_number};
use crate::ids::OptionId;
use crate::quiz::{Choice, QuestionBody};
use crate::richtext::RichText;

/// Parses an Aiken file.
pub(super) fn parse(text: &str, default_category: &str) -> Parsed {
    let mut collector = Collector::default();
    let mut block: Option<Block<'_>> = None;
    for (index, line) in text.lines().enumerate() {
        let line_no = line_number(index);
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if let Some(done) = block.take()
                && !collector.add(done.line, done.finish(None, default_category))
            {
                return collector.finish();
            }
            continue;
        }
        if let Some(answer) = answer_line(trimmed) {
            let done = block.take().unwrap_or_else(|| Block::new(line_no));
            if !collector.add(done.line, done.finish(Some(answer), default_category)) {
                return collector.finish();
            }
        } else {
            block
                .get_or_insert_with(|| Block::new(line_no))
                .push(trimmed);
        }
    }
    if let Some(done) = block {
        collector.add(done.line, done.finish(None, default_category));
    }
    collector.finish()
}

/// A question being read.
#[derive(Debug)]
struct Block<'a> {
    /// Line of its first line.
    line: u32,
    /// Question text lines.
    text: Vec<&'a str>,
    /// Option texts, `A` first.
    options: Vec<&'a str>,
    /// The first thing wrong with it.
    error: Option<String>,
}

impl<'a> Block<'a> {
    fn new(line: u32) -> Self {
        Self {
            line,
            text: Vec::new(),
            options: Vec::new(),
            error: None,
        }
    }

    /// Takes a non-blank, non-`ANSWER` line.
    fn push(&mut self, line: &'a str) {
        if self.error.is_some() {
            return;
        }
        match option_line(line) {
            Some((letter, text)) if !self.text.is_empty() => {
                if letter_index(letter) == Some(self.options.len()) {
                    self.options.push(text);
                } else {
                    self.error = Some(format!(
                        "option {letter} is out of order: options are lettered A, B, C, … in turn"
                    ));
                }
            }
            _ if !self.options.is_empty() => {
                self.error = Some(format!(
                    "\"{}\" after the options is neither an option nor the ANSWER line",
                    shorten(line)
                ));
            }
            _ => self.text.push(line),
        }
    }

    /// The question, given the `ANSWER:` text (`None`: no such line).
    fn finish(self, answer: Option<&str>, category: &str) -> Result<ImportedQuestion, String> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.text.is_empty() {
            return Err("the question text is empty".to_owned());
        }
        match self.options.len() {
            0 => return Err("no options: write them as A) text or A. text".to_owned()),
            1 => return Err("fewer than two options".to_owned()),
            _ => {}
        }
        let answer = answer.ok_or("no ANSWER: line")?;
        let correct = answer_index(answer, self.options.len())?;
        let options: Vec<Choice> = self
            .options
            .iter()
            .map(|text| Choice {
                id: OptionId::new(),
                text: (*text).to_owned(),
            })
            .collect();
        let correct = options
            .get(correct)
            .map(|o| o.id)
            .ok_or("the answer names no option")?;
        Ok(ImportedQuestion {
            line: self.line,
            category: category.to_owned(),
            title: None,
            prompt: RichText::from_plain_text(&self.text.join("\n")),
            points: None,
            body: QuestionBody::SingleChoice { options, correct },
            explanation: None,
            tags: Vec::new(),
        })
    }
}

/// The text after `ANSWER:` on an answer line.
fn answer_line(line: &str) -> Option<&str> {
    let head = line.get(..6)?;
    if !head.eq_ignore_ascii_case("answer") {
        return None;
    }
    line.get(6..)?.trim_start().strip_prefix(':')
}

/// The option an `ANSWER:` line names, as an index.
fn answer_index(answer: &str, options: usize) -> Result<usize, String> {
    let answer = answer.trim();
    let mut chars = answer.chars();
    let (Some(letter), None) = (chars.next(), chars.next()) else {
        return Err(if answer.is_empty() {
            "the ANSWER line names no letter".to_owned()
        } else {
            format!("ANSWER: \"{}\" is not one letter", shorten(answer))
        });
    };
    letter_index(letter.to_ascii_uppercase())
        .filter(|&index| index < options)
        .ok_or_else(|| format!("ANSWER: {letter} names no option"))
}

/// `A) text` or `A. text` as its letter and text.
fn option_line(line: &str) -> Option<(char, &str)> {
    let mut chars = line.chars();
    let letter = chars.next().filter(char::is_ascii_uppercase)?;
    let rest = chars.as_str();
    let text = rest.strip_prefix(')').or_else(|| rest.strip_prefix('.'))?;
    (text.is_empty() || text.starts_with(char::is_whitespace)).then_some((letter, text.trim()))
}

/// `A` → 0, `B` → 1, …
fn letter_index(letter: char) -> Option<usize> {
    ('A'..='Z').position(|c| c == letter)
}

/// At most 40 characters of `text`, for messages.
fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if text.chars().nth(40).is_some() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::format::{Format, parse as parse_format};

    const SAMPLE: &str = include_str!("samples/sample.aiken");
    const BROKEN: &str = include_str!("samples/broken.aiken");

    fn aiken(text: &str) -> Parsed {
        parse_format(Format::Aiken, text, "Aiken")
    }

    /// Option texts and the right one.
    fn choice(body: &QuestionBody) -> (Vec<&str>, &str) {
        let QuestionBody::SingleChoice { options, correct } = body else {
            panic!("not single choice: {body:?}");
        };
        let right = options
            .iter()
            .find(|o| o.id == *correct)
            .map_or("", |o| o.text.as_str());
        (options.iter().map(|o| o.text.as_str()).collect(), right)
    }

    /// A parsed question: its line, prompt, option texts and right option.
    type Shown<'a> = (u32, String, (Vec<&'a str>, &'a str));

    #[test]
    fn the_sample_parses() {
        let parsed = aiken(SAMPLE);
        assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
        let got: Vec<Shown> = parsed
            .questions
            .iter()
            .map(|q| (q.line, q.prompt.plain_text(), choice(&q.body)))
            .collect();
        assert_eq!(
            got,
            [
                (
                    1,
                    "Сколько будет 2 + 2?".to_owned(),
                    (vec!["3", "4", "5"], "4")
                ),
                (
                    7,
                    "Какая из дробей больше?\nВыберите одну.".to_owned(),
                    (vec!["1/2", "1/3", "2/3", "1/4"], "2/3")
                ),
                (
                    15,
                    "Столица России?".to_owned(),
                    (vec!["Москва", "Санкт-Петербург"], "Москва")
                ),
                (
                    19,
                    "A. S. Pushkin wrote «Eugene Onegin».".to_owned(),
                    (vec!["True", "False"], "True")
                ),
            ]
        );
        assert!(
            parsed
                .questions
                .iter()
                .all(|q| q.category == "Aiken" && q.title.is_none() && q.points.is_none())
        );
    }

    #[test]
    fn broken_questions_are_reported_at_their_first_line() {
        let parsed = aiken(BROKEN);
        let issues: Vec<(u32, &str)> = parsed
            .issues
            .iter()
            .map(|i| (i.line, i.reason.as_str()))
            .collect();
        assert_eq!(
            issues,
            [
                (6, "no options: write them as A) text or A. text"),
                (9, "fewer than two options"),
                (13, "no ANSWER: line"),
                (17, "ANSWER: D names no option"),
                (
                    23,
                    "option C is out of order: options are lettered A, B, C, … in turn"
                ),
                (28, "the ANSWER line names no letter"),
            ]
        );
        let good: Vec<u32> = parsed.questions.iter().map(|q| q.line).collect();
        assert_eq!(good, [1, 33]);
    }

    #[test]
    fn lines_after_the_options_are_refused() {
        let parsed = aiken("Q?\nA) 1\nB) 2\nmore text\nANSWER: A\n");
        assert_eq!(parsed.issues.len(), 1);
        assert!(parsed.issues[0].reason.contains("\"more text\""));
    }

    #[test]
    fn answer_lines_are_lenient_about_case_and_spaces() {
        for line in ["ANSWER: B", "answer:b", "Answer :  B  "] {
            let parsed = aiken(&format!("Q?\nA. 1\nB. 2\n{line}"));
            assert!(parsed.issues.is_empty(), "{:?} {line}", parsed.issues);
            assert_eq!(choice(&parsed.questions[0].body).1, "2");
        }
        assert_eq!(
            aiken("Q?\nA. 1\nB. 2\nANSWER: AB").issues[0].reason,
            "ANSWER: \"AB\" is not one letter"
        );
    }
}
