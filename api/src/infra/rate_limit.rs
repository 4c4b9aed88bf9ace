//! Sliding-window rate limiter: a counter per (key, fixed window), and a decision on the current
//! count plus the previous window's weighted by how much of it still lies within one window of
//! now. A burst just before a window boundary therefore still counts just after it (a plain
//! fixed window would forget it at once). Redis `INCR` + `EXPIRE` when shared, an in-process map
//! otherwise.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use super::RedisPool;
use crate::error::RateInfo;

#[derive(Clone)]
pub enum RateLimiter {
    Local(moka::sync::Cache<String, Arc<AtomicU64>>),
    Redis { pool: RedisPool, prefix: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Hits in the current fixed window, this one included (for `hit`).
    pub count: u64,
    pub info: RateInfo,
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// `count` plus the share of the previous window's hits that still lies within one window,
/// rounded up: rounding down would let one extra hit through when a burst straddles a boundary
/// (3 hits just before it weigh 2.99, and a limit of 5 would admit 3 more after it).
fn sliding_estimate(count: u64, previous: u64, now: u64, window_secs: u64) -> u64 {
    let elapsed = now % window_secs;
    count + (previous * (window_secs - elapsed)).div_ceil(window_secs)
}

impl RateLimiter {
    pub fn local() -> RateLimiter {
        RateLimiter::Local(
            moka::sync::Cache::builder()
                .max_capacity(200_000)
                // Longer than two of any window we use; stale windows simply age out.
                .time_to_live(Duration::from_secs(3 * 3600))
                .build(),
        )
    }

    pub fn redis(pool: RedisPool, prefix: &str) -> RateLimiter {
        RateLimiter::Redis { pool, prefix: format!("{prefix}:rl:") }
    }

    /// Counts one hit against `key` and says whether it is within `limit` per `window_secs`.
    pub async fn hit(&self, key: &str, limit: u64, window_secs: u64) -> Decision {
        let window_secs = window_secs.max(1);
        let now = now_secs();
        let window = now / window_secs;
        let reset_secs = (window + 1) * window_secs - now;
        let (slot, previous_slot) = (format!("{key}:{window}"), format!("{key}:{}", window.wrapping_sub(1)));
        let (count, previous) = match self {
            RateLimiter::Local(map) => {
                let count =
                    map.get_with(slot, || Arc::new(AtomicU64::new(0))).fetch_add(1, Ordering::Relaxed) + 1;
                (count, map.get(&previous_slot).map(|c| c.load(Ordering::Relaxed)).unwrap_or(0))
            }
            RateLimiter::Redis { pool, prefix } => {
                let keys = (format!("{prefix}{slot}"), format!("{prefix}{previous_slot}"));
                match redis_incr(pool, &keys.0, &keys.1, window_secs).await {
                    Ok(counts) => counts,
                    Err(e) => {
                        // Fail open: a Redis outage must not lock every user out.
                        tracing::warn!(error = %e, "rate limiter unavailable, allowing");
                        (0, 0)
                    }
                }
            }
        };
        Decision {
            allowed: sliding_estimate(count, previous, now, window_secs) <= limit,
            count,
            info: RateInfo { limit, remaining: limit.saturating_sub(count), reset_secs },
        }
    }

    /// Gives back one hit of the current window (an attempt that turned out legitimate).
    pub async fn undo(&self, key: &str, window_secs: u64) {
        let window = now_secs() / window_secs.max(1);
        let slot = format!("{key}:{window}");
        match self {
            RateLimiter::Local(map) => {
                if let Some(c) = map.get(&slot) {
                    let _ = c.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
                }
            }
            RateLimiter::Redis { pool, prefix } => {
                let key = format!("{prefix}{slot}");
                let res = async {
                    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
                    redis::cmd("DECR")
                        .arg(&key)
                        .query_async::<i64>(&mut conn)
                        .await
                        .map_err(|e| e.to_string())
                }
                .await;
                if let Err(e) = res {
                    tracing::warn!(error = %e, "rate limiter: could not give a hit back");
                }
            }
        }
    }

    /// Current count without adding a hit (used to refuse before doing expensive work).
    pub async fn peek(&self, key: &str, limit: u64, window_secs: u64) -> Decision {
        let window_secs = window_secs.max(1);
        let now = now_secs();
        let window = now / window_secs;
        let reset_secs = (window + 1) * window_secs - now;
        let (slot, previous_slot) = (format!("{key}:{window}"), format!("{key}:{}", window.wrapping_sub(1)));
        let (count, previous) = match self {
            RateLimiter::Local(map) => {
                let read = |slot: &str| map.get(slot).map(|c| c.load(Ordering::Relaxed)).unwrap_or(0);
                (read(&slot), read(&previous_slot))
            }
            RateLimiter::Redis { pool, prefix } => {
                let keys = [format!("{prefix}{slot}"), format!("{prefix}{previous_slot}")];
                async {
                    let mut conn = pool.get().await.ok()?;
                    let counts: Vec<Option<u64>> =
                        redis::cmd("MGET").arg(&keys).query_async(&mut conn).await.ok()?;
                    Some((
                        counts.first().copied().flatten().unwrap_or(0),
                        counts.get(1).copied().flatten().unwrap_or(0),
                    ))
                }
                .await
                .unwrap_or((0, 0))
            }
        };
        Decision {
            allowed: sliding_estimate(count, previous, now, window_secs) < limit,
            count,
            info: RateInfo { limit, remaining: limit.saturating_sub(count), reset_secs },
        }
    }
}

/// INCR of the current window's counter (kept two windows: the next one still weighs it) and
/// the previous window's count, in one round trip.
async fn redis_incr(
    pool: &RedisPool,
    key: &str,
    previous: &str,
    window_secs: u64,
) -> Result<(u64, u64), String> {
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    let (count, previous): (u64, Option<u64>) = redis::pipe()
        .atomic()
        .cmd("INCR")
        .arg(key)
        .cmd("EXPIRE")
        .arg(key)
        .arg(2 * window_secs + 1)
        .arg("NX")
        .ignore()
        .cmd("GET")
        .arg(previous)
        .query_async(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    Ok((count, previous.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_burst_before_a_window_boundary_still_counts_after_it() {
        // 20 hits in the window that just ended, 1 s into the next 300 s window: 19.93 of them
        // still weigh, counted as 20.
        assert_eq!(super::sliding_estimate(1, 20, 300 * 5 + 1, 300), 1 + 20);
        // 3 hits before the boundary and a limit of 5: only 2 more fit after it, not 3.
        let admitted_after =
            (1..=5).filter(|n| super::sliding_estimate(*n, 3, 300 * 5 + 1, 300) <= 5).count();
        assert_eq!(admitted_after, 2);
        // Half-way through, half of them; a full window later, none.
        assert_eq!(super::sliding_estimate(0, 20, 300 * 5 + 150, 300), 10);
        assert_eq!(super::sliding_estimate(3, 0, 300 * 5 + 299, 300), 3);
    }

    use super::*;

    #[tokio::test]
    async fn local_limit_counts_per_key() {
        let rl = RateLimiter::local();
        for i in 1..=3 {
            let d = rl.hit("k", 3, 3600).await;
            assert!(d.allowed, "hit {i}");
            assert_eq!(d.info.remaining, 3 - i);
        }
        let d = rl.hit("k", 3, 3600).await;
        assert!(!d.allowed);
        assert!(d.info.reset_secs <= 3600);
        assert!(rl.hit("other", 3, 3600).await.allowed);
        assert!(!rl.peek("k", 3, 3600).await.allowed);
        rl.undo("other", 3600).await;
        assert_eq!(rl.hit("other", 3, 3600).await.count, 1);
    }

    #[tokio::test]
    async fn parallel_hits_let_exactly_the_limit_through() {
        let rl = RateLimiter::local();
        let hits = (0..50).map(|_| {
            let rl = rl.clone();
            tokio::spawn(async move { rl.hit("p", 7, 3600).await.allowed })
        });
        let allowed =
            futures_util::future::join_all(hits).await.into_iter().filter(|r| *r.as_ref().unwrap()).count();
        assert_eq!(allowed, 7);
    }
}
