//! The request extractors: `Principal` authenticates the request's credential through
//! `services::auth::authenticate`; `Authorized<R>`, which every protected handler takes, also
//! checks the permission `R` and audits denials; `RequestMeta` is the client's address and agent.

use std::{marker::PhantomData, net::IpAddr};

use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::{
    permissions::Requirement,
    principal::{Principal, RequestMeta},
};
use crate::{error::AppError, services, state::AppState};

impl RequestMeta {
    pub fn from_request(req: &HttpRequest) -> RequestMeta {
        RequestMeta {
            ip: client_ip(req),
            user_agent: req
                .headers()
                .get("user-agent")
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(512).collect()),
        }
    }
}

/// The client's address: the right-most address of the `X-Forwarded-For` chain (peer last) that
/// is not a trusted proxy (`ARGUS_TRUSTED_PROXIES`). Entries left of it can be forged by the
/// client, so they are never believed; a peer that is not trusted is the client itself.
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    let peer = req.peer_addr().map(|a| a.ip())?;
    let trusted =
        req.app_data::<web::Data<AppState>>().map(|s| s.settings.security.trusted_proxies.as_slice());
    let headers = req.headers();
    let forwarded = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let forwarded = if forwarded.is_empty() {
        headers.get("x-real-ip").and_then(|v| v.to_str().ok()).map(str::trim).into_iter().collect()
    } else {
        forwarded
    };
    Some(rightmost_untrusted(peer, &forwarded, trusted.unwrap_or_default()).to_string())
}

fn rightmost_untrusted(peer: IpAddr, forwarded: &[&str], trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer;
    for hop in forwarded.iter().rev() {
        if !is_trusted(&client) {
            break;
        }
        // Garbage from a trusted hop's left: the trusted hop is as far as we can see.
        match hop.parse::<IpAddr>() {
            Ok(ip) => client = ip,
            Err(_) => break,
        }
    }
    client
}

impl FromRequest for RequestMeta {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(RequestMeta::from_request(req)))
    }
}

/// The credential a request carries: `Authorization: Bearer …`, `X-API-Key: …`, or, for
/// the few GET endpoints a browser opens without headers (WebSocket, media), `?access_token=`.
pub fn credential(req: &HttpRequest) -> Option<String> {
    let headers = req.headers();
    if let Some(v) = headers.get("authorization").and_then(|v| v.to_str().ok()) {
        let mut parts = v.splitn(2, ' ');
        if parts.next().is_some_and(|s| s.eq_ignore_ascii_case("bearer")) {
            return parts.next().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        }
        return None;
    }
    if let Some(v) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(v.trim().to_string());
    }
    let path = req.path();
    let query_allowed = req.method() == actix_web::http::Method::GET
        && (path.ends_with("/ws") || path.ends_with("/stream") || path.ends_with("/download"));
    if query_allowed {
        return web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.get("access_token").cloned());
    }
    None
}

impl FromRequest for Principal {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(p) = req.extensions().get::<Principal>() {
                return Ok(p.clone());
            }
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| AppError::internal("application state missing"))?;
            let cred = credential(&req).ok_or_else(|| AppError::unauthorized("missing credentials"))?;
            let meta = RequestMeta::from_request(&req);
            let (principal, rate) = services::auth::authenticate(&state, &cred, &meta).await?;
            if let Some(rate) = rate {
                req.extensions_mut().insert(rate);
            }
            req.extensions_mut().insert(principal.clone());
            Ok(principal)
        })
    }
}

/// A principal that holds permission `R`. A principal without it gets 403 and an audit entry.
pub struct Authorized<R: Requirement> {
    pub principal: Principal,
    pub meta: RequestMeta,
    _requirement: PhantomData<R>,
}

impl<R: Requirement> std::ops::Deref for Authorized<R> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<R: Requirement + 'static> FromRequest for Authorized<R> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let principal = Principal::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let principal = principal.await?;
            let meta = RequestMeta::from_request(&req);
            if !principal.has(R::PERMISSION) {
                if let Some(state) = req.app_data::<web::Data<AppState>>() {
                    let route = req.match_pattern().unwrap_or_else(|| req.path().to_string());
                    services::audit::denied(
                        state,
                        &principal,
                        &meta,
                        R::PERMISSION,
                        req.method().as_str(),
                        &route,
                    );
                }
                return Err(
                    AppError::forbidden(format!("missing permission {}", R::PERMISSION.as_str())).into()
                );
            }
            Ok(Authorized { principal, meta, _requirement: PhantomData })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::rightmost_untrusted;

    #[test]
    fn forwarded_chain_is_believed_only_through_trusted_hops() {
        let lo = ["127.0.0.1/32".parse().unwrap()];
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        // Untrusted peer: its header is ignored.
        assert_eq!(rightmost_untrusted(ip("10.1.1.1"), &["10.9.9.9"], &lo), ip("10.1.1.1"));
        // Trusted nginx in front: the address it saw.
        assert_eq!(rightmost_untrusted(ip("127.0.0.1"), &["203.0.113.5"], &lo), ip("203.0.113.5"));
        // A forged left part does not win over the hop nginx appended.
        assert_eq!(
            rightmost_untrusted(ip("127.0.0.1"), &["10.9.9.9", "203.0.113.5"], &lo),
            ip("203.0.113.5")
        );
        assert_eq!(rightmost_untrusted(ip("127.0.0.1"), &["junk"], &lo), ip("127.0.0.1"));
        assert_eq!(rightmost_untrusted(ip("127.0.0.1"), &["10.9.9.9"], &[]), ip("127.0.0.1"));
    }
}
