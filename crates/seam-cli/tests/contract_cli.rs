//! `seam contract mock`: a YAML contract with inline matchers served to a
//! consumer's test command; the pact is written only when every interaction was
//! exercised and nothing unexpected arrived; pacts merge; the written pact
//! verifies against a provider with `seam verify`.

mod common;

use common::{mock, seam};

const CONTRACT: &str = r#"consumer: web
provider: orders
interactions:
  - description: fetch an order
    given:
      - state: order exists
        params: { id: 42 }
    request:
      method: GET
      path: /orders/42
      headers: { Accept: application/json }
    response:
      status: 200
      headers: { Content-Type: application/json }
      body:
        id: { $integer: 42 }
        status: { $regex: "NEW|PAID", example: PAID }
        placedAt: { $timestamp: "yyyy-MM-dd'T'HH:mm:ss", example: "2026-11-24T10:15:00" }
        items: { $eachLike: { sku: { $regex: "[A-Z]-\\d+", example: A-1 }, qty: 2 }, min: 1 }
  - description: create an order
    request:
      method: POST
      path: /orders
      headers: { Content-Type: application/json }
      body: { sku: A-1, qty: { $like: 1 } }
    response:
      status: 201
      body: { id: { $like: 7 } }
"#;

const BOTH: &str = r#"curl -sf "$SEAM_MOCK_URL/orders/42" -H 'Accept: application/json' >/dev/null && curl -sf -X POST "$SEAM_MOCK_URL/orders" -H 'Content-Type: application/json' -d '{"sku":"A-1","qty":3}' >/dev/null"#;

/// `seam contract mock CONTRACT --pact-dir PACTS EXTRA... -- sh -c SCRIPT`.
fn contract_mock(
    contract: &std::path::Path,
    pacts: &std::path::Path,
    extra: &[&str],
    script: &str,
) -> (i32, String, String) {
    let mut args = vec![
        "contract",
        "mock",
        contract.to_str().unwrap(),
        "--pact-dir",
        pacts.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--", "sh", "-c", script]);
    seam(&args)
}

#[test]
fn consumer_tests_write_a_pact_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let contract = dir.path().join("web-orders.yaml");
    std::fs::write(&contract, CONTRACT).unwrap();
    let pacts = dir.path().join("pacts");
    let (code, out, err) = contract_mock(&contract, &pacts, &[], BOTH);
    assert_eq!(code, 0, "{out}{err}");
    let pact = pacts.join("web-orders.json");
    assert!(out.contains(&format!("wrote {}", pact.display())), "{out}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pact).unwrap()).unwrap();
    assert_eq!(doc["metadata"]["pactSpecification"]["version"], "4.0");
    let rules = &doc["interactions"][0]["response"]["matchingRules"]["body"];
    assert_eq!(
        rules["$.items[*].sku"]["matchers"][0]["regex"],
        "[A-Z]-\\d+"
    );
    assert_eq!(rules["$.items"]["matchers"][0]["min"], 1);
    assert_eq!(
        doc["interactions"][0]["providerStates"][0]["params"]["id"],
        42
    );
    let (code, out, _) = seam(&["pact", "validate", pact.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");

    // the written pact verifies against a provider that honours it (seam mock serving it)
    let provider = mock(&["--pact", pact.to_str().unwrap()]);
    let url = provider.url.clone();
    let (code, out, _) = seam(&[
        "verify",
        "--provider-base-url",
        &url,
        pact.to_str().unwrap(),
    ]);
    drop(provider);
    assert_eq!(code, 0, "{out}");

    // v3 on request, merged into the same file by description + states
    let (code, _, err) = contract_mock(&contract, &pacts, &["--spec", "v3"], BOTH);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pact).unwrap()).unwrap();
    assert_eq!(doc["metadata"]["pactSpecification"]["version"], "3.0.0");
    assert_eq!(
        doc["interactions"].as_array().unwrap().len(),
        2,
        "merged, not duplicated"
    );
}

#[test]
fn unexercised_and_unexpected_requests_fail_without_a_pact() {
    let dir = tempfile::tempdir().unwrap();
    let contract = dir.path().join("web-orders.yaml");
    std::fs::write(&contract, CONTRACT).unwrap();
    let pacts = dir.path().join("pacts");
    let one = r#"curl -sf "$SEAM_MOCK_URL/orders/42" -H 'Accept: application/json' >/dev/null; curl -s "$SEAM_MOCK_URL/nope" >/dev/null; true"#;
    let (code, out, err) = contract_mock(&contract, &pacts, &[], one);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("never exercised: web → orders: create an order"),
        "{err}"
    );
    assert!(err.contains("unexpected request: GET /nope"), "{err}");
    assert!(!pacts.join("web-orders.json").exists());

    // a failing test command fails the run with its exit code
    let (code, _, _) = seam(&[
        "contract",
        "mock",
        contract.to_str().unwrap(),
        "--pact-dir",
        pacts.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        "exit 7",
    ]);
    assert_eq!(code, 7);
}

#[test]
fn bad_contracts_exit_2_with_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.yaml");
    std::fs::write(
        &f,
        CONTRACT.replace("$regex: \"NEW|PAID\"", "$regexp: \"NEW|PAID\""),
    )
    .unwrap();
    let (code, _, err) = seam(&["contract", "mock", f.to_str().unwrap(), "--", "true"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad.yaml:") && err.contains("unknown inline matcher `$regexp`"),
        "{err}"
    );
    std::fs::write(
        &f,
        CONTRACT.replace("description: fetch an order", "descripton: fetch an order"),
    )
    .unwrap();
    let (code, _, err) = seam(&["contract", "mock", f.to_str().unwrap(), "--", "true"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad.yaml:4:") && err.contains("did you mean `description`"),
        "{err}"
    );
}

const FROM_STATE: &str = r#"consumer: web
provider: orders
interactions:
  - description: create an order
    given:
      - state: an order can be created
    request:
      method: POST
      path: /orders
    response:
      status: 201
      headers:
        Location: { $fromProviderState: "/orders/${id}", example: /orders/42 }
      body:
        id: { $fromProviderState: "${id}", example: 42 }
"#;

#[test]
fn from_provider_state_answers_the_example() {
    let dir = tempfile::tempdir().unwrap();
    let contract = dir.path().join("web-orders.yaml");
    std::fs::write(&contract, FROM_STATE).unwrap();
    let pacts = dir.path().join("pacts");
    let script = r#"out=$(curl -s -D - -X POST "$SEAM_MOCK_URL/orders") && echo "$out" && echo "$out" | grep -q '^HTTP/1.1 201' && echo "$out" | grep -qi '^location: /orders/42' && echo "$out" | grep -q '"id":42'"#;
    let (code, out, err) = contract_mock(&contract, &pacts, &[], script);
    assert_eq!(code, 0, "{out}{err}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pacts.join("web-orders.json")).unwrap())
            .unwrap();
    assert_eq!(
        doc["interactions"][0]["response"]["generators"]["body"]["$.id"]["type"],
        "ProviderState"
    );
}

#[test]
fn an_answer_the_mock_could_not_give_fails_the_run() {
    // a MockServerURL generator whose regex does not compile: the mock answers 500
    let pact = r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
      "interactions": [{"description": "a link", "request": {"method": "GET", "path": "/link"},
        "response": {"status": 200, "body": {"next": "http://localhost:8080/orders/2"},
          "generators": {"body": {"$.next": {"type": "MockServerURL",
            "example": "http://localhost:8080/orders/2", "regex": "(.*/orders/2"}}}}}],
      "metadata": {"pactSpecification": {"version": "3.0.0"}}}"#;
    let dir = tempfile::tempdir().unwrap();
    let contract = dir.path().join("web-orders.json");
    std::fs::write(&contract, pact).unwrap();
    let pacts = dir.path().join("pacts");
    // the consumer's test does not look at the status: the run must fail anyway
    let script = r#"curl -s "$SEAM_MOCK_URL/link" >/dev/null; true"#;
    let (code, out, err) = contract_mock(&contract, &pacts, &[], script);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("the mock could not answer as the contract says: GET /link got 500 where web → orders: a link answers 200"),
        "{err}"
    );
    assert!(
        err.contains("answer(s) the contract does not hold") && err.contains("no pact written"),
        "{err}"
    );
    assert!(!pacts.join("web-orders.json").exists());
}
