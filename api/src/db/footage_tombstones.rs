//! Where deleted footage was: a row per recording row deleted, written with the deletion
//! (see [`super::recordings::delete_unheld`]), read by the timeline to name a gap "deleted".

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::footage_tombstones, DbConn};
use crate::error::AppResult;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = footage_tombstones)]
pub struct TombstoneRow {
    pub recording_id: String,
    pub camera_id: String,
    pub started_at: NaiveDateTime,
    pub ended_at: NaiveDateTime,
    /// `retention` | `quota` | `disk_floor` | `user`.
    pub reason: String,
    pub deleted_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &TombstoneRow) -> AppResult<()> {
    diesel::insert_into(footage_tombstones::table).values(row).execute(conn)?;
    Ok(())
}

/// `(started_at, ended_at)` of the camera's deleted footage overlapping `[from, to)`.
pub fn spans(
    conn: &mut DbConn,
    camera_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
    lookback: i64,
) -> AppResult<Vec<(NaiveDateTime, NaiveDateTime)>> {
    let of_camera =
        || footage_tombstones::table.filter(footage_tombstones::camera_id.eq(camera_id.to_string()));
    let columns = (footage_tombstones::started_at, footage_tombstones::ended_at);
    let before: Vec<(NaiveDateTime, NaiveDateTime)> = of_camera()
        .filter(footage_tombstones::started_at.lt(from))
        .order(footage_tombstones::started_at.desc())
        .limit(lookback)
        .select(columns)
        .load(conn)?;
    let inside: Vec<(NaiveDateTime, NaiveDateTime)> = of_camera()
        .filter(footage_tombstones::started_at.ge(from).and(footage_tombstones::started_at.lt(to)))
        .select(columns)
        .load(conn)?;
    Ok(before.into_iter().filter(|(_, end)| *end > from).chain(inside).collect())
}

/// Forgets deletions made before `deleted_before`; the number of rows removed.
pub fn prune(conn: &mut DbConn, deleted_before: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::delete(footage_tombstones::table.filter(footage_tombstones::deleted_at.lt(deleted_before)))
        .execute(conn)?)
}
