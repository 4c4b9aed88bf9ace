use actix_web::{get, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{extract::credential, permissions::Requirement, require, Authorized},
    error::{AppError, ErrorBody},
    realtime::session,
    services,
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(ws);
}

/// Live events (WebSocket): `camera.status`, `camera.created|updated|deleted`,
/// `recording.created`, `stats.updated`, `stream.quality`. Send
/// `{"type":"subscribe","camera_ids":[…]}` to narrow. Browsers pass `?access_token=`.
#[utoipa::path(tag = "live", responses((status = 101, description = "switching protocols"), (status = 400, description = "not a WebSocket handshake", body = ErrorBody), (status = 401, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/ws")]
async fn ws(
    auth: Authorized<require::CameraRead>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let (response, ws_session, messages) = actix_ws::handle(&req, body)
        .map_err(|e| AppError::bad_request(format!("not a WebSocket handshake: {e}")))?;
    let messages = messages.max_frame_size(64 * 1024);
    let credential = credential(&req).unwrap_or_default();
    let checker = state.get_ref().clone();
    let recheck: session::Recheck = Box::new(move |event, current| {
        let (state, credential) = (checker.clone(), credential.clone());
        Box::pin(async move {
            let required = <require::CameraRead as Requirement>::PERMISSION;
            services::auth::recheck(&state, &credential, required, event.as_deref().map(|d| &**d), &current)
                .await
        })
    });
    actix_web::rt::spawn(session::run(
        state.get_ref().clone(),
        auth.principal,
        recheck,
        ws_session,
        messages,
    ));
    Ok(response)
}
