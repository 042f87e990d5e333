//! [`CommentStore`] in memory.

use super::*;
use crate::homework::{CommentStore, SubmissionComment};

impl State {
    fn read_mark(&mut self, submission: SubmissionId, user: UserId, at: DateTime<Utc>) {
        let mark = self.comment_reads.entry((submission, user)).or_insert(at);
        *mark = (*mark).max(at);
        for e in &mut self.outbox {
            let about = matches!(
                &e.notification,
                crate::notification::Notification::SubmissionComment { submission_id, .. }
                    if *submission_id == submission
            );
            if about
                && e.recipient_id == user
                && e.channel == crate::notification::Channel::InApp
                && e.read_at.is_none()
                && e.created_at <= at
            {
                e.read_at = Some(at);
            }
        }
    }
}

#[async_trait]
impl CommentStore for MemoryStorage {
    async fn add_comment(
        &self,
        comment: &SubmissionComment,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.submissions.contains_key(&comment.submission_id) {
            return Err(StorageError::NotFound);
        }
        if st.comments.iter().any(|c| c.id == comment.id) {
            return conflict(Conflict::Other);
        }
        let fresh = st.check_outbox(outbox)?;
        st.comments.push(SubmissionComment {
            author_name: String::new(),
            ..comment.clone()
        });
        st.read_mark(comment.submission_id, comment.author_id, comment.created_at);
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn list_comments(
        &self,
        submission: SubmissionId,
    ) -> StorageResult<Vec<SubmissionComment>> {
        let st = self.lock();
        let mut comments: Vec<SubmissionComment> = st
            .comments
            .iter()
            .filter(|c| c.submission_id == submission)
            .map(|c| SubmissionComment {
                author_name: st
                    .users
                    .get(&c.author_id)
                    .map(|u| u.user.display_name.as_str().to_owned())
                    .unwrap_or_default(),
                ..c.clone()
            })
            .collect();
        comments.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(comments)
    }

    async fn mark_thread_read(
        &self,
        submission: SubmissionId,
        user: UserId,
        at: DateTime<Utc>,
    ) -> StorageResult<()> {
        self.lock().read_mark(submission, user, at);
        Ok(())
    }

    async fn thread_read_at(
        &self,
        submission: SubmissionId,
        user: UserId,
    ) -> StorageResult<Option<DateTime<Utc>>> {
        Ok(self.lock().comment_reads.get(&(submission, user)).copied())
    }
}
