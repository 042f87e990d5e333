//! Course conformance: lessons, their order and their views.

use super::*;

/// Lessons are appended at the end whatever position they carry, drafts
/// kept as drafts; an update replaces title, body, publish date, draft state
/// and attachments but not position or course.
pub async fn lessons_are_appended_and_updated(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let mut stored = Vec::new();
    for (i, title) in ["Введение", "Дроби", "Проценты"].into_iter().enumerate()
    {
        let mut l = lesson(class.course.id, title);
        l.position = 7;
        l.publish_at = Some(at(60));
        l.published = i != 1;
        l.attachments = vec![file_ref(class.teacher.id, "конспект.pdf")];
        let got = ok(storage.courses.insert_lesson(&l).await, "insert_lesson");
        let mut expected = l.clone();
        expected.position = u32::try_from(i).expect("small");
        assert_eq!(
            got, expected,
            "the stored lesson is returned with its position"
        );
        stored.push(expected);
    }
    assert_eq!(
        ok(
            storage.courses.list_lessons(class.course.id).await,
            "list_lessons"
        ),
        stored,
        "lessons list by position with every field"
    );

    let other_course = add_course(&storage, class.teacher.id, CourseStatus::Draft).await;
    let mut changed = stored[1].clone();
    changed.title = Title::parse("Обыкновенные дроби").expect("valid title");
    changed.body = RichText::sanitize("<ol><li>Числитель</li><li>Знаменатель</li></ol>");
    changed.publish_at = None;
    changed.published = true;
    changed.attachments = vec![
        file_ref(class.teacher.id, "a.pdf"),
        file_ref(class.teacher.id, "b.pdf"),
    ];
    let mut sent = changed.clone();
    sent.position = 0;
    sent.course_id = other_course.id;
    ok(storage.courses.update_lesson(&sent).await, "update_lesson");
    assert_eq!(
        ok(storage.courses.get_lesson(changed.id).await, "get_lesson"),
        Some(changed),
        "update_lesson replaces title, body, publish date, draft state and attachments only"
    );
    let mut unpublished = stored[2].clone();
    unpublished.published = false;
    ok(
        storage.courses.update_lesson(&unpublished).await,
        "update_lesson",
    );
    assert_eq!(
        ok(
            storage.courses.get_lesson(unpublished.id).await,
            "get_lesson"
        ),
        Some(unpublished),
        "a published lesson can be taken back to a draft"
    );
    assert_eq!(
        lesson_ids(&storage, class.course.id).await,
        stored.iter().map(|l| l.id).collect::<Vec<_>>(),
        "the order is unchanged by an update"
    );
    assert!(
        ok(
            storage.courses.list_lessons(other_course.id).await,
            "list_lessons"
        )
        .is_empty(),
        "an update does not move a lesson to another course"
    );
    assert_not_found(
        storage
            .courses
            .update_lesson(&lesson(class.course.id, "Нет такого"))
            .await,
        "update_lesson of an unknown lesson",
    );
    assert_eq!(
        ok(
            storage.courses.get_lesson(LessonId::new()).await,
            "get_lesson"
        ),
        None,
        "an unknown lesson is None"
    );
}

/// Deleting a lesson closes the gap in positions; new lessons go at the end.
pub async fn deleting_a_lesson_closes_the_gap(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let mut ids = Vec::new();
    for t in ["Один", "Два", "Три", "Четыре"] {
        ids.push(add_lesson(&storage, class.course.id, t).await.id);
    }
    assert!(
        ok(storage.courses.delete_lesson(ids[1]).await, "delete_lesson"),
        "deleting an existing lesson returns true"
    );
    assert!(
        !ok(storage.courses.delete_lesson(ids[1]).await, "delete_lesson"),
        "deleting it again returns false"
    );
    assert_eq!(
        lesson_ids(&storage, class.course.id).await,
        [ids[0], ids[2], ids[3]],
        "the remaining lessons keep their order with positions 0..3"
    );
    assert_eq!(
        ok(storage.courses.get_lesson(ids[1]).await, "get_lesson"),
        None,
        "a deleted lesson is gone"
    );
    let fifth = add_lesson(&storage, class.course.id, "Пять").await;
    assert_eq!(
        fifth.position, 3,
        "a new lesson goes right after the last one"
    );
    ok(storage.courses.delete_lesson(ids[0]).await, "delete first");
    assert_eq!(
        lesson_ids(&storage, class.course.id).await,
        [ids[2], ids[3], fifth.id],
        "deleting the first lesson shifts every later one"
    );
}

/// `reorder_lessons` sets positions to the given order, in one course only.
pub async fn reorder_lessons_sets_positions(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let a = add_lesson(&storage, class.course.id, "А").await.id;
    let b = add_lesson(&storage, class.course.id, "Б").await.id;
    let c = add_lesson(&storage, class.course.id, "В").await.id;
    let x = add_lesson(&storage, other.id, "Х").await.id;
    let y = add_lesson(&storage, other.id, "У").await.id;
    ok(
        storage
            .courses
            .reorder_lessons(class.course.id, &[c, a, b])
            .await,
        "reorder_lessons",
    );
    assert_eq!(lesson_ids(&storage, class.course.id).await, [c, a, b]);
    ok(
        storage
            .courses
            .reorder_lessons(class.course.id, &[b, c, a])
            .await,
        "reorder_lessons again",
    );
    assert_eq!(lesson_ids(&storage, class.course.id).await, [b, c, a]);
    assert_eq!(
        lesson_ids(&storage, other.id).await,
        [x, y],
        "another course's lessons are untouched"
    );
}

/// Reordering with a set of lessons that differs from the course's is
/// `Conflict(Stale)` and changes nothing.
pub async fn reorder_lessons_with_changed_set_is_stale(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let a = add_lesson(&storage, class.course.id, "А").await.id;
    let b = add_lesson(&storage, class.course.id, "Б").await.id;
    let c = add_lesson(&storage, class.course.id, "В").await.id;
    let foreign = add_lesson(&storage, other.id, "Чужой").await.id;
    assert_conflict(
        storage
            .courses
            .reorder_lessons(class.course.id, &[c, a])
            .await,
        Conflict::Stale,
        "an order missing a lesson",
    );
    assert_conflict(
        storage
            .courses
            .reorder_lessons(class.course.id, &[c, a, b, LessonId::new()])
            .await,
        Conflict::Stale,
        "an order with an unknown lesson",
    );
    assert_conflict(
        storage
            .courses
            .reorder_lessons(class.course.id, &[c, a, foreign])
            .await,
        Conflict::Stale,
        "an order with another course's lesson",
    );
    assert_eq!(
        lesson_ids(&storage, class.course.id).await,
        [a, b, c],
        "refused reorders change nothing"
    );
    assert_eq!(lesson_ids(&storage, other.id).await, [foreign]);
}

/// Lesson views are recorded once per student and listed per course.
pub async fn lesson_views_are_recorded_once(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other_student = add_user(&storage, Role::Student).await;
    enroll(&storage, class.course.id, other_student.id).await;
    let other_course = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    enroll(&storage, other_course.id, class.student.id).await;
    let l1 = add_lesson(&storage, class.course.id, "Один").await.id;
    let l2 = add_lesson(&storage, class.course.id, "Два").await.id;
    let l3 = add_lesson(&storage, class.course.id, "Три").await.id;
    let elsewhere = add_lesson(&storage, other_course.id, "Там").await.id;
    let s = class.student.id;
    ok(
        storage.courses.mark_lesson_viewed(l1, s, at(1)).await,
        "mark",
    );
    ok(
        storage.courses.mark_lesson_viewed(l1, s, at(2)).await,
        "marking a viewed lesson again is not an error",
    );
    ok(
        storage.courses.mark_lesson_viewed(l3, s, at(3)).await,
        "mark",
    );
    ok(
        storage
            .courses
            .mark_lesson_viewed(elsewhere, s, at(4))
            .await,
        "mark",
    );
    ok(
        storage
            .courses
            .mark_lesson_viewed(l2, other_student.id, at(5))
            .await,
        "mark",
    );
    assert_eq!(
        sorted(&ok(
            storage.courses.viewed_lessons(class.course.id, s).await,
            "viewed"
        )),
        sorted(&[l1, l3]),
        "each opened lesson of the course once; other courses and students excluded"
    );
    assert_eq!(
        ok(
            storage
                .courses
                .viewed_lessons(class.course.id, other_student.id)
                .await,
            "viewed"
        ),
        [l2]
    );
}

/// `lesson_for` answers the lesson and its course as stored, the user's
/// role in the course as `membership` tells it, and whether that user's
/// view of that lesson is recorded (not another lesson's, not another
/// user's); `None` for an unknown lesson.
pub async fn lesson_for_carries_course_role_and_view(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let classmate = add_user(&storage, Role::Student).await;
    enroll(&storage, class.course.id, classmate.id).await;
    let stranger = add_user(&storage, Role::Student).await;
    let first = add_lesson(&storage, class.course.id, "Введение").await;
    let mut l = lesson(class.course.id, "Дроби");
    l.publish_at = Some(at(60));
    l.published = false;
    l.created_at = at(5);
    l.attachments = vec![file_ref(class.teacher.id, "конспект.pdf")];
    let second = ok(storage.courses.insert_lesson(&l).await, "insert_lesson");
    let stored_course = ok(
        storage.courses.get_course(class.course.id).await,
        "get_course",
    )
    .expect("the course is stored");
    let stored_lesson = ok(storage.courses.get_lesson(second.id).await, "get_lesson")
        .expect("the lesson is stored");
    let read = async |user: UserId| {
        ok(
            storage.courses.lesson_for(second.id, user).await,
            "lesson_for",
        )
        .expect("a stored lesson answers")
    };

    let found = read(class.student.id).await;
    assert_eq!(found.lesson, stored_lesson, "the lesson as stored");
    assert_eq!(found.course, stored_course, "its course as stored");
    assert_eq!(found.role, Some(CourseRole::Student));
    assert!(!found.viewed, "not viewed before the student opens it");

    ok(
        storage
            .courses
            .mark_lesson_viewed(first.id, class.student.id, at(1))
            .await,
        "mark",
    );
    assert!(
        !read(class.student.id).await.viewed,
        "a view of another lesson does not count"
    );
    ok(
        storage
            .courses
            .mark_lesson_viewed(second.id, class.student.id, at(2))
            .await,
        "mark",
    );
    assert!(read(class.student.id).await.viewed, "viewed once opened");
    for (user, role, who) in [
        (classmate.id, Some(CourseRole::Student), "a classmate"),
        (class.teacher.id, Some(CourseRole::Owner), "the owner"),
        (stranger.id, None, "a stranger"),
    ] {
        let found = read(user).await;
        assert_eq!(
            (found.role, found.viewed),
            (role, false),
            "{who}: their own role, and another user's view does not count"
        );
    }
    assert_eq!(
        ok(
            storage
                .courses
                .lesson_for(LessonId::new(), class.student.id)
                .await,
            "lesson_for"
        ),
        None,
        "an unknown lesson answers nothing"
    );
}
