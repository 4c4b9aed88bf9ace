use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{Permission, Principal, RequestMeta, Role},
    error::{AppError, AppResult, ErrorBody},
    services::{self, auth::TokenPair, users::UserView},
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login)
        .service(refresh)
        .service(logout)
        .service(me)
        .service(change_password)
        .service(permissions);
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    #[schema(example = "admin", min_length = 1)]
    pub username: String,
    #[schema(example = "correct horse 42", min_length = 1)]
    pub password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ChangePasswordRequest {
    #[schema(min_length = 1)]
    pub current_password: String,
    /// 10–128 characters with a letter and a digit, not the username.
    #[schema(min_length = 10, max_length = 128, pattern = r"[A-Za-z].*[0-9]|[0-9].*[A-Za-z]")]
    pub new_password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub user: UserView,
    #[schema(value_type = Vec<String>)]
    pub permissions: Vec<Permission>,
}

/// Log in with username and password.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = TokenPair), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 429, body = ErrorBody, description = "too many attempts; see Retry-After")))]
#[post("/auth/login")]
async fn login(
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
    meta: RequestMeta,
) -> AppResult<web::Json<TokenPair>> {
    if body.username.is_empty() || body.password.is_empty() {
        return Err(AppError::field("username", "required", "username and password are required"));
    }
    Ok(web::Json(services::auth::login(&state, &body.username, &body.password, &meta).await?))
}

/// Exchange a refresh token for a new pair. Reusing an old refresh token revokes the session.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses((status = 200, body = TokenPair), (status = 401, body = ErrorBody)))]
#[post("/auth/refresh")]
async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
    meta: RequestMeta,
) -> AppResult<web::Json<TokenPair>> {
    Ok(web::Json(services::auth::refresh(&state, &body.refresh_token, &meta).await?))
}

/// End the current session.
#[utoipa::path(tag = "auth", responses((status = 204)), security(("bearer" = [])))]
#[post("/auth/logout")]
async fn logout(
    state: web::Data<AppState>,
    principal: Principal,
    meta: RequestMeta,
) -> AppResult<HttpResponse> {
    services::auth::logout(&state, &principal, &meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user and what they may do.
#[utoipa::path(tag = "auth", responses((status = 200, body = Me), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
#[get("/auth/me")]
async fn me(state: web::Data<AppState>, principal: Principal) -> AppResult<web::Json<Me>> {
    let Some(user) = principal.user() else {
        return Err(AppError::bad_request("API tokens have no user; see /api-tokens"));
    };
    let user = services::users::get(&state, &user.id).await?;
    Ok(web::Json(Me { user, permissions: principal.permissions() }))
}

/// Change your password (other sessions are signed out).
#[utoipa::path(tag = "auth", request_body = ChangePasswordRequest, responses((status = 204), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/auth/change-password")]
async fn change_password(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<ChangePasswordRequest>,
    meta: RequestMeta,
) -> AppResult<HttpResponse> {
    services::auth::change_password(&state, &principal, &body.current_password, &body.new_password, &meta)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PermissionTable {
    pub permissions: Vec<&'static str>,
    /// Role name → its permissions.
    #[schema(value_type = Object)]
    pub roles: std::collections::BTreeMap<&'static str, Vec<&'static str>>,
    /// What an API token may be granted.
    pub token_grantable: Vec<&'static str>,
}

/// The permission vocabulary and the role table.
#[utoipa::path(tag = "auth", responses((status = 200, body = PermissionTable)), security(("bearer" = []), ("api_key" = [])))]
#[get("/permissions")]
async fn permissions(_principal: Principal) -> web::Json<PermissionTable> {
    let names = |ps: &[Permission]| ps.iter().map(|p| p.as_str()).collect::<Vec<_>>();
    web::Json(PermissionTable {
        permissions: names(Permission::ALL),
        roles: Role::ALL.iter().map(|r| (r.as_str(), names(r.permissions()))).collect(),
        token_grantable: Permission::ALL
            .iter()
            .filter(|p| crate::auth::permissions::token_grantable(**p))
            .map(|p| p.as_str())
            .collect(),
    })
}
