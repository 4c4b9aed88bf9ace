//! API tokens for integrators: a secret shown once (only its SHA-256 is stored), a permission
//! subset, a camera scope, an expiry, an IP allowlist and a per-token hourly rate limit.

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::{
    audit::{self, Change},
    paging::{Page, Paging},
    revocation::{self, Subject},
};
use crate::{
    auth::{
        permissions::token_grantable,
        principal::{TokenLimits, TokenPrincipal},
        random_secret, sha256_hex, Permission, Principal, RequestMeta,
    },
    db::{self, api_tokens::ApiTokenRow},
    domain::AuditAction,
    error::{AppError, AppResult, RateInfo},
    state::AppState,
};

pub const SECRET_PREFIX: &str = "argus_";

#[derive(Serialize, Debug, Clone, utoipa::ToSchema)]
pub struct ApiTokenView {
    pub id: String,
    pub remark: String,
    /// First characters of the secret, to recognise a token without revealing it.
    pub prefix: String,
    #[schema(value_type = Vec<String>, example = json!(["camera.read"]))]
    pub permissions: Vec<Permission>,
    /// `null` = every camera.
    pub camera_ids: Option<Vec<String>>,
    pub ip_allowlist: Vec<String>,
    pub rate_limit_per_hour: i32,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, Debug, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: ApiTokenView,
    /// Shown once; store it now.
    #[schema(example = "argus_3q2+7w…")]
    pub secret: String,
}

#[derive(Deserialize, Validate, Debug, utoipa::ToSchema)]
pub struct NewApiToken {
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    #[schema(example = "VMS integration, building A")]
    pub remark: String,
    #[validate(length(min = 1))]
    #[schema(min_items = 1)]
    #[schema(value_type = Vec<String>, example = json!(["camera.read", "camera.watch"]))]
    pub permissions: Vec<Permission>,
    /// Omit or `null` for every camera.
    pub camera_ids: Option<Vec<String>>,
    /// CIDRs or single addresses; empty = any address.
    #[serde(default)]
    #[schema(example = json!(["10.0.0.0/8"]))]
    pub ip_allowlist: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    #[validate(range(min = 1, max = 1_000_000))]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub rate_limit_per_hour: Option<i32>,
}

fn parse_net(s: &str) -> Option<IpNet> {
    s.parse::<IpNet>().ok().or_else(|| s.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}

fn view(row: ApiTokenRow, camera_ids: Option<Vec<String>>) -> ApiTokenView {
    let permissions = serde_json::from_str::<Vec<String>>(&row.permissions)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| Permission::parse(p))
        .collect();
    ApiTokenView {
        id: row.id,
        remark: row.remark,
        prefix: row.prefix,
        permissions,
        camera_ids,
        ip_allowlist: serde_json::from_str(&row.ip_allowlist).unwrap_or_default(),
        rate_limit_per_hour: row.rate_limit_per_hour,
        expires_at: row.expires_at.map(|t| t.and_utc()),
        revoked_at: row.revoked_at.map(|t| t.and_utc()),
        last_used_at: row.last_used_at.map(|t| t.and_utc()),
        created_by: row.created_by,
        created_at: row.created_at.and_utc(),
    }
}

fn scope_of(c: &mut db::DbConn, row: &ApiTokenRow) -> AppResult<Option<Vec<String>>> {
    if row.all_cameras {
        Ok(None)
    } else {
        db::api_tokens::camera_ids(c, &row.id).map(Some)
    }
}

pub async fn create(
    state: &AppState,
    principal: &Principal,
    input: NewApiToken,
    meta: &RequestMeta,
) -> AppResult<CreatedToken> {
    input.validate()?;
    if let Some(p) = input.permissions.iter().find(|p| !token_grantable(**p)) {
        return Err(AppError::field(
            "permissions",
            "not_grantable",
            &format!("{} cannot be given to a token", p.as_str()),
        ));
    }
    if let Some(bad) = input.ip_allowlist.iter().find(|s| parse_net(s).is_none()) {
        return Err(AppError::field(
            "ip_allowlist",
            "cidr",
            &format!("{bad:?} is not an IP address or CIDR"),
        ));
    }
    if input.expires_at.is_some_and(|t| t <= Utc::now()) {
        return Err(AppError::field("expires_at", "past", "must be in the future"));
    }
    let secret = format!("{SECRET_PREFIX}{}", random_secret(32));
    let mut perms: Vec<&str> = input.permissions.iter().map(|p| p.as_str()).collect();
    perms.sort_unstable();
    perms.dedup();
    let camera_ids = input.camera_ids.map(|mut ids| {
        ids.sort();
        ids.dedup();
        ids
    });
    let row = ApiTokenRow {
        id: db::new_id(),
        remark: input.remark.trim().to_string(),
        prefix: secret.chars().take(SECRET_PREFIX.len() + 6).collect(),
        secret_hash: sha256_hex(&secret),
        permissions: serde_json::to_string(&perms).unwrap_or_else(|_| "[]".into()),
        all_cameras: camera_ids.is_none(),
        ip_allowlist: serde_json::to_string(&input.ip_allowlist).unwrap_or_else(|_| "[]".into()),
        rate_limit_per_hour: input
            .rate_limit_per_hour
            .unwrap_or(state.settings.default_token_rate_per_hour as i32),
        expires_at: input.expires_at.map(|t| t.naive_utc()),
        revoked_at: None,
        last_used_at: None,
        created_by: principal.actor_id().to_string(),
        created_at: db::now(),
    };
    let (inserted, ids) = (row.clone(), camera_ids.clone().unwrap_or_default());
    let token = view(row, camera_ids);
    let entry = audit::entry(
        &principal.into(),
        meta,
        Change::new(AuditAction::ApiTokenCreated).on("api_token", &token.id).after(&token),
    );
    state
        .db
        .transaction(move |c| {
            for id in &ids {
                if db::cameras::find(c, id)?.is_none() {
                    return Err(AppError::field("camera_ids", "unknown", &format!("no camera {id}")));
                }
            }
            db::api_tokens::insert(c, &inserted, &ids)?;
            audit::write(c, &entry)
        })
        .await?;
    Ok(CreatedToken { token, secret })
}

pub async fn get(state: &AppState, id: &str) -> AppResult<ApiTokenView> {
    let id = id.to_string();
    state
        .db
        .run(move |c| {
            let Some(row) = db::api_tokens::find(c, &id)? else {
                return Err(AppError::not_found("API token not found"));
            };
            let scope = scope_of(c, &row)?;
            Ok(view(row, scope))
        })
        .await
}

pub async fn list(state: &AppState, paging: Paging) -> AppResult<Page<ApiTokenView>> {
    let page = paging.request();
    state
        .db
        .run(move |c| {
            let (rows, total) = db::api_tokens::list(c, page)?;
            let mut items = Vec::with_capacity(rows.len());
            for row in rows {
                let scope = scope_of(c, &row)?;
                items.push(view(row, scope));
            }
            Ok(Page::new(items, total, page))
        })
        .await
}

pub async fn revoke(state: &AppState, principal: &Principal, id: &str, meta: &RequestMeta) -> AppResult<()> {
    let before = get(state, id).await?;
    if before.revoked_at.is_some() {
        return Ok(());
    }
    let tid = id.to_string();
    let entry = audit::entry(
        &principal.into(),
        meta,
        Change::new(AuditAction::ApiTokenRevoked).on("api_token", id).before(&before),
    );
    state
        .db
        .transaction(move |c| {
            db::api_tokens::revoke(c, &tid, db::now())?;
            audit::write(c, &entry)
        })
        .await?;
    revocation::principal_changed(state, Subject::Token(id.to_string())).await;
    Ok(())
}

/// The token behind a presented secret: it exists, is neither revoked nor expired, and the user
/// who created it is still active (a deactivated user's tokens stop working with them).
/// `services::principals` caches the answer briefly; revocation drops it (`services::revocation`).
pub async fn resolve(state: &AppState, secret: &str) -> AppResult<(TokenPrincipal, TokenLimits)> {
    let hash = sha256_hex(secret);
    let (row, scope, owner_active) = state
        .db
        .run(move |c| {
            let Some(row) = db::api_tokens::find_by_hash(c, &hash)? else { return Ok(None) };
            let scope = scope_of(c, &row)?;
            let owner_active = db::users::find(c, &row.created_by)?.is_some_and(|u| u.is_active);
            Ok(Some((row, scope, owner_active)))
        })
        .await?
        .ok_or_else(|| AppError::unauthorized("invalid API token"))?;
    let now = db::now();
    if row.revoked_at.is_some() {
        return Err(AppError::unauthorized("API token revoked"));
    }
    if row.expires_at.is_some_and(|t| t <= now) {
        return Err(AppError::unauthorized("API token expired"));
    }
    if !owner_active {
        return Err(AppError::unauthorized("the user who created this API token is deactivated"));
    }
    // last_used_at is kept to the minute: written from here (a cache miss), not per request.
    if row.last_used_at.is_none_or(|t| now - t > chrono::Duration::seconds(60)) {
        let (db, id) = (state.db.clone(), row.id.clone());
        tokio::spawn(async move {
            if let Err(e) = db.run(move |c| db::api_tokens::touch(c, &id, now)).await {
                tracing::warn!(error = %e, "could not update token last_used_at");
            }
        });
    }
    let limits = TokenLimits {
        ip_allowlist: serde_json::from_str::<Vec<String>>(&row.ip_allowlist)
            .unwrap_or_default()
            .iter()
            .filter_map(|s| parse_net(s))
            .collect(),
        rate_limit_per_hour: u64::try_from(row.rate_limit_per_hour).unwrap_or(0),
        expires_at: row.expires_at,
    };
    let owner = row.created_by.clone();
    let v = view(row, scope);
    let principal = TokenPrincipal {
        id: v.id,
        remark: v.remark,
        permissions: v.permissions,
        camera_ids: v.camera_ids,
        owner,
    };
    Ok((principal, limits))
}

/// The per-request checks of a resolved token: IP allowlist, then the hourly rate limit.
pub async fn admit(
    state: &AppState,
    token: &TokenPrincipal,
    limits: &TokenLimits,
    meta: &RequestMeta,
) -> AppResult<RateInfo> {
    if !limits.ip_allowlist.is_empty() {
        let ip = meta.ip.as_deref().and_then(|s| s.parse::<std::net::IpAddr>().ok());
        if !ip.is_some_and(|ip| limits.ip_allowlist.iter().any(|n| n.contains(&ip))) {
            return Err(AppError::forbidden("this address may not use this API token"));
        }
    }
    let decision = state.limiter.hit(&format!("token:{}", token.id), limits.rate_limit_per_hour, 3600).await;
    if !decision.allowed {
        return Err(AppError::rate_limited("API token rate limit exceeded", decision.info));
    }
    Ok(decision.info)
}
