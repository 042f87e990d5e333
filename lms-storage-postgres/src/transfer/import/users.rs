//! Users and their sessions.

use super::*;

pub(super) async fn insert_users(
    conn: &mut PgConnection,
    rows: &[UserRecord],
) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.user.id.0).collect();
    let emails: Vec<String> = rows
        .iter()
        .map(|r| r.user.email.as_str().to_owned())
        .collect();
    let names: Vec<String> = rows
        .iter()
        .map(|r| r.user.display_name.as_str().to_owned())
        .collect();
    let roles: Vec<String> = rows
        .iter()
        .map(|r| r.user.role.as_str().to_owned())
        .collect();
    let locales: Vec<String> = rows
        .iter()
        .map(|r| r.user.locale.as_str().to_owned())
        .collect();
    let zones: Vec<String> = rows
        .iter()
        .map(|r| r.user.time_zone.name().to_owned())
        .collect();
    let active: Vec<bool> = rows.iter().map(|r| r.user.active).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|r| r.user.created_at).collect();
    let passwords: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.password_hash.as_ref().map(|p| p.0.clone()))
        .collect();
    let feeds: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.feed_token_hash.as_ref().map(|t| t.0.clone()))
        .collect();
    sqlx::query!(
        "INSERT INTO users (id, email, display_name, role, locale, time_zone, active, created_at, password_hash,
                            feed_token_hash)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::boolean[], $8::timestamptz[], $9::text[], $10::text[])",
        &ids,
        &emails,
        &names,
        &roles,
        &locales,
        &zones,
        &active,
        &created,
        &passwords[..] as &[Option<String>],
        &feeds[..] as &[Option<String>],
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_sessions(
    conn: &mut PgConnection,
    rows: &[Session],
) -> StorageResult<()> {
    let hashes: Vec<String> = rows.iter().map(|s| s.token_hash.0.clone()).collect();
    let users: Vec<Uuid> = rows.iter().map(|s| s.user_id.0).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|s| s.created_at).collect();
    let expires: Vec<DateTime<Utc>> = rows.iter().map(|s| s.expires_at).collect();
    sqlx::query!(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
         SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::timestamptz[], $4::timestamptz[])",
        &hashes,
        &users,
        &created,
        &expires,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
