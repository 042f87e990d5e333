//! Achievements and the file registry.

use super::*;

// ---- achievements ----------------------------------------------------------

#[async_trait]
impl AchievementStore for MemoryStorage {
    async fn award(&self, achievement: &Achievement) -> StorageResult<bool> {
        let mut st = self.lock();
        let fresh = st.new_awards(std::slice::from_ref(achievement));
        let new = !fresh.is_empty();
        st.apply_outbox_and_awards(Vec::new(), fresh);
        Ok(new)
    }

    async fn list_achievements(&self, user: UserId) -> StorageResult<Vec<Achievement>> {
        Ok(self.lock().achievements_of(user))
    }
}

// ---- files -----------------------------------------------------------------

impl State {
    /// `NotFound` unless the owner exists (what the SQL foreign keys answer).
    pub(super) fn owner_exists(&self, owner: FileOwner) -> StorageResult<()> {
        let exists = match owner {
            FileOwner::Lesson(id) => self.lessons.contains_key(&id),
            FileOwner::Assignment(id) => self.assignments.contains_key(&id),
            FileOwner::Submission(id) => self.submissions.contains_key(&id),
            FileOwner::Course(id) => self.courses.contains_key(&id),
            FileOwner::Quiz(id) => self.quizzes.contains_key(&id),
            FileOwner::Unattached => true,
        };
        if exists {
            Ok(())
        } else {
            Err(StorageError::NotFound)
        }
    }

    /// The files `ids` names (each once, in order) if every one may become
    /// `owner`'s: uploaded by `uploaded_by` (else `NotFound`), unattached or
    /// already `owner`'s (else `Conflict(FileAttached)`). Changes nothing.
    pub(super) fn attachable(
        &self,
        ids: &[FileId],
        uploaded_by: UserId,
        owner: FileOwner,
    ) -> StorageResult<Vec<FileRef>> {
        let mut seen = HashSet::new();
        let mut attached = Vec::new();
        for id in ids {
            if !seen.insert(*id) {
                continue;
            }
            let Some((file, current)) = self.files.get(id) else {
                return Err(StorageError::NotFound);
            };
            if file.uploaded_by != uploaded_by {
                return Err(StorageError::NotFound);
            }
            if *current != FileOwner::Unattached && *current != owner {
                return conflict(Conflict::FileAttached);
            }
            attached.push(file.clone());
        }
        Ok(attached)
    }

    /// Makes `files` `owner`'s (after [`attachable`](Self::attachable)).
    pub(super) fn set_owner(&mut self, files: &[FileRef], owner: FileOwner) {
        for f in files {
            if let Some((_, current)) = self.files.get_mut(&f.id) {
                *current = owner;
            }
        }
    }

    /// Files matching `keep`, oldest upload first, ties by id.
    pub(super) fn files_where(&self, keep: impl Fn(&FileOwner) -> bool) -> Vec<FileRef> {
        let mut files: Vec<FileRef> = self
            .files
            .values()
            .filter(|(_, owner)| keep(owner))
            .map(|(f, _)| f.clone())
            .collect();
        files.sort_by_key(|f| (f.uploaded_at, f.id));
        files
    }
}

#[async_trait]
impl FileRegistry for MemoryStorage {
    async fn insert(&self, file: &FileRef, owner: FileOwner) -> StorageResult<()> {
        let mut st = self.lock();
        if st.files.contains_key(&file.id)
            || st
                .files
                .values()
                .any(|(f, _)| f.storage_key == file.storage_key)
        {
            return conflict(Conflict::Other);
        }
        if !st.users.contains_key(&file.uploaded_by) {
            return Err(StorageError::NotFound);
        }
        st.owner_exists(owner)?;
        st.files.insert(file.id, (file.clone(), owner));
        Ok(())
    }

    async fn get(&self, id: FileId) -> StorageResult<Option<(FileRef, FileOwner)>> {
        Ok(self.lock().files.get(&id).cloned())
    }

    async fn attach(
        &self,
        ids: &[FileId],
        uploaded_by: UserId,
        owner: FileOwner,
    ) -> StorageResult<Vec<FileRef>> {
        let mut st = self.lock();
        st.owner_exists(owner)?;
        let attached = st.attachable(ids, uploaded_by, owner)?;
        st.set_owner(&attached, owner);
        Ok(attached)
    }

    async fn list_by_owner(&self, owner: FileOwner) -> StorageResult<Vec<FileRef>> {
        Ok(self.lock().files_where(|o| *o == owner))
    }

    async fn unattached_usage(&self, user: UserId) -> StorageResult<UploadUsage> {
        let files = self.lock().files_where(|o| *o == FileOwner::Unattached);
        Ok(files
            .iter()
            .filter(|f| f.uploaded_by == user)
            .fold(UploadUsage::default(), |u, f| UploadUsage {
                files: u.files + 1,
                bytes: u.bytes + f.size,
            }))
    }

    async fn unattached_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> StorageResult<Vec<FileRef>> {
        let mut files = self.lock().files_where(|o| *o == FileOwner::Unattached);
        files.retain(|f| f.uploaded_at < cutoff);
        files.truncate(limit as usize);
        Ok(files)
    }

    async fn delete(&self, id: FileId) -> StorageResult<bool> {
        let mut st = self.lock();
        if st
            .files
            .get(&id)
            .is_some_and(|(_, owner)| *owner == FileOwner::Unattached)
        {
            st.files.remove(&id);
            return Ok(true);
        }
        Ok(false)
    }
}
