//! Tests of the course service.

use super::lessons::is_permutation;
use super::*;
use crate::clock::ManualClock;
use crate::course::model::CourseMembership;
use crate::course::ports::MockCourseStore;
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
        Arc::new(users),
        Arc::new(files),
        Arc::new(ManualClock::new(now())),
    )
}

/// The store knows `course` and the actor's `role` in it.
fn expect_access(
    courses: &mut MockCourseStore,
    course: &Course,
    actor: &Actor,
    role: Option<CourseRole>,
) {
    let c = course.clone();
    let id = course.id;
    courses
        .expect_get_course()
        .withf(move |x| *x == id)
        .returning(move |_| Ok(Some(c.clone())));
    let uid = actor.user_id;
    courses
        .expect_membership()
        .withf(move |c, u| *c == id && *u == uid)
        .returning(move |_, _| Ok(role));
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
    extra: impl Fn(&mut MockCourseStore, &Course),
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
        extra(&mut courses, &course);
        let svc = service(courses, MockUserStore::new());
        let err = op(&svc, &a, &course).await.expect_err(case.name);
        assert_eq!(err.code(), expected, "{}", case.name);
    }
    assert!(denied >= 4, "the matrix must exercise denials");
}

fn no_extra(_: &mut MockCourseStore, _: &Course) {}

fn visible_lesson(courses: &mut MockCourseStore, course: &Course) {
    let l = lesson_of(course, None);
    courses
        .expect_get_lesson()
        .returning(move |_| Ok(Some(l.clone())));
}

// ---- pure rules ----

#[test]
fn lifecycle_transitions_are_exactly_the_four_allowed() {
    let all = [Draft, Published, Archived];
    let allowed = [
        (Draft, Published),
        (Published, Draft),
        (Published, Archived),
        (Archived, Published),
    ];
    for from in all {
        for to in all {
            assert_eq!(
                is_allowed_transition(from, to),
                allowed.contains(&(from, to)),
                "{from:?} -> {to:?}"
            );
        }
    }
}

fn lessons_with_ids(ids: &[LessonId]) -> Vec<Lesson> {
    let c = course(Draft);
    ids.iter()
        .map(|id| Lesson {
            id: *id,
            ..lesson_of(&c, None)
        })
        .collect()
}

proptest! {
    #[test]
    fn any_shuffle_is_a_permutation_and_any_damage_is_not(
        n in 1usize..12,
        seed in any::<u64>(),
        victim in any::<prop::sample::Index>(),
    ) {
        let ids: Vec<LessonId> = (0..n).map(|_| LessonId::new()).collect();
        let lessons = lessons_with_ids(&ids);
        let mut order = ids.clone();
        // Deterministic shuffle from the seed.
        let mut s = seed;
        for i in (1..order.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (s >> 33) as usize % (i + 1));
        }
        prop_assert!(is_permutation(&order, &lessons));

        let k = victim.index(n);
        let mut missing = order.clone();
        missing.remove(k);
        prop_assert!(!is_permutation(&missing, &lessons));

        let mut extra = order.clone();
        extra.push(LessonId::new());
        prop_assert!(!is_permutation(&extra, &lessons));

        let mut duplicated = order.clone();
        duplicated.push(order[k]);
        prop_assert!(!is_permutation(&duplicated, &lessons));

        let mut replaced = order.clone();
        replaced[k] = LessonId::new();
        prop_assert!(!is_permutation(&replaced, &lessons));
    }
}

#[test]
fn duplicate_in_place_of_another_lesson_is_not_a_permutation() {
    let ids = [LessonId::new(), LessonId::new(), LessonId::new()];
    let lessons = lessons_with_ids(&ids);
    assert!(!is_permutation(&[ids[0], ids[0], ids[2]], &lessons));
    assert!(is_permutation(&[], &[]));
}

// ---- create_course ----

fn new_course(owner_id: Option<UserId>) -> NewCourse {
    NewCourse {
        title: Title::parse("Геометрия").unwrap(),
        description: RichText::sanitize("<p>Треугольники</p>"),
        owner_id,
    }
}

fn capture_insert(courses: &mut MockCourseStore) -> Arc<Mutex<Vec<Course>>> {
    let stored = Arc::new(Mutex::new(Vec::new()));
    let s = stored.clone();
    courses.expect_insert_course().returning(move |c| {
        s.lock().unwrap().push(c.clone());
        Ok(())
    });
    stored
}

#[tokio::test]
async fn teacher_creates_a_draft_they_own_with_an_invite_code() {
    let teacher = actor(Role::Teacher);
    for owner in [None, Some(teacher.user_id)] {
        let mut courses = MockCourseStore::new();
        let stored = capture_insert(&mut courses);
        let svc = service(courses, MockUserStore::new());
        let created = svc
            .create_course(&teacher, new_course(owner))
            .await
            .unwrap();
        assert_eq!(created.owner_id, teacher.user_id);
        assert_eq!(created.status, Draft);
        assert_eq!(created.title.as_str(), "Геометрия");
        assert_eq!(created.description.as_html(), "<p>Треугольники</p>");
        assert_eq!(created.created_at, now());
        assert!(created.invite_code.is_some());
        assert_eq!(*stored.lock().unwrap(), vec![created]);
    }
}

#[tokio::test]
async fn teacher_cannot_create_a_course_for_someone_else() {
    let svc = service(MockCourseStore::new(), MockUserStore::new());
    let err = svc
        .create_course(&actor(Role::Teacher), new_course(Some(UserId::new())))
        .await
        .unwrap_err();
    assert!(matches!(err, CreateCourseError::Forbidden));
}

#[tokio::test]
async fn assistants_and_students_cannot_create_courses() {
    for role in [Role::Assistant, Role::Student] {
        let svc = service(MockCourseStore::new(), MockUserStore::new());
        let err = svc
            .create_course(&actor(role), new_course(None))
            .await
            .unwrap_err();
        assert!(matches!(err, CreateCourseError::Forbidden), "{role:?}");
        assert_eq!(err.code(), "forbidden");
    }
}

#[tokio::test]
async fn admin_owns_by_default_or_names_an_active_teacher() {
    let admin = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    let stored = capture_insert(&mut courses);
    let svc = service(courses, MockUserStore::new());
    let created = svc.create_course(&admin, new_course(None)).await.unwrap();
    assert_eq!(created.owner_id, admin.user_id);
    assert_eq!(stored.lock().unwrap()[0].owner_id, admin.user_id);

    let teacher = user(Role::Teacher);
    let mut users = MockUserStore::new();
    expect_user(&mut users, &teacher);
    let mut courses = MockCourseStore::new();
    let stored = capture_insert(&mut courses);
    let svc = service(courses, users);
    let created = svc
        .create_course(&admin, new_course(Some(teacher.id)))
        .await
        .unwrap();
    assert_eq!(created.owner_id, teacher.id);
    assert_eq!(stored.lock().unwrap()[0].owner_id, teacher.id);
}

#[tokio::test]
async fn admin_cannot_name_a_non_teacher_or_inactive_or_unknown_owner() {
    let mut inactive = user(Role::Teacher);
    inactive.active = false;
    let candidates = [
        Some(inactive),
        Some(user(Role::Student)),
        Some(user(Role::Assistant)),
        Some(user(Role::Admin)),
        None,
    ];
    for found in candidates {
        let mut users = MockUserStore::new();
        let f = found.clone();
        users.expect_get_user().returning(move |_| Ok(f.clone()));
        let svc = service(MockCourseStore::new(), users);
        let err = svc
            .create_course(&actor(Role::Admin), new_course(Some(UserId::new())))
            .await
            .unwrap_err();
        assert!(matches!(err, CreateCourseError::InvalidOwner), "{found:?}");
        assert_eq!(err.class(), crate::ErrorClass::Invalid);
    }
}

#[tokio::test]
async fn invite_code_clash_is_retried_once_with_a_new_code() {
    let mut courses = MockCourseStore::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    courses.expect_insert_course().times(2).returning(move |c| {
        let mut s = s.lock().unwrap();
        s.push(c.invite_code.clone().unwrap());
        if s.len() == 1 {
            Err(StorageError::Conflict(Conflict::InviteCode))
        } else {
            Ok(())
        }
    });
    let svc = service(courses, MockUserStore::new());
    let created = svc
        .create_course(&actor(Role::Teacher), new_course(None))
        .await
        .unwrap();
    let codes = seen.lock().unwrap().clone();
    assert_ne!(codes[0], codes[1], "the retry uses a fresh code");
    assert_eq!(created.invite_code, Some(codes[1].clone()));
}

#[tokio::test]
async fn second_invite_code_clash_is_a_conflict() {
    let mut courses = MockCourseStore::new();
    courses
        .expect_insert_course()
        .times(2)
        .returning(|_| Err(StorageError::Conflict(Conflict::InviteCode)));
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .create_course(&actor(Role::Teacher), new_course(None))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        CreateCourseError::Storage(StorageError::Conflict(Conflict::InviteCode))
    ));
    assert_eq!(err.class(), crate::ErrorClass::Conflict);
}

// ---- get_course / list_my_courses ----

#[tokio::test]
async fn get_course_is_denied_to_those_who_cannot_see_it() {
    assert_denied(
        Level::View,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.get_course(a, c.id).await,
    )
    .await;
}

#[tokio::test]
async fn get_course_shows_the_invite_code_to_staff_only() {
    for case in CASES.iter().filter(|c| c.view == Outcome::Allowed) {
        let c = course(case.status);
        let a = actor(case.role);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, case.membership);
        let svc = service(courses, MockUserStore::new());
        let v = svc.get_course(&a, c.id).await.unwrap();
        assert_eq!(v.role, case.membership, "{}", case.name);
        assert_eq!(v.course.title, c.title);
        let staff = case.grade == Outcome::Allowed;
        let expected_code = if staff { c.invite_code.clone() } else { None };
        assert_eq!(v.course.invite_code, expected_code, "{}", case.name);
    }
}

#[tokio::test]
async fn unknown_course_is_not_found() {
    let mut courses = MockCourseStore::new();
    courses.expect_get_course().returning(|_| Ok(None));
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .get_course(&actor(Role::Admin), CourseId::new())
        .await
        .unwrap_err();
    assert!(matches!(err, CourseAccessError::NotFound));
}

#[tokio::test]
async fn admin_lists_every_course_without_a_role() {
    let all = vec![course(Draft), course(Published)];
    let a = all.clone();
    let mut courses = MockCourseStore::new();
    courses
        .expect_list_all_courses()
        .withf(|p| *p == Page::new(10, 20))
        .returning(move |_| Ok(a.clone()));
    let svc = service(courses, MockUserStore::new());
    let views = svc
        .list_my_courses(&actor(Role::Admin), Page::new(10, 20))
        .await
        .unwrap();
    assert_eq!(
        views,
        all.into_iter()
            .map(|course| CourseView { course, role: None })
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn students_list_no_drafts_and_no_invite_codes() {
    let student = actor(Role::Student);
    let published = course(Published);
    let archived = course(Archived);
    let draft = course(Draft);
    let memberships: Vec<CourseMembership> = [&published, &draft, &archived]
        .into_iter()
        .map(|c| CourseMembership {
            course: c.clone(),
            role: CourseRole::Student,
        })
        .collect();
    let uid = student.user_id;
    let mut courses = MockCourseStore::new();
    courses
        .expect_list_member_courses()
        .withf(move |u, p| *u == uid && *p == Page::first())
        .returning(move |_, _| Ok(memberships.clone()));
    let svc = service(courses, MockUserStore::new());
    let views = svc.list_my_courses(&student, Page::first()).await.unwrap();
    let ids: Vec<CourseId> = views.iter().map(|v| v.course.id).collect();
    assert_eq!(ids, vec![published.id, archived.id]);
    assert!(views.iter().all(|v| v.course.invite_code.is_none()));
    assert!(views.iter().all(|v| v.role == Some(CourseRole::Student)));
}

#[tokio::test]
async fn staff_list_drafts_with_invite_codes() {
    let teacher = actor(Role::Teacher);
    let owned = course(Draft);
    let assisted = course(Published);
    let memberships = vec![
        CourseMembership {
            course: owned.clone(),
            role: CourseRole::Owner,
        },
        CourseMembership {
            course: assisted.clone(),
            role: CourseRole::Assistant,
        },
    ];
    let mut courses = MockCourseStore::new();
    courses
        .expect_list_member_courses()
        .returning(move |_, _| Ok(memberships.clone()));
    let svc = service(courses, MockUserStore::new());
    let views = svc.list_my_courses(&teacher, Page::first()).await.unwrap();
    assert_eq!(
        views,
        vec![
            CourseView {
                course: owned,
                role: Some(CourseRole::Owner)
            },
            CourseView {
                course: assisted,
                role: Some(CourseRole::Assistant)
            },
        ]
    );
}

// ---- update_course ----

fn course_update() -> CourseUpdate {
    CourseUpdate {
        title: Title::parse("Алгебра 9").unwrap(),
        description: RichText::sanitize("<p>Новое</p><img src=x onerror=alert(1)>"),
    }
}

#[tokio::test]
async fn owner_and_admin_update_title_and_description_only() {
    for (role, membership) in [
        (Role::Teacher, Some(CourseRole::Owner)),
        (Role::Admin, None),
    ] {
        let c = course(Published);
        let a = actor(role);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, membership);
        let mut expected = c.clone();
        expected.title = Title::parse("Алгебра 9").unwrap();
        expected.description = course_update().description;
        let e = expected.clone();
        courses
            .expect_update_course()
            .withf(move |x| *x == e)
            .times(1)
            .returning(|_| Ok(()));
        let svc = service(courses, MockUserStore::new());
        let updated = svc.update_course(&a, c.id, course_update()).await.unwrap();
        assert_eq!(updated, expected);
        assert_eq!(updated.description.as_html(), "<p>Новое</p><img src=\"x\">");
    }
}

#[tokio::test]
async fn update_course_is_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.update_course(a, c.id, course_update()).await,
    )
    .await;
}

#[tokio::test]
async fn archived_course_cannot_be_edited() {
    let c = course(Archived);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .update_course(&a, c.id, course_update())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageCourseError::CourseArchived));
    assert_eq!(err.code(), "course_archived");
}

#[tokio::test]
async fn course_deleted_meanwhile_is_not_found_on_update() {
    let c = course(Draft);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    courses
        .expect_update_course()
        .returning(|_| Err(StorageError::NotFound));
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .update_course(&a, c.id, course_update())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageCourseError::NotFound));
}

// ---- set_status ----

async fn status_change(
    from: CourseStatus,
    to: CourseStatus,
    students: Vec<UserId>,
) -> (Result<Course, SetStatusError>, Arc<Mutex<Vec<Course>>>) {
    let c = course(from);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let id = c.id;
    courses
        .expect_enrolled_students()
        .withf(move |x| *x == id)
        .returning(move |_| Ok(students.clone()));
    let written = Arc::new(Mutex::new(Vec::new()));
    let w = written.clone();
    courses.expect_update_course().returning(move |c| {
        w.lock().unwrap().push(c.clone());
        Ok(())
    });
    let svc = service(courses, MockUserStore::new());
    (svc.set_status(&a, id, to).await, written)
}

#[tokio::test]
async fn allowed_transitions_store_the_new_status() {
    for (from, to) in [
        (Draft, Published),
        (Published, Draft),
        (Published, Archived),
        (Archived, Published),
    ] {
        let (result, written) = status_change(from, to, Vec::new()).await;
        let course = result.unwrap();
        assert_eq!(course.status, to);
        let written = written.lock().unwrap();
        assert_eq!(written.len(), 1);
        assert_eq!(written[0], course);
    }
}

#[tokio::test]
async fn other_transitions_are_refused_without_a_write() {
    for (from, to) in [(Draft, Archived), (Archived, Draft)] {
        let (result, written) = status_change(from, to, Vec::new()).await;
        let err = result.unwrap_err();
        assert!(
            matches!(err, SetStatusError::InvalidTransition { from: f, to: t } if f == from && t == to)
        );
        assert_eq!(err.code(), "invalid_status_transition");
        assert!(written.lock().unwrap().is_empty());
    }
}

#[tokio::test]
async fn published_course_with_students_cannot_go_back_to_draft() {
    let (result, written) = status_change(Published, Draft, vec![UserId::new()]).await;
    let err = result.unwrap_err();
    assert!(matches!(err, SetStatusError::StudentsEnrolled));
    assert_eq!(err.code(), "students_enrolled");
    assert!(written.lock().unwrap().is_empty());
}

#[tokio::test]
async fn same_status_is_a_no_op() {
    for status in [Draft, Published, Archived] {
        let (result, written) = status_change(status, status, vec![UserId::new()]).await;
        assert_eq!(result.unwrap().status, status);
        assert!(written.lock().unwrap().is_empty());
    }
}

#[tokio::test]
async fn set_status_is_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.set_status(a, c.id, Archived).await,
    )
    .await;
}

// ---- invite codes ----

#[tokio::test]
async fn rotation_stores_and_returns_a_fresh_code() {
    let c = course(Published);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let written = Arc::new(Mutex::new(None));
    let w = written.clone();
    courses.expect_update_course().times(1).returning(move |c| {
        *w.lock().unwrap() = Some(c.clone());
        Ok(())
    });
    let svc = service(courses, MockUserStore::new());
    let code = svc.rotate_invite_code(&a, c.id).await.unwrap();
    assert_ne!(Some(code.clone()), c.invite_code);
    let stored = written.lock().unwrap().clone().unwrap();
    assert_eq!(stored.invite_code, Some(code));
    assert_eq!(stored.title, c.title);
    assert_eq!(stored.status, c.status);
}

#[tokio::test]
async fn rotation_retries_a_clashing_code_once() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let calls = Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    courses.expect_update_course().returning(move |_| {
        if n.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(StorageError::Conflict(Conflict::InviteCode))
        } else {
            Ok(())
        }
    });
    let svc = service(courses, MockUserStore::new());
    svc.rotate_invite_code(&a, c.id).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn disabling_clears_the_code() {
    let c = course(Published);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let id = c.id;
    courses
        .expect_update_course()
        .withf(move |x| x.id == id && x.invite_code.is_none() && x.status == Published)
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(courses, MockUserStore::new());
    svc.disable_invite_code(&a, c.id).await.unwrap();
}

#[tokio::test]
async fn invite_code_changes_are_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.rotate_invite_code(a, c.id).await,
    )
    .await;
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.disable_invite_code(a, c.id).await,
    )
    .await;
}

// ---- join_by_code ----

fn expect_code_lookup(courses: &mut MockCourseStore, found: Option<Course>) {
    courses
        .expect_find_course_by_invite_code()
        .returning(move |_| Ok(found.clone()));
}

#[tokio::test]
async fn student_joins_a_published_course_by_code() {
    let c = course(Published);
    let student = actor(Role::Student);
    let code = c.invite_code.clone().unwrap();
    let mut courses = MockCourseStore::new();
    let k = code.clone();
    let found = c.clone();
    courses
        .expect_find_course_by_invite_code()
        .withf(move |x| *x == k)
        .returning(move |_| Ok(Some(found.clone())));
    let expected = Enrollment {
        course_id: c.id,
        student_id: student.user_id,
        source: EnrollmentSource::InviteCode,
        enrolled_at: now(),
    };
    courses
        .expect_enroll()
        .withf(move |e| *e == expected)
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(courses, MockUserStore::new());
    // Typed in lower case with a dash: still the same code.
    let typed = InviteCode::parse("abcd-efgh").unwrap();
    let joined = svc.join_by_code(&student, &typed).await.unwrap();
    assert_eq!(joined.id, c.id);
    assert_eq!(joined.invite_code, None, "students never see the code");
}

#[tokio::test]
async fn only_students_join_by_code() {
    for role in [Role::Admin, Role::Teacher, Role::Assistant] {
        let svc = service(MockCourseStore::new(), MockUserStore::new());
        let err = svc
            .join_by_code(&actor(role), &InviteCode::generate())
            .await
            .unwrap_err();
        assert!(matches!(err, JoinError::Forbidden), "{role:?}");
    }
}

#[tokio::test]
async fn unknown_draft_archived_or_stale_codes_are_all_invalid() {
    let mut rotated = course(Published);
    rotated.invite_code = Some(InviteCode::parse("ZZZZZZZZ").unwrap());
    let mut disabled = course(Published);
    disabled.invite_code = None;
    for found in [
        None,
        Some(course(Draft)),
        Some(course(Archived)),
        Some(rotated),
        Some(disabled),
    ] {
        let mut courses = MockCourseStore::new();
        expect_code_lookup(&mut courses, found);
        let svc = service(courses, MockUserStore::new());
        let err = svc
            .join_by_code(
                &actor(Role::Student),
                &InviteCode::parse("ABCDEFGH").unwrap(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, JoinError::InvalidCode));
        assert_eq!(err.code(), "invalid_invite_code");
    }
}

#[tokio::test]
async fn joining_twice_is_already_enrolled() {
    let c = course(Published);
    let mut courses = MockCourseStore::new();
    expect_code_lookup(&mut courses, Some(c.clone()));
    courses
        .expect_enroll()
        .returning(|_| Err(StorageError::Conflict(Conflict::Enrollment)));
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .join_by_code(&actor(Role::Student), c.invite_code.as_ref().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, JoinError::AlreadyEnrolled));
    assert_eq!(err.code(), "already_enrolled");
}

// ---- enroll_student / unenroll / list_students ----

#[tokio::test]
async fn owner_enrols_an_active_student() {
    let c = course(Draft);
    let a = actor(Role::Teacher);
    let student = user(Role::Student);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let expected = Enrollment {
        course_id: c.id,
        student_id: student.id,
        source: EnrollmentSource::Staff,
        enrolled_at: now(),
    };
    let e = expected.clone();
    courses
        .expect_enroll()
        .withf(move |x| *x == e)
        .times(1)
        .returning(|_| Ok(()));
    let mut users = MockUserStore::new();
    expect_user(&mut users, &student);
    let svc = service(courses, users);
    assert_eq!(
        svc.enroll_student(&a, c.id, student.id).await.unwrap(),
        expected
    );
}

#[tokio::test]
async fn only_existing_active_students_can_be_enrolled() {
    let mut inactive = user(Role::Student);
    inactive.active = false;
    let cases: [(Option<User>, &str); 5] = [
        (None, "user_not_found"),
        (Some(inactive), "user_inactive"),
        (Some(user(Role::Teacher)), "not_a_student"),
        (Some(user(Role::Assistant)), "not_a_student"),
        (Some(user(Role::Admin)), "not_a_student"),
    ];
    for (found, code) in cases {
        let c = course(Published);
        let a = actor(Role::Admin);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, None);
        let mut users = MockUserStore::new();
        users
            .expect_get_user()
            .returning(move |_| Ok(found.clone()));
        let svc = service(courses, users);
        let err = svc
            .enroll_student(&a, c.id, UserId::new())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code);
    }
}

#[tokio::test]
async fn no_enrolment_into_archived_courses_or_twice() {
    let c = course(Archived);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .enroll_student(&a, c.id, UserId::new())
        .await
        .unwrap_err();
    assert!(matches!(err, EnrollError::CourseArchived));

    let c = course(Published);
    let student = user(Role::Student);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    courses
        .expect_enroll()
        .returning(|_| Err(StorageError::Conflict(Conflict::Enrollment)));
    let mut users = MockUserStore::new();
    expect_user(&mut users, &student);
    let svc = service(courses, users);
    let err = svc.enroll_student(&a, c.id, student.id).await.unwrap_err();
    assert!(matches!(err, EnrollError::AlreadyEnrolled));
}

#[tokio::test]
async fn enrolment_changes_are_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.enroll_student(a, c.id, UserId::new()).await,
    )
    .await;
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.unenroll(a, c.id, UserId::new()).await,
    )
    .await;
}

#[tokio::test]
async fn unenroll_reports_whether_the_student_was_enrolled() {
    for existed in [true, false] {
        let c = course(Archived);
        let a = actor(Role::Teacher);
        let student = UserId::new();
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
        let id = c.id;
        courses
            .expect_unenroll()
            .withf(move |x, s| *x == id && *s == student)
            .times(1)
            .returning(move |_, _| Ok(existed));
        let svc = service(courses, MockUserStore::new());
        assert_eq!(svc.unenroll(&a, c.id, student).await.unwrap(), existed);
    }
}

#[tokio::test]
async fn staff_list_students_with_their_accounts_in_enrolment_order() {
    let c = course(Published);
    let a = actor(Role::Assistant);
    let (s1, s2) = (user(Role::Student), user(Role::Student));
    let gone = UserId::new();
    let enrollments: Vec<Enrollment> = [s1.id, gone, s2.id]
        .into_iter()
        .map(|student_id| Enrollment {
            course_id: c.id,
            student_id,
            source: EnrollmentSource::Staff,
            enrolled_at: now(),
        })
        .collect();
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Assistant));
    let en = enrollments.clone();
    courses
        .expect_list_enrollments()
        .withf(|_, p| *p == Page::new(2, 0))
        .returning(move |_, _| Ok(en.clone()));
    let mut users = MockUserStore::new();
    // The store returns users in another order and skips unknown ids.
    let found = vec![s2.clone(), s1.clone()];
    let wanted = vec![s1.id, gone, s2.id];
    users
        .expect_get_users()
        .withf(move |ids| ids == wanted.as_slice())
        .returning(move |_| Ok(found.clone()));
    let svc = service(courses, users);
    let listed = svc.list_students(&a, c.id, Page::new(2, 0)).await.unwrap();
    assert_eq!(
        listed,
        vec![(enrollments[0].clone(), s1), (enrollments[2].clone(), s2)]
    );
}

#[tokio::test]
async fn student_lists_are_denied_to_non_staff() {
    assert_denied(
        Level::Grade,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.list_students(a, c.id, Page::first()).await,
    )
    .await;
}

// ---- assistants ----

#[tokio::test]
async fn owner_adds_an_assistant_or_a_teacher() {
    for role in [Role::Assistant, Role::Teacher] {
        let c = course(Published);
        let a = Actor {
            user_id: c.owner_id,
            role: Role::Teacher,
        };
        let helper = user(role);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
        let (id, uid) = (c.id, helper.id);
        courses
            .expect_add_assistant()
            .withf(move |x, u| *x == id && *u == uid)
            .times(1)
            .returning(|_, _| Ok(()));
        let mut users = MockUserStore::new();
        expect_user(&mut users, &helper);
        let svc = service(courses, users);
        svc.add_assistant(&a, c.id, helper.id).await.unwrap();
    }
}

#[tokio::test]
async fn only_active_staff_other_than_the_owner_can_assist() {
    let mut inactive = user(Role::Assistant);
    inactive.active = false;
    let cases: [(Option<User>, &str); 4] = [
        (None, "user_not_found"),
        (Some(inactive), "user_inactive"),
        (Some(user(Role::Student)), "not_staff"),
        (Some(user(Role::Admin)), "not_staff"),
    ];
    for (found, code) in cases {
        let c = course(Draft);
        let a = actor(Role::Admin);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, None);
        let mut users = MockUserStore::new();
        users
            .expect_get_user()
            .returning(move |_| Ok(found.clone()));
        let svc = service(courses, users);
        let err = svc
            .add_assistant(&a, c.id, UserId::new())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code);
    }

    let c = course(Draft);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let svc = service(courses, MockUserStore::new());
    let err = svc.add_assistant(&a, c.id, c.owner_id).await.unwrap_err();
    assert!(matches!(err, AssistantError::IsOwner));
}

#[tokio::test]
async fn adding_an_assistant_twice_is_a_conflict() {
    let c = course(Draft);
    let a = actor(Role::Admin);
    let helper = user(Role::Assistant);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    courses
        .expect_add_assistant()
        .returning(|_, _| Err(StorageError::Conflict(Conflict::Assistant)));
    let mut users = MockUserStore::new();
    expect_user(&mut users, &helper);
    let svc = service(courses, users);
    let err = svc.add_assistant(&a, c.id, helper.id).await.unwrap_err();
    assert!(matches!(err, AssistantError::AlreadyAssistant));
    assert_eq!(err.code(), "already_assistant");
}

#[tokio::test]
async fn remove_and_list_assistants() {
    let c = course(Published);
    let a = actor(Role::Teacher);
    let (x, y) = (user(Role::Assistant), user(Role::Teacher));
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let (id, xid) = (c.id, x.id);
    courses
        .expect_remove_assistant()
        .withf(move |cid, u| *cid == id && *u == xid)
        .times(1)
        .returning(|_, _| Ok(true));
    let ids = vec![x.id, y.id];
    courses
        .expect_list_assistants()
        .returning(move |_| Ok(ids.clone()));
    let mut users = MockUserStore::new();
    let found = vec![y.clone(), x.clone()];
    users
        .expect_get_users()
        .returning(move |_| Ok(found.clone()));
    let svc = service(courses, users);
    assert!(svc.remove_assistant(&a, c.id, x.id).await.unwrap());
    assert_eq!(svc.list_assistants(&a, c.id).await.unwrap(), vec![x, y]);
}

#[tokio::test]
async fn assistant_management_is_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.add_assistant(a, c.id, UserId::new()).await,
    )
    .await;
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.remove_assistant(a, c.id, UserId::new()).await,
    )
    .await;
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.list_assistants(a, c.id).await,
    )
    .await;
}

// ---- lessons: writes ----

#[tokio::test]
async fn owner_creates_a_lesson_and_gets_the_stored_one() {
    let c = course(Published);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let input = lesson_input();
    let i = input.clone();
    let cid = c.id;
    courses
        .expect_insert_lesson()
        .withf(move |l| {
            l.course_id == cid
                && l.title == i.title
                && l.body == i.body
                && l.publish_at == i.publish_at
                && l.attachments.is_empty()
                && l.created_at == now()
        })
        .times(1)
        .returning(|l| {
            Ok(Lesson {
                position: 4,
                ..l.clone()
            })
        });
    let svc = service(courses, MockUserStore::new());
    let lesson = svc.create_lesson(&a, c.id, input).await.unwrap();
    assert_eq!(lesson.position, 4, "the store's position is returned");
    assert_eq!(lesson.body.as_html(), "<h2>Дискриминант</h2>");
    assert_eq!(lesson.course_id, c.id);
}

#[tokio::test]
async fn a_new_lesson_is_published_unless_created_as_a_draft() {
    for (asked, stored) in [(None, true), (Some(true), true), (Some(false), false)] {
        let c = course(Published);
        let a = actor(Role::Teacher);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
        courses
            .expect_insert_lesson()
            .withf(move |l| l.published == stored)
            .times(1)
            .returning(|l| Ok(l.clone()));
        let svc = service(courses, MockUserStore::new());
        let input = LessonInput {
            published: asked,
            ..lesson_input()
        };
        let lesson = svc.create_lesson(&a, c.id, input).await.unwrap();
        assert_eq!(lesson.published, stored, "asked for {asked:?}");
    }
}

#[tokio::test]
async fn an_update_keeps_the_draft_state_unless_it_names_one() {
    let c = course(Published);
    let a = actor(Role::Admin);
    for (was, asked, now_published) in [
        (false, None, false),
        (true, None, true),
        (false, Some(true), true),
        (true, Some(false), false),
    ] {
        let old = Lesson {
            published: was,
            ..lesson_of(&c, None)
        };
        let (courses, stored) = editing(&c, &a, &old);
        let svc = service(courses, MockUserStore::new());
        let input = LessonInput {
            published: asked,
            ..lesson_input()
        };
        let updated = svc.update_lesson(&a, old.id, input).await.unwrap();
        assert_eq!(updated.published, now_published, "{was} then {asked:?}");
        assert_eq!(stored.lock().unwrap()[0].published, now_published);
    }
}

#[tokio::test]
async fn no_lessons_are_added_to_archived_courses() {
    let c = course(Archived);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .create_lesson(&a, c.id, lesson_input())
        .await
        .unwrap_err();
    assert!(matches!(err, LessonError::CourseArchived));
}

#[tokio::test]
async fn lesson_creation_is_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.create_lesson(a, c.id, lesson_input()).await,
    )
    .await;
}

#[tokio::test]
async fn update_lesson_replaces_content_and_keeps_place() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let old = lesson_of(&c, None);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let o = old.clone();
    courses
        .expect_get_lesson()
        .returning(move |_| Ok(Some(o.clone())));
    let input = lesson_input();
    let expected = Lesson {
        title: input.title.clone(),
        body: input.body.clone(),
        publish_at: input.publish_at,
        ..old.clone()
    };
    let e = expected.clone();
    courses
        .expect_update_lesson()
        .withf(move |l| *l == e)
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(courses, MockUserStore::new());
    let updated = svc.update_lesson(&a, old.id, input).await.unwrap();
    assert_eq!(updated, expected);
    assert_eq!(updated.position, 3);
    assert_eq!(updated.created_at, old.created_at);
}

/// An admin about to edit `old`, whose stored copy is returned and whose
/// update is captured.
fn editing(c: &Course, a: &Actor, old: &Lesson) -> (MockCourseStore, Arc<Mutex<Vec<Lesson>>>) {
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, c, a, None);
    let o = old.clone();
    courses
        .expect_get_lesson()
        .returning(move |_| Ok(Some(o.clone())));
    let stored = Arc::new(Mutex::new(Vec::new()));
    let s = stored.clone();
    courses.expect_update_lesson().returning(move |l| {
        s.lock().unwrap().push(l.clone());
        Ok(())
    });
    (courses, stored)
}

/// A registry holding `files` as the uploads of `lesson`, listed at
/// most `times` times.
fn lesson_uploads(lesson: LessonId, files: &[FileRef], times: usize) -> MockFileRegistry {
    let mut registry = MockFileRegistry::new();
    let files = files.to_vec();
    registry
        .expect_list_by_owner()
        .withf(move |o| *o == FileOwner::Lesson(lesson))
        .times(times)
        .returning(move |_| Ok(files.clone()));
    registry
}

#[tokio::test]
async fn update_lesson_attaches_its_uploads_in_the_given_order_once() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let mut old = lesson_of(&c, None);
    old.attachments = vec![file_ref("старый.pdf")];
    let uploads = [file_ref("1.pdf"), file_ref("2.pdf"), file_ref("3.pdf")];
    let (courses, stored) = editing(&c, &a, &old);
    let svc = service_with_files(
        courses,
        MockUserStore::new(),
        lesson_uploads(old.id, &uploads, 1),
    );
    let mut input = lesson_input();
    input.attachment_ids = Some(vec![uploads[2].id, uploads[0].id, uploads[2].id]);

    let updated = svc.update_lesson(&a, old.id, input).await.unwrap();

    let expected = vec![uploads[2].clone(), uploads[0].clone()];
    assert_eq!(updated.attachments, expected);
    assert_eq!(stored.lock().unwrap()[0].attachments, expected);
}

#[tokio::test]
async fn update_lesson_without_attachment_ids_keeps_the_stored_ones() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let mut old = lesson_of(&c, None);
    old.attachments = vec![file_ref("конспект.pdf")];
    let (courses, stored) = editing(&c, &a, &old);
    // No registry expectation: keeping looks no file up.
    let svc = service(courses, MockUserStore::new());

    let updated = svc.update_lesson(&a, old.id, lesson_input()).await.unwrap();

    assert_eq!(updated.attachments, old.attachments);
    assert_eq!(stored.lock().unwrap()[0].attachments, old.attachments);
    assert_eq!(updated.title, lesson_input().title);

    let (courses, _) = editing(&c, &a, &old);
    let svc = service(courses, MockUserStore::new());
    let mut clear = lesson_input();
    clear.attachment_ids = Some(Vec::new());
    let cleared = svc.update_lesson(&a, old.id, clear).await.unwrap();
    assert!(cleared.attachments.is_empty(), "an empty list removes them");
}

#[tokio::test]
async fn a_file_not_uploaded_to_the_lesson_is_refused_for_the_field() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let old = lesson_of(&c, None);
    let mine = file_ref("мой.pdf");
    let foreign = FileId::new();
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let o = old.clone();
    courses
        .expect_get_lesson()
        .returning(move |_| Ok(Some(o.clone())));
    // No update expected: a write would panic.
    let svc = service_with_files(
        courses,
        MockUserStore::new(),
        lesson_uploads(old.id, std::slice::from_ref(&mine), 1),
    );
    let mut input = lesson_input();
    input.attachment_ids = Some(vec![mine.id, foreign]);

    let err = svc.update_lesson(&a, old.id, input).await.unwrap_err();

    assert!(matches!(err, LessonError::AttachmentNotUploaded(id) if id == foreign));
    assert_eq!(err.class(), crate::error::ErrorClass::Invalid);
    assert_eq!(err.code(), "invalid_field");
    assert_eq!(
        err.to_string(),
        format!("attachment_ids: file {foreign} was not uploaded to this lesson")
    );
}

#[tokio::test]
async fn a_new_lesson_takes_no_attachments() {
    let c = course(Draft);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    // No insert and no registry expectation.
    let svc = service(courses, MockUserStore::new());
    let id = FileId::new();
    let mut input = lesson_input();
    input.attachment_ids = Some(vec![id]);
    let err = svc.create_lesson(&a, c.id, input).await.unwrap_err();
    assert!(matches!(err, LessonError::AttachmentNotUploaded(x) if x == id));
    assert_eq!(err.code(), "invalid_field");
}

#[tokio::test]
async fn lesson_attachments_are_looked_up_only_for_those_who_may_edit() {
    let with_ids = || LessonInput {
        attachment_ids: Some(vec![FileId::new()]),
        ..lesson_input()
    };
    // `service` has a registry that panics on any lookup.
    assert_denied(
        Level::Manage,
        "lesson_not_found",
        visible_lesson,
        async |svc, a, c| {
            svc.update_lesson(a, lesson_of(c, None).id, with_ids())
                .await
        },
    )
    .await;
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.create_lesson(a, c.id, with_ids()).await,
    )
    .await;
    let c = course(Archived);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    visible_lesson(&mut courses, &c);
    let err = service(courses, MockUserStore::new())
        .update_lesson(&a, lesson_of(&c, None).id, with_ids())
        .await
        .unwrap_err();
    assert!(matches!(err, LessonError::CourseArchived));
}

#[tokio::test]
async fn lesson_edits_are_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "lesson_not_found",
        visible_lesson,
        async |svc, a, c| {
            svc.update_lesson(a, lesson_of(c, None).id, lesson_input())
                .await
        },
    )
    .await;
    assert_denied(
        Level::Manage,
        "lesson_not_found",
        visible_lesson,
        async |svc, a, c| svc.delete_lesson(a, lesson_of(c, None).id).await,
    )
    .await;
}

#[tokio::test]
async fn students_cannot_learn_of_unpublished_lessons_by_editing() {
    let c = course(Published);
    let a = actor(Role::Student);
    let future = lesson_of(&c, Some(now() + Duration::hours(1)));
    let draft = Lesson {
        published: false,
        ..lesson_of(&c, None)
    };
    for hidden in [future, draft] {
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, Some(CourseRole::Student));
        let h = hidden.clone();
        courses
            .expect_get_lesson()
            .returning(move |_| Ok(Some(h.clone())));
        let svc = service(courses, MockUserStore::new());
        let err = svc
            .update_lesson(&a, hidden.id, lesson_input())
            .await
            .unwrap_err();
        assert!(matches!(err, LessonError::LessonNotFound));
        let err = svc.delete_lesson(&a, hidden.id).await.unwrap_err();
        assert!(matches!(err, LessonError::LessonNotFound));
    }
}

#[tokio::test]
async fn lessons_of_archived_courses_are_frozen() {
    let c = course(Archived);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    visible_lesson(&mut courses, &c);
    let svc = service(courses, MockUserStore::new());
    let id = lesson_of(&c, None).id;
    let err = svc.update_lesson(&a, id, lesson_input()).await.unwrap_err();
    assert!(matches!(err, LessonError::CourseArchived));
    let err = svc.delete_lesson(&a, id).await.unwrap_err();
    assert!(matches!(err, LessonError::CourseArchived));
}

#[tokio::test]
async fn delete_lesson_removes_it_or_reports_it_gone() {
    for existed in [true, false] {
        let c = course(Draft);
        let a = actor(Role::Teacher);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
        visible_lesson(&mut courses, &c);
        let id = lesson_of(&c, None).id;
        courses
            .expect_delete_lesson()
            .withf(move |x| *x == id)
            .times(1)
            .returning(move |_| Ok(existed));
        let svc = service(courses, MockUserStore::new());
        let result = svc.delete_lesson(&a, id).await;
        if existed {
            result.unwrap();
        } else {
            assert!(matches!(result, Err(LessonError::LessonNotFound)));
        }
    }
}

#[tokio::test]
async fn unknown_lesson_is_not_found() {
    let mut courses = MockCourseStore::new();
    courses.expect_get_lesson().returning(|_| Ok(None));
    let svc = service(courses, MockUserStore::new());
    let a = actor(Role::Admin);
    let id = LessonId::new();
    for err in [
        svc.update_lesson(&a, id, lesson_input()).await.unwrap_err(),
        svc.delete_lesson(&a, id).await.unwrap_err(),
        svc.get_lesson(&a, id).await.unwrap_err(),
    ] {
        assert!(matches!(err, LessonError::LessonNotFound));
        assert_eq!(err.code(), "lesson_not_found");
    }
}

// ---- reorder ----

fn three_lessons(c: &Course) -> Vec<Lesson> {
    (0..3)
        .map(|i| Lesson {
            id: LessonId::new(),
            position: i,
            ..lesson_of(c, None)
        })
        .collect()
}

#[tokio::test]
async fn reorder_stores_the_order_and_returns_renumbered_lessons() {
    let c = course(Published);
    let a = actor(Role::Teacher);
    let lessons = three_lessons(&c);
    let order = vec![lessons[2].id, lessons[0].id, lessons[1].id];
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let l = lessons.clone();
    courses
        .expect_list_lessons()
        .returning(move |_| Ok(l.clone()));
    let o = order.clone();
    let cid = c.id;
    courses
        .expect_reorder_lessons()
        .withf(move |x, ord| *x == cid && ord == o.as_slice())
        .times(1)
        .returning(|_, _| Ok(()));
    let svc = service(courses, MockUserStore::new());
    let reordered = svc.reorder_lessons(&a, c.id, order.clone()).await.unwrap();
    let got: Vec<(LessonId, u32)> = reordered.iter().map(|l| (l.id, l.position)).collect();
    assert_eq!(got, vec![(order[0], 0), (order[1], 1), (order[2], 2)]);
}

#[tokio::test]
async fn reorder_rejects_anything_but_a_permutation() {
    let c = course(Published);
    let lessons = three_lessons(&c);
    let ids: Vec<LessonId> = lessons.iter().map(|l| l.id).collect();
    for order in [
        vec![ids[0], ids[1]],
        vec![ids[0], ids[1], ids[2], LessonId::new()],
        vec![ids[0], ids[0], ids[1]],
        vec![ids[0], ids[1], LessonId::new()],
        vec![],
    ] {
        let a = actor(Role::Admin);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, None);
        let l = lessons.clone();
        courses
            .expect_list_lessons()
            .returning(move |_| Ok(l.clone()));
        let svc = service(courses, MockUserStore::new());
        let err = svc.reorder_lessons(&a, c.id, order).await.unwrap_err();
        assert!(matches!(err, ReorderError::InvalidOrder));
        assert_eq!(err.class(), crate::ErrorClass::Invalid);
    }
}

#[tokio::test]
async fn reorder_racing_a_change_is_a_retryable_conflict() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let lessons = three_lessons(&c);
    let order: Vec<LessonId> = lessons.iter().rev().map(|l| l.id).collect();
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    courses
        .expect_list_lessons()
        .returning(move |_| Ok(lessons.clone()));
    courses
        .expect_reorder_lessons()
        .returning(|_, _| Err(StorageError::Conflict(Conflict::Stale)));
    let svc = service(courses, MockUserStore::new());
    let err = svc.reorder_lessons(&a, c.id, order).await.unwrap_err();
    assert!(matches!(err, ReorderError::Stale));
    assert_eq!(err.code(), "lessons_changed");
    assert_eq!(err.class(), crate::ErrorClass::Conflict);
}

#[tokio::test]
async fn reorder_is_denied_to_non_managers_and_in_archived_courses() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.reorder_lessons(a, c.id, Vec::new()).await,
    )
    .await;

    let c = course(Archived);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let svc = service(courses, MockUserStore::new());
    let err = svc.reorder_lessons(&a, c.id, Vec::new()).await.unwrap_err();
    assert!(matches!(err, ReorderError::CourseArchived));
}

// ---- lessons: reads ----

/// Three lessons students see, then one dated in the future and two
/// drafts (one without a date, one dated in the past).
fn lessons_by_date(c: &Course) -> Vec<Lesson> {
    [
        (None, true),
        (Some(now() - Duration::days(1)), true),
        (Some(now()), true),
        (Some(now() + Duration::seconds(1)), true),
        (None, false),
        (Some(now() - Duration::days(1)), false),
    ]
    .into_iter()
    .map(|(publish_at, published)| Lesson {
        id: LessonId::new(),
        publish_at,
        published,
        ..lesson_of(c, None)
    })
    .collect()
}

#[tokio::test]
async fn students_list_only_visible_lessons_and_staff_all() {
    for case in CASES.iter().filter(|c| c.view == Outcome::Allowed) {
        let c = course(case.status);
        let a = actor(case.role);
        let lessons = lessons_by_date(&c);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, case.membership);
        let l = lessons.clone();
        let cid = c.id;
        courses
            .expect_list_lessons()
            .withf(move |x| *x == cid)
            .returning(move |_| Ok(l.clone()));
        let svc = service(courses, MockUserStore::new());
        let listed = svc.list_lessons(&a, c.id).await.unwrap();
        let expected = if case.grade == Outcome::Allowed {
            lessons
        } else {
            lessons[..3].to_vec()
        };
        assert_eq!(listed, expected, "{}", case.name);
    }
}

#[tokio::test]
async fn lesson_lists_are_denied_to_those_who_cannot_see_the_course() {
    assert_denied(
        Level::View,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.list_lessons(a, c.id).await,
    )
    .await;
}

#[tokio::test]
async fn student_opening_a_visible_lesson_records_the_view() {
    let c = course(Published);
    let a = actor(Role::Student);
    let lesson = lesson_of(&c, Some(now()));
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Student));
    let l = lesson.clone();
    courses
        .expect_get_lesson()
        .returning(move |_| Ok(Some(l.clone())));
    let (lid, uid) = (lesson.id, a.user_id);
    courses
        .expect_mark_lesson_viewed()
        .withf(move |l, u, at| *l == lid && *u == uid && *at == now())
        .times(1)
        .returning(|_, _, _| Ok(()));
    let svc = service(courses, MockUserStore::new());
    assert_eq!(svc.get_lesson(&a, lesson.id).await.unwrap(), lesson);
}

#[tokio::test]
async fn student_cannot_open_a_lesson_before_its_date() {
    let c = course(Published);
    let a = actor(Role::Student);
    let lesson = lesson_of(&c, Some(now() + Duration::minutes(1)));
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Student));
    let l = lesson.clone();
    courses
        .expect_get_lesson()
        .returning(move |_| Ok(Some(l.clone())));
    let svc = service(courses, MockUserStore::new());
    let err = svc.get_lesson(&a, lesson.id).await.unwrap_err();
    assert!(matches!(err, LessonError::LessonNotFound));
}

#[tokio::test]
async fn students_never_open_a_draft_and_staff_do() {
    let cases = [
        (Role::Student, Some(CourseRole::Student), false),
        (Role::Teacher, Some(CourseRole::Owner), true),
        (Role::Assistant, Some(CourseRole::Assistant), true),
        (Role::Admin, None, true),
    ];
    for (role, membership, sees) in cases {
        let c = course(Published);
        let a = actor(role);
        // Dated in the past: only the draft state hides it.
        let draft = Lesson {
            published: false,
            ..lesson_of(&c, Some(now() - Duration::days(1)))
        };
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, membership);
        let d = draft.clone();
        courses
            .expect_get_lesson()
            .returning(move |_| Ok(Some(d.clone())));
        // No view is recorded: the mock has no expectation for it.
        let svc = service(courses, MockUserStore::new());
        let got = svc.get_lesson(&a, draft.id).await;
        if sees {
            assert_eq!(got.unwrap(), draft, "{role:?}");
        } else {
            assert!(
                matches!(got, Err(LessonError::LessonNotFound)),
                "{role:?}: {got:?}"
            );
        }
    }
}

#[tokio::test]
async fn staff_open_future_lessons_without_recording_views() {
    for (role, membership) in [
        (Role::Teacher, Some(CourseRole::Owner)),
        (Role::Assistant, Some(CourseRole::Assistant)),
        (Role::Admin, None),
    ] {
        let c = course(Draft);
        let a = actor(role);
        let lesson = lesson_of(&c, Some(now() + Duration::days(7)));
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, membership);
        let l = lesson.clone();
        courses
            .expect_get_lesson()
            .returning(move |_| Ok(Some(l.clone())));
        let svc = service(courses, MockUserStore::new());
        assert_eq!(svc.get_lesson(&a, lesson.id).await.unwrap(), lesson);
    }
}

#[tokio::test]
async fn lessons_are_hidden_from_those_who_cannot_see_the_course() {
    assert_denied(
        Level::View,
        "lesson_not_found",
        visible_lesson,
        async |svc, a, c| svc.get_lesson(a, lesson_of(c, None).id).await,
    )
    .await;
}

// ---- a student's lesson progress ----

#[tokio::test]
async fn lesson_progress_marks_opened_lessons_and_where_to_continue() {
    let c = course(Published);
    let a = actor(Role::Student);
    let mut lessons = three_lessons(&c);
    // Listed out of order; the third is not visible yet.
    lessons.swap(0, 1);
    lessons[2].publish_at = Some(now() + Duration::days(1));
    let ids: Vec<LessonId> = {
        let mut v: Vec<&Lesson> = lessons.iter().collect();
        v.sort_by_key(|l| l.position);
        v.iter().map(|l| l.id).collect()
    };
    let hidden = lessons[2].id;
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Student));
    let l = lessons.clone();
    courses
        .expect_list_lessons()
        .returning(move |_| Ok(l.clone()));
    let first = ids[0];
    courses
        .expect_viewed_lessons()
        .returning(move |_, _| Ok(vec![first]));
    let svc = service(courses, MockUserStore::new());
    let progress = svc.my_lesson_progress(&a, c.id).await.unwrap();
    let marks: Vec<(LessonId, bool)> = progress
        .lessons
        .iter()
        .map(|m| (m.lesson_id, m.viewed))
        .collect();
    let visible: Vec<LessonId> = ids.iter().copied().filter(|id| *id != hidden).collect();
    assert_eq!(marks, vec![(visible[0], true), (visible[1], false)]);
    assert_eq!(progress.next_lesson_id, Some(visible[1]));
    assert_eq!((progress.lessons_total, progress.lessons_viewed), (2, 1));
}

#[tokio::test]
async fn only_students_have_lesson_progress() {
    for (role, membership) in [
        (Role::Teacher, Some(CourseRole::Owner)),
        (Role::Teacher, Some(CourseRole::Assistant)),
        (Role::Admin, None),
    ] {
        let c = course(Published);
        let a = actor(role);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, membership);
        courses.expect_list_lessons().never();
        let svc = service(courses, MockUserStore::new());
        let err = svc.my_lesson_progress(&a, c.id).await.unwrap_err();
        assert!(
            matches!(err, CourseAccessError::Forbidden),
            "{role:?}: {err:?}"
        );
    }
}
