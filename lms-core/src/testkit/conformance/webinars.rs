//! Conformance of [`WebinarStore`](crate::webinar::WebinarStore).

use super::fixtures::{
    add_course, add_webinar, assert_not_found, at, day, ok, outbox_entry,
    published_course_with_student, webinar,
};
use crate::course::{CourseStatus, Title};
use crate::ids::WebinarId;
use crate::ports::Storage;
use crate::webinar::{ProviderKind, WebinarState};

/// A webinar reads back unchanged with its messages enqueued; an update
/// replaces its fields with its messages; an unknown one is `NotFound` and
/// enqueues nothing.
pub async fn webinars_round_trip_with_outbox(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let mut w = webinar(class.course.id, class.teacher.id, day(2));
    w.provider = ProviderKind::TrueConf;
    let scheduled = outbox_entry(class.student.id, &format!("webinar:{}", w.id), at(0));
    ok(
        storage
            .webinars
            .insert_webinar(&w, std::slice::from_ref(&scheduled))
            .await,
        "insert_webinar",
    );
    assert_eq!(
        ok(storage.webinars.get_webinar(w.id).await, "get_webinar"),
        Some(w.clone()),
        "get_webinar returns every field as inserted"
    );
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(scheduled.id).await,
            "get"
        ),
        Some(scheduled),
        "insert_webinar enqueues its messages"
    );

    let mut moved = w.clone();
    moved.title = Title::parse("Разбор контрольной").expect("valid title");
    moved.starts_at = day(3);
    moved.duration_minutes = 90;
    moved.conference_id = None;
    moved.join_url = "https://telemost.example/j/1".to_owned();
    moved.host_url = None;
    moved.provider = ProviderKind::Telemost;
    let changed = outbox_entry(class.student.id, &format!("moved:{}", w.id), at(1));
    ok(
        storage
            .webinars
            .update_webinar(&moved, std::slice::from_ref(&changed))
            .await,
        "update_webinar",
    );
    assert_eq!(
        ok(storage.webinars.get_webinar(w.id).await, "get_webinar"),
        Some(moved.clone()),
        "update_webinar replaces the fields"
    );
    assert_eq!(
        ok(
            storage.notifications.get_outbox_entry(changed.id).await,
            "get"
        ),
        Some(changed),
        "update_webinar enqueues its messages"
    );
    let mut cancelled = moved;
    cancelled.state = WebinarState::Cancelled;
    ok(
        storage.webinars.update_webinar(&cancelled, &[]).await,
        "cancel",
    );
    assert_eq!(
        ok(storage.webinars.get_webinar(w.id).await, "get_webinar"),
        Some(cancelled),
        "the cancelled state is stored"
    );

    let ghost = webinar(class.course.id, class.teacher.id, day(4));
    let ghost_note = outbox_entry(class.student.id, "ghost", at(2));
    assert_not_found(
        storage
            .webinars
            .update_webinar(&ghost, std::slice::from_ref(&ghost_note))
            .await,
        "update_webinar of an unknown webinar",
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
        ok(storage.webinars.get_webinar(WebinarId::new()).await, "get"),
        None,
        "an unknown webinar is None"
    );
}

/// Webinars of a course list by start, cancelled ones included.
pub async fn course_webinars_by_start(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let third = add_webinar(&storage, class.course.id, class.teacher.id, day(3)).await;
    let mut first = webinar(class.course.id, class.teacher.id, day(1));
    first.state = WebinarState::Cancelled;
    ok(storage.webinars.insert_webinar(&first, &[]).await, "insert");
    let second = add_webinar(&storage, class.course.id, class.teacher.id, day(2)).await;
    add_webinar(&storage, other.id, class.teacher.id, day(1)).await;
    let ids: Vec<_> = ok(
        storage.webinars.list_course_webinars(class.course.id).await,
        "list_course_webinars",
    )
    .into_iter()
    .map(|w| w.id)
    .collect();
    assert_eq!(
        ids,
        [first.id, second.id, third.id],
        "by start, cancelled included, other courses excluded"
    );
}

/// `webinars_starting_between` returns scheduled webinars starting in
/// `[from, to)` of every course, by start.
pub async fn webinars_starting_between_bounds(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_course(&storage, class.teacher.id, CourseStatus::Draft).await;
    let t = class.teacher.id;
    let at_from = add_webinar(&storage, class.course.id, t, at(60)).await;
    let inside = add_webinar(&storage, other.id, t, at(90)).await;
    let _at_to = add_webinar(&storage, class.course.id, t, at(120)).await;
    let _before = add_webinar(&storage, class.course.id, t, at(59)).await;
    let mut cancelled = webinar(class.course.id, t, at(70));
    cancelled.state = WebinarState::Cancelled;
    ok(
        storage.webinars.insert_webinar(&cancelled, &[]).await,
        "insert",
    );
    let early = add_webinar(&storage, other.id, t, at(61)).await;
    let ids: Vec<_> = ok(
        storage
            .webinars
            .webinars_starting_between(at(60), at(120))
            .await,
        "webinars_starting_between",
    )
    .into_iter()
    .map(|w| w.id)
    .collect();
    assert_eq!(
        ids,
        [at_from.id, early.id, inside.id],
        "from is included, to is excluded, cancelled excluded, by start"
    );
}
