//! Conformance of [`CommentStore`](crate::homework::CommentStore): the
//! threads of submissions and their read marks.

use super::fixtures::{
    add_assignment, add_hand_in, at, day, file_ref, ok, outbox_entry, published_course_with_student,
};
use crate::error::StorageError;
use crate::homework::SubmissionComment;
use crate::ids::{CommentId, SubmissionId, UserId};
use crate::notification::{Notification, OutboxEntry};
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

/// Reading a thread up to an instant marks read the reader's in-app
/// notifications of its messages created up to then, and no other.
pub async fn reading_a_thread_reads_its_notifications(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let work = add_assignment(&storage, class.course.id, day(7)).await;
    let submission = add_hand_in(&storage, &work, class.student.id, at(1)).await;
    let other = add_assignment(&storage, class.course.id, day(7)).await;
    let other_submission = add_hand_in(&storage, &other, class.student.id, at(1)).await;
    let note = |s: &crate::homework::Submission| Notification::SubmissionComment {
        course_id: class.course.id,
        assignment_id: s.assignment_id,
        title: "ДЗ".to_owned(),
        submission_id: s.id,
        author_name: "Ученик".to_owned(),
        to_staff: true,
    };
    let mut told = Vec::new();
    for (s, minutes) in [
        (&submission, 10),
        (&other_submission, 11),
        (&submission, 30),
    ] {
        let message = comment(s.id, class.student.id, "<p>Вопрос</p>", minutes);
        let entry = OutboxEntry::in_app(
            class.teacher.id,
            &format!("comment:{}", message.id),
            note(s),
            at(minutes),
        );
        ok(
            storage
                .comments
                .add_comment(&message, std::slice::from_ref(&entry))
                .await,
            "add_comment",
        );
        told.push(entry.id);
    }
    // Another in-app notification of the teacher's, of another kind.
    let unrelated = OutboxEntry::in_app(
        class.teacher.id,
        "unrelated",
        Notification::AchievementAwarded {
            badge: crate::achievement::Badge::FirstHomework,
            course_id: None,
            quiz_id: None,
        },
        at(12),
    );
    ok(
        storage
            .notifications
            .enqueue(std::slice::from_ref(&unrelated))
            .await,
        "enqueue",
    );
    ok(
        storage
            .comments
            .mark_thread_read(submission.id, class.teacher.id, at(20))
            .await,
        "mark_thread_read",
    );
    let inbox = ok(
        storage
            .notifications
            .inbox(class.teacher.id, Page::first())
            .await,
        "inbox",
    );
    let read_at = |id| {
        inbox
            .iter()
            .find(|e| e.id == id)
            .unwrap_or_else(|| panic!("{id:?} is in the inbox"))
            .read_at
    };
    assert_eq!(
        read_at(told[0]),
        Some(at(20)),
        "the thread's message before the mark"
    );
    assert_eq!(read_at(told[1]), None, "another thread's");
    assert_eq!(read_at(told[2]), None, "a message after the mark");
    assert_eq!(read_at(unrelated.id), None, "another kind");
    assert_eq!(
        ok(
            storage
                .notifications
                .unread_count(class.teacher.id, 100)
                .await,
            "unread_count"
        ),
        3
    );
}
