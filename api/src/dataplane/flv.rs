//! The one thing Argus reads from an FLV itself: whether a chunk holds any coded frame. nginx
//! opens a recorder's file with the FLV header, `onMetaData` and the codec configuration, and a
//! publisher that stops before the next keyframe (e.g. right after a rotation started the idle
//! recorder) leaves a chunk with nothing else in it, which FFmpeg cannot remux ("dimensions
//! not set"). Such a chunk is empty footage, not a failed recording.

use std::io::Read;
use std::path::Path;

const HEADER_LEN: usize = 9;
const TAG_HEADER_LEN: usize = 11;
const PREV_TAG_SIZE_LEN: usize = 4;
const AUDIO: u8 = 8;
const VIDEO: u8 = 9;
/// How much of a chunk is read: the header tags of a frameless chunk are a few hundred bytes,
/// and a chunk larger than this is taken to hold frames without reading it all.
const SCAN_LIMIT: u64 = 64 * 1024;

/// Whether the body of an audio or video tag is a coded frame (not a codec configuration or an
/// end-of-sequence marker).
fn is_frame(kind: u8, body: &[u8]) -> bool {
    let Some(&first) = body.first() else { return false };
    match kind {
        // Enhanced RTMP (HEVC, AV1, …): the packet type is the low nibble; 0 = sequence start,
        // 2 = sequence end, 4 = metadata.
        VIDEO if first & 0x80 != 0 => !matches!(first & 0x0f, 0 | 2 | 4),
        // AVC: AVCPacketType 1 = NALUs (0 = sequence header, 2 = end of sequence).
        VIDEO if first & 0x0f == 7 => body.get(1) == Some(&1),
        VIDEO => true,
        // AAC: AACPacketType 1 = raw frame (0 = AudioSpecificConfig).
        AUDIO if first >> 4 == 10 => body.get(1) == Some(&1),
        AUDIO => true,
        _ => false,
    }
}

/// Whether `bytes` (the start of an FLV file) has a coded audio or video frame. `None`: the
/// bytes end before a frame was found or the tags were walked to the end, so only the caller
/// knows whether more of the file follows.
fn scan(bytes: &[u8]) -> Option<bool> {
    if bytes.len() < HEADER_LEN || &bytes[..3] != b"FLV" {
        return Some(true); // not an FLV we understand: let FFmpeg judge it
    }
    let mut at = (u32::from_be_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]) as usize).max(HEADER_LEN)
        + PREV_TAG_SIZE_LEN;
    while let Some(tag) = bytes.get(at..at + TAG_HEADER_LEN) {
        let kind = tag[0] & 0x1f;
        let len = u32::from_be_bytes([0, tag[1], tag[2], tag[3]]) as usize;
        let body = &bytes[at + TAG_HEADER_LEN..bytes.len().min(at + TAG_HEADER_LEN + len)];
        if (kind == AUDIO || kind == VIDEO) && is_frame(kind, body) {
            return Some(true);
        }
        at += TAG_HEADER_LEN + len + PREV_TAG_SIZE_LEN;
    }
    None
}

/// Whether the FLV at `path` holds at least one coded frame. Errors reading it answer `true`,
/// so the remux reports them.
pub fn has_frames(path: &Path) -> bool {
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(SCAN_LIMIT + 1).read_to_end(&mut bytes));
    match read {
        Ok(n) if (n as u64) <= SCAN_LIMIT => scan(&bytes).unwrap_or(false),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(kind: u8, body: &[u8]) -> Vec<u8> {
        let len = (body.len() as u32).to_be_bytes();
        let mut t = vec![kind, len[1], len[2], len[3], 0, 0, 0, 0, 0, 0, 0];
        t.extend_from_slice(body);
        t.extend_from_slice(&((TAG_HEADER_LEN + body.len()) as u32).to_be_bytes());
        t
    }

    /// What nginx writes before the first frame: header, `onMetaData`, AVC and AAC configuration.
    fn preamble() -> Vec<u8> {
        let mut f = b"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00".to_vec();
        f.extend(tag(18, b"\x02\x00\x0aonMetaData\x08\x00\x00\x00\x00\x00\x00\x09"));
        f.extend(tag(VIDEO, &[0x17, 0, 0, 0, 0, 1, 0x64]));
        f.extend(tag(AUDIO, &[0xaf, 0, 0x12, 0x10]));
        f
    }

    #[test]
    fn codec_configuration_and_end_of_sequence_are_no_frames() {
        let mut f = preamble();
        assert_eq!(scan(&f), None);
        f.extend(tag(VIDEO, &[0x17, 2, 0, 0, 0]));
        assert_eq!(scan(&f), None);
    }

    #[test]
    fn a_video_or_audio_frame_is_found() {
        let mut video = preamble();
        video.extend(tag(VIDEO, &[0x17, 1, 0, 0, 0, 0, 0, 0, 1, 0x65]));
        assert_eq!(scan(&video), Some(true));
        let mut audio = preamble();
        audio.extend(tag(AUDIO, &[0xaf, 1, 0x21, 0x00]));
        assert_eq!(scan(&audio), Some(true));
        let mut hevc = preamble();
        hevc.extend(tag(VIDEO, &[0x91, b'h', b'v', b'c', b'1', 0x26]));
        assert_eq!(scan(&hevc), Some(true));
    }

    #[test]
    fn a_frame_cut_off_by_the_scan_limit_still_counts_and_a_non_flv_is_left_to_ffmpeg() {
        let mut f = preamble();
        f.extend(&tag(VIDEO, &[0x17, 1, 0, 0, 0, 0, 0, 0, 1, 0x65])[..TAG_HEADER_LEN + 2]);
        assert_eq!(scan(&f), Some(true));
        assert_eq!(scan(b"not an flv at all"), Some(true));
    }

    #[test]
    fn files_small_enough_to_read_are_judged_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let empty = dir.path().join("cam-1.alt.flv");
        std::fs::write(&empty, preamble()).expect("write");
        assert!(!has_frames(&empty));
        let mut with_frame = preamble();
        with_frame.extend(tag(VIDEO, &[0x27, 1, 0, 0, 0, 0, 0, 0, 1, 0x41]));
        std::fs::write(&empty, with_frame).expect("write");
        assert!(has_frames(&empty));
        assert!(has_frames(&dir.path().join("missing.flv")));
    }
}
