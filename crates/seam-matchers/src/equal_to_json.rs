//! `equalToJson`: JsonUnit-style comparison as WireMock configures it (array
//! order and extra elements optionally ignored, numbers equal by value), with
//! JsonUnit placeholders (`${json-unit.any-string}`, `${json-unit.regex}...`).
//! Plain equality goes through the seam-core engine.

use crate::text::{child_path, describe_json, quote};
use crate::{MatcherError, Parsed};
use seam_core::matching::{brief, match_json, BodyMode, Part};
use seam_core::path::DocPath;
use seam_core::regexp::{anchored, Dot};
use seam_core::rules::RuleSet;
use serde_json::{Map, Value};

#[derive(Clone, Copy)]
pub(crate) struct JsonOptions {
    pub(crate) ignore_order: bool,
    pub(crate) ignore_extra: bool,
}

/// A JsonUnit placeholder in an expected string.
enum Placeholder<'a> {
    Ignore,
    IgnoreElement,
    AnyString,
    AnyNumber,
    AnyBoolean,
    Regex(&'a str),
}

fn placeholder(s: &str) -> Option<Placeholder<'_>> {
    let rest = s
        .strip_prefix("${json-unit.")
        .or_else(|| s.strip_prefix("#{json-unit."))?;
    if let Some(re) = rest.strip_prefix("regex}") {
        return Some(Placeholder::Regex(re));
    }
    Some(match rest {
        "ignore}" => Placeholder::Ignore,
        "ignore-element}" => Placeholder::IgnoreElement,
        "any-string}" => Placeholder::AnyString,
        "any-number}" => Placeholder::AnyNumber,
        "any-boolean}" => Placeholder::AnyBoolean,
        _ => return None,
    })
}

fn has_placeholders(v: &Value) -> bool {
    match v {
        Value::String(s) => placeholder(s).is_some(),
        Value::Array(items) => items.iter().any(has_placeholders),
        Value::Object(m) => m.values().any(has_placeholders),
        _ => false,
    }
}

/// Validates `${json-unit.regex}` patterns and rejects placeholders seam does
/// not know (`${json-unit.matches:...}` needs Java code).
pub(crate) fn check_placeholders(v: &Value, path: &str) -> Parsed<()> {
    match v {
        Value::String(s) => {
            if let Some(Placeholder::Regex(re)) = placeholder(s) {
                anchored(re, Dot::All).map_err(|e| MatcherError::new(path, e))?;
            } else if s.starts_with("${json-unit.matches:") {
                return Err(MatcherError::new(
                    path,
                    format!("the placeholder `{s}` needs a custom JsonUnit matcher; not supported"),
                ));
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_placeholders(item, &format!("{path}[{i}]"))),
        Value::Object(m) => m
            .iter()
            .try_for_each(|(k, item)| check_placeholders(item, &child_path(path, k))),
        _ => Ok(()),
    }
}

pub(crate) fn check_equal_json(
    expected: &Value,
    opts: JsonOptions,
    actual: Option<&str>,
) -> Result<(), String> {
    let Some(text) = actual else {
        return Err(format!(
            "expected JSON equal to {} but it was absent",
            brief(expected)
        ));
    };
    let actual = crate::parsed_json::parse(text).map_err(|e| {
        format!(
            "expected JSON but the value is not valid JSON ({e}): {}",
            quote(text)
        )
    })?;
    if !opts.ignore_order && !opts.ignore_extra && !has_placeholders(expected) {
        return strict_json(expected, &actual);
    }
    match (JsonDiff { opts }).diff(&Trail::Root, expected, &actual) {
        None => Ok(()),
        Some((path, reason)) => Err(format!("JSON differs at {path}: {reason}")),
    }
}

/// Plain equality through the seam-core engine (requests reject extra keys).
fn strict_json(expected: &Value, actual: &Value) -> Result<(), String> {
    let mismatches = match_json(
        expected,
        actual,
        &RuleSet::default(),
        BodyMode::Request,
        Part::Body,
    );
    let Some(first) = mismatches.first() else {
        return Ok(());
    };
    let more = match mismatches.len() - 1 {
        0 => String::new(),
        n => format!(" (and {n} more difference(s))"),
    };
    Err(format!(
        "JSON differs at {}: {}{more}",
        first.path, first.reason
    ))
}

/// Numbers equal by value (`1` equals `1.0`, as WireMock's normalised
/// comparator).
fn json_scalars_equal(e: &Value, a: &Value) -> bool {
    match (e, a) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        _ => e == a,
    }
}

/// JsonUnit-style comparison with WireMock's options and placeholders; the first
/// difference wins.
struct JsonDiff {
    opts: JsonOptions,
}

type Difference = Option<(String, String)>;

/// Where the comparison is, kept on the stack: the path is written out only
/// for the difference reported.
enum Trail<'a> {
    Root,
    Field(&'a Trail<'a>, &'a str),
    Index(&'a Trail<'a>, usize),
}

impl Trail<'_> {
    fn to_path(&self) -> DocPath {
        match self {
            Trail::Root => DocPath::root(),
            Trail::Field(parent, k) => parent.to_path().field(k),
            Trail::Index(parent, i) => parent.to_path().index(*i),
        }
    }

    /// `$.items[1].qty`
    fn shown(&self) -> String {
        self.to_path().to_string()
    }
}

impl JsonDiff {
    fn diff(&self, path: &Trail<'_>, e: &Value, a: &Value) -> Difference {
        if let Value::String(s) = e {
            if let Some(p) = placeholder(s) {
                return check_placeholder(&p, a).err().map(|r| (path.shown(), r));
            }
        }
        match (e, a) {
            (Value::Object(e), Value::Object(a)) => self.diff_objects(path, e, a),
            (Value::Array(e), Value::Array(a)) if self.opts.ignore_order => {
                self.diff_unordered(path, e, a)
            }
            (Value::Array(e), Value::Array(a)) => self.diff_ordered(path, e, a),
            _ if seam_core::matching::type_name(e) != seam_core::matching::type_name(a) => Some((
                path.shown(),
                format!("expected {} but was {}", describe_json(e), describe_json(a)),
            )),
            _ if json_scalars_equal(e, a) => None,
            _ => Some((
                path.shown(),
                format!("expected {} but was {}", brief(e), brief(a)),
            )),
        }
    }

    fn diff_objects(
        &self,
        path: &Trail<'_>,
        e: &Map<String, Value>,
        a: &Map<String, Value>,
    ) -> Difference {
        for (k, ev) in e {
            match crate::parsed_json::member(a, k) {
                Some(av) => {
                    if let Some(d) = self.diff(&Trail::Field(path, k), ev, av) {
                        return Some(d);
                    }
                }
                None if is_ignore_element(ev) => {}
                None => {
                    return Some((
                        Trail::Field(path, k).shown(),
                        format!("expected key '{k}' but it was missing"),
                    ))
                }
            }
        }
        if self.opts.ignore_extra {
            return None;
        }
        a.keys()
            .find(|k| crate::parsed_json::member(e, k).is_none())
            .map(|k| {
                (
                    Trail::Field(path, k).shown(),
                    format!("unexpected key '{k}'"),
                )
            })
    }

    fn length_difference(&self, path: &Trail<'_>, e: usize, a: usize) -> Difference {
        let ok = e == a || (self.opts.ignore_extra && e < a);
        (!ok).then(|| {
            (
                path.shown(),
                format!("expected an array of {e} item(s) but it has {a}"),
            )
        })
    }

    fn diff_ordered(&self, path: &Trail<'_>, e: &[Value], a: &[Value]) -> Difference {
        if let Some(d) = self.length_difference(path, e.len(), a.len()) {
            return Some(d);
        }
        e.iter()
            .zip(a)
            .enumerate()
            .find_map(|(i, (ev, av))| self.diff(&Trail::Index(path, i), ev, av))
    }

    /// Pairs every expected item with a distinct actual item (a bipartite
    /// matching, so the pairing order never causes a false mismatch).
    fn diff_unordered(&self, path: &Trail<'_>, e: &[Value], a: &[Value]) -> Difference {
        if let Some(d) = self.length_difference(path, e.len(), a.len()) {
            return Some(d);
        }
        let fits: Vec<Vec<usize>> = e
            .iter()
            .enumerate()
            .map(|(i, ev)| {
                (0..a.len())
                    .filter(|&j| self.diff(&Trail::Index(path, i), ev, &a[j]).is_none())
                    .collect()
            })
            .collect();
        let mut owner: Vec<Option<usize>> = vec![None; a.len()];
        for (i, item) in e.iter().enumerate() {
            let mut seen = vec![false; a.len()];
            if !augment(i, &fits, &mut owner, &mut seen) {
                return Some((
                    path.shown(),
                    format!(
                        "no item matches expected item [{i}] {} (array order ignored)",
                        brief(item)
                    ),
                ));
            }
        }
        None
    }
}

/// Kuhn's augmenting path step.
fn augment(i: usize, fits: &[Vec<usize>], owner: &mut [Option<usize>], seen: &mut [bool]) -> bool {
    for &j in &fits[i] {
        if seen[j] {
            continue;
        }
        seen[j] = true;
        if owner[j].is_none_or(|other| augment(other, fits, owner, seen)) {
            owner[j] = Some(i);
            return true;
        }
    }
    false
}

fn is_ignore_element(v: &Value) -> bool {
    matches!(v, Value::String(s) if matches!(placeholder(s), Some(Placeholder::IgnoreElement)))
}

fn check_placeholder(p: &Placeholder<'_>, a: &Value) -> Result<(), String> {
    let ok = match p {
        Placeholder::Ignore | Placeholder::IgnoreElement => true,
        Placeholder::AnyString => a.is_string(),
        Placeholder::AnyNumber => a.is_number(),
        Placeholder::AnyBoolean => a.is_boolean(),
        Placeholder::Regex(re) => {
            let re = anchored(re, Dot::All)?;
            a.as_str().is_some_and(|s| re.is_match(s))
        }
    };
    if ok {
        return Ok(());
    }
    let wanted = match p {
        Placeholder::AnyString => "any string".to_string(),
        Placeholder::AnyNumber => "any number".to_string(),
        Placeholder::AnyBoolean => "any boolean".to_string(),
        Placeholder::Regex(re) => format!("a string matching `{re}`"),
        _ => String::new(),
    };
    Err(format!("expected {wanted} but was {}", describe_json(a)))
}

#[cfg(test)]
mod tests {
    use crate::test_support::{check_table, m};
    use serde_json::{json, Value};

    fn table() -> Vec<(Value, Option<&'static str>, bool)> {
        vec![
            // equalToJson
            (
                json!({"equalToJson": {"a": 1, "b": [1, 2]}}),
                Some(r#"{"b": [1, 2], "a": 1.0}"#),
                true,
            ),
            (
                json!({"equalToJson": "{\"a\": 1}"}),
                Some(r#"{"a": 1}"#),
                true,
            ),
            (
                json!({"equalToJson": {"a": 1}}),
                Some(r#"{"a": 1, "b": 2}"#),
                false,
            ),
            (
                json!({"equalToJson": {"a": 1}, "ignoreExtraElements": true}),
                Some(r#"{"a": 1, "b": 2}"#),
                true,
            ),
            (json!({"equalToJson": [1, 2]}), Some("[2, 1]"), false),
            (
                json!({"equalToJson": [1, 2], "ignoreArrayOrder": true}),
                Some("[2, 1]"),
                true,
            ),
            (
                json!({"equalToJson": [1, 2], "ignoreArrayOrder": true}),
                Some("[2, 1, 3]"),
                false,
            ),
            (
                json!({"equalToJson": [1, 2], "ignoreArrayOrder": true, "ignoreExtraElements": true}),
                Some("[3, 2, 1]"),
                true,
            ),
            (
                json!({"equalToJson": [1, 2], "ignoreExtraElements": true}),
                Some("[1, 2, 3]"),
                true,
            ),
            (
                json!({"equalToJson": [1, 2], "ignoreExtraElements": true}),
                Some("[2, 1, 3]"),
                false,
            ),
            (
                json!({"equalToJson": [{"a": 1}, {"a": 1, "b": 2}], "ignoreArrayOrder": true, "ignoreExtraElements": true}),
                Some(r#"[{"a": 1, "b": 2}, {"a": 1, "c": 3}]"#),
                true,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.any-string}", "n": "${json-unit.any-number}"}}),
                Some(r#"{"id": "x", "n": 2}"#),
                true,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.any-string}"}}),
                Some(r#"{"id": 5}"#),
                false,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.regex}[a-z]+"}}),
                Some(r#"{"id": "abc"}"#),
                true,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.regex}[a-z]+"}}),
                Some(r#"{"id": "abc1"}"#),
                false,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.ignore}", "a": 1}}),
                Some(r#"{"id": [1], "a": 1}"#),
                true,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.ignore}"}}),
                Some(r#"{}"#),
                false,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.ignore-element}"}}),
                Some(r#"{}"#),
                true,
            ),
            (json!({"equalToJson": {"a": 1}}), Some("not json"), false),
            (json!({"equalToJson": {"a": 1}}), None, false),
        ]
    }

    #[test]
    fn behaves_as_wiremock() {
        check_table(table());
    }

    #[test]
    fn reasons_name_the_first_difference() {
        let reason = |spec: Value, actual: Option<&str>| m(spec).check(actual).unwrap_err();
        assert_eq!(
            reason(
                json!({"equalToJson": {"items": [{"qty": 1}, {"qty": 2}]}}),
                Some(r#"{"items": [{"qty": 1}, {"qty": 3}]}"#)
            ),
            "JSON differs at $.items[1].qty: expected 2 but was 3"
        );
        assert_eq!(
            reason(
                json!({"equalToJson": {"a": 1}, "ignoreExtraElements": true}),
                Some(r#"{"a": "1", "b": 2}"#)
            ),
            "JSON differs at $.a: expected number 1 but was string \"1\""
        );
        assert_eq!(
            reason(
                json!({"equalToJson": [1, 2], "ignoreArrayOrder": true}),
                Some("[1, 3]")
            ),
            "JSON differs at $: no item matches expected item [1] 2 (array order ignored)"
        );
    }
}
