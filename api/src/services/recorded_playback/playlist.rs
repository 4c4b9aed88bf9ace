//! Which segments a range plays, and the HLS VOD playlist listing them. Pure: the recordings
//! and their segments come in, text and a summary go out.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};

use super::segments::Segment;
use crate::services::timeline::algebra::TOUCH_TOLERANCE;

/// One recording over the range, with its segments.
#[derive(Debug, Clone)]
pub struct Chunk {
    pub recording_id: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub segments: Vec<Segment>,
}

/// A segment in the playlist: its recording, number, wall-clock start and length.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub recording_id: String,
    pub n: usize,
    pub at: DateTime<Utc>,
    pub duration_ms: i64,
    /// Footage resumes here after a gap.
    pub discontinuity: bool,
}

/// Wall-clock start of a recording's media time `ms`.
pub fn wall_clock(started_at: DateTime<Utc>, ms: i64) -> DateTime<Utc> {
    started_at + TimeDelta::milliseconds(ms)
}

/// The segments overlapping `[from, to]`, oldest first (chunks sorted by start). A chunk that
/// starts more than the timeline's touch tolerance after the previous one ended follows a gap.
pub fn plan(chunks: &[Chunk], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Planned> {
    let mut out = Vec::new();
    let mut previous_end: Option<DateTime<Utc>> = None;
    for chunk in chunks {
        let mut first = true;
        for s in &chunk.segments {
            let (start, end) =
                (wall_clock(chunk.started_at, s.start_ms), wall_clock(chunk.started_at, s.end_ms));
            if start >= to || end <= from {
                continue;
            }
            let discontinuity = first && previous_end.is_some_and(|e| chunk.started_at - e > TOUCH_TOLERANCE);
            first = false;
            out.push(Planned {
                recording_id: chunk.recording_id.clone(),
                n: s.n,
                at: start,
                duration_ms: s.end_ms - s.start_ms,
                discontinuity,
            });
        }
        if !first {
            previous_end = Some(chunk.ended_at);
        }
    }
    out
}

/// Media time 0 is the first segment's start; each gap collapses to nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub start_at: DateTime<Utc>,
    pub duration_ms: i64,
    /// Each gap: wall clock where footage resumes and the media time (ms) it maps to.
    pub discontinuities: Vec<(DateTime<Utc>, i64)>,
}

pub fn summary(planned: &[Planned]) -> Option<Summary> {
    let start_at = planned.first()?.at;
    let (mut media, mut discontinuities) = (0, Vec::new());
    for p in planned {
        if p.discontinuity {
            discontinuities.push((p.at, media));
        }
        media += p.duration_ms;
    }
    Some(Summary { start_at, duration_ms: media, discontinuities })
}

fn seconds(ms: i64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// The VOD playlist. Segment URIs are relative to the playlist (`{recording}/{n}.ts?{query}`),
/// so they resolve wherever the playlist URL is made absolute.
pub fn render(planned: &[Planned], query: &str) -> String {
    let max_ms = planned.iter().map(|p| p.duration_ms).max().unwrap_or(0);
    let target = (max_ms + 999) / 1000;
    let mut m3u8 = format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{target}\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MEDIA-SEQUENCE:0\n"
    );
    for p in planned {
        if p.discontinuity {
            m3u8.push_str("#EXT-X-DISCONTINUITY\n");
        }
        m3u8.push_str(&format!(
            "#EXT-X-PROGRAM-DATE-TIME:{}\n#EXTINF:{},\n{}/{}.ts?{query}\n",
            p.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            seconds(p.duration_ms),
            p.recording_id,
            p.n
        ));
    }
    m3u8.push_str("#EXT-X-ENDLIST\n");
    m3u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// A recording of `secs` seconds starting at `start`, in 6 s segments.
    fn chunk(id: &str, start: &str, secs: i64) -> Chunk {
        let duration_ms = secs * 1000;
        let segments = (0..)
            .map(|n| n * 6000)
            .take_while(|s| *s < duration_ms)
            .enumerate()
            .map(|(n, s)| Segment {
                n,
                start_ms: s,
                start_dts_ms: s - 80,
                end_ms: (s + 6000).min(duration_ms),
                cut_dts_ms: (s + 6000 < duration_ms).then_some(s + 5920),
            })
            .collect();
        let started_at = at(start);
        Chunk { recording_id: id.into(), started_at, ended_at: wall_clock(started_at, duration_ms), segments }
    }

    #[test]
    fn only_overlapping_segments_are_planned_and_a_gap_is_a_discontinuity() {
        let chunks = [
            chunk("a", "2026-12-01T10:00:00Z", 12),
            chunk("b", "2026-12-01T10:00:12Z", 12),
            // 1 s late: within the touch tolerance, no gap.
            chunk("c", "2026-12-01T10:00:25Z", 12),
            // 23 s late: a gap.
            chunk("d", "2026-12-01T10:01:00Z", 12),
        ];
        let planned = plan(&chunks, at("2026-12-01T10:00:07Z"), at("2026-12-01T10:01:05Z"));
        let names: Vec<String> = planned.iter().map(|p| format!("{}{}", p.recording_id, p.n)).collect();
        assert_eq!(names, ["a1", "b0", "b1", "c0", "c1", "d0"]);
        let cuts: Vec<bool> = planned.iter().map(|p| p.discontinuity).collect();
        assert_eq!(cuts, [false, false, false, false, false, true]);
        let s = summary(&planned).unwrap();
        assert_eq!(s.start_at, at("2026-12-01T10:00:06Z"));
        assert_eq!(s.duration_ms, 36_000);
        assert_eq!(s.discontinuities, [(at("2026-12-01T10:01:00Z"), 30_000)]);
        assert!(summary(&[]).is_none());
    }

    #[test]
    fn the_playlist_is_a_vod_with_a_date_on_every_segment() {
        let mut chunks = [chunk("a", "2026-12-01T10:00:00Z", 10), chunk("b", "2026-12-01T10:00:30Z", 6)];
        chunks[0].segments[1].end_ms = 10_040;
        let planned = plan(&chunks, at("2026-12-01T10:00:00Z"), at("2026-12-01T11:00:00Z"));
        let text = render(&planned, "q=1");
        assert_eq!(
            text,
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n\
             #EXT-X-MEDIA-SEQUENCE:0\n\
             #EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:00.000Z\n#EXTINF:6.000,\na/0.ts?q=1\n\
             #EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:06.000Z\n#EXTINF:4.040,\na/1.ts?q=1\n\
             #EXT-X-DISCONTINUITY\n\
             #EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:30.000Z\n#EXTINF:6.000,\nb/0.ts?q=1\n\
             #EXT-X-ENDLIST\n"
        );
    }
}
