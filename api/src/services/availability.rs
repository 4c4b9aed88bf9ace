//! A camera's health history: its connection sessions, and over the last 24 hours and 7 days
//! how much of the time it was online (uptime) and how much of its online time was recorded
//! (recording continuity). The interval arithmetic is the timeline's ([`algebra`]).

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{
    cameras,
    paging::{Page, Paging},
    timeline::algebra::{self, Span},
};
use crate::{
    auth::Principal,
    db::{self, stream_sessions::StreamSessionRow},
    error::{AppError, AppResult},
    state::AppState,
};

/// `?from=&to=` of the session list: sessions overlapping the range (either bound optional).
#[derive(Deserialize, Debug, Default, utoipa::IntoParams)]
pub struct SessionQuery {
    /// Sessions still open at or ending after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Sessions started before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

/// One connection of a camera's publisher.
#[derive(Serialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct SessionView {
    pub id: String,
    pub started_at: DateTime<Utc>,
    /// `null` while the publisher is connected.
    pub ended_at: Option<DateTime<Utc>>,
    /// `publish_done`, `reconciled` (nginx no longer had it), `superseded` (nginx restarted).
    pub end_reason: Option<String>,
    /// The ingest node whose nginx held the publisher.
    pub node: String,
    /// Bytes received from the publisher, as of the last reconciliation pass.
    pub bytes_in: Option<i64>,
    /// The publisher's address.
    pub client_addr: Option<String>,
    /// Up to now while open.
    pub duration_secs: i64,
}

impl SessionView {
    fn new(row: StreamSessionRow, now: NaiveDateTime) -> SessionView {
        SessionView {
            duration_secs: (row.ended_at.unwrap_or(now) - row.started_at).num_seconds().max(0),
            id: row.id,
            started_at: row.started_at.and_utc(),
            ended_at: row.ended_at.map(|t| t.and_utc()),
            end_reason: row.end_reason,
            node: row.node,
            bytes_in: row.bytes_in,
            client_addr: row.addr,
        }
    }
}

/// Uptime and recording continuity over one window.
#[derive(Serialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct AvailabilityWindow {
    /// `24h` or `7d`.
    pub window: String,
    /// Start of the window, or the camera's creation if later.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Time with a publish session inside the window.
    pub online_secs: i64,
    /// `online_secs` over the window's length, 0..100 (two decimals); 0 for an empty window.
    pub uptime_percent: f64,
    /// Online time that has footage.
    pub recorded_secs: i64,
    /// `recorded_secs` over `online_secs`, 0..100 (two decimals); `null` when the camera does
    /// not record or was never online in the window.
    pub recording_percent: Option<f64>,
}

#[derive(Serialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct Availability {
    pub camera_id: String,
    /// `24h` then `7d`.
    pub windows: Vec<AvailabilityWindow>,
}

/// The windows reported, longest last (its reads cover the others).
const WINDOWS: [(&str, TimeDelta); 2] = [("24h", TimeDelta::hours(24)), ("7d", TimeDelta::days(7))];

/// A camera's sessions, newest first.
pub async fn sessions(
    state: &AppState,
    principal: &Principal,
    camera_id: &str,
    q: SessionQuery,
    paging: Paging,
) -> AppResult<Page<SessionView>> {
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if to <= from {
            return Err(AppError::bad_request("`to` must be after `from`").with_details(
                serde_json::json!({ "to": [{ "code": "range", "message": "`to` must be after `from`" }] }),
            ));
        }
    }
    let camera = cameras::find_visible(state, principal, camera_id).await?;
    let req = paging.request();
    let (from, to) = (q.from.map(|t| t.naive_utc()), q.to.map(|t| t.naive_utc()));
    let (rows, total) =
        state.db.run(move |c| db::stream_sessions::page_for_camera(c, &camera.id, from, to, req)).await?;
    let now = db::now();
    Ok(Page::new(rows, total, req).map(|r| SessionView::new(r, now)))
}

/// Uptime and recording continuity of a camera over the last 24 hours and 7 days.
pub async fn availability(
    state: &AppState,
    principal: &Principal,
    camera_id: &str,
) -> AppResult<Availability> {
    let camera = cameras::find_visible(state, principal, camera_id).await?;
    let now = db::now();
    let longest = WINDOWS.iter().map(|(_, len)| *len).max().unwrap_or_default();
    let (id, from) = (camera.id.clone(), (now - longest).max(camera.created_at));
    let (sessions, recordings) = state
        .db
        .run(move |c| {
            Ok((
                db::timeline::session_spans(c, &id, from, now)?,
                db::timeline::recording_spans(c, &id, from, now)?,
            ))
        })
        .await?;
    let sessions: Vec<Span> = sessions.into_iter().map(|(a, b)| Span::new(a, b.unwrap_or(now))).collect();
    let recordings: Vec<Span> = recordings.into_iter().map(|(a, b)| Span::new(a, b)).collect();
    let windows = WINDOWS
        .iter()
        .map(|(name, len)| {
            let window = Span::new((now - *len).max(camera.created_at).min(now), now);
            let recorded = camera.recording_enabled.then_some(recordings.as_slice());
            measure(name, window, &sessions, recorded)
        })
        .collect();
    Ok(Availability { camera_id: camera.id, windows })
}

/// The figures of one window. `recordings` is `None` for a camera that does not record.
pub fn measure(
    name: &str,
    window: Span,
    sessions: &[Span],
    recordings: Option<&[Span]>,
) -> AvailabilityWindow {
    let online = algebra::covered(sessions.iter().copied(), window);
    let online_secs = algebra::total(&online).num_seconds();
    let recorded_secs = match recordings {
        Some(r) => algebra::total(&algebra::intersect(&algebra::covered(r.iter().copied(), window), &online))
            .num_seconds(),
        None => 0,
    };
    let window_secs = (window.to - window.from).num_milliseconds() as f64 / 1000.0;
    AvailabilityWindow {
        window: name.to_string(),
        from: window.from.and_utc(),
        to: window.to.and_utc(),
        online_secs,
        uptime_percent: percent(online_secs as f64, window_secs).unwrap_or(0.0),
        recorded_secs,
        recording_percent: recordings.and_then(|_| percent(recorded_secs as f64, online_secs as f64)),
    }
}

/// `part` of `whole` in percent with two decimals; `None` when `whole` is 0.
fn percent(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| ((part / whole * 100.0).min(100.0) * 100.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn t(h: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(0, 0, 0).unwrap() + TimeDelta::hours(h)
    }

    fn sp(a: i64, b: i64) -> Span {
        Span::new(t(a), t(b))
    }

    #[test]
    fn uptime_is_session_time_over_the_window_and_continuity_recorded_over_online() {
        // Online 6 h of 24 (one session straddling the window's start), 3 h of that recorded
        // (plus an hour recorded outside any session, which does not count).
        let sessions = [sp(-2, 2), sp(10, 14)];
        let recordings = [sp(0, 1), sp(11, 13), sp(20, 21)];
        let w = measure("24h", sp(0, 24), &sessions, Some(&recordings));
        assert_eq!((w.online_secs, w.recorded_secs), (6 * 3600, 3 * 3600));
        assert_eq!((w.uptime_percent, w.recording_percent), (25.0, Some(50.0)));
    }

    #[test]
    fn continuity_is_null_without_recording_or_without_online_time() {
        let w = measure("24h", sp(0, 24), &[sp(1, 2)], None);
        assert_eq!((w.recorded_secs, w.recording_percent), (0, None));
        let w = measure("24h", sp(0, 24), &[], Some(&[]));
        assert_eq!((w.uptime_percent, w.recording_percent), (0.0, None));
        // An empty window (a camera created just now).
        let w = measure("7d", sp(5, 5), &[sp(1, 8)], Some(&[]));
        assert_eq!((w.online_secs, w.uptime_percent), (0, 0.0));
    }

    #[test]
    fn percentages_have_two_decimals() {
        let w = measure("24h", sp(0, 24), &[sp(0, 8)], Some(&[sp(0, 1)]));
        assert_eq!((w.uptime_percent, w.recording_percent), (33.33, Some(12.5)));
    }
}
