//! The shop itself, over real sockets: the embedded files are the ones in
//! `demo/`, the gateway stubs answer as the services expect, and the
//! breaking change is what `--break` says it is.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// `send`, then the answer's JSON body (panics on errors: tests only).
trait JsonReply {
    async fn json_value(self) -> serde_json::Value;
}

impl JsonReply for reqwest::RequestBuilder {
    async fn json_value(self) -> serde_json::Value {
        self.send().await.unwrap().json().await.unwrap()
    }
}

fn files_under(dir: &Path, root: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, root, out);
        } else {
            out.push(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

#[test]
fn every_demo_file_is_embedded() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo");
    let mut on_disk = Vec::new();
    files_under(&root, &root, &mut on_disk);
    on_disk.sort();
    let mut embedded: Vec<String> = seam_demo::assets::ASSETS
        .iter()
        .map(|a| a.path.to_string())
        .collect();
    embedded.sort();
    assert_eq!(on_disk, embedded, "add new demo files to assets::ASSETS");
    let out = tempfile::tempdir().unwrap();
    seam_demo::assets::write_to(out.path()).unwrap();
    for a in seam_demo::assets::ASSETS {
        assert_eq!(
            std::fs::read_to_string(out.path().join(a.path)).unwrap(),
            a.contents
        );
    }
}

fn order(sku: &str, card: &str) -> Value {
    json!({ "sku": sku, "quantity": 3, "cardToken": card,
            "address": { "name": "A", "line1": "B", "city": "C", "postcode": "D", "country": "NL" } })
}

async fn get_json(client: &reqwest::Client, url: String) -> Value {
    client.get(url).json_value().await
}

async fn available(client: &reqwest::Client, shop: &seam_demo::Shop, sku: &str) -> i64 {
    let item = get_json(client, format!("{}/items/{sku}", shop.inventory)).await;
    item["available"].as_i64().unwrap()
}

#[tokio::test]
async fn an_order_takes_stock_and_a_failed_payment_gives_it_back() {
    let shop = seam_demo::Shop::start(Default::default()).await.unwrap();
    let client = reqwest::Client::new();
    let before = available(&client, &shop, "SKU-2").await;
    let resp = client
        .post(format!("{}/orders", shop.orders))
        .json(&order("SKU-2", "tok_visa"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let placed: Value = resp.json().await.unwrap();
    assert_eq!(placed["totalCents"], 3 * 8900);
    assert_eq!(placed["shipment"]["carrier"], "PostNL");
    assert_eq!(available(&client, &shop, "SKU-2").await, before - 3);

    let resp = client
        .post(format!("{}/orders", shop.orders))
        .json(&order("SKU-2", "tok_declined"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 402);
    assert_eq!(available(&client, &shop, "SKU-2").await, before - 3);

    // the gateway saw both charges, with the API key, and the stub answered each
    let count: Value = client
        .post(format!("{}/__admin/requests/count", shop.gateway))
        .json(&json!({ "method": "POST", "url": "/v1/charges",
                       "headers": { "Authorization": { "equalTo": "Bearer sk_test_seam_demo" } } }))
        .json_value()
        .await;
    assert_eq!(count["count"], 2);
    shop.shutdown().await;
}

#[tokio::test]
async fn the_broken_inventory_renames_price_cents_and_orders_reports_it() {
    let shop = seam_demo::Shop::start(seam_demo::ShopOptions {
        broken: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let item = get_json(&client, format!("{}/items/SKU-1", shop.inventory)).await;
    assert_eq!(item["price"], "12.50");
    assert!(item.get("priceCents").is_none());
    let resp = client
        .post(format!("{}/orders", shop.orders))
        .json(&order("SKU-1", "tok_visa"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 502);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "upstream_contract_broken");
    assert_eq!(body["service"], "inventory");
    shop.shutdown().await;
}
