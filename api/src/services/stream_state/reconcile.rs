//! Reconciliation with one node's nginx: hooks can be lost (Argus down, publisher killed), so
//! the node's `/stat` snapshot is the truth about the publishers of that node.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Mutex,
    time::{Duration, Instant, SystemTime},
};

use super::{announce, end_session, new_session, refresh_online_gauge, StatusChanges};
use crate::{
    dataplane::{
        recorders,
        stat::{LiveStream, Snapshot},
    },
    db::{self, cameras::CameraChanges, DbConn},
    error::AppResult,
    services::cameras::StreamStatus,
    state::AppState,
};

/// Remembers between snapshots of one node how long each publisher's byte counter has stood
/// still. Owned by that node's reconcile job.
#[derive(Default)]
pub struct StallWatch {
    /// Camera id → last byte counter and since when it has not moved.
    progress: Mutex<HashMap<String, (u64, Instant)>>,
}

impl StallWatch {
    /// Cameras whose publishers stopped sending data for `stall_after`.
    fn stalled(&self, live: &[LiveStream], stall_after: Duration) -> Vec<String> {
        let mut progress = self.progress.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let mut out = Vec::new();
        let mut seen = HashMap::new();
        for s in live {
            let entry = match progress.get(&s.name) {
                Some((bytes, since)) if *bytes == s.bytes_in => (*bytes, *since),
                _ => (s.bytes_in, now),
            };
            if now.duration_since(entry.1) >= stall_after {
                out.push(s.name.clone());
            }
            seen.insert(s.name.clone(), entry);
        }
        *progress = seen;
        out
    }
}

/// Brings the database in line with `snapshot`: the node's stalled publishers are dropped and
/// marked `error`, its sessions nginx no longer has end, publishes it has that we never heard
/// of get a session, and live cameras that should record but do not are started. Cameras
/// whose open sessions belong to another node are left to that node. Returns how many cameras'
/// status it corrected.
pub async fn reconcile(state: &AppState, watch: &StallWatch, snapshot: Snapshot) -> AppResult<usize> {
    let stalled = watch.stalled(&snapshot.streams, Duration::from_secs(state.settings.media.stall_secs));
    for camera_id in &stalled {
        tracing::warn!(camera_id, "publisher stalled; dropping it");
        state.nginx_control().drop_publisher(camera_id).await;
    }
    let stalled: HashSet<String> = stalled.into_iter().collect();
    let (changed, should_record) = state.db.transaction(move |c| apply(c, &snapshot, &stalled)).await?;
    start_missing_recorders(state, should_record);
    if changed.is_empty() {
        refresh_online_gauge(state).await;
    } else {
        tracing::info!(cameras = changed.len(), "reconciliation corrected stream status");
        announce(state, &changed).await;
    }
    Ok(changed.len())
}

/// The database side of [`reconcile`], in one transaction: the status changes, and the live
/// cameras that should be recording.
fn apply(
    c: &mut DbConn,
    snapshot: &Snapshot,
    stalled: &HashSet<String>,
) -> AppResult<(StatusChanges, Vec<String>)> {
    let now = db::now();
    let publishing: BTreeMap<&str, &LiveStream> =
        snapshot.streams.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut changed = BTreeMap::new();
    // Cameras with an open session on this node, and on any other.
    let (mut held_here, mut held_elsewhere) = (HashSet::new(), HashSet::new());
    // Besides the cameras not offline: what nginx has, and the sessions ended here.
    let mut candidates: Vec<String> = publishing.keys().map(|name| name.to_string()).collect();
    for session in db::stream_sessions::all_open(c)? {
        if session.node != snapshot.node {
            held_elsewhere.insert(session.camera_id);
        } else if publishing.contains_key(session.camera_id.as_str()) {
            held_here.insert(session.camera_id);
        // nginx no longer has it: the publisher died without a publish_done we saw.
        } else {
            if end_session(c, &session, "reconciled")? {
                changed.insert(session.camera_id.clone(), StreamStatus::Offline);
            }
            candidates.push(session.camera_id);
        }
    }
    let mut should_record = Vec::new();
    for camera in db::cameras::stream_status_candidates(c, &candidates)? {
        let target = match publishing.get(camera.id.as_str()) {
            Some(_) if stalled.contains(&camera.id) => StreamStatus::Error,
            Some(_) => StreamStatus::Online,
            // Its publisher is on another node: that node's snapshot decides.
            None if held_elsewhere.contains(&camera.id) => continue,
            None => StreamStatus::Offline,
        };
        if target == StreamStatus::Online && camera.recording_enabled && camera.is_active {
            should_record.push(camera.id.clone());
        }
        // A publish we never heard of (Argus was down): open its session now.
        if let (StreamStatus::Online, Some(s)) = (target, publishing.get(camera.id.as_str())) {
            if !held_here.contains(&camera.id) {
                let client_id = s.publisher.clone().unwrap_or_default();
                let session =
                    new_session(&snapshot.node, &camera.id, &client_id, s.publisher_addr.clone(), now);
                db::stream_sessions::insert(c, &session)?;
            }
        }
        if camera.stream_status != target {
            let seen = (target == StreamStatus::Online).then_some(Some(now));
            let changes =
                CameraChanges { stream_status: Some(target), last_seen_at: seen, ..Default::default() };
            db::cameras::update(c, &camera.id, &changes)?;
            changed.insert(camera.id.clone(), target);
        } else {
            changed.remove(&camera.id);
        }
    }
    // The sessions' byte counts, including those just opened.
    let bytes: Vec<(String, i64)> = snapshot
        .streams
        .iter()
        .map(|s| (s.name.clone(), i64::try_from(s.bytes_in).unwrap_or(i64::MAX)))
        .collect();
    db::stream_sessions::set_bytes_in(c, &snapshot.node, &bytes)?;
    Ok((changed.into_iter().map(|(id, s)| (id, (s, now))).collect(), should_record))
}

/// A recorder that should run but does not (its start was lost with Argus, or nginx was
/// restarted) is started. The record/start of a running recorder is a no-op.
fn start_missing_recorders(state: &AppState, should_record: Vec<String>) {
    let recording: HashSet<String> =
        recorders::open_chunks(&state.settings.media.record_dir, SystemTime::now())
            .into_iter()
            .map(|c| c.name.camera_id)
            .collect();
    for camera_id in should_record.into_iter().filter(|id| !recording.contains(id)) {
        tracing::info!(camera_id, "live camera with recording on was not recording; starting it");
        let started = state.recorders().start_soon(camera_id.clone());
        crate::services::alerts::sources::watch_recorder(state, camera_id, started);
    }
}
