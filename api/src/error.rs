//! The one error type of the service. Every failure leaves as
//! `{"error":{"code","message","details"}}` with the matching status code.

use actix_web::{
    http::{
        header::{HeaderName, HeaderValue},
        StatusCode,
    },
    HttpResponse, ResponseError,
};
use serde::Serialize;
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    ValidationFailed,
    /// A range holds no recorded footage (422).
    NoFootage,
    RateLimited,
    Internal,
    Unavailable,
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::ValidationFailed | ErrorCode::NoFootage => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// What a rate limiter told us; rendered as `Retry-After` and `X-RateLimit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateInfo {
    pub limit: u64,
    pub remaining: u64,
    pub reset_secs: u64,
}

impl RateInfo {
    /// `X-RateLimit-*`, on refusals (with `Retry-After`) and on answers that passed the limit.
    pub fn headers(&self) -> [(HeaderName, HeaderValue); 3] {
        let value = |n: u64| HeaderValue::from(n);
        [
            (HeaderName::from_static("x-ratelimit-limit"), value(self.limit)),
            (HeaderName::from_static("x-ratelimit-remaining"), value(self.remaining)),
            (HeaderName::from_static("x-ratelimit-reset"), value(self.reset_secs)),
        ]
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Option<Value>,
    pub rate: Option<RateInfo>,
    /// The database aborted the transaction because of a concurrent one (MySQL deadlock or lock
    /// wait timeout, SQLite busy): running it again is expected to succeed.
    pub transient: bool,
}

pub type AppResult<T> = Result<T, AppError>;

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorPayload,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    #[schema(example = "camera not found")]
    pub message: String,
    #[schema(value_type = Option<Object>)]
    pub details: Option<Value>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError { code, message: message.into(), details: None, rate: None, transient: false }
    }
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
    pub fn bad_request(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, m)
    }
    pub fn unauthorized(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, m)
    }
    pub fn forbidden(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, m)
    }
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, m)
    }
    pub fn method_not_allowed(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::MethodNotAllowed, m)
    }
    pub fn conflict(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, m)
    }
    pub fn internal(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, m)
    }
    pub fn unavailable(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unavailable, m)
    }
    pub fn rate_limited(m: impl Into<String>, rate: RateInfo) -> Self {
        let mut e = Self::new(ErrorCode::RateLimited, m);
        e.details = Some(serde_json::json!({ "retry_after_secs": rate.reset_secs }));
        e.rate = Some(rate);
        e
    }
    /// One field failed a rule the validator crate cannot express (e.g. "already taken").
    pub fn field(field: &str, code: &str, message: &str) -> Self {
        Self::new(ErrorCode::ValidationFailed, "validation failed")
            .with_details(serde_json::json!({ field: [{ "code": code, "message": message }] }))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        if self.code == ErrorCode::Internal {
            // The client gets a generic message; the cause goes to the log with the request span.
            tracing::error!(error = %self.message, "internal error");
        }
        let message = match self.code {
            ErrorCode::Internal => "internal server error".to_string(),
            _ => self.message.clone(),
        };
        let mut resp = HttpResponse::build(self.status_code());
        if let Some(rate) = self.rate {
            resp.insert_header(("Retry-After", rate.reset_secs.max(1).to_string()));
            for header in rate.headers() {
                resp.insert_header(header);
            }
        }
        resp.json(ErrorBody {
            error: ErrorPayload { code: self.code, message, details: self.details.clone() },
        })
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut details = serde_json::Map::new();
        for (field, errs) in errors.field_errors() {
            let list: Vec<Value> = errs
                .iter()
                .map(|e| {
                    let message = e.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| describe(e));
                    serde_json::json!({ "code": e.code, "message": message })
                })
                .collect();
            details.insert(field.to_string(), Value::Array(list));
        }
        AppError::new(ErrorCode::ValidationFailed, "validation failed").with_details(Value::Object(details))
    }
}

/// A readable sentence for a validator rule that carries no message of its own.
fn describe(e: &validator::ValidationError) -> String {
    let param = |name: &str| e.params.get(name).map(|v| v.to_string());
    match (e.code.as_ref(), param("min"), param("max")) {
        ("length", Some(min), Some(max)) => format!("must be {min} to {max} characters long"),
        ("length", Some(min), None) if min == "1" => "must not be empty".into(),
        ("length", Some(min), None) => format!("must be at least {min} long"),
        ("length", None, Some(max)) => format!("must be at most {max} characters long"),
        ("range", Some(min), Some(max)) => format!("must be between {min} and {max}"),
        ("email", _, _) => "must be a valid e-mail address".into(),
        (code, _, _) => format!("failed rule {code}"),
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::not_found("not found"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                AppError::conflict(format!("already exists: {}", info.message()))
            }
            Error::DatabaseError(kind, info) if is_transient(&kind, info.message()) => {
                let mut e = AppError::unavailable(format!("database busy: {}", info.message()));
                e.transient = true;
                e
            }
            Error::DatabaseError(kind, info) if is_connection_lost(&kind, info.message()) => {
                AppError::unavailable(format!("database unavailable: {}", info.message()))
            }
            other => AppError::internal(format!("database: {}", with_causes(&other))),
        }
    }
}

/// An error's message followed by those of its causes: diesel names the field a row failed to
/// load by, and only its source says why (e.g. a value no enum variant spells).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        cause = c.source();
    }
    text
}

/// The connection died under a query (the server went away): 503, like a failed checkout.
fn is_connection_lost(kind: &diesel::result::DatabaseErrorKind, message: &str) -> bool {
    matches!(kind, diesel::result::DatabaseErrorKind::ClosedConnection)
        || ["server has gone away", "Lost connection", "Can't connect"].iter().any(|m| message.contains(m))
}

/// Conflicts between concurrent transactions, which the database resolves by aborting one.
fn is_transient(kind: &diesel::result::DatabaseErrorKind, message: &str) -> bool {
    matches!(kind, diesel::result::DatabaseErrorKind::SerializationFailure)
        || ["Deadlock found", "Lock wait timeout", "database is locked"].iter().any(|m| message.contains(m))
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        AppError::unavailable(format!("database pool: {e}"))
    }
}

impl From<redis::RedisError> for AppError {
    fn from(e: redis::RedisError) -> Self {
        AppError::unavailable(format!("redis: {e}"))
    }
}

impl From<deadpool_redis::PoolError> for AppError {
    fn from(e: deadpool_redis::PoolError) -> Self {
        AppError::unavailable(format!("redis pool: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        AppError::internal("blocking task was cancelled")
    }
}

/// JSON/query/path extractor failures get the same error shape as everything else.
pub fn json_config() -> actix_web::web::JsonConfig {
    actix_web::web::JsonConfig::default()
        .limit(256 * 1024)
        .error_handler(|err, _| AppError::bad_request(format!("invalid JSON body: {err}")).into())
}

pub fn query_config() -> actix_web::web::QueryConfig {
    actix_web::web::QueryConfig::default()
        .error_handler(|err, _| AppError::bad_request(format!("invalid query: {err}")).into())
}

pub fn path_config() -> actix_web::web::PathConfig {
    actix_web::web::PathConfig::default()
        .error_handler(|err, _| AppError::bad_request(format!("invalid path: {err}")).into())
}

pub fn form_config() -> actix_web::web::FormConfig {
    actix_web::web::FormConfig::default()
        .error_handler(|err, _| AppError::bad_request(format!("invalid form: {err}")).into())
}
