//! Planning one row (an invitation, or a line of an import file): validate
//! it, then decide against the stored state what it needs, adding that to
//! an [`OnboardingBatch`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::OnboardingService;
use crate::course::{Course, CourseRole, CourseStatus, Enrollment, EnrollmentSource, InviteCode};
use crate::error::StorageResult;
use crate::ids::{CourseId, InvitationId, UserId};
use crate::notification::{Channel, Notification, OutboxEntry};
use crate::onboarding::model::{Invitation, InvitationStatus, OnboardingBatch, OnboardingState};
use crate::policy;
use crate::user::{
    Actor, DisplayName, Email, Locale, Role, TimeZone, TokenHash, User, generate_token,
};

/// What a row does (or, in a dry run, would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    /// A new account is created and invited by e-mail.
    Create,
    /// An expired invitation of the account is sent again with a new link.
    Invite,
    /// The account's pending invitation gains courses (no new e-mail).
    UpdateInvitation,
    /// The existing account joins courses now.
    Enrol,
    /// Nothing to do: the account is already as the row asks.
    Skip,
    /// The row is wrong; nothing is done for it.
    Error,
}

impl RowAction {
    /// Stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Invite => "invite",
            Self::UpdateInvitation => "update_invitation",
            Self::Enrol => "enrol",
            Self::Skip => "skip",
            Self::Error => "error",
        }
    }
}

/// What happens to one row, for the import report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowReport {
    /// Line in the file (the header is line 1; 0 for a single invitation).
    pub line: u32,
    /// The address as given.
    pub email: String,
    /// What happens.
    pub action: RowAction,
    /// Courses the account joins (now for `enrol`, on acceptance otherwise).
    pub course_ids: Vec<CourseId>,
    /// Why, for `skip` and `error` rows and notes (`already_enrolled`,
    /// `invalid_email`, `unknown_course`, ...).
    pub code: Option<String>,
    /// The reason in words (English; the UI translates `code`).
    pub message: Option<String>,
}

impl RowReport {
    pub(super) fn error(line: u32, email: &str, problem: RowProblem) -> Self {
        Self {
            line,
            email: email.to_owned(),
            action: RowAction::Error,
            course_ids: Vec::new(),
            code: Some(problem.code.to_owned()),
            message: Some(problem.message),
        }
    }
}

/// Why a row cannot be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RowProblem {
    pub code: &'static str,
    pub message: String,
}

impl RowProblem {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// A row's fields as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct RawRow {
    pub line: u32,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub courses: String,
    pub group: String,
    pub locale: String,
    pub time_zone: String,
}

/// A valid row.
#[derive(Debug, Clone)]
pub(super) struct Wanted {
    pub line: u32,
    pub raw_email: String,
    pub email: Email,
    pub display_name: Option<DisplayName>,
    pub role: Role,
    pub courses: Vec<Course>,
    pub locale: Locale,
    pub time_zone: TimeZone,
    pub note: Option<RowProblem>,
}

/// Courses looked up by id or invite code, once per import.
#[derive(Default)]
pub(super) struct CourseCache {
    by_token: HashMap<String, Result<Course, RowProblem>>,
}

/// What planning needs besides the row: who acts, when, and the inviter's
/// name for the e-mails.
pub(super) struct PlanContext<'a> {
    pub actor: &'a Actor,
    pub inviter: String,
    pub now: DateTime<Utc>,
}

impl OnboardingService {
    /// Checks a row's fields and resolves its courses.
    pub(super) async fn validate(
        &self,
        actor: &Actor,
        raw: &RawRow,
        cache: &mut CourseCache,
    ) -> StorageResult<Result<Wanted, RowProblem>> {
        let email = match Email::parse(&raw.email) {
            Ok(e) => e,
            Err(_) if raw.email.trim().is_empty() => {
                return Ok(Err(RowProblem::new("email_missing", "email: missing")));
            }
            Err(_) => {
                return Ok(Err(RowProblem::new(
                    "invalid_email",
                    format!("email: “{}” is not an e-mail address", raw.email),
                )));
            }
        };
        let display_name = match raw.display_name.trim() {
            "" => None,
            name => match DisplayName::parse(name) {
                Ok(n) => Some(n),
                Err(e) => return Ok(Err(RowProblem::new("invalid_name", e.to_string()))),
            },
        };
        let Some(role) = parse_role(&raw.role) else {
            return Ok(Err(RowProblem::new(
                "invalid_role",
                format!(
                    "role: “{}” is not student, assistant, teacher or admin",
                    raw.role
                ),
            )));
        };
        let locale = match raw.locale.trim().to_lowercase().as_str() {
            "" | "ru" | "русский" | "rus" => Locale::Ru,
            "en" | "english" | "английский" | "eng" => Locale::En,
            other => {
                return Ok(Err(RowProblem::new(
                    "invalid_locale",
                    format!("locale: “{other}” is not ru or en"),
                )));
            }
        };
        let time_zone = match TimeZone::parse(match raw.time_zone.trim() {
            "" => "Europe/Moscow",
            tz => tz,
        }) {
            Ok(tz) => tz,
            Err(e) => return Ok(Err(RowProblem::new("invalid_time_zone", e.to_string()))),
        };
        let mut courses: Vec<Course> = Vec::new();
        for token in raw
            .courses
            .split(|c: char| c == '|' || c == ',' || c == ';' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            match self.resolve_course(actor, token, cache).await? {
                Ok(c) if !courses.iter().any(|k| k.id == c.id) => courses.push(c),
                Ok(_) => {}
                Err(p) => return Ok(Err(p)),
            }
        }
        if !policy::can_manage_users(actor) {
            // A course owner brings students into their own courses only.
            if role != Role::Student {
                return Ok(Err(RowProblem::new(
                    "role_not_allowed",
                    "role: course owners invite students only",
                )));
            }
            if courses.is_empty() {
                return Ok(Err(RowProblem::new(
                    "courses_missing",
                    "courses: name at least one of your courses",
                )));
            }
        }
        if role == Role::Admin && !courses.is_empty() {
            return Ok(Err(RowProblem::new(
                "admin_takes_no_courses",
                "courses: admins see every course and join none",
            )));
        }
        let note = (!raw.group.trim().is_empty()).then(|| {
            RowProblem::new(
                "group_ignored",
                "group: groups are not available yet; the column was ignored",
            )
        });
        Ok(Ok(Wanted {
            line: raw.line,
            raw_email: raw.email.clone(),
            email,
            display_name,
            role,
            courses,
            locale,
            time_zone,
            note,
        }))
    }

    /// A course named by id or invite code, which the actor manages and
    /// which is not archived.
    async fn resolve_course(
        &self,
        actor: &Actor,
        token: &str,
        cache: &mut CourseCache,
    ) -> StorageResult<Result<Course, RowProblem>> {
        if let Some(hit) = cache.by_token.get(token) {
            return Ok(hit.clone());
        }
        let unknown = || {
            RowProblem::new(
                "unknown_course",
                format!("courses: no course has the id or code “{token}”"),
            )
        };
        let found = if let Ok(id) = token.parse::<CourseId>() {
            self.courses.get_course(id).await?
        } else if let Ok(code) = InviteCode::parse(token) {
            self.courses.find_course_by_invite_code(&code).await?
        } else {
            None
        };
        let result = match found {
            None => Err(unknown()),
            Some(course) => {
                let role = self.courses.membership(course.id, actor.user_id).await?;
                if !policy::can_manage_course(actor, role) {
                    // A course the actor does not manage is as unknown to them.
                    Err(unknown())
                } else if course.status == CourseStatus::Archived {
                    Err(RowProblem::new(
                        "course_archived",
                        format!("courses: “{}” is archived", course.title.as_str()),
                    ))
                } else {
                    Ok(course)
                }
            }
        };
        cache.by_token.insert(token.to_owned(), result.clone());
        Ok(result)
    }

    /// Decides what a valid row needs against the stored `state` and adds
    /// it to `batch`.
    pub(super) async fn decide(
        &self,
        ctx: &PlanContext<'_>,
        wanted: Wanted,
        state: &OnboardingState,
        batch: &mut OnboardingBatch,
    ) -> StorageResult<RowReport> {
        let mut report = RowReport {
            line: wanted.line,
            email: wanted.raw_email.clone(),
            action: RowAction::Skip,
            course_ids: Vec::new(),
            code: wanted.note.as_ref().map(|n| n.code.to_owned()),
            message: wanted.note.as_ref().map(|n| n.message.clone()),
        };
        let problem = |p: RowProblem| RowReport::error(wanted.line, &wanted.raw_email, p);
        let Some(user) = state.users.iter().find(|u| u.email == wanted.email) else {
            let Some(display_name) = wanted.display_name.clone() else {
                return Ok(problem(RowProblem::new(
                    "display_name_missing",
                    "display_name: a new account needs a name",
                )));
            };
            let user = User {
                id: UserId::new(),
                email: wanted.email.clone(),
                display_name,
                role: wanted.role,
                locale: wanted.locale,
                time_zone: wanted.time_zone,
                active: false,
                created_at: ctx.now,
            };
            let course_ids: Vec<CourseId> = wanted.courses.iter().map(|c| c.id).collect();
            let invitation = Invitation {
                id: InvitationId::new(),
                user_id: user.id,
                email: user.email.clone(),
                role: user.role,
                course_ids: course_ids.clone(),
                invited_by: ctx.actor.user_id,
                status: InvitationStatus::Pending,
                send_count: 0,
                created_at: ctx.now,
                expires_at: ctx.now,
                closed_at: None,
                token_hash: None,
            };
            let titles = wanted.courses.iter().map(|c| c.title.as_str().to_owned());
            self.send_invitation(ctx, invitation, titles.collect(), batch);
            batch.new_users.push((user, None));
            report.action = RowAction::Create;
            report.course_ids = course_ids;
            return Ok(report);
        };
        if user.role != wanted.role {
            return Ok(problem(RowProblem::new(
                "role_mismatch",
                format!(
                    "role: the account exists with the role {}",
                    user.role.as_str()
                ),
            )));
        }
        if user.active {
            let missing: Vec<&Course> = wanted
                .courses
                .iter()
                .filter(|c| match user.role {
                    Role::Student => !state.enrollments.contains(&(c.id, user.id)),
                    _ => c.owner_id != user.id && !state.assistants.contains(&(c.id, user.id)),
                })
                .collect();
            if missing.is_empty() {
                report.code = Some("already_member".to_owned());
                report.message = Some("the account exists and is in every course named".into());
                return Ok(report);
            }
            for course in &missing {
                if user.role == Role::Student {
                    batch.enrollments.push(Enrollment {
                        course_id: course.id,
                        student_id: user.id,
                        source: EnrollmentSource::Staff,
                        enrolled_at: ctx.now,
                    });
                } else {
                    batch.assistants.push((course.id, user.id));
                }
            }
            report.action = RowAction::Enrol;
            report.course_ids = missing.iter().map(|c| c.id).collect();
            return Ok(report);
        }
        let Some(pending) = state
            .pending
            .iter()
            .filter(|i| i.user_id == user.id)
            .max_by_key(|i| i.created_at)
        else {
            return Ok(problem(RowProblem::new(
                "account_inactive",
                "the account is deactivated; an admin can reactivate it in the user list",
            )));
        };
        let mut invitation = pending.clone();
        let missing: Vec<CourseId> = wanted
            .courses
            .iter()
            .map(|c| c.id)
            .filter(|id| !invitation.course_ids.contains(id))
            .collect();
        invitation.course_ids.extend(missing.iter().copied());
        if invitation.expires_at < ctx.now {
            let titles = self
                .course_titles(&invitation.course_ids, &wanted.courses)
                .await?;
            report.course_ids = invitation.course_ids.clone();
            self.send_invitation(ctx, invitation, titles, batch);
            report.action = RowAction::Invite;
            report.code = Some("invitation_expired".to_owned());
            report.message = Some("the invitation had expired; a new link is sent".into());
        } else if !missing.is_empty() {
            batch.invitations.push(invitation);
            report.action = RowAction::UpdateInvitation;
            report.course_ids = missing;
        } else {
            report.code = Some("already_invited".to_owned());
            report.message = Some("the account is invited to every course named".into());
        }
        Ok(report)
    }

    /// Gives the invitation a new link and expiry and adds it and its
    /// e-mail to the batch.
    pub(super) fn send_invitation(
        &self,
        ctx: &PlanContext<'_>,
        mut invitation: Invitation,
        course_titles: Vec<String>,
        batch: &mut OnboardingBatch,
    ) {
        let token = generate_token();
        invitation.token_hash = Some(TokenHash::of(&token));
        invitation.expires_at = ctx.now + self.config.invitation_ttl;
        invitation.send_count += 1;
        batch.outbox.push(invitation_email(
            &invitation,
            token,
            ctx.inviter.clone(),
            course_titles,
            ctx.now,
        ));
        batch.invitations.push(invitation);
    }

    /// Titles of these courses, from `known` where it has them.
    pub(super) async fn course_titles(
        &self,
        ids: &[CourseId],
        known: &[Course],
    ) -> StorageResult<Vec<String>> {
        let mut titles = Vec::with_capacity(ids.len());
        for id in ids {
            match known.iter().find(|c| c.id == *id) {
                Some(c) => titles.push(c.title.as_str().to_owned()),
                None => {
                    if let Some(c) = self.courses.get_course(*id).await? {
                        titles.push(c.title.as_str().to_owned());
                    }
                }
            }
        }
        Ok(titles)
    }

    /// The name the invitation e-mails give as the inviter.
    pub(super) async fn inviter_name(&self, actor: &Actor) -> StorageResult<String> {
        Ok(self
            .users
            .get_user(actor.user_id)
            .await?
            .map(|u| u.display_name.as_str().to_owned())
            .unwrap_or_default())
    }
}

/// The e-mail that carries an invitation's link.
pub(super) fn invitation_email(
    invitation: &Invitation,
    token: String,
    invited_by: String,
    course_titles: Vec<String>,
    now: DateTime<Utc>,
) -> OutboxEntry {
    OutboxEntry::new(
        invitation.user_id,
        Channel::Email,
        &format!("invitation:{}:{}", invitation.id, invitation.send_count),
        Notification::Invitation {
            token,
            role: invitation.role,
            invited_by,
            course_titles,
            expires_at: invitation.expires_at,
        },
        now,
    )
}

/// A school role as schools write it (English or Russian); empty is student.
fn parse_role(s: &str) -> Option<Role> {
    Some(match s.trim().to_lowercase().as_str() {
        "" | "student" | "студент" | "ученик" | "ученица" | "учащийся" => {
            Role::Student
        }
        "teacher" | "преподаватель" | "учитель" => Role::Teacher,
        "assistant" | "ассистент" | "куратор" | "наставник" => {
            Role::Assistant
        }
        "admin" | "administrator" | "администратор" | "админ" => Role::Admin,
        _ => return None,
    })
}

/// Whether the actor may see and manage an invitation: admins every one,
/// a course owner a student's invitation into courses they all manage.
pub(super) fn may_manage(
    actor: &Actor,
    invitation: &Invitation,
    roles: &[Option<CourseRole>],
) -> bool {
    policy::can_manage_users(actor)
        || (invitation.role == Role::Student
            && !roles.is_empty()
            && roles.iter().all(|r| policy::can_manage_course(actor, *r)))
}

#[cfg(test)]
mod tests {
    use super::parse_role;
    use crate::user::Role;

    #[test]
    fn roles_are_read_in_both_languages() {
        assert_eq!(parse_role(""), Some(Role::Student));
        assert_eq!(parse_role(" Ученик "), Some(Role::Student));
        assert_eq!(parse_role("Преподаватель"), Some(Role::Teacher));
        assert_eq!(parse_role("assistant"), Some(Role::Assistant));
        assert_eq!(parse_role("директор"), None);
    }
}
