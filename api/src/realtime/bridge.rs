//! Redis pub/sub → local hub. Pub/sub needs its own long-lived connection (not a pooled one);
//! on any failure it reconnects with backoff, so a Redis restart heals by itself.

use std::time::Duration;

use futures_util::StreamExt;

use super::hub::{Event, Hub};

pub fn spawn(redis_url: String, hub: Hub) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Some(channel) = hub.channel().map(str::to_string) else { return };
        let mut backoff = Duration::from_millis(250);
        loop {
            match listen(&redis_url, &channel, &hub).await {
                Ok(()) => tracing::warn!("redis event stream ended; reconnecting"),
                Err(e) => tracing::warn!(error = %e, "redis event bridge failed; reconnecting"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(15));
        }
    })
}

async fn listen(url: &str, channel: &str, hub: &Hub) -> redis::RedisResult<()> {
    let client = redis::Client::open(url)?;
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    tracing::info!(channel, "listening for events on redis");
    let mut messages = pubsub.on_message();
    while let Some(msg) = messages.next().await {
        let payload: String = match msg.get_payload() {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "undecodable event payload");
                continue;
            }
        };
        match serde_json::from_str::<Event>(&payload) {
            Ok(event) => hub.deliver_received(event, payload),
            Err(e) => tracing::warn!(error = %e, "malformed event on redis channel"),
        }
    }
    Ok(())
}
