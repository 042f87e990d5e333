//! Invitations and password resets end to end: the core enqueues the
//! e-mail, the dispatcher delivers it to a real SMTP server running in the
//! test, and the link in the received message is what sets the password.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use common::{SmtpMode, SmtpServer};
use lms_core::Lms;
use lms_core::clock::SystemClock;
use lms_core::course::{CourseStatus, NewCourse, Title};
use lms_core::notification::{DispatchConfig, Notifier};
use lms_core::onboarding::{NewInvitation, OnboardingConfig, OnboardingService};
use lms_core::richtext::RichText;
use lms_core::testkit::conformance::fixtures::add_user;
use lms_core::testkit::memory::MemoryStorage;
use lms_core::user::{
    HasherError, LoginAttempt, LoginLimits, LoginService, PasswordHash, PasswordHasher, Role,
};
use lms_notify::email::{EmailNotifier, SmtpConfig, SmtpSecurity};
use mail_parser::MessageParser;

/// "Hashes" as `plain:<password>` (argon2 is tested in lms-http).
struct PlainHasher;

#[async_trait]
impl PasswordHasher for PlainHasher {
    async fn hash(&self, password: &str) -> Result<PasswordHash, HasherError> {
        Ok(PasswordHash(format!("plain:{password}")))
    }
    async fn verify(&self, password: &str, hash: &PasswordHash) -> Result<bool, HasherError> {
        Ok(hash.0 == format!("plain:{password}"))
    }
    async fn verify_nothing(&self, _password: &str) -> Result<(), HasherError> {
        Ok(())
    }
}

struct School {
    lms: Lms,
    onboarding: OnboardingService,
    login: LoginService,
    server: SmtpServer,
    notifiers: Vec<Arc<dyn Notifier>>,
}

fn school() -> School {
    let storage = MemoryStorage::storage();
    let clock = Arc::new(SystemClock);
    let lms = Lms::new(storage.clone(), clock.clone(), Vec::new());
    let onboarding = OnboardingService::new(
        &storage,
        Arc::new(PlainHasher),
        clock.clone(),
        OnboardingConfig::default(),
    );
    let login = LoginService::new(
        storage.users.clone(),
        storage.sessions.clone(),
        Arc::new(PlainHasher),
        clock,
        LoginLimits::default(),
    );
    let server = SmtpServer::start(SmtpMode::Accept);
    let mut config = SmtpConfig::new(
        "127.0.0.1",
        "Онлайн-школа <noreply@school.example>",
        "https://school.example",
    );
    config.port = Some(server.port);
    config.security = SmtpSecurity::Plain;
    config.timeout_secs = 5;
    let email: Arc<dyn Notifier> = Arc::new(EmailNotifier::new(&config).expect("config"));
    School {
        lms,
        onboarding,
        login,
        server,
        notifiers: vec![email],
    }
}

impl School {
    /// Delivers what the outbox holds; returns the link of the newest
    /// message to `to` that leads under `path`.
    async fn link_in_mail(&self, to: &str, path: &str) -> String {
        let report = self
            .lms
            .dispatcher(self.notifiers.clone(), DispatchConfig::default())
            .run_once()
            .await
            .expect("dispatch");
        assert!(report.sent >= 1, "{report:?}");
        let inbox = self.server.received();
        let mail = inbox
            .iter()
            .rev()
            .find(|m| m.to == [to.to_owned()])
            .unwrap_or_else(|| panic!("no mail to {to}"));
        let parsed = MessageParser::default().parse(&mail.raw).expect("parses");
        let text = parsed.body_text(0).expect("text part").into_owned();
        text.split_whitespace()
            .find(|w| w.starts_with(&format!("https://school.example{path}")))
            .unwrap_or_else(|| panic!("no {path} link in {text}"))
            .to_owned()
    }

    async fn logs_in(&self, email: &str, password: &str) -> bool {
        self.login
            .login(
                LoginAttempt {
                    email,
                    password,
                    address: None,
                },
                chrono::Duration::hours(1),
            )
            .await
            .is_ok()
    }
}

#[tokio::test]
async fn the_link_in_an_invitation_e_mail_sets_the_password_and_enrols() {
    let s = school();
    let teacher = add_user(s.lms.storage(), Role::Teacher).await;
    let course = s
        .lms
        .courses
        .create_course(
            &teacher.actor(),
            NewCourse {
                title: Title::parse("Алгебра 9").unwrap(),
                description: RichText::from_plain_text("Курс"),
                owner_id: None,
            },
        )
        .await
        .unwrap();
    s.lms
        .courses
        .set_status(&teacher.actor(), course.id, CourseStatus::Published)
        .await
        .unwrap();
    s.onboarding
        .invite(
            &teacher.actor(),
            NewInvitation {
                email: "ivan@school.example".into(),
                display_name: Some("Иван Петров".into()),
                course_ids: vec![course.id],
                ..NewInvitation::default()
            },
        )
        .await
        .unwrap();
    let link = s.link_in_mail("ivan@school.example", "/invitation/").await;
    let token = link.rsplit('/').next().unwrap();
    let session = s
        .onboarding
        .accept_invitation(token, "пароль-ивана", None, chrono::Duration::hours(1))
        .await
        .expect("the link from the e-mail works");
    assert!(s.logs_in("ivan@school.example", "пароль-ивана").await);
    let students = s
        .lms
        .storage()
        .courses
        .enrolled_students(course.id)
        .await
        .unwrap();
    assert!(students.contains(&session.user.id));
}

#[tokio::test]
async fn the_link_in_a_reset_e_mail_sets_a_new_password() {
    let s = school();
    let student = add_user(s.lms.storage(), Role::Student).await;
    s.onboarding
        .request_password_reset(student.email.as_str(), None)
        .await
        .unwrap();
    let link = s
        .link_in_mail(student.email.as_str(), "/reset-password/")
        .await;
    let token = link.rsplit('/').next().unwrap();
    s.onboarding
        .reset_password(token, "новый-пароль-ученика")
        .await
        .expect("the link from the e-mail works");
    assert!(
        s.logs_in(student.email.as_str(), "новый-пароль-ученика")
            .await
    );
}
