//! Homework conformance: assignments and extensions.

use super::*;

/// An assignment reads back unchanged and its messages are enqueued with
/// it; an update replaces every field but the course, with its messages; an
/// update of an unknown assignment is `NotFound` and enqueues nothing.
pub async fn assignments_round_trip_with_outbox(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let mut a = assignment(class.course.id, day(7));
    a.attachments = vec![file_ref(class.teacher.id, "задачи.pdf")];
    a.cut_off_at = Some(day(9));
    a.late_policy = LatePolicy::PercentPerDay {
        percent_per_day: 10,
        floor_percent: 50,
    };
    a.submission_kind = SubmissionKind::TextAndFiles;
    a.file_limits.allowed_extensions = vec!["pdf".to_owned(), "docx".to_owned()];
    let created = outbox_entry(class.student.id, &format!("new_assignment:{}", a.id), at(0));
    ok(
        storage
            .homework
            .insert_assignment(&a, std::slice::from_ref(&created))
            .await,
        "insert_assignment",
    );
    assert_eq!(
        ok(
            storage.homework.get_assignment(a.id).await,
            "get_assignment"
        ),
        Some(a.clone()),
        "get_assignment returns every field as inserted"
    );
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(created.id).await,
            "get"
        ),
        Some(created.clone()),
        "insert_assignment enqueues its messages"
    );

    let mut changed = a.clone();
    changed.title = Title::parse("Домашнее задание 1 (исправлено)").expect("valid title");
    changed.instructions = RichText::sanitize("<p>Решите задачи 1–7</p>");
    changed.attachments = Vec::new();
    changed.due_at = day(8);
    changed.cut_off_at = None;
    changed.max_score = points(20.0);
    changed.late_policy = LatePolicy::NoPenalty;
    changed.submission_kind = SubmissionKind::Files;
    changed.published = false;
    let mut sent = changed.clone();
    sent.course_id = other.id;
    let moved = outbox_entry(class.student.id, &format!("moved:{}", a.id), at(1));
    ok(
        storage
            .homework
            .update_assignment(&sent, std::slice::from_ref(&moved))
            .await,
        "update_assignment",
    );
    assert_eq!(
        ok(
            storage.homework.get_assignment(a.id).await,
            "get_assignment"
        ),
        Some(changed),
        "update_assignment replaces every field but the course"
    );
    assert!(
        ok(storage.homework.list_assignments(other.id).await, "list").is_empty(),
        "an update does not move an assignment to another course"
    );
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(moved.id).await,
            "get"
        ),
        Some(moved),
        "update_assignment enqueues its messages"
    );

    let ghost = assignment(class.course.id, day(3));
    let ghost_note = outbox_entry(class.student.id, "ghost", at(2));
    assert_not_found(
        storage
            .homework
            .update_assignment(&ghost, std::slice::from_ref(&ghost_note))
            .await,
        "update_assignment of an unknown assignment",
    );
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(ghost_note.id).await,
            "get"
        ),
        None,
        "a failed update enqueues nothing"
    );
    assert_eq!(
        ok(
            storage.homework.get_assignment(AssignmentId::new()).await,
            "get"
        ),
        None,
        "an unknown assignment is None"
    );
}

/// Assignments of a course list by due date; other courses' are not listed.
pub async fn assignments_are_listed_by_due_date(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let third = add_assignment(&storage, class.course.id, day(3)).await;
    let first = add_assignment(&storage, class.course.id, day(1)).await;
    let _elsewhere = add_assignment(&storage, other.id, day(2)).await;
    let mut draft = assignment(class.course.id, day(2));
    draft.published = false;
    ok(
        storage.homework.insert_assignment(&draft, &[]).await,
        "insert",
    );
    let ids: Vec<_> = ok(
        storage.homework.list_assignments(class.course.id).await,
        "list",
    )
    .into_iter()
    .map(|a| a.id)
    .collect();
    assert_eq!(
        ids,
        [first.id, draft.id, third.id],
        "by due date, drafts included, other courses excluded"
    );
}

/// Extensions are granted, replaced, listed and removed.
pub async fn extensions_are_upserted_and_deleted(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other_student = add_user(&storage, Role::Student).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let b = add_assignment(&storage, class.course.id, day(2)).await;
    let mut ext = Extension {
        assignment_id: a.id,
        student_id: class.student.id,
        due_at: day(3),
        cut_off_at: Some(day(4)),
        granted_by: class.teacher.id,
        granted_at: at(0),
    };
    ok(
        storage.homework.upsert_extension(&ext).await,
        "upsert_extension",
    );
    assert_eq!(
        ok(
            storage.homework.get_extension(a.id, class.student.id).await,
            "get"
        ),
        Some(ext.clone()),
        "the extension reads back unchanged"
    );
    ext.due_at = day(5);
    ext.cut_off_at = None;
    ext.granted_at = at(10);
    ok(
        storage.homework.upsert_extension(&ext).await,
        "upsert again",
    );
    assert_eq!(
        ok(
            storage.homework.get_extension(a.id, class.student.id).await,
            "get"
        ),
        Some(ext.clone()),
        "a second upsert replaces the extension"
    );
    let theirs = Extension {
        student_id: other_student.id,
        ..ext.clone()
    };
    let on_b = Extension {
        assignment_id: b.id,
        ..ext.clone()
    };
    ok(storage.homework.upsert_extension(&theirs).await, "upsert");
    ok(storage.homework.upsert_extension(&on_b).await, "upsert");
    let mut listed = ok(
        storage.homework.list_extensions(a.id).await,
        "list_extensions",
    );
    listed.sort_by_key(|e| e.student_id);
    let mut want = vec![ext.clone(), theirs.clone()];
    want.sort_by_key(|e| e.student_id);
    assert_eq!(listed, want, "one extension per student of the assignment");
    assert!(
        ok(
            storage
                .homework
                .delete_extension(a.id, class.student.id)
                .await,
            "delete"
        ),
        "deleting an extension returns true"
    );
    assert!(
        !ok(
            storage
                .homework
                .delete_extension(a.id, class.student.id)
                .await,
            "delete"
        ),
        "deleting it again returns false"
    );
    assert_eq!(
        ok(
            storage.homework.get_extension(a.id, class.student.id).await,
            "get"
        ),
        None
    );
    assert_eq!(
        ok(storage.homework.list_extensions(a.id).await, "list"),
        [theirs],
        "other students' extensions stay"
    );
    assert_eq!(
        ok(storage.homework.list_extensions(b.id).await, "list"),
        [on_b],
        "other assignments' extensions stay"
    );
}
