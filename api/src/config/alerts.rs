//! When the alert sources raise and clear alerts (`ARGUS_OFFLINE_ALERT_SECS`,
//! `ARGUS_EXPECTED_WINDOW`, `ARGUS_FLAP_*`, `ARGUS_ALERT_RECOVERY_SECS`, `ARGUS_DEGRADED_*`,
//! `ARGUS_BRUTE_FORCE_*`, `ARGUS_CRASH_LOOP_*`).

use super::{ConfigError, Source};

#[derive(Clone, Debug)]
pub struct AlertSettings {
    /// An expected camera offline longer than this raises `camera.offline`.
    pub offline_alert_secs: u64,
    /// A camera is expected to stream when it was online at some point in this window.
    pub expected_window_secs: u64,
    /// This many disconnects within `flap_window_secs` raise `camera.offline` at once.
    pub flap_count: u64,
    pub flap_window_secs: u64,
    /// Online this long without a break resolves `camera.offline`.
    pub recovery_secs: u64,
    /// A quality score below this for `degraded_minutes` raises `stream.degraded`.
    pub degraded_score: f64,
    pub degraded_minutes: u64,
    /// Failed logins per address or per user within `brute_force_window_secs`.
    pub brute_force_threshold: u64,
    pub brute_force_window_secs: u64,
    /// FFmpeg restarts of one transcoder within `crash_loop_window_secs`.
    pub crash_loop_restarts: u64,
    pub crash_loop_window_secs: u64,
}

/// `90`, `90s`, `15m`, `24h` or `7d` → seconds.
fn duration_secs(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let n: u64 = number.trim().parse().map_err(|e| format!("cannot parse {text:?}: {e}"))?;
    let factor = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        other => return Err(format!("unknown unit {other:?} in {text:?} (s, m, h or d)")),
    };
    n.checked_mul(factor).ok_or_else(|| format!("{text:?} is too long"))
}

pub(super) fn alert_settings(src: &Source) -> Result<AlertSettings, ConfigError> {
    let positive = |var: &'static str, default: u64| -> Result<u64, ConfigError> {
        match src.parse(var, default)? {
            0 => Err(ConfigError::Invalid { var, message: "must be greater than 0".into() }),
            v => Ok(v),
        }
    };
    let expected_window_secs = match src.raw("ARGUS_EXPECTED_WINDOW") {
        None => 86_400,
        Some(v) => duration_secs(&v)
            .and_then(|s| if s == 0 { Err("must be greater than 0".into()) } else { Ok(s) })
            .map_err(|message| ConfigError::Invalid { var: "ARGUS_EXPECTED_WINDOW", message })?,
    };
    Ok(AlertSettings {
        offline_alert_secs: positive("ARGUS_OFFLINE_ALERT_SECS", 60)?,
        expected_window_secs,
        flap_count: positive("ARGUS_FLAP_COUNT", 5)?,
        flap_window_secs: positive("ARGUS_FLAP_WINDOW_SECS", 600)?,
        recovery_secs: src.parse("ARGUS_ALERT_RECOVERY_SECS", 30)?,
        degraded_score: src.parse("ARGUS_DEGRADED_SCORE", 50.0)?,
        degraded_minutes: positive("ARGUS_DEGRADED_MINUTES", 3)?,
        brute_force_threshold: positive("ARGUS_BRUTE_FORCE_THRESHOLD", 10)?,
        brute_force_window_secs: positive("ARGUS_BRUTE_FORCE_WINDOW_SECS", 300)?,
        crash_loop_restarts: positive("ARGUS_CRASH_LOOP_RESTARTS", 5)?,
        crash_loop_window_secs: positive("ARGUS_CRASH_LOOP_WINDOW_SECS", 600)?,
    })
}

#[cfg(test)]
mod tests {
    use std::{collections::HashMap, path::Path};

    use super::duration_secs;
    use crate::config::Settings;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, crate::config::ConfigError> {
        let env: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_map_in(&env, Path::new("/srv/argus"))
    }

    #[test]
    fn defaults_are_the_documented_ones_and_each_variable_overrides() {
        let a = settings(&[]).expect("defaults").alerts;
        assert_eq!((a.offline_alert_secs, a.expected_window_secs, a.recovery_secs), (60, 86_400, 30));
        assert_eq!((a.flap_count, a.flap_window_secs), (5, 600));
        assert_eq!((a.degraded_score, a.degraded_minutes), (50.0, 3));
        assert_eq!((a.brute_force_threshold, a.brute_force_window_secs), (10, 300));
        assert_eq!((a.crash_loop_restarts, a.crash_loop_window_secs), (5, 600));
        let a = settings(&[("ARGUS_OFFLINE_ALERT_SECS", "8"), ("ARGUS_EXPECTED_WINDOW", "7d")])
            .expect("valid")
            .alerts;
        assert_eq!((a.offline_alert_secs, a.expected_window_secs), (8, 604_800));
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in
            [("ARGUS_OFFLINE_ALERT_SECS", "0"), ("ARGUS_EXPECTED_WINDOW", "soon"), ("ARGUS_FLAP_COUNT", "-1")]
        {
            let err = settings(&[(var, value)]).expect_err(var).to_string();
            assert!(err.starts_with(var), "{err}");
        }
    }

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(duration_secs("90"), Ok(90));
        assert_eq!(duration_secs("15m"), Ok(900));
        assert_eq!(duration_secs("24h"), Ok(86_400));
        assert_eq!(duration_secs("7d"), Ok(604_800));
        assert!(duration_secs("3w").is_err());
        assert!(duration_secs("h").is_err());
    }
}
