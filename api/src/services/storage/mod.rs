//! The storage lifecycle: recordings move down the tiers (HOT → WARM → COLD → ARCHIVE) as they
//! age, and expire after their retention ([`retention`]). This module is the only writer of a
//! recording's `tier` and `location`.
//!
//! A move is crash-safe (see [`moves`]): the row always points at a complete, verified object,
//! and a copy the row does not point at is named in `stale_tier` until it is deleted, so the next
//! run deletes whatever a crash left behind before it moves anything.

mod moves;
pub mod plan;
pub mod reading;
mod retention;
pub mod usage;

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use crate::{
    config::StorageSettings,
    db::{recording_tiers::Placement, Db},
    domain::StorageTier,
    error::{AppError, AppResult},
    infra::storage::{local_key, Tiers},
};
pub use moves::FailPoint;
use plan::{Decision, Walk};

/// Rows read per query: memory stays bounded whatever the backlog.
const BATCH: i64 = 200;

/// What one run did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct StorageReport {
    pub moved: usize,
    /// Recordings deleted because they outlived their retention.
    pub expired: usize,
    pub failed: usize,
    /// Stale copies (left by an interrupted move) deleted.
    pub repaired: usize,
}

/// What a run needs: the database, the tiers' stores and their settings.
#[derive(Clone)]
pub struct Storage {
    pub db: Db,
    pub tiers: Tiers,
    pub settings: StorageSettings,
}

impl Storage {
    /// The key of `p` in `tier`'s store. HOT: the filed path; elsewhere the same key in every
    /// tier, taken from the path under the HOT directory (`CAMERA/YYYY/MM/DD/….mp4`).
    fn key(&self, p: &Placement, tier: StorageTier) -> AppResult<object_store::path::Path> {
        let path = std::path::Path::new(&p.file_path);
        if tier == StorageTier::Hot {
            return local_key(path);
        }
        if let Some(location) = &p.location {
            return Ok(object_store::path::Path::from(location.as_str()));
        }
        let relative = match path.strip_prefix(&self.settings.hot) {
            Ok(rel) => rel.to_string_lossy().into_owned(),
            Err(_) => format!("{}/{}.mp4", p.camera_id, p.id),
        };
        object_store::path::Path::parse(&relative)
            .map_err(|e| AppError::internal(format!("storage: bad key {relative:?}: {e}")))
    }

    /// Repairs what interrupted moves left, deletes what outlived its retention, then moves
    /// every recording due for a lower tier.
    /// `fail` injects a failure into each move (tests of the crash recovery).
    pub async fn run(&self, now: NaiveDateTime, fail: Option<FailPoint>) -> AppResult<StorageReport> {
        let mut report = StorageReport { repaired: self.repair().await?, ..StorageReport::default() };
        // Expiries come first: nothing is copied only to be deleted.
        let mut walk = Walk::start(self, now).await?;
        while let Some(batch) = walk.next(self).await? {
            for (p, decision) in batch {
                let (done, count) = match decision {
                    Decision::Delete(days) => (self.expire_one(&p, days).await, &mut report.expired),
                    Decision::Move { from, to } => {
                        (self.move_one(&p, from, to, now, fail).await, &mut report.moved)
                    }
                };
                match done {
                    Ok(true) => *count += 1,
                    Ok(false) => {}
                    Err(e) => {
                        report.failed += 1;
                        tracing::error!(recording = %p.id, ?decision, error = %e, "storage action failed");
                    }
                }
            }
        }
        if report != StorageReport::default() {
            tracing::info!(?report, "storage run");
        }
        Ok(report)
    }
}

/// The configured tiers below `from`, shallowest first.
fn lower_tiers(settings: &StorageSettings, from: StorageTier) -> impl Iterator<Item = StorageTier> + '_ {
    StorageTier::ALL.iter().copied().filter(move |t| *t > from && settings.location(*t).is_some())
}

fn cutoff(settings: &StorageSettings, tier: StorageTier, now: NaiveDateTime) -> NaiveDateTime {
    now - Duration::days(i64::from(settings.after_days(tier)))
}

/// The deepest configured tier below `from` whose age threshold a recording that ended at
/// `ended_at` has passed, as of `now`; `None` = it stays.
fn target(
    settings: &StorageSettings,
    from: StorageTier,
    ended_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Option<StorageTier> {
    lower_tiers(settings, from).filter(|t| ended_at < cutoff(settings, *t, now)).last()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{S3Settings, TierLocation};

    fn settings(warm: bool, cold: bool) -> StorageSettings {
        StorageSettings {
            hot: "/hot".into(),
            warm: warm.then(|| TierLocation::Local("/warm".into())),
            cold: cold.then(|| TierLocation::Local("/cold".into())),
            archive: None,
            warm_after_days: 7,
            cold_after_days: 30,
            archive_after_days: 90,
            retention_days: None,
            s3: S3Settings::default(),
        }
    }

    #[test]
    fn a_recording_goes_to_the_deepest_configured_tier_its_age_allows() {
        let now = chrono::Utc::now().naive_utc();
        let days = |d| now - Duration::days(d);
        let s = &settings(true, true);
        assert_eq!(target(s, StorageTier::Hot, days(3), now), None);
        assert_eq!(target(s, StorageTier::Hot, days(8), now), Some(StorageTier::Warm));
        assert_eq!(target(s, StorageTier::Hot, days(31), now), Some(StorageTier::Cold));
        assert_eq!(
            target(s, StorageTier::Hot, days(400), now),
            Some(StorageTier::Cold),
            "no archive: stays in cold"
        );
        assert_eq!(target(s, StorageTier::Cold, days(400), now), None);
        let s = &settings(false, true);
        assert_eq!(target(s, StorageTier::Hot, days(8), now), None, "warm unset: hot until cold is due");
        assert_eq!(target(s, StorageTier::Hot, days(31), now), Some(StorageTier::Cold));
    }
}
