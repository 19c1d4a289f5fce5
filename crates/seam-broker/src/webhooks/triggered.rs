//! What a webhook's deliveries look like from the pacts that triggered
//! them, as the Pact Broker shows its "triggered webhooks": the status of
//! a pact's webhooks (the latest delivery of each, counted), the deliveries
//! a pact publication or a verification triggered, and each delivery's log.

use super::queue::{self, Delivery, Webhook};
use crate::answer::{found_pacticipant, ok, ApiError, ApiResult, Shared};
use crate::hal::{link, seg, Urls};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;

pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route(
        "/pacts/provider/{provider}/consumer/{consumer}/webhooks/status",
        get(status),
    )
    .route(
        "/pacts/provider/{provider}/consumer/{consumer}/version/{version}/triggered-webhooks",
        get(for_publication),
    )
    .route(
        "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results/{number}/triggered-webhooks",
        get(for_verification),
    )
}

/// The Pact Broker's name for a delivery's state.
fn status_name(d: &Delivery) -> &'static str {
    match d.status.as_str() {
        "succeeded" => "success",
        "failed" => "failure",
        _ if d.attempts == 0 => "not_run",
        _ => "retrying",
    }
}

/// "POST example.org": the webhook's method and host.
fn request_name(w: Option<&Webhook>) -> String {
    let Some(w) = w else {
        return "deleted webhook".into();
    };
    let request = &w.definition.request;
    let host = request["url"]
        .as_str()
        .and_then(|u| reqwest::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    format!("{} {host}", request["method"].as_str().unwrap_or("POST"))
}

fn logs_url(u: &Urls, d: &Delivery) -> String {
    u.at(&format!("/triggered-webhooks/{}/logs", seg(&d.uuid)))
}

fn triggered_json(state: &Shared, u: &Urls, d: &Delivery, w: Option<&Webhook>) -> Value {
    let name = request_name(w);
    let attempts_allowed = state.webhooks.retry_schedule.len() as i64 + 1;
    let remaining = if d.status == "pending" {
        (attempts_allowed - d.attempts).max(0)
    } else {
        0
    };
    json!({
        "name": name,
        "status": status_name(d),
        "attemptsMade": d.attempts,
        "attemptsRemaining": remaining,
        "triggerType": "resource_creation",
        "eventName": d.event,
        "triggeredAt": crate::hal::time(&d.created_at),
        "_links": {
            "pb:logs": link(logs_url(u, d), Some("Webhook execution logs"), Some(&name)),
            "pb:webhook": link(u.at(&format!("/webhooks/{}", seg(&d.webhook_uuid))), Some("Webhook"), Some(&name)),
        }
    })
}

async fn webhooks_by_uuid(state: &Shared) -> Result<HashMap<String, Webhook>, ApiError> {
    Ok(queue::webhooks(&state.store)
        .await?
        .into_iter()
        .map(|w| (w.uuid.clone(), w))
        .collect())
}

fn list(
    state: &Shared,
    u: &Urls,
    deliveries: &[Delivery],
    webhooks: &HashMap<String, Webhook>,
) -> Vec<Value> {
    deliveries
        .iter()
        .map(|d| triggered_json(state, u, d, webhooks.get(&d.webhook_uuid)))
        .collect()
}

/// The latest delivery of each webhook for the pact between the two,
/// counted by outcome.
async fn status(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
) -> ApiResult {
    found_pacticipant(&state, &consumer).await?;
    found_pacticipant(&state, &provider).await?;
    let mut latest: Vec<Delivery> = Vec::new();
    for d in queue::deliveries_between(&state.store, &consumer, &provider).await? {
        latest.retain(|l| l.webhook_uuid != d.webhook_uuid);
        latest.push(d);
    }
    let webhooks = webhooks_by_uuid(&state).await?;
    let u = state.urls();
    let count = |name: &str| latest.iter().filter(|d| status_name(d) == name).count();
    let pair = format!(
        "/pacts/provider/{}/consumer/{}",
        seg(&provider),
        seg(&consumer)
    );
    let error_logs: Vec<Value> = latest
        .iter()
        .filter(|d| status_name(d) == "failure" || status_name(d) == "retrying")
        .map(|d| {
            link(
                logs_url(&u, d),
                Some("Error"),
                Some(&request_name(webhooks.get(&d.webhook_uuid))),
            )
        })
        .collect();
    let mut body = json!({
        "summary": {"successful": count("success"), "failed": count("failure"), "retrying": count("retrying"), "notRun": count("not_run")},
        "_embedded": {"triggeredWebhooks": list(&state, &u, &latest, &webhooks)},
        "_links": {
            "self": link(u.at(&format!("{pair}/webhooks/status")), Some("Webhooks status"), None),
            "pb:error-logs": error_logs,
            "pb:pact-webhooks": link(u.at(&format!("{pair}/webhooks")), Some(&format!("Webhooks for the pact between {consumer} and {provider}")), None),
            "pb:consumer": link(u.pacticipant(&consumer), Some("Consumer"), Some(&consumer)),
            "pb:provider": link(u.pacticipant(&provider), Some("Provider"), Some(&provider)),
        }
    });
    let newest = state
        .store
        .publications(Some(&consumer), Some(&provider))
        .await?
        .into_iter()
        .next();
    if let Some(p) = newest {
        body["_links"]["pb:pact-version"] = link(
            u.pact(&provider, &consumer, &p.consumer_version),
            Some("Pact"),
            Some(&format!(
                "Pact between {consumer} ({}) and {provider}",
                p.consumer_version
            )),
        );
    }
    ok(body)
}

/// The deliveries between the two that `triggered_by` picks, listed at
/// `path` under `title`.
async fn triggered_list(
    state: &Shared,
    consumer: &str,
    provider: &str,
    triggered_by: impl Fn(&Delivery) -> bool,
    path: &str,
    title: &str,
) -> ApiResult {
    found_pacticipant(state, consumer).await?;
    found_pacticipant(state, provider).await?;
    let deliveries: Vec<Delivery> = queue::deliveries_between(&state.store, consumer, provider)
        .await?
        .into_iter()
        .filter(|d| triggered_by(d))
        .collect();
    let webhooks = webhooks_by_uuid(state).await?;
    let u = state.urls();
    ok(json!({
        "_embedded": {"triggeredWebhooks": list(state, &u, &deliveries, &webhooks)},
        "_links": {"self": link(u.at(path), Some(title), None)}
    }))
}

/// The deliveries the publication of the consumer version's pact triggered.
async fn for_publication(
    State(state): State<Shared>,
    Path((provider, consumer, version)): Path<(String, String, String)>,
) -> ApiResult {
    let path = format!(
        "/pacts/provider/{}/consumer/{}/version/{}/triggered-webhooks",
        seg(&provider),
        seg(&consumer),
        seg(&version)
    );
    let title = format!("Webhooks triggered by the publication of the pact between {consumer} ({version}) and {provider}");
    let by_publication = |d: &Delivery| {
        d.event.starts_with("contract_") && d.value("consumerVersionNumber") == version
    };
    triggered_list(&state, &consumer, &provider, by_publication, &path, &title).await
}

/// The deliveries the publication of one verification result triggered.
async fn for_verification(
    State(state): State<Shared>,
    Path((provider, consumer, sha, number)): Path<(String, String, String, String)>,
) -> ApiResult {
    let tail = format!("/pact-version/{sha}/verification-results/{number}");
    let path = format!(
        "/pacts/provider/{}/consumer/{}{tail}/triggered-webhooks",
        seg(&provider),
        seg(&consumer)
    );
    let title = format!("Webhooks triggered by the publication of verification result {number}");
    let by_verification = |d: &Delivery| d.value("verificationResultUrl").ends_with(&tail);
    triggered_list(&state, &consumer, &provider, by_verification, &path, &title).await
}
