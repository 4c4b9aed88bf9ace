//! Renders `nginx/nginx.conf.tmpl`: `{{name}}` placeholders, every one of which must be filled
//! (an unknown or missing one is an error, never an empty string in a live config).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use crate::config::Settings;

pub const TEMPLATE: &str = include_str!("../../../nginx/nginx.conf.tmpl");

/// Where Debian's libnginx-mod-rtmp puts the module.
pub const RTMP_MODULE_CANDIDATES: &[&str] =
    &["/usr/lib/nginx/modules/ngx_rtmp_module.so", "/usr/share/nginx/modules/ngx_rtmp_module.so"];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RenderError {
    #[error("template uses {{{{{0}}}}} but no value was given")]
    Missing(String),
    #[error("unterminated placeholder near byte {0}")]
    Unterminated(usize),
}

pub fn render(template: &str, values: &BTreeMap<&str, String>) -> Result<String, RenderError> {
    let mut out = String::with_capacity(template.len() + 512);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(RenderError::Unterminated(template.len() - rest.len() + start))?;
        let name = after[..end].trim();
        let value = values.get(name).ok_or_else(|| RenderError::Missing(name.to_string()))?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

pub fn find_rtmp_module() -> Option<PathBuf> {
    RTMP_MODULE_CANDIDATES.iter().map(PathBuf::from).find(|p| p.exists())
}

/// Everything the template needs, from the settings and the secrets.
pub struct NginxParams<'a> {
    pub settings: &'a Settings,
    pub hook_secret: &'a str,
    pub playback_secret: &'a str,
    pub run_dir: &'a Path,
    pub argus_bin: &'a Path,
    pub rtmp_module: &'a Path,
    pub run_as_root: bool,
}

fn absolute(p: &Path) -> String {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()).display().to_string()
}

impl NginxParams<'_> {
    pub fn values(&self) -> BTreeMap<&'static str, String> {
        let m = &self.settings.media;
        // nginx workers run as `nobody` unless told otherwise; as root they would then fail to
        // write recordings (EACCES) while still accepting the publisher.
        let user = if self.run_as_root { "user root;" } else { "" };
        BTreeMap::from([
            ("user_directive", user.to_string()),
            ("run_dir", absolute(self.run_dir)),
            ("rtmp_module", absolute(self.rtmp_module)),
            ("rtmp_port", m.rtmp_port.to_string()),
            ("http_port", m.nginx_http_port.to_string()),
            ("api", format!("127.0.0.1:{}", self.settings.bind.port())),
            ("hook_secret", self.hook_secret.to_string()),
            ("playback_secret", self.playback_secret.to_string()),
            ("record_dir", absolute(&m.record_dir)),
            ("hls_dir", absolute(&m.hls_dir)),
            ("record_interval", m.record_interval_secs.to_string()),
            ("update_interval", m.update_interval_secs.to_string()),
            ("argus_bin", absolute(self.argus_bin)),
        ])
    }

    pub fn render(&self) -> Result<String, RenderError> {
        render(TEMPLATE, &self.values())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_every_placeholder_and_rejects_unknown_ones() {
        let values = BTreeMap::from([("a", "1".to_string()), ("b", "two".to_string())]);
        assert_eq!(render("x {{a}} y {{ b }}", &values).unwrap(), "x 1 y two");
        assert_eq!(render("{{c}}", &values), Err(RenderError::Missing("c".into())));
        assert!(matches!(render("{{a", &values), Err(RenderError::Unterminated(_))));
    }

    #[test]
    fn shipped_template_renders_with_settings() {
        let settings = Settings::from_map(&Default::default()).expect("defaults");
        let params = NginxParams {
            settings: &settings,
            hook_secret: "hooksecret0123456789",
            playback_secret: "playsecret0123456789",
            run_dir: Path::new("/tmp/run"),
            argus_bin: Path::new("/usr/bin/argus"),
            rtmp_module: Path::new("/usr/lib/nginx/modules/ngx_rtmp_module.so"),
            run_as_root: true,
        };
        let conf = params.render().expect("renders");
        assert!(conf.contains("user root;"));
        assert!(conf
            .contains("on_publish http://127.0.0.1:8080/api/v1/streaming/auth?secret=hooksecret0123456789;"));
        assert!(conf.contains("listen 1935;") && conf.contains("listen 8088;"));
        assert!(conf.contains("secure_link_md5 \"$secure_link_expires$hls_stream playsecret0123456789\";"));
        assert!(!conf.contains("{{"));
    }
}
