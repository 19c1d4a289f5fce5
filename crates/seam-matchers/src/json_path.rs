//! `matchesJsonPath`: a JSONPath compiled once and evaluated with Jayway's
//! (WireMock's) semantics on top of RFC 9535, alone (the path must select
//! something) or with a sub-matcher applied to what it selects. Jayway's
//! functions are read too: one at the end of the path (`$.items.size()`,
//! `length()`, `min()`, `max()`, `avg()`, `sum()`, `stddev()`, `keys()`,
//! `first()`, `last()`, `index(n)`) and `length()`/`size()` of a value inside
//! a filter (`[?(@.tags.size() > 1)]`, RFC 9535's `length(...)`).

use crate::check::check_selected;
use crate::simple_path::SimplePath;
use crate::text::quote;
use crate::StringMatcher;
use regex::Regex;
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// A compiled JSONPath, evaluated with Jayway's (WireMock's) semantics on top
/// of RFC 9535: a path without `$` gets `$.` prepended; `@.x =~ /re/i` becomes
/// `match(@.x, '(?i)re')`; a filter applied to an object tests the object
/// itself (Jayway) rather than its members (RFC).
#[derive(Debug, Clone)]
pub struct JsonPathExpr {
    source: String,
    stages: Vec<PathStage>,
    /// Jayway's "definite" path: no wildcard, deep scan, filter, slice or union.
    definite: bool,
    /// A Jayway function at the end of the path.
    function: Option<PathFunction>,
}

/// A Jayway function applied to what the rest of the path selects.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PathFunction {
    /// `length()` / `size()`: items of an array, members of an object.
    Length,
    Min,
    Max,
    Avg,
    Sum,
    Stddev,
    Keys,
    First,
    Last,
    Index(i64),
}

impl PathFunction {
    /// The function a path ends with (`.size()`), and the path before it.
    fn split(path: &str) -> Result<(&str, Option<PathFunction>), String> {
        let Some(open) = path.strip_suffix(')').and_then(|p| p.rfind('(')) else {
            return Ok((path, None));
        };
        let Some(dot) = path[..open].rfind('.') else {
            return Ok((path, None));
        };
        let name = &path[dot + 1..open];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Ok((path, None));
        }
        let arg = path[open + 1..path.len() - 1].trim();
        let f = match (name, arg) {
            ("length" | "size", "") => PathFunction::Length,
            ("min", "") => PathFunction::Min,
            ("max", "") => PathFunction::Max,
            ("avg", "") => PathFunction::Avg,
            ("sum", "") => PathFunction::Sum,
            ("stddev", "") => PathFunction::Stddev,
            ("keys", "") => PathFunction::Keys,
            ("first", "") => PathFunction::First,
            ("last", "") => PathFunction::Last,
            ("index", n) => PathFunction::Index(
                n.parse()
                    .map_err(|_| format!("`index()` needs a whole number, not `{n}`"))?,
            ),
            _ => {
                return Err(format!(
                    "unknown JSONPath function `{name}({arg})`; known: length(), size(), min(), \
                     max(), avg(), sum(), stddev(), keys(), first(), last(), index(n)"
                ))
            }
        };
        let before = if dot > 0 && &path[..dot] == "$" || dot == 0 {
            "$"
        } else {
            &path[..dot]
        };
        Ok((before, Some(f)))
    }

    /// Jayway's result for `input` (what the path before the function
    /// selected; `definite` when that path was definite), or `None` when it
    /// gives none (a missing value, numbers asked of something else).
    fn apply(self, input: Option<Value>, definite: bool) -> Option<Value> {
        let input = input?;
        let numbers = |v: &Value| -> Option<Vec<f64>> {
            match v {
                Value::Array(items) if definite => items.iter().map(Value::as_f64).collect(),
                _ => None,
            }
        };
        let number = |x: f64| serde_json::Number::from_f64(x).map(Value::Number);
        match self {
            PathFunction::Length => match &input {
                Value::Array(items) => Some(Value::from(items.len())),
                Value::Object(members) => Some(Value::from(members.len())),
                _ => None,
            },
            PathFunction::Min | PathFunction::Max => {
                let ns = numbers(&input).filter(|n| !n.is_empty())?;
                let pick = if self == PathFunction::Min {
                    f64::min
                } else {
                    f64::max
                };
                number(ns.iter().copied().fold(ns[0], pick))
            }
            PathFunction::Sum => number(numbers(&input)?.iter().sum()),
            PathFunction::Avg => {
                let ns = numbers(&input).filter(|n| !n.is_empty())?;
                number(ns.iter().sum::<f64>() / ns.len() as f64)
            }
            PathFunction::Stddev => {
                let ns = numbers(&input).filter(|n| !n.is_empty())?;
                let mean = ns.iter().sum::<f64>() / ns.len() as f64;
                let var = ns.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / ns.len() as f64;
                number(var.sqrt())
            }
            PathFunction::Keys => match &input {
                Value::Object(members) => Some(Value::Array(
                    members.keys().cloned().map(Value::String).collect(),
                )),
                _ => None,
            },
            PathFunction::First | PathFunction::Last | PathFunction::Index(_) => {
                let Value::Array(items) = input else {
                    return None;
                };
                let i = match self {
                    PathFunction::First => 0,
                    PathFunction::Last => items.len() as i64 - 1,
                    PathFunction::Index(n) if n < 0 => items.len() as i64 + n,
                    PathFunction::Index(n) => n,
                    _ => unreachable!(),
                };
                usize::try_from(i).ok().and_then(|i| items.get(i).cloned())
            }
        }
    }
}

#[derive(Debug, Clone)]
enum PathStage {
    Select(serde_json_path::JsonPath),
    /// `$[?...]`: a filter segment, applied the Jayway way.
    Filter(serde_json_path::JsonPath),
    /// A member chain or a one-comparison filter, read in place.
    Simple(SimplePath),
}

/// What a path selected, as Jayway returns it: values of the document
/// itself, borrowed (only a function's result is a value of its own).
enum PathResult<'a> {
    /// A definite path: the value, or `None` when the path is missing.
    Definite(Option<Cow<'a, Value>>),
    /// An indefinite path: every selected value.
    List(Vec<&'a Value>),
}

impl JsonPathExpr {
    /// Compiles a JSONPath as WireMock reads it; errors read "invalid JSONPath `...`: ...".
    pub fn parse(source: &str) -> Result<Self, String> {
        let normalized =
            translate_filter_functions(&translate_regex_filters(&normalize_path(source)));
        let (normalized, function) = PathFunction::split(&normalized)
            .map_err(|e| format!("invalid JSONPath `{source}`: {e}"))?;
        let stages = split_filters(normalized)
            .into_iter()
            .map(|(filter, text)| compile_stage(source, filter, &text))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(JsonPathExpr {
            source: source.to_string(),
            definite: is_definite(normalized),
            stages,
            function,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// What the path selects in `doc`, read in place (nothing is copied).
    fn evaluate<'a>(&self, doc: &'a Value) -> PathResult<'a> {
        let mut nodes = vec![doc];
        for stage in &self.stages {
            nodes = match nodes.as_slice() {
                [one] => stage.apply(one),
                _ => nodes.iter().flat_map(|n| stage.apply(n)).collect(),
            };
        }
        match self.function {
            // a function turns any selection into one value (or none)
            Some(f) => {
                let input = if self.definite {
                    nodes.first().map(|v| (*v).clone())
                } else {
                    Some(Value::Array(nodes.into_iter().cloned().collect()))
                };
                let length_like = self.definite || f == PathFunction::Length;
                PathResult::Definite(f.apply(input, length_like).map(Cow::Owned))
            }
            None if self.definite => PathResult::Definite(nodes.first().map(|v| Cow::Borrowed(*v))),
            None => PathResult::List(nodes),
        }
    }
}

impl fmt::Display for JsonPathExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl PathStage {
    fn apply<'a>(&self, node: &'a Value) -> Vec<&'a Value> {
        match self {
            PathStage::Simple(p) => p.apply(node),
            PathStage::Select(p) => p.query(node).all(),
            PathStage::Filter(p) => match node {
                Value::Array(_) => p.query(node).all(),
                Value::Object(_) => {
                    // the filter is asked of a one-item array holding a copy;
                    // whatever it selects there is the object itself
                    let wrapped = Value::Array(vec![node.clone()]);
                    let selected = p.query(&wrapped).all().len();
                    vec![node; selected]
                }
                _ => Vec::new(),
            },
        }
    }
}

fn compile_stage(source: &str, filter: bool, text: &str) -> Result<PathStage, String> {
    let path = serde_json_path::JsonPath::parse(text).map_err(|e| {
        let hint = if text.contains("()") {
            " (of Jayway's functions, seam reads one at the end of the path and \
             length()/size() inside filters)"
        } else {
            ""
        };
        format!("invalid JSONPath `{source}`: {}{hint}", e.message())
    })?;
    Ok(match SimplePath::parse(text, filter) {
        Some(simple) => PathStage::Simple(simple),
        None if filter => PathStage::Filter(path),
        None => PathStage::Select(path),
    })
}

fn normalize_path(source: &str) -> String {
    let s = source.trim();
    if s.starts_with('$') {
        s.to_string()
    } else if s.starts_with('[') {
        format!("${s}")
    } else {
        format!("$.{s}")
    }
}

/// Jayway's `@.name =~ /regex/flags` as RFC 9535 `match(@.name, 'regex')`.
fn translate_regex_filters(path: &str) -> String {
    if !path.contains("=~") {
        return path.to_string();
    }
    // compiled once: a stub table with 10,000 JSONPath matchers compiled
    // it 10,000 times (1.2M instructions each, most of loading them)
    static RE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r#"(@(?:\.[\w-]+|\[[^\]]*\])*)\s*=~\s*/((?:\\.|[^/\\])*)/([a-zA-Z]*)"#)
            .expect("static regex")
    });
    RE.replace_all(path, |c: &regex::Captures| {
        let flags = if c[3].contains('i') { "(?i)" } else { "" };
        let body = format!("{flags}{}", &c[2])
            .replace('\\', "\\\\")
            .replace('\'', "\\'");
        format!("match({}, '{body}')", &c[1])
    })
    .into_owned()
}

/// Jayway's `@.tags.length()` / `@.tags.size()` in a filter as RFC 9535
/// `length(@.tags)`.
fn translate_filter_functions(path: &str) -> String {
    if !path.contains("()") {
        return path.to_string();
    }
    static RE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"(@(?:\.[\w-]+|\[[^\]]*\])*)\.(?:length|size)\(\)").expect("static regex")
    });
    RE.replace_all(path, "length($1)").into_owned()
}

/// Byte positions outside quoted names, with bracket depth, for scanning.
fn scan_unquoted(path: &str) -> Vec<(usize, char, usize)> {
    let mut out = Vec::new();
    let (mut quote, mut escaped, mut depth) = (None::<char>, false, 0usize);
    for (i, c) in path.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '[' => {
                out.push((i, c, depth));
                depth += 1;
                continue;
            }
            ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push((i, c, depth));
    }
    out
}

/// Splits at child filter segments (`[?...]` not after `..`): pieces of plain
/// path, each made a `$`-rooted path, and filters as `$[?...]`.
fn split_filters(path: &str) -> Vec<(bool, String)> {
    let chars = scan_unquoted(path);
    let mut pieces = Vec::new();
    let mut cut = 0;
    let mut k = 0;
    while k < chars.len() {
        let (i, c, depth) = chars[k];
        let is_filter = c == '['
            && depth == 0
            && path[i + 1..].trim_start().starts_with('?')
            && !path[..i].ends_with("..");
        if !is_filter {
            k += 1;
            continue;
        }
        let end = chars[k + 1..]
            .iter()
            .find(|(_, c, d)| *c == ']' && *d == 0)
            .map_or(path.len(), |(j, _, _)| j + 1);
        push_piece(&mut pieces, &path[cut..i]);
        pieces.push((true, format!("${}", &path[i..end])));
        cut = end;
        k = chars
            .iter()
            .position(|(j, _, _)| *j >= end)
            .unwrap_or(chars.len());
    }
    push_piece(&mut pieces, &path[cut..]);
    if pieces.is_empty() {
        pieces.push((false, "$".to_string()));
    }
    pieces
}

fn push_piece(pieces: &mut Vec<(bool, String)>, piece: &str) {
    let rest = piece.strip_prefix('$').unwrap_or(piece);
    if !rest.trim().is_empty() {
        pieces.push((false, format!("${rest}")));
    }
}

fn is_definite(path: &str) -> bool {
    let chars = scan_unquoted(path);
    let deep = path.contains("..");
    !deep
        && !chars
            .iter()
            .any(|(_, c, depth)| matches!(c, '*' | '?') || (*depth > 0 && matches!(c, ':' | ',')))
}

/// A selected JSON value as WireMock offers it to a sub-matcher: strings bare,
/// scalars as text, objects and arrays as JSON.
fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn parse_json_document(
    actual: Option<&str>,
    expr: &JsonPathExpr,
) -> Result<std::rc::Rc<Value>, String> {
    let Some(text) = actual else {
        return Err(format!(
            "expected a JSON document for `{expr}` but the value was absent"
        ));
    };
    if text.trim_start().starts_with('<') {
        return Err(format!(
            "expected a JSON document for `{expr}` but the value is XML"
        ));
    }
    crate::parsed_json::parse(text).map_err(|e| {
        format!(
            "expected a JSON document for `{expr}` but it is not valid JSON ({e}): {}",
            quote(text)
        )
    })
}

pub(crate) fn check_json_path(
    expr: &JsonPathExpr,
    sub: Option<&StringMatcher>,
    actual: Option<&str>,
) -> Result<(), String> {
    let doc = parse_json_document(actual, expr)?;
    let result = expr.evaluate(&doc);
    match sub {
        None => simple_json_path(expr, &result),
        Some(sub) => {
            let values = sub_values(&result, sub);
            check_selected(expr.as_str(), &values, sub)
        }
    }
}

/// Without a sub-matcher: the path must select something (Jayway: a definite
/// path's value must not be null, `[]` or `{}`; an indefinite path must select
/// at least one value).
fn simple_json_path(expr: &JsonPathExpr, result: &PathResult) -> Result<(), String> {
    let problem = match result {
        PathResult::Definite(None) => "selected nothing".to_string(),
        PathResult::Definite(Some(v)) => match &**v {
            Value::Null => "selected null".to_string(),
            Value::Array(a) if a.is_empty() => "selected an empty array".to_string(),
            Value::Object(o) if o.is_empty() => "selected an empty object".to_string(),
            _ => return Ok(()),
        },
        PathResult::List(vs) if vs.is_empty() => "selected nothing".to_string(),
        PathResult::List(_) => return Ok(()),
    };
    Err(format!("expected a match for `{expr}` but it {problem}"))
}

/// The texts a sub-matcher sees, as WireMock renders the selection: objects
/// whole as JSON (and everything as JSON for `equalToJson`), arrays item by
/// item, scalars as text, null or nothing as no value.
fn sub_values(result: &PathResult, sub: &StringMatcher) -> Vec<String> {
    let as_json = matches!(sub, StringMatcher::EqualToJson { .. });
    match result {
        PathResult::Definite(v) => {
            let v = v.as_deref().unwrap_or(&Value::Null);
            match v {
                _ if as_json || v.is_object() => vec![v.to_string()],
                Value::Array(items) => items.iter().map(json_text).collect(),
                Value::Null => Vec::new(),
                scalar => vec![json_text(scalar)],
            }
        }
        // the selection as one JSON array, as Jayway hands it on
        PathResult::List(vs) if as_json => {
            vec![serde_json::to_string(vs).expect("JSON values serialize")]
        }
        PathResult::List(vs) => vs.iter().map(|v| json_text(v)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{check_table, m};

    /// Each row's verdict is what WireMock 3.13.2 answered for the same
    /// matcher and body.
    #[test]
    fn jayway_functions_as_wiremock_evaluates_them() {
        let body = r#"{"items":[1,2,3],"name":"abc","o":{"x":1,"y":2},"objs":[{"p":1},{"p":5}]}"#;
        let rows = vec![
            (
                json!({"matchesJsonPath": {"expression": "$.items.size()", "equalTo": "3"}}),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.items.length()", "equalTo": "3"}}),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.name.length()", "equalTo": "3"}}),
                false,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.o.length()", "equalTo": "2"}}),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.items.sum()", "equalTo": "6.0"}}),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.items.sum()", "equalTo": "6"}}),
                false,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.items.avg()", "equalTo": "2.0"}}),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.items.min()", "equalTo": "1.0"}}),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.items.max()", "equalTo": "3.0"}}),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.items.first()", "equalTo": "1"}}),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.items.last()", "equalTo": "3"}}),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.items.index(1)", "equalTo": "2"}}),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.objs[*].p.max()", "equalTo": "5.0"}}),
                false,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.objs.length()", "equalTo": "2"}}),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.items.stddev()", "matches": "0.8.*"}}),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.missing.length()", "absent": true}}),
                true,
            ),
            (json!({"matchesJsonPath": "$.items.size()"}), true),
            (json!({"matchesJsonPath": "$[?(@.items.size() > 2)]"}), true),
            (
                json!({"matchesJsonPath": "$[?(@.items.size() > 3)]"}),
                false,
            ),
            (json!({"matchesJsonPath": "$.missing.size()"}), false),
            (
                json!({"matchesJsonPath": "$.objs[?(@.p > 2)].length()"}),
                true,
            ),
        ];
        for (spec, expected) in rows {
            let got = m(spec.clone()).check(Some(body));
            assert_eq!(got.is_ok(), expected, "{spec}: {got:?}");
        }
    }
    use serde_json::json;

    fn table() -> Vec<(Value, Option<&'static str>, bool)> {
        let doc = r#"{"name": "Ann", "qty": 3, "tags": ["a", "b"], "items": [{"id": 1, "qty": 2}, {"id": 2, "qty": 5}], "empty": [], "none": null, "obj": {"k": "v"}}"#;
        vec![
            // matchesJsonPath
            (json!({"matchesJsonPath": "$.name"}), Some(doc), true),
            (json!({"matchesJsonPath": "name"}), Some(doc), true),
            (json!({"matchesJsonPath": "$.missing"}), Some(doc), false),
            (json!({"matchesJsonPath": "$.none"}), Some(doc), false),
            (json!({"matchesJsonPath": "$.empty"}), Some(doc), false),
            (
                json!({"matchesJsonPath": "$.items[?(@.qty > 4)]"}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": "$.items[?(@.qty > 9)]"}),
                Some(doc),
                false,
            ),
            (
                json!({"matchesJsonPath": "$[?(@.qty == 3)]"}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": "$[?(@.qty == 4)]"}),
                Some(doc),
                false,
            ),
            (
                json!({"matchesJsonPath": "$.obj[?(@.k == 'v')]"}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": "$[?(@.name =~ /a.*/i)]"}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": "$[?(@.name =~ /a.*/)]"}),
                Some(doc),
                false,
            ),
            (json!({"matchesJsonPath": "$.name"}), Some("<a/>"), false),
            (json!({"matchesJsonPath": "$.name"}), None, false),
            (
                json!({"matchesJsonPath": {"expression": "$.name", "equalTo": "Ann"}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.qty", "equalTo": "3"}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.qty", "equalTo": "4"}}),
                Some(doc),
                false,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.tags", "equalTo": "b"}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.items[*].qty", "matches": "5"}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.obj", "equalToJson": {"k": "v"}}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.obj", "contains": "\"k\""}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.missing", "absent": true}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.name", "absent": true}}),
                Some(doc),
                false,
            ),
        ]
    }

    #[test]
    fn behaves_as_wiremock() {
        check_table(table());
    }

    #[test]
    fn reasons_say_what_the_path_selected() {
        let reason = |spec: Value, actual: Option<&str>| m(spec).check(actual).unwrap_err();
        assert_eq!(
            reason(json!({"matchesJsonPath": "$.a"}), Some(r#"{"b": 1}"#)),
            "expected a match for `$.a` but it selected nothing"
        );
        assert_eq!(
            reason(
                json!({"matchesJsonPath": {"expression": "$.a", "equalTo": "2"}}),
                Some(r#"{"a": 1}"#)
            ),
            "at `$.a`: expected \"2\" but was \"1\""
        );
    }

    #[test]
    fn json_paths_split_and_classify() {
        assert!(is_definite("$.a.b[0]['c d']"));
        assert!(!is_definite("$.a[*]"));
        assert!(!is_definite("$..a"));
        assert!(!is_definite("$.a[0,1]"));
        assert!(!is_definite("$.a[?(@.b)]"));
        assert!(is_definite("$['a*?']"));
        let pieces = split_filters("$.a[?(@.x == ']')].b[0]");
        assert_eq!(
            pieces,
            vec![
                (false, "$.a".to_string()),
                (true, "$[?(@.x == ']')]".to_string()),
                (false, "$.b[0]".to_string())
            ]
        );
        assert_eq!(
            translate_regex_filters("$[?(@.name =~ /a\\d+/i)]"),
            "$[?(match(@.name, '(?i)a\\\\d+'))]"
        );
    }
}
