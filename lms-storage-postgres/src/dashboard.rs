//! Dashboard read models. Each snapshot is ONE query: PostgreSQL assembles
//! the whole document as `json` in the serde shape of the core's types with
//! the `lms_*_json` functions (which it inlines into the query; see the
//! `json_read_models` migration), and the adapter deserialises its text. Plans checked with `EXPLAIN ANALYZE` are in
//! `docs/query-plans.md` of this crate.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::course::CourseRole;
use lms_core::dashboard::{DashboardStore, StaffCourseData, StaffSnapshot, StudentSnapshot};
use lms_core::error::StorageResult;
use lms_core::ids::{CourseId, UserId};

use crate::PgStorage;
use crate::error::{from_json_text, map_err};

fn role_str(role: CourseRole) -> &'static str {
    match role {
        CourseRole::Owner => "owner",
        CourseRole::Assistant => "assistant",
        CourseRole::Student => "student",
    }
}

#[async_trait]
impl DashboardStore for PgStorage {
    async fn student_snapshot(
        &self,
        student: UserId,
        now: DateTime<Utc>,
    ) -> StorageResult<StudentSnapshot> {
        let doc = sqlx::query_scalar!(
            r#"SELECT json_build_object(
                 'courses', coalesce((
                   SELECT json_agg(json_build_object(
                     'course', lms_course_json(c),
                     'lessons_visible', (SELECT count(*) FROM lessons l WHERE l.course_id = c.id AND l.published
                                           AND (l.publish_at IS NULL OR l.publish_at <= $2)),
                     'lessons_viewed', (SELECT count(*) FROM lessons l
                                          JOIN lesson_views v ON v.lesson_id = l.id AND v.student_id = $1
                                          WHERE l.course_id = c.id AND l.published
                                            AND (l.publish_at IS NULL OR l.publish_at <= $2)),
                     'assignments', coalesce((SELECT json_agg(lms_assignment_json(a) ORDER BY a.due_at, a.id)
                                              FROM assignments a WHERE a.course_id = c.id AND a.published), '[]'),
                     'extensions', coalesce((SELECT json_agg(lms_extension_json(x))
                                             FROM extensions x JOIN assignments a ON a.id = x.assignment_id
                                             WHERE a.course_id = c.id AND a.published AND x.student_id = $1), '[]'),
                     'submissions', coalesce((SELECT json_agg(lms_submission_json(s, (SELECT coalesce(json_agg(lms_version_json(v) ORDER BY v.number), '[]')
                                                FROM submission_versions v WHERE v.submission_id = s.id))
                                                ORDER BY s.latest_at, s.id)
                                              FROM submissions s JOIN assignments a ON a.id = s.assignment_id
                                              WHERE a.course_id = c.id AND s.student_id = $1), '[]'),
                     'quizzes', coalesce((SELECT json_agg(lms_quiz_json(q) ORDER BY q.created_at, q.id)
                                          FROM quizzes q WHERE q.course_id = c.id AND q.published), '[]'),
                     'attempts', coalesce((SELECT json_agg(lms_attempt_json(t, true) ORDER BY t.started_at, t.id)
                                           FROM attempts t JOIN quizzes q ON q.id = t.quiz_id
                                           WHERE q.course_id = c.id AND t.student_id = $1), '[]'))
                     ORDER BY e.enrolled_at, c.id)
                   FROM courses c JOIN enrollments e ON e.course_id = c.id AND e.student_id = $1
                   WHERE c.status IN ('published', 'archived')), '[]'),
                 'webinars', coalesce((
                   SELECT json_agg(lms_webinar_json(w) ORDER BY w.starts_at, w.id)
                   FROM webinars w
                   JOIN courses c ON c.id = w.course_id AND c.status IN ('published', 'archived')
                   JOIN enrollments e ON e.course_id = w.course_id AND e.student_id = $1
                   WHERE w.state = 'scheduled' AND w.starts_at + make_interval(mins => w.duration_minutes) > $2), '[]'),
                 'achievements', coalesce((
                   SELECT json_agg(lms_achievement_json(a) ORDER BY a.awarded_at, a.badge)
                   FROM achievements a WHERE a.user_id = $1), '[]')
               )::text AS "doc!""#,
            student.0,
            now
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        from_json_text("student snapshot", &doc)
    }

    async fn staff_snapshot(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        queue_limit: u32,
    ) -> StorageResult<StaffSnapshot> {
        let doc = sqlx::query_scalar!(
            r#"WITH mine AS (
                 SELECT c AS course, m.role
                 FROM courses c
                 JOIN (SELECT id AS course_id, 'owner' AS role FROM courses WHERE owner_id = $1
                       UNION ALL SELECT course_id, 'assistant' FROM course_assistants WHERE user_id = $1) m
                   ON m.course_id = c.id
                 WHERE c.status <> 'archived')
               SELECT json_build_object(
                 'courses', coalesce((SELECT json_agg(lms_staff_course_json(course, role, true)
                                                       ORDER BY (course).created_at DESC, (course).id)
                                      FROM mine), '[]'),
                 'queue', coalesce((
                   SELECT json_agg(json_build_object(
                            'submission', lms_submission_json(s, (
                              SELECT coalesce(json_agg(lms_version_json(v) ORDER BY v.number), '[]')
                              FROM submission_versions v WHERE v.submission_id = s.id)), 'assignment_id', s.assignment_id,
                            'course_id', a.course_id, 'assignment_title', a.title,
                            'student_name', u.display_name) ORDER BY s.latest_at, s.id)
                   FROM (SELECT s.* FROM submissions s JOIN assignments a ON a.id = s.assignment_id
                         WHERE a.course_id IN (SELECT (course).id FROM mine)
                           AND s.state IN ('submitted', 'submitted_late')
                           AND (NOT EXISTS (SELECT 1 FROM course_groups g WHERE g.course_id = a.course_id)
                                OR EXISTS (SELECT 1 FROM courses c WHERE c.id = a.course_id AND c.owner_id = $1)
                                OR EXISTS (SELECT 1 FROM enrollments e JOIN group_mentors gm ON gm.group_id = e.group_id
                                           WHERE e.course_id = a.course_id AND e.student_id = s.student_id
                                             AND gm.user_id = $1))
                         ORDER BY s.latest_at, s.id LIMIT $3) s
                   JOIN assignments a ON a.id = s.assignment_id
                   JOIN users u ON u.id = s.student_id), '[]'),
                 'webinars', coalesce((
                   SELECT json_agg(lms_webinar_json(w) ORDER BY w.starts_at, w.id)
                   FROM webinars w
                   WHERE w.course_id IN (SELECT (course).id FROM mine) AND w.state = 'scheduled'
                     AND w.starts_at + make_interval(mins => w.duration_minutes) > $2), '[]'),
                 'mentor_scopes', coalesce((
                   SELECT json_agg(json_build_object(
                            'course_id', (m.course).id,
                            'students', coalesce((
                              SELECT json_agg(e.student_id ORDER BY e.student_id)
                              FROM enrollments e JOIN group_mentors gm ON gm.group_id = e.group_id
                              WHERE e.course_id = (m.course).id AND gm.user_id = $1), '[]')))
                   FROM mine m
                   WHERE m.role = 'assistant'
                     AND EXISTS (SELECT 1 FROM course_groups g WHERE g.course_id = (m.course).id)), '[]')
               )::text AS "doc!""#,
            user.0,
            now,
            i64::from(queue_limit)
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        from_json_text("staff snapshot", &doc)
    }

    async fn staff_course(
        &self,
        course: CourseId,
        role: CourseRole,
    ) -> StorageResult<Option<StaffCourseData>> {
        let doc = sqlx::query_scalar!(
            r#"SELECT lms_staff_course_json(c, $2, true)::text AS "doc!" FROM courses c WHERE c.id = $1"#,
            course.0,
            role_str(role)
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        doc.map(|d| from_json_text("staff course", &d)).transpose()
    }

    async fn gradebook_course(
        &self,
        course: CourseId,
        role: CourseRole,
    ) -> StorageResult<Option<StaffCourseData>> {
        let doc = sqlx::query_scalar!(
            r#"SELECT lms_staff_course_json(c, $2, false)::text AS "doc!" FROM courses c WHERE c.id = $1"#,
            course.0,
            role_str(role)
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        doc.map(|d| from_json_text("gradebook course", &d))
            .transpose()
    }
}
