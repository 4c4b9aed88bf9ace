//! Reads behind a camera's timeline, each an index range over the requested window:
//! recordings, stream sessions and footage tombstones, each by `(camera_id, started_at)`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    schema::{recordings, stream_sessions},
    DbConn,
};
use crate::error::AppResult;

/// A camera's chunks (and its sessions, and its tombstones) do not overlap: one recorder per stream, one publisher
/// per key. So what covers `from` is among the last few starting before it, and reading just
/// those keeps that query an index seek instead of a scan of the camera's history.
const LOOKBACK: i64 = 4;

/// `(started_at, ended_at)` of the camera's recordings overlapping `[from, to)`.
pub fn recording_spans(
    conn: &mut DbConn,
    camera_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> AppResult<Vec<(NaiveDateTime, NaiveDateTime)>> {
    let of_camera = || recordings::table.filter(recordings::camera_id.eq(camera_id.to_string()));
    let columns = (recordings::started_at, recordings::ended_at);
    let before: Vec<(NaiveDateTime, NaiveDateTime)> = of_camera()
        .filter(recordings::started_at.lt(from))
        .order(recordings::started_at.desc())
        .limit(LOOKBACK)
        .select(columns)
        .load(conn)?;
    let inside: Vec<(NaiveDateTime, NaiveDateTime)> = of_camera()
        .filter(recordings::started_at.ge(from).and(recordings::started_at.lt(to)))
        .select(columns)
        .load(conn)?;
    Ok(before.into_iter().filter(|(_, end)| *end > from).chain(inside).collect())
}

/// `(started_at, ended_at)` of the camera's publish sessions overlapping `[from, to)`; a live
/// session has no end.
pub fn session_spans(
    conn: &mut DbConn,
    camera_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> AppResult<Vec<(NaiveDateTime, Option<NaiveDateTime>)>> {
    let of_camera = || stream_sessions::table.filter(stream_sessions::camera_id.eq(camera_id.to_string()));
    let columns = (stream_sessions::started_at, stream_sessions::ended_at);
    let before: Vec<(NaiveDateTime, Option<NaiveDateTime>)> = of_camera()
        .filter(stream_sessions::started_at.lt(from))
        .order(stream_sessions::started_at.desc())
        .limit(LOOKBACK)
        .select(columns)
        .load(conn)?;
    let inside: Vec<(NaiveDateTime, Option<NaiveDateTime>)> = of_camera()
        .filter(stream_sessions::started_at.ge(from).and(stream_sessions::started_at.lt(to)))
        .select(columns)
        .load(conn)?;
    Ok(before.into_iter().filter(|(_, end)| end.is_none_or(|e| e > from)).chain(inside).collect())
}

/// `(started_at, ended_at)` of the camera's deleted footage overlapping `[from, to)`.
pub fn deleted_spans(
    conn: &mut DbConn,
    camera_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> AppResult<Vec<(NaiveDateTime, NaiveDateTime)>> {
    super::footage_tombstones::spans(conn, camera_id, from, to, LOOKBACK)
}
