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

/// JSON Schema's `integer` admits `127.0` while serde's `i32` does not: a number without a
/// fraction is taken as the integer it is; anything else is a 400 naming the value.
pub fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    match Option::<f64>::deserialize(d)? {
        None => Ok(None),
        Some(v) if v.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&v) => {
            Ok(Some(v as i32))
        }
        Some(v) => Err(serde::de::Error::custom(format!("expected a whole number, got {v}"))),
    }
}

/// [`whole_number`] for PATCH bodies (see [`double_option`]).
pub fn patch_whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i32>>, D::Error> {
    whole_number(d).map(Some)
}
