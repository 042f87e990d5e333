//! Homework: assignments, submissions, reviews.

use super::*;

// ---- homework --------------------------------------------------------------

#[async_trait]
impl HomeworkStore for MemoryStorage {
    async fn insert_assignment(
        &self,
        assignment: &Assignment,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&assignment.course_id) {
            return Err(StorageError::NotFound);
        }
        if st.assignments.contains_key(&assignment.id) {
            return conflict(Conflict::Other);
        }
        let fresh = st.check_outbox(outbox)?;
        let seq = st.next_seq();
        st.assignments.insert(
            assignment.id,
            Row {
                value: assignment.clone(),
                seq,
            },
        );
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn update_assignment(
        &self,
        assignment: &Assignment,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.assignments.contains_key(&assignment.id) {
            return Err(StorageError::NotFound);
        }
        let fresh = st.check_outbox(outbox)?;
        let row = st
            .assignments
            .get_mut(&assignment.id)
            .ok_or(StorageError::NotFound)?;
        row.value = Assignment {
            course_id: row.value.course_id,
            created_at: row.value.created_at,
            ..assignment.clone()
        };
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn get_assignment(&self, id: AssignmentId) -> StorageResult<Option<Assignment>> {
        Ok(self.lock().assignments.get(&id).map(|r| r.value.clone()))
    }

    async fn list_assignments(&self, course: CourseId) -> StorageResult<Vec<Assignment>> {
        Ok(self.lock().assignments_of(course))
    }

    async fn upsert_extension(&self, extension: &Extension) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.assignments.contains_key(&extension.assignment_id) {
            return Err(StorageError::NotFound);
        }
        if let Some(row) = st.extensions.iter_mut().find(|r| {
            r.value.assignment_id == extension.assignment_id
                && r.value.student_id == extension.student_id
        }) {
            row.value = extension.clone();
        } else {
            let seq = st.next_seq();
            st.extensions.push(Row {
                value: extension.clone(),
                seq,
            });
        }
        Ok(())
    }

    async fn delete_extension(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<bool> {
        let mut st = self.lock();
        let before = st.extensions.len();
        st.extensions
            .retain(|r| !(r.value.assignment_id == assignment && r.value.student_id == student));
        Ok(st.extensions.len() != before)
    }

    async fn get_extension(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<Option<Extension>> {
        Ok(self.lock().extension(assignment, student).cloned())
    }

    async fn list_extensions(&self, assignment: AssignmentId) -> StorageResult<Vec<Extension>> {
        let st = self.lock();
        let rows = st
            .extensions
            .iter()
            .filter(|r| r.value.assignment_id == assignment)
            .collect();
        Ok(oldest_first(rows, |e| e.granted_at))
    }

    async fn hand_in(&self, hand_in: &HandIn) -> StorageResult<HandInOutcome> {
        let mut st = self.lock();
        if !st.assignments.contains_key(&hand_in.assignment_id) {
            return Err(StorageError::NotFound);
        }
        let existing = st
            .submission_of(hand_in.assignment_id, hand_in.student_id)
            .map(|r| r.value.clone());
        // A retried hand-in writes nothing and answers with what is stored.
        if let (Some(sub), Some(key)) = (&existing, &hand_in.version.idempotency_key)
            && sub
                .versions
                .iter()
                .any(|v| v.idempotency_key.as_ref() == Some(key))
        {
            return Ok(HandInOutcome::Duplicate(sub.clone()));
        }
        if existing.is_none() && st.submissions.contains_key(&hand_in.new_submission_id) {
            return conflict(Conflict::Other);
        }
        // Graded work takes no new version (a grade may have landed since
        // the service looked).
        if existing
            .as_ref()
            .is_some_and(|s| s.state == SubmissionState::Graded)
        {
            return conflict(Conflict::Stale);
        }
        if existing
            .as_ref()
            .is_some_and(|s| s.versions.len() >= hand_in.max_versions as usize)
        {
            return conflict(Conflict::VersionLimit);
        }
        if st
            .submissions
            .values()
            .any(|r| r.value.versions.iter().any(|v| v.id == hand_in.version.id))
        {
            return conflict(Conflict::Other);
        }
        let fresh = st.check_outbox(&hand_in.outbox)?;
        let awards = st.new_awards(&hand_in.awards);

        let submission_id = existing
            .as_ref()
            .map_or(hand_in.new_submission_id, |s| s.id);
        // The version's files become the submission's with it (the rules
        // of `attach`).
        let owner = FileOwner::Submission(submission_id);
        let file_ids: Vec<FileId> = hand_in.version.files.iter().map(|f| f.id).collect();
        let taken = st.attachable(&file_ids, hand_in.student_id, owner)?;
        let number = existing.as_ref().map_or(0, |s| s.versions.len()) + 1;
        let version = SubmissionVersion {
            submission_id,
            number: u32::try_from(number)
                .map_err(|_| StorageError::Permanent("too many versions".into()))?,
            ..hand_in.version.clone()
        };
        let stored = match existing {
            Some(mut sub) => {
                sub.state = hand_in.state;
                sub.updated_at = version.submitted_at;
                sub.versions.push(version);
                let row = st
                    .submissions
                    .get_mut(&submission_id)
                    .ok_or(StorageError::NotFound)?;
                row.value = sub.clone();
                sub
            }
            None => {
                let sub = Submission {
                    id: submission_id,
                    assignment_id: hand_in.assignment_id,
                    student_id: hand_in.student_id,
                    state: hand_in.state,
                    updated_at: version.submitted_at,
                    versions: vec![version],
                    grade: None,
                    rework_feedback: None,
                };
                let seq = st.next_seq();
                st.submissions.insert(
                    submission_id,
                    Row {
                        value: sub.clone(),
                        seq,
                    },
                );
                sub
            }
        };
        st.set_owner(&taken, owner);
        st.apply_outbox_and_awards(fresh, awards);
        Ok(HandInOutcome::Stored(stored))
    }

    async fn review(&self, review: &Review) -> StorageResult<Submission> {
        let mut st = self.lock();
        let current = st
            .submissions
            .get(&review.submission_id)
            .map(|r| r.value.clone())
            .ok_or(StorageError::NotFound)?;
        let latest = current.latest().map_or(0, |v| v.number);
        if latest != review.expected_version {
            return conflict(Conflict::Stale);
        }
        if st.audit.iter().any(|r| r.value.id == review.audit.id) {
            return conflict(Conflict::Other);
        }
        let fresh = st.check_outbox(&review.outbox)?;
        let awards = st.new_awards(&review.awards);

        let mut updated = current;
        updated.state = review.state;
        updated.grade = review.grade.clone();
        if let Some(feedback) = &review.rework_feedback {
            updated.rework_feedback = Some(feedback.clone());
        }
        updated.updated_at = review.audit.at;
        if let Some(row) = st.submissions.get_mut(&review.submission_id) {
            row.value = updated.clone();
        }
        let seq = st.next_seq();
        st.audit.push(Row {
            value: GradeAuditEntry {
                submission_id: review.submission_id,
                ..review.audit.clone()
            },
            seq,
        });
        st.apply_outbox_and_awards(fresh, awards);
        Ok(updated)
    }

    async fn get_submission(&self, id: SubmissionId) -> StorageResult<Option<Submission>> {
        Ok(self.lock().submissions.get(&id).map(|r| r.value.clone()))
    }

    async fn find_submission(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<Option<Submission>> {
        Ok(self
            .lock()
            .submission_of(assignment, student)
            .map(|r| r.value.clone()))
    }

    async fn list_submissions(
        &self,
        assignment: AssignmentId,
        filter: &crate::homework::SubmissionFilter,
        page: Page,
    ) -> StorageResult<Vec<Submission>> {
        let st = self.lock();
        Ok(page.slice(&st.submissions_where(|s| {
            s.assignment_id == assignment
                && st
                    .users
                    .get(&s.student_id)
                    .is_some_and(|u| filter.matches(s, &u.user))
                && st.course_of_assignment(assignment).is_some_and(|course| {
                    st.in_filter_scope(&filter.students, course, s.student_id)
                })
        })))
    }

    async fn student_submissions(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Vec<Submission>> {
        let st = self.lock();
        Ok(st.submissions_where(|s| {
            s.student_id == student && st.course_of_assignment(s.assignment_id) == Some(course)
        }))
    }

    async fn submission_head(
        &self,
        assignment: AssignmentId,
        student: UserId,
    ) -> StorageResult<Option<SubmissionHead>> {
        Ok(self
            .lock()
            .submissions
            .values()
            .find(|r| r.value.assignment_id == assignment && r.value.student_id == student)
            .map(|r| SubmissionHead::of(&r.value)))
    }

    async fn first_hand_ins(&self, student: UserId) -> StorageResult<Vec<FirstHandIn>> {
        // submissions_where orders by first hand-in.
        Ok(self
            .lock()
            .submissions_where(|s| s.student_id == student)
            .iter()
            .filter_map(FirstHandIn::of)
            .collect())
    }

    async fn pending_submissions(
        &self,
        courses: &[CourseId],
        students: &crate::user::UserFilter,
        page: Page,
    ) -> StorageResult<Vec<PendingSubmission>> {
        let st = self.lock();
        let matching: Vec<PendingSubmission> = st
            .pending(courses)
            .into_iter()
            .filter(|p| {
                st.users
                    .get(&p.submission.student_id)
                    .is_some_and(|u| students.matches(&u.user))
                    && st.in_filter_scope(students, p.course_id, p.submission.student_id)
            })
            .collect();
        Ok(page.slice(&matching))
    }

    async fn grade_audit(&self, submission: SubmissionId) -> StorageResult<Vec<GradeAuditEntry>> {
        let st = self.lock();
        let rows = st
            .audit
            .iter()
            .filter(|r| r.value.submission_id == submission)
            .collect();
        Ok(oldest_first(rows, |a| a.at))
    }
}
