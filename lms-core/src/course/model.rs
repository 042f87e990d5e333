//! Course entities and their validated parts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::file::FileRef;
use crate::ids::{CourseId, LessonId, UserId};
use crate::richtext::RichText;

/// Why a course or lesson field was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CourseFieldError {
    /// Empty or longer than 200 characters.
    #[error("title must be 1 to 200 characters")]
    Title,
    /// Not an invite code of our alphabet and length.
    #[error("invite code must be {len} letters or digits", len = InviteCode::LEN)]
    InviteCode,
}

/// A course or lesson title: trimmed, 1 to 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "Алгебра, 9 класс"))]
pub struct Title(String);

impl Title {
    /// Validates a title.
    pub fn parse(s: &str) -> Result<Self, CourseFieldError> {
        let t = s.trim();
        let n = t.chars().count();
        if n == 0 || n > 200 || t.chars().any(char::is_control) {
            return Err(CourseFieldError::Title);
        }
        Ok(Self(t.to_owned()))
    }

    /// The title.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Title {
    type Error = CourseFieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Title> for String {
    fn from(t: Title) -> Self {
        t.0
    }
}

impl std::fmt::Display for Title {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lifecycle of a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CourseStatus {
    /// Being prepared; only staff see it.
    Draft,
    /// Open to enrolled students.
    Published,
    /// Finished; read-only for students, hidden from new enrolment.
    Archived,
}

impl CourseStatus {
    /// Stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => Self::Draft,
            "published" => Self::Published,
            "archived" => Self::Archived,
            _ => return None,
        })
    }
}

/// A course's invite code: 8 characters of an alphabet without look-alikes
/// (no `0/O`, `1/I/L`), compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "K7MPQ2XA"))]
pub struct InviteCode(String);

impl InviteCode {
    /// Length of a code.
    pub const LEN: usize = 8;
    const ALPHABET: &'static [u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /// A fresh random code.
    #[must_use]
    pub fn generate() -> Self {
        let bytes = uuid::Uuid::new_v4().into_bytes();
        let code = bytes
            .iter()
            .take(Self::LEN)
            .map(|b| Self::ALPHABET[usize::from(*b) % Self::ALPHABET.len()] as char)
            .collect();
        Self(code)
    }

    /// Parses a code typed by a student (spaces and dashes ignored, any case).
    pub fn parse(s: &str) -> Result<Self, CourseFieldError> {
        let code: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if code.chars().count() != Self::LEN || !code.bytes().all(|b| Self::ALPHABET.contains(&b)) {
            return Err(CourseFieldError::InviteCode);
        }
        Ok(Self(code))
    }

    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for InviteCode {
    type Error = CourseFieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<InviteCode> for String {
    fn from(c: InviteCode) -> Self {
        c.0
    }
}

/// A course card's cover: one of the themes the web UI draws (a colour
/// scheme and a subject picture, bundled with the UI, so a cover never
/// loads anything from elsewhere). Without one the UI picks a theme from
/// the title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CourseCover {
    /// Mathematics.
    Math,
    /// Physics.
    Physics,
    /// Chemistry.
    Chemistry,
    /// Biology.
    Biology,
    /// Literature and the Russian language.
    Literature,
    /// Foreign languages.
    Languages,
    /// History and social studies.
    History,
    /// Geography.
    Geography,
    /// Computer science and programming.
    Programming,
    /// Art and design.
    Art,
    /// Music.
    Music,
    /// Exam preparation (ЕГЭ, ОГЭ).
    Exam,
}

impl CourseCover {
    /// Every theme, in the order a picker shows them.
    pub const ALL: [Self; 12] = [
        Self::Math,
        Self::Physics,
        Self::Chemistry,
        Self::Biology,
        Self::Literature,
        Self::Languages,
        Self::History,
        Self::Geography,
        Self::Programming,
        Self::Art,
        Self::Music,
        Self::Exam,
    ];

    /// Stable name, as stored and sent.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Math => "math",
            Self::Physics => "physics",
            Self::Chemistry => "chemistry",
            Self::Biology => "biology",
            Self::Literature => "literature",
            Self::Languages => "languages",
            Self::History => "history",
            Self::Geography => "geography",
            Self::Programming => "programming",
            Self::Art => "art",
            Self::Music => "music",
            Self::Exam => "exam",
        }
    }

    /// The theme named `name`, if there is one.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// A course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Course {
    /// Identifier.
    pub id: CourseId,
    /// Title.
    pub title: Title,
    /// Description shown on the course page.
    pub description: RichText,
    /// The teacher who owns the course.
    pub owner_id: UserId,
    /// Lifecycle state.
    pub status: CourseStatus,
    /// Current invite code; `None` when joining by code is disabled.
    pub invite_code: Option<InviteCode>,
    /// The card's cover theme; `None`: the UI picks one from the title.
    #[serde(default)]
    pub cover: Option<CourseCover>,
    /// When created.
    pub created_at: DateTime<Utc>,
}

/// A lesson of a course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lesson {
    /// Identifier.
    pub id: LessonId,
    /// The course.
    pub course_id: CourseId,
    /// Title.
    pub title: Title,
    /// Body (sanitised rich text).
    pub body: RichText,
    /// Position in the course, from 0; unique within a course.
    pub position: u32,
    /// When students may see it; `None`: as soon as the course is published.
    /// Also the lesson's date in the schedule.
    pub publish_at: Option<DateTime<Utc>>,
    /// Whether students may see it at all: a draft (`false`) is seen by the
    /// course's staff only, whatever `publish_at` says. Absent in exports
    /// made before drafts existed, where every lesson was published.
    #[serde(default = "published_by_default")]
    pub published: bool,
    /// Attached files.
    pub attachments: Vec<FileRef>,
    /// When created.
    pub created_at: DateTime<Utc>,
}

impl Lesson {
    /// Whether students can see the lesson at `now` (ignoring the course
    /// state): published, and its publish date (if any) reached.
    #[must_use]
    pub fn is_visible_at(&self, now: DateTime<Utc>) -> bool {
        self.published && self.publish_at.is_none_or(|at| at <= now)
    }
}

fn published_by_default() -> bool {
    true
}

/// How a student came to be enrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentSource {
    /// Added by the teacher or an admin.
    Staff,
    /// Joined with the course's invite code.
    InviteCode,
}

/// A student's enrolment in a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrollment {
    /// The course.
    pub course_id: CourseId,
    /// The student.
    pub student_id: UserId,
    /// How.
    pub source: EnrollmentSource,
    /// When.
    pub enrolled_at: DateTime<Utc>,
}

/// A user's role inside one course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CourseRole {
    /// The teacher who owns the course.
    Owner,
    /// An assistant assigned to check homework.
    Assistant,
    /// An enrolled student.
    Student,
}

/// A course together with the viewer's role in it (for "my courses").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseMembership {
    /// The course.
    pub course: Course,
    /// The user's role in it.
    pub role: CourseRole,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invite_codes_round_trip_and_normalise() {
        for _ in 0..100 {
            let code = InviteCode::generate();
            assert_eq!(
                InviteCode::parse(&code.as_str().to_lowercase()).unwrap(),
                code
            );
        }
        assert_eq!(InviteCode::parse("abcd-efgh").unwrap().as_str(), "ABCDEFGH");
        assert!(
            InviteCode::parse("ABCDEFG0").is_err(),
            "0 is not in the alphabet"
        );
        assert!(InviteCode::parse("ABC").is_err());
    }

    #[test]
    fn drafts_are_never_visible_and_old_exports_are_published() {
        let now = Utc::now();
        let json = serde_json::json!({
            "id": LessonId::new(), "course_id": CourseId::new(), "title": "Дроби",
            "body": "<p>Теория</p>", "position": 0, "publish_at": null,
            "attachments": [], "created_at": now,
        });
        let mut lesson: Lesson = serde_json::from_value(json).unwrap();
        assert!(lesson.published, "a lesson from before drafts is published");
        assert!(lesson.is_visible_at(now));
        lesson.published = false;
        assert!(!lesson.is_visible_at(now));
        lesson.publish_at = Some(now - chrono::Duration::days(1));
        assert!(
            !lesson.is_visible_at(now),
            "a past publish date does not show a draft"
        );
        lesson.published = true;
        assert!(lesson.is_visible_at(now));
        lesson.publish_at = Some(now + chrono::Duration::days(1));
        assert!(!lesson.is_visible_at(now));
    }

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(Title::parse("  Алгебра ").unwrap().as_str(), "Алгебра");
        assert!(Title::parse("   ").is_err());
        assert!(Title::parse(&"я".repeat(201)).is_err());
        assert!(Title::parse(&"я".repeat(200)).is_ok());
    }
}
