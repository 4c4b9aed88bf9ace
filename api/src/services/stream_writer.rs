//! Applies stream events from the hooks in batches: one transaction for everything that arrived
//! together, then the WebSocket events and nginx control calls that follow from it.

use std::collections::{BTreeMap, HashSet};

use tokio::sync::mpsc;

use super::{
    cameras::{StreamStatus, CACHE_NS},
    queues::StreamEvent,
};
use crate::{
    db::{self, audit::AuditRow, cameras::CameraChanges, stream_sessions::StreamSessionRow, DbConn},
    error::{AppError, AppResult, ErrorCode},
    realtime::hub::Event,
    state::AppState,
};

/// Events per transaction at most; a burst (cameras reconnecting after an outage) is written
/// in few commits.
const BATCH: usize = 2048;

pub fn spawn(state: AppState, mut rx: mpsc::Receiver<StreamEvent>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut batch = Vec::with_capacity(BATCH);
        while rx.recv_many(&mut batch, BATCH).await > 0 {
            let events = std::mem::take(&mut batch);
            let (count, started) = (events.len(), std::time::Instant::now());
            match apply(&state, events).await {
                Ok(()) => tracing::debug!(count, elapsed = ?started.elapsed(), "stream events applied"),
                Err(e) => tracing::error!(error = %e, "stream events not applied"),
            }
        }
    })
}

#[derive(Default)]
struct Outcome {
    /// Camera id → its status after the batch, for cameras whose status changed.
    status: BTreeMap<String, (StreamStatus, chrono::NaiveDateTime)>,
    /// Audit rows of the batch, in event order: chained together after one head read.
    audits: Vec<AuditRow>,
}

fn audit_row(
    action: &str,
    camera_id: Option<&str>,
    ip: Option<String>,
    after: serde_json::Value,
) -> AuditRow {
    AuditRow {
        id: db::new_id(),
        actor_type: "nginx".into(),
        actor_id: None,
        actor_name: Some("nginx-rtmp".into()),
        action: action.into(),
        entity_type: camera_id.map(|_| "camera".into()),
        entity_id: camera_id.map(str::to_string),
        before_state: None,
        after_state: Some(after.to_string()),
        ip,
        user_agent: None,
        created_at: db::now(),
    }
}

fn set_status(
    c: &mut DbConn,
    out: &mut Outcome,
    camera_id: &str,
    status: StreamStatus,
    seen: bool,
) -> AppResult<()> {
    let Some(row) = db::cameras::find(c, camera_id)? else { return Ok(()) };
    let now = db::now();
    let changes = CameraChanges {
        stream_status: Some(status.as_str().into()),
        last_seen_at: seen.then_some(Some(now)),
        ..Default::default()
    };
    db::cameras::update(c, camera_id, &changes)?;
    let previous = out.status.get(camera_id).map(|(s, _)| s.as_str()).unwrap_or(row.stream_status.as_str());
    if previous != status.as_str() {
        out.status.insert(
            camera_id.to_string(),
            (status, if seen { now } else { row.last_seen_at.unwrap_or(now) }),
        );
    }
    Ok(())
}

/// Ends a session; the camera goes offline when no other session of it remains open.
pub fn end_session(c: &mut DbConn, session: &StreamSessionRow, reason: &str) -> AppResult<bool> {
    db::stream_sessions::end(c, &session.id, reason, db::now())?;
    Ok(db::stream_sessions::open_for_camera(c, &session.camera_id)?.is_empty())
}

fn apply_one(
    c: &mut DbConn,
    out: &mut Outcome,
    touched: &mut HashSet<String>,
    event: StreamEvent,
) -> AppResult<()> {
    let now = db::now();
    match event {
        StreamEvent::Published { camera_id, client_id, addr } => {
            apply_publishes(c, out, &[Publish { camera_id, client_id, addr }])?;
        }
        StreamEvent::Refused { stream_key_hint, addr, reason } => {
            let after = serde_json::json!({ "reason": reason, "key_prefix": stream_key_hint });
            out.audits.push(audit_row("stream.publish_refused", None, addr, after));
        }
        StreamEvent::Heartbeat { client_id } => {
            if touched.insert(client_id.clone()) {
                if let Some(session) = db::stream_sessions::find_open_by_client(c, &client_id)? {
                    db::stream_sessions::touch(c, &session.id, now)?;
                    set_status(c, out, &session.camera_id, StreamStatus::Online, true)?;
                }
            }
        }
        StreamEvent::Done { client_id } => {
            if let Some(session) = db::stream_sessions::find_open_by_client(c, &client_id)? {
                let last = end_session(c, &session, "publish_done")?;
                if last {
                    set_status(c, out, &session.camera_id, StreamStatus::Offline, false)?;
                }
                let after = serde_json::json!({ "client_id": client_id, "camera_offline": last });
                out.audits.push(audit_row("stream.ended", Some(&session.camera_id), session.addr, after));
            }
        }
    }
    Ok(())
}

/// A publisher, as the hook reported it.
struct Publish {
    camera_id: String,
    client_id: String,
    addr: Option<String>,
}

/// Many publishes at once (a burst of cameras reconnecting after an outage): a handful of
/// statements for the whole run instead of five per camera. Same effect as applying them one
/// by one; a client id appears at most once in a run.
fn apply_publishes(c: &mut DbConn, out: &mut Outcome, run: &[Publish]) -> AppResult<()> {
    if run.is_empty() {
        return Ok(());
    }
    let now = db::now();
    // nginx numbers clients from 1 again after a restart: old open sessions with these client
    // ids are stale.
    let client_ids: Vec<String> = run.iter().map(|p| p.client_id.clone()).collect();
    let stale: Vec<String> =
        db::stream_sessions::find_open_by_clients(c, &client_ids)?.into_iter().map(|s| s.id).collect();
    db::stream_sessions::end_all(c, &stale, "superseded", now)?;
    let sessions: Vec<StreamSessionRow> = run
        .iter()
        .map(|p| StreamSessionRow {
            id: db::new_id(),
            camera_id: p.camera_id.clone(),
            client_id: p.client_id.clone(),
            addr: p.addr.clone(),
            started_at: now,
            last_update_at: now,
            ended_at: None,
            end_reason: None,
        })
        .collect();
    db::stream_sessions::insert_all(c, &sessions)?;
    let mut camera_ids: Vec<String> = run.iter().map(|p| p.camera_id.clone()).collect();
    camera_ids.sort_unstable();
    camera_ids.dedup();
    let online = StreamStatus::Online;
    for (id, status, _) in db::cameras::statuses(c, &camera_ids)? {
        let previous = out.status.get(&id).map(|(s, _)| s.as_str()).unwrap_or(status.as_str());
        if previous != online.as_str() {
            out.status.insert(id, (online, now));
        }
    }
    db::cameras::set_status_all(c, &camera_ids, online.as_str(), Some(now))?;
    out.audits.extend(run.iter().map(|p| {
        let after = serde_json::json!({ "client_id": p.client_id });
        audit_row("stream.published", Some(&p.camera_id), p.addr.clone(), after)
    }));
    Ok(())
}

/// Applies a batch in order; consecutive publishes go through [`apply_publishes`] together.
fn apply_batch(c: &mut DbConn, events: &[StreamEvent]) -> AppResult<Outcome> {
    let mut out = Outcome::default();
    let mut touched = HashSet::new();
    let mut run: Vec<Publish> = Vec::new();
    for event in events {
        match event {
            StreamEvent::Published { camera_id, client_id, addr }
                if run.iter().all(|p| &p.client_id != client_id) =>
            {
                run.push(Publish {
                    camera_id: camera_id.clone(),
                    client_id: client_id.clone(),
                    addr: addr.clone(),
                });
            }
            other => {
                apply_publishes(c, &mut out, &std::mem::take(&mut run))?;
                apply_one(c, &mut out, &mut touched, other.clone())?;
            }
        }
    }
    apply_publishes(c, &mut out, &run)?;
    db::audit::insert_all(c, &std::mem::take(&mut out.audits))?;
    Ok(out)
}

/// Applies a batch in one transaction. A batch that fails for a reason retrying will not cure
/// (one bad event: a constraint, a value the column refuses) is applied again event by event,
/// so a poisoned event costs only itself. Not when the database is unavailable: then every
/// event would fail the same way.
pub async fn apply(state: &AppState, events: Vec<StreamEvent>) -> AppResult<()> {
    let batch = events.clone();
    let error = match state.db.transaction(move |c| apply_batch(c, &batch)).await {
        Ok(outcome) => {
            announce(state, &outcome.status).await;
            return Ok(());
        }
        Err(e) if events.len() == 1 || e.code == ErrorCode::Unavailable => return Err(e),
        Err(e) => e,
    };
    tracing::warn!(error = %error, count = events.len(), "stream event batch failed; applying its events one by one");
    let mut changed = BTreeMap::new();
    let mut dropped = 0;
    for event in events {
        let one = [event];
        let attempt = one.clone();
        match state.db.transaction(move |c| apply_batch(c, &attempt)).await {
            Ok(outcome) => changed.extend(outcome.status),
            Err(e) => {
                dropped += 1;
                tracing::error!(error = %e, event = ?one[0], "stream event not applied");
            }
        }
    }
    announce(state, &changed).await;
    match dropped {
        0 => Ok(()),
        n => Err(AppError::internal(format!("{n} stream events not applied: {error}"))),
    }
}

/// Invalidates camera caches and sends one `camera.status` event per changed camera.
pub async fn announce(state: &AppState, changed: &BTreeMap<String, (StreamStatus, chrono::NaiveDateTime)>) {
    if changed.is_empty() {
        return;
    }
    state.cache.bump(CACHE_NS).await;
    for (camera_id, (status, seen)) in changed {
        let data = serde_json::json!({ "camera_id": camera_id, "stream_status": status, "last_seen_at": seen.and_utc() });
        state.hub.publish(Event::new("camera.status", Some(camera_id), data)).await;
        if *status != StreamStatus::Online {
            state.metrics.stream_quality.remove_label_values(&[camera_id]).ok();
        }
    }
    match super::stats::compute(state, None).await {
        Ok(stats) => {
            state.metrics.cameras_online.set(stats.online);
            state.hub.publish(Event::new("stats.updated", None, serde_json::json!({ "stats": stats }))).await;
        }
        Err(e) => tracing::warn!(error = %e, "could not refresh statistics"),
    }
}
