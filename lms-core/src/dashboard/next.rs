//! "What to do next": the short list at the top of a student's dashboard,
//! built from the same snapshot as the rest of it. Work the teacher sent
//! back comes first, then overdue work still accepted, then what is due,
//! closes or starts soon (by time), then open quizzes without a closing
//! date, then courses with lessons not yet read, then later deadlines and
//! closings (by time).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::course::{CourseStatus, Title};
use crate::dashboard::model::{CourseProgressView, HomeworkItem, WebinarItem};
use crate::dashboard::ports::StudentSnapshot;
use crate::homework::HomeworkStatus;
use crate::ids::{AssignmentId, CourseId, QuizId, WebinarId};
use crate::quiz::AttemptState;

/// How many steps the list holds.
pub const NEXT_STEPS_LIMIT: usize = 8;
/// How far ahead a deadline or a quiz's closing counts as "soon".
pub const NEXT_STEPS_HORIZON_DAYS: i64 = 7;
/// How far ahead a webinar's start counts as "soon".
pub const NEXT_WEBINAR_HORIZON_HOURS: i64 = 24;

/// What a step asks the student to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NextStepKind {
    /// Hand in a new version the teacher asked for.
    Rework,
    /// Hand in work whose due date has passed but which is still accepted.
    Overdue,
    /// Hand in work due soon.
    Deadline,
    /// Take (or finish) a quiz that is open now.
    Quiz,
    /// Join a webinar that starts soon or is running.
    Webinar,
    /// Go on reading a course's lessons.
    Lessons,
}

/// One thing to do, with what the UI needs to link to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextStep {
    /// What to do.
    pub kind: NextStepKind,
    /// The course.
    pub course_id: CourseId,
    /// Course title.
    pub course_title: Title,
    /// The assignment's, quiz's or webinar's title; the course title for
    /// [`NextStepKind::Lessons`].
    pub title: Title,
    /// The due date (the student's extension applied), the quiz's closing,
    /// the webinar's start; `None` when there is none.
    pub at: Option<DateTime<Utc>>,
    /// The assignment, for rework, overdue and deadline steps.
    pub assignment_id: Option<AssignmentId>,
    /// The quiz, for quiz steps.
    pub quiz_id: Option<QuizId>,
    /// The webinar, for webinar steps.
    pub webinar_id: Option<WebinarId>,
    /// Whether an attempt at the quiz is already running (finish it).
    pub in_progress: bool,
    /// For lessons: lessons read and lessons visible.
    pub lessons: Option<(u32, u32)>,
}

impl NextStep {
    fn new(kind: NextStepKind, course_id: CourseId, course_title: &Title, title: &Title) -> Self {
        Self {
            kind,
            course_id,
            course_title: course_title.clone(),
            title: title.clone(),
            at: None,
            assignment_id: None,
            quiz_id: None,
            webinar_id: None,
            in_progress: false,
            lessons: None,
        }
    }

    fn homework(kind: NextStepKind, h: &HomeworkItem) -> Self {
        Self {
            at: Some(h.due_at),
            assignment_id: Some(h.assignment_id),
            ..Self::new(kind, h.course_id, &h.course_title, &h.title)
        }
    }
}

/// Sorts by time (steps without one last), then title.
fn by_time(steps: &mut [NextStep]) {
    steps.sort_by(|a, b| {
        (a.at.is_none(), a.at, a.title.as_str()).cmp(&(b.at.is_none(), b.at, b.title.as_str()))
    });
}

/// The student's next steps at `now`, at most [`NEXT_STEPS_LIMIT`], from
/// their snapshot and the dashboard parts already built from it (homework
/// with extensions applied, upcoming webinars, course progress).
#[must_use]
pub fn next_steps(
    snapshot: &StudentSnapshot,
    homework: &[HomeworkItem],
    webinars: &[WebinarItem],
    courses: &[CourseProgressView],
    now: DateTime<Utc>,
) -> Vec<NextStep> {
    let horizon = now + Duration::days(NEXT_STEPS_HORIZON_DAYS);
    let mut rework = Vec::new();
    let mut overdue = Vec::new();
    let mut soon = Vec::new();
    let mut open_ended = Vec::new();
    let mut later = Vec::new();
    for h in homework {
        match h.status {
            HomeworkStatus::ReturnedForRework => {
                rework.push(NextStep::homework(NextStepKind::Rework, h));
            }
            HomeworkStatus::NotSubmitted if h.due_at <= now => {
                overdue.push(NextStep::homework(NextStepKind::Overdue, h));
            }
            HomeworkStatus::NotSubmitted if h.due_at <= horizon => {
                soon.push(NextStep::homework(NextStepKind::Deadline, h));
            }
            HomeworkStatus::NotSubmitted => {
                later.push(NextStep::homework(NextStepKind::Deadline, h));
            }
            _ => {}
        }
    }

    for data in snapshot
        .courses
        .iter()
        .filter(|c| c.course.status != CourseStatus::Draft)
    {
        let course = &data.course;
        for q in data
            .quizzes
            .iter()
            .filter(|q| q.published && q.course_id == course.id)
        {
            let opened = q.settings.opens_at.is_none_or(|o| o <= now);
            let open = opened && q.settings.closes_at.is_none_or(|c| c > now);
            if !open {
                continue;
            }
            let mine = data.attempts.iter().filter(|a| a.quiz_id == q.id);
            let running = mine.clone().any(|a| a.state == AttemptState::Open);
            let finished = mine.clone().any(|a| a.state != AttemptState::Open);
            if finished && !running {
                continue;
            }
            let step = NextStep {
                at: q.settings.closes_at,
                quiz_id: Some(q.id),
                in_progress: running,
                ..NextStep::new(NextStepKind::Quiz, course.id, &course.title, &q.title)
            };
            match step.at {
                Some(at) if at <= horizon || running => soon.push(step),
                Some(_) => later.push(step),
                None => open_ended.push(step),
            }
        }
    }

    let webinar_horizon = now + Duration::hours(NEXT_WEBINAR_HORIZON_HOURS);
    for w in webinars.iter().filter(|w| w.starts_at <= webinar_horizon) {
        soon.push(NextStep {
            at: Some(w.starts_at),
            webinar_id: Some(w.webinar_id),
            ..NextStep::new(
                NextStepKind::Webinar,
                w.course_id,
                &w.course_title,
                &w.title,
            )
        });
    }

    let mut lessons: Vec<NextStep> = courses
        .iter()
        .filter(|c| c.progress.lessons_viewed < c.progress.lessons_total)
        .map(|c| NextStep {
            lessons: Some((c.progress.lessons_viewed, c.progress.lessons_total)),
            ..NextStep::new(NextStepKind::Lessons, c.course_id, &c.title, &c.title)
        })
        .collect();
    lessons.sort_by(|a, b| a.title.as_str().cmp(b.title.as_str()));

    by_time(&mut rework);
    by_time(&mut overdue);
    by_time(&mut soon);
    by_time(&mut open_ended);
    by_time(&mut later);
    rework
        .into_iter()
        .chain(overdue)
        .chain(soon)
        .chain(open_ended)
        .chain(lessons)
        .chain(later)
        .take(NEXT_STEPS_LIMIT)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::model::build_student_dashboard;
    use crate::dashboard::model::fixtures::*;
    use crate::homework::SubmissionState;
    use crate::ids::UserId;
    use crate::quiz::ScoringPolicy;

    #[test]
    fn rework_then_overdue_then_soon_by_time_then_open_quizzes_then_lessons() {
        let now = t0();
        let me = UserId::new();
        let c = course("Алгебра", CourseStatus::Published);
        let mut d = course_data(c.clone());
        d.lessons_visible = 5;
        d.lessons_viewed = 2;
        let back = assignment(&c, "Вернули", now + days(5), 10.0);
        let late = assignment(&c, "Просрочено", now - days(1), 10.0);
        let soon = assignment(&c, "Скоро", now + days(2), 10.0);
        let far = assignment(&c, "Не скоро", now + days(30), 10.0);
        let done = assignment(&c, "Сдано", now + days(1), 10.0);
        d.assignments = vec![back.clone(), late.clone(), soon.clone(), far, done.clone()];
        d.submissions = vec![
            submission(
                &back,
                me,
                &[(now - days(1), false)],
                SubmissionState::ReturnedForRework,
            ),
            submission(
                &done,
                me,
                &[(now - days(1), false)],
                SubmissionState::Submitted,
            ),
        ];
        let mut closing = quiz(&c, "Закрывается", ScoringPolicy::Best);
        closing.settings.closes_at = Some(now + days(1));
        let open = quiz(&c, "Без срока", ScoringPolicy::Best);
        let taken = quiz(&c, "Пройден", ScoringPolicy::Best);
        let mut running = quiz(&c, "Начат", ScoringPolicy::Best);
        running.settings.closes_at = Some(now + days(20));
        let mut future = quiz(&c, "Позже", ScoringPolicy::Best);
        future.settings.opens_at = Some(now + days(1));
        d.quizzes = vec![
            closing.clone(),
            open.clone(),
            taken.clone(),
            running.clone(),
            future,
        ];
        d.attempts = vec![
            attempt(&taken, me, 1, 3.0, 4.0),
            open_attempt(&running, me, 1),
        ];
        let mut snap = student_snapshot(vec![d]);
        let w = webinar(&c, "Разбор", now + Duration::hours(3), 60);
        let tomorrow = webinar(&c, "Потом", now + days(3), 60);
        snap.webinars = vec![w.clone(), tomorrow];

        let dash = build_student_dashboard(&snap, now);
        let steps: Vec<(NextStepKind, &str)> = dash
            .next_steps
            .iter()
            .map(|s| (s.kind, s.title.as_str()))
            .collect();
        assert_eq!(
            steps,
            [
                (NextStepKind::Rework, "Вернули"),
                (NextStepKind::Overdue, "Просрочено"),
                (NextStepKind::Webinar, "Разбор"),
                (NextStepKind::Quiz, "Закрывается"),
                (NextStepKind::Deadline, "Скоро"),
                (NextStepKind::Quiz, "Начат"),
                (NextStepKind::Quiz, "Без срока"),
                (NextStepKind::Lessons, "Алгебра"),
            ]
        );
        let s = &dash.next_steps;
        assert_eq!(s[0].assignment_id, Some(back.id));
        assert_eq!(s[2].webinar_id, Some(w.id));
        assert_eq!(s[3].quiz_id, Some(closing.id));
        assert_eq!(s[3].at, closing.settings.closes_at);
        assert!(s[5].in_progress, "a running attempt is named as such");
        assert_eq!(s[7].lessons, Some((2, 5)));
    }

    #[test]
    fn later_deadlines_and_closings_follow_the_lessons() {
        let now = t0();
        let c = course("История", CourseStatus::Published);
        let mut d = course_data(c.clone());
        d.lessons_visible = 3;
        let mut far = assignment(&c, "Реферат", now + days(40), 10.0);
        far.opens_at = now - days(1);
        let mut exam = quiz(&c, "Экзамен", ScoringPolicy::Best);
        exam.settings.closes_at = Some(now + days(20));
        d.assignments = vec![far.clone()];
        d.quizzes = vec![exam.clone()];
        let dash = build_student_dashboard(&student_snapshot(vec![d]), now);
        let steps: Vec<(NextStepKind, &str)> = dash
            .next_steps
            .iter()
            .map(|s| (s.kind, s.title.as_str()))
            .collect();
        assert_eq!(
            steps,
            [
                (NextStepKind::Lessons, "История"),
                (NextStepKind::Quiz, "Экзамен"),
                (NextStepKind::Deadline, "Реферат"),
            ]
        );
    }

    #[test]
    fn the_list_is_bounded_and_skips_draft_courses() {
        let now = t0();
        let c = course("Много", CourseStatus::Published);
        let mut d = course_data(c.clone());
        d.assignments = (0..20)
            .map(|i| assignment(&c, &format!("ДЗ {i:02}"), now + Duration::hours(i + 1), 5.0))
            .collect();
        let draft = course("Черновик", CourseStatus::Draft);
        let mut hidden = course_data(draft.clone());
        hidden.quizzes = vec![quiz(&draft, "Скрыт", ScoringPolicy::Best)];
        let dash = build_student_dashboard(&student_snapshot(vec![d, hidden]), now);
        assert_eq!(dash.next_steps.len(), NEXT_STEPS_LIMIT);
        assert_eq!(dash.next_steps[0].title.as_str(), "ДЗ 00");
        assert!(dash.next_steps.iter().all(|s| s.course_id == c.id));
    }
}
