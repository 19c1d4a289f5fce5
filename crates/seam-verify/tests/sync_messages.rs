//! V4 synchronous-message interactions: the request message is posted to the
//! provider's message endpoint the way asynchronous messages are asked for
//! (`{description, providerStates, request: {contents: {content, contentType,
//! encoded}, metadata}}`, as the official verifier does), with its generators applied; the answer is checked
//! against the response message and its rules.

use seam_http::{full, serve, Server};
use seam_verify::{load, Outcome, Verifier, VerifyOptions};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

struct Provider {
    server: Server,
    /// Every message request body received.
    asked: Arc<Mutex<Vec<Value>>>,
}

/// POST /messages: a price for the `sku` of the request message (a number,
/// or a string when `breaking`); POST /_states answers `{"sku": "B-2"}`.
async fn provider(breaking: bool) -> Provider {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    let server = serve("127.0.0.1:0".parse().unwrap(), None, move |req, _| {
        let seen = seen.clone();
        async move {
            use http_body_util::BodyExt;
            let path = req.uri().path().to_string();
            let body = req.into_body().collect().await.unwrap().to_bytes();
            if path == "/_states" {
                return hyper::Response::new(full(json!({"sku": "B-2"}).to_string()));
            }
            let v: Value = serde_json::from_slice(&body).unwrap();
            seen.lock().unwrap().push(v.clone());
            let sku = v["request"]["contents"]["content"]["sku"].clone();
            let price = if breaking {
                json!("12.25")
            } else {
                json!(12.25)
            };
            hyper::Response::builder()
                .header("content-type", "application/json")
                .body(full(json!({"sku": sku, "price": price}).to_string()))
                .unwrap()
        }
    })
    .await
    .unwrap();
    Provider { server, asked }
}

const PACT: &str = r#"{
  "consumer": {"name": "shop"}, "provider": {"name": "pricing"},
  "interactions": [{
    "type": "Synchronous/Messages",
    "description": "a price request",
    "providerStates": [{"name": "a product exists"}],
    "request": {
      "contents": {"content": {"sku": "A-1"}, "contentType": "application/json", "encoded": false},
      "metadata": {"queue": "prices"},
      "generators": {"body": {"$.sku": {"type": "ProviderState", "expression": "${sku}"}}}
    },
    "response": [{
      "contents": {"content": {"sku": "A-1", "price": 9.5}, "contentType": "application/json", "encoded": false},
      "matchingRules": {"body": {"$.price": {"combine": "AND", "matchers": [{"match": "decimal"}]}}},
      "generators": {"body": {"$.sku": {"type": "ProviderState", "expression": "${sku}"}}}
    }]
  }],
  "metadata": {"pactSpecification": {"version": "4.0"}}
}"#;

async fn verify(p: &Provider, pact: &str) -> seam_verify::Report {
    let verifier = Verifier::new(VerifyOptions {
        provider_base_url: format!("{}/messages", p.server.base_url()),
        state_change_url: Some(format!("{}/_states", p.server.base_url())),
        ..Default::default()
    })
    .unwrap();
    let pacts = load(&[pact.to_string()], verifier.client()).await.unwrap();
    verifier.verify(&pacts).await.unwrap()
}

#[tokio::test]
async fn the_request_message_is_sent_and_the_response_message_checked() {
    let dir = tempfile::tempdir().unwrap();
    let pact = dir.path().join("shop-pricing.json");
    std::fs::write(&pact, PACT).unwrap();
    let pact = pact.display().to_string();

    let good = provider(false).await;
    let report = verify(&good, &pact).await;
    let text = report.to_text(seam_core::render::Style::Plain);
    assert!(
        matches!(report.results[0].outcome, Outcome::Passed),
        "{text}"
    );
    assert!(report.results[0].notes.is_empty(), "{text}");
    assert_eq!(
        good.asked.lock().unwrap()[0],
        json!({"description": "a price request",
               "providerStates": [{"name": "a product exists", "params": {}}],
               "request": {"contents": {"content": {"sku": "B-2"}, "contentType": "application/json",
                                        "encoded": false},
                           "metadata": {"queue": "prices"}}})
    );

    let breaking = provider(true).await;
    let report = verify(&breaking, &pact).await;
    let Outcome::Failed { mismatches, .. } = &report.results[0].outcome else {
        panic!("{}", report.to_text(seam_core::render::Style::Plain))
    };
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    assert_eq!(mismatches[0].path, "$.price");
}

#[tokio::test]
async fn several_response_messages_check_the_first_with_a_note() {
    let mut doc: Value = serde_json::from_str(PACT).unwrap();
    let second = json!({"contents": {"content": {"sku": "A-1", "price": "never"},
        "contentType": "application/json", "encoded": false}});
    doc["interactions"][0]["response"]
        .as_array_mut()
        .unwrap()
        .push(second);
    let dir = tempfile::tempdir().unwrap();
    let pact = dir.path().join("shop-pricing.json");
    std::fs::write(&pact, doc.to_string()).unwrap();
    let p = provider(false).await;
    let report = verify(&p, &pact.display().to_string()).await;
    assert!(matches!(report.results[0].outcome, Outcome::Passed));
    assert_eq!(
        report.results[0].notes,
        vec!["the pact expects 2 response messages; the provider answers one, checked against the first (as the official verifier does)"]
    );
}
