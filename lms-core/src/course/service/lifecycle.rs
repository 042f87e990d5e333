//! Creating, reading and changing courses, and moving them through their
//! lifecycle (draft, published, archived).

use super::*;
use crate::file::adopt_pictures;

impl CourseService {
    // ---- courses ----

    /// Creates a draft course with a fresh invite code. Teachers own what
    /// they create; an admin may name an active teacher as owner.
    pub async fn create_course(
        &self,
        actor: &Actor,
        new: NewCourse,
    ) -> Result<Course, CreateCourseError> {
        if !policy::can_create_course(actor) {
            return Err(CreateCourseError::Forbidden);
        }
        let owner_id = match new.owner_id {
            None => actor.user_id,
            Some(id) if id == actor.user_id => id,
            Some(_) if !actor.is_admin() => return Err(CreateCourseError::Forbidden),
            Some(id) => match self.users.get_user(id).await? {
                Some(u) if u.active && u.role == Role::Teacher => id,
                _ => return Err(CreateCourseError::InvalidOwner),
            },
        };
        let mut course = Course {
            id: CourseId::new(),
            title: new.title,
            description: new.description,
            owner_id,
            status: CourseStatus::Draft,
            invite_code: Some(InviteCode::generate()),
            cover: None,
            created_at: self.clock.now(),
        };
        let mut retried = false;
        loop {
            match self.courses.insert_course(&course).await {
                Ok(()) => {
                    adopt_pictures(
                        self.files.as_ref(),
                        actor,
                        FileOwner::Course(course.id),
                        &[&course.description],
                    )
                    .await?;
                    return Ok(course);
                }
                Err(StorageError::Conflict(Conflict::InviteCode)) if !retried => {
                    retried = true;
                    course.invite_code = Some(InviteCode::generate());
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// One course as the actor sees it.
    pub async fn get_course(
        &self,
        actor: &Actor,
        id: CourseId,
    ) -> Result<CourseView, CourseAccessError> {
        let seen = self.seen(actor, id).await?;
        let role = seen.role();
        Ok(CourseView::of(actor, seen.into_course(), role))
    }

    /// The actor's courses, newest first: every course for an admin (with
    /// role `None`), otherwise those they own, assist in or study in.
    /// Students do not see drafts (a page may hold fewer items than asked).
    pub async fn list_my_courses(
        &self,
        actor: &Actor,
        page: Page,
    ) -> StorageResult<Vec<CourseView>> {
        if actor.is_admin() {
            let all = self.courses.list_all_courses(page).await?;
            return Ok(all
                .into_iter()
                .map(|course| CourseView::of(actor, course, None))
                .collect());
        }
        let mine = self
            .courses
            .list_member_courses(actor.user_id, page)
            .await?;
        Ok(mine
            .into_iter()
            .filter(|m| policy::can_view_course(actor, Some(m.role), m.course.status))
            .map(|m| CourseView::of(actor, m.course, Some(m.role)))
            .collect())
    }

    /// Changes a course's title and description.
    pub async fn update_course(
        &self,
        actor: &Actor,
        id: CourseId,
        update: CourseUpdate,
    ) -> Result<Course, ManageCourseError> {
        let mut course = self.managed(actor, id).await?.into_course();
        if course.status == CourseStatus::Archived {
            return Err(ManageCourseError::CourseArchived);
        }
        course.title = update.title;
        course.description = update.description;
        self.courses
            .update_course(&course)
            .await
            .map_err(|e| not_found_as(e, ManageCourseError::NotFound))?;
        adopt_pictures(
            self.files.as_ref(),
            actor,
            FileOwner::Course(course.id),
            &[&course.description],
        )
        .await?;
        Ok(course)
    }

    /// Sets a course card's cover theme, or with `None` goes back to the
    /// one the UI picks from the title (owner or admin; not once archived).
    pub async fn set_cover(
        &self,
        actor: &Actor,
        id: CourseId,
        cover: Option<CourseCover>,
    ) -> Result<Course, ManageCourseError> {
        let mut course = self.managed(actor, id).await?.into_course();
        if course.status == CourseStatus::Archived {
            return Err(ManageCourseError::CourseArchived);
        }
        if course.cover == cover {
            return Ok(course);
        }
        course.cover = cover;
        self.courses
            .update_course(&course)
            .await
            .map_err(|e| not_found_as(e, ManageCourseError::NotFound))?;
        Ok(course)
    }

    /// Moves a course through its lifecycle (see [`is_allowed_transition`]).
    /// Asking for the current status changes nothing and succeeds.
    pub async fn set_status(
        &self,
        actor: &Actor,
        id: CourseId,
        status: CourseStatus,
    ) -> Result<Course, SetStatusError> {
        let mut course = self.managed(actor, id).await?.into_course();
        let from = course.status;
        if from == status {
            return Ok(course);
        }
        if !is_allowed_transition(from, status) {
            return Err(SetStatusError::InvalidTransition { from, to: status });
        }
        if from == CourseStatus::Published
            && status == CourseStatus::Draft
            && !self.courses.enrolled_students(id).await?.is_empty()
        {
            return Err(SetStatusError::StudentsEnrolled);
        }
        course.status = status;
        self.courses
            .update_course(&course)
            .await
            .map_err(|e| not_found_as(e, SetStatusError::NotFound))?;
        Ok(course)
    }
}

/// Whether the course lifecycle allows going from `from` to `to`:
/// draft → published, published → draft (the service also requires that
/// no student is enrolled), published → archived, archived → published.
#[must_use]
pub fn is_allowed_transition(from: CourseStatus, to: CourseStatus) -> bool {
    use CourseStatus::{Archived, Draft, Published};
    matches!(
        (from, to),
        (Draft, Published) | (Published, Draft) | (Published, Archived) | (Archived, Published)
    )
}
