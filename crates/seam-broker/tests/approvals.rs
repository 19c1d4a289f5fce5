//! The Pact Broker's approval snapshots (`../shared/conformance/pact-broker/approvals`):
//! each snapshot's fixture is built through the HTTP API on an empty store,
//! its recorded request is sent, and the answer must hold everything the
//! snapshot holds: the status, and every key and value of its body (seam may
//! add keys; arrays must match element by element). Masked values compare by
//! presence. A triggered webhook's id, which upstream stubs, is compared as
//! a placeholder.

mod common;

use base64::Engine;
use common::Backend;
use reqwest::Client;
use serde_json::{json, Value};

/// Every place where `actual` lacks or differs from `expected`.
fn differences(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::String(e), _) if e.starts_with('<') && e.ends_with('>') => {
            if actual.is_null() {
                out.push(format!("{path}: missing (masked {e})"));
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                match a.get(k) {
                    Some(w) => differences(&format!("{path}.{k}"), v, w, out),
                    None => out.push(format!("{path}.{k}: missing (expected {v})")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!(
                    "{path}: {} items, expected {}: {}",
                    a.len(),
                    e.len(),
                    Value::Array(a.clone())
                ));
                return;
            }
            for (i, (v, w)) in e.iter().zip(a).enumerate() {
                differences(&format!("{path}[{i}]"), v, w, out);
            }
        }
        (Value::String(e), Value::String(a)) => {
            if normalize(e) != normalize(a) {
                out.push(format!("{path}: {a:?}, expected {e:?}"));
            }
        }
        _ => {
            if expected != actual {
                out.push(format!("{path}: {actual}, expected {expected}"));
            }
        }
    }
}

/// What differs by design, as placeholders: a triggered webhook's id
/// (stubbed upstream), a pact version's hash (SHA-1 of the JSON as sent
/// there, SHA-256 of its canonical form here) and the metadata segment of
/// a verification URL (it encodes database ids).
fn normalize(s: &str) -> String {
    let mut out = s.to_string();
    for marker in ["/triggered-webhooks/", "/pact-version/", "/metadata/"] {
        let mut done = String::new();
        let mut rest = out.as_str();
        while let Some(i) = rest.find(marker) {
            done.push_str(&rest[..i + marker.len()]);
            let after = &rest[i + marker.len()..];
            let end = after
                .find(|c: char| c == '/' || c.is_whitespace())
                .unwrap_or(after.len());
            done.push_str("<id>");
            rest = &after[end..];
        }
        done.push_str(rest);
        out = done;
    }
    out
}

fn pact(consumer: &str, provider: &str, interactions: Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(
        json!({"consumer": {"name": consumer}, "provider": {"name": provider}, "interactions": interactions})
            .to_string(),
    )
}

/// Builds the fixture a publish snapshot was recorded with.
async fn publish_fixture(client: &Client, base: &str, file: &str) {
    match file {
        "publish_contract_nothing_exists_with_webhook.approved.json" => {
            let r = client
                .post(format!("{base}/webhooks"))
                .json(&json!({
                    "description": "foo webhook",
                    "events": [{"name": "contract_content_changed"}],
                    // loopback, and nothing listens: the delivery fails, quietly
                    "request": {"method": "POST", "url": format!("http://127.0.0.1:{}/hook", seam_testkit::closed_port())}
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        }
        "publish_contract_verification_already_exists.approved.json" => {
            let r = client
                .post(format!("{base}/contracts/publish"))
                .json(&json!({
                    "pacticipantName": "Foo", "pacticipantVersionNumber": "1", "branch": "main",
                    "contracts": [{"consumerName": "Foo", "providerName": "Bar", "specification": "pact",
                        "contentType": "application/json",
                        "content": pact("Foo", "Bar", json!([{"description": "before", "request": {"method": "GET", "path": "/"}, "response": {"status": 200}}]))}]
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            common::verify(client, base, "Foo", "Bar", true, "2").await;
        }
        _ => {}
    }
}

const PUBLISH_SNAPSHOTS: &[&str] = &[
    "publish_contract_nothing_exists.approved.json",
    "publish_contract_no_branch.approved.json",
    "publish_contract_nothing_exists_with_webhook.approved.json",
    "publish_contract_verification_already_exists.approved.json",
    "publish_contract_with_validation_error.approved.json",
];

/// How many snapshots matched when this was last raised.
const PUBLISH_PASSING: usize = 5;

async fn publish_snapshots(backend: Backend) {
    let Some(dir) =
        seam_testkit::conformance_dir("pact-broker", "the Pact Broker's approval snapshots")
    else {
        return;
    };
    let mut passed = 0;
    let mut failures = Vec::new();
    for file in PUBLISH_SNAPSHOTS {
        let snapshot: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("approvals").join(file)).unwrap(),
        )
        .unwrap();
        let broker = common::start_at(backend, "http://example.org", true).await;
        let base = broker.broker.local_url();
        let client = Client::new();
        publish_fixture(&client, &base, file).await;
        let request = &snapshot["request"];
        let r = client
            .post(format!("{base}{}", request["path"].as_str().unwrap()))
            .header("Accept", "application/hal+json")
            .json(&request["body"])
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        let mut found = Vec::new();
        if snapshot["response"]["status"] != json!(status) {
            found.push(format!(
                "status {status}, expected {}",
                snapshot["response"]["status"]
            ));
        }
        differences("body", &snapshot["response"]["body"], &body, &mut found);
        if found.is_empty() {
            passed += 1;
        } else {
            failures.push(format!("{file}:\n    {}", found.join("\n    ")));
        }
        broker.stop().await;
    }
    eprintln!(
        "publish snapshots on {backend:?}: {passed}/{} match",
        PUBLISH_SNAPSHOTS.len()
    );
    for f in &failures {
        eprintln!("  {f}");
    }
    assert!(
        passed >= PUBLISH_PASSING,
        "{passed} publish snapshots match, fewer than {PUBLISH_PASSING}"
    );
}

/// `get_provider_pacts_for_verification`: two consumers' pacts, one tagged
/// prod, asked for the latest prod.
async fn for_verification_snapshot(backend: Backend) {
    let Some(dir) =
        seam_testkit::conformance_dir("pact-broker", "the Pact Broker's approval snapshots")
    else {
        return;
    };
    let snapshot: Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.join("approvals/get_provider_pacts_for_verification.approved.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let broker = common::start_at(backend, "http://example.org", false).await;
    let base = broker.broker.local_url();
    let client = Client::new();
    for (consumer, version, content) in [
        ("Consumer", "0.0.1", json!({"some": "content"})),
        ("Consumer%202", "4.5.6", json!({"some": "other content"})),
    ] {
        let r = client
            .put(format!(
                "{base}/pacts/provider/Provider/consumer/{consumer}/version/{version}"
            ))
            .json(&content)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    let r = client
        .put(format!(
            "{base}/pacticipants/Consumer%202/versions/4.5.6/tags/prod"
        ))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let request = &snapshot["request"];
    let r = client
        .post(format!("{base}{}", request["path"].as_str().unwrap()))
        .json(&request["body"])
        .send()
        .await
        .unwrap();
    assert_eq!(json!(r.status().as_u16()), snapshot["response"]["status"]);
    let body: Value = r.json().await.unwrap();
    let mut found = Vec::new();
    differences("body", &snapshot["response"]["body"], &body, &mut found);
    assert!(found.is_empty(), "{}", found.join("\n"));
    broker.stop().await;
}

#[tokio::test]
async fn the_pact_brokers_for_verification_snapshot() {
    for_verification_snapshot(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_pact_brokers_for_verification_snapshot_on_postgres() {
    if common::postgres_url("for-verification snapshot").is_some() {
        for_verification_snapshot(Backend::Postgres).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pact_brokers_publish_snapshots() {
    publish_snapshots(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pact_brokers_publish_snapshots_on_postgres() {
    if common::postgres_url("publish snapshots").is_some() {
        publish_snapshots(Backend::Postgres).await;
    }
}
