//! Applying one rule, or a rule list with AND/OR, to a single value.

use super::brief;
use crate::rules::{MatchingRule, RuleList, RuleLogic};
use serde_json::Value;

/// The name of a JSON value's type, as mismatch messages use it.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A scalar as text (for regex, include, dates); containers and null have none.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn numbers_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        _ => a == b,
    }
}

/// Plain equality, with numbers compared by value.
pub fn values_equal(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(_), Value::Number(_)) => numbers_equal(expected, actual),
        _ => expected == actual,
    }
}

/// Where a value came from: JSON keeps its types; text (headers, query, paths,
/// XML) is all strings, so numeric and boolean matchers parse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Json,
    Text,
}

/// Checks one rule against a JSON value. `Err` holds the reason.
pub fn check_rule(rule: &MatchingRule, expected: &Value, actual: &Value) -> Result<(), String> {
    check_rule_in(rule, expected, actual, Source::Json)
}

fn check_rule_in(
    rule: &MatchingRule,
    expected: &Value,
    actual: &Value,
    source: Source,
) -> Result<(), String> {
    let text = source == Source::Text;
    let fail = |why: String| Err(why);
    match rule {
        MatchingRule::Equality => {
            if values_equal(expected, actual) {
                Ok(())
            } else {
                fail(format!(
                    "expected {} but was {}",
                    brief(expected),
                    brief(actual)
                ))
            }
        }
        MatchingRule::Regex(p) => match scalar_text(actual) {
            _ if p.error().is_some() => fail(p.error().unwrap_or_default().to_string()),
            Some(t) if p.is_full_match(&t) => Ok(()),
            Some(t) => fail(format!("expected '{t}' to match '{}'", p.as_str())),
            None => fail(format!(
                "expected a value matching '{}' but was {}",
                p.as_str(),
                brief(actual)
            )),
        },
        MatchingRule::Type
        | MatchingRule::MinType(_)
        | MatchingRule::MaxType(_)
        | MatchingRule::MinMaxType(..) => {
            check_same_type(expected, actual)?;
            check_length(rule, actual)
        }
        MatchingRule::Include(s) => match scalar_text(actual) {
            Some(t) if t.contains(s.as_str()) => Ok(()),
            _ => fail(format!("expected {} to include '{s}'", brief(actual))),
        },
        MatchingRule::Integer => match actual {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
            Value::String(s) if text && s.parse::<i64>().is_ok() => Ok(()),
            _ => fail(format!("expected an integer but was {}", brief(actual))),
        },
        MatchingRule::Decimal => match actual {
            Value::Number(n) if n.is_f64() => Ok(()),
            Value::String(s) if text && s.contains('.') && s.parse::<f64>().is_ok() => Ok(()),
            _ => fail(format!(
                "expected a decimal number but was {}",
                brief(actual)
            )),
        },
        MatchingRule::Number => match actual {
            Value::Number(_) => Ok(()),
            Value::String(s) if text && s.parse::<f64>().is_ok() => Ok(()),
            _ => fail(format!("expected a number but was {}", brief(actual))),
        },
        MatchingRule::Boolean => match actual {
            Value::Bool(_) => Ok(()),
            Value::String(s) if text && (s == "true" || s == "false") => Ok(()),
            _ => fail(format!("expected a boolean but was {}", brief(actual))),
        },
        MatchingRule::Null => match actual {
            Value::Null => Ok(()),
            _ => fail(format!("expected null but was {}", brief(actual))),
        },
        MatchingRule::Date(f) | MatchingRule::Time(f) | MatchingRule::Timestamp(f) => {
            match actual {
                Value::String(s) => f.check(s),
                _ => fail(format!(
                    "expected a {} in format '{f}' but was {}",
                    rule.name(),
                    brief(actual)
                )),
            }
        }
        MatchingRule::ContentType(ct) => match actual {
            Value::String(s) => {
                let detected = super::body::sniff_content_type(s.as_bytes());
                if detected.eq_ignore_ascii_case(ct) {
                    Ok(())
                } else {
                    fail(format!(
                        "expected content of type '{ct}' but found '{detected}'"
                    ))
                }
            }
            _ => fail(format!(
                "expected content of type '{ct}' but was {}",
                brief(actual)
            )),
        },
        MatchingRule::Values | MatchingRule::ArrayContains(_) => match (expected, actual) {
            (Value::Object(_), Value::Object(_)) | (Value::Array(_), Value::Array(_)) => Ok(()),
            _ => check_same_type(expected, actual),
        },
        MatchingRule::EachKey(list) => match actual {
            Value::Object(m) => {
                let mut errors = Vec::new();
                for k in m.keys() {
                    let key = Value::String(k.clone());
                    if let Err(e) = check_rule_list(list, &key, &key) {
                        errors.push(format!("key '{k}': {e}"));
                    }
                }
                join(errors)
            }
            _ => fail(format!("expected an object but was {}", brief(actual))),
        },
        MatchingRule::EachValue(list) => match actual {
            Value::Object(_) | Value::Array(_) => Ok(()),
            _ => {
                let _ = list;
                fail(format!(
                    "expected an object or array but was {}",
                    brief(actual)
                ))
            }
        },
        MatchingRule::Semver => match actual {
            Value::String(s) if semver::Version::parse(s).is_ok() => Ok(()),
            _ => fail(format!(
                "expected a semantic version but was {}",
                brief(actual)
            )),
        },
        MatchingRule::NotEmpty => {
            let empty = match actual {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                _ => false,
            };
            if empty {
                fail(format!(
                    "expected a non-empty value but was {}",
                    brief(actual)
                ))
            } else {
                check_same_type(expected, actual)
            }
        }
        MatchingRule::StatusCode(class) => {
            let code = actual
                .as_u64()
                .or_else(|| actual.as_str().and_then(|s| s.parse().ok()));
            match code.and_then(|c| u16::try_from(c).ok()) {
                Some(c) if class.accepts(c) => Ok(()),
                _ => fail(format!(
                    "expected a status in {class:?} but was {}",
                    brief(actual)
                )),
            }
        }
    }
}

fn check_same_type(expected: &Value, actual: &Value) -> Result<(), String> {
    if type_name(expected) == type_name(actual) {
        Ok(())
    } else {
        Err(format!(
            "expected {} ({}) but was {} ({})",
            type_name(expected),
            brief(expected),
            type_name(actual),
            brief(actual)
        ))
    }
}

fn check_length(rule: &MatchingRule, actual: &Value) -> Result<(), String> {
    let len = match actual {
        Value::Array(a) => a.len(),
        _ => return Ok(()),
    };
    let (min, max) = rule.length_bounds();
    if let Some(min) = min {
        if len < min {
            return Err(format!(
                "expected an array with at least {min} item(s) but it has {len}"
            ));
        }
    }
    if let Some(max) = max {
        if len > max {
            return Err(format!(
                "expected an array with at most {max} item(s) but it has {len}"
            ));
        }
    }
    Ok(())
}

fn join(errors: Vec<String>) -> Result<(), String> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// Checks a rule list on JSON values: AND needs every rule, OR needs one.
pub fn check_rule_list(list: &RuleList, expected: &Value, actual: &Value) -> Result<(), String> {
    check_rule_list_in(list, expected, actual, Source::Json)
}

/// Checks a rule list on text (headers, query, path, XML, metadata strings).
pub fn check_text_rule_list(list: &RuleList, expected: &str, actual: &str) -> Result<(), String> {
    check_rule_list_in(
        list,
        &Value::String(expected.to_string()),
        &Value::String(actual.to_string()),
        Source::Text,
    )
}

fn check_rule_list_in(
    list: &RuleList,
    expected: &Value,
    actual: &Value,
    source: Source,
) -> Result<(), String> {
    let mut errors = Vec::new();
    for rule in &list.rules {
        match check_rule_in(rule, expected, actual, source) {
            Ok(()) if list.logic == RuleLogic::Or => return Ok(()),
            Ok(()) => {}
            Err(e) => errors.push(e),
        }
    }
    if list.logic == RuleLogic::Or && !list.rules.is_empty() {
        return Err(errors.join(" or "));
    }
    join(errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(v: Value) -> MatchingRule {
        MatchingRule::from_json(&v).unwrap()
    }

    #[test]
    fn each_matcher_accepts_and_rejects() {
        let cases = [
            (json!({"match":"equality"}), json!(1), json!(1.0), json!(2)),
            (
                json!({"match":"regex","regex":"\\d+"}),
                json!("1"),
                json!("123"),
                json!("12a"),
            ),
            (json!({"match":"type"}), json!("a"), json!("b"), json!(1)),
            (
                json!({"match":"type","min":2}),
                json!([1]),
                json!([1, 2]),
                json!([1]),
            ),
            (
                json!({"match":"type","max":1}),
                json!([1]),
                json!([]),
                json!([1, 2]),
            ),
            (
                json!({"match":"include","value":"ell"}),
                json!(""),
                json!("hello"),
                json!("help"),
            ),
            (json!({"match":"integer"}), json!(1), json!(-7), json!(1.5)),
            (
                json!({"match":"decimal"}),
                json!(1.5),
                json!(2.25),
                json!(2),
            ),
            (json!({"match":"number"}), json!(1), json!(2.5), json!("x")),
            (
                json!({"match":"boolean"}),
                json!(true),
                json!(false),
                json!(0),
            ),
            (json!({"match":"null"}), json!(null), json!(null), json!(0)),
            (
                json!({"match":"date","format":"yyyy-MM-dd"}),
                json!(""),
                json!("2024-02-29"),
                json!("2024-02-30"),
            ),
            (
                json!({"match":"time","format":"HH:mm"}),
                json!(""),
                json!("23:59"),
                json!("24:00"),
            ),
            (
                json!({"match":"timestamp","format":"yyyy-MM-dd HH:mm:ss"}),
                json!(""),
                json!("2024-01-01 10:00:00"),
                json!("2024-01-01T10:00:00"),
            ),
            (
                json!({"match":"semver"}),
                json!(""),
                json!("1.2.3-beta.1"),
                json!("1.2"),
            ),
            (
                json!({"match":"notEmpty"}),
                json!("x"),
                json!("y"),
                json!(""),
            ),
            (
                json!({"match":"statusCode","status":"clientError"}),
                json!(0),
                json!(404),
                json!(500),
            ),
            (
                json!({"match":"statusCode","status":[200, 204]}),
                json!(0),
                json!(204),
                json!(201),
            ),
            (
                json!({"match":"eachKey","rules":[{"match":"regex","regex":"[a-z]+"}]}),
                json!({}),
                json!({"ab":1}),
                json!({"a1":1}),
            ),
            (
                json!({"match":"contentType","value":"application/json"}),
                json!(""),
                json!("{\"a\":1}"),
                json!("<a/>"),
            ),
        ];
        for (spec, expected, good, bad) in cases {
            let r = rule(spec.clone());
            assert!(
                check_rule(&r, &expected, &good).is_ok(),
                "{spec} should accept {good}: {:?}",
                check_rule(&r, &expected, &good)
            );
            assert!(
                check_rule(&r, &expected, &bad).is_err(),
                "{spec} should reject {bad}"
            );
        }
    }

    #[test]
    fn and_or_combination() {
        let list = RuleList::from_matchers_json(
            &json!({"matchers":[{"match":"integer"},{"match":"null"}],"combine":"OR"}),
            RuleLogic::And,
        )
        .unwrap();
        assert!(check_rule_list(&list, &json!(1), &json!(null)).is_ok());
        assert!(check_rule_list(&list, &json!(1), &json!(5)).is_ok());
        let e = check_rule_list(&list, &json!(1), &json!("x")).unwrap_err();
        assert!(e.contains("integer") && e.contains("null"), "{e}");
        let and = RuleList::from_matchers_json(
            &json!({"matchers":[{"match":"integer"},{"match":"regex","regex":"1\\d"}]}),
            RuleLogic::And,
        )
        .unwrap();
        assert!(check_rule_list(&and, &json!(1), &json!(12)).is_ok());
        assert!(check_rule_list(&and, &json!(1), &json!(22)).is_err());
    }
}
