//! The staff view of one student in one course: progress, every homework
//! with its status and grade, quiz results and attempts, late work and the
//! student's last activity.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::course::{CourseAccess, Refusal};
use crate::dashboard::model::student_course;
use crate::dashboard::{CourseProgressView, HomeworkItem, QuizResultItem};
use crate::gradebook::service::{GradebookError, GradebookService};
use crate::group::GroupName;
use crate::ids::{AttemptId, CourseId, GroupId, QuizId, UserId};
use crate::quiz::AttemptState;
use crate::score::Points;
use crate::user::Actor;

/// One quiz attempt in a staff view of a student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptItem {
    /// The attempt.
    pub attempt_id: AttemptId,
    /// The quiz.
    pub quiz_id: QuizId,
    /// Quiz title.
    pub quiz_title: String,
    /// 1, 2, ... per quiz.
    pub number: u32,
    /// Open, submitted or submitted by the server at the deadline.
    pub state: AttemptState,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished, once it did.
    pub finished_at: Option<DateTime<Utc>>,
    /// Points earned (pending essays count 0), once finished.
    pub score: Option<Points>,
    /// Points available, once finished.
    pub max_score: Option<Points>,
    /// Whether an essay still waits for a grade.
    pub pending_manual: bool,
}

/// A student's standing in a course as its staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StudentOverview {
    /// The course.
    pub course_id: CourseId,
    /// The student.
    pub student_id: UserId,
    /// Their display name.
    pub display_name: String,
    /// Their e-mail address.
    pub email: String,
    /// Their group in the course, if any.
    pub group_id: Option<GroupId>,
    /// That group's name.
    pub group_name: Option<GroupName>,
    /// Progress: lessons, homework and quizzes done.
    pub progress: CourseProgressView,
    /// Every published assignment already open, by the student's due date.
    pub homework: Vec<HomeworkItem>,
    /// Published quizzes with the student's score by the scoring policy.
    pub quizzes: Vec<QuizResultItem>,
    /// Every attempt, newest first.
    pub attempts: Vec<AttemptItem>,
    /// Homework handed in after its due date (the version that counts).
    pub late: u32,
    /// Homework whose due date passed without a hand-in.
    pub overdue: u32,
    /// The latest lesson view, hand-in or attempt; `None` before any.
    pub last_activity: Option<DateTime<Utc>>,
}

impl GradebookService {
    /// One enrolled student's standing in a course, for the staff who grade
    /// them (a mentor, their groups' students). Anyone else, or a student
    /// not enrolled, gets `StudentNotFound` (`CourseNotFound` when they
    /// may not know the course).
    pub async fn student_overview(
        &self,
        actor: &Actor,
        course: CourseId,
        student: UserId,
    ) -> Result<StudentOverview, GradebookError> {
        let access = CourseAccess::load(&*self.courses, &*self.groups, actor, course)
            .await?
            .ok_or(GradebookError::CourseNotFound)?;
        if !access.can_grade() {
            return Err(match access.refusal() {
                Refusal::Forbidden => GradebookError::Forbidden,
                Refusal::NotFound => GradebookError::CourseNotFound,
            });
        }
        // The student's group answers both whether the actor grades them
        // (the scope `load` read) and which group the page names.
        let group_id = self.groups.student_group(course, student).await?;
        if !access.covers(group_id) {
            return Err(GradebookError::StudentNotFound);
        }
        let now = self.clock.now();
        let data = self
            .dashboards
            .student_course(course, student, now)
            .await?
            .ok_or(GradebookError::StudentNotFound)?;
        let user = self
            .users
            .get_users(&[student])
            .await?
            .into_iter()
            .next()
            .ok_or(GradebookError::StudentNotFound)?;
        let group_name = match group_id {
            Some(g) => self.groups.get_group(g).await?.map(|g| g.name),
            None => None,
        };
        let parts = student_course(&data, now);
        let mut homework = parts.homework;
        homework.sort_by(|a, b| {
            (a.due_at, a.title.as_str(), a.assignment_id).cmp(&(
                b.due_at,
                b.title.as_str(),
                b.assignment_id,
            ))
        });
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let late = count(homework.iter().filter(|h| h.late).count());
        let overdue = count(
            homework
                .iter()
                .filter(|h| h.submission_id.is_none() && h.due_at < now)
                .count(),
        );
        let mut attempts: Vec<AttemptItem> = data
            .attempts
            .iter()
            .map(|a| AttemptItem {
                attempt_id: a.id,
                quiz_id: a.quiz_id,
                quiz_title: data
                    .quizzes
                    .iter()
                    .find(|q| q.id == a.quiz_id)
                    .map(|q| q.title.as_str().to_owned())
                    .unwrap_or_default(),
                number: a.number,
                state: a.state,
                started_at: a.started_at,
                finished_at: a.finished_at,
                score: a.result.as_ref().map(|r| r.score),
                max_score: a.result.as_ref().map(|r| r.max_score),
                pending_manual: a.result.as_ref().is_some_and(|r| r.pending_manual),
            })
            .collect();
        attempts.sort_by_key(|a| std::cmp::Reverse((a.started_at, a.attempt_id)));
        Ok(StudentOverview {
            course_id: course,
            student_id: student,
            display_name: user.display_name.as_str().to_owned(),
            email: user.email.as_str().to_owned(),
            group_id,
            group_name,
            progress: parts.view,
            homework,
            quizzes: parts.quizzes,
            attempts,
            late,
            overdue,
            last_activity: data.last_activity,
        })
    }
}
