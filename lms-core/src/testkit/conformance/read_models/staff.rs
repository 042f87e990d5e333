//! Read-model conformance: staff snapshots, one staff course and a
//! course's gradebook.

use super::*;

/// A staff snapshot holds owned and assisted courses that are not archived,
/// with their role, students, every item, finished attempts only; the queue
/// is the oldest waiting work, at most `queue_limit`; webinars end after now.
pub async fn staff_snapshot_courses_queue_and_webinars(storage: Storage) {
    let s = school(&storage).await;
    let snap = ok(
        storage
            .dashboards
            .staff_snapshot(s.teacher.id, t0(), 2)
            .await,
        "staff_snapshot",
    );
    let mut got: Vec<_> = snap.courses.iter().map(summary).collect();
    got.sort_by_key(|x| x.course);
    let mut want = vec![
        StaffSummary {
            course: s.published.id,
            role: CourseRole::Owner,
            students: 2,
            assignments: set([s.assignment.id, s.assignment_draft]),
            submissions: set([s.student_submission, s.classmate_submission]),
            quizzes: set([s.quiz, s.quiz_draft]),
            attempts: set([s.finished_attempt]),
        },
        StaffSummary {
            course: s.draft.id,
            role: CourseRole::Owner,
            students: 1,
            assignments: set([s.assignment_in_draft_course]),
            submissions: set([]),
            quizzes: set([]),
            attempts: set([]),
        },
        StaffSummary {
            course: s.assisted.id,
            role: CourseRole::Assistant,
            students: 1,
            assignments: set([s.assignment_assisted]),
            submissions: set([s.assisted_submission]),
            quizzes: set([s.quiz_assisted]),
            attempts: set([]),
        },
    ];
    want.sort_by_key(|x| x.course);
    assert_eq!(
        got, want,
        "owned and assisted, not archived or unrelated; all items; finished attempts only"
    );
    assert_eq!(
        snap.queue
            .iter()
            .map(|p| p.submission.id)
            .collect::<Vec<_>>(),
        [s.student_submission, s.assisted_submission],
        "the two oldest waiting submissions"
    );
    assert!(
        snap.queue
            .iter()
            .all(|p| !p.student_name.is_empty() && !p.assignment_title.is_empty()),
        "queue entries name their student and assignment: {:?}",
        snap.queue
            .iter()
            .map(|p| (&p.student_name, &p.assignment_title))
            .collect::<Vec<_>>()
    );
    let full = ok(
        storage
            .dashboards
            .staff_snapshot(s.teacher.id, t0(), 10)
            .await,
        "staff_snapshot",
    );
    assert_eq!(
        full.queue
            .iter()
            .map(|p| p.submission.id)
            .collect::<Vec<_>>(),
        [
            s.student_submission,
            s.assisted_submission,
            s.classmate_submission
        ],
        "every waiting submission of the courses, oldest first; graded and archived excluded"
    );
    assert_eq!(
        set(snap.webinars.iter().map(|w| w.id)),
        set([
            s.webinar_future,
            s.webinar_ongoing,
            s.webinar_draft,
            s.webinar_assisted
        ]),
        "scheduled webinars of those courses ending after now"
    );

    let other = ok(
        storage
            .dashboards
            .staff_snapshot(s.other_teacher.id, t0(), 10)
            .await,
        "staff_snapshot",
    );
    let mut roles: Vec<_> = other
        .courses
        .iter()
        .map(|c| (c.course.id, c.role))
        .collect();
    roles.sort_by_key(|(id, _)| *id);
    let mut want_roles = vec![
        (s.assisted.id, CourseRole::Owner),
        (s.unrelated.id, CourseRole::Owner),
    ];
    want_roles.sort_by_key(|(id, _)| *id);
    assert_eq!(roles, want_roles, "another teacher sees their own courses");
    assert_eq!(
        other
            .queue
            .iter()
            .map(|p| p.submission.id)
            .collect::<Vec<_>>(),
        [s.assisted_submission]
    );
}

/// `staff_course` gives one course's staff data with the given role, and
/// `None` for an unknown course.
pub async fn staff_course_of_any_course(storage: Storage) {
    let s = school(&storage).await;
    let snap = ok(
        storage
            .dashboards
            .staff_snapshot(s.teacher.id, t0(), 10)
            .await,
        "staff_snapshot",
    );
    let in_snapshot = snap
        .courses
        .iter()
        .find(|c| c.course.id == s.published.id)
        .expect("published course");
    let single = ok(
        storage
            .dashboards
            .staff_course(s.published.id, CourseRole::Owner)
            .await,
        "staff_course",
    )
    .expect("a known course");
    assert_eq!(single.course, s.published);
    assert_eq!(
        summary(&single),
        summary(in_snapshot),
        "the same data as in the snapshot"
    );
    let archived = ok(
        storage
            .dashboards
            .staff_course(s.archived.id, CourseRole::Assistant)
            .await,
        "staff_course",
    )
    .expect("archived courses are available one by one");
    assert_eq!(archived.role, CourseRole::Assistant, "the given role");
    assert_eq!(
        set(archived.submissions.iter().map(|x| x.id)),
        set([s.archived_submission])
    );
    assert_eq!(
        ok(
            storage
                .dashboards
                .staff_course(CourseId::new(), CourseRole::Owner)
                .await,
            "staff_course"
        ),
        None,
        "an unknown course is None"
    );
}

/// `gradebook_course` is `staff_course` without the details
/// (`StaffCourseData::without_details`: no submission versions, no attempt
/// answers; grades, scores and everything else as stored), and `None` for an
/// unknown course.
pub async fn gradebook_course_is_the_staff_course_without_details(storage: Storage) {
    let s = school(&storage).await;
    for (course, role) in [
        (s.published.id, CourseRole::Owner),
        (s.archived.id, CourseRole::Assistant),
    ] {
        let full = ok(
            storage.dashboards.staff_course(course, role).await,
            "staff_course",
        )
        .expect("a known course");
        assert!(
            full.submissions.iter().any(|x| !x.versions.is_empty()),
            "the fixture's course has hand-ins"
        );
        if course == s.published.id {
            assert!(
                full.attempts.iter().any(|a| a
                    .result
                    .as_ref()
                    .is_some_and(|r| !r.per_question.is_empty())
                    && !a.question_order.is_empty()),
                "the fixture's course has a finished attempt with its details"
            );
        }
        let light = ok(
            storage.dashboards.gradebook_course(course, role).await,
            "gradebook_course",
        )
        .expect("a known course");
        assert_eq!(
            light,
            full.without_details(),
            "the staff course without details"
        );
    }
    assert_eq!(
        ok(
            storage
                .dashboards
                .gradebook_course(CourseId::new(), CourseRole::Owner)
                .await,
            "gradebook_course"
        ),
        None,
        "an unknown course is None"
    );
}
