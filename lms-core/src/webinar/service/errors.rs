//! Why webinar operations fail, and the service's internal refusals.

use super::*;

/// Why a webinar could not be scheduled.
#[derive(Debug, Error)]
pub enum ScheduleWebinarError {
    /// The course does not exist or the actor may not see it.
    #[error("course not found")]
    CourseNotFound,
    /// The actor sees the course but does not manage it.
    #[error("only the course owner or an admin may schedule webinars")]
    Forbidden,
    /// The course is archived (read-only).
    #[error("the course is archived")]
    CourseArchived,
    /// The duration is out of range.
    #[error("duration_minutes must be 1 to {max}, got {0}", max = MAX_DURATION_MINUTES)]
    InvalidDuration(u32),
    /// The start is in the past.
    #[error("starts_at must not be in the past")]
    StartsInPast,
    /// The provider is not configured in this school.
    #[error("provider {} is not configured in this school", .0.as_str())]
    UnknownProvider(ProviderKind),
    /// The external link is missing or invalid.
    #[error(transparent)]
    InvalidUrl(ExternalUrlError),
    /// The course's owner account does not exist (inconsistent storage).
    #[error("the course owner {0} does not exist")]
    OwnerMissing(UserId),
    /// The provider is temporarily unavailable; nothing was stored.
    #[error("webinar provider temporarily unavailable: {0}")]
    ProviderUnavailable(String),
    /// The provider refused; nothing was stored.
    #[error("webinar provider refused: {0}")]
    ProviderRejected(String),
    /// Storage failed; no conference was left at the provider.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(ScheduleWebinarError {
    CourseNotFound => (NotFound, "course_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    CourseArchived => (Conflict, "course_archived"),
    InvalidDuration(_) => (Invalid, "invalid_duration"),
    StartsInPast => (Invalid, "starts_in_past"),
    UnknownProvider(_) => (Invalid, "unknown_provider"),
    InvalidUrl(_) => (Invalid, "invalid_url"),
    OwnerMissing(_) => (Internal, "course_owner_missing"),
    ProviderUnavailable(_) => (Unavailable, "provider_unavailable"),
    ProviderRejected(_) => (Conflict, "provider_rejected"),
});

/// Why a webinar could not be rescheduled.
#[derive(Debug, Error)]
pub enum RescheduleWebinarError {
    /// The webinar does not exist or the actor may not see it.
    #[error("webinar not found")]
    NotFound,
    /// The actor sees the webinar but does not manage its course.
    #[error("only the course owner or an admin may reschedule webinars")]
    Forbidden,
    /// The webinar was cancelled.
    #[error("the webinar was cancelled")]
    Cancelled,
    /// The course is archived (read-only).
    #[error("the course is archived")]
    CourseArchived,
    /// The duration is out of range.
    #[error("duration_minutes must be 1 to {max}, got {0}", max = MAX_DURATION_MINUTES)]
    InvalidDuration(u32),
    /// The new start is in the past.
    #[error("starts_at must not be in the past")]
    StartsInPast,
    /// The webinar's provider is no longer configured.
    #[error("webinar provider {} is not configured", .0.as_str())]
    ProviderNotConfigured(ProviderKind),
    /// The conference no longer exists at the provider; cancel the webinar
    /// and schedule a new one.
    #[error("the conference no longer exists at the provider")]
    ConferenceMissing,
    /// The course's owner account does not exist (inconsistent storage).
    #[error("the course owner {0} does not exist")]
    OwnerMissing(UserId),
    /// The provider is temporarily unavailable; nothing was changed.
    #[error("webinar provider temporarily unavailable: {0}")]
    ProviderUnavailable(String),
    /// The provider refused; nothing was changed.
    #[error("webinar provider refused: {0}")]
    ProviderRejected(String),
    /// Storage failed (retrying the reschedule is safe).
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(RescheduleWebinarError {
    NotFound => (NotFound, "webinar_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    Cancelled => (Conflict, "webinar_cancelled"),
    CourseArchived => (Conflict, "course_archived"),
    InvalidDuration(_) => (Invalid, "invalid_duration"),
    StartsInPast => (Invalid, "starts_in_past"),
    ProviderNotConfigured(_) => (Conflict, "provider_not_configured"),
    ConferenceMissing => (Conflict, "conference_missing"),
    OwnerMissing(_) => (Internal, "course_owner_missing"),
    ProviderUnavailable(_) => (Unavailable, "provider_unavailable"),
    ProviderRejected(_) => (Conflict, "provider_rejected"),
});

/// Why a webinar could not be cancelled.
#[derive(Debug, Error)]
pub enum CancelWebinarError {
    /// The webinar does not exist or the actor may not see it.
    #[error("webinar not found")]
    NotFound,
    /// The actor sees the webinar but does not manage its course.
    #[error("only the course owner or an admin may cancel webinars")]
    Forbidden,
    /// The webinar's provider is no longer configured.
    #[error("webinar provider {} is not configured", .0.as_str())]
    ProviderNotConfigured(ProviderKind),
    /// The provider is temporarily unavailable; nothing was changed.
    #[error("webinar provider temporarily unavailable: {0}")]
    ProviderUnavailable(String),
    /// The provider refused; nothing was changed.
    #[error("webinar provider refused: {0}")]
    ProviderRejected(String),
    /// Storage failed (retrying the cancellation is safe).
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(CancelWebinarError {
    NotFound => (NotFound, "webinar_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    ProviderNotConfigured(_) => (Conflict, "provider_not_configured"),
    ProviderUnavailable(_) => (Unavailable, "provider_unavailable"),
    ProviderRejected(_) => (Conflict, "provider_rejected"),
});

/// Why webinars could not be shown.
#[derive(Debug, Error)]
pub enum ViewWebinarError {
    /// The webinar does not exist or the actor may not see it.
    #[error("webinar not found")]
    WebinarNotFound,
    /// The course does not exist or the actor may not see it.
    #[error("course not found")]
    CourseNotFound,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(ViewWebinarError {
    WebinarNotFound => (NotFound, "webinar_not_found"),
    CourseNotFound => (NotFound, "course_not_found"),
});

/// Why a managed webinar could not be loaded.
pub(super) enum Denied {
    NotFound,
    Forbidden,
    Storage(StorageError),
}

impl From<StorageError> for Denied {
    fn from(e: StorageError) -> Self {
        Self::Storage(e)
    }
}

/// Why the host and participants could not be resolved.
pub(super) enum AttendeesError {
    OwnerMissing(UserId),
    Storage(StorageError),
}

impl From<StorageError> for AttendeesError {
    fn from(e: StorageError) -> Self {
        Self::Storage(e)
    }
}

/// Why a start and duration were rejected.
pub(super) enum Timing {
    Duration(u32),
    Past,
}

impl From<Denied> for RescheduleWebinarError {
    fn from(e: Denied) -> Self {
        match e {
            Denied::NotFound => Self::NotFound,
            Denied::Forbidden => Self::Forbidden,
            Denied::Storage(e) => Self::Storage(e),
        }
    }
}

impl From<Denied> for CancelWebinarError {
    fn from(e: Denied) -> Self {
        match e {
            Denied::NotFound => Self::NotFound,
            Denied::Forbidden => Self::Forbidden,
            Denied::Storage(e) => Self::Storage(e),
        }
    }
}

impl From<AttendeesError> for ScheduleWebinarError {
    fn from(e: AttendeesError) -> Self {
        match e {
            AttendeesError::OwnerMissing(id) => Self::OwnerMissing(id),
            AttendeesError::Storage(e) => Self::Storage(e),
        }
    }
}

impl From<AttendeesError> for RescheduleWebinarError {
    fn from(e: AttendeesError) -> Self {
        match e {
            AttendeesError::OwnerMissing(id) => Self::OwnerMissing(id),
            AttendeesError::Storage(e) => Self::Storage(e),
        }
    }
}

impl From<Timing> for ScheduleWebinarError {
    fn from(e: Timing) -> Self {
        match e {
            Timing::Duration(d) => Self::InvalidDuration(d),
            Timing::Past => Self::StartsInPast,
        }
    }
}

impl From<Timing> for RescheduleWebinarError {
    fn from(e: Timing) -> Self {
        match e {
            Timing::Duration(d) => Self::InvalidDuration(d),
            Timing::Past => Self::StartsInPast,
        }
    }
}

pub(super) fn check_timing(
    starts_at: DateTime<Utc>,
    duration_minutes: u32,
    now: DateTime<Utc>,
) -> Result<(), Timing> {
    if !(1..=MAX_DURATION_MINUTES).contains(&duration_minutes) {
        return Err(Timing::Duration(duration_minutes));
    }
    if starts_at < now - Duration::minutes(START_SLACK_MINUTES) {
        return Err(Timing::Past);
    }
    Ok(())
}
