//! Reconciliation with nginx: hooks can be lost (Argus down, publisher killed), so the truth is
//! re-read from nginx's `/stat` and from the recording directory.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Mutex,
    time::{Duration, Instant, SystemTime},
};

use crate::{
    dataplane::{http, recorders, stat},
    db::{self, cameras::CameraChanges, stream_sessions::StreamSessionRow},
    error::AppResult,
    services::{cameras::StreamStatus, stream_writer},
    state::AppState,
};

/// Last byte counter per live camera and since when it has not moved.
static PROGRESS: Mutex<Option<HashMap<String, (u64, Instant)>>> = Mutex::new(None);

pub async fn fetch_live(state: &AppState) -> Option<Vec<stat::LiveStream>> {
    let url = format!("http://127.0.0.1:{}/stat", state.settings.media.nginx_http_port);
    match http::get(&url, Duration::from_secs(3)).await {
        Ok(r) if r.status == 200 => match stat::parse(&r.body) {
            Ok(streams) => Some(streams.into_iter().filter(|s| s.app == "live").collect()),
            Err(e) => {
                tracing::warn!(error = %e, "unreadable nginx /stat");
                None
            }
        },
        Ok(r) => {
            tracing::warn!(status = r.status, "nginx /stat refused");
            None
        }
        // nginx not running (API-only deployment or tests): nothing to compare with.
        Err(_) => None,
    }
}

/// Cameras whose publishers stopped sending data for `stall_secs`.
fn stalled(live: &[stat::LiveStream], stall_after: Duration) -> Vec<String> {
    let mut guard = PROGRESS.lock().unwrap_or_else(|p| p.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    let now = Instant::now();
    let mut out = Vec::new();
    let mut seen = HashMap::new();
    for s in live {
        let entry = match map.get(&s.name) {
            Some((bytes, since)) if *bytes == s.bytes_in => (*bytes, *since),
            _ => (s.bytes_in, now),
        };
        if now.duration_since(entry.1) >= stall_after {
            out.push(s.name.clone());
        }
        seen.insert(s.name.clone(), entry);
    }
    *map = seen;
    out
}

pub async fn streams(state: &AppState) {
    if let Err(e) = reconcile_streams(state).await {
        tracing::error!(error = %e, "stream reconciliation failed");
    }
}

async fn reconcile_streams(state: &AppState) -> AppResult<()> {
    let Some(live) = fetch_live(state).await else { return Ok(()) };
    let stall_after = Duration::from_secs(state.settings.media.stall_secs);
    let stalled = stalled(&live, stall_after);
    for camera_id in &stalled {
        tracing::warn!(camera_id, "publisher stalled; dropping it");
        state.nginx_control().drop_publisher(camera_id).await;
    }
    let publishing: BTreeMap<String, stat::LiveStream> =
        live.into_iter().map(|s| (s.name.clone(), s)).collect();
    let stalled_set: std::collections::HashSet<String> = stalled.into_iter().collect();
    let (changed, should_record) = state
        .db
        .transaction(move |c| {
            let now = db::now();
            let mut changed = BTreeMap::new();
            let mut should_record = Vec::new();
            // Sessions nginx no longer has: the publisher died without a publish_done we saw.
            for session in db::stream_sessions::all_open(c)? {
                if !publishing.contains_key(&session.camera_id)
                    && stream_writer::end_session(c, &session, "reconciled")?
                {
                    changed.insert(session.camera_id.clone(), StreamStatus::Offline);
                }
            }
            for camera in db::cameras::all_live_state(c)? {
                let target = match publishing.get(&camera.id) {
                    Some(_) if stalled_set.contains(&camera.id) => StreamStatus::Error,
                    Some(_) => StreamStatus::Online,
                    None => StreamStatus::Offline,
                };
                if target == StreamStatus::Online && camera.recording_enabled && camera.is_active {
                    should_record.push(camera.id.clone());
                }
                // A publish we never heard of (Argus was down): open its session now.
                if let (StreamStatus::Online, Some(s)) = (target, publishing.get(&camera.id)) {
                    if db::stream_sessions::open_for_camera(c, &camera.id)?.is_empty() {
                        db::stream_sessions::insert(
                            c,
                            &StreamSessionRow {
                                id: db::new_id(),
                                camera_id: camera.id.clone(),
                                client_id: s.publisher.clone().unwrap_or_default(),
                                addr: s.publisher_addr.clone(),
                                started_at: now,
                                last_update_at: now,
                                ended_at: None,
                                end_reason: None,
                            },
                        )?;
                    }
                }
                if camera.stream_status != target.as_str() {
                    let seen = (target == StreamStatus::Online).then_some(Some(now));
                    db::cameras::update(
                        c,
                        &camera.id,
                        &CameraChanges {
                            stream_status: Some(target.as_str().into()),
                            last_seen_at: seen,
                            ..Default::default()
                        },
                    )?;
                    changed.insert(camera.id.clone(), target);
                } else {
                    changed.remove(&camera.id);
                }
            }
            let changed = changed.into_iter().map(|(id, s)| (id, (s, now))).collect::<BTreeMap<_, _>>();
            Ok((changed, should_record))
        })
        .await?;
    // A recorder that should run but does not (its start was lost with Argus, or nginx was
    // restarted): start it. The record/start of a running recorder is a no-op.
    let recording: std::collections::HashSet<String> =
        recorders::open_chunks(&state.settings.media.record_dir, SystemTime::now())
            .into_iter()
            .map(|c| c.name.camera_id)
            .collect();
    for camera_id in should_record.into_iter().filter(|id| !recording.contains(id)) {
        tracing::info!(camera_id, "live camera with recording on was not recording; starting it");
        state.recorders().start_soon(camera_id);
    }
    if !changed.is_empty() {
        tracing::info!(cameras = changed.len(), "reconciliation corrected stream status");
    }
    stream_writer::announce(state, &changed).await;
    Ok(())
}

/// Chunks nginx finished while Argus was not listening, or whose filing a kill interrupted.
pub async fn orphan_recordings(state: &AppState) {
    let queued = crate::services::unfiled::file_all(state).await;
    if queued > 0 {
        tracing::info!(queued, "queued unfiled recordings");
    }
}
