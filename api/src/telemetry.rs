//! Tracing subscriber: human-readable by default, JSON with `ARGUS_LOG_FORMAT=json`.
//! The level comes from `RUST_LOG` (default `info`).

use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    init_with(format, std::io::stdout);
}

/// Logs on stderr: for commands whose stdout is their output (`argus storage plan --json`).
pub fn init_stderr(format: LogFormat) {
    init_with(format, std::io::stderr);
}

fn init_with<W>(format: LogFormat, writer: W)
where
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    // try_init: a second call (tests, subcommands) keeps the first subscriber.
    let _ = match format {
        LogFormat::Json => {
            registry.with(fmt::layer().json().flatten_event(true).with_writer(writer)).try_init()
        }
        LogFormat::Pretty => registry.with(fmt::layer().with_target(false).with_writer(writer)).try_init(),
    };
}

/// Logs of a helper process (the transcoder, started by nginx without a terminal) to a file.
pub fn init_file(path: &std::path::Path) -> anyhow::Result<()> {
    let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_ansi(false).with_writer(std::sync::Mutex::new(file)))
        .try_init();
    Ok(())
}

/// Query parameters that carry credentials: hook secret, WebSocket access token, signed-link
/// signature. They are masked in request spans so no log line holds a secret.
const SECRET_PARAMS: &[&str] = &["secret", "access_token", "sig", "token", "key"];

/// `path?query` with the values of [`SECRET_PARAMS`] replaced by `***`.
pub fn redact_target(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else { return path_and_query.to_string() };
    let params: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if SECRET_PARAMS.contains(&name) => format!("{name}=***"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{path}?{}", params.join("&"))
}

/// tracing-actix-web's default root span, but with [`redact_target`] applied to `http.target`
/// and `http.route` left to the metrics middleware.
pub struct RedactingRootSpan;

impl tracing_actix_web::RootSpanBuilder for RedactingRootSpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        use actix_web::HttpMessage;
        let request_id = request.extensions().get::<tracing_actix_web::RequestId>().map(ToString::to_string);
        let target = redact_target(request.uri().path_and_query().map(|p| p.as_str()).unwrap_or(""));
        // The same address the rules see: forwarded headers only from ARGUS_TRUSTED_PROXIES.
        let client_ip = crate::auth::extract::client_ip(request.request()).unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            // Recorded by `routes::metrics::track`, which finds the pattern anyway.
            http.route = tracing::field::Empty,
            http.target = %target,
            http.client_ip = %client_ip,
            request_id = request_id.as_deref().unwrap_or(""),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::redact_target;

    #[test]
    fn secrets_in_query_strings_are_masked() {
        assert_eq!(
            redact_target("/api/v1/streaming/auth?secret=s3cr3t&x=1"),
            "/api/v1/streaming/auth?secret=***&x=1"
        );
        assert_eq!(redact_target("/api/v1/ws?access_token=eyJ.a.b"), "/api/v1/ws?access_token=***");
        assert_eq!(
            redact_target("/api/v1/recordings/r/stream?expires=9&sig=abc"),
            "/api/v1/recordings/r/stream?expires=9&sig=***"
        );
        assert_eq!(redact_target("/api/v1/cameras?page=2&q=lobby"), "/api/v1/cameras?page=2&q=lobby");
        assert_eq!(redact_target("/healthz"), "/healthz");
    }
}
