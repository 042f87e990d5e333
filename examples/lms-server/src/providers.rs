//! The webinar providers the configuration turns on.

use std::sync::Arc;

use lms_core::webinar::WebinarProvider;
use lms_webinar::{
    ExternalLinkProvider, TelemostConfig, TelemostProvider, TrueConfConfig, TrueConfProvider,
};

use crate::config::{Config, ConfigError};

/// One provider per configured kind: TrueConf when `LMS_TRUECONF_SERVER_URL`
/// is set, Telemost when `LMS_TELEMOST_TOKEN` is set, and always the
/// external-link provider (last).
pub fn webinar_providers(cfg: &Config) -> Result<Vec<Arc<dyn WebinarProvider>>, ConfigError> {
    let mut providers: Vec<Arc<dyn WebinarProvider>> = Vec::new();
    if let Some(tc) = &cfg.trueconf {
        let mut config = TrueConfConfig::new(
            tc.server_url.clone(),
            tc.client_id.clone(),
            tc.client_secret.expose(),
            tc.owner.clone(),
        );
        if let Some(minor) = tc.api_minor_version {
            config.api_minor_version = minor;
        }
        let provider = TrueConfProvider::new(config).map_err(|source| ConfigError::Provider {
            provider: "TrueConf",
            source,
        })?;
        providers.push(Arc::new(provider));
    }
    if let Some(tm) = &cfg.telemost {
        let mut config = TelemostConfig::new(tm.token.expose());
        if let Some(url) = &tm.api_url {
            config.base_url.clone_from(url);
        }
        let provider = TelemostProvider::new(config).map_err(|source| ConfigError::Provider {
            provider: "Telemost",
            source,
        })?;
        providers.push(Arc::new(provider));
    }
    providers.push(Arc::new(ExternalLinkProvider::new()));
    Ok(providers)
}

#[cfg(test)]
mod tests {
    use lms_core::webinar::ProviderKind;

    use super::*;

    fn kinds(vars: &[(&str, &str)]) -> Result<Vec<ProviderKind>, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let cfg = Config::from_sources(None, move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })?;
        Ok(webinar_providers(&cfg)?.iter().map(|p| p.kind()).collect())
    }

    #[test]
    fn external_links_are_always_available() {
        assert_eq!(kinds(&[]).unwrap(), vec![ProviderKind::ExternalLink]);
    }

    #[test]
    fn configured_providers_are_built() {
        let all = kinds(&[
            ("LMS_TRUECONF_SERVER_URL", "https://video.school.ru"),
            ("LMS_TRUECONF_CLIENT_ID", "lms"),
            ("LMS_TRUECONF_CLIENT_SECRET", "secret"),
            ("LMS_TRUECONF_OWNER", "lms@video.school.ru"),
            ("LMS_TRUECONF_API_VERSION", "3.11"),
            ("LMS_TELEMOST_TOKEN", "token"),
            ("LMS_TELEMOST_API_URL", "http://127.0.0.1:9/v2"),
        ])
        .unwrap();
        assert_eq!(
            all,
            vec![
                ProviderKind::TrueConf,
                ProviderKind::Telemost,
                ProviderKind::ExternalLink
            ]
        );
    }

    #[test]
    fn a_provider_refusing_its_settings_is_a_config_error() {
        let err = kinds(&[
            ("LMS_TRUECONF_SERVER_URL", "https://"),
            ("LMS_TRUECONF_CLIENT_ID", "lms"),
            ("LMS_TRUECONF_CLIENT_SECRET", "secret"),
            ("LMS_TRUECONF_OWNER", "lms@video.school.ru"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("TrueConf"), "{err}");
    }
}
