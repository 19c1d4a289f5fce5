//! Structural comparison of XML documents: elements (grouped by name), attributes
//! (`@name`) and text (`#text`), under the same rules as JSON.

use super::json::{is_structural, BodyMode};
use super::value::check_text_rule_list;
use super::{Mismatch, Part};
use crate::path::{token_weight, DocPath, Segment, Token};
use crate::rules::{RuleList, RuleSet};
use serde_json::{json, Value};

struct Walker<'a> {
    rules: &'a RuleSet,
    mode: BodyMode,
    out: Vec<Mismatch>,
}

/// Compares two XML documents. A document that does not parse is a mismatch.
pub fn match_xml(expected: &str, actual: &str, rules: &RuleSet, mode: BodyMode) -> Vec<Mismatch> {
    fn parse<'s>(
        src: &'s str,
        which: &str,
        expected: &str,
        actual: &str,
    ) -> Result<roxmltree::Document<'s>, Box<Mismatch>> {
        roxmltree::Document::parse(src).map_err(|e| {
            Box::new(Mismatch::new(
                Part::Body,
                "$",
                json!(expected),
                json!(actual),
                format!("the {which} body is not well-formed XML: {e}"),
            ))
        })
    }
    let e = match parse(expected, "expected", expected, actual) {
        Ok(d) => d,
        Err(m) => return vec![*m],
    };
    let a = match parse(actual, "actual", expected, actual) {
        Ok(d) => d,
        Err(m) => return vec![*m],
    };
    let mut w = Walker {
        rules,
        mode,
        out: Vec::new(),
    };
    let (er, ar) = (e.root_element(), a.root_element());
    if er.tag_name() != ar.tag_name() {
        w.push(
            &DocPath::root(),
            json!(qualified(er.tag_name())),
            json!(qualified(ar.tag_name())),
            format!(
                "expected root element <{}> but was <{}>",
                qualified(er.tag_name()),
                qualified(ar.tag_name())
            ),
        );
        return w.out;
    }
    w.compare_element(
        &DocPath::root().field(er.tag_name().name()).index(0),
        er,
        ar,
    );
    w.out
}

/// Weighs an expression against an XML location. XML locations carry an index
/// after every element name (`$.animals[0].alligator[1].@id`), and expressions
/// may leave any of them out (`$.animals.alligator['@id']`), so index segments
/// can be skipped. Returns the weight and whether the whole location was named.
fn xml_weight(tokens: &[Token], segs: &[Segment]) -> Option<(u64, bool)> {
    let Some((t, rest)) = tokens.split_first() else {
        return Some((1, segs.iter().all(|s| matches!(s, Segment::Index(_)))));
    };
    let (s, srest) = segs.split_first()?;
    let consumed = match token_weight(t, s) {
        0 => None,
        w => xml_weight(rest, srest).map(|(w2, exact)| (w * w2, exact)),
    };
    let skipped = match s {
        Segment::Index(_) => xml_weight(tokens, srest),
        Segment::Field(_) => None,
    };
    match (consumed, skipped) {
        (Some(a), Some(b)) => Some(if (a.1, a.0) >= (b.1, b.0) { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// `{urn:ns}name` for namespaced names, `name` otherwise.
fn qualified(n: roxmltree::ExpandedName) -> String {
    match n.namespace() {
        Some(ns) => format!("{{{ns}}}{}", n.name()),
        None => n.name().to_string(),
    }
}

fn element_text(n: roxmltree::Node) -> String {
    n.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect::<String>()
        .trim()
        .to_string()
}

fn child_elements<'a, 'i>(n: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    n.children().filter(|c| c.is_element()).collect()
}

impl Walker<'_> {
    /// A mismatch; `None` for a side where nothing is (a missing or an
    /// unexpected node).
    fn push(
        &mut self,
        path: &DocPath,
        expected: impl Into<Option<Value>>,
        actual: impl Into<Option<Value>>,
        reason: String,
    ) {
        self.out.push(Mismatch::new(
            Part::Body,
            path.to_string(),
            expected,
            actual,
            reason,
        ));
    }

    /// Rules at an XML location: the heaviest expression naming it, else the
    /// heaviest naming an ancestor (keeping only rules that cascade).
    fn rules_at(&self, path: &DocPath) -> Option<RuleList> {
        if self.rules.is_empty() {
            return None;
        }
        let (_, exact, _, l) = self
            .rules
            .iter()
            .filter_map(|(e, l)| {
                xml_weight(e.tokens(), path.segments())
                    .map(|(w, exact)| (exact, w, e.tokens().len(), l))
            })
            .max_by_key(|(exact, w, len, _)| (*exact, *w, *len))
            .map(|(exact, w, len, l)| (w, exact, len, l))?;
        if exact {
            return Some(l.clone());
        }
        let kept: Vec<_> = l
            .rules
            .iter()
            .filter(|r| !is_structural(r))
            .cloned()
            .collect();
        (!kept.is_empty()).then(|| RuleList {
            rules: kept,
            logic: l.logic,
        })
    }

    fn compare_element(&mut self, path: &DocPath, e: roxmltree::Node, a: roxmltree::Node) {
        self.compare_attributes(path, e, a);
        // text
        let (et, at) = (element_text(e), element_text(a));
        if !et.is_empty() || !at.is_empty() {
            let has_children = e.children().any(|c| c.is_element());
            if !(has_children && et.is_empty()) {
                self.compare_text(&path.field("#text"), &et, &at);
            }
        }
        // children, grouped by (namespace, name) in order of first appearance
        let ec = child_elements(e);
        let ac = child_elements(a);
        let mut names: Vec<roxmltree::ExpandedName> = Vec::new();
        for c in &ec {
            if !names.contains(&c.tag_name()) {
                names.push(c.tag_name());
            }
        }
        let own_rules = self.rules_at(path);
        let by_example_here = own_rules.as_ref().is_some_and(|l| l.has_type_like());
        for name in &names {
            let local = name.name();
            let eg: Vec<_> = ec.iter().filter(|c| c.tag_name() == *name).collect();
            let ag: Vec<_> = ac.iter().filter(|c| c.tag_name() == *name).collect();
            let gpath = path.field(local);
            let rules = self.rules_at(&gpath);
            let by_example = rules.as_ref().is_some_and(|l| l.has_type_like());
            if let Some(l) = &rules {
                for (min, max) in l.rules.iter().map(|r| r.length_bounds()) {
                    if min.is_some_and(|m| ag.len() < m) || max.is_some_and(|m| ag.len() > m) {
                        let reason = format!(
                            "expected {}{} <{local}> element(s) but found {}",
                            min.map(|m| format!("at least {m}")).unwrap_or_default(),
                            max.map(|m| format!(" at most {m}")).unwrap_or_default(),
                            ag.len()
                        );
                        self.push(&gpath, json!(eg.len()), json!(ag.len()), reason);
                    }
                }
            }
            let too_few = ag.len() < eg.len() && !by_example;
            let too_many = ag.len() > eg.len() && !by_example && self.mode == BodyMode::Request;
            if too_few || too_many {
                self.push(
                    &gpath,
                    json!(eg.len()),
                    json!(ag.len()),
                    format!(
                        "expected {} <{local}> element(s) but found {}",
                        eg.len(),
                        ag.len()
                    ),
                );
            }
            for (i, ae) in ag.iter().enumerate() {
                let template = match eg.get(i) {
                    Some(t) => t,
                    None if by_example => &eg[0],
                    None => break,
                };
                self.compare_element(&gpath.index(i), **template, **ae);
            }
        }
        // children of names never expected: unexpected in requests, and wherever
        // the example stands for every child (a type rule on this element)
        if self.mode == BodyMode::Request || by_example_here {
            for c in &ac {
                if !names.contains(&c.tag_name()) {
                    let local = c.tag_name().name();
                    self.push(
                        &path.field(local),
                        None,
                        json!(format!("<{local}>")),
                        format!("unexpected element <{}>", qualified(c.tag_name())),
                    );
                }
            }
        }
    }

    fn compare_attributes(&mut self, path: &DocPath, e: roxmltree::Node, a: roxmltree::Node) {
        let find = |n: roxmltree::Node<'_, '_>, attr: &roxmltree::Attribute| {
            n.attributes()
                .find(|x| x.name() == attr.name() && x.namespace() == attr.namespace())
                .map(|x| x.value().to_string())
        };
        for attr in e.attributes() {
            let apath = path.field(&format!("@{}", attr.name()));
            match find(a, &attr) {
                Some(av) => self.compare_text(&apath, attr.value(), &av),
                None => self.push(
                    &apath,
                    json!(attr.value()),
                    None,
                    format!("expected attribute '{}' but it was missing", attr.name()),
                ),
            }
        }
        if self.mode == BodyMode::Request {
            for attr in a.attributes() {
                if find(e, &attr).is_none() {
                    self.push(
                        &path.field(&format!("@{}", attr.name())),
                        None,
                        json!(attr.value()),
                        format!("unexpected attribute '{}'", attr.name()),
                    );
                }
            }
        }
    }

    fn compare_text(&mut self, path: &DocPath, expected: &str, actual: &str) {
        let (ev, av) = (json!(expected), json!(actual));
        match self.rules_at(path) {
            Some(list) => {
                if let Err(reason) = check_text_rule_list(&list, expected, actual) {
                    self.push(path, ev, av, reason);
                }
            }
            None if expected != actual => {
                let reason = format!("expected '{expected}' but was '{actual}'");
                self.push(path, ev, av, reason)
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_attribute_and_text_paths() {
        let e = r#"<order id="1"><item sku="a">2</item><item sku="b">3</item></order>"#;
        let a = r#"<order id="1"><item sku="a">2</item><item sku="c">4</item></order>"#;
        let m = match_xml(e, a, &RuleSet::default(), BodyMode::Response);
        let paths: Vec<_> = m.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(
            paths,
            ["$.order[0].item[1].@sku", "$.order[0].item[1].#text"]
        );
    }

    #[test]
    fn type_rules_allow_more_elements() {
        let rules = RuleSet::from_v3_json(&json!({
            "$.animals.alligator": {"matchers": [{"match": "type", "min": 1}]},
            "$.animals.alligator['@phone']": {"matchers": [{"match": "regex", "regex": "\\d+"}]}
        }))
        .unwrap();
        let e = r#"<animals><alligator phone="1"/></animals>"#;
        let ok = r#"<animals><alligator phone="22"/><alligator phone="333"/></animals>"#;
        assert!(match_xml(e, ok, &rules, BodyMode::Request).is_empty());
        let bad = r#"<animals><alligator phone="x"/></animals>"#;
        assert_eq!(match_xml(e, bad, &rules, BodyMode::Request).len(), 1);
        let none = r#"<animals></animals>"#;
        assert_eq!(match_xml(e, none, &rules, BodyMode::Request).len(), 1);
    }

    #[test]
    fn malformed_xml_is_a_mismatch_not_a_panic() {
        let m = match_xml("<a/>", "<a>", &RuleSet::default(), BodyMode::Response);
        assert!(m[0].reason.contains("not well-formed"));
    }
}
