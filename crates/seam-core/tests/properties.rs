//! Property tests: any JSON value matches the rules generated from itself by type,
//! and so does any other value of the same shape; a value of another type does not.

use proptest::prelude::*;
use seam_core::matching::{match_json, BodyMode, Part};
use seam_core::rules::type_rules_for;
use serde_json::{json, Value};

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1.0e9f64..1.0e9).prop_map(|f| json!(f)),
        "[a-zA-Z0-9 _-]{0,12}".prop_map(Value::String),
    ]
}

fn document() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}( [a-z]{1,3})?", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A value of the same shape with different leaves of the same types.
fn same_shape(v: &Value, salt: u64) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(b ^ salt.is_multiple_of(2)),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!((salt as i64) % 1000),
        Value::Number(_) => json!(salt as f64 + 0.5),
        Value::String(s) => Value::String(format!("{s}{salt}")),
        Value::Array(a) => {
            // repeat the first item's shape, with more items than the example
            let mut out: Vec<Value> = a.iter().map(|x| same_shape(x, salt + 1)).collect();
            out.push(same_shape(&a[0], salt + 2));
            Value::Array(out)
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), same_shape(x, salt + 3)))
                .collect(),
        ),
    }
}

proptest! {
    #[test]
    fn a_value_matches_its_own_type_rules(v in document()) {
        let rules = type_rules_for(&v);
        for mode in [BodyMode::Request, BodyMode::Response] {
            let m = match_json(&v, &v, &rules, mode, Part::Body);
            prop_assert!(m.is_empty(), "{v} against itself: {m:?}");
        }
    }

    #[test]
    fn a_same_shaped_value_matches_the_type_rules(v in document(), salt in 1u64..1000) {
        let rules = type_rules_for(&v);
        let other = same_shape(&v, salt);
        let m = match_json(&v, &other, &rules, BodyMode::Response, Part::Body);
        prop_assert!(m.is_empty(), "{other} against {v}: {m:?}");
    }

    #[test]
    fn a_different_type_at_the_root_is_reported(v in document()) {
        let rules = type_rules_for(&v);
        let other = if v.is_string() { json!(1) } else { json!("x") };
        let m = match_json(&v, &other, &rules, BodyMode::Response, Part::Body);
        prop_assert!(!m.is_empty());
        prop_assert_eq!(m[0].path.as_str(), "$");
    }
}
