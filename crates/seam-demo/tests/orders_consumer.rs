//! Consumer side of the demo's contracts: the orders service, pointed at
//! mocks served from its contracts with inventory, payments and shipping, must
//! make exactly the requests the contracts describe. Each checkout flow gets
//! fresh mocks holding only the interactions it should use (as with Pact, an
//! interaction set up by a provider state is exercised on its own); every flow
//! must use all of its interactions and nothing else, and together the flows
//! exercise every interaction of every contract.

use seam_contract::session::ConsumerSession;
use seam_pact::Pact;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;

fn contract(name: &str) -> Pact {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("demo/contracts")
        .join(name);
    seam_contract::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// A session serving only `descriptions` of `pact`.
async fn mock(pact: &Pact, descriptions: &[&str]) -> ConsumerSession {
    let mut only = pact.clone();
    only.interactions
        .retain(|i| descriptions.contains(&i.description.as_str()));
    assert_eq!(
        only.interactions.len(),
        descriptions.len(),
        "unknown description in {descriptions:?}"
    );
    ConsumerSession::start(vec![only], SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

struct Flow {
    name: &'static str,
    inventory: &'static [&'static str],
    payments: &'static [&'static str],
    shipping: &'static [&'static str],
    order: Value,
    status: u16,
    error: Option<&'static str>,
}

fn order(sku: &str, quantity: i64, card: &str, country: &str) -> Value {
    json!({ "sku": sku, "quantity": quantity, "cardToken": card,
            "address": { "name": "Ada Lovelace", "line1": "12 St James's Square", "city": "London",
                         "postcode": "SW1Y 4JH", "country": country } })
}

#[tokio::test]
async fn orders_makes_exactly_the_requests_its_contracts_describe() {
    let (inventory, payments, shipping) = (
        contract("orders-inventory.yaml"),
        contract("orders-payments.yaml"),
        contract("orders-shipping.yaml"),
    );
    let flows = [
        Flow {
            name: "a confirmed order",
            inventory: &["get an item", "reserve stock"],
            payments: &["capture a payment"],
            shipping: &["book a shipment"],
            order: order("SKU-1", 2, "tok_visa", "GB"),
            status: 201,
            error: None,
        },
        Flow {
            name: "an unknown item",
            inventory: &["get an unknown item"],
            payments: &[],
            shipping: &[],
            order: order("NO-SUCH-SKU", 1, "tok_visa", "GB"),
            status: 404,
            error: Some("unknown_sku"),
        },
        Flow {
            name: "out of stock",
            inventory: &["get an item", "reserve more than is in stock"],
            payments: &[],
            shipping: &[],
            order: order("SKU-1", 1, "tok_visa", "GB"),
            status: 409,
            error: Some("out_of_stock"),
        },
        Flow {
            name: "a declined card",
            inventory: &["get an item", "reserve stock", "release a reservation"],
            payments: &["a declined card"],
            shipping: &["book a shipment"],
            order: order("SKU-1", 2, "tok_declined", "GB"),
            status: 402,
            error: Some("payment_declined"),
        },
        Flow {
            name: "the gateway is down",
            inventory: &["get an item", "reserve stock", "release a reservation"],
            payments: &["a payment while the gateway is down"],
            shipping: &["book a shipment"],
            order: order("SKU-1", 2, "tok_visa", "GB"),
            status: 503,
            error: Some("payment_unavailable"),
        },
        Flow {
            name: "a country shipping does not serve",
            inventory: &["get an item", "reserve stock", "release a reservation"],
            payments: &[],
            shipping: &["a country shipping does not serve"],
            order: order("SKU-1", 2, "tok_visa", "AQ"),
            status: 422,
            error: Some("cannot_ship"),
        },
    ];
    let client = reqwest::Client::new();
    let mut exercised = BTreeSet::new();
    for flow in &flows {
        let inv = mock(&inventory, flow.inventory).await;
        let pay = mock(&payments, flow.payments).await;
        let ship = mock(&shipping, flow.shipping).await;
        let router = seam_demo::orders::router(seam_demo::orders::Config {
            inventory: inv.base_url(),
            payments: pay.base_url(),
            shipping: ship.base_url(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { axum::serve(listener, router).await });
        let resp = client
            .post(format!("{url}/orders"))
            .json(&flow.order)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, flow.status, "{}: {body}", flow.name);
        if let Some(code) = flow.error {
            assert_eq!(body["error"], code, "{}: {body}", flow.name);
        } else {
            assert_eq!(body["totalCents"], 2500, "{}: {body}", flow.name);
            assert_eq!(body["status"], "confirmed", "{}: {body}", flow.name);
        }
        for (session, used) in [
            (&inv, flow.inventory),
            (&pay, flow.payments),
            (&ship, flow.shipping),
        ] {
            let usage = session.usage();
            assert!(usage.is_clean(), "{}: {}", flow.name, usage.to_text());
            exercised.extend(used.iter().copied());
        }
        server.abort();
    }
    let all: BTreeSet<&str> = [&inventory, &payments, &shipping]
        .iter()
        .flat_map(|p| p.interactions.iter().map(|i| i.description.as_str()))
        .collect();
    let missing: Vec<_> = all.difference(&exercised).collect();
    assert!(
        missing.is_empty(),
        "interactions no flow exercises: {missing:?}"
    );
}
