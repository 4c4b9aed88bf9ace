//! The real stack for one test: Argus (SQLite), nginx-rtmp rendered from the shipped template,
//! and FFmpeg publishers. nginx reaches the API through a small TCP relay the test can cut, which
//! is what an Argus restart looks like from nginx's side.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::Stdio,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use serde_json::Value;
use tokio::process::{Child, Command};

use crate::helpers::{connect_ws, next_event, status_event, Backend, Options, TestApp, Ws};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

pub struct Stack {
    pub app: TestApp,
    pub http: reqwest::Client,
    pub nginx: argus::dataplane::nginx_process::NginxProcess,
    /// Where nginx's hooks reach the API (through [`relay`]).
    pub relay_port: u16,
    relay_open: Arc<AtomicBool>,
}

/// Forwards TCP to the API while `open`; otherwise accepts and drops connections at once.
async fn relay(listener: tokio::net::TcpListener, target: String, open: Arc<AtomicBool>) {
    while let Ok((mut inbound, _)) = listener.accept().await {
        if !open.load(Ordering::SeqCst) {
            continue;
        }
        let target = target.clone();
        tokio::spawn(async move {
            if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

impl Stack {
    pub async fn start() -> Stack {
        Self::start_with(vec![]).await
    }

    pub async fn start_with(extra_env: Vec<(&'static str, String)>) -> Stack {
        for tool in ["ffmpeg", "ffprobe"] {
            assert!(
                std::process::Command::new(tool).arg("-version").output().is_ok(),
                "{tool} missing: run deploy/install-deps.sh"
            );
        }
        assert!(argus::up::doctor().ok(), "{}\nrun deploy/install-deps.sh", argus::up::doctor().text());
        let (rtmp_port, internal_port, http_port) = (free_port(), free_port(), free_port());
        let env = vec![
            ("ARGUS_RTMP_PORT", rtmp_port.to_string()),
            ("ARGUS_RTMP_INTERNAL_PORT", internal_port.to_string()),
            ("ARGUS_NGINX_HTTP_PORT", http_port.to_string()),
            ("ARGUS_PUBLIC_RTMP_URL", format!("rtmp://127.0.0.1:{rtmp_port}/live")),
            ("ARGUS_HOOK_UPDATE_SECS", "3".into()),
        ]
        .into_iter()
        .chain(extra_env)
        .collect();
        let app = TestApp::spawn_with(Options { backend: Backend::Sqlite, redis: false, env }).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("relay bind");
        let relay_port = listener.local_addr().expect("addr").port();
        let relay_open = Arc::new(AtomicBool::new(true));
        let api = app.address.trim_start_matches("http://").to_string();
        tokio::spawn(relay(listener, api, relay_open.clone()));
        let nginx = argus::up::start_nginx(&app.state, Path::new(env!("CARGO_BIN_EXE_argus")), relay_port)
            .await
            .expect("nginx starts");
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", rtmp_port)).await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "nginx did not open the RTMP port");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Stack { app, http: reqwest::Client::new(), nginx, relay_port, relay_open }
    }

    /// Polls a playlist until it lists at least `min_entries` URIs (renditions or segments).
    pub async fn wait_for_playlist(&self, url: &str, min_entries: usize) -> String {
        let started = Instant::now();
        loop {
            if let Ok(resp) = self.http.get(url).send().await {
                if resp.status().is_success() {
                    let text = resp.text().await.unwrap_or_default();
                    if text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).count()
                        >= min_entries
                    {
                        return text;
                    }
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no playlist at {url} after 30 s\n{}",
                self.run_logs()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn probe_url(&self, url: &str) -> Value {
        let out = Command::new("ffprobe")
            .args(["-v", "error", "-print_format", "json", "-show_streams", "-show_format", url])
            .output()
            .await
            .expect("ffprobe");
        assert!(out.status.success(), "ffprobe {url}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("ffprobe json")
    }

    pub async fn probe_path(&self, path: &Path) -> Value {
        self.probe_url(&path.display().to_string()).await
    }

    /// Decodes every frame; any decoder error fails. Frames keep their own timestamps: the null
    /// muxer would otherwise round them to the frame rate, and two frames ~20 ms apart where
    /// recorded chunks meet (their starts are known to the millisecond, not to the frame) would
    /// be reported as one timestamp given twice.
    pub async fn decode_ok(&self, url: &str) {
        let out = Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-i", url, "-fps_mode", "passthrough"])
            .args(["-enc_time_base:v", "1:90000", "-f", "null", "-"])
            .output()
            .await
            .expect("ffmpeg");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "decoding {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub async fn download(&self, token: &str, recording_id: &str) -> PathBuf {
        let bytes = self.app.get_bytes(&format!("/api/v1/recordings/{recording_id}/download"), token).await;
        let path = self.app.state.settings.data_dir.join(format!("download-{recording_id}.mp4"));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// The tails of nginx's and the transcoders' logs, for failure messages.
    pub fn run_logs(&self) -> String {
        let run = self.app.state.settings.data_dir.join("run");
        ["error.log", "transcode.log"]
            .iter()
            .map(|name| {
                let text = std::fs::read_to_string(run.join(name)).unwrap_or_default();
                let tail: Vec<&str> =
                    text.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
                format!("--- {name}\n{}", tail.join("\n"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn record_files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(&self.app.state.settings.media.record_dir)
            .map(|d| {
                d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "flv")).collect()
            })
            .unwrap_or_default()
    }

    pub async fn break_api_for_updates(&self) {
        self.relay_open.store(false, Ordering::SeqCst);
    }

    /// No file or folder name under the data dir, and no playlist or log, contains the key.
    pub fn assert_key_nowhere(&self, key: &str) {
        fn walk(dir: &Path, key: &str, checked: &mut usize) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                assert!(!name.contains(key), "stream key in a path: {}", path.display());
                if path.is_dir() {
                    walk(&path, key, checked);
                } else if name.ends_with(".m3u8") || name.ends_with(".log") {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    assert!(!text.contains(key), "stream key inside {}", path.display());
                    *checked += 1;
                }
            }
        }
        let mut checked = 0;
        walk(&self.app.state.settings.data_dir, key, &mut checked);
        assert!(checked >= 3, "expected playlists and logs to scan, found {checked}");
    }
}

/// A camera that is live: created, published to by a test publisher, its `online` event seen.
pub struct LiveCamera {
    pub admin: String,
    pub id: String,
    pub ws: Ws,
    pub publisher: Publisher,
    pub rtmp_url: String,
}

impl Stack {
    /// Creates a camera from `body` (`POST /api/v1/cameras`) and brings it online.
    pub async fn live_camera(&self, body: Value) -> LiveCamera {
        self.live_camera_with(body, "null").await
    }

    /// [`Stack::live_camera`] with the publisher's video through `filter`.
    pub async fn live_camera_with(&self, body: Value, filter: &str) -> LiveCamera {
        let admin = self.app.admin().await;
        let (status, camera) = self.app.post("/api/v1/cameras", &admin, body).await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{camera}");
        let id = camera["id"].as_str().expect("camera id").to_string();
        let mut ws = connect_ws(&self.app, &admin).await;
        let rtmp_url = camera["rtmp_url"].as_str().expect("rtmp url").to_string();
        let publisher = Publisher::start_filtered(&rtmp_url, filter);
        next_event(&mut ws, status_event(&id, "online")).await;
        LiveCamera { admin, id, ws, publisher, rtmp_url }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.nginx.stop(Duration::from_secs(5));
    }
}

pub struct Publisher {
    child: Child,
}

impl Publisher {
    /// `ffmpeg -re -f lavfi -i testsrc2 …` to an RTMP URL: 720p25 H.264 with a 1 s GOP + AAC.
    pub fn start(url: &str) -> Publisher {
        Self::start_filtered(url, "null")
    }

    /// [`Publisher::start`] with the video through `filter` (e.g. a burnt-in clock).
    pub fn start_filtered(url: &str, filter: &str) -> Publisher {
        let child = Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25"])
            .args(["-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-vf", filter])
            .args([
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "zerolatency",
                "-g",
                "25",
                "-pix_fmt",
                "yuv420p",
            ])
            .args(["-c:a", "aac", "-b:a", "64k", "-f", "flv", url])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("ffmpeg starts");
        Publisher { child }
    }

    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        tokio::time::timeout(timeout, self.child.wait()).await.ok().and_then(Result::ok)
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Ctrl-C: FFmpeg finishes the stream properly.
    pub async fn stop(&mut self) {
        if let Some(pid) = self.child.id() {
            unsafe { libc::kill(pid as i32, libc::SIGINT) };
        }
        if self.wait_exit(Duration::from_secs(10)).await.is_none() {
            let _ = self.child.kill().await;
        }
    }

    pub fn kill(&mut self) {
        if let Some(pid) = self.child.id() {
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        }
    }
}
