//! Why a verification failed, from the test results the verifier
//! published: each failing interaction (with its provider states, from the
//! pact) and each field that did not match. Reads the Rust verifier's
//! results (a list with `mismatches`), the Ruby verifier's (an object with
//! `tests`) and seam's own; anything else gives no detail, never an error.

use serde_json::{json, Value};

/// The provider states of the pact's interaction named `description`.
fn states_of(pact: &Value, description: &str) -> Vec<String> {
    let interactions = pact
        .get("interactions")
        .or_else(|| pact.get("messages"))
        .and_then(Value::as_array);
    interactions
        .into_iter()
        .flatten()
        .find(|i| i["description"] == description)
        .map(crate::history::provider_states)
        .unwrap_or_default()
}

/// One mismatch as `{field, reason}`.
fn mismatch(m: &Value) -> Value {
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| m.get(*k).and_then(Value::as_str))
            .unwrap_or_default()
            .to_string()
    };
    let attribute = text(&["attribute", "type"]);
    let place = text(&["identifier", "path", "key"]);
    let field = match (attribute.is_empty(), place.is_empty()) {
        (false, false) => format!("{attribute} {place}"),
        (false, true) => attribute,
        (true, false) => place,
        (true, true) => "the response".to_string(),
    };
    json!({"field": field, "reason": text(&["description", "message", "mismatch"])})
}

/// The failing interactions in `test_results`, each `{interaction,
/// providerStates, mismatches: [{field, reason}]}`.
pub fn blockers(test_results: &Value, pact_content: &str) -> Vec<Value> {
    let pact: Value = serde_json::from_str(pact_content).unwrap_or(Value::Null);
    let tests: Vec<&Value> = match test_results {
        Value::Array(list) => list.iter().collect(),
        Value::Object(m) => m
            .get("tests")
            .and_then(Value::as_array)
            .map(|l| l.iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    tests
        .into_iter()
        .filter(|t| {
            t.get("success") == Some(&Value::Bool(false))
                || t.get("status").and_then(Value::as_str) == Some("failed")
        })
        .map(|t| {
            let description = ["interactionDescription", "testDescription", "description"]
                .iter()
                .find_map(|k| t.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()))
                .unwrap_or("(an interaction the results do not name)")
                .to_string();
            let mut mismatches: Vec<Value> = t
                .get("mismatches")
                .and_then(Value::as_array)
                .map(|l| l.iter().map(mismatch).collect())
                .unwrap_or_default();
            if mismatches.is_empty() {
                if let Some(message) = t["exception"]["message"].as_str() {
                    mismatches.push(json!({"field": "the interaction", "reason": message}));
                }
            }
            json!({
                "interaction": description,
                "providerStates": states_of(&pact, &description),
                "mismatches": mismatches,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACT: &str =
        r#"{"interactions": [{"description": "an order", "providerState": "order 1 exists"}]}"#;

    #[test]
    fn the_rust_verifiers_results_name_the_field() {
        let results = json!([
            {"interactionDescription": "an order", "success": false, "mismatches": [
                {"attribute": "body", "identifier": "$.id", "description": "Expected '1' (String) to be equal to 1 (Integer)"}
            ]},
            {"interactionDescription": "no order", "success": true}
        ]);
        let b = blockers(&results, PACT);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0]["interaction"], "an order");
        assert_eq!(b[0]["providerStates"], json!(["order 1 exists"]));
        assert_eq!(b[0]["mismatches"][0]["field"], "body $.id");
    }

    #[test]
    fn the_ruby_verifiers_results_and_odd_shapes() {
        let results = json!({"tests": [
            {"testDescription": "an order", "status": "failed", "exception": {"message": "expected 200, got 500"}},
            {"testDescription": "x", "status": "passed"}
        ]});
        let b = blockers(&results, PACT);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0]["mismatches"][0]["reason"], "expected 200, got 500");
        assert!(blockers(&json!("text"), "not json").is_empty());
    }
}
