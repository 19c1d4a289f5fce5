//! seam-demo: the sample shop `seam demo` runs against, in the shape of a real
//! checkout, all in-process on loopback ports:
//!
//! ```text
//! client ─▶ orders ─┬─▶ inventory      (price, stock reservations)
//!                   ├─▶ payments ─────▶ gateway  (third party: seam mock, WireMock mappings)
//!                   └─▶ shipping
//! ```
//!
//! - [`inventory`], [`payments`], [`shipping`], [`orders`]: the services (axum);
//!   each provider answers `POST /_seam/states` for contract verification.
//! - [`gateway`]: the virtualized payment gateway.
//! - [`assets`]: the demo's contracts, suites, gateway stubs and `seam.toml`,
//!   embedded so `seam demo` needs no files.
//!
//! [`Shop::start`] starts everything; [`ShopOptions::broken`] applies a provider
//! change (inventory renames `priceCents`) that breaks its consumer.

pub mod assets;
pub mod gateway;
pub mod inventory;
pub mod orders;
pub mod payments;
pub mod shipping;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::watch;

/// How the shop is started.
#[derive(Debug, Clone)]
pub struct ShopOptions {
    /// Inventory ships a breaking change: `priceCents` becomes `price` (a
    /// decimal string), which its consumer, orders, still reads.
    pub broken: bool,
    /// How long payments waits for the gateway before answering 503.
    pub gateway_timeout: Duration,
}

impl Default for ShopOptions {
    fn default() -> Self {
        ShopOptions {
            broken: false,
            gateway_timeout: Duration::from_millis(500),
        }
    }
}

/// The running shop: every service's base URL.
pub struct Shop {
    pub orders: String,
    pub inventory: String,
    pub payments: String,
    pub shipping: String,
    pub gateway: String,
    gateway_server: seam_mock::MockServer,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Shop {
    /// Starts the gateway mock and the four services on `127.0.0.1:0`.
    pub async fn start(options: ShopOptions) -> Result<Shop, String> {
        let gateway_server = gateway::start().await?;
        let gateway = gateway_server.base_url();
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        let (inventory, t) = serve(inventory::router(options.broken), &stopped).await?;
        tasks.push(t);
        let (shipping, t) = serve(shipping::router(), &stopped).await?;
        tasks.push(t);
        let (payments, t) = serve(
            payments::router(payments::Config {
                gateway: gateway.clone(),
                timeout: options.gateway_timeout,
            }),
            &stopped,
        )
        .await?;
        tasks.push(t);
        let (orders, t) = serve(
            orders::router(orders::Config {
                inventory: inventory.clone(),
                payments: payments.clone(),
                shipping: shipping.clone(),
            }),
            &stopped,
        )
        .await?;
        tasks.push(t);
        Ok(Shop {
            orders,
            inventory,
            payments,
            shipping,
            gateway,
            gateway_server,
            stop,
            tasks,
        })
    }

    /// The variables the demo's `seam.toml` reads: `ORDERS_URL`, ...
    pub fn vars(&self) -> Vec<(String, String)> {
        [
            ("ORDERS_URL", &self.orders),
            ("INVENTORY_URL", &self.inventory),
            ("PAYMENTS_URL", &self.payments),
            ("SHIPPING_URL", &self.shipping),
            ("GATEWAY_URL", &self.gateway),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }

    /// Stops every service.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
        self.gateway_server.shutdown().await;
    }
}

async fn serve(
    router: axum::Router,
    stopped: &watch::Receiver<bool>,
) -> Result<(String, tokio::task::JoinHandle<()>), String> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(|e| format!("cannot bind a loopback port: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let mut stopped = stopped.clone();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
            })
            .await;
    });
    Ok((format!("http://{addr}"), task))
}

/// A JSON error answer, `{"error": code, ...extra}`, as a value.
pub(crate) struct ApiError {
    status: StatusCode,
    body: Value,
    /// `Retry-After` seconds, for failures worth retrying.
    retry_after: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, extra: Value) -> ApiError {
        let mut body = json!({ "error": code });
        if let (Some(b), Value::Object(extra)) = (body.as_object_mut(), extra) {
            b.extend(extra);
        }
        ApiError {
            status,
            body,
            retry_after: None,
        }
    }

    pub fn retry_after(mut self, seconds: &'static str) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, Json(self.body)).into_response();
        if let Some(s) = self.retry_after {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, s.parse().expect("digits"));
        }
        resp
    }
}

/// A JSON error answer: `{"error": code, ...extra}`.
pub(crate) fn error(status: StatusCode, code: &str, extra: Value) -> Response {
    ApiError::new(status, code, extra).into_response()
}

/// A provider-state change as `seam verify` (and Pact) posts it.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct StateChange {
    pub state: String,
    #[serde(default)]
    pub params: serde_json::Map<String, Value>,
    #[serde(default = "setup")]
    pub action: String,
}

fn setup() -> String {
    "setup".into()
}

impl StateChange {
    pub fn is_setup(&self) -> bool {
        self.action != "teardown"
    }

    pub fn param_str(&self, name: &str, default: &str) -> String {
        self.params
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    }
}
