//! Courses, lessons and enrolments.

use super::*;
use crate::course::LessonForViewer;
use crate::user::UserFilter;

// ---- courses ---------------------------------------------------------------

#[async_trait]
impl CourseStore for MemoryStorage {
    async fn insert_course(&self, course: &Course) -> StorageResult<()> {
        let mut st = self.lock();
        if st.invite_code_taken(course.invite_code.as_ref(), course.id) {
            return conflict(Conflict::InviteCode);
        }
        if st.courses.contains_key(&course.id) {
            return conflict(Conflict::Other);
        }
        let seq = st.next_seq();
        st.courses.insert(
            course.id,
            Row {
                value: course.clone(),
                seq,
            },
        );
        Ok(())
    }

    async fn update_course(&self, course: &Course) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&course.id) {
            return Err(StorageError::NotFound);
        }
        if st.invite_code_taken(course.invite_code.as_ref(), course.id) {
            return conflict(Conflict::InviteCode);
        }
        let row = st
            .courses
            .get_mut(&course.id)
            .ok_or(StorageError::NotFound)?;
        row.value = Course {
            created_at: row.value.created_at,
            ..course.clone()
        };
        Ok(())
    }

    async fn get_course(&self, id: CourseId) -> StorageResult<Option<Course>> {
        Ok(self.lock().courses.get(&id).map(|r| r.value.clone()))
    }

    async fn list_all_courses(&self, page: Page) -> StorageResult<Vec<Course>> {
        let st = self.lock();
        let courses = newest_first(st.courses.values().collect(), |c| c.created_at);
        Ok(page.slice(&courses))
    }

    async fn list_member_courses(
        &self,
        user: UserId,
        page: Page,
    ) -> StorageResult<Vec<CourseMembership>> {
        Ok(page.slice(&self.lock().member_courses(user)))
    }

    async fn find_course_by_invite_code(&self, code: &InviteCode) -> StorageResult<Option<Course>> {
        Ok(self
            .lock()
            .courses
            .values()
            .find(|r| r.value.invite_code.as_ref() == Some(code))
            .map(|r| r.value.clone()))
    }

    async fn membership(
        &self,
        course: CourseId,
        user: UserId,
    ) -> StorageResult<Option<CourseRole>> {
        Ok(self.lock().membership(course, user))
    }

    async fn course_for(
        &self,
        course: CourseId,
        user: UserId,
    ) -> StorageResult<Option<(Course, Option<CourseRole>)>> {
        let st = self.lock();
        Ok(st
            .courses
            .get(&course)
            .map(|r| (r.value.clone(), st.membership(course, user))))
    }

    async fn add_assistant(&self, course: CourseId, user: UserId) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&course) {
            return Err(StorageError::NotFound);
        }
        if st.is_assistant(course, user) {
            return conflict(Conflict::Assistant);
        }
        st.assistants.push((course, user));
        Ok(())
    }

    async fn remove_assistant(&self, course: CourseId, user: UserId) -> StorageResult<bool> {
        let mut st = self.lock();
        let before = st.assistants.len();
        st.assistants.retain(|a| *a != (course, user));
        Ok(st.assistants.len() != before)
    }

    async fn list_assistants(&self, course: CourseId) -> StorageResult<Vec<UserId>> {
        Ok(self
            .lock()
            .assistants
            .iter()
            .filter(|(c, _)| *c == course)
            .map(|(_, u)| *u)
            .collect())
    }

    async fn enroll(&self, enrollment: &Enrollment) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&enrollment.course_id) {
            return Err(StorageError::NotFound);
        }
        if st.is_enrolled(enrollment.course_id, enrollment.student_id) {
            return conflict(Conflict::Enrollment);
        }
        let seq = st.next_seq();
        st.enrollments.push(Row {
            value: enrollment.clone(),
            seq,
        });
        Ok(())
    }

    async fn unenroll(&self, course: CourseId, student: UserId) -> StorageResult<bool> {
        let mut st = self.lock();
        let before = st.enrollments.len();
        st.enrollments
            .retain(|e| !(e.value.course_id == course && e.value.student_id == student));
        st.student_groups.remove(&(course, student));
        Ok(st.enrollments.len() != before)
    }

    async fn list_enrollments(
        &self,
        course: CourseId,
        page: Page,
    ) -> StorageResult<Vec<Enrollment>> {
        let st = self.lock();
        let rows = st
            .enrollments
            .iter()
            .filter(|e| e.value.course_id == course)
            .collect();
        Ok(page.slice(&oldest_first(rows, |e| e.enrolled_at)))
    }

    async fn search_enrollments(
        &self,
        course: CourseId,
        filter: &UserFilter,
        page: Page,
    ) -> StorageResult<Vec<Enrollment>> {
        let st = self.lock();
        let rows = st
            .enrollments
            .iter()
            .filter(|e| e.value.course_id == course)
            .filter(|e| {
                st.users
                    .get(&e.value.student_id)
                    .is_some_and(|u| filter.matches(&u.user))
                    && st.in_filter_scope(filter, course, e.value.student_id)
            })
            .collect();
        Ok(page.slice(&oldest_first(rows, |e| e.enrolled_at)))
    }

    async fn enrolled_students(&self, course: CourseId) -> StorageResult<Vec<UserId>> {
        Ok(self.lock().enrolled_students(course))
    }

    async fn insert_lesson(&self, lesson: &Lesson) -> StorageResult<Lesson> {
        let mut st = self.lock();
        if !st.courses.contains_key(&lesson.course_id) {
            return Err(StorageError::NotFound);
        }
        if st.lessons.contains_key(&lesson.id) {
            return conflict(Conflict::Other);
        }
        let position = st
            .lessons
            .values()
            .filter(|l| l.course_id == lesson.course_id)
            .count();
        let stored = Lesson {
            position: u32::try_from(position)
                .map_err(|_| StorageError::Permanent("too many lessons".into()))?,
            ..lesson.clone()
        };
        st.lessons.insert(stored.id, stored.clone());
        Ok(stored)
    }

    async fn update_lesson(&self, lesson: &Lesson) -> StorageResult<()> {
        let mut st = self.lock();
        let stored = st
            .lessons
            .get_mut(&lesson.id)
            .ok_or(StorageError::NotFound)?;
        stored.title = lesson.title.clone();
        stored.body = lesson.body.clone();
        stored.publish_at = lesson.publish_at;
        stored.published = lesson.published;
        stored.attachments = lesson.attachments.clone();
        Ok(())
    }

    async fn delete_lesson(&self, id: LessonId) -> StorageResult<bool> {
        let mut st = self.lock();
        let Some(removed) = st.lessons.remove(&id) else {
            return Ok(false);
        };
        st.lesson_views.retain(|(lesson, _), _| *lesson != id);
        // What the SQL schema's ON DELETE SET NULL does: the files are orphans.
        for (_, owner) in st.files.values_mut() {
            if *owner == FileOwner::Lesson(id) {
                *owner = FileOwner::Unattached;
            }
        }
        let order: Vec<LessonId> = st
            .lessons_of(removed.course_id)
            .iter()
            .map(|l| l.id)
            .collect();
        for (position, lesson) in (0u32..).zip(order) {
            if let Some(l) = st.lessons.get_mut(&lesson) {
                l.position = position;
            }
        }
        Ok(true)
    }

    async fn get_lesson(&self, id: LessonId) -> StorageResult<Option<Lesson>> {
        Ok(self.lock().lessons.get(&id).cloned())
    }

    async fn lesson_for(
        &self,
        lesson: LessonId,
        user: UserId,
    ) -> StorageResult<Option<LessonForViewer>> {
        let st = self.lock();
        let Some(l) = st.lessons.get(&lesson) else {
            return Ok(None);
        };
        Ok(st.courses.get(&l.course_id).map(|c| LessonForViewer {
            lesson: l.clone(),
            course: c.value.clone(),
            role: st.membership(l.course_id, user),
            viewed: st.lesson_views.contains_key(&(lesson, user)),
        }))
    }

    async fn list_lessons(&self, course: CourseId) -> StorageResult<Vec<Lesson>> {
        Ok(self.lock().lessons_of(course))
    }

    async fn reorder_lessons(&self, course: CourseId, order: &[LessonId]) -> StorageResult<()> {
        let mut st = self.lock();
        let current: Vec<LessonId> = st.lessons_of(course).iter().map(|l| l.id).collect();
        if !is_permutation(&current, order) {
            return conflict(Conflict::Stale);
        }
        for (position, id) in (0u32..).zip(order) {
            if let Some(l) = st.lessons.get_mut(id) {
                l.position = position;
            }
        }
        Ok(())
    }

    async fn mark_lesson_viewed(
        &self,
        lesson: LessonId,
        student: UserId,
        at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.lessons.contains_key(&lesson) {
            return Err(StorageError::NotFound);
        }
        st.lesson_views.entry((lesson, student)).or_insert(at);
        Ok(())
    }

    async fn viewed_lessons(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Vec<LessonId>> {
        let st = self.lock();
        Ok(st
            .lessons_of(course)
            .iter()
            .filter(|l| st.lesson_views.contains_key(&(l.id, student)))
            .map(|l| l.id)
            .collect())
    }
}
