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
        .route("/webhooks/{uuid}/deliveries", get(list_deliveries))
}

fn webhook_url(u: &Urls, uuid: &str) -> String {
    u.at(&format!("/webhooks/{}", seg(uuid)))
}

fn title(w: &Webhook) -> String {
    w.definition.description.clone().unwrap_or_else(|| {
        format!(
            "A webhook for {} between {} and {}",
            w.definition.events.join(", "),
            w.definition.consumer.as_deref().unwrap_or("any consumer"),
            w.definition.provider.as_deref().unwrap_or("any provider")
        )
    })
}

fn webhook_json(u: &Urls, w: &Webhook) -> Value {
    let d = &w.definition;
    let mut body = json!({
        "uuid": w.uuid,
        "description": d.description,
        "events": d.events.iter().map(|e| json!({"name": e})).collect::<Vec<_>>(),
        "request": d.request,
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

async fn create(State(state): State<Shared>, body: Bytes) -> ApiResult {
    let definition = Definition::read(&json_body(&body)?, &state.webhooks, None, None)?;
    save(&state, &uuid::Uuid::new_v4().to_string(), definition).await
}

async fn create_for_pair(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    crate::answer::found_pacticipant(&state, &consumer).await?;
    crate::answer::found_pacticipant(&state, &provider).await?;
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
        .build()
        .unwrap_or_default();
    let rendered = queue::render_request(&d.request, &context);
    let (success, entry) =
        queue::send(&client, rendered, &state.webhooks, 1, state.store.now()).await;
    ok(json!({
        "success": success,
        "request": entry.get("request"),
        "response": entry.get("response"),
        "error": entry.get("error"),
        "_links": {"pb:webhook": link(webhook_url(&state.urls(), &uuid), Some(&title(&w)), None)},
    }))
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
