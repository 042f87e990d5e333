//! Tests of [`UserService`] with mocked ports.

use super::*;
use crate::clock::ManualClock;
use crate::error::DomainError;
use crate::user::ports::{MockSessionStore, MockUserStore};
use chrono::{DateTime, Duration, TimeZone as _, Utc};
use std::sync::Mutex;

const NON_ADMINS: [Role; 3] = [Role::Teacher, Role::Assistant, Role::Student];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap()
}

fn user(role: Role) -> User {
    User {
        id: UserId::new(),
        email: Email::parse(&format!("{}@school.ru", UserId::new())).unwrap(),
        display_name: DisplayName::parse("Анна Петрова").unwrap(),
        role,
        locale: Locale::Ru,
        time_zone: TimeZone::default(),
        active: true,
        created_at: now() - Duration::days(30),
    }
}

fn actor(role: Role) -> Actor {
    Actor {
        user_id: UserId::new(),
        role,
    }
}

fn service(users: MockUserStore, sessions: MockSessionStore) -> UserService {
    UserService::new(
        Arc::new(users),
        Arc::new(sessions),
        Arc::new(ManualClock::new(now())),
    )
}

fn returns_user(users: &mut MockUserStore, u: &User) {
    let u = u.clone();
    let id = u.id;
    users
        .expect_get_user()
        .withf(move |x| *x == id)
        .returning(move |_| Ok(Some(u.clone())));
}

fn new_user() -> NewUser {
    NewUser {
        email: Email::parse("New.Teacher@School.ru").unwrap(),
        display_name: DisplayName::parse("Иван Иванов").unwrap(),
        role: Role::Teacher,
        locale: Locale::En,
        time_zone: TimeZone::parse("Asia/Yekaterinburg").unwrap(),
        password_hash: Some(PasswordHash("$argon2id$v=19$abc".into())),
    }
}

fn profile() -> ProfileUpdate {
    ProfileUpdate {
        display_name: DisplayName::parse("Анна Сидорова").unwrap(),
        locale: Locale::En,
        time_zone: TimeZone::parse("Asia/Vladivostok").unwrap(),
    }
}

mod accounts;
mod roles_and_access;
mod sessions;
