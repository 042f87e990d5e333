//! The schedule read model.

use async_trait::async_trait;
use lms_core::course::{Course, Lesson};
use lms_core::error::StorageResult;
use lms_core::ids::UserId;
use lms_core::schedule::{ScheduleSources, ScheduleStore};
use uuid::Uuid;

use crate::SqliteStorage;
use crate::course::{CourseRow, LessonRow};
use crate::dashboard::{assignments_of, quizzes_of, student_extensions, webinars_of};
use crate::error::{id_list, map_err};

#[async_trait]
impl ScheduleStore for SqliteStorage {
    async fn schedule_sources(&self, user: UserId) -> StorageResult<ScheduleSources> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        // Staff courses in any state; student courses once published.
        let rows = sqlx::query!(
            r#"SELECT c.id AS "id: Uuid", c.title, c.description, c.owner_id AS "owner_id: Uuid", c.status,
                      c.invite_code, c.cover, c.created_at, (m.role = 'student') AS "as_student!: bool"
               FROM courses c
               JOIN (SELECT id AS course_id, 'owner' AS role FROM courses WHERE owner_id = $1
                     UNION ALL SELECT course_id, 'assistant' FROM course_assistants WHERE user_id = $1
                     UNION ALL SELECT course_id, 'student' FROM enrollments WHERE student_id = $1) m
                 ON m.course_id = c.id
               WHERE m.role <> 'student' OR c.status <> 'draft'
               ORDER BY c.created_at, c.id"#,
            user.0
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        let staff_ids: Vec<Uuid> = rows
            .iter()
            .filter(|r| !r.as_student)
            .map(|r| r.id)
            .collect();
        let student_ids: Vec<Uuid> = rows.iter().filter(|r| r.as_student).map(|r| r.id).collect();
        let all_ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut courses = Vec::with_capacity(rows.len());
        for r in rows {
            courses.push(Course::try_from(CourseRow {
                id: r.id,
                title: r.title,
                description: r.description,
                owner_id: r.owner_id,
                status: r.status,
                invite_code: r.invite_code,
                cover: r.cover,
                created_at: r.created_at,
            })?);
        }
        // Bodies are not needed for a calendar: leave them empty. Drafts
        // only of the courses the user is staff in.
        let list = id_list(all_ids.iter().copied());
        let staff_list = id_list(staff_ids.iter().copied());
        let lessons = sqlx::query_as!(
            LessonRow,
            r#"SELECT id AS "id: _", course_id AS "course_id: _", title, '' AS "body!: String", position, publish_at,
                      published AS "published: _", attachments, created_at
               FROM lessons WHERE course_id IN (SELECT unhex(value) FROM json_each($1))
                 AND (published = 1 OR course_id IN (SELECT unhex(value) FROM json_each($2)))
               ORDER BY course_id, position"#,
            list,
            staff_list
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Lesson::try_from)
        .collect::<Result<Vec<_>, _>>()?;
        let mut assignments = assignments_of(&mut conn, &staff_ids, false).await?;
        assignments.extend(assignments_of(&mut conn, &student_ids, true).await?);
        let mut quizzes = quizzes_of(&mut conn, &staff_ids, false).await?;
        quizzes.extend(quizzes_of(&mut conn, &student_ids, true).await?);
        let extensions = student_extensions(&mut conn, user.0, &student_ids).await?;
        let webinars = webinars_of(&mut conn, &all_ids, None).await?;
        Ok(ScheduleSources {
            courses,
            lessons,
            assignments,
            extensions,
            quizzes,
            webinars,
        })
    }
}
