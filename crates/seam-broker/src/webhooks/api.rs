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

pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route("/webhooks", get(list).post(create))
        .route(
            "/webhooks/provider/{provider}/consumer/{consumer}",
            get(list_for_pair).post(create_for_pair),
        )
        .route("/webhooks/{uuid}", get(show).put(replace).delete(delete))
        .route("/webhooks/{uuid}/execute", post(execute))
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
        "createdAt": w.created_at,
        "updatedAt": w.updated_at,
        "_links": {
            "self": link(webhook_url(u, &w.uuid), Some(&title(w)), None),
            "pb:execute": link(format!("{}/execute", webhook_url(u, &w.uuid)), Some("Test the execution of the webhook with the latest matching pact or verification"), None),
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
    for (key, name) in [("consumer", &d.consumer), ("provider", &d.provider)] {
        if let Some(name) = name {
            body[key] = json!({"name": name});
            body["_links"][format!("pb:{key}")] = link(
                u.pacticipant(name),
                Some(&key[..1].to_uppercase().to_string()),
                Some(name),
            );
        }
    }
    body
}

fn list_json(u: &Urls, self_href: String, webhooks: &[Webhook]) -> Value {
    json!({
        "_links": {
            "self": link(self_href, Some("Webhooks"), None),
            "pb:create": link(u.at("/webhooks"), Some("POST to create a webhook"), None),
            "pb:webhooks": webhooks.iter().map(|w| link(webhook_url(u, &w.uuid), Some(&title(w)), None)).collect::<Vec<_>>(),
        },
        "_embedded": {"webhooks": webhooks.iter().map(|w| webhook_json(u, w)).collect::<Vec<_>>()},
    })
}

async fn list(State(state): State<Shared>) -> ApiResult {
    let all = queue::webhooks(&state.store).await?;
    let u = state.urls();
    ok(list_json(&u, u.at("/webhooks"), &all))
}

async fn list_for_pair(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
) -> ApiResult {
    let all: Vec<Webhook> = queue::webhooks(&state.store)
        .await?
        .into_iter()
        .filter(|w| {
            w.definition.consumer.as_deref() == Some(consumer.as_str())
                && w.definition.provider.as_deref() == Some(provider.as_str())
        })
        .collect();
    let u = state.urls();
    let href = u.at(&format!(
        "/webhooks/provider/{}/consumer/{}",
        seg(&provider),
        seg(&consumer)
    ));
    ok(list_json(&u, href, &all))
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
    let definition = Definition::read(&json_body(&body)?, &state.webhooks, None, None)?;
    known_pacticipants(&state, &definition).await?;
    save(&state, &uuid::Uuid::new_v4().to_string(), definition).await
}

async fn create_for_pair(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    for name in [&consumer, &provider] {
        match crate::answer::found_pacticipant(&state, name).await {
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
    let definition = Definition::read(
        &json_body(&body)?,
        &state.webhooks,
        Some(consumer),
        Some(provider),
    )?;
    save(&state, &uuid::Uuid::new_v4().to_string(), definition).await
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
    let d = &w.definition;
    let latest = state
        .store
        .publications(d.consumer.as_deref(), d.provider.as_deref())
        .await?
        .into_iter()
        .next();
    let mut context = match &latest {
        Some(p) => super::context(&state, p, None).await?,
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
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        .build()
        .unwrap_or_default();
    let rendered = queue::render_request(&d.request, &context);
    let body_length = rendered
        .as_ref()
        .ok()
        .and_then(|r| r.body.as_ref())
        .map_or(0, String::len);
    let (success, entry) =
        queue::send(&client, rendered, &state.webhooks, 1, state.store.now()).await;
    let request = sent_request(entry.get("request"), body_length);
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
    let mut logs = format!(
        "[{}] INFO: HTTP/1.1 {} {}\n",
        state.store.now(),
        request["method"].as_str().unwrap_or_default(),
        request["url"].as_str().unwrap_or_default()
    );
    for (name, value) in request["headers"].as_object().into_iter().flatten() {
        logs.push_str(&format!(
            "[{}] INFO: {name}: {}\n",
            state.store.now(),
            value.as_str().unwrap_or_default()
        ));
    }
    logs.push_str(&format!("[{}] INFO: {message}\n", state.store.now()));
    let u = state.urls();
    ok(json!({
        "success": success,
        "message": message,
        "logs": logs,
        "request": request,
        "response": entry.get("response"),
        "error": entry.get("error"),
        "_links": {
            "pb:webhook": link(webhook_url(&u, &uuid), Some(&title(&w)), None),
            "webhook": link(webhook_url(&u, &uuid), Some(&title(&w)), None),
            "try-again": link(format!("{}/execute", webhook_url(&u, &uuid)), Some("Execute the webhook again"), None),
        },
    }))
}

/// What the broker's HTTP client says it is.
const USER_AGENT: &str = concat!("seam-broker/", env!("CARGO_PKG_VERSION"));

/// The request as it went out (secrets masked): its own headers and those
/// the HTTP client adds, as the Pact Broker's execute answer lists them.
fn sent_request(shown: Option<&Value>, body_length: usize) -> Value {
    let mut request = shown.cloned().unwrap_or_else(|| json!({}));
    let host = request["url"]
        .as_str()
        .and_then(|u| reqwest::Url::parse(u).ok())
        .and_then(|u| {
            u.host_str()
                .map(|h| u.port().map_or(h.to_string(), |p| format!("{h}:{p}")))
        })
        .unwrap_or_default();
    let mut headers = request["headers"].as_object().cloned().unwrap_or_default();
    let present = |headers: &Map<String, Value>, name: &str| {
        headers.keys().any(|k| k.eq_ignore_ascii_case(name))
    };
    for (name, value) in [
        ("accept", "*/*".to_string()),
        ("user-agent", USER_AGENT.to_string()),
        ("host", host),
        ("content-length", body_length.to_string()),
    ] {
        if !present(&headers, name) {
            headers.insert(name.into(), Value::String(value));
        }
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
        "createdAt": d.created_at,
        "updatedAt": d.updated_at,
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

/// `/triggered-webhooks/{uuid}/logs`: one delivery's attempts, as text (the
/// link a publish's notices give).
async fn delivery_logs(State(state): State<Shared>, Path(uuid): Path<String>) -> ApiResult {
    let Some(d) = queue::delivery(&state.store, &uuid).await? else {
        return Err(ApiError::NotFound(format!("No triggered webhook {uuid}")));
    };
    let mut text = format!(
        "Delivery {} of webhook {} for {}: {} after {} attempt(s)\n",
        d.uuid, d.webhook_uuid, d.event, d.status, d.attempts
    );
    for entry in &d.logs {
        text.push_str(&serde_json::to_string_pretty(entry).unwrap_or_default());
        text.push('\n');
    }
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/plain;charset=utf-8")],
        text,
    )
        .into_response())
}
