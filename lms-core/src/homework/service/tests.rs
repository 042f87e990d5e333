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
        files: vec![],
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

// --- create_assignment -------------------------------------------------

#[tokio::test]
async fn owner_creates_published_assignment_and_notifies_enrolled_students() {
    let w = World::new(CourseStatus::Published);
    let (s, c) = (w.student.user_id, w.classmate.user_id);
    let mut m = Mocks::new();
    m.courses
        .expect_enrolled_students()
        .with(eq(w.course.id))
        .times(1)
        .returning(move |_| Ok(vec![s, c]));
    m.notes
        .expect_delivery_profiles()
        .withf(move |users| users == [s, c])
        .times(1)
        .returning(move |_| Ok(vec![profile(s, true), profile(c, false)]));
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_insert_assignment()
        .times(1)
        .returning(move |a, o| {
            seen2.lock().unwrap().push((a.clone(), o.to_vec()));
            Ok(())
        });
    let svc = m.build(&w);
    let mut input = input_from(&w.assignment());
    input.due_at = t0() + Duration::days(2);

    let created = svc
        .create_assignment(&w.owner, w.course.id, input.clone())
        .await
        .unwrap();

    assert_eq!(created.course_id, w.course.id);
    assert_eq!(created.created_at, t0());
    assert_eq!(created.due_at, input.due_at);
    assert_eq!(created.title.as_str(), "ДЗ 1");
    assert!(created.published);
    let (stored_assignment, outbox) = only(&seen);
    assert_eq!(stored_assignment, created);
    let event = format!("new_assignment:{}", created.id);
    let sent: Vec<_> = outbox.iter().map(|e| (e.recipient_id, e.channel)).collect();
    assert_eq!(
        sent,
        vec![
            (s, Channel::Email),
            (s, Channel::Telegram),
            (c, Channel::Email)
        ]
    );
    for e in &outbox {
        assert_eq!(
            e.dedup_key,
            DedupKey::new(e.recipient_id, &event, e.channel)
        );
        assert_eq!(
            e.notification,
            Notification::NewAssignment {
                course_id: w.course.id,
                course_title: "Алгебра".into(),
                assignment_id: created.id,
                title: "ДЗ 1".into(),
                due_at: input.due_at,
            }
        );
        assert_eq!(e.created_at, t0());
    }
}

#[tokio::test]
async fn drafts_and_draft_courses_notify_nobody() {
    for (status, published) in [
        (CourseStatus::Published, false),
        (CourseStatus::Draft, true),
    ] {
        let w = World::new(status);
        let mut m = Mocks::new();
        let seen = shared();
        let seen2 = seen.clone();
        m.hw.expect_insert_assignment()
            .times(1)
            .returning(move |a, o| {
                seen2.lock().unwrap().push((a.clone(), o.to_vec()));
                Ok(())
            });
        let svc = m.build(&w);
        let mut input = input_from(&w.assignment());
        input.published = published;
        let created = svc
            .create_assignment(&w.owner, w.course.id, input)
            .await
            .unwrap();
        let (a, outbox) = only(&seen);
        assert_eq!(a, created);
        assert_eq!(a.published, published);
        assert!(outbox.is_empty(), "{status:?} published={published}");
    }
}

#[tokio::test]
async fn only_owner_and_admin_create_assignments() {
    let w = World::new(CourseStatus::Published);
    let input = input_from(&World::new(CourseStatus::Draft).assignment());
    let cases = [
        (&w.student, "forbidden"),
        (&w.stranger, "course_not_found"),
        (&w.assistant, "forbidden"),
        (&w.other_assistant, "course_not_found"),
        (&w.other_teacher, "course_not_found"),
    ];
    for (who, code) in cases {
        // No insert expected: a write would panic the mock.
        let err = bare(&w)
            .create_assignment(who, w.course.id, input.clone())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{:?}", who.role);
    }
    let err = bare(&w)
        .create_assignment(&w.owner, CourseId::new(), input.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, AssignmentError::CourseNotFound));

    let mut m = Mocks::new();
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_insert_assignment()
        .times(1)
        .returning(move |a, _| {
            seen2.lock().unwrap().push(a.clone());
            Ok(())
        });
    let mut draft = input;
    draft.published = false;
    let created = m
        .build(&w)
        .create_assignment(&w.admin, w.course.id, draft)
        .await
        .unwrap();
    assert_eq!(only(&seen).course_id, w.course.id);
    assert_eq!(created.course_id, w.course.id);
}

#[tokio::test]
async fn archived_courses_take_no_new_assignments() {
    let w = World::new(CourseStatus::Archived);
    let err = bare(&w)
        .create_assignment(&w.owner, w.course.id, input_from(&w.assignment()))
        .await
        .unwrap_err();
    assert!(matches!(err, AssignmentError::CourseArchived));
    assert_eq!(err.class(), ErrorClass::Conflict);
}

#[tokio::test]
async fn assignment_fields_are_checked_against_each_other() {
    let w = World::new(CourseStatus::Published);
    let base = input_from(&w.assignment());
    type Change = Box<dyn Fn(&mut AssignmentInput)>;
    let cases: Vec<(Change, &str, &str)> = vec![
        (
            Box::new(|i| i.due_at = i.opens_at - Duration::seconds(1)),
            "due_before_open",
            "due_at",
        ),
        (
            Box::new(|i| i.cut_off_at = Some(i.due_at - Duration::seconds(1))),
            "cut_off_before_due",
            "cut_off_at",
        ),
        (
            Box::new(|i| i.max_score = Points::ZERO),
            "max_score_zero",
            "max_score",
        ),
        (
            Box::new(|i| {
                i.late_policy = LatePolicy::PercentPerDay {
                    percent_per_day: 101,
                    floor_percent: 0,
                }
            }),
            "late_policy_percent",
            "percent_per_day",
        ),
        (
            Box::new(|i| {
                i.late_policy = LatePolicy::PercentPerDay {
                    percent_per_day: 10,
                    floor_percent: 101,
                }
            }),
            "late_policy_percent",
            "floor_percent",
        ),
        (
            Box::new(|i| {
                i.submission_kind = SubmissionKind::Files;
                i.file_limits.max_files = 0;
            }),
            "file_limits",
            "max_files",
        ),
        (
            Box::new(|i| {
                i.submission_kind = SubmissionKind::TextAndFiles;
                i.file_limits.max_file_size = 0;
            }),
            "file_limits",
            "max_file_size",
        ),
        (
            Box::new(|i| i.file_limits.allowed_extensions = vec![".pdf".into()]),
            "file_limits",
            "allowed_extensions",
        ),
    ];
    for (change, code, field) in cases {
        let mut input = base.clone();
        change(&mut input);
        let err = bare(&w)
            .create_assignment(&w.owner, w.course.id, input)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code);
        assert_eq!(err.class(), ErrorClass::Invalid);
        assert!(err.to_string().contains(field), "{err} names {field}");
    }
}

#[tokio::test]
async fn boundary_values_are_accepted() {
    let w = World::new(CourseStatus::Published);
    let mut input = input_from(&w.assignment());
    input.published = false;
    input.opens_at = t0();
    input.due_at = t0();
    input.cut_off_at = Some(t0());
    input.late_policy = LatePolicy::PercentPerDay {
        percent_per_day: 100,
        floor_percent: 100,
    };
    // Limits do not matter when no files are accepted.
    input.submission_kind = SubmissionKind::Text;
    input.file_limits.max_files = 0;
    let mut m = Mocks::new();
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_insert_assignment()
        .times(1)
        .returning(move |a, _| {
            seen2.lock().unwrap().push(a.clone());
            Ok(())
        });
    let created = m
        .build(&w)
        .create_assignment(&w.owner, w.course.id, input)
        .await
        .unwrap();
    assert_eq!(only(&seen), created);
    assert_eq!(created.cut_off_at, Some(t0()));
    assert_eq!(created.file_limits.max_files, 0);
}

// --- update_assignment -------------------------------------------------

#[tokio::test]
async fn publishing_a_draft_notifies_with_the_new_assignment_key() {
    let mut w = World::new(CourseStatus::Published);
    let mut draft = w.assignment();
    draft.published = false;
    let draft = w.add(draft);
    let s = w.student.user_id;
    let mut m = Mocks::new();
    m.courses
        .expect_enrolled_students()
        .times(1)
        .returning(move |_| Ok(vec![s]));
    m.notes
        .expect_delivery_profiles()
        .times(1)
        .returning(move |_| Ok(vec![profile(s, false)]));
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_update_assignment()
        .times(1)
        .returning(move |a, o| {
            seen2.lock().unwrap().push((a.clone(), o.to_vec()));
            Ok(())
        });
    let mut input = input_from(&draft);
    input.published = true;
    input.title = Title::parse("ДЗ 1 (исправлено)").unwrap();

    let updated = m
        .build(&w)
        .update_assignment(&w.owner, draft.id, input)
        .await
        .unwrap();

    let (a, outbox) = only(&seen);
    assert_eq!(a, updated);
    assert_eq!(a.id, draft.id);
    assert_eq!(a.course_id, draft.course_id);
    assert_eq!(a.created_at, draft.created_at, "creation time is kept");
    assert_eq!(a.title.as_str(), "ДЗ 1 (исправлено)");
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        outbox[0].dedup_key,
        DedupKey::new(s, &format!("new_assignment:{}", draft.id), Channel::Email)
    );
    assert!(matches!(
        &outbox[0].notification,
        Notification::NewAssignment { title, .. } if title == "ДЗ 1 (исправлено)"
    ));
}

#[tokio::test]
async fn editing_a_published_assignment_notifies_nobody() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let mut m = Mocks::new();
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_update_assignment()
        .times(1)
        .returning(move |a, o| {
            seen2.lock().unwrap().push((a.clone(), o.to_vec()));
            Ok(())
        });
    let mut input = input_from(&a);
    input.max_score = pts(20.0);
    m.build(&w)
        .update_assignment(&w.admin, a.id, input)
        .await
        .unwrap();
    let (stored_assignment, outbox) = only(&seen);
    assert_eq!(stored_assignment.max_score, pts(20.0));
    assert!(outbox.is_empty());
}

#[tokio::test]
async fn max_score_cannot_drop_below_a_given_grade() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let mut graded = submission(
        a.id,
        w.student.user_id,
        SubmissionState::Graded,
        t0(),
        false,
    );
    graded.grade = Some(Grade {
        raw_score: pts(8.0),
        kept_percent: 100,
        final_score: pts(8.0),
        feedback: RichText::default(),
        graded_by: w.owner.user_id,
        graded_at: t0(),
        version: 1,
    });
    let mut m = Mocks::new();
    let listed = vec![graded];
    m.hw.expect_list_submissions()
        .returning(move |_, _| Ok(listed.clone()));
    m.hw.expect_update_assignment()
        .times(1)
        .returning(|_, _| Ok(()));
    let service = m.build(&w);
    let mut too_low = input_from(&a);
    too_low.max_score = pts(5.0);
    let err = service
        .update_assignment(&w.owner, a.id, too_low)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "max_score_below_grades");
    assert!(matches!(err, AssignmentError::MaxBelowGrades { highest, .. } if highest == pts(8.0)));
    let mut enough = input_from(&a);
    enough.max_score = pts(8.0);
    let stored = service
        .update_assignment(&w.owner, a.id, enough)
        .await
        .unwrap();
    assert_eq!(
        stored.max_score,
        pts(8.0),
        "down to the highest grade is fine"
    );
}

#[tokio::test]
async fn only_owner_and_admin_update_assignments() {
    let mut w = World::new(CourseStatus::Published);
    let published = w.add(w.assignment());
    let mut draft = w.assignment();
    draft.published = false;
    let draft = w.add(draft);
    let cases = [
        (&w.student, &published, "forbidden"),
        (&w.student, &draft, "assignment_not_found"),
        (&w.stranger, &published, "assignment_not_found"),
        (&w.assistant, &draft, "forbidden"),
        (&w.other_assistant, &published, "assignment_not_found"),
        (&w.other_teacher, &published, "assignment_not_found"),
    ];
    for (who, a, code) in cases {
        let err = bare(&w)
            .update_assignment(who, a.id, input_from(a))
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{:?} published={}", who.role, a.published);
    }
}

#[tokio::test]
async fn updates_are_validated_and_refused_in_archived_courses() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let mut bad = input_from(&a);
    bad.due_at = a.opens_at - Duration::hours(1);
    let err = bare(&w)
        .update_assignment(&w.owner, a.id, bad)
        .await
        .unwrap_err();
    assert!(matches!(err, AssignmentError::DueBeforeOpen));

    let err = bare(&w)
        .update_assignment(&w.owner, AssignmentId::new(), input_from(&a))
        .await
        .unwrap_err();
    assert!(matches!(err, AssignmentError::NotFound));

    let mut m = Mocks::new();
    m.hw.expect_update_assignment()
        .times(1)
        .returning(|_, _| Err(StorageError::NotFound));
    let err = m
        .build(&w)
        .update_assignment(&w.owner, a.id, input_from(&a))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AssignmentError::NotFound),
        "deleted meanwhile"
    );

    let mut archived = World::new(CourseStatus::Archived);
    let a = archived.add(archived.assignment());
    let err = bare(&archived)
        .update_assignment(&archived.owner, a.id, input_from(&a))
        .await
        .unwrap_err();
    assert!(matches!(err, AssignmentError::CourseArchived));
}

// --- assignment attachments --------------------------------------------

/// Expects the files registered to `assignment` to be listed `times` times.
fn expect_uploads(m: &mut Mocks, assignment: AssignmentId, files: &[FileRef], times: usize) {
    let files = files.to_vec();
    m.files
        .expect_list_by_owner()
        .withf(move |o| *o == FileOwner::Assignment(assignment))
        .times(times)
        .returning(move |_| Ok(files.clone()));
}

/// Captures the assignments `update_assignment` stores.
fn capture_updates(m: &mut Mocks) -> Arc<Mutex<Vec<Assignment>>> {
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_update_assignment().returning(move |a, _| {
        seen2.lock().unwrap().push(a.clone());
        Ok(())
    });
    seen
}

#[tokio::test]
async fn attachments_are_uploads_of_the_assignment_in_the_given_order_once() {
    let mut w = World::new(CourseStatus::Published);
    let mut a = w.assignment();
    a.attachments = vec![file(w.owner.user_id, "старое.pdf", 1)];
    let a = w.add(a);
    let uploads = [
        file(w.owner.user_id, "1.pdf", 10),
        file(w.admin.user_id, "2.pdf", 20),
        file(w.owner.user_id, "3.pdf", 30),
    ];
    let mut m = Mocks::new();
    expect_uploads(&mut m, a.id, &uploads, 1);
    let seen = capture_updates(&mut m);
    let mut input = input_from(&a);
    input.attachment_ids = Some(vec![uploads[1].id, uploads[2].id, uploads[1].id]);

    let updated = m
        .build(&w)
        .update_assignment(&w.owner, a.id, input)
        .await
        .unwrap();

    let expected = vec![uploads[1].clone(), uploads[2].clone()];
    assert_eq!(updated.attachments, expected);
    assert_eq!(only(&seen).attachments, expected);
}

#[tokio::test]
async fn without_attachment_ids_the_attachments_stay() {
    let mut w = World::new(CourseStatus::Published);
    let mut a = w.assignment();
    a.attachments = vec![file(w.owner.user_id, "задачи.pdf", 100)];
    let a = w.add(a);
    // No registry expectation: keeping them looks no file up.
    let mut m = Mocks::new();
    let seen = capture_updates(&mut m);
    let mut input = input_from(&a);
    input.title = Title::parse("ДЗ 1 (новое)").unwrap();

    let updated = m
        .build(&w)
        .update_assignment(&w.owner, a.id, input)
        .await
        .unwrap();

    assert_eq!(updated.attachments, a.attachments);
    assert_eq!(only(&seen).attachments, a.attachments);

    let mut m = Mocks::new();
    let seen = capture_updates(&mut m);
    let mut clear = input_from(&a);
    clear.attachment_ids = Some(Vec::new());
    m.build(&w)
        .update_assignment(&w.admin, a.id, clear)
        .await
        .unwrap();
    assert!(
        only(&seen).attachments.is_empty(),
        "an empty list removes them"
    );
}

#[tokio::test]
async fn a_file_not_uploaded_for_the_assignment_is_refused_for_the_field() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let other = w.add(w.assignment());
    let mine = file(w.owner.user_id, "мой.pdf", 10);
    // Uploaded for the other assignment: registered there, not here.
    let elsewhere = file(w.owner.user_id, "чужой.pdf", 10);
    let mut m = Mocks::new();
    expect_uploads(&mut m, a.id, std::slice::from_ref(&mine), 1);
    expect_uploads(&mut m, other.id, std::slice::from_ref(&elsewhere), 0);
    // No update expected: a write would panic.
    let mut input = input_from(&a);
    input.attachment_ids = Some(vec![mine.id, elsewhere.id]);

    let err = m
        .build(&w)
        .update_assignment(&w.owner, a.id, input)
        .await
        .unwrap_err();

    assert!(matches!(err, AssignmentError::AttachmentNotUploaded(id) if id == elsewhere.id));
    assert_eq!(err.class(), ErrorClass::Invalid);
    assert_eq!(err.code(), "invalid_field");
    assert_eq!(
        err.to_string(),
        format!(
            "attachment_ids: file {} was not uploaded for this assignment",
            elsewhere.id
        )
    );
}

#[tokio::test]
async fn a_new_assignment_takes_no_attachments() {
    let w = World::new(CourseStatus::Published);
    let id = FileId::new();
    let mut input = input_from(&w.assignment());
    input.attachment_ids = Some(vec![id]);
    // No insert and no registry expectation.
    let err = bare(&w)
        .create_assignment(&w.owner, w.course.id, input)
        .await
        .unwrap_err();
    assert!(matches!(err, AssignmentError::AttachmentNotUploaded(x) if x == id));
    assert_eq!(err.code(), "invalid_field");
}

#[tokio::test]
async fn attachments_are_looked_up_only_for_those_who_may_edit() {
    let mut w = World::new(CourseStatus::Published);
    let published = w.add(w.assignment());
    let mut draft = w.assignment();
    draft.published = false;
    let draft = w.add(draft);
    let cases = [
        (&w.student, &published, "forbidden"),
        (&w.student, &draft, "assignment_not_found"),
        (&w.stranger, &published, "assignment_not_found"),
        (&w.assistant, &published, "forbidden"),
        (&w.other_assistant, &published, "assignment_not_found"),
        (&w.other_teacher, &published, "assignment_not_found"),
    ];
    for (who, a, code) in cases {
        let mut input = input_from(a);
        input.attachment_ids = Some(vec![FileId::new()]);
        // `bare` has a registry without expectations: a lookup would panic.
        let err = bare(&w)
            .update_assignment(who, a.id, input)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{:?} published={}", who.role, a.published);
    }
    let mut archived = World::new(CourseStatus::Archived);
    let a = archived.add(archived.assignment());
    let mut input = input_from(&a);
    input.attachment_ids = Some(vec![FileId::new()]);
    let err = bare(&archived)
        .update_assignment(&archived.owner, a.id, input)
        .await
        .unwrap_err();
    assert!(matches!(err, AssignmentError::CourseArchived));
}

// --- get_assignment / list_assignments ---------------------------------

#[tokio::test]
async fn student_sees_own_deadline_status_and_submission() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let s = w.student.user_id;
    let ext = Extension {
        assignment_id: a.id,
        student_id: s,
        due_at: t0() + Duration::days(3),
        cut_off_at: None,
        granted_by: w.owner.user_id,
        granted_at: t0() - Duration::days(1),
    };
    let sub = submission(a.id, s, SubmissionState::Submitted, t0(), false);
    let mut m = Mocks::new();
    let ext2 = ext.clone();
    m.hw.expect_get_extension()
        .with(eq(a.id), eq(s))
        .returning(move |_, _| Ok(Some(ext2.clone())));
    let sub2 = sub.clone();
    m.hw.expect_find_submission()
        .with(eq(a.id), eq(s))
        .returning(move |_, _| Ok(Some(sub2.clone())));
    let view = m.build(&w).get_assignment(&w.student, a.id).await.unwrap();
    assert_eq!(
        view,
        AssignmentView {
            assignment: a,
            deadline: Deadline {
                due_at: ext.due_at,
                cut_off_at: None
            },
            status: Some(HomeworkStatus::Submitted),
            submission: Some(sub),
        }
    );
}

#[tokio::test]
async fn student_without_work_is_missing_only_after_the_cut_off() {
    let mut w = World::new(CourseStatus::Archived);
    let mut overdue = w.assignment();
    overdue.due_at = t0() - Duration::days(1);
    let overdue = w.add(overdue);
    let mut closed = w.assignment();
    closed.due_at = t0() - Duration::days(2);
    closed.cut_off_at = Some(t0() - Duration::days(1));
    let closed = w.add(closed);
    let status = |a: &Assignment| {
        let mut m = Mocks::new();
        m.hw.expect_get_extension().returning(|_, _| Ok(None));
        m.hw.expect_find_submission().returning(|_, _| Ok(None));
        let svc = m.build(&w);
        let id = a.id;
        let student = w.student;
        async move { svc.get_assignment(&student, id).await.unwrap() }
    };
    // Past the due date without a cut-off: still accepted, so not missing;
    // the view carries the due date for the UI to flag it as overdue.
    let view = status(&overdue).await;
    assert_eq!(view.status, Some(HomeworkStatus::NotSubmitted));
    assert_eq!(view.deadline.due_at, overdue.due_at);
    assert!(view.deadline.due_at < t0());
    assert_eq!(view.submission, None);
    // Past the cut-off: missing.
    let view = status(&closed).await;
    assert_eq!(view.status, Some(HomeworkStatus::Missing));
    assert_eq!(view.deadline.cut_off_at, closed.cut_off_at);
}

#[tokio::test]
async fn students_see_an_assignment_only_once_it_opens() {
    let mut w = World::new(CourseStatus::Published);
    let mut upcoming = w.assignment();
    upcoming.title = Title::parse("Скоро").unwrap();
    upcoming.opens_at = t0() + Duration::seconds(1);
    upcoming.due_at = t0() + Duration::days(3);
    let upcoming = w.add(upcoming);
    let mut opening = w.assignment();
    opening.opens_at = t0();
    let opening = w.add(opening);
    let s = w.student.user_id;

    // Not yet open: hidden from the student on every path, with no
    // storage reads of their work and nothing stored.
    let err = bare(&w)
        .get_assignment(&w.student, upcoming.id)
        .await
        .unwrap_err();
    assert!(matches!(err, HomeworkReadError::AssignmentNotFound));
    let err = bare(&w)
        .my_submission(&w.student, upcoming.id)
        .await
        .unwrap_err();
    assert!(matches!(err, HomeworkReadError::AssignmentNotFound));
    let err = bare(&w)
        .hand_in(&w.student, upcoming.id, text_hand_in("<p>x</p>", None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "assignment_not_found");
    assert_eq!(err.class(), ErrorClass::NotFound);

    // Opening exactly now: visible.
    let mut m = Mocks::new();
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    m.hw.expect_find_submission().returning(|_, _| Ok(None));
    let view = m
        .build(&w)
        .get_assignment(&w.student, opening.id)
        .await
        .unwrap();
    assert_eq!(view.status, Some(HomeworkStatus::NotSubmitted));

    // The student's list leaves it out; staff list and open it.
    let all = vec![upcoming.clone(), opening.clone()];
    let mut m = Mocks::new();
    let listed = all.clone();
    m.hw.expect_list_assignments()
        .returning(move |_| Ok(listed.clone()));
    m.hw.expect_student_submissions()
        .returning(|_, _| Ok(vec![]));
    let up = upcoming.id;
    m.hw.expect_get_extension()
        .withf(move |a, u| *u == s && *a != up)
        .returning(|_, _| Ok(None));
    let views = m
        .build(&w)
        .list_assignments(&w.student, w.course.id)
        .await
        .unwrap();
    let ids: Vec<_> = views.iter().map(|v| v.assignment.id).collect();
    assert_eq!(ids, vec![opening.id]);
    for who in [&w.owner, &w.assistant, &w.admin] {
        let mut m = Mocks::new();
        let listed = all.clone();
        m.hw.expect_list_assignments()
            .returning(move |_| Ok(listed.clone()));
        let views = m
            .build(&w)
            .list_assignments(who, w.course.id)
            .await
            .unwrap();
        assert_eq!(views.len(), 2, "{:?}", who.role);
        let view = bare(&w).get_assignment(who, upcoming.id).await.unwrap();
        assert_eq!(view.assignment.title.as_str(), "Скоро");
    }
}

#[tokio::test]
async fn students_never_see_drafts_and_outsiders_see_nothing() {
    let mut w = World::new(CourseStatus::Published);
    let published = w.add(w.assignment());
    let mut draft = w.assignment();
    draft.published = false;
    let draft = w.add(draft);
    for (who, a) in [
        (&w.student, &draft),
        (&w.stranger, &published),
        (&w.other_assistant, &published),
        (&w.other_teacher, &published),
    ] {
        let err = bare(&w).get_assignment(who, a.id).await.unwrap_err();
        assert!(
            matches!(err, HomeworkReadError::AssignmentNotFound),
            "{:?}",
            who.role
        );
    }
    let mut dc = World::new(CourseStatus::Draft);
    let a = dc.add(dc.assignment());
    let err = bare(&dc)
        .get_assignment(&dc.student, a.id)
        .await
        .unwrap_err();
    assert!(matches!(err, HomeworkReadError::AssignmentNotFound));
}

#[tokio::test]
async fn staff_see_drafts_with_the_assignment_deadline() {
    let mut w = World::new(CourseStatus::Draft);
    let mut a = w.assignment();
    a.published = false;
    a.cut_off_at = Some(a.due_at + Duration::days(2));
    let a = w.add(a);
    for who in [&w.owner, &w.assistant, &w.admin] {
        // No extension or submission lookups for staff.
        let view = bare(&w).get_assignment(who, a.id).await.unwrap();
        assert_eq!(
            view,
            AssignmentView {
                assignment: a.clone(),
                deadline: Deadline {
                    due_at: a.due_at,
                    cut_off_at: a.cut_off_at
                },
                status: None,
                submission: None,
            }
        );
    }
}

#[tokio::test]
async fn students_list_published_assignments_with_their_status() {
    let w = World::new(CourseStatus::Published);
    let s = w.student.user_id;
    let mut overdue = w.assignment();
    overdue.due_at = t0() - Duration::days(1);
    let handed = w.assignment();
    let mut draft = w.assignment();
    draft.published = false;
    let ext = Extension {
        assignment_id: overdue.id,
        student_id: s,
        due_at: t0() + Duration::days(1),
        cut_off_at: None,
        granted_by: w.owner.user_id,
        granted_at: t0(),
    };
    let sub = submission(handed.id, s, SubmissionState::SubmittedLate, t0(), true);
    let mut m = Mocks::new();
    let all = vec![overdue.clone(), handed.clone(), draft.clone()];
    m.hw.expect_list_assignments()
        .with(eq(w.course.id))
        .returning(move |_| Ok(all.clone()));
    let sub2 = sub.clone();
    m.hw.expect_student_submissions()
        .with(eq(w.course.id), eq(s))
        .times(1)
        .returning(move |_, _| Ok(vec![sub2.clone()]));
    let ext2 = ext.clone();
    m.hw.expect_get_extension()
        .withf(move |a, u| *u == s && *a != draft.id)
        .returning(move |a, _| Ok((a == ext2.assignment_id).then(|| ext2.clone())));
    let views = m
        .build(&w)
        .list_assignments(&w.student, w.course.id)
        .await
        .unwrap();
    let summary: Vec<_> = views
        .iter()
        .map(|v| {
            (
                v.assignment.id,
                v.status,
                v.deadline.due_at,
                v.submission.is_some(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                overdue.id,
                Some(HomeworkStatus::NotSubmitted),
                ext.due_at,
                false
            ),
            (
                handed.id,
                Some(HomeworkStatus::SubmittedLate),
                handed.due_at,
                true
            ),
        ]
    );
    assert_eq!(views[1].submission.as_ref(), Some(&sub));
}

#[tokio::test]
async fn staff_list_every_assignment_and_outsiders_none() {
    let w = World::new(CourseStatus::Published);
    let a = w.assignment();
    let mut draft = w.assignment();
    draft.published = false;
    for who in [&w.owner, &w.assistant, &w.admin] {
        let mut m = Mocks::new();
        let all = vec![a.clone(), draft.clone()];
        m.hw.expect_list_assignments()
            .returning(move |_| Ok(all.clone()));
        let views = m
            .build(&w)
            .list_assignments(who, w.course.id)
            .await
            .unwrap();
        assert_eq!(
            views,
            vec![staff_view(a.clone()), staff_view(draft.clone())],
            "{:?}",
            who.role
        );
        assert!(views.iter().all(|v| v.status.is_none()));
    }
    for who in [&w.stranger, &w.other_assistant, &w.other_teacher] {
        let err = bare(&w)
            .list_assignments(who, w.course.id)
            .await
            .unwrap_err();
        assert!(matches!(err, HomeworkReadError::CourseNotFound));
    }
    let dc = World::new(CourseStatus::Draft);
    let err = bare(&dc)
        .list_assignments(&dc.student, dc.course.id)
        .await
        .unwrap_err();
    assert!(matches!(err, HomeworkReadError::CourseNotFound));
}

// --- extensions --------------------------------------------------------

fn extension_input(a: &Assignment, student: UserId) -> ExtensionInput {
    ExtensionInput {
        assignment_id: a.id,
        student_id: student,
        due_at: t0() + Duration::days(5),
        cut_off_at: Some(t0() + Duration::days(6)),
    }
}

#[tokio::test]
async fn owner_and_admin_grant_extensions_to_enrolled_students() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    for who in [&w.owner, &w.admin] {
        let mut m = Mocks::new();
        let seen = shared();
        let seen2 = seen.clone();
        m.hw.expect_upsert_extension().times(1).returning(move |e| {
            seen2.lock().unwrap().push(e.clone());
            Ok(())
        });
        let input = extension_input(&a, w.student.user_id);
        let granted = m
            .build(&w)
            .grant_extension(who, input.clone())
            .await
            .unwrap();
        assert_eq!(
            granted,
            Extension {
                assignment_id: a.id,
                student_id: w.student.user_id,
                due_at: input.due_at,
                cut_off_at: input.cut_off_at,
                granted_by: who.user_id,
                granted_at: t0(),
            }
        );
        assert_eq!(only(&seen), granted);
    }
}

#[tokio::test]
async fn extensions_need_an_enrolled_student_and_ordered_dates() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    for target in [w.stranger.user_id, w.assistant.user_id, w.owner.user_id] {
        let err = bare(&w)
            .grant_extension(&w.owner, extension_input(&a, target))
            .await
            .unwrap_err();
        assert!(matches!(err, ExtensionError::StudentNotEnrolled));
        assert!(err.to_string().contains("student_id"));
    }
    let mut input = extension_input(&a, w.student.user_id);
    input.cut_off_at = Some(input.due_at - Duration::seconds(1));
    let err = bare(&w).grant_extension(&w.owner, input).await.unwrap_err();
    assert!(matches!(err, ExtensionError::CutOffBeforeDue));
    assert!(err.to_string().contains("cut_off_at"));
}

#[tokio::test]
async fn only_owner_and_admin_manage_extensions() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let input = extension_input(&a, w.student.user_id);
    let cases = [
        (&w.student, "forbidden"),
        (&w.assistant, "forbidden"),
        (&w.stranger, "assignment_not_found"),
        (&w.other_assistant, "assignment_not_found"),
        (&w.other_teacher, "assignment_not_found"),
    ];
    for (who, code) in cases {
        let err = bare(&w)
            .grant_extension(who, input.clone())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "grant by {:?}", who.role);
        let err = bare(&w)
            .revoke_extension(who, a.id, w.student.user_id)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "revoke by {:?}", who.role);
    }
    let mut archived = World::new(CourseStatus::Archived);
    let a = archived.add(archived.assignment());
    let err = bare(&archived)
        .grant_extension(
            &archived.owner,
            extension_input(&a, archived.student.user_id),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ExtensionError::CourseArchived));
}

#[tokio::test]
async fn revoking_reports_a_missing_extension() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let s = w.student.user_id;
    for existed in [true, false] {
        let mut m = Mocks::new();
        m.hw.expect_delete_extension()
            .with(eq(a.id), eq(s))
            .times(1)
            .returning(move |_, _| Ok(existed));
        let result = m.build(&w).revoke_extension(&w.owner, a.id, s).await;
        match (existed, result) {
            (true, Ok(())) => {}
            (false, Err(e)) => {
                assert_eq!(e.code(), "extension_not_found");
                assert_eq!(e.class(), ErrorClass::NotFound);
            }
            (existed, other) => panic!("existed={existed}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn extensions_are_listed_for_the_course_staff_only() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let ext = Extension {
        assignment_id: a.id,
        student_id: w.student.user_id,
        due_at: t0(),
        cut_off_at: None,
        granted_by: w.owner.user_id,
        granted_at: t0(),
    };
    for who in [&w.assistant, &w.owner, &w.admin] {
        let mut m = Mocks::new();
        let e2 = ext.clone();
        m.hw.expect_list_extensions()
            .with(eq(a.id))
            .returning(move |_| Ok(vec![e2.clone()]));
        let list = m.build(&w).list_extensions(who, a.id).await.unwrap();
        assert_eq!(list, vec![ext.clone()]);
    }
    for (who, code) in [
        (&w.student, "forbidden"),
        (&w.stranger, "assignment_not_found"),
        (&w.other_assistant, "assignment_not_found"),
        (&w.other_teacher, "assignment_not_found"),
    ] {
        let err = bare(&w).list_extensions(who, a.id).await.unwrap_err();
        assert_eq!(err.code(), code, "{:?}", who.role);
    }
}

// --- hand_in -----------------------------------------------------------

/// Answers the hand-in's reads (this submission's head, the student's
/// first hand-ins, the submission itself for a duplicate) from `history`,
/// as an adapter holding it would.
fn expect_history(hw: &mut MockHomeworkStore, history: Vec<Submission>) {
    let heads = history.clone();
    hw.expect_submission_head().returning(move |a, s| {
        Ok(heads
            .iter()
            .find(|x| x.assignment_id == a && x.student_id == s)
            .map(SubmissionHead::of))
    });
    let whole = history.clone();
    hw.expect_find_submission().returning(move |a, s| {
        Ok(whole
            .iter()
            .find(|x| x.assignment_id == a && x.student_id == s)
            .cloned())
    });
    hw.expect_first_hand_ins().returning(move |s| {
        let mut firsts: Vec<FirstHandIn> = history
            .iter()
            .filter(|x| x.student_id == s)
            .filter_map(FirstHandIn::of)
            .collect();
        firsts.sort_by_key(|f| f.submitted_at);
        Ok(firsts)
    });
}

/// Mocks for a hand-in: the student's history, their extension and a
/// store that records the `HandIn` and answers like an adapter.
fn hand_in_mocks(
    history: Vec<Submission>,
    extension: Option<Extension>,
) -> (Mocks, Arc<Mutex<Vec<HandIn>>>) {
    let mut m = Mocks::new();
    let h2 = history.clone();
    expect_history(&mut m.hw, h2);
    m.hw.expect_get_extension()
        .returning(move |_, _| Ok(extension.clone()));
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_hand_in().returning(move |h| {
        seen2.lock().unwrap().push(h.clone());
        let existing = history.iter().find(|s| s.assignment_id == h.assignment_id);
        Ok(HandInOutcome::Stored(stored(h, existing)))
    });
    (m, seen)
}

#[tokio::test]
async fn first_on_time_hand_in_earns_the_first_homework_badge() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let s = w.student.user_id;
    let (mut m, seen) = hand_in_mocks(vec![], None);
    m.notes
        .expect_delivery_profiles()
        .withf(move |u| u == [s])
        .times(1)
        .returning(move |_| Ok(vec![profile(s, false)]));
    let result = m
        .build(&w)
        .hand_in(
            &w.student,
            a.id,
            text_hand_in("<p>Ответ: 42</p>", Some("k1")),
        )
        .await
        .unwrap();

    let h = only(&seen);
    assert!(!result.duplicate);
    assert_eq!(result.submission, stored(&h, None));
    assert_eq!(h.assignment_id, a.id);
    assert_eq!(h.student_id, s);
    assert_eq!(h.state, SubmissionState::Submitted);
    assert_eq!(h.version.number, 1);
    assert_eq!(h.version.submission_id, h.new_submission_id);
    assert!(!h.version.late);
    assert_eq!(h.version.submitted_at, t0());
    assert_eq!(
        h.version.text.as_ref().map(RichText::as_html),
        Some("<p>Ответ: 42</p>")
    );
    assert_eq!(h.version.idempotency_key.as_deref(), Some("k1"));
    assert_eq!(
        h.awards,
        vec![Achievement {
            user_id: s,
            badge: Badge::FirstHomework,
            course_id: None,
            awarded_at: t0(),
        }]
    );
    assert_eq!(h.outbox.len(), 1);
    assert_eq!(
        h.outbox[0].dedup_key,
        DedupKey::new(s, "achievement:first_homework", Channel::Email)
    );
    assert_eq!(
        h.outbox[0].notification,
        Notification::AchievementAwarded {
            badge: Badge::FirstHomework,
            course_id: None,
            quiz_id: None,
        }
    );
}

#[tokio::test]
async fn late_resubmission_after_a_return_is_a_new_late_version() {
    let mut w = World::new(CourseStatus::Published);
    let mut a = w.assignment();
    a.due_at = t0() - Duration::hours(1);
    let a = w.add(a);
    let s = w.student.user_id;
    let returned = submission(
        a.id,
        s,
        SubmissionState::ReturnedForRework,
        t0() - Duration::days(2),
        false,
    );
    // No delivery_profiles expectation: no award, no message.
    let (m, seen) = hand_in_mocks(vec![returned.clone()], None);
    let result = m
        .build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>v2</p>", None))
        .await
        .unwrap();
    let h = only(&seen);
    assert_eq!(h.state, SubmissionState::SubmittedLate);
    assert!(h.version.late);
    assert_eq!(h.version.number, 2);
    assert_eq!(h.version.submission_id, returned.id);
    assert!(h.awards.is_empty());
    assert!(h.outbox.is_empty());
    assert_eq!(result.submission.versions.len(), 2);
    assert_eq!(result.submission.state, SubmissionState::SubmittedLate);
}

#[tokio::test]
async fn an_extension_moves_both_the_cut_off_and_the_due_date() {
    let mut w = World::new(CourseStatus::Published);
    let mut a = w.assignment();
    a.due_at = t0() - Duration::days(2);
    a.cut_off_at = Some(t0() - Duration::days(1));
    let a = w.add(a);
    let s = w.student.user_id;
    let earlier = submission(AssignmentId::new(), s, SubmissionState::Graded, t0(), false);
    let ext = Extension {
        assignment_id: a.id,
        student_id: s,
        due_at: t0() + Duration::hours(1),
        cut_off_at: None,
        granted_by: w.owner.user_id,
        granted_at: t0() - Duration::days(3),
    };
    let (m, seen) = hand_in_mocks(vec![earlier], Some(ext));
    m.build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>ok</p>", None))
        .await
        .unwrap();
    let h = only(&seen);
    assert_eq!(h.state, SubmissionState::Submitted);
    assert!(!h.version.late);
}

#[tokio::test]
async fn hand_ins_outside_the_window_are_refused() {
    let mut w = World::new(CourseStatus::Published);
    let mut not_open = w.assignment();
    not_open.opens_at = t0() + Duration::hours(1);
    not_open.due_at = t0() + Duration::days(1);
    let not_open = w.add(not_open);
    let mut closed = w.assignment();
    closed.due_at = t0() - Duration::days(2);
    closed.cut_off_at = Some(t0() - Duration::seconds(1));
    let closed = w.add(closed);
    // Before it opens the assignment is hidden from students.
    let err = bare(&w)
        .hand_in(&w.student, not_open.id, text_hand_in("<p>x</p>", None))
        .await
        .unwrap_err();
    assert!(matches!(err, HandInError::NotFound));
    let mut m = Mocks::new();
    expect_history(&mut m.hw, vec![]);
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    let err = m
        .build(&w)
        .hand_in(&w.student, closed.id, text_hand_in("<p>x</p>", None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "past_cut_off");
    assert_eq!(err.class(), ErrorClass::Conflict);
}

#[tokio::test]
async fn hand_in_content_must_fit_the_assignment() {
    let w0 = World::new(CourseStatus::Published);
    let s = w0.student.user_id;
    let c = w0.classmate.user_id;
    let pdf = file(s, "отчёт.pdf", 100);
    type Setup = Box<dyn Fn(&mut Assignment)>;
    let cases: Vec<(Setup, HandInInput, &str)> = vec![
        (
            Box::new(|a| a.submission_kind = SubmissionKind::Files),
            text_hand_in("<p>текст</p>", None),
            "text_not_accepted",
        ),
        (
            Box::new(|a| a.submission_kind = SubmissionKind::Text),
            HandInInput {
                text: Some(RichText::sanitize("<p>текст</p>")),
                files: vec![pdf.clone()],
                idempotency_key: None,
            },
            "files_not_accepted",
        ),
        (
            Box::new(|a| a.submission_kind = SubmissionKind::TextAndFiles),
            text_hand_in("<p>  </p>", None),
            "empty_hand_in",
        ),
        (
            Box::new(|a| a.submission_kind = SubmissionKind::TextAndFiles),
            HandInInput {
                text: None,
                files: vec![],
                idempotency_key: None,
            },
            "empty_hand_in",
        ),
        (
            Box::new(|a| {
                a.submission_kind = SubmissionKind::Files;
                a.file_limits.max_files = 1;
            }),
            HandInInput {
                text: None,
                files: vec![pdf.clone(), file(s, "b.pdf", 1)],
                idempotency_key: None,
            },
            "too_many_files",
        ),
        (
            Box::new(|a| {
                a.submission_kind = SubmissionKind::Files;
                a.file_limits.max_file_size = 99;
            }),
            HandInInput {
                text: None,
                files: vec![pdf.clone()],
                idempotency_key: None,
            },
            "file_too_large",
        ),
        (
            Box::new(|a| {
                a.submission_kind = SubmissionKind::Files;
                a.file_limits.allowed_extensions = vec!["docx".into()];
            }),
            HandInInput {
                text: None,
                files: vec![pdf.clone()],
                idempotency_key: None,
            },
            "file_type_not_allowed",
        ),
        (
            Box::new(|a| a.submission_kind = SubmissionKind::Files),
            HandInInput {
                text: None,
                files: vec![file(c, "чужой.pdf", 1)],
                idempotency_key: None,
            },
            "file_not_owned",
        ),
    ];
    for (setup, input, code) in cases {
        let mut w = w0.clone();
        let mut a = w.assignment();
        setup(&mut a);
        let a = w.add(a);
        let mut m = Mocks::new();
        expect_history(&mut m.hw, vec![]);
        m.hw.expect_get_extension().returning(|_, _| Ok(None));
        let err = m
            .build(&w)
            .hand_in(&w.student, a.id, input)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{err}");
    }
}

#[tokio::test]
async fn blank_text_with_files_is_stored_as_files_only() {
    let mut w = World::new(CourseStatus::Published);
    let mut a = w.assignment();
    a.submission_kind = SubmissionKind::TextAndFiles;
    let a = w.add(a);
    let pdf = file(w.student.user_id, "решение.pdf", 10);
    let other = submission(
        AssignmentId::new(),
        w.student.user_id,
        SubmissionState::Graded,
        t0(),
        true,
    );
    let (m, seen) = hand_in_mocks(vec![other], None);
    m.build(&w)
        .hand_in(
            &w.student,
            a.id,
            HandInInput {
                text: Some(RichText::sanitize("<p> </p>")),
                files: vec![pdf.clone()],
                idempotency_key: Some("  ".into()),
            },
        )
        .await
        .unwrap();
    let h = only(&seen);
    assert_eq!(h.version.text, None);
    assert_eq!(h.version.files, vec![pdf]);
    assert_eq!(h.version.idempotency_key, None, "a blank key is no key");
}

#[tokio::test]
async fn graded_homework_takes_no_new_version() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let graded = submission(
        a.id,
        w.student.user_id,
        SubmissionState::Graded,
        t0(),
        false,
    );
    let mut m = Mocks::new();
    expect_history(&mut m.hw, vec![graded.clone()]);
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    let err = m
        .build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>ещё</p>", None))
        .await
        .unwrap_err();
    assert!(matches!(err, HandInError::AlreadyGraded));
}

#[tokio::test]
async fn versions_stop_at_the_limit_before_anything_is_stored() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let mut full = submission(
        a.id,
        w.student.user_id,
        SubmissionState::Submitted,
        t0(),
        false,
    );
    full.versions = (1..=3)
        .map(|n| version(full.id, n, t0() - Duration::hours(i64::from(4 - n)), false))
        .collect();
    let mut m = Mocks::new();
    expect_history(&mut m.hw, vec![full.clone()]);
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    m.hw.expect_hand_in().never();
    let mut svc = m.build(&w);
    svc.set_max_versions(3);
    let err = svc
        .hand_in(&w.student, a.id, text_hand_in("<p>ещё</p>", None))
        .await
        .unwrap_err();
    assert!(
        matches!(err, HandInError::TooManyVersions { max: 3 }),
        "{err:?}"
    );
    assert_eq!(crate::error::DomainError::code(&err), "too_many_versions");
}

#[tokio::test]
async fn a_limit_reached_meanwhile_is_reported_as_the_limit() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let mut m = Mocks::new();
    expect_history(&mut m.hw, vec![]);
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    m.notes.expect_delivery_profiles().returning(|_| Ok(vec![]));
    m.hw.expect_hand_in().times(1).returning(|h| {
        assert_eq!(h.max_versions, DEFAULT_MAX_VERSIONS);
        Err(StorageError::Conflict(Conflict::VersionLimit))
    });
    let err = m
        .build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>ответ</p>", None))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            HandInError::TooManyVersions {
                max: DEFAULT_MAX_VERSIONS
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn duplicates_are_reported_not_stored_twice() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let s = w.student.user_id;
    // The adapter saw the key (a concurrent retry won the race).
    let existing = submission(a.id, s, SubmissionState::Submitted, t0(), false);
    let mut m = Mocks::new();
    expect_history(&mut m.hw, vec![]);
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    m.notes
        .expect_delivery_profiles()
        .returning(move |_| Ok(vec![profile(s, false)]));
    let e2 = existing.clone();
    m.hw.expect_hand_in()
        .times(1)
        .returning(move |_| Ok(HandInOutcome::Duplicate(e2.clone())));
    let result = m
        .build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>x</p>", Some("k")))
        .await
        .unwrap();
    assert_eq!(
        result,
        HandInResult {
            submission: existing,
            duplicate: true
        }
    );

    // The key is already in the history: answered without writing, even
    // after the cut-off has passed and the work was graded.
    let mut closed = w.assignment();
    closed.due_at = t0() - Duration::days(2);
    closed.cut_off_at = Some(t0() - Duration::days(1));
    let closed = w.add(closed);
    let mut done = submission(
        closed.id,
        s,
        SubmissionState::Graded,
        t0() - Duration::days(3),
        false,
    );
    done.versions[0].idempotency_key = Some("k".into());
    let mut m = Mocks::new();
    let d2 = done.clone();
    expect_history(&mut m.hw, vec![d2.clone()]);
    let result = m
        .build(&w)
        .hand_in(&w.student, closed.id, text_hand_in("<p>x</p>", Some("k")))
        .await
        .unwrap();
    assert!(result.duplicate);
    assert_eq!(result.submission, done);
}

/// A resubmission (second version) earns no hand-in badge, even one that
/// would complete a streak, and reads no hand-in history for it.
#[tokio::test]
async fn resubmissions_earn_nothing_and_read_no_history() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let s = w.student.user_id;
    // Four on-time first hand-ins elsewhere; this one's first was on time
    // too, so only its own first version counts towards a streak.
    let first = submission(
        a.id,
        s,
        SubmissionState::ReturnedForRework,
        t0() - Duration::hours(1),
        false,
    );
    let mut m = Mocks::new();
    let head = SubmissionHead::of(&first);
    m.hw.expect_submission_head()
        .returning(move |_, _| Ok(Some(head.clone())));
    m.hw.expect_first_hand_ins().never();
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_hand_in().returning(move |h| {
        seen2.lock().unwrap().push(h.clone());
        Ok(HandInOutcome::Stored(stored(h, Some(&first))))
    });
    m.build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>v2</p>", None))
        .await
        .unwrap();
    let h = only(&seen);
    assert_eq!(h.version.number, 2);
    assert!(h.awards.is_empty(), "{:?}", h.awards);
    assert!(h.outbox.is_empty());
}

#[tokio::test]
async fn the_fifth_on_time_hand_in_in_a_row_earns_the_streak_once() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let s = w.student.user_id;
    let on_time = |d: i64| {
        submission(
            AssignmentId::new(),
            s,
            SubmissionState::Graded,
            t0() - Duration::days(d),
            false,
        )
    };
    let four: Vec<_> = (1..=4).map(on_time).collect();
    let (mut m, seen) = hand_in_mocks(four.clone(), None);
    m.notes
        .expect_delivery_profiles()
        .times(1)
        .returning(move |_| Ok(vec![profile(s, true)]));
    m.build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>5</p>", None))
        .await
        .unwrap();
    let h = only(&seen);
    assert_eq!(
        h.awards.iter().map(|x| x.badge).collect::<Vec<_>>(),
        vec![Badge::OnTimeStreak5]
    );
    let keys: Vec<_> = h.outbox.iter().map(|e| e.dedup_key.clone()).collect();
    assert_eq!(
        keys,
        vec![
            DedupKey::new(s, "achievement:on_time_streak_5", Channel::Email),
            DedupKey::new(s, "achievement:on_time_streak_5", Channel::Telegram),
        ]
    );

    // Already five in a row: the sixth earns nothing (no profiles asked).
    let mut five = four;
    five.push(on_time(5));
    let (m, seen) = hand_in_mocks(five, None);
    m.build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>6</p>", None))
        .await
        .unwrap();
    let h = only(&seen);
    assert!(h.awards.is_empty());
    assert!(h.outbox.is_empty());
}

#[tokio::test]
async fn only_enrolled_students_hand_in() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let mut draft = w.assignment();
    draft.published = false;
    let draft = w.add(draft);
    let cases = [
        (&w.owner, &a, "forbidden"),
        (&w.assistant, &a, "forbidden"),
        (&w.admin, &a, "forbidden"),
        (&w.stranger, &a, "assignment_not_found"),
        (&w.other_teacher, &a, "assignment_not_found"),
        (&w.other_assistant, &a, "assignment_not_found"),
        (&w.student, &draft, "assignment_not_found"),
    ];
    for (who, a, code) in cases {
        let err = bare(&w)
            .hand_in(who, a.id, text_hand_in("<p>x</p>", None))
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{:?}", who.role);
    }
    let mut archived = World::new(CourseStatus::Archived);
    let a = archived.add(archived.assignment());
    let err = bare(&archived)
        .hand_in(&archived.student, a.id, text_hand_in("<p>x</p>", None))
        .await
        .unwrap_err();
    assert!(matches!(err, HandInError::CourseArchived));
    let mut dc = World::new(CourseStatus::Draft);
    let a = dc.add(dc.assignment());
    let err = bare(&dc)
        .hand_in(&dc.student, a.id, text_hand_in("<p>x</p>", None))
        .await
        .unwrap_err();
    assert!(matches!(err, HandInError::NotFound));
}

// --- grade -------------------------------------------------------------

/// A world with a late submission: due three days ago, handed in 30 h
/// after the due date, 20 % a day down to 50 %.
fn grading_world() -> (World, Assignment, Submission) {
    let mut w = World::new(CourseStatus::Published);
    let mut a = w.assignment();
    a.due_at = t0() - Duration::days(3);
    a.late_policy = LatePolicy::PercentPerDay {
        percent_per_day: 20,
        floor_percent: 50,
    };
    let a = w.add(a);
    let sub = w.add_submission(submission(
        a.id,
        w.student.user_id,
        SubmissionState::SubmittedLate,
        a.due_at + Duration::hours(30),
        true,
    ));
    (w, a, sub)
}

fn snapshot(data: Vec<StudentCourseData>, achievements: Vec<Achievement>) -> StudentSnapshot {
    StudentSnapshot {
        courses: data,
        webinars: vec![],
        achievements,
    }
}

fn course_data(
    w: &World,
    assignments: Vec<Assignment>,
    submissions: Vec<Submission>,
) -> StudentCourseData {
    StudentCourseData {
        course: w.course.clone(),
        lessons_visible: 2,
        lessons_viewed: 2,
        assignments,
        extensions: vec![],
        submissions,
        quizzes: vec![],
        attempts: vec![],
    }
}

/// Mocks for a review: no extension, the given snapshot (if expected),
/// the student's profile with Telegram, and a recording review store.
fn review_mocks(
    w: &World,
    snapshot: Option<StudentSnapshot>,
    sub: &Submission,
) -> (Mocks, Arc<Mutex<Vec<Review>>>) {
    let mut m = Mocks::new();
    let s = w.student.user_id;
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    if let Some(snap) = snapshot {
        m.dash
            .expect_student_snapshot()
            .with(eq(s), eq(t0()))
            .times(1)
            .returning(move |_, _| Ok(snap.clone()));
    }
    m.notes
        .expect_delivery_profiles()
        .withf(move |u| u == [s])
        .returning(move |_| Ok(vec![profile(s, true)]));
    let seen = shared();
    let seen2 = seen.clone();
    let sub = sub.clone();
    m.hw.expect_review().returning(move |r| {
        seen2.lock().unwrap().push(r.clone());
        Ok(reviewed(&sub, r))
    });
    (m, seen)
}

fn grade_input(raw: f64, version: u32) -> GradeInput {
    GradeInput {
        raw_score: pts(raw),
        feedback: RichText::sanitize("<p>Хорошо</p>"),
        expected_version: version,
    }
}

#[tokio::test]
async fn grading_applies_the_late_penalty_audits_and_notifies() {
    let (w, a, sub) = grading_world();
    let s = w.student.user_id;
    let other = w.assignment();
    let snap = snapshot(
        vec![course_data(&w, vec![a.clone(), other], vec![sub.clone()])],
        vec![],
    );
    let (m, seen) = review_mocks(&w, Some(snap), &sub);
    let result = m
        .build(&w)
        .grade(&w.assistant, sub.id, grade_input(10.0, 1))
        .await
        .unwrap();

    let r = only(&seen);
    assert_eq!(result, reviewed(&sub, &r));
    assert_eq!(r.submission_id, sub.id);
    assert_eq!(r.expected_version, 1);
    assert_eq!(r.state, SubmissionState::Graded);
    assert_eq!(
        r.grade,
        Some(Grade {
            raw_score: pts(10.0),
            kept_percent: 60,
            final_score: pts(6.0),
            feedback: RichText::sanitize("<p>Хорошо</p>"),
            graded_by: w.assistant.user_id,
            graded_at: t0(),
            version: 1,
        })
    );
    assert_eq!(r.rework_feedback, None);
    assert_eq!(r.audit.submission_id, sub.id);
    assert_eq!(r.audit.actor_id, w.assistant.user_id);
    assert_eq!(r.audit.at, t0());
    assert_eq!(
        r.audit.action,
        AuditAction::Graded {
            raw_score: pts(10.0),
            final_score: pts(6.0),
            previous_final_score: None,
        }
    );
    assert!(r.awards.is_empty(), "the other assignment is not done");
    let event = format!("graded:{}:1:{}", sub.id, r.audit.id);
    let keys: Vec<_> = r.outbox.iter().map(|e| e.dedup_key.clone()).collect();
    assert_eq!(
        keys,
        vec![
            DedupKey::new(s, &event, Channel::Email),
            DedupKey::new(s, &event, Channel::Telegram),
        ]
    );
    assert_eq!(
        r.outbox[0].notification,
        Notification::HomeworkGraded {
            course_id: w.course.id,
            assignment_id: a.id,
            title: "ДЗ 1".into(),
            submission_id: sub.id,
            score: 6.0,
            max_score: 10.0,
        }
    );
}

/// The preview shows the penalty the grade would apply, writes nothing,
/// and follows the grading rules (staff only, score within the maximum).
#[tokio::test]
async fn the_grade_preview_shows_the_penalty_without_writing() {
    let (w, a, sub) = grading_world();
    let mut m = Mocks::new();
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    m.hw.expect_review().never();
    let svc = m.build(&w);
    let preview = svc
        .grade_preview(&w.assistant, sub.id, pts(8.0))
        .await
        .unwrap();
    assert_eq!(
        preview,
        GradePreview {
            version: 1,
            raw_score: pts(8.0),
            kept_percent: 60,
            final_score: pts(4.8),
            max_score: a.max_score,
            due_at: a.due_at,
            days_late: 2,
        }
    );
    let err = svc
        .grade_preview(&w.student, sub.id, pts(8.0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReviewError::Forbidden | ReviewError::NotFound),
        "{err:?}"
    );
    let err = svc
        .grade_preview(&w.owner, sub.id, pts(11.0))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "score_above_max", "{err:?}");
}

#[tokio::test]
async fn an_extension_granted_later_removes_the_penalty() {
    let (w, a, sub) = grading_world();
    let ext = Extension {
        assignment_id: a.id,
        student_id: w.student.user_id,
        due_at: t0(),
        cut_off_at: None,
        granted_by: w.owner.user_id,
        granted_at: t0(),
    };
    let mut m = Mocks::new();
    m.hw.expect_get_extension()
        .with(eq(a.id), eq(w.student.user_id))
        .returning(move |_, _| Ok(Some(ext.clone())));
    m.dash
        .expect_student_snapshot()
        .returning(|_, _| Ok(snapshot(vec![], vec![])));
    m.notes.expect_delivery_profiles().returning(|_| Ok(vec![]));
    let seen = shared();
    let seen2 = seen.clone();
    let sub2 = sub.clone();
    m.hw.expect_review().returning(move |r| {
        seen2.lock().unwrap().push(r.clone());
        Ok(reviewed(&sub2, r))
    });
    let result = m
        .build(&w)
        .grade(&w.owner, sub.id, grade_input(7.5, 1))
        .await
        .unwrap();
    let grade = result.grade.unwrap();
    assert_eq!((grade.kept_percent, grade.final_score), (100, pts(7.5)));
    assert!(only(&seen).outbox.is_empty(), "nobody to reach");
}

#[tokio::test]
async fn regrading_records_the_previous_score_and_notifies_again() {
    let (mut w, _, mut sub) = grading_world();
    sub.state = SubmissionState::Graded;
    sub.grade = Some(Grade {
        raw_score: pts(10.0),
        kept_percent: 60,
        final_score: pts(6.0),
        feedback: RichText::default(),
        graded_by: w.owner.user_id,
        graded_at: t0() - Duration::days(1),
        version: 1,
    });
    w.submissions = vec![sub.clone()];
    // No snapshot expected: a regrade cannot complete a course.
    let (m, seen) = review_mocks(&w, None, &sub);
    let svc = m.build(&w);
    svc.grade(&w.admin, sub.id, grade_input(8.0, 1))
        .await
        .unwrap();
    svc.grade(&w.admin, sub.id, grade_input(8.0, 1))
        .await
        .unwrap();
    let reviews = seen.lock().unwrap().clone();
    assert_eq!(reviews.len(), 2);
    assert_eq!(
        reviews[0].audit.action,
        AuditAction::Graded {
            raw_score: pts(8.0),
            final_score: pts(4.8),
            previous_final_score: Some(pts(6.0)),
        }
    );
    assert_ne!(
        reviews[0].outbox[0].dedup_key, reviews[1].outbox[0].dedup_key,
        "each regrade is a new event"
    );
}

#[tokio::test]
async fn returned_work_can_be_graded_without_a_new_version() {
    let (mut w, a, mut sub) = grading_world();
    sub.state = SubmissionState::ReturnedForRework;
    w.submissions = vec![sub.clone()];
    let snap = snapshot(vec![course_data(&w, vec![a], vec![sub.clone()])], vec![]);
    let (m, seen) = review_mocks(&w, Some(snap), &sub);
    let result = m
        .build(&w)
        .grade(&w.owner, sub.id, grade_input(5.0, 1))
        .await
        .unwrap();
    assert_eq!(result.state, SubmissionState::Graded);
    assert_eq!(only(&seen).grade.unwrap().final_score, pts(3.0));
}

#[tokio::test]
async fn scores_above_the_maximum_and_stale_versions_are_refused() {
    let (w, _, sub) = grading_world();
    let err = bare(&w)
        .grade(&w.owner, sub.id, grade_input(10.5, 1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "score_above_max");
    assert!(err.to_string().contains("raw_score"));

    let err = bare(&w)
        .grade(&w.owner, sub.id, grade_input(5.0, 2))
        .await
        .unwrap_err();
    assert!(matches!(err, ReviewError::ChangedMeanwhile));

    // A new version arrives between the check and the write.
    let mut m = Mocks::new();
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    m.dash
        .expect_student_snapshot()
        .returning(|_, _| Ok(snapshot(vec![], vec![])));
    m.notes.expect_delivery_profiles().returning(|_| Ok(vec![]));
    m.hw.expect_review()
        .times(1)
        .returning(|_| Err(StorageError::Conflict(Conflict::Stale)));
    let err = m
        .build(&w)
        .grade(&w.owner, sub.id, grade_input(5.0, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, ReviewError::ChangedMeanwhile));
    assert_eq!(err.class(), ErrorClass::Conflict);
    assert_eq!(err.code(), "changed_meanwhile");
}

fn quiz(w: &World) -> Quiz {
    Quiz {
        id: QuizId::new(),
        course_id: w.course.id,
        title: Title::parse("Тест").unwrap(),
        description: RichText::default(),
        settings: QuizSettings::default(),
        published: true,
        created_at: t0(),
    }
}

fn attempt(quiz: QuizId, student: UserId, state: AttemptState) -> Attempt {
    Attempt {
        id: AttemptId::new(),
        quiz_id: quiz,
        student_id: student,
        number: 1,
        seed: 7,
        question_order: vec![],
        started_at: t0() - Duration::days(1),
        deadline: None,
        state,
        answers: BTreeMap::new(),
        saved_at: None,
        finished_at: None,
        result: None,
        submit_key: None,
    }
}

#[tokio::test]
async fn the_grade_that_completes_a_course_earns_the_course_badge() {
    let (w, a, sub) = grading_world();
    let s = w.student.user_id;
    let b = w.assignment();
    let b_done = submission(b.id, s, SubmissionState::Graded, t0(), false);
    let q = quiz(&w);
    let mut data = course_data(&w, vec![a.clone(), b.clone()], vec![sub.clone(), b_done]);
    data.quizzes = vec![q.clone()];
    data.attempts = vec![attempt(q.id, s, AttemptState::AutoSubmitted)];

    let (m, seen) = review_mocks(&w, Some(snapshot(vec![data.clone()], vec![])), &sub);
    m.build(&w)
        .grade(&w.owner, sub.id, grade_input(9.0, 1))
        .await
        .unwrap();
    let r = only(&seen);
    assert_eq!(
        r.awards,
        vec![Achievement {
            user_id: s,
            badge: Badge::CourseCompleted,
            course_id: Some(w.course.id),
            awarded_at: t0(),
        }]
    );
    let event = format!("achievement:course_completed:{}", w.course.id);
    let badge_entries: Vec<_> = r
        .outbox
        .iter()
        .filter(|e| matches!(e.notification, Notification::AchievementAwarded { .. }))
        .collect();
    assert_eq!(badge_entries.len(), 2, "email and telegram");
    for e in badge_entries {
        assert_eq!(e.dedup_key, DedupKey::new(s, &event, e.channel));
        assert_eq!(
            e.notification,
            Notification::AchievementAwarded {
                badge: Badge::CourseCompleted,
                course_id: Some(w.course.id),
                quiz_id: None,
            }
        );
    }

    // An open quiz attempt is not a finished quiz; a badge already held
    // is not awarded again.
    let mut open = data.clone();
    open.attempts = vec![attempt(q.id, s, AttemptState::Open)];
    let held = Achievement::new(s, Badge::CourseCompleted, w.course.id, t0());
    for snap in [
        snapshot(vec![open], vec![]),
        snapshot(vec![data], vec![held]),
    ] {
        let (m, seen) = review_mocks(&w, Some(snap), &sub);
        m.build(&w)
            .grade(&w.owner, sub.id, grade_input(9.0, 1))
            .await
            .unwrap();
        let r = only(&seen);
        assert!(r.awards.is_empty());
        assert!(
            r.outbox
                .iter()
                .all(|e| matches!(e.notification, Notification::HomeworkGraded { .. }))
        );
    }
}

#[tokio::test]
async fn staff_whose_school_role_changed_lose_the_course() {
    let (mut w, a, sub) = grading_world();
    let owner_as_assistant = Actor {
        role: Role::Assistant,
        ..w.owner
    };
    let owner_as_student = Actor {
        role: Role::Student,
        ..w.owner
    };
    let assistant_as_student = Actor {
        role: Role::Student,
        ..w.assistant
    };
    let input = input_from(&a);
    for who in [
        &owner_as_assistant,
        &owner_as_student,
        &assistant_as_student,
    ] {
        let err = bare(&w)
            .grade(who, sub.id, grade_input(5.0, 1))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "submission_not_found", "{:?}", who.role);
        let err = bare(&w)
            .list_submissions(who, a.id, Page::first())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "assignment_not_found", "{:?}", who.role);
        let err = bare(&w)
            .create_assignment(who, w.course.id, input.clone())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "course_not_found", "{:?}", who.role);
    }
    // A teacher who assists keeps checking homework there.
    w.assistant.role = Role::Teacher;
    let mut m = Mocks::new();
    m.hw.expect_list_submissions().returning(|_, _| Ok(vec![]));
    let listed = m
        .build(&w)
        .list_submissions(&w.assistant, a.id, Page::first())
        .await
        .unwrap();
    assert!(listed.is_empty());
}

#[tokio::test]
async fn only_the_course_staff_and_admins_grade() {
    let (w, _, sub) = grading_world();
    let cases = [
        (&w.student, "forbidden"),
        (&w.classmate, "submission_not_found"),
        (&w.stranger, "submission_not_found"),
        (&w.other_assistant, "submission_not_found"),
        (&w.other_teacher, "submission_not_found"),
    ];
    for (who, code) in cases {
        let err = bare(&w)
            .grade(who, sub.id, grade_input(5.0, 1))
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "grade by {:?}", who.role);
        let err = bare(&w)
            .return_for_rework(who, sub.id, RichText::sanitize("<p>ещё раз</p>"), 1)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "return by {:?}", who.role);
    }
    let err = bare(&w)
        .grade(&w.owner, SubmissionId::new(), grade_input(5.0, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, ReviewError::NotFound));
}

// --- return_for_rework -------------------------------------------------

#[tokio::test]
async fn returning_for_rework_audits_and_notifies() {
    let (w, a, sub) = grading_world();
    let s = w.student.user_id;
    let (m, seen) = review_mocks(&w, None, &sub);
    let feedback = RichText::sanitize("<p>Добавьте решение задачи 3</p>");
    let result = m
        .build(&w)
        .return_for_rework(&w.assistant, sub.id, feedback.clone(), 1)
        .await
        .unwrap();
    let r = only(&seen);
    assert_eq!(result.state, SubmissionState::ReturnedForRework);
    assert_eq!(r.state, SubmissionState::ReturnedForRework);
    assert_eq!(r.expected_version, 1);
    assert_eq!(r.grade, None);
    assert_eq!(r.rework_feedback, Some(feedback.clone()));
    assert_eq!(r.audit.action, AuditAction::Returned);
    assert_eq!(r.audit.feedback, feedback);
    assert_eq!(r.audit.actor_id, w.assistant.user_id);
    assert!(r.awards.is_empty());
    let event = format!("returned:{}:1:{}", sub.id, r.audit.id);
    assert_eq!(r.outbox.len(), 2);
    for e in &r.outbox {
        assert_eq!(e.dedup_key, DedupKey::new(s, &event, e.channel));
        assert_eq!(
            e.notification,
            Notification::HomeworkReturned {
                course_id: w.course.id,
                assignment_id: a.id,
                title: "ДЗ 1".into(),
                submission_id: sub.id,
            }
        );
    }
}

#[tokio::test]
async fn return_rules() {
    let (w, _, sub) = grading_world();
    let feedback = RichText::sanitize("<p>Переделайте</p>");

    let mut returned = sub.clone();
    returned.state = SubmissionState::ReturnedForRework;
    let mut wr = w.clone();
    wr.submissions = vec![returned.clone()];
    let err = bare(&wr)
        .return_for_rework(&w.owner, returned.id, feedback.clone(), 1)
        .await
        .unwrap_err();
    assert!(matches!(err, ReviewError::NotReturnable));

    let err = bare(&w)
        .return_for_rework(&w.owner, sub.id, RichText::sanitize("<p> </p>"), 1)
        .await
        .unwrap_err();
    assert!(matches!(err, ReviewError::FeedbackRequired));
    assert!(err.to_string().contains("feedback"));

    let err = bare(&w)
        .return_for_rework(&w.owner, sub.id, feedback.clone(), 3)
        .await
        .unwrap_err();
    assert!(matches!(err, ReviewError::ChangedMeanwhile));

    // Graded work can be returned too.
    let mut graded = sub.clone();
    graded.state = SubmissionState::Graded;
    let mut wg = w.clone();
    wg.submissions = vec![graded.clone()];
    let (m, seen) = review_mocks(&wg, None, &graded);
    m.build(&wg)
        .return_for_rework(&w.owner, graded.id, feedback, 1)
        .await
        .unwrap();
    assert_eq!(only(&seen).state, SubmissionState::ReturnedForRework);
}

// --- reading submissions -----------------------------------------------

#[tokio::test]
async fn submissions_are_visible_to_their_student_and_the_course_staff() {
    let (w, _, sub) = grading_world();
    for who in [&w.student, &w.assistant, &w.owner, &w.admin] {
        let got = bare(&w).get_submission(who, sub.id).await.unwrap();
        assert_eq!(got, sub, "{:?}", who.role);
    }
    for who in [
        &w.classmate,
        &w.stranger,
        &w.other_assistant,
        &w.other_teacher,
    ] {
        let err = bare(&w).get_submission(who, sub.id).await.unwrap_err();
        assert!(
            matches!(err, HomeworkReadError::SubmissionNotFound),
            "{:?}",
            who.role
        );
    }
}

#[tokio::test]
async fn grade_history_follows_submission_visibility() {
    let (w, _, sub) = grading_world();
    let entry = GradeAuditEntry {
        id: AuditId::new(),
        submission_id: sub.id,
        actor_id: w.owner.user_id,
        at: t0(),
        action: AuditAction::Returned,
        feedback: RichText::sanitize("<p>ещё</p>"),
    };
    for who in [&w.student, &w.assistant, &w.admin] {
        let mut m = Mocks::new();
        let e2 = entry.clone();
        m.hw.expect_grade_audit()
            .with(eq(sub.id))
            .returning(move |_| Ok(vec![e2.clone()]));
        let history = m.build(&w).grade_history(who, sub.id).await.unwrap();
        assert_eq!(history, vec![entry.clone()]);
    }
    for who in [&w.classmate, &w.other_assistant, &w.other_teacher] {
        let err = bare(&w).grade_history(who, sub.id).await.unwrap_err();
        assert!(matches!(err, HomeworkReadError::SubmissionNotFound));
    }
}

#[tokio::test]
async fn my_submission_needs_a_visible_assignment() {
    let (mut w, a, sub) = grading_world();
    let s = w.student.user_id;
    let mut m = Mocks::new();
    let sub2 = sub.clone();
    m.hw.expect_find_submission()
        .with(eq(a.id), eq(s))
        .returning(move |_, _| Ok(Some(sub2.clone())));
    assert_eq!(
        m.build(&w).my_submission(&w.student, a.id).await.unwrap(),
        Some(sub)
    );
    let mut draft = w.assignment();
    draft.published = false;
    let draft = w.add(draft);
    for (who, id) in [(&w.student, draft.id), (&w.stranger, a.id)] {
        let err = bare(&w).my_submission(who, id).await.unwrap_err();
        assert!(matches!(err, HomeworkReadError::AssignmentNotFound));
    }
}

#[tokio::test]
async fn every_submission_is_listed_for_staff_only() {
    let (w, a, sub) = grading_world();
    let page = Page::new(10, 20);
    let mut m = Mocks::new();
    let sub2 = sub.clone();
    m.hw.expect_list_submissions()
        .with(eq(a.id), eq(page))
        .times(1)
        .returning(move |_, _| Ok(vec![sub2.clone()]));
    let list = m
        .build(&w)
        .list_submissions(&w.assistant, a.id, page)
        .await
        .unwrap();
    assert_eq!(list, vec![sub]);
    for (who, code) in [
        (&w.student, "forbidden"),
        (&w.stranger, "assignment_not_found"),
        (&w.other_assistant, "assignment_not_found"),
        (&w.other_teacher, "assignment_not_found"),
    ] {
        let err = bare(&w)
            .list_submissions(who, a.id, page)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{:?}", who.role);
    }
}

// --- grading_queue -----------------------------------------------------

fn other_course(owner: UserId) -> Course {
    Course {
        id: CourseId::new(),
        title: Title::parse("Физика").unwrap(),
        description: RichText::default(),
        owner_id: owner,
        status: CourseStatus::Published,
        invite_code: None,
        created_at: t0(),
    }
}

fn pending(course: CourseId) -> PendingSubmission {
    let a = AssignmentId::new();
    PendingSubmission {
        submission: submission(a, UserId::new(), SubmissionState::Submitted, t0(), false),
        assignment_id: a,
        course_id: course,
    }
}

#[tokio::test]
async fn the_queue_covers_courses_the_actor_checks() {
    let w = World::new(CourseStatus::Published);
    let owned = other_course(w.other_teacher.user_id);
    let assisted = other_course(UserId::new());
    let studied = other_course(UserId::new());
    let memberships = vec![
        CourseMembership {
            course: owned.clone(),
            role: CourseRole::Owner,
        },
        CourseMembership {
            course: assisted.clone(),
            role: CourseRole::Assistant,
        },
        CourseMembership {
            course: studied.clone(),
            role: CourseRole::Student,
        },
    ];
    let page = Page::new(5, 0);
    let queue = vec![pending(owned.id)];
    let (o, a) = (owned.id, assisted.id);
    // A teacher checks what they own and assist in; the same user
    // demoted to assistant keeps only what an assistant may check.
    let teacher = w.other_teacher;
    let demoted = Actor {
        role: Role::Assistant,
        ..teacher
    };
    for (who, expected) in [(teacher, vec![o, a]), (demoted, vec![a])] {
        let mut m = Mocks::new();
        let ms = memberships.clone();
        m.courses
            .expect_list_member_courses()
            .with(eq(teacher.user_id), eq(Page::new(Page::MAX_LIMIT, 0)))
            .times(1)
            .returning(move |_, _| Ok(ms.clone()));
        let q2 = queue.clone();
        m.hw.expect_pending_submissions()
            .withf(move |courses, p| courses == expected.as_slice() && *p == page)
            .times(1)
            .returning(move |_, _| Ok(q2.clone()));
        let got = m.build(&w).grading_queue(&who, None, page).await.unwrap();
        assert_eq!(got, queue, "{:?}", who.role);
    }

    // Demoted to student, the same memberships check nothing: an empty
    // queue without asking storage.
    let mut m = Mocks::new();
    let ms = memberships.clone();
    m.courses
        .expect_list_member_courses()
        .returning(move |_, _| Ok(ms.clone()));
    let student_now = Actor {
        role: Role::Student,
        ..teacher
    };
    let got = m
        .build(&w)
        .grading_queue(&student_now, None, page)
        .await
        .unwrap();
    assert!(got.is_empty());

    // A student checks nothing: an empty queue without asking storage.
    let mut m = Mocks::new();
    let only_student = vec![CourseMembership {
        course: studied,
        role: CourseRole::Student,
    }];
    m.courses
        .expect_list_member_courses()
        .returning(move |_, _| Ok(only_student.clone()));
    let got = m
        .build(&w)
        .grading_queue(&w.student, None, page)
        .await
        .unwrap();
    assert!(got.is_empty());
}

#[tokio::test]
async fn the_admin_queue_pages_through_every_course() {
    let w = World::new(CourseStatus::Published);
    let courses: Vec<Course> = (0..201).map(|_| other_course(UserId::new())).collect();
    let ids: Vec<CourseId> = courses.iter().map(|c| c.id).collect();
    let mut m = Mocks::new();
    let c2 = courses.clone();
    m.courses
        .expect_list_all_courses()
        .times(2)
        .returning(move |p| Ok(p.slice(&c2)));
    let q = vec![pending(ids[200])];
    let q2 = q.clone();
    m.hw.expect_pending_submissions()
        .withf(move |c, _| c == ids.as_slice())
        .times(1)
        .returning(move |_, _| Ok(q2.clone()));
    let got = m
        .build(&w)
        .grading_queue(&w.admin, None, Page::first())
        .await
        .unwrap();
    assert_eq!(got, q);
}

#[tokio::test]
async fn the_queue_of_one_course_is_for_its_staff() {
    let w = World::new(CourseStatus::Published);
    let page = Page::first();
    for who in [&w.assistant, &w.owner, &w.admin] {
        let mut m = Mocks::new();
        let course = w.course.id;
        let q = vec![pending(course)];
        let q2 = q.clone();
        m.hw.expect_pending_submissions()
            .withf(move |c, _| c == [course])
            .times(1)
            .returning(move |_, _| Ok(q2.clone()));
        let got = m
            .build(&w)
            .grading_queue(who, Some(course), page)
            .await
            .unwrap();
        assert_eq!(got, q);
    }
    for (who, code) in [
        (&w.student, "forbidden"),
        (&w.stranger, "course_not_found"),
        (&w.other_assistant, "course_not_found"),
        (&w.other_teacher, "course_not_found"),
    ] {
        let err = bare(&w)
            .grading_queue(who, Some(w.course.id), page)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{:?}", who.role);
    }
}

// --- pure helpers ------------------------------------------------------

#[test]
fn progress_counts_graded_assignments_and_finished_quizzes() {
    let w = World::new(CourseStatus::Published);
    let s = w.student.user_id;
    let (a, b) = (w.assignment(), w.assignment());
    let q = quiz(&w);
    let mut data = course_data(
        &w,
        vec![a.clone(), b.clone()],
        vec![
            submission(a.id, s, SubmissionState::Graded, t0(), false),
            submission(b.id, s, SubmissionState::Submitted, t0(), false),
        ],
    );
    data.lessons_viewed = 1;
    data.quizzes = vec![q.clone()];
    data.attempts = vec![
        attempt(q.id, s, AttemptState::Open),
        attempt(q.id, s, AttemptState::Submitted),
    ];
    assert_eq!(
        CourseProgress::of_student(&data, None, None),
        CourseProgress {
            lessons_total: 2,
            lessons_viewed: 1,
            assignments_total: 2,
            assignments_done: 1,
            quizzes_total: 1,
            quizzes_done: 1,
        }
    );
    assert_eq!(
        CourseProgress::of_student(&data, Some(b.id), None).assignments_done,
        2
    );
    assert_eq!(
        CourseProgress::of_student(&data, Some(a.id), None).assignments_done,
        1,
        "already graded counts once"
    );
    assert_eq!(
        CourseProgress::of_student(&data, Some(AssignmentId::new()), None).assignments_done,
        1,
        "an assignment not in the course data does not count"
    );
}

#[test]
fn error_classes_and_codes() {
    assert_eq!(HandInError::PastCutOff.class(), ErrorClass::Conflict);
    assert_eq!(HandInError::NotFound.class(), ErrorClass::NotFound);
    assert_eq!(
        HandInError::Storage(StorageError::Transient("x".into())).class(),
        ErrorClass::Unavailable
    );
    assert_eq!(
        ReviewError::from(StorageError::NotFound).code(),
        "submission_not_found"
    );
    assert_eq!(
        ReviewError::from(StorageError::Permanent("x".into())).class(),
        ErrorClass::Internal
    );
    assert_eq!(AssignmentError::Forbidden.class(), ErrorClass::Forbidden);
    assert_eq!(
        ExtensionError::StudentNotEnrolled.class(),
        ErrorClass::Invalid
    );
}

proptest! {
    /// Handing in one assignment after another, each badge is earned at
    /// most once, the first homework by the very first hand-in, and the
    /// streak exactly when five on-time first hand-ins in a row exist.
    #[test]
    fn hand_in_badges_are_earned_once_at_the_right_moment(
        lateness in proptest::collection::vec(any::<bool>(), 1..14),
    ) {
        let w = World::new(CourseStatus::Published);
        let s = w.student.user_id;
        let mut history: Vec<Submission> = Vec::new();
        let mut earned: Vec<(usize, Badge)> = Vec::new();
        let mut run = 0usize;
        let mut streak_at = None;
        for (i, late) in lateness.iter().copied().enumerate() {
            let a = w.assignment();
            let at = t0() + Duration::hours(i64::try_from(i).unwrap());
            let id = SubmissionId::new();
            let v = version(id, 1, at, late);
            let state = if late { SubmissionState::SubmittedLate } else { SubmissionState::Submitted };
            let firsts: Vec<FirstHandIn> = history.iter().filter_map(FirstHandIn::of).collect();
            for b in hand_in_badges(&firsts, &a, &v) {
                earned.push((i, b));
            }
            run = if late { 0 } else { run + 1 };
            if run == 5 && streak_at.is_none() {
                streak_at = Some(i);
            }
            history.push(submission(a.id, s, state, at, late));
        }
        let mut expected = vec![(0, Badge::FirstHomework)];
        if let Some(i) = streak_at {
            expected.push((i, Badge::OnTimeStreak5));
        }
        prop_assert_eq!(earned, expected);
    }

}
