//! A student's courses as their dashboard (and their course's staff) see
//! them, and where every student of a course stands: a fixed number of
//! set-based queries each, whatever the number of courses or students.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use lms_core::announcement::Announcement;
use lms_core::course::Course;
use lms_core::dashboard::{ANNOUNCEMENTS_PER_COURSE, StudentCourseData, StudentStanding};
use lms_core::error::StorageResult;
use lms_core::ids::UserId;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::{
    assignments_of, attempts_in, course_submissions, group, quizzes_of, student_extensions,
};
use crate::announcement::AnnouncementRow;
use crate::course::CourseRow;
use crate::error::{from_ts, id_list, map_err, to_u32, ts};
use crate::homework::Versions;

/// The student's courses with everything [`StudentCourseData`] holds at
/// `now`, in enrolment order: every published or archived course they are
/// enrolled in, or only `only` (whatever its status) when given.
pub(super) async fn student_courses(
    conn: &mut SqliteConnection,
    student: Uuid,
    now: DateTime<Utc>,
    only: Option<Uuid>,
) -> StorageResult<Vec<StudentCourseData>> {
    let rows = sqlx::query!(
        r#"SELECT c.id AS "id: Uuid", c.title, c.description, c.owner_id AS "owner_id: Uuid", c.status,
                  c.invite_code, c.cover, c.created_at,
                  (SELECT count(*) FROM lessons l WHERE l.course_id = c.id AND l.published = 1
                     AND (l.publish_at IS NULL OR l.publish_at <= $2)) AS "visible!: i64",
                  (SELECT count(*) FROM lessons l JOIN lesson_views v ON v.lesson_id = l.id AND v.student_id = $1
                     WHERE l.course_id = c.id AND l.published = 1
                       AND (l.publish_at IS NULL OR l.publish_at <= $2)) AS "viewed!: i64"
           FROM courses c JOIN enrollments e ON e.course_id = c.id AND e.student_id = $1
           WHERE ($3 IS NULL AND c.status IN ('published', 'archived')) OR c.id = $3
           ORDER BY e.enrolled_at, c.id"#,
        student,
        ts(now),
        only
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut assignments = group(
        assignments_of(conn, &ids, true)
            .await?
            .into_iter()
            .map(|a| (a.course_id.0, a))
            .collect(),
    );
    let mut quizzes = group(
        quizzes_of(conn, &ids, true)
            .await?
            .into_iter()
            .map(|q| (q.course_id.0, q))
            .collect(),
    );
    let mut submissions =
        group(course_submissions(conn, &ids, Some(student), Versions::Loaded).await?);
    let mut attempts = group(attempts_in(conn, &ids, Some(student), false).await?);
    let extensions = student_extensions(conn, student, &ids).await?;
    let mut announcements = group(
        latest_announcements(conn, student, &ids)
            .await?
            .into_iter()
            .map(|a| (a.course_id.0, a))
            .collect(),
    );
    let last = last_activity(conn, &ids, Some(student)).await?;
    let mut courses = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.id;
        let course_assignments = assignments.remove(&id).unwrap_or_default();
        let course_extensions = extensions
            .iter()
            .filter(|x| course_assignments.iter().any(|a| a.id == x.assignment_id))
            .cloned()
            .collect();
        courses.push(StudentCourseData {
            lessons_visible: to_u32("lesson count", r.visible)?,
            lessons_viewed: to_u32("lesson count", r.viewed)?,
            assignments: course_assignments,
            extensions: course_extensions,
            submissions: submissions.remove(&id).unwrap_or_default(),
            quizzes: quizzes.remove(&id).unwrap_or_default(),
            attempts: attempts.remove(&id).unwrap_or_default(),
            announcements: announcements.remove(&id).unwrap_or_default(),
            last_activity: last.get(&(id, student)).copied(),
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
        });
    }
    Ok(courses)
}

/// The latest [`ANNOUNCEMENTS_PER_COURSE`] announcements of each course the
/// student reads (those for the whole course and for their current group),
/// by course, newest first within each.
async fn latest_announcements(
    conn: &mut SqliteConnection,
    student: Uuid,
    courses: &[Uuid],
) -> StorageResult<Vec<Announcement>> {
    let courses = id_list(courses.iter().copied());
    sqlx::query_as!(
        AnnouncementRow,
        r#"SELECT n.id AS "id: _", n.course_id AS "course_id: _", n.author_id AS "author_id: _",
                  u.display_name AS "author_name!: String", n.title AS "title!", n.body AS "body!",
                  (SELECT json_group_array(hex(g.group_id) ORDER BY g.group_id)
                   FROM announcement_groups g WHERE g.announcement_id = n.id) AS "group_ids!: String",
                  n.created_at AS "created_at!"
           FROM announcements n JOIN users u ON u.id = n.author_id
           WHERE n.course_id IN (SELECT unhex(value) FROM json_each($1))
             AND n.id IN (
               SELECT r.id FROM announcements r
               WHERE r.course_id = n.course_id
                 AND (NOT EXISTS (SELECT 1 FROM announcement_groups ag WHERE ag.announcement_id = r.id)
                      OR EXISTS (SELECT 1 FROM announcement_groups ag
                                 JOIN enrollments e ON e.group_id = ag.group_id
                                 WHERE ag.announcement_id = r.id AND e.course_id = r.course_id
                                   AND e.student_id = $2))
               ORDER BY r.created_at DESC, r.id DESC
               LIMIT $3)
           ORDER BY n.course_id, n.created_at DESC, n.id DESC"#,
        courses,
        student,
        i64::from(ANNOUNCEMENTS_PER_COURSE)
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Announcement::try_from)
    .collect()
}

/// Each student's latest activity in each of `courses` (only `student`'s
/// when given), by (course, student): the latest of their lesson views,
/// hand-ins and attempt starts and finishes. Students with none are absent.
async fn last_activity(
    conn: &mut SqliteConnection,
    courses: &[Uuid],
    student: Option<Uuid>,
) -> StorageResult<HashMap<(Uuid, Uuid), DateTime<Utc>>> {
    let courses = id_list(courses.iter().copied());
    let rows = sqlx::query!(
        r#"SELECT course_id AS "course_id!: Uuid", student_id AS "student_id!: Uuid",
                  max(activity_at) AS "activity_at!: i64"
           FROM (SELECT l.course_id, v.student_id, v.viewed_at AS activity_at
                 FROM lesson_views v JOIN lessons l ON l.id = v.lesson_id
                 WHERE l.course_id IN (SELECT unhex(value) FROM json_each($1))
                   AND ($2 IS NULL OR v.student_id = $2)
                 UNION ALL
                 SELECT a.course_id, s.student_id, s.latest_at
                 FROM submissions s JOIN assignments a ON a.id = s.assignment_id
                 WHERE a.course_id IN (SELECT unhex(value) FROM json_each($1))
                   AND ($2 IS NULL OR s.student_id = $2)
                 UNION ALL
                 SELECT q.course_id, t.student_id, max(t.started_at, coalesce(t.finished_at, t.started_at))
                 FROM attempts t JOIN quizzes q ON q.id = t.quiz_id
                 WHERE q.course_id IN (SELECT unhex(value) FROM json_each($1))
                   AND ($2 IS NULL OR t.student_id = $2))
           GROUP BY course_id, student_id"#,
        courses,
        student
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    rows.into_iter()
        .map(|r| {
            Ok((
                (r.course_id, r.student_id),
                from_ts("last activity", r.activity_at)?,
            ))
        })
        .collect()
}

/// Where every enrolled student of `course` stands at `now`, in enrolment
/// order: published assignments already open whose due date (their
/// extension applied) has passed without a hand-in, and their last
/// activity.
pub(super) async fn course_standings(
    conn: &mut SqliteConnection,
    course: Uuid,
    now: DateTime<Utc>,
) -> StorageResult<Vec<StudentStanding>> {
    let rows = sqlx::query!(
        r#"SELECT e.student_id AS "student_id!: Uuid", u.display_name AS "display_name!: String",
                  (SELECT count(*) FROM assignments a
                   LEFT JOIN extensions x ON x.assignment_id = a.id AND x.student_id = e.student_id
                   WHERE a.course_id = e.course_id AND a.published = 1 AND a.opens_at <= $2
                     AND coalesce(x.due_at, a.due_at) < $2
                     AND NOT EXISTS (SELECT 1 FROM submissions s
                                     WHERE s.assignment_id = a.id AND s.student_id = e.student_id))
                    AS "overdue!: i64"
           FROM enrollments e JOIN users u ON u.id = e.student_id
           WHERE e.course_id = $1
           ORDER BY e.enrolled_at, e.student_id"#,
        course,
        ts(now)
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let last = last_activity(conn, &[course], None).await?;
    rows.into_iter()
        .map(|r| {
            Ok(StudentStanding {
                last_activity: last.get(&(course, r.student_id)).copied(),
                student_id: UserId(r.student_id),
                display_name: r.display_name,
                overdue: to_u32("overdue count", r.overdue)?,
            })
        })
        .collect()
}
