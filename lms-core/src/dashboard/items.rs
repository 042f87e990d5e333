//! Per-item course statistics: for every published assignment and quiz of a
//! course, how many students handed it in or finished it, how they scored
//! and, for assignments, how many were late. The course statistics page
//! charts these numbers.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::dashboard::model::{first_late, mean2, share, waiting};
use crate::dashboard::ports::StaffCourseData;
use crate::dashboard::quiz_scores_by_student;
use crate::gradebook::ColumnKind;
use crate::gradebook::model::columns_of;
use crate::homework::{Assignment, Submission};
use crate::quiz::Quiz;

/// The numbers of one assignment or quiz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemStatistics {
    /// Assignment or quiz.
    pub kind: ColumnKind,
    /// The assignment's or quiz's id.
    pub id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// For an assignment its due date, for a quiz its opening (`None` when
    /// it opens at once).
    pub due_at: Option<DateTime<Utc>>,
    /// Whether the due date (or, for a quiz, its closing) has passed.
    pub due: bool,
    /// Students who handed the assignment in (graded, waiting or returned
    /// for rework), or who finished an attempt at the quiz.
    pub handed_in: u32,
    /// Students with a score (a graded hand-in, a finished attempt).
    pub scored: u32,
    /// Hand-ins waiting for a grade (assignments; 0 for quizzes).
    pub pending: u32,
    /// `handed_in` of the enrolled students, `0.0..=1.0` rounded to 4
    /// decimals; `None` without students.
    pub done_share: Option<f64>,
    /// Mean score in percent of the maximum over the scored students,
    /// rounded to hundredths; `None` before the first score.
    pub average_percent: Option<f64>,
    /// Share of the hand-ins whose first version came after the due date,
    /// `0.0..=1.0` rounded to 4 decimals; `None` for quizzes and before the
    /// first hand-in.
    pub late_share: Option<f64>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn assignment_item(
    a: &Assignment,
    submissions: &[&Submission],
    students: usize,
    now: DateTime<Utc>,
) -> ItemStatistics {
    let percents: Vec<f64> = submissions
        .iter()
        .filter_map(|s| s.grade.as_ref())
        .map(|g| g.final_score.percent_of(a.max_score))
        .collect();
    let late = submissions.iter().filter(|s| first_late(s)).count();
    let pending = submissions.iter().filter(|s| waiting(s)).count();
    ItemStatistics {
        kind: ColumnKind::Assignment,
        id: a.id.as_uuid(),
        title: a.title.as_str().to_owned(),
        due_at: Some(a.due_at),
        due: a.due_at <= now,
        handed_in: count(submissions.len()),
        scored: count(percents.len()),
        pending: count(pending),
        done_share: share(submissions.len(), students),
        average_percent: mean2(&percents),
        late_share: share(late, submissions.len()),
    }
}

fn quiz_item(
    q: &Quiz,
    data: &StaffCourseData,
    students: usize,
    now: DateTime<Utc>,
) -> ItemStatistics {
    let percents: Vec<f64> = quiz_scores_by_student(q, &data.attempts)
        .into_values()
        .map(|s| s.percent)
        .collect();
    ItemStatistics {
        kind: ColumnKind::Quiz,
        id: q.id.as_uuid(),
        title: q.title.as_str().to_owned(),
        due_at: q.settings.opens_at,
        due: q.settings.closes_at.is_some_and(|c| c <= now),
        handed_in: count(percents.len()),
        scored: count(percents.len()),
        pending: 0,
        done_share: share(percents.len(), students),
        average_percent: mean2(&percents),
        late_share: None,
    }
}

/// The numbers of every published assignment (by due date) and then every
/// published quiz (by opening, else creation) of a course at `now`, in the
/// gradebook's column order. A student's hand-in counts once per
/// assignment; unpublished work is left out.
#[must_use]
pub fn item_statistics(data: &StaffCourseData, now: DateTime<Utc>) -> Vec<ItemStatistics> {
    let students = data.student_count as usize;
    let (assignments, quizzes) = columns_of(data);
    let mut seen = HashSet::new();
    let mut by_assignment: HashMap<_, Vec<&Submission>> = HashMap::new();
    for s in data
        .submissions
        .iter()
        .filter(|s| !s.versions.is_empty() && seen.insert((s.student_id, s.assignment_id)))
    {
        by_assignment.entry(s.assignment_id).or_default().push(s);
    }
    let mut items = Vec::with_capacity(assignments.len() + quizzes.len());
    for a in assignments {
        let handed = by_assignment.get(&a.id).map_or(&[][..], Vec::as_slice);
        items.push(assignment_item(a, handed, students, now));
    }
    for q in quizzes {
        items.push(quiz_item(q, data, students, now));
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::CourseStatus;
    use crate::dashboard::model::fixtures::*;
    use crate::homework::SubmissionState;
    use crate::ids::UserId;
    use crate::quiz::ScoringPolicy;
    use chrono::Duration;

    #[test]
    fn per_item_hand_ins_scores_lateness_and_order() {
        let now = t0();
        let c = course("Физика", CourseStatus::Published);
        let s: Vec<UserId> = (0..4).map(|_| UserId::new()).collect();
        let later = assignment(&c, "Позже", now + days(3), 10.0);
        let earlier = assignment(&c, "Раньше", now - days(1), 5.0);
        let mut draft = assignment(&c, "Черновик", now - days(2), 5.0);
        draft.published = false;
        let q = quiz(&c, "Тест", ScoringPolicy::Best);

        let mut data = staff_data(c.clone(), 4);
        data.assignments = vec![later.clone(), earlier.clone(), draft.clone()];
        data.submissions = vec![
            graded(&earlier, s[0], false, 5.0, now),
            graded(&earlier, s[1], true, 2.5, now),
            submission(
                &earlier,
                s[2],
                &[(now - days(2), true), (now, false)],
                SubmissionState::SubmittedLate,
            ),
            // A duplicate row of s2 counts once.
            submission(&earlier, s[2], &[(now, false)], SubmissionState::Submitted),
            submission(&later, s[3], &[(now, false)], SubmissionState::Submitted),
            submission(&draft, s[3], &[(now, false)], SubmissionState::Submitted),
        ];
        data.quizzes = vec![q.clone()];
        data.attempts = vec![
            attempt(&q, s[0], 1, 1.0, 4.0),
            attempt(&q, s[0], 2, 4.0, 4.0),
            open_attempt(&q, s[1], 1),
        ];

        let items = item_statistics(&data, now);
        let titles: Vec<_> = items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Раньше", "Позже", "Тест"],
            "by due date, quizzes last, drafts out"
        );

        let e = &items[0];
        assert_eq!(
            (e.kind, e.id),
            (ColumnKind::Assignment, earlier.id.as_uuid())
        );
        assert!(e.due);
        assert_eq!((e.handed_in, e.scored, e.pending), (3, 2, 1));
        assert_eq!(e.done_share, Some(0.75));
        // 100 % and 50 %.
        assert_eq!(e.average_percent, Some(75.0));
        // s1's and s2's first versions were late: 2 of 3.
        assert_eq!(e.late_share, Some(0.6667));

        let l = &items[1];
        assert!(!l.due);
        assert_eq!((l.handed_in, l.scored, l.pending), (1, 0, 1));
        assert_eq!((l.average_percent, l.late_share), (None, Some(0.0)));

        let t = &items[2];
        assert_eq!(t.kind, ColumnKind::Quiz);
        assert_eq!((t.handed_in, t.scored, t.pending), (1, 1, 0));
        assert_eq!(
            (t.average_percent, t.late_share, t.done_share),
            (Some(100.0), None, Some(0.25))
        );
    }

    #[test]
    fn without_students_or_hand_ins_shares_are_absent() {
        let now = t0();
        let c = course("Пусто", CourseStatus::Draft);
        let a = assignment(&c, "ДЗ", now + Duration::hours(1), 10.0);
        let mut data = staff_data(c.clone(), 0);
        data.assignments = vec![a];
        let items = item_statistics(&data, now);
        assert_eq!(items.len(), 1);
        assert_eq!(
            (
                items[0].done_share,
                items[0].late_share,
                items[0].average_percent
            ),
            (None, None, None)
        );
        assert_eq!(items[0].handed_in, 0);
    }
}
