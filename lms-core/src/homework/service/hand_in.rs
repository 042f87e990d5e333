//! Handing in homework.

use super::*;
use crate::file::{FileOwner, adopt_pictures};

impl HomeworkService {
    // --- hand-in -----------------------------------------------------------

    /// The stored refs (real sizes and types, for the file limits) of the
    /// files a student hands in, in the order of `ids`, a repeated id once:
    /// each must be the student's upload (else `FileNotFound`), a draft or
    /// already part of their submission `own` (else `FileInUse`).
    async fn hand_in_files(
        &self,
        student: UserId,
        own: Option<SubmissionId>,
        ids: &[FileId],
    ) -> Result<Vec<FileRef>, HandInError> {
        let mut refs: Vec<FileRef> = Vec::with_capacity(ids.len());
        for id in ids {
            if refs.iter().any(|f| f.id == *id) {
                continue;
            }
            let (file, owner) = self
                .files
                .get(*id)
                .await?
                .filter(|(f, _)| f.uploaded_by == student)
                .ok_or(HandInError::FileNotFound(*id))?;
            let usable = match owner {
                FileOwner::Unattached => true,
                FileOwner::Submission(s) => Some(s) == own,
                _ => false,
            };
            if !usable {
                return Err(HandInError::FileInUse(*id));
            }
            refs.push(file);
        }
        Ok(refs)
    }

    /// Hands in a new version of the student's homework. A retry with an
    /// idempotency key already used returns the submission as it is with
    /// `duplicate: true`. The first homework and a streak of on-time
    /// hand-ins earn badges.
    pub async fn hand_in(
        &self,
        actor: &Actor,
        assignment_id: AssignmentId,
        input: HandInInput,
    ) -> Result<HandInResult, HandInError> {
        let (assignment, access) = self
            .assignment_access(actor, assignment_id)
            .await?
            .ok_or(HandInError::NotFound)?;
        let now = self.clock.now();
        if !sees(&access, &assignment, now) {
            return Err(HandInError::NotFound);
        }
        if !policy::can_study(actor, access.role(), access.course().status) {
            let archived_student = actor.role == Role::Student
                && access.role() == Some(CourseRole::Student)
                && access.course().status == CourseStatus::Archived;
            return Err(if archived_student {
                HandInError::CourseArchived
            } else {
                HandInError::Forbidden
            });
        }

        let student = actor.user_id;
        // Only the head of this submission (no version texts) is read.
        let existing = self
            .homework
            .submission_head(assignment.id, student)
            .await?;
        let key = input.idempotency_key.filter(|k| !k.trim().is_empty());
        // A retry of a hand-in that was stored must not fail on rules that
        // only became true since (cut-off passed, graded meanwhile).
        if let (Some(key), Some(existing)) = (&key, &existing)
            && existing.idempotency_keys.iter().any(|k| k == key)
        {
            let submission = self
                .homework
                .find_submission(assignment.id, student)
                .await?
                .ok_or(StorageError::NotFound)?;
            return Ok(HandInResult {
                submission,
                duplicate: true,
            });
        }

        let extension = self.homework.get_extension(assignment.id, student).await?;
        let deadline = effective_deadline(&assignment, extension.as_ref());
        let late = hand_in_timing(&assignment, deadline, now).map_err(|r| match r {
            TimingRefusal::NotOpenYet => HandInError::NotOpenYet,
            TimingRefusal::PastCutOff => HandInError::PastCutOff,
        })?;
        if existing
            .as_ref()
            .is_some_and(|s| s.state == SubmissionState::Graded)
        {
            return Err(HandInError::AlreadyGraded);
        }
        let max = self.max_versions;
        if existing.as_ref().is_some_and(|s| s.versions >= max) {
            return Err(HandInError::TooManyVersions { max });
        }
        let text = input.text.filter(|t| !t.is_blank());
        let files = self
            .hand_in_files(student, existing.as_ref().map(|s| s.id), &input.file_ids)
            .await?;
        check_content(&assignment, student, text.as_ref(), &files)?;

        let new_submission_id = SubmissionId::new();
        let version = SubmissionVersion {
            id: SubmissionVersionId::new(),
            submission_id: existing.as_ref().map_or(new_submission_id, |s| s.id),
            number: existing.as_ref().map_or(1, |s| s.last_number + 1),
            text,
            files,
            submitted_at: now,
            late,
            idempotency_key: key,
        };
        let state = if late {
            SubmissionState::SubmittedLate
        } else {
            SubmissionState::Submitted
        };
        // Badges are earned by first hand-ins only.
        let badges = if existing.is_none() {
            let firsts = self.homework.first_hand_ins(student).await?;
            hand_in_badges(&firsts, &assignment, &version)
        } else {
            Vec::new()
        };
        let awards: Vec<Achievement> = badges
            .into_iter()
            .map(|b| Achievement::new(student, b, assignment.course_id, now))
            .collect();
        let outbox = if awards.is_empty() {
            Vec::new()
        } else {
            let profiles = self.notifications.delivery_profiles(&[student]).await?;
            award_outbox(&profiles, &awards, now)
        };
        let hand_in = HandIn {
            new_submission_id,
            assignment_id: assignment.id,
            student_id: student,
            version,
            state,
            outbox,
            awards,
            max_versions: max,
        };
        let outcome = self.homework.hand_in(&hand_in).await.map_err(|e| match e {
            // Graded between our check and the write.
            StorageError::Conflict(Conflict::Stale) => HandInError::AlreadyGraded,
            // Another hand-in reached the limit meanwhile.
            StorageError::Conflict(Conflict::VersionLimit) => HandInError::TooManyVersions { max },
            e => HandInError::Storage(e),
        })?;
        if let HandInOutcome::Stored(submission) = &outcome {
            // Pictures in the answer become the submission's: the course's
            // staff read them.
            let texts: Vec<&RichText> = submission
                .latest()
                .and_then(|v| v.text.as_ref())
                .into_iter()
                .collect();
            adopt_pictures(
                self.files.as_ref(),
                actor,
                FileOwner::Submission(submission.id),
                &texts,
            )
            .await?;
        }
        Ok(match outcome {
            HandInOutcome::Stored(submission) => HandInResult {
                submission,
                duplicate: false,
            },
            HandInOutcome::Duplicate(submission) => HandInResult {
                submission,
                duplicate: true,
            },
        })
    }
}
