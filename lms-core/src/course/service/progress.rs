//! A student's way through a course's lessons: which they opened, and
//! where to continue.

use std::collections::HashSet;

use serde::Serialize;

use super::*;

/// One lesson as a student sees it in their progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LessonMark {
    /// The lesson.
    pub lesson_id: LessonId,
    /// Its title.
    pub title: Title,
    /// Whether the student has opened it.
    pub viewed: bool,
}

/// Where a student is in a course's lessons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LessonProgress {
    /// The lessons visible to the student now, in course order.
    pub lessons: Vec<LessonMark>,
    /// The first of them not opened yet: where to continue. `None` when
    /// every visible lesson was opened (or there is none).
    pub next_lesson_id: Option<LessonId>,
    /// How many lessons are visible.
    pub lessons_total: u32,
    /// How many of them were opened.
    pub lessons_viewed: u32,
}

impl CourseService {
    /// The acting student's progress through the course's visible lessons,
    /// with the lesson to continue with. Only the course's students have
    /// one: staff and admins get `Forbidden`.
    pub async fn my_lesson_progress(
        &self,
        actor: &Actor,
        course_id: CourseId,
    ) -> Result<LessonProgress, CourseAccessError> {
        let seen = self.seen(actor, course_id).await?;
        if seen.role() != Some(CourseRole::Student) {
            return Err(CourseAccessError::Forbidden);
        }
        let now = self.clock.now();
        let viewed: HashSet<LessonId> = self
            .courses
            .viewed_lessons(course_id, actor.user_id)
            .await?
            .into_iter()
            .collect();
        let mut lessons = self.courses.list_lessons(course_id).await?;
        lessons.retain(|l| l.is_visible_at(now));
        lessons.sort_by_key(|l| l.position);
        let marks: Vec<LessonMark> = lessons
            .into_iter()
            .map(|l| LessonMark {
                viewed: viewed.contains(&l.id),
                lesson_id: l.id,
                title: l.title,
            })
            .collect();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(LessonProgress {
            next_lesson_id: marks.iter().find(|m| !m.viewed).map(|m| m.lesson_id),
            lessons_total: count(marks.len()),
            lessons_viewed: count(marks.iter().filter(|m| m.viewed).count()),
            lessons: marks,
        })
    }
}
