//! The orphan sweep: objects no recording references are deleted. Deletions are queued with the
//! row's delete (see [`super::retention`]), so this is the safety net for objects that reached a
//! tier some other way (a database restored from a backup older than the queue, files copied in
//! by hand).
//!
//! Each configured tier is listed; a batch of listed keys at a time is looked up (indexed `IN`
//! queries, never one query per key), and an object is kept when anything could reference it:
//! - another tier than HOT: a row whose `location` is the key, whose HOT `file_path` is the key
//!   under the HOT directory, or whose id the key names (`CAMERA/ID.mp4`, the fallback key) —
//!   whatever its tier or `stale_tier`, so a copy in flight (`stale_tier`) is never swept;
//! - HOT: only filed recordings are considered (`*.mp4`: never an FLV being recorded or a
//!   `.mp4.part` being remuxed — `services::unfiled` handles those), kept when a row's
//!   `file_path` is the file.
//!
//! Only objects last written before the grace period are deleted: a filing renames its MP4 into
//! place seconds before inserting its row, and a move's copy exists before its row points at
//! it; both take far less than [`GRACE`]. Listing a large tier is costly (a LIST request per
//! 1,000 S3 keys, a directory walk on disk), so a run sweeps at most once per [`EVERY`].

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use futures_util::StreamExt;
use object_store::path::Path;

use super::Storage;
use crate::{
    db::{self, recording_tiers::KeyColumn},
    domain::StorageTier,
    error::AppResult,
    infra::storage::{local_key, TierStore},
};

/// Objects written more recently than this are never swept.
pub const GRACE: Duration = Duration::hours(1);
/// The least time between two sweeps of one process.
pub const EVERY: Duration = Duration::hours(24);
/// Listed keys looked up per query.
const LOOKUP_BATCH: usize = 500;

impl Storage {
    /// Sweeps when the last sweep of this process is [`EVERY`] old (or there was none).
    pub(super) async fn sweep_if_due(&self, now: NaiveDateTime) -> AppResult<usize> {
        {
            let mut last = self.last_sweep.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|at| now - at < EVERY) {
                return Ok(0);
            }
            *last = Some(now);
        }
        self.sweep((now - GRACE).and_utc()).await
    }

    /// Deletes every unreferenced object (see the module) last written before `before`, in
    /// every configured tier; returns how many. A tier that cannot be listed is logged and
    /// skipped.
    pub async fn sweep(&self, before: DateTime<Utc>) -> AppResult<usize> {
        let mut swept = 0;
        for tier in self.tiers.configured() {
            match self.sweep_tier(tier, before).await {
                Ok(n) => swept += n,
                Err(e) => tracing::error!(%tier, error = %e, "orphan sweep failed"),
            }
        }
        if swept > 0 {
            tracing::warn!(swept, "storage: deleted objects no recording referenced");
        }
        Ok(swept)
    }

    async fn sweep_tier(&self, tier: StorageTier, before: DateTime<Utc>) -> AppResult<usize> {
        let store = self.store(tier)?;
        let hot_prefix = local_key(&self.settings.hot)?;
        let mut listing = store.list((tier == StorageTier::Hot).then_some(&hot_prefix));
        let (mut batch, mut swept) = (Vec::new(), 0);
        while let Some(item) = listing.next().await {
            let (key, written) = item?;
            let filed = tier != StorageTier::Hot || key.as_ref().ends_with(".mp4");
            if filed && written < before {
                batch.push(key);
            }
            if batch.len() >= LOOKUP_BATCH {
                swept += self.sweep_batch(tier, store, std::mem::take(&mut batch)).await?;
            }
        }
        swept += self.sweep_batch(tier, store, batch).await?;
        Ok(swept)
    }

    /// Deletes the keys of `batch` (listed in `tier`) that nothing references.
    async fn sweep_batch(&self, tier: StorageTier, store: &TierStore, batch: Vec<Path>) -> AppResult<usize> {
        if batch.is_empty() {
            return Ok(0);
        }
        // The HOT file a HOT key is (its store is rooted at `/`), and the one a lower tier's
        // key was moved from (`file_path` under the HOT directory).
        let hot_file = |key: &str| format!("/{key}");
        let from_hot = |key: &Path| self.settings.hot.join(key.as_ref()).to_string_lossy().into_owned();
        let mut lookups = Vec::new();
        if tier == StorageTier::Hot {
            lookups.push((KeyColumn::FilePath, batch.iter().map(|k| hot_file(k.as_ref())).collect()));
        } else {
            let keys: Vec<String> = batch.iter().map(|k| k.to_string()).collect();
            let under_hot = batch.iter().map(from_hot).collect();
            let ids = batch.iter().filter_map(fallback_id).collect();
            lookups.extend([
                (KeyColumn::Location, keys),
                (KeyColumn::FilePath, under_hot),
                (KeyColumn::Id, ids),
            ]);
        }
        let mut referenced = HashSet::new();
        for (column, keys) in lookups {
            referenced.extend(self.db.run(move |c| db::recording_tiers::referenced(c, column, &keys)).await?);
        }
        let mut swept = 0;
        for key in batch {
            let names = if tier == StorageTier::Hot {
                vec![hot_file(key.as_ref())]
            } else {
                let mut names = vec![key.to_string(), from_hot(&key)];
                names.extend(fallback_id(&key));
                names
            };
            if names.iter().any(|n| referenced.contains(n)) {
                continue;
            }
            tracing::info!(%tier, %key, "deleting an object no recording references");
            store.delete(&key).await?;
            swept += 1;
        }
        Ok(swept)
    }
}

/// The recording id a fallback key (`CAMERA/ID.mp4`) names.
fn fallback_id(key: &Path) -> Option<String> {
    let mut parts = key.parts();
    let (_camera, file, rest) = (parts.next()?, parts.next()?, parts.next());
    if rest.is_some() {
        return None;
    }
    file.as_ref().strip_suffix(".mp4").map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_two_part_mp4_key_names_a_recording() {
        assert_eq!(fallback_id(&Path::from("cam/abc.mp4")), Some("abc".into()));
        assert_eq!(fallback_id(&Path::from("cam/2026/12/01/abc.mp4")), None);
        assert_eq!(fallback_id(&Path::from("cam/abc.flv")), None);
    }
}
