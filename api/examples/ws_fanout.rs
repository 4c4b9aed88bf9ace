//! WebSocket fan-out latency, driven by `bench/ws_fanout.sh` against a running release Argus:
//! N clients connected (5,000 by default) to `/api/v1/ws`, then on_publish / on_publish_done hooks sent one at a
//! time; for each hook, the time until every client has received the `camera.status` event.
//! The baseline measured in the same run is the hook's own round trip (nginx's view).
//!
//! Usage: ws_fanout API_URL ACCESS_TOKEN HOOK_SECRET KEYS_FILE [CLIENTS] [ROUNDS]

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn summary(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{label:<34} n={:<7} p50 {:>8.2} ms   p99 {:>8.2} ms   max {:>8.2} ms",
        ms.len(),
        percentile(&ms, 50.0),
        percentile(&ms, 99.0),
        ms.last().copied().unwrap_or(f64::NAN)
    );
}

/// The fields of a server message this tool looks at (borrowed: parsing must cost the tool as
/// little as possible, or it measures itself).
#[derive(serde::Deserialize)]
struct Incoming<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    data: Option<StatusData<'a>>,
}

#[derive(serde::Deserialize)]
struct StatusData<'a> {
    #[serde(default, borrow)]
    camera_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, borrow)]
    stream_status: Option<std::borrow::Cow<'a, str>>,
}

/// One client: reports (camera id, status, arrival) for every `camera.status` it receives.
async fn client(url: String, tx: mpsc::UnboundedSender<(String, String, Instant)>) -> anyhow::Result<()> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    let ready = tx.clone();
    // The first message is `hello`: report readiness with an empty camera id.
    if let Some(Ok(Message::Text(_))) = ws.next().await {
        ready.send((String::new(), String::new(), Instant::now()))?;
    }
    while let Some(msg) = ws.next().await {
        if let Message::Text(text) = msg? {
            let at = Instant::now();
            let m: Incoming = serde_json::from_str(&text)?;
            if let (true, Some(d)) = (m.kind == "camera.status", m.data) {
                let id = d.camera_id.unwrap_or_default().into_owned();
                tx.send((id, d.stream_status.unwrap_or_default().into_owned(), at))?;
            }
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, api, token, secret, keys_file, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: ws_fanout API_URL ACCESS_TOKEN HOOK_SECRET KEYS_FILE [CLIENTS] [ROUNDS]");
    };
    let clients: usize = rest.first().map(|s| s.parse()).transpose()?.unwrap_or(5000);
    let rounds: usize = rest.get(1).map(|s| s.parse()).transpose()?.unwrap_or(20);
    let keys: Vec<String> = std::fs::read_to_string(keys_file)?.lines().map(str::to_string).collect();
    anyhow::ensure!(keys.len() >= rounds, "need at least {rounds} keys");

    let ws_url = format!("{}/api/v1/ws?access_token={token}", api.replacen("http", "ws", 1));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let started = Instant::now();
    for _ in 0..clients {
        let (url, tx) = (ws_url.clone(), tx.clone());
        tokio::spawn(async move {
            if let Err(e) = client(url, tx).await {
                eprintln!("client ended: {e}");
            }
        });
    }
    drop(tx);
    for _ in 0..clients {
        rx.recv().await.ok_or_else(|| anyhow::anyhow!("a client failed to connect"))?;
    }
    println!("{clients} WebSocket clients connected in {:.2?}", started.elapsed());

    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let hook = |call: &'static str, key: String, client_id: usize| {
        let http = http.clone();
        let path = if call == "publish" { "auth" } else { "publish-done" };
        let url = format!("{api}/api/v1/streaming/{path}?secret={secret}");
        async move {
            let form = [
                ("app", "live".to_string()),
                ("call", call.to_string()),
                ("name", key),
                ("addr", "127.0.0.1".into()),
                ("clientid", client_id.to_string()),
                ("flashver", "FMLE/3.0".into()),
            ];
            let sent = Instant::now();
            let resp = http.post(url).form(&form).send().await?;
            let camera = resp.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
            anyhow::Ok((sent, sent.elapsed(), resp.status(), camera))
        }
    };

    let (mut hook_ms, mut fanout_ms, mut last_client_ms) = (Vec::new(), Vec::new(), Vec::new());
    for (round, key) in keys.iter().take(rounds).enumerate() {
        let client_id = 1_000_000 + round;
        for call in ["publish", "publish_done"] {
            let (sent, rtt, status, camera) = hook(call, key.clone(), client_id).await?;
            anyhow::ensure!(status.is_success() || status.is_redirection(), "{call} hook answered {status}");
            hook_ms.push(rtt.as_secs_f64() * 1000.0);
            let want = if call == "publish" { "online" } else { "offline" };
            let mut arrived = 0;
            let deadline = tokio::time::sleep(Duration::from_secs(10));
            tokio::pin!(deadline);
            let mut camera_id = camera;
            while arrived < clients {
                tokio::select! {
                    msg = rx.recv() => {
                        let Some((id, status, at)) = msg else { anyhow::bail!("clients gone") };
                        if status != want || camera_id.as_deref().is_some_and(|c| c != id) {
                            continue;
                        }
                        camera_id.get_or_insert(id);
                        arrived += 1;
                        let ms = at.duration_since(sent).as_secs_f64() * 1000.0;
                        fanout_ms.push(ms);
                        if arrived == clients {
                            last_client_ms.push(ms);
                        }
                    }
                    _ = &mut deadline => anyhow::bail!("round {round} {call}: {arrived}/{clients} clients got the event in 10 s"),
                }
            }
        }
    }
    summary("baseline: hook round trip", hook_ms);
    summary("hook -> event at each client", fanout_ms);
    summary("hook -> event at the last client", last_client_ms);
    Ok(())
}
