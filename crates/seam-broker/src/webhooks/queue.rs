//! The webhooks' tables and the worker that empties the delivery queue.
//!
//! A delivery is a row: `pending` until an attempt succeeds (2xx) or the
//! retry schedule runs out (`failed`). The worker claims a due row for a
//! while (`claimed_until`) before sending, and records the attempt after:
//! a broker killed mid-send leaves the row pending, and it is sent again
//! once the claim lapses, by this broker after a restart or by another one
//! on the same database. Delivery is at least once.

use super::definition::{render, render_json, Secrets};
use super::{Definition, Event, WebhookConfig};
use crate::store::{stamp, Store, StoreError};
use serde_json::{json, Map, Value};
use sqlx::Row;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

type Result<T> = std::result::Result<T, StoreError>;

/// How long a claimed delivery is left to its worker before another may
/// take it (longer than any request may take).
const CLAIM: Duration = Duration::from_secs(30);
/// How much of a response's body a delivery's log keeps.
const LOGGED_BODY: usize = 1024;

#[derive(Debug, Clone)]
pub struct Webhook {
    pub uuid: String,
    pub definition: Definition,
    pub created_at: String,
    pub updated_at: String,
}

impl Webhook {
    /// Whether it is enabled and fires on one of `events` between the
    /// pair (by name, or by a label one of them carries).
    pub fn listens(&self, events: &[Event], pair: &Pair) -> bool {
        let d = &self.definition;
        d.enabled
            && d.events
                .iter()
                .any(|e| events.iter().any(|ev| ev.name() == e))
            && d.consumer.as_deref().is_none_or(|c| c == pair.consumer)
            && d.provider.as_deref().is_none_or(|p| p == pair.provider)
            && d.consumer_label
                .as_ref()
                .is_none_or(|l| pair.consumer_labels.contains(l))
            && d.provider_label
                .as_ref()
                .is_none_or(|l| pair.provider_labels.contains(l))
    }

    /// Its description, or words saying what it listens for.
    pub fn title(&self) -> String {
        let d = &self.definition;
        d.description.clone().unwrap_or_else(|| {
            format!(
                "A webhook for {} between {} and {}",
                d.events.join(", "),
                d.consumer.as_deref().unwrap_or("any consumer"),
                d.provider.as_deref().unwrap_or("any provider")
            )
        })
    }
}

/// A consumer and a provider, with their labels, as webhooks select them.
pub struct Pair {
    pub consumer: String,
    pub provider: String,
    pub consumer_labels: Vec<String>,
    pub provider_labels: Vec<String>,
}

impl Pair {
    pub async fn of(store: &Store, consumer: &str, provider: &str) -> Result<Pair> {
        Ok(Pair {
            consumer: consumer.to_string(),
            provider: provider.to_string(),
            consumer_labels: store.labels_of(consumer).await?,
            provider_labels: store.labels_of(provider).await?,
        })
    }
}

/// A delivery just queued: its webhook's title and its own uuid.
#[derive(Debug, Clone)]
pub struct Queued {
    pub title: String,
    pub delivery: String,
}

#[derive(Debug, Clone)]
pub struct Delivery {
    pub uuid: String,
    pub webhook_uuid: String,
    pub event: String,
    pub context: Map<String, Value>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub logs: Vec<Value>,
    pub created_at: String,
    pub updated_at: String,
}

impl Delivery {
    /// A value of the event it was made for (`consumerName`, ...), or "".
    pub fn value(&self, name: &str) -> &str {
        self.context
            .get(&format!("pactbroker.{name}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

fn webhook_of(r: &sqlx::any::AnyRow) -> Result<Webhook> {
    let events: String = r.try_get("events")?;
    let request: String = r.try_get("request")?;
    let enabled: i64 = r.try_get("enabled")?;
    Ok(Webhook {
        uuid: r.try_get("uuid")?,
        definition: Definition {
            description: r.try_get("description")?,
            consumer: r.try_get("consumer")?,
            provider: r.try_get("provider")?,
            consumer_label: r.try_get("consumer_label")?,
            provider_label: r.try_get("provider_label")?,
            events: serde_json::from_str(&events).unwrap_or_default(),
            request: serde_json::from_str(&request).unwrap_or(Value::Null),
            enabled: enabled != 0,
        },
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn delivery_of(r: &sqlx::any::AnyRow) -> Result<Delivery> {
    let context: String = r.try_get("context")?;
    let logs: String = r.try_get("logs")?;
    Ok(Delivery {
        uuid: r.try_get("uuid")?,
        webhook_uuid: r.try_get("webhook_uuid")?,
        event: r.try_get("event")?,
        context: serde_json::from_str(&context).unwrap_or_default(),
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        logs: serde_json::from_str(&logs).unwrap_or_default(),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

const WEBHOOK_COLUMNS: &str = "uuid, description, consumer, provider, consumer_label, provider_label, events, request, enabled, created_at, updated_at";
const DELIVERY_COLUMNS: &str = "uuid, webhook_uuid, event, context, status, attempts, next_attempt_at, logs, created_at, updated_at";

pub async fn webhooks(store: &Store) -> Result<Vec<Webhook>> {
    let rows = sqlx::query(&format!(
        "SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id"
    ))
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(webhook_of).collect()
}

pub async fn webhook(store: &Store, uuid: &str) -> Result<Option<Webhook>> {
    let row = sqlx::query(&format!(
        "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE uuid = $1"
    ))
    .bind(uuid)
    .fetch_optional(&store.pool)
    .await?;
    row.map(|r| webhook_of(&r)).transpose()
}

/// Creates the webhook `uuid`, or replaces its definition; true when created.
pub async fn save_webhook(store: &Store, uuid: &str, d: &Definition) -> Result<bool> {
    let now = store.now();
    let events = serde_json::to_string(&d.events).unwrap_or_default();
    let request = d.request.to_string();
    let existed = webhook(store, uuid).await?.is_some();
    // one statement for both: a new webhook keeps its creation time after
    sqlx::query(
        "INSERT INTO webhooks (uuid, description, consumer, provider, events, request, enabled, created_at, updated_at, consumer_label, provider_label) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10) \
         ON CONFLICT (uuid) DO UPDATE SET description = excluded.description, consumer = excluded.consumer, provider = excluded.provider, events = excluded.events, request = excluded.request, enabled = excluded.enabled, updated_at = excluded.updated_at, consumer_label = excluded.consumer_label, provider_label = excluded.provider_label",
    )
    .bind(uuid)
    .bind(&d.description)
    .bind(&d.consumer)
    .bind(&d.provider)
    .bind(&events)
    .bind(&request)
    .bind(d.enabled as i64)
    .bind(&now)
    .bind(&d.consumer_label)
    .bind(&d.provider_label)
    .execute(&store.pool)
    .await?;
    Ok(!existed)
}

pub async fn delete_webhook(store: &Store, uuid: &str) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM webhooks WHERE uuid = $1")
        .bind(uuid)
        .execute(&store.pool)
        .await?
        .rows_affected()
        > 0)
}

pub async fn deliveries(store: &Store, webhook_uuid: &str) -> Result<Vec<Delivery>> {
    let rows = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_uuid = $1 ORDER BY id DESC LIMIT 100"
    ))
    .bind(webhook_uuid)
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(delivery_of).collect()
}

/// Every delivery for a pact between `consumer` and `provider`, oldest
/// first (the queue is kept short by `seam broker clean`).
pub async fn deliveries_between(
    store: &Store,
    consumer: &str,
    provider: &str,
) -> Result<Vec<Delivery>> {
    let rows = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries ORDER BY id"
    ))
    .fetch_all(&store.pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let d = delivery_of(r)?;
        if d.value("consumerName") == consumer && d.value("providerName") == provider {
            out.push(d);
        }
    }
    Ok(out)
}

/// Queues one delivery per enabled webhook listening for `event` between
/// `consumer` and `provider`, in one transaction; what was queued.
pub async fn enqueue(
    store: &Store,
    event: Event,
    consumer: &str,
    provider: &str,
    context: &Value,
) -> Result<Vec<Queued>> {
    let all = webhooks(store).await?;
    if all.is_empty() {
        return Ok(Vec::new());
    }
    let pair = Pair::of(store, consumer, provider).await?;
    let listening: Vec<Webhook> = all
        .into_iter()
        .filter(|w| w.listens(&[event], &pair))
        .collect();
    if listening.is_empty() {
        return Ok(Vec::new());
    }
    let now = store.now();
    let mut tx = store.pool.begin().await?;
    let mut queued = Vec::new();
    for w in &listening {
        let delivery = uuid::Uuid::new_v4().to_string();
        queued.push(Queued {
            title: w.title(),
            delivery: delivery.clone(),
        });
        sqlx::query(
            "INSERT INTO webhook_deliveries (uuid, webhook_uuid, event, context, status, attempts, next_attempt_at, logs, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, '[]', $5, $5)",
        )
        .bind(&delivery)
        .bind(&w.uuid)
        .bind(event.name())
        .bind(context.to_string())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(queued)
}

/// One delivery by its uuid.
pub async fn delivery(store: &Store, uuid: &str) -> Result<Option<Delivery>> {
    let row = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE uuid = $1"
    ))
    .bind(uuid)
    .fetch_optional(&store.pool)
    .await?;
    row.map(|r| delivery_of(&r)).transpose()
}

/// Whether an enabled webhook would tell someone that a pact between
/// `consumer` and `provider` changed.
pub async fn listens_for_changes(store: &Store, consumer: &str, provider: &str) -> Result<bool> {
    let changes = [
        Event::ContractContentChanged,
        Event::ContractRequiringVerificationPublished,
    ];
    let pair = Pair::of(store, consumer, provider).await?;
    Ok(webhooks(store)
        .await?
        .iter()
        .any(|w| w.listens(&changes, &pair)))
}

/// Counts of deliveries per status, for `/metrics`.
pub async fn delivery_counts(store: &Store) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status ORDER BY status",
    )
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
        .collect()
}

/// Claims a due delivery; false when another worker has it.
async fn claim(store: &Store, uuid: &str) -> Result<bool> {
    let now = store.clock.now();
    let until = stamp(now + chrono::Duration::from_std(CLAIM).unwrap_or_default());
    let now = stamp(now);
    Ok(sqlx::query(
        "UPDATE webhook_deliveries SET claimed_until = $2 WHERE uuid = $1 AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < $3)",
    )
    .bind(uuid)
    .bind(until)
    .bind(now)
    .execute(&store.pool)
    .await?
    .rows_affected()
        == 1)
}

async fn due(store: &Store) -> Result<Vec<Delivery>> {
    let now = store.now();
    let rows = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY id LIMIT 32"
    ))
    .bind(now)
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(delivery_of).collect()
}

/// Records an attempt: its log entry, and what comes next.
async fn record_attempt(
    store: &Store,
    delivery: &Delivery,
    entry: Value,
    succeeded: bool,
    schedule: &[Duration],
) -> Result<()> {
    let attempts = delivery.attempts + 1;
    let mut logs = delivery.logs.clone();
    logs.push(entry);
    let now = store.clock.now();
    let (status, next) = if succeeded {
        ("succeeded", now)
    } else {
        match schedule.get((attempts - 1) as usize) {
            Some(wait) => (
                "pending",
                now + chrono::Duration::from_std(*wait).unwrap_or_default(),
            ),
            None => ("failed", now),
        }
    };
    sqlx::query(
        "UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4, claimed_until = NULL, logs = $5, updated_at = $6 WHERE uuid = $1",
    )
    .bind(&delivery.uuid)
    .bind(status)
    .bind(attempts)
    .bind(stamp(next))
    .bind(Value::Array(logs).to_string())
    .bind(stamp(now))
    .execute(&store.pool)
    .await?;
    Ok(())
}

/// One request built from a webhook's template and an event's values: the
/// request to send, and the same with secrets masked for the log.
pub struct Rendered {
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub basic: Option<(String, String)>,
    pub shown: Value,
}

pub fn render_request(
    request: &Value,
    context: &Map<String, Value>,
) -> std::result::Result<Rendered, String> {
    let text = |v: &Value, secrets| render(v.as_str().unwrap_or_default(), context, secrets);
    let method = request["method"]
        .as_str()
        .unwrap_or("POST")
        .parse::<reqwest::Method>()
        .map_err(|e| e.to_string())?;
    let url = text(&request["url"], Secrets::Environment)?;
    let mut headers = Vec::new();
    let mut shown_headers = Map::new();
    if let Some(h) = request["headers"].as_object() {
        for (name, value) in h {
            headers.push((name.clone(), text(value, Secrets::Environment)?));
            shown_headers.insert(name.clone(), Value::String(text(value, Secrets::Masked)?));
        }
    }
    let (body, shown_body) = match request.get("body") {
        None | Some(Value::Null) => (None, Value::Null),
        Some(Value::String(s)) => (
            Some(render(s, context, Secrets::Environment)?),
            Value::String(render(s, context, Secrets::Masked)?),
        ),
        Some(other) => (
            Some(render_json(other, context, Secrets::Environment)?.to_string()),
            render_json(other, context, Secrets::Masked)?,
        ),
    };
    let basic = match request["username"].as_str() {
        Some(user) => Some((
            render(user, context, Secrets::Environment)?,
            render(
                request["password"].as_str().unwrap_or_default(),
                context,
                Secrets::Environment,
            )?,
        )),
        None => None,
    };
    if basic.is_some() {
        shown_headers.insert("authorization".into(), json!("**********"));
    }
    Ok(Rendered {
        shown: json!({
            "method": method.as_str(),
            "url": text(&request["url"], Secrets::Masked)?,
            "headers": shown_headers,
            "body": shown_body,
        }),
        method,
        url,
        headers,
        body,
        basic,
    })
}

/// Sends a rendered request: whether it succeeded, and the log entry.
pub async fn send(
    client: &reqwest::Client,
    rendered: std::result::Result<Rendered, String>,
    config: &WebhookConfig,
    attempt: i64,
    at: String,
) -> (bool, Value) {
    let mut entry = json!({"attempt": attempt, "at": at});
    let r = match rendered {
        Ok(r) => r,
        Err(e) => {
            entry["error"] = Value::String(e);
            return (false, entry);
        }
    };
    entry["request"] = r.shown.clone();
    // the rendered URL (its values filled in) must still be an allowed one
    if let Err(e) = super::definition::check_url(&r.url, config) {
        entry["error"] = Value::String(e);
        return (false, entry);
    }
    let mut request = client.request(r.method, &r.url).timeout(config.timeout);
    let mut has_content_type = false;
    for (name, value) in &r.headers {
        has_content_type |= name.eq_ignore_ascii_case("content-type");
        request = request.header(name, value);
    }
    if let Some(body) = r.body {
        if !has_content_type {
            request = request.header("Content-Type", "application/json");
        }
        request = request.body(body);
    }
    if let Some((user, password)) = r.basic {
        request = request.basic_auth(user, Some(password));
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            let version = format!("{:?}", response.version());
            let headers: Map<String, Value> = response
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or_default())))
                .collect();
            let body = response.text().await.unwrap_or_default();
            let mut cut = body.len().min(LOGGED_BODY);
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            entry["response"] = json!({"status": status.as_u16(), "version": version, "headers": headers, "body": &body[..cut]});
            (status.is_success(), entry)
        }
        Err(e) => {
            let what = if e.is_timeout() {
                format!("no answer within {} s", config.timeout.as_secs())
            } else if e.is_connect() {
                "could not connect".to_string()
            } else {
                "the request failed".to_string()
            };
            entry["error"] = Value::String(format!("{what}: {}", deepest_cause(&e)));
            (false, entry)
        }
    }
}

/// The innermost cause of an error ("connection refused"), which says
/// more than reqwest's own text.
fn deepest_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// What the broker's webhook requests say they come from: the Pact
/// Broker's words, which receivers written for it may check.
pub const USER_AGENT: &str = "Pact Broker";

/// The client webhooks are sent with: redirects are not followed (a
/// redirect could lead past the allowed hosts).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        .build()
        .unwrap_or_default()
}

/// The worker: sends due deliveries (eight at once at most), then waits
/// to be woken by a new one or for half a second.
pub async fn run(store: Store, config: Arc<WebhookConfig>, wakeup: Arc<Notify>) {
    let client = http_client();
    let slots = Arc::new(Semaphore::new(8));
    loop {
        match due(&store).await {
            Ok(list) => {
                for delivery in list {
                    let Ok(permit) = slots.clone().acquire_owned().await else {
                        return;
                    };
                    match claim(&store, &delivery.uuid).await {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(e) => {
                            eprintln!("seam broker: webhook queue: {e}");
                            continue;
                        }
                    }
                    let (store, config, client) = (store.clone(), config.clone(), client.clone());
                    tokio::spawn(async move {
                        deliver(&store, &config, &client, &delivery).await;
                        drop(permit);
                    });
                }
            }
            Err(e) => eprintln!("seam broker: webhook queue: {e}"),
        }
        tokio::select! {
            _ = wakeup.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
}

async fn deliver(
    store: &Store,
    config: &WebhookConfig,
    client: &reqwest::Client,
    delivery: &Delivery,
) {
    let webhook = match webhook(store, &delivery.webhook_uuid).await {
        Ok(Some(w)) => w,
        Ok(None) => return, // deleted since: its deliveries went with it
        Err(e) => {
            eprintln!("seam broker: webhook queue: {e}");
            return;
        }
    };
    let rendered = render_request(&webhook.definition.request, &delivery.context);
    let (ok, entry) = send(client, rendered, config, delivery.attempts + 1, store.now()).await;
    if let Err(e) = record_attempt(store, delivery, entry, ok, &config.retry_schedule).await {
        eprintln!("seam broker: webhook queue: {e}");
    }
}
