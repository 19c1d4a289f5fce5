//! Malformed YAML contracts (mutations of real-looking ones) never panic, and
//! every error names the file, where, and what, in one line.

use proptest::prelude::*;
use seam_testkit::mutate::{assert_placed, mutated};
use std::path::Path;

const SEEDS: &[&str] = &[r#"consumer: web
provider: orders
interactions:
  - description: fetch an order
    given:
      - state: order exists
        params: { id: 42 }
      - a plain state name
    request:
      method: GET
      path: { $regex: "/orders/\\d+", example: /orders/42 }
      query: { expand: items }
      headers: { Accept: application/json, Authorization: Bearer x }
    response:
      status: 200
      headers: { Content-Type: { $regex: "application/json.*", example: application/json } }
      body:
        id: { $integer: 42 }
        status: { $regex: "NEW|PAID", example: PAID }
        placedAt: { $timestamp: "yyyy-MM-dd'T'HH:mm:ss", example: "2026-11-24T10:15:00" }
        items: { $eachLike: { sku: { $regex: "[A-Z]-\\d+", example: A-1 }, qty: 2 }, min: 1 }
        ref: { $fromProviderState: "${id}", example: 42 }
  - description: order paid event
    message:
      contents: { orderId: { $integer: 42 }, amount: { $decimal: 19.9 } }
      metadata: { topic: orders.paid }
"#];

proptest! {
    #![proptest_config(seam_testkit::mutate::config("tests/regressions/contract_files.txt"))]

    #[test]
    fn malformed_contracts_are_rejected_with_a_place(doc in mutated(SEEDS)) {
        let Ok(text) = std::str::from_utf8(&doc) else {
            // bytes that are not UTF-8 are the loader's (tested in `load`)
            return Ok(());
        };
        if let Err(e) = seam_contract::parse_yaml(Path::new("web-orders.yaml"), text) {
            assert_placed(&e.to_string(), "web-orders.yaml");
        }
    }

    #[test]
    fn malformed_contract_files_are_rejected_with_a_place(doc in mutated(SEEDS)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web-orders.yaml");
        std::fs::write(&path, &doc).unwrap();
        if let Err(e) = seam_contract::load(&path) {
            assert_placed(&e.to_string(), &path.display().to_string());
        }
    }
}

#[test]
fn the_seed_reads() {
    seam_contract::parse_yaml(Path::new("c.yaml"), SEEDS[0]).unwrap();
}
