//! The defaults a first run uses: the `argus` binary started in some directory with no path
//! variable set. Every other test passes absolute temp dirs, which is how a broken relative
//! default once went unnoticed.

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const ARGUS: &str = env!("CARGO_BIN_EXE_argus");

/// `argus` with `args`, run in `cwd` with no ARGUS_*, DATABASE_URL or REDIS_URL variable.
fn argus_in(cwd: &Path, args: &[&str], extra: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(ARGUS);
    cmd.args(args).current_dir(cwd).stdin(Stdio::null());
    for (key, _) in std::env::vars() {
        if key.starts_with("ARGUS_") || key == "DATABASE_URL" || key == "REDIS_URL" {
            cmd.env_remove(key);
        }
    }
    for (key, value) in extra {
        cmd.env(key, value);
    }
    cmd
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn nginx_render_from_any_directory_writes_absolute_paths_under_the_default_data_dir() {
    assert!(
        argus::dataplane::nginx_conf::find_rtmp_module().is_some(),
        "the nginx RTMP module is required (apt-get install libnginx-mod-rtmp)"
    );
    let cwd = tempfile::tempdir().expect("tempdir");
    let out = argus_in(cwd.path(), &["nginx", "render"], &[]).output().expect("run argus");
    assert!(out.status.success(), "argus nginx render failed: {}", String::from_utf8_lossy(&out.stderr));
    let conf_path = cwd.path().join("data/run/nginx.conf");
    let conf = std::fs::read_to_string(&conf_path).expect("nginx.conf under ./data/run");
    let data = cwd.path().join("data");
    let data = data.to_str().expect("utf8");
    assert!(conf.contains(&format!("{data}/hls")), "HLS folder not absolute:\n{conf}");
    assert!(conf.contains(&format!("{data}/record")), "record folder not absolute:\n{conf}");
    assert!(!conf.contains("./"), "a relative path reached nginx.conf:\n{conf}");
    assert!(cwd.path().join("data/argus.db").is_file(), "the SQLite database belongs in ./data");
}

#[tokio::test]
async fn serve_from_any_directory_has_the_embedded_profiles_and_dashboard() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let password = "defaults test password 1";
    let child = argus_in(
        cwd.path(),
        &["serve"],
        &[("ARGUS_BIND", format!("127.0.0.1:{port}")), ("ARGUS_ADMIN_PASSWORD", password.into())],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("start argus serve");
    let _server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(res) = client.get(format!("{base}/healthz")).send().await {
            if res.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "argus serve did not come up in 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": password}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login body");
    let token = login["access_token"].as_str().expect("access token");
    let profiles: serde_json::Value = client
        .get(format!("{base}/api/v1/profiles"))
        .bearer_auth(token)
        .send()
        .await
        .expect("profiles")
        .json()
        .await
        .expect("profiles body");
    let names: Vec<&str> =
        profiles.as_array().expect("array").iter().filter_map(|p| p["name"].as_str()).collect();
    assert!(names.contains(&"default"), "embedded profiles missing: {names:?}");

    let res = client.get(format!("{base}/cameras")).send().await.expect("dashboard route");
    let status = res.status();
    let body = res.text().await.expect("body");
    if argus::assets::dashboard_file("index.html").is_some() {
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("id=\"root\""), "not the dashboard: {body}");
    } else {
        // Built before `npm run build`: the answer says how to get the dashboard.
        assert_eq!(status, 404, "{body}");
        assert!(body.contains("without the dashboard"), "{body}");
    }
    assert!(cwd.path().join("data/argus.db").is_file(), "the SQLite database belongs in ./data");
}
