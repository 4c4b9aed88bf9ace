//! The OpenAPI document: this base (info, security schemes, tags) merged with every handler's
//! `#[utoipa::path]` by utoipa-actix-web.

use actix_web::{
    dev::{ServiceFactory, ServiceRequest},
    App,
};
use utoipa::{
    openapi::{
        path::{Operation, ParameterIn, PathItem},
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
        ContentBuilder, Ref, RefOr, Response, ResponseBuilder,
    },
    Modify, OpenApi,
};
use utoipa_actix_web::{AppExt, UtoipaApp};

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
        (name = "jobs", description = "Scheduled jobs: their runs, and running one now (admin)"),
        (name = "dashboard", description = "Statistics"),
        (name = "recordings", description = "Recorded footage"),
        (name = "exports", description = "Clip exports: a range of a camera's footage cut into one MP4 in the background, then downloaded"),
        (name = "alert-channels", description = "Where alerts are delivered: signed webhooks and e-mail (admin), with their delivery logs"),
        (name = "alerts", description = "Alerts: cameras offline, recording and storage failures, degraded streams, crash loops, login bursts, failing jobs; acknowledge and resolve"),
        (name = "storage", description = "Storage lifecycle: what the tiers hold, and the dry-run plan of tier moves and deletions (retention, camera quota, HOT disk floor)"),
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

/// Mounts every `/api/v1` route on `app` and collects their paths on top of [`ApiDoc`]. The
/// server and [`document`] both build on it, so `argus openapi` prints what the server serves.
pub fn with_api_routes<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(crate::routes::configure))
}

/// The document `/api/openapi.json` serves, built without a database or a running server
/// (`argus openapi`; the dashboard's types are generated from it).
pub fn document(profile_names: &[String]) -> utoipa::openapi::OpenApi {
    let (_, doc) = with_api_routes(App::new().into_utoipa_app()).split_for_parts();
    complete(doc, profile_names)
}

/// The finished document (the handlers' paths merged in by utoipa-actix-web): every operation
/// also lists the error answers the shared machinery gives it, so the document and the server
/// agree without each handler repeating them (a status a handler documents itself is kept), and
/// names that are only known at run time (the loaded transcoding profiles, the permission names)
/// are listed as the enums they are. Operation ids get their tag in front (`cameras_list`):
/// utoipa names an operation after its handler, and several modules have a `list`, while an id
/// must be unique for generated clients (the dashboard's types) to tell the operations apart.
pub fn complete(mut doc: utoipa::openapi::OpenApi, profile_names: &[String]) -> utoipa::openapi::OpenApi {
    for item in doc.paths.paths.values_mut() {
        for op in operations_mut(item) {
            add_common_errors(op);
            qualify_operation_id(op);
        }
    }
    let permissions: Vec<&str> = crate::auth::Permission::ALL.iter().map(|p| p.as_str()).collect();
    let enums = [
        ("NewCamera", "transcode_profile", serde_json::json!(profile_names)),
        ("CameraUpdate", "transcode_profile", serde_json::json!(profile_names)),
        ("NewApiToken", "permissions", serde_json::json!(permissions)),
        ("ApiTokenView", "permissions", serde_json::json!(permissions)),
        ("Me", "permissions", serde_json::json!(permissions)),
        ("PermissionTable", "permissions", serde_json::json!(permissions)),
        ("PermissionTable", "token_grantable", serde_json::json!(permissions)),
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
    // A schema that extends another (`#[serde(flatten)]`) keeps its own properties in `allOf`.
    let base = format!("/components/schemas/{schema}");
    let found = std::iter::once(format!("{base}/properties/{property}"))
        .chain((0..all_of_len(doc, &base)).map(|i| format!("{base}/allOf/{i}/properties/{property}")))
        .find(|path| doc.pointer(path).is_some());
    let Some(prop) = found.and_then(|path| doc.pointer_mut(&path)) else {
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

/// `list` of the `api-tokens` tag becomes `api_tokens_list`.
fn qualify_operation_id(op: &mut Operation) {
    let tag = op.tags.as_ref().and_then(|tags| tags.first()).map(|t| t.replace('-', "_"));
    if let (Some(tag), Some(id)) = (tag, op.operation_id.as_mut()) {
        *id = format!("{tag}_{id}");
    }
}

fn all_of_len(doc: &serde_json::Value, schema_path: &str) -> usize {
    doc.pointer(&format!("{schema_path}/allOf")).and_then(|v| v.as_array()).map_or(0, Vec::len)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_without_a_server_has_unique_operation_ids_and_permission_enums() {
        let doc = serde_json::to_value(document(&["default".to_string()])).expect("serializable");
        let mut ids: Vec<&str> = doc["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("path item").values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        assert!(ids.contains(&"cameras_list") && ids.contains(&"api_tokens_list"), "{ids:?}");
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "duplicate operation ids");
        let me =
            &doc["components"]["schemas"]["Me"]["allOf"][1]["properties"]["permissions"]["items"]["enum"];
        assert_eq!(me.as_array().map(Vec::len), Some(crate::auth::Permission::ALL.len()));
        let profile = &doc["components"]["schemas"]["NewCamera"]["properties"]["transcode_profile"]["enum"];
        assert_eq!(profile, &serde_json::json!(["default", null]));
    }
}
