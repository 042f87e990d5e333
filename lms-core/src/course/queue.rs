//! [`QueueScope`]: which courses a grading queue reads and which of their
//! students it shows, one rule for every queue (homework waiting for a
//! grade, essays waiting in quiz attempts).

use crate::course::access::{CourseAccess, Refusal};
use crate::course::ports::CourseStore;
use crate::error::StorageResult;
use crate::group::GroupStore;
use crate::ids::CourseId;
use crate::page::Page;
use crate::policy;
use crate::user::{Actor, UserFilter};

/// The courses a grading queue covers and the filter of the students it
/// shows there (handed to the adapter as they are).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueScope {
    /// The courses; empty when the actor checks none (nothing to read).
    pub courses: Vec<CourseId>,
    /// The students: the asked filter without a role, narrowed to what the
    /// actor sees.
    pub students: UserFilter,
}

impl QueueScope {
    /// The queue of `course` (which the actor must grade in; a mentor sees
    /// their groups' students), or else of every course the actor owns or
    /// assists in, narrowed course by course by the adapter
    /// (`mentored_by`), or of every course for admins. Only students
    /// `students` matches (its role is ignored).
    ///
    /// `Err(NotFound)` for a course that does not exist or that the actor
    /// may not know; `Err(Forbidden)` for one they see but do not grade in.
    pub async fn resolve(
        courses: &dyn CourseStore,
        groups: &dyn GroupStore,
        actor: &Actor,
        course: Option<CourseId>,
        students: &UserFilter,
    ) -> StorageResult<Result<Self, Refusal>> {
        let mut students = UserFilter {
            role: None,
            ..students.clone()
        };
        let ids = match course {
            Some(id) => {
                let Some(access) = CourseAccess::load(courses, groups, actor, id).await? else {
                    return Ok(Err(Refusal::NotFound));
                };
                if !access.can_grade() {
                    return Ok(Err(access.refusal()));
                }
                students = access.narrow(&students);
                vec![id]
            }
            None if actor.is_admin() => all_course_ids(courses).await?,
            None => {
                // Across courses: every student of a course the actor owns
                // or that has no groups, else their groups' (the adapter
                // applies this course by course).
                students.mentored_by = Some(actor.user_id);
                graded_course_ids(courses, actor).await?
            }
        };
        Ok(Ok(Self {
            courses: ids,
            students,
        }))
    }
}

/// Every course id (admins), page by page.
pub async fn all_course_ids(courses: &dyn CourseStore) -> StorageResult<Vec<CourseId>> {
    let mut ids = Vec::new();
    let mut offset = 0;
    loop {
        let page = Page::new(Page::MAX_LIMIT, offset);
        let batch = courses.list_all_courses(page).await?;
        let len = batch.len();
        ids.extend(batch.into_iter().map(|c| c.id));
        if len < page.limit() as usize {
            return Ok(ids);
        }
        offset += page.limit();
    }
}

/// Ids of courses the actor checks (owns or assists in with a school role
/// that holds the membership), page by page.
pub async fn graded_course_ids(
    courses: &dyn CourseStore,
    actor: &Actor,
) -> StorageResult<Vec<CourseId>> {
    let mut ids = Vec::new();
    let mut offset = 0;
    loop {
        let page = Page::new(Page::MAX_LIMIT, offset);
        let batch = courses.list_member_courses(actor.user_id, page).await?;
        let len = batch.len();
        ids.extend(
            batch
                .into_iter()
                .filter(|m| policy::can_grade(actor, Some(m.role)))
                .map(|m| m.course.id),
        );
        if len < page.limit() as usize {
            return Ok(ids);
        }
        offset += page.limit();
    }
}
