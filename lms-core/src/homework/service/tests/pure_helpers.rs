//! Tests: pure helpers.

use super::*;

#[test]
fn progress_counts_graded_assignments_and_finished_quizzes() {
    let w = World::new(CourseStatus::Published);
    let s = w.student.user_id;
    let (a, b) = (w.assignment(), w.assignment());
    let q = quiz(&w);
    let mut data = course_data(
        &w,
        vec![a.clone(), b.clone()],
        vec![
            submission(a.id, s, SubmissionState::Graded, t0(), false),
            submission(b.id, s, SubmissionState::Submitted, t0(), false),
        ],
    );
    data.lessons_viewed = 1;
    data.quizzes = vec![q.clone()];
    data.attempts = vec![
        attempt(q.id, s, AttemptState::Open),
        attempt(q.id, s, AttemptState::Submitted),
    ];
    assert_eq!(
        CourseProgress::of_student(&data, None, None),
        CourseProgress {
            lessons_total: 2,
            lessons_viewed: 1,
            assignments_total: 2,
            assignments_done: 1,
            quizzes_total: 1,
            quizzes_done: 1,
        }
    );
    assert_eq!(
        CourseProgress::of_student(&data, Some(b.id), None).assignments_done,
        2
    );
    assert_eq!(
        CourseProgress::of_student(&data, Some(a.id), None).assignments_done,
        1,
        "already graded counts once"
    );
    assert_eq!(
        CourseProgress::of_student(&data, Some(AssignmentId::new()), None).assignments_done,
        1,
        "an assignment not in the course data does not count"
    );
}

#[test]
fn error_classes_and_codes() {
    assert_eq!(HandInError::PastCutOff.class(), ErrorClass::Conflict);
    assert_eq!(HandInError::NotFound.class(), ErrorClass::NotFound);
    assert_eq!(
        HandInError::Storage(StorageError::Transient("x".into())).class(),
        ErrorClass::Unavailable
    );
    assert_eq!(
        ReviewError::from(StorageError::NotFound).code(),
        "submission_not_found"
    );
    assert_eq!(
        ReviewError::from(StorageError::Permanent("x".into())).class(),
        ErrorClass::Internal
    );
    assert_eq!(AssignmentError::Forbidden.class(), ErrorClass::Forbidden);
    assert_eq!(
        ExtensionError::StudentNotEnrolled.class(),
        ErrorClass::Invalid
    );
}

proptest! {
    /// Handing in one assignment after another, each badge is earned at
    /// most once, the first homework by the very first hand-in, and the
    /// streak exactly when five on-time first hand-ins in a row exist.
    #[test]
    fn hand_in_badges_are_earned_once_at_the_right_moment(
        lateness in proptest::collection::vec(any::<bool>(), 1..14),
    ) {
        let w = World::new(CourseStatus::Published);
        let s = w.student.user_id;
        let mut history: Vec<Submission> = Vec::new();
        let mut earned: Vec<(usize, Badge)> = Vec::new();
        let mut run = 0usize;
        let mut streak_at = None;
        for (i, late) in lateness.iter().copied().enumerate() {
            let a = w.assignment();
            let at = t0() + Duration::hours(i64::try_from(i).unwrap());
            let id = SubmissionId::new();
            let v = version(id, 1, at, late);
            let state = if late { SubmissionState::SubmittedLate } else { SubmissionState::Submitted };
            let firsts: Vec<FirstHandIn> = history.iter().filter_map(FirstHandIn::of).collect();
            for b in hand_in_badges(&firsts, &a, &v) {
                earned.push((i, b));
            }
            run = if late { 0 } else { run + 1 };
            if run == 5 && streak_at.is_none() {
                streak_at = Some(i);
            }
            history.push(submission(a.id, s, state, at, late));
        }
        let mut expected = vec![(0, Badge::FirstHomework)];
        if let Some(i) = streak_at {
            expected.push((i, Badge::OnTimeStreak5));
        }
        prop_assert_eq!(earned, expected);
    }

}
