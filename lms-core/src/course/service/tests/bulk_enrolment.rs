//! Enrolling and removing many students at once, over the in-memory storage.

use super::*;
use crate::testkit::conformance::fixtures::{add_course, add_user, t0};
use crate::testkit::memory::MemoryStorage;

#[tokio::test]
async fn many_students_are_enrolled_and_removed_with_one_outcome_each() {
    let storage = MemoryStorage::storage();
    let svc = CourseService::new(
        storage.courses.clone(),
        storage.groups.clone(),
        storage.users.clone(),
        storage.files.clone(),
        Arc::new(ManualClock::new(t0())),
    );
    let teacher = add_user(&storage, Role::Teacher).await;
    let other = add_user(&storage, Role::Teacher).await;
    let course = add_course(&storage, teacher.id, Published).await;
    let a = add_user(&storage, Role::Student).await;
    let b = add_user(&storage, Role::Student).await;
    let colleague = add_user(&storage, Role::Teacher).await;
    let unknown = UserId::new();
    let owner = teacher.actor();

    let out = svc
        .enroll_many(
            &owner,
            course.id,
            &[a.id, b.id, a.id, colleague.id, unknown],
        )
        .await
        .unwrap();
    let codes: Vec<(&str, bool)> = out.iter().map(|o| (o.code.as_str(), o.ok)).collect();
    assert_eq!(
        codes,
        [
            ("enrolled", true),
            ("enrolled", true),
            ("not_a_student", false),
            ("user_not_found", false)
        ]
    );
    let again = svc.enroll_many(&owner, course.id, &[a.id]).await.unwrap();
    assert_eq!(again[0].code, "already_enrolled");
    assert!(matches!(
        svc.enroll_many(&other.actor(), course.id, &[a.id]).await,
        Err(EnrollError::Forbidden | EnrollError::NotFound)
    ));

    let out = svc
        .unenroll_many(&owner, course.id, &[a.id, colleague.id])
        .await
        .unwrap();
    assert_eq!(out[0].code, "unenrolled");
    assert_eq!(out[1].code, "not_enrolled");
    assert_eq!(
        storage.courses.enrolled_students(course.id).await.unwrap(),
        [b.id]
    );
    let many = vec![a.id; crate::bulk::MAX_BULK_ITEMS + 1];
    assert!(matches!(
        svc.enroll_many(&owner, course.id, &many).await,
        Err(EnrollError::TooMany)
    ));
}
