//! The payments service: charges a card through the third-party gateway and
//! turns the gateway's failures into answers orders can act on.
//!
//! `POST /payments {orderId, amountCents, currency, cardToken}` →
//! 201 `{paymentId, status: "captured", amountCents}`; 402 `card_declined`;
//! 503 `gateway_unavailable` (with `Retry-After`) when the gateway answers 5xx
//! twice, times out, or breaks the connection. A 503 is retried once.
//!
//! `POST /_seam/states`: `the payment gateway is unavailable` installs a 503
//! stub on the gateway through its WireMock admin API (removed on teardown), as
//! teams do with a virtualized vendor.

use crate::{error, ApiError, StateChange};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// Where the gateway is and how long to wait for it.
#[derive(Debug, Clone)]
pub struct Config {
    pub gateway: String,
    pub timeout: Duration,
}

/// The API key the gateway stubs expect.
pub const GATEWAY_KEY: &str = "sk_test_seam_demo";
/// The id of the stub the `gateway is unavailable` state installs.
const OUTAGE_STUB: &str = "5e0a0b1e-0000-4000-8000-000000000503";

struct Payments {
    config: Config,
    client: reqwest::Client,
}

type Shared = Arc<Payments>;

/// The payments service.
pub fn router(config: Config) -> Router {
    let client = reqwest::Client::builder()
        .timeout(config.timeout)
        .build()
        .unwrap_or_default();
    Router::new()
        .route("/payments", post(pay))
        .route("/_seam/states", post(provider_state))
        .with_state(Arc::new(Payments { config, client }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentRequest {
    order_id: String,
    amount_cents: i64,
    currency: String,
    card_token: String,
}

/// What one call to the gateway came to.
enum Charge {
    Captured(String),
    Declined(String),
    Unavailable(String),
}

async fn pay(State(s): State<Shared>, Json(r): Json<PaymentRequest>) -> Response {
    if r.amount_cents <= 0 {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_amount",
            json!({}),
        );
    }
    let mut outcome = charge(&s, &r).await;
    if matches!(&outcome, Charge::Unavailable(reason) if reason.starts_with("503")) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        outcome = charge(&s, &r).await;
    }
    match outcome {
        Charge::Captured(id) => (
            StatusCode::CREATED,
            Json(json!({ "paymentId": id, "status": "captured", "amountCents": r.amount_cents })),
        )
            .into_response(),
        Charge::Declined(message) => error(
            StatusCode::PAYMENT_REQUIRED,
            "card_declined",
            json!({ "message": message }),
        ),
        Charge::Unavailable(reason) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "gateway_unavailable",
            json!({ "reason": reason }),
        )
        .retry_after("5")
        .into_response(),
    }
}

async fn charge(s: &Payments, r: &PaymentRequest) -> Charge {
    let sent = s
        .client
        .post(format!("{}/v1/charges", s.config.gateway))
        .bearer_auth(GATEWAY_KEY)
        .header("Idempotency-Key", &r.order_id)
        .json(&json!({
            "amount": r.amount_cents,
            "currency": r.currency.to_lowercase(),
            "source": r.card_token,
            "description": format!("order {}", r.order_id),
        }))
        .send()
        .await;
    let resp = match sent {
        Ok(resp) => resp,
        Err(e) if e.is_timeout() => return Charge::Unavailable("gateway timed out".into()),
        Err(e) => return Charge::Unavailable(format!("gateway connection failed: {e}")),
    };
    let status = resp.status().as_u16();
    let body: Value = match resp.json().await {
        Ok(v) => v,
        Err(e) if e.is_timeout() => return Charge::Unavailable("gateway timed out".into()),
        Err(_) if status >= 500 => return Charge::Unavailable(format!("{status} from gateway")),
        Err(e) => return Charge::Unavailable(format!("unreadable gateway answer: {e}")),
    };
    match status {
        200 | 201 => match body.get("id").and_then(Value::as_str) {
            Some(id) if body.get("status").and_then(Value::as_str) == Some("succeeded") => {
                Charge::Captured(id.to_string())
            }
            _ => Charge::Unavailable(format!("unexpected gateway answer: {body}")),
        },
        402 => Charge::Declined(
            body.pointer("/error/message")
                .and_then(Value::as_str)
                .unwrap_or("declined")
                .to_string(),
        ),
        s => Charge::Unavailable(format!("{s} from gateway")),
    }
}

async fn provider_state(State(s): State<Shared>, Json(change): Json<StateChange>) -> Response {
    if change.state != "the payment gateway is unavailable" {
        return Json(json!({})).into_response();
    }
    let admin = format!("{}/__admin/mappings", s.config.gateway);
    let sent = if change.is_setup() {
        s.client
            .post(&admin)
            .json(&json!({
                "id": OUTAGE_STUB,
                "priority": 1,
                "request": { "method": "POST", "urlPath": "/v1/charges" },
                "response": { "status": 503, "jsonBody": { "error": { "code": "maintenance" } } }
            }))
            .send()
            .await
    } else {
        s.client
            .delete(format!("{admin}/{OUTAGE_STUB}"))
            .send()
            .await
    };
    match sent {
        Ok(r) if r.status().is_success() => Json(json!({})).into_response(),
        Ok(r) => error(
            StatusCode::BAD_GATEWAY,
            "gateway_admin_failed",
            json!({ "status": r.status().as_u16() }),
        ),
        Err(e) => error(
            StatusCode::BAD_GATEWAY,
            "gateway_admin_failed",
            json!({ "reason": e.to_string() }),
        ),
    }
}
