//! Invitations, password resets and onboarding batches.

use super::*;
use crate::ids::InvitationId;
use crate::onboarding::{
    Acceptance, Invitation, InvitationFilter, InvitationStatus, OnboardingBatch, OnboardingState,
    OnboardingStore, PasswordReset,
};

#[async_trait]
impl OnboardingStore for MemoryStorage {
    async fn onboarding_state(
        &self,
        emails: &[Email],
        courses: &[CourseId],
    ) -> StorageResult<OnboardingState> {
        let st = self.lock();
        let wanted: HashSet<&Email> = emails.iter().collect();
        let users: Vec<User> = st
            .users
            .values()
            .filter(|r| wanted.contains(&r.user.email))
            .map(|r| r.user.clone())
            .collect();
        let ids: HashSet<UserId> = users.iter().map(|u| u.id).collect();
        let courses: HashSet<&CourseId> = courses.iter().collect();
        Ok(OnboardingState {
            pending: st
                .invitations
                .iter()
                .map(|r| &r.value)
                .filter(|i| ids.contains(&i.user_id) && i.status == InvitationStatus::Pending)
                .cloned()
                .collect(),
            enrollments: st
                .enrollments
                .iter()
                .map(|e| (e.value.course_id, e.value.student_id))
                .filter(|(c, u)| courses.contains(c) && ids.contains(u))
                .collect(),
            assistants: st
                .assistants
                .iter()
                .filter(|(c, u)| courses.contains(c) && ids.contains(u))
                .copied()
                .collect(),
            users,
        })
    }

    async fn commit_onboarding(&self, batch: &OnboardingBatch) -> StorageResult<()> {
        let mut st = self.lock();
        // Check everything first: a failed batch writes nothing.
        let mut emails = HashSet::new();
        for (user, _) in &batch.new_users {
            if st.user_by_email(&user.email).is_some() || !emails.insert(&user.email) {
                return conflict(Conflict::Email);
            }
            if st.users.contains_key(&user.id) {
                return conflict(Conflict::Other);
            }
        }
        let new_ids: HashSet<UserId> = batch.new_users.iter().map(|(u, _)| u.id).collect();
        let known_user =
            |st: &State, id: &UserId| st.users.contains_key(id) || new_ids.contains(id);
        for i in &batch.invitations {
            if !known_user(&st, &i.user_id) {
                return Err(StorageError::NotFound);
            }
            if let Some(hash) = &i.token_hash
                && st
                    .invitations
                    .iter()
                    .any(|r| r.value.id != i.id && r.value.token_hash.as_ref() == Some(hash))
            {
                return conflict(Conflict::Other);
            }
        }
        for (course, user) in batch
            .enrollments
            .iter()
            .map(|e| (e.course_id, e.student_id))
            .chain(batch.assistants.iter().copied())
        {
            if !st.courses.contains_key(&course) || !known_user(&st, &user) {
                return Err(StorageError::NotFound);
            }
        }
        let fresh = st.check_outbox(&batch.outbox)?;
        for (user, password) in &batch.new_users {
            let seq = st.next_seq();
            st.users.insert(
                user.id,
                UserRow {
                    user: user.clone(),
                    password: password.clone(),
                    feed_token: None,
                    feed_link: None,
                    seq,
                },
            );
        }
        for i in &batch.invitations {
            upsert_invitation(&mut st, i);
        }
        for e in &batch.enrollments {
            if !st.is_enrolled(e.course_id, e.student_id) {
                let seq = st.next_seq();
                st.enrollments.push(Row {
                    value: e.clone(),
                    seq,
                });
            }
        }
        for a in &batch.assistants {
            if !st.is_assistant(a.0, a.1) {
                st.assistants.push(*a);
            }
        }
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn get_invitation(&self, id: InvitationId) -> StorageResult<Option<Invitation>> {
        Ok(self
            .lock()
            .invitations
            .iter()
            .find(|r| r.value.id == id)
            .map(|r| r.value.clone()))
    }

    async fn invitation_by_token(&self, hash: &TokenHash) -> StorageResult<Option<Invitation>> {
        Ok(self
            .lock()
            .invitations
            .iter()
            .find(|r| r.value.token_hash.as_ref() == Some(hash))
            .map(|r| r.value.clone()))
    }

    async fn list_invitations(
        &self,
        filter: &InvitationFilter,
        page: Page,
    ) -> StorageResult<Vec<Invitation>> {
        let st = self.lock();
        let rows: Vec<&Row<Invitation>> = st
            .invitations
            .iter()
            .filter(|r| {
                let i = &r.value;
                filter.status.is_none_or(|s| s == i.status)
                    && filter.course_id.is_none_or(|c| i.course_ids.contains(&c))
                    && filter
                        .email_prefix
                        .as_deref()
                        .is_none_or(|p| i.email.as_str().starts_with(p))
            })
            .collect();
        Ok(page.slice(&newest_first(rows, |i| i.created_at)))
    }

    async fn pending_invitations(&self, user: UserId) -> StorageResult<Vec<Invitation>> {
        let st = self.lock();
        let rows: Vec<&Row<Invitation>> = st
            .invitations
            .iter()
            .filter(|r| r.value.user_id == user && r.value.status == InvitationStatus::Pending)
            .collect();
        Ok(oldest_first(rows, |i| i.created_at))
    }

    async fn update_invitation(
        &self,
        invitation: &Invitation,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.invitations.iter().any(|r| r.value.id == invitation.id) {
            return Err(StorageError::NotFound);
        }
        let fresh = st.check_outbox(outbox)?;
        upsert_invitation(&mut st, invitation);
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn accept_invitations(&self, acceptance: &Acceptance) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.users.contains_key(&acceptance.user_id) {
            return Err(StorageError::NotFound);
        }
        for id in &acceptance.invitations {
            let pending = st.invitations.iter().any(|r| {
                r.value.id == *id
                    && r.value.user_id == acceptance.user_id
                    && r.value.status == InvitationStatus::Pending
            });
            if !pending {
                return conflict(Conflict::Stale);
            }
        }
        let row = st
            .users
            .get_mut(&acceptance.user_id)
            .ok_or(StorageError::NotFound)?;
        row.password = Some(acceptance.password_hash.clone());
        row.user.active = true;
        if let Some(name) = &acceptance.display_name {
            row.user.display_name = name.clone();
        }
        for r in &mut st.invitations {
            if acceptance.invitations.contains(&r.value.id) {
                r.value.status = InvitationStatus::Accepted;
                r.value.closed_at = Some(acceptance.at);
                r.value.token_hash = None;
            }
        }
        for e in &acceptance.enrollments {
            if st.courses.contains_key(&e.course_id) && !st.is_enrolled(e.course_id, e.student_id) {
                let seq = st.next_seq();
                st.enrollments.push(Row {
                    value: e.clone(),
                    seq,
                });
            }
        }
        for a in &acceptance.assistants {
            if st.courses.contains_key(&a.0) && !st.is_assistant(a.0, a.1) {
                st.assistants.push(*a);
            }
        }
        Ok(())
    }

    async fn insert_password_reset(
        &self,
        reset: &PasswordReset,
        outbox: &OutboxEntry,
    ) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.users.contains_key(&reset.user_id) {
            return Err(StorageError::NotFound);
        }
        if st.password_resets.contains_key(&reset.token_hash) {
            return conflict(Conflict::Other);
        }
        let fresh = st.check_outbox(std::slice::from_ref(outbox))?;
        st.password_resets
            .insert(reset.token_hash.clone(), reset.clone());
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn take_password_reset(&self, hash: &TokenHash) -> StorageResult<Option<PasswordReset>> {
        let mut st = self.lock();
        let Some(reset) = st.password_resets.remove(hash) else {
            return Ok(None);
        };
        st.password_resets.retain(|_, r| r.user_id != reset.user_id);
        Ok(Some(reset))
    }

    async fn delete_expired_password_resets(&self, before: DateTime<Utc>) -> StorageResult<u64> {
        let mut st = self.lock();
        let n = st.password_resets.len();
        st.password_resets.retain(|_, r| r.expires_at >= before);
        Ok((n - st.password_resets.len()) as u64)
    }
}

fn upsert_invitation(st: &mut State, invitation: &Invitation) {
    if let Some(row) = st
        .invitations
        .iter_mut()
        .find(|r| r.value.id == invitation.id)
    {
        row.value = Invitation {
            created_at: row.value.created_at,
            ..invitation.clone()
        };
    } else {
        let seq = st.next_seq();
        st.invitations.push(Row {
            value: invitation.clone(),
            seq,
        });
    }
}
