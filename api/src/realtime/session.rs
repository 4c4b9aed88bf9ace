//! One WebSocket client: forwards hub events it may see (its permission scope and its own
//! subscription), answers pings, pings it, and drops it when it stops reading.

use std::{collections::HashSet, sync::Arc, time::Duration};

use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use futures_util::{future::LocalBoxFuture, StreamExt};
use serde::Deserialize;
use tokio::{sync::broadcast::error::RecvError, time::Instant};

use super::hub::Event;
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
    match &event.camera_id {
        None => true,
        Some(id) => principal.can_see_camera(id) && subscription.as_ref().is_none_or(|s| s.contains(id)),
    }
}

/// Re-checks the socket's principal after an event: `None` = the event is not about it;
/// `Some(Ok(p))` = carry on as `p` (role or scope changed); `Some(Err(why))` = close.
pub type Recheck =
    Box<dyn Fn(Arc<Event>, Principal) -> LocalBoxFuture<'static, Option<Result<Principal, String>>>>;

fn policy_close(why: impl Into<String>) -> Option<CloseReason> {
    Some(CloseReason { code: CloseCode::Policy, description: Some(why.into()) })
}

fn hello(principal: &Principal, kind: &str) -> Option<String> {
    let data = serde_json::json!({ "actor": principal.actor_name(), "permissions": principal.permissions() });
    serde_json::to_string(&Event::new(kind, None, data)).ok()
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
                Ok(event) if event.is_internal() => match recheck(event, principal.clone()).await {
                    None => {}
                    Some(Ok(now)) => {
                        let rights_changed = now.permissions() != principal.permissions()
                            || now.camera_scope() != principal.camera_scope();
                        principal = now;
                        // Tell the client what it may now do (role or scope changed).
                        if let Some(text) = hello(&principal, "session.updated").filter(|_| rights_changed) {
                            if session.text(text).await.is_err() {
                                reason = Some(None);
                            }
                        }
                    }
                    Some(Err(why)) => reason = Some(policy_close(why)),
                },
                Ok(event) if visible(&principal, &subscription, &event) => {
                    let Ok(text) = serde_json::to_string(&*event) else { continue };
                    match tokio::time::timeout(SEND_TIMEOUT, session.text(text)).await {
                        Ok(Ok(())) => {}
                        Ok(Err(_)) => reason = Some(None),
                        Err(_) => reason = Some(policy_close("client too slow")),
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => {
                    tracing::info!(missed, "dropping a WebSocket client that fell behind");
                    reason = Some(policy_close("client too slow"));
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
