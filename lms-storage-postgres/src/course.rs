//! Courses, lessons, staff and enrolment.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::StorageError;
use lms_core::course::{
    Course, CourseCover, CourseMembership, CourseRole, CourseStatus, CourseStore, Enrollment,
    EnrollmentSource, InviteCode, Lesson, LessonForViewer, Title,
};
use lms_core::error::{Conflict, StorageResult};
use lms_core::file::FileRef;
use lms_core::ids::{CourseId, LessonId, UserId};
use lms_core::page::Page;
use lms_core::richtext::RichText;
use lms_core::user::UserFilter;
use uuid::Uuid;

use crate::PgStorage;
use crate::error::{corrupt, from_json, map_err, to_json, to_u32};

pub(crate) struct CourseRow {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub owner_id: Uuid,
    pub status: String,
    pub invite_code: Option<String>,
    pub cover: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<CourseRow> for Course {
    type Error = StorageError;
    fn try_from(r: CourseRow) -> Result<Self, Self::Error> {
        Ok(Course {
            id: CourseId(r.id),
            title: Title::parse(&r.title).map_err(|e| corrupt("course title", e))?,
            description: RichText::from_stored(r.description),
            owner_id: UserId(r.owner_id),
            status: CourseStatus::parse(&r.status)
                .ok_or_else(|| corrupt("course status", &r.status))?,
            invite_code: r
                .invite_code
                .map(|c| InviteCode::parse(&c).map_err(|e| corrupt("invite code", e)))
                .transpose()?,
            cover: r
                .cover
                .map(|c| CourseCover::parse(&c).ok_or_else(|| corrupt("course cover", &c)))
                .transpose()?,
            created_at: r.created_at,
        })
    }
}

pub(crate) struct LessonRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    pub body: String,
    pub position: i32,
    pub publish_at: Option<DateTime<Utc>>,
    pub published: bool,
    pub attachments: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<LessonRow> for Lesson {
    type Error = StorageError;
    fn try_from(r: LessonRow) -> Result<Self, Self::Error> {
        Ok(Lesson {
            id: LessonId(r.id),
            course_id: CourseId(r.course_id),
            title: Title::parse(&r.title).map_err(|e| corrupt("lesson title", e))?,
            body: RichText::from_stored(r.body),
            position: to_u32("lesson position", r.position)?,
            publish_at: r.publish_at,
            published: r.published,
            attachments: from_json::<Vec<FileRef>>("lesson attachments", r.attachments)?,
            created_at: r.created_at,
        })
    }
}

pub(crate) fn course_role(s: &str) -> StorageResult<CourseRole> {
    match s {
        "owner" => Ok(CourseRole::Owner),
        "assistant" => Ok(CourseRole::Assistant),
        "student" => Ok(CourseRole::Student),
        other => Err(corrupt("course role", other)),
    }
}

pub(crate) fn source_str(s: EnrollmentSource) -> &'static str {
    match s {
        EnrollmentSource::Staff => "staff",
        EnrollmentSource::InviteCode => "invite_code",
    }
}

pub(crate) fn source_parse(s: &str) -> StorageResult<EnrollmentSource> {
    match s {
        "staff" => Ok(EnrollmentSource::Staff),
        "invite_code" => Ok(EnrollmentSource::InviteCode),
        other => Err(corrupt("enrolment source", other)),
    }
}

#[async_trait]
impl CourseStore for PgStorage {
    async fn insert_course(&self, course: &Course) -> StorageResult<()> {
        sqlx::query!(
            "INSERT INTO courses (id, title, description, owner_id, status, invite_code, cover, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            course.id.0,
            course.title.as_str(),
            course.description.as_html(),
            course.owner_id.0,
            course.status.as_str(),
            course.invite_code.as_ref().map(InviteCode::as_str),
            course.cover.map(CourseCover::as_str),
            course.created_at,
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn update_course(&self, course: &Course) -> StorageResult<()> {
        let done = sqlx::query!(
            "UPDATE courses SET title = $2, description = $3, owner_id = $4, status = $5, invite_code = $6,
                    cover = $7
             WHERE id = $1",
            course.id.0,
            course.title.as_str(),
            course.description.as_html(),
            course.owner_id.0,
            course.status.as_str(),
            course.invite_code.as_ref().map(InviteCode::as_str),
            course.cover.map(CourseCover::as_str),
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    async fn get_course(&self, id: CourseId) -> StorageResult<Option<Course>> {
        sqlx::query_as!(
            CourseRow,
            "SELECT id, title, description, owner_id, status, invite_code, cover, created_at FROM courses WHERE id = $1",
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Course::try_from)
        .transpose()
    }

    async fn list_all_courses(&self, page: Page) -> StorageResult<Vec<Course>> {
        sqlx::query_as!(
            CourseRow,
            "SELECT id, title, description, owner_id, status, invite_code, cover, created_at FROM courses
             ORDER BY created_at DESC, id LIMIT $1 OFFSET $2",
            i64::from(page.limit()),
            i64::from(page.offset())
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Course::try_from)
        .collect()
    }

    async fn list_member_courses(
        &self,
        user: UserId,
        page: Page,
    ) -> StorageResult<Vec<CourseMembership>> {
        let rows = sqlx::query!(
            r#"SELECT c.id, c.title, c.description, c.owner_id, c.status, c.invite_code, c.cover, c.created_at,
                      m.role AS "role!"
               FROM courses c
               JOIN (SELECT id AS course_id, 'owner' AS role FROM courses WHERE owner_id = $1
                     UNION ALL SELECT course_id, 'assistant' FROM course_assistants WHERE user_id = $1
                     UNION ALL SELECT course_id, 'student' FROM enrollments WHERE student_id = $1) m
                 ON m.course_id = c.id
               ORDER BY c.created_at DESC, c.id LIMIT $2 OFFSET $3"#,
            user.0,
            i64::from(page.limit()),
            i64::from(page.offset())
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(CourseMembership {
                    role: course_role(&r.role)?,
                    course: Course::try_from(CourseRow {
                        id: r.id,
                        title: r.title,
                        description: r.description,
                        owner_id: r.owner_id,
                        status: r.status,
                        invite_code: r.invite_code,
                        cover: r.cover,
                        created_at: r.created_at,
                    })?,
                })
            })
            .collect()
    }

    async fn find_course_by_invite_code(&self, code: &InviteCode) -> StorageResult<Option<Course>> {
        sqlx::query_as!(
            CourseRow,
            "SELECT id, title, description, owner_id, status, invite_code, cover, created_at FROM courses
             WHERE invite_code = $1",
            code.as_str()
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Course::try_from)
        .transpose()
    }

    async fn membership(
        &self,
        course: CourseId,
        user: UserId,
    ) -> StorageResult<Option<CourseRole>> {
        let row = sqlx::query!(
            r#"SELECT CASE
                 WHEN EXISTS (SELECT 1 FROM courses WHERE id = $1 AND owner_id = $2) THEN 'owner'
                 WHEN EXISTS (SELECT 1 FROM course_assistants WHERE course_id = $1 AND user_id = $2) THEN 'assistant'
                 WHEN EXISTS (SELECT 1 FROM enrollments WHERE course_id = $1 AND student_id = $2) THEN 'student'
               END AS role"#,
            course.0,
            user.0
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        row.role.as_deref().map(course_role).transpose()
    }

    async fn course_for(
        &self,
        course: CourseId,
        user: UserId,
    ) -> StorageResult<Option<(Course, Option<CourseRole>)>> {
        let Some(r) = sqlx::query!(
            r#"SELECT c.id, c.title, c.description, c.owner_id, c.status, c.invite_code, c.cover, c.created_at,
                      CASE
                        WHEN c.owner_id = $2 THEN 'owner'
                        WHEN EXISTS (SELECT 1 FROM course_assistants WHERE course_id = c.id AND user_id = $2) THEN 'assistant'
                        WHEN EXISTS (SELECT 1 FROM enrollments WHERE course_id = c.id AND student_id = $2) THEN 'student'
                      END AS role
               FROM courses c WHERE c.id = $1"#,
            course.0,
            user.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        else {
            return Ok(None);
        };
        let role = r.role.as_deref().map(course_role).transpose()?;
        let course = Course::try_from(CourseRow {
            id: r.id,
            title: r.title,
            description: r.description,
            owner_id: r.owner_id,
            status: r.status,
            invite_code: r.invite_code,
            cover: r.cover,
            created_at: r.created_at,
        })?;
        Ok(Some((course, role)))
    }

    async fn add_assistant(&self, course: CourseId, user: UserId) -> StorageResult<()> {
        sqlx::query!(
            "INSERT INTO course_assistants (course_id, user_id) VALUES ($1, $2)",
            course.0,
            user.0
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn remove_assistant(&self, course: CourseId, user: UserId) -> StorageResult<bool> {
        let done = sqlx::query!(
            "DELETE FROM course_assistants WHERE course_id = $1 AND user_id = $2",
            course.0,
            user.0
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_assistants(&self, course: CourseId) -> StorageResult<Vec<UserId>> {
        let rows = sqlx::query!(
            "SELECT a.user_id FROM course_assistants a JOIN users u ON u.id = a.user_id
             WHERE a.course_id = $1 ORDER BY u.email",
            course.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(|r| UserId(r.user_id)).collect())
    }

    async fn enroll(&self, enrollment: &Enrollment) -> StorageResult<()> {
        sqlx::query!(
            "INSERT INTO enrollments (course_id, student_id, source, enrolled_at) VALUES ($1, $2, $3, $4)",
            enrollment.course_id.0,
            enrollment.student_id.0,
            source_str(enrollment.source),
            enrollment.enrolled_at
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn unenroll(&self, course: CourseId, student: UserId) -> StorageResult<bool> {
        let done = sqlx::query!(
            "DELETE FROM enrollments WHERE course_id = $1 AND student_id = $2",
            course.0,
            student.0
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_enrollments(
        &self,
        course: CourseId,
        page: Page,
    ) -> StorageResult<Vec<Enrollment>> {
        let rows = sqlx::query!(
            "SELECT course_id, student_id, source, enrolled_at FROM enrollments WHERE course_id = $1
             ORDER BY enrolled_at, student_id LIMIT $2 OFFSET $3",
            course.0,
            i64::from(page.limit()),
            i64::from(page.offset())
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(Enrollment {
                    course_id: CourseId(r.course_id),
                    student_id: UserId(r.student_id),
                    source: source_parse(&r.source)?,
                    enrolled_at: r.enrolled_at,
                })
            })
            .collect()
    }

    async fn search_enrollments(
        &self,
        course: CourseId,
        filter: &UserFilter,
        page: Page,
    ) -> StorageResult<Vec<Enrollment>> {
        let (lower, capital) = filter.like_patterns();
        let rows = sqlx::query!(
            r#"SELECT e.course_id, e.student_id, e.source, e.enrolled_at
               FROM enrollments e JOIN users u ON u.id = e.student_id
               WHERE e.course_id = $1
                 AND ($2::bool IS NULL OR u.active = $2)
                 AND ($3::text IS NULL
                      OR u.email ILIKE $3 ESCAPE '\'
                      OR u.display_name ILIKE $3 ESCAPE '\'
                      OR u.display_name ILIKE ('% ' || $3) ESCAPE '\'
                      OR u.display_name ILIKE $4 ESCAPE '\'
                      OR u.display_name ILIKE ('% ' || $4) ESCAPE '\')
                 AND ($7::uuid IS NULL OR e.group_id = $7)
                 AND ($8::uuid IS NULL
                      OR NOT EXISTS (SELECT 1 FROM course_groups g WHERE g.course_id = e.course_id)
                      OR EXISTS (SELECT 1 FROM courses c WHERE c.id = e.course_id AND c.owner_id = $8)
                      OR EXISTS (SELECT 1 FROM group_mentors gm
                                 WHERE gm.group_id = e.group_id AND gm.user_id = $8))
               ORDER BY e.enrolled_at, e.student_id LIMIT $5 OFFSET $6"#,
            course.0,
            filter.active,
            lower,
            capital,
            i64::from(page.limit()),
            i64::from(page.offset()),
            filter.group.map(|g| g.0),
            filter.mentored_by.map(|m| m.0)
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(Enrollment {
                    course_id: CourseId(r.course_id),
                    student_id: UserId(r.student_id),
                    source: source_parse(&r.source)?,
                    enrolled_at: r.enrolled_at,
                })
            })
            .collect()
    }

    async fn enrolled_students(&self, course: CourseId) -> StorageResult<Vec<UserId>> {
        let rows = sqlx::query!(
            "SELECT student_id FROM enrollments WHERE course_id = $1 ORDER BY enrolled_at, student_id",
            course.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(|r| UserId(r.student_id)).collect())
    }

    async fn insert_lesson(&self, lesson: &Lesson) -> StorageResult<Lesson> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        // Lock the course so concurrent inserts take positions one after another.
        sqlx::query!(
            "SELECT id FROM courses WHERE id = $1 FOR UPDATE",
            lesson.course_id.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StorageError::NotFound)?;
        let row = sqlx::query_as!(
            LessonRow,
            r#"INSERT INTO lessons (id, course_id, title, body, position, publish_at, published, attachments,
                                   created_at)
               VALUES ($1, $2, $3, $4, (SELECT count(*)::int FROM lessons WHERE course_id = $2), $5, $6, $7, $8)
               RETURNING id, course_id, title, body, position, publish_at, published, attachments, created_at"#,
            lesson.id.0,
            lesson.course_id.0,
            lesson.title.as_str(),
            lesson.body.as_html(),
            lesson.publish_at,
            lesson.published,
            to_json(&lesson.attachments)?,
            lesson.created_at
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Lesson::try_from(row)
    }

    async fn update_lesson(&self, lesson: &Lesson) -> StorageResult<()> {
        let done = sqlx::query!(
            "UPDATE lessons SET title = $2, body = $3, publish_at = $4, published = $5, attachments = $6
             WHERE id = $1",
            lesson.id.0,
            lesson.title.as_str(),
            lesson.body.as_html(),
            lesson.publish_at,
            lesson.published,
            to_json(&lesson.attachments)?
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    async fn delete_lesson(&self, id: LessonId) -> StorageResult<bool> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let Some(found) = sqlx::query!("SELECT course_id FROM lessons WHERE id = $1", id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
        else {
            return Ok(false);
        };
        sqlx::query!(
            "SELECT id FROM courses WHERE id = $1 FOR UPDATE",
            found.course_id
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let Some(deleted) = sqlx::query!(
            "DELETE FROM lessons WHERE id = $1 RETURNING course_id, position",
            id.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        else {
            return Ok(false);
        };
        sqlx::query!(
            "UPDATE lessons SET position = position - 1 WHERE course_id = $1 AND position > $2",
            deleted.course_id,
            deleted.position
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn get_lesson(&self, id: LessonId) -> StorageResult<Option<Lesson>> {
        sqlx::query_as!(
            LessonRow,
            "SELECT id, course_id, title, body, position, publish_at, published, attachments, created_at
             FROM lessons WHERE id = $1",
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Lesson::try_from)
        .transpose()
    }

    async fn lesson_for(
        &self,
        lesson: LessonId,
        user: UserId,
    ) -> StorageResult<Option<LessonForViewer>> {
        let Some(r) = sqlx::query!(
            r#"SELECT l.id, l.course_id, l.title, l.body, l.position, l.publish_at, l.published,
                      l.attachments, l.created_at,
                      c.title AS course_title, c.description, c.owner_id, c.status, c.invite_code,
                      c.cover, c.created_at AS course_created_at,
                      CASE
                        WHEN c.owner_id = $2 THEN 'owner'
                        WHEN EXISTS (SELECT 1 FROM course_assistants WHERE course_id = c.id AND user_id = $2) THEN 'assistant'
                        WHEN EXISTS (SELECT 1 FROM enrollments WHERE course_id = c.id AND student_id = $2) THEN 'student'
                      END AS role,
                      EXISTS (SELECT 1 FROM lesson_views WHERE lesson_id = l.id AND student_id = $2) AS "viewed!"
               FROM lessons l JOIN courses c ON c.id = l.course_id
               WHERE l.id = $1"#,
            lesson.0,
            user.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        else {
            return Ok(None);
        };
        Ok(Some(LessonForViewer {
            role: r.role.as_deref().map(course_role).transpose()?,
            viewed: r.viewed,
            course: Course::try_from(CourseRow {
                id: r.course_id,
                title: r.course_title,
                description: r.description,
                owner_id: r.owner_id,
                status: r.status,
                invite_code: r.invite_code,
                cover: r.cover,
                created_at: r.course_created_at,
            })?,
            lesson: Lesson::try_from(LessonRow {
                id: r.id,
                course_id: r.course_id,
                title: r.title,
                body: r.body,
                position: r.position,
                publish_at: r.publish_at,
                published: r.published,
                attachments: r.attachments,
                created_at: r.created_at,
            })?,
        }))
    }

    async fn list_lessons(&self, course: CourseId) -> StorageResult<Vec<Lesson>> {
        sqlx::query_as!(
            LessonRow,
            "SELECT id, course_id, title, body, position, publish_at, published, attachments, created_at
             FROM lessons WHERE course_id = $1 ORDER BY position",
            course.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Lesson::try_from)
        .collect()
    }

    async fn reorder_lessons(&self, course: CourseId, order: &[LessonId]) -> StorageResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query!("SELECT id FROM courses WHERE id = $1 FOR UPDATE", course.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or(StorageError::NotFound)?;
        let mut current: Vec<Uuid> =
            sqlx::query!("SELECT id FROM lessons WHERE course_id = $1", course.0)
                .fetch_all(&mut *tx)
                .await
                .map_err(map_err)?
                .into_iter()
                .map(|r| r.id)
                .collect();
        let mut wanted: Vec<Uuid> = order.iter().map(|l| l.0).collect();
        current.sort_unstable();
        wanted.sort_unstable();
        if current != wanted {
            return Err(StorageError::Conflict(Conflict::Stale));
        }
        let ids: Vec<Uuid> = order.iter().map(|l| l.0).collect();
        sqlx::query!(
            "UPDATE lessons l SET position = (o.pos - 1)::int
             FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, pos)
             WHERE l.id = o.id AND l.course_id = $1",
            course.0,
            &ids
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn mark_lesson_viewed(
        &self,
        lesson: LessonId,
        student: UserId,
        at: DateTime<Utc>,
    ) -> StorageResult<()> {
        sqlx::query!(
            "INSERT INTO lesson_views (lesson_id, student_id, viewed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            lesson.0,
            student.0,
            at
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn viewed_lessons(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Vec<LessonId>> {
        let rows = sqlx::query!(
            "SELECT v.lesson_id FROM lesson_views v JOIN lessons l ON l.id = v.lesson_id
             WHERE l.course_id = $1 AND v.student_id = $2 ORDER BY l.position",
            course.0,
            student.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(|r| LessonId(r.lesson_id)).collect())
    }
}
