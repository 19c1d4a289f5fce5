//! Malformed stub files (seam YAML, WireMock mappings) never panic, and every
//! error names the file, where, and what, in one line.

use proptest::prelude::*;
use seam_testkit::mutate::{assert_placed, config, mutated};

const YAML_SEEDS: &[&str] = &[r#"stubs:
  - name: an order
    request:
      method: GET
      pathPattern: "/orders/\\d+"
      query: { expand: items }
      headers: { Accept: { contains: json } }
    response:
      status: 200
      headers: { X-Id: "1" }
      json: { id: 1, status: PAID }
      delay: { uniform: [1, 5] }
  - request: { method: POST, path: /orders, body: { matchesJsonPath: "$.sku" } }
    response: { status: 503, fault: CONNECTION_RESET_BY_PEER }
    scenario: { name: s, requires: Started, then: two }
"#];

const MAPPING_SEEDS: &[&str] = &[r#"{
  "name": "fetch an order",
  "priority": 1,
  "request": {
    "method": "GET",
    "urlPathPattern": "/orders/[0-9]+",
    "headers": { "Accept": { "contains": "json" } },
    "queryParameters": { "expand": { "equalTo": "items" } }
  },
  "response": {
    "status": 200,
    "jsonBody": { "id": "{{request.pathSegments.[1]}}" },
    "headers": { "Content-Type": "application/json" },
    "transformers": ["response-template"],
    "fixedDelayMilliseconds": 5
  }
}"#];

fn check(name: &str, doc: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, doc).unwrap();
    if let Err(e) = seam_mock::sources::load(&path) {
        assert_placed(&e.to_string(), &path.display().to_string());
    }
}

proptest! {
    #![proptest_config(config("tests/regressions/stub_files.txt"))]

    #[test]
    fn malformed_seam_stub_files_are_rejected_with_a_place(doc in mutated(YAML_SEEDS)) {
        check("stubs.yaml", &doc);
    }

    #[test]
    fn malformed_wiremock_mappings_are_rejected_with_a_place(doc in mutated(MAPPING_SEEDS)) {
        check("mapping.json", &doc);
    }
}

#[test]
fn the_seeds_load() {
    let dir = tempfile::tempdir().unwrap();
    for (name, seed) in [("s.yaml", YAML_SEEDS[0]), ("m.json", MAPPING_SEEDS[0])] {
        let path = dir.path().join(name);
        std::fs::write(&path, seed).unwrap();
        seam_mock::sources::load(&path).unwrap();
    }
}
