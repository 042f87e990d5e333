//! Dashboard read models. Each snapshot is ONE query: PostgreSQL assembles
//! the whole document as `json` in the serde shape of the core's types with
//! the `lms_*_json` functions (which it inlines into the query; see the
//! `json_read_models` migration), and the adapter deserialises its text. Plans checked with `EXPLAIN ANALYZE` are in
//! `docs/query-plans.md` of this crate. A student's course is one
//! set-returning function, `lms_student_course_json` (the `announcements`
//! migration), called in FROM so that PostgreSQL inlines it too, shared by
//! the snapshot of all their courses and the read of one; the standings of
//! a course are one query too.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::course::CourseRole;
use lms_core::dashboard::{
    ANNOUNCEMENTS_PER_COURSE, DashboardStore, StaffCourseData, StaffSnapshot, StudentCourseData,
    StudentSnapshot, StudentStanding,
};
use lms_core::error::StorageResult;
use lms_core::ids::{CourseId, UserId};

use crate::PgStorage;
use crate::error::{from_json_text, map_err, to_i32, to_u32};

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
                   SELECT json_agg(d ORDER BY e.enrolled_at, c.id)
                   FROM courses c JOIN enrollments e ON e.course_id = c.id AND e.student_id = $1
                   CROSS JOIN LATERAL lms_student_course_json(c, $1, $2, $3) AS d
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
            now,
            to_i32(ANNOUNCEMENTS_PER_COURSE)
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

    async fn student_course(
        &self,
        course: CourseId,
        student: UserId,
        now: DateTime<Utc>,
    ) -> StorageResult<Option<StudentCourseData>> {
        let doc = sqlx::query_scalar!(
            r#"SELECT d::text AS "doc!"
               FROM courses c JOIN enrollments e ON e.course_id = c.id AND e.student_id = $2
               CROSS JOIN LATERAL lms_student_course_json(c, $2, $3, $4) AS d
               WHERE c.id = $1"#,
            course.0,
            student.0,
            now,
            to_i32(ANNOUNCEMENTS_PER_COURSE)
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        doc.map(|d| from_json_text("student course", &d))
            .transpose()
    }

    async fn course_standings(
        &self,
        course: CourseId,
        now: DateTime<Utc>,
    ) -> StorageResult<Vec<StudentStanding>> {
        // Overdue: published, open, due (the student's extension applied)
        // before `now`, and nothing handed in.
        let rows = sqlx::query!(
            r#"SELECT e.student_id, u.display_name,
                      (SELECT count(*)::int FROM assignments a
                       LEFT JOIN extensions x ON x.assignment_id = a.id AND x.student_id = e.student_id
                       WHERE a.course_id = e.course_id AND a.published AND a.opens_at <= $2
                         AND coalesce(x.due_at, a.due_at) < $2
                         AND NOT EXISTS (SELECT 1 FROM submissions s
                                         WHERE s.assignment_id = a.id AND s.student_id = e.student_id))
                        AS "overdue!",
                      (SELECT t FROM lms_last_activity(e.course_id, e.student_id) t) AS "last_activity?"
               FROM enrollments e JOIN users u ON u.id = e.student_id
               WHERE e.course_id = $1
               ORDER BY e.enrolled_at, e.student_id"#,
            course.0,
            now
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(StudentStanding {
                    student_id: UserId(r.student_id),
                    display_name: r.display_name,
                    overdue: to_u32("overdue count", r.overdue)?,
                    last_activity: r.last_activity,
                })
            })
            .collect()
    }
}
