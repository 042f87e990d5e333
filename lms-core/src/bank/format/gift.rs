//! Moodle's GIFT format (<https://docs.moodle.org/en/GIFT_format>).
//!
//! Questions are separated by blank lines; `//` lines are comments (a
//! `[tag:name]` in a question's comments tags it). `$CATEGORY: path` puts
//! the questions after it into `path` (a leading `$course$/top/` is
//! dropped). A question is an optional `::title::`, an optional format
//! (`[html]` is HTML, `[plain]`, `[moodle]`, `[markdown]` and no marker are
//! plain text), the text, and one answer block:
//!
//! | block | question |
//! |---|---|
//! | `{T}` `{TRUE}` `{F}` `{FALSE}` | true/false |
//! | `{=right ~wrong ~wrong}` | single choice |
//! | `{~%50%a ~%50%b ~%-100%c}`, `{=a =b ~c}` | multiple choice: the answers with positive weight are right |
//! | `{=answer =other}`, `{=%100%answer}` | short answer (answers under 100 % are dropped) |
//! | `{#3.14:0.01}` `{#1..5}` `{#=3:0 =%50%2:1}` | numeric (the first 100 % answer) |
//! | `{=a -> 1 =b -> 2}` | matching (at least two pairs) |
//! | `{}` | essay |
//!
//! `#feedback` after an answer is dropped; `####feedback` at the end of the
//! block is the explanation. Text after the block makes a "missing word"
//! question: `_____` stands where the block was. `\~ \= \# \{ \} \: \\`
//! are the characters themselves and `\n` a line break.
//!
//! Refused, each as an issue at the question's first line: descriptions
//! (no answer block), unclosed or extra braces, an unclosed `::title`,
//! answers without text, choice blocks with fewer than two answers or none
//! right, matching distractors (`= -> text`), numbers that do not parse.
//!
//! Export writes what import reads back: `$CATEGORY: $course$/top/<path>`
//! lines, `// [tag:…]` comments, `::title::[html]<prompt>` and the answers
//! (a multiple-choice question's right options share 100 %, its wrong ones
//! −100 %, as the grading scores them).

use std::collections::BTreeSet;

use super::{Collector, ImportedQuestion, Parsed, line_number, parse_number};
use crate::bank::{BankQuestion, normalize_category, normalize_tags};
use crate::ids::OptionId;
use crate::quiz::{Choice, MatchPair, QuestionBody};
use crate::richtext::RichText;

/// Parses a GIFT file.
pub(super) fn parse(text: &str, default_category: &str) -> Parsed {
    let mut collector = Collector::default();
    let mut category = default_category.to_owned();
    for mut chunk in chunks(text) {
        if let Some((line, path)) = chunk.take_category() {
            match category_path(path) {
                Ok(path) => category = path,
                Err(reason) => collector.issue(line, reason),
            }
        }
        let Some(&(line, _)) = chunk.lines.first() else {
            continue;
        };
        if !collector.add(line, question(&chunk, line, &category)) {
            break;
        }
    }
    collector.finish()
}

/// Lines between blank lines.
#[derive(Debug, Default)]
struct Chunk<'a> {
    /// Lines that are not comments, with their numbers.
    lines: Vec<(u32, &'a str)>,
    /// Comment lines.
    comments: Vec<&'a str>,
}

impl<'a> Chunk<'a> {
    /// The path of a `$CATEGORY:` first line, which is taken out.
    fn take_category(&mut self) -> Option<(u32, &'a str)> {
        let &(line, first) = self.lines.first()?;
        let path = first.trim().strip_prefix("$CATEGORY:")?;
        self.lines.remove(0);
        Some((line, path))
    }

    fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.comments.is_empty()
    }

    /// The text lines joined.
    fn text(&self) -> String {
        let lines: Vec<&str> = self.lines.iter().map(|&(_, line)| line).collect();
        lines.join("\n")
    }
}

/// The file cut at blank lines.
fn chunks(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut current = Chunk::default();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if !current.is_empty() {
                chunks.push(std::mem::take(&mut current));
            }
        } else if trimmed.starts_with("//") {
            current.comments.push(trimmed);
        } else {
            current.lines.push((line_number(index), line));
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// A `$CATEGORY:` path without Moodle's context (`$course$`, `$system$`, …)
/// and `top`, normalised.
fn category_path(raw: &str) -> Result<String, String> {
    let path = strip_segment(raw.trim(), |s| {
        s.len() >= 2 && s.starts_with('$') && s.ends_with('$')
    });
    let path = strip_segment(path, |s| s == "top");
    normalize_category(path).map_err(|e| format!("$CATEGORY: {e}"))
}

/// `path` without its first `/`-separated segment when `drop` says so.
fn strip_segment(path: &str, drop: impl Fn(&str) -> bool) -> &str {
    let (first, rest) = path.split_once('/').unwrap_or((path, ""));
    if drop(first.trim()) { rest } else { path }
}

/// The `[tag:name]`s of a question's comments (`\]` is `]`).
fn comment_tags(comments: &[&str]) -> Vec<String> {
    let mut tags = Vec::new();
    for comment in comments {
        let mut rest = *comment;
        while let Some(at) = rest.find("[tag:") {
            let Some((tag, after)) = bracketed(&rest[at + "[tag:".len()..]) else {
                break;
            };
            if !tag.trim().is_empty() {
                tags.push(tag.trim().to_owned());
            }
            rest = after;
        }
    }
    tags
}

/// The text up to the first `]` not escaped as `\]`, and what follows.
fn bracketed(text: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|&(_, next)| next == ']') => {
                out.push(']');
                chars.next();
            }
            ']' => return Some((out, &text[at + 1..])),
            _ => out.push(c),
        }
    }
    None
}

/// One question from its chunk.
fn question(chunk: &Chunk<'_>, line: u32, category: &str) -> Result<ImportedQuestion, String> {
    let chars = decode(&chunk.text());
    let (title, rest) = split_title(trim(&chars))?;
    let (markup, rest) = split_markup(trim(rest));
    let markup = markup.unwrap_or(Markup::Plain);
    let parts = split_block(rest)?;
    let (answers, feedback) = split_feedback(parts.answers);
    let body = body(trim(answers))?;
    let explanation = feedback
        .map(|feedback| {
            let (own, text) = split_markup(trim(feedback));
            own.unwrap_or(markup).rich_text(&to_string(trim(text)))
        })
        .filter(|e| !e.is_blank());
    let tags = normalize_tags(&comment_tags(&chunk.comments)).map_err(|e| e.to_string())?;
    Ok(ImportedQuestion {
        line,
        category: category.to_owned(),
        title,
        prompt: markup.rich_text(&parts.prompt()),
        points: None,
        body,
        explanation,
        tags,
    })
}

/// How a text is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    /// `[html]`.
    Html,
    /// `[plain]`, `[moodle]`, `[markdown]` or no marker.
    Plain,
}

impl Markup {
    fn rich_text(self, text: &str) -> RichText {
        match self {
            Self::Html => RichText::sanitize(text),
            Self::Plain => RichText::from_plain_text(text),
        }
    }
}

/// The `::title::` of a question and the rest.
fn split_title(text: &[Ch]) -> Result<(Option<String>, &[Ch]), String> {
    if !starts_with(text, "::") {
        return Ok((None, text));
    }
    let rest = &text[2..];
    let end = find(rest, "::").ok_or("the title has no closing ::")?;
    let title = to_string(trim(&rest[..end]));
    Ok(((!title.is_empty()).then_some(title), &rest[end + 2..]))
}

/// A leading `[html]`, `[plain]`, `[moodle]` or `[markdown]` and the rest.
fn split_markup(text: &[Ch]) -> (Option<Markup>, &[Ch]) {
    const MARKERS: [(&str, Markup); 4] = [
        ("[html]", Markup::Html),
        ("[plain]", Markup::Plain),
        ("[moodle]", Markup::Plain),
        ("[markdown]", Markup::Plain),
    ];
    MARKERS
        .iter()
        .find(|(marker, _)| starts_with(text, marker))
        .map_or((None, text), |&(marker, markup)| {
            (Some(markup), &text[marker.chars().count()..])
        })
}

/// A question's text around its answer block, and the block's inside.
#[derive(Debug)]
struct Parts<'a> {
    before: &'a [Ch],
    answers: &'a [Ch],
    after: &'a [Ch],
}

impl Parts<'_> {
    /// The question text: the block left out at the end, `_____` where it
    /// stood in the middle (the "missing word" form).
    fn prompt(&self) -> String {
        if trim(self.after).is_empty() {
            to_string(trim(self.before))
        } else {
            let text = format!("{}_____{}", to_string(self.before), to_string(self.after));
            text.trim().to_owned()
        }
    }
}

/// Finds the one answer block `{…}`.
fn split_block(text: &[Ch]) -> Result<Parts<'_>, String> {
    let open = find(text, "{");
    let close = find(text, "}");
    let (open, close) = match (open, close) {
        (None, None) => {
            return Err("no answer block {…}: descriptions are not imported".to_owned());
        }
        (Some(_), None) => return Err("the answer block is not closed with }".to_owned()),
        (Some(open), Some(close)) if open < close => (open, close),
        _ => return Err("a } before the answer block: escape it as \\}".to_owned()),
    };
    let (answers, after) = (&text[open + 1..close], &text[close + 1..]);
    if find(answers, "{").is_some() || find(after, "{").is_some() || find(after, "}").is_some() {
        return Err(
            "more than one answer block: escape braces that are text as \\{ and \\}".to_owned(),
        );
    }
    Ok(Parts {
        before: &text[..open],
        answers,
        after,
    })
}

/// The answers and the general feedback after the last `####`.
fn split_feedback(answers: &[Ch]) -> (&[Ch], Option<&[Ch]>) {
    match rfind(answers, "####") {
        Some(at) => (&answers[..at], Some(&answers[at + 4..])),
        None => (answers, None),
    }
}

/// The question an answer block makes, told apart as Moodle does.
fn body(answers: &[Ch]) -> Result<QuestionBody, String> {
    if answers.is_empty() {
        return Ok(QuestionBody::Essay);
    }
    if starts_with(answers, "#") {
        return numeric(&answers[1..]);
    }
    if find(answers, "~").is_some() {
        return choice(answers);
    }
    if find(answers, "=").is_some() && find(answers, "->").is_some() {
        return matching(answers);
    }
    if let Some(correct) = true_false(answers) {
        return Ok(QuestionBody::TrueFalse { correct });
    }
    short_text(answers)
}

/// `T`, `TRUE`, `F` or `FALSE`, optionally with `#feedback`.
fn true_false(answers: &[Ch]) -> Option<bool> {
    let head = find(answers, "#").map_or(answers, |at| &answers[..at]);
    match to_string(trim(head)).as_str() {
        "T" | "TRUE" => Some(true),
        "F" | "FALSE" => Some(false),
        _ => None,
    }
}

/// One answer of a choice, short-answer or numeric block.
#[derive(Debug)]
struct Answer {
    /// `=`, `~`, or none for text before the first marker.
    marker: Option<char>,
    /// `%n%` after the marker.
    weight: Option<f64>,
    /// The text, feedback dropped.
    text: String,
}

impl Answer {
    /// The credit in percent: the weight, else 100 for `=`, 0 for `~` and
    /// `unmarked` for text before the first marker.
    fn credit(&self, unmarked: f64) -> f64 {
        self.weight.unwrap_or(match self.marker {
            Some('=') => 100.0,
            Some(_) => 0.0,
            None => unmarked,
        })
    }
}

/// The answers of a block, cut before each unescaped marker.
fn answers(block: &[Ch], markers: &[char]) -> Result<Vec<Answer>, String> {
    let answers: Vec<Answer> = split_marked(block, markers)
        .into_iter()
        .map(|(marker, text)| answer(marker, text))
        .collect();
    if let Some(n) = answers.iter().position(|a| a.text.is_empty()) {
        return Err(format!("answer {} has no text", n + 1));
    }
    Ok(answers)
}

/// The pieces of a block starting at each marker (markers left out), and
/// the text before the first marker when there is some.
fn split_marked<'a>(block: &'a [Ch], markers: &[char]) -> Vec<(Option<char>, &'a [Ch])> {
    let mut pieces = Vec::new();
    let mut marker = None;
    let mut start = 0;
    for (at, ch) in block.iter().enumerate() {
        if !ch.escaped && markers.contains(&ch.c) {
            if marker.is_some() || !trim(&block[..at]).is_empty() {
                pieces.push((marker, &block[start..at]));
            }
            marker = Some(ch.c);
            start = at + 1;
        }
    }
    if marker.is_some() || !trim(block).is_empty() {
        pieces.push((marker, &block[start..]));
    }
    pieces
}

/// An answer from the text after its marker: `%weight%`, text, `#feedback`.
fn answer(marker: Option<char>, text: &[Ch]) -> Answer {
    let text = trim(text);
    let (weight, text) = split_weight(text);
    let text = find(text, "#").map_or(text, |at| &text[..at]);
    Answer {
        marker,
        weight,
        text: to_string(trim(text)),
    }
}

/// A leading `%n%` weight and the rest; none when it is not a number.
fn split_weight(text: &[Ch]) -> (Option<f64>, &[Ch]) {
    if !starts_with(text, "%") {
        return (None, text);
    }
    let Some(end) = find(&text[1..], "%").map(|at| at + 1) else {
        return (None, text);
    };
    match parse_number(&to_string(&text[1..end])) {
        Some(weight) => (Some(weight), &text[end + 1..]),
        None => (None, text),
    }
}

/// `{=right ~wrong}`: single choice; weights or several right answers:
/// multiple choice.
fn choice(block: &[Ch]) -> Result<QuestionBody, String> {
    let answers = answers(block, &['=', '~'])?;
    if answers.len() < 2 {
        return Err("a choice question needs at least two answers".to_owned());
    }
    let weighted = answers.iter().any(|a| a.weight.is_some());
    let mut options = Vec::with_capacity(answers.len());
    let mut correct = BTreeSet::new();
    for answer in answers {
        let id = OptionId::new();
        if answer.credit(0.0) > 0.0 {
            correct.insert(id);
        }
        options.push(Choice {
            id,
            text: answer.text,
        });
    }
    match correct.first() {
        None => Err("no answer is right: mark one with = or a positive %weight%".to_owned()),
        Some(&right) if !weighted && correct.len() == 1 => Ok(QuestionBody::SingleChoice {
            options,
            correct: right,
        }),
        Some(_) => Ok(QuestionBody::MultipleChoice { options, correct }),
    }
}

/// `{=answer =other}`: the fully right answers are accepted.
fn short_text(block: &[Ch]) -> Result<QuestionBody, String> {
    let accepted: Vec<String> = answers(block, &['='])?
        .into_iter()
        .filter(|a| a.credit(100.0) >= 100.0)
        .map(|a| a.text)
        .collect();
    if accepted.is_empty() {
        return Err("no answer is fully right (100%)".to_owned());
    }
    Ok(QuestionBody::ShortText { accepted })
}

/// `{#value:tolerance}`, `{#min..max}` or `{#=value:tolerance =%50%…}`
/// (the first fully right answer; `~` starts feedback for wrong answers).
fn numeric(block: &[Ch]) -> Result<QuestionBody, String> {
    let block = find(block, "~").map_or(block, |at| &block[..at]);
    let answers = answers(block, &['='])?;
    if answers.is_empty() {
        return Err("a numeric question needs an answer".to_owned());
    }
    let right = answers
        .iter()
        .find(|a| a.credit(100.0) >= 100.0)
        .ok_or("no numeric answer is fully right (100%)")?;
    let (value, tolerance) = number_with_tolerance(&right.text)?;
    Ok(QuestionBody::Numeric { value, tolerance })
}

/// `value`, `value:tolerance` or `min..max` as value and tolerance.
fn number_with_tolerance(text: &str) -> Result<(f64, f64), String> {
    let number =
        |s: &str| parse_number(s).ok_or_else(|| format!("\"{}\" is not a number", s.trim()));
    if let Some((min, max)) = text
        .split_once("..")
        .filter(|(min, _)| !min.trim().is_empty())
    {
        let (min, max) = (number(min)?, number(max)?);
        if max < min {
            return Err(format!("the range {min}..{max} ends below its start"));
        }
        return Ok(((min + max) / 2.0, (max - min) / 2.0));
    }
    if let Some((value, tolerance)) = text.split_once(':') {
        return Ok((number(value)?, number(tolerance)?));
    }
    Ok((number(text)?, 0.0))
}

/// `{=left -> right =left -> right}`.
fn matching(block: &[Ch]) -> Result<QuestionBody, String> {
    let pairs = split_marked(block, &['='])
        .into_iter()
        .enumerate()
        .map(|(n, (_, text))| pair(n + 1, text))
        .collect::<Result<Vec<_>, _>>()?;
    if pairs.len() < 2 {
        return Err("matching needs at least two pairs".to_owned());
    }
    Ok(QuestionBody::Matching { pairs })
}

/// One `left -> right` pair (feedback after `#` dropped).
fn pair(n: usize, text: &[Ch]) -> Result<MatchPair, String> {
    let text = find(text, "#").map_or(text, |at| &text[..at]);
    let arrow = find(text, "->").ok_or_else(|| format!("pair {n} has no ->"))?;
    let left = to_string(trim(&text[..arrow]));
    let right = to_string(trim(&text[arrow + 2..]));
    if left.is_empty() {
        return Err(format!(
            "pair {n}: matching distractors (nothing before ->) are not supported"
        ));
    }
    if right.is_empty() {
        return Err(format!("pair {n} has nothing after ->"));
    }
    let item = |text| Choice {
        id: OptionId::new(),
        text,
    };
    Ok(MatchPair {
        left: item(left),
        right: item(right),
    })
}

/// A character of GIFT text and whether it was escaped with `\` (escaped
/// characters are text, never syntax).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ch {
    c: char,
    escaped: bool,
}

/// The characters of `text` with GIFT's escapes resolved: `\~ \= \# \{ \}
/// \: \\` are the character itself, `\n` a line break; another backslash
/// stays.
fn decode(text: &str) -> Vec<Ch> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let escaped = match (c, chars.peek().copied()) {
            ('\\', Some(next @ ('~' | '=' | '#' | '{' | '}' | ':' | '\\'))) => Some(next),
            ('\\', Some('n')) => Some('\n'),
            _ => None,
        };
        match escaped {
            Some(c) => {
                chars.next();
                out.push(Ch { c, escaped: true });
            }
            None => out.push(Ch {
                c,
                escaped: c == '\\',
            }),
        }
    }
    out
}

fn to_string(text: &[Ch]) -> String {
    text.iter().map(|ch| ch.c).collect()
}

fn trim(text: &[Ch]) -> &[Ch] {
    let start = text
        .iter()
        .position(|ch| !ch.c.is_whitespace())
        .unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|ch| !ch.c.is_whitespace())
        .map_or(start, |last| last + 1);
    &text[start..end]
}

/// Whether unescaped `pattern` stands at `at`.
fn matches_at(text: &[Ch], at: usize, pattern: &str) -> bool {
    pattern
        .chars()
        .enumerate()
        .all(|(i, p)| text.get(at + i).is_some_and(|ch| !ch.escaped && ch.c == p))
}

fn starts_with(text: &[Ch], pattern: &str) -> bool {
    matches_at(text, 0, pattern)
}

fn find(text: &[Ch], pattern: &str) -> Option<usize> {
    (0..text.len()).find(|&at| matches_at(text, at, pattern))
}

fn rfind(text: &[Ch], pattern: &str) -> Option<usize> {
    (0..text.len())
        .rev()
        .find(|&at| matches_at(text, at, pattern))
}

/// Writes questions as GIFT: a `$CATEGORY:` line whenever the category
/// changes (questions are grouped as given), tags as a `// [tag:…]`
/// comment, a `::title::` from the start of the prompt, the prompt as
/// `[html]`, the answers and the explanation as `####` feedback, a blank
/// line after each question. Ordering questions and random slots have no
/// GIFT form: they become `// skipped: …` comments.
pub(super) fn export(questions: &[BankQuestion]) -> String {
    let mut out = String::new();
    let mut category: Option<&str> = None;
    for question in questions {
        if category != Some(question.category.as_str()) {
            out.push_str(&category_line(&question.category));
            category = Some(&question.category);
        }
        out.push_str(&export_question(question));
        out.push('\n');
    }
    out
}

/// `$CATEGORY: $course$/top/<path>` and a blank line.
fn category_line(category: &str) -> String {
    if category.is_empty() {
        "$CATEGORY: $course$/top\n\n".to_owned()
    } else {
        format!("$CATEGORY: $course$/top/{category}\n\n")
    }
}

/// One question's lines.
fn export_question(question: &BankQuestion) -> String {
    let title = snippet(&question.prompt);
    let Some(block) = answer_block(&question.body, question.explanation.as_ref()) else {
        return format!(
            "// skipped: {} question \"{title}\"\n",
            question.body.kind_name()
        );
    };
    let mut out = String::new();
    if !question.tags.is_empty() {
        let tags: Vec<String> = question
            .tags
            .iter()
            .map(|tag| format!("[tag:{}]", tag.replace(']', "\\]")))
            .collect();
        out.push_str(&format!("// {}\n", tags.join(" ")));
    }
    if !title.is_empty() {
        out.push_str(&format!("::{}::", escape(&title)));
    }
    out.push_str("[html]");
    out.push_str(&escape(question.prompt.as_html()));
    out.push_str(&block);
    out.push('\n');
    out
}

/// The first 40 characters of the prompt's text on one line.
fn snippet(prompt: &RichText) -> String {
    let text = prompt.plain_text();
    let words: Vec<&str> = text.split_whitespace().collect();
    let start: String = words.join(" ").chars().take(40).collect();
    start.trim_end().to_owned()
}

/// The `{…}` block of a body; `None` for kinds GIFT cannot express.
fn answer_block(body: &QuestionBody, explanation: Option<&RichText>) -> Option<String> {
    let (head, lines): (&str, Vec<String>) = match body {
        QuestionBody::SingleChoice { options, correct } => (
            "",
            options
                .iter()
                .map(|o| {
                    let marker = if o.id == *correct { '=' } else { '~' };
                    format!("{marker}{}", escape(&o.text))
                })
                .collect(),
        ),
        QuestionBody::MultipleChoice { options, correct } => {
            ("", weighted_options(options, correct))
        }
        QuestionBody::TrueFalse { correct } => {
            ("", vec![if *correct { "TRUE" } else { "FALSE" }.to_owned()])
        }
        QuestionBody::ShortText { accepted } => (
            "",
            accepted.iter().map(|a| format!("={}", escape(a))).collect(),
        ),
        QuestionBody::Numeric { value, tolerance } => ("#", vec![format!("={value}:{tolerance}")]),
        QuestionBody::Matching { pairs } => (
            "",
            pairs
                .iter()
                .map(|p| format!("={} -> {}", escape(&p.left.text), escape(&p.right.text)))
                .collect(),
        ),
        QuestionBody::Essay => ("", Vec::new()),
        QuestionBody::Ordering { .. } | QuestionBody::Random { .. } => return None,
    };
    let mut block = format!("{{{head}\n");
    for line in lines {
        block.push_str(&format!("\t{line}\n"));
    }
    if let Some(explanation) = explanation {
        block.push_str(&format!("\t####{}\n", escape(explanation.as_html())));
    }
    block.push('}');
    Some(block)
}

/// Multiple-choice answers weighted as the grading scores them: the right
/// ones share 100 %, the wrong ones −100 %.
fn weighted_options(options: &[Choice], correct: &BTreeSet<OptionId>) -> Vec<String> {
    let right = options.iter().filter(|o| correct.contains(&o.id)).count();
    let wrong = options.len() - right;
    options
        .iter()
        .map(|o| {
            let weight = if correct.contains(&o.id) {
                percent(100.0 / right as f64)
            } else {
                percent(-100.0 / wrong as f64)
            };
            format!("~%{weight}%{}", escape(&o.text))
        })
        .collect()
}

/// A weight as Moodle writes it: up to five decimals.
fn percent(weight: f64) -> String {
    let text = format!("{weight:.5}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Text with GIFT's special characters escaped and line breaks as `\n`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '~' | '=' | '#' | '{' | '}' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::format::{Format, ImportIssue, parse as parse_format};
    use crate::ids::{BankQuestionId, CourseId, UserId};
    use crate::score::Points;

    const EVERY_CONSTRUCT: &str = include_str!("samples/every_construct.gift");
    const BROKEN: &str = include_str!("samples/broken.gift");
    const TWENTY: &str = include_str!("samples/twenty.gift");

    /// A body with option texts instead of ids, to compare.
    #[derive(Debug, PartialEq)]
    enum Shape {
        Single(Vec<String>, String),
        Multiple(Vec<String>, Vec<String>),
        TrueFalse(bool),
        Short(Vec<String>),
        Numeric(f64, f64),
        Matching(Vec<(String, String)>),
        Essay,
        Other,
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(ToString::to_string).collect()
    }

    fn single(options: &[&str], correct: &str) -> Shape {
        Shape::Single(strings(options), correct.to_owned())
    }

    fn multiple(options: &[&str], correct: &[&str]) -> Shape {
        Shape::Multiple(strings(options), strings(correct))
    }

    fn shape(body: &QuestionBody) -> Shape {
        let texts = |options: &[Choice]| options.iter().map(|o| o.text.clone()).collect();
        let text_of = |options: &[Choice], id: &OptionId| {
            options
                .iter()
                .find(|o| o.id == *id)
                .map(|o| o.text.clone())
                .unwrap_or_default()
        };
        match body {
            QuestionBody::SingleChoice { options, correct } => {
                Shape::Single(texts(options), text_of(options, correct))
            }
            QuestionBody::MultipleChoice { options, correct } => Shape::Multiple(
                texts(options),
                options
                    .iter()
                    .filter(|o| correct.contains(&o.id))
                    .map(|o| o.text.clone())
                    .collect(),
            ),
            QuestionBody::TrueFalse { correct } => Shape::TrueFalse(*correct),
            QuestionBody::ShortText { accepted } => Shape::Short(accepted.clone()),
            QuestionBody::Numeric { value, tolerance } => Shape::Numeric(*value, *tolerance),
            QuestionBody::Matching { pairs } => Shape::Matching(
                pairs
                    .iter()
                    .map(|p| (p.left.text.clone(), p.right.text.clone()))
                    .collect(),
            ),
            QuestionBody::Essay => Shape::Essay,
            _ => Shape::Other,
        }
    }

    fn gift(text: &str) -> Parsed {
        parse_format(Format::Gift, text, "Импорт")
    }

    fn only(text: &str) -> ImportedQuestion {
        let parsed = gift(text);
        assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
        assert_eq!(parsed.questions.len(), 1);
        parsed.questions.into_iter().next().expect("one question")
    }

    fn refused(text: &str) -> String {
        let parsed = gift(text);
        assert!(parsed.questions.is_empty(), "{:?}", parsed.questions);
        assert_eq!(parsed.issues.len(), 1);
        parsed.issues[0].reason.clone()
    }

    #[test]
    fn every_construct_parses_to_the_expected_bodies() {
        let parsed = gift(EVERY_CONSTRUCT);
        assert_eq!(parsed.issues, Vec::<ImportIssue>::new());
        let got: Vec<(u32, &str, Option<&str>, Shape)> = parsed
            .questions
            .iter()
            .map(|q| {
                (
                    q.line,
                    q.category.as_str(),
                    q.title.as_deref(),
                    shape(&q.body),
                )
            })
            .collect();
        let algebra = "Алгебра/Дроби";
        let geometry = "Геометрия";
        let expected = vec![
            (
                1,
                "Импорт",
                Some("Before any category"),
                Shape::TrueFalse(false),
            ),
            (7, algebra, Some("TF with feedback"), Shape::TrueFalse(true)),
            (9, algebra, Some("Single"), single(&["4", "3", "5"], "4")),
            (
                15,
                algebra,
                Some("Multiple"),
                multiple(&["2", "3", "4", "9"], &["2", "3"]),
            ),
            (
                22,
                algebra,
                Some("Short"),
                Shape::Short(strings(&["числитель", "Числитель дроби", "верхнее число"])),
            ),
            (24, algebra, Some("Numeric"), Shape::Numeric(9.81, 0.01)),
            (26, algebra, Some("Range"), Shape::Numeric(3.0, 2.0)),
            (
                28,
                algebra,
                Some("Several numeric"),
                Shape::Numeric(2.5, 0.0),
            ),
            (
                35,
                geometry,
                Some("Matching"),
                Shape::Matching(vec![
                    ("Треугольник".into(), "3".into()),
                    ("Квадрат".into(), "4".into()),
                    ("Пятиугольник".into(), "5".into()),
                ]),
            ),
            (41, geometry, Some("Essay"), Shape::Essay),
            (
                43,
                geometry,
                None,
                single(&["России", "Франции", "Германии"], "России"),
            ),
            (45, geometry, Some("HTML"), single(&["2", "1", "3"], "2")),
            (
                47,
                geometry,
                Some("Escapes: all of them"),
                single(&["a=b", "a~b", "a#b", "{}", "a\\b"], "a=b"),
            ),
            (49, geometry, None, Shape::TrueFalse(true)),
            (51, geometry, Some("Plain"), Shape::TrueFalse(false)),
            (
                53,
                geometry,
                Some("Several right"),
                multiple(&["2", "4", "5"], &["2", "4"]),
            ),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn every_construct_keeps_texts_feedback_and_tags() {
        let parsed = gift(EVERY_CONSTRUCT);
        let by_title = |title: &str| {
            parsed
                .questions
                .iter()
                .find(|q| q.title.as_deref() == Some(title))
                .unwrap_or_else(|| panic!("no question {title}"))
        };
        let tf = by_title("TF with feedback");
        assert_eq!(tf.prompt.as_html(), "<p>Половина — это 1/2.</p>");
        assert_eq!(tf.tags, ["дроби", "easy"]);
        assert_eq!(tf.explanation, None);
        assert_eq!(tf.points, None);

        let missing_word = &parsed.questions[10];
        assert_eq!(missing_word.prompt.plain_text(), "Москва — столица _____.");

        let html = by_title("HTML");
        assert_eq!(html.prompt.as_html(), "<p>Решите: <b>x</b> + 1 = 3</p>");
        assert_eq!(
            html.explanation.as_ref().map(RichText::as_html),
            Some("<p>Перенесите 1 вправо: x = 3 − 1.</p>")
        );

        let escapes = by_title("Escapes: all of them");
        assert_eq!(
            escapes.prompt.plain_text(),
            "Символы ~ = # { } : \\ и перенос\nстроки."
        );

        let plain_feedback = &parsed.questions[13];
        assert_eq!(
            plain_feedback.explanation.as_ref().map(RichText::as_html),
            Some("<p>Это теорема о сумме углов.</p>")
        );

        let plain = by_title("Plain");
        assert_eq!(plain.prompt.plain_text(), "Это <b>не</b> HTML.");
        assert!(!plain.prompt.as_html().contains("<b>"));
    }

    #[test]
    fn broken_questions_are_reported_at_their_first_line() {
        let parsed = gift(BROKEN);
        let issues: Vec<u32> = parsed.issues.iter().map(|i| i.line).collect();
        assert_eq!(issues, [5, 10, 12], "{:?}", parsed.issues);
        assert_eq!(
            parsed.issues[0].reason,
            "the answer block is not closed with }"
        );
        assert!(parsed.issues[1].reason.starts_with("no answer block"));
        assert_eq!(parsed.issues[2].reason, "matching needs at least two pairs");
        let good: Vec<(Option<&str>, Shape)> = parsed
            .questions
            .iter()
            .map(|q| (q.title.as_deref(), shape(&q.body)))
            .collect();
        assert_eq!(
            good,
            [
                (Some("Good 1"), Shape::TrueFalse(true)),
                (Some("Good 2"), single(&["Париж", "Лион"], "Париж")),
                (Some("Good 3"), Shape::Numeric(4.0, 0.0)),
            ]
        );
    }

    #[test]
    fn twenty_school_questions() {
        let parsed = gift(TWENTY);
        assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
        assert_eq!(parsed.questions.len(), 20);
        assert!(
            parsed
                .questions
                .iter()
                .all(|q| q.category == "ЕГЭ/Задание 1")
        );
        let kinds: BTreeSet<&str> = parsed
            .questions
            .iter()
            .map(|q| q.body.kind_name())
            .collect();
        assert_eq!(
            kinds,
            BTreeSet::from(["numeric", "short_text", "single_choice", "true_false"])
        );
    }

    #[test]
    fn refusals_name_the_problem() {
        assert_eq!(refused("Text {=a ~}"), "answer 2 has no text");
        assert_eq!(
            refused("Text {~a}"),
            "a choice question needs at least two answers"
        );
        assert_eq!(
            refused("Text {~a ~b}"),
            "no answer is right: mark one with = or a positive %weight%"
        );
        assert_eq!(
            refused("Text {=a -> 1}"),
            "matching needs at least two pairs"
        );
        assert_eq!(refused("Text {=a -> 1 =b}"), "pair 2 has no ->");
        assert!(refused("Text {=a -> 1 =b -> 2 = -> 3}").contains("distractors"));
        assert_eq!(refused("Text {#abc}"), "\"abc\" is not a number");
        assert_eq!(
            refused("Text {#5..1}"),
            "the range 5..1 ends below its start"
        );
        assert_eq!(
            refused("Text {#=%50%3}"),
            "no numeric answer is fully right (100%)"
        );
        assert_eq!(refused("Text {=%50%a}"), "no answer is fully right (100%)");
        assert_eq!(refused("::Title Text {T}"), "the title has no closing ::");
        assert!(refused("Text {T} and {F}").starts_with("more than one answer block"));
        assert!(refused("Text } {T}").starts_with("a } before"));
        assert_eq!(refused("{T}"), "the question text is empty");
        assert_eq!(
            refused("Text {#3:-1}"),
            "numeric value and tolerance must be finite and the tolerance not negative"
        );
    }

    #[test]
    fn a_bad_category_is_reported_and_the_previous_one_kept() {
        let parsed = gift("$CATEGORY: a//b\n\nText {T}\n");
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].line, 1);
        assert_eq!(parsed.questions[0].category, "Импорт");
    }

    #[test]
    fn category_prefixes_are_dropped() {
        for (line, category) in [
            ("$CATEGORY: $course$/top/A/B", "A/B"),
            ("$CATEGORY: $system$/top", ""),
            ("$CATEGORY: top/A", "A"),
            ("$CATEGORY:  A / B ", "A/B"),
            ("$CATEGORY: $course$/Default/C", "Default/C"),
        ] {
            let parsed = gift(&format!("{line}\n\nText {{T}}"));
            assert_eq!(parsed.questions[0].category, category, "{line}");
        }
        // A category line directly followed by a question.
        let parsed = gift("$CATEGORY: X\nText {T}");
        assert_eq!(
            (
                parsed.questions[0].line,
                parsed.questions[0].category.as_str()
            ),
            (2, "X")
        );
    }

    #[test]
    fn moodle_answer_forms() {
        assert_eq!(
            shape(&only("Text {Paris}").body),
            Shape::Short(strings(&["Paris"]))
        );
        assert_eq!(
            shape(&only("Text {true}").body),
            Shape::Short(strings(&["true"]))
        );
        assert_eq!(
            shape(&only("Text {FALSE#no#yes}").body),
            Shape::TrueFalse(false)
        );
        assert_eq!(
            shape(&only("Text {#3:0.5 ~ wrong, try again}").body),
            Shape::Numeric(3.0, 0.5)
        );
        assert_eq!(shape(&only("Text {#3,5}").body), Shape::Numeric(3.5, 0.0));
        assert_eq!(shape(&only("Text {####Only feedback}").body), Shape::Essay);
        assert_eq!(
            shape(&only("Text {~%100%a ~%0%b}").body),
            multiple(&["a", "b"], &["a"])
        );
        assert_eq!(
            shape(&only("Text {=a ~%50%b ~c}").body),
            multiple(&["a", "b", "c"], &["a", "b"])
        );
        assert_eq!(
            shape(&only("Text {~%5x%a =b}").body),
            single(&["%5x%a", "b"], "b")
        );
        assert_eq!(
            shape(&only("{=a ~b} is the answer").body),
            single(&["a", "b"], "a")
        );
        assert_eq!(
            only("{=a ~b} is the answer").prompt.plain_text(),
            "_____ is the answer"
        );
        let q = only("// [tag:a\\]b] [tag: Two ]\n// no tags here\n::T::[markdown]Text {T}");
        assert_eq!(q.tags, ["a]b", "two"]);
        assert_eq!(q.prompt.as_html(), "<p>Text</p>");
    }

    #[test]
    fn comments_do_not_split_questions_and_lines_count_from_the_text() {
        let parsed = gift("// first\n// second\nText\n// inside\n{T}\n\n\n\nMore {F}");
        assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
        let lines: Vec<u32> = parsed.questions.iter().map(|q| q.line).collect();
        assert_eq!(lines, [3, 9]);
        assert_eq!(parsed.questions[0].prompt.as_html(), "<p>Text</p>");
    }

    fn bank_question(q: &ImportedQuestion) -> BankQuestion {
        let now = chrono::Utc::now();
        BankQuestion {
            id: BankQuestionId::new(),
            course_id: CourseId::new(),
            category: q.category.clone(),
            tags: q.tags.clone(),
            prompt: q.prompt.clone(),
            points: q.points.unwrap_or(Points::ZERO),
            body: q.body.clone(),
            explanation: q.explanation.clone(),
            version: 1,
            author_id: UserId::new(),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn export_then_import_gives_the_same_questions() {
        let original = gift(EVERY_CONSTRUCT).questions;
        let bank: Vec<BankQuestion> = original.iter().map(bank_question).collect();
        let exported = export(&bank);
        let again = gift(&exported);
        assert!(again.issues.is_empty(), "{:?} {exported}", again.issues);
        assert_eq!(again.questions.len(), original.len(), "{exported}");
        for (before, after) in original.iter().zip(&again.questions) {
            assert_eq!(shape(&after.body), shape(&before.body), "{exported}");
            assert_eq!(after.body.kind_name(), before.body.kind_name());
            assert_eq!(after.category, before.category);
            assert_eq!(after.prompt, before.prompt);
            assert_eq!(after.explanation, before.explanation);
            assert_eq!(after.tags, before.tags);
        }
    }

    #[test]
    fn export_writes_categories_titles_and_skips_what_gift_cannot_hold() {
        let mut ordering = bank_question(&only("Расположите по возрастанию {T}"));
        ordering.body = QuestionBody::Ordering {
            items: vec![
                Choice {
                    id: OptionId::new(),
                    text: "1".into(),
                },
                Choice {
                    id: OptionId::new(),
                    text: "2".into(),
                },
            ],
        };
        ordering.category = String::new();
        let mut tf = bank_question(&only("A\\: \\{b\\} \\= c\nнапример {T}"));
        tf.category = "ЕГЭ/Задание 1".into();
        let exported = export(&[ordering, tf]);
        assert_eq!(
            exported,
            "$CATEGORY: $course$/top\n\n\
             // skipped: ordering question \"Расположите по возрастанию\"\n\n\
             $CATEGORY: $course$/top/ЕГЭ/Задание 1\n\n\
             ::A\\: \\{b\\} \\= c например::[html]<p>A\\: \\{b\\} \\= c</p><p>например</p>{\n\
             \tTRUE\n\
             }\n\n"
        );
        let again = gift(&exported);
        assert!(again.issues.is_empty(), "{:?}", again.issues);
        assert_eq!(again.questions.len(), 1);
        assert_eq!(
            again.questions[0].prompt.plain_text(),
            "A: {b} = c\nнапример"
        );
    }

    #[test]
    fn multiple_choice_weights_follow_the_grading() {
        let options: Vec<Choice> = ["a", "b", "c", "d", "e"]
            .into_iter()
            .map(|text| Choice {
                id: OptionId::new(),
                text: text.into(),
            })
            .collect();
        let correct: BTreeSet<OptionId> = options[..3].iter().map(|o| o.id).collect();
        assert_eq!(
            weighted_options(&options, &correct),
            [
                "~%33.33333%a",
                "~%33.33333%b",
                "~%33.33333%c",
                "~%-50%d",
                "~%-50%e"
            ]
        );
    }

    #[test]
    fn escape_and_decode_are_inverse() {
        let text = "a\\b ~ = # { } : \n end \\n";
        let decoded: String = decode(&escape(text)).iter().map(|ch| ch.c).collect();
        assert_eq!(decoded, text.replace('\r', ""));
    }
}
