//! The school's directory: admins search, filter and export accounts;
//! course owners find accounts to enrol or assign by name or e-mail without
//! seeing the whole directory.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{ManageUserError, UserService};
use crate::bulk::BulkOutcome;
use crate::error::StorageError;
use crate::ids::UserId;
use crate::page::Page;
use crate::policy;
use crate::spreadsheet::SpreadsheetCsv;
use crate::user::model::{Actor, Role, User, UserFilter};

/// The most matches [`UserService::find_accounts`] returns.
pub const MAX_ACCOUNT_MATCHES: u32 = 20;
/// The shortest text [`UserService::find_accounts`] searches for.
pub const MIN_ACCOUNT_QUERY_CHARS: usize = 2;
/// The most accounts one export holds.
pub const MAX_EXPORT_ROWS: usize = 100_000;

/// What a course owner sees of an account they search for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountMatch {
    /// The account.
    pub id: UserId,
    /// Its name.
    pub display_name: String,
    /// Its address.
    pub email: String,
    /// Its school role.
    pub role: Role,
}

/// Why the directory could not be searched.
#[derive(Debug, Error)]
pub enum DirectoryError {
    /// Admins search the directory; teachers find accounts by name or
    /// e-mail; others may do neither.
    #[error("not allowed to search accounts")]
    Forbidden,
    /// The search text is too long, or too short for a course owner's
    /// search (the message names the field).
    #[error("q: {0}")]
    InvalidQuery(String),
    /// A bulk request named more than 500 accounts.
    #[error("user_ids: at most 500 at once")]
    TooMany,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(DirectoryError {
    Forbidden => (Forbidden, "forbidden"),
    InvalidQuery(_) => (Invalid, "invalid_field"),
    TooMany => (Invalid, "invalid_field"),
});

fn check_query(filter: &UserFilter) -> Result<(), DirectoryError> {
    if filter
        .query
        .as_ref()
        .is_some_and(|q| q.len() > UserFilter::MAX_QUERY_BYTES)
    {
        return Err(DirectoryError::InvalidQuery(format!(
            "at most {} bytes",
            UserFilter::MAX_QUERY_BYTES
        )));
    }
    Ok(())
}

impl UserService {
    /// Activates or deactivates many accounts (admins only): one outcome
    /// per account, in the order given; an admin's own account is never
    /// deactivated. Deactivation ends the accounts' sessions. At most
    /// [`crate::bulk::MAX_BULK_ITEMS`].
    pub async fn set_active_many(
        &self,
        actor: &Actor,
        ids: &[UserId],
        active: bool,
    ) -> Result<Vec<BulkOutcome>, DirectoryError> {
        if !policy::can_manage_users(actor) {
            return Err(DirectoryError::Forbidden);
        }
        let ids = crate::bulk::distinct(ids).ok_or(DirectoryError::TooMany)?;
        let done = if active { "activated" } else { "deactivated" };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(match self.set_active(actor, id, active).await {
                Ok(_) => BulkOutcome::new(id, true, done),
                Err(ManageUserError::NotFound) => BulkOutcome::new(id, false, "user_not_found"),
                Err(ManageUserError::OwnDeactivation) => {
                    BulkOutcome::new(id, false, "cannot_deactivate_self")
                }
                Err(ManageUserError::Storage(e)) => return Err(e.into()),
                Err(_) => return Err(DirectoryError::Forbidden),
            });
        }
        Ok(out)
    }

    /// Accounts matching `filter`, ordered by e-mail (admins only).
    pub async fn search_users(
        &self,
        actor: &Actor,
        filter: UserFilter,
        page: Page,
    ) -> Result<Vec<User>, DirectoryError> {
        if !policy::can_manage_users(actor) {
            return Err(DirectoryError::Forbidden);
        }
        check_query(&filter)?;
        Ok(self.users.search_users(&filter, page).await?)
    }

    /// Active accounts whose name or e-mail starts with `query` (at least
    /// two characters), at most [`MAX_ACCOUNT_MATCHES`], with name, e-mail
    /// and role only: how a teacher finds a student to enrol or a colleague
    /// to assign without reading the directory.
    pub async fn find_accounts(
        &self,
        actor: &Actor,
        query: &str,
        role: Option<Role>,
    ) -> Result<Vec<AccountMatch>, DirectoryError> {
        if !policy::can_manage_users(actor) && !policy::can_create_course(actor) {
            return Err(DirectoryError::Forbidden);
        }
        let filter = UserFilter {
            query: Some(query.to_owned()),
            role,
            active: Some(true),
            ..UserFilter::default()
        };
        check_query(&filter)?;
        if query.trim().chars().count() < MIN_ACCOUNT_QUERY_CHARS {
            return Err(DirectoryError::InvalidQuery(format!(
                "type at least {MIN_ACCOUNT_QUERY_CHARS} characters"
            )));
        }
        let found = self
            .users
            .search_users(&filter, Page::new(MAX_ACCOUNT_MATCHES, 0))
            .await?;
        Ok(found
            .into_iter()
            .map(|u| AccountMatch {
                id: u.id,
                display_name: u.display_name.as_str().to_owned(),
                email: u.email.as_str().to_owned(),
                role: u.role,
            })
            .collect())
    }

    /// Every account matching `filter` as a CSV file (`;`-separated, UTF-8
    /// with a byte-order mark, for Excel): e-mail, name, role, active,
    /// language, time zone, created. Admins only.
    pub async fn export_users_csv(
        &self,
        actor: &Actor,
        filter: UserFilter,
    ) -> Result<String, DirectoryError> {
        if !policy::can_manage_users(actor) {
            return Err(DirectoryError::Forbidden);
        }
        check_query(&filter)?;
        let mut csv = SpreadsheetCsv::new(b';');
        csv.row([
            "email",
            "display_name",
            "role",
            "active",
            "locale",
            "time_zone",
            "created_at",
        ]);
        let mut offset = 0u32;
        loop {
            let page = self
                .users
                .search_users(&filter, Page::new(Page::MAX_LIMIT, offset))
                .await?;
            for u in &page {
                csv.row([
                    u.email.as_str(),
                    u.display_name.as_str(),
                    u.role.as_str(),
                    if u.active { "true" } else { "false" },
                    u.locale.as_str(),
                    u.time_zone.name(),
                    &u.created_at.to_rfc3339(),
                ]);
            }
            let got = u32::try_from(page.len()).unwrap_or(u32::MAX);
            offset = offset.saturating_add(got);
            if got < Page::MAX_LIMIT || offset as usize >= MAX_EXPORT_ROWS {
                return Ok(csv.finish());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;
    use crate::testkit::conformance::fixtures::{t0, user_with_email};
    use crate::testkit::memory::MemoryStorage;

    async fn service_with(users: &[User]) -> UserService {
        let storage = MemoryStorage::storage();
        for u in users {
            storage.users.insert_user(u, None).await.unwrap();
        }
        UserService::new(
            storage.users.clone(),
            storage.sessions.clone(),
            Arc::new(ManualClock::new(t0())),
        )
    }

    #[tokio::test]
    async fn teachers_find_a_few_active_accounts_with_name_and_email_only() {
        let mut gone = user_with_email(Role::Student, "anna.gone@school.example");
        gone.active = false;
        let anna = user_with_email(Role::Student, "anna@school.example");
        let teacher = user_with_email(Role::Teacher, "t@school.example");
        let student = user_with_email(Role::Student, "s@school.example");
        let svc = service_with(&[gone, anna.clone(), teacher.clone(), student.clone()]).await;
        let found = svc
            .find_accounts(&teacher.actor(), "anna", None)
            .await
            .unwrap();
        assert_eq!(
            found,
            [AccountMatch {
                id: anna.id,
                display_name: anna.display_name.as_str().to_owned(),
                email: "anna@school.example".to_owned(),
                role: Role::Student,
            }]
        );
        assert!(matches!(
            svc.find_accounts(&teacher.actor(), "a", None).await,
            Err(DirectoryError::InvalidQuery(_))
        ));
        assert!(matches!(
            svc.find_accounts(&student.actor(), "anna", None).await,
            Err(DirectoryError::Forbidden)
        ));
        assert!(matches!(
            svc.search_users(&teacher.actor(), UserFilter::default(), Page::max())
                .await,
            Err(DirectoryError::Forbidden)
        ));
    }

    #[tokio::test]
    async fn admins_deactivate_many_but_never_themselves() {
        let admin = user_with_email(Role::Admin, "admin@school.example");
        let a = user_with_email(Role::Student, "a@school.example");
        let b = user_with_email(Role::Student, "b@school.example");
        let svc = service_with(&[admin.clone(), a.clone(), b.clone()]).await;
        let unknown = UserId::new();
        let out = svc
            .set_active_many(
                &admin.actor(),
                &[a.id, admin.id, unknown, a.id, b.id],
                false,
            )
            .await
            .unwrap();
        let codes: Vec<(&str, bool)> = out.iter().map(|o| (o.code.as_str(), o.ok)).collect();
        assert_eq!(
            codes,
            [
                ("deactivated", true),
                ("cannot_deactivate_self", false),
                ("user_not_found", false),
                ("deactivated", true)
            ]
        );
        assert!(!svc.get_user(&admin.actor(), b.id).await.unwrap().active);
        assert!(svc.get_user(&admin.actor(), admin.id).await.unwrap().active);
        assert!(matches!(
            svc.set_active_many(&a.actor(), &[b.id], true).await,
            Err(DirectoryError::Forbidden)
        ));
        let many = vec![a.id; crate::bulk::MAX_BULK_ITEMS + 1];
        assert!(matches!(
            svc.set_active_many(&admin.actor(), &many, true).await,
            Err(DirectoryError::TooMany)
        ));
    }

    #[tokio::test]
    async fn the_export_holds_every_matching_account_across_pages() {
        let admin = user_with_email(Role::Admin, "admin@school.example");
        let mut users = vec![admin.clone()];
        for i in 0..450 {
            users.push(user_with_email(
                Role::Student,
                &format!("s{i:03}@school.example"),
            ));
        }
        let mut formula = user_with_email(Role::Teacher, "f@school.example");
        formula.display_name = crate::user::DisplayName::parse("=cmd; \"x\"").unwrap();
        users.push(formula);
        let svc = service_with(&users).await;
        let csv = svc
            .export_users_csv(
                &admin.actor(),
                UserFilter {
                    role: Some(Role::Student),
                    ..UserFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(csv.lines().count(), 451, "a header and 450 students");
        let all = svc
            .export_users_csv(&admin.actor(), UserFilter::default())
            .await
            .unwrap();
        assert!(
            all.contains("f@school.example;\"'=cmd; \"\"x\"\"\";teacher;true"),
            "{}",
            &all[..200]
        );
    }
}
