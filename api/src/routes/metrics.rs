//! The HTTP side of `crate::metrics`: the middleware that counts every request and the
//! Prometheus endpoint.

use std::time::Instant;

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web, Error, HttpResponse,
};

use crate::state::AppState;

/// Middleware: counts every request under its route *pattern* (not the raw path, which would
/// explode the label set with ids).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let metrics = req.app_data::<web::Data<AppState>>().map(|s| s.metrics.clone());
    // Finding the pattern walks every route's matcher: once per request, for the metrics and
    // for the request's log span (this runs inside it; see `telemetry::RedactingRootSpan`).
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_string());
    tracing::Span::current().record("http.route", route.as_str());
    let res = next.call(req).await?;
    if let Some(m) = metrics {
        let status = res.status().as_u16().to_string();
        m.http_requests.with_label_values(&[&method, &route, &status]).inc();
        m.http_latency.with_label_values(&[&method, &route]).observe(started.elapsed().as_secs_f64());
    }
    Ok(res)
}

/// The Prometheus text; behind `Authorization: Bearer <ARGUS_METRICS_TOKEN>` when that is set.
pub async fn endpoint(req: actix_web::HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(token) = &state.settings.security.metrics_token {
        let given = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        // Compare digests so the time taken says nothing about the token.
        if crate::auth::sha256_hex(given) != crate::auth::sha256_hex(token) {
            return actix_web::ResponseError::error_response(&crate::error::AppError::unauthorized(
                "metrics need the ARGUS_METRICS_TOKEN bearer token",
            ));
        }
    }
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(state.metrics.render())
}
