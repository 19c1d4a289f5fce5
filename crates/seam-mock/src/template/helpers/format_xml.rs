//! `formatXml`: XML rewritten pretty (two-space indents, one node a line, an
//! element holding only text on one line, a final newline) or compact (no
//! whitespace between nodes), as WireMock 3 writes it; the XML declaration is
//! dropped.

use handlebars::{RenderContext, RenderError};

use crate::template::helpers::call::Call;
use crate::template::helpers::json::format_helper;
use crate::template::helpers::xml::{xml_depth, MAX_XML_DEPTH};
use crate::template::helpers::{inline_error, Out};
use crate::template::java_text::java_trim;

/// `{{#formatXml format='compact'}}...{{/formatXml}}` or `{{formatXml xml}}`.
pub(crate) fn format_xml<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    format_helper(c, rc, "formatXml", "XML", |text, pretty| {
        if xml_depth(text) > MAX_XML_DEPTH {
            return Err(inline_error(format!(
                "XML nested deeper than {MAX_XML_DEPTH} levels"
            )));
        }
        let Ok(doc) = roxmltree::Document::parse(text) else {
            return Err(inline_error("Input is not valid XML"));
        };
        let mut out = String::with_capacity(text.len() + 64);
        let indent = pretty.then_some(0);
        for node in doc.root().children() {
            write_node(&mut out, node, indent);
        }
        Ok(out)
    })
}

/// `xml` written pretty (what an element found by `xPath` renders as), or
/// `None` when it does not parse on its own.
pub(crate) fn pretty(xml: &str) -> Option<String> {
    if xml_depth(xml) > MAX_XML_DEPTH {
        return None;
    }
    let doc = roxmltree::Document::parse(xml).ok()?;
    let mut out = String::with_capacity(xml.len() + 16);
    for node in doc.root().children() {
        write_node(&mut out, node, Some(0));
    }
    Some(out)
}

/// Writes `node`; `indent` is its depth when pretty, `None` when compact.
fn write_node(out: &mut String, node: roxmltree::Node<'_, '_>, indent: Option<usize>) {
    let pad = |out: &mut String| {
        if let Some(depth) = indent {
            out.extend(std::iter::repeat_n("  ", depth));
        }
    };
    let newline = |out: &mut String| {
        if indent.is_some() {
            out.push('\n');
        }
    };
    match node.node_type() {
        roxmltree::NodeType::Element => {
            pad(out);
            out.push('<');
            let name = qualified(node, node.tag_name().namespace(), node.tag_name().name());
            out.push_str(&name);
            let parent_ns: Vec<_> = node
                .parent_element()
                .map(|p| p.namespaces().collect())
                .unwrap_or_default();
            for ns in node.namespaces() {
                let inherited = parent_ns
                    .iter()
                    .any(|p| p.name() == ns.name() && p.uri() == ns.uri());
                if !inherited {
                    match ns.name() {
                        Some(prefix) => out.push_str(&format!(" xmlns:{prefix}=\"")),
                        None => out.push_str(" xmlns=\""),
                    }
                    out.push_str(&escape(ns.uri(), true));
                    out.push('"');
                }
            }
            for a in node.attributes() {
                out.push(' ');
                out.push_str(&qualified(node, a.namespace(), a.name()));
                out.push_str("=\"");
                out.push_str(&escape(a.value(), true));
                out.push('"');
            }
            let children: Vec<_> = node
                .children()
                .filter(|n| !is_blank_text(n) && !n.is_pi())
                .collect();
            match children.as_slice() {
                [] => out.push_str("/>"),
                [only] if only.is_text() => {
                    out.push('>');
                    let text = only.text().unwrap_or("");
                    out.push_str(&escape(text, false));
                    out.push_str(&format!("</{name}>"));
                }
                many => {
                    out.push('>');
                    newline(out);
                    for child in many {
                        write_node(out, *child, indent.map(|d| d + 1));
                    }
                    pad(out);
                    out.push_str(&format!("</{name}>"));
                }
            }
            newline(out);
        }
        roxmltree::NodeType::Text => {
            // text is kept as written; only blank text between nodes goes
            let text = node.text().unwrap_or("");
            if !java_trim(text).is_empty() {
                pad(out);
                out.push_str(&escape(text, false));
                newline(out);
            }
        }
        roxmltree::NodeType::Comment => {
            pad(out);
            out.push_str(&format!("<!--{}-->", node.text().unwrap_or("")));
            newline(out);
        }
        _ => {}
    }
}

fn is_blank_text(n: &roxmltree::Node<'_, '_>) -> bool {
    n.is_text() && n.text().is_some_and(|t| java_trim(t).is_empty())
}

/// `prefix:name` for a name in `namespace`, as declared where `node` is.
fn qualified(node: roxmltree::Node<'_, '_>, namespace: Option<&str>, name: &str) -> String {
    match namespace.and_then(|ns| node.lookup_prefix(ns)) {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}:{name}"),
        _ => name.to_string(),
    }
}

fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::template::test_support::*;

    #[test]
    fn format_xml_as_wiremock_3_13() {
        for (template, expected) in [
            (
                "{{#formatXml}}\n<foo><bar\n>wh</bar></foo\n>\n{{/formatXml}}",
                "<foo>\n  <bar>wh</bar>\n</foo>\n",
            ),
            (
                "{{#formatXml format='compact'}}\n<foo><bar\n>wh</bar></foo\n>\n{{/formatXml}}",
                "<foo><bar>wh</bar></foo>",
            ),
            (
                "{{#assign 'x'}} <foo>  <bar>wh</bar>  </foo> {{/assign}}{{formatXml x format='compact'}}",
                "<foo><bar>wh</bar></foo>",
            ),
            (
                r#"{{formatXml '<a x="1"><b/><c>t</c><d><e>1</e></d></a>'}}"#,
                "<a x=\"1\">\n  <b/>\n  <c>t</c>\n  <d>\n    <e>1</e>\n  </d>\n</a>\n",
            ),
            (
                r#"{{formatXml '<?xml version="1.0"?><a>x</a>'}}"#,
                "<a>x</a>\n",
            ),
            (
                "{{formatXml '<a><!-- c --><b>1</b>text<c/></a>'}}",
                "<a>\n  <!-- c -->\n  <b>1</b>\n  text\n  <c/>\n</a>\n",
            ),
            (
                r#"{{formatXml '<a xmlns:n="urn:x"><n:b>1 &amp; 2</n:b></a>' format='compact'}}"#,
                r#"<a xmlns:n="urn:x"><n:b>1 &amp; 2</n:b></a>"#,
            ),
            ("{{formatXml '<a> t <b>1</b></a>'}}", "<a>\n   t \n  <b>1</b>\n</a>\n"),
            (
                "{{formatXml '<a>  padded  </a>' format='compact'}}",
                "<a>  padded  </a>",
            ),
            (
                "{{formatXml 'not xml'}}",
                "[ERROR: Input is not valid XML]",
            ),
            (
                "{{formatXml '<a>x</a>' format='bad'}}",
                "[ERROR: formatXml: format [bad] should be one of [pretty, compact]]",
            ),
            (
                "{{formatXml}}",
                "[ERROR: formatXml should take a block of XML to format or a single parameter of type String]",
            ),
        ] {
            assert_eq!(r(template), expected, "{template}");
        }
    }
}
