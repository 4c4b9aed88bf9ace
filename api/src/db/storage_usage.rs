//! What the recordings occupy, summed per tier (and camera) in SQL over `recordings_usage_idx`
//! (tier, camera, ended_at, size): one covering index scan, no table rows read.

use chrono::NaiveDateTime;
use diesel::{
    dsl::sql,
    prelude::*,
    sql_types::{BigInt, Nullable, Timestamp},
};

use super::{schema::recordings, DbConn};
use crate::{domain::StorageTier, error::AppResult};

/// The recordings of one camera in one tier.
#[derive(Queryable, Clone, Debug, PartialEq, Eq)]
pub struct TierUsage {
    pub camera_id: String,
    pub tier: StorageTier,
    pub recordings: i64,
    pub bytes: i64,
    /// Bytes of those that ended at or after the `since` asked for.
    pub recent_bytes: i64,
    pub first_ended_at: Option<NaiveDateTime>,
}

/// One row per (tier, camera) with recordings. Grouped in the index's order (tier first), so
/// both backends aggregate while scanning it. `SUM` types differ per backend (MySQL: DECIMAL),
/// hence the casts.
pub fn by_camera_and_tier(conn: &mut DbConn, since: NaiveDateTime) -> AppResult<Vec<TierUsage>> {
    Ok(recordings::table
        .group_by((recordings::tier, recordings::camera_id))
        .select((
            recordings::camera_id,
            recordings::tier,
            sql::<BigInt>("CAST(COUNT(*) AS SIGNED)"),
            sql::<BigInt>("CAST(COALESCE(SUM(size_bytes), 0) AS SIGNED)"),
            sql::<BigInt>("CAST(COALESCE(SUM(CASE WHEN ended_at >= ")
                .bind::<Timestamp, _>(since)
                .sql(" THEN size_bytes ELSE 0 END), 0) AS SIGNED)"),
            sql::<Nullable<Timestamp>>("MIN(ended_at)"),
        ))
        .load(conn)?)
}

/// Recordings and bytes per tier of the cameras `ids` (a scoped caller's dashboard figures;
/// the whole store's are kept in `recording_totals`).
pub fn by_tier(conn: &mut DbConn, ids: &[String]) -> AppResult<Vec<(StorageTier, i64, i64)>> {
    Ok(recordings::table
        .filter(recordings::camera_id.eq_any(ids))
        .group_by(recordings::tier)
        .select((
            recordings::tier,
            sql::<BigInt>("CAST(COUNT(*) AS SIGNED)"),
            sql::<BigInt>("CAST(COALESCE(SUM(size_bytes), 0) AS SIGNED)"),
        ))
        .load(conn)?)
}
