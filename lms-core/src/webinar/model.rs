//! Webinar entities.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::course::Title;
use crate::ids::{CourseId, UserId, WebinarId};

/// Which provider hosts a webinar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// TrueConf Server (API v3.x). Serialised as its stable name
    /// `trueconf` (what [`ProviderKind::parse`] takes), not the
    /// `true_conf` that `snake_case` would make of it.
    #[serde(rename = "trueconf", alias = "true_conf")]
    TrueConf,
    /// Yandex Telemost.
    Telemost,
    /// A link the teacher pastes (VideoMost, Zoom, anything).
    ExternalLink,
}

impl ProviderKind {
    /// Stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TrueConf => "trueconf",
            Self::Telemost => "telemost",
            Self::ExternalLink => "external_link",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "trueconf" => Self::TrueConf,
            "telemost" => Self::Telemost,
            "external_link" => Self::ExternalLink,
            _ => return None,
        })
    }
}

/// State of a webinar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WebinarState {
    /// Scheduled and created at the provider.
    Scheduled,
    /// Cancelled (and deleted at the provider).
    Cancelled,
}

/// A webinar of a course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webinar {
    /// Identifier.
    pub id: WebinarId,
    /// The course.
    pub course_id: CourseId,
    /// Title.
    pub title: Title,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// Duration in minutes (1..=1440).
    pub duration_minutes: u32,
    /// Provider.
    pub provider: ProviderKind,
    /// The provider's conference id.
    pub conference_id: Option<String>,
    /// Link for participants.
    pub join_url: String,
    /// Link for the host (teacher), if the provider has one.
    pub host_url: Option<String>,
    /// State.
    pub state: WebinarState,
    /// Who scheduled it.
    pub created_by: UserId,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl Webinar {
    /// When it ends.
    #[must_use]
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + Duration::minutes(i64::from(self.duration_minutes))
    }
}

/// What a provider needs to create or update a conference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConferenceSpec {
    /// Our webinar id (providers may keep it as an external reference).
    pub webinar_id: WebinarId,
    /// Topic.
    pub title: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// Duration in minutes.
    pub duration_minutes: u32,
    /// The host's e-mail (provider account or cohost).
    pub host_email: String,
    /// Invited participants' e-mails, where the provider takes invitations.
    pub participant_emails: Vec<String>,
    /// The link for the external-link provider.
    pub external_url: Option<String>,
}

/// What a provider created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conference {
    /// The provider's id.
    pub conference_id: Option<String>,
    /// Link for participants.
    pub join_url: String,
    /// Link for the host.
    pub host_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::ProviderKind;

    #[test]
    fn the_json_name_of_a_provider_is_its_stable_name() {
        for kind in [
            ProviderKind::TrueConf,
            ProviderKind::Telemost,
            ProviderKind::ExternalLink,
        ] {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, kind.as_str());
            assert_eq!(ProviderKind::parse(json.as_str().unwrap()), Some(kind));
            assert_eq!(serde_json::from_value::<ProviderKind>(json).unwrap(), kind);
        }
        // The name `snake_case` gave it before still reads back.
        assert_eq!(
            serde_json::from_str::<ProviderKind>("\"true_conf\"").unwrap(),
            ProviderKind::TrueConf
        );
    }
}
