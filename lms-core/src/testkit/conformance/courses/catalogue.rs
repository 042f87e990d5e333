//! Course conformance: courses, invite codes and who belongs to which.

use super::*;

/// A course reads back unchanged; `update_course` replaces its fields.
pub async fn courses_round_trip(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let mut c = course(teacher.id, CourseStatus::Draft, t0());
    c.cover = Some(CourseCover::Math);
    ok(storage.courses.insert_course(&c).await, "insert_course");
    assert_eq!(
        ok(storage.courses.get_course(c.id).await, "get_course"),
        Some(c.clone()),
        "get_course returns every field as inserted"
    );
    let mut changed = c.clone();
    changed.title = Title::parse("Геометрия").expect("valid title");
    changed.description = RichText::sanitize("<p>Новый план</p>");
    changed.status = CourseStatus::Published;
    changed.invite_code = None;
    changed.cover = Some(CourseCover::Exam);
    ok(
        storage.courses.update_course(&changed).await,
        "update_course",
    );
    assert_eq!(
        ok(storage.courses.get_course(c.id).await, "get_course"),
        Some(changed.clone()),
        "update_course replaces the fields"
    );
    for cover in CourseCover::ALL.into_iter().map(Some).chain([None]) {
        changed.cover = cover;
        ok(
            storage.courses.update_course(&changed).await,
            "update_course",
        );
        assert_eq!(
            ok(storage.courses.get_course(c.id).await, "get_course").and_then(|c| c.cover),
            cover,
            "every cover theme is stored"
        );
    }
    assert_eq!(
        ok(
            storage.courses.get_course(CourseId::new()).await,
            "get_course"
        ),
        None,
        "an unknown course is None"
    );
    assert_not_found(
        storage
            .courses
            .update_course(&course(teacher.id, CourseStatus::Draft, t0()))
            .await,
        "update_course of an unknown course",
    );
}

/// Invite codes are unique among courses (courses without one do not clash)
/// and only a course's current code finds it.
pub async fn invite_codes_are_unique(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let a = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let code = a.invite_code.clone().expect("fixture has a code");
    let mut b = course(teacher.id, CourseStatus::Published, t0());
    b.invite_code = Some(code.clone());
    assert_conflict(
        storage.courses.insert_course(&b).await,
        Conflict::InviteCode,
        "insert_course with a code in use",
    );
    assert_eq!(
        ok(storage.courses.get_course(b.id).await, "get_course"),
        None,
        "the refused course is not stored"
    );

    let mut no_code_1 = course(teacher.id, CourseStatus::Draft, t0());
    no_code_1.invite_code = None;
    let mut no_code_2 = course(teacher.id, CourseStatus::Draft, t0());
    no_code_2.invite_code = None;
    ok(
        storage.courses.insert_course(&no_code_1).await,
        "course without code",
    );
    ok(
        storage.courses.insert_course(&no_code_2).await,
        "a second course without a code is no conflict",
    );

    let mut steal = no_code_1.clone();
    steal.invite_code = Some(code.clone());
    assert_conflict(
        storage.courses.update_course(&steal).await,
        Conflict::InviteCode,
        "update_course to a code in use",
    );
    assert_eq!(
        ok(storage.courses.get_course(no_code_1.id).await, "get_course"),
        Some(no_code_1),
        "a refused update changes nothing"
    );

    assert_eq!(
        ok(
            storage.courses.find_course_by_invite_code(&code).await,
            "find"
        ),
        Some(a.clone()),
        "the code finds its course"
    );
    let mut renewed = a.clone();
    let new_code = InviteCode::generate();
    renewed.invite_code = Some(new_code.clone());
    ok(
        storage.courses.update_course(&renewed).await,
        "update_course",
    );
    assert_eq!(
        ok(
            storage.courses.find_course_by_invite_code(&code).await,
            "find"
        ),
        None,
        "a replaced code no longer finds the course"
    );
    assert_eq!(
        ok(
            storage.courses.find_course_by_invite_code(&new_code).await,
            "find"
        ),
        Some(renewed),
        "the current code finds the course"
    );
    b.invite_code = Some(code);
    ok(
        storage.courses.insert_course(&b).await,
        "a code given up by its course can be reused",
    );
}

/// `list_all_courses` is newest first and paged.
pub async fn list_all_courses_newest_first(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let mut ids = Vec::new();
    for minutes in [30, 10, 50, 20, 40] {
        let c = course(teacher.id, CourseStatus::Draft, at(minutes));
        ok(storage.courses.insert_course(&c).await, "insert_course");
        ids.push((minutes, c.id));
    }
    ids.sort_by_key(|(m, _)| std::cmp::Reverse(*m));
    let newest_first: Vec<_> = ids.into_iter().map(|(_, id)| id).collect();
    let list = |page| {
        let storage = storage.clone();
        async move {
            ok(
                storage.courses.list_all_courses(page).await,
                "list_all_courses",
            )
            .into_iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(Page::first()).await, newest_first, "newest first");
    assert_eq!(list(Page::new(2, 0)).await, newest_first[..2], "first page");
    assert_eq!(
        list(Page::new(2, 2)).await,
        newest_first[2..4],
        "second page"
    );
    assert_eq!(list(Page::new(2, 4)).await, newest_first[4..], "last page");
    assert!(list(Page::new(2, 5)).await.is_empty(), "past the end");
}

/// `list_member_courses` lists owned, assisted and enrolled courses with the
/// user's role, newest first, paged; other courses are not listed.
pub async fn member_courses_carry_roles(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let other_teacher = add_user(&storage, Role::Teacher).await;
    let student = add_user(&storage, Role::Student).await;
    let mut owned = course(teacher.id, CourseStatus::Published, at(0));
    owned.cover = Some(CourseCover::Biology);
    let assisted = course(other_teacher.id, CourseStatus::Draft, at(10));
    let foreign = course(other_teacher.id, CourseStatus::Published, at(20));
    let newest = course(other_teacher.id, CourseStatus::Archived, at(30));
    for c in [&owned, &assisted, &foreign, &newest] {
        ok(storage.courses.insert_course(c).await, "insert_course");
    }
    ok(
        storage.courses.add_assistant(assisted.id, teacher.id).await,
        "add_assistant",
    );
    enroll(&storage, owned.id, student.id).await;
    enroll(&storage, newest.id, student.id).await;

    let roles = |user: UserId, page: Page| {
        let storage = storage.clone();
        async move {
            ok(
                storage.courses.list_member_courses(user, page).await,
                "list_member_courses",
            )
            .into_iter()
            .map(|m| (m.course.id, m.role))
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        roles(teacher.id, Page::first()).await,
        [
            (assisted.id, CourseRole::Assistant),
            (owned.id, CourseRole::Owner)
        ],
        "the teacher assists in one course and owns another, newest first"
    );
    assert_eq!(
        roles(student.id, Page::first()).await,
        [
            (newest.id, CourseRole::Student),
            (owned.id, CourseRole::Student)
        ],
        "the student is enrolled in two courses, newest first"
    );
    assert_eq!(
        roles(student.id, Page::new(1, 1)).await,
        [(owned.id, CourseRole::Student)],
        "pages apply"
    );
    let listed = ok(
        storage
            .courses
            .list_member_courses(student.id, Page::new(1, 1))
            .await,
        "list_member_courses",
    );
    assert_eq!(
        listed.first().map(|m| &m.course),
        Some(&owned),
        "listed courses carry every field, the cover too"
    );
    let full = ok(
        storage
            .courses
            .list_member_courses(other_teacher.id, Page::first())
            .await,
        "list_member_courses",
    );
    assert_eq!(full.len(), 3, "the other teacher owns three courses");
    assert_eq!(full[0].course, newest, "memberships carry the whole course");
}
