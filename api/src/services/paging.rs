//! Paged lists in the API's own terms: `?page=&limit=` in, `Page<T>` out. The database layer
//! sees only the clamped `db::PageRequest`.

use serde::{Deserialize, Serialize};

use crate::db::PageRequest;

/// `?page=&limit=` on every list.
#[derive(Deserialize, Debug, Default, Clone, Copy, utoipa::IntoParams)]
pub struct Paging {
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

impl Paging {
    pub fn request(&self) -> PageRequest {
        PageRequest::new(self.page, self.limit)
    }
}

/// A page of rows plus the total count of the filtered set.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub limit: i64,
    pub total_pages: i64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: i64, req: PageRequest) -> Self {
        let total_pages = if total == 0 { 0 } else { (total + req.limit - 1) / req.limit };
        Page { items, total, page: req.page, limit: req.limit, total_pages }
    }
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            limit: self.limit,
            total_pages: self.total_pages,
        }
    }
}
