use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::stream_sessions, DbConn};
use crate::error::AppResult;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = stream_sessions)]
pub struct StreamSessionRow {
    pub id: String,
    pub camera_id: String,
    pub client_id: String,
    pub addr: Option<String>,
    pub started_at: NaiveDateTime,
    pub last_update_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub end_reason: Option<String>,
    /// The ingest node whose nginx holds the publisher (`ARGUS_NODE_ID`).
    pub node: String,
}

pub fn insert(conn: &mut DbConn, row: &StreamSessionRow) -> AppResult<()> {
    diesel::insert_into(stream_sessions::table).values(row).execute(conn)?;
    Ok(())
}

pub fn insert_all(conn: &mut DbConn, rows: &[StreamSessionRow]) -> AppResult<usize> {
    super::insert_many!(conn, stream_sessions::table, rows)
}

/// The open sessions of any of these nginx client ids on `node` (client ids are unique per
/// nginx only).
pub fn find_open_by_clients(
    conn: &mut DbConn,
    node: &str,
    client_ids: &[String],
) -> AppResult<Vec<StreamSessionRow>> {
    Ok(stream_sessions::table
        .filter(stream_sessions::node.eq(node))
        .filter(stream_sessions::client_id.eq_any(client_ids))
        .filter(stream_sessions::ended_at.is_null())
        .select(StreamSessionRow::as_select())
        .load(conn)?)
}

pub fn end_all(conn: &mut DbConn, ids: &[String], reason: &str, at: NaiveDateTime) -> AppResult<()> {
    diesel::update(stream_sessions::table.filter(stream_sessions::id.eq_any(ids)))
        .filter(stream_sessions::ended_at.is_null())
        .set((stream_sessions::ended_at.eq(at), stream_sessions::end_reason.eq(reason)))
        .execute(conn)?;
    Ok(())
}

/// The open session of an nginx client id on `node`, if any.
pub fn find_open_by_client(
    conn: &mut DbConn,
    node: &str,
    client_id: &str,
) -> AppResult<Option<StreamSessionRow>> {
    Ok(stream_sessions::table
        .filter(stream_sessions::node.eq(node))
        .filter(stream_sessions::client_id.eq(client_id))
        .filter(stream_sessions::ended_at.is_null())
        .order(stream_sessions::started_at.desc())
        .select(StreamSessionRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn open_for_camera(conn: &mut DbConn, camera_id: &str) -> AppResult<Vec<StreamSessionRow>> {
    Ok(stream_sessions::table
        .filter(stream_sessions::camera_id.eq(camera_id))
        .filter(stream_sessions::ended_at.is_null())
        .select(StreamSessionRow::as_select())
        .load(conn)?)
}

pub fn all_open(conn: &mut DbConn) -> AppResult<Vec<StreamSessionRow>> {
    Ok(stream_sessions::table
        .filter(stream_sessions::ended_at.is_null())
        .select(StreamSessionRow::as_select())
        .load(conn)?)
}

pub fn end(conn: &mut DbConn, id: &str, reason: &str, at: NaiveDateTime) -> AppResult<()> {
    diesel::update(stream_sessions::table.find(id).filter(stream_sessions::ended_at.is_null()))
        .set((stream_sessions::ended_at.eq(at), stream_sessions::end_reason.eq(reason)))
        .execute(conn)?;
    Ok(())
}

pub fn touch(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> AppResult<()> {
    diesel::update(stream_sessions::table.find(id))
        .set(stream_sessions::last_update_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Deletes sessions that ended before `ended_before`; returns how many.
pub fn prune(conn: &mut DbConn, ended_before: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::delete(stream_sessions::table.filter(stream_sessions::ended_at.lt(ended_before)))
        .execute(conn)?)
}
