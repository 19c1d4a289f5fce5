//! Body comparison: presence, content type, then the structural matcher for the
//! body's kind (JSON, XML, form, text, bytes).

use super::json::{match_json, BodyMode};
use super::value::check_rule_list;
use super::xml::match_xml;
use super::{brief_side, Mismatch, Part};
use crate::http::{Body, ContentType, Query};
use crate::path::DocPath;
use crate::rules::{MatchingRule, RuleSet};
use serde_json::{json, Value};

/// Guesses a media type from content (for `contentType` matchers and bodies sent
/// without a header).
pub fn sniff_content_type(bytes: &[u8]) -> String {
    let magic: [(&[u8], &str); 6] = [
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF8", "image/gif"),
        (b"%PDF-", "application/pdf"),
        (b"PK\x03\x04", "application/zip"),
        (b"\x1f\x8b", "application/gzip"),
    ];
    if let Some((_, ct)) = magic.iter().find(|(m, _)| bytes.starts_with(m)) {
        return ct.to_string();
    }
    match std::str::from_utf8(bytes) {
        Ok(t) => {
            let s = t.trim_start();
            if (s.starts_with('{') || s.starts_with('['))
                && serde_json::from_str::<Value>(t).is_ok()
            {
                "application/json".into()
            } else if s.starts_with('<') && roxmltree::Document::parse(t).is_ok() {
                if s.to_ascii_lowercase().starts_with("<!doctype html") || s.starts_with("<html") {
                    "text/html".into()
                } else {
                    "application/xml".into()
                }
            } else {
                "text/plain".into()
            }
        }
        Err(_) => "application/octet-stream".into(),
    }
}

fn is_empty_expectation(b: &Body) -> bool {
    matches!(b, Body::Empty | Body::Json(Value::Null))
}

/// A body as a mismatch side; `None` when there is no body at all.
fn body_as_value(b: &Body) -> Option<Value> {
    Some(match b {
        Body::Absent => return None,
        Body::Empty => json!(""),
        Body::Json(v) => v.clone(),
        Body::Xml(s) | Body::Text(s) => json!(s),
        Body::Form(q) => json!(q.to_query_string()),
        Body::Bytes(b) => json!(String::from_utf8_lossy(b)),
    })
}

/// Compares bodies. `expected_type` and `actual_type` are the declared content
/// types, when known.
pub fn match_body(
    expected: &Body,
    actual: &Body,
    expected_type: Option<&ContentType>,
    actual_type: Option<&ContentType>,
    rules: Option<&RuleSet>,
    mode: BodyMode,
) -> Vec<Mismatch> {
    let empty = RuleSet::default();
    let rules = rules.unwrap_or(&empty);
    let mismatch = |reason: String| {
        vec![Mismatch::new(
            Part::Body,
            "$",
            body_as_value(expected),
            body_as_value(actual),
            reason,
        )]
    };
    if !expected.is_present() {
        return Vec::new();
    }
    if is_empty_expectation(expected) {
        return match actual {
            Body::Absent | Body::Empty | Body::Json(Value::Null) => Vec::new(),
            _ => mismatch(format!(
                "expected an empty body but found {}",
                actual.kind()
            )),
        };
    }
    if matches!(actual, Body::Absent | Body::Empty) {
        return mismatch(format!(
            "expected {} but the body was empty",
            expected.kind()
        ));
    }
    if let (Some(e), Some(a)) = (expected_type, actual_type) {
        if e.essence() != a.essence()
            && !(e.is_json() && a.is_json())
            && !(e.is_xml() && a.is_xml())
        {
            return vec![Mismatch::new(
                Part::BodyType,
                "",
                json!(e.essence()),
                json!(a.essence()),
                format!(
                    "expected a body of type '{}' but was '{}'",
                    e.essence(),
                    a.essence()
                ),
            )];
        }
    }
    // A rule on the whole body (regex on text, contentType on bytes) decides alone.
    let root_rule = rules.exact_for(&DocPath::root());
    // contentType describes the whole body, whatever its kind: the content is
    // sniffed, never walked (an XML body's text nodes are not of that type)
    let content_type = root_rule.and_then(|list| {
        list.rules.iter().find_map(|r| match r {
            MatchingRule::ContentType(ct) => Some(ct),
            _ => None,
        })
    });
    if let Some(ct) = content_type {
        let detected = sniff_content_type(&actual.to_bytes());
        return if detected.eq_ignore_ascii_case(ct)
            || ContentType::parse(&detected).is_xml() && ContentType::parse(ct).is_xml()
            || ContentType::parse(&detected).is_json() && ContentType::parse(ct).is_json()
        {
            Vec::new()
        } else {
            mismatch(format!(
                "expected content of type '{ct}' but found '{detected}'"
            ))
        };
    }
    match (expected, actual) {
        (Body::Json(e), Body::Json(a)) => match_json(e, a, rules, mode, Part::Body),
        (Body::Xml(e), Body::Xml(a)) => match_xml(e, a, rules, mode),
        (Body::Xml(e), Body::Text(a)) => match_xml(e, a, rules, mode),
        (Body::Form(e), Body::Form(a)) => match_form(e, a, rules),
        (e, a) => {
            let (ev, av) = (body_as_value(e), body_as_value(a));
            if let Some(list) = root_rule {
                let result = check_rule_list(
                    list,
                    ev.as_ref().unwrap_or(&Value::Null),
                    av.as_ref().unwrap_or(&Value::Null),
                );
                return match result {
                    Ok(()) => Vec::new(),
                    Err(reason) => mismatch(reason),
                };
            }
            if e.to_bytes() == a.to_bytes() {
                Vec::new()
            } else if std::mem::discriminant(e) != std::mem::discriminant(a)
                && !matches!(
                    (e, a),
                    (Body::Text(_), Body::Xml(_)) | (Body::Text(_), Body::Json(_))
                )
            {
                mismatch(format!("expected {} but found {}", e.kind(), a.kind()))
            } else {
                mismatch(format!(
                    "expected body {} but was {}",
                    brief_side(ev.as_ref()),
                    brief_side(av.as_ref())
                ))
            }
        }
    }
}

fn match_form(expected: &Query, actual: &Query, rules: &RuleSet) -> Vec<Mismatch> {
    super::http::match_multimap(
        Part::Body,
        expected.iter(),
        |k| actual.get_all(k),
        actual.iter().map(|(k, _)| k),
        Some(rules),
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_types() {
        assert_eq!(sniff_content_type(b"{\"a\":1}"), "application/json");
        assert_eq!(sniff_content_type(b"<a/>"), "application/xml");
        assert_eq!(sniff_content_type(b"\x89PNG\r\n\x1a\nxxxx"), "image/png");
        assert_eq!(sniff_content_type(b"hello"), "text/plain");
        assert_eq!(
            sniff_content_type(&[0xff, 0x00, 0xfe]),
            "application/octet-stream"
        );
    }

    #[test]
    fn content_type_rule_sniffs_binary_bodies() {
        let rules = RuleSet::from_v3_json(
            &json!({"$": {"matchers": [{"match": "contentType", "value": "image/png"}]}}),
        )
        .unwrap();
        let png = Body::Bytes(b"\x89PNG\r\n\x1a\n\x00\x00".to_vec());
        let jpeg = Body::Bytes(b"\xff\xd8\xff\xe0\x00".to_vec());
        let m = |a: &Body| match_body(&png, a, None, None, Some(&rules), BodyMode::Response);
        assert!(m(&png).is_empty());
        let bad = m(&jpeg);
        assert_eq!(bad.len(), 1);
        assert!(bad[0].reason.contains("image/jpeg"), "{}", bad[0].reason);
    }

    /// A contentType rule at `$` describes the whole body: an XML body is
    /// sniffed, not walked (pact-jvm's XMLConsumer2 fixture).
    #[test]
    fn content_type_rule_is_about_the_whole_xml_body() {
        let rules = RuleSet::from_v3_json(
            &json!({"$": {"matchers": [{"match": "contentType", "value": "application/xml"}]}}),
        )
        .unwrap();
        let xml =
            Body::Xml("<?xml version=\"1.0\" encoding=\"utf-8\"?><example>foo</example>".into());
        let other = Body::Xml("<other><a>1</a></other>".into());
        let m = |a: &Body| match_body(&xml, a, None, None, Some(&rules), BodyMode::Request);
        assert_eq!(m(&xml), vec![]);
        assert_eq!(m(&other), vec![]);
        assert_eq!(m(&Body::Text("foo".into())).len(), 1);
    }

    #[test]
    fn presence_rules() {
        let m = |e: &Body, a: &Body| match_body(e, a, None, None, None, BodyMode::Response);
        assert!(m(&Body::Absent, &Body::Json(json!({"a": 1}))).is_empty());
        assert!(m(&Body::Json(Value::Null), &Body::Absent).is_empty());
        assert_eq!(
            m(&Body::Json(Value::Null), &Body::Json(json!({"a": 1}))).len(),
            1
        );
        assert_eq!(m(&Body::Json(json!({"a": 1})), &Body::Absent).len(), 1);
        assert_eq!(m(&Body::Text("a".into()), &Body::Text("b".into())).len(), 1);
    }

    #[test]
    fn content_type_mismatch_is_reported_once() {
        let json_ct = ContentType::parse("application/json");
        let xml_ct = ContentType::parse("application/xml");
        let m = match_body(
            &Body::Json(json!({"a": 1})),
            &Body::Xml("<a/>".into()),
            Some(&json_ct),
            Some(&xml_ct),
            None,
            BodyMode::Response,
        );
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].part, Part::BodyType);
    }
}
