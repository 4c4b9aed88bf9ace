//! Dashboard statistics, cached briefly and invalidated with the camera cache (which camera
//! changes, recording filing, deletes, holds and storage runs that changed anything bump).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{cameras::CACHE_NS, storage::usage::BytesByTier};
use crate::{
    auth::Principal,
    db,
    domain::StorageTier,
    error::{AppError, AppResult},
    infra::process,
    metrics::Metrics,
    state::AppState,
};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct DashboardStats {
    pub total: i64,
    pub online: i64,
    pub offline: i64,
    pub error: i64,
    pub api_created: i64,
    pub recording_enabled: i64,
    /// Cameras publishing right now (= online).
    pub active_streams: i64,
    /// Bytes of footage in all tiers.
    pub storage_used_bytes: i64,
    pub total_recordings: i64,
    /// The same as `total_recordings` (the name the platform's design uses).
    pub recordings_total: i64,
    pub storage_by_tier: BytesByTier,
    /// Recordings (counts, not bytes) per tier.
    pub recordings_by_tier: BytesByTier,
    /// Seconds since this Argus process started (0 where `/proc` cannot be read, as for the two
    /// below).
    pub uptime_secs: i64,
    /// Resident memory of this Argus process.
    pub memory_rss_bytes: i64,
    /// CPU used by this Argus process since the previous sample, in percent of one core.
    pub cpu_percent: f64,
}

impl DashboardStats {
    /// Fresh process figures (never cached).
    fn with_process(mut self) -> DashboardStats {
        let p = process::sample();
        self.uptime_secs = p.uptime_secs.unwrap_or(0);
        self.memory_rss_bytes = p.memory_rss_bytes.unwrap_or(0);
        self.cpu_percent = p.cpu_percent.unwrap_or(0.0);
        self
    }
}

pub async fn compute(state: &AppState, scope: Option<Vec<String>>) -> AppResult<DashboardStats> {
    state
        .db
        .run(move |c| {
            let counts = db::cameras::counts(c, scope.as_deref())?;
            let (mut by_tier, mut counts_by_tier) = (BytesByTier::default(), BytesByTier::default());
            // The whole store's figures are kept per tier; a scoped caller's are summed.
            let tiers = match scope.as_deref() {
                None => db::recording_totals::all(c)?,
                Some(ids) => db::storage_usage::by_tier(c, ids)?,
            };
            for (tier, count, bytes) in tiers {
                counts_by_tier.add(tier, count);
                by_tier.add(tier, bytes);
            }
            Ok(DashboardStats {
                total: counts.total,
                online: counts.online,
                offline: counts.offline,
                error: counts.error,
                api_created: counts.api_created,
                recording_enabled: counts.recording_enabled,
                active_streams: counts.online,
                storage_used_bytes: by_tier.total(),
                total_recordings: counts_by_tier.total(),
                recordings_total: counts_by_tier.total(),
                storage_by_tier: by_tier,
                recordings_by_tier: counts_by_tier,
                uptime_secs: 0,
                memory_rss_bytes: 0,
                cpu_percent: 0.0,
            })
        })
        .await
        .map(DashboardStats::with_process)
}

/// Recomputes the statistics of every camera and sets the gauges that mirror them
/// (`cameras_online`, `cameras{status}`, `recordings{tier}`, `recording_bytes{tier}`): after
/// each stream reconciliation and status change, each storage run, and at start, so a scrape
/// only reads numbers already there.
pub async fn refresh_gauges(state: &AppState) -> Option<DashboardStats> {
    match compute(state, None).await {
        Ok(stats) => {
            set_gauges(&state.metrics, &stats);
            Some(stats)
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not refresh statistics");
            None
        }
    }
}

fn set_gauges(m: &Metrics, stats: &DashboardStats) {
    m.cameras_online.set(stats.online);
    for (status, n) in [("online", stats.online), ("offline", stats.offline), ("error", stats.error)] {
        m.cameras.with_label_values(&[status]).set(n);
    }
    for tier in StorageTier::ALL {
        let label = [tier.as_str()];
        m.recordings.with_label_values(&label).set(stats.recordings_by_tier.get(*tier));
        m.recording_bytes.with_label_values(&label).set(stats.storage_by_tier.get(*tier));
    }
}

pub async fn get(state: &AppState, principal: &Principal) -> AppResult<DashboardStats> {
    // A scoped token gets figures for its own cameras only; those are not worth caching.
    if let Some(ids) = principal.camera_scope() {
        return compute(state, Some(ids.to_vec())).await;
    }
    let key = format!("stats:{}", state.cache.generation(CACHE_NS).await);
    if let Some(hit) =
        state.cache.get(&key).await.and_then(|s| serde_json::from_str::<DashboardStats>(&s).ok())
    {
        return Ok(hit.with_process());
    }
    let stats = compute(state, None).await?;
    set_gauges(&state.metrics, &stats);
    let json = serde_json::to_string(&stats).map_err(|e| AppError::internal(e.to_string()))?;
    state.cache.set(&key, &json, Duration::from_secs(state.settings.stats_cache_ttl_secs)).await;
    Ok(stats)
}
