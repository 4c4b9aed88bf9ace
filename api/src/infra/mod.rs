//! Infrastructure with two implementations each: Redis when `REDIS_URL` is set (shared by every
//! replica), in-process otherwise (one machine needs nothing else).

pub mod cache;
pub mod disk;
pub mod failpoints;
pub mod lock;
pub mod log_throttle;
pub mod private;
pub mod process;
pub mod rate_limit;
pub mod storage;

use crate::error::{AppError, AppResult};

pub type RedisPool = deadpool_redis::Pool;

pub fn redis_pool(url: &str) -> AppResult<RedisPool> {
    deadpool_redis::Config::from_url(url)
        .builder()
        .map_err(|e| AppError::internal(format!("REDIS_URL: {e}")))?
        .max_size(16)
        .wait_timeout(Some(std::time::Duration::from_secs(2)))
        .create_timeout(Some(std::time::Duration::from_secs(2)))
        .runtime(deadpool_redis::Runtime::Tokio1)
        .build()
        .map_err(|e| AppError::internal(format!("REDIS_URL: {e}")))
}

pub async fn redis_ping(pool: &RedisPool) -> AppResult<()> {
    let mut conn = pool.get().await?;
    let _: String = redis::cmd("PING").query_async(&mut conn).await?;
    Ok(())
}
