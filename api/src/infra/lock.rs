//! Job locks: with several replicas, a scheduled job runs on one of them at a time.
//! Redis `SET NX PX` when shared; in one process every job already runs once, so the local lock
//! only guards against a slow run overlapping the next tick.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use super::RedisPool;

#[derive(Clone)]
pub enum JobLock {
    Local(Arc<Mutex<HashSet<String>>>),
    Redis { pool: RedisPool, prefix: String, owner: String },
}

/// Held lock; release it with [`JobLock::release`] (a crashed holder's Redis lock expires).
pub struct LockGuard {
    name: String,
}

impl JobLock {
    pub fn local() -> JobLock {
        JobLock::Local(Arc::new(Mutex::new(HashSet::new())))
    }

    pub fn redis(pool: RedisPool, prefix: &str) -> JobLock {
        JobLock::Redis { pool, prefix: format!("{prefix}:lock:"), owner: uuid::Uuid::new_v4().to_string() }
    }

    pub async fn try_acquire(&self, name: &str, ttl: Duration) -> Option<LockGuard> {
        let acquired = match self {
            JobLock::Local(set) => set.lock().map(|mut s| s.insert(name.to_string())).unwrap_or(false),
            JobLock::Redis { pool, prefix, owner } => {
                let result: Result<Option<String>, String> = async {
                    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
                    redis::cmd("SET")
                        .arg(format!("{prefix}{name}"))
                        .arg(owner)
                        .arg("NX")
                        .arg("PX")
                        .arg(ttl.as_millis() as u64)
                        .query_async(&mut conn)
                        .await
                        .map_err(|e| e.to_string())
                }
                .await;
                matches!(result, Ok(Some(_)))
            }
        };
        acquired.then(|| LockGuard { name: name.to_string() })
    }

    pub async fn release(&self, guard: LockGuard) {
        match self {
            JobLock::Local(set) => {
                if let Ok(mut s) = set.lock() {
                    s.remove(&guard.name);
                }
            }
            JobLock::Redis { pool, prefix, owner } => {
                // Delete only if we still own it (it may have expired and been taken by another).
                const SCRIPT: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
                                      return redis.call('DEL', KEYS[1]) else return 0 end";
                if let Ok(mut conn) = pool.get().await {
                    let r: Result<i64, _> = redis::Script::new(SCRIPT)
                        .key(format!("{prefix}{}", guard.name))
                        .arg(owner)
                        .invoke_async(&mut conn)
                        .await;
                    if let Err(e) = r {
                        tracing::warn!(error = %e, "job lock release failed");
                    }
                }
            }
        }
    }
}
