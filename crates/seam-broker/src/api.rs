//! The broker's HTTP API: the router, the state handlers share, the error
//! shape (the Pact Broker's: `{"errors": {...}}` with 400, 404 with a
//! message, never a 500 for bad input), the index of relations, health and
//! Prometheus metrics. The resources live in their own modules.

use crate::hal::{self, template, Urls};
use crate::store::{Store, StoreError};
use crate::{environments, for_verification, matrix, pacticipants, pacts};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};

/// The largest request body the broker reads (a pact of thousands of
/// interactions fits; more is 413).
pub const MAX_BODY: usize = 16 * 1024 * 1024;

pub struct AppState {
    pub store: Store,
    /// The base URL links are built from: `--base-url`, else where the
    /// broker listens (set once it is bound).
    pub base_url: OnceLock<String>,
    /// Whether the test clock endpoint is served (`--test-clock`).
    pub test_clock: bool,
    /// Whether a published consumer version's pact may change (`--allow-contract-modification`).
    pub allow_contract_modification: bool,
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
            ApiError::NotFound(message) => hal_response(
                StatusCode::NOT_FOUND,
                json!({ "error": message, "errors": {"resource": [message]} }),
            ),
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

pub fn router(state: Shared) -> Router {
    let mut app = Router::new()
        .route("/", get(index))
        .route("/diagnostic/status/heartbeat", get(heartbeat))
        .route("/health", get(health))
        .route("/metrics", get(metrics));
    app = pacticipants::routes(app);
    app = pacts::routes(app);
    app = environments::routes(app);
    app = matrix::routes(app);
    app = for_verification::routes(app);
    if state.test_clock {
        app = app.route("/test/clock", axum::routing::post(advance_clock));
    }
    app.fallback(not_found)
        .layer(middleware::from_fn(limit_body))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// 413 with the broker's error shape when a body is declared too large.
async fn limit_body(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return hal_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"errors": {"body": [format!("the request body is larger than {MAX_BODY} bytes")]}}),
        );
    }
    let response = next.run(req).await;
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return hal_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"errors": {"body": [format!("the request body is larger than {MAX_BODY} bytes")]}}),
        );
    }
    response
}

async fn not_found() -> ApiError {
    ApiError::NotFound("The requested document was not found on this server.".into())
}

async fn index(State(state): State<Shared>) -> ApiResult {
    let u = state.urls();
    let t = |path: &str, title: &str| template(u.at(path), title);
    ok(json!({
        "_links": {
            "self": {"href": u.base, "title": "Index", "templated": false},
            "pb:publish-pact": t("/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}", "Publish a pact"),
            "pb:publish-contracts": {"href": u.at("/contracts/publish"), "title": "Publish contracts", "templated": false},
            "pb:latest-pact-versions": {"href": u.at("/pacts/latest"), "title": "Latest pact versions", "templated": false},
            "pb:tagged-pact-versions": t("/pacts/provider/{provider}/consumer/{consumer}/tag/{tag}", "All versions of a pact for a given consumer, provider and consumer version tag"),
            "pb:pacticipants": {"href": u.at("/pacticipants"), "title": "Pacticipants", "templated": false},
            "pb:pacticipant": t("/pacticipants/{pacticipant}", "Fetch pacticipant by name"),
            "pb:latest-provider-pacts": t("/pacts/provider/{provider}/latest", "Latest pacts by provider"),
            "pb:latest-provider-pacts-with-tag": t("/pacts/provider/{provider}/latest/{tag}", "Latest pacts for provider with the specified tag"),
            "pb:provider-pacts-with-tag": t("/pacts/provider/{provider}/tag/{tag}", "All pact versions for the provider with the specified consumer version tag"),
            "pb:provider-pacts": t("/pacts/provider/{provider}", "All pact versions for the specified provider"),
            "pb:latest-version": t("/pacticipants/{pacticipant}/latest-version", "Latest pacticipant version"),
            "pb:latest-tagged-version": t("/pacticipants/{pacticipant}/latest-version/{tag}", "Latest pacticipant version with the specified tag"),
            "pb:pacticipant-version": t("/pacticipants/{pacticipant}/versions/{version}", "Get, create or delete a pacticipant version"),
            "pb:pacticipant-version-tag": t("/pacticipants/{pacticipant}/versions/{version}/tags/{tag}", "Get, create or delete a tag for a pacticipant version"),
            "pb:pacticipant-branch": t("/pacticipants/{pacticipant}/branches/{branch}", "Get or delete a pacticipant branch"),
            "pb:pacticipant-branch-version": t("/pacticipants/{pacticipant}/branches/{branch}/versions/{version}", "Get or add/create a pacticipant version for a branch"),
            "pb:can-i-deploy-pacticipant-version-to-tag": t("/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}", "Determine if an application version can be safely deployed to an environment identified by the given tag"),
            "pb:can-i-deploy-pacticipant-version-to-environment": t("/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}", "Determine if an application version can be safely deployed to an environment"),
            "pb:provider-pacts-for-verification": t("/pacts/provider/{provider}/for-verification", "Pact versions to be verified for the specified provider"),
            "beta:provider-pacts-for-verification": {"name": "beta", "href": u.at("/pacts/provider/{provider}/for-verification"), "title": "DEPRECATED - please use pb:provider-pacts-for-verification", "templated": true},
            "pb:environments": {"href": u.at("/environments"), "title": "Environments", "templated": false},
            "pb:environment": t("/environments/{uuid}", "Environment"),
            "pb:matrix": {"href": u.at("/matrix"), "title": "The matrix", "templated": false},
            "pb:metrics": {"href": u.at("/metrics"), "title": "Get Pact Broker metrics"},
            "curies": hal::curies(&u),
        }
    }))
}

async fn heartbeat() -> ApiResult {
    ok(json!({"ok": true, "_links": {}}))
}

async fn health(State(state): State<Shared>) -> ApiResult {
    match state.store.ping().await {
        Ok(()) => ok(json!({"status": "ok", "database": "ok"})),
        Err(e) => {
            eprintln!("seam broker: health: {e}");
            Ok(hal_response(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"status": "failing", "database": "unreachable"}),
            ))
        }
    }
}

/// Counts of what the broker holds, in Prometheus text.
async fn metrics(State(state): State<Shared>, headers: HeaderMap) -> ApiResult {
    let counts = state.store.counts().await?;
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("json"));
    if wants_json {
        let map: serde_json::Map<String, Value> = counts
            .iter()
            .map(|(k, v)| (k.to_string(), json!({ "count": v })))
            .collect();
        return ok(Value::Object(map));
    }
    let mut text = String::new();
    for (table, n) in counts {
        text.push_str(&format!(
            "# TYPE seam_broker_{table} gauge\nseam_broker_{table} {n}\n"
        ));
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

/// Test builds of a scenario move the broker's clock: `{"days": n, "minutes": m}`.
async fn advance_clock(State(state): State<Shared>, body: axum::body::Bytes) -> ApiResult {
    let body = json_body(&body)?;
    let days = body.get("days").and_then(Value::as_f64).unwrap_or(0.0);
    let minutes = body.get("minutes").and_then(Value::as_f64).unwrap_or(0.0);
    let ms = (days * 86_400_000.0 + minutes * 60_000.0) as i64;
    state.store.clock.advance(ms);
    ok(json!({"now": crate::store::stamp(state.store.clock.now())}))
}
