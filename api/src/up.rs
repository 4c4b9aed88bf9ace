//! `argus up` (nginx-rtmp + API + dashboard in one command), `argus doctor` and nginx rendering.

use std::path::{Path, PathBuf};

use crate::{
    config::Settings,
    dataplane::{
        nginx_conf::{find_rtmp_module, find_stream_module, NginxParams, NginxTls},
        nginx_process::{self, NginxProcess},
    },
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
            Check {
                what: "nginx stream module",
                found: find_stream_module().map(|p| p.display().to_string()),
                package: "libnginx-mod-stream",
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
                Some(path) => format!("ok       {:<20} {path}", c.what),
                None => format!("MISSING  {:<20} (Debian package: {})", c.what, c.package),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn run_dir(settings: &Settings) -> PathBuf {
    settings.data_dir.join("run")
}

/// Renders nginx.conf (nginx runs `argus_bin transcode …` per camera) and writes it.
pub fn render_nginx(
    state: &AppState,
    out: Option<PathBuf>,
    argus_bin: &Path,
    api_port: u16,
) -> anyhow::Result<PathBuf> {
    let settings = &state.settings;
    let run = run_dir(settings);
    for dir in [&run, &settings.media.record_dir, &settings.media.hls_dir, &settings.media.storage_dir] {
        std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    }
    let module = find_rtmp_module().ok_or_else(|| {
        anyhow::anyhow!("the nginx RTMP module is missing: apt-get install libnginx-mod-rtmp")
    })?;
    let m = &settings.media;
    let params = NginxParams {
        run_dir: run.clone(),
        rtmp_module: module,
        run_as_root: unsafe { libc::geteuid() } == 0,
        rtmp_port: m.rtmp_port,
        rtmp_internal_port: m.rtmp_internal_port,
        http_port: m.nginx_http_port,
        api: format!("127.0.0.1:{api_port}"),
        hook_secret: state.media.hook_secret.clone(),
        playback_secret: state.media.playback_secret.clone(),
        record_dir: m.record_dir.clone(),
        hls_dir: m.hls_dir.clone(),
        source_hls: crate::dataplane::native_hls::rendition_timing(&state.profiles),
        update_interval_secs: m.update_interval_secs,
        argus_bin: argus_bin.to_path_buf(),
        tls: m.tls.as_ref().map(nginx_tls).transpose()?,
    };
    // The transcoders nginx starts read the hook secret from here, not from their command line.
    crate::infra::private::write_private(&run.join("hook_secret"), state.media.hook_secret.as_bytes())?;
    let path = out.unwrap_or_else(|| run.join("nginx.conf"));
    crate::infra::private::write_private(&path, params.render()?.as_bytes())?;
    Ok(path)
}

/// nginx's master reads the certificate and key itself, as the user running Argus: check them
/// here so a typo names the variable instead of surfacing as an `nginx -t` failure.
fn nginx_tls(tls: &crate::config::TlsSettings) -> anyhow::Result<NginxTls> {
    for (var, file) in [("ARGUS_TLS_CERT", &tls.cert), ("ARGUS_TLS_KEY", &tls.key)] {
        std::fs::File::open(file)
            .map_err(|e| anyhow::anyhow!("{var}: cannot read {}: {e}", file.display()))?;
    }
    let stream_module = find_stream_module().ok_or_else(|| {
        anyhow::anyhow!("TLS needs the nginx stream module: apt-get install libnginx-mod-stream")
    })?;
    Ok(NginxTls {
        cert: tls.cert.clone(),
        key: tls.key.clone(),
        https_port: tls.https_port,
        rtmps_port: tls.rtmps_port,
        rtmps_internal_port: tls.rtmps_internal_port,
        only: tls.only,
        stream_module,
    })
}

/// Renders the config, checks it with `nginx -t` and starts nginx in the foreground, or adopts
/// the nginx an earlier Argus of this run folder started and that survived it (with its live
/// publishers): left as it is when the config is unchanged, reloaded when it changed. Stop it
/// with [`NginxProcess::stop`].
pub async fn start_nginx(state: &AppState, argus_bin: &Path, api_port: u16) -> anyhow::Result<NginxProcess> {
    let run = run_dir(&state.settings);
    let conf_path = run.join("nginx.conf");
    let previous = std::fs::read(&conf_path).ok();
    let conf = render_nginx(state, None, argus_bin, api_port)?;
    let nginx = nginx_binary().ok_or_else(|| anyhow::anyhow!("nginx not found: apt-get install nginx"))?;
    if let Some(rejection) = nginx_process::check_config(&nginx, &run, &conf).await? {
        anyhow::bail!("nginx rejected {}:\n{rejection}", conf.display());
    }
    if let Some(pid) = nginx_process::running(&nginx_process::pid_file(&run), &conf) {
        if previous.as_deref() != std::fs::read(&conf).ok().as_deref() {
            // Live streams stay on the old worker until they end; new ones go to the new one.
            tracing::warn!(pid, "the running nginx has an older config: reloading it");
            nginx_process::reload(pid);
        } else {
            tracing::info!(pid, "adopted the running nginx (its live streams are kept)");
        }
        return Ok(NginxProcess::Adopted { pid });
    }
    Ok(nginx_process::launch(&nginx, &run, &conf)?)
}

pub async fn up(settings: Settings) -> anyhow::Result<()> {
    let report = doctor();
    if !report.ok() {
        anyhow::bail!(
            "{}\ninstall the missing pieces: apt-get install {}",
            report.text(),
            report.missing_packages().join(" ")
        );
    }
    let app = Application::build(settings).await?;
    let state = app.state().clone();
    let mut nginx = start_nginx(&state, &std::env::current_exe()?, app.port()).await?;
    let run = run_dir(&state.settings);
    crate::jobs::start(state.clone());
    let s = &state.settings;
    let host = s.bind.ip();
    let rtmp_host = s.public_rtmp_url.clone();
    if let Some((user, password)) = crate::services::users::bootstrap_admin(&state).await? {
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
    if let Some(tls) = &s.media.tls {
        println!(
            "  HTTPS (nginx)     https://{host}:{}/   RTMPS ingest on port {}",
            tls.https_port, tls.rtmps_port
        );
    }
    println!("Ctrl-C stops everything.");
    let result = tokio::select! {
        r = app.run_until_stopped() => r.map_err(anyhow::Error::from),
        how = nginx.exited() => Err(anyhow::anyhow!("nginx exited ({how}); see {}", run.join("error.log").display())),
    };
    // Blocking is fine here: the API has stopped; nothing else runs on this thread.
    nginx.stop(std::time::Duration::from_secs(10));
    result
}
