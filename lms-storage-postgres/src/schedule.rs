//! The schedule read model: one query (see `dashboard.rs` for the approach).

use async_trait::async_trait;
use lms_core::error::StorageResult;
use lms_core::ids::UserId;
use lms_core::schedule::{ScheduleSources, ScheduleStore};

use crate::PgStorage;
use crate::error::{from_json_text, map_err};

#[async_trait]
impl ScheduleStore for PgStorage {
    async fn schedule_sources(&self, user: UserId) -> StorageResult<ScheduleSources> {
        // Staff see their courses in any state and every item; students see
        // courses once published and published items (lessons too) only. Lesson bodies are
        // left out: a calendar does not show them.
        let doc = sqlx::query_scalar!(
            r#"WITH member AS (
                 SELECT c AS course, (m.role = 'student') AS as_student
                 FROM courses c
                 JOIN (SELECT id AS course_id, 'owner' AS role FROM courses WHERE owner_id = $1
                       UNION ALL SELECT course_id, 'assistant' FROM course_assistants WHERE user_id = $1
                       UNION ALL SELECT course_id, 'student' FROM enrollments WHERE student_id = $1) m
                   ON m.course_id = c.id
                 WHERE m.role <> 'student' OR c.status <> 'draft')
               SELECT json_build_object(
                 'courses', coalesce((SELECT json_agg(lms_course_json(course)
                                                       ORDER BY (course).created_at, (course).id) FROM member), '[]'),
                 'lessons', coalesce((SELECT json_agg(lms_lesson_json(l, false) ORDER BY l.course_id, l.position)
                                      FROM lessons l JOIN member m ON (m.course).id = l.course_id
                                      WHERE l.published OR NOT m.as_student), '[]'),
                 'assignments', coalesce((SELECT json_agg(lms_assignment_json(a) ORDER BY a.due_at, a.id)
                                          FROM assignments a JOIN member m ON (m.course).id = a.course_id
                                          WHERE a.published OR NOT m.as_student), '[]'),
                 'extensions', coalesce((SELECT json_agg(lms_extension_json(x))
                                         FROM extensions x JOIN assignments a ON a.id = x.assignment_id
                                         JOIN member m ON (m.course).id = a.course_id
                                         WHERE x.student_id = $1 AND m.as_student), '[]'),
                 'quizzes', coalesce((SELECT json_agg(lms_quiz_json(q) ORDER BY q.created_at, q.id)
                                      FROM quizzes q JOIN member m ON (m.course).id = q.course_id
                                      WHERE q.published OR NOT m.as_student), '[]'),
                 'webinars', coalesce((SELECT json_agg(lms_webinar_json(w) ORDER BY w.starts_at, w.id)
                                       FROM webinars w JOIN member m ON (m.course).id = w.course_id
                                       WHERE w.state = 'scheduled'), '[]')
               )::text AS "doc!""#,
            user.0
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        from_json_text("schedule sources", &doc)
    }
}
