//! Fixed-window rate limiter: a counter per (key, window). Redis `INCR` + `EXPIRE` when shared,
//! an in-process map otherwise.

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
    /// Hits in the current window, this one included (for `hit`).
    pub count: u64,
    pub info: RateInfo,
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl RateLimiter {
    pub fn local() -> RateLimiter {
        RateLimiter::Local(
            moka::sync::Cache::builder()
                .max_capacity(200_000)
                // Longer than any window we use; stale windows simply age out.
                .time_to_live(Duration::from_secs(2 * 3600))
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
        let slot = format!("{key}:{window}");
        let count = match self {
            RateLimiter::Local(map) => {
                map.get_with(slot, || Arc::new(AtomicU64::new(0))).fetch_add(1, Ordering::Relaxed) + 1
            }
            RateLimiter::Redis { pool, prefix } => {
                match redis_incr(pool, &format!("{prefix}{slot}"), window_secs).await {
                    Ok(n) => n,
                    Err(e) => {
                        // Fail open: a Redis outage must not lock every user out.
                        tracing::warn!(error = %e, "rate limiter unavailable, allowing");
                        0
                    }
                }
            }
        };
        Decision {
            allowed: count <= limit,
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
        let slot = format!("{key}:{window}");
        let count = match self {
            RateLimiter::Local(map) => map.get(&slot).map(|c| c.load(Ordering::Relaxed)).unwrap_or(0),
            RateLimiter::Redis { pool, prefix } => {
                let key = format!("{prefix}{slot}");
                async {
                    let mut conn = pool.get().await.ok()?;
                    redis::cmd("GET").arg(&key).query_async::<Option<u64>>(&mut conn).await.ok()?
                }
                .await
                .unwrap_or(0)
            }
        };
        Decision {
            allowed: count < limit,
            count,
            info: RateInfo { limit, remaining: limit.saturating_sub(count), reset_secs },
        }
    }
}

async fn redis_incr(pool: &RedisPool, key: &str, window_secs: u64) -> Result<u64, String> {
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    let (count,): (u64,) = redis::pipe()
        .atomic()
        .cmd("INCR")
        .arg(key)
        .cmd("EXPIRE")
        .arg(key)
        .arg(window_secs + 1)
        .arg("NX")
        .ignore()
        .query_async(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    Ok(count)
}

#[cfg(test)]
mod tests {
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
