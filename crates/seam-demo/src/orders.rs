//! The orders service, the shop's public API. Placing an order calls the three
//! others in turn: inventory (price, then a stock reservation), shipping (book
//! a shipment), payments (charge the card). When a later step fails, the
//! reservation is released, so stock is never lost to a failed order.
//!
//! `POST /orders {sku, quantity, cardToken, address}` → 201 with the order;
//! 422 `invalid_request` naming the field; 404 `unknown_sku`; 409
//! `out_of_stock`; 402 `payment_declined`; 503 `payment_unavailable` with
//! `Retry-After` (the gateway is down, slow or broken: degrade, don't crash);
//! 502 `upstream_contract_broken` when a provider answers in a shape orders
//! does not understand. `GET /orders`, `GET /orders/{id}`, `GET /health`.

use crate::{error, ApiError};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the services orders calls are.
#[derive(Debug, Clone)]
pub struct Config {
    pub inventory: String,
    pub payments: String,
    pub shipping: String,
}

struct Orders {
    config: Config,
    client: reqwest::Client,
    placed: Mutex<Vec<Value>>,
}

type Shared = Arc<Orders>;

/// The orders service.
pub fn router(config: Config) -> Router {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap_or_default();
    Router::new()
        .route("/orders", get(list).post(place))
        .route("/orders/{id}", get(fetch))
        .route("/health", get(|| async { Json(json!({ "status": "ok" })) }))
        .with_state(Arc::new(Orders {
            config,
            client,
            placed: Mutex::new(Vec::new()),
        }))
}

fn placed(s: &Orders) -> std::sync::MutexGuard<'_, Vec<Value>> {
    s.placed.lock().unwrap_or_else(|p| p.into_inner())
}

async fn list(State(s): State<Shared>) -> Json<Value> {
    let orders = placed(&s).clone();
    Json(json!({ "count": orders.len(), "orders": orders }))
}

async fn fetch(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match placed(&s).iter().find(|o| o["orderId"] == id.as_str()) {
        Some(o) => Json(o.clone()).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "unknown_order",
            json!({ "orderId": id }),
        ),
    }
}

/// A validated order request.
struct NewOrder {
    sku: String,
    quantity: i64,
    card_token: String,
    address: Value,
}

fn invalid(field: &str, reason: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
        json!({ "field": field, "reason": reason }),
    )
}

fn validate(body: &[u8]) -> Result<NewOrder, ApiError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            json!({ "reason": e.to_string() }),
        )
    })?;
    let text = |field: &str| match v.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(invalid(field, "must not be empty")),
        Some(_) => Err(invalid(field, "must be a string")),
        None => Err(invalid(field, "is required")),
    };
    let sku = text("sku")?;
    let card_token = text("cardToken")?;
    let quantity = match v.get("quantity") {
        None => return Err(invalid("quantity", "is required")),
        Some(q) => match q.as_i64() {
            Some(q) if (1..=100).contains(&q) => q,
            Some(_) => return Err(invalid("quantity", "must be between 1 and 100")),
            None => return Err(invalid("quantity", "must be an integer")),
        },
    };
    let address = v
        .get("address")
        .filter(|a| a.is_object())
        .ok_or_else(|| invalid("address", "must be an object"))?;
    for field in ["name", "line1", "city", "postcode", "country"] {
        match address.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            _ => return Err(invalid(&format!("address.{field}"), "is required")),
        }
    }
    Ok(NewOrder {
        sku,
        quantity,
        card_token,
        address: address.clone(),
    })
}

/// A downstream answer: status and JSON body (`Null` when it had none).
async fn call(req: reqwest::RequestBuilder) -> Result<(u16, Value), String> {
    let resp = req.send().await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.map_err(|e| e.to_string())?;
    Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
}

fn unavailable(code: &str, reason: String) -> Response {
    let mut resp = error(
        StatusCode::SERVICE_UNAVAILABLE,
        code,
        json!({ "retryable": true, "reason": reason }),
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    resp
}

fn contract_broken(service: &str, detail: String) -> Response {
    error(
        StatusCode::BAD_GATEWAY,
        "upstream_contract_broken",
        json!({ "service": service, "detail": detail }),
    )
}

async fn place(State(s): State<Shared>, body: Bytes) -> Response {
    let order = match validate(&body) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let c = &s.config;
    // 1. the price
    let price = match call(s.client.get(format!("{}/items/{}", c.inventory, order.sku))).await {
        Ok((200, item)) => match item.get("priceCents").and_then(Value::as_i64) {
            Some(p) => p,
            None => {
                return contract_broken(
                    "inventory",
                    format!("item without integer priceCents: {item}"),
                )
            }
        },
        Ok((404, _)) => {
            return error(
                StatusCode::NOT_FOUND,
                "unknown_sku",
                json!({ "sku": order.sku }),
            )
        }
        Ok((status, _)) => {
            return unavailable("inventory_unavailable", format!("{status} from inventory"))
        }
        Err(e) => return unavailable("inventory_unavailable", e),
    };
    let total = price * order.quantity;
    // 2. the stock
    let reservation = match call(
        s.client
            .post(format!("{}/reservations", c.inventory))
            .json(&json!({ "sku": order.sku, "quantity": order.quantity })),
    )
    .await
    {
        Ok((201, r)) => match r.get("reservationId").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => {
                return contract_broken(
                    "inventory",
                    format!("reservation without reservationId: {r}"),
                )
            }
        },
        Ok((409, r)) => {
            return error(
                StatusCode::CONFLICT,
                "out_of_stock",
                json!({ "sku": order.sku, "available": r["available"] }),
            )
        }
        Ok((status, _)) => {
            return unavailable("inventory_unavailable", format!("{status} from inventory"))
        }
        Err(e) => return unavailable("inventory_unavailable", e),
    };
    let release = || async {
        let _ = s
            .client
            .delete(format!("{}/reservations/{reservation}", c.inventory))
            .send()
            .await;
    };
    // reservation ids are unique, so they number the orders too
    let order_id = format!("o-{}", reservation.trim_start_matches("r-"));
    // 3. the shipment
    let shipment = match call(
        s.client
            .post(format!("{}/shipments", c.shipping))
            .json(&json!({
                "orderId": order_id,
                "items": [{ "sku": order.sku, "quantity": order.quantity }],
                "address": order.address,
            })),
    )
    .await
    {
        Ok((201, sh)) => sh,
        Ok((422, e)) => {
            release().await;
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "cannot_ship",
                json!({ "reason": e["error"] }),
            );
        }
        Ok((status, _)) => {
            release().await;
            return unavailable("shipping_unavailable", format!("{status} from shipping"));
        }
        Err(e) => {
            release().await;
            return unavailable("shipping_unavailable", e);
        }
    };
    // 4. the payment
    let payment = match call(
        s.client
            .post(format!("{}/payments", c.payments))
            .json(&json!({
                "orderId": order_id,
                "amountCents": total,
                "currency": "EUR",
                "cardToken": order.card_token,
            })),
    )
    .await
    {
        Ok((201, p)) => p,
        Ok((402, p)) => {
            release().await;
            return error(
                StatusCode::PAYMENT_REQUIRED,
                "payment_declined",
                json!({ "message": p["message"] }),
            );
        }
        Ok((status, p)) => {
            release().await;
            return unavailable(
                "payment_unavailable",
                format!(
                    "{status} from payments: {}",
                    p["reason"].as_str().unwrap_or("")
                ),
            );
        }
        Err(e) => {
            release().await;
            return unavailable("payment_unavailable", e);
        }
    };
    let confirmed = json!({
        "orderId": order_id,
        "status": "confirmed",
        "sku": order.sku,
        "quantity": order.quantity,
        "totalCents": total,
        "currency": "EUR",
        "paymentId": payment["paymentId"],
        "shipment": {
            "id": shipment["shipmentId"],
            "carrier": shipment["carrier"],
            "etaDays": shipment["etaDays"],
        },
    });
    placed(&s).push(confirmed.clone());
    let mut resp = (StatusCode::CREATED, Json(confirmed)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/orders/{order_id}")) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}
