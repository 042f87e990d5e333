//! Pure homework rules: effective deadlines, lateness, the late penalty and
//! the status a student and a teacher both see.

use chrono::{DateTime, Utc};

use crate::homework::model::{
    Assignment, Deadline, Extension, HomeworkStatus, LatePolicy, Submission,
};
use crate::score::Points;

/// The due date and cut-off that apply to a student: their extension if
/// they have one, else the assignment's.
#[must_use]
pub fn effective_deadline(assignment: &Assignment, extension: Option<&Extension>) -> Deadline {
    match extension {
        Some(e) => Deadline {
            due_at: e.due_at,
            cut_off_at: e.cut_off_at,
        },
        None => Deadline {
            due_at: assignment.due_at,
            cut_off_at: assignment.cut_off_at,
        },
    }
}

/// Started days late: 0 on time, 1 for up to 24 h late, 2 for up to 48 h, ...
#[must_use]
pub fn days_late(due_at: DateTime<Utc>, submitted_at: DateTime<Utc>) -> u32 {
    if submitted_at <= due_at {
        return 0;
    }
    let secs = (submitted_at - due_at).num_seconds();
    let days = (secs + 86_399) / 86_400;
    u32::try_from(days.max(1)).unwrap_or(u32::MAX)
}

/// Share of the raw score kept, in percent, after `days_late` started days.
#[must_use]
pub fn kept_percent(policy: LatePolicy, days_late: u32) -> u8 {
    match policy {
        LatePolicy::NoPenalty => 100,
        LatePolicy::PercentPerDay {
            percent_per_day,
            floor_percent,
        } => {
            let penalty = u64::from(percent_per_day.min(100)) * u64::from(days_late);
            let kept = 100u64.saturating_sub(penalty);
            let floor = u64::from(floor_percent.min(100));
            u8::try_from(kept.max(floor).min(100)).unwrap_or(100)
        }
    }
}

/// The raw score with the late penalty applied: `(kept percent, final score)`.
#[must_use]
pub fn apply_late_penalty(
    raw: Points,
    policy: LatePolicy,
    due_at: DateTime<Utc>,
    submitted_at: DateTime<Utc>,
) -> (u8, Points) {
    let kept = kept_percent(policy, days_late(due_at, submitted_at));
    (kept, raw.fraction(f64::from(kept) / 100.0))
}

/// Why a hand-in is refused at this moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimingRefusal {
    /// The assignment is not open yet.
    NotOpenYet,
    /// The (student's) cut-off has passed.
    PastCutOff,
}

/// Whether a hand-in at `at` is accepted; `Ok(late)` says whether it is late.
pub fn hand_in_timing(
    assignment: &Assignment,
    deadline: Deadline,
    at: DateTime<Utc>,
) -> Result<bool, TimingRefusal> {
    if at < assignment.opens_at {
        return Err(TimingRefusal::NotOpenYet);
    }
    if deadline.cut_off_at.is_some_and(|c| at > c) {
        return Err(TimingRefusal::PastCutOff);
    }
    Ok(at > deadline.due_at)
}

/// The status of a student's homework at `now`.
///
/// Without a hand-in it is `Missing` only once the (student's) cut-off has
/// passed, when nothing is accepted any more. Without a cut-off late work is
/// always accepted, so it stays `NotSubmitted` however late it is; a UI flags
/// it as overdue by comparing `now` with the due date.
#[must_use]
pub fn homework_status(
    deadline: Deadline,
    submission: Option<&Submission>,
    now: DateTime<Utc>,
) -> HomeworkStatus {
    match submission {
        Some(s) => s.state.into(),
        None if deadline.cut_off_at.is_some_and(|c| now > c) => HomeworkStatus::Missing,
        None => HomeworkStatus::NotSubmitted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn days_late_counts_started_days() {
        assert_eq!(days_late(t0(), t0()), 0);
        assert_eq!(days_late(t0(), t0() - Duration::hours(5)), 0);
        assert_eq!(days_late(t0(), t0() + Duration::seconds(1)), 1);
        assert_eq!(days_late(t0(), t0() + Duration::hours(24)), 1);
        assert_eq!(
            days_late(t0(), t0() + Duration::hours(24) + Duration::seconds(1)),
            2
        );
    }

    #[test]
    fn penalty_stops_at_floor() {
        let p = LatePolicy::PercentPerDay {
            percent_per_day: 20,
            floor_percent: 50,
        };
        assert_eq!(kept_percent(p, 0), 100);
        assert_eq!(kept_percent(p, 1), 80);
        assert_eq!(kept_percent(p, 2), 60);
        assert_eq!(kept_percent(p, 3), 50);
        assert_eq!(kept_percent(p, 100), 50);
        assert_eq!(kept_percent(LatePolicy::NoPenalty, 9), 100);
        let raw = Points::new(10.0).unwrap();
        assert_eq!(
            apply_late_penalty(raw, p, t0(), t0() + Duration::hours(30)),
            (60, Points::new(6.0).unwrap())
        );
    }

    fn assignment(cut_off: Option<DateTime<Utc>>) -> Assignment {
        Assignment {
            id: crate::ids::AssignmentId::new(),
            course_id: crate::ids::CourseId::new(),
            title: crate::course::Title::parse("ДЗ").unwrap(),
            instructions: crate::richtext::RichText::default(),
            attachments: vec![],
            opens_at: t0() - Duration::days(7),
            due_at: t0(),
            cut_off_at: cut_off,
            max_score: Points::new(10.0).unwrap(),
            late_policy: LatePolicy::NoPenalty,
            submission_kind: crate::homework::SubmissionKind::Text,
            file_limits: crate::file::FileLimits::default(),
            published: true,
            created_at: t0() - Duration::days(8),
        }
    }

    #[test]
    fn extensions_override_deadlines() {
        let a = assignment(Some(t0() + Duration::days(1)));
        let e = Extension {
            assignment_id: a.id,
            student_id: crate::ids::UserId::new(),
            due_at: t0() + Duration::days(3),
            cut_off_at: None,
            granted_by: crate::ids::UserId::new(),
            granted_at: t0(),
        };
        assert_eq!(
            effective_deadline(&a, None),
            Deadline {
                due_at: t0(),
                cut_off_at: a.cut_off_at
            }
        );
        let d = effective_deadline(&a, Some(&e));
        assert_eq!(d.due_at, e.due_at);
        assert_eq!(
            hand_in_timing(&a, d, t0() + Duration::days(10)),
            Ok(true),
            "no cut-off in the extension"
        );
    }

    #[test]
    fn timing_and_status() {
        let a = assignment(Some(t0() + Duration::days(1)));
        let d = effective_deadline(&a, None);
        assert_eq!(
            hand_in_timing(&a, d, a.opens_at - Duration::seconds(1)),
            Err(TimingRefusal::NotOpenYet)
        );
        assert_eq!(hand_in_timing(&a, d, t0()), Ok(false));
        assert_eq!(hand_in_timing(&a, d, t0() + Duration::hours(1)), Ok(true));
        assert_eq!(
            hand_in_timing(&a, d, t0() + Duration::days(2)),
            Err(TimingRefusal::PastCutOff)
        );
        assert_eq!(
            homework_status(d, None, t0() + Duration::hours(2)),
            HomeworkStatus::NotSubmitted
        );
        assert_eq!(
            homework_status(d, None, t0() + Duration::days(2)),
            HomeworkStatus::Missing
        );
        assert_eq!(
            homework_status(d, None, t0() + Duration::days(1)),
            HomeworkStatus::NotSubmitted,
            "exactly at the cut-off work is still accepted"
        );
        let no_cut = effective_deadline(&assignment(None), None);
        for late in [Duration::seconds(1), Duration::days(1), Duration::days(400)] {
            assert_eq!(
                homework_status(no_cut, None, t0() + late),
                HomeworkStatus::NotSubmitted,
                "without a cut-off a hand-in is still accepted {late} after the due date"
            );
            assert!(hand_in_timing(&assignment(None), no_cut, t0() + late).is_ok());
        }
        assert_eq!(
            homework_status(no_cut, None, t0()),
            HomeworkStatus::NotSubmitted
        );
    }

    proptest! {
        /// Missing exactly when nothing was handed in and a hand-in would be
        /// refused for being past the cut-off.
        #[test]
        fn missing_means_no_longer_accepted(
            cut_off_h in proptest::option::of(0i64..500), now_h in -200i64..1000,
        ) {
            let a = assignment(cut_off_h.map(|h| t0() + Duration::hours(h)));
            let d = effective_deadline(&a, None);
            let now = t0() + Duration::hours(now_h);
            let refused = hand_in_timing(&a, d, now) == Err(TimingRefusal::PastCutOff);
            prop_assert_eq!(homework_status(d, None, now) == HomeworkStatus::Missing, refused);
        }

        #[test]
        fn late_penalty_is_monotone_and_bounded(
            per_day in 0u8..=100, floor in 0u8..=100, raw in 0.0f64..1000.0,
            a in 0i64..1_000_000, b in 0i64..1_000_000,
        ) {
            let policy = LatePolicy::PercentPerDay { percent_per_day: per_day, floor_percent: floor };
            let raw = Points::new(raw).unwrap();
            let (earlier, later) = (a.min(b), a.max(b));
            let (k1, s1) = apply_late_penalty(raw, policy, t0(), t0() + Duration::seconds(earlier));
            let (k2, s2) = apply_late_penalty(raw, policy, t0(), t0() + Duration::seconds(later));
            prop_assert!(k2 <= k1);
            prop_assert!(s2 <= s1);
            prop_assert!(s1 <= raw);
            prop_assert!(k2 >= floor.min(100));
        }

        #[test]
        fn on_time_work_keeps_everything(per_day in 0u8..=100, floor in 0u8..=100, early in 0i64..1_000_000) {
            let policy = LatePolicy::PercentPerDay { percent_per_day: per_day, floor_percent: floor };
            let raw = Points::new(7.5).unwrap();
            prop_assert_eq!(apply_late_penalty(raw, policy, t0(), t0() - Duration::seconds(early)), (100, raw));
        }
    }
}
