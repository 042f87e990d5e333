//! Pure quiz rules: text normalisation, grading one answer, scoring a whole
//! attempt, checking an answer's shape, and the seeded per-attempt shuffle.
//!
//! Nothing here touches storage or the clock, so every rule is tested
//! exhaustively below (with property tests for the invariants).

use std::collections::{BTreeMap, BTreeSet};

use thiserror::Error;

use crate::ids::{OptionId, QuestionId};
use crate::quiz::model::{Answer, AttemptResult, Choice, Question, QuestionBody, QuestionScore};
use crate::score::Points;

/// Absolute slack added to a numeric question's tolerance, so that answers
/// such as `0.1 + 0.2` typed as `0.3` are not rejected by floating-point noise.
pub const NUMERIC_EPSILON: f64 = 1e-9;

/// Longest short-text answer accepted, in characters.
pub const MAX_SHORT_TEXT_CHARS: usize = 1_000;

/// Longest essay answer accepted, in characters.
pub const MAX_ESSAY_CHARS: usize = 50_000;

/// Normalises a typed answer for comparison: trims, collapses every run of
/// inner whitespace to one space, lowercases (Unicode) and treats `ё` as `е`
/// (also the decomposed `е` + combining diaeresis). Idempotent.
#[must_use]
pub fn normalize_text(s: &str) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = collapsed.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    for c in lower.chars() {
        match c {
            'ё' => out.push('е'),
            // A combining diaeresis after `е` spells `ё` in decomposed form.
            '\u{308}' if out.ends_with('е') => {}
            _ => out.push(c),
        }
    }
    out
}

/// The automatic grade of one answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AutoGrade {
    /// The share of the question's points earned, `0.0 ..= 1.0`.
    Fraction(f64),
    /// A teacher must grade it (an essay that was answered).
    Manual,
}

/// Stable name of an answer's kind: the same names as
/// [`QuestionBody::kind_name`], so the two can be compared.
#[must_use]
pub fn answer_kind(answer: &Answer) -> &'static str {
    match answer {
        Answer::SingleChoice(_) => "single_choice",
        Answer::MultipleChoice(_) => "multiple_choice",
        Answer::TrueFalse(_) => "true_false",
        Answer::ShortText(_) => "short_text",
        Answer::Numeric(_) => "numeric",
        Answer::Matching(_) => "matching",
        Answer::Ordering(_) => "ordering",
        Answer::Essay(_) => "essay",
    }
}

/// Grades one answer against a question's body.
///
/// * single choice, true/false: exact;
/// * multiple choice: `max(0, right_selected / right_total - wrong_selected / wrong_total)`
///   (selecting every option scores 0 unless every option is right; ids that
///   are not options of the question are ignored);
/// * short text: the normalised answer equals a normalised accepted answer;
/// * numeric: `|x - value| <= tolerance` (plus [`NUMERIC_EPSILON`]);
/// * matching: the share of pairs matched right;
/// * ordering: the share of positions holding the right item;
/// * essay: [`AutoGrade::Manual`] when answered (non-blank), else 0.
///
/// A missing answer or an answer of another kind scores 0.
#[must_use]
pub fn grade_answer(body: &QuestionBody, answer: Option<&Answer>) -> AutoGrade {
    let Some(answer) = answer else {
        return AutoGrade::Fraction(0.0);
    };
    let fraction = match (body, answer) {
        (QuestionBody::SingleChoice { correct, .. }, Answer::SingleChoice(chosen)) => {
            bool_score(chosen == correct)
        }
        (QuestionBody::TrueFalse { correct }, Answer::TrueFalse(chosen)) => {
            bool_score(chosen == correct)
        }
        (QuestionBody::MultipleChoice { options, correct }, Answer::MultipleChoice(chosen)) => {
            multiple_choice_score(options.iter().map(|o| o.id), correct, chosen)
        }
        (QuestionBody::ShortText { accepted }, Answer::ShortText(text)) => {
            let given = normalize_text(text);
            bool_score(
                !given.is_empty()
                    && accepted
                        .iter()
                        .map(|a| normalize_text(a))
                        .any(|a| !a.is_empty() && a == given),
            )
        }
        (QuestionBody::Numeric { value, tolerance }, Answer::Numeric(x)) => {
            bool_score(x.is_finite() && (x - value).abs() <= tolerance + NUMERIC_EPSILON)
        }
        (QuestionBody::Matching { pairs }, Answer::Matching(given)) => share(
            pairs
                .iter()
                .filter(|p| given.get(&p.left.id) == Some(&p.right.id))
                .count(),
            pairs.len(),
        ),
        (QuestionBody::Ordering { items }, Answer::Ordering(given)) => share(
            items
                .iter()
                .zip(given.iter())
                .filter(|(item, id)| item.id == **id)
                .count(),
            items.len(),
        ),
        (QuestionBody::Essay, Answer::Essay(text)) => {
            if text.trim().is_empty() {
                0.0
            } else {
                return AutoGrade::Manual;
            }
        }
        _ => 0.0,
    };
    AutoGrade::Fraction(fraction.clamp(0.0, 1.0))
}

fn bool_score(right: bool) -> f64 {
    if right { 1.0 } else { 0.0 }
}

fn share(right: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        right as f64 / total as f64
    }
}

fn multiple_choice_score(
    options: impl Iterator<Item = OptionId>,
    correct: &BTreeSet<OptionId>,
    chosen: &BTreeSet<OptionId>,
) -> f64 {
    let (mut right_total, mut wrong_total, mut right_selected, mut wrong_selected) = (0, 0, 0, 0);
    for id in options {
        let selected = chosen.contains(&id);
        if correct.contains(&id) {
            right_total += 1;
            right_selected += usize::from(selected);
        } else {
            wrong_total += 1;
            wrong_selected += usize::from(selected);
        }
    }
    (share(right_selected, right_total) - share(wrong_selected, wrong_total)).max(0.0)
}

/// Scores an attempt: each question gets `points × fraction` of its
/// automatic grade; a score in `manual` (a teacher's) replaces the automatic
/// one, capped at the question's points. Answered essays without a manual
/// score are [`QuestionScore::PendingManual`] and count 0 for now.
#[must_use]
pub fn score_attempt(
    questions: &[Question],
    answers: &BTreeMap<QuestionId, Answer>,
    manual: &BTreeMap<QuestionId, Points>,
) -> AttemptResult {
    let mut per_question = BTreeMap::new();
    for q in questions {
        let score = match manual.get(&q.id) {
            Some(p) => QuestionScore::Scored(if *p > q.points { q.points } else { *p }),
            None => match grade_answer(&q.body, answers.get(&q.id)) {
                AutoGrade::Fraction(f) => QuestionScore::Scored(q.points.fraction(f)),
                AutoGrade::Manual => QuestionScore::PendingManual,
            },
        };
        per_question.insert(q.id, score);
    }
    let score = Points::sum(per_question.values().filter_map(|s| match s {
        QuestionScore::Scored(p) => Some(*p),
        QuestionScore::PendingManual => None,
    }));
    let pending_manual = per_question
        .values()
        .any(|s| *s == QuestionScore::PendingManual);
    AttemptResult {
        per_question,
        score,
        max_score: Points::sum(questions.iter().map(|q| q.points)),
        pending_manual,
    }
}

/// Why a saved answer was rejected (it does not fit its question).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnswerError {
    /// The answer is of another kind than the question.
    #[error("expected an answer of kind {expected}, got {got}")]
    WrongKind {
        /// The question's kind.
        expected: &'static str,
        /// The answer's kind.
        got: &'static str,
    },
    /// An option or item id that the question does not have, or one used twice.
    #[error("the answer names options that are not in the question")]
    UnknownOption,
    /// A number that is not finite.
    #[error("the number must be finite")]
    NotFinite,
    /// Text longer than allowed.
    #[error("the answer is longer than {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
}

/// Checks that an answer fits its question (kind, ids, number, length),
/// before it is saved. Partial answers (an incomplete ordering or
/// matching) are fine: grading scores them.
pub fn validate_answer(body: &QuestionBody, answer: &Answer) -> Result<(), AnswerError> {
    match (body, answer) {
        (QuestionBody::SingleChoice { options, .. }, Answer::SingleChoice(id)) => {
            if !has(options, id) {
                return Err(AnswerError::UnknownOption);
            }
        }
        (QuestionBody::MultipleChoice { options, .. }, Answer::MultipleChoice(ids)) => {
            if !ids.iter().all(|id| has(options, id)) {
                return Err(AnswerError::UnknownOption);
            }
        }
        (QuestionBody::TrueFalse { .. }, Answer::TrueFalse(_)) => {}
        (QuestionBody::ShortText { .. }, Answer::ShortText(text)) => {
            if text.chars().count() > MAX_SHORT_TEXT_CHARS {
                return Err(AnswerError::TooLong {
                    max: MAX_SHORT_TEXT_CHARS,
                });
            }
        }
        (QuestionBody::Numeric { .. }, Answer::Numeric(x)) => {
            if !x.is_finite() {
                return Err(AnswerError::NotFinite);
            }
        }
        (QuestionBody::Matching { pairs }, Answer::Matching(map)) => {
            let ok = map.iter().all(|(left, right)| {
                pairs.iter().any(|p| p.left.id == *left)
                    && pairs.iter().any(|p| p.right.id == *right)
            });
            if !ok {
                return Err(AnswerError::UnknownOption);
            }
        }
        (QuestionBody::Ordering { items }, Answer::Ordering(order)) => {
            let distinct: BTreeSet<_> = order.iter().collect();
            if distinct.len() != order.len() || !order.iter().all(|id| has(items, id)) {
                return Err(AnswerError::UnknownOption);
            }
        }
        (QuestionBody::Essay, Answer::Essay(text)) => {
            if text.chars().count() > MAX_ESSAY_CHARS {
                return Err(AnswerError::TooLong {
                    max: MAX_ESSAY_CHARS,
                });
            }
        }
        (body, answer) => {
            return Err(AnswerError::WrongKind {
                expected: body.kind_name(),
                got: answer_kind(answer),
            });
        }
    }
    Ok(())
}

fn has(choices: &[Choice], id: &OptionId) -> bool {
    choices.iter().any(|c| c.id == *id)
}

/// A tiny deterministic pseudo-random generator (SplitMix64): the same seed
/// always yields the same sequence on every platform, so an attempt shows
/// the same order every time it is loaded. Not for secrets.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next number of the sequence.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound > 0`), by multiply-shift; the bias is
    /// at most `bound / 2^64`, irrelevant for shuffling a quiz.
    pub fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }
}

/// The items in an order determined by `seed` (Fisher–Yates over
/// [`SplitMix64`]): always a permutation, always the same for the same seed.
#[must_use]
pub fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut out = items.to_vec();
    let mut rng = SplitMix64::new(seed);
    for i in (1..out.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        out.swap(i, j);
    }
    out
}

/// The question order of an attempt: by authored position, shuffled with
/// `seed` when `shuffle` is set.
#[must_use]
pub fn question_order(questions: &[Question], seed: u64, shuffle: bool) -> Vec<QuestionId> {
    let mut sorted: Vec<&Question> = questions.iter().collect();
    sorted.sort_by_key(|q| q.position);
    let ids: Vec<QuestionId> = sorted.into_iter().map(|q| q.id).collect();
    if shuffle { shuffled(&ids, seed) } else { ids }
}

/// The seed of one question's option shuffle in an attempt, derived from the
/// attempt's seed and the question id, so questions shuffle independently.
#[must_use]
pub fn option_seed(attempt_seed: u64, question: QuestionId) -> u64 {
    let (hi, lo) = question.as_uuid().as_u64_pair();
    let mut rng = SplitMix64::new(attempt_seed ^ hi);
    let first = rng.next_u64();
    SplitMix64::new(first ^ lo).next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::QuizId;
    use crate::quiz::model::MatchPair;
    use crate::richtext::RichText;
    use proptest::prelude::*;

    fn choice(text: &str) -> Choice {
        Choice {
            id: OptionId::new(),
            text: text.to_owned(),
        }
    }

    fn question(points: f64, body: QuestionBody) -> Question {
        Question {
            id: QuestionId::new(),
            quiz_id: QuizId::new(),
            position: 0,
            prompt: RichText::from_plain_text("?"),
            points: Points::new(points).unwrap(),
            body,
            explanation: None,
        }
    }

    fn fraction(body: &QuestionBody, answer: Option<Answer>) -> f64 {
        match grade_answer(body, answer.as_ref()) {
            AutoGrade::Fraction(f) => f,
            AutoGrade::Manual => panic!("expected an automatic grade"),
        }
    }

    /// One answer of every kind, none of them right for any body.
    fn wrong_kind_answers() -> Vec<Answer> {
        vec![
            Answer::SingleChoice(OptionId::new()),
            Answer::MultipleChoice(BTreeSet::from([OptionId::new()])),
            Answer::TrueFalse(true),
            Answer::ShortText("x".into()),
            Answer::Numeric(1.0),
            Answer::Matching(BTreeMap::from([(OptionId::new(), OptionId::new())])),
            Answer::Ordering(vec![OptionId::new()]),
            Answer::Essay("text".into()),
        ]
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize_text("  Ёлка  \t В\n\nЛЕСУ "), "елка в лесу");
        assert_eq!(normalize_text("ЁЖИК"), "ежик");
        assert_eq!(normalize_text("е\u{308}ж"), "еж", "decomposed ё");
        assert_eq!(normalize_text("Е\u{308}\u{308}Ж"), "еж");
        assert_eq!(normalize_text("ÄPFEL"), "äpfel", "other diaeresis kept");
        assert_eq!(normalize_text("   "), "");
        assert_eq!(
            normalize_text("New\u{a0}York"),
            "new york",
            "NBSP is a space"
        );
    }

    #[test]
    fn single_choice_and_true_false_are_exact() {
        let (a, b) = (choice("A"), choice("B"));
        let body = QuestionBody::SingleChoice {
            options: vec![a.clone(), b.clone()],
            correct: b.id,
        };
        assert_eq!(fraction(&body, Some(Answer::SingleChoice(b.id))), 1.0);
        assert_eq!(fraction(&body, Some(Answer::SingleChoice(a.id))), 0.0);
        assert_eq!(
            fraction(&body, Some(Answer::SingleChoice(OptionId::new()))),
            0.0
        );
        assert_eq!(fraction(&body, None), 0.0);
        for v in [true, false] {
            let tf = QuestionBody::TrueFalse { correct: v };
            assert_eq!(fraction(&tf, Some(Answer::TrueFalse(v))), 1.0);
            assert_eq!(fraction(&tf, Some(Answer::TrueFalse(!v))), 0.0);
            assert_eq!(fraction(&tf, None), 0.0);
        }
    }

    #[test]
    fn multiple_choice_partial_credit() {
        let opts: Vec<Choice> = ["a", "b", "c", "d"].iter().map(|t| choice(t)).collect();
        let id = |i: usize| opts[i].id;
        let body = QuestionBody::MultipleChoice {
            options: opts.clone(),
            correct: BTreeSet::from([id(0), id(1)]),
        };
        let pick =
            |ids: &[usize]| Some(Answer::MultipleChoice(ids.iter().map(|i| id(*i)).collect()));
        assert_eq!(fraction(&body, pick(&[0, 1])), 1.0, "exact set");
        assert_eq!(fraction(&body, pick(&[0])), 0.5);
        assert_eq!(fraction(&body, pick(&[0, 1, 2])), 0.5, "1 - 1/2");
        assert_eq!(fraction(&body, pick(&[0, 2])), 0.0, "1/2 - 1/2");
        assert_eq!(fraction(&body, pick(&[0, 2, 3])), 0.0, "clamped at 0");
        assert_eq!(fraction(&body, pick(&[0, 1, 2, 3])), 0.0, "everything");
        assert_eq!(fraction(&body, pick(&[])), 0.0);
        assert_eq!(fraction(&body, None), 0.0);
        // Ids that are not options neither help nor hurt.
        let mut with_foreign: BTreeSet<_> = [id(0), id(1)].into();
        with_foreign.insert(OptionId::new());
        assert_eq!(
            fraction(&body, Some(Answer::MultipleChoice(with_foreign))),
            1.0
        );
        // When every option is right, selecting every option is the exact set.
        let all_right = QuestionBody::MultipleChoice {
            options: opts.clone(),
            correct: opts.iter().map(|o| o.id).collect(),
        };
        assert_eq!(fraction(&all_right, pick(&[0, 1, 2, 3])), 1.0);
        assert_eq!(fraction(&all_right, pick(&[0])), 0.25);
    }

    #[test]
    fn short_text_is_normalised() {
        let body = QuestionBody::ShortText {
            accepted: vec!["Москва".into(), "  ".into(), "Ёлки  Палки".into()],
        };
        let text = |s: &str| Some(Answer::ShortText(s.into()));
        assert_eq!(fraction(&body, text(" москва ")), 1.0);
        assert_eq!(fraction(&body, text("МОСКВА")), 1.0);
        assert_eq!(fraction(&body, text("елки палки")), 1.0);
        assert_eq!(fraction(&body, text("ёлки\tпалки")), 1.0);
        assert_eq!(fraction(&body, text("Мосвка")), 0.0);
        assert_eq!(fraction(&body, text("елкипалки")), 0.0);
        assert_eq!(
            fraction(&body, text("   ")),
            0.0,
            "a blank answer never matches a blank accepted one"
        );
    }

    #[test]
    fn numeric_tolerance() {
        let body = QuestionBody::Numeric {
            value: 0.3,
            tolerance: 0.0,
        };
        let num = |x: f64| Some(Answer::Numeric(x));
        assert_eq!(fraction(&body, num(0.1 + 0.2)), 1.0, "float noise");
        assert_eq!(fraction(&body, num(0.31)), 0.0);
        assert_eq!(fraction(&body, num(f64::NAN)), 0.0);
        let tol = QuestionBody::Numeric {
            value: 10.0,
            tolerance: 0.5,
        };
        assert_eq!(fraction(&tol, num(10.5)), 1.0);
        assert_eq!(fraction(&tol, num(9.5)), 1.0);
        assert_eq!(fraction(&tol, num(10.51)), 0.0);
        assert_eq!(fraction(&tol, num(f64::INFINITY)), 0.0);
    }

    #[test]
    fn matching_and_ordering_give_partial_credit() {
        let pairs: Vec<MatchPair> = (0..4)
            .map(|i| MatchPair {
                left: choice(&format!("L{i}")),
                right: choice(&format!("R{i}")),
            })
            .collect();
        let body = QuestionBody::Matching {
            pairs: pairs.clone(),
        };
        let mut map: BTreeMap<_, _> = pairs.iter().map(|p| (p.left.id, p.right.id)).collect();
        assert_eq!(fraction(&body, Some(Answer::Matching(map.clone()))), 1.0);
        map.insert(pairs[0].left.id, pairs[1].right.id);
        assert_eq!(fraction(&body, Some(Answer::Matching(map.clone()))), 0.75);
        map.remove(&pairs[1].left.id);
        assert_eq!(fraction(&body, Some(Answer::Matching(map))), 0.5);
        assert_eq!(
            fraction(&body, Some(Answer::Matching(BTreeMap::new()))),
            0.0
        );

        let items: Vec<Choice> = (0..4).map(|i| choice(&format!("I{i}"))).collect();
        let body = QuestionBody::Ordering {
            items: items.clone(),
        };
        let order =
            |ix: &[usize]| Some(Answer::Ordering(ix.iter().map(|i| items[*i].id).collect()));
        assert_eq!(fraction(&body, order(&[0, 1, 2, 3])), 1.0);
        assert_eq!(fraction(&body, order(&[1, 0, 2, 3])), 0.5);
        assert_eq!(fraction(&body, order(&[3, 2, 1, 0])), 0.0);
        assert_eq!(fraction(&body, order(&[0, 1])), 0.5, "partial order");
        assert_eq!(fraction(&body, order(&[])), 0.0);
    }

    #[test]
    fn essays_need_a_teacher_when_answered() {
        assert_eq!(
            grade_answer(
                &QuestionBody::Essay,
                Some(&Answer::Essay("Мой ответ".into()))
            ),
            AutoGrade::Manual
        );
        assert_eq!(
            grade_answer(&QuestionBody::Essay, Some(&Answer::Essay(" \n ".into()))),
            AutoGrade::Fraction(0.0)
        );
        assert_eq!(
            grade_answer(&QuestionBody::Essay, None),
            AutoGrade::Fraction(0.0)
        );
    }

    #[test]
    fn wrong_kind_scores_zero_for_every_pair() {
        let (a, b) = (choice("a"), choice("b"));
        let bodies = vec![
            QuestionBody::SingleChoice {
                options: vec![a.clone(), b.clone()],
                correct: a.id,
            },
            QuestionBody::MultipleChoice {
                options: vec![a.clone(), b.clone()],
                correct: BTreeSet::from([a.id]),
            },
            QuestionBody::TrueFalse { correct: true },
            QuestionBody::ShortText {
                accepted: vec!["x".into()],
            },
            QuestionBody::Numeric {
                value: 1.0,
                tolerance: 0.0,
            },
            QuestionBody::Matching {
                pairs: vec![
                    MatchPair {
                        left: choice("l1"),
                        right: choice("r1"),
                    },
                    MatchPair {
                        left: choice("l2"),
                        right: choice("r2"),
                    },
                ],
            },
            QuestionBody::Ordering {
                items: vec![a.clone(), b.clone()],
            },
            QuestionBody::Essay,
        ];
        for body in &bodies {
            for answer in wrong_kind_answers() {
                if answer_kind(&answer) == body.kind_name() {
                    continue;
                }
                assert_eq!(
                    grade_answer(body, Some(&answer)),
                    AutoGrade::Fraction(0.0),
                    "{} answered with {}",
                    body.kind_name(),
                    answer_kind(&answer)
                );
                assert_eq!(
                    validate_answer(body, &answer),
                    Err(AnswerError::WrongKind {
                        expected: body.kind_name(),
                        got: answer_kind(&answer)
                    })
                );
            }
        }
    }

    #[test]
    fn score_attempt_sums_points_and_keeps_essays_pending() {
        let (a, b) = (choice("a"), choice("b"));
        let single = question(
            2.0,
            QuestionBody::SingleChoice {
                options: vec![a.clone(), b.clone()],
                correct: a.id,
            },
        );
        let multi = question(
            3.0,
            QuestionBody::MultipleChoice {
                options: vec![a.clone(), b.clone(), choice("c")],
                correct: BTreeSet::from([a.id, b.id]),
            },
        );
        let essay = question(5.0, QuestionBody::Essay);
        let unanswered = question(1.0, QuestionBody::TrueFalse { correct: true });
        let questions = vec![
            single.clone(),
            multi.clone(),
            essay.clone(),
            unanswered.clone(),
        ];
        let answers = BTreeMap::from([
            (single.id, Answer::SingleChoice(a.id)),
            (multi.id, Answer::MultipleChoice(BTreeSet::from([a.id]))),
            (essay.id, Answer::Essay("Эссе".into())),
        ]);
        let r = score_attempt(&questions, &answers, &BTreeMap::new());
        assert_eq!(
            r.per_question[&single.id],
            QuestionScore::Scored(Points::new(2.0).unwrap())
        );
        assert_eq!(
            r.per_question[&multi.id],
            QuestionScore::Scored(Points::new(1.5).unwrap())
        );
        assert_eq!(r.per_question[&essay.id], QuestionScore::PendingManual);
        assert_eq!(
            r.per_question[&unanswered.id],
            QuestionScore::Scored(Points::ZERO)
        );
        assert_eq!(r.score, Points::new(3.5).unwrap());
        assert_eq!(r.max_score, Points::new(11.0).unwrap());
        assert!(r.pending_manual);
        assert_eq!(r.essays_pending(), 1, "one essay waits");

        // A teacher's score ends the wait and counts; it is capped at the question's points.
        let graded = score_attempt(
            &questions,
            &answers,
            &BTreeMap::from([(essay.id, Points::new(4.0).unwrap())]),
        );
        assert_eq!(
            graded.per_question[&essay.id],
            QuestionScore::Scored(Points::new(4.0).unwrap())
        );
        assert_eq!(graded.score, Points::new(7.5).unwrap());
        assert!(!graded.pending_manual);
        assert_eq!(graded.essays_pending(), 0);
        let capped = score_attempt(
            &questions,
            &answers,
            &BTreeMap::from([(essay.id, Points::new(50.0).unwrap())]),
        );
        assert_eq!(
            capped.per_question[&essay.id],
            QuestionScore::Scored(essay.points)
        );

        let empty = score_attempt(&[], &answers, &BTreeMap::new());
        assert_eq!((empty.score, empty.max_score), (Points::ZERO, Points::ZERO));
        assert!(empty.per_question.is_empty() && !empty.pending_manual);
    }

    #[test]
    fn validate_answer_checks_ids_numbers_and_length() {
        let (a, b) = (choice("a"), choice("b"));
        let single = QuestionBody::SingleChoice {
            options: vec![a.clone(), b.clone()],
            correct: a.id,
        };
        assert_eq!(
            validate_answer(&single, &Answer::SingleChoice(b.id)),
            Ok(())
        );
        assert_eq!(
            validate_answer(&single, &Answer::SingleChoice(OptionId::new())),
            Err(AnswerError::UnknownOption)
        );
        let multi = QuestionBody::MultipleChoice {
            options: vec![a.clone(), b.clone()],
            correct: BTreeSet::from([a.id]),
        };
        assert_eq!(
            validate_answer(
                &multi,
                &Answer::MultipleChoice(BTreeSet::from([a.id, b.id]))
            ),
            Ok(())
        );
        assert_eq!(
            validate_answer(
                &multi,
                &Answer::MultipleChoice(BTreeSet::from([a.id, OptionId::new()]))
            ),
            Err(AnswerError::UnknownOption)
        );
        let numeric = QuestionBody::Numeric {
            value: 1.0,
            tolerance: 0.1,
        };
        assert_eq!(validate_answer(&numeric, &Answer::Numeric(2.0)), Ok(()));
        assert_eq!(
            validate_answer(&numeric, &Answer::Numeric(f64::NAN)),
            Err(AnswerError::NotFinite)
        );
        let short = QuestionBody::ShortText {
            accepted: vec!["x".into()],
        };
        assert_eq!(
            validate_answer(&short, &Answer::ShortText("я".repeat(MAX_SHORT_TEXT_CHARS))),
            Ok(()),
            "the limit counts characters, not bytes"
        );
        assert_eq!(
            validate_answer(
                &short,
                &Answer::ShortText("x".repeat(MAX_SHORT_TEXT_CHARS + 1))
            ),
            Err(AnswerError::TooLong {
                max: MAX_SHORT_TEXT_CHARS
            })
        );
        assert_eq!(
            validate_answer(
                &QuestionBody::Essay,
                &Answer::Essay("x".repeat(MAX_ESSAY_CHARS + 1))
            ),
            Err(AnswerError::TooLong {
                max: MAX_ESSAY_CHARS
            })
        );
        let pairs = vec![
            MatchPair {
                left: choice("l1"),
                right: choice("r1"),
            },
            MatchPair {
                left: choice("l2"),
                right: choice("r2"),
            },
        ];
        let matching = QuestionBody::Matching {
            pairs: pairs.clone(),
        };
        assert_eq!(
            validate_answer(
                &matching,
                &Answer::Matching(BTreeMap::from([(pairs[0].left.id, pairs[1].right.id)]))
            ),
            Ok(())
        );
        assert_eq!(
            validate_answer(
                &matching,
                &Answer::Matching(BTreeMap::from([(pairs[0].right.id, pairs[1].left.id)]))
            ),
            Err(AnswerError::UnknownOption),
            "left and right swapped"
        );
        let ordering = QuestionBody::Ordering {
            items: vec![a.clone(), b.clone()],
        };
        assert_eq!(
            validate_answer(&ordering, &Answer::Ordering(vec![b.id])),
            Ok(())
        );
        assert_eq!(
            validate_answer(&ordering, &Answer::Ordering(vec![a.id, a.id])),
            Err(AnswerError::UnknownOption),
            "duplicates"
        );
    }

    #[test]
    fn splitmix_matches_reference_values() {
        // The published test vector of SplitMix64 seeded with 0.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn question_order_sorts_by_position_and_shuffles_on_request() {
        let mut qs: Vec<Question> = (0..8)
            .map(|i| {
                let mut q = question(1.0, QuestionBody::TrueFalse { correct: true });
                q.position = 7 - i;
                q
            })
            .collect();
        qs.swap(2, 5);
        let mut by_position = qs.clone();
        by_position.sort_by_key(|q| q.position);
        let expected: Vec<_> = by_position.iter().map(|q| q.id).collect();
        assert_eq!(question_order(&qs, 42, false), expected);
        let shuffled_order = question_order(&qs, 42, true);
        assert_eq!(shuffled_order, question_order(&qs, 42, true));
        let mut sorted = shuffled_order.clone();
        sorted.sort();
        let mut all = expected.clone();
        all.sort();
        assert_eq!(sorted, all);
        // Some seed among a few must change the order of eight questions.
        assert!((0..5).any(|s| question_order(&qs, s, true) != expected));
    }

    #[test]
    fn option_seed_differs_per_question_and_attempt() {
        let (q1, q2) = (QuestionId::new(), QuestionId::new());
        assert_eq!(option_seed(7, q1), option_seed(7, q1));
        assert_ne!(option_seed(7, q1), option_seed(7, q2));
        assert_ne!(option_seed(7, q1), option_seed(8, q1));
    }

    fn arb_body() -> impl Strategy<Value = QuestionBody> {
        let n = 2usize..6;
        prop_oneof![
            (n.clone(), any::<prop::sample::Index>()).prop_map(|(n, i)| {
                let options: Vec<Choice> = (0..n).map(|k| choice(&format!("o{k}"))).collect();
                let correct = options[i.index(n)].id;
                QuestionBody::SingleChoice { options, correct }
            }),
            (n.clone(), prop::collection::vec(any::<bool>(), 6)).prop_map(|(n, pick)| {
                let options: Vec<Choice> = (0..n).map(|k| choice(&format!("o{k}"))).collect();
                let mut correct: BTreeSet<_> = options
                    .iter()
                    .zip(&pick)
                    .filter(|(_, p)| **p)
                    .map(|(o, _)| o.id)
                    .collect();
                if correct.is_empty() {
                    correct.insert(options[0].id);
                }
                QuestionBody::MultipleChoice { options, correct }
            }),
            any::<bool>().prop_map(|correct| QuestionBody::TrueFalse { correct }),
            "[a-zA-Zа-яёЁ ]{1,12}".prop_map(|a| QuestionBody::ShortText {
                accepted: vec![format!("{a}x")]
            }),
            (-1e6f64..1e6, 0f64..10.0)
                .prop_map(|(value, tolerance)| QuestionBody::Numeric { value, tolerance }),
            n.clone().prop_map(|n| QuestionBody::Matching {
                pairs: (0..n)
                    .map(|k| MatchPair {
                        left: choice(&format!("l{k}")),
                        right: choice(&format!("r{k}"))
                    })
                    .collect()
            }),
            n.prop_map(|n| QuestionBody::Ordering {
                items: (0..n).map(|k| choice(&format!("i{k}"))).collect()
            }),
            Just(QuestionBody::Essay),
        ]
    }

    /// An answer built from the body's own ids (so it can be right, partly
    /// right or wrong), or of a random kind.
    fn arb_answer(body: &QuestionBody) -> BoxedStrategy<Option<Answer>> {
        let ids: Vec<OptionId> = match body {
            QuestionBody::SingleChoice { options, .. }
            | QuestionBody::MultipleChoice { options, .. } => {
                options.iter().map(|o| o.id).collect()
            }
            QuestionBody::Matching { pairs } => {
                pairs.iter().flat_map(|p| [p.left.id, p.right.id]).collect()
            }
            QuestionBody::Ordering { items } => items.iter().map(|o| o.id).collect(),
            _ => vec![OptionId::new(), OptionId::new()],
        };
        let pick = prop::sample::select(ids.clone());
        let subset = prop::sample::subsequence(ids.clone(), 0..=ids.len());
        prop_oneof![
            Just(None),
            pick.clone().prop_map(|id| Some(Answer::SingleChoice(id))),
            subset
                .clone()
                .prop_map(|s| Some(Answer::MultipleChoice(s.into_iter().collect()))),
            any::<bool>().prop_map(|b| Some(Answer::TrueFalse(b))),
            "[a-zA-Zа-яёЁ ]{0,12}".prop_map(|s| Some(Answer::ShortText(s))),
            any::<f64>().prop_map(|x| Some(Answer::Numeric(x))),
            prop::collection::btree_map(pick.clone(), pick, 0..6)
                .prop_map(|m| Some(Answer::Matching(m))),
            Just(ids.clone())
                .prop_shuffle()
                .prop_map(|v| Some(Answer::Ordering(v))),
            subset.prop_map(|v| Some(Answer::Ordering(v))),
            ".{0,20}".prop_map(|s| Some(Answer::Essay(s))),
        ]
        .boxed()
    }

    fn arb_question() -> impl Strategy<Value = (Question, Option<Answer>)> {
        (arb_body(), 0.0f64..100.0).prop_flat_map(|(body, points)| {
            let q = question(points, body);
            (Just(q.clone()), arb_answer(&q.body))
        })
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(s in "\\PC{0,40}") {
            let once = normalize_text(&s);
            prop_assert_eq!(normalize_text(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
            prop_assert!(!once.contains('ё') && !once.contains('Ё'));
        }

        #[test]
        fn grades_are_fractions_and_deterministic((q, answer) in arb_question()) {
            let first = grade_answer(&q.body, answer.as_ref());
            prop_assert_eq!(first, grade_answer(&q.body, answer.as_ref()));
            match first {
                AutoGrade::Fraction(f) => prop_assert!((0.0..=1.0).contains(&f)),
                AutoGrade::Manual => prop_assert!(q.body.needs_manual_grading()),
            }
        }

        #[test]
        fn score_never_exceeds_max(
            items in prop::collection::vec(arb_question(), 0..8),
            manual in prop::collection::vec(0.0f64..200.0, 8),
        ) {
            let questions: Vec<Question> = items.iter().map(|(q, _)| q.clone()).collect();
            let answers: BTreeMap<_, _> = items
                .iter()
                .filter_map(|(q, a)| a.clone().map(|a| (q.id, a)))
                .collect();
            let manual: BTreeMap<_, _> = questions
                .iter()
                .zip(&manual)
                .filter(|(q, _)| q.body.needs_manual_grading())
                .map(|(q, m)| (q.id, Points::new(*m).unwrap()))
                .collect();
            let r = score_attempt(&questions, &answers, &manual);
            prop_assert!(r.score <= r.max_score, "{:?} > {:?}", r.score, r.max_score);
            prop_assert_eq!(r.per_question.len(), questions.len());
            for q in &questions {
                if let QuestionScore::Scored(p) = r.per_question[&q.id] {
                    prop_assert!(p <= q.points);
                }
            }
            prop_assert_eq!(&r, &score_attempt(&questions, &answers, &manual));
        }

        #[test]
        fn the_right_answer_scores_full(body in arb_body()) {
            let right = match &body {
                QuestionBody::SingleChoice { correct, .. } => Answer::SingleChoice(*correct),
                QuestionBody::MultipleChoice { correct, .. } => Answer::MultipleChoice(correct.clone()),
                QuestionBody::TrueFalse { correct } => Answer::TrueFalse(*correct),
                QuestionBody::ShortText { accepted } => Answer::ShortText(format!("  {}  ", accepted[0].to_uppercase())),
                QuestionBody::Numeric { value, .. } => Answer::Numeric(*value),
                QuestionBody::Matching { pairs } => {
                    Answer::Matching(pairs.iter().map(|p| (p.left.id, p.right.id)).collect())
                }
                QuestionBody::Ordering { items } => Answer::Ordering(items.iter().map(|i| i.id).collect()),
                QuestionBody::Essay | QuestionBody::Random { .. } => return Ok(()),
            };
            prop_assert_eq!(validate_answer(&body, &right), Ok(()));
            prop_assert_eq!(grade_answer(&body, Some(&right)), AutoGrade::Fraction(1.0));
        }

        #[test]
        fn selecting_every_option_scores_zero_unless_all_are_right(body in arb_body()) {
            if let QuestionBody::MultipleChoice { options, correct } = &body {
                let all = Answer::MultipleChoice(options.iter().map(|o| o.id).collect());
                let expected = if correct.len() == options.len() { 1.0 } else { 0.0 };
                prop_assert_eq!(grade_answer(&body, Some(&all)), AutoGrade::Fraction(expected));
            }
        }

        #[test]
        fn shuffle_is_a_stable_permutation(items in prop::collection::vec(any::<u16>(), 0..40), seed in any::<u64>()) {
            let once = shuffled(&items, seed);
            prop_assert_eq!(&once, &shuffled(&items, seed));
            let mut a = once.clone();
            a.sort_unstable();
            let mut b = items.clone();
            b.sort_unstable();
            prop_assert_eq!(a, b);
        }

        #[test]
        fn below_stays_in_bounds(seed in any::<u64>(), bound in 1u64..1000) {
            let mut rng = SplitMix64::new(seed);
            for _ in 0..20 {
                prop_assert!(rng.below(bound) < bound);
            }
        }
    }
}
