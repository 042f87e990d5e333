//! User entities and their validated parts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::{GroupId, UserId};

/// A user's school-wide role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users; may read and manage every course.
    Admin,
    /// Creates and runs courses.
    Teacher,
    /// Checks homework in the courses they are assigned to.
    Assistant,
    /// Studies in the courses they are enrolled in.
    Student,
}

impl Role {
    /// The stable snake_case name used in storage and APIs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Teacher => "teacher",
            Self::Assistant => "assistant",
            Self::Student => "student",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "admin" => Self::Admin,
            "teacher" => Self::Teacher,
            "assistant" => Self::Assistant,
            "student" => Self::Student,
            _ => return None,
        })
    }
}

/// The language a user reads the UI and messages in. Russian first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    /// Русский (default).
    #[default]
    Ru,
    /// English.
    En,
}

impl Locale {
    /// `ru` or `en`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ru => "ru",
            Self::En => "en",
        }
    }

    /// Parses `ru`/`en` (case-insensitive, region suffix ignored: `en-GB`).
    pub fn parse(s: &str) -> Option<Self> {
        let lang = s
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match lang.as_str() {
            "ru" => Some(Self::Ru),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

/// An IANA time zone such as `Europe/Moscow`; instants are stored in UTC and
/// shown in this zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "Europe/Moscow"))]
pub struct TimeZone(pub chrono_tz::Tz);

impl TimeZone {
    /// Parses an IANA name.
    pub fn parse(s: &str) -> Result<Self, UserFieldError> {
        s.trim()
            .parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| UserFieldError::TimeZone(s.to_owned()))
    }

    /// The IANA name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// `at` as a wall-clock time in this zone.
    #[must_use]
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<chrono_tz::Tz> {
        at.with_timezone(&self.0)
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self(chrono_tz::Europe::Moscow)
    }
}

impl TryFrom<String> for TimeZone {
    type Error = UserFieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<TimeZone> for String {
    fn from(tz: TimeZone) -> Self {
        tz.name().to_owned()
    }
}

/// Why a user field was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UserFieldError {
    /// Not a plausible e-mail address.
    #[error("invalid e-mail address: {0:?}")]
    Email(String),
    /// Empty or too long display name.
    #[error("display name must be 1 to 200 characters")]
    DisplayName,
    /// Unknown IANA time zone.
    #[error("unknown time zone: {0:?}")]
    TimeZone(String),
}

/// A normalised (trimmed, lower-cased) e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String, format = "email", example = "student@example.org"))]
pub struct Email(String);

impl Email {
    /// Validates and normalises an address: one `@`, a non-empty local part,
    /// a domain with a dot, no spaces, at most 254 characters.
    pub fn parse(s: &str) -> Result<Self, UserFieldError> {
        let normalised = s.trim().to_lowercase();
        let bad = || UserFieldError::Email(s.to_owned());
        if normalised.len() > 254
            || normalised
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad());
        }
        let (local, domain) = normalised.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(bad());
        }
        Ok(Self(normalised))
    }

    /// The address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = UserFieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's name as shown to others: trimmed, 1 to 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "Анна Иванова"))]
pub struct DisplayName(String);

impl DisplayName {
    /// Validates a display name.
    pub fn parse(s: &str) -> Result<Self, UserFieldError> {
        let trimmed = s.trim();
        let len = trimmed.chars().count();
        if len == 0 || len > 200 || trimmed.chars().any(char::is_control) {
            return Err(UserFieldError::DisplayName);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = UserFieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DisplayName> for String {
    fn from(n: DisplayName) -> Self {
        n.0
    }
}

/// Which accounts a search returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Accounts whose e-mail, name or a word of the name starts with this
    /// text: Latin letters in any case, other letters as typed or with the
    /// first letter of each word capitalised (`анна` finds "Анна Петрова",
    /// `анна пет` finds it too, "Ivan Annanov" does not match). At most [`UserFilter::MAX_QUERY_BYTES`].
    pub query: Option<String>,
    /// Only this school role.
    pub role: Option<Role>,
    /// Only active (or only deactivated) accounts.
    pub active: Option<bool>,
    /// Listings of one course's students (enrolments, submissions,
    /// attempts, the grading queue): only students in this group of the
    /// listed course. Account searches ignore it.
    pub group: Option<GroupId>,
    /// Listings of one course's students: only those an assistant sees
    /// there, as [`crate::group::MentorScope`] tells it: every student of a
    /// course this user owns or that has no groups, else the students of the
    /// groups this user mentors. Account searches ignore it.
    pub mentored_by: Option<UserId>,
}

impl UserFilter {
    /// The longest search text.
    pub const MAX_QUERY_BYTES: usize = 254;

    /// The search text as the adapters match it: trimmed and lower-case,
    /// and the same with the first letter of every word capitalised (so
    /// "иван пет" finds "Иван Петров" where a database compares only Latin
    /// letters case-insensitively); `None` when there is no text.
    #[must_use]
    pub fn prefixes(&self) -> Option<(String, String)> {
        let q = self.query.as_deref()?.trim().to_lowercase();
        if q.is_empty() {
            return None;
        }
        let capital = q
            .split(' ')
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" ");
        Some((q, capital))
    }

    /// [`prefixes`](Self::prefixes) as `LIKE` patterns for the adapters
    /// (wildcards escaped, use with `ESCAPE '\'`): `(None, None)` when
    /// there is no text.
    #[must_use]
    pub fn like_patterns(&self) -> (Option<String>, Option<String>) {
        use crate::onboarding::csv::like_prefix;
        match self.prefixes() {
            Some((lower, capital)) => (Some(like_prefix(&lower)), Some(like_prefix(&capital))),
            None => (None, None),
        }
    }

    /// Whether `user` matches (the reference semantics every adapter
    /// follows).
    #[must_use]
    pub fn matches(&self, user: &User) -> bool {
        if self.role.is_some_and(|r| r != user.role)
            || self.active.is_some_and(|a| a != user.active)
        {
            return false;
        }
        let Some((lower, capital)) = self.prefixes() else {
            return true;
        };
        let starts = |text: &str, p: &str| {
            text.len() >= p.len()
                && text.is_char_boundary(p.len())
                && text[..p.len()].eq_ignore_ascii_case(p)
        };
        let name = user.display_name.as_str();
        let words =
            std::iter::once(name).chain(name.match_indices(' ').map(|(i, _)| &name[i + 1..]));
        starts(user.email.as_str(), &lower)
            || words
                .into_iter()
                .any(|w| starts(w, &lower) || starts(w, &capital))
    }
}

/// A user account and profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Identifier.
    pub id: UserId,
    /// Login and e-mail notifications address (unique).
    pub email: Email,
    /// Name shown to others.
    pub display_name: DisplayName,
    /// School-wide role.
    pub role: Role,
    /// UI and message language.
    pub locale: Locale,
    /// Zone in which times are shown.
    pub time_zone: TimeZone,
    /// Deactivated users cannot log in and get no notifications.
    pub active: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

impl User {
    /// The acting-user view of this account.
    #[must_use]
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            role: self.role,
        }
    }
}

/// Who is performing a service call. Every service method takes one, and
/// every authorisation decision is made from it plus stored memberships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actor {
    /// The acting user.
    pub user_id: UserId,
    /// Their school-wide role.
    pub role: Role,
}

impl Actor {
    /// Whether the actor is a school admin.
    #[must_use]
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// An opaque password hash (PHC string, e.g. argon2id) produced by the
/// embedder's hasher; the core never sees a password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordHash(pub String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// A hash of a secret token (session, calendar feed, Telegram link); tokens
/// themselves are never stored.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenHash(pub String);

impl TokenHash {
    /// The SHA-256 of a token, hex-encoded: how every adapter stores tokens.
    #[must_use]
    pub fn of(token: &str) -> Self {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(token.as_bytes());
        Self(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// A user's calendar link that can be shown to them again: the secret
/// token of their feed URL and when it was made. Unlike other tokens it is
/// kept (as Google Calendar keeps its "secret address"): the owner may copy
/// it again instead of having to replace it; it is looked up by its
/// [`TokenHash`], like every other token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedLink {
    /// The secret in `/ical/<token>.ics`.
    pub token: String,
    /// When the link was made.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A fresh secret token (256 bits from the OS random source, hex-encoded)
/// for sessions, calendar feeds and Telegram links. Only its
/// [`TokenHash`] is stored.
#[must_use]
pub fn generate_token() -> String {
    let a = uuid::Uuid::new_v4();
    let b = uuid::Uuid::new_v4();
    a.as_bytes()
        .iter()
        .chain(b.as_bytes())
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// The token is a secret: it never reaches a log.
impl std::fmt::Debug for FeedLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedLink")
            .field("token", &"..")
            .field("created_at", &self.created_at)
            .finish()
    }
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

/// A login session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// Hash of the bearer token.
    pub token_hash: TokenHash,
    /// Whose session.
    pub user_id: UserId,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// After this instant the session is no longer valid.
    pub expires_at: DateTime<Utc>,
}
