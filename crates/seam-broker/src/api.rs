//! The broker's HTTP API: the router (each group of resources adds its
//! routes), the 413 limit, the index of relations, health and Prometheus
//! metrics. What handlers share is in `answer`.

use crate::answer::{hal_response, json_body, ok, ApiError, ApiResult, Shared, MAX_BODY};
use crate::hal::{self, template};
use crate::{auth, badges, environments, for_verification, history, matrix, pacticipants, pacts};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

pub fn router(state: Shared) -> Router {
    let mut app = Router::new()
        .route("/", get(index))
        .route("/diagnostic/status/heartbeat", get(heartbeat))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/metrics/delivery", get(crate::delivery::delivery_metrics));
    app = pacticipants::routes(app);
    app = pacts::routes(app);
    app = environments::routes(app);
    app = matrix::routes(app);
    app = for_verification::routes(app);
    app = badges::routes(app);
    app = history::routes(app);
    app = crate::webhooks::api::routes(app);
    app = crate::webhooks::triggered::routes(app);
    app = crate::ui::routes(app);
    app = crate::bidirectional::routes(app);
    if state.test_clock {
        app = app.route("/test/clock", axum::routing::post(advance_clock));
    }
    // the same resources, bare: asked which methods a path allows
    let bare = app.clone().with_state(state.clone());
    app.fallback(not_found)
        .layer(middleware::from_fn_with_state(bare, options))
        .layer(middleware::from_fn(limit_body))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(state.clone(), auth::check))
        .with_state(state)
}

/// `OPTIONS` on any resource: 200 naming the methods it allows, as the
/// Pact Broker answers (`Access-Control-Allow-Methods`). The bare router
/// knows them: no resource handles `OPTIONS`, so it answers 405 with the
/// methods in `Allow` (and runs no handler).
async fn options(State(bare): State<Router>, req: Request, next: Next) -> Response {
    if req.method() != axum::http::Method::OPTIONS {
        return next.run(req).await;
    }
    use tower::ServiceExt;
    let Ok(response) = bare.oneshot(req).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return not_found().await.into_response();
    }
    let mut methods: Vec<&str> = response
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty() && *m != "HEAD")
        .collect();
    methods.push("OPTIONS");
    (
        StatusCode::OK,
        [(header::ACCESS_CONTROL_ALLOW_METHODS, methods.join(", "))],
    )
        .into_response()
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

async fn index(State(state): State<Shared>, headers: HeaderMap) -> ApiResult {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    if crate::ui::wants_html(accept) {
        return Ok(axum::response::Redirect::to(&state.urls().at("/ui")).into_response());
    }
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
            "pb:webhooks": {"href": u.at("/webhooks"), "title": "Webhooks", "templated": false},
            "pf:publish-provider-contract": t("/provider-contracts/provider/{provider}/publish", "Publish a provider contract (OpenAPI), checked against the consumers' pacts"),
            "pb:delivery-metrics": {"href": u.at("/metrics/delivery"), "title": "Deployment frequency, lead time, change failure rate and time to restore", "templated": false},
            "pb:webhook": t("/webhooks/{uuid}", "Webhook"),
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
    let deliveries = crate::webhooks::queue::delivery_counts(&state.store).await?;
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("json"));
    if wants_json {
        let map: serde_json::Map<String, Value> = counts
            .iter()
            .map(|(k, v)| (k.to_string(), json!({ "count": v })))
            .collect();
        let mut map = map;
        map.insert(
            "webhookDeliveries".into(),
            deliveries
                .iter()
                .map(|(s, n)| (s.clone(), json!(n)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        );
        return ok(Value::Object(map));
    }
    let mut text = String::new();
    for (table, n) in counts {
        text.push_str(&format!(
            "# TYPE seam_broker_{table} gauge\nseam_broker_{table} {n}\n"
        ));
    }
    text.push_str("# TYPE seam_broker_webhook_deliveries_by_status gauge\n");
    for (status, n) in deliveries {
        text.push_str(&format!(
            "seam_broker_webhook_deliveries_by_status{{status=\"{status}\"}} {n}\n"
        ));
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

/// Test builds of a scenario move the broker's clock: `{"days": n, "minutes": m}`,
/// or stop it at an instant: `{"freezeAt": "2021-09-01T00:07:21Z"}`.
async fn advance_clock(State(state): State<Shared>, body: axum::body::Bytes) -> ApiResult {
    let body = json_body(&body)?;
    if let Some(at) = body.get("freezeAt").and_then(Value::as_str) {
        let at = chrono::DateTime::parse_from_rfc3339(at)
            .map_err(|e| ApiError::invalid("freezeAt", e.to_string()))?;
        state.store.clock.freeze_at(at.with_timezone(&chrono::Utc));
    }
    let days = body.get("days").and_then(Value::as_f64).unwrap_or(0.0);
    let minutes = body.get("minutes").and_then(Value::as_f64).unwrap_or(0.0);
    let ms = (days * 86_400_000.0 + minutes * 60_000.0) as i64;
    state.store.clock.advance(ms);
    ok(json!({"now": crate::store::stamp(state.store.clock.now())}))
}
