//! Grading one finished quiz attempt: [`score_attempt`] over a 50-question
//! quiz holding every question kind the model has (single and multiple
//! choice, true/false, short text, numeric, matching, ordering, essay) and a
//! full set of answers, some right, some partly right, some wrong; no
//! teacher scores yet, so the essays stay pending. This is the work done
//! when a student submits or the server closes an attempt at its deadline.
//!
//! Run with `cargo bench -p lms-core --bench quiz_grading`
//! (add `-- --quick` for a faster, rougher figure).

use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use lms_core::ids::{OptionId, QuestionId, QuizId};
use lms_core::quiz::{Answer, Choice, MatchPair, Question, QuestionBody, score_attempt};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use uuid::Uuid;

const QUESTIONS: u32 = 50;

/// Deterministic ids, so every run grades the same data.
struct Ids(u128);

impl Ids {
    fn next<T: From<Uuid>>(&mut self) -> T {
        self.0 += 1;
        T::from(Uuid::from_u128(self.0))
    }

    fn choices(&mut self, texts: &[&str]) -> Vec<Choice> {
        texts
            .iter()
            .map(|t| Choice {
                id: self.next::<OptionId>(),
                text: (*t).to_owned(),
            })
            .collect()
    }
}

/// Question `n`'s body (the kind cycles through all eight) and the student's
/// answer to it; `right` says whether the student knows this one.
fn question_and_answer(ids: &mut Ids, n: u32, right: bool) -> (QuestionBody, Answer) {
    match n % 8 {
        0 => {
            let options = ids.choices(&["1/2", "2/3", "3/4", "4/5"]);
            let correct = options[2].id;
            let chosen = if right { correct } else { options[0].id };
            (
                QuestionBody::SingleChoice { options, correct },
                Answer::SingleChoice(chosen),
            )
        }
        1 => {
            let options = ids.choices(&["2", "3", "4", "5", "9"]);
            let correct: BTreeSet<OptionId> = [options[0].id, options[1].id, options[3].id].into();
            // Two of three right ones; the weaker student also ticks a wrong one.
            let mut chosen: BTreeSet<OptionId> = [options[0].id, options[1].id].into();
            if !right {
                chosen.insert(options[4].id);
            }
            (
                QuestionBody::MultipleChoice { options, correct },
                Answer::MultipleChoice(chosen),
            )
        }
        2 => (
            QuestionBody::TrueFalse { correct: true },
            Answer::TrueFalse(right),
        ),
        3 => (
            QuestionBody::ShortText {
                accepted: vec![
                    "Ёлка".to_owned(),
                    "ель обыкновенная".to_owned(),
                    "Picea abies".to_owned(),
                ],
            },
            Answer::ShortText(if right {
                "  ЕЛЬ   обыкновенная ".to_owned()
            } else {
                "сосна".to_owned()
            }),
        ),
        4 => (
            QuestionBody::Numeric {
                // Free-fall acceleration, m/s².
                value: 9.81,
                tolerance: 0.05,
            },
            Answer::Numeric(if right { 9.8 } else { 10.0 }),
        ),
        5 => {
            let lefts = ids.choices(&["Москва", "Париж", "Берлин", "Рим"]);
            let rights = ids.choices(&["Россия", "Франция", "Германия", "Италия"]);
            let pairs: Vec<MatchPair> = lefts
                .into_iter()
                .zip(rights)
                .map(|(left, right)| MatchPair { left, right })
                .collect();
            let mut given: BTreeMap<OptionId, OptionId> =
                pairs.iter().map(|p| (p.left.id, p.right.id)).collect();
            if !right {
                // Two capitals swapped.
                given.insert(pairs[0].left.id, pairs[1].right.id);
                given.insert(pairs[1].left.id, pairs[0].right.id);
            }
            (QuestionBody::Matching { pairs }, Answer::Matching(given))
        }
        6 => {
            let items = ids.choices(&["Вода", "Пар", "Облако", "Дождь", "Река"]);
            let mut given: Vec<OptionId> = items.iter().map(|c| c.id).collect();
            if !right {
                given.swap(1, 3);
            }
            (QuestionBody::Ordering { items }, Answer::Ordering(given))
        }
        _ => (
            QuestionBody::Essay,
            Answer::Essay(
                "Фотосинтез — процесс образования органических веществ на свету. ".repeat(25),
            ),
        ),
    }
}

/// A 50-question quiz and one student's answers to every question.
fn attempt() -> (Vec<Question>, BTreeMap<QuestionId, Answer>) {
    let mut ids = Ids(0);
    let quiz_id: QuizId = ids.next();
    let mut questions = Vec::new();
    let mut answers = BTreeMap::new();
    for n in 0..QUESTIONS {
        // Roughly two answers in three are right.
        let (body, answer) = question_and_answer(&mut ids, n, !n.is_multiple_of(3));
        body.validate().expect("a valid question");
        let question = Question {
            id: ids.next(),
            quiz_id,
            position: n,
            prompt: RichText::sanitize(&format!("<p>Вопрос {}</p>", n + 1)),
            points: Points::new(f64::from(1 + n % 3)).expect("points"),
            body,
            explanation: None,
        };
        answers.insert(question.id, answer);
        questions.push(question);
    }
    (questions, answers)
}

fn bench_quiz_grading(c: &mut Criterion) {
    let (questions, answers) = attempt();
    let manual = BTreeMap::new();
    let result = score_attempt(&questions, &answers, &manual);
    assert_eq!(result.per_question.len(), QUESTIONS as usize);
    assert!(result.pending_manual, "answered essays wait for a teacher");
    assert!(result.score > Points::ZERO && result.score < result.max_score);

    c.bench_function("quiz/score_attempt_50_questions", |b| {
        b.iter(|| {
            score_attempt(
                black_box(&questions),
                black_box(&answers),
                black_box(&manual),
            )
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench_quiz_grading
}
criterion_main!(benches);
