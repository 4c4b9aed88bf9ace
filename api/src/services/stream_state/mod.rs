//! The one writer of stream status: a camera's `stream_status` and `last_seen_at`, and its stream
//! sessions. Every transition is here: publish, heartbeat (`on_update`), end
//! (`on_publish_done`), and reconciliation with an nginx `/stat` snapshot, which also marks
//! stalled publishers `error`. The stream writer applies hook events through it in batches; the
//! reconcile job hands it snapshots.
//!
//! Several ingest nodes (`ARGUS_NODE_ID`, each an Argus beside its own nginx) may share one
//! database. A session belongs to the node whose nginx holds its publisher: nginx numbers its
//! clients per process, so a client id means something only together with its node, and a
//! node's snapshot decides only about that node's sessions.

mod reconcile;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;

pub use self::reconcile::{reconcile, StallWatch};
use super::{
    audit::{self, Actor, Change},
    cameras::{StreamStatus, CACHE_NS},
    stats::{self, DashboardStats},
};
use crate::{
    auth::RequestMeta,
    db::{self, audit::AuditRow, cameras::CameraChanges, stream_sessions::StreamSessionRow, DbConn},
    domain::AuditAction,
    error::AppResult,
    realtime::hub::{Event, CAMERA_STATUSES},
    state::AppState,
};

/// Camera id → its status after a transaction and when it was last seen, for the cameras whose
/// status changed.
pub type StatusChanges = BTreeMap<String, (StreamStatus, NaiveDateTime)>;

/// What the transitions applied in one transaction leave to do: status changes to announce
/// after the commit, audit rows to write before it ([`Transitions::write_audits`]).
#[derive(Default)]
pub struct Transitions {
    pub status: StatusChanges,
    /// In event order: chained together after one head read.
    audits: Vec<AuditRow>,
    /// Client ids already heartbeated in this transaction: one touch each is enough.
    heartbeats: HashSet<String>,
}

impl Transitions {
    pub fn write_audits(&mut self, c: &mut DbConn) -> AppResult<()> {
        db::audit::insert_all(c, &std::mem::take(&mut self.audits))?;
        Ok(())
    }

    fn audit(
        &mut self,
        action: AuditAction,
        camera_id: Option<&str>,
        addr: Option<String>,
        after: serde_json::Value,
    ) {
        let change = Change::new(action).after(after);
        let change = match camera_id {
            Some(id) => change.on("camera", id),
            None => change,
        };
        let meta = RequestMeta { ip: addr, ..Default::default() };
        self.audits.push(audit::entry(&Actor::nginx(), &meta, change));
    }
}

/// A publisher as the `on_publish` hook reported it.
pub struct Publish {
    pub camera_id: String,
    pub client_id: String,
    pub addr: Option<String>,
}

/// Publishes accepted by `node`'s nginx. Many at once (a burst of cameras reconnecting after an
/// outage) take a handful of statements for the whole run instead of five per camera, with the
/// same effect as one by one; a client id appears at most once in a run.
pub fn publish(c: &mut DbConn, out: &mut Transitions, node: &str, run: &[Publish]) -> AppResult<()> {
    if run.is_empty() {
        return Ok(());
    }
    let now = db::now();
    // nginx numbers clients from 1 again after a restart: old open sessions with these client
    // ids are stale.
    let client_ids: Vec<String> = run.iter().map(|p| p.client_id.clone()).collect();
    let stale: Vec<String> =
        db::stream_sessions::find_open_by_clients(c, node, &client_ids)?.into_iter().map(|s| s.id).collect();
    db::stream_sessions::end_all(c, &stale, "superseded", now)?;
    let sessions: Vec<StreamSessionRow> =
        run.iter().map(|p| new_session(node, &p.camera_id, &p.client_id, p.addr.clone(), now)).collect();
    db::stream_sessions::insert_all(c, &sessions)?;
    let mut camera_ids: Vec<String> = run.iter().map(|p| p.camera_id.clone()).collect();
    camera_ids.sort_unstable();
    camera_ids.dedup();
    let online = StreamStatus::Online;
    for (id, status, _) in db::cameras::statuses(c, &camera_ids)? {
        let previous = out.status.get(&id).map(|(s, _)| *s).unwrap_or(status);
        if previous != online {
            out.status.insert(id, (online, now));
        }
    }
    db::cameras::set_status_all(c, &camera_ids, online, Some(now))?;
    for p in run {
        let after = serde_json::json!({ "client_id": p.client_id });
        out.audit(AuditAction::StreamPublished, Some(&p.camera_id), p.addr.clone(), after);
    }
    Ok(())
}

/// A publish nginx was told to refuse: only audited (`key_hint` is a short prefix, never the
/// presented key).
pub fn refused(out: &mut Transitions, key_hint: &str, addr: Option<String>, reason: &str) {
    let after = serde_json::json!({ "reason": reason, "key_prefix": key_hint });
    out.audit(AuditAction::StreamPublishRefused, None, addr, after);
}

/// `on_update` of a publisher on `node`: its session is alive and its camera online.
pub fn heartbeat(c: &mut DbConn, out: &mut Transitions, node: &str, client_id: &str) -> AppResult<()> {
    if !out.heartbeats.insert(client_id.to_string()) {
        return Ok(());
    }
    if let Some(session) = db::stream_sessions::find_open_by_client(c, node, client_id)? {
        db::stream_sessions::touch(c, &session.id, db::now())?;
        set_status(c, out, &session.camera_id, StreamStatus::Online, true)?;
    }
    Ok(())
}

/// `on_publish_done` of these clients on `node` (each named once): their sessions end, and a
/// camera goes offline when no other session of it remains open. Many at once (every publisher
/// of a site dropping with its uplink) take a handful of statements instead of five per
/// client, with the same effect as one by one.
pub fn end(c: &mut DbConn, out: &mut Transitions, node: &str, client_ids: &[String]) -> AppResult<()> {
    if client_ids.is_empty() {
        return Ok(());
    }
    let now = db::now();
    // The newest open session of each client id.
    let mut ending: HashMap<String, StreamSessionRow> = HashMap::new();
    for session in db::stream_sessions::find_open_by_clients(c, node, client_ids)? {
        if ending.get(&session.client_id).is_none_or(|kept| kept.started_at < session.started_at) {
            ending.insert(session.client_id.clone(), session);
        }
    }
    let ids: Vec<String> = ending.values().map(|s| s.id.clone()).collect();
    db::stream_sessions::end_all(c, &ids, "publish_done", now)?;
    let mut camera_ids: Vec<String> = ending.values().map(|s| s.camera_id.clone()).collect();
    camera_ids.sort_unstable();
    camera_ids.dedup();
    let still_live: HashSet<String> =
        db::stream_sessions::open_for_cameras(c, &camera_ids)?.into_iter().map(|s| s.camera_id).collect();
    let offline: Vec<String> = camera_ids.into_iter().filter(|id| !still_live.contains(id)).collect();
    for (id, status, seen) in db::cameras::statuses(c, &offline)? {
        let previous = out.status.get(&id).map(|(s, _)| *s).unwrap_or(status);
        if previous != StreamStatus::Offline {
            out.status.insert(id, (StreamStatus::Offline, seen.unwrap_or(now)));
        }
    }
    db::cameras::set_status_all(c, &offline, StreamStatus::Offline, None)?;
    // In event order: of a camera's sessions ending together, the last takes it offline.
    let mut left: HashMap<String, usize> = HashMap::new();
    for session in ending.values() {
        *left.entry(session.camera_id.clone()).or_default() += 1;
    }
    for client_id in client_ids {
        let Some(session) = ending.get(client_id) else { continue };
        let remaining = left.get_mut(&session.camera_id).map(|n| {
            *n -= 1;
            *n
        });
        let last = remaining == Some(0) && !still_live.contains(&session.camera_id);
        let after = serde_json::json!({ "client_id": client_id, "camera_offline": last });
        out.audit(AuditAction::StreamEnded, Some(&session.camera_id), session.addr.clone(), after);
    }
    Ok(())
}

fn new_session(
    node: &str,
    camera_id: &str,
    client_id: &str,
    addr: Option<String>,
    now: NaiveDateTime,
) -> StreamSessionRow {
    StreamSessionRow {
        id: db::new_id(),
        camera_id: camera_id.to_string(),
        client_id: client_id.to_string(),
        addr,
        started_at: now,
        last_update_at: now,
        ended_at: None,
        end_reason: None,
        node: node.to_string(),
        bytes_in: None,
    }
}

/// Ends a session; `true` when no other session of its camera remains open (on any node).
fn end_session(c: &mut DbConn, session: &StreamSessionRow, reason: &str) -> AppResult<bool> {
    db::stream_sessions::end(c, &session.id, reason, db::now())?;
    Ok(db::stream_sessions::open_for_camera(c, &session.camera_id)?.is_empty())
}

fn set_status(
    c: &mut DbConn,
    out: &mut Transitions,
    camera_id: &str,
    status: StreamStatus,
    seen: bool,
) -> AppResult<()> {
    let Some(row) = db::cameras::find(c, camera_id)? else { return Ok(()) };
    let now = db::now();
    let changes = CameraChanges {
        stream_status: Some(status),
        last_seen_at: seen.then_some(Some(now)),
        ..Default::default()
    };
    db::cameras::update(c, camera_id, &changes)?;
    let previous = out.status.get(camera_id).map(|(s, _)| *s).unwrap_or(row.stream_status);
    if previous != status {
        out.status.insert(
            camera_id.to_string(),
            (status, if seen { now } else { row.last_seen_at.unwrap_or(now) }),
        );
    }
    Ok(())
}

/// Up to this many status changes at once go out as one `camera.status` event each; more (a
/// reconnect storm) as `camera.statuses` events of up to [`STATUSES_PER_EVENT`] changes, so a
/// burst of 10,000 is a few dozen messages per client, not 10,000.
const SINGLE_EVENTS_UP_TO: usize = 16;
const STATUSES_PER_EVENT: usize = 500;

/// After a commit: invalidates camera caches, announces the status changes and the new
/// statistics.
pub async fn announce(state: &AppState, changed: &StatusChanges) {
    if changed.is_empty() {
        return;
    }
    state.cache.bump(CACHE_NS).await;
    let data = |camera_id: &str, status: &StreamStatus, seen: &NaiveDateTime| serde_json::json!({ "camera_id": camera_id, "stream_status": status, "last_seen_at": seen.and_utc() });
    if changed.len() <= SINGLE_EVENTS_UP_TO {
        for (camera_id, (status, seen)) in changed {
            let event = Event::new("camera.status", Some(camera_id), data(camera_id, status, seen));
            state.hub.publish(event).await;
        }
    } else {
        let changes: Vec<serde_json::Value> =
            changed.iter().map(|(id, (status, seen))| data(id, status, seen)).collect();
        for chunk in changes.chunks(STATUSES_PER_EVENT) {
            state
                .hub
                .publish(Event::new(CAMERA_STATUSES, None, serde_json::json!({ "changes": chunk })))
                .await;
        }
    }
    for (camera_id, (status, _)) in changed {
        if *status != StreamStatus::Online {
            state.metrics.stream_quality.remove_label_values(&[camera_id]).ok();
        }
    }
    if let Some(stats) = refresh_online_gauge(state).await {
        state.hub.publish(Event::new("stats.updated", None, serde_json::json!({ "stats": stats }))).await;
    }
}

/// Sets the `cameras_online` gauge (and the others mirroring the statistics) from the database.
/// Besides after every change, at start and after each reconciliation: a restarted Argus would
/// otherwise read 0 until the next change.
pub async fn refresh_online_gauge(state: &AppState) -> Option<DashboardStats> {
    stats::refresh_gauges(state).await
}
