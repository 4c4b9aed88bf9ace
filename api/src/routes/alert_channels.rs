use actix_web::{delete, get, patch, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized},
    error::{AppResult, ErrorBody},
    services::{
        alert_channels::{
            self as channels, ChannelView, CreatedChannel, DeliveryView, NewChannel, UpdateChannel,
        },
        paging::{Page, Paging},
    },
    state::AppState,
};

type Admin = Authorized<require::AlertChannelManage>;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(remove)
        .service(test)
        .service(deliveries);
}

/// Every alert channel.
#[utoipa::path(tag = "alert-channels", responses((status = 200, body = Vec<ChannelView>)), security(("bearer" = []), ("api_key" = [])))]
#[get("/alert-channels")]
async fn list(_auth: Admin, state: web::Data<AppState>) -> AppResult<web::Json<Vec<ChannelView>>> {
    Ok(web::Json(channels::list(&state).await?))
}

/// Add a webhook (`url`) or e-mail (`to`) channel. A webhook's signing `secret` is in this answer
/// only.
#[utoipa::path(tag = "alert-channels", request_body = NewChannel, responses((status = 201, body = CreatedChannel), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[post("/alert-channels")]
async fn create(
    auth: Admin,
    state: web::Data<AppState>,
    body: web::Json<NewChannel>,
) -> AppResult<HttpResponse> {
    let created = channels::create(&state, &auth.principal, body.into_inner(), &auth.meta).await?;
    Ok(HttpResponse::Created().json(created))
}

/// One channel.
#[utoipa::path(tag = "alert-channels", responses((status = 200, body = ChannelView), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/alert-channels/{id}")]
async fn get_one(
    _auth: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<ChannelView>> {
    Ok(web::Json(channels::get(&state, &id).await?))
}

/// Rename, re-target, re-filter, enable or disable a channel.
#[utoipa::path(tag = "alert-channels", request_body = UpdateChannel, responses((status = 200, body = ChannelView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[patch("/alert-channels/{id}")]
async fn update(
    auth: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<UpdateChannel>,
) -> AppResult<web::Json<ChannelView>> {
    Ok(web::Json(channels::update(&state, &auth.principal, &id, body.into_inner(), &auth.meta).await?))
}

/// Delete a channel and its delivery log.
#[utoipa::path(tag = "alert-channels", responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[delete("/alert-channels/{id}")]
async fn remove(auth: Admin, state: web::Data<AppState>, id: web::Path<String>) -> AppResult<HttpResponse> {
    channels::delete(&state, &auth.principal, &id, &auth.meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send a test notification through the channel (in the background: follow it in the delivery
/// log).
#[utoipa::path(tag = "alert-channels", responses((status = 202, body = DeliveryView), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[post("/alert-channels/{id}/test")]
async fn test(auth: Admin, state: web::Data<AppState>, id: web::Path<String>) -> AppResult<HttpResponse> {
    let delivery = channels::send_test(&state, &auth.principal, &id, &auth.meta).await?;
    Ok(HttpResponse::Accepted().json(delivery))
}

/// The channel's delivery log, newest first: every alert sent or being retried, with attempts.
#[utoipa::path(tag = "alert-channels", params(Paging), responses((status = 200, body = Page<DeliveryView>), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/alert-channels/{id}/deliveries")]
async fn deliveries(
    _auth: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<Page<DeliveryView>>> {
    Ok(web::Json(channels::deliveries(&state, &id, paging.into_inner()).await?))
}
