//! Assertions on a response: status, headers (WireMock matchers), body, JSONPath
//! checks (==, !=, <, <=, >, >=, contains, matches, exists, type, length, and
//! the engine's Pact matchers), response time and conformance to an OpenAPI
//! operation ([`crate::openapi`]). Each failure says what was
//! checked, what was expected, what arrived. The compiled forms of a step's
//! assertions ([`Prepared`]) are made by its first check and kept for the next.

use crate::model::{AssertSpec, JsonAssert};
use crate::vars::{interpolate_json, Vars};
use regex::Regex;
use seam_core::http::Headers;
use seam_core::matching::{check_rule, scalar_text, type_name};
use seam_core::regexp::{anchored, Dot};
use seam_core::rules::MatchingRule;
use seam_matchers::StringMatcher;
use serde_json::{json, Value};
use serde_json_path::JsonPath;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// One failed assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// `status`, `header Content-Type`, `json $.items[0].id`, `time`, `body`.
    pub what: String,
    /// What the assertion asked for; `None` when it asked for nothing to be there.
    pub expected: Option<Value>,
    /// What arrived; `None` when nothing was there (no header, a path that
    /// selects nothing), which is not the same as a JSON `null`.
    pub actual: Option<Value>,
    pub reason: String,
    /// The assertion's line in [`crate::model::SuiteStepFields::source`], when known.
    pub line: Option<usize>,
}

/// What a step received.
pub struct Received<'a> {
    pub status: u16,
    pub headers: &'a Headers,
    pub body: &'a str,
    pub json: Option<&'a Value>,
    pub elapsed: Duration,
    /// The suite's directory (for `bodyFile` and `openapi`).
    pub dir: &'a std::path::Path,
    /// The request's method and URL (for `openapi`, which finds the
    /// operation from them).
    pub method: &'a str,
    pub url: &'a str,
}

fn matcher(v: &Value) -> Result<StringMatcher, String> {
    match v {
        Value::Object(_) => StringMatcher::from_wiremock_json(v),
        other => StringMatcher::from_wiremock_json(
            &json!({"equalTo": scalar_text(other).unwrap_or_default()}),
        ),
    }
}

/// The compiled forms of one step's assertions: header and body matchers, the
/// JSON Schema, JSONPath expressions, `matches` regexes and Pact matchers.
/// Compiling them (a schema especially) costs more than checking a response,
/// so a step that is checked again (retries, every row of a matrix) keeps them
/// ([`PreparedSlot`]). A header or body matcher holding a
/// `{{variable}}` is the exception: its value is only known at check time, so it
/// is interpolated and compiled at each check, as before. XPath expressions are
/// compiled at each check too (sxd-xpath's compiled form cannot be shared
/// between threads).
#[derive(Debug)]
pub struct Prepared {
    /// One per entry of [`AssertSpec::headers`], in its order.
    headers: Vec<Compiled>,
    body: Option<Compiled>,
    /// One per entry of [`AssertSpec::json`].
    json: Vec<ValueChecks>,
    /// One per entry of [`AssertSpec::xml`] (`path` is always `None`).
    xml: Vec<ValueChecks>,
    schema: Option<StringMatcher>,
}

/// A header or body matcher.
#[derive(Debug)]
enum Compiled {
    /// The value holds no `{{variable}}`: compiled once.
    Ready(StringMatcher),
    /// The value holds variables: interpolated and compiled at each check.
    PerCheck,
}

/// The compiled parts of one `json`/`xml` assertion.
#[derive(Debug)]
struct ValueChecks {
    path: Option<JsonPath>,
    matches: Option<Regex>,
    matcher: Option<MatchingRule>,
}

/// Where an [`AssertSpec`] keeps its [`Prepared`] form. The first check
/// compiles the assertions for itself and only notes that the step ran; the
/// second compiles them into the slot, where every later check finds them (or
/// the error that says which one is malformed, as each check would report it).
/// Most steps run once, and keeping their compiled forms for the whole run
/// would cost memory for nothing: about 0.9 KB a step for a JSONPath check
/// (10,000 steps: 70 → 80 MB peak RSS, `bench/suite-10k.sh`).
#[derive(Debug, Default)]
pub struct PreparedSlot {
    checked: AtomicBool,
    kept: OnceLock<Result<Arc<Prepared>, String>>,
}

impl Clone for PreparedSlot {
    /// A copy of the step starts with an empty slot.
    fn clone(&self) -> Self {
        PreparedSlot::default()
    }
}

impl PreparedSlot {
    fn get_or_prepare(&self, spec: &AssertSpec) -> Result<Arc<Prepared>, String> {
        if let Some(kept) = self.kept.get() {
            return kept.clone();
        }
        if !self.checked.swap(true, Ordering::Relaxed) {
            return Prepared::new(spec).map(Arc::new);
        }
        self.kept
            .get_or_init(|| Prepared::new(spec).map(Arc::new))
            .clone()
    }
}

/// Does a value hold a `{{variable}}` (in any string, as
/// [`interpolate_json`] looks for them)?
fn has_variables(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("{{"),
        Value::Array(a) => a.iter().any(has_variables),
        Value::Object(o) => o.values().any(has_variables),
        _ => false,
    }
}

impl Prepared {
    fn new(spec: &AssertSpec) -> Result<Self, String> {
        let compiled = |v: &Value, what: &str| -> Result<Compiled, String> {
            if has_variables(v) {
                Ok(Compiled::PerCheck)
            } else {
                matcher(v)
                    .map(Compiled::Ready)
                    .map_err(|e| format!("{what}: {e}"))
            }
        };
        let value_checks = |a: &JsonAssert, what: &str, json: bool| -> Result<_, String> {
            Ok(ValueChecks {
                path: json.then(|| parse_path(&a.path)).transpose()?,
                matches: a
                    .matches
                    .as_deref()
                    .map(|re| anchored(re, Dot::All))
                    .transpose()?,
                matcher: a
                    .matcher
                    .as_ref()
                    .map(|m| {
                        MatchingRule::from_json(m).map_err(|e| format!("{what} {}: {e}", a.path))
                    })
                    .transpose()?,
            })
        };
        Ok(Prepared {
            headers: spec
                .headers
                .iter()
                .map(|(name, want)| compiled(&want.value, &format!("header {name}")))
                .collect::<Result<_, _>>()?,
            body: spec
                .body
                .as_ref()
                .map(|b| compiled(&b.value, "body"))
                .transpose()?,
            json: spec
                .json
                .iter()
                .map(|a| value_checks(&a.value, "json", true))
                .collect::<Result<_, _>>()?,
            xml: spec
                .xml
                .iter()
                .map(|a| value_checks(&a.value, "xml", false))
                .collect::<Result<_, _>>()?,
            schema: spec
                .schema
                .as_ref()
                .map(|schema| {
                    StringMatcher::from_wiremock_json(&json!({"matchesJsonSchema": schema.value}))
                        .map_err(|e| format!("schema: {e}"))
                })
                .transpose()?,
        })
    }
}

/// A header or body assertion's expected value and matcher: the prepared
/// matcher, or (for a value with variables) one compiled from the value with
/// `vars` filled in.
fn resolve<'a>(
    compiled: &'a Compiled,
    want: &'a Value,
    vars: &Vars,
    what: &str,
) -> Result<(Cow<'a, Value>, Cow<'a, StringMatcher>), String> {
    match compiled {
        Compiled::Ready(m) => Ok((Cow::Borrowed(want), Cow::Borrowed(m))),
        Compiled::PerCheck => {
            let want = interpolate_json(want, vars)?;
            let m = matcher(&want).map_err(|e| format!("{what}: {e}"))?;
            Ok((Cow::Owned(want), Cow::Owned(m)))
        }
    }
}

/// The line an assertion was written on, when the reader knew it.
fn line_of<T>(s: &serde_saphyr::Spanned<T>) -> Option<usize> {
    Some(s.referenced.line() as usize).filter(|l| *l > 0)
}

/// Every assertion of a step, evaluated; `Err` for assertions that are malformed.
/// A step checked more than once keeps its compiled assertions in `spec`
/// ([`PreparedSlot`]).
pub fn check(spec: &AssertSpec, got: &Received, vars: &Vars) -> Result<Vec<Failure>, String> {
    let prepared = &*spec.prepared.get_or_prepare(spec)?;
    let mut out = Vec::new();
    // the line of the assertion being checked, for the failures it adds
    let line = std::cell::Cell::new(None);
    let mut fail =
        |what: String, expected: Option<Value>, actual: Option<Value>, reason: String| {
            out.push(Failure {
                what,
                expected,
                actual,
                reason,
                line: line.get(),
            })
        };
    if let Some(status) = &spec.status {
        line.set(line_of(status));
        let s = status.value;
        if s != got.status {
            fail(
                "status".into(),
                Some(json!(s)),
                Some(json!(got.status)),
                format!("expected status {s} but was {}", got.status),
            );
        }
    }
    for ((name, want), compiled) in spec.headers.iter().zip(&prepared.headers) {
        line.set(line_of(want));
        let (want, m) = resolve(compiled, &want.value, vars, &format!("header {name}"))?;
        let values = got.headers.values(name);
        if let Err(reason) = m.check_values(&values) {
            let actual = (!values.is_empty()).then(|| json!(values));
            fail(
                format!("header {name}"),
                Some(want.into_owned()),
                actual,
                reason,
            );
        }
    }
    if let (Some(want), Some(compiled)) = (&spec.body, &prepared.body) {
        line.set(line_of(want));
        let (want, m) = resolve(compiled, &want.value, vars, "body")?;
        if let Err(reason) = m.check((!got.body.is_empty()).then_some(got.body)) {
            let actual = (!got.body.is_empty()).then(|| json!(excerpt(got.body)));
            fail("body".into(), Some(want.into_owned()), actual, reason);
        }
    }
    for (spanned, compiled) in spec.json.iter().zip(&prepared.json) {
        let a = &spanned.value;
        line.set(line_of(spanned));
        let found = match &compiled.path {
            Some(path) => select_with(path, got.json),
            None => select(&a.path, got.json)?,
        };
        let actual = match found.len() {
            0 => None,
            1 => Some(found[0].clone()),
            _ => Some(Value::Array(found)),
        };
        let what = format!("json {}", a.path);
        check_value(&what, actual, a, compiled, vars, &mut fail)?;
    }
    for (spanned, compiled) in spec.xml.iter().zip(&prepared.xml) {
        let a = &spanned.value;
        line.set(line_of(spanned));
        let actual = xpath_value(&a.path, got.body)?;
        let what = format!("xml {}", a.path);
        check_value(&what, actual, a, compiled, vars, &mut fail)?;
    }
    if let (Some(schema), Some(m)) = (&spec.schema, &prepared.schema) {
        line.set(line_of(schema));
        if let Err(reason) = m.check((!got.body.is_empty()).then_some(got.body)) {
            fail(
                "schema".into(),
                Some(schema.value.clone()),
                (!got.body.is_empty()).then(|| json!(excerpt(got.body))),
                reason,
            );
        }
    }
    if let Some(f) = &spec.body_file {
        line.set(line_of(f));
        let path = got.dir.join(&f.value);
        let want = crate::read_text(&path).map_err(|e| format!("bodyFile {e}"))?;
        let same = match (serde_json::from_str::<Value>(&want), got.json) {
            (Ok(w), Some(a)) => check_rule(&MatchingRule::Equality, &w, a).is_ok() && w == *a,
            _ => want.trim_end() == got.body.trim_end(),
        };
        if !same {
            fail(
                "body".into(),
                Some(json!(excerpt(&want))),
                (!got.body.is_empty()).then(|| json!(excerpt(got.body))),
                format!("expected the body to equal {}", path.display()),
            );
        }
    }
    if let Some(max) = &spec.max_ms {
        line.set(line_of(max));
        let max = max.value;
        let ms = got.elapsed.as_secs_f64() * 1000.0;
        if ms > max as f64 {
            fail(
                "time".into(),
                Some(json!(max)),
                Some(json!(ms.round())),
                format!("expected an answer within {max} ms but it took {ms:.0} ms"),
            );
        }
    }
    if let Some(openapi) = &spec.openapi {
        out.extend(crate::openapi::check(
            &openapi.value,
            got,
            line_of(openapi),
        )?);
    }
    Ok(out)
}

/// The first 300 characters of a body, for reports.
pub fn excerpt(body: &str) -> String {
    let cut: String = body.chars().take(300).collect();
    if cut.len() < body.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// The values a JSONPath selects (none when the body is not JSON).
pub fn select(path: &str, doc: Option<&Value>) -> Result<Vec<Value>, String> {
    Ok(select_with(&parse_path(path)?, doc))
}

fn parse_path(path: &str) -> Result<JsonPath, String> {
    JsonPath::parse(path).map_err(|e| format!("invalid JSONPath `{path}`: {e}"))
}

/// The values a parsed JSONPath selects (none when the body is not JSON).
fn select_with(path: &JsonPath, doc: Option<&Value>) -> Vec<Value> {
    doc.map(|d| path.query(d).all().into_iter().cloned().collect())
        .unwrap_or_default()
}

/// The value of an XPath 1.0 expression over an XML body: a node set's string
/// values (one or many), or the string, number or boolean it computes; `None`
/// for an empty node set.
pub fn xpath_value(expr: &str, xml: &str) -> Result<Option<Value>, String> {
    let package = sxd_document::parser::parse(xml)
        .map_err(|e| format!("the body is not XML ({e:?}), so `{expr}` cannot apply"))?;
    let doc = package.as_document();
    let xpath = sxd_xpath::Factory::new()
        .build(expr)
        .map_err(|e| format!("invalid XPath `{expr}`: {e:?}"))?
        .ok_or_else(|| format!("empty XPath `{expr}`"))?;
    let value = xpath
        .evaluate(&sxd_xpath::Context::new(), doc.root())
        .map_err(|e| format!("XPath `{expr}`: {e:?}"))?;
    Ok(match value {
        sxd_xpath::Value::Nodeset(nodes) => {
            let nodes = nodes.document_order();
            match nodes.len() {
                0 => None,
                1 => Some(Value::String(nodes[0].string_value())),
                _ => Some(Value::Array(
                    nodes
                        .iter()
                        .map(|n| Value::String(n.string_value()))
                        .collect(),
                )),
            }
        }
        sxd_xpath::Value::String(s) => Some(Value::String(s)),
        sxd_xpath::Value::Number(n) => Some(json!(n)),
        sxd_xpath::Value::Boolean(b) => Some(Value::Bool(b)),
    })
}

/// Runs one check's operators against the value found at its path.
fn check_value(
    what: &str,
    actual: Option<Value>,
    a: &JsonAssert,
    compiled: &ValueChecks,
    vars: &Vars,
    fail: &mut impl FnMut(String, Option<Value>, Option<Value>, String),
) -> Result<(), String> {
    let what = what.to_string();
    if let Some(should) = a.exists {
        if should != actual.is_some() {
            let reason = if should {
                "expected a value but the path selects nothing"
            } else {
                "expected no value"
            };
            // exists: false expects nothing there
            fail(
                what.clone(),
                should.then(|| json!("a value")),
                actual.clone(),
                reason.into(),
            );
        }
    }
    let checks_value = a.equals.is_some()
        || a.not_equals.is_some()
        || a.lt.is_some()
        || a.lte.is_some()
        || a.gt.is_some()
        || a.gte.is_some()
        || a.contains.is_some()
        || a.matches.is_some()
        || a.kind.is_some()
        || a.length.is_some()
        || a.matcher.is_some();
    let Some(actual) = actual else {
        if checks_value {
            fail(what, None, None, "the path selects nothing".into());
        }
        return Ok(());
    };
    if let Some(e) = &a.equals {
        let e = interpolate_json(e, vars)?;
        if check_rule(&MatchingRule::Equality, &e, &actual).is_err() {
            fail(
                what.clone(),
                Some(e.clone()),
                Some(actual.clone()),
                format!("expected {e} but was {actual}"),
            );
        }
    }
    if let Some(e) = &a.not_equals {
        let e = interpolate_json(e, vars)?;
        if check_rule(&MatchingRule::Equality, &e, &actual).is_ok() {
            fail(
                what.clone(),
                Some(e.clone()),
                Some(actual.clone()),
                format!("expected anything but {e}"),
            );
        }
    }
    let number = actual
        .as_f64()
        .or_else(|| actual.as_str().and_then(|s| s.trim().parse().ok()));
    for (bound, op, holds) in [
        (a.lt, "<", (|x: f64, b: f64| x < b) as fn(f64, f64) -> bool),
        (a.lte, "<=", |x, b| x <= b),
        (a.gt, ">", |x, b| x > b),
        (a.gte, ">=", |x, b| x >= b),
    ] {
        if let Some(b) = bound {
            match number {
                Some(x) if holds(x, b) => {}
                Some(x) => fail(
                    what.clone(),
                    Some(json!(format!("{op} {b}"))),
                    Some(json!(x)),
                    format!("expected a value {op} {b} but was {x}"),
                ),
                None => fail(
                    what.clone(),
                    Some(json!(format!("{op} {b}"))),
                    Some(actual.clone()),
                    format!("expected a number {op} {b} but was {actual}"),
                ),
            }
        }
    }
    if let Some(c) = &a.contains {
        let c = interpolate_json(c, vars)?;
        let ok = match (&actual, &c) {
            (Value::String(s), Value::String(sub)) => s.contains(sub.as_str()),
            (Value::Array(items), _) => items
                .iter()
                .any(|i| check_rule(&MatchingRule::Equality, &c, i).is_ok()),
            (Value::Object(o), Value::String(k)) => o.contains_key(k),
            _ => false,
        };
        if !ok {
            fail(
                what.clone(),
                Some(c.clone()),
                Some(actual.clone()),
                format!("expected {actual} to contain {c}"),
            );
        }
    }
    if let (Some(re), Some(m)) = (&a.matches, &compiled.matches) {
        match scalar_text(&actual) {
            Some(t) if m.is_match(&t) => {}
            _ => fail(
                what.clone(),
                Some(json!(re)),
                Some(actual.clone()),
                format!("expected a value matching `{re}` but was {actual}"),
            ),
        }
    }
    if let Some(k) = &a.kind {
        let actual_kind = match &actual {
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            other => type_name(other),
        };
        let ok = k == actual_kind || (k == "number" && actual_kind == "integer");
        if !ok {
            fail(
                what.clone(),
                Some(json!(k)),
                Some(json!(actual_kind)),
                format!("expected {k} but was {actual_kind} ({actual})"),
            );
        }
    }
    if let Some(n) = a.length {
        let len = match &actual {
            Value::Array(x) => Some(x.len()),
            Value::String(s) => Some(s.chars().count()),
            Value::Object(o) => Some(o.len()),
            _ => None,
        };
        if len != Some(n) {
            fail(
                what.clone(),
                Some(json!(n)),
                Some(json!(len)),
                format!(
                    "expected length {n} but was {}",
                    len.map_or("no length".into(), |l| l.to_string())
                ),
            );
        }
    }
    if let (Some(m), Some(rule)) = (&a.matcher, &compiled.matcher) {
        if let Err(reason) = check_rule(rule, &actual, &actual) {
            fail(what, Some(m.clone()), Some(actual.clone()), reason);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(body: &str, assert_yaml: &str) -> Vec<Failure> {
        let spec: AssertSpec = seam_core::yaml::from_str("t.yaml", assert_yaml).unwrap();
        check_with(&spec, body, &Headers::default(), &Vars::new()).unwrap()
    }

    fn check_with(
        spec: &AssertSpec,
        body: &str,
        headers: &Headers,
        vars: &Vars,
    ) -> Result<Vec<Failure>, String> {
        let json: Option<Value> = serde_json::from_str(body).ok();
        let got = Received {
            status: 200,
            headers,
            body,
            json: json.as_ref(),
            elapsed: Duration::ZERO,
            dir: std::path::Path::new("."),
            method: "GET",
            url: "http://127.0.0.1:1/",
        };
        check(spec, &got, vars)
    }

    fn prepared(spec: &AssertSpec) -> Option<&Arc<Prepared>> {
        spec.prepared.kept.get().and_then(|r| r.as_ref().ok())
    }

    #[test]
    fn assertions_are_compiled_once_per_step() {
        let spec: AssertSpec = seam_core::yaml::from_str(
            "t.yaml",
            "headers: { Content-Type: { contains: json } }\n\
             schema: { type: object, required: [id], properties: { id: { type: integer } } }\n\
             json: [ { path: '$.id', matches: '[0-9]+', matcher: { match: integer } } ]",
        )
        .unwrap();
        let mut headers = Headers::default();
        headers.append("Content-Type", "application/json");
        let ok = || check_with(&spec, r#"{"id": 7}"#, &headers, &Vars::new());
        assert_eq!(ok(), Ok(vec![]));
        assert!(
            prepared(&spec).is_none(),
            "a step checked once keeps nothing"
        );
        assert_eq!(ok(), Ok(vec![]));
        let kept = Arc::clone(prepared(&spec).expect("kept by the second check"));
        assert!(matches!(kept.headers[..], [Compiled::Ready(_)]));
        assert!(kept.schema.is_some() && kept.json[0].path.is_some());
        // later responses: the same compiled form, the same verdicts
        let f = check_with(&spec, r#"{"id": "x"}"#, &headers, &Vars::new()).unwrap();
        assert!(Arc::ptr_eq(&kept, prepared(&spec).unwrap()));
        let what: Vec<&str> = f.iter().map(|f| f.what.as_str()).collect();
        assert_eq!(what, ["json $.id", "json $.id", "schema"], "{f:#?}");
        assert!(prepared(&spec.clone()).is_none(), "a copy starts empty");
    }

    #[test]
    fn a_matcher_with_variables_takes_each_checks_values() {
        let spec: AssertSpec =
            seam_core::yaml::from_str("t.yaml", "headers: { X-Id: '{{id}}' }\nbody: '{{id}}'")
                .unwrap();
        let mut headers = Headers::default();
        headers.append("X-Id", "1");
        let vars = |id: &str| Vars::from_iter([("id".to_string(), json!(id))]);
        assert_eq!(check_with(&spec, "1", &headers, &vars("1")), Ok(vec![]));
        assert_eq!(check_with(&spec, "1", &headers, &vars("1")), Ok(vec![]));
        assert!(matches!(
            prepared(&spec).unwrap().headers[..],
            [Compiled::PerCheck]
        ));
        let f = check_with(&spec, "1", &headers, &vars("2")).unwrap();
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(f[0].expected, Some(json!("2")));
        assert_eq!(f[1].what, "body");
        assert_eq!(f[1].expected, Some(json!("2")));
        let e = check_with(&spec, "1", &headers, &Vars::new()).unwrap_err();
        assert!(e.contains("undefined variable `id`"), "{e}");
    }

    #[test]
    fn a_malformed_assertion_is_an_error_even_when_its_path_selects_nothing() {
        let spec: AssertSpec =
            seam_core::yaml::from_str("t.yaml", "json: [ { path: '$.missing', matches: 'a[b' } ]")
                .unwrap();
        for _ in 0..2 {
            let e = check_with(&spec, "{}", &Headers::default(), &Vars::new()).unwrap_err();
            assert!(e.contains("a[b"), "{e}");
        }
        let spec: AssertSpec = seam_core::yaml::from_str(
            "t.yaml",
            "xml: [ { path: '/a', matcher: { match: fuzzy } } ]",
        )
        .unwrap();
        let e = check_with(&spec, "<b/>", &Headers::default(), &Vars::new()).unwrap_err();
        assert!(e.starts_with("xml /a: unknown matcher `fuzzy`"), "{e}");
    }

    #[test]
    fn absent_is_not_null() {
        let f = failures(
            r#"{"a": null}"#,
            "json: [ { path: $.a, equals: 1 }, { path: $.b, equals: 1 } ]\nheaders: { X-Id: '1' }",
        );
        assert_eq!(f.len(), 3, "{f:#?}");
        assert_eq!(f[0].actual, None, "no header: absent");
        assert_eq!(
            f[1].actual,
            Some(Value::Null),
            "an explicit null stays null"
        );
        assert_eq!(f[2].actual, None, "a path that selects nothing: absent");
        assert_eq!(f[2].reason, "the path selects nothing");
    }
}
