//! `matchesXPath`: an XPath 1.0 expression (with `xPathNamespaces`) checked
//! at load, evaluated on an XML document, and what it selects rendered as
//! WireMock does for a sub-matcher.

use crate::check::check_selected;
use crate::text::quote;
use crate::StringMatcher;

pub(crate) fn compile_xpath(expr: &str) -> Result<sxd_xpath::XPath, String> {
    sxd_xpath::Factory::new()
        .build(expr)
        .map_err(|e| format!("invalid XPath `{expr}`: {e}"))?
        .ok_or_else(|| format!("invalid XPath `{expr}`: it is empty"))
}

/// What an XPath selected, rendered as WireMock does: text and attribute nodes
/// by value, elements as XML, scalars as text (a false boolean selects nothing).
fn xpath_values(
    expr: &str,
    namespaces: &[(String, String)],
    text: &str,
) -> Result<Vec<String>, String> {
    if !text.trim_start().starts_with('<') {
        return Err(format!(
            "expected an XML document for `{expr}` but got {}",
            quote(text)
        ));
    }
    let package = sxd_document::parser::parse(text)
        .map_err(|e| format!("expected XML for `{expr}` but it is not valid XML: {e}"))?;
    let doc = package.as_document();
    let xpath = compile_xpath(expr)?;
    let mut context = sxd_xpath::Context::new();
    for (prefix, uri) in namespaces {
        context.set_namespace(prefix, uri);
    }
    let value = xpath
        .evaluate(&context, doc.root())
        .map_err(|e| format!("XPath `{expr}` failed: {e}"))?;
    Ok(match value {
        sxd_xpath::Value::Nodeset(nodes) => {
            nodes.document_order().iter().map(render_node).collect()
        }
        sxd_xpath::Value::Boolean(true) => vec!["true".to_string()],
        sxd_xpath::Value::Boolean(false) => Vec::new(),
        sxd_xpath::Value::Number(n) => vec![format_number(n)],
        sxd_xpath::Value::String(s) => vec![s],
    })
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn render_node(node: &sxd_xpath::nodeset::Node<'_>) -> String {
    use sxd_xpath::nodeset::Node;
    match node {
        Node::Element(e) => {
            let mut out = String::new();
            write_element(&mut out, *e, None);
            out
        }
        Node::Root(r) => {
            let mut out = String::new();
            for child in r.children() {
                if let Some(e) = child.element() {
                    write_element(&mut out, e, None);
                }
            }
            out
        }
        other => other.string_value(),
    }
}

fn escape_xml(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Serializes an element (declaring its namespace where it changes).
fn write_element(out: &mut String, e: sxd_document::dom::Element<'_>, parent_ns: Option<&str>) {
    let name = e.name();
    let prefix = e.preferred_prefix();
    let tag = match prefix {
        Some(p) => format!("{p}:{}", name.local_part()),
        None => name.local_part().to_string(),
    };
    out.push('<');
    out.push_str(&tag);
    if let Some(ns) = name.namespace_uri().filter(|ns| Some(*ns) != parent_ns) {
        match prefix {
            Some(p) => out.push_str(&format!(" xmlns:{p}=\"{}\"", escape_xml(ns, true))),
            None => out.push_str(&format!(" xmlns=\"{}\"", escape_xml(ns, true))),
        }
    }
    for a in e.attributes() {
        let an = match a.preferred_prefix() {
            Some(p) => format!("{p}:{}", a.name().local_part()),
            None => a.name().local_part().to_string(),
        };
        out.push_str(&format!(" {an}=\"{}\"", escape_xml(a.value(), true)));
    }
    let children = e.children();
    if children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for child in children {
        use sxd_document::dom::ChildOfElement as C;
        match child {
            C::Element(c) => write_element(out, c, name.namespace_uri()),
            C::Text(t) => out.push_str(&escape_xml(t.text(), false)),
            C::Comment(c) => out.push_str(&format!("<!--{}-->", c.text())),
            C::ProcessingInstruction(_) => {}
        }
    }
    out.push_str(&format!("</{tag}>"));
}

pub(crate) fn check_xpath(
    expr: &str,
    namespaces: &[(String, String)],
    sub: Option<&StringMatcher>,
    actual: Option<&str>,
) -> Result<(), String> {
    let Some(text) = actual else {
        return Err(format!(
            "expected an XML document for `{expr}` but the value was absent"
        ));
    };
    let values = xpath_values(expr, namespaces, text)?;
    match sub {
        None if values.is_empty() => Err(format!(
            "expected a match for `{expr}` but it selected nothing"
        )),
        None => Ok(()),
        Some(_) if values.is_empty() => Err(format!("`{expr}` selected nothing")),
        Some(sub) => check_selected(expr, &values, sub),
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::check_table;
    use serde_json::{json, Value};

    fn table() -> Vec<(Value, Option<&'static str>, bool)> {
        let xml = r#"<order xmlns:x="urn:x"><item id="1">pen</item><item id="2">ink</item><x:note>hi</x:note></order>"#;
        vec![
            // matchesXPath
            (
                json!({"matchesXPath": "/order/item[@id='2']"}),
                Some(xml),
                true,
            ),
            (
                json!({"matchesXPath": "/order/item[@id='3']"}),
                Some(xml),
                false,
            ),
            (
                json!({"matchesXPath": "//x:note", "xPathNamespaces": {"x": "urn:x"}}),
                Some(xml),
                true,
            ),
            (
                json!({"matchesXPath": "count(//item) = 2"}),
                Some(xml),
                true,
            ),
            (
                json!({"matchesXPath": "count(//item) = 3"}),
                Some(xml),
                false,
            ),
            (
                json!({"matchesXPath": {"expression": "//item/text()", "equalTo": "ink"}}),
                Some(xml),
                true,
            ),
            (
                json!({"matchesXPath": {"expression": "//item", "equalTo": "ink"}}),
                Some(xml),
                false,
            ),
            (
                json!({"matchesXPath": {"expression": "//item[1]", "contains": "id=\"1\""}}),
                Some(xml),
                true,
            ),
            (
                json!({"matchesXPath": {"expression": "//item/@id", "matches": "[3-9]"}}),
                Some(xml),
                false,
            ),
            (json!({"matchesXPath": "/order"}), Some("{\"a\": 1}"), false),
            (json!({"matchesXPath": "/order"}), None, false),
        ]
    }

    #[test]
    fn behaves_as_wiremock() {
        check_table(table());
    }
}
