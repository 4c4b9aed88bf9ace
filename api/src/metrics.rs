//! Prometheus metrics on an app-owned registry (several apps in one test process don't clash).

use std::time::Instant;

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web, Error, HttpResponse,
};
use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::state::AppState;

pub struct Metrics {
    pub registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_latency: HistogramVec,
    pub hook_calls: IntCounterVec,
    pub cameras_online: IntGauge,
    pub ws_clients: IntGauge,
    pub stream_quality: GaugeVec,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by method, route and status code"),
            &["method", "route", "status_code"],
        )?;
        let http_latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route"],
        )?;
        let hook_calls = IntCounterVec::new(
            Opts::new("hook_calls_total", "nginx-rtmp hook calls by hook and outcome"),
            &["hook", "outcome"],
        )?;
        let cameras_online = IntGauge::new("cameras_online", "cameras currently publishing")?;
        let ws_clients = IntGauge::new("websocket_clients", "connected WebSocket clients")?;
        let stream_quality = GaugeVec::new(
            Opts::new("stream_quality_score", "0..100 transcoder health per camera"),
            &["camera_id"],
        )?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_latency.clone()))?;
        registry.register(Box::new(hook_calls.clone()))?;
        registry.register(Box::new(cameras_online.clone()))?;
        registry.register(Box::new(ws_clients.clone()))?;
        registry.register(Box::new(stream_quality.clone()))?;
        Ok(Metrics {
            registry,
            http_requests,
            http_latency,
            hook_calls,
            cameras_online,
            ws_clients,
            stream_quality,
        })
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %e, "metrics encoding failed");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// Middleware: counts every request under its route *pattern* (not the raw path, which would
/// explode the label set with ids).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let metrics = req.app_data::<web::Data<AppState>>().map(|s| s.metrics.clone());
    let res = next.call(req).await?;
    if let Some(m) = metrics {
        let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_string());
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
