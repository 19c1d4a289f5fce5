//! ProviderState generators when the state-change call gives no value for
//! their expression (it answers `{}`, an empty body, or other values): the
//! example is sent and expected, as the official verifier does, and the report
//! says so in a note (text, JSON, JUnit, HTML).

use seam_http::{full, serve, Server};
use seam_verify::{load, Outcome, Verifier, VerifyOptions};
use serde_json::{json, Value};

/// GET /orders/{id} → `{"id": id}`; POST /_states answers per state name:
/// `{}`, an empty body, a value under another name, or `{"id": 7}`.
async fn provider() -> Server {
    serve("127.0.0.1:0".parse().unwrap(), None, |req, _| async move {
        use http_body_util::BodyExt;
        let path = req.uri().path().to_string();
        let body = req.into_body().collect().await.unwrap().to_bytes();
        if path == "/_states" {
            let v: Value = serde_json::from_slice(&body).unwrap();
            let answer = match v["state"].as_str().unwrap() {
                "answers an empty object" => "{}".to_string(),
                "answers nothing" => String::new(),
                "answers another value" => json!({"other": 3}).to_string(),
                _ => json!({"id": 7}).to_string(),
            };
            return hyper::Response::new(full(answer));
        }
        let id: i64 = path
            .strip_prefix("/orders/")
            .and_then(|i| i.parse().ok())
            .unwrap_or(0);
        hyper::Response::builder()
            .header("content-type", "application/json")
            .body(full(json!({"id": id}).to_string()))
            .unwrap()
    })
    .await
    .unwrap()
}

fn interaction(state: &str) -> Value {
    json!({
        "description": format!("fetch an order given it {state}"),
        "providerStates": [{"name": state}],
        "request": {"method": "GET", "path": "/orders/1",
            "generators": {"path": {"type": "ProviderState", "expression": "/orders/${id}"}}},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"},
            "body": {"id": 1},
            "generators": {"body": {"$.id": {"type": "ProviderState", "expression": "${id}"}}}}
    })
}

#[tokio::test]
async fn missing_provider_state_values_use_the_example_with_a_note() {
    let p = provider().await;
    let states = [
        "answers an empty object",
        "answers nothing",
        "answers another value",
        "answers the id",
    ];
    let pact = json!({"consumer": {"name": "web"}, "provider": {"name": "orders"},
        "interactions": states.iter().map(|s| interaction(s)).collect::<Vec<_>>(),
        "metadata": {"pactSpecification": {"version": "3.0.0"}}});
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web-orders.json");
    std::fs::write(&path, pact.to_string()).unwrap();
    let verifier = Verifier::new(VerifyOptions {
        provider_base_url: p.base_url(),
        state_change_url: Some(format!("{}/_states", p.base_url())),
        ..Default::default()
    })
    .unwrap();
    let pacts = load(&[path.display().to_string()], verifier.client())
        .await
        .unwrap();
    let report = verifier.verify(&pacts).await.unwrap();
    let text = report.to_text(seam_core::render::Style::Plain);
    assert!(report.passed(), "{text}");
    for r in &report.results[..3] {
        assert!(matches!(r.outcome, Outcome::Passed), "{text}");
        assert_eq!(
            r.notes,
            vec![
                "the provider states gave no value for `/orders/${id}` (path): the example is sent",
                "the provider states gave no value for `${id}` (body $.id): the example is expected",
            ],
            "{text}"
        );
    }
    // a state that answers the value: it is used (GET /orders/7 answers id 7), no note
    assert!(report.results[3].notes.is_empty(), "{text}");
    assert!(
        text.contains("note: the provider states gave no value for `${id}` (body $.id): the example is expected"),
        "{text}"
    );
    let json = report.to_json();
    assert_eq!(json["interactions"][0]["status"], "passed");
    assert_eq!(
        json["interactions"][0]["notes"].as_array().unwrap().len(),
        2
    );
    assert!(json["interactions"][3].get("notes").is_none());
    assert!(report
        .to_junit()
        .contains("note: the provider states gave no value"));
    assert!(report
        .html_fragment()
        .contains("note: the provider states gave no value"));
}

#[tokio::test]
async fn without_a_state_url_the_note_says_so() {
    let p = provider().await;
    let pact = json!({"consumer": {"name": "web"}, "provider": {"name": "orders"},
        "interactions": [interaction("answers the id")],
        "metadata": {"pactSpecification": {"version": "3.0.0"}}});
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web-orders.json");
    std::fs::write(&path, pact.to_string()).unwrap();
    let verifier = Verifier::new(VerifyOptions {
        provider_base_url: p.base_url(),
        ..Default::default()
    })
    .unwrap();
    let pacts = load(&[path.display().to_string()], verifier.client())
        .await
        .unwrap();
    let report = verifier.verify(&pacts).await.unwrap();
    assert!(report.passed());
    assert_eq!(
        report.results[0].notes[1],
        "no provider-state URL is set, so there is no value for `${id}` (body $.id): the example is expected"
    );
}
