//! FFmpeg `-progress` output (blocks of `key=value` lines, each ending in
//! `progress=continue|end`) and the 0–100 quality score of a live transcode derived from it.
//! Self-contained: std, `serde`, `utoipa` (the sample is part of an API body).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProgressSample {
    /// Frames written so far (the first video output's count).
    pub frame: u64,
    pub fps: f64,
    /// Total output bitrate over all outputs; 0 while FFmpeg says `N/A`.
    pub bitrate_kbps: f64,
    /// Bytes written so far (all outputs).
    #[serde(default)]
    pub total_size: u64,
    /// Output position in microseconds.
    #[serde(default)]
    pub out_time_us: i64,
    pub drop_frames: u64,
    pub dup_frames: u64,
    /// Encoding speed relative to real time (1.0 = keeping up); 0 while `N/A`.
    pub speed: f64,
    /// `progress=end`: FFmpeg is finishing.
    pub ended: bool,
}

/// Feeds lines one at a time; yields a sample at the end of each block. Unknown keys
/// (`stream_0_0_q`, `out_time`, …) are ignored; unparsable values (`N/A`) read as 0.
#[derive(Debug, Default)]
pub struct ProgressParser {
    current: ProgressSample,
}

fn float(v: &str) -> f64 {
    v.trim().trim_end_matches("kbits/s").trim_end_matches('x').trim().parse().unwrap_or(0.0)
}

fn int<T: std::str::FromStr + Default>(v: &str) -> T {
    v.trim().parse().unwrap_or_default()
}

impl ProgressParser {
    pub fn feed(&mut self, line: &str) -> Option<ProgressSample> {
        let (key, value) = line.split_once('=')?;
        match key.trim() {
            "frame" => self.current.frame = int(value),
            "fps" => self.current.fps = float(value),
            "bitrate" => self.current.bitrate_kbps = float(value),
            "total_size" => self.current.total_size = int(value),
            "out_time_us" => self.current.out_time_us = int(value),
            "drop_frames" => self.current.drop_frames = int(value),
            "dup_frames" => self.current.dup_frames = int(value),
            "speed" => self.current.speed = float(value),
            "progress" => {
                self.current.ended = value.trim() == "end";
                return Some(std::mem::take(&mut self.current));
            }
            _ => {}
        }
        None
    }
}

/// Every complete block in `text`.
pub fn parse_blocks(text: &str) -> Vec<ProgressSample> {
    let mut parser = ProgressParser::default();
    text.lines().filter_map(|l| parser.feed(l)).collect()
}

/// Health of a live transcode in 0..=100:
///
/// `score = 100 × S × F × (1 − L)` where
/// - `S = clamp(speed, 0, 1)`: keeping real time (speed ≥ 1) gets full marks; a transcoder at
///   0.5× falls behind the camera by half a second every second;
/// - `F = clamp(fps / target_fps, 0, 1)` (1 when `target_fps` is unknown, ≤ 0);
/// - `L = min(0.5, 5 × (drops + dups / 2) / frames)`, counted since `previous` when given
///   (else since the start): losing 10 % of frames halves the score at most; duplicated frames
///   (input gaps FFmpeg filled) count half.
///
/// A sample that has not produced frames yet (`speed` 0) scores 0.
pub fn quality_score(sample: &ProgressSample, previous: Option<&ProgressSample>, target_fps: f64) -> f64 {
    let speed = if sample.speed.is_finite() { sample.speed.clamp(0.0, 1.0) } else { 0.0 };
    let fps = if target_fps > 0.0 && sample.fps.is_finite() {
        (sample.fps / target_fps).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let (frames, drops, dups) = match previous {
        Some(p) => (
            sample.frame.saturating_sub(p.frame),
            sample.drop_frames.saturating_sub(p.drop_frames),
            sample.dup_frames.saturating_sub(p.dup_frames),
        ),
        None => (sample.frame, sample.drop_frames, sample.dup_frames),
    };
    let lost = drops as f64 + dups as f64 / 2.0;
    let loss_penalty = (lost / frames.max(1) as f64 * 5.0).min(0.5);
    (100.0 * speed * fps * (1.0 - loss_penalty)).clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first and the last block FFmpeg 5.1 printed for the default ladder (3 rungs, HLS)
    /// in nginx/README.md. The HLS muxer never reports bitrate or size.
    const REAL: &str = "frame=5\nfps=0.00\nstream_0_0_q=-1.0\nstream_0_2_q=0.0\nstream_0_4_q=0.0\n\
        bitrate=N/A\ntotal_size=N/A\nout_time_us=1423000\nout_time_ms=1423000\nout_time=00:00:01.423000\n\
        dup_frames=0\ndrop_frames=0\nspeed=17.9x\nprogress=continue\n\
        frame=363\nfps=27.90\nstream_0_0_q=-1.0\nstream_0_2_q=-1.0\nstream_0_4_q=-1.0\nbitrate=N/A\n\
        total_size=N/A\nout_time_us=15743222\nout_time_ms=15743222\nout_time=00:00:15.743222\n\
        dup_frames=0\ndrop_frames=0\nspeed=1.21x\nprogress=end\n";

    /// What a file output adds: bitrate with its unit, a size.
    const FILE: &str = "frame=250\nfps=25.02\nbitrate=3512.4kbits/s\ntotal_size=4390912\n\
        out_time_us=10000000\ndup_frames=4\ndrop_frames=2\nspeed=1.01x\nprogress=continue\n";

    #[test]
    fn parses_real_blocks() {
        let samples = parse_blocks(REAL);
        assert_eq!(samples.len(), 2);
        let (first, last) = (&samples[0], &samples[1]);
        assert_eq!((first.frame, first.out_time_us, first.fps, first.speed), (5, 1_423_000, 0.0, 17.9));
        assert_eq!((first.bitrate_kbps, first.total_size, first.ended), (0.0, 0, false));
        assert_eq!(
            (last.frame, last.out_time_us, last.dup_frames, last.drop_frames),
            (363, 15_743_222, 0, 0)
        );
        assert!((last.fps - 27.9).abs() < 1e-9 && (last.speed - 1.21).abs() < 1e-9 && last.ended);
        let file = &parse_blocks(FILE)[0];
        assert_eq!((file.frame, file.total_size, file.dup_frames, file.drop_frames), (250, 4_390_912, 4, 2));
        assert!((file.bitrate_kbps - 3512.4).abs() < 1e-9 && (file.speed - 1.01).abs() < 1e-9);
        let na = parse_blocks("speed=N/A\nfps=N/A\nout_time_us=N/A\nprogress=continue\n");
        assert_eq!((na[0].speed, na[0].fps, na[0].out_time_us), (0.0, 0.0, 0));
    }

    #[test]
    fn incomplete_blocks_and_noise_yield_nothing() {
        let mut p = ProgressParser::default();
        assert!(p.feed("frame=1").is_none());
        assert!(p.feed("garbage without equals").is_none());
        assert!(p.feed("").is_none());
        assert!(parse_blocks("frame=5\nfps=2\n").is_empty());
        let s = p.feed("progress=continue").expect("block ends");
        assert_eq!(s.frame, 1);
    }

    #[test]
    fn score_rewards_real_time_and_punishes_losses() {
        let good = ProgressSample { frame: 250, fps: 25.0, speed: 1.0, ..Default::default() };
        assert_eq!(quality_score(&good, None, 25.0), 100.0);
        let fast = ProgressSample { speed: 3.0, fps: 60.0, ..good.clone() };
        assert_eq!(quality_score(&fast, None, 25.0), 100.0);
        let slow = ProgressSample { speed: 0.5, ..good.clone() };
        assert_eq!(quality_score(&slow, None, 25.0), 50.0);
        let low_fps = ProgressSample { fps: 20.0, ..good.clone() };
        assert!((quality_score(&low_fps, None, 25.0) - 80.0).abs() < 1e-9);
        assert_eq!(quality_score(&low_fps, None, 0.0), 100.0);
        // 25 of 250 frames dropped since the previous sample: 10 % → halved.
        let dropping = ProgressSample { frame: 500, drop_frames: 25, ..good.clone() };
        assert!((quality_score(&dropping, Some(&good), 25.0) - 50.0).abs() < 1e-9);
        // 2 dropped + 4 duplicated (count as 2) of 250 frames = 1.6 % lost → 8 % off.
        let some = ProgressSample { frame: 500, drop_frames: 2, dup_frames: 4, ..good.clone() };
        let score = quality_score(&some, Some(&good), 25.0);
        assert!((score - 92.0).abs() < 1e-9, "{score}");
        assert_eq!(quality_score(&ProgressSample::default(), None, 25.0), 0.0);
        let nan = ProgressSample { speed: f64::NAN, ..good };
        assert_eq!(quality_score(&nan, None, 25.0), 0.0);
    }

    #[test]
    fn older_reports_without_the_new_fields_still_deserialize() {
        let json = r#"{"frame":1,"fps":2.0,"bitrate_kbps":3.0,"drop_frames":0,"dup_frames":0,"speed":1.0,"ended":false}"#;
        let s: ProgressSample = serde_json::from_str(json).unwrap();
        assert_eq!((s.frame, s.total_size, s.out_time_us), (1, 0, 0));
    }
}
