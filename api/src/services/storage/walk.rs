//! What a storage run does, decided in one place: [`Walk`] yields, batch by batch and in the
//! order the run acts, every recording to delete or move, and why. The run ([`Storage::run`])
//! acts on each; the dry run ([`Storage::plan`]) only lists them — the same selection, so the
//! plan is what the next run does (barring holds or edits in between, and the repair of an
//! interrupted move, which makes its recording selectable again).
//!
//! The stages, in order: retention expiry, size quotas, the HOT disk floor, then age moves. A
//! later stage skips what an earlier one took ([`Walk::taken`]): in a run that footage is gone
//! (or moved) already, in a dry run it is not, and the plan must not list it twice. What was
//! taken is known by rule, never by a list of ids, so memory stays bounded: an expiry by its
//! camera's retention, a quota's and the floor's by the last recording each took (both take
//! footage oldest first).

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDateTime};

use super::{
    rules::{due_before, floor_deficit, groups, lower_tiers, over_quota, target, Thresholds},
    Storage, BATCH,
};
use crate::{
    db::{
        self,
        recording_tiers::{Cameras, Placement, Selection},
    },
    domain::StorageTier,
    error::AppResult,
    infra::disk::DiskSpace,
};

/// The order the tiers' moves are made in: deepest source first, so a recording moves once.
const MOVE_ORDER: [StorageTier; 3] = [StorageTier::Cold, StorageTier::Warm, StorageTier::Hot];

/// A recording's place in the walks' order (`ended_at`, `id`).
type Key = (NaiveDateTime, String);

fn at_or_before(p: &Placement, k: &Key) -> bool {
    (p.ended_at, p.id.as_str()) <= (k.0, k.1.as_str())
}

fn key(p: &Placement) -> Key {
    (p.ended_at, p.id.clone())
}

/// Why a recording is deleted or moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reason {
    /// Old enough for a lower tier.
    Age,
    /// Past its retention (days).
    Retention(u32),
    /// Its camera's footage exceeds its quota (bytes).
    Quota(i64),
    /// HOT's filesystem is below `ARGUS_HOT_MIN_FREE_PERCENT` free.
    DiskFloor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Decision {
    Delete(Reason),
    Move { from: StorageTier, to: StorageTier, reason: Reason },
}

impl Decision {
    pub(super) fn reason(&self) -> Reason {
        match self {
            Decision::Delete(r) | Decision::Move { reason: r, .. } => *r,
        }
    }
}

/// A camera's rules, merged with the global ones.
struct Camera {
    retention: Option<u32>,
    thresholds: Thresholds,
    quota: Option<i64>,
}

#[derive(Clone, Copy, Debug)]
enum Stage {
    /// Expiring the footage of the n-th camera.
    Expire(usize),
    /// Bringing the n-th camera under its quota.
    Quota(usize),
    Floor,
    /// Moving out of `MOVE_ORDER[tier]` the footage of the cameras of `groups[group]`.
    Move {
        tier: usize,
        group: usize,
    },
    Done,
}

/// A walk over everything a run would do as of `now`, a bounded batch at a time.
pub(super) struct Walk {
    now: NaiveDateTime,
    cameras: BTreeMap<String, Camera>,
    ids: Vec<String>,
    global: Thresholds,
    /// Cameras grouped by thresholds (one query per group and tier).
    groups: Vec<(Thresholds, Cameras)>,
    /// HOT's filesystem when the walk started; `None` = the floor is off.
    hot_space: Option<DiskSpace>,
    /// Bytes the decisions so far take off HOT.
    hot_freed: u64,
    stage: Stage,
    after: Option<Key>,
    /// Bytes the current quota camera is still over (`None`: not yet counted).
    quota_left: Option<i64>,
    /// The last recording the quota stage took, per camera.
    quota_upto: HashMap<String, Key>,
    /// Bytes the floor still has to free (`None`: not yet counted).
    floor_left: Option<u64>,
    /// The last recording the floor took, and each camera's newest on HOT (which it keeps).
    floor_upto: Option<Key>,
    newest_hot: HashMap<String, Key>,
}

impl Walk {
    pub(super) async fn start(storage: &Storage, now: NaiveDateTime) -> AppResult<Walk> {
        let s = &storage.settings;
        let rows = storage.db.run(db::cameras::storage_rules).await?;
        let cameras: BTreeMap<String, Camera> = rows
            .into_iter()
            .map(|r| {
                let retention = r.retention_days.and_then(|d| u32::try_from(d).ok()).or(s.retention_days);
                let camera = Camera { retention, thresholds: Thresholds::of(s, &r), quota: r.quota_bytes };
                (r.id, camera)
            })
            .collect();
        let global = Thresholds::global(s);
        let thresholds = cameras.iter().map(|(id, c)| (id.clone(), c.thresholds)).collect();
        let hot_space = match s.hot_min_free_percent {
            0 => None,
            _ => (storage.disk)(&s.hot)
                .inspect_err(|e| tracing::warn!(dir = %s.hot.display(), error = %e, "HOT free space unknown"))
                .ok(),
        };
        Ok(Walk {
            now,
            ids: cameras.keys().cloned().collect(),
            groups: groups(global, &thresholds),
            cameras,
            global,
            hot_space,
            hot_freed: 0,
            stage: Stage::Expire(0),
            after: None,
            quota_left: None,
            quota_upto: HashMap::new(),
            floor_left: None,
            floor_upto: None,
            newest_hot: HashMap::new(),
        })
    }

    /// The next batch of due recordings with what to do with each (possibly empty while more
    /// follow); `None` once the walk is over.
    pub(super) async fn next(&mut self, storage: &Storage) -> AppResult<Option<Vec<(Placement, Decision)>>> {
        loop {
            let batch = match self.stage {
                Stage::Expire(i) => self.expiries(storage, i).await?,
                Stage::Quota(i) => self.quotas(storage, i).await?,
                Stage::Floor => self.floor(storage).await?,
                Stage::Move { tier, group } => self.moves(storage, tier, group).await?,
                Stage::Done => return Ok(None),
            };
            // `None`: that stage is over, the walk goes on with the next.
            if let Some(batch) = batch {
                let off_hot = batch.iter().filter(|(p, _)| p.tier == StorageTier::Hot);
                self.hot_freed += off_hot.map(|(p, _)| u64::try_from(p.size_bytes).unwrap_or(0)).sum::<u64>();
                return Ok(Some(batch));
            }
        }
    }

    fn go(&mut self, stage: Stage) {
        (self.stage, self.after) = (stage, None);
    }

    /// Keyset past `batch`; or, when it is empty, on to `next`. Whether there was a batch.
    fn advance(&mut self, batch: &[Placement], next: Stage) -> bool {
        match batch.last() {
            Some(p) => self.after = Some(key(p)),
            None => self.go(next),
        }
        !batch.is_empty()
    }

    async fn fetch(&self, storage: &Storage, selection: Selection) -> AppResult<Vec<Placement>> {
        let after = self.after.clone();
        storage.db.run(move |c| db::recording_tiers::select(c, selection, after, BATCH)).await
    }

    /// Footage of `camera` that ended before this has expired.
    fn expiry(&self, camera: &str) -> Option<NaiveDateTime> {
        let days = self.cameras.get(camera)?.retention?;
        Some(self.now - Duration::days(i64::from(days)))
    }

    fn thresholds(&self, camera: &str) -> Thresholds {
        self.cameras.get(camera).map_or(self.global, |c| c.thresholds)
    }

    /// Whether an earlier stage took `p` (see the module's comment).
    fn taken(&self, p: &Placement) -> bool {
        self.expiry(&p.camera_id).is_some_and(|before| p.ended_at < before)
            || self.quota_upto.get(&p.camera_id).is_some_and(|k| at_or_before(p, k))
            || (p.tier == StorageTier::Hot
                && self.floor_upto.as_ref().is_some_and(|k| at_or_before(p, k))
                && self.newest_hot.get(&p.camera_id).is_none_or(|k| *k != key(p)))
    }

    async fn expiries(
        &mut self,
        storage: &Storage,
        i: usize,
    ) -> AppResult<Option<Vec<(Placement, Decision)>>> {
        let Some(camera) = self.ids.get(i).cloned() else {
            self.go(Stage::Quota(0));
            return Ok(None);
        };
        let (Some(days), Some(before)) = (self.cameras[&camera].retention, self.expiry(&camera)) else {
            self.go(Stage::Expire(i + 1));
            return Ok(None);
        };
        let selection = Selection {
            cameras: Cameras::One(camera),
            tier: None,
            ended_from: None,
            ended_before: Some(before),
        };
        let batch = self.fetch(storage, selection).await?;
        if !self.advance(&batch, Stage::Expire(i + 1)) {
            return Ok(None);
        }
        Ok(Some(batch.into_iter().map(|p| (p, Decision::Delete(Reason::Retention(days)))).collect()))
    }

    /// The camera's oldest unheld footage (any tier) until what is left fits its quota; held
    /// footage counts but stays.
    async fn quotas(&mut self, storage: &Storage, i: usize) -> AppResult<Option<Vec<(Placement, Decision)>>> {
        let Some(camera) = self.ids.get(i).cloned() else {
            self.go(Stage::Floor);
            return Ok(None);
        };
        let next = Stage::Quota(i + 1);
        let Some(quota) = self.cameras[&camera].quota else {
            self.go(next);
            return Ok(None);
        };
        let expiry = self.expiry(&camera);
        let one = |from, before| Selection {
            cameras: Cameras::One(camera.clone()),
            tier: None,
            ended_from: from,
            ended_before: before,
        };
        let mut left = match self.quota_left {
            Some(left) => left,
            None => {
                // What expiry takes (in a run: took) no longer counts.
                let (id, expiring) = (camera.clone(), expiry.map(|before| one(None, Some(before))));
                let (total, gone) =
                    storage.db.run(move |c| db::recording_tiers::camera_bytes(c, &id, expiring)).await?;
                over_quota(quota, total, gone)
            }
        };
        let batch = if left > 0 { self.fetch(storage, one(expiry, None)).await? } else { vec![] };
        if !self.advance(&batch, next) {
            self.quota_left = None;
            return Ok(None);
        }
        let mut taken = Vec::new();
        for p in batch {
            if left <= 0 {
                break;
            }
            left -= p.size_bytes;
            self.quota_upto.insert(camera.clone(), key(&p));
            taken.push((p, Decision::Delete(Reason::Quota(quota))));
        }
        self.quota_left = Some(left);
        Ok(Some(taken))
    }

    /// The oldest HOT footage of every camera (but each camera's newest) until HOT has its
    /// free floor: down to the deepest tier its age allows, at least the next configured one,
    /// or, with none, deleted.
    async fn floor(&mut self, storage: &Storage) -> AppResult<Option<Vec<(Placement, Decision)>>> {
        let first_move = Stage::Move { tier: 0, group: 0 };
        let s = &storage.settings;
        let mut left = match self.floor_left {
            Some(left) => left,
            None => {
                let left = self
                    .hot_space
                    .map_or(0, |hot| floor_deficit(hot, s.hot_min_free_percent, self.hot_freed));
                if left > 0 {
                    self.newest_hot = self.newest_on_hot(storage).await?;
                }
                left
            }
        };
        let hot = Selection {
            cameras: Cameras::Except(vec![]),
            tier: Some(StorageTier::Hot),
            ended_from: None,
            ended_before: None,
        };
        let batch = if left > 0 { self.fetch(storage, hot).await? } else { vec![] };
        if !self.advance(&batch, first_move) {
            return Ok(None);
        }
        let mut taken = Vec::new();
        for p in batch {
            if left == 0 {
                break;
            }
            if self.taken(&p) || self.newest_hot.get(&p.camera_id) == Some(&key(&p)) {
                continue;
            }
            let th = self.thresholds(&p.camera_id);
            let to = target(s, &th, StorageTier::Hot, p.ended_at, self.now)
                .or_else(|| lower_tiers(s, StorageTier::Hot).next());
            let decision = match to {
                Some(to) => Decision::Move { from: StorageTier::Hot, to, reason: Reason::DiskFloor },
                None => Decision::Delete(Reason::DiskFloor),
            };
            left = left.saturating_sub(u64::try_from(p.size_bytes).unwrap_or(0));
            self.floor_upto = Some(key(&p));
            taken.push((p, decision));
        }
        self.floor_left = Some(left);
        Ok(Some(taken))
    }

    async fn newest_on_hot(&self, storage: &Storage) -> AppResult<HashMap<String, Key>> {
        let mut newest = HashMap::new();
        for camera in &self.ids {
            let id = camera.clone();
            let found =
                storage.db.run(move |c| db::recording_tiers::newest(c, &id, StorageTier::Hot)).await?;
            newest.extend(found.map(|k| (camera.clone(), k)));
        }
        Ok(newest)
    }

    async fn moves(
        &mut self,
        storage: &Storage,
        tier: usize,
        group: usize,
    ) -> AppResult<Option<Vec<(Placement, Decision)>>> {
        let Some(&from) = MOVE_ORDER.get(tier) else {
            self.go(Stage::Done);
            return Ok(None);
        };
        let Some((th, cameras)) = self.groups.get(group).cloned() else {
            self.go(Stage::Move { tier: tier + 1, group: 0 });
            return Ok(None);
        };
        let next = Stage::Move { tier, group: group + 1 };
        let Some(before) = due_before(&storage.settings, &th, from, self.now) else {
            self.go(next);
            return Ok(None);
        };
        let selection = Selection { cameras, tier: Some(from), ended_from: None, ended_before: Some(before) };
        let batch = self.fetch(storage, selection).await?;
        if !self.advance(&batch, next) {
            return Ok(None);
        }
        let decide = |p: Placement| {
            // What an earlier stage took is gone (if that failed, it stays put).
            let to =
                target(&storage.settings, &th, from, p.ended_at, self.now).filter(|_| !self.taken(&p))?;
            Some((p, Decision::Move { from, to, reason: Reason::Age }))
        };
        Ok(Some(batch.into_iter().filter_map(decide).collect()))
    }
}
