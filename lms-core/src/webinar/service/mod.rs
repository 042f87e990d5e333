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
use crate::course::{Course, CourseAccess, CourseStatus, CourseStore, Title};
use crate::error::StorageError;
use crate::ids::{CourseId, UserId, WebinarId};
use crate::notification::{DeliveryProfile, Notification, NotificationStore, fan_out};
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

mod errors;
mod manage;
mod read;
mod url;

pub use errors::*;
pub use url::*;

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
}

impl WebinarService {
    /// The actor's standing in the course (course-level: webinars are the
    /// whole course's, whatever a mentor's groups).
    async fn access(&self, actor: &Actor, course: &Course) -> Result<CourseAccess, StorageError> {
        let membership = self.courses.membership(course.id, actor.user_id).await?;
        Ok(CourseAccess::of(actor, course.clone(), membership))
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
        if !access.can_view() {
            return Err(Denied::NotFound);
        }
        if !access.can_manage() {
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
fn view(mut webinar: Webinar, access: &CourseAccess) -> Option<WebinarView> {
    if !access.can_grade() {
        if webinar.state != WebinarState::Scheduled {
            return None;
        }
        webinar.host_url = None;
    }
    Some(WebinarView {
        webinar,
        can_manage: access.can_manage(),
    })
}

#[cfg(test)]
mod tests;
