//! One WebSocket client: forwards hub events it may see (its permission scope and its own
//! subscription), answers pings, pings it, and drops it when it stops reading.

use std::{collections::HashSet, sync::Arc, time::Duration};

use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use bytestring::ByteString;
use futures_util::{future::LocalBoxFuture, StreamExt};
use serde::Deserialize;
use tokio::{sync::broadcast::error::RecvError, time::Instant};

use super::hub::{Delivery, Event};
use crate::{
    auth::{Permission, Principal},
    state::AppState,
};

const PING_EVERY: Duration = Duration::from_secs(10);
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);
/// A client that cannot take a message within this long is too slow and is dropped.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    /// `camera_ids: null` = every camera the client may see.
    Subscribe { camera_ids: Option<Vec<String>> },
}

fn visible(principal: &Principal, subscription: &Option<HashSet<String>>, event: &Event) -> bool {
    // Alerts only for those who may read them; one about no camera only for unscoped callers.
    if event.kind.starts_with("alert.")
        && (!principal.has(Permission::AlertRead)
            || (event.camera_id.is_none() && principal.camera_scope().is_some()))
    {
        return false;
    }
    // A subscription narrows camera state to what a page shows; alerts reach the bell whatever
    // page is open.
    let subscription = if event.kind.starts_with("alert.") { &None } else { subscription };
    match &event.camera_id {
        None => true,
        Some(id) => visible_camera(principal, subscription, id),
    }
}

/// What the client is sent of an event: nothing, the text shared by all clients, or, for a
/// batch it may see only part of, its own copy with just those entries.
fn outgoing(
    principal: &Principal,
    subscription: &Option<HashSet<String>>,
    event: &Delivery,
) -> Option<ByteString> {
    if !event.is_batch() {
        return visible(principal, subscription, event).then(|| event.wire());
    }
    if principal.camera_scope().is_none() && subscription.is_none() {
        return Some(event.wire());
    }
    let changes: Vec<serde_json::Value> = event.data["changes"]
        .as_array()?
        .iter()
        .filter(|c| c["camera_id"].as_str().is_some_and(|id| visible_camera(principal, subscription, id)))
        .cloned()
        .collect();
    if changes.is_empty() {
        return None;
    }
    let own = Event { data: serde_json::json!({ "changes": changes }), ..(**event).clone() };
    serde_json::to_string(&own).ok().map(ByteString::from)
}

fn visible_camera(principal: &Principal, subscription: &Option<HashSet<String>>, id: &str) -> bool {
    principal.can_see_camera(id) && subscription.as_ref().is_none_or(|s| s.contains(id))
}

/// Re-checks the socket's principal after an event (`None`: events were missed, one of them
/// may have concerned it): `None` = the event is not about it; `Some(Ok(p))` = carry on as `p`
/// (role or scope changed); `Some(Err(why))` = close.
pub type Recheck = Box<
    dyn Fn(Option<Arc<Delivery>>, Principal) -> LocalBoxFuture<'static, Option<Result<Principal, String>>>,
>;

fn policy_close(why: impl Into<String>) -> Option<CloseReason> {
    Some(CloseReason { code: CloseCode::Policy, description: Some(why.into()) })
}

fn hello(principal: &Principal, kind: &str) -> Option<String> {
    let data = serde_json::json!({ "actor": principal.actor_name(), "permissions": principal.permissions() });
    serde_json::to_string(&Event::new(kind, None, data)).ok()
}

/// Sent to a client that missed events: refetch everything shown (`data.missed`: how many).
pub const RESYNC: &str = "resync";

/// Why the session ends (`Some`), if sending `text` ended it.
async fn send(session: &mut Session, text: ByteString) -> Option<Option<CloseReason>> {
    match tokio::time::timeout(SEND_TIMEOUT, session.text(text)).await {
        Ok(Ok(())) => None,
        Ok(Err(_)) => Some(None),
        Err(_) => Some(policy_close("client too slow")),
    }
}

/// Acts on a [`Recheck`] outcome; `Some` = the session ends.
async fn apply_recheck(
    outcome: Option<Result<Principal, String>>,
    principal: &mut Principal,
    session: &mut Session,
) -> Option<Option<CloseReason>> {
    match outcome {
        None => None,
        Some(Ok(now)) => {
            let rights_changed = now.permissions() != principal.permissions()
                || now.camera_scope() != principal.camera_scope();
            *principal = now;
            // Tell the client what it may now do (role or scope changed).
            match hello(principal, "session.updated").filter(|_| rights_changed) {
                Some(text) => session.text(text).await.err().map(|_| None),
                None => None,
            }
        }
        Some(Err(why)) => Some(policy_close(why)),
    }
}

pub async fn run(
    state: AppState,
    mut principal: Principal,
    recheck: Recheck,
    mut session: Session,
    mut messages: MessageStream,
) {
    state.metrics.ws_clients.inc();
    let mut events = state.hub.subscribe();
    let mut subscription: Option<HashSet<String>> = None;
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut last_seen = Instant::now();
    let mut reason = match hello(&principal, "hello") {
        Some(text) => session.text(text).await.err().map(|_| None),
        None => Some(None),
    };
    while reason.is_none() {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) if event.is_internal() => {
                    let outcome = recheck(Some(event), principal.clone()).await;
                    reason = apply_recheck(outcome, &mut principal, &mut session).await;
                }
                Ok(event) => {
                    if let Some(text) = outgoing(&principal, &subscription, &event) {
                        reason = send(&mut session, text).await;
                    }
                }
                // Too slow for a burst: rather than dropping it (its reconnect and refetch
                // would add to the burst), tell it to refetch what it shows. The missed
                // events may have revoked this socket: it is re-checked first.
                Err(RecvError::Lagged(missed)) => {
                    tracing::info!(missed, "a WebSocket client fell behind; telling it to resync");
                    let outcome = recheck(None, principal.clone()).await;
                    reason = apply_recheck(outcome, &mut principal, &mut session).await;
                    if reason.is_none() {
                        let resync = Event::new(RESYNC, None, serde_json::json!({ "missed": missed }));
                        reason = send(&mut session, Delivery::new(resync).wire()).await;
                    }
                }
                Err(RecvError::Closed) => reason = Some(Some(CloseCode::Away.into())),
            },
            message = messages.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    last_seen = Instant::now();
                    match serde_json::from_str::<ClientMessage>(&text) {
                        Ok(ClientMessage::Subscribe { camera_ids }) => subscription = camera_ids.map(|ids| ids.into_iter().collect()),
                        Err(e) => {
                            let err = Event::new("error", None, serde_json::json!({ "message": format!("unknown message: {e}") }));
                            if let Ok(t) = serde_json::to_string(&err) {
                                let _ = session.text(t).await;
                            }
                        }
                    }
                }
                Some(Ok(Message::Ping(bytes))) => {
                    last_seen = Instant::now();
                    if session.pong(&bytes).await.is_err() {
                        reason = Some(None);
                    }
                }
                Some(Ok(Message::Pong(_))) => last_seen = Instant::now(),
                Some(Ok(Message::Close(r))) => reason = Some(r),
                Some(Ok(_)) => last_seen = Instant::now(),
                Some(Err(_)) | None => reason = Some(None),
            },
            _ = ping.tick() => {
                if last_seen.elapsed() > CLIENT_TIMEOUT || session.ping(b"").await.is_err() {
                    reason = Some(None);
                }
            }
        }
    }
    state.metrics.ws_clients.dec();
    let _ = session.close(reason.flatten()).await;
}
