use actix_web::{get, patch, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized},
    error::{AppResult, ErrorBody},
    services::{
        self,
        paging::{Page, Paging},
        users::{NewUser, UserQuery, UserUpdate, UserView},
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(create).service(get_one).service(update).service(deactivate);
}

/// List users.
#[utoipa::path(tag = "users", params(UserQuery, Paging), responses((status = 200, body = Page<UserView>)), security(("bearer" = [])))]
#[get("/users")]
async fn list(
    _auth: Authorized<require::UserManage>,
    state: web::Data<AppState>,
    q: web::Query<UserQuery>,
    paging: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(services::users::list(&state, q.into_inner(), paging.into_inner()).await?))
}

/// Create a user.
#[utoipa::path(tag = "users", request_body = NewUser, responses((status = 201, body = UserView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/users")]
async fn create(
    auth: Authorized<require::UserManage>,
    state: web::Data<AppState>,
    body: web::Json<NewUser>,
) -> AppResult<HttpResponse> {
    let user =
        services::users::create(&state, body.into_inner(), &(&auth.principal).into(), &auth.meta).await?;
    Ok(HttpResponse::Created().json(user))
}

/// One user.
#[utoipa::path(tag = "users", responses((status = 200, body = UserView), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/users/{id}")]
async fn get_one(
    _auth: Authorized<require::UserManage>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<UserView>> {
    Ok(web::Json(services::users::get(&state, &id).await?))
}

/// Change a user's role, e-mail or active flag.
#[utoipa::path(tag = "users", request_body = UserUpdate, responses((status = 200, body = UserView), (status = 404, body = ErrorBody), (status = 409, description = "you cannot demote or deactivate your own account", body = ErrorBody)), security(("bearer" = [])))]
#[patch("/users/{id}")]
async fn update(
    auth: Authorized<require::UserManage>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<UserUpdate>,
) -> AppResult<web::Json<UserView>> {
    Ok(web::Json(services::users::update(&state, &auth.principal, &id, body.into_inner(), &auth.meta).await?))
}

/// Deactivate a user (their sessions end at once).
#[utoipa::path(tag = "users", responses((status = 200, body = UserView), (status = 404, body = ErrorBody), (status = 409, description = "you cannot deactivate your own account", body = ErrorBody)), security(("bearer" = [])))]
#[post("/users/{id}/deactivate")]
async fn deactivate(
    auth: Authorized<require::UserManage>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<web::Json<UserView>> {
    Ok(web::Json(services::users::deactivate(&state, &auth.principal, &id, &auth.meta).await?))
}
