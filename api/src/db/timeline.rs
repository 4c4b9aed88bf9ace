//! Reads behind a camera's timeline, each an index range over the requested window:
//! recordings by `(camera_id, started_at)`, stream sessions by `(camera_id, started_at)`,
//! deletion audit rows by `(action, created_at)`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    schema::{audit_logs, recordings, stream_sessions},
    DbConn,
};
use crate::{domain::AuditAction, error::AppResult};

/// A camera's chunks (and its sessions) do not overlap: one recorder per stream, one publisher
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

/// The `before` JSON of recording deletions (expiry or a user's) audited since `since` that
/// name the camera. A recording is deleted after it ends, so deletions of footage in a window
/// are all audited after its start.
pub fn deletion_states(conn: &mut DbConn, camera_id: &str, since: NaiveDateTime) -> AppResult<Vec<String>> {
    let actions = [AuditAction::RecordingExpired.as_str(), AuditAction::RecordingDeleted.as_str()];
    // Narrows what is sent back; the caller still checks the parsed `camera_id`.
    let mentions = format!("%{camera_id}%");
    let rows: Vec<Option<String>> = audit_logs::table
        .filter(audit_logs::action.eq_any(actions))
        .filter(audit_logs::created_at.ge(since))
        .filter(audit_logs::before_state.like(mentions))
        .select(audit_logs::before_state)
        .load(conn)?;
    Ok(rows.into_iter().flatten().collect())
}
