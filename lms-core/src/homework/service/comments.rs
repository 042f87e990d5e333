//! The thread of a submission: the student and the staff who grade them
//! talk about one piece of work, with read marks and notifications to the
//! other side.

use super::*;
use crate::file::{FileOwner, adopt_drafts, named_drafts, pick_attachments};
use crate::homework::{CommentThread, SubmissionComment};
use crate::ids::{CommentId, FileId};

/// The longest message, in bytes of sanitised HTML.
pub const MAX_COMMENT_BYTES: usize = 20_000;

/// The most messages one thread holds.
pub const MAX_COMMENTS_PER_THREAD: usize = 500;

/// The most files one message carries.
pub const MAX_COMMENT_FILES: usize = 10;

impl HomeworkService {
    /// The submission, its assignment and the course access when the actor
    /// takes part in its thread: its student (while they see the course)
    /// or the staff who grade them (a mentor, their groups' students).
    /// Anyone else does not learn the submission exists.
    async fn thread_party(
        &self,
        actor: &Actor,
        id: SubmissionId,
    ) -> Result<(Submission, Assignment, CourseAccess), CommentError> {
        let submission = self
            .homework
            .get_submission(id)
            .await?
            .ok_or(CommentError::NotFound)?;
        let (assignment, access) = self
            .assignment_access(actor, submission.assignment_id)
            .await?
            .ok_or(CommentError::NotFound)?;
        let own = submission.student_id == actor.user_id && access.can_view();
        if own || access.grades(&*self.groups, submission.student_id).await? {
            Ok((submission, assignment, access))
        } else {
            Err(CommentError::NotFound)
        }
    }

    /// The thread of a submission for one of its parties: every message,
    /// oldest first, with the reader's read mark and how many messages of
    /// others came after it. Reading does not mark it read
    /// ([`Self::mark_thread_read`] does).
    pub async fn comment_thread(
        &self,
        actor: &Actor,
        id: SubmissionId,
    ) -> Result<CommentThread, CommentError> {
        self.thread_party(actor, id).await?;
        let comments = self.comments.list_comments(id).await?;
        let read_at = self.comments.thread_read_at(id, actor.user_id).await?;
        let unread = comments
            .iter()
            .filter(|c| c.author_id != actor.user_id && read_at.is_none_or(|r| c.created_at > r))
            .count();
        Ok(CommentThread {
            submission_id: id,
            comments,
            read_at,
            unread: u32::try_from(unread).unwrap_or(u32::MAX),
        })
    }

    /// Marks the thread read by the actor up to now.
    pub async fn mark_thread_read(
        &self,
        actor: &Actor,
        id: SubmissionId,
    ) -> Result<(), CommentError> {
        self.thread_party(actor, id).await?;
        self.comments
            .mark_thread_read(id, actor.user_id, self.clock.now())
            .await?;
        Ok(())
    }

    /// Posts a message to the thread of a submission (its student, or the
    /// staff who grade them) and tells the other side by their
    /// preferences and in the app: the student's message goes to their
    /// group's mentors (the course owner when they have none), a staff
    /// message to the student. Pictures in the message and the attached
    /// files (the author's uploads, `POST /files`, named by `file_ids`)
    /// become the submission's files, readable by the same people.
    pub async fn post_comment(
        &self,
        actor: &Actor,
        id: SubmissionId,
        body: RichText,
        file_ids: Vec<FileId>,
    ) -> Result<SubmissionComment, CommentError> {
        if body.as_html().len() > MAX_COMMENT_BYTES {
            return Err(CommentError::TooLong {
                max: MAX_COMMENT_BYTES,
            });
        }
        if file_ids.len() > MAX_COMMENT_FILES {
            return Err(CommentError::TooManyFiles {
                max: MAX_COMMENT_FILES,
            });
        }
        if body.is_blank() && file_ids.is_empty() {
            return Err(CommentError::Empty);
        }
        let (submission, assignment, access) = self.thread_party(actor, id).await?;
        if access.course().status == CourseStatus::Archived {
            return Err(CommentError::CourseArchived);
        }
        if self.comments.list_comments(id).await?.len() >= MAX_COMMENTS_PER_THREAD {
            return Err(CommentError::ThreadFull {
                max: MAX_COMMENTS_PER_THREAD,
            });
        }
        // Nothing is registered to a message not written yet: its files and
        // pictures are the author's drafts.
        let drafts = named_drafts(&*self.files, actor, Some(&file_ids), &body).await?;
        let files =
            pick_attachments(&drafts, &file_ids).map_err(CommentError::AttachmentNotUploaded)?;
        let to_staff = submission.student_id == actor.user_id;
        let mut recipients = if to_staff {
            self.graders_of(access.course(), submission.student_id)
                .await?
        } else {
            vec![submission.student_id]
        };
        recipients.retain(|r| *r != actor.user_id);
        let author_name = self
            .notifications
            .recipient(actor.user_id)
            .await?
            .map(|r| r.display_name)
            .unwrap_or_default();
        let now = self.clock.now();
        let comment = SubmissionComment {
            id: CommentId::new(),
            submission_id: id,
            author_id: actor.user_id,
            author_name: author_name.clone(),
            body,
            files,
            created_at: now,
        };
        let profiles = if recipients.is_empty() {
            Vec::new()
        } else {
            self.notifications.delivery_profiles(&recipients).await?
        };
        let note = Notification::SubmissionComment {
            course_id: assignment.course_id,
            assignment_id: assignment.id,
            title: assignment.title.as_str().to_owned(),
            submission_id: id,
            author_name,
            to_staff,
        };
        let outbox = fan_out(&profiles, &format!("comment:{}", comment.id), &note, now);
        match self.comments.add_comment(&comment, &outbox).await {
            Ok(()) => {}
            Err(StorageError::NotFound) => return Err(CommentError::NotFound),
            Err(e) => return Err(e.into()),
        }
        adopt_drafts(&*self.files, actor, FileOwner::Submission(id), &drafts).await?;
        Ok(comment)
    }

    /// Who grades a student of the course: the mentors of their group who
    /// still assist in the course, else the owner.
    async fn graders_of(&self, course: &Course, student: UserId) -> StorageResult<Vec<UserId>> {
        if let Some(group) = self.groups.student_group(course.id, student).await?
            && let Some(group) = self.groups.get_group(group).await?
            && !group.mentors.is_empty()
        {
            let assistants = self.courses.list_assistants(course.id).await?;
            let mentors: Vec<UserId> = group
                .mentors
                .into_iter()
                .filter(|m| assistants.contains(m))
                .collect();
            if !mentors.is_empty() {
                return Ok(mentors);
            }
        }
        Ok(vec![course.owner_id])
    }
}
