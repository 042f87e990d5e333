//! The external-link provider: the teacher pastes a link to a room
//! somewhere else (VideoMost, Zoom, a school's own server) and students get
//! exactly that link. Nothing is created or deleted anywhere.

use async_trait::async_trait;
use lms_core::webinar::{
    Conference, ConferenceSpec, ProviderError, ProviderKind, WebinarProvider, parse_external_url,
};

/// Serves the link the teacher pasted ([`ConferenceSpec::external_url`]).
///
/// The link is checked with the core's rule
/// ([`parse_external_url`]): an `http` or `https` URL with a host and no
/// credentials. A bad or missing link is a
/// [`ProviderError::Permanent`]; deleting is a no-op.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExternalLinkProvider;

impl ExternalLinkProvider {
    /// The provider (it has no configuration).
    #[must_use]
    pub fn new() -> Self {
        Self
    }

    fn conference(spec: &ConferenceSpec) -> Result<Conference, ProviderError> {
        let raw = spec.external_url.as_deref().unwrap_or_default();
        let join_url = parse_external_url(raw)
            .map_err(|e| ProviderError::Permanent(format!("external link: {e}")))?;
        Ok(Conference {
            conference_id: None,
            join_url,
            host_url: None,
        })
    }
}

#[async_trait]
impl WebinarProvider for ExternalLinkProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::ExternalLink
    }

    async fn create(&self, spec: &ConferenceSpec) -> Result<Conference, ProviderError> {
        Self::conference(spec)
    }

    /// Returns the link in `spec` again: the new one if the teacher changed
    /// it, otherwise the stored one the service passes back.
    async fn update(
        &self,
        _conference_id: Option<String>,
        spec: &ConferenceSpec,
    ) -> Result<Conference, ProviderError> {
        Self::conference(spec)
    }

    async fn delete(&self, _conference_id: Option<String>) -> Result<(), ProviderError> {
        Ok(())
    }
}
