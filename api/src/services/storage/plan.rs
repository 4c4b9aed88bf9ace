//! What a storage run does, decided in one place: [`Walk`] yields, batch by batch and in the
//! order the run acts, every recording due for deletion (retention) or a move (age). The run
//! ([`Storage::run`]) acts on each; the dry run ([`Storage::plan`]) only lists them — the same
//! selection, so the plan is what the next run does (barring holds or edits in between, and
//! the repair of an interrupted move, which makes its recording selectable again).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{cutoff, lower_tiers, target, Storage, BATCH};
use crate::{
    auth::Principal,
    db::{self, recording_tiers::Placement, PageRequest},
    domain::StorageTier,
    error::AppResult,
    services::paging::Page,
};

/// The order the tiers' moves are made in: deepest source first, so a recording moves once.
const MOVE_ORDER: [StorageTier; 3] = [StorageTier::Cold, StorageTier::Warm, StorageTier::Hot];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Decision {
    /// Past its retention (days).
    Delete(u32),
    Move {
        from: StorageTier,
        to: StorageTier,
    },
}

#[derive(Clone, Copy, Debug)]
enum Stage {
    /// Expiring the footage of the n-th camera with a retention.
    Expire(usize),
    /// Moving out of `MOVE_ORDER[n]`.
    Move(usize),
}

/// A walk over everything a run would do as of `now`, a bounded batch at a time.
pub(super) struct Walk {
    now: NaiveDateTime,
    /// Cameras whose footage expires, with their retention (the camera's, or the global one).
    retention: Vec<(String, u32)>,
    retention_of: HashMap<String, u32>,
    stage: Stage,
    after: Option<(NaiveDateTime, String)>,
}

impl Walk {
    pub(super) async fn start(storage: &Storage, now: NaiveDateTime) -> AppResult<Walk> {
        let global = storage.settings.retention_days;
        let cameras = storage.db.run(db::cameras::retention_days).await?;
        let retention: Vec<(String, u32)> = cameras
            .into_iter()
            .filter_map(|(id, own)| Some((id, own.and_then(|d| u32::try_from(d).ok()).or(global)?)))
            .collect();
        let retention_of = retention.iter().cloned().collect();
        Ok(Walk { now, retention, retention_of, stage: Stage::Expire(0), after: None })
    }

    /// The next batch of due recordings with what to do with each (possibly empty while more
    /// follow); `None` once the walk is over.
    pub(super) async fn next(&mut self, storage: &Storage) -> AppResult<Option<Vec<(Placement, Decision)>>> {
        loop {
            let batch = match self.stage {
                Stage::Expire(i) => self.expiries(storage, i).await?,
                Stage::Move(i) => match MOVE_ORDER.get(i) {
                    Some(&from) => self.moves(storage, i, from).await?,
                    None => return Ok(None),
                },
            };
            // `None`: that stage is over, the walk goes on with the next.
            if batch.is_some() {
                return Ok(batch);
            }
        }
    }

    fn days_before(&self, days: u32) -> NaiveDateTime {
        self.now - Duration::days(i64::from(days))
    }

    /// Keyset past `batch`; or, when it is empty, on to `next`. Whether there was a batch.
    fn advance(&mut self, batch: &[Placement], next: Stage) -> bool {
        match batch.last() {
            Some(p) => self.after = Some((p.ended_at, p.id.clone())),
            None => (self.stage, self.after) = (next, None),
        }
        !batch.is_empty()
    }

    async fn expiries(
        &mut self,
        storage: &Storage,
        i: usize,
    ) -> AppResult<Option<Vec<(Placement, Decision)>>> {
        let Some((camera, days)) = self.retention.get(i).cloned() else {
            (self.stage, self.after) = (Stage::Move(0), None);
            return Ok(None);
        };
        let (before, after) = (self.days_before(days), self.after.clone());
        let batch =
            storage.db.run(move |c| db::recording_tiers::expired(c, &camera, before, after, BATCH)).await?;
        if !self.advance(&batch, Stage::Expire(i + 1)) {
            return Ok(None);
        }
        Ok(Some(batch.into_iter().map(|p| (p, Decision::Delete(days))).collect()))
    }

    async fn moves(
        &mut self,
        storage: &Storage,
        i: usize,
        from: StorageTier,
    ) -> AppResult<Option<Vec<(Placement, Decision)>>> {
        // The shallowest lower tier has the smallest threshold: nothing younger is due.
        let Some(first) = lower_tiers(&storage.settings, from).next() else {
            (self.stage, self.after) = (Stage::Move(i + 1), None);
            return Ok(None);
        };
        let (before, after) = (cutoff(&storage.settings, first, self.now), self.after.clone());
        let batch = storage.db.run(move |c| db::recording_tiers::due(c, from, before, after, BATCH)).await?;
        if !self.advance(&batch, Stage::Move(i + 1)) {
            return Ok(None);
        }
        let decide = |p: Placement| {
            // Expired footage was deleted before the moves (if its delete failed, it stays put).
            let expired =
                self.retention_of.get(&p.camera_id).is_some_and(|d| p.ended_at < self.days_before(*d));
            let to = target(&storage.settings, from, p.ended_at, self.now).filter(|_| !expired)?;
            Some((p, Decision::Move { from, to }))
        };
        Ok(Some(batch.into_iter().filter_map(decide).collect()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlanAction {
    Move,
    Delete,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlanReason {
    /// Old enough for a lower tier.
    Age,
    /// Past its camera's (or the global) retention.
    Retention,
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
        let (action, to, reason) = match d {
            Decision::Delete(_) => (PlanAction::Delete, None, PlanReason::Retention),
            Decision::Move { to, .. } => (PlanAction::Move, Some(to), PlanReason::Age),
        };
        PlannedAction {
            recording_id: p.id.clone(),
            camera_id: p.camera_id.clone(),
            action,
            from: p.tier,
            to,
            reason,
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
