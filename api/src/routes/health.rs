//! Liveness and readiness, outside `/api/v1` and without auth.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::{infra, state::AppState};

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready when the database answers. Redis is reported but never fails readiness: without it
/// the cache, rate limiter and locks fall back to in-process ones (fail open), so taking every
/// replica out of the load balancer at once for a Redis outage would turn it into a full one.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let db = state.db.ping().await.map_err(|e| e.message);
    let redis = match &state.redis {
        None => json!("not configured"),
        Some(pool) => match infra::redis_ping(pool).await {
            Ok(()) => json!("ok"),
            Err(e) => json!(format!("degraded: {}", e.message)),
        },
    };
    let degraded = redis.as_str().is_some_and(|r| r.starts_with("degraded"));
    let status = match (&db, degraded) {
        (Err(_), _) => "unavailable",
        (Ok(()), true) => "degraded",
        (Ok(()), false) => "ready",
    };
    let body = json!({
        "status": status,
        "database": match &db {
            Ok(()) => json!("ok"),
            Err(e) => json!(e),
        },
        "redis": redis,
    });
    if db.is_ok() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
