//! Ports of the webinar aggregate: storage and the conferencing provider.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::error::StorageResult;
use crate::ids::{CourseId, WebinarId};
use crate::notification::OutboxEntry;
use crate::webinar::model::{Conference, ConferenceSpec, ProviderKind, Webinar};

/// Webinars.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WebinarStore: Send + Sync {
    /// Inserts a webinar with its messages.
    async fn insert_webinar(&self, webinar: &Webinar, outbox: &[OutboxEntry]) -> StorageResult<()>;
    /// Replaces a webinar's fields with its messages. `NotFound`.
    async fn update_webinar(&self, webinar: &Webinar, outbox: &[OutboxEntry]) -> StorageResult<()>;
    /// One webinar.
    async fn get_webinar(&self, id: WebinarId) -> StorageResult<Option<Webinar>>;
    /// Webinars of a course by start (cancelled included).
    async fn list_course_webinars(&self, course: CourseId) -> StorageResult<Vec<Webinar>>;
    /// Scheduled (not cancelled) webinars starting in `[from, to)`, by start.
    async fn webinars_starting_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<Webinar>>;
}

/// Why a provider call failed.
#[derive(Debug, Error)]
pub enum ProviderError {
    /// Timeout, 5xx, 429, connection failure: the same call may succeed later.
    #[error("webinar provider temporarily unavailable: {0}")]
    Transient(String),
    /// Rejected (bad request, forbidden, bad credentials after refresh).
    #[error("webinar provider refused: {0}")]
    Permanent(String),
    /// The conference does not exist at the provider.
    #[error("conference not found at the provider")]
    NotFound,
}

impl ProviderError {
    /// Whether retrying may help.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }
}

/// A conferencing provider.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WebinarProvider: Send + Sync {
    /// Which provider this is.
    fn kind(&self) -> ProviderKind;
    /// Creates a conference.
    async fn create(&self, spec: &ConferenceSpec) -> Result<Conference, ProviderError>;
    /// Updates a conference after a reschedule or rename; returns the
    /// (possibly changed) links.
    async fn update(
        &self,
        conference_id: Option<String>,
        spec: &ConferenceSpec,
    ) -> Result<Conference, ProviderError>;
    /// Deletes a conference; `NotFound` means it is already gone.
    async fn delete(&self, conference_id: Option<String>) -> Result<(), ProviderError>;
}
