//! The OpenAPI document: this base (info, security schemes, tags) merged with every handler's
//! `#[utoipa::path]` by utoipa-actix-web.

use utoipa::{
    openapi::{
        path::{Operation, ParameterIn, PathItem},
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
        ContentBuilder, Ref, RefOr, Response, ResponseBuilder,
    },
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

/// The finished document (the handlers' paths merged in by utoipa-actix-web): every operation
/// also lists the error answers the shared machinery gives it, so the document and the server
/// agree without each handler repeating them (a status a handler documents itself is kept), and
/// names that are only known at run time (the loaded transcoding profiles, the permission names)
/// are listed as the enums they are.
pub fn complete(mut doc: utoipa::openapi::OpenApi, profile_names: &[String]) -> utoipa::openapi::OpenApi {
    for item in doc.paths.paths.values_mut() {
        for op in operations_mut(item) {
            add_common_errors(op);
        }
    }
    let permissions: Vec<&str> = crate::auth::Permission::ALL.iter().map(|p| p.as_str()).collect();
    let enums = [
        ("NewCamera", "transcode_profile", serde_json::json!(profile_names)),
        ("CameraUpdate", "transcode_profile", serde_json::json!(profile_names)),
        ("NewApiToken", "permissions", serde_json::json!(permissions)),
    ];
    match serde_json::to_value(&doc) {
        Ok(mut value) => {
            for (schema, property, values) in enums {
                set_enum(&mut value, schema, property, values);
            }
            serde_json::from_value(value).unwrap_or(doc)
        }
        Err(_) => doc,
    }
}

/// Restricts a string property (or the items of a string array) of a component schema to
/// `values`, keeping `null` allowed where the property is nullable.
fn set_enum(doc: &mut serde_json::Value, schema: &str, property: &str, values: serde_json::Value) {
    let Some(prop) = doc.pointer_mut(&format!("/components/schemas/{schema}/properties/{property}")) else {
        tracing::warn!(schema, property, "OpenAPI: no such property to restrict");
        return;
    };
    let target = match prop.get("items") {
        Some(_) => &mut prop["items"],
        None => prop,
    };
    let mut values = values;
    let nullable = target["type"].as_array().is_some_and(|t| t.iter().any(|t| t == "null"));
    if let (true, Some(list)) = (nullable, values.as_array_mut()) {
        list.push(serde_json::Value::Null);
    }
    target["enum"] = values;
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

fn add_common_errors(op: &mut Operation) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let has_path_param = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
    let has_input = op.request_body.is_some() || !params.is_empty();
    let secured = op.security.as_ref().is_some_and(|reqs| !reqs.is_empty());
    let mut add = |status: &str, why: &str| {
        op.responses.responses.entry(status.to_string()).or_insert_with(|| error_response(why));
    };
    if has_input {
        add("400", "malformed request (body, query or path)");
        add("422", "validation failed; `details` names each field");
    }
    if secured {
        add("401", "missing, invalid or expired credentials");
        add("403", "the caller lacks the permission or the camera is outside its scope");
        add("429", "API token over its hourly rate limit (`Retry-After`, `X-RateLimit-*`)");
    }
    if has_path_param {
        add("404", "no such resource (or not visible to the caller)");
    }
    add("500", "unexpected server error");
    add("503", "a backing service (database) is unavailable");
}

fn error_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
        )
        .build()
        .into()
}
