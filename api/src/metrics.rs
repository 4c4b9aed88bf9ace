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
    /// Cameras (not deleted) by stream status; set with `cameras_online`.
    pub cameras: IntGaugeVec,
    /// Recordings and their bytes per storage tier; set with `cameras_online` and after storage runs.
    pub recordings: IntGaugeVec,
    pub recording_bytes: IntGaugeVec,
    /// Labelled `job_name`, not `job`: Prometheus gives every scraped series a `job` label of
    /// its own (the scrape job), which would rename ours to `exported_job`.
    pub job_runs: IntCounterVec,
    pub job_duration: HistogramVec,
    /// Alert channel deliveries by channel kind and outcome (delivered, retry, failed).
    pub alert_deliveries: IntCounterVec,
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
        let alert_deliveries = IntCounterVec::new(
            Opts::new(
                "alert_deliveries_total",
                "alert channel delivery attempts by channel kind and outcome",
            ),
            &["kind", "outcome"],
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
        let cameras = IntGaugeVec::new(Opts::new("cameras", "cameras by stream status"), &["status"])?;
        let recordings = IntGaugeVec::new(Opts::new("recordings", "recordings per storage tier"), &["tier"])?;
        let recording_bytes =
            IntGaugeVec::new(Opts::new("recording_bytes", "bytes of footage per storage tier"), &["tier"])?;
        let job_runs = IntCounterVec::new(
            Opts::new("job_runs_total", "scheduled job runs by job and outcome (ok, failed, skipped)"),
            &["job_name", "outcome"],
        )?;
        let job_duration = HistogramVec::new(
            HistogramOpts::new(
                "job_duration_seconds",
                "duration of the scheduled jobs' runs (skips excluded)",
            )
            .buckets(vec![0.005, 0.025, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0]),
            &["job_name"],
        )?;
        registry.register(Box::new(cameras.clone()))?;
        registry.register(Box::new(recordings.clone()))?;
        registry.register(Box::new(recording_bytes.clone()))?;
        registry.register(Box::new(job_runs.clone()))?;
        registry.register(Box::new(job_duration.clone()))?;
        // CPU seconds, resident memory, open fds, start time (process_* on Linux).
        registry.register(Box::new(prometheus::process_collector::ProcessCollector::for_self()))?;
        registry.register(Box::new(alert_deliveries.clone()))?;
        // Every series exported from the start at 0, so rates and alert rules see a first sample
        // instead of a series that appears with the first failure.
        for kind in ["webhook", "email"] {
            for outcome in ["delivered", "retry", "failed"] {
                alert_deliveries.with_label_values(&[kind, outcome]);
            }
        }
        registry.register(Box::new(alerts_open.clone()))?;
        Ok(Metrics {
            registry,
            http_requests,
            http_latency,
            hook_calls,
            cameras_online,
            ws_clients,
            stream_quality,
            cameras,
            recordings,
            recording_bytes,
            job_runs,
            job_duration,
            alert_deliveries,
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
