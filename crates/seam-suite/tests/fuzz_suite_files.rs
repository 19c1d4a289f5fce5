//! Malformed suite files (mutations of real-looking ones) never panic, and every
//! error names the file, where, and what, in one line.

use proptest::prelude::*;
use seam_testkit::mutate::{assert_placed, mutated};

const SEEDS: &[&str] = &[
    r#"name: orders
baseUrl: "{{base}}"
variables: { sku: A-1, n: 2 }
secrets: [API_TOKEN]
tests:
  - name: create and fetch
    tags: [smoke]
    steps:
      - name: create
        request:
          method: POST
          path: /orders
          headers: { X-Id: "{{sku}}-1" }
          json: { sku: "{{sku}}", qty: 2, country: NO }
        capture:
          id: { jsonpath: "$.id" }
          where: { header: Location }
        assert:
          status: 201
          headers: { Content-Type: { contains: json } }
          json:
            - { path: "$.id", type: integer }
            - { path: "$.qty", gte: 1, lt: 10 }
          maxMs: 500
      - request: { path: "{{where}}", auth: { bearer: "{{API_TOKEN}}" } }
        retry: { times: 2, delayMs: 10, backoff: 2 }
        assert: { schema: { type: object, required: [id] } }
"#,
    r#"tests:
  - name: matrix
    matrix:
      rows: [ { country: FR, vat: 20 }, { country: DE, vat: 19 } ]
    setup:
      - request: { method: DELETE, path: /cart }
    steps:
      - if: "{{country}} != XX"
        request: { path: "/prices?country={{country}}" }
        assert: { json: [ { path: "$.vat", equals: "{{vat}}" } ], xml: [ { path: "count(/a)", equals: 1 } ] }
    teardown:
      - request: { path: /x, form: { a: 1 } }
"#,
];

proptest! {
    #![proptest_config(seam_testkit::mutate::config("tests/regressions/suite_files.txt"))]

    #[test]
    fn malformed_suites_are_rejected_with_a_place(doc in mutated(SEEDS)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("suite.yaml");
        std::fs::write(&path, &doc).unwrap();
        if let Err(e) = seam_suite::load(&path) {
            assert_placed(&e.to_string(), &path.display().to_string());
        }
    }
}

#[test]
fn the_seeds_load() {
    let dir = tempfile::tempdir().unwrap();
    for seed in SEEDS {
        let path = dir.path().join("suite.yaml");
        std::fs::write(&path, seed).unwrap();
        seam_suite::load(&path).unwrap();
    }
}
