//! The OpenAPI document: this base (info, security schemes, tags) merged with every handler's
//! `#[utoipa::path]` by utoipa-actix-web.

use utoipa::{
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Argus API",
        description = "Control plane of the Argus camera streaming platform.\n\n\
            Dashboard users authenticate with `POST /api/v1/auth/login` and send the access token as \
            `Authorization: Bearer <jwt>`. Integrators use API tokens (`argus_…`) as \
            `Authorization: Bearer argus_…` or `X-API-Key: argus_…`.\n\n\
            Every error has the shape `{\"error\":{\"code\",\"message\",\"details\"}}`."
    ),
    modifiers(&SecurityAddon),
    tags(
        (name = "auth", description = "Sessions, tokens and the permission table"),
        (name = "users", description = "User administration (admin)"),
        (name = "cameras", description = "Camera registry"),
        (name = "api-tokens", description = "Third-party API tokens (admin)"),
        (name = "audit", description = "Audit trail (admin)"),
        (name = "dashboard", description = "Statistics"),
        (name = "recordings", description = "Recorded footage"),
        (name = "streaming", description = "nginx-rtmp hooks (form posts from nginx, guarded by the hook secret)"),
        (name = "live", description = "Playback URLs, transcoding profiles and the WebSocket feed")
    )
)]
pub struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or argus_ token")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
    }
}
