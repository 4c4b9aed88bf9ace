//! The storage tiers as object stores (the `object_store` crate): a local directory or an
//! S3-compatible bucket behind one small interface — stream a copy in, read a byte range, head,
//! delete. HOT is the local filesystem addressed by absolute path, since recordings are filed
//! there by path (`recordings.file_path`).

use std::{collections::BTreeMap, ops::Range, path::Path as FsPath, sync::Arc};

use bytes::Bytes;
use futures_util::{stream::BoxStream, StreamExt, TryStreamExt};
use object_store::{
    aws::{AmazonS3, AmazonS3Builder},
    local::LocalFileSystem,
    path::Path,
    prefix::PrefixStore,
    signer::{Method, Signer},
    GetOptions, GetRange, ObjectStore, ObjectStoreExt, WriteMultipart,
};
use sha2::{Digest, Sha256};

use crate::{
    config::{S3Settings, StorageSettings, TierLocation},
    domain::StorageTier,
    error::{AppError, AppResult},
    infra::failpoints::FailPoints,
};

/// Parts of a multipart upload (S3 needs ≥ 5 MiB per part but the last).
const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts in flight at once: bounds the memory of one copy to about this many parts.
const PARTS_IN_FLIGHT: usize = 2;

fn store_error(what: &str, e: object_store::Error) -> AppError {
    AppError::unavailable(format!("storage: {what}: {e}"))
}

/// An object key from a local file's absolute path (HOT) — or an error naming it.
pub fn local_key(path: &FsPath) -> AppResult<Path> {
    Path::from_absolute_path(path)
        .map_err(|e| AppError::internal(format!("storage: {} is not a usable path: {e}", path.display())))
}

/// One tier's store.
#[derive(Clone, Debug)]
pub struct TierStore {
    store: Arc<dyn ObjectStore>,
    /// Its local root, when the tier is a directory (playback then serves files directly).
    local_root: Option<std::path::PathBuf>,
    /// The bucket and key prefix, when the tier is S3: presigned URLs let a tool (ffmpeg) read
    /// an object over HTTP without Argus relaying the bytes.
    signer: Option<(Arc<AmazonS3>, String)>,
}

impl TierStore {
    fn open(location: &TierLocation, s3: &S3Settings) -> AppResult<TierStore> {
        match location {
            TierLocation::Local(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    AppError::internal(format!("storage: cannot create {}: {e}", dir.display()))
                })?;
                let fs = LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| store_error(&dir.display().to_string(), e))?
                    .with_automatic_cleanup(true);
                Ok(TierStore { store: Arc::new(fs), local_root: Some(dir.clone()), signer: None })
            }
            TierLocation::S3 { bucket, prefix } => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(&s3.region)
                    .with_allow_http(s3.allow_http);
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
                    builder = builder.with_access_key_id(id).with_secret_access_key(secret);
                }
                let s3_store =
                    Arc::new(builder.build().map_err(|e| store_error(&format!("s3://{bucket}"), e))?);
                let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    s3_store.clone()
                } else {
                    Arc::new(PrefixStore::new(s3_store.clone(), prefix.as_str()))
                };
                Ok(TierStore { store, local_root: None, signer: Some((s3_store, prefix.clone())) })
            }
        }
    }

    /// The local file behind `key`, when this tier is a directory.
    pub fn local_file(&self, key: &Path) -> Option<std::path::PathBuf> {
        self.local_root.as_ref().map(|root| root.join(key.as_ref()))
    }

    /// A presigned GET URL of `key` valid for `ttl`, when this tier is a bucket.
    pub async fn presigned_get(&self, key: &Path, ttl: std::time::Duration) -> AppResult<Option<String>> {
        let Some((s3, prefix)) = &self.signer else { return Ok(None) };
        let full: Path = if prefix.is_empty() {
            key.clone()
        } else {
            Path::from(prefix.as_str()).parts().chain(key.parts()).collect()
        };
        let url = s3
            .signed_url(Method::GET, &full, ttl)
            .await
            .map_err(|e| store_error(&format!("sign {key}"), e))?;
        Ok(Some(url.to_string()))
    }

    /// Size of the object, or `None` when there is none.
    pub async fn head(&self, key: &Path) -> AppResult<Option<u64>> {
        match self.store.head(key).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(store_error(&format!("head {key}"), e)),
        }
    }

    /// Bytes `range` of the object, streamed.
    pub async fn get_range(
        &self,
        key: &Path,
        range: Range<u64>,
    ) -> AppResult<BoxStream<'static, AppResult<Bytes>>> {
        let options = GetOptions { range: Some(GetRange::Bounded(range)), ..GetOptions::default() };
        let result =
            self.store.get_opts(key, options).await.map_err(|e| store_error(&format!("get {key}"), e))?;
        let what = key.to_string();
        Ok(result.into_stream().map_err(move |e| store_error(&format!("read {what}"), e)).boxed())
    }

    async fn get_all(&self, key: &Path) -> AppResult<BoxStream<'static, AppResult<Bytes>>> {
        let result = self.store.get(key).await.map_err(|e| store_error(&format!("get {key}"), e))?;
        let what = key.to_string();
        Ok(result.into_stream().map_err(move |e| store_error(&format!("read {what}"), e)).boxed())
    }

    /// Deletes the object; one that is already gone is fine.
    pub async fn delete(&self, key: &Path) -> AppResult<()> {
        match self.store.delete(key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(store_error(&format!("delete {key}"), e)),
        }
    }

    /// Deletes what an interrupted copy into `key` left behind. In a directory that is a staging
    /// file `KEY#N` (object_store's multipart upload; a `kill -9` mid-copy leaves it). A bucket's
    /// incomplete multipart uploads are no objects and are not listed here: a lifecycle rule
    /// (`AbortIncompleteMultipartUpload`) on the bucket removes them.
    pub async fn delete_partial_uploads(&self, key: &Path) -> AppResult<()> {
        let Some(file) = self.local_file(key) else { return Ok(()) };
        let (Some(dir), Some(name)) = (file.parent(), file.file_name()) else { return Ok(()) };
        let (dir, prefix) = (dir.to_path_buf(), format!("{}#", name.to_string_lossy()));
        let removed = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            let entries = match std::fs::read_dir(&dir) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                other => other?,
            };
            for entry in entries {
                let entry = entry?;
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    std::fs::remove_file(entry.path())?;
                }
            }
            Ok(())
        })
        .await
        .map_err(|e| AppError::internal(format!("storage: cleanup task failed: {e}")))?;
        removed.map_err(|e| AppError::unavailable(format!("storage: removing partial uploads of {key}: {e}")))
    }

    /// Streams `src_key` of `src` into `key` here as a multipart upload (memory: a few parts).
    /// The object appears only when complete; a failed copy is aborted. `failpoints`:
    /// `storage.copy_started` is reached once the first part is written (or, for an object
    /// smaller than a part, before the upload completes).
    pub async fn copy_from(
        &self,
        src: &TierStore,
        src_key: &Path,
        key: &Path,
        failpoints: &FailPoints,
    ) -> AppResult<()> {
        let mut input = src.get_all(src_key).await?;
        let upload =
            self.store.put_multipart(key).await.map_err(|e| store_error(&format!("put {key}"), e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let copied = async {
            let (mut sent, mut started) = (0, false);
            while let Some(chunk) = input.next().await {
                writer.wait_for_capacity(PARTS_IN_FLIGHT).await.map_err(|e| store_error("upload", e))?;
                let chunk = chunk?;
                sent += chunk.len();
                writer.put(chunk);
                if !started && sent >= PART_SIZE {
                    started = true;
                    // The first part is uploaded: a partial upload exists.
                    writer.wait_for_capacity(0).await.map_err(|e| store_error("upload", e))?;
                    failpoints.reach("storage.copy_started").await?;
                }
            }
            if !started {
                failpoints.reach("storage.copy_started").await?;
            }
            Ok::<_, AppError>(())
        }
        .await;
        match copied {
            Ok(()) => {
                writer.finish().await.map(|_| ()).map_err(|e| store_error(&format!("complete {key}"), e))
            }
            Err(e) => {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(%key, error = %abort, "aborting a failed upload failed");
                }
                Err(e)
            }
        }
    }

    /// Every object under `prefix` (all with `None`) with when it was last written, streamed
    /// (a page of keys at a time on S3).
    pub fn list(
        &self,
        prefix: Option<&Path>,
    ) -> BoxStream<'static, AppResult<(Path, chrono::DateTime<chrono::Utc>)>> {
        self.store
            .list(prefix)
            .map_ok(|meta| (meta.location, meta.last_modified))
            .map_err(|e| store_error("list", e))
            .boxed()
    }

    /// Size and SHA-256 (hex) of the object, read back in full.
    pub async fn digest(&self, key: &Path) -> AppResult<(u64, String)> {
        let mut input = self.get_all(key).await?;
        let (mut hasher, mut size) = (Sha256::new(), 0u64);
        while let Some(chunk) = input.next().await {
            let chunk = chunk?;
            size += chunk.len() as u64;
            hasher.update(&chunk);
        }
        Ok((size, hex::encode(hasher.finalize())))
    }
}

/// Every configured tier's store. HOT is the local filesystem addressed by absolute path.
#[derive(Clone, Debug)]
pub struct Tiers {
    stores: BTreeMap<StorageTier, TierStore>,
}

impl Tiers {
    pub fn open(settings: &StorageSettings) -> AppResult<Tiers> {
        let mut stores = BTreeMap::new();
        stores.insert(
            StorageTier::Hot,
            TierStore { store: Arc::new(LocalFileSystem::new()), local_root: Some("/".into()), signer: None },
        );
        for tier in [StorageTier::Warm, StorageTier::Cold, StorageTier::Archive] {
            if let Some(location) = settings.location(tier) {
                stores.insert(tier, TierStore::open(&location, &settings.s3)?);
            }
        }
        Ok(Tiers { stores })
    }

    pub fn get(&self, tier: StorageTier) -> Option<&TierStore> {
        self.stores.get(&tier)
    }

    pub fn configured(&self) -> impl Iterator<Item = StorageTier> + '_ {
        self.stores.keys().copied()
    }
}
