//! Everything else: webinars, achievements and the file registry.

use super::*;

pub(super) async fn insert_webinars(
    conn: &mut PgConnection,
    rows: &[Webinar],
) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|w| w.id.0).collect();
    let courses: Vec<Uuid> = rows.iter().map(|w| w.course_id.0).collect();
    let titles: Vec<String> = rows.iter().map(|w| w.title.as_str().to_owned()).collect();
    let starts: Vec<DateTime<Utc>> = rows.iter().map(|w| w.starts_at).collect();
    let durations: Vec<i32> = rows.iter().map(|w| to_i32(w.duration_minutes)).collect();
    let providers: Vec<String> = rows
        .iter()
        .map(|w| w.provider.as_str().to_owned())
        .collect();
    let conferences: Vec<Option<String>> = rows.iter().map(|w| w.conference_id.clone()).collect();
    let joins: Vec<String> = rows.iter().map(|w| w.join_url.clone()).collect();
    let hosts: Vec<Option<String>> = rows.iter().map(|w| w.host_url.clone()).collect();
    let states: Vec<String> = rows
        .iter()
        .map(|w| webinar_state_str(w.state).to_owned())
        .collect();
    let creators: Vec<Uuid> = rows.iter().map(|w| w.created_by.0).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|w| w.created_at).collect();
    sqlx::query!(
        "INSERT INTO webinars (id, course_id, title, starts_at, duration_minutes, provider, conference_id, join_url,
                               host_url, state, created_by, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::integer[], $6::text[],
                              $7::text[], $8::text[], $9::text[], $10::text[], $11::uuid[], $12::timestamptz[])",
        &ids,
        &courses,
        &titles,
        &starts,
        &durations,
        &providers,
        &conferences[..] as &[Option<String>],
        &joins,
        &hosts[..] as &[Option<String>],
        &states,
        &creators,
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_achievements(
    conn: &mut PgConnection,
    rows: &[lms_core::achievement::Achievement],
) -> StorageResult<()> {
    let users: Vec<Uuid> = rows.iter().map(|a| a.user_id.0).collect();
    let badges: Vec<String> = rows.iter().map(|a| a.badge.as_str().to_owned()).collect();
    // Badges that are not per course are stored under the nil course (see the schema).
    let courses: Vec<Uuid> = rows
        .iter()
        .map(|a| a.course_id.map_or(Uuid::nil(), |c| c.0))
        .collect();
    let awarded: Vec<DateTime<Utc>> = rows.iter().map(|a| a.awarded_at).collect();
    sqlx::query!(
        "INSERT INTO achievements (user_id, badge, course_id, awarded_at)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::timestamptz[])",
        &users,
        &badges,
        &courses,
        &awarded,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_files(
    conn: &mut PgConnection,
    rows: &[FileRecord],
) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.file.id.0).collect();
    let names: Vec<String> = rows
        .iter()
        .map(|r| r.file.name.as_str().to_owned())
        .collect();
    let types: Vec<String> = rows.iter().map(|r| r.file.content_type.clone()).collect();
    let sizes: Vec<i64> = rows
        .iter()
        .map(|r| size_column(r.file.size))
        .collect::<StorageResult<_>>()?;
    let keys: Vec<String> = rows.iter().map(|r| r.file.storage_key.clone()).collect();
    let uploaders: Vec<Uuid> = rows.iter().map(|r| r.file.uploaded_by.0).collect();
    let uploaded: Vec<DateTime<Utc>> = rows.iter().map(|r| r.file.uploaded_at).collect();
    let owners: Vec<_> = rows.iter().map(|r| owner_columns(r.owner)).collect();
    let lessons: Vec<Option<Uuid>> = owners.iter().map(|o| o.lesson).collect();
    let assignments: Vec<Option<Uuid>> = owners.iter().map(|o| o.assignment).collect();
    let submissions: Vec<Option<Uuid>> = owners.iter().map(|o| o.submission).collect();
    let courses: Vec<Option<Uuid>> = owners.iter().map(|o| o.course).collect();
    let quizzes: Vec<Option<Uuid>> = owners.iter().map(|o| o.quiz).collect();
    sqlx::query!(
        "INSERT INTO files (id, name, content_type, size, storage_key, uploaded_by, uploaded_at,
                            lesson_id, assignment_id, submission_id, course_id, quiz_id)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[],
                              $6::uuid[], $7::timestamptz[], $8::uuid[], $9::uuid[], $10::uuid[],
                              $11::uuid[], $12::uuid[])",
        &ids,
        &names,
        &types,
        &sizes,
        &keys,
        &uploaders,
        &uploaded,
        &lessons[..] as &[Option<Uuid>],
        &assignments[..] as &[Option<Uuid>],
        &submissions[..] as &[Option<Uuid>],
        &courses[..] as &[Option<Uuid>],
        &quizzes[..] as &[Option<Uuid>],
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
