use actix_web::{delete, get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized},
    error::{AppResult, ErrorBody},
    services::{
        self,
        paging::{Page, Paging},
        tokens::{ApiTokenView, CreatedToken, NewApiToken},
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(create).service(get_one).service(revoke);
}

/// List API tokens (never their secrets).
#[utoipa::path(tag = "api-tokens", params(Paging), responses((status = 200, body = Page<ApiTokenView>)), security(("bearer" = [])))]
#[get("/api-tokens")]
async fn list(
    _auth: Authorized<require::TokenManage>,
    state: web::Data<AppState>,
    paging: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(services::tokens::list(&state, paging.into_inner()).await?))
}

/// Create a token; the secret is in this answer only.
#[utoipa::path(tag = "api-tokens", request_body = NewApiToken, responses((status = 201, body = CreatedToken), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/api-tokens")]
async fn create(
    auth: Authorized<require::TokenManage>,
    state: web::Data<AppState>,
    body: web::Json<NewApiToken>,
) -> AppResult<HttpResponse> {
    let created = services::tokens::create(&state, &auth.principal, body.into_inner(), &auth.meta).await?;
    Ok(HttpResponse::Created().json(created))
}

/// One token.
#[utoipa::path(tag = "api-tokens", responses((status = 200, body = ApiTokenView), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/api-tokens/{id}")]
async fn get_one(
    _auth: Authorized<require::TokenManage>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<ApiTokenView>> {
    Ok(web::Json(services::tokens::get(&state, &id).await?))
}

/// Revoke a token; effective on its very next request.
#[utoipa::path(tag = "api-tokens", responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[delete("/api-tokens/{id}")]
async fn revoke(
    auth: Authorized<require::TokenManage>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    services::tokens::revoke(&state, &auth.principal, &id, &auth.meta).await?;
    Ok(HttpResponse::NoContent().finish())
}
