//! Dashboard views and the pure functions that build them from storage
//! snapshots: a student's progress, homework statuses, deadlines, grades and
//! webinars; a teacher's queue, course statistics and webinars.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::achievement::{Achievement, CourseProgress};
use crate::course::{Course, CourseStatus, Title};
use crate::dashboard::items::ItemStatistics;
use crate::dashboard::next::{NextStep, next_steps};
use crate::dashboard::ports::{StaffCourseData, StaffSnapshot, StudentCourseData, StudentSnapshot};
use crate::homework::{
    Assignment, HomeworkStatus, PendingSubmission, Submission, SubmissionState, effective_deadline,
    homework_status,
};
use crate::ids::{AssignmentId, CourseId, QuizId, SubmissionId, UserId, WebinarId};
use crate::quiz::{Attempt, AttemptResult, AttemptState, Quiz};
use crate::score::Points;
use crate::webinar::{Webinar, WebinarState};

/// How many upcoming deadlines a student dashboard shows.
pub const UPCOMING_DEADLINES_LIMIT: usize = 10;
/// How many recent grades a student dashboard shows.
pub const RECENT_GRADES_LIMIT: usize = 10;

/// A student's progress in one course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseProgressView {
    /// The course.
    pub course_id: CourseId,
    /// Course title.
    pub title: Title,
    /// Whether the course is published or archived.
    pub status: CourseStatus,
    /// The counts progress is computed from.
    pub progress: CourseProgress,
    /// Overall progress, 0..=100.
    pub percent: u8,
    /// Mean of the student's quiz percentages (each quiz scored by its
    /// scoring policy), rounded to hundredths; `None` before any finished quiz.
    pub quiz_average_percent: Option<f64>,
}

/// One assignment as its student sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HomeworkItem {
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// The course.
    pub course_id: CourseId,
    /// Course title.
    pub course_title: Title,
    /// Assignment title.
    pub title: Title,
    /// The student's due date (their extension applied).
    pub due_at: DateTime<Utc>,
    /// The student's cut-off, if any (their extension applied).
    pub cut_off_at: Option<DateTime<Utc>>,
    /// Status.
    pub status: HomeworkStatus,
    /// Whether the version that counts (the graded one, else the latest)
    /// was handed in after the due date.
    pub late: bool,
    /// The score that counts, once graded.
    pub final_score: Option<Points>,
    /// The most points the assignment gives.
    pub max_score: Points,
    /// The student's hand-in, once there is one.
    #[serde(default)]
    pub submission_id: Option<SubmissionId>,
}

/// A graded homework, for "recent grades".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeItem {
    /// The submission.
    pub submission_id: SubmissionId,
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// The course.
    pub course_id: CourseId,
    /// Course title.
    pub course_title: Title,
    /// Assignment title.
    pub title: Title,
    /// The score that counts (late penalty applied).
    pub final_score: Points,
    /// The most points the assignment gives.
    pub max_score: Points,
    /// `final_score` as a percentage of `max_score`, rounded to hundredths.
    pub percent: f64,
    /// Share of the raw score kept after the late penalty.
    pub kept_percent: u8,
    /// When graded.
    pub graded_at: DateTime<Utc>,
}

/// A student's result in one quiz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuizResultItem {
    /// The quiz.
    pub quiz_id: QuizId,
    /// The course.
    pub course_id: CourseId,
    /// Course title.
    pub course_title: Title,
    /// Quiz title.
    pub title: Title,
    /// The score, by the quiz's scoring policy; `None` before a finished attempt.
    pub score: Option<QuizScore>,
    /// Finished attempts.
    pub attempts_finished: u32,
}

/// A webinar in a dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebinarItem {
    /// The webinar.
    pub webinar_id: WebinarId,
    /// The course.
    pub course_id: CourseId,
    /// Course title.
    pub course_title: Title,
    /// Webinar title.
    pub title: Title,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Link to join.
    pub join_url: String,
    /// Host link: staff only, always `None` for students.
    pub host_url: Option<String>,
}

/// An announcement on a student's dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnnouncementItem {
    /// Course title.
    pub course_title: Title,
    /// The announcement.
    pub announcement: crate::announcement::Announcement,
}

/// How many announcements a student dashboard shows.
pub const RECENT_ANNOUNCEMENTS_LIMIT: usize = 5;

/// Everything on a student's dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StudentDashboard {
    /// Progress per course, by course title.
    pub courses: Vec<CourseProgressView>,
    /// Every published assignment, by the student's due date.
    pub homework: Vec<HomeworkItem>,
    /// Work still to hand in (not submitted, or returned for rework) whose
    /// due date is after now, soonest first, at most
    /// [`UPCOMING_DEADLINES_LIMIT`].
    pub upcoming_deadlines: Vec<HomeworkItem>,
    /// Quiz results, per published quiz.
    pub quiz_results: Vec<QuizResultItem>,
    /// Webinars not yet over, soonest first.
    pub upcoming_webinars: Vec<WebinarItem>,
    /// The latest graded homework, newest first, at most [`RECENT_GRADES_LIMIT`].
    pub recent_grades: Vec<GradeItem>,
    /// Badges, as stored (oldest first).
    pub achievements: Vec<Achievement>,
    /// What to do next, most urgent first (see [`next_steps`]).
    pub next_steps: Vec<NextStep>,
    /// The latest announcements of the student's courses meant for them,
    /// newest first, at most [`RECENT_ANNOUNCEMENTS_LIMIT`].
    #[serde(default)]
    pub announcements: Vec<AnnouncementItem>,
}

/// A submission waiting for a grade, in a teacher's queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueItem {
    /// The submission.
    pub submission_id: SubmissionId,
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// Assignment title, when the assignment is in the snapshot.
    pub assignment_title: Option<Title>,
    /// The course.
    pub course_id: CourseId,
    /// Course title, when the course is in the snapshot.
    pub course_title: Option<Title>,
    /// The student.
    pub student_id: UserId,
    /// The student's display name.
    pub student_name: String,
    /// State (submitted or submitted late).
    pub state: SubmissionState,
    /// Number of the version waiting.
    pub version: u32,
    /// When that version was handed in.
    pub submitted_at: DateTime<Utc>,
    /// Whether it was late.
    pub late: bool,
}

/// Statistics of one course for its staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseStatistics {
    /// The course.
    pub course_id: CourseId,
    /// Course title.
    pub title: Title,
    /// Enrolled students.
    pub student_count: u32,
    /// Published assignments whose due date has passed.
    pub assignments_due: u32,
    /// Submissions waiting for a grade.
    pub pending_count: u32,
    /// Hand-ins to assignments already due divided by
    /// `students × assignments already due`, `0.0..=1.0` rounded to 4
    /// decimals; `None` when nothing is due yet or nobody is enrolled.
    pub submission_rate: Option<f64>,
    /// Mean percentage of graded homework (final scores), rounded to
    /// hundredths; `None` before the first grade.
    pub average_homework_percent: Option<f64>,
    /// Mean percentage over (student, quiz) pairs with a finished attempt,
    /// each scored by the quiz's policy, rounded to hundredths; `None` without any.
    pub average_quiz_percent: Option<f64>,
    /// Share of hand-ins whose first version was late, `0.0..=1.0` rounded
    /// to 4 decimals; `None` without hand-ins.
    pub late_share: Option<f64>,
    /// Per published assignment and quiz, in the gradebook's column order:
    /// filled by `GET /courses/{id}/statistics`
    /// ([`DashboardService::course_statistics`](crate::dashboard::DashboardService::course_statistics)),
    /// empty in the staff dashboard's per-course summaries.
    #[serde(default)]
    pub items: Vec<ItemStatistics>,
}

/// Everything on a teacher's or assistant's dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffDashboard {
    /// Submissions to check, oldest hand-in first.
    pub queue: Vec<QueueItem>,
    /// Statistics per course, by course title.
    pub courses: Vec<CourseStatistics>,
    /// Webinars not yet over, soonest first (with host links).
    pub upcoming_webinars: Vec<WebinarItem>,
}

/// A quiz score with the maximum it is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuizScore {
    /// Points by the quiz's scoring policy.
    pub score: Points,
    /// Points available (from the latest finished attempt).
    pub max_score: Points,
    /// `score` as a percentage of `max_score`, rounded to hundredths.
    pub percent: f64,
    /// Whether an essay of a counted attempt still waits for a teacher.
    pub pending_manual: bool,
}

/// Whether an attempt is finished and has a result.
fn is_finished(attempt: &Attempt) -> bool {
    attempt.state != AttemptState::Open && attempt.result.is_some()
}

/// A student's score in a quiz from their attempts (the caller passes one
/// student's; attempts at other quizzes and unfinished ones are ignored),
/// combined by the quiz's scoring policy in attempt order. `None` without a
/// finished attempt.
#[must_use]
pub fn quiz_score<'a>(
    quiz: &Quiz,
    attempts: impl IntoIterator<Item = &'a Attempt>,
) -> Option<QuizScore> {
    let mut mine: Vec<&Attempt> = attempts
        .into_iter()
        .filter(|a| a.quiz_id == quiz.id && is_finished(a))
        .collect();
    mine.sort_by_key(|a| (a.number, a.started_at));
    let results: Vec<&AttemptResult> = mine.iter().filter_map(|a| a.result.as_ref()).collect();
    let score = quiz.settings.scoring.combine(&results)?;
    let max_score = results.last()?.max_score;
    Some(QuizScore {
        score,
        max_score,
        percent: score.percent_of(max_score),
        pending_manual: results.iter().any(|r| r.pending_manual),
    })
}

/// Each student's score in a quiz, from everyone's attempts, by student id.
#[must_use]
pub fn quiz_scores_by_student<'a>(
    quiz: &Quiz,
    attempts: impl IntoIterator<Item = &'a Attempt>,
) -> HashMap<UserId, QuizScore> {
    let mut by_student: HashMap<UserId, Vec<&Attempt>> = HashMap::new();
    for a in attempts.into_iter().filter(|a| a.quiz_id == quiz.id) {
        by_student.entry(a.student_id).or_default().push(a);
    }
    by_student
        .into_iter()
        .filter_map(|(s, list)| quiz_score(quiz, list).map(|score| (s, score)))
        .collect()
}

pub(crate) fn round_to(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// Mean of the values rounded to hundredths; `None` for no values.
pub(crate) fn mean2(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(round_to(
            values.iter().sum::<f64>() / values.len() as f64,
            2,
        ))
    }
}

/// `part / whole` rounded to 4 decimals, capped at 1; `None` when `whole` is 0.
pub(crate) fn share(part: usize, whole: usize) -> Option<f64> {
    if whole == 0 {
        None
    } else {
        Some(round_to((part as f64 / whole as f64).min(1.0), 4))
    }
}

fn webinar_item(w: &Webinar, course_title: &Title, with_host: bool) -> WebinarItem {
    WebinarItem {
        webinar_id: w.id,
        course_id: w.course_id,
        course_title: course_title.clone(),
        title: w.title.clone(),
        starts_at: w.starts_at,
        ends_at: w.ends_at(),
        join_url: w.join_url.clone(),
        host_url: if with_host { w.host_url.clone() } else { None },
    }
}

/// Scheduled webinars of known courses not over at `now`, soonest first.
fn upcoming_webinars<'a>(
    webinars: &[Webinar],
    courses: impl IntoIterator<Item = &'a Course>,
    now: DateTime<Utc>,
    with_host: bool,
) -> Vec<WebinarItem> {
    let titles: HashMap<CourseId, &Title> = courses.into_iter().map(|c| (c.id, &c.title)).collect();
    let mut items: Vec<WebinarItem> = webinars
        .iter()
        .filter(|w| w.state == WebinarState::Scheduled && w.ends_at() > now)
        .filter_map(|w| {
            titles
                .get(&w.course_id)
                .map(|t| webinar_item(w, t, with_host))
        })
        .collect();
    items.sort_by(|a, b| {
        (a.starts_at, a.title.as_str(), a.webinar_id).cmp(&(
            b.starts_at,
            b.title.as_str(),
            b.webinar_id,
        ))
    });
    items
}

/// The late flag of the version that counts: the graded one, else the latest.
fn counted_version_late(submission: &Submission) -> bool {
    let graded = submission
        .grade
        .as_ref()
        .and_then(|g| submission.versions.iter().find(|v| v.number == g.version));
    graded
        .or_else(|| submission.latest())
        .is_some_and(|v| v.late)
}

/// What one course contributes to a student's dashboard.
pub(crate) struct StudentCourseParts {
    pub(crate) view: CourseProgressView,
    pub(crate) homework: Vec<HomeworkItem>,
    pub(crate) grades: Vec<GradeItem>,
    pub(crate) quizzes: Vec<QuizResultItem>,
}

pub(crate) fn student_course(data: &StudentCourseData, now: DateTime<Utc>) -> StudentCourseParts {
    let course = &data.course;
    let assignments: Vec<&Assignment> = data
        .assignments
        .iter()
        .filter(|a| a.published && a.course_id == course.id)
        .collect();
    let quizzes: Vec<&Quiz> = data
        .quizzes
        .iter()
        .filter(|q| q.published && q.course_id == course.id)
        .collect();

    let mut homework = Vec::with_capacity(assignments.len());
    let mut grades = Vec::new();
    for a in &assignments {
        let extension = data.extensions.iter().find(|e| e.assignment_id == a.id);
        let submission = data.submissions.iter().find(|s| s.assignment_id == a.id);
        let deadline = effective_deadline(a, extension);
        if a.opens_at > now {
            // Not open yet: students do not see it (it still counts in progress).
            continue;
        }
        homework.push(HomeworkItem {
            assignment_id: a.id,
            course_id: course.id,
            course_title: course.title.clone(),
            title: a.title.clone(),
            due_at: deadline.due_at,
            cut_off_at: deadline.cut_off_at,
            status: homework_status(deadline, submission, now),
            late: submission.is_some_and(counted_version_late),
            final_score: submission
                .and_then(|s| s.grade.as_ref())
                .map(|g| g.final_score),
            max_score: a.max_score,
            submission_id: submission.map(|s| s.id),
        });
        if let Some((s, g)) = submission.and_then(|s| s.grade.as_ref().map(|g| (s, g))) {
            grades.push(GradeItem {
                submission_id: s.id,
                assignment_id: a.id,
                course_id: course.id,
                course_title: course.title.clone(),
                title: a.title.clone(),
                final_score: g.final_score,
                max_score: a.max_score,
                percent: g.final_score.percent_of(a.max_score),
                kept_percent: g.kept_percent,
                graded_at: g.graded_at,
            });
        }
    }

    let mut quiz_results = Vec::with_capacity(quizzes.len());
    for q in &quizzes {
        let score = quiz_score(q, &data.attempts);
        let attempts_finished = data
            .attempts
            .iter()
            .filter(|a| a.quiz_id == q.id && is_finished(a))
            .count();
        quiz_results.push(QuizResultItem {
            quiz_id: q.id,
            course_id: course.id,
            course_title: course.title.clone(),
            title: q.title.clone(),
            score,
            attempts_finished: u32::try_from(attempts_finished).unwrap_or(u32::MAX),
        });
    }

    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let progress = CourseProgress {
        lessons_total: data.lessons_visible,
        lessons_viewed: data.lessons_viewed.min(data.lessons_visible),
        assignments_total: count(assignments.len()),
        assignments_done: count(
            homework
                .iter()
                .filter(|h| h.status == HomeworkStatus::Graded)
                .count(),
        ),
        quizzes_total: count(quizzes.len()),
        quizzes_done: count(quiz_results.iter().filter(|r| r.score.is_some()).count()),
    };
    let quiz_percents: Vec<f64> = quiz_results
        .iter()
        .filter_map(|r| r.score.map(|s| s.percent))
        .collect();
    StudentCourseParts {
        view: CourseProgressView {
            course_id: course.id,
            title: course.title.clone(),
            status: course.status,
            percent: progress.percent(),
            progress,
            quiz_average_percent: mean2(&quiz_percents),
        },
        homework,
        grades,
        quizzes: quiz_results,
    }
}

/// Builds a student's dashboard from their snapshot at `now`.
///
/// The snapshot holds only the student's own extensions, submissions and
/// attempts (see [`StudentSnapshot`]); draft courses and unpublished
/// assignments and quizzes are skipped here too, should an adapter let them
/// through.
#[must_use]
pub fn build_student_dashboard(snapshot: &StudentSnapshot, now: DateTime<Utc>) -> StudentDashboard {
    let visible: Vec<&StudentCourseData> = snapshot
        .courses
        .iter()
        .filter(|c| c.course.status != CourseStatus::Draft)
        .collect();

    let mut courses = Vec::with_capacity(visible.len());
    let mut homework = Vec::new();
    let mut grades = Vec::new();
    let mut quiz_results = Vec::new();
    for data in &visible {
        let parts = student_course(data, now);
        courses.push(parts.view);
        homework.extend(parts.homework);
        grades.extend(parts.grades);
        quiz_results.extend(parts.quizzes);
    }
    courses.sort_by(|a, b| (a.title.as_str(), a.course_id).cmp(&(b.title.as_str(), b.course_id)));
    homework.sort_by(|a, b| {
        (a.due_at, a.title.as_str(), a.assignment_id).cmp(&(
            b.due_at,
            b.title.as_str(),
            b.assignment_id,
        ))
    });
    quiz_results.sort_by(|a, b| {
        (a.course_title.as_str(), a.title.as_str(), a.quiz_id).cmp(&(
            b.course_title.as_str(),
            b.title.as_str(),
            b.quiz_id,
        ))
    });
    grades.sort_by(|a, b| (b.graded_at, a.submission_id).cmp(&(a.graded_at, b.submission_id)));
    grades.truncate(RECENT_GRADES_LIMIT);

    let upcoming_deadlines: Vec<HomeworkItem> = homework
        .iter()
        .filter(|h| {
            matches!(
                h.status,
                HomeworkStatus::NotSubmitted | HomeworkStatus::ReturnedForRework
            ) && h.due_at > now
        })
        .take(UPCOMING_DEADLINES_LIMIT)
        .cloned()
        .collect();

    let webinars = upcoming_webinars(
        &snapshot.webinars,
        visible.iter().map(|c| &c.course),
        now,
        false,
    );
    let next_steps = next_steps(snapshot, &homework, &webinars, &courses, now);
    let mut announcements: Vec<AnnouncementItem> = visible
        .iter()
        .flat_map(|c| {
            c.announcements.iter().map(|a| AnnouncementItem {
                course_title: c.course.title.clone(),
                announcement: a.clone(),
            })
        })
        .collect();
    announcements.sort_by(|a, b| {
        (b.announcement.created_at, b.announcement.id)
            .cmp(&(a.announcement.created_at, a.announcement.id))
    });
    announcements.truncate(RECENT_ANNOUNCEMENTS_LIMIT);
    StudentDashboard {
        announcements,
        courses,
        homework,
        upcoming_deadlines,
        quiz_results,
        upcoming_webinars: webinars,
        recent_grades: grades,
        achievements: snapshot.achievements.clone(),
        next_steps,
    }
}

/// Whether a hand-in's first version came after the due date.
pub(crate) fn first_late(s: &Submission) -> bool {
    s.versions.first().is_some_and(|v| v.late)
}

/// Whether a hand-in waits for a grade.
pub(crate) fn waiting(s: &Submission) -> bool {
    matches!(
        s.state,
        SubmissionState::Submitted | SubmissionState::SubmittedLate
    )
}

/// Statistics of one course at `now`.
///
/// Only published assignments count. "Already due" uses the assignment's
/// due date (extensions are per student and do not move the course's
/// schedule). Hand-ins count once per student and assignment.
#[must_use]
pub fn course_statistics(data: &StaffCourseData, now: DateTime<Utc>) -> CourseStatistics {
    let published: HashMap<AssignmentId, &Assignment> = data
        .assignments
        .iter()
        .filter(|a| a.published && a.course_id == data.course.id)
        .map(|a| (a.id, a))
        .collect();
    let due: HashSet<AssignmentId> = published
        .values()
        .filter(|a| a.due_at <= now)
        .map(|a| a.id)
        .collect();

    // One hand-in per (student, assignment), to published assignments only.
    let mut seen = HashSet::new();
    let handed_in: Vec<&Submission> = data
        .submissions
        .iter()
        .filter(|s| published.contains_key(&s.assignment_id) && !s.versions.is_empty())
        .filter(|s| seen.insert((s.student_id, s.assignment_id)))
        .collect();

    let handed_in_due = handed_in
        .iter()
        .filter(|s| due.contains(&s.assignment_id))
        .count();
    let expected = (data.student_count as usize).saturating_mul(due.len());
    let late_first = handed_in.iter().filter(|s| first_late(s)).count();
    let pending = handed_in.iter().filter(|s| waiting(s)).count();
    let homework_percents: Vec<f64> = handed_in
        .iter()
        .filter_map(|s| {
            let grade = s.grade.as_ref()?;
            let max = published.get(&s.assignment_id)?.max_score;
            Some(grade.final_score.percent_of(max))
        })
        .collect();

    let mut quiz_percents = Vec::new();
    for quiz in data
        .quizzes
        .iter()
        .filter(|q| q.course_id == data.course.id)
    {
        quiz_percents.extend(
            quiz_scores_by_student(quiz, &data.attempts)
                .into_values()
                .map(|s| s.percent),
        );
    }

    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    CourseStatistics {
        course_id: data.course.id,
        title: data.course.title.clone(),
        student_count: data.student_count,
        assignments_due: count(due.len()),
        pending_count: count(pending),
        submission_rate: share(handed_in_due, expected),
        average_homework_percent: mean2(&homework_percents),
        average_quiz_percent: mean2(&quiz_percents),
        late_share: share(late_first, handed_in.len()),
        items: Vec::new(),
    }
}

fn queue_item(p: &PendingSubmission, snapshot: &StaffSnapshot) -> QueueItem {
    let course = snapshot.courses.iter().find(|c| c.course.id == p.course_id);
    let assignment = course.and_then(|c| c.assignments.iter().find(|a| a.id == p.assignment_id));
    let latest = p.submission.latest();
    QueueItem {
        submission_id: p.submission.id,
        assignment_id: p.assignment_id,
        assignment_title: assignment.map(|a| a.title.clone()),
        course_id: p.course_id,
        course_title: course.map(|c| c.course.title.clone()),
        student_id: p.submission.student_id,
        student_name: p.student_name.clone(),
        state: p.submission.state,
        version: latest.map_or(0, |v| v.number),
        submitted_at: latest.map_or(p.submission.updated_at, |v| v.submitted_at),
        late: latest.is_some_and(|v| v.late),
    }
}

/// Builds a teacher's or assistant's dashboard from their snapshot at `now`.
#[must_use]
pub fn build_staff_dashboard(snapshot: &StaffSnapshot, now: DateTime<Utc>) -> StaffDashboard {
    let mut queue: Vec<QueueItem> = snapshot
        .queue
        .iter()
        .filter(|p| {
            matches!(
                p.submission.state,
                SubmissionState::Submitted | SubmissionState::SubmittedLate
            )
        })
        .map(|p| queue_item(p, snapshot))
        .collect();
    queue.sort_by_key(|q| (q.submitted_at, q.submission_id));

    let mut courses: Vec<CourseStatistics> = snapshot
        .courses
        .iter()
        .map(|c| course_statistics(c, now))
        .collect();
    courses.sort_by(|a, b| (a.title.as_str(), a.course_id).cmp(&(b.title.as_str(), b.course_id)));

    StaffDashboard {
        queue,
        courses,
        upcoming_webinars: upcoming_webinars(
            &snapshot.webinars,
            snapshot.courses.iter().map(|c| &c.course),
            now,
            true,
        ),
    }
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests;
