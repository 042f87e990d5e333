//! Tests: create_course.

use super::*;

pub(super) fn new_course(owner_id: Option<UserId>) -> NewCourse {
    NewCourse {
        title: Title::parse("Геометрия").unwrap(),
        description: RichText::sanitize("<p>Треугольники</p>"),
        owner_id,
    }
}

pub(super) fn capture_insert(courses: &mut MockCourseStore) -> Arc<Mutex<Vec<Course>>> {
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
