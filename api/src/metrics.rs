//! Prometheus metrics on an app-owned registry (several apps in one test process don't clash).
//! The request-counting middleware and the `/metrics` endpoint are in `routes::metrics`.

use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

pub struct Metrics {
    pub registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_latency: HistogramVec,
    pub hook_calls: IntCounterVec,
    pub cameras_online: IntGauge,
    pub ws_clients: IntGauge,
    pub stream_quality: GaugeVec,
    /// Not-resolved alerts by type (`services::alerts`).
    pub alerts_open: IntGaugeVec,
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
        let alerts_open = IntGaugeVec::new(
            Opts::new("alerts_open", "alerts not resolved (open or acknowledged) by type"),
            &["type"],
        )?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_latency.clone()))?;
        registry.register(Box::new(hook_calls.clone()))?;
        registry.register(Box::new(cameras_online.clone()))?;
        registry.register(Box::new(ws_clients.clone()))?;
        registry.register(Box::new(stream_quality.clone()))?;
        registry.register(Box::new(alerts_open.clone()))?;
        Ok(Metrics {
            registry,
            http_requests,
            http_latency,
            hook_calls,
            cameras_online,
            ws_clients,
            stream_quality,
            alerts_open,
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
