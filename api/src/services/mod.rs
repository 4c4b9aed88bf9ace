//! Business rules. Plain async functions over `AppState`; no actix types, so tests call them
//! directly and handlers stay thin.

pub mod audit;
pub mod auth;
pub mod cameras;
pub mod job_runs;
pub mod live;
pub mod paging;
pub mod playback;
pub mod principal_cache;
pub mod principals;
pub mod queues;
pub mod recording_links;
pub mod recordings;
pub mod retention;
pub mod revocation;
pub mod stats;
pub mod storage;
pub mod stream_state;
pub mod stream_writer;
pub mod streaming;
pub mod tokens;
pub mod unfiled;
pub mod users;

use serde::{Deserialize, Deserializer};

/// For PATCH bodies: absent field → `None`, explicit `null` → `Some(None)`.
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
