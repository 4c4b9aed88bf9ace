//! Alert channel delivery: SMTP for e-mail channels (`ARGUS_SMTP_*`), webhook/e-mail retry
//! back-off (`ARGUS_ALERT_RETRY_BASE_SECS`) and when a failing channel is disabled
//! (`ARGUS_CHANNEL_DISABLE_AFTER_HOURS`).

use super::{ConfigError, Source};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain SMTP (a local relay).
    None,
    /// Plain connection upgraded with STARTTLS (submission, port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Clone, Debug)]
pub struct ChannelSettings {
    /// `None` = e-mail channels cannot deliver (each attempt fails and is retried).
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    pub smtp_security: SmtpSecurity,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_from: String,
    /// First retry delay; attempt n waits base·2^(n-1), capped at an hour, with jitter.
    pub retry_base_secs: u64,
    /// A channel failing for this long is disabled (and `job.failed` raised).
    pub disable_after_hours: u64,
}

pub(super) fn channel_settings(src: &Source) -> Result<ChannelSettings, ConfigError> {
    let smtp_security = match src.raw("ARGUS_SMTP_SECURITY").as_deref() {
        None | Some("starttls") => SmtpSecurity::StartTls,
        Some("none") => SmtpSecurity::None,
        Some("tls") => SmtpSecurity::Tls,
        Some(other) => {
            return Err(ConfigError::Invalid {
                var: "ARGUS_SMTP_SECURITY",
                message: format!("{other:?} is not one of none, starttls, tls"),
            })
        }
    };
    let retry_base_secs = src.parse::<u64>("ARGUS_ALERT_RETRY_BASE_SECS", 10)?;
    if retry_base_secs == 0 {
        return Err(ConfigError::Invalid {
            var: "ARGUS_ALERT_RETRY_BASE_SECS",
            message: "must be greater than 0".into(),
        });
    }
    Ok(ChannelSettings {
        smtp_host: src.raw("ARGUS_SMTP_HOST"),
        smtp_port: src.parse("ARGUS_SMTP_PORT", 587)?,
        smtp_security,
        smtp_username: src.raw("ARGUS_SMTP_USERNAME"),
        smtp_password: src.raw("ARGUS_SMTP_PASSWORD"),
        smtp_from: src.raw("ARGUS_SMTP_FROM").unwrap_or_else(|| "argus@localhost".into()),
        retry_base_secs,
        disable_after_hours: src.parse::<u64>("ARGUS_CHANNEL_DISABLE_AFTER_HOURS", 24)?.max(1),
    })
}

#[cfg(test)]
mod tests {
    use std::{collections::HashMap, path::Path};

    use super::*;
    use crate::config::Settings;

    fn settings(pairs: &[(&str, &str)]) -> Result<ChannelSettings, crate::config::ConfigError> {
        let env: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_map_in(&env, Path::new("/srv")).map(|s| s.channels)
    }

    #[test]
    fn defaults_are_submission_with_starttls_and_a_day_before_disabling() {
        let c = settings(&[]).expect("defaults are valid");
        assert_eq!((c.smtp_host, c.smtp_port, c.smtp_security), (None, 587, SmtpSecurity::StartTls));
        assert_eq!((c.retry_base_secs, c.disable_after_hours), (10, 24));
    }

    #[test]
    fn bad_values_name_their_variable() {
        let err = settings(&[("ARGUS_SMTP_SECURITY", "ssl")]).unwrap_err();
        assert!(err.to_string().starts_with("ARGUS_SMTP_SECURITY:"), "{err}");
        let err = settings(&[("ARGUS_ALERT_RETRY_BASE_SECS", "0")]).unwrap_err();
        assert!(err.to_string().starts_with("ARGUS_ALERT_RETRY_BASE_SECS:"), "{err}");
        let c = settings(&[("ARGUS_SMTP_SECURITY", "tls"), ("ARGUS_SMTP_PORT", "465")]).expect("valid");
        assert_eq!((c.smtp_security, c.smtp_port), (SmtpSecurity::Tls, 465));
    }
}
