//! The event bus. Services `publish`; WebSocket sessions `subscribe`. Without Redis an event goes
//! straight to the local broadcast; with Redis it is published to a channel that every replica
//! (this one included) listens to, so each replica delivers each event exactly once.

use std::{
    ops::Deref,
    sync::{Arc, OnceLock},
};

use bytestring::ByteString;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::broadcast;

use crate::infra::RedisPool;

/// Many `camera.status` events coalesced into one (a burst such as a reconnect storm):
/// `data.changes` holds what each one's `data` would, `camera_id` included; each client gets
/// only the entries it may see.
pub const CAMERA_STATUSES: &str = "camera.statuses";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: String,
    /// The camera the event is about; used to filter by subscription and permission scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera_id: Option<String>,
    pub data: Value,
    pub at: DateTime<Utc>,
}

impl Event {
    pub fn new(kind: &str, camera_id: Option<&str>, data: Value) -> Event {
        Event { kind: kind.to_string(), camera_id: camera_id.map(str::to_string), data, at: Utc::now() }
    }

    /// Many cameras' status changes in one message (see [`CAMERA_STATUSES`]).
    pub fn is_batch(&self) -> bool {
        self.kind == CAMERA_STATUSES
    }

    /// `internal.*` events coordinate replicas (revocations); clients never see them.
    pub fn is_internal(&self) -> bool {
        self.kind.starts_with("internal.")
    }
}

/// An event as local subscribers receive it: serialised once, on first use, however many
/// WebSocket clients send it (with Redis, the text that came over the channel is used as is).
#[derive(Debug)]
pub struct Delivery {
    event: Event,
    wire: OnceLock<ByteString>,
}

impl Delivery {
    pub fn new(event: Event) -> Delivery {
        Delivery { event, wire: OnceLock::new() }
    }

    /// The event's JSON text, shared by every client that sends it.
    pub fn wire(&self) -> ByteString {
        self.wire.get_or_init(|| serde_json::to_string(&self.event).unwrap_or_default().into()).clone()
    }
}

impl Deref for Delivery {
    type Target = Event;
    fn deref(&self) -> &Event {
        &self.event
    }
}

/// How many events a subscriber may fall behind before it lags (a WebSocket session then
/// tells its client to resync, see `session`).
const BACKLOG: usize = 4096;

#[derive(Clone)]
pub struct Hub {
    local: broadcast::Sender<Arc<Delivery>>,
    redis: Option<(RedisPool, String)>,
}

impl Hub {
    pub fn new(redis: Option<(RedisPool, String)>) -> Hub {
        let (local, _) = broadcast::channel(BACKLOG);
        Hub { local, redis: redis.map(|(pool, prefix)| (pool, format!("{prefix}:events"))) }
    }

    pub fn channel(&self) -> Option<&str> {
        self.redis.as_ref().map(|(_, c)| c.as_str())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Delivery>> {
        self.local.subscribe()
    }

    /// Delivers to local subscribers only.
    pub fn deliver_local(&self, event: Event) {
        self.deliver(Delivery::new(event));
    }

    /// Delivers an event that came from Redis as `payload` (its JSON text) to local subscribers.
    pub fn deliver_received(&self, event: Event, payload: String) {
        self.deliver(Delivery { event, wire: OnceLock::from(ByteString::from(payload)) });
    }

    fn deliver(&self, delivery: Delivery) {
        // An error only means nobody is listening right now.
        let _ = self.local.send(Arc::new(delivery));
    }

    pub async fn publish(&self, event: Event) {
        match &self.redis {
            None => self.deliver_local(event),
            Some((pool, channel)) => {
                let payload = match serde_json::to_string(&event) {
                    Ok(p) => p,
                    Err(e) => return tracing::error!(error = %e, "event not serialisable"),
                };
                let sent: Result<(), String> = async {
                    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
                    redis::cmd("PUBLISH")
                        .arg(channel)
                        .arg(payload)
                        .query_async::<i64>(&mut conn)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                }
                .await;
                if let Err(e) = sent {
                    // Other replicas miss it, but this replica's clients still get it.
                    tracing::warn!(error = %e, "redis publish failed; delivering locally only");
                    self.deliver_local(event);
                }
            }
        }
    }
}
