//! The outbox, preferences and Telegram links.

use super::*;
use crate::notification::Channel;

// ---- notifications ---------------------------------------------------------

#[async_trait]
impl NotificationStore for MemoryStorage {
    async fn reserve_send_slot(
        &self,
        key: &str,
        now: DateTime<Utc>,
        interval: chrono::Duration,
    ) -> StorageResult<DateTime<Utc>> {
        let mut st = self.lock();
        let next = st.send_slots.entry(key.to_owned()).or_insert(now);
        let slot = (*next).max(now);
        *next = slot + interval;
        Ok(slot)
    }

    async fn hold_send_slot(&self, key: &str, until: DateTime<Utc>) -> StorageResult<()> {
        let mut st = self.lock();
        let next = st.send_slots.entry(key.to_owned()).or_insert(until);
        *next = (*next).max(until);
        Ok(())
    }

    async fn delete_expired_send_slots(&self, before: DateTime<Utc>) -> StorageResult<u64> {
        let mut st = self.lock();
        let len = st.send_slots.len();
        st.send_slots.retain(|_, next| *next >= before);
        Ok((len - st.send_slots.len()) as u64)
    }

    async fn enqueue(&self, entries: &[OutboxEntry]) -> StorageResult<u64> {
        let mut st = self.lock();
        let fresh = st.check_outbox(entries)?;
        let inserted = fresh.len() as u64;
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(inserted)
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease_until: DateTime<Utc>,
    ) -> StorageResult<Vec<OutboxEntry>> {
        let mut st = self.lock();
        let mut due: Vec<usize> = st
            .outbox
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.status == OutboxStatus::Pending
                    && e.next_attempt_at <= now
                    && e.lease_until.is_none_or(|l| l <= now)
            })
            .map(|(i, _)| i)
            .collect();
        // Oldest due first; enqueue order breaks ties.
        due.sort_by_key(|i| (st.outbox[*i].next_attempt_at, *i));
        due.truncate(limit as usize);
        Ok(due
            .into_iter()
            .map(|i| {
                let e = &mut st.outbox[i];
                e.lease_until = Some(lease_until);
                e.attempts += 1;
                e.clone()
            })
            .collect())
    }

    async fn mark_sent(
        &self,
        id: OutboxId,
        lease: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let mut st = self.lock();
        let e = held_entry(&mut st.outbox, id, lease)?;
        e.status = OutboxStatus::Sent;
        e.sent_at = Some(at);
        e.lease_until = None;
        Ok(())
    }

    async fn mark_retry(
        &self,
        id: OutboxId,
        lease: DateTime<Utc>,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> StorageResult<()> {
        let mut st = self.lock();
        let e = held_entry(&mut st.outbox, id, lease)?;
        e.status = OutboxStatus::Pending;
        e.next_attempt_at = next_attempt_at;
        e.last_error = Some(error.to_owned());
        e.lease_until = None;
        Ok(())
    }

    async fn mark_failed(
        &self,
        id: OutboxId,
        lease: DateTime<Utc>,
        error: &str,
    ) -> StorageResult<()> {
        let mut st = self.lock();
        let e = held_entry(&mut st.outbox, id, lease)?;
        e.status = OutboxStatus::Failed;
        e.last_error = Some(error.to_owned());
        e.lease_until = None;
        Ok(())
    }

    async fn get_outbox_entry(&self, id: OutboxId) -> StorageResult<Option<OutboxEntry>> {
        Ok(self.lock().outbox.iter().find(|e| e.id == id).cloned())
    }

    async fn list_user_outbox(&self, user: UserId, page: Page) -> StorageResult<Vec<OutboxEntry>> {
        let st = self.lock();
        let mut entries: Vec<(usize, &OutboxEntry)> = st
            .outbox
            .iter()
            .enumerate()
            .filter(|(_, e)| e.recipient_id == user && e.channel != Channel::InApp)
            .collect();
        entries.sort_by(|(ia, a), (ib, b)| b.created_at.cmp(&a.created_at).then(ib.cmp(ia)));
        let entries: Vec<OutboxEntry> = entries.into_iter().map(|(_, e)| e.clone()).collect();
        Ok(page.slice(&entries))
    }

    async fn inbox(&self, user: UserId, page: Page) -> StorageResult<Vec<OutboxEntry>> {
        let st = self.lock();
        let mut entries: Vec<&OutboxEntry> = st
            .outbox
            .iter()
            .filter(|e| e.recipient_id == user && e.channel == Channel::InApp)
            .collect();
        entries.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        let entries: Vec<OutboxEntry> = entries.into_iter().cloned().collect();
        Ok(page.slice(&entries))
    }

    async fn unread_count(&self, user: UserId, cap: u32) -> StorageResult<u32> {
        let st = self.lock();
        let unread = st
            .outbox
            .iter()
            .filter(|e| {
                e.recipient_id == user && e.channel == Channel::InApp && e.read_at.is_none()
            })
            .take(cap as usize)
            .count();
        Ok(u32::try_from(unread).unwrap_or(cap))
    }

    async fn mark_read(
        &self,
        user: UserId,
        ids: &[OutboxId],
        at: DateTime<Utc>,
    ) -> StorageResult<u64> {
        let mut st = self.lock();
        let mut changed = 0;
        for e in &mut st.outbox {
            if e.recipient_id == user
                && e.channel == Channel::InApp
                && e.read_at.is_none()
                && ids.contains(&e.id)
            {
                e.read_at = Some(at);
                changed += 1;
            }
        }
        Ok(changed)
    }

    async fn mark_all_read(&self, user: UserId, at: DateTime<Utc>) -> StorageResult<u64> {
        let mut st = self.lock();
        let mut changed = 0;
        for e in &mut st.outbox {
            if e.recipient_id == user && e.channel == Channel::InApp && e.read_at.is_none() {
                e.read_at = Some(at);
                changed += 1;
            }
        }
        Ok(changed)
    }

    async fn get_preferences(
        &self,
        user: UserId,
    ) -> StorageResult<Option<NotificationPreferences>> {
        Ok(self.lock().preferences.get(&user).cloned())
    }

    async fn set_preferences(&self, preferences: &NotificationPreferences) -> StorageResult<()> {
        self.lock()
            .preferences
            .insert(preferences.user_id, preferences.clone());
        Ok(())
    }

    async fn delivery_profiles(&self, users: &[UserId]) -> StorageResult<Vec<DeliveryProfile>> {
        let st = self.lock();
        let mut seen = HashSet::new();
        Ok(users
            .iter()
            .filter(|id| seen.insert(**id))
            .filter_map(|id| st.users.get(id))
            .map(|r| DeliveryProfile {
                user_id: r.user.id,
                active: r.user.active,
                preferences: st
                    .preferences
                    .get(&r.user.id)
                    .cloned()
                    .unwrap_or_else(|| NotificationPreferences::defaults(r.user.id)),
                telegram_linked: st.telegram_chats.contains_key(&r.user.id),
            })
            .collect())
    }

    async fn recipient(&self, user: UserId) -> StorageResult<Option<Recipient>> {
        let st = self.lock();
        Ok(st.users.get(&user).map(|r| Recipient {
            user_id: r.user.id,
            display_name: r.user.display_name.as_str().to_owned(),
            email: r.user.email.as_str().to_owned(),
            telegram_chat_id: st.telegram_chats.get(&user).copied(),
            locale: r.user.locale,
            time_zone: r.user.time_zone,
        }))
    }

    async fn insert_telegram_token(&self, token: &TelegramLinkToken) -> StorageResult<()> {
        let mut st = self.lock();
        if st.telegram_tokens.contains_key(&token.token_hash) {
            return conflict(Conflict::Other);
        }
        st.telegram_tokens
            .insert(token.token_hash.clone(), token.clone());
        Ok(())
    }

    async fn consume_telegram_token(
        &self,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> StorageResult<Option<UserId>> {
        Ok(self
            .lock()
            .telegram_tokens
            .remove(hash)
            .filter(|t| t.expires_at > now)
            .map(|t| t.user_id))
    }

    async fn set_telegram_chat(&self, user: UserId, chat_id: Option<i64>) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.users.contains_key(&user) {
            return Err(StorageError::NotFound);
        }
        match chat_id {
            Some(chat) => {
                st.telegram_chats.retain(|_, c| *c != chat);
                st.telegram_chats.insert(user, chat);
            }
            None => {
                st.telegram_chats.remove(&user);
            }
        }
        Ok(())
    }

    async fn unlink_telegram_chat(&self, chat_id: i64) -> StorageResult<Option<UserId>> {
        let mut st = self.lock();
        let user = st
            .telegram_chats
            .iter()
            .find(|(_, c)| **c == chat_id)
            .map(|(u, _)| *u);
        if let Some(user) = user {
            st.telegram_chats.remove(&user);
        }
        Ok(user)
    }

    async fn deadline_targets(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<DeadlineTarget>> {
        let st = self.lock();
        let mut targets: Vec<(DeadlineTarget, u64, u64)> = Vec::new();
        for a in st.assignments.values() {
            let assignment = &a.value;
            let Some(course) = st.courses.get(&assignment.course_id) else {
                continue;
            };
            if !assignment.published || course.value.status != CourseStatus::Published {
                continue;
            }
            for e in st
                .enrollments
                .iter()
                .filter(|e| e.value.course_id == assignment.course_id)
            {
                let student = e.value.student_id;
                let due_at =
                    effective_deadline(assignment, st.extension(assignment.id, student)).due_at;
                if due_at < from || due_at >= to {
                    continue;
                }
                targets.push((
                    DeadlineTarget {
                        assignment_id: assignment.id,
                        assignment_title: assignment.title.as_str().to_owned(),
                        course_id: course.value.id,
                        course_title: course.value.title.as_str().to_owned(),
                        student_id: student,
                        due_at,
                        submitted: st.submission_of(assignment.id, student).is_some(),
                    },
                    a.seq,
                    e.seq,
                ));
            }
        }
        targets.sort_by(|(a, aa, ae), (b, ba, be)| {
            a.due_at.cmp(&b.due_at).then(aa.cmp(ba)).then(ae.cmp(be))
        });
        Ok(targets.into_iter().map(|(t, _, _)| t).collect())
    }

    async fn quiz_close_targets(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<QuizCloseTarget>> {
        let st = self.lock();
        let mut targets: Vec<QuizCloseTarget> = Vec::new();
        for q in st.quizzes.values() {
            let quiz = &q.value;
            let Some(closes_at) = quiz.settings.closes_at else {
                continue;
            };
            let Some(course) = st.courses.get(&quiz.course_id) else {
                continue;
            };
            if !quiz.published
                || course.value.status != CourseStatus::Published
                || closes_at < from
                || closes_at >= to
            {
                continue;
            }
            for e in st
                .enrollments
                .iter()
                .filter(|e| e.value.course_id == quiz.course_id)
            {
                let student = e.value.student_id;
                targets.push(QuizCloseTarget {
                    quiz_id: quiz.id,
                    quiz_title: quiz.title.as_str().to_owned(),
                    course_id: course.value.id,
                    course_title: course.value.title.as_str().to_owned(),
                    student_id: student,
                    closes_at,
                    attempted: !st.student_attempts(quiz.id, student).is_empty(),
                });
            }
        }
        targets.sort_by(|a, b| {
            (a.closes_at, a.quiz_id.0, a.student_id.0).cmp(&(
                b.closes_at,
                b.quiz_id.0,
                b.student_id.0,
            ))
        });
        Ok(targets)
    }

    async fn opening_targets(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<OpeningTarget>> {
        let st = self.lock();
        let mut targets: Vec<(DateTime<Utc>, OpeningTarget)> = Vec::new();
        for a in st.assignments.values() {
            let assignment = &a.value;
            let Some(course) = st.courses.get(&assignment.course_id) else {
                continue;
            };
            if !assignment.published
                || course.value.status != CourseStatus::Published
                || assignment.opens_at < from
                || assignment.opens_at >= to
            {
                continue;
            }
            for e in st
                .enrollments
                .iter()
                .filter(|e| e.value.course_id == assignment.course_id)
            {
                targets.push((
                    assignment.opens_at,
                    OpeningTarget {
                        assignment_id: assignment.id,
                        assignment_title: assignment.title.as_str().to_owned(),
                        due_at: assignment.due_at,
                        course_id: course.value.id,
                        course_title: course.value.title.as_str().to_owned(),
                        student_id: e.value.student_id,
                    },
                ));
            }
        }
        targets.sort_by(|(a_at, a), (b_at, b)| {
            (a_at, a.assignment_id.0, a.student_id.0).cmp(&(
                b_at,
                b.assignment_id.0,
                b.student_id.0,
            ))
        });
        Ok(targets.into_iter().map(|(_, t)| t).collect())
    }
}

/// The entry `id` if it is pending and held under `lease`; `Conflict(Stale)`
/// when another claim took it over (or it is finished), `NotFound` when unknown.
fn held_entry(
    outbox: &mut [OutboxEntry],
    id: OutboxId,
    lease: DateTime<Utc>,
) -> StorageResult<&mut OutboxEntry> {
    let e = outbox
        .iter_mut()
        .find(|e| e.id == id)
        .ok_or(StorageError::NotFound)?;
    if e.status != OutboxStatus::Pending || e.lease_until != Some(lease) {
        return Err(StorageError::Conflict(Conflict::Stale));
    }
    Ok(e)
}
