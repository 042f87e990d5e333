//! Dashboard views and the pure functions that build them from storage
//! snapshots: a student's progress, homework statuses, deadlines, grades and
//! webinars; a teacher's queue, course statistics and webinars.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::achievement::{Achievement, CourseProgress};
use crate::course::{Course, CourseStatus, Title};
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

fn round_to(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// Mean of the values rounded to hundredths; `None` for no values.
fn mean2(values: &[f64]) -> Option<f64> {
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
fn share(part: usize, whole: usize) -> Option<f64> {
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
struct StudentCourseParts {
    view: CourseProgressView,
    homework: Vec<HomeworkItem>,
    grades: Vec<GradeItem>,
    quizzes: Vec<QuizResultItem>,
}

fn student_course(data: &StudentCourseData, now: DateTime<Utc>) -> StudentCourseParts {
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

    StudentDashboard {
        courses,
        homework,
        upcoming_deadlines,
        quiz_results,
        upcoming_webinars: upcoming_webinars(
            &snapshot.webinars,
            visible.iter().map(|c| &c.course),
            now,
            false,
        ),
        recent_grades: grades,
        achievements: snapshot.achievements.clone(),
    }
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
    let late_first = handed_in
        .iter()
        .filter(|s| s.versions.first().is_some_and(|v| v.late))
        .count();
    let pending = handed_in
        .iter()
        .filter(|s| {
            matches!(
                s.state,
                SubmissionState::Submitted | SubmissionState::SubmittedLate
            )
        })
        .count();
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

/// Builders of domain values shared by the tests of dashboards, schedules
/// and gradebooks.
#[cfg(test)]
pub(crate) mod fixtures {
    use chrono::{DateTime, Duration, TimeZone as _, Utc};

    use crate::course::{Course, CourseStatus, Lesson, Title};
    use crate::file::FileLimits;
    use crate::homework::{
        Assignment, Extension, Grade, LatePolicy, Submission, SubmissionKind, SubmissionState,
        SubmissionVersion,
    };
    use crate::ids::{
        AssignmentId, AttemptId, CourseId, LessonId, QuizId, SubmissionId, SubmissionVersionId,
        UserId, WebinarId,
    };
    use crate::quiz::{Attempt, AttemptResult, AttemptState, Quiz, QuizSettings, ScoringPolicy};
    use crate::richtext::RichText;
    use crate::score::Points;
    use crate::user::{DisplayName, Email, Locale, Role, TimeZone, User};
    use crate::webinar::{ProviderKind, Webinar, WebinarState};

    /// The reference instant of the tests.
    pub fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    pub fn days(n: i64) -> Duration {
        Duration::days(n)
    }

    pub fn pts(v: f64) -> Points {
        Points::new(v).unwrap()
    }

    pub fn course(title: &str, status: CourseStatus) -> Course {
        Course {
            id: CourseId::new(),
            title: Title::parse(title).unwrap(),
            description: RichText::default(),
            owner_id: UserId::new(),
            status,
            invite_code: None,
            created_at: t0() - days(60),
        }
    }

    pub fn lesson(course: &Course, title: &str, publish_at: Option<DateTime<Utc>>) -> Lesson {
        Lesson {
            id: LessonId::new(),
            course_id: course.id,
            title: Title::parse(title).unwrap(),
            body: RichText::default(),
            position: 0,
            publish_at,
            published: true,
            attachments: vec![],
            created_at: t0() - days(30),
        }
    }

    /// A published assignment without cut-off or late penalty.
    pub fn assignment(course: &Course, title: &str, due_at: DateTime<Utc>, max: f64) -> Assignment {
        Assignment {
            id: AssignmentId::new(),
            course_id: course.id,
            title: Title::parse(title).unwrap(),
            instructions: RichText::default(),
            attachments: vec![],
            opens_at: due_at - days(7),
            due_at,
            cut_off_at: None,
            max_score: pts(max),
            late_policy: LatePolicy::NoPenalty,
            submission_kind: SubmissionKind::Text,
            file_limits: FileLimits::default(),
            published: true,
            created_at: due_at - days(8),
        }
    }

    pub fn extension(
        a: &Assignment,
        student: UserId,
        due_at: DateTime<Utc>,
        cut_off_at: Option<DateTime<Utc>>,
    ) -> Extension {
        Extension {
            assignment_id: a.id,
            student_id: student,
            due_at,
            cut_off_at,
            granted_by: UserId::new(),
            granted_at: t0() - days(1),
        }
    }

    /// A submission with versions handed in at the given instants (late flags given).
    pub fn submission(
        a: &Assignment,
        student: UserId,
        versions: &[(DateTime<Utc>, bool)],
        state: SubmissionState,
    ) -> Submission {
        let id = SubmissionId::new();
        let versions: Vec<SubmissionVersion> = versions
            .iter()
            .zip(1..)
            .map(|((at, late), number)| SubmissionVersion {
                id: SubmissionVersionId::new(),
                submission_id: id,
                number,
                text: None,
                files: vec![],
                submitted_at: *at,
                late: *late,
                idempotency_key: None,
            })
            .collect();
        let updated_at = versions.last().map_or(t0(), |v| v.submitted_at);
        Submission {
            id,
            assignment_id: a.id,
            student_id: student,
            state,
            versions,
            grade: None,
            rework_feedback: None,
            updated_at,
        }
    }

    /// A graded single-version submission.
    pub fn graded(
        a: &Assignment,
        student: UserId,
        late: bool,
        final_score: f64,
        graded_at: DateTime<Utc>,
    ) -> Submission {
        let mut s = submission(
            a,
            student,
            &[(graded_at - days(1), late)],
            SubmissionState::Graded,
        );
        s.grade = Some(Grade {
            raw_score: pts(final_score),
            kept_percent: 100,
            final_score: pts(final_score),
            feedback: RichText::default(),
            graded_by: UserId::new(),
            graded_at,
            version: 1,
        });
        s.updated_at = graded_at;
        s
    }

    pub fn quiz(course: &Course, title: &str, scoring: ScoringPolicy) -> Quiz {
        Quiz {
            id: QuizId::new(),
            course_id: course.id,
            title: Title::parse(title).unwrap(),
            description: RichText::default(),
            settings: QuizSettings {
                scoring,
                attempts_allowed: None,
                ..QuizSettings::default()
            },
            published: true,
            created_at: t0() - days(20),
        }
    }

    /// A submitted attempt with this score out of `max`.
    pub fn attempt(quiz: &Quiz, student: UserId, number: u32, score: f64, max: f64) -> Attempt {
        let started_at = t0() - days(10) + Duration::hours(i64::from(number));
        Attempt {
            id: AttemptId::new(),
            quiz_id: quiz.id,
            student_id: student,
            number,
            seed: 7,
            question_order: vec![],
            started_at,
            deadline: None,
            state: AttemptState::Submitted,
            answers: Default::default(),
            saved_at: None,
            finished_at: Some(started_at + Duration::minutes(20)),
            result: Some(AttemptResult {
                per_question: Default::default(),
                score: pts(score),
                max_score: pts(max),
                pending_manual: false,
            }),
            submit_key: None,
        }
    }

    /// An attempt still in progress.
    pub fn open_attempt(quiz: &Quiz, student: UserId, number: u32) -> Attempt {
        let mut a = attempt(quiz, student, number, 0.0, 10.0);
        a.state = AttemptState::Open;
        a.finished_at = None;
        a.result = None;
        a
    }

    pub fn webinar(
        course: &Course,
        title: &str,
        starts_at: DateTime<Utc>,
        minutes: u32,
    ) -> Webinar {
        Webinar {
            id: WebinarId::new(),
            course_id: course.id,
            title: Title::parse(title).unwrap(),
            starts_at,
            duration_minutes: minutes,
            provider: ProviderKind::ExternalLink,
            conference_id: None,
            join_url: "https://meet.example/join".into(),
            host_url: Some("https://meet.example/host".into()),
            state: WebinarState::Scheduled,
            created_by: UserId::new(),
            created_at: t0() - days(3),
        }
    }

    pub fn user(name: &str, email: &str, role: Role) -> User {
        User {
            id: UserId::new(),
            email: Email::parse(email).unwrap(),
            display_name: DisplayName::parse(name).unwrap(),
            role,
            locale: Locale::Ru,
            time_zone: TimeZone::parse("Asia/Yekaterinburg").unwrap(),
            active: true,
            created_at: t0() - days(100),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::achievement::Badge;
    use crate::homework::SubmissionVersion;
    use crate::quiz::ScoringPolicy;
    use chrono::Duration;
    use proptest::prelude::*;

    fn course_data(course: Course) -> StudentCourseData {
        StudentCourseData {
            course,
            lessons_visible: 0,
            lessons_viewed: 0,
            assignments: vec![],
            extensions: vec![],
            submissions: vec![],
            quizzes: vec![],
            attempts: vec![],
        }
    }

    fn student_snapshot(courses: Vec<StudentCourseData>) -> StudentSnapshot {
        StudentSnapshot {
            courses,
            webinars: vec![],
            achievements: vec![],
        }
    }

    fn item<'a>(d: &'a StudentDashboard, a: &Assignment) -> &'a HomeworkItem {
        d.homework
            .iter()
            .find(|h| h.assignment_id == a.id)
            .expect("assignment on the dashboard")
    }

    #[test]
    fn homework_statuses_apply_extensions_cut_offs_and_lateness() {
        let me = UserId::new();
        let now = t0();
        let c = course("Алгебра", CourseStatus::Published);
        let mut missing = assignment(&c, "Пропущено", now - days(3), 10.0);
        missing.cut_off_at = Some(now - days(1));
        let overdue = assignment(&c, "Просрочено", now - days(2), 10.0);
        let extended = assignment(&c, "Продлено", now - days(2), 10.0);
        let mut cut_off_later = assignment(&c, "Ещё можно сдать", now - days(1), 10.0);
        cut_off_later.cut_off_at = Some(now + days(1));
        let late = assignment(&c, "Поздно", now - days(3), 10.0);
        let graded_late = assignment(&c, "Оценено", now - days(5), 20.0);
        let returned = assignment(&c, "На доработке", now + days(2), 10.0);
        let on_time = assignment(&c, "Вовремя", now + days(1), 10.0);
        let mut draft = assignment(&c, "Черновик", now + days(1), 10.0);
        draft.published = false;

        let mut graded_sub = graded(&graded_late, me, true, 13.5, now - days(1));
        // A later on-time version exists but the graded one (version 1) was late.
        graded_sub.versions.push(SubmissionVersion {
            number: 2,
            late: false,
            ..graded_sub.versions[0].clone()
        });

        let mut data = course_data(c.clone());
        data.assignments = vec![
            missing.clone(),
            overdue.clone(),
            extended.clone(),
            cut_off_later.clone(),
            late.clone(),
            graded_late.clone(),
            returned.clone(),
            on_time.clone(),
            draft.clone(),
        ];
        data.extensions = vec![extension(&extended, me, now + days(3), None)];
        data.submissions = vec![
            submission(
                &late,
                me,
                &[(now - days(2), true)],
                SubmissionState::SubmittedLate,
            ),
            graded_sub,
            submission(
                &returned,
                me,
                &[(now - days(1), false)],
                SubmissionState::ReturnedForRework,
            ),
            submission(
                &on_time,
                me,
                &[(now - Duration::hours(1), false)],
                SubmissionState::Submitted,
            ),
        ];
        let d = build_student_dashboard(&student_snapshot(vec![data]), now);

        assert_eq!(d.homework.len(), 8, "drafts are not shown");
        assert!(d.homework.iter().all(|h| h.assignment_id != draft.id));
        assert_eq!(
            item(&d, &missing).status,
            HomeworkStatus::Missing,
            "past the cut-off"
        );
        // Past the due date without a cut-off: still accepted, so not
        // missing; its due date tells the UI it is overdue.
        let o = item(&d, &overdue);
        assert_eq!(o.status, HomeworkStatus::NotSubmitted);
        assert!(o.due_at < now && o.cut_off_at.is_none());
        let ext = item(&d, &extended);
        assert_eq!(ext.status, HomeworkStatus::NotSubmitted);
        assert_eq!(ext.due_at, now + days(3), "the student's own due date");
        let cut = item(&d, &cut_off_later);
        assert_eq!(cut.status, HomeworkStatus::NotSubmitted);
        assert_eq!(cut.cut_off_at, Some(now + days(1)));
        let l = item(&d, &late);
        assert_eq!(
            (l.status, l.late, l.final_score),
            (HomeworkStatus::SubmittedLate, true, None)
        );
        let g = item(&d, &graded_late);
        assert_eq!(g.status, HomeworkStatus::Graded);
        assert_eq!(g.final_score, Some(pts(13.5)));
        assert_eq!(g.max_score, pts(20.0));
        assert!(g.late, "the graded version counts, not the newer one");
        assert_eq!(
            item(&d, &returned).status,
            HomeworkStatus::ReturnedForRework
        );
        let o = item(&d, &on_time);
        assert_eq!((o.status, o.late), (HomeworkStatus::Submitted, false));
        assert_eq!(o.course_title.as_str(), "Алгебра");

        // By the student's due date.
        let dues: Vec<_> = d.homework.iter().map(|h| h.due_at).collect();
        let mut sorted = dues.clone();
        sorted.sort();
        assert_eq!(dues, sorted);

        // Upcoming: still to hand in and due after now, soonest first (the
        // overdue one is not upcoming).
        let upcoming: Vec<_> = d
            .upcoming_deadlines
            .iter()
            .map(|h| h.assignment_id)
            .collect();
        assert_eq!(upcoming, vec![returned.id, extended.id]);

        // Progress counts graded work only.
        assert_eq!(d.courses[0].progress.assignments_total, 8);
        assert_eq!(d.courses[0].progress.assignments_done, 1);
        assert_eq!(d.recent_grades.len(), 1);
        assert_eq!(d.recent_grades[0].percent, 67.5);
    }

    #[test]
    fn assignments_not_open_yet_are_not_listed() {
        let now = t0();
        let c = course("Физика", CourseStatus::Published);
        let mut data = course_data(c.clone());
        let open = assignment(&c, "Открыто", now + days(1), 5.0);
        let mut later = assignment(&c, "Позже", now + days(9), 5.0);
        later.opens_at = now + Duration::hours(1);
        data.assignments = vec![open.clone(), later];
        let d = build_student_dashboard(&student_snapshot(vec![data]), now);
        let listed: Vec<_> = d.homework.iter().map(|h| h.assignment_id).collect();
        assert_eq!(listed, [open.id], "only opened assignments reach students");
        assert!(
            d.upcoming_deadlines
                .iter()
                .all(|h| h.assignment_id == open.id)
        );
    }

    #[test]
    fn upcoming_deadlines_are_capped_and_soonest_first() {
        let now = t0();
        let c = course("Физика", CourseStatus::Published);
        let mut data = course_data(c.clone());
        // 12 future ones in scrambled order, one exactly now (not after now).
        for i in [7, 3, 11, 1, 9, 5, 12, 2, 8, 4, 10, 6] {
            data.assignments.push(assignment(
                &c,
                &format!("ДЗ {i:02}"),
                now + Duration::hours(i),
                5.0,
            ));
        }
        data.assignments.push(assignment(&c, "Сейчас", now, 5.0));
        let d = build_student_dashboard(&student_snapshot(vec![data]), now);
        assert_eq!(d.upcoming_deadlines.len(), UPCOMING_DEADLINES_LIMIT);
        let titles: Vec<_> = d
            .upcoming_deadlines
            .iter()
            .map(|h| h.title.as_str().to_owned())
            .collect();
        let expected: Vec<_> = (1..=10).map(|i| format!("ДЗ {i:02}")).collect();
        assert_eq!(titles, expected);
    }

    #[test]
    fn recent_grades_are_the_latest_ten_newest_first() {
        let me = UserId::new();
        let now = t0();
        let c = course("Химия", CourseStatus::Archived);
        let mut data = course_data(c.clone());
        for i in 0..12 {
            let a = assignment(&c, &format!("Работа {i}"), now - days(30), 3.0);
            data.submissions
                .push(graded(&a, me, false, 1.0, now - days(20) + days(i)));
            data.assignments.push(a);
        }
        let d = build_student_dashboard(&student_snapshot(vec![data]), now);
        assert_eq!(d.recent_grades.len(), RECENT_GRADES_LIMIT);
        let at: Vec<_> = d.recent_grades.iter().map(|g| g.graded_at).collect();
        let expected: Vec<_> = (2..12).rev().map(|i| now - days(20) + days(i)).collect();
        assert_eq!(at, expected);
        assert_eq!(
            d.recent_grades[0].percent, 33.33,
            "1 of 3 rounds to hundredths"
        );
        assert_eq!(d.courses[0].status, CourseStatus::Archived);
    }

    #[test]
    fn quiz_scores_follow_each_scoring_policy() {
        let c = course("Тесты", CourseStatus::Published);
        let me = UserId::new();
        let other = UserId::new();
        let expected = [
            (ScoringPolicy::Best, 8.0),
            (ScoringPolicy::Last, 5.0),
            (ScoringPolicy::First, 2.0),
            (ScoringPolicy::Average, 5.0),
        ];
        for (policy, want) in expected {
            let q = quiz(&c, "Тест", policy);
            let another = quiz(&c, "Другой", policy);
            // Given out of order: the attempt number decides first/last.
            let attempts = vec![
                attempt(&q, me, 3, 5.0, 10.0),
                attempt(&q, me, 1, 2.0, 10.0),
                attempt(&q, me, 2, 8.0, 10.0),
                open_attempt(&q, me, 4),
                attempt(&another, me, 1, 10.0, 10.0),
            ];
            let s = quiz_score(&q, &attempts).unwrap();
            assert_eq!(s.score, pts(want), "{policy:?}");
            assert_eq!(s.max_score, pts(10.0));
            assert_eq!(s.percent, want * 10.0);
            assert!(!s.pending_manual);

            let mut everyone = attempts.clone();
            everyone.push(attempt(&q, other, 1, 1.0, 10.0));
            let by = quiz_scores_by_student(&q, &everyone);
            assert_eq!(by.len(), 2);
            assert_eq!(by[&me].score, pts(want));
            assert_eq!(by[&other].score, pts(1.0));
        }
        let q = quiz(&c, "Пусто", ScoringPolicy::Best);
        assert_eq!(quiz_score(&q, &[open_attempt(&q, me, 1)]), None);
        assert_eq!(quiz_score(&q, &[]), None);
        let mut essay = attempt(&q, me, 1, 3.0, 4.0);
        essay.result.as_mut().unwrap().pending_manual = true;
        assert!(quiz_score(&q, &[essay]).unwrap().pending_manual);
    }

    #[test]
    fn progress_and_quiz_average_per_course() {
        let me = UserId::new();
        let now = t0();
        let c = course("История", CourseStatus::Published);
        let a1 = assignment(&c, "Эссе", now - days(3), 10.0);
        let a2 = assignment(&c, "Таблица", now + days(3), 10.0);
        let q1 = quiz(&c, "Тест 1", ScoringPolicy::Best);
        let q2 = quiz(&c, "Тест 2", ScoringPolicy::Last);
        let q3 = quiz(&c, "Тест 3", ScoringPolicy::Best);
        let mut hidden = quiz(&c, "Скрытый", ScoringPolicy::Best);
        hidden.published = false;
        let mut data = course_data(c.clone());
        data.lessons_visible = 4;
        data.lessons_viewed = 2;
        data.assignments = vec![a1.clone(), a2];
        data.submissions = vec![graded(&a1, me, false, 9.0, now - days(1))];
        data.quizzes = vec![q1.clone(), q2.clone(), q3.clone(), hidden.clone()];
        data.attempts = vec![
            attempt(&q1, me, 1, 1.0, 3.0),
            attempt(&q2, me, 1, 7.0, 7.0),
            attempt(&q2, me, 2, 1.0, 7.0),
            open_attempt(&q3, me, 1),
            attempt(&hidden, me, 1, 0.0, 5.0),
        ];
        let d = build_student_dashboard(&student_snapshot(vec![data]), now);
        let view = &d.courses[0];
        assert_eq!(
            view.progress,
            CourseProgress {
                lessons_total: 4,
                lessons_viewed: 2,
                assignments_total: 2,
                assignments_done: 1,
                quizzes_total: 3,
                quizzes_done: 2,
            }
        );
        assert_eq!(view.percent, 55, "5 of 9 items, rounded down");
        // 1/3 → 33.33 %, last of quiz 2 → 1/7 → 14.29 %; mean 23.81 %.
        assert_eq!(view.quiz_average_percent, Some(23.81));
        assert_eq!(d.quiz_results.len(), 3, "unpublished quizzes are hidden");
        let r2 = d.quiz_results.iter().find(|r| r.quiz_id == q2.id).unwrap();
        assert_eq!(r2.attempts_finished, 2);
        assert_eq!(r2.score.unwrap().score, pts(1.0));
        let r3 = d.quiz_results.iter().find(|r| r.quiz_id == q3.id).unwrap();
        assert_eq!((r3.score, r3.attempts_finished), (None, 0));
    }

    #[test]
    fn viewed_lessons_never_exceed_visible_ones() {
        let mut data = course_data(course("Курс", CourseStatus::Published));
        data.lessons_visible = 2;
        data.lessons_viewed = 5;
        let d = build_student_dashboard(&student_snapshot(vec![data]), t0());
        assert_eq!(d.courses[0].progress.lessons_viewed, 2);
        assert_eq!(d.courses[0].percent, 100);
    }

    #[test]
    fn empty_snapshots_and_empty_courses_build_without_division_by_zero() {
        let d = build_student_dashboard(&student_snapshot(vec![]), t0());
        assert!(d.courses.is_empty() && d.homework.is_empty() && d.upcoming_webinars.is_empty());

        let d = build_student_dashboard(
            &student_snapshot(vec![course_data(course("Пустой", CourseStatus::Published))]),
            t0(),
        );
        assert_eq!(d.courses.len(), 1);
        assert_eq!(d.courses[0].percent, 0);
        assert_eq!(d.courses[0].quiz_average_percent, None);

        let empty = StaffSnapshot {
            courses: vec![],
            queue: vec![],
            webinars: vec![],
        };
        let s = build_staff_dashboard(&empty, t0());
        assert!(s.courses.is_empty() && s.queue.is_empty());
    }

    #[test]
    fn draft_courses_and_their_webinars_are_hidden_from_students() {
        let now = t0();
        let draft = course("Черновик", CourseStatus::Draft);
        let open = course("Открытый", CourseStatus::Published);
        let mut d_data = course_data(draft.clone());
        d_data
            .assignments
            .push(assignment(&draft, "Секрет", now + days(1), 1.0));
        let mut snap = student_snapshot(vec![d_data, course_data(open.clone())]);
        snap.webinars = vec![
            webinar(&draft, "Секретный", now + days(1), 60),
            webinar(&open, "Открытый", now + days(1), 60),
        ];
        snap.achievements = vec![Achievement::new(
            UserId::new(),
            Badge::FirstHomework,
            open.id,
            now,
        )];
        let d = build_student_dashboard(&snap, now);
        assert_eq!(d.courses.len(), 1);
        assert_eq!(d.courses[0].course_id, open.id);
        assert!(d.homework.is_empty());
        assert_eq!(d.upcoming_webinars.len(), 1);
        assert_eq!(d.upcoming_webinars[0].title.as_str(), "Открытый");
        assert_eq!(d.achievements, snap.achievements);
    }

    #[test]
    fn student_webinars_are_upcoming_scheduled_soonest_first_without_host_links() {
        let now = t0();
        let c = course("Биология", CourseStatus::Published);
        let unknown = course("Чужой", CourseStatus::Published);
        let later = webinar(&c, "Позже", now + days(2), 90);
        let running = webinar(&c, "Идёт", now - Duration::minutes(30), 60);
        let over = webinar(&c, "Прошёл", now - Duration::hours(2), 60);
        let ends_now = webinar(&c, "Кончается", now - Duration::hours(1), 60);
        let mut cancelled = webinar(&c, "Отменён", now + days(1), 60);
        cancelled.state = WebinarState::Cancelled;
        let foreign = webinar(&unknown, "Чужой", now + days(1), 60);
        let mut snap = student_snapshot(vec![course_data(c.clone())]);
        snap.webinars = vec![
            later.clone(),
            over,
            cancelled,
            running.clone(),
            foreign,
            ends_now,
        ];
        let d = build_student_dashboard(&snap, now);
        let ids: Vec<_> = d.upcoming_webinars.iter().map(|w| w.webinar_id).collect();
        assert_eq!(ids, vec![running.id, later.id]);
        assert!(d.upcoming_webinars.iter().all(|w| w.host_url.is_none()));
        assert_eq!(
            d.upcoming_webinars[1].ends_at,
            later.starts_at + Duration::minutes(90)
        );
        assert_eq!(d.upcoming_webinars[1].join_url, later.join_url);
    }

    fn staff_data(course: Course, students: u32) -> StaffCourseData {
        StaffCourseData {
            course,
            role: crate::course::CourseRole::Owner,
            student_count: students,
            assignments: vec![],
            submissions: vec![],
            quizzes: vec![],
            attempts: vec![],
            quiz_max_scores: Default::default(),
        }
    }

    #[test]
    fn course_statistics_count_due_hand_ins_grades_quizzes_and_lateness() {
        let now = t0();
        let c = course("Геометрия", CourseStatus::Published);
        let s: Vec<UserId> = (0..4).map(|_| UserId::new()).collect();
        let due1 = assignment(&c, "Прошло 1", now - days(5), 10.0);
        let due2 = assignment(&c, "Прошло 2", now - days(1), 3.0);
        let future = assignment(&c, "Будущее", now + days(5), 10.0);
        let mut draft = assignment(&c, "Черновик", now - days(5), 10.0);
        draft.published = false;
        let q = quiz(&c, "Тест", ScoringPolicy::Best);

        let mut data = staff_data(c.clone(), 4);
        data.assignments = vec![due1.clone(), due2.clone(), future.clone(), draft.clone()];
        data.submissions = vec![
            graded(&due1, s[0], false, 8.0, now - days(2)),
            graded(&due1, s[1], true, 7.0, now - days(2)),
            submission(
                &due1,
                s[2],
                &[(now - days(4), true), (now - days(3), false)],
                SubmissionState::Submitted,
            ),
            graded(&due2, s[0], false, 1.0, now),
            submission(
                &due2,
                s[1],
                &[(now - days(2), false)],
                SubmissionState::SubmittedLate,
            ),
            submission(
                &future,
                s[3],
                &[(now - days(1), false)],
                SubmissionState::ReturnedForRework,
            ),
            // Ignored: a draft's submission and a duplicate row.
            submission(
                &draft,
                s[3],
                &[(now - days(1), true)],
                SubmissionState::Submitted,
            ),
            submission(
                &due2,
                s[1],
                &[(now - days(2), true)],
                SubmissionState::Submitted,
            ),
        ];
        data.quizzes = vec![q.clone()];
        data.attempts = vec![
            attempt(&q, s[0], 1, 2.0, 4.0),
            attempt(&q, s[0], 2, 4.0, 4.0),
            attempt(&q, s[1], 1, 1.0, 4.0),
            open_attempt(&q, s[2], 1),
        ];
        let st = course_statistics(&data, now);
        assert_eq!(st.course_id, c.id);
        assert_eq!(st.student_count, 4);
        assert_eq!(st.assignments_due, 2);
        // 5 hand-ins to due work of 4 × 2 expected.
        assert_eq!(st.submission_rate, Some(0.625));
        // 80 %, 70 %, 33.33 % → mean 61.11 %.
        assert_eq!(st.average_homework_percent, Some(61.11));
        // best of s0: 100 %, s1: 25 % → 62.5 %.
        assert_eq!(st.average_quiz_percent, Some(62.5));
        // First versions late: s1/due1, s2/due1 — of 6 hand-ins.
        assert_eq!(st.late_share, Some(0.3333));
        assert_eq!(st.pending_count, 2);
    }

    #[test]
    fn course_statistics_without_students_or_due_work_have_no_rates() {
        let now = t0();
        let c = course("Новый", CourseStatus::Draft);
        let st = course_statistics(&staff_data(c.clone(), 0), now);
        assert_eq!(
            (
                st.submission_rate,
                st.average_homework_percent,
                st.average_quiz_percent,
                st.late_share
            ),
            (None, None, None, None)
        );
        assert_eq!((st.assignments_due, st.pending_count), (0, 0));

        // Students but nothing due yet.
        let mut data = staff_data(c.clone(), 30);
        data.assignments = vec![assignment(&c, "Позже", now + days(1), 5.0)];
        assert_eq!(course_statistics(&data, now).submission_rate, None);

        // Due work but nobody enrolled (everyone left): no rate, not infinity.
        let a = assignment(&c, "Было", now - days(1), 5.0);
        let mut data = staff_data(c.clone(), 0);
        data.submissions = vec![submission(
            &a,
            UserId::new(),
            &[(now - days(2), false)],
            SubmissionState::Submitted,
        )];
        data.assignments = vec![a];
        let st = course_statistics(&data, now);
        assert_eq!(st.submission_rate, None);
        assert_eq!(st.late_share, Some(0.0));
    }

    #[test]
    fn submission_rate_is_capped_when_former_students_handed_in() {
        let now = t0();
        let c = course("Курс", CourseStatus::Published);
        let a = assignment(&c, "ДЗ", now - days(1), 5.0);
        let mut data = staff_data(c, 1);
        data.submissions = (0..3)
            .map(|_| {
                submission(
                    &a,
                    UserId::new(),
                    &[(now - days(2), false)],
                    SubmissionState::Submitted,
                )
            })
            .collect();
        data.assignments = vec![a];
        assert_eq!(course_statistics(&data, now).submission_rate, Some(1.0));
    }

    #[test]
    fn staff_dashboard_orders_queue_courses_and_webinars() {
        let now = t0();
        let b = course("Б-курс", CourseStatus::Published);
        let a = course("А-курс", CourseStatus::Published);
        let hw = assignment(&b, "Сочинение", now - days(1), 10.0);
        let newer = submission(
            &hw,
            UserId::new(),
            &[(now - Duration::hours(1), false)],
            SubmissionState::Submitted,
        );
        let older = submission(
            &hw,
            UserId::new(),
            &[(now - days(9), false), (now - days(2), true)],
            SubmissionState::SubmittedLate,
        );
        let done = graded(&hw, UserId::new(), false, 5.0, now);
        let pending = |s: &Submission, course: CourseId| PendingSubmission {
            submission: s.clone(),
            assignment_id: s.assignment_id,
            course_id: course,
        };
        let mut b_data = staff_data(b.clone(), 3);
        b_data.assignments = vec![hw.clone()];
        let w = webinar(&a, "Разбор", now + days(1), 45);
        let snap = StaffSnapshot {
            courses: vec![b_data, staff_data(a.clone(), 2)],
            queue: vec![
                pending(&newer, b.id),
                pending(&done, b.id),
                pending(&older, b.id),
            ],
            webinars: vec![w.clone()],
        };
        let d = build_staff_dashboard(&snap, now);
        let queue: Vec<_> = d.queue.iter().map(|q| q.submission_id).collect();
        assert_eq!(
            queue,
            vec![older.id, newer.id],
            "oldest hand-in first, graded dropped"
        );
        let first = &d.queue[0];
        assert_eq!(first.version, 2);
        assert_eq!(first.submitted_at, now - days(2));
        assert!(first.late);
        assert_eq!(first.state, SubmissionState::SubmittedLate);
        assert_eq!(
            first.assignment_title.as_ref().map(Title::as_str),
            Some("Сочинение")
        );
        assert_eq!(
            first.course_title.as_ref().map(Title::as_str),
            Some("Б-курс")
        );
        let titles: Vec<_> = d.courses.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, vec!["А-курс", "Б-курс"]);
        assert_eq!(d.upcoming_webinars.len(), 1);
        assert_eq!(
            d.upcoming_webinars[0].host_url, w.host_url,
            "staff get the host link"
        );
        assert_eq!(d.upcoming_webinars[0].course_title.as_str(), "А-курс");
    }

    proptest! {
        #[test]
        fn statistics_stay_in_range(
            students in 0u32..6,
            subs in proptest::collection::vec((0usize..3, 0usize..8, any::<bool>(), proptest::option::of(0.0f64..=10.0)), 0..30),
            due_offsets in proptest::collection::vec(-5i64..5, 3),
        ) {
            let now = t0();
            let c = course("Курс", CourseStatus::Published);
            let assignments: Vec<_> = due_offsets.iter().map(|d| assignment(&c, "ДЗ", now + days(*d), 10.0)).collect();
            let ids: Vec<UserId> = (0..8).map(|_| UserId::new()).collect();
            let mut data = staff_data(c, students);
            data.submissions = subs.iter().map(|(a, s, late, score)| {
                let mut sub = submission(&assignments[*a], ids[*s], &[(now - days(1), *late)], SubmissionState::Submitted);
                if let Some(v) = score {
                    sub = graded(&assignments[*a], ids[*s], *late, *v, now);
                }
                sub
            }).collect();
            data.assignments = assignments;
            let st = course_statistics(&data, now);
            for rate in [st.submission_rate, st.late_share].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&rate));
            }
            if let Some(p) = st.average_homework_percent {
                prop_assert!((0.0..=100.0).contains(&p));
            }
            prop_assert_eq!(st.late_share.is_none(), subs.is_empty());
            prop_assert_eq!(st.submission_rate.is_none(), students == 0 || st.assignments_due == 0);
        }

        #[test]
        fn upcoming_deadlines_are_a_sorted_bounded_subset(
            items in proptest::collection::vec((-100i64..100, proptest::option::of(0u8..4)), 0..25),
        ) {
            let now = t0();
            let me = UserId::new();
            let c = course("Курс", CourseStatus::Published);
            let mut data = course_data(c.clone());
            for (offset, state) in &items {
                let a = assignment(&c, "ДЗ", now + Duration::hours(*offset), 10.0);
                if let Some(s) = state {
                    let state = [SubmissionState::Submitted, SubmissionState::SubmittedLate, SubmissionState::ReturnedForRework, SubmissionState::Graded][usize::from(*s)];
                    data.submissions.push(submission(&a, me, &[(now - days(1), false)], state));
                }
                data.assignments.push(a);
            }
            let d = build_student_dashboard(&student_snapshot(vec![data]), now);
            prop_assert_eq!(d.homework.len(), items.len());
            prop_assert!(d.upcoming_deadlines.len() <= UPCOMING_DEADLINES_LIMIT);
            let open = d.homework.iter().filter(|h| h.due_at > now && matches!(h.status, HomeworkStatus::NotSubmitted | HomeworkStatus::ReturnedForRework)).count();
            prop_assert_eq!(d.upcoming_deadlines.len(), open.min(UPCOMING_DEADLINES_LIMIT));
            prop_assert!(d.upcoming_deadlines.windows(2).all(|w| w[0].due_at <= w[1].due_at));
            prop_assert!(d.upcoming_deadlines.iter().all(|h| h.due_at > now));
        }
    }
}
