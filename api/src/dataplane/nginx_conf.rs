//! Renders `nginx/nginx.conf.tmpl` (`{{name}}` placeholders; an unknown or empty one is an
//! error, never a blank in a live config) and signs HLS playback URLs the way the template's
//! `secure_link_md5` checks them. Self-contained: std, `thiserror`, `md-5`, `base64`.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use base64::Engine;
use md5::{Digest, Md5};

mod tls;
pub use tls::{find_stream_module, NginxTls, STREAM_MODULE_CANDIDATES};

pub const TEMPLATE: &str = include_str!("../../../nginx/nginx.conf.tmpl");

/// Where Debian's libnginx-mod-rtmp puts the module.
pub const RTMP_MODULE_CANDIDATES: &[&str] =
    &["/usr/lib/nginx/modules/ngx_rtmp_module.so", "/usr/share/nginx/modules/ngx_rtmp_module.so"];

/// The manual recorders of the `live` application (`/control/record/start?...&rec=<id>`).
/// Argus alternates between them to cut chunks without a gap (see nginx/README.md).
pub const RECORDERS: [&str; 2] = ["main", "alt"];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RenderError {
    #[error("template uses {{{{{0}}}}} but no value was given")]
    Unknown(String),
    #[error("no value for {{{{{0}}}}} (empty)")]
    Unfilled(String),
    #[error("unterminated placeholder near byte {0}")]
    Unterminated(usize),
    #[error("{name}: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Everything the template needs. Paths are made absolute when rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct NginxParams {
    /// nginx prefix (`-p`): pid, error log and temp folders live here.
    pub run_dir: PathBuf,
    pub rtmp_module: PathBuf,
    /// Adds `user root;` (needed when started as root, or recording fails with EACCES).
    pub run_as_root: bool,
    /// Public RTMP port cameras publish to.
    pub rtmp_port: u16,
    /// Loopback-only RTMP port of the transcoding (`hls`) server.
    pub rtmp_internal_port: u16,
    /// nginx HTTP port: signed HLS, `/stat`, `/control`, and a proxy to the API.
    pub http_port: u16,
    /// `host:port` of the Argus API as nginx reaches it, e.g. `127.0.0.1:8080`.
    pub api: String,
    pub hook_secret: String,
    pub playback_secret: String,
    pub record_dir: PathBuf,
    pub hls_dir: PathBuf,
    /// nginx's own source rendition: `hls_fragment` seconds and segments per playlist
    /// (`native_hls::rendition_timing`).
    pub source_hls: (u32, u32),
    /// `notify_update_timeout`: seconds between on_update heartbeats.
    pub update_interval_secs: u64,
    /// The `argus` binary nginx runs as `argus transcode …` per live camera.
    pub argus_bin: PathBuf,
    /// HTTPS and RTMPS listeners; `None` = plaintext only.
    pub tls: Option<NginxTls>,
}

/// Characters that would end or alter an nginx directive (or a shell word in exec_push).
fn unsafe_char(c: char) -> bool {
    c.is_whitespace() || c.is_control() || matches!(c, ';' | '{' | '}' | '"' | '\'' | '$' | '#' | '\\')
}

fn secret(name: &'static str, value: &str) -> Result<String, RenderError> {
    let ok = value.len() >= 16
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'));
    if !ok {
        let reason = "must be at least 16 characters of [A-Za-z0-9._~-]".to_string();
        return Err(RenderError::Invalid { name, reason });
    }
    Ok(value.to_string())
}

fn path(name: &'static str, p: &Path) -> Result<String, RenderError> {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let text = abs.to_str().ok_or_else(|| RenderError::Invalid { name, reason: "not UTF-8".into() })?;
    if text.chars().any(unsafe_char) {
        let reason = format!("{text:?} contains whitespace or one of ;{{}}\"'$#\\");
        return Err(RenderError::Invalid { name, reason });
    }
    Ok(text.to_string())
}

impl NginxParams {
    /// The placeholder values, checked.
    pub fn values(&self) -> Result<BTreeMap<&'static str, String>, RenderError> {
        let mut ports = vec![self.rtmp_port, self.rtmp_internal_port, self.http_port];
        ports.extend(self.tls.iter().flat_map(|t| [t.https_port, t.rtmps_port, t.rtmps_internal_port]));
        if ports.contains(&0) || ports.iter().collect::<BTreeSet<_>>().len() != ports.len() {
            let reason = format!(
                "rtmp, internal rtmp, http (and https, rtmps, internal rtmps) ports must be distinct and non-zero: {ports:?}"
            );
            return Err(RenderError::Invalid { name: "ports", reason });
        }
        let (segment_secs, playlist_size) = self.source_hls;
        if !(1..=10).contains(&segment_secs) || !(3..=30).contains(&playlist_size) {
            let reason = format!("{:?}: segment 1..=10 s, 3..=30 segments", self.source_hls);
            return Err(RenderError::Invalid { name: "source_hls", reason });
        }
        if self.update_interval_secs == 0 {
            return Err(RenderError::Invalid { name: "update_interval", reason: "must be positive".into() });
        }
        if self.api.is_empty() || self.api.chars().any(unsafe_char) || self.api.contains('/') {
            let reason = format!("{:?} must be host:port", self.api);
            return Err(RenderError::Invalid { name: "api", reason });
        }
        let user =
            if self.run_as_root { "user root;" } else { "# not started as root: nginx's default user" };
        let mut values = tls::values(self.tls.as_ref(), self.rtmp_port, self.http_port)?;
        values.extend([
            ("user_directive", user.to_string()),
            ("run_dir", path("run_dir", &self.run_dir)?),
            ("rtmp_module", path("rtmp_module", &self.rtmp_module)?),
            ("rtmp_internal_port", self.rtmp_internal_port.to_string()),
            ("http_port", self.http_port.to_string()),
            ("api", self.api.clone()),
            ("hook_secret", secret("hook_secret", &self.hook_secret)?),
            ("playback_secret", secret("playback_secret", &self.playback_secret)?),
            ("record_dir", path("record_dir", &self.record_dir)?),
            ("hls_dir", path("hls_dir", &self.hls_dir)?),
            ("nginx_hls_dir", path("hls_dir", &self.hls_dir.join(super::native_hls::NGINX_HLS_FOLDER))?),
            ("source_segment_secs", segment_secs.to_string()),
            ("source_playlist_secs", (segment_secs * playlist_size).to_string()),
            ("update_interval", self.update_interval_secs.to_string()),
            ("argus_bin", path("argus_bin", &self.argus_bin)?),
        ]);
        Ok(values)
    }

    /// The shipped template, rendered.
    pub fn render(&self) -> Result<String, RenderError> {
        render(TEMPLATE, self)
    }
}

pub fn render(template: &str, params: &NginxParams) -> Result<String, RenderError> {
    render_values(template, &params.values()?)
}

/// The substitution itself: `{{ name }}` → value; unknown or empty values are errors.
pub fn render_values(template: &str, values: &BTreeMap<&str, String>) -> Result<String, RenderError> {
    let mut out = String::with_capacity(template.len() + 512);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(RenderError::Unterminated(template.len() - rest.len() + start))?;
        let name = after[..end].trim();
        let value = values.get(name).ok_or_else(|| RenderError::Unknown(name.to_string()))?;
        if value.trim().is_empty() {
            return Err(RenderError::Unfilled(name.to_string()));
        }
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The placeholder names a template uses.
pub fn placeholders(template: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        names.insert(after[..end].trim().to_string());
        rest = &after[end + 2..];
    }
    names
}

pub fn find_rtmp_module() -> Option<PathBuf> {
    RTMP_MODULE_CANDIDATES.iter().map(PathBuf::from).find(|p| p.exists())
}

/// The token nginx computes for `secure_link_md5 "$secure_link_expires$hls_stream <secret>"`:
/// MD5 of `"<expires><stream> <secret>"`, base64url without padding (22 characters).
pub fn hls_token(secret: &str, stream: &str, expires_epoch: i64) -> String {
    let digest = Md5::digest(format!("{expires_epoch}{stream} {secret}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// `/hls/<token>/<expires>/<stream>/`: the signed folder; files below it inherit the token.
pub fn sign_hls_path(secret: &str, stream: &str, expires_epoch: i64) -> String {
    format!("/hls/{}/{expires_epoch}/{stream}/", hls_token(secret, stream, expires_epoch))
}

/// `{base}/hls/<token>/<expires>/<stream>/<file>`, e.g. `file` = `index.m3u8`.
pub fn hls_url(base: &str, secret: &str, stream: &str, file: &str, expires_epoch: i64) -> String {
    let base = base.trim_end_matches('/');
    format!("{base}{}{}", sign_hls_path(secret, stream, expires_epoch), file.trim_start_matches('/'))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn params(dir: &Path) -> NginxParams {
        NginxParams {
            run_dir: dir.join("run"),
            rtmp_module: PathBuf::from(RTMP_MODULE_CANDIDATES[0]),
            run_as_root: true,
            rtmp_port: 1935,
            rtmp_internal_port: 1936,
            http_port: 8088,
            api: "127.0.0.1:8080".into(),
            hook_secret: "hooksecret0123456789".into(),
            playback_secret: "playsecret0123456789".into(),
            record_dir: dir.join("rec"),
            hls_dir: dir.join("hls"),
            source_hls: (2, 6),
            update_interval_secs: 30,
            argus_bin: PathBuf::from("/usr/bin/argus"),
            tls: None,
        }
    }

    /// The hook secret reaches nginx only as a header it adds: never in a URL (printed in the
    /// error log when Argus is down) nor on a transcoder's command line (visible in `ps`).
    #[test]
    fn hook_secret_is_in_no_url_and_no_command_line() {
        let p = params(Path::new("/srv/argus"));
        let conf = p.render().unwrap();
        let with_secret: Vec<&str> = conf.lines().filter(|l| l.contains(&p.hook_secret)).collect();
        assert!(!with_secret.is_empty());
        assert!(
            with_secret.iter().all(|l| l.trim_start().starts_with("proxy_set_header X-Argus-Hook-Secret")),
            "{with_secret:?}"
        );
        let exec = conf.lines().find(|l| l.trim_start().starts_with("exec_push")).unwrap();
        assert!(exec.contains("--secret-file /srv/argus/run/hook_secret"), "{exec}");
    }

    #[test]
    fn substitutes_and_rejects_unknown_empty_and_unterminated() {
        let values = BTreeMap::from([("a", "1".to_string()), ("b", "two".to_string()), ("e", " ".into())]);
        assert_eq!(render_values("x {{a}} y {{ b }}", &values).unwrap(), "x 1 y two");
        assert_eq!(render_values("{{c}}", &values), Err(RenderError::Unknown("c".into())));
        assert_eq!(render_values("{{e}}", &values), Err(RenderError::Unfilled("e".into())));
        assert!(matches!(render_values("{{a", &values), Err(RenderError::Unterminated(_))));
        assert_eq!(render_values("no placeholders { }", &values).unwrap(), "no placeholders { }");
    }

    #[test]
    fn shipped_template_uses_exactly_the_params() {
        let p = params(Path::new("/srv/argus"));
        let used = placeholders(TEMPLATE);
        let given: BTreeSet<String> = p.values().unwrap().keys().map(|k| k.to_string()).collect();
        assert_eq!(used, given);
        let conf = p.render().unwrap();
        assert!(!conf.contains("{{") && conf.contains("user root;"));
        assert!(conf.contains("on_publish http://127.0.0.1:8088/argus-hooks/auth;"));
        assert!(conf.contains("proxy_set_header X-Argus-Hook-Secret \"hooksecret0123456789\";"));
        assert!(conf.contains("listen 1935;") && conf.contains("listen 127.0.0.1:1936;"));
        assert!(conf.contains("push rtmp://127.0.0.1:1936/hls;") && conf.contains("listen 8088;"));
        assert!(conf.contains("secure_link_md5 \"$secure_link_expires$hls_stream playsecret0123456789\";"));
        assert!(conf.contains("record_path /srv/argus/rec;") && conf.contains("alias /srv/argus/hls/"));
        assert!(
            conf.contains("hls_path /srv/argus/hls/.nginx;") && conf.contains("hls_playlist_length 12s;")
        );
        for rec in RECORDERS {
            assert!(conf.contains(&format!("recorder {rec} {{")), "{rec}");
        }
        let not_root = NginxParams { run_as_root: false, ..p };
        assert!(!not_root.render().unwrap().contains("user root;"));
    }

    #[test]
    fn rejects_values_that_would_break_the_config() {
        let base = params(Path::new("/srv"));
        let bad = [
            NginxParams { playback_secret: "short".into(), ..base.clone() },
            NginxParams { hook_secret: "has space in it 0123".into(), ..base.clone() },
            NginxParams { playback_secret: "dollar$sign0123456789".into(), ..base.clone() },
            NginxParams { hls_dir: "/srv/my hls".into(), ..base.clone() },
            NginxParams { record_dir: "/srv/x;y".into(), ..base.clone() },
            NginxParams { http_port: 1935, ..base.clone() },
            NginxParams { rtmp_internal_port: 0, ..base.clone() },
            NginxParams { update_interval_secs: 0, ..base.clone() },
            NginxParams { source_hls: (0, 6), ..base.clone() },
            NginxParams { api: "http://127.0.0.1:8080".into(), ..base.clone() },
        ];
        for p in bad {
            assert!(matches!(p.render(), Err(RenderError::Invalid { .. })), "{p:?}");
        }
        assert!(base.render().is_ok());
    }

    #[test]
    fn token_matches_nginx_secure_link_md5() {
        // echo -n '1700000000cam-1 s3cret' | openssl md5 -binary | base64 | tr '+/' '-_' | tr -d '='
        assert_eq!(hls_token("s3cret", "cam-1", 1_700_000_000), "KZuPAUPLMn0e-6i057-lHg");
        assert_ne!(hls_token("s3cret", "cam-2", 1_700_000_000), hls_token("s3cret", "cam-1", 1_700_000_000));
        assert_eq!(
            sign_hls_path("s3cret", "cam-1", 1_700_000_000),
            "/hls/KZuPAUPLMn0e-6i057-lHg/1700000000/cam-1/"
        );
        assert_eq!(
            hls_url("http://h:8088/", "s3cret", "cam-1", "360p/index.m3u8", 1_700_000_000),
            "http://h:8088/hls/KZuPAUPLMn0e-6i057-lHg/1700000000/cam-1/360p/index.m3u8"
        );
    }

    /// The rendered config passes `nginx -t` with TLS off and on (needs nginx, the rtmp and
    /// stream modules, and openssl for a throwaway certificate; run with `--include-ignored`, as
    /// scripts/test.sh does).
    #[test]
    #[ignore = "needs nginx"]
    fn nginx_accepts_the_rendered_config() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        let made = std::process::Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .expect("openssl runs");
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
        let tls = NginxTls {
            cert,
            key,
            https_port: 8443,
            rtmps_port: 1937,
            rtmps_internal_port: 1938,
            only: false,
            stream_module: find_stream_module().expect("libnginx-mod-stream installed"),
        };
        for tls in [None, Some(tls)] {
            let mut p = params(dir.path());
            p.rtmp_module = find_rtmp_module().expect("libnginx-mod-rtmp installed");
            p.tls = tls;
            for d in [&p.run_dir, &p.record_dir, &p.hls_dir] {
                std::fs::create_dir_all(d).expect("mkdir");
            }
            let conf = p.run_dir.join("nginx.conf");
            std::fs::write(&conf, p.render().expect("renders")).expect("write");
            let nginx =
                ["/usr/sbin/nginx", "nginx"].into_iter().find(|n| Path::new(n).exists()).unwrap_or("nginx");
            let out = std::process::Command::new(nginx)
                .arg("-t")
                .arg("-p")
                .arg(&p.run_dir)
                .arg("-c")
                .arg(&conf)
                .output()
                .expect("nginx runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success() && stderr.contains("test is successful"), "{stderr}");
        }
    }
}
