//! Builders of domain values shared by the tests of dashboards, schedules
//! and gradebooks.

use chrono::{DateTime, Duration, TimeZone as _, Utc};

use crate::course::{Course, CourseStatus, Lesson, Title};
use crate::file::FileLimits;
use crate::homework::{
    Assignment, Extension, Grade, LatePolicy, Submission, SubmissionKind, SubmissionState,
    SubmissionVersion,
};
use crate::ids::{
    AssignmentId, AttemptId, CourseId, LessonId, QuizId, SubmissionId, SubmissionVersionId, UserId,
    WebinarId,
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
        cover: None,
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
        drawn: Vec::new(),
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

pub fn webinar(course: &Course, title: &str, starts_at: DateTime<Utc>, minutes: u32) -> Webinar {
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

/// A course's staff snapshot with `students` enrolled and nothing else.
pub fn staff_data(course: Course, students: u32) -> crate::dashboard::ports::StaffCourseData {
    crate::dashboard::ports::StaffCourseData {
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

/// A student's data of one course with nothing in it.
pub fn course_data(course: Course) -> crate::dashboard::ports::StudentCourseData {
    crate::dashboard::ports::StudentCourseData {
        course,
        lessons_visible: 0,
        lessons_viewed: 0,
        assignments: vec![],
        extensions: vec![],
        submissions: vec![],
        quizzes: vec![],
        attempts: vec![],
        announcements: vec![],
        last_activity: None,
    }
}

/// A student's snapshot of these courses, without webinars or badges.
pub fn student_snapshot(
    courses: Vec<crate::dashboard::ports::StudentCourseData>,
) -> crate::dashboard::ports::StudentSnapshot {
    crate::dashboard::ports::StudentSnapshot {
        courses,
        webinars: vec![],
        achievements: vec![],
    }
}
