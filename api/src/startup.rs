//! Wires settings into state and state into an HTTP server.

use std::{net::TcpListener, sync::Arc};

use actix_web::{
    body::MessageBody,
    dev::{Server, ServiceRequest, ServiceResponse},
    middleware::{from_fn, Next},
    web, App, HttpMessage, HttpServer,
};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    auth::jwt::{load_or_create_secret, JwtKeys},
    config::Settings,
    db::Db,
    error::{self, RateInfo},
    http_headers,
    infra::{self, cache::Cache, lock::JobLock, log_throttle::LogThrottle, rate_limit::RateLimiter},
    metrics::Metrics,
    realtime::{bridge, hub::Hub},
    routes::{self, health, metrics},
    services::{queues, recordings, storage::Storage, stream_state, stream_writer},
    state::{AppState, MediaSecrets},
    telemetry,
};

/// Connects to the database (and Redis), applies migrations and assembles the shared state.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    infra::private::private_dir(&settings.data_dir)
        .map_err(|e| anyhow::anyhow!("ARGUS_DATA_DIR {}: {e}", settings.data_dir.display()))?;
    let db = Db::connect(&settings.database_url, settings.database_pool_size)
        .map_err(|e| anyhow::anyhow!("DATABASE_URL: {}", e.message))?;
    let applied = db.migrate().await.map_err(|e| anyhow::anyhow!(e.message))?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied migrations");
    }
    let redis = match &settings.redis_url {
        Some(url) => {
            let pool = infra::redis_pool(url).map_err(|e| anyhow::anyhow!(e.message))?;
            infra::redis_ping(&pool).await.map_err(|e| anyhow::anyhow!("REDIS_URL: {}", e.message))?;
            Some(pool)
        }
        None => None,
    };
    let prefix = settings.redis_prefix.clone();
    let (cache, limiter, locks) = match &redis {
        Some(pool) => (
            Cache::redis(pool.clone(), &prefix),
            RateLimiter::redis(pool.clone(), &prefix),
            JobLock::redis(pool.clone(), &prefix),
        ),
        None => (Cache::local(), RateLimiter::local(), JobLock::local()),
    };
    let hub = Hub::new(redis.clone().map(|p| (p, prefix.clone())));
    if let Some(url) = &settings.redis_url {
        bridge::spawn(url.clone(), hub.clone());
    }
    let secret = load_or_create_secret(settings.jwt_secret.as_deref(), &settings.data_dir, "jwt_secret")
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let jwt = Arc::new(JwtKeys::new(secret.as_bytes(), settings.access_token_ttl_secs));
    let secret_for = |configured: Option<&str>, name: &str| {
        load_or_create_secret(configured, &settings.data_dir, name).map_err(|e| anyhow::anyhow!(e.message))
    };
    let media = Arc::new(MediaSecrets {
        hook_secret: secret_for(settings.media.hook_secret.as_deref(), "hook_secret")?,
        playback_secret: secret_for(settings.media.playback_secret.as_deref(), "playback_secret")?,
    });
    let profiles = crate::dataplane::profile_sources::load(settings.media.profiles_dir.as_deref())
        .map_err(|e| anyhow::anyhow!("ARGUS_PROFILES_DIR: {e}"))?;
    let (stream_events, stream_rx) = queues::stream_event_channel();
    let (ingest, ingest_rx) = queues::ingest_channel();
    let tiers =
        crate::infra::storage::Tiers::open(&settings.storage).map_err(|e| anyhow::anyhow!(e.message))?;
    let storage = Storage::new(db.clone(), tiers, settings.storage.clone(), settings.failpoints.clone());
    let state = AppState {
        settings: Arc::new(settings),
        db,
        redis,
        cache,
        limiter,
        locks,
        hub,
        jwt,
        metrics: Arc::new(Metrics::new()?),
        media,
        profiles: Arc::new(profiles),
        stream_events,
        ingest,
        principals: Default::default(),
        recorder_log: Arc::new(LogThrottle::new(30)),
        alert_memory: Arc::default(),
        storage,
        alert_wake: Default::default(),
    };
    stream_writer::spawn(state.clone(), stream_rx);
    // Right from the start, not only after the next status change.
    stream_state::refresh_online_gauge(&state).await;
    if let Err(e) = crate::services::alerts::refresh_gauge(&state).await {
        tracing::warn!(error = %e, "cannot count open alerts");
    }
    crate::services::cameras::spawn_stream_revocation_listener(state.clone());
    recordings::spawn_ingest_worker(state.clone(), ingest_rx);
    Ok(state)
}

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(settings.bind)
            .map_err(|e| anyhow::anyhow!("ARGUS_BIND {}: {e}", settings.bind))?;
        let state = build_state(settings).await?;
        // The server's, not the CLI's (which builds a state too): a CLI command would claim an
        // export and exit with it half cut.
        crate::services::exports::worker::spawn(state.clone());
        crate::services::alert_channels::worker::spawn(state.clone());
        let preload = state.clone();
        tokio::spawn(async move {
            match crate::services::streaming::preload_keys(&preload).await {
                Ok(n) => tracing::info!(keys = n, "stream keys cached"),
                Err(e) => tracing::warn!(error = %e, "stream keys not preloaded; looked up one by one"),
            }
        });
        Self::with_state(listener, state)
    }

    pub fn with_state(listener: TcpListener, state: AppState) -> anyhow::Result<Application> {
        let port = listener.local_addr()?.port();
        let server = serve(listener, state.clone())?;
        Ok(Application { port, server, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Runs until SIGINT/SIGTERM, then drains in-flight requests (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Adds `X-RateLimit-*` to successful answers of rate-limited (API token) requests.
async fn rate_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let rate = res.request().extensions().get::<RateInfo>().copied();
    if let Some(rate) = rate {
        let h = res.headers_mut();
        for (name, value) in rate.headers() {
            h.insert(name, value);
        }
    }
    Ok(res)
}

fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let policies = web::Data::new(http_headers::Policies::new(&state.settings.media.public_hls_url));
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let (app, api) = crate::openapi::with_api_routes(App::new().into_utoipa_app())
            .app_data(data.clone())
            .app_data(policies.clone())
            .app_data(error::json_config())
            .app_data(error::query_config())
            .app_data(error::path_config())
            .app_data(error::form_config())
            .split_for_parts();
        let profile_names: Vec<String> = data.profiles.keys().cloned().collect();
        let api = crate::openapi::complete(api, &profile_names);
        let api_routes = web::Data::new(routes::fallback::ApiRoutes::from_openapi(&api));
        app.app_data(api_routes)
            .wrap(from_fn(rate_headers))
            .wrap(from_fn(http_headers::security_headers))
            .wrap(from_fn(metrics::track))
            .wrap(TracingLogger::<telemetry::RedactingRootSpan>::new())
            .route("/healthz", web::get().to(health::healthz))
            .route("/readyz", web::get().to(health::readyz))
            .route("/metrics", web::get().to(metrics::endpoint))
            .service(web::redirect("/api/docs", "/api/docs/"))
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", api))
            .default_service(web::to(routes::fallback::fallback))
    })
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}
