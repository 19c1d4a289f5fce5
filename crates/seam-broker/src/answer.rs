//! What every resource handler shares: the broker's state, the error shape
//! (the Pact Broker's: `{"errors": {...}}` with 400, 404 and 409 with a
//! message, a logged 500 for a database failure), HAL answers, reading a
//! JSON body strictly, and the lookups that answer 404.

use crate::hal::Urls;
use crate::store::{Pacticipant, Store, StoreError, Version};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};

/// The largest request body the broker reads (a pact of thousands of
/// interactions fits; more is 413).
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// The `error` of every 404, as the Pact Broker words it.
pub const NOT_FOUND: &str = "The requested document was not found on this server.";

pub struct AppState {
    pub store: Store,
    /// The base URL links are built from: `--base-url`, else where the
    /// broker listens (set once it is bound).
    pub base_url: OnceLock<String>,
    /// Whether the test clock endpoint is served (`--test-clock`).
    pub test_clock: bool,
    /// Whether a published consumer version's pact may change (`--allow-contract-modification`).
    pub allow_contract_modification: bool,
    /// Who may do what.
    pub auth: crate::config::AuthConfig,
    /// Where webhooks may send, how they retry.
    pub webhooks: Arc<crate::config::WebhookConfig>,
    /// Wakes the webhook worker when a delivery is queued.
    pub webhook_wakeup: Arc<tokio::sync::Notify>,
}

pub type Shared = Arc<AppState>;

impl AppState {
    pub fn urls(&self) -> Urls {
        Urls::new(self.base_url.get().map(String::as_str).unwrap_or(""))
    }
}

/// An answer that is not a resource: the status and the broker's error body.
#[derive(Debug)]
pub enum ApiError {
    /// 400 with `{"errors": {field: [messages]}}`
    Invalid(Vec<(String, String)>),
    /// 404 with a message
    NotFound(String),
    /// 409 with a message
    Conflict(String),
    /// 500 for a database failure (its text is logged, not sent)
    Store(StoreError),
}

pub type ApiResult = Result<Response, ApiError>;

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid(vec![(field.to_string(), message.into())])
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Store(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Invalid(errors) => {
                let mut map = serde_json::Map::new();
                for (field, message) in errors {
                    let entry = map.entry(field).or_insert_with(|| json!([]));
                    if let Value::Array(list) = entry {
                        list.push(Value::String(message));
                    }
                }
                hal_response(StatusCode::BAD_REQUEST, json!({ "errors": map }))
            }
            // the Pact Broker's 404: plain JSON with its fixed sentence; what
            // was not found is in `errors`
            ApiError::NotFound(message) => {
                let mut r = (
                    StatusCode::NOT_FOUND,
                    Json(json!({ "error": NOT_FOUND, "errors": {"resource": [message]} })),
                )
                    .into_response();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json;charset=utf-8"),
                );
                r
            }
            ApiError::Conflict(message) => hal_response(
                StatusCode::CONFLICT,
                json!({ "error": message, "errors": {"resource": [message]} }),
            ),
            ApiError::Store(e) => {
                eprintln!("seam broker: {e}");
                hal_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"error": {"message": "the broker's database failed; see the broker's log"}}),
                )
            }
        }
    }
}

/// A HAL JSON answer.
pub fn hal_response(status: StatusCode, body: Value) -> Response {
    let mut r = (status, Json(body)).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/hal+json;charset=utf-8"),
    );
    r
}

pub fn ok(body: Value) -> ApiResult {
    Ok(hal_response(StatusCode::OK, body))
}

/// 201 with a Location, or 200 when nothing new was made.
pub fn created_or_ok(created: bool, location: &str, body: Value) -> ApiResult {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut r = hal_response(status, body);
    if created {
        if let Ok(v) = HeaderValue::from_str(location) {
            r.headers_mut().insert(header::LOCATION, v);
        }
    }
    Ok(r)
}

/// A request body as JSON: empty is `{}`, malformed is 400 naming where.
pub fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    let text = seam_core::source::decode_text(body)
        .map_err(|e| ApiError::invalid("body", format!("the request body is not UTF-8: {e}")))?;
    serde_json::from_str(text).map_err(|e| {
        ApiError::invalid(
            "body",
            format!(
                "the request body is not valid JSON: line {}, column {}: {}",
                e.line(),
                e.column(),
                plain_json_error(&e)
            ),
        )
    })
}

fn plain_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The string member `key` of a JSON object, if present and a string;
/// 400 when present and not one.
pub fn opt_str<'a>(body: &'a Value, key: &str) -> Result<Option<&'a str>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::invalid(key, format!("{key} must be a string"))),
    }
}

pub async fn found_pacticipant(state: &Shared, name: &str) -> Result<Pacticipant, ApiError> {
    state
        .store
        .pacticipant(name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No pacticipant with name '{name}' found")))
}

pub async fn found_version(state: &Shared, name: &str, number: &str) -> Result<Version, ApiError> {
    state.store.version(name, number).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "No version '{number}' of pacticipant '{name}' found"
        ))
    })
}
