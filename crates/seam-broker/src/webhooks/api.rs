//! The webhooks' HTTP resources, as the Pact Broker serves them: list,
//! create (also under `/webhooks/provider/P/consumer/C`), read, replace,
//! delete, execute once now (to try a template), and each webhook's
//! deliveries with every attempt's log (secrets masked).

use super::queue::{self, Delivery, Webhook};
use super::Definition;
use crate::answer::{created_or_ok, json_body, ok, ApiError, ApiResult, Shared};
use crate::hal::{link, seg, Urls};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};

// Each resource's methods in the Pact Broker's order: `OPTIONS` lists them so.
pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route("/webhooks", get(list).post(create))
        .route(
            "/webhooks/provider/{provider}/consumer/{consumer}",
            post(create_for_pair).get(list_for_pair),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/webhooks",
            post(create_for_pair).get(list_for_pact),
        )
        .route(
            "/webhooks/provider/{provider}",
            post(create_for_provider).get(list_for_provider),
        )
        .route(
            "/webhooks/consumer/{consumer}",
            post(create_for_consumer).get(list_for_consumer),
        )
        .route("/webhooks/{uuid}", get(show).put(replace).delete(delete))
        .route("/webhooks/{uuid}/execute", post(execute))
        .route("/webhooks/execute", post(execute_unsaved))
        .route("/triggered-webhooks/{uuid}/logs", get(delivery_logs))
        .route("/webhooks/{uuid}/deliveries", get(list_deliveries))
}

fn webhook_url(u: &Urls, uuid: &str) -> String {
    u.at(&format!("/webhooks/{}", seg(uuid)))
}

fn title(w: &Webhook) -> String {
    w.title()
}

fn webhook_json(u: &Urls, w: &Webhook) -> Value {
    let d = &w.definition;
    let mut request = d.request.clone();
    // header names as the Pact Broker shows them: lower case
    if let Some(headers) = request["headers"].as_object() {
        request["headers"] = Value::Object(
            headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect(),
        );
    }
    // a password stored in plain text is never shown
    if request["password"]
        .as_str()
        .is_some_and(|p| !p.contains("${secret."))
    {
        request["password"] = json!("**********");
    }
    let mut body = json!({
        "uuid": w.uuid,
        // without a description, the title (the Pact Broker never shows null)
        "description": title(w),
        "events": d.events.iter().map(|e| json!({"name": e})).collect::<Vec<_>>(),
        "request": request,
        "enabled": d.enabled,
        "createdAt": crate::hal::time(&w.created_at),
        "updatedAt": crate::hal::time(&w.updated_at),
        "_links": {
            "self": link(webhook_url(u, &w.uuid), Some(&title(w)), None),
            "pb:execute": link(format!("{}/execute", webhook_url(u, &w.uuid)), Some("Test the execution of the webhook with the latest matching pact or verification by sending a POST request to this URL"), None),
            "pb:deliveries": link(format!("{}/deliveries", webhook_url(u, &w.uuid)), Some("Deliveries of this webhook, with each attempt's log"), None),
            "pb:webhooks": link(u.at("/webhooks"), Some("All webhooks"), None),
        }
    });
    for (key, label) in [
        ("consumer", &d.consumer_label),
        ("provider", &d.provider_label),
    ] {
        if let Some(label) = label {
            body[key] = json!({"label": label});
        }
    }
    for (key, title, name) in [
        ("consumer", "Consumer", &d.consumer),
        ("provider", "Provider", &d.provider),
    ] {
        if let Some(name) = name {
            body[key] = json!({"name": name});
            body["_links"][format!("pb:{key}")] =
                link(u.pacticipant(name), Some(title), Some(name));
        }
    }
    if let (Some(consumer), Some(provider)) = (&d.consumer, &d.provider) {
        body["_links"]["pb:pact-webhooks"] = link(
            u.at(&format!(
                "/webhooks/provider/{}/consumer/{}",
                seg(provider),
                seg(consumer)
            )),
            Some(&format!(
                "All webhooks for consumer {consumer} and provider {provider}"
            )),
            None,
        );
    }
    body
}

/// What a webhook is for, as the Pact Broker titles it in a list.
fn scope(w: &Webhook) -> String {
    let d = &w.definition;
    let consumer = d
        .consumer
        .clone()
        .or(d.consumer_label.as_ref().map(|l| format!("labelled {l}")));
    let provider = d
        .provider
        .clone()
        .or(d.provider_label.as_ref().map(|l| format!("labelled {l}")));
    match (consumer, provider) {
        (Some(c), Some(p)) => format!("A webhook for the pact between {c} and {p}"),
        (None, Some(p)) => format!("A webhook for all pacts with provider {p}"),
        (Some(c), None) => format!("A webhook for all pacts with consumer {c}"),
        (None, None) => "A webhook for all pacts".to_string(),
    }
}

/// A list of webhooks at `path` (where one is created too).
fn list_json(u: &Urls, path: &str, list_title: &str, webhooks: &[Webhook]) -> Value {
    json!({
        "_links": {
            "self": link(u.at(path), Some(list_title), None),
            "pb:create": link(u.at(path), Some("POST to create a webhook"), None),
            "pb:webhooks": webhooks.iter().map(|w| link(webhook_url(u, &w.uuid), Some(&scope(w)), Some(&title(w)))).collect::<Vec<_>>(),
            "curies": [{"name": "pb", "href": u.at("/doc/webhooks-{rel}"), "templated": true}],
        },
        "_embedded": {"webhooks": webhooks.iter().map(|w| webhook_json(u, w)).collect::<Vec<_>>()},
    })
}

/// The webhooks whose consumer and provider are exactly these (`None`:
/// any), listed at `path`.
async fn list_scoped(
    state: &Shared,
    consumer: Option<&str>,
    provider: Option<&str>,
    path: &str,
    title: &str,
) -> ApiResult {
    for name in consumer.into_iter().chain(provider) {
        crate::answer::found_pacticipant(state, name).await?;
    }
    let selected: Vec<Webhook> = queue::webhooks(&state.store)
        .await?
        .into_iter()
        .filter(|w| {
            w.definition.consumer.as_deref() == consumer
                && w.definition.provider.as_deref() == provider
        })
        .collect();
    ok(list_json(&state.urls(), path, title, &selected))
}

async fn list(State(state): State<Shared>) -> ApiResult {
    let all = queue::webhooks(&state.store).await?;
    ok(list_json(&state.urls(), "/webhooks", "Webhooks", &all))
}

async fn list_for_pair(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
) -> ApiResult {
    let path = format!(
        "/webhooks/provider/{}/consumer/{}",
        seg(&provider),
        seg(&consumer)
    );
    list_scoped(&state, Some(&consumer), Some(&provider), &path, "Webhooks").await
}

async fn list_for_pact(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
) -> ApiResult {
    let path = format!(
        "/pacts/provider/{}/consumer/{}/webhooks",
        seg(&provider),
        seg(&consumer)
    );
    list_scoped(
        &state,
        Some(&consumer),
        Some(&provider),
        &path,
        "Pact webhooks",
    )
    .await
}

async fn list_for_provider(State(state): State<Shared>, Path(provider): Path<String>) -> ApiResult {
    let path = format!("/webhooks/provider/{}", seg(&provider));
    list_scoped(&state, None, Some(&provider), &path, "Webhooks").await
}

async fn list_for_consumer(State(state): State<Shared>, Path(consumer): Path<String>) -> ApiResult {
    let path = format!("/webhooks/consumer/{}", seg(&consumer));
    list_scoped(&state, Some(&consumer), None, &path, "Webhooks").await
}

async fn save(state: &Shared, uuid: &str, definition: Definition) -> ApiResult {
    let created = queue::save_webhook(&state.store, uuid, &definition).await?;
    let w = queue::webhook(&state.store, uuid)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No webhook with uuid {uuid}")))?;
    let u = state.urls();
    created_or_ok(created, &webhook_url(&u, uuid), webhook_json(&u, &w))
}

/// 400 when the body names a consumer or provider the broker does not know
/// (`consumer.name`, as the Pact Broker reports it).
async fn known_pacticipants(state: &Shared, d: &Definition) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (key, name) in [("consumer", &d.consumer), ("provider", &d.provider)] {
        if let Some(name) = name {
            if state.store.pacticipant(name).await?.is_none() {
                errors.push((
                    format!("{key}.name"),
                    format!("No {key} with name '{name}' found"),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Invalid(errors))
    }
}

async fn create(State(state): State<Shared>, body: Bytes) -> ApiResult {
    create_scoped(&state, None, None, &body).await
}

/// Creates a webhook for these (a name given here wins over the body's).
async fn create_scoped(
    state: &Shared,
    consumer: Option<String>,
    provider: Option<String>,
    body: &Bytes,
) -> ApiResult {
    for name in consumer.iter().chain(&provider) {
        match crate::answer::found_pacticipant(state, name).await {
            Ok(_) => {}
            // HAL here, as the Pact Broker answers this one
            Err(ApiError::NotFound(message)) => {
                return Ok(crate::answer::hal_response(
                    StatusCode::NOT_FOUND,
                    json!({"error": crate::answer::NOT_FOUND, "errors": {"resource": [message]}}),
                ))
            }
            Err(e) => return Err(e),
        }
    }
    let definition = Definition::read(&json_body(body)?, &state.webhooks, consumer, provider)?;
    known_pacticipants(state, &definition).await?;
    save(state, &uuid::Uuid::new_v4().to_string(), definition).await
}

async fn create_for_pair(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    create_scoped(&state, Some(consumer), Some(provider), &body).await
}

async fn create_for_provider(
    State(state): State<Shared>,
    Path(provider): Path<String>,
    body: Bytes,
) -> ApiResult {
    create_scoped(&state, None, Some(provider), &body).await
}

async fn create_for_consumer(
    State(state): State<Shared>,
    Path(consumer): Path<String>,
    body: Bytes,
) -> ApiResult {
    create_scoped(&state, Some(consumer), None, &body).await
}

async fn found(state: &Shared, uuid: &str) -> Result<Webhook, ApiError> {
    queue::webhook(&state.store, uuid)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No webhook with uuid {uuid}")))
}

async fn show(State(state): State<Shared>, Path(uuid): Path<String>) -> ApiResult {
    let w = found(&state, &uuid).await?;
    ok(webhook_json(&state.urls(), &w))
}

async fn replace(State(state): State<Shared>, Path(uuid): Path<String>, body: Bytes) -> ApiResult {
    if uuid.len() < 8
        || !uuid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ApiError::invalid(
            "uuid",
            "a webhook's uuid is at least 8 letters, digits, '-' or '_'",
        ));
    }
    let definition = Definition::read(&json_body(&body)?, &state.webhooks, None, None)?;
    known_pacticipants(&state, &definition).await?;
    save(&state, &uuid, definition).await
}

async fn delete(State(state): State<Shared>, Path(uuid): Path<String>) -> ApiResult {
    if queue::delete_webhook(&state.store, &uuid).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound(format!("No webhook with uuid {uuid}")))
    }
}

/// Sends the webhook once, now, with the latest pact it would fire for
/// (placeholders when there is none), and answers what happened.
async fn execute(State(state): State<Shared>, Path(uuid): Path<String>) -> ApiResult {
    let w = found(&state, &uuid).await?;
    let u = state.urls();
    let links = json!({
        "pb:webhook": link(webhook_url(&u, &uuid), Some(&title(&w)), None),
        "webhook": link(webhook_url(&u, &uuid), Some(&title(&w)), None),
        "try-again": link(format!("{}/execute", webhook_url(&u, &uuid)), Some("Execute the webhook again"), None),
    });
    execute_now(&state, &w.definition, links).await
}

/// Sends a webhook given in the body once, without saving it: to try a
/// template before creating it.
async fn execute_unsaved(State(state): State<Shared>, body: Bytes) -> ApiResult {
    let definition = Definition::read(&json_body(&body)?, &state.webhooks, None, None)?;
    known_pacticipants(&state, &definition).await?;
    execute_now(&state, &definition, json!({})).await
}

/// The Pact Broker's execute answer: the request as sent (secrets masked,
/// its URL as a path), the response, the log, and whether it succeeded.
async fn execute_now(state: &Shared, d: &Definition, links: Value) -> ApiResult {
    let latest = state
        .store
        .publications(d.consumer.as_deref(), d.provider.as_deref())
        .await?
        .into_iter()
        .next();
    let mut context = match &latest {
        Some(p) => super::context(state, p, None).await?,
        None => {
            let mut c = Map::new();
            c.insert(
                "pactbroker.consumerName".into(),
                json!(d.consumer.clone().unwrap_or_else(|| "consumer".into())),
            );
            c.insert(
                "pactbroker.providerName".into(),
                json!(d.provider.clone().unwrap_or_else(|| "provider".into())),
            );
            c
        }
    };
    context.insert(
        "pactbroker.eventName".into(),
        json!(d.events.first().cloned().unwrap_or_default()),
    );
    let rendered = queue::render_request(&d.request, &context);
    let body_length = rendered
        .as_ref()
        .ok()
        .and_then(|r| r.body.as_ref())
        .map_or(0, String::len);
    let (success, entry) = queue::send(
        &queue::http_client(),
        rendered,
        &state.webhooks,
        1,
        state.store.now(),
    )
    .await;
    let mut request = sent_request(entry.get("request"));
    // and the headers the HTTP client adds, as the Pact Broker lists them
    let host = request["url"]
        .as_str()
        .and_then(|u| reqwest::Url::parse(u).ok())
        .and_then(|u| {
            u.host_str()
                .map(|h| u.port().map_or(h.to_string(), |p| format!("{h}:{p}")))
        });
    if let Some(headers) = request["headers"].as_object_mut() {
        if let Some(host) = host {
            headers.entry("host").or_insert(json!(host));
        }
        headers
            .entry("content-length")
            .or_insert(json!(body_length.to_string()));
    }
    let logs = log_text(&state.urls(), &entry, "test");
    // the Pact Broker answers the request's URL as its path
    if let Some(url) = request["url"]
        .as_str()
        .and_then(|u| reqwest::Url::parse(u).ok())
    {
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        request["url"] = json!(path);
    }
    let outcome = match (
        entry.get("error").and_then(Value::as_str),
        entry.get("response"),
    ) {
        (Some(e), _) => e.to_string(),
        (None, Some(r)) => format!("the webhook answered {}", r["status"]),
        (None, None) => String::new(),
    };
    let message = if success {
        format!("Webhook execution succeeded: {outcome}")
    } else {
        format!("Webhook execution failed: {outcome}")
    };
    let mut answer = json!({
        "request": request,
        "response": entry.get("response"),
        "logs": logs,
        "success": success,
        "message": message,
        "_links": links,
    });
    if let Some(e) = entry.get("error") {
        answer["error"] = json!({"message": e});
    }
    ok(answer)
}

/// One attempt written as the Pact Broker writes a webhook's log: the
/// context, the request line, its headers and body, then the response's.
fn log_text(u: &Urls, entry: &Value, event: &str) -> String {
    let at = entry["at"]
        .as_str()
        .map(crate::hal::time)
        .unwrap_or_default();
    let at = at.replace("+00:00", "Z");
    let mut lines = vec![format!(
        "DEBUG: Webhook context {}",
        json!({"base_url": u.at(""), "event_name": event})
    )];
    let request = &entry["request"];
    if !request.is_null() {
        lines.push(format!(
            "INFO: HTTP/1.1 {} {}",
            request["method"].as_str().unwrap_or_default(),
            request["url"].as_str().unwrap_or_default()
        ));
        for (name, value) in sent_request(Some(request))["headers"]
            .as_object()
            .into_iter()
            .flatten()
        {
            lines.push(format!(
                "INFO: {name}: {}",
                value.as_str().unwrap_or_default()
            ));
        }
        match &request["body"] {
            Value::Null => {}
            Value::String(s) => lines.push(format!("INFO: {s}")),
            other => lines.push(format!("INFO: {other}")),
        }
    }
    let response = &entry["response"];
    if !response.is_null() {
        let version = response["version"].as_str().unwrap_or("HTTP/1.1");
        lines.push(format!("INFO: {version} {} ", response["status"]));
        for (name, value) in response["headers"].as_object().into_iter().flatten() {
            lines.push(format!(
                "INFO: {name}: {}",
                value.as_str().unwrap_or_default()
            ));
        }
        lines.push(format!(
            "INFO: {}",
            response["body"].as_str().unwrap_or_default()
        ));
    }
    if let Some(e) = entry["error"].as_str() {
        lines.push(format!("ERROR: {e}"));
    }
    lines.iter().map(|l| format!("[{at}] {l}\n")).collect()
}

/// The request as it went out (secrets masked), its headers as the Pact
/// Broker lists them: names in lower case, `accept` and `user-agent` first
/// (the client's defaults unless the webhook sets them), `authorization` last.
fn sent_request(shown: Option<&Value>) -> Value {
    let mut request = shown.cloned().unwrap_or_else(|| json!({}));
    let given: Map<String, Value> = request["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    let mut headers = Map::new();
    for (name, default) in [("accept", "*/*"), ("user-agent", queue::USER_AGENT)] {
        let value = given.get(name).cloned().unwrap_or_else(|| json!(default));
        headers.insert(name.into(), value);
    }
    for (name, value) in &given {
        if !headers.contains_key(name) && name != "authorization" {
            headers.insert(name.clone(), value.clone());
        }
    }
    if let Some(auth) = given.get("authorization") {
        headers.insert("authorization".into(), auth.clone());
    }
    request["headers"] = Value::Object(headers);
    request
}

fn delivery_json(d: &Delivery) -> Value {
    json!({
        "uuid": d.uuid,
        "event": d.event,
        "status": d.status,
        "attempts": d.attempts,
        "nextAttemptAt": if d.status == "pending" { json!(d.next_attempt_at) } else { Value::Null },
        "pactUrl": d.context.get("pactbroker.pactUrl"),
        "logs": d.logs,
        "createdAt": crate::hal::time(&d.created_at),
        "updatedAt": crate::hal::time(&d.updated_at),
    })
}

async fn list_deliveries(State(state): State<Shared>, Path(uuid): Path<String>) -> ApiResult {
    let w = found(&state, &uuid).await?;
    let list = queue::deliveries(&state.store, &uuid).await?;
    let u = state.urls();
    ok(json!({
        "deliveries": list.iter().map(delivery_json).collect::<Vec<_>>(),
        "_links": {
            "self": link(format!("{}/deliveries", webhook_url(&u, &uuid)), Some("Deliveries"), None),
            "pb:webhook": link(webhook_url(&u, &uuid), Some(&title(&w)), None),
        }
    }))
}

/// `/triggered-webhooks/{uuid}/logs`: one delivery's attempts, as text in
/// the Pact Broker's log format (the link a publish's notices give), or as
/// JSON when asked for `application/json`: the event, the pair, and each
/// attempt with its outcome and log.
async fn delivery_logs(
    State(state): State<Shared>,
    Path(uuid): Path<String>,
    headers: axum::http::HeaderMap,
) -> ApiResult {
    let Some(d) = queue::delivery(&state.store, &uuid).await? else {
        return Err(ApiError::NotFound(format!("No triggered webhook {uuid}")));
    };
    let u = state.urls();
    let wants_json = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        let executions: Vec<Value> = d
            .logs
            .iter()
            .map(|entry| {
                let success = entry["response"]["status"]
                    .as_u64()
                    .is_some_and(|s| (200..300).contains(&s));
                json!({
                    "success": success,
                    "logs": log_text(&u, entry, &d.event),
                    "createdAt": entry["at"].as_str().map(crate::hal::time),
                })
            })
            .collect();
        let self_href = u.at(&format!("/triggered-webhooks/{}/logs", seg(&d.uuid)));
        return ok(json!({
            "eventName": d.event,
            "consumerName": d.value("consumerName"),
            "providerName": d.value("providerName"),
            "executions": executions,
            "_embedded": {"triggeredWebhook": {"uuid": d.uuid}},
            "_links": {
                "self": link(self_href, Some("Triggered webhook logs"), None),
                "pb:webhook": link(webhook_url(&u, &d.webhook_uuid), Some("Webhook"), None),
            }
        }));
    }
    let text: String = d
        .logs
        .iter()
        .map(|entry| log_text(&u, entry, &d.event))
        .collect();
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/plain;charset=utf-8")],
        text,
    )
        .into_response())
}
