//! Retention: a recording older (from `ended_at`) than its camera's `retention_days`, or else
//! the global `ARGUS_RETENTION_DAYS`, is deleted — the row with a `recording.expired` audit row in
//! one transaction, then its object in whichever tier (and a stale copy). A crash between the
//! two leaves an object without a row, never a row without its object. Footage under legal hold
//! (its own or its camera's) never expires: the selection and the delete both exclude it.

use super::Storage;
use crate::{
    auth::RequestMeta,
    db::{self, recording_tiers::Placement},
    domain::AuditAction,
    error::AppResult,
    services::audit::{self, Actor, Change},
};

impl Storage {
    /// False when the row was already gone, or put under hold since it was selected.
    pub(super) async fn expire_one(&self, p: &Placement, retention_days: u32) -> AppResult<bool> {
        let change = Change::new(AuditAction::RecordingExpired)
            .on("recording", &p.id)
            .before(serde_json::json!({
                "camera_id": p.camera_id,
                "ended_at": p.ended_at.and_utc(),
                "tier": p.tier,
                "size_bytes": p.size_bytes,
                "checksum_sha256": p.checksum_sha256,
            }))
            .after(serde_json::json!({ "retention_days": retention_days }));
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
}
