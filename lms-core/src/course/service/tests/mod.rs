//! Tests of the course service.

use super::lessons::is_permutation;
use super::*;
use crate::clock::ManualClock;
use crate::course::model::CourseMembership;
use crate::course::ports::{LessonForViewer, MockCourseStore};
use crate::error::DomainError;
use crate::file::MockFileRegistry;
use crate::user::{DisplayName, Email, Locale, MockUserStore, TimeZone};
use chrono::{Duration, TimeZone as _};
use proptest::prelude::*;
use std::fmt::Debug;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use CourseStatus::{Archived, Draft, Published};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, 1, 8, 0, 0).unwrap()
}

fn actor(role: Role) -> Actor {
    Actor {
        user_id: UserId::new(),
        role,
    }
}

fn course(status: CourseStatus) -> Course {
    Course {
        id: CourseId::new(),
        title: Title::parse("Алгебра, 8 класс").unwrap(),
        description: RichText::sanitize("<p>Линейные уравнения</p>"),
        owner_id: UserId::new(),
        status,
        invite_code: Some(InviteCode::parse("ABCD-EFGH").unwrap()),
        cover: None,
        created_at: now() - Duration::days(10),
    }
}

fn user(role: Role) -> User {
    User {
        id: UserId::new(),
        email: Email::parse(&format!("{}@school.ru", UserId::new())).unwrap(),
        display_name: DisplayName::parse("Мария Кузнецова").unwrap(),
        role,
        locale: Locale::Ru,
        time_zone: TimeZone::default(),
        active: true,
        created_at: now() - Duration::days(100),
    }
}

/// The lesson every lesson-level test uses for a course: its id is
/// derived from the course's, so operations can name it.
fn lesson_of(course: &Course, publish_at: Option<DateTime<Utc>>) -> Lesson {
    Lesson {
        id: LessonId(course.id.as_uuid()),
        course_id: course.id,
        title: Title::parse("Урок 1").unwrap(),
        body: RichText::sanitize("<p>Тело</p>"),
        position: 3,
        publish_at,
        published: true,
        attachments: Vec::new(),
        created_at: now() - Duration::days(2),
    }
}

fn lesson_input() -> LessonInput {
    LessonInput {
        title: Title::parse("Квадратные уравнения").unwrap(),
        body: RichText::sanitize("<h2>Дискриминант</h2><script>x()</script>"),
        publish_at: Some(now() + Duration::days(1)),
        published: None,
        attachment_ids: None,
    }
}

fn file_ref(name: &str) -> FileRef {
    FileRef {
        id: FileId::new(),
        name: crate::file::FileName::sanitize(name),
        content_type: "application/pdf".into(),
        size: 1024,
        storage_key: format!("k/{name}"),
        uploaded_by: UserId::new(),
        uploaded_at: now(),
    }
}

/// A service whose file registry expects nothing: a file lookup panics.
fn service(courses: MockCourseStore, users: MockUserStore) -> CourseService {
    service_with_files(courses, users, MockFileRegistry::new())
}

fn service_with_files(
    courses: MockCourseStore,
    users: MockUserStore,
    files: MockFileRegistry,
) -> CourseService {
    CourseService::new(
        Arc::new(courses),
        Arc::new(crate::group::no_groups()),
        Arc::new(users),
        Arc::new(files),
        Arc::new(ManualClock::new(now())),
    )
}

/// The store knows `course` and the actor's `role` in it, read in one
/// call (a `get_course` or `membership` call would panic).
fn expect_access(
    courses: &mut MockCourseStore,
    course: &Course,
    actor: &Actor,
    role: Option<CourseRole>,
) {
    let c = course.clone();
    let (id, uid) = (course.id, actor.user_id);
    courses
        .expect_course_for()
        .withf(move |c, u| *c == id && *u == uid)
        .returning(move |_, _| Ok(Some((c.clone(), role))));
}

/// The store knows `lesson` of `course`, the actor's `role` in the course
/// and whether their view of the lesson is recorded, read in one call (a
/// `get_lesson`, `get_course` or `membership` call would panic).
fn expect_lesson_access(
    courses: &mut MockCourseStore,
    lesson: &Lesson,
    course: &Course,
    actor: &Actor,
    role: Option<CourseRole>,
    viewed: bool,
) {
    let found = LessonForViewer {
        lesson: lesson.clone(),
        course: course.clone(),
        role,
        viewed,
    };
    let (id, uid) = (lesson.id, actor.user_id);
    courses
        .expect_lesson_for()
        .withf(move |l, u| *l == id && *u == uid)
        .returning(move |_, _| Ok(Some(found.clone())));
}

fn expect_user(users: &mut MockUserStore, u: &User) {
    let u = u.clone();
    let id = u.id;
    users
        .expect_get_user()
        .withf(move |x| *x == id)
        .returning(move |_| Ok(Some(u.clone())));
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Allowed,
    NotFound,
    Forbidden,
}

#[derive(Debug, Clone, Copy)]
enum Level {
    View,
    Grade,
    Manage,
}

struct Case {
    name: &'static str,
    role: Role,
    membership: Option<CourseRole>,
    status: CourseStatus,
    view: Outcome,
    grade: Outcome,
    manage: Outcome,
}

use Outcome::{Allowed as A, Forbidden as F, NotFound as N};

/// Every kind of actor against a course, with what they may do.
const CASES: [Case; 10] = [
    Case {
        name: "admin, not a member",
        role: Role::Admin,
        membership: None,
        status: Draft,
        view: A,
        grade: A,
        manage: A,
    },
    Case {
        name: "owner",
        role: Role::Teacher,
        membership: Some(CourseRole::Owner),
        status: Draft,
        view: A,
        grade: A,
        manage: A,
    },
    Case {
        name: "another teacher",
        role: Role::Teacher,
        membership: None,
        status: Published,
        view: N,
        grade: N,
        manage: N,
    },
    Case {
        name: "assistant of the course",
        role: Role::Assistant,
        membership: Some(CourseRole::Assistant),
        status: Draft,
        view: A,
        grade: A,
        manage: F,
    },
    Case {
        name: "teacher assisting the course",
        role: Role::Teacher,
        membership: Some(CourseRole::Assistant),
        status: Published,
        view: A,
        grade: A,
        manage: F,
    },
    Case {
        name: "assistant of another course",
        role: Role::Assistant,
        membership: None,
        status: Published,
        view: N,
        grade: N,
        manage: N,
    },
    Case {
        name: "enrolled student, published",
        role: Role::Student,
        membership: Some(CourseRole::Student),
        status: Published,
        view: A,
        grade: F,
        manage: F,
    },
    Case {
        name: "enrolled student, archived",
        role: Role::Student,
        membership: Some(CourseRole::Student),
        status: Archived,
        view: A,
        grade: F,
        manage: F,
    },
    Case {
        name: "enrolled student, draft",
        role: Role::Student,
        membership: Some(CourseRole::Student),
        status: Draft,
        view: N,
        grade: N,
        manage: N,
    },
    Case {
        name: "student not enrolled",
        role: Role::Student,
        membership: None,
        status: Published,
        view: N,
        grade: N,
        manage: N,
    },
];

/// Runs `op` for every case that `level` denies and checks the error
/// code; the mocks have no write expectations, so a write would panic.
async fn assert_denied<T: Debug, E: DomainError>(
    level: Level,
    not_found_code: &str,
    extra: impl Fn(&mut MockCourseStore, &Course, &Actor, Option<CourseRole>),
    op: impl AsyncFn(&CourseService, &Actor, &Course) -> Result<T, E>,
) {
    let mut denied = 0;
    for case in &CASES {
        let outcome = match level {
            Level::View => case.view,
            Level::Grade => case.grade,
            Level::Manage => case.manage,
        };
        let expected = match outcome {
            Outcome::Allowed => continue,
            Outcome::NotFound => not_found_code,
            Outcome::Forbidden => "forbidden",
        };
        denied += 1;
        let course = course(case.status);
        let a = actor(case.role);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &course, &a, case.membership);
        extra(&mut courses, &course, &a, case.membership);
        let svc = service(courses, MockUserStore::new());
        let err = op(&svc, &a, &course).await.expect_err(case.name);
        assert_eq!(err.code(), expected, "{}", case.name);
    }
    assert!(denied >= 4, "the matrix must exercise denials");
}

fn no_extra(_: &mut MockCourseStore, _: &Course, _: &Actor, _: Option<CourseRole>) {}

/// The course's visible lesson, not yet viewed by the actor.
fn visible_lesson(
    courses: &mut MockCourseStore,
    course: &Course,
    actor: &Actor,
    role: Option<CourseRole>,
) {
    expect_lesson_access(
        courses,
        &lesson_of(course, None),
        course,
        actor,
        role,
        false,
    );
}

mod a_student_s_lesson_progress;
mod assistants;
mod bulk_enrolment;
mod create_course;
mod enroll_student_unenroll_list_students;
mod get_course_list_my_courses;
mod invite_codes;
mod join_by_code;
mod lessons_reads;
mod lessons_writes;
mod pure_rules;
mod reorder;
mod set_status;
mod update_course;
mod view_flags;
#[allow(unused_imports)]
use {
    a_student_s_lesson_progress::*, assistants::*, create_course::*,
    enroll_student_unenroll_list_students::*, get_course_list_my_courses::*, invite_codes::*,
    join_by_code::*, lessons_reads::*, lessons_writes::*, pure_rules::*, reorder::*, set_status::*,
    update_course::*,
};
