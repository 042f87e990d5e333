//! A school on the in-memory reference storage with a manual clock and an
//! admin, for the journeys over the core's services.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone as _, Utc};
use lms_core::clock::ManualClock;
use lms_core::course::{CourseStatus, NewCourse, NewGroup, Title};
use lms_core::group::{Group, GroupName};
use lms_core::richtext::RichText;
use lms_core::testkit::memory::MemoryStorage;
use lms_core::user::{DisplayName, Email, Locale, NewUser, Role, TimeZone, User};
use lms_core::{Actor, CourseId, Lms, UserId};

/// A new account without a password.
pub fn new_user(email: &str, name: &str, role: Role) -> NewUser {
    NewUser {
        email: Email::parse(email).unwrap(),
        display_name: DisplayName::parse(name).unwrap(),
        role,
        locale: Locale::Ru,
        time_zone: TimeZone::default(),
        password_hash: None,
    }
}

/// Every service on one in-memory storage, its clock and its admin.
pub struct School {
    /// When the school opened (the clock's start).
    pub t0: DateTime<Utc>,
    /// The clock the services read.
    pub clock: Arc<ManualClock>,
    /// The services.
    pub lms: Lms,
    /// The school's admin.
    pub admin: Actor,
}

impl School {
    /// An empty school with its admin, on 1 September 2026 at 09:00 UTC.
    pub async fn open() -> Self {
        let t0 = Utc.with_ymd_and_hms(2026, 9, 1, 9, 0, 0).unwrap();
        let clock = Arc::new(ManualClock::new(t0));
        let storage = MemoryStorage::storage();
        let admin = User {
            id: UserId::new(),
            email: Email::parse("admin@school.example").unwrap(),
            display_name: DisplayName::parse("Админ").unwrap(),
            role: Role::Admin,
            locale: Locale::Ru,
            time_zone: TimeZone::default(),
            active: true,
            created_at: t0,
        };
        storage.users.insert_user(&admin, None).await.unwrap();
        let lms = Lms::new(storage, clock.clone(), Vec::new());
        Self {
            t0,
            clock,
            lms,
            admin: admin.actor(),
        }
    }

    /// An account created by the admin.
    pub async fn user(&self, email: &str, name: &str, role: Role) -> Actor {
        self.lms
            .users
            .create_user(&self.admin, new_user(email, name, role))
            .await
            .unwrap()
            .actor()
    }

    /// A published course of `teacher` with these assistants.
    pub async fn published_course(
        &self,
        teacher: &Actor,
        title: &str,
        assistants: &[&Actor],
    ) -> lms_core::course::Course {
        let lms = &self.lms;
        let course = lms
            .courses
            .create_course(
                teacher,
                NewCourse {
                    title: Title::parse(title).unwrap(),
                    description: RichText::default(),
                    owner_id: None,
                },
            )
            .await
            .unwrap();
        for a in assistants {
            lms.courses
                .add_assistant(teacher, course.id, a.user_id)
                .await
                .unwrap();
        }
        lms.courses
            .set_status(teacher, course.id, CourseStatus::Published)
            .await
            .unwrap()
    }

    /// A group of the course with one mentor, created by its owner.
    pub async fn group(
        &self,
        owner: &Actor,
        course: CourseId,
        name: &str,
        mentor: &Actor,
    ) -> Group {
        self.lms
            .courses
            .create_group(
                owner,
                course,
                NewGroup {
                    name: GroupName::parse(name).unwrap(),
                    mentor_ids: vec![mentor.user_id],
                },
            )
            .await
            .unwrap()
    }
}
