//! FFmpeg `-progress` output (blocks of `key=value` lines ending in `progress=continue|end`) and
//! the 0–100 stream quality score derived from it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProgressSample {
    pub frame: u64,
    pub fps: f64,
    pub bitrate_kbps: f64,
    pub drop_frames: u64,
    pub dup_frames: u64,
    /// Encoding speed relative to real time (1.0 = keeping up).
    pub speed: f64,
    pub ended: bool,
}

/// Feeds lines one at a time; yields a sample at the end of each block.
#[derive(Default)]
pub struct ProgressParser {
    current: ProgressSample,
}

fn number(v: &str) -> f64 {
    v.trim().trim_end_matches("kbits/s").trim_end_matches('x').parse().unwrap_or(0.0)
}

impl ProgressParser {
    pub fn feed(&mut self, line: &str) -> Option<ProgressSample> {
        let (key, value) = line.split_once('=')?;
        match key.trim() {
            "frame" => self.current.frame = value.trim().parse().unwrap_or(0),
            "fps" => self.current.fps = number(value),
            // With several outputs ffmpeg reports one total; "N/A" before the first packet.
            "bitrate" => self.current.bitrate_kbps = number(value),
            "drop_frames" => self.current.drop_frames = value.trim().parse().unwrap_or(0),
            "dup_frames" => self.current.dup_frames = value.trim().parse().unwrap_or(0),
            "speed" => self.current.speed = number(value),
            "progress" => {
                self.current.ended = value.trim() == "end";
                return Some(std::mem::take(&mut self.current));
            }
            _ => {}
        }
        None
    }
}

/// Health of a live transcode in 0..=100: full marks when FFmpeg keeps real time at the source
/// frame rate without dropping frames. `previous` gives the drop rate since the last sample.
pub fn quality_score(sample: &ProgressSample, previous: Option<&ProgressSample>, target_fps: f64) -> f64 {
    let speed = sample.speed.clamp(0.0, 1.0);
    let fps = if target_fps > 0.0 { (sample.fps / target_fps).clamp(0.0, 1.0) } else { 1.0 };
    let (frames, drops) = match previous {
        Some(p) => (sample.frame.saturating_sub(p.frame), sample.drop_frames.saturating_sub(p.drop_frames)),
        None => (sample.frame, sample.drop_frames),
    };
    // Losing 10 % of frames halves the score at most.
    let drop_penalty = (drops as f64 / frames.max(1) as f64 * 5.0).min(0.5);
    (100.0 * speed * fps * (1.0 - drop_penalty)).clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str =
        "frame=250\nfps=25.02\nstream_0_0_q=-1.0\nbitrate=3512.4kbits/s\ntotal_size=4390912\n\
        out_time_us=10000000\ndup_frames=0\ndrop_frames=2\nspeed=1.01x\nprogress=continue\n";

    #[test]
    fn parses_a_block() {
        let mut p = ProgressParser::default();
        let samples: Vec<_> = BLOCK.lines().filter_map(|l| p.feed(l)).collect();
        assert_eq!(samples.len(), 1);
        let s = &samples[0];
        assert_eq!((s.frame, s.drop_frames, s.dup_frames), (250, 2, 0));
        assert!(
            (s.fps - 25.02).abs() < 1e-9
                && (s.speed - 1.01).abs() < 1e-9
                && (s.bitrate_kbps - 3512.4).abs() < 1e-9
        );
        assert!(!s.ended);
        assert!(p.feed("bitrate=N/A").is_none());
        assert!(p.feed("progress=end").unwrap().ended);
    }

    #[test]
    fn score_rewards_real_time_and_punishes_drops() {
        let good = ProgressSample { frame: 250, fps: 25.0, speed: 1.0, ..Default::default() };
        assert_eq!(quality_score(&good, None, 25.0), 100.0);
        let slow = ProgressSample { speed: 0.5, ..good.clone() };
        assert_eq!(quality_score(&slow, None, 25.0), 50.0);
        let dropping = ProgressSample { frame: 500, drop_frames: 25, ..good.clone() };
        let score = quality_score(&dropping, Some(&good), 25.0);
        assert!((score - 50.0).abs() < 1e-9, "{score}");
        assert_eq!(quality_score(&ProgressSample::default(), None, 25.0), 0.0);
    }
}
