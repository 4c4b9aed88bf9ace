//! Opening a recording's bytes for playback and download, whatever its tier.

use std::path::PathBuf;

use object_store::path::Path;

use super::Storage;
use crate::{
    db::{self, recording_tiers::Placement},
    domain::StorageTier,
    error::{AppError, AppResult},
    infra::storage::TierStore,
};

/// A recording's bytes: a local file (HOT and `file://` tiers: served directly), or an object
/// in a bucket (streamed through Argus, range by range).
pub enum Readable {
    File(PathBuf),
    Object { store: TierStore, key: Path, size: u64, name: String },
}

impl Storage {
    pub async fn open(&self, recording_id: &str) -> AppResult<Readable> {
        let id = recording_id.to_string();
        let p = self
            .db
            .run(move |c| db::recording_tiers::find(c, &id))
            .await?
            .ok_or_else(|| AppError::not_found("recording not found"))?;
        let tier = p.tier;
        if tier == StorageTier::Hot {
            return Ok(Readable::File(PathBuf::from(&p.file_path)));
        }
        let store = self.store(tier)?;
        let key = self.key(&p, tier)?;
        if let Some(file) = store.local_file(&key) {
            return Ok(Readable::File(file));
        }
        let size = store.head(&key).await?.ok_or_else(|| AppError::not_found("recording file is missing"))?;
        let name = key.filename().unwrap_or("recording.mp4").to_string();
        Ok(Readable::Object { store: store.clone(), key, size, name })
    }
}

impl Storage {
    /// Where a recording's bytes are, for [`Storage::deletions`] when its row is deleted.
    pub async fn placement(&self, recording_id: &str) -> AppResult<Option<Placement>> {
        let id = recording_id.to_string();
        self.db.run(move |c| db::recording_tiers::find(c, &id)).await
    }
}
