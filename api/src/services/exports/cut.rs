//! The cut of an export as plain data: which part of which chunk goes into the clip (an FFmpeg
//! concat demuxer list with `inpoint`/`outpoint`), FFmpeg's arguments, and progress/ETA from
//! FFmpeg's `-progress` position. Self-contained: std and chrono.

use std::time::Duration;

use chrono::NaiveDateTime;

/// One chunk of the range: where its file is and the wall-clock span it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub path: String,
    pub started_at: NaiveDateTime,
    pub ended_at: NaiveDateTime,
}

/// A line group of the concat list: the file, and the offsets (seconds into it) to cut at.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub path: String,
    pub inpoint: Option<f64>,
    pub outpoint: Option<f64>,
    /// Seconds of footage it contributes.
    pub secs: f64,
}

fn secs(d: chrono::TimeDelta) -> f64 {
    d.num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6
}

/// The pieces of `chunks` (in time order) covering `[from, to)`. The first piece starts at the
/// offset of `from` in its chunk (stream copy then starts on the keyframe at or before it), the
/// last ends at the offset of `to`; chunks wholly inside are taken whole, except that a chunk
/// overlapped by the next (a rotation records the same GOP or so into both files) ends where
/// the next begins, so no moment is in the clip twice.
pub fn pieces(chunks: &[Chunk], from: NaiveDateTime, to: NaiveDateTime) -> Vec<Piece> {
    let inside: Vec<&Chunk> = chunks.iter().filter(|c| c.ended_at > from && c.started_at < to).collect();
    inside
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let handover = inside.get(i + 1).map(|n| n.started_at).filter(|s| *s < c.ended_at);
            let end = to.min(handover.unwrap_or(c.ended_at));
            Piece {
                path: c.path.clone(),
                inpoint: (from > c.started_at).then(|| secs(from - c.started_at)),
                outpoint: (end < c.ended_at).then(|| secs(end - c.started_at)),
                secs: secs(end - from.max(c.started_at)),
            }
        })
        .collect()
}

/// Seconds of footage the pieces hold (what the clip's duration should be).
pub fn expected_secs(pieces: &[Piece]) -> f64 {
    pieces.iter().map(|p| p.secs).sum()
}

/// A path as a concat-list string: single-quoted, each `'` closed, escaped and reopened.
fn quoted(path: &str) -> String {
    format!("'{}'", path.replace('\'', r"'\''"))
}

/// The concat demuxer script (`ffconcat version 1.0`).
pub fn concat_list(pieces: &[Piece]) -> String {
    let mut out = String::from("ffconcat version 1.0\n");
    for p in pieces {
        out.push_str(&format!("file {}\n", quoted(&p.path)));
        if let Some(i) = p.inpoint {
            out.push_str(&format!("inpoint {i:.6}\n"));
        }
        if let Some(o) = p.outpoint {
            out.push_str(&format!("outpoint {o:.6}\n"));
        }
    }
    out
}

/// FFmpeg reading the list and writing one faststart MP4 by stream copy, progress on stdout.
/// `realtime` reads the input at its native rate (`-readrate 1`: tests of a running export).
pub fn ffmpeg_args(list: &str, output: &str, realtime: bool) -> Vec<String> {
    let mut args: Vec<String> =
        ["-hide_banner", "-nostdin", "-nostats", "-v", "error", "-y"].into_iter().map(String::from).collect();
    if realtime {
        args.extend(["-readrate".into(), "1".into()]);
    }
    args.extend(
        [
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            list,
            "-map",
            "0",
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            "-progress",
            "pipe:1",
            output,
        ]
        .into_iter()
        .map(String::from),
    );
    args
}

/// Percent done (0–99 while running: 100 only once the file is complete) from FFmpeg's output
/// position over the expected duration.
pub fn percent(out_time_us: i64, expected_secs: f64) -> i32 {
    if expected_secs <= 0.0 {
        return 0;
    }
    let done = out_time_us.max(0) as f64 / 1e6 / expected_secs;
    ((done * 100.0).floor() as i32).clamp(0, 99)
}

/// Seconds left at the rate so far; `None` until there is a rate to go by.
pub fn eta_secs(elapsed: Duration, out_time_us: i64, expected_secs: f64) -> Option<i32> {
    let done = out_time_us as f64 / 1e6;
    if done <= 0.0 || elapsed.is_zero() {
        return None;
    }
    let rate = done / elapsed.as_secs_f64();
    let left = (expected_secs - done).max(0.0) / rate;
    Some(left.ceil().min(i32::MAX as f64) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).expect("time").naive_utc()
    }

    fn chunk(n: i64) -> Chunk {
        Chunk { path: format!("/r/{n}.mp4"), started_at: at(n * 10), ended_at: at(n * 10 + 10) }
    }

    #[test]
    fn a_range_across_two_boundaries_cuts_the_ends_and_keeps_the_middle_whole() {
        let chunks = [chunk(0), chunk(1), chunk(2)];
        let p = pieces(&chunks, at(5), at(25));
        assert_eq!(
            p,
            vec![
                Piece { path: "/r/0.mp4".into(), inpoint: Some(5.0), outpoint: None, secs: 5.0 },
                Piece { path: "/r/1.mp4".into(), inpoint: None, outpoint: None, secs: 10.0 },
                Piece { path: "/r/2.mp4".into(), inpoint: None, outpoint: Some(5.0), secs: 5.0 },
            ]
        );
        assert!((expected_secs(&p) - 20.0).abs() < 1e-9);
        let list = concat_list(&p);
        assert!(list.contains(
            "file '/r/0.mp4'\ninpoint 5.000000\nfile '/r/1.mp4'\nfile '/r/2.mp4'\noutpoint 5.000000\n"
        ));
    }

    #[test]
    fn a_chunk_overlapped_by_the_next_ends_where_the_next_begins() {
        let overlapping = Chunk { path: "/r/1.mp4".into(), started_at: at(9), ended_at: at(20) };
        let p = pieces(&[chunk(0), overlapping], at(5), at(15));
        assert_eq!(
            p[0],
            Piece { path: "/r/0.mp4".into(), inpoint: Some(5.0), outpoint: Some(9.0), secs: 4.0 }
        );
        assert_eq!(p[1], Piece { path: "/r/1.mp4".into(), inpoint: None, outpoint: Some(6.0), secs: 6.0 });
        assert!((expected_secs(&p) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn a_range_inside_one_chunk_has_both_points_and_gaps_count_nothing() {
        let chunks = [chunk(0), chunk(3)];
        let p = pieces(&chunks, at(2), at(8));
        assert_eq!(
            p,
            vec![Piece { path: "/r/0.mp4".into(), inpoint: Some(2.0), outpoint: Some(8.0), secs: 6.0 }]
        );
        let p = pieces(&chunks, at(5), at(35));
        assert!((expected_secs(&p) - 10.0).abs() < 1e-9, "5 s of chunk 0 and 5 s of chunk 3");
    }

    #[test]
    fn quotes_in_paths_are_escaped() {
        assert_eq!(quoted("/a/it's.mp4"), r"'/a/it'\''s.mp4'");
    }

    #[test]
    fn progress_and_eta_follow_the_output_position() {
        assert_eq!(percent(5_000_000, 20.0), 25);
        assert_eq!(percent(30_000_000, 20.0), 99, "100 only when complete");
        assert_eq!(percent(-1, 20.0), 0);
        assert_eq!(eta_secs(Duration::from_secs(1), 5_000_000, 20.0), Some(3));
        assert_eq!(eta_secs(Duration::from_secs(1), 0, 20.0), None);
    }
}
