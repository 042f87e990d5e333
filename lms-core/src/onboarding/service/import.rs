//! CSV import: a dry run reports per row what would happen; an import
//! writes every good row in one transaction and is safe to repeat.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::plan::{CourseCache, PlanContext, RawRow, RowAction, RowProblem, RowReport, Wanted};
use super::{InviteError, OnboardingService};
use crate::error::{Conflict, StorageError};
use crate::ids::CourseId;
use crate::onboarding::csv::{CsvTable, read_table};
use crate::onboarding::model::OnboardingBatch;
use crate::policy;
use crate::spreadsheet::SpreadsheetCsv;
use crate::user::{Actor, Email};

/// How many rows got each action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportCounts {
    /// New accounts invited.
    pub create: u32,
    /// Expired invitations sent again.
    pub invite: u32,
    /// Pending invitations that gained courses.
    pub update_invitation: u32,
    /// Existing accounts enrolled.
    pub enrol: u32,
    /// Rows with nothing to do.
    pub skip: u32,
    /// Rows with errors (nothing done for them).
    pub error: u32,
}

/// What an import did (or, for a dry run, would do), row by row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Rows per action.
    pub counts: ImportCounts,
    /// One entry per data row, in file order.
    pub rows: Vec<RowReport>,
}

impl ImportReport {
    fn new(dry_run: bool, rows: Vec<RowReport>) -> Self {
        let mut counts = ImportCounts::default();
        for row in &rows {
            *match row.action {
                RowAction::Create => &mut counts.create,
                RowAction::Invite => &mut counts.invite,
                RowAction::UpdateInvitation => &mut counts.update_invitation,
                RowAction::Enrol => &mut counts.enrol,
                RowAction::Skip => &mut counts.skip,
                RowAction::Error => &mut counts.error,
            } += 1;
        }
        Self {
            dry_run,
            counts,
            rows,
        }
    }

    /// The report as a CSV file (`;`-separated, UTF-8 with a byte-order
    /// mark, so Excel opens it as it is): line, e-mail, action, code,
    /// message.
    #[must_use]
    pub fn to_csv(&self) -> String {
        let mut csv = SpreadsheetCsv::new(b';');
        csv.row(["line", "email", "action", "courses", "code", "message"]);
        for r in &self.rows {
            let courses: Vec<String> = r.course_ids.iter().map(ToString::to_string).collect();
            csv.row([
                r.line.to_string().as_str(),
                &r.email,
                r.action.as_str(),
                &courses.join(" "),
                r.code.as_deref().unwrap_or_default(),
                r.message.as_deref().unwrap_or_default(),
            ]);
        }
        csv.finish()
    }
}

impl OnboardingService {
    /// Reads a CSV file of people (columns e-mail, name, role, courses,
    /// group, locale, time zone — English or Russian headers, any order;
    /// only e-mail is required) and plans every row; unless `dry_run`,
    /// writes every good row in one transaction and sends the invitations
    /// through the outbox. Admins only.
    pub async fn import_csv(
        &self,
        actor: &Actor,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<ImportReport, InviteError> {
        if !policy::can_manage_users(actor) {
            return Err(InviteError::Forbidden);
        }
        let table = read_table(bytes)?;
        let raws = raw_rows(&table)?;
        let mut cache = CourseCache::default();
        let mut checked: Vec<Result<Wanted, RowReport>> = Vec::with_capacity(raws.len());
        let mut first_line: HashMap<Email, u32> = HashMap::new();
        for raw in &raws {
            let row = match self.validate(actor, raw, &mut cache).await? {
                Ok(w) => match first_line.get(&w.email) {
                    Some(first) => Err(RowReport::error(
                        raw.line,
                        &raw.email,
                        RowProblem::new(
                            "duplicate_email",
                            format!("email: the same address is on line {first}"),
                        ),
                    )),
                    None => {
                        first_line.insert(w.email.clone(), w.line);
                        Ok(w)
                    }
                },
                Err(p) => Err(RowReport::error(raw.line, &raw.email, p)),
            };
            checked.push(row);
        }
        let ctx = PlanContext {
            actor,
            inviter: self.inviter_name(actor).await?,
            now: self.clock.now(),
        };
        // A concurrent import of the same addresses may win the race for an
        // address; plan again against what it wrote.
        let mut retried = false;
        loop {
            let (batch, rows) = self.plan_rows(&ctx, &checked).await?;
            if dry_run || batch.is_empty() {
                return Ok(ImportReport::new(dry_run, rows));
            }
            match self.store.commit_onboarding(&batch).await {
                Ok(()) => return Ok(ImportReport::new(false, rows)),
                Err(StorageError::Conflict(Conflict::Email)) if !retried => retried = true,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Decides every valid row against one read of the stored state.
    pub(super) async fn plan_rows(
        &self,
        ctx: &PlanContext<'_>,
        checked: &[Result<Wanted, RowReport>],
    ) -> Result<(OnboardingBatch, Vec<RowReport>), StorageError> {
        let emails: Vec<Email> = checked
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|w| w.email.clone()))
            .collect();
        let mut courses: Vec<CourseId> = checked
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .flat_map(|w| w.courses.iter().map(|c| c.id))
            .collect();
        courses.sort_unstable();
        courses.dedup();
        let state = self.store.onboarding_state(&emails, &courses).await?;
        let mut batch = OnboardingBatch::default();
        let mut rows = Vec::with_capacity(checked.len());
        for row in checked {
            rows.push(match row {
                Ok(wanted) => self.decide(ctx, wanted.clone(), &state, &mut batch).await?,
                Err(report) => report.clone(),
            });
        }
        Ok((batch, rows))
    }
}

/// The names a column may have, per field.
const COLUMNS: [(&str, &[&str]); 7] = [
    (
        "email",
        &[
            "email",
            "e-mail",
            "mail",
            "почта",
            "эл. почта",
            "электронная почта",
            "e-mail адрес",
        ],
    ),
    (
        "display_name",
        &[
            "display_name",
            "name",
            "full name",
            "full_name",
            "имя",
            "фио",
            "ф.и.о.",
            "ученик",
        ],
    ),
    ("role", &["role", "роль"]),
    ("courses", &["courses", "course", "курсы", "курс"]),
    ("group", &["group", "группа"]),
    ("locale", &["locale", "language", "lang", "язык"]),
    (
        "time_zone",
        &["time_zone", "timezone", "time zone", "tz", "часовой пояс"],
    ),
];

/// The rows of a table, fields picked by their column names.
fn raw_rows(table: &CsvTable) -> Result<Vec<RawRow>, InviteError> {
    let index = |field: &str| -> Option<usize> {
        let names = COLUMNS.iter().find(|(f, _)| *f == field)?.1;
        table
            .header
            .iter()
            .position(|h| names.contains(&h.as_str()))
    };
    let email = index("email").ok_or(InviteError::NoEmailColumn)?;
    let columns = [
        index("display_name"),
        index("role"),
        index("courses"),
        index("group"),
        index("locale"),
        index("time_zone"),
    ];
    Ok(table
        .rows
        .iter()
        .map(|row| {
            let get = |i: Option<usize>| {
                i.and_then(|i| row.fields.get(i))
                    .cloned()
                    .unwrap_or_default()
            };
            RawRow {
                line: row.line,
                email: get(Some(email)),
                display_name: get(columns[0]),
                role: get(columns[1]),
                courses: get(columns[2]),
                group: get(columns[3]),
                locale: get(columns[4]),
                time_zone: get(columns[5]),
            }
        })
        .collect())
}
