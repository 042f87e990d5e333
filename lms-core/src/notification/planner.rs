//! The reminder planner: which deadline, quiz and webinar reminders are due
//! at an instant. Pure; the periodic sweep in
//! [`NotificationService::sweep_reminders`](super::NotificationService::sweep_reminders)
//! loads the targets, calls [`plan_reminders`] and [`plan_quiz_reminders`]
//! and enqueues the result.
//!
//! A reminder with offset `o` before an instant `due` is due while
//! `due - o <= now < due`. When several offsets of one target are due, only
//! the smallest is planned, so a sweep that runs late (or a deadline set an
//! hour ahead) sends "2 hours left" rather than a stale "24 hours left";
//! and a deadline or quiz reminder says the hours really left (rounded up)
//! when fewer than its offset remain.
//! Event keys contain the target instant: a moved deadline, closing time or
//! webinar gets new keys, and the old ones are never planned again.

use chrono::{DateTime, Duration, Utc};

use crate::ids::UserId;
use crate::notification::model::Notification;
use crate::notification::ports::{DeadlineTarget, QuizCloseTarget};
use crate::webinar::{Webinar, WebinarState};

/// Hours before a student's due date at which deadline reminders go out,
/// largest first.
pub const DEADLINE_REMINDER_HOURS: [u32; 2] = [24, 2];

/// Hours before a quiz closes at which reminders go out to students who have
/// not attempted it, largest first.
pub const QUIZ_REMINDER_HOURS: [u32; 2] = [24, 2];

/// Minutes before a webinar's start at which reminders go out, largest first.
pub const WEBINAR_REMINDER_MINUTES: [u32; 2] = [60, 10];

/// How far ahead of `now` the sweep must load deadlines and closing quizzes:
/// the largest reminder offset (24 hours).
pub const PLANNER_LOOKAHEAD: Duration = Duration::hours(24);

/// How far ahead of `now` the sweep must load webinars: the largest webinar
/// reminder offset (60 minutes).
pub const WEBINAR_LOOKAHEAD: Duration = Duration::minutes(60);

/// One reminder the sweep should enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedReminder {
    /// Who gets it.
    pub recipient: UserId,
    /// Stable description of the event, e.g.
    /// `deadline:<assignment>:<due unix seconds>:24h`; with the recipient and
    /// channel it forms the outbox de-duplication key.
    pub event_key: String,
    /// What to say.
    pub notification: Notification,
}

/// The event key of a deadline reminder `hours` before `due_at`.
#[must_use]
pub fn deadline_event_key(
    assignment: crate::ids::AssignmentId,
    due_at: DateTime<Utc>,
    hours: u32,
) -> String {
    format!("deadline:{assignment}:{}:{hours}h", due_at.timestamp())
}

/// The event key of a quiz reminder `hours` before `closes_at`.
#[must_use]
pub fn quiz_event_key(quiz: crate::ids::QuizId, closes_at: DateTime<Utc>, hours: u32) -> String {
    format!("quiz:{quiz}:{}:{hours}h", closes_at.timestamp())
}

/// The event key of a webinar reminder `minutes` before `starts_at`.
#[must_use]
pub fn webinar_event_key(
    webinar: crate::ids::WebinarId,
    starts_at: DateTime<Utc>,
    minutes: u32,
) -> String {
    format!("webinar:{webinar}:{}:{minutes}m", starts_at.timestamp())
}

/// The smallest offset (of `offsets`, each turned into a duration by
/// `to_duration`) whose reminder is due at `now` for an event at `due`.
fn smallest_due_offset(
    now: DateTime<Utc>,
    due: DateTime<Utc>,
    offsets: &[u32],
    to_duration: fn(i64) -> Duration,
) -> Option<u32> {
    if now >= due {
        return None;
    }
    offsets
        .iter()
        .copied()
        .filter(|&o| due - to_duration(i64::from(o)) <= now)
        .min()
}

/// The whole hours left from `now` until `due` (rounded up, at least 1),
/// never more than the reminder's `offset`: work set three hours before its
/// deadline gets "3 hours left", not the 24-hour text.
fn hours_left(now: DateTime<Utc>, due: DateTime<Utc>, offset: u32) -> u32 {
    let left_seconds = (due - now).num_seconds().max(1);
    let left_hours = u32::try_from((left_seconds + 3599) / 3600).unwrap_or(offset);
    offset.min(left_hours)
}

/// The reminders due at `now`.
///
/// Deadline reminders go to students who have not handed anything in, 24 and
/// 2 hours before their own due date; webinar reminders go to every listed
/// recipient (enrolled students and the teacher) 60 and 10 minutes before a
/// scheduled webinar starts (cancelled webinars get none). Each target
/// yields at most one reminder per recipient: the one with the smallest due
/// offset. Recipients listed twice for a webinar get one reminder.
#[must_use]
pub fn plan_reminders(
    now: DateTime<Utc>,
    deadlines: &[DeadlineTarget],
    webinars: &[(Webinar, Vec<UserId>)],
) -> Vec<PlannedReminder> {
    let deadline_reminders = deadlines.iter().filter(|t| !t.submitted).filter_map(|t| {
        let hours = smallest_due_offset(now, t.due_at, &DEADLINE_REMINDER_HOURS, Duration::hours)?;
        Some(PlannedReminder {
            recipient: t.student_id,
            event_key: deadline_event_key(t.assignment_id, t.due_at, hours),
            notification: Notification::DeadlineReminder {
                course_id: t.course_id,
                course_title: t.course_title.clone(),
                assignment_id: t.assignment_id,
                title: t.assignment_title.clone(),
                due_at: t.due_at,
                // The message says the time really left.
                hours_before: hours_left(now, t.due_at, hours),
            },
        })
    });

    let webinar_reminders = webinars
        .iter()
        .filter(|(w, _)| w.state == WebinarState::Scheduled)
        .filter_map(|(w, recipients)| {
            let minutes = smallest_due_offset(
                now,
                w.starts_at,
                &WEBINAR_REMINDER_MINUTES,
                Duration::minutes,
            )?;
            Some((w, recipients, minutes))
        })
        .flat_map(|(w, recipients, minutes)| {
            let event_key = webinar_event_key(w.id, w.starts_at, minutes);
            let notification = Notification::WebinarReminder {
                course_id: w.course_id,
                webinar_id: w.id,
                title: w.title.as_str().to_owned(),
                starts_at: w.starts_at,
                minutes_before: minutes,
                join_url: (!w.join_url.is_empty()).then(|| w.join_url.clone()),
            };
            let mut seen = std::collections::HashSet::new();
            recipients
                .iter()
                .filter(move |r| seen.insert(**r))
                .map(move |&recipient| PlannedReminder {
                    recipient,
                    event_key: event_key.clone(),
                    notification: notification.clone(),
                })
        });

    deadline_reminders.chain(webinar_reminders).collect()
}

/// The quiz reminders due at `now`: to students who have not attempted the
/// quiz (an open attempt counts), 24 and 2 hours before it closes. Like
/// deadline reminders, each target yields at most one reminder, the one with
/// the smallest due offset, and it says the hours really left.
#[must_use]
pub fn plan_quiz_reminders(
    now: DateTime<Utc>,
    quizzes: &[QuizCloseTarget],
) -> Vec<PlannedReminder> {
    quizzes
        .iter()
        .filter(|t| !t.attempted)
        .filter_map(|t| {
            let hours =
                smallest_due_offset(now, t.closes_at, &QUIZ_REMINDER_HOURS, Duration::hours)?;
            Some(PlannedReminder {
                recipient: t.student_id,
                event_key: quiz_event_key(t.quiz_id, t.closes_at, hours),
                notification: Notification::QuizReminder {
                    course_id: t.course_id,
                    course_title: t.course_title.clone(),
                    quiz_id: t.quiz_id,
                    title: t.quiz_title.clone(),
                    closes_at: t.closes_at,
                    hours_before: hours_left(now, t.closes_at, hours),
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_set_three_hours_ahead_says_three_hours_left() {
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 10, 9, 0, 0).unwrap();
        let target = DeadlineTarget {
            assignment_id: crate::ids::AssignmentId::new(),
            assignment_title: "ДЗ".to_owned(),
            course_id: crate::ids::CourseId::new(),
            course_title: "Курс".to_owned(),
            student_id: UserId::new(),
            due_at: now + Duration::hours(3),
            submitted: false,
        };
        let planned = plan_reminders(now, std::slice::from_ref(&target), &[]);
        assert_eq!(planned.len(), 1);
        assert!(
            matches!(
                planned[0].notification,
                Notification::DeadlineReminder {
                    hours_before: 3,
                    ..
                }
            ),
            "{:?}",
            planned[0].notification
        );
        assert!(
            planned[0].event_key.ends_with(":24h"),
            "{}",
            planned[0].event_key
        );
        // 2 h 10 min before, still in the 24-hour reminder's window: 3
        // hours (rounded up) under the same key, so it is not sent twice.
        let later = plan_reminders(now + Duration::minutes(50), &[target], &[]);
        assert!(matches!(
            later[0].notification,
            Notification::DeadlineReminder {
                hours_before: 3,
                ..
            }
        ));
    }
    use crate::course::Title;
    use crate::ids::{AssignmentId, CourseId, QuizId, WebinarId};
    use crate::webinar::ProviderKind;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, h, m, 0).unwrap()
    }

    fn target(due_at: DateTime<Utc>, submitted: bool) -> DeadlineTarget {
        DeadlineTarget {
            assignment_id: AssignmentId::new(),
            assignment_title: "ДЗ 3: дроби".into(),
            course_id: CourseId::new(),
            course_title: "Математика, 5 класс".into(),
            student_id: UserId::new(),
            due_at,
            submitted,
        }
    }

    fn quiz_target(closes_at: DateTime<Utc>, attempted: bool) -> QuizCloseTarget {
        QuizCloseTarget {
            quiz_id: QuizId::new(),
            quiz_title: "Тест: дроби".into(),
            course_id: CourseId::new(),
            course_title: "Математика, 5 класс".into(),
            student_id: UserId::new(),
            closes_at,
            attempted,
        }
    }

    /// The offset (hours, from the event key) of a single-quiz plan
    /// (`None` when nothing).
    fn quiz_label(now: DateTime<Utc>, closes: DateTime<Utc>) -> Option<u32> {
        let plan = plan_quiz_reminders(now, &[quiz_target(closes, false)]);
        assert!(plan.len() <= 1);
        plan.first().map(|p| offset_of(&p.event_key))
    }

    fn webinar(starts_at: DateTime<Utc>, state: WebinarState) -> Webinar {
        Webinar {
            id: WebinarId::new(),
            course_id: CourseId::new(),
            title: Title::parse("Разбор ДЗ").unwrap(),
            starts_at,
            duration_minutes: 60,
            provider: ProviderKind::ExternalLink,
            conference_id: None,
            join_url: "https://meet.example/abc".into(),
            host_url: None,
            state,
            created_by: UserId::new(),
            created_at: at(0, 0),
        }
    }

    /// The offset (hours, from the event key) of a single-target plan
    /// (`None` when nothing).
    fn deadline_label(now: DateTime<Utc>, due: DateTime<Utc>) -> Option<u32> {
        let plan = plan_reminders(now, &[target(due, false)], &[]);
        assert!(plan.len() <= 1);
        plan.first().map(|p| offset_of(&p.event_key))
    }

    fn offset_of(event_key: &str) -> u32 {
        event_key
            .rsplit(':')
            .next()
            .and_then(|h| h.strip_suffix('h'))
            .and_then(|h| h.parse().ok())
            .unwrap_or_else(|| panic!("no offset in {event_key}"))
    }

    fn webinar_label(now: DateTime<Utc>, start: DateTime<Utc>) -> Option<u32> {
        let w = webinar(start, WebinarState::Scheduled);
        let plan = plan_reminders(now, &[], &[(w, vec![UserId::new()])]);
        assert!(plan.len() <= 1);
        plan.first().map(|p| match p.notification {
            Notification::WebinarReminder { minutes_before, .. } => minutes_before,
            _ => panic!("not a webinar reminder"),
        })
    }

    #[test]
    fn deadline_offsets_at_every_boundary() {
        let due = at(20, 0);
        let s = Duration::seconds;
        let cases = [
            (due - Duration::hours(30), None),
            (due - Duration::hours(24) - s(1), None),
            (due - Duration::hours(24), Some(24)),
            (due - Duration::hours(24) + s(1), Some(24)),
            (due - Duration::hours(3), Some(24)),
            (due - Duration::hours(2) - s(1), Some(24)),
            (due - Duration::hours(2), Some(2)),
            (due - Duration::hours(1), Some(2)),
            (due - s(1), Some(2)),
            (due, None),
            (due + s(1), None),
            (due + Duration::hours(5), None),
        ];
        for (now, want) in cases {
            assert_eq!(deadline_label(now, due), want, "now = {now}");
        }
    }

    #[test]
    fn quiz_offsets_at_every_boundary() {
        let closes = at(20, 0);
        let s = Duration::seconds;
        let cases = [
            (closes - Duration::hours(30), None),
            (closes - Duration::hours(24) - s(1), None),
            (closes - Duration::hours(24), Some(24)),
            (closes - Duration::hours(24) + s(1), Some(24)),
            (closes - Duration::hours(3), Some(24)),
            (closes - Duration::hours(2) - s(1), Some(24)),
            (closes - Duration::hours(2), Some(2)),
            (closes - Duration::hours(1), Some(2)),
            (closes - s(1), Some(2)),
            (closes, None),
            (closes + s(1), None),
            (closes + Duration::hours(5), None),
        ];
        for (now, want) in cases {
            assert_eq!(quiz_label(now, closes), want, "now = {now}");
        }
    }

    #[test]
    fn quiz_reminder_carries_the_target_and_a_keyed_event() {
        let closes = at(20, 0);
        let t = quiz_target(closes, false);
        let plan = plan_quiz_reminders(closes - Duration::hours(23), std::slice::from_ref(&t));
        assert_eq!(
            plan,
            vec![PlannedReminder {
                recipient: t.student_id,
                event_key: format!("quiz:{}:{}:24h", t.quiz_id, closes.timestamp()),
                notification: Notification::QuizReminder {
                    course_id: t.course_id,
                    course_title: "Математика, 5 класс".into(),
                    quiz_id: t.quiz_id,
                    title: "Тест: дроби".into(),
                    closes_at: closes,
                    hours_before: 23,
                },
            }]
        );
        assert_eq!(
            quiz_event_key(t.quiz_id, closes, 24),
            plan[0].event_key,
            "the key function and the plan agree"
        );
        let late = plan_quiz_reminders(closes - Duration::minutes(30), std::slice::from_ref(&t));
        assert_eq!(
            late[0].event_key,
            format!("quiz:{}:{}:2h", t.quiz_id, closes.timestamp())
        );
        assert!(matches!(
            late[0].notification,
            Notification::QuizReminder {
                hours_before: 1,
                ..
            }
        ));
    }

    #[test]
    fn a_quiz_closing_three_hours_ahead_says_three_hours_left() {
        let now = at(9, 0);
        let t = quiz_target(now + Duration::hours(3), false);
        let planned = plan_quiz_reminders(now, std::slice::from_ref(&t));
        assert_eq!(planned.len(), 1);
        assert!(matches!(
            planned[0].notification,
            Notification::QuizReminder {
                hours_before: 3,
                ..
            }
        ));
        assert!(planned[0].event_key.ends_with(":24h"));
        // 2 h 10 min before, still the 24-hour reminder's key: not sent twice.
        let later = plan_quiz_reminders(now + Duration::minutes(50), &[t]);
        assert!(later[0].event_key.ends_with(":24h"));
        assert!(matches!(
            later[0].notification,
            Notification::QuizReminder {
                hours_before: 3,
                ..
            }
        ));
    }

    #[test]
    fn students_who_attempted_get_no_quiz_reminder() {
        let closes = at(20, 0);
        let done = quiz_target(closes, true);
        let pending = quiz_target(closes, false);
        let plan = plan_quiz_reminders(closes - Duration::hours(1), &[done, pending.clone()]);
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].recipient, pending.student_id);
    }

    #[test]
    fn a_moved_closing_time_gets_new_keys() {
        let t = quiz_target(at(20, 0), false);
        let moved = QuizCloseTarget {
            closes_at: at(22, 0),
            ..t.clone()
        };
        let now = at(19, 0);
        let before = plan_quiz_reminders(now, &[t]);
        let after = plan_quiz_reminders(now, &[moved]);
        assert!(before[0].event_key.ends_with(":2h"));
        assert!(
            after[0]
                .event_key
                .ends_with(&format!(":{}:24h", at(22, 0).timestamp()))
        );
        assert_ne!(before[0].event_key, after[0].event_key);
    }

    #[test]
    fn quiz_and_deadline_keys_never_collide() {
        let due = at(20, 0);
        let d = target(due, false);
        let q = QuizCloseTarget {
            quiz_id: QuizId(d.assignment_id.0),
            student_id: d.student_id,
            ..quiz_target(due, false)
        };
        let now = due - Duration::hours(1);
        let deadline = plan_reminders(now, &[d], &[]);
        let quiz = plan_quiz_reminders(now, &[q]);
        assert_ne!(deadline[0].event_key, quiz[0].event_key);
    }

    #[test]
    fn webinar_offsets_at_every_boundary() {
        let start = at(18, 0);
        let s = Duration::seconds;
        let cases = [
            (start - Duration::hours(2), None),
            (start - Duration::minutes(60) - s(1), None),
            (start - Duration::minutes(60), Some(60)),
            (start - Duration::minutes(30), Some(60)),
            (start - Duration::minutes(10) - s(1), Some(60)),
            (start - Duration::minutes(10), Some(10)),
            (start - Duration::minutes(1), Some(10)),
            (start, None),
            (start + Duration::minutes(5), None),
        ];
        for (now, want) in cases {
            assert_eq!(webinar_label(now, start), want, "now = {now}");
        }
    }

    #[test]
    fn deadline_reminder_carries_the_target_and_a_keyed_event() {
        let due = at(20, 0);
        let t = target(due, false);
        let plan = plan_reminders(due - Duration::hours(23), std::slice::from_ref(&t), &[]);
        assert_eq!(
            plan,
            vec![PlannedReminder {
                recipient: t.student_id,
                event_key: format!("deadline:{}:{}:24h", t.assignment_id, due.timestamp()),
                notification: Notification::DeadlineReminder {
                    course_id: t.course_id,
                    course_title: "Математика, 5 класс".into(),
                    assignment_id: t.assignment_id,
                    title: "ДЗ 3: дроби".into(),
                    due_at: due,
                    hours_before: 23,
                },
            }]
        );
        let late = plan_reminders(due - Duration::minutes(30), std::slice::from_ref(&t), &[]);
        assert_eq!(
            late[0].event_key,
            format!("deadline:{}:{}:2h", t.assignment_id, due.timestamp())
        );
    }

    #[test]
    fn submitted_students_get_no_deadline_reminder() {
        let due = at(20, 0);
        let done = target(due, true);
        let pending = target(due, false);
        let plan = plan_reminders(due - Duration::hours(1), &[done, pending.clone()], &[]);
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].recipient, pending.student_id);
    }

    #[test]
    fn moved_deadline_gets_new_keys() {
        let t = target(at(20, 0), false);
        let moved = DeadlineTarget {
            due_at: at(22, 0),
            ..t.clone()
        };
        let now = at(19, 0);
        let before = plan_reminders(now, &[t], &[]);
        let after = plan_reminders(now, &[moved], &[]);
        assert_eq!(before.len(), 1);
        assert_eq!(after.len(), 1);
        assert_ne!(before[0].event_key, after[0].event_key);
        assert!(before[0].event_key.ends_with(":2h"));
        // Three hours left on the new date: the 24 h reminder of the new
        // date is due, under a key the old date never used.
        assert!(
            after[0]
                .event_key
                .ends_with(&format!(":{}:24h", at(22, 0).timestamp()))
        );
    }

    #[test]
    fn webinar_reminder_goes_to_each_recipient_once() {
        let start = at(18, 0);
        let w = webinar(start, WebinarState::Scheduled);
        let teacher = UserId::new();
        let student = UserId::new();
        let plan = plan_reminders(
            start - Duration::minutes(45),
            &[],
            &[(w.clone(), vec![student, teacher, student])],
        );
        let key = format!("webinar:{}:{}:60m", w.id, start.timestamp());
        let expected = Notification::WebinarReminder {
            course_id: w.course_id,
            webinar_id: w.id,
            title: "Разбор ДЗ".into(),
            starts_at: start,
            minutes_before: 60,
            join_url: Some("https://meet.example/abc".into()),
        };
        assert_eq!(
            plan,
            vec![
                PlannedReminder {
                    recipient: student,
                    event_key: key.clone(),
                    notification: expected.clone(),
                },
                PlannedReminder {
                    recipient: teacher,
                    event_key: key,
                    notification: expected,
                },
            ]
        );
    }

    #[test]
    fn cancelled_webinars_and_empty_links() {
        let start = at(18, 0);
        let now = start - Duration::minutes(5);
        let cancelled = webinar(start, WebinarState::Cancelled);
        assert!(plan_reminders(now, &[], &[(cancelled, vec![UserId::new()])]).is_empty());

        let mut no_link = webinar(start, WebinarState::Scheduled);
        no_link.join_url.clear();
        let plan = plan_reminders(now, &[], &[(no_link.clone(), vec![UserId::new()])]);
        assert!(matches!(
            plan[0].notification,
            Notification::WebinarReminder {
                join_url: None,
                minutes_before: 10,
                ..
            }
        ));
        assert_eq!(
            plan[0].event_key,
            format!("webinar:{}:{}:10m", no_link.id, start.timestamp())
        );
        assert!(plan_reminders(now, &[], &[(no_link, vec![])]).is_empty());
    }

    #[test]
    fn deadlines_come_before_webinars_in_input_order() {
        let now = at(12, 0);
        let d1 = target(at(13, 0), false);
        let d2 = target(at(20, 0), false);
        let w = webinar(at(12, 30), WebinarState::Scheduled);
        let u = UserId::new();
        let plan = plan_reminders(now, &[d1.clone(), d2.clone()], &[(w, vec![u])]);
        let recipients: Vec<_> = plan.iter().map(|p| p.recipient).collect();
        assert_eq!(recipients, vec![d1.student_id, d2.student_id, u]);
    }

    #[test]
    fn lookahead_covers_the_largest_offsets() {
        let largest_hours = DEADLINE_REMINDER_HOURS.into_iter().max().unwrap();
        assert_eq!(PLANNER_LOOKAHEAD, Duration::hours(i64::from(largest_hours)));
        let largest_quiz_hours = QUIZ_REMINDER_HOURS.into_iter().max().unwrap();
        assert_eq!(
            PLANNER_LOOKAHEAD,
            Duration::hours(i64::from(largest_quiz_hours))
        );
        let largest_minutes = WEBINAR_REMINDER_MINUTES.into_iter().max().unwrap();
        assert_eq!(
            WEBINAR_LOOKAHEAD,
            Duration::minutes(i64::from(largest_minutes))
        );
        assert!(WEBINAR_LOOKAHEAD <= PLANNER_LOOKAHEAD);
    }

    proptest! {
        /// A deadline gets at most one reminder, exactly when it is within
        /// 24 hours, not submitted and not past; the offset is the smallest due.
        #[test]
        fn deadline_plan_matches_the_rule(
            secs_left in -100_000i64..200_000,
            submitted in any::<bool>(),
        ) {
            let now = at(0, 0);
            let due = now + Duration::seconds(secs_left);
            let plan = plan_reminders(now, &[target(due, submitted)], &[]);
            let expected = if submitted || secs_left <= 0 || secs_left > 24 * 3600 {
                None
            } else if secs_left <= 2 * 3600 {
                Some(2)
            } else {
                Some(24)
            };
            let got = plan.first().map(|p| offset_of(&p.event_key));
            prop_assert!(plan.len() <= 1);
            prop_assert_eq!(got, expected);
            // The message says the hours really left, rounded up, at most
            // the offset.
            if let Some(p) = plan.first() {
                let Notification::DeadlineReminder { hours_before, .. } = p.notification else {
                    unreachable!()
                };
                let left = u32::try_from((secs_left + 3599) / 3600).unwrap();
                prop_assert_eq!(hours_before, left.min(offset_of(&p.event_key)));
            }
        }

        /// Sweeping at any increasing sequence of instants never plans a
        /// larger offset after a smaller one (no stale 24 h reminder after
        /// the 2 h one), and every key names the same due instant.
        #[test]
        fn reminders_only_move_to_smaller_offsets(
            mut offsets in proptest::collection::vec(0i64..30 * 3600, 1..40),
        ) {
            let due = at(23, 0);
            let t = target(due, false);
            // Seconds before the deadline, sweeps in time order.
            offsets.sort_unstable_by(|a, b| b.cmp(a));
            let mut last: Option<u32> = None;
            for secs_before in offsets {
                let now = due - Duration::seconds(secs_before);
                for p in plan_reminders(now, std::slice::from_ref(&t), &[]) {
                    let Notification::DeadlineReminder { hours_before, .. } = p.notification else {
                        unreachable!()
                    };
                    if let Some(prev) = last {
                        prop_assert!(hours_before <= prev);
                    }
                    let prefix = format!("deadline:{}:{}:", t.assignment_id, due.timestamp());
                    prop_assert!(p.event_key.starts_with(&prefix));
                    last = Some(hours_before);
                }
            }
        }

        /// A quiz gets at most one reminder, exactly when it closes within 24
        /// hours, is not attempted and has not closed; the offset is the
        /// smallest due, and the message says the hours really left.
        #[test]
        fn quiz_plan_matches_the_rule(
            secs_left in -100_000i64..200_000,
            attempted in any::<bool>(),
        ) {
            let now = at(0, 0);
            let closes = now + Duration::seconds(secs_left);
            let plan = plan_quiz_reminders(now, &[quiz_target(closes, attempted)]);
            let expected = if attempted || secs_left <= 0 || secs_left > 24 * 3600 {
                None
            } else if secs_left <= 2 * 3600 {
                Some(2)
            } else {
                Some(24)
            };
            prop_assert!(plan.len() <= 1);
            prop_assert_eq!(plan.first().map(|p| offset_of(&p.event_key)), expected);
            if let Some(p) = plan.first() {
                let Notification::QuizReminder { hours_before, .. } = p.notification else {
                    unreachable!()
                };
                let left = u32::try_from((secs_left + 3599) / 3600).unwrap();
                prop_assert_eq!(hours_before, left.min(offset_of(&p.event_key)));
                prop_assert!(p.event_key.starts_with("quiz:"));
            }
        }

        /// A webinar reminder reaches every distinct recipient exactly once,
        /// all with the same key.
        #[test]
        fn webinar_reminder_reaches_every_distinct_recipient(
            secs_left in 1i64..3600,
            picks in proptest::collection::vec(0usize..5, 0..12),
        ) {
            let users: Vec<UserId> = (0..5).map(|_| UserId::new()).collect();
            let recipients: Vec<UserId> = picks.iter().map(|&i| users[i]).collect();
            let now = at(12, 0);
            let w = webinar(now + Duration::seconds(secs_left), WebinarState::Scheduled);
            let plan = plan_reminders(now, &[], &[(w, recipients.clone())]);
            let distinct: std::collections::HashSet<_> = recipients.iter().collect();
            prop_assert_eq!(plan.len(), distinct.len());
            let got: std::collections::HashSet<_> = plan.iter().map(|p| &p.recipient).collect();
            prop_assert_eq!(got, distinct);
            let keys: std::collections::HashSet<_> = plan.iter().map(|p| &p.event_key).collect();
            prop_assert!(keys.len() <= 1);
        }
    }
}
