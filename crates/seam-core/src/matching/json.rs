//! Structural comparison of JSON documents under a rule set.

use super::value::{check_rule_list, type_name, values_equal};
use super::{brief, Mismatch, Part};
use crate::path::{DocPath, Segment};
use crate::rule_index::RuleCursor;
use crate::rules::{MatchingRule, RuleList, RuleSet};
use serde_json::Value;
use std::borrow::Cow;

/// Whether unexpected object keys are allowed: requests reject them (a consumer
/// must send what it promised), responses and messages accept them (Postel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyMode {
    /// Unexpected keys are mismatches (request bodies).
    Request,
    /// Unexpected keys are allowed (response bodies and messages).
    Response,
}

struct Walker {
    mode: BodyMode,
    part: Part,
    out: Vec<Mismatch>,
}

/// Compares two JSON documents; mismatches are reported against `part`.
pub fn match_json(
    expected: &Value,
    actual: &Value,
    rules: &RuleSet,
    mode: BodyMode,
    part: Part,
) -> Vec<Mismatch> {
    let mut w = Walker {
        mode,
        part,
        out: Vec::new(),
    };
    w.compare(&DocPath::root(), &RuleCursor::root(rules), expected, actual);
    w.out
}

/// Rules that describe the node they are attached to and must not cascade to
/// its descendants.
pub(crate) fn is_structural(r: &MatchingRule) -> bool {
    matches!(
        r,
        MatchingRule::Values
            | MatchingRule::EachKey(_)
            | MatchingRule::EachValue(_)
            | MatchingRule::ArrayContains(_)
    )
}

/// The rules in force at a location: the heaviest expression naming it; when an
/// ancestor's expression weighs more, the ancestor's rules that cascade.
pub(crate) fn rules_at<'a>(cursor: &RuleCursor<'a>) -> Option<Cow<'a, RuleList>> {
    let inherited = cursor.inherited();
    if let Some((we, exact)) = cursor.exact() {
        match inherited {
            Some((wi, list)) if wi > we && !list.rules.iter().all(is_structural) => {}
            _ => return Some(Cow::Borrowed(exact)),
        }
    }
    let (_, list) = inherited?;
    cascade(list)
}

/// What an ancestor's rules say about a descendant: structural rules describe
/// only their own node, and a type rule's `min`/`max` only its own array (a
/// nested array under `$.parent` with `min: 2` may have one item, as pact-jvm
/// (#396) and pact-reference read it); the type itself cascades.
pub(crate) fn cascade(list: &RuleList) -> Option<Cow<'_, RuleList>> {
    let changes = |r: &MatchingRule| is_structural(r) || r.length_bounds() != (None, None);
    if !list.rules.iter().any(changes) {
        return Some(Cow::Borrowed(list));
    }
    let kept: Vec<MatchingRule> = list
        .rules
        .iter()
        .filter(|r| !is_structural(r))
        .map(|r| match r.length_bounds() {
            (None, None) => r.clone(),
            _ => MatchingRule::Type,
        })
        .collect();
    (!kept.is_empty()).then(|| {
        Cow::Owned(RuleList {
            rules: kept,
            logic: list.logic,
        })
    })
}

impl Walker {
    fn push(&mut self, path: &DocPath, expected: &Value, actual: &Value, reason: String) {
        self.push_sides(path, Some(expected), Some(actual), reason);
    }

    /// A mismatch where one side may be absent (`None`).
    fn push_sides(
        &mut self,
        path: &DocPath,
        expected: Option<&Value>,
        actual: Option<&Value>,
        reason: String,
    ) {
        self.out.push(Mismatch::new(
            self.part,
            path.to_string(),
            expected.cloned(),
            actual.cloned(),
            reason,
        ));
    }

    fn compare(&mut self, path: &DocPath, cursor: &RuleCursor, expected: &Value, actual: &Value) {
        match rules_at(cursor) {
            Some(list) => self.compare_with_rules(path, cursor, expected, actual, &list),
            None => self.compare_plain(path, cursor, expected, actual),
        }
    }

    /// Compares the child at `key` of two objects.
    fn compare_field(
        &mut self,
        path: &DocPath,
        cursor: &RuleCursor,
        key: &str,
        e: &Value,
        a: &Value,
    ) {
        let child = cursor.child(&Segment::Field(key.to_string()));
        self.compare(&path.field(key), &child, e, a);
    }

    /// Compares the item at `i` of two arrays.
    fn compare_item(
        &mut self,
        path: &DocPath,
        cursor: &RuleCursor,
        i: usize,
        e: &Value,
        a: &Value,
    ) {
        self.compare(&path.index(i), &cursor.child(&Segment::Index(i)), e, a);
    }

    fn compare_plain(
        &mut self,
        path: &DocPath,
        cursor: &RuleCursor,
        expected: &Value,
        actual: &Value,
    ) {
        match (expected, actual) {
            (Value::Object(e), Value::Object(a)) => self.compare_objects(path, cursor, e, a),
            (Value::Array(e), Value::Array(a)) => self.compare_plain_array(path, cursor, e, a),
            _ if type_name(expected) != type_name(actual) => self.push(
                path,
                expected,
                actual,
                format!(
                    "expected {} ({}) but was {} ({})",
                    type_name(expected),
                    brief(expected),
                    type_name(actual),
                    brief(actual)
                ),
            ),
            _ if values_equal(expected, actual) => {}
            _ => self.push(
                path,
                expected,
                actual,
                format!("expected {} but was {}", brief(expected), brief(actual)),
            ),
        }
    }

    fn compare_with_rules(
        &mut self,
        path: &DocPath,
        cursor: &RuleCursor,
        expected: &Value,
        actual: &Value,
        list: &RuleList,
    ) {
        if let Err(reason) = check_rule_list(list, expected, actual) {
            self.push(path, expected, actual, reason);
            // Containers of the wrong type cannot be walked further.
            if type_name(expected) != type_name(actual) {
                return;
            }
        }
        match (expected, actual) {
            (Value::Object(e), Value::Object(a)) => {
                if let Some(each_value) = list.rules.iter().find_map(|r| match r {
                    MatchingRule::EachValue(l) => Some(l),
                    _ => None,
                }) {
                    for (k, av) in a {
                        let template = e.get(k).or_else(|| e.values().next()).unwrap_or(av);
                        self.compare_each_value(
                            path,
                            cursor,
                            Segment::Field(k.clone()),
                            template,
                            av,
                            each_value,
                        );
                    }
                    return;
                }
                let ignore_keys = list
                    .rules
                    .iter()
                    .any(|r| matches!(r, MatchingRule::Values | MatchingRule::EachKey(_)));
                if ignore_keys {
                    // keys are free; each value is compared with the example of the same
                    // key, or the first example
                    for (k, av) in a {
                        if let Some(template) = e.get(k).or_else(|| e.values().next()) {
                            self.compare_field(path, cursor, k, template, av);
                        }
                    }
                } else {
                    self.compare_objects(path, cursor, e, a);
                }
            }
            (Value::Array(e), Value::Array(a)) => {
                if let Some(variants) = list.rules.iter().find_map(|r| match r {
                    MatchingRule::ArrayContains(v) => Some(v),
                    _ => None,
                }) {
                    self.compare_array_contains(path, e, a, variants);
                    return;
                }
                if let Some(each_value) = list.rules.iter().find_map(|r| match r {
                    MatchingRule::EachValue(l) => Some(l),
                    _ => None,
                }) {
                    for (i, av) in a.iter().enumerate() {
                        let template = e.get(i).or_else(|| e.first()).unwrap_or(av);
                        self.compare_each_value(
                            path,
                            cursor,
                            Segment::Index(i),
                            template,
                            av,
                            each_value,
                        );
                    }
                    return;
                }
                let by_example = list.rules.iter().any(|r| {
                    r.is_type_like() || matches!(r, MatchingRule::NotEmpty | MatchingRule::Values)
                });
                if by_example {
                    // any length (bounds were checked by the rule); every item is
                    // compared with the example at its index, or the first example
                    if let Some(first) = e.first() {
                        for (i, av) in a.iter().enumerate() {
                            self.compare_item(path, cursor, i, e.get(i).unwrap_or(first), av);
                        }
                    }
                } else {
                    self.compare_plain_array(path, cursor, e, a);
                }
            }
            _ => {}
        }
    }

    fn compare_plain_array(
        &mut self,
        path: &DocPath,
        cursor: &RuleCursor,
        e: &[Value],
        a: &[Value],
    ) {
        if e.len() != a.len() {
            self.push(
                path,
                &Value::Array(e.to_vec()),
                &Value::Array(a.to_vec()),
                format!(
                    "expected an array of {} item(s) but it has {}",
                    e.len(),
                    a.len()
                ),
            );
        }
        for (i, (ev, av)) in e.iter().zip(a).enumerate() {
            self.compare_item(path, cursor, i, ev, av);
        }
    }

    fn compare_each_value(
        &mut self,
        parent: &DocPath,
        cursor: &RuleCursor,
        seg: Segment,
        template: &Value,
        actual: &Value,
        list: &RuleList,
    ) {
        let path = match &seg {
            Segment::Field(k) => parent.field(k),
            Segment::Index(i) => parent.index(*i),
        };
        if let Err(reason) = check_rule_list(list, template, actual) {
            self.push(&path, template, actual, reason);
        } else if matches!(actual, Value::Object(_) | Value::Array(_)) {
            self.compare(&path, &cursor.child(&seg), template, actual);
        }
    }

    fn compare_objects(
        &mut self,
        path: &DocPath,
        cursor: &RuleCursor,
        e: &serde_json::Map<String, Value>,
        a: &serde_json::Map<String, Value>,
    ) {
        for (k, ev) in e {
            match a.get(k) {
                Some(av) => self.compare_field(path, cursor, k, ev, av),
                None => self.push_sides(
                    &path.field(k),
                    Some(ev),
                    None,
                    format!("expected key '{k}' but it was missing"),
                ),
            }
        }
        if self.mode == BodyMode::Request {
            for (k, av) in a {
                if !e.contains_key(k) {
                    self.push_sides(
                        &path.field(k),
                        None,
                        Some(av),
                        format!("unexpected key '{k}'"),
                    );
                }
            }
        }
    }

    fn compare_array_contains(
        &mut self,
        path: &DocPath,
        e: &[Value],
        a: &[Value],
        variants: &[crate::rules::ArrayVariant],
    ) {
        for v in variants {
            let Some(example) = e.get(v.index) else {
                self.push(
                    path,
                    &Value::Array(e.to_vec()),
                    &Value::Array(a.to_vec()),
                    format!("arrayContains variant {} has no example item", v.index),
                );
                continue;
            };
            let found = a
                .iter()
                .any(|item| match_json(example, item, &v.rules, self.mode, self.part).is_empty());
            if !found {
                self.push(
                    path,
                    example,
                    &Value::Array(a.to_vec()),
                    format!(
                        "expected the array to contain an item matching {} (variant {})",
                        brief(example),
                        v.index
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(v: Value) -> RuleSet {
        RuleSet::from_v3_json(&v).unwrap()
    }

    fn paths(m: &[Mismatch]) -> Vec<String> {
        m.iter().map(|m| m.path.clone()).collect()
    }

    #[test]
    fn pinpoints_the_field() {
        let e = json!({"items": [{"price": 1}, {"price": 2}, {"price": 3}]});
        let a = json!({"items": [{"price": 1}, {"price": 2}, {"price": "3"}]});
        let m = match_json(&e, &a, &RuleSet::default(), BodyMode::Response, Part::Body);
        assert_eq!(paths(&m), ["$.items[2].price"]);
        assert_eq!(m[0].expected, Some(json!(3)));
        assert_eq!(m[0].actual, Some(json!("3")));
        assert!(m[0].reason.contains("expected number"), "{}", m[0].reason);
    }

    #[test]
    fn requests_reject_extra_keys_responses_allow_them() {
        let e = json!({"a": 1});
        let a = json!({"a": 1, "b": 2});
        assert_eq!(
            paths(&match_json(
                &e,
                &a,
                &RuleSet::default(),
                BodyMode::Request,
                Part::Body
            )),
            ["$.b"]
        );
        assert!(match_json(&e, &a, &RuleSet::default(), BodyMode::Response, Part::Body).is_empty());
    }

    #[test]
    fn type_rules_cascade_and_arrays_follow_the_example() {
        let r = rules(json!({"$.animals": {"matchers": [{"match": "type", "min": 1}]}}));
        let e = json!({"animals": [{"name": "Fred", "age": 3}]});
        let ok = json!({"animals": [{"name": "Mary", "age": 1}, {"name": "Sue", "age": 9}]});
        assert!(match_json(&e, &ok, &r, BodyMode::Response, Part::Body).is_empty());
        let bad = json!({"animals": [{"name": "Mary", "age": "1"}]});
        assert_eq!(
            paths(&match_json(&e, &bad, &r, BodyMode::Response, Part::Body)),
            ["$.animals[0].age"]
        );
        let empty = json!({"animals": []});
        assert_eq!(
            paths(&match_json(&e, &empty, &r, BodyMode::Response, Part::Body)),
            ["$.animals"]
        );
    }

    /// pact-jvm #396: `min` on an outer array bounds that array only; nested
    /// arrays follow the type, any length.
    #[test]
    fn min_on_an_outer_array_does_not_bound_nested_arrays() {
        let r = rules(json!({"$.parent": {"matchers": [{"match": "type", "min": 2}]}}));
        let e = json!({"parent": [{"child": ["a"]}, {"child": ["a"]}]});
        assert_eq!(
            match_json(&e, &e, &r, BodyMode::Response, Part::Body),
            vec![]
        );
        let ok = json!({"parent": [{"child": ["b", "c", "d"]}, {"child": []}, {"child": ["e"]}]});
        assert_eq!(
            match_json(&e, &ok, &r, BodyMode::Response, Part::Body),
            vec![]
        );
        // the outer bound holds, and so does the type below it
        let short = json!({"parent": [{"child": ["a"]}]});
        assert_eq!(
            paths(&match_json(&e, &short, &r, BodyMode::Response, Part::Body)),
            ["$.parent"]
        );
        let wrong = json!({"parent": [{"child": [1]}, {"child": "a"}]});
        assert_eq!(
            paths(&match_json(&e, &wrong, &r, BodyMode::Response, Part::Body)),
            ["$.parent[0].child[0]", "$.parent[1].child"]
        );
        // a bound written on the nested array itself still holds
        let r = rules(
            json!({"$.parent": {"matchers": [{"match": "type", "min": 2}]},
            "$.parent[*].child": {"matchers": [{"match": "type", "max": 1}]}}),
        );
        assert_eq!(
            paths(&match_json(&e, &ok, &r, BodyMode::Response, Part::Body)),
            ["$.parent[0].child"]
        );
    }

    #[test]
    fn each_key_each_value_values_and_array_contains() {
        let r = rules(json!({
            "$.scores": {"matchers": [
                {"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}]},
                {"match": "eachValue", "rules": [{"match": "integer"}]}
            ]},
            "$.events": {"matchers": [{"match": "arrayContains", "variants": [
                {"index": 0, "rules": {"$.id": {"matchers": [{"match": "integer"}]}}},
                {"index": 1, "rules": {}}
            ]}]}
        }));
        let e = json!({"scores": {"ann": 1}, "events": [{"id": 1, "kind": "a"}, {"kind": "b"}]});
        let ok = json!({"scores": {"bob": 2, "cy": 3}, "events": [{"kind": "b"}, {"id": 99, "kind": "a"}, {"x": 1}]});
        assert_eq!(
            match_json(&e, &ok, &r, BodyMode::Response, Part::Body),
            vec![]
        );
        let bad = json!({"scores": {"b0b": 2, "cy": "3"}, "events": [{"id": 1, "kind": "a"}]});
        let m = match_json(&e, &bad, &r, BodyMode::Response, Part::Body);
        assert_eq!(paths(&m), ["$.scores", "$.scores.cy", "$.events"], "{m:#?}");
    }

    #[test]
    fn values_matcher_ignores_keys() {
        let r = rules(
            json!({"$.m": {"matchers": [{"match": "values"}]}, "$.m.*": {"matchers": [{"match": "type"}]}}),
        );
        let e = json!({"m": {"x": {"n": 1}}});
        let a = json!({"m": {"p": {"n": 5}, "q": {"n": 6}}});
        assert!(match_json(&e, &a, &r, BodyMode::Request, Part::Body).is_empty());
    }
}
