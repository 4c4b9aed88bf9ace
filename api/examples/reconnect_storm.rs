//! Reconnect storm, driven by `bench/reconnect_storm.sh`: every seeded camera publishes once
//! (distinct nginx client ids), as fast as CONNECTIONS keep-alive connections allow, with the
//! exact requests nginx-rtmp sends. The same requests go first to an nginx `return 200`
//! (the baseline, measured in the same run), then to Argus. Against Argus it also measures how
//! long after the first publish every camera is `online` through the API (polled) and on a
//! WebSocket client connected before the storm.
//!
//! Two storms: `cold` right after Argus started (an Argus restart: no stream key cached unless
//! Argus preloads them), then every camera's publisher leaves, and `warm` (an uplink outage:
//! the keys were looked up minutes ago).
//!
//! Usage: reconnect_storm BASELINE_URL ARGUS_URL ACCESS_TOKEN HOOK_SECRET KEYS_FILE [CONNECTIONS]

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use futures_util::StreamExt;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::mpsc,
};
use tokio_tungstenite::tungstenite::Message;

/// How long the cameras may take to show up online before the run is declared failed.
const SETTLE_DEADLINE: Duration = Duration::from_secs(120);
const API_POLL_EVERY: Duration = Duration::from_millis(20);

/// One keep-alive HTTP/1.1 connection speaking just enough HTTP for hooks and a JSON GET.
struct Conn {
    addr: String,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Conn {
    fn new(addr: &str) -> Conn {
        Conn { addr: addr.to_string(), stream: None, buf: Vec::with_capacity(4096) }
    }

    async fn send(&mut self, request: &[u8]) -> anyhow::Result<Answer> {
        // A keep-alive connection the server closed in the meantime: reconnect once.
        for attempt in 0..2 {
            if self.stream.is_none() {
                let s = TcpStream::connect(&self.addr).await?;
                s.set_nodelay(true)?;
                self.stream = Some(s);
            }
            match self.exchange(request).await {
                Ok(a) => return Ok(a),
                Err(e) if attempt == 0 => {
                    self.stream = None;
                    tracing_note(&e);
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!()
    }

    async fn exchange(&mut self, request: &[u8]) -> anyhow::Result<Answer> {
        let stream = self.stream.as_mut().context("not connected")?;
        stream.write_all(request).await?;
        self.buf.clear();
        let mut chunk = [0u8; 8192];
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed");
            }
            self.buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).to_ascii_lowercase();
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("no status")?;
        let header = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim_start_matches(':').trim().to_string()))
        };
        let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        while self.buf.len() < head_end + length {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed in a body");
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        if header("connection").is_some_and(|v| v == "close") {
            self.stream = None;
        }
        Ok(Answer { status, body: self.buf[head_end..head_end + length].to_vec() })
    }
}

fn tracing_note(e: &anyhow::Error) {
    if std::env::var_os("STORM_DEBUG").is_some() {
        eprintln!("reconnecting after: {e}");
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn host_of(url: &str) -> anyhow::Result<String> {
    let rest = url.strip_prefix("http://").context("http:// URL expected")?;
    Ok(rest.split('/').next().unwrap_or(rest).to_string())
}

/// The form nginx-rtmp posts for `call` (`publish` or `publish_done`).
fn hook_request(host: &str, secret: &str, call: &str, key: &str, client_id: usize) -> Vec<u8> {
    let path = if call == "publish" { "auth" } else { "publish-done" };
    let body = format!(
        "app=live&flashver=FMLE/3.0&swfurl=&tcurl=rtmp://127.0.0.1/live&pageurl=&addr=127.0.0.1\
         &clientid={client_id}&call={call}&type=live&name={key}"
    );
    format!(
        "POST /api/v1/streaming/{path}?secret={secret} HTTP/1.1\r\nHost: {host}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

struct StormResult {
    latencies_ms: Vec<f64>,
    first_sent: Instant,
    last_answer: Instant,
    unexpected: usize,
}

impl StormResult {
    fn percentile(&self, p: f64) -> f64 {
        let s = &self.latencies_ms;
        s[(((p / 100.0) * (s.len() - 1) as f64).round() as usize).min(s.len() - 1)]
    }

    fn rps(&self) -> f64 {
        self.latencies_ms.len() as f64 / self.last_answer.duration_since(self.first_sent).as_secs_f64()
    }

    fn print(&self, label: &str) {
        println!(
            "{label:<34} n={:<6} p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms   {:>7.0} req/s{}",
            self.latencies_ms.len(),
            self.percentile(50.0),
            self.percentile(99.0),
            self.latencies_ms.last().copied().unwrap_or(f64::NAN),
            self.rps(),
            if self.unexpected > 0 {
                format!("   UNEXPECTED ANSWERS: {}", self.unexpected)
            } else {
                String::new()
            }
        );
    }
}

/// Sends every request once over `connections` connections; `ok` is the status expected.
async fn storm(
    url: &str,
    requests: Arc<Vec<Vec<u8>>>,
    connections: usize,
    ok: u16,
) -> anyhow::Result<StormResult> {
    let addr = host_of(url)?;
    let next = Arc::new(AtomicUsize::new(0));
    // Connect first: the storm measures answers, not TCP handshakes.
    let mut conns = Vec::new();
    for _ in 0..connections {
        let mut c = Conn::new(&addr);
        let s = TcpStream::connect(&addr).await?;
        s.set_nodelay(true)?;
        c.stream = Some(s);
        conns.push(c);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for mut conn in conns {
        let (next, requests) = (next.clone(), requests.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            let mut unexpected = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(req) = requests.get(i) else { break };
                let sent = Instant::now();
                let answer = conn.send(req).await?;
                let done = Instant::now();
                if answer.status != ok {
                    unexpected += 1;
                    if unexpected == 1 {
                        eprintln!("answer {}: {}", answer.status, String::from_utf8_lossy(&answer.body));
                    }
                }
                out.push((sent, done));
            }
            anyhow::Ok((out, unexpected))
        }));
    }
    let (mut latencies_ms, mut first_sent, mut last_answer, mut unexpected) = (Vec::new(), None, started, 0);
    for t in tasks {
        let (times, bad) = t.await??;
        unexpected += bad;
        for (sent, done) in times {
            latencies_ms.push(done.duration_since(sent).as_secs_f64() * 1000.0);
            first_sent = Some(first_sent.map_or(sent, |f: Instant| f.min(sent)));
            last_answer = last_answer.max(done);
        }
    }
    latencies_ms.sort_by(|a, b| a.total_cmp(b));
    Ok(StormResult { latencies_ms, first_sent: first_sent.context("no requests")?, last_answer, unexpected })
}

/// A dashboard connected before the storm: reports each camera id whose status arrives, as
/// `camera.status` or inside a coalesced `camera.statuses`, and any `resync`.
enum Seen {
    Status(String, String),
    Resync(u64),
}

async fn ws_client(
    url: String,
    ready: tokio::sync::oneshot::Sender<()>,
    tx: mpsc::UnboundedSender<Seen>,
) -> anyhow::Result<()> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    let mut ready = Some(ready);
    while let Some(msg) = ws.next().await {
        let Message::Text(text) = msg? else { continue };
        let v: serde_json::Value = serde_json::from_str(&text)?;
        let status = |d: &serde_json::Value| {
            Seen::Status(
                d["camera_id"].as_str().unwrap_or_default().to_string(),
                d["stream_status"].as_str().unwrap_or_default().to_string(),
            )
        };
        match v["type"].as_str().unwrap_or_default() {
            "hello" => {
                if let Some(r) = ready.take() {
                    let _ = r.send(());
                }
            }
            "camera.status" => tx.send(status(&v["data"]))?,
            "camera.statuses" => {
                for change in v["data"]["changes"].as_array().into_iter().flatten() {
                    tx.send(status(change))?;
                }
            }
            "resync" => tx.send(Seen::Resync(v["data"]["missed"].as_u64().unwrap_or(0)))?,
            _ => {}
        }
    }
    Ok(())
}

/// Cameras with `status` according to the API.
async fn api_count(conn: &mut Conn, host: &str, token: &str, status: &str) -> anyhow::Result<i64> {
    let req = format!(
        "GET /api/v1/cameras?stream_status={status}&limit=1 HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    let answer = conn.send(req.as_bytes()).await?;
    anyhow::ensure!(answer.status == 200, "camera list answered {}", answer.status);
    let v: serde_json::Value = serde_json::from_slice(&answer.body)?;
    v["total"].as_i64().context("no total")
}

struct Settled {
    api: Option<Instant>,
    ws: Option<Instant>,
    resyncs: u64,
}

/// Waits until `n` cameras are `status` through the API and on the WebSocket.
async fn settle(
    api: &mut Conn,
    host: &str,
    token: &str,
    ws: &mut mpsc::UnboundedReceiver<Seen>,
    status: &str,
    n: usize,
) -> anyhow::Result<Settled> {
    let (deadline, mut seen) = (Instant::now() + SETTLE_DEADLINE, HashSet::new());
    let mut out = Settled { api: None, ws: None, resyncs: 0 };
    let mut poll = tokio::time::interval(API_POLL_EVERY);
    while out.api.is_none() || out.ws.is_none() {
        if Instant::now() > deadline {
            bail!(
                "not settled in {SETTLE_DEADLINE:?}: API {:?}, WebSocket saw {} {status}",
                out.api,
                seen.len()
            );
        }
        tokio::select! {
            msg = ws.recv() => match msg.context("WebSocket client ended")? {
                Seen::Status(id, s) if s == status => {
                    seen.insert(id);
                    if seen.len() >= n && out.ws.is_none() {
                        out.ws = Some(Instant::now());
                    }
                }
                Seen::Status(..) => {}
                Seen::Resync(missed) => {
                    out.resyncs += 1;
                    eprintln!("WebSocket client told to resync (missed {missed} events)");
                }
            },
            _ = poll.tick(), if out.api.is_none() => {
                if api_count(api, host, token, status).await? as usize >= n {
                    out.api = Some(Instant::now());
                }
            }
        }
    }
    Ok(out)
}

fn since(t: Option<Instant>, from: Instant) -> f64 {
    t.map_or(f64::NAN, |t| t.duration_since(from).as_secs_f64())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, baseline, argus, token, secret, keys_file, rest @ ..] = args.as_slice() else {
        bail!(
            "usage: reconnect_storm BASELINE_URL ARGUS_URL ACCESS_TOKEN HOOK_SECRET KEYS_FILE [CONNECTIONS]"
        );
    };
    let connections: usize = rest.first().map(|s| s.parse()).transpose()?.unwrap_or(64);
    let keys: Vec<String> = std::fs::read_to_string(keys_file)?.lines().map(str::to_string).collect();
    let n = keys.len();
    let host = host_of(argus)?;

    let ws_url = format!("{}/api/v1/ws?access_token={token}", argus.replacen("http", "ws", 1));
    let (tx, mut ws) = mpsc::unbounded_channel();
    let (ready_tx, ready) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        if let Err(e) = ws_client(ws_url, ready_tx, tx).await {
            eprintln!("WebSocket client ended: {e}");
        }
    });
    ready.await.context("WebSocket client did not connect")?;
    let mut api = Conn::new(&host);

    for (phase, base) in [("cold", 1_000_000), ("warm", 2_000_000)] {
        let requests: Arc<Vec<Vec<u8>>> = Arc::new(
            keys.iter()
                .enumerate()
                .map(|(i, k)| hook_request(&host, secret, "publish", k, base + i))
                .collect(),
        );
        println!("-- {phase} key cache: {n} cameras publish once over {connections} connections");
        let nginx = storm(baseline, requests.clone(), connections, 200).await?;
        nginx.print("nginx return 200 (baseline)");
        let hook = storm(argus, requests, connections, 302).await?;
        hook.print("argus on_publish");
        let settled = settle(&mut api, &host, token, &mut ws, "online", n).await?;
        println!(
            "p99 {:.2}x baseline (target <= 2.00); throughput {:.2}x baseline (reference)",
            hook.percentile(99.0) / nginx.percentile(99.0),
            hook.rps() / nginx.rps()
        );
        println!(
            "all {n} online: API {:.2} s / WebSocket {:.2} s after the first publish; \
             {:.2} s / {:.2} s after the last answer (target <= 2.00){}",
            since(settled.api, hook.first_sent),
            since(settled.ws, hook.first_sent),
            since(settled.api, hook.last_answer),
            since(settled.ws, hook.last_answer),
            if settled.resyncs > 0 {
                format!("   WebSocket resyncs: {}", settled.resyncs)
            } else {
                String::new()
            }
        );
        // Every publisher leaves (the uplink drops), so the next storm finds them offline.
        let done: Arc<Vec<Vec<u8>>> = Arc::new(
            keys.iter()
                .enumerate()
                .map(|(i, k)| hook_request(&host, secret, "publish_done", k, base + i))
                .collect(),
        );
        let left = storm(argus, done, connections, 200).await?;
        let offline = settle(&mut api, &host, token, &mut ws, "offline", n).await?;
        println!(
            "(all {n} publishers left: {:.0} req/s; all offline {:.2} s after the last answer)",
            left.rps(),
            since(offline.api.max(offline.ws), left.last_answer)
        );
    }
    Ok(())
}
