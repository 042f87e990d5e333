//! What a student may see of a quiz: questions without their correct
//! answers (by type: [`StudentQuestionBody`] has no field that could hold
//! one), results as totals only (by type: [`ResultTotals`] has no
//! per-question part), and reviews that carry per-question scores, correct
//! answers and explanations only when the quiz's reveal policy allows it
//! (a [`ReviewItem`] is built only by [`student_review`], which checks
//! [`reveal_allowed`], and [`staff_review`]).
//!
//! Per-question scores are answers too: a true/false question scored 0
//! tells the right value, and with several attempts a student could fix
//! exactly the wrong answers before the quiz closes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AttemptId, OptionId, QuestionId, QuizId, UserId};
use crate::quiz::grading::{SplitMix64, option_seed, shuffled};
use crate::quiz::model::{
    Answer, Attempt, AttemptResult, AttemptState, Choice, Question, QuestionBody, QuestionScore,
    QuizSettings, RevealPolicy,
};
use crate::richtext::RichText;
use crate::score::Points;

/// A question's kind and what a student needs to answer it, and nothing
/// more: no correct option, accepted text, value, pairing or order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StudentQuestionBody {
    /// Pick one option.
    SingleChoice {
        /// Options (in the attempt's order).
        options: Vec<Choice>,
    },
    /// Pick one or more options.
    MultipleChoice {
        /// Options (in the attempt's order).
        options: Vec<Choice>,
    },
    /// True or false.
    TrueFalse,
    /// Type a short answer.
    ShortText,
    /// Type a number.
    Numeric,
    /// Match each left item with a right item.
    Matching {
        /// Items to match.
        left: Vec<Choice>,
        /// Candidates, always mixed so their order tells nothing.
        right: Vec<Choice>,
    },
    /// Put the items in order.
    Ordering {
        /// Items, always mixed so their order tells nothing.
        items: Vec<Choice>,
    },
    /// Write a free answer.
    Essay,
}

/// A question as a student sees it during an attempt.
///
/// Built only by [`StudentQuestion::for_attempt`]; its fields are read
/// through accessors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StudentQuestion {
    id: QuestionId,
    position: u32,
    prompt: RichText,
    points: Points,
    body: StudentQuestionBody,
}

/// Items in an order that depends only on the set of items and the seed,
/// never on the authored order (which may be the answer).
fn mixed(items: &[Choice], seed: u64) -> Vec<Choice> {
    let mut canonical = items.to_vec();
    canonical.sort_by_key(|c| c.id);
    shuffled(&canonical, seed)
}

impl StudentQuestion {
    /// The student's view of `question` in the attempt with `attempt_seed`.
    ///
    /// Choice options keep the authored order unless `shuffle_options`;
    /// the right-hand items of a matching question and the items of an
    /// ordering question are always mixed (their authored order is the
    /// answer), and so are matching left items when `shuffle_options`.
    /// The same attempt always gets the same order.
    #[must_use]
    pub fn for_attempt(question: &Question, attempt_seed: u64, shuffle_options: bool) -> Self {
        let mut seeds = SplitMix64::new(option_seed(attempt_seed, question.id));
        let (first, second) = (seeds.next_u64(), seeds.next_u64());
        let options = |options: &[Choice]| {
            if shuffle_options {
                shuffled(options, first)
            } else {
                options.to_vec()
            }
        };
        let body = match &question.body {
            QuestionBody::SingleChoice { options: o, .. } => StudentQuestionBody::SingleChoice {
                options: options(o),
            },
            QuestionBody::MultipleChoice { options: o, .. } => {
                StudentQuestionBody::MultipleChoice {
                    options: options(o),
                }
            }
            QuestionBody::TrueFalse { .. } => StudentQuestionBody::TrueFalse,
            QuestionBody::ShortText { .. } => StudentQuestionBody::ShortText,
            QuestionBody::Numeric { .. } => StudentQuestionBody::Numeric,
            QuestionBody::Matching { pairs } => {
                let left: Vec<Choice> = pairs.iter().map(|p| p.left.clone()).collect();
                let right: Vec<Choice> = pairs.iter().map(|p| p.right.clone()).collect();
                StudentQuestionBody::Matching {
                    left: options(&left),
                    right: mixed(&right, second),
                }
            }
            QuestionBody::Ordering { items } => StudentQuestionBody::Ordering {
                items: mixed(items, second),
            },
            // A slot is never part of an attempt (its draws are); shown
            // as a free answer should a caller pass one anyway.
            QuestionBody::Essay | QuestionBody::Random { .. } => StudentQuestionBody::Essay,
        };
        Self {
            id: question.id,
            position: question.position,
            prompt: question.prompt.clone(),
            points: question.points,
            body,
        }
    }

    /// The question.
    #[must_use]
    pub fn id(&self) -> QuestionId {
        self.id
    }

    /// Its authored position in the quiz (attempts may show another order).
    #[must_use]
    pub fn position(&self) -> u32 {
        self.position
    }

    /// The question text.
    #[must_use]
    pub fn prompt(&self) -> &RichText {
        &self.prompt
    }

    /// Points for a fully right answer.
    #[must_use]
    pub fn points(&self) -> Points {
        self.points
    }

    /// Kind and answering data.
    #[must_use]
    pub fn body(&self) -> &StudentQuestionBody {
        &self.body
    }
}

/// The questions of an attempt as its student sees them, in the attempt's
/// order (questions deleted since the start are skipped).
#[must_use]
pub fn attempt_questions(
    questions: &[Question],
    attempt: &Attempt,
    shuffle_options: bool,
) -> Vec<StudentQuestion> {
    in_attempt_order(questions, attempt)
        .map(|q| StudentQuestion::for_attempt(q, attempt.seed, shuffle_options))
        .collect()
}

fn in_attempt_order<'a>(
    questions: &'a [Question],
    attempt: &'a Attempt,
) -> impl Iterator<Item = &'a Question> + 'a {
    let by_id: BTreeMap<QuestionId, &Question> = questions.iter().map(|q| (q.id, q)).collect();
    attempt
        .question_order
        .iter()
        .filter_map(move |id| by_id.get(id).copied())
}

/// The correct answer of a question, for reviews once revealing is allowed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CorrectAnswer {
    /// The right option.
    SingleChoice {
        /// Its id.
        option: OptionId,
    },
    /// The right options.
    MultipleChoice {
        /// Their ids.
        options: BTreeSet<OptionId>,
    },
    /// The right value.
    TrueFalse {
        /// True or false.
        value: bool,
    },
    /// Accepted answers.
    ShortText {
        /// As the teacher wrote them.
        accepted: Vec<String>,
    },
    /// The right number.
    Numeric {
        /// The value.
        value: f64,
        /// Accepted deviation.
        tolerance: f64,
    },
    /// The right pairs.
    Matching {
        /// Left item id → right item id.
        pairs: BTreeMap<OptionId, OptionId>,
    },
    /// The right order.
    Ordering {
        /// Item ids in order.
        order: Vec<OptionId>,
    },
}

impl CorrectAnswer {
    /// The correct part of a question body; `None` for essays, which have none.
    #[must_use]
    pub fn of(body: &QuestionBody) -> Option<Self> {
        Some(match body {
            QuestionBody::SingleChoice { correct, .. } => Self::SingleChoice { option: *correct },
            QuestionBody::MultipleChoice { correct, .. } => Self::MultipleChoice {
                options: correct.clone(),
            },
            QuestionBody::TrueFalse { correct } => Self::TrueFalse { value: *correct },
            QuestionBody::ShortText { accepted } => Self::ShortText {
                accepted: accepted.clone(),
            },
            QuestionBody::Numeric { value, tolerance } => Self::Numeric {
                value: *value,
                tolerance: *tolerance,
            },
            QuestionBody::Matching { pairs } => Self::Matching {
                pairs: pairs.iter().map(|p| (p.left.id, p.right.id)).collect(),
            },
            QuestionBody::Ordering { items } => Self::Ordering {
                order: items.iter().map(|i| i.id).collect(),
            },
            QuestionBody::Essay | QuestionBody::Random { .. } => return None,
        })
    }
}

/// Whether the student who made `attempt` may see correct answers at `now`:
/// never while the attempt is open; after it under
/// [`RevealPolicy::AfterAttempt`]; once the quiz has closed under
/// [`RevealPolicy::AfterClose`] (never if it has no closing time); never
/// under [`RevealPolicy::Never`].
#[must_use]
pub fn reveal_allowed(settings: &QuizSettings, attempt: &Attempt, now: DateTime<Utc>) -> bool {
    if attempt.state == AttemptState::Open {
        return false;
    }
    match settings.reveal {
        RevealPolicy::AfterAttempt => true,
        RevealPolicy::AfterClose => settings.closes_at.is_some_and(|c| c <= now),
        RevealPolicy::Never => false,
    }
}

/// What anyone who may see an attempt may see of its result, before and
/// after answers are revealed: the totals, without the per-question scores
/// that would tell which answers were right.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultTotals {
    /// Points earned so far (pending essays count 0).
    pub score: Points,
    /// Points available.
    pub max_score: Points,
    /// Whether an essay still waits for a teacher.
    pub pending_manual: bool,
}

impl From<&AttemptResult> for ResultTotals {
    fn from(r: &AttemptResult) -> Self {
        Self {
            score: r.score,
            max_score: r.max_score,
            pending_manual: r.pending_manual,
        }
    }
}

/// An attempt without its answers: for lists and review headers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptSummary {
    /// The attempt.
    pub id: AttemptId,
    /// The quiz.
    pub quiz_id: QuizId,
    /// The student.
    pub student_id: UserId,
    /// 1, 2, ... per student and quiz.
    pub number: u32,
    /// State.
    pub state: AttemptState,
    /// When started.
    pub started_at: DateTime<Utc>,
    /// Server-side deadline, if any.
    pub deadline: Option<DateTime<Utc>>,
    /// When finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Total score, once finished (per-question scores are only in reviews).
    pub result: Option<ResultTotals>,
}

impl From<&Attempt> for AttemptSummary {
    fn from(a: &Attempt) -> Self {
        Self {
            id: a.id,
            quiz_id: a.quiz_id,
            student_id: a.student_id,
            number: a.number,
            state: a.state,
            started_at: a.started_at,
            deadline: a.deadline,
            finished_at: a.finished_at,
            result: a.result.as_ref().map(ResultTotals::from),
        }
    }
}

/// An attempt in a staff listing: the summary and who made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffAttemptSummary {
    /// The attempt.
    #[serde(flatten)]
    pub attempt: AttemptSummary,
    /// The student's display name.
    pub student_name: String,
}

/// One question of a review.
///
/// Built only by [`student_review`] and [`staff_review`]: the score,
/// correct answer and explanation are filled only when revealing is allowed
/// (always for staff). Fields are read through accessors.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewItem {
    question: StudentQuestion,
    answer: Option<Answer>,
    score: Option<QuestionScore>,
    correct: Option<CorrectAnswer>,
    explanation: Option<RichText>,
}

impl ReviewItem {
    /// The question as the student saw it.
    #[must_use]
    pub fn question(&self) -> &StudentQuestion {
        &self.question
    }

    /// The student's answer.
    #[must_use]
    pub fn answer(&self) -> Option<&Answer> {
        self.answer.as_ref()
    }

    /// The question's score, when revealed and the attempt is finished.
    #[must_use]
    pub fn score(&self) -> Option<QuestionScore> {
        self.score
    }

    /// The correct answer, when revealed (essays have none).
    #[must_use]
    pub fn correct(&self) -> Option<&CorrectAnswer> {
        self.correct.as_ref()
    }

    /// The teacher's explanation, when revealed.
    #[must_use]
    pub fn explanation(&self) -> Option<&RichText> {
        self.explanation.as_ref()
    }
}

/// A finished (or, for staff, any) attempt question by question.
///
/// Built only by [`student_review`] and [`staff_review`]; fields are read
/// through accessors.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptReview {
    attempt: AttemptSummary,
    answers_revealed: bool,
    items: Vec<ReviewItem>,
}

impl AttemptReview {
    /// The attempt, with its total score once finished.
    #[must_use]
    pub fn attempt(&self) -> &AttemptSummary {
        &self.attempt
    }

    /// Whether per-question scores, correct answers and explanations are
    /// included.
    #[must_use]
    pub fn answers_revealed(&self) -> bool {
        self.answers_revealed
    }

    /// Questions in the attempt's order.
    #[must_use]
    pub fn items(&self) -> &[ReviewItem] {
        &self.items
    }
}

fn review(
    questions: &[Question],
    settings: &QuizSettings,
    attempt: &Attempt,
    reveal: bool,
) -> AttemptReview {
    let items = in_attempt_order(questions, attempt)
        .map(|q| ReviewItem {
            question: StudentQuestion::for_attempt(q, attempt.seed, settings.shuffle_options),
            answer: attempt.answers.get(&q.id).cloned(),
            score: if reveal {
                attempt
                    .result
                    .as_ref()
                    .and_then(|r| r.per_question.get(&q.id).copied())
            } else {
                None
            },
            correct: if reveal {
                CorrectAnswer::of(&q.body)
            } else {
                None
            },
            explanation: if reveal { q.explanation.clone() } else { None },
        })
        .collect();
    AttemptReview {
        attempt: AttemptSummary::from(attempt),
        answers_revealed: reveal,
        items,
    }
}

/// The review the attempt's student gets at `now`: per-question scores,
/// correct answers and explanations only when [`reveal_allowed`] and no
/// other attempt of the same student at this quiz is still open
/// (`another_open`), so answers seen in one attempt never go into another;
/// before that, only the total in [`AttemptReview::attempt`].
#[must_use]
pub fn student_review(
    questions: &[Question],
    settings: &QuizSettings,
    attempt: &Attempt,
    now: DateTime<Utc>,
    another_open: bool,
) -> AttemptReview {
    review(
        questions,
        settings,
        attempt,
        !another_open && reveal_allowed(settings, attempt, now),
    )
}

/// The review staff get: always with per-question scores, correct answers
/// and explanations.
#[must_use]
pub fn staff_review(
    questions: &[Question],
    settings: &QuizSettings,
    attempt: &Attempt,
) -> AttemptReview {
    review(questions, settings, attempt, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::grading::score_attempt;
    use crate::quiz::model::MatchPair;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn choice(text: &str) -> Choice {
        Choice {
            id: OptionId::new(),
            text: text.to_owned(),
        }
    }

    fn question(body: QuestionBody) -> Question {
        Question {
            id: QuestionId::new(),
            quiz_id: QuizId::new(),
            position: 0,
            prompt: RichText::from_plain_text("Вопрос"),
            points: Points::new(2.0).unwrap(),
            body,
            explanation: Some(RichText::from_plain_text("EXPLANATION-MARKER")),
        }
    }

    fn attempt(questions: &[Question], state: AttemptState) -> Attempt {
        Attempt {
            id: AttemptId::new(),
            quiz_id: QuizId::new(),
            student_id: UserId::new(),
            number: 1,
            seed: 99,
            question_order: questions.iter().map(|q| q.id).collect(),
            drawn: Vec::new(),
            started_at: now() - Duration::minutes(30),
            deadline: None,
            state,
            answers: BTreeMap::new(),
            saved_at: None,
            finished_at: (state != AttemptState::Open).then(now),
            result: None,
            submit_key: None,
        }
    }

    /// Pairs of questions with the same id, prompt and items that differ
    /// only in their correct answer, one pair per kind.
    fn twins() -> Vec<(Question, Question)> {
        let opts: Vec<Choice> = (0..4).map(|i| choice(&format!("option {i}"))).collect();
        let pairs: Vec<MatchPair> = (0..4)
            .map(|i| MatchPair {
                left: choice(&format!("left {i}")),
                right: choice(&format!("right {i}")),
            })
            .collect();
        let rotated: Vec<MatchPair> = (0..4)
            .map(|i| MatchPair {
                left: pairs[i].left.clone(),
                right: pairs[(i + 1) % 4].right.clone(),
            })
            .collect();
        let mut reversed = opts.clone();
        reversed.reverse();
        let bodies = vec![
            (
                QuestionBody::SingleChoice {
                    options: opts.clone(),
                    correct: opts[0].id,
                },
                QuestionBody::SingleChoice {
                    options: opts.clone(),
                    correct: opts[2].id,
                },
            ),
            (
                QuestionBody::MultipleChoice {
                    options: opts.clone(),
                    correct: BTreeSet::from([opts[0].id, opts[1].id]),
                },
                QuestionBody::MultipleChoice {
                    options: opts.clone(),
                    correct: BTreeSet::from([opts[3].id]),
                },
            ),
            (
                QuestionBody::TrueFalse { correct: true },
                QuestionBody::TrueFalse { correct: false },
            ),
            (
                QuestionBody::ShortText {
                    accepted: vec!["SECRET-ACCEPTED-ONE".into()],
                },
                QuestionBody::ShortText {
                    accepted: vec!["SECRET-ACCEPTED-TWO".into(), "другой".into()],
                },
            ),
            (
                QuestionBody::Numeric {
                    value: 31_415.926,
                    tolerance: 0.5,
                },
                QuestionBody::Numeric {
                    value: 27_182.818,
                    tolerance: 0.25,
                },
            ),
            (
                QuestionBody::Matching {
                    pairs: pairs.clone(),
                },
                QuestionBody::Matching { pairs: rotated },
            ),
            (
                QuestionBody::Ordering {
                    items: opts.clone(),
                },
                QuestionBody::Ordering { items: reversed },
            ),
            (QuestionBody::Essay, QuestionBody::Essay),
        ];
        bodies
            .into_iter()
            .map(|(a, b)| {
                let q = question(a);
                let twin = Question {
                    body: b,
                    explanation: Some(RichText::from_plain_text("OTHER-EXPLANATION")),
                    ..q.clone()
                };
                (q, twin)
            })
            .collect()
    }

    #[test]
    fn student_views_do_not_depend_on_the_correct_answer() {
        for (a, b) in twins() {
            for shuffle in [false, true] {
                for seed in [0, 1, 99, u64::MAX] {
                    let va = StudentQuestion::for_attempt(&a, seed, shuffle);
                    let vb = StudentQuestion::for_attempt(&b, seed, shuffle);
                    let (ja, jb) = (
                        serde_json::to_string(&va).unwrap(),
                        serde_json::to_string(&vb).unwrap(),
                    );
                    assert_eq!(ja, jb, "{} leaks its answer", a.body.kind_name());
                    for marker in [
                        "SECRET-ACCEPTED",
                        "31415",
                        "27182",
                        "EXPLANATION",
                        "correct",
                        "accepted",
                        "tolerance",
                        "pairs",
                    ] {
                        assert!(!ja.contains(marker), "{marker} in {ja}");
                    }
                    assert!(ja.contains(&format!("\"kind\":\"{}\"", a.body.kind_name())));
                }
            }
        }
    }

    #[test]
    fn student_view_shape_per_kind() {
        for (q, _) in twins() {
            let v = StudentQuestion::for_attempt(&q, 5, false);
            assert_eq!(
                (v.id(), v.position(), v.points(), v.prompt()),
                (q.id, q.position, q.points, &q.prompt)
            );
            match (&q.body, v.body()) {
                (
                    QuestionBody::SingleChoice { options, .. },
                    StudentQuestionBody::SingleChoice { options: shown },
                )
                | (
                    QuestionBody::MultipleChoice { options, .. },
                    StudentQuestionBody::MultipleChoice { options: shown },
                ) => assert_eq!(shown, options, "authored order without shuffle_options"),
                (
                    QuestionBody::Matching { pairs },
                    StudentQuestionBody::Matching { left, right },
                ) => {
                    let lefts: Vec<_> = pairs.iter().map(|p| p.left.clone()).collect();
                    assert_eq!(left, &lefts);
                    let mut r = right.clone();
                    r.sort_by_key(|c| c.id);
                    let mut expected: Vec<_> = pairs.iter().map(|p| p.right.clone()).collect();
                    expected.sort_by_key(|c| c.id);
                    assert_eq!(r, expected, "every right item, once");
                }
                (
                    QuestionBody::Ordering { items },
                    StudentQuestionBody::Ordering { items: shown },
                ) => {
                    let mut s = shown.clone();
                    s.sort_by_key(|c| c.id);
                    let mut e = items.clone();
                    e.sort_by_key(|c| c.id);
                    assert_eq!(s, e);
                }
                (QuestionBody::TrueFalse { .. }, StudentQuestionBody::TrueFalse)
                | (QuestionBody::ShortText { .. }, StudentQuestionBody::ShortText)
                | (QuestionBody::Numeric { .. }, StudentQuestionBody::Numeric)
                | (QuestionBody::Essay, StudentQuestionBody::Essay) => {}
                (b, v) => panic!("{} shown as {v:?}", b.kind_name()),
            }
        }
    }

    #[test]
    fn option_shuffle_is_per_attempt_and_stable() {
        let opts: Vec<Choice> = (0..8).map(|i| choice(&format!("o{i}"))).collect();
        let q = question(QuestionBody::SingleChoice {
            options: opts.clone(),
            correct: opts[0].id,
        });
        let shown = |seed| match StudentQuestion::for_attempt(&q, seed, true).body {
            StudentQuestionBody::SingleChoice { options } => options,
            other => panic!("{other:?}"),
        };
        assert_eq!(shown(3), shown(3), "same attempt, same order");
        assert!(
            (0..6).any(|s| shown(s) != opts),
            "eight options get mixed by some seed"
        );
        assert!((0..6).any(|s| shown(s) != shown(s + 1)), "attempts differ");
        let mut sorted = shown(3);
        sorted.sort_by_key(|c| c.id);
        let mut all = opts.clone();
        all.sort_by_key(|c| c.id);
        assert_eq!(sorted, all);
    }

    #[test]
    fn reveal_rules() {
        let qs = vec![question(QuestionBody::TrueFalse { correct: true })];
        let open = attempt(&qs, AttemptState::Open);
        let done = attempt(&qs, AttemptState::Submitted);
        let auto = attempt(&qs, AttemptState::AutoSubmitted);
        let mut s = QuizSettings {
            reveal: RevealPolicy::AfterAttempt,
            ..QuizSettings::default()
        };
        assert!(!reveal_allowed(&s, &open, now()));
        assert!(reveal_allowed(&s, &done, now()));
        assert!(reveal_allowed(&s, &auto, now()));

        s.reveal = RevealPolicy::AfterClose;
        assert!(!reveal_allowed(&s, &done, now()), "no closing time: never");
        s.closes_at = Some(now() + Duration::minutes(1));
        assert!(!reveal_allowed(&s, &done, now()));
        s.closes_at = Some(now());
        assert!(reveal_allowed(&s, &done, now()));
        assert!(!reveal_allowed(&s, &open, now()), "open attempts never");

        s.reveal = RevealPolicy::Never;
        assert!(!reveal_allowed(&s, &done, now() + Duration::days(365)));
    }

    #[test]
    fn student_review_reveals_only_when_allowed_and_staff_always() {
        let qs: Vec<Question> = twins().into_iter().map(|(a, _)| a).collect();
        let mut a = attempt(&qs, AttemptState::Submitted);
        a.answers.insert(qs[2].id, Answer::TrueFalse(false));
        a.result = Some(score_attempt(&qs, &a.answers, &BTreeMap::new()));
        let never = QuizSettings {
            reveal: RevealPolicy::Never,
            ..QuizSettings::default()
        };
        let hidden = student_review(&qs, &never, &a, now(), false);
        assert!(!hidden.answers_revealed());
        assert_eq!(hidden.items().len(), qs.len());
        assert!(
            hidden
                .items()
                .iter()
                .all(|i| i.correct().is_none() && i.explanation().is_none() && i.score().is_none())
        );
        assert_eq!(hidden.items()[2].answer(), Some(&Answer::TrueFalse(false)));
        let totals = hidden
            .attempt()
            .result
            .expect("a finished attempt has totals");
        assert_eq!(
            (totals.score, totals.max_score),
            (Points::ZERO, Points::new(16.0).unwrap()),
            "only the total is shown"
        );
        let json = serde_json::to_string(&hidden).unwrap();
        for marker in [
            "SECRET-ACCEPTED",
            "31415",
            "EXPLANATION",
            "\"correct\":{",
            "per_question",
            "\"status\":",
        ] {
            assert!(!json.contains(marker), "{marker} leaked in {json}");
        }

        let after = QuizSettings::default();
        let shown = student_review(&qs, &after, &a, now(), false);
        assert!(shown.answers_revealed());
        assert_eq!(
            shown.items()[2].correct(),
            Some(&CorrectAnswer::TrueFalse { value: true })
        );
        assert_eq!(
            shown.items()[2].score(),
            Some(QuestionScore::Scored(Points::ZERO)),
            "per-question scores once revealed"
        );
        assert_eq!(
            shown.items()[7].correct(),
            None,
            "essays have no correct answer"
        );
        assert_eq!(shown.items()[7].explanation(), qs[7].explanation.as_ref());

        let staff = staff_review(&qs, &never, &a);
        assert!(staff.answers_revealed());
        assert_eq!(
            staff.items()[0].correct().cloned(),
            CorrectAnswer::of(&qs[0].body),
            "staff see answers whatever the policy"
        );
        assert_eq!(
            staff.items()[2].score(),
            Some(QuestionScore::Scored(Points::ZERO)),
            "and per-question scores"
        );
        assert_eq!(staff.attempt(), &AttemptSummary::from(&a));
    }

    #[test]
    fn summaries_carry_totals_only() {
        let qs: Vec<Question> = twins().into_iter().map(|(a, _)| a).collect();
        let mut a = attempt(&qs, AttemptState::Submitted);
        a.answers.insert(qs[2].id, Answer::TrueFalse(true));
        a.answers.insert(qs[7].id, Answer::Essay("Эссе".into()));
        let result = score_attempt(&qs, &a.answers, &BTreeMap::new());
        a.result = Some(result.clone());
        let summary = AttemptSummary::from(&a);
        assert_eq!(
            summary.result,
            Some(ResultTotals {
                score: result.score,
                max_score: result.max_score,
                pending_manual: true,
            })
        );
        let json = serde_json::to_string(&summary).unwrap();
        for id in qs.iter().map(|q| q.id.to_string()) {
            assert!(!json.contains(&id), "a question id in {json}");
        }
        assert_eq!(
            AttemptSummary::from(&attempt(&qs, AttemptState::Open)).result,
            None
        );
    }

    #[test]
    fn reviews_follow_the_attempt_order_and_skip_deleted_questions() {
        let qs: Vec<Question> = (0..3)
            .map(|_| question(QuestionBody::TrueFalse { correct: true }))
            .collect();
        let mut a = attempt(&qs, AttemptState::Submitted);
        a.question_order = vec![qs[2].id, QuestionId::new(), qs[0].id, qs[1].id];
        let ids: Vec<_> = student_review(&qs, &QuizSettings::default(), &a, now(), false)
            .items()
            .iter()
            .map(|i| i.question().id())
            .collect();
        assert_eq!(ids, vec![qs[2].id, qs[0].id, qs[1].id]);
        let shown: Vec<_> = attempt_questions(&qs, &a, false)
            .iter()
            .map(StudentQuestion::id)
            .collect();
        assert_eq!(shown, ids);
    }

    #[test]
    fn correct_answer_mirrors_the_body() {
        let items: Vec<Choice> = (0..3).map(|i| choice(&format!("i{i}"))).collect();
        assert_eq!(
            CorrectAnswer::of(&QuestionBody::Ordering {
                items: items.clone()
            }),
            Some(CorrectAnswer::Ordering {
                order: items.iter().map(|i| i.id).collect()
            })
        );
        let pair = |l: &Choice, r: &Choice| MatchPair {
            left: l.clone(),
            right: r.clone(),
        };
        assert_eq!(
            CorrectAnswer::of(&QuestionBody::Matching {
                pairs: vec![pair(&items[0], &items[1]), pair(&items[2], &items[0])]
            }),
            Some(CorrectAnswer::Matching {
                pairs: BTreeMap::from([(items[0].id, items[1].id), (items[2].id, items[0].id)])
            })
        );
        assert_eq!(
            CorrectAnswer::of(&QuestionBody::Numeric {
                value: 2.5,
                tolerance: 0.1
            }),
            Some(CorrectAnswer::Numeric {
                value: 2.5,
                tolerance: 0.1
            })
        );
        assert_eq!(CorrectAnswer::of(&QuestionBody::Essay), None);
    }
}
