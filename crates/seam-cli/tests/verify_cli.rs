//! `seam verify` as CI runs it, against `seam mock` as the provider: a pact
//! verifies against its own stubs (exit 0), a provider that renamed a field
//! fails with the pinpointed field and a curl command (exit 1), bad input exits
//! 2, an unreachable provider 3; an interaction seam cannot use (a rule that
//! does not compile) is reported not verified and exits 2 unless
//! `--skip-unsupported`.

mod common;

use common::{closed_port, mock, seam};

fn verify(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    seam(&all)
}

const PACT: &str = r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
  "interactions": [{"description": "fetch an order", "request": {"method": "GET", "path": "/orders/1"},
    "response": {"status": 200, "headers": {"Content-Type": "application/json"},
      "body": {"id": 1, "status": "PAID"},
      "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}}}],
  "metadata": {"pactSpecification": {"version": "3.0.0"}}}"#;

#[test]
fn exit_codes_and_pinpointed_failures() {
    let dir = tempfile::tempdir().unwrap();
    let pact = dir.path().join("web-orders.json");
    std::fs::write(&pact, PACT).unwrap();
    let pact = pact.to_str().unwrap();

    let provider = mock(&["--pact", pact]);
    let junit = dir.path().join("junit.xml");
    let (code, out, err) = verify(&[
        "--provider-base-url",
        &provider.url,
        "--junit",
        junit.to_str().unwrap(),
        pact,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("PASS web → orders: fetch an order"), "{out}");
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("testcase"));
    drop(provider);

    let stubs = dir.path().join("breaking.yaml");
    std::fs::write(
        &stubs,
        "stubs:\n  - request: { path: /orders/1 }\n    response: { json: { id: 1, state: PAID } }\n",
    )
    .unwrap();
    let provider = mock(&["--stubs", stubs.to_str().unwrap()]);
    let json = dir.path().join("report.json");
    let (code, out, _) = verify(&[
        "--provider-base-url",
        &provider.url,
        "--json",
        json.to_str().unwrap(),
        pact,
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL web → orders: fetch an order"), "{out}");
    assert!(
        out.contains("body $.status expected key 'status' but it was missing"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "reproduce: curl -X GET '{}/orders/1'",
            provider.url
        )),
        "{out}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        report["interactions"][0]["mismatches"][0]["path"],
        "$.status"
    );
    drop(provider);

    let port = closed_port();
    let (code, _, err) = verify(&[
        "--provider-base-url",
        &format!("http://127.0.0.1:{port}"),
        pact,
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(&format!("http://127.0.0.1:{port}")) && err.contains("unreachable"),
        "{err}"
    );

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"consumer\": ").unwrap();
    let (code, _, err) = verify(&[
        "--provider-base-url",
        "http://127.0.0.1:1",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.json:1:"), "{err}");
}

#[test]
fn interactions_seam_cannot_use_exit_2_unless_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, PACT).unwrap();
    let provider = mock(&["--pact", good.to_str().unwrap()]);
    // a second interaction whose regex cannot compile (a Java Unicode block)
    let mut doc: serde_json::Value = serde_json::from_str(PACT).unwrap();
    let mut odd = doc["interactions"][0].clone();
    odd["description"] = "fetch with a Unicode block".into();
    odd["response"]["matchingRules"]["body"]["$.status"] =
        serde_json::json!({"matchers": [{"match": "regex", "regex": "\\p{InGreek}+"}]});
    doc["interactions"].as_array_mut().unwrap().push(odd);
    let pact = dir.path().join("web-orders.json");
    std::fs::write(&pact, doc.to_string()).unwrap();
    let json = dir.path().join("report.json");
    let args = [
        "--provider-base-url",
        &provider.url,
        "--json",
        json.to_str().unwrap(),
        pact.to_str().unwrap(),
    ];
    let (code, out, err) = verify(&args);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("PASS web → orders: fetch an order"), "{out}");
    assert!(
        out.contains("N/V  web → orders: fetch with a Unicode block"),
        "{out}"
    );
    assert!(out.contains("  not verified: "), "{out}");
    assert!(err.contains("warning: "), "{err}");
    assert!(err.contains("1 interaction(s) not verified"), "{err}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["interactions"][1]["status"], "not verified");

    let mut skipping = args.to_vec();
    skipping.push("--skip-unsupported");
    let (code, out, err) = verify(&skipping);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("SKIP web → orders: fetch with a Unicode block"),
        "{out}"
    );
    assert!(out.contains("skipped, not verified: "), "{out}");
}
