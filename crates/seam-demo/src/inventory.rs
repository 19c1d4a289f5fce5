//! The inventory service: item prices and stock, and stock reservations that
//! orders takes before charging and releases when the payment fails.
//!
//! `GET /items/{sku}`, `POST /reservations {sku, quantity}`,
//! `DELETE /reservations/{id}`, `POST /_seam/states` (provider states).

use crate::{error, ApiError, StateChange};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
struct Item {
    name: String,
    price_cents: i64,
    available: i64,
}

#[derive(Default)]
struct Stock {
    items: BTreeMap<String, Item>,
    /// reservation id → (sku, quantity)
    reservations: HashMap<String, (String, i64)>,
    next_id: u64,
}

impl Stock {
    fn seeded() -> Stock {
        let mut s = Stock::default();
        for (sku, name, price, available) in [
            ("SKU-1", "Espresso beans, 1 kg", 1250, 500),
            ("SKU-2", "Burr grinder", 8900, 40),
            ("SKU-3", "Paper filters, 100", 350, 0),
        ] {
            s.items.insert(
                sku.into(),
                Item {
                    name: name.into(),
                    price_cents: price,
                    available,
                },
            );
        }
        s
    }

    fn reserve(&mut self, sku: &str, quantity: i64) -> Result<String, ApiError> {
        let Some(item) = self.items.get_mut(sku) else {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_sku",
                json!({ "sku": sku }),
            ));
        };
        if item.available < quantity {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "insufficient_stock",
                json!({ "available": item.available }),
            ));
        }
        item.available -= quantity;
        self.next_id += 1;
        let id = format!("r-{}", self.next_id);
        self.reservations
            .insert(id.clone(), (sku.to_string(), quantity));
        Ok(id)
    }
}

struct Inventory {
    stock: Mutex<Stock>,
    broken: bool,
}

type Shared = Arc<Inventory>;

/// The inventory service; `broken` renames `priceCents` to `price`.
pub fn router(broken: bool) -> Router {
    let state = Arc::new(Inventory {
        stock: Mutex::new(Stock::seeded()),
        broken,
    });
    Router::new()
        .route("/items/{sku}", get(item))
        .route("/reservations", post(reserve))
        .route("/reservations/{id}", delete(release))
        .route("/_seam/states", post(provider_state))
        .with_state(state)
}

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Stock> {
    s.stock.lock().unwrap_or_else(|p| p.into_inner())
}

async fn item(State(s): State<Shared>, Path(sku): Path<String>) -> Response {
    let stock = lock(&s);
    let Some(item) = stock.items.get(&sku) else {
        return error(StatusCode::NOT_FOUND, "unknown_sku", json!({ "sku": sku }));
    };
    let body = if s.broken {
        // the "v2" refactor: money as a decimal string
        json!({ "sku": sku, "name": item.name, "available": item.available,
                "price": format!("{}.{:02}", item.price_cents / 100, item.price_cents % 100) })
    } else {
        json!({ "sku": sku, "name": item.name, "available": item.available,
                "priceCents": item.price_cents })
    };
    Json(body).into_response()
}

#[derive(Deserialize)]
struct ReserveRequest {
    sku: String,
    quantity: i64,
}

async fn reserve(State(s): State<Shared>, Json(r): Json<ReserveRequest>) -> Response {
    if r.quantity < 1 {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_quantity",
            json!({}),
        );
    }
    match lock(&s).reserve(&r.sku, r.quantity) {
        Ok(id) => (
            StatusCode::CREATED,
            Json(json!({ "reservationId": id, "sku": r.sku, "quantity": r.quantity })),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn release(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    let mut stock = lock(&s);
    let Some((sku, quantity)) = stock.reservations.remove(&id) else {
        return error(
            StatusCode::NOT_FOUND,
            "unknown_reservation",
            json!({ "reservationId": id }),
        );
    };
    if let Some(item) = stock.items.get_mut(&sku) {
        item.available += quantity;
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Provider states: `an item exists {sku, available}`, `an item is out of
/// stock {sku}`, `a reservation exists {sku}` (answers `{reservationId}`).
/// Teardown restores the seed data.
async fn provider_state(State(s): State<Shared>, Json(change): Json<StateChange>) -> Response {
    let mut stock = lock(&s);
    if !change.is_setup() {
        // back to the seeded stock, but reservation ids go on counting: a real
        // service never reuses an id, and the gateway's journal (idempotency
        // keys are order ids) outlives a provider state
        let next_id = stock.next_id;
        *stock = Stock::seeded();
        stock.next_id = next_id;
        return Json(json!({})).into_response();
    }
    let sku = change.param_str("sku", "SKU-1");
    let available = change
        .params
        .get("available")
        .and_then(serde_json::Value::as_i64);
    let item = stock.items.entry(sku.clone()).or_insert(Item {
        name: "Test item".into(),
        price_cents: 1000,
        available: 0,
    });
    match change.state.as_str() {
        "an item exists" => {
            item.available = available.unwrap_or(10);
            Json(json!({})).into_response()
        }
        "an item is out of stock" => {
            item.available = 0;
            Json(json!({})).into_response()
        }
        "a reservation exists" => {
            item.available = item.available.max(1);
            match stock.reserve(&sku, 1) {
                Ok(id) => Json(json!({ "reservationId": id })).into_response(),
                Err(e) => e.into_response(),
            }
        }
        other => error(
            StatusCode::BAD_REQUEST,
            "unknown_state",
            json!({ "state": other }),
        ),
    }
}
