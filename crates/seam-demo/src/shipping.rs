//! The shipping service: books a shipment for a paid order.
//!
//! `POST /shipments {orderId, items: [{sku, quantity}], address: {name, line1,
//! city, postcode, country}}` → 201 `{shipmentId, carrier, etaDays}`, or 422
//! for a country it does not ship to. `POST /_seam/states` accepts any state
//! (shipping keeps no data a contract depends on).

use crate::error;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Countries shipped to, with days to deliver.
const ROUTES: &[(&str, &str, i64)] = &[
    ("DE", "DHL", 1),
    ("FR", "Colissimo", 2),
    ("NL", "PostNL", 2),
    ("GB", "Royal Mail", 3),
    ("US", "UPS", 5),
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShipmentRequest {
    order_id: String,
    items: Vec<serde_json::Value>,
    address: Address,
}

#[derive(Deserialize)]
struct Address {
    country: String,
}

/// The shipping service.
pub fn router() -> Router {
    let next = Arc::new(AtomicU64::new(0));
    Router::new()
        .route(
            "/shipments",
            post(move |Json(r): Json<ShipmentRequest>| {
                let next = next.clone();
                async move { book(&next, r) }
            }),
        )
        .route("/_seam/states", post(|| async { Json(json!({})) }))
}

fn book(next: &AtomicU64, r: ShipmentRequest) -> Response {
    if r.items.is_empty() {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "no_items", json!({}));
    }
    let Some((_, carrier, days)) = ROUTES.iter().find(|(c, _, _)| *c == r.address.country) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unsupported_country",
            json!({ "country": r.address.country }),
        );
    };
    let id = next.fetch_add(1, Ordering::Relaxed) + 1;
    (
        StatusCode::CREATED,
        Json(json!({
            "shipmentId": format!("sh-{id}"),
            "orderId": r.order_id,
            "carrier": carrier,
            "etaDays": days,
        })),
    )
        .into_response()
}
