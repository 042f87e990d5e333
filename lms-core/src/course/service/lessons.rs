//! Creating, changing, ordering and reading lessons.

use std::collections::HashSet;

use super::*;
use crate::file::{adopt_drafts, named_drafts, pick_attachments};

impl CourseService {
    // ---- lessons ----

    /// Adds a lesson at the end of the course.
    pub async fn create_lesson(
        &self,
        actor: &Actor,
        course_id: CourseId,
        input: LessonInput,
    ) -> Result<Lesson, LessonError> {
        let course = self
            .managed(actor, course_id)
            .await
            .map_err(LessonError::for_course)?
            .into_course();
        if course.status == CourseStatus::Archived {
            return Err(LessonError::CourseArchived);
        }
        // Nothing is registered to a lesson not created yet: its
        // attachments and pictures are the author's drafts.
        let attachment_ids = input.attachment_ids.as_deref();
        let drafts = named_drafts(self.files.as_ref(), actor, attachment_ids, &input.body).await?;
        let attachments = pick_attachments(&drafts, attachment_ids.unwrap_or_default())
            .map_err(LessonError::AttachmentNotUploaded)?;
        let lesson = Lesson {
            id: LessonId::new(),
            course_id,
            title: input.title,
            body: input.body,
            position: 0,
            publish_at: input.publish_at,
            published: input.published.unwrap_or(true),
            attachments,
            created_at: self.clock.now(),
        };
        let lesson = self.courses.insert_lesson(&lesson).await?;
        adopt_drafts(
            self.files.as_ref(),
            actor,
            FileOwner::Lesson(lesson.id),
            &drafts,
        )
        .await?;
        Ok(lesson)
    }

    /// Replaces a lesson's title, body and publish date, its draft state
    /// when `published` is given, and its attachments when `attachment_ids` is given (each a file uploaded to
    /// this lesson; `None` keeps them).
    pub async fn update_lesson(
        &self,
        actor: &Actor,
        lesson_id: LessonId,
        input: LessonInput,
    ) -> Result<Lesson, LessonError> {
        let mut lesson = self.managed_lesson(actor, lesson_id).await?;
        // Only now, with the right to edit established, are files looked
        // up: a refusal tells nobody else anything about them.
        let attachment_ids = input.attachment_ids.as_deref();
        let drafts = named_drafts(self.files.as_ref(), actor, attachment_ids, &input.body).await?;
        if let Some(ids) = attachment_ids {
            lesson.attachments = self.lesson_files(lesson.id, ids, &drafts).await?;
        }
        lesson.title = input.title;
        lesson.body = input.body;
        lesson.publish_at = input.publish_at;
        if let Some(published) = input.published {
            lesson.published = published;
        }
        self.courses
            .update_lesson(&lesson)
            .await
            .map_err(|e| not_found_as(e, LessonError::LessonNotFound))?;
        adopt_drafts(
            self.files.as_ref(),
            actor,
            FileOwner::Lesson(lesson.id),
            &drafts,
        )
        .await?;
        Ok(lesson)
    }

    /// The files `ids` names, each registered to `lesson` (uploaded to it by
    /// its editors) or one of the editor's `drafts`, in the order of `ids`
    /// and each once.
    async fn lesson_files(
        &self,
        lesson: LessonId,
        ids: &[FileId],
        drafts: &[FileRef],
    ) -> Result<Vec<FileRef>, LessonError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut registered = self.files.list_by_owner(FileOwner::Lesson(lesson)).await?;
        registered.extend_from_slice(drafts);
        pick_attachments(&registered, ids).map_err(LessonError::AttachmentNotUploaded)
    }

    /// Deletes a lesson; the following lessons move up.
    pub async fn delete_lesson(
        &self,
        actor: &Actor,
        lesson_id: LessonId,
    ) -> Result<(), LessonError> {
        self.managed_lesson(actor, lesson_id).await?;
        if self.courses.delete_lesson(lesson_id).await? {
            Ok(())
        } else {
            Err(LessonError::LessonNotFound)
        }
    }

    /// Puts the course's lessons in the given order, which must list each
    /// of them exactly once. Returns the lessons in their new order.
    pub async fn reorder_lessons(
        &self,
        actor: &Actor,
        course_id: CourseId,
        order: Vec<LessonId>,
    ) -> Result<Vec<Lesson>, ReorderError> {
        let course = self.managed(actor, course_id).await?.into_course();
        if course.status == CourseStatus::Archived {
            return Err(ReorderError::CourseArchived);
        }
        let mut lessons = self.courses.list_lessons(course_id).await?;
        if !is_permutation(&order, &lessons) {
            return Err(ReorderError::InvalidOrder);
        }
        match self.courses.reorder_lessons(course_id, &order).await {
            Ok(()) => {}
            Err(StorageError::Conflict(Conflict::Stale)) => return Err(ReorderError::Stale),
            Err(e) => return Err(e.into()),
        }
        lessons.sort_by_key(|l| order.iter().position(|id| *id == l.id));
        for (position, lesson) in (0u32..).zip(lessons.iter_mut()) {
            lesson.position = position;
        }
        Ok(lessons)
    }

    /// The course's lessons by position; students see only those already
    /// visible (published, publish date reached), staff drafts too.
    pub async fn list_lessons(
        &self,
        actor: &Actor,
        course_id: CourseId,
    ) -> Result<Vec<Lesson>, CourseAccessError> {
        let seen = self.seen(actor, course_id).await?;
        let lessons = self.courses.list_lessons(course_id).await?;
        if seen.can_grade() {
            return Ok(lessons);
        }
        let now = self.clock.now();
        Ok(lessons
            .into_iter()
            .filter(|l| l.is_visible_at(now))
            .collect())
    }

    /// One lesson. A student opening it gets it only once visible (never a
    /// draft), and their first view is recorded for their progress.
    pub async fn get_lesson(
        &self,
        actor: &Actor,
        lesson_id: LessonId,
    ) -> Result<Lesson, LessonError> {
        let SeenLesson {
            lesson,
            seen,
            viewed,
        } = self.seen_lesson(actor, lesson_id).await?;
        let now = self.clock.now();
        if !seen.can_grade() && !lesson.is_visible_at(now) {
            return Err(LessonError::LessonNotFound);
        }
        // Reads stay reads: only the first view writes (a concurrent first
        // view is absorbed by the store, which keeps the earliest).
        if seen.role() == Some(CourseRole::Student) && !viewed {
            self.courses
                .mark_lesson_viewed(lesson_id, actor.user_id, now)
                .await?;
        }
        Ok(lesson)
    }

    /// The lesson and its course, if the actor may see the course (whether
    /// they may see the lesson is the caller's rule): one storage round trip.
    async fn seen_lesson(&self, actor: &Actor, id: LessonId) -> Result<SeenLesson, LessonError> {
        let found = self
            .courses
            .lesson_for(id, actor.user_id)
            .await?
            .ok_or(LessonError::LessonNotFound)?;
        let seen = seen(actor, found.course, found.role).map_err(LessonError::for_lesson)?;
        Ok(SeenLesson {
            lesson: found.lesson,
            seen,
            viewed: found.viewed,
        })
    }

    /// A lesson the actor may edit, in a course that is not archived.
    /// Someone who may not even see the lesson (e.g. a student before its
    /// publish date) gets `LessonNotFound`, not `Forbidden`.
    async fn managed_lesson(&self, actor: &Actor, id: LessonId) -> Result<Lesson, LessonError> {
        let SeenLesson { lesson, seen, .. } = self.seen_lesson(actor, id).await?;
        if !seen.can_manage() {
            let sees_lesson = seen.can_grade() || lesson.is_visible_at(self.clock.now());
            return Err(if sees_lesson {
                LessonError::Forbidden
            } else {
                LessonError::LessonNotFound
            });
        }
        if seen.course().status == CourseStatus::Archived {
            return Err(LessonError::CourseArchived);
        }
        Ok(lesson)
    }
}

/// A lesson of a course the actor may see.
struct SeenLesson {
    lesson: Lesson,
    seen: CourseAccess,
    /// Whether the actor's view of the lesson is recorded.
    viewed: bool,
}

/// Whether `order` lists each of `lessons` exactly once.
pub(super) fn is_permutation(order: &[LessonId], lessons: &[Lesson]) -> bool {
    let wanted: HashSet<LessonId> = lessons.iter().map(|l| l.id).collect();
    let given: HashSet<LessonId> = order.iter().copied().collect();
    order.len() == lessons.len() && given.len() == order.len() && given == wanted
}
