//! Read-model conformance: the sources of a user's schedule.

use super::*;

/// A student's schedule sources: published and archived courses, their
/// published lessons, published assignments and quizzes, own extensions,
/// and webinars that are not cancelled.
pub async fn schedule_sources_for_students(storage: Storage) {
    let s = school(&storage).await;
    let src = ok(
        storage.schedules.schedule_sources(s.student.id).await,
        "schedule_sources",
    );
    assert_eq!(
        ids(&src.courses, |c: &Course| c.id),
        set([s.published.id, s.archived.id]),
        "published and archived enrolled courses"
    );
    assert_eq!(
        ids(&src.lessons, |l: &Lesson| l.id),
        set([
            s.lesson_now,
            s.lesson_past,
            s.lesson_future,
            s.lesson_archived
        ]),
        "every published lesson of those courses, not the draft"
    );
    assert_eq!(
        ids(&src.assignments, |a: &Assignment| a.id),
        set([s.assignment.id, s.assignment_archived]),
        "published assignments only"
    );
    assert_eq!(
        src.extensions,
        std::slice::from_ref(&s.student_extension),
        "the student's own extensions"
    );
    assert_eq!(
        ids(&src.quizzes, |q| q.id),
        set([s.quiz]),
        "published quizzes only"
    );
    assert_eq!(
        ids(&src.webinars, |w| w.id),
        set([
            s.webinar_future,
            s.webinar_ongoing,
            s.webinar_ended,
            s.webinar_archived
        ]),
        "webinars of those courses, cancelled excluded"
    );
    let classmate = ok(
        storage.schedules.schedule_sources(s.classmate.id).await,
        "schedule_sources",
    );
    assert_eq!(
        ids(&classmate.courses, |c: &Course| c.id),
        set([s.published.id, s.assisted.id])
    );
    assert!(
        !ids(&classmate.lessons, |l: &Lesson| l.id).contains(&s.lesson_unpublished),
        "no student gets a draft lesson"
    );
    assert_eq!(
        classmate
            .extensions
            .iter()
            .map(|e| e.student_id)
            .collect::<Vec<UserId>>(),
        [s.classmate.id],
        "each student sees only their own extension"
    );
}

/// A teacher's schedule sources: every owned or assisted course in any
/// state with all its lessons (drafts included), assignments and quizzes.
pub async fn schedule_sources_for_staff(storage: Storage) {
    let s = school(&storage).await;
    let src = ok(
        storage.schedules.schedule_sources(s.teacher.id).await,
        "schedule_sources",
    );
    assert_eq!(
        ids(&src.courses, |c: &Course| c.id),
        set([s.published.id, s.archived.id, s.draft.id, s.assisted.id]),
        "owned and assisted courses in any state"
    );
    assert_eq!(
        ids(&src.lessons, |l: &Lesson| l.id),
        set([
            s.lesson_now,
            s.lesson_past,
            s.lesson_future,
            s.lesson_unpublished,
            s.lesson_archived,
            s.lesson_draft,
            s.lesson_assisted
        ]),
        "every lesson, drafts included for staff"
    );
    assert_eq!(
        ids(&src.assignments, |a: &Assignment| a.id),
        set([
            s.assignment.id,
            s.assignment_draft,
            s.assignment_archived,
            s.assignment_in_draft_course,
            s.assignment_assisted
        ]),
        "drafts included for staff"
    );
    assert!(
        src.extensions.is_empty(),
        "staff have no extensions of their own"
    );
    assert_eq!(
        ids(&src.quizzes, |q| q.id),
        set([s.quiz, s.quiz_draft, s.quiz_assisted])
    );
    assert_eq!(
        ids(&src.webinars, |w| w.id),
        set([
            s.webinar_future,
            s.webinar_ongoing,
            s.webinar_ended,
            s.webinar_archived,
            s.webinar_draft,
            s.webinar_assisted
        ])
    );
    let nobody = add_user(&storage, Role::Teacher).await;
    assert_eq!(
        ok(
            storage.schedules.schedule_sources(nobody.id).await,
            "sources"
        ),
        crate::schedule::ScheduleSources::default(),
        "a user without courses has empty sources"
    );
}
