//! Groups with their mentors, students' places in them, and moves between them.

use super::*;

/// Groups in dump order (their `seq` follows it), then their mentors
/// numbered in order.
pub(super) async fn insert_groups(conn: &mut PgConnection, rows: &[Group]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|g| g.id.0).collect();
    let courses: Vec<Uuid> = rows.iter().map(|g| g.course_id.0).collect();
    let names: Vec<String> = rows.iter().map(|g| g.name.as_str().to_owned()).collect();
    let codes: Vec<Option<String>> = rows
        .iter()
        .map(|g| g.invite_code.as_ref().map(|i| i.as_str().to_owned()))
        .collect();
    let archived: Vec<Option<DateTime<Utc>>> = rows.iter().map(|g| g.archived_at).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|g| g.created_at).collect();
    sqlx::query!(
        "INSERT INTO course_groups (id, course_id, name, invite_code, archived_at, created_at)
         SELECT r.id, r.course_id, r.name, r.invite_code, r.archived_at, r.created_at
         FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
              WITH ORDINALITY AS r(id, course_id, name, invite_code, archived_at, created_at, ord)
         ORDER BY r.ord",
        &ids,
        &courses,
        &names,
        &codes[..] as &[Option<String>],
        &archived[..] as &[Option<DateTime<Utc>>],
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    let mut groups: Vec<Uuid> = Vec::new();
    let mut mentors: Vec<Uuid> = Vec::new();
    let mut positions: Vec<i32> = Vec::new();
    for g in rows {
        for (m, position) in g.mentors.iter().zip(0_i32..) {
            groups.push(g.id.0);
            mentors.push(m.0);
            positions.push(position);
        }
    }
    sqlx::query!(
        "INSERT INTO group_mentors (group_id, user_id, position)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::integer[])",
        &groups,
        &mentors,
        &positions,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Puts enrolled students in their groups. `NotFound` if a student is not
/// enrolled (no row to update) or the group is not one of the course's
/// (the `(group_id, course_id)` key).
pub(super) async fn update_group_members(
    conn: &mut PgConnection,
    rows: &[GroupMemberRecord],
) -> StorageResult<()> {
    let courses: Vec<Uuid> = rows.iter().map(|m| m.course_id.0).collect();
    let students: Vec<Uuid> = rows.iter().map(|m| m.student_id.0).collect();
    let groups: Vec<Uuid> = rows.iter().map(|m| m.group_id.0).collect();
    let done = sqlx::query!(
        "UPDATE enrollments e SET group_id = r.group_id
         FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[]) AS r(course_id, student_id, group_id)
         WHERE e.course_id = r.course_id AND e.student_id = r.student_id",
        &courses,
        &students,
        &groups,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    if usize::try_from(done.rows_affected()).ok() != Some(rows.len()) {
        return Err(StorageError::NotFound);
    }
    Ok(())
}

/// Moves in dump order (their `seq` follows it: each student's history
/// stays in order).
pub(super) async fn insert_group_moves(
    conn: &mut PgConnection,
    rows: &[GroupMove],
) -> StorageResult<()> {
    let courses: Vec<Uuid> = rows.iter().map(|m| m.course_id.0).collect();
    let students: Vec<Uuid> = rows.iter().map(|m| m.student_id.0).collect();
    let from: Vec<Option<Uuid>> = rows.iter().map(|m| m.from_group.map(|g| g.0)).collect();
    let to: Vec<Option<Uuid>> = rows.iter().map(|m| m.to_group.map(|g| g.0)).collect();
    let movers: Vec<Uuid> = rows.iter().map(|m| m.moved_by.0).collect();
    let moved: Vec<DateTime<Utc>> = rows.iter().map(|m| m.moved_at).collect();
    sqlx::query!(
        "INSERT INTO group_moves (course_id, student_id, from_group, to_group, moved_by, moved_at)
         SELECT r.course_id, r.student_id, r.from_group, r.to_group, r.moved_by, r.moved_at
         FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::timestamptz[])
              WITH ORDINALITY AS r(course_id, student_id, from_group, to_group, moved_by, moved_at, ord)
         ORDER BY r.ord",
        &courses,
        &students,
        &from[..] as &[Option<Uuid>],
        &to[..] as &[Option<Uuid>],
        &movers,
        &moved,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
