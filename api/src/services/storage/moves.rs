//! Moves, a batch at a time, and the repair of interrupted ones. Each step below is taken for
//! the whole batch (one transaction per database step, copies and deletes a few at a time), so
//! every recording goes through the same states as if it moved alone; a failpoint fires once the
//! batch reaches its step.
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
use object_store::path::Path;

use super::{in_flight, walk::Reason, Outcome, Storage, BATCH};
use crate::{
    auth::RequestMeta,
    db::{self, audit::AuditRow, recording_tiers::Placement},
    domain::{AuditAction, StorageTier},
    error::{AppError, AppResult},
    infra::storage::TierStore,
    services::audit::{self, Actor, Change},
};

/// A move in progress: the recording, its tiers, its key in each, and why it moves.
struct Move {
    p: Placement,
    from: StorageTier,
    to: StorageTier,
    src: Path,
    dst: Path,
    why: Reason,
}

impl Storage {
    pub(super) fn store(&self, tier: StorageTier) -> AppResult<&TierStore> {
        self.tiers
            .get(tier)
            .ok_or_else(|| AppError::internal(format!("storage tier {tier} is not configured")))
    }

    /// Moves each recording `from` → `to` (for its reason), the steps above taken for the whole
    /// batch. A recording that changed under us (deleted, moved, held) is skipped, uncounted.
    pub(super) async fn move_all(
        &self,
        batch: Vec<(Placement, (StorageTier, StorageTier), Reason)>,
        now: NaiveDateTime,
    ) -> Outcome {
        let mut out = Outcome::default();
        let mut keyed = Vec::with_capacity(batch.len());
        for (p, (from, to), why) in batch {
            match (self.key(&p, from), self.key(&p, to)) {
                (Ok(src), Ok(dst)) => keyed.push(Move { p, from, to, src, dst, why }),
                (Err(e), _) | (_, Err(e)) => out.fail(&p, &e),
            }
        }
        if keyed.is_empty() {
            return out;
        }
        // 1: mark the destinations as about to receive a copy.
        let marks: Vec<_> = keyed.iter().map(|m| (m.p.id.clone(), m.from, m.to)).collect();
        let begun = self
            .db
            .transaction(move |c| {
                marks
                    .iter()
                    .map(|(id, from, to)| db::recording_tiers::begin_move(c, id, *from, *to))
                    .collect()
            })
            .await;
        let begun: Vec<bool> = match begun {
            Ok(begun) => begun,
            Err(e) => return out.fail_all(keyed.iter().map(|m| &m.p), &e),
        };
        // 2–3: copy and verify.
        let begun = keyed.into_iter().zip(begun).filter_map(|(m, ok)| ok.then_some(m));
        let copied = in_flight(begun, |m| async move {
            let r = self.copy(&m).await;
            (m, r)
        })
        .await;
        let mut verified = Vec::with_capacity(copied.len());
        for (m, r) in copied {
            match r {
                Ok((size, sha)) => verified.push((m, size, sha)),
                Err(e) => out.fail(&m.p, &e),
            }
        }
        if verified.is_empty() {
            return out;
        }
        if let Err(e) = self.failpoints.reach("storage.copied").await {
            return out.fail_all(verified.iter().map(|(m, ..)| &m.p), &e);
        }
        // 4: one transaction points every verified row at its copy.
        let committed = match self.commit_all(&verified, now).await {
            Ok(committed) => committed,
            Err(e) => return out.fail_all(verified.iter().map(|(m, ..)| &m.p), &e),
        };
        let moved: Vec<_> = verified.into_iter().zip(committed).map(|((m, ..), ok)| (m, ok)).collect();
        let cut = match moved.iter().any(|(_, ok)| *ok) {
            true => self.failpoints.reach("storage.committed").await.err(),
            false => None,
        };
        self.finish_all(moved, cut, out).await
    }

    /// Step 4 for the verified copies (with their size and SHA-256), in one transaction with
    /// their audit rows; whether each row was still there to point at its copy.
    async fn commit_all(&self, verified: &[(Move, u64, String)], now: NaiveDateTime) -> AppResult<Vec<bool>> {
        let commits: Vec<_> = verified
            .iter()
            .map(|(m, size, sha)| {
                (m.p.id.clone(), m.from, m.to, m.dst.to_string(), self.moved_entry(m, *size, sha))
            })
            .collect();
        self.db
            .transaction(move |c| {
                let mut committed = Vec::with_capacity(commits.len());
                for (id, from, to, location, _) in &commits {
                    committed.push(db::recording_tiers::commit_move(c, id, *from, *to, location, now)?);
                }
                let entries: Vec<_> = commits
                    .iter()
                    .zip(&committed)
                    .filter(|(_, ok)| **ok)
                    .map(|((.., e), _)| e.clone())
                    .collect();
                audit::write_all(c, &entries)?;
                Ok(committed)
            })
            .await
    }

    /// The `recording.tier_changed` audit row of a verified copy, naming the rule.
    fn moved_entry(&self, m: &Move, size: u64, sha: &str) -> AuditRow {
        let mut after = self.why(m.why);
        after["tier"] = serde_json::json!(m.to);
        after["location"] = serde_json::json!(m.dst.as_ref());
        after["size_bytes"] = serde_json::json!(size);
        after["checksum_sha256"] = serde_json::json!(sha);
        let change = Change::new(AuditAction::RecordingTierChanged)
            .on("recording", &m.p.id)
            .before(serde_json::json!({ "tier": m.from, "location": m.src.as_ref() }))
            .after(after);
        audit::entry(&Actor::system(), &RequestMeta::default(), change)
    }

    /// Step 5: deletes the sources of the committed moves (and the copies of recordings deleted
    /// meanwhile, which have no row), then clears their stale marks in one transaction. `cut`:
    /// the failpoint error the committed moves stop at.
    async fn finish_all(&self, moved: Vec<(Move, bool)>, cut: Option<AppError>, mut out: Outcome) -> Outcome {
        let cut = cut.map(|e| e.to_string());
        let deleted = in_flight(moved, |(m, committed)| {
            let cut = cut.clone();
            async move {
                let r = match (committed, cut) {
                    (false, _) => self.delete_in(m.to, &m.dst).await,
                    (true, Some(e)) => Err(AppError::internal(e)),
                    (true, None) => self.delete_in(m.from, &m.src).await,
                };
                (m, committed, r)
            }
        })
        .await;
        let mut cleared = Vec::new();
        for (m, committed, r) in deleted {
            match r {
                Ok(()) if committed => cleared.push(m),
                Ok(()) => {}
                Err(e) => out.fail(&m.p, &e),
            }
        }
        let stale: Vec<_> = cleared.iter().map(|m| (m.p.id.clone(), m.from)).collect();
        let result = self
            .db
            .transaction(move |c| {
                stale.iter().try_for_each(|(id, from)| db::recording_tiers::clear_stale(c, id, *from))
            })
            .await;
        match result {
            Ok(()) => cleared.iter().for_each(|m| out.done(m.why)),
            Err(e) => return out.fail_all(cleared.iter().map(|m| &m.p), &e),
        }
        out
    }

    async fn delete_in(&self, tier: StorageTier, key: &Path) -> AppResult<()> {
        self.store(tier)?.delete(key).await
    }

    /// Steps 2–3 for one move: its copy's size and SHA-256, or an error when it does not verify
    /// (the bad copy deleted now, or left to the next run's repair when that fails).
    async fn copy(&self, m: &Move) -> AppResult<(u64, String)> {
        let (source, target) = (self.store(m.from)?, self.store(m.to)?);
        target.copy_from(source, &m.src, &m.dst, &self.failpoints).await?;
        let (size, sha) = target.digest(&m.dst).await?;
        if size != u64::try_from(m.p.size_bytes).unwrap_or(u64::MAX)
            || !sha.eq_ignore_ascii_case(&m.p.checksum_sha256)
        {
            target.delete(&m.dst).await?;
            let (id, to) = (m.p.id.clone(), m.to);
            self.db.run(move |c| db::recording_tiers::clear_stale(c, &id, to)).await?;
            return Err(AppError::internal(format!(
                "copy of recording {} in {} does not verify: {size} bytes, sha256 {sha}",
                m.p.id, m.to
            )));
        }
        Ok((size, sha))
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
