//! A small string cache with explicit invalidation. Lists are cached under a *generation*
//! number: a write bumps the generation, so every cached page of the old generation is dead at
//! once — on every replica when the generation lives in Redis.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use redis::AsyncCommands;

use super::RedisPool;

#[derive(Clone)]
pub enum Cache {
    Local(Arc<LocalCache>),
    Redis { pool: RedisPool, prefix: String },
}

pub struct LocalCache {
    entries: moka::sync::Cache<String, (Arc<str>, Instant)>,
    generations: Mutex<HashMap<String, u64>>,
}

impl Cache {
    pub fn local() -> Cache {
        Cache::Local(Arc::new(LocalCache {
            entries: moka::sync::Cache::builder()
                // Room for every stream key of a large fleet (preloaded at start) besides the
                // pages and principals; an entry is a few hundred bytes.
                .max_capacity(50_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
            generations: Mutex::new(HashMap::new()),
        }))
    }

    pub fn redis(pool: RedisPool, prefix: &str) -> Cache {
        Cache::Redis { pool, prefix: format!("{prefix}:cache:") }
    }

    pub async fn get(&self, key: &str) -> Option<String> {
        match self {
            Cache::Local(c) => match c.entries.get(key) {
                Some((v, until)) if until > Instant::now() => Some(v.to_string()),
                _ => None,
            },
            Cache::Redis { pool, prefix } => {
                let mut conn = pool.get().await.ok()?;
                conn.get::<_, Option<String>>(format!("{prefix}{key}")).await.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "cache read failed");
                    None
                })
            }
        }
    }

    pub async fn set(&self, key: &str, value: &str, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        match self {
            Cache::Local(c) => {
                c.entries.insert(key.to_string(), (Arc::from(value), Instant::now() + ttl));
            }
            Cache::Redis { pool, prefix } => {
                let result = async {
                    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
                    conn.set_ex::<_, _, ()>(format!("{prefix}{key}"), value, ttl.as_secs().max(1))
                        .await
                        .map_err(|e| e.to_string())
                }
                .await;
                if let Err(e) = result {
                    tracing::warn!(error = %e, "cache write failed");
                }
            }
        }
    }

    pub async fn delete(&self, key: &str) {
        match self {
            Cache::Local(c) => c.entries.invalidate(key),
            Cache::Redis { pool, prefix } => {
                if let Ok(mut conn) = pool.get().await {
                    let r: Result<(), _> = conn.del(format!("{prefix}{key}")).await;
                    if let Err(e) = r {
                        tracing::warn!(error = %e, "cache delete failed");
                    }
                }
            }
        }
    }

    /// Current generation of a namespace (0 when never bumped).
    pub async fn generation(&self, namespace: &str) -> u64 {
        self.checked_generation(namespace).await.unwrap_or(0)
    }

    /// Like `generation`, but `None` when Redis cannot be read: a cache whose invalidation must
    /// never be missed (authenticated principals) is then bypassed instead of trusted.
    pub async fn checked_generation(&self, namespace: &str) -> Option<u64> {
        match self {
            Cache::Local(c) => c.generations.lock().ok().map(|g| *g.get(namespace).unwrap_or(&0)),
            Cache::Redis { pool, prefix } => {
                let mut conn = pool.get().await.ok()?;
                conn.get::<_, Option<u64>>(format!("{prefix}gen:{namespace}"))
                    .await
                    .ok()
                    .map(|g| g.unwrap_or(0))
            }
        }
    }

    /// Invalidates every entry cached under the namespace's current generation.
    pub async fn bump(&self, namespace: &str) {
        match self {
            Cache::Local(c) => {
                if let Ok(mut g) = c.generations.lock() {
                    *g.entry(namespace.to_string()).or_insert(0) += 1;
                }
            }
            Cache::Redis { pool, prefix } => {
                let r = async {
                    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
                    conn.incr::<_, _, u64>(format!("{prefix}gen:{namespace}"), 1)
                        .await
                        .map_err(|e| e.to_string())
                }
                .await;
                if let Err(e) = r {
                    tracing::warn!(error = %e, namespace, "cache invalidation failed");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_entries_expire_and_generations_bump() {
        let cache = Cache::local();
        cache.set("a", "1", Duration::from_millis(50)).await;
        assert_eq!(cache.get("a").await.as_deref(), Some("1"));
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(cache.get("a").await, None);

        assert_eq!(cache.generation("cams").await, 0);
        cache.bump("cams").await;
        cache.bump("cams").await;
        assert_eq!(cache.generation("cams").await, 2);
        assert_eq!(cache.generation("other").await, 0);
    }
}
