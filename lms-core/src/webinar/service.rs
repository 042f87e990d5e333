//! The webinar service: teachers schedule, reschedule and cancel webinars of
//! their courses at a conferencing provider; students see the scheduled ones.
//!
//! The provider is called before storage is written, so a provider outage
//! leaves nothing behind; when storage then fails after a conference was
//! created, the conference is deleted again. A failed reschedule or cancel is
//! safe to retry: updating a conference is idempotent and deleting one that
//! is already gone counts as deleted.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::clock::Clock;
use crate::course::{Course, CourseStatus, CourseStore, Title};
use crate::error::StorageError;
use crate::ids::{CourseId, UserId, WebinarId};
use crate::notification::{DeliveryProfile, Notification, NotificationStore, fan_out};
use crate::policy;
use crate::user::{Actor, UserStore};
use crate::webinar::model::{ConferenceSpec, ProviderKind, Webinar, WebinarState};
use crate::webinar::ports::{ProviderError, WebinarProvider, WebinarStore};

/// The longest webinar, in minutes (a day).
pub const MAX_DURATION_MINUTES: u32 = 1440;

/// How far in the past a start may lie and still be accepted, in minutes:
/// a teacher who fills in the form at 10:02 for a webinar "at 10:00" is not
/// refused.
pub const START_SLACK_MINUTES: i64 = 5;

/// The longest external link accepted, in bytes.
pub const MAX_URL_LEN: usize = 2048;

/// What a teacher fills in to schedule a webinar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebinarInput {
    /// Title.
    pub title: Title,
    /// Start (not more than [`START_SLACK_MINUTES`] in the past).
    pub starts_at: DateTime<Utc>,
    /// Duration in minutes, 1 to [`MAX_DURATION_MINUTES`].
    pub duration_minutes: u32,
    /// Which configured provider hosts it.
    pub provider: ProviderKind,
    /// The link, required for [`ProviderKind::ExternalLink`] (an `http` or
    /// `https` URL with a host) and ignored for other providers.
    pub external_url: Option<String>,
}

/// What a teacher changes when moving or renaming a webinar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RescheduleInput {
    /// New title.
    pub title: Title,
    /// New start (not more than [`START_SLACK_MINUTES`] in the past).
    pub starts_at: DateTime<Utc>,
    /// New duration in minutes, 1 to [`MAX_DURATION_MINUTES`].
    pub duration_minutes: u32,
}

/// A webinar as the actor may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebinarView {
    /// The webinar. For students `host_url` is always `None`.
    pub webinar: Webinar,
    /// Whether the actor may reschedule or cancel it.
    pub can_manage: bool,
}

/// Why an external link was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ExternalUrlError {
    /// No link was given.
    #[error("external_url is required for an external-link webinar")]
    Missing,
    /// Longer than [`MAX_URL_LEN`], or contains spaces, control characters
    /// or credentials.
    #[error("external_url is malformed")]
    Malformed,
    /// The scheme is not `http` or `https`.
    #[error("external_url must start with http:// or https://")]
    Scheme,
    /// The host (or port) is missing or invalid.
    #[error("external_url must name a valid host")]
    Host,
}

/// Checks a link pasted for an external-link webinar: an `http` or `https`
/// URL with a host (a domain name or an IP address) and an optional port, no
/// spaces, control characters or `user:password@`. Returns the trimmed link.
pub fn parse_external_url(raw: &str) -> Result<String, ExternalUrlError> {
    let url = raw.trim();
    if url.is_empty() {
        return Err(ExternalUrlError::Missing);
    }
    if url.len() > MAX_URL_LEN || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ExternalUrlError::Malformed);
    }
    let (scheme, rest) = url.split_once("://").ok_or(ExternalUrlError::Scheme)?;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return Err(ExternalUrlError::Scheme);
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(ExternalUrlError::Malformed);
    }
    let (host_ok, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (ip, after) = bracketed.split_once(']').ok_or(ExternalUrlError::Host)?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or(ExternalUrlError::Host)?),
        };
        (is_ipv6_literal(ip), port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (is_host_name(host), Some(port)),
            None => (is_host_name(authority), None),
        }
    };
    if !host_ok || !port.is_none_or(is_port) {
        return Err(ExternalUrlError::Host);
    }
    Ok(url.to_owned())
}

/// Dot-separated labels of letters (any script), digits and inner hyphens.
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

fn is_ipv6_literal(ip: &str) -> bool {
    ip.contains(':')
        && ip
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
}

fn is_port(port: &str) -> bool {
    (1..=5).contains(&port.len())
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u16>().is_ok_and(|p| p > 0)
}

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

/// What the actor may do in a course.
#[derive(Debug, Clone, Copy)]
struct Access {
    view: bool,
    staff: bool,
    manage: bool,
}

/// Why a managed webinar could not be loaded.
enum Denied {
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
enum AttendeesError {
    OwnerMissing(UserId),
    Storage(StorageError),
}

impl From<StorageError> for AttendeesError {
    fn from(e: StorageError) -> Self {
        Self::Storage(e)
    }
}

/// Why a start and duration were rejected.
enum Timing {
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

fn check_timing(
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

/// The host's and participants' e-mails for a conference.
struct Attendees {
    host_email: String,
    participant_emails: Vec<String>,
}

/// Schedules, reschedules, cancels and shows webinars.
pub struct WebinarService {
    webinars: Arc<dyn WebinarStore>,
    courses: Arc<dyn CourseStore>,
    users: Arc<dyn UserStore>,
    notifications: Arc<dyn NotificationStore>,
    providers: BTreeMap<ProviderKind, Arc<dyn WebinarProvider>>,
    clock: Arc<dyn Clock>,
}

impl WebinarService {
    /// A service over these ports. `providers` are keyed by their
    /// [`WebinarProvider::kind`]; of two with the same kind the last wins.
    #[must_use]
    pub fn new(
        webinars: Arc<dyn WebinarStore>,
        courses: Arc<dyn CourseStore>,
        users: Arc<dyn UserStore>,
        notifications: Arc<dyn NotificationStore>,
        providers: Vec<Arc<dyn WebinarProvider>>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let providers = providers.into_iter().map(|p| (p.kind(), p)).collect();
        Self {
            webinars,
            courses,
            users,
            notifications,
            providers,
            clock,
        }
    }

    /// The providers configured in this school, in a stable order (for the
    /// "schedule a webinar" form).
    #[must_use]
    pub fn available_providers(&self) -> Vec<ProviderKind> {
        self.providers.keys().copied().collect()
    }

    /// Schedules a webinar: creates the conference at the provider, stores
    /// the webinar and tells the enrolled students (unless the course is a
    /// draft they cannot see yet). Only the course owner and admins may.
    pub async fn schedule(
        &self,
        actor: &Actor,
        course_id: CourseId,
        input: WebinarInput,
    ) -> Result<Webinar, ScheduleWebinarError> {
        let course = self
            .courses
            .get_course(course_id)
            .await?
            .ok_or(ScheduleWebinarError::CourseNotFound)?;
        let access = self.access(actor, &course).await?;
        if !access.view {
            return Err(ScheduleWebinarError::CourseNotFound);
        }
        if !access.manage {
            return Err(ScheduleWebinarError::Forbidden);
        }
        if course.status == CourseStatus::Archived {
            return Err(ScheduleWebinarError::CourseArchived);
        }
        let now = self.clock.now();
        check_timing(input.starts_at, input.duration_minutes, now)?;
        let provider = self
            .providers
            .get(&input.provider)
            .ok_or(ScheduleWebinarError::UnknownProvider(input.provider))?;
        let external_url = match input.provider {
            ProviderKind::ExternalLink => Some(
                parse_external_url(input.external_url.as_deref().unwrap_or_default())
                    .map_err(ScheduleWebinarError::InvalidUrl)?,
            ),
            ProviderKind::TrueConf | ProviderKind::Telemost => None,
        };

        let students = self.courses.enrolled_students(course.id).await?;
        let attendees = self.attendees(&course, &students).await?;
        // Read everything that can fail before the conference exists, so only
        // the final write may need compensating.
        let audience = self.audience(&course, &students).await?;
        let id = WebinarId::new();
        let spec = ConferenceSpec {
            webinar_id: id,
            title: input.title.as_str().to_owned(),
            starts_at: input.starts_at,
            duration_minutes: input.duration_minutes,
            host_email: attendees.host_email,
            participant_emails: attendees.participant_emails,
            external_url,
        };
        let conference = provider.create(&spec).await.map_err(|e| match e {
            ProviderError::Transient(msg) => ScheduleWebinarError::ProviderUnavailable(msg),
            ProviderError::Permanent(msg) => ScheduleWebinarError::ProviderRejected(msg),
            e @ ProviderError::NotFound => ScheduleWebinarError::ProviderRejected(e.to_string()),
        })?;

        let webinar = Webinar {
            id,
            course_id: course.id,
            title: input.title,
            starts_at: input.starts_at,
            duration_minutes: input.duration_minutes,
            provider: input.provider,
            conference_id: conference.conference_id,
            join_url: conference.join_url,
            host_url: conference.host_url,
            state: WebinarState::Scheduled,
            created_by: actor.user_id,
            created_at: now,
        };
        let notification = Notification::WebinarScheduled {
            course_id: course.id,
            course_title: course.title.to_string(),
            webinar_id: id,
            title: webinar.title.to_string(),
            starts_at: webinar.starts_at,
            join_url: Some(webinar.join_url.clone()),
        };
        let outbox = fan_out(
            &audience,
            &format!("webinar_scheduled:{id}"),
            &notification,
            now,
        );
        if let Err(e) = self.webinars.insert_webinar(&webinar, &outbox).await {
            // Best effort: the storage error is what the caller must see.
            let _ = provider.delete(webinar.conference_id.clone()).await;
            return Err(e.into());
        }
        Ok(webinar)
    }

    /// Moves or renames a scheduled webinar: updates the conference at the
    /// provider (taking the links it returns) and stores the change with a
    /// message to the enrolled students. Only the course owner and admins may.
    pub async fn reschedule(
        &self,
        actor: &Actor,
        webinar_id: WebinarId,
        input: RescheduleInput,
    ) -> Result<Webinar, RescheduleWebinarError> {
        let (webinar, course) = self.managed(actor, webinar_id).await?;
        if webinar.state == WebinarState::Cancelled {
            return Err(RescheduleWebinarError::Cancelled);
        }
        if course.status == CourseStatus::Archived {
            return Err(RescheduleWebinarError::CourseArchived);
        }
        let now = self.clock.now();
        check_timing(input.starts_at, input.duration_minutes, now)?;
        let provider = self.providers.get(&webinar.provider).ok_or(
            RescheduleWebinarError::ProviderNotConfigured(webinar.provider),
        )?;

        let students = self.courses.enrolled_students(course.id).await?;
        let attendees = self.attendees(&course, &students).await?;
        let audience = self.audience(&course, &students).await?;
        let spec = ConferenceSpec {
            webinar_id: webinar.id,
            title: input.title.as_str().to_owned(),
            starts_at: input.starts_at,
            duration_minutes: input.duration_minutes,
            host_email: attendees.host_email,
            participant_emails: attendees.participant_emails,
            external_url: (webinar.provider == ProviderKind::ExternalLink)
                .then(|| webinar.join_url.clone()),
        };
        let conference = provider
            .update(webinar.conference_id.clone(), &spec)
            .await
            .map_err(|e| match e {
                ProviderError::Transient(msg) => RescheduleWebinarError::ProviderUnavailable(msg),
                ProviderError::Permanent(msg) => RescheduleWebinarError::ProviderRejected(msg),
                ProviderError::NotFound => RescheduleWebinarError::ConferenceMissing,
            })?;

        let updated = Webinar {
            title: input.title,
            starts_at: input.starts_at,
            duration_minutes: input.duration_minutes,
            conference_id: conference.conference_id.or(webinar.conference_id),
            join_url: conference.join_url,
            host_url: conference.host_url,
            ..webinar
        };
        let notification = Notification::WebinarChanged {
            course_id: course.id,
            webinar_id: updated.id,
            title: updated.title.to_string(),
            starts_at: Some(updated.starts_at),
            cancelled: false,
        };
        // Every reschedule is its own event (a rename at the same time, or a
        // move back to an earlier time, must notify again): a fresh change id.
        let event = format!(
            "webinar_changed:{}:{}",
            updated.id,
            uuid::Uuid::new_v4().simple()
        );
        let outbox = fan_out(&audience, &event, &notification, now);
        self.webinars
            .update_webinar(&updated, &outbox)
            .await
            .map_err(|e| match e {
                StorageError::NotFound => RescheduleWebinarError::NotFound,
                e => e.into(),
            })?;
        Ok(updated)
    }

    /// Cancels a webinar: deletes the conference at the provider (one that
    /// is already gone counts as deleted), marks the webinar cancelled and
    /// tells the enrolled students. Cancelling a cancelled webinar returns it
    /// unchanged. Only the course owner and admins may.
    pub async fn cancel(
        &self,
        actor: &Actor,
        webinar_id: WebinarId,
    ) -> Result<Webinar, CancelWebinarError> {
        let (webinar, course) = self.managed(actor, webinar_id).await?;
        if webinar.state == WebinarState::Cancelled {
            return Ok(webinar);
        }
        let provider = self
            .providers
            .get(&webinar.provider)
            .ok_or(CancelWebinarError::ProviderNotConfigured(webinar.provider))?;
        let students = self.courses.enrolled_students(course.id).await?;
        let audience = self.audience(&course, &students).await?;
        match provider.delete(webinar.conference_id.clone()).await {
            Ok(()) | Err(ProviderError::NotFound) => {}
            Err(ProviderError::Transient(msg)) => {
                return Err(CancelWebinarError::ProviderUnavailable(msg));
            }
            Err(ProviderError::Permanent(msg)) => {
                return Err(CancelWebinarError::ProviderRejected(msg));
            }
        }

        let now = self.clock.now();
        let cancelled = Webinar {
            state: WebinarState::Cancelled,
            ..webinar
        };
        let notification = Notification::WebinarChanged {
            course_id: course.id,
            webinar_id: cancelled.id,
            title: cancelled.title.to_string(),
            starts_at: None,
            cancelled: true,
        };
        let event = format!("webinar_cancelled:{}", cancelled.id);
        let outbox = fan_out(&audience, &event, &notification, now);
        self.webinars
            .update_webinar(&cancelled, &outbox)
            .await
            .map_err(|e| match e {
                StorageError::NotFound => CancelWebinarError::NotFound,
                e => e.into(),
            })?;
        Ok(cancelled)
    }

    /// One webinar. Students of the course see it only while it is
    /// scheduled, and never its host link; staff see everything.
    pub async fn get_webinar(
        &self,
        actor: &Actor,
        id: WebinarId,
    ) -> Result<WebinarView, ViewWebinarError> {
        let webinar = self
            .webinars
            .get_webinar(id)
            .await?
            .ok_or(ViewWebinarError::WebinarNotFound)?;
        let Some(course) = self.courses.get_course(webinar.course_id).await? else {
            return Err(ViewWebinarError::WebinarNotFound);
        };
        let access = self.access(actor, &course).await?;
        if !access.view {
            return Err(ViewWebinarError::WebinarNotFound);
        }
        view(webinar, access).ok_or(ViewWebinarError::WebinarNotFound)
    }

    /// The webinars of a course by start. Students of the course see the
    /// scheduled ones without host links; staff see all, cancelled included.
    pub async fn list_course_webinars(
        &self,
        actor: &Actor,
        course_id: CourseId,
    ) -> Result<Vec<WebinarView>, ViewWebinarError> {
        let course = self
            .courses
            .get_course(course_id)
            .await?
            .ok_or(ViewWebinarError::CourseNotFound)?;
        let access = self.access(actor, &course).await?;
        if !access.view {
            return Err(ViewWebinarError::CourseNotFound);
        }
        let webinars = self.webinars.list_course_webinars(course.id).await?;
        Ok(webinars
            .into_iter()
            .filter_map(|w| view(w, access))
            .collect())
    }

    async fn access(&self, actor: &Actor, course: &Course) -> Result<Access, StorageError> {
        let membership = self.courses.membership(course.id, actor.user_id).await?;
        Ok(Access {
            view: policy::can_view_course(actor, membership, course.status),
            staff: policy::can_grade(actor, membership),
            manage: policy::can_manage_course(actor, membership),
        })
    }

    /// A webinar and its course, if the actor manages the course.
    async fn managed(&self, actor: &Actor, id: WebinarId) -> Result<(Webinar, Course), Denied> {
        let webinar = self
            .webinars
            .get_webinar(id)
            .await?
            .ok_or(Denied::NotFound)?;
        let course = self
            .courses
            .get_course(webinar.course_id)
            .await?
            .ok_or(Denied::NotFound)?;
        let access = self.access(actor, &course).await?;
        if !access.view {
            return Err(Denied::NotFound);
        }
        if !access.manage {
            return Err(Denied::Forbidden);
        }
        Ok((webinar, course))
    }

    /// The owner's e-mail and the active enrolled students' e-mails, in
    /// enrolment order.
    async fn attendees(
        &self,
        course: &Course,
        students: &[UserId],
    ) -> Result<Attendees, AttendeesError> {
        let owner = self
            .users
            .get_user(course.owner_id)
            .await?
            .ok_or(AttendeesError::OwnerMissing(course.owner_id))?;
        let participant_emails = if students.is_empty() {
            Vec::new()
        } else {
            let users = self.users.get_users(students).await?;
            let by_id: HashMap<UserId, _> = users.iter().map(|u| (u.id, u)).collect();
            students
                .iter()
                .filter_map(|id| by_id.get(id))
                .filter(|u| u.active)
                .map(|u| u.email.as_str().to_owned())
                .collect()
        };
        Ok(Attendees {
            host_email: owner.email.as_str().to_owned(),
            participant_emails,
        })
    }

    /// Who hears about webinar events: the enrolled students, unless the
    /// course is a draft they cannot see.
    async fn audience(
        &self,
        course: &Course,
        students: &[UserId],
    ) -> Result<Vec<DeliveryProfile>, StorageError> {
        if course.status == CourseStatus::Draft || students.is_empty() {
            return Ok(Vec::new());
        }
        self.notifications.delivery_profiles(students).await
    }
}

/// What of `webinar` the actor sees, if anything.
fn view(mut webinar: Webinar, access: Access) -> Option<WebinarView> {
    if !access.staff {
        if webinar.state != WebinarState::Scheduled {
            return None;
        }
        webinar.host_url = None;
    }
    Some(WebinarView {
        webinar,
        can_manage: access.manage,
    })
}

#[cfg(test)]
mod tests;
