//! Who a credential belongs to, cached for a few seconds so that an authenticated read does not
//! cost a session and a user query. Revocation still bites at once: entries live under the
//! `principals` cache generation, which `revocation::principal_changed` bumps (in Redis when
//! configured, so on every replica) before the revoking request answers, and every lookup reads
//! the generation first. A pub/sub message alone would race with the next request on another
//! replica; the generation read does not.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::{NaiveDateTime, Utc};

use super::{
    principal_cache::{Resolved, NAMESPACE, TTL},
    tokens,
};
use crate::{
    auth::{principal::UserPrincipal, sha256_hex, Principal, Role},
    db,
    error::{AppError, AppResult},
    state::AppState,
};

/// The principal behind a bearer credential (JWT or `argus_…` token), cached briefly.
pub async fn resolve(state: &AppState, credential: &str) -> AppResult<Arc<Resolved>> {
    // Read before the database, so an entry filled across a revocation is stored under the old
    // generation and never served. No generation (Redis unreadable) = no caching.
    let key = state
        .cache
        .checked_generation(NAMESPACE)
        .await
        .map(|generation| format!("{generation}:{}", sha256_hex(credential)));
    if let Some((hit, until)) = key.as_ref().and_then(|k| state.principals.get(k)) {
        if until > Instant::now() {
            return Ok(hit);
        }
    }
    let (resolved, until) = resolve_uncached(state, credential).await?;
    let resolved = Arc::new(resolved);
    if let Some(key) = key {
        state.principals.insert(key, (resolved.clone(), until));
    }
    Ok(resolved)
}

fn instant_at(t: NaiveDateTime) -> Instant {
    let left = (t - db::now()).num_milliseconds().max(0);
    Instant::now() + Duration::from_millis(u64::try_from(left).unwrap_or(0))
}

async fn resolve_uncached(state: &AppState, credential: &str) -> AppResult<(Resolved, Instant)> {
    let cap = Instant::now() + TTL;
    if credential.starts_with(tokens::SECRET_PREFIX) {
        let (token, limits) = tokens::resolve(state, credential).await?;
        let until = limits.expires_at.map_or(cap, |t| cap.min(instant_at(t)));
        return Ok((Resolved { principal: Principal::Token(token), limits: Some(limits) }, until));
    }
    let claims = state.jwt.verify(credential)?;
    let idle = chrono::Duration::seconds(state.settings.session_idle_secs);
    let sid = claims.sid.clone();
    let sub = claims.sub.clone();
    let found = state
        .db
        .run(move |c| {
            let Some(session) = db::sessions::find(c, &sid)? else { return Ok(None) };
            let idle_at = session.last_used_at + idle;
            if session.revoked_at.is_some() || session.user_id != sub || idle_at < db::now() {
                return Ok(None);
            }
            Ok(db::users::find(c, &sub)?.map(|u| (u, idle_at)))
        })
        .await?;
    let (user, idle_at) = found.ok_or_else(|| AppError::unauthorized("session expired or revoked"))?;
    let role = Role::parse(&user.role).ok_or_else(|| AppError::internal("user has an unknown role"))?;
    if !user.is_active || !role.can_log_in() {
        return Err(AppError::unauthorized("account disabled"));
    }
    let exp_in = u64::try_from(claims.exp - Utc::now().timestamp()).unwrap_or(0);
    let until = cap.min(instant_at(idle_at)).min(Instant::now() + Duration::from_secs(exp_in));
    let principal = UserPrincipal { id: user.id, username: user.username, role, session_id: claims.sid };
    Ok((Resolved { principal: Principal::User(principal), limits: None }, until))
}
