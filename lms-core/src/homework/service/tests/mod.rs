//! Tests of the homework service.

use super::*;
use crate::dashboard::StudentCourseData;
use crate::quiz::AttemptState;
use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{Duration, TimeZone};
use mockall::predicate::eq;
use proptest::prelude::*;

use crate::clock::ManualClock;
use crate::course::{CourseMembership, MockCourseStore};
use crate::dashboard::{MockDashboardStore, StudentSnapshot};
use crate::error::{DomainError, ErrorClass};
use crate::file::{FileName, FileOwner, MockFileRegistry};
use crate::homework::{MockHomeworkStore, SubmissionHead};
use crate::ids::{AttemptId, FileId, QuizId};
use crate::notification::{Channel, DedupKey, MockNotificationStore, NotificationPreferences};
use crate::quiz::{Attempt, Quiz, QuizSettings};

// --- fixtures ----------------------------------------------------------

/// "Now" for every test.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap()
}

fn actor(role: Role) -> Actor {
    Actor {
        user_id: UserId::new(),
        role,
    }
}

fn pts(v: f64) -> Points {
    Points::new(v).unwrap()
}

/// One course with a cast of users around it.
#[derive(Clone)]
struct World {
    course: Course,
    owner: Actor,
    assistant: Actor,
    /// Assistant of another course (no role here).
    other_assistant: Actor,
    /// Teacher who does not own this course.
    other_teacher: Actor,
    student: Actor,
    /// Another student enrolled in the course.
    classmate: Actor,
    /// A student not enrolled in the course.
    stranger: Actor,
    admin: Actor,
    assignments: Vec<Assignment>,
    submissions: Vec<Submission>,
}

impl World {
    fn new(status: CourseStatus) -> Self {
        let owner = actor(Role::Teacher);
        Self {
            course: Course {
                id: CourseId::new(),
                title: Title::parse("Алгебра").unwrap(),
                description: RichText::default(),
                owner_id: owner.user_id,
                status,
                invite_code: None,
                cover: None,
                created_at: t0() - Duration::days(30),
            },
            owner,
            assistant: actor(Role::Assistant),
            other_assistant: actor(Role::Assistant),
            other_teacher: actor(Role::Teacher),
            student: actor(Role::Student),
            classmate: actor(Role::Student),
            stranger: actor(Role::Student),
            admin: actor(Role::Admin),
            assignments: Vec::new(),
            submissions: Vec::new(),
        }
    }

    fn role(&self, user: UserId) -> Option<CourseRole> {
        if user == self.owner.user_id {
            Some(CourseRole::Owner)
        } else if user == self.assistant.user_id {
            Some(CourseRole::Assistant)
        } else if user == self.student.user_id || user == self.classmate.user_id {
            Some(CourseRole::Student)
        } else {
            None
        }
    }

    /// A published text assignment: open for a week, due tomorrow.
    fn assignment(&self) -> Assignment {
        Assignment {
            id: AssignmentId::new(),
            course_id: self.course.id,
            title: Title::parse("ДЗ 1").unwrap(),
            instructions: RichText::sanitize("<p>Решите задачи</p>"),
            attachments: vec![],
            opens_at: t0() - Duration::days(7),
            due_at: t0() + Duration::days(1),
            cut_off_at: None,
            max_score: pts(10.0),
            late_policy: LatePolicy::NoPenalty,
            submission_kind: SubmissionKind::Text,
            file_limits: FileLimits::default(),
            published: true,
            created_at: t0() - Duration::days(8),
        }
    }

    fn add(&mut self, assignment: Assignment) -> Assignment {
        self.assignments.push(assignment.clone());
        assignment
    }

    fn add_submission(&mut self, submission: Submission) -> Submission {
        self.submissions.push(submission.clone());
        submission
    }
}

fn version(
    submission: SubmissionId,
    number: u32,
    at: DateTime<Utc>,
    late: bool,
) -> SubmissionVersion {
    SubmissionVersion {
        id: SubmissionVersionId::new(),
        submission_id: submission,
        number,
        text: Some(RichText::sanitize("<p>ответ</p>")),
        files: vec![],
        submitted_at: at,
        late,
        idempotency_key: None,
    }
}

/// A submission with one version handed in at `at`.
fn submission(
    assignment: AssignmentId,
    student: UserId,
    state: SubmissionState,
    at: DateTime<Utc>,
    late: bool,
) -> Submission {
    let id = SubmissionId::new();
    Submission {
        id,
        assignment_id: assignment,
        student_id: student,
        state,
        versions: vec![version(id, 1, at, late)],
        grade: None,
        rework_feedback: None,
        updated_at: at,
    }
}

fn profile(user: UserId, telegram: bool) -> DeliveryProfile {
    DeliveryProfile {
        user_id: user,
        active: true,
        preferences: NotificationPreferences::defaults(user),
        telegram_linked: telegram,
    }
}

fn file(owner: UserId, name: &str, size: u64) -> FileRef {
    FileRef {
        id: FileId::new(),
        name: FileName::sanitize(name),
        content_type: "application/pdf".into(),
        size,
        storage_key: format!("k/{name}"),
        uploaded_by: owner,
        uploaded_at: t0() - Duration::minutes(5),
    }
}

fn input_from(a: &Assignment) -> AssignmentInput {
    AssignmentInput {
        title: a.title.clone(),
        instructions: a.instructions.clone(),
        attachment_ids: None,
        opens_at: a.opens_at,
        due_at: a.due_at,
        cut_off_at: a.cut_off_at,
        max_score: a.max_score,
        late_policy: a.late_policy,
        submission_kind: a.submission_kind,
        file_limits: a.file_limits.clone(),
        published: a.published,
    }
}

fn text_hand_in(html: &str, key: Option<&str>) -> HandInInput {
    HandInInput {
        text: Some(RichText::sanitize(html)),
        file_ids: vec![],
        idempotency_key: key.map(str::to_owned),
    }
}

/// What an adapter would return for a stored hand-in.
fn stored(h: &HandIn, existing: Option<&Submission>) -> Submission {
    let mut s = existing.cloned().unwrap_or(Submission {
        id: h.new_submission_id,
        assignment_id: h.assignment_id,
        student_id: h.student_id,
        state: h.state,
        versions: vec![],
        grade: None,
        rework_feedback: None,
        updated_at: h.version.submitted_at,
    });
    s.state = h.state;
    s.versions.push(h.version.clone());
    s
}

/// What an adapter would return for a stored review.
fn reviewed(s: &Submission, r: &Review) -> Submission {
    Submission {
        state: r.state,
        grade: r.grade.clone(),
        rework_feedback: r.rework_feedback.clone(),
        ..s.clone()
    }
}

fn shared<T>() -> Arc<Mutex<Vec<T>>> {
    Arc::new(Mutex::new(Vec::new()))
}

fn only<T: Clone>(seen: &Arc<Mutex<Vec<T>>>) -> T {
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "expected exactly one call");
    seen[0].clone()
}

/// The mocks; lookups of the world's course, memberships, assignments
/// and submissions are wired by `build`, everything else must be
/// expected by the test (an unexpected call panics).
struct Mocks {
    hw: MockHomeworkStore,
    courses: MockCourseStore,
    files: MockFileRegistry,
    notes: MockNotificationStore,
    dash: MockDashboardStore,
}

impl Mocks {
    fn new() -> Self {
        Self {
            hw: MockHomeworkStore::new(),
            courses: MockCourseStore::new(),
            files: MockFileRegistry::new(),
            notes: MockNotificationStore::new(),
            dash: MockDashboardStore::new(),
        }
    }

    fn build(mut self, w: &World) -> HomeworkService {
        let course = w.course.clone();
        self.courses
            .expect_get_course()
            .returning(move |id| Ok((id == course.id).then(|| course.clone())));
        let world = w.clone();
        self.courses.expect_course_for().returning(move |c, u| {
            Ok((c == world.course.id).then(|| (world.course.clone(), world.role(u))))
        });
        let world = w.clone();
        self.courses
            .expect_membership()
            .returning(move |c, u| Ok((c == world.course.id).then(|| world.role(u)).flatten()));
        let assignments = w.assignments.clone();
        self.hw
            .expect_get_assignment()
            .returning(move |id| Ok(assignments.iter().find(|a| a.id == id).cloned()));
        let submissions = w.submissions.clone();
        self.hw
            .expect_get_submission()
            .returning(move |id| Ok(submissions.iter().find(|s| s.id == id).cloned()));
        HomeworkService::new(
            Arc::new(self.hw),
            Arc::new(self.courses),
            Arc::new(crate::group::no_groups()),
            Arc::new(crate::homework::MockCommentStore::new()),
            Arc::new(self.files),
            Arc::new(self.notes),
            Arc::new(self.dash),
            Arc::new(ManualClock::new(t0())),
        )
    }
}

fn bare(w: &World) -> HomeworkService {
    Mocks::new().build(w)
}

mod assignment_attachments;
mod create_assignment;
mod extensions;
mod get_assignment_list_assignments;
mod grade;
mod grading_queue;
mod hand_in;
mod pure_helpers;
mod reading_submissions;
mod return_for_rework;
mod update_assignment;
#[allow(unused_imports)]
use {
    assignment_attachments::*, create_assignment::*, extensions::*,
    get_assignment_list_assignments::*, grade::*, grading_queue::*, hand_in::*, pure_helpers::*,
    reading_submissions::*, return_for_rework::*, update_assignment::*,
};
