//! Objects still to delete after their recording row is gone (see `services::storage::retention`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::object_deletions, DbConn};
use crate::{domain::StorageTier, error::AppResult};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = object_deletions)]
pub struct ObjectDeletion {
    pub id: String,
    pub tier: StorageTier,
    /// The key in the tier's store (HOT: the file's absolute path as a key).
    pub object_key: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, rows: &[ObjectDeletion]) -> AppResult<()> {
    for row in rows {
        diesel::insert_into(object_deletions::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// Up to `limit` pending deletions, oldest first.
pub fn pending(conn: &mut DbConn, limit: i64) -> AppResult<Vec<ObjectDeletion>> {
    Ok(object_deletions::table
        .order((object_deletions::created_at, object_deletions::id))
        .limit(limit)
        .select(ObjectDeletion::as_select())
        .load(conn)?)
}

/// Removes the queue rows of objects now deleted.
pub fn done(conn: &mut DbConn, ids: &[String]) -> AppResult<()> {
    diesel::delete(object_deletions::table.filter(object_deletions::id.eq_any(ids))).execute(conn)?;
    Ok(())
}
