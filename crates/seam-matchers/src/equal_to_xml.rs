//! `equalToXml`: XMLUnit-like comparison as WireMock configures it
//! (whitespace and comments ignored, attribute and differently named sibling
//! order free, namespace URIs compared), with XMLUnit placeholders and
//! WireMock's options: `exemptedComparisons`, `ignoreOrderOfSameNode`,
//! `namespaceAwareness` and placeholder delimiters.

use crate::text::{child_path, describe_json, quote};
use crate::{MatcherError, Parsed};
use regex::Regex;
use seam_core::regexp::{anchored, Dot};
use serde_json::{json, Map, Value};

/// XMLUnit's comparison types, the names `exemptedComparisons` takes.
const COMPARISONS: &[&str] = &[
    "ATTR_VALUE_EXPLICITLY_SPECIFIED",
    "HAS_DOCTYPE_DECLARATION",
    "DOCTYPE_NAME",
    "DOCTYPE_PUBLIC_ID",
    "DOCTYPE_SYSTEM_ID",
    "SCHEMA_LOCATION",
    "NO_NAMESPACE_SCHEMA_LOCATION",
    "NODE_TYPE",
    "NAMESPACE_PREFIX",
    "NAMESPACE_URI",
    "TEXT_VALUE",
    "PROCESSING_INSTRUCTION_TARGET",
    "PROCESSING_INSTRUCTION_DATA",
    "ELEMENT_TAG_NAME",
    "ELEMENT_NUM_ATTRIBUTES",
    "ATTR_VALUE",
    "CHILD_NODELIST_LENGTH",
    "CHILD_NODELIST_SEQUENCE",
    "CHILD_LOOKUP",
    "ATTR_NAME_LOOKUP",
    "XML_VERSION",
    "XML_STANDALONE",
    "XML_ENCODING",
];

const AWARENESS: &[&str] = &["STRICT", "LEGACY", "NONE"];

/// `equalToXml`'s options besides placeholders, as WireMock reads them.
#[derive(Debug, Clone, Default)]
pub struct XmlOptions {
    /// `exemptedComparisons`, as written.
    exempted: Vec<String>,
    ignore_order_of_same_node: bool,
    /// `namespaceAwareness`: `STRICT` (None), `LEGACY` or `NONE`.
    awareness: Option<String>,
    /// A placeholder with custom delimiters: `<open>xmlunit.name<close>`.
    delimiters: Option<(Option<String>, Option<String>, Regex)>,
}

impl XmlOptions {
    pub(crate) fn read(obj: &Map<String, Value>, path: &str) -> Parsed<Self> {
        let mut o = XmlOptions::default();
        match obj.get("exemptedComparisons") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{}[{i}]", child_path(path, "exemptedComparisons"));
                    match item.as_str() {
                        Some(c) if COMPARISONS.contains(&c) => o.exempted.push(c.to_string()),
                        Some(c) => {
                            return Err(MatcherError::new(
                                at,
                                format!(
                                    "unknown comparison type `{c}`{}",
                                    seam_core::source::did_you_mean(c, COMPARISONS.iter().copied())
                                ),
                            ))
                        }
                        None => {
                            return Err(MatcherError::new(
                                at,
                                format!(
                                    "a comparison type is a string, not {}",
                                    describe_json(item)
                                ),
                            ))
                        }
                    }
                }
            }
            Some(other) => {
                return Err(MatcherError::new(
                    child_path(path, "exemptedComparisons"),
                    format!(
                        "`exemptedComparisons` needs an array of XMLUnit comparison types, not {}",
                        describe_json(other)
                    ),
                ))
            }
        }
        o.ignore_order_of_same_node = match obj.get("ignoreOrderOfSameNode") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(MatcherError::new(
                    child_path(path, "ignoreOrderOfSameNode"),
                    format!(
                        "`ignoreOrderOfSameNode` needs true or false, not {}",
                        describe_json(other)
                    ),
                ))
            }
        };
        let text = |key: &str| -> Parsed<Option<String>> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(MatcherError::new(
                    child_path(path, key),
                    format!("`{key}` needs a string, not {}", describe_json(other)),
                )),
            }
        };
        if let Some(a) = text("namespaceAwareness")? {
            if !AWARENESS.contains(&a.as_str()) {
                return Err(MatcherError::new(
                    child_path(path, "namespaceAwareness"),
                    format!(
                        "unknown `namespaceAwareness` `{a}`; expected STRICT, LEGACY or NONE{}",
                        seam_core::source::did_you_mean(&a, AWARENESS.iter().copied())
                    ),
                ));
            }
            o.awareness = (a != "STRICT").then_some(a);
        }
        let open = text("placeholderOpeningDelimiterRegex")?;
        let close = text("placeholderClosingDelimiterRegex")?;
        if open.is_some() || close.is_some() {
            let (op, cl) = (
                open.as_deref().unwrap_or(r"\$\{"),
                close.as_deref().unwrap_or(r"\}"),
            );
            for (key, re) in [
                ("placeholderOpeningDelimiterRegex", op),
                ("placeholderClosingDelimiterRegex", cl),
            ] {
                Regex::new(re).map_err(|_| {
                    MatcherError::new(child_path(path, key), format!("invalid regex `{re}`"))
                })?;
            }
            let whole = format!(r"^\s*(?:{op})\s*xmlunit\.(.*?)\s*(?:{cl})\s*$");
            let re = anchored(&whole, Dot::All).map_err(|e| {
                MatcherError::new(child_path(path, "placeholderOpeningDelimiterRegex"), e)
            })?;
            o.delimiters = Some((open, close, re));
        }
        Ok(o)
    }

    pub(crate) fn write(&self, m: &mut Value) {
        if !self.exempted.is_empty() {
            m["exemptedComparisons"] = json!(self.exempted);
        }
        if self.ignore_order_of_same_node {
            m["ignoreOrderOfSameNode"] = json!(true);
        }
        if let Some(a) = &self.awareness {
            m["namespaceAwareness"] = json!(a);
        }
        if let Some((open, close, _)) = &self.delimiters {
            if let Some(o) = open {
                m["placeholderOpeningDelimiterRegex"] = json!(o);
            }
            if let Some(c) = close {
                m["placeholderClosingDelimiterRegex"] = json!(c);
            }
        }
    }

    fn exempt(&self, comparison: &str) -> bool {
        self.exempted.iter().any(|c| c == comparison)
    }
}

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
    options: &XmlOptions,
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
    let xml = XmlDiff {
        placeholders,
        options,
    };
    let (er, ar) = (e.root_element(), a.root_element());
    match xml.diff(&format!("/{}", er.tag_name().name()), er, ar) {
        None => Ok(()),
        Some(reason) => Err(reason),
    }
}

/// XMLUnit-like comparison as WireMock configures it: whitespace between
/// elements and comments ignored, text trimmed, attribute order and the order
/// of differently named siblings free, namespace URIs (not prefixes) compared.
struct XmlDiff<'o> {
    placeholders: bool,
    options: &'o XmlOptions,
}

impl XmlDiff<'_> {
    /// An element's name as this comparison sees it: the namespace URI and
    /// local name (STRICT), the local name (LEGACY, or NAMESPACE_URI
    /// exempted), or the prefix as written and the local name (NONE).
    fn name<'a>(&self, n: roxmltree::Node<'a, '_>) -> (Option<&'a str>, &'a str) {
        match self.options.awareness.as_deref() {
            Some("NONE") => (
                n.tag_name().namespace().and_then(|ns| n.lookup_prefix(ns)),
                n.tag_name().name(),
            ),
            Some(_) => (None, n.tag_name().name()),
            None if self.options.exempt("NAMESPACE_URI") => (None, n.tag_name().name()),
            None => expanded_name(n),
        }
    }

    fn same_name(&self, e: roxmltree::Node<'_, '_>, a: roxmltree::Node<'_, '_>) -> bool {
        self.options.exempt("ELEMENT_TAG_NAME") || self.name(e) == self.name(a)
    }

    fn diff(
        &self,
        path: &str,
        e: roxmltree::Node<'_, '_>,
        a: roxmltree::Node<'_, '_>,
    ) -> Option<String> {
        if !self.same_name(e, a) {
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
                None if self.options.exempt("ATTR_NAME_LOOKUP") => {}
                None => {
                    return Some(format!(
                        "XML differs at {path}/@{}: expected the attribute but it was missing",
                        ea.name()
                    ))
                }
                Some(aa)
                    if !self.options.exempt("ATTR_VALUE")
                        && !self.text_equal(ea.value(), aa.value()) =>
                {
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
        if self.options.exempt("ATTR_NAME_LOOKUP") || self.options.exempt("ELEMENT_NUM_ATTRIBUTES")
        {
            return None;
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
        if self.options.exempt("TEXT_VALUE") && e.len() == a.len() {
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
            let candidates: Vec<usize> = (0..a.len())
                .filter(|&j| !used[j] && self.same_name(*ev, a[j]))
                .collect();
            let child_path = format!("{path}/{}", step_name(*ev, e));
            // with `ignoreOrderOfSameNode`, any same-named sibling that
            // matches will do; else the next one in order must
            let pick = if self.options.ignore_order_of_same_node {
                candidates
                    .iter()
                    .copied()
                    .find(|&j| self.diff(&child_path, *ev, a[j]).is_none())
                    .or(candidates.first().copied())
            } else {
                candidates.first().copied()
            };
            let Some(j) = pick else {
                if self.options.exempt("CHILD_LOOKUP") {
                    continue;
                }
                return Some(format!(
                    "XML differs at {path}: expected a child element {} but it was missing",
                    element_label(*ev)
                ));
            };
            used[j] = true;
            if let Some(d) = self.diff(&child_path, *ev, a[j]) {
                return Some(d);
            }
        }
        if self.options.exempt("CHILD_NODELIST_LENGTH") || self.options.exempt("CHILD_LOOKUP") {
            return None;
        }
        (0..a.len()).find(|&j| !used[j]).map(|j| {
            format!(
                "XML differs at {path}: unexpected child element {}",
                element_label(a[j])
            )
        })
    }

    /// The placeholder in an expected value (`ignore`, `isNumber`,
    /// `matchesRegex(...)`), with the delimiters configured.
    fn placeholder<'e>(&self, expected: &'e str) -> Option<&'e str> {
        if !self.placeholders {
            return None;
        }
        match &self.options.delimiters {
            None => expected
                .strip_prefix("${xmlunit.")
                .and_then(|r| r.strip_suffix('}')),
            Some((_, _, re)) => re
                .captures(expected)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str()),
        }
    }

    fn is_ignore(&self, expected: &str) -> bool {
        self.placeholder(expected) == Some("ignore")
    }

    fn text_equal(&self, expected: &str, actual: &str) -> bool {
        if !self.placeholders {
            return expected == actual;
        }
        match self.placeholder(expected) {
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
            // WireMock's options; each verdict is what WireMock 3.13.2 answered
            (
                json!({"equalToXml": "<a><b>1</b><b>2</b></a>"}),
                Some("<a><b>2</b><b>1</b></a>"),
                false,
            ),
            (
                json!({"equalToXml": "<a><b>1</b><b>2</b></a>", "ignoreOrderOfSameNode": true}),
                Some("<a><b>2</b><b>1</b></a>"),
                true,
            ),
            (
                json!({"equalToXml": "<a><b>1</b><c/><b>2</b></a>", "ignoreOrderOfSameNode": true}),
                Some("<a><b>2</b><b>1</b><c/></a>"),
                true,
            ),
            (
                json!({"equalToXml": "<p:a xmlns:p=\"urn:x\"/>", "exemptedComparisons": ["NAMESPACE_URI"]}),
                Some("<a/>"),
                true,
            ),
            (
                json!({"equalToXml": "<a x=\"1\"/>", "exemptedComparisons": ["ATTR_VALUE"]}),
                Some("<a x=\"2\"/>"),
                true,
            ),
            (
                json!({"equalToXml": "<a>t</a>", "exemptedComparisons": ["TEXT_VALUE"]}),
                Some("<a>u</a>"),
                true,
            ),
            (
                json!({"equalToXml": "<a><b/></a>", "exemptedComparisons": ["CHILD_NODELIST_LENGTH"]}),
                Some("<a><b/><c/></a>"),
                true,
            ),
            (
                json!({"equalToXml": "<a x=\"1\"/>", "exemptedComparisons": ["ELEMENT_NUM_ATTRIBUTES"]}),
                Some("<a x=\"1\" y=\"2\"/>"),
                true,
            ),
            (
                json!({"equalToXml": "<a><b/></a>", "exemptedComparisons": ["ELEMENT_TAG_NAME"]}),
                Some("<a><c/></a>"),
                true,
            ),
            (
                json!({"equalToXml": "<a><b>1</b></a>", "exemptedComparisons": ["TEXT_VALUE"]}),
                Some("<a><b>2</b><c/></a>"),
                false,
            ),
            (
                json!({"equalToXml": "<a>[[xmlunit.ignore]]</a>", "enablePlaceholders": true,
                       "placeholderOpeningDelimiterRegex": "\\[\\[", "placeholderClosingDelimiterRegex": "]]"}),
                Some("<a>zzz</a>"),
                true,
            ),
            (
                json!({"equalToXml": "<a>${xmlunit.ignore}</a>", "enablePlaceholders": true,
                       "placeholderOpeningDelimiterRegex": "\\[\\[", "placeholderClosingDelimiterRegex": "]]"}),
                Some("<a>zzz</a>"),
                false,
            ),
            (
                json!({"equalToXml": "<p:a xmlns:p=\"urn:x\"/>", "namespaceAwareness": "LEGACY"}),
                Some("<q:a xmlns:q=\"urn:x\"/>"),
                true,
            ),
            (
                json!({"equalToXml": "<p:a xmlns:p=\"urn:x\"/>", "namespaceAwareness": "LEGACY"}),
                Some("<a/>"),
                true,
            ),
            (
                json!({"equalToXml": "<p:a xmlns:p=\"urn:x\"/>", "namespaceAwareness": "NONE"}),
                Some("<a/>"),
                false,
            ),
            (
                json!({"equalToXml": "<p:a xmlns:p=\"urn:x\"/>", "namespaceAwareness": "NONE"}),
                Some("<q:a xmlns:q=\"urn:x\"/>"),
                false,
            ),
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
    fn unknown_options_are_refused_as_wiremock_does() {
        let e = crate::test_support::err(
            json!({"equalToXml": "<a/>", "exemptedComparisons": ["ATTR_VALU"]}),
        );
        assert!(e.starts_with("$.exemptedComparisons[0]: unknown comparison type `ATTR_VALU` (did you mean `ATTR_VALUE`?)"), "{e}");
        let e =
            crate::test_support::err(json!({"equalToXml": "<a/>", "namespaceAwareness": "BOGUS"}));
        assert!(e.contains("expected STRICT, LEGACY or NONE"), "{e}");
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
