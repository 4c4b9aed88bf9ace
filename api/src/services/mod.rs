//! Business rules. Plain async functions over `AppState`; no actix types, so tests call them
//! directly and handlers stay thin.

pub mod alert_channels;
pub mod alerts;
pub mod audit;
pub mod auth;
pub mod availability;
pub mod cameras;
pub mod exports;
pub mod job_runs;
pub mod live;
pub mod paging;
pub mod playback;
pub mod principal_cache;
pub mod principals;
pub mod queues;
pub mod recorded_playback;
pub mod recording_links;
pub mod recordings;
pub mod retention;
pub mod revocation;
pub mod signed_links;
pub mod stats;
pub mod storage;
pub mod stream_state;
pub mod stream_writer;
pub mod streaming;
pub mod timeline;
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

/// JSON Schema's `integer` admits `127.0` while serde's integers do not: a number without a
/// fraction is taken as the integer it is; anything else (or one out of `T`'s range) is a 400
/// naming the value.
pub fn whole_number<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
where
    T: TryFrom<i64>,
    D: Deserializer<'de>,
{
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else { return Ok(None) };
    // Beyond ±2^63 no f64 with a fraction exists, so the cast only ever drops nothing.
    let whole =
        n.as_i64().or_else(|| n.as_f64().filter(|v| v.fract() == 0.0 && v.abs() < 9.2e18).map(|v| v as i64));
    match whole.and_then(|v| T::try_from(v).ok()) {
        Some(v) => Ok(Some(v)),
        None => Err(serde::de::Error::custom(format!("expected a whole number, got {n}"))),
    }
}

/// [`whole_number`] for PATCH bodies (see [`double_option`]).
pub fn patch_whole_number<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: TryFrom<i64>,
    D: Deserializer<'de>,
{
    whole_number(d).map(Some)
}
