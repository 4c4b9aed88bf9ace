//! One move, and the repair of interrupted ones.
//!
//! 1. `stale_tier := to` (the row still points at the source; the destination may get a copy).
//! 2. Copy the object into `to`, under the same key (multipart: it appears only when complete).
//! 3. Verify the copy: size and SHA-256 against the row.
//! 4. One transaction: `tier := to`, `location`, `tier_changed_at`, `stale_tier := from`, and the
//!    `recording.tier_changed` audit row.
//! 5. Delete the source, then `stale_tier := NULL`.
//!
//! A crash anywhere leaves the row pointing at a complete object (the source until step 4
//! commits, the verified copy after), and any other copy named by `stale_tier`: [`Storage::repair`]
//! deletes it (and, in a directory, a partial upload a crash mid-copy left) at the start of the
//! next run, which then moves the recording again if still due. `scripts/storage-crash-test.sh`
//! kills the real process at each step (`ARGUS_FAILPOINTS`) and checks this.

use chrono::NaiveDateTime;

use super::{walk::Reason, Storage, BATCH};
use crate::{
    auth::RequestMeta,
    db::{self, recording_tiers::Placement},
    domain::{AuditAction, StorageTier},
    error::{AppError, AppResult},
    infra::storage::TierStore,
    services::audit::{self, Actor, Change},
};

impl Storage {
    pub(super) fn store(&self, tier: StorageTier) -> AppResult<&TierStore> {
        self.tiers
            .get(tier)
            .ok_or_else(|| AppError::internal(format!("storage tier {tier} is not configured")))
    }

    /// Moves `p` from `from` to `to` (for `why`); false when the row changed under us (nothing done).
    pub(super) async fn move_one(
        &self,
        p: &Placement,
        (from, to): (StorageTier, StorageTier),
        why: Reason,
        now: NaiveDateTime,
    ) -> AppResult<bool> {
        let (source, target) = (self.store(from)?, self.store(to)?);
        let (src_key, dst_key) = (self.key(p, from)?, self.key(p, to)?);
        let id = p.id.clone();
        if !self.db.run(move |c| db::recording_tiers::begin_move(c, &id, from, to)).await? {
            return Ok(false);
        }
        target.copy_from(source, &src_key, &dst_key, &self.failpoints).await?;
        let (size, sha) = target.digest(&dst_key).await?;
        if size != u64::try_from(p.size_bytes).unwrap_or(u64::MAX)
            || !sha.eq_ignore_ascii_case(&p.checksum_sha256)
        {
            // The bad copy goes now (a failure here leaves it to the next run's repair).
            target.delete(&dst_key).await?;
            let id = p.id.clone();
            self.db.run(move |c| db::recording_tiers::clear_stale(c, &id, to)).await?;
            return Err(AppError::internal(format!(
                "copy of recording {} in {to} does not verify: {size} bytes, sha256 {sha}",
                p.id
            )));
        }
        self.failpoints.reach("storage.copied").await?;
        let mut after = self.why(why);
        after["tier"] = serde_json::json!(to);
        after["location"] = serde_json::json!(dst_key.as_ref());
        after["size_bytes"] = serde_json::json!(size);
        after["checksum_sha256"] = serde_json::json!(sha);
        let change = Change::new(AuditAction::RecordingTierChanged)
            .on("recording", &p.id)
            .before(serde_json::json!({ "tier": from, "location": src_key.as_ref() }))
            .after(after);
        let entry = audit::entry(&Actor::system(), &RequestMeta::default(), change);
        let (id, location) = (p.id.clone(), dst_key.to_string());
        let committed = self
            .db
            .transaction(move |c| {
                let moved = db::recording_tiers::commit_move(c, &id, from, to, &location, now)?;
                if moved {
                    audit::write(c, &entry)?;
                }
                Ok(moved)
            })
            .await?;
        if !committed {
            // Deleted meanwhile: the copy has no row.
            target.delete(&dst_key).await?;
            return Ok(false);
        }
        self.failpoints.reach("storage.committed").await?;
        source.delete(&src_key).await?;
        let id = p.id.clone();
        self.db.run(move |c| db::recording_tiers::clear_stale(c, &id, from)).await?;
        Ok(true)
    }

    /// Deletes every stale copy an interrupted move left (the row points elsewhere), and
    /// returns how many.
    pub(super) async fn repair(&self) -> AppResult<usize> {
        let (mut after, mut repaired) = (String::new(), 0);
        loop {
            let cursor = after.clone();
            let batch = self.db.run(move |c| db::recording_tiers::with_stale_copy(c, &cursor, BATCH)).await?;
            let Some(last) = batch.last() else { break };
            after = last.id.clone();
            for p in batch {
                match self.delete_stale_copy(&p).await {
                    Ok(()) => repaired += 1,
                    Err(e) => tracing::error!(recording = %p.id, error = %e, "removing a stale copy failed"),
                }
            }
        }
        Ok(repaired)
    }

    async fn delete_stale_copy(&self, p: &Placement) -> AppResult<()> {
        let Some(stale) = p.stale_tier else { return Ok(()) };
        // Never delete the object the row points at.
        if stale != p.tier {
            let (store, key) = (self.store(stale)?, self.key(p, stale)?);
            store.delete(&key).await?;
            store.delete_partial_uploads(&key).await?;
        }
        let id = p.id.clone();
        self.db.run(move |c| db::recording_tiers::clear_stale(c, &id, stale)).await
    }
}
