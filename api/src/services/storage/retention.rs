//! Deleting a recording a rule gave up: older (from `ended_at`) than its camera's
//! `retention_days` or else the global `ARGUS_RETENTION_DAYS`, beyond its camera's quota, or
//! taken off HOT for the disk floor with no lower tier. Footage under legal hold (its own or its
//! camera's) never expires: the selection and the delete both exclude it.
//!
//! Deleting a recording (by a rule, or a user's delete) is crash-safe in two steps:
//! 1. One transaction: the row goes, its audit row (naming the rule) is written, and each of its
//!    objects (the one it points at, and a stale copy) is queued in `object_deletions`.
//! 2. The objects are deleted, then their queue rows.
//!
//! A run takes each step for a whole batch of expiries (one transaction; the objects a few at a
//! time).
//!
//! No row ever points at a missing object (the row goes first, atomically with the hold check),
//! and a crash between the two steps leaves queue rows that the next run's repair finishes
//! ([`Storage::finish_deletions`]), so no object is left without a row.

use super::{in_flight, plan::PlanReason, walk::Reason, Outcome, Storage, BATCH};
use crate::{
    auth::RequestMeta,
    db::{self, audit::AuditRow, object_deletions::ObjectDeletion, recording_tiers::Placement},
    domain::AuditAction,
    error::{AppError, AppResult},
    services::audit::{self, Actor, Change},
};

/// A recording to expire: its audit row, why, its objects' queue rows, its placement.
type Expiry = (AuditRow, Reason, Vec<ObjectDeletion>, Placement);

impl Storage {
    /// Expires a batch, the two steps above taken for the whole batch: one transaction deletes
    /// the rows (skipping any already gone, or put under hold since they were selected) with
    /// their audit rows and queues their objects; then the objects go, a few at a time.
    pub(super) async fn expire_all(&self, batch: Vec<(Placement, Reason)>) -> Outcome {
        let mut out = Outcome::default();
        let mut expiries: Vec<Expiry> = Vec::with_capacity(batch.len());
        for (p, why) in batch {
            match self.deletions(&p) {
                Ok(queued) => expiries.push((self.expired_entry(&p, why), why, queued, p)),
                Err(e) => out.fail(&p, &e),
            }
        }
        if expiries.is_empty() {
            return out;
        }
        let rows: Vec<_> = expiries
            .iter()
            .map(|(e, why, q, p)| (p.id.clone(), e.clone(), q.clone(), PlanReason::from(*why).as_str()))
            .collect();
        let deleted = self
            .db
            .transaction(move |c| {
                let mut deleted = Vec::with_capacity(rows.len());
                for (id, _, queued, why) in &rows {
                    let gone = db::recordings::delete_unheld(c, id, why)? == 1;
                    if gone {
                        db::object_deletions::insert(c, queued)?;
                    }
                    deleted.push(gone);
                }
                let entries: Vec<_> =
                    rows.iter().zip(&deleted).filter(|(_, d)| **d).map(|((_, e, ..), _)| e.clone()).collect();
                audit::write_all(c, &entries)?;
                Ok(deleted)
            })
            .await;
        let deleted = match deleted {
            Ok(deleted) => deleted,
            Err(e) => return out.fail_all(expiries.iter().map(|(.., p)| p), &e),
        };
        let gone: Vec<_> = expiries.into_iter().zip(deleted).filter_map(|(x, d)| d.then_some(x)).collect();
        if gone.is_empty() {
            return out;
        }
        if let Err(e) = self.failpoints.reach("storage.expire_row_deleted").await {
            return out.fail_all(gone.iter().map(|(.., p)| p), &e);
        }
        // Each recording's objects, then all their queue rows at once.
        let results = in_flight(gone, |(_, why, queued, p)| async move {
            let r = self.delete_objects(&queued).await;
            (p, why, r)
        })
        .await;
        let mut cleared = Vec::new();
        for (p, why, r) in results {
            match r {
                Ok(ids) => cleared.push((p, why, ids)),
                Err(e) => out.fail(&p, &e),
            }
        }
        let ids: Vec<String> = cleared.iter().flat_map(|(.., ids)| ids.iter().cloned()).collect();
        match self.db.run(move |c| db::object_deletions::done(c, &ids)).await {
            Ok(()) => cleared.iter().for_each(|(_, why, _)| out.done(*why)),
            Err(e) => return out.fail_all(cleared.iter().map(|(p, ..)| p), &e),
        }
        out
    }

    /// The `recording.expired` audit row of `p`, naming the rule.
    fn expired_entry(&self, p: &Placement, why: Reason) -> AuditRow {
        let change = Change::new(AuditAction::RecordingExpired)
            .on("recording", &p.id)
            .before(serde_json::json!({
                "camera_id": p.camera_id,
                "started_at": p.started_at.and_utc(),
                "ended_at": p.ended_at.and_utc(),
                "tier": p.tier,
                "size_bytes": p.size_bytes,
                "checksum_sha256": p.checksum_sha256,
            }))
            .after(self.why(why));
        audit::entry(&Actor::system(), &RequestMeta::default(), change)
    }

    /// The queue rows for `p`'s objects, to insert in the transaction that deletes its row.
    pub fn deletions(&self, p: &Placement) -> AppResult<Vec<ObjectDeletion>> {
        let now = db::now();
        std::iter::once(p.tier)
            .chain(p.stale_tier.filter(|t| *t != p.tier))
            .map(|tier| {
                Ok(ObjectDeletion {
                    id: db::new_id(),
                    tier,
                    object_key: self.key(p, tier)?.to_string(),
                    created_at: now,
                })
            })
            .collect()
    }

    /// Deletes the queued objects, a few at a time, then the queue rows of those gone; the first
    /// failure, if any (its queue row stays for the next run).
    pub async fn delete_queued(&self, queued: Vec<ObjectDeletion>) -> AppResult<()> {
        let results =
            in_flight(queued, |d| async move { self.delete_objects(std::slice::from_ref(&d)).await }).await;
        let mut ids = Vec::with_capacity(results.len());
        let mut failure = None;
        for r in results {
            match r {
                Ok(done) => ids.extend(done),
                Err(e) => failure = failure.or(Some(e)),
            }
        }
        self.db.run(move |c| db::object_deletions::done(c, &ids)).await?;
        failure.map_or(Ok(()), Err)
    }

    /// Deletes the objects, in order; their queue rows' ids (for [`db::object_deletions::done`]).
    async fn delete_objects(&self, queued: &[ObjectDeletion]) -> AppResult<Vec<String>> {
        for d in queued {
            let key = object_store::path::Path::parse(&d.object_key)
                .map_err(|e| AppError::internal(format!("storage: bad key {:?}: {e}", d.object_key)))?;
            self.store(d.tier)?.delete(&key).await?;
        }
        Ok(queued.iter().map(|d| d.id.clone()).collect())
    }

    /// Deletes what interrupted deletions left queued; returns how many objects.
    pub(super) async fn finish_deletions(&self) -> AppResult<usize> {
        let mut finished = 0;
        loop {
            let batch = self.db.run(|c| db::object_deletions::pending(c, BATCH)).await?;
            if batch.is_empty() {
                return Ok(finished);
            }
            finished += batch.len();
            self.delete_queued(batch).await?;
        }
    }

    /// An audit row's account of the rule behind a delete or a move.
    pub(super) fn why(&self, why: Reason) -> serde_json::Value {
        let reason = PlanReason::from(why);
        match why {
            Reason::Age => serde_json::json!({ "reason": reason }),
            Reason::Retention(days) => serde_json::json!({ "reason": reason, "retention_days": days }),
            Reason::Quota(bytes) => serde_json::json!({ "reason": reason, "quota_bytes": bytes }),
            Reason::DiskFloor => serde_json::json!({
                "reason": reason,
                "hot_min_free_percent": self.settings.hot_min_free_percent,
            }),
        }
    }
}
