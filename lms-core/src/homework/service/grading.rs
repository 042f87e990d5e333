//! Grading, returning for rework, reading submissions and the grading
//! queue.

use super::*;
use crate::course::{QueueScope, Refusal};
use crate::file::{FileOwner, adopt_pictures};
use crate::user::UserFilter;

impl HomeworkService {
    // --- grading -----------------------------------------------------------

    /// The student's effective deadline (their extension, if any) and what
    /// the late policy keeps of `raw` for work handed in at `submitted_at`:
    /// the one rule both the preview and the grade apply.
    async fn penalised(
        &self,
        assignment: &Assignment,
        student: UserId,
        raw: Points,
        submitted_at: DateTime<Utc>,
    ) -> Result<(crate::homework::Deadline, u8, Points), ReviewError> {
        let extension = self.homework.get_extension(assignment.id, student).await?;
        let deadline = effective_deadline(assignment, extension.as_ref());
        let (kept_percent, final_score) =
            apply_late_penalty(raw, assignment.late_policy, deadline.due_at, submitted_at);
        Ok((deadline, kept_percent, final_score))
    }

    /// What grading the latest version with `raw_score` would store (the
    /// course's staff and admins), so a grader sees the late penalty before
    /// saving. Nothing is written.
    pub async fn grade_preview(
        &self,
        actor: &Actor,
        submission_id: SubmissionId,
        raw_score: Points,
    ) -> Result<GradePreview, ReviewError> {
        let (submission, assignment, _) = self.review_target(actor, submission_id).await?;
        let latest = submission.latest().ok_or(ReviewError::NotFound)?;
        let raw = Points::score(raw_score.value(), assignment.max_score)?;
        let (deadline, kept_percent, final_score) = self
            .penalised(&assignment, submission.student_id, raw, latest.submitted_at)
            .await?;
        Ok(GradePreview {
            version: latest.number,
            raw_score: raw,
            kept_percent,
            final_score,
            max_score: assignment.max_score,
            due_at: deadline.due_at,
            days_late: days_late(deadline.due_at, latest.submitted_at),
        })
    }

    /// Grades the latest version (the course's staff and admins): the late
    /// penalty is applied against the student's effective due date, the
    /// change is audited, the student is notified, and a grade that
    /// completes the course earns the course badge.
    pub async fn grade(
        &self,
        actor: &Actor,
        submission_id: SubmissionId,
        input: GradeInput,
    ) -> Result<Submission, ReviewError> {
        let (submission, assignment, _) = self.review_target(actor, submission_id).await?;
        let latest = submission.latest().ok_or(ReviewError::NotFound)?;
        if latest.number != input.expected_version {
            return Err(ReviewError::ChangedMeanwhile);
        }
        let raw = Points::score(input.raw_score.value(), assignment.max_score)?;
        let now = self.clock.now();
        let student = submission.student_id;
        let (_, kept_percent, final_score) = self
            .penalised(&assignment, student, raw, latest.submitted_at)
            .await?;
        let grade = Grade {
            raw_score: raw,
            kept_percent,
            final_score,
            feedback: input.feedback.clone(),
            graded_by: actor.user_id,
            graded_at: now,
            version: latest.number,
        };
        let audit = GradeAuditEntry {
            id: AuditId::new(),
            submission_id: submission.id,
            actor_id: actor.user_id,
            at: now,
            action: AuditAction::Graded {
                raw_score: raw,
                final_score,
                previous_final_score: submission.grade.as_ref().map(|g| g.final_score),
            },
            feedback: input.feedback,
        };

        // A regrade cannot complete a course (the assignment already counted
        // as done), and drafts do not count towards progress.
        let awards = if submission.state != SubmissionState::Graded && assignment.published {
            self.course_completion(student, &assignment, now).await?
        } else {
            Vec::new()
        };
        let profiles = self.notifications.delivery_profiles(&[student]).await?;
        let note = Notification::HomeworkGraded {
            course_id: assignment.course_id,
            assignment_id: assignment.id,
            title: assignment.title.to_string(),
            submission_id: submission.id,
            score: final_score.value(),
            max_score: assignment.max_score.value(),
        };
        let event = format!("graded:{}:{}:{}", submission.id, latest.number, audit.id);
        let mut outbox = fan_out(&profiles, &event, &note, now);
        outbox.extend(award_outbox(&profiles, &awards, now));
        let review = Review {
            submission_id: submission.id,
            expected_version: input.expected_version,
            state: SubmissionState::Graded,
            grade: Some(grade),
            rework_feedback: None,
            audit,
            outbox,
            awards,
        };
        let reviewed = self.homework.review(&review).await?;
        self.adopt_feedback_pictures(actor, &reviewed, &review.audit.feedback)
            .await?;
        Ok(reviewed)
    }

    /// Returns submitted or graded work for rework with feedback (the
    /// course's staff and admins); audited and notified.
    pub async fn return_for_rework(
        &self,
        actor: &Actor,
        submission_id: SubmissionId,
        feedback: RichText,
        expected_version: u32,
    ) -> Result<Submission, ReviewError> {
        let (submission, assignment, _) = self.review_target(actor, submission_id).await?;
        if submission.state == SubmissionState::ReturnedForRework {
            return Err(ReviewError::NotReturnable);
        }
        let latest = submission.latest().ok_or(ReviewError::NotFound)?;
        if latest.number != expected_version {
            return Err(ReviewError::ChangedMeanwhile);
        }
        if feedback.is_blank() {
            return Err(ReviewError::FeedbackRequired);
        }
        let now = self.clock.now();
        let audit = GradeAuditEntry {
            id: AuditId::new(),
            submission_id: submission.id,
            actor_id: actor.user_id,
            at: now,
            action: AuditAction::Returned,
            feedback: feedback.clone(),
        };
        let profiles = self
            .notifications
            .delivery_profiles(&[submission.student_id])
            .await?;
        let note = Notification::HomeworkReturned {
            course_id: assignment.course_id,
            assignment_id: assignment.id,
            title: assignment.title.to_string(),
            submission_id: submission.id,
        };
        let event = format!("returned:{}:{}:{}", submission.id, latest.number, audit.id);
        let review = Review {
            submission_id: submission.id,
            expected_version,
            state: SubmissionState::ReturnedForRework,
            grade: None,
            rework_feedback: Some(feedback),
            audit,
            outbox: fan_out(&profiles, &event, &note, now),
            awards: Vec::new(),
        };
        let reviewed = self.homework.review(&review).await?;
        self.adopt_feedback_pictures(actor, &reviewed, &review.audit.feedback)
            .await?;
        Ok(reviewed)
    }

    /// Pictures in feedback become the submission's: the student reads them.
    async fn adopt_feedback_pictures(
        &self,
        actor: &Actor,
        submission: &Submission,
        feedback: &RichText,
    ) -> Result<(), StorageError> {
        adopt_pictures(
            self.files.as_ref(),
            actor,
            FileOwner::Submission(submission.id),
            &[feedback],
        )
        .await
    }

    // --- reading submissions ----------------------------------------------

    /// One submission: the owning student's own, or any in a course the
    /// actor checks.
    pub async fn get_submission(
        &self,
        actor: &Actor,
        id: SubmissionId,
    ) -> Result<Submission, HomeworkReadError> {
        let (submission, _, _) = self.visible_submission(actor, id).await?;
        Ok(submission)
    }

    /// The actor's own submission to an assignment they can see, if any.
    pub async fn my_submission(
        &self,
        actor: &Actor,
        assignment: AssignmentId,
    ) -> Result<Option<Submission>, HomeworkReadError> {
        let (assignment, access) = self
            .assignment_access(actor, assignment)
            .await?
            .ok_or(HomeworkReadError::AssignmentNotFound)?;
        if !sees(&access, &assignment, self.clock.now()) {
            return Err(HomeworkReadError::AssignmentNotFound);
        }
        Ok(self
            .homework
            .find_submission(assignment.id, actor.user_id)
            .await?)
    }

    /// Every student's submission to an assignment that `filter` matches
    /// (the course's staff and admins).
    pub async fn list_submissions(
        &self,
        actor: &Actor,
        assignment: AssignmentId,
        filter: &SubmissionFilter,
        page: Page,
    ) -> Result<Vec<Submission>, HomeworkReadError> {
        let (assignment, access) = self
            .assignment_access(actor, assignment)
            .await?
            .ok_or(HomeworkReadError::AssignmentNotFound)?;
        if !sees(&access, &assignment, self.clock.now()) {
            return Err(HomeworkReadError::AssignmentNotFound);
        }
        if !access.can_grade() {
            return Err(HomeworkReadError::Forbidden);
        }
        let filter = SubmissionFilter {
            students: access.narrow(&filter.students),
            state: filter.state,
        };
        Ok(self
            .homework
            .list_submissions(assignment.id, &filter, page)
            .await?)
    }

    /// Submissions waiting for a grade, oldest first: in `course` (which the
    /// actor must check), or else in every course the actor owns or assists
    /// in (every course for admins); only those of students `students`
    /// matches (by name or e-mail prefix; its role is ignored).
    pub async fn grading_queue(
        &self,
        actor: &Actor,
        course: Option<CourseId>,
        students: &UserFilter,
        page: Page,
    ) -> Result<Vec<PendingSubmission>, HomeworkReadError> {
        let scope =
            match QueueScope::resolve(&*self.courses, &*self.groups, actor, course, students)
                .await?
            {
                Ok(scope) => scope,
                Err(Refusal::NotFound) => return Err(HomeworkReadError::CourseNotFound),
                Err(Refusal::Forbidden) => return Err(HomeworkReadError::Forbidden),
            };
        if scope.courses.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .homework
            .pending_submissions(&scope.courses, &scope.students, page)
            .await?)
    }

    /// The grade audit trail of a submission, oldest first (the course's
    /// staff, admins, and the owning student).
    pub async fn grade_history(
        &self,
        actor: &Actor,
        submission: SubmissionId,
    ) -> Result<Vec<GradeAuditEntry>, HomeworkReadError> {
        let (submission, _, _) = self.visible_submission(actor, submission).await?;
        Ok(self.homework.grade_audit(submission.id).await?)
    }
}
