//! HTTP layer: extract, authorize, call a service, map to a response. No rules live here.

pub mod alert_channels;
pub mod alerts;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod camera_health;
pub mod cameras;
pub mod dashboard;
pub mod exports;
pub mod fallback;
pub mod health;
pub mod hooks;
pub mod jobs;
pub mod live;
pub mod metrics;
pub mod recorded_playback;
mod recording_bytes;
pub mod recordings;
pub mod spa;
pub mod storage;
pub mod users;
pub mod ws;

use utoipa_actix_web::service_config::ServiceConfig;

/// Every `/api/v1` route. Handlers are registered with `.service()` so utoipa sees them.
pub fn configure(cfg: &mut ServiceConfig) {
    auth::configure(cfg);
    users::configure(cfg);
    cameras::configure(cfg);
    camera_health::configure(cfg);
    api_tokens::configure(cfg);
    audit::configure(cfg);
    jobs::configure(cfg);
    dashboard::configure(cfg);
    recordings::configure(cfg);
    exports::configure(cfg);
    alert_channels::configure(cfg);
    alerts::configure(cfg);
    recorded_playback::configure(cfg);
    storage::configure(cfg);
    hooks::configure(cfg);
    live::configure(cfg);
    ws::configure(cfg);
}
