//! Decisions for nginx-rtmp's hooks. Answers come from a cached key lookup and never wait for a
//! database write: the consequences (sessions, status, audit, events) go to a queue that one
//! writer applies in batches (see `stream_writer`).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::queues::StreamEvent;
use crate::{
    auth::secure_eq,
    db,
    error::{AppError, AppResult},
    state::AppState,
};

/// The form nginx-rtmp posts (unknown fields, like the publisher's own query args, are ignored).
#[derive(Deserialize, Debug, Default, Clone)]
pub struct HookForm {
    pub call: Option<String>,
    pub app: Option<String>,
    pub name: Option<String>,
    pub addr: Option<String>,
    pub clientid: Option<String>,
    pub flashver: Option<String>,
    pub path: Option<String>,
    pub time: Option<u64>,
    pub timestamp: Option<u64>,
}

/// What nginx is told about a publisher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Accept and rename the stream to the camera id (an HTTP 302 `Location`).
    Rename(String),
    Accept,
    Refuse(&'static str),
}

/// Cached facts about a stream key; dropped from the cache whenever the camera is edited.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct KeyInfo {
    pub camera_id: String,
    pub is_active: bool,
    pub recording_enabled: bool,
}

pub fn key_cache_key(stream_key: &str) -> String {
    format!("hook:key:{stream_key}")
}

const KEY_TTL: Duration = Duration::from_secs(300);
const NEGATIVE_KEY_TTL: Duration = Duration::from_secs(5);

/// The camera behind a stream key (`None`: unknown or deleted).
pub async fn lookup_key(state: &AppState, stream_key: &str) -> AppResult<Option<KeyInfo>> {
    let cache_key = key_cache_key(stream_key);
    if let Some(hit) = state.cache.get(&cache_key).await {
        return Ok(serde_json::from_str::<Option<KeyInfo>>(&hit).ok().flatten());
    }
    let key = stream_key.to_string();
    let info = state.db.run(move |c| db::cameras::find_by_stream_key(c, &key)).await?.map(|row| KeyInfo {
        camera_id: row.id,
        is_active: row.is_active,
        recording_enabled: row.recording_enabled,
    });
    let ttl = if info.is_some() { KEY_TTL } else { NEGATIVE_KEY_TTL };
    let json = serde_json::to_string(&info).map_err(|e| AppError::internal(e.to_string()))?;
    state.cache.set(&cache_key, &json, ttl).await;
    Ok(info)
}

/// Cameras read per query by [`preload_keys`].
const PRELOAD_PAGE: i64 = 1000;

/// Caches every camera's stream key, a page at a time, so that the storm of publishes after a
/// restart (every camera at once) answers from the cache, as after an uplink outage, instead of
/// one query per camera. Each page is read again once cached, and entries of cameras that
/// changed meanwhile are dropped: an edit's own invalidation may have run before they were
/// written. Returns how many keys were cached.
pub async fn preload_keys(state: &AppState) -> AppResult<usize> {
    let (mut after, mut cached) = (String::new(), 0);
    loop {
        let from = after.clone();
        let page = state.db.run(move |c| db::cameras::key_rows_after(c, &from, PRELOAD_PAGE)).await?;
        let Some(last) = page.last() else { return Ok(cached) };
        after = last.0.clone();
        for (camera_id, key, is_active, recording_enabled) in &page {
            let info = KeyInfo {
                camera_id: camera_id.clone(),
                is_active: *is_active,
                recording_enabled: *recording_enabled,
            };
            let json = serde_json::to_string(&Some(info)).map_err(|e| AppError::internal(e.to_string()))?;
            state.cache.set(&key_cache_key(key), &json, KEY_TTL).await;
        }
        let ids: Vec<String> = page.iter().map(|r| r.0.clone()).collect();
        let now: std::collections::HashSet<db::cameras::KeyRow> =
            state.db.run(move |c| db::cameras::key_rows(c, &ids)).await?.into_iter().collect();
        for changed in page.iter().filter(|row| !now.contains(*row)) {
            state.cache.delete(&key_cache_key(&changed.1)).await;
        }
        cached += page.len();
    }
}

pub fn check_hook_secret(state: &AppState, presented: Option<&str>) -> AppResult<()> {
    match presented {
        Some(p) if secure_eq(p, &state.media.hook_secret) => Ok(()),
        _ => Err(AppError::forbidden("bad hook secret")),
    }
}

async fn emit(state: &AppState, event: StreamEvent) {
    if let Err(e) = state.stream_events.send(event).await {
        tracing::error!(error = %e, "stream event lost: writer stopped");
    }
}

/// Failed publish attempts per address per minute before we stop looking them up.
const FAILURES_PER_MINUTE: u64 = 10;

/// `on_publish`: the key must belong to an active camera.
pub async fn on_publish(state: &AppState, form: &HookForm) -> AppResult<Verdict> {
    if form.app.as_deref() != Some("live") {
        return Ok(Verdict::Refuse("publishing is only allowed to the live application"));
    }
    let addr = form.addr.clone();
    let throttle_key = format!("hook:fail:{}", addr.as_deref().unwrap_or("unknown"));
    if !state.limiter.peek(&throttle_key, FAILURES_PER_MINUTE, 60).await.allowed {
        state.metrics.hook_calls.with_label_values(&["publish", "throttled"]).inc();
        return Ok(Verdict::Refuse("too many failed attempts from this address"));
    }
    let key = form.name.as_deref().unwrap_or_default();
    let info = if key.is_empty() { None } else { lookup_key(state, key).await? };
    let refuse = |reason: &'static str| Verdict::Refuse(reason);
    let verdict = match &info {
        None => refuse("unknown stream key"),
        Some(i) if !i.is_active => refuse("camera is deactivated"),
        Some(i) => Verdict::Rename(i.camera_id.clone()),
    };
    match (&verdict, info) {
        (Verdict::Rename(_), Some(info)) => {
            state.metrics.hook_calls.with_label_values(&["publish", "accepted"]).inc();
            // Straight away, not after the event is written: footage before the recorder starts
            // is lost (it begins at the next keyframe).
            if info.recording_enabled {
                let started = state.recorders().start_soon(info.camera_id.clone());
                super::alerts::sources::watch_recorder(state, info.camera_id.clone(), started);
            }
            let client_id = form.clientid.clone().unwrap_or_default();
            emit(state, StreamEvent::Published { camera_id: info.camera_id, client_id, addr }).await;
        }
        (Verdict::Refuse(reason), _) => {
            state.metrics.hook_calls.with_label_values(&["publish", "refused"]).inc();
            state.limiter.hit(&throttle_key, FAILURES_PER_MINUTE, 60).await;
            // Never store a presented key: only a short prefix, to correlate attempts.
            let hint: String = key.chars().take(4).collect();
            emit(state, StreamEvent::Refused { stream_key_hint: hint, addr, reason }).await;
        }
        _ => {}
    }
    Ok(verdict)
}

/// `on_update`: refuses (which drops the publisher) once the camera is deactivated, deleted or
/// its key rotated. Only publishers are checked, and all of them: nginx's internal relay to the
/// `hls` application updates as a *player* (`update_play`, `app=""`, see nginx/README.md), while
/// every publisher here passed `on_publish` on `live`. `flashver` is the client's own word
/// (`ffmpeg -rtmp_flashver ngx-local-relay` forges the relay's), so it decides nothing.
pub async fn on_update(state: &AppState, form: &HookForm) -> AppResult<Verdict> {
    if form.call.as_deref() != Some("update_publish") || form.app.as_deref() != Some("live") {
        return Ok(Verdict::Accept);
    }
    let key = form.name.as_deref().unwrap_or_default();
    let verdict = match lookup_key(state, key).await? {
        None => Verdict::Refuse("stream key no longer valid"),
        Some(i) if !i.is_active => Verdict::Refuse("camera is deactivated"),
        Some(_) => Verdict::Accept,
    };
    let outcome = if verdict == Verdict::Accept { "accepted" } else { "refused" };
    state.metrics.hook_calls.with_label_values(&["update", outcome]).inc();
    if let (Verdict::Accept, Some(client_id)) = (&verdict, form.clientid.clone()) {
        emit(state, StreamEvent::Heartbeat { client_id }).await;
    }
    Ok(verdict)
}

/// `on_publish_done`: the session of this client id ends (the key in `name` may be stale).
pub async fn on_publish_done(state: &AppState, form: &HookForm) {
    state.metrics.hook_calls.with_label_values(&["publish_done", "accepted"]).inc();
    if form.app.as_deref() != Some("live") {
        return;
    }
    if let Some(client_id) = form.clientid.clone() {
        emit(state, StreamEvent::Done { client_id }).await;
    }
}
