//! What the tiers hold and how fast footage arrives (`GET /api/v1/storage`): per tier its
//! location, recordings, bytes and (local tiers) the disk's size and free space; per camera its
//! bytes by tier and daily rate; and how many days HOT's free space lasts at that rate.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::Storage;
use crate::{
    auth::Principal,
    config::TierLocation,
    db::{self, storage_usage::TierUsage, PageRequest},
    domain::StorageTier,
    error::AppResult,
    infra::disk,
    services::paging::Page,
};

/// The rate is the footage that ended in this many days, per day.
pub const WINDOW_DAYS: i64 = 7;

/// Bytes in each tier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BytesByTier {
    pub hot: i64,
    pub warm: i64,
    pub cold: i64,
    pub archive: i64,
}

impl BytesByTier {
    pub fn add(&mut self, tier: StorageTier, bytes: i64) {
        let slot = match tier {
            StorageTier::Hot => &mut self.hot,
            StorageTier::Warm => &mut self.warm,
            StorageTier::Cold => &mut self.cold,
            StorageTier::Archive => &mut self.archive,
        };
        *slot += bytes;
    }

    pub fn total(&self) -> i64 {
        self.hot + self.warm + self.cold + self.archive
    }

    pub fn get(&self, tier: StorageTier) -> i64 {
        match tier {
            StorageTier::Hot => self.hot,
            StorageTier::Warm => self.warm,
            StorageTier::Cold => self.cold,
            StorageTier::Archive => self.archive,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TierView {
    pub tier: StorageTier,
    pub configured: bool,
    /// `file:///dir` or `s3://bucket/prefix` (never credentials); `null` when not configured.
    pub location: Option<String>,
    /// Recordings in this tier (all cameras).
    pub recordings: i64,
    pub used_bytes: i64,
    /// Of the filesystem holding a local tier; `null` for S3 or when it cannot be read.
    pub disk_total_bytes: Option<i64>,
    pub disk_free_bytes: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CameraUsage {
    pub camera_id: String,
    pub camera_name: String,
    pub recordings: i64,
    pub bytes_total: i64,
    pub bytes_by_tier: BytesByTier,
    /// Bytes of footage that ended in the last `window_days` (or since its first recording,
    /// if younger, at least one day), per day.
    pub bytes_per_day: i64,
    /// HOT's free space over this camera's rate; `null` when the rate is 0 or free is unknown.
    pub hot_days_left: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StorageUsage {
    /// The four tiers, HOT first.
    pub tiers: Vec<TierView>,
    /// The cameras with footage that the caller may see, most bytes first.
    pub cameras: Page<CameraUsage>,
    /// Sum of the cameras' rates (the caller's cameras).
    pub bytes_per_day: i64,
    /// HOT's free space over `bytes_per_day`; `null` when the rate is 0 or free is unknown.
    pub hot_days_left: Option<f64>,
    pub window_days: i64,
}

/// How a tier's location reads in the API: the URL it was configured with.
pub fn describe(location: &TierLocation) -> String {
    match location {
        TierLocation::Local(dir) => format!("file://{}", dir.display()),
        TierLocation::S3 { bucket, prefix } if prefix.is_empty() => format!("s3://{bucket}"),
        TierLocation::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
    }
}

/// One camera's rows summed: (recordings, bytes by tier, recent bytes, first `ended_at`).
#[derive(Default)]
struct CameraSum {
    recordings: i64,
    by_tier: BytesByTier,
    recent: i64,
    first_ended: Option<NaiveDateTime>,
}

impl CameraSum {
    fn add(&mut self, row: &TierUsage) {
        self.recordings += row.recordings;
        self.by_tier.add(row.tier, row.bytes);
        self.recent += row.recent_bytes;
        self.first_ended = match (self.first_ended, row.first_ended_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// Bytes per day over the window, or over the camera's own span when that is shorter
    /// (a camera added yesterday is not averaged over a week), at least a day.
    fn rate(&self, now: NaiveDateTime) -> i64 {
        let window = Duration::days(WINDOW_DAYS);
        let span = self.first_ended.map_or(window, |first| (now - first).clamp(Duration::days(1), window));
        let days = span.num_seconds() as f64 / 86_400.0;
        (self.recent as f64 / days).round() as i64
    }
}

/// Days `free` bytes last at `rate` bytes a day, to a tenth; `None` without either.
fn days_left(free: Option<i64>, rate: i64) -> Option<f64> {
    let free = free?;
    (rate > 0).then(|| (free as f64 / rate as f64 * 10.0).round() / 10.0)
}

impl Storage {
    /// The tiers' and the cameras' usage as of `now`; one page of cameras, those `principal`
    /// may see. Tier figures are the whole store's (like its free space).
    pub async fn usage(
        &self,
        now: NaiveDateTime,
        principal: &Principal,
        page: PageRequest,
    ) -> AppResult<StorageUsage> {
        let since = now - Duration::days(WINDOW_DAYS);
        let rows = self.db.run(move |c| db::storage_usage::by_camera_and_tier(c, since)).await?;
        let tiers = self.tier_views(&rows).await;
        let hot_free = tiers.first().and_then(|t| t.disk_free_bytes);

        let mut sums: BTreeMap<String, CameraSum> = BTreeMap::new();
        for row in rows.iter().filter(|r| principal.can_see_camera(&r.camera_id)) {
            sums.entry(row.camera_id.clone()).or_default().add(row);
        }
        let mut cameras: Vec<(String, CameraSum, i64)> = sums
            .into_iter()
            .map(|(id, sum)| {
                let rate = sum.rate(now);
                (id, sum, rate)
            })
            .collect();
        let bytes_per_day = cameras.iter().map(|(_, _, rate)| rate).sum();
        cameras.sort_by(|a, b| b.1.by_tier.total().cmp(&a.1.by_tier.total()).then_with(|| a.0.cmp(&b.0)));

        let count = cameras.len() as i64;
        let on_page: Vec<_> =
            cameras.into_iter().skip(page.offset() as usize).take(page.limit as usize).collect();
        let ids: Vec<String> = on_page.iter().map(|(id, _, _)| id.clone()).collect();
        let names: HashMap<String, String> =
            self.db.run(move |c| db::cameras::names(c, &ids)).await?.into_iter().collect();
        let items = on_page
            .into_iter()
            .map(|(id, sum, rate)| CameraUsage {
                camera_name: names.get(&id).cloned().unwrap_or_else(|| id.clone()),
                camera_id: id,
                recordings: sum.recordings,
                bytes_total: sum.by_tier.total(),
                bytes_by_tier: sum.by_tier,
                bytes_per_day: rate,
                hot_days_left: days_left(hot_free, rate),
            })
            .collect();
        Ok(StorageUsage {
            tiers,
            cameras: Page::new(items, count, page),
            bytes_per_day,
            hot_days_left: days_left(hot_free, bytes_per_day),
            window_days: WINDOW_DAYS,
        })
    }

    /// Every tier, configured or not, with its totals over `rows` and its disk's space.
    async fn tier_views(&self, rows: &[TierUsage]) -> Vec<TierView> {
        let mut views = Vec::with_capacity(StorageTier::ALL.len());
        for &tier in StorageTier::ALL {
            let location = self.settings.location(tier);
            let (disk_total_bytes, disk_free_bytes) = match &location {
                Some(TierLocation::Local(dir)) => local_space(dir.clone()).await,
                _ => (None, None),
            };
            let of_tier = rows.iter().filter(|r| r.tier == tier);
            views.push(TierView {
                tier,
                configured: location.is_some(),
                location: location.as_ref().map(describe),
                recordings: of_tier.clone().map(|r| r.recordings).sum(),
                used_bytes: of_tier.map(|r| r.bytes).sum(),
                disk_total_bytes,
                disk_free_bytes,
            });
        }
        views
    }
}

/// `statvfs` off the async threads (a network filesystem can be slow to answer); unknown on error.
async fn local_space(dir: std::path::PathBuf) -> (Option<i64>, Option<i64>) {
    let probe = tokio::task::spawn_blocking(move || disk::space(&dir)).await;
    match probe {
        Ok(Ok(space)) => (i64::try_from(space.total).ok(), i64::try_from(space.available).ok()),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "storage: cannot read a tier's disk space");
            (None, None)
        }
        Err(_) => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(recent: i64, first_days_ago: Option<i64>, now: NaiveDateTime) -> CameraSum {
        CameraSum {
            recent,
            first_ended: first_days_ago.map(|d| now - Duration::days(d)),
            ..Default::default()
        }
    }

    #[test]
    fn the_rate_averages_over_the_window_or_the_cameras_own_shorter_span() {
        let now = chrono::Utc::now().naive_utc();
        assert_eq!(sum(7_000, Some(30), now).rate(now), 1_000, "a week's footage over a week");
        assert_eq!(sum(3_000, Some(3), now).rate(now), 1_000, "a 3-day-old camera over 3 days");
        assert_eq!(sum(500, Some(0), now).rate(now), 500, "at least one day");
        assert_eq!(sum(0, Some(30), now).rate(now), 0);
    }

    #[test]
    fn days_left_needs_a_rate_and_a_known_free_space() {
        assert_eq!(days_left(Some(10_000), 3_000), Some(3.3));
        assert_eq!(days_left(Some(10_000), 0), None);
        assert_eq!(days_left(None, 3_000), None);
    }

    #[test]
    fn locations_read_as_urls() {
        assert_eq!(describe(&TierLocation::Local("/srv/warm".into())), "file:///srv/warm");
        let s3 = |prefix: &str| TierLocation::S3 { bucket: "b".into(), prefix: prefix.into() };
        assert_eq!(describe(&s3("")), "s3://b");
        assert_eq!(describe(&s3("argus/cold")), "s3://b/argus/cold");
    }
}
