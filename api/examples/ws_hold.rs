//! Holds N dashboard WebSocket clients open against a running Argus, for benchmarks that measure
//! the server while they are connected (`bench/fleet_rss.sh`). Prints `connected N` once every
//! client has received its `hello`, then reads (and counts) events until SIGTERM, and prints how
//! many events the clients received in all.
//!
//! Usage: ws_hold API_URL ACCESS_TOKEN [CLIENTS]

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

use futures_util::StreamExt;
use tokio::{
    signal::unix::{signal, SignalKind},
    sync::mpsc,
};

async fn client(url: String, ready: mpsc::UnboundedSender<()>, events: Arc<AtomicU64>) -> anyhow::Result<()> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    // The first message is `hello`.
    if ws.next().await.transpose()?.is_some() {
        ready.send(())?;
    }
    while let Some(message) = ws.next().await {
        message?;
        events.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, api, token, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: ws_hold API_URL ACCESS_TOKEN [CLIENTS]");
    };
    let clients: usize = rest.first().map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let url = format!("{}/api/v1/ws?access_token={token}", api.replacen("http", "ws", 1));
    let mut terminate = signal(SignalKind::terminate())?;
    let events = Arc::new(AtomicU64::new(0));
    let (ready, mut connected) = mpsc::unbounded_channel();
    for _ in 0..clients {
        let (url, ready, events) = (url.clone(), ready.clone(), events.clone());
        tokio::spawn(async move {
            if let Err(e) = client(url, ready, events).await {
                eprintln!("client ended: {e}");
            }
        });
    }
    drop(ready);
    for _ in 0..clients {
        connected.recv().await.ok_or_else(|| anyhow::anyhow!("a client failed to connect"))?;
    }
    println!("connected {clients}");
    // Held until the benchmark is done with them.
    terminate.recv().await;
    println!("events received {}", events.load(Ordering::Relaxed));
    Ok(())
}
