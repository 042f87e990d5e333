//! Conformance of [`AchievementStore`](crate::achievement::AchievementStore).

use futures::future::join_all;

use super::fixtures::{add_course, add_user, at, award, ok, retry_transient};
use crate::achievement::Badge;
use crate::course::CourseStatus;
use crate::ids::{CourseId, UserId};
use crate::ports::Storage;
use crate::user::Role;

/// A badge is awarded once per student; the first award is kept.
pub async fn awards_are_made_once(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let v = add_user(&storage, Role::Student).await;
    let first = award(u.id, Badge::FirstHomework, CourseId::new(), at(0));
    assert!(
        ok(storage.achievements.award(&first).await, "award"),
        "a new badge is awarded"
    );
    let again = award(u.id, Badge::FirstHomework, CourseId::new(), at(10));
    assert!(
        !ok(storage.achievements.award(&again).await, "award again"),
        "the same badge is not awarded twice (courses do not scope it)"
    );
    assert!(
        ok(
            storage
                .achievements
                .award(&award(v.id, Badge::FirstHomework, CourseId::new(), at(5)))
                .await,
            "award"
        ),
        "another student earns it too"
    );
    assert_eq!(
        ok(storage.achievements.list_achievements(u.id).await, "list"),
        [first],
        "one award, with its first date"
    );
    assert!(
        ok(
            storage.achievements.list_achievements(UserId::new()).await,
            "list"
        )
        .is_empty(),
        "an unknown user has no badges"
    );
}

/// Per-course badges are awarded once per course.
pub async fn per_course_badges_are_scoped_by_course(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let teacher = add_user(&storage, Role::Teacher).await;
    let a = add_course(&storage, teacher.id, CourseStatus::Published)
        .await
        .id;
    let b = add_course(&storage, teacher.id, CourseStatus::Archived)
        .await
        .id;
    let in_a = award(u.id, Badge::CourseCompleted, a, at(0));
    let in_b = award(u.id, Badge::CourseCompleted, b, at(10));
    assert_eq!(in_a.course_id, Some(a), "the fixture scopes it by course");
    assert!(ok(storage.achievements.award(&in_a).await, "award in a"));
    assert!(
        ok(storage.achievements.award(&in_b).await, "award in b"),
        "the same badge in another course is new"
    );
    assert!(
        !ok(
            storage
                .achievements
                .award(&award(u.id, Badge::CourseCompleted, a, at(20)))
                .await,
            "award in a again"
        ),
        "the same badge in the same course is not"
    );
    assert_eq!(
        ok(storage.achievements.list_achievements(u.id).await, "list"),
        [in_a, in_b],
        "both awards, oldest first"
    );
}

/// A user's badges list oldest first whatever order they were awarded in.
pub async fn achievements_are_listed_oldest_first(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let c = CourseId::new();
    let late = award(u.id, Badge::PerfectQuiz, c, at(30));
    let early = award(u.id, Badge::FirstHomework, c, at(10));
    let middle = award(u.id, Badge::OnTimeStreak5, c, at(20));
    for a in [&late, &early, &middle] {
        assert!(ok(storage.achievements.award(a).await, "award"));
    }
    assert_eq!(
        ok(storage.achievements.list_achievements(u.id).await, "list"),
        [early, middle, late],
        "oldest first"
    );
}

/// Twenty concurrent awards of one badge: exactly one is new.
pub async fn concurrent_awards_are_made_once(storage: Storage) {
    let u = add_user(&storage, Role::Student).await;
    let calls = (0..20).map(|i| {
        let storage = storage.clone();
        let a = award(u.id, Badge::PerfectQuiz, CourseId::new(), at(i));
        async move { retry_transient(|| storage.achievements.award(&a)).await }
    });
    let results = join_all(calls).await;
    let new = results.iter().filter(|r| matches!(r, Ok(true))).count();
    let known = results.iter().filter(|r| matches!(r, Ok(false))).count();
    assert_eq!(
        (new, known),
        (1, 19),
        "exactly one concurrent award is new: {results:?}"
    );
    assert_eq!(
        ok(storage.achievements.list_achievements(u.id).await, "list").len(),
        1,
        "one award is stored"
    );
}
