//! The TLS parts of nginx.conf (`ARGUS_TLS_CERT` / `ARGUS_TLS_KEY`): an HTTPS listener on the
//! one HTTP server (same locations as plain HTTP) and RTMPS ingest through nginx's stream
//! module. With TLS off each placeholder renders as a comment, so the template has no branches.

use std::{collections::BTreeMap, path::PathBuf};

use super::{path, render_values, RenderError};

/// Where Debian's libnginx-mod-stream puts the module.
pub const STREAM_MODULE_CANDIDATES: &[&str] =
    &["/usr/lib/nginx/modules/ngx_stream_module.so", "/usr/share/nginx/modules/ngx_stream_module.so"];

pub fn find_stream_module() -> Option<PathBuf> {
    STREAM_MODULE_CANDIDATES.iter().map(PathBuf::from).find(|p| p.exists())
}

#[derive(Debug, Clone, PartialEq)]
pub struct NginxTls {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub https_port: u16,
    pub rtmps_port: u16,
    /// Loopback port of nginx-rtmp's PROXY protocol listener, where the stream module sends
    /// the decrypted RTMPS.
    pub rtmps_internal_port: u16,
    /// Plaintext RTMP and HTTP listen on loopback only (the hooks and transcoders use them).
    pub only: bool,
    pub stream_module: PathBuf,
}

// The stream module terminates TLS and hands plain RTMP to the public RTMP server's loopback
// listener, prefixed with a PROXY protocol header: nginx-rtmp then sees each publisher's own
// address (its allow/deny rules, the hooks' `addr`). Without it every RTMPS client would look
// like 127.0.0.1 and pass `allow play 127.0.0.1` (checked: with it, a play from another
// address is refused, "access forbidden by rule"). Not a unix socket: nginx-rtmp marks
// unix-socket sessions as its own auto-push relays and runs no hook for them.
const STREAM_SERVER: &str = "stream {
    server {
        listen {{rtmps_port}} ssl;
        ssl_certificate {{tls_cert}};
        ssl_certificate_key {{tls_key}};
        ssl_protocols TLSv1.2 TLSv1.3;
        proxy_pass 127.0.0.1:{{rtmps_internal_port}};
        proxy_protocol on;
    }
}";

const RTMPS_UPSTREAM: &str = "listen 127.0.0.1:{{rtmps_internal_port}} proxy_protocol;";

// Same server, same locations: `$scheme` tells Argus which listener a request came in on.
const HTTPS_LISTEN: &str = "listen {{https_port}} ssl;
        ssl_certificate {{tls_cert}};
        ssl_certificate_key {{tls_key}};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:argus_tls:1m;";

/// Template values: `stream_module`, `rtmp_listen`, `rtmps_upstream`, `stream_server`,
/// `http_listen`, `https_listen`.
pub(super) fn values(
    tls: Option<&NginxTls>,
    rtmp_port: u16,
    http_port: u16,
) -> Result<BTreeMap<&'static str, String>, RenderError> {
    let Some(tls) = tls else {
        let off = "# TLS off (ARGUS_TLS_CERT / ARGUS_TLS_KEY not set)";
        return Ok(BTreeMap::from([
            ("stream_module", off.to_string()),
            ("rtmp_listen", rtmp_port.to_string()),
            ("rtmps_upstream", off.to_string()),
            ("stream_server", off.to_string()),
            ("http_listen", http_port.to_string()),
            ("https_listen", off.to_string()),
        ]));
    };
    let snippet_values = BTreeMap::from([
        ("tls_cert", path("tls_cert", &tls.cert)?),
        ("tls_key", path("tls_key", &tls.key)?),
        ("https_port", tls.https_port.to_string()),
        ("rtmps_port", tls.rtmps_port.to_string()),
        ("rtmps_internal_port", tls.rtmps_internal_port.to_string()),
    ]);
    let snippet = |text: &str| render_values(text, &snippet_values);
    let plain = |port: u16| if tls.only { format!("127.0.0.1:{port}") } else { port.to_string() };
    Ok(BTreeMap::from([
        ("stream_module", format!("load_module {};", path("stream_module", &tls.stream_module)?)),
        ("rtmp_listen", plain(rtmp_port)),
        ("rtmps_upstream", snippet(RTMPS_UPSTREAM)?),
        ("stream_server", snippet(STREAM_SERVER)?),
        ("http_listen", plain(http_port)),
        ("https_listen", snippet(HTTPS_LISTEN)?),
    ]))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::dataplane::nginx_conf::{tests::params, NginxParams};

    fn tls(only: bool) -> NginxTls {
        NginxTls {
            cert: "/etc/argus/cert.pem".into(),
            key: "/etc/argus/key.pem".into(),
            https_port: 8443,
            rtmps_port: 1937,
            rtmps_internal_port: 1938,
            only,
            stream_module: STREAM_MODULE_CANDIDATES[0].into(),
        }
    }

    #[test]
    fn tls_off_renders_no_stream_module_and_no_ssl() {
        let conf = params(Path::new("/srv/argus")).render().unwrap();
        assert!(!conf.contains("ngx_stream_module") && !conf.contains("stream {"));
        assert!(!conf.contains(" ssl") && !conf.contains("proxy_protocol"));
        assert!(conf.contains("listen 1935;") && conf.contains("listen 8088;"));
    }

    #[test]
    fn tls_on_adds_https_and_rtmps_beside_the_plain_listeners() {
        let p = NginxParams { tls: Some(tls(false)), ..params(Path::new("/srv/argus")) };
        let conf = p.render().unwrap();
        let module = format!("load_module {};", STREAM_MODULE_CANDIDATES[0]);
        assert!(conf.contains(&module), "{conf}");
        assert!(conf.contains("listen 1935;") && conf.contains("listen 8088;"));
        assert!(conf.contains("listen 8443 ssl;") && conf.contains("listen 1937 ssl;"));
        assert_eq!(conf.matches("ssl_certificate /etc/argus/cert.pem;").count(), 2);
        assert_eq!(conf.matches("ssl_certificate_key /etc/argus/key.pem;").count(), 2);
        // TCP on loopback (a unix socket would skip the hooks), with the client's address.
        assert!(conf.contains("listen 127.0.0.1:1938 proxy_protocol;"));
        assert!(conf.contains("proxy_pass 127.0.0.1:1938;\n        proxy_protocol on;"));
        assert!(!conf.contains("unix:"));
        // One HTTP server: the HTTPS listener shares every location with plain HTTP.
        assert_eq!(conf.matches("\n    server {").count(), 4, "rtmp public + internal, stream, http");
        assert_eq!(conf.matches("location / {").count(), 1);
    }

    #[test]
    fn tls_only_keeps_the_plain_listeners_on_loopback() {
        let p = NginxParams { tls: Some(tls(true)), ..params(Path::new("/srv/argus")) };
        let conf = p.render().unwrap();
        assert!(conf.contains("listen 127.0.0.1:1935;") && conf.contains("listen 127.0.0.1:8088;"));
        assert!(!conf.contains("listen 1935;") && !conf.contains("listen 8088;"));
        assert!(conf.contains("listen 8443 ssl;") && conf.contains("listen 1937 ssl;"));
    }

    #[test]
    fn tls_ports_must_not_clash_and_paths_must_be_safe() {
        let base = params(Path::new("/srv/argus"));
        let bad = [
            NginxTls { rtmps_port: 1936, ..tls(false) },
            NginxTls { https_port: 8088, ..tls(false) },
            NginxTls { https_port: 1937, ..tls(false) },
            NginxTls { rtmps_internal_port: 1935, ..tls(false) },
            NginxTls { key: "/etc/my key.pem".into(), ..tls(false) },
        ];
        for t in bad {
            let p = NginxParams { tls: Some(t), ..base.clone() };
            assert!(matches!(p.render(), Err(RenderError::Invalid { .. })), "{p:?}");
        }
    }
}
