//! `camera.offline`: an *expected* camera (active, and online at some point in the last
//! `ARGUS_EXPECTED_WINDOW`) that has been gone for more than `ARGUS_OFFLINE_ALERT_SECS` (offline
//! since its last session ended), or that flaps (`ARGUS_FLAP_COUNT` disconnects within
//! `ARGUS_FLAP_WINDOW_SECS`). The count is the disconnects since the episode's first one. It
//! resolves when the camera has been online without a break for `ARGUS_ALERT_RECOVERY_SECS`, or
//! is deactivated or deleted.
//!
//! [`judge`] is the rule over one camera's session history at a given `now`; [`evaluate`] runs
//! it for every camera after each stream reconciliation and in the `health` job.

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeDelta};

use super::{clear, observation_changes, write, Count, Signal, SYSTEM};
use crate::{
    config::AlertSettings,
    db::{self, alerts::AlertRow},
    domain::{AlertKind, AlertSeverity},
    error::AppResult,
    state::AppState,
};

/// One camera as the evaluator sees it.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub active: bool,
    pub name: String,
    /// (started, ended) of its sessions open now or ended within the windows.
    pub sessions: Vec<(NaiveDateTime, Option<NaiveDateTime>)>,
}

/// What to do about one camera.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Open the alert, or set its count and episode start.
    Observe {
        count: i64,
        first_seen: NaiveDateTime,
        message: String,
    },
    Resolve,
    Nothing,
}

fn secs(n: u64) -> TimeDelta {
    TimeDelta::seconds(i64::try_from(n).unwrap_or(i64::MAX / 1000))
}

fn rfc(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The rule for one camera at `now`, given its not-resolved alert if any.
pub fn judge(h: &History, alert: Option<&AlertRow>, now: NaiveDateTime, cfg: &AlertSettings) -> Verdict {
    let online_since = h.sessions.iter().filter(|s| s.1.is_none()).map(|s| s.0).min();
    let mut ends: Vec<NaiveDateTime> = h.sessions.iter().filter_map(|s| s.1).filter(|t| *t <= now).collect();
    ends.sort_unstable();
    let offline_since = ends.last().copied().filter(|_| online_since.is_none());
    let describe = |count: usize| match offline_since {
        Some(t) => format!("Camera {} offline since {} ({count} disconnects)", h.name, rfc(t)),
        None => format!("Camera {} disconnected {count} times", h.name),
    };
    if let Some(a) = alert {
        if !h.active || online_since.is_some_and(|since| now - since >= secs(cfg.recovery_secs)) {
            return Verdict::Resolve;
        }
        let count = ends.iter().filter(|t| **t >= a.first_seen).count().max(1);
        return Verdict::Observe { count: count as i64, first_seen: a.first_seen, message: describe(count) };
    }
    let expected = h.active
        && h.sessions.iter().any(|s| s.1.is_none_or(|end| now - end <= secs(cfg.expected_window_secs)));
    if !expected {
        return Verdict::Nothing;
    }
    let recent: Vec<NaiveDateTime> =
        ends.iter().copied().filter(|t| now - *t <= secs(cfg.flap_window_secs)).collect();
    let gone_long = offline_since.is_some_and(|since| now - since > secs(cfg.offline_alert_secs));
    if gone_long || recent.len() as u64 >= cfg.flap_count {
        let first_seen = recent.first().copied().or(offline_since).unwrap_or(now);
        let count = recent.len().max(1);
        return Verdict::Observe { count: count as i64, first_seen, message: describe(count) };
    }
    Verdict::Nothing
}

/// Judges every camera at `now` and applies the verdicts; returns how many alerts changed.
/// Also clears `stream.degraded` of cameras that stopped streaming.
pub async fn evaluate(state: &AppState, now: NaiveDateTime) -> AppResult<u64> {
    let cfg = state.settings.alerts.clone();
    let since = now - secs(cfg.expected_window_secs.max(cfg.flap_window_secs));
    // Only cameras with sessions in the windows or an alert can get a verdict other than
    // `Nothing`: at 10,000 cameras with 100 live, about 100 are read, not 10,000.
    let (cameras, sessions, alerts, degraded) = state
        .db
        .run(move |c| {
            let sessions = db::stream_sessions::spans_since(c, since)?;
            let alerts = db::alerts::active_of_kind(c, AlertKind::CameraOffline)?;
            let degraded = db::alerts::active_of_kind(c, AlertKind::StreamDegraded)?;
            let mut ids: Vec<String> = sessions.iter().map(|s| s.0.clone()).collect();
            ids.extend(alerts.iter().map(|a| a.subject.clone()));
            ids.sort_unstable();
            ids.dedup();
            Ok((db::cameras::activity(c, &ids)?, sessions, alerts, degraded))
        })
        .await?;
    let mut histories: HashMap<String, History> = cameras
        .into_iter()
        .map(|(id, active, name)| (id, History { active, name, sessions: vec![] }))
        .collect();
    for (camera_id, started, ended) in sessions {
        if let Some(h) = histories.get_mut(&camera_id) {
            h.sessions.push((started, ended));
        }
    }
    let alerts: HashMap<String, AlertRow> = alerts.into_iter().map(|a| (a.subject.clone(), a)).collect();
    let mut changed = 0;
    // Deleted cameras: nothing to wait for.
    for subject in alerts.keys().filter(|s| !histories.contains_key(*s)) {
        changed += u64::from(clear(state, AlertKind::CameraOffline, subject, SYSTEM).await?.is_some());
    }
    for (camera_id, h) in &histories {
        match judge(h, alerts.get(camera_id), now, &cfg) {
            Verdict::Nothing => {}
            Verdict::Resolve => {
                changed +=
                    u64::from(clear(state, AlertKind::CameraOffline, camera_id, SYSTEM).await?.is_some())
            }
            Verdict::Observe { count, first_seen, message } => {
                let signal = Signal {
                    kind: AlertKind::CameraOffline,
                    severity: AlertSeverity::Critical,
                    camera_id: Some(camera_id.clone()),
                    subject: camera_id.clone(),
                    message,
                };
                // A camera that stays gone is judged every 10 s: no transaction when nothing moved.
                if alerts.get(camera_id).is_some_and(|a| !observation_changes(a, &signal, count, first_seen))
                {
                    continue;
                }
                let (_, outcome) = write(state, signal, Count::Observed(count, first_seen), now).await?;
                changed += u64::from(outcome != super::Outcome::Unchanged);
            }
        }
    }
    for alert in degraded {
        let streaming =
            histories.get(&alert.subject).is_some_and(|h| h.sessions.iter().any(|s| s.1.is_none()));
        if !streaming {
            state.alert_memory.forget_quality(&alert.subject);
            changed +=
                u64::from(clear(state, AlertKind::StreamDegraded, &alert.subject, SYSTEM).await?.is_some());
        }
    }
    Ok(changed)
}

#[cfg(test)]
#[path = "offline_tests.rs"]
mod tests;
