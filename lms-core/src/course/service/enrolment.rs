//! Invite codes, joining by code, and enrolling and unenrolling students.

use super::*;
use crate::bulk::BulkOutcome;

impl CourseService {
    // ---- invite codes ----

    /// Replaces the invite code with a fresh one (the old code stops
    /// working) and returns it; also re-enables joining by code.
    pub async fn rotate_invite_code(
        &self,
        actor: &Actor,
        id: CourseId,
    ) -> Result<InviteCode, ManageCourseError> {
        let mut course = self.managed(actor, id).await?.into_course();
        let mut retried = false;
        loop {
            let code = InviteCode::generate();
            course.invite_code = Some(code.clone());
            match self.courses.update_course(&course).await {
                Ok(()) => return Ok(code),
                Err(StorageError::Conflict(Conflict::InviteCode)) if !retried => retried = true,
                Err(e) => return Err(not_found_as(e, ManageCourseError::NotFound)),
            }
        }
    }

    /// Turns joining by code off until the code is rotated.
    pub async fn disable_invite_code(
        &self,
        actor: &Actor,
        id: CourseId,
    ) -> Result<(), ManageCourseError> {
        let mut course = self.managed(actor, id).await?.into_course();
        if course.invite_code.is_none() {
            return Ok(());
        }
        course.invite_code = None;
        self.courses
            .update_course(&course)
            .await
            .map_err(|e| not_found_as(e, ManageCourseError::NotFound))
    }

    // ---- enrolment ----

    /// Enrols the acting student in the published course whose current
    /// invite code this is, or whose group's it is (then in that group too,
    /// unless the group is archived). Returns the course (without its code).
    pub async fn join_by_code(
        &self,
        actor: &Actor,
        code: &InviteCode,
    ) -> Result<Course, JoinError> {
        if actor.role != Role::Student {
            return Err(JoinError::Forbidden);
        }
        let (mut course, group) = match self.courses.find_course_by_invite_code(code).await? {
            Some(c)
                if c.status == CourseStatus::Published && c.invite_code.as_ref() == Some(code) =>
            {
                (c, None)
            }
            // A group's code enrols into its course and puts the student
            // in the group.
            _ => match self.group_for_code(code).await? {
                Some((group, course)) => (course, Some(group)),
                None => return Err(JoinError::InvalidCode),
            },
        };
        let now = self.clock.now();
        let enrollment = Enrollment {
            course_id: course.id,
            student_id: actor.user_id,
            source: EnrollmentSource::InviteCode,
            enrolled_at: now,
        };
        let enrolled = match &group {
            None => self.courses.enroll(&enrollment).await,
            Some(group) => {
                let entry = crate::group::GroupMove {
                    course_id: course.id,
                    student_id: actor.user_id,
                    from_group: None,
                    to_group: Some(group.id),
                    moved_by: actor.user_id,
                    moved_at: now,
                };
                self.groups.enroll_in_group(&enrollment, &entry).await
            }
        };
        match enrolled {
            Ok(()) => {}
            Err(StorageError::Conflict(Conflict::Enrollment)) => {
                return Err(JoinError::AlreadyEnrolled);
            }
            Err(e) => return Err(e.into()),
        }
        course.invite_code = None;
        Ok(course)
    }

    /// Enrols an active student (staff action).
    pub async fn enroll_student(
        &self,
        actor: &Actor,
        course_id: CourseId,
        student_id: UserId,
    ) -> Result<Enrollment, EnrollError> {
        let course = self.managed(actor, course_id).await?.into_course();
        if course.status == CourseStatus::Archived {
            return Err(EnrollError::CourseArchived);
        }
        let student = self
            .users
            .get_user(student_id)
            .await?
            .ok_or(EnrollError::UserNotFound)?;
        if !student.active {
            return Err(EnrollError::UserInactive);
        }
        if student.role != Role::Student {
            return Err(EnrollError::NotAStudent);
        }
        let enrollment = Enrollment {
            course_id,
            student_id,
            source: EnrollmentSource::Staff,
            enrolled_at: self.clock.now(),
        };
        match self.courses.enroll(&enrollment).await {
            Ok(()) => Ok(enrollment),
            Err(StorageError::Conflict(Conflict::Enrollment)) => Err(EnrollError::AlreadyEnrolled),
            Err(e) => Err(e.into()),
        }
    }

    /// Enrols many students at once (owner or admin): one outcome per
    /// account, in the order given (duplicates once); an account that cannot
    /// be enrolled never stops the others. At most
    /// [`crate::bulk::MAX_BULK_ITEMS`].
    pub async fn enroll_many(
        &self,
        actor: &Actor,
        course_id: CourseId,
        student_ids: &[UserId],
    ) -> Result<Vec<BulkOutcome>, EnrollError> {
        let ids = crate::bulk::distinct(student_ids).ok_or(EnrollError::TooMany)?;
        let course = self.managed(actor, course_id).await?.into_course();
        if course.status == CourseStatus::Archived {
            return Err(EnrollError::CourseArchived);
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let outcome = match self.enroll_student(actor, course_id, id).await {
                Ok(_) => BulkOutcome::new(id, true, "enrolled"),
                Err(EnrollError::AlreadyEnrolled) => BulkOutcome::new(id, true, "already_enrolled"),
                Err(EnrollError::UserNotFound) => BulkOutcome::new(id, false, "user_not_found"),
                Err(EnrollError::UserInactive) => BulkOutcome::new(id, false, "user_inactive"),
                Err(EnrollError::NotAStudent) => BulkOutcome::new(id, false, "not_a_student"),
                Err(e) => return Err(e),
            };
            out.push(outcome);
        }
        Ok(out)
    }

    /// Removes many students at once (owner or admin): one outcome per
    /// account. At most [`crate::bulk::MAX_BULK_ITEMS`].
    pub async fn unenroll_many(
        &self,
        actor: &Actor,
        course_id: CourseId,
        student_ids: &[UserId],
    ) -> Result<Vec<BulkOutcome>, EnrollError> {
        let ids = crate::bulk::distinct(student_ids).ok_or(EnrollError::TooMany)?;
        self.managed(actor, course_id).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let was = self.courses.unenroll(course_id, id).await?;
            out.push(if was {
                BulkOutcome::new(id, true, "unenrolled")
            } else {
                BulkOutcome::new(id, true, "not_enrolled")
            });
        }
        Ok(out)
    }

    /// Removes a student from a course; returns whether they were enrolled.
    pub async fn unenroll(
        &self,
        actor: &Actor,
        course_id: CourseId,
        student_id: UserId,
    ) -> Result<bool, ManageCourseError> {
        self.managed(actor, course_id).await?;
        Ok(self.courses.unenroll(course_id, student_id).await?)
    }

    /// Enrolments with the students' accounts, oldest first (staff only; a
    /// mentor gets their groups' students); with a search text, an active
    /// flag or a group in `filter`, only the matching students (its role is
    /// ignored: everyone listed is a student).
    pub async fn list_students(
        &self,
        actor: &Actor,
        course_id: CourseId,
        filter: &UserFilter,
        page: Page,
    ) -> Result<Vec<(Enrollment, User)>, CourseAccessError> {
        let access = self.seen(actor, course_id).await?;
        if !access.can_grade() {
            return Err(CourseAccessError::Forbidden);
        }
        // A mentor lists their groups' students.
        let filter = access.narrow(filter);
        let enrollments = if filter.prefixes().is_none()
            && filter.active.is_none()
            && filter.group.is_none()
            && filter.mentored_by.is_none()
        {
            self.courses.list_enrollments(course_id, page).await?
        } else {
            self.courses
                .search_enrollments(course_id, &filter, page)
                .await?
        };
        let ids: Vec<UserId> = enrollments.iter().map(|e| e.student_id).collect();
        let mut users = self.users.get_users(&ids).await?;
        Ok(enrollments
            .into_iter()
            .filter_map(|e| {
                let at = users.iter().position(|u| u.id == e.student_id)?;
                Some((e, users.swap_remove(at)))
            })
            .collect())
    }

    /// The display names of those of `ids` who belong to the course (its
    /// students, assistants and owner), for lists that hold ids: a quiz's
    /// attempts, an assignment's submissions (staff only). Others are left
    /// out; at most [`MEMBER_NAMES_LIMIT`] distinct ids are looked up, in
    /// the order asked.
    pub async fn member_names(
        &self,
        actor: &Actor,
        course_id: CourseId,
        ids: &[UserId],
    ) -> Result<Vec<MemberName>, CourseAccessError> {
        let seen = self.seen(actor, course_id).await?;
        if !seen.can_grade() {
            return Err(CourseAccessError::Forbidden);
        }
        let mut asked: Vec<UserId> = Vec::with_capacity(ids.len().min(MEMBER_NAMES_LIMIT));
        for id in ids {
            if asked.len() == MEMBER_NAMES_LIMIT {
                break;
            }
            if !asked.contains(id) {
                asked.push(*id);
            }
        }
        if asked.is_empty() {
            return Ok(Vec::new());
        }
        let mut members: std::collections::HashSet<UserId> = self
            .courses
            .enrolled_students(course_id)
            .await?
            .into_iter()
            .collect();
        members.extend(self.courses.list_assistants(course_id).await?);
        members.insert(seen.course().owner_id);
        asked.retain(|id| members.contains(id));
        if asked.is_empty() {
            return Ok(Vec::new());
        }
        let users = self.users.get_users(&asked).await?;
        Ok(asked
            .iter()
            .filter_map(|id| users.iter().find(|u| u.id == *id))
            .map(|u| MemberName {
                user_id: u.id,
                display_name: u.display_name.as_str().to_owned(),
            })
            .collect())
    }
}

/// At most this many ids are looked up by [`CourseService::member_names`].
pub const MEMBER_NAMES_LIMIT: usize = 200;

/// A course member's display name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberName {
    /// The member.
    pub user_id: UserId,
    /// Their display name.
    pub display_name: String,
}
