//! Client addresses, operational endpoints and log retention (`ARGUS_TRUSTED_PROXIES`,
//! `ARGUS_METRICS_TOKEN`, `ARGUS_*_RETENTION_DAYS`).

use super::{ConfigError, Source};

/// Client addresses, operational endpoints and log retention.
#[derive(Clone, Debug)]
pub struct SecuritySettings {
    /// Peers whose `X-Forwarded-For` is believed (default: the bundled nginx on loopback).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Bearer token `/metrics` requires; `None` = open (it is served on the API port only).
    pub metrics_token: Option<String>,
    pub audit_retention_days: u32,
    /// Ended stream sessions older than this are pruned.
    pub stream_session_retention_days: u32,
    /// Sessions that can no longer refresh (idle-expired or revoked) are pruned after this.
    pub session_retention_days: u32,
    pub prune_interval_secs: u64,
}

pub(super) fn security_settings(src: &Source) -> Result<SecuritySettings, ConfigError> {
    let trusted_proxies = match src.raw("ARGUS_TRUSTED_PROXIES") {
        None => {
            vec!["127.0.0.1/32".parse().expect("valid literal"), "::1/128".parse().expect("valid literal")]
        }
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| ConfigError::Invalid {
                        var: "ARGUS_TRUSTED_PROXIES",
                        message: format!("{s:?} is not an address or CIDR"),
                    })
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(SecuritySettings {
        trusted_proxies,
        metrics_token: src.raw("ARGUS_METRICS_TOKEN").filter(|s| !s.is_empty()),
        audit_retention_days: src.parse("ARGUS_AUDIT_RETENTION_DAYS", 90)?,
        stream_session_retention_days: src.parse("ARGUS_STREAM_SESSION_RETENTION_DAYS", 90)?,
        session_retention_days: src.parse("ARGUS_SESSION_RETENTION_DAYS", 30)?,
        prune_interval_secs: src.parse::<u64>("ARGUS_PRUNE_INTERVAL_SECS", 3600)?.max(1),
    })
}
