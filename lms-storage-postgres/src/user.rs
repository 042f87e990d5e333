//! Users, credentials, sessions and calendar-feed tokens.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::StorageError;
use lms_core::error::StorageResult;
use lms_core::ids::UserId;
use lms_core::page::Page;
use lms_core::user::{
    DisplayName, Email, FeedLink, Locale, LoginCounter, PasswordHash, Role, Session, SessionStore,
    ThrottleKey, TimeZone, TokenHash, User, UserFilter, UserStore,
};
use uuid::Uuid;

use crate::PgStorage;
use crate::error::{corrupt, map_err};

pub(crate) struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub locale: String,
    pub time_zone: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = StorageError;
    fn try_from(r: UserRow) -> Result<Self, Self::Error> {
        Ok(User {
            id: UserId(r.id),
            email: Email::parse(&r.email).map_err(|e| corrupt("user e-mail", e))?,
            display_name: DisplayName::parse(&r.display_name)
                .map_err(|e| corrupt("user name", e))?,
            role: Role::parse(&r.role).ok_or_else(|| corrupt("user role", &r.role))?,
            locale: Locale::parse(&r.locale).ok_or_else(|| corrupt("user locale", &r.locale))?,
            time_zone: TimeZone::parse(&r.time_zone).map_err(|e| corrupt("user time zone", e))?,
            active: r.active,
            created_at: r.created_at,
        })
    }
}

#[async_trait]
impl UserStore for PgStorage {
    async fn insert_user(&self, user: &User, password: Option<PasswordHash>) -> StorageResult<()> {
        sqlx::query!(
            "INSERT INTO users (id, email, display_name, role, locale, time_zone, active, created_at, password_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            user.id.0,
            user.email.as_str(),
            user.display_name.as_str(),
            user.role.as_str(),
            user.locale.as_str(),
            user.time_zone.name(),
            user.active,
            user.created_at,
            password.map(|p| p.0),
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn update_user(&self, user: &User) -> StorageResult<()> {
        let done = sqlx::query!(
            "UPDATE users SET email = $2, display_name = $3, role = $4, locale = $5, time_zone = $6, active = $7
             WHERE id = $1",
            user.id.0,
            user.email.as_str(),
            user.display_name.as_str(),
            user.role.as_str(),
            user.locale.as_str(),
            user.time_zone.name(),
            user.active,
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    async fn get_user(&self, id: UserId) -> StorageResult<Option<User>> {
        sqlx::query_as!(
            UserRow,
            "SELECT id, email, display_name, role, locale, time_zone, active, created_at FROM users WHERE id = $1",
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(User::try_from)
        .transpose()
    }

    async fn get_users(&self, ids: &[UserId]) -> StorageResult<Vec<User>> {
        let ids: Vec<Uuid> = ids.iter().map(|i| i.0).collect();
        sqlx::query_as!(
            UserRow,
            "SELECT id, email, display_name, role, locale, time_zone, active, created_at
             FROM users WHERE id = ANY($1) ORDER BY email",
            &ids
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(User::try_from)
        .collect()
    }

    async fn find_user_by_email(&self, email: &Email) -> StorageResult<Option<User>> {
        sqlx::query_as!(
            UserRow,
            "SELECT id, email, display_name, role, locale, time_zone, active, created_at FROM users WHERE email = $1",
            email.as_str()
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(User::try_from)
        .transpose()
    }

    async fn list_users(&self, page: Page) -> StorageResult<Vec<User>> {
        sqlx::query_as!(
            UserRow,
            "SELECT id, email, display_name, role, locale, time_zone, active, created_at
             FROM users ORDER BY email LIMIT $1 OFFSET $2",
            i64::from(page.limit()),
            i64::from(page.offset())
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(User::try_from)
        .collect()
    }

    async fn search_users(&self, filter: &UserFilter, page: Page) -> StorageResult<Vec<User>> {
        let (lower, capital) = filter.like_patterns();
        sqlx::query_as!(
            UserRow,
            r#"SELECT id, email, display_name, role, locale, time_zone, active, created_at
               FROM users
               WHERE ($1::text IS NULL OR role = $1)
                 AND ($2::bool IS NULL OR active = $2)
                 AND ($3::text IS NULL
                      OR email ILIKE $3 ESCAPE '\'
                      OR display_name ILIKE $3 ESCAPE '\'
                      OR display_name ILIKE ('% ' || $3) ESCAPE '\'
                      OR display_name ILIKE $4 ESCAPE '\'
                      OR display_name ILIKE ('% ' || $4) ESCAPE '\')
               ORDER BY email LIMIT $5 OFFSET $6"#,
            filter.role.map(Role::as_str),
            filter.active,
            lower,
            capital,
            i64::from(page.limit()),
            i64::from(page.offset())
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(User::try_from)
        .collect()
    }

    async fn set_password_hash(&self, id: UserId, hash: &PasswordHash) -> StorageResult<()> {
        let done = sqlx::query!(
            "UPDATE users SET password_hash = $2 WHERE id = $1",
            id.0,
            hash.0
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    async fn credentials_by_email(
        &self,
        email: &Email,
    ) -> StorageResult<Option<(User, PasswordHash)>> {
        let row = sqlx::query!(
            r#"SELECT id, email, display_name, role, locale, time_zone, active, created_at,
                      password_hash AS "password_hash!"
               FROM users WHERE email = $1 AND password_hash IS NOT NULL"#,
            email.as_str()
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.map(|r| {
            let user = User::try_from(UserRow {
                id: r.id,
                email: r.email,
                display_name: r.display_name,
                role: r.role,
                locale: r.locale,
                time_zone: r.time_zone,
                active: r.active,
                created_at: r.created_at,
            })?;
            Ok((user, PasswordHash(r.password_hash)))
        })
        .transpose()
    }

    async fn set_feed_token(&self, id: UserId, hash: &TokenHash) -> StorageResult<()> {
        let done = sqlx::query!(
            "UPDATE users SET feed_token_hash = $2, feed_token = NULL, feed_token_created_at = NULL WHERE id = $1",
            id.0,
            hash.0
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    async fn set_feed_link(&self, id: UserId, link: &FeedLink) -> StorageResult<()> {
        let hash = TokenHash::of(&link.token);
        let created_at = link.created_at;
        let done = sqlx::query!(
            "UPDATE users SET feed_token_hash = $2, feed_token = $3, feed_token_created_at = $4
             WHERE id = $1",
            id.0,
            hash.0,
            link.token,
            created_at
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    async fn feed_link(&self, id: UserId) -> StorageResult<Option<FeedLink>> {
        let row = sqlx::query!(
            "SELECT feed_token, feed_token_created_at FROM users WHERE id = $1",
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .ok_or(StorageError::NotFound)?;
        Ok(match (row.feed_token, row.feed_token_created_at) {
            (Some(token), Some(created_at)) => Some(FeedLink { token, created_at }),
            _ => None,
        })
    }

    async fn user_by_feed_token(&self, hash: &TokenHash) -> StorageResult<Option<User>> {
        sqlx::query_as!(
            UserRow,
            "SELECT id, email, display_name, role, locale, time_zone, active, created_at
             FROM users WHERE feed_token_hash = $1",
            hash.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(User::try_from)
        .transpose()
    }
}

#[async_trait]
impl SessionStore for PgStorage {
    async fn insert_session(&self, session: &Session) -> StorageResult<()> {
        sqlx::query!(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            session.token_hash.0,
            session.user_id.0,
            session.created_at,
            session.expires_at
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn get_session(&self, hash: &TokenHash) -> StorageResult<Option<Session>> {
        let row = sqlx::query!(
            "SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = $1",
            hash.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row.map(|r| Session {
            token_hash: TokenHash(r.token_hash),
            user_id: UserId(r.user_id),
            created_at: r.created_at,
            expires_at: r.expires_at,
        }))
    }

    async fn session_with_user(&self, hash: &TokenHash) -> StorageResult<Option<(Session, User)>> {
        let Some(r) = sqlx::query!(
            "SELECT s.token_hash, s.user_id, s.created_at AS session_created_at, s.expires_at,
                    u.email, u.display_name, u.role, u.locale, u.time_zone, u.active, u.created_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1",
            hash.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        else {
            return Ok(None);
        };
        let session = Session {
            token_hash: TokenHash(r.token_hash),
            user_id: UserId(r.user_id),
            created_at: r.session_created_at,
            expires_at: r.expires_at,
        };
        let user = User::try_from(UserRow {
            id: r.user_id,
            email: r.email,
            display_name: r.display_name,
            role: r.role,
            locale: r.locale,
            time_zone: r.time_zone,
            active: r.active,
            created_at: r.created_at,
        })?;
        Ok(Some((session, user)))
    }

    async fn delete_session(&self, hash: &TokenHash) -> StorageResult<()> {
        sqlx::query!("DELETE FROM sessions WHERE token_hash = $1", hash.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user: UserId) -> StorageResult<u64> {
        let done = sqlx::query!("DELETE FROM sessions WHERE user_id = $1", user.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StorageResult<u64> {
        let done = sqlx::query!("DELETE FROM sessions WHERE expires_at < $1", now)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn delete_other_sessions(&self, user: UserId, keep: &TokenHash) -> StorageResult<u64> {
        let done = sqlx::query!(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
            user.0,
            keep.0
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn charge_login_attempt(
        &self,
        key: &ThrottleKey,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> StorageResult<LoginCounter> {
        // One statement: concurrent charges from any node serialise on the
        // row, and each sees its own count.
        let row = sqlx::query!(
            r#"INSERT INTO login_counters (key, count, window_started_at) VALUES ($1, 1, $2)
               ON CONFLICT (key) DO UPDATE SET
                   count = CASE WHEN login_counters.window_started_at <= $3 THEN 1
                                ELSE login_counters.count + 1 END,
                   window_started_at = CASE WHEN login_counters.window_started_at <= $3 THEN $2
                                            ELSE login_counters.window_started_at END
               RETURNING count, window_started_at"#,
            key.0,
            now,
            now - window
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(LoginCounter {
            count: u32::try_from(row.count).unwrap_or(0),
            window_started_at: row.window_started_at,
        })
    }

    async fn refund_login_attempt(
        &self,
        key: &ThrottleKey,
        window_started_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        sqlx::query!(
            "UPDATE login_counters SET count = count - 1 WHERE key = $1 AND window_started_at = $2 AND count > 0",
            key.0,
            window_started_at
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn clear_login_attempts(&self, key: &ThrottleKey) -> StorageResult<()> {
        sqlx::query!("DELETE FROM login_counters WHERE key = $1", key.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_expired_login_attempts(&self, before: DateTime<Utc>) -> StorageResult<u64> {
        let done = sqlx::query!(
            "DELETE FROM login_counters WHERE window_started_at < $1",
            before
        )
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected())
    }
}
