//! Clip exports (written by [`crate::services::exports`]). Every state change of a claimed
//! export is conditional on it still being `running`, so a cancel (the row deleted) or another
//! node's re-queue is never overwritten by a worker that did not notice it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::exports, DbConn, PageRequest};
use crate::{
    domain::{ActorType, ExportState},
    error::AppResult,
};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = exports)]
pub struct ExportRow {
    pub id: String,
    pub camera_id: String,
    pub requested_by_type: ActorType,
    pub requested_by_id: Option<String>,
    pub requested_by_name: Option<String>,
    pub note: Option<String>,
    pub range_from: NaiveDateTime,
    pub range_to: NaiveDateTime,
    pub state: ExportState,
    /// The node whose worker claimed it.
    pub node: Option<String>,
    pub progress_percent: i32,
    pub eta_secs: Option<i32>,
    pub size_bytes: Option<i64>,
    pub checksum_sha256: Option<String>,
    pub duration_ms: Option<i64>,
    pub file_path: Option<String>,
    pub error: Option<String>,
    pub created_at: NaiveDateTime,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
}

#[derive(Default, Debug, Clone)]
pub struct ExportFilter {
    pub camera_id: Option<String>,
    pub state: Option<ExportState>,
    /// `None` = every camera.
    pub only_camera_ids: Option<Vec<String>>,
}

/// What a finished cut produced.
#[derive(Debug, Clone)]
pub struct Finished {
    pub size_bytes: i64,
    pub checksum_sha256: String,
    pub duration_ms: i64,
    pub file_path: String,
    pub finished_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &ExportRow) -> AppResult<()> {
    diesel::insert_into(exports::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<ExportRow>> {
    Ok(exports::table.find(id).select(ExportRow::as_select()).first(conn).optional()?)
}

/// One page, newest first, and how many match.
pub fn list(conn: &mut DbConn, f: &ExportFilter, page: PageRequest) -> AppResult<(Vec<ExportRow>, i64)> {
    let query = || {
        let mut q = exports::table.into_boxed();
        if let Some(id) = &f.camera_id {
            q = q.filter(exports::camera_id.eq(id.clone()));
        }
        if let Some(state) = f.state {
            q = q.filter(exports::state.eq(state));
        }
        if let Some(ids) = &f.only_camera_ids {
            q = q.filter(exports::camera_id.eq_any(ids.clone()));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order((exports::created_at.desc(), exports::id.desc()))
        .limit(page.limit)
        .offset(page.offset())
        .select(ExportRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The oldest queued export, if any.
pub fn oldest_queued(conn: &mut DbConn) -> AppResult<Option<String>> {
    Ok(exports::table
        .filter(exports::state.eq(ExportState::Queued))
        .order((exports::created_at.asc(), exports::id.asc()))
        .select(exports::id)
        .first(conn)
        .optional()?)
}

/// Marks `id` running on `node` if it is still queued; false when another node got it first.
pub fn claim(conn: &mut DbConn, id: &str, node: &str, now: NaiveDateTime) -> AppResult<bool> {
    let n = diesel::update(exports::table.find(id).filter(exports::state.eq(ExportState::Queued)))
        .set((
            exports::state.eq(ExportState::Running),
            exports::node.eq(node),
            exports::started_at.eq(now),
            exports::progress_percent.eq(0),
            exports::eta_secs.eq(None::<i32>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Puts back in the queue the exports `node` was running (it crashed or was stopped mid-cut).
pub fn requeue_running(conn: &mut DbConn, node: &str) -> AppResult<usize> {
    Ok(diesel::update(
        exports::table.filter(exports::state.eq(ExportState::Running)).filter(exports::node.eq(node)),
    )
    .set((
        exports::state.eq(ExportState::Queued),
        exports::node.eq(None::<String>),
        exports::started_at.eq(None::<NaiveDateTime>),
        exports::progress_percent.eq(0),
        exports::eta_secs.eq(None::<i32>),
    ))
    .execute(conn)?)
}

/// Records progress; false when the export is no longer running (cancelled).
pub fn progress(conn: &mut DbConn, id: &str, percent: i32, eta_secs: Option<i32>) -> AppResult<bool> {
    let n = diesel::update(exports::table.find(id).filter(exports::state.eq(ExportState::Running)))
        .set((exports::progress_percent.eq(percent), exports::eta_secs.eq(eta_secs)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Marks a running export done; false when it was cancelled meanwhile.
pub fn finish(conn: &mut DbConn, id: &str, done: &Finished) -> AppResult<bool> {
    let n = diesel::update(exports::table.find(id).filter(exports::state.eq(ExportState::Running)))
        .set((
            exports::state.eq(ExportState::Done),
            exports::progress_percent.eq(100),
            exports::eta_secs.eq(Some(0)),
            exports::size_bytes.eq(done.size_bytes),
            exports::checksum_sha256.eq(&done.checksum_sha256),
            exports::duration_ms.eq(done.duration_ms),
            exports::file_path.eq(&done.file_path),
            exports::finished_at.eq(done.finished_at),
            exports::expires_at.eq(done.expires_at),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Marks a running export failed with `error`; a failed export expires like a finished one.
pub fn fail(
    conn: &mut DbConn,
    id: &str,
    error: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> AppResult<bool> {
    let n = diesel::update(exports::table.find(id).filter(exports::state.eq(ExportState::Running)))
        .set((
            exports::state.eq(ExportState::Failed),
            exports::eta_secs.eq(None::<i32>),
            exports::error.eq(error),
            exports::finished_at.eq(now),
            exports::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Deletes the row; returns whether it existed.
pub fn delete(conn: &mut DbConn, id: &str) -> AppResult<bool> {
    Ok(diesel::delete(exports::table.find(id)).execute(conn)? == 1)
}

/// Exports whose `expires_at` is before `now`, oldest first, at most `limit`.
pub fn expired(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> AppResult<Vec<ExportRow>> {
    Ok(exports::table
        .filter(exports::expires_at.lt(now))
        .order(exports::expires_at.asc())
        .limit(limit)
        .select(ExportRow::as_select())
        .load(conn)?)
}
