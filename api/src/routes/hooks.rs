//! Every route nginx and `argus transcode` call with the hook secret (`/streaming/…`).
//! nginx-rtmp posts forms over HTTP/1.0; the shared secret comes as a header from nginx's hook
//! relay (or `?secret=`). Any non-2xx/3xx answer refuses or drops the stream, so only
//! deliberate refusals are 403.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    dataplane::profiles::Profile,
    error::{AppError, AppResult, ErrorBody},
    services::{
        live::{self, QualityReport, TranscoderRestart},
        recordings,
        streaming::{self, HookForm, Verdict},
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(auth)
        .service(update)
        .service(publish_done)
        .service(record_done)
        .service(transcode_config)
        .service(quality)
        .service(transcoder_restart);
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct HookAuth {
    /// The hook secret rendered into nginx.conf.
    pub secret: Option<String>,
}

pub const HOOK_SECRET_HEADER: &str = "x-argus-hook-secret";

/// Checks the hook secret (`X-Argus-Hook-Secret` or `?secret=`) before anything else is extracted, so a caller without the secret learns
/// nothing (not even whether its body would have parsed).
pub struct HookGuard;

impl actix_web::FromRequest for HookGuard {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        // nginx's hook relay sends the secret as a header (URLs end up in nginx's error log).
        let secret =
            req.headers().get(HOOK_SECRET_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string).or_else(
                || {
                    web::Query::<HookAuth>::from_query(req.query_string())
                        .ok()
                        .and_then(|q| q.into_inner().secret)
                },
            );
        let result = match req.app_data::<web::Data<AppState>>() {
            Some(state) => streaming::check_hook_secret(state, secret.as_deref()).map(|()| HookGuard),
            None => Err(AppError::internal("application state missing")),
        };
        std::future::ready(result.map_err(actix_web::Error::from))
    }
}

fn answer(verdict: Verdict) -> HttpResponse {
    match verdict {
        Verdict::Rename(name) => HttpResponse::Found().insert_header(("Location", name)).finish(),
        Verdict::Accept => HttpResponse::Ok().finish(),
        Verdict::Refuse(reason) => actix_web::ResponseError::error_response(&AppError::forbidden(reason)),
    }
}

/// on_publish: an active camera's key is accepted and renamed to the camera id (302).
#[utoipa::path(tag = "streaming", params(HookAuth), request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 302, description = "accepted; Location = camera id"), (status = 403, body = ErrorBody)))]
#[post("/streaming/auth")]
async fn auth(
    state: web::Data<AppState>,
    _hook: HookGuard,
    form: web::Form<HookForm>,
) -> AppResult<HttpResponse> {
    Ok(answer(streaming::on_publish(&state, &form).await?))
}

/// on_update: heartbeat; 403 drops a publisher whose camera was deactivated or re-keyed.
#[utoipa::path(tag = "streaming", params(HookAuth), request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200), (status = 403, body = ErrorBody)))]
#[post("/streaming/update")]
async fn update(
    state: web::Data<AppState>,
    _hook: HookGuard,
    form: web::Form<HookForm>,
) -> AppResult<HttpResponse> {
    Ok(answer(streaming::on_update(&state, &form).await?))
}

/// on_publish_done: the publisher left.
#[utoipa::path(tag = "streaming", params(HookAuth), request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200), (status = 403, body = ErrorBody)))]
#[post("/streaming/publish-done")]
async fn publish_done(
    state: web::Data<AppState>,
    _hook: HookGuard,
    form: web::Form<HookForm>,
) -> AppResult<HttpResponse> {
    streaming::on_publish_done(&state, &form).await;
    Ok(HttpResponse::Ok().finish())
}

/// on_record_done: a chunk is finished; it is filed in the background.
#[utoipa::path(tag = "streaming", params(HookAuth), request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[post("/streaming/record-done")]
async fn record_done(
    state: web::Data<AppState>,
    _hook: HookGuard,
    form: web::Form<HookForm>,
) -> AppResult<HttpResponse> {
    let path = form.path.as_deref().ok_or_else(|| AppError::bad_request("path is required"))?;
    recordings::enqueue(&state, path).await?;
    Ok(HttpResponse::Ok().finish())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StreamParam {
    pub stream: String,
}

/// For `argus transcode`: the profile of the camera behind a stream name (hook secret).
#[utoipa::path(tag = "streaming", params(HookAuth, StreamParam), responses((status = 200, body = Profile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/streaming/transcode-config")]
async fn transcode_config(
    state: web::Data<AppState>,
    _hook: HookGuard,
    s: web::Query<StreamParam>,
) -> AppResult<web::Json<Profile>> {
    Ok(web::Json(live::transcode_config(&state, &s.stream).await?))
}

/// For `argus transcode`: FFmpeg progress of a live camera (hook secret).
#[utoipa::path(tag = "streaming", params(HookAuth), request_body = QualityReport, responses((status = 204), (status = 403, body = ErrorBody)))]
#[post("/streaming/quality")]
async fn quality(
    state: web::Data<AppState>,
    _hook: HookGuard,
    body: web::Json<QualityReport>,
) -> AppResult<HttpResponse> {
    live::record_quality(&state, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// For `argus transcode`: FFmpeg of a live camera died and is being restarted (hook secret).
/// Restarts in a row raise `transcoder.crash_loop`.
#[utoipa::path(tag = "streaming", params(HookAuth), request_body = TranscoderRestart, responses((status = 204), (status = 403, body = ErrorBody)))]
#[post("/streaming/transcoder-restart")]
async fn transcoder_restart(
    state: web::Data<AppState>,
    _hook: HookGuard,
    body: web::Json<TranscoderRestart>,
) -> AppResult<HttpResponse> {
    live::transcoder_restarted(&state, &body.stream).await?;
    Ok(HttpResponse::NoContent().finish())
}
