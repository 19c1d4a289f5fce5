//! The editor JSON Schema (docs/suite.schema.json) is generated from the suite
//! types: this test fails when it is stale (`SEAM_UPDATE_SCHEMA=1` rewrites it),
//! and checks that it accepts a real suite and rejects a misspelt key.

use seam_matchers::StringMatcher;
use serde_json::json;
use std::path::Path;

#[test]
fn the_committed_schema_is_current_and_useful() {
    let schema = seam_suite::model::json_schema();
    let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/suite.schema.json");
    if std::env::var_os("SEAM_UPDATE_SCHEMA").is_some() {
        std::fs::write(&file, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(committed == text, "docs/suite.schema.json is stale: run SEAM_UPDATE_SCHEMA=1 cargo test -p seam-suite --test schema");

    let validator =
        StringMatcher::from_wiremock_json(&json!({"matchesJsonSchema": schema})).unwrap();
    let suite = json!({
        "baseUrl": "http://localhost", "secrets": ["T"],
        "tests": [{"name": "t", "matrix": {"rows": [{"a": 1}]},
                   "steps": [{"request": {"path": "/x", "auth": {"bearer": "{{T}}"}},
                              "capture": {"id": {"jsonpath": "$.id"}}, "retry": {"times": 2},
                              "assert": {"status": 200, "json": [{"path": "$.id", "type": "integer"}]}}]}]
    });
    assert!(
        validator.check(Some(&suite.to_string())).is_ok(),
        "{:?}",
        validator.check(Some(&suite.to_string()))
    );
    let typo =
        json!({"tests": [{"name": "t", "steps": [{"request": {"path": "/x"}, "asert": {}}]}]});
    assert!(
        validator.check(Some(&typo.to_string())).is_err(),
        "unknown keys are flagged"
    );
}
