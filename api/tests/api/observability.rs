//! What Argus tells about itself: the Prometheus metrics (process, cameras by status, recordings
//! and bytes per tier, job runs), the process figures of the dashboard statistics, and that the
//! Grafana dashboard and the Prometheus rules in `deploy/` use only metrics Argus exports.

use std::collections::BTreeSet;

use argus::{
    dataplane::stat::{LiveStream, Snapshot},
    services::stream_state::{self, StallWatch},
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{Backend, TestApp},
    streaming::{hook, publish_form},
};

async fn metrics(app: &TestApp) -> String {
    let resp = app.client.get(app.url("/metrics")).send().await.expect("metrics");
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.expect("body")
}

/// The value of the sample written exactly `series` (name and labels).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// Two cameras, one of them published (hook, then nginx's `/stat` in a reconciliation pass) with
/// one HOT recording, and a job run.
async fn activity(app: &TestApp, admin: &str) -> (String, i64) {
    let cam = app.create_camera(admin, "OBS-1").await;
    let id = cam["id"].as_str().expect("id").to_string();
    app.create_camera(admin, "OBS-2").await;
    let recording = crate::retention::recording(app, &id, "obs-chunk", 0).await;
    let (_, rec) = app.get(&format!("/api/v1/recordings/{recording}"), admin).await;
    let size = rec["size_bytes"].as_i64().expect("size_bytes");
    let key = cam["stream_key"].as_str().expect("stream_key");
    assert_eq!(hook(app, "auth", &publish_form(key, "1")).await.status(), StatusCode::FOUND);
    let stream = LiveStream {
        app: "live".into(),
        name: id.clone(),
        bytes_in: 1000,
        time_ms: 5000,
        publisher: Some("1".into()),
        publisher_addr: None,
    };
    let snapshot = Snapshot { node: app.state.settings.media.node_id.clone(), streams: vec![stream] };
    stream_state::reconcile(&app.state, &StallWatch::default(), snapshot).await.expect("reconciled");
    let (status, body) = app.call(Method::POST, "/api/v1/jobs/rotate-chunks/run", Some(admin), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (id, size)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_expose_the_process_cameras_storage_and_jobs() {
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let admin = app.admin().await;
    let (_, size) = activity(&app, &admin).await;
    let text = metrics(&app).await;
    // CPU seconds are whole seconds: a fresh test process may not have used one yet.
    let process = [
        ("process_resident_memory_bytes", 1e6),
        ("process_start_time_seconds", 1e9),
        ("process_open_fds", 1.0),
        ("process_cpu_seconds_total", 0.0),
    ];
    for (family, at_least) in process {
        assert!(sample(&text, family).is_some_and(|v| v >= at_least), "{family}: {text}");
    }
    let expected = [
        ("cameras{status=\"online\"}", 1.0),
        ("cameras{status=\"offline\"}", 1.0),
        ("cameras{status=\"error\"}", 0.0),
        ("recordings{tier=\"hot\"}", 1.0),
        ("recordings{tier=\"warm\"}", 0.0),
        ("recording_bytes{tier=\"hot\"}", size as f64),
        ("recording_bytes{tier=\"archive\"}", 0.0),
        ("job_runs_total{job_name=\"rotate-chunks\",outcome=\"ok\"}", 1.0),
        ("job_duration_seconds_count{job_name=\"rotate-chunks\"}", 1.0),
    ];
    for (series, value) in expected {
        assert_eq!(sample(&text, series), Some(value), "{series}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_stats_carry_the_process_figures_and_the_recordings() {
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let admin = app.admin().await;
    activity(&app, &admin).await;
    let (status, stats) = app.get("/api/v1/dashboard/stats", &admin).await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(
        (&stats["recordings_total"], &stats["total_recordings"], &stats["recordings_by_tier"]),
        (&json!(1), &json!(1), &json!({"hot": 1, "warm": 0, "cold": 0, "archive": 0})),
        "{stats}"
    );
    assert!(stats["uptime_secs"].as_i64().is_some_and(|u| u >= 0), "{stats}");
    assert!(stats["memory_rss_bytes"].as_i64().is_some_and(|m| m > 1 << 20), "{stats}");
    assert!(stats["cpu_percent"].as_f64().is_some_and(|c| c >= 0.0), "{stats}");
    // Served from the cache, the process figures are still fresh.
    let (_, again) = app.get("/api/v1/dashboard/stats", &admin).await;
    assert!(again["memory_rss_bytes"].as_i64().is_some_and(|m| m > 1 << 20), "{again}");
}

/// Series Argus does not export: Prometheus' own, and those of the alerts and alert channels
/// work (`alerts_open`, `alert_deliveries_total`) until it is merged into `metrics.rs`.
const NOT_FROM_ARGUS: &[&str] = &["up"];

/// Operators and aggregations (`sum by (…) (…)` puts no parenthesis right after `sum`).
const PROMQL_WORDS: &[&str] = &[
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "inf",
    "nan",
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
];
const GROUPING: &[&str] = &["by", "without", "on", "ignoring", "group_left", "group_right"];

/// The metric names a PromQL expression reads: identifiers outside label matchers, ranges,
/// strings and grouping clauses that are not function calls or operators.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let chars: Vec<char> = expr.chars().collect();
    let skip_to = |from: usize, close: char| {
        chars[from + 1..].iter().position(|c| *c == close).map_or(chars.len(), |p| from + 2 + p)
    };
    let next_nonspace = |from: usize| chars[from..].iter().find(|c| !c.is_whitespace()).copied();
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' => i = skip_to(i, c),
            '{' => i = skip_to(i, '}'),
            '[' => i = skip_to(i, ']'),
            c if c.is_ascii_alphabetic() || c == '_' || c == ':' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let next = next_nonspace(i);
                if GROUPING.contains(&word.as_str()) && next == Some('(') {
                    let open = i + chars[i..].iter().position(|c| *c == '(').unwrap_or(0);
                    i = skip_to(open, ')');
                } else if next != Some('(') && !PROMQL_WORDS.contains(&word.to_lowercase().as_str()) {
                    out.insert(word);
                }
            }
            c if c.is_ascii_digit() => {
                // A number or a duration (5m, 1e9): not a name.
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[test]
fn promql_names_are_found_outside_matchers_ranges_and_groupings() {
    let names = metric_names(
        r#"histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{route=~"/api/v1/x.*"}[$__rate_interval]))) > 1e3 and on (instance) up == 1 unless time() - process_start_time_seconds < 5m or min(stream_quality_score) without (camera_id) < 1"#,
    );
    let expected: BTreeSet<String> =
        ["http_request_duration_seconds_bucket", "up", "process_start_time_seconds", "stream_quality_score"]
            .map(String::from)
            .into();
    assert_eq!(names, expected);
}

fn repo_file(path: &str) -> String {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Every `expr` of the Grafana dashboard's panels and of the Prometheus rules.
fn deployed_expressions() -> Vec<String> {
    let dashboard: Value =
        serde_json::from_str(&repo_file("deploy/grafana/argus.json")).expect("dashboard JSON");
    let mut exprs: Vec<String> = dashboard["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .map(|t| t["expr"].as_str().expect("a target has an expr").to_string())
        .collect();
    assert!(exprs.len() >= 10, "the dashboard has its panels: {exprs:?}");
    let rules = repo_file("deploy/prometheus/alerts.yml");
    let before = exprs.len();
    exprs.extend(rules.lines().filter_map(|l| l.trim().strip_prefix("expr:")).map(|e| e.trim().to_string()));
    assert!(exprs.len() - before >= 10, "the rules have their expressions");
    exprs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grafana_dashboard_and_alert_rules_use_only_exported_metrics() {
    let app = TestApp::spawn(Backend::Sqlite, false).await;
    let admin = app.admin().await;
    let (camera, _) = activity(&app, &admin).await;
    // A transcoder report: the quality gauge of the live camera.
    let url = app.url(&format!("/api/v1/streaming/quality?secret={}", app.state.media.hook_secret));
    let report = json!({"stream": camera, "target_fps": 25.0, "previous": null,
        "sample": {"frame": 250, "fps": 25.0, "bitrate_kbps": 3000.0, "drop_frames": 0, "dup_frames": 0, "speed": 1.0, "ended": false}});
    let resp = app.client.post(url).json(&report).send().await.expect("quality report");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let text = metrics(&app).await;
    let exported: BTreeSet<&str> =
        text.lines().filter_map(|l| l.strip_prefix("# TYPE ")?.split_whitespace().next()).collect();
    let known = |name: &str| {
        let base = ["_bucket", "_sum", "_count"].iter().find_map(|s| name.strip_suffix(s)).unwrap_or(name);
        exported.contains(name) || exported.contains(base) || NOT_FROM_ARGUS.contains(&name)
    };
    let mut unknown = BTreeSet::new();
    for expr in deployed_expressions() {
        unknown.extend(metric_names(&expr).into_iter().filter(|n| !known(n)));
    }
    assert!(unknown.is_empty(), "not exported by Argus: {unknown:?}\n{text}");
}
