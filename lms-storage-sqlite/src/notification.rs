//! The outbox, notification preferences and Telegram links.
//!
//! SQLite has no `SKIP LOCKED`; it has one writer at a time instead. A
//! claim selects the due entries and sets their lease in one `BEGIN
//! IMMEDIATE` transaction, so concurrent claimers run one after another and
//! never get the same entry; the lease keeps a claimed entry away from
//! others until it expires (a crashed worker's entries come back then).

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveTime, Utc};
use lms_core::StorageError;
use lms_core::error::{Conflict, StorageResult};
use lms_core::ids::{AssignmentId, CourseId, OutboxId, QuizId, UserId};
use lms_core::notification::{
    Channel, DeadlineTarget, DedupKey, DeliveryProfile, Notification, NotificationKind,
    NotificationPreferences, NotificationStore, OpeningTarget, OutboxEntry, OutboxStatus,
    QuietHours, QuizCloseTarget, Recipient, TelegramLinkToken,
};
use lms_core::page::Page;
use lms_core::user::{Locale, TimeZone, TokenHash};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::SqliteStorage;
use crate::error::{corrupt, from_json, from_ts, from_ts_opt, id_list, map_err, to_json, to_u32};
use crate::error::{ts, ts_opt};

/// Inserts outbox entries inside a transaction, skipping duplicate keys.
pub(crate) async fn enqueue_in(
    conn: &mut SqliteConnection,
    entries: &[OutboxEntry],
) -> StorageResult<u64> {
    let mut inserted = 0;
    for e in entries {
        let notification = to_json(&e.notification)?;
        let done = sqlx::query!(
            "INSERT INTO outbox (id, dedup_key, recipient_id, channel, notification, status, attempts,
                                 next_attempt_at, lease_until, last_error, created_at, sent_at, read_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (dedup_key) DO NOTHING",
            e.id.0,
            e.dedup_key.0,
            e.recipient_id.0,
            e.channel.as_str(),
            notification,
            e.status.as_str(),
            i64::from(e.attempts),
            ts(e.next_attempt_at),
            ts_opt(e.lease_until),
            e.last_error,
            ts(e.created_at),
            ts_opt(e.sent_at),
            ts_opt(e.read_at)
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
        inserted += done.rows_affected();
    }
    Ok(inserted)
}

pub(crate) struct OutboxRow {
    pub id: Uuid,
    pub dedup_key: String,
    pub recipient_id: Uuid,
    pub channel: String,
    pub notification: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub lease_until: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub read_at: Option<i64>,
}

impl TryFrom<OutboxRow> for OutboxEntry {
    type Error = StorageError;
    fn try_from(r: OutboxRow) -> Result<Self, Self::Error> {
        Ok(OutboxEntry {
            id: OutboxId(r.id),
            dedup_key: DedupKey(r.dedup_key),
            recipient_id: UserId(r.recipient_id),
            channel: Channel::parse(&r.channel).ok_or_else(|| corrupt("channel", &r.channel))?,
            notification: from_json::<Notification>("notification", &r.notification)?,
            status: OutboxStatus::parse(&r.status)
                .ok_or_else(|| corrupt("outbox status", &r.status))?,
            attempts: to_u32("attempts", r.attempts)?,
            next_attempt_at: from_ts("next attempt time", r.next_attempt_at)?,
            lease_until: from_ts_opt("lease", r.lease_until)?,
            last_error: r.last_error,
            created_at: from_ts("outbox creation time", r.created_at)?,
            sent_at: from_ts_opt("sending time", r.sent_at)?,
            read_at: from_ts_opt("reading time", r.read_at)?,
        })
    }
}

pub(crate) fn preferences_from(
    user: Uuid,
    channels: &str,
    from: Option<NaiveTime>,
    to: Option<NaiveTime>,
) -> StorageResult<NotificationPreferences> {
    Ok(NotificationPreferences {
        user_id: UserId(user),
        channels: from_json::<BTreeMap<NotificationKind, Vec<Channel>>>("preferences", channels)?,
        quiet_hours: match (from, to) {
            (Some(from), Some(to)) => Some(QuietHours { from, to }),
            _ => None,
        },
    })
}

impl SqliteStorage {
    /// After a lease-guarded update: nothing updated means the entry is
    /// unknown (`NotFound`) or held by a newer claim or finished (`Stale`).
    async fn held(&self, id: OutboxId, updated: u64) -> StorageResult<()> {
        if updated > 0 {
            return Ok(());
        }
        let exists = sqlx::query!("SELECT 1 AS one FROM outbox WHERE id = $1", id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        Err(if exists.is_some() {
            StorageError::Conflict(Conflict::Stale)
        } else {
            StorageError::NotFound
        })
    }
}

#[async_trait]
impl NotificationStore for SqliteStorage {
    async fn enqueue(&self, entries: &[OutboxEntry]) -> StorageResult<u64> {
        let mut tx = self.write_tx().await?;
        let n = enqueue_in(&mut tx, entries).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(n)
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease_until: DateTime<Utc>,
    ) -> StorageResult<Vec<OutboxEntry>> {
        let mut tx = self.write_tx().await?;
        let rows = sqlx::query_as!(
            OutboxRow,
            r#"UPDATE outbox SET lease_until = $3, attempts = attempts + 1
               WHERE id IN (
                   SELECT id FROM outbox
                   WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
                   ORDER BY next_attempt_at, id
                   LIMIT $2)
               RETURNING id AS "id: _", dedup_key, recipient_id AS "recipient_id: _", channel, notification, status,
                         attempts, next_attempt_at, lease_until, last_error, created_at, sent_at, read_at"#,
            ts(now),
            i64::from(limit),
            ts(lease_until)
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        let mut entries: Vec<OutboxEntry> = rows
            .into_iter()
            .map(OutboxEntry::try_from)
            .collect::<Result<_, _>>()?;
        entries.sort_by(|a, b| {
            a.next_attempt_at
                .cmp(&b.next_attempt_at)
                .then(a.id.cmp(&b.id))
        });
        Ok(entries)
    }

    async fn mark_sent(
        &self,
        id: OutboxId,
        lease: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let done = sqlx::query!(
            "UPDATE outbox SET status = 'sent', sent_at = $3, lease_until = NULL, last_error = NULL
             WHERE id = $1 AND status = 'pending' AND lease_until = $2",
            id.0,
            ts(lease),
            ts(at)
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        self.held(id, done.rows_affected()).await
    }

    async fn mark_retry(
        &self,
        id: OutboxId,
        lease: DateTime<Utc>,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> StorageResult<()> {
        let done = sqlx::query!(
            "UPDATE outbox SET next_attempt_at = $3, last_error = $4, lease_until = NULL
             WHERE id = $1 AND status = 'pending' AND lease_until = $2",
            id.0,
            ts(lease),
            ts(next_attempt_at),
            error
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        self.held(id, done.rows_affected()).await
    }

    async fn mark_failed(
        &self,
        id: OutboxId,
        lease: DateTime<Utc>,
        error: &str,
    ) -> StorageResult<()> {
        let done = sqlx::query!(
            "UPDATE outbox SET status = 'failed', last_error = $3, lease_until = NULL
             WHERE id = $1 AND status = 'pending' AND lease_until = $2",
            id.0,
            ts(lease),
            error
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        self.held(id, done.rows_affected()).await
    }

    async fn get_outbox_entry(&self, id: OutboxId) -> StorageResult<Option<OutboxEntry>> {
        sqlx::query_as!(
            OutboxRow,
            r#"SELECT id AS "id: _", dedup_key, recipient_id AS "recipient_id: _", channel, notification, status,
                      attempts, next_attempt_at, lease_until, last_error, created_at, sent_at, read_at
               FROM outbox WHERE id = $1"#,
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(OutboxEntry::try_from)
        .transpose()
    }

    async fn list_user_outbox(&self, user: UserId, page: Page) -> StorageResult<Vec<OutboxEntry>> {
        sqlx::query_as!(
            OutboxRow,
            r#"SELECT id AS "id: _", dedup_key, recipient_id AS "recipient_id: _", channel, notification, status,
                      attempts, next_attempt_at, lease_until, last_error, created_at, sent_at, read_at
               FROM outbox WHERE recipient_id = $1 AND channel <> 'in_app' ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"#,
            user.0,
            i64::from(page.limit()),
            i64::from(page.offset())
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(OutboxEntry::try_from)
        .collect()
    }

    async fn inbox(&self, user: UserId, page: Page) -> StorageResult<Vec<OutboxEntry>> {
        sqlx::query_as!(
            OutboxRow,
            r#"SELECT id AS "id: _", dedup_key, recipient_id AS "recipient_id: _", channel, notification, status,
                      attempts, next_attempt_at, lease_until, last_error, created_at, sent_at, read_at
               FROM outbox WHERE recipient_id = $1 AND channel = 'in_app'
               ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"#,
            user.0,
            i64::from(page.limit()),
            i64::from(page.offset())
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(OutboxEntry::try_from)
        .collect()
    }

    async fn unread_count(&self, user: UserId, cap: u32) -> StorageResult<u32> {
        // Stops after `cap` entries of the partial index over unread ones.
        let unread = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!: i64" FROM (
                   SELECT 1 FROM outbox
                   WHERE recipient_id = $1 AND channel = 'in_app' AND read_at IS NULL
                   LIMIT $2)"#,
            user.0,
            i64::from(cap)
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(u32::try_from(unread).unwrap_or(cap))
    }

    async fn mark_read(
        &self,
        user: UserId,
        ids: &[OutboxId],
        at: DateTime<Utc>,
    ) -> StorageResult<u64> {
        let ids = id_list(ids.iter().map(|id| id.0));
        let done = sqlx::query!(
            "UPDATE outbox SET read_at = $3
             WHERE id IN (SELECT unhex(value) FROM json_each($2))
               AND recipient_id = $1 AND channel = 'in_app' AND read_at IS NULL",
            user.0,
            ids,
            ts(at)
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn mark_all_read(&self, user: UserId, at: DateTime<Utc>) -> StorageResult<u64> {
        let done = sqlx::query!(
            "UPDATE outbox SET read_at = $2
             WHERE recipient_id = $1 AND channel = 'in_app' AND read_at IS NULL",
            user.0,
            ts(at)
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn get_preferences(
        &self,
        user: UserId,
    ) -> StorageResult<Option<NotificationPreferences>> {
        let row = sqlx::query!(
            r#"SELECT user_id AS "user_id: Uuid", channels, quiet_from AS "quiet_from: NaiveTime",
                      quiet_to AS "quiet_to: NaiveTime"
               FROM notification_preferences WHERE user_id = $1"#,
            user.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.map(|r| preferences_from(r.user_id, &r.channels, r.quiet_from, r.quiet_to))
            .transpose()
    }

    async fn set_preferences(&self, p: &NotificationPreferences) -> StorageResult<()> {
        let channels = to_json(&p.channels)?;
        sqlx::query!(
            "INSERT INTO notification_preferences (user_id, channels, quiet_from, quiet_to) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id) DO UPDATE
             SET channels = excluded.channels, quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to",
            p.user_id.0,
            channels,
            p.quiet_hours.map(|q| q.from),
            p.quiet_hours.map(|q| q.to)
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn delivery_profiles(&self, users: &[UserId]) -> StorageResult<Vec<DeliveryProfile>> {
        let ids = id_list(users.iter().map(|u| u.0));
        let rows = sqlx::query!(
            r#"SELECT u.id AS "id!: Uuid", u.active AS "active!: bool", p.channels AS "channels?: String",
                      p.quiet_from AS "quiet_from?: NaiveTime", p.quiet_to AS "quiet_to?: NaiveTime",
                      (t.chat_id IS NOT NULL) AS "telegram_linked!: bool"
               FROM users u
               LEFT JOIN notification_preferences p ON p.user_id = u.id
               LEFT JOIN telegram_chats t ON t.user_id = u.id
               WHERE u.id IN (SELECT unhex(value) FROM json_each($1))"#,
            ids
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                let preferences = match r.channels {
                    Some(ch) => preferences_from(r.id, &ch, r.quiet_from, r.quiet_to)?,
                    None => NotificationPreferences::defaults(UserId(r.id)),
                };
                Ok(DeliveryProfile {
                    user_id: UserId(r.id),
                    active: r.active,
                    preferences,
                    telegram_linked: r.telegram_linked,
                })
            })
            .collect()
    }

    async fn recipient(&self, user: UserId) -> StorageResult<Option<Recipient>> {
        let row = sqlx::query!(
            r#"SELECT u.id AS "id: Uuid", u.display_name, u.email, u.locale, u.time_zone, t.chat_id AS "chat_id?"
               FROM users u LEFT JOIN telegram_chats t ON t.user_id = u.id WHERE u.id = $1"#,
            user.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.map(|r| {
            Ok(Recipient {
                user_id: UserId(r.id),
                display_name: r.display_name,
                email: r.email,
                telegram_chat_id: r.chat_id,
                locale: Locale::parse(&r.locale).ok_or_else(|| corrupt("locale", &r.locale))?,
                time_zone: TimeZone::parse(&r.time_zone).map_err(|e| corrupt("time zone", e))?,
            })
        })
        .transpose()
    }

    async fn insert_telegram_token(&self, token: &TelegramLinkToken) -> StorageResult<()> {
        sqlx::query!(
            "INSERT INTO telegram_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
            token.token_hash.0,
            token.user_id.0,
            ts(token.expires_at)
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn consume_telegram_token(
        &self,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> StorageResult<Option<UserId>> {
        let row = sqlx::query!(
            r#"DELETE FROM telegram_tokens WHERE token_hash = $1 RETURNING user_id AS "user_id: Uuid", expires_at"#,
            hash.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row
            .filter(|r| r.expires_at > ts(now))
            .map(|r| UserId(r.user_id)))
    }

    async fn set_telegram_chat(&self, user: UserId, chat_id: Option<i64>) -> StorageResult<()> {
        let mut tx = self.write_tx().await?;
        match chat_id {
            Some(chat) => {
                sqlx::query!(
                    "DELETE FROM telegram_chats WHERE chat_id = $1 AND user_id <> $2",
                    chat,
                    user.0
                )
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                sqlx::query!(
                    "INSERT INTO telegram_chats (user_id, chat_id) VALUES ($1, $2)
                     ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id",
                    user.0,
                    chat
                )
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            }
            None => {
                sqlx::query!("DELETE FROM telegram_chats WHERE user_id = $1", user.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
            }
        }
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn unlink_telegram_chat(&self, chat_id: i64) -> StorageResult<Option<UserId>> {
        let row = sqlx::query!(
            r#"DELETE FROM telegram_chats WHERE chat_id = $1 RETURNING user_id AS "user_id: Uuid""#,
            chat_id
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row.map(|r| UserId(r.user_id)))
    }

    async fn reserve_send_slot(
        &self,
        key: &str,
        now: DateTime<Utc>,
        interval: chrono::Duration,
    ) -> StorageResult<DateTime<Utc>> {
        // One statement inside SQLite's single writer.
        let micros = interval.num_microseconds().unwrap_or(i64::MAX);
        let now_ts = ts(now);
        let row = sqlx::query!(
            r#"INSERT INTO send_slots (key, next_at) VALUES ($1, $2 + $3)
               ON CONFLICT (key) DO UPDATE SET next_at = MAX(send_slots.next_at, $2) + $3
               RETURNING next_at"#,
            key,
            now_ts,
            micros
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(from_ts("send_slots.next_at", row.next_at)? - interval)
    }

    async fn hold_send_slot(&self, key: &str, until: DateTime<Utc>) -> StorageResult<()> {
        let until_ts = ts(until);
        sqlx::query!(
            r#"INSERT INTO send_slots (key, next_at) VALUES ($1, $2)
               ON CONFLICT (key) DO UPDATE SET next_at = MAX(send_slots.next_at, $2)"#,
            key,
            until_ts
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn delete_expired_send_slots(&self, before: DateTime<Utc>) -> StorageResult<u64> {
        let before_ts = ts(before);
        let done = sqlx::query!("DELETE FROM send_slots WHERE next_at < $1", before_ts)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn deadline_targets(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<DeadlineTarget>> {
        let rows = sqlx::query!(
            r#"SELECT a.id AS "assignment_id: Uuid", a.title AS assignment_title, c.id AS "course_id: Uuid",
                      c.title AS course_title, e.student_id AS "student_id: Uuid",
                      coalesce(x.due_at, a.due_at) AS "due_at!: i64",
                      EXISTS (SELECT 1 FROM submissions s WHERE s.assignment_id = a.id AND s.student_id = e.student_id)
                        AS "submitted!: bool"
               FROM assignments a
               JOIN courses c ON c.id = a.course_id AND c.status = 'published'
               JOIN enrollments e ON e.course_id = a.course_id
               LEFT JOIN extensions x ON x.assignment_id = a.id AND x.student_id = e.student_id
               WHERE a.published = 1 AND coalesce(x.due_at, a.due_at) >= $1 AND coalesce(x.due_at, a.due_at) < $2
               ORDER BY coalesce(x.due_at, a.due_at), a.id, e.student_id"#,
            ts(from),
            ts(to)
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(DeadlineTarget {
                    assignment_id: AssignmentId(r.assignment_id),
                    assignment_title: r.assignment_title,
                    course_id: CourseId(r.course_id),
                    course_title: r.course_title,
                    student_id: UserId(r.student_id),
                    due_at: from_ts("due time", r.due_at)?,
                    submitted: r.submitted,
                })
            })
            .collect()
    }

    async fn quiz_close_targets(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<QuizCloseTarget>> {
        // `closes_at` lives in the settings JSON as chrono writes it:
        // `2030-03-04T09:00:00Z`, or with 3, 6 or 9 fractional digits
        // (`…00.5Z` is written `…00.500Z`). As text those do not sort as
        // instants (`…00Z` sorts after `…00.500Z`), so both sides are
        // compared as `closes_key`: the seconds, a dot and the fraction
        // padded to nine digits (the format of `closes_key_bound`).
        let rows = sqlx::query!(
            r#"SELECT q.id AS "quiz_id!: Uuid", q.title AS "quiz_title!: String",
                      c.id AS "course_id!: Uuid", c.title AS "course_title!: String",
                      e.student_id AS "student_id!: Uuid", q.closes_at AS "closes_at!: String",
                      EXISTS (SELECT 1 FROM attempts t WHERE t.quiz_id = q.id AND t.student_id = e.student_id)
                        AS "attempted!: bool"
               FROM (SELECT id, course_id, title, closes_at,
                            substr(closes_at, 1, 19) || '.' ||
                              substr(CASE WHEN substr(closes_at, 20, 1) = '.'
                                          THEN substr(closes_at, 21, length(closes_at) - 21)
                                          ELSE '' END || '000000000', 1, 9) AS closes_key
                     FROM (SELECT id, course_id, title, json_extract(settings, '$.closes_at') AS closes_at
                           FROM quizzes WHERE published = 1)
                     WHERE closes_at IS NOT NULL) q
               JOIN courses c ON c.id = q.course_id AND c.status = 'published'
               JOIN enrollments e ON e.course_id = q.course_id
               WHERE q.closes_key >= $1 AND q.closes_key < $2
               ORDER BY q.closes_key, q.id, e.student_id"#,
            closes_key_bound(from),
            closes_key_bound(to)
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                let closes_at = DateTime::parse_from_rfc3339(&r.closes_at)
                    .map_err(|e| corrupt("quiz closing time", e))?
                    .with_timezone(&Utc);
                Ok(QuizCloseTarget {
                    quiz_id: QuizId(r.quiz_id),
                    quiz_title: r.quiz_title,
                    course_id: CourseId(r.course_id),
                    course_title: r.course_title,
                    student_id: UserId(r.student_id),
                    closes_at,
                    attempted: r.attempted,
                })
            })
            .collect()
    }

    async fn opening_targets(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<OpeningTarget>> {
        let rows = sqlx::query!(
            r#"SELECT a.id AS "assignment_id: Uuid", a.title AS assignment_title, a.due_at,
                      c.id AS "course_id: Uuid", c.title AS course_title, e.student_id AS "student_id: Uuid"
               FROM assignments a
               JOIN courses c ON c.id = a.course_id AND c.status = 'published'
               JOIN enrollments e ON e.course_id = a.course_id
               WHERE a.published = 1 AND a.opens_at >= $1 AND a.opens_at < $2
               ORDER BY a.opens_at, a.id, e.student_id"#,
            ts(from),
            ts(to)
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(OpeningTarget {
                    assignment_id: AssignmentId(r.assignment_id),
                    assignment_title: r.assignment_title,
                    due_at: from_ts("due time", r.due_at)?,
                    course_id: CourseId(r.course_id),
                    course_title: r.course_title,
                    student_id: UserId(r.student_id),
                })
            })
            .collect()
    }
}

/// An instant as the `closes_key` of
/// [`quiz_close_targets`](NotificationStore::quiz_close_targets) compares
/// it: `2030-03-04T09:00:00.500000000`, fixed width, so text order is time
/// order (for years 0000 to 9999).
fn closes_key_bound(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.9f").to_string()
}
