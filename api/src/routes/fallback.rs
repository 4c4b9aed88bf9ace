//! What answers when no handler matched: a JSON 404 or 405 under `/api`, the dashboard
//! elsewhere. The API's paths are read from the OpenAPI document, so a method a route does not
//! have gets 405 with `Allow` (as HTTP asks) without a table to keep in step by hand.

use actix_web::{http::Method, web, HttpRequest, HttpResponse};

use super::spa;
use crate::{error::AppError, state::AppState};

/// One documented path (`/api/v1/cameras/{id}`) and the methods it has.
#[derive(Debug, Clone)]
struct Route {
    segments: Vec<Option<String>>,
    methods: Vec<Method>,
}

/// Every documented API route, for telling "no such path" from "no such method".
#[derive(Debug, Clone, Default)]
pub struct ApiRoutes(Vec<Route>);

impl ApiRoutes {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| Route {
                // `{param}` segments match anything; the rest literally.
                segments: path
                    .trim_start_matches('/')
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                    .collect(),
                methods: methods_of(item),
            })
            .collect();
        ApiRoutes(routes)
    }

    /// The methods of the route `path` belongs to; `None` = no such route.
    fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut found: Option<Vec<Method>> = None;
        for route in &self.0 {
            let matches = route.segments.len() == parts.len()
                && route
                    .segments
                    .iter()
                    .zip(&parts)
                    .all(|(want, got)| want.as_deref().is_none_or(|w| w == *got));
            if matches {
                found.get_or_insert_with(Vec::new).extend(route.methods.iter().cloned());
            }
        }
        found
    }
}

fn methods_of(item: &utoipa::openapi::PathItem) -> Vec<Method> {
    [
        (item.get.is_some(), Method::GET),
        (item.put.is_some(), Method::PUT),
        (item.post.is_some(), Method::POST),
        (item.delete.is_some(), Method::DELETE),
        (item.patch.is_some(), Method::PATCH),
    ]
    .into_iter()
    .filter_map(|(has, m)| has.then_some(m))
    .collect()
}

fn method_not_allowed(method: &Method, allowed: &[Method]) -> HttpResponse {
    let allow = allowed.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
    let mut res = actix_web::ResponseError::error_response(&AppError::method_not_allowed(format!(
        "{method} is not allowed here; allowed: {allow}"
    )));
    if let Ok(value) = actix_web::http::header::HeaderValue::try_from(allow) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, value);
    }
    res
}

pub async fn fallback(
    req: HttpRequest,
    state: web::Data<AppState>,
    routes: web::Data<ApiRoutes>,
) -> actix_web::Result<HttpResponse> {
    let path = req.path();
    if path.starts_with("/api/") || path == "/api" {
        return match routes.allowed(path) {
            Some(allowed) if !allowed.contains(req.method()) => {
                Ok(method_not_allowed(req.method(), &allowed))
            }
            _ => Err(AppError::not_found(format!("no route {} {}", req.method(), path)).into()),
        };
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Ok(method_not_allowed(req.method(), &[Method::GET, Method::HEAD]));
    }
    spa::serve(&req, state.settings.frontend_dir.as_deref()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> ApiRoutes {
        let doc: utoipa::openapi::OpenApi = serde_json::from_value(serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/api/v1/cameras": {"get": {"responses": {}}, "post": {"responses": {}}},
                "/api/v1/cameras/{id}": {"get": {"responses": {}}, "delete": {"responses": {}}},
                "/api/v1/cameras/{id}/activate": {"post": {"responses": {}}}
            }
        }))
        .expect("valid document");
        ApiRoutes::from_openapi(&doc)
    }

    #[test]
    fn a_known_path_reports_its_methods_and_an_unknown_one_none() {
        let r = routes();
        assert_eq!(r.allowed("/api/v1/cameras"), Some(vec![Method::GET, Method::POST]));
        assert_eq!(r.allowed("/api/v1/cameras/abc"), Some(vec![Method::GET, Method::DELETE]));
        assert_eq!(r.allowed("/api/v1/cameras/abc/activate"), Some(vec![Method::POST]));
        assert_eq!(r.allowed("/api/v1/cameras/abc/nope"), None);
        assert_eq!(r.allowed("/api/v1/camera"), None);
    }
}
