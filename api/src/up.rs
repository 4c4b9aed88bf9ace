//! `argus up` (nginx-rtmp + API + dashboard in one command), `argus doctor` and nginx rendering.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
};

use crate::{
    cli::bootstrap_admin,
    config::Settings,
    dataplane::nginx_conf::{find_rtmp_module, NginxParams},
    startup::Application,
    state::AppState,
};

pub struct Check {
    pub what: &'static str,
    pub found: Option<String>,
    pub package: &'static str,
}

pub struct Doctor {
    pub checks: Vec<Check>,
}

fn which(cmd: &str) -> Option<String> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|d| d.join(cmd)).find(|p| p.is_file()).map(|p| p.display().to_string())
}

/// nginx lives in /usr/sbin, which is not on every user's PATH.
pub fn nginx_binary() -> Option<String> {
    which("nginx").or_else(|| Path::new("/usr/sbin/nginx").exists().then(|| "/usr/sbin/nginx".to_string()))
}

pub fn doctor() -> Doctor {
    Doctor {
        checks: vec![
            Check { what: "nginx", found: nginx_binary(), package: "nginx" },
            Check {
                what: "nginx RTMP module",
                found: find_rtmp_module().map(|p| p.display().to_string()),
                package: "libnginx-mod-rtmp",
            },
            Check { what: "ffmpeg", found: which("ffmpeg"), package: "ffmpeg" },
            Check { what: "ffprobe", found: which("ffprobe"), package: "ffmpeg" },
        ],
    }
}

impl Doctor {
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.found.is_some())
    }
    pub fn missing_packages(&self) -> Vec<&'static str> {
        let mut p: Vec<&str> = self.checks.iter().filter(|c| c.found.is_none()).map(|c| c.package).collect();
        p.dedup();
        p
    }
    pub fn text(&self) -> String {
        self.checks
            .iter()
            .map(|c| match &c.found {
                Some(path) => format!("ok       {:<18} {path}", c.what),
                None => format!("MISSING  {:<18} (Debian package: {})", c.what, c.package),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn run_dir(settings: &Settings) -> PathBuf {
    settings.data_dir.join("run")
}

/// Renders nginx.conf for this Argus (its own binary runs the transcoders) and writes it.
pub fn render_nginx(state: &AppState, out: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let settings = &state.settings;
    let run = run_dir(settings);
    for dir in [&run, &settings.media.record_dir, &settings.media.hls_dir, &settings.media.storage_dir] {
        std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    }
    let module = find_rtmp_module().ok_or_else(|| {
        anyhow::anyhow!("the nginx RTMP module is missing: apt-get install libnginx-mod-rtmp")
    })?;
    let argus_bin = std::env::current_exe()?;
    let params = NginxParams {
        settings,
        hook_secret: &state.media.hook_secret,
        playback_secret: &state.media.playback_secret,
        run_dir: &run,
        argus_bin: &argus_bin,
        rtmp_module: &module,
        run_as_root: unsafe { libc::geteuid() } == 0,
    };
    let path = out.unwrap_or_else(|| run.join("nginx.conf"));
    std::fs::write(&path, params.render()?)?;
    Ok(path)
}

pub async fn up(mut settings: Settings) -> anyhow::Result<()> {
    let report = doctor();
    if !report.ok() {
        anyhow::bail!(
            "{}\ninstall the missing pieces: apt-get install {}",
            report.text(),
            report.missing_packages().join(" ")
        );
    }
    if settings.frontend_dir.is_none() && Path::new("frontend/dist/index.html").exists() {
        settings.frontend_dir = Some(PathBuf::from("frontend/dist"));
    }
    let app = Application::build(settings).await?;
    let state = app.state().clone();
    let conf = render_nginx(&state, None)?;
    let run = run_dir(&state.settings);
    let nginx = nginx_binary().ok_or_else(|| anyhow::anyhow!("nginx not found"))?;
    let check = tokio::process::Command::new(&nginx)
        .arg("-t")
        .arg("-p")
        .arg(&run)
        .arg("-c")
        .arg(&conf)
        .output()
        .await?;
    if !check.status.success() {
        anyhow::bail!("nginx rejected {}:\n{}", conf.display(), String::from_utf8_lossy(&check.stderr));
    }
    let mut nginx_child = tokio::process::Command::new(&nginx)
        .arg("-p")
        .arg(&run)
        .arg("-c")
        .arg(&conf)
        .args(["-g", "daemon off;"])
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    crate::jobs::start(state.clone());
    let s = &state.settings;
    let host = s.bind.ip();
    let rtmp_host = s.public_rtmp_url.clone();
    if let Some((user, password)) = bootstrap_admin(&state).await? {
        println!(
            "\nFirst start: created the administrator account\n  username: {user}\n  password: {password}\n"
        );
    }
    println!("Argus is up.");
    println!("  dashboard + API   http://{host}:{}/", app.port());
    println!("  API docs          http://{host}:{}/api/docs/", app.port());
    println!(
        "  cameras publish   {rtmp_host}/<stream key>   (OBS: server {rtmp_host}, stream key <stream key>)"
    );
    println!("  test stream       ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=25 -f lavfi -i sine -c:v libx264 -preset veryfast -g 25 -c:a aac -f flv {rtmp_host}/<stream key>");
    println!("  HLS (signed)      {}/hls/…", s.media.public_hls_url);
    println!("Ctrl-C stops everything.");
    let result = tokio::select! {
        r = app.run_until_stopped() => r.map_err(anyhow::Error::from),
        status = nginx_child.wait() => Err(anyhow::anyhow!("nginx exited ({:?}); see {}", status.ok(), run.join("error.log").display())),
    };
    if let Some(pid) = nginx_child.id() {
        // SIGQUIT: graceful stop; nginx then ends the transcoders and finishes recordings.
        unsafe { libc::kill(pid as i32, libc::SIGQUIT) };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), nginx_child.wait()).await;
    }
    result
}
