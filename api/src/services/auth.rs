//! Login, refresh-token rotation with reuse detection, logout, password change, and turning a
//! bearer credential into a `Principal` (`authenticate`, and `recheck` for open WebSockets).

use chrono::Duration;
use serde::Serialize;

use super::{
    audit::{self, Actor, Change},
    principals,
    revocation::{self, Subject},
    tokens,
    users::UserView,
};
use crate::{
    auth::{password, random_secret, sha256_hex, Permission, Principal, RequestMeta, Role},
    db::{self, sessions::SessionRow, users::UserChanges},
    domain::{ActorType, AuditAction},
    error::{AppError, AppResult, RateInfo},
    realtime::hub::Event,
    state::AppState,
};

#[derive(Serialize, Debug, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    /// `<session id>.<secret>`; single use, rotated on every refresh.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub user: UserView,
}

fn login_failed() -> AppError {
    AppError::unauthorized("invalid username or password")
}

/// Longest pause the per-user backoff puts before a password check.
const MAX_BACKOFF_MS: u64 = 3_000;

struct LoginKeys {
    ip: String,
    pair: String,
    user: String,
}

/// Throttles before the password is checked. Each attempt is reserved atomically (one counter
/// increment) per address and per user + address, so N parallel guesses get exactly the limit
/// through. Failures per user (from any address) only add a growing delay: an attacker elsewhere
/// can slow a user's login but never refuse it.
async fn reserve_attempt(state: &AppState, username: &str, meta: &RequestMeta) -> AppResult<LoginKeys> {
    let s = &state.settings;
    let window = s.login_rate_window_secs;
    let ip = meta.ip.as_deref().unwrap_or("unknown");
    let user = username.to_lowercase();
    let keys = LoginKeys {
        ip: format!("login:ip:{ip}"),
        pair: format!("login:user-ip:{user}:{ip}"),
        user: format!("login:user:{user}"),
    };
    let by_ip = state.limiter.hit(&keys.ip, s.login_rate_per_ip.into(), window).await;
    let by_pair = state.limiter.hit(&keys.pair, s.login_rate_per_user.into(), window).await;
    for (decision, limit) in [(by_ip, s.login_rate_per_ip), (by_pair, s.login_rate_per_user)] {
        if !decision.allowed {
            // One audit row per key and window (the first refusal), not one per attempt.
            if decision.count == u64::from(limit) + 1 {
                audit::record_in_background(
                    state,
                    Actor::anonymous(username),
                    meta.clone(),
                    Change::new(AuditAction::LoginThrottled),
                );
            }
            return Err(AppError::rate_limited("too many login attempts; try again later", decision.info));
        }
    }
    let failures = state.limiter.peek(&keys.user, u64::MAX, window).await.count;
    let over = failures.saturating_sub(s.login_rate_per_user.into());
    if over > 0 {
        let delay = (100u64 << over.min(5)).min(MAX_BACKOFF_MS);
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    Ok(keys)
}

pub async fn login(state: &AppState, username: &str, pass: &str, meta: &RequestMeta) -> AppResult<TokenPair> {
    let window = state.settings.login_rate_window_secs;
    let keys = reserve_attempt(state, username, meta).await?;

    let name = username.to_string();
    let user = state.db.run(move |c| db::users::find_by_username(c, &name)).await?;
    let pass = pass.to_string();
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    // Verify even for unknown users so response time does not reveal which usernames exist.
    let ok = tokio::task::spawn_blocking(move || {
        password::verify(&pass, hash.as_deref().unwrap_or_else(|| password::dummy_hash()))
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?;

    let Some(user) = user.filter(|_| ok) else {
        state.limiter.hit(&keys.user, u64::MAX, window).await;
        audit::record_in_background(
            state,
            Actor::anonymous(username),
            meta.clone(),
            Change::new(AuditAction::LoginFailed),
        );
        super::alerts::sources::login_failed(state, meta.ip.as_deref(), username).await;
        return Err(login_failed());
    };
    // The right password: this attempt does not count against the address.
    state.limiter.undo(&keys.pair, window).await;
    state.limiter.undo(&keys.ip, window).await;
    let role = Role::parse(&user.role).ok_or_else(|| AppError::internal("user has an unknown role"))?;
    if !user.is_active {
        audit::record_in_background(
            state,
            Actor::user(&user.id, &user.username),
            meta.clone(),
            Change::new(AuditAction::LoginInactive),
        );
        return Err(AppError::forbidden("this account is deactivated"));
    }
    if !role.can_log_in() {
        audit::record_in_background(
            state,
            Actor::user(&user.id, &user.username),
            meta.clone(),
            Change::new(AuditAction::LoginApiOnly),
        );
        return Err(AppError::forbidden("API-only accounts cannot log in; use an API token"));
    }

    let now = db::now();
    let secret = random_secret(32);
    let session = SessionRow {
        id: db::new_id(),
        user_id: user.id.clone(),
        refresh_hash: sha256_hex(&secret),
        created_at: now,
        last_used_at: now,
        revoked_at: None,
        revoked_reason: None,
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
    };
    let (sid, uid) = (session.id.clone(), user.id.clone());
    state
        .db
        .transaction(move |c| {
            db::sessions::insert(c, &session)?;
            db::users::update(
                c,
                &uid,
                &UserChanges { last_login_at: Some(Some(now)), ..Default::default() },
            )?;
            Ok(())
        })
        .await?;
    audit::record(
        state,
        &Actor::user(&user.id, &user.username),
        meta,
        Change::new(AuditAction::Login).on("session", &sid),
    )
    .await?;
    let mut view = UserView::from(user);
    view.last_login_at = Some(now.and_utc());
    token_pair(state, view, &sid, &secret)
}

fn token_pair(state: &AppState, user: UserView, sid: &str, secret: &str) -> AppResult<TokenPair> {
    Ok(TokenPair {
        access_token: state.jwt.issue(&user.id, sid)?,
        refresh_token: format!("{sid}.{secret}"),
        token_type: "Bearer",
        expires_in: state.jwt.ttl_secs,
        user,
    })
}

pub async fn refresh(state: &AppState, refresh_token: &str, meta: &RequestMeta) -> AppResult<TokenPair> {
    let invalid = || AppError::unauthorized("invalid refresh token");
    let (sid, secret) = refresh_token.split_once('.').ok_or_else(invalid)?;
    let (sid, presented_hash) = (sid.to_string(), sha256_hex(secret));
    let idle = Duration::seconds(state.settings.session_idle_secs);
    let new_secret = random_secret(32);
    let new_hash = sha256_hex(&new_secret);

    enum Outcome {
        Rotated(db::users::UserRow),
        Reused(String),
        Dead,
    }
    let lookup_sid = sid.clone();
    let outcome = state
        .db
        .transaction(move |c| {
            let Some(session) = db::sessions::find(c, &lookup_sid)? else { return Ok(Outcome::Dead) };
            let now = db::now();
            if session.revoked_at.is_some() {
                return Ok(Outcome::Dead);
            }
            if session.last_used_at + idle < now {
                db::sessions::revoke(c, &session.id, "idle", now)?;
                return Ok(Outcome::Dead);
            }
            let user = db::users::find(c, &session.user_id)?;
            let usable = user
                .as_ref()
                .is_some_and(|u| u.is_active && Role::parse(&u.role).is_some_and(Role::can_log_in));
            if !usable {
                db::sessions::revoke(c, &session.id, "user_disabled", now)?;
                return Ok(Outcome::Dead);
            }
            // The compare-and-swap fails both for an old token and for a lost race with a
            // concurrent refresh: either way this token was already spent.
            if !crate::auth::secure_eq(&session.refresh_hash, &presented_hash)
                || !db::sessions::rotate(c, &session.id, &presented_hash, &new_hash, now)?
            {
                db::sessions::revoke(c, &session.id, "refresh_token_reuse", now)?;
                return Ok(Outcome::Reused(session.user_id));
            }
            Ok(user.map(Outcome::Rotated).unwrap_or(Outcome::Dead))
        })
        .await?;
    match outcome {
        Outcome::Rotated(user) => token_pair(state, UserView::from(user), &sid, &new_secret),
        Outcome::Reused(user_id) => {
            revocation::principal_changed(state, Subject::Session(sid.clone())).await;
            let actor = Actor { kind: ActorType::User, id: Some(user_id), name: None };
            audit::record(state, &actor, meta, Change::new(AuditAction::RefreshReuse).on("session", &sid))
                .await?;
            Err(AppError::unauthorized("refresh token reuse detected; the session was revoked"))
        }
        Outcome::Dead => Err(invalid()),
    }
}

pub async fn logout(state: &AppState, principal: &Principal, meta: &RequestMeta) -> AppResult<()> {
    let Some(user) = principal.user() else {
        return Err(AppError::bad_request("API tokens have no session"));
    };
    let sid = user.session_id.clone();
    let s = sid.clone();
    state.db.run(move |c| db::sessions::revoke(c, &s, "logout", db::now())).await?;
    revocation::principal_changed(state, Subject::Session(sid.clone())).await;
    audit::record(state, &principal.into(), meta, Change::new(AuditAction::Logout).on("session", &sid)).await
}

pub async fn change_password(
    state: &AppState,
    principal: &Principal,
    current: &str,
    new: &str,
    meta: &RequestMeta,
) -> AppResult<()> {
    let Some(me) = principal.user().cloned() else {
        return Err(AppError::bad_request("API tokens have no password"));
    };
    let uid = me.id.clone();
    let user = state
        .db
        .run(move |c| db::users::find(c, &uid))
        .await?
        .ok_or_else(|| AppError::not_found("user not found"))?;
    let (cur, stored) = (current.to_string(), user.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || password::verify(&cur, &stored))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;
    if !ok {
        return Err(AppError::field("current_password", "mismatch", "current password is wrong"));
    }
    password::check_strength(new, &user.username).map_err(|m| AppError::field("new_password", "weak", m))?;
    if new == current {
        return Err(AppError::field("new_password", "unchanged", "must differ from the current password"));
    }
    let new = new.to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&new))
        .await
        .map_err(|e| AppError::internal(e.to_string()))??;
    let (uid, keep) = (me.id.clone(), me.session_id.clone());
    let revoked = state
        .db
        .transaction(move |c| {
            let now = db::now();
            db::users::update(
                c,
                &uid,
                &UserChanges {
                    password_hash: Some(hash.clone()),
                    updated_at: Some(now),
                    ..Default::default()
                },
            )?;
            db::sessions::revoke_all_for_user(c, &uid, Some(&keep), "password_changed", now)
        })
        .await?;
    revocation::principal_changed(state, Subject::User(me.id.clone())).await;
    let change = Change::new(AuditAction::UserPasswordChanged)
        .on("user", &me.id)
        .after(serde_json::json!({ "sessions_revoked": revoked.len() }));
    audit::record(state, &principal.into(), meta, change).await
}

/// A JWT for dashboard users, an `argus_…` secret for API tokens. The principal comes from a
/// short cache (`principals`); a token's address and rate limit are checked on every request.
pub async fn authenticate(
    state: &AppState,
    credential: &str,
    meta: &RequestMeta,
) -> AppResult<(Principal, Option<RateInfo>)> {
    let resolved = principals::resolve(state, credential).await?;
    let rate = match (&resolved.principal, &resolved.limits) {
        (Principal::Token(token), Some(limits)) => Some(tokens::admit(state, token, limits, meta).await?),
        _ => None,
    };
    Ok((resolved.principal.clone(), rate))
}

/// For an open WebSocket authenticated by `credential` as `current`, which needs `required`:
/// `None` when `event` does not concern it, else the principal it now has, or why it must close.
/// Without an event (the socket missed some) it is re-checked in any case.
pub async fn recheck(
    state: &AppState,
    credential: &str,
    required: Permission,
    event: Option<&Event>,
    current: &Principal,
) -> Option<Result<Principal, String>> {
    if let Some(event) = event {
        if event.kind != revocation::PRINCIPAL_CHANGED {
            return None;
        }
        let subject: Subject = serde_json::from_value(event.data.clone()).ok()?;
        if !subject.affects(current) {
            return None;
        }
    }
    // Fails closed: a socket whose credential cannot be re-checked is closed (clients reconnect).
    Some(match principals::resolve(state, credential).await {
        Ok(r) if r.principal.has(required) => Ok(r.principal.clone()),
        Ok(_) => Err(format!("permission {} revoked", required.as_str())),
        Err(e) => Err(e.message),
    })
}
