//! A recording's playback segments: runs of whole GOPs, each starting on a keyframe, chosen once
//! from the keyframe list and stored in `recordings.segment_index` as compact text.
//!
//! Encoding (`v1`): `v1 P/D P/D …`, one `P/D` per segment: the pts of its first keyframe and
//! the DTS of that keyframe, in ms of the recording's media time. A segment runs from its pts to
//! the next segment's pts (the end of the file for the last); it is cut from its own keyframe's
//! DTS to the next segment's, so every packet (video and audio) is in exactly one segment.

use std::path::Path;

use crate::dataplane::{probe::Keyframe, remux};

/// A segment is at least this long (unless the file is shorter) …
const MIN_SEGMENT_MS: i64 = 4_000;
/// … and as close to this as the keyframes allow.
const TARGET_SEGMENT_MS: i64 = 6_000;
/// A recording's last segment shorter than this (the frames after its last keyframe) joins the
/// segment before it.
const MIN_TAIL_MS: i64 = 2_000;

/// A recording's segments, each the keyframe it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentIndex {
    pub starts: Vec<Keyframe>,
}

/// Segment `n` of a recording lasting `duration_ms`: where it starts and ends (media ms), and
/// the DTS to cut at (`None`: to the end of the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub n: usize,
    pub start_ms: i64,
    /// The DTS of its first keyframe: where it is cut from.
    pub start_dts_ms: i64,
    pub end_ms: i64,
    pub cut_dts_ms: Option<i64>,
}

impl SegmentIndex {
    /// Groups keyframes (presentation order) into segments of ~6 s (never under 4 s but the last).
    pub fn group(keyframes: &[Keyframe]) -> SegmentIndex {
        let mut starts: Vec<Keyframe> = Vec::new();
        let mut candidate: Option<Keyframe> = None;
        for &k in keyframes {
            // At most twice: after a cut at the candidate before `k`, `k` is weighed from there.
            loop {
                let Some(start) = starts.last().copied() else {
                    starts.push(k);
                    break;
                };
                let len = k.pts_ms - start.pts_ms;
                if len < MIN_SEGMENT_MS {
                    break;
                }
                if len < TARGET_SEGMENT_MS {
                    candidate = Some(k);
                    break;
                }
                // Past the target: cut at the keyframe before if that is closer to it, else here.
                match candidate.take() {
                    Some(c) if TARGET_SEGMENT_MS - (c.pts_ms - start.pts_ms) < len - TARGET_SEGMENT_MS => {
                        starts.push(c)
                    }
                    _ => {
                        starts.push(k);
                        break;
                    }
                }
            }
        }
        SegmentIndex { starts }
    }

    pub fn format(&self) -> String {
        let mut s = String::from("v1");
        for k in &self.starts {
            s.push_str(&format!(" {}/{}", k.pts_ms, k.dts_ms));
        }
        s
    }

    /// `None` for text this version does not write (then the recording is indexed again).
    pub fn parse(text: &str) -> Option<SegmentIndex> {
        let mut parts = text.split_ascii_whitespace();
        if parts.next()? != "v1" {
            return None;
        }
        let starts = parts
            .map(|p| {
                let (pts, dts) = p.split_once('/')?;
                Some(Keyframe { pts_ms: pts.parse().ok()?, dts_ms: dts.parse().ok()? })
            })
            .collect::<Option<Vec<_>>>()?;
        let ordered = starts.windows(2).all(|w| w[0].pts_ms < w[1].pts_ms);
        (!starts.is_empty() && ordered).then_some(SegmentIndex { starts })
    }

    /// The segments of a recording lasting `duration_ms`, played until `until_ms` when the next
    /// recording of the camera starts before this one ends (a rotation overlaps the two files by a
    /// GOP or so; the overlap is played once, from the next file). A last segment shorter than
    /// [`MIN_TAIL_MS`] joins the one before; one ending at or before its start is dropped (a probe
    /// duration shorter than the keyframes say).
    pub fn segments(&self, duration_ms: i64, until_ms: Option<i64>) -> Vec<Segment> {
        let trimmed = until_ms.filter(|u| *u < duration_ms);
        let end_of_play = trimmed.unwrap_or(duration_ms);
        let mut out: Vec<Segment> = Vec::with_capacity(self.starts.len());
        for (n, k) in self.starts.iter().enumerate() {
            if k.pts_ms >= end_of_play {
                break;
            }
            let next = self.starts.get(n + 1).filter(|next| next.pts_ms < end_of_play);
            let (end_ms, cut_dts_ms) = match next {
                Some(next) => (next.pts_ms, Some(next.dts_ms)),
                None => (end_of_play, trimmed),
            };
            out.push(Segment { n, start_ms: k.pts_ms, start_dts_ms: k.dts_ms, end_ms, cut_dts_ms });
        }
        if let [.., before, last] = out.as_slice() {
            if last.end_ms - last.start_ms < MIN_TAIL_MS {
                let joined = Segment { end_ms: last.end_ms, cut_dts_ms: last.cut_dts_ms, ..*before };
                out.truncate(out.len() - 2);
                out.push(joined);
            }
        }
        out
    }
}

/// The segment index of a freshly remuxed file, for the ingest; `None` (logged) when ffmpeg
/// cannot read it: the first playlist that needs it indexes it again.
pub async fn index_file(path: &Path) -> Option<String> {
    match remux::keyframes(&path.to_string_lossy()).await {
        Ok(keyframes) => Some(SegmentIndex::group(&keyframes).format()),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "recording not indexed for playback");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gops(every_ms: i64, until_ms: i64) -> Vec<Keyframe> {
        (0..until_ms / every_ms)
            .map(|i| Keyframe { pts_ms: i * every_ms, dts_ms: i * every_ms - 80 })
            .collect()
    }

    fn starts(index: &SegmentIndex) -> Vec<i64> {
        index.starts.iter().map(|k| k.pts_ms).collect()
    }

    #[test]
    fn one_second_gops_make_six_second_segments() {
        let index = SegmentIndex::group(&gops(1000, 20_000));
        assert_eq!(starts(&index), [0, 6000, 12_000, 18_000]);
        let segs = index.segments(20_040, None);
        assert_eq!(segs.len(), 4);
        assert_eq!(
            segs[1],
            Segment { n: 1, start_ms: 6000, start_dts_ms: 5920, end_ms: 12_000, cut_dts_ms: Some(11_920) }
        );
        assert_eq!(
            segs[3],
            Segment { n: 3, start_ms: 18_000, start_dts_ms: 17_920, end_ms: 20_040, cut_dts_ms: None }
        );
    }

    #[test]
    fn a_short_tail_joins_the_segment_before() {
        // A 6 s chunk cut a GOP late: its last keyframe at 6.0 s is followed by 120 ms.
        let index = SegmentIndex::group(&gops(1000, 7000));
        assert_eq!(starts(&index), [0, 6000]);
        let segs = index.segments(6120, None);
        assert_eq!(segs, [Segment { n: 0, start_ms: 0, start_dts_ms: -80, end_ms: 6120, cut_dts_ms: None }]);
    }

    #[test]
    fn a_recording_overlapped_by_the_next_plays_until_the_next_starts() {
        let index = SegmentIndex::group(&gops(1000, 20_000));
        // The next file starts at 20 s of this one (which lasts 20.04 s): cut there by time.
        let segs = index.segments(20_040, Some(20_000));
        let last = Segment {
            n: 3,
            start_ms: 18_000,
            start_dts_ms: 17_920,
            end_ms: 20_000,
            cut_dts_ms: Some(20_000),
        };
        assert_eq!(segs.last(), Some(&last));
        // At 19.5 s: the 1.5 s left of the last segment joins the one before.
        let segs = index.segments(20_040, Some(19_500));
        let last = Segment {
            n: 2,
            start_ms: 12_000,
            start_dts_ms: 11_920,
            end_ms: 19_500,
            cut_dts_ms: Some(19_500),
        };
        assert_eq!(segs.last(), Some(&last));
        // Starting within a segment's first keyframes: the segments from there on go.
        let segs = index.segments(20_040, Some(12_500));
        assert_eq!(segs.len(), 2, "{segs:?}");
        assert_eq!((segs[1].end_ms, segs[1].cut_dts_ms), (12_500, Some(12_500)));
        // An `until` at or after the end changes nothing.
        assert_eq!(index.segments(20_040, Some(25_000)), index.segments(20_040, None));
    }

    #[test]
    fn segments_take_the_keyframe_closest_to_six_seconds_but_never_under_four() {
        // GOPs of 2.5 s: 5 s is closer to 6 s than 7.5 s.
        assert_eq!(starts(&SegmentIndex::group(&gops(2500, 20_000))), [0, 5000, 10_000, 15_000]);
        // GOPs of 3.5 s: 3.5 s is too short, 7 s is the first allowed.
        assert_eq!(starts(&SegmentIndex::group(&gops(3500, 21_000))), [0, 7000, 14_000]);
        // GOPs longer than the target: every keyframe.
        assert_eq!(starts(&SegmentIndex::group(&gops(10_000, 30_000))), [0, 10_000, 20_000]);
        // Irregular keyframes: 4.2 s is closer to the target than 8.9 s; then 4.9 s (9.1) is,
        // then 5.9 s (15), and 21 is weighed again from 15.
        let odd = [0, 4200, 8900, 9100, 15_000, 21_000].map(|p| Keyframe { pts_ms: p, dts_ms: p });
        assert_eq!(starts(&SegmentIndex::group(&odd)), [0, 4200, 9100, 15_000, 21_000]);
    }

    #[test]
    fn index_text_round_trips_and_rejects_what_it_did_not_write() {
        let index = SegmentIndex::group(&gops(1000, 13_000));
        let text = index.format();
        assert_eq!(text, "v1 0/-80 6000/5920 12000/11920");
        assert_eq!(SegmentIndex::parse(&text), Some(index));
        for bad in ["", "v1", "v2 0/0", "v1 0/0 x/1", "v1 0-0", "v1 6000/5920 0/-80"] {
            assert_eq!(SegmentIndex::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_duration_shorter_than_the_keyframes_drops_the_empty_tail() {
        let index = SegmentIndex::parse("v1 0/0 6000/6000").unwrap();
        let segs = index.segments(5000, None);
        assert_eq!(segs.len(), 1);
        assert_eq!((segs[0].end_ms, segs[0].cut_dts_ms), (5000, None), "it plays to the end of the file");
    }
}
