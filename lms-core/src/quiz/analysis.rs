//! Item analysis of a quiz: how the attempts scored, and for every question
//! how hard it was, how well it told strong attempts from weak ones and
//! which options were chosen. Pure functions over the quiz's questions and
//! its attempts ([`analyse`]), and a CSV export ([`analysis_csv`]).
//!
//! # What is analysed
//!
//! Every finished attempt (submitted or auto-submitted) that has a result,
//! of every student — not only the one the scoring policy keeps. Open
//! attempts and attempts without a result are ignored. Attempts with an
//! essay still waiting for a teacher are analysed with what is scored so
//! far (the essay counts 0 in their total) and counted in
//! [`QuizAnalysis::pending_manual`].
//!
//! An attempt's questions are [`Attempt::questions`]: the quiz's own
//! questions plus the ones it drew from the bank for the quiz's random
//! slots. With random slots different attempts get different questions, so
//! each question's statistics count only the attempts that were given it.
//! A random slot is never a question of an attempt and is never reported.
//!
//! # Formulas
//!
//! - **Attempt percent**: `P = score / max_score × 100`. An attempt with
//!   `max_score = 0` has no percent: it is left out of the mean, the
//!   median, the histogram and the ranking below.
//! - **Mean and median percent**: the arithmetic mean of `P` over the
//!   attempts; the median is the middle value of the sorted percents, or
//!   the mean of the two middle values when their number is even.
//! - **Histogram**: ten bins 0–10, 10–20, …, 90–100 %; an attempt goes in
//!   bin `min(9, floor(P / 10))`, so 100 % is in the last bin and a bin
//!   holds its lower bound (70 % is in 70–80).
//! - **Score fraction** of an attempt on a question `q`:
//!   `f = points earned on q / points q is worth` (capped to 0…1). An
//!   attempt whose answer to `q` still waits for a teacher's grade is left
//!   out of `q`'s statistics (though not out of the others').
//! - **Facility index** (difficulty index) `F = mean of f` over the attempts
//!   given `q`: 0 = nobody got it right, 1 = everybody did. Equal to
//!   `mean score / max points` (as long as `q`'s points did not change
//!   between attempts).
//! - **Discrimination index** `D` (upper/lower 27 % method, Kelley): rank
//!   the `N` analysed attempts by percent, highest first (ties: earlier
//!   `started_at` first, then lower attempt id); with
//!   `k = max(1, round(0.27 × N))` the upper group is the first `k`
//!   attempts, the lower group the last `k`.
//!   `D = mean f in the upper group − mean f in the lower group`, each mean
//!   over the group's attempts given `q`. `D` ranges from −1 to 1: near 1
//!   the strong attempts got `q` right and the weak ones wrong; near 0 or
//!   negative the question does not separate them (or is misleading). No
//!   `D` when `N < 2` or when either group has no attempt given `q`.
//! - **Option distribution** (single choice, multiple choice, true/false):
//!   how many attempts chose each option, in the question's authored order
//!   (true before false); a multiple-choice attempt counts once for each
//!   option it chose. Attempts that did not answer are not counted.
//!
//! Time spent per question is not recorded, so
//! [`ItemStats::mean_seconds`] is always `None` for now.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::model::{
    Answer, Attempt, AttemptResult, AttemptState, Choice, Question, QuestionBody, QuestionScore,
};
use crate::ids::{OptionId, QuestionId};
use crate::spreadsheet::defuse_formula;

/// Number of bins of [`QuizAnalysis::histogram`], each 10 percentage points wide.
pub const HISTOGRAM_BINS: usize = 10;

/// Share of the ranked attempts in each of the upper and lower groups of
/// the discrimination index (Kelley's 27 %).
pub const DISCRIMINATION_GROUP_SHARE: f64 = 0.27;

/// How many characters of a question's prompt [`ItemStats::prompt`] keeps.
pub const PROMPT_CHARS: usize = 120;

/// Item analysis of a quiz's finished attempts (see the [module
/// documentation](self) for every formula).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuizAnalysis {
    /// Finished attempts analysed (open attempts and attempts without a
    /// result are not).
    pub attempts: u32,
    /// Distinct students among them.
    pub students: u32,
    /// Mean of `score / max_score × 100` over the attempts with
    /// `max_score > 0`; `None` when there is none.
    pub mean_percent: Option<f64>,
    /// Median of the same percents (the mean of the two middle values for
    /// an even number); `None` when there is none.
    pub median_percent: Option<f64>,
    /// Always ten bins, 0–10, 10–20, …, 90–100 %: an attempt with percent
    /// `P` is in bin `min(9, floor(P / 10))`, so 100 % is in the last one.
    pub histogram: Vec<HistogramBin>,
    /// Every question given in at least one analysed attempt, ordered by
    /// position in the quiz (a drawn question has its random slot's), then
    /// by first appearance in the attempts' question orders (attempts by
    /// start time). Random slots are not questions and never appear.
    pub questions: Vec<ItemStats>,
    /// Analysed attempts with an essay still waiting for a teacher's grade
    /// (they are analysed with what is scored so far).
    pub pending_manual: u32,
}

/// One bar of the score histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistogramBin {
    /// Lower bound in percent, included.
    pub from_percent: u32,
    /// Upper bound in percent, excluded except for the last bin (90–100),
    /// which includes 100.
    pub to_percent: u32,
    /// Attempts whose percent falls in the bin.
    pub attempts: u32,
}

/// Statistics of one question over the attempts that were given it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemStats {
    /// The question (a drawn bank question keeps its bank id).
    pub question_id: QuestionId,
    /// Stable name of its kind ([`QuestionBody::kind_name`]).
    pub kind: String,
    /// Plain text of the prompt, white space collapsed, first 120 characters.
    pub prompt: String,
    /// Points the question is worth (as the most recent attempt given it got it).
    pub max_points: f64,
    /// Attempts given this question where it is scored: attempts whose
    /// answer to it still waits for a teacher are left out.
    pub attempts: u32,
    /// Of those, how many saved an answer to it.
    pub answered: u32,
    /// Mean points earned over [`Self::attempts`]; `None` when there is none.
    pub mean_score: Option<f64>,
    /// Facility (difficulty) index `F`, 0…1: the mean score fraction
    /// (points earned / points the question is worth) over
    /// [`Self::attempts`] — 0 = nobody got it right, 1 = everybody did.
    /// `None` when the question is worth 0 points or nobody was scored on it.
    pub facility: Option<f64>,
    /// Discrimination index `D`, −1…1 (upper/lower 27 %): the mean score
    /// fraction in the top `k = max(1, round(0.27 × N))` attempts by
    /// percent minus that in the bottom `k`, each over the group's attempts
    /// given the question. `None` with fewer than 2 ranked attempts or when
    /// either group has no attempt given the question.
    pub discrimination: Option<f64>,
    /// For single choice, multiple choice and true/false questions: how
    /// many attempts chose each option, in authored order; empty for other
    /// kinds.
    pub options: Vec<OptionCount>,
    /// Mean time spent on the question in seconds. Not recorded yet: always
    /// `None`.
    pub mean_seconds: Option<f64>,
}

/// How many attempts chose one option of a choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionCount {
    /// The option's id, or `"true"` / `"false"` for a true/false question.
    pub option: String,
    /// The option's text (`"true"` / `"false"` for a true/false question).
    pub text: String,
    /// Whether the option is (one of) the right answer(s).
    pub correct: bool,
    /// Attempts that chose it (unanswered attempts are not counted).
    pub chosen: u32,
}

/// Item analysis of a quiz from its questions (random slots included, as
/// stored) and its attempts, in any order. Open attempts and attempts
/// without a result are ignored. See the [module documentation](self) for
/// the formulas.
#[must_use]
pub fn analyse(quiz_questions: &[Question], attempts: &[Attempt]) -> QuizAnalysis {
    let analysed = finished(quiz_questions, attempts);
    let percents: Vec<f64> = analysed.iter().filter_map(|a| a.percent).collect();
    let groups = groups(&analysed);
    let mut seen = observations(&analysed);
    let questions = catalogue(&analysed)
        .into_iter()
        .map(|q| item_stats(q, &seen.remove(&q.id).unwrap_or_default(), groups.as_ref()))
        .collect();
    let students: BTreeSet<_> = analysed.iter().map(|a| a.attempt.student_id).collect();
    QuizAnalysis {
        attempts: count(analysed.len()),
        students: count(students.len()),
        mean_percent: mean(&percents),
        median_percent: median(&percents),
        histogram: histogram(&percents),
        questions,
        pending_manual: count(analysed.iter().filter(|a| a.result.pending_manual).count()),
    }
}

/// The analysis as CSV for a spreadsheet: a header, then one row per
/// question with its 1-based position, id, kind, prompt, max points,
/// attempts, answered, mean score, facility, discrimination and options
/// (`text=chosen` joined by ` | `). Points and indices have three
/// decimals, counts none; a missing value is an empty cell. Written like the crate's
/// other spreadsheet files ([`crate::spreadsheet`]): UTF-8 with a
/// byte-order mark, comma-separated, CRLF line ends, cells quoted where
/// needed, text cells that a spreadsheet would run as a formula defused.
#[must_use]
pub fn analysis_csv(analysis: &QuizAnalysis) -> String {
    // Writing into memory cannot fail; an empty text would mean it did.
    write_csv(analysis).unwrap_or_default()
}

/// Columns of [`analysis_csv`].
const CSV_HEADER: [&str; 11] = [
    "position",
    "question_id",
    "kind",
    "prompt",
    "max_points",
    "attempts",
    "answered",
    "mean_score",
    "facility",
    "discrimination",
    "options",
];

fn write_csv(analysis: &QuizAnalysis) -> Option<String> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer("\u{FEFF}".as_bytes().to_vec());
    writer.write_record(CSV_HEADER).ok()?;
    for (index, item) in analysis.questions.iter().enumerate() {
        writer.write_record(csv_row(index + 1, item)).ok()?;
    }
    String::from_utf8(writer.into_inner().ok()?).ok()
}

fn csv_row(position: usize, item: &ItemStats) -> [String; 11] {
    let options = item
        .options
        .iter()
        .map(|o| format!("{}={}", o.text, o.chosen))
        .collect::<Vec<_>>()
        .join(" | ");
    [
        position.to_string(),
        item.question_id.to_string(),
        item.kind.clone(),
        defuse_formula(&item.prompt).into_owned(),
        decimal(Some(item.max_points)),
        item.attempts.to_string(),
        item.answered.to_string(),
        decimal(item.mean_score),
        decimal(item.facility),
        decimal(item.discrimination),
        defuse_formula(&options).into_owned(),
    ]
}

/// Three decimals (never `-0.000`), or empty for `None`.
fn decimal(value: Option<f64>) -> String {
    match value.map(|v| format!("{v:.3}")) {
        Some(text) if text == "-0.000" => "0.000".to_owned(),
        Some(text) => text,
        None => String::new(),
    }
}

/// A finished attempt with what the analysis needs of it.
struct Analysed<'a> {
    attempt: &'a Attempt,
    result: &'a AttemptResult,
    /// Its questions in its order, random slots left out.
    questions: Vec<&'a Question>,
    /// `score / max_score × 100`; `None` when `max_score` is 0.
    percent: Option<f64>,
}

/// The finished attempts with a result, by start time then id.
fn finished<'a>(quiz_questions: &'a [Question], attempts: &'a [Attempt]) -> Vec<Analysed<'a>> {
    let by_id: BTreeMap<QuestionId, &Question> = quiz_questions.iter().map(|q| (q.id, q)).collect();
    let mut analysed: Vec<Analysed<'a>> = attempts
        .iter()
        .filter(|attempt| attempt.state != AttemptState::Open)
        .filter_map(|attempt| {
            let result = attempt.result.as_ref()?;
            Some(Analysed {
                attempt,
                result,
                questions: given(attempt, &by_id),
                percent: percent(result),
            })
        })
        .collect();
    analysed.sort_by_key(|a| (a.attempt.started_at, a.attempt.id));
    analysed
}

/// The attempt's questions in its order, random slots left out: what
/// [`Attempt::questions`] gives (a drawn copy before the quiz's question of
/// the same id), borrowed rather than cloned — an analysis may read
/// thousands of attempts.
fn given<'a>(attempt: &'a Attempt, quiz: &BTreeMap<QuestionId, &'a Question>) -> Vec<&'a Question> {
    attempt
        .question_order
        .iter()
        .filter_map(|id| {
            attempt
                .drawn
                .iter()
                .find(|q| q.id == *id)
                .or_else(|| quiz.get(id).copied())
        })
        .filter(|q| !q.body.is_random())
        .collect()
}

fn percent(result: &AttemptResult) -> Option<f64> {
    let max = result.max_score.value();
    // × 100 before ÷ so that whole-point scores give exact percents.
    (max > 0.0).then(|| result.score.value() * 100.0 / max)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => sorted.get(mid).copied(),
        _ => Some((sorted.get(mid - 1)? + sorted.get(mid)?) / 2.0),
    }
}

fn histogram(percents: &[f64]) -> Vec<HistogramBin> {
    let mut counts = [0u32; HISTOGRAM_BINS];
    for p in percents {
        if let Some(bin) = counts.get_mut(bin_of(*p)) {
            *bin += 1;
        }
    }
    counts
        .into_iter()
        .zip(0u32..)
        .map(|(attempts, i)| HistogramBin {
            from_percent: i * 10,
            to_percent: i * 10 + 10,
            attempts,
        })
        .collect()
}

/// `min(9, floor(P / 10))`, with a hair of tolerance so that a percent
/// computed as 69.999… lands in 70–80 (scores are hundredths of a point,
/// far coarser). Negative or NaN percents go in the first bin.
fn bin_of(percent: f64) -> usize {
    // `as` saturates: negative and NaN give 0.
    ((percent / 10.0 + 1e-9).floor() as usize).min(HISTOGRAM_BINS - 1)
}

/// The upper and lower groups of the discrimination index, as indices into
/// the analysed attempts.
struct Groups {
    upper: BTreeSet<usize>,
    lower: BTreeSet<usize>,
}

/// The groups, or `None` with fewer than two attempts with a percent.
fn groups(analysed: &[Analysed<'_>]) -> Option<Groups> {
    let mut ranked: Vec<(usize, f64)> = analysed
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.percent.map(|p| (i, p)))
        .collect();
    // Highest percent first. The sort is stable and `analysed` is ordered by
    // start time then id, which breaks ties.
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let n = ranked.len();
    if n < 2 {
        return None;
    }
    let k = group_size(n);
    let indices = |slice: &[(usize, f64)]| slice.iter().map(|(i, _)| *i).collect();
    Some(Groups {
        upper: indices(ranked.get(..k)?),
        lower: indices(ranked.get(n - k..)?),
    })
}

/// `k = max(1, round(0.27 × n))`.
fn group_size(n: usize) -> usize {
    ((DISCRIMINATION_GROUP_SHARE * n as f64).round() as usize).max(1)
}

/// Every question given in an analysed attempt, by lowest position then
/// first appearance; the version of the most recent attempt given it.
fn catalogue<'a>(analysed: &[Analysed<'a>]) -> Vec<&'a Question> {
    struct Entry<'q> {
        position: u32,
        first_seen: usize,
        question: &'q Question,
    }
    let mut entries: BTreeMap<QuestionId, Entry<'a>> = BTreeMap::new();
    for (seen, &question) in analysed.iter().flat_map(|a| &a.questions).enumerate() {
        entries
            .entry(question.id)
            .and_modify(|e| {
                e.position = e.position.min(question.position);
                e.question = question;
            })
            .or_insert(Entry {
                position: question.position,
                first_seen: seen,
                question,
            });
    }
    let mut list: Vec<Entry<'a>> = entries.into_values().collect();
    list.sort_by_key(|e| (e.position, e.first_seen));
    list.into_iter().map(|e| e.question).collect()
}

/// How one analysed attempt did on one question it was given and is
/// scored on.
struct Observation<'a> {
    /// Index into the analysed attempts.
    attempt: usize,
    /// Points earned.
    points: f64,
    /// Points earned / points the question was worth in this attempt,
    /// capped to 0…1; `None` when it was worth 0.
    fraction: Option<f64>,
    /// The saved answer.
    answer: Option<&'a Answer>,
}

/// Per question, how every analysed attempt given it and scored on it
/// did, in the attempts' order.
fn observations<'a>(analysed: &[Analysed<'a>]) -> BTreeMap<QuestionId, Vec<Observation<'a>>> {
    let mut seen: BTreeMap<QuestionId, Vec<Observation<'a>>> = BTreeMap::new();
    for (index, a) in analysed.iter().enumerate() {
        for question in &a.questions {
            let list = seen.entry(question.id).or_default();
            // A question listed twice in an order counts once.
            if list.last().is_some_and(|o| o.attempt == index) {
                continue;
            }
            if let Some(observation) = observe(index, a, question) {
                list.push(observation);
            }
        }
    }
    seen
}

/// How attempt `index` did on `question`; `None` when it is not scored
/// (an essay waiting for a teacher).
fn observe<'a>(index: usize, a: &Analysed<'a>, question: &Question) -> Option<Observation<'a>> {
    let QuestionScore::Scored(points) = *a.result.per_question.get(&question.id)? else {
        return None;
    };
    let worth = question.points.value();
    Some(Observation {
        attempt: index,
        points: points.value(),
        fraction: (worth > 0.0).then(|| (points.value() / worth).clamp(0.0, 1.0)),
        answer: a.attempt.answers.get(&question.id),
    })
}

fn item_stats(question: &Question, seen: &[Observation<'_>], groups: Option<&Groups>) -> ItemStats {
    let max_points = question.points.value();
    let points: Vec<f64> = seen.iter().map(|o| o.points).collect();
    ItemStats {
        question_id: question.id,
        kind: question.body.kind_name().to_owned(),
        prompt: prompt_text(question),
        max_points,
        attempts: count(seen.len()),
        answered: count(seen.iter().filter(|o| o.answer.is_some()).count()),
        mean_score: mean(&points),
        facility: if max_points > 0.0 {
            mean_fraction(seen, |_| true)
        } else {
            None
        },
        discrimination: groups.and_then(|g| discrimination(seen, g)),
        options: option_counts(&question.body, seen),
        mean_seconds: None,
    }
}

/// Mean score fraction over the observations of the attempts `keep` accepts.
fn mean_fraction(seen: &[Observation<'_>], keep: impl Fn(usize) -> bool) -> Option<f64> {
    let fractions: Vec<f64> = seen
        .iter()
        .filter(|o| keep(o.attempt))
        .filter_map(|o| o.fraction)
        .collect();
    mean(&fractions)
}

fn discrimination(seen: &[Observation<'_>], groups: &Groups) -> Option<f64> {
    let upper = mean_fraction(seen, |i| groups.upper.contains(&i))?;
    let lower = mean_fraction(seen, |i| groups.lower.contains(&i))?;
    Some(upper - lower)
}

fn prompt_text(question: &Question) -> String {
    let text = question.prompt.plain_text();
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(PROMPT_CHARS).collect()
}

fn option_counts(body: &QuestionBody, seen: &[Observation<'_>]) -> Vec<OptionCount> {
    let answers = || seen.iter().filter_map(|o| o.answer);
    match body {
        QuestionBody::SingleChoice { options, correct } => choice_counts(
            options,
            |id| id == *correct,
            |id| {
                count(
                    answers()
                        .filter(|a| **a == Answer::SingleChoice(id))
                        .count(),
                )
            },
        ),
        QuestionBody::MultipleChoice { options, correct } => choice_counts(
            options,
            |id| correct.contains(&id),
            |id| {
                count(
                    answers()
                        .filter(|a| matches!(a, Answer::MultipleChoice(ids) if ids.contains(&id)))
                        .count(),
                )
            },
        ),
        QuestionBody::TrueFalse { correct } => [true, false]
            .into_iter()
            .map(|value| OptionCount {
                option: value.to_string(),
                text: value.to_string(),
                correct: value == *correct,
                chosen: count(
                    answers()
                        .filter(|a| **a == Answer::TrueFalse(value))
                        .count(),
                ),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn choice_counts(
    options: &[Choice],
    is_correct: impl Fn(OptionId) -> bool,
    chosen: impl Fn(OptionId) -> u32,
) -> Vec<OptionCount> {
    options
        .iter()
        .map(|o| OptionCount {
            option: o.id.to_string(),
            text: o.text.clone(),
            correct: is_correct(o.id),
            chosen: chosen(o.id),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{DateTime, Duration, TimeZone, Utc};
    use uuid::Uuid;

    use super::*;
    use crate::bank::Pool;
    use crate::ids::{AttemptId, CourseId, QuizId, UserId};
    use crate::richtext::RichText;
    use crate::score::Points;

    const EPS: f64 = 1e-9;

    fn pts(v: f64) -> Points {
        Points::new(v).unwrap()
    }

    fn scored(v: f64) -> QuestionScore {
        QuestionScore::Scored(pts(v))
    }

    fn choice(text: &str) -> Choice {
        Choice {
            id: OptionId::new(),
            text: text.into(),
        }
    }

    fn question(position: u32, points: f64, prompt: &str, body: QuestionBody) -> Question {
        Question {
            id: QuestionId::new(),
            quiz_id: QuizId(Uuid::nil()),
            position,
            prompt: RichText::from_plain_text(prompt),
            points: pts(points),
            body,
            explanation: None,
        }
    }

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap() + Duration::minutes(minute)
    }

    /// A submitted attempt given `items` in this order: (question, saved
    /// answer, score). Score and maximum are the sums, as grading makes them.
    fn done(
        id: u128,
        student: UserId,
        minute: i64,
        items: &[(&Question, Option<Answer>, QuestionScore)],
    ) -> Attempt {
        let score = Points::sum(items.iter().filter_map(|(_, _, s)| match s {
            QuestionScore::Scored(p) => Some(*p),
            QuestionScore::PendingManual => None,
        }));
        Attempt {
            id: AttemptId(Uuid::from_u128(id)),
            quiz_id: QuizId(Uuid::nil()),
            student_id: student,
            number: 1,
            seed: 7,
            question_order: items.iter().map(|(q, _, _)| q.id).collect(),
            drawn: Vec::new(),
            started_at: at(minute),
            deadline: None,
            state: AttemptState::Submitted,
            answers: items
                .iter()
                .filter_map(|(q, a, _)| a.clone().map(|a| (q.id, a)))
                .collect(),
            saved_at: Some(at(minute + 5)),
            finished_at: Some(at(minute + 5)),
            result: Some(AttemptResult {
                per_question: items.iter().map(|(q, _, s)| (q.id, *s)).collect(),
                score,
                max_score: Points::sum(items.iter().map(|(q, _, _)| q.points)),
                pending_manual: items
                    .iter()
                    .any(|(_, _, s)| *s == QuestionScore::PendingManual),
            }),
            submit_key: None,
        }
    }

    fn close(actual: Option<f64>, expected: f64) {
        let a = actual.unwrap_or_else(|| panic!("expected {expected}, got None"));
        assert!((a - expected).abs() < EPS, "expected {expected}, got {a}");
    }

    fn chosen(item: &ItemStats) -> Vec<(String, bool, u32)> {
        item.options
            .iter()
            .map(|o| (o.text.clone(), o.correct, o.chosen))
            .collect()
    }

    fn single(options: &[Choice], i: usize) -> Option<Answer> {
        Some(Answer::SingleChoice(options[i].id))
    }

    fn multi(options: &[Choice], picked: &[usize]) -> Option<Answer> {
        Some(Answer::MultipleChoice(
            picked.iter().map(|i| options[*i].id).collect(),
        ))
    }

    fn essay() -> Option<Answer> {
        Some(Answer::Essay("Моё эссе".into()))
    }

    /// The worked example of the tests below: three questions, six finished
    /// attempts (student 1 made two), three ignored ones.
    ///
    /// Q1 single choice, 1 point, options a (right), b, c.
    /// Q2 multiple choice, 2 points, options a, b (both right), c; partial
    ///    credit: {a, b} = 2, {a} = 1, {b} = 1.
    /// Q3 essay, 2 points.
    ///
    /// | attempt | student | start | Q1      | Q2        | Q3           | total | %   |
    /// |---------|---------|-------|---------|-----------|--------------|-------|-----|
    /// | A1      | s1      | 0     | a → 1   | {a,b} → 2 | 2            | 5     | 100 |
    /// | A2      | s2      | 10    | a → 1   | {a} → 1   | 1            | 3     | 60  |
    /// | A3      | s3      | 20    | b → 0   | {a} → 1   | pending      | 1     | 20  |
    /// | A4      | s4      | 30    | c → 0   | — → 0     | answered → 0 | 0     | 0   |
    /// | A5      | s1      | 40    | a → 1   | {b} → 1   | 1.5          | 3.5   | 70  |
    /// | A6      | s5      | 50    | b → 0   | {a,b} → 2 | — → 0        | 2     | 40  |
    ///
    /// Ignored: A7 open without a result, A8 open with a result, A9
    /// auto-submitted without a result.
    fn worked_example() -> (Vec<Question>, Vec<Attempt>) {
        let (sa, sb, sc) = (choice("a"), choice("b"), choice("c"));
        let single_options = [sa.clone(), sb, sc];
        let q1 = question(
            0,
            1.0,
            "Столица Франции?",
            QuestionBody::SingleChoice {
                options: single_options.to_vec(),
                correct: sa.id,
            },
        );
        let multi_options = [choice("a"), choice("b"), choice("c")];
        let q2 = question(
            1,
            2.0,
            "Простые числа?",
            QuestionBody::MultipleChoice {
                options: multi_options.to_vec(),
                correct: BTreeSet::from([multi_options[0].id, multi_options[1].id]),
            },
        );
        let q3 = question(2, 2.0, "Опишите опыт.", QuestionBody::Essay);
        let s: Vec<UserId> = (0..6).map(|_| UserId::new()).collect();
        let (o1, o2) = (&single_options, &multi_options);
        let a1 = done(
            1,
            s[0],
            0,
            &[
                (&q1, single(o1, 0), scored(1.0)),
                (&q2, multi(o2, &[0, 1]), scored(2.0)),
                (&q3, essay(), scored(2.0)),
            ],
        );
        let a2 = done(
            2,
            s[1],
            10,
            &[
                (&q1, single(o1, 0), scored(1.0)),
                (&q2, multi(o2, &[0]), scored(1.0)),
                (&q3, essay(), scored(1.0)),
            ],
        );
        let a3 = done(
            3,
            s[2],
            20,
            &[
                (&q1, single(o1, 1), scored(0.0)),
                (&q2, multi(o2, &[0]), scored(1.0)),
                (&q3, essay(), QuestionScore::PendingManual),
            ],
        );
        let a4 = done(
            4,
            s[3],
            30,
            &[
                (&q1, single(o1, 2), scored(0.0)),
                (&q2, None, scored(0.0)),
                (&q3, essay(), scored(0.0)),
            ],
        );
        let a5 = done(
            5,
            s[0],
            40,
            &[
                (&q1, single(o1, 0), scored(1.0)),
                (&q2, multi(o2, &[1]), scored(1.0)),
                (&q3, essay(), scored(1.5)),
            ],
        );
        let a6 = done(
            6,
            s[4],
            50,
            &[
                (&q1, single(o1, 1), scored(0.0)),
                (&q2, multi(o2, &[0, 1]), scored(2.0)),
                (&q3, None, scored(0.0)),
            ],
        );
        let all_right = [
            (&q1, single(o1, 0), scored(1.0)),
            (&q2, multi(o2, &[0, 1]), scored(2.0)),
            (&q3, essay(), scored(2.0)),
        ];
        let mut a7 = done(7, s[5], 60, &all_right);
        a7.state = AttemptState::Open;
        a7.result = None;
        a7.finished_at = None;
        let mut a8 = done(8, s[5], 70, &all_right);
        a8.state = AttemptState::Open;
        let mut a9 = done(9, s[5], 80, &all_right);
        a9.state = AttemptState::AutoSubmitted;
        a9.result = None;
        // Any order in, same analysis out.
        let attempts = vec![a5, a1, a7, a3, a6, a2, a9, a4, a8];
        (vec![q3, q1, q2], attempts)
    }

    #[test]
    fn summary_of_the_worked_example() {
        let (questions, attempts) = worked_example();
        let analysis = analyse(&questions, &attempts);
        // A1–A6; s1 made two of them; A3 waits for an essay grade.
        assert_eq!(analysis.attempts, 6);
        assert_eq!(analysis.students, 5);
        assert_eq!(analysis.pending_manual, 1);
        // (100 + 60 + 20 + 0 + 70 + 40) / 6 = 290 / 6
        close(analysis.mean_percent, 290.0 / 6.0);
        // sorted 0, 20, 40, 60, 70, 100 → (40 + 60) / 2
        close(analysis.median_percent, 50.0);
        // 0 → 0–10, 20 → 20–30, 40 → 40–50, 60 → 60–70, 70 → 70–80, 100 → 90–100
        let bins: Vec<(u32, u32, u32)> = analysis
            .histogram
            .iter()
            .map(|b| (b.from_percent, b.to_percent, b.attempts))
            .collect();
        assert_eq!(
            bins,
            vec![
                (0, 10, 1),
                (10, 20, 0),
                (20, 30, 1),
                (30, 40, 0),
                (40, 50, 1),
                (50, 60, 0),
                (60, 70, 1),
                (70, 80, 1),
                (80, 90, 0),
                (90, 100, 1),
            ]
        );
        let kinds: Vec<&str> = analysis.questions.iter().map(|q| q.kind.as_str()).collect();
        assert_eq!(kinds, ["single_choice", "multiple_choice", "essay"]);
    }

    // Ranking by percent: A1 100, A5 70, A2 60, A6 40, A3 20, A4 0.
    // N = 6, k = max(1, round(0.27 × 6 = 1.62)) = 2:
    // upper = {A1, A5}, lower = {A3, A4}.

    #[test]
    fn single_choice_item_of_the_worked_example() {
        let (questions, attempts) = worked_example();
        let q1 = &analyse(&questions, &attempts).questions[0];
        assert_eq!(q1.prompt, "Столица Франции?");
        assert_eq!(q1.max_points, 1.0);
        assert_eq!((q1.attempts, q1.answered), (6, 6));
        // points 1, 1, 0, 0, 1, 0 → 3 / 6
        close(q1.mean_score, 0.5);
        close(q1.facility, 0.5);
        // upper (1 + 1) / 2 = 1, lower (0 + 0) / 2 = 0 → D = 1 − 0
        close(q1.discrimination, 1.0);
        // a: A1, A2, A5; b: A3, A6; c: A4
        assert_eq!(
            chosen(q1),
            vec![
                ("a".into(), true, 3),
                ("b".into(), false, 2),
                ("c".into(), false, 1)
            ]
        );
        assert_eq!(q1.mean_seconds, None);
    }

    #[test]
    fn multiple_choice_item_with_partial_credit() {
        let (questions, attempts) = worked_example();
        let q2 = &analyse(&questions, &attempts).questions[1];
        // A4 saved no answer but is scored (0).
        assert_eq!((q2.attempts, q2.answered), (6, 5));
        // points 2, 1, 1, 0, 1, 2 → 7 / 6
        close(q2.mean_score, 7.0 / 6.0);
        // fractions 1, .5, .5, 0, .5, 1 → 3.5 / 6
        close(q2.facility, 3.5 / 6.0);
        // upper A1 1, A5 .5 → .75; lower A3 .5, A4 0 → .25; D = .75 − .25
        close(q2.discrimination, 0.5);
        // a: A1, A2, A3, A6; b: A1, A5, A6; c: nobody
        assert_eq!(
            chosen(q2),
            vec![
                ("a".into(), true, 4),
                ("b".into(), true, 3),
                ("c".into(), false, 0)
            ]
        );
    }

    #[test]
    fn essay_item_leaves_out_the_pending_attempt() {
        let (questions, attempts) = worked_example();
        let q3 = &analyse(&questions, &attempts).questions[2];
        // A3 is pending: scored in A1, A2, A4, A5, A6; A6 saved nothing.
        assert_eq!((q3.attempts, q3.answered), (5, 4));
        // points 2, 1, 0, 1.5, 0 → 4.5 / 5
        close(q3.mean_score, 0.9);
        // fractions 1, .5, 0, .75, 0 → 2.25 / 5
        close(q3.facility, 0.45);
        // upper A1 1, A5 .75 → .875; lower only A4 (A3 pending) → 0
        close(q3.discrimination, 0.875);
        assert!(q3.options.is_empty());
    }

    #[test]
    fn ties_in_the_ranking_go_by_start_then_id_and_d_can_be_negative() {
        let q1 = question(0, 1.0, "Один", QuestionBody::TrueFalse { correct: true });
        let q2 = question(1, 1.0, "Два", QuestionBody::TrueFalse { correct: true });
        let tf = |v| Some(Answer::TrueFalse(v));
        // Both 50 %, started at the same minute: Y (id 1) ranks above X (id 2).
        let x = done(
            2,
            UserId::new(),
            0,
            &[(&q1, tf(true), scored(1.0)), (&q2, tf(false), scored(0.0))],
        );
        let y = done(
            1,
            UserId::new(),
            0,
            &[(&q1, tf(false), scored(0.0)), (&q2, tf(true), scored(1.0))],
        );
        let questions = [q1, q2];
        for attempts in [vec![x.clone(), y.clone()], vec![y, x]] {
            let analysis = analyse(&questions, &attempts);
            // N = 2, k = max(1, round(0.54)) = 1: upper Y, lower X.
            // Q1: 0 − 1 = −1; Q2: 1 − 0 = 1.
            close(analysis.questions[0].discrimination, -1.0);
            close(analysis.questions[1].discrimination, 1.0);
            assert_eq!(
                chosen(&analysis.questions[0]),
                vec![("true".into(), true, 1), ("false".into(), false, 1)]
            );
            assert_eq!(analysis.questions[0].options[0].option, "true");
            close(analysis.median_percent, 50.0);
        }
    }

    /// Q1 true/false (1 point) and a random slot R (1 point) at position 1
    /// that drew B1 or B2:
    ///
    /// | attempt | start | order       | Q1        | drawn  | total % |
    /// |---------|-------|-------------|-----------|--------|---------|
    /// | V1      | 0     | B1, R, Q1   | true → 1  | B1 → 1 | 100     |
    /// | V2      | 10    | Q1, B2      | false → 0 | B2 → 0 | 0       |
    /// | V3      | 20    | Q1, B1      | true → 1  | B1 → 0 | 50      |
    /// | V4      | 30    | Q1, B2      | true → 1  | B2 → 1 | 100     |
    ///
    /// (R in V1's order stands for a slot id that must be skipped.)
    #[test]
    fn random_variants_count_only_attempts_given_the_question() {
        let q1 = question(0, 1.0, "Верно?", QuestionBody::TrueFalse { correct: true });
        let slot = question(
            1,
            1.0,
            "Случайный вопрос",
            QuestionBody::Random {
                pool: Pool::Category {
                    course_id: CourseId::new(),
                    category: String::new(),
                    tag: None,
                },
                count: 1,
            },
        );
        let b1 = question(
            1,
            1.0,
            "2 + 2 = ?",
            QuestionBody::Numeric {
                value: 4.0,
                tolerance: 0.0,
            },
        );
        let b2 = question(
            1,
            1.0,
            "Столица России?",
            QuestionBody::ShortText {
                accepted: vec!["Москва".into()],
            },
        );
        let tf = |v| Some(Answer::TrueFalse(v));
        let num = |v| Some(Answer::Numeric(v));
        let text = |v: &str| Some(Answer::ShortText(v.into()));
        let mut v1 = done(
            1,
            UserId::new(),
            0,
            &[(&b1, num(4.0), scored(1.0)), (&q1, tf(true), scored(1.0))],
        );
        v1.question_order = vec![b1.id, slot.id, q1.id];
        v1.drawn = vec![b1.clone()];
        let mut v2 = done(
            2,
            UserId::new(),
            10,
            &[
                (&q1, tf(false), scored(0.0)),
                (&b2, text("Казань"), scored(0.0)),
            ],
        );
        v2.drawn = vec![b2.clone()];
        let mut v3 = done(
            3,
            UserId::new(),
            20,
            &[(&q1, tf(true), scored(1.0)), (&b1, num(5.0), scored(0.0))],
        );
        v3.drawn = vec![b1.clone()];
        let mut v4 = done(
            4,
            UserId::new(),
            30,
            &[
                (&q1, tf(true), scored(1.0)),
                (&b2, text("Москва"), scored(1.0)),
            ],
        );
        v4.drawn = vec![b2.clone()];
        let analysis = analyse(&[q1.clone(), slot], &[v4, v3, v2, v1]);

        // Q1 by position first, then B1 (first seen in V1), then B2 (V2);
        // the slot is never an item.
        let ids: Vec<QuestionId> = analysis.questions.iter().map(|q| q.question_id).collect();
        assert_eq!(ids, vec![q1.id, b1.id, b2.id]);
        // Ranking V1 100, V4 100 (started later), V3 50, V2 0;
        // N = 4, k = max(1, round(1.08)) = 1: upper V1, lower V2.
        let [tf_item, b1_item, b2_item] = &analysis.questions[..] else {
            panic!("three items expected");
        };
        // Q1: all four; points 1, 0, 1, 1 → .75; D = 1 − 0.
        assert_eq!(tf_item.attempts, 4);
        close(tf_item.facility, 0.75);
        close(tf_item.discrimination, 1.0);
        assert_eq!(
            chosen(tf_item),
            vec![("true".into(), true, 3), ("false".into(), false, 1)]
        );
        // B1: V1 (1) and V3 (0) → .5; the lower group (V2) was not given it.
        assert_eq!((b1_item.kind.as_str(), b1_item.attempts), ("numeric", 2));
        close(b1_item.mean_score, 0.5);
        close(b1_item.facility, 0.5);
        assert_eq!(b1_item.discrimination, None);
        assert!(b1_item.options.is_empty());
        // B2: V2 (0) and V4 (1) → .5; the upper group (V1) was not given it.
        assert_eq!((b2_item.kind.as_str(), b2_item.attempts), ("short_text", 2));
        close(b2_item.facility, 0.5);
        assert_eq!(b2_item.discrimination, None);
    }

    #[test]
    fn one_attempt_has_no_discrimination() {
        let q = question(0, 2.0, "Верно?", QuestionBody::TrueFalse { correct: false });
        let attempt = done(
            1,
            UserId::new(),
            0,
            &[(&q, Some(Answer::TrueFalse(false)), scored(2.0))],
        );
        let analysis = analyse(std::slice::from_ref(&q), &[attempt]);
        assert_eq!((analysis.attempts, analysis.students), (1, 1));
        close(analysis.mean_percent, 100.0);
        close(analysis.median_percent, 100.0);
        assert_eq!(analysis.histogram[9].attempts, 1);
        let item = &analysis.questions[0];
        close(item.mean_score, 2.0);
        close(item.facility, 1.0);
        assert_eq!(item.discrimination, None);
    }

    #[test]
    fn no_finished_attempt_gives_an_empty_analysis() {
        let q = question(0, 1.0, "Верно?", QuestionBody::TrueFalse { correct: true });
        let mut open = done(1, UserId::new(), 0, &[(&q, None, scored(0.0))]);
        open.state = AttemptState::Open;
        open.result = None;
        let analysis = analyse(std::slice::from_ref(&q), &[open]);
        assert_eq!((analysis.attempts, analysis.students), (0, 0));
        assert_eq!(analysis.pending_manual, 0);
        assert_eq!(
            (analysis.mean_percent, analysis.median_percent),
            (None, None)
        );
        assert_eq!(analysis.histogram.len(), HISTOGRAM_BINS);
        assert!(analysis.histogram.iter().all(|b| b.attempts == 0));
        assert_eq!(analysis.histogram[9].to_percent, 100);
        assert!(analysis.questions.is_empty());
        assert_eq!(
            analysis_csv(&analysis),
            "\u{FEFF}position,question_id,kind,prompt,max_points,attempts,answered,\
             mean_score,facility,discrimination,options\r\n"
        );
    }

    #[test]
    fn zero_point_question_and_zero_maximum_attempt() {
        let q = question(0, 0.0, "Анкета", QuestionBody::TrueFalse { correct: true });
        let attempt = done(
            1,
            UserId::new(),
            0,
            &[(&q, Some(Answer::TrueFalse(true)), scored(0.0))],
        );
        let analysis = analyse(std::slice::from_ref(&q), &[attempt]);
        // max_score 0: analysed, but without a percent.
        assert_eq!(analysis.attempts, 1);
        assert_eq!(analysis.mean_percent, None);
        assert!(analysis.histogram.iter().all(|b| b.attempts == 0));
        let item = &analysis.questions[0];
        close(item.mean_score, 0.0);
        assert_eq!((item.facility, item.discrimination), (None, None));
        assert_eq!(chosen(item)[0], ("true".into(), true, 1));
    }

    #[test]
    fn prompt_is_plain_text_collapsed_and_cut_to_120_characters() {
        let mut q = question(0, 1.0, "x", QuestionBody::Essay);
        q.prompt = RichText::sanitize("<p><strong>Жирный</strong> текст</p><p>второй   абзац</p>");
        assert_eq!(prompt_text(&q), "Жирный текст второй абзац");
        q.prompt = RichText::from_plain_text(&"я".repeat(130));
        assert_eq!(prompt_text(&q), "я".repeat(120));
    }

    #[test]
    fn histogram_bins_and_group_sizes() {
        for (percent, bin) in [
            (0.0, 0),
            (9.99, 0),
            (10.0, 1),
            (69.99, 6),
            (70.0, 7),
            (7.0 * 100.0 / 10.0, 7),
            (99.99, 9),
            (100.0, 9),
        ] {
            assert_eq!(bin_of(percent), bin, "{percent} %");
        }
        // k = max(1, round(0.27 × N))
        for (n, k) in [(2, 1), (3, 1), (5, 1), (6, 2), (10, 3), (100, 27)] {
            assert_eq!(group_size(n), k, "N = {n}");
        }
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn csv_has_a_header_and_escapes_prompts() {
        let (right, wrong) = (choice("4"), choice("5, \"пять\""));
        let mut q1 = question(
            0,
            1.0,
            "Сколько будет 2+2, \"примерно\"?",
            QuestionBody::SingleChoice {
                options: vec![right.clone(), wrong.clone()],
                correct: right.id,
            },
        );
        q1.id = QuestionId(Uuid::from_u128(1));
        let mut q2 = question(1, 2.0, "=1+1\nвторая строка", QuestionBody::Essay);
        q2.id = QuestionId(Uuid::from_u128(2));
        let attempt = done(
            1,
            UserId::new(),
            0,
            &[
                (&q1, Some(Answer::SingleChoice(right.id)), scored(1.0)),
                (&q2, None, scored(0.0)),
            ],
        );
        let csv = analysis_csv(&analyse(&[q1, q2], &[attempt]));
        assert_eq!(
            csv,
            "\u{FEFF}position,question_id,kind,prompt,max_points,attempts,answered,\
             mean_score,facility,discrimination,options\r\n\
             1,00000000-0000-0000-0000-000000000001,single_choice,\
             \"Сколько будет 2+2, \"\"примерно\"\"?\",1.000,1,1,1.000,1.000,,\
             \"4=1 | 5, \"\"пять\"\"=0\"\r\n\
             2,00000000-0000-0000-0000-000000000002,essay,'=1+1 вторая строка,\
             2.000,1,0,0.000,0.000,,\r\n"
        );
        // A CSV reader gets the cells back.
        let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{FEFF}').as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][3], "Сколько будет 2+2, \"примерно\"?");
        assert_eq!(&rows[0][10], "4=1 | 5, \"пять\"=0");
    }

    #[test]
    fn csv_numbers_have_three_decimals() {
        assert_eq!(decimal(Some(-1.0)), "-1.000");
        assert_eq!(decimal(Some(2.0 / 3.0)), "0.667");
        assert_eq!(decimal(Some(-0.0001)), "0.000");
        assert_eq!(decimal(None), "");
    }

    #[test]
    fn serialises_for_the_http_layer() {
        let (questions, attempts) = worked_example();
        let json = serde_json::to_value(analyse(&questions, &attempts)).unwrap();
        assert_eq!(json["attempts"], 6);
        assert_eq!(json["questions"][0]["options"][0]["chosen"], 3);
        assert!(json["questions"][0]["mean_seconds"].is_null());
    }
}
