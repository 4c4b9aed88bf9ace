//! The rules a storage run applies to each camera's footage, as plain functions: its tier
//! thresholds (its own, merged with `ARGUS_TIER_*_AFTER_DAYS`), where a recording of a given age
//! belongs, how much a size quota or the HOT disk floor asks to free. [`super::walk`] turns them
//! into queries; camera create/PATCH validates a camera's rules with [`check_camera_rules`].

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};

use crate::{
    config::{StorageSettings, MAX_RETENTION_DAYS},
    db::{cameras::StorageRules, recording_tiers::Cameras},
    domain::StorageTier,
    error::{AppError, AppResult},
    infra::disk::DiskSpace,
};

/// Days after `ended_at` at which footage belongs in WARM, COLD, ARCHIVE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Thresholds {
    pub warm: u32,
    pub cold: u32,
    pub archive: u32,
}

impl Thresholds {
    pub fn global(s: &StorageSettings) -> Thresholds {
        Thresholds { warm: s.warm_after_days, cold: s.cold_after_days, archive: s.archive_after_days }
    }

    /// A camera's own thresholds where it has them, the global ones elsewhere.
    pub fn of(s: &StorageSettings, camera: &StorageRules) -> Thresholds {
        let own = |v: Option<i32>, global: u32| v.and_then(|d| u32::try_from(d).ok()).unwrap_or(global);
        Thresholds {
            warm: own(camera.warm_after_days, s.warm_after_days),
            cold: own(camera.cold_after_days, s.cold_after_days),
            archive: own(camera.archive_after_days, s.archive_after_days),
        }
    }

    /// Days after `ended_at` at which footage belongs in `tier` (HOT: 0).
    pub fn after_days(&self, tier: StorageTier) -> u32 {
        match tier {
            StorageTier::Hot => 0,
            StorageTier::Warm => self.warm,
            StorageTier::Cold => self.cold,
            StorageTier::Archive => self.archive,
        }
    }

    fn cutoff(&self, tier: StorageTier, now: NaiveDateTime) -> NaiveDateTime {
        now - Duration::days(i64::from(self.after_days(tier)))
    }
}

/// The configured tiers below `from`, shallowest first.
pub(super) fn lower_tiers(s: &StorageSettings, from: StorageTier) -> impl Iterator<Item = StorageTier> + '_ {
    StorageTier::ALL.iter().copied().filter(move |t| *t > from && s.location(*t).is_some())
}

/// The deepest configured tier below `from` whose threshold a recording that ended at
/// `ended_at` has passed, as of `now`; `None` = it stays.
pub(super) fn target(
    s: &StorageSettings,
    th: &Thresholds,
    from: StorageTier,
    ended_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Option<StorageTier> {
    lower_tiers(s, from).filter(|t| ended_at < th.cutoff(*t, now)).last()
}

/// Footage in `from` that ended before this may be due for a lower tier (nothing later is);
/// `None` = no lower tier is configured.
pub(super) fn due_before(
    s: &StorageSettings,
    th: &Thresholds,
    from: StorageTier,
    now: NaiveDateTime,
) -> Option<NaiveDateTime> {
    lower_tiers(s, from).map(|t| th.cutoff(t, now)).max()
}

/// The cameras grouped by their thresholds, so a run makes one query per group and tier: first
/// every camera on the global thresholds (all but the others), then each group of the others.
pub(super) fn groups(
    global: Thresholds,
    cameras: &BTreeMap<String, Thresholds>,
) -> Vec<(Thresholds, Cameras)> {
    let mut own: BTreeMap<Thresholds, Vec<String>> = BTreeMap::new();
    for (id, th) in cameras.iter().filter(|(_, th)| **th != global) {
        own.entry(*th).or_default().push(id.clone());
    }
    let others = own.values().flatten().cloned().collect();
    let mut groups = vec![(global, Cameras::Except(others))];
    groups.extend(own.into_iter().map(|(th, ids)| (th, Cameras::Only(ids))));
    groups
}

/// Bytes to free on HOT so that at least `min_free_percent` of it is free, when `freed` bytes
/// are already on their way out; 0 when the floor is off or met.
pub fn floor_deficit(space: DiskSpace, min_free_percent: u32, freed: u64) -> u64 {
    let want = (u128::from(space.total) * u128::from(min_free_percent)).div_ceil(100);
    let free = u128::from(space.available) + u128::from(freed);
    u64::try_from(want.saturating_sub(free)).unwrap_or(u64::MAX)
}

/// Bytes a camera's footage exceeds its quota by, once `expiring` bytes of it have expired.
pub fn over_quota(quota: i64, total: i64, expiring: i64) -> i64 {
    (total - expiring - quota).max(0)
}

fn within(field: &str, v: Option<i64>, range: std::ops::RangeInclusive<i64>, what: &str) -> AppResult<()> {
    match v {
        Some(v) if !range.contains(&v) => Err(AppError::field(field, "range", what)),
        _ => Ok(()),
    }
}

/// A camera's storage rules are valid: retention and thresholds 1..=3650 days, a quota above
/// 0 bytes, and its thresholds, merged with the global ones, increasing (WARM < COLD < ARCHIVE).
pub fn check_camera_rules(s: &StorageSettings, camera: &StorageRules) -> AppResult<()> {
    let days = 1..=i64::from(MAX_RETENTION_DAYS);
    let in_days = format!("must be between 1 and {MAX_RETENTION_DAYS} days, or null");
    within("retention_days", camera.retention_days.map(i64::from), days.clone(), &in_days)?;
    within("warm_after_days", camera.warm_after_days.map(i64::from), days.clone(), &in_days)?;
    within("cold_after_days", camera.cold_after_days.map(i64::from), days.clone(), &in_days)?;
    within("archive_after_days", camera.archive_after_days.map(i64::from), days, &in_days)?;
    within("quota_bytes", camera.quota_bytes, 1..=i64::MAX, "must be more than 0 bytes, or null")?;
    let th = Thresholds::of(s, camera);
    let tiers = [
        ("warm_after_days", th.warm, camera.warm_after_days, "ARGUS_TIER_WARM_AFTER_DAYS"),
        ("cold_after_days", th.cold, camera.cold_after_days, "ARGUS_TIER_COLD_AFTER_DAYS"),
        ("archive_after_days", th.archive, camera.archive_after_days, "ARGUS_TIER_ARCHIVE_AFTER_DAYS"),
    ];
    let say = |(field, v, own, var): (&str, u32, Option<i32>, &str)| match own {
        Some(_) => format!("{field} ({v})"),
        None => format!("{field} ({v}, the global {var})"),
    };
    for pair in tiers.windows(2) {
        let [lower, upper] = pair else { continue };
        if upper.1 <= lower.1 {
            // Blame the value the camera itself sets.
            let field = if upper.2.is_some() { upper.0 } else { lower.0 };
            let message = format!("{} must be greater than {}", say(*upper), say(*lower));
            return Err(AppError::field(field, "order", &message));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{S3Settings, TierLocation};

    pub(crate) fn settings(warm: bool, cold: bool) -> StorageSettings {
        StorageSettings {
            hot: "/hot".into(),
            warm: warm.then(|| TierLocation::Local("/warm".into())),
            cold: cold.then(|| TierLocation::Local("/cold".into())),
            archive: None,
            warm_after_days: 7,
            cold_after_days: 30,
            archive_after_days: 90,
            retention_days: None,
            hot_min_free_percent: 10,
            s3: S3Settings::default(),
        }
    }

    #[test]
    fn a_recording_goes_to_the_deepest_configured_tier_its_age_allows() {
        let now = chrono::Utc::now().naive_utc();
        let days = |d| now - Duration::days(d);
        let s = &settings(true, true);
        let th = &Thresholds::global(s);
        assert_eq!(target(s, th, StorageTier::Hot, days(3), now), None);
        assert_eq!(target(s, th, StorageTier::Hot, days(8), now), Some(StorageTier::Warm));
        assert_eq!(target(s, th, StorageTier::Hot, days(31), now), Some(StorageTier::Cold));
        assert_eq!(target(s, th, StorageTier::Hot, days(400), now), Some(StorageTier::Cold), "no archive");
        assert_eq!(target(s, th, StorageTier::Cold, days(400), now), None);
        let own = &Thresholds { warm: 2, cold: 5, archive: 9 };
        assert_eq!(target(s, own, StorageTier::Hot, days(3), now), Some(StorageTier::Warm), "its own 2 days");
        assert_eq!(due_before(s, own, StorageTier::Hot, now), Some(days(2)));
        let s = &settings(false, true);
        assert_eq!(target(s, th, StorageTier::Hot, days(8), now), None, "warm unset: hot until cold is due");
        assert_eq!(target(s, th, StorageTier::Hot, days(31), now), Some(StorageTier::Cold));
        assert_eq!(due_before(s, th, StorageTier::Cold, now), None, "nothing below cold");
    }

    #[test]
    fn cameras_are_grouped_by_their_thresholds() {
        let s = &settings(true, true);
        let global = Thresholds::global(s);
        let fast = Thresholds { warm: 1, ..global };
        let cameras: BTreeMap<String, Thresholds> = [
            ("a", global),
            ("b", fast),
            ("c", global),
            ("d", fast),
            ("e", Thresholds { archive: 400, ..global }),
        ]
        .into_iter()
        .map(|(id, th)| (id.to_string(), th))
        .collect();
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            groups(global, &cameras),
            vec![
                (global, Cameras::Except(ids(&["b", "d", "e"]))),
                (fast, Cameras::Only(ids(&["b", "d"]))),
                (Thresholds { archive: 400, ..global }, Cameras::Only(ids(&["e"]))),
            ]
        );
        let none = BTreeMap::from([("a".to_string(), global)]);
        assert_eq!(groups(global, &none), vec![(global, Cameras::Except(vec![]))], "one query, no list");
    }

    #[test]
    fn a_camera_merges_its_thresholds_with_the_global_ones_and_they_must_increase() {
        let s = &settings(true, true);
        let cam = |warm, cold, archive| StorageRules {
            warm_after_days: warm,
            cold_after_days: cold,
            archive_after_days: archive,
            ..Default::default()
        };
        assert_eq!(
            Thresholds::of(s, &cam(Some(2), None, Some(60))),
            Thresholds { warm: 2, cold: 30, archive: 60 }
        );
        assert!(check_camera_rules(s, &cam(Some(2), Some(3), Some(4))).is_ok());
        assert!(check_camera_rules(s, &cam(None, None, None)).is_ok());
        let field = |r: AppResult<()>| {
            r.unwrap_err().details.expect("details").as_object().unwrap().keys().next().cloned()
        };
        assert_eq!(field(check_camera_rules(s, &cam(Some(40), None, None))), Some("warm_after_days".into()));
        assert_eq!(
            field(check_camera_rules(s, &cam(Some(9), Some(8), None))),
            Some("cold_after_days".into())
        );
        let err = check_camera_rules(s, &cam(None, Some(100), None)).unwrap_err();
        let text = err.details.expect("details").to_string();
        assert!(
            text.contains("cold_after_days") && text.contains("the global ARGUS_TIER_ARCHIVE_AFTER_DAYS"),
            "{text}"
        );
        assert_eq!(field(check_camera_rules(s, &cam(Some(0), None, None))), Some("warm_after_days".into()));
        let quota = StorageRules { quota_bytes: Some(0), ..Default::default() };
        assert_eq!(field(check_camera_rules(s, &quota)), Some("quota_bytes".into()));
    }

    #[test]
    fn the_floor_asks_for_what_is_missing_and_quota_for_the_excess() {
        let disk = DiskSpace { total: 1000, available: 50 };
        assert_eq!(floor_deficit(disk, 10, 0), 50);
        assert_eq!(floor_deficit(disk, 10, 30), 20, "bytes already on their way out count");
        assert_eq!(floor_deficit(disk, 5, 0), 0);
        assert_eq!(floor_deficit(disk, 0, 0), 0, "0 = off");
        assert_eq!(floor_deficit(DiskSpace { total: 1001, available: 0 }, 10, 0), 101, "rounded up");
        assert_eq!(over_quota(100, 250, 0), 150);
        assert_eq!(over_quota(100, 250, 200), 0, "expiry already brings it under");
    }
}
