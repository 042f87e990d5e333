//! [`CourseAccess`]: the actor's standing in one course, decided in one
//! place for every service.

use crate::course::model::{Course, CourseRole};
use crate::course::ports::CourseStore;
use crate::error::StorageResult;
use crate::group::{GroupStore, MentorScope};
use crate::ids::{CourseId, UserId};
use crate::policy;
use crate::user::{Actor, UserFilter};

/// How a service refuses an actor who may not do something in a course:
/// `NotFound` when they may not even know the course (or the thing) exists,
/// `Forbidden` when they see it but may not act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Answer as if it did not exist.
    NotFound,
    /// Answer that the actor may not do this.
    Forbidden,
}

/// One course, the actor's role in it and which of its students they see,
/// loaded once per call (one round trip, two for an assistant) and asked
/// every access question the services have: view, study, grade (the course,
/// or one student), manage.
///
/// The rules are [`crate::policy`]'s plus mentor scope: an assistant of a
/// course with groups grades only the students of the groups they mentor
/// ([`MentorScope`]); the owner and admins see everyone.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseAccess {
    actor: Actor,
    course: Course,
    role: Option<CourseRole>,
    /// `None`: a mentor's scope not read yet ([`Self::of`]).
    scope: Option<MentorScope>,
}

impl CourseAccess {
    /// The course and the actor's standing in it; `None` when there is no
    /// such course.
    pub async fn load(
        courses: &dyn CourseStore,
        groups: &dyn GroupStore,
        actor: &Actor,
        course: CourseId,
    ) -> StorageResult<Option<Self>> {
        let Some((course, role)) = courses.course_for(course, actor.user_id).await? else {
            return Ok(None);
        };
        Ok(Some(Self::with_role(groups, actor, course, role).await?))
    }

    /// The standing of an actor whose role in `course` is already known
    /// (a read that returned both); asks `groups` for an assistant's scope.
    pub async fn with_role(
        groups: &dyn GroupStore,
        actor: &Actor,
        course: Course,
        role: Option<CourseRole>,
    ) -> StorageResult<Self> {
        let scope = if Self::is_mentor(actor, role) {
            groups.mentor_scope(course.id, actor.user_id).await?
        } else {
            MentorScope::Course
        };
        Ok(Self {
            actor: *actor,
            course,
            role,
            scope: Some(scope),
        })
    }

    /// The standing of an actor whose role in `course` is already known,
    /// without reading a mentor's scope: for course-level questions (view,
    /// study, manage) on hot reads. [`Self::grades`] reads the scope when
    /// it needs it; [`Self::covers`] sees no student of an unread scope.
    #[must_use]
    pub fn of(actor: &Actor, course: Course, role: Option<CourseRole>) -> Self {
        let scope = (!Self::is_mentor(actor, role)).then_some(MentorScope::Course);
        Self {
            actor: *actor,
            course,
            role,
            scope,
        }
    }

    /// Whether the actor's grading powers come only from assisting (so a
    /// course's groups limit them).
    fn is_mentor(actor: &Actor, role: Option<CourseRole>) -> bool {
        policy::can_grade(actor, role) && !policy::can_manage_course(actor, role)
    }

    /// The course.
    #[must_use]
    pub fn course(&self) -> &Course {
        &self.course
    }

    /// The course, taken out.
    #[must_use]
    pub fn into_course(self) -> Course {
        self.course
    }

    /// The actor's role in the course; `None` for a non-member (an admin).
    #[must_use]
    pub fn role(&self) -> Option<CourseRole> {
        self.role
    }

    /// Which students the actor sees when they grade; `None` when a
    /// mentor's scope was not read ([`Self::of`]).
    #[must_use]
    pub fn scope(&self) -> Option<&MentorScope> {
        self.scope.as_ref()
    }

    /// Whether the actor sees every student of the course (a scope read
    /// and whole).
    #[must_use]
    pub fn sees_every_student(&self) -> bool {
        self.scope
            .as_ref()
            .is_some_and(MentorScope::is_whole_course)
    }

    /// Whether a student in `group` is one the actor grades (`false` for an
    /// unread scope).
    #[must_use]
    pub fn covers(&self, group: Option<crate::ids::GroupId>) -> bool {
        self.can_grade() && self.scope.as_ref().is_some_and(|s| s.covers(group))
    }

    /// Whether the actor may know the course exists ([`policy::can_view_course`]).
    #[must_use]
    pub fn can_view(&self) -> bool {
        policy::can_view_course(&self.actor, self.role, self.course.status)
    }

    /// Whether the actor studies in the course ([`policy::can_study`]).
    #[must_use]
    pub fn can_study(&self) -> bool {
        policy::can_study(&self.actor, self.role, self.course.status)
    }

    /// Whether the actor grades in the course at all ([`policy::can_grade`]);
    /// which students, [`Self::grades`] says.
    #[must_use]
    pub fn can_grade(&self) -> bool {
        policy::can_grade(&self.actor, self.role)
    }

    /// Whether the actor manages the course ([`policy::can_manage_course`]).
    #[must_use]
    pub fn can_manage(&self) -> bool {
        policy::can_manage_course(&self.actor, self.role)
    }

    /// Whether the actor sees the course only as a student does.
    #[must_use]
    pub fn is_student_view(&self) -> bool {
        !self.can_grade() && self.can_view()
    }

    /// Whether the actor grades this student of the course: staff whose
    /// scope covers the student's group. Asks `groups` only for a mentor.
    pub async fn grades(&self, groups: &dyn GroupStore, student: UserId) -> StorageResult<bool> {
        if !self.can_grade() {
            return Ok(false);
        }
        let read;
        let scope = match &self.scope {
            Some(scope) => scope,
            None => {
                read = groups
                    .mentor_scope(self.course.id, self.actor.user_id)
                    .await?;
                &read
            }
        };
        Ok(match scope {
            MentorScope::Course => true,
            MentorScope::Groups(mine) if mine.is_empty() => false,
            MentorScope::Groups(_) => {
                scope.covers(groups.student_group(self.course.id, student).await?)
            }
        })
    }

    /// How to refuse what the actor may not do here: `Forbidden` when they
    /// see the course, else `NotFound`.
    #[must_use]
    pub fn refusal(&self) -> Refusal {
        if self.can_view() {
            Refusal::Forbidden
        } else {
            Refusal::NotFound
        }
    }

    /// `filter` narrowed to the students the actor sees (a listing of the
    /// course's students, submissions or attempts).
    #[must_use]
    pub fn narrow(&self, filter: &UserFilter) -> UserFilter {
        UserFilter {
            role: None,
            mentored_by: (!self.sees_every_student()).then_some(self.actor.user_id),
            ..filter.clone()
        }
    }

    /// The enrolled students the actor sees, narrowed to `group` when
    /// given, in enrolment order; `None` when that is every enrolled
    /// student (nothing read: the caller lists them as it likes).
    pub async fn students_seen(
        &self,
        groups: &dyn GroupStore,
        group: Option<crate::ids::GroupId>,
    ) -> StorageResult<Option<Vec<UserId>>> {
        if group.is_none() && self.sees_every_student() {
            return Ok(None);
        }
        Ok(Some(
            groups
                .group_members(self.course.id)
                .await?
                .into_iter()
                .filter(|m| self.covers(m.group_id) && group.is_none_or(|g| m.group_id == Some(g)))
                .map(|m| m.student_id)
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests;
