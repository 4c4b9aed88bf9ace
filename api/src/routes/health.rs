//! Liveness and readiness, outside `/api/v1` and without auth.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::{infra, state::AppState};

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready when the database answers, and Redis too when configured.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let db = state.db.ping().await.map_err(|e| e.message);
    let redis = match &state.redis {
        None => None,
        Some(pool) => Some(infra::redis_ping(pool).await.map_err(|e| e.message)),
    };
    let ok = db.is_ok() && redis.as_ref().is_none_or(|r| r.is_ok());
    let show = |r: &Result<(), String>| match r {
        Ok(()) => json!("ok"),
        Err(e) => json!(e),
    };
    let body = json!({
        "status": if ok { "ready" } else { "unavailable" },
        "database": show(&db),
        "redis": redis.as_ref().map(show).unwrap_or(json!("not configured")),
    });
    if ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
