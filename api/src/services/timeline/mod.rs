//! A camera's timeline: where footage exists over a range, and why the rest has none. The
//! algebra is in [`algebra`]; this reads the evidence and shapes the answer.

pub mod algebra;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use self::algebra::{Evidence, GapCause, Span};
use super::cameras;
use crate::{
    auth::Principal,
    db,
    error::{AppError, AppResult},
    state::AppState,
};

/// The longest range one request may ask for: a month of hourly chunks is ~750 rows.
pub const MAX_RANGE: TimeDelta = TimeDelta::days(31);

/// A chunk is filed a little after its interval: remux and probe take time.
const FILING_SLACK: TimeDelta = TimeDelta::minutes(2);

#[derive(Deserialize, Debug, utoipa::IntoParams)]
pub struct TimelineQuery {
    /// Start of the range (RFC 3339).
    pub from: DateTime<Utc>,
    /// End of the range (RFC 3339), after `from`, at most 31 days later.
    pub to: DateTime<Utc>,
}

#[derive(Serialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct Interval {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

#[derive(Serialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct Gap {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub cause: GapCause,
}

/// Footage over `[from, to)`: recorded intervals (chunks merged where they touch) and the gaps
/// between them with their cause. Nothing is said about the future: the part of the range after
/// now is neither an interval nor a gap.
#[derive(Serialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct Timeline {
    pub camera_id: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub intervals: Vec<Interval>,
    pub gaps: Vec<Gap>,
}

/// 400 unless `to` is after `from` and at most `max` (`limit` in words) later.
pub fn check_range(from: DateTime<Utc>, to: DateTime<Utc>, max: TimeDelta, limit: &str) -> AppResult<()> {
    let bad = |message: &str| {
        AppError::bad_request(message)
            .with_details(serde_json::json!({ "to": [{ "code": "range", "message": message }] }))
    };
    if to <= from {
        return Err(bad("`to` must be after `from`"));
    }
    if to - from > max {
        return Err(bad(&format!("the range may span at most {limit}")));
    }
    Ok(())
}

pub async fn timeline(
    state: &AppState,
    principal: &Principal,
    camera_id: &str,
    q: TimelineQuery,
) -> AppResult<Timeline> {
    check_range(q.from, q.to, MAX_RANGE, "31 days")?;
    let camera = cameras::find_visible(state, principal, camera_id).await?;
    let now = db::now();
    let window = Span::new(q.from.naive_utc(), q.to.naive_utc().min(now).max(q.from.naive_utc()));
    let id = camera.id.clone();
    let (recordings, sessions, deletions) = state
        .db
        .run(move |c| {
            Ok((
                db::timeline::recording_spans(c, &id, window.from, window.to)?,
                db::timeline::session_spans(c, &id, window.from, window.to)?,
                db::timeline::deleted_spans(c, &id, window.from, window.to)?,
            ))
        })
        .await?;
    let live_since = sessions.iter().filter(|(_, end)| end.is_none()).map(|(start, _)| *start).min();
    let chunk = TimeDelta::seconds(state.settings.media.record_interval_secs as i64) + FILING_SLACK;
    let retention = TimeDelta::days(state.settings.security.stream_session_retention_days.into());
    let evidence = Evidence {
        sessions: sessions.iter().map(|(start, end)| Span::new(*start, end.unwrap_or(now))).collect(),
        deleted: deletions.into_iter().map(|(start, end)| Span::new(start, end)).collect(),
        sessions_known_from: Some(now - retention),
        in_progress_from: live_since.filter(|_| camera.recording_enabled).map(|s| s.max(now - chunk)),
    };
    let spans = recordings.into_iter().map(|(start, end)| Span::new(start, end));
    let (intervals, gaps) = algebra::timeline(spans, window, &evidence);
    Ok(Timeline {
        camera_id: camera.id,
        from: q.from,
        to: q.to,
        intervals: intervals
            .iter()
            .map(|s| Interval { from: s.from.and_utc(), to: s.to.and_utc() })
            .collect(),
        gaps: gaps
            .iter()
            .map(|g| Gap { from: g.span.from.and_utc(), to: g.span.to.and_utc(), cause: g.cause })
            .collect(),
    })
}
