//! Signed playback URLs of a camera's live HLS.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{
    audit::{self, Change},
    cameras,
    live::profile_for,
};
use crate::{
    auth::{Principal, RequestMeta},
    dataplane::nginx_conf,
    domain::AuditAction,
    error::AppResult,
    state::AppState,
};

#[derive(Serialize, Debug, utoipa::ToSchema)]
pub struct Rendition {
    pub name: String,
    pub url: String,
    pub bandwidth: Option<u64>,
    pub resolution: Option<String>,
}

#[derive(Serialize, Debug, utoipa::ToSchema)]
pub struct Playback {
    /// Master playlist: hand it to any HLS player; adaptive bitrate by default.
    pub master_url: String,
    pub renditions: Vec<Rendition>,
    pub expires_at: DateTime<Utc>,
    pub stream_status: cameras::StreamStatus,
}

/// Signed URLs for a camera's live HLS; every issue is audited (who watched what).
pub async fn playback(
    state: &AppState,
    principal: &Principal,
    camera_id: &str,
    meta: &RequestMeta,
) -> AppResult<Playback> {
    let camera = cameras::find_visible(state, principal, camera_id).await?;
    let profile = profile_for(state, &camera.transcode_profile)?;
    let media = &state.settings.media;
    let expires_at = Utc::now() + chrono::Duration::seconds(media.playback_ttl_secs);
    let expires = expires_at.timestamp();
    let secret = &state.media.playback_secret;
    let url = |file: &str| nginx_conf::hls_url(&media.public_hls_url, secret, &camera.id, file, expires);
    let renditions = profile
        .rungs
        .iter()
        .map(|r| Rendition {
            name: r.name.clone(),
            url: url(&format!("{}/index.m3u8", r.name)),
            bandwidth: r.bandwidth(),
            resolution: r.resolution(),
        })
        .collect();
    let change = Change::new(AuditAction::CameraPlaybackIssued)
        .on("camera", &camera.id)
        .after(serde_json::json!({ "expires_at": expires_at }));
    audit::record(state, &principal.into(), meta, change).await?;
    Ok(Playback {
        master_url: url("index.m3u8"),
        renditions,
        expires_at,
        stream_status: camera.stream_status,
    })
}
