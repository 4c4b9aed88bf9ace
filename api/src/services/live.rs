//! Live transcoding: profiles, the transcoder's configuration and its quality reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    dataplane::{
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
    super::alerts::sources::quality(state, &report.stream, quality.score, crate::db::now()).await;
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

#[derive(Deserialize, Debug, utoipa::ToSchema)]
pub struct TranscoderRestart {
    /// The camera id the transcoder works for.
    pub stream: String,
}

/// FFmpeg of `stream`'s transcoder died and is being restarted (see `transcoder.crash_loop`).
pub async fn transcoder_restarted(state: &AppState, stream: &str) -> AppResult<()> {
    if !crate::dataplane::transcode::valid_stream_name(stream) {
        return Err(AppError::bad_request("not a stream name"));
    }
    super::alerts::sources::transcoder_restarted(state, stream, crate::db::now()).await;
    Ok(())
}
