//! The dry run: the actions the next storage run would take, as [`super::walk::Walk`] decides
//! them for the run itself.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    walk::{Decision, Reason, Walk},
    Storage,
};
use crate::{
    auth::Principal,
    db::{recording_tiers::Placement, PageRequest},
    domain::StorageTier,
    error::AppResult,
    services::paging::Page,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlanAction {
    Move,
    Delete,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanReason {
    /// Old enough for a lower tier (the camera's thresholds, or the global ones).
    Age,
    /// Past its camera's (or the global) retention.
    Retention,
    /// Its camera's footage exceeds the camera's `quota_bytes`: the oldest goes.
    Quota,
    /// HOT's filesystem is below `ARGUS_HOT_MIN_FREE_PERCENT` free: the oldest HOT footage
    /// moves down a tier, or is deleted when there is none.
    DiskFloor,
}

impl PlanReason {
    /// Its JSON spelling, also the tombstone's `reason`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanReason::Age => "age",
            PlanReason::Retention => "retention",
            PlanReason::Quota => "quota",
            PlanReason::DiskFloor => "disk_floor",
        }
    }
}

impl From<Reason> for PlanReason {
    fn from(r: Reason) -> PlanReason {
        match r {
            Reason::Age => PlanReason::Age,
            Reason::Retention(_) => PlanReason::Retention,
            Reason::Quota(_) => PlanReason::Quota,
            Reason::DiskFloor => PlanReason::DiskFloor,
        }
    }
}

/// One thing the next run would do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlannedAction {
    pub recording_id: String,
    pub camera_id: String,
    pub action: PlanAction,
    /// The tier the recording is in.
    pub from: StorageTier,
    /// The tier it moves to; `null` for a delete.
    pub to: Option<StorageTier>,
    pub reason: PlanReason,
    pub ended_at: DateTime<Utc>,
}

impl PlannedAction {
    fn new(p: &Placement, d: Decision) -> PlannedAction {
        let (action, to) = match d {
            Decision::Delete(_) => (PlanAction::Delete, None),
            Decision::Move { to, .. } => (PlanAction::Move, Some(to)),
        };
        PlannedAction {
            recording_id: p.id.clone(),
            camera_id: p.camera_id.clone(),
            action,
            from: p.tier,
            to,
            reason: d.reason().into(),
            ended_at: p.ended_at.and_utc(),
        }
    }
}

impl Storage {
    /// The dry run: one page of the actions the next run would take as of `now`, in its order,
    /// on the cameras `principal` may see, with their total (memory stays bounded: the walk
    /// holds one batch at a time).
    pub async fn plan(
        &self,
        now: NaiveDateTime,
        principal: &Principal,
        page: PageRequest,
    ) -> AppResult<Page<PlannedAction>> {
        let skip = (page.page - 1).saturating_mul(page.limit);
        let (mut items, mut total) = (Vec::new(), 0i64);
        let mut walk = Walk::start(self, now).await?;
        while let Some(batch) = walk.next(self).await? {
            for (p, d) in batch.into_iter().filter(|(p, _)| principal.can_see_camera(&p.camera_id)) {
                if total >= skip && (items.len() as i64) < page.limit {
                    items.push(PlannedAction::new(&p, d));
                }
                total += 1;
            }
        }
        Ok(Page::new(items, total, page))
    }
}
