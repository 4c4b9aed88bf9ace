//! Browser hardening headers on every answer Argus serves: a CSP without inline script, no
//! framing, no MIME sniffing, no referrer (HLS tokens sit in URL paths).

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
    web,
};

/// The two policies, built once from the settings.
pub struct Policies {
    app: HeaderValue,
    docs: HeaderValue,
}

/// `scheme://host[:port]` of a URL (the CSP source of the HLS server).
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

impl Policies {
    pub fn new(public_hls_url: &str) -> Policies {
        let hls = origin(public_hls_url);
        // hls.js plays through MediaSource (blob: media) and may run its demuxer in a blob: worker.
        // Styles may be inline (React style attributes); scripts never are.
        let app = format!(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
             media-src 'self' blob: {hls}; connect-src 'self' {hls}; worker-src 'self' blob:; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
        // The Swagger UI (/api/docs) bootstraps itself with inline script.
        let docs =
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
                    img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
        Policies {
            app: HeaderValue::from_str(&app)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
            docs: HeaderValue::from_static(docs),
        }
    }
}

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = req.path().starts_with("/api/docs");
    let csp =
        req.app_data::<web::Data<Policies>>().map(|p| if docs { p.docs.clone() } else { p.app.clone() });
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    if let Some(csp) = csp {
        h.insert(HeaderName::from_static("content-security-policy"), csp);
    }
    h.insert(HeaderName::from_static("x-content-type-options"), HeaderValue::from_static("nosniff"));
    h.insert(HeaderName::from_static("referrer-policy"), HeaderValue::from_static("no-referrer"));
    h.insert(HeaderName::from_static("x-frame-options"), HeaderValue::from_static("DENY"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn origin_drops_the_path() {
        assert_eq!(origin("https://cams.example.com:8443/base"), "https://cams.example.com:8443");
        assert_eq!(origin("http://127.0.0.1:8088"), "http://127.0.0.1:8088");
    }
}
