//! Where a recording's bytes are: its tier, its key there, and a tier that may still hold a
//! stale copy. Written only by `services::storage` (the move protocol is described there).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    recordings::{sum_size, unheld},
    schema::recordings,
    DbConn, MultiBackend,
};
use crate::{domain::StorageTier, error::AppResult};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = recordings)]
pub struct Placement {
    pub id: String,
    pub camera_id: String,
    pub started_at: NaiveDateTime,
    pub ended_at: NaiveDateTime,
    pub size_bytes: i64,
    pub checksum_sha256: String,
    pub file_path: String,
    pub tier: StorageTier,
    /// Key in the tier's store; `None` = the HOT file at `file_path`.
    pub location: Option<String>,
    pub stale_tier: Option<StorageTier>,
}

pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<Placement>> {
    Ok(recordings::table.find(id).select(Placement::as_select()).first(conn).optional()?)
}

/// Which cameras' footage a selection covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cameras {
    One(String),
    Only(Vec<String>),
    /// Every camera but these (all, when empty).
    Except(Vec<String>),
}

/// Recordings a storage run may act on: unheld, with no stale copy, of `cameras`, in `tier`
/// (any when `None`), that ended in `[ended_from, ended_before)` (each bound optional).
#[derive(Clone, Debug)]
pub struct Selection {
    pub cameras: Cameras,
    pub tier: Option<StorageTier>,
    pub ended_from: Option<NaiveDateTime>,
    pub ended_before: Option<NaiveDateTime>,
}

impl Selection {
    fn query(self) -> recordings::BoxedQuery<'static, MultiBackend> {
        let mut q = recordings::table.filter(recordings::stale_tier.is_null()).into_boxed();
        q = match self.cameras {
            Cameras::One(id) => q.filter(recordings::camera_id.eq(id)),
            Cameras::Only(ids) => q.filter(recordings::camera_id.eq_any(ids)),
            Cameras::Except(ids) if ids.is_empty() => q,
            Cameras::Except(ids) => q.filter(recordings::camera_id.ne_all(ids)),
        };
        if let Some(tier) = self.tier {
            q = q.filter(recordings::tier.eq(tier));
        }
        if let Some(from) = self.ended_from {
            q = q.filter(recordings::ended_at.ge(from));
        }
        if let Some(before) = self.ended_before {
            q = q.filter(recordings::ended_at.lt(before));
        }
        q
    }
}

/// Up to `limit` recordings of `selection`, oldest first (`ended_at`, `id`), after the keyset
/// `after` of the previous batch.
pub fn select(
    conn: &mut DbConn,
    selection: Selection,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<Placement>> {
    oldest_first(conn, selection.query(), after, limit)
}

/// Bytes of all `camera_id`'s footage (any tier, held or not), and of the part of it in
/// `expiring` (`None`: 0).
pub fn camera_bytes(
    conn: &mut DbConn,
    camera_id: &str,
    expiring: Option<Selection>,
) -> AppResult<(i64, i64)> {
    let total = recordings::table
        .filter(recordings::camera_id.eq(camera_id.to_string()))
        .select(sum_size())
        .first(conn)?;
    let part = match expiring {
        Some(s) => s.query().filter(unheld()).select(sum_size()).first(conn)?,
        None => 0,
    };
    Ok((total, part))
}

/// The keyset (`ended_at`, `id`) of `camera_id`'s newest recording in `tier`.
pub fn newest(
    conn: &mut DbConn,
    camera_id: &str,
    tier: StorageTier,
) -> AppResult<Option<(NaiveDateTime, String)>> {
    Ok(recordings::table
        .filter(recordings::camera_id.eq(camera_id.to_string()))
        .filter(recordings::tier.eq(tier))
        .order((recordings::ended_at.desc(), recordings::id.desc()))
        .select((recordings::ended_at, recordings::id))
        .first(conn)
        .optional()?)
}

/// One batch of `q`, oldest first, after the keyset `after` (`ended_at`, `id`).
fn oldest_first(
    conn: &mut DbConn,
    q: recordings::BoxedQuery<'static, MultiBackend>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<Placement>> {
    // Held footage never moves nor expires.
    let mut q = q.filter(unheld());
    if let Some((ended, id)) = after {
        q = q.filter(
            recordings::ended_at.gt(ended).or(recordings::ended_at.eq(ended).and(recordings::id.gt(id))),
        );
    }
    Ok(q.order((recordings::ended_at.asc(), recordings::id.asc()))
        .limit(limit)
        .select(Placement::as_select())
        .load(conn)?)
}

/// Up to `limit` recordings with a stale copy somewhere, by id after `after_id`.
pub fn with_stale_copy(conn: &mut DbConn, after_id: &str, limit: i64) -> AppResult<Vec<Placement>> {
    Ok(recordings::table
        .filter(recordings::stale_tier.is_not_null())
        .filter(recordings::id.gt(after_id.to_string()))
        .order(recordings::id.asc())
        .limit(limit)
        .select(Placement::as_select())
        .load(conn)?)
}

/// Notes that `to` is about to receive a copy, if the recording is still in `from` with no
/// other stale copy and not held; false when it is not (deleted, moved by someone else, or put
/// under hold since it was selected).
pub fn begin_move(conn: &mut DbConn, id: &str, from: StorageTier, to: StorageTier) -> AppResult<bool> {
    let updated = diesel::update(
        recordings::table
            .find(id)
            .filter(recordings::tier.eq(from))
            .filter(recordings::stale_tier.is_null())
            .filter(unheld()),
    )
    .set(recordings::stale_tier.eq(to))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Points the recording at its copy in `to` (key `location`); the copy left in `from` becomes
/// the stale one; its tier totals follow. False when the recording is no longer in `from`.
/// Call it inside a transaction.
pub fn commit_move(
    conn: &mut DbConn,
    id: &str,
    from: StorageTier,
    to: StorageTier,
    location: &str,
    at: NaiveDateTime,
) -> AppResult<bool> {
    let updated = diesel::update(recordings::table.find(id).filter(recordings::tier.eq(from)))
        .set((
            recordings::tier.eq(to),
            recordings::location.eq(Some(location.to_string())),
            recordings::tier_changed_at.eq(Some(at)),
            recordings::stale_tier.eq(from),
        ))
        .execute(conn)?;
    if updated == 1 {
        let size: i64 = recordings::table.find(id).select(recordings::size_bytes).first(conn)?;
        super::recording_totals::add(conn, from, -1, -size)?;
        super::recording_totals::add(conn, to, 1, size)?;
    }
    Ok(updated == 1)
}

/// The stale copy in `tier` is gone.
pub fn clear_stale(conn: &mut DbConn, id: &str, tier: StorageTier) -> AppResult<()> {
    diesel::update(recordings::table.find(id).filter(recordings::stale_tier.eq(tier)))
        .set(recordings::stale_tier.eq(None::<&str>))
        .execute(conn)?;
    Ok(())
}

/// Which of `keys` are some recording's `location`, `file_path` (per `column`) or `id`: the
/// orphan sweep's lookup, one batch of listed keys per query.
pub fn referenced(conn: &mut DbConn, column: KeyColumn, keys: &[String]) -> AppResult<Vec<String>> {
    let keys = keys.to_vec();
    Ok(match column {
        KeyColumn::Location => recordings::table
            .filter(recordings::location.eq_any(keys))
            .select(recordings::location.assume_not_null())
            .load(conn)?,
        KeyColumn::FilePath => recordings::table
            .filter(recordings::file_path.eq_any(keys))
            .select(recordings::file_path)
            .load(conn)?,
        KeyColumn::Id => {
            recordings::table.filter(recordings::id.eq_any(keys)).select(recordings::id).load(conn)?
        }
    })
}

#[derive(Clone, Copy, Debug)]
pub enum KeyColumn {
    Location,
    FilePath,
    Id,
}
