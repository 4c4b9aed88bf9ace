//! `ARGUS_TLS_*`: nginx serves HTTPS (dashboard, API, WebSocket, HLS) and RTMPS ingest.

use std::path::{Path, PathBuf};

use super::{absolute, ConfigError, Source};

/// Certificate and ports for nginx's TLS listeners. nginx's master process reads the files
/// itself at start (as the user that runs `argus up`); Argus never copies the key.
#[derive(Clone, Debug, PartialEq)]
pub struct TlsSettings {
    /// PEM certificate (chain), `ARGUS_TLS_CERT`.
    pub cert: PathBuf,
    /// PEM private key, `ARGUS_TLS_KEY`.
    pub key: PathBuf,
    /// HTTPS: dashboard, API, WebSocket and signed HLS (`ARGUS_NGINX_HTTPS_PORT`).
    pub https_port: u16,
    /// RTMPS ingest, terminated by nginx's stream module (`ARGUS_RTMPS_PORT`).
    pub rtmps_port: u16,
    /// Loopback port where nginx-rtmp takes the decrypted RTMPS (`ARGUS_RTMPS_INTERNAL_PORT`).
    pub rtmps_internal_port: u16,
    /// `ARGUS_TLS_ONLY`: the plaintext RTMP and HTTP listeners bind loopback only.
    pub only: bool,
}

/// `None` unless both `ARGUS_TLS_CERT` and `ARGUS_TLS_KEY` are set; one without the other is
/// an error, as is `ARGUS_TLS_ONLY` without them.
pub(super) fn tls_settings(src: &Source, cwd: &Path) -> Result<Option<TlsSettings>, ConfigError> {
    let only = match src.raw("ARGUS_TLS_ONLY").as_deref().map(str::trim) {
        None | Some("0" | "false" | "no" | "off") => false,
        Some("1" | "true" | "yes" | "on") => true,
        Some(other) => {
            return Err(ConfigError::Invalid {
                var: "ARGUS_TLS_ONLY",
                message: format!("{other:?} is not a boolean (true/false)"),
            })
        }
    };
    let (cert, key) = match (src.raw("ARGUS_TLS_CERT"), src.raw("ARGUS_TLS_KEY")) {
        (Some(cert), Some(key)) => (absolute(cwd, &cert), absolute(cwd, &key)),
        (None, None) if only => {
            return Err(ConfigError::Invalid {
                var: "ARGUS_TLS_ONLY",
                message: "needs ARGUS_TLS_CERT and ARGUS_TLS_KEY".into(),
            })
        }
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(ConfigError::Invalid {
                var: "ARGUS_TLS_KEY",
                message: "ARGUS_TLS_CERT is set".into(),
            })
        }
        (None, Some(_)) => {
            return Err(ConfigError::Invalid {
                var: "ARGUS_TLS_CERT",
                message: "ARGUS_TLS_KEY is set".into(),
            })
        }
    };
    Ok(Some(TlsSettings {
        cert,
        key,
        https_port: src.parse("ARGUS_NGINX_HTTPS_PORT", 8443)?,
        rtmps_port: src.parse("ARGUS_RTMPS_PORT", 1937)?,
        rtmps_internal_port: src.parse("ARGUS_RTMPS_INTERNAL_PORT", 1938)?,
        only,
    }))
}

/// Default publish base handed to cameras: RTMPS when TLS is on.
pub(super) fn default_rtmp_url(tls: Option<&TlsSettings>) -> String {
    match tls {
        Some(t) => format!("rtmps://127.0.0.1:{}/live", t.rtmps_port),
        None => "rtmp://127.0.0.1:1935/live".to_string(),
    }
}

/// Default playback base handed to browsers: HTTPS when TLS is on.
pub(super) fn default_hls_url(tls: Option<&TlsSettings>, http_port: u16) -> String {
    match tls {
        Some(t) => format!("https://127.0.0.1:{}", t.https_port),
        None => format!("http://127.0.0.1:{http_port}"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use crate::config::Settings;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, crate::config::ConfigError> {
        let env: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_map_in(&env, std::path::Path::new("/srv/argus"))
    }

    #[test]
    fn tls_is_off_by_default_and_urls_stay_plain() {
        let s = settings(&[]).expect("valid");
        assert!(s.media.tls.is_none());
        assert_eq!(s.public_rtmp_url, "rtmp://127.0.0.1:1935/live");
        assert_eq!(s.media.public_hls_url, "http://127.0.0.1:8088");
    }

    #[test]
    fn cert_and_key_turn_tls_on_with_absolute_paths_and_secure_default_urls() {
        let s = settings(&[("ARGUS_TLS_CERT", "tls/cert.pem"), ("ARGUS_TLS_KEY", "/etc/argus/key.pem")])
            .expect("valid");
        let tls = s.media.tls.as_ref().expect("tls on");
        assert_eq!(tls.cert, std::path::Path::new("/srv/argus/tls/cert.pem"));
        assert_eq!(tls.key, std::path::Path::new("/etc/argus/key.pem"));
        assert_eq!(
            (tls.https_port, tls.rtmps_port, tls.rtmps_internal_port, tls.only),
            (8443, 1937, 1938, false)
        );
        assert_eq!(s.public_rtmp_url, "rtmps://127.0.0.1:1937/live");
        assert_eq!(s.media.public_hls_url, "https://127.0.0.1:8443");

        let s = settings(&[
            ("ARGUS_TLS_CERT", "/c.pem"),
            ("ARGUS_TLS_KEY", "/k.pem"),
            ("ARGUS_RTMPS_PORT", "2000"),
            ("ARGUS_NGINX_HTTPS_PORT", "9443"),
            ("ARGUS_TLS_ONLY", "true"),
            ("ARGUS_PUBLIC_RTMP_URL", "rtmps://cams.example.com/live"),
        ])
        .expect("valid");
        let tls = s.media.tls.as_ref().expect("tls on");
        assert_eq!((tls.https_port, tls.rtmps_port, tls.only), (9443, 2000, true));
        assert_eq!(s.public_rtmp_url, "rtmps://cams.example.com/live");
        assert_eq!(s.media.public_hls_url, "https://127.0.0.1:9443");
    }

    #[test]
    fn half_a_tls_configuration_names_the_missing_variable() {
        let err = settings(&[("ARGUS_TLS_CERT", "/c.pem")]).unwrap_err();
        assert!(err.to_string().starts_with("ARGUS_TLS_KEY:"), "{err}");
        let err = settings(&[("ARGUS_TLS_KEY", "/k.pem")]).unwrap_err();
        assert!(err.to_string().starts_with("ARGUS_TLS_CERT:"), "{err}");
        let err = settings(&[("ARGUS_TLS_ONLY", "1")]).unwrap_err();
        assert!(err.to_string().starts_with("ARGUS_TLS_ONLY:"), "{err}");
        let err = settings(&[("ARGUS_TLS_CERT", "/c"), ("ARGUS_TLS_KEY", "/k"), ("ARGUS_TLS_ONLY", "maybe")])
            .unwrap_err();
        assert!(err.to_string().starts_with("ARGUS_TLS_ONLY:"), "{err}");
    }
}
