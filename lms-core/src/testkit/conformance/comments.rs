//! Conformance of [`CommentStore`](crate::homework::CommentStore): the
//! threads of submissions and their read marks.

use super::fixtures::{
    add_assignment, add_hand_in, at, day, file_ref, ok, outbox_entry, published_course_with_student,
};
use crate::error::StorageError;
use crate::homework::SubmissionComment;
use crate::ids::{CommentId, SubmissionId, UserId};
use crate::page::Page;
use crate::ports::Storage;
use crate::richtext::RichText;

fn comment(
    submission: SubmissionId,
    author: UserId,
    text: &str,
    minutes: i64,
) -> SubmissionComment {
    SubmissionComment {
        id: CommentId::new(),
        submission_id: submission,
        author_id: author,
        author_name: String::new(),
        body: RichText::sanitize(text),
        files: Vec::new(),
        created_at: at(minutes),
    }
}

/// Messages are listed oldest first with their authors' names, stored with
/// their notifications in one write; the author has read the thread up to
/// their message, and a later read mark wins over an earlier one.
pub async fn threads_keep_messages_and_read_marks(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let work = add_assignment(&storage, class.course.id, day(7)).await;
    let submission = add_hand_in(&storage, &work, class.student.id, at(1)).await;
    let mut question = comment(submission.id, class.student.id, "<p>Вопрос</p>", 10);
    question.files = vec![
        file_ref(class.student.id, "скан решения.pdf"),
        file_ref(class.student.id, "черновик.jpg"),
    ];
    let answer = comment(submission.id, class.teacher.id, "<p>Ответ</p>", 20);
    let told = outbox_entry(
        class.teacher.id,
        &format!("comment:{}", question.id),
        at(10),
    );
    ok(
        storage.comments.add_comment(&answer, &[]).await,
        "add_comment",
    );
    ok(
        storage
            .comments
            .add_comment(&question, std::slice::from_ref(&told))
            .await,
        "add_comment",
    );
    let listed = ok(
        storage.comments.list_comments(submission.id).await,
        "list_comments",
    );
    let texts: Vec<_> = listed.iter().map(|c| c.body.as_html().to_owned()).collect();
    assert_eq!(texts, ["<p>Вопрос</p>", "<p>Ответ</p>"], "oldest first");
    assert_eq!(listed[0].id, question.id);
    assert_eq!(
        listed[0].files, question.files,
        "attached files come back whole, in order"
    );
    assert!(listed[1].files.is_empty());
    assert_eq!(listed[0].author_name, class.student.display_name.as_str());
    assert_eq!(listed[1].author_name, class.teacher.display_name.as_str());
    let outbox = ok(
        storage
            .notifications
            .list_user_outbox(class.teacher.id, Page::first())
            .await,
        "list_user_outbox",
    );
    assert_eq!(
        outbox.len(),
        1,
        "the message's notification is stored with it"
    );
    assert_eq!(outbox[0].id, told.id);

    // The author's mark is their message's time; later marks win.
    let read = |user: UserId| storage.comments.thread_read_at(submission.id, user);
    assert_eq!(
        ok(read(class.student.id).await, "thread_read_at"),
        Some(at(10))
    );
    assert_eq!(
        ok(read(class.teacher.id).await, "thread_read_at"),
        Some(at(20))
    );
    ok(
        storage
            .comments
            .mark_thread_read(submission.id, class.student.id, at(30))
            .await,
        "mark_thread_read",
    );
    ok(
        storage
            .comments
            .mark_thread_read(submission.id, class.student.id, at(25))
            .await,
        "mark_thread_read",
    );
    assert_eq!(
        ok(read(class.student.id).await, "thread_read_at"),
        Some(at(30)),
        "an earlier mark changes nothing"
    );

    // A message to a submission that is gone is refused, its notification too.
    let lost = comment(SubmissionId::new(), class.teacher.id, "<p>?</p>", 40);
    let never = outbox_entry(class.student.id, "comment:lost", at(40));
    assert!(
        matches!(
            storage
                .comments
                .add_comment(&lost, std::slice::from_ref(&never))
                .await,
            Err(StorageError::NotFound)
        ),
        "a missing submission is NotFound"
    );
    let student_outbox = ok(
        storage
            .notifications
            .list_user_outbox(class.student.id, Page::first())
            .await,
        "list_user_outbox",
    );
    assert!(
        student_outbox.iter().all(|e| e.id != never.id),
        "nothing is written"
    );
    assert!(
        ok(
            storage.comments.list_comments(SubmissionId::new()).await,
            "list_comments"
        )
        .is_empty()
    );
}
