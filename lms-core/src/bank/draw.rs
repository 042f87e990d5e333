//! Random variants: which bank questions an attempt draws for each random
//! slot of a quiz, and the attempt's question order around them.

use std::collections::BTreeSet;

use crate::bank::model::BankQuestion;
use crate::ids::{BankQuestionId, QuestionId};
use crate::quiz::{Question, QuestionBody, SplitMix64, option_seed, shuffled};
use crate::score::Points;

/// Picks `count` of `candidates` (fewer when the pool is smaller) that are
/// not in `taken`, by a partial Fisher–Yates shuffle seeded from the
/// attempt's seed and the slot: the same seed and pool always give the same
/// draw, different seeds give different variants.
#[must_use]
pub fn draw(
    candidates: &[BankQuestionId],
    count: u32,
    attempt_seed: u64,
    slot: QuestionId,
    taken: &BTreeSet<BankQuestionId>,
) -> Vec<BankQuestionId> {
    let mut pool: Vec<BankQuestionId> = candidates
        .iter()
        .filter(|id| !taken.contains(id))
        .copied()
        .collect();
    pool.sort();
    pool.dedup();
    let wanted = (count as usize).min(pool.len());
    let mut rng = SplitMix64::new(option_seed(attempt_seed, slot));
    for i in 0..wanted {
        let remaining = (pool.len() - i) as u64;
        let j = i + rng.below(remaining) as usize;
        pool.swap(i, j);
    }
    pool.truncate(wanted);
    pool
}

/// An attempt's questions once its slots are drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Copies of the drawn bank questions, worth their slot's points.
    pub drawn: Vec<Question>,
    /// Every question of the attempt in its order: by position, a slot's
    /// questions where the slot stands, all shuffled with the seed when
    /// the quiz shuffles questions.
    pub order: Vec<QuestionId>,
}

/// The variant from the quiz's questions (slots included), the bank ids
/// each slot drew (`picks`, by slot id) and the bank questions read for
/// them. A drawn question that no longer exists is left out.
#[must_use]
pub fn assemble(
    questions: &[Question],
    picks: &[(QuestionId, Vec<BankQuestionId>)],
    bank: &[BankQuestion],
    seed: u64,
    shuffle: bool,
) -> Variant {
    let mut sorted: Vec<&Question> = questions.iter().collect();
    sorted.sort_by_key(|q| q.position);
    let mut drawn = Vec::new();
    let mut order = Vec::new();
    for question in sorted {
        if !question.body.is_random() {
            order.push(question.id);
            continue;
        }
        let Some((_, ids)) = picks.iter().find(|(slot, _)| *slot == question.id) else {
            continue;
        };
        for id in ids {
            if let Some(found) = bank.iter().find(|b| b.id == *id) {
                let copy =
                    found.as_quiz_question(question.quiz_id, question.position, question.points);
                order.push(copy.id);
                drawn.push(copy);
            }
        }
    }
    if shuffle {
        order = shuffled(&order, seed);
    }
    Variant { drawn, order }
}

/// The random slots of a quiz's questions, by position.
pub fn slots(questions: &[Question]) -> impl Iterator<Item = &Question> {
    let mut slots: Vec<&Question> = questions.iter().filter(|q| q.body.is_random()).collect();
    slots.sort_by_key(|q| q.position);
    slots.into_iter()
}

/// How many questions and points a quiz gives an attempt when every slot
/// draws in full.
#[must_use]
pub fn planned_size(questions: &[Question]) -> (u32, Points) {
    let count = |q: &Question| match &q.body {
        QuestionBody::Random { count, .. } => *count,
        _ => 1,
    };
    let n = questions.iter().map(count).fold(0u32, u32::saturating_add);
    let points = Points::sum(
        questions
            .iter()
            .map(|q| Points::new(q.points.value() * f64::from(count(q))).unwrap_or(Points::ZERO)),
    );
    (n, points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<BankQuestionId> {
        (0..n).map(|_| BankQuestionId::new()).collect()
    }

    #[test]
    fn a_draw_is_a_seeded_subset_without_repeats() {
        let pool = ids(20);
        let slot = QuestionId::new();
        let none = BTreeSet::new();
        let first = draw(&pool, 5, 7, slot, &none);
        assert_eq!(first.len(), 5);
        assert_eq!(first.iter().collect::<BTreeSet<_>>().len(), 5);
        assert!(first.iter().all(|id| pool.contains(id)));
        // The same seed draws the same questions, whatever the pool's order.
        let mut reversed = pool.clone();
        reversed.reverse();
        assert_eq!(draw(&reversed, 5, 7, slot, &none), first);
        // Other seeds give other variants.
        assert!((8..20).any(|seed| draw(&pool, 5, seed, slot, &none) != first));
    }

    #[test]
    fn a_draw_skips_taken_questions_and_stops_at_the_pool_size() {
        let pool = ids(4);
        let taken: BTreeSet<_> = pool[..2].iter().copied().collect();
        let got = draw(&pool, 5, 1, QuestionId::new(), &taken);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|id| !taken.contains(id)));
        assert!(draw(&[], 3, 1, QuestionId::new(), &taken).is_empty());
    }

    #[test]
    fn every_question_of_a_pool_gets_drawn_over_many_seeds() {
        let pool = ids(10);
        let slot = QuestionId::new();
        let seen: BTreeSet<_> = (0..200)
            .flat_map(|seed| draw(&pool, 1, seed, slot, &BTreeSet::new()))
            .collect();
        assert_eq!(seen.len(), 10);
    }
}
