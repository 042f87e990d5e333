//! Dashboard read models: each snapshot is gathered with a fixed number of
//! set-based queries (one per kind of row, over all courses at once, on one
//! connection), never one query per course or per row. A student's courses
//! (for their dashboard and for their course's staff) and the standings of
//! a course's students are in `student`.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::course::{Course, CourseRole};
use lms_core::dashboard::{
    DashboardStore, MentoredStudents, StaffCourseData, StaffSnapshot, StudentCourseData,
    StudentSnapshot, StudentStanding,
};
use lms_core::error::StorageResult;
use lms_core::homework::{Assignment, Extension, HomeworkStore, Submission};
use lms_core::ids::{CourseId, QuizId, UserId};
use lms_core::page::Page;
use lms_core::quiz::{Attempt, Quiz};
use lms_core::score::Points;
use lms_core::webinar::Webinar;
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::SqliteStorage;
use crate::achievement::achievements_of;
use crate::course::{CourseRow, course_role};
use crate::error::{corrupt, id_list, map_err, ts_opt};
use crate::homework::{AssignmentRow, ExtensionRow, SubmissionRow, Versions, with_versions};
use crate::quiz::{AttemptRow, QuizRow};
use crate::webinar::WebinarRow;

mod student;

pub(crate) async fn assignments_of(
    conn: &mut SqliteConnection,
    courses: &[Uuid],
    published_only: bool,
) -> StorageResult<Vec<Assignment>> {
    let courses = id_list(courses.iter().copied());
    sqlx::query_as!(
        AssignmentRow,
        r#"SELECT id AS "id: _", course_id AS "course_id: _", title, instructions, attachments, opens_at, due_at,
                  cut_off_at, max_score, late_policy, submission_kind, file_limits, published AS "published: _",
                  created_at
           FROM assignments
           WHERE course_id IN (SELECT unhex(value) FROM json_each($1)) AND (published = 1 OR NOT $2)
           ORDER BY due_at, id"#,
        courses,
        published_only
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Assignment::try_from)
    .collect()
}

pub(crate) async fn quizzes_of(
    conn: &mut SqliteConnection,
    courses: &[Uuid],
    published_only: bool,
) -> StorageResult<Vec<Quiz>> {
    let courses = id_list(courses.iter().copied());
    sqlx::query_as!(
        QuizRow,
        r#"SELECT id AS "id: _", course_id AS "course_id: _", title, description, settings,
                  published AS "published: _", created_at
           FROM quizzes
           WHERE course_id IN (SELECT unhex(value) FROM json_each($1)) AND (published = 1 OR NOT $2)
           ORDER BY created_at, id"#,
        courses,
        published_only
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Quiz::try_from)
    .collect()
}

pub(crate) async fn webinars_of(
    conn: &mut SqliteConnection,
    courses: &[Uuid],
    ending_after: Option<DateTime<Utc>>,
) -> StorageResult<Vec<Webinar>> {
    let courses = id_list(courses.iter().copied());
    sqlx::query_as!(
        WebinarRow,
        r#"SELECT id AS "id: _", course_id AS "course_id: _", title, starts_at, duration_minutes, provider,
                  conference_id, join_url, host_url, state, created_by AS "created_by: _", created_at
           FROM webinars
           WHERE course_id IN (SELECT unhex(value) FROM json_each($1)) AND state = 'scheduled'
             AND ($2 IS NULL OR starts_at + duration_minutes * 60000000 > $2)
           ORDER BY starts_at, id"#,
        courses,
        ts_opt(ending_after)
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Webinar::try_from)
    .collect()
}

pub(crate) async fn student_extensions(
    conn: &mut SqliteConnection,
    student: Uuid,
    courses: &[Uuid],
) -> StorageResult<Vec<Extension>> {
    let courses = id_list(courses.iter().copied());
    sqlx::query_as!(
        ExtensionRow,
        r#"SELECT x.assignment_id AS "assignment_id: _", x.student_id AS "student_id: _", x.due_at, x.cut_off_at,
                  x.granted_by AS "granted_by: _", x.granted_at
           FROM extensions x JOIN assignments a ON a.id = x.assignment_id
           WHERE x.student_id = $1 AND a.course_id IN (SELECT unhex(value) FROM json_each($2))"#,
        student,
        courses
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(Extension::try_from)
    .collect()
}

async fn attempts_in(
    conn: &mut SqliteConnection,
    courses: &[Uuid],
    student: Option<Uuid>,
    finished_only: bool,
) -> StorageResult<Vec<(Uuid, Attempt)>> {
    let courses = id_list(courses.iter().copied());
    let rows = sqlx::query!(
        r#"SELECT q.course_id AS "course_id: Uuid", t.id AS "id: Uuid", t.quiz_id AS "quiz_id: Uuid",
                  t.student_id AS "student_id: Uuid", t.number, t.seed, t.question_order, t.started_at, t.deadline,
                  t.state, t.answers, t.saved_at, t.finished_at, t.result, t.submit_key
           FROM attempts t JOIN quizzes q ON q.id = t.quiz_id
           WHERE q.course_id IN (SELECT unhex(value) FROM json_each($1)) AND ($2 IS NULL OR t.student_id = $2)
             AND (NOT $3 OR t.state <> 'open')
           ORDER BY t.started_at, t.id"#,
        courses,
        student,
        finished_only
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    rows.into_iter()
        .map(|r| {
            let attempt = Attempt::try_from(AttemptRow {
                id: r.id,
                quiz_id: r.quiz_id,
                student_id: r.student_id,
                number: r.number,
                seed: r.seed,
                question_order: r.question_order,
                // Read models leave out the drawn questions.
                drawn: "[]".to_owned(),
                started_at: r.started_at,
                deadline: r.deadline,
                state: r.state,
                answers: r.answers,
                saved_at: r.saved_at,
                finished_at: r.finished_at,
                result: r.result,
                submit_key: r.submit_key,
            })?;
            Ok((r.course_id, attempt))
        })
        .collect()
}

async fn course_submissions(
    conn: &mut SqliteConnection,
    courses: &[Uuid],
    student: Option<Uuid>,
    versions: Versions,
) -> StorageResult<Vec<(Uuid, Submission)>> {
    let courses = id_list(courses.iter().copied());
    let rows = sqlx::query!(
        r#"SELECT a.course_id AS "course_id: Uuid", s.id AS "id: Uuid", s.assignment_id AS "assignment_id: Uuid",
                  s.student_id AS "student_id: Uuid", s.state, s.raw_score, s.kept_percent, s.final_score,
                  s.feedback, s.graded_by AS "graded_by: Uuid", s.graded_at, s.graded_version,
                  s.rework_feedback, s.updated_at
           FROM submissions s JOIN assignments a ON a.id = s.assignment_id
           WHERE a.course_id IN (SELECT unhex(value) FROM json_each($1)) AND ($2 IS NULL OR s.student_id = $2)
           ORDER BY s.latest_at, s.id"#,
        courses,
        student
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let course_of: Vec<Uuid> = rows.iter().map(|r| r.course_id).collect();
    let rows = rows
        .into_iter()
        .map(|r| SubmissionRow {
            id: r.id,
            assignment_id: r.assignment_id,
            student_id: r.student_id,
            state: r.state,
            raw_score: r.raw_score,
            kept_percent: r.kept_percent,
            final_score: r.final_score,
            feedback: r.feedback,
            graded_by: r.graded_by,
            graded_at: r.graded_at,
            graded_version: r.graded_version,
            rework_feedback: r.rework_feedback,
            updated_at: r.updated_at,
        })
        .collect();
    // One query for the submissions (and one for their versions when
    // asked), in the rows' order: no second pass by id.
    Ok(course_of
        .into_iter()
        .zip(with_versions(conn, rows, versions).await?)
        .collect())
}

fn group<T>(items: Vec<(Uuid, T)>) -> HashMap<Uuid, Vec<T>> {
    let mut map: HashMap<Uuid, Vec<T>> = HashMap::new();
    for (k, v) in items {
        map.entry(k).or_default().push(v);
    }
    map
}

async fn staff_courses_data(
    conn: &mut SqliteConnection,
    courses: Vec<(Course, CourseRole)>,
    versions: Versions,
) -> StorageResult<Vec<StaffCourseData>> {
    let ids: Vec<Uuid> = courses.iter().map(|(c, _)| c.id.0).collect();
    let list = id_list(ids.iter().copied());
    let counts: HashMap<Uuid, i64> = sqlx::query!(
        r#"SELECT course_id AS "course_id: Uuid", count(*) AS "n!: i64" FROM enrollments
           WHERE course_id IN (SELECT unhex(value) FROM json_each($1)) GROUP BY course_id"#,
        list
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|r| (r.course_id, r.n))
    .collect();
    let mut assignments = group(
        assignments_of(conn, &ids, false)
            .await?
            .into_iter()
            .map(|a| (a.course_id.0, a))
            .collect(),
    );
    let mut quizzes = group(
        quizzes_of(conn, &ids, false)
            .await?
            .into_iter()
            .map(|q| (q.course_id.0, q))
            .collect(),
    );
    let mut submissions = group(course_submissions(conn, &ids, None, versions).await?);
    let mut attempts = group(attempts_in(conn, &ids, None, true).await?);
    let max_rows = sqlx::query!(
        r#"SELECT q.course_id AS "course_id: Uuid", q.id AS "id: Uuid",
                  coalesce(sum(x.points), 0.0) AS "max!: f64"
           FROM quizzes q LEFT JOIN questions x ON x.quiz_id = q.id
           WHERE q.course_id IN (SELECT unhex(value) FROM json_each($1)) GROUP BY q.course_id, q.id"#,
        list
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let mut quiz_max: HashMap<Uuid, BTreeMap<QuizId, Points>> = HashMap::new();
    for r in max_rows {
        // Capped as `Points::sum` caps it: many questions may add up to
        // more than one value of points can hold.
        let max = Points::new(r.max.min(Points::UPPER)).map_err(|e| corrupt("quiz maximum", e))?;
        quiz_max
            .entry(r.course_id)
            .or_default()
            .insert(QuizId(r.id), max);
    }
    Ok(courses
        .into_iter()
        .map(|(course, role)| {
            let id = course.id.0;
            StaffCourseData {
                role,
                student_count: u32::try_from(counts.get(&id).copied().unwrap_or(0))
                    .unwrap_or(u32::MAX),
                assignments: assignments.remove(&id).unwrap_or_default(),
                submissions: submissions.remove(&id).unwrap_or_default(),
                quizzes: quizzes.remove(&id).unwrap_or_default(),
                attempts: attempts.remove(&id).unwrap_or_default(),
                quiz_max_scores: quiz_max.remove(&id).unwrap_or_default(),
                course,
            }
        })
        .collect())
}

#[async_trait]
impl DashboardStore for SqliteStorage {
    async fn student_snapshot(
        &self,
        student: UserId,
        now: DateTime<Utc>,
    ) -> StorageResult<StudentSnapshot> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let courses = student::student_courses(&mut conn, student.0, now, None).await?;
        let ids: Vec<Uuid> = courses.iter().map(|c| c.course.id.0).collect();
        let webinars = webinars_of(&mut conn, &ids, Some(now)).await?;
        let achievements = achievements_of(&mut conn, student.0).await?;
        Ok(StudentSnapshot {
            courses,
            webinars,
            achievements,
        })
    }

    async fn staff_snapshot(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        queue_limit: u32,
    ) -> StorageResult<StaffSnapshot> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let rows = sqlx::query!(
            r#"SELECT c.id AS "id: Uuid", c.title, c.description, c.owner_id AS "owner_id: Uuid", c.status,
                      c.invite_code, c.cover, c.created_at, m.role AS "role!: String"
               FROM courses c
               JOIN (SELECT id AS course_id, 'owner' AS role FROM courses WHERE owner_id = $1
                     UNION ALL SELECT course_id, 'assistant' FROM course_assistants WHERE user_id = $1) m
                 ON m.course_id = c.id
               WHERE c.status <> 'archived'
               ORDER BY c.created_at DESC, c.id"#,
            user.0
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        let mut courses = Vec::with_capacity(rows.len());
        for r in rows {
            let role = course_role(&r.role)?;
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
            courses.push((course, role));
        }
        let ids: Vec<Uuid> = courses.iter().map(|(c, _)| c.id.0).collect();
        let course_ids: Vec<CourseId> = courses.iter().map(|(c, _)| c.id).collect();
        let webinars = webinars_of(&mut conn, &ids, Some(now)).await?;
        let data = staff_courses_data(&mut conn, courses, Versions::Loaded).await?;
        // Courses with groups where the user assists: the students of the
        // groups they mentor.
        let scoped = sqlx::query!(
            r#"SELECT ca.course_id AS "course_id: Uuid", e.student_id AS "student_id?: Uuid"
               FROM course_assistants ca
               JOIN courses c ON c.id = ca.course_id
               LEFT JOIN group_mentors gm ON gm.user_id = ca.user_id
               LEFT JOIN enrollments e ON e.group_id = gm.group_id AND e.course_id = ca.course_id
               WHERE ca.user_id = $1 AND c.status <> 'archived' AND c.owner_id <> $1
                 AND EXISTS (SELECT 1 FROM course_groups g WHERE g.course_id = ca.course_id)
               ORDER BY ca.course_id"#,
            user.0
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        drop(conn);
        let mut mentor_scopes: Vec<MentoredStudents> = Vec::new();
        for r in scoped {
            let course_id = CourseId(r.course_id);
            if mentor_scopes
                .last()
                .is_none_or(|m| m.course_id != course_id)
            {
                mentor_scopes.push(MentoredStudents {
                    course_id,
                    students: Vec::new(),
                });
            }
            if let (Some(student), Some(scope)) = (r.student_id, mentor_scopes.last_mut()) {
                scope.students.push(UserId(student));
            }
        }
        // The queue holds only the students the user sees.
        let queue = self
            .pending_submissions(
                &course_ids,
                &lms_core::user::UserFilter {
                    mentored_by: Some(user),
                    ..lms_core::user::UserFilter::default()
                },
                Page::new(queue_limit, 0),
            )
            .await?;
        Ok(StaffSnapshot {
            courses: data,
            queue,
            webinars,
            mentor_scopes,
        })
    }

    async fn staff_course(
        &self,
        course: CourseId,
        role: CourseRole,
    ) -> StorageResult<Option<StaffCourseData>> {
        self.one_staff_course(course, role, Versions::Loaded).await
    }

    async fn gradebook_course(
        &self,
        course: CourseId,
        role: CourseRole,
    ) -> StorageResult<Option<StaffCourseData>> {
        self.one_staff_course(course, role, Versions::Left).await
    }

    async fn student_course(
        &self,
        course: CourseId,
        student: UserId,
        now: DateTime<Utc>,
    ) -> StorageResult<Option<StudentCourseData>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        // At most one: the course, if the student is enrolled in it.
        let mut courses =
            student::student_courses(&mut conn, student.0, now, Some(course.0)).await?;
        Ok(courses.pop())
    }

    async fn course_standings(
        &self,
        course: CourseId,
        now: DateTime<Utc>,
    ) -> StorageResult<Vec<StudentStanding>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        student::course_standings(&mut conn, course.0, now).await
    }
}

impl SqliteStorage {
    async fn one_staff_course(
        &self,
        course: CourseId,
        role: CourseRole,
        versions: Versions,
    ) -> StorageResult<Option<StaffCourseData>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let Some(row) = sqlx::query_as!(
            CourseRow,
            r#"SELECT id AS "id: _", title, description, owner_id AS "owner_id: _", status, invite_code, cover, created_at
               FROM courses WHERE id = $1"#,
            course.0
        )
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?
        else {
            return Ok(None);
        };
        let data =
            staff_courses_data(&mut conn, vec![(Course::try_from(row)?, role)], versions).await?;
        Ok(data.into_iter().next().map(|d| match versions {
            Versions::Loaded => d,
            // The gradebook's course: attempts without their answers too.
            Versions::Left => d.without_details(),
        }))
    }
}
