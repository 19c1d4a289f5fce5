//! Provider verification against a real provider on 127.0.0.1:0: provider
//! states (setup, params, teardown, generators), passing and breaking
//! providers, filters, pending, auth headers, messages, reports, and errors.

use seam_http::{full, serve, Server};
use seam_verify::{load, Outcome, Verifier, VerifyError, VerifyOptions};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, PartialEq)]
enum Flavour {
    Good,
    /// Renames `status` to `state` and answers 201: a breaking change.
    Breaking,
}

struct Provider {
    server: Server,
    states: Arc<Mutex<Vec<Value>>>,
}

/// An order service: GET /orders/{id} (needs `Authorization: Bearer t`),
/// POST /_states for provider states, POST /messages for message pacts.
async fn provider(flavour: Flavour) -> Provider {
    let states = Arc::new(Mutex::new(Vec::new()));
    let seen = states.clone();
    let server = serve("127.0.0.1:0".parse().unwrap(), None, move |req, _| {
        let seen = seen.clone();
        async move {
            use http_body_util::BodyExt;
            let path = req.uri().path().to_string();
            let auth = req
                .headers()
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_string());
            let body = req.into_body().collect().await.unwrap().to_bytes();
            let reply = |status: u16, v: Value| {
                hyper::Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(full(v.to_string()))
                    .unwrap()
            };
            if path == "/_states" {
                let v: Value = serde_json::from_slice(&body).unwrap();
                seen.lock().unwrap().push(v.clone());
                return match v["state"].as_str() {
                    Some("order exists") => reply(200, json!({"id": v["params"]["id"].clone()})),
                    _ => reply(
                        400,
                        json!({"error": format!("unknown state {}", v["state"])}),
                    ),
                };
            }
            if path == "/messages" {
                let v: Value = serde_json::from_slice(&body).unwrap();
                let total = if flavour == Flavour::Good {
                    json!(19.9)
                } else {
                    json!("19.90")
                };
                return match v["description"].as_str() {
                    Some("order paid event") => hyper::Response::builder()
                        .header("content-type", "application/json")
                        .header("pact-message-metadata", "eyJ0b3BpYyI6Im9yZGVycy5wYWlkIn0=") // {"topic":"orders.paid"}
                        .body(full(json!({"orderId": 42, "amount": total}).to_string()))
                        .unwrap(),
                    _ => reply(404, json!({})),
                };
            }
            if auth.as_deref() != Some("Bearer t") {
                return reply(401, json!({"error": "unauthorized"}));
            }
            let Some(id) = path.strip_prefix("/orders/") else {
                return reply(404, json!({}));
            };
            let id: i64 = id.parse().unwrap_or(0);
            match flavour {
                Flavour::Good => reply(200, json!({"id": id, "status": "PAID", "total": 19.9})),
                Flavour::Breaking => reply(201, json!({"id": id, "state": "PAID", "total": 19.9})),
            }
        }
    })
    .await
    .unwrap();
    Provider { server, states }
}

const PACT: &str = r#"{
  "consumer": {"name": "web"}, "provider": {"name": "orders"},
  "interactions": [
    {"description": "fetch an order",
     "providerStates": [{"name": "order exists", "params": {"id": 42}}],
     "request": {"method": "GET", "path": "/orders/1",
       "generators": {"path": {"type": "ProviderState", "expression": "/orders/${id}"}}},
     "response": {"status": 200, "headers": {"Content-Type": "application/json"},
       "body": {"id": 1, "status": "PAID", "total": 10.5},
       "matchingRules": {"body": {"$.status": {"matchers": [{"match": "regex", "regex": "NEW|PAID"}]},
                                  "$.total": {"matchers": [{"match": "decimal"}]}}},
       "generators": {"body": {"$.id": {"type": "ProviderState", "expression": "${id}"}}}}},
    {"description": "fetch a missing order",
     "providerStates": [{"name": "no orders"}],
     "request": {"method": "GET", "path": "/orders/999"},
     "response": {"status": 404}}
  ],
  "metadata": {"pactSpecification": {"version": "3.0.0"}}
}"#;

const MESSAGES: &str = r#"{
  "consumer": {"name": "billing"}, "provider": {"name": "orders"},
  "messages": [{"description": "order paid event",
    "contents": {"orderId": 1, "amount": 1.5}, "metaData": {"contentType": "application/json", "topic": "orders.paid"},
    "matchingRules": {"body": {"$.orderId": {"matchers": [{"match": "integer"}]}, "$.amount": {"matchers": [{"match": "number"}]}}}}],
  "metadata": {"pactSpecification": {"version": "3.0.0"}}
}"#;

fn write_pact(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn options(p: &Provider) -> VerifyOptions {
    VerifyOptions {
        provider_base_url: p.server.base_url(),
        state_change_url: Some(format!("{}/_states", p.server.base_url())),
        headers: vec![("Authorization".into(), "Bearer t".into())],
        filter_description: Some(regex::Regex::new("^fetch an order$").unwrap()),
        ..Default::default()
    }
}

async fn run(opts: VerifyOptions, sources: &[String]) -> Result<seam_verify::Report, VerifyError> {
    let v = Verifier::new(opts)?;
    let pacts = load(sources, v.client()).await?;
    v.verify(&pacts).await
}

#[tokio::test]
async fn a_compatible_provider_passes_with_states_and_generators() {
    let dir = tempfile::tempdir().unwrap();
    let pact = write_pact(dir.path(), "web-orders.json", PACT);
    let p = provider(Flavour::Good).await;
    let report = run(options(&p), &[pact]).await.unwrap();
    assert_eq!(report.results.len(), 1);
    assert!(
        matches!(report.results[0].outcome, Outcome::Passed),
        "{}",
        report.to_text(seam_core::render::Style::Plain)
    );
    assert!(report.passed());
    let calls = p.states.lock().unwrap().clone();
    assert_eq!(
        calls,
        vec![
            json!({"state": "order exists", "params": {"id": 42}, "action": "setup"}),
            json!({"state": "order exists", "params": {"id": 42}, "action": "teardown"}),
        ]
    );
}

#[tokio::test]
async fn a_breaking_change_fails_naming_consumer_interaction_path_and_curl() {
    let dir = tempfile::tempdir().unwrap();
    let pact = write_pact(dir.path(), "web-orders.json", PACT);
    let p = provider(Flavour::Breaking).await;
    let report = run(options(&p), &[pact]).await.unwrap();
    assert!(!report.passed());
    let Outcome::Failed { mismatches, curl } = &report.results[0].outcome else {
        panic!("expected a failure")
    };
    let where_: Vec<String> = mismatches.iter().map(|m| m.location()).collect();
    assert_eq!(where_, ["status", "body $.status"], "{mismatches:#?}");
    assert!(
        curl.starts_with("curl -X GET '") && curl.contains("/orders/42'"),
        "{curl}"
    );
    assert!(
        curl.contains("Authorization: Bearer <redacted>"),
        "secrets stay out of reports: {curl}"
    );
    let text = report.to_text(seam_core::render::Style::Plain);
    assert!(
        text.contains("FAIL web → orders: fetch an order given order exists"),
        "{text}"
    );
    assert!(
        text.contains("body $.status expected key 'status' but it was missing"),
        "{text}"
    );
    assert!(text.contains("reproduce: curl"), "{text}");
    let json = report.to_json();
    assert_eq!(json["summary"]["failed"], 1);
    assert_eq!(json["interactions"][0]["mismatches"][1]["path"], "$.status");
    let missing = json["interactions"][0]["mismatches"][1]
        .as_object()
        .unwrap();
    assert!(
        missing.contains_key("expected") && !missing.contains_key("actual"),
        "a missing key has no actual side, not a null one: {missing:?}"
    );
    assert!(text.contains("+ actual:   (absent)"), "{text}");
    let junit = report.to_junit();
    assert!(
        junit.contains("<failure") && junit.contains("body $.status"),
        "{junit}"
    );
}

#[tokio::test]
async fn unknown_states_filters_pending_and_auth() {
    let dir = tempfile::tempdir().unwrap();
    let pact = write_pact(dir.path(), "web-orders.json", PACT);
    let p = provider(Flavour::Good).await;

    // the second interaction's state is unknown to the provider: that one fails clearly
    let mut opts = options(&p);
    opts.filter_description = None;
    let report = run(opts.clone(), std::slice::from_ref(&pact))
        .await
        .unwrap();
    assert_eq!(report.results.len(), 2);
    let Outcome::Error(e) = &report.results[1].outcome else {
        panic!("expected an error")
    };
    assert!(
        e.contains("provider state 'no orders' setup failed") && e.contains("400"),
        "{e}"
    );
    assert!(!report.passed());

    // the same as pending: reported, not failing
    opts.all_pending = true;
    let report = run(opts.clone(), std::slice::from_ref(&pact))
        .await
        .unwrap();
    assert!(report.passed());
    assert_eq!(report.counts(), (1, 0, 1, 0));
    assert!(report.to_junit().contains("<skipped"));

    // filter by state
    opts.all_pending = false;
    opts.filter_state = Some("order exists".into());
    assert_eq!(
        run(opts.clone(), std::slice::from_ref(&pact))
            .await
            .unwrap()
            .results
            .len(),
        1
    );

    // without the auth header the provider says 401, and the report says so
    let mut no_auth = options(&p);
    no_auth.headers.clear();
    let report = run(no_auth, std::slice::from_ref(&pact)).await.unwrap();
    let Outcome::Failed { mismatches, .. } = &report.results[0].outcome else {
        panic!()
    };
    assert!(
        mismatches[0]
            .reason
            .contains("expected status 200 but was 401"),
        "{mismatches:?}"
    );
}

#[tokio::test]
async fn message_pacts_are_verified_through_the_provider() {
    let dir = tempfile::tempdir().unwrap();
    let pact = write_pact(dir.path(), "billing-orders.json", MESSAGES);
    for (flavour, passes) in [(Flavour::Good, true), (Flavour::Breaking, false)] {
        let p = provider(flavour).await;
        let opts = VerifyOptions {
            provider_base_url: format!("{}/messages", p.server.base_url()),
            ..Default::default()
        };
        let report = run(opts, std::slice::from_ref(&pact)).await.unwrap();
        match (&report.results[0].outcome, passes) {
            (Outcome::Passed, true) => {}
            (Outcome::Failed { mismatches, .. }, false) => {
                assert_eq!(mismatches[0].path, "$.amount", "{mismatches:?}");
            }
            (other, _) => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn pacts_load_from_urls_and_directories() {
    let dir = tempfile::tempdir().unwrap();
    write_pact(dir.path(), "web-orders.json", PACT);
    let p = provider(Flavour::Good).await;
    // a pact server: hands out the pact text
    let pact_server = serve("127.0.0.1:0".parse().unwrap(), None, |_, _| async {
        hyper::Response::builder()
            .header("content-type", "application/json")
            .body(full(PACT))
            .unwrap()
    })
    .await
    .unwrap();
    let url = format!(
        "{}/pacts/provider/orders/consumer/web/latest",
        pact_server.base_url()
    );
    for source in [url.clone(), dir.path().display().to_string()] {
        let report = run(options(&p), std::slice::from_ref(&source))
            .await
            .unwrap();
        assert_eq!(report.results.len(), 1, "{source}");
        assert!(report.passed(), "{source}");
    }
    let e = run(options(&p), &[format!("{}/missing", p.server.base_url())])
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("cannot fetch the pact") && !e.is_unreachable(),
        "{e}"
    );
}

#[tokio::test]
async fn unreachable_provider_and_bad_pacts_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let pact = write_pact(dir.path(), "web-orders.json", PACT);
    // a port nobody listens on: bind, take the port, drop the listener
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let opts = VerifyOptions {
        provider_base_url: format!("http://127.0.0.1:{port}"),
        ..Default::default()
    };
    let e = run(opts.clone(), std::slice::from_ref(&pact))
        .await
        .unwrap_err();
    assert!(e.is_unreachable());
    assert!(
        e.to_string().contains(&format!("http://127.0.0.1:{port}")),
        "{e}"
    );

    let bad = write_pact(
        dir.path(),
        "bad.json",
        &PACT.replace(
            "\"matchers\": [{\"match\": \"regex\"",
            "\"matchers\": [{\"match\": 7",
        ),
    );
    let e = run(opts.clone(), &[bad]).await.unwrap_err();
    assert!(!e.is_unreachable());
    assert!(
        e.to_string()
            .contains("bad.json: at $.interactions[0].response.matchingRules.body['$.status']"),
        "{e}"
    );
    let e = run(opts, &["/nonexistent".into()]).await.unwrap_err();
    assert!(!e.is_unreachable());
}

#[tokio::test]
async fn a_slow_answer_fails_its_interaction_not_the_run() {
    let slow = serve("127.0.0.1:0".parse().unwrap(), None, |_, _| async {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        hyper::Response::new(full("{}"))
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pact = write_pact(dir.path(), "web-orders.json", PACT);
    let opts = VerifyOptions {
        provider_base_url: slow.base_url(),
        timeout: std::time::Duration::from_millis(100),
        filter_description: Some(regex::Regex::new("missing").unwrap()),
        ..Default::default()
    };
    let report = run(opts, &[pact.clone(), pact]).await.unwrap();
    assert_eq!(
        report.results.len(),
        2,
        "the run went on after the first timeout"
    );
    let Outcome::Error(e) = &report.results[0].outcome else {
        panic!("{:?}", report.results[0].outcome)
    };
    assert!(e.contains("did not answer in time"), "{e}");
    assert!(!report.passed());
}
