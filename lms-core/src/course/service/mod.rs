//! The course service: courses and their lifecycle, invite codes, enrolment,
//! assistants and lessons, with every call authorised for the acting user.
//!
//! Who may do what (see [`crate::policy`]): the owner teacher and admins
//! manage a course; assistants additionally see it and its students; enrolled
//! students see it once published. An actor who may not see a course (or a
//! lesson) gets the operation's `NotFound`, one who sees it but may not act
//! gets `Forbidden`.
//!
//! Archived courses are frozen: their details and lessons cannot be changed
//! and no student can be enrolled until the course is published again.

mod assistants;
mod enrolment;
mod errors;
mod groups;
mod lessons;
mod lifecycle;
mod progress;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::course::access::CourseAccess;
use crate::course::model::{
    Course, CourseCover, CourseRole, CourseStatus, Enrollment, EnrollmentSource, InviteCode,
    Lesson, Title,
};
use crate::course::ports::CourseStore;
use crate::error::{Conflict, StorageError, StorageResult};
use crate::file::{FileOwner, FileRef, FileRegistry};
use crate::group::GroupStore;
use crate::ids::{CourseId, FileId, LessonId, UserId};
use crate::page::Page;
use crate::policy;
use crate::richtext::RichText;
use crate::user::{Actor, Role, User, UserFilter, UserStore};

pub use enrolment::{MEMBER_NAMES_LIMIT, MemberName};
pub use errors::*;
pub use groups::{GroupUpdate, MAX_GROUP_MENTORS, MAX_GROUPS_PER_COURSE, NewGroup};
pub use lifecycle::is_allowed_transition;
pub use progress::{LessonMark, LessonProgress};

use errors::Denied;

/// A new course.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCourse {
    /// Title.
    pub title: Title,
    /// Description shown on the course page.
    pub description: RichText,
    /// The owning teacher. Teachers always own what they create (only
    /// `None` or their own id is accepted); an admin may name any active
    /// teacher, and owns the course themselves when this is `None`.
    pub owner_id: Option<UserId>,
}

/// New title and description of a course.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseUpdate {
    /// Title.
    pub title: Title,
    /// Description shown on the course page.
    pub description: RichText,
}

/// A lesson's editable content.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonInput {
    /// Title.
    pub title: Title,
    /// Body (sanitised rich text).
    pub body: RichText,
    /// When students may see it; `None`: as soon as the course is published.
    pub publish_at: Option<DateTime<Utc>>,
    /// Whether students may see it (`false`: a draft only staff see).
    /// `None`: a new lesson is published, an update keeps the current state.
    pub published: Option<bool>,
    /// Attached files, in order: ids of files uploaded to this lesson
    /// (registered with [`FileOwner::Lesson`]), a repeated id once. `None`
    /// keeps the attachments an update finds (a new lesson has none: upload
    /// after creating it, then update).
    pub attachment_ids: Option<Vec<FileId>>,
}

/// A course as the actor sees it, with their role in it and what they may
/// do there. The flags come from the same [`policy`] rules the services
/// check, so a UI that shows an action only when its flag is set never
/// offers one the services would refuse as `Forbidden`.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseView {
    /// The course; `invite_code` is `None` for viewers who are not staff.
    pub course: Course,
    /// The actor's role in the course; `None` for an admin who is not a member.
    pub role: Option<CourseRole>,
    /// Whether the actor may manage the course ([`policy::can_manage_course`]):
    /// edit it and its cover, change its status, invite code, staff and
    /// enrolment, and write its lessons, assignments, quizzes and webinars.
    /// The owner while a teacher and admins; never an assistant. An archived
    /// course still refuses edits (a conflict, not a denial) until it is
    /// published again.
    pub can_manage: bool,
    /// Whether the actor may grade in the course ([`policy::can_grade`]):
    /// see its students, submissions, gradebook and statistics, and check
    /// homework. The owner, assistants and admins.
    pub can_grade: bool,
    /// Whether the actor may study in the course ([`policy::can_study`]):
    /// hand in homework and take quizzes. An enrolled student while the
    /// course is published (not once it is archived).
    pub can_study: bool,
}

impl CourseView {
    /// The course as this actor sees it: only staff see the invite code,
    /// and the flags say what the services will allow them.
    fn of(actor: &Actor, mut course: Course, role: Option<CourseRole>) -> Self {
        let can_grade = policy::can_grade(actor, role);
        if !can_grade {
            course.invite_code = None;
        }
        Self {
            can_manage: policy::can_manage_course(actor, role),
            can_grade,
            can_study: policy::can_study(actor, role, course.status),
            course,
            role,
        }
    }
}

/// The actor's standing in a course they may see, or `NotFound`: the
/// course-level questions of [`CourseAccess`] (a mentor's scope is read
/// only when a student is asked about).
fn seen(actor: &Actor, course: Course, role: Option<CourseRole>) -> Result<CourseAccess, Denied> {
    let access = CourseAccess::of(actor, course, role);
    if !access.can_view() {
        return Err(Denied::NotFound);
    }
    Ok(access)
}

/// Courses, enrolment, staff and lessons.
pub struct CourseService {
    courses: Arc<dyn CourseStore>,
    groups: Arc<dyn GroupStore>,
    users: Arc<dyn UserStore>,
    files: Arc<dyn FileRegistry>,
    clock: Arc<dyn Clock>,
}

impl CourseService {
    /// A service over these ports.
    pub fn new(
        courses: Arc<dyn CourseStore>,
        groups: Arc<dyn GroupStore>,
        users: Arc<dyn UserStore>,
        files: Arc<dyn FileRegistry>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            courses,
            groups,
            users,
            files,
            clock,
        }
    }

    // ---- access ----

    /// The course and the actor's role in it, if they may see it: one
    /// storage round trip.
    async fn seen(&self, actor: &Actor, id: CourseId) -> Result<CourseAccess, Denied> {
        let (course, role) = self
            .courses
            .course_for(id, actor.user_id)
            .await?
            .ok_or(Denied::NotFound)?;
        seen(actor, course, role)
    }

    /// The course, if the actor may manage it.
    async fn managed(&self, actor: &Actor, id: CourseId) -> Result<CourseAccess, Denied> {
        let seen = self.seen(actor, id).await?;
        if !seen.can_manage() {
            return Err(Denied::Forbidden);
        }
        Ok(seen)
    }
}

/// Maps a storage `NotFound` (the row vanished meanwhile) to the operation's
/// own `NotFound`; other failures stay storage errors.
fn not_found_as<E: From<StorageError>>(e: StorageError, not_found: E) -> E {
    match e {
        StorageError::NotFound => not_found,
        other => other.into(),
    }
}
