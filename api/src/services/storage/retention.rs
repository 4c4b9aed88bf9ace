//! Deleting a recording a rule gave up: older (from `ended_at`) than its camera's
//! `retention_days` or else the global `ARGUS_RETENTION_DAYS`, beyond its camera's quota, or
//! taken off HOT for the disk floor with no lower tier. The row goes with a `recording.expired`
//! audit row (naming the rule) in one transaction, then its object in whichever tier (and a stale copy). A crash between the
//! two leaves an object without a row, never a row without its object. Footage under legal hold
//! (its own or its camera's) never expires: the selection and the delete both exclude it.

use super::{walk::Reason, Storage};
use crate::{
    auth::RequestMeta,
    db::{self, recording_tiers::Placement},
    domain::AuditAction,
    error::AppResult,
    services::audit::{self, Actor, Change},
};

impl Storage {
    /// False when the row was already gone, or put under hold since it was selected.
    pub(super) async fn expire_one(&self, p: &Placement, why: Reason) -> AppResult<bool> {
        let change = Change::new(AuditAction::RecordingExpired)
            .on("recording", &p.id)
            .before(serde_json::json!({
                "camera_id": p.camera_id,
                "ended_at": p.ended_at.and_utc(),
                "tier": p.tier,
                "size_bytes": p.size_bytes,
                "checksum_sha256": p.checksum_sha256,
            }))
            .after(self.why(why));
        let entry = audit::entry(&Actor::system(), &RequestMeta::default(), change);
        let id = p.id.clone();
        let deleted = self
            .db
            .transaction(move |c| {
                let deleted = db::recordings::delete_unheld(c, &id)? == 1;
                if deleted {
                    audit::write(c, &entry)?;
                }
                Ok(deleted)
            })
            .await?;
        if deleted {
            self.delete_objects(p).await?;
        }
        Ok(deleted)
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
