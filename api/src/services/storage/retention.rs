//! Deleting a recording a rule gave up: older (from `ended_at`) than its camera's
//! `retention_days` or else the global `ARGUS_RETENTION_DAYS`, beyond its camera's quota, or
//! taken off HOT for the disk floor with no lower tier. Footage under legal hold (its own or its
//! camera's) never expires: the selection and the delete both exclude it.
//!
//! Deleting a recording (by a rule, or a user's delete) is crash-safe in two steps:
//! 1. One transaction: the row goes, its audit row (naming the rule) is written, and each of its
//!    objects (the one it points at, and a stale copy) is queued in `object_deletions`.
//! 2. Each object is deleted, then its queue row.
//!
//! No row ever points at a missing object (the row goes first, atomically with the hold check),
//! and a crash between the two steps leaves queue rows that the next run's repair finishes
//! ([`Storage::finish_deletions`]), so no object is left without a row.

use super::{walk::Reason, Storage, BATCH};
use crate::{
    auth::RequestMeta,
    db::{self, object_deletions::ObjectDeletion, recording_tiers::Placement},
    domain::AuditAction,
    error::{AppError, AppResult},
    services::audit::{self, Actor, Change},
};

impl Storage {
    /// False when the row was already gone, or put under hold since it was selected.
    pub(super) async fn expire_one(&self, p: &Placement, why: Reason) -> AppResult<bool> {
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
        let entry = audit::entry(&Actor::system(), &RequestMeta::default(), change);
        let (id, queued) = (p.id.clone(), self.deletions(p)?);
        let rows = queued.clone();
        let deleted = self
            .db
            .transaction(move |c| {
                let deleted = db::recordings::delete_unheld(c, &id)? == 1;
                if deleted {
                    audit::write(c, &entry)?;
                    db::object_deletions::insert(c, &rows)?;
                }
                Ok(deleted)
            })
            .await?;
        if deleted {
            self.failpoints.reach("storage.expire_row_deleted").await?;
            self.delete_queued(queued).await?;
        }
        Ok(deleted)
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

    /// Deletes the queued objects, each queue row once its object is gone.
    pub async fn delete_queued(&self, queued: Vec<ObjectDeletion>) -> AppResult<()> {
        for d in queued {
            let key = object_store::path::Path::parse(&d.object_key)
                .map_err(|e| AppError::internal(format!("storage: bad key {:?}: {e}", d.object_key)))?;
            self.store(d.tier)?.delete(&key).await?;
            self.db.run(move |c| db::object_deletions::done(c, &d.id)).await?;
        }
        Ok(())
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
        let reason = super::plan::PlanReason::from(why);
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
