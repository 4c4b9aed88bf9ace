//! Applies stream events from the hooks in batches: one transaction for everything that arrived
//! together, then the WebSocket events and nginx control calls that follow from it. What each
//! event does to stream status is `stream_state`'s rule; this module only batches.

use std::collections::{BTreeMap, HashSet};

use tokio::sync::mpsc;

use super::{
    queues::StreamEvent,
    stream_state::{self, Publish, Transitions},
};
use crate::{
    db::DbConn,
    error::{AppError, AppResult, ErrorCode},
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

/// Applies a batch in order; consecutive publishes go to [`stream_state::publish`] together,
/// consecutive ends to [`stream_state::end`] (a repeated client id starts a new run). The
/// events come from this Argus's own nginx (its hooks are relayed over loopback), so they
/// belong to this `node`.
fn apply_batch(c: &mut DbConn, node: &str, events: &[StreamEvent]) -> AppResult<Transitions> {
    let mut out = Transitions::default();
    let (mut publishes, mut ends): (Vec<Publish>, Vec<String>) = (Vec::new(), Vec::new());
    // The client ids of the current run (a set: a storm's batch holds thousands).
    let mut in_run: HashSet<&str> = HashSet::new();
    for event in events {
        let joins_run = match event {
            StreamEvent::Published { client_id, .. } => {
                ends.is_empty() && !in_run.contains(client_id.as_str())
            }
            StreamEvent::Done { client_id } => publishes.is_empty() && !in_run.contains(client_id.as_str()),
            _ => false,
        };
        if !joins_run {
            stream_state::publish(c, &mut out, node, &std::mem::take(&mut publishes))?;
            stream_state::end(c, &mut out, node, &std::mem::take(&mut ends))?;
            in_run.clear();
        }
        if let StreamEvent::Published { client_id, .. } | StreamEvent::Done { client_id } = event {
            in_run.insert(client_id);
        }
        match event {
            StreamEvent::Published { camera_id, client_id, addr } => publishes.push(Publish {
                camera_id: camera_id.clone(),
                client_id: client_id.clone(),
                addr: addr.clone(),
            }),
            StreamEvent::Refused { stream_key_hint, addr, reason } => {
                stream_state::refused(&mut out, stream_key_hint, addr.clone(), reason)
            }
            StreamEvent::Heartbeat { client_id } => stream_state::heartbeat(c, &mut out, node, client_id)?,
            StreamEvent::Done { client_id } => ends.push(client_id.clone()),
        }
    }
    stream_state::publish(c, &mut out, node, &publishes)?;
    stream_state::end(c, &mut out, node, &ends)?;
    out.write_audits(c)?;
    Ok(out)
}

/// Applies a batch in one transaction. A batch that fails for a reason retrying will not cure
/// (one bad event: a constraint, a value the column refuses) is applied again event by event,
/// so a poisoned event costs only itself. Not when the database is unavailable: then every
/// event would fail the same way.
pub async fn apply(state: &AppState, events: Vec<StreamEvent>) -> AppResult<()> {
    let node = state.settings.media.node_id.clone();
    let batch = events.clone();
    let error = match state.db.transaction(move |c| apply_batch(c, &node, &batch)).await {
        Ok(outcome) => {
            stream_state::announce(state, &outcome.status).await;
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
        let (node, attempt) = (state.settings.media.node_id.clone(), one.clone());
        match state.db.transaction(move |c| apply_batch(c, &node, &attempt)).await {
            Ok(outcome) => changed.extend(outcome.status),
            Err(e) => {
                dropped += 1;
                tracing::error!(error = %e, event = ?one[0], "stream event not applied");
            }
        }
    }
    stream_state::announce(state, &changed).await;
    match dropped {
        0 => Ok(()),
        n => Err(AppError::internal(format!("{n} stream events not applied: {error}"))),
    }
}
