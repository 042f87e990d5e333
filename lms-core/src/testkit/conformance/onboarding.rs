//! Conformance of [`OnboardingStore`](crate::onboarding::OnboardingStore):
//! invitations, password resets and onboarding batches.

use super::fixtures::{
    add_course, add_user, assert_conflict, assert_not_found, at, enroll, ok, t0,
};
use crate::course::{CourseStatus, Enrollment, EnrollmentSource};
use crate::error::Conflict;
use crate::ids::{CourseId, InvitationId, UserId};
use crate::notification::{Channel, Notification, OutboxEntry};
use crate::onboarding::{
    Acceptance, Invitation, InvitationFilter, InvitationStatus, OnboardingBatch, PasswordReset,
};
use crate::page::Page;
use crate::ports::Storage;
use crate::user::{
    DisplayName, Email, Locale, PasswordHash, Role, TimeZone, TokenHash, User, generate_token,
};

fn new_user(email: &str) -> User {
    User {
        id: UserId::new(),
        email: Email::parse(email).expect("valid"),
        display_name: DisplayName::parse("Новый Ученик").expect("valid"),
        role: Role::Student,
        locale: Locale::Ru,
        time_zone: TimeZone::default(),
        active: false,
        created_at: t0(),
    }
}

fn invitation(user: &User, courses: Vec<CourseId>, by: UserId, minutes: i64) -> Invitation {
    Invitation {
        id: InvitationId::new(),
        user_id: user.id,
        email: user.email.clone(),
        role: user.role,
        course_ids: courses,
        invited_by: by,
        status: InvitationStatus::Pending,
        send_count: 1,
        created_at: at(minutes),
        expires_at: at(minutes + 7 * 24 * 60),
        closed_at: None,
        token_hash: Some(TokenHash::of(&generate_token())),
    }
}

fn email_to(user: UserId, key: &str) -> OutboxEntry {
    OutboxEntry::new(
        user,
        Channel::Email,
        key,
        Notification::PasswordReset {
            token: "t".into(),
            expires_at: at(60),
        },
        t0(),
    )
}

/// A batch writes accounts, invitations and e-mails; the state, the token
/// look-up and the filtered list read them back.
pub async fn batches_round_trip(storage: Storage) {
    let admin = add_user(&storage, Role::Admin).await;
    let course = add_course(&storage, admin.id, CourseStatus::Published).await;
    let anna = new_user("anna_x@school.example");
    let boris = new_user("boris@school.example");
    let inv_a = invitation(&anna, vec![course.id], admin.id, 0);
    let inv_b = invitation(&boris, Vec::new(), admin.id, 1);
    let batch = OnboardingBatch {
        new_users: vec![(anna.clone(), None), (boris.clone(), None)],
        invitations: vec![inv_a.clone(), inv_b.clone()],
        outbox: vec![email_to(anna.id, "a"), email_to(boris.id, "b")],
        ..OnboardingBatch::default()
    };
    ok(storage.onboarding.commit_onboarding(&batch).await, "commit");
    let got = ok(storage.users.get_user(anna.id).await, "get_user");
    assert_eq!(got, Some(anna.clone()), "the inactive account reads back");
    let state = ok(
        storage
            .onboarding
            .onboarding_state(
                &[anna.email.clone(), Email::parse("x@y.example").unwrap()],
                &[course.id],
            )
            .await,
        "onboarding_state",
    );
    assert_eq!(state.users, vec![anna.clone()]);
    assert_eq!(state.pending, vec![inv_a.clone()]);
    let hash = inv_a.token_hash.clone().unwrap();
    assert_eq!(
        ok(
            storage.onboarding.invitation_by_token(&hash).await,
            "by token"
        ),
        Some(inv_a.clone())
    );
    assert_eq!(
        ok(storage.onboarding.get_invitation(inv_b.id).await, "get"),
        Some(inv_b.clone())
    );
    let list = |filter: InvitationFilter| {
        let storage = storage.clone();
        async move {
            ok(
                storage
                    .onboarding
                    .list_invitations(&filter, Page::max())
                    .await,
                "list_invitations",
            )
        }
    };
    assert_eq!(
        list(InvitationFilter::default()).await,
        vec![inv_b.clone(), inv_a.clone()],
        "newest first"
    );
    assert_eq!(
        list(InvitationFilter {
            course_id: Some(course.id),
            ..InvitationFilter::default()
        })
        .await,
        vec![inv_a.clone()]
    );
    assert_eq!(
        list(InvitationFilter {
            email_prefix: Some("anna_".into()),
            ..InvitationFilter::default()
        })
        .await,
        vec![inv_a.clone()]
    );
    assert!(
        list(InvitationFilter {
            email_prefix: Some("ann%".into()),
            ..InvitationFilter::default()
        })
        .await
        .is_empty(),
        "a % in the prefix is no wildcard"
    );
    assert!(
        list(InvitationFilter {
            status: Some(InvitationStatus::Accepted),
            ..InvitationFilter::default()
        })
        .await
        .is_empty()
    );
    let outbox = ok(
        storage
            .notifications
            .list_user_outbox(anna.id, Page::max())
            .await,
        "list_user_outbox",
    );
    assert_eq!(outbox.len(), 1, "the invitation e-mail is enqueued");
}

/// A batch with a taken address writes nothing at all.
pub async fn a_batch_with_a_taken_address_writes_nothing(storage: Storage) {
    let admin = add_user(&storage, Role::Admin).await;
    let fresh = new_user("fresh@school.example");
    let taken = new_user(admin.email.as_str());
    let batch = OnboardingBatch {
        new_users: vec![(fresh.clone(), None), (taken.clone(), None)],
        invitations: vec![invitation(&fresh, Vec::new(), admin.id, 0)],
        outbox: vec![email_to(fresh.id, "fresh")],
        ..OnboardingBatch::default()
    };
    assert_conflict(
        storage.onboarding.commit_onboarding(&batch).await,
        Conflict::Email,
        "a taken address",
    );
    assert_eq!(ok(storage.users.get_user(fresh.id).await, "get_user"), None);
    assert!(
        ok(
            storage
                .onboarding
                .list_invitations(&InvitationFilter::default(), Page::max())
                .await,
            "list"
        )
        .is_empty(),
        "no invitation of a failed batch stays"
    );
}

/// Enrolments and assistant assignments of a batch keep existing ones.
pub async fn batch_enrolments_keep_existing_ones(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let assistant = add_user(&storage, Role::Assistant).await;
    let course = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let s1 = add_user(&storage, Role::Student).await;
    let s2 = add_user(&storage, Role::Student).await;
    enroll(&storage, course.id, s1.id).await;
    let enrolment = |s: UserId| Enrollment {
        course_id: course.id,
        student_id: s,
        source: EnrollmentSource::Staff,
        enrolled_at: at(5),
    };
    let batch = OnboardingBatch {
        enrollments: vec![enrolment(s1.id), enrolment(s2.id)],
        assistants: vec![(course.id, assistant.id)],
        ..OnboardingBatch::default()
    };
    ok(storage.onboarding.commit_onboarding(&batch).await, "commit");
    ok(storage.onboarding.commit_onboarding(&batch).await, "again");
    let mut students = ok(
        storage.courses.enrolled_students(course.id).await,
        "enrolled",
    );
    students.sort();
    let mut want = vec![s1.id, s2.id];
    want.sort();
    assert_eq!(students, want);
    let state = ok(
        storage
            .onboarding
            .onboarding_state(&[s2.email.clone(), assistant.email.clone()], &[course.id])
            .await,
        "state",
    );
    assert_eq!(state.enrollments, vec![(course.id, s2.id)]);
    assert_eq!(state.assistants, vec![(course.id, assistant.id)]);
}

/// An update replaces the invitation and enqueues its e-mail; an unknown
/// one is `NotFound`.
pub async fn invitations_are_updated(storage: Storage) {
    let admin = add_user(&storage, Role::Admin).await;
    let user = new_user("upd@school.example");
    let first = invitation(&user, Vec::new(), admin.id, 0);
    let batch = OnboardingBatch {
        new_users: vec![(user.clone(), None)],
        invitations: vec![first.clone()],
        ..OnboardingBatch::default()
    };
    ok(storage.onboarding.commit_onboarding(&batch).await, "commit");
    let mut resent = first.clone();
    resent.send_count = 2;
    resent.token_hash = Some(TokenHash::of(&generate_token()));
    resent.expires_at = at(10_000);
    ok(
        storage
            .onboarding
            .update_invitation(&resent, &[email_to(user.id, "resend")])
            .await,
        "update",
    );
    assert_eq!(
        ok(storage.onboarding.get_invitation(first.id).await, "get"),
        Some(resent.clone())
    );
    assert_eq!(
        ok(
            storage
                .onboarding
                .invitation_by_token(first.token_hash.as_ref().unwrap())
                .await,
            "old token"
        ),
        None,
        "the old link is gone"
    );
    assert_eq!(
        ok(
            storage
                .notifications
                .list_user_outbox(user.id, Page::max())
                .await,
            "outbox"
        )
        .len(),
        1
    );
    let unknown = invitation(&user, Vec::new(), admin.id, 0);
    assert_not_found(
        storage.onboarding.update_invitation(&unknown, &[]).await,
        "updating an unknown invitation",
    );
}

/// Accepting sets the password, activates, closes the invitations and
/// enrols; accepting again is `Stale` and changes nothing.
pub async fn acceptance_activates_and_enrols_once(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let course = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let user = new_user("acc@school.example");
    let inv = invitation(&user, vec![course.id], teacher.id, 0);
    let batch = OnboardingBatch {
        new_users: vec![(user.clone(), None)],
        invitations: vec![inv.clone()],
        ..OnboardingBatch::default()
    };
    ok(storage.onboarding.commit_onboarding(&batch).await, "commit");
    let acceptance = Acceptance {
        user_id: user.id,
        password_hash: PasswordHash("$argon2id$accepted".into()),
        display_name: Some(DisplayName::parse("Новое Имя").unwrap()),
        invitations: vec![inv.id],
        enrollments: vec![Enrollment {
            course_id: course.id,
            student_id: user.id,
            source: EnrollmentSource::Staff,
            enrolled_at: at(3),
        }],
        assistants: Vec::new(),
        at: at(3),
    };
    ok(
        storage.onboarding.accept_invitations(&acceptance).await,
        "accept",
    );
    let got = ok(storage.users.get_user(user.id).await, "get_user").unwrap();
    assert!(got.active);
    assert_eq!(got.display_name.as_str(), "Новое Имя");
    let creds = ok(
        storage.users.credentials_by_email(&user.email).await,
        "credentials",
    );
    assert_eq!(
        creds.map(|(_, h)| h),
        Some(acceptance.password_hash.clone())
    );
    let stored = ok(storage.onboarding.get_invitation(inv.id).await, "get").unwrap();
    assert_eq!(stored.status, InvitationStatus::Accepted);
    assert_eq!(stored.closed_at, Some(at(3)));
    assert_eq!(stored.token_hash, None, "an accepted link is gone");
    assert!(
        ok(
            storage.onboarding.pending_invitations(user.id).await,
            "pending"
        )
        .is_empty()
    );
    assert!(
        ok(
            storage.courses.enrolled_students(course.id).await,
            "enrolled"
        )
        .contains(&user.id)
    );
    let again = Acceptance {
        password_hash: PasswordHash("$argon2id$second".into()),
        ..acceptance
    };
    assert_conflict(
        storage.onboarding.accept_invitations(&again).await,
        Conflict::Stale,
        "accepting twice",
    );
    let creds = ok(
        storage.users.credentials_by_email(&user.email).await,
        "credentials",
    );
    assert_eq!(
        creds.map(|(_, h)| h.0),
        Some("$argon2id$accepted".to_owned()),
        "a refused acceptance changes no password"
    );
}

/// A reset token is taken once, together with every other token of the
/// account; expired ones are purged.
pub async fn password_resets_are_taken_once(storage: Storage) {
    let user = add_user(&storage, Role::Student).await;
    let other = add_user(&storage, Role::Student).await;
    let reset = |u: UserId, expires: i64| PasswordReset {
        token_hash: TokenHash::of(&generate_token()),
        user_id: u,
        created_at: t0(),
        expires_at: at(expires),
    };
    let first = reset(user.id, 60);
    let second = reset(user.id, 60);
    let others = reset(other.id, 10);
    for (i, r) in [&first, &second, &others].into_iter().enumerate() {
        ok(
            storage
                .onboarding
                .insert_password_reset(r, &email_to(r.user_id, &format!("r{i}")))
                .await,
            "insert reset",
        );
    }
    assert_eq!(
        ok(
            storage
                .onboarding
                .take_password_reset(&first.token_hash)
                .await,
            "take"
        ),
        Some(first.clone())
    );
    assert_eq!(
        ok(
            storage
                .onboarding
                .take_password_reset(&first.token_hash)
                .await,
            "take again"
        ),
        None,
        "a token works once"
    );
    assert_eq!(
        ok(
            storage
                .onboarding
                .take_password_reset(&second.token_hash)
                .await,
            "take the other"
        ),
        None,
        "using one link ends the account's other links"
    );
    assert_eq!(
        ok(
            storage
                .onboarding
                .delete_expired_password_resets(at(30))
                .await,
            "purge"
        ),
        1
    );
    assert_eq!(
        ok(
            storage
                .onboarding
                .take_password_reset(&others.token_hash)
                .await,
            "purged"
        ),
        None
    );
}

/// Of simultaneous takes of one token, exactly one gets it.
pub async fn concurrent_takes_of_a_reset_succeed_once(storage: Storage) {
    let user = add_user(&storage, Role::Student).await;
    let r = PasswordReset {
        token_hash: TokenHash::of(&generate_token()),
        user_id: user.id,
        created_at: t0(),
        expires_at: at(60),
    };
    ok(
        storage
            .onboarding
            .insert_password_reset(&r, &email_to(user.id, "race"))
            .await,
        "insert",
    );
    let takes = (0..8).map(|_| {
        let storage = storage.clone();
        let hash = r.token_hash.clone();
        async move {
            super::fixtures::retry_transient(|| storage.onboarding.take_password_reset(&hash)).await
        }
    });
    let results = futures::future::join_all(takes).await;
    let won = results
        .into_iter()
        .map(|r| ok(r, "take"))
        .filter(Option::is_some)
        .count();
    assert_eq!(won, 1, "exactly one take gets the token");
}
