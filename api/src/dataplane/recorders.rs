//! Recording of live cameras through nginx's two manual recorders (`main`, `alt` in
//! nginx/nginx.conf.tmpl). Manual recorders write only for cameras with recording enabled, but
//! nginx never rotates them (`record_interval` does nothing for `manual`), so Argus cuts the
//! hourly chunks itself: start the idle recorder, wait until its file has data (it begins at
//! the next keyframe), stop the busy one. Which recorder is busy is read from the chunk files
//! themselves (`NAME-EPOCH.RECORDER.flv`, still being written), so no state is kept here and
//! any replica can do it.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, SystemTime},
};

use super::{control::NginxControl, nginx_conf::RECORDERS, probe};
use crate::infra::log_throttle::LogThrottle;

/// A chunk written to within this long is open (nginx writes every frame as it arrives).
const OPEN_WITHIN: Duration = Duration::from_secs(5);
/// How long a new chunk may take to get its first keyframe before the old one is stopped anyway.
const FIRST_KEYFRAME_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq)]
pub struct OpenChunk {
    pub path: PathBuf,
    pub name: probe::ChunkName,
    pub size: u64,
}

impl OpenChunk {
    fn recorder(&self) -> &str {
        self.name.recorder.as_deref().unwrap_or(RECORDERS[0])
    }
}

/// Chunks nginx is writing now, oldest first. Two chunks of one camera started within the same
/// second (a rotation cut short right after a publish) are ordered by the file's creation time,
/// or, where the filesystem keeps none, by size: the one written longer is the older.
pub fn open_chunks(record_dir: &Path, now: SystemTime) -> Vec<OpenChunk> {
    let mut chunks: Vec<(OpenChunk, Option<SystemTime>)> = std::fs::read_dir(record_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let meta = entry.metadata().ok()?;
            let age = now.duration_since(meta.modified().ok()?).unwrap_or_default();
            let name = probe::parse_record_path(&entry.path())?;
            let chunk = OpenChunk { path: entry.path(), name, size: meta.len() };
            (age <= OPEN_WITHIN).then(|| (chunk, meta.created().ok()))
        })
        .collect();
    chunks.sort_by_key(|(c, created)| (c.name.epoch, *created, std::cmp::Reverse(c.size)));
    chunks.into_iter().map(|(chunk, _)| chunk).collect()
}

/// Open chunks due for rotation: the newest open chunk of each camera once it is
/// `interval_secs` old. A camera with two open chunks is mid-rotation: the older one is due
/// at once.
pub fn due_for_rotation(open: &[OpenChunk], now_epoch: i64, interval_secs: u64) -> Vec<OpenChunk> {
    let mut due = Vec::new();
    let mut cameras: Vec<&str> = open.iter().map(|c| c.name.camera_id.as_str()).collect();
    cameras.sort_unstable();
    cameras.dedup();
    for camera in cameras {
        let mine: Vec<&OpenChunk> = open.iter().filter(|c| c.name.camera_id == camera).collect();
        let newest = mine[mine.len() - 1];
        if mine.len() > 1 {
            due.extend(mine[..mine.len() - 1].iter().map(|c| (*c).clone()));
        } else if now_epoch - newest.name.epoch >= interval_secs as i64 {
            due.push(newest.clone());
        }
    }
    due
}

/// Whether a chunk of this camera begun at or after `since_epoch` is being written. A chunk of
/// an earlier session looks open for [`OPEN_WITHIN`] after its last write (until it is filed),
/// so a camera publishing again within seconds must not take it for its own recording.
fn is_recording(record_dir: &Path, camera_id: &str, since_epoch: i64) -> bool {
    open_chunks(record_dir, SystemTime::now())
        .iter()
        .any(|c| c.name.camera_id == camera_id && c.name.epoch >= since_epoch)
}

/// The recorders of this node: nginx's control endpoint, the folder nginx records into, and how
/// long a chunk runs before it is cut.
#[derive(Clone, Debug)]
pub struct Recorders {
    pub control: NginxControl,
    pub record_dir: PathBuf,
    pub interval_secs: u64,
    /// "nginx control unreachable" once per 30 s, not once per camera.
    pub unreachable_log: Arc<LogThrottle>,
}

impl Recorders {
    /// Starts recording a camera that has just been published (or had recording switched on while
    /// live). nginx learns the stream a moment after the publish hook answers, so this retries
    /// briefly while nginx does not know it yet. The task ends `false` when the recorder could
    /// not be started (nginx never knew the stream); an unreachable nginx is left to
    /// reconciliation, which starts it later.
    pub fn start_soon(&self, camera_id: String) -> tokio::task::JoinHandle<bool> {
        let this = self.clone();
        let since = chrono::Utc::now().timestamp();
        tokio::spawn(async move {
            let mut delay = Duration::from_millis(20);
            for _ in 0..12 {
                match this.control.record(true, &camera_id, RECORDERS[0]).await {
                    Ok(Some(path)) => {
                        tracing::info!(camera_id, path, "recording started");
                        return true;
                    }
                    // 204: this recorder already runs (a chunk of the camera begun since is being
                    // written), or nginx does not know the stream yet.
                    Ok(None) if is_recording(&this.record_dir, &camera_id, since) => return true,
                    Ok(None) => {}
                    // The hook came from nginx, so an unreachable control endpoint will not come
                    // back within this publish; reconciliation starts the recorder later.
                    Err(e) => {
                        this.warn_unreachable(&e, &camera_id);
                        return true;
                    }
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(1));
            }
            // Recording switched on while a recorder already ran: its chunk began before `since`.
            if is_recording(&this.record_dir, &camera_id, i64::MIN) {
                return true;
            }
            tracing::error!(camera_id, "could not start recording: nginx does not know the stream");
            false
        })
    }

    /// One warning per 30 s while nginx's control endpoint is unreachable, not one per camera:
    /// a burst of publishes must not turn into a flood of identical log lines.
    fn warn_unreachable(&self, error: &super::http::HttpError, camera_id: &str) {
        if let Some(suppressed) = self.unreachable_log.admit(chrono::Utc::now().timestamp()) {
            tracing::warn!(%error, camera_id, suppressed, "nginx control unreachable: recording not started");
        }
    }

    /// Stops every recorder of a camera; nginx closes the chunk and reports it (`record_done`).
    pub async fn stop(&self, camera_id: &str) {
        for recorder in RECORDERS {
            if let Err(e) = self.control.record(false, camera_id, recorder).await {
                tracing::warn!(error = %e, camera_id, recorder, "nginx control unreachable: recording not stopped");
            }
        }
    }

    /// Applies a changed recording flag to a live camera at once.
    pub async fn set(&self, camera_id: &str, enabled: bool) {
        if enabled {
            drop(self.start_soon(camera_id.to_string()));
        } else {
            self.stop(camera_id).await;
        }
    }

    /// Cuts every chunk that has reached the recording interval; returns how many were due.
    pub async fn rotate_due(&self) -> usize {
        let now = SystemTime::now();
        let now_epoch = chrono::Utc::now().timestamp();
        let open = open_chunks(&self.record_dir, now);
        let due = due_for_rotation(&open, now_epoch, self.interval_secs);
        for chunk in &due {
            self.rotate(chunk).await;
        }
        due.len()
    }

    /// Hands a camera's recording from the chunk's recorder to the other one without a gap.
    async fn rotate(&self, chunk: &OpenChunk) {
        let camera_id = chunk.name.camera_id.as_str();
        let busy = chunk.recorder();
        let Some(idle) = RECORDERS.into_iter().find(|r| *r != busy) else { return };
        match self.control.record(true, camera_id, idle).await {
            Ok(Some(new_path)) => wait_for_data(Path::new(new_path.trim())).await,
            // Already running (a rotation interrupted half-way): just finish it.
            Ok(None) => {}
            Err(e) => return tracing::warn!(error = %e, camera_id, "cannot rotate the recording chunk"),
        }
        match self.control.record(false, camera_id, busy).await {
            Ok(_) => tracing::info!(camera_id, from = busy, to = idle, "recording chunk rotated"),
            Err(e) => tracing::warn!(error = %e, camera_id, "rotated, but the old recorder did not stop"),
        }
    }
}

/// A new chunk holds nothing until the next keyframe arrives; until then the old one keeps
/// recording.
async fn wait_for_data(path: &Path) {
    let initial = tokio::fs::metadata(path).await.map(|m| m.len()).unwrap_or(0);
    let started = tokio::time::Instant::now();
    while started.elapsed() < FIRST_KEYFRAME_WAIT {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if tokio::fs::metadata(path).await.is_ok_and(|m| m.len() > initial) {
            return;
        }
    }
    tracing::warn!(path = %path.display(), "new chunk got no data; stopping the old one anyway");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(camera: &str, epoch: i64, recorder: &str) -> OpenChunk {
        let name = probe::ChunkName { camera_id: camera.into(), epoch, recorder: Some(recorder.to_string()) };
        OpenChunk { path: PathBuf::from(format!("/r/{camera}-{epoch}.{recorder}.flv")), name, size: 1 }
    }

    #[test]
    fn rotates_chunks_that_reached_the_interval_and_finishes_half_done_rotations() {
        let open = vec![
            chunk("a", 1_000, "main"),
            chunk("b", 1_000, "main"),
            chunk("b", 4_590, "alt"),
            chunk("c", 4_000, "alt"),
        ];
        let due = due_for_rotation(&open, 4_600, 3_600);
        let names: Vec<(&str, i64)> = due.iter().map(|c| (c.name.camera_id.as_str(), c.name.epoch)).collect();
        // a: 3600 s old; b: two open chunks, the older is stopped; c: only 600 s old.
        assert_eq!(names, vec![("a", 1_000), ("b", 1_000)]);
        assert_eq!(due[0].recorder(), "main");
        assert!(due_for_rotation(&open[3..], 4_600, 3_600).is_empty());
    }

    #[test]
    fn a_camera_between_others_is_rotated_once() {
        // Sorted by start time, one camera's chunks can sit on both sides of another's.
        let open = vec![chunk("a", 1_000, "main"), chunk("b", 1_500, "main"), chunk("a", 2_000, "alt")];
        let due = due_for_rotation(&open, 2_100, 3_600);
        let names: Vec<(&str, i64)> = due.iter().map(|c| (c.name.camera_id.as_str(), c.name.epoch)).collect();
        assert_eq!(names, vec![("a", 1_000)]);
    }

    #[test]
    fn chunks_started_in_the_same_second_are_ordered_oldest_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A rotation started right after the publish: both names carry the same second.
        std::fs::write(dir.path().join("cam-1764000000.main.flv"), vec![0u8; 4096]).expect("write");
        std::fs::write(dir.path().join("cam-1764000000.alt.flv"), b"flv").expect("write");
        let open = open_chunks(dir.path(), SystemTime::now());
        let recorders: Vec<&str> = open.iter().map(|c| c.recorder()).collect();
        assert_eq!(recorders, ["main", "alt"]);
    }

    #[test]
    fn only_recently_written_chunks_are_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["cam-1-1764000000.main.flv", "cam-2-1764000100.alt.flv", "notes.txt", "x.flv"] {
            std::fs::write(dir.path().join(name), b"flv").expect("write");
        }
        let now = SystemTime::now();
        let open = open_chunks(dir.path(), now);
        let cams: Vec<&str> = open.iter().map(|c| c.name.camera_id.as_str()).collect();
        assert_eq!(cams, vec!["cam-1", "cam-2"]);
        assert_eq!(open[1].recorder(), "alt");
        assert!(open_chunks(dir.path(), now + Duration::from_secs(60)).is_empty());
    }
}
