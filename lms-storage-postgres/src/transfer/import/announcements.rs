//! Course announcements with the groups each is for.

use super::*;

/// Announcements without their author names (read with an announcement,
/// not stored), then their groups. A course, author or group missing from
/// the dump breaks a foreign key: `NotFound`.
pub(super) async fn insert_announcements(
    conn: &mut PgConnection,
    rows: &[Announcement],
) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id.0).collect();
    let courses: Vec<Uuid> = rows.iter().map(|a| a.course_id.0).collect();
    let authors: Vec<Uuid> = rows.iter().map(|a| a.author_id.0).collect();
    let titles: Vec<String> = rows.iter().map(|a| a.title.as_str().to_owned()).collect();
    let bodies: Vec<String> = rows.iter().map(|a| a.body.as_html().to_owned()).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|a| a.created_at).collect();
    sqlx::query!(
        "INSERT INTO announcements (id, course_id, author_id, title, body, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[])",
        &ids,
        &courses,
        &authors,
        &titles,
        &bodies,
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    let (announcements, groups): (Vec<Uuid>, Vec<Uuid>) = rows
        .iter()
        .flat_map(|a| a.group_ids.iter().map(move |g| (a.id.0, g.0)))
        .unzip();
    sqlx::query!(
        "INSERT INTO announcement_groups (announcement_id, group_id)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[])",
        &announcements,
        &groups,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
