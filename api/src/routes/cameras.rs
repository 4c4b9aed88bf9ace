use actix_web::{delete, get, patch, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized},
    error::{AppResult, ErrorBody},
    services::{
        self,
        cameras::{CameraQuery, CameraUpdate, CameraView, NewCamera},
        paging::Page,
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(remove)
        .service(activate)
        .service(deactivate)
        .service(rotate_key);
}

/// List cameras (filters, search, sort, paging). Stream keys only for `camera.key.read`.
#[utoipa::path(tag = "cameras", params(CameraQuery), responses((status = 200, body = Page<CameraView>)), security(("bearer" = []), ("api_key" = [])))]
#[get("/cameras")]
async fn list(
    auth: Authorized<require::CameraRead>,
    state: web::Data<AppState>,
    q: web::Query<CameraQuery>,
) -> AppResult<HttpResponse> {
    let json = services::cameras::list_json(&state, &auth.principal, q.into_inner()).await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(json))
}

/// Register a camera; the answer carries its stream key and RTMP publish URL.
#[utoipa::path(tag = "cameras", request_body = NewCamera, responses(
    (status = 201, body = CameraView), (status = 409, body = ErrorBody, description = "serial number exists"),
    (status = 422, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[post("/cameras")]
async fn create(
    auth: Authorized<require::CameraWrite>,
    state: web::Data<AppState>,
    body: web::Json<NewCamera>,
) -> AppResult<HttpResponse> {
    let cam = services::cameras::create(&state, &auth.principal, body.into_inner(), &auth.meta).await?;
    Ok(HttpResponse::Created().json(cam))
}

/// One camera.
#[utoipa::path(tag = "cameras", responses((status = 200, body = CameraView), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/cameras/{id}")]
async fn get_one(
    auth: Authorized<require::CameraRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<CameraView>> {
    Ok(web::Json(services::cameras::get(&state, &auth.principal, &id).await?))
}

/// Edit a camera (the serial number is immutable).
#[utoipa::path(tag = "cameras", request_body = CameraUpdate, responses((status = 200, body = CameraView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[patch("/cameras/{id}")]
async fn update(
    auth: Authorized<require::CameraWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<CameraUpdate>,
) -> AppResult<web::Json<CameraView>> {
    Ok(web::Json(
        services::cameras::update(&state, &auth.principal, &id, body.into_inner(), &auth.meta).await?,
    ))
}

/// Soft-delete a camera.
#[utoipa::path(tag = "cameras", responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[delete("/cameras/{id}")]
async fn remove(
    auth: Authorized<require::CameraWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    services::cameras::delete(&state, &auth.principal, &id, &auth.meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Allow the camera to publish.
#[utoipa::path(tag = "cameras", responses((status = 200, body = CameraView)), security(("bearer" = []), ("api_key" = [])))]
#[post("/cameras/{id}/activate")]
async fn activate(
    auth: Authorized<require::CameraWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<CameraView>> {
    Ok(web::Json(services::cameras::set_active(&state, &auth.principal, &id, true, &auth.meta).await?))
}

/// Refuse the camera's stream (a live one is dropped).
#[utoipa::path(tag = "cameras", responses((status = 200, body = CameraView)), security(("bearer" = []), ("api_key" = [])))]
#[post("/cameras/{id}/deactivate")]
async fn deactivate(
    auth: Authorized<require::CameraWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<CameraView>> {
    Ok(web::Json(services::cameras::set_active(&state, &auth.principal, &id, false, &auth.meta).await?))
}

/// Issue a new stream key; the old one stops working.
#[utoipa::path(tag = "cameras", responses((status = 200, body = CameraView)), security(("bearer" = []), ("api_key" = [])))]
#[post("/cameras/{id}/rotate-key")]
async fn rotate_key(
    auth: Authorized<require::CameraWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<CameraView>> {
    Ok(web::Json(services::cameras::rotate_key(&state, &auth.principal, &id, &auth.meta).await?))
}
