//! Tests: pure rules.

use super::*;

#[test]
fn lifecycle_transitions_are_exactly_the_four_allowed() {
    let all = [Draft, Published, Archived];
    let allowed = [
        (Draft, Published),
        (Published, Draft),
        (Published, Archived),
        (Archived, Published),
    ];
    for from in all {
        for to in all {
            assert_eq!(
                is_allowed_transition(from, to),
                allowed.contains(&(from, to)),
                "{from:?} -> {to:?}"
            );
        }
    }
}

pub(super) fn lessons_with_ids(ids: &[LessonId]) -> Vec<Lesson> {
    let c = course(Draft);
    ids.iter()
        .map(|id| Lesson {
            id: *id,
            ..lesson_of(&c, None)
        })
        .collect()
}

proptest! {
    #[test]
    fn any_shuffle_is_a_permutation_and_any_damage_is_not(
        n in 1usize..12,
        seed in any::<u64>(),
        victim in any::<prop::sample::Index>(),
    ) {
        let ids: Vec<LessonId> = (0..n).map(|_| LessonId::new()).collect();
        let lessons = lessons_with_ids(&ids);
        let mut order = ids.clone();
        // Deterministic shuffle from the seed.
        let mut s = seed;
        for i in (1..order.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (s >> 33) as usize % (i + 1));
        }
        prop_assert!(is_permutation(&order, &lessons));

        let k = victim.index(n);
        let mut missing = order.clone();
        missing.remove(k);
        prop_assert!(!is_permutation(&missing, &lessons));

        let mut extra = order.clone();
        extra.push(LessonId::new());
        prop_assert!(!is_permutation(&extra, &lessons));

        let mut duplicated = order.clone();
        duplicated.push(order[k]);
        prop_assert!(!is_permutation(&duplicated, &lessons));

        let mut replaced = order.clone();
        replaced[k] = LessonId::new();
        prop_assert!(!is_permutation(&replaced, &lessons));
    }
}

#[test]
fn duplicate_in_place_of_another_lesson_is_not_a_permutation() {
    let ids = [LessonId::new(), LessonId::new(), LessonId::new()];
    let lessons = lessons_with_ids(&ids);
    assert!(!is_permutation(&[ids[0], ids[0], ids[2]], &lessons));
    assert!(is_permutation(&[], &[]));
}
