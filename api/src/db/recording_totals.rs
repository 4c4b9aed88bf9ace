//! Recordings and bytes per tier, kept up to date by the three statements that change them
//! (a recording filed, moved to another tier, deleted), each inside the caller's transaction:
//! reading them costs four rows however many recordings there are.

use diesel::prelude::*;

use super::{schema::recording_totals, DbConn};
use crate::{domain::StorageTier, error::AppResult};

/// Adds `recordings` and `bytes` (negative: removes them) to `tier`'s totals. Call it inside
/// the transaction that made the change.
pub fn add(conn: &mut DbConn, tier: StorageTier, recordings: i64, bytes: i64) -> AppResult<()> {
    diesel::update(recording_totals::table.filter(recording_totals::tier.eq(tier)))
        .set((
            recording_totals::recordings.eq(recording_totals::recordings + recordings),
            recording_totals::bytes.eq(recording_totals::bytes + bytes),
        ))
        .execute(conn)?;
    Ok(())
}

/// `(tier, recordings, bytes)` of every tier.
pub fn all(conn: &mut DbConn) -> AppResult<Vec<(StorageTier, i64, i64)>> {
    Ok(recording_totals::table
        .select((recording_totals::tier, recording_totals::recordings, recording_totals::bytes))
        .load(conn)?)
}
