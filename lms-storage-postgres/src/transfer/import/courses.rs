//! Courses with their assistants and enrolments, and lessons with their views.

use super::*;

pub(super) async fn insert_courses(conn: &mut PgConnection, rows: &[Course]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id.0).collect();
    let titles: Vec<String> = rows.iter().map(|c| c.title.as_str().to_owned()).collect();
    let descriptions: Vec<String> = rows
        .iter()
        .map(|c| c.description.as_html().to_owned())
        .collect();
    let owners: Vec<Uuid> = rows.iter().map(|c| c.owner_id.0).collect();
    let statuses: Vec<String> = rows.iter().map(|c| c.status.as_str().to_owned()).collect();
    let codes: Vec<Option<String>> = rows
        .iter()
        .map(|c| c.invite_code.as_ref().map(|i| i.as_str().to_owned()))
        .collect();
    let covers: Vec<Option<String>> = rows
        .iter()
        .map(|c| c.cover.map(|v| v.as_str().to_owned()))
        .collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|c| c.created_at).collect();
    sqlx::query!(
        "INSERT INTO courses (id, title, description, owner_id, status, invite_code, cover, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[],
                              $7::text[], $8::timestamptz[])",
        &ids,
        &titles,
        &descriptions,
        &owners,
        &statuses,
        &codes[..] as &[Option<String>],
        &covers[..] as &[Option<String>],
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_assistants(
    conn: &mut PgConnection,
    rows: &[AssistantRecord],
) -> StorageResult<()> {
    let courses: Vec<Uuid> = rows.iter().map(|a| a.course_id.0).collect();
    let users: Vec<Uuid> = rows.iter().map(|a| a.user_id.0).collect();
    sqlx::query!(
        "INSERT INTO course_assistants (course_id, user_id) SELECT * FROM UNNEST($1::uuid[], $2::uuid[])",
        &courses,
        &users,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_enrollments(
    conn: &mut PgConnection,
    rows: &[Enrollment],
) -> StorageResult<()> {
    let courses: Vec<Uuid> = rows.iter().map(|e| e.course_id.0).collect();
    let students: Vec<Uuid> = rows.iter().map(|e| e.student_id.0).collect();
    let sources: Vec<String> = rows
        .iter()
        .map(|e| source_str(e.source).to_owned())
        .collect();
    let enrolled: Vec<DateTime<Utc>> = rows.iter().map(|e| e.enrolled_at).collect();
    sqlx::query!(
        "INSERT INTO enrollments (course_id, student_id, source, enrolled_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])",
        &courses,
        &students,
        &sources,
        &enrolled,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_lessons(conn: &mut PgConnection, rows: &[Lesson]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|l| l.id.0).collect();
    let courses: Vec<Uuid> = rows.iter().map(|l| l.course_id.0).collect();
    let titles: Vec<String> = rows.iter().map(|l| l.title.as_str().to_owned()).collect();
    let bodies: Vec<String> = rows.iter().map(|l| l.body.as_html().to_owned()).collect();
    let positions: Vec<i32> = rows.iter().map(|l| to_i32(l.position)).collect();
    let publish: Vec<Option<DateTime<Utc>>> = rows.iter().map(|l| l.publish_at).collect();
    let published: Vec<bool> = rows.iter().map(|l| l.published).collect();
    let attachments = json_column(rows, |l| &l.attachments)?;
    let created: Vec<DateTime<Utc>> = rows.iter().map(|l| l.created_at).collect();
    sqlx::query!(
        "INSERT INTO lessons (id, course_id, title, body, position, publish_at, published, attachments, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::integer[], $6::timestamptz[],
                              $7::boolean[], $8::jsonb[], $9::timestamptz[])",
        &ids,
        &courses,
        &titles,
        &bodies,
        &positions,
        &publish[..] as &[Option<DateTime<Utc>>],
        &published,
        &attachments,
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_lesson_views(
    conn: &mut PgConnection,
    rows: &[LessonViewRecord],
) -> StorageResult<()> {
    let lessons: Vec<Uuid> = rows.iter().map(|v| v.lesson_id.0).collect();
    let students: Vec<Uuid> = rows.iter().map(|v| v.student_id.0).collect();
    let viewed: Vec<DateTime<Utc>> = rows.iter().map(|v| v.viewed_at).collect();
    sqlx::query!(
        "INSERT INTO lesson_views (lesson_id, student_id, viewed_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::timestamptz[])",
        &lessons,
        &students,
        &viewed,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
