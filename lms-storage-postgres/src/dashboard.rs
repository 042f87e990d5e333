//! Dashboard read models. Each snapshot is ONE query: PostgreSQL assembles
//! the whole document with the `lms_*_json` functions of the second
//! migration (in the serde shape of the core's types) and the adapter
//! deserialises it. Plans checked with `EXPLAIN ANALYZE` are in
//! `docs/query-plans.md` of this crate.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::course::CourseRole;
use lms_core::dashboard::{DashboardStore, StaffCourseData, StaffSnapshot, StudentSnapshot};
use lms_core::error::StorageResult;
use lms_core::ids::{CourseId, UserId};

use crate::PgStorage;
use crate::error::{from_json, map_err};

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
            r#"SELECT jsonb_build_object(
                 'courses', coalesce((
                   SELECT jsonb_agg(jsonb_build_object(
                     'course', lms_course_json(c),
                     'lessons_visible', (SELECT count(*) FROM lessons l WHERE l.course_id = c.id AND l.published
                                           AND (l.publish_at IS NULL OR l.publish_at <= $2)),
                     'lessons_viewed', (SELECT count(*) FROM lessons l
                                          JOIN lesson_views v ON v.lesson_id = l.id AND v.student_id = $1
                                          WHERE l.course_id = c.id AND l.published
                                            AND (l.publish_at IS NULL OR l.publish_at <= $2)),
                     'assignments', coalesce((SELECT jsonb_agg(lms_assignment_json(a) ORDER BY a.due_at, a.id)
                                              FROM assignments a WHERE a.course_id = c.id AND a.published), '[]'),
                     'extensions', coalesce((SELECT jsonb_agg(lms_extension_json(x))
                                             FROM extensions x JOIN assignments a ON a.id = x.assignment_id
                                             WHERE a.course_id = c.id AND a.published AND x.student_id = $1), '[]'),
                     'submissions', coalesce((SELECT jsonb_agg(lms_submission_json(s) ORDER BY s.latest_at, s.id)
                                              FROM submissions s JOIN assignments a ON a.id = s.assignment_id
                                              WHERE a.course_id = c.id AND s.student_id = $1), '[]'),
                     'quizzes', coalesce((SELECT jsonb_agg(lms_quiz_json(q) ORDER BY q.created_at, q.id)
                                          FROM quizzes q WHERE q.course_id = c.id AND q.published), '[]'),
                     'attempts', coalesce((SELECT jsonb_agg(lms_attempt_json(t) ORDER BY t.started_at, t.id)
                                           FROM attempts t JOIN quizzes q ON q.id = t.quiz_id
                                           WHERE q.course_id = c.id AND t.student_id = $1), '[]'))
                     ORDER BY e.enrolled_at, c.id)
                   FROM courses c JOIN enrollments e ON e.course_id = c.id AND e.student_id = $1
                   WHERE c.status IN ('published', 'archived')), '[]'),
                 'webinars', coalesce((
                   SELECT jsonb_agg(lms_webinar_json(w) ORDER BY w.starts_at, w.id)
                   FROM webinars w
                   JOIN courses c ON c.id = w.course_id AND c.status IN ('published', 'archived')
                   JOIN enrollments e ON e.course_id = w.course_id AND e.student_id = $1
                   WHERE w.state = 'scheduled' AND w.starts_at + make_interval(mins => w.duration_minutes) > $2), '[]'),
                 'achievements', coalesce((
                   SELECT jsonb_agg(lms_achievement_json(a) ORDER BY a.awarded_at, a.badge)
                   FROM achievements a WHERE a.user_id = $1), '[]')
               ) AS "doc!""#,
            student.0,
            now
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        from_json("student snapshot", doc)
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
               SELECT jsonb_build_object(
                 'courses', coalesce((SELECT jsonb_agg(lms_staff_course_json(course, role)
                                                       ORDER BY (course).created_at DESC, (course).id)
                                      FROM mine), '[]'),
                 'queue', coalesce((
                   SELECT jsonb_agg(jsonb_build_object(
                            'submission', lms_submission_json(s), 'assignment_id', s.assignment_id,
                            'course_id', a.course_id, 'assignment_title', a.title,
                            'student_name', u.display_name) ORDER BY s.latest_at, s.id)
                   FROM (SELECT s.* FROM submissions s JOIN assignments a ON a.id = s.assignment_id
                         WHERE a.course_id IN (SELECT (course).id FROM mine)
                           AND s.state IN ('submitted', 'submitted_late')
                         ORDER BY s.latest_at, s.id LIMIT $3) s
                   JOIN assignments a ON a.id = s.assignment_id
                   JOIN users u ON u.id = s.student_id), '[]'),
                 'webinars', coalesce((
                   SELECT jsonb_agg(lms_webinar_json(w) ORDER BY w.starts_at, w.id)
                   FROM webinars w
                   WHERE w.course_id IN (SELECT (course).id FROM mine) AND w.state = 'scheduled'
                     AND w.starts_at + make_interval(mins => w.duration_minutes) > $2), '[]')
               ) AS "doc!""#,
            user.0,
            now,
            i64::from(queue_limit)
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        from_json("staff snapshot", doc)
    }

    async fn staff_course(
        &self,
        course: CourseId,
        role: CourseRole,
    ) -> StorageResult<Option<StaffCourseData>> {
        let doc = sqlx::query_scalar!(
            r#"SELECT lms_staff_course_json(c, $2) AS "doc!" FROM courses c WHERE c.id = $1"#,
            course.0,
            role_str(role)
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        doc.map(|d| from_json("staff course", d)).transpose()
    }

    async fn gradebook_course(
        &self,
        course: CourseId,
        role: CourseRole,
    ) -> StorageResult<Option<StaffCourseData>> {
        // lms_staff_course_json with each submission built without its
        // versions (lms_submission_json otherwise).
        let doc = sqlx::query_scalar!(
            r#"SELECT jsonb_build_object(
                 'course', lms_course_json(c),
                 'role', $2::text,
                 'student_count', (SELECT count(*) FROM enrollments e WHERE e.course_id = c.id),
                 'assignments', coalesce((SELECT jsonb_agg(lms_assignment_json(a) ORDER BY a.due_at, a.id)
                                          FROM assignments a WHERE a.course_id = c.id), '[]'::jsonb),
                 'submissions', coalesce((
                   SELECT jsonb_agg(jsonb_build_object(
                            'id', s.id, 'assignment_id', s.assignment_id, 'student_id', s.student_id,
                            'state', s.state, 'versions', '[]'::jsonb,
                            'grade', CASE WHEN s.final_score IS NULL THEN NULL ELSE jsonb_build_object(
                              'raw_score', s.raw_score, 'kept_percent', s.kept_percent,
                              'final_score', s.final_score, 'feedback', coalesce(s.feedback, ''),
                              'graded_by', s.graded_by, 'graded_at', s.graded_at,
                              'version', s.graded_version) END,
                            'rework_feedback', s.rework_feedback, 'updated_at', s.updated_at)
                          ORDER BY s.latest_at, s.id)
                   FROM submissions s JOIN assignments a ON a.id = s.assignment_id
                   WHERE a.course_id = c.id), '[]'::jsonb),
                 'quizzes', coalesce((SELECT jsonb_agg(lms_quiz_json(q) ORDER BY q.created_at, q.id)
                                      FROM quizzes q WHERE q.course_id = c.id), '[]'::jsonb),
                 'attempts', coalesce((SELECT jsonb_agg(lms_attempt_json(t) ORDER BY t.started_at, t.id)
                                       FROM attempts t JOIN quizzes q ON q.id = t.quiz_id
                                       WHERE q.course_id = c.id AND t.state <> 'open'), '[]'::jsonb),
                 'quiz_max_scores', coalesce((
                   SELECT jsonb_object_agg(q.id, (SELECT least(coalesce(sum(x.points), 0), 100000)
                                                  FROM questions x WHERE x.quiz_id = q.id))
                   FROM quizzes q WHERE q.course_id = c.id), '{}'::jsonb)
               ) AS "doc!"
               FROM courses c WHERE c.id = $1"#,
            course.0,
            role_str(role)
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        doc.map(|d| from_json("gradebook course", d)).transpose()
    }
}
