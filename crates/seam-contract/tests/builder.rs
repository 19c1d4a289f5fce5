//! A Rust consumer's test: contract in code, in-process mock, pact written.

use seam_contract::builder::ContractBuilder;
use serde_json::json;

/// The consumer code under test: fetches an order's status.
async fn order_status(base: &str, id: u32) -> Result<String, reqwest::Error> {
    let v: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/orders/{id}"))
        .header("Accept", "application/json")
        .send()
        .await?
        .json()
        .await?;
    Ok(v["status"].as_str().unwrap_or_default().to_string())
}

fn contract() -> ContractBuilder {
    ContractBuilder::new("web", "orders").interaction("fetch an order", |i| {
        i.given_with("order exists", json!({"id": 42}))
            .request("GET", "/orders/42")
            .header("Accept", "application/json")
            .response(200)
            .response_header("Content-Type", "application/json")
            .response_body(json!({"id": {"$integer": 42}, "status": {"$regex": "NEW|PAID", "example": "PAID"}}))
    })
}

#[tokio::test]
async fn a_rust_consumer_test_writes_its_pact() {
    let session = contract().start().await.unwrap();
    assert_eq!(order_status(&session.base_url(), 42).await.unwrap(), "PAID");
    let dir = tempfile::tempdir().unwrap();
    let (usage, written) = session
        .finish(dir.path(), seam_pact::SpecVersion::V4)
        .await
        .unwrap();
    assert!(usage.is_clean(), "{}", usage.to_text());
    let pact = seam_pact::read_pact_file(&written[0]).unwrap();
    assert_eq!(
        pact.interactions[0].provider_states[0].params["id"],
        json!(42)
    );
}

#[tokio::test]
async fn a_consumer_that_calls_the_wrong_path_is_caught() {
    let session = contract().start().await.unwrap();
    assert!(
        order_status(&session.base_url(), 7).await.is_err(),
        "the mock answers 404 for /orders/7"
    );
    let usage = session.usage();
    assert_eq!(usage.unexpected[0].url, "/orders/7");
    assert_eq!(usage.unexercised[0].2, "fetch an order");
    let dir = tempfile::tempdir().unwrap();
    let (_, written) = session
        .finish(dir.path(), seam_pact::SpecVersion::V4)
        .await
        .unwrap();
    assert!(
        written.is_empty(),
        "no pact when the contract was not honoured"
    );
}

/// Two interactions for one request: the first written answers, as in the
/// official tools and `seam mock --pact`.
#[tokio::test]
async fn the_first_of_several_matching_interactions_answers() {
    let session = ContractBuilder::new("web", "orders")
        .interaction("order 42 is new", |i| {
            i.given("order 42 is new")
                .request("GET", "/orders/42")
                .response(200)
                .response_body(json!({"status": "NEW"}))
        })
        .interaction("order 42 is paid", |i| {
            i.given("order 42 is paid")
                .request("GET", "/orders/42")
                .response(200)
                .response_body(json!({"status": "PAID"}))
        })
        .start()
        .await
        .unwrap();
    assert_eq!(order_status(&session.base_url(), 42).await.unwrap(), "NEW");
    let usage = session.usage();
    assert_eq!(usage.unexercised.len(), 1, "{}", usage.to_text());
    assert_eq!(usage.unexercised[0].2, "order 42 is paid");
}

#[test]
fn bad_inline_matchers_are_reported_with_their_path() {
    let e = ContractBuilder::new("web", "orders")
        .interaction("x", |i| {
            i.request("GET", "/")
                .response(200)
                .response_body(json!({"a": {"b": {"$regx": "x"}}}))
        })
        .build()
        .unwrap_err();
    assert!(
        e.message
            .contains("at $.a.b: unknown inline matcher `$regx` (did you mean `$regex`?)"),
        "{e}"
    );
}
