//! XML helpers: `xPath` and `soapXPath` (XPath 1.0, namespaces ignored).

use std::collections::HashMap;
use std::ops::Range;

use handlebars::{RenderContext, RenderError};
use serde_json::{json, Map, Number, Value};

use crate::template::helpers::call::Call;
use crate::template::helpers::{inline_error, text_out, Out, XML_KEY};
use crate::template::java_text::java_trim;

/// Deepest XML nesting `xPath` accepts.
pub(crate) const MAX_XML_DEPTH: usize = 256;

pub(crate) fn xml_node(name: &str, text: &str, xml: &str) -> Value {
    json!({ "name": name, "text": text, "attributes": {}, XML_KEY: xml })
}

/// Evaluates XPath 1.0 over `xml` with namespaces ignored (names match by local
/// name, as WireMock's examples do). Elements render written pretty, as
/// WireMock writes them (`<inner>Stuff</inner>` and a newline).
// sxd elements hash by node identity, not by their (mutable) content
#[allow(clippy::mutable_key_type)]
pub(crate) fn xpath_query(xml: &str, expr: &str) -> Result<Value, String> {
    use sxd_xpath::nodeset::Node;
    let invalid_xml = || format!("{xml} is not valid XML");
    if xml_depth(xml) > MAX_XML_DEPTH {
        return Err(format!("XML nested deeper than {MAX_XML_DEPTH} levels"));
    }
    let declared = declare_prefixes(xml);
    let xml: &str = &declared;
    let src = roxmltree::Document::parse(xml).map_err(|_| invalid_xml())?;
    let package = sxd_document::Package::new();
    let doc = package.as_document();
    let mut ranges = HashMap::new();
    let top = copy_element(&doc, src.root_element(), &mut ranges, 0).ok_or_else(invalid_xml)?;
    doc.root().append_child(top);
    let invalid_xpath = || format!("{expr} is not a valid XPath expression");
    let xpath = sxd_xpath::Factory::new()
        .build(expr)
        .ok()
        .flatten()
        .ok_or_else(invalid_xpath)?;
    let value = xpath
        .evaluate(&sxd_xpath::Context::new(), doc.root())
        .map_err(|_| invalid_xpath())?;
    Ok(match value {
        sxd_xpath::Value::Nodeset(nodes) => {
            let nodes: Vec<Value> = nodes
                .document_order()
                .into_iter()
                .map(|n| match n {
                    Node::Element(e) => {
                        let attributes: Map<String, Value> = e
                            .attributes()
                            .iter()
                            .map(|a| {
                                (
                                    a.name().local_part().to_string(),
                                    Value::String(a.value().to_string()),
                                )
                            })
                            .collect();
                        let source = ranges
                            .get(&e)
                            .and_then(|r: &Range<usize>| xml.get(r.clone()))
                            .unwrap_or("");
                        // WireMock renders an element pretty, with a final newline
                        let source = crate::template::helpers::format_xml::pretty(source)
                            .unwrap_or_else(|| format!("{source}\n"));
                        json!({
                            "name": e.name().local_part(),
                            "text": n.string_value(),
                            "attributes": attributes,
                            XML_KEY: source,
                        })
                    }
                    Node::Attribute(a) => xml_node(a.name().local_part(), a.value(), a.value()),
                    Node::Text(t) => xml_node("#text", t.text(), t.text()),
                    Node::Root(_) => xml_node("#document", &n.string_value(), java_trim(xml)),
                    other => {
                        let text = other.string_value();
                        xml_node("", &text, &text)
                    }
                })
                .collect();
            if nodes.is_empty() {
                Value::String(String::new())
            } else {
                Value::Array(nodes)
            }
        }
        sxd_xpath::Value::String(s) => Value::String(s),
        sxd_xpath::Value::Boolean(b) => Value::Bool(b),
        sxd_xpath::Value::Number(f) if f.fract() == 0.0 && f.abs() < 9e15 => Value::from(f as i64),
        sxd_xpath::Value::Number(f) => Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
    })
}

/// Most undeclared prefixes [`declare_prefixes`] adds.
const MAX_UNDECLARED: usize = 16;

/// `xml` with a declaration on its root element for each namespace prefix it
/// uses undeclared (`<m:a>` in WireMock's own SOAP example): WireMock's XPath
/// reads such documents, roxmltree refuses them.
fn declare_prefixes(xml: &str) -> std::borrow::Cow<'_, str> {
    let mut text = std::borrow::Cow::Borrowed(xml);
    for _ in 0..MAX_UNDECLARED {
        let Err(roxmltree::Error::UnknownNamespace(prefix, _)) = roxmltree::Document::parse(&text)
        else {
            break;
        };
        let Some(at) = root_name_end(&text) else {
            break;
        };
        let mut owned = text.into_owned();
        owned.insert_str(at, &format!(" xmlns:{prefix}=\"urn:undeclared:{prefix}\""));
        text = std::borrow::Cow::Owned(owned);
    }
    text
}

/// Where the root element's name ends in its start tag.
fn root_name_end(xml: &str) -> Option<usize> {
    let mut from = 0;
    loop {
        let start = from + xml[from..].find('<')?;
        let rest = &xml[start + 1..];
        if rest.starts_with(['?', '!']) {
            from = start + 1;
            continue;
        }
        let len = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
        return Some(start + 1 + len);
    }
}

/// Approximate element nesting depth (over-counts only in odd inputs), checked
/// before parsing because the parser recurses.
pub(crate) fn xml_depth(xml: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let tag_end = rest.find('>').map_or(rest.len(), |j| j + 1);
        let tag = &rest[..tag_end];
        if tag.starts_with('/') {
            depth = depth.saturating_sub(1);
        } else if !(tag.starts_with('!') || tag.starts_with('?') || tag.ends_with("/>")) {
            depth += 1;
            max = max.max(depth);
        }
        rest = &rest[tag_end..];
    }
    max
}

#[allow(clippy::mutable_key_type)]
pub(crate) fn copy_element<'d>(
    doc: &sxd_document::dom::Document<'d>,
    node: roxmltree::Node,
    ranges: &mut HashMap<sxd_document::dom::Element<'d>, Range<usize>>,
    depth: usize,
) -> Option<sxd_document::dom::Element<'d>> {
    if depth > MAX_XML_DEPTH {
        return None;
    }
    let el = doc.create_element(node.tag_name().name());
    for a in node.attributes() {
        el.set_attribute_value(a.name(), a.value());
    }
    for child in node.children() {
        if child.is_element() {
            el.append_child(copy_element(doc, child, ranges, depth + 1)?);
        } else if child.is_text() {
            if let Some(t) = child.text() {
                el.append_child(doc.create_text(t));
            }
        }
    }
    ranges.insert(el, node.range());
    Some(el)
}

pub(crate) fn xpath_helper<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
    prefix: &str,
) -> Result<Out, RenderError> {
    let Some(xml) = c.text(0, rc).filter(|x| !java_trim(x).is_empty()) else {
        return Ok(text_out(""));
    };
    let Some(expr) = c.text(1, rc).filter(|e| !e.is_empty()) else {
        return Ok(inline_error("The XPath expression cannot be empty"));
    };
    Ok(
        match xpath_query(java_trim(&xml), &format!("{prefix}{expr}")) {
            Ok(v) => Out::Val(v),
            Err(e) => inline_error(e),
        },
    )
}

/// `{{xPath request.body '/outer/inner/text()'}}`.
pub(crate) fn x_path<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    xpath_helper(c, rc, "")
}

/// `{{soapXPath request.body '/a/test/text()'}}`: XPath below `/Envelope/Body/`.
pub(crate) fn soap_x_path<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    xpath_helper(c, rc, "/Envelope/Body/")
}

#[cfg(test)]
mod tests {
    use crate::template::test_support::*;

    #[test]
    fn xpath() {
        let req = with_body("<outer>\n    <inner id=\"i1\">Stuff</inner>\n</outer>");
        assert_eq!(
            render_req("{{xPath request.body '/outer/inner/text()'}}", &req),
            "Stuff"
        );
        assert_eq!(
            render_req("{{xPath request.body '/outer/inner'}}", &req),
            "<inner id=\"i1\">Stuff</inner>\n"
        );
        assert_eq!(
            render_req(
                "{{xPath request.body '/outer'}}",
                &with_body("<outer><inner>Stuff</inner><inner>Two</inner></outer>")
            ),
            "<outer>\n  <inner>Stuff</inner>\n  <inner>Two</inner>\n</outer>\n"
        );
        // WireMock's own SOAP example leaves `m:` undeclared
        let undeclared = with_body(
            "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope/\">\n<soap:Body>\n<m:a>\n<m:test>success</m:test>\n</m:a>\n</soap:Body>\n</soap:Envelope>",
        );
        assert_eq!(
            render_req("{{soapXPath request.body '/a/test/text()'}}", &undeclared),
            "success"
        );
        assert_eq!(
            render_req("{{xPath request.body '/outer/inner/@id'}}", &req),
            "i1"
        );
        assert_eq!(
            render_req("{{xPath request.body 'count(/outer/inner)'}}", &req),
            "1"
        );
        assert_eq!(
            render_req("<t>{{xPath request.body '/b/test'}}</t>", &req),
            "<t></t>"
        );
        let things = with_body(
            "<?xml version=\"1.0\"?>\n<stuff xmlns:th=\"https://thing.com\">\n  <th:thing id=\"1\">One</th:thing>\n  <th:thing id=\"2\">Two</th:thing>\n</stuff>",
        );
        assert_eq!(
            render_req("{{#each (xPath request.body '/stuff/thing') as |t|}}{{t.name}}:{{t.text}}:{{t.attributes.id}} {{/each}}", &things),
            "thing:One:1 thing:Two:2 "
        );
        assert_eq!(
            render_req(
                "{{#each (xPath request.body '/stuff/thing/text()') as |t|}}{{t}} {{/each}}",
                &things
            ),
            "One Two "
        );
        assert_eq!(
            render_req("{{size (xPath request.body '/stuff/*')}}", &things),
            "2"
        );
        let soap = with_body(
            "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope/\"><soap:Body><m:a xmlns:m=\"urn:m\"><m:test>success</m:test></m:a></soap:Body></soap:Envelope>",
        );
        assert_eq!(
            render_req("{{soapXPath request.body '/a/test/text()'}}", &soap),
            "success"
        );
        assert_eq!(
            render_req(
                "{{xPath request.body '/test'}}",
                &with_body("<testsuccess</test>")
            ),
            "[ERROR: <testsuccess</test> is not valid XML]"
        );
        assert_eq!(
            render_req("{{xPath request.body '/a['}}", &with_body("<test/>")),
            "[ERROR: /a[ is not a valid XPath expression]"
        );
    }
}
