//! Notifications: the outbox, preferences, and Telegram chats and link tokens.

use super::*;

pub(super) async fn insert_outbox(
    conn: &mut PgConnection,
    rows: &[OutboxEntry],
) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|e| e.id.0).collect();
    let keys: Vec<String> = rows.iter().map(|e| e.dedup_key.0.clone()).collect();
    let recipients: Vec<Uuid> = rows.iter().map(|e| e.recipient_id.0).collect();
    let channels: Vec<String> = rows.iter().map(|e| e.channel.as_str().to_owned()).collect();
    let notifications = json_column(rows, |e| &e.notification)?;
    let statuses: Vec<String> = rows.iter().map(|e| e.status.as_str().to_owned()).collect();
    let attempts: Vec<i32> = rows.iter().map(|e| to_i32(e.attempts)).collect();
    let next: Vec<DateTime<Utc>> = rows.iter().map(|e| e.next_attempt_at).collect();
    let leases: Vec<Option<DateTime<Utc>>> = rows.iter().map(|e| e.lease_until).collect();
    let errors: Vec<Option<String>> = rows.iter().map(|e| e.last_error.clone()).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|e| e.created_at).collect();
    let sent: Vec<Option<DateTime<Utc>>> = rows.iter().map(|e| e.sent_at).collect();
    let read: Vec<Option<DateTime<Utc>>> = rows.iter().map(|e| e.read_at).collect();
    sqlx::query!(
        "INSERT INTO outbox (id, dedup_key, recipient_id, channel, notification, status, attempts, next_attempt_at,
                             lease_until, last_error, created_at, sent_at, read_at)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::jsonb[], $6::text[],
                              $7::integer[], $8::timestamptz[], $9::timestamptz[], $10::text[], $11::timestamptz[],
                              $12::timestamptz[], $13::timestamptz[])",
        &ids,
        &keys,
        &recipients,
        &channels,
        &notifications,
        &statuses,
        &attempts,
        &next,
        &leases[..] as &[Option<DateTime<Utc>>],
        &errors[..] as &[Option<String>],
        &created,
        &sent[..] as &[Option<DateTime<Utc>>],
        &read[..] as &[Option<DateTime<Utc>>],
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_preferences(
    conn: &mut PgConnection,
    rows: &[lms_core::notification::NotificationPreferences],
) -> StorageResult<()> {
    let users: Vec<Uuid> = rows.iter().map(|p| p.user_id.0).collect();
    let channels = json_column(rows, |p| &p.channels)?;
    let from: Vec<Option<NaiveTime>> = rows.iter().map(|p| p.quiet_hours.map(|q| q.from)).collect();
    let to: Vec<Option<NaiveTime>> = rows.iter().map(|p| p.quiet_hours.map(|q| q.to)).collect();
    sqlx::query!(
        "INSERT INTO notification_preferences (user_id, channels, quiet_from, quiet_to)
         SELECT * FROM UNNEST($1::uuid[], $2::jsonb[], $3::time[], $4::time[])",
        &users,
        &channels,
        &from[..] as &[Option<NaiveTime>],
        &to[..] as &[Option<NaiveTime>],
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_telegram_chats(
    conn: &mut PgConnection,
    rows: &[TelegramChatRecord],
) -> StorageResult<()> {
    let users: Vec<Uuid> = rows.iter().map(|c| c.user_id.0).collect();
    let chats: Vec<i64> = rows.iter().map(|c| c.chat_id).collect();
    sqlx::query!(
        "INSERT INTO telegram_chats (user_id, chat_id) SELECT * FROM UNNEST($1::uuid[], $2::bigint[])",
        &users,
        &chats,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_telegram_tokens(
    conn: &mut PgConnection,
    rows: &[TelegramLinkToken],
) -> StorageResult<()> {
    let hashes: Vec<String> = rows.iter().map(|t| t.token_hash.0.clone()).collect();
    let users: Vec<Uuid> = rows.iter().map(|t| t.user_id.0).collect();
    let expires: Vec<DateTime<Utc>> = rows.iter().map(|t| t.expires_at).collect();
    sqlx::query!(
        "INSERT INTO telegram_tokens (token_hash, user_id, expires_at)
         SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::timestamptz[])",
        &hashes,
        &users,
        &expires,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
