//! Read-model conformance: what a student's dashboard is built from.

use super::*;

/// A student's snapshot holds their published and archived courses (not
/// drafts or others), counts visible and viewed lessons, and includes only
/// published items and the student's own work.
pub async fn student_snapshot_counts_and_filters(storage: Storage) {
    let s = school(&storage).await;
    let snap = ok(
        storage
            .dashboards
            .student_snapshot(s.student.id, t0())
            .await,
        "student_snapshot",
    );
    assert_eq!(
        set(snap.courses.iter().map(|c| c.course.id)),
        set([s.published.id, s.archived.id]),
        "enrolled published and archived courses only"
    );
    let p = snap
        .courses
        .iter()
        .find(|c| c.course.id == s.published.id)
        .expect("the published course is in the snapshot");
    assert_eq!(p.course, s.published, "the whole course");
    assert_eq!(
        p.lessons_visible, 2,
        "published lessons without a date or with a past date (not the draft)"
    );
    assert_eq!(
        p.lessons_viewed, 1,
        "viewed visible lessons of this student (a viewed future or draft lesson does not count)"
    );
    assert_eq!(
        p.assignments.iter().map(|a| a.id).collect::<Vec<_>>(),
        [s.assignment.id],
        "published assignments only"
    );
    assert_eq!(p.assignments[0], s.assignment, "whole assignments");
    assert_eq!(
        p.extensions,
        std::slice::from_ref(&s.student_extension),
        "the student's own extensions"
    );
    assert_eq!(
        p.submissions.iter().map(|x| x.id).collect::<Vec<_>>(),
        [s.student_submission],
        "the student's own submissions"
    );
    assert_eq!(
        p.quizzes.iter().map(|q| q.id).collect::<Vec<_>>(),
        [s.quiz],
        "published quizzes only"
    );
    assert_eq!(
        p.attempts.iter().map(|a| a.id).collect::<Vec<_>>(),
        [s.finished_attempt],
        "the student's own attempts"
    );
    let a = snap
        .courses
        .iter()
        .find(|c| c.course.id == s.archived.id)
        .expect("the archived course is in the snapshot");
    assert_eq!((a.lessons_visible, a.lessons_viewed), (1, 0));
    assert_eq!(
        a.submissions.iter().map(|x| x.id).collect::<Vec<_>>(),
        [s.archived_submission],
        "graded work is included"
    );
    assert_eq!(
        a.assignments.iter().map(|x| x.id).collect::<Vec<_>>(),
        [s.assignment_archived]
    );
    assert!(a.extensions.is_empty() && a.quizzes.is_empty() && a.attempts.is_empty());
}

/// A student's snapshot holds scheduled webinars of their courses that end
/// after now, and their badges.
pub async fn student_snapshot_webinars_and_badges(storage: Storage) {
    let s = school(&storage).await;
    let snap = ok(
        storage
            .dashboards
            .student_snapshot(s.student.id, t0())
            .await,
        "student_snapshot",
    );
    assert_eq!(
        set(snap.webinars.iter().map(|w| w.id)),
        set([s.webinar_future, s.webinar_ongoing, s.webinar_archived]),
        "upcoming and ongoing webinars of visible courses; not ended, cancelled, draft or others"
    );
    assert_eq!(
        snap.achievements,
        std::slice::from_ref(&s.badge),
        "the student's own badges"
    );
    let later = ok(
        storage
            .dashboards
            .student_snapshot(s.student.id, at(200))
            .await,
        "student_snapshot later",
    );
    assert!(later.webinars.is_empty(), "every webinar has ended by then");
    let p = later
        .courses
        .iter()
        .find(|c| c.course.id == s.published.id)
        .expect("published course");
    assert_eq!(
        (p.lessons_visible, p.lessons_viewed),
        (3, 2),
        "later the future lesson is visible, and its view counts; the draft still does not"
    );
    let stranger = add_user(&storage, Role::Student).await;
    let empty = ok(
        storage.dashboards.student_snapshot(stranger.id, t0()).await,
        "student_snapshot",
    );
    assert!(
        empty.courses.is_empty() && empty.webinars.is_empty() && empty.achievements.is_empty(),
        "a student enrolled nowhere has an empty snapshot"
    );
}
