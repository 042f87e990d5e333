//! E-mail over SMTP: [`SmtpConfig`] (from the server's TOML) and
//! [`EmailNotifier`], the [`Notifier`] of [`Channel::Email`].
//!
//! Messages have a plain-text and an HTML alternative rendered from askama
//! templates (`templates/email.{txt,html}`, checked at compile time) in the
//! recipient's language, a link back to the object in the web UI, and the
//! headers mail providers expect: `From`, `Reply-To`, a stable `Message-ID`
//! derived from the outbox entry, `List-Unsubscribe` pointing to the
//! notification settings page and `Auto-Submitted: auto-generated`.
//!
//! Failures are classified for the dispatcher: SMTP 5xx replies and
//! addresses that cannot be parsed are permanent; connection failures,
//! timeouts, TLS errors and 4xx replies are transient and retried.

use std::fmt;
use std::time::Duration;

use askama::Template;
use async_trait::async_trait;
use lettre::message::header::{self, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use lms_core::notification::{Channel, DeliveryError, Notifier, OutboundMessage};
use lms_core::user::Locale;
use serde::Deserialize;
use thiserror::Error;

use crate::content::{self, Content};

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with `STARTTLS` (required); port 587 by
    /// default. What Mailgun, SendGrid, Yandex and most relays offer.
    #[default]
    Starttls,
    /// TLS from the first byte ("SMTPS"); port 465 by default.
    Tls,
    /// No encryption: only for a relay on the same host or a private
    /// network; port 25 by default.
    Plain,
}

impl SmtpSecurity {
    /// The usual port for this kind of connection.
    #[must_use]
    pub fn default_port(self) -> u16 {
        match self {
            Self::Starttls => 587,
            Self::Tls => 465,
            Self::Plain => 25,
        }
    }
}

/// SMTP settings, as found in the reference server's configuration file
/// (`[smtp]` table).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// Server host name (`smtp.eu.mailgun.org`); with TLS it must match the
    /// server's certificate.
    pub host: String,
    /// Port; by default 587 (`starttls`), 465 (`tls`) or 25 (`plain`).
    #[serde(default)]
    pub port: Option<u16>,
    /// `starttls` (default), `tls` or `plain`.
    #[serde(default)]
    pub security: SmtpSecurity,
    /// Login, if the server wants one.
    #[serde(default)]
    pub username: Option<String>,
    /// Password (never logged).
    #[serde(default)]
    pub password: Option<String>,
    /// Sender: `Школа <noreply@school.example>` or a bare address.
    pub from: String,
    /// Where replies go, if not to `from`.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// The web UI's address (`https://school.example`), for links.
    pub web_base_url: String,
    /// At most this many open SMTP connections (default 4).
    #[serde(default = "default_pool_size")]
    pub pool_size: u32,
    /// Network timeout in seconds for each SMTP step (default 30).
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_pool_size() -> u32 {
    4
}

fn default_timeout_secs() -> u64 {
    30
}

impl SmtpConfig {
    /// Settings for `host` with the defaults for everything optional.
    #[must_use]
    pub fn new(host: &str, from: &str, web_base_url: &str) -> Self {
        Self {
            host: host.to_owned(),
            port: None,
            security: SmtpSecurity::default(),
            username: None,
            password: None,
            from: from.to_owned(),
            reply_to: None,
            web_base_url: web_base_url.to_owned(),
            pool_size: default_pool_size(),
            timeout_secs: default_timeout_secs(),
        }
    }

    /// The port in use (configured or the security's default).
    #[must_use]
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or_else(|| self.security.default_port())
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.effective_port())
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .field("reply_to", &self.reply_to)
            .field("web_base_url", &self.web_base_url)
            .field("pool_size", &self.pool_size)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

/// Why an [`EmailNotifier`] could not be built from its settings.
#[derive(Debug, Error)]
pub enum EmailConfigError {
    /// `from` is not an address (`Name <user@host>` or `user@host`).
    #[error("smtp.from is not a valid address: {0}")]
    InvalidFrom(String),
    /// `reply_to` is not an address.
    #[error("smtp.reply_to is not a valid address: {0}")]
    InvalidReplyTo(String),
    /// `web_base_url` is not an http(s) URL.
    #[error("smtp.web_base_url must start with http:// or https://: {0}")]
    InvalidWebBaseUrl(String),
    /// Only one of `username` and `password` is set.
    #[error("smtp.username and smtp.password must be set together")]
    IncompleteCredentials,
    /// The transport could not be set up (e.g. TLS parameters).
    #[error("SMTP transport: {0}")]
    Transport(#[from] lettre::transport::smtp::Error),
}

/// A message rendered for e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    /// Subject line.
    pub subject: String,
    /// The `text/plain` alternative.
    pub text: String,
    /// The `text/html` alternative.
    pub html: String,
}

#[derive(Template)]
#[template(path = "email.txt")]
struct TextEmail<'a> {
    c: &'a Content,
}

#[derive(Template)]
#[template(path = "email.html")]
struct HtmlEmail<'a> {
    c: &'a Content,
    lang: &'a str,
}

/// Renders `message` as an e-mail in the recipient's language, with links
/// into the web UI at `web_base_url`.
///
/// # Errors
/// Only if a template fails to render (it cannot with these templates, whose
/// variables the compiler checked; the error is kept rather than hidden).
pub fn render_email(
    message: &OutboundMessage,
    web_base_url: &str,
) -> Result<RenderedEmail, askama::Error> {
    let c = content::render(message, web_base_url);
    let lang = c.locale.as_str();
    Ok(RenderedEmail {
        text: TextEmail { c: &c }.render()?,
        html: HtmlEmail { c: &c, lang }.render()?,
        subject: c.subject,
    })
}

/// `List-Unsubscribe: <https://school.example/settings>`
/// (RFC 2369): mail clients show an "unsubscribe" action leading to the
/// settings page.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl header::Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(
            s.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned(),
        ))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): auto-responders should not
/// answer notifications.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl header::Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// `Content-Language: ru` (RFC 3282).
#[derive(Debug, Clone)]
struct ContentLanguage(Locale);

impl header::Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Locale::parse(s)
            .map(Self)
            .ok_or_else(|| format!("unsupported language {s:?}").into())
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.as_str().to_owned())
    }
}

/// Delivers notifications by e-mail through one SMTP server, keeping a pool
/// of connections. Cheap to share behind an `Arc`.
pub struct EmailNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    web_base_url: String,
    message_id_domain: String,
}

impl fmt::Debug for EmailNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailNotifier")
            .field("from", &self.from)
            .field("web_base_url", &self.web_base_url)
            .finish_non_exhaustive()
    }
}

impl EmailNotifier {
    /// A notifier for the server in `config`. Connects lazily: a server that
    /// is down shows up as transient delivery failures, not here. Must be
    /// called inside a Tokio runtime: the connection pool runs a background
    /// task that closes idle connections.
    ///
    /// # Errors
    /// When an address or the base URL is malformed, or credentials are
    /// half set.
    pub fn new(config: &SmtpConfig) -> Result<Self, EmailConfigError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|_| EmailConfigError::InvalidFrom(config.from.clone()))?;
        let reply_to = config
            .reply_to
            .as_deref()
            .map(|r| {
                r.parse::<Mailbox>()
                    .map_err(|_| EmailConfigError::InvalidReplyTo(r.to_owned()))
            })
            .transpose()?;
        let base = config.web_base_url.trim();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(EmailConfigError::InvalidWebBaseUrl(base.to_owned()));
        }

        let builder = match config.security {
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)?,
            SmtpSecurity::Plain => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            }
        };
        let mut builder = builder
            .port(config.effective_port())
            .timeout(Some(Duration::from_secs(config.timeout_secs.max(1))))
            .pool_config(PoolConfig::new().max_size(config.pool_size.max(1)));
        match (&config.username, &config.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            (None, None) => {}
            _ => return Err(EmailConfigError::IncompleteCredentials),
        }

        Ok(Self {
            transport: builder.build(),
            message_id_domain: from.email.domain().to_owned(),
            from,
            reply_to,
            web_base_url: base.trim_end_matches('/').to_owned(),
        })
    }

    /// Builds the e-mail for `message` (what [`Notifier::deliver`] sends).
    ///
    /// # Errors
    /// Permanent: the recipient's address is invalid.
    pub fn build_message(&self, message: &OutboundMessage) -> Result<Message, DeliveryError> {
        let recipient = &message.recipient;
        let address: Address =
            recipient
                .email
                .trim()
                .parse()
                .map_err(|e| DeliveryError::Permanent {
                    reason: format!("invalid e-mail address {:?}: {e}", recipient.email),
                    unreachable: false,
                })?;
        let to = Mailbox::new(Some(recipient.display_name.clone()), address);
        let rendered =
            render_email(message, &self.web_base_url).map_err(|e| DeliveryError::Permanent {
                reason: format!("rendering the e-mail failed: {e}"),
                unreachable: false,
            })?;

        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            .message_id(Some(format!(
                "<{}@{}>",
                message.outbox_id, self.message_id_domain
            )))
            .header(AutoSubmitted)
            .header(ContentLanguage(recipient.locale));
        // Account messages (invitations, password resets) cannot be turned
        // off, so they offer no unsubscribe action.
        if !message.notification.kind().is_account_message() {
            builder = builder.header(ListUnsubscribe(content::absolute_url(
                &self.web_base_url,
                content::SETTINGS_PATH,
            )));
        }
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(rendered.text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(rendered.html),
                    ),
            )
            .map_err(|e| DeliveryError::Permanent {
                reason: format!("building the e-mail failed: {e}"),
                unreachable: false,
            })
    }
}

/// Sorts an SMTP failure into what the dispatcher can do about it.
fn classify(error: &lettre::transport::smtp::Error) -> DeliveryError {
    if error.is_permanent() {
        DeliveryError::Permanent {
            reason: format!("SMTP server refused the message: {error}"),
            unreachable: false,
        }
    } else {
        // 4xx replies, refused connections, timeouts, TLS and I/O errors:
        // the same message may well go through later.
        DeliveryError::Transient {
            reason: format!("SMTP delivery failed: {error}"),
            retry_after_secs: None,
        }
    }
}

#[async_trait]
impl Notifier for EmailNotifier {
    fn channel(&self) -> Channel {
        Channel::Email
    }

    async fn deliver(&self, message: &OutboundMessage) -> Result<(), DeliveryError> {
        let email = self.build_message(message)?;
        match self.transport.send(email).await {
            Ok(_) => {
                tracing::debug!(outbox_id = %message.outbox_id, "e-mail sent");
                Ok(())
            }
            Err(e) => {
                let error = classify(&e);
                tracing::warn!(outbox_id = %message.outbox_id, error = %error, "e-mail not sent");
                Err(error)
            }
        }
    }
}
