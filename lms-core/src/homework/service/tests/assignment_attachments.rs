//! Tests: assignment attachments.

use super::*;

/// Expects the files registered to `assignment` to be listed `times` times
/// (and any file looked up as a draft to be none).
pub(super) fn expect_uploads(
    m: &mut Mocks,
    assignment: AssignmentId,
    files: &[FileRef],
    times: usize,
) {
    let files = files.to_vec();
    m.files
        .expect_list_by_owner()
        .withf(move |o| *o == FileOwner::Assignment(assignment))
        .times(times)
        .returning(move |_| Ok(files.clone()));
    no_drafts(m);
}

/// Every file looked up is no draft of the actor's.
pub(super) fn no_drafts(m: &mut Mocks) {
    m.files.expect_get().returning(|_| Ok(None));
}

/// Captures the assignments `update_assignment` stores.
pub(super) fn capture_updates(m: &mut Mocks) -> Arc<Mutex<Vec<Assignment>>> {
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
async fn a_new_assignment_takes_no_file_but_the_authors_drafts() {
    let w = World::new(CourseStatus::Published);
    let id = FileId::new();
    let mut input = input_from(&w.assignment());
    input.attachment_ids = Some(vec![id]);
    // No insert expected: the file is no draft of the author's.
    let mut m = Mocks::new();
    no_drafts(&mut m);
    let err = m
        .build(&w)
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
