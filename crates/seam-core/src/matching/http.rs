//! Whole-request, whole-response and message comparison: method, path, query,
//! headers, status, metadata and body.

use super::body::match_body;
use super::json::BodyMode;
use super::value::{check_rule_list, check_text_rule_list, values_equal};
use super::{Mismatch, Part};
use crate::http::{Body, ContentType, Headers, Request, Response};
use crate::path::DocPath;
use crate::rules::{Category, MatchingRule, MatchingRules, RuleList, RuleSet};
use serde_json::{json, Map, Value};

/// A message (asynchronous, or one half of a synchronous exchange): contents plus
/// metadata.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    /// The message body (Pact `contents`); [`Body::Absent`] when none was given.
    pub contents: Body,
    /// The contents' type, from `metadata.contentType` or the v4 body; `None` leaves
    /// the kind to the contents themselves.
    pub content_type: Option<ContentType>,
    /// Metadata as given (Pact message `metadata`), `contentType` included; every
    /// expected key must be present.
    pub metadata: Map<String, Value>,
}

/// Compares a request against the expected one.
pub fn match_request(expected: &Request, actual: &Request, rules: &MatchingRules) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if !expected.method.eq_ignore_ascii_case(&actual.method) {
        out.push(Mismatch::new(
            Part::Method,
            "",
            json!(expected.method.to_uppercase()),
            json!(actual.method.to_uppercase()),
            format!(
                "expected method {} but was {}",
                expected.method.to_uppercase(),
                actual.method.to_uppercase()
            ),
        ));
    }
    out.extend(match_path(
        &expected.path,
        &actual.path,
        rules.category(Category::Path),
    ));
    out.extend(match_multimap(
        Part::Query,
        expected.query.iter(),
        |k| actual.query.get_all(k),
        actual.query.iter().map(|(k, _)| k),
        rules.category(Category::Query),
        true,
    ));
    out.extend(match_headers(expected, actual, rules));
    out.extend(match_http_body(
        (&expected.headers, &expected.body),
        (&actual.headers, &actual.body),
        rules,
        BodyMode::Request,
    ));
    out
}

/// Compares a response against the expected one.
pub fn match_response(
    expected: &Response,
    actual: &Response,
    rules: &MatchingRules,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let status_rules = rules.category(Category::Status);
    match status_rules.and_then(|s| s.exact_for(&DocPath::root())) {
        Some(list) => {
            if let Err(reason) =
                check_rule_list(list, &json!(expected.status), &json!(actual.status))
            {
                out.push(Mismatch::new(
                    Part::Status,
                    "",
                    json!(expected.status),
                    json!(actual.status),
                    reason,
                ));
            }
        }
        None if expected.status != actual.status => out.push(Mismatch::new(
            Part::Status,
            "",
            json!(expected.status),
            json!(actual.status),
            format!(
                "expected status {} but was {}",
                expected.status, actual.status
            ),
        )),
        None => {}
    }
    out.extend(match_header_maps(
        &expected.headers,
        &actual.headers,
        rules.category(Category::Header),
    ));
    out.extend(match_http_body(
        (&expected.headers, &expected.body),
        (&actual.headers, &actual.body),
        rules,
        BodyMode::Response,
    ));
    out
}

/// Compares a message: contents (rules in the `content`/`body` category) and
/// metadata (rules in `metadata`).
pub fn match_message(expected: &Message, actual: &Message, rules: &MatchingRules) -> Vec<Mismatch> {
    let body_rules = rules
        .category(Category::Content)
        .or_else(|| rules.category(Category::Body));
    let mut out = match_body(
        &expected.contents,
        &actual.contents,
        expected.content_type.as_ref(),
        actual.content_type.as_ref(),
        body_rules,
        BodyMode::Response,
    );
    let meta_rules = rules.category(Category::Metadata);
    for (k, ev) in &expected.metadata {
        if k.eq_ignore_ascii_case("contentType") || k.eq_ignore_ascii_case("content-type") {
            continue;
        }
        match actual.metadata.get(k) {
            None => out.push(Mismatch::new(
                Part::Metadata,
                k.clone(),
                ev.clone(),
                None,
                format!("expected metadata '{k}' but it was missing"),
            )),
            Some(av) => {
                let rule = meta_rules.and_then(|r| r.exact_for(&DocPath::root().field(k)));
                let result = match rule {
                    Some(list) => check_rule_list(list, ev, av),
                    None if values_equal(ev, av) => Ok(()),
                    None => Err(format!("expected {ev} but was {av}")),
                };
                if let Err(reason) = result {
                    out.push(Mismatch::new(
                        Part::Metadata,
                        k.clone(),
                        ev.clone(),
                        av.clone(),
                        reason,
                    ));
                }
            }
        }
    }
    out
}

/// Compares the bodies of two requests or responses, each with its headers.
fn match_http_body(
    (expected_headers, expected): (&Headers, &Body),
    (actual_headers, actual): (&Headers, &Body),
    rules: &MatchingRules,
    mode: BodyMode,
) -> Vec<Mismatch> {
    match_body(
        expected,
        actual,
        declared_type(expected_headers, expected).as_ref(),
        declared_type(actual_headers, actual).as_ref(),
        rules.category(Category::Body),
        mode,
    )
}

fn declared_type(headers: &crate::http::Headers, body: &Body) -> Option<ContentType> {
    headers.content_type().or(match body {
        Body::Json(_) => Some(ContentType::parse("application/json")),
        Body::Xml(_) => Some(ContentType::parse("application/xml")),
        Body::Form(_) => Some(ContentType::parse("application/x-www-form-urlencoded")),
        _ => None,
    })
}

fn match_path(expected: &str, actual: &str, rules: Option<&RuleSet>) -> Option<Mismatch> {
    let rule = rules.and_then(|r| r.best_for(&DocPath::root()));
    let result = match rule {
        Some(list) => check_text_rule_list(list, expected, actual),
        None if expected == actual => Ok(()),
        None => Err(format!("expected path '{expected}' but was '{actual}'")),
    };
    result
        .err()
        .map(|reason| Mismatch::new(Part::Path, "", json!(expected), json!(actual), reason))
}

/// Compares two string multimaps (query, form bodies). Rules are looked up by
/// key name, with `$.name` and `name` both accepted. `strict` rejects unexpected keys.
pub(crate) fn match_multimap<'a>(
    part: Part,
    expected: impl Iterator<Item = (&'a str, &'a [String])>,
    actual_get: impl Fn(&str) -> Option<&'a [String]>,
    actual_keys: impl Iterator<Item = &'a str>,
    rules: Option<&RuleSet>,
    strict: bool,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for (k, ev) in expected {
        seen.push(k);
        let Some(av) = actual_get(k) else {
            out.push(Mismatch::new(
                part,
                k,
                json!(ev),
                None,
                format!("expected {} '{k}' but it was missing", part.name()),
            ));
            continue;
        };
        let key_path = DocPath::root().field(k);
        let rule = rules.and_then(|r| r.best_for(&key_path));
        match rule.map(per_value) {
            Some(list) => {
                // the rule applies to every value; the first expected value is the example
                for (i, a) in av.iter().enumerate() {
                    let e = ev.get(i).or(ev.first()).cloned().unwrap_or_default();
                    if let Err(reason) = check_text_rule_list(&list, &e, a) {
                        out.push(Mismatch::new(part, k, json!(ev), json!(av), reason));
                    }
                }
            }
            None if ev != av => out.push(Mismatch::new(
                part,
                k,
                json!(ev),
                json!(av),
                format!(
                    "expected {} '{k}' to be {:?} but was {:?}",
                    part.name(),
                    ev,
                    av
                ),
            )),
            None => {}
        }
    }
    if strict {
        for k in actual_keys {
            if !seen.contains(&k) {
                out.push(Mismatch::new(
                    part,
                    k,
                    None,
                    json!(actual_get(k)),
                    format!("unexpected {} '{k}'", part.name()),
                ));
            }
        }
    }
    out
}

/// A multimap key's values are a list: an `eachValue` rule on the key means
/// its rules for each value (a form's `roles[]=a&roles[]=b`).
fn per_value(list: &RuleList) -> std::borrow::Cow<'_, RuleList> {
    if !list
        .rules
        .iter()
        .any(|r| matches!(r, MatchingRule::EachValue(_)))
    {
        return std::borrow::Cow::Borrowed(list);
    }
    let rules = list
        .rules
        .iter()
        .flat_map(|r| match r {
            MatchingRule::EachValue(inner) => inner.rules.clone(),
            other => vec![other.clone()],
        })
        .collect();
    std::borrow::Cow::Owned(RuleList {
        rules,
        logic: list.logic,
    })
}

fn match_headers(expected: &Request, actual: &Request, rules: &MatchingRules) -> Vec<Mismatch> {
    match_header_maps(
        &expected.headers,
        &actual.headers,
        rules.category(Category::Header),
    )
}

/// Headers whose values are media types with parameters.
fn is_media_type_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("content-type") || name.eq_ignore_ascii_case("accept")
}

fn split_values(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Media types match when essences are equal (ignoring case) and every expected
/// parameter is present with the same value (charset compared ignoring case).
fn media_types_match(expected: &str, actual: &str) -> bool {
    let (e, a) = (ContentType::parse(expected), ContentType::parse(actual));
    e.essence() == a.essence()
        && e.params.iter().all(|(k, v)| {
            a.params.iter().any(|(ak, av)| {
                ak == k
                    && if k == "charset" {
                        av.eq_ignore_ascii_case(v)
                    } else {
                        av == v
                    }
            })
        })
}

fn match_header_maps(
    expected: &crate::http::Headers,
    actual: &crate::http::Headers,
    rules: Option<&RuleSet>,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for (name, ev) in expected.iter() {
        let Some(av) = actual.get_all(name) else {
            out.push(Mismatch::new(
                Part::Header,
                name,
                json!(ev.join(", ")),
                None,
                format!("expected header '{name}' but it was missing"),
            ));
            continue;
        };
        let (e_joined, a_joined) = (ev.join(", "), av.join(", "));
        let rule = rules.and_then(|r| {
            r.iter()
                .find(|(expr, _)| {
                    expr.as_str()
                        .trim_start_matches("$.")
                        .eq_ignore_ascii_case(name)
                })
                .map(|(_, l)| l)
        });
        let result = match rule {
            Some(list) => check_text_rule_list(list, &e_joined, &a_joined),
            None if is_media_type_header(name)
                && e_joined.contains('/')
                && a_joined.contains('/') =>
            {
                let (es, as_) = (split_media(&e_joined), split_media(&a_joined));
                if es.len() == as_.len()
                    && es.iter().zip(&as_).all(|(e, a)| media_types_match(e, a))
                {
                    Ok(())
                } else {
                    Err(format!(
                        "expected header '{name}' to be '{e_joined}' but was '{a_joined}'"
                    ))
                }
            }
            None if split_values(ev) == split_values(av) => Ok(()),
            None => Err(format!(
                "expected header '{name}' to be '{e_joined}' but was '{a_joined}'"
            )),
        };
        if let Err(reason) = result {
            out.push(Mismatch::new(
                Part::Header,
                name,
                json!(e_joined),
                json!(a_joined),
                reason,
            ));
        }
    }
    out
}

/// Splits `a/b;q=1, c/d` into media types (commas inside quotes are kept).
fn split_media(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in v.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Headers, Query};

    /// pact-php's form fixture: `eachValue` on a repeated form field applies
    /// its rules to each value.
    #[test]
    fn each_value_on_a_form_field_checks_each_value() {
        let form = |q: &str| Request {
            method: "POST".into(),
            path: "/users".into(),
            headers: Headers::from_iter([("Content-Type", "application/x-www-form-urlencoded")]),
            body: Body::Form(Query::parse(q)),
            ..Default::default()
        };
        let mut rules = MatchingRules::default();
        rules.add(
            Category::Body,
            crate::path::PathExpr::parse("$['roles[]']").unwrap(),
            RuleList::from_matchers_json(
                &json!({"matchers": [{"match": "eachValue", "rules": [{"match": "regex", "regex": "Admin|User"}]}]}),
                crate::rules::RuleLogic::And,
            )
            .unwrap(),
        );
        let expected = form("name=a&roles%5B%5D=User");
        assert_eq!(match_request(&expected, &expected, &rules), vec![]);
        let two = form("name=a&roles%5B%5D=Admin&roles%5B%5D=User");
        assert_eq!(match_request(&expected, &two, &rules), vec![]);
        let bad = form("name=a&roles%5B%5D=Admin&roles%5B%5D=Root");
        assert_eq!(match_request(&expected, &bad, &rules).len(), 1);
    }

    #[test]
    fn request_mismatches_name_their_part() {
        let expected = Request {
            method: "POST".into(),
            path: "/orders".into(),
            query: Query::parse("a=1"),
            headers: Headers::from_iter([("Content-Type", "application/json")]),
            body: Body::Json(json!({"id": 1})),
        };
        let mut actual = expected.clone();
        assert!(match_request(&expected, &actual, &MatchingRules::default()).is_empty());
        actual.method = "put".into();
        actual.path = "/order".into();
        actual.query = Query::parse("a=2&b=1");
        actual.body = Body::Json(json!({"id": 2}));
        let parts: Vec<_> = match_request(&expected, &actual, &MatchingRules::default())
            .iter()
            .map(|m| m.location())
            .collect();
        assert_eq!(parts, ["method", "path", "query a", "query b", "body $.id"]);
    }

    #[test]
    fn header_values_and_media_types() {
        assert!(media_types_match(
            "application/json",
            "application/json; charset=UTF-8"
        ));
        assert!(media_types_match(
            "application/json;charset=utf-8",
            "Application/JSON; charset=UTF-8"
        ));
        assert!(!media_types_match(
            "application/json; charset=UTF-16",
            "application/json; charset=UTF-8"
        ));
        let e = Headers::from_iter([("Accept-Encoding", "gzip,br")]);
        let a = Headers::from_iter([("accept-encoding", "gzip, br")]);
        assert!(match_header_maps(&e, &a, None).is_empty());
        let a = Headers::from_iter([("accept-encoding", "br, gzip")]);
        assert_eq!(match_header_maps(&e, &a, None).len(), 1);
    }

    #[test]
    fn status_code_rule() {
        let mut rules = MatchingRules::default();
        rules.add(
            Category::Status,
            crate::path::PathExpr::root(),
            crate::rules::RuleList::new(vec![crate::rules::MatchingRule::StatusCode(
                crate::rules::StatusClass::Success,
            )]),
        );
        let e = Response::default();
        let a = Response {
            status: 204,
            ..Default::default()
        };
        assert!(match_response(&e, &a, &rules).is_empty());
        let a = Response {
            status: 500,
            ..Default::default()
        };
        assert_eq!(match_response(&e, &a, &rules)[0].part, Part::Status);
    }
}
