//! The event bus. Services `publish`; WebSocket sessions `subscribe`. Without Redis an event goes
//! straight to the local broadcast; with Redis it is published to a channel that every replica
//! (this one included) listens to, so each replica delivers each event exactly once.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::broadcast;

use crate::infra::RedisPool;

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

    /// `internal.*` events coordinate replicas (revocations); clients never see them.
    pub fn is_internal(&self) -> bool {
        self.kind.starts_with("internal.")
    }
}

#[derive(Clone)]
pub struct Hub {
    local: broadcast::Sender<Arc<Event>>,
    redis: Option<(RedisPool, String)>,
}

impl Hub {
    pub fn new(redis: Option<(RedisPool, String)>) -> Hub {
        let (local, _) = broadcast::channel(4096);
        Hub { local, redis: redis.map(|(pool, prefix)| (pool, format!("{prefix}:events"))) }
    }

    pub fn channel(&self) -> Option<&str> {
        self.redis.as_ref().map(|(_, c)| c.as_str())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.local.subscribe()
    }

    /// Delivers to local subscribers only (used by the Redis bridge for incoming messages).
    pub fn deliver_local(&self, event: Event) {
        // An error only means nobody is listening right now.
        let _ = self.local.send(Arc::new(event));
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
