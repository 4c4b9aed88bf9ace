use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    footage_tombstones::TombstoneRow,
    schema::{cameras, recordings},
    DbConn, MultiBackend, PageRequest,
};
use crate::{domain::StorageTier, error::AppResult};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = recordings)]
pub struct RecordingRow {
    pub id: String,
    pub camera_id: String,
    pub started_at: NaiveDateTime,
    pub ended_at: NaiveDateTime,
    pub duration_ms: i64,
    pub size_bytes: i64,
    pub file_path: String,
    pub source_path: String,
    pub tier: StorageTier,
    pub checksum_sha256: String,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub bitrate_kbps: Option<i32>,
    pub created_at: NaiveDateTime,
    /// Never moves tier, never expires, cannot be deleted.
    pub legal_hold: bool,
}

#[derive(Default, Debug, Clone)]
pub struct RecordingFilter {
    pub camera_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub min_duration_ms: Option<i64>,
    pub max_duration_ms: Option<i64>,
    pub only_camera_ids: Option<Vec<String>>,
}

/// Files a recording (and counts it in its tier's totals): call it inside a transaction.
pub fn insert(conn: &mut DbConn, row: &RecordingRow) -> AppResult<()> {
    diesel::insert_into(recordings::table).values(row).execute(conn)?;
    super::recording_totals::add(conn, row.tier, 1, row.size_bytes)
}

pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<RecordingRow>> {
    Ok(recordings::table.find(id).select(RecordingRow::as_select()).first(conn).optional()?)
}

pub fn find_by_source(conn: &mut DbConn, source: &str) -> AppResult<Option<RecordingRow>> {
    Ok(recordings::table
        .filter(recordings::source_path.eq(source))
        .select(RecordingRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_file_path(conn: &mut DbConn, file_path: &str) -> AppResult<Option<RecordingRow>> {
    Ok(recordings::table
        .filter(recordings::file_path.eq(file_path))
        .select(RecordingRow::as_select())
        .first(conn)
        .optional()?)
}

/// The recording's playback segment index (`None`: not indexed yet).
pub fn segment_index(conn: &mut DbConn, id: &str) -> AppResult<Option<String>> {
    Ok(recordings::table.find(id).select(recordings::segment_index).first(conn).optional()?.flatten())
}

pub fn set_segment_index(conn: &mut DbConn, id: &str, index: &str) -> AppResult<()> {
    diesel::update(recordings::table.find(id)).set(recordings::segment_index.eq(index)).execute(conn)?;
    Ok(())
}

/// When the camera's first recording after one that started at `started_at` starts.
pub fn next_start(
    conn: &mut DbConn,
    camera_id: &str,
    started_at: NaiveDateTime,
) -> AppResult<Option<NaiveDateTime>> {
    Ok(recordings::table
        .filter(recordings::camera_id.eq(camera_id))
        .filter(recordings::started_at.gt(started_at))
        .order(recordings::started_at.asc())
        .select(recordings::started_at)
        .first(conn)
        .optional()?)
}

/// A camera's chunks barely overlap (a rotation shares a GOP or so), so what covers `from` is
/// among the last few starting before it: reading those keeps the query an index seek.
const LOOKBACK: i64 = 4;

/// The camera's recordings overlapping `[from, to)`, in time order, with their playback segment
/// index (recorded playback and clip exports read the same rows).
pub fn overlapping(
    conn: &mut DbConn,
    camera_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> AppResult<Vec<(RecordingRow, Option<String>)>> {
    let of_camera = || recordings::table.filter(recordings::camera_id.eq(camera_id.to_string()));
    let columns = (RecordingRow::as_select(), recordings::segment_index);
    let mut before: Vec<(RecordingRow, Option<String>)> = of_camera()
        .filter(recordings::started_at.lt(from))
        .order(recordings::started_at.desc())
        .limit(LOOKBACK)
        .select(columns)
        .load(conn)?;
    before.retain(|(r, _)| r.ended_at > from);
    before.reverse();
    let inside: Vec<(RecordingRow, Option<String>)> = of_camera()
        .filter(recordings::started_at.ge(from).and(recordings::started_at.lt(to)))
        .order((recordings::started_at.asc(), recordings::id.asc()))
        .select(columns)
        .load(conn)?;
    before.extend(inside);
    Ok(before)
}

/// Deletes the recording unless it is under legal hold (its own or its camera's), leaving a
/// tombstone of its span (`reason`: why it went) so the timeline can tell deleted footage from
/// footage never recorded; the number of rows deleted. Call it inside the deleting transaction.
pub fn delete_unheld(conn: &mut DbConn, id: &str, reason: &str) -> AppResult<usize> {
    let span: Option<(String, NaiveDateTime, NaiveDateTime, StorageTier, i64)> = recordings::table
        .find(id)
        .filter(unheld())
        .select((
            recordings::camera_id,
            recordings::started_at,
            recordings::ended_at,
            recordings::tier,
            recordings::size_bytes,
        ))
        .first(conn)
        .optional()?;
    let Some((camera_id, started_at, ended_at, tier, size)) = span else {
        return Ok(0);
    };
    let deleted = diesel::delete(recordings::table.find(id).filter(unheld())).execute(conn)?;
    if deleted == 1 {
        super::recording_totals::add(conn, tier, -1, -size)?;
        let tombstone = TombstoneRow {
            recording_id: id.to_string(),
            camera_id,
            started_at,
            ended_at,
            reason: reason.to_string(),
            deleted_at: super::now(),
        };
        super::footage_tombstones::insert(conn, &tombstone)?;
    }
    Ok(deleted)
}

/// Sets or lifts the recording's legal hold; false when there is no such recording.
pub fn set_hold(conn: &mut DbConn, id: &str, hold: bool) -> AppResult<bool> {
    Ok(diesel::update(recordings::table.find(id)).set(recordings::legal_hold.eq(hold)).execute(conn)? == 1)
}

#[diesel::dsl::auto_type]
fn held_cameras() -> _ {
    let held: bool = true;
    cameras::table.filter(cameras::legal_hold.eq(held)).select(cameras::id)
}

/// Recordings under no legal hold: neither their own nor their camera's. In SQL, so the
/// storage run never loads held footage.
#[diesel::dsl::auto_type]
pub(super) fn unheld() -> _ {
    let free: bool = false;
    let held: held_cameras = held_cameras();
    recordings::legal_hold.eq(free).and(recordings::camera_id.ne_all(held))
}

fn filtered(f: &RecordingFilter) -> recordings::BoxedQuery<'static, MultiBackend> {
    let mut q = recordings::table.into_boxed();
    if let Some(v) = &f.camera_id {
        q = q.filter(recordings::camera_id.eq(v.clone()));
    }
    if let Some(v) = f.from {
        q = q.filter(recordings::ended_at.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(recordings::started_at.le(v));
    }
    if let Some(v) = f.min_duration_ms {
        q = q.filter(recordings::duration_ms.ge(v));
    }
    if let Some(v) = f.max_duration_ms {
        q = q.filter(recordings::duration_ms.le(v));
    }
    if let Some(ids) = &f.only_camera_ids {
        q = q.filter(recordings::camera_id.eq_any(ids.clone()));
    }
    q
}

pub fn list(
    conn: &mut DbConn,
    filter: &RecordingFilter,
    page: PageRequest,
) -> AppResult<(Vec<RecordingRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((recordings::started_at.desc(), recordings::id.desc()))
        .limit(page.limit)
        .offset(page.offset())
        .select(RecordingRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// `SUM(size_bytes)`, 0 over no rows. `SUM` types differ per backend (MySQL: DECIMAL), hence
/// the cast.
pub(super) fn sum_size() -> diesel::expression::SqlLiteral<diesel::sql_types::BigInt> {
    diesel::dsl::sql("CAST(COALESCE(SUM(size_bytes), 0) AS SIGNED)")
}
