//! Recorded playback: a camera's footage over a range as one HLS VOD playlist across chunk
//! boundaries. Recordings stay faststart MP4s; each playlist segment is cut from one on request
//! (MPEG-TS, stream copy) between two of its keyframes, listed in `recordings.segment_index`
//! ([`segments`]) when the chunk is filed, or the first time a playlist needs a chunk filed
//! before that. The playlist and its segments are signed links, like a recording's.

pub mod playlist;
pub mod segments;

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};

use self::{
    playlist::{Chunk, Planned},
    segments::SegmentIndex,
};
use super::{
    audit::{self, Change},
    cameras, signed_links,
    storage::reading::Readable,
    timeline,
};
use crate::{
    auth::{Principal, RequestMeta},
    dataplane::{probe, remux},
    db::{self, recordings::RecordingRow},
    domain::AuditAction,
    error::{AppError, AppResult, ErrorCode},
    state::AppState,
};

/// The longest range one playlist covers.
pub const MAX_RANGE: TimeDelta = TimeDelta::hours(24);
/// Segment timestamps count from this long before `from`: the first segment may start before
/// `from` (on its keyframe), and its timestamps must not be negative.
const TS_BASE: TimeDelta = TimeDelta::seconds(10);
/// How long a presigned URL handed to ffmpeg for one cut or index stays valid.
const PRESIGN_TTL: std::time::Duration = std::time::Duration::from_secs(600);

#[derive(Deserialize, Debug, utoipa::IntoParams)]
pub struct RangeQuery {
    /// Start of the range (RFC 3339).
    pub from: DateTime<Utc>,
    /// End of the range (RFC 3339), after `from`, at most 24 hours later.
    pub to: DateTime<Utc>,
}

/// `?from&to&expires&sig` of a signed recorded-playback link.
#[derive(Deserialize, Debug, utoipa::IntoParams)]
pub struct SignedRangeQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Unix seconds until which the link works.
    pub expires: Option<i64>,
    /// Signature from `GET /cameras/{id}/playback/recorded`.
    pub sig: Option<String>,
}

#[derive(Serialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct Discontinuity {
    /// Wall clock where footage resumes after a gap.
    pub at: DateTime<Utc>,
    /// The media time it plays at.
    pub media_secs: f64,
}

#[derive(Serialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct RecordedPlayback {
    /// Signed HLS VOD playlist (relative URL; no headers needed).
    pub url: String,
    pub expires_at: DateTime<Utc>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Wall clock of media time 0: the first segment's start, at or before `from`.
    pub start_at: DateTime<Utc>,
    /// Media duration of the playlist (gaps collapsed).
    pub duration_secs: f64,
    pub segments: u64,
    pub discontinuities: Vec<Discontinuity>,
}

fn check_range(from: DateTime<Utc>, to: DateTime<Utc>) -> AppResult<()> {
    timeline::check_range(from, to, MAX_RANGE, "24 hours")
}

fn message(camera_id: &str, from: DateTime<Utc>, to: DateTime<Utc>, expires: i64) -> String {
    format!("recorded:{camera_id}:{}:{}:{expires}", from.timestamp_millis(), to.timestamp_millis())
}

fn link_query(from: DateTime<Utc>, to: DateTime<Utc>, expires: i64, sig: &str) -> String {
    let t = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    format!("from={}&to={}&expires={expires}&sig={sig}", t(from), t(to))
}

fn no_footage(from: DateTime<Utc>, to: DateTime<Utc>) -> AppError {
    AppError::new(ErrorCode::NoFootage, format!("no recorded footage between {from} and {to}"))
}

/// A signed playlist URL for the camera's footage over `[from, to]`; audited.
pub async fn issue(
    state: &AppState,
    principal: &Principal,
    camera_id: &str,
    q: RangeQuery,
    meta: &RequestMeta,
) -> AppResult<RecordedPlayback> {
    check_range(q.from, q.to)?;
    let camera = cameras::find_visible(state, principal, camera_id).await?;
    let planned = plan(state, &camera.id, q.from, q.to).await?;
    let summary = playlist::summary(&planned).ok_or_else(|| no_footage(q.from, q.to))?;
    let expires_at = Utc::now() + TimeDelta::seconds(state.settings.media.playback_ttl_secs);
    let expires = expires_at.timestamp();
    let sig = signed_links::sign(&state.media.playback_secret, &message(&camera.id, q.from, q.to, expires))?;
    let change = Change::new(AuditAction::CameraRecordedPlaybackIssued)
        .on("camera", &camera.id)
        .after(serde_json::json!({ "from": q.from, "to": q.to, "expires_at": expires_at }));
    audit::record(state, &principal.into(), meta, change).await?;
    let secs = |ms: i64| ms as f64 / 1000.0;
    Ok(RecordedPlayback {
        url: format!(
            "/api/v1/playback/recorded/{}/index.m3u8?{}",
            camera.id,
            link_query(q.from, q.to, expires, &sig)
        ),
        expires_at,
        from: q.from,
        to: q.to,
        start_at: summary.start_at,
        duration_secs: secs(summary.duration_ms),
        segments: planned.len() as u64,
        discontinuities: summary
            .discontinuities
            .iter()
            .map(|(at, media_ms)| Discontinuity { at: *at, media_secs: secs(*media_ms) })
            .collect(),
    })
}

/// 403 unless `q` is a valid, unexpired link to this camera's range.
fn verify(state: &AppState, camera_id: &str, q: &SignedRangeQuery) -> AppResult<()> {
    let (from, to) = (q.from, q.to);
    let signed = |e| message(camera_id, from, to, e);
    if !signed_links::verify(&state.media.playback_secret, q.expires, q.sig.as_deref(), signed)? {
        return Err(AppError::forbidden("playback link is invalid or expired"));
    }
    Ok(())
}

/// The playlist a signed link opens.
pub async fn playlist(state: &AppState, camera_id: &str, q: &SignedRangeQuery) -> AppResult<String> {
    verify(state, camera_id, q)?;
    check_range(q.from, q.to)?;
    let planned = plan(state, camera_id, q.from, q.to).await?;
    if planned.is_empty() {
        return Err(no_footage(q.from, q.to));
    }
    let query = link_query(q.from, q.to, q.expires.unwrap_or_default(), q.sig.as_deref().unwrap_or_default());
    Ok(playlist::render(&planned, &query))
}

/// Segment `n` of a recording as MPEG-TS, streamed from ffmpeg as it cuts. 404 unless the
/// recording is the camera's, overlaps the signed range and has that segment.
pub async fn segment(
    state: &AppState,
    camera_id: &str,
    recording_id: &str,
    n: usize,
    q: &SignedRangeQuery,
) -> AppResult<BoxStream<'static, std::io::Result<Bytes>>> {
    verify(state, camera_id, q)?;
    let not_found = || AppError::not_found("segment not found");
    let id = recording_id.to_string();
    let cam = camera_id.to_string();
    let (row, stored, next_start) = state
        .db
        .run(move |c| {
            let row = db::recordings::find(c, &id)?.filter(|r| r.camera_id == cam);
            let next_start = match &row {
                Some(r) => db::recordings::next_start(c, &cam, r.started_at)?,
                None => None,
            };
            Ok((row, db::recordings::segment_index(c, &id)?, next_start))
        })
        .await?;
    let row = row.ok_or_else(not_found)?;
    let started = row.started_at.and_utc();
    if started > q.to || row.ended_at.and_utc() < q.from {
        return Err(not_found());
    }
    let index = index_of(state, &row, stored).await?;
    let seg = index
        .segments(row.duration_ms, until_ms(&row, next_start))
        .into_iter()
        .find(|s| s.n == n)
        .ok_or_else(not_found)?;
    let wall = playlist::wall_clock(started, seg.start_ms);
    if wall >= q.to || playlist::wall_clock(started, seg.end_ms) <= q.from {
        return Err(not_found());
    }
    // The cut starts at the keyframe's DTS, which becomes output time `offset`.
    let cut_from = playlist::wall_clock(started, seg.start_dts_ms);
    let offset_ms = (cut_from - (q.from - TS_BASE)).num_milliseconds().max(0);
    let input = input_of(state, &row.id).await?;
    let args = probe::segment_cut_args(
        &input,
        seg.start_dts_ms as f64 / 1000.0,
        seg.cut_dts_ms.map(|d| d as f64 / 1000.0),
        offset_ms as f64 / 1000.0,
    );
    remux::stream_cut(&args).await.map_err(|e| AppError::internal(format!("segment cut: {e}")))
}

/// The segments of the camera's recordings over the range, in playlist order. A recording
/// whose file cannot be indexed is left out (it plays as a gap) rather than failing the rest.
async fn plan(
    state: &AppState,
    camera_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Vec<Planned>> {
    let (cam, f, t) = (camera_id.to_string(), from.naive_utc(), to.naive_utc());
    let (rows, after_last) = state
        .db
        .run(move |c| {
            let rows = db::recordings::overlapping(c, &cam, f, t)?;
            let after_last = match rows.last() {
                Some((last, _)) => db::recordings::next_start(c, &cam, last.started_at)?,
                None => None,
            };
            Ok((rows, after_last))
        })
        .await?;
    let next_starts: Vec<_> =
        rows.iter().skip(1).map(|(r, _)| Some(r.started_at)).chain(std::iter::once(after_last)).collect();
    let mut chunks = Vec::with_capacity(rows.len());
    for ((row, stored), next_start) in rows.into_iter().zip(next_starts) {
        match index_of(state, &row, stored).await {
            Ok(index) => chunks.push(Chunk {
                segments: index.segments(row.duration_ms, until_ms(&row, next_start)),
                recording_id: row.id,
                started_at: row.started_at.and_utc(),
                ended_at: row.ended_at.and_utc(),
            }),
            Err(e) => {
                tracing::warn!(recording = %row.id, error = %e, "recording left out of a playlist: not indexable")
            }
        }
    }
    Ok(playlist::plan(&chunks, from, to))
}

/// Where (media ms) a recording hands over to the next one of its camera, if that starts
/// before this one ends.
fn until_ms(row: &RecordingRow, next_start: Option<chrono::NaiveDateTime>) -> Option<i64> {
    next_start.filter(|n| *n < row.ended_at).map(|n| (n - row.started_at).num_milliseconds())
}

/// The recording's segment index: the stored one, or (filed before indexing existed) read from
/// its file now and stored.
async fn index_of(state: &AppState, row: &RecordingRow, stored: Option<String>) -> AppResult<SegmentIndex> {
    if let Some(index) = stored.as_deref().and_then(SegmentIndex::parse) {
        return Ok(index);
    }
    let input = input_of(state, &row.id).await?;
    let keyframes = remux::keyframes(&input)
        .await
        .map_err(|e| AppError::unavailable(format!("indexing recording {}: {e}", row.id)))?;
    let index = SegmentIndex::group(&keyframes);
    let (id, text) = (row.id.clone(), index.format());
    state.db.run(move |c| db::recordings::set_segment_index(c, &id, &text)).await?;
    Ok(index)
}

/// What ffmpeg reads: the local file (HOT and directory tiers) or a presigned URL (a bucket).
async fn input_of(state: &AppState, recording_id: &str) -> AppResult<String> {
    match state.storage.open(recording_id).await? {
        Readable::File(path) => Ok(path.to_string_lossy().into_owned()),
        Readable::Object { store, key, .. } => store
            .presigned_get(&key, PRESIGN_TTL)
            .await?
            .ok_or_else(|| AppError::internal("storage: no presigned URL for a bucket object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_name_the_camera_and_range_and_carry_them_canonically() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let (from, to) = (at("2026-12-01T10:00:00+01:00"), at("2026-12-01T09:30:00.5Z"));
        assert_eq!(message("cam", from, to, 7), "recorded:cam:1796115600000:1796117400500:7");
        assert_eq!(
            link_query(from, to, 7, "ab"),
            "from=2026-12-01T09:00:00.000Z&to=2026-12-01T09:30:00.500Z&expires=7&sig=ab"
        );
        assert!(check_range(from, to).is_ok());
        assert!(check_range(to, from).is_err());
        assert!(check_range(from, from + TimeDelta::hours(25)).is_err());
    }
}
