//! Self-registration with a course's invite code, when the school allows it.

use std::net::IpAddr;

use super::{OnboardingService, RegisterError};
use crate::course::{CourseStatus, Enrollment, EnrollmentSource, InviteCode};
use crate::error::{Conflict, StorageError};
use crate::ids::UserId;
use crate::onboarding::model::OnboardingBatch;
use crate::user::{
    ChangePasswordError, DisplayName, Email, Locale, NewSession, Role, ThrottleKey, TimeZone, User,
    check_new_password,
};

/// A self-registration form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Login address.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// Password (8 characters to 1024 bytes).
    pub password: String,
    /// The invite code of the course to join.
    pub invite_code: String,
    /// Language of the account.
    pub locale: Locale,
    /// Time zone (default `Europe/Moscow`).
    pub time_zone: Option<String>,
}

impl OnboardingService {
    /// Creates an active student account, enrols it in the published
    /// course with this invite code and starts a session valid for `ttl`.
    /// Only when [`super::OnboardingConfig::self_registration`] is on;
    /// budgeted per client address like reset requests.
    pub async fn register(
        &self,
        form: Registration,
        address: Option<IpAddr>,
        ttl: chrono::Duration,
    ) -> Result<NewSession, RegisterError> {
        if !self.config.self_registration {
            return Err(RegisterError::Disabled);
        }
        let invalid = |e: String| RegisterError::Invalid(e);
        let email = Email::parse(&form.email).map_err(|e| invalid(e.to_string()))?;
        let display_name =
            DisplayName::parse(&form.display_name).map_err(|e| invalid(e.to_string()))?;
        let time_zone = TimeZone::parse(form.time_zone.as_deref().unwrap_or("Europe/Moscow"))
            .map_err(|e| invalid(e.to_string()))?;
        check_new_password(&form.password).map_err(|e| match e {
            ChangePasswordError::TooLong => {
                invalid("password: must have at most 1024 bytes".into())
            }
            _ => invalid("password: must have at least 8 characters".into()),
        })?;
        let code = InviteCode::parse(&form.invite_code).map_err(|_| RegisterError::InvalidCode)?;
        let now = self.clock.now();
        if let Some(ip) = address {
            let key = ThrottleKey::scoped("onboarding", &ThrottleKey::address(ip));
            self.within_budget(&key, self.config.requests_per_address, now)
                .await
                .map_err(|retry_after_secs| RegisterError::Throttled { retry_after_secs })?;
        }
        let course = match self.courses.find_course_by_invite_code(&code).await? {
            Some(c)
                if c.status == CourseStatus::Published && c.invite_code.as_ref() == Some(&code) =>
            {
                c
            }
            _ => return Err(RegisterError::InvalidCode),
        };
        let hash = self.hasher.hash(&form.password).await?;
        let user = User {
            id: UserId::new(),
            email,
            display_name,
            role: Role::Student,
            locale: form.locale,
            time_zone,
            active: true,
            created_at: now,
        };
        let batch = OnboardingBatch {
            new_users: vec![(user.clone(), Some(hash))],
            enrollments: vec![Enrollment {
                course_id: course.id,
                student_id: user.id,
                source: EnrollmentSource::InviteCode,
                enrolled_at: now,
            }],
            ..OnboardingBatch::default()
        };
        match self.store.commit_onboarding(&batch).await {
            Ok(()) => {}
            Err(StorageError::Conflict(Conflict::Email)) => return Err(RegisterError::EmailTaken),
            Err(e) => return Err(e.into()),
        }
        Ok(crate::user::login::issue_session(self.sessions.as_ref(), user, now, ttl).await?)
    }
}
