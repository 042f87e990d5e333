//! Bulk actions (enrol many, deactivate many): one request, one outcome per
//! item, so one bad item never blocks the others.

use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// The most items one bulk action takes.
pub const MAX_BULK_ITEMS: usize = 500;

/// What happened to one item of a bulk action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkOutcome {
    /// The account.
    pub user_id: UserId,
    /// Whether the account is now as asked (also when it already was).
    pub ok: bool,
    /// What happened: `enrolled`, `already_enrolled`, `unenrolled`,
    /// `not_enrolled`, `activated`, `deactivated`, or why not
    /// (`user_not_found`, `user_inactive`, `not_a_student`,
    /// `cannot_deactivate_self`).
    pub code: String,
}

impl BulkOutcome {
    pub(crate) fn new(user_id: UserId, ok: bool, code: &str) -> Self {
        Self {
            user_id,
            ok,
            code: code.to_owned(),
        }
    }
}

/// The ids of a bulk request, each once, in the order given; `None` when
/// there are more than [`MAX_BULK_ITEMS`].
#[must_use]
pub fn distinct(ids: &[UserId]) -> Option<Vec<UserId>> {
    if ids.len() > MAX_BULK_ITEMS {
        return None;
    }
    let mut seen = std::collections::HashSet::new();
    Some(ids.iter().copied().filter(|id| seen.insert(*id)).collect())
}
