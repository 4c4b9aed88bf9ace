use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::stream_sessions, DbConn};
use crate::error::AppResult;

// A `None` is inserted as NULL (no column here has another default): many rows per statement
// on SQLite, as in `audit_chain::AuditRow`.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = stream_sessions, treat_none_as_default_value = false)]
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
    /// Bytes nginx received from the publisher, as of the last `/stat` snapshot.
    pub bytes_in: Option<i64>,
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

/// The open sessions of any of these cameras (on any node).
pub fn open_for_cameras(conn: &mut DbConn, camera_ids: &[String]) -> AppResult<Vec<StreamSessionRow>> {
    Ok(stream_sessions::table
        .filter(stream_sessions::camera_id.eq_any(camera_ids))
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

/// Sets `bytes_in` of `node`'s open sessions of these cameras (camera id → nginx's byte
/// counter): one `UPDATE … CASE` per [`super::INSERT_CHUNK`] cameras, not one per camera.
pub fn set_bytes_in(conn: &mut DbConn, node: &str, by_camera: &[(String, i64)]) -> AppResult<usize> {
    use diesel::{
        mysql::Mysql,
        sql_types::{BigInt, Text},
        sqlite::Sqlite,
    };
    let mut updated = 0;
    for chunk in by_camera.chunks(super::INSERT_CHUNK) {
        let sql = format!(
            "UPDATE stream_sessions SET bytes_in = CASE camera_id{} END \
             WHERE node = ? AND ended_at IS NULL AND camera_id IN ({})",
            " WHEN ? THEN ?".repeat(chunk.len()),
            vec!["?"; chunk.len()].join(", "),
        );
        macro_rules! execute {
            ($c:expr, $backend:ty) => {{
                let mut q = diesel::sql_query(sql.as_str()).into_boxed::<$backend>();
                for (camera_id, bytes) in chunk {
                    q = q.bind::<Text, _>(camera_id.as_str()).bind::<BigInt, _>(*bytes);
                }
                q = q.bind::<Text, _>(node);
                for (camera_id, _) in chunk {
                    q = q.bind::<Text, _>(camera_id.as_str());
                }
                q.execute($c)?
            }};
        }
        updated += match conn {
            DbConn::Sqlite(c) => execute!(c, Sqlite),
            DbConn::Mysql(c) => execute!(c, Mysql),
        };
    }
    Ok(updated)
}

/// A camera's sessions overlapping `[from, to)` (either bound optional), newest first, and how
/// many there are.
pub fn page_for_camera(
    conn: &mut DbConn,
    camera_id: &str,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
    page: super::PageRequest,
) -> AppResult<(Vec<StreamSessionRow>, i64)> {
    let query = || {
        let mut q =
            stream_sessions::table.filter(stream_sessions::camera_id.eq(camera_id.to_string())).into_boxed();
        if let Some(to) = to {
            q = q.filter(stream_sessions::started_at.lt(to));
        }
        if let Some(from) = from {
            q = q.filter(stream_sessions::ended_at.is_null().or(stream_sessions::ended_at.gt(from)));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order((stream_sessions::started_at.desc(), stream_sessions::id.desc()))
        .limit(page.limit)
        .offset(page.offset())
        .select(StreamSessionRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// (camera id, started at, ended at) of the stream sessions open now or ended since `since`: the
/// history the `camera.offline` evaluator judges.
pub fn spans_since(
    conn: &mut DbConn,
    since: NaiveDateTime,
) -> AppResult<Vec<(String, NaiveDateTime, Option<NaiveDateTime>)>> {
    Ok(stream_sessions::table
        .filter(stream_sessions::ended_at.is_null().or(stream_sessions::ended_at.ge(since)))
        .select((stream_sessions::camera_id, stream_sessions::started_at, stream_sessions::ended_at))
        .load(conn)?)
}
