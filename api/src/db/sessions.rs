use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::sessions, DbConn};
use crate::error::AppResult;

/// One login = one session = one refresh-token family. The current refresh secret's hash is
/// stored; any other secret presented for this session is a reuse and revokes the family.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub refresh_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub fn insert(conn: &mut DbConn, row: &SessionRow) -> AppResult<()> {
    diesel::insert_into(sessions::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<SessionRow>> {
    Ok(sessions::table.find(id).select(SessionRow::as_select()).first(conn).optional()?)
}

/// Swaps the refresh hash only if it still is `expected_hash` (so two concurrent refreshes with
/// the same token cannot both win). Returns whether this call won.
pub fn rotate(
    conn: &mut DbConn,
    id: &str,
    expected_hash: &str,
    new_hash: &str,
    at: NaiveDateTime,
) -> AppResult<bool> {
    let n = diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::refresh_hash.eq(expected_hash))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((sessions::refresh_hash.eq(new_hash), sessions::last_used_at.eq(at)))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn touch(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> AppResult<()> {
    diesel::update(sessions::table.find(id)).set(sessions::last_used_at.eq(at)).execute(conn)?;
    Ok(())
}

pub fn revoke(conn: &mut DbConn, id: &str, reason: &str, at: NaiveDateTime) -> AppResult<()> {
    diesel::update(sessions::table.find(id).filter(sessions::revoked_at.is_null()))
        .set((sessions::revoked_at.eq(at), sessions::revoked_reason.eq(reason)))
        .execute(conn)?;
    Ok(())
}

/// Revokes every live session of a user except `keep` (the caller's own, when it stays).
pub fn revoke_all_for_user(
    conn: &mut DbConn,
    user_id: &str,
    keep: Option<&str>,
    reason: &str,
    at: NaiveDateTime,
) -> AppResult<Vec<String>> {
    let mut q = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .select(sessions::id)
        .into_boxed();
    if let Some(keep) = keep {
        q = q.filter(sessions::id.ne(keep.to_string()));
    }
    let ids: Vec<String> = q.load(conn)?;
    if !ids.is_empty() {
        diesel::update(sessions::table.filter(sessions::id.eq_any(&ids)))
            .set((sessions::revoked_at.eq(at), sessions::revoked_reason.eq(reason)))
            .execute(conn)?;
    }
    Ok(ids)
}

/// Deletes sessions revoked before `revoked_before` and unrevoked ones last used before
/// `unused_before` (long dead by idleness); returns how many.
pub fn prune(
    conn: &mut DbConn,
    revoked_before: NaiveDateTime,
    unused_before: NaiveDateTime,
) -> AppResult<usize> {
    Ok(diesel::delete(
        sessions::table.filter(
            sessions::revoked_at
                .lt(revoked_before)
                .or(sessions::revoked_at.is_null().and(sessions::last_used_at.lt(unused_before))),
        ),
    )
    .execute(conn)?)
}
