//! Webinars.

use super::*;

// ---- webinars --------------------------------------------------------------

#[async_trait]
impl WebinarStore for MemoryStorage {
    async fn insert_webinar(&self, webinar: &Webinar, outbox: &[OutboxEntry]) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&webinar.course_id) {
            return Err(StorageError::NotFound);
        }
        if st.webinars.contains_key(&webinar.id) {
            return conflict(Conflict::Other);
        }
        let fresh = st.check_outbox(outbox)?;
        let seq = st.next_seq();
        st.webinars.insert(
            webinar.id,
            Row {
                value: webinar.clone(),
                seq,
            },
        );
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn update_webinar(&self, webinar: &Webinar, outbox: &[OutboxEntry]) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.webinars.contains_key(&webinar.id) {
            return Err(StorageError::NotFound);
        }
        let fresh = st.check_outbox(outbox)?;
        let row = st
            .webinars
            .get_mut(&webinar.id)
            .ok_or(StorageError::NotFound)?;
        row.value = Webinar {
            course_id: row.value.course_id,
            created_by: row.value.created_by,
            created_at: row.value.created_at,
            ..webinar.clone()
        };
        st.apply_outbox_and_awards(fresh, Vec::new());
        Ok(())
    }

    async fn get_webinar(&self, id: WebinarId) -> StorageResult<Option<Webinar>> {
        Ok(self.lock().webinars.get(&id).map(|r| r.value.clone()))
    }

    async fn list_course_webinars(&self, course: CourseId) -> StorageResult<Vec<Webinar>> {
        Ok(self.lock().webinars_where(|w| w.course_id == course))
    }

    async fn webinars_starting_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<Webinar>> {
        Ok(self.lock().webinars_where(|w| {
            w.state == WebinarState::Scheduled && from <= w.starts_at && w.starts_at < to
        }))
    }
}
