//! Retention: a recording older (from `ended_at`) than its camera's `retention_days`, or else
//! the global `ARGUS_RETENTION_DAYS`, is deleted — the row with a `recording.expired` audit row in
//! one transaction, then its object in whichever tier (and a stale copy). A crash between the
//! two leaves an object without a row, never a row without its object. Footage under legal hold
//! (its own or its camera's) never expires: the selection and the delete both exclude it.

use chrono::{Duration, NaiveDateTime};

use super::{Storage, BATCH};
use crate::{
    auth::RequestMeta,
    db::{self, recording_tiers::Placement},
    domain::AuditAction,
    error::AppResult,
    services::audit::{self, Actor, Change},
};

impl Storage {
    /// Deletes every recording past its retention as of `now`; returns (expired, failed).
    pub(super) async fn expire(&self, now: NaiveDateTime) -> AppResult<(usize, usize)> {
        let (mut expired, mut failed) = (0, 0);
        let cameras = self.db.run(db::cameras::retention_days).await?;
        for (camera_id, own) in cameras {
            let days = own.and_then(|d| u32::try_from(d).ok()).or(self.settings.retention_days);
            let Some(days) = days else { continue };
            let ended_before = now - Duration::days(i64::from(days));
            let mut after = None;
            loop {
                let (camera, cursor) = (camera_id.clone(), after.clone());
                let batch = self
                    .db
                    .run(move |c| db::recording_tiers::expired(c, &camera, ended_before, cursor, BATCH))
                    .await?;
                let Some(last) = batch.last() else { break };
                after = Some((last.ended_at, last.id.clone()));
                for p in batch {
                    match self.expire_one(&p, days).await {
                        Ok(true) => expired += 1,
                        Ok(false) => {}
                        Err(e) => {
                            failed += 1;
                            tracing::error!(recording = %p.id, error = %e, "expiring a recording failed");
                        }
                    }
                }
            }
        }
        Ok((expired, failed))
    }

    /// False when the row was already gone, or put under hold since it was selected.
    async fn expire_one(&self, p: &Placement, retention_days: u32) -> AppResult<bool> {
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
