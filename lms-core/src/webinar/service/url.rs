//! External webinar links: what a teacher may paste as a join link.

use super::*;

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
