//! Invitations, password resets and onboarding batches. A batch (an
//! invitation or a whole CSV import) is one `BEGIN IMMEDIATE` transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::StorageError;
use lms_core::error::{Conflict, StorageResult};
use lms_core::ids::{CourseId, InvitationId, UserId};
use lms_core::notification::OutboxEntry;
use lms_core::onboarding::csv::like_prefix as prefix_pattern;
use lms_core::onboarding::{
    Acceptance, Invitation, InvitationFilter, InvitationStatus, OnboardingBatch, OnboardingState,
    OnboardingStore, PasswordReset,
};
use lms_core::page::Page;
use lms_core::user::{Email, Role, TokenHash, User};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::SqliteStorage;
use crate::course::source_str;
use crate::error::{corrupt, from_json, from_ts, from_ts_opt, id_list, map_err, to_json, to_u32};
use crate::error::{ts, ts_opt};
use crate::notification::enqueue_in;
use crate::user::UserRow;

struct InvitationRow {
    id: Uuid,
    user_id: Uuid,
    email: String,
    role: String,
    course_ids: String,
    invited_by: Uuid,
    status: String,
    send_count: i64,
    created_at: i64,
    expires_at: i64,
    closed_at: Option<i64>,
    token_hash: Option<String>,
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = StorageError;
    fn try_from(r: InvitationRow) -> Result<Self, Self::Error> {
        Ok(Invitation {
            id: InvitationId(r.id),
            user_id: UserId(r.user_id),
            email: Email::parse(&r.email).map_err(|e| corrupt("invitation e-mail", e))?,
            role: Role::parse(&r.role).ok_or_else(|| corrupt("invitation role", &r.role))?,
            course_ids: from_json("invitation courses", &r.course_ids)?,
            invited_by: UserId(r.invited_by),
            status: InvitationStatus::parse(&r.status)
                .ok_or_else(|| corrupt("invitation status", &r.status))?,
            send_count: to_u32("invitation send count", r.send_count)?,
            created_at: from_ts("invitation creation", r.created_at)?,
            expires_at: from_ts("invitation expiry", r.expires_at)?,
            closed_at: from_ts_opt("invitation closing", r.closed_at)?,
            token_hash: r.token_hash.map(TokenHash),
        })
    }
}

async fn upsert_invitation(conn: &mut SqliteConnection, i: &Invitation) -> StorageResult<()> {
    let course_ids = to_json(&i.course_ids)?;
    let send_count = i64::from(i.send_count);
    let created_at = ts(i.created_at);
    let expires_at = ts(i.expires_at);
    let closed_at = ts_opt(i.closed_at);
    let token_hash = i.token_hash.as_ref().map(|h| h.0.as_str());
    sqlx::query!(
        "INSERT INTO invitations (id, user_id, email, role, course_ids, invited_by, status, send_count,
                                  created_at, expires_at, closed_at, token_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (id) DO UPDATE SET course_ids = excluded.course_ids, status = excluded.status,
             send_count = excluded.send_count, expires_at = excluded.expires_at,
             closed_at = excluded.closed_at, token_hash = excluded.token_hash",
        i.id.0,
        i.user_id.0,
        i.email.as_str(),
        i.role.as_str(),
        course_ids,
        i.invited_by.0,
        i.status.as_str(),
        send_count,
        created_at,
        expires_at,
        closed_at,
        token_hash
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_users(
    conn: &mut SqliteConnection,
    users: &[(User, Option<lms_core::user::PasswordHash>)],
) -> StorageResult<()> {
    for (u, hash) in users {
        let created_at = ts(u.created_at);
        let hash = hash.as_ref().map(|h| h.0.as_str());
        sqlx::query!(
            "INSERT INTO users (id, email, display_name, role, locale, time_zone, active, created_at, password_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            u.id.0,
            u.email.as_str(),
            u.display_name.as_str(),
            u.role.as_str(),
            u.locale.as_str(),
            u.time_zone.name(),
            u.active,
            created_at,
            hash
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

async fn join_courses(
    conn: &mut SqliteConnection,
    enrollments: &[lms_core::course::Enrollment],
    assistants: &[(CourseId, UserId)],
) -> StorageResult<()> {
    for e in enrollments {
        let source = source_str(e.source);
        let at = ts(e.enrolled_at);
        sqlx::query!(
            "INSERT INTO enrollments (course_id, student_id, source, enrolled_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            e.course_id.0,
            e.student_id.0,
            source,
            at
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for (course, user) in assistants {
        sqlx::query!(
            "INSERT INTO course_assistants (course_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            course.0,
            user.0
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

#[async_trait]
impl OnboardingStore for SqliteStorage {
    async fn onboarding_state(
        &self,
        emails: &[Email],
        courses: &[CourseId],
    ) -> StorageResult<OnboardingState> {
        let emails: Vec<&str> = emails.iter().map(Email::as_str).collect();
        let emails = to_json(&emails)?;
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let users: Vec<User> = sqlx::query_as!(
            UserRow,
            r#"SELECT id AS "id: _", email, display_name, role, locale, time_zone, active AS "active: _", created_at
               FROM users WHERE email IN (SELECT value FROM json_each($1))"#,
            emails
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(User::try_from)
        .collect::<StorageResult<_>>()?;
        let ids = id_list(users.iter().map(|u| u.id.0));
        let course_ids = id_list(courses.iter().map(|c| c.0));
        let pending = sqlx::query_as!(
            InvitationRow,
            r#"SELECT id AS "id: _", user_id AS "user_id: _", email, role, course_ids,
                      invited_by AS "invited_by: _", status, send_count, created_at, expires_at,
                      closed_at, token_hash
               FROM invitations
               WHERE status = 'pending' AND user_id IN (SELECT unhex(value) FROM json_each($1))
               ORDER BY created_at, id"#,
            ids
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Invitation::try_from)
        .collect::<StorageResult<_>>()?;
        let enrollments = sqlx::query!(
            r#"SELECT course_id AS "course_id: Uuid", student_id AS "student_id: Uuid" FROM enrollments
               WHERE course_id IN (SELECT unhex(value) FROM json_each($1))
                 AND student_id IN (SELECT unhex(value) FROM json_each($2))"#,
            course_ids,
            ids
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(|r| (CourseId(r.course_id), UserId(r.student_id)))
        .collect();
        let assistants = sqlx::query!(
            r#"SELECT course_id AS "course_id: Uuid", user_id AS "user_id: Uuid" FROM course_assistants
               WHERE course_id IN (SELECT unhex(value) FROM json_each($1))
                 AND user_id IN (SELECT unhex(value) FROM json_each($2))"#,
            course_ids,
            ids
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(|r| (CourseId(r.course_id), UserId(r.user_id)))
        .collect();
        Ok(OnboardingState {
            users,
            pending,
            enrollments,
            assistants,
        })
    }

    async fn commit_onboarding(&self, batch: &OnboardingBatch) -> StorageResult<()> {
        let mut tx = self.write_tx().await?;
        insert_users(&mut tx, &batch.new_users).await?;
        for i in &batch.invitations {
            upsert_invitation(&mut tx, i).await?;
        }
        join_courses(&mut tx, &batch.enrollments, &batch.assistants).await?;
        enqueue_in(&mut tx, &batch.outbox).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn get_invitation(&self, id: InvitationId) -> StorageResult<Option<Invitation>> {
        sqlx::query_as!(
            InvitationRow,
            r#"SELECT id AS "id: _", user_id AS "user_id: _", email, role, course_ids,
                      invited_by AS "invited_by: _", status, send_count, created_at, expires_at,
                      closed_at, token_hash
               FROM invitations WHERE id = $1"#,
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Invitation::try_from)
        .transpose()
    }

    async fn invitation_by_token(&self, hash: &TokenHash) -> StorageResult<Option<Invitation>> {
        sqlx::query_as!(
            InvitationRow,
            r#"SELECT id AS "id: _", user_id AS "user_id: _", email, role, course_ids,
                      invited_by AS "invited_by: _", status, send_count, created_at, expires_at,
                      closed_at, token_hash
               FROM invitations WHERE token_hash = $1"#,
            hash.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Invitation::try_from)
        .transpose()
    }

    async fn list_invitations(
        &self,
        filter: &InvitationFilter,
        page: Page,
    ) -> StorageResult<Vec<Invitation>> {
        let status = filter.status.map(InvitationStatus::as_str);
        let course = filter.course_id.map(|c| c.0.to_string());
        let pattern = filter.email_prefix.as_deref().map(prefix_pattern);
        let limit = i64::from(page.limit());
        let offset = i64::from(page.offset());
        sqlx::query_as!(
            InvitationRow,
            r#"SELECT id AS "id: _", user_id AS "user_id: _", email, role, course_ids,
                      invited_by AS "invited_by: _", status, send_count, created_at, expires_at,
                      closed_at, token_hash
               FROM invitations
               WHERE ($1 IS NULL OR status = $1)
                 AND ($2 IS NULL OR EXISTS (SELECT 1 FROM json_each(course_ids) c WHERE c.value = $2))
                 AND ($3 IS NULL OR email LIKE $3 ESCAPE '\')
               ORDER BY created_at DESC, id LIMIT $4 OFFSET $5"#,
            status,
            course,
            pattern,
            limit,
            offset
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Invitation::try_from)
        .collect()
    }

    async fn pending_invitations(&self, user: UserId) -> StorageResult<Vec<Invitation>> {
        sqlx::query_as!(
            InvitationRow,
            r#"SELECT id AS "id: _", user_id AS "user_id: _", email, role, course_ids,
                      invited_by AS "invited_by: _", status, send_count, created_at, expires_at,
                      closed_at, token_hash
               FROM invitations WHERE user_id = $1 AND status = 'pending' ORDER BY created_at, id"#,
            user.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Invitation::try_from)
        .collect()
    }

    async fn update_invitation(
        &self,
        invitation: &Invitation,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()> {
        let mut tx = self.write_tx().await?;
        let exists = sqlx::query_scalar!(
            r#"SELECT 1 AS "one: i64" FROM invitations WHERE id = $1"#,
            invitation.id.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        if exists.is_none() {
            return Err(StorageError::NotFound);
        }
        upsert_invitation(&mut tx, invitation).await?;
        enqueue_in(&mut tx, outbox).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn accept_invitations(&self, a: &Acceptance) -> StorageResult<()> {
        let ids = id_list(a.invitations.iter().map(|i| i.0));
        let at = ts(a.at);
        let name = a.display_name.as_ref().map(|n| n.as_str());
        let mut tx = self.write_tx().await?;
        let done = sqlx::query!(
            "UPDATE users SET password_hash = $2, active = 1, display_name = COALESCE($3, display_name)
             WHERE id = $1",
            a.user_id.0,
            a.password_hash.0,
            name
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        let closed = sqlx::query!(
            "UPDATE invitations SET status = 'accepted', closed_at = $3, token_hash = NULL
             WHERE id IN (SELECT unhex(value) FROM json_each($1)) AND user_id = $2 AND status = 'pending'",
            ids,
            a.user_id.0,
            at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if closed.rows_affected() != a.invitations.len() as u64 {
            return Err(StorageError::Conflict(Conflict::Stale));
        }
        join_courses(&mut tx, &a.enrollments, &a.assistants).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn insert_password_reset(
        &self,
        reset: &PasswordReset,
        outbox: &OutboxEntry,
    ) -> StorageResult<()> {
        let created_at = ts(reset.created_at);
        let expires_at = ts(reset.expires_at);
        let mut tx = self.write_tx().await?;
        sqlx::query!(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            reset.token_hash.0,
            reset.user_id.0,
            created_at,
            expires_at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        enqueue_in(&mut tx, std::slice::from_ref(outbox)).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn take_password_reset(&self, hash: &TokenHash) -> StorageResult<Option<PasswordReset>> {
        let mut tx = self.write_tx().await?;
        let Some(r) = sqlx::query!(
            r#"DELETE FROM password_resets WHERE token_hash = $1
               RETURNING token_hash, user_id AS "user_id: Uuid", created_at, expires_at"#,
            hash.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        else {
            return Ok(None);
        };
        sqlx::query!("DELETE FROM password_resets WHERE user_id = $1", r.user_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(Some(PasswordReset {
            token_hash: TokenHash(r.token_hash),
            user_id: UserId(r.user_id),
            created_at: from_ts("reset creation", r.created_at)?,
            expires_at: from_ts("reset expiry", r.expires_at)?,
        }))
    }

    async fn delete_expired_password_resets(&self, before: DateTime<Utc>) -> StorageResult<u64> {
        let before = ts(before);
        let done = sqlx::query!("DELETE FROM password_resets WHERE expires_at < $1", before)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }
}
