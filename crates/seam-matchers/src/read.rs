//! Reading WireMock's JSON form of a matcher (`{"equalTo": "x"}`, ...) into a
//! [`StringMatcher`]: one operator per object, its modifiers, nested matchers,
//! and the bound on how many matchers a list may hold. Every error names the
//! JSON path of the value at fault and, for an unknown key, the closest known
//! one.

use crate::date_time::{DateTimeMatcher, DATE_MODIFIERS, DATE_OPERATORS};
use crate::equal_to_json::check_placeholders;
use crate::equal_to_xml::XmlOptions;
use crate::json_schema::JsonSchema;
use crate::text::{child_path, describe_json};
use crate::xpath::compile_xpath;
use crate::{JsonPathExpr, MatcherError, Parsed, StringMatcher};
use base64::Engine;
use seam_core::regexp::{whole, Dot, Whole};
use serde_json::{Map, Value};

/// The most matchers one list may hold: `bodyPatterns`, the operands of
/// `and`/`or`/`hasExactly`/`includes`, a pact rule's `matchers`. Each can be a
/// regex compiled at load (0.1 to 0.3 ms and 10 to 30 KB each), and no real
/// stub needs more; 100,000 took a minute and gigabytes.
pub const MAX_MATCHERS: usize = 1_000;

/// Keys whose arrays are lists of matchers.
const MATCHER_LISTS: &[&str] = &[
    "matchers",
    "bodyPatterns",
    "and",
    "or",
    "hasExactly",
    "includes",
];

/// Checks `items`, the matchers of the list `key`, against [`MAX_MATCHERS`].
pub fn check_matcher_count(key: &str, items: usize) -> Result<(), String> {
    if items > MAX_MATCHERS {
        return Err(format!(
            "`{key}` holds {items} matchers; at most {MAX_MATCHERS} are allowed in one list"
        ));
    }
    Ok(())
}

/// Finds a matcher list longer than [`MAX_MATCHERS`] anywhere in a JSON stub
/// source (a pact's rule `matchers`, a mapping's `bodyPatterns`, `and`/`or`
/// operands), before anything is compiled.
pub fn check_matcher_counts(doc: &Value) -> Result<(), MatcherError> {
    fn walk(v: &Value, path: &mut String) -> Result<(), MatcherError> {
        match v {
            Value::Object(map) => {
                for (key, child) in map {
                    let len = path.len();
                    *path = child_path(path, key);
                    if let (true, Value::Array(items)) =
                        (MATCHER_LISTS.contains(&key.as_str()), child)
                    {
                        check_matcher_count(key, items.len())
                            .map_err(|e| MatcherError::new(path.clone(), e))?;
                    }
                    walk(child, path)?;
                    path.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(child, path)?;
                    path.truncate(len);
                }
            }
            _ => {}
        }
        Ok(())
    }
    walk(doc, &mut "$".to_string())
}

/// Operators: exactly one per matcher object.
const OPERATORS: &[&str] = &[
    "equalTo",
    "binaryEqualTo",
    "contains",
    "doesNotContain",
    "matches",
    "doesNotMatch",
    "absent",
    "anything",
    "equalToJson",
    "matchesJsonPath",
    "matchesJsonSchema",
    "equalToXml",
    "matchesXPath",
    "and",
    "or",
    "not",
    "hasExactly",
    "includes",
    "before",
    "after",
    "equalToDateTime",
];

/// Modifier keys and the operator each belongs to.
const MODIFIERS: &[(&str, &str)] = &[
    ("caseInsensitive", "equalTo"),
    ("ignoreArrayOrder", "equalToJson"),
    ("ignoreExtraElements", "equalToJson"),
    ("schemaVersion", "matchesJsonSchema"),
    ("enablePlaceholders", "equalToXml"),
    ("placeholderOpeningDelimiterRegex", "equalToXml"),
    ("placeholderClosingDelimiterRegex", "equalToXml"),
    ("exemptedComparisons", "equalToXml"),
    ("ignoreOrderOfSameNode", "equalToXml"),
    ("namespaceAwareness", "equalToXml"),
    ("xPathNamespaces", "matchesXPath"),
];

/// WireMock matchers seam does not implement.
const UNSUPPORTED: &[&str] = &["matchesPathTemplate", "equalToXPath"];

/// Reads WireMock's JSON form of a matcher (`{"equalTo": "x"}`, ...). Errors
/// name the nested location when it is not the matcher itself.
pub fn from_wiremock_json(v: &Value) -> Result<StringMatcher, String> {
    parse_matcher(v, "$").map_err(|e| {
        if e.path == "$" {
            e.message
        } else {
            e.to_string()
        }
    })
}

impl StringMatcher {
    /// Same as the free [`from_wiremock_json`].
    pub fn from_wiremock_json(v: &Value) -> Result<StringMatcher, String> {
        from_wiremock_json(v)
    }
}

/// Reads a matcher located at `path` (a JSON path used in errors).
pub fn parse_matcher(v: &Value, path: &str) -> Result<StringMatcher, MatcherError> {
    let obj = v.as_object().ok_or_else(|| {
        MatcherError::new(
            path,
            format!(
                "a matcher must be an object like {{\"equalTo\": \"x\"}}, not {}",
                describe_json(v)
            ),
        )
    })?;
    let op = find_operator(obj, path)?;
    check_modifiers(obj, op, path)?;
    parse_operator(op, obj, path)
}

fn find_operator<'a>(obj: &'a Map<String, Value>, path: &str) -> Parsed<&'a str> {
    let mut ops = Vec::new();
    for key in obj.keys() {
        if OPERATORS.contains(&key.as_str()) {
            ops.push(key.as_str());
        } else if UNSUPPORTED.contains(&key.as_str()) {
            return Err(MatcherError::new(
                child_path(path, key),
                format!("the WireMock matcher `{key}` is not supported by seam"),
            ));
        } else if key == "expression" || DATE_MODIFIERS.contains(&key.as_str()) {
            // `expression` beside an operator is ignored, as WireMock does;
            // date modifiers are checked in `check_modifiers`
        } else if !MODIFIERS.iter().any(|(m, _)| m == key) {
            let mut known: Vec<&str> = OPERATORS.to_vec();
            known.extend(MODIFIERS.iter().map(|(m, _)| *m));
            known.extend(DATE_MODIFIERS);
            return Err(MatcherError::new(
                child_path(path, key),
                format!(
                    "unknown matcher key `{key}`{}",
                    seam_core::source::did_you_mean(key, known)
                ),
            ));
        }
    }
    // with several operators, WireMock uses the first one written (keys
    // keep their order) and ignores the others
    ops.first().copied().ok_or_else(|| {
        MatcherError::new(
            path,
            format!(
                "no matcher operator given; expected one of {}",
                OPERATORS.join(", ")
            ),
        )
    })
}

/// Modifiers must belong to the operator used; those of an operator written
/// after it (ignored, as WireMock ignores it) are ignored with it.
fn check_modifiers(obj: &Map<String, Value>, op: &str, path: &str) -> Parsed<()> {
    let present = |o: &str| obj.contains_key(o);
    for key in obj.keys() {
        let date = DATE_MODIFIERS.contains(&key.as_str());
        if date && !DATE_OPERATORS.contains(&op) {
            if DATE_OPERATORS.iter().any(|o| present(o)) {
                continue;
            }
            return Err(MatcherError::new(
                child_path(path, key),
                format!(
                    "`{key}` applies to `before`, `after` and `equalToDateTime`, not to `{op}`"
                ),
            ));
        }
        if let Some((m, owner)) = MODIFIERS.iter().find(|(m, _)| m == key) {
            if *owner != op && !present(owner) {
                return Err(MatcherError::new(
                    child_path(path, m),
                    format!("`{m}` applies to `{owner}`, not to `{op}`"),
                ));
            }
        }
    }
    Ok(())
}

fn string_operand<'a>(obj: &'a Map<String, Value>, key: &str, path: &str) -> Parsed<&'a str> {
    match &obj[key] {
        Value::String(s) => Ok(s),
        other => Err(MatcherError::new(
            child_path(path, key),
            format!("`{key}` needs a string, not {}", describe_json(other)),
        )),
    }
}

fn bool_modifier(obj: &Map<String, Value>, key: &str, path: &str) -> Parsed<bool> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(MatcherError::new(
            child_path(path, key),
            format!("`{key}` needs true or false, not {}", describe_json(other)),
        )),
    }
}

fn regex_operand(obj: &Map<String, Value>, key: &str, path: &str) -> Parsed<Whole> {
    let src = string_operand(obj, key, path)?;
    whole(src, Dot::All).map_err(|e| MatcherError::new(child_path(path, key), e))
}

fn parse_operator(op: &str, obj: &Map<String, Value>, path: &str) -> Parsed<StringMatcher> {
    use StringMatcher as M;
    Ok(match op {
        "equalTo" => M::EqualTo {
            value: string_operand(obj, op, path)?.to_string(),
            case_insensitive: bool_modifier(obj, "caseInsensitive", path)?,
        },
        "binaryEqualTo" => M::BinaryEqualTo(parse_base64(obj, path)?),
        "contains" => M::Contains(string_operand(obj, op, path)?.to_string()),
        "doesNotContain" => M::DoesNotContain(string_operand(obj, op, path)?.to_string()),
        "matches" => M::Matches(regex_operand(obj, op, path)?),
        "doesNotMatch" => M::DoesNotMatch(regex_operand(obj, op, path)?),
        "absent" => parse_absent(obj, path)?,
        "anything" => {
            // WireMock refuses a non-string operand ("anything operand must
            // be a non-null string")
            string_operand(obj, op, path)?;
            M::Anything
        }
        "before" | "after" | "equalToDateTime" => {
            M::DateTime(Box::new(DateTimeMatcher::read(op, obj, path)?))
        }
        "equalToJson" => parse_equal_to_json(obj, path)?,
        "matchesJsonPath" => parse_json_path(obj, path)?,
        "matchesJsonSchema" => M::MatchesJsonSchema(JsonSchema::from_matcher(obj, path)?),
        "equalToXml" => parse_equal_to_xml(obj, path)?,
        "matchesXPath" => parse_xpath(obj, path)?,
        "and" => M::And(parse_list(obj, op, path)?),
        "or" => M::Or(parse_list(obj, op, path)?),
        "not" => M::Not(Box::new(parse_matcher(&obj[op], &child_path(path, op))?)),
        "hasExactly" => M::HasExactly(parse_list(obj, op, path)?),
        "includes" => M::Includes(parse_list(obj, op, path)?),
        _ => unreachable!("operator list and parser disagree on `{op}`"),
    })
}

fn parse_base64(obj: &Map<String, Value>, path: &str) -> Parsed<Vec<u8>> {
    let text = string_operand(obj, "binaryEqualTo", path)?;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| {
            MatcherError::new(
                child_path(path, "binaryEqualTo"),
                format!("invalid base64: {e}"),
            )
        })
}

/// `absent`: WireMock reads any operand (`false` included) as "absent".
fn parse_absent(obj: &Map<String, Value>, path: &str) -> Parsed<StringMatcher> {
    match &obj["absent"] {
        Value::Null => Err(MatcherError::new(
            child_path(path, "absent"),
            "`absent` takes true (to require a value use {\"matches\": \".*\"})",
        )),
        _ => Ok(StringMatcher::Absent),
    }
}

fn parse_list(obj: &Map<String, Value>, key: &str, path: &str) -> Parsed<Vec<StringMatcher>> {
    let at = child_path(path, key);
    let items = match &obj[key] {
        Value::Array(items) if items.len() > MAX_MATCHERS => {
            return Err(MatcherError::new(
                at,
                check_matcher_count(key, items.len()).unwrap_err(),
            ))
        }
        Value::Array(items) if !items.is_empty() => items,
        other => {
            return Err(MatcherError::new(
                at,
                format!(
                    "`{key}` needs a non-empty array of matchers, not {}",
                    describe_json(other)
                ),
            ))
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, m)| parse_matcher(m, &format!("{at}[{i}]")))
        .collect()
}

/// A JSON operand given either as JSON or as a string holding JSON.
fn json_operand(obj: &Map<String, Value>, key: &str, path: &str) -> Parsed<Value> {
    match &obj[key] {
        Value::String(s) => serde_json::from_str(s).map_err(|e| {
            MatcherError::new(
                child_path(path, key),
                format!("`{key}` is not valid JSON: {e}"),
            )
        }),
        other => Ok(other.clone()),
    }
}

fn parse_equal_to_json(obj: &Map<String, Value>, path: &str) -> Parsed<StringMatcher> {
    let value = json_operand(obj, "equalToJson", path)?;
    check_placeholders(&value, &child_path(path, "equalToJson"))?;
    Ok(StringMatcher::EqualToJson {
        value,
        ignore_array_order: bool_modifier(obj, "ignoreArrayOrder", path)?,
        ignore_extra_elements: bool_modifier(obj, "ignoreExtraElements", path)?,
    })
}

/// The advanced form `{"expression": "...", <sub-matcher>}` or a plain string.
fn path_operand(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Parsed<(String, Option<Box<StringMatcher>>)> {
    let at = child_path(path, key);
    match &obj[key] {
        Value::String(s) => Ok((s.clone(), None)),
        Value::Object(inner) => {
            let expr = match inner.get("expression") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => {
                    return Err(MatcherError::new(
                        child_path(&at, "expression"),
                        format!("`expression` needs a string, not {}", describe_json(other)),
                    ))
                }
                None => {
                    return Err(MatcherError::new(
                        at,
                        format!("the object form of `{key}` needs an `expression`"),
                    ))
                }
            };
            let mut rest = inner.clone();
            rest.remove("expression");
            let sub = if rest.is_empty() {
                None
            } else {
                Some(Box::new(parse_matcher(&Value::Object(rest), &at)?))
            };
            Ok((expr, sub))
        }
        other => Err(MatcherError::new(
            at,
            format!(
                "`{key}` needs an expression string or {{\"expression\": ..., <matcher>}}, not {}",
                describe_json(other)
            ),
        )),
    }
}

fn parse_json_path(obj: &Map<String, Value>, path: &str) -> Parsed<StringMatcher> {
    let (expr, sub) = path_operand(obj, "matchesJsonPath", path)?;
    let expression = JsonPathExpr::parse(&expr)
        .map_err(|e| MatcherError::new(child_path(path, "matchesJsonPath"), e))?;
    Ok(StringMatcher::MatchesJsonPath { expression, sub })
}

fn parse_xpath(obj: &Map<String, Value>, path: &str) -> Parsed<StringMatcher> {
    let (expression, sub) = path_operand(obj, "matchesXPath", path)?;
    let namespaces = parse_namespaces(obj, path)?;
    compile_xpath(&expression)
        .map_err(|e| MatcherError::new(child_path(path, "matchesXPath"), e))?;
    Ok(StringMatcher::MatchesXPath {
        expression,
        namespaces,
        sub,
    })
}

fn parse_namespaces(obj: &Map<String, Value>, path: &str) -> Parsed<Vec<(String, String)>> {
    let at = child_path(path, "xPathNamespaces");
    match obj.get("xPathNamespaces") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(uri) => Ok((k.clone(), uri.clone())),
                other => Err(MatcherError::new(
                    child_path(&at, k),
                    format!(
                        "a namespace URI must be a string, not {}",
                        describe_json(other)
                    ),
                )),
            })
            .collect(),
        Some(other) => Err(MatcherError::new(
            at,
            format!(
                "`xPathNamespaces` needs an object of prefix → URI, not {}",
                describe_json(other)
            ),
        )),
    }
}

fn parse_equal_to_xml(obj: &Map<String, Value>, path: &str) -> Parsed<StringMatcher> {
    let value = string_operand(obj, "equalToXml", path)?.to_string();
    roxmltree::Document::parse(&value).map_err(|e| {
        MatcherError::new(
            child_path(path, "equalToXml"),
            format!("`equalToXml` is not valid XML: {e}"),
        )
    })?;
    Ok(StringMatcher::EqualToXml {
        value,
        enable_placeholders: bool_modifier(obj, "enablePlaceholders", path)?,
        options: Box::new(XmlOptions::read(obj, path)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::err;
    use serde_json::json;

    #[test]
    fn reading_errors_name_the_problem() {
        assert_eq!(
            err(json!({"matches": "("})),
            "$.matches: invalid regex `(`: unclosed group"
        );
        assert_eq!(
            err(json!({"equalsTo": "x"})),
            "$.equalsTo: unknown matcher key `equalsTo` (did you mean `equalTo`?)"
        );
        assert_eq!(
            err(json!({"and": [{"equalTo": "a"}, {"contain": "b"}]})),
            "$.and[1].contain: unknown matcher key `contain` (did you mean `contains`?)"
        );
        assert_eq!(
            err(json!({"equalTo": 5})),
            "$.equalTo: `equalTo` needs a string, not number 5"
        );
        // several operators: the first written counts, as in WireMock 3.13.2
        let first = crate::test_support::m(json!({"contains": "y", "matches": "[a-w]+"}));
        assert!(first.check(Some("young")).is_ok());
        let first = crate::test_support::m(json!({"doesNotMatch": "a.*", "contains": "zz"}));
        assert!(first.check(Some("abc")).is_err());
        assert_eq!(
            err(json!({"contains": "a", "caseInsensitive": true})),
            "$.caseInsensitive: `caseInsensitive` applies to `equalTo`, not to `contains`"
        );
        assert!(err(json!({"matchesPathTemplate": "/a"})).contains("not supported"));
        assert_eq!(
            err(json!({"anything": true})),
            "$.anything: `anything` needs a string, not boolean true"
        );
        assert_eq!(
            err(json!({"expression": "$.a"})).split(';').next().unwrap(),
            "no matcher operator given"
        );
        let bare = crate::test_support::m(json!({"expression": "$.a", "equalTo": "x"}));
        assert!(
            bare.check(Some("x")).is_ok(),
            "the expression is ignored, as WireMock does"
        );
        // WireMock reads `"absent": false` as absent too
        let absent = crate::test_support::m(json!({"absent": false}));
        assert!(absent.check(Some("x")).is_err() && absent.check(None).is_ok());
        assert!(err(json!({"equalToJson": "{nope"}))
            .starts_with("$.equalToJson: `equalToJson` is not valid JSON"));
        assert!(err(json!({"equalToXml": "<a>"}))
            .starts_with("$.equalToXml: `equalToXml` is not valid XML"));
        assert!(
            err(json!({"matchesXPath": "//["})).starts_with("$.matchesXPath: invalid XPath `//[`")
        );
        assert!(err(json!({"matchesJsonPath": "$.a.foo()"}))
            .contains("unknown JSONPath function `foo()`"));
        assert!(err(json!({"matchesJsonSchema": {"type": 5}}))
            .starts_with("$.matchesJsonSchema: invalid JSON schema"));
        assert!(err(json!({"matchesJsonSchema": {}, "schemaVersion": "V8"}))
            .starts_with("$.schemaVersion: unknown schemaVersion `V8`"));
        assert!(err(json!({"equalToJson": {"a": "${json-unit.regex}("}}))
            .starts_with("$.equalToJson.a: invalid regex"));
        assert!(err(json!("x")).starts_with("a matcher must be an object"));
        assert!(err(json!({})).starts_with("no matcher operator given"));
    }

    #[test]
    fn regex_operands_are_bounded_and_keep_their_source() {
        let huge = format!("/{}", "a".repeat(50 * 1024 * 1024));
        let start = std::time::Instant::now();
        let e = err(json!({ "matches": huge }));
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
        assert!(
            e.starts_with("$.matches: regex `/aaa")
                && e.contains("is too long: 52428801 bytes (at most 16384)"),
            "{e}"
        );
        assert!(e.len() < 300, "a bounded excerpt: {} bytes", e.len());
        let e = err(json!({"doesNotMatch": "(a{100}){100}{100}"}));
        assert!(e.contains("too complex"), "{e}");
        assert!(
            err(json!({"matches": "(?<=a)b"})).starts_with("$.matches: invalid regex `(?<=a)b`")
        );
        let re = crate::test_support::m(json!({"matches": "a|ab"}));
        assert!(re.check(Some("ab")).is_ok());
        assert_eq!(re.to_wiremock_json(), json!({"matches": "a|ab"}));
    }

    #[test]
    fn lists_of_matchers_are_bounded() {
        let many = vec![json!({"equalTo": "a"}); MAX_MATCHERS + 1];
        assert_eq!(
            err(json!({ "or": many })),
            "$.or: `or` holds 1001 matchers; at most 1000 are allowed in one list"
        );
        let doc =
            json!({"request": {"bodyPatterns": [{"and": vec![json!({"absent": true}); 1001]}]}});
        assert_eq!(
            check_matcher_counts(&doc).unwrap_err().to_string(),
            "$.request.bodyPatterns[0].and: `and` holds 1001 matchers; at most 1000 are allowed in one list"
        );
    }
}
