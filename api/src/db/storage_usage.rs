//! What the recordings occupy, summed per camera and tier in SQL (over `recordings_usage_idx`,
//! which covers the query), so the figures cost one index scan however many recordings there are.

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

/// One row per (camera, tier) with recordings, by camera. `SUM` types differ per backend
/// (MySQL: DECIMAL), hence the casts.
pub fn by_camera_and_tier(conn: &mut DbConn, since: NaiveDateTime) -> AppResult<Vec<TierUsage>> {
    Ok(recordings::table
        .group_by((recordings::camera_id, recordings::tier))
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
        .order((recordings::camera_id.asc(), recordings::tier.asc()))
        .load(conn)?)
}

/// Recordings and bytes per tier, of the cameras `only_ids` (all when `None`): the dashboard's
/// figures.
pub fn by_tier(conn: &mut DbConn, only_ids: Option<&[String]>) -> AppResult<Vec<(StorageTier, i64, i64)>> {
    let mut q = recordings::table
        .group_by(recordings::tier)
        .select((
            recordings::tier,
            sql::<BigInt>("CAST(COUNT(*) AS SIGNED)"),
            sql::<BigInt>("CAST(COALESCE(SUM(size_bytes), 0) AS SIGNED)"),
        ))
        .into_boxed();
    if let Some(ids) = only_ids {
        q = q.filter(recordings::camera_id.eq_any(ids.to_vec()));
    }
    Ok(q.load(conn)?)
}
