//! `equalToXml`: XMLUnit-like comparison as WireMock configures it
//! (whitespace and comments ignored, attribute and differently named sibling
//! order free, namespace URIs compared), with XMLUnit placeholders.

use crate::text::quote;
use seam_core::regexp::{anchored, Dot};

/// The children XMLUnit compares once whitespace and comments are ignored.
enum XmlChild<'a, 'i> {
    Element(roxmltree::Node<'a, 'i>),
    Text(String),
}

fn significant_children<'a, 'i>(node: roxmltree::Node<'a, 'i>) -> Vec<XmlChild<'a, 'i>> {
    let mut out = Vec::new();
    let mut text = String::new();
    for child in node.children() {
        if child.is_element() {
            flush_text(&mut text, &mut out);
            out.push(XmlChild::Element(child));
        } else if child.is_text() {
            text.push_str(child.text().unwrap_or(""));
        }
    }
    flush_text(&mut text, &mut out);
    out
}

fn child_texts(children: &[XmlChild<'_, '_>]) -> Vec<String> {
    children
        .iter()
        .filter_map(|x| match x {
            XmlChild::Text(t) => Some(t.clone()),
            XmlChild::Element(_) => None,
        })
        .collect()
}

fn child_elements<'a, 'i>(children: Vec<XmlChild<'a, 'i>>) -> Vec<roxmltree::Node<'a, 'i>> {
    children
        .into_iter()
        .filter_map(|x| match x {
            XmlChild::Element(n) => Some(n),
            XmlChild::Text(_) => None,
        })
        .collect()
}

fn flush_text(text: &mut String, out: &mut Vec<XmlChild<'_, '_>>) {
    let trimmed = text.trim();
    if !trimmed.is_empty() {
        out.push(XmlChild::Text(trimmed.to_string()));
    }
    text.clear();
}

fn expanded_name<'a>(n: roxmltree::Node<'a, '_>) -> (Option<&'a str>, &'a str) {
    (n.tag_name().namespace(), n.tag_name().name())
}

fn element_label(n: roxmltree::Node<'_, '_>) -> String {
    match n.tag_name().namespace() {
        Some(ns) => format!("<{}> (namespace {ns})", n.tag_name().name()),
        None => format!("<{}>", n.tag_name().name()),
    }
}

pub(crate) fn check_equal_xml(
    expected: &str,
    placeholders: bool,
    actual: Option<&str>,
) -> Result<(), String> {
    let Some(text) = actual.filter(|t| !t.is_empty()) else {
        return Err("expected an XML document but the value was absent".into());
    };
    let e = roxmltree::Document::parse(expected)
        .map_err(|err| format!("invalid expected XML: {err}"))?;
    let a = roxmltree::Document::parse(text).map_err(|err| {
        format!(
            "expected XML but the value is not valid XML ({err}): {}",
            quote(text)
        )
    })?;
    let xml = XmlDiff { placeholders };
    let (er, ar) = (e.root_element(), a.root_element());
    match xml.diff(&format!("/{}", er.tag_name().name()), er, ar) {
        None => Ok(()),
        Some(reason) => Err(reason),
    }
}

/// XMLUnit-like comparison as WireMock configures it: whitespace between
/// elements and comments ignored, text trimmed, attribute order and the order
/// of differently named siblings free, namespace URIs (not prefixes) compared.
struct XmlDiff {
    placeholders: bool,
}

impl XmlDiff {
    fn diff(
        &self,
        path: &str,
        e: roxmltree::Node<'_, '_>,
        a: roxmltree::Node<'_, '_>,
    ) -> Option<String> {
        if expanded_name(e) != expanded_name(a) {
            return Some(format!(
                "XML differs at {path}: expected element {} but was {}",
                element_label(e),
                element_label(a)
            ));
        }
        self.diff_attributes(path, e, a)
            .or_else(|| self.diff_children(path, e, a))
    }

    fn diff_attributes(
        &self,
        path: &str,
        e: roxmltree::Node<'_, '_>,
        a: roxmltree::Node<'_, '_>,
    ) -> Option<String> {
        for ea in e.attributes() {
            let found = a
                .attributes()
                .find(|aa| aa.name() == ea.name() && aa.namespace() == ea.namespace());
            match found {
                None => {
                    return Some(format!(
                        "XML differs at {path}/@{}: expected the attribute but it was missing",
                        ea.name()
                    ))
                }
                Some(aa) if !self.text_equal(ea.value(), aa.value()) => {
                    return Some(format!(
                        "XML differs at {path}/@{}: expected {} but was {}",
                        ea.name(),
                        quote(ea.value()),
                        quote(aa.value())
                    ))
                }
                Some(_) => {}
            }
        }
        a.attributes()
            .find(|aa| {
                !e.attributes()
                    .any(|ea| ea.name() == aa.name() && ea.namespace() == aa.namespace())
            })
            .map(|aa| format!("XML differs at {path}/@{}: unexpected attribute", aa.name()))
    }

    fn diff_children(
        &self,
        path: &str,
        e: roxmltree::Node<'_, '_>,
        a: roxmltree::Node<'_, '_>,
    ) -> Option<String> {
        let (ec, ac) = (significant_children(e), significant_children(a));
        if let Some(d) = self.diff_texts(path, &child_texts(&ec), &child_texts(&ac)) {
            return Some(d);
        }
        self.diff_elements(path, &child_elements(ec), &child_elements(ac))
    }

    fn diff_texts(&self, path: &str, e: &[String], a: &[String]) -> Option<String> {
        if e.len() == 1 && a.is_empty() && self.is_ignore(&e[0]) {
            return None;
        }
        for i in 0..e.len().max(a.len()) {
            match (e.get(i), a.get(i)) {
                (Some(x), Some(y)) if self.text_equal(x, y) => {}
                (x, y) => {
                    return Some(format!(
                        "XML differs at {path}/text(): expected {} but was {}",
                        x.map_or("no text".to_string(), |t| quote(t)),
                        y.map_or("no text".to_string(), |t| quote(t))
                    ))
                }
            }
        }
        None
    }

    /// Pairs children by expanded name, in order within each name (XMLUnit
    /// with WireMock's order-invariant node matcher).
    fn diff_elements(
        &self,
        path: &str,
        e: &[roxmltree::Node<'_, '_>],
        a: &[roxmltree::Node<'_, '_>],
    ) -> Option<String> {
        let mut used = vec![false; a.len()];
        for ev in e {
            let Some(j) =
                (0..a.len()).find(|&j| !used[j] && expanded_name(a[j]) == expanded_name(*ev))
            else {
                return Some(format!(
                    "XML differs at {path}: expected a child element {} but it was missing",
                    element_label(*ev)
                ));
            };
            used[j] = true;
            let child_path = format!("{path}/{}", step_name(*ev, e));
            if let Some(d) = self.diff(&child_path, *ev, a[j]) {
                return Some(d);
            }
        }
        (0..a.len()).find(|&j| !used[j]).map(|j| {
            format!(
                "XML differs at {path}: unexpected child element {}",
                element_label(a[j])
            )
        })
    }

    fn is_ignore(&self, expected: &str) -> bool {
        self.placeholders && expected == "${xmlunit.ignore}"
    }

    fn text_equal(&self, expected: &str, actual: &str) -> bool {
        if !self.placeholders {
            return expected == actual;
        }
        match expected
            .strip_prefix("${xmlunit.")
            .and_then(|r| r.strip_suffix('}'))
        {
            Some("ignore") => true,
            Some("isNumber") => actual.trim().parse::<f64>().is_ok(),
            Some("isDateTime") => is_date_time(actual.trim()),
            Some(p) if p.starts_with("matchesRegex(") && p.ends_with(')') => {
                let re = &p["matchesRegex(".len()..p.len() - 1];
                anchored(re, Dot::All).is_ok_and(|re| re.is_match(actual))
            }
            _ => expected == actual,
        }
    }
}

fn is_date_time(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
        || chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// `item` or `item[2]` when several siblings share the name.
fn step_name(n: roxmltree::Node<'_, '_>, siblings: &[roxmltree::Node<'_, '_>]) -> String {
    let same: Vec<_> = siblings
        .iter()
        .filter(|s| expanded_name(**s) == expanded_name(n))
        .collect();
    let name = n.tag_name().name();
    if same.len() < 2 {
        return name.to_string();
    }
    let pos = same.iter().position(|s| **s == n).unwrap_or(0) + 1;
    format!("{name}[{pos}]")
}

#[cfg(test)]
mod tests {
    use crate::test_support::{check_table, m};
    use serde_json::{json, Value};

    fn table() -> Vec<(Value, Option<&'static str>, bool)> {
        vec![
            // equalToXml
            (
                json!({"equalToXml": "<a><b x=\"1\" y=\"2\">t</b><c/></a>"}),
                Some("<a>\n  <c/>\n  <b y=\"2\" x=\"1\"> t </b>\n</a>"),
                true,
            ),
            (
                json!({"equalToXml": "<a><b>t</b></a>"}),
                Some("<a><b>u</b></a>"),
                false,
            ),
            (
                json!({"equalToXml": "<a><b>t</b></a>"}),
                Some("<a><b>t</b><b>t</b></a>"),
                false,
            ),
            (
                json!({"equalToXml": "<p:a xmlns:p=\"urn:n\"/>"}),
                Some("<q:a xmlns:q=\"urn:n\"/>"),
                true,
            ),
            (
                json!({"equalToXml": "<p:a xmlns:p=\"urn:n\"/>"}),
                Some("<a/>"),
                false,
            ),
            (
                json!({"equalToXml": "<a><!-- c --><b/></a>"}),
                Some("<a><b/></a>"),
                true,
            ),
            (
                json!({"equalToXml": "<a id=\"${xmlunit.isNumber}\">${xmlunit.ignore}</a>", "enablePlaceholders": true}),
                Some("<a id=\"12\">whatever</a>"),
                true,
            ),
            (
                json!({"equalToXml": "<a id=\"${xmlunit.isNumber}\"/>", "enablePlaceholders": true}),
                Some("<a id=\"x\"/>"),
                false,
            ),
            (json!({"equalToXml": "<a/>"}), None, false),
            (json!({"equalToXml": "<a/>"}), Some(""), false),
        ]
    }

    #[test]
    fn behaves_as_wiremock() {
        check_table(table());
    }

    #[test]
    fn reasons_name_the_xml_path() {
        let reason = |spec: Value, actual: Option<&str>| m(spec).check(actual).unwrap_err();
        assert_eq!(
            reason(
                json!({"equalToXml": "<a><b x=\"1\"/></a>"}),
                Some("<a><b x=\"2\"/></a>")
            ),
            "XML differs at /a/b/@x: expected \"1\" but was \"2\""
        );
    }
}
