//! Dashboard statistics, cached briefly and invalidated with the camera cache (which camera
//! changes, recording filing, deletes, holds and storage runs that changed anything bump).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{cameras::CACHE_NS, storage::usage::BytesByTier};
use crate::{
    auth::Principal,
    db,
    error::{AppError, AppResult},
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
    pub storage_by_tier: BytesByTier,
}

pub async fn compute(state: &AppState, scope: Option<Vec<String>>) -> AppResult<DashboardStats> {
    state
        .db
        .run(move |c| {
            let counts = db::cameras::counts(c, scope.as_deref())?;
            let (mut recordings, mut by_tier) = (0, BytesByTier::default());
            for (tier, count, bytes) in db::storage_usage::by_tier(c, scope.as_deref())? {
                recordings += count;
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
                total_recordings: recordings,
                storage_by_tier: by_tier,
            })
        })
        .await
}

pub async fn get(state: &AppState, principal: &Principal) -> AppResult<DashboardStats> {
    // A scoped token gets figures for its own cameras only; those are not worth caching.
    if let Some(ids) = principal.camera_scope() {
        return compute(state, Some(ids.to_vec())).await;
    }
    let key = format!("stats:{}", state.cache.generation(CACHE_NS).await);
    if let Some(hit) = state.cache.get(&key).await.and_then(|s| serde_json::from_str(&s).ok()) {
        return Ok(hit);
    }
    let stats = compute(state, None).await?;
    let json = serde_json::to_string(&stats).map_err(|e| AppError::internal(e.to_string()))?;
    state.cache.set(&key, &json, Duration::from_secs(state.settings.stats_cache_ttl_secs)).await;
    Ok(stats)
}
