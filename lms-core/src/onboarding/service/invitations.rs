//! Invitations one at a time: invite, list, re-send, revoke, and the
//! invitee's side (see what the link is for, accept it).

use serde::{Deserialize, Serialize};

use super::plan::{CourseCache, PlanContext, RawRow, RowAction, RowReport, may_manage};
use super::{AcceptError, InviteError, OnboardingService};
use crate::course::{CourseStatus, Enrollment, EnrollmentSource};
use crate::error::{Conflict, StorageError};
use crate::ids::{CourseId, InvitationId};
use crate::onboarding::model::{
    Acceptance, Invitation, InvitationFilter, InvitationStatus, OnboardingBatch,
};
use crate::page::Page;
use crate::policy;
use crate::user::{Actor, DisplayName, Locale, NewSession, Role, TokenHash, check_new_password};

/// The longest link token accepted (tokens are 64 hex characters).
const MAX_TOKEN_BYTES: usize = 128;

/// An invitation as staff fill it in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewInvitation {
    /// The address.
    pub email: String,
    /// The name of a new account (required when the address has none).
    pub display_name: Option<String>,
    /// The school role (course owners invite students only).
    pub role: Option<Role>,
    /// Courses to join.
    pub course_ids: Vec<CourseId>,
    /// Language of the account and its e-mails (default Russian).
    pub locale: Option<Locale>,
    /// Time zone of the account (default `Europe/Moscow`).
    pub time_zone: Option<String>,
}

/// What the invitee sees before setting a password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationPreview {
    /// The address invited (the login).
    pub email: String,
    /// The name the account has now.
    pub display_name: String,
    /// The school role.
    pub role: Role,
    /// Titles of the courses the account joins.
    pub course_titles: Vec<String>,
    /// The link stops working after this instant.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl OnboardingService {
    /// Invites one address: a new account and an e-mail with a link, or,
    /// for an address with an active account, enrolment now. Returns what
    /// was done; a row problem (invalid address, role mismatch, ...) is
    /// [`InviteError::InvalidRow`].
    pub async fn invite(
        &self,
        actor: &Actor,
        new: NewInvitation,
    ) -> Result<RowReport, InviteError> {
        if !policy::can_manage_users(actor) && !policy::can_create_course(actor) {
            return Err(InviteError::Forbidden);
        }
        let courses: Vec<String> = new.course_ids.iter().map(ToString::to_string).collect();
        let raw = RawRow {
            line: 0,
            email: new.email,
            display_name: new.display_name.unwrap_or_default(),
            role: new.role.unwrap_or(Role::Student).as_str().to_owned(),
            courses: courses.join(" "),
            group: String::new(),
            locale: new.locale.unwrap_or_default().as_str().to_owned(),
            time_zone: new.time_zone.unwrap_or_default(),
        };
        let wanted = match self
            .validate(actor, &raw, &mut CourseCache::default())
            .await?
        {
            Ok(w) => w,
            Err(p) if p.code == "role_not_allowed" => {
                return Err(InviteError::Forbidden);
            }
            Err(p) => return Err(InviteError::refused(Some(p.code), p.message)),
        };
        let ctx = PlanContext {
            actor,
            inviter: self.inviter_name(actor).await?,
            now: self.clock.now(),
        };
        let mut retried = false;
        loop {
            let (batch, mut rows) = self.plan_rows(&ctx, &[Ok(wanted.clone())]).await?;
            let report = rows
                .pop()
                .unwrap_or_else(|| RowReport::error(0, "", missing()));
            if report.action == RowAction::Error {
                return Err(InviteError::refused(
                    report.code.as_deref(),
                    report.message.unwrap_or_default(),
                ));
            }
            if batch.is_empty() {
                return Ok(report);
            }
            match self.store.commit_onboarding(&batch).await {
                Ok(()) => return Ok(report),
                Err(StorageError::Conflict(Conflict::Email)) if !retried => retried = true,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Invitations, newest first: every one for admins; a course owner
    /// lists those of one of their courses (`filter.course_id`).
    pub async fn list_invitations(
        &self,
        actor: &Actor,
        filter: InvitationFilter,
        page: Page,
    ) -> Result<Vec<Invitation>, InviteError> {
        if !policy::can_manage_users(actor) {
            let course = filter.course_id.ok_or(InviteError::Forbidden)?;
            let role = self.courses.membership(course, actor.user_id).await?;
            if !policy::can_manage_course(actor, role) {
                return Err(InviteError::Forbidden);
            }
        }
        let filter = InvitationFilter {
            email_prefix: filter
                .email_prefix
                .map(|p| p.trim().to_lowercase())
                .filter(|p| !p.is_empty()),
            ..filter
        };
        Ok(self.store.list_invitations(&filter, page).await?)
    }

    /// Sends a pending invitation again with a new link and a new expiry
    /// (the old link stops working).
    pub async fn resend_invitation(
        &self,
        actor: &Actor,
        id: InvitationId,
    ) -> Result<Invitation, InviteError> {
        let invitation = self.managed_invitation(actor, id).await?;
        if invitation.status != InvitationStatus::Pending {
            return Err(InviteError::NotPending);
        }
        let ctx = PlanContext {
            actor,
            inviter: self.inviter_name(actor).await?,
            now: self.clock.now(),
        };
        let titles = self.course_titles(&invitation.course_ids, &[]).await?;
        let mut batch = OnboardingBatch::default();
        self.send_invitation(&ctx, invitation, titles, &mut batch);
        let (Some(invitation), Some(email)) = (batch.invitations.pop(), batch.outbox.pop()) else {
            return Err(InviteError::NotFound);
        };
        self.store
            .update_invitation(&invitation, std::slice::from_ref(&email))
            .await
            .map_err(|e| not_found_as(e, InviteError::NotFound))?;
        Ok(invitation)
    }

    /// Withdraws a pending invitation: its link stops working. The
    /// account it created stays inactive (an admin sees it in the list).
    pub async fn revoke_invitation(
        &self,
        actor: &Actor,
        id: InvitationId,
    ) -> Result<Invitation, InviteError> {
        let mut invitation = self.managed_invitation(actor, id).await?;
        if invitation.status != InvitationStatus::Pending {
            return Err(InviteError::NotPending);
        }
        invitation.status = InvitationStatus::Revoked;
        invitation.closed_at = Some(self.clock.now());
        invitation.token_hash = None;
        self.store
            .update_invitation(&invitation, &[])
            .await
            .map_err(|e| not_found_as(e, InviteError::NotFound))?;
        Ok(invitation)
    }

    /// What an invitation link is for (no login needed: the link is the
    /// secret).
    pub async fn invitation_preview(&self, token: &str) -> Result<InvitationPreview, AcceptError> {
        let invitation = self.open_invitation(token).await?;
        let user = self
            .users
            .get_user(invitation.user_id)
            .await?
            .ok_or(AcceptError::InvalidToken)?;
        Ok(InvitationPreview {
            email: user.email.as_str().to_owned(),
            display_name: user.display_name.as_str().to_owned(),
            role: user.role,
            course_titles: self.course_titles(&invitation.course_ids, &[]).await?,
            expires_at: invitation.expires_at,
        })
    }

    /// Accepts an invitation: sets the password (and the name, if given),
    /// activates the account, joins the courses of every pending
    /// invitation of the account, and starts a session valid for `ttl`.
    pub async fn accept_invitation(
        &self,
        token: &str,
        password: &str,
        display_name: Option<&str>,
        ttl: chrono::Duration,
    ) -> Result<NewSession, AcceptError> {
        check_new_password(password).map_err(|e| match e {
            crate::user::ChangePasswordError::TooLong => AcceptError::PasswordTooLong,
            _ => AcceptError::PasswordTooShort,
        })?;
        let display_name = display_name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(DisplayName::parse)
            .transpose()
            .map_err(|e| AcceptError::InvalidName(e.to_string()))?;
        let invitation = self.open_invitation(token).await?;
        let mut user = self
            .users
            .get_user(invitation.user_id)
            .await?
            .ok_or(AcceptError::InvalidToken)?;
        let now = self.clock.now();
        let pending: Vec<Invitation> = self
            .store
            .pending_invitations(user.id)
            .await?
            .into_iter()
            .filter(|i| i.is_open(now))
            .collect();
        let mut course_ids: Vec<CourseId> = pending
            .iter()
            .flat_map(|i| i.course_ids.iter().copied())
            .collect();
        course_ids.sort_unstable();
        course_ids.dedup();
        let mut enrollments = Vec::new();
        let mut assistants = Vec::new();
        for id in course_ids {
            let Some(course) = self.courses.get_course(id).await? else {
                continue;
            };
            if course.status == CourseStatus::Archived || course.owner_id == user.id {
                continue;
            }
            match user.role {
                Role::Student => enrollments.push(Enrollment {
                    course_id: id,
                    student_id: user.id,
                    source: EnrollmentSource::Staff,
                    enrolled_at: now,
                }),
                Role::Assistant | Role::Teacher => assistants.push((id, user.id)),
                Role::Admin => {}
            }
        }
        let password_hash = self.hasher.hash(password).await?;
        let acceptance = Acceptance {
            user_id: user.id,
            password_hash,
            display_name: display_name.clone(),
            invitations: pending.iter().map(|i| i.id).collect(),
            enrollments,
            assistants,
            at: now,
        };
        match self.store.accept_invitations(&acceptance).await {
            Ok(()) => {}
            Err(StorageError::Conflict(Conflict::Stale) | StorageError::NotFound) => {
                return Err(AcceptError::InvalidToken);
            }
            Err(e) => return Err(e.into()),
        }
        user.active = true;
        if let Some(name) = display_name {
            user.display_name = name;
        }
        Ok(crate::user::login::issue_session(self.sessions.as_ref(), user, now, ttl).await?)
    }

    /// The pending, unexpired invitation whose link has this token.
    async fn open_invitation(&self, token: &str) -> Result<Invitation, AcceptError> {
        if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
            return Err(AcceptError::InvalidToken);
        }
        let invitation = self
            .store
            .invitation_by_token(&TokenHash::of(token))
            .await?
            .filter(|i| i.status == InvitationStatus::Pending)
            .ok_or(AcceptError::InvalidToken)?;
        if invitation.expires_at < self.clock.now() {
            return Err(AcceptError::Expired);
        }
        Ok(invitation)
    }

    /// The invitation, if the actor may manage it (else `NotFound`).
    async fn managed_invitation(
        &self,
        actor: &Actor,
        id: InvitationId,
    ) -> Result<Invitation, InviteError> {
        let invitation = self
            .store
            .get_invitation(id)
            .await?
            .ok_or(InviteError::NotFound)?;
        let mut roles = Vec::with_capacity(invitation.course_ids.len());
        if !policy::can_manage_users(actor) {
            for course in &invitation.course_ids {
                roles.push(self.courses.membership(*course, actor.user_id).await?);
            }
        }
        if !may_manage(actor, &invitation, &roles) {
            return Err(InviteError::NotFound);
        }
        Ok(invitation)
    }
}

fn missing() -> super::plan::RowProblem {
    super::plan::RowProblem::new("internal", "the row was not planned")
}

fn not_found_as(e: StorageError, not_found: InviteError) -> InviteError {
    match e {
        StorageError::NotFound => not_found,
        other => other.into(),
    }
}
