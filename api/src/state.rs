//! Everything a request handler, job or hook needs, built once at start-up.

use std::sync::Arc;

use crate::{
    auth::jwt::JwtKeys,
    config::Settings,
    db::Db,
    infra::{cache::Cache, lock::JobLock, rate_limit::RateLimiter, RedisPool},
    metrics::Metrics,
    realtime::hub::Hub,
};

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub redis: Option<RedisPool>,
    pub cache: Cache,
    pub limiter: RateLimiter,
    pub locks: JobLock,
    pub hub: Hub,
    pub jwt: Arc<JwtKeys>,
    pub metrics: Arc<Metrics>,
}
