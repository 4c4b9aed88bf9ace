//! Everything a request handler, job or hook needs, built once at start-up.

use std::{collections::BTreeMap, sync::Arc};

use crate::{
    auth::jwt::JwtKeys,
    config::Settings,
    dataplane::{control::NginxControl, profiles::Profile, recorders::Recorders},
    db::Db,
    infra::{cache::Cache, lock::JobLock, log_throttle::LogThrottle, rate_limit::RateLimiter, RedisPool},
    metrics::Metrics,
    realtime::hub::Hub,
    services::{
        alerts::memory::AlertMemory,
        principal_cache::PrincipalCache,
        queues::{IngestQueue, StreamEvents},
        storage::Storage,
    },
};

/// Secrets shared with nginx.
pub struct MediaSecrets {
    /// In every hook URL nginx calls.
    pub hook_secret: String,
    /// Signs HLS URLs (`secure_link_md5`).
    pub playback_secret: String,
}

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
    pub media: Arc<MediaSecrets>,
    /// Transcoding profiles from `ffmpeg-profiles/`, by name.
    pub profiles: Arc<BTreeMap<String, Profile>>,
    /// Hook consequences, applied in batches by `services::stream_writer`.
    pub stream_events: StreamEvents,
    /// Finished recording chunks waiting to be filed by `services::recordings`.
    pub ingest: IngestQueue,
    /// Authenticated principals, briefly (`services::principals`).
    pub principals: PrincipalCache,
    /// Throttles the recorders' "nginx control unreachable" warning (see [`Recorders`]).
    pub recorder_log: Arc<LogThrottle>,
    /// The storage tiers and the moves between them.
    pub storage: Storage,
    /// Nudges the alert delivery worker (`services::alert_channels::wake`).
    pub alert_wake: Arc<tokio::sync::Notify>,
    /// What the alert sources remember between reports (`services::alerts::memory`).
    pub alert_memory: Arc<AlertMemory>,
}

impl AppState {
    /// nginx's control module on this node (recorders, dropping a publisher).
    pub fn nginx_control(&self) -> NginxControl {
        NginxControl { port: self.settings.media.nginx_http_port }
    }

    /// The recorders of this node's nginx and where they write.
    pub fn recorders(&self) -> Recorders {
        let media = &self.settings.media;
        Recorders {
            control: self.nginx_control(),
            record_dir: media.record_dir.clone(),
            interval_secs: media.record_interval_secs,
            unreachable_log: self.recorder_log.clone(),
        }
    }
}
