//! What the HTTP providers share: the client, the mapping of transport
//! failures and HTTP statuses to [`ProviderError`], and the scrubbing of
//! secrets from every message that leaves this crate.

use std::error::Error as _;
use std::time::Duration;

use lms_core::webinar::ProviderError;
use reqwest::header::RETRY_AFTER;
use reqwest::{Response, StatusCode, Url};

use crate::ConfigError;

/// The longest part of a provider's answer quoted in an error message, in
/// characters.
pub(crate) const MAX_QUOTED_CHARS: usize = 300;

/// What replaces a secret in a message.
pub(crate) const REDACTED: &str = "[redacted]";

/// An HTTP client that gives up after `timeout` and never follows
/// redirects: a redirect would carry a token in the query or a header to
/// wherever the provider points, and a provider API that redirects is
/// misconfigured anyway.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, ConfigError> {
    if timeout.is_zero() {
        return Err(ConfigError::ZeroTimeout);
    }
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("lms-webinar/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ConfigError::HttpClient(e.without_url().to_string()))
}

/// Parses an `http` or `https` base URL with a host, for `field` of a
/// config, and drops a trailing slash so paths can be appended.
pub(crate) fn base_url(field: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidUrl {
        field,
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(raw.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("a host is required"));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(invalid(
            "a base URL takes no query, fragment or credentials",
        ));
    }
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    Ok(url)
}

/// `base` with `segments` appended as path segments (each percent-encoded,
/// so an id can never add a path level).
pub(crate) fn join(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    url.path_segments_mut()
        // A base URL is http(s) with a host (checked in `base_url`), so it
        // always has path segments.
        .expect("an http(s) URL has path segments")
        .pop_if_empty()
        .extend(segments);
    url
}

/// Removes every secret (and its URL-encoded form) from `text`.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret, REDACTED);
        let encoded = form_encoded(secret);
        if encoded != *secret {
            out = out.replace(&encoded, REDACTED);
        }
    }
    out
}

/// `value` as it appears in a form body or a query string.
fn form_encoded(value: &str) -> String {
    let mut url = Url::parse("http://localhost/").expect("a valid constant URL");
    url.query_pairs_mut().append_pair("v", value);
    url.query().unwrap_or_default()["v=".len()..].to_owned()
}

/// `text` on one line, cut to [`MAX_QUOTED_CHARS`] characters.
pub(crate) fn quote(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return "(empty answer)".to_owned();
    }
    let mut chars = one_line.chars();
    let cut: String = chars.by_ref().take(MAX_QUOTED_CHARS).collect();
    if chars.next().is_some() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// A request that never got an HTTP answer (timeout, refused connection,
/// broken stream): always worth retrying. The URL is dropped from the
/// error because it may carry a token.
pub(crate) fn transport_error(
    what: &str,
    error: reqwest::Error,
    timeout: Duration,
    secrets: &[&str],
) -> ProviderError {
    let error = error.without_url();
    let message = if error.is_timeout() {
        format!("{what}: no answer within {} ms", timeout.as_millis())
    } else {
        let mut message = format!("{what}: {error}");
        let mut source = error.source();
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        message
    };
    ProviderError::Transient(redact(&message, secrets))
}

/// A non-success HTTP answer, read completely.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The status.
    pub status: StatusCode,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// The body as text (lossy UTF-8).
    pub body: String,
}

impl Failure {
    /// Reads the rest of `response`. A body that cannot be read is replaced
    /// by a note: the status alone decides what the caller can do.
    pub(crate) async fn read(response: Response) -> Self {
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned());
        let body = response
            .text()
            .await
            .unwrap_or_else(|_| "(the answer could not be read)".to_owned());
        Self {
            status,
            retry_after,
            body,
        }
    }

    /// Whether the same request may succeed later: 5xx, 429 and 408.
    pub(crate) fn is_transient(&self) -> bool {
        self.status.is_server_error()
            || self.status == StatusCode::TOO_MANY_REQUESTS
            || self.status == StatusCode::REQUEST_TIMEOUT
    }

    /// `what: HTTP 429 Too Many Requests, retry after 30 s: <quoted body>`,
    /// without secrets.
    pub(crate) fn message(&self, what: &str, secrets: &[&str]) -> String {
        let mut message = format!("{what}: HTTP {}", self.status);
        if let Some(retry_after) = &self.retry_after {
            if retry_after.bytes().all(|b| b.is_ascii_digit()) && !retry_after.is_empty() {
                message.push_str(&format!(", retry after {retry_after} s"));
            } else {
                message.push_str(&format!(", retry after {retry_after}"));
            }
        }
        message.push_str(": ");
        // Redact before cutting, so a cut cannot leave half a secret behind.
        message.push_str(&quote(&redact(&self.body, secrets)));
        redact(&message, secrets)
    }

    /// The usual mapping: transient statuses to `Transient`, everything
    /// else to `Permanent`. (Callers decide about 401 and 404 first.)
    pub(crate) fn into_error(self, what: &str, secrets: &[&str]) -> ProviderError {
        if self.is_transient() {
            ProviderError::Transient(self.message(what, secrets))
        } else {
            ProviderError::Permanent(self.message(what, secrets))
        }
    }
}

/// A 2xx answer whose body is not what the provider documents: the request
/// may have taken effect, but repeating it will not make the answer
/// readable.
pub(crate) fn unexpected_answer(what: &str, detail: &str, secrets: &[&str]) -> ProviderError {
    ProviderError::Permanent(redact(
        &format!("{what}: unexpected answer: {}", quote(detail)),
        secrets,
    ))
}

/// Whether `url` is an absolute `http`/`https` link with a host (for links
/// a provider returns).
pub(crate) fn is_web_link(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_keeps_short_text_and_cuts_long_text_on_a_char_boundary() {
        assert_eq!(quote("  a\n b\t"), "a b");
        assert_eq!(quote(""), "(empty answer)");
        let long = "ж".repeat(MAX_QUOTED_CHARS + 10);
        let quoted = quote(&long);
        assert_eq!(quoted.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(quoted.ends_with('…'));
    }

    #[test]
    fn redact_removes_plain_and_encoded_secrets() {
        let text = "token=a+b/c%3D and a+b/c= again, a%2Bb%2Fc%3D encoded";
        let out = redact(text, &["a+b/c=", ""]);
        assert!(!out.contains("a+b/c="), "{out}");
        assert!(!out.contains("a%2Bb%2Fc%3D"), "{out}");
        assert_eq!(out.matches(REDACTED).count(), 2, "{out}");
    }

    #[test]
    fn base_urls_are_checked_and_lose_trailing_slashes() {
        let url = base_url("server_url", "https://tc.school.ru/").unwrap();
        assert_eq!(url.as_str(), "https://tc.school.ru/");
        assert_eq!(
            join(&url, &["api", "v3.2", "conferences"]).as_str(),
            "https://tc.school.ru/api/v3.2/conferences"
        );
        let url = base_url("base_url", "http://127.0.0.1:8080/v1/telemost-api/").unwrap();
        assert_eq!(
            join(&url, &["conferences", "a/b c"]).as_str(),
            "http://127.0.0.1:8080/v1/telemost-api/conferences/a%2Fb%20c"
        );
        for bad in [
            "tc.school.ru",
            "ftp://tc.school.ru",
            "https://",
            "https://user:pw@tc.school.ru",
            "https://tc.school.ru/?x=1",
        ] {
            assert!(
                matches!(
                    base_url("server_url", bad),
                    Err(ConfigError::InvalidUrl {
                        field: "server_url",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn retry_after_is_quoted_in_seconds_or_verbatim() {
        let failure = Failure {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some("30".into()),
            body: "slow down".into(),
        };
        assert_eq!(
            failure.message("X create", &[]),
            "X create: HTTP 429 Too Many Requests, retry after 30 s: slow down"
        );
        let failure = Failure {
            retry_after: Some("Wed, 21 Oct 2026 07:28:00 GMT".into()),
            ..failure
        };
        assert!(
            failure
                .message("X", &[])
                .contains("retry after Wed, 21 Oct 2026 07:28:00 GMT")
        );
    }
}
