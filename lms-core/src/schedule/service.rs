//! Building a user's schedule: the pure [`build_schedule`] and the
//! [`ScheduleService`] that reads the sources for the UI and the iCalendar feed.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use thiserror::Error;

use crate::clock::Clock;
use crate::course::{Course, CourseRole, CourseStatus};
use crate::error::StorageError;
use crate::homework::effective_deadline;
use crate::homework::service::student_sees;
use crate::policy;
use crate::schedule::ical::to_ical;
use crate::schedule::model::{EventSource, ScheduleEvent};
use crate::schedule::ports::{ScheduleSources, ScheduleStore};
use crate::user::{Actor, TimeZone, User, UserStore};
use crate::webinar::WebinarState;

/// The longest range one schedule request may cover.
pub const MAX_RANGE_DAYS: i64 = 400;
/// How far back the calendar feed reaches.
pub const FEED_PAST_DAYS: i64 = 30;
/// How far ahead the calendar feed reaches.
pub const FEED_FUTURE_DAYS: i64 = 365;

/// Whether an event touches `[from, to)`: instants inside it, spans
/// overlapping it.
fn in_range(e: &ScheduleEvent, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    e.starts_at < to && (e.ends_at > from || e.starts_at >= from)
}

/// The events of a user's schedule in `[from, to)`, by start.
///
/// - lessons at their `publish_at` (lessons without one have no date),
///   drafts for staff only;
/// - homework deadlines at the due date that applies to the viewer (a
///   student's own extension applied), for students only once the
///   assignment has opened (`opens_at <= now`): before that its title and
///   deadline are not theirs to see;
/// - quiz windows from `opens_at` to `closes_at`, or an instant at whichever
///   one is set;
/// - scheduled webinars from start to end, with the host link for staff only.
///
/// The viewer is staff of a course when they are an admin, or its owner
/// (`owner_id`) while a teacher ([`policy::can_grade`]). The sources do not
/// say who assists in a course, so assistants see their courses as students
/// do: never more than they may. Where the viewer is not staff, draft
/// courses and lessons, unpublished assignments and quizzes and webinar host links are
/// dropped even if the sources hold them; events of courses missing from the
/// sources are dropped for everyone. UIDs are stable: `lesson-{id}@lms`,
/// `deadline-{assignment}@lms`, `quiz-{id}@lms`, `webinar-{id}@lms`.
#[must_use]
pub fn build_schedule(
    sources: &ScheduleSources,
    viewer: &Actor,
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<ScheduleEvent> {
    // Per course: the course and whether the viewer is staff in it.
    let courses: HashMap<_, (&Course, bool)> = sources
        .courses
        .iter()
        .map(|c| (c, is_staff(viewer, c)))
        .filter(|(c, staff)| *staff || c.status != CourseStatus::Draft)
        .map(|(c, staff)| (c.id, (c, staff)))
        .collect();
    let mut events = Vec::new();
    let mut push = |course: &Course,
                    uid: String,
                    title: &str,
                    starts_at: DateTime<Utc>,
                    ends_at: DateTime<Utc>,
                    source: EventSource| {
        events.push(ScheduleEvent {
            uid,
            course_id: course.id,
            course_title: course.title.as_str().to_owned(),
            title: title.to_owned(),
            starts_at,
            ends_at,
            source,
        });
    };

    for lesson in &sources.lessons {
        let (Some(&(course, staff)), Some(at)) =
            (courses.get(&lesson.course_id), lesson.publish_at)
        else {
            continue;
        };
        if !staff && !lesson.published {
            continue;
        }
        push(
            course,
            format!("lesson-{}@lms", lesson.id),
            lesson.title.as_str(),
            at,
            at,
            EventSource::Lesson {
                lesson_id: lesson.id,
            },
        );
    }

    for assignment in &sources.assignments {
        let Some(&(course, staff)) = courses.get(&assignment.course_id) else {
            continue;
        };
        if !staff && !student_sees(assignment, now) {
            continue;
        }
        let extension = sources
            .extensions
            .iter()
            .find(|e| e.assignment_id == assignment.id && e.student_id == viewer.user_id);
        let due = effective_deadline(assignment, extension).due_at;
        push(
            course,
            format!("deadline-{}@lms", assignment.id),
            assignment.title.as_str(),
            due,
            due,
            EventSource::Deadline {
                assignment_id: assignment.id,
            },
        );
    }

    for quiz in &sources.quizzes {
        let Some(&(course, staff)) = courses.get(&quiz.course_id) else {
            continue;
        };
        if !staff && !quiz.published {
            continue;
        }
        let (starts_at, ends_at) = match (quiz.settings.opens_at, quiz.settings.closes_at) {
            (Some(o), Some(c)) => (o, c.max(o)),
            (Some(at), None) | (None, Some(at)) => (at, at),
            (None, None) => continue,
        };
        push(
            course,
            format!("quiz-{}@lms", quiz.id),
            quiz.title.as_str(),
            starts_at,
            ends_at,
            EventSource::QuizWindow { quiz_id: quiz.id },
        );
    }

    for webinar in &sources.webinars {
        let Some(&(course, staff)) = courses.get(&webinar.course_id) else {
            continue;
        };
        if webinar.state != WebinarState::Scheduled {
            continue;
        }
        push(
            course,
            format!("webinar-{}@lms", webinar.id),
            webinar.title.as_str(),
            webinar.starts_at,
            webinar.ends_at(),
            EventSource::Webinar {
                webinar_id: webinar.id,
                join_url: webinar.join_url.clone(),
                host_url: if staff {
                    webinar.host_url.clone()
                } else {
                    None
                },
            },
        );
    }

    events.retain(|e| in_range(e, from, to));
    events.sort_by(|a, b| {
        (a.starts_at, a.ends_at, &a.title, &a.uid).cmp(&(b.starts_at, b.ends_at, &b.title, &b.uid))
    });
    events
}

/// Whether the viewer sees a course of their schedule as staff: admins, and
/// its owner while a teacher. Assistants are not told apart from students
/// by [`ScheduleSources`], so they are not staff here.
fn is_staff(viewer: &Actor, course: &Course) -> bool {
    let membership = (course.owner_id == viewer.user_id).then_some(CourseRole::Owner);
    policy::can_grade(viewer, membership)
}

/// A user's schedule for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleView {
    /// The zone the user reads times in.
    pub time_zone: TimeZone,
    /// Events by start (UTC).
    pub events: Vec<ScheduleEvent>,
}

/// Why a schedule could not be shown.
#[derive(Debug, Error)]
pub enum ScheduleError {
    /// The range is empty, reversed or longer than [`MAX_RANGE_DAYS`].
    #[error("invalid range (to): {0}")]
    InvalidRange(&'static str),
    /// The user does not exist or is deactivated.
    #[error("user not found")]
    UserNotFound,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(ScheduleError {
    InvalidRange(_) => (Invalid, "invalid_range"),
    UserNotFound => (NotFound, "user_not_found"),
});

/// Whether `[from, to)` is forward and at most [`MAX_RANGE_DAYS`] long.
fn check_range(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(), ScheduleError> {
    if to <= from {
        return Err(ScheduleError::InvalidRange("`to` must be after `from`"));
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(ScheduleError::InvalidRange(
            "the range may cover at most 400 days",
        ));
    }
    Ok(())
}

/// Users' schedules, in the UI and as a calendar feed.
pub struct ScheduleService {
    schedules: Arc<dyn ScheduleStore>,
    users: Arc<dyn UserStore>,
    clock: Arc<dyn Clock>,
}

impl ScheduleService {
    /// A service over these ports.
    #[must_use]
    pub fn new(
        schedules: Arc<dyn ScheduleStore>,
        users: Arc<dyn UserStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            schedules,
            users,
            clock,
        }
    }

    /// The acting user's events in `[from, to)` (at most
    /// [`MAX_RANGE_DAYS`] long) and the zone to show them in. Loads the
    /// user; a caller that holds the authenticated [`User`] already calls
    /// [`Self::schedule_for`] and saves that read.
    pub async fn schedule(
        &self,
        actor: &Actor,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<ScheduleView, ScheduleError> {
        check_range(from, to)?;
        let user = self
            .users
            .get_user(actor.user_id)
            .await?
            .filter(|u| u.active)
            .ok_or(ScheduleError::UserNotFound)?;
        self.view(actor, user.time_zone, from, to).await
    }

    /// The events of `user` (who is acting, e.g. as authenticated by their
    /// session) in `[from, to)` (at most [`MAX_RANGE_DAYS`] long) and the
    /// zone to show them in, with one storage read. A deactivated user gets
    /// `UserNotFound`.
    pub async fn schedule_for(
        &self,
        user: &User,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<ScheduleView, ScheduleError> {
        check_range(from, to)?;
        if !user.active {
            return Err(ScheduleError::UserNotFound);
        }
        self.view(&user.actor(), user.time_zone, from, to).await
    }

    /// The actor's schedule in a range already checked.
    async fn view(
        &self,
        actor: &Actor,
        time_zone: TimeZone,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<ScheduleView, ScheduleError> {
        let sources = self.schedules.schedule_sources(actor.user_id).await?;
        Ok(ScheduleView {
            time_zone,
            events: build_schedule(&sources, actor, self.clock.now(), from, to),
        })
    }

    /// The events of a user's calendar feed: from [`FEED_PAST_DAYS`] ago to
    /// [`FEED_FUTURE_DAYS`] ahead. The caller has identified the user by
    /// their feed token; deactivated users get `UserNotFound`. A feed is
    /// read by calendar services and may be shared, so it never carries
    /// webinar host links, not even the owner's.
    pub async fn feed(&self, user: &User) -> Result<Vec<ScheduleEvent>, ScheduleError> {
        self.feed_at(user, self.clock.now()).await
    }

    /// The user's calendar feed (see [`Self::feed`]) as an iCalendar file
    /// (see [`to_ical`]), in their language, with links to the web UI at
    /// `public_url`.
    pub async fn feed_ical(&self, user: &User, public_url: &str) -> Result<String, ScheduleError> {
        let now = self.clock.now();
        let events = self.feed_at(user, now).await?;
        Ok(to_ical(&events, public_url, user.locale, now))
    }

    /// [`Self::feed`] as of `now`.
    async fn feed_at(
        &self,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<Vec<ScheduleEvent>, ScheduleError> {
        if !user.active {
            return Err(ScheduleError::UserNotFound);
        }
        let sources = self.schedules.schedule_sources(user.id).await?;
        let mut events = build_schedule(
            &sources,
            &user.actor(),
            now,
            now - Duration::days(FEED_PAST_DAYS),
            now + Duration::days(FEED_FUTURE_DAYS),
        );
        for e in &mut events {
            if let EventSource::Webinar { host_url, .. } = &mut e.source {
                *host_url = None;
            }
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::dashboard::model::fixtures::*;
    use crate::ids::UserId;
    use crate::quiz::ScoringPolicy;
    use crate::schedule::ports::MockScheduleStore;
    use crate::user::{MockUserStore, Role};
    use proptest::prelude::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new(),
            role,
        }
    }

    fn wide() -> (DateTime<Utc>, DateTime<Utc>) {
        (t0() - days(100), t0() + days(100))
    }

    fn uids(events: &[ScheduleEvent]) -> Vec<&str> {
        events.iter().map(|e| e.uid.as_str()).collect()
    }

    /// A course with one item of every kind.
    fn sources() -> ScheduleSources {
        let c = course("Алгебра", CourseStatus::Published);
        let mut q = quiz(&c, "Контрольная", ScoringPolicy::Best);
        q.settings.opens_at = Some(t0() + days(3));
        q.settings.closes_at = Some(t0() + days(4));
        ScheduleSources {
            lessons: vec![
                lesson(&c, "Урок 1", Some(t0() + days(1))),
                lesson(&c, "Без даты", None),
            ],
            assignments: vec![assignment(&c, "ДЗ 1", t0() + days(2), 10.0)],
            quizzes: vec![q],
            webinars: vec![webinar(&c, "Разбор", t0() + days(5), 90)],
            extensions: vec![],
            courses: vec![c],
        }
    }

    #[test]
    fn every_kind_becomes_an_event_with_a_stable_uid_in_start_order() {
        let s = sources();
        let (from, to) = wide();
        let events = build_schedule(&s, &actor(Role::Student), t0(), from, to);
        let (l, a, q, w) = (
            &s.lessons[0],
            &s.assignments[0],
            &s.quizzes[0],
            &s.webinars[0],
        );
        assert_eq!(
            uids(&events),
            vec![
                format!("lesson-{}@lms", l.id),
                format!("deadline-{}@lms", a.id),
                format!("quiz-{}@lms", q.id),
                format!("webinar-{}@lms", w.id),
            ],
            "lessons without a date are left out"
        );
        assert_eq!(events[0].starts_at, t0() + days(1));
        assert_eq!(events[0].ends_at, events[0].starts_at);
        assert_eq!(events[0].source, EventSource::Lesson { lesson_id: l.id });
        assert_eq!(events[1].title, "ДЗ 1");
        assert_eq!(
            (events[1].starts_at, events[1].ends_at),
            (a.due_at, a.due_at)
        );
        assert_eq!(
            (events[2].starts_at, events[2].ends_at),
            (t0() + days(3), t0() + days(4))
        );
        assert_eq!(events[2].source, EventSource::QuizWindow { quiz_id: q.id });
        assert_eq!(
            (events[3].starts_at, events[3].ends_at),
            (w.starts_at, w.ends_at())
        );
        assert!(
            events
                .iter()
                .all(|e| e.course_title == "Алгебра" && e.course_id == s.courses[0].id)
        );
        // Building again gives the same uids.
        assert_eq!(
            uids(&build_schedule(&s, &actor(Role::Student), t0(), from, to)),
            uids(&events)
        );
    }

    #[test]
    fn students_see_their_own_extension_and_staff_the_course_due_date() {
        let mut s = sources();
        let me = actor(Role::Student);
        let a = s.assignments[0].clone();
        s.extensions = vec![
            extension(&a, UserId::new(), t0() + days(20), None),
            extension(&a, me.user_id, t0() + days(9), None),
        ];
        let (from, to) = wide();
        let mine = build_schedule(&s, &me, t0(), from, to);
        let deadline = mine
            .iter()
            .find(|e| matches!(e.source, EventSource::Deadline { .. }))
            .unwrap();
        assert_eq!(deadline.starts_at, t0() + days(9));
        assert_eq!(deadline.uid, format!("deadline-{}@lms", a.id));
        assert_eq!(
            mine.last().unwrap().uid,
            deadline.uid,
            "re-sorted by the new date"
        );

        let someone_else = build_schedule(&s, &actor(Role::Student), t0(), from, to);
        let d = someone_else
            .iter()
            .find(|e| matches!(e.source, EventSource::Deadline { .. }))
            .unwrap();
        assert_eq!(
            d.starts_at, a.due_at,
            "another student's extension does not apply"
        );
        let owner = actor(Role::Teacher);
        s.courses[0].owner_id = owner.user_id;
        let teacher = build_schedule(&s, &owner, t0(), from, to);
        let d = teacher
            .iter()
            .find(|e| matches!(e.source, EventSource::Deadline { .. }))
            .unwrap();
        assert_eq!(d.starts_at, a.due_at);
    }

    #[test]
    fn quiz_windows_with_one_bound_are_instants_and_without_bounds_absent() {
        let c = course("Курс", CourseStatus::Published);
        let mut opens = quiz(&c, "Открывается", ScoringPolicy::Best);
        opens.settings.opens_at = Some(t0() + days(1));
        let mut closes = quiz(&c, "Закрывается", ScoringPolicy::Best);
        closes.settings.closes_at = Some(t0() + days(2));
        let always = quiz(&c, "Всегда", ScoringPolicy::Best);
        let s = ScheduleSources {
            courses: vec![c],
            quizzes: vec![opens.clone(), closes.clone(), always],
            ..ScheduleSources::default()
        };
        let (from, to) = wide();
        let events = build_schedule(&s, &actor(Role::Student), t0(), from, to);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].uid, format!("quiz-{}@lms", opens.id));
        assert_eq!(
            (events[0].starts_at, events[0].ends_at),
            (t0() + days(1), t0() + days(1))
        );
        assert_eq!(events[1].uid, format!("quiz-{}@lms", closes.id));
        assert_eq!(
            (events[1].starts_at, events[1].ends_at),
            (t0() + days(2), t0() + days(2))
        );
    }

    #[test]
    fn host_links_are_for_the_owner_and_admins_only() {
        let mut s = sources();
        let owner = actor(Role::Teacher);
        s.courses[0].owner_id = owner.user_id;
        let (from, to) = wide();
        let host = |viewer: &Actor| {
            build_schedule(&s, viewer, t0(), from, to)
                .into_iter()
                .find_map(|e| match e.source {
                    EventSource::Webinar {
                        join_url, host_url, ..
                    } => Some((join_url, host_url)),
                    _ => None,
                })
                .unwrap()
        };
        let w = &s.webinars[0];
        assert!(w.host_url.is_some());
        for viewer in [owner, actor(Role::Admin)] {
            assert_eq!(
                host(&viewer),
                (w.join_url.clone(), w.host_url.clone()),
                "{:?}",
                viewer.role
            );
        }
        // Anyone else: a student, a teacher who does not own the course, an
        // assistant (the sources do not say where they assist), and the owner
        // after an admin changed their school role.
        let others = [
            actor(Role::Student),
            actor(Role::Teacher),
            actor(Role::Assistant),
            Actor {
                role: Role::Assistant,
                ..owner
            },
            Actor {
                role: Role::Student,
                ..owner
            },
        ];
        for viewer in others {
            assert_eq!(
                host(&viewer),
                (w.join_url.clone(), None),
                "{:?}",
                viewer.role
            );
        }
    }

    #[test]
    fn staff_is_decided_per_course() {
        // A teacher who owns one course and is enrolled in another's
        // (e.g. a colleague's course they take).
        let me = actor(Role::Teacher);
        let mut mine = course("Мой курс", CourseStatus::Draft);
        mine.owner_id = me.user_id;
        let theirs = course("Чужой курс", CourseStatus::Published);
        let mut s = ScheduleSources::default();
        for (c, tag) in [(&mine, "мой"), (&theirs, "чужой")] {
            let mut a = assignment(c, &format!("ДЗ {tag}"), t0() + days(2), 1.0);
            a.published = false;
            let mut q = quiz(c, &format!("Тест {tag}"), ScoringPolicy::Best);
            q.published = false;
            q.settings.opens_at = Some(t0() + days(3));
            let mut l = lesson(c, &format!("Урок {tag}"), Some(t0() + days(1)));
            l.published = false;
            s.lessons.push(l);
            s.assignments.push(a);
            s.quizzes.push(q);
            s.webinars
                .push(webinar(c, &format!("Вебинар {tag}"), t0() + days(4), 30));
        }
        let mut draft_of_theirs = course("Чужой черновик", CourseStatus::Draft);
        draft_of_theirs.owner_id = UserId::new();
        s.lessons
            .push(lesson(&draft_of_theirs, "Чужой урок", Some(t0() + days(1))));
        s.courses = vec![mine, theirs, draft_of_theirs];

        let (from, to) = wide();
        let events = build_schedule(&s, &me, t0(), from, to);
        let seen: Vec<(&str, bool)> = events
            .iter()
            .map(|e| {
                let host = matches!(
                    &e.source,
                    EventSource::Webinar {
                        host_url: Some(_),
                        ..
                    }
                );
                (e.title.as_str(), host)
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("Урок мой", false),
                ("ДЗ мой", false),
                ("Тест мой", false),
                ("Вебинар мой", true),
                ("Вебинар чужой", false),
            ],
            "drafts and host links of the own course only"
        );
    }

    #[test]
    fn students_never_see_drafts_even_if_the_sources_hold_them() {
        let mut s = sources();
        s.assignments[0].published = false;
        s.quizzes[0].published = false;
        let mut draft_lesson = lesson(&s.courses[0], "Черновик урока", Some(t0() + days(1)));
        draft_lesson.published = false;
        s.lessons.push(draft_lesson);
        let draft = course("Черновик", CourseStatus::Draft);
        s.lessons
            .push(lesson(&draft, "Секрет", Some(t0() + days(1))));
        s.webinars
            .push(webinar(&draft, "Секретный", t0() + days(1), 30));
        s.courses.push(draft);
        // Items of a course that is not in the sources at all.
        let foreign = course("Чужой", CourseStatus::Published);
        s.assignments
            .push(assignment(&foreign, "Чужое", t0() + days(1), 1.0));
        let mut cancelled = webinar(&s.courses[0], "Отменён", t0() + days(2), 30);
        cancelled.state = WebinarState::Cancelled;
        s.webinars.push(cancelled);

        let (from, to) = wide();
        let student = build_schedule(&s, &actor(Role::Student), t0(), from, to);
        let titles: Vec<_> = student.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, vec!["Урок 1", "Разбор"]);
        // A teacher who owns neither course sees what students see.
        let stranger = build_schedule(&s, &actor(Role::Teacher), t0(), from, to);
        let titles: Vec<_> = stranger.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, vec!["Урок 1", "Разбор"]);
        let owner = actor(Role::Teacher);
        for c in &mut s.courses {
            c.owner_id = owner.user_id;
        }
        let teacher = build_schedule(&s, &owner, t0(), from, to);
        let titles: Vec<_> = teacher.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(
            titles,
            vec![
                "Секрет",
                "Урок 1",
                "Черновик урока",
                "Секретный",
                "ДЗ 1",
                "Контрольная",
                "Разбор"
            ],
            "same start: instants before spans, then by title"
        );
    }

    #[test]
    fn range_keeps_instants_in_from_to_and_overlapping_spans() {
        let s = sources();
        let lesson_at = t0() + days(1);
        let w = &s.webinars[0];
        let student = actor(Role::Student);
        let only = |from, to| {
            build_schedule(&s, &student, t0(), from, to)
                .into_iter()
                .map(|e| e.title)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            only(lesson_at, lesson_at + days(1)),
            vec!["Урок 1"],
            "from is inclusive"
        );
        assert!(
            only(lesson_at - days(1), lesson_at).is_empty(),
            "to is exclusive"
        );
        // A webinar running across `from` is kept; one ending exactly at `from` is not.
        let mid = w.starts_at + Duration::minutes(30);
        assert_eq!(only(mid, mid + Duration::minutes(1)), vec!["Разбор"]);
        assert!(only(w.ends_at(), w.ends_at() + days(1)).is_empty());
        // The quiz window overlapping the end of the range.
        assert_eq!(
            only(
                t0() + days(3) - Duration::hours(1),
                t0() + days(3) + Duration::hours(1)
            ),
            vec!["Контрольная"]
        );
    }

    proptest! {
        #[test]
        fn events_are_sorted_and_inside_the_range(
            offsets in proptest::collection::vec(-50i64..50, 0..20),
            from_h in -60i64..60, len_h in 1i64..2000,
        ) {
            let c = course("Курс", CourseStatus::Published);
            let mut s = ScheduleSources { courses: vec![c.clone()], ..ScheduleSources::default() };
            for (i, o) in offsets.iter().enumerate() {
                let at = t0() + Duration::hours(*o);
                match i % 3 {
                    0 => s.lessons.push(lesson(&c, "Урок", Some(at))),
                    1 => s.assignments.push(assignment(&c, "ДЗ", at, 1.0)),
                    _ => s.webinars.push(webinar(&c, "Вебинар", at, 120)),
                }
            }
            let from = t0() + Duration::hours(from_h);
            let to = from + Duration::hours(len_h);
            let events = build_schedule(&s, &actor(Role::Student), t0(), from, to);
            prop_assert!(events.windows(2).all(|w| w[0].starts_at <= w[1].starts_at));
            for e in &events {
                prop_assert!(e.starts_at < to && e.ends_at >= from);
            }
            let all = build_schedule(&s, &actor(Role::Student), t0(), t0() - days(10), t0() + days(10));
            prop_assert_eq!(all.len(), offsets.len());
        }
    }

    fn service(schedules: MockScheduleStore, users: MockUserStore) -> ScheduleService {
        ScheduleService::new(
            Arc::new(schedules),
            Arc::new(users),
            Arc::new(ManualClock::new(t0())),
        )
    }

    #[tokio::test]
    async fn schedule_returns_the_users_zone_and_events() {
        let u = user("Анна", "anna@school.example", Role::Student);
        let me = u.actor();
        let s = sources();
        let expected = build_schedule(&s, &me, t0(), t0(), t0() + days(30));
        let mut users = MockUserStore::new();
        let id = u.id;
        users
            .expect_get_user()
            .withf(move |i| *i == id)
            .returning(move |_| Ok(Some(u.clone())));
        let mut schedules = MockScheduleStore::new();
        schedules
            .expect_schedule_sources()
            .withf(move |i| *i == id)
            .times(1)
            .returning(move |_| Ok(s.clone()));
        let view = service(schedules, users)
            .schedule(&me, t0(), t0() + days(30))
            .await
            .unwrap();
        assert_eq!(view.time_zone.name(), "Asia/Yekaterinburg");
        assert_eq!(view.events, expected);
        assert_eq!(view.events.len(), 4);
    }

    #[tokio::test]
    async fn the_schedule_of_an_authenticated_user_reads_only_the_sources() {
        let u = user("Анна", "anna@school.example", Role::Student);
        let s = sources();
        let expected = build_schedule(&s, &u.actor(), t0(), t0(), t0() + days(30));
        let id = u.id;
        let mut schedules = MockScheduleStore::new();
        schedules
            .expect_schedule_sources()
            .withf(move |i| *i == id)
            .times(1)
            .returning(move |_| Ok(s.clone()));
        // No user-store expectation: the user is not read again.
        let view = service(schedules, MockUserStore::new())
            .schedule_for(&u, t0(), t0() + days(30))
            .await
            .unwrap();
        assert_eq!(view.time_zone.name(), "Asia/Yekaterinburg");
        assert_eq!(view.events, expected);
        assert_eq!(view.events.len(), 4);
    }

    #[tokio::test]
    async fn schedule_ranges_must_be_forward_and_at_most_400_days() {
        let u = user("Пётр", "petr@school.example", Role::Teacher);
        let me = u.actor();
        for (from, to) in [
            (t0(), t0()),
            (t0(), t0() - Duration::seconds(1)),
            (t0(), t0() + days(400) + Duration::seconds(1)),
        ] {
            let svc = service(MockScheduleStore::new(), MockUserStore::new());
            for err in [
                svc.schedule(&me, from, to).await.unwrap_err(),
                svc.schedule_for(&u, from, to).await.unwrap_err(),
            ] {
                assert!(matches!(err, ScheduleError::InvalidRange(_)));
                assert_eq!(crate::error::DomainError::code(&err), "invalid_range");
                assert!(err.to_string().contains("to"), "{err}");
            }
        }
        // Exactly 400 days is fine.
        let mut users = MockUserStore::new();
        let stored = u.clone();
        users
            .expect_get_user()
            .returning(move |_| Ok(Some(stored.clone())));
        let mut schedules = MockScheduleStore::new();
        schedules
            .expect_schedule_sources()
            .returning(|_| Ok(ScheduleSources::default()));
        let view = service(schedules, users)
            .schedule(&u.actor(), t0(), t0() + days(400))
            .await
            .unwrap();
        assert!(view.events.is_empty());
    }

    #[tokio::test]
    async fn unknown_or_deactivated_users_have_no_schedule() {
        let mut gone = MockUserStore::new();
        gone.expect_get_user().returning(|_| Ok(None));
        let err = service(MockScheduleStore::new(), gone)
            .schedule(&actor(Role::Student), t0(), t0() + days(1))
            .await
            .unwrap_err();
        assert!(matches!(err, ScheduleError::UserNotFound));

        let mut u = user("Ира", "ira@school.example", Role::Student);
        u.active = false;
        let mut inactive = MockUserStore::new();
        let stored = u.clone();
        inactive
            .expect_get_user()
            .returning(move |_| Ok(Some(stored.clone())));
        let err = service(MockScheduleStore::new(), inactive)
            .schedule(&u.actor(), t0(), t0() + days(1))
            .await
            .unwrap_err();
        assert!(matches!(err, ScheduleError::UserNotFound));
        let svc = service(MockScheduleStore::new(), MockUserStore::new());
        let err = svc
            .schedule_for(&u, t0(), t0() + days(1))
            .await
            .unwrap_err();
        assert!(matches!(err, ScheduleError::UserNotFound));
        let err = svc.feed(&u).await.unwrap_err();
        assert!(matches!(err, ScheduleError::UserNotFound));
        let err = svc
            .feed_ical(&u, "https://lms.school.ru")
            .await
            .unwrap_err();
        assert!(matches!(err, ScheduleError::UserNotFound));
    }

    #[tokio::test]
    async fn feed_spans_a_month_back_and_a_year_ahead() {
        let u = user("Анна", "anna@school.example", Role::Student);
        let c = course("Курс", CourseStatus::Published);
        let s = ScheduleSources {
            lessons: [-31, -29, 364, 366]
                .into_iter()
                .map(|d| lesson(&c, &format!("День {d}"), Some(t0() + days(d))))
                .collect(),
            courses: vec![c],
            ..ScheduleSources::default()
        };
        let mut schedules = MockScheduleStore::new();
        let id = u.id;
        schedules
            .expect_schedule_sources()
            .withf(move |i| *i == id)
            .returning(move |_| Ok(s.clone()));
        let events = service(schedules, MockUserStore::new())
            .feed(&u)
            .await
            .unwrap();
        let titles: Vec<_> = events.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, vec!["День -29", "День 364"]);
    }

    #[test]
    fn students_see_no_assignment_before_it_opens_and_staff_do() {
        let mut s = sources();
        let owner = actor(Role::Teacher);
        s.courses[0].owner_id = owner.user_id;
        s.assignments[0].opens_at = t0() + days(1);
        let (from, to) = wide();
        let deadlines = |viewer: &Actor, now| {
            build_schedule(&s, viewer, now, from, to)
                .into_iter()
                .filter(|e| matches!(e.source, EventSource::Deadline { .. }))
                .count()
        };
        let student = actor(Role::Student);
        assert_eq!(deadlines(&student, t0()), 0, "unopened: not even its title");
        assert_eq!(deadlines(&owner, t0()), 1, "staff plan ahead");
        assert_eq!(
            deadlines(&student, t0() + days(1)),
            1,
            "shown once it opens"
        );
    }

    #[tokio::test]
    async fn feeds_carry_no_host_links_and_no_unopened_work() {
        let owner = user("Анна", "anna@school.example", Role::Teacher);
        let mut c = course("Курс", CourseStatus::Published);
        c.owner_id = owner.id;
        let mut later = assignment(&c, "Откроется потом", t0() + days(9), 10.0);
        later.opens_at = t0() + days(2);
        let s = ScheduleSources {
            webinars: vec![webinar(&c, "Разбор", t0() + days(5), 90)],
            assignments: vec![later],
            courses: vec![c],
            ..ScheduleSources::default()
        };
        let host_link = s.webinars[0].host_url.clone().expect("a host link");
        let mut schedules = MockScheduleStore::new();
        schedules
            .expect_schedule_sources()
            .returning(move |_| Ok(s.clone()));
        let svc = service(schedules, MockUserStore::new());
        let ics = svc
            .feed_ical(&owner, "https://lms.school.ru")
            .await
            .unwrap();
        assert!(ics.contains("BEGIN:VEVENT\r\n"), "{ics}");
        assert!(
            !ics.replace("\r\n ", "").contains(&host_link),
            "no host link: {ics}"
        );
        let stamp = t0().format("DTSTAMP:%Y%m%dT%H%M%SZ\r\n").to_string();
        assert!(ics.contains(&stamp), "stamped by the clock: {ics}");
        let events = svc.feed(&owner).await.unwrap();
        let webinar = events
            .iter()
            .find(|e| matches!(e.source, EventSource::Webinar { .. }))
            .expect("the webinar is in the owner's feed");
        assert!(
            matches!(&webinar.source, EventSource::Webinar { host_url: None, join_url, .. } if !join_url.is_empty()),
            "{webinar:?}"
        );
        let mut student = user("Ира", "ira@school.example", Role::Student);
        student.id = UserId::new();
        let events = svc.feed(&student).await.unwrap();
        assert!(
            events
                .iter()
                .all(|e| !matches!(e.source, EventSource::Deadline { .. })),
            "{events:?}"
        );
    }
}
