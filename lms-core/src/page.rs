//! Pagination for every list that can grow.

use serde::{Deserialize, Serialize};

/// A window into a list: at most [`Page::MAX_LIMIT`] items from `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page {
    limit: u32,
    offset: u32,
}

impl Page {
    /// The largest page a caller may ask for.
    pub const MAX_LIMIT: u32 = 200;
    /// The page size when the caller does not say.
    pub const DEFAULT_LIMIT: u32 = 50;

    /// A page; `limit` is clamped to `1..=MAX_LIMIT`.
    #[must_use]
    pub fn new(limit: u32, offset: u32) -> Self {
        Self {
            limit: limit.clamp(1, Self::MAX_LIMIT),
            offset,
        }
    }

    /// The first page of the default size.
    #[must_use]
    pub fn first() -> Self {
        Self::new(Self::DEFAULT_LIMIT, 0)
    }

    /// Every row up to the maximum page size.
    #[must_use]
    pub fn max() -> Self {
        Self::new(Self::MAX_LIMIT, 0)
    }

    /// At most this many items.
    #[must_use]
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Items to skip.
    #[must_use]
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// Applies the page to an already-sorted in-memory list.
    #[must_use]
    pub fn slice<T: Clone>(&self, items: &[T]) -> Vec<T> {
        items
            .iter()
            .skip(self.offset as usize)
            .take(self.limit as usize)
            .cloned()
            .collect()
    }
}

impl Default for Page {
    fn default() -> Self {
        Self::first()
    }
}
