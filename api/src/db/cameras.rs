use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{contains_pattern, schema::cameras, DbConn, MultiBackend, PageRequest};
use crate::{domain::StreamStatus, error::AppResult};

#[derive(Queryable, Selectable, Insertable, Clone, Debug, PartialEq)]
#[diesel(table_name = cameras)]
pub struct CameraRow {
    pub id: String,
    pub name: String,
    pub company: Option<String>,
    pub model: Option<String>,
    pub serial_number: String,
    pub location: Option<String>,
    pub place: Option<String>,
    pub stream_key: String,
    pub recording_enabled: bool,
    pub transcode_profile: String,
    pub is_active: bool,
    pub stream_status: StreamStatus,
    pub last_seen_at: Option<NaiveDateTime>,
    pub created_via: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
    /// Days footage is kept; `None` = the global `ARGUS_RETENTION_DAYS`.
    pub retention_days: Option<i32>,
    /// Legal hold on all the camera's footage: it never moves tier nor expires.
    pub legal_hold: bool,
    /// Days after which footage moves to WARM, COLD, ARCHIVE; `None` = the global threshold.
    pub warm_after_days: Option<i32>,
    pub cold_after_days: Option<i32>,
    pub archive_after_days: Option<i32>,
    /// Most bytes of footage (all tiers) kept; `None` = no quota.
    pub quota_bytes: Option<i64>,
}

/// Fields an edit may change; `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(AsChangeset, Default, Debug, Clone, PartialEq)]
#[diesel(table_name = cameras)]
pub struct CameraChanges {
    pub name: Option<String>,
    pub company: Option<Option<String>>,
    pub model: Option<Option<String>>,
    pub location: Option<Option<String>>,
    pub place: Option<Option<String>>,
    pub stream_key: Option<String>,
    pub recording_enabled: Option<bool>,
    pub transcode_profile: Option<String>,
    pub is_active: Option<bool>,
    pub stream_status: Option<StreamStatus>,
    pub last_seen_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
    pub deleted_at: Option<Option<NaiveDateTime>>,
    pub retention_days: Option<Option<i32>>,
    pub legal_hold: Option<bool>,
    pub warm_after_days: Option<Option<i32>>,
    pub cold_after_days: Option<Option<i32>>,
    pub archive_after_days: Option<Option<i32>>,
    pub quota_bytes: Option<Option<i64>>,
}

/// A camera's own storage rules (`None` = the global setting).
#[derive(Queryable, Selectable, Clone, Debug, Default, PartialEq)]
#[diesel(table_name = cameras)]
pub struct StorageRules {
    pub id: String,
    pub retention_days: Option<i32>,
    pub warm_after_days: Option<i32>,
    pub cold_after_days: Option<i32>,
    pub archive_after_days: Option<i32>,
    pub quota_bytes: Option<i64>,
}

/// Every camera (deleted ones too: their footage still expires) with its storage rules.
pub fn storage_rules(conn: &mut DbConn) -> AppResult<Vec<StorageRules>> {
    Ok(cameras::table.select(StorageRules::as_select()).order(cameras::id.asc()).load(conn)?)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CameraSort {
    Name,
    CreatedAt,
    SerialNumber,
    LastSeenAt,
}

#[derive(Default, Debug, Clone)]
pub struct CameraFilter {
    pub q: Option<String>,
    pub is_active: Option<bool>,
    pub stream_status: Option<StreamStatus>,
    pub company: Option<String>,
    pub place: Option<String>,
    /// `None` = every camera; `Some(ids)` = only these (an API token's scope).
    pub only_ids: Option<Vec<String>>,
    pub sort: Option<(CameraSort, bool)>,
}

pub fn insert(conn: &mut DbConn, row: &CameraRow) -> AppResult<()> {
    diesel::insert_into(cameras::table).values(row).execute(conn)?;
    Ok(())
}

/// A camera that is not soft-deleted.
pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<CameraRow>> {
    Ok(cameras::table
        .find(id)
        .filter(cameras::deleted_at.is_null())
        .select(CameraRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_stream_key(conn: &mut DbConn, key: &str) -> AppResult<Option<CameraRow>> {
    Ok(cameras::table
        .filter(cameras::stream_key.eq(key))
        .filter(cameras::deleted_at.is_null())
        .select(CameraRow::as_select())
        .first(conn)
        .optional()?)
}

/// What the publish hook needs of a camera: `(id, stream_key, is_active, recording_enabled)`.
pub type KeyRow = (String, String, bool, bool);

/// [`KeyRow`]s of cameras not deleted, by id, after `after_id` (a page of at most `limit`).
pub fn key_rows_after(conn: &mut DbConn, after_id: &str, limit: i64) -> AppResult<Vec<KeyRow>> {
    Ok(cameras::table
        .filter(cameras::deleted_at.is_null())
        .filter(cameras::id.gt(after_id))
        .order(cameras::id.asc())
        .limit(limit)
        .select((cameras::id, cameras::stream_key, cameras::is_active, cameras::recording_enabled))
        .load(conn)?)
}

/// [`KeyRow`]s of these cameras (not deleted; by primary key only, as `statuses` below).
pub fn key_rows(conn: &mut DbConn, ids: &[String]) -> AppResult<Vec<KeyRow>> {
    let rows: Vec<(String, String, bool, bool, Option<NaiveDateTime>)> = cameras::table
        .filter(cameras::id.eq_any(ids))
        .select((
            cameras::id,
            cameras::stream_key,
            cameras::is_active,
            cameras::recording_enabled,
            cameras::deleted_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|r| r.4.is_none())
        .map(|(id, key, active, rec, _)| (id, key, active, rec))
        .collect())
}

/// Including soft-deleted cameras: serial numbers stay unique forever.
pub fn find_by_serial_any(conn: &mut DbConn, serial: &str) -> AppResult<Option<CameraRow>> {
    Ok(cameras::table
        .filter(cameras::serial_number.eq(serial))
        .select(CameraRow::as_select())
        .first(conn)
        .optional()?)
}

// The two bulk statements below filter by primary key only: with `deleted_at IS NULL` added,
// SQLite walks the (deleted_at, created_at) index over every camera instead (87 ms instead of
// 2 ms for 512 ids out of 10,000). Their ids come from live stream keys, which deleted cameras
// no longer have; a status set on a camera deleted meanwhile is never shown.

/// `(id, stream_status, last_seen_at)` of these cameras.
pub fn statuses(
    conn: &mut DbConn,
    ids: &[String],
) -> AppResult<Vec<(String, StreamStatus, Option<chrono::NaiveDateTime>)>> {
    Ok(cameras::table
        .filter(cameras::id.eq_any(ids))
        .select((cameras::id, cameras::stream_status, cameras::last_seen_at))
        .load(conn)?)
}

/// Sets the stream status of many cameras at once (and `last_seen_at` when given).
pub fn set_status_all(
    conn: &mut DbConn,
    ids: &[String],
    status: StreamStatus,
    seen: Option<chrono::NaiveDateTime>,
) -> AppResult<usize> {
    let target = cameras::table.filter(cameras::id.eq_any(ids));
    Ok(match seen {
        Some(at) => diesel::update(target)
            .set((cameras::stream_status.eq(status), cameras::last_seen_at.eq(at)))
            .execute(conn)?,
        None => diesel::update(target).set(cameras::stream_status.eq(status)).execute(conn)?,
    })
}

pub fn update(conn: &mut DbConn, id: &str, changes: &CameraChanges) -> AppResult<usize> {
    Ok(diesel::update(cameras::table.find(id).filter(cameras::deleted_at.is_null()))
        .set(changes)
        .execute(conn)?)
}

fn filtered(filter: &CameraFilter) -> cameras::BoxedQuery<'static, MultiBackend> {
    let mut q = cameras::table.filter(cameras::deleted_at.is_null()).into_boxed();
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let p = contains_pattern(text);
        q = q.filter(
            cameras::name
                .like(p.clone())
                .escape('\\')
                .or(cameras::serial_number.like(p.clone()).escape('\\'))
                .or(cameras::company.like(p.clone()).escape('\\'))
                .or(cameras::model.like(p.clone()).escape('\\'))
                .or(cameras::location.like(p.clone()).escape('\\'))
                .or(cameras::place.like(p).escape('\\')),
        );
    }
    if let Some(active) = filter.is_active {
        q = q.filter(cameras::is_active.eq(active));
    }
    if let Some(status) = &filter.stream_status {
        q = q.filter(cameras::stream_status.eq(status.as_str()));
    }
    if let Some(company) = &filter.company {
        q = q.filter(cameras::company.eq(company.clone()));
    }
    if let Some(place) = &filter.place {
        q = q.filter(cameras::place.eq(place.clone()));
    }
    if let Some(ids) = &filter.only_ids {
        q = q.filter(cameras::id.eq_any(ids.clone()));
    }
    q
}

pub fn list(conn: &mut DbConn, filter: &CameraFilter, page: PageRequest) -> AppResult<(Vec<CameraRow>, i64)> {
    let total: i64 = filtered(filter).count().get_result(conn)?;
    let q = filtered(filter);
    // The id tie-breaker keeps paging stable when the sort column has duplicates.
    let q = match filter.sort.unwrap_or((CameraSort::CreatedAt, true)) {
        (CameraSort::Name, false) => q.order((cameras::name.asc(), cameras::id.asc())),
        (CameraSort::Name, true) => q.order((cameras::name.desc(), cameras::id.desc())),
        (CameraSort::CreatedAt, false) => q.order((cameras::created_at.asc(), cameras::id.asc())),
        (CameraSort::CreatedAt, true) => q.order((cameras::created_at.desc(), cameras::id.desc())),
        (CameraSort::SerialNumber, false) => q.order(cameras::serial_number.asc()),
        (CameraSort::SerialNumber, true) => q.order(cameras::serial_number.desc()),
        (CameraSort::LastSeenAt, false) => q.order((cameras::last_seen_at.asc(), cameras::id.asc())),
        (CameraSort::LastSeenAt, true) => q.order((cameras::last_seen_at.desc(), cameras::id.desc())),
    };
    let rows = q.limit(page.limit).offset(page.offset()).select(CameraRow::as_select()).load(conn)?;
    Ok((rows, total))
}

/// Every non-deleted camera's id and status: what reconciliation compares with nginx.
/// The cameras whose stream status may have to change: those not `offline`, and those among
/// `ids` (what nginx is publishing, sessions just ended). With 10,000 cameras of which 100 are
/// live this reads about 100 rows, not 10,000; each part is served by an index.
pub fn stream_status_candidates(conn: &mut DbConn, ids: &[String]) -> AppResult<Vec<CameraRow>> {
    let mut rows: Vec<CameraRow> = cameras::table
        .filter(cameras::deleted_at.is_null())
        .filter(
            cameras::stream_status
                .eq(StreamStatus::Online)
                .or(cameras::stream_status.eq(StreamStatus::Error)),
        )
        .select(CameraRow::as_select())
        .load(conn)?;
    // By primary key only, deleted ones dropped here (see above `statuses`).
    let named: Vec<CameraRow> =
        cameras::table.filter(cameras::id.eq_any(ids)).select(CameraRow::as_select()).load(conn)?;
    let seen: std::collections::HashSet<String> = rows.iter().map(|r| r.id.clone()).collect();
    rows.extend(named.into_iter().filter(|n| n.deleted_at.is_none() && !seen.contains(&n.id)));
    Ok(rows)
}

/// `(id, is_active, name)` of the cameras among `ids` that are not deleted.
pub fn activity(conn: &mut DbConn, ids: &[String]) -> AppResult<Vec<(String, bool, String)>> {
    let rows: Vec<(String, bool, String, Option<NaiveDateTime>)> = cameras::table
        .filter(cameras::id.eq_any(ids))
        .select((cameras::id, cameras::is_active, cameras::name, cameras::deleted_at))
        .load(conn)?;
    Ok(rows.into_iter().filter(|r| r.3.is_none()).map(|(id, active, name, _)| (id, active, name)).collect())
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CameraCounts {
    pub total: i64,
    pub online: i64,
    pub offline: i64,
    pub error: i64,
    pub api_created: i64,
    pub recording_enabled: i64,
}

pub fn counts(conn: &mut DbConn, only_ids: Option<&[String]>) -> AppResult<CameraCounts> {
    let base = || {
        let mut q = cameras::table.filter(cameras::deleted_at.is_null()).into_boxed();
        if let Some(ids) = only_ids {
            q = q.filter(cameras::id.eq_any(ids.to_vec()));
        }
        q
    };
    let count_status = |c: &mut DbConn, status: StreamStatus| -> AppResult<i64> {
        Ok(base().filter(cameras::stream_status.eq(status.as_str())).count().get_result(c)?)
    };
    let mut c = CameraCounts {
        total: base().count().get_result(conn)?,
        online: count_status(conn, StreamStatus::Online)?,
        error: count_status(conn, StreamStatus::Error)?,
        ..Default::default()
    };
    c.offline = c.total - c.online - c.error;
    c.api_created = base().filter(cameras::created_via.eq("api")).count().get_result(conn)?;
    c.recording_enabled = base().filter(cameras::recording_enabled.eq(true)).count().get_result(conn)?;
    Ok(c)
}

/// `(id, name)` of the cameras among `ids` (deleted ones too: their footage may remain).
pub fn names(conn: &mut DbConn, ids: &[String]) -> AppResult<Vec<(String, String)>> {
    Ok(cameras::table
        .filter(cameras::id.eq_any(ids.to_vec()))
        .select((cameras::id, cameras::name))
        .load(conn)?)
}
