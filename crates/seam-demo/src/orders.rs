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

fn unavailable(code: &str, reason: String) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        code,
        json!({ "retryable": true, "reason": reason }),
    )
    .retry_after("5")
}

fn contract_broken(service: &str, detail: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "upstream_contract_broken",
        json!({ "service": service, "detail": detail }),
    )
}

async fn place(State(s): State<Shared>, body: Bytes) -> Response {
    let confirmed = match checkout(&s, &body).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let location = format!(
        "/orders/{}",
        confirmed["orderId"].as_str().unwrap_or_default()
    );
    let mut resp = (StatusCode::CREATED, Json(confirmed)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// Price, reservation, then shipment and payment; a failure after the
/// reservation releases it.
async fn checkout(s: &Orders, body: &[u8]) -> Result<Value, ApiError> {
    let order = validate(body)?;
    let total = price(s, &order).await? * order.quantity;
    let reservation = reserve(s, &order).await?;
    // reservation ids are unique, so they number the orders too
    let order_id = format!("o-{}", reservation.trim_start_matches("r-"));
    let paid = async {
        let shipment = ship(s, &order, &order_id).await?;
        let payment = pay(s, &order, &order_id, total).await?;
        Ok::<_, ApiError>((shipment, payment))
    }
    .await;
    let (shipment, payment) = match paid {
        Ok(done) => done,
        Err(e) => {
            let _ = s
                .client
                .delete(format!("{}/reservations/{reservation}", s.config.inventory))
                .send()
                .await;
            return Err(e);
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
    placed(s).push(confirmed.clone());
    Ok(confirmed)
}

async fn price(s: &Orders, order: &NewOrder) -> Result<i64, ApiError> {
    let url = format!("{}/items/{}", s.config.inventory, order.sku);
    match call(s.client.get(url)).await {
        Ok((200, item)) => item
            .get("priceCents")
            .and_then(Value::as_i64)
            .ok_or_else(|| {
                contract_broken(
                    "inventory",
                    format!("item without integer priceCents: {item}"),
                )
            }),
        Ok((404, _)) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_sku",
            json!({ "sku": order.sku }),
        )),
        Ok((status, _)) => Err(unavailable(
            "inventory_unavailable",
            format!("{status} from inventory"),
        )),
        Err(e) => Err(unavailable("inventory_unavailable", e)),
    }
}

async fn reserve(s: &Orders, order: &NewOrder) -> Result<String, ApiError> {
    let req = s
        .client
        .post(format!("{}/reservations", s.config.inventory))
        .json(&json!({ "sku": order.sku, "quantity": order.quantity }));
    match call(req).await {
        Ok((201, r)) => r
            .get("reservationId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                contract_broken(
                    "inventory",
                    format!("reservation without reservationId: {r}"),
                )
            }),
        Ok((409, r)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "out_of_stock",
            json!({ "sku": order.sku, "available": r["available"] }),
        )),
        Ok((status, _)) => Err(unavailable(
            "inventory_unavailable",
            format!("{status} from inventory"),
        )),
        Err(e) => Err(unavailable("inventory_unavailable", e)),
    }
}

async fn ship(s: &Orders, order: &NewOrder, order_id: &str) -> Result<Value, ApiError> {
    let req = s
        .client
        .post(format!("{}/shipments", s.config.shipping))
        .json(&json!({
            "orderId": order_id,
            "items": [{ "sku": order.sku, "quantity": order.quantity }],
            "address": order.address,
        }));
    match call(req).await {
        Ok((201, shipment)) => Ok(shipment),
        Ok((422, e)) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "cannot_ship",
            json!({ "reason": e["error"] }),
        )),
        Ok((status, _)) => Err(unavailable(
            "shipping_unavailable",
            format!("{status} from shipping"),
        )),
        Err(e) => Err(unavailable("shipping_unavailable", e)),
    }
}

async fn pay(s: &Orders, order: &NewOrder, order_id: &str, total: i64) -> Result<Value, ApiError> {
    let req = s
        .client
        .post(format!("{}/payments", s.config.payments))
        .json(&json!({
            "orderId": order_id,
            "amountCents": total,
            "currency": "EUR",
            "cardToken": order.card_token,
        }));
    match call(req).await {
        Ok((201, payment)) => Ok(payment),
        Ok((402, p)) => Err(ApiError::new(
            StatusCode::PAYMENT_REQUIRED,
            "payment_declined",
            json!({ "message": p["message"] }),
        )),
        Ok((status, p)) => Err(unavailable(
            "payment_unavailable",
            format!(
                "{status} from payments: {}",
                p["reason"].as_str().unwrap_or("")
            ),
        )),
        Err(e) => Err(unavailable("payment_unavailable", e)),
    }
}
