//! Users and sessions.

use super::*;

// ---- users -----------------------------------------------------------------

#[async_trait]
impl UserStore for MemoryStorage {
    async fn insert_user(&self, user: &User, password: Option<PasswordHash>) -> StorageResult<()> {
        let mut st = self.lock();
        if st.user_by_email(&user.email).is_some() {
            return conflict(Conflict::Email);
        }
        if st.users.contains_key(&user.id) {
            return conflict(Conflict::Other);
        }
        let seq = st.next_seq();
        st.users.insert(
            user.id,
            UserRow {
                user: user.clone(),
                password,
                feed_token: None,
                feed_link: None,
                seq,
            },
        );
        Ok(())
    }

    async fn update_user(&self, user: &User) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.users.contains_key(&user.id) {
            return Err(StorageError::NotFound);
        }
        if st
            .user_by_email(&user.email)
            .is_some_and(|r| r.user.id != user.id)
        {
            return conflict(Conflict::Email);
        }
        let row = st.users.get_mut(&user.id).ok_or(StorageError::NotFound)?;
        let created_at = row.user.created_at;
        row.user = User {
            created_at,
            ..user.clone()
        };
        Ok(())
    }

    async fn get_user(&self, id: UserId) -> StorageResult<Option<User>> {
        Ok(self.lock().users.get(&id).map(|r| r.user.clone()))
    }

    async fn get_users(&self, ids: &[UserId]) -> StorageResult<Vec<User>> {
        let st = self.lock();
        let mut seen = HashSet::new();
        Ok(ids
            .iter()
            .filter(|id| seen.insert(**id))
            .filter_map(|id| st.users.get(id).map(|r| r.user.clone()))
            .collect())
    }

    async fn find_user_by_email(&self, email: &Email) -> StorageResult<Option<User>> {
        Ok(self.lock().user_by_email(email).map(|r| r.user.clone()))
    }

    async fn list_users(&self, page: Page) -> StorageResult<Vec<User>> {
        let st = self.lock();
        let mut rows: Vec<&UserRow> = st.users.values().collect();
        rows.sort_by(|a, b| a.user.email.cmp(&b.user.email).then(a.seq.cmp(&b.seq)));
        let users: Vec<User> = rows.into_iter().map(|r| r.user.clone()).collect();
        Ok(page.slice(&users))
    }

    async fn search_users(
        &self,
        filter: &crate::user::UserFilter,
        page: Page,
    ) -> StorageResult<Vec<User>> {
        let st = self.lock();
        let mut rows: Vec<&UserRow> = st
            .users
            .values()
            .filter(|r| filter.matches(&r.user))
            .collect();
        rows.sort_by(|a, b| a.user.email.cmp(&b.user.email).then(a.seq.cmp(&b.seq)));
        let users: Vec<User> = rows.into_iter().map(|r| r.user.clone()).collect();
        Ok(page.slice(&users))
    }

    async fn set_password_hash(&self, id: UserId, hash: &PasswordHash) -> StorageResult<()> {
        let mut st = self.lock();
        let row = st.users.get_mut(&id).ok_or(StorageError::NotFound)?;
        row.password = Some(hash.clone());
        Ok(())
    }

    async fn credentials_by_email(
        &self,
        email: &Email,
    ) -> StorageResult<Option<(User, PasswordHash)>> {
        Ok(self
            .lock()
            .user_by_email(email)
            .and_then(|r| r.password.clone().map(|p| (r.user.clone(), p))))
    }

    async fn set_feed_token(&self, id: UserId, hash: &TokenHash) -> StorageResult<()> {
        let mut st = self.lock();
        let row = st.users.get_mut(&id).ok_or(StorageError::NotFound)?;
        row.feed_token = Some(hash.clone());
        row.feed_link = None;
        Ok(())
    }

    async fn set_feed_link(&self, id: UserId, link: &FeedLink) -> StorageResult<()> {
        let mut st = self.lock();
        let hash = TokenHash::of(&link.token);
        if st
            .users
            .iter()
            .any(|(other, r)| *other != id && r.feed_token.as_ref() == Some(&hash))
        {
            return Err(StorageError::Conflict(crate::Conflict::Other));
        }
        let row = st.users.get_mut(&id).ok_or(StorageError::NotFound)?;
        row.feed_token = Some(hash);
        row.feed_link = Some(link.clone());
        Ok(())
    }

    async fn feed_link(&self, id: UserId) -> StorageResult<Option<FeedLink>> {
        let st = self.lock();
        let row = st.users.get(&id).ok_or(StorageError::NotFound)?;
        Ok(row.feed_link.clone())
    }

    async fn user_by_feed_token(&self, hash: &TokenHash) -> StorageResult<Option<User>> {
        Ok(self
            .lock()
            .users
            .values()
            .find(|r| r.feed_token.as_ref() == Some(hash))
            .map(|r| r.user.clone()))
    }
}

#[async_trait]
impl SessionStore for MemoryStorage {
    async fn insert_session(&self, session: &Session) -> StorageResult<()> {
        let mut st = self.lock();
        if st.sessions.contains_key(&session.token_hash) {
            return conflict(Conflict::Other);
        }
        st.sessions
            .insert(session.token_hash.clone(), session.clone());
        Ok(())
    }

    async fn get_session(&self, hash: &TokenHash) -> StorageResult<Option<Session>> {
        Ok(self.lock().sessions.get(hash).cloned())
    }

    async fn session_with_user(&self, hash: &TokenHash) -> StorageResult<Option<(Session, User)>> {
        let st = self.lock();
        Ok(st.sessions.get(hash).and_then(|s| {
            st.users
                .get(&s.user_id)
                .map(|r| (s.clone(), r.user.clone()))
        }))
    }

    async fn delete_session(&self, hash: &TokenHash) -> StorageResult<()> {
        self.lock().sessions.remove(hash);
        Ok(())
    }

    async fn delete_user_sessions(&self, user: UserId) -> StorageResult<u64> {
        let mut st = self.lock();
        let before = st.sessions.len();
        st.sessions.retain(|_, s| s.user_id != user);
        Ok((before - st.sessions.len()) as u64)
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StorageResult<u64> {
        let mut st = self.lock();
        let before = st.sessions.len();
        st.sessions.retain(|_, s| s.expires_at >= now);
        Ok((before - st.sessions.len()) as u64)
    }

    async fn delete_other_sessions(&self, user: UserId, keep: &TokenHash) -> StorageResult<u64> {
        let mut st = self.lock();
        let before = st.sessions.len();
        st.sessions
            .retain(|hash, s| s.user_id != user || hash == keep);
        Ok((before - st.sessions.len()) as u64)
    }

    async fn charge_login_attempt(
        &self,
        key: &ThrottleKey,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> StorageResult<LoginCounter> {
        let mut st = self.lock();
        let counter = st
            .login_counters
            .entry(key.clone())
            .and_modify(|c| {
                if c.window_started_at <= now - window {
                    *c = LoginCounter {
                        count: 1,
                        window_started_at: now,
                    };
                } else {
                    c.count += 1;
                }
            })
            .or_insert(LoginCounter {
                count: 1,
                window_started_at: now,
            });
        Ok(*counter)
    }

    async fn refund_login_attempt(
        &self,
        key: &ThrottleKey,
        window_started_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        if let Some(c) = self.lock().login_counters.get_mut(key)
            && c.window_started_at == window_started_at
        {
            c.count = c.count.saturating_sub(1);
        }
        Ok(())
    }

    async fn clear_login_attempts(&self, key: &ThrottleKey) -> StorageResult<()> {
        self.lock().login_counters.remove(key);
        Ok(())
    }

    async fn delete_expired_login_attempts(&self, before: DateTime<Utc>) -> StorageResult<u64> {
        let mut st = self.lock();
        let n = st.login_counters.len();
        st.login_counters
            .retain(|_, c| c.window_started_at >= before);
        Ok((n - st.login_counters.len()) as u64)
    }
}
