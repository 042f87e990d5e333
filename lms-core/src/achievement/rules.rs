//! Pure achievement rules and the course-progress facts they share with
//! dashboards.

use serde::{Deserialize, Serialize};

use crate::dashboard::StudentCourseData;
use crate::homework::{FirstHandIn, SubmissionState};
use crate::ids::{AssignmentId, QuizId};
use crate::quiz::{AttemptResult, AttemptState};

/// How many on-time hand-ins in a row earn [`Badge::OnTimeStreak5`](super::Badge::OnTimeStreak5).
pub const ON_TIME_STREAK: usize = 5;

/// Whether a student's first hand-ins (any order) earn the first-homework
/// badge.
#[must_use]
pub fn earns_first_homework(firsts: &[FirstHandIn]) -> bool {
    !firsts.is_empty()
}

/// Whether the first hand-ins hold [`ON_TIME_STREAK`] consecutive on-time
/// ones (each assignment counts once, by its first version, in time order).
#[must_use]
pub fn earns_on_time_streak(firsts: &[FirstHandIn]) -> bool {
    let mut firsts: Vec<&FirstHandIn> = firsts.iter().collect();
    firsts.sort_by_key(|f| f.submitted_at);
    let mut run = 0usize;
    for f in firsts {
        run = if f.late { 0 } else { run + 1 };
        if run >= ON_TIME_STREAK {
            return true;
        }
    }
    false
}

/// Whether a finished attempt has full marks (no essay pending, something to score).
#[must_use]
pub fn earns_perfect_quiz(result: &AttemptResult) -> bool {
    !result.pending_manual && result.max_score.value() > 0.0 && result.score >= result.max_score
}

/// A student's progress in one course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseProgress {
    /// Lessons visible now.
    pub lessons_total: u32,
    /// Of those, opened.
    pub lessons_viewed: u32,
    /// Published assignments.
    pub assignments_total: u32,
    /// Of those, graded.
    pub assignments_done: u32,
    /// Published quizzes.
    pub quizzes_total: u32,
    /// Of those, with a finished attempt.
    pub quizzes_done: u32,
}

impl CourseProgress {
    /// A student's progress from their course data (as the dashboard read
    /// model gives it), counting `graded_now` (an assignment being graded)
    /// and `finishing` (a quiz whose attempt is being finished) as done:
    /// award decisions are made before the write that completes them.
    #[must_use]
    pub fn of_student(
        data: &StudentCourseData,
        graded_now: Option<AssignmentId>,
        finishing: Option<QuizId>,
    ) -> Self {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let assignments_done = data
            .assignments
            .iter()
            .filter(|a| {
                graded_now == Some(a.id)
                    || data
                        .submissions
                        .iter()
                        .any(|s| s.assignment_id == a.id && s.state == SubmissionState::Graded)
            })
            .count();
        let quizzes_done = data
            .quizzes
            .iter()
            .filter(|q| {
                finishing == Some(q.id)
                    || data
                        .attempts
                        .iter()
                        .any(|t| t.quiz_id == q.id && t.state != AttemptState::Open)
            })
            .count();
        Self {
            lessons_total: data.lessons_visible,
            lessons_viewed: data.lessons_viewed,
            assignments_total: count(data.assignments.len()),
            assignments_done: count(assignments_done),
            quizzes_total: count(data.quizzes.len()),
            quizzes_done: count(quizzes_done),
        }
    }

    /// Overall progress, 0..=100, over every item of the course.
    #[must_use]
    pub fn percent(&self) -> u8 {
        let total = self.lessons_total + self.assignments_total + self.quizzes_total;
        if total == 0 {
            return 0;
        }
        let done = self.lessons_viewed.min(self.lessons_total)
            + self.assignments_done.min(self.assignments_total)
            + self.quizzes_done.min(self.quizzes_total);
        u8::try_from(u64::from(done) * 100 / u64::from(total)).unwrap_or(100)
    }

    /// Every item done, and there was at least one item.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        let total = self.lessons_total + self.assignments_total + self.quizzes_total;
        total > 0
            && self.lessons_viewed >= self.lessons_total
            && self.assignments_done >= self.assignments_total
            && self.quizzes_done >= self.quizzes_total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AssignmentId;
    use crate::score::Points;
    use chrono::{Duration, TimeZone, Utc};

    fn submission(day: i64, late: bool) -> FirstHandIn {
        FirstHandIn {
            assignment_id: AssignmentId::new(),
            submitted_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::days(day),
            late,
        }
    }

    #[test]
    fn first_homework() {
        assert!(!earns_first_homework(&[]));
        assert!(earns_first_homework(&[submission(0, true)]));
    }

    #[test]
    fn streak_needs_five_in_a_row_in_time_order() {
        let four: Vec<_> = (0..4).map(|d| submission(d, false)).collect();
        assert!(!earns_on_time_streak(&four));
        let mut broken = four.clone();
        broken.push(submission(10, true));
        broken.push(submission(11, false));
        assert!(!earns_on_time_streak(&broken));
        let mut five = four;
        five.insert(0, submission(20, false));
        assert!(
            earns_on_time_streak(&five),
            "order of the slice does not matter"
        );
        // A late one in the middle of the timeline breaks the run even if listed last.
        let mut mid: Vec<_> = [0, 1, 3, 4, 5]
            .iter()
            .map(|d| submission(*d, false))
            .collect();
        mid.push(submission(2, true));
        assert!(!earns_on_time_streak(&mid));
    }

    #[test]
    fn perfect_quiz_needs_full_marks_and_no_pending_essay() {
        let mut r = AttemptResult {
            per_question: Default::default(),
            score: Points::new(5.0).unwrap(),
            max_score: Points::new(5.0).unwrap(),
            pending_manual: false,
        };
        assert!(earns_perfect_quiz(&r));
        r.pending_manual = true;
        assert!(!earns_perfect_quiz(&r));
        r.pending_manual = false;
        r.score = Points::new(4.99).unwrap();
        assert!(!earns_perfect_quiz(&r));
        r.max_score = Points::ZERO;
        r.score = Points::ZERO;
        assert!(!earns_perfect_quiz(&r));
    }

    #[test]
    fn progress() {
        let p = CourseProgress {
            lessons_total: 2,
            lessons_viewed: 1,
            assignments_total: 1,
            assignments_done: 1,
            quizzes_total: 1,
            quizzes_done: 0,
        };
        assert_eq!(p.percent(), 50);
        assert!(!p.is_complete());
        let done = CourseProgress {
            lessons_viewed: 2,
            quizzes_done: 1,
            ..p
        };
        assert_eq!(done.percent(), 100);
        assert!(done.is_complete());
        assert!(!CourseProgress::default().is_complete());
        assert_eq!(CourseProgress::default().percent(), 0);
    }
}
