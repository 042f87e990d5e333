//! Reminder planning for a whole school: [`plan_reminders`], the pure core
//! of the periodic reminder sweep, over what the sweep loads for a school of
//! 2,000 students. The school has 100 published courses of 100 students
//! each (every student takes 5 courses); each course has 2 assignments due
//! within the sweep's 24-hour look-ahead, spread evenly over it, so there
//! are 20,000 per-student deadlines, a third of them already handed in.
//! Twelve webinars start within the hour (one of them cancelled), each with
//! its course's students and teacher as recipients. About 13,000 deadline
//! and 1,100 webinar reminders come out.
//!
//! Run with `cargo bench -p lms-core --bench reminders`
//! (add `-- --quick` for a faster, rougher figure).

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, TimeZone as _, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use lms_core::course::Title;
use lms_core::ids::{AssignmentId, CourseId, UserId, WebinarId};
use lms_core::notification::{DeadlineTarget, plan_reminders};
use lms_core::webinar::{ProviderKind, Webinar, WebinarState};
use uuid::Uuid;

const STUDENTS: u32 = 2_000;
const COURSES: u32 = 100;
/// A student takes the courses whose number is congruent to theirs modulo this.
const STUDENT_GROUPS: u32 = 20;
const ASSIGNMENTS_PER_COURSE: u32 = 2;
const WEBINARS: u32 = 12;

/// Deterministic ids, so every run plans the same data: `kind` keeps the
/// id spaces of users, courses, assignments and webinars apart.
fn id<T: From<Uuid>>(kind: u128, n: u32) -> T {
    T::from(Uuid::from_u128((kind << 64) | u128::from(n)))
}

fn student(s: u32) -> UserId {
    id(1, s)
}

fn teacher(course: u32) -> UserId {
    id(2, course)
}

fn course_id(course: u32) -> CourseId {
    id(3, course)
}

/// The students of course `c`: 100 of the 2,000.
fn students_of(course: u32) -> impl Iterator<Item = u32> {
    (0..STUDENTS).filter(move |s| s % STUDENT_GROUPS == course % STUDENT_GROUPS)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap()
}

/// Every student's deadline in the sweep's window, as storage returns them.
fn deadlines() -> Vec<DeadlineTarget> {
    let deadline_count = COURSES * ASSIGNMENTS_PER_COURSE;
    let step = chrono::Duration::hours(24) / i32::try_from(deadline_count).unwrap();
    let mut targets = Vec::new();
    for c in 0..COURSES {
        for k in 0..ASSIGNMENTS_PER_COURSE {
            let a = c * ASSIGNMENTS_PER_COURSE + k;
            // From a minute ahead up to the end of the look-ahead.
            let due_at = now() + chrono::Duration::minutes(1) + step * i32::try_from(a).unwrap();
            for s in students_of(c) {
                targets.push(DeadlineTarget {
                    assignment_id: id::<AssignmentId>(4, a),
                    assignment_title: format!("Домашнее задание {}", k + 1),
                    course_id: course_id(c),
                    course_title: format!("Курс {c}: алгебра, {} класс", 5 + c % 7),
                    student_id: student(s),
                    due_at,
                    submitted: (s + a).is_multiple_of(3),
                });
            }
        }
    }
    targets
}

/// Webinars starting within the hour, with their recipients.
fn webinars() -> Vec<(Webinar, Vec<UserId>)> {
    (0..WEBINARS)
        .map(|w| {
            let c = w * (COURSES / WEBINARS);
            let webinar = Webinar {
                id: id::<WebinarId>(5, w),
                course_id: course_id(c),
                title: Title::parse(&format!("Разбор контрольной {w}")).expect("title"),
                starts_at: now() + chrono::Duration::minutes(i64::from(5 + w * 5)),
                duration_minutes: 45,
                provider: ProviderKind::ExternalLink,
                conference_id: None,
                join_url: format!("https://meet.school.example/j/{w}"),
                host_url: Some(format!("https://meet.school.example/h/{w}")),
                state: if w == 0 {
                    WebinarState::Cancelled
                } else {
                    WebinarState::Scheduled
                },
                created_by: teacher(c),
                created_at: now() - chrono::Duration::days(3),
            };
            let recipients = students_of(c).map(student).chain([teacher(c)]).collect();
            (webinar, recipients)
        })
        .collect()
}

fn bench_reminders(c: &mut Criterion) {
    let (now, deadlines, webinars) = (now(), deadlines(), webinars());
    let planned = plan_reminders(now, &deadlines, &webinars);
    let webinar_reminders = planned
        .iter()
        .filter(|p| p.event_key.starts_with("webinar:"))
        .count();
    assert_eq!(webinar_reminders, 11 * 101, "scheduled webinars only");
    assert!(
        planned.len() - webinar_reminders > 10_000,
        "most unsubmitted deadlines are due: {}",
        planned.len()
    );

    c.bench_function("notification/plan_reminders_2000_students", |b| {
        b.iter(|| plan_reminders(black_box(now), black_box(&deadlines), black_box(&webinars)));
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench_reminders
}
criterion_main!(benches);
