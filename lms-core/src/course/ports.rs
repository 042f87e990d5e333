//! Storage port of the course aggregate.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::course::model::{Course, CourseMembership, CourseRole, Enrollment, InviteCode, Lesson};
use crate::error::StorageResult;
use crate::ids::{CourseId, LessonId, UserId};
use crate::page::Page;
use crate::user::UserFilter;

/// A lesson as one user opens it, read in one round trip: the lesson, its
/// course, the user's role in that course and whether they opened the
/// lesson before.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonForViewer {
    /// The lesson.
    pub lesson: Lesson,
    /// Its course.
    pub course: Course,
    /// The user's role in the course, as [`CourseStore::membership`] tells it.
    pub role: Option<CourseRole>,
    /// Whether a view of the lesson by the user is recorded
    /// ([`CourseStore::mark_lesson_viewed`]).
    pub viewed: bool,
}

/// Courses, their lessons, staff and enrolments.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CourseStore: Send + Sync {
    /// Inserts a course. `Conflict(InviteCode)` if its code is in use.
    async fn insert_course(&self, course: &Course) -> StorageResult<()>;
    /// Replaces a course's fields. `NotFound`, `Conflict(InviteCode)`.
    async fn update_course(&self, course: &Course) -> StorageResult<()>;
    /// One course.
    async fn get_course(&self, id: CourseId) -> StorageResult<Option<Course>>;
    /// Every course, newest first (admins).
    async fn list_all_courses(&self, page: Page) -> StorageResult<Vec<Course>>;
    /// Courses the user owns, assists in or is enrolled in, with their role,
    /// newest first.
    async fn list_member_courses(
        &self,
        user: UserId,
        page: Page,
    ) -> StorageResult<Vec<CourseMembership>>;
    /// The course whose current invite code this is.
    async fn find_course_by_invite_code(&self, code: &InviteCode) -> StorageResult<Option<Course>>;
    /// The user's role in the course, if any.
    async fn membership(&self, course: CourseId, user: UserId)
    -> StorageResult<Option<CourseRole>>;
    /// One course with the user's role in it (as [`Self::membership`]
    /// tells it), in one round trip: every access check of a course asks
    /// this. `None` if there is no such course.
    async fn course_for(
        &self,
        course: CourseId,
        user: UserId,
    ) -> StorageResult<Option<(Course, Option<CourseRole>)>>;

    /// Assigns an assistant. `Conflict(Assistant)` if already assigned.
    async fn add_assistant(&self, course: CourseId, user: UserId) -> StorageResult<()>;
    /// Removes an assistant; returns whether they were assigned.
    async fn remove_assistant(&self, course: CourseId, user: UserId) -> StorageResult<bool>;
    /// Assistants of a course.
    async fn list_assistants(&self, course: CourseId) -> StorageResult<Vec<UserId>>;

    /// Enrols a student. `Conflict(Enrollment)` if already enrolled.
    async fn enroll(&self, enrollment: &Enrollment) -> StorageResult<()>;
    /// Removes an enrolment; returns whether it existed.
    async fn unenroll(&self, course: CourseId, student: UserId) -> StorageResult<bool>;
    /// Enrolments of a course, oldest first.
    async fn list_enrollments(
        &self,
        course: CourseId,
        page: Page,
    ) -> StorageResult<Vec<Enrollment>>;
    /// Enrolments of a course whose student's account matches `filter`
    /// (by [`UserFilter::matches`]: name or e-mail prefix, active or not),
    /// oldest first.
    async fn search_enrollments(
        &self,
        course: CourseId,
        filter: &UserFilter,
        page: Page,
    ) -> StorageResult<Vec<Enrollment>>;
    /// Every enrolled student of a course (for notifications and the gradebook).
    async fn enrolled_students(&self, course: CourseId) -> StorageResult<Vec<UserId>>;

    /// Inserts a lesson at the end of its course (the adapter assigns
    /// `position` = number of lessons; the given position is ignored).
    /// Returns the stored lesson.
    async fn insert_lesson(&self, lesson: &Lesson) -> StorageResult<Lesson>;
    /// Replaces a lesson's title, body, publish date, draft state and
    /// attachments (not its position or course). `NotFound`.
    async fn update_lesson(&self, lesson: &Lesson) -> StorageResult<()>;
    /// Deletes a lesson and closes the gap in positions; returns whether it existed.
    async fn delete_lesson(&self, id: LessonId) -> StorageResult<bool>;
    /// One lesson.
    async fn get_lesson(&self, id: LessonId) -> StorageResult<Option<Lesson>>;
    /// One lesson with its course, the user's role in that course and
    /// whether the user's view of it is recorded, in one round trip (see
    /// [`LessonForViewer`]). `None` if there is no such lesson.
    async fn lesson_for(
        &self,
        lesson: LessonId,
        user: UserId,
    ) -> StorageResult<Option<LessonForViewer>>;
    /// Lessons of a course by position.
    async fn list_lessons(&self, course: CourseId) -> StorageResult<Vec<Lesson>>;
    /// Sets positions to the order given, atomically. The service checks that
    /// `order` is a permutation of the course's lessons; the adapter returns
    /// `Conflict(Stale)` if the set of lessons changed meanwhile.
    async fn reorder_lessons(&self, course: CourseId, order: &[LessonId]) -> StorageResult<()>;

    /// Records that a student opened a lesson (idempotent: the first time is kept).
    async fn mark_lesson_viewed(
        &self,
        lesson: LessonId,
        student: UserId,
        at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Lessons of the course the student has opened (drafts included: the
    /// service decides what a student is shown).
    async fn viewed_lessons(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Vec<LessonId>>;
}
