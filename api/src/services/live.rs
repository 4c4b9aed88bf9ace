//! Live video: profiles, the transcoder's configuration and quality reports, and signed
//! playback URLs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    audit::{self, Change},
    cameras,
};
use crate::{
    auth::{Principal, RequestMeta},
    dataplane::{
        nginx_conf,
        profiles::Profile,
        progress::{quality_score, ProgressSample},
    },
    db,
    error::{AppError, AppResult},
    realtime::hub::Event,
    state::AppState,
};

pub fn profile_for<'a>(state: &'a AppState, name: &str) -> AppResult<&'a Profile> {
    state
        .profiles
        .get(name)
        .or_else(|| state.profiles.get("default"))
        .or_else(|| state.profiles.values().next())
        .ok_or_else(|| AppError::internal("no transcoding profiles loaded"))
}

pub fn check_profile(state: &AppState, name: Option<&str>) -> AppResult<()> {
    match name {
        Some(n) if !state.profiles.contains_key(n) => {
            let known: Vec<&str> = state.profiles.keys().map(String::as_str).collect();
            Err(AppError::field(
                "transcode_profile",
                "unknown",
                &format!("unknown profile; one of {}", known.join(", ")),
            ))
        }
        _ => Ok(()),
    }
}

/// The profile of the camera streaming as `stream` (its id), for `argus transcode`.
pub async fn transcode_config(state: &AppState, stream: &str) -> AppResult<Profile> {
    let id = stream.to_string();
    let camera = state
        .db
        .run(move |c| db::cameras::find(c, &id))
        .await?
        .ok_or_else(|| AppError::not_found("no such camera"))?;
    profile_for(state, &camera.transcode_profile).cloned()
}

#[derive(Deserialize, Debug, utoipa::ToSchema)]
pub struct QualityReport {
    pub stream: String,
    pub sample: ProgressSample,
    pub previous: Option<ProgressSample>,
    pub target_fps: f64,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct StreamQuality {
    pub fps: f64,
    pub speed: f64,
    pub bitrate_kbps: f64,
    pub dropped_frames: u64,
    /// 0..100; see `dataplane::progress::quality_score`.
    pub score: f64,
    pub updated_at: DateTime<Utc>,
}

fn quality_key(camera_id: &str) -> String {
    format!("quality:{camera_id}")
}

pub async fn record_quality(state: &AppState, report: QualityReport) -> AppResult<StreamQuality> {
    let score = quality_score(&report.sample, report.previous.as_ref(), report.target_fps);
    let quality = StreamQuality {
        fps: report.sample.fps,
        speed: report.sample.speed,
        bitrate_kbps: report.sample.bitrate_kbps,
        dropped_frames: report.sample.drop_frames,
        score: (score * 10.0).round() / 10.0,
        updated_at: Utc::now(),
    };
    state.metrics.stream_quality.with_label_values(&[&report.stream]).set(quality.score);
    let json = serde_json::to_string(&quality).map_err(|e| AppError::internal(e.to_string()))?;
    state.cache.set(&quality_key(&report.stream), &json, std::time::Duration::from_secs(30)).await;
    let data = serde_json::json!({ "camera_id": report.stream, "quality": quality });
    state.hub.publish(Event::new("stream.quality", Some(&report.stream), data)).await;
    Ok(quality)
}

/// The latest quality report of a live camera (none once it is 30 s old).
pub async fn quality(state: &AppState, camera_id: &str) -> Option<StreamQuality> {
    serde_json::from_str(&state.cache.get(&quality_key(camera_id)).await?).ok()
}

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
    let change = Change::new("camera.playback_issued")
        .on("camera", &camera.id)
        .after(serde_json::json!({ "expires_at": expires_at }));
    audit::record(state, &principal.into(), meta, change).await?;
    Ok(Playback {
        master_url: url("index.m3u8"),
        renditions,
        expires_at,
        stream_status: cameras::StreamStatus::parse(&camera.stream_status)
            .unwrap_or(cameras::StreamStatus::Offline),
    })
}
