//! Tests of [`OnboardingService`] over the in-memory storage and a fake
//! hasher.

use std::sync::Arc;

use async_trait::async_trait;

use super::*;
use crate::clock::ManualClock;
use crate::course::{Course, CourseStatus};
use crate::notification::{Channel, Notification, OutboxEntry};
use crate::onboarding::{InvitationFilter, InvitationStatus};
use crate::page::Page;
use crate::ports::Storage;
use crate::testkit::conformance::fixtures::{add_course, add_user, enroll, t0};
use crate::testkit::memory::MemoryStorage;
use crate::user::{
    Actor, Email, HasherError, LoginAttempt, LoginLimits, LoginService, PasswordHash, Role, User,
};

/// "Hashes" as `plain:<password>`.
struct FakeHasher;

#[async_trait]
impl PasswordHasher for FakeHasher {
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

struct World {
    storage: Storage,
    clock: Arc<ManualClock>,
    service: OnboardingService,
    login: LoginService,
    admin: User,
    teacher: User,
    course: Course,
}

async fn world_with(config: OnboardingConfig) -> World {
    let storage = MemoryStorage::storage();
    let clock = Arc::new(ManualClock::new(t0()));
    let service = OnboardingService::new(&storage, Arc::new(FakeHasher), clock.clone(), config);
    let login = LoginService::new(
        storage.users.clone(),
        storage.sessions.clone(),
        Arc::new(FakeHasher),
        clock.clone(),
        LoginLimits::default(),
    );
    let admin = add_user(&storage, Role::Admin).await;
    let teacher = add_user(&storage, Role::Teacher).await;
    let course = add_course(&storage, teacher.id, CourseStatus::Published).await;
    World {
        storage,
        clock,
        service,
        login,
        admin,
        teacher,
        course,
    }
}

async fn world() -> World {
    world_with(OnboardingConfig::default()).await
}

const TTL: chrono::Duration = chrono::Duration::hours(1);

fn actor(u: &User) -> Actor {
    u.actor()
}

async fn outbox(w: &World, user: &User) -> Vec<OutboxEntry> {
    w.storage
        .notifications
        .list_user_outbox(user.id, Page::max())
        .await
        .unwrap()
}

async fn by_email(w: &World, email: &str) -> Option<User> {
    w.storage
        .users
        .find_user_by_email(&Email::parse(email).unwrap())
        .await
        .unwrap()
}

/// The token of the newest invitation or reset e-mail to `email`.
async fn link_token(w: &World, email: &str) -> String {
    let user = by_email(w, email).await.expect("account exists");
    let entries = outbox(w, &user).await;
    let entry = entries.first().expect("an e-mail was enqueued");
    assert_eq!(entry.channel, Channel::Email);
    match &entry.notification {
        Notification::Invitation { token, .. } | Notification::PasswordReset { token, .. } => {
            token.clone()
        }
        other => panic!("not an account message: {other:?}"),
    }
}

fn file(w: &World, body: &str) -> Vec<u8> {
    body.replace("{course}", &w.course.id.to_string())
        .into_bytes()
}

async fn login(w: &World, email: &str, password: &str) -> bool {
    w.login
        .login(
            LoginAttempt {
                email,
                password,
                address: None,
            },
            TTL,
        )
        .await
        .is_ok()
}

// ---------------------------------------------------------------- import

#[tokio::test]
async fn a_dry_run_reports_every_row_and_writes_nothing() {
    let w = world().await;
    let csv = file(
        &w,
        "email;name;role;courses\n\
         anna@school.example;Анна Иванова;student;{course}\n\
         not-an-address;Борис;student;\n\
         boris@school.example;Борис Петров;директор;\n\
         vera@school.example;Вера;student;no-such-course\n\
         anna@school.example;Анна;student;\n\
         gleb@school.example;;student;\n",
    );
    let report = w
        .service
        .import_csv(&actor(&w.admin), &csv, true)
        .await
        .unwrap();
    assert!(report.dry_run);
    let codes: Vec<(u32, RowAction, Option<&str>)> = report
        .rows
        .iter()
        .map(|r| (r.line, r.action, r.code.as_deref()))
        .collect();
    assert_eq!(
        codes,
        [
            (2, RowAction::Create, None),
            (3, RowAction::Error, Some("invalid_email")),
            (4, RowAction::Error, Some("invalid_role")),
            (5, RowAction::Error, Some("unknown_course")),
            (6, RowAction::Error, Some("duplicate_email")),
            (7, RowAction::Error, Some("display_name_missing")),
        ]
    );
    assert_eq!(report.counts.create, 1);
    assert_eq!(report.counts.error, 5);
    assert_eq!(report.rows[0].course_ids, [w.course.id]);
    assert!(by_email(&w, "anna@school.example").await.is_none());
}

#[tokio::test]
async fn an_import_writes_good_rows_despite_bad_ones_and_is_safe_to_repeat() {
    let w = world().await;
    let csv = file(
        &w,
        "E-mail,ФИО,Курсы\n\
         anna@school.example,Анна Иванова,{course}\n\
         bad address,Борис,\n\
         vera@school.example,Вера Смирнова,{course}\n",
    );
    let report = w
        .service
        .import_csv(&actor(&w.admin), &csv, false)
        .await
        .unwrap();
    assert_eq!((report.counts.create, report.counts.error), (2, 1));
    let anna = by_email(&w, "anna@school.example").await.unwrap();
    assert!(!anna.active, "an invited account waits for its password");
    assert_eq!(anna.display_name.as_str(), "Анна Иванова");
    assert_eq!(outbox(&w, &anna).await.len(), 1);

    let again = w
        .service
        .import_csv(&actor(&w.admin), &csv, false)
        .await
        .unwrap();
    assert_eq!((again.counts.create, again.counts.skip), (0, 2));
    assert_eq!(again.rows[0].code.as_deref(), Some("already_invited"));
    assert_eq!(outbox(&w, &anna).await.len(), 1, "no second e-mail");
    let invitations = w
        .service
        .list_invitations(&actor(&w.admin), InvitationFilter::default(), Page::max())
        .await
        .unwrap();
    assert_eq!(invitations.len(), 2);
}

#[tokio::test]
async fn existing_accounts_are_enrolled_not_invited() {
    let w = world().await;
    let enrolled = add_user(&w.storage, Role::Student).await;
    enroll(&w.storage, w.course.id, enrolled.id).await;
    let fresh = add_user(&w.storage, Role::Student).await;
    let teacher = add_user(&w.storage, Role::Teacher).await;
    let csv = format!(
        "email;role;courses\n{};student;{c}\n{};ученик;{c}\n{};student;{c}\n{};преподаватель;{c}\n",
        enrolled.email.as_str(),
        fresh.email.as_str(),
        teacher.email.as_str(),
        teacher.email.as_str(),
        c = w.course.id
    );
    let report = w
        .service
        .import_csv(&actor(&w.admin), csv.as_bytes(), false)
        .await
        .unwrap();
    let actions: Vec<RowAction> = report.rows.iter().map(|r| r.action).collect();
    assert_eq!(
        actions,
        [
            RowAction::Skip,
            RowAction::Enrol,
            RowAction::Error,
            RowAction::Error
        ]
    );
    assert_eq!(report.rows[2].code.as_deref(), Some("role_mismatch"));
    assert_eq!(report.rows[3].code.as_deref(), Some("duplicate_email"));
    let students = w
        .storage
        .courses
        .enrolled_students(w.course.id)
        .await
        .unwrap();
    assert!(students.contains(&fresh.id));
    assert!(outbox(&w, &fresh).await.is_empty(), "no invitation e-mail");
}

#[tokio::test]
async fn windows_1251_with_semicolons_is_read() {
    let w = world().await;
    // "email;Имя\nira@school.example;Ирина" in Windows-1251.
    let mut csv = b"email;\xC8\xEC\xFF\n".to_vec();
    csv.extend_from_slice(b"ira@school.example;\xC8\xF0\xE8\xED\xE0\n");
    let report = w
        .service
        .import_csv(&actor(&w.admin), &csv, false)
        .await
        .unwrap();
    assert_eq!(report.counts.create, 1);
    let ira = by_email(&w, "ira@school.example").await.unwrap();
    assert_eq!(ira.display_name.as_str(), "Ирина");
}

#[tokio::test]
async fn only_admins_import_and_files_need_an_email_column() {
    let w = world().await;
    let err = w
        .service
        .import_csv(&actor(&w.teacher), b"email\na@b.ru\n", true)
        .await
        .unwrap_err();
    assert!(matches!(err, InviteError::Forbidden));
    let err = w
        .service
        .import_csv(&actor(&w.admin), b"name;role\nA;student\n", true)
        .await
        .unwrap_err();
    assert!(matches!(err, InviteError::NoEmailColumn));
}

#[tokio::test]
async fn the_report_downloads_as_csv() {
    let w = world().await;
    let report = w
        .service
        .import_csv(&actor(&w.admin), b"email;name\nx;=cmd\n", true)
        .await
        .unwrap();
    let csv = report.to_csv();
    assert!(csv.starts_with("\u{FEFF}line;email;action;courses;code;message\r\n"));
    assert!(csv.contains("2;x;error;;invalid_email;"), "{csv}");
}

// ---------------------------------------------------------------- invitations

#[tokio::test]
async fn an_invitee_sets_a_password_logs_in_and_is_enrolled() {
    let w = world().await;
    let report = w
        .service
        .invite(
            &actor(&w.teacher),
            NewInvitation {
                email: "Dasha@School.example".into(),
                display_name: Some("Даша".into()),
                course_ids: vec![w.course.id],
                ..NewInvitation::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(report.action, RowAction::Create);
    assert!(!login(&w, "dasha@school.example", "секретный-пароль").await);

    let token = link_token(&w, "dasha@school.example").await;
    let preview = w.service.invitation_preview(&token).await.unwrap();
    assert_eq!(preview.email, "dasha@school.example");
    assert_eq!(preview.course_titles, [w.course.title.as_str()]);

    let session = w
        .service
        .accept_invitation(&token, "секретный-пароль", Some("Дарья Котова"), TTL)
        .await
        .unwrap();
    assert!(session.user.active);
    assert_eq!(session.user.display_name.as_str(), "Дарья Котова");
    let students = w
        .storage
        .courses
        .enrolled_students(w.course.id)
        .await
        .unwrap();
    assert!(students.contains(&session.user.id));
    assert!(login(&w, "dasha@school.example", "секретный-пароль").await);

    // The link works once.
    let again = w
        .service
        .accept_invitation(&token, "другой-пароль", None, TTL)
        .await;
    assert!(matches!(again, Err(AcceptError::InvalidToken)));
    let listed = w
        .service
        .list_invitations(
            &actor(&w.teacher),
            InvitationFilter {
                course_id: Some(w.course.id),
                ..InvitationFilter::default()
            },
            Page::max(),
        )
        .await
        .unwrap();
    assert_eq!(listed[0].status, InvitationStatus::Accepted);
}

#[tokio::test]
async fn links_expire_and_a_resend_replaces_them() {
    let w = world().await;
    let new = NewInvitation {
        email: "egor@school.example".into(),
        display_name: Some("Егор".into()),
        ..NewInvitation::default()
    };
    w.service.invite(&actor(&w.admin), new).await.unwrap();
    let old = link_token(&w, "egor@school.example").await;
    w.clock.set(t0() + chrono::Duration::days(8));
    assert!(matches!(
        w.service.invitation_preview(&old).await,
        Err(AcceptError::Expired)
    ));
    let id = w
        .service
        .list_invitations(&actor(&w.admin), InvitationFilter::default(), Page::max())
        .await
        .unwrap()[0]
        .id;
    let resent = w
        .service
        .resend_invitation(&actor(&w.admin), id)
        .await
        .unwrap();
    assert_eq!(resent.send_count, 2);
    let new = link_token(&w, "egor@school.example").await;
    assert_ne!(new, old);
    assert!(matches!(
        w.service.invitation_preview(&old).await,
        Err(AcceptError::InvalidToken)
    ));
    w.service
        .accept_invitation(&new, "пароль-егора", None, TTL)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_revoked_link_stops_working() {
    let w = world().await;
    let new = NewInvitation {
        email: "zoya@school.example".into(),
        display_name: Some("Зоя".into()),
        course_ids: vec![w.course.id],
        ..NewInvitation::default()
    };
    w.service.invite(&actor(&w.teacher), new).await.unwrap();
    let token = link_token(&w, "zoya@school.example").await;
    let id = w
        .service
        .list_invitations(
            &actor(&w.teacher),
            InvitationFilter {
                course_id: Some(w.course.id),
                ..InvitationFilter::default()
            },
            Page::max(),
        )
        .await
        .unwrap()[0]
        .id;
    let revoked = w
        .service
        .revoke_invitation(&actor(&w.teacher), id)
        .await
        .unwrap();
    assert_eq!(revoked.status, InvitationStatus::Revoked);
    assert!(matches!(
        w.service
            .accept_invitation(&token, "пароль-зои-1", None, TTL)
            .await,
        Err(AcceptError::InvalidToken)
    ));
    assert!(matches!(
        w.service.revoke_invitation(&actor(&w.teacher), id).await,
        Err(InviteError::NotPending)
    ));
}

#[tokio::test]
async fn course_owners_invite_students_into_their_own_courses_only() {
    let w = world().await;
    let other_teacher = add_user(&w.storage, Role::Teacher).await;
    let other = add_course(&w.storage, other_teacher.id, CourseStatus::Published).await;
    let student = add_user(&w.storage, Role::Student).await;
    let into = |course: crate::ids::CourseId, role: Role| NewInvitation {
        email: "ivan@school.example".into(),
        display_name: Some("Иван".into()),
        role: Some(role),
        course_ids: vec![course],
        ..NewInvitation::default()
    };
    let err = w
        .service
        .invite(&actor(&w.teacher), into(other.id, Role::Student))
        .await
        .unwrap_err();
    assert!(matches!(err, InviteError::InvalidRow(_)), "{err:?}");
    let err = w
        .service
        .invite(&actor(&w.teacher), into(w.course.id, Role::Teacher))
        .await
        .unwrap_err();
    assert!(matches!(err, InviteError::Forbidden));
    let err = w
        .service
        .invite(&actor(&student), into(w.course.id, Role::Student))
        .await
        .unwrap_err();
    assert!(matches!(err, InviteError::Forbidden));
    let err = w
        .service
        .list_invitations(
            &actor(&w.teacher),
            InvitationFilter {
                course_id: Some(other.id),
                ..InvitationFilter::default()
            },
            Page::max(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, InviteError::Forbidden));
    // An admin's invitation is not the teacher's to revoke.
    w.service
        .invite(&actor(&w.admin), into(other.id, Role::Student))
        .await
        .unwrap();
    let id = w
        .service
        .list_invitations(&actor(&w.admin), InvitationFilter::default(), Page::max())
        .await
        .unwrap()[0]
        .id;
    assert!(matches!(
        w.service.revoke_invitation(&actor(&w.teacher), id).await,
        Err(InviteError::NotFound)
    ));
}

#[tokio::test]
async fn inviting_an_active_account_just_enrols_it() {
    let w = world().await;
    let student = add_user(&w.storage, Role::Student).await;
    let report = w
        .service
        .invite(
            &actor(&w.teacher),
            NewInvitation {
                email: student.email.as_str().to_owned(),
                course_ids: vec![w.course.id],
                ..NewInvitation::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(report.action, RowAction::Enrol);
    assert!(outbox(&w, &student).await.is_empty());
    let students = w
        .storage
        .courses
        .enrolled_students(w.course.id)
        .await
        .unwrap();
    assert!(students.contains(&student.id));
}

#[tokio::test]
async fn a_second_invitation_widens_the_courses_joined_on_acceptance() {
    let w = world().await;
    let second = add_course(&w.storage, w.teacher.id, CourseStatus::Draft).await;
    for course in [w.course.id, second.id] {
        w.service
            .invite(
                &actor(&w.teacher),
                NewInvitation {
                    email: "lena@school.example".into(),
                    display_name: Some("Лена".into()),
                    course_ids: vec![course],
                    ..NewInvitation::default()
                },
            )
            .await
            .unwrap();
    }
    let token = link_token(&w, "lena@school.example").await;
    let session = w
        .service
        .accept_invitation(&token, "пароль-лены", None, TTL)
        .await
        .unwrap();
    for course in [w.course.id, second.id] {
        let students = w.storage.courses.enrolled_students(course).await.unwrap();
        assert!(students.contains(&session.user.id));
    }
}

// ---------------------------------------------------------------- password reset

#[tokio::test]
async fn a_reset_request_answers_the_same_for_unknown_addresses() {
    let w = world().await;
    let student = add_user(&w.storage, Role::Student).await;
    let ip = Some("10.0.0.1".parse().unwrap());
    w.service
        .request_password_reset("nobody@school.example", ip)
        .await
        .unwrap();
    w.service
        .request_password_reset(student.email.as_str(), ip)
        .await
        .unwrap();
    w.service
        .request_password_reset("not an address", ip)
        .await
        .unwrap();
    assert_eq!(outbox(&w, &student).await.len(), 1);
}

#[tokio::test]
async fn a_reset_link_sets_the_password_once_and_ends_every_session() {
    let w = world().await;
    let student = add_user(&w.storage, Role::Student).await;
    let old_session = w
        .login
        .login(
            LoginAttempt {
                email: student.email.as_str(),
                password: "wrong",
                address: None,
            },
            TTL,
        )
        .await;
    assert!(old_session.is_err());
    w.storage
        .users
        .set_password_hash(student.id, &PasswordHash("plain:старый-пароль".into()))
        .await
        .unwrap();
    let old = w
        .login
        .login(
            LoginAttempt {
                email: student.email.as_str(),
                password: "старый-пароль",
                address: None,
            },
            TTL,
        )
        .await
        .unwrap();
    w.service
        .request_password_reset(student.email.as_str(), None)
        .await
        .unwrap();
    let token = link_token(&w, student.email.as_str()).await;
    assert!(matches!(
        w.service.reset_password(&token, "short").await,
        Err(AcceptError::PasswordTooShort)
    ));
    w.service
        .reset_password(&token, "новый-пароль")
        .await
        .unwrap();
    assert!(login(&w, student.email.as_str(), "новый-пароль").await);
    assert!(!login(&w, student.email.as_str(), "старый-пароль").await);
    assert!(
        w.storage
            .sessions
            .get_session(&old.session.token_hash)
            .await
            .unwrap()
            .is_none(),
        "the old session ended"
    );
    assert!(matches!(
        w.service.reset_password(&token, "третий-пароль").await,
        Err(AcceptError::InvalidToken)
    ));
}

#[tokio::test]
async fn reset_links_expire() {
    let w = world().await;
    let student = add_user(&w.storage, Role::Student).await;
    w.service
        .send_password_reset(&actor(&w.admin), student.id)
        .await
        .unwrap();
    let token = link_token(&w, student.email.as_str()).await;
    w.clock.set(t0() + chrono::Duration::hours(2));
    assert!(matches!(
        w.service.reset_password(&token, "новый-пароль").await,
        Err(AcceptError::Expired)
    ));
    assert!(matches!(
        w.service
            .send_password_reset(&actor(&w.teacher), student.id)
            .await,
        Err(ResetRequestError::Forbidden)
    ));
}

#[tokio::test]
async fn reset_requests_are_budgeted_per_account_and_per_address() {
    let w = world_with(OnboardingConfig {
        resets_per_account: 2,
        requests_per_address: 4,
        ..OnboardingConfig::default()
    })
    .await;
    let student = add_user(&w.storage, Role::Student).await;
    for _ in 0..3 {
        w.service
            .request_password_reset(student.email.as_str(), None)
            .await
            .unwrap();
    }
    assert_eq!(
        outbox(&w, &student).await.len(),
        2,
        "a mailbox is not flooded"
    );
    let ip = Some("10.0.0.9".parse().unwrap());
    for i in 0..4 {
        w.service
            .request_password_reset(&format!("x{i}@school.example"), ip)
            .await
            .unwrap();
    }
    let err = w
        .service
        .request_password_reset("y@school.example", ip)
        .await
        .unwrap_err();
    assert!(matches!(err, ResetRequestError::Throttled { .. }));
}

// ---------------------------------------------------------------- registration

fn form(code: &str) -> Registration {
    Registration {
        email: "self@school.example".into(),
        display_name: "Сам Записался".into(),
        password: "пароль-самого".into(),
        invite_code: code.into(),
        locale: crate::user::Locale::Ru,
        time_zone: None,
    }
}

#[tokio::test]
async fn self_registration_is_off_by_default() {
    let w = world().await;
    let code = w.course.invite_code.clone().unwrap();
    assert!(matches!(
        w.service.register(form(code.as_str()), None, TTL).await,
        Err(RegisterError::Disabled)
    ));
}

#[tokio::test]
async fn self_registration_with_a_course_code_enrols_and_logs_in() {
    let w = world_with(OnboardingConfig {
        self_registration: true,
        ..OnboardingConfig::default()
    })
    .await;
    let code = w.course.invite_code.clone().unwrap();
    assert!(matches!(
        w.service.register(form("WRONG-CODE"), None, TTL).await,
        Err(RegisterError::InvalidCode)
    ));
    let session = w
        .service
        .register(form(code.as_str()), None, TTL)
        .await
        .unwrap();
    assert_eq!(session.user.role, Role::Student);
    let students = w
        .storage
        .courses
        .enrolled_students(w.course.id)
        .await
        .unwrap();
    assert!(students.contains(&session.user.id));
    assert!(matches!(
        w.service.register(form(code.as_str()), None, TTL).await,
        Err(RegisterError::EmailTaken)
    ));
}
