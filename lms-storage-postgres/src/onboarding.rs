//! Invitations, password resets and onboarding batches. A batch (an
//! invitation or a whole CSV import) is one transaction; accounts are
//! written with one `INSERT … SELECT FROM unnest(…)` statement, so a
//! 10,000-row import costs a handful of round trips per table.

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
use sqlx::PgConnection;
use uuid::Uuid;

use crate::PgStorage;
use crate::course::source_str;
use crate::error::{corrupt, from_json, map_err, to_i32, to_json, to_u32};
use crate::notification::enqueue_in;
use crate::user::UserRow;

struct InvitationRow {
    id: Uuid,
    user_id: Uuid,
    email: String,
    role: String,
    course_ids: serde_json::Value,
    invited_by: Uuid,
    status: String,
    send_count: i32,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
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
            course_ids: from_json("invitation courses", r.course_ids)?,
            invited_by: UserId(r.invited_by),
            status: InvitationStatus::parse(&r.status)
                .ok_or_else(|| corrupt("invitation status", &r.status))?,
            send_count: to_u32("invitation send count", r.send_count)?,
            created_at: r.created_at,
            expires_at: r.expires_at,
            closed_at: r.closed_at,
            token_hash: r.token_hash.map(TokenHash),
        })
    }
}

async fn upsert_invitation(conn: &mut PgConnection, i: &Invitation) -> StorageResult<()> {
    sqlx::query!(
        "INSERT INTO invitations (id, user_id, email, role, course_ids, invited_by, status, send_count,
                                  created_at, expires_at, closed_at, token_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (id) DO UPDATE SET course_ids = EXCLUDED.course_ids, status = EXCLUDED.status,
             send_count = EXCLUDED.send_count, expires_at = EXCLUDED.expires_at,
             closed_at = EXCLUDED.closed_at, token_hash = EXCLUDED.token_hash",
        i.id.0,
        i.user_id.0,
        i.email.as_str(),
        i.role.as_str(),
        to_json(&i.course_ids)?,
        i.invited_by.0,
        i.status.as_str(),
        to_i32(i.send_count),
        i.created_at,
        i.expires_at,
        i.closed_at,
        i.token_hash.as_ref().map(|h| h.0.as_str())
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_users(
    conn: &mut PgConnection,
    users: &[(User, Option<lms_core::user::PasswordHash>)],
) -> StorageResult<()> {
    if users.is_empty() {
        return Ok(());
    }
    let mut ids = Vec::with_capacity(users.len());
    let mut emails = Vec::with_capacity(users.len());
    let mut names = Vec::with_capacity(users.len());
    let mut roles = Vec::with_capacity(users.len());
    let mut locales = Vec::with_capacity(users.len());
    let mut zones = Vec::with_capacity(users.len());
    let mut actives = Vec::with_capacity(users.len());
    let mut created = Vec::with_capacity(users.len());
    let mut hashes: Vec<Option<String>> = Vec::with_capacity(users.len());
    for (u, hash) in users {
        ids.push(u.id.0);
        emails.push(u.email.as_str().to_owned());
        names.push(u.display_name.as_str().to_owned());
        roles.push(u.role.as_str().to_owned());
        locales.push(u.locale.as_str().to_owned());
        zones.push(u.time_zone.name().to_owned());
        actives.push(u.active);
        created.push(u.created_at);
        hashes.push(hash.as_ref().map(|h| h.0.clone()));
    }
    sqlx::query!(
        "INSERT INTO users (id, email, display_name, role, locale, time_zone, active, created_at, password_hash)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::bool[], $8::timestamptz[], $9::text[])",
        &ids,
        &emails,
        &names,
        &roles,
        &locales,
        &zones,
        &actives,
        &created,
        &hashes as &[Option<String>]
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn join_courses(
    conn: &mut PgConnection,
    enrollments: &[lms_core::course::Enrollment],
    assistants: &[(CourseId, UserId)],
) -> StorageResult<()> {
    for e in enrollments {
        sqlx::query!(
            "INSERT INTO enrollments (course_id, student_id, source, enrolled_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            e.course_id.0,
            e.student_id.0,
            source_str(e.source),
            e.enrolled_at
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
impl OnboardingStore for PgStorage {
    async fn onboarding_state(
        &self,
        emails: &[Email],
        courses: &[CourseId],
    ) -> StorageResult<OnboardingState> {
        let emails: Vec<String> = emails.iter().map(|e| e.as_str().to_owned()).collect();
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let users: Vec<User> = sqlx::query_as!(
            UserRow,
            "SELECT id, email, display_name, role, locale, time_zone, active, created_at
             FROM users WHERE email = ANY($1)",
            &emails
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(User::try_from)
        .collect::<StorageResult<_>>()?;
        let ids: Vec<Uuid> = users.iter().map(|u| u.id.0).collect();
        let course_ids: Vec<Uuid> = courses.iter().map(|c| c.0).collect();
        let pending = sqlx::query_as!(
            InvitationRow,
            "SELECT id, user_id, email, role, course_ids, invited_by, status, send_count, created_at,
                    expires_at, closed_at, token_hash
             FROM invitations WHERE status = 'pending' AND user_id = ANY($1)
             ORDER BY created_at, id",
            &ids
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Invitation::try_from)
        .collect::<StorageResult<_>>()?;
        let enrollments = sqlx::query!(
            "SELECT course_id, student_id FROM enrollments
             WHERE course_id = ANY($1) AND student_id = ANY($2)",
            &course_ids,
            &ids
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(|r| (CourseId(r.course_id), UserId(r.student_id)))
        .collect();
        let assistants = sqlx::query!(
            "SELECT course_id, user_id FROM course_assistants
             WHERE course_id = ANY($1) AND user_id = ANY($2)",
            &course_ids,
            &ids
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
        let mut tx = self.pool.begin().await.map_err(map_err)?;
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
            "SELECT id, user_id, email, role, course_ids, invited_by, status, send_count, created_at,
                    expires_at, closed_at, token_hash
             FROM invitations WHERE id = $1",
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
            "SELECT id, user_id, email, role, course_ids, invited_by, status, send_count, created_at,
                    expires_at, closed_at, token_hash
             FROM invitations WHERE token_hash = $1",
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
        let course = filter.course_id.map(|c| c.0.to_string());
        let pattern = filter.email_prefix.as_deref().map(prefix_pattern);
        sqlx::query_as!(
            InvitationRow,
            r#"SELECT id, user_id, email, role, course_ids, invited_by, status, send_count, created_at,
                      expires_at, closed_at, token_hash
               FROM invitations
               WHERE ($1::text IS NULL OR status = $1)
                 AND ($2::text IS NULL OR course_ids @> jsonb_build_array($2::text))
                 AND ($3::text IS NULL OR email LIKE $3 ESCAPE '\')
               ORDER BY created_at DESC, id LIMIT $4 OFFSET $5"#,
            filter.status.map(InvitationStatus::as_str),
            course,
            pattern,
            i64::from(page.limit()),
            i64::from(page.offset())
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
            "SELECT id, user_id, email, role, course_ids, invited_by, status, send_count, created_at,
                    expires_at, closed_at, token_hash
             FROM invitations WHERE user_id = $1 AND status = 'pending' ORDER BY created_at, id",
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
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let exists = sqlx::query_scalar!(
            "SELECT 1 FROM invitations WHERE id = $1 FOR UPDATE",
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
        let ids: Vec<Uuid> = a.invitations.iter().map(|i| i.0).collect();
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let done = sqlx::query!(
            "UPDATE users SET password_hash = $2, active = true,
                              display_name = COALESCE($3, display_name)
             WHERE id = $1",
            a.user_id.0,
            a.password_hash.0,
            a.display_name.as_ref().map(|n| n.as_str())
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        let closed = sqlx::query!(
            "UPDATE invitations SET status = 'accepted', closed_at = $3, token_hash = NULL
             WHERE id = ANY($1) AND user_id = $2 AND status = 'pending'",
            &ids,
            a.user_id.0,
            a.at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if closed.rows_affected() != ids.len() as u64 {
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
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query!(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            reset.token_hash.0,
            reset.user_id.0,
            reset.created_at,
            reset.expires_at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        enqueue_in(&mut tx, std::slice::from_ref(outbox)).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn take_password_reset(&self, hash: &TokenHash) -> StorageResult<Option<PasswordReset>> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let Some(r) = sqlx::query!(
            "DELETE FROM password_resets WHERE token_hash = $1
             RETURNING token_hash, user_id, created_at, expires_at",
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
            created_at: r.created_at,
            expires_at: r.expires_at,
        }))
    }

    async fn delete_expired_password_resets(&self, before: DateTime<Utc>) -> StorageResult<u64> {
        let done = sqlx::query!("DELETE FROM password_resets WHERE expires_at < $1", before)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }
}
