//! Whatever the input, reading a pact returns a value or an error: never a panic.

use proptest::prelude::*;
use serde_json::{json, Value};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        prop_oneof![
            Just("$.a[*]".to_string()),
            Just("type".to_string()),
            Just("regex".to_string()),
            Just("Synchronous/HTTP".to_string()),
            Just("4.0".to_string()),
            Just("base64".to_string()),
            "[ -~]{0,8}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("match".to_string()),
                    Just("matchers".to_string()),
                    Just("body".to_string()),
                    Just("content".to_string()),
                    Just("encoded".to_string()),
                    Just("min".to_string()),
                    Just("regex".to_string()),
                    Just("status".to_string()),
                    Just("headers".to_string()),
                    Just("query".to_string()),
                    Just("type".to_string()),
                    "[a-z$.]{1,5}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_interactions_never_panic(request in any_json(), response in any_json(), rules in any_json(), version in prop_oneof![Just("2.0.0"), Just("3.0.0"), Just("4.0")]) {
        let doc = json!({
            "consumer": {"name": "c"}, "provider": {"name": "p"},
            "interactions": [{"description": "d", "request": request, "response": response, "matchingRules": rules},
                             {"description": "m", "type": "Asynchronous/Messages", "contents": rules}],
            "metadata": {"pactSpecification": {"version": version}}
        });
        if let Ok(p) = seam_pact::read_pact_str("fuzz.json", &doc.to_string()) {
            let _ = seam_pact::check_examples("fuzz.json", &p);
            for v in [seam_pact::SpecVersion::V3, seam_pact::SpecVersion::V4] {
                if let Ok(out) = p.to_json(v) {
                    // what we write, we read back
                    prop_assert!(seam_pact::read_pact_str("out.json", &out.to_string()).is_ok());
                }
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[ -~\\n]{0,200}") {
        let _ = seam_pact::read_pact_str("text.json", &text);
    }
}

const SEEDS: &[&str] = &[
    r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
  "interactions": [{"description": "fetch", "providerState": "order 1 exists",
    "request": {"method": "GET", "path": "/orders/1", "query": "a=1&b=2", "headers": {"Accept": "application/json"}},
    "response": {"status": 200, "headers": {"Content-Type": "application/json"},
      "body": {"id": 1, "items": [{"sku": "A-1"}], "at": "2026-11-24"},
      "matchingRules": {"$.body.id": {"match": "type"}, "$.body.items": {"min": 1}, "$.body.at": {"regex": "\\d{4}-\\d{2}-\\d{2}"}}}}],
  "metadata": {"pactSpecification": {"version": "2.0.0"}}}"#,
    r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
  "interactions": [{"type": "Synchronous/HTTP", "key": "k1", "description": "create", "pending": false,
    "providerStates": [{"name": "empty", "params": {"n": 1}}],
    "request": {"method": "POST", "path": "/orders", "body": {"content": {"sku": "A-1"}, "contentType": "application/json", "encoded": false},
      "matchingRules": {"body": {"$.sku": {"combine": "AND", "matchers": [{"match": "regex", "regex": "[A-Z]-\\d+"}]}}}},
    "response": {"status": 201, "body": {"content": "eyJpZCI6MX0=", "contentType": "application/json", "encoded": "base64"},
      "generators": {"body": {"$.id": {"type": "RandomInt", "min": 1, "max": 9}}}}},
   {"type": "Asynchronous/Messages", "description": "paid", "contents": {"content": {"id": 1}}, "metadata": {"topic": "t"}}],
  "metadata": {"pactSpecification": {"version": "4.0"}}}"#,
];

proptest! {
    #![proptest_config(seam_testkit::mutate::config("tests/regressions/pact_files.txt"))]

    #[test]
    fn malformed_pact_files_are_rejected_with_a_place(doc in seam_testkit::mutate::mutated(SEEDS)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web-orders.json");
        std::fs::write(&path, &doc).unwrap();
        if let Err(e) = seam_pact::read_pact_file(&path) {
            seam_testkit::mutate::assert_placed(&e.to_string(), &path.display().to_string());
        }
    }
}

#[test]
fn the_seeds_read() {
    for seed in SEEDS {
        seam_pact::read_pact_str("seed.json", seed).unwrap();
    }
}
