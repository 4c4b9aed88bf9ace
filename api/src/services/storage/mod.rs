//! The storage lifecycle: recordings move down the tiers (HOT → WARM → COLD → ARCHIVE) as they
//! age, and are deleted after their retention, beyond their camera's size quota, or when HOT's
//! disk is short of its free floor ([`rules`], [`walk`]). This module is the only writer of a
//! recording's `tier` and `location`.
//!
//! A move is crash-safe (see [`moves`]): the row always points at a complete, verified object,
//! and a copy the row does not point at is named in `stale_tier` until it is deleted, so the next
//! run deletes whatever a crash left behind before it moves anything.

mod moves;
pub mod plan;
pub mod reading;
mod retention;
pub mod rules;
mod sweep;
pub mod usage;
mod walk;

use std::{
    future::Future,
    path::Path,
    sync::{Arc, Mutex},
};

use chrono::NaiveDateTime;
use futures_util::{stream, StreamExt};
use serde::Serialize;

use crate::{
    config::StorageSettings,
    db::{recording_tiers::Placement, Db},
    domain::StorageTier,
    error::{AppError, AppResult},
    infra::{
        disk::{self, DiskSpace},
        failpoints::FailPoints,
        storage::{local_key, Tiers},
    },
};
use walk::{Decision, Reason, Walk};

/// Rows read per query: memory stays bounded whatever the backlog.
const BATCH: i64 = 200;
/// Copies and deletes of a batch in flight at once.
const IN_FLIGHT: usize = 4;

/// What one run did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct StorageReport {
    pub moved: usize,
    /// Recordings deleted (past their retention, over their camera's quota, or for the floor).
    pub expired: usize,
    /// Of those deleted: to bring a camera under its quota.
    pub over_quota: usize,
    /// Of those moved or deleted: to give HOT back its free floor.
    pub disk_floor: usize,
    pub failed: usize,
    /// Stale copies (left by an interrupted move) and queued objects (left by an interrupted
    /// deletion) deleted.
    pub repaired: usize,
    /// Objects no recording referenced (left by a crash mid-expiry) deleted; see [`sweep`].
    pub swept: usize,
}

/// Reads the space of the filesystem holding a directory (tests give a fake disk).
pub type DiskProbe = Arc<dyn Fn(&Path) -> std::io::Result<DiskSpace> + Send + Sync>;

/// What a run needs: the database, the tiers' stores and their settings, and HOT's disk.
#[derive(Clone)]
pub struct Storage {
    pub db: Db,
    pub tiers: Tiers,
    pub settings: StorageSettings,
    pub disk: DiskProbe,
    /// Test-only crash points in moves and expiries (empty in production).
    pub failpoints: FailPoints,
    /// When this process last swept orphans (see [`sweep`]).
    pub last_sweep: Arc<Mutex<Option<NaiveDateTime>>>,
}

impl Storage {
    /// Storage over the real filesystem's free space.
    pub fn new(db: Db, tiers: Tiers, settings: StorageSettings, failpoints: FailPoints) -> Storage {
        Storage { db, tiers, settings, disk: Arc::new(disk::space), failpoints, last_sweep: Arc::default() }
    }

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

    /// Repairs what interrupted moves and deletions left, does what the [`Walk`] decides
    /// (expiry, quotas, the HOT floor, age moves), then sweeps orphaned objects (at most daily).
    pub async fn run(&self, now: NaiveDateTime) -> AppResult<StorageReport> {
        let repaired = self.repair().await? + self.finish_deletions().await?;
        let mut report = StorageReport { repaired, ..StorageReport::default() };
        // Expiries come first: nothing is copied only to be deleted.
        let mut walk = Walk::start(self, now).await?;
        while let Some(batch) = walk.next(self).await? {
            // A batch is of one stage, so its expiries are all done before its first move.
            let (mut deletes, mut moves) = (Vec::new(), Vec::new());
            for (p, decision) in batch {
                match decision {
                    Decision::Delete(why) => deletes.push((p, why)),
                    Decision::Move { from, to, reason } => moves.push((p, (from, to), reason)),
                }
            }
            let expired = self.expire_all(deletes).await;
            let moved = self.move_all(moves, now).await;
            report.expired += expired.done;
            report.moved += moved.done;
            for o in [&expired, &moved] {
                report.over_quota += o.quota;
                report.disk_floor += o.floor;
                report.failed += o.failed;
            }
        }
        report.swept = self.sweep_if_due(now).await?;
        if report != StorageReport::default() {
            tracing::info!(?report, "storage run");
        }
        Ok(report)
    }
}

/// `f` of each item, [`IN_FLIGHT`] at a time; the results in the order they finish.
async fn in_flight<T, F: Future>(
    items: impl IntoIterator<Item = T>,
    f: impl FnMut(T) -> F,
) -> Vec<F::Output> {
    stream::iter(items).map(f).buffer_unordered(IN_FLIGHT).collect().await
}

/// What a batch of moves or expiries came to (each failure is logged; the next run retries it).
#[derive(Default)]
struct Outcome {
    done: usize,
    /// Of those done: for a quota, for the HOT floor.
    quota: usize,
    floor: usize,
    failed: usize,
}

impl Outcome {
    fn done(&mut self, why: Reason) {
        self.done += 1;
        match why {
            Reason::Quota(_) => self.quota += 1,
            Reason::DiskFloor => self.floor += 1,
            Reason::Age | Reason::Retention(_) => {}
        }
    }

    fn fail(&mut self, p: &Placement, e: &AppError) {
        self.failed += 1;
        tracing::error!(recording = %p.id, error = %e, "storage action failed");
    }

    /// Every one of `ps` failed at one step (a transaction that did not commit, a failpoint).
    fn fail_all<'a>(mut self, ps: impl Iterator<Item = &'a Placement>, e: &AppError) -> Outcome {
        ps.for_each(|p| self.fail(p, e));
        self
    }
}
