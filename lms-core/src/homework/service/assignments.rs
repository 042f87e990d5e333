//! Creating, changing and reading assignments, and extensions.

use super::*;
use crate::file::{FileOwner, adopt_drafts, named_drafts, pick_attachments};

impl HomeworkService {
    // --- assignments -------------------------------------------------------

    /// Creates an assignment in a course (owner or admin). Created published
    /// in a published course, it notifies every enrolled student.
    pub async fn create_assignment(
        &self,
        actor: &Actor,
        course: CourseId,
        input: AssignmentInput,
    ) -> Result<Assignment, AssignmentError> {
        let access = self
            .access(actor, course)
            .await?
            .ok_or(AssignmentError::CourseNotFound)?;
        if !access.can_view() {
            return Err(AssignmentError::CourseNotFound);
        }
        if !access.can_manage() {
            return Err(AssignmentError::Forbidden);
        }
        if access.course().status == CourseStatus::Archived {
            return Err(AssignmentError::CourseArchived);
        }
        validate_assignment(&input)?;
        // Nothing is registered to an assignment not created yet: its
        // attachments and pictures are the author's drafts.
        let drafts = named_drafts(
            self.files.as_ref(),
            actor,
            input.attachment_ids.as_deref(),
            &input.instructions,
        )
        .await?;
        let attachments =
            pick_attachments(&drafts, input.attachment_ids.as_deref().unwrap_or_default())
                .map_err(AssignmentError::AttachmentNotUploaded)?;
        let now = self.clock.now();
        let assignment = build_assignment(AssignmentId::new(), course, now, input, attachments);
        let outbox = if assignment.published {
            self.new_assignment_outbox(access.course(), &assignment, now)
                .await?
        } else {
            Vec::new()
        };
        self.homework
            .insert_assignment(&assignment, &outbox)
            .await?;
        adopt_drafts(
            self.files.as_ref(),
            actor,
            FileOwner::Assignment(assignment.id),
            &drafts,
        )
        .await?;
        Ok(assignment)
    }

    /// Replaces an assignment's fields (owner or admin); the attachments
    /// only when `attachment_ids` is given, each a file uploaded for this
    /// assignment. Publishing a draft notifies every enrolled student (once
    /// per assignment).
    pub async fn update_assignment(
        &self,
        actor: &Actor,
        id: AssignmentId,
        input: AssignmentInput,
    ) -> Result<Assignment, AssignmentError> {
        let (current, access) = self
            .assignment_access(actor, id)
            .await?
            .ok_or(AssignmentError::NotFound)?;
        if !sees(&access, &current, self.clock.now()) {
            return Err(AssignmentError::NotFound);
        }
        if !access.can_manage() {
            return Err(AssignmentError::Forbidden);
        }
        if access.course().status == CourseStatus::Archived {
            return Err(AssignmentError::CourseArchived);
        }
        validate_assignment(&input)?;
        if input.max_score < current.max_score
            && let Some(highest) = self.highest_raw_score(current.id).await?
            && highest > input.max_score
        {
            // Grades above the maximum would break every total and percentage.
            return Err(AssignmentError::MaxBelowGrades {
                max: input.max_score,
                highest,
            });
        }
        let drafts = named_drafts(
            self.files.as_ref(),
            actor,
            input.attachment_ids.as_deref(),
            &input.instructions,
        )
        .await?;
        let attachments = match input.attachment_ids.as_deref() {
            None => current.attachments.clone(),
            Some(ids) => self.assignment_files(current.id, ids, &drafts).await?,
        };
        let now = self.clock.now();
        let updated = build_assignment(
            current.id,
            current.course_id,
            current.created_at,
            input,
            attachments,
        );
        let outbox = if updated.published && !current.published {
            self.new_assignment_outbox(access.course(), &updated, now)
                .await?
        } else {
            Vec::new()
        };
        self.homework
            .update_assignment(&updated, &outbox)
            .await
            .map_err(|e| match e {
                StorageError::NotFound => AssignmentError::NotFound,
                other => AssignmentError::Storage(other),
            })?;
        adopt_drafts(
            self.files.as_ref(),
            actor,
            FileOwner::Assignment(updated.id),
            &drafts,
        )
        .await?;
        Ok(updated)
    }

    /// The files `ids` names, each registered to `assignment` (uploaded for
    /// it by its editors) or one of the editor's `drafts`, in the order of
    /// `ids` and each once. Called only
    /// once the actor may change the assignment, so a refusal reveals
    /// nothing about files to anyone else.
    async fn assignment_files(
        &self,
        assignment: AssignmentId,
        ids: &[FileId],
        drafts: &[FileRef],
    ) -> Result<Vec<FileRef>, AssignmentError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut registered = self
            .files
            .list_by_owner(FileOwner::Assignment(assignment))
            .await?;
        registered.extend_from_slice(drafts);
        pick_attachments(&registered, ids).map_err(AssignmentError::AttachmentNotUploaded)
    }

    /// The highest raw score given on an assignment, over every page of submissions.
    async fn highest_raw_score(
        &self,
        assignment: AssignmentId,
    ) -> Result<Option<Points>, StorageError> {
        let mut highest: Option<Points> = None;
        let mut offset = 0;
        loop {
            let page = self
                .homework
                .list_submissions(
                    assignment,
                    &SubmissionFilter::default(),
                    Page::new(Page::MAX_LIMIT, offset),
                )
                .await?;
            for g in page.iter().filter_map(|s| s.grade.as_ref()) {
                if highest.is_none_or(|h| g.raw_score > h) {
                    highest = Some(g.raw_score);
                }
            }
            if page.len() < Page::MAX_LIMIT as usize {
                return Ok(highest);
            }
            offset += Page::MAX_LIMIT;
        }
    }

    /// One assignment as the actor sees it: a student gets their effective
    /// deadline, status and own submission (published assignments that have
    /// opened; others are `AssignmentNotFound` to them).
    pub async fn get_assignment(
        &self,
        actor: &Actor,
        id: AssignmentId,
    ) -> Result<AssignmentView, HomeworkReadError> {
        let (assignment, access) = self
            .assignment_access(actor, id)
            .await?
            .ok_or(HomeworkReadError::AssignmentNotFound)?;
        let now = self.clock.now();
        if !sees(&access, &assignment, now) {
            return Err(HomeworkReadError::AssignmentNotFound);
        }
        if !access.is_student_view() {
            return Ok(staff_view(assignment));
        }
        let extension = self
            .homework
            .get_extension(assignment.id, actor.user_id)
            .await?;
        let submission = self
            .homework
            .find_submission(assignment.id, actor.user_id)
            .await?;
        Ok(student_view(
            assignment,
            extension.as_ref(),
            submission,
            now,
        ))
    }

    /// The assignments of a course: every one for staff; for students the
    /// published ones that have opened, with the student's status.
    pub async fn list_assignments(
        &self,
        actor: &Actor,
        course: CourseId,
    ) -> Result<Vec<AssignmentView>, HomeworkReadError> {
        let access = self
            .access(actor, course)
            .await?
            .ok_or(HomeworkReadError::CourseNotFound)?;
        if !access.can_view() {
            return Err(HomeworkReadError::CourseNotFound);
        }
        let assignments = self.homework.list_assignments(course).await?;
        if !access.is_student_view() {
            return Ok(assignments.into_iter().map(staff_view).collect());
        }
        let now = self.clock.now();
        let mut submissions = self
            .homework
            .student_submissions(course, actor.user_id)
            .await?;
        let mut views = Vec::new();
        for assignment in assignments.into_iter().filter(|a| student_sees(a, now)) {
            let extension = self
                .homework
                .get_extension(assignment.id, actor.user_id)
                .await?;
            let submission = submissions
                .iter()
                .position(|s| s.assignment_id == assignment.id)
                .map(|i| submissions.swap_remove(i));
            views.push(student_view(
                assignment,
                extension.as_ref(),
                submission,
                now,
            ));
        }
        Ok(views)
    }

    // --- extensions --------------------------------------------------------

    /// Grants or replaces a student's extension (owner or admin).
    pub async fn grant_extension(
        &self,
        actor: &Actor,
        input: ExtensionInput,
    ) -> Result<Extension, ExtensionError> {
        let assignment = self.manage_extensions(actor, input.assignment_id).await?;
        if input.cut_off_at.is_some_and(|c| c < input.due_at) {
            return Err(ExtensionError::CutOffBeforeDue);
        }
        let role = self
            .courses
            .membership(assignment.course_id, input.student_id)
            .await?;
        if role != Some(CourseRole::Student) {
            return Err(ExtensionError::StudentNotEnrolled);
        }
        let extension = Extension {
            assignment_id: assignment.id,
            student_id: input.student_id,
            due_at: input.due_at,
            cut_off_at: input.cut_off_at,
            granted_by: actor.user_id,
            granted_at: self.clock.now(),
        };
        self.homework.upsert_extension(&extension).await?;
        Ok(extension)
    }

    /// Removes a student's extension (owner or admin).
    pub async fn revoke_extension(
        &self,
        actor: &Actor,
        assignment: AssignmentId,
        student: UserId,
    ) -> Result<(), ExtensionError> {
        let assignment = self.manage_extensions(actor, assignment).await?;
        if self
            .homework
            .delete_extension(assignment.id, student)
            .await?
        {
            Ok(())
        } else {
            Err(ExtensionError::NotFound)
        }
    }

    /// Every extension of an assignment (the course's staff and admins).
    pub async fn list_extensions(
        &self,
        actor: &Actor,
        assignment: AssignmentId,
    ) -> Result<Vec<Extension>, ExtensionError> {
        let (assignment, access) = self
            .assignment_access(actor, assignment)
            .await?
            .ok_or(ExtensionError::AssignmentNotFound)?;
        if !sees(&access, &assignment, self.clock.now()) {
            return Err(ExtensionError::AssignmentNotFound);
        }
        if !access.can_grade() {
            return Err(ExtensionError::Forbidden);
        }
        Ok(self.homework.list_extensions(assignment.id).await?)
    }
}
